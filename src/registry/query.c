/*
 * Reading the registry: a record named by id or digest, its summary,
 * and the JSON documents of `records show`, `records export` and
 * `records list`. Text stored from tools and environments is handed
 * out as JSON strings, escaped where it is not valid UTF-8.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/limits.h"
#include "core/log.h"
#include "registry/registry_priv.h"

/* The latest decision of a record as a state, from its action text. */
static enum gw_approval_state state_of(const char *action)
{
	if (strcmp(action, "approve") == 0)
		return GW_APPROVAL_APPROVED;
	if (strcmp(action, "revoke") == 0)
		return GW_APPROVAL_REVOKED;
	return GW_APPROVAL_NONE;
}

static const char *state_name(enum gw_approval_state s)
{
	static const char *const names[] = { "none", "approved", "revoked" };

	return (unsigned)s < 3 ? names[s] : "none";
}

static enum gw_record_verdict verdict_of(const char *s)
{
	if (strcmp(s, "pass") == 0)
		return GW_RECORD_PASS;
	if (strcmp(s, "partial") == 0)
		return GW_RECORD_PARTIAL;
	return GW_RECORD_FAIL;
}

int gw_registry_record_info(struct gw_registry *reg, int64_t id,
			    struct gw_record_info *out, struct gw_error *err)
{
	sqlite3_stmt *st;
	int r, rc;

	memset(out, 0, sizeof(*out));
	r = gw_sql_prepare(reg,
			   "SELECT r.env_id, r.digest, r.verdict, r.created, "
			   "(SELECT count(*) FROM findings f WHERE "
			   "f.record_id = r.id), " GW_SQL_LATEST_ACTION
			   " FROM records r WHERE r.id = ?",
			   &st, err);
	if (r < 0)
		return r;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->id = id;
		snprintf(out->env_id, sizeof(out->env_id), "%s",
			 gw_sql_col(st, 0));
		snprintf(out->digest, sizeof(out->digest), "%s",
			 gw_sql_col(st, 1));
		out->verdict = verdict_of(gw_sql_col(st, 2));
		snprintf(out->created, sizeof(out->created), "%s",
			 gw_sql_col(st, 3));
		out->findings = (uint64_t)sqlite3_column_int64(st, 4);
		out->approval = state_of(gw_sql_col(st, 5));
	} else if (rc == SQLITE_DONE) {
		r = gw_error_set(err, -ENOENT, "no record %lld", (long long)id);
	} else {
		r = gw_sql_fail(reg->db, reg->path, "read record", err);
	}
	sqlite3_finalize(st);
	return r;
}

/* "sha256:ABC..." or "abc...": lower-case hex of 6..64 digits. */
static int digest_prefix(const char *ref, char *out, size_t cap)
{
	size_t n;

	if (strncmp(ref, "sha256:", 7) == 0)
		ref += 7;
	n = strlen(ref);
	if (n < GW_DIGEST_MIN_PREFIX || n > 64 || cap < n + 8)
		return -EINVAL;
	memcpy(out, "sha256:", 7);
	for (size_t i = 0; i < n; i++) {
		char c = ref[i];

		if (c >= 'A' && c <= 'F')
			c = (char)(c - 'A' + 'a');
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return -EINVAL;
		out[7 + i] = c;
	}
	out[7 + n] = '\0';
	return 0;
}

static int find_by_id(struct gw_registry *reg, const char *ref, int64_t *id,
		      struct gw_error *err)
{
	struct gw_record_info info;
	char *end;
	long long v;

	errno = 0;
	v = strtoll(ref, &end, 10);
	if (*end || errno == ERANGE || v <= 0)
		return gw_error_set(err, -ENOENT, "no record %s", ref);
	*id = v;
	return gw_registry_record_info(reg, v, &info, err);
}

/*
 * The digests that start with prefix: one gives its newest record;
 * more than one is ambiguous and the error lists a few.
 */
static int find_by_digest(struct gw_registry *reg, const char *prefix,
			  int64_t *id, struct gw_error *err)
{
	char seen[3][GW_DIGEST_TEXT_BYTES];
	sqlite3_stmt *st;
	size_t n = 0;
	int r, rc;

	r = gw_sql_prepare(reg,
			   "SELECT digest, max(id) FROM records WHERE "
			   "substr(digest, 1, ?) = ? GROUP BY digest "
			   "ORDER BY max(id) DESC LIMIT 3",
			   &st, err);
	if (r < 0)
		return r;
	sqlite3_bind_int(st, 1, (int)strlen(prefix));
	gw_sql_text(st, 2, prefix);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == 0)
			*id = sqlite3_column_int64(st, 1);
		snprintf(seen[n++], sizeof(seen[0]), "%.19s",
			 gw_sql_col(st, 0));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return gw_sql_fail(reg->db, reg->path, "find record", err);
	if (n == 0)
		return gw_error_set(err, -ENOENT, "no record with digest %s",
				    prefix);
	if (n > 1)
		return gw_error_set(err, -EINVAL,
				    "%s names more than one digest (%s..., "
				    "%s...%s): give more digits or a record "
				    "number",
				    prefix, seen[0], seen[1],
				    n > 2 ? ", and more" : "");
	return 0;
}

int gw_registry_find(struct gw_registry *reg, const char *ref, int64_t *id,
		     struct gw_error *err)
{
	char prefix[GW_DIGEST_TEXT_BYTES];

	*id = 0;
	if (!reg || !ref || !ref[0])
		return gw_error_set(err, -EINVAL, "no record named");
	if (strspn(ref, "0123456789") == strlen(ref))
		return find_by_id(reg, ref, id, err);
	if (digest_prefix(ref, prefix, sizeof(prefix)) < 0)
		return gw_error_set(err, -EINVAL,
				    "'%.64s' is neither a record number nor "
				    "a digest (sha256:HEX, at least %u hex "
				    "digits)",
				    ref, GW_DIGEST_MIN_PREFIX);
	return find_by_digest(reg, prefix, id, err);
}

/* A JSON string for stored text, escaped when not valid UTF-8. */
static json_t *text_json(const char *s)
{
	json_t *j;
	char *esc;

	if (!s)
		return json_null();
	j = json_string(s);
	if (j)
		return j;
	esc = gw_record_text(s, GW_RECORD_MAX_TEXT_BYTES);
	j = esc ? json_string(esc) : NULL;
	free(esc);
	return j;
}

static json_t *col_json(sqlite3_stmt *st, int i)
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return json_null();
	return text_json(gw_sql_col(st, i));
}

/*
 * Step the prepared st to its end, turning each row into an object by
 * fill; finalizes st. An array, or NULL with err naming what failed.
 */
static json_t *collect_rows(struct gw_registry *reg, sqlite3_stmt *st,
			    json_t *(*fill)(sqlite3_stmt *st), const char *what,
			    struct gw_error *err)
{
	json_t *a = json_array(), *o;
	int rc = a ? SQLITE_ROW : SQLITE_NOMEM;

	while (rc == SQLITE_ROW && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		o = fill(st);
		if (!o || json_array_append_new(a, o) < 0)
			rc = SQLITE_NOMEM;
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_NOMEM)
		gw_error_set(err, -ENOMEM, "out of memory");
	if (rc != SQLITE_DONE) {
		gw_sql_fail(reg->db, reg->path, what, err);
		json_decref(a);
		return NULL;
	}
	return a;
}

/* Run sql with ?1 = id and turn each row into an object by fill. */
static json_t *rows_json(struct gw_registry *reg, const char *sql, int64_t id,
			 json_t *(*fill)(sqlite3_stmt *st),
			 struct gw_error *err)
{
	sqlite3_stmt *st;

	if (gw_sql_prepare(reg, sql, &st, err) < 0)
		return NULL;
	sqlite3_bind_int64(st, 1, id);
	return collect_rows(reg, st, fill, "read record", err);
}

static json_t *tool_row(sqlite3_stmt *st)
{
	return json_pack("{s:o, s:o}", "name", col_json(st, 0), "version",
			 col_json(st, 1));
}

static json_t *file_row(sqlite3_stmt *st)
{
	char mode[8];

	snprintf(mode, sizeof(mode), "%04o",
		 (unsigned)sqlite3_column_int(st, 2) & 07777);
	return json_pack("{s:o, s:o, s:s, s:I, s:o}", "path", col_json(st, 0),
			 "type", col_json(st, 1), "mode", mode, "size",
			 (json_int_t)sqlite3_column_int64(st, 3), "sha256",
			 col_json(st, 4));
}

static json_t *finding_row(sqlite3_stmt *st)
{
	return json_pack("{s:o, s:o, s:o, s:o, s:I, s:I, s:o, s:o, s:o}",
			 "tool", col_json(st, 0), "rule", col_json(st, 1),
			 "severity", col_json(st, 2), "file", col_json(st, 3),
			 "line", (json_int_t)sqlite3_column_int64(st, 4), "col",
			 (json_int_t)sqlite3_column_int64(st, 5), "message",
			 col_json(st, 6), "fingerprint", col_json(st, 7),
			 "context", col_json(st, 8));
}

static json_t *decision_row(sqlite3_stmt *st)
{
	return json_pack("{s:o, s:o, s:o, s:o}", "action", col_json(st, 0),
			 "by", col_json(st, 1), "note", col_json(st, 2), "at",
			 col_json(st, 3));
}

/* The stored document parsed back; stored ones were checked on the way
 * in, so a parse failure means the file was edited by hand. */
static json_t *attachment_row(sqlite3_stmt *st)
{
	json_t *data = json_loads(gw_sql_col(st, 2), 0, NULL);

	return json_pack("{s:o, s:o, s:o}", "kind", col_json(st, 0), "at",
			 col_json(st, 1), "data", data ? data : json_null());
}

static const struct part {
	const char *key;
	const char *sql;
	json_t *(*fill)(sqlite3_stmt *st);
} parts[] = {
	{ "tools",
	  "SELECT name, version FROM tools WHERE record_id = ? "
	  "ORDER BY id",
	  tool_row },
	{ "findings",
	  "SELECT tool, rule, severity, file, line, col, message, "
	  "fingerprint, context FROM findings WHERE record_id = ? "
	  "ORDER BY id",
	  finding_row },
	{ "attachments",
	  "SELECT kind, at, json FROM attachments WHERE "
	  "record_id = ? ORDER BY id",
	  attachment_row },
	{ "decisions",
	  "SELECT action, by_name, note, at FROM decisions "
	  "WHERE record_id = ? ORDER BY id",
	  decision_row },
	{ "files",
	  "SELECT path, type, mode, size, sha256 FROM files WHERE "
	  "record_id = ? ORDER BY path",
	  file_row },
};

static json_t *record_head(struct gw_registry *reg, int64_t id,
			   struct gw_error *err)
{
	struct gw_record_info info;
	sqlite3_stmt *st;
	json_t *roots = NULL;

	if (gw_registry_record_info(reg, id, &info, err) < 0)
		return NULL;
	if (gw_sql_prepare(reg, "SELECT roots FROM records WHERE id = ?", &st,
			   err) < 0)
		return NULL;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW)
		roots = json_loads(gw_sql_col(st, 0), 0, NULL);
	sqlite3_finalize(st);
	return json_pack("{s:i, s:s, s:I, s:o, s:s, s:s, s:s, s:s, s:I, s:o}",
			 "version", 1, "kind", "record", "id", (json_int_t)id,
			 "env", text_json(info.env_id), "digest", info.digest,
			 "verdict", gw_record_verdict_name(info.verdict),
			 "created", info.created, "approval",
			 state_name(info.approval), "findings_count",
			 (json_int_t)info.findings, "roots",
			 roots ? roots : json_array());
}

json_t *gw_registry_record_to_json(struct gw_registry *reg, int64_t id,
				   struct gw_error *err)
{
	json_t *doc = record_head(reg, id, err), *part;

	for (size_t i = 0; doc && i < sizeof(parts) / sizeof(parts[0]); i++) {
		part = rows_json(reg, parts[i].sql, id, parts[i].fill, err);
		if (!part || json_object_set_new(doc, parts[i].key, part) < 0) {
			json_decref(doc);
			doc = NULL;
		}
	}
	if (!doc && err && !err->code)
		gw_error_set(err, -ENOMEM, "out of memory");
	return doc;
}

static json_t *summary_row(sqlite3_stmt *st)
{
	return json_pack("{s:I, s:o, s:o, s:o, s:I, s:s, s:o}", "id",
			 (json_int_t)sqlite3_column_int64(st, 0), "env",
			 col_json(st, 1), "digest", col_json(st, 2), "verdict",
			 col_json(st, 3), "findings",
			 (json_int_t)sqlite3_column_int64(st, 4), "approval",
			 state_name(state_of(gw_sql_col(st, 5))), "created",
			 col_json(st, 6));
}

json_t *gw_registry_list_to_json(struct gw_registry *reg, const char *env_id,
				 struct gw_error *err)
{
	sqlite3_stmt *st;
	json_t *a;

	if (gw_sql_prepare(reg,
			   "SELECT r.id, r.env_id, r.digest, r.verdict, "
			   "(SELECT count(*) FROM findings f WHERE "
			   "f.record_id = r.id), " GW_SQL_LATEST_ACTION
			   ", r.created FROM records r WHERE ?1 IS NULL "
			   "OR r.env_id = ?1 ORDER BY r.id",
			   &st, err) < 0)
		return NULL;
	gw_sql_text(st, 1, env_id);
	a = collect_rows(reg, st, summary_row, "list records", err);
	if (!a)
		return NULL;
	return json_pack("{s:i, s:s, s:o, s:o}", "version", 1, "kind",
			 "records", "registry", text_json(reg->path), "records",
			 a);
}

/* Dump doc as text for the public calls; steals doc. */
static int dump(json_t *doc, char **out, struct gw_error *err)
{
	if (!doc)
		return err && err->code ? err->code : -ENOMEM;
	*out = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(doc);
	return *out ? 0 : gw_error_set(err, -ENOMEM, "out of memory");
}

int gw_registry_export_json(struct gw_registry *reg, int64_t id, char **out,
			    struct gw_error *err)
{
	*out = NULL;
	if (!reg)
		return gw_error_set(err, -EINVAL, "no registry");
	return dump(gw_registry_record_to_json(reg, id, err), out, err);
}

int gw_registry_list_json(struct gw_registry *reg, const char *env_id,
			  char **out, struct gw_error *err)
{
	*out = NULL;
	if (!reg)
		return gw_error_set(err, -EINVAL, "no registry");
	return dump(gw_registry_list_to_json(reg, env_id, err), out, err);
}
