/*
 * gymwarden fuzz MANIFEST --env ID: the sandboxed trial. Run the env in
 * its sandbox in observe mode under several strategies, report what it
 * did and tried (docs/fuzz.md), keep the report in its vetting record.
 *
 * Exit status: 0 when no finding reaches --threshold; 1 when one does;
 * 2 for our own errors, or a run that ended early without such a
 * finding.
 */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/fuzz_record.h"
#include "core/error.h"
#include "core/limits.h"
#include "core/log.h"
#include "fuzz/fuzz.h"
#include "manifest/units.h"
#include "monitor/monitor_config.h"

struct fuzz_cfg {
	const char *env;
	unsigned long episodes;
	unsigned long steps;
	unsigned long seed;
	const char *time;
	int threshold;
	const char *replay;
	const char *save_replay;
	bool no_record;
	int format;
};

static const char *const threshold_choices[] = { "low", "medium", "high",
						 NULL };

static const struct gw_opt fuzz_opts[] = {
	{ "env", 'e', "ID", gw_opt_string, offsetof(struct fuzz_cfg, env),
	  "the environment to fuzz (required)", NULL },
	{ "episodes", 'n', "N", gw_opt_ulong,
	  offsetof(struct fuzz_cfg, episodes),
	  "episodes after the seed and option sweeps (default 12)", NULL },
	{ "steps", 0, "N", gw_opt_ulong, offsetof(struct fuzz_cfg, steps),
	  "the most steps of any episode (default 1000)", NULL },
	{ "seed", 's', "S", gw_opt_ulong, offsetof(struct fuzz_cfg, seed),
	  "seed of the strategies and the first reset seed (0)", NULL },
	{ "time", 't', "DURATION", gw_opt_string,
	  offsetof(struct fuzz_cfg, time),
	  "stop after DURATION (\"30s\", \"5m\"; default no limit)", NULL },
	{ "threshold", 0, "LEVEL", gw_opt_choice,
	  offsetof(struct fuzz_cfg, threshold),
	  "exit 1 when a finding reaches LEVEL (default medium)",
	  threshold_choices },
	{ "replay", 0, "FILE", gw_opt_string, offsetof(struct fuzz_cfg, replay),
	  "play the episodes of a replay file instead of the strategies",
	  NULL },
	{ "save-replay", 0, "FILE", gw_opt_string,
	  offsetof(struct fuzz_cfg, save_replay),
	  "write every episode played to FILE, for --replay", NULL },
	{ "no-record", 0, NULL, gw_opt_flag,
	  offsetof(struct fuzz_cfg, no_record),
	  "do not keep the report in the vetting record", NULL },
	{ "format", 'f', "FORMAT", gw_opt_choice,
	  offsetof(struct fuzz_cfg, format), "output format",
	  (const char *const[]){ "text", "json", NULL } },
	GW_OPT_END,
};

static void fuzz_defaults(void *vcfg)
{
	struct fuzz_cfg *cfg = vcfg;

	cfg->episodes = 12;
	cfg->steps = 1000;
	cfg->threshold = 1;
}

/*
 * The observe hook sits beside the worker script the monitor would
 * run: run the worker through it. Without it, only the sandbox's own
 * reports are seen (a denial by the mount or Landlock layers then goes
 * unrecorded).
 */
static void find_hook(const struct gw_cli *cli, struct gw_fuzz_opts *o,
		      char *buf, size_t cap)
{
	struct gw_env_config cfg = { 0 };
	const char *worker, *slash;

	gw_cli_env_paths(&cfg);
	o->jail_path = cfg.jail_path;
	worker = cfg.worker_path;
	if (!worker)
		worker = secure_getenv("GYMWARDEN_WORKER");
	if (!worker || !worker[0])
		worker = GW_WORKER_INSTALL_PATH;
	slash = strrchr(worker, '/');
	snprintf(buf, cap, "%.*sobserve.py",
		 slash ? (int)(slash - worker + 1) : 0, worker);
	if (access(buf, R_OK) == 0) {
		o->worker_path = buf;
		o->observe_hook = true;
		return;
	}
	o->worker_path = cfg.worker_path;
	fprintf(cli->err,
		"gymwarden: fuzz: warning: no observe hook at %s: only what "
		"the sandbox reports itself is recorded\n",
		buf);
}

static void progress(void *arg, size_t done, size_t total)
{
	gw_cli_progress(arg, "fuzz", done, total);
}

/* Options into o; GW_EXIT_ERROR after saying why, else 0. */
static int make_opts(struct gw_cli *cli, const struct fuzz_cfg *cfg,
		     struct gw_fuzz_opts *o, struct gw_fuzz_replay *replay)
{
	struct gw_error err;
	char text[1400];

	if (!cfg->env)
		return gw_cli_usage_error(cli, &gw_cmd_fuzz,
					  "missing option --env ID");
	if (cfg->steps == 0 || cfg->steps > 100000000ul)
		return gw_cli_usage_error(cli, &gw_cmd_fuzz,
					  "--steps must be 1..100000000");
	if (cfg->episodes > 1000000ul)
		return gw_cli_usage_error(cli, &gw_cmd_fuzz,
					  "--episodes must be 0..1000000");
	o->env = cfg->env;
	o->seed = cfg->seed;
	o->episodes = cfg->episodes;
	o->steps = cfg->steps;
	o->seed_sweep = GW_FUZZ_SEED_SWEEP;
	o->keep_all_scripts = cfg->save_replay != NULL;
	o->progress = progress;
	o->progress_arg = cli;
	if (cfg->time &&
	    gw_parse_duration(cfg->time, strlen(cfg->time), &o->time_ns) < 0)
		return gw_cli_usage_error(cli, &gw_cmd_fuzz,
					  "--time: expected digits and ms, s, "
					  "m or h, got '%s'",
					  cfg->time);
	if (!cfg->replay)
		return 0;
	gw_error_clear(&err);
	if (gw_fuzz_replay_load(cfg->replay, replay, &err) < 0) {
		gw_error_format(&err, text, sizeof(text));
		fprintf(cli->err, "gymwarden: fuzz: replay %s\n", text);
		return GW_EXIT_ERROR;
	}
	if (strcmp(replay->env, cfg->env) != 0)
		return gw_cli_usage_error(cli, &gw_cmd_fuzz,
					  "%s replays %s, not %s", cfg->replay,
					  replay->env, cfg->env);
	o->replay = replay;
	return 0;
}

static int write_json_file(const struct gw_cli *cli, const char *path,
			   json_t *doc)
{
	struct gw_cli out = *cli;
	FILE *f = fopen(path, "w");
	int r;

	if (!f) {
		fprintf(cli->err, "gymwarden: fuzz: cannot write %s: %s\n",
			path, strerror(errno));
		json_decref(doc);
		return -errno;
	}
	out.out = f;
	r = gw_cli_print_json(&out, doc);
	if (fclose(f) != 0 || r < 0) {
		fprintf(cli->err, "gymwarden: fuzz: cannot write %s\n", path);
		return -EIO;
	}
	return 0;
}

static int store(const struct gw_cli *cli, const struct gw_manifest *m,
		 struct gw_fuzz_run *run, const struct fuzz_cfg *cfg,
		 enum gw_fuzz_severity threshold, const char *manifest)
{
	const struct gw_tree *t = gw_fuzz_run_tree(run);
	const struct gw_fuzz_findings *fs = gw_fuzz_run_findings(run);
	struct gw_fuzz_stored st;
	struct gw_error err;
	json_t *doc;
	char *json, text[1400];
	enum gw_record_verdict v;
	int rc;

	if (!t) {
		fprintf(cli->err,
			"gymwarden: fuzz: warning: no tree digest "
			"of %s: no record kept\n",
			cfg->env);
		return 0;
	}
	doc = gw_fuzz_report_json(run, manifest, threshold, true);
	json = doc ? json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(doc);
	v = gw_fuzz_findings_at_least(fs, threshold) ? GW_RECORD_FAIL
						     : GW_RECORD_PASS;
	gw_error_clear(&err);
	rc = json ? gw_fuzz_record_store(m, cfg->env, t, fs, v, json, &st, &err)
		  : gw_error_set(&err, -ENOMEM, "out of memory");
	free(json);
	if (rc < 0) {
		gw_error_format(&err, text, sizeof(text));
		fprintf(cli->err, "gymwarden: fuzz: record not stored: %s\n",
			text);
		return rc;
	}
	fprintf(cli->err,
		"gymwarden: fuzz: report %s record %" PRId64 " of %s (%.19s...)"
		"\n",
		st.created ? "stored as" : "attached to", st.id, cfg->env,
		gw_tree_digest(t));
	return 0;
}

static void print_report(const struct gw_cli *cli, struct gw_fuzz_run *run,
			 const struct fuzz_cfg *cfg,
			 enum gw_fuzz_severity threshold, const char *manifest)
{
	struct gw_fuzz_colors c = {
		gw_cli_color(cli, GW_COLOR_BOLD),
		gw_cli_color(cli, GW_COLOR_RESET),
		gw_cli_color(cli, GW_COLOR_RED),
		gw_cli_color(cli, GW_COLOR_YELLOW),
		gw_cli_color(cli, GW_COLOR_DIM),
	};

	if (cfg->format == 1)
		gw_cli_print_json(cli, gw_fuzz_report_json(run, manifest,
							   threshold, false));
	else
		gw_fuzz_report_text(run, cli->out, threshold, &c);
}

static int run_fuzz(struct gw_cli *cli, void *vcfg, int argc, char **argv)
{
	struct fuzz_cfg *cfg = vcfg;
	enum gw_fuzz_severity threshold =
		(enum gw_fuzz_severity)(cfg->threshold + 1);
	struct gw_fuzz_opts o = { 0 };
	struct gw_fuzz_replay replay = { .n = 0 };
	struct gw_fuzz_run *run = NULL;
	struct gw_manifest *m = NULL;
	struct gw_error err;
	char text[1400], hook[PATH_MAX];
	int status;

	(void)argc;
	status = make_opts(cli, cfg, &o, &replay);
	if (status != 0)
		goto out;
	status = GW_EXIT_ERROR;
	gw_error_clear(&err);
	if (gw_manifest_load(argv[0], &m, &err) < 0) {
		gw_error_format(&err, text, sizeof(text));
		fprintf(cli->err, "gymwarden: fuzz: %s\n", text);
		goto out;
	}
	find_hook(cli, &o, hook, sizeof(hook));
	/* Exceptions and refusals are findings here: the monitor's own
	 * warning for each would only repeat them. */
	gw_log_set_level(GW_LOG_ERROR);
	if (gw_fuzz_run(m, &o, &run, &err) < 0) {
		gw_cli_progress_end(cli);
		gw_error_format(&err, text, sizeof(text));
		fprintf(cli->err, "gymwarden: fuzz %s: %s\n", cfg->env, text);
		goto out;
	}
	gw_cli_progress_end(cli);
	print_report(cli, run, cfg, threshold, argv[0]);
	if (cfg->save_replay &&
	    write_json_file(cli, cfg->save_replay,
			    gw_fuzz_run_replay_json(run)) < 0)
		goto out;
	if (!cfg->no_record && store(cli, m, run, cfg, threshold, argv[0]) < 0)
		goto out;
	if (gw_fuzz_findings_at_least(gw_fuzz_run_findings(run), threshold))
		status = GW_EXIT_FINDINGS;
	else if (gw_fuzz_run_partial(run))
		status = GW_EXIT_ERROR;
	else
		status = GW_EXIT_OK;
out:
	gw_fuzz_run_free(run);
	gw_fuzz_replay_release(&replay);
	gw_manifest_free(m);
	return status;
}

const struct gw_cmd gw_cmd_fuzz = {
	.name = "fuzz",
	.args = "MANIFEST",
	.summary = "exercise an environment in its sandbox and report what "
		   "it tried",
	.description =
		"Run the environment ID of MANIFEST in its sandbox in observe "
		"mode (a forbidden\ncall fails with EPERM and is recorded, "
		"and the environment goes on) under\nseveral strategies: "
		"many reset seeds, uniform samples, boundary values,\nrepeated "
		"and alternating actions, reset options, long episodes. "
		"Report\nviolations, exceptions, crashes, hangs, resource "
		"growth, boundary faults,\nnon-determinism, output floods and "
		"step times, each with the episode and\nstep it happened at; "
		"keep the report in the vetting record (docs/fuzz.md).\nThe "
		"trial runs before approval: the manifest's vetting setting "
		"does not\napply to it.",
	.opts = fuzz_opts,
	.cfg_size = sizeof(struct fuzz_cfg),
	.min_args = 1,
	.max_args = 1,
	.defaults = fuzz_defaults,
	.run = run_fuzz,
};
