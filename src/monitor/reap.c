/*
 * Ending a worker. Every path out of an env, a clean close, a crash, a
 * timeout or a protocol fault, comes through gw_worker_reap: wait a
 * grace period on the pidfd, SIGKILL the worker's whole session (the
 * launcher made it a session leader, so its children go too), waitpid,
 * and close every fd the worker had with us. Each wait is bounded.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "monitor/monitor_priv.h"

/* Without a pidfd (an old kernel), how often to look for the exit. */
#define POLL_EXIT_NS (1000u * 1000)
/* How long a killed sandbox's cgroups may stay busy. */
#define CGROUP_RMDIR_WAIT_NS (500u * 1000 * 1000)

/* Whether the worker has exited (it is not reaped here). */
static bool exited(const struct gw_env *e)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	if (waitid(P_PID, (id_t)e->pid, &si, WEXITED | WNOHANG | WNOWAIT) != 0)
		return errno == ECHILD;
	return si.si_pid == e->pid;
}

/* Wait up to ns for the worker to exit; whether it did. */
static bool wait_exit(const struct gw_env *e, uint64_t ns)
{
	uint64_t deadline = gw_shm_now_ns() + ns;

	for (;;) {
		uint64_t now = gw_shm_now_ns();
		struct pollfd pfd = { .fd = e->pidfd, .events = POLLIN };
		struct timespec ts = { 0, POLL_EXIT_NS };

		if (exited(e))
			return true;
		if (now >= deadline)
			return false;
		if (e->pidfd < 0) {
			nanosleep(&ts, NULL);
			continue;
		}
		ts.tv_sec = (time_t)((deadline - now) / 1000000000u);
		ts.tv_nsec = (long)((deadline - now) % 1000000000u);
		if (ppoll(&pfd, 1, &ts, NULL) < 0 && errno != EINTR)
			return exited(e);
	}
}

/*
 * SIGKILL the session, then the worker itself. The worker is our
 * child and not yet reaped, so neither its pid nor its process group
 * id can have been reused.
 */
static void kill_session(const struct gw_env *e)
{
	kill(-e->pid, SIGKILL);
	if (e->pidfd < 0 ||
	    syscall(SYS_pidfd_send_signal, e->pidfd, SIGKILL, NULL, 0) != 0)
		kill(e->pid, SIGKILL);
}

static void collect(struct gw_env *e)
{
	int status = 0;
	pid_t r;

	do
		r = waitpid(e->pid, &status, 0);
	while (r < 0 && errno == EINTR);
	e->exit.reaped = true;
	e->exit.unknown = r != e->pid;
	e->exit.status = status;
	e->pid = -1;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/*
 * Remove the cgroups the launcher reported, if it could not: after a
 * SIGKILL the sandbox's last processes may still be leaving them, so
 * retry EBUSY for a bounded while.
 */
static void remove_cgroups(struct gw_env *e)
{
	uint64_t deadline = gw_shm_now_ns() + CGROUP_RMDIR_WAIT_NS;
	struct timespec ts = { 0, POLL_EXIT_NS };

	for (size_t i = 0; i < e->jail.n_cgroups; i++) {
		const char *dir = e->jail.cgroups[i];

		if (dir[0] != '/' || !strstr(dir, "/gymwarden-"))
			continue;
		while (rmdir(dir) != 0 && errno == EBUSY &&
		       gw_shm_now_ns() < deadline)
			nanosleep(&ts, NULL);
	}
	e->jail.n_cgroups = 0;
}

void gw_worker_reap(struct gw_env *e, uint64_t grace_ns)
{
	if (e->pid > 0) {
		if (!wait_exit(e, grace_ns)) {
			e->exit.killed = true;
			kill_session(e);
			wait_exit(e, GW_MONITOR_REAP_WAIT_NS);
		} else {
			/* Whatever the worker left running in its session. */
			kill(-e->pid, SIGKILL);
		}
		collect(e);
	}

	/* The launcher is gone: what it said last says why the worker
	 * ended, and a cgroup it could not remove is ours to remove. */
	if (e->jail.fd >= 0)
		gw_jail_status_drain(e);
	remove_cgroups(e);

	/* What it wrote last is what a crash message quotes. */
	if (e->out.fd >= 0 && gw_logpipe_drain(&e->out, e) == 0)
		gw_logpipe_close(&e->out, e);
	if (e->err.fd >= 0 && gw_logpipe_drain(&e->err, e) == 0)
		gw_logpipe_close(&e->err, e);
	close_fd(&e->pidfd);
	close_fd(&e->sock);
	close_fd(&e->jail.fd);
}

void gw_worker_describe_exit(const struct gw_worker_exit *x, char *buf,
			     size_t cap)
{
	int st = x->status;

	if (!x->reaped)
		snprintf(buf, cap, "is still running");
	else if (x->unknown)
		snprintf(buf, cap,
			 "ended, exit status unknown (reaped "
			 "elsewhere)");
	else if (WIFEXITED(st))
		snprintf(buf, cap, "exited with status %d", WEXITSTATUS(st));
	else if (WIFSIGNALED(st) && x->killed && WTERMSIG(st) == SIGKILL)
		snprintf(buf, cap, "killed by the monitor (SIGKILL)");
	else if (WIFSIGNALED(st))
		snprintf(buf, cap, "killed by signal SIG%s (%d)",
			 sigabbrev_np(WTERMSIG(st)) ? sigabbrev_np(WTERMSIG(st))
						    : "?",
			 WTERMSIG(st));
	else
		snprintf(buf, cap, "ended with wait status 0x%x", st);
}

int gw_worker_pid(const struct gw_env *e)
{
	return e->pid > 0 ? (int)e->pid : -1;
}
