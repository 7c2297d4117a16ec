/*
 * Starting a worker. The trainer may be multi-threaded, so
 * the monitor never forks: it posix_spawns the launcher (gymwarden-jail)
 * with exactly the fds the worker gets, reads the launcher's status pipe
 * to learn whether every stage passed and the exec happened, and keeps a
 * pidfd for the bounded waits of reap.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/error.h"
#include "jail/launcher.h"
#include "monitor/monitor_config.h"
#include "monitor/monitor_priv.h"

/* Child-side fds are moved at least this high before the dup2s. */
#define CHILD_FD_MIN 10

/* Every fd a spawn makes; -1 when not open. Ours, then the child's. */
struct spawn_fds {
	int sock, out, err, status;
	int c_sock, c_out, c_err, c_status;
};

/* Where the launcher and the worker live, and the worker's arguments. */
struct spawn_paths {
	const char *jail;
	char worker[PATH_MAX];
	char package[PATH_MAX];
};

static const char *pick_path(const char *given, const char *var,
			     const char *builtin)
{
	const char *s;

	if (given && given[0])
		return given;
	s = secure_getenv(var);
	return s && s[0] ? s : builtin;
}

static int find_paths(struct gw_env *e, const struct gw_env_config *cfg,
		      struct spawn_paths *p, struct gw_error *err)
{
	const char *worker;
	char *slash;

	p->jail = pick_path(cfg ? cfg->jail_path : NULL, "GYMWARDEN_JAIL",
			    GW_JAIL_INSTALL_PATH);
	worker = pick_path(cfg ? cfg->worker_path : NULL, "GYMWARDEN_WORKER",
			   GW_WORKER_INSTALL_PATH);
	if (!realpath(worker, p->worker))
		return gw_env_fail(e, err, -errno, GW_ERR_SYSTEM, "",
				   "worker script %s: %s (set "
				   "GYMWARDEN_WORKER)",
				   worker, strerror(errno));

	/* <package dir>/gymwarden/worker.py: the folder that holds it. */
	memcpy(p->package, p->worker, sizeof(p->package));
	for (int i = 0; i < 2; i++) {
		slash = strrchr(p->package, '/');
		if (slash && slash != p->package)
			*slash = '\0';
	}
	return 0;
}

/* launcher --parent PID --layers L -- python -I -S worker ARGS; malloc'd. */
static char **build_argv(const struct gw_env *e, const struct spawn_paths *p,
			 char *parent)
{
	size_t n_deps = 0, i = 0;
	const char *const *deps =
		gw_manifest_env_dependency_paths(e->me, &n_deps);
	const char **argv = calloc(20 + 2 * n_deps, sizeof(*argv));

	if (!argv)
		return NULL;
	argv[i++] = p->jail;
	argv[i++] = "--parent";
	argv[i++] = parent;
	argv[i++] = "--layers";
	argv[i++] = GW_JAIL_LAYERS;
	argv[i++] = "--";
	argv[i++] = gw_manifest_env_interpreter(e->me);
	argv[i++] = "-I";
	argv[i++] = "-S";
	/* -I ignores PYTHONDONTWRITEBYTECODE: without -B the env's imports
	 * would write __pycache__ into its approved, hashed tree. */
	argv[i++] = "-B";
	argv[i++] = p->worker;
	argv[i++] = "--source";
	argv[i++] = gw_manifest_env_source(e->me);
	for (size_t d = 0; d < n_deps; d++) {
		argv[i++] = "--path";
		argv[i++] = deps[d];
	}
	argv[i++] = "--package";
	argv[i++] = p->package;
	return (char **)argv;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void close_child_fds(struct spawn_fds *f)
{
	close_fd(&f->c_sock);
	close_fd(&f->c_out);
	close_fd(&f->c_err);
	close_fd(&f->c_status);
}

/* Move a child-side fd out of the way of 0-4, keeping close-on-exec. */
static int lift(int *fd)
{
	int high = fcntl(*fd, F_DUPFD_CLOEXEC, CHILD_FD_MIN);

	if (high < 0)
		return -errno;
	close(*fd);
	*fd = high;
	return 0;
}

static int make_pipe(int *ours, int *theirs, bool nonblock)
{
	int p[2];

	if (pipe2(p, O_CLOEXEC) != 0)
		return -errno;
	*ours = p[0];
	*theirs = p[1];
	if (nonblock && fcntl(p[0], F_SETFL, O_NONBLOCK) != 0)
		return -errno;
	return lift(theirs);
}

static int make_fds(struct spawn_fds *f)
{
	int sv[2], r;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
		return -errno;
	f->sock = sv[0];
	f->c_sock = sv[1];
	r = lift(&f->c_sock);
	if (r == 0)
		r = make_pipe(&f->out, &f->c_out, true);
	if (r == 0)
		r = make_pipe(&f->err, &f->c_err, true);
	if (r == 0)
		r = make_pipe(&f->status, &f->c_status, false);
	return r;
}

static int file_actions(posix_spawn_file_actions_t *fa,
			const struct spawn_fds *f)
{
	int r;

	r = posix_spawn_file_actions_addopen(fa, STDIN_FILENO, "/dev/null",
					     O_RDONLY, 0);
	if (r == 0)
		r = posix_spawn_file_actions_adddup2(fa, f->c_out,
						     STDOUT_FILENO);
	if (r == 0)
		r = posix_spawn_file_actions_adddup2(fa, f->c_err,
						     STDERR_FILENO);
	if (r == 0)
		r = posix_spawn_file_actions_adddup2(fa, f->c_sock,
						     GW_JAIL_SOCKET_FD);
	if (r == 0)
		r = posix_spawn_file_actions_adddup2(fa, f->c_status,
						     GW_JAIL_STATUS_FD);
	return -r;
}

/* Default signal dispositions and an empty mask from the first insn. */
static int spawn_attr(posix_spawnattr_t *attr)
{
	sigset_t all, none;
	int r;

	sigfillset(&all);
	sigemptyset(&none);
	r = posix_spawnattr_setflags(attr, POSIX_SPAWN_SETSIGDEF |
						   POSIX_SPAWN_SETSIGMASK);
	if (r == 0)
		r = posix_spawnattr_setsigdefault(attr, &all);
	if (r == 0)
		r = posix_spawnattr_setsigmask(attr, &none);
	return -r;
}

static int spawn(struct gw_env *e, const struct spawn_paths *p,
		 struct spawn_fds *f, struct gw_error *err)
{
	static char *const no_env[] = { NULL };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	char parent[24];
	char **argv;
	int r;

	snprintf(parent, sizeof(parent), "%d", (int)getpid());
	argv = build_argv(e, p, parent);
	if (!argv)
		return gw_env_fail(e, err, -ENOMEM, GW_ERR_SYSTEM, "",
				   "out of memory");
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);

	r = file_actions(&fa, f);
	if (r == 0)
		r = spawn_attr(&attr);
	if (r == 0)
		r = -posix_spawn(&e->pid, p->jail, &fa, &attr, argv, no_env);
	if (r < 0) {
		e->pid = -1;
		gw_env_fail(e, err, r, GW_ERR_SYSTEM, "",
			    "cannot start the launcher %s: %s (set "
			    "GYMWARDEN_JAIL)",
			    p->jail, strerror(-r));
	}

	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	free(argv);
	return r;
}

/* Read the status pipe to its end (the exec closes it) or the deadline. */
static int read_status(int fd, char *buf, size_t cap, uint64_t deadline)
{
	size_t len = 0;

	for (;;) {
		uint64_t now = gw_shm_now_ns();
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (now >= deadline)
			return -ETIMEDOUT;
		if (poll(&pfd, 1, (int)((deadline - now) / 1000000 + 1)) < 0 &&
		    errno != EINTR)
			return -errno;
		if (!pfd.revents)
			continue;
		n = read(fd, buf + len, cap - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		len += (size_t)n;
		buf[len] = '\0';
		if (n == 0 || len == cap - 1)
			return 0;
	}
}

/* What the launcher's status says: 0 and the layers, or why it failed. */
static int judge_status(struct gw_env *e, const char *status,
			struct gw_error *err)
{
	const char *fail = strstr(status, "fail ");
	const char *layers = strstr(status, "layers ");
	char stage[32] = "";
	int code = 0;

	if (fail && sscanf(fail, "fail %31s %d", stage, &code) >= 1) {
		bool exec = strcmp(stage,
				   gw_jail_stage_name(GW_JAIL_STAGE_EXEC)) == 0;
		char cause[160];

		if (exec)
			snprintf(cause, sizeof(cause),
				 "the worker's interpreter cannot be run: %s",
				 strerror(code));
		else
			snprintf(cause, sizeof(cause),
				 "the sandbox launcher failed its %s stage: %s",
				 stage, strerror(code));
		return gw_env_die(e, err, -ECHILD,
				  exec ? GW_ERR_MANIFEST : GW_ERR_SANDBOX,
				  false, cause);
	}
	if (!layers || sscanf(layers, "layers %127[a-z,-]", e->layers) != 1)
		return gw_env_die(e, err, -EPROTO, GW_ERR_SANDBOX, true,
				  "the launcher did not report its layers "
				  "(is GYMWARDEN_JAIL a gymwarden-jail?)");
	return 0;
}

static int launch(struct gw_env *e, struct spawn_fds *f, struct gw_error *err)
{
	char status[GW_JAIL_STATUS_MAX_BYTES];
	int r;

	e->pidfd = (int)syscall(SYS_pidfd_open, e->pid, 0);
	e->sock = f->sock;
	f->sock = -1;
	gw_logpipe_init(&e->out, "stdout", f->out);
	gw_logpipe_init(&e->err, "stderr", f->err);
	f->out = f->err = -1;

	r = read_status(f->status, status, sizeof(status),
			gw_shm_now_ns() + GW_MONITOR_LAUNCH_TIMEOUT_NS);
	if (r < 0)
		return gw_env_die(e, err, r, GW_ERR_SANDBOX, true,
				  "the launcher did not finish its stages");
	return judge_status(e, status, err);
}

int gw_worker_spawn(struct gw_env *e, struct gw_error *err)
{
	struct spawn_fds f = { -1, -1, -1, -1, -1, -1, -1, -1 };
	const struct gw_env_config *cfg = e->cfg;
	struct spawn_paths p;
	int r;

	r = find_paths(e, cfg, &p, err);
	if (r < 0)
		return r;
	r = make_fds(&f);
	if (r < 0) {
		gw_env_fail(e, err, r, GW_ERR_SYSTEM, "",
			    "cannot make the worker's channels: %s",
			    strerror(-r));
		goto out;
	}
	r = spawn(e, &p, &f, err);
	close_child_fds(&f);
	if (r < 0)
		goto out;
	e->born_ns = gw_shm_now_ns();
	r = launch(e, &f, err);
out:
	close_child_fds(&f);
	close_fd(&f.sock);
	close_fd(&f.out);
	close_fd(&f.err);
	close_fd(&f.status);
	return r;
}
