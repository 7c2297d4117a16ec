/*
 * gymwarden-jail: the launcher the monitor posix_spawns for each
 * worker. This file is the launcher process L: it checks what it was
 * handed, settles its own process state, starts the sandbox's pid 1
 * (ns.c) in fresh namespaces, limits it (cgroup.c), releases it and
 * then supervises it to the end (supervise.c). P1 builds the root
 * (mounts.c) and forks the worker W, which seals itself (worker.c,
 * landlock.c, seccomp.c) and execs the program.
 *
 * It is a program, not a library: a stage that fails reports itself on
 * the status pipe and exits with its own code (launcher.h, docs/jail.md)
 * because a half-built sandbox must never run environment code.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "jail/jail.h"

static void stage_socket(struct jail *j)
{
	int type = 0;
	socklen_t len = sizeof(type);
	struct stat st;

	if (fstat(GW_JAIL_SOCKET_FD, &st) != 0)
		jail_fail(j, GW_JAIL_STAGE_SOCKET, "fd 3 is not open", errno);
	if (!S_ISSOCK(st.st_mode))
		jail_fail(j, GW_JAIL_STAGE_SOCKET, "fd 3 is not a socket",
			  ENOTSOCK);
	if (getsockopt(GW_JAIL_SOCKET_FD, SOL_SOCKET, SO_TYPE, &type, &len) !=
	    0)
		jail_fail(j, GW_JAIL_STAGE_SOCKET, "reading fd 3's type",
			  errno);
	if (type != SOCK_SEQPACKET)
		jail_fail(j, GW_JAIL_STAGE_SOCKET, "fd 3 is not SOCK_SEQPACKET",
			  EPROTOTYPE);
}

/* fd 4 must be a pipe, and only L ever writes it. */
static void stage_status(struct jail *j)
{
	struct stat st;

	if (fstat(GW_JAIL_STATUS_FD, &st) != 0 || !S_ISFIFO(st.st_mode))
		jail_fail(j, GW_JAIL_STAGE_STATUS,
			  "fd 4 is not the status pipe", EBADF);
	if (fcntl(GW_JAIL_STATUS_FD, F_SETFD, FD_CLOEXEC) != 0)
		jail_fail(j, GW_JAIL_STAGE_STATUS, "marking fd 4 close-on-exec",
			  errno);
	j->report_fd = GW_JAIL_STATUS_FD;
}

/*
 * Ask for SIGKILL when the monitor goes, then look again: a monitor
 * that died before the prctl would leave us re-parented and never
 * signalled.
 */
static void stage_pdeathsig(struct jail *j)
{
	if (!jail_wanted(j, GW_JAIL_LAYER_PDEATHSIG)) {
		jail_settle(j, GW_JAIL_LAYER_PDEATHSIG, JAIL_WHY_WITHOUT);
		return;
	}
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0)
		jail_fail(j, GW_JAIL_STAGE_PDEATHSIG, "prctl(PR_SET_PDEATHSIG)",
			  errno);
	if (getppid() != j->parent)
		jail_fail(j, GW_JAIL_STAGE_PDEATHSIG, "the monitor is gone",
			  ESRCH);
	jail_settle(j, GW_JAIL_LAYER_PDEATHSIG, JAIL_STANDS);
}

/* A new session: no controlling terminal, its own process group. */
static void stage_session(struct jail *j)
{
	if (!jail_wanted(j, GW_JAIL_LAYER_SESSION)) {
		jail_settle(j, GW_JAIL_LAYER_SESSION, JAIL_WHY_WITHOUT);
		return;
	}
	if (setsid() < 0)
		jail_fail(j, GW_JAIL_STAGE_SESSION, "setsid", errno);
	jail_settle(j, GW_JAIL_LAYER_SESSION, JAIL_STANDS);
}

static void stage_signals(struct jail *j)
{
	sigset_t none;

	for (int sig = 1; sig < NSIG; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		/* glibc keeps a few real-time signals for itself: EINVAL. */
		if (signal(sig, SIG_DFL) == SIG_ERR && errno != EINVAL)
			jail_fail(j, GW_JAIL_STAGE_SIGNALS, "signal", errno);
	}
	sigemptyset(&none);
	if (sigprocmask(SIG_SETMASK, &none, NULL) != 0)
		jail_fail(j, GW_JAIL_STAGE_SIGNALS, "sigprocmask", errno);
}

/*
 * Close every fd above the status pipe before the launcher makes its
 * own; the sandbox gets 0-3 and nothing else. A kernel without
 * close_range gets the slow loop.
 */
static void stage_fds(struct jail *j)
{
	struct rlimit rl;

	for (int fd = 0; fd <= GW_JAIL_STATUS_FD; fd++)
		if (fcntl(fd, F_GETFD) < 0)
			jail_fail(j, GW_JAIL_STAGE_FDS,
				  "an fd of 0-4 is not open", EBADF);
	jail_settle(j, GW_JAIL_LAYER_FDS, JAIL_STANDS);
	if (close_range(GW_JAIL_STATUS_FD + 1, ~0U, 0) == 0)
		return;
	if (errno != ENOSYS)
		jail_fail(j, GW_JAIL_STAGE_FDS, "close_range", errno);
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		jail_fail(j, GW_JAIL_STAGE_FDS, "getrlimit", errno);
	for (rlim_t fd = GW_JAIL_STATUS_FD + 1;
	     fd < rl.rlim_cur && fd < (1u << 20); fd++)
		close((int)fd);
}

/*
 * Resolve every path the sandbox is built from, on the host, before
 * anything is started: a --ro path or --exec file that does not exist
 * fails the root stage here, naming it.
 */
static void resolve_paths(struct jail *j)
{
	for (unsigned i = 0; i < j->n_ro; i++)
		if (!realpath(j->ro[i], j->ro_real[i]))
			jail_fail(j, GW_JAIL_STAGE_ROOT, j->ro[i], errno);
	if (!realpath(j->exec_arg, j->exec_real))
		jail_fail(j, GW_JAIL_STAGE_ROOT, j->exec_arg, errno);
	jail_prebind(j);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/*
 * L's stages in the order they run (enum gw_jail_stage). Die-with-parent
 * is armed before anything slow, the session and signal state are
 * settled before the fds are swept, and the fds are swept before the
 * launcher makes the pipes P1 and W inherit.
 */
static const struct {
	enum gw_jail_stage stage;
	void (*run)(struct jail *j);
} stages[] = {
	{ GW_JAIL_STAGE_SOCKET, stage_socket },
	{ GW_JAIL_STAGE_STATUS, stage_status },
	{ GW_JAIL_STAGE_PDEATHSIG, stage_pdeathsig },
	{ GW_JAIL_STAGE_SESSION, stage_session },
	{ GW_JAIL_STAGE_SIGNALS, stage_signals },
	{ GW_JAIL_STAGE_FDS, stage_fds },
	{ GW_JAIL_STAGE_ROOT, resolve_paths },
	{ GW_JAIL_STAGE_CLONE, jail_clone },
	{ GW_JAIL_STAGE_IDMAP, jail_idmap },
	{ GW_JAIL_STAGE_CGROUP, jail_cgroup_setup },
};

int main(int argc, char **argv)
{
	static struct jail j;

	j.role = JAIL_ROLE_L;
	j.report_fd = -1;
	j.p1_pidfd = -1;
	j.l_pid = getpid();
	j.l_uid = geteuid();
	j.l_gid = getegid();
	j.start_ms = now_ms();
	memset(j.why, JAIL_UNDECIDED, sizeof(j.why));
	jail_settle(&j, GW_JAIL_LAYER_ENV, JAIL_STANDS);

	jail_parse_args(&j, argc, argv);
	for (size_t i = 0; i < sizeof(stages) / sizeof(stages[0]); i++)
		stages[i].run(&j);
	/* P1 has its own copies of the cloned trees. */
	for (size_t i = 0; i < sizeof(j.pretree) / sizeof(j.pretree[0]); i++)
		if (j.pretree[i] >= 0)
			close(j.pretree[i]);
	jail_release(&j);
	jail_supervise(&j);
}
