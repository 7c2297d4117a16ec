/*
 * The worker W, forked by P1 inside the new root: it limits itself,
 * becomes the sandbox's uid, drops every capability, sets no_new_privs,
 * enters its Landlock domain and loads the seccomp filter, reports the
 * layers, and execs the program. Each step that fails ends W with its
 * stage's record on the sync pipe; L forwards it.
 */
#include <errno.h>
#include <grp.h>
#include <sched.h>
#include <linux/close_range.h>
#include <signal.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "jail/jail.h"
#include "jail/seccomp.h"

/* securebits: no root magic and no way back, all locked. */
#define SECUREBITS                                                             \
	((1u << 0) | (1u << 1) | /* NOROOT, _LOCKED */                         \
	 (1u << 2) | (1u << 3) | /* NO_SETUID_FIXUP, _LOCKED */                \
	 (1u << 5) |		 /* KEEP_CAPS_LOCKED (and KEEP_CAPS off) */    \
	 (1u << 6) | (1u << 7))	 /* NO_CAP_AMBIENT_RAISE, _LOCKED */

/* The environment of every worker: nothing is inherited. */
static char *const worker_env[] = {
	"PATH=/usr/bin:/bin",	     "LANG=C.UTF-8", "HOME=/nonexistent",
	"PYTHONDONTWRITEBYTECODE=1", NULL,
};

/*
 * Lower a limit, never raise it: a hard limit already below what was
 * asked is the stricter one and stays.
 */
static void limit(struct jail *j, int resource, const struct jail_limit *l,
		  rlim_t extra, const char *name)
{
	struct rlimit rl;

	if (!l->set)
		return;
	if (getrlimit(resource, &rl) != 0)
		jail_fail(j, GW_JAIL_STAGE_RLIMITS, name, errno);
	if ((rlim_t)l->value < rl.rlim_max)
		rl.rlim_cur = (rlim_t)l->value;
	else
		rl.rlim_cur = rl.rlim_max;
	if (rl.rlim_cur + extra < rl.rlim_max)
		rl.rlim_max = rl.rlim_cur + extra;
	if (setrlimit(resource, &rl) != 0)
		jail_fail(j, GW_JAIL_STAGE_RLIMITS, name, errno);
}

static void stage_rlimits(struct jail *j)
{
	struct rlimit none = { 0, 0 };
	struct jail_limit nproc = j->processes;

	if (setrlimit(RLIMIT_CORE, &none) != 0)
		jail_fail(j, GW_JAIL_STAGE_RLIMITS, "RLIMIT_CORE", errno);
	if (!jail_wanted(j, GW_JAIL_LAYER_RLIMITS)) {
		jail_settle(j, GW_JAIL_LAYER_RLIMITS, JAIL_WHY_WITHOUT);
		return;
	}
	/* The count is of the uid's processes, P1 among them. */
	nproc.value += 1;
	limit(j, RLIMIT_AS, &j->memory, 0, "RLIMIT_AS");
	limit(j, RLIMIT_NPROC, &nproc, 0, "RLIMIT_NPROC");
	/* SIGXCPU at the soft limit, SIGKILL a second later. */
	limit(j, RLIMIT_CPU, &j->cpu_time, 1, "RLIMIT_CPU");
	limit(j, RLIMIT_FSIZE, &j->file_size, 0, "RLIMIT_FSIZE");
	limit(j, RLIMIT_NOFILE, &j->open_files, 0, "RLIMIT_NOFILE");
	jail_settle(j, GW_JAIL_LAYER_RLIMITS, JAIL_STANDS);
}

static bool ids_are_sandbox(void)
{
	uid_t r, e, s;
	gid_t rg, eg, sg;

	return getresuid(&r, &e, &s) == 0 && getresgid(&rg, &eg, &sg) == 0 &&
	       r == JAIL_SANDBOX_ID && e == r && s == r &&
	       rg == JAIL_SANDBOX_ID && eg == rg && sg == rg &&
	       getgroups(0, NULL) == 0;
}

/*
 * Root outside a user namespace drops to nobody here and keeps its
 * permitted set just long enough for the caps stage to lock the
 * securebits and empty the bounding set. In a user namespace P1 has
 * already become the one mapped id. A caller that is neither keeps
 * whatever uid it has and says so.
 */
static void stage_uid(struct jail *j)
{
	uid_t id = JAIL_SANDBOX_ID;
	bool userns = j->clone_flags & CLONE_NEWUSER;

	if (!jail_wanted(j, GW_JAIL_LAYER_UID)) {
		jail_settle(j, GW_JAIL_LAYER_UID, JAIL_WHY_WITHOUT);
	} else if (j->root && !userns) {
		bool keep = jail_wanted(j, GW_JAIL_LAYER_CAPS);

		if (prctl(PR_SET_KEEPCAPS, keep, 0, 0, 0) != 0 ||
		    setgroups(0, NULL) != 0 || setresgid(id, id, id) != 0 ||
		    setresuid(id, id, id) != 0)
			jail_fail(j, GW_JAIL_STAGE_UID, "dropping to nobody",
				  errno);
	} else if (setresgid(id, id, id) != 0 || setresuid(id, id, id) != 0) {
		if (userns)
			jail_fail(j, GW_JAIL_STAGE_UID, "setresuid", errno);
	}
	if (jail_wanted(j, GW_JAIL_LAYER_UID))
		jail_settle(j, GW_JAIL_LAYER_UID,
			    ids_are_sandbox() ? JAIL_STANDS
					      : JAIL_WHY_NOT_ROOT);

	/* A change of ids clears the death signal: arm it again. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0)
		jail_fail(j, GW_JAIL_STAGE_UID, "prctl(PR_SET_PDEATHSIG)",
			  errno);
	if (getppid() != j->p1)
		jail_fail(j, GW_JAIL_STAGE_UID, "P1 is gone", ESRCH);
}

/* Put CAP_SETPCAP in the effective set if it is permitted at all. */
static bool raise_setpcap(void)
{
	cap_value_t setpcap = CAP_SETPCAP;
	cap_t caps = cap_get_proc();
	bool ok;

	ok = caps &&
	     cap_set_flag(caps, CAP_EFFECTIVE, 1, &setpcap, CAP_SET) == 0 &&
	     cap_set_proc(caps) == 0;
	cap_free(caps);
	return ok;
}

static bool caps_empty(void)
{
	cap_t now = cap_get_proc(), none = cap_init();
	bool empty = now && none && cap_compare(now, none) == 0;

	cap_free(now);
	cap_free(none);
	return empty;
}

static void stage_caps(struct jail *j)
{
	bool setpcap;
	cap_t none;

	if (!jail_wanted(j, GW_JAIL_LAYER_CAPS)) {
		jail_settle(j, GW_JAIL_LAYER_CAPS, JAIL_WHY_WITHOUT);
		return;
	}
	setpcap = raise_setpcap();
	if (setpcap) {
		if (cap_set_secbits(SECUREBITS) != 0)
			jail_fail(j, GW_JAIL_STAGE_CAPS, "securebits", errno);
		for (cap_value_t c = 0; c < (cap_value_t)cap_max_bits(); c++)
			if (cap_drop_bound(c) != 0 && errno != EINVAL)
				jail_fail(j, GW_JAIL_STAGE_CAPS,
					  "dropping the bounding set", errno);
	}
	none = cap_init();
	if (cap_reset_ambient() != 0 || !none || cap_set_proc(none) != 0)
		jail_fail(j, GW_JAIL_STAGE_CAPS, "emptying the capability sets",
			  errno);
	cap_free(none);
	if (!caps_empty())
		jail_fail(j, GW_JAIL_STAGE_CAPS, "capabilities remain", EPERM);
	jail_settle(j, GW_JAIL_LAYER_CAPS,
		    setpcap ? JAIL_STANDS : JAIL_WHY_NO_SETPCAP);
}

static void stage_nnp(struct jail *j)
{
	if (!jail_wanted(j, GW_JAIL_LAYER_NNP)) {
		jail_settle(j, GW_JAIL_LAYER_NNP, JAIL_WHY_WITHOUT);
		return;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		jail_fail(j, GW_JAIL_STAGE_NNP, "prctl(PR_SET_NO_NEW_PRIVS)",
			  errno);
	jail_settle(j, GW_JAIL_LAYER_NNP, JAIL_STANDS);
}

/* Pass the listener to L, which answers it from outside. */
static int send_listener(int sock, int fd)
{
	char byte = 'n';
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
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

	memset(&u, 0, sizeof(u));
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -errno;
}

static void stage_seccomp(struct jail *j)
{
	struct gw_seccomp_opts opts = {
		.on_violation = j->kill_on_violation ? GW_SECCOMP_KILL
						     : GW_SECCOMP_ERRNO,
		.notify = jail_wanted(j, GW_JAIL_LAYER_NOTIFY),
	};
	enum jail_why why = JAIL_STANDS;
	bool notify_ok = false;
	int listener = -1, r;

	if (!jail_wanted(j, GW_JAIL_LAYER_SECCOMP))
		why = JAIL_WHY_WITHOUT;
	else if (!jail_stands(j, GW_JAIL_LAYER_NNP))
		why = JAIL_WHY_NEEDS_NNP;
	if (why == JAIL_STANDS) {
		r = gw_seccomp_load(&opts, &listener, &notify_ok);
		if (r == -ENOSYS || r == -EOPNOTSUPP)
			why = JAIL_WHY_KERNEL;
		else if (r < 0)
			jail_fail(j, GW_JAIL_STAGE_SECCOMP,
				  "loading the filter", -r);
	}
	if (listener >= 0) {
		r = send_listener(j->notify[1], listener);
		if (r < 0)
			jail_fail(j, GW_JAIL_STAGE_SECCOMP,
				  "passing the listener", -r);
		close(listener);
	}
	close(j->notify[1]);

	jail_settle(j, GW_JAIL_LAYER_SECCOMP, why);
	if (!opts.notify)
		jail_settle(j, GW_JAIL_LAYER_NOTIFY, JAIL_WHY_WITHOUT);
	else if (why != JAIL_STANDS)
		jail_settle(j, GW_JAIL_LAYER_NOTIFY, JAIL_WHY_NEEDS_SECCOMP);
	jail_settle(j, GW_JAIL_LAYER_NOTIFY,
		    notify_ok ? JAIL_STANDS : JAIL_WHY_KERNEL);
}

/*
 * Report what stands, then refuse if a required layer does not: the
 * `missing` line goes first so the monitor can name what is missing.
 */
static void stage_require(struct jail *j)
{
	uint32_t missing = 0;

	jail_settle(j, GW_JAIL_LAYER_LIFETIME,
		    j->lifetime_ms.set ? JAIL_STANDS : JAIL_WHY_UNSET);
	for (unsigned l = 0; l < GW_JAIL_LAYER_COUNT; l++)
		if ((j->require & (1u << l)) && !jail_stands(j, l))
			missing |= 1u << l;
	if (jail_write_layers(j, j->sync[1]) < 0)
		jail_fail(j, GW_JAIL_STAGE_REQUIRE, "reporting the layers",
			  EIO);
	if (missing)
		jail_fail(j, GW_JAIL_STAGE_REQUIRE,
			  "a required layer does not stand", EOPNOTSUPP);
}

static void stage_exec(struct jail *j)
{
	execve(j->argv[0], j->argv, worker_env);
	jail_fail(j, GW_JAIL_STAGE_EXEC, j->argv[0], errno);
}

void jail_worker_main(struct jail *j)
{
	/* Whatever P1 held that we did not close, the exec closes. */
	(void)close_range(GW_JAIL_STATUS_FD, ~0U, CLOSE_RANGE_CLOEXEC);

	stage_rlimits(j);
	stage_uid(j);
	stage_caps(j);
	stage_nnp(j);
	jail_landlock(j);
	stage_seccomp(j);
	stage_require(j);
	stage_exec(j);
	_exit(GW_JAIL_EXIT_BASE + GW_JAIL_STAGE_EXEC);
}
