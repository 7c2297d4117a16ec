/*
 * cgroup limits on the sandbox: a directory of ours, gymwarden-<L's
 * pid>, below the launcher's own cgroup, with a memory limit and a pids
 * limit, and P1 moved into it before it is released, so everything the
 * worker forks is counted. Two backends: the unified hierarchy (v2)
 * where our cgroup delegates memory and pids to its children, and the
 * v1 memory and pids hierarchies otherwise. Nothing here is fatal to
 * safety: the rlimits stand either way, so a host that gives us no
 * cgroup to write gets `missing cgroup-limits:WHY`.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "jail/jail.h"

#define SMALL_FILE_BYTES 4096u
#define RMDIR_TRIES	 200

/* Read a small file into buf as a string; -errno on failure. */
static int read_small(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t len = 0;
	ssize_t n = 1;

	if (fd < 0)
		return -errno;
	while (n > 0 && len < cap - 1) {
		n = read(fd, buf + len, cap - 1 - len);
		if (n > 0)
			len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	return n < 0 ? -EIO : 0;
}

/* The value of "KEY N" on a line of text, or 0. */
static unsigned long long key_value(const char *text, const char *key)
{
	size_t klen = strlen(key);

	for (const char *p = text; p && *p; p = strchr(p, '\n'), p += !!p)
		if (strncmp(p, key, klen) == 0 && p[klen] == ' ')
			return strtoull(p + klen + 1, NULL, 10);
	return 0;
}

/* Does the space- or comma-separated list hold word? */
static bool has_word(const char *list, const char *word)
{
	size_t wlen = strlen(word);

	for (const char *p = list; *p;) {
		size_t n = strcspn(p, " ,\n");

		if (n == wlen && strncmp(p, word, n) == 0)
			return true;
		p += n;
		p += strspn(p, " ,\n");
	}
	return false;
}

/* Our cgroup's path in the hierarchy of controller ("": v2's). */
static int our_path(const char *controller, char *path, size_t cap)
{
	char text[SMALL_FILE_BYTES], list[256];
	bool v2 = controller[0] == '\0';

	if (read_small("/proc/self/cgroup", text, sizeof(text)) < 0)
		return -ENOENT;
	for (char *p = text; p && *p; p = strchr(p, '\n'), p += !!p) {
		char *c1 = strchr(p, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : 0;
		size_t n;

		if (!c2 || (size_t)(c2 - c1 - 1) >= sizeof(list))
			continue;
		memcpy(list, c1 + 1, (size_t)(c2 - c1 - 1));
		list[c2 - c1 - 1] = '\0';
		if (v2 ? list[0] != '\0' : !has_word(list, controller))
			continue;
		n = strcspn(c2 + 1, "\n");
		if (n >= cap)
			return -ENAMETOOLONG;
		memcpy(path, c2 + 1, n);
		path[n] = '\0';
		return 0;
	}
	return -ENOENT;
}

/*
 * The directory of our cgroup in the hierarchy that holds controller,
 * from where /proc/self/mountinfo says that hierarchy is mounted.
 */
static int find_hierarchy(const char *controller, char *dir, size_t cap)
{
	char path[PATH_MAX], line[1024];
	bool v2 = controller[0] == '\0';
	int r = our_path(controller, path, sizeof(path));
	FILE *f;

	if (r < 0)
		return r;
	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return -errno;
	for (r = -ENOENT; r == -ENOENT && fgets(line, sizeof(line), f);) {
		char root[PATH_MAX], mnt[PATH_MAX], type[32], opts[512];

		if (sscanf(line,
			   "%*s %*s %*s %4095s %4095s %*[^-]- %31s %*s %511s",
			   root, mnt, type, opts) != 4)
			continue;
		if (v2 ? strcmp(type, "cgroup2") != 0
		       : strcmp(type, "cgroup") != 0 ||
				    !has_word(opts, controller))
			continue;
		/* Only a mount of the hierarchy's root shows every path. */
		if (strcmp(root, "/") != 0)
			continue;
		r = snprintf(dir, cap, "%s%s", mnt,
			     strcmp(path, "/") ? path : "") < (int)cap
			    ? 0
			    : -ENAMETOOLONG;
	}
	fclose(f);
	return r;
}

static int write_in(const char *dir, const char *file, unsigned long long v)
{
	char path[PATH_MAX + 64], text[32];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	snprintf(text, sizeof(text), "%llu", v);
	return jail_write_file(path, text);
}

/* Make gymwarden-<pid> below parent; -errno, EEXIST included. */
static int make_dir(struct jail *j, const char *parent, bool v2)
{
	struct jail_cgroup *cg = &j->cg[j->n_cg];

	if (j->n_cg >= JAIL_MAX_CGROUPS)
		return -ENOSPC;
	if (snprintf(cg->dir, sizeof(cg->dir), "%s/gymwarden-%d", parent,
		     (int)j->l_pid) >= (int)sizeof(cg->dir))
		return -ENAMETOOLONG;
	/* A directory of a launcher that had our pid and died: reuse. */
	if (mkdir(cg->dir, 0755) != 0 &&
	    (errno != EEXIST || rmdir(cg->dir) != 0 || mkdir(cg->dir, 0755)))
		return -errno;
	cg->v2 = v2;
	j->n_cg++;
	return 0;
}

/* The processes limit counts P1 too: the worker's tree gets N. */
static int limit_v2(struct jail *j)
{
	char dir[PATH_MAX], path[PATH_MAX + 32], ctl[SMALL_FILE_BYTES];
	struct jail_cgroup *cg;
	int r;

	r = find_hierarchy("", dir, sizeof(dir));
	if (r < 0)
		return -ENOENT;
	snprintf(path, sizeof(path), "%s/cgroup.subtree_control", dir);
	if (read_small(path, ctl, sizeof(ctl)) < 0 ||
	    (j->memory.set && !has_word(ctl, "memory")) ||
	    (j->processes.set && !has_word(ctl, "pids")))
		return -ENOENT;
	r = make_dir(j, dir, true);
	if (r < 0)
		return r;
	cg = &j->cg[j->n_cg - 1];
	cg->memory = j->memory.set;
	cg->pids = j->processes.set;
	if (cg->memory)
		r = write_in(cg->dir, "memory.max", j->memory.value);
	if (r == 0 && cg->memory)
		(void)write_in(cg->dir, "memory.swap.max", 0);
	if (r == 0 && cg->pids)
		r = write_in(cg->dir, "pids.max", j->processes.value + 1);
	if (r == 0)
		r = write_in(cg->dir, "cgroup.procs", (unsigned)j->p1);
	return r;
}

static int limit_v1(struct jail *j, const char *controller)
{
	bool memory = strcmp(controller, "memory") == 0;
	char dir[PATH_MAX];
	struct jail_cgroup *cg;
	int r;

	r = find_hierarchy(controller, dir, sizeof(dir));
	if (r < 0)
		return -ENOENT;
	r = make_dir(j, dir, false);
	if (r < 0)
		return r;
	cg = &j->cg[j->n_cg - 1];
	cg->memory = memory;
	cg->pids = !memory;
	if (memory) {
		r = write_in(cg->dir, "memory.limit_in_bytes", j->memory.value);
		/* Swap too, where the kernel accounts it. */
		if (r == 0)
			(void)write_in(cg->dir, "memory.memsw.limit_in_bytes",
				       j->memory.value);
	} else {
		r = write_in(cg->dir, "pids.max", j->processes.value + 1);
	}
	if (r == 0)
		r = write_in(cg->dir, "cgroup.procs", (unsigned)j->p1);
	return r;
}

static enum jail_why why_from(int r)
{
	if (r == -ENOENT)
		return JAIL_WHY_NO_CONTROLLER;
	return JAIL_WHY_NOT_DELEGATED;
}

/*
 * L, after the clone: limit P1's tree. A hierarchy we may not write is
 * a missing layer; a limit the kernel refuses to take is a failure.
 */
void jail_cgroup_setup(struct jail *j)
{
	int r;

	if (!jail_wanted(j, GW_JAIL_LAYER_CGROUP_LIMITS)) {
		jail_settle(j, GW_JAIL_LAYER_CGROUP_LIMITS, JAIL_WHY_WITHOUT);
		return;
	}
	if (!j->memory.set && !j->processes.set) {
		jail_settle(j, GW_JAIL_LAYER_CGROUP_LIMITS, JAIL_WHY_UNSET);
		return;
	}

	r = limit_v2(j);
	if (r == -ENOENT) {
		r = 0;
		if (j->memory.set)
			r = limit_v1(j, "memory");
		if (r == 0 && j->processes.set)
			r = limit_v1(j, "pids");
	}

	if (r == -EINVAL || r == -EBUSY || r == -EEXIST)
		jail_fail(j, GW_JAIL_STAGE_CGROUP, "setting the cgroup limits",
			  -r);
	if (r < 0) {
		jail_cgroup_remove(j);
		jail_settle(j, GW_JAIL_LAYER_CGROUP_LIMITS, why_from(r));
		return;
	}
	jail_settle(j, GW_JAIL_LAYER_CGROUP_LIMITS, JAIL_STANDS);
}

void jail_cgroup_report(const struct jail *j, int fd)
{
	for (unsigned i = 0; i < j->n_cg; i++)
		(void)jail_write_line(fd, "cgroup %s", j->cg[i].dir);
}

/* Did the memory (or else the pids) limit act on the sandbox? */
bool jail_cgroup_hit(const struct jail *j, bool memory)
{
	char path[PATH_MAX + 64], text[SMALL_FILE_BYTES];

	for (unsigned i = 0; i < j->n_cg; i++) {
		const struct jail_cgroup *cg = &j->cg[i];
		const char *file = memory ? (cg->v2 ? "memory.events"
						    : "memory.oom_control")
					  : "pids.events";

		if (memory ? !cg->memory : !cg->pids)
			continue;
		snprintf(path, sizeof(path), "%s/%s", cg->dir, file);
		if (read_small(path, text, sizeof(text)) == 0 &&
		    key_value(text, memory ? "oom_kill" : "max") > 0)
			return true;
	}
	return false;
}

/*
 * Remove our directories. A cgroup whose last task is still on its way
 * out is busy for a moment; after that the monitor has the `cgroup`
 * lines to finish the job.
 */
void jail_cgroup_remove(struct jail *j)
{
	struct timespec pause = { 0, 1000000 };

	for (unsigned i = 0; i < j->n_cg; i++)
		for (int t = 0; t < RMDIR_TRIES; t++) {
			if (rmdir(j->cg[i].dir) == 0 || errno != EBUSY)
				break;
			nanosleep(&pause, NULL);
		}
	j->n_cg = 0;
}
