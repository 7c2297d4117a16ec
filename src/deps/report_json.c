/*
 * The audit as gymwarden's own JSON document ("kind": "deps", schema in
 * docs/deps.md), and what the other documents share: paths relative to
 * the audited folder and JSON strings for text that came from files.
 */
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/limits.h"
#include "core/log.h"
#include "deps/audit.h"

json_t *gw_deps_json_text(const char *s)
{
	char esc[GW_ESCAPED_MAX_BYTES];
	json_t *j = json_string(s ? s : "");

	if (j)
		return j;
	/* Not UTF-8: keep it readable and valid rather than dropping it. */
	gw_escape(esc, sizeof(esc), s, strlen(s));
	return json_string(esc);
}

/* path made absolute (out holds PATH_MAX), resolved when it exists. */
static void absolute(const char *path, char *out, size_t cap)
{
	char cwd[PATH_MAX];
	int n;

	if (realpath(path, out))
		return;
	n = path[0] != '/' && getcwd(cwd, sizeof(cwd))
		    ? snprintf(out, cap, "%s/%s", cwd, path)
		    : -1;
	if (n < 0 || (size_t)n >= cap)
		snprintf(out, cap, "%s", path);
}

const char *gw_deps_relpath(const char *base, const char *file, char *buf,
			    size_t cap)
{
	char abs[PATH_MAX], root[PATH_MAX];
	size_t rl, common = 0, used = 0;

	absolute(file, abs, sizeof(abs));
	absolute(base, root, sizeof(root));
	rl = strlen(root);
	while (rl > 1 && root[rl - 1] == '/')
		root[--rl] = '\0';
	if (rl == 1 && root[0] == '/') {
		snprintf(buf, cap, "%s", abs + 1);
		return buf;
	}
	if (strncmp(abs, root, rl) == 0 && (abs[rl] == '/' || !abs[rl])) {
		snprintf(buf, cap, "%s", abs[rl] ? abs + rl + 1 : ".");
		return buf;
	}
	/* Up from base to the last folder both share, then down to file. */
	for (size_t i = 0; root[i] && root[i] == abs[i]; i++)
		if (root[i] == '/')
			common = i;
	for (const char *p = root + common; *p && used + 3 < cap; p++)
		if (*p == '/')
			used += (size_t)snprintf(buf + used, cap - used, "../");
	snprintf(buf + used, cap - used, "%s", abs + common + 1);
	return buf;
}

static const char *const kind_names[] = {
	[GW_REQ_NAMED] = "named",	[GW_REQ_URL] = "url",
	[GW_REQ_EDITABLE] = "editable", [GW_REQ_VCS] = "vcs",
	[GW_REQ_PATH] = "path",
};

static const char *const state_names[] = {
	[GW_DEP_AUDITED] = "audited",	[GW_DEP_NOT_APPLIED] = "not-applied",
	[GW_DEP_UNPINNED] = "unpinned", [GW_DEP_UNAUDITABLE] = "not-auditable",
	[GW_DEP_NO_DB] = "no-database",
};

static json_t *strings(const char *const *list, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; a && list && (n ? i < n : list[i] != NULL); i++)
		json_array_append_new(a, gw_deps_json_text(list[i]));
	return a;
}

static json_t *spec_json(const struct gw_specset *s)
{
	char buf[1024];

	return gw_deps_json_text(gw_deps_spec_text(s, buf, sizeof(buf)));
}

void gw_deps_percent_encode(const char *s, const char *keep, char *out,
			    size_t cap)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = 0;

	for (const unsigned char *p = (const unsigned char *)s;
	     *p && n + 4 < cap; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~", *p) ||
		    strchr(keep, *p)) {
			out[n++] = (char)*p;
			continue;
		}
		out[n++] = '%';
		out[n++] = hex[*p >> 4];
		out[n++] = hex[*p & 15];
	}
	out[n] = '\0';
}

static json_t *package_json(const struct gw_deps_report *r, size_t i)
{
	const struct gw_requirement *q = &r->set->reqs[i];
	const char *matched = r->audit->matched[i];
	json_t *extras = json_array(), *hashes = json_array();

	for (size_t k = 0; k < q->nextras; k++)
		json_array_append_new(extras, gw_deps_json_text(q->extras[k]));
	for (size_t k = 0; k < q->nhashes; k++)
		json_array_append_new(hashes, json_string(q->hashes[k]));
	return json_pack(
		"{s:o, s:s, s:s, s:o, s:o, s:I, s:o, s:o, s:b, s:o, s:o, "
		"s:o, s:o, s:s}",
		"name", gw_deps_json_text(q->name), "norm", q->norm, "kind",
		kind_names[q->kind], "group", gw_deps_json_text(q->group),
		"file", gw_deps_json_text(q->file), "line", (json_int_t)q->line,
		"specifier", spec_json(&q->spec), "version",
		matched[0]	     ? json_string(matched)
		: q->version_text[0] ? gw_deps_json_text(q->version_text)
				     : json_null(),
		"locked", q->locked, "marker",
		q->marker_text[0] ? gw_deps_json_text(q->marker_text)
				  : json_null(),
		"url", q->url[0] ? gw_deps_json_text(q->url) : json_null(),
		"extras", extras, "hashes", hashes, "state",
		state_names[r->audit->state[i]]);
}

static json_t *advisory_json(const struct gw_dep_advisory *a)
{
	return json_pack(
		"{s:o, s:o, s:o, s:o, s:s, s:o, s:o, s:s}", "id",
		gw_deps_json_text(a->id), "aliases", strings(a->aliases, 0),
		"summary", gw_deps_json_text(a->summary), "fixed",
		strings(a->fixed, a->nfixed), "severity",
		gw_dep_severity_name(a->severity), "cvss_vector",
		a->vector[0] ? gw_deps_json_text(a->vector) : json_null(),
		"cvss_score", a->score > 0 ? json_real(a->score) : json_null(),
		"confidence", a->confidence == GW_OSV_GIT ? "git" : "exact");
}

static json_t *finding_json(const struct gw_dep_finding *f)
{
	json_t *adv = json_array();

	for (size_t i = 0; i < f->nadv; i++)
		json_array_append_new(adv, advisory_json(&f->adv[i]));
	return json_pack(
		"{s:s, s:s, s:s, s:o, s:I, s:o, s:o, s:o, s:o, s:o, s:o}", "id",
		f->rule->id, "rule", f->rule->name, "severity",
		gw_dep_severity_name(f->severity), "file",
		gw_deps_json_text(f->file), "line", (json_int_t)f->line,
		"package",
		f->package[0] ? gw_deps_json_text(f->package) : json_null(),
		"version",
		f->version[0] ? gw_deps_json_text(f->version) : json_null(),
		"message", gw_deps_json_text(f->message), "remediation",
		gw_deps_json_text(f->remediation), "upgrade",
		f->upgrade[0] ? json_string(f->upgrade) : json_null(),
		"advisories", adv);
}

static json_t *native_json(const struct gw_dep_native *n)
{
	const struct gw_elf_info *e = &n->elf;
	char mach[32];
	json_t *needed = json_array();

	for (size_t i = 0; i < e->nneeded; i++)
		json_array_append_new(needed, gw_deps_json_text(e->needed[i]));
	return json_pack("{s:o, s:o, s:I, s:s, s:s, s:o}", "path",
			 gw_deps_json_text(n->path), "soname",
			 e->soname[0] ? gw_deps_json_text(e->soname)
				      : json_null(),
			 "class", (json_int_t)e->elf_class, "machine",
			 gw_elf_machine_name(e->machine, mach, sizeof(mach)),
			 "type", gw_elf_type_name(e->type), "needed", needed);
}

static json_t *lists_json(const struct gw_deps_report *r, json_t *doc)
{
	const struct gw_dep_set *s = r->set;
	json_t *files = json_array(), *errors = json_array();
	json_t *index = json_array(), *pkgs = json_array();

	for (size_t i = 0; i < s->nfiles; i++)
		json_array_append_new(
			files,
			json_pack("{s:o, s:s}", "path",
				  gw_deps_json_text(s->files[i]), "format",
				  gw_deps_format_of(s->files[i])));
	for (size_t i = 0; i < s->nerrors; i++)
		json_array_append_new(
			errors,
			json_pack("{s:o, s:I, s:o}", "file",
				  gw_deps_json_text(s->errors[i].file), "line",
				  (json_int_t)s->errors[i].line, "message",
				  gw_deps_json_text(s->errors[i].msg)));
	if (r->audit->partial)
		json_array_append_new(
			errors,
			json_pack(
				"{s:o, s:I, s:o}", "file",
				gw_deps_json_text(r->audit->first_error.file),
				"line", (json_int_t)0, "message",
				gw_deps_json_text(r->audit->first_error.msg)));
	for (size_t i = 0; i < s->nindex; i++)
		json_array_append_new(
			index,
			json_pack("{s:s, s:o, s:o, s:I}", "option",
				  s->index[i].option, "value",
				  gw_deps_json_text(s->index[i].value), "file",
				  gw_deps_json_text(s->index[i].file), "line",
				  (json_int_t)s->index[i].line));
	for (size_t i = 0; i < s->n; i++)
		json_array_append_new(pkgs, package_json(r, i));
	json_object_set_new(doc, "files", files);
	json_object_set_new(doc, "errors", errors);
	json_object_set_new(doc, "index_options", index);
	json_object_set_new(doc, "packages", pkgs);
	return doc;
}

static json_t *summary_json(const struct gw_deps_report *r)
{
	size_t by[GW_DEP_CRITICAL + 1] = { 0 }, audited = 0;

	for (size_t i = 0; i < r->audit->n; i++)
		by[r->audit->items[i].severity]++;
	for (size_t i = 0; i < r->audit->nstate; i++)
		audited += r->audit->state[i] == GW_DEP_AUDITED;
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "files",
			 (json_int_t)r->set->nfiles, "packages",
			 (json_int_t)r->set->n, "audited", (json_int_t)audited,
			 "findings", (json_int_t)r->audit->n, "critical",
			 (json_int_t)by[GW_DEP_CRITICAL], "high",
			 (json_int_t)by[GW_DEP_HIGH], "medium",
			 (json_int_t)by[GW_DEP_MEDIUM], "low",
			 (json_int_t)by[GW_DEP_LOW]);
}

json_t *gw_deps_report_json(const struct gw_deps_report *r)
{
	json_t *doc, *findings = json_array(), *natives = json_array();

	doc = json_pack(
		"{s:i, s:s, s:o, s:o, s:b, s:s, s:i, s:o, s:o}", "version", 1,
		"kind", "deps", "target", gw_deps_json_text(r->target), "env",
		r->env_id ? gw_deps_json_text(r->env_id) : json_null(),
		"partial", r->set->partial || r->audit->partial, "fail_on",
		gw_dep_severity_name(r->fail_on), "exit", r->exit_status,
		"advisory_db",
		r->db_path ? json_pack("{s:o, s:I}", "path",
				       gw_deps_json_text(r->db_path), "records",
				       (json_int_t)r->db_records)
			   : json_null(),
		"notes", strings(r->notes, 0));
	if (!doc)
		return NULL;
	lists_json(r, doc);
	for (size_t i = 0; i < r->audit->nnative; i++)
		json_array_append_new(natives,
				      native_json(&r->audit->natives[i]));
	for (size_t i = 0; i < r->audit->n; i++)
		json_array_append_new(findings,
				      finding_json(&r->audit->items[i]));
	json_object_set_new(doc, "native_libraries", natives);
	json_object_set_new(doc, "findings", findings);
	json_object_set_new(doc, "summary", summary_json(r));
	return doc;
}
