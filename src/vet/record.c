/*
 * The hook between vet and the registry: fill a vetting record (verdict,
 * tools, findings) from a vet result. The caller sets the env and the
 * hashed tree (gw_tree_digest_env), then stores the record.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "gymwarden.h"
#include "vet/vet_priv.h"

static enum gw_record_verdict verdict(const struct gw_vet_result *r,
				      enum gw_vet_severity threshold)
{
	if (r->partial)
		return GW_RECORD_PARTIAL;
	return gw_vet_result_count_at_least(r, threshold) ? GW_RECORD_FAIL
							  : GW_RECORD_PASS;
}

static int add_finding(struct gw_record *rec, const struct gw_vet_finding *f,
		       const char *prefix)
{
	char path[4096];
	struct gw_finding g = {
		.tool = f->tool,
		.rule = f->rule,
		.severity = gw_vet_severity_name(f->severity),
		.file = path,
		.line = f->line,
		.col = f->col,
		.message = f->message,
		.fingerprint = f->fingerprint,
		.context = f->snippet,
	};

	if (snprintf(path, sizeof(path), "%s%s%s", prefix, prefix[0] ? "/" : "",
		     f->file) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	return gw_record_add_finding(rec, &g);
}

int gw_vet_result_to_record(const struct gw_vet_result *r,
			    enum gw_vet_severity threshold, const char *prefix,
			    struct gw_record *rec)
{
	int e;

	if ((e = gw_record_set_verdict(rec, verdict(r, threshold))) < 0 ||
	    (e = gw_record_add_tool(rec, "gymwarden", gw_version())) < 0)
		return e;
	for (size_t i = 0; i < r->n_tools; i++)
		if (r->tools[i].status == GW_VET_TOOL_OK &&
		    (e = gw_record_add_tool(
			     rec, gw_vet_tool_name(r->tools[i].id),
			     r->tools[i].version[0] ? r->tools[i].version
						    : "unknown")) < 0)
			return e;
	for (size_t i = 0; i < r->n_raws; i++)
		if ((e = add_finding(rec, &r->raws[i].f,
				     prefix ? prefix : "")) < 0)
			return e;
	return 0;
}
