/*
 * What this host lets gymwarden enforce: a probe of the kernel's
 * isolation features, and an assessment of each sandbox layer from it.
 *
 * gw_host_probe_run fills a struct gw_host_probe with plain facts: files
 * read, syscalls tried, each attempt's result. Attempts that could change
 * the caller (unshare, seccomp, no_new_privs) run in short-lived children
 * that are always reaped; a child cgroup made to test delegation is
 * removed again. gw_host_probe_assess turns the facts into one report per
 * layer: its status, and what gymwarden does when it is missing. Neither
 * prints anything.
 *
 * The parsers below take text so they can be tested without a kernel.
 */
#ifndef GW_JAIL_PROBE_H
#define GW_JAIL_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Caps on what the probe keeps; a longer value is an -ENAMETOOLONG. */
#define GW_PROBE_PATH_BYTES 512u
#define GW_PROBE_LIST_BYTES 512u
#define GW_PROBE_NAME_BYTES 32u
#define GW_PROBE_MAX_V1	    32u

/* Caps on the files the probe reads. */
#define GW_PROBE_MOUNTINFO_MAX_BYTES  (4u * 1024 * 1024)
#define GW_PROBE_SMALL_FILE_MAX_BYTES (64u * 1024)

/* How long one probing child may run before it is killed. */
#define GW_PROBE_CHILD_TIMEOUT_MS 2000u

/*
 * The Landlock ABI whose rights the launcher uses: 6 (Linux 6.12) adds
 * scoping of abstract unix sockets and signals. A lower ABI is partial.
 */
#define GW_LANDLOCK_WANTED_ABI 6

/*
 * The result of one attempt: 0 it worked, a negative errno it failed,
 * GW_PROBE_NOT_TRIED when it was not made (not root, no mount, ...).
 */
#define GW_PROBE_NOT_TRIED 1

/* A sysctl value that is absent or unreadable. */
#define GW_PROBE_NO_SYSCTL (-1L)

enum gw_ns_kind {
	GW_NS_USER,
	GW_NS_PID,
	GW_NS_MOUNT,
	GW_NS_NET,
	GW_NS_IPC,
	GW_NS_UTS,
	GW_NS_CGROUP,
	GW_NS_COUNT,
};

/* One controller line of /proc/cgroups and where we found it. */
struct gw_probe_v1_controller {
	char name[GW_PROBE_NAME_BYTES];
	unsigned hierarchy; /* 0: not bound to a v1 hierarchy */
	unsigned num_cgroups;
	bool enabled;
	char mount[GW_PROBE_PATH_BYTES]; /* "" when not mounted here */
	char path[GW_PROBE_PATH_BYTES];	 /* our cgroup in that hierarchy */
	int writable; /* W_OK on our cgroup directory; or NOT_TRIED */
};

struct gw_probe_cgroup2 {
	int mounted; /* 0, -ENOENT with no cgroup2 mount, or -errno */
	char mount[GW_PROBE_PATH_BYTES];
	char path[GW_PROBE_PATH_BYTES]; /* from the "0::" line */
	char dir[GW_PROBE_PATH_BYTES];	/* our cgroup's directory */
	int read_root; /* reading the mount's cgroup.controllers */
	char root_controllers[GW_PROBE_LIST_BYTES];
	int read_self; /* reading our cgroup's cgroup.controllers */
	char controllers[GW_PROBE_LIST_BYTES];
	char subtree_control[GW_PROBE_LIST_BYTES];
	int procs_writable;   /* W_OK on our cgroup.procs */
	int subtree_writable; /* W_OK on our cgroup.subtree_control */
	int make_child;	      /* mkdir of a probe child cgroup */
	int remove_child;     /* rmdir of it again */
	char child_controllers[GW_PROBE_LIST_BYTES];
};

struct gw_probe_cgroup1 {
	int read; /* reading /proc/cgroups: 0 or -errno */
	size_t count;
	struct gw_probe_v1_controller ctl[GW_PROBE_MAX_V1];
};

/*
 * Everything gw_host_probe_run learns. Lists of names are kept as
 * space-separated words; sysctls absent from this kernel read as
 * GW_PROBE_NO_SYSCTL.
 */
struct gw_host_probe {
	struct {
		char kernel[65]; /* uname(2) release */
		uid_t uid;
		uid_t euid;
		int cap_sys_admin; /* 1 held, 0 not, or -errno */
	} host;

	struct {
		long unprivileged_userns_clone; /* Debian and Ubuntu only */
		long max_user_namespaces;
		long apparmor_restrict; /* Ubuntu's AppArmor switch */
		int as_root;		/* NOT_TRIED unless euid is 0 */
		int as_unprivileged;	/* as uid 65534 when we are root */
	} userns;

	/*
	 * unshare() of each kind in a child: directly as root holding
	 * CAP_SYS_ADMIN, else together with CLONE_NEWUSER (via_userns).
	 */
	struct {
		bool via_userns;
		int result[GW_NS_COUNT];
	} ns;

	struct {
		int mode;     /* PR_GET_SECCOMP now: 0 none, 2 filter; -errno */
		int filter;   /* installing an allow-all filter in a child */
		int listener; /* the same, with a listener fd */
		int notif_sizes;  /* SECCOMP_GET_NOTIF_SIZES */
		int read_actions; /* reading actions_avail: 0 or -errno */
		char actions[GW_PROBE_LIST_BYTES];
	} seccomp;

	struct {
		int abi; /* > 0 the ABI version, else -errno */
	} landlock;

	struct {
		int now; /* PR_GET_NO_NEW_PRIVS: 0, 1, or -errno */
		int set; /* PR_SET_NO_NEW_PRIVS in a child */
	} nnp;

	struct {
		long legacy_tiocsti; /* absent: the legacy behaviour */
	} tty;

	struct gw_probe_cgroup2 cgroup2;
	struct gw_probe_cgroup1 cgroup1;

	/*
	 * 0, or the first error that kept an attempt from being made at
	 * all (fork failed, a child could not be reaped): the report is
	 * then incomplete.
	 */
	int incomplete;
};

/*
 * Probe this host into p, which the caller owns (about 40 KiB: keep it
 * off small stacks). Each attempt's outcome is recorded in p, not
 * returned. Returns 0, or p->incomplete when some attempt could not be
 * made; p is filled either way. Each child is killed after
 * GW_PROBE_CHILD_TIMEOUT_MS and always reaped. The children run only
 * async-signal-safe code, so a threaded caller is fine, but a SIGCHLD
 * handler that reaps every child would steal their statuses.
 *
 * As root, the unprivileged attempts run as uid and gid 65534; such an
 * attempt reads -ECANCELED when the child could not switch to them.
 */
int gw_host_probe_run(struct gw_host_probe *p);

/*
 * The result of an attempt as a word: "ok", the errno's name ("EPERM"),
 * or NULL for GW_PROBE_NOT_TRIED.
 */
const char *gw_probe_result_name(int result);

/*
 * Whether our v2 cgroup is delegated to us: we made a child in it and
 * may write its cgroup.procs and cgroup.subtree_control.
 */
bool gw_probe_cgroup2_delegated(const struct gw_probe_cgroup2 *c);

/* "user", "pid", "mount", "net", "ipc", "uts", "cgroup". */
const char *gw_ns_kind_name(enum gw_ns_kind kind);

/* The CLONE_NEW* flag of kind. */
int gw_ns_kind_flag(enum gw_ns_kind kind);

/* -------------------------------------------------------------------
 * Assessment: one report per sandbox layer.
 */

enum gw_layer_id {
	GW_LAYER_USERNS,
	GW_LAYER_PIDNS,
	GW_LAYER_MOUNTNS,
	GW_LAYER_NETNS,
	GW_LAYER_IPCNS,
	GW_LAYER_UTSNS,
	GW_LAYER_CGROUPNS,
	GW_LAYER_SECCOMP,
	GW_LAYER_SECCOMP_NOTIFY,
	GW_LAYER_LANDLOCK,
	GW_LAYER_CGROUP,
	GW_LAYER_NO_NEW_PRIVS,
	GW_LAYER_TIOCSTI,
	GW_LAYER_COUNT,
};

enum gw_layer_status {
	GW_LAYER_AVAILABLE,
	GW_LAYER_PARTIAL,
	GW_LAYER_UNAVAILABLE,
};

/* What gymwarden does when a layer is partial or unavailable. */
enum gw_layer_fallback {
	GW_FALLBACK_NONE,     /* the layer is available */
	GW_FALLBACK_REFUSES,  /* a manifest that requires it is refused */
	GW_FALLBACK_DEGRADES, /* a weaker mechanism stands in */
	GW_FALLBACK_WARNS,    /* runs without it and says so */
};

struct gw_layer_report {
	enum gw_layer_id id;
	enum gw_layer_status status;
	enum gw_layer_fallback fallback;
	char detail[256]; /* what the probe found */
	char why[256];	  /* what the fallback means; "" when none */
	char hint[256];	  /* how to fix it; "" when no fix is known */
};

/*
 * Judge every layer from p into out[GW_LAYER_COUNT], in the order of
 * enum gw_layer_id. Pure: the same p always gives the same reports.
 */
void gw_host_probe_assess(const struct gw_host_probe *p,
			  struct gw_layer_report out[GW_LAYER_COUNT]);

/* "user-ns", "seccomp", ...: a layer's stable name in reports. */
const char *gw_layer_name(enum gw_layer_id id);

/* One line on how gymwarden enforces the layer when it is available. */
const char *gw_layer_enforcement(enum gw_layer_id id);

/* "available", "partial", "unavailable". */
const char *gw_layer_status_name(enum gw_layer_status status);

/* "refuses", "degrades", "warns"; NULL for GW_FALLBACK_NONE. */
const char *gw_layer_fallback_name(enum gw_layer_fallback fallback);

/* -------------------------------------------------------------------
 * Pure parsers of the files the probe reads.
 */

/* The parts of one /proc/self/mountinfo line the probe needs. */
struct gw_mountinfo {
	char root[GW_PROBE_PATH_BYTES];	 /* the mount's root in its fs */
	char mount[GW_PROBE_PATH_BYTES]; /* where it is mounted */
	char fstype[GW_PROBE_NAME_BYTES];
	char super_opts[GW_PROBE_LIST_BYTES]; /* comma-separated */
};

/* One line of /proc/self/cgroup: "hierarchy:controllers:path". */
struct gw_cgroup_line {
	unsigned hierarchy;
	char controllers[GW_PROBE_LIST_BYTES]; /* comma-separated, v1 */
	char path[GW_PROBE_PATH_BYTES];
};

/*
 * Normalise a whitespace-separated list of names (cgroup.controllers,
 * cgroup.subtree_control, seccomp's actions_avail) into out (cap bytes)
 * as words joined by one space. A name holds letters, digits, '_', '-'
 * and '.'. Returns the number of names, -EINVAL for any other byte, or
 * -E2BIG when out is too small.
 */
int gw_probe_parse_words(const char *text, char *out, size_t cap);

/* Whether the space-separated list holds word. */
bool gw_probe_words_have(const char *list, const char *word);

/* Whether the comma-separated option list holds name exactly. */
bool gw_probe_opts_have(const char *opts, const char *name);

/*
 * Parse the text of /proc/cgroups into out[0..max), skipping the header
 * and blank lines; *count is how many were filled. Returns 0, -EINVAL
 * for a malformed line, or -E2BIG when there are more than max.
 */
int gw_probe_parse_proc_cgroups(const char *text,
				struct gw_probe_v1_controller *out, size_t max,
				size_t *count);

/*
 * Parse one mountinfo line of len bytes (no newline) into m, undoing the
 * kernel's octal escapes in the paths. Returns 0, -EINVAL when malformed,
 * or -ENAMETOOLONG when a field does not fit.
 */
int gw_probe_parse_mountinfo_line(const char *line, size_t len,
				  struct gw_mountinfo *m);

/*
 * Find in the whole mountinfo text the first mount of fstype, carrying
 * super option opt when opt is not NULL, whose root holds cgroup_path
 * (any such mount when cgroup_path is NULL or none holds it). Returns 0,
 * or -ENOENT.
 */
int gw_probe_find_mount(const char *mountinfo, const char *fstype,
			const char *opt, const char *cgroup_path,
			struct gw_mountinfo *m);

/*
 * Parse one /proc/self/cgroup line of len bytes. The path is the rest of
 * the line, so it may hold ':'. Returns 0, -EINVAL, or -ENAMETOOLONG.
 */
int gw_probe_parse_cgroup_line(const char *line, size_t len,
			       struct gw_cgroup_line *c);

/*
 * Find in the whole /proc/self/cgroup text our path in the v2 hierarchy
 * (controller NULL) or in the v1 hierarchy holding controller, into out.
 * Returns 0, -ENOENT, or -ENAMETOOLONG.
 */
int gw_probe_find_cgroup_path(const char *text, const char *controller,
			      char *out, size_t cap);

/*
 * The directory of cgroup path inside a mount of its hierarchy at mount
 * whose own root is root: mount plus path with root taken off. Returns
 * 0, -ENOENT when path lies outside root, or -ENAMETOOLONG.
 */
int gw_probe_cgroup_dir(const char *mount, const char *root, const char *path,
			char *out, size_t cap);

/*
 * Parse a sysctl file's text: one decimal integer, optionally followed by
 * a newline. Returns 0 or -EINVAL.
 */
int gw_probe_parse_long(const char *text, long *v);

/* -------------------------------------------------------------------
 * Steps of gw_host_probe_run that live in their own files.
 */

/* Fill p->cgroup2 and p->cgroup1 (probe_cgroup.c). */
void gw_probe_cgroups(struct gw_host_probe *p);

#endif /* GW_JAIL_PROBE_H */
