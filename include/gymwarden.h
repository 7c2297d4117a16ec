/*
 * gymwarden: run reinforcement-learning environments you did not write
 * without trusting them.
 *
 * This is the public C API of libgymwarden. Every object is an opaque
 * handle with a _new/_load constructor and a _free that accepts NULL.
 * Functions return 0 or a negative errno; where the caller needs to know
 * which file, line or field failed, they also fill a struct gw_error.
 */
#ifndef GYMWARDEN_H
#define GYMWARDEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(GW_BUILDING_LIBRARY) && defined(__GNUC__)
#define GW_API __attribute__((visibility("default")))
#else
#define GW_API
#endif

#define GW_VERSION_MAJOR 0
#define GW_VERSION_MINOR 1
#define GW_VERSION_PATCH 0

/* The library's version as "MAJOR.MINOR.PATCH"; a static string. */
GW_API const char *gw_version(void);

/*
 * What went wrong, and where. Filled by calls that take a
 * struct gw_error *; every field is a NUL-terminated string or a number,
 * so the struct can live on the stack and be copied. Text that came from
 * an untrusted source is stored escaped (see gw_escape in src/core/log.h).
 *
 * code: the negative errno the call returned.
 * file: the thing that failed: a path, "<stdin>", an env id.
 * line, col: 1-based position inside file; 0 when not applicable.
 * field: dotted field path inside the thing ("env[0].action_space.n").
 * msg: lower-case cause without a final period.
 */
/*
 * kind: which class of failure this is, for callers that map errors to
 * their own types (the Python client raises one class per kind).
 * step: the step count of the env when it failed (0 for reset), or -1.
 */
enum gw_error_kind {
	GW_ERR_NONE,
	GW_ERR_SYSTEM,	      /* out of memory, a syscall failed */
	GW_ERR_USAGE,	      /* the caller broke the API's rules */
	GW_ERR_MANIFEST,      /* the manifest or an env id is wrong */
	GW_ERR_NOT_APPROVED,  /* no approved vetting record */
	GW_ERR_SPEC_MISMATCH, /* declared spaces differ from pinned ones */
	GW_ERR_ACTION,	      /* an action, seed, option or kwarg refused */
	GW_ERR_OBSERVATION,   /* an observation refused */
	GW_ERR_REWARD,	      /* a reward refused */
	GW_ERR_INFO,	      /* an info refused */
	GW_ERR_FLAGS,	      /* terminated or truncated refused */
	GW_ERR_CRASHED,	      /* the worker died, raised or broke protocol */
	GW_ERR_TIMEOUT,	      /* the worker missed a deadline; killed */
	GW_ERR_SANDBOX,	      /* a sandbox violation, or a layer missing */
};

struct gw_error {
	int code;
	enum gw_error_kind kind;
	int64_t step;
	unsigned line;
	unsigned col;
	char file[256];
	char field[256];
	char msg[1024];
};

/* "ActionError"-style name of a kind, as the Python client uses; static. */
GW_API const char *gw_error_kind_name(enum gw_error_kind kind);

/* Reset err to "no error". err may be NULL. */
GW_API void gw_error_clear(struct gw_error *err);

/*
 * Write err as "FILE:LINE:COL: FIELD: MSG" (parts that are empty or zero
 * left out) into buf of cap bytes, always NUL-terminated when cap > 0.
 * Returns the length the full text needs, like snprintf.
 */
GW_API int gw_error_format(const struct gw_error *err, char *buf, size_t cap);

/* ------------------------------------------------------------------ */
/* manifest: spaces, environments, sandbox limits, check policies      */
/* ------------------------------------------------------------------ */

/*
 * A space as pinned in a manifest (or, later, declared by a worker).
 * Opaque; a space owned by a manifest lives as long as the manifest.
 */
struct gw_space;

enum gw_space_kind {
	GW_SPACE_BOX,
	GW_SPACE_DISCRETE,
	GW_SPACE_MULTI_DISCRETE,
	GW_SPACE_MULTI_BINARY,
	GW_SPACE_TUPLE,
	GW_SPACE_DICT,
	GW_SPACE_TEXT,
};

/* Element types, named as numpy names them. */
enum gw_dtype {
	GW_DTYPE_BOOL,
	GW_DTYPE_INT8,
	GW_DTYPE_INT16,
	GW_DTYPE_INT32,
	GW_DTYPE_INT64,
	GW_DTYPE_UINT8,
	GW_DTYPE_UINT16,
	GW_DTYPE_UINT32,
	GW_DTYPE_UINT64,
	GW_DTYPE_FLOAT16,
	GW_DTYPE_FLOAT32,
	GW_DTYPE_FLOAT64,
};

/* Gymnasium's name for a kind ("Box") or a dtype ("float32"); static. */
GW_API const char *gw_space_kind_name(enum gw_space_kind kind);
GW_API const char *gw_dtype_name(enum gw_dtype dtype);

GW_API enum gw_space_kind gw_space_kind(const struct gw_space *s);

/*
 * Write a one-line form of s such as "Box(0, 7, (2,), int64)" into buf
 * of cap bytes (always NUL-terminated when cap > 0; cut with "..." when
 * too long). Returns the length written.
 */
GW_API size_t gw_space_format(const struct gw_space *s, char *buf, size_t cap);

/* Whether a and b describe the same space (Dict keys in any order). */
GW_API bool gw_space_equal(const struct gw_space *a, const struct gw_space *b);

/*
 * Compare the pinned space a (the manifest's) with b (the environment's)
 * and describe the first difference in buf, e.g.
 * "observation_space.shape: manifest (2,) but environment (3,)", with
 * path as the name of the root. Returns 0 when they are equal (buf then
 * holds ""), 1 when they differ.
 */
GW_API int gw_space_diff(const struct gw_space *a, const struct gw_space *b,
			 const char *path, char *buf, size_t cap);

/* Free a space that the caller owns; NULL is fine. */
GW_API void gw_space_free(struct gw_space *s);

/* A loaded manifest (gymwarden.toml or [tool.gymwarden]); opaque. */
struct gw_manifest;
/* One [[env]] of a manifest; owned by it. */
struct gw_manifest_env;

enum gw_severity {
	GW_SEVERITY_ERROR,
	GW_SEVERITY_WARNING,
};

/*
 * One problem found while loading a manifest. Every string is owned by
 * the manifest, NUL-terminated and escaped; hint may be NULL; field is
 * "" for a problem with the file as a whole; line and col are 1-based,
 * 0 when unknown.
 */
struct gw_manifest_diag {
	enum gw_severity severity;
	unsigned line, col;
	const char *file;
	const char *field;
	const char *message;
	const char *hint;
};

/*
 * Load the manifest at path. A file named pyproject.toml is read from its
 * [tool.gymwarden] table, anything else as a gymwarden.toml. Relative
 * paths inside are resolved against the manifest's folder.
 *
 * Strict: returns 0 and a manifest in *out (which may still carry
 * warnings) only when no error was found. Otherwise returns a negative
 * errno (-ENOENT, -EFBIG, -EINVAL for a syntax or schema error, -ENOMEM),
 * fills err with the first problem and leaves *out NULL.
 */
GW_API int gw_manifest_load(const char *path, struct gw_manifest **out,
			    struct gw_error *err);

/*
 * Lenient, for checkers: like gw_manifest_load, but returns 0 and a
 * manifest whenever the file could be read and parsed as TOML, with every
 * problem found in its diagnostics (see gw_manifest_error_count). A
 * manifest with errors must not be used to run anything. Fails, with
 * *out NULL, only when the file cannot be read or is not valid TOML.
 */
GW_API int gw_manifest_check(const char *path, struct gw_manifest **out,
			     struct gw_error *err);

GW_API void gw_manifest_free(struct gw_manifest *m);

/* The path the manifest was loaded from, as given. */
GW_API const char *gw_manifest_path(const struct gw_manifest *m);

/* Diagnostics in the order they were found (file order, mostly). */
GW_API size_t gw_manifest_diag_count(const struct gw_manifest *m);
GW_API const struct gw_manifest_diag *
gw_manifest_diag_at(const struct gw_manifest *m, size_t i);
GW_API size_t gw_manifest_error_count(const struct gw_manifest *m);
GW_API size_t gw_manifest_warning_count(const struct gw_manifest *m);

enum gw_vetting {
	GW_VETTING_REQUIRED, /* make refuses an env without approval */
	GW_VETTING_WARN,     /* WARNING: runs unapproved envs, logs it */
	GW_VETTING_OFF,	     /* WARNING: no approval check at all */
};

GW_API enum gw_vetting gw_manifest_vetting(const struct gw_manifest *m);

/* Absolute paths of the registry database and the log folder. */
GW_API const char *gw_manifest_registry_path(const struct gw_manifest *m);
GW_API const char *gw_manifest_log_dir(const struct gw_manifest *m);

GW_API size_t gw_manifest_env_count(const struct gw_manifest *m);
/* The i-th env, or NULL past the end. */
GW_API const struct gw_manifest_env *
gw_manifest_env_at(const struct gw_manifest *m, size_t i);
/* The env whose id is id, or NULL. */
GW_API const struct gw_manifest_env *
gw_manifest_env_find(const struct gw_manifest *m, const char *id);

enum gw_env_api {
	GW_ENV_API_GYMNASIUM,
	GW_ENV_API_GYM,
};

GW_API const char *gw_manifest_env_id(const struct gw_manifest_env *e);
/* "module.path:Attr" */
GW_API const char *gw_manifest_env_entry_point(const struct gw_manifest_env *e);
/* The source folder, absolute (resolved through symlinks when it exists). */
GW_API const char *gw_manifest_env_source(const struct gw_manifest_env *e);
GW_API enum gw_env_api gw_manifest_env_api(const struct gw_manifest_env *e);
/* Absolute path of the interpreter the worker runs. */
GW_API const char *gw_manifest_env_interpreter(const struct gw_manifest_env *e);
/* 0 when the manifest sets no step limit. */
GW_API uint64_t
gw_manifest_env_max_episode_steps(const struct gw_manifest_env *e);

/* Extra read-only paths, absolute; n in *count. */
GW_API const char *const *
gw_manifest_env_dependency_paths(const struct gw_manifest_env *e,
				 size_t *count);

/*
 * The constructor kwargs as compact JSON text ("{}" when none), owned by
 * the manifest.
 */
GW_API const char *gw_manifest_env_kwargs_json(const struct gw_manifest_env *e);

/*
 * WARNING: when true, make takes the spaces the environment declares
 * instead of refusing on a difference from the pinned ones.
 */
GW_API bool
gw_manifest_env_adopt_declared_spaces(const struct gw_manifest_env *e);

/* The pinned spaces, owned by the manifest; NULL when not pinned. */
GW_API const struct gw_space *
gw_manifest_env_action_space(const struct gw_manifest_env *e);
GW_API const struct gw_space *
gw_manifest_env_observation_space(const struct gw_manifest_env *e);

/* Sandbox layers a manifest can require to be enforced. */
enum gw_require_layer {
	GW_REQUIRE_USER,
	GW_REQUIRE_PID,
	GW_REQUIRE_MOUNT,
	GW_REQUIRE_NET,
	GW_REQUIRE_IPC,
	GW_REQUIRE_UTS,
	GW_REQUIRE_CGROUP,
	GW_REQUIRE_SECCOMP,
	GW_REQUIRE_LANDLOCK,
	GW_REQUIRE_RLIMITS,
	GW_REQUIRE_CGROUP_LIMITS,
	GW_REQUIRE_COUNT,
};

/* "cgroup-limits" for GW_REQUIRE_CGROUP_LIMITS, and so on; static. */
GW_API const char *gw_require_layer_name(enum gw_require_layer layer);

enum gw_on_violation {
	GW_ON_VIOLATION_KILL,  /* a forbidden syscall kills the worker */
	GW_ON_VIOLATION_ERRNO, /* it fails with EPERM and is reported */
};

/* Resource limits of one env's sandbox; sizes in bytes, times in ns. */
struct gw_sandbox_limits {
	uint64_t memory_bytes;
	uint64_t processes;
	uint64_t cpu_time_ns;
	uint64_t file_size_bytes;
	uint64_t open_files;
	uint64_t tmp_size_bytes;
	uint64_t step_timeout_ns;
	uint64_t reset_timeout_ns;
	uint64_t lifetime_ns;
	/* Bit (1u << layer) for each layer the sandbox must enforce. */
	uint32_t require_mask;
	enum gw_on_violation on_violation;
};

GW_API const struct gw_sandbox_limits *
gw_manifest_env_sandbox(const struct gw_manifest_env *e);

/* Classes of fault found at the boundary, and what to do about each. */
enum gw_fault {
	GW_FAULT_SHAPE,
	GW_FAULT_NONFINITE,
	GW_FAULT_BOUNDS,
	GW_FAULT_OVERSHOOT,
	GW_FAULT_DTYPE_DRIFT,
	GW_FAULT_REWARD,
	GW_FAULT_FLAGS,
	GW_FAULT_INFO,
	GW_FAULT_ACTION,
	GW_FAULT_COUNT,
};

enum gw_policy {
	GW_POLICY_REJECT,    /* raise in the trainer */
	GW_POLICY_CLIP,	     /* clip into bounds, count it */
	GW_POLICY_CAST,	     /* convert losslessly, count it */
	GW_POLICY_WARN,	     /* pass it on, log and count it */
	GW_POLICY_TERMINATE, /* end the worker, raise a named error */
};

GW_API const char *gw_fault_name(enum gw_fault fault);
GW_API const char *gw_policy_name(enum gw_policy policy);

struct gw_check_policy {
	enum gw_policy policy[GW_FAULT_COUNT];
	uint32_t overshoot_ulps;
	bool has_reward_range;
	double reward_min, reward_max;
};

GW_API const struct gw_check_policy *
gw_manifest_env_checks(const struct gw_manifest_env *e);

#ifdef __cplusplus
}
#endif

#endif /* GYMWARDEN_H */
