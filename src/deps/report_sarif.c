/*
 * The audit as SARIF 2.1.0, in the shape GitHub code scanning takes: a
 * rule for each kind of finding and one for each advisory (so that each
 * alert carries its own CVSS-based security-severity), results with a
 * level, a URI relative to the audited folder (SRCROOT), a start line and
 * a fingerprint that does not move when lines are added above.
 */
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deps/audit.h"
#include "gymwarden.h"

#define SARIF_SCHEMA "https://json.schemastore.org/sarif-2.1.0.json"

/* GitHub's security-severity bands: low < 4, medium < 7, high < 9. */
static const char *const severity_scores[] = { "2.0", "5.5", "8.0", "9.5" };
static const char *const levels[] = { "note", "warning", "error", "error" };

/* Rules as they are emitted, so each advisory is described once. */
struct rule_list {
	json_t *rules;
	const char **ids; /* parallel to rules */
	size_t n, alloc;
};

static long rule_index(const struct rule_list *l, const char *id)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->ids[i], id) == 0)
			return (long)i;
	return -1;
}

static long add_rule(struct rule_list *l, const char *id, json_t *rule)
{
	const char **p;

	if (!rule)
		return -1;
	if (l->n == l->alloc) {
		p = realloc(l->ids,
			    (l->alloc ? l->alloc * 2 : 32) * sizeof(*p));
		if (!p) {
			json_decref(rule);
			return -1;
		}
		l->ids = p;
		l->alloc = l->alloc ? l->alloc * 2 : 32;
	}
	l->ids[l->n] = id;
	json_array_append_new(l->rules, rule);
	return (long)l->n++;
}

static json_t *text(const char *s)
{
	return json_pack("{s:o}", "text", gw_deps_json_text(s));
}

static json_t *rule_json(const char *id, const char *name, const char *summary,
			 const char *description, const char *help,
			 enum gw_dep_severity sev, const char *score)
{
	return json_pack(
		"{s:o, s:s, s:o, s:o, s:o, s:{s:s}, s:{s:[ss], s:s, s:s}}",
		"id", gw_deps_json_text(id), "name", name, "shortDescription",
		text(summary), "fullDescription", text(description), "help",
		text(help), "defaultConfiguration", "level", levels[sev],
		"properties", "tags", "security", "dependency", "precision",
		"high", "security-severity", score);
}

static long static_rule(struct rule_list *l, const struct gw_dep_rule *r)
{
	long i = rule_index(l, r->id);

	if (i >= 0)
		return i;
	return add_rule(l, r->id,
			rule_json(r->id, r->name, r->summary, r->description,
				  r->help, r->severity,
				  severity_scores[r->severity]));
}

static long advisory_rule(struct rule_list *l, const struct gw_dep_rule *r,
			  const struct gw_dep_advisory *a)
{
	char score[16], full[1400];
	long i = rule_index(l, a->id);

	if (i >= 0)
		return i;
	if (a->score > 0)
		snprintf(score, sizeof(score), "%.1f", a->score);
	else
		snprintf(score, sizeof(score), "%s",
			 severity_scores[a->severity]);
	snprintf(full, sizeof(full), "%s%s%s", a->summary[0] ? a->summary : "",
		 a->summary[0] ? "\n\n" : "", r->description);
	return add_rule(l, a->id,
			rule_json(a->id, r->name,
				  a->summary[0] ? a->summary : r->summary, full,
				  r->help, a->severity, score));
}

/* FNV-1a, 64 bits, over the parts that name a finding but not its line. */
void gw_deps_fingerprint(const struct gw_dep_finding *f, const char *rule_id,
			 const char *rel, char *out, size_t cap)
{
	const char *const parts[] = { rule_id, f->package, f->version, rel,
				      f->package[0] ? "" : f->message };
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		for (const unsigned char *p = (const unsigned char *)parts[i];
		     *p; p++)
			h = (h ^ *p) * 0x100000001b3ull;
		h = (h ^ 0xff) * 0x100000001b3ull; /* a separator */
	}
	snprintf(out, cap, "%016llx", (unsigned long long)h);
}

static json_t *location(const struct gw_deps_report *r, const char *file,
			unsigned line)
{
	char rel[PATH_MAX], uri[PATH_MAX * 3];

	gw_deps_relpath(r->base, file, rel, sizeof(rel));
	gw_deps_percent_encode(rel, "/", uri, sizeof(uri));
	return json_pack("{s:{s:{s:s, s:s}, s:{s:I}}}", "physicalLocation",
			 "artifactLocation", "uri", uri, "uriBaseId", "SRCROOT",
			 "region", "startLine", (json_int_t)(line ? line : 1));
}

static json_t *result(const struct gw_deps_report *r,
		      const struct gw_dep_finding *f, long index,
		      const char *rule_id, enum gw_dep_severity sev,
		      const char *message)
{
	char rel[PATH_MAX], fp[GW_DEPS_FINGERPRINT_BYTES];

	gw_deps_relpath(r->base, f->file, rel, sizeof(rel));
	gw_deps_fingerprint(f, rule_id, rel, fp, sizeof(fp));
	return json_pack(
		"{s:o, s:I, s:s, s:o, s:[o], s:{s:s}, s:{s:s, s:o, s:o, s:o}}",
		"ruleId", gw_deps_json_text(rule_id), "ruleIndex",
		(json_int_t)index, "level", levels[sev], "message",
		text(message), "locations", location(r, f->file, f->line),
		"partialFingerprints", "gymwardenDeps/v1", fp, "properties",
		"severity", gw_dep_severity_name(sev), "remediation",
		gw_deps_json_text(f->remediation), "package",
		gw_deps_json_text(f->package), "upgrade",
		f->upgrade[0] ? json_string(f->upgrade) : json_null());
}

/* One result per advisory of a vulnerability finding, else one. */
static void add_results(const struct gw_deps_report *r, struct rule_list *l,
			json_t *results, const struct gw_dep_finding *f)
{
	char msg[1600];

	if (f->nadv == 0) {
		json_array_append_new(
			results, result(r, f, static_rule(l, f->rule),
					f->rule->id, f->severity, f->message));
		return;
	}
	for (size_t i = 0; i < f->nadv; i++) {
		const struct gw_dep_advisory *a = &f->adv[i];

		snprintf(msg, sizeof(msg), "%s %s: %s%s%s. Remedy: %s",
			 f->package, f->version, a->id,
			 a->summary[0] ? " - " : "", a->summary,
			 f->remediation);
		json_array_append_new(results,
				      result(r, f, advisory_rule(l, f->rule, a),
					     a->id, a->severity, msg));
	}
}

/* Read problems: a partial run is not an execution that succeeded. */
static json_t *invocation(const struct gw_deps_report *r)
{
	json_t *notes = json_array();
	const struct gw_dep_set *s = r->set;

	for (size_t i = 0; i < s->nerrors; i++)
		json_array_append_new(
			notes, json_pack("{s:s, s:o, s:[o]}", "level", "error",
					 "message", text(s->errors[i].msg),
					 "locations",
					 location(r, s->errors[i].file,
						  s->errors[i].line)));
	return json_pack("{s:b, s:o}", "executionSuccessful",
			 !(s->partial || r->audit->partial),
			 "toolExecutionNotifications", notes);
}

json_t *gw_deps_report_sarif(const struct gw_deps_report *r)
{
	struct rule_list l = { json_array(), NULL, 0, 0 };
	json_t *results = json_array(), *doc;
	char root[PATH_MAX], uri[PATH_MAX * 3 + 16];

	for (size_t i = 0; i < gw_dep_rule_count(); i++)
		static_rule(&l, gw_dep_rule_at(i));
	for (size_t i = 0; i < r->audit->n; i++)
		add_results(r, &l, results, &r->audit->items[i]);
	if (!realpath(r->base, root))
		snprintf(root, sizeof(root), "%s", r->base);
	snprintf(uri, sizeof(uri), "file://");
	gw_deps_percent_encode(root, "/", uri + 7, sizeof(uri) - 8);
	if (uri[strlen(uri) - 1] != '/')
		strncat(uri, "/", sizeof(uri) - strlen(uri) - 1);
	doc = json_pack("{s:s, s:s, s:[{s:{s:{s:s, s:s, s:s, s:o}}, "
			"s:{s:{s:s}}, s:o, s:[o]}]}",
			"$schema", SARIF_SCHEMA, "version", "2.1.0", "runs",
			"tool", "driver", "name", "gymwarden", "version",
			gw_version(), "semanticVersion", gw_version(), "rules",
			l.rules, "originalUriBaseIds", "SRCROOT", "uri", uri,
			"results", results, "invocations", invocation(r));
	free(l.ids);
	return doc;
}
