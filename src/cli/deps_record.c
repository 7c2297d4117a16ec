/*
 * Keeping a dependency audit in the vetting record of its environment:
 * the newest record of the env for the tree that was audited gets the
 * audit's JSON document attached; without one, a record of the audit's
 * own is written, its findings named by their place in the record's tree.
 */
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/deps_record.h"
#include "core/error.h"

enum gw_record_verdict gw_deps_record_verdict(const struct gw_deps_report *rep)
{
	for (size_t i = 0; i < rep->audit->n; i++)
		if (rep->audit->items[i].severity >= rep->fail_on)
			return GW_RECORD_FAIL;
	/* Without advisories nothing was checked for known vulnerabilities:
	 * such a record must not pass as clean. */
	if (rep->exit_status == GW_EXIT_ERROR || !rep->db_path)
		return GW_RECORD_PARTIAL;
	return GW_RECORD_PASS;
}

/* file relative to root into rel (cap bytes), when it is at or below it. */
static bool below(const char *root, const char *file, char *rel, size_t cap)
{
	gw_deps_relpath(root, file, rel, cap);
	return strcmp(rel, "..") != 0 && strncmp(rel, "../", 3) != 0 &&
	       rel[0] != '/';
}

/* prefix, or prefix/rel when rel names something below the root. */
static const char *join(char *buf, size_t cap, const char *prefix,
			const char *rel)
{
	if (strcmp(rel, ".") == 0)
		snprintf(buf, cap, "%s", prefix);
	else
		snprintf(buf, cap, "%s/%s", prefix, rel);
	return buf;
}

/*
 * file as a path of the env's tree ("source/requirements.txt",
 * "deps/0/..."), as the record's files are named; NULL outside it.
 */
static const char *tree_path(const struct gw_manifest_env *e, const char *file,
			     char *buf, size_t cap)
{
	const char *const *deps;
	char rel[PATH_MAX], prefix[32];
	size_t n;

	if (!file[0])
		return NULL;
	if (below(gw_manifest_env_source(e), file, rel, sizeof(rel)))
		return join(buf, cap, "source", rel);
	deps = gw_manifest_env_dependency_paths(e, &n);
	for (size_t i = 0; i < n; i++) {
		if (!below(deps[i], file, rel, sizeof(rel)))
			continue;
		snprintf(prefix, sizeof(prefix), "deps/%zu", i);
		return join(buf, cap, prefix, rel);
	}
	return NULL;
}

static void add_finding(struct gw_record *rec, const struct gw_manifest_env *e,
			const struct gw_deps_report *rep,
			const struct gw_dep_finding *f)
{
	char path[PATH_MAX + 32], rel[PATH_MAX], fp[GW_DEPS_FINGERPRINT_BYTES];
	struct gw_finding g = {
		.tool = GW_DEPS_TOOL,
		.rule = f->rule->id,
		.severity = gw_dep_severity_name(f->severity),
		.file = tree_path(e, f->file, path, sizeof(path)),
		.message = f->message,
		.fingerprint = fp,
	};

	/* Hashed as SARIF's are, from the path under the audited folder, so
	 * a finding keeps its fingerprint while lines move. */
	gw_deps_relpath(rep->base, f->file, rel, sizeof(rel));
	gw_deps_fingerprint(f, f->rule->id, rel, fp, sizeof(fp));
	g.line = g.file ? f->line : 0;
	gw_record_add_finding(rec, &g);
}

/* A record of the audit alone; setter failures surface when it is added. */
static struct gw_record *new_record(const struct gw_manifest_env *e,
				    const struct gw_tree *t,
				    const struct gw_deps_report *rep,
				    const char *json)
{
	struct gw_record *rec = gw_record_new();

	if (!rec)
		return NULL;
	gw_record_set_env(rec, gw_manifest_env_id(e));
	gw_record_set_tree(rec, t);
	gw_record_add_tool(rec, GW_DEPS_TOOL, gw_version());
	for (size_t i = 0; i < rep->audit->n; i++)
		add_finding(rec, e, rep, &rep->audit->items[i]);
	gw_record_set_verdict(rec, gw_deps_record_verdict(rep));
	gw_record_add_json(rec, "deps", json);
	return rec;
}

int gw_cli_newest_record(struct gw_registry *reg, const char *env,
			 const char *digest, int64_t *id, struct gw_error *err)
{
	json_t *doc, *recs, *x;
	char *text;
	size_t i;
	int rc;

	*id = 0;
	rc = gw_registry_list_json(reg, env, &text, err);
	if (rc < 0)
		return rc;
	doc = json_loads(text, 0, NULL);
	free(text);
	if (!doc)
		return gw_error_set(err, -ENOMEM,
				    "cannot read the record list");

	recs = json_object_get(doc, "records");
	json_array_foreach(recs, i, x)
	{
		json_int_t n = json_integer_value(json_object_get(x, "id"));
		const char *d = json_string_value(json_object_get(x, "digest"));

		if (d && strcmp(d, digest) == 0 && n > *id)
			*id = n;
	}
	json_decref(doc);
	return 0;
}

int gw_deps_record_store(const struct gw_manifest *m,
			 const struct gw_manifest_env *e,
			 const struct gw_tree *t,
			 const struct gw_deps_report *rep, const char *json,
			 bool create, struct gw_deps_stored *out,
			 struct gw_error *err)
{
	const char *path = gw_manifest_registry_path(m);
	struct gw_registry *reg = NULL;
	struct gw_record *rec = NULL;
	int rc;

	out->id = 0;
	out->created = false;
	rc = gw_registry_open(path, create ? GW_REGISTRY_CREATE : 0, &reg, err);
	if (rc < 0)
		goto out;
	rc = gw_cli_newest_record(reg, gw_manifest_env_id(e), gw_tree_digest(t),
				  &out->id, err);
	if (rc < 0)
		goto out;

	if (out->id) {
		rc = gw_registry_attach_json(reg, out->id, "deps", json, err);
		goto out;
	}
	rec = new_record(e, t, rep, json);
	if (!rec) {
		rc = gw_error_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	rc = gw_registry_add_record(reg, rec, &out->id, err);
	out->created = rc == 0;
out:
	if (rc < 0 && !err->file[0])
		gw_error_where(err, path, NULL);
	gw_record_free(rec);
	gw_registry_close(reg);
	return rc;
}
