/*
 * The cgroup part of the host probe: where the v2 hierarchy is mounted,
 * which controllers our cgroup offers and whether it is delegated to us;
 * which controllers sit on v1 hierarchies and whether ours are writable.
 * The only change made is one empty child cgroup, removed at once.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "jail/probe.h"

/* A cgroup directory plus a file name inside it. */
#define JOIN_BYTES (GW_PROBE_PATH_BYTES + 64)

/* Names tried for the probe's child cgroup, and rmdir attempts. */
#define CHILD_NAME_TRIES 8
#define RMDIR_TRIES	 20

static int join(char *out, const char *dir, const char *name)
{
	int n = snprintf(out, JOIN_BYTES, "%s/%s", dir, name);

	return n < 0 || (size_t)n >= JOIN_BYTES ? -ENAMETOOLONG : 0;
}

/* Read the word list in dir/name into out: 0 or -errno. */
static int read_words(const char *dir, const char *name, char *out, size_t cap)
{
	char path[JOIN_BYTES];
	struct gw_buf b;
	int r;

	out[0] = '\0';
	r = join(path, dir, name);
	if (r < 0)
		return r;
	gw_buf_init(&b, GW_PROBE_SMALL_FILE_MAX_BYTES);
	r = gw_buf_read_file(&b, path, NULL);
	if (r == 0)
		r = gw_probe_parse_words(b.data, out, cap);
	gw_buf_free(&b);
	return r < 0 ? r : 0;
}

/* Whether we, by effective ids, may write path: 0 or -errno. */
static int may_write(const char *path)
{
	return faccessat(AT_FDCWD, path, W_OK, AT_EACCESS) < 0 ? -errno : 0;
}

static int may_write_in(const char *dir, const char *name)
{
	char path[JOIN_BYTES];
	int r = join(path, dir, name);

	return r < 0 ? r : may_write(path);
}

static int copy_str(char *out, size_t cap, const char *s)
{
	size_t n = strlen(s);

	if (n >= cap)
		return -ENAMETOOLONG;
	memcpy(out, s, n + 1);
	return 0;
}

/* rmdir, retrying briefly while the kernel still reports it busy. */
static int remove_dir(const char *path)
{
	const struct timespec tick = { 0, 5 * 1000 * 1000 };

	for (int i = 0; i < RMDIR_TRIES; i++) {
		if (rmdir(path) == 0)
			return 0;
		if (errno != EBUSY)
			return -errno;
		nanosleep(&tick, NULL);
	}
	return -EBUSY;
}

/*
 * Create an empty child of our cgroup, read what it offers, remove it.
 * Termination signals wait until it is gone so it cannot be left behind.
 */
static void try_child(struct gw_probe_cgroup2 *c)
{
	char child[JOIN_BYTES], name[64];
	sigset_t block, old;

	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGQUIT);
	sigprocmask(SIG_BLOCK, &block, &old);

	c->make_child = -EEXIST;
	for (int i = 0; i < CHILD_NAME_TRIES && c->make_child == -EEXIST; i++) {
		snprintf(name, sizeof(name), "gymwarden-probe-%ld-%d",
			 (long)getpid(), i);
		c->make_child = join(child, c->dir, name);
		if (c->make_child == 0 && mkdir(child, 0755) < 0)
			c->make_child = -errno;
	}
	if (c->make_child == 0) {
		read_words(child, "cgroup.controllers", c->child_controllers,
			   sizeof(c->child_controllers));
		c->remove_child = remove_dir(child);
	}

	sigprocmask(SIG_SETMASK, &old, NULL);
}

static void probe_v2(struct gw_probe_cgroup2 *c, const char *mountinfo,
		     const char *self)
{
	struct gw_mountinfo m;
	int r;

	c->read_root = c->read_self = GW_PROBE_NOT_TRIED;
	c->procs_writable = c->subtree_writable = GW_PROBE_NOT_TRIED;
	c->make_child = c->remove_child = GW_PROBE_NOT_TRIED;

	r = gw_probe_find_cgroup_path(self, NULL, c->path, sizeof(c->path));
	c->mounted = gw_probe_find_mount(mountinfo, "cgroup2", NULL,
					 r == 0 ? c->path : NULL, &m);
	if (c->mounted == 0)
		c->mounted = copy_str(c->mount, sizeof(c->mount), m.mount);
	if (c->mounted < 0)
		return;
	c->read_root =
		read_words(c->mount, "cgroup.controllers", c->root_controllers,
			   sizeof(c->root_controllers));

	if (r == 0)
		r = gw_probe_cgroup_dir(m.mount, m.root, c->path, c->dir,
					sizeof(c->dir));
	if (r < 0) {
		c->read_self = r;
		return;
	}
	c->read_self = read_words(c->dir, "cgroup.controllers", c->controllers,
				  sizeof(c->controllers));
	read_words(c->dir, "cgroup.subtree_control", c->subtree_control,
		   sizeof(c->subtree_control));
	c->procs_writable = may_write_in(c->dir, "cgroup.procs");
	c->subtree_writable = may_write_in(c->dir, "cgroup.subtree_control");
	try_child(c);
}

/* Where controller v's hierarchy is mounted, and whether ours is ours. */
static void find_v1(struct gw_probe_v1_controller *v, const char *mountinfo,
		    const char *self)
{
	char dir[GW_PROBE_PATH_BYTES];
	struct gw_mountinfo m;

	if (gw_probe_find_cgroup_path(self, v->name, v->path, sizeof(v->path)) <
	    0)
		return;
	if (gw_probe_find_mount(mountinfo, "cgroup", v->name, v->path, &m) <
		    0 ||
	    copy_str(v->mount, sizeof(v->mount), m.mount) < 0)
		return;
	if (gw_probe_cgroup_dir(m.mount, m.root, v->path, dir, sizeof(dir)) < 0)
		return;
	v->writable = may_write(dir);
}

static void probe_v1(struct gw_probe_cgroup1 *c, const char *mountinfo,
		     const char *self)
{
	struct gw_buf b;

	gw_buf_init(&b, GW_PROBE_SMALL_FILE_MAX_BYTES);
	c->read = gw_buf_read_file(&b, "/proc/cgroups", NULL);
	if (c->read == 0)
		c->read = gw_probe_parse_proc_cgroups(
			b.data, c->ctl, GW_PROBE_MAX_V1, &c->count);
	gw_buf_free(&b);

	for (size_t i = 0; i < c->count; i++)
		if (c->ctl[i].hierarchy != 0 && c->ctl[i].enabled)
			find_v1(&c->ctl[i], mountinfo, self);
}

void gw_probe_cgroups(struct gw_host_probe *p)
{
	struct gw_buf mountinfo, self;
	int r;

	gw_buf_init(&mountinfo, GW_PROBE_MOUNTINFO_MAX_BYTES);
	gw_buf_init(&self, GW_PROBE_SMALL_FILE_MAX_BYTES);
	r = gw_buf_read_file(&mountinfo, "/proc/self/mountinfo", NULL);
	if (r == 0)
		r = gw_buf_read_file(&self, "/proc/self/cgroup", NULL);

	/* v1 first: a removed probe child lingers in /proc/cgroups. */
	probe_v1(&p->cgroup1, r == 0 ? mountinfo.data : "",
		 r == 0 ? self.data : "");
	if (r == 0) {
		probe_v2(&p->cgroup2, mountinfo.data, self.data);
	} else {
		probe_v2(&p->cgroup2, "", "");
		p->cgroup2.mounted = r;
	}
	gw_buf_free(&mountinfo);
	gw_buf_free(&self);
}
