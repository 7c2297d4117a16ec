/*
 * The sandbox's pid 1 (P1): how L starts it in new namespaces and maps
 * its ids, and what P1 does with its life: build the root, fork the
 * worker, reap, and tell L how the worker ended.
 */
#include <errno.h>
#include <fcntl.h>
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
#include <grp.h>
#include <unistd.h>

#include "jail/jail.h"

/* The namespaces P1 is cloned into, each with the layer it stands for. */
static const struct {
	int flag;
	enum gw_jail_layer layer;
} namespaces[] = {
	{ CLONE_NEWUSER, GW_JAIL_LAYER_USER },
	{ CLONE_NEWPID, GW_JAIL_LAYER_PID },
	{ CLONE_NEWNS, GW_JAIL_LAYER_MOUNT },
	{ CLONE_NEWNET, GW_JAIL_LAYER_NET },
	{ CLONE_NEWIPC, GW_JAIL_LAYER_IPC },
	{ CLONE_NEWUTS, GW_JAIL_LAYER_UTS },
};

#define N_NAMESPACES (sizeof(namespaces) / sizeof(namespaces[0]))

int jail_write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	int r;

	if (fd < 0)
		return -errno;
	r = jail_write_all(fd, text, strlen(text));
	close(fd);
	return r;
}

static void make_pipes(struct jail *j)
{
	if (pipe2(j->release, O_CLOEXEC) != 0 ||
	    pipe2(j->sync, O_CLOEXEC) != 0 ||
	    pipe2(j->result, O_CLOEXEC) != 0 ||
	    socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, j->notify) != 0)
		jail_fail(j, GW_JAIL_STAGE_CLONE, "making the sandbox's pipes",
			  errno);
}

/* A fork-style clone: the child runs on a copy of our stack. */
static pid_t clone_p1(int flags)
{
	return (pid_t)syscall(SYS_clone, (unsigned long)flags | SIGCHLD, NULL,
			      NULL, NULL, 0UL);
}

/* The flags wanted, and what each failed attempt costs. */
static int wanted_flags(const struct jail *j)
{
	int flags = 0;

	for (size_t i = 0; i < N_NAMESPACES; i++)
		if (jail_wanted(j, namespaces[i].layer))
			flags |= namespaces[i].flag;
	/* Without a user namespace only root may make the others. */
	if (!(flags & CLONE_NEWUSER) && !j->root)
		flags = 0;
	return flags;
}

static void settle_namespaces(struct jail *j, int asked, int got)
{
	for (size_t i = 0; i < N_NAMESPACES; i++) {
		enum gw_jail_layer l = namespaces[i].layer;
		enum jail_why why = JAIL_WHY_NEEDS_USER;

		if (got & namespaces[i].flag)
			why = JAIL_STANDS;
		else if (!jail_wanted(j, l))
			why = JAIL_WHY_WITHOUT;
		else if (l == GW_JAIL_LAYER_USER)
			why = JAIL_WHY_NO_USERNS;
		else if ((asked & namespaces[i].flag) && j->root)
			why = JAIL_WHY_NO_NS;
		jail_settle(j, l, why);
	}
}

/* In P1: stop being L's and become the sandbox's. */
static void __attribute__((noreturn)) become_p1(struct jail *j)
{
	j->role = JAIL_ROLE_P1;
	j->report_fd = j->sync[1];
	close(GW_JAIL_STATUS_FD);
	close(j->release[1]);
	close(j->sync[0]);
	close(j->result[0]);
	close(j->notify[0]);
	jail_p1_main(j);
}

/*
 * Clone P1 into every namespace we may have. A user namespace the kernel
 * refuses costs root only that layer; an unprivileged caller then gets
 * no namespaces at all and P1 is a plain child that reaps as a
 * subreaper.
 */
void jail_clone(struct jail *j)
{
	int asked, flags;
	pid_t pid;

	j->root = geteuid() == 0;
	make_pipes(j);
	asked = flags = wanted_flags(j);
	for (;;) {
		pid = clone_p1(flags);
		if (pid >= 0 || flags == 0)
			break;
		if (errno != EPERM && errno != EINVAL && errno != ENOSPC &&
		    errno != EUSERS)
			break;
		flags = (flags & CLONE_NEWUSER) && j->root
				? flags & ~CLONE_NEWUSER
				: 0;
	}
	if (pid < 0)
		jail_fail(j, GW_JAIL_STAGE_CLONE, "clone", errno);
	j->clone_flags = flags;
	if (pid == 0)
		become_p1(j);

	j->p1 = pid;
	j->p1_pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	settle_namespaces(j, asked, flags);
	if (!(flags & CLONE_NEWPID))
		(void)prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
}

static int write_map(pid_t pid, const char *file, unsigned outside)
{
	char path[64], map[64];

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	snprintf(map, sizeof(map), "%u %u 1\n", JAIL_SANDBOX_ID, outside);
	return jail_write_file(path, map);
}

/*
 * One id inside, the sandbox's, maps to one outside: to nobody when we
 * are root, else to our own ids (and setgroups is then denied, as the
 * kernel requires of an unprivileged gid_map).
 */
void jail_idmap(struct jail *j)
{
	char path[64];
	int r;

	if (!(j->clone_flags & CLONE_NEWUSER))
		return;
	r = write_map(j->p1, "uid_map", j->root ? JAIL_SANDBOX_ID : j->l_uid);
	if (r == 0 && !j->root) {
		snprintf(path, sizeof(path), "/proc/%d/setgroups", (int)j->p1);
		r = jail_write_file(path, "deny");
	}
	if (r == 0)
		r = write_map(j->p1, "gid_map",
			      j->root ? JAIL_SANDBOX_ID : j->l_gid);
	if (r < 0)
		jail_fail(j, GW_JAIL_STAGE_IDMAP, "writing P1's id maps", -r);
}

/* Hand P1 the layers as L knows them; that is also its go. */
void jail_release(struct jail *j)
{
	struct jail_release msg;

	memcpy(msg.why, j->why, sizeof(msg.why));
	if (jail_write_all(j->release[1], (const char *)&msg, sizeof(msg)) < 0)
		jail_fail(j, GW_JAIL_STAGE_INIT, "releasing P1", EPIPE);
	close(j->release[0]);
	close(j->sync[1]);
	close(j->result[1]);
	close(j->notify[1]);
	close(GW_JAIL_SOCKET_FD);
}

/* In P1: wait for L's go. Without it L is gone and so are we. */
static void wait_release(struct jail *j)
{
	struct jail_release msg;
	ssize_t n;

	do
		n = read(j->release[0], &msg, sizeof(msg));
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)sizeof(msg))
		_exit(GW_JAIL_EXIT_BASE + GW_JAIL_STAGE_INIT);
	memcpy(j->why, msg.why, sizeof(j->why));
}

/* In P1: root's groups go, then the one id the map knows. */
static void become_sandbox_ids(struct jail *j)
{
	uid_t id = JAIL_SANDBOX_ID;

	if (!(j->clone_flags & CLONE_NEWUSER))
		return;
	if (j->root && setgroups(0, NULL) != 0)
		jail_fail(j, GW_JAIL_STAGE_IDMAP, "setgroups", errno);
	if (setresgid(id, id, id) != 0)
		jail_fail(j, GW_JAIL_STAGE_IDMAP, "setresgid", errno);
	if (setresuid(id, id, id) != 0)
		jail_fail(j, GW_JAIL_STAGE_IDMAP, "setresuid", errno);
}

/*
 * In P1: no user namespaces below ours. The sysctl is per user
 * namespace, so this writes our own, never the host's; without a user
 * namespace of our own it is left alone.
 */
static void forbid_nested_userns(struct jail *j)
{
	int r;

	if (!jail_wanted(j, GW_JAIL_LAYER_NOUSERNS)) {
		jail_settle(j, GW_JAIL_LAYER_NOUSERNS, JAIL_WHY_WITHOUT);
		return;
	}
	if (!(j->clone_flags & CLONE_NEWUSER)) {
		jail_settle(j, GW_JAIL_LAYER_NOUSERNS, JAIL_WHY_NEEDS_USER);
		return;
	}
	r = jail_write_file("/proc/sys/user/max_user_namespaces", "0");
	if (r < 0)
		jail_fail(j, GW_JAIL_STAGE_IDMAP, "max_user_namespaces", -r);
	jail_settle(j, GW_JAIL_LAYER_NOUSERNS, JAIL_STANDS);
}

/* In P1, once L has moved it into its cgroup: a cgroup namespace. */
static void unshare_cgroup(struct jail *j)
{
	if (!jail_wanted(j, GW_JAIL_LAYER_CGROUP)) {
		jail_settle(j, GW_JAIL_LAYER_CGROUP, JAIL_WHY_WITHOUT);
		return;
	}
	if (!(j->clone_flags & CLONE_NEWUSER) && !j->root) {
		jail_settle(j, GW_JAIL_LAYER_CGROUP, JAIL_WHY_NEEDS_USER);
		return;
	}
	if (unshare(CLONE_NEWCGROUP) != 0) {
		if (errno != EINVAL)
			jail_fail(j, GW_JAIL_STAGE_CGROUP,
				  "unshare(CLONE_NEWCGROUP)", errno);
		jail_settle(j, GW_JAIL_LAYER_CGROUP, JAIL_WHY_KERNEL);
		return;
	}
	jail_settle(j, GW_JAIL_LAYER_CGROUP, JAIL_STANDS);
}

/* An fd on our own children list, to read again as it changes. */
int jail_open_children(void)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/task/%d/children",
		 (int)getpid());
	return open(path, O_RDONLY | O_CLOEXEC);
}

/*
 * Kill every child of this process until none is left: the processes a
 * worker left behind when no pid namespace takes them down with P1.
 * children_fd stays valid after a pivot_root hid /proc.
 */
void jail_sweep_children(int children_fd)
{
	char list[4096];
	pid_t pids[512];
	ssize_t n;

	while (children_fd >= 0 &&
	       (n = pread(children_fd, list, sizeof(list) - 1, 0)) > 0) {
		size_t count = 0;
		char *p = list, *end;
		long pid;

		list[n] = '\0';
		while (count < sizeof(pids) / sizeof(pids[0]) &&
		       (pid = strtol(p, &end, 10)) > 0) {
			pids[count++] = (pid_t)pid;
			p = end;
		}
		for (size_t i = 0; i < count; i++)
			kill(pids[i], SIGKILL);
		for (size_t i = 0; i < count; i++)
			while (waitpid(pids[i], NULL, 0) < 0 && errno == EINTR)
				;
	}
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

/* P1's last job: reap until the worker ends, then report it and go. */
static void __attribute__((noreturn)) reap(struct jail *j, pid_t worker)
{
	struct jail_result res = { .cpu_usec = JAIL_RESULT_NO_CPU };
	struct rusage ru;
	int status;
	pid_t pid;

	for (;;) {
		pid = wait4(-1, &status, 0, &ru);
		if (pid < 0 && errno == EINTR)
			continue;
		if (pid < 0 || pid == worker)
			break;
	}
	if (pid == worker) {
		res.status = status;
		res.cpu_usec = (uint64_t)ru.ru_utime.tv_sec * 1000000 +
			       (uint64_t)ru.ru_utime.tv_usec +
			       (uint64_t)ru.ru_stime.tv_sec * 1000000 +
			       (uint64_t)ru.ru_stime.tv_usec;
	}
	(void)jail_write_all(j->result[1], (const char *)&res, sizeof(res));
	/* In a pid namespace our exit kills the rest; else we do it. */
	if (!(j->clone_flags & CLONE_NEWPID))
		jail_sweep_children(j->children_fd);
	_exit(0);
}

/*
 * Arm die-with-L, then make sure L was still there when we did: with
 * the prctl in place, a release pipe that has not hung up means L's
 * death, from now on, will reach us.
 */
static void arm_pdeathsig(struct jail *j)
{
	struct pollfd pfd = { .fd = j->release[0], .events = POLLIN };

	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
		jail_fail(j, GW_JAIL_STAGE_INIT, "prctl(PR_SET_DUMPABLE)",
			  errno);
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0)
		jail_fail(j, GW_JAIL_STAGE_INIT, "prctl(PR_SET_PDEATHSIG)",
			  errno);
	if (poll(&pfd, 1, 0) != 0)
		_exit(GW_JAIL_EXIT_BASE + GW_JAIL_STAGE_INIT);
	if (!(j->clone_flags & CLONE_NEWPID) &&
	    prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0)
		jail_fail(j, GW_JAIL_STAGE_INIT,
			  "prctl(PR_SET_CHILD_SUBREAPER)", errno);
}

static void stage_init(struct jail *j)
{
	pid_t worker;

	if ((j->clone_flags & CLONE_NEWUTS) &&
	    sethostname(JAIL_HOSTNAME, strlen(JAIL_HOSTNAME)) != 0)
		jail_fail(j, GW_JAIL_STAGE_INIT, "sethostname", errno);
	arm_pdeathsig(j);
	jail_settle(j, GW_JAIL_LAYER_INIT,
		    (j->clone_flags & CLONE_NEWPID) ? JAIL_STANDS
						    : JAIL_WHY_NEEDS_PID);

	j->p1 = getpid();
	worker = fork();
	if (worker < 0)
		jail_fail(j, GW_JAIL_STAGE_INIT, "fork", errno);
	if (worker == 0) {
		j->role = JAIL_ROLE_W;
		if (j->children_fd >= 0)
			close(j->children_fd);
		close(j->release[0]);
		close(j->result[1]);
		jail_worker_main(j);
	}

	/* The worker has its copy of the command line; what the sandbox
	 * sees as pid 1's is a name, not the host's paths and pids. */
	if (j->cmdline && j->cmdline_len > sizeof(JAIL_P1_NAME)) {
		memset(j->cmdline, 0, j->cmdline_len);
		memcpy(j->cmdline, JAIL_P1_NAME, sizeof(JAIL_P1_NAME));
	}

	/* The worker's fds and the sync pipe are not P1's business. */
	close(j->sync[1]);
	close(j->notify[1]);
	for (int fd = 0; fd <= GW_JAIL_SOCKET_FD; fd++)
		close(fd);
	reap(j, worker);
}

void jail_p1_main(struct jail *j)
{
	wait_release(j);
	/* Opened now: the new root may have no /proc of ours. */
	j->children_fd = -1;
	if (!(j->clone_flags & CLONE_NEWPID))
		j->children_fd = jail_open_children();
	become_sandbox_ids(j);
	forbid_nested_userns(j);
	unshare_cgroup(j);
	if (j->clone_flags & CLONE_NEWNS) {
		jail_mounts(j);
	} else {
		jail_settle(j, GW_JAIL_LAYER_TMP, JAIL_WHY_NEEDS_MOUNT);
		jail_settle(j, GW_JAIL_LAYER_PROC, JAIL_WHY_NEEDS_MOUNT);
		jail_settle(j, GW_JAIL_LAYER_DEV, JAIL_WHY_NEEDS_MOUNT);
	}
	stage_init(j);
	_exit(GW_JAIL_EXIT_BASE + GW_JAIL_STAGE_INIT);
}
