/*
 * gymwarden vet PATH | MANIFEST: static analysis of an environment's
 * source tree, printed as text, JSON or SARIF. Exit 0 when nothing
 * reaches --fail-on, 1 when something does, 2 on an error or when part
 * of the tree could not be analyzed.
 */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "core/error.h"
#include "core/limits.h"
#include "core/log.h"
#include "gymwarden.h"
#include "vet/vet.h"

struct vet_cfg {
	int format;
	const char *output;
	int fail_on;
	const char *with;
	const char *env;
	const char *config;
	bool list_rules;
	bool no_record;
};

static const char *const format_choices[] = { "text", "json", "sarif", NULL };
static const char *const severity_choices[] = { "low", "medium", "high", NULL };

static const struct gw_opt vet_opts[] = {
	{ "format", 'f', "FORMAT", gw_opt_choice,
	  offsetof(struct vet_cfg, format), "output format", format_choices },
	{ "output", 'o', "FILE", gw_opt_string,
	  offsetof(struct vet_cfg, output),
	  "write the report to FILE instead of standard output", NULL },
	{ "fail-on", 0, "LEVEL", gw_opt_choice,
	  offsetof(struct vet_cfg, fail_on),
	  "exit 1 when a finding reaches LEVEL (default medium)",
	  severity_choices },
	{ "with", 0, "TOOLS", gw_opt_string, offsetof(struct vet_cfg, with),
	  "also run bandit, pylint and/or flake8 (comma-separated)", NULL },
	{ "env", 'e', "ID", gw_opt_string, offsetof(struct vet_cfg, env),
	  "with a manifest: vet this environment's source", NULL },
	{ "config", 'c', "FILE", gw_opt_string,
	  offsetof(struct vet_cfg, config),
	  "the reviewer's settings (TOML, outside the tree)", NULL },
	{ "list-rules", 0, NULL, gw_opt_flag,
	  offsetof(struct vet_cfg, list_rules), "print the rule table and exit",
	  NULL },
	{ "no-record", 0, NULL, gw_opt_flag,
	  offsetof(struct vet_cfg, no_record),
	  "with a manifest: do not store a vetting record", NULL },
	GW_OPT_END,
};

static void vet_defaults(void *cfg_)
{
	struct vet_cfg *cfg = cfg_;

	cfg->fail_on = GW_VET_MEDIUM;
}

static void escaped(FILE *f, const char *s)
{
	char buf[GW_ESCAPED_MAX_BYTES];

	gw_escape(buf, sizeof(buf), s, strlen(s));
	fputs(buf, f);
}

static enum gw_color severity_color(enum gw_vet_severity s)
{
	return s == GW_VET_HIGH	    ? GW_COLOR_RED
	       : s == GW_VET_MEDIUM ? GW_COLOR_YELLOW
				    : GW_COLOR_DIM;
}

static void print_finding(const struct gw_cli *cli, FILE *out,
			  const struct gw_vet_finding *f)
{
	escaped(out, f->file);
	fprintf(out, ":%u:%u: %s", f->line, f->col,
		gw_cli_color(cli, GW_COLOR_BOLD));
	if (f->rule_index < 0)
		fprintf(out, "%s:", f->tool);
	escaped(out, f->rule);
	fprintf(out, "%s %s%s%s [%s", gw_cli_color(cli, GW_COLOR_RESET),
		gw_cli_color(cli, severity_color(f->severity)),
		gw_vet_severity_name(f->severity),
		gw_cli_color(cli, GW_COLOR_RESET),
		gw_vet_context_name(f->context));
	if (f->via) {
		fputs(" via ", out);
		escaped(out, f->via);
	}
	fputs("] ", out);
	escaped(out, f->message);
	fputc('\n', out);
	if (f->snippet[0]) {
		fprintf(out, "    %s|%s ", gw_cli_color(cli, GW_COLOR_DIM),
			gw_cli_color(cli, GW_COLOR_RESET));
		escaped(out, f->snippet);
		fputc('\n', out);
	}
}

/* Tools that ran go in the report; missing or failed ones warn. */
static void print_tools(const struct gw_cli *cli, FILE *out,
			const struct gw_vet_result *r)
{
	for (size_t i = 0; i < gw_vet_result_tool_count(r); i++) {
		const struct gw_vet_tool_run *t = gw_vet_result_tool_at(r, i);

		if (t->status == GW_VET_TOOL_OK && out)
			fprintf(out, "%s %s: %u findings\n",
				gw_vet_tool_name(t->id), t->version,
				t->findings);
		else if (t->status != GW_VET_TOOL_OK)
			fprintf(cli->err,
				"gymwarden: vet: warning: %s %s: %s\n",
				gw_vet_tool_name(t->id),
				t->status == GW_VET_TOOL_MISSING
					? "was requested but is not installed"
					: "failed",
				t->detail);
	}
}

static void print_text(const struct gw_cli *cli, FILE *out,
		       const struct gw_vet_result *r,
		       enum gw_vet_severity threshold)
{
	const char *last = NULL;
	size_t files = gw_vet_result_file_count(r), analyzed = 0;

	for (size_t i = 0; i < gw_vet_result_finding_count(r); i++) {
		const struct gw_vet_finding *f = gw_vet_result_finding_at(r, i);

		if (!last || strcmp(last, f->file) != 0) {
			fprintf(out, "%s%s", last ? "\n" : "",
				gw_cli_color(cli, GW_COLOR_BOLD));
			escaped(out, f->file);
			fprintf(out, "%s\n", gw_cli_color(cli, GW_COLOR_RESET));
			last = f->file;
		}
		print_finding(cli, out, f);
	}
	for (size_t i = 0; i < files; i++)
		analyzed += gw_vet_result_file_at(r, i)->analyzed;
	if (last)
		fputc('\n', out);
	print_tools(cli, out, r);
	fprintf(out,
		"vet: %zu files (%zu Python analyzed), %zu findings: %zu high, "
		"%zu medium, %zu low; %zu at or above %s%s\n",
		files, analyzed, gw_vet_result_finding_count(r),
		gw_vet_result_count(r, GW_VET_HIGH),
		gw_vet_result_count(r, GW_VET_MEDIUM),
		gw_vet_result_count(r, GW_VET_LOW),
		gw_vet_result_count_at_least(r, threshold),
		gw_vet_severity_name(threshold),
		gw_vet_result_partial(r) ? "; PARTIAL: part of the tree was "
					   "not analyzed"
					 : "");
}

static int print_rules(struct gw_cli *cli, int format)
{
	if (format == GW_FORMAT_JSON)
		return gw_cli_print_json(cli, gw_vet_rules_to_json()) < 0
			       ? GW_EXIT_ERROR
			       : GW_EXIT_OK;
	for (size_t i = 0; i < GW_VET_RULE_COUNT; i++)
		fprintf(cli->out, "%-15s %-6s %s\n", gw_vet_rules[i].id,
			gw_vet_severity_name(gw_vet_rules[i].severity),
			gw_vet_rules[i].title);
	return GW_EXIT_OK;
}

/* The environments of a manifest to vet, and the one source they share. */
static int from_manifest(struct gw_cli *cli, const struct vet_cfg *cfg,
			 const char *path, struct gw_manifest **m,
			 struct gw_vet_opts *opts, const char **ids,
			 const char **eps, size_t cap)
{
	struct gw_error err = { 0 };
	char text[1024];
	size_t n;

	if (gw_manifest_check(path, m, &err) < 0 ||
	    gw_manifest_error_count(*m) > 0) {
		if (*m && gw_manifest_diag_count(*m))
			snprintf(err.msg, sizeof(err.msg), "%s",
				 gw_manifest_diag_at(*m, 0)->message);
		gw_error_format(&err, text, sizeof(text));
		fprintf(cli->err,
			"gymwarden: vet: manifest %s has errors: %s\nhint: run "
			"'gymwarden manifest check %s'\n",
			path, text, path);
		return -EINVAL;
	}
	n = gw_manifest_env_count(*m);
	for (size_t i = 0; i < n && opts->n_envs < cap; i++) {
		const struct gw_manifest_env *e = gw_manifest_env_at(*m, i);

		if (cfg->env && strcmp(cfg->env, gw_manifest_env_id(e)) != 0)
			continue;
		if (opts->root &&
		    strcmp(opts->root, gw_manifest_env_source(e)) != 0) {
			fprintf(cli->err,
				"gymwarden: vet: %s declares environments with "
				"different sources\nhint: choose one with "
				"--env "
				"ID\n",
				path);
			return -EINVAL;
		}
		opts->root = gw_manifest_env_source(e);
		ids[opts->n_envs] = gw_manifest_env_id(e);
		eps[opts->n_envs++] = gw_manifest_env_entry_point(e);
	}
	if (!opts->n_envs) {
		fprintf(cli->err, "gymwarden: vet: %s has no environment %s\n",
			path, cfg->env ? cfg->env : "");
		return -ENOENT;
	}
	opts->envs = ids;
	opts->entry_points = eps;
	opts->n_entry_points = opts->n_envs;
	return 0;
}

static bool is_manifest(const char *path)
{
	struct stat sb;
	size_t n = strlen(path);

	return stat(path, &sb) == 0 && S_ISREG(sb.st_mode) && n >= 5 &&
	       strcmp(path + n - 5, ".toml") == 0;
}

static int write_report(struct gw_cli *cli, const struct vet_cfg *cfg,
			const struct gw_vet_result *res)
{
	struct gw_cli out = *cli;
	FILE *f = NULL;
	int r = 0;

	if (cfg->output) {
		f = fopen(cfg->output, "w");
		if (!f) {
			fprintf(cli->err,
				"gymwarden: vet: cannot write %s: %s\n",
				cfg->output, strerror(errno));
			return -errno;
		}
		out.out = f;
		out.color = false;
	}
	if (cfg->format == GW_FORMAT_JSON)
		r = gw_cli_print_json(
			&out, gw_vet_result_to_json(
				      res, (enum gw_vet_severity)cfg->fail_on));
	else if (cfg->format == GW_FORMAT_SARIF)
		r = gw_cli_print_json(&out, gw_vet_result_to_sarif(res));
	else
		print_text(&out, out.out, res,
			   (enum gw_vet_severity)cfg->fail_on);
	if (cfg->format != GW_FORMAT_TEXT)
		print_tools(cli, NULL, res);
	if (f && fclose(f) != 0)
		r = -EIO;
	return r;
}

/*
 * The registry's digest of an env's tree (source and dependency paths),
 * taken before the analysis so the record names what was read; NULL with
 * a warning when it cannot be had.
 */
static struct gw_tree *take_digest(const struct gw_cli *cli,
				   const struct gw_manifest *m,
				   const char *env_id)
{
	const struct gw_manifest_env *e = gw_manifest_env_find(m, env_id);
	struct gw_error err = { 0 };
	struct gw_tree *t = NULL;
	char text[1024];

	if (!e || gw_tree_digest_env(m, e, &t, &err) < 0) {
		gw_error_format(&err, text, sizeof(text));
		fprintf(cli->err,
			"gymwarden: vet: warning: no tree digest for %s: %s\n",
			env_id, text);
		return NULL;
	}
	return t;
}

/*
 * Keep the verdict: a new record in the manifest's registry (created if
 * needed) with the tree, the tools, every finding and the verdict.
 */
static int store_record(const struct gw_cli *cli, const struct gw_manifest *m,
			const char *env_id, const struct gw_tree *t,
			const struct gw_vet_result *res, int fail_on)
{
	const char *path = gw_manifest_registry_path(m);
	struct gw_registry *reg = NULL;
	struct gw_record *rec = NULL;
	struct gw_error err = { 0 };
	int64_t id = 0;
	char text[1024];
	int r;

	rec = gw_record_new();
	r = rec ? 0 : -ENOMEM;
	if (r == 0) {
		gw_record_set_env(rec, env_id);
		gw_record_set_tree(rec, t);
		r = gw_vet_result_to_record(res, (enum gw_vet_severity)fail_on,
					    "source", rec);
	}
	if (r == 0)
		r = gw_registry_open(path, GW_REGISTRY_CREATE, &reg, &err);
	if (r == 0)
		r = gw_registry_add_record(reg, rec, &id, &err);
	gw_registry_close(reg);
	gw_record_free(rec);

	if (r < 0) {
		if (!err.msg[0])
			gw_error_set(&err, r, "%s", strerror(-r));
		gw_error_format(&err, text, sizeof(text));
		fprintf(cli->err, "gymwarden: vet: record not stored: %s\n",
			text);
		return r;
	}
	fprintf(cli->err,
		"gymwarden: vet: record %" PRId64 " stored for %s (%.19s...); "
		"approve it with: gymwarden approve %" PRId64 " --by NAME\n",
		id, env_id, gw_tree_digest(t), id);
	return 0;
}

static void progress(void *ctx, size_t done, size_t total)
{
	gw_cli_progress(ctx, "vet", done, total);
}

static int vet_run(struct gw_cli *cli, void *cfg_, int argc, char **argv)
{
	const char *ids[GW_MANIFEST_MAX_ENVS], *eps[GW_MANIFEST_MAX_ENVS];
	struct vet_cfg *cfg = cfg_;
	struct gw_vet_opts opts = { 0 };
	struct gw_vet_config vc;
	struct gw_manifest *m = NULL;
	struct gw_vet_result *res = NULL;
	struct gw_error err = { 0 };
	struct gw_tree *tree = NULL;
	char text[1024];
	int status = GW_EXIT_ERROR;

	gw_vet_config_init(&vc);
	if (gw_vet_grammar_check(&err) < 0) {
		gw_error_format(&err, text, sizeof(text));
		fprintf(cli->err, "gymwarden: vet: %s\n", text);
		return GW_EXIT_ERROR;
	}
	if (cfg->list_rules)
		return print_rules(cli, cfg->format);
	if (argc != 1)
		return gw_cli_usage_error(cli, &gw_cmd_vet,
					  "expected one PATH or MANIFEST");
	if (cfg->format == GW_FORMAT_CYCLONEDX)
		return gw_cli_usage_error(cli, &gw_cmd_vet, "unknown format");
	if (cfg->with && gw_vet_tools_parse(cfg->with, &opts.tools, &err) < 0)
		return gw_cli_usage_error(cli, &gw_cmd_vet, "--with: %s",
					  err.msg);

	if (is_manifest(argv[0])) {
		if (from_manifest(cli, cfg, argv[0], &m, &opts, ids, eps,
				  GW_MANIFEST_MAX_ENVS) < 0)
			goto out;
	} else if (cfg->env) {
		status = gw_cli_usage_error(cli, &gw_cmd_vet,
					    "--env needs a manifest");
		goto out;
	} else {
		opts.root = argv[0];
	}
	if (cfg->config &&
	    gw_vet_config_load(&vc, cfg->config, opts.root, &err) < 0) {
		gw_error_format(&err, text, sizeof(text));
		fprintf(cli->err, "gymwarden: vet: config %s\n", text);
		goto out;
	}
	opts.config = &vc;
	opts.progress = progress;
	opts.progress_ctx = cli;
	if (m && opts.n_envs == 1)
		tree = take_digest(cli, m, ids[0]);

	if (gw_vet_run(&opts, &res, &err) < 0) {
		gw_cli_progress_end(cli);
		gw_error_format(&err, text, sizeof(text));
		fprintf(cli->err, "gymwarden: vet %s: %s\n", opts.root, text);
		goto out;
	}
	gw_cli_progress_end(cli);
	if (tree)
		gw_vet_result_set_tree_digest(res, gw_tree_digest(tree));
	if (write_report(cli, cfg, res) < 0)
		goto out;
	if (tree && !cfg->no_record &&
	    store_record(cli, m, ids[0], tree, res, cfg->fail_on) < 0)
		goto out;
	if (gw_vet_result_partial(res))
		status = GW_EXIT_ERROR;
	else if (gw_vet_result_count_at_least(
			 res, (enum gw_vet_severity)cfg->fail_on))
		status = GW_EXIT_FINDINGS;
	else
		status = GW_EXIT_OK;
out:
	gw_tree_free(tree);
	gw_vet_result_free(res);
	gw_vet_config_release(&vc);
	gw_manifest_free(m);
	return status;
}

const struct gw_cmd gw_cmd_vet = {
	.name = "vet",
	.args = "PATH | MANIFEST",
	.summary = "statically analyze an environment's source tree",
	.description =
		"Read every Python file under PATH (a folder or one file), or "
		"the source\nof a manifest's environments, and report "
		"dangerous capabilities, hidden\ncode and data flows, tagged "
		"with when the code runs (install, import,\nan env's "
		"__init__, reset, step, render, close). Comments and settings "
		"in\nthe tree that try to silence a rule are reported, not "
		"obeyed.\nRules and the severity model: docs/rules.md; "
		"--list-rules prints them.\nExit status: 0 nothing at or "
		"above --fail-on, 1 findings, 2 an error or\na partial "
		"analysis (a file did not parse, a tool failed).",
	.opts = vet_opts,
	.cfg_size = sizeof(struct vet_cfg),
	.min_args = 0,
	.max_args = 1,
	.defaults = vet_defaults,
	.run = vet_run,
};
