/*
 * gymwarden records list|show|export: the vetting records of a registry,
 * one line each, one in full, or one as the JSON document reviewers and
 * other tools keep. Also the registry lookup that approve and revoke
 * share (gw_cli_open_registry).
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/limits.h"
#include "core/log.h"
#include "gymwarden.h"
#include "registry/registry_priv.h"

struct records_cfg {
	const char *registry;
	const char *manifest;
	const char *env;
	const char *output;
	int format;
};

static const struct gw_opt records_opts[] = {
	{ "registry", 'r', "PATH", gw_opt_string,
	  offsetof(struct records_cfg, registry),
	  "the registry database (default: the manifest's)", NULL },
	{ "manifest", 'm', "PATH", gw_opt_string,
	  offsetof(struct records_cfg, manifest),
	  "take the registry from this manifest (default ./gymwarden.toml)",
	  NULL },
	{ "env", 'e', "ID", gw_opt_string, offsetof(struct records_cfg, env),
	  "list: only the records of this environment", NULL },
	{ "output", 'o', "FILE", gw_opt_string,
	  offsetof(struct records_cfg, output),
	  "export: write the document to FILE instead of stdout", NULL },
	{ "format", 'f', "FORMAT", gw_opt_choice,
	  offsetof(struct records_cfg, format), "output of list and show",
	  (const char *const[]){ "text", "json", NULL } },
	GW_OPT_END,
};

/* Print untrusted text escaped. */
static void put_text(FILE *f, const char *s)
{
	char esc[GW_ESCAPED_MAX_BYTES];

	gw_escape(esc, sizeof(esc), s ? s : "", s ? strlen(s) : 0);
	fputs(esc, f);
}

static const char *str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

static long long num(const json_t *o, const char *key)
{
	return (long long)json_integer_value(json_object_get(o, key));
}

int gw_cli_open_registry(const struct gw_cli *cli, const struct gw_cmd *cmd,
			 const char *registry, const char *manifest,
			 struct gw_registry **reg, struct gw_manifest **m)
{
	struct gw_error err;
	const char *path;
	char text[1400];
	int r;

	*reg = NULL;
	*m = NULL;
	gw_error_clear(&err);
	if (!manifest && access("gymwarden.toml", F_OK) == 0)
		manifest = "gymwarden.toml";
	if (manifest && gw_manifest_load(manifest, m, &err) < 0) {
		gw_error_format(&err, text, sizeof(text));
		fprintf(cli->err, "gymwarden %s: %s\n", cmd->name, text);
		return GW_EXIT_ERROR;
	}
	path = registry ? registry
	       : *m	? gw_manifest_registry_path(*m)
			: ".gymwarden/registry.db";

	gw_error_clear(&err);
	r = gw_registry_open(path, 0, reg, &err);
	if (r == -ENOENT)
		return -ENOENT;
	if (r < 0) {
		gw_error_format(&err, text, sizeof(text));
		fprintf(cli->err, "gymwarden %s: %s\n", cmd->name, text);
		return GW_EXIT_ERROR;
	}
	return 0;
}

/* Open, or say there is no registry; GW_EXIT_ERROR either way on failure. */
static int open_existing(const struct gw_cli *cli, const struct gw_cmd *cmd,
			 const char *registry, const char *manifest,
			 struct gw_registry **reg, struct gw_manifest **m)
{
	int r = gw_cli_open_registry(cli, cmd, registry, manifest, reg, m);

	if (r == -ENOENT) {
		fprintf(cli->err,
			"gymwarden %s: no registry at %s: vet an environment "
			"first (gymwarden vet MANIFEST --env ID)\n",
			cmd->name,
			registry ? registry
			: *m	 ? gw_manifest_registry_path(*m)
				 : ".gymwarden/registry.db");
		return GW_EXIT_ERROR;
	}
	return r;
}

int gw_cli_find_record(const struct gw_cli *cli, const struct gw_cmd *cmd,
		       struct gw_registry *reg, const char *ref, int64_t *id)
{
	struct gw_error err;

	gw_error_clear(&err);
	if (gw_registry_find(reg, ref, id, &err) == 0)
		return 0;
	fprintf(cli->err, "gymwarden %s: ", cmd->name);
	put_text(cli->err, err.msg);
	fprintf(cli->err, "\nList them with 'gymwarden records list'.\n");
	return GW_EXIT_ERROR;
}

static void print_summary_line(const struct gw_cli *cli, const json_t *r)
{
	const char *approval = str(r, "approval");
	const char *verdict = str(r, "verdict");
	bool ok = strcmp(approval, "approved") == 0;

	char env[GW_ESCAPED_MAX_BYTES];

	gw_escape(env, sizeof(env), str(r, "env"), strlen(str(r, "env")));
	fprintf(cli->out, "%-5lld %-16s  %.19s  %s%-7s%s %8lld  %s%-8s%s  %s\n",
		num(r, "id"), env, str(r, "digest"),
		gw_cli_color(cli, strcmp(verdict, "pass") == 0 ? GW_COLOR_GREEN
							       : GW_COLOR_RED),
		verdict, gw_cli_color(cli, GW_COLOR_RESET), num(r, "findings"),
		gw_cli_color(cli, ok ? GW_COLOR_GREEN : GW_COLOR_YELLOW),
		ok				   ? "yes"
		: strcmp(approval, "revoked") == 0 ? "revoked"
						   : "no",
		gw_cli_color(cli, GW_COLOR_RESET), str(r, "created"));
}

static int run_list(struct gw_cli *cli, struct records_cfg *cfg,
		    struct gw_registry *reg)
{
	struct gw_error err;
	json_t *doc, *recs;
	char text[1400];

	gw_error_clear(&err);
	doc = reg ? gw_registry_list_to_json(reg, cfg->env, &err)
		  : json_pack("{s:i, s:s, s:n, s:[]}", "version",
			      GW_JSON_VERSION, "kind", "records", "registry",
			      "records");
	if (!doc) {
		gw_error_format(&err, text, sizeof(text));
		fprintf(cli->err, "gymwarden records: %s\n", text);
		return GW_EXIT_ERROR;
	}
	if (cfg->format == GW_FORMAT_JSON)
		return gw_cli_print_json(cli, doc) < 0 ? GW_EXIT_ERROR
						       : GW_EXIT_OK;
	recs = json_object_get(doc, "records");
	if (json_array_size(recs) == 0)
		fprintf(cli->out, "no records%s\n",
			reg ? "" : " (no registry)");
	else
		fprintf(cli->out, "%-5s %-16s  %-19s  %-7s %8s  %-8s  %s\n",
			"ID", "ENV", "DIGEST", "VERDICT", "FINDINGS",
			"APPROVED", "CREATED");
	for (size_t i = 0; i < json_array_size(recs); i++)
		print_summary_line(cli, json_array_get(recs, i));
	json_decref(doc);
	return GW_EXIT_OK;
}

static void print_finding(const struct gw_cli *cli, const json_t *f)
{
	const char *file = str(f, "file");

	fputs("  ", cli->out);
	put_text(cli->out, file[0] ? file : "-");
	if (num(f, "line"))
		fprintf(cli->out, ":%lld:%lld", num(f, "line"), num(f, "col"));
	fputs(": ", cli->out);
	put_text(cli->out, str(f, "severity"));
	fputs(": ", cli->out);
	put_text(cli->out, str(f, "rule"));
	fputs(": ", cli->out);
	put_text(cli->out, str(f, "message"));
	fputs(" [", cli->out);
	put_text(cli->out, str(f, "tool"));
	fputs("]\n", cli->out);
	if (str(f, "context")[0]) {
		fputs("      ", cli->out);
		put_text(cli->out, str(f, "context"));
		fputc('\n', cli->out);
	}
}

static void print_files(const struct gw_cli *cli, const json_t *files)
{
	fprintf(cli->out, "files (%zu):\n", json_array_size(files));
	for (size_t i = 0; i < json_array_size(files); i++) {
		const json_t *f = json_array_get(files, i);

		fprintf(cli->out, "  %s %-7s %10lld %.12s  ", str(f, "mode"),
			str(f, "type"), num(f, "size"), str(f, "sha256"));
		put_text(cli->out, str(f, "path"));
		fputc('\n', cli->out);
	}
}

static void print_decisions(const struct gw_cli *cli, const json_t *ds)
{
	fprintf(cli->out, "decisions (%zu):\n", json_array_size(ds));
	for (size_t i = 0; i < json_array_size(ds); i++) {
		const json_t *d = json_array_get(ds, i);

		fprintf(cli->out, "  %s  %-7s by ", str(d, "at"),
			str(d, "action"));
		put_text(cli->out, str(d, "by"));
		if (str(d, "note")[0]) {
			fputs(": ", cli->out);
			put_text(cli->out, str(d, "note"));
		}
		fputc('\n', cli->out);
	}
}

static void print_head(const struct gw_cli *cli, const json_t *doc)
{
	const json_t *tools = json_object_get(doc, "tools");
	const json_t *roots = json_object_get(doc, "roots");

	fprintf(cli->out, "%srecord %lld%s  ", gw_cli_color(cli, GW_COLOR_BOLD),
		num(doc, "id"), gw_cli_color(cli, GW_COLOR_RESET));
	put_text(cli->out, str(doc, "env"));
	fprintf(cli->out,
		"\n  digest    %s\n  verdict   %s\n  created   %s\n"
		"  approval  %s\n  tools    ",
		str(doc, "digest"), str(doc, "verdict"), str(doc, "created"),
		str(doc, "approval"));
	for (size_t i = 0; i < json_array_size(tools); i++) {
		fputs(i ? ", " : " ", cli->out);
		put_text(cli->out, str(json_array_get(tools, i), "name"));
		fputc(' ', cli->out);
		put_text(cli->out, str(json_array_get(tools, i), "version"));
	}
	fputc('\n', cli->out);
	for (size_t i = 0; i < json_array_size(roots); i++) {
		const json_t *r = json_array_get(roots, i);

		fprintf(cli->out, "  %-9s %-8s ", i ? "" : "roots",
			str(r, "prefix"));
		put_text(cli->out, str(r, "path"));
		fputc('\n', cli->out);
	}
}

/* The verdict and findings of an attached fuzz report. */
static void print_fuzz(const struct gw_cli *cli, const json_t *d)
{
	const json_t *fs = json_object_get(d, "findings");

	fputs("    fuzz verdict ", cli->out);
	put_text(cli->out, str(d, "verdict"));
	fprintf(cli->out, ", %zu findings (threshold ", json_array_size(fs));
	put_text(cli->out, str(d, "threshold"));
	fputs(")\n", cli->out);
	for (size_t i = 0; i < json_array_size(fs); i++) {
		const json_t *f = json_array_get(fs, i);

		fputs("    ", cli->out);
		put_text(cli->out, str(f, "severity"));
		fputs(": ", cli->out);
		put_text(cli->out, str(f, "kind"));
		if (str(f, "name")[0]) {
			fputc(' ', cli->out);
			put_text(cli->out, str(f, "name"));
		}
		if (num(f, "step") >= 0)
			fprintf(cli->out, " (episode %lld step %lld)",
				num(f, "episode"), num(f, "step"));
		fputs(": ", cli->out);
		put_text(cli->out, str(f, "detail"));
		fputs(" [", cli->out);
		put_text(cli->out, str(f, "evidence"));
		fputs("]\n", cli->out);
	}
}

static void print_record(const struct gw_cli *cli, const json_t *doc)
{
	const json_t *fs = json_object_get(doc, "findings");
	const json_t *at = json_object_get(doc, "attachments");

	print_head(cli, doc);
	fprintf(cli->out, "findings (%zu):\n", json_array_size(fs));
	for (size_t i = 0; i < json_array_size(fs); i++)
		print_finding(cli, json_array_get(fs, i));
	fprintf(cli->out, "attachments (%zu):\n", json_array_size(at));
	for (size_t i = 0; i < json_array_size(at); i++) {
		const json_t *a = json_array_get(at, i);

		fprintf(cli->out,
			"  %s  %s  (see 'gymwarden records export')\n",
			str(a, "at"), str(a, "kind"));
		if (strcmp(str(a, "kind"), "fuzz") == 0)
			print_fuzz(cli, json_object_get(a, "data"));
	}
	print_decisions(cli, json_object_get(doc, "decisions"));
	print_files(cli, json_object_get(doc, "files"));
}

static int write_export(struct gw_cli *cli, const char *path, json_t *doc)
{
	struct gw_cli out = *cli;
	FILE *f;
	int r;

	if (!path || strcmp(path, "-") == 0)
		return gw_cli_print_json(cli, doc) < 0 ? GW_EXIT_ERROR
						       : GW_EXIT_OK;
	f = fopen(path, "w");
	if (!f) {
		fprintf(cli->err, "gymwarden records: write %s: %s\n", path,
			strerror(errno));
		json_decref(doc);
		return GW_EXIT_ERROR;
	}
	out.out = f;
	r = gw_cli_print_json(&out, doc);
	if (fclose(f) != 0)
		r = -EIO;
	if (r < 0)
		fprintf(cli->err, "gymwarden records: write %s failed\n", path);
	return r < 0 ? GW_EXIT_ERROR : GW_EXIT_OK;
}

static int run_one(struct gw_cli *cli, struct records_cfg *cfg,
		   struct gw_registry *reg, const char *ref, bool show)
{
	struct gw_error err;
	char text[1400];
	json_t *doc;
	int64_t id;

	if (gw_cli_find_record(cli, &gw_cmd_records, reg, ref, &id) != 0)
		return GW_EXIT_ERROR;
	gw_error_clear(&err);
	doc = gw_registry_record_to_json(reg, id, &err);
	if (!doc) {
		gw_error_format(&err, text, sizeof(text));
		fprintf(cli->err, "gymwarden records: %s\n", text);
		return GW_EXIT_ERROR;
	}
	if (!show)
		return write_export(cli, cfg->output, doc);
	if (cfg->format == GW_FORMAT_JSON)
		return gw_cli_print_json(cli, doc) < 0 ? GW_EXIT_ERROR
						       : GW_EXIT_OK;
	print_record(cli, doc);
	json_decref(doc);
	return GW_EXIT_OK;
}

/* Options that belong to one action only are usage errors elsewhere. */
static int check_usage(struct gw_cli *cli, struct records_cfg *cfg,
		       const char *action, int argc)
{
	bool list = strcmp(action, "list") == 0;
	bool show = strcmp(action, "show") == 0;
	bool export = strcmp(action, "export") == 0;

	if (!list && !show && !export)
		return gw_cli_usage_error(cli, &gw_cmd_records,
					  "unknown action '%s' (list, show or "
					  "export)",
					  action);
	if (!list && argc != 2)
		return gw_cli_usage_error(cli, &gw_cmd_records,
					  "%s needs a RECORD", action);
	if (cfg->env && !list)
		return gw_cli_usage_error(cli, &gw_cmd_records,
					  "--env goes with list");
	if (cfg->output && !export)
		return gw_cli_usage_error(cli, &gw_cmd_records,
					  "--output goes with export");
	if (list && argc == 2 && cfg->manifest)
		return gw_cli_usage_error(cli, &gw_cmd_records,
					  "give the manifest once");
	return 0;
}

static int records_run(struct gw_cli *cli, void *cfg_, int argc, char **argv)
{
	struct records_cfg *cfg = cfg_;
	struct gw_registry *reg = NULL;
	struct gw_manifest *m = NULL;
	bool list = strcmp(argv[0], "list") == 0;
	int r;

	r = check_usage(cli, cfg, argv[0], argc);
	if (r != 0)
		return r;
	if (list && argc == 2)
		cfg->manifest = argv[1];

	r = list ? gw_cli_open_registry(cli, &gw_cmd_records, cfg->registry,
					cfg->manifest, &reg, &m)
		 : open_existing(cli, &gw_cmd_records, cfg->registry,
				 cfg->manifest, &reg, &m);
	if (r == 0 || r == -ENOENT)
		r = list ? run_list(cli, cfg, reg)
			 : run_one(cli, cfg, reg, argv[1],
				   strcmp(argv[0], "show") == 0);
	gw_registry_close(reg);
	gw_manifest_free(m);
	return r;
}

const struct gw_cmd gw_cmd_records = {
	.name = "records",
	.args = "list [MANIFEST] | show RECORD | export RECORD",
	.summary = "list, show or export vetting records",
	.description =
		"list: one line per vetting record (id, env, digest, verdict, "
		"findings,\napproved, created). show: one record in full: "
		"tools, findings, attached\ndocuments, approvals and "
		"revocations, files. export: one record as JSON.\nRECORD is a "
		"record number or a digest prefix (sha256:HEX, 6+ digits).\n"
		"The registry is --registry, else the manifest's (--manifest "
		"or list's\nMANIFEST, else ./gymwarden.toml), else "
		".gymwarden/registry.db.",
	.opts = records_opts,
	.cfg_size = sizeof(struct records_cfg),
	.min_args = 1,
	.max_args = 2,
	.run = records_run,
};
