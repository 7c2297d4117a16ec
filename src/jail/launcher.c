/*
 * gymwarden-jail: the launcher the monitor posix_spawns for each
 * worker. It turns the process it was started as into the worker's
 * sandbox, one stage at a time, and then execs the worker interpreter.
 * It is a program, not a library: a stage that fails reports itself on
 * the status pipe and exits with its own code (launcher.h, docs/jail.md)
 * because a half-built sandbox must never run environment code.
 *
 * Only async-signal-safe work happens before the exec and nothing is
 * allocated: the launcher is small enough to read in one sitting.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jail/launcher.h"

/* What the command line asked for. */
struct jail {
	int argc;
	char **args; /* the launcher's own argv */
	pid_t parent;
	const char *layers;
	char **argv; /* the program and its arguments */
};

/* The environment of every worker: nothing is inherited. */
static char *const worker_env[] = {
	"PATH=/usr/bin:/bin",	     "LANG=C.UTF-8", "HOME=/nonexistent",
	"PYTHONDONTWRITEBYTECODE=1", NULL,
};

static void say(const char *stage, const char *what, int err)
{
	char line[GW_JAIL_STATUS_MAX_BYTES];
	int n;

	n = snprintf(line, sizeof(line), "gymwarden-jail: %s: %s%s%s\n", stage,
		     what, err ? ": " : "", err ? strerror(err) : "");
	if (n > 0)
		(void)!write(STDERR_FILENO, line,
			     (size_t)n < sizeof(line) ? (size_t)n
						      : sizeof(line) - 1);
}

/* Report the failed stage on the status pipe and stderr, and exit. */
static void __attribute__((noreturn))
fail(enum gw_jail_stage stage, const char *what, int err)
{
	char line[64];
	int n;

	n = snprintf(line, sizeof(line), "fail %s %d\n",
		     gw_jail_stage_name(stage), err);
	if (n > 0 && stage > GW_JAIL_STAGE_STATUS)
		(void)!write(GW_JAIL_STATUS_FD, line, (size_t)n);
	say(gw_jail_stage_name(stage), what, err);
	_exit(GW_JAIL_EXIT_BASE + (int)stage);
}

static bool known_layer(const char *name, size_t len)
{
	const char *p = GW_JAIL_LAYERS;

	while (*p) {
		size_t n = strcspn(p, ",");

		if (n == len && strncmp(p, name, len) == 0)
			return true;
		p += n + (p[n] == ',');
	}
	return false;
}

/* Every name in the comma-separated list is a layer we enforce. */
static bool layers_ok(const char *list)
{
	const char *p = list;

	if (!*p)
		return false;
	for (;;) {
		size_t n = strcspn(p, ",");

		if (n == 0 || !known_layer(p, n))
			return false;
		if (!p[n])
			return true;
		p += n + 1;
	}
}

static void stage_args(struct jail *j)
{
	int argc = j->argc;
	char **argv = j->args;
	char *end;
	long pid;

	if (argc < 7 || strcmp(argv[1], "--parent") != 0 ||
	    strcmp(argv[3], "--layers") != 0 || strcmp(argv[5], "--") != 0)
		fail(GW_JAIL_STAGE_ARGS,
		     "usage: gymwarden-jail --parent PID --layers LIST -- "
		     "PROGRAM [ARG...]",
		     0);
	errno = 0;
	pid = strtol(argv[2], &end, 10);
	if (errno || *end || pid <= 1 || pid > INT_MAX)
		fail(GW_JAIL_STAGE_ARGS, "--parent is not a process id", 0);
	if (!layers_ok(argv[4]))
		fail(GW_JAIL_STAGE_ARGS,
		     "--layers names a layer this launcher cannot enforce "
		     "(it enforces " GW_JAIL_LAYERS ")",
		     0);
	j->parent = (pid_t)pid;
	j->layers = argv[4];
	j->argv = argv + 6;
}

static void stage_socket(struct jail *j __attribute__((unused)))
{
	int type = 0;
	socklen_t len = sizeof(type);
	struct stat st;

	if (fstat(GW_JAIL_SOCKET_FD, &st) != 0)
		fail(GW_JAIL_STAGE_SOCKET, "fd 3 is not open", errno);
	if (!S_ISSOCK(st.st_mode))
		fail(GW_JAIL_STAGE_SOCKET, "fd 3 is not a socket", ENOTSOCK);
	if (getsockopt(GW_JAIL_SOCKET_FD, SOL_SOCKET, SO_TYPE, &type, &len) !=
	    0)
		fail(GW_JAIL_STAGE_SOCKET, "reading fd 3's type", errno);
	if (type != SOCK_SEQPACKET)
		fail(GW_JAIL_STAGE_SOCKET, "fd 3 is not SOCK_SEQPACKET",
		     EPROTOTYPE);
}

/* fd 4 must be a pipe and must not survive the exec. */
static void stage_status(struct jail *j __attribute__((unused)))
{
	struct stat st;

	if (fstat(GW_JAIL_STATUS_FD, &st) != 0 || !S_ISFIFO(st.st_mode))
		fail(GW_JAIL_STAGE_STATUS, "fd 4 is not the status pipe",
		     EBADF);
	if (fcntl(GW_JAIL_STATUS_FD, F_SETFD, FD_CLOEXEC) != 0)
		fail(GW_JAIL_STAGE_STATUS, "marking fd 4 close-on-exec", errno);
}

/*
 * Ask for SIGKILL when the parent goes, then look again: a parent that
 * died before the prctl would leave us re-parented and never signalled.
 */
static void stage_pdeathsig(struct jail *j)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0)
		fail(GW_JAIL_STAGE_PDEATHSIG, "prctl(PR_SET_PDEATHSIG)", errno);
	if (getppid() != j->parent)
		fail(GW_JAIL_STAGE_PDEATHSIG, "the monitor is gone", ESRCH);
}

/* A new session: no controlling terminal, its own process group. */
static void stage_session(struct jail *j __attribute__((unused)))
{
	if (setsid() < 0)
		fail(GW_JAIL_STAGE_SESSION, "setsid", errno);
}

static void stage_signals(struct jail *j __attribute__((unused)))
{
	sigset_t none;

	for (int sig = 1; sig < NSIG; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		/* glibc keeps a few real-time signals for itself: EINVAL. */
		if (signal(sig, SIG_DFL) == SIG_ERR && errno != EINVAL)
			fail(GW_JAIL_STAGE_SIGNALS, "signal", errno);
	}
	sigemptyset(&none);
	if (sigprocmask(SIG_SETMASK, &none, NULL) != 0)
		fail(GW_JAIL_STAGE_SIGNALS, "sigprocmask", errno);
}

/*
 * Close every fd above the status pipe; the pipe itself closes at the
 * exec, leaving 0-3. A kernel without close_range gets the slow loop.
 */
static void stage_fds(struct jail *j __attribute__((unused)))
{
	struct rlimit rl;

	for (int fd = 0; fd <= GW_JAIL_STATUS_FD; fd++)
		if (fcntl(fd, F_GETFD) < 0)
			fail(GW_JAIL_STAGE_FDS, "an fd of 0-4 is not open",
			     EBADF);
	if (close_range(GW_JAIL_STATUS_FD + 1, ~0U, 0) == 0)
		return;
	if (errno != ENOSYS)
		fail(GW_JAIL_STAGE_FDS, "close_range", errno);
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		fail(GW_JAIL_STAGE_FDS, "getrlimit", errno);
	for (rlim_t fd = GW_JAIL_STATUS_FD + 1;
	     fd < rl.rlim_cur && fd < (1u << 20); fd++)
		close((int)fd);
}

static void stage_exec(struct jail *j)
{
	char line[GW_JAIL_STATUS_MAX_BYTES];
	int n;

	n = snprintf(line, sizeof(line), "layers %s\n", GW_JAIL_LAYERS);
	if (n <= 0 || (size_t)n >= sizeof(line) ||
	    write(GW_JAIL_STATUS_FD, line, (size_t)n) != n)
		fail(GW_JAIL_STAGE_EXEC, "writing the status pipe", EIO);
	execve(j->argv[0], j->argv, worker_env);
	fail(GW_JAIL_STAGE_EXEC, j->argv[0], errno);
}

/*
 * The stages in the order they run (enum gw_jail_stage). The order
 * matters: die-with-parent is armed before anything slow, the session
 * and signal state are settled before the fds are swept, and the exec
 * comes last, with nothing of the launcher left behind but fds 0-3.
 */
static const struct {
	enum gw_jail_stage stage;
	void (*run)(struct jail *j);
} stages[] = {
	{ GW_JAIL_STAGE_ARGS, stage_args },
	{ GW_JAIL_STAGE_SOCKET, stage_socket },
	{ GW_JAIL_STAGE_STATUS, stage_status },
	{ GW_JAIL_STAGE_PDEATHSIG, stage_pdeathsig },
	{ GW_JAIL_STAGE_SESSION, stage_session },
	{ GW_JAIL_STAGE_SIGNALS, stage_signals },
	{ GW_JAIL_STAGE_FDS, stage_fds },
	{ GW_JAIL_STAGE_EXEC, stage_exec },
};

_Static_assert(sizeof(stages) / sizeof(stages[0]) == GW_JAIL_STAGE_COUNT,
	       "one entry per stage");

int main(int argc, char **argv)
{
	struct jail j = { .argc = argc, .args = argv };

	for (size_t i = 0; i < sizeof(stages) / sizeof(stages[0]); i++)
		stages[i].run(&j);
	/* stage_exec returns only through fail(). */
	return GW_JAIL_EXIT_BASE + GW_JAIL_STAGE_EXEC;
}
