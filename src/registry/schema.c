/*
 * The registry's schema and its history. PRAGMA user_version holds the
 * version; each migration brings it up by one, and all the pending ones
 * run in one transaction, so a registry is never left between two
 * versions. A new version is a new function at the end of the table;
 * released ones are never edited.
 */
#include <errno.h>
#include <stdio.h>

#include "core/error.h"
#include "core/log.h"
#include "registry/registry_priv.h"

/*
 * Version 1: records and what they hold; approvals and revocations as
 * one append-only list of decisions.
 */
static const char schema_1[] =
	"CREATE TABLE records ("
	" id INTEGER PRIMARY KEY,"
	" env_id TEXT NOT NULL,"
	" digest TEXT NOT NULL,"
	" verdict TEXT NOT NULL"
	"  CHECK (verdict IN ('pass', 'partial', 'fail')),"
	" created TEXT NOT NULL,"
	" roots TEXT NOT NULL DEFAULT '[]');"
	"CREATE INDEX records_by_digest ON records (digest, env_id);"
	"CREATE TABLE files ("
	" record_id INTEGER NOT NULL REFERENCES records (id),"
	" path TEXT NOT NULL,"
	" type TEXT NOT NULL CHECK (type IN ('file', 'symlink')),"
	" mode INTEGER NOT NULL,"
	" size INTEGER NOT NULL,"
	" sha256 TEXT NOT NULL,"
	" PRIMARY KEY (record_id, path)) WITHOUT ROWID;"
	"CREATE TABLE tools ("
	" id INTEGER PRIMARY KEY,"
	" record_id INTEGER NOT NULL REFERENCES records (id),"
	" name TEXT NOT NULL,"
	" version TEXT NOT NULL);"
	"CREATE INDEX tools_by_record ON tools (record_id);"
	"CREATE TABLE findings ("
	" id INTEGER PRIMARY KEY,"
	" record_id INTEGER NOT NULL REFERENCES records (id),"
	" tool TEXT NOT NULL,"
	" rule TEXT NOT NULL,"
	" severity TEXT NOT NULL,"
	" file TEXT,"
	" line INTEGER NOT NULL DEFAULT 0,"
	" col INTEGER NOT NULL DEFAULT 0,"
	" message TEXT NOT NULL,"
	" fingerprint TEXT,"
	" context TEXT);"
	"CREATE INDEX findings_by_record ON findings (record_id);"
	"CREATE TABLE decisions ("
	" id INTEGER PRIMARY KEY,"
	" record_id INTEGER NOT NULL REFERENCES records (id),"
	" action TEXT NOT NULL CHECK (action IN ('approve', 'revoke')),"
	" by_name TEXT NOT NULL,"
	" note TEXT,"
	" at TEXT NOT NULL);"
	"CREATE INDEX decisions_by_record ON decisions (record_id, id);"
	"CREATE TRIGGER decisions_no_update BEFORE UPDATE ON decisions"
	" BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END;"
	"CREATE TRIGGER decisions_no_delete BEFORE DELETE ON decisions"
	" BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END;";

/*
 * Version 2: documents other tools attach later (the dependency audit,
 * the sandboxed trial), and a record's contents made immutable: what a
 * reviewer approved cannot change under the approval.
 */
static const char schema_2[] =
	"CREATE TABLE attachments ("
	" id INTEGER PRIMARY KEY,"
	" record_id INTEGER NOT NULL REFERENCES records (id),"
	" kind TEXT NOT NULL CHECK (kind IN ('deps', 'fuzz')),"
	" json TEXT NOT NULL,"
	" at TEXT NOT NULL);"
	"CREATE INDEX attachments_by_record ON attachments (record_id, id);"
	"CREATE TRIGGER records_no_update BEFORE UPDATE ON records"
	" BEGIN SELECT RAISE(ABORT, 'records are immutable'); END;"
	"CREATE TRIGGER files_no_update BEFORE UPDATE ON files"
	" BEGIN SELECT RAISE(ABORT, 'records are immutable'); END;"
	"CREATE TRIGGER findings_no_update BEFORE UPDATE ON findings"
	" BEGIN SELECT RAISE(ABORT, 'records are immutable'); END;"
	"CREATE TRIGGER attachments_no_update BEFORE UPDATE ON attachments"
	" BEGIN SELECT RAISE(ABORT, 'attachments are append-only'); END;";

static int exec_schema(sqlite3 *db, const char *path, const char *sql,
		       struct gw_error *err)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return gw_sql_fail(db, path, "migrate", err);
	return 0;
}

static int migrate_1(sqlite3 *db, const char *path, struct gw_error *err)
{
	return exec_schema(db, path, schema_1, err);
}

static int migrate_2(sqlite3 *db, const char *path, struct gw_error *err)
{
	return exec_schema(db, path, schema_2, err);
}

/* Entry i brings the schema from version i to version i + 1. */
static const struct migration {
	const char *what;
	int (*up)(sqlite3 *db, const char *path, struct gw_error *err);
} migrations[] = {
	{ "records, files, tools, findings, decisions", migrate_1 },
	{ "attachments; immutable records", migrate_2 },
};

_Static_assert(sizeof(migrations) / sizeof(migrations[0]) ==
		       GW_REGISTRY_SCHEMA_VERSION,
	       "one migration per schema version");

static int pragma_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int v = -EIO;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

int gw_registry_schema_version(sqlite3 *db)
{
	return pragma_int(db, "PRAGMA user_version");
}

/*
 * A file at version 0 is ours to initialise only when it is empty;
 * after that the application id says it is a registry.
 */
static int check_identity(sqlite3 *db, const char *path, int version,
			  struct gw_error *err)
{
	int app = pragma_int(db, "PRAGMA application_id");
	int tables = pragma_int(db, "SELECT count(*) FROM sqlite_master");

	if (app < 0 || tables < 0)
		return gw_sql_fail(db, path, "read schema", err);
	if ((version == 0 && tables == 0 && app == 0) ||
	    app == GW_REGISTRY_APP_ID)
		return 0;
	gw_error_where(err, path, NULL);
	return gw_error_set(err, -EPROTO,
			    "not a gymwarden registry (an SQLite file with "
			    "other tables)");
}

static int newer_error(const char *path, int version, struct gw_error *err)
{
	gw_error_where(err, path, NULL);
	return gw_error_set(err, -EPROTO,
			    "registry schema version %d is newer than this "
			    "gymwarden knows (%d): upgrade gymwarden",
			    version, GW_REGISTRY_SCHEMA_VERSION);
}

static int run_migrations(sqlite3 *db, const char *path, int from, int to,
			  struct gw_error *err)
{
	char sql[96];
	int r = 0;

	for (int v = from; r == 0 && v < to; v++) {
		gw_log(GW_LOG_INFO, "migrate registry %s: schema %d to %d: %s",
		       path, v, v + 1, migrations[v].what);
		r = migrations[v].up(db, path, err);
	}
	if (r < 0)
		return r;
	snprintf(sql, sizeof(sql),
		 "PRAGMA application_id = %d; PRAGMA user_version = %d",
		 GW_REGISTRY_APP_ID, to);
	return exec_schema(db, path, sql, err);
}

/* Read-only: the schema must be ours and current, since it cannot be
 * brought up to date. */
static int check_readonly(sqlite3 *db, const char *path, int v,
			  struct gw_error *err)
{
	if (v < GW_REGISTRY_SCHEMA_VERSION) {
		gw_error_where(err, path, NULL);
		return gw_error_set(err, -EPROTO,
				    "registry schema version %d is older than "
				    "%d and this open is read-only: run "
				    "'gymwarden records list' once to upgrade "
				    "it",
				    v, GW_REGISTRY_SCHEMA_VERSION);
	}
	return check_identity(db, path, v, err);
}

int gw_registry_migrate_to(sqlite3 *db, const char *path, int to,
			   struct gw_error *err)
{
	int v, r;

	if (to < 1 || to > GW_REGISTRY_SCHEMA_VERSION)
		return gw_error_set(err, -EINVAL, "no schema version %d", to);
	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return gw_sql_fail(db, path, "begin migration", err);
	/* Another process may have migrated while we waited for the lock. */
	v = gw_registry_schema_version(db);
	if (v < 0)
		r = gw_sql_fail(db, path, "read schema version", err);
	else if (v > GW_REGISTRY_SCHEMA_VERSION)
		r = newer_error(path, v, err);
	else
		r = check_identity(db, path, v, err);
	if (r == 0 && v < to)
		r = run_migrations(db, path, v, to, err);
	if (r == 0 && sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		r = gw_sql_fail(db, path, "commit migration", err);
	if (r < 0 && !sqlite3_get_autocommit(db))
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return r;
}

int gw_registry_migrate(sqlite3 *db, const char *path, bool readonly,
			struct gw_error *err)
{
	int v = gw_registry_schema_version(db);

	if (v < 0)
		return gw_sql_fail(db, path, "read schema version", err);
	if (v > GW_REGISTRY_SCHEMA_VERSION)
		return newer_error(path, v, err);
	if (readonly || v == GW_REGISTRY_SCHEMA_VERSION)
		return check_readonly(db, path, v, err);
	return gw_registry_migrate_to(db, path, GW_REGISTRY_SCHEMA_VERSION,
				      err);
}
