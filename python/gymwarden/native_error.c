/* struct gw_error to the gymwarden.errors class its kind names. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "native.h"

static PyObject *error_class(enum gw_error_kind kind)
{
	PyObject *mod = PyImport_ImportModule("gymwarden.errors");
	PyObject *cls;

	if (!mod)
		return NULL;
	cls = PyObject_GetAttrString(mod, gw_error_kind_name(kind));
	if (!cls) {
		PyErr_Clear();
		cls = PyObject_GetAttrString(mod, "GymwardenError");
	}
	Py_DECREF(mod);
	return cls;
}

static int set_opt_str(PyObject *kw, const char *key, const char *s)
{
	PyObject *v;
	int r;

	if (!s || !*s)
		return PyDict_SetItemString(kw, key, Py_None);
	v = PyUnicode_DecodeUTF8(s, (Py_ssize_t)strlen(s), "replace");
	if (!v)
		return -1;
	r = PyDict_SetItemString(kw, key, v);
	Py_DECREF(v);
	return r;
}

static int set_step(PyObject *kw, int64_t step)
{
	PyObject *v;
	int r;

	if (step < 0)
		return PyDict_SetItemString(kw, "step", Py_None);
	v = PyLong_FromLongLong(step);
	if (!v)
		return -1;
	r = PyDict_SetItemString(kw, "step", v);
	Py_DECREF(v);
	return r;
}

/* Instantiate cls(msg, env_id=..., step=..., field=...) and raise it. */
static PyObject *raise_with(enum gw_error_kind kind, const char *msg,
			    const char *env_id, int64_t step, const char *field)
{
	PyObject *cls = error_class(kind);
	PyObject *args = NULL, *kw = NULL, *exc = NULL;

	if (!cls)
		return NULL;
	args = Py_BuildValue(
		"(N)",
		PyUnicode_DecodeUTF8(msg, (Py_ssize_t)strlen(msg), "replace"));
	kw = PyDict_New();
	if (!args || !kw || set_opt_str(kw, "env_id", env_id) < 0 ||
	    set_step(kw, step) < 0 || set_opt_str(kw, "field", field) < 0)
		goto out;
	exc = PyObject_Call(cls, args, kw);
	if (exc)
		PyErr_SetObject(cls, exc);
out:
	Py_XDECREF(exc);
	Py_XDECREF(kw);
	Py_XDECREF(args);
	Py_DECREF(cls);
	return NULL;
}

PyObject *gwpy_raise(const struct gw_error *err, const char *env_id)
{
	char msg[sizeof(err->msg) + sizeof(err->field) + 8];
	enum gw_error_kind kind = err->kind;

	if (kind == GW_ERR_NONE)
		kind = GW_ERR_SYSTEM;
	if (err->field[0])
		snprintf(msg, sizeof(msg), "%s: %s", err->field, err->msg);
	else
		snprintf(msg, sizeof(msg), "%s",
			 err->msg[0] ? err->msg : strerror(-err->code));
	return raise_with(kind, msg, env_id, err->step, err->field);
}

PyObject *gwpy_raise_kind(enum gw_error_kind kind, const char *env_id,
			  int64_t step, const char *field, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return raise_with(kind, msg, env_id, step, field);
}
