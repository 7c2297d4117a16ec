/*
 * Walking the vetted tree: every entry is listed first (sorted, depth and
 * count capped, symlinks never followed), then each is classified and
 * read. Python files are analyzed; binaries, sourceless bytecode,
 * symlinks, special files and analyzer settings become findings; what
 * cannot be read makes the run partial.
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

#include "core/buf.h"
#include "core/error.h"
#include "core/limits.h"
#include "vet/vet_priv.h"

enum entry_type { E_FILE, E_DIR, E_LINK, E_SPECIAL, E_ERROR };

struct entry {
	char *path; /* relative, '/'-separated; in the run's arena */
	enum entry_type type;
	uint64_t size;
	int err; /* errno for E_ERROR */
};

struct walk {
	struct gw_vet_state *st;
	int rootfd;
	char root_real[PATH_MAX];
	struct entry *entries;
	size_t n, cap;
	bool over; /* past GW_VET_WALK_MAX_ENTRIES */
};

static int push(struct walk *w, const char *path, enum entry_type type,
		uint64_t size, int err)
{
	struct entry *e;

	if (w->n >= GW_VET_WALK_MAX_ENTRIES) {
		w->over = true;
		return 0;
	}
	if (w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 256;
		struct entry *p = realloc(w->entries, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		w->entries = p;
		w->cap = cap;
	}
	e = &w->entries[w->n];
	e->path = gw_vet_arena_strndup(&w->st->arena, path, strlen(path));
	if (!e->path)
		return -ENOMEM;
	e->type = type;
	e->size = size;
	e->err = err;
	w->n++;
	return 0;
}

static bool excluded(const struct gw_vet_config *cfg, const char *rel)
{
	const char *base = strrchr(rel, '/');

	base = base ? base + 1 : rel;
	for (size_t i = 0; i < cfg->n_exclude; i++)
		if (fnmatch(cfg->exclude[i], rel, 0) == 0 ||
		    fnmatch(cfg->exclude[i], base, 0) == 0)
			return true;
	return false;
}

static int by_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Names in the folder open at fd, sorted; NULL-terminated, malloc'd. */
static char **list_dir(int fd, int *err)
{
	DIR *d = fdopendir(fd);
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;

	if (!d) {
		*err = errno;
		close(fd);
		return NULL;
	}
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (n + 1 >= cap) {
			char **p = realloc(names,
					   (cap ? cap * 2 : 32) * sizeof(*p));

			if (!p)
				goto nomem;
			names = p;
			cap = cap ? cap * 2 : 32;
		}
		if (!(names[n] = strdup(de->d_name)))
			goto nomem;
		n++;
	}
	closedir(d);
	if (!names && !(names = calloc(1, sizeof(*names)))) {
		*err = ENOMEM;
		return NULL;
	}
	names[n] = NULL;
	qsort(names, n, sizeof(*names), by_str);
	return names;
nomem:
	while (n)
		free(names[--n]);
	free(names);
	closedir(d);
	*err = ENOMEM;
	return NULL;
}

static void free_names(char **names)
{
	for (size_t i = 0; names && names[i]; i++)
		free(names[i]);
	free(names);
}

static int list_tree(struct walk *w, int dirfd, const char *rel, unsigned depth)
{
	char **names;
	int err = 0, r = 0;

	names = list_dir(dirfd, &err);
	if (!names)
		return err == ENOMEM
			       ? -ENOMEM
			       : push(w, rel[0] ? rel : ".", E_ERROR, 0, err);
	for (size_t i = 0; names[i] && r == 0 && !w->over; i++) {
		char path[PATH_MAX];
		struct stat sb;
		int fd;

		if (snprintf(path, sizeof(path), "%s%s%s", rel,
			     rel[0] ? "/" : "", names[i]) >= (int)sizeof(path))
			continue;
		if (excluded(&w->st->cfg, path))
			continue;
		if (fstatat(w->rootfd, path, &sb, AT_SYMLINK_NOFOLLOW) < 0) {
			r = push(w, path, E_ERROR, 0, errno);
			continue;
		}
		if (S_ISLNK(sb.st_mode)) {
			r = push(w, path, E_LINK, 0, 0);
		} else if (S_ISREG(sb.st_mode)) {
			r = push(w, path, E_FILE, (uint64_t)sb.st_size, 0);
		} else if (!S_ISDIR(sb.st_mode)) {
			r = push(w, path, E_SPECIAL, 0, 0);
		} else if (depth + 1 > GW_VET_WALK_MAX_DEPTH) {
			r = push(w, path, E_ERROR, 0, ELOOP);
		} else {
			fd = openat(w->rootfd, path,
				    O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
					    O_CLOEXEC);
			if (fd < 0)
				r = push(w, path, E_ERROR, 0, errno);
			else
				r = list_tree(w, fd, path, depth + 1);
		}
	}
	free_names(names);
	return r;
}

static const struct gw_vet_span whole_file = { 1, 1, 1, 1 };

static struct gw_vet_raw *file_finding(struct gw_vet_state *st,
				       enum gw_vet_rule_id rule,
				       const char *path, const char *fmt,
				       const char *arg)
{
	return gw_vet_add(st, rule, path, &whole_file, "", 0, fmt, arg);
}

static bool has_suffix(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);

	return n >= m && strcmp(s + n - m, suf) == 0;
}

static const char *base_of(const char *path)
{
	const char *b = strrchr(path, '/');

	return b ? b + 1 : path;
}

static bool library_name(const char *path)
{
	const char *b = base_of(path);

	return has_suffix(b, ".so") || has_suffix(b, ".pyd") ||
	       has_suffix(b, ".dll") || has_suffix(b, ".dylib") ||
	       strstr(b, ".so.") != NULL;
}

/* A name that promises data or text, so an executable in it hides. */
static bool innocent_name(const char *path)
{
	static const char *const exts[] = {
		".py",	".txt", ".md",	".json", ".png",  ".jpg",  ".gif",
		".csv", ".npy", ".npz", ".yaml", ".yml",  ".toml", ".cfg",
		".ini", ".pkl", ".dat", ".xml",	 ".html", ".js",   ".wav",
		".ttf", ".svg", ".rst", ".pth",	 NULL,
	};

	for (size_t i = 0; exts[i]; i++)
		if (has_suffix(base_of(path), exts[i]))
			return true;
	return false;
}

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/* "ELF", "PE", "Mach-O" from the first bytes, or NULL. */
static const char *binary_format(const unsigned char *h, size_t n)
{
	uint32_t m;

	if (n >= 4 && memcmp(h, "\177ELF", 4) == 0)
		return "ELF";
	if (n >= 0x40 && h[0] == 'M' && h[1] == 'Z') {
		uint32_t off = (uint32_t)h[0x3c] | (uint32_t)h[0x3d] << 8 |
			       (uint32_t)h[0x3e] << 16 |
			       (uint32_t)h[0x3f] << 24;

		if (off + 4 <= n && memcmp(h + off, "PE\0\0", 4) == 0)
			return "PE";
	}
	if (n < 8)
		return NULL;
	m = be32(h);
	if (m == 0xfeedface || m == 0xfeedfacf || m == 0xcefaedfe ||
	    m == 0xcffaedfe)
		return "Mach-O";
	/* A fat Mach-O shares 0xcafebabe with Java classes; few archs. */
	if (m == 0xcafebabe && be32(h + 4) > 0 && be32(h + 4) < 20)
		return "Mach-O";
	return NULL;
}

static bool python_shebang(const char *s, size_t n)
{
	const char *nl;

	if (n < 2 || s[0] != '#' || s[1] != '!')
		return false;
	nl = memchr(s, '\n', n);
	n = nl ? (size_t)(nl - s) : n;
	for (size_t i = 2; i + 6 <= n; i++)
		if (memcmp(s + i, "python", 6) == 0)
			return true;
	return false;
}

static bool analyzer_config(const char *path, const char *head, size_t n)
{
	static const char *const names[] = {
		".bandit",	  ".bandit.yml",      ".bandit.yaml",
		"bandit.yaml",	  ".gymwardenignore", ".gymwarden.toml",
		".semgrepignore", ".semgrep.yml",     ".flake8",
		".pylintrc",	  "pylintrc",	      NULL,
	};
	static const char *const sections[] = {
		"[tool.bandit",	       "[bandit]",     "[flake8]",
		"[tool.gymwarden.vet", "[tool.pylint", NULL
	};
	const char *b = base_of(path);

	for (size_t i = 0; names[i]; i++)
		if (strcmp(b, names[i]) == 0)
			return true;
	if (strcmp(b, "pyproject.toml") != 0 && strcmp(b, "setup.cfg") != 0 &&
	    strcmp(b, "tox.ini") != 0)
		return false;
	for (size_t i = 0; sections[i]; i++)
		if (memmem(head, n, sections[i], strlen(sections[i])))
			return true;
	return false;
}

/* The .py file a .pyc would have been compiled from. */
static bool has_source(const struct gw_vet_state *st, const char *path)
{
	char src[PATH_MAX];
	const char *b = base_of(path), *dot;
	size_t dir = (size_t)(b - path);
	int n;

	dot = strchr(b, '.');
	if (!dot)
		return false;
	if (dir >= 12 && memcmp(path + dir - 12, "__pycache__/", 12) == 0)
		n = snprintf(src, sizeof(src), "%.*s%.*s.py", (int)(dir - 12),
			     path, (int)(dot - b), b);
	else
		n = snprintf(src, sizeof(src), "%.*s%.*s.py", (int)dir, path,
			     (int)(dot - b), b);
	return n > 0 && (size_t)n < sizeof(src) &&
	       gw_vet_map_get(&st->py_paths, src, (size_t)n);
}

static bool python_name(const char *path)
{
	return has_suffix(path, ".py") || has_suffix(path, ".pyw");
}

static int read_head(int fd, unsigned char *buf, size_t cap, size_t *got)
{
	ssize_t k;

	*got = 0;
	while (*got < cap) {
		k = pread(fd, buf + *got, cap - *got, (off_t)*got);
		if (k < 0)
			return -errno;
		if (k == 0)
			break;
		*got += (size_t)k;
	}
	return 0;
}

static int read_all(int fd, size_t size, char **out)
{
	char *p = malloc(size + 1);
	size_t got = 0;

	if (!p)
		return -ENOMEM;
	while (got < size) {
		ssize_t k = pread(fd, p + got, size - got, (off_t)got);

		if (k < 0) {
			free(p);
			return -errno;
		}
		if (k == 0)
			break;
		got += (size_t)k;
	}
	p[got] = '\0';
	*out = p;
	return (int)(got == size ? 0 : -EIO);
}

static int analyze_python(struct walk *w, const struct entry *e, int fd,
			  bool pth, uint32_t *units)
{
	struct gw_vet_state *st = w->st;
	struct gw_vet_file *f;
	char *src = NULL;
	char size[32];
	int r;

	f = gw_vet_add_file(st, e->path,
			    pth ? GW_VET_FILE_PTH : GW_VET_FILE_PYTHON,
			    e->size);
	if (!f)
		return -ENOMEM;
	if (e->size > st->cfg.max_file_bytes) {
		snprintf(size, sizeof(size), "%llu",
			 (unsigned long long)e->size);
		file_finding(st, GW_VET_R_PARSE_LIMIT, e->path,
			     "%s bytes, over the size limit; not analyzed",
			     size);
		return 0;
	}
	r = read_all(fd, (size_t)e->size, &src);
	if (r == -ENOMEM)
		return r;
	if (r < 0) {
		file_finding(st, GW_VET_R_PARSE_UNREADABLE, e->path,
			     "cannot read the file: %s", strerror(-r));
		free(src);
		return 0;
	}
	r = gw_vet_analyze_source(st, (*units)++, e->path, src, (size_t)e->size,
				  pth, f);
	free(src);
	if (st->opts->progress)
		st->opts->progress(st->opts->progress_ctx, st->res->n_files,
				   w->n);
	return r;
}

static int check_file(struct walk *w, const struct entry *e, uint32_t *units)
{
	struct gw_vet_state *st = w->st;
	unsigned char head[4096];
	struct gw_vet_raw *raw;
	const char *fmt;
	size_t n;
	int fd, r;
	bool py, pth;

	fd = openat(w->rootfd, e->path,
		    O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		file_finding(st, GW_VET_R_PARSE_UNREADABLE, e->path,
			     "cannot open the file: %s", strerror(errno));
		return 0;
	}
	if ((r = read_head(fd, head, sizeof(head), &n)) < 0) {
		file_finding(st, GW_VET_R_PARSE_UNREADABLE, e->path,
			     "cannot read the file: %s", strerror(-r));
		close(fd);
		return 0;
	}
	fmt = binary_format(head, n);
	if (fmt && library_name(e->path)) {
		file_finding(st, GW_VET_R_BIN_LIBRARY, e->path,
			     "a native %s library", fmt);
	} else if (fmt) {
		raw = file_finding(st, GW_VET_R_BIN_EXEC, e->path,
				   "a bundled %s executable or object", fmt);
		/* An executable named like data or source is hiding. */
		if (raw && innocent_name(e->path))
			raw->delta = 1;
	} else if (library_name(e->path)) {
		file_finding(st, GW_VET_R_BIN_LIBRARY, e->path,
			     "a native library by its name (%s)",
			     "no known magic");
	}
	if ((has_suffix(e->path, ".pyc") || has_suffix(e->path, ".pyo")) &&
	    !has_source(st, e->path))
		file_finding(st, GW_VET_R_BIN_BYTECODE, e->path,
			     "compiled bytecode with no %s source beside it",
			     "Python");
	if (analyzer_config(e->path, (const char *)head, n))
		file_finding(st, GW_VET_R_SUPP_CONFIG, e->path,
			     "analyzer settings in the tree (%s) are ignored",
			     base_of(e->path));

	pth = has_suffix(e->path, ".pth");
	py = python_name(e->path) ||
	     strcmp(base_of(e->path), "setup.py") == 0 ||
	     (!strchr(base_of(e->path), '.') &&
	      python_shebang((const char *)head, n));
	r = 0;
	if (py || pth)
		r = analyze_python(w, e, fd, pth, units);
	else if (!gw_vet_add_file(st, e->path,
				  fmt ? GW_VET_FILE_BINARY : GW_VET_FILE_OTHER,
				  e->size))
		r = -ENOMEM;
	close(fd);
	return r;
}

/* Lexically resolve target against the link's folder; inside the tree? */
static bool link_stays_inside(const char *rel, const char *target)
{
	int depth = 0;
	const char *p;

	if (target[0] == '/')
		return false;
	for (p = rel; *p; p++)
		depth += *p == '/';
	for (p = target; *p;) {
		const char *e = strchr(p, '/');
		size_t n = e ? (size_t)(e - p) : strlen(p);

		if (n == 2 && p[0] == '.' && p[1] == '.') {
			if (--depth < 0)
				return false;
		} else if (n && !(n == 1 && p[0] == '.')) {
			depth++;
		}
		p += n;
		while (*p == '/')
			p++;
	}
	return true;
}

static int check_link(struct walk *w, const struct entry *e)
{
	char target[PATH_MAX];
	ssize_t k = readlinkat(w->rootfd, e->path, target, sizeof(target) - 1);
	char msg[PATH_MAX + 64];

	if (!gw_vet_add_file(w->st, e->path, GW_VET_FILE_SYMLINK, 0))
		return -ENOMEM;
	if (k < 0) {
		file_finding(w->st, GW_VET_R_PARSE_UNREADABLE, e->path,
			     "cannot read the link: %s", strerror(errno));
		return 0;
	}
	target[k] = '\0';
	snprintf(msg, sizeof(msg), "%s", target);
	if (link_stays_inside(e->path, target))
		file_finding(w->st, GW_VET_R_TREE_SYMLINK, e->path,
			     "a link to %s inside the tree; not followed", msg);
	else
		file_finding(w->st, GW_VET_R_TREE_SYMLINK_OUT, e->path,
			     "a link to %s, outside the tree; not followed",
			     msg);
	return 0;
}

static int process(struct walk *w)
{
	uint32_t units = 0;
	int r = 0;

	/* Every .py path first, for the bytecode-without-source check. */
	for (size_t i = 0; i < w->n; i++)
		if (w->entries[i].type == E_FILE &&
		    python_name(w->entries[i].path) &&
		    gw_vet_map_put(&w->st->py_paths, &w->st->arena,
				   w->entries[i].path,
				   strlen(w->entries[i].path), w->st) < 0)
			return -ENOMEM;
	for (size_t i = 0; i < w->n && r == 0; i++) {
		const struct entry *e = &w->entries[i];

		switch (e->type) {
		case E_FILE: r = check_file(w, e, &units); break;
		case E_LINK: r = check_link(w, e); break;
		case E_SPECIAL:
			file_finding(w->st, GW_VET_R_TREE_SPECIAL, e->path,
				     "a %s; not read", "special file");
			break;
		case E_ERROR:
			file_finding(
				w->st,
				e->err == ELOOP ? GW_VET_R_PARSE_LIMIT
						: GW_VET_R_PARSE_UNREADABLE,
				e->path,
				e->err == ELOOP
					? "%s: folders nest too deeply; "
					  "not read"
					: "cannot read: %s",
				e->err == ELOOP ? "here" : strerror(e->err));
			break;
		default: break;
		}
	}
	return r;
}

/* Module names of the tree (and their parents), for linking imports. */
static int index_modules(struct walk *w)
{
	struct gw_vet_state *st = w->st;

	for (size_t i = 0; i < w->n; i++) {
		const struct entry *e = &w->entries[i];
		char *m;

		if (e->type != E_FILE || !python_name(e->path))
			continue;
		m = gw_vet_module_name(&st->arena, e->path);
		if (!m)
			return -ENOMEM;
		if (st->root_pkg[0])
			m = m[0] ? gw_vet_arena_printf(&st->arena, "%s.%s",
						       st->root_pkg, m)
				 : (char *)st->root_pkg;
		for (char *dot = m; m && dot;) {
			dot = strchr(dot, '.');
			if (gw_vet_map_put(&st->modules, &st->arena, m,
					   dot ? (size_t)(dot - m) : strlen(m),
					   st) < 0)
				return -ENOMEM;
			if (dot)
				dot++;
		}
	}
	return 0;
}

static int walk_dir(struct walk *w, const char *root, struct gw_error *err)
{
	const char *b;
	int fd, r;

	if (!realpath(root, w->root_real))
		return gw_error_set(err, -errno, "cannot resolve %s: %s", root,
				    strerror(errno));
	w->rootfd = open(w->root_real, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (w->rootfd < 0)
		return gw_error_set(err, -errno, "cannot open %s: %s", root,
				    strerror(errno));
	/* A root that is itself a package names its modules after itself. */
	if (faccessat(w->rootfd, "__init__.py", F_OK, AT_SYMLINK_NOFOLLOW) ==
	    0) {
		b = strrchr(w->root_real, '/');
		w->st->root_pkg = gw_vet_arena_strndup(
			&w->st->arena, b ? b + 1 : w->root_real,
			strlen(b ? b + 1 : w->root_real));
		if (!w->st->root_pkg)
			return -ENOMEM;
	}
	fd = dup(w->rootfd);
	if (fd < 0)
		return gw_error_set(err, -errno, "cannot open %s", root);
	if ((r = list_tree(w, fd, "", 0)) < 0)
		return r;
	if (w->over)
		file_finding(w->st, GW_VET_R_PARSE_LIMIT, ".",
			     "the tree has more entries than the limit; "
			     "the rest is not read%s",
			     "");
	if ((r = index_modules(w)) < 0)
		return r;
	return process(w);
}

int gw_vet_walk(struct gw_vet_state *st, const char *root, struct gw_error *err)
{
	struct walk w = { .st = st, .rootfd = -1 };
	struct stat sb;
	char dir[PATH_MAX];
	const char *slash;
	int r;

	if (stat(root, &sb) < 0)
		return gw_error_set(err, -errno, "cannot read %s: %s", root,
				    strerror(errno));
	if (S_ISDIR(sb.st_mode)) {
		r = walk_dir(&w, root, err);
	} else if (S_ISREG(sb.st_mode)) {
		/* One file: its folder is the root, and it the only entry. */
		slash = strrchr(root, '/');
		snprintf(dir, sizeof(dir), "%.*s",
			 slash ? (int)(slash - root) : 1, slash ? root : ".");
		if (slash == root)
			snprintf(dir, sizeof(dir), "/");
		w.rootfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (w.rootfd < 0)
			return gw_error_set(err, -errno, "cannot open %s: %s",
					    dir, strerror(errno));
		r = push(&w, slash ? slash + 1 : root, E_FILE,
			 (uint64_t)sb.st_size, 0);
		if (r == 0)
			r = index_modules(&w);
		if (r == 0)
			r = process(&w);
	} else {
		return gw_error_set(err, -EINVAL,
				    "%s is neither a folder nor a file", root);
	}
	if (w.rootfd >= 0)
		close(w.rootfd);
	free(w.entries);
	if (r == -ENOMEM)
		return gw_error_set(err, r, "out of memory");
	return r;
}
