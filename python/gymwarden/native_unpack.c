/*
 * The worker's side of the data path: the node table of a pinned space,
 * and packed actions into the Python objects an environment expects
 * (Discrete: int; Box: an array of the pinned dtype and shape;
 * MultiDiscrete and MultiBinary: arrays; Text: str; Tuple: tuple; Dict:
 * dict in declared key order).
 */
#include <stdlib.h>
#include <string.h>

#include "native_worker.h"

static int kind_of(PyObject *name)
{
	const char *s = PyUnicode_Check(name) ? PyUnicode_AsUTF8(name) : NULL;

	for (int k = 0; s && k <= GW_SPACE_TEXT; k++)
		if (strcmp(s, gw_space_kind_name((enum gw_space_kind)k)) == 0)
			return k;
	PyErr_SetString(PyExc_ValueError, "layout: unknown space kind");
	return -1;
}

static size_t count(PyObject *tree)
{
	PyObject *children;
	size_t n = 1;

	if (!PyTuple_Check(tree) || PyTuple_GET_SIZE(tree) != 7)
		return 0;
	children = PyTuple_GET_ITEM(tree, 6);
	if (!PyList_Check(children))
		return 0;
	for (Py_ssize_t i = 0; i < PyList_GET_SIZE(children); i++) {
		PyObject *pair = PyList_GET_ITEM(children, i);
		size_t c;

		if (!PyTuple_Check(pair) || PyTuple_GET_SIZE(pair) != 2)
			return 0;
		c = count(PyTuple_GET_ITEM(pair, 1));
		if (c == 0)
			return 0;
		n += c;
	}
	return n;
}

static int fill_shape(struct wnode *n, PyObject *shape)
{
	if (!PyTuple_Check(shape) ||
	    PyTuple_GET_SIZE(shape) > (Py_ssize_t)GW_SPACE_MAX_DIMS) {
		PyErr_SetString(PyExc_ValueError, "layout: bad shape");
		return -1;
	}
	n->ndim = (int)PyTuple_GET_SIZE(shape);
	for (int i = 0; i < n->ndim; i++) {
		n->shape[i] = PyLong_AsSsize_t(PyTuple_GET_ITEM(shape, i));
		if (n->shape[i] < 0) {
			if (!PyErr_Occurred())
				PyErr_SetString(PyExc_ValueError,
						"layout: bad shape");
			return -1;
		}
	}
	return 0;
}

static int fill(struct wtable *t, PyObject *tree, PyObject *key, size_t *next)
{
	struct wnode *n = &t->v[(*next)++];
	PyObject *children = PyTuple_GET_ITEM(tree, 6);
	int kind = kind_of(PyTuple_GET_ITEM(tree, 0));

	if (kind < 0)
		return -1;
	n->kind = (enum gw_space_kind)kind;
	n->offset = PyLong_AsUnsignedLongLong(PyTuple_GET_ITEM(tree, 1));
	n->size = PyLong_AsUnsignedLongLong(PyTuple_GET_ITEM(tree, 2));
	n->dtype = (unsigned)PyLong_AsUnsignedLong(PyTuple_GET_ITEM(tree, 3));
	n->nelem = PyLong_AsUnsignedLongLong(PyTuple_GET_ITEM(tree, 5));
	if (PyErr_Occurred() || fill_shape(n, PyTuple_GET_ITEM(tree, 4)) < 0)
		return -1;
	Py_XINCREF(key);
	n->key = key;
	n->nchild = (size_t)PyList_GET_SIZE(children);
	for (size_t i = 0; i < n->nchild; i++) {
		PyObject *pair = PyList_GET_ITEM(children, (Py_ssize_t)i);
		PyObject *k = PyTuple_GET_ITEM(pair, 0);

		if (fill(t, PyTuple_GET_ITEM(pair, 1), k == Py_None ? NULL : k,
			 next) < 0)
			return -1;
	}
	n->end = *next;
	return 0;
}

int gwpy_wtable_build(struct wtable *t, PyObject *tree)
{
	size_t n = count(tree), next = 0;

	gwpy_wtable_clear(t);
	if (n == 0) {
		PyErr_SetString(PyExc_ValueError, "layout: malformed tree");
		return -1;
	}
	t->v = calloc(n, sizeof(*t->v));
	if (!t->v) {
		PyErr_NoMemory();
		return -1;
	}
	t->len = n;
	if (fill(t, tree, NULL, &next) < 0) {
		gwpy_wtable_clear(t);
		return -1;
	}
	t->size = t->v[0].size;
	return 0;
}

void gwpy_wtable_clear(struct wtable *t)
{
	for (size_t i = 0; t->v && i < t->len; i++)
		Py_XDECREF(t->v[i].key);
	free(t->v);
	t->v = NULL;
	t->len = 0;
	t->size = 0;
}

/* ---- unpacking ---- */

static PyObject *unpack_node(const struct wtable *t, size_t i,
			     const unsigned char *buf, size_t len);

static PyObject *new_array(const struct wnode *n, int typenum,
			   const unsigned char *src)
{
	PyObject *a = PyArray_SimpleNew(n->ndim, (npy_intp *)n->shape, typenum);

	if (a)
		memcpy(PyArray_DATA((PyArrayObject *)a), src, n->size);
	return a;
}

static PyObject *unpack_leaf(const struct wnode *n, const unsigned char *p)
{
	uint32_t tlen;
	int64_t v;

	switch (n->kind) {
	case GW_SPACE_DISCRETE: memcpy(&v, p, 8); return PyLong_FromLongLong(v);
	case GW_SPACE_BOX: return new_array(n, gwpy_wire_to_npy(n->dtype), p);
	case GW_SPACE_MULTI_DISCRETE: return new_array(n, NPY_INT64, p);
	case GW_SPACE_MULTI_BINARY: return new_array(n, NPY_INT8, p);
	case GW_SPACE_TEXT:
		memcpy(&tlen, p, 4);
		if ((uint64_t)tlen + 4 > n->size) {
			PyErr_SetString(PyExc_ValueError,
					"packed text longer than its slot");
			return NULL;
		}
		return PyUnicode_DecodeUTF8((const char *)p + 4, tlen,
					    "strict");
	default: break;
	}
	PyErr_SetString(PyExc_ValueError, "not a leaf");
	return NULL;
}

static PyObject *unpack_list(const struct wtable *t, size_t i,
			     const unsigned char *buf, size_t len)
{
	const struct wnode *n = &t->v[i];
	bool dict = n->kind == GW_SPACE_DICT;
	PyObject *out =
		dict ? PyDict_New() : PyTuple_New((Py_ssize_t)n->nchild);
	size_t c = i + 1;

	for (size_t k = 0; out && k < n->nchild; k++) {
		PyObject *child = unpack_node(t, c, buf, len);

		if (!child) {
			Py_CLEAR(out);
			break;
		}
		if (dict) {
			if (PyDict_SetItem(out, t->v[c].key, child) < 0)
				Py_CLEAR(out);
			Py_DECREF(child);
		} else {
			PyTuple_SET_ITEM(out, (Py_ssize_t)k, child);
		}
		c = t->v[c].end;
	}
	return out;
}

static PyObject *unpack_node(const struct wtable *t, size_t i,
			     const unsigned char *buf, size_t len)
{
	const struct wnode *n = &t->v[i];

	if (n->kind == GW_SPACE_TUPLE || n->kind == GW_SPACE_DICT)
		return unpack_list(t, i, buf, len);
	if (n->offset + n->size > len) {
		PyErr_SetString(PyExc_ValueError, "packed action too short");
		return NULL;
	}
	return unpack_leaf(n, buf + n->offset);
}

PyObject *gwpy_unpack_action(const struct wtable *t, const unsigned char *buf,
			     size_t len)
{
	if (len != t->size) {
		PyErr_Format(PyExc_ValueError,
			     "STEP carries %zu bytes, the action takes %llu",
			     len, (unsigned long long)t->size);
		return NULL;
	}
	return unpack_node(t, 0, buf, len);
}
