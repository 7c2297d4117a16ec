/*
 * gymwarden-jail, the sandbox launcher: what the monitor and the
 * launcher agree on. docs/jail.md describes the program.
 *
 * The monitor posix_spawns
 *
 *   gymwarden-jail --parent PID --layers LIST -- PROGRAM [ARG...]
 *
 * with the control socket at fd 3 and the write end of a close-on-exec
 * status pipe at fd 4. The launcher runs its stages in order; each one
 * that fails writes "fail STAGE ERRNO\n" to fd 4 and exits with
 * GW_JAIL_EXIT_BASE + the stage's number. When every stage has passed
 * it writes "layers LIST\n" and execs PROGRAM, which closes fd 4: the
 * monitor reads the status pipe to its end and knows, without guessing
 * from exit codes a worker could also use, whether the exec happened
 * and which layers stand.
 */
#ifndef GW_JAIL_LAUNCHER_H
#define GW_JAIL_LAUNCHER_H

#include <stddef.h>

/* The fds the launcher is handed. */
#define GW_JAIL_SOCKET_FD 3
#define GW_JAIL_STATUS_FD 4

/* A status record is one short line; longer ones are refused. */
#define GW_JAIL_STATUS_MAX_BYTES 256u

/* Exit status of a failed stage: GW_JAIL_EXIT_BASE + enum gw_jail_stage. */
#define GW_JAIL_EXIT_BASE 120

/*
 * The stages, in the order they run. The sandbox layers of a later
 * issue (namespaces, mounts, limits, capabilities, Landlock, seccomp)
 * slot in between GW_JAIL_STAGE_SIGNALS and GW_JAIL_STAGE_EXEC.
 */
enum gw_jail_stage {
	GW_JAIL_STAGE_ARGS,	 /* the command line is malformed */
	GW_JAIL_STAGE_SOCKET,	 /* fd 3 is not a SOCK_SEQPACKET socket */
	GW_JAIL_STAGE_STATUS,	 /* fd 4 is not a pipe */
	GW_JAIL_STAGE_PDEATHSIG, /* die with the parent */
	GW_JAIL_STAGE_SESSION,	 /* a new session, no controlling tty */
	GW_JAIL_STAGE_SIGNALS,	 /* default dispositions, empty mask */
	GW_JAIL_STAGE_FDS,	 /* only fds 0-3 survive the exec */
	GW_JAIL_STAGE_EXEC,	 /* execve with a fixed environment */
	GW_JAIL_STAGE_COUNT,
};

/* The layers this launcher can enforce, as the monitor asks for them. */
#define GW_JAIL_LAYERS "session,fds,env,pdeathsig"

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
		[GW_JAIL_STAGE_EXEC] = "exec",
	};

	return stage < GW_JAIL_STAGE_COUNT ? names[stage] : NULL;
}

#endif /* GW_JAIL_LAUNCHER_H */
