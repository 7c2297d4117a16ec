/*
 * Loading a manifest: read the file, parse it as TOML, find the table
 * (the whole document, or [tool.gymwarden] of a pyproject.toml), check
 * the top level and hand each [[env]] to env.c. Every problem becomes a
 * diagnostic; loading goes on past problems so a check reports all.
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/limits.h"
#include "manifest/manifest_priv.h"

const char *const gw_vetting_names[] = { "required", "warn", "off", NULL };

static const char *const top_keys[] = { "vetting", "registry", "log", "env",
					NULL };
static const char *const registry_keys[] = { "path", NULL };
static const char *const log_keys[] = { "dir", NULL };

static char *dup_str(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = malloc(n);

	if (p)
		memcpy(p, s, n);
	return p;
}

static char *dup_or_empty(struct gw_manifest *m, const char *s)
{
	char *p = dup_str(s ? s : "");

	if (!p)
		gw_check_nomem(&m->check);
	return p;
}

static bool diag_room(struct gw_manifest *m)
{
	struct gw_diag_store *p;
	size_t alloc;

	if (m->n_diags < m->diags_alloc)
		return true;
	alloc = m->diags_alloc ? m->diags_alloc * 2 : 16;
	p = realloc(m->diags, alloc * sizeof(*p));
	if (!p)
		return false;
	m->diags = p;
	m->diags_alloc = alloc;
	return true;
}

/* The sink every check of this manifest reports through. */
static void add_diag(void *arg, const struct gw_space_problem *p)
{
	struct gw_manifest *m = arg;
	struct gw_diag_store *ds;

	if (m->n_diags >= GW_MANIFEST_MAX_DIAGS) {
		m->diags_cut = true;
		if (p->severity == GW_SEVERITY_ERROR)
			m->n_errors++;
		else
			m->n_warnings++;
		return;
	}
	if (!diag_room(m)) {
		m->check.nomem = true;
		return;
	}
	ds = &m->diags[m->n_diags];
	memset(ds, 0, sizeof(*ds));
	ds->field = dup_str(p->field ? p->field : "");
	ds->message = dup_str(p->message);
	ds->hint = p->hint ? dup_str(p->hint) : NULL;
	if (!ds->field || !ds->message || (p->hint && !ds->hint)) {
		free(ds->field);
		free(ds->message);
		free(ds->hint);
		m->check.nomem = true;
		return;
	}
	if (p->severity == GW_SEVERITY_ERROR)
		m->n_errors++;
	else
		m->n_warnings++;
	ds->seq = m->n_diags;
	ds->d = (struct gw_manifest_diag){
		.severity = p->severity,
		.line = p->line,
		.col = p->col,
		.file = m->path,
		.field = ds->field,
		.message = ds->message,
		.hint = ds->hint,
	};
	m->n_diags++;
}

static int diag_order(const void *pa, const void *pb)
{
	const struct gw_diag_store *a = pa, *b = pb;

	/* Problems without a place go last; ties keep the found order. */
	unsigned la = a->d.line ? a->d.line : UINT_MAX;
	unsigned lb = b->d.line ? b->d.line : UINT_MAX;

	if (la != lb)
		return la < lb ? -1 : 1;
	if (a->d.col != b->d.col)
		return a->d.col < b->d.col ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static void finish_diags(struct gw_manifest *m)
{
	if (m->diags_cut) {
		struct gw_diag_store *last = &m->diags[--m->n_diags];

		/* Make room for the note in place of the last problem. */
		free(last->field);
		free(last->message);
		free(last->hint);
		m->diags_cut = false;
		gw_check_report(&m->check, GW_SEVERITY_ERROR, 0, 0, "", NULL,
				"more than %u problems; the rest are not "
				"listed",
				GW_MANIFEST_MAX_DIAGS);
	}
	/* qsort is not stable; diag_order breaks ties by seq. */
	if (m->n_diags > 1)
		qsort(m->diags, m->n_diags, sizeof(*m->diags), diag_order);
}

/* The absolute folder that holds path. */
static char *manifest_dir(const char *path)
{
	char *copy = dup_str(path), *dir, *abs = NULL;
	char cwd[PATH_MAX];

	if (!copy)
		return NULL;
	dir = dirname(copy);
	abs = realpath(dir, NULL);
	if (!abs && dir[0] != '/' && getcwd(cwd, sizeof(cwd)))
		abs = gw_manifest_resolve(cwd, dir, strlen(dir));
	else if (!abs)
		abs = gw_manifest_resolve("/", dir, strlen(dir));
	free(copy);
	return abs;
}

static bool is_pyproject(const char *path)
{
	const char *slash = strrchr(path, '/');

	return strcmp(slash ? slash + 1 : path, "pyproject.toml") == 0;
}

static struct gw_manifest *manifest_new(const char *path)
{
	struct gw_manifest *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->sink.report = add_diag;
	m->sink.arg = m;
	m->check.sink = &m->sink;
	m->path = dup_str(path);
	m->dir = manifest_dir(path);
	m->pyproject = is_pyproject(path);
	m->base = m->pyproject ? "tool.gymwarden" : "";
	if (!m->path || !m->dir) {
		gw_manifest_free(m);
		return NULL;
	}
	return m;
}

/* A `path`-like string key of table t, resolved; def when absent. */
static char *path_key(struct gw_manifest *m, const struct gw_toml_value *t,
		      const char *path, const char *key, const char *def)
{
	const struct gw_toml_value *v = t ? gw_toml_get(t, key) : NULL;
	char field[GW_FIELD_MAX_BYTES];
	char *p;

	gw_check_path_key(field, sizeof(field), path, key, strlen(key));
	if (v && gw_check_type(&m->check, v, field, GW_TOML_STRING)) {
		if (v->u.s.len == 0 || memchr(v->u.s.ptr, '\0', v->u.s.len) ||
		    v->u.s.len > GW_MANIFEST_MAX_PATH_BYTES) {
			gw_check_error(&m->check, v, field, NULL,
				       "expected a non-empty path");
		} else {
			p = gw_manifest_resolve(m->dir, v->u.s.ptr, v->u.s.len);
			if (!p)
				gw_check_nomem(&m->check);
			return p;
		}
	}
	p = gw_manifest_resolve(m->dir, def, strlen(def));
	if (!p)
		gw_check_nomem(&m->check);
	return p;
}

/* A sub-table such as [registry]: its keys checked; NULL when absent. */
static const struct gw_toml_value *
sub_table(struct gw_manifest *m, const struct gw_toml_value *root,
	  const char *key, const char *const *keys, char *field)
{
	const struct gw_toml_value *t = gw_toml_get(root, key);

	gw_check_path_key(field, GW_FIELD_MAX_BYTES, m->base, key, strlen(key));
	if (!t || !gw_check_type(&m->check, t, field, GW_TOML_TABLE))
		return NULL;
	gw_check_keys(&m->check, t, field, keys);
	return t;
}

static void parse_top(struct gw_manifest *m, const struct gw_toml_value *root)
{
	const struct gw_toml_value *v, *t;
	char field[GW_FIELD_MAX_BYTES];
	int i;

	gw_check_keys(&m->check, root, m->base, top_keys);

	m->vetting = GW_VETTING_REQUIRED;
	v = gw_toml_get(root, "vetting");
	gw_check_path_key(field, sizeof(field), m->base, "vetting", 7);
	if (v &&
	    (i = gw_check_choice(&m->check, v, field, gw_vetting_names)) >= 0) {
		m->vetting = (enum gw_vetting)i;
		if (m->vetting != GW_VETTING_REQUIRED)
			gw_check_report(&m->check, GW_SEVERITY_WARNING, v->line,
					v->col, field, NULL,
					"vetting is \"%s\": environments "
					"without an approved record will run",
					gw_vetting_names[i]);
	}

	t = sub_table(m, root, "registry", registry_keys, field);
	m->registry_path =
		path_key(m, t, field, "path", ".gymwarden/registry.db");
	t = sub_table(m, root, "log", log_keys, field);
	m->log_dir = path_key(m, t, field, "dir", ".gymwarden/logs");
}

/* The [[env]] array: each table parsed, then ids compared. */
static void parse_envs(struct gw_manifest *m, const struct gw_toml_value *root)
{
	const struct gw_toml_value *a = gw_toml_get(root, "env");
	char base[GW_FIELD_MAX_BYTES], field[GW_FIELD_MAX_BYTES];

	gw_check_path_key(base, sizeof(base), m->base, "env", 3);
	if (!a) {
		gw_check_report(&m->check, GW_SEVERITY_WARNING, root->line,
				root->col, base, "add an [[env]] table",
				"the manifest declares no environments");
		return;
	}
	if (!gw_check_type(&m->check, a, base, GW_TOML_ARRAY))
		return;
	if (a->u.arr.len > GW_MANIFEST_MAX_ENVS) {
		gw_check_error(&m->check, a, base, NULL,
			       "more than %u environments",
			       GW_MANIFEST_MAX_ENVS);
		return;
	}
	m->envs = calloc(a->u.arr.len ? a->u.arr.len : 1, sizeof(*m->envs));
	if (!m->envs) {
		gw_check_nomem(&m->check);
		return;
	}
	for (size_t i = 0; i < a->u.arr.len; i++) {
		struct gw_manifest_env *e = &m->envs[m->n_envs++];

		gw_check_path_index(field, sizeof(field), base, i);
		gw_manifest_env_defaults(e);
		if (gw_check_type(&m->check, a->u.arr.items[i], field,
				  GW_TOML_TABLE))
			gw_manifest_parse_env(m, e, a->u.arr.items[i], field);
	}
}

static void check_duplicate_ids(struct gw_manifest *m)
{
	char field[GW_FIELD_MAX_BYTES], hint[96], esc[128];

	for (size_t i = 1; i < m->n_envs; i++) {
		const struct gw_manifest_env *e = &m->envs[i];

		for (size_t j = 0; e->id && j < i; j++) {
			if (!m->envs[j].id || strcmp(e->id, m->envs[j].id))
				continue;
			snprintf(field, sizeof(field), "%s%senv[%zu].id",
				 m->base, m->base[0] ? "." : "", i);
			snprintf(hint, sizeof(hint),
				 "env[%zu] at line %u has the same id", j,
				 m->envs[j].line);
			gw_check_quote(esc, sizeof(esc), e->id, strlen(e->id));
			gw_check_report(&m->check, GW_SEVERITY_ERROR, e->line,
					e->col, field, hint,
					"duplicate env id \"%s\"", esc);
			break;
		}
	}
}

/* The table the manifest lives in, or NULL after saying why not. */
static const struct gw_toml_value *find_root(struct gw_manifest *m,
					     const struct gw_toml_value *doc)
{
	const struct gw_toml_value *tool, *t;

	if (!m->pyproject)
		return doc;
	tool = gw_toml_get(doc, "tool");
	t = tool ? gw_toml_get(tool, "gymwarden") : NULL;
	if (t && gw_check_type(&m->check, t, "tool.gymwarden", GW_TOML_TABLE))
		return t;
	if (!t)
		gw_check_report(&m->check, GW_SEVERITY_ERROR, 1, 1,
				"tool.gymwarden",
				"add a [tool.gymwarden] table, or keep the "
				"manifest in gymwarden.toml",
				"this pyproject.toml has no [tool.gymwarden] "
				"table");
	return NULL;
}

int gw_manifest_check_text(const char *text, size_t len, const char *path,
			   struct gw_manifest **out, struct gw_error *err)
{
	struct gw_toml_value *doc = NULL;
	const struct gw_toml_value *root;
	struct gw_manifest *m;
	int r;

	*out = NULL;
	r = gw_toml_parse(text, len, path, &doc, err);
	if (r < 0) {
		gw_error_where(err, path, NULL);
		return r;
	}
	m = manifest_new(path);
	if (!m) {
		gw_toml_free(doc);
		return gw_error_set(err, -ENOMEM, "out of memory");
	}

	root = find_root(m, doc);
	if (root) {
		parse_top(m, root);
		parse_envs(m, root);
		check_duplicate_ids(m);
	} else {
		m->registry_path = dup_or_empty(m, "");
		m->log_dir = dup_or_empty(m, "");
	}
	gw_toml_free(doc);
	finish_diags(m);
	if (m->check.nomem) {
		gw_manifest_free(m);
		return gw_error_set(err, -ENOMEM, "out of memory");
	}
	*out = m;
	return 0;
}

int gw_manifest_check(const char *path, struct gw_manifest **out,
		      struct gw_error *err)
{
	struct gw_buf b;
	int r;

	*out = NULL;
	gw_buf_init(&b, GW_MANIFEST_MAX_BYTES);
	r = gw_buf_read_file(&b, path, err);
	if (r == 0)
		r = gw_manifest_check_text(b.data, b.len, path, out, err);
	gw_buf_free(&b);
	return r;
}

int gw_manifest_load(const char *path, struct gw_manifest **out,
		     struct gw_error *err)
{
	const struct gw_manifest_diag *d;
	struct gw_manifest *m;
	int r = gw_manifest_check(path, &m, err);

	*out = NULL;
	if (r < 0)
		return r;
	if (m->n_errors == 0) {
		*out = m;
		return 0;
	}
	for (size_t i = 0; i < m->n_diags; i++) {
		d = &m->diags[i].d;
		if (d->severity != GW_SEVERITY_ERROR)
			continue;
		gw_error_set_at(err, -EINVAL, d->line, d->col, "%s",
				d->message);
		gw_error_where(err, path, d->field);
		break;
	}
	gw_error_set(err, -EINVAL, "the manifest has errors");
	gw_manifest_free(m);
	return -EINVAL;
}
