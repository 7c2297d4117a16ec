/*
 * Observation leaves (docs/protocol.md, "Observations"): the worker
 * walks the pinned observation space and writes, for each leaf, what the
 * environment really returned, so the monitor can tell lossless dtype
 * drift from a type or shape fault. Nothing is converted here beyond
 * turning Python scalars and lists into arrays.
 */
#include <stdio.h>
#include <string.h>

#include "native_worker.h"

enum {
	LEAF_ARRAY = 0,
	LEAF_OTHER = 1,
	LEAF_MISSING = 2,
	LEAF_TEXT = 3,
	LEAF_TOO_LARGE = 4,
};

/* As src/space/ops_priv.h: a kind-1 leaf's name is at most this long. */
#define NAME_MAX_BYTES 256u

/*
 * One step down from a Tuple or Dict, kept on the C stack while its
 * child is walked. The text of a path is only needed to name extra
 * elements, so it is made from these then, never on a clean step.
 */
struct seg {
	const struct seg *up;
	PyObject *key; /* a Dict's key (str), or NULL for a Tuple index */
	size_t index;
};

struct lw {
	const struct wtable *t;
	unsigned char *out;
	size_t cap;
	size_t len;
	const struct seg *top; /* NULL at the root */
	char extra[NAME_MAX_BYTES];
	size_t nextra;
};

static int full(void)
{
	PyErr_SetString(PyExc_OverflowError,
			"observation leaves do not fit the response mailbox");
	return -1;
}

static unsigned char *leaf_head(struct lw *w, unsigned kind, unsigned dtype,
				int ndim, const npy_intp *shape,
				size_t data_bytes)
{
	size_t need = 8 + 8 * (size_t)ndim + ((data_bytes + 7) & ~(size_t)7);
	unsigned char *p = w->out + w->len;
	uint32_t n32 = (uint32_t)data_bytes;

	if (need > w->cap - w->len)
		return NULL;
	memset(p, 0, need);
	p[0] = (unsigned char)kind;
	p[1] = (unsigned char)dtype;
	p[2] = (unsigned char)ndim;
	memcpy(p + 4, &n32, 4);
	for (int i = 0; i < ndim; i++) {
		uint64_t d = (uint64_t)shape[i];

		memcpy(p + 8 + 8 * i, &d, 8);
	}
	w->len += need;
	return p + 8 + 8 * ndim;
}

/* Names are cut at the cap, so keep them to printable ASCII. */
static void ascii_only(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			*s = '?';
}

static int put_bytes(struct lw *w, unsigned kind, const void *data, size_t n)
{
	unsigned char *p = leaf_head(w, kind, 0, 0, NULL, n);

	if (!p)
		return full();
	memcpy(p, data, n);
	return 0;
}

/* A kind-1 leaf naming what o is. */
static int put_other(struct lw *w, const char *fmt, const char *name)
{
	char text[NAME_MAX_BYTES + 1];
	size_t n;

	snprintf(text, sizeof(text), fmt, name);
	ascii_only(text);
	n = strlen(text);
	return put_bytes(w, LEAF_OTHER, text, n);
}

static int put_missing(struct lw *w)
{
	return leaf_head(w, LEAF_MISSING, 0, 0, NULL, 0) ? 0 : full();
}

static uint64_t data_cap(const struct wnode *n)
{
	return n->nelem * 8;
}

static int put_array(struct lw *w, const struct wnode *n, PyArrayObject *a)
{
	unsigned code = gwpy_npy_to_wire(PyArray_TYPE(a));
	size_t nbytes = (size_t)PyArray_NBYTES(a);
	PyArrayObject *c;
	unsigned char *p;

	if (!code)
		return put_other(w, "numpy.ndarray of %s",
				 PyArray_DESCR(a)->typeobj->tp_name);
	if (PyArray_NDIM(a) > (int)GW_SPACE_MAX_DIMS)
		return put_other(w, "%s",
				 "numpy.ndarray of over 16 dimensions");
	if (nbytes > data_cap(n)) {
		/* Its real shape only: no data, so no dtype (docs/protocol.md).
		 */
		p = leaf_head(w, LEAF_TOO_LARGE, 0, PyArray_NDIM(a),
			      PyArray_DIMS(a), 0);
		return p ? 0 : full();
	}
	p = leaf_head(w, LEAF_ARRAY, code, PyArray_NDIM(a), PyArray_DIMS(a),
		      nbytes);
	if (!p)
		return full();
	if (PyArray_ISCARRAY_RO(a) && PyArray_ISNOTSWAPPED(a)) {
		memcpy(p, PyArray_DATA(a), nbytes);
		return 0;
	}
	c = (PyArrayObject *)PyArray_FromAny(
		(PyObject *)a, PyArray_DescrFromType(PyArray_TYPE(a)), 0, 0,
		NPY_ARRAY_CARRAY | NPY_ARRAY_FORCECAST, NULL);
	if (!c)
		return -1;
	memcpy(p, PyArray_DATA(c), nbytes);
	Py_DECREF(c);
	return 0;
}

static int put_scalar(struct lw *w, unsigned code, const void *v, size_t n)
{
	unsigned char *p = leaf_head(w, LEAF_ARRAY, code, 0, NULL, n);

	if (!p)
		return full();
	memcpy(p, v, n);
	return 0;
}

static int put_int(struct lw *w, PyObject *o)
{
	int overflow = 0;
	long long v = PyLong_AsLongLongAndOverflow(o, &overflow);
	unsigned long long u;

	if (v == -1 && PyErr_Occurred())
		return -1;
	if (!overflow)
		return put_scalar(w, 5, &v, 8);
	u = PyLong_AsUnsignedLongLong(o);
	if (u == (unsigned long long)-1 && PyErr_Occurred()) {
		PyErr_Clear();
		return put_other(w, "%s", "int beyond 64 bits");
	}
	return put_scalar(w, 9, &u, 8);
}

static int put_text(struct lw *w, const struct wnode *n, PyObject *o)
{
	PyObject *raw = PyUnicode_AsEncodedString(o, "utf-8", "surrogatepass");
	size_t len;
	int r;

	if (!raw)
		return -1;
	len = (size_t)PyBytes_GET_SIZE(raw);
	if (len > data_cap(n))
		r = leaf_head(w, LEAF_TOO_LARGE, 0, 0, NULL, 0) ? 0 : full();
	else
		r = put_bytes(w, LEAF_TEXT, PyBytes_AS_STRING(raw), len);
	Py_DECREF(raw);
	return r;
}

/* Through numpy: a list of numbers becomes an array, else a kind 1. */
static int put_converted(struct lw *w, const struct wnode *n, PyObject *o)
{
	PyObject *a;
	int r;

	if (PyArray_IsScalar(o, Generic))
		a = PyArray_FromScalar(o, NULL);
	else
		a = PyArray_FromAny(o, NULL, 0, 0, 0, NULL);
	if (!a) {
		PyErr_Clear();
		return put_other(w, "%s", Py_TYPE(o)->tp_name);
	}
	if (PyArray_TYPE((PyArrayObject *)a) == NPY_OBJECT)
		r = put_other(w, "%s", Py_TYPE(o)->tp_name);
	else
		r = put_array(w, n, (PyArrayObject *)a);
	Py_DECREF(a);
	return r;
}

static int put_leaf(struct lw *w, const struct wnode *n, PyObject *o)
{
	double d;

	if (PyArray_Check(o))
		return put_array(w, n, (PyArrayObject *)o);
	if (PyUnicode_Check(o))
		return put_text(w, n, o);
	if (PyBool_Check(o)) {
		unsigned char b = o == Py_True;

		return put_scalar(w, 1, &b, 1);
	}
	if (PyLong_Check(o))
		return put_int(w, o);
	if (PyFloat_Check(o)) {
		d = PyFloat_AS_DOUBLE(o);
		return put_scalar(w, 12, &d, 8);
	}
	if (PyArray_IsScalar(o, Generic) || PyList_Check(o) || PyTuple_Check(o))
		return put_converted(w, n, o);
	return put_other(w, "%s", Py_TYPE(o)->tp_name);
}

/* Every leaf of the subtree at node i as missing, or as not-a-thing. */
static int put_all(struct lw *w, size_t i, PyObject *what)
{
	for (size_t k = i; k < w->t->v[i].end; k++) {
		const struct wnode *n = &w->t->v[k];
		int r;

		if (n->kind == GW_SPACE_TUPLE || n->kind == GW_SPACE_DICT)
			continue;
		r = what ? put_other(w, "%s", Py_TYPE(what)->tp_name)
			 : put_missing(w);
		if (r < 0)
			return r;
	}
	return 0;
}

/* "observation[1].pos": the path down to s, cut at cap bytes. */
static void path_text(const struct seg *s, char *buf, size_t cap)
{
	const char *k;
	size_t mark;

	if (!s) {
		snprintf(buf, cap, "observation");
		return;
	}
	path_text(s->up, buf, cap);
	mark = strlen(buf);
	if (!s->key) {
		snprintf(buf + mark, cap - mark, "[%zu]", s->index);
		return;
	}
	k = PyUnicode_AsUTF8(s->key);
	PyErr_Clear();
	snprintf(buf + mark, cap - mark, ".%s", k ? k : "?");
}

static void note_extra(struct lw *w, const char *fmt, PyObject *key,
		       Py_ssize_t index)
{
	size_t n = strlen(w->extra);
	char path[GWPY_PATH_MAX];
	const char *k = NULL;

	if (w->nextra++ == 0)
		n = (size_t)snprintf(w->extra, sizeof(w->extra),
				     "extra elements:");
	if (n >= sizeof(w->extra) - 1)
		return;
	path_text(w->top, path, sizeof(path));
	/* The list is cut where the room ends; the first names matter. */
	if (key) {
		k = PyUnicode_Check(key) ? PyUnicode_AsUTF8(key) : NULL;
		PyErr_Clear();
		if (snprintf(w->extra + n, sizeof(w->extra) - n, " %s.%s", path,
			     k ? k : Py_TYPE(key)->tp_name) < 0)
			w->extra[n] = '\0';
	} else if (snprintf(w->extra + n, sizeof(w->extra) - n, fmt, path,
			    index) < 0) {
		w->extra[n] = '\0';
	}
}

static int walk(struct lw *w, size_t i, PyObject *o);

static int walk_tuple(struct lw *w, size_t i, PyObject *o)
{
	const struct wnode *n = &w->t->v[i];
	struct seg here = { .up = w->top };
	Py_ssize_t have;
	PyObject *fast;
	size_t c = i + 1;
	int r = 0;

	if (!PyTuple_Check(o) && !PyList_Check(o))
		return put_all(w, i, o);
	fast = PySequence_Fast(o, "");
	if (!fast)
		return -1;
	have = PySequence_Fast_GET_SIZE(fast);
	w->top = &here;
	for (size_t k = 0; k < n->nchild && r == 0; k++) {
		here.index = k;
		if ((Py_ssize_t)k < have)
			r = walk(w, c, PySequence_Fast_GET_ITEM(fast, k));
		else
			r = put_all(w, c, NULL);
		c = w->t->v[c].end;
	}
	w->top = here.up;
	for (Py_ssize_t k = (Py_ssize_t)n->nchild; k < have && r == 0; k++)
		note_extra(w, " %s[%zd]", NULL, k);
	Py_DECREF(fast);
	return r;
}

static void find_extra_keys(struct lw *w, size_t i, PyObject *o)
{
	const struct wnode *n = &w->t->v[i];
	PyObject *key, *val;
	Py_ssize_t pos = 0;

	while (PyDict_Next(o, &pos, &key, &val)) {
		bool known = false;

		for (size_t c = i + 1; c < n->end && !known; c = w->t->v[c].end)
			known = PyUnicode_Check(key) &&
				PyUnicode_Compare(key, w->t->v[c].key) == 0;
		if (!known)
			note_extra(w, NULL, key, 0);
	}
	PyErr_Clear();
}

static int walk_dict(struct lw *w, size_t i, PyObject *o)
{
	const struct wnode *n = &w->t->v[i];
	struct seg here = { .up = w->top };
	size_t c = i + 1, found = 0;
	int r = 0;

	if (!PyDict_Check(o))
		return put_all(w, i, o);
	w->top = &here;
	for (size_t k = 0; k < n->nchild && r == 0; k++) {
		PyObject *key = w->t->v[c].key;
		PyObject *v = PyDict_GetItemWithError(o, key);

		here.key = key;
		if (v) {
			found++;
			r = walk(w, c, v);
		} else if (PyErr_Occurred()) {
			r = -1;
		} else {
			r = put_all(w, c, NULL);
		}
		c = w->t->v[c].end;
	}
	w->top = here.up;
	if (r == 0 && (size_t)PyDict_Size(o) > found)
		find_extra_keys(w, i, o);
	return r;
}

static int walk(struct lw *w, size_t i, PyObject *o)
{
	const struct wnode *n = &w->t->v[i];

	switch (n->kind) {
	case GW_SPACE_TUPLE: return walk_tuple(w, i, o);
	case GW_SPACE_DICT: return walk_dict(w, i, o);
	default: return put_leaf(w, n, o);
	}
}

Py_ssize_t gwpy_write_leaves(const struct wtable *t, PyObject *obs,
			     unsigned char *out, size_t cap)
{
	struct lw w;

	/* Set field by field: the name buffer needs only its first byte. */
	w.t = t;
	w.out = out;
	w.cap = cap;
	w.len = 0;
	w.top = NULL;
	w.extra[0] = '\0';
	w.nextra = 0;
	if (walk(&w, 0, obs) < 0)
		return -1;
	ascii_only(w.extra);
	if (w.nextra && put_bytes(&w, LEAF_OTHER, w.extra, strlen(w.extra)) < 0)
		return -1;
	return (Py_ssize_t)w.len;
}
