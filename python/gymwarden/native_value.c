/*
 * Data trees between Python and the library: constructor kwargs and
 * reset options go in as struct gw_value, info and space descriptions
 * come out as new Python objects. Nothing here runs code of the objects
 * it reads beyond the built-in types' own conversions.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "native.h"
#include "wire/value.h"

struct vpath {
	char buf[GWPY_PATH_MAX];
	const char *env_id;
};

static int refuse(struct vpath *p, PyObject *o, const char *why)
{
	gwpy_raise_kind(GW_ERR_ACTION, p->env_id, -1, p->buf, "%s: %s %s",
			p->buf, Py_TYPE(o)->tp_name, why);
	return -1;
}

static int nomem(void)
{
	PyErr_NoMemory();
	return -1;
}

static int to_value(PyObject *o, struct gw_value *v, struct vpath *p,
		    unsigned depth);

static int int_value(PyObject *o, struct gw_value *v, struct vpath *p)
{
	int overflow = 0;
	long long i = PyLong_AsLongLongAndOverflow(o, &overflow);
	unsigned long long u;

	if (i == -1 && PyErr_Occurred())
		return -1;
	if (!overflow) {
		gw_value_set_int(v, i);
		return 0;
	}
	u = PyLong_AsUnsignedLongLong(o);
	if (u == (unsigned long long)-1 && PyErr_Occurred()) {
		PyErr_Clear();
		return refuse(p, o, "does not fit in 64 bits");
	}
	gw_value_set_uint(v, u);
	return 0;
}

static int str_value(PyObject *o, struct gw_value *v, struct vpath *p)
{
	Py_ssize_t n;
	const char *s = PyUnicode_AsUTF8AndSize(o, &n);

	if (!s) {
		PyErr_Clear();
		return refuse(p, o, "is not valid Unicode text");
	}
	return gw_value_set_str(v, s, (size_t)n) < 0 ? nomem() : 0;
}

static int seq_value(PyObject *o, struct gw_value *v, struct vpath *p,
		     unsigned depth)
{
	Py_ssize_t n = PySequence_Fast_GET_SIZE(o);
	size_t mark = strlen(p->buf);

	gw_value_set_array(v);
	for (Py_ssize_t i = 0; i < n; i++) {
		struct gw_value *slot = gw_value_array_push(v);

		if (!slot)
			return nomem();
		snprintf(p->buf + mark, sizeof(p->buf) - mark, "[%zd]", i);
		if (to_value(PySequence_Fast_GET_ITEM(o, i), slot, p,
			     depth + 1) < 0)
			return -1;
	}
	p->buf[mark] = '\0';
	return 0;
}

static int map_value(PyObject *o, struct gw_value *v, struct vpath *p,
		     unsigned depth)
{
	size_t mark = strlen(p->buf);
	PyObject *key, *val;
	Py_ssize_t pos = 0;

	gw_value_set_map(v);
	while (PyDict_Next(o, &pos, &key, &val)) {
		struct gw_value *slot;
		const char *k;
		Py_ssize_t n;

		if (!PyUnicode_Check(key))
			return refuse(p, key, "is not a str key");
		k = PyUnicode_AsUTF8AndSize(key, &n);
		if (!k) {
			PyErr_Clear();
			return refuse(p, key, "key is not valid Unicode");
		}
		snprintf(p->buf + mark, sizeof(p->buf) - mark, "%s%s",
			 mark ? "." : "", k);
		if (memchr(k, '\0', (size_t)n))
			return refuse(p, key, "key holds a NUL character");
		slot = gw_value_map_push(v, k, (size_t)n);
		if (!slot)
			return nomem();
		if (to_value(val, slot, p, depth + 1) < 0)
			return -1;
	}
	p->buf[mark] = '\0';
	return 0;
}

static int to_value(PyObject *o, struct gw_value *v, struct vpath *p,
		    unsigned depth)
{
	if (depth > GW_MSGPACK_MAX_DEPTH)
		return refuse(p, o, "nests too deep");
	if (o == Py_None) {
		gw_value_set_nil(v);
		return 0;
	}
	if (PyBool_Check(o) || (PyArray_API && PyArray_IsScalar(o, Bool))) {
		gw_value_set_bool(v, PyObject_IsTrue(o) == 1);
		return 0;
	}
	if (PyLong_Check(o))
		return int_value(o, v, p);
	if (PyArray_API && PyArray_IsScalar(o, Integer)) {
		PyObject *i = PyNumber_Index(o);
		int r;

		if (!i)
			return -1;
		r = int_value(i, v, p);
		Py_DECREF(i);
		return r;
	}
	if (PyFloat_Check(o) ||
	    (PyArray_API && PyArray_IsScalar(o, Floating))) {
		gw_value_set_float(v, PyFloat_AsDouble(o));
		return PyErr_Occurred() ? -1 : 0;
	}
	if (PyUnicode_Check(o))
		return str_value(o, v, p);
	if (PyBytes_Check(o))
		return gw_value_set_bin(v, PyBytes_AS_STRING(o),
					(size_t)PyBytes_GET_SIZE(o)) < 0
			       ? nomem()
			       : 0;
	if (PyDict_Check(o))
		return map_value(o, v, p, depth);
	if (PyList_Check(o) || PyTuple_Check(o)) {
		PyObject *fast = PySequence_Fast(o, "");
		int r;

		if (!fast)
			return -1;
		r = seq_value(fast, v, p, depth);
		Py_DECREF(fast);
		return r;
	}
	return refuse(p, o,
		      "is not data (use None, bool, int, float, str, "
		      "bytes, list or dict)");
}

int gwpy_to_value(PyObject *o, struct gw_value *v, const char *root,
		  const char *env_id)
{
	struct vpath p = { .env_id = env_id };

	snprintf(p.buf, sizeof(p.buf), "%s", root);
	return to_value(o, v, &p, 0);
}

/* ---- out of the library ---- */

static PyObject *ndarray_copy(const struct gw_ndarray *nd)
{
	npy_intp dims[GW_MSGPACK_MAX_DIMS];
	int typenum = gwpy_wire_to_npy(nd->dtype);
	PyObject *a;

	if (typenum < 0 || gwpy_need_numpy() < 0) {
		if (!PyErr_Occurred())
			PyErr_SetString(PyExc_ValueError, "bad ndarray dtype");
		return NULL;
	}
	for (unsigned i = 0; i < nd->ndim; i++)
		dims[i] = (npy_intp)nd->shape[i];
	a = PyArray_SimpleNew(nd->ndim, dims, typenum);
	if (a && nd->data_bytes)
		memcpy(PyArray_DATA((PyArrayObject *)a), nd->data,
		       nd->data_bytes);
	return a;
}

static PyObject *array_from(const struct gw_value *v)
{
	PyObject *list = PyList_New((Py_ssize_t)v->array.len);

	for (size_t i = 0; list && i < v->array.len; i++) {
		PyObject *item = gwpy_from_value(&v->array.items[i]);

		if (!item) {
			Py_CLEAR(list);
			break;
		}
		PyList_SET_ITEM(list, (Py_ssize_t)i, item);
	}
	return list;
}

static PyObject *map_from(const struct gw_value *v)
{
	PyObject *d = PyDict_New();

	for (size_t i = 0; d && i < v->map.len; i++) {
		const struct gw_value_pair *pr = &v->map.pairs[i];
		PyObject *val = gwpy_from_value(&pr->value);
		int r = -1;

		if (val) {
			PyObject *k = PyUnicode_DecodeUTF8(
				pr->key, (Py_ssize_t)pr->key_len, "replace");

			if (k)
				r = PyDict_SetItem(d, k, val);
			Py_XDECREF(k);
			Py_DECREF(val);
		}
		if (r < 0)
			Py_CLEAR(d);
	}
	return d;
}

PyObject *gwpy_from_value(const struct gw_value *v)
{
	switch (v->kind) {
	case GW_VALUE_NIL: Py_RETURN_NONE;
	case GW_VALUE_BOOL: return PyBool_FromLong(v->b);
	case GW_VALUE_INT: return PyLong_FromLongLong(v->i);
	case GW_VALUE_UINT: return PyLong_FromUnsignedLongLong(v->u);
	case GW_VALUE_FLOAT: return PyFloat_FromDouble(v->f);
	case GW_VALUE_STR:
		return PyUnicode_DecodeUTF8(v->str.ptr, (Py_ssize_t)v->str.len,
					    "replace");
	case GW_VALUE_BIN:
		return PyBytes_FromStringAndSize((const char *)v->bin.ptr,
						 (Py_ssize_t)v->bin.len);
	case GW_VALUE_NDARRAY: return ndarray_copy(v->nd);
	case GW_VALUE_OBJECT:
		/* Only reaches here when the info policy lets it pass: the
		 * trainer sees a description, never an object. */
		return PyUnicode_FromFormat("<not data: %s>", v->str.ptr);
	case GW_VALUE_ARRAY: return array_from(v);
	case GW_VALUE_MAP: return map_from(v);
	}
	Py_RETURN_NONE;
}
