/*
 * The dependency set and what every reader shares: adding entries and
 * index options under their caps, recording problems so that a broken
 * line or file makes the run partial without losing the rest, and the
 * dispatch from a file's name to its reader.
 */
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/limits.h"
#include "core/log.h"
#include "deps/audit.h"
#include "deps/read_priv.h"
#include "toml/toml.h"

void gw_dep_set_init(struct gw_dep_set *s)
{
	memset(s, 0, sizeof(*s));
}

void gw_dep_set_free(struct gw_dep_set *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		gw_requirement_clear(&s->reqs[i]);
	free(s->reqs);
	free(s->index);
	free(s->errors);
	memset(s, 0, sizeof(*s));
}

/* Grow an array of size-byte items to hold one more, below max items. */
static int grow(void **items, size_t *alloc, size_t n, size_t size, size_t max)
{
	size_t want;
	void *p;

	if (n < *alloc)
		return 0;
	if (n >= max)
		return -E2BIG;
	want = *alloc ? *alloc * 2 : 16;
	if (want > max)
		want = max;
	p = realloc(*items, want * size);
	if (!p)
		return -ENOMEM;
	*items = p;
	*alloc = want;
	return 0;
}

static void keep_error(struct gw_dep_set *s, const struct gw_error *e)
{
	s->partial = true;
	if (grow((void **)&s->errors, &s->errors_alloc, s->nerrors,
		 sizeof(*s->errors), GW_DEPS_MAX_ERRORS) < 0)
		return;
	s->errors[s->nerrors++] = *e;
}

int gw_deps_vfail(struct gw_dep_set *s, struct gw_error *err, int code,
		  const char *file, unsigned line, const char *fmt, va_list ap)
{
	struct gw_error e;

	gw_error_clear(&e);
	e.code = code;
	e.line = line;
	vsnprintf(e.msg, sizeof(e.msg), fmt, ap);
	gw_error_where(&e, file, NULL);
	return gw_deps_fail_with(s, err, &e, file, line);
}

int gw_deps_fail(struct gw_dep_set *s, struct gw_error *err, int code,
		 const char *file, unsigned line, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = gw_deps_vfail(s, err, code, file, line, fmt, ap);
	va_end(ap);
	return rc;
}

int gw_deps_fail_with(struct gw_dep_set *s, struct gw_error *err,
		      const struct gw_error *cause, const char *file,
		      unsigned line)
{
	struct gw_error e = *cause;

	if (!e.file[0] && file)
		gw_error_where(&e, file, NULL);
	if (!e.line)
		e.line = line;
	if (!e.code)
		e.code = -EINVAL;
	keep_error(s, &e);
	if (err && err->code == 0)
		*err = e;
	return e.code;
}

int gw_deps_result(const struct gw_dep_set *s, size_t before)
{
	if (s->nerrors > before)
		return s->errors[before].code;
	/* The list is full: a problem was still met when partial is set. */
	return before >= GW_DEPS_MAX_ERRORS && s->partial ? -EINVAL : 0;
}

struct gw_requirement *gw_deps_push(struct gw_dep_set *s, const char *file,
				    unsigned line, const char *group,
				    struct gw_error *err)
{
	struct gw_requirement *r;
	int rc;

	rc = grow((void **)&s->reqs, &s->alloc, s->n, sizeof(*s->reqs),
		  GW_DEPS_MAX_REQUIREMENTS);
	if (rc < 0) {
		gw_deps_fail(s, err, rc, file, line,
			     rc == -E2BIG ? "more than %u requirements"
					  : "out of memory (%u)",
			     GW_DEPS_MAX_REQUIREMENTS);
		return NULL;
	}
	r = &s->reqs[s->n++];
	memset(r, 0, sizeof(*r));
	snprintf(r->file, sizeof(r->file), "%s", file);
	r->line = line;
	snprintf(r->group, sizeof(r->group), "%s", group ? group : "default");
	return r;
}

void gw_deps_pop(struct gw_dep_set *s)
{
	if (s->n == 0)
		return;
	gw_requirement_clear(&s->reqs[--s->n]);
}

struct gw_requirement *gw_deps_add_locked(struct gw_dep_set *s,
					  const char *file, unsigned line,
					  const char *group, const char *name,
					  size_t name_len, const char *version,
					  struct gw_error *err)
{
	struct gw_requirement *r = gw_deps_push(s, file, line, group, err);
	char esc[160];

	if (!r)
		return NULL;
	if (gw_deps_set_name(r, name, name_len) < 0) {
		gw_deps_pop(s);
		gw_deps_fail(s, err, -EINVAL, file, line,
			     "%s: not a valid project name",
			     gw_deps_esc(esc, sizeof(esc), name, name_len));
		return NULL;
	}
	if (version)
		gw_deps_set_locked(r, version, strlen(version));
	return r;
}

int gw_deps_add_pep508(struct gw_dep_set *s, const char *file, unsigned line,
		       const char *group, const char *text, size_t len,
		       struct gw_requirement **out, struct gw_error *err)
{
	struct gw_requirement *r = gw_deps_push(s, file, line, group, err);
	struct gw_error cause;
	char g[sizeof(r->group)];
	int rc;

	if (out)
		*out = NULL;
	if (!r)
		return err && err->code ? err->code : -ENOMEM;
	memcpy(g, r->group, sizeof(g));
	gw_error_clear(&cause);
	rc = gw_requirement_parse(text, len, file, line, r, &cause);
	if (rc < 0) {
		gw_deps_pop(s);
		return gw_deps_fail_with(s, err, &cause, file, line);
	}
	/* The parser knows nothing of groups: put ours back. */
	memcpy(r->group, g, sizeof(g));
	if (out)
		*out = r;
	return 0;
}

int gw_deps_add_composed(struct gw_dep_set *s, const char *file, unsigned line,
			 const char *group, const char *name,
			 const char *extras, const char *spec,
			 const char *marker, struct gw_requirement **out,
			 struct gw_error *err)
{
	struct gw_buf b;
	int rc;

	gw_buf_init(&b, GW_DEPS_LINE_MAX_BYTES);
	rc = gw_buf_printf(&b, "%s", name);
	if (rc == 0 && extras && extras[0])
		rc = gw_buf_printf(&b, "[%s]", extras);
	if (rc == 0 && spec && spec[0])
		rc = gw_buf_printf(&b, " %s", spec);
	if (rc == 0 && marker && marker[0])
		rc = gw_buf_printf(&b, " ; %s", marker);
	if (rc < 0) {
		gw_buf_free(&b);
		return gw_deps_fail(s, err, rc, file, line,
				    "requirement longer than %u bytes",
				    GW_DEPS_LINE_MAX_BYTES);
	}
	rc = gw_deps_add_pep508(s, file, line, group, b.data, b.len, out, err);
	gw_buf_free(&b);
	return rc;
}

const char *gw_deps_toml_string(const struct gw_toml_value *t, const char *key)
{
	const struct gw_toml_value *v = gw_toml_get(t, key);

	return v && v->type == GW_TOML_STRING ? v->u.s.ptr : NULL;
}

void gw_deps_toml_join(const struct gw_toml_value *t, const char *key,
		       char *out, size_t cap)
{
	const struct gw_toml_value *x =
		gw_deps_toml_typed(t, key, GW_TOML_ARRAY);
	size_t used = 0;

	out[0] = '\0';
	for (size_t i = 0; x && i < x->u.arr.len; i++) {
		const struct gw_toml_value *e = x->u.arr.items[i];
		int w;

		if (e->type != GW_TOML_STRING)
			continue;
		w = snprintf(out + used, cap - used, "%s%s", used ? "," : "",
			     e->u.s.ptr);
		if (w < 0 || (size_t)w >= cap - used) {
			out[used] = '\0';
			return;
		}
		used += (size_t)w;
	}
}

const struct gw_toml_value *gw_deps_toml_typed(const struct gw_toml_value *t,
					       const char *key, int type)
{
	const struct gw_toml_value *v = gw_toml_get(t, key);

	return v && (int)v->type == type ? v : NULL;
}

int gw_deps_set_name(struct gw_requirement *r, const char *name, size_t len)
{
	int n;

	if (len == 0 || len >= sizeof(r->name))
		return -EINVAL;
	n = gw_pep503_normalize(name, len, r->norm, sizeof(r->norm));
	if (n < 0)
		return n;
	memcpy(r->name, name, len);
	r->name[len] = '\0';
	return 0;
}

int gw_deps_set_marker(struct gw_requirement *r, const char *marker, size_t len,
		       struct gw_error *cause)
{
	snprintf(r->marker_text, sizeof(r->marker_text), "%.*s", (int)len,
		 marker);
	gw_marker_free(r->marker);
	r->marker = NULL;
	return gw_marker_parse(marker, len, &r->marker, cause);
}

const char *gw_deps_url_host(const char *url, char *buf, size_t cap)
{
	const char *p = strstr(url, "://"), *at;
	size_t n;

	buf[0] = '\0';
	if (!p || cap == 0)
		return buf;
	p += 3;
	n = strcspn(p, "/?#");
	at = memrchr(p, '@', n);
	if (at) {
		n -= (size_t)(at + 1 - p);
		p = at + 1;
	}
	if (p[0] != '[') /* drop the port, but not from an IPv6 address */
		n = strcspn(p, ":/?#") < n ? strcspn(p, ":/?#") : n;
	if (n >= cap)
		n = cap - 1;
	for (size_t i = 0; i < n; i++)
		buf[i] = (char)tolower((unsigned char)p[i]);
	buf[n] = '\0';
	return buf;
}

void gw_deps_set_locked(struct gw_requirement *r, const char *version,
			size_t len)
{
	r->locked = true;
	if (len >= sizeof(r->version_text))
		len = sizeof(r->version_text) - 1;
	memcpy(r->version_text, version, len);
	r->version_text[len] = '\0';
	r->version_valid = gw_pep440_parse(version, len, &r->version) == 0;
}

/* The hash algorithms pip's --hash accepts, with their hex lengths. */
static const struct {
	const char *name;
	size_t hex_len;
} hash_algos[] = {
	{ "sha256", 64 },
	{ "sha384", 96 },
	{ "sha512", 128 },
};

int gw_deps_add_hash(struct gw_requirement *r, const char *algo,
		     size_t algo_len, const char *hex, size_t hex_len)
{
	size_t i, n = sizeof(hash_algos) / sizeof(hash_algos[0]);
	char *dst;

	for (i = 0; i < n; i++)
		if (strlen(hash_algos[i].name) == algo_len &&
		    memcmp(hash_algos[i].name, algo, algo_len) == 0)
			break;
	if (i == n || hex_len != hash_algos[i].hex_len)
		return -EINVAL;
	if (strspn(hex, "0123456789abcdefABCDEF") < hex_len)
		return -EINVAL;
	if (r->nhashes >= GW_REQ_MAX_HASHES)
		return -E2BIG;

	dst = r->hashes[r->nhashes++];
	memcpy(dst, algo, algo_len);
	dst[algo_len] = ':';
	for (size_t k = 0; k < hex_len; k++)
		dst[algo_len + 1 + k] = (char)(hex[k] | 0x20); /* lower case */
	dst[algo_len + 1 + hex_len] = '\0';
	return 0;
}

int gw_deps_add_hash_text(struct gw_requirement *r, const char *text,
			  size_t len)
{
	size_t sep = strcspn(text, ":=");

	if (sep >= len)
		return -EINVAL;
	return gw_deps_add_hash(r, text, sep, text + sep + 1, len - sep - 1);
}

int gw_deps_add_index(struct gw_dep_set *s, const char *option,
		      const char *value, const char *file, unsigned line,
		      struct gw_error *err)
{
	struct gw_index_option *o;
	int rc;

	rc = grow((void **)&s->index, &s->index_alloc, s->nindex,
		  sizeof(*s->index), GW_DEPS_MAX_INDEX_OPTIONS);
	if (rc < 0)
		return gw_deps_fail(s, err, rc, file, line,
				    "more than %u index options",
				    GW_DEPS_MAX_INDEX_OPTIONS);
	o = &s->index[s->nindex++];
	snprintf(o->option, sizeof(o->option), "%s", option);
	gw_deps_redact_url(o->value, sizeof(o->value), value, strlen(value));
	snprintf(o->file, sizeof(o->file), "%s", file);
	o->line = line;
	return 0;
}

/* Whether a and b name one file (through links) or, unresolved, one path. */
static bool same_file(const char *a, const char *b)
{
	char ra[PATH_MAX], rb[PATH_MAX];

	if (realpath(a, ra) && realpath(b, rb))
		return strcmp(ra, rb) == 0;
	return strcmp(a, b) == 0;
}

int gw_deps_note_file(struct gw_dep_set *s, const char *path)
{
	size_t cap = sizeof(s->files) / sizeof(s->files[0]);

	for (size_t i = 0; i < s->nfiles; i++)
		if (same_file(s->files[i], path))
			return 1;
	if (s->nfiles >= cap || strlen(path) >= sizeof(s->files[0]))
		return -E2BIG;
	snprintf(s->files[s->nfiles++], sizeof(s->files[0]), "%s", path);
	return 0;
}

/* Where the last line that opens a table ("[x]", "[[x]]") before line starts.
 */
static size_t last_header_before(const char *text, size_t len, unsigned line)
{
	size_t best = 0, pos = 0;
	unsigned n = 1;

	while (pos < len && n < line) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t next = nl ? (size_t)(nl - text) + 1 : len;

		if (text[pos] == '[')
			best = pos;
		pos = next;
		n++;
	}
	if (pos < len && n == line && text[pos] == '[')
		best = pos;
	return best;
}

int gw_deps_toml(struct gw_dep_set *s, const char *path, const char *text,
		 size_t len, struct gw_toml_value **root, struct gw_error *err)
{
	struct gw_error cause, again;
	size_t cut;
	int rc;

	*root = NULL;
	gw_error_clear(&cause);
	rc = gw_toml_parse(text, len, path, root, &cause);
	if (rc == 0)
		return 0;
	gw_deps_fail_with(s, err, &cause, path, cause.line);

	/* Keep the whole entries above the break: cut at the last header. */
	cut = last_header_before(text, len, cause.line ? cause.line : 1);
	if (cut == 0)
		return cause.code;
	gw_error_clear(&again);
	if (gw_toml_parse(text, cut, path, root, &again) < 0) {
		*root = NULL;
		return cause.code;
	}
	return 1;
}

void gw_deps_redact_url(char *dst, size_t cap, const char *url, size_t len)
{
	const char *scheme = memmem(url, len, "://", 3);
	const char *host, *at, *end;
	size_t n;

	if (cap == 0)
		return;
	if (!scheme) {
		snprintf(dst, cap, "%.*s", (int)len, url);
		return;
	}
	host = scheme + 3;
	end = url + len;
	n = strcspn(host, "/?#");
	if ((size_t)(end - host) < n)
		n = (size_t)(end - host);
	at = memrchr(host, '@', n);
	if (!at) {
		snprintf(dst, cap, "%.*s", (int)len, url);
		return;
	}
	snprintf(dst, cap, "%.*s***%.*s", (int)(host - url), url,
		 (int)(end - at), at);
}

const char *gw_deps_esc(char *dst, size_t cap, const char *text, size_t len)
{
	gw_escape(dst, cap, text, len);
	return dst;
}

/* ---- Dispatch ------------------------------------------------------ */

/* Base-name patterns, first match wins; requirements is the fallback. */
static const struct {
	const char *pattern;
	const char *format;
	gw_deps_reader_fn read;
} readers[] = {
	{ "pyproject.toml", "pyproject", gw_deps_read_pyproject },
	{ "Pipfile", "pipfile", gw_deps_read_pipfile },
	{ "Pipfile.lock", "pipfile.lock", gw_deps_read_pipfile_lock },
	{ "poetry.lock", "poetry.lock", gw_deps_read_poetry_lock },
	{ "uv.lock", "uv.lock", gw_deps_read_uv_lock },
	{ "pylock.toml", "pylock", gw_deps_read_pylock },
	{ "pylock.*.toml", "pylock", gw_deps_read_pylock },
	{ "environment*.yml", "conda", gw_deps_read_conda },
	{ "environment*.yaml", "conda", gw_deps_read_conda },
	{ "*", "requirements", gw_deps_read_requirements },
};

#define N_READERS (sizeof(readers) / sizeof(readers[0]))

static size_t reader_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	size_t i;

	for (i = 0; i + 1 < N_READERS; i++)
		if (fnmatch(readers[i].pattern, base, 0) == 0)
			break;
	return i;
}

const char *gw_deps_format_of(const char *path)
{
	return readers[reader_of(path)].format;
}

int gw_deps_read_file(const char *path, struct gw_dep_set *s,
		      struct gw_error *err)
{
	struct gw_error cause;
	struct gw_buf b;
	int rc;

	rc = gw_deps_note_file(s, path);
	if (rc == 1)
		return 0;
	if (rc < 0)
		return gw_deps_fail(s, err, rc, path, 0,
				    "too many dependency files (at most %zu)",
				    sizeof(s->files) / sizeof(s->files[0]));

	gw_buf_init(&b, GW_DEPS_FILE_MAX_BYTES);
	gw_error_clear(&cause);
	rc = gw_buf_read_file(&b, path, &cause);
	if (rc < 0) {
		gw_buf_free(&b);
		return gw_deps_fail_with(s, err, &cause, path, 0);
	}
	rc = readers[reader_of(path)].read(path, b.data, b.len, s, err);
	gw_buf_free(&b);
	return rc;
}
