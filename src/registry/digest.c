/*
 * Tree digests: walk an env's roots without following symlinks, hash
 * every regular file and symlink, sort the entries by path and hash the
 * list. The algorithm is specified in docs/registry.md; this file and
 * that text must agree byte for byte.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/error.h"
#include "core/limits.h"
#include "core/log.h"
#include "registry/registry_priv.h"

/* The first bytes hashed: names the algorithm and its version. */
static const char digest_header[] = "gymwarden-tree-1\n";

#define READ_CHUNK_BYTES (64u * 1024)

struct walk {
	struct gw_tree *t;
	const struct gw_tree_root *root;
	struct gw_error *err;
	char path[GW_TREE_MAX_PATH_BYTES]; /* prefix + path below the root */
	size_t len;
	size_t rel; /* where the part below the root starts in path */
	unsigned char *buf;
};

struct gw_tree *gw_tree_new(void)
{
	return calloc(1, sizeof(struct gw_tree));
}

void gw_tree_free(struct gw_tree *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n_roots; i++) {
		free(t->roots[i].prefix);
		free(t->roots[i].path);
	}
	for (size_t i = 0; i < t->n_skips; i++) {
		free(t->skips[i].path);
		free(t->skips[i].name);
	}
	for (size_t i = 0; i < t->len; i++)
		free(t->items[i].path);
	free(t->roots);
	free(t->skips);
	free(t->items);
	free(t);
}

static bool prefix_ok(const char *p)
{
	size_t n = strlen(p);

	if (n == 0)
		return true;
	return p[0] != '/' && p[n - 1] != '/' && !strstr(p, "//") &&
	       n < GW_TREE_MAX_PATH_BYTES / 2;
}

int gw_tree_add_root(struct gw_tree *t, const char *prefix, const char *path)
{
	struct gw_tree_root *roots;

	if (!t || !prefix || !path || !path[0] || !prefix_ok(prefix) ||
	    t->hashed)
		return -EINVAL;
	for (size_t i = 0; i < t->n_roots; i++)
		if (strcmp(t->roots[i].prefix, prefix) == 0)
			return -EINVAL;
	if (t->n_roots >= GW_TREE_MAX_ROOTS)
		return -E2BIG;

	roots = realloc(t->roots, (t->n_roots + 1) * sizeof(*roots));
	if (!roots)
		return -ENOMEM;
	t->roots = roots;
	roots[t->n_roots].prefix = strdup(prefix);
	roots[t->n_roots].path = strdup(path);
	if (!roots[t->n_roots].prefix || !roots[t->n_roots].path) {
		free(roots[t->n_roots].prefix);
		free(roots[t->n_roots].path);
		return -ENOMEM;
	}
	t->n_roots++;
	return 0;
}

int gw_tree_exclude(struct gw_tree *t, const char *path)
{
	struct gw_tree_skip *skips;

	if (!t || !path || !path[0] || t->hashed)
		return -EINVAL;
	if (t->n_skips >= GW_TREE_MAX_ROOTS)
		return -E2BIG;
	skips = realloc(t->skips, (t->n_skips + 1) * sizeof(*skips));
	if (!skips)
		return -ENOMEM;
	t->skips = skips;
	memset(&skips[t->n_skips], 0, sizeof(*skips));
	skips[t->n_skips].path = strdup(path);
	if (!skips[t->n_skips].path)
		return -ENOMEM;
	t->n_skips++;
	return 0;
}

/* Find each excluded file's folder now; a missing folder skips nothing. */
static int resolve_skips(struct gw_tree *t)
{
	for (size_t i = 0; i < t->n_skips; i++) {
		struct gw_tree_skip *s = &t->skips[i];
		char *a = strdup(s->path), *b = strdup(s->path);
		struct stat st;
		int r = 0;

		if (!a || !b)
			r = -ENOMEM;
		else if (stat(dirname(a), &st) == 0 && S_ISDIR(st.st_mode)) {
			s->dev = st.st_dev;
			s->ino = st.st_ino;
			s->name = strdup(basename(b));
			s->live = s->name != NULL;
			r = s->name ? 0 : -ENOMEM;
		}
		free(a);
		free(b);
		if (r < 0)
			return r;
	}
	return 0;
}

static bool skipped(const struct gw_tree *t, const struct stat *dir,
		    const char *name)
{
	for (size_t i = 0; i < t->n_skips; i++) {
		const struct gw_tree_skip *s = &t->skips[i];

		if (s->live && s->dev == dir->st_dev && s->ino == dir->st_ino &&
		    strcmp(s->name, name) == 0)
			return true;
	}
	return false;
}

/* Fill err with code and a cause, naming the file on disk (escaped). */
__attribute__((format(printf, 3, 4))) static int
walk_fail(struct walk *w, int code, const char *fmt, ...)
{
	char where[GW_TREE_MAX_PATH_BYTES + 256], msg[512];
	char esc[sizeof(where)];
	const char *tail;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	tail = w->path + w->rel;
	if (*tail == '/')
		tail++;
	snprintf(where, sizeof(where), "%s%s%s", w->root->path,
		 *tail ? "/" : "", tail);
	gw_escape(esc, sizeof(esc), where, strlen(where));
	gw_error_set(w->err, code, "%s", msg);
	gw_error_where(w->err, esc, NULL);
	return code;
}

/* A failed call, with errno's text in lower case. */
static int sys_fail(struct walk *w, const char *what)
{
	int e = errno;
	char text[128];

	snprintf(text, sizeof(text), "%s", strerror(e));
	if (text[0] >= 'A' && text[0] <= 'Z' && text[1] >= 'a' &&
	    text[1] <= 'z')
		text[0] = (char)(text[0] - 'A' + 'a');
	return walk_fail(w, -e, "%s: %s", what, text);
}

/* Append "/name" (or name at the start) to w->path; -ENAMETOOLONG. */
static int path_push(struct walk *w, const char *name, size_t *saved)
{
	size_t n = strlen(name);
	bool slash = w->len > 0;

	*saved = w->len;
	if (w->len + slash + n + 1 > sizeof(w->path))
		return walk_fail(w, -ENAMETOOLONG, "path longer than %u bytes",
				 GW_TREE_MAX_PATH_BYTES);
	if (slash)
		w->path[w->len++] = '/';
	memcpy(w->path + w->len, name, n + 1);
	w->len += n;
	return 0;
}

static void path_pop(struct walk *w, size_t saved)
{
	w->len = saved;
	w->path[saved] = '\0';
}

static int push_item(struct walk *w, enum gw_tree_type type, unsigned mode,
		     uint64_t size, const unsigned char sum[32])
{
	struct gw_tree *t = w->t;
	struct gw_tree_item *it;

	if (t->len >= GW_TREE_MAX_ENTRIES)
		return walk_fail(w, -E2BIG, "more than %u files in the tree",
				 GW_TREE_MAX_ENTRIES);
	if (t->len == t->alloc) {
		size_t n = t->alloc ? t->alloc * 2 : 64;
		void *p = realloc(t->items, n * sizeof(*t->items));

		if (!p)
			return walk_fail(w, -ENOMEM, "out of memory");
		t->items = p;
		t->alloc = n;
	}
	it = &t->items[t->len];
	memset(it, 0, sizeof(*it));
	it->path = strdup(w->path);
	if (!it->path)
		return walk_fail(w, -ENOMEM, "out of memory");
	sodium_bin2hex(it->hex, sizeof(it->hex), sum, 32);
	it->pub.type = type;
	it->pub.mode = mode;
	it->pub.size = size;
	t->len++;
	return 0;
}

/* Hash what fd holds to its end; the byte count in *size. */
static int hash_fd(struct walk *w, int fd, uint64_t *size,
		   unsigned char sum[32])
{
	crypto_hash_sha256_state st;
	ssize_t n;

	crypto_hash_sha256_init(&st);
	*size = 0;
	for (;;) {
		n = read(fd, w->buf, READ_CHUNK_BYTES);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return sys_fail(w, "read");
		if (n == 0)
			break;
		crypto_hash_sha256_update(&st, w->buf, (size_t)n);
		*size += (uint64_t)n;
	}
	crypto_hash_sha256_final(&st, sum);
	return 0;
}

/*
 * The regular file open at fd, seen by lstat as *lst: it must still be
 * that file, of that size, when read to its end. A tree that changes
 * under us gives no digest. Closes fd.
 */
static int hash_open_file(struct walk *w, int fd, const struct stat *lst)
{
	unsigned char sum[32];
	struct stat st;
	uint64_t size;
	int r;

	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_dev != lst->st_dev || st.st_ino != lst->st_ino) {
		close(fd);
		return walk_fail(w, -EAGAIN, "changed while it was read");
	}
	r = hash_fd(w, fd, &size, sum);
	close(fd);
	if (r < 0)
		return r;
	if (size != (uint64_t)st.st_size)
		return walk_fail(w, -EAGAIN, "changed while it was read");
	return push_item(w, GW_TREE_FILE, st.st_mode & 0111 ? 0755 : 0644, size,
			 sum);
}

/* Opened without following a symlink that replaced it since lstat. */
static int hash_file(struct walk *w, int dirfd, const char *name,
		     const struct stat *lst)
{
	int fd;

	fd = openat(dirfd, name,
		    O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return sys_fail(w, "open");
	return hash_open_file(w, fd, lst);
}

static int hash_link(struct walk *w, int dirfd, const char *name,
		     const struct stat *lst)
{
	char target[GW_TREE_MAX_PATH_BYTES];
	unsigned char sum[32];
	ssize_t n;

	n = readlinkat(dirfd, name, target, sizeof(target));
	if (n < 0)
		return sys_fail(w, "readlink");
	if ((size_t)n >= sizeof(target))
		return walk_fail(w, -ENAMETOOLONG,
				 "symlink target longer than %u bytes",
				 GW_TREE_MAX_PATH_BYTES);
	if ((uint64_t)n != (uint64_t)lst->st_size)
		return walk_fail(w, -EAGAIN, "changed while it was read");
	crypto_hash_sha256(sum, (const unsigned char *)target, (size_t)n);
	return push_item(w, GW_TREE_SYMLINK, 0777, (uint64_t)n, sum);
}

static const char *special_name(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFIFO: return "a fifo";
	case S_IFSOCK: return "a socket";
	case S_IFCHR: return "a character device";
	case S_IFBLK: return "a block device";
	default: return "an unknown kind of file";
	}
}

static int walk_dir(struct walk *w, int fd, unsigned depth);

static int walk_sub(struct walk *w, int dirfd, const char *name,
		    const struct stat *lst, unsigned depth)
{
	struct stat st;
	int fd;

	if (depth >= GW_TREE_MAX_DEPTH)
		return walk_fail(w, -ELOOP, "folders nested deeper than %u",
				 GW_TREE_MAX_DEPTH);
	fd = openat(dirfd, name,
		    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return sys_fail(w, "open");
	if (fstat(fd, &st) < 0 || st.st_dev != lst->st_dev ||
	    st.st_ino != lst->st_ino) {
		close(fd);
		return walk_fail(w, -EAGAIN, "changed while it was read");
	}
	return walk_dir(w, fd, depth + 1);
}

static int walk_entry(struct walk *w, int dirfd, const struct stat *dir,
		      const char *name, unsigned depth)
{
	struct stat st;
	size_t saved;
	int r;

	if (skipped(w->t, dir, name))
		return 0;
	r = path_push(w, name, &saved);
	if (r < 0)
		return r;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		r = sys_fail(w, "stat");
	else if (S_ISDIR(st.st_mode))
		r = walk_sub(w, dirfd, name, &st, depth);
	else if (S_ISREG(st.st_mode))
		r = hash_file(w, dirfd, name, &st);
	else if (S_ISLNK(st.st_mode))
		r = hash_link(w, dirfd, name, &st);
	else
		r = walk_fail(w, -EPERM,
			      "%s has no place in an environment tree",
			      special_name(st.st_mode));
	path_pop(w, saved);
	return r;
}

/* Every entry of the folder open at fd, which this call closes. */
static int walk_dir(struct walk *w, int fd, unsigned depth)
{
	struct dirent *de;
	struct stat dir;
	DIR *d;
	int r = 0;

	if (fstat(fd, &dir) < 0 || !(d = fdopendir(fd))) {
		r = sys_fail(w, "open folder");
		close(fd);
		return r;
	}
	for (;;) {
		errno = 0;
		de = readdir(d);
		if (!de) {
			if (errno)
				r = sys_fail(w, "read folder");
			break;
		}
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		r = walk_entry(w, dirfd(d), &dir, de->d_name, depth);
		if (r < 0)
			break;
	}
	closedir(d);
	return r;
}

/* One root: a folder walked below its prefix, or a single file. */
static int hash_root(struct walk *w, const struct gw_tree_root *root)
{
	struct stat st;
	int fd, r;

	w->root = root;
	w->len = 0;
	w->path[0] = '\0';
	w->rel = 0;
	if (root->prefix[0]) {
		r = path_push(w, root->prefix, &(size_t){ 0 });
		if (r < 0)
			return r;
	}
	w->rel = w->len;

	fd = open(root->path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return sys_fail(w, "open");
	if (fstat(fd, &st) < 0) {
		r = sys_fail(w, "stat");
		close(fd);
		return r;
	}
	if (S_ISDIR(st.st_mode))
		return walk_dir(w, fd, 0);
	if (S_ISREG(st.st_mode) && root->prefix[0])
		return hash_open_file(w, fd, &st);
	close(fd);
	if (!S_ISREG(st.st_mode))
		return walk_fail(w, -EPERM,
				 "%s has no place in an environment tree",
				 special_name(st.st_mode));
	return walk_fail(w, -EINVAL, "a single file needs a prefix");
}

static int item_cmp(const void *a, const void *b)
{
	const struct gw_tree_item *x = a, *y = b;

	return strcmp(x->path, y->path);
}

/*
 * Sort, refuse duplicates and hash the list: the header, then per
 * entry "KIND SIZE SHA256 PATH\0" with KIND f, x or l.
 */
static int finish(struct gw_tree *t, struct gw_error *err)
{
	crypto_hash_sha256_state st;
	unsigned char sum[32];
	char head[96];

	if (t->len)
		qsort(t->items, t->len, sizeof(*t->items), item_cmp);
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, (const unsigned char *)digest_header,
				  sizeof(digest_header) - 1);
	for (size_t i = 0; i < t->len; i++) {
		struct gw_tree_item *it = &t->items[i];
		char kind = it->pub.type == GW_TREE_SYMLINK ? 'l'
			    : it->pub.mode == 0755	    ? 'x'
							    : 'f';
		int n;

		if (i && strcmp(it->path, t->items[i - 1].path) == 0) {
			char esc[GW_ESCAPED_MAX_BYTES];

			gw_escape(esc, sizeof(esc), it->path, strlen(it->path));
			gw_error_where(err, esc, NULL);
			return gw_error_set(err, -EEXIST,
					    "two roots give the same path");
		}
		it->pub.path = it->path;
		it->pub.sha256 = it->hex;
		n = snprintf(head, sizeof(head), "%c %llu %s ", kind,
			     (unsigned long long)it->pub.size, it->hex);
		crypto_hash_sha256_update(&st, (const unsigned char *)head,
					  (size_t)n);
		crypto_hash_sha256_update(&st, (const unsigned char *)it->path,
					  strlen(it->path) + 1);
	}
	crypto_hash_sha256_final(&st, sum);
	memcpy(t->digest, "sha256:", 7);
	sodium_bin2hex(t->digest + 7, sizeof(t->digest) - 7, sum, sizeof(sum));
	return 0;
}

int gw_tree_hash(struct gw_tree *t, struct gw_error *err)
{
	struct walk w = { .t = t, .err = err };
	int r = 0;

	if (!t)
		return gw_error_set(err, -EINVAL, "no tree");
	if (t->hashed)
		return gw_error_set(err, -EALREADY, "tree already hashed");
	if (sodium_init() < 0)
		return gw_error_set(err, -ENOSYS, "libsodium failed to start");
	r = resolve_skips(t);
	if (r < 0)
		return gw_error_set(err, r, "out of memory");

	w.buf = malloc(READ_CHUNK_BYTES);
	if (!w.buf)
		return gw_error_set(err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < t->n_roots && r == 0; i++)
		r = hash_root(&w, &t->roots[i]);
	free(w.buf);
	if (r == 0)
		r = finish(t, err);
	t->hashed = r == 0;
	return r;
}

const char *gw_tree_digest(const struct gw_tree *t)
{
	return t->hashed ? t->digest : "";
}

size_t gw_tree_entry_count(const struct gw_tree *t)
{
	return t->hashed ? t->len : 0;
}

const struct gw_tree_entry *gw_tree_entry_at(const struct gw_tree *t, size_t i)
{
	return t->hashed && i < t->len ? &t->items[i].pub : NULL;
}

static int env_roots(struct gw_tree *t, const struct gw_manifest *m,
		     const struct gw_manifest_env *e)
{
	const char *const *deps;
	char prefix[32];
	size_t n;
	int r;

	r = gw_tree_add_root(t, "source", gw_manifest_env_source(e));
	deps = gw_manifest_env_dependency_paths(e, &n);
	for (size_t i = 0; r == 0 && i < n; i++) {
		snprintf(prefix, sizeof(prefix), "deps/%zu", i);
		r = gw_tree_add_root(t, prefix, deps[i]);
	}
	if (r == 0 && gw_manifest_registry_path(m)[0]) {
		static const char *const tails[] = { "", "-wal", "-shm",
						     "-journal" };
		char path[GW_TREE_MAX_PATH_BYTES];

		for (size_t i = 0; r == 0 && i < 4; i++) {
			snprintf(path, sizeof(path), "%s%s",
				 gw_manifest_registry_path(m), tails[i]);
			r = gw_tree_exclude(t, path);
		}
	}
	return r;
}

int gw_tree_digest_env(const struct gw_manifest *m,
		       const struct gw_manifest_env *e, struct gw_tree **out,
		       struct gw_error *err)
{
	struct gw_tree *t;
	int r;

	*out = NULL;
	t = gw_tree_new();
	if (!t)
		return gw_error_set(err, -ENOMEM, "out of memory");
	r = env_roots(t, m, e);
	if (r < 0) {
		gw_error_where(err, gw_manifest_env_id(e), NULL);
		gw_error_set(err, r, "too many dependency paths to digest");
	} else {
		r = gw_tree_hash(t, err);
	}
	if (r < 0) {
		gw_tree_free(t);
		return r;
	}
	*out = t;
	return 0;
}
