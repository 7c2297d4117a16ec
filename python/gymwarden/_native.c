/*
 * gymwarden._native: the C monitor as seen from Python. Everything that
 * checks data from an environment lives in libgymwarden; this module only
 * converts between Python objects and the library's calls.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "gymwarden.h"

static PyObject *native_version(PyObject *self, PyObject *args)
{
	(void)self;
	(void)args;
	return PyUnicode_FromString(gw_version());
}

static PyMethodDef native_methods[] = {
	{ "version", native_version, METH_NOARGS,
	  "version() -> str: the version of libgymwarden" },
	{ NULL, NULL, 0, NULL },
};

static struct PyModuleDef native_module = {
	PyModuleDef_HEAD_INIT,
	.m_name = "gymwarden._native",
	.m_doc = "the C monitor behind the gymwarden package",
	.m_size = -1,
	.m_methods = native_methods,
};

PyMODINIT_FUNC PyInit__native(void);

PyMODINIT_FUNC PyInit__native(void)
{
	return PyModule_Create(&native_module);
}
