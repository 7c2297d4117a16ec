/*
 * gymwarden run MANIFEST --env ID: run an environment in its sandbox for
 * a few episodes with a seeded random agent and report what crossed the
 * boundary: steps and returns, every fault by class, every violation
 * with its episode, step and field, and the sandbox layers in force.
 *
 * Exit status: 0 when nothing was found; 1 for faults or violations,
 * including an environment that crashed, hung, raised or declared the
 * wrong spaces (its misbehaviour is the finding); 2 for our own errors:
 * usage, a manifest that cannot be used, a sandbox that cannot be built.
 */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli/audit_cli.h"
#include "cli/cli.h"
#include "core/error.h"
#include "core/limits.h"
#include "core/log.h"
#include "core/rng.h"
#include "gymwarden.h"
#include "monitor/monitor.h"
#include "space/ops.h"

/* Violations listed one by one; past this they are only counted. */
#define RUN_MAX_VIOLATIONS 1000u
/* Steps per episode when the manifest sets no max_episode_steps. */
#define RUN_DEFAULT_MAX_STEPS 1000ul

struct run_cfg {
	const char *env;
	unsigned long episodes;
	unsigned long seed;
	unsigned long max_steps;
	int format;
	const char *audit, *audit_key, *record, *record_key;
};

static const struct gw_opt run_opts[] = {
	{ "env", 'e', "ID", gw_opt_string, offsetof(struct run_cfg, env),
	  "the environment to run (required)", NULL },
	{ "episodes", 'n', "N", gw_opt_ulong,
	  offsetof(struct run_cfg, episodes), "episodes to run (default 3)",
	  NULL },
	{ "seed", 's', "S", gw_opt_ulong, offsetof(struct run_cfg, seed),
	  "seed of the agent; episode k resets with S+k-1 (0)", NULL },
	{ "max-steps", 0, "N", gw_opt_ulong,
	  offsetof(struct run_cfg, max_steps),
	  "cut episodes at N steps (default max_episode_steps)", NULL },
	{ "format", 'f', "FORMAT", gw_opt_choice,
	  offsetof(struct run_cfg, format), "output format",
	  (const char *const[]){ "text", "json", NULL } },
	{ "audit", 0, "FILE", gw_opt_string, offsetof(struct run_cfg, audit),
	  "write an audit log of the run (docs/audit.md)", NULL },
	{ "audit-key", 0, "KEY", gw_opt_string,
	  offsetof(struct run_cfg, audit_key), "encrypt the audit log", NULL },
	{ "record", 0, "FILE", gw_opt_string, offsetof(struct run_cfg, record),
	  "record every reset and step (gymwarden replay)", NULL },
	{ "record-key", 0, "KEY", gw_opt_string,
	  offsetof(struct run_cfg, record_key), "encrypt the recording", NULL },
	GW_OPT_END,
};

struct episode {
	uint64_t seed;
	uint64_t steps;
	double ret;
	const char *end; /* "terminated", "truncated", "cut", "error" */
};

/* Everything a run found, gathered as it goes. */
struct run {
	const struct gw_cli *cli;
	const struct run_cfg *cfg;
	size_t episode; /* 1-based, 0 before the first */
	struct episode *episodes;
	size_t n_episodes;
	json_t *violations;
	size_t n_violations;
	json_t *notices;
	json_t *privacy;   /* GW_EVENT_PRIVACY, up to RUN_MAX_VIOLATIONS */
	json_t *sanitized; /* {name: count} of gw_env_sanitize_counts */
	uint64_t faults[GW_FAULT_COUNT];
	char layers[512];
	char missing[1024]; /* "NAME:WHY,..." */
	bool error;	    /* one of our own errors: exit 2 */
	json_t *error_json;
	struct gw_run_audit ra; /* --audit and --record */
};

/* One violation; returns its object (owned by the list) or NULL. */
static json_t *add_violation(struct run *run, const char *kind, int64_t step,
			     const char *field, const char *detail,
			     const char *policy)
{
	json_t *v;

	run->n_violations++;
	if (json_array_size(run->violations) >= RUN_MAX_VIOLATIONS)
		return NULL;
	v = json_pack("{s:s, s:I, s:I, s:s, s:s, s:o}", "kind", kind, "episode",
		      (json_int_t)run->episode, "step", (json_int_t)step,
		      "field", field, "detail", detail, "policy",
		      policy ? json_string(policy) : json_null());
	return json_array_append_new(run->violations, v) == 0 ? v : NULL;
}

static void on_event(void *arg, const struct gw_event *ev)
{
	struct run *run = arg;
	json_t *v;

	gw_run_audit_event(&run->ra, ev);
	switch (ev->kind) {
	case GW_EVENT_FAULT:
		add_violation(run, gw_fault_name(ev->fault), ev->step,
			      ev->field, ev->detail,
			      gw_policy_name(ev->policy));
		break;
	case GW_EVENT_VIOLATION:
		v = add_violation(run, "sandbox", ev->step, ev->field,
				  ev->detail, NULL);
		json_object_set_new(v, "syscall", json_string(ev->name));
		json_object_set_new(v, "action", json_string(ev->action));
		break;
	case GW_EVENT_LIMIT:
		v = add_violation(run, "limit", ev->step, ev->field, ev->detail,
				  NULL);
		json_object_set_new(v, "limit", json_string(ev->name));
		break;
	case GW_EVENT_NOTICE:
		json_array_append_new(run->notices,
				      json_pack("{s:s, s:s}", "field",
						ev->field, "detail",
						ev->detail));
		break;
	case GW_EVENT_PRIVACY:
		if (json_array_size(run->privacy) < RUN_MAX_VIOLATIONS)
			json_array_append_new(
				run->privacy,
				json_pack("{s:I, s:I, s:s, s:s}", "episode",
					  (json_int_t)run->episode, "step",
					  (json_int_t)ev->step, "field",
					  ev->field, "detail", ev->detail));
		break;
	case GW_EVENT_LOG:
		/* Escaped, sanitized and rate-limited by the monitor. */
		fprintf(run->cli->err, "gymwarden: worker %s %s: %s\n",
			ev->env_id, ev->field, ev->detail);
		break;
	}
}

/* A failed call: a violation of the env, or one of our own errors. */
static void record_error(struct run *run, struct gw_env *e,
			 const struct gw_error *err)
{
	const char *kind = NULL;

	switch (err->kind) {
	case GW_ERR_OBSERVATION:
	case GW_ERR_REWARD:
	case GW_ERR_FLAGS:
	case GW_ERR_INFO:
	case GW_ERR_ACTION:
	case GW_ERR_LIMIT: return; /* listed as an event when it was found */
	case GW_ERR_SANDBOX:
		/* A forbidden call names itself and was listed as an event; a
		 * sandbox that could not be built is an error of the run. */
		if (err->field[0] && strcmp(err->field, "sandbox.require") != 0)
			return;
		break;
	case GW_ERR_CRASHED:
		kind = e && gw_env_alive(e) ? "raised" : "crashed";
		break;
	case GW_ERR_TIMEOUT: kind = "timeout"; break;
	case GW_ERR_SPEC_MISMATCH: kind = "spec_mismatch"; break;
	default: break;
	}
	if (kind) {
		add_violation(run, kind, err->step, err->field, err->msg, NULL);
		return;
	}
	run->error = true;
	run->error_json = json_pack("{s:s, s:s, s:s}", "kind",
				    gw_error_kind_name(err->kind), "field",
				    err->field, "message", err->msg);
}

/* Step episode with random actions until it ends; false to stop. */
static bool play(struct run *run, struct gw_env *e,
		 const struct gw_space_layout *al, struct gw_rng *rng,
		 unsigned char *action, struct episode *ep)
{
	struct gw_error err;
	struct gw_step st;
	int r;

	gw_error_clear(&err);
	r = gw_env_reset(e, &ep->seed, NULL, &st, &err);
	if (r == 0)
		gw_run_record_reset(&run->ra, e, ep->seed, &st);
	while (r == 0 && !st.terminated && !st.truncated) {
		if (ep->steps >= run->cfg->max_steps) {
			ep->end = "cut";
			return true;
		}
		gw_space_sample(al, rng, action, gw_env_action_bytes(e));
		gw_error_clear(&err);
		r = gw_env_step(e, action, gw_env_action_bytes(e), &st, &err);
		if (r == 0) {
			gw_run_record_step(&run->ra, e, action,
					   gw_env_action_bytes(e), &st);
			ep->steps = st.step;
			ep->ret += st.reward;
		}
	}
	if (r == 0) {
		ep->end = st.terminated ? "terminated" : "truncated";
		return true;
	}
	ep->end = "error";
	if (err.step > 0)
		ep->steps = (uint64_t)err.step;
	record_error(run, e, &err);
	return !run->error && gw_env_alive(e);
}

static int run_episodes(struct run *run, struct gw_env *e)
{
	struct gw_space_layout *al = NULL;
	unsigned char *action = NULL;
	struct gw_rng rng;
	int r;

	r = gw_space_layout_new(gw_env_action_space(e), &al);
	action = calloc(1, gw_env_action_bytes(e) + 1);
	if (r < 0 || !action) {
		gw_space_layout_free(al);
		free(action);
		return -ENOMEM;
	}
	gw_rng_seed(&rng, run->cfg->seed);
	for (size_t i = 0; i < run->cfg->episodes; i++) {
		struct episode *ep = &run->episodes[i];
		bool more;

		run->episode = i + 1;
		run->n_episodes = i + 1;
		ep->seed = run->cfg->seed + i;
		run->ra.episode = i + 1;
		more = play(run, e, al, &rng, action, ep);

		gw_run_audit_episode(&run->ra, i + 1, ep->seed, ep->steps,
				     ep->ret, ep->end);
		if (!more)
			break;
	}
	gw_space_layout_free(al);
	free(action);
	return 0;
}

/* What [env.sanitize] found and did, as {name: count}. */
static void collect_sanitized(struct run *run, const struct gw_env *e)
{
	struct gw_sanitize_count c[64];
	size_t n = gw_env_sanitize_counts(e, c, 64);

	for (size_t i = 0; i < n && i < 64; i++)
		json_object_set_new(run->sanitized, c[i].name,
				    json_integer((json_int_t)c[i].count));
}

/* Open, play, close; every problem ends up in run. */
static void run_env(struct run *run, const struct gw_manifest *m)
{
	struct gw_env_config cfg = { .on_event = on_event, .event_arg = run };
	struct gw_env *e = NULL;
	struct gw_error err;

	gw_error_clear(&err);
	gw_cli_env_paths(&cfg);
	if (gw_env_open(m, run->cfg->env, &cfg, &e, &err) < 0) {
		record_error(run, NULL, &err);
		return;
	}
	snprintf(run->layers, sizeof(run->layers), "%s", gw_env_layers(e));
	snprintf(run->missing, sizeof(run->missing), "%s",
		 gw_env_missing_layers(e));
	if (gw_run_record_start(run->cli, &run->ra, run->cfg->record,
				run->cfg->record_key, run->cfg->env, e) != 0) {
		run->error = true;
		run->error_json =
			json_pack("{s:s, s:s, s:s}", "kind", "GymwardenError",
				  "field", "", "message", "no recording");
		gw_env_free(e);
		return;
	}
	if (run_episodes(run, e) < 0) {
		gw_error_set(&err, -ENOMEM, "out of memory");
		record_error(run, e, &err);
	}
	for (unsigned f = 0; f < GW_FAULT_COUNT; f++)
		run->faults[f] = gw_env_fault_count(e, (enum gw_fault)f);

	gw_error_clear(&err);
	if (gw_env_alive(e) && gw_env_close(e, &err) < 0)
		add_violation(run, "close", -1, "", err.msg, NULL);
	/* After close: its last log lines are drained and counted then. */
	collect_sanitized(run, e);
	gw_env_free(e);
}

static uint64_t total_steps(const struct run *run, double *mean)
{
	uint64_t steps = 0;
	double sum = 0;

	for (size_t i = 0; i < run->n_episodes; i++) {
		steps += run->episodes[i].steps;
		sum += run->episodes[i].ret;
	}
	*mean = run->n_episodes ? sum / (double)run->n_episodes : 0;
	return steps;
}

/* [{"layer": "cgroup-limits", "why": "not-delegated"}, ...] */
static json_t *missing_json(const char *list)
{
	json_t *a = json_array();

	for (const char *p = list; a && *p;) {
		size_t n = strcspn(p, ",");
		const char *colon = memchr(p, ':', n);
		size_t name = colon ? (size_t)(colon - p) : n;

		json_array_append_new(a, json_pack("{s:s%, s:s%}", "layer", p,
						   name, "why",
						   colon ? colon + 1 : "",
						   colon ? n - name - 1 : 0));
		p += n + (p[n] == ',');
	}
	return a;
}

static json_t *run_json(const struct run *run, const char *path)
{
	json_t *eps = json_array(), *faults = json_object();
	double mean;
	uint64_t steps = total_steps(run, &mean);

	for (size_t i = 0; eps && i < run->n_episodes; i++) {
		const struct episode *ep = &run->episodes[i];

		json_array_append_new(
			eps, json_pack("{s:I, s:I, s:I, s:f, s:s}", "episode",
				       (json_int_t)(i + 1), "seed",
				       (json_int_t)ep->seed, "steps",
				       (json_int_t)ep->steps, "return", ep->ret,
				       "end", ep->end ? ep->end : "error"));
	}
	for (unsigned f = 0; faults && f < GW_FAULT_COUNT; f++)
		json_object_set_new(faults, gw_fault_name((enum gw_fault)f),
				    json_integer((json_int_t)run->faults[f]));
	return json_pack(
		"{s:i, s:s, s:s, s:s, s:I, s:o, s:I, s:f, s:o, "
		"s:O, s:I, s:O, s:o, s:o, s:o, s:O, s:O}",
		"version", GW_JSON_VERSION, "kind", "run", "manifest", path,
		"env", run->cfg->env, "seed", (json_int_t)run->cfg->seed,
		"episodes", eps, "steps", (json_int_t)steps, "mean_return",
		mean, "faults", faults, "violations", run->violations,
		"violation_count", (json_int_t)run->n_violations, "notices",
		run->notices, "layers", gw_jail_list_json(run->layers),
		"missing_layers", missing_json(run->missing), "error",
		run->error_json ? json_incref(run->error_json) : json_null(),
		"sanitized", run->sanitized, "privacy", run->privacy);
}

static void print_violations(const struct run *run)
{
	FILE *out = run->cli->out;
	size_t i;
	json_t *v;

	fprintf(out, "  violations: %zu\n", run->n_violations);
	json_array_foreach(run->violations, i, v)
	{
		const char *field =
			json_string_value(json_object_get(v, "field"));
		const char *policy =
			json_string_value(json_object_get(v, "policy"));
		/* What a sandbox violation or a limit was about. */
		const char *name =
			json_string_value(json_object_get(v, "syscall"));
		const char *action =
			json_string_value(json_object_get(v, "action"));

		if (!name)
			name = json_string_value(json_object_get(v, "limit"));
		if (name && (!field || !field[0]))
			field = name;

		fprintf(out, "    episode %lld step %lld %s%s%s: %s%s%s\n",
			(long long)json_integer_value(
				json_object_get(v, "episode")),
			(long long)json_integer_value(
				json_object_get(v, "step")),
			json_string_value(json_object_get(v, "kind")),
			field && field[0] ? " " : "", field ? field : "",
			json_string_value(json_object_get(v, "detail")),
			action	 ? ", action "
			: policy ? ", policy "
				 : "",
			action	 ? action
			: policy ? policy
				 : "");
	}
	if (run->n_violations > json_array_size(run->violations))
		fprintf(out, "    ... %zu more\n",
			run->n_violations - json_array_size(run->violations));
}

/* "  sanitized: email 3, card 3, dp_released 4" when a policy ran. */
static void print_sanitized(const struct run *run)
{
	const char *name;
	json_t *v;
	bool first = true;

	if (json_object_size(run->sanitized) == 0)
		return;
	fprintf(run->cli->out, "  sanitized:");
	json_object_foreach(run->sanitized, name, v)
	{
		fprintf(run->cli->out, "%s %s %lld", first ? "" : ",", name,
			(long long)json_integer_value(v));
		first = false;
	}
	fprintf(run->cli->out, "\n");
	if (json_array_size(run->privacy))
		fprintf(run->cli->out, "  privacy events: %zu\n",
			json_array_size(run->privacy));
}

static void print_text(const struct run *run, const char *path)
{
	const struct gw_cli *cli = run->cli;
	FILE *out = cli->out;
	bool any = false;
	double mean;
	uint64_t steps = total_steps(run, &mean);
	char esc[GW_ESCAPED_MAX_BYTES];

	gw_escape(esc, sizeof(esc), path, strlen(path));
	fprintf(out, "%s%s%s (%s): %lu episode%s, seed %lu\n",
		gw_cli_color(cli, GW_COLOR_BOLD), run->cfg->env,
		gw_cli_color(cli, GW_COLOR_RESET), esc, run->cfg->episodes,
		run->cfg->episodes == 1 ? "" : "s", run->cfg->seed);
	for (size_t i = 0; i < run->n_episodes; i++) {
		const struct episode *ep = &run->episodes[i];

		fprintf(out, "  episode %zu: %llu steps, return %.4f, %s\n",
			i + 1, (unsigned long long)ep->steps, ep->ret,
			ep->end ? ep->end : "error");
	}
	fprintf(out, "  total: %llu steps, mean return %.4f\n",
		(unsigned long long)steps, mean);
	fprintf(out, "  layers: %s\n", run->layers[0] ? run->layers : "none");
	if (run->missing[0])
		fprintf(out, "  not enforced on this host: %s\n", run->missing);
	fprintf(out, "  faults:");
	for (unsigned f = 0; f < GW_FAULT_COUNT; f++) {
		if (!run->faults[f])
			continue;
		fprintf(out, " %s %llu", gw_fault_name((enum gw_fault)f),
			(unsigned long long)run->faults[f]);
		any = true;
	}
	fprintf(out, "%s\n", any ? "" : " none");
	print_sanitized(run);
	print_violations(run);
}

/* The manifest's max_episode_steps, else RUN_DEFAULT_MAX_STEPS. */
static unsigned long default_max_steps(const struct gw_manifest *m,
				       const char *id)
{
	const struct gw_manifest_env *me = gw_manifest_env_find(m, id);
	uint64_t max = me ? gw_manifest_env_max_episode_steps(me) : 0;

	return max ? (unsigned long)max : RUN_DEFAULT_MAX_STEPS;
}

static int run_run(struct gw_cli *cli, void *vcfg, int argc, char **argv)
{
	struct run_cfg *cfg = vcfg;
	struct run run = { .cli = cli, .cfg = cfg };
	struct gw_manifest *m = NULL;
	struct gw_error err;
	char text[1400];
	int status;

	(void)argc;
	if (!cfg->env)
		return gw_cli_usage_error(cli, &gw_cmd_run,
					  "missing option --env ID");
	if (cfg->episodes == 0 || cfg->episodes > 1000000)
		return gw_cli_usage_error(cli, &gw_cmd_run,
					  "--episodes must be 1..1000000");
	gw_error_clear(&err);
	if (gw_manifest_load(argv[0], &m, &err) < 0) {
		gw_error_format(&err, text, sizeof(text));
		fprintf(cli->err, "gymwarden run: %s\n", text);
		return GW_EXIT_ERROR;
	}
	if (!cfg->max_steps)
		cfg->max_steps = default_max_steps(m, cfg->env);

	run.episodes = calloc(cfg->episodes, sizeof(*run.episodes));
	run.violations = json_array();
	run.notices = json_array();
	run.privacy = json_array();
	run.sanitized = json_object();
	if (!run.episodes || !run.violations || !run.notices || !run.privacy ||
	    !run.sanitized) {
		fprintf(cli->err, "gymwarden run: out of memory\n");
		status = GW_EXIT_ERROR;
		goto out;
	}
	if (gw_run_audit_start(cli, &run.ra, cfg->audit, cfg->audit_key,
			       argv[0], cfg->env, cfg->seed,
			       cfg->episodes) != 0) {
		status = GW_EXIT_ERROR;
		goto out;
	}
	run_env(&run, m);

	if (cfg->format == 1)
		gw_cli_print_json(cli, run_json(&run, argv[0]));
	else if (!run.error || run.n_episodes)
		print_text(&run, argv[0]);
	if (run.error && cfg->format != 1)
		fprintf(cli->err, "gymwarden run %s: %s: %s\n", cfg->env,
			json_string_value(
				json_object_get(run.error_json, "kind")),
			json_string_value(
				json_object_get(run.error_json, "message")));
	status = run.error	    ? GW_EXIT_ERROR
		 : run.n_violations ? GW_EXIT_FINDINGS
				    : GW_EXIT_OK;
	status = gw_run_audit_finish(cli, &run.ra, status, run.n_violations,
				     run.violations, run.error_json);
out:
	json_decref(run.violations);
	json_decref(run.notices);
	json_decref(run.privacy);
	json_decref(run.sanitized);
	json_decref(run.error_json);
	free(run.episodes);
	gw_manifest_free(m);
	return status;
}

static void run_defaults(void *vcfg)
{
	struct run_cfg *cfg = vcfg;

	cfg->episodes = 3;
}

const struct gw_cmd gw_cmd_run = {
	.name = "run",
	.args = "MANIFEST",
	.summary = "run an environment in its sandbox with a random agent",
	.description =
		"Run the environment ID of MANIFEST in its sandbox for a few "
		"episodes with a\nseeded random agent, checking everything "
		"that crosses the boundary, and report\nsteps, returns, every "
		"fault and violation, and the sandbox layers enforced.\nExit "
		"status 1 also covers an environment that crashed, hung, "
		"raised or\ndeclared other spaces than the pinned ones.",
	.opts = run_opts,
	.cfg_size = sizeof(struct run_cfg),
	.min_args = 1,
	.max_args = 1,
	.defaults = run_defaults,
	.run = run_run,
};
