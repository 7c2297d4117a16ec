/*
 * gymwarden deps PATH | MANIFEST: read an environment's dependency files,
 * audit them against an offline OSV database, the popular-package list
 * and the rules of src/deps/audit.c, and write the findings as text,
 * JSON, SARIF or a CycloneDX SBOM. The audit of a manifest's env is
 * also kept in its vetting record when the registry exists.
 */
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/deps_record.h"
#include "cli/deps_text.h"
#include "core/error.h"
#include "core/limits.h"
#include "core/log.h"
#include "deps/audit.h"
#include "deps/deps.h"
#include "gymwarden.h"

#define MAX_NOTES 8

struct deps_cfg {
	const char *env;
	const char *db;
	const char *output;
	int format;
	int fail_on;
	bool record;
	bool no_record;
};

static const char *const severity_words[] = { "low", "medium", "high",
					      "critical", NULL };

static const struct gw_opt deps_opts[] = {
	{ "env", 'e', "ID", gw_opt_string, offsetof(struct deps_cfg, env),
	  "the environment of MANIFEST to audit (needed when it has several)",
	  NULL },
	{ "db", 0, "DIR", gw_opt_string, offsetof(struct deps_cfg, db),
	  "OSV advisories: a folder of JSON records or a zip "
	  "(default $GYMWARDEN_OSV_DB)",
	  NULL },
	{ "format", 'f', "FORMAT", gw_opt_choice,
	  offsetof(struct deps_cfg, format), "output format", gw_format_names },
	{ "output", 'o', "FILE", gw_opt_string,
	  offsetof(struct deps_cfg, output),
	  "write the report to FILE instead of standard output", NULL },
	{ "fail-on", 0, "SEVERITY", gw_opt_choice,
	  offsetof(struct deps_cfg, fail_on),
	  "exit 1 when a finding is at least this severe (default high)",
	  severity_words },
	{ "record", 0, NULL, gw_opt_flag, offsetof(struct deps_cfg, record),
	  "store the results in the env's vetting record, creating the "
	  "registry when it does not exist yet",
	  NULL },
	{ "no-record", 0, NULL, gw_opt_flag,
	  offsetof(struct deps_cfg, no_record),
	  "do not store the results in the registry", NULL },
	GW_OPT_END,
};

static void deps_defaults(void *cfg)
{
	((struct deps_cfg *)cfg)->fail_on = GW_DEP_HIGH;
}

/* Everything one run holds, released by run_free. */
struct run {
	struct gw_manifest *manifest;
	const struct gw_manifest_env *env;
	struct gw_dep_set set;
	struct gw_dep_audit audit;
	struct gw_osv_db *db;
	struct gw_popular *popular;
	struct gw_marker_env menv;
	char base[PATH_MAX];
	const char *tree; /* walked for ELF objects, or NULL */
	/* Storing in the registry: the env's tree hashed before the audit. */
	bool store;
	struct gw_tree *digest;
	struct gw_error store_err;
	const char *db_path;
	const char *notes[MAX_NOTES + 1];
	char note_text[MAX_NOTES][600];
	size_t nnotes;
	bool failed; /* a problem outside the files: exit 2 */
};

__attribute__((format(printf, 2, 3))) static void note(struct run *r,
						       const char *fmt, ...)
{
	va_list ap;

	if (r->nnotes >= MAX_NOTES)
		return;
	va_start(ap, fmt);
	vsnprintf(r->note_text[r->nnotes], sizeof(r->note_text[0]), fmt, ap);
	va_end(ap);
	r->notes[r->nnotes] = r->note_text[r->nnotes];
	r->nnotes++;
}

static void run_free(struct run *r)
{
	gw_dep_audit_free(&r->audit);
	gw_dep_set_free(&r->set);
	gw_osv_free(r->db);
	gw_popular_free(r->popular);
	gw_manifest_free(r->manifest);
	gw_tree_free(r->digest);
}

/* "gymwarden: deps: WHAT: cause" on stderr, escaped. */
static int complain(const struct gw_cli *cli, const char *what,
		    const struct gw_error *err)
{
	char text[1400], esc[1400];

	gw_error_format(err, text, sizeof(text));
	gw_escape(esc, sizeof(esc), text, strlen(text));
	fprintf(cli->err, "gymwarden: deps: %s%s%s\n", what,
		what[0] ? ": " : "", esc);
	return GW_EXIT_ERROR;
}

static int fatal(const struct gw_cli *cli, const struct gw_error *err)
{
	return complain(cli, "", err);
}

/* A manifest when --env names an env, or the file is gymwarden.toml. */
static bool is_manifest(const struct deps_cfg *cfg, const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;

	return cfg->env || strcmp(base, "gymwarden.toml") == 0;
}

/*
 * Markers are evaluated for the env's interpreter: its minor version from
 * the name it resolves to ("python3.11"), as the host's is found.
 */
static void interpreter_env(struct run *r, const char *interp)
{
	char real[PATH_MAX], esc[256];
	const char *base;

	gw_marker_env_host(&r->menv);
	if (!realpath(interp, real))
		return;
	base = strrchr(real, '/') ? strrchr(real, '/') + 1 : real;
	if (strncmp(base, "python3.", 8) != 0 ||
	    strspn(base + 8, "0123456789") != strlen(base + 8) || !base[8]) {
		gw_escape(esc, sizeof(esc), interp, strlen(interp));
		note(r,
		     "markers are evaluated for this host's python3: the "
		     "version of %s is not in its name",
		     esc);
		return;
	}
	if (strncmp(r->menv.python_version, base + 6,
		    sizeof(r->menv.python_version)) == 0)
		return;
	snprintf(r->menv.python_version, sizeof(r->menv.python_version), "%s",
		 base + 6);
	snprintf(r->menv.python_full_version,
		 sizeof(r->menv.python_full_version), "%s", base + 6);
}

static int pick_env(const struct gw_cli *cli, const struct deps_cfg *cfg,
		    struct run *r)
{
	char ids[512];
	size_t n = gw_manifest_env_count(r->manifest), used = 0;

	if (cfg->env) {
		r->env = gw_manifest_env_find(r->manifest, cfg->env);
		if (!r->env)
			return gw_cli_usage_error(cli, &gw_cmd_deps,
						  "no environment '%s' in the "
						  "manifest",
						  cfg->env);
		return 0;
	}
	if (n == 1) {
		r->env = gw_manifest_env_at(r->manifest, 0);
		return 0;
	}
	ids[0] = '\0';
	for (size_t i = 0; i < n && used < sizeof(ids); i++)
		used += (size_t)snprintf(
			ids + used, sizeof(ids) - used, "%s%s", i ? ", " : "",
			gw_manifest_env_id(gw_manifest_env_at(r->manifest, i)));
	return gw_cli_usage_error(cli, &gw_cmd_deps,
				  "the manifest has %zu environments: name one "
				  "with --env (%s)",
				  n, ids);
}

/* Fill r->set from the target: a manifest's env, a folder or a file. */
static int read_target(const struct gw_cli *cli, const struct deps_cfg *cfg,
		       struct run *r, const char *path)
{
	struct gw_error err = { 0 };
	struct stat st;

	gw_marker_env_host(&r->menv);
	if (is_manifest(cfg, path)) {
		if (gw_manifest_load(path, &r->manifest, &err) < 0)
			return fatal(cli, &err);
		if (pick_env(cli, cfg, r) != 0)
			return GW_EXIT_ERROR;
		r->tree = gw_manifest_env_source(r->env);
		interpreter_env(r, gw_manifest_env_interpreter(r->env));
		snprintf(r->base, sizeof(r->base), "%s", r->tree);
		gw_deps_read_tree(r->tree, &r->set, &err);
		return 0;
	}
	if (stat(path, &st) < 0) {
		gw_error_where(&err, path, NULL);
		gw_error_set(&err, -errno, "%s", strerror(errno));
		return fatal(cli, &err);
	}
	if (S_ISDIR(st.st_mode)) {
		r->tree = path;
		snprintf(r->base, sizeof(r->base), "%s", path);
		gw_deps_read_tree(path, &r->set, &err);
	} else {
		if (!getcwd(r->base, sizeof(r->base)))
			snprintf(r->base, sizeof(r->base), ".");
		gw_deps_read_file(path, &r->set, &err);
	}
	return 0;
}

static void load_db(struct run *r, const char *given)
{
	struct gw_error err = { 0 };
	const char *path = given ? given : secure_getenv("GYMWARDEN_OSV_DB");
	char text[1400], esc[1400];

	if (!path || !path[0]) {
		note(r, "no advisory database: vulnerable versions were not "
			"checked (give --db DIR or set GYMWARDEN_OSV_DB)");
		return;
	}
	r->db_path = path;
	if (gw_osv_load(path, &r->db, &err) == 0)
		return;
	gw_error_format(&err, text, sizeof(text));
	gw_escape(esc, sizeof(esc), text, strlen(text));
	note(r, "advisory database not loaded: %s", esc);
	r->db = NULL;
	r->failed = true;
}

static void load_popular(struct run *r)
{
	struct gw_error err = { 0 };
	char path[PATH_MAX];

	if (!gw_deps_data_path("popular-packages.txt", path, sizeof(path))) {
		note(r, "popular-packages.txt not found: typosquats were not "
			"checked (set GYMWARDEN_DATADIR)");
		return;
	}
	if (gw_popular_load(path, &r->popular, &err) < 0) {
		note(r, "popular-packages.txt not loaded: %s", err.msg);
		r->failed = true;
	}
}

static int exit_status(const struct run *r, enum gw_dep_severity fail_on)
{
	if (r->failed || r->set.partial || r->audit.partial)
		return GW_EXIT_ERROR;
	for (size_t i = 0; i < r->audit.n; i++)
		if (r->audit.items[i].severity >= fail_on)
			return GW_EXIT_FINDINGS;
	return GW_EXIT_OK;
}

/* Write the report in the chosen format to cli->out. */
static int write_report(const struct gw_cli *cli, const struct deps_cfg *cfg,
			const struct gw_deps_report *rep)
{
	json_t *doc;

	switch (cfg->format) {
	case GW_FORMAT_JSON: doc = gw_deps_report_json(rep); break;
	case GW_FORMAT_SARIF: doc = gw_deps_report_sarif(rep); break;
	case GW_FORMAT_CYCLONEDX: doc = gw_deps_report_cyclonedx(rep); break;
	default:
		gw_deps_print_text(cli, rep);
		return ferror(cli->out) ? -EIO : 0;
	}
	return gw_cli_print_json(cli, doc);
}

/* Read problems go to stderr too when the report is a document. */
static void print_errors(const struct gw_cli *cli, const struct run *r)
{
	for (size_t i = 0; i < r->set.nerrors; i++)
		fatal(cli, &r->set.errors[i]);
	if (r->audit.partial)
		fatal(cli, &r->audit.first_error);
}

static void make_report(const struct deps_cfg *cfg, const struct run *r,
			const char *target, struct gw_deps_report *rep)
{
	*rep = (struct gw_deps_report){
		.target = target,
		.base = r->base,
		.env_id = r->env ? gw_manifest_env_id(r->env) : NULL,
		.set = &r->set,
		.audit = &r->audit,
		.db_path = r->db ? r->db_path : NULL,
		.db_records = r->db ? gw_osv_count(r->db) : 0,
		.notes = r->notes,
		.fail_on = (enum gw_dep_severity)cfg->fail_on,
	};
	rep->exit_status = exit_status(r, rep->fail_on);
}

static int report(struct gw_cli *cli, const struct deps_cfg *cfg,
		  const struct run *r, const struct gw_deps_report *rep)
{
	FILE *out = NULL, *saved = cli->out;
	int rc;

	if (cfg->output && !(out = fopen(cfg->output, "w"))) {
		fprintf(cli->err, "gymwarden: deps: cannot write %s: %s\n",
			cfg->output, strerror(errno));
		return GW_EXIT_ERROR;
	}
	if (out)
		cli->out = out;
	if (cfg->format != GW_FORMAT_TEXT || out)
		print_errors(cli, r);
	rc = write_report(cli, cfg, rep);
	cli->out = saved;
	if (out && fclose(out) != 0)
		rc = -EIO;
	return rc < 0 ? GW_EXIT_ERROR : rep->exit_status;
}

/*
 * Whether the results go to the env's vetting record: a manifest's env,
 * no --no-record, and a registry that exists or --record. The tree is
 * hashed now, before the audit reads it, so the record describes what
 * was audited; a failure is kept for store_results to report.
 */
static void prepare_store(const struct deps_cfg *cfg, struct run *r)
{
	const char *path;

	if (!r->env || cfg->no_record)
		return;
	path = gw_manifest_registry_path(r->manifest);
	if (!cfg->record && access(path, F_OK) < 0 && errno == ENOENT)
		return;
	r->store = true;
	gw_tree_digest_env(r->manifest, r->env, &r->digest, &r->store_err);
}

/* Store the results; rc, or GW_EXIT_ERROR when they could not be. */
static int store_results(const struct gw_cli *cli, const struct deps_cfg *cfg,
			 struct run *r, const struct gw_deps_report *rep,
			 int rc)
{
	struct gw_deps_stored stored;
	char *json = NULL;
	json_t *doc;

	if (!r->store)
		return rc;
	if (!r->digest)
		return complain(cli, "results not stored", &r->store_err);
	doc = gw_deps_report_json(rep);
	if (doc)
		json = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(doc);
	if (!json) {
		gw_error_set(&r->store_err, -ENOMEM, "out of memory");
		return complain(cli, "results not stored", &r->store_err);
	}
	if (gw_deps_record_store(r->manifest, r->env, r->digest, rep, json,
				 cfg->record, &stored, &r->store_err) < 0)
		rc = complain(cli, "results not stored", &r->store_err);
	else
		fprintf(cli->err,
			"gymwarden deps: results stored in record %lld "
			"(%.19s...)\n",
			(long long)stored.id, gw_tree_digest(r->digest));
	free(json);
	return rc;
}

static int check_usage(const struct gw_cli *cli, const struct deps_cfg *cfg,
		       const char *target)
{
	if (cfg->record && cfg->no_record)
		return gw_cli_usage_error(cli, &gw_cmd_deps,
					  "--record and --no-record exclude "
					  "each other");
	if (cfg->record && !is_manifest(cfg, target))
		return gw_cli_usage_error(cli, &gw_cmd_deps,
					  "--record needs a MANIFEST");
	return 0;
}

/* Audit what read_target read, then report and store it. */
static int audit(struct gw_cli *cli, const struct deps_cfg *cfg, struct run *r,
		 const char *target)
{
	struct gw_dep_audit_config ac = { 0 };
	struct gw_deps_report rep;
	struct gw_error err = { 0 };
	int rc;

	prepare_store(cfg, r);
	load_db(r, cfg->db);
	load_popular(r);
	ac.db = r->db;
	ac.popular = r->popular;
	ac.menv = &r->menv;
	ac.tree = r->tree;
	if (gw_deps_audit(&r->set, &ac, &r->audit, &err) == -ENOMEM)
		return fatal(cli, &err);

	make_report(cfg, r, target, &rep);
	rc = report(cli, cfg, r, &rep);
	return store_results(cli, cfg, r, &rep, rc);
}

static int deps_run(struct gw_cli *cli, void *cfg_, int argc, char **argv)
{
	struct deps_cfg *cfg = cfg_;
	struct run *r;
	int rc;

	(void)argc;
	if (check_usage(cli, cfg, argv[0]) != 0)
		return GW_EXIT_ERROR;
	r = calloc(1, sizeof(*r));
	if (!r)
		return GW_EXIT_ERROR;
	gw_dep_set_init(&r->set);
	rc = read_target(cli, cfg, r, argv[0]);
	if (rc == 0)
		rc = audit(cli, cfg, r, argv[0]);
	run_free(r);
	free(r);
	return rc;
}

const struct gw_cmd gw_cmd_deps = {
	.name = "deps",
	.args = "PATH | MANIFEST",
	.summary = "audit an environment's dependencies offline",
	.description =
		"Read the dependency files of PATH (one file, or every "
		"requirements*.txt,\npyproject.toml, Pipfile(.lock), "
		"poetry.lock, uv.lock, pylock*.toml and\nenvironment*.yml "
		"under a folder), or those of an environment's source in\n"
		"MANIFEST, and report vulnerable or malicious versions (with "
		"--db), unpinned\nnames, missing hashes, typosquats, risky "
		"index options and bundled native\nlibraries. Exit status: 0 "
		"nothing at or above --fail-on, 1 findings, 2 an\nerror or a "
		"partial run (a file that could not be read completely).\n"
		"The audit of a MANIFEST's env is also stored in its vetting "
		"record when\nthe registry exists (--record creates it, "
		"--no-record skips it).",
	.opts = deps_opts,
	.cfg_size = sizeof(struct deps_cfg),
	.min_args = 1,
	.max_args = 1,
	.defaults = deps_defaults,
	.run = deps_run,
};
