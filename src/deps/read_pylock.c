/*
 * pylock.toml (PEP 751): lock-version "1.x", created-by, then one
 * [[packages]] table per package: name, version (required for what comes
 * from an index), marker, and where it comes from: vcs, directory,
 * archive, or an index's sdist and wheels, each with hashes = { algo =
 * "hex" }. A lock-version whose major number is not 1 is refused, as the
 * PEP requires.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "deps/read_priv.h"
#include "toml/toml.h"

/* hashes = { sha256 = "..." }: algorithms pip would not check are skipped. */
static void add_hashes(struct gw_dep_set *s, const char *path,
		       struct gw_requirement *r,
		       const struct gw_toml_value *file, struct gw_error *err)
{
	const struct gw_toml_value *h =
		gw_deps_toml_typed(file, "hashes", GW_TOML_TABLE);

	for (size_t i = 0; h && i < h->u.tab.len; i++) {
		const struct gw_toml_kv *kv = &h->u.tab.kvs[i];
		int rc;

		if (kv->value->type != GW_TOML_STRING ||
		    strncmp(kv->key, "sha", 3) != 0)
			continue;
		rc = gw_deps_add_hash(r, kv->key, kv->key_len,
				      kv->value->u.s.ptr, kv->value->u.s.len);
		if (rc < 0)
			gw_deps_fail(s, err, rc, path, kv->line,
				     "hashes: not a valid digest");
	}
}

/* Where the package comes from; index packages are NAMED. */
static enum gw_req_kind package_kind(const struct gw_toml_value *pkg,
				     const char **where)
{
	const struct gw_toml_value *t;
	const struct gw_toml_value *ed;

	*where = NULL;
	if ((t = gw_deps_toml_typed(pkg, "vcs", GW_TOML_TABLE))) {
		*where = gw_deps_toml_string(t, "url");
		if (!*where)
			*where = gw_deps_toml_string(t, "path");
		return GW_REQ_VCS;
	}
	if ((t = gw_deps_toml_typed(pkg, "directory", GW_TOML_TABLE))) {
		*where = gw_deps_toml_string(t, "path");
		ed = gw_deps_toml_typed(t, "editable", GW_TOML_BOOL);
		return ed && ed->u.b ? GW_REQ_EDITABLE : GW_REQ_PATH;
	}
	if ((t = gw_deps_toml_typed(pkg, "archive", GW_TOML_TABLE))) {
		*where = gw_deps_toml_string(t, "url");
		if (*where)
			return GW_REQ_URL;
		*where = gw_deps_toml_string(t, "path");
		return GW_REQ_PATH;
	}
	return GW_REQ_NAMED;
}

static void add_package(struct gw_dep_set *s, const char *path,
			const struct gw_toml_value *pkg, struct gw_error *err)
{
	const char *name = gw_deps_toml_string(pkg, "name");
	const char *version = gw_deps_toml_string(pkg, "version");
	const char *marker = gw_deps_toml_string(pkg, "marker");
	const struct gw_toml_value *wheels;
	struct gw_requirement *r;
	struct gw_error cause;
	enum gw_req_kind kind;
	const char *where;

	kind = package_kind(pkg, &where);
	if (!name)
		return (void)gw_deps_fail(s, err, -EINVAL, path, pkg->line,
					  "[[packages]] without a name");
	if (kind == GW_REQ_NAMED && !version)
		return (void)gw_deps_fail(s, err, -EINVAL, path, pkg->line,
					  "[[packages]] from an index without "
					  "a version");
	r = gw_deps_add_locked(s, path, pkg->line, "default", name,
			       strlen(name), version, err);
	if (!r)
		return;
	r->kind = kind;
	if (where)
		gw_deps_redact_url(r->url, sizeof(r->url), where,
				   strlen(where));
	/*
	 * A marker may use the PEP 751 variables (dependency_groups, extras)
	 * a PEP 508 parser does not know: keep the text and audit anyway.
	 */
	gw_error_clear(&cause);
	if (marker && gw_deps_set_marker(r, marker, strlen(marker), &cause) < 0)
		r->marker = NULL;
	add_hashes(s, path, r, gw_deps_toml_typed(pkg, "sdist", GW_TOML_TABLE),
		   err);
	add_hashes(s, path, r,
		   gw_deps_toml_typed(pkg, "archive", GW_TOML_TABLE), err);
	wheels = gw_deps_toml_typed(pkg, "wheels", GW_TOML_ARRAY);
	for (size_t i = 0; wheels && i < wheels->u.arr.len; i++)
		add_hashes(s, path, r, wheels->u.arr.items[i], err);
}

/* lock-version "1" or "1.x" is ours; any other major is refused. */
static int check_version(struct gw_dep_set *s, const char *path,
			 const struct gw_toml_value *root, struct gw_error *err)
{
	const struct gw_toml_value *v =
		gw_deps_toml_typed(root, "lock-version", GW_TOML_STRING);
	char esc[64];

	if (!v)
		return gw_deps_fail(s, err, -EINVAL, path, 1,
				    "no lock-version: not a pylock.toml");
	if (v->u.s.ptr[0] != '1' ||
	    (v->u.s.ptr[1] != '\0' && v->u.s.ptr[1] != '.'))
		return gw_deps_fail(
			s, err, -ENOTSUP, path, v->line,
			"lock-version %s: only 1.x is known",
			gw_deps_esc(esc, sizeof(esc), v->u.s.ptr, v->u.s.len));
	return 0;
}

int gw_deps_read_pylock(const char *path, const char *text, size_t len,
			struct gw_dep_set *s, struct gw_error *err)
{
	const struct gw_toml_value *pkgs;
	struct gw_toml_value *root;
	size_t before = s->nerrors;

	if (gw_deps_toml(s, path, text, len, &root, err) < 0)
		return gw_deps_result(s, before);
	if (check_version(s, path, root, err) < 0) {
		gw_toml_free(root);
		return gw_deps_result(s, before);
	}
	pkgs = gw_deps_toml_typed(root, "packages", GW_TOML_ARRAY);
	if (!pkgs)
		gw_deps_fail(s, err, -EINVAL, path, 1,
			     "no [[packages]]: not a pylock.toml");
	for (size_t i = 0; pkgs && i < pkgs->u.arr.len; i++)
		if (pkgs->u.arr.items[i]->type == GW_TOML_TABLE)
			add_package(s, path, pkgs->u.arr.items[i], err);
	gw_toml_free(root);
	return gw_deps_result(s, before);
}
