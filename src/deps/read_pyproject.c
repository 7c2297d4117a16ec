/*
 * pyproject.toml: PEP 621 [project] dependencies and
 * optional-dependencies, PEP 735 [dependency-groups], and Poetry's
 * [tool.poetry] dependencies, dev-dependencies and groups, whose caret,
 * tilde and wildcard constraints are translated into PEP 440 specifiers
 * as Poetry's documentation defines them. The "python" key of a Poetry
 * table names the interpreter, not a package, and is skipped.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/error.h"
#include "core/limits.h"
#include "deps/read_priv.h"
#include "toml/toml.h"

#define MAX_PARTS 16

/* ---- Poetry constraints -------------------------------------------- */

/* The leading numeric release parts of v ("1.2.3b1" gives 1, 2, 3). */
static size_t release_parts(const char *v, size_t len, unsigned long *out,
			    size_t cap)
{
	size_t n = 0, i = 0;

	while (i < len && n < cap && isdigit((unsigned char)v[i])) {
		unsigned long x = 0;

		while (i < len && isdigit((unsigned char)v[i]) &&
		       x < 1000000000)
			x = x * 10 + (unsigned long)(v[i++] - '0');
		out[n++] = x;
		if (i + 1 < len && v[i] == '.' &&
		    isdigit((unsigned char)v[i + 1]))
			i++;
		else
			break;
	}
	return n;
}

/*
 * ">=v,<u" where u is v's first `bump` + 1 parts with the last raised by
 * one and the rest of v's parts as zeros.
 */
static int bounded(const char *v, size_t len, size_t bump, char *out,
		   size_t cap)
{
	unsigned long part[MAX_PARTS];
	size_t n = release_parts(v, len, part, MAX_PARTS), used;
	int w;

	if (n == 0)
		return -EINVAL;
	if (bump >= n)
		bump = n - 1;
	w = snprintf(out, cap, ">=%.*s,<", (int)len, v);
	if (w < 0 || (size_t)w >= cap)
		return -E2BIG;
	used = (size_t)w;
	for (size_t i = 0; i < n; i++) {
		unsigned long x = i < bump    ? part[i]
				  : i == bump ? part[i] + 1
					      : 0;

		w = snprintf(out + used, cap - used, "%s%lu", i ? "." : "", x);
		if (w < 0 || (size_t)w >= cap - used)
			return -E2BIG;
		used += (size_t)w;
	}
	return 0;
}

/* ^v: the leftmost non-zero part may not change (all zeros: the last). */
static int caret(const char *v, size_t len, char *out, size_t cap)
{
	unsigned long part[MAX_PARTS];
	size_t n = release_parts(v, len, part, MAX_PARTS), i = 0;

	while (i + 1 < n && part[i] == 0)
		i++;
	return n ? bounded(v, len, i, out, cap) : -EINVAL;
}

/* ~v: the minor version may not change (only a major: the major). */
static int tilde(const char *v, size_t len, char *out, size_t cap)
{
	unsigned long part[MAX_PARTS];
	size_t n = release_parts(v, len, part, MAX_PARTS);

	return n ? bounded(v, len, n == 1 ? 0 : 1, out, cap) : -EINVAL;
}

/* One comma-free part, spaces removed, into out. */
static int one_constraint(const char *p, size_t len, char *out, size_t cap)
{
	static const char *const pep440_ops[] = { "===", "==", "!=", "~=",
						  ">=",	 "<=", ">",  "<" };
	int w;

	if (len == 0 || (len == 1 && p[0] == '*')) {
		out[0] = '\0';
		return 0;
	}
	if (p[0] == '^')
		return caret(p + 1, len - 1, out, cap);
	if (p[0] == '~' && (len < 2 || p[1] != '='))
		return tilde(p + 1, len - 1, out, cap);
	for (size_t i = 0; i < sizeof(pep440_ops) / sizeof(*pep440_ops); i++)
		if (len >= strlen(pep440_ops[i]) &&
		    memcmp(p, pep440_ops[i], strlen(pep440_ops[i])) == 0) {
			w = snprintf(out, cap, "%.*s", (int)len, p);
			return w < 0 || (size_t)w >= cap ? -E2BIG : 0;
		}
	if (p[0] == '=')
		p++, len--;
	if (len == 0 || !isdigit((unsigned char)p[0]))
		return -EINVAL;
	w = snprintf(out, cap, "==%.*s", (int)len, p);
	return w < 0 || (size_t)w >= cap ? -E2BIG : 0;
}

int gw_deps_poetry_constraint(const char *text, size_t len, char *out,
			      size_t cap)
{
	char part[256], one[256];
	size_t used = 0, i = 0;

	if (cap == 0)
		return -E2BIG;
	out[0] = '\0';
	if (memmem(text, len, "||", 2) || memchr(text, '|', len))
		return -ENOTSUP;
	while (i <= len) {
		size_t n = 0;
		int rc;

		for (; i < len && text[i] != ','; i++)
			if (!isspace((unsigned char)text[i]) &&
			    n < sizeof(part) - 1)
				part[n++] = text[i];
		i++;
		rc = one_constraint(part, n, one, sizeof(one));
		if (rc < 0)
			return rc;
		if (!one[0])
			continue;
		rc = snprintf(out + used, cap - used, "%s%s", used ? "," : "",
			      one);
		if (rc < 0 || (size_t)rc >= cap - used)
			return -E2BIG;
		used += (size_t)rc;
	}
	return 0;
}

/* ---- PEP 621 and PEP 735 ------------------------------------------- */

/* An array of PEP 508 strings (tables, as include-group, are skipped). */
static void pep508_array(struct gw_dep_set *s, const char *path,
			 const struct gw_toml_value *arr, const char *group,
			 const char *field, struct gw_error *err)
{
	if (arr->type != GW_TOML_ARRAY) {
		gw_deps_fail(s, err, -EINVAL, path, arr->line,
			     "%s: expected an array of requirement strings",
			     field);
		return;
	}
	for (size_t i = 0; i < arr->u.arr.len; i++) {
		const struct gw_toml_value *v = arr->u.arr.items[i];

		if (v->type == GW_TOML_TABLE)
			continue;
		if (v->type != GW_TOML_STRING) {
			gw_deps_fail(s, err, -EINVAL, path, v->line,
				     "%s[%zu]: expected a string, not %s",
				     field, i, gw_toml_type_name(v->type));
			continue;
		}
		gw_deps_add_pep508(s, path, v->line, group, v->u.s.ptr,
				   v->u.s.len, NULL, err);
	}
}

/* A table of name = array (optional-dependencies, dependency-groups). */
static void pep508_groups(struct gw_dep_set *s, const char *path,
			  const struct gw_toml_value *t, const char *prefix,
			  const char *field, struct gw_error *err)
{
	char group[64], where[128], esc[48];

	if (t->type != GW_TOML_TABLE) {
		gw_deps_fail(s, err, -EINVAL, path, t->line,
			     "%s: expected a table", field);
		return;
	}
	for (size_t i = 0; i < t->u.tab.len; i++) {
		const struct gw_toml_kv *kv = &t->u.tab.kvs[i];

		gw_deps_esc(esc, sizeof(esc), kv->key, kv->key_len);
		snprintf(group, sizeof(group), "%s:%s", prefix, esc);
		snprintf(where, sizeof(where), "%s.%s", field, esc);
		pep508_array(s, path, kv->value, group, where, err);
	}
}

/* ---- Poetry -------------------------------------------------------- */

/* A dependency from git, a path or a URL: kept, but not auditable. */
static bool poetry_located(struct gw_dep_set *s, const char *path,
			   const struct gw_toml_kv *kv,
			   const struct gw_toml_value *t, const char *group,
			   struct gw_error *err)
{
	static const struct {
		const char *key;
		enum gw_req_kind kind;
	} sources[] = {
		{ "git", GW_REQ_VCS },
		{ "path", GW_REQ_PATH },
		{ "file", GW_REQ_PATH },
		{ "url", GW_REQ_URL },
	};
	const struct gw_toml_value *dev =
		gw_deps_toml_typed(t, "develop", GW_TOML_BOOL);
	struct gw_requirement *r;

	for (size_t i = 0; i < sizeof(sources) / sizeof(sources[0]); i++) {
		const char *where = gw_deps_toml_string(t, sources[i].key);

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
		r->kind = sources[i].kind;
		if (r->kind == GW_REQ_PATH && dev && dev->u.b)
			r->kind = GW_REQ_EDITABLE;
		gw_deps_redact_url(r->url, sizeof(r->url), where,
				   strlen(where));
		return true;
	}
	return false;
}

/* One Poetry constraint string for the package kv names. */
static void poetry_add(struct gw_dep_set *s, const char *path,
		       const struct gw_toml_kv *kv, unsigned line,
		       const char *constraint, const char *extras,
		       const char *marker, const char *group,
		       struct gw_error *err)
{
	char spec[512], name[128], esc[128];
	int rc;

	rc = gw_deps_poetry_constraint(constraint, strlen(constraint), spec,
				       sizeof(spec));
	if (rc == -ENOTSUP)
		spec[0] = '\0'; /* a union: kept as a range, unpinned */
	else if (rc < 0) {
		gw_deps_fail(s, err, -EINVAL, path, line,
			     "%s: not a Poetry version constraint",
			     gw_deps_esc(esc, sizeof(esc), constraint,
					 strlen(constraint)));
		return;
	}
	if (kv->key_len >= sizeof(name)) {
		gw_deps_fail(s, err, -EINVAL, path, line, "name too long");
		return;
	}
	memcpy(name, kv->key, kv->key_len + 1);
	gw_deps_add_composed(s, path, line, group, name, extras, spec, marker,
			     NULL, err);
}

static void poetry_entry(struct gw_dep_set *s, const char *path,
			 const struct gw_toml_kv *kv,
			 const struct gw_toml_value *v, const char *group,
			 struct gw_error *err)
{
	char extras[512];
	const char *version;

	if (v->type == GW_TOML_STRING) {
		poetry_add(s, path, kv, v->line, v->u.s.ptr, NULL, NULL, group,
			   err);
		return;
	}
	if (v->type == GW_TOML_ARRAY) { /* one constraint per condition */
		for (size_t i = 0; i < v->u.arr.len; i++)
			poetry_entry(s, path, kv, v->u.arr.items[i], group,
				     err);
		return;
	}
	if (v->type != GW_TOML_TABLE) {
		gw_deps_fail(s, err, -EINVAL, path, v->line,
			     "expected a constraint string or a table");
		return;
	}
	if (poetry_located(s, path, kv, v, group, err))
		return;
	version = gw_deps_toml_string(v, "version");
	gw_deps_toml_join(v, "extras", extras, sizeof(extras));
	poetry_add(s, path, kv, v->line, version ? version : "*", extras,
		   gw_deps_toml_string(v, "markers"), group, err);
}

static void poetry_table(struct gw_dep_set *s, const char *path,
			 const struct gw_toml_value *t, const char *group,
			 struct gw_error *err)
{
	if (!t)
		return;
	if (t->type != GW_TOML_TABLE) {
		gw_deps_fail(s, err, -EINVAL, path, t->line,
			     "expected a table of dependencies");
		return;
	}
	for (size_t i = 0; i < t->u.tab.len; i++) {
		const struct gw_toml_kv *kv = &t->u.tab.kvs[i];

		if (kv->key_len == 6 && memcmp(kv->key, "python", 6) == 0)
			continue;
		poetry_entry(s, path, kv, kv->value, group, err);
	}
}

/* [[tool.poetry.source]]: the package indexes Poetry may use. */
static void poetry_sources(struct gw_dep_set *s, const char *path,
			   const struct gw_toml_value *poetry,
			   struct gw_error *err)
{
	const struct gw_toml_value *src =
		gw_deps_toml_typed(poetry, "source", GW_TOML_ARRAY);

	for (size_t i = 0; src && i < src->u.arr.len; i++) {
		const struct gw_toml_value *t = src->u.arr.items[i];
		const char *url = gw_deps_toml_string(t, "url");
		const char *prio = gw_deps_toml_string(t, "priority");

		if (!url)
			continue;
		/* Only "explicit" sources are never searched for a name. */
		gw_deps_add_index(s,
				  prio && strcmp(prio, "explicit") == 0
					  ? "poetry-source-explicit"
					  : "--extra-index-url",
				  url, path, t->line, err);
	}
}

static void poetry(struct gw_dep_set *s, const char *path,
		   const struct gw_toml_value *root, struct gw_error *err)
{
	const struct gw_toml_value *tool = gw_toml_get(root, "tool");
	const struct gw_toml_value *po = gw_toml_get(tool, "poetry");
	const struct gw_toml_value *groups;
	char group[64], esc[48];

	if (!po || po->type != GW_TOML_TABLE)
		return;
	poetry_table(s, path, gw_toml_get(po, "dependencies"), "default", err);
	poetry_table(s, path, gw_toml_get(po, "dev-dependencies"), "dev", err);
	groups = gw_deps_toml_typed(po, "group", GW_TOML_TABLE);
	for (size_t i = 0; groups && i < groups->u.tab.len; i++) {
		const struct gw_toml_kv *kv = &groups->u.tab.kvs[i];

		gw_deps_esc(esc, sizeof(esc), kv->key, kv->key_len);
		snprintf(group, sizeof(group), "group:%s", esc);
		poetry_table(s, path, gw_toml_get(kv->value, "dependencies"),
			     group, err);
	}
	poetry_sources(s, path, po, err);
}

int gw_deps_read_pyproject(const char *path, const char *text, size_t len,
			   struct gw_dep_set *s, struct gw_error *err)
{
	const struct gw_toml_value *project, *v;
	struct gw_toml_value *root;
	size_t before = s->nerrors;
	int rc;

	rc = gw_deps_toml(s, path, text, len, &root, err);
	if (rc < 0)
		return rc;
	project = gw_toml_get(root, "project");
	v = gw_toml_get(project, "dependencies");
	if (v)
		pep508_array(s, path, v, "default", "project.dependencies",
			     err);
	v = gw_toml_get(project, "optional-dependencies");
	if (v)
		pep508_groups(s, path, v, "optional",
			      "project.optional-dependencies", err);
	v = gw_toml_get(root, "dependency-groups");
	if (v)
		pep508_groups(s, path, v, "group", "dependency-groups", err);
	poetry(s, path, root, err);
	gw_toml_free(root);
	return gw_deps_result(s, before);
}
