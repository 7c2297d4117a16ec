/*
 * gymwarden._native: the C monitor as seen from Python, and the helpers
 * the sandboxed worker uses to speak the protocol. Everything that
 * checks data from an environment lives in libgymwarden; this module
 * only converts between Python objects and the library's calls.
 */
#define GWPY_NUMPY_HOME
#include "native.h"

int gwpy_need_numpy(void)
{
	if (PyArray_API)
		return 0;
	/* _import_array sets an ImportError when numpy is not there. */
	return _import_array() < 0 ? -1 : 0;
}

static const int wire_npy[] = {
	[1] = NPY_BOOL,	  [2] = NPY_INT8,     [3] = NPY_INT16,
	[4] = NPY_INT32,  [5] = NPY_INT64,    [6] = NPY_UINT8,
	[7] = NPY_UINT16, [8] = NPY_UINT32,   [9] = NPY_UINT64,
	[10] = NPY_HALF,  [11] = NPY_FLOAT32, [12] = NPY_FLOAT64,
};

int gwpy_wire_to_npy(unsigned code)
{
	if (code == 0 || code >= sizeof(wire_npy) / sizeof(wire_npy[0]))
		return -1;
	return wire_npy[code];
}

unsigned gwpy_npy_to_wire(int typenum)
{
	/* NPY_LONG and NPY_LONGLONG are both int64 on LP64 Linux. */
	switch (typenum) {
	case NPY_BOOL: return 1;
	case NPY_BYTE: return 2;
	case NPY_SHORT: return 3;
	case NPY_INT: return 4;
	case NPY_LONG:
	case NPY_LONGLONG: return 5;
	case NPY_UBYTE: return 6;
	case NPY_USHORT: return 7;
	case NPY_UINT: return 8;
	case NPY_ULONG:
	case NPY_ULONGLONG: return 9;
	case NPY_HALF: return 10;
	case NPY_FLOAT: return 11;
	case NPY_DOUBLE: return 12;
	}
	return 0;
}

static PyObject *native_version(PyObject *self, PyObject *args)
{
	(void)self;
	(void)args;
	return PyUnicode_FromString(gw_version());
}

static PyObject *native_init_numpy(PyObject *self, PyObject *args)
{
	(void)self;
	(void)args;
	if (gwpy_need_numpy() < 0)
		return NULL;
	Py_RETURN_NONE;
}

static PyMethodDef native_methods[] = {
	{ "version", native_version, METH_NOARGS,
	  "version() -> str: the version of libgymwarden" },
	{ "init_numpy", native_init_numpy, METH_NOARGS,
	  "init_numpy(): import numpy's C API (the worker calls it once "
	  "numpy is importable)" },
	{ NULL, NULL, 0, NULL },
};

static struct PyModuleDef native_module = {
	PyModuleDef_HEAD_INIT,
	.m_name = "gymwarden._native",
	.m_doc = "the C monitor behind the gymwarden package, and the "
		 "worker's protocol helpers",
	.m_size = -1,
	.m_methods = native_methods,
};

static int add_type(PyObject *m, PyTypeObject *t, const char *name)
{
	if (PyType_Ready(t) < 0)
		return -1;
	Py_INCREF(t);
	if (PyModule_AddObject(m, name, (PyObject *)t) < 0) {
		Py_DECREF(t);
		return -1;
	}
	return 0;
}

PyMODINIT_FUNC PyInit__native(void);

PyMODINIT_FUNC PyInit__native(void)
{
	PyObject *m = PyModule_Create(&native_module);

	if (!m)
		return NULL;
	if (add_type(m, &gwpy_env_type, "Env") < 0 ||
	    add_type(m, &gwpy_worker_type, "Worker") < 0) {
		Py_DECREF(m);
		return NULL;
	}
	return m;
}
