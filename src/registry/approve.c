/*
 * Approvals and revocations: rows appended to the decisions table,
 * never changed or deleted (triggers refuse both). A record's state is
 * its latest decision; an approval names the record, and so the digest
 * it was made for.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/limits.h"
#include "registry/registry_priv.h"

/* A person's name: printable, no control bytes, within the cap. */
static int check_name(const char *by, struct gw_error *err)
{
	size_t n = by ? strlen(by) : 0;

	if (n == 0)
		return gw_error_set(err, -EINVAL,
				    "a decision needs a name "
				    "(--by NAME)");
	if (n > GW_APPROVAL_MAX_NAME_BYTES)
		return gw_error_set(err, -E2BIG, "name longer than %u bytes",
				    GW_APPROVAL_MAX_NAME_BYTES);
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)by[i] < 0x20 || by[i] == 0x7f)
			return gw_error_set(err, -EINVAL,
					    "a name may not hold control "
					    "characters");
	return 0;
}

static int check_note(const char *note, struct gw_error *err)
{
	if (note && strlen(note) > GW_APPROVAL_MAX_NOTE_BYTES)
		return gw_error_set(err, -E2BIG, "note longer than %u bytes",
				    GW_APPROVAL_MAX_NOTE_BYTES);
	return 0;
}

static int insert_decision(struct gw_registry *reg, int64_t id,
			   const char *action, const char *by, const char *note,
			   struct gw_error *err)
{
	char *name = gw_record_text(by, GW_APPROVAL_MAX_NAME_BYTES);
	char *text =
		note ? gw_record_text(note, GW_APPROVAL_MAX_NOTE_BYTES) : NULL;
	sqlite3_stmt *st = NULL;
	char now[32];
	int r = -ENOMEM;

	if (!name || (note && !text))
		r = gw_error_set(err, -ENOMEM, "out of memory");
	else
		r = gw_sql_prepare(reg,
				   "INSERT INTO decisions (record_id, action, "
				   "by_name, note, at) VALUES (?, ?, ?, ?, ?)",
				   &st, err);
	if (r == 0) {
		gw_registry_now(now);
		sqlite3_bind_int64(st, 1, id);
		gw_sql_text(st, 2, action);
		gw_sql_text(st, 3, name);
		gw_sql_text(st, 4, text);
		gw_sql_text(st, 5, now);
		if (sqlite3_step(st) != SQLITE_DONE)
			r = gw_sql_fail(reg->db, reg->path, "insert decision",
					err);
	}
	sqlite3_finalize(st);
	free(name);
	free(text);
	return r;
}

/* Check, then append, inside one write transaction. */
static int approve_locked(struct gw_registry *reg, int64_t id, const char *by,
			  const char *note, unsigned flags,
			  struct gw_error *err)
{
	struct gw_record_info info;
	int r;

	r = gw_registry_record_info(reg, id, &info, err);
	if (r < 0)
		return r;
	if (info.verdict == GW_RECORD_FAIL && !(flags & GW_APPROVE_FORCE))
		return gw_error_set(
			err, -EPERM,
			"record %lld failed vetting (verdict "
			"fail, %llu finding%s): read them with "
			"'gymwarden records show %lld'; approve "
			"it only with --force",
			(long long)id, (unsigned long long)info.findings,
			info.findings == 1 ? "" : "s", (long long)id);
	return insert_decision(reg, id, "approve", by, note, err);
}

static int revoke_locked(struct gw_registry *reg, int64_t id, const char *by,
			 const char *note, struct gw_error *err)
{
	struct gw_record_info info;
	int r;

	r = gw_registry_record_info(reg, id, &info, err);
	if (r < 0)
		return r;
	if (info.approval != GW_APPROVAL_APPROVED)
		return gw_error_set(err, -EALREADY,
				    "record %lld is not approved%s: nothing "
				    "to revoke",
				    (long long)id,
				    info.approval == GW_APPROVAL_REVOKED
					    ? " (its approval was revoked "
					      "already)"
					    : "");
	return insert_decision(reg, id, "revoke", by, note, err);
}

static int decide(struct gw_registry *reg, int64_t id, const char *by,
		  const char *note, unsigned flags, bool approve,
		  struct gw_error *err)
{
	int r;

	if (!reg)
		return gw_error_set(err, -EINVAL, "no registry");
	r = check_name(by, err);
	if (r == 0)
		r = check_note(note, err);
	if (r == 0)
		r = gw_sql_begin(reg, err);
	if (r < 0)
		return r;

	r = approve ? approve_locked(reg, id, by, note, flags, err)
		    : revoke_locked(reg, id, by, note, err);
	if (r == 0)
		r = gw_sql_commit(reg, err);
	else
		gw_sql_rollback(reg);
	return r;
}

int gw_registry_approve(struct gw_registry *reg, int64_t id, const char *by,
			const char *note, unsigned flags, struct gw_error *err)
{
	return decide(reg, id, by, note, flags, true, err);
}

int gw_registry_revoke(struct gw_registry *reg, int64_t id, const char *by,
		       const char *note, struct gw_error *err)
{
	return decide(reg, id, by, note, 0, false, err);
}
