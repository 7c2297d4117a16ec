/*
 * Writing the registry: a record with everything it holds in one
 * transaction, documents attached later, and the append-only list of
 * approvals and revocations. Every write takes the lock up front
 * (BEGIN IMMEDIATE) and rolls back on any failure, so a reader never
 * sees part of one.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/limits.h"
#include "registry/registry_priv.h"

/* Step a bound insert once and reset it for the next row. */
static int step_insert(struct gw_registry *reg, sqlite3_stmt *st,
		       const char *what, struct gw_error *err)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE)
		return gw_sql_fail(reg->db, reg->path, what, err);
	return 0;
}

static int insert_record(struct gw_registry *reg, const struct gw_record *rec,
			 int64_t *id, struct gw_error *err)
{
	sqlite3_stmt *st;
	char now[32], *roots;
	int r;

	r = gw_sql_prepare(reg,
			   "INSERT INTO records (env_id, digest, verdict, "
			   "created, roots) VALUES (?, ?, ?, ?, ?)",
			   &st, err);
	if (r < 0)
		return r;
	roots = json_dumps(rec->roots, JSON_COMPACT);
	gw_registry_now(now);
	gw_sql_text(st, 1, rec->env_id);
	gw_sql_text(st, 2, rec->digest);
	gw_sql_text(st, 3, gw_record_verdict_name(rec->verdict));
	gw_sql_text(st, 4, now);
	gw_sql_text(st, 5, roots ? roots : "[]");
	r = step_insert(reg, st, "insert record", err);
	sqlite3_finalize(st);
	free(roots);
	*id = sqlite3_last_insert_rowid(reg->db);
	return r;
}

static int insert_files(struct gw_registry *reg, const struct gw_record *rec,
			int64_t id, struct gw_error *err)
{
	sqlite3_stmt *st;
	int r;

	r = gw_sql_prepare(reg,
			   "INSERT INTO files (record_id, path, type, mode, "
			   "size, sha256) VALUES (?, ?, ?, ?, ?, ?)",
			   &st, err);
	for (size_t i = 0; r == 0 && i < rec->n_files; i++) {
		const struct gw_tree_item *f = &rec->files[i];

		sqlite3_bind_int64(st, 1, id);
		gw_sql_text(st, 2, f->path);
		gw_sql_text(st, 3,
			    f->pub.type == GW_TREE_SYMLINK ? "symlink"
							   : "file");
		sqlite3_bind_int(st, 4, (int)f->pub.mode);
		sqlite3_bind_int64(st, 5, (sqlite3_int64)f->pub.size);
		gw_sql_text(st, 6, f->hex);
		r = step_insert(reg, st, "insert file", err);
	}
	sqlite3_finalize(st);
	return r;
}

static int insert_tools(struct gw_registry *reg, const struct gw_record *rec,
			int64_t id, struct gw_error *err)
{
	sqlite3_stmt *st;
	int r;

	r = gw_sql_prepare(reg,
			   "INSERT INTO tools (record_id, name, version) "
			   "VALUES (?, ?, ?)",
			   &st, err);
	for (size_t i = 0; r == 0 && i < rec->n_tools; i++) {
		sqlite3_bind_int64(st, 1, id);
		gw_sql_text(st, 2, rec->tools[i].name);
		gw_sql_text(st, 3, rec->tools[i].version);
		r = step_insert(reg, st, "insert tool", err);
	}
	sqlite3_finalize(st);
	return r;
}

static int insert_findings(struct gw_registry *reg, const struct gw_record *rec,
			   int64_t id, struct gw_error *err)
{
	sqlite3_stmt *st;
	int r;

	r = gw_sql_prepare(reg,
			   "INSERT INTO findings (record_id, tool, rule, "
			   "severity, file, line, col, message, fingerprint, "
			   "context) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			   &st, err);
	for (size_t i = 0; r == 0 && i < rec->n_findings; i++) {
		const struct gw_record_finding *f = &rec->findings[i];

		sqlite3_bind_int64(st, 1, id);
		gw_sql_text(st, 2, f->tool);
		gw_sql_text(st, 3, f->rule);
		gw_sql_text(st, 4, f->severity);
		gw_sql_text(st, 5, f->file);
		sqlite3_bind_int64(st, 6, f->line);
		sqlite3_bind_int64(st, 7, f->col);
		gw_sql_text(st, 8, f->message);
		gw_sql_text(st, 9, f->fingerprint);
		gw_sql_text(st, 10, f->context);
		r = step_insert(reg, st, "insert finding", err);
	}
	sqlite3_finalize(st);
	return r;
}

static int insert_attachment(struct gw_registry *reg, int64_t id,
			     const char *kind, const char *json,
			     struct gw_error *err)
{
	sqlite3_stmt *st;
	char now[32];
	int r;

	r = gw_sql_prepare(reg,
			   "INSERT INTO attachments (record_id, kind, json, "
			   "at) VALUES (?, ?, ?, ?)",
			   &st, err);
	if (r < 0)
		return r;
	gw_registry_now(now);
	sqlite3_bind_int64(st, 1, id);
	gw_sql_text(st, 2, kind);
	gw_sql_text(st, 3, json);
	gw_sql_text(st, 4, now);
	r = step_insert(reg, st, "insert attachment", err);
	sqlite3_finalize(st);
	return r;
}

static int check_record(const struct gw_record *rec, struct gw_error *err)
{
	if (!rec)
		return gw_error_set(err, -EINVAL, "no record");
	if (rec->failed)
		return gw_error_set(err, rec->failed,
				    "the record was not built completely: %s",
				    strerror(-rec->failed));
	if (!rec->env_id || !rec->has_tree || !rec->has_verdict)
		return gw_error_set(err, -EINVAL,
				    "a record needs an env id, a hashed tree "
				    "and a verdict");
	return 0;
}

/* Every table of one record, the hook given a chance between them. */
static int write_record(struct gw_registry *reg, const struct gw_record *rec,
			int64_t *id, struct gw_error *err)
{
	int r;

	r = insert_record(reg, rec, id, err);
	if (r == 0)
		r = gw_registry_hook(reg, "record", err);
	if (r == 0)
		r = insert_tools(reg, rec, *id, err);
	if (r == 0)
		r = insert_files(reg, rec, *id, err);
	if (r == 0)
		r = gw_registry_hook(reg, "files", err);
	if (r == 0)
		r = insert_findings(reg, rec, *id, err);
	if (r == 0)
		r = gw_registry_hook(reg, "findings", err);
	for (size_t i = 0; r == 0 && i < rec->n_docs; i++)
		r = insert_attachment(reg, *id, rec->docs[i].kind,
				      rec->docs[i].text, err);
	if (r == 0)
		r = gw_registry_hook(reg, "commit", err);
	return r;
}

int gw_registry_add_record(struct gw_registry *reg, const struct gw_record *rec,
			   int64_t *id, struct gw_error *err)
{
	int64_t rid = 0;
	int r;

	if (id)
		*id = 0;
	if (!reg)
		return gw_error_set(err, -EINVAL, "no registry");
	r = check_record(rec, err);
	if (r == 0)
		r = gw_sql_begin(reg, err);
	if (r < 0)
		return r;

	r = write_record(reg, rec, &rid, err);
	if (r == 0)
		r = gw_sql_commit(reg, err);
	else
		gw_sql_rollback(reg);
	if (r == 0 && id)
		*id = rid;
	return r;
}

/* Whether record id exists, inside the caller's transaction. */
static int record_exists(struct gw_registry *reg, int64_t id,
			 struct gw_error *err)
{
	sqlite3_stmt *st;
	int r, rc;

	r = gw_sql_prepare(reg, "SELECT 1 FROM records WHERE id = ?", &st, err);
	if (r < 0)
		return r;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc != SQLITE_DONE)
		return gw_sql_fail(reg->db, reg->path, "find record", err);
	return gw_error_set(err, -ENOENT, "no record %lld", (long long)id);
}

static int count_attachments(struct gw_registry *reg, int64_t id,
			     struct gw_error *err)
{
	sqlite3_stmt *st;
	int r;

	r = gw_sql_prepare(reg,
			   "SELECT count(*) FROM attachments WHERE "
			   "record_id = ?",
			   &st, err);
	if (r < 0)
		return r;
	sqlite3_bind_int64(st, 1, id);
	r = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
	sqlite3_finalize(st);
	if (r < 0)
		return gw_sql_fail(reg->db, reg->path, "count attachments",
				   err);
	if ((unsigned)r >= GW_RECORD_MAX_ATTACHMENTS)
		return gw_error_set(err, -E2BIG,
				    "record %lld already holds %u attachments",
				    (long long)id, GW_RECORD_MAX_ATTACHMENTS);
	return 0;
}

int gw_registry_attach_json(struct gw_registry *reg, int64_t id,
			    const char *kind, const char *json,
			    struct gw_error *err)
{
	char *text = NULL;
	int r;

	if (!reg || !gw_record_json_kind_ok(kind))
		return gw_error_set(err, -EINVAL,
				    "attachment kind must be deps or fuzz");
	r = gw_record_json_check(json, &text, err);
	if (r == 0)
		r = gw_sql_begin(reg, err);
	if (r < 0) {
		free(text);
		return r;
	}
	r = record_exists(reg, id, err);
	if (r == 0)
		r = count_attachments(reg, id, err);
	if (r == 0)
		r = insert_attachment(reg, id, kind, text, err);
	if (r == 0)
		r = gw_sql_commit(reg, err);
	else
		gw_sql_rollback(reg);
	free(text);
	return r;
}
