/*
 * gymwarden._native.Env: one guarded environment, the monitor's half of
 * one sandboxed worker (struct gw_env). Python objects are converted
 * here once per call; every check of the data happens in libgymwarden.
 * Blocking calls run without the GIL; events the monitor reports during
 * a call are queued in C and handed to the "gymwarden" logger after it.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "monitor/monitor.h"
#include "native_space.h"
#include "wire/value.h"

/* Events kept per call; the rest are counted and summarized. */
#define EVENTS_MAX 256u

struct event {
	enum gw_event_kind kind;
	int64_t step;
	enum gw_fault fault;
	enum gw_policy policy;
	char field[256];
	char detail[512];
	char name[64];	 /* violation: syscall; limit: which */
	char action[16]; /* violation: "errno" or "kill" */
};

struct events {
	struct event *v;
	size_t len;
	size_t dropped;
};

struct gwpy_env {
	PyObject_HEAD struct gw_manifest *m;
	struct gw_env *e;
	struct gw_space_layout *act;
	struct gw_space_layout *obs;
	unsigned char *action_buf;
	size_t action_bytes;
	struct events q;
	struct gwpy_trail trail;
	char env_id[260];
	PyObject *sandbox_events; /* list of dicts, NULL until the first */
};

static void on_event(void *arg, const struct gw_event *ev)
{
	struct events *q = arg;
	struct event *slot;

	/* Called without the GIL: only C here. */
	if (q->len >= EVENTS_MAX) {
		q->dropped++;
		return;
	}
	slot = &q->v[q->len++];
	slot->kind = ev->kind;
	slot->step = ev->step;
	slot->fault = ev->fault;
	slot->policy = ev->policy;
	snprintf(slot->field, sizeof(slot->field), "%s",
		 ev->field ? ev->field : "");
	snprintf(slot->detail, sizeof(slot->detail), "%s",
		 ev->detail ? ev->detail : "");
	snprintf(slot->name, sizeof(slot->name), "%s",
		 ev->name ? ev->name : "");
	snprintf(slot->action, sizeof(slot->action), "%s",
		 ev->action ? ev->action : "");
}

static PyObject *logger(void)
{
	static PyObject *log;
	PyObject *mod;

	if (log)
		return log;
	mod = PyImport_ImportModule("logging");
	if (!mod)
		return NULL;
	log = PyObject_CallMethod(mod, "getLogger", "s", "gymwarden");
	Py_DECREF(mod);
	return log;
}

static void log_one(PyObject *log, const char *env_id, const struct event *ev)
{
	/* logging.WARNING and logging.INFO: a privacy spend is routine. */
	int level = ev->kind == GW_EVENT_LOG || ev->kind == GW_EVENT_PRIVACY
			    ? 20
			    : 30;
	char text[1024];
	size_t n;

	n = (size_t)snprintf(text, sizeof(text), "%s", env_id);
	if (ev->step >= 0)
		n += (size_t)snprintf(text + n, sizeof(text) - n, " step %lld",
				      (long long)ev->step);
	if (ev->kind == GW_EVENT_FAULT)
		snprintf(text + n, sizeof(text) - n,
			 ": %s fault (%s) at %s: %s", gw_fault_name(ev->fault),
			 gw_policy_name(ev->policy),
			 ev->field[0] ? ev->field : "?", ev->detail);
	else
		snprintf(text + n, sizeof(text) - n, ": %s%s%s%s%s",
			 ev->kind == GW_EVENT_LIMIT	  ? "limit "
			 : ev->kind != GW_EVENT_VIOLATION ? ""
			 : strcmp(ev->action, "kill") == 0
				 ? "sandbox killed the worker for "
				 : "sandbox refused ",
			 ev->name, ev->field, ev->field[0] ? ": " : " ",
			 ev->detail);
	Py_XDECREF(PyObject_CallMethod(log, "log", "is", level, text));
}

/* Keep a sandbox event where env.sandbox_events() finds it. */
static void keep_sandbox_event(struct gwpy_env *self, const struct event *ev)
{
	bool limit = ev->kind == GW_EVENT_LIMIT;
	PyObject *d;

	if (!self->sandbox_events)
		self->sandbox_events = PyList_New(0);
	if (!self->sandbox_events)
		return;
	d = Py_BuildValue("{s:s, s:L, s:s, s:s, s:s}", "kind",
			  limit ? "limit" : "sandbox", "step",
			  (long long)ev->step, limit ? "limit" : "syscall",
			  ev->name, "action", ev->action, "detail", ev->detail);
	if (d)
		PyList_Append(self->sandbox_events, d);
	Py_XDECREF(d);
}

/*
 * A fault, violation, limit or notice into the audit log. Log lines and DP
 * spends are not: lines can be many, and the monitor writes each spend
 * itself, as it happens.
 */
static void audit_one(struct gwpy_env *self, const struct event *ev)
{
	static const char *const kinds[] = {
		[GW_EVENT_FAULT] = "fault",
		[GW_EVENT_VIOLATION] = "violation",
		[GW_EVENT_NOTICE] = "notice",
		[GW_EVENT_LIMIT] = "limit",
	};

	if (!self->trail.audit || ev->kind == GW_EVENT_LOG ||
	    ev->kind == GW_EVENT_PRIVACY)
		return;
	gwpy_trail_note(&self->trail, kinds[ev->kind], self->env_id,
			json_pack("{s:I, s:s, s:s, s:s*, s:s*, s:s*}", "step",
				  (json_int_t)ev->step, "field", ev->field,
				  "detail", ev->detail, "policy",
				  ev->kind == GW_EVENT_FAULT
					  ? gw_policy_name(ev->policy)
					  : NULL,
				  "name", ev->name[0] ? ev->name : NULL,
				  "action", ev->action[0] ? ev->action : NULL));
}

/* Hand queued events to logging; keeps any exception already set. */
static void flush_events(struct gwpy_env *self)
{
	PyObject *type, *value, *tb, *log;

	if (self->q.len == 0 && self->q.dropped == 0)
		return;
	PyErr_Fetch(&type, &value, &tb);
	log = logger();
	for (size_t i = 0; i < self->q.len; i++) {
		const struct event *ev = &self->q.v[i];

		if (ev->kind == GW_EVENT_VIOLATION ||
		    ev->kind == GW_EVENT_LIMIT)
			keep_sandbox_event(self, ev);
		if (log)
			log_one(log, self->env_id, ev);
		audit_one(self, ev);
	}
	if (log && self->q.dropped)
		Py_XDECREF(PyObject_CallMethod(
			log, "warning", "ssn", "%s: %d more events not shown",
			self->env_id, (Py_ssize_t)self->q.dropped));
	PyErr_Clear();
	PyErr_Restore(type, value, tb);
	self->q.len = 0;
	self->q.dropped = 0;
}

static PyObject *no_env(void)
{
	PyErr_SetString(PyExc_ValueError, "the environment is closed");
	return NULL;
}

/* ---- json descriptions of the pinned spaces ---- */

static PyObject *from_json(const json_t *j)
{
	PyObject *out, *v;
	const char *key;
	json_t *item;
	size_t i;

	switch (json_typeof(j)) {
	case JSON_OBJECT:
		out = PyDict_New();
		json_object_foreach((json_t *)j, key, item)
		{
			v = out ? from_json(item) : NULL;
			if (!v || PyDict_SetItemString(out, key, v) < 0)
				Py_CLEAR(out);
			Py_XDECREF(v);
		}
		return out;
	case JSON_ARRAY:
		out = PyList_New((Py_ssize_t)json_array_size(j));
		json_array_foreach((json_t *)j, i, item)
		{
			v = out ? from_json(item) : NULL;
			if (!v) {
				Py_CLEAR(out);
				continue;
			}
			PyList_SET_ITEM(out, (Py_ssize_t)i, v);
		}
		return out;
	case JSON_STRING:
		return PyUnicode_DecodeUTF8(json_string_value(j),
					    (Py_ssize_t)json_string_length(j),
					    "replace");
	case JSON_INTEGER: return PyLong_FromLongLong(json_integer_value(j));
	case JSON_REAL: return PyFloat_FromDouble(json_real_value(j));
	case JSON_TRUE: Py_RETURN_TRUE;
	case JSON_FALSE: Py_RETURN_FALSE;
	case JSON_NULL: Py_RETURN_NONE;
	}
	Py_RETURN_NONE;
}

static PyObject *describe(const struct gw_space *s)
{
	json_t *j;
	PyObject *o;

	if (!s)
		Py_RETURN_NONE;
	j = gw_space_describe_json(s);
	if (!j)
		return PyErr_NoMemory();
	o = from_json(j);
	json_decref(j);
	return o;
}

static int make_layouts(struct gwpy_env *self)
{
	const struct gw_space *a = gw_env_action_space(self->e);
	const struct gw_space *o = gw_env_observation_space(self->e);

	if (gw_space_layout_new(a, &self->act) < 0 ||
	    gw_space_layout_new(o, &self->obs) < 0) {
		PyErr_NoMemory();
		return -1;
	}
	self->action_bytes = gw_env_action_bytes(self->e);
	if (self->action_bytes != gw_space_layout_size(self->act)) {
		PyErr_Format(
			PyExc_SystemError,
			"packed action size: monitor %zu, layout %llu",
			self->action_bytes,
			(unsigned long long)gw_space_layout_size(self->act));
		return -1;
	}
	self->action_buf = calloc(1, self->action_bytes + 8);
	if (!self->action_buf) {
		PyErr_NoMemory();
		return -1;
	}
	return 0;
}

static int env_open(struct gwpy_env *self, PyObject *kwargs, const char *jail,
		    const char *worker)
{
	struct gw_env_config cfg = { .jail_path = jail,
				     .worker_path = worker,
				     .on_event = on_event,
				     .event_arg = &self->q };
	struct gw_value *kv = NULL;
	struct gw_error err;
	int r;

	gw_error_clear(&err);
	if (kwargs && kwargs != Py_None) {
		kv = gw_value_new();
		if (!kv)
			return PyErr_NoMemory(), -1;
		if (gwpy_to_value(kwargs, kv, "kwargs", self->env_id) < 0) {
			gw_value_free(kv);
			return -1;
		}
	}
	Py_BEGIN_ALLOW_THREADS r =
		gw_env_open_v(self->m, self->env_id, kv, &cfg, &self->e, &err);
	Py_END_ALLOW_THREADS gw_value_free(kv);
	flush_events(self);
	if (r < 0) {
		gwpy_raise(&err, self->env_id);
		return -1;
	}
	return make_layouts(self);
}

static void log_manifest_warnings(const struct gw_manifest *m)
{
	PyObject *log = logger();

	for (size_t i = 0; log && i < gw_manifest_diag_count(m); i++) {
		const struct gw_manifest_diag *d = gw_manifest_diag_at(m, i);

		if (d->severity != GW_SEVERITY_WARNING)
			continue;
		Py_XDECREF(PyObject_CallMethod(
			log, "warning", "sssss", "%s: %s%s%s", d->file,
			d->field, d->field[0] ? ": " : "", d->message));
	}
	PyErr_Clear();
}

static void env_release(struct gwpy_env *self);

static int env_init(PyObject *op, PyObject *args, PyObject *kw)
{
	static char *names[] = { "manifest",   "env_id", "kwargs",    "jail",
				 "worker",     "audit",	 "audit_key", "record",
				 "record_key", NULL };
	struct gwpy_env *self = (struct gwpy_env *)op;
	const char *path, *id, *jail = NULL, *worker = NULL;
	struct gwpy_trail_paths tp = { NULL, NULL, NULL, NULL };
	PyObject *kwargs = NULL;
	struct gw_error err;

	if (!PyArg_ParseTupleAndKeywords(args, kw, "ss|Ozzzzzz", names, &path,
					 &id, &kwargs, &jail, &worker,
					 &tp.audit, &tp.audit_key, &tp.record,
					 &tp.record_key))
		return -1;
	if (self->m || self->e) {
		PyErr_SetString(PyExc_ValueError, "Env is already open");
		return -1;
	}
	if (gwpy_need_numpy() < 0)
		return -1;
	/* Faults and notices reach Python's logging as events; the library's
	 * own copies on stderr would print them twice. Errors still print. */
	gw_log_set_level(GW_LOG_ERROR);
	snprintf(self->env_id, sizeof(self->env_id), "%s", id);
	self->q.v = calloc(EVENTS_MAX, sizeof(*self->q.v));
	if (!self->q.v)
		return PyErr_NoMemory(), -1;

	gw_error_clear(&err);
	if (gw_manifest_load(path, &self->m, &err) < 0) {
		if (err.kind == GW_ERR_NONE || err.kind == GW_ERR_SYSTEM)
			err.kind = GW_ERR_MANIFEST;
		gwpy_raise(&err, id);
		return -1;
	}
	log_manifest_warnings(self->m);
	if (!gw_manifest_env_find(self->m, id)) {
		gwpy_raise_kind(GW_ERR_MANIFEST, id, -1, NULL,
				"no environment '%s' in %s", id, path);
		return -1;
	}
	if (env_open(self, kwargs, jail, worker) < 0)
		return -1;
	if (gwpy_trail_open(&self->trail, self->e, self->env_id, path, &tp) <
	    0) {
		PyObject *type, *value, *tb;

		/* Keep the open's error, not one from closing the rest. */
		PyErr_Fetch(&type, &value, &tb);
		gwpy_trail_close(&self->trail, self->e, self->env_id);
		PyErr_Clear();
		PyErr_Restore(type, value, tb);
		env_release(self);
		return -1;
	}
	return 0;
}

static void env_release(struct gwpy_env *self)
{
	if (self->trail.audit || self->trail.rec) {
		PyObject *type, *value, *tb;

		PyErr_Fetch(&type, &value, &tb);
		gwpy_trail_close(&self->trail, self->e, self->env_id);
		PyErr_Clear();
		PyErr_Restore(type, value, tb);
	}
	gw_env_free(self->e);
	self->e = NULL;
	gw_space_layout_free(self->act);
	gw_space_layout_free(self->obs);
	self->act = self->obs = NULL;
	free(self->action_buf);
	self->action_buf = NULL;
}

static void env_dealloc(PyObject *op)
{
	struct gwpy_env *self = (struct gwpy_env *)op;

	env_release(self);
	gw_manifest_free(self->m);
	free(self->q.v);
	Py_CLEAR(self->sandbox_events);
	Py_TYPE(op)->tp_free(op);
}

static PyObject *result_obs(struct gwpy_env *self, const struct gw_step *st)
{
	return gwpy_unpack_obs(self->obs, st->obs, st->obs_bytes);
}

static PyObject *result_info(struct gwpy_env *self)
{
	const struct gw_value *info = gw_env_info(self->e);

	if (!info)
		return PyDict_New();
	return gwpy_from_value(info);
}

/* A seed: a non-negative int that fits 64 bits, never a bool. */
static int parse_seed(struct gwpy_env *self, PyObject *o, uint64_t *out)
{
	PyObject *i;

	if (PyBool_Check(o) ||
	    !(PyLong_Check(o) || PyArray_IsScalar(o, Integer))) {
		gwpy_raise_kind(GW_ERR_ACTION, self->env_id, 0, "seed",
				"seed: %s is not an int", Py_TYPE(o)->tp_name);
		return -1;
	}
	i = PyNumber_Index(o);
	if (!i)
		return -1;
	*out = PyLong_AsUnsignedLongLong(i);
	Py_DECREF(i);
	if (*out == (unsigned long long)-1 && PyErr_Occurred()) {
		PyErr_Clear();
		gwpy_raise_kind(GW_ERR_ACTION, self->env_id, 0, "seed",
				"seed: must be a non-negative int below 2**64");
		return -1;
	}
	return 0;
}

static PyObject *env_reset(PyObject *op, PyObject *args, PyObject *kw)
{
	static char *names[] = { "seed", "options", NULL };
	struct gwpy_env *self = (struct gwpy_env *)op;
	PyObject *seed_o = Py_None, *opt_o = Py_None, *obs, *info;
	struct gw_value *opts = NULL;
	uint64_t seed;
	struct gw_step st;
	struct gw_error err;
	int r;

	if (!PyArg_ParseTupleAndKeywords(args, kw, "|OO", names, &seed_o,
					 &opt_o))
		return NULL;
	if (!self->e)
		return no_env();
	if (seed_o != Py_None && parse_seed(self, seed_o, &seed) < 0)
		return NULL;
	if (opt_o != Py_None) {
		opts = gw_value_new();
		if (!opts)
			return PyErr_NoMemory();
		if (gwpy_to_value(opt_o, opts, "options", self->env_id) < 0) {
			gw_value_free(opts);
			return NULL;
		}
	}
	gw_error_clear(&err);
	Py_BEGIN_ALLOW_THREADS r = gw_env_reset_v(
		self->e, seed_o != Py_None ? &seed : NULL, opts, &st, &err);
	Py_END_ALLOW_THREADS flush_events(self);
	if (r == 0 &&
	    gwpy_trail_reset(&self->trail, self->e, self->env_id,
			     seed_o != Py_None ? &seed : NULL, opts, &st) < 0) {
		gw_value_free(opts);
		return NULL;
	}
	gw_value_free(opts);
	if (r < 0)
		return gwpy_raise(&err, self->env_id);
	obs = result_obs(self, &st);
	info = obs ? result_info(self) : NULL;
	if (!info) {
		Py_XDECREF(obs);
		return NULL;
	}
	return Py_BuildValue("(NN)", obs, info);
}

/* (obs, reward, terminated, truncated, info), built without a format. */
static PyObject *step_tuple(struct gwpy_env *self, const struct gw_step *st)
{
	PyObject *out = PyTuple_New(5), *obs, *reward, *info;

	if (!out)
		return NULL;
	obs = result_obs(self, st);
	reward = obs ? PyFloat_FromDouble(st->reward) : NULL;
	info = reward ? result_info(self) : NULL;
	if (!info) {
		Py_XDECREF(obs);
		Py_XDECREF(reward);
		Py_DECREF(out);
		return NULL;
	}
	PyTuple_SET_ITEM(out, 0, obs);
	PyTuple_SET_ITEM(out, 1, reward);
	PyTuple_SET_ITEM(out, 2, PyBool_FromLong(st->terminated));
	PyTuple_SET_ITEM(out, 3, PyBool_FromLong(st->truncated));
	PyTuple_SET_ITEM(out, 4, info);
	return out;
}

static PyObject *env_step(PyObject *op, PyObject *action)
{
	struct gwpy_env *self = (struct gwpy_env *)op;
	struct gw_step st;
	struct gw_error err;
	int r;

	if (!self->e)
		return no_env();
	memset(self->action_buf, 0, self->action_bytes);
	if (gwpy_pack_action(self->act, action, self->action_buf,
			     self->env_id) < 0)
		return NULL;
	gwpy_error_reset(&err);
	Py_BEGIN_ALLOW_THREADS r = gw_env_step(self->e, self->action_buf,
					       self->action_bytes, &st, &err);
	Py_END_ALLOW_THREADS flush_events(self);
	if (r < 0)
		return gwpy_raise(&err, self->env_id);
	if (self->trail.rec &&
	    gwpy_trail_step(&self->trail, self->e, self->env_id,
			    self->action_buf, self->action_bytes, &st) < 0)
		return NULL;
	return step_tuple(self, &st);
}

static PyObject *env_close(PyObject *op, PyObject *args)
{
	struct gwpy_env *self = (struct gwpy_env *)op;
	struct gw_error err;
	int r;

	(void)args;
	if (!self->e)
		Py_RETURN_NONE;
	gw_error_clear(&err);
	Py_BEGIN_ALLOW_THREADS r = gw_env_close(self->e, &err);
	Py_END_ALLOW_THREADS flush_events(self);
	if (gwpy_trail_close(&self->trail, self->e, self->env_id) < 0) {
		env_release(self);
		return NULL;
	}
	env_release(self);
	/* The worker is gone either way; a kill on close is only logged. */
	if (r < 0 && err.msg[0]) {
		PyObject *log = logger();

		if (log)
			Py_XDECREF(PyObject_CallMethod(log, "info", "sss",
						       "%s: close: %s",
						       self->env_id, err.msg));
		PyErr_Clear();
	}
	Py_RETURN_NONE;
}

static PyObject *env_fault_counts(PyObject *op, PyObject *args)
{
	struct gwpy_env *self = (struct gwpy_env *)op;
	PyObject *d = PyDict_New();

	(void)args;
	for (int f = 0; d && f < GW_FAULT_COUNT; f++) {
		PyObject *n = PyLong_FromUnsignedLongLong(
			self->e ? gw_env_fault_count(self->e, f) : 0);

		if (!n || PyDict_SetItemString(d, gw_fault_name(f), n) < 0)
			Py_CLEAR(d);
		Py_XDECREF(n);
	}
	return d;
}

static PyObject *env_sanitize_counts(PyObject *op, PyObject *args)
{
	struct gwpy_env *self = (struct gwpy_env *)op;
	json_t *counts = gwpy_trail_counts(self->e);
	PyObject *d;

	(void)args;
	if (!counts)
		return PyErr_NoMemory();
	d = from_json(counts);
	json_decref(counts);
	return d;
}

static PyObject *env_layers(PyObject *op, void *closure)
{
	struct gwpy_env *self = (struct gwpy_env *)op;

	(void)closure;
	if (!self->e)
		Py_RETURN_NONE;
	return PyUnicode_FromString(gw_env_layers(self->e));
}

static PyObject *env_missing_layers(PyObject *op, void *closure)
{
	struct gwpy_env *self = (struct gwpy_env *)op;

	(void)closure;
	if (!self->e)
		Py_RETURN_NONE;
	return PyUnicode_FromString(gw_env_missing_layers(self->e));
}

static PyObject *env_sandbox_events(PyObject *op, void *closure)
{
	struct gwpy_env *self = (struct gwpy_env *)op;

	(void)closure;
	if (!self->sandbox_events)
		return PyList_New(0);
	return PyList_GetSlice(self->sandbox_events, 0,
			       PyList_GET_SIZE(self->sandbox_events));
}

static PyObject *env_worker_pid(PyObject *op, void *closure)
{
	struct gwpy_env *self = (struct gwpy_env *)op;

	(void)closure;
	return PyLong_FromLong(self->e ? gw_env_worker_pid(self->e) : -1);
}

static PyObject *env_max_steps(PyObject *op, void *closure)
{
	struct gwpy_env *self = (struct gwpy_env *)op;
	uint64_t n;

	(void)closure;
	if (!self->e)
		Py_RETURN_NONE;
	n = gw_manifest_env_max_episode_steps(gw_env_manifest_env(self->e));
	if (n == 0)
		Py_RETURN_NONE;
	return PyLong_FromUnsignedLongLong(n);
}

static PyObject *env_action_space(PyObject *op, void *closure)
{
	struct gwpy_env *self = (struct gwpy_env *)op;

	(void)closure;
	return self->e ? describe(gw_env_action_space(self->e)) : no_env();
}

static PyObject *env_observation_space(PyObject *op, void *closure)
{
	struct gwpy_env *self = (struct gwpy_env *)op;

	(void)closure;
	return self->e ? describe(gw_env_observation_space(self->e)) : no_env();
}

static PyObject *env_get_id(PyObject *op, void *closure)
{
	(void)closure;
	return PyUnicode_FromString(((struct gwpy_env *)op)->env_id);
}

static PyObject *env_closed(PyObject *op, void *closure)
{
	(void)closure;
	return PyBool_FromLong(((struct gwpy_env *)op)->e == NULL);
}

static PyMethodDef env_methods[] = {
	{ "reset", (PyCFunction)(void (*)(void))env_reset,
	  METH_VARARGS | METH_KEYWORDS,
	  "reset(seed=None, options=None) -> (obs, info)" },
	{ "step", env_step, METH_O,
	  "step(action) -> (obs, reward, terminated, truncated, info)" },
	{ "close", env_close, METH_NOARGS,
	  "close(): end the worker; safe to call twice" },
	{ "fault_counts", env_fault_counts, METH_NOARGS,
	  "fault_counts() -> dict: faults seen per class since open" },
	{ "sanitize_counts", env_sanitize_counts, METH_NOARGS,
	  "sanitize_counts() -> dict: what [env.sanitize] found and did" },
	{ NULL, NULL, 0, NULL },
};

static PyGetSetDef env_getset[] = {
	{ "env_id", env_get_id, NULL, "the manifest id", NULL },
	{ "closed", env_closed, NULL, "whether the worker is gone", NULL },
	{ "layers", env_layers, NULL,
	  "sandbox layers enforced, comma-separated", NULL },
	{ "missing_layers", env_missing_layers, NULL,
	  "layers this host could not provide, NAME:WHY comma-separated",
	  NULL },
	{ "sandbox_events", env_sandbox_events, NULL,
	  "forbidden calls and limits reported so far, as dicts", NULL },
	{ "worker_pid", env_worker_pid, NULL, "the worker's pid or -1", NULL },
	{ "max_episode_steps", env_max_steps, NULL,
	  "the manifest's step limit or None", NULL },
	{ "action_space", env_action_space, NULL,
	  "the pinned action space's description", NULL },
	{ "observation_space", env_observation_space, NULL,
	  "the pinned observation space's description", NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

PyTypeObject gwpy_env_type = {
	PyVarObject_HEAD_INIT(NULL, 0).tp_name = "gymwarden._native.Env",
	.tp_basicsize = sizeof(struct gwpy_env),
	.tp_flags = Py_TPFLAGS_DEFAULT,
	.tp_doc = "Env(manifest, env_id, kwargs=None, jail=None, worker=None, "
		  "audit=None, audit_key=None, record=None, record_key=None)"
		  ": one guarded environment in a sandboxed worker",
	.tp_new = PyType_GenericNew,
	.tp_init = env_init,
	.tp_dealloc = env_dealloc,
	.tp_methods = env_methods,
	.tp_getset = env_getset,
};
