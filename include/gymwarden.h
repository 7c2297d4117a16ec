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
	GW_ERR_LIMIT,	      /* a resource limit ended the worker */
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

/*
 * [env.sanitize]: what the monitor does to personal data in info, Text
 * observations and log lines before anything reaches the trainer, a log
 * or a recording (docs/manifest.md).
 */
enum gw_sanitize_op {
	GW_SANITIZE_KEEP,     /* pass it on (findings are still counted) */
	GW_SANITIZE_LABEL,    /* "<EMAIL>" in place of each finding */
	GW_SANITIZE_REDACT,   /* remove each finding */
	GW_SANITIZE_MASK,     /* mask characters (see the mask members) */
	GW_SANITIZE_HASH,     /* keyed hash token, not reversible */
	GW_SANITIZE_TOKENIZE, /* reversible token (authenticated encryption) */
	GW_SANITIZE_DROP,     /* remove the field (the key) altogether */
};

/*
 * One operator. MASK replaces mask_count characters (0: all) from the
 * start, or from the end when mask_from_end; with mask_keep > 0 it
 * instead leaves mask_keep characters visible, at the end when
 * mask_from_end (a card as "**** **** **** 1111") and at the start
 * otherwise. mask_char is one printable ASCII character.
 */
struct gw_sanitize_action {
	enum gw_sanitize_op op;
	char mask_char;
	unsigned mask_count;
	unsigned mask_keep;
	bool mask_from_end;
};

/* "keep", "label", ..., "drop"; static. */
GW_API const char *gw_sanitize_op_name(enum gw_sanitize_op op);

/* Whether the env has an [env.sanitize] table at all. Without one
 * nothing is scanned and nothing costs. */
GW_API bool gw_manifest_env_sanitizes(const struct gw_manifest_env *e);

/* The operator for findings in info string leaves that no field names,
 * in Text observations, and in each log line. Never NULL. */
GW_API const struct gw_sanitize_action *
gw_manifest_env_sanitize_default(const struct gw_manifest_env *e);
GW_API const struct gw_sanitize_action *
gw_manifest_env_sanitize_text_observations(const struct gw_manifest_env *e);
GW_API const struct gw_sanitize_action *
gw_manifest_env_sanitize_logs(const struct gw_manifest_env *e);

/*
 * The i-th entry of `fields`: its field path ("info.player.email";
 * owned by the manifest) and its operator, applied to the whole value.
 * NULL past the end.
 */
GW_API size_t
gw_manifest_env_sanitize_field_count(const struct gw_manifest_env *e);
GW_API const char *
gw_manifest_env_sanitize_field_at(const struct gw_manifest_env *e, size_t i,
				  const struct gw_sanitize_action **action);

/* The key file for hash and tokenize (absolute), or NULL. It is read
 * when an env opens, never when the manifest is loaded. */
GW_API const char *
gw_manifest_env_sanitize_key_file(const struct gw_manifest_env *e);

/* A custom detection rule; strings owned by the manifest. */
struct gw_sanitize_rule {
	const char *id;
	const char *pattern; /* PCRE2 */
	const char *const *keywords;
	size_t n_keywords;
	double entropy; /* bits per byte a match needs; 0: none */
	const char *label;
};

GW_API size_t
gw_manifest_env_sanitize_rule_count(const struct gw_manifest_env *e);
GW_API const struct gw_sanitize_rule *
gw_manifest_env_sanitize_rule_at(const struct gw_manifest_env *e, size_t i);

/* Exact strings that are never findings (`allowlist`). */
GW_API const char *const *
gw_manifest_env_sanitize_allowlist(const struct gw_manifest_env *e,
				   size_t *count);

/* What happens once a differentially private field's budget is spent. */
enum gw_dp_on_exhausted {
	GW_DP_ON_EXHAUSTED_WITHHOLD,	/* the field becomes null */
	GW_DP_ON_EXHAUSTED_END_EPISODE, /* null, and the step truncates */
};

/*
 * One [env.sanitize.dp] entry: a numeric info field released with
 * discrete Laplace noise on the grid 2^-granularity_exp after clamping
 * to [lower, upper]. epsilon is the budget of one episode; each release
 * spends epsilon_per_release.
 */
struct gw_dp_policy {
	const char *field;
	double lower, upper;
	double epsilon;
	double epsilon_per_release;
	int granularity_exp;
	enum gw_dp_on_exhausted on_exhausted;
};

GW_API size_t gw_manifest_env_dp_count(const struct gw_manifest_env *e);
GW_API const struct gw_dp_policy *
gw_manifest_env_dp_at(const struct gw_manifest_env *e, size_t i);

/* ------------------------------------------------------------------ */
/* environments: one guarded instance in a sandboxed worker            */
/* ------------------------------------------------------------------ */

/*
 * A guarded environment: the monitor's half of one worker. Opaque. All
 * calls on one gw_env must come from one thread at a time; different
 * gw_envs are independent. The monitor never forks: it posix_spawns the
 * launcher (gymwarden-jail), which starts the worker interpreter.
 */
struct gw_env;

/* What the monitor tells its caller as it goes (faults, log lines). */
enum gw_event_kind {
	GW_EVENT_FAULT,	    /* a boundary check fired; see fault/policy */
	GW_EVENT_VIOLATION, /* the sandbox refused something the env tried */
	GW_EVENT_LOG,	    /* a line the worker wrote to stdout or stderr */
	GW_EVENT_NOTICE,    /* the monitor's own warnings (adopted spaces) */
	GW_EVENT_LIMIT,	    /* a resource limit ended or refused the worker */
	GW_EVENT_PRIVACY,   /* a DP release spent budget, or was withheld */
};

struct gw_event {
	enum gw_event_kind kind;
	const char *env_id;
	uint64_t instance;   /* a number unique to this gw_env in the process */
	int64_t step;	     /* 0 for reset, -1 outside an episode */
	enum gw_fault fault; /* GW_EVENT_FAULT only */
	enum gw_policy policy;
	const char *field;  /* "observation[3]", "info.player"; may be "" */
	const char *detail; /* escaped, one line */
	/* GW_EVENT_VIOLATION: the system call ("connect"); GW_EVENT_LIMIT:
	 * the limit ("memory", "processes", "cpu-time", "file-size",
	 * "lifetime"); "" otherwise. */
	const char *name;
	/* GW_EVENT_VIOLATION: "errno" (the call failed, the worker goes on)
	 * or "kill" (the sandbox was ended); "" otherwise. */
	const char *action;
};

typedef void (*gw_event_fn)(void *arg, const struct gw_event *ev);

/*
 * How to open an env. Every member may be left zero / NULL.
 * kwargs_json: a JSON object of constructor kwargs, merged over the
 *   manifest's `kwargs` and checked against `allowed_kwargs`.
 * jail_path / worker_path: the launcher and the worker script; NULL
 *   takes GYMWARDEN_JAIL and GYMWARDEN_WORKER from the environment, and
 *   without those the installed paths (libexecdir/gymwarden/
 *   gymwarden-jail, the Python package's gymwarden/worker.py).
 * on_event: called synchronously from inside gw_env_* calls.
 */
struct gw_env_config {
	const char *kwargs_json;
	const char *jail_path;
	const char *worker_path;
	gw_event_fn on_event;
	void *event_arg;
	/*
	 * For a fuzzer: gw_env_step goes on after a step the env itself
	 * said truncated (never after terminated, nor past the manifest's
	 * max_episode_steps), so that an episode can run past a time limit
	 * the env sets itself. Leave it false otherwise.
	 */
	bool step_past_truncation;
};

/*
 * Spawn the worker for env_id of m, complete the handshake and compare
 * the spaces the env declares with the pinned ones. m must outlive the
 * env. Returns 0 and *out, or a negative errno with err's kind set
 * (GW_ERR_MANIFEST, GW_ERR_ACTION for a refused kwarg,
 * GW_ERR_SPEC_MISMATCH, GW_ERR_CRASHED, GW_ERR_TIMEOUT, GW_ERR_SANDBOX).
 */
GW_API int gw_env_open(const struct gw_manifest *m, const char *env_id,
		       const struct gw_env_config *cfg, struct gw_env **out,
		       struct gw_error *err);

/* The pinned spaces (owned by the manifest). */
GW_API const struct gw_space *gw_env_action_space(const struct gw_env *e);
GW_API const struct gw_space *gw_env_observation_space(const struct gw_env *e);

/* Bytes of a packed action and observation (docs/protocol.md). */
GW_API size_t gw_env_action_bytes(const struct gw_env *e);
GW_API size_t gw_env_observation_bytes(const struct gw_env *e);

/*
 * The result of a reset or step. obs points at the observation, checked
 * and packed in the pinned space's layout, in memory private to the
 * monitor; it and info_json stay valid until the next call on the env.
 * info_json is the info map as JSON (numpy arrays as
 * {"__ndarray__": dtype, "shape": [...], "data": [...]}) and is built
 * only when the caller asks for it (gw_env_info_json).
 */
struct gw_step {
	const void *obs;
	size_t obs_bytes;
	double reward; /* 0 after reset */
	bool terminated;
	bool truncated; /* includes the monitor's max_episode_steps */
	uint64_t step;	/* steps taken in this episode */
};

/*
 * Start an episode. seed is NULL for none; options_json is NULL or a
 * JSON object checked against the manifest's reset_options.
 */
GW_API int gw_env_reset(struct gw_env *e, const uint64_t *seed,
			const char *options_json, struct gw_step *out,
			struct gw_error *err);

/*
 * Take one step with a packed action of exactly gw_env_action_bytes.
 * The action is checked against the pinned action space first; a
 * refused action never reaches the worker (GW_ERR_ACTION). Calling
 * step before reset, or after the episode ended, is GW_ERR_USAGE.
 *
 * An env that raises in reset or step gives GW_ERR_CRASHED with its
 * escaped exception and traceback; its worker lives on and the episode
 * is over (reset again). A refused observation, reward or info leaves
 * the episode as the flags say; refused flags end it. A worker that
 * died, broke the protocol, timed out or was ended by a terminate
 * policy is gone: every later call fails with the same kind, at once.
 */
GW_API int gw_env_step(struct gw_env *e, const void *action, size_t len,
		       struct gw_step *out, struct gw_error *err);

/* The last result's info as JSON text, owned by e; NULL when none. */
GW_API const char *gw_env_info_json(struct gw_env *e);

/* Counts of each fault class seen by this env since it was opened. */
GW_API uint64_t gw_env_fault_count(const struct gw_env *e, enum gw_fault fault);

/*
 * What [env.sanitize] did since the env was opened: one count per name,
 * the engine's entity kinds ("email", "phone", "card", ...) for
 * findings in info strings, Text observations and log lines, then
 * "field_label", "field_redact", "field_mask", "field_hash" and
 * "field_tokenize" (values replaced by a `fields` rule), "dropped" (keys
 * removed), "dp_released", "dp_withheld", "log_lines_dropped" and
 * "failed_closed" (values withheld because they could not be
 * sanitized). Names are static strings.
 */
struct gw_sanitize_count {
	const char *name;
	uint64_t count;
};

/*
 * Fill up to cap entries of out with the counts that are not zero, and
 * return how many there are (which may be more than cap). 0 for an env
 * without a policy.
 */
GW_API size_t gw_env_sanitize_counts(const struct gw_env *e,
				     struct gw_sanitize_count *out, size_t cap);

/*
 * Which sandbox layers the launcher reported as enforced for this
 * worker, as a comma-separated list of layer names ("session,fds,env");
 * static for the env's lifetime.
 */
GW_API const char *gw_env_layers(const struct gw_env *e);

/*
 * The layers this host could not provide for this worker, as
 * "NAME:WHY,NAME:WHY" ("cgroup-limits:not-delegated"), or "" when every
 * layer stands; static for the env's lifetime.
 */
GW_API const char *gw_env_missing_layers(const struct gw_env *e);

/*
 * Ask the worker to close the env, wait briefly, then kill and reap it.
 * Always leaves no process and no fd behind; safe to call twice.
 * Returns 0, or a negative errno when the worker had to be killed or
 * had already died (err says how).
 */
GW_API int gw_env_close(struct gw_env *e, struct gw_error *err);

/* Close (if needed) and free; NULL is fine. */
GW_API void gw_env_free(struct gw_env *e);

/* ------------------------------------------------------------------ */
/* registry: tree digests, vetting records, approvals                  */
/* ------------------------------------------------------------------ */

/*
 * A digested tree: every regular file and symlink under one or more
 * roots, each with its hash, and one digest over all of them
 * ("sha256:" and 64 hex digits; docs/registry.md gives the algorithm).
 * Directories are implied by the paths; sockets, fifos and devices are
 * refused. Symlinks are hashed by their target text, never followed.
 * Opaque; read-only once hashed.
 */
struct gw_tree;

enum gw_tree_type {
	GW_TREE_FILE,
	GW_TREE_SYMLINK,
};

/*
 * One entry of a hashed tree; the strings are owned by the tree.
 * path: the root's prefix, "/", then the path below the root, with '/'
 *   separators and the bytes the file system gave ("source/pkg/env.py").
 * mode: 0755 for a file with any execute bit, 0644 for one without,
 *   0777 for a symlink: no other bit takes part in the digest.
 * size: bytes of content, or of the link target.
 * sha256: 64 lower-case hex digits of the content or the target.
 */
struct gw_tree_entry {
	const char *path;
	enum gw_tree_type type;
	unsigned mode;
	uint64_t size;
	const char *sha256;
};

/* An empty tree with no roots; NULL when out of memory. */
GW_API struct gw_tree *gw_tree_new(void);

/*
 * Record a root to hash: the folder (or single file) at path, its
 * entries named below prefix ("" for none; a single file needs one).
 * Only records; gw_tree_hash reads. Returns 0, -EINVAL for a prefix
 * that is absolute, ends in '/' or repeats another, -E2BIG past
 * GW_TREE_MAX_ROOTS, -ENOMEM.
 */
GW_API int gw_tree_add_root(struct gw_tree *t, const char *prefix,
			    const char *path);

/*
 * Record a file to leave out wherever it appears (the registry's own
 * database when it sits inside a root): matched by its folder's device
 * and inode and its name, so any spelling of the path works.
 */
GW_API int gw_tree_exclude(struct gw_tree *t, const char *path);

/*
 * Walk every root and hash it. Returns 0, or a negative errno with err
 * naming the path: -ENOENT (a root is missing), -EPERM (a socket, fifo
 * or device), -EAGAIN (a file changed while it was read), -ELOOP,
 * -E2BIG, -ENAMETOOLONG (past a GW_TREE_MAX_* cap), -EEXIST (two roots
 * gave the same path). Hashing twice is -EALREADY.
 */
GW_API int gw_tree_hash(struct gw_tree *t, struct gw_error *err);

/*
 * The tree of an env as records and checks see it: its source folder
 * under the prefix "source" and its i-th dependency path under
 * "deps/<i>", with the manifest's registry database left out. On
 * success *out is a hashed tree the caller frees.
 */
GW_API int gw_tree_digest_env(const struct gw_manifest *m,
			      const struct gw_manifest_env *e,
			      struct gw_tree **out, struct gw_error *err);

/* "sha256:<hex>" after gw_tree_hash, "" before. */
GW_API const char *gw_tree_digest(const struct gw_tree *t);
/* Entries in digest order (byte order of path); NULL past the end. */
GW_API size_t gw_tree_entry_count(const struct gw_tree *t);
GW_API const struct gw_tree_entry *gw_tree_entry_at(const struct gw_tree *t,
						    size_t i);
GW_API void gw_tree_free(struct gw_tree *t);

/* A record's verdict, decided by the tool that made it. */
enum gw_record_verdict {
	GW_RECORD_PASS,	   /* nothing at or above the tool's threshold */
	GW_RECORD_PARTIAL, /* some analysis could not run to the end */
	GW_RECORD_FAIL,	   /* findings at or above the threshold */
};

/* "pass", "partial", "fail"; static. */
GW_API const char *gw_record_verdict_name(enum gw_record_verdict v);

/*
 * One finding, as a tool hands it to gw_record_add_finding (which copies
 * every string). tool, rule, severity and message are required; file is
 * a path in the record's tree ("source/pkg/env.py") or NULL; line and
 * col are 1-based, 0 when unknown; fingerprint identifies the finding
 * across runs; context is a short excerpt. Text that is not valid UTF-8
 * is stored escaped.
 */
struct gw_finding {
	const char *tool;
	const char *rule;
	const char *severity;
	const char *file;
	unsigned line, col;
	const char *message;
	const char *fingerprint;
	const char *context;
};

/*
 * A vetting record being built: env id, tree, verdict, tools, findings,
 * attached documents. Setters only record (copies); the first one that
 * fails makes gw_registry_add_record refuse the record with its code.
 */
struct gw_record;

/* An empty record; NULL when out of memory. */
GW_API struct gw_record *gw_record_new(void);
GW_API void gw_record_free(struct gw_record *r);

/* Setters return 0, -EINVAL (NULL, empty or not allowed), -E2BIG past a
 * GW_RECORD_MAX_* cap, or -ENOMEM. */
GW_API int gw_record_set_env(struct gw_record *r, const char *env_id);
/* Copies the digest and every entry of a hashed tree. */
GW_API int gw_record_set_tree(struct gw_record *r, const struct gw_tree *t);
GW_API int gw_record_set_verdict(struct gw_record *r, enum gw_record_verdict v);
GW_API int gw_record_add_tool(struct gw_record *r, const char *name,
			      const char *version);
GW_API int gw_record_add_finding(struct gw_record *r,
				 const struct gw_finding *f);
/*
 * Attach a JSON object (text) of kind "deps" (the dependency audit) or
 * "fuzz" (the sandboxed trial) to be stored with the record.
 */
GW_API int gw_record_add_json(struct gw_record *r, const char *kind,
			      const char *json);

/* An open registry database; opaque; one thread at a time. */
struct gw_registry;

enum gw_registry_flags {
	/* Create the file (0600) and missing folders (0700). */
	GW_REGISTRY_CREATE = 1u << 0,
	/* Read only: never creates, migrates or writes. */
	GW_REGISTRY_READONLY = 1u << 1,
};

/*
 * Open the registry at path, bringing an older schema up to date (not
 * with GW_REGISTRY_READONLY, which refuses one). Returns 0 and *out, or
 * -ENOENT (missing, without GW_REGISTRY_CREATE), -EPROTO (a schema newer
 * than this library knows, an older one read-only, or not a registry),
 * -EIO (SQLite failed), -ENOMEM; err names the file.
 */
GW_API int gw_registry_open(const char *path, unsigned flags,
			    struct gw_registry **out, struct gw_error *err);
/* NULL is fine. */
GW_API void gw_registry_close(struct gw_registry *reg);
GW_API const char *gw_registry_path(const struct gw_registry *reg);

/*
 * Store rec (env, tree and verdict required) in one transaction: either
 * all of it is written or none. The created time is now (UTC). Returns 0
 * and the new record's id in *id (may be NULL), or a negative errno.
 */
GW_API int gw_registry_add_record(struct gw_registry *reg,
				  const struct gw_record *rec, int64_t *id,
				  struct gw_error *err);

/*
 * Append a JSON object of kind "deps" or "fuzz" to the existing record
 * id, for tools that run after it was made. Earlier attachments stay;
 * readers see all of them in order. -ENOENT for no such record.
 */
GW_API int gw_registry_attach_json(struct gw_registry *reg, int64_t id,
				   const char *kind, const char *json,
				   struct gw_error *err);

/*
 * The record a user names: decimal digits are a record id; anything
 * else is a digest or a prefix of one ("sha256:" optional, at least 6
 * hex digits), which picks the newest record with that digest. -ENOENT
 * when nothing matches, -EINVAL for a malformed reference or a prefix
 * shared by different digests (err lists some).
 */
GW_API int gw_registry_find(struct gw_registry *reg, const char *ref,
			    int64_t *id, struct gw_error *err);

enum gw_approval_state {
	GW_APPROVAL_NONE,     /* never approved */
	GW_APPROVAL_APPROVED, /* the latest decision approves */
	GW_APPROVAL_REVOKED,  /* the latest decision revokes */
};

/* A record's summary, as gw_registry_record_info fills it. */
struct gw_record_info {
	int64_t id;
	char env_id[256];
	char digest[80];
	enum gw_record_verdict verdict;
	char created[32]; /* "2026-01-31T12:00:00Z" */
	uint64_t findings;
	enum gw_approval_state approval;
};

GW_API int gw_registry_record_info(struct gw_registry *reg, int64_t id,
				   struct gw_record_info *out,
				   struct gw_error *err);

/*
 * Everything about a record as a JSON document (docs/registry.md), or
 * every record's summary (of env_id only, unless NULL). *out is
 * malloc'd text the caller frees.
 */
GW_API int gw_registry_export_json(struct gw_registry *reg, int64_t id,
				   char **out, struct gw_error *err);
GW_API int gw_registry_list_json(struct gw_registry *reg, const char *env_id,
				 char **out, struct gw_error *err);

enum gw_approve_flags {
	/* WARNING: approve a record whose verdict is fail. */
	GW_APPROVE_FORCE = 1u << 0,
};

/*
 * Append an approval of record id by `by` (a person's name) with an
 * optional note. Refuses a failed record with -EPERM unless
 * GW_APPROVE_FORCE. Approvals and revocations are never changed or
 * deleted; the latest one decides.
 */
GW_API int gw_registry_approve(struct gw_registry *reg, int64_t id,
			       const char *by, const char *note, unsigned flags,
			       struct gw_error *err);
/* Append a revocation; -EALREADY when the record is not approved. */
GW_API int gw_registry_revoke(struct gw_registry *reg, int64_t id,
			      const char *by, const char *note,
			      struct gw_error *err);

/* What gw_registry_check_env decided. */
enum gw_check_status {
	GW_CHECK_APPROVED,     /* an approved record has the tree's digest */
	GW_CHECK_NO_RECORD,    /* no record of this env has that digest */
	GW_CHECK_NOT_APPROVED, /* records have it; none was approved */
	GW_CHECK_REVOKED,      /* the approvals of all of them were revoked */
	GW_CHECK_UNCHECKED,    /* vetting = "off": not looked at */
	GW_CHECK_FAILED,       /* the tree or registry could not be read */
};

struct gw_check_decision {
	bool allowed;
	enum gw_check_status status;
	enum gw_vetting vetting;
	int64_t record_id;  /* the record that decided, 0 when none */
	char digest[80];    /* the tree's digest now; "" when not computed */
	char message[1024]; /* one line, with the commands that fix it */
};

/*
 * The enforcement check of make and run: digest env's tree now and look
 * for an approved record of env with that digest in the manifest's
 * registry (opened read-only). Every decision is logged.
 *
 * Returns 0 when the env may run: approved; or, WARNING: not approved
 * (or not checkable) under vetting = "warn", or not checked under
 * "off". Returns -EACCES with err's kind GW_ERR_NOT_APPROVED and the
 * message when vetting = "required" refuses it, or the check's own
 * negative errno (kind GW_ERR_NOT_APPROVED too: it fails closed). out
 * may be NULL.
 */
GW_API int gw_registry_check_env(const struct gw_manifest *m,
				 const struct gw_manifest_env *e,
				 struct gw_check_decision *out,
				 struct gw_error *err);

#ifdef __cplusplus
}
#endif

#endif /* GYMWARDEN_H */
