/*
 * gymwarden manifest check|show PATH: validate a manifest and report every
 * problem, or print it parsed and normalised.
 */
#include <jansson.h>
#include <string.h>

#include "cli/cli.h"
#include "core/limits.h"
#include "core/log.h"
#include "gymwarden.h"
#include "manifest/manifest_priv.h"
#include "manifest/units.h"

struct manifest_cfg {
	int format;
	bool strict;
};

static const struct gw_opt manifest_opts[] = {
	{ "format", 'f', "FORMAT", gw_opt_choice,
	  offsetof(struct manifest_cfg, format), "output format",
	  (const char *const[]){ "text", "json", NULL } },
	{ "strict", 0, NULL, gw_opt_flag, offsetof(struct manifest_cfg, strict),
	  "treat warnings as problems (exit 1)", NULL },
	GW_OPT_END,
};

static const char *severity_name(enum gw_severity s)
{
	return s == GW_SEVERITY_ERROR ? "error" : "warning";
}

/* The path as given, escaped: it came from the command line. */
static void print_path(const struct gw_cli *cli, const char *path)
{
	char esc[GW_ESCAPED_MAX_BYTES];

	gw_escape(esc, sizeof(esc), path, strlen(path));
	fputs(esc, cli->out);
}

static void print_diag(const struct gw_cli *cli,
		       const struct gw_manifest_diag *d)
{
	bool err = d->severity == GW_SEVERITY_ERROR;

	print_path(cli, d->file);
	if (d->line)
		fprintf(cli->out, ":%u:%u", d->line, d->col);
	fprintf(cli->out, ": %s%s%s: ",
		gw_cli_color(cli, err ? GW_COLOR_RED : GW_COLOR_YELLOW),
		severity_name(d->severity), gw_cli_color(cli, GW_COLOR_RESET));
	if (d->field[0])
		fprintf(cli->out, "%s: ", d->field);
	fprintf(cli->out, "%s\n", d->message);
	if (d->hint)
		fprintf(cli->out, "    %shint:%s %s\n",
			gw_cli_color(cli, GW_COLOR_DIM),
			gw_cli_color(cli, GW_COLOR_RESET), d->hint);
}

static void print_space_line(const struct gw_cli *cli, const char *name,
			     const struct gw_space *s)
{
	char text[512];

	if (s)
		gw_space_format(s, text, sizeof(text));
	fprintf(cli->out, "    %-18s %s\n", name, s ? text : "(adopted)");
}

static void print_envs(const struct gw_cli *cli, const struct gw_manifest *m)
{
	for (size_t i = 0; i < gw_manifest_env_count(m); i++) {
		const struct gw_manifest_env *e = gw_manifest_env_at(m, i);

		fprintf(cli->out, "  %s%s%s  %s\n",
			gw_cli_color(cli, GW_COLOR_BOLD), gw_manifest_env_id(e),
			gw_cli_color(cli, GW_COLOR_RESET),
			gw_manifest_env_entry_point(e));
		print_space_line(cli, "action_space",
				 gw_manifest_env_action_space(e));
		print_space_line(cli, "observation_space",
				 gw_manifest_env_observation_space(e));
	}
}

static void print_summary(const struct gw_cli *cli, const struct gw_manifest *m)
{
	size_t ne = gw_manifest_error_count(m);
	size_t nw = gw_manifest_warning_count(m);
	size_t n = gw_manifest_env_count(m);

	print_path(cli, gw_manifest_path(m));
	if (ne) {
		fprintf(cli->out, ": %zu error%s, %zu warning%s\n", ne,
			ne == 1 ? "" : "s", nw, nw == 1 ? "" : "s");
		return;
	}
	fprintf(cli->out, ": %sok%s, %zu environment%s",
		gw_cli_color(cli, GW_COLOR_GREEN),
		gw_cli_color(cli, GW_COLOR_RESET), n, n == 1 ? "" : "s");
	if (nw)
		fprintf(cli->out, ", %zu warning%s", nw, nw == 1 ? "" : "s");
	fputc('\n', cli->out);
	print_envs(cli, m);
}

static json_t *diag_json(const struct gw_manifest_diag *d)
{
	return json_pack("{s:s, s:s, s:I, s:I, s:s, s:s, s:o}", "severity",
			 severity_name(d->severity), "file", d->file, "line",
			 (json_int_t)d->line, "col", (json_int_t)d->col,
			 "field", d->field, "message", d->message, "hint",
			 d->hint ? json_string(d->hint) : json_null());
}

static json_t *envs_summary(const struct gw_manifest *m)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < gw_manifest_env_count(m); i++) {
		const struct gw_manifest_env *e = gw_manifest_env_at(m, i);
		const struct gw_space *as = gw_manifest_env_action_space(e);
		const struct gw_space *os =
			gw_manifest_env_observation_space(e);

		json_array_append_new(
			a,
			json_pack("{s:s, s:s, s:s, s:o, s:o}", "id",
				  gw_manifest_env_id(e), "entry_point",
				  gw_manifest_env_entry_point(e), "source",
				  gw_manifest_env_source(e), "action_space",
				  as ? gw_space_describe_json(as) : json_null(),
				  "observation_space",
				  os ? gw_space_describe_json(os)
				     : json_null()));
	}
	return a;
}

static json_t *check_doc(const char *kind, const char *path,
			 const struct gw_manifest *m, json_t *diags)
{
	bool ok = m && gw_manifest_error_count(m) == 0;

	return json_pack(
		"{s:i, s:s, s:s, s:b, s:I, s:I, s:o}", "version",
		GW_JSON_VERSION, "kind", kind, "file", path, "ok", ok, "errors",
		(json_int_t)(m ? gw_manifest_error_count(m) : 1), "warnings",
		(json_int_t)(m ? gw_manifest_warning_count(m) : 0),
		"diagnostics", diags);
}

static json_t *all_diags(const struct gw_manifest *m)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < gw_manifest_diag_count(m); i++)
		json_array_append_new(a, diag_json(gw_manifest_diag_at(m, i)));
	return a;
}

/* The file could not be read or parsed: one fatal problem, exit 2. */
static int report_fatal(const struct gw_cli *cli, const char *verb,
			const char *path, const struct gw_error *err,
			int format)
{
	char text[1024];
	struct gw_manifest_diag d = {
		GW_SEVERITY_ERROR, err->line, err->col, path,
		err->field,	   err->msg,  NULL
	};
	json_t *diags;

	if (format != GW_FORMAT_JSON) {
		gw_error_format(err, text, sizeof(text));
		fprintf(cli->err, "gymwarden: manifest %s: %s\n", verb, text);
		return GW_EXIT_ERROR;
	}
	diags = json_array();
	json_array_append_new(diags, diag_json(&d));
	gw_cli_print_json(cli, check_doc(strcmp(verb, "check") == 0
						 ? "manifest-check"
						 : "manifest",
					 path, NULL, diags));
	return GW_EXIT_ERROR;
}

static int exit_status(const struct gw_manifest *m, bool strict)
{
	if (gw_manifest_error_count(m) ||
	    (strict && gw_manifest_warning_count(m)))
		return GW_EXIT_FINDINGS;
	return GW_EXIT_OK;
}

static int run_check(struct gw_cli *cli, struct manifest_cfg *cfg,
		     const struct gw_manifest *m)
{
	json_t *doc;

	if (cfg->format != GW_FORMAT_JSON) {
		for (size_t i = 0; i < gw_manifest_diag_count(m); i++)
			print_diag(cli, gw_manifest_diag_at(m, i));
		print_summary(cli, m);
		return exit_status(m, cfg->strict);
	}
	doc = check_doc("manifest-check", gw_manifest_path(m), m, all_diags(m));
	if (doc && gw_manifest_error_count(m) == 0)
		json_object_set_new(doc, "envs", envs_summary(m));
	if (gw_cli_print_json(cli, doc) < 0)
		return GW_EXIT_ERROR;
	return exit_status(m, cfg->strict);
}

/* "sanitize  default=label logs=label fields 6 dp 2 key_file PATH". */
static void print_sanitize(const struct gw_cli *cli,
			   const struct gw_manifest_env *e)
{
	const char *key = gw_manifest_env_sanitize_key_file(e);

	if (!gw_manifest_env_sanitizes(e))
		return;
	fprintf(cli->out,
		"    %-18s default=%s text_observations=%s logs=%s, "
		"fields %zu, rules %zu, dp %zu%s%s\n",
		"sanitize",
		gw_sanitize_op_name(gw_manifest_env_sanitize_default(e)->op),
		gw_sanitize_op_name(
			gw_manifest_env_sanitize_text_observations(e)->op),
		gw_sanitize_op_name(gw_manifest_env_sanitize_logs(e)->op),
		gw_manifest_env_sanitize_field_count(e),
		gw_manifest_env_sanitize_rule_count(e),
		gw_manifest_env_dp_count(e), key ? ", key_file " : "",
		key ? key : "");
}

static void print_env_detail(const struct gw_cli *cli,
			     const struct gw_manifest_env *e)
{
	const struct gw_sandbox_limits *sb = gw_manifest_env_sandbox(e);
	const struct gw_check_policy *cp = gw_manifest_env_checks(e);
	char mem[32], cpu[32], step[32], reset[32], life[32];

	fprintf(cli->out, "    %-18s %s\n", "source",
		gw_manifest_env_source(e));
	fprintf(cli->out, "    %-18s %s\n", "interpreter",
		gw_manifest_env_interpreter(e));
	fprintf(cli->out, "    %-18s %s\n", "kwargs",
		gw_manifest_env_kwargs_json(e));
	gw_format_size(sb->memory_bytes, mem, sizeof(mem));
	gw_format_duration(sb->cpu_time_ns, cpu, sizeof(cpu));
	gw_format_duration(sb->step_timeout_ns, step, sizeof(step));
	gw_format_duration(sb->reset_timeout_ns, reset, sizeof(reset));
	gw_format_duration(sb->lifetime_ns, life, sizeof(life));
	fprintf(cli->out,
		"    %-18s memory %s, processes %llu, cpu_time %s, "
		"step_timeout %s,\n    %-18s reset_timeout %s, "
		"lifetime %s\n",
		"sandbox", mem, (unsigned long long)sb->processes, cpu, step,
		"", reset, life);
	fprintf(cli->out, "    %-18s", "checks");
	for (int k = 0; k < GW_FAULT_COUNT; k++)
		fprintf(cli->out, " %s=%s", gw_fault_name((enum gw_fault)k),
			gw_policy_name(cp->policy[k]));
	fputc('\n', cli->out);
	print_sanitize(cli, e);
}

static int run_show(struct gw_cli *cli, struct manifest_cfg *cfg,
		    const struct gw_manifest *m)
{
	json_t *doc, *body;

	if (gw_manifest_error_count(m))
		return run_check(cli, cfg, m);
	if (cfg->format == GW_FORMAT_JSON) {
		body = gw_manifest_to_json(m);
		doc = json_pack("{s:i, s:s}", "version", GW_JSON_VERSION,
				"kind", "manifest");
		if (doc && (!body || json_object_update(doc, body) < 0)) {
			json_decref(doc);
			doc = NULL;
		}
		json_decref(body);
		return gw_cli_print_json(cli, doc) < 0 ? GW_EXIT_ERROR
						       : exit_status(m, false);
	}
	fprintf(cli->out, "vetting: %s\nregistry: %s\nlog: %s\n",
		gw_vetting_names[gw_manifest_vetting(m)],
		gw_manifest_registry_path(m), gw_manifest_log_dir(m));
	for (size_t i = 0; i < gw_manifest_env_count(m); i++) {
		const struct gw_manifest_env *e = gw_manifest_env_at(m, i);

		fprintf(cli->out, "env %s  %s\n", gw_manifest_env_id(e),
			gw_manifest_env_entry_point(e));
		print_space_line(cli, "action_space",
				 gw_manifest_env_action_space(e));
		print_space_line(cli, "observation_space",
				 gw_manifest_env_observation_space(e));
		print_env_detail(cli, e);
	}
	for (size_t i = 0; i < gw_manifest_diag_count(m); i++)
		print_diag(cli, gw_manifest_diag_at(m, i));
	return GW_EXIT_OK;
}

static int manifest_run(struct gw_cli *cli, void *cfg_, int argc, char **argv)
{
	struct manifest_cfg *cfg = cfg_;
	struct gw_error err = { 0 };
	struct gw_manifest *m = NULL;
	bool show;
	int r;

	(void)argc;
	if (strcmp(argv[0], "check") != 0 && strcmp(argv[0], "show") != 0)
		return gw_cli_usage_error(cli, &gw_cmd_manifest,
					  "unknown action '%s' (check or show)",
					  argv[0]);
	show = argv[0][0] == 's';
	r = gw_manifest_check(argv[1], &m, &err);
	if (r < 0)
		return report_fatal(cli, argv[0], argv[1], &err, cfg->format);
	r = show ? run_show(cli, cfg, m) : run_check(cli, cfg, m);
	gw_manifest_free(m);
	return r;
}

const struct gw_cmd gw_cmd_manifest = {
	.name = "manifest",
	.args = "check|show PATH",
	.summary = "check a manifest, or show it normalised",
	.description =
		"check: validate a gymwarden.toml (or the [tool.gymwarden] "
		"table of a\npyproject.toml) and report every problem with "
		"its line, column and field.\nshow: print the manifest as "
		"parsed, with defaults filled in.",
	.opts = manifest_opts,
	.cfg_size = sizeof(struct manifest_cfg),
	.min_args = 2,
	.max_args = 2,
	.run = manifest_run,
};
