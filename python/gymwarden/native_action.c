/*
 * Python actions into the packed layout of the pinned action space.
 *
 * The rules are strict on purpose: a Discrete action is an int or a
 * numpy integer scalar (not a bool, not 1.0, not an array); a Box
 * action is array-like of exactly the pinned shape whose values convert
 * to the pinned dtype without loss. Ranges, nan and infinities are left
 * to the library's check of the packed action, which names the element.
 */
#include <stdio.h>
#include <string.h>

#include "native_space.h"

struct pack {
	const struct gw_space_layout *l;
	unsigned char *buf;
	const char *env_id;
	char path[GWPY_PATH_MAX];
};

static int refuse(struct pack *p, const char *fmt, PyObject *o)
{
	gwpy_raise_kind(GW_ERR_ACTION, p->env_id, -1, p->path, "%s: %s %s",
			p->path, Py_TYPE(o)->tp_name, fmt);
	return -1;
}

static int pack_node(struct pack *p, size_t *next, PyObject *o);

/* An integer scalar: int (not bool) or a numpy integer; -1 if not. */
static int int_scalar(struct pack *p, PyObject *o, int64_t *out)
{
	int overflow = 0;
	long long v;
	PyObject *i;

	if (PyBool_Check(o) ||
	    !(PyLong_Check(o) || PyArray_IsScalar(o, Integer)))
		return refuse(p,
			      "is not an int (bool, float and arrays are "
			      "refused)",
			      o);
	i = PyNumber_Index(o);
	if (!i)
		return -1;
	v = PyLong_AsLongLongAndOverflow(i, &overflow);
	Py_DECREF(i);
	if (v == -1 && PyErr_Occurred())
		return -1;
	if (overflow)
		return refuse(p, "is out of range: it does not fit in int64",
			      o);
	*out = v;
	return 0;
}

static int pack_discrete(struct pack *p, const struct gw_layout_node *n,
			 PyObject *o)
{
	int64_t v;

	if (int_scalar(p, o, &v) < 0)
		return -1;
	memcpy(p->buf + n->offset, &v, sizeof(v));
	return 0;
}

static bool same_shape(PyArrayObject *a, const struct gw_space *s)
{
	if ((unsigned)PyArray_NDIM(a) != s->ndim)
		return false;
	for (unsigned i = 0; i < s->ndim; i++)
		if ((uint64_t)PyArray_DIM(a, (int)i) != s->shape[i])
			return false;
	return true;
}

static void shape_text(const npy_intp *dims, int ndim, char *buf, size_t cap)
{
	size_t n = (size_t)snprintf(buf, cap, "(");

	for (int i = 0; i < ndim && n < cap; i++)
		n += (size_t)snprintf(buf + n, cap - n, "%s%ld", i ? ", " : "",
				      (long)dims[i]);
	if (n < cap)
		snprintf(buf + n, cap - n, ndim == 1 ? ",)" : ")");
}

static int refuse_shape(struct pack *p, PyArrayObject *a,
			const struct gw_space *s)
{
	npy_intp want[GW_SPACE_MAX_DIMS];
	char got_s[128], want_s[128];

	for (unsigned i = 0; i < s->ndim; i++)
		want[i] = (npy_intp)s->shape[i];
	shape_text(PyArray_DIMS(a), PyArray_NDIM(a), got_s, sizeof(got_s));
	shape_text(want, (int)s->ndim, want_s, sizeof(want_s));
	gwpy_raise_kind(GW_ERR_ACTION, p->env_id, -1, p->path,
			"%s: shape %s, expected %s", p->path, got_s, want_s);
	return -1;
}

static int gw_dtype_of(PyArrayObject *a)
{
	unsigned code = gwpy_npy_to_wire(PyArray_TYPE(a));

	return code ? (int)code - 1 : -1;
}

/*
 * o as a C-contiguous native-order array of exactly the leaf's shape;
 * NULL with ActionError when it is not array-like numeric data.
 */
static PyArrayObject *as_array(struct pack *p, const struct gw_space *s,
			       PyObject *o)
{
	PyArrayObject *a;
	PyObject *c;

	if (PyUnicode_Check(o) || PyBytes_Check(o) || PyDict_Check(o)) {
		refuse(p, "is not array-like", o);
		return NULL;
	}
	a = (PyArrayObject *)PyArray_FROM_O(o);
	if (!a) {
		PyErr_Clear();
		refuse(p, "is not array-like", o);
		return NULL;
	}
	if (gw_dtype_of(a) < 0) {
		Py_DECREF(a);
		refuse(p, "does not hold numbers of a supported dtype", o);
		return NULL;
	}
	if (!same_shape(a, s)) {
		refuse_shape(p, a, s);
		Py_DECREF(a);
		return NULL;
	}
	c = PyArray_FromAny((PyObject *)a,
			    PyArray_DescrFromType(PyArray_TYPE(a)), 0, 0,
			    NPY_ARRAY_CARRAY, NULL);
	Py_DECREF(a);
	return (PyArrayObject *)c;
}

/* Elements of a (any supported dtype) into the leaf's packed form. */
static int convert_into(struct pack *p, const struct gw_layout_node *n,
			PyArrayObject *a)
{
	const struct gw_space *s = n->space;
	int from = gw_dtype_of(a);
	int r;

	if (from == GW_DTYPE_BOOL && s->kind != GW_SPACE_MULTI_BINARY &&
	    !(s->kind == GW_SPACE_BOX && s->dtype == GW_DTYPE_BOOL)) {
		gwpy_raise_kind(GW_ERR_ACTION, p->env_id, -1, p->path,
				"%s: bool values where numbers are expected",
				p->path);
		return -1;
	}
	r = gw_space_cast_array(s, (enum gw_dtype)from, PyArray_DATA(a),
				(size_t)PyArray_NBYTES(a), p->buf + n->offset,
				n->size);
	if (r == -ERANGE) {
		gwpy_raise_kind(GW_ERR_ACTION, p->env_id, -1, p->path,
				"%s: %s values do not convert to %s without "
				"loss",
				p->path, gw_dtype_name((enum gw_dtype)from),
				s->kind == GW_SPACE_BOX
					? gw_dtype_name(s->dtype)
					: "integers in range");
		return -1;
	}
	if (r < 0) {
		PyErr_Format(PyExc_SystemError, "%s: cannot pack (%d)", p->path,
			     r);
		return -1;
	}
	return 0;
}

static bool fast_box(const struct gw_layout_node *n, PyObject *o)
{
	const struct gw_space *s = n->space;
	PyArrayObject *a = (PyArrayObject *)o;

	return PyArray_CheckExact(o) && gw_dtype_of(a) == (int)s->dtype &&
	       PyArray_ISCARRAY_RO(a) && PyArray_ISNOTSWAPPED(a) &&
	       same_shape(a, s);
}

static int pack_array(struct pack *p, const struct gw_layout_node *n,
		      PyObject *o)
{
	const struct gw_space *s = n->space;
	PyArrayObject *a;
	int from, r;

	if (s->kind == GW_SPACE_BOX && fast_box(n, o)) {
		memcpy(p->buf + n->offset, PyArray_DATA((PyArrayObject *)o),
		       n->size);
		return 0;
	}
	a = as_array(p, s, o);
	if (!a)
		return -1;
	from = gw_dtype_of(a);
	if (s->kind == GW_SPACE_MULTI_DISCRETE && from >= GW_DTYPE_FLOAT16) {
		Py_DECREF(a);
		return refuse(p, "does not hold integers", o);
	}
	r = convert_into(p, n, a);
	Py_DECREF(a);
	return r;
}

static int pack_text(struct pack *p, const struct gw_layout_node *n,
		     PyObject *o)
{
	Py_ssize_t len;
	const char *s;
	uint32_t n32;

	if (!PyUnicode_Check(o))
		return refuse(p, "is not a str", o);
	s = PyUnicode_AsUTF8AndSize(o, &len);
	if (!s) {
		PyErr_Clear();
		return refuse(p, "is not valid Unicode text", o);
	}
	if ((uint64_t)len + 4 > n->size) {
		gwpy_raise_kind(GW_ERR_ACTION, p->env_id, -1, p->path,
				"%s: text of %zd bytes does not fit the %llu "
				"the space allows",
				p->path, len,
				(unsigned long long)(n->size - 4));
		return -1;
	}
	n32 = (uint32_t)len;
	memcpy(p->buf + n->offset, &n32, 4);
	memcpy(p->buf + n->offset + 4, s, (size_t)len);
	return 0;
}

static int pack_tuple(struct pack *p, size_t *next, PyObject *o)
{
	const struct gw_space *s = p->l->nodes[*next - 1].space;
	size_t mark = strlen(p->path);
	PyObject *fast;

	if (!PyTuple_Check(o) && !PyList_Check(o))
		return refuse(p, "is not a tuple", o);
	fast = PySequence_Fast(o, "");
	if (!fast)
		return -1;
	if ((size_t)PySequence_Fast_GET_SIZE(fast) != s->u.list.len) {
		gwpy_raise_kind(GW_ERR_ACTION, p->env_id, -1, p->path,
				"%s: %zd elements, expected %zu", p->path,
				PySequence_Fast_GET_SIZE(fast), s->u.list.len);
		Py_DECREF(fast);
		return -1;
	}
	for (size_t i = 0; i < s->u.list.len; i++) {
		snprintf(p->path + mark, sizeof(p->path) - mark, "[%zu]", i);
		if (pack_node(p, next,
			      PySequence_Fast_GET_ITEM(fast, (Py_ssize_t)i)) <
		    0) {
			Py_DECREF(fast);
			return -1;
		}
	}
	p->path[mark] = '\0';
	Py_DECREF(fast);
	return 0;
}

static int refuse_extra_key(struct pack *p, PyObject *o,
			    const struct gw_space *s)
{
	PyObject *key, *val;
	Py_ssize_t pos = 0;

	while (PyDict_Next(o, &pos, &key, &val)) {
		const char *k =
			PyUnicode_Check(key) ? PyUnicode_AsUTF8(key) : NULL;
		bool known = false;

		PyErr_Clear();
		for (size_t i = 0; k && i < s->u.list.len && !known; i++)
			known = strcmp(k, s->u.list.keys[i]) == 0;
		if (!known)
			return refuse(p, "key is not in the action space", key);
	}
	return 0;
}

static int pack_dict(struct pack *p, size_t *next, PyObject *o)
{
	const struct gw_space *s = p->l->nodes[*next - 1].space;
	size_t mark = strlen(p->path);

	if (!PyDict_Check(o))
		return refuse(p, "is not a dict", o);
	if ((size_t)PyDict_Size(o) != s->u.list.len)
		return refuse_extra_key(p, o, s) < 0
			       ? -1
			       : refuse(p, "has missing keys", o);
	for (size_t i = 0; i < s->u.list.len; i++) {
		PyObject *v = PyDict_GetItemString(o, s->u.list.keys[i]);

		snprintf(p->path + mark, sizeof(p->path) - mark, ".%s",
			 s->u.list.keys[i]);
		if (!v) {
			gwpy_raise_kind(GW_ERR_ACTION, p->env_id, -1, p->path,
					"%s: missing", p->path);
			return -1;
		}
		if (pack_node(p, next, v) < 0)
			return -1;
	}
	p->path[mark] = '\0';
	return 0;
}

static int pack_node(struct pack *p, size_t *next, PyObject *o)
{
	const struct gw_layout_node *n = &p->l->nodes[(*next)++];

	switch (n->space->kind) {
	case GW_SPACE_DISCRETE: return pack_discrete(p, n, o);
	case GW_SPACE_BOX:
	case GW_SPACE_MULTI_DISCRETE:
	case GW_SPACE_MULTI_BINARY: return pack_array(p, n, o);
	case GW_SPACE_TEXT: return pack_text(p, n, o);
	case GW_SPACE_TUPLE: return pack_tuple(p, next, o);
	case GW_SPACE_DICT: return pack_dict(p, next, o);
	}
	PyErr_SetString(PyExc_SystemError, "unknown space kind");
	return -1;
}

int gwpy_pack_action(const struct gw_space_layout *l, PyObject *o,
		     unsigned char *buf, const char *env_id)
{
	struct pack p = { .l = l, .buf = buf, .env_id = env_id };
	size_t next = 0;

	snprintf(p.path, sizeof(p.path), "action");
	return pack_node(&p, &next, o);
}
