/*
 * Walking an environment's source tree: every regular file, in byte order
 * of names so that output is the same on every run, never through a
 * symbolic link (a link may point out of the tree, or at /dev/zero), with
 * caps on depth and on the entries looked at. Nothing is excluded: a
 * dependency file in a hidden or vendored folder is still read.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/error.h"
#include "core/log.h"
#include "deps/audit.h"
#include "deps/read_priv.h"

/* Names read as dependency files wherever they sit in the tree. */
static const char *const dependency_names[] = {
	"requirements*.txt",  "requirements*.in", "*-requirements.txt",
	"*_requirements.txt", "pyproject.toml",	  "Pipfile",
	"Pipfile.lock",	      "poetry.lock",	  "uv.lock",
	"pylock.toml",	      "pylock.*.toml",	  "environment*.yml",
	"environment*.yaml",
};

bool gw_deps_is_dependency_file(const char *dir, const char *name)
{
	size_t n = sizeof(dependency_names) / sizeof(dependency_names[0]);

	for (size_t i = 0; i < n; i++)
		if (fnmatch(dependency_names[i], name, 0) == 0)
			return true;
	/* requirements/base.txt, requirements/dev.in */
	return dir && strcmp(dir, "requirements") == 0 &&
	       (fnmatch("*.txt", name, 0) == 0 ||
		fnmatch("*.in", name, 0) == 0);
}

struct walk {
	gw_deps_walk_fn fn;
	void *arg;
	struct gw_error *err;
	size_t entries;
	size_t root_len;
};

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int too_many(struct walk *w, const char *path)
{
	gw_error_where(w->err, path, NULL);
	return gw_error_set(w->err, -E2BIG, "more than %u entries in the tree",
			    GW_DEPS_WALK_MAX_ENTRIES);
}

static int add_name(char ***names, size_t *n, size_t *alloc, const char *name)
{
	char **p;

	if (*n == *alloc) {
		p = realloc(*names, (*alloc ? *alloc * 2 : 32) * sizeof(*p));
		if (!p)
			return -ENOMEM;
		*names = p;
		*alloc = *alloc ? *alloc * 2 : 32;
	}
	(*names)[*n] = strdup(name);
	if (!(*names)[*n])
		return -ENOMEM;
	(*n)++;
	return 0;
}

/* The names in dir, sorted; *out and each name malloc'd. */
static int list_dir(struct walk *w, const char *path, char ***out, size_t *n)
{
	DIR *d = opendir(path);
	struct dirent *de;
	size_t alloc = 0;
	int rc = 0;

	*out = NULL;
	*n = 0;
	if (!d) {
		gw_error_where(w->err, path, NULL);
		return gw_error_set(w->err, -errno, "cannot open folder: %s",
				    strerror(errno));
	}
	while (rc == 0 && (de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (++w->entries > GW_DEPS_WALK_MAX_ENTRIES)
			rc = too_many(w, path);
		else if (add_name(out, n, &alloc, de->d_name) < 0)
			rc = gw_error_set(w->err, -ENOMEM, "out of memory");
	}
	closedir(d);
	if (rc == 0 && *n)
		qsort(*out, *n, sizeof(**out), by_name);
	return rc;
}

static int walk_dir(struct walk *w, const char *path, const char *dirname,
		    unsigned depth);

static int visit(struct walk *w, const char *dir, const char *dirname,
		 const char *name, unsigned depth)
{
	char path[PATH_MAX];
	struct stat st;
	const char *rel;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    sizeof(path))
		return 0; /* too long to name: nothing can open it either */
	if (lstat(path, &st) < 0)
		return 0; /* gone since it was listed */
	rel = path + w->root_len + (path[w->root_len] == '/');
	if (S_ISDIR(st.st_mode))
		return walk_dir(w, path, name, depth + 1);
	if (!S_ISREG(st.st_mode))
		return 0;
	return w->fn(w->arg, path, rel, dirname, name);
}

static int walk_dir(struct walk *w, const char *path, const char *dirname,
		    unsigned depth)
{
	char **names = NULL;
	size_t n = 0;
	int rc;

	if (depth > GW_DEPS_WALK_MAX_DEPTH) {
		gw_error_where(w->err, path, NULL);
		return gw_error_set(w->err, -E2BIG,
				    "folders nested deeper than %u",
				    GW_DEPS_WALK_MAX_DEPTH);
	}
	rc = list_dir(w, path, &names, &n);
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = visit(w, path, dirname, names[i], depth);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

int gw_deps_walk(const char *root, gw_deps_walk_fn fn, void *arg,
		 struct gw_error *err)
{
	struct walk w = { fn, arg, err, 0, strlen(root) };
	size_t len = strlen(root);
	char top[PATH_MAX];

	if (len >= sizeof(top))
		return gw_error_set(err, -ENAMETOOLONG, "path too long");
	memcpy(top, root, len + 1);
	while (len > 1 && top[len - 1] == '/')
		top[--len] = '\0';
	w.root_len = len;
	return walk_dir(&w, top, "", 0);
}

struct read_tree {
	struct gw_dep_set *s;
	struct gw_error *err;
};

static int read_one(void *arg, const char *path, const char *rel,
		    const char *dir, const char *name)
{
	struct read_tree *t = arg;

	(void)rel;
	if (gw_deps_is_dependency_file(dir, name))
		gw_deps_read_file(path, t->s, t->err);
	return 0;
}

int gw_deps_read_tree(const char *root, struct gw_dep_set *s,
		      struct gw_error *err)
{
	struct read_tree t = { s, err };
	size_t before = s->nerrors;
	struct gw_error cause;
	int rc;

	gw_error_clear(&cause);
	rc = gw_deps_walk(root, read_one, &t, &cause);
	if (rc < 0)
		return gw_deps_fail_with(s, err, &cause, root, 0);
	return gw_deps_result(s, before);
}
