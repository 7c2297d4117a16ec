/*
 * L after the release: forward the sandbox's setup records to the
 * status pipe, say `ready` when the worker's exec has happened, answer
 * the seccomp listener, enforce the wall-clock lifetime, and when P1 is
 * gone name the limit that ended the worker, say how it ended, clean up
 * and end the same way, so the monitor's reaping sees the worker's fate.
 */
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "jail/jail.h"
#include "jail/seccomp.h"

enum { FD_SYNC, FD_PASS, FD_LISTENER, FD_RESULT, FD_P1, FD_COUNT };

struct watch {
	struct jail *j;
	char buf[4 * JAIL_LINE_MAX]; /* sync pipe bytes not yet a line */
	size_t len;
	int fd[FD_COUNT]; /* -1 once closed */
	bool saw_layers, ready, lifetime_out, p1_gone;
	int failed; /* the stage a `fail` record named, or -1 */
	struct gw_seccomp_supervisor sv;
	struct jail_result result;
	bool have_result;
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void close_watch(struct watch *w, int which)
{
	if (w->fd[which] >= 0)
		close(w->fd[which]);
	w->fd[which] = -1;
}

void jail_kill_p1(struct jail *j)
{
	if (j->p1 <= 0)
		return;
	if (j->p1_pidfd < 0 ||
	    syscall(SYS_pidfd_send_signal, j->p1_pidfd, SIGKILL, NULL, 0) != 0)
		kill(j->p1, SIGKILL);
}

void jail_reap_p1(struct jail *j, int *status)
{
	int st = 0;

	if (j->p1 <= 0)
		return;
	while (waitpid(j->p1, &st, 0) < 0 && errno == EINTR)
		;
	if (status)
		*status = st;
	j->p1 = 0;
}

/* The records P1 and W may send; anything else is a launcher bug. */
static void sync_line(struct watch *w, char *line)
{
	int fd = GW_JAIL_STATUS_FD;

	if (strncmp(line, "layers ", 7) == 0) {
		w->saw_layers = true;
	} else if (strncmp(line, "fail ", 5) == 0) {
		size_t n = strcspn(line + 5, " ");

		w->failed = jail_stage_lookup(line + 5, n);
		if (w->failed < 0)
			w->failed = GW_JAIL_STAGE_INIT;
	} else if (strncmp(line, "missing ", 8) != 0) {
		return;
	}
	(void)jail_write_line(fd, "%s", line);
}

/*
 * The sync pipe closes when the worker's exec has closed W's end (P1
 * closed its own at the fork): after `layers` and no `fail`, that is
 * the exec. Without `layers` the sandbox died while being built.
 */
static void sync_eof(struct watch *w)
{
	int err = w->lifetime_out ? ETIMEDOUT : ECHILD;

	close_watch(w, FD_SYNC);
	if (w->failed >= 0)
		return;
	if (!w->saw_layers || w->lifetime_out) {
		w->failed = GW_JAIL_STAGE_INIT;
		(void)jail_write_line(GW_JAIL_STATUS_FD, "fail %s %d",
				      gw_jail_stage_name(GW_JAIL_STAGE_INIT),
				      err);
		jail_say("init", "the sandbox died before its exec", err);
		return;
	}
	jail_cgroup_report(w->j, GW_JAIL_STATUS_FD);
	(void)jail_write_line(GW_JAIL_STATUS_FD, "ready");
	w->ready = true;
}

static void read_sync(struct watch *w)
{
	ssize_t n = read(w->fd[FD_SYNC], w->buf + w->len,
			 sizeof(w->buf) - 1 - w->len);
	char *start = w->buf, *nl;

	if (n < 0 && errno == EINTR)
		return;
	if (n <= 0) {
		sync_eof(w);
		return;
	}
	w->len += (size_t)n;
	w->buf[w->len] = '\0';
	while ((nl = strchr(start, '\n'))) {
		*nl = '\0';
		sync_line(w, start);
		start = nl + 1;
	}
	w->len -= (size_t)(start - w->buf);
	memmove(w->buf, start, w->len);
	/* A line longer than the buffer is not ours: drop it. */
	if (w->len == sizeof(w->buf) - 1)
		w->len = 0;
}

/* W passes the seccomp listener once; EOF means it has none. */
static void read_pass(struct watch *w)
{
	char byte;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = u.buf,
		.msg_controllen = sizeof(u.buf),
	};
	struct cmsghdr *c;
	ssize_t n = recvmsg(w->fd[FD_PASS], &msg, MSG_CMSG_CLOEXEC);

	if (n < 0 && errno == EINTR)
		return;
	c = n > 0 ? CMSG_FIRSTHDR(&msg) : NULL;
	if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
		memcpy(&w->fd[FD_LISTENER], CMSG_DATA(c), sizeof(int));
		w->sv.listener = w->fd[FD_LISTENER];
		w->sv.on_violation = w->j->kill_on_violation ? GW_SECCOMP_KILL
							     : GW_SECCOMP_ERRNO;
		w->sv.execs_allowed = 1;
	}
	close_watch(w, FD_PASS);
}

static void answer(struct watch *w)
{
	char line[JAIL_LINE_MAX];
	bool kill = false;
	int r = gw_seccomp_answer(&w->sv, line, sizeof(line), &kill);

	if (r < 0) {
		close_watch(w, FD_LISTENER);
		return;
	}
	if (r == 1) {
		line[strcspn(line, "\n")] = '\0';
		(void)jail_write_line(GW_JAIL_STATUS_FD, "%s", line);
	}
	/* The report is out: now the call may fail and the worker go on. */
	if (gw_seccomp_release(&w->sv) < 0)
		close_watch(w, FD_LISTENER);
	if (kill)
		jail_kill_p1(w->j);
}

static void read_result(struct watch *w)
{
	ssize_t n = read(w->fd[FD_RESULT], &w->result, sizeof(w->result));

	if (n < 0 && errno == EINTR)
		return;
	w->have_result = n == (ssize_t)sizeof(w->result);
	close_watch(w, FD_RESULT);
	/* Without a pidfd, P1's end of the result pipe is its exit. */
	if (w->fd[FD_P1] < 0)
		w->p1_gone = true;
}

static int timeout_ms(const struct watch *w)
{
	uint64_t end, now = now_ms();

	if (!w->j->lifetime_ms.set || w->lifetime_out)
		return -1;
	end = w->j->start_ms + w->j->lifetime_ms.value;
	return end <= now
		       ? 0
		       : (int)(end - now < INT32_MAX ? end - now : INT32_MAX);
}

static void watch_once(struct watch *w)
{
	static const short events = POLLIN;
	struct pollfd pfd[FD_COUNT];
	int n;

	for (int i = 0; i < FD_COUNT; i++)
		pfd[i] = (struct pollfd){ .fd = w->fd[i], .events = events };
	n = poll(pfd, FD_COUNT, timeout_ms(w));
	if (n < 0 && errno == EINTR)
		return;
	if (n == 0) {
		w->lifetime_out = true;
		jail_kill_p1(w->j);
		return;
	}
	/* Setup records first: a `fail` must be seen before P1's exit. */
	if (pfd[FD_SYNC].revents)
		read_sync(w);
	if (pfd[FD_PASS].revents)
		read_pass(w);
	if (w->fd[FD_LISTENER] >= 0 && (pfd[FD_LISTENER].revents & POLLIN))
		answer(w);
	/* No task uses the filter any more: nothing will come. */
	if (w->fd[FD_LISTENER] >= 0 &&
	    (pfd[FD_LISTENER].revents & (POLLHUP | POLLERR | POLLNVAL)))
		close_watch(w, FD_LISTENER);
	if (pfd[FD_RESULT].revents)
		read_result(w);
	if (pfd[FD_P1].revents)
		w->p1_gone = true;
}

/* What the worker's end says about a limit, as a `limit` record. */
static void report_limits(const struct watch *w, int status)
{
	const struct jail *j = w->j;
	int fd = GW_JAIL_STATUS_FD,
	    sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
	bool cpu_spent = w->have_result && j->cpu_time.set &&
			 w->result.cpu_usec != JAIL_RESULT_NO_CPU &&
			 w->result.cpu_usec >= j->cpu_time.value * 1000000;

	if (w->lifetime_out)
		(void)jail_write_line(fd,
				      "limit lifetime %llu ms of wall clock",
				      (unsigned long long)j->lifetime_ms.value);
	else if (sig == SIGXCPU || (sig == SIGKILL && cpu_spent))
		(void)jail_write_line(fd, "limit cpu-time %llu s of CPU time",
				      (unsigned long long)j->cpu_time.value);
	else if (sig == SIGXFSZ)
		(void)jail_write_line(fd, "limit file-size %llu bytes",
				      (unsigned long long)j->file_size.value);
	else if (sig == SIGKILL && jail_cgroup_hit(j, true))
		(void)jail_write_line(fd, "limit memory %llu bytes",
				      (unsigned long long)j->memory.value);
	/* The filter kills a foreign-ABI call outright (no listener hears
	 * it): SIGSYS is its mark, unless the worker raised it itself. */
	else if (sig == SIGSYS)
		(void)jail_write_line(fd, "violation foreign-abi -1 kill "
					  "killed by SIGSYS: a system call of "
					  "a foreign architecture or ABI "
					  "(int 0x80, x32), or a SIGSYS the "
					  "worker raised itself");
	if (jail_cgroup_hit(j, false))
		(void)jail_write_line(fd, "limit processes %llu processes",
				      (unsigned long long)j->processes.value);
}

/* End as the worker did: its exit status, or its signal, no core. */
static void __attribute__((noreturn)) mirror(int status)
{
	struct rlimit none = { 0, 0 };
	sigset_t set;
	int sig;

	if (WIFEXITED(status))
		_exit(WEXITSTATUS(status));
	sig = WTERMSIG(status);
	(void)setrlimit(RLIMIT_CORE, &none);
	signal(sig, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	kill(getpid(), sig);
	/* A signal whose default is to be ignored cannot end us. */
	_exit(128 + sig);
}

static void __attribute__((noreturn)) finish(struct watch *w)
{
	struct jail *j = w->j;
	int status = 0;

	jail_reap_p1(j, NULL);
	while (w->fd[FD_SYNC] >= 0)
		read_sync(w);
	if (!w->ready) {
		jail_cgroup_remove(j);
		_exit(GW_JAIL_EXIT_BASE +
		      (w->failed >= 0 ? w->failed : GW_JAIL_STAGE_INIT));
	}

	if (w->have_result && w->result.cpu_usec != JAIL_RESULT_NO_CPU)
		status = w->result.status;
	else
		status = SIGKILL; /* P1 was killed before it could tell */
	report_limits(w, status);
	if (WIFSIGNALED(status))
		(void)jail_write_line(GW_JAIL_STATUS_FD, "end signal %d",
				      WTERMSIG(status));
	else
		(void)jail_write_line(GW_JAIL_STATUS_FD, "end exit %d",
				      WEXITSTATUS(status));
	close(GW_JAIL_STATUS_FD);

	/* Orphans of a sandbox without a pid namespace came to us. */
	if (!(j->clone_flags & CLONE_NEWPID)) {
		int fd = jail_open_children();

		jail_sweep_children(fd);
		if (fd >= 0)
			close(fd);
	}
	jail_cgroup_remove(j);
	mirror(status);
}

void jail_supervise(struct jail *j)
{
	static struct watch w;

	w.j = j;
	w.failed = -1;
	w.fd[FD_SYNC] = j->sync[0];
	w.fd[FD_PASS] = j->notify[0];
	w.fd[FD_LISTENER] = -1;
	w.fd[FD_RESULT] = j->result[0];
	w.fd[FD_P1] = j->p1_pidfd;
	w.sv.listener = -1;

	while (!w.p1_gone)
		watch_once(&w);
	if (w.fd[FD_RESULT] >= 0)
		read_result(&w);
	finish(&w);
}
