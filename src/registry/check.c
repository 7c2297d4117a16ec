/*
 * The enforcement check of make and run: the env's tree is digested as
 * it is now, and only an approved record of that env with that digest
 * lets it run under vetting = "required". The answer names the digest
 * and the commands that fix a refusal, and every answer is logged.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/error.h"
#include "core/limits.h"
#include "core/log.h"
#include "registry/registry_priv.h"

/* What the registry holds for one (env, digest). */
struct lookup {
	bool no_registry;
	int64_t approved; /* newest approved record, 0 none */
	int64_t revoked;  /* newest revoked one */
	int64_t latest;	  /* newest of any state */
	char revoked_by[GW_APPROVAL_MAX_NAME_BYTES + 1];
	char revoked_at[32];
	int64_t other; /* newest approved record of env, other digest */
	char other_digest[GW_DIGEST_TEXT_BYTES];
};

/* Text of the commands' shared tail: how they find this registry. */
struct hint {
	char id[256];	       /* env id, escaped */
	char manifest[1024];   /* manifest path, escaped */
	char where[1024 + 16]; /* " --manifest PATH" or "" */
};

/* snprintf that marks a cut with "...": messages may be long. */
__attribute__((format(printf, 3, 4))) static void put(char *buf, size_t cap,
						      const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, cap, fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n >= cap && cap > 4)
		memcpy(buf + cap - 4, "...", 4);
}

static int lookup_records(struct gw_registry *reg, const char *env,
			  const char *digest, struct lookup *lk,
			  struct gw_error *err)
{
	sqlite3_stmt *st;
	int r, rc;

	r = gw_sql_prepare(reg,
			   "SELECT r.id, " GW_SQL_LATEST_ACTION
			   " FROM records r WHERE r.env_id = ? AND "
			   "r.digest = ? ORDER BY r.id DESC",
			   &st, err);
	if (r < 0)
		return r;
	gw_sql_text(st, 1, env);
	gw_sql_text(st, 2, digest);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);
		const char *action = gw_sql_col(st, 1);

		if (!lk->latest)
			lk->latest = id;
		if (!lk->approved && strcmp(action, "approve") == 0)
			lk->approved = id;
		if (!lk->revoked && strcmp(action, "revoke") == 0)
			lk->revoked = id;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return gw_sql_fail(reg->db, reg->path, "look up records", err);
	return 0;
}

/* Who revoked record id, and when; best effort, for the message. */
static void lookup_revoker(struct gw_registry *reg, struct lookup *lk)
{
	sqlite3_stmt *st;

	if (gw_sql_prepare(reg,
			   "SELECT by_name, at FROM decisions WHERE "
			   "record_id = ? ORDER BY id DESC LIMIT 1",
			   &st, NULL) < 0)
		return;
	sqlite3_bind_int64(st, 1, lk->revoked);
	if (sqlite3_step(st) == SQLITE_ROW) {
		const char *by = gw_sql_col(st, 0);

		gw_escape(lk->revoked_by, sizeof(lk->revoked_by), by,
			  strlen(by));
		snprintf(lk->revoked_at, sizeof(lk->revoked_at), "%s",
			 gw_sql_col(st, 1));
	}
	sqlite3_finalize(st);
}

/* An approved record of env for another digest: the tree changed. */
static void lookup_other(struct gw_registry *reg, const char *env,
			 struct lookup *lk)
{
	sqlite3_stmt *st;

	if (gw_sql_prepare(reg,
			   "SELECT r.id, r.digest FROM records r WHERE "
			   "r.env_id = ? AND " GW_SQL_LATEST_ACTION
			   " = 'approve' ORDER BY r.id DESC LIMIT 1",
			   &st, NULL) < 0)
		return;
	gw_sql_text(st, 1, env);
	if (sqlite3_step(st) == SQLITE_ROW) {
		lk->other = sqlite3_column_int64(st, 0);
		snprintf(lk->other_digest, sizeof(lk->other_digest), "%s",
			 gw_sql_col(st, 1));
	}
	sqlite3_finalize(st);
}

static int lookup(const struct gw_manifest *m, const char *env,
		  const char *digest, struct lookup *lk, struct gw_error *err)
{
	struct gw_registry *reg;
	int r;

	r = gw_registry_open(gw_manifest_registry_path(m), GW_REGISTRY_READONLY,
			     &reg, err);
	if (r == -ENOENT) {
		lk->no_registry = true;
		gw_error_clear(err);
		return 0;
	}
	if (r < 0)
		return r;
	r = lookup_records(reg, env, digest, lk, err);
	if (r == 0 && !lk->approved && lk->revoked)
		lookup_revoker(reg, lk);
	if (r == 0 && !lk->latest)
		lookup_other(reg, env, lk);
	gw_registry_close(reg);
	return r;
}

static void make_hint(const struct gw_manifest *m, const char *id,
		      struct hint *h)
{
	const char *path = gw_manifest_path(m);

	gw_escape(h->id, sizeof(h->id), id, strlen(id));
	gw_escape(h->manifest, sizeof(h->manifest), path, strlen(path));
	if (strcmp(path, "gymwarden.toml") == 0 ||
	    strcmp(path, "./gymwarden.toml") == 0)
		h->where[0] = '\0';
	else
		put(h->where, sizeof(h->where), " --manifest %s", h->manifest);
}

/* The cause of a decision, without the env: for err and the message. */
static void describe(struct gw_check_decision *d, const struct lookup *lk,
		     const struct hint *h, char *cause, size_t cap)
{
	char other[160] = "";

	if (lk->approved) {
		d->status = GW_CHECK_APPROVED;
		d->record_id = lk->approved;
		put(cause, cap, "tree %s approved in record %lld", d->digest,
		    (long long)lk->approved);
	} else if (lk->revoked) {
		d->status = GW_CHECK_REVOKED;
		d->record_id = lk->revoked;
		put(cause, cap,
		    "the approval of record %lld for its tree %s was "
		    "revoked by %s at %s; run 'gymwarden vet %s --env "
		    "%s' and approve the new record, or 'gymwarden "
		    "approve %lld --by NAME%s' again",
		    (long long)lk->revoked, d->digest, lk->revoked_by,
		    lk->revoked_at, h->manifest, h->id, (long long)lk->revoked,
		    h->where);
	} else if (lk->latest) {
		d->status = GW_CHECK_NOT_APPROVED;
		d->record_id = lk->latest;
		put(cause, cap,
		    "record %lld for its tree %s is not approved; "
		    "review it with 'gymwarden records show %lld%s', "
		    "then run 'gymwarden approve %lld --by NAME%s'",
		    (long long)lk->latest, d->digest, (long long)lk->latest,
		    h->where, (long long)lk->latest, h->where);
	} else {
		d->status = GW_CHECK_NO_RECORD;
		if (lk->other)
			put(other, sizeof(other),
			    " (record %lld approved %.23s..., but the "
			    "tree has changed since)",
			    (long long)lk->other, lk->other_digest);
		else if (lk->no_registry)
			put(other, sizeof(other), " (no registry yet)");
		put(cause, cap,
		    "no vetting record for its tree %s%s; run "
		    "'gymwarden vet %s --env %s', then 'gymwarden "
		    "approve RECORD --by NAME%s'",
		    d->digest, other, h->manifest, h->id, h->where);
	}
}

/* Allow, warn or refuse as vetting says, log it, fill err on refusal. */
static int conclude(struct gw_check_decision *d, const struct hint *h,
		    const char *cause, int code, struct gw_error *err)
{
	put(d->message, sizeof(d->message), "env '%s': %s", h->id, cause);
	if (d->status == GW_CHECK_APPROVED) {
		d->allowed = true;
		gw_log(GW_LOG_INFO, "check env %s: %s", h->id, cause);
		return 0;
	}
	/*
	 * Logged as an error on purpose: callers that quiet warnings (the
	 * Python client does) must still see an unapproved env run.
	 */
	if (d->vetting == GW_VETTING_WARN) {
		d->allowed = true;
		gw_log(GW_LOG_ERROR,
		       "check env %s: WARNING: running it unapproved because "
		       "vetting = \"warn\": %s",
		       h->id, cause);
		return 0;
	}
	d->allowed = false;
	gw_log(GW_LOG_ERROR, "check env %s: refused: %s", h->id, cause);
	gw_error_set(err, code, "not approved: %s", cause);
	gw_error_where(err, h->id, NULL);
	return gw_error_set_kind(err, code, GW_ERR_NOT_APPROVED, -1);
}

static int check_off(struct gw_check_decision *d, const struct hint *h)
{
	d->status = GW_CHECK_UNCHECKED;
	d->allowed = true;
	put(d->message, sizeof(d->message),
	    "env '%s': vetting is off: not checked against the registry",
	    h->id);
	gw_log(GW_LOG_WARN,
	       "check env %s: vetting = \"off\": it runs without an approval "
	       "check",
	       h->id);
	return 0;
}

int gw_registry_check_env(const struct gw_manifest *m,
			  const struct gw_manifest_env *e,
			  struct gw_check_decision *out, struct gw_error *err)
{
	struct gw_check_decision local;
	struct gw_check_decision *d = out ? out : &local;
	struct lookup lk = { 0 };
	struct gw_error cerr;
	struct gw_tree *t = NULL;
	char cause[900], text[768];
	struct hint h;
	int r;

	memset(d, 0, sizeof(*d));
	if (!m || !e)
		return gw_error_set(err, -EINVAL, "no manifest or env");
	d->vetting = gw_manifest_vetting(m);
	make_hint(m, gw_manifest_env_id(e), &h);
	if (d->vetting == GW_VETTING_OFF)
		return check_off(d, &h);

	gw_error_clear(&cerr);
	r = gw_tree_digest_env(m, e, &t, &cerr);
	if (r == 0) {
		put(d->digest, sizeof(d->digest), "%s", gw_tree_digest(t));
		r = lookup(m, gw_manifest_env_id(e), d->digest, &lk, &cerr);
	}
	gw_tree_free(t);
	if (r < 0) {
		d->status = GW_CHECK_FAILED;
		gw_error_format(&cerr, text, sizeof(text));
		put(cause, sizeof(cause), "cannot check its approval: %s",
		    text);
		return conclude(d, &h, cause, r, err);
	}
	describe(d, &lk, &h, cause, sizeof(cause));
	return conclude(d, &h, cause, -EACCES, err);
}
