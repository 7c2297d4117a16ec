/*
 * Small helpers over sqlite3 so that the registry's queries read as one
 * step per line: errors become a negative errno and a message in
 * struct gw_error naming the database.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/error.h"
#include "registry/registry_priv.h"

int gw_sql_fail(sqlite3 *db, const char *path, const char *what,
		struct gw_error *err)
{
	int code = db ? sqlite3_errcode(db) & 0xff : SQLITE_CANTOPEN;
	int r;

	switch (code) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED: r = -EBUSY; break;
	case SQLITE_NOMEM: r = -ENOMEM; break;
	case SQLITE_READONLY:
	case SQLITE_PERM: r = -EACCES; break;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB: r = -EPROTO; break;
	case SQLITE_CONSTRAINT: r = -EINVAL; break;
	default: r = -EIO; break;
	}
	gw_error_set(err, r, "%s: %s", what,
		     db ? sqlite3_errmsg(db) : "cannot open");
	if (err && !err->file[0])
		gw_error_where(err, path, NULL);
	return r;
}

int gw_sql_exec(struct gw_registry *reg, const char *sql, struct gw_error *err)
{
	if (sqlite3_exec(reg->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return gw_sql_fail(reg->db, reg->path, "sql", err);
	return 0;
}

int gw_sql_prepare(struct gw_registry *reg, const char *sql, sqlite3_stmt **st,
		   struct gw_error *err)
{
	*st = NULL;
	if (sqlite3_prepare_v2(reg->db, sql, -1, st, NULL) != SQLITE_OK)
		return gw_sql_fail(reg->db, reg->path, "prepare", err);
	return 0;
}

int gw_sql_text(sqlite3_stmt *st, int i, const char *s)
{
	if (!s)
		return sqlite3_bind_null(st, i);
	return sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
}

const char *gw_sql_col(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	return s ? (const char *)s : "";
}

/*
 * IMMEDIATE takes the write lock at once, so two writers queue on the
 * busy timeout instead of one failing when it upgrades a read lock.
 */
int gw_sql_begin(struct gw_registry *reg, struct gw_error *err)
{
	if (reg->readonly)
		return gw_error_set(err, -EROFS, "registry opened read-only");
	if (sqlite3_exec(reg->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) !=
	    SQLITE_OK)
		return gw_sql_fail(reg->db, reg->path, "begin", err);
	return 0;
}

int gw_sql_commit(struct gw_registry *reg, struct gw_error *err)
{
	if (sqlite3_exec(reg->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		int r = gw_sql_fail(reg->db, reg->path, "commit", err);

		gw_sql_rollback(reg);
		return r;
	}
	return 0;
}

void gw_sql_rollback(struct gw_registry *reg)
{
	if (!sqlite3_get_autocommit(reg->db))
		sqlite3_exec(reg->db, "ROLLBACK", NULL, NULL, NULL);
}

int gw_registry_hook(struct gw_registry *reg, const char *point,
		     struct gw_error *err)
{
	if (reg->hook && reg->hook(reg->hook_arg, point) != 0)
		return gw_error_set(err, -ECANCELED,
				    "write stopped at '%s' by a test hook",
				    point);
	return 0;
}

void gw_registry_set_hook(struct gw_registry *reg, gw_registry_hook_fn fn,
			  void *arg)
{
	reg->hook = fn;
	reg->hook_arg = arg;
}

void gw_registry_now(char buf[32])
{
	struct tm tm;
	time_t now = time(NULL);

	if (!gmtime_r(&now, &tm) ||
	    strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, 32, "1970-01-01T00:00:00Z");
}
