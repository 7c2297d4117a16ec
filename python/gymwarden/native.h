/*
 * What the files of gymwarden._native share. The module has two halves:
 *
 *   monitor side (trainer process): native_env.c wraps struct gw_env,
 *     native_action.c packs Python actions, native_obs.c turns packed
 *     observations and info trees into new Python objects.
 *   worker side (sandbox): native_worker.c speaks the protocol,
 *     native_leaves.c writes observation leaves, native_info.c encodes
 *     info as bounded MessagePack, native_unpack.c unpacks actions.
 *
 * numpy is imported lazily (gwpy_need_numpy): the worker loads this
 * module before it knows where numpy lives.
 */
#ifndef GYMWARDEN_NATIVE_H
#define GYMWARDEN_NATIVE_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#define PY_ARRAY_UNIQUE_SYMBOL gymwarden_native_ARRAY_API
#define NPY_NO_DEPRECATED_API  NPY_1_7_API_VERSION
#ifndef GWPY_NUMPY_HOME
#define NO_IMPORT_ARRAY
#endif
#include <numpy/arrayobject.h>

#include <stdbool.h>
#include <stdint.h>

#include "core/limits.h"
#include "gymwarden.h"

struct gw_value;

/* Room for a field path such as "action.pos[3]". */
#define GWPY_PATH_MAX 512u

/* ---- _native.c ---- */

/* Import numpy's C API once; 0, or -1 with an exception set. */
int gwpy_need_numpy(void);

/* ---- native_error.c ---- */

/*
 * Raise the gymwarden.errors class that err->kind names, with env_id,
 * step and field set. Returns NULL for `return gwpy_raise(...)`.
 */
PyObject *gwpy_raise(const struct gw_error *err, const char *env_id);

/* Raise class_name of gymwarden.errors with a formatted message. */
PyObject *gwpy_raise_kind(enum gw_error_kind kind, const char *env_id,
			  int64_t step, const char *field, const char *fmt,
			  ...);

/*
 * "No error" without clearing the whole 1.5 KiB struct: what the
 * library reads before it writes (gw_error_set keeps a first cause).
 * For the per-step paths; gw_error_clear elsewhere.
 */
static inline void gwpy_error_reset(struct gw_error *err)
{
	err->code = 0;
	err->kind = GW_ERR_NONE;
	err->step = -1;
	err->line = err->col = 0;
	err->file[0] = err->field[0] = err->msg[0] = '\0';
}

/* ---- native_trail.c: make(audit=..., record=...) ---- */

struct gw_env;
struct gw_step;
struct gw_audit;
struct gw_record;
struct json_t;

struct gwpy_trail {
	struct gw_audit *audit;
	struct gw_record *rec;
};

/* Paths from make(); NULL for none. A key path encrypts its file. */
struct gwpy_trail_paths {
	const char *audit, *audit_key, *record, *record_key;
};

/* Open what p names for env e; 0, or -1 with an exception set. */
int gwpy_trail_open(struct gwpy_trail *t, struct gw_env *e, const char *env_id,
		    const char *manifest, const struct gwpy_trail_paths *p);
/* One audit record of kind with payload (a new reference, stolen). */
void gwpy_trail_note(struct gwpy_trail *t, const char *kind, const char *env_id,
		     struct json_t *payload);
/* Record a reset or step that succeeded; 0 or -1 with an exception. */
int gwpy_trail_reset(struct gwpy_trail *t, struct gw_env *e, const char *env_id,
		     const uint64_t *seed, const struct gw_value *options,
		     const struct gw_step *st);
int gwpy_trail_step(struct gwpy_trail *t, struct gw_env *e, const char *env_id,
		    const void *action, size_t len, const struct gw_step *st);
/* {name: count} of gw_env_sanitize_counts; a new reference. */
struct json_t *gwpy_trail_counts(const struct gw_env *e);
/* Close both (the audit log gets the sanitize counts); 0 or -1. */
int gwpy_trail_close(struct gwpy_trail *t, const struct gw_env *e,
		     const char *env_id);

/* ---- dtype codes shared by both sides ---- */

/* numpy's type number of a wire dtype code (docs/protocol.md), or -1. */
int gwpy_wire_to_npy(unsigned code);

/* The wire dtype code of a numpy type number, or 0 when it has none. */
unsigned gwpy_npy_to_wire(int typenum);

/* The wire code of a gw_dtype (they differ by one). */
static inline unsigned gwpy_dtype_wire(enum gw_dtype d)
{
	return (unsigned)d + 1u;
}

/* ---- native_value.c: data trees ---- */

/*
 * Convert a Python data object (None, bool, int, float, str, bytes,
 * list, tuple, dict with str keys, numpy scalars) into v, which must be
 * nil. root names it in errors ("kwargs"). Returns 0, or -1 with
 * ActionError set naming the field.
 */
int gwpy_to_value(PyObject *o, struct gw_value *v, const char *root,
		  const char *env_id);

/* A new Python object for a decoded tree; ndarrays become new arrays. */
PyObject *gwpy_from_value(const struct gw_value *v);

/* ---- native_env.c ---- */

extern PyTypeObject gwpy_env_type;

/* ---- native_worker.c ---- */

extern PyTypeObject gwpy_worker_type;

/* ---- native_msgpack.c: Python to bounded MessagePack (worker) ---- */

struct gwpy_mp {
	unsigned char *buf; /* where the document goes */
	size_t cap;	    /* bytes of room */
	size_t len;	    /* bytes written */
	uint32_t elems;	    /* elements left, reserved per container */
	uint32_t max_str_bytes;
	uint32_t max_depth;
};

/*
 * Encode o as one document into mp->buf. Values that break a limit are
 * replaced by an opaque-object marker naming what they were, so the
 * monitor reports the fault at their field; objects that are not data
 * become markers with their type name. Python code of the objects is
 * never run. Returns 0; -1 with an exception set only on a Python error
 * that is not about the data (out of memory).
 */
int gwpy_mp_encode(struct gwpy_mp *mp, PyObject *o);

/* Start a document in buf of cap bytes with the protocol's limits. */
void gwpy_mp_init(struct gwpy_mp *mp, void *buf, size_t cap);

#endif /* GYMWARDEN_NATIVE_H */
