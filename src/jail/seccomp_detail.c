/*
 * DETAIL of a violation line: a forbidden call's arguments in words.
 * Everything read from the caller is hostile: strings are bounded and
 * escaped, lengths are clamped, a read that fails shows the pointer.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "jail/seccomp_priv.h"

#define TRUNCATED "..."

struct name {
	unsigned long long value;
	const char *name;
};

#define N(x)                                                                   \
	{                                                                      \
		x, #x                                                          \
	}

static const struct name socket_families[] = {
	N(AF_UNIX),	 N(AF_INET),	N(AF_INET6),  N(AF_NETLINK),
	N(AF_PACKET),	 N(AF_ALG),	N(AF_VSOCK),  N(AF_BLUETOOTH),
	N(AF_KEY),	 N(AF_XDP),	N(AF_RDS),    N(AF_TIPC),
	N(AF_CAN),	 N(AF_PPPOX),	N(AF_X25),    N(AF_AX25),
	N(AF_NFC),	 N(AF_QIPCRTR), N(AF_SMC),    N(AF_KCM),
	N(AF_LLC),	 N(AF_ATMPVC),	N(AF_ATMSVC), N(AF_IEEE802154),
	N(AF_APPLETALK), N(AF_IPX),	N(AF_NETROM), N(AF_ROSE),
	{ 0, NULL },
};

static const struct name socket_types[] = {
	N(SOCK_STREAM),	   N(SOCK_DGRAM), N(SOCK_RAW),	  N(SOCK_RDM),
	N(SOCK_SEQPACKET), N(SOCK_DCCP),  N(SOCK_PACKET), { 0, NULL },
};

static const struct name ip_protocols[] = {
	N(IPPROTO_IP),	   N(IPPROTO_ICMP),    N(IPPROTO_TCP),
	N(IPPROTO_UDP),	   N(IPPROTO_RAW),     N(IPPROTO_SCTP),
	N(IPPROTO_ICMPV6), N(IPPROTO_UDPLITE), N(IPPROTO_MPTCP),
	{ 0, NULL },
};

/* <linux/netlink.h> would clash with glibc's socket headers. */
static const struct name netlink_protocols[] = {
	{ 0, "NETLINK_ROUTE" },	     { 4, "NETLINK_SOCK_DIAG" },
	{ 6, "NETLINK_XFRM" },	     { 9, "NETLINK_AUDIT" },
	{ 12, "NETLINK_NETFILTER" }, { 15, "NETLINK_KOBJECT_UEVENT" },
	{ 16, "NETLINK_GENERIC" },   { 0, NULL },
};

static const struct name clone_flags[] = {
	N(CLONE_VM),
	N(CLONE_FS),
	N(CLONE_FILES),
	N(CLONE_SIGHAND),
	{ 0x1000, "CLONE_PIDFD" },
	N(CLONE_PTRACE),
	N(CLONE_VFORK),
	N(CLONE_PARENT),
	N(CLONE_THREAD),
	N(CLONE_NEWNS),
	N(CLONE_SYSVSEM),
	N(CLONE_SETTLS),
	N(CLONE_PARENT_SETTID),
	N(CLONE_CHILD_CLEARTID),
	N(CLONE_DETACHED),
	N(CLONE_UNTRACED),
	N(CLONE_CHILD_SETTID),
	N(CLONE_NEWCGROUP),
	N(CLONE_NEWUTS),
	N(CLONE_NEWIPC),
	N(CLONE_NEWUSER),
	N(CLONE_NEWPID),
	N(CLONE_NEWNET),
	N(CLONE_IO),
	{ 0, NULL },
};

static const struct name ptrace_requests[] = {
	N(PTRACE_TRACEME),   N(PTRACE_PEEKTEXT),  N(PTRACE_PEEKDATA),
	N(PTRACE_PEEKUSER),  N(PTRACE_POKETEXT),  N(PTRACE_POKEDATA),
	N(PTRACE_CONT),	     N(PTRACE_KILL),	  N(PTRACE_SINGLESTEP),
	N(PTRACE_GETREGS),   N(PTRACE_SETREGS),	  N(PTRACE_ATTACH),
	N(PTRACE_DETACH),    N(PTRACE_SYSCALL),	  N(PTRACE_SETOPTIONS),
	N(PTRACE_GETREGSET), N(PTRACE_SETREGSET), N(PTRACE_SEIZE),
	N(PTRACE_INTERRUPT), N(PTRACE_LISTEN),	  { 0, NULL },
};

static const struct name ioctl_commands[] = {
	N(TCGETS),
	N(TCSETS),
	N(TCSETSW),
	N(TCSETSF),
	N(TIOCSCTTY),
	N(TIOCGPGRP),
	N(TIOCSPGRP),
	N(TIOCOUTQ),
	N(TIOCSTI),
	N(TIOCGWINSZ),
	N(TIOCSWINSZ),
	N(TIOCMGET),
	N(FIONREAD),
	N(TIOCLINUX),
	N(TIOCCONS),
	N(TIOCGSERIAL),
	N(FIONBIO),
	N(TIOCNOTTY),
	N(TIOCSETD),
	N(TIOCGETD),
	N(TIOCSBRK),
	N(TIOCCBRK),
	N(TIOCGSID),
	N(TIOCGPTN),
	N(TIOCSPTLCK),
	N(TIOCGPTPEER),
	N(FIONCLEX),
	N(FIOCLEX),
	N(FIOASYNC),
	N(TIOCVHANGUP),
	{ 0x40049409u, "FICLONE" },
	{ 0x80086601u, "FS_IOC_GETFLAGS" },
	{ 0x40086602u, "FS_IOC_SETFLAGS" },
	{ 0, NULL },
};

static const struct name prctl_options[] = {
	N(PR_SET_PDEATHSIG),
	N(PR_GET_PDEATHSIG),
	N(PR_GET_DUMPABLE),
	N(PR_SET_DUMPABLE),
	N(PR_SET_KEEPCAPS),
	N(PR_SET_NAME),
	N(PR_GET_NAME),
	N(PR_GET_SECCOMP),
	N(PR_SET_SECCOMP),
	N(PR_CAPBSET_READ),
	N(PR_CAPBSET_DROP),
	N(PR_SET_SECUREBITS),
	N(PR_SET_MM),
	N(PR_SET_CHILD_SUBREAPER),
	N(PR_SET_NO_NEW_PRIVS),
	N(PR_GET_NO_NEW_PRIVS),
	N(PR_CAP_AMBIENT),
	N(PR_SET_PTRACER),
	{ 0x53564d41u, "PR_SET_VMA" },
	{ 0, NULL },
};

static const char *lookup(const struct name *t, unsigned long long v)
{
	for (; t->name; t++)
		if (t->value == v)
			return t->name;
	return NULL;
}

const char *gw_seccomp_ioctl_name(unsigned cmd)
{
	return lookup(ioctl_commands, cmd);
}

/*
 * The text being built: it never overflows, and once something did not
 * fit it ends with TRUNCATED and takes nothing more.
 */
struct text {
	char *p;
	size_t cap; /* bytes usable before the reserve for TRUNCATED */
	size_t len;
	bool full;
};

static void add(struct text *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void add(struct text *t, const char *fmt, ...)
{
	char piece[160];
	va_list ap;
	int n;

	if (t->full)
		return;
	va_start(ap, fmt);
	n = vsnprintf(piece, sizeof(piece), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(piece) || t->len + n > t->cap) {
		t->full = true;
		memcpy(t->p + t->len, TRUNCATED, sizeof(TRUNCATED));
		t->len += sizeof(TRUNCATED) - 1;
		return;
	}
	memcpy(t->p + t->len, piece, (size_t)n + 1);
	t->len += (size_t)n;
}

static void add_escaped(struct text *t, const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n && !t->full; i++) {
		if (s[i] >= 0x20 && s[i] < 0x7f && s[i] != '\\' && s[i] != '"')
			add(t, "%c", s[i]);
		else
			add(t, "\\x%02x", s[i]);
	}
}

static void add_name(struct text *t, const struct name *names,
		     unsigned long long v)
{
	const char *s = lookup(names, v);

	if (s)
		add(t, "%s", s);
	else
		add(t, "%llu", v);
}

/* Bit names joined with '|', then what is left in hex. */
static void add_flags(struct text *t, const struct name *names,
		      unsigned long long v)
{
	bool any = false;

	for (const struct name *n = names; n->name; n++) {
		if (n->value && (v & n->value) == n->value) {
			add(t, "%s%s", any ? "|" : "", n->name);
			v &= ~n->value;
			any = true;
		}
	}
	if (v || !any)
		add(t, "%s0x%llx", any ? "|" : "", v);
}

struct reader {
	gw_seccomp_peek_fn peek;
	void *ctx;
};

/* A quoted, escaped string at addr, or the pointer when unreadable. */
static void add_string(struct text *t, const struct reader *r, uint64_t addr)
{
	unsigned char buf[GW_SECCOMP_PEEK_MAX_BYTES];
	size_t n = 0, len;
	const unsigned char *nul;

	if (addr && r->peek)
		n = r->peek(r->ctx, addr, buf, sizeof(buf));
	if (n == 0 && addr)
		add(t, "0x%llx(unreadable)", (unsigned long long)addr);
	else if (n == 0)
		add(t, "NULL");
	if (n == 0)
		return;
	nul = memchr(buf, '\0', n);
	len = nul ? (size_t)(nul - buf) : n;
	add(t, "\"");
	add_escaped(t, buf, len);
	add(t, nul ? "\"" : "\"" TRUNCATED);
}

static void add_dirfd(struct text *t, uint64_t fd)
{
	if ((int)fd == AT_FDCWD)
		return;
	add(t, "dirfd=%d ", (int)fd);
}

/* execve's argv after the path: the first few strings. */
static void add_argv(struct text *t, const struct reader *r, uint64_t argv)
{
	uint64_t p;

	if (!argv || !r->peek)
		return;
	add(t, " argv=");
	for (unsigned i = 0; i < GW_SECCOMP_ARGV_MAX; i++) {
		if (r->peek(r->ctx, argv + 8 * i, &p, sizeof(p)) != sizeof(p)) {
			add(t, "?");
			return;
		}
		if (!p)
			return;
		if (i)
			add(t, ",");
		add_string(t, r, p);
	}
	add(t, ",...");
}

static void add_sockaddr(struct text *t, const struct reader *r, uint64_t addr,
			 uint64_t addrlen)
{
	union {
		struct sockaddr sa;
		struct sockaddr_in in;
		struct sockaddr_in6 in6;
		struct sockaddr_un un;
		unsigned char raw[sizeof(struct sockaddr_storage)];
	} u;
	char ip[INET6_ADDRSTRLEN];
	size_t len = addrlen < sizeof(u) ? (size_t)addrlen : sizeof(u), n = 0;

	memset(&u, 0, sizeof(u));
	if (addr && r->peek)
		n = r->peek(r->ctx, addr, &u, len);
	if (n < sizeof(sa_family_t)) {
		add(t, "addr=0x%llx", (unsigned long long)addr);
		return;
	}
	if (u.sa.sa_family == AF_INET && n >= sizeof(u.in)) {
		inet_ntop(AF_INET, &u.in.sin_addr, ip, sizeof(ip));
		add(t, "addr=%s:%u", ip, ntohs(u.in.sin_port));
	} else if (u.sa.sa_family == AF_INET6 && n >= sizeof(u.in6)) {
		inet_ntop(AF_INET6, &u.in6.sin6_addr, ip, sizeof(ip));
		add(t, "addr=[%s]:%u", ip, ntohs(u.in6.sin6_port));
	} else if (u.sa.sa_family == AF_UNIX) {
		size_t off = offsetof(struct sockaddr_un, sun_path);
		size_t plen = n > off ? n - off : 0;
		const unsigned char *path =
			(const unsigned char *)u.un.sun_path;

		if (plen && path[0] == '\0') {
			add(t, "addr=@");
			add_escaped(t, path + 1, plen - 1);
		} else {
			const unsigned char *nul = memchr(path, '\0', plen);

			add(t, "addr=\"");
			add_escaped(t, path, nul ? (size_t)(nul - path) : plen);
			add(t, "\"");
		}
	} else {
		add(t, "addr=");
		add_name(t, socket_families, u.sa.sa_family);
	}
}

static void add_socket(struct text *t, const uint64_t *a)
{
	unsigned family = (unsigned)a[0], type = (unsigned)a[1];
	unsigned base = type & 0xf;

	add(t, "family=");
	add_name(t, socket_families, family);
	add(t, " type=");
	add_name(t, socket_types, base);
	if (type & SOCK_NONBLOCK)
		add(t, "|SOCK_NONBLOCK");
	if (type & SOCK_CLOEXEC)
		add(t, "|SOCK_CLOEXEC");
	if (type & ~(0xfu | SOCK_NONBLOCK | SOCK_CLOEXEC))
		add(t, "|0x%x", type & ~(0xfu | SOCK_NONBLOCK | SOCK_CLOEXEC));
	add(t, " protocol=");
	if (family == AF_INET || family == AF_INET6)
		add_name(t, ip_protocols, (unsigned)a[2]);
	else if (family == AF_NETLINK)
		add_name(t, netlink_protocols, (unsigned)a[2]);
	else
		add(t, "0x%x", (unsigned)a[2]);
}

static void add_signal(struct text *t, uint64_t sig)
{
	const char *s =
		(int)sig > 0 && (int)sig < NSIG ? sigabbrev_np((int)sig) : NULL;

	if (s)
		add(t, "sig=SIG%s", s);
	else
		add(t, "sig=%d", (int)sig);
}

/* How a call's arguments are shown. */
enum shape {
	PATH,	  /* a path at arg a; flags at arg f when f is set */
	PATH2,	  /* paths at args a and b */
	EXEC,	  /* a path at a, argv after it */
	SOCKET,	  /* family, type, protocol */
	SOCKADDR, /* fd, then an address at arg a, its length after it */
	KILL,	  /* pid, signal */
	TGKILL,	  /* tgid, tid, signal */
	PTRACE,	  /* request, pid */
	IOCTL,	  /* fd, command, argument */
	CLONE,	  /* flags at arg 0, the exit signal in its low byte */
	UNSHARE,  /* flags at arg 0 */
	PRCTL,	  /* option, arg2 */
};

struct shape_of {
	const char *name;
	enum shape shape;
	unsigned char a, b, f; /* f == 0: no flags shown */
};

static const struct shape_of shapes[] = {
	{ "open", PATH, 0, 0, 1 },
	{ "creat", PATH, 0, 0, 1 },
	{ "openat", PATH, 1, 0, 2 },
	{ "openat2", PATH, 1, 0, 0 },
	{ "execve", EXEC, 0, 0, 0 },
	{ "execveat", EXEC, 1, 0, 0 },
	{ "unlink", PATH, 0, 0, 0 },
	{ "unlinkat", PATH, 1, 0, 0 },
	{ "mkdir", PATH, 0, 0, 0 },
	{ "mkdirat", PATH, 1, 0, 0 },
	{ "rmdir", PATH, 0, 0, 0 },
	{ "rename", PATH2, 0, 1, 0 },
	{ "renameat", PATH2, 1, 3, 0 },
	{ "renameat2", PATH2, 1, 3, 0 },
	{ "link", PATH2, 0, 1, 0 },
	{ "linkat", PATH2, 1, 3, 0 },
	{ "symlink", PATH2, 0, 1, 0 },
	{ "symlinkat", PATH2, 0, 2, 0 },
	{ "chmod", PATH, 0, 0, 1 },
	{ "fchmodat", PATH, 1, 0, 2 },
	{ "chown", PATH, 0, 0, 0 },
	{ "lchown", PATH, 0, 0, 0 },
	{ "fchownat", PATH, 1, 0, 0 },
	{ "truncate", PATH, 0, 0, 0 },
	{ "chroot", PATH, 0, 0, 0 },
	{ "mknod", PATH, 0, 0, 1 },
	{ "mknodat", PATH, 1, 0, 2 },
	{ "mount", PATH2, 0, 1, 0 },
	{ "umount2", PATH, 0, 0, 0 },
	{ "pivot_root", PATH2, 0, 1, 0 },
	{ "swapon", PATH, 0, 0, 0 },
	{ "acct", PATH, 0, 0, 0 },
	{ "uselib", PATH, 0, 0, 0 },
	{ "name_to_handle_at", PATH, 1, 0, 0 },
	{ "open_tree", PATH, 1, 0, 0 },
	{ "move_mount", PATH2, 1, 3, 0 },
	{ "fsopen", PATH, 0, 0, 0 },
	{ "memfd_create", PATH, 0, 0, 1 },
	{ "inotify_add_watch", PATH, 1, 0, 0 },
	{ "utimensat", PATH, 1, 0, 0 },
	{ "utimes", PATH, 0, 0, 0 },
	{ "utime", PATH, 0, 0, 0 },
	{ "setxattr", PATH, 0, 0, 0 },
	{ "lsetxattr", PATH, 0, 0, 0 },
	{ "getxattr", PATH, 0, 0, 0 },
	{ "lgetxattr", PATH, 0, 0, 0 },
	{ "listxattr", PATH, 0, 0, 0 },
	{ "removexattr", PATH, 0, 0, 0 },
	{ "statfs", PATH, 0, 0, 0 },
	{ "socket", SOCKET, 0, 0, 0 },
	{ "socketpair", SOCKET, 0, 0, 0 },
	{ "connect", SOCKADDR, 1, 0, 0 },
	{ "bind", SOCKADDR, 1, 0, 0 },
	{ "sendto", SOCKADDR, 4, 0, 0 },
	{ "kill", KILL, 0, 0, 0 },
	{ "tkill", KILL, 0, 0, 0 },
	{ "tgkill", TGKILL, 0, 0, 0 },
	{ "ptrace", PTRACE, 0, 0, 0 },
	{ "ioctl", IOCTL, 0, 0, 0 },
	{ "clone", CLONE, 0, 0, 0 },
	{ "unshare", UNSHARE, 0, 0, 0 },
	{ "prctl", PRCTL, 0, 0, 0 },
	{ NULL, PATH, 0, 0, 0 },
};

static const struct shape_of *shape_of(int nr)
{
	const char *name = gw_seccomp_syscall_name(nr);

	for (const struct shape_of *s = shapes; name && s->name; s++)
		if (strcmp(s->name, name) == 0)
			return s;
	return NULL;
}

static void add_path_call(struct text *t, const struct shape_of *s,
			  const struct reader *r, const uint64_t *a)
{
	if (s->a > 0 && s->shape != PATH2)
		add_dirfd(t, a[s->a - 1]);
	add(t, "path=");
	add_string(t, r, a[s->a]);
	if (s->shape == PATH2) {
		add(t, " to=");
		add_string(t, r, a[s->b]);
	} else if (s->shape == EXEC) {
		add_argv(t, r, a[s->a + 1]);
	} else if (s->f) {
		add(t, " flags=0x%llx", (unsigned long long)a[s->f]);
	}
}

static void add_hex_args(struct text *t, const uint64_t *a)
{
	for (int i = 0; i < 6; i++)
		add(t, "%sa%d=0x%llx", i ? " " : "", i,
		    (unsigned long long)a[i]);
}

static void add_call(struct text *t, const struct shape_of *s,
		     const struct reader *r, const uint64_t *a)
{
	const char *name;

	switch (s->shape) {
	case PATH:
	case PATH2:
	case EXEC: add_path_call(t, s, r, a); break;
	case SOCKET: add_socket(t, a); break;
	case SOCKADDR:
		add(t, "fd=%d ", (int)a[0]);
		add_sockaddr(t, r, a[s->a], a[s->a + 1]);
		break;
	case KILL:
		add(t, "pid=%d ", (int)a[0]);
		add_signal(t, a[1]);
		break;
	case TGKILL:
		add(t, "tgid=%d tid=%d ", (int)a[0], (int)a[1]);
		add_signal(t, a[2]);
		break;
	case PTRACE:
		add(t, "request=");
		add_name(t, ptrace_requests, a[0]);
		add(t, " pid=%d", (int)a[1]);
		break;
	case IOCTL:
		name = gw_seccomp_ioctl_name((unsigned)a[1]);
		add(t, "fd=%d cmd=", (int)a[0]);
		if (name)
			add(t, "%s", name);
		if (!name || a[1] >> 32)
			add(t, "%s0x%llx", name ? "/" : "",
			    (unsigned long long)a[1]);
		add(t, " arg=0x%llx", (unsigned long long)a[2]);
		break;
	case CLONE:
		add(t, "flags=");
		add_flags(t, clone_flags, a[0] & ~0xffull);
		if (a[0] & 0xff)
			add(t, " exit_signal=%u", (unsigned)(a[0] & 0xff));
		break;
	case UNSHARE:
		add(t, "flags=");
		if (a[0] & 0x80)
			add(t, "CLONE_NEWTIME%s", a[0] & ~0x80ull ? "|" : "");
		if (!(a[0] & 0x80) || a[0] & ~0x80ull)
			add_flags(t, clone_flags, a[0] & ~0x80ull);
		break;
	case PRCTL:
		add(t, "option=");
		add_name(t, prctl_options, (unsigned)a[0]);
		add(t, " arg2=0x%llx", (unsigned long long)a[1]);
		break;
	}
}

void gw_seccomp_describe(const struct seccomp_data *d, gw_seccomp_peek_fn peek,
			 void *ctx, char *out, size_t cap)
{
	struct reader r = { peek, ctx };
	struct text t = { out, 0, 0, false };
	const struct shape_of *s;
	uint64_t a[6];

	if (cap == 0)
		return;
	out[0] = '\0';
	if (cap <= sizeof(TRUNCATED))
		return;
	t.cap = cap - sizeof(TRUNCATED);
	memcpy(a, d->args, sizeof(a));

	s = shape_of(d->nr);
	if (s)
		add_call(&t, s, &r, a);
	else
		add_hex_args(&t, a);
}
