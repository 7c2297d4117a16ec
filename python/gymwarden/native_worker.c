/*
 * gymwarden._native.Worker: the worker's end of the protocol. It takes
 * HELLO and the region's memfd from the control socket, answers with
 * SPEC, then serves requests from the request mailbox (spinning, then
 * sleeping on the doorbell) and publishes each answer in the response
 * mailbox, built in place. Every frame sent and received goes through
 * the same turn table the monitor uses (gw_wire_turn).
 *
 * The worker is not trusted by the monitor; this code only has to be
 * correct for an honest environment, and fast.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "native_worker.h"
#include "wire/frame.h"
#include "wire/msgpack.h"
#include "wire/shm.h"
#include "wire/value.h"

/* The fixed part of a RESULT payload before the leaves. */
#define RESULT_HEAD_BYTES 16u

/* FAIL phases (docs/protocol.md). */
enum { PHASE_CONSTRUCT, PHASE_RESET, PHASE_STEP, PHASE_CLOSE, PHASE_PROTO };

struct gwpy_worker {
	PyObject_HEAD int sock;
	struct gw_shm *shm;
	struct gw_wire_conv conv;
	unsigned char *req; /* private copy of the request frame */
	size_t req_cap;
	uint64_t req_word; /* the request seq word last seen */
	uint64_t spin_ns;
	struct wtable act;
	struct wtable obs;
	struct gw_shm_wait_stats stats;
};

static PyObject *proto_error(const struct gw_error *err, const char *what)
{
	PyErr_Format(PyExc_ConnectionError, "gymwarden worker: %s: %s", what,
		     err && err->msg[0] ? err->msg : "protocol error");
	return NULL;
}

static PyObject *errno_error(int r, const char *what)
{
	errno = -r;
	PyErr_SetFromErrnoWithFilename(PyExc_OSError, what);
	return NULL;
}

static int worker_init(PyObject *op, PyObject *args, PyObject *kw)
{
	static char *names[] = { "fd", "spin_ns", NULL };
	struct gwpy_worker *self = (struct gwpy_worker *)op;
	unsigned long long spin = GW_SHM_SPIN_NS_WORKER;
	int fd = 3;

	if (!PyArg_ParseTupleAndKeywords(args, kw, "|iK", names, &fd, &spin))
		return -1;
	self->sock = fd;
	self->spin_ns = spin;
	gw_wire_conv_init(&self->conv);
	return 0;
}

static void worker_dealloc(PyObject *op)
{
	struct gwpy_worker *self = (struct gwpy_worker *)op;

	gw_shm_free(self->shm);
	free(self->req);
	gwpy_wtable_clear(&self->act);
	gwpy_wtable_clear(&self->obs);
	Py_TYPE(op)->tp_free(op);
}

/* Feed a frame to the turn table; sent says which side sent it. */
static int turn(struct gwpy_worker *self, bool sent, enum gw_wire_channel ch,
		unsigned type, uint32_t seq, uint32_t len)
{
	struct gw_frame_header h = { .type = (uint8_t)type,
				     .seq = seq,
				     .len = len };
	struct gw_error err;

	gwpy_error_reset(&err);
	if (gw_wire_turn(&self->conv, sent ? GW_WIRE_WORKER : GW_WIRE_MONITOR,
			 ch, &h, &err) < 0) {
		proto_error(&err, sent ? "cannot send" : "refused a frame");
		return -1;
	}
	return 0;
}

static PyObject *decode_map(const void *p, size_t n, const char *root)
{
	struct gw_value *v = NULL;
	struct gw_error err;
	PyObject *o;

	gw_error_clear(&err);
	if (gw_msgpack_decode(p, n, NULL, root, &v, &err) < 0)
		return proto_error(&err, root);
	o = gwpy_from_value(v);
	gw_value_free(v);
	return o;
}

/* hello() -> dict: take HELLO and its memfd, map the region. */
static PyObject *worker_hello(PyObject *op, PyObject *args)
{
	struct gwpy_worker *self = (struct gwpy_worker *)op;
	struct gw_shm_layout l;
	struct gw_frame_header h;
	struct gw_error err;
	unsigned char *buf;
	PyObject *out = NULL;
	int fd = -1, r;

	(void)args;
	if (self->shm) {
		PyErr_SetString(PyExc_ValueError, "HELLO already taken");
		return NULL;
	}
	buf = malloc(GW_FRAME_MAX_SOCKET_BYTES);
	if (!buf)
		return PyErr_NoMemory();
	gw_error_clear(&err);
	Py_BEGIN_ALLOW_THREADS r = gw_frame_recv(
		self->sock, buf, GW_FRAME_MAX_SOCKET_BYTES, 0, &h, &fd, &err);
	Py_END_ALLOW_THREADS if (r < 0)
	{
		proto_error(&err, "HELLO");
		goto out;
	}
	if (turn(self, false, GW_WIRE_SOCKET, h.type, h.seq, h.len) < 0)
		goto out;
	if (fd < 0) {
		PyErr_SetString(PyExc_ConnectionError,
				"gymwarden worker: HELLO without its memfd");
		goto out;
	}
	if (gw_shm_layout_decode(buf + GW_FRAME_HEADER_BYTES, h.len, &l, &err) <
		    0 ||
	    gw_shm_map(fd, &l, &self->shm, &err) < 0) {
		proto_error(&err, "HELLO region");
		goto out;
	}
	fd = -1; /* owned by the region now */
	self->req_cap = l.req_cap;
	self->req = malloc(self->req_cap);
	if (!self->req) {
		PyErr_NoMemory();
		goto out;
	}
	out = decode_map(buf + GW_FRAME_HEADER_BYTES + GW_SHM_LAYOUT_BYTES,
			 h.len - GW_SHM_LAYOUT_BYTES, "hello");
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	return out;
}

static PyObject *worker_set_layouts(PyObject *op, PyObject *args)
{
	struct gwpy_worker *self = (struct gwpy_worker *)op;
	PyObject *act, *obs;

	if (!PyArg_ParseTuple(args, "OO", &act, &obs))
		return NULL;
	if (gwpy_need_numpy() < 0)
		return NULL;
	if (gwpy_wtable_build(&self->act, act) < 0 ||
	    gwpy_wtable_build(&self->obs, obs) < 0)
		return NULL;
	Py_RETURN_NONE;
}

/* Send a socket frame whose payload is the encoding of o. */
static PyObject *send_doc(struct gwpy_worker *self, unsigned type,
			  const unsigned char *head, size_t head_len,
			  PyObject *o)
{
	struct gw_frame_header h = { .type = (uint8_t)type,
				     .seq = self->conv.last_seq };
	size_t cap = GW_FRAME_MAX_SOCKET_BYTES - GW_FRAME_HEADER_BYTES;
	unsigned char *buf = malloc(cap);
	struct gwpy_mp mp;
	int r;

	if (!buf)
		return PyErr_NoMemory();
	memcpy(buf, head, head_len);
	gwpy_mp_init(&mp, buf + head_len, cap - head_len);
	if (o && gwpy_mp_encode(&mp, o) < 0) {
		free(buf);
		return NULL;
	}
	h.len = (uint32_t)(head_len + mp.len);
	if (turn(self, true, GW_WIRE_SOCKET, type, h.seq, h.len) < 0) {
		free(buf);
		return NULL;
	}
	r = gw_frame_send(self->sock, &h, buf);
	free(buf);
	if (r < 0)
		return errno_error(r, "send");
	Py_RETURN_NONE;
}

static PyObject *worker_send_spec(PyObject *op, PyObject *spec)
{
	return send_doc((struct gwpy_worker *)op, GW_FRAME_SPEC, NULL, 0, spec);
}

/* The request frame's payload in the private copy. */
static const unsigned char *payload(const struct gwpy_worker *self)
{
	return self->req + GW_FRAME_HEADER_BYTES;
}

static PyObject *parse_reset(struct gwpy_worker *self, uint32_t len)
{
	const unsigned char *p = payload(self);
	PyObject *seed, *opts;
	uint64_t s;

	if (len < 9) {
		PyErr_SetString(PyExc_ConnectionError,
				"gymwarden worker: RESET too short");
		return NULL;
	}
	memcpy(&s, p + 1, 8);
	if (p[0])
		seed = PyLong_FromUnsignedLongLong(s);
	else
		seed = Py_NewRef(Py_None);
	opts = len > 9 ? decode_map(p + 9, len - 9, "options")
		       : Py_NewRef(Py_None);
	if (!seed || !opts) {
		Py_XDECREF(seed);
		Py_XDECREF(opts);
		return NULL;
	}
	return Py_BuildValue("(NN)", seed, opts);
}

static int wait_request(struct gwpy_worker *self, struct gw_frame_header *h)
{
	struct gw_shm_wait w = { .spin_ns = self->spin_ns,
				 .stats = &self->stats };
	struct gw_error err;
	int r;

	do {
		gwpy_error_reset(&err);
		w.deadline_ns = gw_shm_now_ns() + 3600ull * 1000000000ull;
		Py_BEGIN_ALLOW_THREADS r = gw_shm_wait(
			self->shm, GW_SHM_REQUEST, self->sock, &self->req_word,
			&w, self->req, self->req_cap, h, &err);
		Py_END_ALLOW_THREADS
	} while (r == -ETIMEDOUT);
	if (r == -EPIPE) {
		PyErr_SetString(PyExc_EOFError, "the monitor hung up");
		return -1;
	}
	if (r < 0 || r == GW_SHM_GOT_SOCKET) {
		proto_error(&err, "waiting for a request");
		return -1;
	}
	return turn(self, false, GW_WIRE_MAILBOX, h->type, h->seq, h->len);
}

/* wait() -> (type, arg): the next request. */
static PyObject *worker_wait(PyObject *op, PyObject *args)
{
	struct gwpy_worker *self = (struct gwpy_worker *)op;
	struct gw_frame_header h;
	PyObject *arg, *out, *type;

	(void)args;
	if (!self->shm || !self->act.v) {
		PyErr_SetString(PyExc_ValueError, "no HELLO or layouts yet");
		return NULL;
	}
	if (wait_request(self, &h) < 0)
		return NULL;
	switch (h.type) {
	case GW_FRAME_STEP:
		arg = gwpy_unpack_action(&self->act, payload(self), h.len);
		break;
	case GW_FRAME_RESET: arg = parse_reset(self, h.len); break;
	default: arg = Py_NewRef(Py_None); break;
	}
	if (!arg)
		return NULL;
	/* A tuple by hand: Py_BuildValue parses its format on every step. */
	out = PyTuple_New(2);
	type = out ? PyLong_FromLong(h.type) : NULL;
	if (!type) {
		Py_XDECREF(out);
		Py_DECREF(arg);
		return NULL;
	}
	PyTuple_SET_ITEM(out, 0, type);
	PyTuple_SET_ITEM(out, 1, arg);
	return out;
}

static unsigned reward_tag(PyObject *r, double *v)
{
	if (r == NULL) {
		*v = 0;
		return 4;
	}
	if (PyBool_Check(r) || PyArray_IsScalar(r, Bool)) {
		*v = PyObject_IsTrue(r) == 1;
		return 2;
	}
	if (PyFloat_Check(r) || PyArray_IsScalar(r, Floating)) {
		*v = PyFloat_AsDouble(r);
		return 0;
	}
	if (PyLong_Check(r) || PyArray_IsScalar(r, Integer)) {
		*v = PyFloat_AsDouble(r);
		if (!PyErr_Occurred())
			return 1;
	}
	PyErr_Clear();
	*v = 0;
	return 3;
}

static unsigned char flag_tag(PyObject *f)
{
	if (f == Py_True)
		return 1;
	if (f == Py_False)
		return 0;
	if (PyArray_IsScalar(f, Bool))
		return PyObject_IsTrue(f) == 1;
	return 2;
}

/* Build a RESULT in the response mailbox and publish it. */
static PyObject *publish_result(struct gwpy_worker *self, PyObject *obs,
				PyObject *reward, PyObject *term,
				PyObject *trunc, PyObject *info)
{
	size_t cap, at;
	unsigned char *p = gw_shm_payload(self->shm, GW_SHM_RESPONSE, &cap);
	struct gwpy_mp mp;
	Py_ssize_t leaves;
	uint32_t n32;
	double rv;
	int r;

	if (cap < RESULT_HEAD_BYTES + 8)
		return PyErr_NoMemory();
	p[0] = (unsigned char)reward_tag(reward, &rv);
	memcpy(p + 1, &rv, 8);
	p[9] = term ? flag_tag(term) : 0;
	p[10] = trunc ? flag_tag(trunc) : 0;
	p[11] = 0;
	leaves = gwpy_write_leaves(&self->obs, obs, p + RESULT_HEAD_BYTES,
				   cap - RESULT_HEAD_BYTES - 4);
	if (leaves < 0)
		return NULL;
	n32 = (uint32_t)leaves;
	memcpy(p + 12, &n32, 4);
	at = RESULT_HEAD_BYTES + (size_t)leaves;
	gwpy_mp_init(&mp, p + at + 4, cap - at - 4);
	if (gwpy_mp_encode(&mp, info) < 0)
		return NULL;
	n32 = (uint32_t)mp.len;
	memcpy(p + at, &n32, 4);
	at += 4 + mp.len;

	if (turn(self, true, GW_WIRE_MAILBOX, GW_FRAME_RESULT,
		 (uint32_t)self->req_word, (uint32_t)at) < 0)
		return NULL;
	r = gw_shm_commit(self->shm, GW_SHM_RESPONSE, self->sock,
			  GW_FRAME_RESULT, self->req_word, at);
	if (r < 0)
		return errno_error(r, "publish");
	Py_RETURN_NONE;
}

static PyObject *worker_reply_reset(PyObject *op, PyObject *args)
{
	PyObject *obs, *info;

	if (!PyArg_ParseTuple(args, "OO", &obs, &info))
		return NULL;
	return publish_result((struct gwpy_worker *)op, obs, NULL, NULL, NULL,
			      info);
}

static PyObject *worker_reply_step(PyObject *op, PyObject *const *args,
				   Py_ssize_t nargs)
{
	if (nargs != 5) {
		PyErr_SetString(PyExc_TypeError,
				"reply_step(obs, reward, terminated, "
				"truncated, info)");
		return NULL;
	}
	return publish_result((struct gwpy_worker *)op, args[0], args[1],
			      args[2], args[3], args[4]);
}

static PyObject *worker_reply_close(PyObject *op, PyObject *args)
{
	struct gwpy_worker *self = (struct gwpy_worker *)op;
	int r;

	(void)args;
	if (turn(self, true, GW_WIRE_MAILBOX, GW_FRAME_RESULT,
		 (uint32_t)self->req_word, 0) < 0)
		return NULL;
	r = gw_shm_commit(self->shm, GW_SHM_RESPONSE, self->sock,
			  GW_FRAME_RESULT, self->req_word, 0);
	if (r < 0)
		return errno_error(r, "publish");
	Py_RETURN_NONE;
}

/* fail(phase, text): the env raised; text is cut to the protocol's cap. */
static PyObject *worker_fail(PyObject *op, PyObject *args)
{
	struct gwpy_worker *self = (struct gwpy_worker *)op;
	unsigned char buf[1 + GW_WIRE_FAIL_TEXT_MAX_BYTES];
	const char *text;
	Py_ssize_t n;
	int phase, r;
	uint32_t seq = (uint32_t)self->req_word;

	if (!PyArg_ParseTuple(args, "iy#", &phase, &text, &n))
		return NULL;
	if ((size_t)n > GW_WIRE_FAIL_TEXT_MAX_BYTES)
		n = GW_WIRE_FAIL_TEXT_MAX_BYTES;
	/* Do not end inside a UTF-8 sequence. */
	while (n > 0 && ((unsigned char)text[n] & 0xc0) == 0x80)
		n--;
	buf[0] = (unsigned char)phase;
	memcpy(buf + 1, text, (size_t)n);

	if (!self->shm || self->conv.state == GW_WIRE_GREETING) {
		struct gw_frame_header h = { .type = GW_FRAME_FAIL,
					     .seq = self->conv.last_seq,
					     .len = (uint32_t)n + 1 };

		if (turn(self, true, GW_WIRE_SOCKET, GW_FRAME_FAIL, h.seq,
			 h.len) < 0)
			return NULL;
		r = gw_frame_send(self->sock, &h, buf);
	} else {
		if (turn(self, true, GW_WIRE_MAILBOX, GW_FRAME_FAIL, seq,
			 (uint32_t)n + 1) < 0)
			return NULL;
		r = gw_shm_publish(self->shm, GW_SHM_RESPONSE, self->sock,
				   GW_FRAME_FAIL, self->req_word, buf,
				   (size_t)n + 1);
	}
	if (r < 0)
		return errno_error(r, "send FAIL");
	Py_RETURN_NONE;
}

static PyObject *worker_stats(PyObject *op, PyObject *args)
{
	struct gwpy_worker *self = (struct gwpy_worker *)op;

	(void)args;
	return Py_BuildValue("{sKsIsI}", "spins",
			     (unsigned long long)self->stats.spins, "sleeps",
			     self->stats.sleeps, "doorbells",
			     self->stats.doorbells);
}

/* encode(obj, cap) -> bytes: the bounded MessagePack of obj (tests). */
static PyObject *native_encode(PyObject *op, PyObject *args)
{
	Py_ssize_t cap = GW_MSGPACK_MAX_TOTAL_BYTES;
	struct gwpy_mp mp;
	PyObject *o, *out;
	void *buf;

	(void)op;
	if (!PyArg_ParseTuple(args, "O|n", &o, &cap))
		return NULL;
	if (gwpy_need_numpy() < 0)
		return NULL;
	if (cap < 0 || (buf = malloc((size_t)cap + 1)) == NULL)
		return PyErr_NoMemory();
	gwpy_mp_init(&mp, buf, (size_t)cap);
	if (gwpy_mp_encode(&mp, o) < 0) {
		free(buf);
		return NULL;
	}
	out = PyBytes_FromStringAndSize(buf, (Py_ssize_t)mp.len);
	free(buf);
	return out;
}

static PyMethodDef worker_methods[] = {
	{ "hello", worker_hello, METH_NOARGS,
	  "hello() -> dict: take HELLO and map the shared region" },
	{ "set_layouts", worker_set_layouts, METH_VARARGS,
	  "set_layouts(action_tree, observation_tree)" },
	{ "send_spec", worker_send_spec, METH_O,
	  "send_spec(dict): answer HELLO" },
	{ "wait", worker_wait, METH_NOARGS,
	  "wait() -> (type, arg): the next request (3 RESET (seed, options), "
	  "4 STEP action, 5 CLOSE None)" },
	{ "reply_reset", worker_reply_reset, METH_VARARGS,
	  "reply_reset(obs, info)" },
	{ "reply_step", (PyCFunction)(void (*)(void))worker_reply_step,
	  METH_FASTCALL,
	  "reply_step(obs, reward, terminated, truncated, info)" },
	{ "reply_close", worker_reply_close, METH_NOARGS, "reply_close()" },
	{ "fail", worker_fail, METH_VARARGS,
	  "fail(phase, text: bytes): the env raised (0 construct, 1 reset, 2 "
	  "step, "
	  "3 close, 4 protocol)" },
	{ "stats", worker_stats, METH_NOARGS,
	  "stats() -> dict of wait counts" },
	{ "encode", native_encode, METH_VARARGS | METH_STATIC,
	  "encode(obj, cap=1 MiB) -> bytes: obj as bounded MessagePack" },
	{ NULL, NULL, 0, NULL },
};

PyTypeObject gwpy_worker_type = {
	PyVarObject_HEAD_INIT(NULL, 0).tp_name = "gymwarden._native.Worker",
	.tp_basicsize = sizeof(struct gwpy_worker),
	.tp_flags = Py_TPFLAGS_DEFAULT,
	.tp_doc = "Worker(fd=3, spin_ns=200000): the worker's end of the "
		  "protocol",
	.tp_new = PyType_GenericNew,
	.tp_init = worker_init,
	.tp_dealloc = worker_dealloc,
	.tp_methods = worker_methods,
};
