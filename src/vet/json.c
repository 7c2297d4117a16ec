/*
 * The result as gymwarden's versioned JSON document (docs/vet.md):
 * what `vet --format json` prints and what a vetting record stores.
 * Text that came from the vetted files is escaped with gw_escape.
 */
#include <jansson.h>
#include <string.h>

#include "core/limits.h"
#include "core/log.h"
#include "gymwarden.h"
#include "vet/vet_priv.h"

/* JSON schema of this document, separate from the CLI's envelope. */
#define VET_JSON_VERSION 1

json_t *gw_vet_json_escaped(const char *s)
{
	char buf[GW_ESCAPED_MAX_BYTES];

	if (!s)
		return json_null();
	gw_escape(buf, sizeof(buf), s, strlen(s));
	return json_string(buf);
}

static const char *file_kind(enum gw_vet_file_kind k)
{
	static const char *const names[] = { "python", "pth", "binary",
					     "symlink", "other" };

	return (unsigned)k < sizeof(names) / sizeof(names[0]) ? names[k] : "?";
}

static const char *tool_status(enum gw_vet_tool_status s)
{
	return s == GW_VET_TOOL_OK	  ? "ok"
	       : s == GW_VET_TOOL_MISSING ? "missing"
					  : "failed";
}

static json_t *finding_json(const struct gw_vet_finding *f)
{
	return json_pack(
		"{s:s, s:o, s:o, s:s, s:s, s:o, s:o, s:I, s:I, s:I, s:I, s:o, "
		"s:o, s:s}",
		"tool", f->tool, "rule", gw_vet_json_escaped(f->rule), "title",
		gw_vet_json_escaped(f->title), "severity",
		gw_vet_severity_name(f->severity), "context",
		gw_vet_context_name(f->context), "via",
		f->via ? gw_vet_json_escaped(f->via) : json_null(), "file",
		gw_vet_json_escaped(f->file), "line", (json_int_t)f->line,
		"col", (json_int_t)f->col, "end_line", (json_int_t)f->end_line,
		"end_col", (json_int_t)f->end_col, "message",
		gw_vet_json_escaped(f->message), "snippet",
		gw_vet_json_escaped(f->snippet), "fingerprint", f->fingerprint);
}

static json_t *files_json(const struct gw_vet_result *r, size_t *analyzed)
{
	json_t *a = json_array();

	*analyzed = 0;
	for (size_t i = 0; a && i < r->n_files; i++) {
		const struct gw_vet_file *f = &r->files[i];

		*analyzed += f->analyzed;
		json_array_append_new(
			a,
			json_pack("{s:o, s:s, s:I, s:b, s:I}", "path",
				  gw_vet_json_escaped(f->path), "kind",
				  file_kind(f->kind), "bytes",
				  (json_int_t)f->bytes, "analyzed", f->analyzed,
				  "findings", (json_int_t)f->findings));
	}
	return a;
}

static json_t *tools_json(const struct gw_vet_result *r)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < r->n_tools; i++) {
		const struct gw_vet_tool_run *t = &r->tools[i];

		json_array_append_new(
			a, json_pack("{s:s, s:s, s:o, s:I, s:o}", "name",
				     gw_vet_tool_name(t->id), "status",
				     tool_status(t->status), "version",
				     gw_vet_json_escaped(t->version),
				     "findings", (json_int_t)t->findings,
				     "detail", gw_vet_json_escaped(t->detail)));
	}
	return a;
}

static json_t *summary_json(const struct gw_vet_result *r, size_t analyzed,
			    enum gw_vet_severity threshold)
{
	size_t over = gw_vet_result_count_at_least(r, threshold);
	const char *verdict = r->partial ? "partial" : over ? "fail" : "pass";

	return json_pack(
		"{s:I, s:I, s:I, s:{s:I, s:I, s:I}, s:I, s:s, s:I, "
		"s:s}",
		"files", (json_int_t)r->n_files, "analyzed",
		(json_int_t)analyzed, "findings", (json_int_t)r->n_raws,
		"by_severity", "high", (json_int_t)r->counts[GW_VET_HIGH],
		"medium", (json_int_t)r->counts[GW_VET_MEDIUM], "low",
		(json_int_t)r->counts[GW_VET_LOW], "suppressed",
		(json_int_t)r->suppressed, "threshold",
		gw_vet_severity_name(threshold), "at_or_above_threshold",
		(json_int_t)over, "verdict", verdict);
}

static json_t *envs_json(const struct gw_vet_result *r)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < r->n_envs; i++)
		json_array_append_new(a, gw_vet_json_escaped(r->envs[i]));
	return a;
}

json_t *gw_vet_result_to_json(const struct gw_vet_result *r,
			      enum gw_vet_severity threshold)
{
	json_t *doc, *findings = json_array();
	size_t analyzed;

	for (size_t i = 0; findings && i < r->n_raws; i++)
		json_array_append_new(findings, finding_json(&r->raws[i].f));
	doc = json_pack(
		"{s:i, s:s, s:{s:s, s:s, s:i, s:s, s:i}, s:o, s:o, s:o, s:o, "
		"s:b}",
		"version", VET_JSON_VERSION, "kind", "vet", "analyzer", "name",
		"gymwarden", "version", gw_version(), "rules",
		GW_VET_RULE_COUNT, "grammar", "tree-sitter-python 0.23.6",
		"tree_sitter_abi", 14, "tools", tools_json(r), "root",
		gw_vet_json_escaped(r->root), "envs", envs_json(r),
		"tree_digest", r->digest ? json_string(r->digest) : json_null(),
		"partial", r->partial);
	if (!doc) {
		json_decref(findings);
		return NULL;
	}
	json_object_set_new(doc, "files", files_json(r, &analyzed));
	json_object_set_new(doc, "summary",
			    summary_json(r, analyzed, threshold));
	json_object_set_new(doc, "findings", findings);
	return doc;
}

json_t *gw_vet_rules_to_json(void)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < GW_VET_RULE_COUNT; i++) {
		const struct gw_vet_rule *r = &gw_vet_rules[i];
		json_t *hot = json_array();

		for (int c = 0; hot && c < GW_VET_CTX_COUNT; c++)
			if (r->hot & GW_VET_CTX_BIT(c))
				json_array_append_new(
					hot, json_string(gw_vet_context_name(
						     (enum gw_vet_context)c)));
		json_array_append_new(
			a, json_pack("{s:s, s:s, s:s, s:s, s:o, s:b, s:s, s:s, "
				     "s:s}",
				     "id", r->id, "name", r->name, "title",
				     r->title, "severity",
				     gw_vet_severity_name(r->severity),
				     "raised_in", hot, "partial", r->partial,
				     "rationale", r->rationale, "remediation",
				     r->remediation, "tags", r->tags));
	}
	return json_pack("{s:i, s:s, s:o}", "version", VET_JSON_VERSION, "kind",
			 "vet-rules", "rules", a);
}
