/*
 * The syscall side of the host probe: who we are, user and other
 * namespaces, seccomp, Landlock, no_new_privs and the TIOCSTI sysctl.
 * Anything that would change this process is tried in a child.
 */
#include <errno.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/landlock.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "jail/probe.h"

#ifndef __NR_landlock_create_ruleset
#define __NR_landlock_create_ruleset 444
#endif
#ifndef LANDLOCK_CREATE_RULESET_VERSION
#define LANDLOCK_CREATE_RULESET_VERSION (1U << 0)
#endif

/* Who an unprivileged attempt runs as when we are root. */
#define NOBODY_ID 65534

/* A child's exit code when it could not become NOBODY_ID. */
#define EXIT_CANNOT_DROP 255

/* How long a killed child may take to be reaped. */
#define REAP_AFTER_KILL_MS 1000u

/* Work done in a child: returns 0 or a positive errno, its exit code. */
typedef int (*child_fn)(long arg);

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reap pid within ms milliseconds into *status: 0, -ETIMEDOUT, -errno. */
static int reap_within(pid_t pid, unsigned ms, int *status)
{
	const struct timespec tick = { 0, 200 * 1000 };
	long deadline = now_ms() + (long)ms;
	pid_t r;

	for (;;) {
		r = waitpid(pid, status, WNOHANG);
		if (r == pid)
			return 0;
		if (r < 0 && errno != EINTR)
			return -errno;
		if (now_ms() >= deadline)
			return -ETIMEDOUT;
		nanosleep(&tick, NULL);
	}
}

/* What a reaped child's status says about its attempt. */
static int child_result(int status)
{
	if (!WIFEXITED(status))
		return -ECHILD;
	if (WEXITSTATUS(status) == EXIT_CANNOT_DROP)
		return -ECANCELED;
	return -WEXITSTATUS(status);
}

/*
 * Run fn(arg) in a child and return its result. A child still running
 * at the deadline is killed and reaped, and the attempt reads
 * -ETIMEDOUT. Failing to start or reap a child marks p incomplete.
 */
static int run_child(struct gw_host_probe *p, child_fn fn, long arg)
{
	int status, r;
	pid_t pid;

	pid = fork();
	if (pid < 0) {
		r = -errno;
		if (!p->incomplete)
			p->incomplete = r;
		return r;
	}
	if (pid == 0)
		_exit(fn(arg));

	r = reap_within(pid, GW_PROBE_CHILD_TIMEOUT_MS, &status);
	if (r == 0)
		return child_result(status);

	kill(pid, SIGKILL);
	if (reap_within(pid, REAP_AFTER_KILL_MS, &status) < 0 && !p->incomplete)
		p->incomplete = -ETIMEDOUT;
	return r;
}

static int child_unshare(long flags)
{
	return unshare((int)flags) < 0 ? errno : 0;
}

/*
 * Become NOBODY_ID, then unshare. Raw syscalls: glibc's set*id would
 * try to signal threads the child does not have.
 */
static int child_unshare_as_nobody(long flags)
{
	if (syscall(SYS_setgroups, 0, NULL) < 0 ||
	    syscall(SYS_setresgid, NOBODY_ID, NOBODY_ID, NOBODY_ID) < 0 ||
	    syscall(SYS_setresuid, NOBODY_ID, NOBODY_ID, NOBODY_ID) < 0)
		return EXIT_CANNOT_DROP;
	return child_unshare(flags);
}

/* Install an allow-all filter with the given flags. */
static int child_seccomp(long flags)
{
	struct sock_filter allow = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	struct sock_fprog prog = { .len = 1, .filter = &allow };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return errno;
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, (unsigned long)flags,
		    &prog) < 0)
		return errno;
	return 0;
}

static int child_no_new_privs(long unused)
{
	(void)unused;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return errno;
	return prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1 ? 0 : EIO;
}

/* A sysctl's value, or GW_PROBE_NO_SYSCTL. */
static long read_sysctl(const char *path)
{
	long v = GW_PROBE_NO_SYSCTL;
	struct gw_buf b;

	gw_buf_init(&b, GW_PROBE_SMALL_FILE_MAX_BYTES);
	if (gw_buf_read_file(&b, path, NULL) < 0 ||
	    gw_probe_parse_long(b.data, &v) < 0)
		v = GW_PROBE_NO_SYSCTL;
	gw_buf_free(&b);
	return v;
}

static int has_cap_sys_admin(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data) < 0)
		return -errno;
	return (data[0].effective >> CAP_SYS_ADMIN) & 1;
}

static void probe_host(struct gw_host_probe *p)
{
	struct utsname u;

	if (uname(&u) == 0)
		snprintf(p->host.kernel, sizeof(p->host.kernel), "%s",
			 u.release);
	p->host.uid = getuid();
	p->host.euid = geteuid();
	p->host.cap_sys_admin = has_cap_sys_admin();
}

static void probe_userns(struct gw_host_probe *p)
{
	p->userns.unprivileged_userns_clone =
		read_sysctl("/proc/sys/kernel/unprivileged_userns_clone");
	p->userns.max_user_namespaces =
		read_sysctl("/proc/sys/user/max_user_namespaces");
	p->userns.apparmor_restrict = read_sysctl(
		"/proc/sys/kernel/apparmor_restrict_unprivileged_userns");

	if (p->host.euid != 0) {
		p->userns.as_root = GW_PROBE_NOT_TRIED;
		p->userns.as_unprivileged =
			run_child(p, child_unshare, CLONE_NEWUSER);
		return;
	}
	p->userns.as_root = run_child(p, child_unshare, CLONE_NEWUSER);
	p->userns.as_unprivileged =
		run_child(p, child_unshare_as_nobody, CLONE_NEWUSER);
}

/*
 * Root with CAP_SYS_ADMIN unshares each kind directly; anyone else (a
 * container's root without it included) needs a user namespace too.
 */
static void probe_namespaces(struct gw_host_probe *p)
{
	bool privileged = p->host.euid == 0 && p->host.cap_sys_admin == 1;

	p->ns.via_userns = !privileged;
	p->ns.result[GW_NS_USER] = p->host.euid == 0
					   ? p->userns.as_root
					   : p->userns.as_unprivileged;

	for (int k = GW_NS_USER + 1; k < GW_NS_COUNT; k++) {
		long flags = gw_ns_kind_flag((enum gw_ns_kind)k);

		if (!privileged)
			flags |= CLONE_NEWUSER;
		p->ns.result[k] = run_child(p, child_unshare, flags);
	}
}

static void probe_seccomp(struct gw_host_probe *p)
{
	struct seccomp_notif_sizes sizes;
	struct gw_buf b;
	int r;

	r = prctl(PR_GET_SECCOMP, 0, 0, 0, 0);
	p->seccomp.mode = r < 0 ? -errno : r;
	p->seccomp.filter = run_child(p, child_seccomp, 0);
	p->seccomp.listener =
		run_child(p, child_seccomp, SECCOMP_FILTER_FLAG_NEW_LISTENER);
	r = (int)syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes);
	p->seccomp.notif_sizes = r < 0 ? -errno : 0;

	gw_buf_init(&b, GW_PROBE_SMALL_FILE_MAX_BYTES);
	r = gw_buf_read_file(&b, "/proc/sys/kernel/seccomp/actions_avail",
			     NULL);
	if (r == 0)
		r = gw_probe_parse_words(b.data, p->seccomp.actions,
					 sizeof(p->seccomp.actions));
	p->seccomp.read_actions = r < 0 ? r : 0;
	gw_buf_free(&b);
}

/* ENOSYS: not built in; EOPNOTSUPP: built in but disabled at boot. */
static void probe_landlock(struct gw_host_probe *p)
{
	long abi = syscall(__NR_landlock_create_ruleset, NULL, 0,
			   LANDLOCK_CREATE_RULESET_VERSION);

	p->landlock.abi = abi > 0 ? (int)abi : abi == 0 ? -EINVAL : -errno;
}

static void probe_misc(struct gw_host_probe *p)
{
	int r = prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);

	p->nnp.now = r < 0 ? -errno : r;
	p->nnp.set = run_child(p, child_no_new_privs, 0);
	p->tty.legacy_tiocsti = read_sysctl("/proc/sys/dev/tty/legacy_tiocsti");
}

int gw_host_probe_run(struct gw_host_probe *p)
{
	memset(p, 0, sizeof(*p));

	probe_host(p);
	probe_userns(p);
	probe_namespaces(p);
	probe_seccomp(p);
	probe_landlock(p);
	probe_misc(p);
	gw_probe_cgroups(p);
	return p->incomplete;
}

const char *gw_ns_kind_name(enum gw_ns_kind kind)
{
	static const char *const names[GW_NS_COUNT] = {
		[GW_NS_USER] = "user",	   [GW_NS_PID] = "pid",
		[GW_NS_MOUNT] = "mount",   [GW_NS_NET] = "net",
		[GW_NS_IPC] = "ipc",	   [GW_NS_UTS] = "uts",
		[GW_NS_CGROUP] = "cgroup",
	};

	return (unsigned)kind < GW_NS_COUNT ? names[kind] : "?";
}

int gw_ns_kind_flag(enum gw_ns_kind kind)
{
	static const int flags[GW_NS_COUNT] = {
		[GW_NS_USER] = CLONE_NEWUSER,	  [GW_NS_PID] = CLONE_NEWPID,
		[GW_NS_MOUNT] = CLONE_NEWNS,	  [GW_NS_NET] = CLONE_NEWNET,
		[GW_NS_IPC] = CLONE_NEWIPC,	  [GW_NS_UTS] = CLONE_NEWUTS,
		[GW_NS_CGROUP] = CLONE_NEWCGROUP,
	};

	return (unsigned)kind < GW_NS_COUNT ? flags[kind] : 0;
}
