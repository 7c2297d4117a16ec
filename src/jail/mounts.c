/*
 * P1's new root: an empty tmpfs holding read-only binds of exactly the
 * --ro paths and the --exec file at their real paths, the host's
 * merged-/usr symlinks, /etc/ld.so.cache, a private /tmp, a fresh /proc
 * and a /dev of three devices. P1 builds it at JAIL_STAGING in its own
 * mount namespace, pivots into it and detaches the host's root, so the
 * worker can name nothing else.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "jail/jail.h"

/* A bind of the new root: its real path and an O_PATH fd to it, or a
 * detached mount tree L cloned (tree). */
struct bind {
	const char *path;
	int fd;
	bool tree;
};

/* Top-level links of a merged /usr that the loader and #! lines use. */
static const char *const usr_links[] = {
	"bin", "lib", "lib64", "sbin", "lib32", "libx32",
};

/*
 * What the dynamic loader reads, where the host has it: its cache, and
 * Debian's alternatives, through which links like libblas.so.3 resolve.
 */
static const char *const loader_files[] = {
	"/etc/ld.so.cache",
	"/etc/alternatives",
};

static const char *const dev_nodes[] = { "null", "zero", "urandom" };

static const struct {
	const char *name, *target;
} dev_links[] = {
	{ "fd", "/proc/self/fd" },
	{ "stdin", "/proc/self/fd/0" },
	{ "stdout", "/proc/self/fd/1" },
	{ "stderr", "/proc/self/fd/2" },
};

static void staged(char *out, size_t cap, const char *path)
{
	snprintf(out, cap, "%s%s", JAIL_STAGING, path);
}

/* mkdir -p for the parents of path (inside the staging root). */
static int make_parents(char *path)
{
	for (char *p = path + strlen(JAIL_STAGING) + 1; (p = strchr(p, '/'));
	     p++) {
		*p = '\0';
		int r = mkdir(path, 0755);
		*p = '/';
		if (r != 0 && errno != EEXIST)
			return -errno;
	}
	return 0;
}

/* An empty directory or file to mount on, like what goes on it. */
static int make_mount_point(char *path, bool dir)
{
	struct stat st;
	int r, fd;

	/* Inside a bind made before, the place is already there. */
	if (stat(path, &st) == 0)
		return S_ISDIR(st.st_mode) == dir ? 0 : -ENOTDIR;
	r = make_parents(path);
	if (r < 0)
		return r;
	if (dir)
		return mkdir(path, 0755) == 0 || errno == EEXIST ? 0 : -errno;
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return errno == EISDIR ? 0 : -errno;
	close(fd);
	return 0;
}

/*
 * Set attributes on a mount and everything below it. A kernel without
 * mount_setattr (before 5.12) gets a remount of the top mount that
 * keeps the flags a user namespace locks (noexec, atime).
 */
static int set_attr(const char *path, unsigned attr, unsigned long ms_flags)
{
	struct mount_attr ma = { .attr_set = attr };
	unsigned long keep = 0;
	struct statvfs sv;

	if (mount_setattr(AT_FDCWD, path, AT_RECURSIVE, &ma, sizeof(ma)) == 0)
		return 0;
	if (errno != ENOSYS)
		return -errno;
	if (statvfs(path, &sv) != 0)
		return -errno;
	keep |= (sv.f_flag & ST_NOEXEC) ? MS_NOEXEC : 0;
	keep |= (sv.f_flag & ST_NOATIME) ? MS_NOATIME : 0;
	keep |= (sv.f_flag & ST_NODIRATIME) ? MS_NODIRATIME : 0;
	keep |= (sv.f_flag & ST_RELATIME) ? MS_RELATIME : 0;
	if (mount(NULL, path, NULL, MS_REMOUNT | MS_BIND | ms_flags | keep,
		  NULL) != 0)
		return -errno;
	return 0;
}

#define RO_ATTR	 (MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV)
#define RO_FLAGS (MS_RDONLY | MS_NOSUID | MS_NODEV)

/*
 * Bind what fd names onto target: a clone of its mount tree, attached
 * by fd, so no path is looked up again (and /proc is not needed, which
 * a non-dumpable P1 could not use). Kernels before 5.2 bind the fd's
 * /proc/self/fd path instead.
 */
static int bind_fd(const struct bind *b, const char *target)
{
	char source[32];
	int fd = b->fd, tree, r = 0;

	if (b->tree)
		return move_mount(fd, "", AT_FDCWD, target,
				  MOVE_MOUNT_F_EMPTY_PATH) == 0
			       ? 0
			       : -errno;
	tree = open_tree(fd, "",
			 OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE |
				 AT_EMPTY_PATH);
	if (tree >= 0) {
		if (move_mount(tree, "", AT_FDCWD, target,
			       MOVE_MOUNT_F_EMPTY_PATH) != 0)
			r = -errno;
		close(tree);
		return r;
	}
	if (errno != ENOSYS)
		return -errno;
	snprintf(source, sizeof(source), "/proc/self/fd/%d", fd);
	return mount(source, target, NULL, MS_BIND | MS_REC, NULL) == 0
		       ? 0
		       : -errno;
}

static void bind_ro(struct jail *j, const struct bind *b)
{
	char target[PATH_MAX + 16];
	struct stat st;
	int r;

	staged(target, sizeof(target), b->path);
	r = fstat(b->fd, &st) == 0 ? 0 : -errno;
	if (r == 0)
		r = make_mount_point(target, S_ISDIR(st.st_mode));
	if (r == 0)
		r = bind_fd(b, target);
	if (r == 0)
		r = set_attr(target, RO_ATTR, RO_FLAGS);
	if (r < 0)
		jail_fail(j, GW_JAIL_STAGE_ROOT, b->path, -r);
}

static int by_length(const void *a, const void *b)
{
	size_t la = strlen(((const struct bind *)a)->path);
	size_t lb = strlen(((const struct bind *)b)->path);

	return (la > lb) - (la < lb);
}

/* The --exec file is often a --ro path too: bind it once. */
static bool seen_before(const struct bind *b, unsigned i)
{
	for (unsigned k = 0; k < i; k++)
		if (strcmp(b[k].path, b[i].path) == 0)
			return true;
	return false;
}

const char *jail_bind_path(const struct jail *j, unsigned i)
{
	const unsigned n_loader =
		sizeof(loader_files) / sizeof(loader_files[0]);

	if (i < j->n_ro)
		return j->ro_real[i];
	if (i == j->n_ro)
		return j->exec_real;
	i -= j->n_ro + 1;
	return i < n_loader ? loader_files[i] : NULL;
}

void jail_prebind(struct jail *j)
{
	const char *path;

	for (unsigned i = 0; i < sizeof(j->pretree) / sizeof(j->pretree[0]);
	     i++)
		j->pretree[i] = -1;
	if (geteuid() != 0)
		return;
	for (unsigned i = 0; (path = jail_bind_path(j, i)); i++)
		j->pretree[i] = open_tree(AT_FDCWD, path,
					  OPEN_TREE_CLONE | AT_RECURSIVE);
}

/*
 * Open what will be bound while its paths still mean the host's. A
 * required path that cannot be opened fails the stage; a loader file the
 * host lacks is left out.
 */
static unsigned open_binds(struct jail *j, struct bind *b)
{
	const char *path;
	unsigned n = 0;

	for (unsigned i = 0; (path = jail_bind_path(j, i)); i++) {
		b[n].path = path;
		b[n].tree = j->pretree[i] >= 0;
		b[n].fd = b[n].tree ? j->pretree[i]
				    : open(path, O_PATH | O_CLOEXEC);
		if (b[n].fd >= 0)
			n++;
		else if (i <= j->n_ro)
			jail_fail(j, GW_JAIL_STAGE_ROOT, path, errno);
	}
	return n;
}

static void link_usr(struct jail *j)
{
	char host[16], target[PATH_MAX], link[PATH_MAX + 16];

	for (size_t i = 0; i < sizeof(usr_links) / sizeof(usr_links[0]); i++) {
		struct stat st;
		ssize_t n;

		snprintf(host, sizeof(host), "/%s", usr_links[i]);
		if (lstat(host, &st) != 0 || !S_ISLNK(st.st_mode))
			continue;
		n = readlink(host, target, sizeof(target) - 1);
		if (n < 0)
			jail_fail(j, GW_JAIL_STAGE_ROOT, host, errno);
		target[n] = '\0';
		staged(link, sizeof(link), host);
		if (symlink(target, link) != 0 && errno != EEXIST)
			jail_fail(j, GW_JAIL_STAGE_ROOT, host, errno);
	}
}

/* The empty root, made before anything is mounted in it. */
static void stage_root(struct jail *j, struct bind *b, unsigned *n)
{
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
		jail_fail(j, GW_JAIL_STAGE_ROOT, "making / private", errno);
	*n = open_binds(j, b);
	if (mount("tmpfs", JAIL_STAGING, "tmpfs", MS_NOSUID | MS_NODEV,
		  JAIL_ROOT_TMPFS) != 0)
		jail_fail(j, GW_JAIL_STAGE_ROOT, "mounting the root tmpfs",
			  errno);
}

/*
 * The binds, after /tmp so that a --ro path below /tmp lands on top of
 * the private one, and shorter paths first so that a bind inside
 * another lands on top of it.
 */
static void bind_all(struct jail *j, struct bind *b, unsigned n)
{
	qsort(b, n, sizeof(b[0]), by_length);
	for (unsigned i = 0; i < n; i++)
		if (!seen_before(b, i))
			bind_ro(j, &b[i]);
	for (unsigned i = 0; i < n; i++)
		close(b[i].fd);
	link_usr(j);
}

static void stage_tmp(struct jail *j)
{
	char opts[96], target[32];

	if (!jail_wanted(j, GW_JAIL_LAYER_TMP)) {
		jail_settle(j, GW_JAIL_LAYER_TMP, JAIL_WHY_WITHOUT);
		return;
	}
	staged(target, sizeof(target), "/tmp");
	snprintf(opts, sizeof(opts), "size=%llu,nr_inodes=%u,mode=1777",
		 (unsigned long long)j->tmp_size.value, JAIL_TMP_INODES);
	if (mkdir(target, 0755) != 0 ||
	    mount("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  opts) != 0)
		jail_fail(j, GW_JAIL_STAGE_TMP, "mounting /tmp", errno);
	jail_settle(j, GW_JAIL_LAYER_TMP, JAIL_STANDS);
}

/* A proc of our pid namespace; without one it would show the host's. */
static void stage_proc(struct jail *j)
{
	char target[32];

	if (!jail_wanted(j, GW_JAIL_LAYER_PROC)) {
		jail_settle(j, GW_JAIL_LAYER_PROC, JAIL_WHY_WITHOUT);
		return;
	}
	if (!jail_stands(j, GW_JAIL_LAYER_PID)) {
		jail_settle(j, GW_JAIL_LAYER_PROC, JAIL_WHY_NEEDS_PID);
		return;
	}
	staged(target, sizeof(target), "/proc");
	if (mkdir(target, 0555) != 0 ||
	    mount("proc", target, "proc",
		  MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) != 0)
		jail_fail(j, GW_JAIL_STAGE_PROC, "mounting /proc", errno);
	jail_settle(j, GW_JAIL_LAYER_PROC, JAIL_STANDS);
}

static void dev_node(struct jail *j, const char *name)
{
	char host[32], target[48];
	int r;

	snprintf(host, sizeof(host), "/dev/%s", name);
	staged(target, sizeof(target), host);
	r = make_mount_point(target, false);
	if (r == 0 && mount(host, target, NULL, MS_BIND, NULL) != 0)
		r = -errno;
	if (r == 0)
		r = set_attr(target, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC,
			     MS_NOSUID | MS_NOEXEC);
	if (r < 0)
		jail_fail(j, GW_JAIL_STAGE_DEV, host, -r);
}

static void stage_dev(struct jail *j)
{
	char target[32], link[48];

	if (!jail_wanted(j, GW_JAIL_LAYER_DEV)) {
		jail_settle(j, GW_JAIL_LAYER_DEV, JAIL_WHY_WITHOUT);
		return;
	}
	staged(target, sizeof(target), "/dev");
	if (mkdir(target, 0755) != 0 ||
	    mount("tmpfs", target, "tmpfs", MS_NOSUID | MS_NOEXEC,
		  JAIL_DEV_TMPFS) != 0)
		jail_fail(j, GW_JAIL_STAGE_DEV, "mounting /dev", errno);
	for (size_t i = 0; i < sizeof(dev_nodes) / sizeof(dev_nodes[0]); i++)
		dev_node(j, dev_nodes[i]);
	for (size_t i = 0; i < sizeof(dev_links) / sizeof(dev_links[0]); i++) {
		snprintf(link, sizeof(link), "%s/%s", target,
			 dev_links[i].name);
		if (symlink(dev_links[i].target, link) != 0)
			jail_fail(j, GW_JAIL_STAGE_DEV, link, errno);
	}
	if (mount(NULL, target, NULL,
		  MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NOEXEC,
		  NULL) != 0)
		jail_fail(j, GW_JAIL_STAGE_DEV, "making /dev read-only", errno);
	jail_settle(j, GW_JAIL_LAYER_DEV, JAIL_STANDS);
}

/*
 * Make the staging root /: pivot_root with the new and the old root on
 * the same directory stacks the old one on top, and a lazy unmount of
 * "." then detaches it whole.
 */
static void stage_pivot(struct jail *j)
{
	if (chdir(JAIL_STAGING) != 0)
		jail_fail(j, GW_JAIL_STAGE_PIVOT, "chdir", errno);
	if (syscall(SYS_pivot_root, ".", ".") != 0)
		jail_fail(j, GW_JAIL_STAGE_PIVOT, "pivot_root", errno);
	if (umount2(".", MNT_DETACH) != 0)
		jail_fail(j, GW_JAIL_STAGE_PIVOT, "detaching the old root",
			  errno);
	if (chdir("/") != 0)
		jail_fail(j, GW_JAIL_STAGE_PIVOT, "chdir", errno);
	if (mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | RO_FLAGS, NULL) != 0)
		jail_fail(j, GW_JAIL_STAGE_PIVOT, "making / read-only", errno);
}

void jail_mounts(struct jail *j)
{
	struct bind b[JAIL_MAX_RO + 3];
	unsigned n = 0;

	stage_root(j, b, &n);
	stage_tmp(j);
	bind_all(j, b, n);
	stage_proc(j);
	stage_dev(j);
	stage_pivot(j);
}
