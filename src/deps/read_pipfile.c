/*
 * Pipenv's files. Pipfile (TOML): [packages], [dev-packages] and any
 * other category table, each name = "*" | "specifier" | { version,
 * extras, markers, a marker variable as a key, git / path / file,
 * editable }, and [[source]] indexes. Pipfile.lock (JSON): "_meta" with
 * its sources, then one object per category ("default", "develop", ...)
 * of name: { "version": "==x", "hashes": [...], "markers": ... }.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/limits.h"
#include "deps/read_priv.h"
#include "toml/toml.h"

/* Top-level tables of a Pipfile that are not package categories. */
static const char *const not_categories[] = { "source", "requires", "scripts",
					      "pipenv" };

/* Marker variables Pipfile allows as keys: sys_platform = "== 'linux'". */
static const char *const marker_keys[] = {
	"python_version",
	"python_full_version",
	"os_name",
	"sys_platform",
	"platform_machine",
	"platform_system",
	"platform_release",
	"platform_version",
	"platform_python_implementation",
	"implementation_name",
	"implementation_version",
};

/* Where a package comes from when not from an index, by key. */
static const struct {
	const char *key;
	enum gw_req_kind kind;
} located_keys[] = {
	{ "git", GW_REQ_VCS },	 { "hg", GW_REQ_VCS },	 { "svn", GW_REQ_VCS },
	{ "path", GW_REQ_PATH }, { "file", GW_REQ_URL },
};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static const char *category_group(const char *name)
{
	if (strcmp(name, "packages") == 0 || strcmp(name, "default") == 0)
		return "default";
	if (strcmp(name, "dev-packages") == 0 || strcmp(name, "develop") == 0)
		return "dev";
	return name;
}

/* Sources: the first is the index, the rest extra indexes. */
static void add_source(struct gw_dep_set *s, const char *path, unsigned line,
		       size_t i, const char *url, bool verify_ssl,
		       struct gw_error *err)
{
	char host[256];

	gw_deps_add_index(s, i == 0 ? "--index-url" : "--extra-index-url", url,
			  path, line, err);
	if (!verify_ssl)
		gw_deps_add_index(s, "--trusted-host",
				  gw_deps_url_host(url, host, sizeof(host)),
				  path, line, err);
}

/* ---- Pipfile ------------------------------------------------------- */

/* markers = "...", plus each marker variable key, joined with "and". */
static void pipfile_marker(const struct gw_toml_value *t, char *out, size_t cap)
{
	const char *m = gw_deps_toml_string(t, "markers");
	size_t used = 0;
	int w;

	out[0] = '\0';
	if (m) {
		w = snprintf(out, cap, "(%s)", m);
		used = w > 0 && (size_t)w < cap ? (size_t)w : 0;
	}
	for (size_t i = 0; i < N_OF(marker_keys); i++) {
		const char *v = gw_deps_toml_string(t, marker_keys[i]);

		if (!v)
			continue;
		w = snprintf(out + used, cap - used, "%s%s %s",
			     used ? " and " : "", marker_keys[i], v);
		if (w < 0 || (size_t)w >= cap - used)
			return;
		used += (size_t)w;
	}
}

static bool pipfile_located(struct gw_dep_set *s, const char *path,
			    const struct gw_toml_kv *kv,
			    const struct gw_toml_value *t, const char *group,
			    struct gw_error *err)
{
	const struct gw_toml_value *ed =
		gw_deps_toml_typed(t, "editable", GW_TOML_BOOL);
	struct gw_requirement *r;

	for (size_t i = 0; i < N_OF(located_keys); i++) {
		const char *where = gw_deps_toml_string(t, located_keys[i].key);

		if (!where)
			continue;
		r = gw_deps_push(s, path, kv->line, group, err);
		if (!r)
			return true;
		if (gw_deps_set_name(r, kv->key, kv->key_len) < 0) {
			gw_deps_pop(s);
			gw_deps_fail(s, err, -EINVAL, path, kv->line,
				     "not a valid project name");
			return true;
		}
		r->kind =
			ed && ed->u.b ? GW_REQ_EDITABLE : located_keys[i].kind;
		gw_deps_redact_url(r->url, sizeof(r->url), where,
				   strlen(where));
		return true;
	}
	return false;
}

static void pipfile_entry(struct gw_dep_set *s, const char *path,
			  const struct gw_toml_kv *kv, const char *group,
			  struct gw_error *err)
{
	const struct gw_toml_value *v = kv->value;
	char name[128], extras[512] = "", marker[1024] = "";
	const char *spec = NULL;

	if (kv->key_len >= sizeof(name) || memchr(kv->key, '\0', kv->key_len)) {
		gw_deps_fail(s, err, -EINVAL, path, kv->line,
			     "not a valid project name");
		return;
	}
	memcpy(name, kv->key, kv->key_len + 1);
	if (v->type == GW_TOML_STRING) {
		spec = v->u.s.ptr;
	} else if (v->type == GW_TOML_TABLE) {
		if (pipfile_located(s, path, kv, v, group, err))
			return;
		spec = gw_deps_toml_string(v, "version");
		gw_deps_toml_join(v, "extras", extras, sizeof(extras));
		pipfile_marker(v, marker, sizeof(marker));
	} else {
		gw_deps_fail(s, err, -EINVAL, path, kv->line,
			     "expected a version string or a table");
		return;
	}
	if (spec && strcmp(spec, "*") == 0)
		spec = NULL;
	gw_deps_add_composed(s, path, kv->line, group, name, extras, spec,
			     marker, NULL, err);
}

static bool is_category(const struct gw_toml_kv *kv)
{
	if (kv->value->type != GW_TOML_TABLE)
		return false;
	for (size_t i = 0; i < N_OF(not_categories); i++)
		if (strcmp(kv->key, not_categories[i]) == 0)
			return false;
	return true;
}

int gw_deps_read_pipfile(const char *path, const char *text, size_t len,
			 struct gw_dep_set *s, struct gw_error *err)
{
	const struct gw_toml_value *src;
	struct gw_toml_value *root;
	size_t before = s->nerrors;

	if (gw_deps_toml(s, path, text, len, &root, err) < 0)
		return gw_deps_result(s, before);
	src = gw_deps_toml_typed(root, "source", GW_TOML_ARRAY);
	for (size_t i = 0; src && i < src->u.arr.len; i++) {
		const struct gw_toml_value *t = src->u.arr.items[i];
		const struct gw_toml_value *v =
			gw_deps_toml_typed(t, "verify_ssl", GW_TOML_BOOL);
		const char *url = gw_deps_toml_string(t, "url");

		if (url)
			add_source(s, path, t->line, i, url, !v || v->u.b, err);
	}
	for (size_t i = 0; i < root->u.tab.len; i++) {
		const struct gw_toml_kv *cat = &root->u.tab.kvs[i];

		if (!is_category(cat))
			continue;
		for (size_t k = 0; k < cat->value->u.tab.len; k++)
			pipfile_entry(s, path, &cat->value->u.tab.kvs[k],
				      category_group(cat->key), err);
	}
	gw_toml_free(root);
	return gw_deps_result(s, before);
}

/* ---- Pipfile.lock: where each member was written --------------------- */

/* A key two objects deep ("default" -> "requests") and its line. */
struct member_line {
	const char *outer, *key;
	size_t outer_len, key_len;
	unsigned line;
};

struct member_lines {
	struct member_line *items;
	size_t n, alloc;
};

/* The end of the JSON string that starts at text[i] == '"'. */
static size_t string_end(const char *text, size_t len, size_t i)
{
	for (i++; i < len; i++) {
		if (text[i] == '\\')
			i++;
		else if (text[i] == '"')
			return i;
	}
	return len;
}

static int remember(struct member_lines *m, const struct member_line *l)
{
	struct member_line *p;

	if (m->n == m->alloc) {
		size_t want = m->alloc ? m->alloc * 2 : 64;

		if (want > GW_DEPS_MAX_REQUIREMENTS * 2)
			return -E2BIG;
		p = realloc(m->items, want * sizeof(*p));
		if (!p)
			return -ENOMEM;
		m->items = p;
		m->alloc = want;
	}
	m->items[m->n++] = *l;
	return 0;
}

/*
 * One pass over text (already known to be valid JSON) that notes each
 * key of the objects inside the top-level object, with its line.
 */
static void scan_members(const char *text, size_t len, struct member_lines *m)
{
	struct member_line cur = { 0 };
	unsigned line = 1, depth = 0;

	for (size_t i = 0; i < len; i++) {
		char ch = text[i];
		size_t end, j;

		if (ch == '\n')
			line++;
		else if (ch == '{' || ch == '[')
			depth++;
		else if (ch == '}' || ch == ']')
			depth--;
		if (ch != '"')
			continue;
		end = string_end(text, len, i);
		for (j = end + 1; j < len && strchr(" \t\r\n", text[j]); j++)
			;
		if (j < len && text[j] == ':' && depth == 1) {
			cur.outer = text + i + 1;
			cur.outer_len = end - i - 1;
		} else if (j < len && text[j] == ':' && depth == 2) {
			cur.key = text + i + 1;
			cur.key_len = end - i - 1;
			cur.line = line;
			if (remember(m, &cur) < 0)
				return;
		}
		i = end; /* a JSON string holds no raw newline */
	}
}

static unsigned member_line(const struct member_lines *m, const char *outer,
			    const char *key)
{
	for (size_t i = 0; i < m->n; i++) {
		const struct member_line *l = &m->items[i];

		if (l->outer_len == strlen(outer) &&
		    l->key_len == strlen(key) &&
		    memcmp(l->outer, outer, l->outer_len) == 0 &&
		    memcmp(l->key, key, l->key_len) == 0)
			return l->line;
	}
	return 0;
}

/* ---- Pipfile.lock: entries ----------------------------------------- */

static void lock_hashes(struct gw_dep_set *s, const char *path, unsigned line,
			struct gw_requirement *r, json_t *hashes,
			struct gw_error *err)
{
	size_t i;
	json_t *h;

	json_array_foreach(hashes, i, h)
	{
		const char *t = json_string_value(h);

		if (!t || gw_deps_add_hash_text(r, t, strlen(t)) < 0)
			gw_deps_fail(s, err, -EINVAL, path, line,
				     "hashes[%zu]: not a sha256, sha384 or "
				     "sha512 digest",
				     i);
	}
}

static enum gw_req_kind lock_kind(json_t *pkg, const char **where)
{
	json_t *ed = json_object_get(pkg, "editable");

	for (size_t i = 0; i < N_OF(located_keys); i++) {
		*where = json_string_value(
			json_object_get(pkg, located_keys[i].key));
		if (*where)
			return json_is_true(ed) ? GW_REQ_EDITABLE
						: located_keys[i].kind;
	}
	*where = NULL;
	return GW_REQ_NAMED;
}

/* "==1.2.3" locks; anything else is kept as a specifier (a range). */
static void lock_version(struct gw_dep_set *s, const char *path, unsigned line,
			 struct gw_requirement *r, const char *version,
			 struct gw_error *err)
{
	struct gw_error cause;

	if (strncmp(version, "==", 2) == 0 && !strchr(version, ',') &&
	    !strchr(version, '*')) {
		gw_deps_set_locked(r, version + 2, strlen(version + 2));
		return;
	}
	gw_error_clear(&cause);
	if (gw_specset_parse(version, strlen(version), &r->spec, &cause) < 0)
		gw_deps_fail_with(s, err, &cause, path, line);
}

static void lock_entry(struct gw_dep_set *s, const char *path, unsigned line,
		       const char *group, const char *name, json_t *pkg,
		       struct gw_error *err)
{
	const char *version =
		json_string_value(json_object_get(pkg, "version"));
	const char *markers =
		json_string_value(json_object_get(pkg, "markers"));
	struct gw_requirement *r;
	struct gw_error cause;
	const char *where;

	if (!json_is_object(pkg)) {
		gw_deps_fail(s, err, -EINVAL, path, line, "expected an object");
		return;
	}
	r = gw_deps_push(s, path, line, group, err);
	if (!r)
		return;
	if (gw_deps_set_name(r, name, strlen(name)) < 0) {
		gw_deps_pop(s);
		gw_deps_fail(s, err, -EINVAL, path, line,
			     "not a valid project name");
		return;
	}
	r->kind = lock_kind(pkg, &where);
	if (where)
		gw_deps_redact_url(r->url, sizeof(r->url), where,
				   strlen(where));
	else if (version)
		lock_version(s, path, line, r, version, err);
	else
		gw_deps_fail(s, err, -EINVAL, path, line,
			     "no version and no git, path or file");
	lock_hashes(s, path, line, r, json_object_get(pkg, "hashes"), err);
	gw_error_clear(&cause);
	if (markers &&
	    gw_deps_set_marker(r, markers, strlen(markers), &cause) < 0)
		gw_deps_fail_with(s, err, &cause, path, line);
}

static void lock_sources(struct gw_dep_set *s, const char *path, json_t *meta,
			 const struct member_lines *m, struct gw_error *err)
{
	json_t *src;
	size_t i;

	json_array_foreach(json_object_get(meta, "sources"), i, src)
	{
		const char *url =
			json_string_value(json_object_get(src, "url"));
		json_t *v = json_object_get(src, "verify_ssl");

		if (url)
			add_source(s, path, member_line(m, "_meta", "sources"),
				   i, url, !json_is_false(v), err);
	}
}

int gw_deps_read_pipfile_lock(const char *path, const char *text, size_t len,
			      struct gw_dep_set *s, struct gw_error *err)
{
	struct member_lines m = { 0 };
	size_t before = s->nerrors;
	json_error_t jerr;
	const char *cat;
	json_t *root, *pkgs;
	char esc[200];

	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return gw_deps_fail(s, err, -EINVAL, path, (unsigned)jerr.line,
				    "not valid JSON: %s",
				    gw_deps_esc(esc, sizeof(esc), jerr.text,
						strlen(jerr.text)));
	if (!json_is_object(root)) {
		json_decref(root);
		return gw_deps_fail(s, err, -EINVAL, path, 1,
				    "expected a JSON object");
	}
	scan_members(text, len, &m);
	lock_sources(s, path, json_object_get(root, "_meta"), &m, err);
	json_object_foreach(root, cat, pkgs)
	{
		const char *name;
		json_t *pkg;

		if (strcmp(cat, "_meta") == 0 || !json_is_object(pkgs))
			continue;
		json_object_foreach(pkgs, name, pkg)
			lock_entry(s, path, member_line(&m, cat, name),
				   category_group(cat), name, pkg, err);
	}
	free(m.items);
	json_decref(root);
	return gw_deps_result(s, before);
}
