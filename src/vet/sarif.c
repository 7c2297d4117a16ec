/*
 * The result as a SARIF 2.1.0 log with one run, shaped for GitHub code
 * scanning: every rule has a name, short and full descriptions, help in
 * text and Markdown, a security-severity and tags; every result has a
 * rule index, a level, a location relative to %SRCROOT% with a region
 * in code points, and a partial fingerprint. Findings of other tools
 * (--with) become rules named "<tool>/<id>" in the same run.
 */
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "gymwarden.h"
#include "vet/vet_priv.h"

#ifndef GW_VET_INFORMATION_URI
#define GW_VET_INFORMATION_URI                                                 \
	"https://github.com/gymwarden/gymwarden/blob/main/docs/rules.md"
#endif

#define SARIF_SCHEMA "https://json.schemastore.org/sarif-2.1.0.json"

static const char *level(enum gw_vet_severity s)
{
	return s == GW_VET_HIGH	    ? "error"
	       : s == GW_VET_MEDIUM ? "warning"
				    : "note";
}

static json_t *tags_json(const char *tags)
{
	json_t *a = json_array();
	const char *p = tags;

	while (a && p && *p) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);

		json_array_append_new(a, json_stringn(p, n));
		p = e ? e + 1 : NULL;
	}
	return a;
}

static json_t *rule_json(const struct gw_vet_rule *r)
{
	char *md = NULL, *text = NULL;
	json_t *j;

	if (asprintf(&text, "%s\n\nWhat to do: %s", r->rationale,
		     r->remediation) < 0)
		text = NULL;
	if (asprintf(&md,
		     "**%s** (%s, base severity %s)\n\n%s\n\n**What to do:** "
		     "%s\n\nSee docs/rules.md for the severity model.",
		     r->id, r->title, gw_vet_severity_name(r->severity),
		     r->rationale, r->remediation) < 0)
		md = NULL;
	j = json_pack(
		"{s:s, s:s, s:{s:s}, s:{s:s}, s:{s:s, s:s}, s:s, s:{s:s}, "
		"s:{s:s, s:o, s:s}}",
		"id", r->id, "name", r->name, "shortDescription", "text",
		r->title, "fullDescription", "text", r->rationale, "help",
		"text", text ? text : r->rationale, "markdown",
		md ? md : r->rationale, "helpUri", GW_VET_INFORMATION_URI,
		"defaultConfiguration", "level", level(r->severity),
		"properties", "security-severity",
		gw_vet_security_severity(r->severity), "tags",
		tags_json(r->tags), "precision", "medium");
	free(text);
	free(md);
	return j;
}

/* A descriptor for another tool's rule, from the first finding of it. */
static json_t *external_rule_json(const struct gw_vet_finding *f,
				  const char *id)
{
	char md[1024], text[1024];

	snprintf(text, sizeof(text), "Reported by %s as %s: %s", f->tool,
		 f->rule, f->title);
	snprintf(md, sizeof(md), "Reported by **%s** as `%s`: %s", f->tool,
		 f->rule, f->title);
	return json_pack("{s:s, s:s, s:{s:o}, s:{s:s}, s:{s:s, s:s}, s:{s:s}, "
			 "s:{s:s, s:[s, s]}}",
			 "id", id, "name", id, "shortDescription", "text",
			 gw_vet_json_escaped(f->title), "fullDescription",
			 "text", text, "help", "text", text, "markdown", md,
			 "defaultConfiguration", "level", level(f->severity),
			 "properties", "security-severity",
			 gw_vet_security_severity(f->severity), "tags",
			 "security", f->tool);
}

/* Percent-encode a relative path for artifactLocation.uri. */
static json_t *uri_json(const char *path)
{
	char buf[PATH_MAX * 3 + 1];
	size_t o = 0;

	for (const unsigned char *p = (const unsigned char *)path;
	     *p && o + 4 < sizeof(buf); p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~/", *p))
			buf[o++] = (char)*p;
		else
			o += (size_t)snprintf(buf + o, sizeof(buf) - o,
					      "%%%02X", *p);
	}
	buf[o] = '\0';
	return json_string(buf);
}

static json_t *result_json(const struct gw_vet_finding *f, const char *rule_id,
			   size_t index)
{
	json_t *region = json_pack(
		"{s:I, s:I, s:I, s:I}", "startLine", (json_int_t)f->line,
		"startColumn", (json_int_t)(f->col ? f->col : 1), "endLine",
		(json_int_t)(f->end_line >= f->line ? f->end_line : f->line),
		"endColumn", (json_int_t)(f->end_col ? f->end_col : 1));

	if (region && f->snippet && f->snippet[0])
		json_object_set_new(region, "snippet",
				    json_pack("{s:o}", "text",
					      gw_vet_json_escaped(f->snippet)));
	return json_pack(
		"{s:s, s:I, s:s, s:{s:o}, s:[{s:{s:{s:o, s:s}, s:o}}], "
		"s:{s:s}, s:{s:s, s:s, s:s, s:o}}",
		"ruleId", rule_id, "ruleIndex", (json_int_t)index, "level",
		level(f->severity), "message", "text",
		gw_vet_json_escaped(f->message), "locations",
		"physicalLocation", "artifactLocation", "uri",
		uri_json(f->file), "uriBaseId", "SRCROOT", "region", region,
		"partialFingerprints", "gymwarden/v1", f->fingerprint,
		"properties", "tool", f->tool, "severity",
		gw_vet_severity_name(f->severity), "context",
		gw_vet_context_name(f->context), "via",
		f->via ? gw_vet_json_escaped(f->via) : json_null());
}

/* Rule ids of other tools, in order of first appearance. */
static size_t external_index(json_t *rules, json_t *seen,
			     const struct gw_vet_finding *f, char *id,
			     size_t cap)
{
	json_t *v;

	snprintf(id, cap, "%s/%s", f->tool, f->rule);
	v = json_object_get(seen, id);
	if (v)
		return (size_t)json_integer_value(v);
	json_array_append_new(rules, external_rule_json(f, id));
	json_object_set_new(
		seen, id, json_integer((json_int_t)json_array_size(rules) - 1));
	return json_array_size(rules) - 1;
}

static json_t *notifications(const struct gw_vet_result *r)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < r->n_tools; i++) {
		const struct gw_vet_tool_run *t = &r->tools[i];
		char text[512];

		if (t->status == GW_VET_TOOL_OK)
			continue;
		snprintf(text, sizeof(text), "%s %s: %s",
			 gw_vet_tool_name(t->id),
			 t->status == GW_VET_TOOL_MISSING ? "was requested but "
							    "is not installed"
							  : "failed",
			 t->detail);
		json_array_append_new(a, json_pack("{s:s, s:{s:s}}", "level",
						   "warning", "message", "text",
						   text));
	}
	return a;
}

static json_t *base_uri(const struct gw_vet_result *r)
{
	char real[PATH_MAX], uri[PATH_MAX + 16];
	const char *p = realpath(r->root, real) ? real : r->root;
	size_t n;

	snprintf(uri, sizeof(uri), "file://%s", p);
	n = strlen(uri);
	/* A single file: its folder is the base. */
	if (r->n_files == 1 && n > 7 && strcmp(r->files[0].path, ".") != 0) {
		const char *tail = strrchr(uri, '/');

		if (tail && strcmp(tail + 1, r->files[0].path) == 0)
			n = (size_t)(tail - uri);
	}
	if (n + 1 < sizeof(uri)) {
		uri[n] = '/';
		uri[n + 1] = '\0';
	}
	return json_pack("{s:{s:s}}", "SRCROOT", "uri", uri);
}

json_t *gw_vet_result_to_sarif(const struct gw_vet_result *r)
{
	json_t *rules = json_array(), *results = json_array(),
	       *seen = json_object(), *run, *log;
	char id[256];

	for (size_t i = 0; rules && i < GW_VET_RULE_COUNT; i++)
		json_array_append_new(rules, rule_json(&gw_vet_rules[i]));
	for (size_t i = 0; results && i < r->n_raws; i++) {
		const struct gw_vet_finding *f = &r->raws[i].f;
		size_t idx;

		if (f->rule_index >= 0) {
			json_array_append_new(
				results,
				result_json(f, f->rule, (size_t)f->rule_index));
			continue;
		}
		idx = external_index(rules, seen, f, id, sizeof(id));
		json_array_append_new(results, result_json(f, id, idx));
	}
	json_decref(seen);
	run = json_pack("{s:{s:{s:s, s:s, s:s, s:s, s:o}}, s:o, s:s, s:o, "
			"s:[{s:b, s:o}], s:{s:b, s:o}}",
			"tool", "driver", "name", "gymwarden", "version",
			gw_version(), "semanticVersion", gw_version(),
			"informationUri", GW_VET_INFORMATION_URI, "rules",
			rules, "originalUriBaseIds", base_uri(r), "columnKind",
			"unicodeCodePoints", "results", results, "invocations",
			"executionSuccessful", !r->partial,
			"toolExecutionNotifications", notifications(r),
			"properties", "partial", r->partial, "treeDigest",
			r->digest ? json_string(r->digest) : json_null());
	if (!run)
		return NULL;
	log = json_pack("{s:s, s:s, s:[o]}", "$schema", SARIF_SCHEMA, "version",
			"2.1.0", "runs", run);
	return log;
}
