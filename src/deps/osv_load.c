/*
 * Loading an OSV database: walk a directory of record files (or hand a
 * zip to osv_zip.c), parse each through osv_record.c, then drop older
 * copies of the same id and index every PyPI affected[] entry by its
 * PEP 503 name.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/error.h"
#include "core/limits.h"
#include "core/log.h"
#include "deps/osv_priv.h"

/* One file's bytes, in a buffer reused from file to file. */
struct filebuf {
	char *data;
	size_t alloc;
};

static int grow(struct filebuf *b, size_t n)
{
	char *p;

	if (n <= b->alloc)
		return 0;
	p = realloc(b->data, n);
	if (!p)
		return -ENOMEM;
	b->data = p;
	b->alloc = n;
	return 0;
}

static int read_fd(int fd, const char *path, struct filebuf *b,
		   struct osv_load *ld, size_t *len)
{
	struct stat st;
	size_t got = 0;

	if (fstat(fd, &st) < 0)
		return -errno;
	/* Swapped for a FIFO or a device since it was listed: not ours. */
	if (!S_ISREG(st.st_mode)) {
		gw_osv_note_skip(ld, path, "not a regular file");
		return 1;
	}
	if ((uint64_t)st.st_size > GW_OSV_RECORD_MAX_BYTES) {
		gw_osv_note_skip(ld, path, "larger than a record may be");
		return 1;
	}
	if (grow(b, (size_t)st.st_size + 1) < 0)
		return -ENOMEM;
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, b->data + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	*len = got;
	return 0;
}

/* A failure naming a path that may come from a downloaded tree. */
static int fail_path(struct gw_error *err, int code, const char *what,
		     const char *path)
{
	char esc[256];

	gw_escape(esc, sizeof(esc), path, strlen(path));
	return gw_error_set(err, code, "%s %s", what, esc);
}

/* One record file, opened relative to dfd without following links. */
static int load_file(struct osv_load *ld, int dfd, const char *name,
		     const char *path, struct filebuf *b, struct gw_error *err)
{
	int fd = openat(dfd, name,
			O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	size_t len = 0;
	int rc;

	if (fd < 0)
		return fail_path(err, -errno, "cannot open", path);
	rc = read_fd(fd, path, b, ld, &len);
	close(fd);
	if (rc < 0)
		return fail_path(err, rc, "cannot read", path);
	if (rc > 0)
		return 0;
	ld->stats->files++;
	rc = gw_osv_record_add(ld, b->data, len, path);
	if (rc == -E2BIG)
		return fail_path(err, rc, "too many records at", path);
	if (rc < 0)
		return fail_path(err, rc, "out of memory loading", path);
	return 0;
}

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n > k && strcmp(s + n - k, suffix) == 0;
}

/* A directory entry, with the type readdir gave (DT_UNKNOWN: ask). */
struct dir_entry {
	unsigned char type;
	char name[];
};

struct dir_list {
	struct dir_entry **e;
	size_t n, alloc;
};

static int cmp_entries(const void *a, const void *b)
{
	return strcmp((*(struct dir_entry *const *)a)->name,
		      (*(struct dir_entry *const *)b)->name);
}

static void dir_list_free(struct dir_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->e[i]);
	free(l->e);
}

/* The directory's entries, dot files left out, in byte order. */
static int list_dir(DIR *d, struct dir_list *l)
{
	struct dirent *de;

	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		struct dir_entry *e;

		if (de->d_name[0] == '.')
			continue;
		if (l->n == l->alloc) {
			struct dir_entry **p;

			l->alloc = l->alloc ? l->alloc * 2 : 256;
			p = realloc(l->e, l->alloc * sizeof(*p));
			if (!p)
				return -ENOMEM;
			l->e = p;
		}
		e = malloc(sizeof(*e) + len + 1);
		if (!e)
			return -ENOMEM;
		e->type = de->d_type;
		memcpy(e->name, de->d_name, len + 1);
		l->e[l->n++] = e;
	}
	qsort(l->e, l->n, sizeof(*l->e), cmp_entries);
	return 0;
}

static int load_dir(struct osv_load *ld, int dfd, const char *name,
		    const char *path, unsigned depth, struct filebuf *b,
		    struct gw_error *err);

/*
 * A directory entry: recurse into directories, read *.json files. The
 * type comes from readdir, or fstatat on file systems that do not say.
 */
static int load_entry(struct osv_load *ld, int dfd, const struct dir_entry *e,
		      const char *dir, unsigned depth, struct filebuf *b,
		      struct gw_error *err)
{
	unsigned char type = e->type;
	char path[4096];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, e->name);
	if (type == DT_UNKNOWN) {
		if (fstatat(dfd, e->name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return fail_path(err, -errno, "cannot stat", path);
		type = S_ISDIR(st.st_mode)   ? DT_DIR
		       : S_ISREG(st.st_mode) ? DT_REG
					     : DT_UNKNOWN;
	}
	if (type == DT_DIR)
		return load_dir(ld, dfd, e->name, path, depth + 1, b, err);
	if (type != DT_REG || !has_suffix(e->name, ".json"))
		return 0;
	return load_file(ld, dfd, e->name, path, b, err);
}

static int load_dir(struct osv_load *ld, int dfd, const char *name,
		    const char *path, unsigned depth, struct filebuf *b,
		    struct gw_error *err)
{
	struct dir_list l = { NULL, 0, 0 };
	DIR *d;
	int fd, rc;

	if (depth > GW_OSV_DIR_MAX_DEPTH)
		return fail_path(err, -ELOOP, "directories nested too deep at",
				 path);
	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return fail_path(err, -errno, "cannot open", path);
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return gw_error_set(err, -ENOMEM, "out of memory");
	}
	rc = list_dir(d, &l);
	if (rc < 0)
		fail_path(err, rc, "cannot list", path);
	for (size_t i = 0; rc == 0 && i < l.n; i++)
		rc = load_entry(ld, dirfd(d), l.e[i], path, depth, b, err);
	dir_list_free(&l);
	closedir(d);
	return rc;
}

static int load_single(struct osv_load *ld, const char *path,
		       struct gw_error *err)
{
	struct filebuf b = { NULL, 0 };
	struct stat st;
	int rc;

	if (stat(path, &st) < 0)
		return fail_path(err, -errno, "cannot open", path);
	if (S_ISDIR(st.st_mode))
		rc = load_dir(ld, AT_FDCWD, path, path, 0, &b, err);
	else if (has_suffix(path, ".zip"))
		rc = gw_osv_zip_load(ld, path, err);
	else
		rc = load_file(ld, AT_FDCWD, path, path, &b, err);
	free(b.data);
	return rc;
}

/* ---- the finished database ----------------------------------------- */

static int cmp_rec_id(const void *pa, const void *pb)
{
	const struct osv_record *a = *(const struct osv_record *const *)pa;
	const struct osv_record *b = *(const struct osv_record *const *)pb;
	int c = strcmp(a->id, b->id);

	/* Newest first within an id, so the first of a run is kept. */
	return c ? c : strcmp(b->modified, a->modified);
}

static void drop_duplicates(struct gw_osv_db *db)
{
	size_t out = 0;

	qsort(db->recs, db->nrecs, sizeof(*db->recs), cmp_rec_id);
	for (size_t i = 0; i < db->nrecs; i++) {
		if (out &&
		    strcmp(db->recs[out - 1]->id, db->recs[i]->id) == 0) {
			db->stats.duplicates++;
			db->stats.withdrawn -= db->recs[i]->withdrawn;
			continue;
		}
		db->recs[out++] = db->recs[i];
	}
	db->nrecs = out;
}

static int cmp_index(const void *pa, const void *pb)
{
	const struct osv_index_entry *a = pa, *b = pb;
	int c = strcmp(a->norm, b->norm);

	return c ? c : strcmp(a->rec->id, b->rec->id);
}

static int build_index(struct gw_osv_db *db)
{
	size_t n = 0;

	for (size_t i = 0; i < db->nrecs; i++)
		n += db->recs[i]->naff;
	db->index =
		gw_osv_arena_alloc(&db->arena, (n + 1) * sizeof(*db->index));
	if (!db->index)
		return -ENOMEM;
	for (size_t i = 0; i < db->nrecs; i++) {
		const struct osv_record *r = db->recs[i];

		for (size_t k = 0; k < r->naff; k++)
			db->index[db->nindex++] =
				(struct osv_index_entry){ r->aff[k].norm, r,
							  &r->aff[k] };
	}
	qsort(db->index, db->nindex, sizeof(*db->index), cmp_index);
	return 0;
}

/* "skipped 3 of 2661 files that are not valid OSV: a (why), ..." */
static void note_skipped(const struct osv_load *ld, struct gw_error *err)
{
	size_t shown = ld->stats->skipped < OSV_SKIP_SHOWN ? ld->stats->skipped
							   : OSV_SKIP_SHOWN;
	size_t len;

	if (!err || err->code || ld->stats->skipped == 0)
		return;
	len = (size_t)snprintf(err->msg, sizeof(err->msg),
			       "skipped %zu of %zu files that are not valid "
			       "OSV records:",
			       ld->stats->skipped, ld->stats->files);
	for (size_t i = 0; i < shown && len < sizeof(err->msg); i++)
		len += (size_t)snprintf(err->msg + len, sizeof(err->msg) - len,
					"%s %s", i ? "," : "", ld->shown[i]);
	if (ld->stats->skipped > shown && len < sizeof(err->msg))
		snprintf(err->msg + len, sizeof(err->msg) - len, ", ...");
}

static int finish(struct gw_osv_db *db, struct osv_load *ld,
		  struct gw_error *err)
{
	db->recs = gw_osv_arena_alloc(&db->arena,
				      (ld->nrecs + 1) * sizeof(*db->recs));
	if (!db->recs)
		return gw_error_set(err, -ENOMEM, "out of memory");
	if (ld->nrecs)
		memcpy(db->recs, ld->recs, ld->nrecs * sizeof(*db->recs));
	db->nrecs = ld->nrecs;
	drop_duplicates(db);
	db->stats.records = db->nrecs;
	if (build_index(db) < 0)
		return gw_error_set(err, -ENOMEM, "out of memory");
	note_skipped(ld, err);
	if (db->nrecs == 0)
		return gw_error_set(err, -ENOENT, "no OSV record for PyPI");
	return 0;
}

int gw_osv_load(const char *path, struct gw_osv_db **out, struct gw_error *err)
{
	struct gw_osv_db *db = calloc(1, sizeof(*db));
	struct osv_load ld = { .arena = NULL };
	int rc;

	*out = NULL;
	if (!db)
		return gw_error_set(err, -ENOMEM, "out of memory");
	db->arena.max_bytes = GW_OSV_DB_MAX_BYTES;
	ld.arena = &db->arena;
	ld.stats = &db->stats;

	rc = load_single(&ld, path, err);
	if (rc == 0)
		rc = finish(db, &ld, err);
	gw_osv_load_done(&ld);
	if (rc < 0) {
		gw_error_where(err, path, NULL);
		gw_osv_free(db);
		return rc;
	}
	*out = db;
	return 0;
}

void gw_osv_free(struct gw_osv_db *db)
{
	if (!db)
		return;
	gw_osv_arena_free(&db->arena);
	free(db);
}

size_t gw_osv_count(const struct gw_osv_db *db)
{
	return db ? db->nrecs : 0;
}

void gw_osv_stats(const struct gw_osv_db *db, struct gw_osv_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (db)
		*out = db->stats;
}
