/*
 * gymwarden inventory PATH: which environments a trainer's Python code
 * makes or registers, and whether the manifest covers each id. Exit 0
 * when every constant id is covered (or no manifest is in play), 1 when
 * one is not, 2 on an error or when a file could not be parsed.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/error.h"
#include "core/limits.h"
#include "core/log.h"
#include "gymwarden.h"
#include "vet/vet.h"

struct inventory_cfg {
	const char *manifest;
	int format;
};

static const char *const format_choices[] = { "text", "json", NULL };

static const struct gw_opt inventory_opts[] = {
	{ "manifest", 'm', "FILE", gw_opt_string,
	  offsetof(struct inventory_cfg, manifest),
	  "check coverage against FILE (default ./gymwarden.toml if present)",
	  NULL },
	{ "format", 'f', "FORMAT", gw_opt_choice,
	  offsetof(struct inventory_cfg, format), "output format",
	  format_choices },
	GW_OPT_END,
};

static void escaped(FILE *f, const char *s)
{
	char buf[GW_ESCAPED_MAX_BYTES];

	gw_escape(buf, sizeof(buf), s, strlen(s));
	fputs(buf, f);
}

static int complain(const struct gw_cli *cli, const char *what,
		    const struct gw_error *err)
{
	char text[1024];

	gw_error_format(err, text, sizeof(text));
	fprintf(cli->err, "gymwarden: inventory: %s: %s\n", what, text);
	return GW_EXIT_ERROR;
}

/* Mark the uses the manifest's [[env]] ids cover. */
static int cover(const struct gw_cli *cli, struct gw_vet_inventory *inv,
		 const char *path)
{
	struct gw_error err = { 0 };
	struct gw_manifest *m = NULL;
	const char **ids;
	size_t n;

	if (gw_manifest_load(path, &m, &err) < 0)
		return complain(cli, path, &err);
	n = gw_manifest_env_count(m);
	ids = calloc(n + 1, sizeof(*ids));
	if (!ids) {
		gw_manifest_free(m);
		fprintf(cli->err, "gymwarden: inventory: out of memory\n");
		return GW_EXIT_ERROR;
	}
	for (size_t i = 0; i < n; i++)
		ids[i] = gw_manifest_env_id(gw_manifest_env_at(m, i));
	gw_vet_inventory_cover(inv, ids, n);
	free(ids);
	gw_manifest_free(m);
	return 0;
}

static void print_use(FILE *out, const struct gw_vet_inv_use *e, bool have_m)
{
	escaped(out, e->file);
	fprintf(out, ":%u: %s ", e->line, e->call);
	if (e->id)
		escaped(out, e->id);
	else
		fputs("(dynamic)", out);
	if (e->entry_point) {
		fputs(" -> ", out);
		escaped(out, e->entry_point);
	}
	if (have_m && e->id)
		fputs(e->covered ? " [covered]" : " [not in manifest]", out);
	fputc('\n', out);
}

static void print_text(const struct gw_cli *cli,
		       const struct gw_vet_inventory *inv, bool have_m)
{
	size_t nu = gw_vet_inventory_use_count(inv);
	size_t nr = gw_vet_inventory_reg_count(inv);

	for (size_t i = 0; i < nu; i++)
		print_use(cli->out, gw_vet_inventory_use_at(inv, i), have_m);
	for (size_t i = 0; i < nr; i++) {
		const struct gw_vet_inv_reg *g =
			gw_vet_inventory_reg_at(inv, i);

		escaped(cli->out, g->file);
		fprintf(cli->out, ":%u: register ", g->line);
		escaped(cli->out, g->id);
		fputs(" -> ", cli->out);
		escaped(cli->out, g->entry_point ? g->entry_point : "?");
		fputc('\n', cli->out);
	}
	fprintf(cli->out, "%zu uses, %zu registrations\n", nu, nr);
}

/* Parse problems go to stderr: they make the run partial. */
static void print_problems(const struct gw_cli *cli,
			   const struct gw_vet_inventory *inv)
{
	const struct gw_vet_result *r = gw_vet_inventory_vet(inv);

	for (size_t i = 0; i < gw_vet_result_finding_count(r); i++) {
		const struct gw_vet_finding *f = gw_vet_result_finding_at(r, i);

		if (f->rule_index < 0 || !gw_vet_rules[f->rule_index].partial)
			continue;
		fputs("gymwarden: inventory: ", cli->err);
		escaped(cli->err, f->file);
		fprintf(cli->err, ":%u: ", f->line);
		escaped(cli->err, f->message);
		fputc('\n', cli->err);
	}
}

static int verdict(const struct gw_vet_inventory *inv)
{
	if (gw_vet_inventory_partial(inv))
		return GW_EXIT_ERROR;
	for (size_t i = 0; i < gw_vet_inventory_use_count(inv); i++)
		if (gw_vet_inventory_uncovered(inv, i))
			return GW_EXIT_FINDINGS;
	return GW_EXIT_OK;
}

static int inventory_run(struct gw_cli *cli, void *cfg_, int argc, char **argv)
{
	struct inventory_cfg *cfg = cfg_;
	struct gw_error err = { 0 };
	struct gw_vet_inventory *inv = NULL;
	const char *manifest = cfg->manifest;
	int r;

	(void)argc;
	if (!manifest && access("gymwarden.toml", F_OK) == 0)
		manifest = "gymwarden.toml";
	if (gw_vet_inventory_run(argv[0], &inv, &err) < 0)
		return complain(cli, argv[0], &err);
	if (manifest && (r = cover(cli, inv, manifest)) != 0)
		goto out;
	print_problems(cli, inv);
	if (cfg->format == 1) {
		if (gw_cli_print_json(cli, gw_vet_inventory_to_json(inv)) < 0) {
			r = GW_EXIT_ERROR;
			goto out;
		}
	} else {
		print_text(cli, inv, manifest != NULL);
	}
	r = verdict(inv);
out:
	gw_vet_inventory_free(inv);
	return r;
}

const struct gw_cmd gw_cmd_inventory = {
	.name = "inventory",
	.args = "PATH",
	.summary = "list the environments a trainer's code makes or registers",
	.description =
		"Scan the Python files under PATH for gym/gymnasium/gymwarden "
		"make() and\nregister() calls, resolving import aliases, and "
		"list each env id with\nits file and line (\"dynamic\" when "
		"the id is computed) and whether the\nmanifest has an [[env]] "
		"with that id.\nExit status: 0 every constant id covered (or "
		"no manifest), 1 an id the\nmanifest lacks, 2 an error or a "
		"file that did not parse.",
	.opts = inventory_opts,
	.cfg_size = sizeof(struct inventory_cfg),
	.min_args = 1,
	.max_args = 1,
	.run = inventory_run,
};
