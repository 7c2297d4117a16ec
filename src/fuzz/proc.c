/*
 * The worker's processes as /proc shows them from outside the sandbox.
 * The monitor knows the launcher's pid; the environment runs in its
 * grandchild (below the sandbox's own pid 1), and may start more. Every
 * process below the launcher is found through the children files of
 * its threads, and its memory, threads, fds and CPU time are summed.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz/fuzz.h"

/* Processes looked at below the launcher; a fork bomb stops here. */
#define PROC_MAX_TREE 256u

struct tree {
	int pids[PROC_MAX_TREE];
	size_t n;
};

static void push(struct tree *t, int pid)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->pids[i] == pid)
			return;
	if (t->n < PROC_MAX_TREE)
		t->pids[t->n++] = pid;
}

/* Append the children of every thread of pid to t. */
static void children(struct tree *t, int pid)
{
	char path[64], buf[4096];
	struct dirent *d;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	dir = opendir(path);
	if (!dir)
		return;
	while ((d = readdir(dir))) {
		FILE *f;
		char *p, *end;
		size_t n;

		if (d->d_name[0] < '0' || d->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%.16s/children",
			 pid, d->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[n] = '\0';
		for (p = buf; *p;) {
			long c = strtol(p, &end, 10);

			if (end == p)
				break;
			if (c > 0)
				push(t, (int)c);
			p = end;
		}
	}
	closedir(dir);
}

/* "Key:   value kB" of /proc/PID/status, in the unit it is given. */
static uint64_t status_field(const char *text, const char *key)
{
	const char *p = strstr(text, key);

	return p ? strtoull(p + strlen(key), NULL, 10) : 0;
}

static int status(int pid, struct gw_fuzz_usage *u)
{
	char path[64], buf[4096];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	u->rss_bytes += status_field(buf, "\nVmRSS:") * 1024;
	u->threads += status_field(buf, "\nThreads:");
	return 0;
}

/* utime + stime of /proc/PID/stat, after the command in parentheses. */
static void cpu(int pid, struct gw_fuzz_usage *u)
{
	char path[64], buf[1024];
	unsigned long long ut = 0, st = 0;
	long tick = sysconf(_SC_CLK_TCK);
	char *p;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "re");
	if (!f)
		return;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	/* Fields 3..13 come before utime (14) and stime (15). */
	if (p &&
	    sscanf(p + 1,
		   " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu "
		   "%llu",
		   &ut, &st) == 2 &&
	    tick > 0)
		u->cpu_ns += (ut + st) * (1000000000ull / (uint64_t)tick);
}

static void fds(int pid, struct gw_fuzz_usage *u)
{
	char path[64];
	struct dirent *d;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/fd", pid);
	dir = opendir(path);
	if (!dir)
		return;
	while ((d = readdir(dir)))
		u->fds += d->d_name[0] != '.';
	closedir(dir);
}

int gw_fuzz_proc_usage(int root, struct gw_fuzz_usage *out)
{
	struct tree t = { .n = 0 };

	memset(out, 0, sizeof(*out));
	if (root <= 0)
		return -ESRCH;
	children(&t, root);
	/* t grows while it is walked: breadth first over the whole tree. */
	for (size_t i = 0; i < t.n; i++)
		children(&t, t.pids[i]);
	for (size_t i = 0; i < t.n; i++) {
		if (status(t.pids[i], out) < 0)
			continue;
		cpu(t.pids[i], out);
		fds(t.pids[i], out);
		out->procs++;
	}
	return out->procs ? 0 : -ESRCH;
}
