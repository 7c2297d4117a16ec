/*
 * The launcher's private state, shared by its files. launcher.h is the
 * contract with the monitor; this header is how the launcher's own
 * pieces (L, the supervisor; P1, the sandbox's pid 1; W, the worker)
 * hand the sandbox to one another. docs/jail.md is the reader's view.
 *
 * One struct jail is filled by L from the command line and inherited by
 * P1 and W as a copy (clone without CLONE_VM, then fork): what L learns
 * after the clone reaches P1 through the release pipe (struct
 * jail_release), and what P1 and W learn reaches L through the sync
 * pipe as status lines.
 */
#ifndef GW_JAIL_JAIL_H
#define GW_JAIL_JAIL_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "jail/launcher.h"

/* Caps fixed at build time: the launcher allocates nothing. */
#define JAIL_MAX_RO	   64 /* --ro paths */
#define JAIL_MAX_CGROUPS   2  /* hierarchies with a directory of ours */
#define JAIL_ROOT_TMPFS	   "size=1m,nr_inodes=4096,mode=0755"
#define JAIL_DEV_TMPFS	   "size=64k,nr_inodes=32,mode=0755"
#define JAIL_TMP_INODES	   16384u
#define JAIL_TMP_BYTES	   (64ull << 20) /* --tmp-size by default */
#define JAIL_SANDBOX_ID	   65534u	 /* uid and gid of the worker */
#define JAIL_HOSTNAME	   "gymwarden"
#define JAIL_STAGING	   "/tmp" /* where P1 builds the new root */
#define JAIL_LINE_MAX	   GW_JAIL_STATUS_MAX_BYTES
#define JAIL_RESULT_NO_CPU UINT64_MAX

/*
 * Why a layer is not enforced: the one word after "missing NAME:".
 * JAIL_STANDS means it is. Every layer starts JAIL_UNDECIDED and the
 * stage that owns it settles it; the require stage checks none is left.
 */
enum jail_why {
	JAIL_STANDS,
	JAIL_UNDECIDED,
	JAIL_WHY_WITHOUT,	/* left out with --without */
	JAIL_WHY_UNSET,		/* nothing asked for: no limit given */
	JAIL_WHY_NO_USERNS,	/* the kernel refused a user namespace */
	JAIL_WHY_NO_NS,		/* the kernel refused the namespaces */
	JAIL_WHY_NEEDS_USER,	/* depends on the user namespace */
	JAIL_WHY_NEEDS_MOUNT,	/* depends on the mount namespace */
	JAIL_WHY_NEEDS_PID,	/* depends on the pid namespace */
	JAIL_WHY_NEEDS_NNP,	/* depends on no_new_privs */
	JAIL_WHY_NEEDS_SECCOMP, /* depends on seccomp */
	JAIL_WHY_NOT_DELEGATED, /* no cgroup we may write */
	JAIL_WHY_NO_CONTROLLER, /* memory or pids controller absent */
	JAIL_WHY_KERNEL,	/* the kernel lacks the feature */
	JAIL_WHY_DISABLED,	/* built in but turned off at boot */
	JAIL_WHY_NO_SETPCAP,	/* no CAP_SETPCAP to lock securebits */
	JAIL_WHY_NOT_ROOT,	/* cannot become the sandbox uid */
	JAIL_WHY_COUNT,
};

enum jail_role {
	JAIL_ROLE_L,
	JAIL_ROLE_P1,
	JAIL_ROLE_W,
};

/* A resource limit from the command line; set is false when absent. */
struct jail_limit {
	bool set;
	uint64_t value;
};

/* One cgroup directory L made, and what it limits. */
struct jail_cgroup {
	char dir[PATH_MAX];
	bool v2;
	bool memory; /* this directory holds the memory controller */
	bool pids;
};

/* What L sends P1 when it releases it (one write, under PIPE_BUF). */
struct jail_release {
	uint8_t why[GW_JAIL_LAYER_COUNT];
};

/* What P1 sends L when W has ended. */
struct jail_result {
	int status;	   /* W's wait status */
	uint64_t cpu_usec; /* W's user + system time */
	int survivors;	   /* processes P1 had to kill after W */
};

/* What /proc/1/cmdline says inside the sandbox. */
#define JAIL_P1_NAME "gymwarden-init"

struct jail {
	/* The command line. */
	pid_t parent;
	uint32_t require; /* bit per enum gw_jail_layer */
	uint32_t without;
	const char *ro[JAIL_MAX_RO];
	char ro_real[JAIL_MAX_RO][PATH_MAX]; /* realpath of each */
	unsigned n_ro;
	const char *exec_arg;
	char exec_real[PATH_MAX];
	char interp_real[PATH_MAX]; /* the exec file's ELF interpreter */
	struct jail_limit memory, processes, cpu_time, file_size, open_files,
		tmp_size, lifetime_ms;
	bool kill_on_violation;
	char **argv; /* PROGRAM and its arguments */
	/* The launcher's own command line in memory, which P1 blanks once
	 * the worker is forked: /proc/1/cmdline is the sandbox's to read. */
	char *cmdline;
	size_t cmdline_len;

	/* Who is running, and which fd takes its "fail" lines. */
	enum jail_role role;
	int report_fd;

	/* The layers as settled so far (enum jail_why per layer). */
	uint8_t why[GW_JAIL_LAYER_COUNT];

	/* What L made. */
	pid_t l_pid;
	uid_t l_uid;
	gid_t l_gid;
	bool root;	 /* L has CAP_SYS_ADMIN over the host */
	int clone_flags; /* the namespaces P1 got */
	pid_t p1;
	int p1_pidfd;
	struct jail_cgroup cg[JAIL_MAX_CGROUPS];
	unsigned n_cg;
	uint64_t start_ms; /* CLOCK_MONOTONIC at L's start */

	/* The pipes between L, P1 and W (all close-on-exec). */
	int release[2];	 /* L -> P1 */
	int sync[2];	 /* P1, W -> L: status lines until W's exec */
	int result[2];	 /* P1 -> L: struct jail_result */
	int notify[2];	 /* W -> L: the seccomp listener (socketpair) */
	int children_fd; /* P1 and L without a pid namespace: see ns.c */

	/* Mount trees L cloned as root, for P1 to attach (mounts.c); -1
	 * where P1 opens the path itself. By jail_bind_path's index. */
	int pretree[JAIL_MAX_RO + 3];
};

/* The i-th path the new root binds: --ro paths, --exec, loader files. */
const char *jail_bind_path(const struct jail *j, unsigned i);

/*
 * L, as root, before the clone: clone the mount tree of every bind while
 * the host's permissions are L's, so that files the sandbox's uid may
 * read stay reachable below folders it could not search (a source tree
 * under /root, say). Unprivileged, P1 opens them itself.
 */
void jail_prebind(struct jail *j);

static inline bool jail_stands(const struct jail *j, enum gw_jail_layer l)
{
	return j->why[l] == JAIL_STANDS;
}

static inline bool jail_wanted(const struct jail *j, enum gw_jail_layer l)
{
	return !(j->without & (1u << l));
}

/* report.c: messages, failures and the layer lists. */
void jail_say(const char *stage, const char *what, int err);
void __attribute__((noreturn))
jail_fail(struct jail *j, enum gw_jail_stage stage, const char *what, int err);
void jail_settle(struct jail *j, enum gw_jail_layer l, enum jail_why why);
const char *jail_why_name(enum jail_why why);
int jail_layer_lookup(const char *name, size_t len);
int jail_stage_lookup(const char *name, size_t len);
int jail_write_all(int fd, const char *buf, size_t len);
int jail_write_line(int fd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int jail_write_layers(const struct jail *j, int fd);

/* args.c: the command line. */
void jail_parse_args(struct jail *j, int argc, char **argv);

/* ns.c: P1's birth in L, and P1's life. */
void jail_clone(struct jail *j);
void jail_idmap(struct jail *j);
void jail_release(struct jail *j);
void __attribute__((noreturn)) jail_p1_main(struct jail *j);
int jail_write_file(const char *path, const char *text);
int jail_open_children(void);
void jail_sweep_children(int children_fd);

/* cgroup.c: L's limits on P1's tree, read back at the end. */
void jail_cgroup_setup(struct jail *j);
void jail_cgroup_report(const struct jail *j, int fd);
bool jail_cgroup_hit(const struct jail *j, bool memory);
void jail_cgroup_remove(struct jail *j);

/* mounts.c: the new root, in P1. */
void jail_mounts(struct jail *j);

/* worker.c: W's stages and its exec. */
void __attribute__((noreturn)) jail_worker_main(struct jail *j);

/* landlock.c: W's file-system rules. */
void jail_landlock(struct jail *j);

/* supervise.c: L's watch over the sandbox, and its exit. */
void __attribute__((noreturn)) jail_supervise(struct jail *j);
void jail_kill_p1(struct jail *j);
void jail_reap_p1(struct jail *j, int *status);

#endif /* GW_JAIL_JAIL_H */
