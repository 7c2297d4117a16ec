/*
 * The private layout of a guarded environment and what the files of
 * src/monitor share: spawning and reaping the worker (spawn.c), the
 * handshake (handshake.c), reset and step (step.c), the pure parsers of
 * RESULT payload (result.c), the worker's log pipes
 * (logpipe.c), faults and events (events.c), kwargs and options
 * (params.c) and info (info.c). Tests may include it.
 */
#ifndef GW_MONITOR_MONITOR_PRIV_H
#define GW_MONITOR_MONITOR_PRIV_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "gymwarden.h"
#include "jail/launcher.h"
#include "monitor/monitor.h"
#include "space/ops.h"
#include "wire/frame.h"
#include "wire/shm.h"
#include "wire/value.h"

/* ---- caps (the unit is in the name) ---- */

/* Lines of each pipe kept for crash messages, and bytes kept per line. */
#define GW_LOGPIPE_TAIL_LINES	  16u
#define GW_LOGPIPE_LINE_MAX_BYTES 512u
/* One escaped line: every kept byte may become a four-byte escape. */
#define GW_LOGPIPE_ESCAPED_MAX_BYTES (4u * GW_LOGPIPE_LINE_MAX_BYTES + 8)
/* Bytes read from one pipe per drain; the rest waits for the next. */
#define GW_LOGPIPE_DRAIN_MAX_BYTES (4u * 1024 * 1024)
/* Log events per pipe: a burst, then this many per second. */
#define GW_LOGPIPE_BURST_LINES	 200u
#define GW_LOGPIPE_LINES_PER_SEC 50u

/* Constructor kwargs and reset options, as JSON text or msgpack. */
#define GW_MONITOR_PARAMS_MAX_BYTES (64u * 1024)
/* Waiting for a worker that was asked to close, or killed. */
#define GW_MONITOR_CLOSE_GRACE_NS (200u * 1000 * 1000)
#define GW_MONITOR_REAP_WAIT_NS	  (2000u * 1000 * 1000)
/* The launcher's stages, from spawn to exec. */
#define GW_MONITOR_LAUNCH_TIMEOUT_NS (5000ull * 1000 * 1000)
/* The info map as JSON text. */
#define GW_MONITOR_INFO_JSON_MAX_BYTES (8u * 1024 * 1024)

/* ---- the worker's stdout and stderr ---- */

struct gw_env;

struct gw_logpipe {
	int fd;		  /* our read end, non-blocking; -1 once at EOF */
	const char *name; /* "stdout" or "stderr" */
	char line[GW_LOGPIPE_LINE_MAX_BYTES];
	size_t len;    /* bytes of the line being read */
	bool overlong; /* the line being read was cut */
	char tail[GW_LOGPIPE_TAIL_LINES][GW_LOGPIPE_ESCAPED_MAX_BYTES];
	size_t next;		   /* tail slot written next */
	size_t kept;		   /* tail slots in use */
	uint64_t lines;		   /* complete lines seen */
	uint64_t bytes;		   /* bytes read */
	uint64_t dropped;	   /* lines not passed on as events */
	uint64_t quiet_since_drop; /* lines passed since the last drop */
	double tokens;
	uint64_t refill_ns;
};

void gw_logpipe_init(struct gw_logpipe *lp, const char *name, int fd);

/*
 * Read what the pipe holds now (up to GW_LOGPIPE_DRAIN_MAX_BYTES) and
 * split it into lines: each kept escaped in the tail and passed on as a
 * GW_EVENT_LOG of e while the rate allows, counted as dropped after.
 * Never blocks. Returns 0, or 1 at end of file (the fd is then closed
 * and set to -1).
 */
int gw_logpipe_drain(struct gw_logpipe *lp, struct gw_env *e);

/* Pass on a line cut short by end of file, and close the fd. */
void gw_logpipe_close(struct gw_logpipe *lp, struct gw_env *e);

/*
 * The last n lines of the tail, oldest first, joined by sep, into buf
 * (cap bytes, always NUL-terminated). Returns the length.
 */
size_t gw_logpipe_tail(const struct gw_logpipe *lp, size_t n, const char *sep,
		       char *buf, size_t cap);

/* ---- the launcher's status pipe (src/jail/launcher.h) ---- */

#define GW_JAIL_CGROUPS_MAX 4u

/* What the launcher has said about this worker's sandbox. */
struct gw_jail_status {
	int fd; /* read end, non-blocking after `ready`; -1 at EOF */
	char partial[GW_JAIL_STATUS_MAX_BYTES];
	size_t len;  /* bytes of the line being read */
	bool ready;  /* the worker's exec happened */
	bool failed; /* a `fail` line came */
	char fail_stage[32];
	int fail_errno;
	char layers[512];   /* "user,pid,..." */
	char missing[1024]; /* "NAME:WHY,..." */
	char cgroups[GW_JAIL_CGROUPS_MAX][256];
	size_t n_cgroups;
	char kill_violation[GW_JAIL_STATUS_MAX_BYTES]; /* the fatal one */
	char kill_syscall[64];
	char limit[32]; /* the limit that ended the worker */
	char limit_detail[256];
};

/* One parsed status line. Pointers are into the caller's buffer. */
struct gw_jail_line {
	enum {
		GW_JAIL_LINE_UNKNOWN,
		GW_JAIL_LINE_LAYERS,
		GW_JAIL_LINE_MISSING,
		GW_JAIL_LINE_CGROUP,
		GW_JAIL_LINE_READY,
		GW_JAIL_LINE_FAIL,
		GW_JAIL_LINE_VIOLATION,
		GW_JAIL_LINE_LIMIT,
		GW_JAIL_LINE_END,
	} kind;
	const char *word;   /* layers/missing/cgroup text, fail stage, syscall,
			       limit, "exit" or "signal" */
	const char *action; /* violation: "errno" or "kill" */
	const char *detail; /* violation and limit; may be "" */
	long number;	    /* fail errno, violation nr, end status */
};

/*
 * Split one status line (without its newline; modified in place) into
 * *out. Pure; returns 0, or -EPROTO for a line that does not parse (it
 * is then GW_JAIL_LINE_UNKNOWN).
 */
int gw_jail_line_parse(char *line, struct gw_jail_line *out);

/*
 * Read what the status pipe holds now without blocking and act on each
 * complete line: layers and missing are kept, violations and limits
 * become events of e. Returns 1 at end of file, 0 otherwise.
 */
int gw_jail_status_drain(struct gw_env *e);

/*
 * A limit the monitor itself enforced (the lifetime, which it watches
 * as well as the launcher): kept and passed on as a GW_EVENT_LIMIT like
 * one the launcher reported.
 */
void gw_jail_limit(struct gw_env *e, const char *which, const char *detail);

/* ---- the worker process ---- */

enum gw_env_state {
	GW_ENV_IDLE,	/* alive, no episode: reset first */
	GW_ENV_RUNNING, /* an episode is under way */
	GW_ENV_DONE,	/* the episode ended: reset first */
	GW_ENV_DEAD,	/* the worker is gone; only close and free work */
	GW_ENV_CLOSED,
};

/* How the worker process ended, once reaped. */
struct gw_worker_exit {
	bool reaped;
	bool killed;  /* we sent SIGKILL */
	int status;   /* from waitpid, when reaped */
	bool unknown; /* someone else reaped it */
};

struct gw_env_san;
struct gw_audit;

struct gw_env {
	const struct gw_manifest *m;
	const struct gw_manifest_env *me;
	const char *id;
	uint64_t instance;
	gw_event_fn on_event;
	void *event_arg;
	const struct gw_env_config *cfg; /* during gw_env_open only */
	bool step_past_truncation;	 /* kept from cfg */

	/* The worker. */
	pid_t pid;
	int pidfd;
	int sock;
	struct gw_logpipe out, err;
	struct gw_worker_exit exit;
	uint64_t born_ns;
	struct gw_jail_status jail;

	/* The conversation. */
	struct gw_shm *shm;
	struct gw_wire_conv conv;
	uint64_t seq;	      /* of the latest request */
	uint64_t resp_word;   /* the response mailbox's seq, as last seen */
	unsigned char *frame; /* private copy of a response frame */
	size_t frame_cap;

	/* Spaces: pinned (the manifest's) or adopted (owned here). */
	const struct gw_space *action_space;
	const struct gw_space *obs_space;
	struct gw_space *adopted_action, *adopted_obs;
	struct gw_space_layout *act_layout, *obs_layout;
	unsigned char *action; /* private copy of the caller's action */
	unsigned char *obs;    /* the packed, checked observation */
	size_t act_bytes, obs_bytes;

	/* The episode. */
	enum gw_env_state state;
	uint64_t steps;
	int64_t at_step; /* the step being taken, for events and errors */
	struct gw_value *info;
	char *info_json;
	struct gw_fault_counts counts;

	/* [env.sanitize], or NULL when the env has none; the audit log
	 * privacy spends go to, or NULL (borrowed). */
	struct gw_env_san *san;
	struct gw_audit *audit;

	/* The first fault that refused a value in the current call. */
	bool refused;
	enum gw_fault refused_fault;
	char refused_field[256];
	char refused_detail[GW_FAULT_DETAIL_MAX_BYTES];

	/* Why the env is dead, repeated by every later call. */
	enum gw_error_kind dead_kind;
	char dead_msg[1024];
	char fail_text[960]; /* the escaped text of the last FAIL */
	char tail_text[GW_LOGPIPE_TAIL_LINES * 256];
};

/* spawn.c, reap.c */

/*
 * Start the launcher and the worker behind it, filling e's pid, pidfd,
 * sock, log pipes and layers. Returns 0 or a negative errno with err
 * filled (GW_ERR_SANDBOX when the launcher failed a stage, GW_ERR_SYSTEM
 * otherwise); nothing is left behind on failure.
 */
int gw_worker_spawn(struct gw_env *e, struct gw_error *err);

/*
 * Make sure the worker is gone: wait up to grace_ns for it to exit,
 * then SIGKILL its session and reap it. Closes the pidfd, the socket
 * and the pipes (draining them first). Safe to call again.
 */
void gw_worker_reap(struct gw_env *e, uint64_t grace_ns);

/* "exited with status 7", "killed by signal SIGSEGV (11)". */
void gw_worker_describe_exit(const struct gw_worker_exit *x, char *buf,
			     size_t cap);

/* The worker's process id for tests, or -1. */
int gw_worker_pid(const struct gw_env *e);

/* handshake.c */

/*
 * Make the region, send HELLO with kwargs (a map, moved into the frame
 * and left nil), take SPEC and compare the declared spaces with the
 * pinned ones.
 */
int gw_handshake(struct gw_env *e, struct gw_value *kwargs,
		 struct gw_error *err);

/* The HELLO layout table of a space (docs/protocol.md); pure. */
int gw_layout_value(const struct gw_space_layout *l, struct gw_value *out);

/* The spaces a SPEC payload declares, built and checked; pure. */
int gw_spec_parse(const void *payload, size_t len, struct gw_space **action,
		  struct gw_space **obs, struct gw_error *err);

/* step.c: see gymwarden.h and monitor.h. */

/* result.c: the pure parser of RESULT (a private copy, untrusted). */

struct gw_result {
	unsigned reward_tag; /* enum gw_reward_tag */
	double reward;
	unsigned terminated_tag; /* enum gw_flag_tag */
	unsigned truncated_tag;
	const unsigned char *leaves; /* into the payload */
	size_t leaves_len;
	const unsigned char *info;
	size_t info_len;
};

/*
 * Split a RESULT payload of len bytes. leaves_max and info_max are the
 * caps of the two variable parts. Returns 0, or -EPROTO with err naming
 * what is wrong (a tag out of range, reserved not 0, a length past its
 * cap or past the payload, bytes left over).
 */
int gw_result_parse(const void *payload, size_t len, uint64_t leaves_max,
		    uint64_t info_max, struct gw_result *out,
		    struct gw_error *err);

/* events.c */

/* The fault sink that ops.h reports into for e. */
void gw_env_fault_sink(struct gw_env *e, struct gw_fault_sink *sink);

/* Count, log and pass on one fault found by the monitor itself. */
void gw_env_fault(struct gw_env *e, enum gw_fault fault, enum gw_policy policy,
		  const char *field, const char *detail);

/*
 * Keep the text of a FAIL (len bytes, untrusted), escaped and shortened,
 * in e->fail_text, prefixed with what raised.
 */
void gw_env_keep_fail(struct gw_env *e, enum gw_wire_phase phase,
		      const char *text, size_t len);

void gw_env_emit(struct gw_env *e, enum gw_event_kind kind, const char *field,
		 const char *detail);

/*
 * Fill err for a failure of e at the current step: code, kind, the env
 * id as file, the field, and a formatted message. Returns code.
 */
int gw_env_fail(struct gw_env *e, struct gw_error *err, int code,
		enum gw_error_kind kind, const char *field, const char *fmt,
		...) __attribute__((format(printf, 6, 7)));

/*
 * The worker is gone or must go: reap it (killing it when kill is set),
 * remember why for later calls, and fill err with kind and a message
 * naming cause, the exit status and the last stderr lines. Returns
 * code.
 */
int gw_env_die(struct gw_env *e, struct gw_error *err, int code,
	       enum gw_error_kind kind, bool kill, const char *cause);

/* params.c */

/*
 * The kwargs to send: the manifest's kwargs with the caller's (a map,
 * or NULL) merged over them, each caller key allowed by allowed_kwargs
 * and satisfying its spec. Returns 0 and a new map in *out, or a
 * negative errno with err's kind GW_ERR_ACTION (refused) or
 * GW_ERR_USAGE (not a map).
 */
int gw_params_kwargs(const struct gw_manifest_env *me,
		     const struct gw_value *caller, struct gw_value **out,
		     struct gw_error *err);

/* Check reset options (a map, or NULL) against reset_options. */
int gw_params_options(const struct gw_manifest_env *me,
		      const struct gw_value *options, struct gw_error *err);

/*
 * Parse JSON text (NULL: none) that must be an object into a new map
 * value in *out (NULL for none). what names it in errors ("kwargs").
 * -EINVAL (GW_ERR_USAGE) for text that is not a JSON object.
 */
int gw_params_parse_json(const char *text, const char *what,
			 struct gw_value **out, struct gw_error *err);

/* A JSON value as a value tree; -ENOMEM, -EINVAL for a non-finite real. */
int gw_value_from_json(const json_t *j, struct gw_value *out);

/* info.c */

/*
 * Decode and check an info document (len bytes, private) for e under
 * its info policy: a map with str keys, no objects that are not data.
 * Returns a verdict (the info map in *out on PASS; an empty map when a
 * warn policy let a broken one pass), or -ENOMEM.
 */
int gw_info_take(struct gw_env *e, const void *data, size_t len,
		 struct gw_value **out);

/*
 * v as JSON text (docs/protocol.md; numpy arrays as {"__ndarray__",
 * "shape", "data"}, bytes as {"__bytes__": hex}, non-finite floats and
 * integers past int64 as strings). A malloc'd string, or NULL.
 */
char *gw_info_json(const struct gw_value *v);

/* sanitize.c: [env.sanitize] applied at the boundary */

/* Counters of gw_env_sanitize_counts besides the engine's kinds. */
enum gw_san_stat {
	GW_SAN_STAT_DROPPED,
	GW_SAN_STAT_DP_RELEASED,
	GW_SAN_STAT_DP_WITHHELD,
	GW_SAN_STAT_LOG_DROPPED,
	GW_SAN_STAT_FAILED,
	GW_SAN_STAT_BYTES_WITHHELD,
	GW_SAN_STAT_KEYS,
	GW_SAN_STAT_COUNT,
};

/*
 * Build e->san from the manifest when the env has [env.sanitize]: load
 * the key file (refused unless 0600-like), compile the rules. Before
 * the worker starts, so a bad key or rule costs no process. 0 or a
 * negative errno with err filled (GW_ERR_MANIFEST).
 */
int gw_env_san_open(struct gw_env *e, struct gw_error *err);
void gw_env_san_free(struct gw_env_san *s);

/* A new episode: every DP budget is full again. */
void gw_env_san_episode(struct gw_env *e);

/*
 * Sanitize a checked info map in place. Returns true when a DP field
 * whose budget is spent says to end the episode.
 */
bool gw_env_san_info(struct gw_env *e, struct gw_value *info);

/* Sanitize the Text leaves of a checked, packed observation in place. */
int gw_env_san_obs(struct gw_env *e, unsigned char *obs);

/*
 * A log line as it may be kept: line itself when nothing was found, or
 * text owned by e->san valid until the next call; NULL when the policy
 * drops the line.
 */
const char *gw_env_san_line(struct gw_env *e, const char *line, size_t len,
			    size_t *out_len);

/* Send DP spends to a (borrowed, may be NULL) as well as to events. */
void gw_env_set_audit(struct gw_env *e, struct gw_audit *a);

/* space_value.c (in src/space) */

/*
 * A space from its description as a value tree: the form of
 * gw_space_describe_json ({"type": "Box", "dtype", "shape", "low",
 * "high"}, ...), as a worker's SPEC carries it. Infinite bounds may be
 * floats or the strings "inf" and "-inf"; a null member counts as
 * absent. The same checks as a manifest's pinned spaces apply. path
 * names the root in errors ("observation_space"). Returns 0 and a new
 * space in *out, -EINVAL with err filled, or -ENOMEM.
 */
int gw_space_from_value(const struct gw_value *v, const char *path,
			struct gw_space **out, struct gw_error *err);

#endif /* GW_MONITOR_MONITOR_PRIV_H */
