/*
 * seccomp_try: load the worker's filter in a child, make one forbidden
 * (or allowed) call there, and supervise it from the parent with
 * gw_seccomp_answer, as the launcher does. test_seccomp.py reads what
 * it prints:
 *
 *   seccomp_try [--mode MODE] [--log FILE] CASE
 *   seccomp_try [--mode MODE] [--log FILE] -- PROGRAM [ARG...]
 *
 * MODE is notify-errno (the default), notify-kill, errno or kill. The
 * second form execs PROGRAM as the launcher's own exec and exits as it
 * did. Reports, one per line, to FILE or stdout:
 *
 *   load_us N            how long gw_seccomp_load took
 *   notify 0|1           whether a listener stands
 *   violation ...        each line gw_seccomp_answer made
 *   result ret=N errno=NAME   what the call returned in the child
 *   end exit N | end signal N
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <time.h>
#include <unistd.h>

#include "jail/launcher.h"
#include "jail/seccomp.h"

#define X32_BIT	    0x40000000L
#define WAIT_MAX_MS 20000
#define STAGE2	    "--stage2"

static FILE *report;

static long t_ptrace(void)
{
	return ptrace(PTRACE_ATTACH, getppid(), 0, 0);
}

static long t_chmod(void)
{
	return chmod("/tmp/gw\n\"x\x01", 0777);
}

static long t_chmod_unmapped(void)
{
	return syscall(SYS_chmod, (void *)0x10, 0777);
}

static long t_chmod_long(void)
{
	static char path[1024];

	memset(path, 'A', sizeof(path) - 1);
	return chmod(path, 0777);
}

static long t_link_long(void)
{
	static char path[1024];

	memset(path, '\x7f', sizeof(path) - 1);
	return link(path, path);
}

static long t_clone_newuser(void)
{
	long r = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);

	if (r == 0)
		_exit(0);
	return r;
}

static long t_clone3(void)
{
	unsigned long long args[11] = { 0 };

	args[4] = SIGCHLD; /* exit_signal */
	long r = syscall(SYS_clone3, args, sizeof(args));
	if (r == 0)
		_exit(0);
	return r;
}

static long t_fork(void)
{
	int status;
	pid_t pid = fork();

	if (pid == 0)
		_exit(7);
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 7 ? 0 : -1;
}

static void *thread_main(void *arg)
{
	return arg;
}

static long t_thread(void)
{
	static int token;
	pthread_t t;
	void *out = NULL;

	errno = pthread_create(&t, NULL, thread_main, &token);
	if (errno)
		return -1;
	pthread_join(t, &out);
	return out == &token ? 0 : -1;
}

static long t_tiocsti(void)
{
	char c = 'x';

	return ioctl(0, TIOCSTI, &c);
}

static long t_tiocsti_high(void)
{
	char c = 'x';

	return syscall(SYS_ioctl, 0, (1UL << 32) | TIOCSTI, &c);
}

static long t_fionread_high(void)
{
	int fds[2], n = -1;

	if (pipe(fds) < 0)
		return -1;
	/* The kernel reads the low 32 bits; so must the filter. */
	return syscall(SYS_ioctl, fds[0], 0xffffffff00000000UL | FIONREAD, &n);
}

static long t_socket_inet(void)
{
	return socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_TCP);
}

static long t_socket_netlink(void)
{
	return socket(AF_NETLINK, SOCK_RAW, 0);
}

static long t_socket_unix(void)
{
	return socket(AF_UNIX, SOCK_STREAM, 0);
}

static long t_connect_inet(void)
{
	struct sockaddr_in in = { .sin_family = AF_INET,
				  .sin_port = htons(8080) };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	inet_pton(AF_INET, "10.1.2.3", &in.sin_addr);
	return connect(fd, (struct sockaddr *)&in, sizeof(in));
}

static long t_kill(void)
{
	return kill(999999, SIGTERM);
}

static long t_raise(void)
{
	signal(SIGUSR1, SIG_IGN);
	return raise(SIGUSR1);
}

static long t_x32(void)
{
	return syscall(X32_BIT | SYS_getpid);
}

static long t_int80(void)
{
	long r = 20; /* getpid in the i386 table */

	__asm__ volatile("int $0x80" : "+a"(r) : : "memory");
	return r;
}

static long t_mount(void)
{
	return syscall(SYS_mount, "none", "/mnt", "tmpfs", 0, 0);
}

static long t_unshare(void)
{
	return unshare(CLONE_NEWNS | CLONE_NEWNET);
}

static long t_prctl_dumpable(void)
{
	return prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
}

static long t_prctl_name(void)
{
	return prctl(PR_SET_NAME, "gw-test", 0, 0, 0);
}

/* The first exec passes; the program run by it tries a second one. */
static long t_exec_twice(void)
{
	char *argv[] = { "seccomp_try", STAGE2, NULL };

	return execv("/proc/self/exe", argv);
}

static long t_exec_stage2(void)
{
	char *argv[] = { "sh", "-c", "id", NULL };

	return execv("/bin/sh", argv);
}

struct test_case {
	const char *name;
	long (*run)(void);
};

static const struct test_case cases[] = {
	{ "ptrace", t_ptrace },
	{ "chmod", t_chmod },
	{ "chmod-unmapped", t_chmod_unmapped },
	{ "chmod-long", t_chmod_long },
	{ "link-long", t_link_long },
	{ "clone-newuser", t_clone_newuser },
	{ "clone3", t_clone3 },
	{ "fork", t_fork },
	{ "thread", t_thread },
	{ "tiocsti", t_tiocsti },
	{ "tiocsti-high", t_tiocsti_high },
	{ "fionread-high", t_fionread_high },
	{ "socket-inet", t_socket_inet },
	{ "socket-netlink", t_socket_netlink },
	{ "socket-unix", t_socket_unix },
	{ "connect-inet", t_connect_inet },
	{ "kill", t_kill },
	{ "raise", t_raise },
	{ "x32", t_x32 },
	{ "int80", t_int80 },
	{ "mount", t_mount },
	{ "unshare", t_unshare },
	{ "prctl-dumpable", t_prctl_dumpable },
	{ "prctl-name", t_prctl_name },
	{ "exec-twice", t_exec_twice },
	{ NULL, NULL },
};

static const struct test_case *find_case(const char *name)
{
	for (const struct test_case *c = cases; c->name; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

/* The result line, written by the child straight to fd 1 or the log. */
static void print_result(long r, int err)
{
	fprintf(report, "result ret=%ld errno=%s\n", r,
		r < 0 ? strerrorname_np(err) : "0");
	fflush(report);
}

static int send_fd(int sock, int fd)
{
	char data = fd >= 0 ? 'y' : 'n';
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct iovec iov = { &data, 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (fd >= 0) {
		msg.msg_control = u.buf;
		msg.msg_controllen = sizeof(u.buf);
		u.h.cmsg_level = SOL_SOCKET;
		u.h.cmsg_type = SCM_RIGHTS;
		u.h.cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(&u.h), &fd, sizeof(int));
	}
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -1;
}

static int recv_fd(int sock)
{
	char data;
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct iovec iov = { &data, 1 };
	struct msghdr msg = { .msg_iov = &iov,
			      .msg_iovlen = 1,
			      .msg_control = u.buf,
			      .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *c;
	int fd = -1;

	if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) != 1 || data != 'y')
		return -1;
	c = CMSG_FIRSTHDR(&msg);
	if (c && c->cmsg_type == SCM_RIGHTS)
		memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* The child: no_new_privs, the filter, the listener to the parent. */
static void child(const struct gw_seccomp_opts *o, int sock,
		  const struct test_case *c, char **program)
{
	bool notify_ok;
	int listener, r;
	double t0;
	long ret;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		_exit(120);
	t0 = now_us();
	r = gw_seccomp_load(o, &listener, &notify_ok);
	if (r < 0) {
		fprintf(report, "load failed %s\n", strerror(-r));
		_exit(121);
	}
	fprintf(report, "load_us %.1f\nnotify %d\n", now_us() - t0, notify_ok);
	fflush(report);
	if (send_fd(sock, listener) < 0)
		_exit(122);
	if (listener >= 0)
		close(listener);
	close(sock);

	if (program) {
		execv(program[0], program);
		fprintf(report, "exec failed %s\n", strerror(errno));
		_exit(123);
	}
	errno = 0;
	ret = c->run();
	print_result(ret, errno);
	_exit(0);
}

static void print_end(int status)
{
	if (WIFSIGNALED(status))
		fprintf(report, "end signal %d\n", WTERMSIG(status));
	else
		fprintf(report, "end exit %d\n", WEXITSTATUS(status));
}

/* The parent: answer notifications until the child is gone. */
static int supervise(pid_t pid, int listener, enum gw_seccomp_action a)
{
	struct gw_seccomp_supervisor sv = { listener, a, 1 };
	char line[GW_JAIL_STATUS_MAX_BYTES];
	int status = 0, waited = 0;

	while (waited < WAIT_MAX_MS) {
		struct pollfd p = { listener, POLLIN, 0 };
		bool kill_it = false;

		if (waitpid(pid, &status, WNOHANG) == pid)
			return status;
		if (listener < 0 || poll(&p, 1, 50) <= 0) {
			if (listener < 0)
				usleep(50 * 1000);
			waited += 50;
			continue;
		}
		if (!(p.revents & POLLIN)) {
			usleep(10 * 1000);
			continue;
		}
		int r = gw_seccomp_answer(&sv, line, sizeof(line), &kill_it);
		if (r < 0) {
			fprintf(report, "answer failed %s\n", strerror(-r));
			break;
		}
		if (r == 1)
			fprintf(report, "%s\n", line);
		fflush(report);
		if (gw_seccomp_release(&sv) < 0) {
			fprintf(report, "release failed\n");
			break;
		}
		if (kill_it)
			kill(pid, SIGKILL);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return status;
}

static int parse_mode(const char *s, struct gw_seccomp_opts *o)
{
	static const char *const modes[] = { "notify-kill", "notify-errno",
					     "kill", "errno" };

	for (int i = 0; i < 4; i++) {
		if (strcmp(s, modes[i]) == 0) {
			o->on_violation =
				i % 2 ? GW_SECCOMP_ERRNO : GW_SECCOMP_KILL;
			o->notify = i < 2;
			return 0;
		}
	}
	return -1;
}

int main(int argc, char **argv)
{
	struct gw_seccomp_opts o = { GW_SECCOMP_ERRNO, true };
	const struct test_case *c = NULL;
	char **program = NULL;
	int sv[2], listener, status, i = 1;
	pid_t pid;

	report = stdout;
	if (argc == 2 && strcmp(argv[1], STAGE2) == 0) {
		errno = 0;
		long r = t_exec_stage2();
		print_result(r, errno);
		return 0;
	}
	for (; i + 1 < argc && argv[i][0] == '-' && argv[i][1] == '-'; i += 2) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "--mode") == 0 &&
		    parse_mode(argv[i + 1], &o) == 0)
			continue;
		if (strcmp(argv[i], "--log") == 0 &&
		    (report = fopen(argv[i + 1], "we")))
			continue;
		fprintf(stderr, "seccomp_try: bad option %s\n", argv[i]);
		return 2;
	}
	if (i < argc && strcmp(argv[i], "--") == 0 && i + 1 < argc)
		program = argv + i + 1;
	else if (i + 1 == argc)
		c = find_case(argv[i]);
	if (!c && !program) {
		fprintf(stderr, "usage: seccomp_try [--mode MODE] CASE\n");
		return 2;
	}
	/* Reports go through the log's own fd in the child too. */
	setvbuf(report, NULL, _IOLBF, 0);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return 2;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return 2;
	if (pid == 0) {
		close(sv[0]);
		child(&o, sv[1], c, program);
	}
	close(sv[1]);
	listener = recv_fd(sv[0]);
	close(sv[0]);
	status = supervise(pid, listener, o.on_violation);
	print_end(status);
	if (program)
		return WIFEXITED(status) ? WEXITSTATUS(status)
					 : 128 + WTERMSIG(status);
	return 0;
}
