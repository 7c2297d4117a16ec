/*
 * The worker's seccomp policy: a default-deny allowlist for CPython and
 * numpy (seccomp_table.c, one readable table), loaded by the worker
 * process W just before its exec, and the supervisor's half, run by the
 * launcher L outside the sandbox, which answers each forbidden call
 * reported through user notification and describes it on a status
 * line. docs/seccomp.md is the reader's version.
 */
#ifndef GW_JAIL_SECCOMP_H
#define GW_JAIL_SECCOMP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

enum gw_seccomp_action {
	GW_SECCOMP_KILL,  /* a forbidden call ends the sandbox */
	GW_SECCOMP_ERRNO, /* it fails with EPERM and the worker goes on */
};

struct gw_seccomp_opts {
	enum gw_seccomp_action on_violation;
	/* Route forbidden calls to a listener (user notification); when
	 * false, or when the kernel lacks it, they fail with EPERM or kill
	 * at once and nothing reports them by name. */
	bool notify;
};

/*
 * Load the filter in the calling, single-threaded process: one system
 * call, as the programs were compiled from the table at build time.
 * no_new_privs must already be set. The first execve or execveat after
 * loading is let through by the supervisor (gw_seccomp_answer), so the
 * caller can exec its program; every later one is a violation. Between
 * the load and the exec only the table's calls work (write, close,
 * sendmsg to pass *listener on, ...).
 * Returns 0 and *listener (an fd the caller owns, or -1 when
 * opts->notify is false or the kernel cannot notify: *notify_ok says
 * which), or -errno (-EACCES: no no_new_privs).
 * WARNING: without a listener execve is allowed outright.
 */
int gw_seccomp_load(const struct gw_seccomp_opts *opts, int *listener,
		    bool *notify_ok);

/* What the supervisor keeps between notifications. */
struct gw_seccomp_supervisor {
	int listener;
	enum gw_seccomp_action on_violation;
	unsigned execs_allowed; /* 1 after load: the launcher's own exec */
	/* An errno-mode call held until its line is written. */
	bool held;
	unsigned long long held_id;
};

/*
 * Receive one notification from sv->listener, answer it and describe it.
 * A violation formats "violation SYSCALL NR ACTION DETAIL" (launcher.h)
 * into line, without a newline and at most GW_JAIL_STATUS_MAX_BYTES - 1
 * bytes, reading path and address arguments from the caller's memory
 * (/proc/PID/mem) where it can. In errno mode the call is held: the
 * caller writes the line, then gw_seccomp_release fails it with EPERM,
 * so a report is always out before the worker can go on (and answer
 * the step it was made in). In kill mode it is left unanswered, so the
 * calling thread goes no further, and *kill is set: the caller must end
 * the sandbox.
 * Returns 1 when line holds a violation, 0 when the notification was
 * let through, had gone or was interrupted (line is ""), -errno when
 * the listener failed, -EINVAL when cap is below 64. Blocks until a
 * notification comes: poll first.
 */
int gw_seccomp_answer(struct gw_seccomp_supervisor *sv, char *line, size_t cap,
		      bool *kill);

/*
 * Fail the call gw_seccomp_answer held with EPERM; nothing when none is
 * held. Returns 0, or -errno when the listener failed (a call that had
 * gone meanwhile is not an error).
 */
int gw_seccomp_release(struct gw_seccomp_supervisor *sv);

/* The syscall's name for a number of this architecture, or NULL. */
const char *gw_seccomp_syscall_name(int nr);

/*
 * The policy as data (seccomp_table.c), for the loader, the exporter
 * (`gymwarden sandbox export`) and the tests. A syscall absent from the
 * table takes the default: the listener, else EPERM or kill.
 */
enum gw_seccomp_verdict {
	GW_SECCOMP_ALLOW, /* runs */
	GW_SECCOMP_FAIL,  /* fails at once with rule->err, never reported */
	GW_SECCOMP_EXEC,  /* to the supervisor, which lets the first through;
			   * WARNING: allowed outright when nothing listens */
};

enum gw_seccomp_test {
	GW_SECCOMP_ANY,	  /* no condition */
	GW_SECCOMP_EQ32,  /* the argument's low 32 bits equal value */
	GW_SECCOMP_CLEAR, /* none of the bits in value is set */
	GW_SECCOMP_NULL,  /* the argument (a pointer) is 0 */
	GW_SECCOMP_SELF,  /* the low 32 bits are the loading process's pid */
};

struct gw_seccomp_rule {
	const char *name; /* as libseccomp and the OCI profile name it */
	enum gw_seccomp_verdict verdict;
	int err; /* GW_SECCOMP_FAIL: the errno */
	enum gw_seccomp_test test;
	unsigned arg; /* which argument the test reads, 0-5 */
	unsigned long long value;
	const char *why; /* why it is safe to grant, for people */
};

/*
 * Rows of one syscall with different conditions are alternatives (any
 * of them allows it). Static; the count excludes no row.
 */
extern const struct gw_seccomp_rule gw_seccomp_rules[];
extern const size_t gw_seccomp_rule_count;

/* Calls that must never be allowed in any form, NULL-terminated. */
extern const char *const gw_seccomp_never[];

#endif /* GW_JAIL_SECCOMP_H */
