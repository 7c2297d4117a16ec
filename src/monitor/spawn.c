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
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/error.h"
#include "core/log.h"
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
	char exec[PATH_MAX];   /* the interpreter's real path */
	char prefix[PATH_MAX]; /* the folder above its bin/ */
};

/* The launcher's numeric arguments, as text. */
struct spawn_numbers {
	char parent[24], memory[24], processes[24], cpu[24], fsize[24];
	char nofile[24], tmp[24], lifetime[24];
	char require[256];
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

/* Strip the last n components of path, in place. */
static void up(char *path, int n)
{
	for (int i = 0; i < n; i++) {
		char *slash = strrchr(path, '/');

		if (slash && slash != path)
			*slash = '\0';
		else if (slash)
			slash[1] = '\0';
	}
}

/* Every dependency path must be there to be bound (source is checked
 * when the manifest is loaded). */
static int check_binds(struct gw_env *e, struct gw_error *err)
{
	size_t n = 0;
	const char *const *deps = gw_manifest_env_dependency_paths(e->me, &n);
	char field[64];
	struct stat st;

	for (size_t i = 0; i < n; i++) {
		if (stat(deps[i], &st) == 0)
			continue;
		snprintf(field, sizeof(field), "dependency_paths[%zu]", i);
		return gw_env_fail(e, err, -errno, GW_ERR_MANIFEST, field,
				   "dependency path %s: %s: the sandbox cannot "
				   "bind it",
				   deps[i], strerror(errno));
	}
	return 0;
}

static int find_paths(struct gw_env *e, const struct gw_env_config *cfg,
		      struct spawn_paths *p, struct gw_error *err)
{
	const char *interp = gw_manifest_env_interpreter(e->me);
	const char *worker;
	int r;

	p->jail = pick_path(cfg ? cfg->jail_path : NULL, "GYMWARDEN_JAIL",
			    GW_JAIL_INSTALL_PATH);
	worker = pick_path(cfg ? cfg->worker_path : NULL, "GYMWARDEN_WORKER",
			   GW_WORKER_INSTALL_PATH);
	if (!realpath(worker, p->worker))
		return gw_env_fail(e, err, -errno, GW_ERR_SYSTEM, "",
				   "worker script %s: %s (set "
				   "GYMWARDEN_WORKER)",
				   worker, strerror(errno));
	if (!realpath(interp, p->exec))
		return gw_env_fail(e, err, -errno, GW_ERR_MANIFEST, "",
				   "interpreter %s: %s", interp,
				   strerror(errno));

	/* A folder the sandbox must bind and cannot is the manifest's
	 * fault, named here rather than as a failed launcher stage. */
	r = check_binds(e, err);
	if (r < 0)
		return r;

	/* <package dir>/gymwarden/worker.py: the folder that holds it. */
	memcpy(p->package, p->worker, sizeof(p->package));
	up(p->package, 2);
	/* <prefix>/bin/python3.11: the sandbox sees all of <prefix>. */
	memcpy(p->prefix, p->exec, sizeof(p->prefix));
	up(p->prefix, 2);
	if (strcmp(p->prefix, "/") == 0)
		return gw_env_fail(e, err, -EINVAL, GW_ERR_MANIFEST, "",
				   "interpreter %s lives directly under /: "
				   "its prefix would be the whole file "
				   "system, which the sandbox will not bind",
				   p->exec);
	return 0;
}

/* "net,seccomp": the manifest's sandbox.require, by launcher name. */
static void require_list(uint32_t mask, char *buf, size_t cap)
{
	size_t len = 0;

	buf[0] = '\0';
	for (unsigned l = 0; l < GW_REQUIRE_COUNT; l++)
		if (mask & (1u << l) && len < cap)
			len += (size_t)snprintf(buf + len, cap - len, "%s%s",
						len ? "," : "",
						gw_require_layer_name(l));
}

static void numbers(const struct gw_env *e, struct spawn_numbers *n)
{
	const struct gw_sandbox_limits *sb = gw_manifest_env_sandbox(e->me);

#define NUM(field, value)                                                      \
	snprintf(n->field, sizeof(n->field), "%llu",                           \
		 (unsigned long long)(value))
	NUM(parent, (unsigned long long)getpid());
	NUM(memory, sb->memory_bytes);
	NUM(processes, sb->processes);
	/* setrlimit counts whole seconds: round up. */
	NUM(cpu, (sb->cpu_time_ns + 999999999u) / 1000000000u);
	NUM(fsize, sb->file_size_bytes);
	NUM(nofile, sb->open_files);
	NUM(tmp, sb->tmp_size_bytes);
	NUM(lifetime, (sb->lifetime_ns + 999999u) / 1000000u);
#undef NUM
	require_list(sb->require_mask, n->require, sizeof(n->require));
}

/*
 * launcher --parent PID [limits] --ro DIR... --exec FILE --
 * python -I -S -B worker ARGS; malloc'd.
 */
static char **build_argv(const struct gw_env *e, const struct spawn_paths *p,
			 const struct spawn_numbers *n)
{
	size_t n_deps = 0, i = 0;
	const char *const *deps =
		gw_manifest_env_dependency_paths(e->me, &n_deps);
	const char **argv = calloc(48 + 4 * n_deps, sizeof(*argv));
	const struct gw_sandbox_limits *sb = gw_manifest_env_sandbox(e->me);

	if (!argv)
		return NULL;
	argv[i++] = p->jail;
	argv[i++] = "--parent";
	argv[i++] = n->parent;
	if (n->require[0]) {
		argv[i++] = "--require";
		argv[i++] = n->require;
	}
	argv[i++] = "--memory";
	argv[i++] = n->memory;
	argv[i++] = "--processes";
	argv[i++] = n->processes;
	argv[i++] = "--cpu-time";
	argv[i++] = n->cpu;
	argv[i++] = "--file-size";
	argv[i++] = n->fsize;
	argv[i++] = "--open-files";
	argv[i++] = n->nofile;
	argv[i++] = "--tmp-size";
	argv[i++] = n->tmp;
	argv[i++] = "--lifetime";
	argv[i++] = n->lifetime;
	argv[i++] = "--on-violation";
	argv[i++] =
		sb->on_violation == GW_ON_VIOLATION_ERRNO ? "errno" : "kill";
	argv[i++] = "--ro";
	argv[i++] = p->prefix;
	argv[i++] = "--ro";
	argv[i++] = p->package;
	argv[i++] = "--ro";
	argv[i++] = gw_manifest_env_source(e->me);
	for (size_t d = 0; d < n_deps; d++) {
		argv[i++] = "--ro";
		argv[i++] = deps[d];
	}
	argv[i++] = "--exec";
	argv[i++] = p->exec;
	argv[i++] = "--";
	argv[i++] = p->exec;
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
		r = make_pipe(&f->status, &f->c_status, true);
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
	struct spawn_numbers n;
	char **argv;
	int r;

	numbers(e, &n);
	argv = build_argv(e, p, &n);
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

/* Read the status pipe up to `ready`, a `fail`, its end or the deadline. */
static int read_status(struct gw_env *e, uint64_t deadline)
{
	struct gw_jail_status *js = &e->jail;

	for (;;) {
		uint64_t now = gw_shm_now_ns();
		struct pollfd pfd = { .fd = js->fd, .events = POLLIN };

		if (gw_jail_status_drain(e) || js->ready || js->failed)
			return 0;
		if (now >= deadline)
			return -ETIMEDOUT;
		if (poll(&pfd, 1, (int)((deadline - now) / 1000000 + 1)) < 0 &&
		    errno != EINTR)
			return -errno;
	}
}

/* "net (no-userns), seccomp (unsupported)" from "net:no-userns,...". */
static void missing_text(const char *missing, char *buf, size_t cap)
{
	size_t len = 0;

	buf[0] = '\0';
	while (*missing && len < cap) {
		size_t n = strcspn(missing, ",");
		const char *colon = memchr(missing, ':', n);
		int name = colon ? (int)(colon - missing) : (int)n;

		len += (size_t)snprintf(buf + len, cap - len, "%s%.*s",
					len ? ", " : "", name, missing);
		if (colon && len < cap)
			len += (size_t)snprintf(buf + len, cap - len, " (%.*s)",
						(int)(n - (size_t)name - 1),
						colon + 1);
		missing += n + (missing[n] == ',');
	}
}

/* What the launcher's status says: 0 and the layers, or why it failed. */
static int judge_status(struct gw_env *e, struct gw_error *err)
{
	const struct gw_jail_status *js = &e->jail;
	char cause[768], names[1024];
	int r;

	if (js->failed) {
		const char *stage = js->fail_stage;
		bool exec = strcmp(stage,
				   gw_jail_stage_name(GW_JAIL_STAGE_EXEC)) == 0;
		bool require =
			strcmp(stage,
			       gw_jail_stage_name(GW_JAIL_STAGE_REQUIRE)) == 0;

		missing_text(js->missing, names, sizeof(names));
		if (exec)
			snprintf(cause, sizeof(cause),
				 "the worker's interpreter cannot be run: %s",
				 strerror(js->fail_errno));
		else if (require)
			snprintf(cause, sizeof(cause),
				 "the manifest requires sandbox layers this "
				 "host does not provide: %.600s",
				 names[0] ? names
					  : "(the launcher did not "
					    "say which)");
		else
			snprintf(cause, sizeof(cause),
				 "the sandbox launcher failed its %s stage: %s",
				 stage, strerror(js->fail_errno));
		r = gw_env_die(e, err, require ? -EPERM : -ECHILD,
			       exec ? GW_ERR_MANIFEST : GW_ERR_SANDBOX, false,
			       cause);
		/* What the manifest asked for is where the refusal points. */
		if (require && err)
			snprintf(err->field, sizeof(err->field),
				 "sandbox.require");
		return r;
	}
	if (!js->ready || !js->layers[0])
		return gw_env_die(e, err, -EPROTO, GW_ERR_SANDBOX, true,
				  "the launcher did not report its layers "
				  "(is GYMWARDEN_JAIL a gymwarden-jail?)");
	if (js->missing[0]) {
		missing_text(js->missing, names, sizeof(names));
		gw_log(GW_LOG_WARN,
		       "%s#%llu: sandbox layers not enforced on "
		       "this host: %s",
		       e->id, (unsigned long long)e->instance, names);
	}
	return 0;
}

static int launch(struct gw_env *e, struct spawn_fds *f, struct gw_error *err)
{
	int r;

	e->pidfd = (int)syscall(SYS_pidfd_open, e->pid, 0);
	e->sock = f->sock;
	f->sock = -1;
	gw_logpipe_init(&e->out, "stdout", f->out);
	gw_logpipe_init(&e->err, "stderr", f->err);
	f->out = f->err = -1;
	e->jail.fd = f->status;
	f->status = -1;

	r = read_status(e, gw_shm_now_ns() + GW_MONITOR_LAUNCH_TIMEOUT_NS);
	if (r < 0)
		return gw_env_die(e, err, r, GW_ERR_SANDBOX, true,
				  "the launcher did not finish its stages");
	return judge_status(e, err);
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
