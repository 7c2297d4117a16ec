/*
 * Checked, packed observations (private memory of the monitor) into new
 * Python objects that the caller owns: arrays are fresh allocations with
 * the data copied in, never views of anything the worker can reach.
 */
#include <string.h>

#include "native_space.h"

struct unpack {
	const struct gw_space_layout *l;
	const unsigned char *buf;
	size_t len;
};

static PyObject *unpack_node(struct unpack *u, size_t *next);

static PyObject *new_array(const struct gw_space *s, int typenum,
			   const unsigned char *src, size_t bytes)
{
	npy_intp dims[GW_SPACE_MAX_DIMS];
	PyObject *a;

	for (unsigned i = 0; i < s->ndim; i++)
		dims[i] = (npy_intp)s->shape[i];
	a = PyArray_SimpleNew((int)s->ndim, dims, typenum);
	if (a && bytes)
		memcpy(PyArray_DATA((PyArrayObject *)a), src, bytes);
	return a;
}

static PyObject *unpack_leaf(struct unpack *u, const struct gw_layout_node *n)
{
	const unsigned char *p = u->buf + n->offset;
	const struct gw_space *s = n->space;
	uint32_t tlen;
	int64_t v;

	switch (s->kind) {
	case GW_SPACE_BOX:
		return new_array(s, gwpy_wire_to_npy(gwpy_dtype_wire(s->dtype)),
				 p, n->size);
	case GW_SPACE_DISCRETE:
		memcpy(&v, p, sizeof(v));
		return PyLong_FromLongLong(v);
	case GW_SPACE_MULTI_DISCRETE:
		return new_array(s, NPY_INT64, p, n->size);
	case GW_SPACE_MULTI_BINARY:
		/* Packed as u8 0/1; Gymnasium's MultiBinary dtype is int8. */
		return new_array(s, NPY_INT8, p, n->size);
	case GW_SPACE_TEXT:
		memcpy(&tlen, p, 4);
		if ((uint64_t)tlen + 4 > n->size) {
			PyErr_SetString(PyExc_SystemError,
					"packed text longer than its slot");
			return NULL;
		}
		return PyUnicode_DecodeUTF8((const char *)p + 4, tlen,
					    "strict");
	default: break;
	}
	PyErr_SetString(PyExc_SystemError, "not a leaf");
	return NULL;
}

static PyObject *unpack_list(struct unpack *u, const struct gw_space *s,
			     size_t *next)
{
	bool dict = s->kind == GW_SPACE_DICT;
	PyObject *out =
		dict ? PyDict_New() : PyTuple_New((Py_ssize_t)s->u.list.len);

	for (size_t i = 0; out && i < s->u.list.len; i++) {
		PyObject *child = unpack_node(u, next);

		if (!child) {
			Py_CLEAR(out);
			break;
		}
		if (!dict) {
			PyTuple_SET_ITEM(out, (Py_ssize_t)i, child);
			continue;
		}
		if (PyDict_SetItemString(out, s->u.list.keys[i], child) < 0)
			Py_CLEAR(out);
		Py_DECREF(child);
	}
	return out;
}

static PyObject *unpack_node(struct unpack *u, size_t *next)
{
	const struct gw_layout_node *n = &u->l->nodes[(*next)++];

	if (n->space->kind == GW_SPACE_TUPLE || n->space->kind == GW_SPACE_DICT)
		return unpack_list(u, n->space, next);
	return unpack_leaf(u, n);
}

PyObject *gwpy_unpack_obs(const struct gw_space_layout *l,
			  const unsigned char *buf, size_t len)
{
	struct unpack u = { .l = l, .buf = buf, .len = len };
	size_t next = 0;

	if (len < l->size) {
		PyErr_Format(PyExc_SystemError,
			     "packed observation of %zu bytes, layout needs "
			     "%llu",
			     len, (unsigned long long)l->size);
		return NULL;
	}
	return unpack_node(&u, &next);
}
