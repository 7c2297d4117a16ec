/*
 * jail-probe: what a program inside gymwarden-jail sees, and a few
 * things it may try, for tests/jail/test_launcher.py. Linked
 * statically so a sandbox needs nothing but this file to run it.
 *
 *   jail-probe report [PATH...]   facts as KEY=VALUE lines, one per line
 *   jail-probe exit N | kill SIG | spin | sleep
 *   jail-probe write PATH BYTES   alloc BYTES   fork N   orphan
 *   jail-probe try-exec PATH | try-userns | try-connect | try-create PATH
 *
 * Every try-* prints "errno=N" (0 when the attempt worked).
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/capability.h>

extern char **environ;

static void print_caps(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2] = { 0 };
	unsigned long long bnd = 0, amb = 0;

	if (syscall(SYS_capget, &h, d) != 0) {
		printf("caps=error\n");
		return;
	}
	for (int c = 0; c < 64; c++) {
		if (prctl(PR_CAPBSET_READ, c, 0, 0, 0) == 1)
			bnd |= 1ull << c;
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, c, 0, 0) == 1)
			amb |= 1ull << c;
	}
	printf("cap_eff=%llx\n",
	       ((unsigned long long)d[1].effective << 32) | d[0].effective);
	printf("cap_prm=%llx\n",
	       ((unsigned long long)d[1].permitted << 32) | d[0].permitted);
	printf("cap_inh=%llx\n",
	       ((unsigned long long)d[1].inheritable << 32) | d[0].inheritable);
	printf("cap_bnd=%llx\ncap_amb=%llx\n", bnd, amb);
	printf("securebits=%x\n", prctl(PR_GET_SECUREBITS, 0, 0, 0, 0));
}

static void print_limits(void)
{
	static const struct {
		const char *name;
		int which;
	} limits[] = {
		{ "as", RLIMIT_AS },	     { "nproc", RLIMIT_NPROC },
		{ "cpu", RLIMIT_CPU },	     { "fsize", RLIMIT_FSIZE },
		{ "nofile", RLIMIT_NOFILE }, { "core", RLIMIT_CORE },
	};

	for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
		struct rlimit rl;

		getrlimit(limits[i].which, &rl);
		printf("rlimit_%s=%lld,%lld\n", limits[i].name,
		       rl.rlim_cur == RLIM_INFINITY ? -1LL
						    : (long long)rl.rlim_cur,
		       rl.rlim_max == RLIM_INFINITY ? -1LL
						    : (long long)rl.rlim_max);
	}
}

static void print_file(const char *key, const char *path)
{
	char buf[512];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	if (fd >= 0)
		close(fd);
	if (n < 0) {
		printf("%s=error:%d\n", key, errno);
		return;
	}
	buf[n] = '\0';
	for (char *p = buf; *p; p++)
		if (*p == '\n')
			*p = ';';
	printf("%s=%s\n", key, buf);
}

static void print_fs(const char *key, const char *path)
{
	struct statvfs sv;

	if (statvfs(path, &sv) != 0) {
		printf("%s=error:%d\n", key, errno);
		return;
	}
	printf("%s=%s%s%s\n", key, (sv.f_flag & ST_RDONLY) ? "ro," : "rw,",
	       (sv.f_flag & ST_NOEXEC) ? "noexec," : "",
	       (sv.f_flag & ST_NOSUID) ? "nosuid" : "");
}

static void report(int argc, char **argv)
{
	uid_t r, e, s;
	gid_t rg, eg, sg;
	char host[256] = "";
	struct if_nameindex *ifs;

	getresuid(&r, &e, &s);
	getresgid(&rg, &eg, &sg);
	printf("pid=%d\nppid=%d\n", (int)getpid(), (int)getppid());
	printf("uid=%u,%u,%u\ngid=%u,%u,%u\n", r, e, s, rg, eg, sg);
	printf("groups=%d\n", getgroups(0, NULL));
	print_caps();
	printf("nnp=%d\n", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
	printf("seccomp=%d\n", prctl(PR_GET_SECCOMP, 0, 0, 0, 0));
	printf("dumpable=%d\n", prctl(PR_GET_DUMPABLE, 0, 0, 0, 0));
	gethostname(host, sizeof(host) - 1);
	printf("hostname=%s\n", host);
	printf("sid_is_pid=%d\n", getsid(0) == getpid());
	printf("ifaces=");
	ifs = if_nameindex();
	for (struct if_nameindex *i = ifs; i && i->if_index; i++)
		printf("%s%s", i == ifs ? "" : ",", i->if_name);
	printf("%s\n", ifs ? "" : "error");
	if (ifs)
		if_freenameindex(ifs);
	print_limits();
	printf("fds=");
	for (int fd = 0, first = 1; fd < 1024; fd++)
		if (fcntl(fd, F_GETFD) >= 0) {
			printf("%s%d", first ? "" : ",", fd);
			first = 0;
		}
	printf("\n");
	for (char **p = environ; *p; p++)
		printf("env=%s\n", *p);
	print_fs("fs_root", "/");
	print_fs("fs_tmp", "/tmp");
	print_fs("fs_proc", "/proc");
	print_file("max_userns", "/proc/sys/user/max_user_namespaces");
	print_file("cgroup", "/proc/self/cgroup");
	for (int i = 0; i < argc; i++) {
		struct stat st;

		printf("exists:%s=%d\n", argv[i], lstat(argv[i], &st) == 0);
	}
}

static void try_result(int ok)
{
	printf("errno=%d\n", ok ? 0 : errno);
}

/* A grandchild that outlives its parent and hides in a new session. */
static void orphan(void)
{
	pid_t child = fork();

	if (child == 0) {
		if (fork() == 0) {
			setsid();
			for (;;)
				sleep(1000);
		}
		_exit(0);
	}
	waitpid(child, NULL, 0);
	printf("orphaned=1\n");
}

static unsigned long long number(const char *s)
{
	return strtoull(s, NULL, 10);
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "report";
	char *const no_args[] = { NULL };

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (strcmp(cmd, "report") == 0) {
		report(argc - 2, argv + 2);
	} else if (strcmp(cmd, "exit") == 0 && argc > 2) {
		return (int)number(argv[2]);
	} else if (strcmp(cmd, "kill") == 0 && argc > 2) {
		signal((int)number(argv[2]), SIG_DFL);
		raise((int)number(argv[2]));
	} else if (strcmp(cmd, "spin") == 0) {
		for (volatile unsigned long i = 0;; i++)
			;
	} else if (strcmp(cmd, "sleep") == 0) {
		for (;;)
			sleep(1000);
	} else if (strcmp(cmd, "write") == 0 && argc > 3) {
		static char block[4096];
		unsigned long long left = number(argv[3]);
		int fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0600);

		while (fd >= 0 && left > 0) {
			size_t n = left < sizeof(block) ? left : sizeof(block);

			if (write(fd, block, n) < 0)
				break;
			left -= n;
		}
		try_result(fd >= 0 && left == 0);
	} else if (strcmp(cmd, "alloc") == 0 && argc > 2) {
		unsigned long long n = number(argv[2]);
		char *p = malloc(n);

		for (unsigned long long i = 0; p && i < n; i += 4096)
			p[i] = 1;
		try_result(p != NULL);
	} else if (strcmp(cmd, "fork") == 0 && argc > 2) {
		unsigned long long n = number(argv[2]), made = 0;

		for (; made < n; made++) {
			pid_t pid = fork();

			if (pid < 0)
				break;
			if (pid == 0) {
				sleep(1000);
				_exit(0);
			}
		}
		printf("forked=%llu\n", made);
	} else if (strcmp(cmd, "orphan") == 0) {
		orphan();
	} else if (strcmp(cmd, "try-exec") == 0 && argc > 2) {
		execve(argv[2], no_args, no_args);
		try_result(0);
	} else if (strcmp(cmd, "try-userns") == 0) {
		try_result(unshare(CLONE_NEWUSER) == 0);
	} else if (strcmp(cmd, "try-connect") == 0) {
		struct sockaddr_in a = { .sin_family = AF_INET,
					 .sin_port = htons(1),
					 .sin_addr.s_addr = htonl(0x7f000001) };
		int fd = socket(AF_INET, SOCK_STREAM, 0);

		try_result(fd >= 0 &&
			   connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0);
	} else if (strcmp(cmd, "try-create") == 0 && argc > 2) {
		int fd = open(argv[2], O_WRONLY | O_CREAT | O_EXCL, 0600);

		try_result(fd >= 0);
	} else {
		fprintf(stderr, "jail-probe: unknown command %s\n", cmd);
		return 2;
	}
	return 0;
}
