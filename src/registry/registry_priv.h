/*
 * The registry's private layout, for the files of src/registry, the
 * CLI's records and approve commands, and tests. gymwarden.h sees
 * opaque handles.
 */
#ifndef GW_REGISTRY_REGISTRY_PRIV_H
#define GW_REGISTRY_REGISTRY_PRIV_H

#include <jansson.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "gymwarden.h"

/* The schema this library writes; PRAGMA user_version holds it. */
#define GW_REGISTRY_SCHEMA_VERSION 2
/* PRAGMA application_id of a registry: "gwrg". */
#define GW_REGISTRY_APP_ID 0x67777267
/* "sha256:" and 64 hex digits, NUL included. */
#define GW_DIGEST_TEXT_BYTES 72u
/* Shortest digest prefix gw_registry_find accepts. */
#define GW_DIGEST_MIN_PREFIX 6u

struct gw_tree_item {
	struct gw_tree_entry pub; /* pub.path and pub.sha256 point below */
	char *path;
	char hex[65];
};

struct gw_tree_root {
	char *prefix;
	char *path;
};

struct gw_tree_skip {
	char *path; /* as given, until hashing resolves it */
	dev_t dev;
	ino_t ino;
	char *name;
	bool live; /* its folder exists */
};

struct gw_tree {
	struct gw_tree_root *roots;
	size_t n_roots;
	struct gw_tree_skip *skips;
	size_t n_skips;
	struct gw_tree_item *items;
	size_t len, alloc;
	bool hashed;
	char digest[GW_DIGEST_TEXT_BYTES];
};

struct gw_record_finding {
	char *tool, *rule, *severity, *file, *message, *fingerprint, *context;
	unsigned line, col;
};

struct gw_record_tool {
	char *name, *version;
};

struct gw_record_json {
	char *kind;
	char *text; /* compact JSON of an object */
};

struct gw_record {
	char *env_id;
	char digest[GW_DIGEST_TEXT_BYTES];
	bool has_tree, has_verdict;
	enum gw_record_verdict verdict;
	json_t *roots; /* [{prefix, path}] of the tree */
	struct gw_tree_item *files;
	size_t n_files;
	struct gw_record_tool *tools;
	size_t n_tools;
	struct gw_record_finding *findings;
	size_t n_findings, findings_alloc;
	struct gw_record_json *docs;
	size_t n_docs;
	int failed; /* the first setter's error, or 0 */
};

/*
 * Called at named points inside a write transaction ("record",
 * "files", "findings", "commit"); a non-zero return makes the write
 * fail and roll back. Tests use it to inject failures and crashes.
 */
typedef int (*gw_registry_hook_fn)(void *arg, const char *point);

struct gw_registry {
	sqlite3 *db;
	char *path;
	bool readonly;
	gw_registry_hook_fn hook;
	void *hook_arg;
};

void gw_registry_set_hook(struct gw_registry *reg, gw_registry_hook_fn fn,
			  void *arg);

/* ---- schema.c ---- */

/*
 * Run the migrations that bring db from its version to the latest; or,
 * read-only, check that it is a current registry.
 */
int gw_registry_migrate(sqlite3 *db, const char *path, bool readonly,
			struct gw_error *err);
/* Bring db up to version `to` (not past the latest); tests build older
 * registries with it. */
int gw_registry_migrate_to(sqlite3 *db, const char *path, int to,
			   struct gw_error *err);
/* The schema version of db (PRAGMA user_version), or a negative errno. */
int gw_registry_schema_version(sqlite3 *db);

/* ---- sql.c: small helpers over sqlite3 ---- */

/* Report SQLite's error on db as -EIO (-EBUSY when locked) in err. */
int gw_sql_fail(sqlite3 *db, const char *path, const char *what,
		struct gw_error *err);
int gw_sql_exec(struct gw_registry *reg, const char *sql, struct gw_error *err);
int gw_sql_prepare(struct gw_registry *reg, const char *sql, sqlite3_stmt **st,
		   struct gw_error *err);
/* Bind text (NULL binds NULL). */
int gw_sql_text(sqlite3_stmt *st, int i, const char *s);
/* BEGIN IMMEDIATE / COMMIT / ROLLBACK. */
int gw_sql_begin(struct gw_registry *reg, struct gw_error *err);
int gw_sql_commit(struct gw_registry *reg, struct gw_error *err);
void gw_sql_rollback(struct gw_registry *reg);
/* Column i as a string, "" for NULL. */
const char *gw_sql_col(sqlite3_stmt *st, int i);
/* Run the hook at point; 0 or -ECANCELED. */
int gw_registry_hook(struct gw_registry *reg, const char *point,
		     struct gw_error *err);

/* The current UTC time as "YYYY-MM-DDTHH:MM:SSZ". */
void gw_registry_now(char buf[32]);

/* The latest decision's action of record r.id, as a subquery. */
#define GW_SQL_LATEST_ACTION                                                   \
	"(SELECT action FROM decisions d WHERE d.record_id = r.id "            \
	"ORDER BY d.id DESC LIMIT 1)"

/* ---- query.c: what the CLI and the public JSON calls read ---- */

/* The full record, or the summaries; NULL after filling err. */
json_t *gw_registry_record_to_json(struct gw_registry *reg, int64_t id,
				   struct gw_error *err);
json_t *gw_registry_list_to_json(struct gw_registry *reg, const char *env_id,
				 struct gw_error *err);

/* ---- record.c ---- */

/* s as stored: a copy when valid UTF-8, else its escaped form. */
char *gw_record_text(const char *s, size_t max_bytes);
/* Whether kind is an attachment kind ("deps", "fuzz"). */
bool gw_record_json_kind_ok(const char *kind);
/* A compact copy of json text when it is one object within the cap. */
int gw_record_json_check(const char *json, char **out, struct gw_error *err);

#endif /* GW_REGISTRY_REGISTRY_PRIV_H */
