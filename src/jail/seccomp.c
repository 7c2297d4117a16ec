/*
 * The worker's seccomp filter, compiled from seccomp_table.c at build
 * time (seccomp_gen.c), and the supervisor's answer to each call the
 * filter hands it (docs/seccomp.md). Needs nothing but libc.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "jail/launcher.h"
#include "jail/seccomp_priv.h"

/* Room for the kernel's notification structs, which may grow. */
#define NOTIF_MAX_BYTES 512u
/* The smallest line buffer: "violation NAME NR ACTION" always fits. */
#define LINE_MIN_BYTES 64u

static int load_program(enum gw_seccomp_prog which, unsigned flags)
{
	const struct gw_seccomp_program *p = &gw_seccomp_programs[which];
	struct sock_filter insns[GW_SECCOMP_PROG_MAX_INSNS];
	struct sock_fprog prog = { p->len, insns };
	uint32_t self = (uint32_t)getpid();
	long r;

	if (p->len > GW_SECCOMP_PROG_MAX_INSNS)
		return -E2BIG;
	memcpy(insns, p->insns, p->len * sizeof(insns[0]));
	for (unsigned i = 0; i < p->len; i++)
		if (insns[i].k == GW_SECCOMP_SELF_MAGIC)
			insns[i].k = self;

	r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
	return r < 0 ? -errno : (int)r;
}

int gw_seccomp_load(const struct gw_seccomp_opts *opts, int *listener,
		    bool *notify_ok)
{
	enum gw_seccomp_prog fallback = opts->on_violation == GW_SECCOMP_KILL
						? GW_SECCOMP_PROG_KILL
						: GW_SECCOMP_PROG_ERRNO;
	int r = -EINVAL;

	*listener = -1;
	*notify_ok = false;

	/* EINVAL: the kernel has no listeners (before 5.0). EBUSY: a
	 * filter above ours (another sandbox) already has one. Nothing
	 * was loaded either way, so the plain program goes in instead. */
	if (opts->notify) {
		r = load_program(GW_SECCOMP_PROG_NOTIFY,
				 SECCOMP_FILTER_FLAG_NEW_LISTENER);
		if (r >= 0) {
			*listener = r;
			*notify_ok = true;
			return 0;
		}
	}
	if (r != -EINVAL && r != -EBUSY)
		return r;
	r = load_program(fallback, 0);
	return r < 0 ? r : 0;
}

const char *gw_seccomp_syscall_name(int nr)
{
	if (nr < 0 || nr >= GW_SECCOMP_NAME_SLOTS)
		return NULL;
	return gw_seccomp_names[nr];
}

/* ---- the supervisor ------------------------------------------------ */

static int notif_sizes_fit(void)
{
	static int fit; /* 0 unknown, 1 yes, -errno no */
	struct seccomp_notif_sizes sz;

	if (fit)
		return fit;
	if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sz) < 0)
		fit = -errno;
	else if (sz.seccomp_notif > NOTIF_MAX_BYTES ||
		 sz.seccomp_notif_resp > NOTIF_MAX_BYTES)
		fit = -EOVERFLOW;
	else
		fit = 1;
	return fit;
}

static size_t peek_mem(void *ctx, uint64_t addr, void *buf, size_t len)
{
	int fd = *(int *)ctx;
	ssize_t n;

	if (addr > (uint64_t)INT64_MAX)
		return 0;
	n = pread(fd, buf, len, (off_t)addr);
	return n > 0 ? (size_t)n : 0;
}

static bool id_valid(int listener, uint64_t id)
{
	return ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) == 0;
}

/*
 * DETAIL into out, reading the caller's memory. Returns 0, or -ENOENT
 * when the notification went away (the pid may then be another's).
 */
static int describe(int listener, const struct seccomp_notif *req, char *out,
		    size_t cap)
{
	char path[64];
	int fd = -1;

	if (req->pid > 0) {
		snprintf(path, sizeof(path), "/proc/%u/mem", req->pid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	/* Opened for the pid the kernel named only if still blocked. */
	if (fd >= 0 && !id_valid(listener, req->id)) {
		close(fd);
		return -ENOENT;
	}
	gw_seccomp_describe(&req->data, fd >= 0 ? peek_mem : NULL, &fd, out,
			    cap);
	if (fd >= 0)
		close(fd);
	return id_valid(listener, req->id) ? 0 : -ENOENT;
}

/* 0 sent, 1 the notification had gone, -errno. */
static int respond(int listener, struct seccomp_notif_resp *resp)
{
	if (ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, resp) == 0)
		return 0;
	return errno == ENOENT ? 1 : -errno;
}

static bool is_exec(const struct seccomp_data *d)
{
	return d->arch == gw_seccomp_audit_arch &&
	       (d->nr == SYS_execve || d->nr == SYS_execveat);
}

/* "violation NAME NR ACTION DETAIL", at most limit - 1 bytes. */
static void format_line(const struct gw_seccomp_supervisor *sv,
			const struct seccomp_notif *req, char *line,
			size_t limit, bool *gone)
{
	const char *name = gw_seccomp_syscall_name(req->data.nr);
	int n;

	n = snprintf(line, limit, "violation %s %d %s ",
		     name ? name : "unknown", req->data.nr,
		     sv->on_violation == GW_SECCOMP_KILL ? "kill" : "errno");
	if (n < 0 || (size_t)n >= limit) {
		line[0] = '\0';
		return;
	}
	*gone = describe(sv->listener, req, line + n, limit - n) < 0;
	if (line[n] == '\0')
		line[n - 1] = '\0';
}

int gw_seccomp_answer(struct gw_seccomp_supervisor *sv, char *line, size_t cap,
		      bool *kill)
{
	union {
		struct seccomp_notif n;
		unsigned char raw[NOTIF_MAX_BYTES];
	} req;
	union {
		struct seccomp_notif_resp r;
		unsigned char raw[NOTIF_MAX_BYTES];
	} resp;
	/* One byte stays free for the newline the caller appends. */
	size_t limit =
		cap < GW_JAIL_STATUS_MAX_BYTES ? cap : GW_JAIL_STATUS_MAX_BYTES;
	bool gone = false;
	int r;

	*kill = false;
	if (cap < LINE_MIN_BYTES)
		return -EINVAL;
	line[0] = '\0';
	r = notif_sizes_fit();
	if (r < 0)
		return r;

	memset(&req, 0, sizeof(req));
	if (ioctl(sv->listener, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0)
		return errno == ENOENT || errno == EINTR ? 0 : -errno;
	memset(&resp, 0, sizeof(resp));
	resp.r.id = req.n.id;

	/* The launcher's own exec, made by trusted code right after the
	 * load: it alone may run. CONTINUE is safe only because nothing
	 * untrusted runs yet to change the arguments under us. */
	if (is_exec(&req.n.data) && sv->execs_allowed > 0) {
		sv->execs_allowed--;
		resp.r.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
		r = respond(sv->listener, &resp.r);
		return r < 0 ? r : 0;
	}

	format_line(sv, &req.n, line, limit - 1, &gone);
	if (gone) {
		resp.r.error = -EPERM;
		r = respond(sv->listener, &resp.r);
		line[0] = '\0';
		return r < 0 ? r : 0;
	}

	/* In kill mode the call stays unanswered: its thread sleeps in the
	 * kernel until the caller's kill lands, and goes no further. */
	if (sv->on_violation == GW_SECCOMP_KILL) {
		*kill = true;
		return 1;
	}
	sv->held = true;
	sv->held_id = req.n.id;
	return 1;
}

int gw_seccomp_release(struct gw_seccomp_supervisor *sv)
{
	struct seccomp_notif_resp resp;
	int r;

	if (!sv->held)
		return 0;
	sv->held = false;
	memset(&resp, 0, sizeof(resp));
	resp.id = sv->held_id;
	resp.error = -EPERM;
	r = respond(sv->listener, &resp);
	return r < 0 ? r : 0;
}
