/*
 * The space model: what an environment's actions and observations look
 * like, as pinned in a manifest or declared by a worker. A space is a
 * tree: Box, Discrete, MultiDiscrete, MultiBinary and Text are leaves;
 * Tuple and Dict hold children.
 *
 * The struct is laid out for the validator, clipper and sampler of a
 * later issue: element counts are precomputed, Box bounds are stored
 * typed by their dtype's representation (int64, uint64 or double, never
 * an int64 through a double), and a flag says when one scalar bound
 * covers every element. Float bounds are already rounded to the dtype,
 * so comparing a float32 observation with them is exact.
 *
 * The private layout sits here so tests and other library modules may
 * use it; the public API (include/gymwarden.h) sees an opaque handle.
 */
#ifndef GW_SPACE_SPACE_H
#define GW_SPACE_SPACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/limits.h"
#include "gymwarden.h"

struct gw_error;
struct gw_toml_value;
struct json_t;

/* How a dtype's bounds are stored: which member of union gw_bounds. */
enum gw_rep {
	GW_REP_INT,   /* int64_t: the signed integer dtypes */
	GW_REP_UINT,  /* uint64_t: bool and the unsigned integer dtypes */
	GW_REP_FLOAT, /* double, rounded to the dtype */
};

struct gw_dtype_info {
	const char *name;  /* numpy's name: "float32" */
	unsigned itemsize; /* bytes per element */
	enum gw_rep rep;
	int64_t imin; /* GW_REP_INT range */
	int64_t imax;
	uint64_t umax; /* GW_REP_UINT range (min is 0) */
	double fmax;   /* GW_REP_FLOAT: largest finite value */
};

/* The entry for dtype; dtype must be valid. */
const struct gw_dtype_info *gw_dtype_info(enum gw_dtype dtype);

/* The dtype called name ("uint8"), or -1 when there is none. */
int gw_dtype_from_name(const char *name);

/*
 * v rounded to the nearest value of a float dtype (ties to even), as
 * numpy's cast would; v must be finite and within the dtype's range.
 */
double gw_dtype_round(enum gw_dtype dtype, double v);

/* One array of Box bounds; which member is live follows the dtype. */
union gw_bounds {
	int64_t *i;
	uint64_t *u;
	double *f;
};

struct gw_box {
	/* Both low and high are one value broadcast to every element. */
	bool scalar_bounds;
	/* Every bound is finite (always true for integer dtypes). */
	bool finite;
	size_t nbounds;	     /* 1 when scalar_bounds, else nelem */
	union gw_bounds low; /* nbounds values each, owned */
	union gw_bounds high;
};

struct gw_discrete {
	int64_t n;     /* > 0 */
	int64_t start; /* start + n - 1 does not overflow */
};

struct gw_multi_discrete {
	int64_t *nvec;	/* nelem values, each > 0; owned */
	int64_t *start; /* nelem values; owned, never NULL */
	bool zero_start;
};

/* Tuple (keys NULL) and Dict (keys in declared order). */
struct gw_space_list {
	size_t len;		 /* 1..GW_SPACE_MAX_CHILDREN */
	struct gw_space **items; /* owned */
	char **keys;		 /* Dict only: owned, NUL-terminated */
};

struct gw_text {
	uint64_t min_length;
	uint64_t max_length; /* >= min_length, in code points */
	char *charset;	     /* UTF-8, owned; NULL: Gymnasium's default */
	size_t charset_len;  /* bytes */
};

struct gw_space {
	enum gw_space_kind kind;
	unsigned line, col; /* where it was declared; 0 when unknown */
	/*
	 * The element type of a sample: the Box's dtype; int64 for Discrete
	 * and MultiDiscrete; int8 for MultiBinary (as Gymnasium); unused for
	 * Text, Tuple and Dict.
	 */
	enum gw_dtype dtype;
	unsigned ndim; /* Box, MultiDiscrete, MultiBinary; else 0 */
	uint64_t shape[GW_SPACE_MAX_DIMS];
	/*
	 * Scalars in one sample: the product of the shape; 1 for Discrete;
	 * max_length for Text; the sum of the children for Tuple and Dict.
	 * Never more than GW_SPACE_MAX_ELEMS.
	 */
	uint64_t nelem;
	/* Bytes of one packed sample (Text: 4 per code point). */
	uint64_t nbytes;
	unsigned depth; /* 1 for a leaf; 1 + deepest child otherwise */
	union {
		struct gw_box box;
		struct gw_discrete discrete;
		struct gw_multi_discrete md;
		struct gw_space_list list;
		struct gw_text text;
	} u;
};

/*
 * Where the TOML parser sends each problem it finds, so that a manifest
 * check can report all of them. field is the dotted path, message the
 * cause, hint a suggestion or NULL; all are already escaped. The
 * manifest checker reports its own problems through the same sink.
 */
struct gw_space_problem {
	unsigned line, col;
	const char *field;
	const char *message;
	const char *hint;
	enum gw_severity severity;
};

struct gw_space_sink {
	void (*report)(void *arg, const struct gw_space_problem *p);
	void *arg;
};

/*
 * Build a space from the TOML table t (a space declaration such as
 * `[env.observation_space]`), whose field path is path. Every problem
 * found is passed to sink (which may be NULL to drop them). Returns 0
 * and a new space in *out, -EINVAL when at least one problem was
 * reported, or -ENOMEM; *out is NULL on failure.
 */
int gw_space_parse_toml(const struct gw_toml_value *t, const char *path,
			const struct gw_space_sink *sink,
			struct gw_space **out);

/*
 * Like gw_space_parse_toml, recording only the first problem in err
 * (its line, column, field and message).
 */
int gw_space_from_toml(const struct gw_toml_value *t, const char *path,
		       struct gw_space **out, struct gw_error *err);

/*
 * A JSON description of s: {"type": "Box", "dtype", "shape", "low",
 * "high"} and so on (docs/manifest.md lists every form). Infinite bounds
 * are the strings "inf" and "-inf", uint64 bounds above INT64_MAX are
 * decimal strings. A new reference, or NULL when out of memory.
 */
struct json_t *gw_space_describe_json(const struct gw_space *s);

/* The number of elements a shape holds, or 0 when past the cap. */
uint64_t gw_space_shape_elems(const uint64_t *shape, unsigned ndim);

#endif /* GW_SPACE_SPACE_H */
