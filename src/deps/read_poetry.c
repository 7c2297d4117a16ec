/*
 * poetry.lock: one [[package]] table per locked package with its name,
 * version, groups (or the older category), a [package.source] for what
 * does not come from an index, and files = [{ file, hash }]. Lock files
 * of format 1.x keep the hashes in [metadata.files] instead, by name.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/error.h"
#include "deps/read_priv.h"
#include "toml/toml.h"

/* [package.source] types that do not name an index. */
static const struct {
	const char *type;
	enum gw_req_kind kind;
} source_types[] = {
	{ "git", GW_REQ_VCS },
	{ "directory", GW_REQ_PATH },
	{ "file", GW_REQ_PATH },
	{ "url", GW_REQ_URL },
};

static void package_group(const struct gw_toml_value *pkg, char *out,
			  size_t cap)
{
	const struct gw_toml_value *groups =
		gw_deps_toml_typed(pkg, "groups", GW_TOML_ARRAY);
	const char *g = gw_deps_toml_string(pkg, "category");

	if (groups && groups->u.arr.len &&
	    groups->u.arr.items[0]->type == GW_TOML_STRING)
		g = groups->u.arr.items[0]->u.s.ptr;
	if (!g || strcmp(g, "main") == 0)
		g = "default";
	snprintf(out, cap, "%s", g);
}

static enum gw_req_kind package_kind(const struct gw_toml_value *pkg,
				     const char **url)
{
	const struct gw_toml_value *src =
		gw_deps_toml_typed(pkg, "source", GW_TOML_TABLE);
	const char *type = gw_deps_toml_string(src, "type");

	*url = gw_deps_toml_string(src, "url");
	for (size_t i = 0;
	     type && i < sizeof(source_types) / sizeof(source_types[0]); i++)
		if (strcmp(type, source_types[i].type) == 0)
			return source_types[i].kind;
	return GW_REQ_NAMED;
}

/* files = [{ file = "x.whl", hash = "sha256:..." }, ...] */
static void add_files(struct gw_dep_set *s, const char *path,
		      struct gw_requirement *r,
		      const struct gw_toml_value *files, struct gw_error *err)
{
	for (size_t i = 0; files && i < files->u.arr.len; i++) {
		const struct gw_toml_value *f = files->u.arr.items[i];
		const char *h = gw_deps_toml_string(f, "hash");

		if (h && gw_deps_add_hash_text(r, h, strlen(h)) < 0)
			gw_deps_fail(s, err, -EINVAL, path, f->line,
				     "files[%zu]: not a sha256, sha384 or "
				     "sha512 hash",
				     i);
	}
}

static void add_package(struct gw_dep_set *s, const char *path,
			const struct gw_toml_value *pkg,
			const struct gw_toml_value *legacy_files,
			struct gw_error *err)
{
	const char *name = gw_deps_toml_string(pkg, "name");
	const char *version = gw_deps_toml_string(pkg, "version");
	const char *url = NULL;
	enum gw_req_kind kind = package_kind(pkg, &url);
	struct gw_requirement *r;
	char group[64];

	if (pkg->type != GW_TOML_TABLE || !name) {
		gw_deps_fail(s, err, -EINVAL, path, pkg->line,
			     "[[package]] without a name");
		return;
	}
	if (kind == GW_REQ_NAMED && !version) {
		gw_deps_fail(s, err, -EINVAL, path, pkg->line,
			     "[[package]] without a version");
		return;
	}
	package_group(pkg, group, sizeof(group));
	r = gw_deps_add_locked(s, path, pkg->line, group, name, strlen(name),
			       version, err);
	if (!r)
		return;
	r->kind = kind;
	if (url && kind != GW_REQ_NAMED)
		gw_deps_redact_url(r->url, sizeof(r->url), url, strlen(url));
	add_files(s, path, r, gw_deps_toml_typed(pkg, "files", GW_TOML_ARRAY),
		  err);
	add_files(s, path, r,
		  gw_deps_toml_typed(legacy_files, name, GW_TOML_ARRAY), err);
}

int gw_deps_read_poetry_lock(const char *path, const char *text, size_t len,
			     struct gw_dep_set *s, struct gw_error *err)
{
	const struct gw_toml_value *pkgs, *meta, *legacy;
	struct gw_toml_value *root;
	size_t before = s->nerrors;

	if (gw_deps_toml(s, path, text, len, &root, err) < 0)
		return gw_deps_result(s, before);
	meta = gw_deps_toml_typed(root, "metadata", GW_TOML_TABLE);
	legacy = gw_deps_toml_typed(meta, "files", GW_TOML_TABLE);
	pkgs = gw_toml_get(root, "package");
	if (pkgs && pkgs->type != GW_TOML_ARRAY)
		gw_deps_fail(s, err, -EINVAL, path, pkgs->line,
			     "package: expected [[package]] tables");
	for (size_t i = 0;
	     pkgs && pkgs->type == GW_TOML_ARRAY && i < pkgs->u.arr.len; i++)
		add_package(s, path, pkgs->u.arr.items[i], legacy, err);
	gw_toml_free(root);
	return gw_deps_result(s, before);
}
