/*
 * uv.lock: version = 1, then one [[package]] per locked package: name,
 * version, source = { registry | git | url | path | directory | editable
 * | virtual = ... }, sdist = { url, hash, size } and wheels = [{ url,
 * hash, size }]. The project itself (a virtual or editable source ".")
 * is the environment being vetted, not a dependency, and is left out.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/error.h"
#include "deps/read_priv.h"
#include "toml/toml.h"

/* The newest uv.lock format this reader knows. */
#define UV_LOCK_VERSION 1

static const struct {
	const char *key;
	enum gw_req_kind kind;
} source_keys[] = {
	{ "registry", GW_REQ_NAMED }, { "git", GW_REQ_VCS },
	{ "url", GW_REQ_URL },	      { "path", GW_REQ_PATH },
	{ "directory", GW_REQ_PATH }, { "editable", GW_REQ_EDITABLE },
	{ "virtual", GW_REQ_PATH },
};

/* The kind a source table gives, its location in *where. */
static enum gw_req_kind source_kind(const struct gw_toml_value *src,
				    const char **where, bool *root)
{
	*where = NULL;
	*root = false;
	for (size_t i = 0; i < sizeof(source_keys) / sizeof(source_keys[0]);
	     i++) {
		const char *v = gw_deps_toml_string(src, source_keys[i].key);

		if (!v)
			continue;
		*where = v;
		*root = (strcmp(source_keys[i].key, "virtual") == 0 ||
			 strcmp(source_keys[i].key, "editable") == 0) &&
			strcmp(v, ".") == 0;
		return source_keys[i].kind;
	}
	return GW_REQ_NAMED;
}

static void add_hash(struct gw_dep_set *s, const char *path,
		     struct gw_requirement *r, const struct gw_toml_value *dist,
		     const char *field, struct gw_error *err)
{
	const char *h = gw_deps_toml_string(dist, "hash");

	if (!dist || !h) /* no hash: a finding of the audit, not an error */
		return;
	if (gw_deps_add_hash_text(r, h, strlen(h)) < 0)
		gw_deps_fail(s, err, -EINVAL, path, dist->line,
			     "%s: not a sha256, sha384 or sha512 hash", field);
}

static void add_package(struct gw_dep_set *s, const char *path,
			const struct gw_toml_value *pkg, struct gw_error *err)
{
	const char *name = gw_deps_toml_string(pkg, "name");
	const char *version = gw_deps_toml_string(pkg, "version");
	const struct gw_toml_value *wheels;
	struct gw_requirement *r;
	enum gw_req_kind kind;
	const char *where;
	bool root;

	kind = source_kind(gw_deps_toml_typed(pkg, "source", GW_TOML_TABLE),
			   &where, &root);
	if (root)
		return;
	if (!name)
		return (void)gw_deps_fail(s, err, -EINVAL, path, pkg->line,
					  "[[package]] without a name");
	if (kind == GW_REQ_NAMED && !version)
		return (void)gw_deps_fail(s, err, -EINVAL, path, pkg->line,
					  "[[package]] from an index without "
					  "a version");
	r = gw_deps_add_locked(s, path, pkg->line, "default", name,
			       strlen(name), version, err);
	if (!r)
		return;
	r->kind = kind;
	if (where && kind != GW_REQ_NAMED)
		gw_deps_redact_url(r->url, sizeof(r->url), where,
				   strlen(where));
	add_hash(s, path, r, gw_deps_toml_typed(pkg, "sdist", GW_TOML_TABLE),
		 "sdist", err);
	wheels = gw_deps_toml_typed(pkg, "wheels", GW_TOML_ARRAY);
	for (size_t i = 0; wheels && i < wheels->u.arr.len; i++)
		add_hash(s, path, r, wheels->u.arr.items[i], "wheels", err);
}

int gw_deps_read_uv_lock(const char *path, const char *text, size_t len,
			 struct gw_dep_set *s, struct gw_error *err)
{
	const struct gw_toml_value *pkgs, *v;
	struct gw_toml_value *root;
	size_t before = s->nerrors;

	if (gw_deps_toml(s, path, text, len, &root, err) < 0)
		return gw_deps_result(s, before);
	v = gw_deps_toml_typed(root, "version", GW_TOML_INTEGER);
	if (!v)
		gw_deps_fail(s, err, -EINVAL, path, 1,
			     "no integer lock version: not a uv.lock");
	else if (v->u.i > UV_LOCK_VERSION || v->u.i < 1)
		gw_deps_fail(s, err, -ENOTSUP, path, v->line,
			     "lock version %lld is not one this reader knows "
			     "(%d)",
			     (long long)v->u.i, UV_LOCK_VERSION);
	pkgs = gw_deps_toml_typed(root, "package", GW_TOML_ARRAY);
	for (size_t i = 0; pkgs && i < pkgs->u.arr.len; i++)
		if (pkgs->u.arr.items[i]->type == GW_TOML_TABLE)
			add_package(s, path, pkgs->u.arr.items[i], err);
	gw_toml_free(root);
	return gw_deps_result(s, before);
}
