/*
 * From probe facts to a verdict per sandbox layer: its status, what
 * gymwarden does when it is missing, and how to fix it when we know.
 * Pure: reads a struct gw_host_probe, writes reports, nothing else.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "jail/probe.h"

/* The controllers the launcher limits a worker with. */
static const char *const wanted_controllers[] = { "memory", "pids", "cpu" };
#define N_WANTED (sizeof(wanted_controllers) / sizeof(wanted_controllers[0]))

static const char *const layer_names[GW_LAYER_COUNT] = {
	[GW_LAYER_USERNS] = "user-ns",
	[GW_LAYER_PIDNS] = "pid-ns",
	[GW_LAYER_MOUNTNS] = "mount-ns",
	[GW_LAYER_NETNS] = "net-ns",
	[GW_LAYER_IPCNS] = "ipc-ns",
	[GW_LAYER_UTSNS] = "uts-ns",
	[GW_LAYER_CGROUPNS] = "cgroup-ns",
	[GW_LAYER_SECCOMP] = "seccomp",
	[GW_LAYER_SECCOMP_NOTIFY] = "seccomp-notify",
	[GW_LAYER_LANDLOCK] = "landlock",
	[GW_LAYER_CGROUP] = "cgroup-v2",
	[GW_LAYER_NO_NEW_PRIVS] = "no-new-privs",
	[GW_LAYER_TIOCSTI] = "tiocsti",
};

static const char *const enforcement[GW_LAYER_COUNT] = {
	[GW_LAYER_USERNS] = "the worker runs in its own user namespace as one "
			    "mapped, unprivileged uid",
	[GW_LAYER_PIDNS] = "the worker's own pid namespace, our pid 1 "
			   "reaping it, and a fresh /proc",
	[GW_LAYER_MOUNTNS] = "a private read-only root, a size-limited /tmp "
			     "and a minimal /dev",
	[GW_LAYER_NETNS] = "an empty network namespace: no interface but a "
			   "down loopback",
	[GW_LAYER_IPCNS] = "private System V IPC and POSIX message queues",
	[GW_LAYER_UTSNS] = "a private host name",
	[GW_LAYER_CGROUPNS] = "the worker sees its own cgroup as the root",
	[GW_LAYER_SECCOMP] = "a default-deny syscall allowlist, installed "
			     "just before exec",
	[GW_LAYER_SECCOMP_NOTIFY] = "a forbidden syscall is reported by name "
				    "and arguments, not a bare SIGSYS",
	[GW_LAYER_LANDLOCK] = "file-system rules: read-only prefix and "
			      "source, writable /tmp, nothing else",
	[GW_LAYER_CGROUP] = "memory, pids and cpu limits on a child cgroup "
			    "per worker",
	[GW_LAYER_NO_NEW_PRIVS] = "set before exec: setuid files and file "
				  "capabilities grant nothing",
	[GW_LAYER_TIOCSTI] = "the kernel refuses TIOCSTI, so the worker cannot "
			     "push input into a terminal",
};

const char *gw_layer_name(enum gw_layer_id id)
{
	return (unsigned)id < GW_LAYER_COUNT ? layer_names[id] : "?";
}

const char *gw_layer_enforcement(enum gw_layer_id id)
{
	return (unsigned)id < GW_LAYER_COUNT ? enforcement[id] : "?";
}

const char *gw_layer_status_name(enum gw_layer_status status)
{
	switch (status) {
	case GW_LAYER_AVAILABLE: return "available";
	case GW_LAYER_PARTIAL: return "partial";
	case GW_LAYER_UNAVAILABLE: return "unavailable";
	}
	return "?";
}

const char *gw_layer_fallback_name(enum gw_layer_fallback fallback)
{
	switch (fallback) {
	case GW_FALLBACK_NONE: return NULL;
	case GW_FALLBACK_REFUSES: return "refuses";
	case GW_FALLBACK_DEGRADES: return "degrades";
	case GW_FALLBACK_WARNS: return "warns";
	}
	return NULL;
}

const char *gw_probe_result_name(int result)
{
	const char *name;

	if (result == GW_PROBE_NOT_TRIED)
		return NULL;
	if (result == 0)
		return "ok";
	name = result < 0 ? strerrorname_np(-result) : NULL;
	return name ? name : "EUNKNOWN";
}

/* An attempt's result for a sentence: "ok", "EPERM", "not tried". */
static const char *said(int result)
{
	const char *name = gw_probe_result_name(result);

	return name ? name : "not tried";
}

__attribute__((format(printf, 2, 3))) static void
detail(struct gw_layer_report *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->detail, sizeof(r->detail), fmt, ap);
	va_end(ap);
}

/* Record a status other than available and what gymwarden does then. */
__attribute__((format(printf, 4, 5))) static void
fallback(struct gw_layer_report *r, enum gw_layer_status status,
	 enum gw_layer_fallback action, const char *fmt, ...)
{
	va_list ap;

	r->status = status;
	r->fallback = action;
	va_start(ap, fmt);
	vsnprintf(r->why, sizeof(r->why), fmt, ap);
	va_end(ap);
}

__attribute__((format(printf, 2, 3))) static void
hint(struct gw_layer_report *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->hint, sizeof(r->hint), fmt, ap);
	va_end(ap);
}

/* The fix for a failed user namespace attempt, when one is known. */
static void userns_hint(const struct gw_host_probe *p, bool unprivileged,
			int result, struct gw_layer_report *r)
{
	if (p->userns.max_user_namespaces == 0)
		hint(r, "sysctl user.max_user_namespaces=10000");
	else if (unprivileged && p->userns.unprivileged_userns_clone == 0)
		hint(r, "sysctl kernel.unprivileged_userns_clone=1");
	else if (unprivileged && p->userns.apparmor_restrict == 1)
		hint(r, "sysctl kernel.apparmor_restrict_unprivileged_userns=0,"
			" or an AppArmor profile that allows userns");
	else if (result == -ENOSPC)
		hint(r, "raise user.max_user_namespaces with sysctl");
	else if (result == -EINVAL)
		hint(r, "use a kernel built with CONFIG_USER_NS");
	else if (result == -EPERM)
		hint(r, "an enclosing container or its seccomp profile denies "
			"unshare(); allow it there");
}

static void assess_userns(const struct gw_host_probe *p,
			  struct gw_layer_report *r)
{
	bool root = p->host.euid == 0;
	int mine = root ? p->userns.as_root : p->userns.as_unprivileged;
	int other = p->userns.as_unprivileged;

	if (mine != 0) {
		detail(r, "%s cannot create a user namespace: %s",
		       root ? "root" : "this user", said(mine));
		if (root)
			fallback(r, GW_LAYER_UNAVAILABLE, GW_FALLBACK_DEGRADES,
				 "the worker is switched to an unprivileged "
				 "uid without a uid mapping");
		else
			fallback(r, GW_LAYER_UNAVAILABLE, GW_FALLBACK_REFUSES,
				 "without a user namespace an unprivileged "
				 "user can create no other namespace");
		userns_hint(p, !root, mine, r);
		return;
	}
	if (root && other != 0) {
		if (other == -ECANCELED)
			detail(r,
			       "root can create user namespaces; could not "
			       "become uid %d to test unprivileged users",
			       65534);
		else
			detail(r,
			       "root can create user namespaces, "
			       "unprivileged users cannot: %s",
			       said(other));
		fallback(r, GW_LAYER_PARTIAL, GW_FALLBACK_WARNS,
			 "only root can run sandboxed workers on this host");
		userns_hint(p, true, other, r);
		return;
	}
	detail(r, "%s can create user namespaces",
	       root ? "root and unprivileged users" : "this user");
}

/* What a missing namespace of kind means, given the other layers. */
static void ns_fallback(const struct gw_host_probe *p, enum gw_ns_kind kind,
			struct gw_layer_report *r)
{
	bool seccomp = p->seccomp.filter == 0;
	bool landlock = p->landlock.abi > 0;
	const enum gw_layer_status no = GW_LAYER_UNAVAILABLE;

	switch (kind) {
	case GW_NS_PID:
		fallback(r, no, GW_FALLBACK_REFUSES,
			 "the worker would see every host process");
		break;
	case GW_NS_MOUNT:
		if (landlock)
			fallback(r, no, GW_FALLBACK_DEGRADES,
				 "Landlock alone confines file access: no "
				 "private root, no fresh /proc");
		else
			fallback(r, no, GW_FALLBACK_REFUSES,
				 "with no Landlock either, nothing would "
				 "confine file access");
		break;
	case GW_NS_NET:
		if (seccomp)
			fallback(r, no, GW_FALLBACK_DEGRADES,
				 "seccomp denies socket() for every family "
				 "but AF_UNIX");
		else
			fallback(r, no, GW_FALLBACK_REFUSES,
				 "the worker could reach the network");
		break;
	case GW_NS_IPC:
		if (seccomp)
			fallback(r, no, GW_FALLBACK_DEGRADES,
				 "seccomp denies System V IPC and POSIX "
				 "message queues");
		else
			fallback(r, no, GW_FALLBACK_WARNS,
				 "the worker shares System V IPC with the "
				 "host");
		break;
	case GW_NS_UTS:
		fallback(r, no, GW_FALLBACK_WARNS,
			 "the worker sees the host name (it cannot change "
			 "it)");
		break;
	default:
		fallback(r, no, GW_FALLBACK_WARNS,
			 "the worker sees host cgroup paths in "
			 "/proc/self/cgroup");
		break;
	}
}

static void ns_hint(const struct gw_host_probe *p, enum gw_ns_kind kind,
		    int result, struct gw_layer_report *r)
{
	static const char *const config[GW_NS_COUNT] = {
		[GW_NS_PID] = "CONFIG_PID_NS",
		[GW_NS_NET] = "CONFIG_NET_NS",
		[GW_NS_IPC] = "CONFIG_IPC_NS",
		[GW_NS_UTS] = "CONFIG_UTS_NS",
		[GW_NS_CGROUP] = "CONFIG_CGROUPS",
		[GW_NS_MOUNT] = "namespace support",
	};
	static const char *const sysctl[GW_NS_COUNT] = {
		[GW_NS_PID] = "pid",	   [GW_NS_NET] = "net",
		[GW_NS_IPC] = "ipc",	   [GW_NS_UTS] = "uts",
		[GW_NS_CGROUP] = "cgroup", [GW_NS_MOUNT] = "mnt",
	};

	if (p->ns.via_userns && p->ns.result[GW_NS_USER] != 0) {
		hint(r, "needs user namespaces first (see user-ns)");
		return;
	}
	if (result == -ENOSPC)
		hint(r, "raise user.max_%s_namespaces with sysctl",
		     sysctl[kind]);
	else if (result == -EINVAL)
		hint(r, "use a kernel built with %s", config[kind]);
	else if (result == -EPERM)
		hint(r, "an enclosing container or its seccomp profile denies "
			"unshare(); allow it there");
}

static void assess_ns(const struct gw_host_probe *p, enum gw_ns_kind kind,
		      struct gw_layer_report *r)
{
	int result = p->ns.result[kind];
	const char *how =
		p->ns.via_userns ? "inside a new user namespace" : "as root";

	if (result == 0) {
		detail(r, "created %s", how);
		return;
	}
	detail(r, "cannot create one %s: %s", how, said(result));
	ns_fallback(p, kind, r);
	ns_hint(p, kind, result, r);
}

static void assess_seccomp(const struct gw_host_probe *p,
			   struct gw_layer_report *r)
{
	int result = p->seccomp.filter;

	if (result == 0) {
		detail(r, "filter mode works%s",
		       p->seccomp.mode == 2
			       ? "; we already run under a filter, ours stack "
				 "on it"
			       : "");
		return;
	}
	detail(r, "cannot install a filter: %s", said(result));
	fallback(r, GW_LAYER_UNAVAILABLE, GW_FALLBACK_REFUSES,
		 "without a syscall filter the worker reaches the whole "
		 "kernel API");
	if (result == -EINVAL || p->seccomp.mode == -EINVAL)
		hint(r, "use a kernel built with CONFIG_SECCOMP_FILTER");
}

static void assess_notify(const struct gw_host_probe *p,
			  struct gw_layer_report *r)
{
	bool listed = p->seccomp.read_actions == 0 &&
		      gw_probe_words_have(p->seccomp.actions, "user_notif");
	bool kernel = listed || p->seccomp.notif_sizes == 0;
	int result = p->seccomp.listener;

	if (result == 0) {
		detail(r, "a listener can be created%s",
		       listed ? "; actions_avail lists user_notif" : "");
		return;
	}
	if (kernel && p->seccomp.filter == 0) {
		detail(r,
		       "the kernel supports it, but creating a listener "
		       "failed: %s",
		       said(result));
		fallback(r, GW_LAYER_PARTIAL, GW_FALLBACK_DEGRADES,
			 "a forbidden call ends the worker with SIGSYS; the "
			 "report names no syscall");
	} else {
		detail(r,
		       "no user notification: listener %s, "
		       "SECCOMP_GET_NOTIF_SIZES %s",
		       said(result), said(p->seccomp.notif_sizes));
		fallback(r, GW_LAYER_UNAVAILABLE, GW_FALLBACK_DEGRADES,
			 "a forbidden call ends the worker with SIGSYS; the "
			 "report names no syscall");
	}
	if (result == -EBUSY)
		hint(r, "an enclosing sandbox already holds a seccomp "
			"listener; run gymwarden outside it");
	else if (!kernel)
		hint(r, "needs Linux 5.0 or later with seccomp filters");
}

/* The kernel release that brought each Landlock ABI. */
static const char *landlock_kernel(int abi)
{
	static const char *const rel[] = { "5.13", "5.13", "5.19", "6.2",
					   "6.7",  "6.10", "6.12", "6.15" };

	return abi >= 0 && abi < (int)(sizeof(rel) / sizeof(rel[0]))
		       ? rel[abi]
		       : "a later release";
}

/* What ABIs after abi up to the wanted one add, as a list. */
static void landlock_missing(int abi, char *out, size_t cap)
{
	static const char *const adds[] = {
		[2] = "renames across directories",
		[3] = "truncation",
		[4] = "TCP bind and connect",
		[5] = "device ioctl",
		[6] = "abstract unix socket and signal scoping",
	};
	size_t used = 0;

	out[0] = '\0';
	for (int v = abi + 1; v <= GW_LANDLOCK_WANTED_ABI && used < cap; v++) {
		int n = snprintf(out + used, cap - used, "%s%s",
				 used ? ", " : "", adds[v]);

		if (n < 0)
			break;
		used += (size_t)n;
	}
}

static void landlock_unavailable(const struct gw_host_probe *p,
				 struct gw_layer_report *r)
{
	int e = p->landlock.abi;

	if (e == -EOPNOTSUPP)
		detail(r, "built into the kernel but disabled at boot");
	else if (e == -ENOSYS)
		detail(r, "not in this kernel");
	else
		detail(r, "landlock_create_ruleset failed: %s", said(e));

	if (p->ns.result[GW_NS_MOUNT] == 0)
		fallback(r, GW_LAYER_UNAVAILABLE, GW_FALLBACK_DEGRADES,
			 "the read-only mount tree alone confines file "
			 "access");
	else
		fallback(r, GW_LAYER_UNAVAILABLE, GW_FALLBACK_REFUSES,
			 "with no mount namespace either, nothing would "
			 "confine file access");

	if (e == -EOPNOTSUPP)
		hint(r, "add landlock to the lsm= boot parameter (the list "
			"now active is in /sys/kernel/security/lsm)");
	else if (e == -ENOSYS)
		hint(r,
		     "use Linux %s or later built with "
		     "CONFIG_SECURITY_LANDLOCK",
		     landlock_kernel(1));
}

static void assess_landlock(const struct gw_host_probe *p,
			    struct gw_layer_report *r)
{
	int abi = p->landlock.abi;
	char missing[160];

	if (abi <= 0) {
		landlock_unavailable(p, r);
		return;
	}
	if (abi >= GW_LANDLOCK_WANTED_ABI) {
		detail(r, "ABI %d (gymwarden uses up to %d)", abi,
		       GW_LANDLOCK_WANTED_ABI);
		return;
	}
	landlock_missing(abi, missing, sizeof(missing));
	detail(r, "ABI %d lacks %s", abi, missing);
	fallback(r, GW_LAYER_PARTIAL, GW_FALLBACK_DEGRADES,
		 "rules use what ABI %d offers; the rest is left to the "
		 "mount namespace and seccomp",
		 abi);
	hint(r, "ABI %d comes with Linux %s", GW_LANDLOCK_WANTED_ABI,
	     landlock_kernel(GW_LANDLOCK_WANTED_ABI));
}

/* Whether controller name can be used through a v1 hierarchy as root. */
static bool v1_usable(const struct gw_host_probe *p, const char *name)
{
	if (p->host.euid != 0)
		return false;
	for (size_t i = 0; i < p->cgroup1.count; i++) {
		const struct gw_probe_v1_controller *v = &p->cgroup1.ctl[i];

		if (strcmp(v->name, name) == 0)
			return v->hierarchy != 0 && v->enabled && v->mount[0] &&
			       v->writable == 0;
	}
	return false;
}

static bool v1_bound(const struct gw_host_probe *p, const char *name)
{
	for (size_t i = 0; i < p->cgroup1.count; i++)
		if (strcmp(p->cgroup1.ctl[i].name, name) == 0)
			return p->cgroup1.ctl[i].hierarchy != 0;
	return false;
}

bool gw_probe_cgroup2_delegated(const struct gw_probe_cgroup2 *c)
{
	return c->mounted == 0 && c->make_child == 0 &&
	       c->procs_writable == 0 && c->subtree_writable == 0;
}

/* Append word to the comma-separated list in out. */
static void add_word(char *out, size_t cap, const char *word)
{
	size_t n = strlen(out);

	snprintf(out + n, cap - n, "%s%s", n ? ", " : "", word);
}

/* The wanted controllers our v2 cgroup lacks, and those in v1. */
static void v2_missing(const struct gw_host_probe *p, char *missing,
		       char *in_v1, size_t cap)
{
	missing[0] = in_v1[0] = '\0';
	for (size_t i = 0; i < N_WANTED; i++) {
		const char *w = wanted_controllers[i];

		if (gw_probe_words_have(p->cgroup2.controllers, w))
			continue;
		add_word(missing, cap, w);
		if (v1_bound(p, w))
			add_word(in_v1, cap, w);
	}
}

/* Append "; LIST HOW" to out when list is not empty. */
static void add_phrase(char *out, size_t cap, const char *list, const char *how)
{
	size_t n = strlen(out);

	if (list[0])
		snprintf(out + n, cap - n, "%s%s %s", n ? "; " : "", list, how);
}

/* Which mechanism limits each wanted controller instead. */
static void cgroup_fallback(const struct gw_host_probe *p, bool delegated,
			    enum gw_layer_status status,
			    struct gw_layer_report *r)
{
	char v2[64] = "", v1[64] = "", rl[64] = "", why[256] = "";

	for (size_t i = 0; i < N_WANTED; i++) {
		const char *w = wanted_controllers[i];

		if (delegated && gw_probe_words_have(p->cgroup2.controllers, w))
			add_word(v2, sizeof(v2), w);
		else if (v1_usable(p, w))
			add_word(v1, sizeof(v1), w);
		else
			add_word(rl, sizeof(rl), w);
	}
	add_phrase(why, sizeof(why), v2, "through cgroup v2");
	add_phrase(why, sizeof(why), v1, "through cgroup v1 as root");
	add_phrase(why, sizeof(why), rl,
		   "through rlimits only, per process, not per sandbox");
	fallback(r, status, GW_FALLBACK_DEGRADES, "%s", why);
}

/* A fix for each cause found, most fundamental first. */
static void cgroup_hint(const struct gw_host_probe *p, bool delegated,
			const char *missing, const char *in_v1,
			struct gw_layer_report *r)
{
	const struct gw_probe_cgroup2 *c = &p->cgroup2;
	char fix[2][160] = { "", "" };

	if (in_v1[0])
		snprintf(fix[0], sizeof(fix[0]),
			 "%s %s held by cgroup v1: boot with "
			 "systemd.unified_cgroup_hierarchy=1 or "
			 "cgroup_no_v1=all",
			 in_v1, strchr(in_v1, ',') ? "are" : "is");
	else if (missing[0] && delegated)
		snprintf(fix[0], sizeof(fix[0]),
			 "enable %s in the parent's cgroup.subtree_control",
			 missing);

	if (!delegated && p->host.euid != 0)
		snprintf(fix[1], sizeof(fix[1]),
			 "run in a delegated cgroup: systemd-run --user "
			 "--scope -p Delegate=yes gymwarden ...");
	else if (!delegated && c->make_child == -EROFS)
		snprintf(fix[1], sizeof(fix[1]),
			 "the cgroup file system is mounted read-only");

	if (fix[0][0] || fix[1][0])
		hint(r, "%s%s%s", fix[0], fix[0][0] && fix[1][0] ? "; " : "",
		     fix[1]);
}

static void assess_cgroup(const struct gw_host_probe *p,
			  struct gw_layer_report *r)
{
	const struct gw_probe_cgroup2 *c = &p->cgroup2;
	bool delegated = gw_probe_cgroup2_delegated(c);
	char missing[64], in_v1[64];

	if (c->mounted < 0) {
		detail(r, "no cgroup2 file system is mounted%s%s",
		       c->mounted == -ENOENT ? "" : ": ",
		       c->mounted == -ENOENT ? "" : said(c->mounted));
		cgroup_fallback(p, false, GW_LAYER_UNAVAILABLE, r);
		hint(r, "mount cgroup2, or boot with "
			"systemd.unified_cgroup_hierarchy=1");
		return;
	}
	v2_missing(p, missing, in_v1, sizeof(missing));
	if (delegated && !missing[0]) {
		detail(r,
		       "our cgroup %s is delegated and offers memory, "
		       "pids and cpu",
		       c->dir);
		return;
	}
	if (delegated)
		detail(r, "our cgroup %s offers %s; lacks %s", c->dir,
		       c->controllers[0] ? c->controllers : "no controller",
		       missing);
	else
		detail(r,
		       "our cgroup %s is not delegated to us: creating a "
		       "child %s",
		       c->dir[0] ? c->dir : c->mount, said(c->make_child));
	cgroup_fallback(p, delegated,
			delegated ? GW_LAYER_PARTIAL : GW_LAYER_UNAVAILABLE, r);
	cgroup_hint(p, delegated, missing, in_v1, r);
}

static void assess_nnp(const struct gw_host_probe *p, struct gw_layer_report *r)
{
	if (p->nnp.set == 0) {
		detail(r, "can be set (now %s for this process)",
		       p->nnp.now == 1 ? "on" : "off");
		return;
	}
	detail(r, "cannot be set: %s", said(p->nnp.set));
	fallback(r, GW_LAYER_UNAVAILABLE, GW_FALLBACK_REFUSES,
		 "a setuid program could regain privileges, and seccomp "
		 "needs it");
	hint(r, "needs Linux 3.5 or later");
}

static void assess_tiocsti(const struct gw_host_probe *p,
			   struct gw_layer_report *r)
{
	long v = p->tty.legacy_tiocsti;

	if (v == 0) {
		detail(r, "dev.tty.legacy_tiocsti = 0");
		return;
	}
	if (v == GW_PROBE_NO_SYSCTL)
		detail(r, "no dev.tty.legacy_tiocsti: the kernel allows "
			  "TIOCSTI (legacy behaviour)");
	else
		detail(r,
		       "dev.tty.legacy_tiocsti = %ld: the kernel allows "
		       "TIOCSTI",
		       v);
	fallback(r, GW_LAYER_UNAVAILABLE, GW_FALLBACK_DEGRADES,
		 "the worker gets a new session without a controlling "
		 "terminal%s",
		 p->seccomp.filter == 0 ? ", and seccomp denies TIOCSTI" : "");
	if (v == GW_PROBE_NO_SYSCTL)
		hint(r, "Linux 6.2 or later has sysctl dev.tty.legacy_tiocsti");
	else
		hint(r, "sysctl dev.tty.legacy_tiocsti=0");
}

_Static_assert(GW_LAYER_CGROUPNS - GW_LAYER_USERNS == GW_NS_CGROUP,
	       "namespace layers follow enum gw_ns_kind");

static enum gw_layer_id ns_layer(enum gw_ns_kind kind)
{
	return (enum gw_layer_id)(GW_LAYER_USERNS + kind);
}

void gw_host_probe_assess(const struct gw_host_probe *p,
			  struct gw_layer_report out[GW_LAYER_COUNT])
{
	memset(out, 0, sizeof(out[0]) * GW_LAYER_COUNT);
	for (int i = 0; i < GW_LAYER_COUNT; i++)
		out[i].id = (enum gw_layer_id)i;

	assess_userns(p, &out[GW_LAYER_USERNS]);
	for (int k = GW_NS_USER + 1; k < GW_NS_COUNT; k++)
		assess_ns(p, (enum gw_ns_kind)k,
			  &out[ns_layer((enum gw_ns_kind)k)]);
	assess_seccomp(p, &out[GW_LAYER_SECCOMP]);
	assess_notify(p, &out[GW_LAYER_SECCOMP_NOTIFY]);
	assess_landlock(p, &out[GW_LAYER_LANDLOCK]);
	assess_cgroup(p, &out[GW_LAYER_CGROUP]);
	assess_nnp(p, &out[GW_LAYER_NO_NEW_PRIVS]);
	assess_tiocsti(p, &out[GW_LAYER_TIOCSTI]);
}
