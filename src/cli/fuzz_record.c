/*
 * Keeping a fuzz run in the vetting record of its environment, as vet
 * and deps do: the report is attached to the newest record of the env
 * for the tree that was fuzzed; without one, a record of the run's own
 * is written with every finding, the verdict and the report attached.
 */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/deps_record.h"
#include "cli/fuzz_record.h"
#include "core/error.h"
#include "fuzz/fuzz.h"

static void add_finding(struct gw_record *rec, const struct gw_fuzz_finding *f)
{
	char rule[128], fp[32], ctx[128];
	struct gw_finding g = {
		.tool = GW_FUZZ_TOOL,
		.rule = rule,
		.severity = gw_fuzz_severity_name(f->severity),
		.message = f->detail,
		.fingerprint = fp,
		.context = ctx,
	};

	snprintf(rule, sizeof(rule), "%s%s%s", f->kind, f->name[0] ? "/" : "",
		 f->name);
	snprintf(fp, sizeof(fp), "%016" PRIx64,
		 gw_fuzz_hash(GW_FUZZ_HASH_INIT, f->key, strlen(f->key)));
	if (f->step >= 0)
		snprintf(ctx, sizeof(ctx),
			 "episode %zu step %lld, %llu times, %s", f->episode,
			 (long long)f->step, (unsigned long long)f->count,
			 gw_fuzz_evidence_name(f->evidence));
	else
		snprintf(ctx, sizeof(ctx), "whole run, %s",
			 gw_fuzz_evidence_name(f->evidence));
	gw_record_add_finding(rec, &g);
}

static struct gw_record *new_record(const char *env, const struct gw_tree *t,
				    const struct gw_fuzz_findings *fs,
				    enum gw_record_verdict v, const char *json)
{
	struct gw_record *rec = gw_record_new();

	if (!rec)
		return NULL;
	gw_record_set_env(rec, env);
	gw_record_set_tree(rec, t);
	gw_record_add_tool(rec, GW_FUZZ_TOOL, gw_version());
	for (size_t i = 0; i < fs->n; i++)
		add_finding(rec, &fs->items[i]);
	gw_record_set_verdict(rec, v);
	gw_record_add_json(rec, "fuzz", json);
	return rec;
}

int gw_fuzz_record_store(const struct gw_manifest *m, const char *env,
			 const struct gw_tree *t,
			 const struct gw_fuzz_findings *fs,
			 enum gw_record_verdict v, const char *json,
			 struct gw_fuzz_stored *out, struct gw_error *err)
{
	const char *path = gw_manifest_registry_path(m);
	struct gw_registry *reg = NULL;
	struct gw_record *rec = NULL;
	int rc;

	out->id = 0;
	out->created = false;
	rc = gw_registry_open(path, GW_REGISTRY_CREATE, &reg, err);
	if (rc == 0)
		rc = gw_cli_newest_record(reg, env, gw_tree_digest(t), &out->id,
					  err);
	if (rc == 0 && out->id) {
		rc = gw_registry_attach_json(reg, out->id, "fuzz", json, err);
	} else if (rc == 0) {
		rec = new_record(env, t, fs, v, json);
		rc = rec ? gw_registry_add_record(reg, rec, &out->id, err)
			 : gw_error_set(err, -ENOMEM, "out of memory");
		out->created = rc == 0;
	}
	if (rc < 0 && !err->file[0])
		gw_error_where(err, path, NULL);
	gw_record_free(rec);
	gw_registry_close(reg);
	return rc;
}
