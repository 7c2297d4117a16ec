/*
 * The --audit and --record options of `gymwarden run`: the run's audit
 * log (start, every fault, violation and notice, each episode, end) and
 * its recording (every reset and step). Kept apart from cmd_run.c so the
 * run itself reads the same with or without them.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cli/audit_cli.h"
#include "core/limits.h"
#include "core/log.h"
#include "gymwarden.h"
#include "space/ops.h"

static void say(const struct gw_cli *cli, const char *what,
		const struct gw_error *err)
{
	char text[1400];

	gw_error_format(err, text, sizeof(text));
	fprintf(cli->err, "gymwarden run: %s: %s\n", what, text);
}

/* Options for one file: encrypted when a key file is named. */
static struct gw_audit_opts file_opts(const char *key)
{
	return (struct gw_audit_opts){ .encrypt = key != NULL,
				       .key_path = key };
}

int gw_run_audit_start(const struct gw_cli *cli, struct gw_run_audit *ra,
		       const char *audit_path, const char *audit_key,
		       const char *manifest, const char *env, uint64_t seed,
		       uint64_t episodes)
{
	struct gw_audit_opts opts = file_opts(audit_key);
	struct gw_error err;
	json_t *start;

	if (!audit_path)
		return 0;
	gw_error_clear(&err);
	if (gw_audit_open(audit_path, &opts, &ra->log, &err) < 0) {
		say(cli, "audit log", &err);
		return GW_EXIT_ERROR;
	}
	start = json_pack("{s:s, s:s, s:I, s:I, s:s}", "manifest", manifest,
			  "env", env, "seed", (json_int_t)seed, "episodes",
			  (json_int_t)episodes, "gymwarden", gw_version());
	if (gw_audit_append(ra->log, "run.start", start, &err) < 0) {
		say(cli, "audit log", &err);
		ra->failed = true;
	}
	json_decref(start);
	return 0;
}

int gw_run_record_start(const struct gw_cli *cli, struct gw_run_audit *ra,
			const char *path, const char *key, const char *env_id,
			struct gw_env *e)
{
	struct gw_audit_opts opts = file_opts(key);
	struct gw_error err;

	if (!path)
		return 0;
	gw_error_clear(&err);
	if (gw_record_open(path, &opts, env_id, gw_env_action_space(e),
			   gw_env_observation_space(e), &ra->rec, &err) < 0) {
		say(cli, "recording", &err);
		return GW_EXIT_ERROR;
	}
	return 0;
}

/* After a failed write, nothing more goes to that log. */
static void append(struct gw_run_audit *ra, const char *kind, json_t *p)
{
	if (ra->log && !ra->failed && p &&
	    gw_audit_append(ra->log, kind, p, NULL) < 0)
		ra->failed = true;
	json_decref(p);
}

void gw_run_audit_event(struct gw_run_audit *ra, const struct gw_event *ev)
{
	static const char *const kinds[] = {
		[GW_EVENT_FAULT] = "fault",
		[GW_EVENT_VIOLATION] = "violation",
		[GW_EVENT_NOTICE] = "notice",
		[GW_EVENT_LOG] = "worker.log",
		[GW_EVENT_PRIVACY] = "privacy",
		[GW_EVENT_LIMIT] = "limit",
	};
	json_t *p;

	if (!ra->log || (unsigned)ev->kind >= sizeof(kinds) / sizeof(*kinds) ||
	    !kinds[ev->kind])
		return;
	p = json_pack("{s:s, s:I, s:I, s:I, s:s, s:s}", "env", ev->env_id,
		      "instance", (json_int_t)ev->instance, "episode",
		      (json_int_t)ra->episode, "step", (json_int_t)ev->step,
		      "field", ev->field ? ev->field : "", "detail",
		      ev->detail ? ev->detail : "");
	if (p && ev->kind == GW_EVENT_FAULT) {
		json_object_set_new(p, "fault",
				    json_string(gw_fault_name(ev->fault)));
		json_object_set_new(p, "policy",
				    json_string(gw_policy_name(ev->policy)));
	}
	/* The system call of a violation, the limit of a limit. */
	if (p && ev->name && ev->name[0])
		json_object_set_new(p, "name", json_string(ev->name));
	if (p && ev->action && ev->action[0])
		json_object_set_new(p, "action", json_string(ev->action));
	append(ra, kinds[ev->kind], p);
}

void gw_run_record_reset(struct gw_run_audit *ra, struct gw_env *e,
			 uint64_t seed, const struct gw_step *st)
{
	if (ra->rec && !ra->failed &&
	    gw_record_reset(ra->rec, &seed, NULL, st, gw_env_info_json(e),
			    NULL) < 0)
		ra->failed = true;
}

void gw_run_record_step(struct gw_run_audit *ra, struct gw_env *e,
			const void *action, size_t len,
			const struct gw_step *st)
{
	if (ra->rec && !ra->failed &&
	    gw_record_step(ra->rec, action, len, st, gw_env_info_json(e),
			   NULL) < 0)
		ra->failed = true;
}

void gw_run_audit_episode(struct gw_run_audit *ra, uint64_t episode,
			  uint64_t seed, uint64_t steps, double ret,
			  const char *end)
{
	append(ra, "episode",
	       json_pack("{s:I, s:I, s:I, s:f, s:s}", "episode",
			 (json_int_t)episode, "seed", (json_int_t)seed, "steps",
			 (json_int_t)steps, "return", ret, "end",
			 end ? end : "error"));
}

int gw_run_audit_finish(const struct gw_cli *cli, struct gw_run_audit *ra,
			int status, uint64_t n_violations, json_t *violations,
			json_t *error)
{
	struct gw_error err;

	append(ra, "run.end",
	       json_pack("{s:i, s:I, s:O, s:O}", "status", status,
			 "violation_count", (json_int_t)n_violations,
			 "violations", violations ? violations : json_null(),
			 "error", error ? error : json_null()));
	gw_error_clear(&err);
	if (gw_audit_close(ra->log, &err) < 0) {
		say(cli, "audit log", &err);
		ra->failed = true;
	}
	gw_error_clear(&err);
	if (gw_record_close(ra->rec, &err) < 0) {
		say(cli, "recording", &err);
		ra->failed = true;
	}
	ra->log = NULL;
	ra->rec = NULL;
	if (ra->failed) {
		fprintf(cli->err, "gymwarden run: the audit log or recording "
				  "is incomplete\n");
		return GW_EXIT_ERROR;
	}
	return status;
}
