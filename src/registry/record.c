/*
 * The record builder: setters copy what a tool found into a struct
 * gw_record; gw_registry_add_record (store.c) writes it. The first
 * setter that fails is remembered, so a tool that ignores a return
 * cannot store half of what it meant to.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/limits.h"
#include "core/log.h"
#include "registry/registry_priv.h"

static const char *const verdict_names[] = { "pass", "partial", "fail" };

const char *gw_record_verdict_name(enum gw_record_verdict v)
{
	return (unsigned)v < 3 ? verdict_names[v] : "unknown";
}

struct gw_record *gw_record_new(void)
{
	return calloc(1, sizeof(struct gw_record));
}

static void finding_clear(struct gw_record_finding *f)
{
	free(f->tool);
	free(f->rule);
	free(f->severity);
	free(f->file);
	free(f->message);
	free(f->fingerprint);
	free(f->context);
}

void gw_record_free(struct gw_record *r)
{
	if (!r)
		return;
	free(r->env_id);
	json_decref(r->roots);
	for (size_t i = 0; i < r->n_files; i++)
		free(r->files[i].path);
	for (size_t i = 0; i < r->n_tools; i++) {
		free(r->tools[i].name);
		free(r->tools[i].version);
	}
	for (size_t i = 0; i < r->n_findings; i++)
		finding_clear(&r->findings[i]);
	for (size_t i = 0; i < r->n_docs; i++) {
		free(r->docs[i].kind);
		free(r->docs[i].text);
	}
	free(r->files);
	free(r->tools);
	free(r->findings);
	free(r->docs);
	free(r);
}

/* Remember the first failure; returns code. */
static int failed(struct gw_record *r, int code)
{
	if (r && r->failed == 0)
		r->failed = code;
	return code;
}

char *gw_record_text(const char *s, size_t max_bytes)
{
	size_t n = strlen(s);
	json_t *probe;
	char *out;

	if (n > max_bytes)
		n = max_bytes;
	/* jansson refuses text that is not UTF-8, which is the test. */
	probe = json_stringn(s, n);
	if (probe) {
		json_decref(probe);
		return strndup(s, n);
	}
	out = malloc(GW_ESCAPED_MAX_BYTES);
	if (out)
		gw_escape(out, GW_ESCAPED_MAX_BYTES, s, n);
	return out;
}

/* A required string field: non-empty and within the cap. */
static int text_field(struct gw_record *r, const char *s, size_t max,
		      char **out)
{
	*out = NULL;
	if (!s || !s[0])
		return failed(r, -EINVAL);
	if (strlen(s) > max)
		return failed(r, -E2BIG);
	*out = gw_record_text(s, max);
	return *out ? 0 : failed(r, -ENOMEM);
}

/* An optional one: NULL (or "") stays NULL. */
static int opt_field(struct gw_record *r, const char *s, size_t max, char **out)
{
	*out = NULL;
	return s && s[0] ? text_field(r, s, max, out) : 0;
}

int gw_record_set_env(struct gw_record *r, const char *env_id)
{
	char *id;
	int rc;

	if (!r)
		return -EINVAL;
	rc = text_field(r, env_id, 255, &id);
	if (rc < 0)
		return rc;
	free(r->env_id);
	r->env_id = id;
	return 0;
}

static json_t *roots_json(const struct gw_tree *t)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < t->n_roots; i++) {
		char *path = gw_record_text(t->roots[i].path,
					    GW_TREE_MAX_PATH_BYTES);
		json_t *o = path ? json_pack("{s:s, s:s}", "prefix",
					     t->roots[i].prefix, "path", path)
				 : NULL;

		free(path);
		if (!o || json_array_append_new(a, o) < 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

int gw_record_set_tree(struct gw_record *r, const struct gw_tree *t)
{
	struct gw_tree_item *files;

	if (!r || !t || !t->hashed)
		return failed(r, -EINVAL);
	files = calloc(t->len ? t->len : 1, sizeof(*files));
	if (!files)
		return failed(r, -ENOMEM);
	for (size_t i = 0; i < t->len; i++) {
		files[i] = t->items[i];
		files[i].path = strdup(t->items[i].path);
		if (!files[i].path) {
			while (i--)
				free(files[i].path);
			free(files);
			return failed(r, -ENOMEM);
		}
		files[i].pub.path = files[i].path;
		files[i].pub.sha256 = files[i].hex;
	}

	for (size_t i = 0; i < r->n_files; i++)
		free(r->files[i].path);
	free(r->files);
	json_decref(r->roots);
	r->files = files;
	r->n_files = t->len;
	r->roots = roots_json(t);
	memcpy(r->digest, t->digest, sizeof(r->digest));
	r->has_tree = true;
	return r->roots ? 0 : failed(r, -ENOMEM);
}

int gw_record_set_verdict(struct gw_record *r, enum gw_record_verdict v)
{
	if (!r || (unsigned)v > GW_RECORD_FAIL)
		return failed(r, -EINVAL);
	r->verdict = v;
	r->has_verdict = true;
	return 0;
}

int gw_record_add_tool(struct gw_record *r, const char *name,
		       const char *version)
{
	struct gw_record_tool *tools, t;

	if (!r)
		return -EINVAL;
	if (r->n_tools >= GW_RECORD_MAX_TOOLS)
		return failed(r, -E2BIG);
	if (text_field(r, name, 255, &t.name) < 0)
		return r->failed;
	if (text_field(r, version, 255, &t.version) < 0) {
		free(t.name);
		return r->failed;
	}
	tools = realloc(r->tools, (r->n_tools + 1) * sizeof(*tools));
	if (!tools) {
		free(t.name);
		free(t.version);
		return failed(r, -ENOMEM);
	}
	r->tools = tools;
	tools[r->n_tools++] = t;
	return 0;
}

static int copy_finding(struct gw_record *r, const struct gw_finding *f,
			struct gw_record_finding *out)
{
	const size_t max = GW_RECORD_MAX_TEXT_BYTES;

	memset(out, 0, sizeof(*out));
	out->line = f->line;
	out->col = f->col;
	if (text_field(r, f->tool, 255, &out->tool) < 0 ||
	    text_field(r, f->rule, 255, &out->rule) < 0 ||
	    text_field(r, f->severity, 63, &out->severity) < 0 ||
	    text_field(r, f->message, max, &out->message) < 0 ||
	    opt_field(r, f->file, GW_TREE_MAX_PATH_BYTES, &out->file) < 0 ||
	    opt_field(r, f->fingerprint, 255, &out->fingerprint) < 0 ||
	    opt_field(r, f->context, max, &out->context) < 0) {
		finding_clear(out);
		return r->failed;
	}
	return 0;
}

int gw_record_add_finding(struct gw_record *r, const struct gw_finding *f)
{
	if (!r || !f)
		return failed(r, -EINVAL);
	if (r->n_findings >= GW_RECORD_MAX_FINDINGS)
		return failed(r, -E2BIG);
	if (r->n_findings == r->findings_alloc) {
		size_t n = r->findings_alloc ? r->findings_alloc * 2 : 16;
		void *p = realloc(r->findings, n * sizeof(*r->findings));

		if (!p)
			return failed(r, -ENOMEM);
		r->findings = p;
		r->findings_alloc = n;
	}
	if (copy_finding(r, f, &r->findings[r->n_findings]) < 0)
		return r->failed;
	r->n_findings++;
	return 0;
}

bool gw_record_json_kind_ok(const char *kind)
{
	return kind && (strcmp(kind, "deps") == 0 || strcmp(kind, "fuzz") == 0);
}

int gw_record_json_check(const char *json, char **out, struct gw_error *err)
{
	json_error_t jerr;
	json_t *doc;

	*out = NULL;
	if (!json)
		return gw_error_set(err, -EINVAL, "no JSON document");
	if (strlen(json) > GW_RECORD_MAX_JSON_BYTES)
		return gw_error_set(err, -E2BIG,
				    "JSON document larger than %u bytes",
				    GW_RECORD_MAX_JSON_BYTES);
	doc = json_loads(json, JSON_REJECT_DUPLICATES, &jerr);
	if (!doc)
		return gw_error_set_at(err, -EINVAL, (unsigned)jerr.line,
				       (unsigned)jerr.column,
				       "not valid JSON: %s", jerr.text);
	if (!json_is_object(doc)) {
		json_decref(doc);
		return gw_error_set(err, -EINVAL,
				    "the document must be a JSON object");
	}
	*out = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(doc);
	return *out ? 0 : gw_error_set(err, -ENOMEM, "out of memory");
}

int gw_record_add_json(struct gw_record *r, const char *kind, const char *json)
{
	struct gw_record_json *docs;
	char *text, *k;
	int rc;

	if (!r || !gw_record_json_kind_ok(kind))
		return failed(r, -EINVAL);
	if (r->n_docs >= GW_RECORD_MAX_ATTACHMENTS)
		return failed(r, -E2BIG);
	rc = gw_record_json_check(json, &text, NULL);
	if (rc < 0)
		return failed(r, rc);
	k = strdup(kind);
	docs = k ? realloc(r->docs, (r->n_docs + 1) * sizeof(*docs)) : NULL;
	if (!docs) {
		free(k);
		free(text);
		return failed(r, -ENOMEM);
	}
	r->docs = docs;
	docs[r->n_docs].kind = k;
	docs[r->n_docs].text = text;
	r->n_docs++;
	return 0;
}
