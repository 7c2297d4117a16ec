/*
 * gymwarden-jail, the sandbox launcher: what the monitor and the
 * launcher agree on. docs/jail.md describes the program.
 *
 * The monitor posix_spawns
 *
 *   gymwarden-jail --parent PID [OPTION]... -- PROGRAM [ARG...]
 *
 * with the control socket at fd 3 and the write end of a close-on-exec
 * status pipe at fd 4. Options (numbers are decimal):
 *
 *   --require LIST     layers that must stand, or the launcher refuses
 *                      (comma-separated names of enum gw_jail_layer)
 *   --without LIST     layers not to attempt (to try a host that lacks
 *                      them); a name both required and left out refuses
 *   --ro PATH          bind PATH read-only at the same place (repeated)
 *   --exec FILE        the one file that may be executed: PROGRAM's real
 *                      path; bound read-only like --ro
 *   --memory BYTES     --processes N    --cpu-time SECONDS
 *   --file-size BYTES  --open-files N   --tmp-size BYTES
 *   --lifetime MS      the wall-clock life of the whole sandbox
 *   --on-violation kill|errno
 *
 * The process tree is: the launcher (L, outside every namespace, the
 * supervisor) -> the sandbox's pid 1 (P1, ours, reaps) -> the worker
 * (W, which execs PROGRAM). L stays alive until the sandbox is gone and
 * then exits as the worker did: with its exit status, or by the same
 * signal, so the monitor's reaping is unchanged.
 *
 * The status pipe carries lines of at most GW_JAIL_STATUS_MAX_BYTES,
 * written only by L, in this order:
 *
 *   layers NAME,NAME,...      the layers that stand, before the exec
 *   missing NAME:WHY,...      layers not enforced and a one-word reason
 *                             (absent when nothing is missing)
 *   cgroup PATH               a cgroup directory L made (one line per
 *                             hierarchy); the monitor removes it after
 *                             reaping L if L could not
 *   ready                     the worker's exec succeeded
 *
 * or, when a stage fails, instead of `ready`:
 *
 *   fail STAGE ERRNO          then L exits GW_JAIL_EXIT_BASE + stage
 *
 * and after `ready`, as they happen:
 *
 *   violation SYSCALL NR ACTION DETAIL
 *                             a forbidden system call; ACTION is errno
 *                             or kill; DETAIL is printable ASCII without
 *                             newlines (escaped with \xNN), may be empty
 *   limit WHICH DETAIL        a resource limit ended or refused the
 *                             worker: memory, processes, cpu-time,
 *                             file-size or lifetime
 *   end exit N | end signal N the worker's fate, just before L exits
 */
#ifndef GW_JAIL_LAUNCHER_H
#define GW_JAIL_LAUNCHER_H

#include <stddef.h>

/* The fds the launcher is handed. */
#define GW_JAIL_SOCKET_FD 3
#define GW_JAIL_STATUS_FD 4

/* A status record is one short line; longer ones are refused. */
#define GW_JAIL_STATUS_MAX_BYTES 512u

/* Exit status of a failed stage: GW_JAIL_EXIT_BASE + enum gw_jail_stage. */
#define GW_JAIL_EXIT_BASE 100

/*
 * The stages, in the order they run, and who runs them (L, P1, W).
 */
enum gw_jail_stage {
	GW_JAIL_STAGE_ARGS,	 /* L: the command line is malformed */
	GW_JAIL_STAGE_SOCKET,	 /* L: fd 3 is not a SOCK_SEQPACKET socket */
	GW_JAIL_STAGE_STATUS,	 /* L: fd 4 is not a pipe */
	GW_JAIL_STAGE_PDEATHSIG, /* L: die with the monitor */
	GW_JAIL_STAGE_SESSION,	 /* L: a new session, no controlling tty */
	GW_JAIL_STAGE_SIGNALS,	 /* L: default dispositions, empty mask */
	GW_JAIL_STAGE_FDS,	 /* L: only fds 0-4 survive */
	GW_JAIL_STAGE_CLONE,	 /* L: P1 in new namespaces */
	GW_JAIL_STAGE_IDMAP,	 /* L: P1's uid and gid maps */
	GW_JAIL_STAGE_CGROUP,	 /* L: cgroup limits; P1: cgroup namespace */
	GW_JAIL_STAGE_ROOT,	 /* P1: the new root and its read-only binds */
	GW_JAIL_STAGE_TMP,	 /* P1: the size-limited /tmp */
	GW_JAIL_STAGE_PROC,	 /* P1: a fresh read-only /proc */
	GW_JAIL_STAGE_DEV,	 /* P1: /dev with null, zero, urandom */
	GW_JAIL_STAGE_PIVOT,	 /* P1: pivot_root, the old root detached */
	GW_JAIL_STAGE_INIT,	 /* P1: fork W, become its reaper */
	GW_JAIL_STAGE_RLIMITS,	 /* W: resource limits */
	GW_JAIL_STAGE_UID,	 /* W: an unprivileged uid and gid, no groups */
	GW_JAIL_STAGE_CAPS,	 /* W: every capability gone, securebits */
	GW_JAIL_STAGE_NNP,	 /* W: no_new_privs */
	GW_JAIL_STAGE_LANDLOCK,	 /* W: Landlock rules */
	GW_JAIL_STAGE_SECCOMP,	 /* W: the seccomp filter */
	GW_JAIL_STAGE_REQUIRE,	 /* W: a required layer does not stand */
	GW_JAIL_STAGE_EXEC,	 /* W: execve with a fixed environment */
	GW_JAIL_STAGE_COUNT,
};

/*
 * The layers, as the status pipe and `gymwarden run` name them. The
 * first eleven are also the names a manifest's sandbox.require takes
 * (enum gw_require_layer, in the same order).
 */
enum gw_jail_layer {
	GW_JAIL_LAYER_USER,	     /* user namespace */
	GW_JAIL_LAYER_PID,	     /* pid namespace */
	GW_JAIL_LAYER_MOUNT,	     /* mount namespace and the minimal root */
	GW_JAIL_LAYER_NET,	     /* empty network namespace */
	GW_JAIL_LAYER_IPC,	     /* ipc namespace */
	GW_JAIL_LAYER_UTS,	     /* uts namespace */
	GW_JAIL_LAYER_CGROUP,	     /* cgroup namespace */
	GW_JAIL_LAYER_SECCOMP,	     /* the seccomp allowlist */
	GW_JAIL_LAYER_LANDLOCK,	     /* Landlock file-system rules */
	GW_JAIL_LAYER_RLIMITS,	     /* setrlimit limits */
	GW_JAIL_LAYER_CGROUP_LIMITS, /* cgroup memory and pids limits */
	GW_JAIL_LAYER_TMP,	     /* private size-limited /tmp */
	GW_JAIL_LAYER_PROC,	     /* fresh read-only /proc */
	GW_JAIL_LAYER_DEV,	     /* minimal /dev */
	GW_JAIL_LAYER_CAPS,	     /* no capabilities, securebits locked */
	GW_JAIL_LAYER_NNP,	     /* no_new_privs */
	GW_JAIL_LAYER_UID,	     /* an unprivileged uid */
	GW_JAIL_LAYER_NOUSERNS,	     /* no nested user namespaces */
	GW_JAIL_LAYER_INIT,	     /* our own pid 1 */
	GW_JAIL_LAYER_SESSION,	     /* new session, no controlling tty */
	GW_JAIL_LAYER_PDEATHSIG,     /* dies with the trainer */
	GW_JAIL_LAYER_FDS,	     /* only the channel's fds inherited */
	GW_JAIL_LAYER_ENV,	     /* fixed minimal environment */
	GW_JAIL_LAYER_NOTIFY,	     /* forbidden calls reported by name */
	GW_JAIL_LAYER_LIFETIME,	     /* wall-clock lifetime */
	GW_JAIL_LAYER_COUNT,
};

static inline const char *gw_jail_stage_name(unsigned stage)
{
	static const char *const names[] = {
		[GW_JAIL_STAGE_ARGS] = "args",
		[GW_JAIL_STAGE_SOCKET] = "socket",
		[GW_JAIL_STAGE_STATUS] = "status",
		[GW_JAIL_STAGE_PDEATHSIG] = "pdeathsig",
		[GW_JAIL_STAGE_SESSION] = "session",
		[GW_JAIL_STAGE_SIGNALS] = "signals",
		[GW_JAIL_STAGE_FDS] = "fds",
		[GW_JAIL_STAGE_CLONE] = "clone",
		[GW_JAIL_STAGE_IDMAP] = "idmap",
		[GW_JAIL_STAGE_CGROUP] = "cgroup",
		[GW_JAIL_STAGE_ROOT] = "root",
		[GW_JAIL_STAGE_TMP] = "tmp",
		[GW_JAIL_STAGE_PROC] = "proc",
		[GW_JAIL_STAGE_DEV] = "dev",
		[GW_JAIL_STAGE_PIVOT] = "pivot",
		[GW_JAIL_STAGE_INIT] = "init",
		[GW_JAIL_STAGE_RLIMITS] = "rlimits",
		[GW_JAIL_STAGE_UID] = "uid",
		[GW_JAIL_STAGE_CAPS] = "caps",
		[GW_JAIL_STAGE_NNP] = "nnp",
		[GW_JAIL_STAGE_LANDLOCK] = "landlock",
		[GW_JAIL_STAGE_SECCOMP] = "seccomp",
		[GW_JAIL_STAGE_REQUIRE] = "require",
		[GW_JAIL_STAGE_EXEC] = "exec",
	};

	return stage < GW_JAIL_STAGE_COUNT ? names[stage] : NULL;
}

static inline const char *gw_jail_layer_name(unsigned layer)
{
	static const char *const names[] = {
		[GW_JAIL_LAYER_USER] = "user",
		[GW_JAIL_LAYER_PID] = "pid",
		[GW_JAIL_LAYER_MOUNT] = "mount",
		[GW_JAIL_LAYER_NET] = "net",
		[GW_JAIL_LAYER_IPC] = "ipc",
		[GW_JAIL_LAYER_UTS] = "uts",
		[GW_JAIL_LAYER_CGROUP] = "cgroup",
		[GW_JAIL_LAYER_SECCOMP] = "seccomp",
		[GW_JAIL_LAYER_LANDLOCK] = "landlock",
		[GW_JAIL_LAYER_RLIMITS] = "rlimits",
		[GW_JAIL_LAYER_CGROUP_LIMITS] = "cgroup-limits",
		[GW_JAIL_LAYER_TMP] = "tmp",
		[GW_JAIL_LAYER_PROC] = "proc",
		[GW_JAIL_LAYER_DEV] = "dev",
		[GW_JAIL_LAYER_CAPS] = "caps",
		[GW_JAIL_LAYER_NNP] = "nnp",
		[GW_JAIL_LAYER_UID] = "uid",
		[GW_JAIL_LAYER_NOUSERNS] = "no-userns",
		[GW_JAIL_LAYER_INIT] = "init",
		[GW_JAIL_LAYER_SESSION] = "session",
		[GW_JAIL_LAYER_PDEATHSIG] = "pdeathsig",
		[GW_JAIL_LAYER_FDS] = "fds",
		[GW_JAIL_LAYER_ENV] = "env",
		[GW_JAIL_LAYER_NOTIFY] = "notify",
		[GW_JAIL_LAYER_LIFETIME] = "lifetime",
	};

	return layer < GW_JAIL_LAYER_COUNT ? names[layer] : NULL;
}

#endif /* GW_JAIL_LAUNCHER_H */
