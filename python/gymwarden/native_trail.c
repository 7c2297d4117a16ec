/*
 * The trail of one guarded env from Python: its audit log and its
 * recording (src/audit), opened by make(audit=..., record=...). Both are
 * written in the trainer's process from what the monitor has already
 * checked and sanitized; keys are read here from key files and never
 * reach the worker.
 */
#include "native.h"

#include <jansson.h>
#include <string.h>

#include "audit/audit.h"
#include "audit/record.h"
#include "monitor/monitor.h"
#include "monitor/monitor_priv.h"

static int raise_system(struct gw_error *err, const char *env_id)
{
	if (err->kind == GW_ERR_NONE)
		err->kind = GW_ERR_SYSTEM;
	gwpy_raise(err, env_id);
	return -1;
}

int gwpy_trail_open(struct gwpy_trail *t, struct gw_env *e, const char *env_id,
		    const char *manifest, const struct gwpy_trail_paths *p)
{
	struct gw_audit_opts ao = { .encrypt = p->audit_key != NULL,
				    .key_path = p->audit_key };
	struct gw_audit_opts ro = { .encrypt = p->record_key != NULL,
				    .key_path = p->record_key };
	struct gw_error err;
	int r = 0;

	gw_error_clear(&err);
	if (p->audit) {
		Py_BEGIN_ALLOW_THREADS r =
			gw_audit_open(p->audit, &ao, &t->audit, &err);
		Py_END_ALLOW_THREADS if (r < 0) return raise_system(&err,
								    env_id);
		gw_env_set_audit(e, t->audit);
		gwpy_trail_note(t, "env_open", env_id,
				json_pack("{s:s}", "manifest", manifest));
	}
	if (p->record) {
		Py_BEGIN_ALLOW_THREADS r = gw_record_open(
			p->record, &ro, env_id, gw_env_action_space(e),
			gw_env_observation_space(e), &t->rec, &err);
		Py_END_ALLOW_THREADS if (r < 0) return raise_system(&err,
								    env_id);
	}
	return 0;
}

void gwpy_trail_note(struct gwpy_trail *t, const char *kind, const char *env_id,
		     json_t *payload)
{
	if (!t->audit || !payload) {
		json_decref(payload);
		return;
	}
	json_object_set_new(payload, "env", json_string(env_id));
	gw_audit_append(t->audit, kind, payload, NULL);
	json_decref(payload);
}

int gwpy_trail_reset(struct gwpy_trail *t, struct gw_env *e, const char *env_id,
		     const uint64_t *seed, const struct gw_value *options,
		     const struct gw_step *st)
{
	char *opts = options ? gw_info_json(options) : NULL;
	struct gw_error err;
	int r;

	if (!t->rec) {
		free(opts);
		return 0;
	}
	gw_error_clear(&err);
	r = gw_record_reset(t->rec, seed, opts, st, gw_env_info_json(e), &err);
	free(opts);
	return r < 0 ? raise_system(&err, env_id) : 0;
}

int gwpy_trail_step(struct gwpy_trail *t, struct gw_env *e, const char *env_id,
		    const void *action, size_t len, const struct gw_step *st)
{
	struct gw_error err;

	if (!t->rec)
		return 0;
	gw_error_clear(&err);
	if (gw_record_step(t->rec, action, len, st, gw_env_info_json(e), &err) <
	    0)
		return raise_system(&err, env_id);
	return 0;
}

/* What the env's sanitize policy did, as {name: count}. */
json_t *gwpy_trail_counts(const struct gw_env *e)
{
	struct gw_sanitize_count c[64];
	size_t n = e ? gw_env_sanitize_counts(e, c, 64) : 0;
	json_t *o = json_object();

	for (size_t i = 0; o && i < n && i < 64; i++)
		json_object_set_new(o, c[i].name,
				    json_integer((json_int_t)c[i].count));
	return o;
}

int gwpy_trail_close(struct gwpy_trail *t, const struct gw_env *e,
		     const char *env_id)
{
	struct gw_error err;
	int r = 0, q;

	gw_error_clear(&err);
	if (t->rec)
		r = gw_record_close(t->rec, &err);
	t->rec = NULL;
	if (t->audit) {
		gwpy_trail_note(
			t, "env_close", env_id,
			json_pack("{s:o}", "sanitized", gwpy_trail_counts(e)));
		q = gw_audit_close(t->audit, r < 0 ? NULL : &err);
		r = r < 0 ? r : q;
	}
	t->audit = NULL;
	return r < 0 ? raise_system(&err, env_id) : 0;
}
