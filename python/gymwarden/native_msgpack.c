/*
 * Python objects into the bounded MessagePack of docs/protocol.md, for
 * the worker's info and spec. The limits are kept while encoding, so a
 * gigabyte in info costs a type name, not a gigabyte: a value that
 * would break one is replaced by an opaque-object marker (bin tag 2)
 * saying what it was, which the monitor reports as an info fault at
 * that value's field. Only built-in types are read, through their C
 * layout; no __repr__, __reduce__ or any other method of the objects
 * is ever called.
 *
 * What the monitor must refuse is sent as it is: a str key with lone
 * surrogates as its 'surrogatepass' bytes, and keys that are not str
 * as the values they are.
 */
#include <msgpuck.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/limits.h"
#include "native.h"

/* A marker is a bin: header, tag 2, a name of at most 256 bytes. */
#define MARKER_MAX_BYTES (5u + 1u + GW_MSGPACK_MAX_TYPE_NAME_BYTES)

enum { TAG_BYTES = 0, TAG_NDARRAY = 1, TAG_OBJECT = 2 };

/* Set when the document ran out of room: the caller starts again. */
#define MP_FULL (-2)

void gwpy_mp_init(struct gwpy_mp *mp, void *buf, size_t cap)
{
	mp->buf = buf;
	mp->cap = cap < GW_MSGPACK_MAX_TOTAL_BYTES ? cap
						   : GW_MSGPACK_MAX_TOTAL_BYTES;
	mp->len = 0;
	/* The root value takes one element. */
	mp->elems = GW_MSGPACK_MAX_ELEMS - 1;
	mp->max_str_bytes = GW_MSGPACK_MAX_STR_BYTES;
	mp->max_depth = GW_MSGPACK_MAX_DEPTH;
}

static char *room(struct gwpy_mp *mp, size_t n)
{
	char *p;

	if (n > mp->cap - mp->len)
		return NULL;
	p = (char *)mp->buf + mp->len;
	mp->len += n;
	return p;
}

static int put_bin(struct gwpy_mp *mp, unsigned tag, const void *head,
		   size_t head_len, const void *data, size_t len)
{
	size_t body = 1 + head_len + len;
	char *p = room(mp, mp_sizeof_binl((uint32_t)body) + body);

	if (!p)
		return MP_FULL;
	p = mp_encode_binl(p, (uint32_t)body);
	*p++ = (char)tag;
	if (head_len)
		memcpy(p, head, head_len);
	if (len)
		memcpy(p + head_len, data, len);
	return 0;
}

/* An opaque-object marker; name is cut to the limit, kept printable. */
static int marker(struct gwpy_mp *mp, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int marker(struct gwpy_mp *mp, const char *fmt, ...)
{
	char name[GW_MSGPACK_MAX_TYPE_NAME_BYTES + 1];
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	n = strlen(name);
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)name[i] < 0x20 ||
		    (unsigned char)name[i] > 0x7e)
			name[i] = '?';
	return put_bin(mp, TAG_OBJECT, NULL, 0, name, n);
}

static int enc_value(struct gwpy_mp *mp, PyObject *o, unsigned depth);

static int enc_int(struct gwpy_mp *mp, PyObject *o)
{
	int overflow = 0;
	long long v = PyLong_AsLongLongAndOverflow(o, &overflow);
	unsigned long long u;
	char *p;

	if (v == -1 && PyErr_Occurred())
		return -1;
	if (!overflow) {
		p = room(mp, v < 0 ? mp_sizeof_int(v)
				   : mp_sizeof_uint((uint64_t)v));
		if (!p)
			return MP_FULL;
		if (v < 0)
			mp_encode_int(p, v);
		else
			mp_encode_uint(p, (uint64_t)v);
		return 0;
	}
	u = PyLong_AsUnsignedLongLong(o);
	if (u == (unsigned long long)-1 && PyErr_Occurred()) {
		PyErr_Clear();
		return marker(mp, "int beyond 64 bits");
	}
	p = room(mp, mp_sizeof_uint(u));
	if (!p)
		return MP_FULL;
	mp_encode_uint(p, u);
	return 0;
}

static int enc_double(struct gwpy_mp *mp, double d)
{
	char *p = room(mp, mp_sizeof_double(d));

	if (!p)
		return MP_FULL;
	mp_encode_double(p, d);
	return 0;
}

static int enc_bool(struct gwpy_mp *mp, bool b)
{
	char *p = room(mp, 1);

	if (!p)
		return MP_FULL;
	mp_encode_bool(p, b);
	return 0;
}

static int enc_str(struct gwpy_mp *mp, PyObject *o)
{
	Py_ssize_t n;
	const char *s = PyUnicode_AsUTF8AndSize(o, &n);
	PyObject *raw = NULL;
	char *p;
	int r = 0;

	if (!s) {
		/* Lone surrogates: send their bytes for the monitor to refuse.
		 */
		PyErr_Clear();
		raw = PyUnicode_AsEncodedString(o, "utf-8", "surrogatepass");
		if (!raw)
			return -1;
		s = PyBytes_AS_STRING(raw);
		n = PyBytes_GET_SIZE(raw);
	}
	if ((size_t)n > mp->max_str_bytes) {
		r = marker(mp, "str of %zd bytes, over the %u-byte limit", n,
			   mp->max_str_bytes);
	} else if (!(p = room(mp, mp_sizeof_str((uint32_t)n)))) {
		r = MP_FULL;
	} else {
		mp_encode_str(p, s, (uint32_t)n);
	}
	Py_XDECREF(raw);
	return r;
}

static int enc_bytes(struct gwpy_mp *mp, const char *kind, const void *data,
		     size_t n)
{
	if (n + 1 > mp->max_str_bytes)
		return marker(mp, "%s of %zu bytes, over the %u-byte limit",
			      kind, n, mp->max_str_bytes);
	return put_bin(mp, TAG_BYTES, NULL, 0, data, n);
}

static int enc_buffer(struct gwpy_mp *mp, PyObject *o)
{
	Py_buffer view;
	int r;

	if (PyObject_GetBuffer(o, &view, PyBUF_CONTIG_RO) < 0) {
		PyErr_Clear();
		return marker(mp, "%s", Py_TYPE(o)->tp_name);
	}
	r = enc_bytes(mp, Py_TYPE(o)->tp_name, view.buf, (size_t)view.len);
	PyBuffer_Release(&view);
	return r;
}

static int enc_ndarray(struct gwpy_mp *mp, PyArrayObject *a)
{
	unsigned char head[2 + 8 * GW_MSGPACK_MAX_DIMS];
	unsigned code = gwpy_npy_to_wire(PyArray_TYPE(a));
	int ndim = PyArray_NDIM(a);
	size_t nbytes = (size_t)PyArray_NBYTES(a);
	PyArrayObject *c;
	int r;

	if (!code || !PyArray_ISNBO(PyArray_DESCR(a)->byteorder))
		return marker(mp, "numpy.ndarray of %s",
			      PyArray_DESCR(a)->typeobj->tp_name);
	if (ndim > (int)GW_MSGPACK_MAX_DIMS)
		return marker(mp, "numpy.ndarray of %d dimensions", ndim);
	if (1 + sizeof(head) + nbytes > mp->max_str_bytes)
		return marker(mp,
			      "numpy.ndarray of %zu bytes, over the "
			      "%u-byte limit",
			      nbytes, mp->max_str_bytes);
	head[0] = (unsigned char)code;
	head[1] = (unsigned char)ndim;
	for (int i = 0; i < ndim; i++) {
		uint64_t d = (uint64_t)PyArray_DIM(a, i);

		memcpy(head + 2 + 8 * i, &d, 8);
	}
	c = PyArray_GETCONTIGUOUS(a);
	if (!c)
		return -1;
	r = put_bin(mp, TAG_NDARRAY, head, 2 + 8 * (size_t)ndim,
		    PyArray_DATA(c), nbytes);
	Py_DECREF(c);
	return r;
}

static int enc_scalar(struct gwpy_mp *mp, PyObject *o)
{
	PyObject *v;
	int r;

	if (PyArray_IsScalar(o, Bool))
		return enc_bool(mp, o == Py_True || PyObject_IsTrue(o) == 1);
	if (PyArray_IsScalar(o, Integer)) {
		v = PyNumber_Index(o);
		if (!v)
			return -1;
		r = enc_int(mp, v);
		Py_DECREF(v);
		return r;
	}
	if (PyArray_IsScalar(o, Floating)) {
		double d = PyFloat_AsDouble(o);

		if (d == -1.0 && PyErr_Occurred())
			return -1;
		return enc_double(mp, d);
	}
	/* Other numpy scalars (complex, str_, datetime) as 0-d arrays. */
	v = PyArray_FromScalar(o, NULL);
	if (!v)
		return -1;
	r = enc_ndarray(mp, (PyArrayObject *)v);
	Py_DECREF(v);
	return r;
}

static int enc_seq(struct gwpy_mp *mp, PyObject *o, unsigned depth)
{
	Py_ssize_t n = PySequence_Fast_GET_SIZE(o);
	char *p;
	int r;

	if ((uint64_t)n > mp->elems)
		return marker(mp, "%s of %zd items, over the %u-element limit",
			      Py_TYPE(o)->tp_name, n, GW_MSGPACK_MAX_ELEMS);
	p = room(mp, mp_sizeof_array((uint32_t)n));
	if (!p)
		return MP_FULL;
	mp_encode_array(p, (uint32_t)n);
	mp->elems -= (uint32_t)n;
	for (Py_ssize_t i = 0; i < n; i++) {
		r = enc_value(mp, PySequence_Fast_GET_ITEM(o, i), depth + 1);
		if (r < 0)
			return r;
	}
	return 0;
}

static int enc_map(struct gwpy_mp *mp, PyObject *o, unsigned depth)
{
	Py_ssize_t n = PyDict_Size(o), pos = 0;
	PyObject *key, *val;
	char *p;
	int r;

	if ((uint64_t)n * 2 > mp->elems)
		return marker(mp, "%s of %zd keys, over the %u-element limit",
			      Py_TYPE(o)->tp_name, n, GW_MSGPACK_MAX_ELEMS);
	p = room(mp, mp_sizeof_map((uint32_t)n));
	if (!p)
		return MP_FULL;
	mp_encode_map(p, (uint32_t)n);
	mp->elems -= 2 * (uint32_t)n;
	while (PyDict_Next(o, &pos, &key, &val) && n-- > 0) {
		/* Keys at the map's own depth: a container key is refused
		 * by the monitor whatever it holds. */
		r = enc_value(mp, key, depth + 1);
		if (r == 0)
			r = enc_value(mp, val, depth + 1);
		if (r < 0)
			return r;
	}
	return 0;
}

static int enc_container(struct gwpy_mp *mp, PyObject *o, unsigned depth)
{
	PyObject *fast;
	int r;

	if (depth >= mp->max_depth)
		return marker(mp, "%s nested deeper than %u",
			      Py_TYPE(o)->tp_name, mp->max_depth);
	if (PyDict_Check(o))
		return enc_map(mp, o, depth);
	fast = PySequence_Fast(o, "");
	if (!fast)
		return -1;
	r = enc_seq(mp, fast, depth);
	Py_DECREF(fast);
	return r;
}

static int enc_value(struct gwpy_mp *mp, PyObject *o, unsigned depth)
{
	if (o == Py_None) {
		char *p = room(mp, 1);

		if (!p)
			return MP_FULL;
		mp_encode_nil(p);
		return 0;
	}
	if (PyBool_Check(o))
		return enc_bool(mp, o == Py_True);
	if (PyLong_Check(o))
		return enc_int(mp, o);
	if (PyFloat_Check(o))
		return enc_double(mp, PyFloat_AS_DOUBLE(o));
	if (PyUnicode_Check(o))
		return enc_str(mp, o);
	if (PyBytes_Check(o))
		return enc_bytes(mp, "bytes", PyBytes_AS_STRING(o),
				 (size_t)PyBytes_GET_SIZE(o));
	if (PyByteArray_Check(o) || PyMemoryView_Check(o))
		return enc_buffer(mp, o);
	if (PyDict_Check(o) || PyList_Check(o) || PyTuple_Check(o))
		return enc_container(mp, o, depth);
	if (PyArray_API && PyArray_Check(o))
		return enc_ndarray(mp, (PyArrayObject *)o);
	if (PyArray_API && PyArray_IsScalar(o, Generic))
		return enc_scalar(mp, o);
	return marker(mp, "%s", Py_TYPE(o)->tp_name);
}

int gwpy_mp_encode(struct gwpy_mp *mp, PyObject *o)
{
	size_t cap = mp->cap;
	int r;

	if (Py_EnterRecursiveCall(" encoding info"))
		return -1;
	r = enc_value(mp, o, 0);
	Py_LeaveRecursiveCall();
	if (r != MP_FULL)
		return r;
	/* Over the total: one marker for the whole document. */
	gwpy_mp_init(mp, mp->buf, cap);
	r = marker(mp, "%s over the %u-byte info limit", Py_TYPE(o)->tp_name,
		   GW_MSGPACK_MAX_TOTAL_BYTES);
	if (r == MP_FULL) {
		PyErr_SetString(PyExc_ValueError, "no room for the document");
		return -1;
	}
	return r;
}
