/*
 * Requirements files in pip's format. Each physical line loses its
 * comment (a "#" at the start or after white space), then a line that
 * ends in a backslash is joined to the next, then ${NAME} is expanded
 * from the environment (upper-case letters, digits and "_" only; an
 * unset name stays as written). A logical line is a requirement followed
 * by its own options (--hash, --config-settings, --global-option), or
 * options alone: -r / -c another file (relative to this one), -e, and the
 * global options (index URLs, find-links, trusted hosts, binary choices).
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/limits.h"
#include "deps/read_priv.h"

#define MAX_TOKENS 256

/* The include chain: who includes whom, for cycles and error messages. */
struct req_ctx {
	struct gw_dep_set *s;
	struct gw_error *err;
	int rc; /* the first error's code */
	size_t depth;
	char real[GW_DEPS_MAX_INCLUDE_DEPTH][PATH_MAX];
	char shown[GW_DEPS_MAX_INCLUDE_DEPTH][256];
};

enum opt_kind {
	OPT_INCLUDE,	/* -r: another requirements file */
	OPT_CONSTRAINT, /* -c: a constraints file */
	OPT_EDITABLE,	/* -e: an editable requirement */
	OPT_GLOBAL,	/* applies to the whole install: recorded */
	OPT_HASH,	/* per requirement: an expected digest */
	OPT_PER_REQ,	/* per requirement: build options, not audited */
};

/* Every option pip accepts in a requirements file. */
static const struct req_option {
	const char *name;
	char short_name;
	bool has_arg;
	enum opt_kind kind;
} req_options[] = {
	{ "requirement", 'r', true, OPT_INCLUDE },
	{ "constraint", 'c', true, OPT_CONSTRAINT },
	{ "editable", 'e', true, OPT_EDITABLE },
	{ "index-url", 'i', true, OPT_GLOBAL },
	{ "extra-index-url", 0, true, OPT_GLOBAL },
	{ "no-index", 0, false, OPT_GLOBAL },
	{ "find-links", 'f', true, OPT_GLOBAL },
	{ "trusted-host", 0, true, OPT_GLOBAL },
	{ "pre", 0, false, OPT_GLOBAL },
	{ "prefer-binary", 0, false, OPT_GLOBAL },
	{ "require-hashes", 0, false, OPT_GLOBAL },
	{ "only-binary", 0, true, OPT_GLOBAL },
	{ "no-binary", 0, true, OPT_GLOBAL },
	{ "use-feature", 0, true, OPT_GLOBAL },
	{ "hash", 0, true, OPT_HASH },
	{ "config-settings", 0, true, OPT_PER_REQ },
	{ "global-option", 0, true, OPT_PER_REQ },
};

#define N_OPTIONS (sizeof(req_options) / sizeof(req_options[0]))

/* One option as found on a line, its value pointing into the line. */
struct found_opt {
	const struct req_option *opt;
	const char *value;
};

__attribute__((format(printf, 5, 6))) static int
fail(struct req_ctx *c, int code, const char *file, unsigned line,
     const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = gw_deps_vfail(c->s, c->err, code, file, line, fmt, ap);
	va_end(ap);
	if (!c->rc)
		c->rc = rc;
	return rc;
}

static bool isalnum_ascii(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       (ch >= '0' && ch <= '9');
}

static bool is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\f' || ch == '\v';
}

/* The length of line once its comment and the space before it are gone. */
static size_t strip_comment(const char *line, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (line[i] != '#' || (i > 0 && !is_space(line[i - 1])))
			continue;
		while (i > 0 && is_space(line[i - 1]))
			i--;
		return i;
	}
	return len;
}

/* Append src to out with ${NAME} replaced where NAME is set and non-empty. */
static int expand_vars(struct gw_buf *out, const char *src, size_t len)
{
	size_t i = 0;
	int rc = 0;

	while (i < len && rc == 0) {
		size_t n = 0;
		char name[256];
		const char *val;

		if (src[i] != '$' || i + 1 >= len || src[i + 1] != '{') {
			rc = gw_buf_append(out, src + i++, 1);
			continue;
		}
		while (i + 2 + n < len && n < sizeof(name) - 1 &&
		       strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_",
			      src[i + 2 + n]) &&
		       src[i + 2 + n] != '\0')
			n++;
		if (n == 0 || i + 2 + n >= len || src[i + 2 + n] != '}') {
			rc = gw_buf_append(out, src + i++, 1);
			continue;
		}
		memcpy(name, src + i + 2, n);
		name[n] = '\0';
		val = secure_getenv(name);
		if (val && val[0])
			rc = gw_buf_append(out, val, strlen(val));
		else
			rc = gw_buf_append(out, src + i, n + 3);
		i += n + 3;
	}
	return rc;
}

/*
 * Split the options part of a line in place into words as a POSIX shell
 * would (quotes and backslashes), as pip does with shlex.
 */
static int split_words(char *s, char **words, size_t *n)
{
	char *in = s, *out = s;

	*n = 0;
	for (;;) {
		char quote = 0;

		while (is_space(*in))
			in++;
		if (!*in)
			return 0;
		if (*n >= MAX_TOKENS)
			return -E2BIG;
		words[(*n)++] = out;
		while (*in && (quote || !is_space(*in))) {
			if (!quote && (*in == '\'' || *in == '"'))
				quote = *in++;
			else if (quote && *in == quote)
				quote = 0, in++;
			else if (*in == '\\' && quote != '\'' && in[1])
				*out++ = in[1], in += 2;
			else
				*out++ = *in++;
		}
		if (quote)
			return -EINVAL;
		if (*in)
			in++;
		*out++ = '\0';
	}
}

static const struct req_option *find_option(const char *word, size_t len)
{
	for (size_t i = 0; i < N_OPTIONS; i++) {
		const struct req_option *o = &req_options[i];

		if (len == 0 && o->short_name == word[0])
			return o;
		if (len && strlen(o->name) == len &&
		    memcmp(o->name, word, len) == 0)
			return o;
	}
	return NULL;
}

/* Read the words of the options part into found; -EINVAL when unknown. */
static int parse_options(struct req_ctx *c, const char *file, unsigned line,
			 char **words, size_t nwords, struct found_opt *found,
			 size_t *nfound)
{
	char esc[128];

	*nfound = 0;
	for (size_t i = 0; i < nwords; i++) {
		const char *w = words[i], *eq = NULL, *value = NULL;
		const struct req_option *o;

		if (w[0] != '-' || w[1] == '\0')
			return fail(
				c, -EINVAL, file, line,
				"%s: expected an option",
				gw_deps_esc(esc, sizeof(esc), w, strlen(w)));
		if (w[1] == '-') {
			eq = strchr(w, '=');
			o = find_option(w + 2, eq ? (size_t)(eq - w - 2)
						  : strlen(w + 2));
			value = eq ? eq + 1 : NULL;
		} else {
			o = find_option(w + 1, 0);
			value = w[2] ? w + 2 : NULL;
		}
		if (!o)
			return fail(
				c, -EINVAL, file, line, "unknown option %s",
				gw_deps_esc(esc, sizeof(esc), w, strlen(w)));
		if (o->has_arg && !value) {
			if (i + 1 >= nwords)
				return fail(c, -EINVAL, file, line,
					    "option --%s needs a value",
					    o->name);
			value = words[++i];
		} else if (!o->has_arg && value) {
			return fail(c, -EINVAL, file, line,
				    "option --%s takes no value", o->name);
		}
		found[*nfound].opt = o;
		found[(*nfound)++].value = value ? value : "";
	}
	return 0;
}

/* ---- What a requirement string is ---------------------------------- */

static bool has_prefix_ci(const char *s, size_t len, const char *p)
{
	size_t n = strlen(p);

	return len >= n && strncasecmp(s, p, n) == 0;
}

static bool is_vcs(const char *s, size_t len)
{
	static const char *const schemes[] = { "git+", "hg+", "svn+", "bzr+" };

	for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++)
		if (has_prefix_ci(s, len, schemes[i]))
			return true;
	return false;
}

static bool is_url(const char *s, size_t len)
{
	size_t i = 0;

	if (has_prefix_ci(s, len, "file:"))
		return true;
	while (i < len && (isalnum_ascii(s[i]) || strchr("+.-", s[i])))
		i++;
	return i > 0 && i + 3 <= len && memcmp(s + i, "://", 3) == 0;
}

static bool ends_with(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);

	return len >= n && strncasecmp(s + len - n, suffix, n) == 0;
}

static bool is_archive(const char *s, size_t len)
{
	static const char *const exts[] = { ".whl",    ".zip",	   ".tar.gz",
					    ".tgz",    ".tar.bz2", ".tbz",
					    ".tar.xz", ".txz",	   ".tar",
					    ".tar.lz", ".tar.lzma" };

	for (size_t i = 0; i < sizeof(exts) / sizeof(exts[0]); i++)
		if (ends_with(s, len, exts[i]))
			return true;
	return false;
}

static bool looks_like_path(const char *s, size_t len)
{
	return len && (s[0] == '.' || s[0] == '/' || s[0] == '~' ||
		       memchr(s, '/', len) || is_archive(s, len));
}

/* As pip decides: VCS, URL, "name @ url", a local path, or a name. */
static enum gw_req_kind classify(const char *s, size_t len)
{
	const char *at;

	if (is_vcs(s, len))
		return GW_REQ_VCS;
	if (is_url(s, len))
		return GW_REQ_URL;
	at = memchr(s, '@', len);
	if (at && !looks_like_path(s, (size_t)(at - s)))
		return GW_REQ_NAMED;
	return looks_like_path(s, len) ? GW_REQ_PATH : GW_REQ_NAMED;
}

/* The project name a URL or path implies: #egg=, or the archive's name. */
static size_t implied_name(const char *s, size_t len, const char **name)
{
	const char *egg = memmem(s, len, "egg=", 4);
	const char *base, *end = s + len;
	size_t n;

	if (egg && egg > s && (egg[-1] == '#' || egg[-1] == '&')) {
		*name = egg + 4;
		return strcspn(*name, "&[ ") < (size_t)(end - *name)
			       ? strcspn(*name, "&[ ")
			       : (size_t)(end - *name);
	}
	end = s + strcspn(s, "#?");
	if (end > s + len)
		end = s + len;
	while (end > s && end[-1] == '/')
		end--;
	base = memrchr(s, '/', (size_t)(end - s));
	base = base ? base + 1 : s;
	n = (size_t)(end - base);
	*name = base;
	if (ends_with(base, n, ".whl")) /* name-version-... */
		return strcspn(base, "-") < n ? strcspn(base, "-") : n;
	if (is_archive(base, n)) { /* name-version.tar.gz */
		const char *dash = memrchr(base, '-', n);

		return dash ? (size_t)(dash - base) : 0;
	}
	return n;
}

/* An unnamed line: URL, VCS, local path or editable, kept with its URL. */
static int add_located(struct req_ctx *c, const char *file, unsigned line,
		       enum gw_req_kind kind, const char *s, size_t len,
		       const char *group, struct gw_requirement **out)
{
	struct gw_requirement *r =
		gw_deps_push(c->s, file, line, group, c->err);
	const char *semi = memmem(s, len, "; ", 2), *name;
	size_t ulen = semi ? (size_t)(semi - s) : len, nlen;

	*out = r;
	if (!r)
		return c->rc = c->err->code;
	r->kind = kind;
	while (ulen && is_space(s[ulen - 1]))
		ulen--;
	gw_deps_redact_url(r->url, sizeof(r->url), s, ulen);
	nlen = implied_name(s, ulen, &name);
	if (nlen && gw_deps_set_name(r, name, nlen) < 0)
		r->name[0] = r->norm[0] = '\0';
	if (semi) {
		struct gw_error cause;
		const char *m = semi + 2;
		size_t mlen = len - (size_t)(m - s);

		snprintf(r->marker_text, sizeof(r->marker_text), "%.*s",
			 (int)mlen, m);
		gw_error_clear(&cause);
		if (gw_marker_parse(m, mlen, &r->marker, &cause) < 0) {
			gw_deps_pop(c->s);
			*out = NULL;
			gw_deps_fail_with(c->s, c->err, &cause, file, line);
			return c->rc = c->rc ? c->rc : cause.code;
		}
	}
	return 0;
}

static int add_requirement(struct req_ctx *c, const char *file, unsigned line,
			   const char *s, size_t len, const char *group,
			   struct gw_requirement **out)
{
	enum gw_req_kind kind = classify(s, len);
	int rc;

	if (kind != GW_REQ_NAMED)
		return add_located(c, file, line, kind, s, len, group, out);
	rc = gw_deps_add_pep508(c->s, file, line, group, s, len, out, c->err);
	if (rc < 0 && !c->rc)
		c->rc = rc;
	return rc;
}

/* ---- Lines and files ----------------------------------------------- */

static int read_text(struct req_ctx *c, const char *path, const char *text,
		     size_t len, bool constraint);

static void dir_join(char *dst, size_t cap, const char *from, const char *rel)
{
	const char *slash = strrchr(from, '/');

	if (rel[0] == '/' || !slash)
		snprintf(dst, cap, "%s", rel);
	else
		snprintf(dst, cap, "%.*s/%s", (int)(slash - from), from, rel);
}

static int chain_cycle(struct req_ctx *c, const char *file, unsigned line,
		       const char *shown)
{
	char msg[900];
	size_t n = 0;

	for (size_t i = 0; i < c->depth && n < sizeof(msg); i++)
		n += (size_t)snprintf(msg + n, sizeof(msg) - n, "%s -> ",
				      c->shown[i]);
	if (n < sizeof(msg))
		snprintf(msg + n, sizeof(msg) - n, "%s", shown);
	return fail(c, -ELOOP, file, line, "include cycle: %s", msg);
}

static int include(struct req_ctx *c, const char *file, unsigned line,
		   const char *value, bool constraint)
{
	char joined[PATH_MAX], real[PATH_MAX], esc[256];
	struct gw_error cause;
	struct gw_buf b;
	int rc;

	if (is_url(value, strlen(value)))
		return fail(
			c, -EPROTONOSUPPORT, file, line,
			"%s %s: remote files are not fetched",
			constraint ? "-c" : "-r",
			gw_deps_esc(esc, sizeof(esc), value, strlen(value)));
	dir_join(joined, sizeof(joined), file, value);
	gw_deps_esc(esc, sizeof(esc), joined, strlen(joined));
	if (!realpath(joined, real))
		return fail(c, -errno, file, line, "cannot read %s: %s", esc,
			    strerror(errno));
	for (size_t i = 0; i < c->depth; i++)
		if (strcmp(c->real[i], real) == 0)
			return chain_cycle(c, file, line, esc);
	if (c->depth >= GW_DEPS_MAX_INCLUDE_DEPTH)
		return fail(c, -ELOOP, file, line,
			    "%s: includes nested deeper than %u", esc,
			    GW_DEPS_MAX_INCLUDE_DEPTH);
	rc = gw_deps_note_file(c->s, joined);
	if (rc == 1)
		return 0;
	if (rc < 0)
		return fail(c, rc, file, line, "%s: too many dependency files",
			    esc);

	gw_buf_init(&b, GW_DEPS_FILE_MAX_BYTES);
	gw_error_clear(&cause);
	if (gw_buf_read_file(&b, joined, &cause) < 0) {
		gw_buf_free(&b);
		rc = gw_deps_fail_with(c->s, c->err, &cause, joined, 0);
		return c->rc = c->rc ? c->rc : rc;
	}
	memcpy(c->real[c->depth], real, sizeof(real));
	snprintf(c->shown[c->depth], sizeof(c->shown[0]), "%s", esc);
	c->depth++;
	rc = read_text(c, joined, b.data, b.len, constraint);
	c->depth--;
	gw_buf_free(&b);
	return rc;
}

static void add_hash(struct req_ctx *c, struct gw_requirement *r,
		     const char *file, unsigned line, const char *v)
{
	char esc[160];
	int rc = gw_deps_add_hash_text(r, v, strlen(v));

	if (rc == -E2BIG)
		fail(c, rc, file, line, "more than %d hashes for one package",
		     GW_REQ_MAX_HASHES);
	else if (rc < 0)
		fail(c, rc, file, line,
		     "--hash %s: not a sha256, sha384 or sha512 digest",
		     gw_deps_esc(esc, sizeof(esc), v, strlen(v)));
}

/* A line with no requirement: includes, an editable, global options. */
static int options_line(struct req_ctx *c, const char *file, unsigned line,
			const struct found_opt *f, size_t n, bool constraint)
{
	const char *group = constraint ? "constraint" : "default";
	struct gw_requirement *r = NULL;
	char name[40];

	for (size_t i = 0; i < n; i++) {
		const char *v = f[i].value;

		switch (f[i].opt->kind) {
		case OPT_INCLUDE:
		case OPT_CONSTRAINT:
			include(c, file, line, v,
				f[i].opt->kind == OPT_CONSTRAINT);
			break;
		case OPT_EDITABLE:
			add_located(c, file, line, GW_REQ_EDITABLE, v,
				    strlen(v), group, &r);
			break;
		case OPT_GLOBAL:
			snprintf(name, sizeof(name), "--%s", f[i].opt->name);
			gw_deps_add_index(c->s, name, v, file, line, c->err);
			break;
		case OPT_HASH:
		case OPT_PER_REQ:
			if (!r)
				fail(c, -EINVAL, file, line,
				     "--%s applies to a requirement on the "
				     "same line",
				     f[i].opt->name);
			else if (f[i].opt->kind == OPT_HASH)
				add_hash(c, r, file, line, v);
			break;
		}
	}
	return 0;
}

static void requirement_line(struct req_ctx *c, const char *file, unsigned line,
			     const char *args, size_t alen,
			     const struct found_opt *f, size_t n,
			     bool constraint)
{
	struct gw_requirement *r = NULL;

	if (add_requirement(c, file, line, args, alen,
			    constraint ? "constraint" : "default", &r) < 0 ||
	    !r)
		return;
	for (size_t i = 0; i < n; i++) {
		const char *v = f[i].value;

		if (f[i].opt->kind == OPT_HASH)
			add_hash(c, r, file, line, v);
		else if (f[i].opt->kind != OPT_PER_REQ)
			fail(c, -EINVAL, file, line,
			     "--%s cannot follow a requirement on the same "
			     "line",
			     f[i].opt->name);
	}
}

/* One logical line: comment gone, continuations joined, ${VAR} expanded. */
static int logical_line(struct req_ctx *c, const char *file, unsigned line,
			char *text, size_t len, bool constraint)
{
	struct found_opt found[MAX_TOKENS];
	char *words[MAX_TOKENS];
	size_t args = 0, nwords, nfound;
	int rc;

	while (len && is_space(text[len - 1]))
		len--;
	text[len] = '\0';
	while (*text && is_space(*text))
		text++, len--;
	if (len == 0)
		return 0;

	/* The requirement runs up to the first word that starts with "-". */
	while (args < len) {
		size_t w = args;

		while (w < len && is_space(text[w]))
			w++;
		if (w >= len || text[w] == '-')
			break;
		while (w < len && !is_space(text[w]))
			w++;
		args = w;
	}
	rc = split_words(text + args, words, &nwords);
	if (rc < 0)
		return fail(c, rc, file, line,
			    rc == -E2BIG ? "too many options"
					 : "unclosed quote");
	if (parse_options(c, file, line, words, nwords, found, &nfound) < 0)
		return 0;
	if (args == 0)
		return options_line(c, file, line, found, nfound, constraint);
	requirement_line(c, file, line, text, args, found, nfound, constraint);
	return 0;
}

static void finish_line(struct req_ctx *c, const char *path, unsigned first,
			struct gw_buf *logical, bool constraint)
{
	struct gw_buf expanded;

	gw_buf_init(&expanded, GW_DEPS_LINE_MAX_BYTES);
	if (expand_vars(&expanded, logical->data ? logical->data : "",
			logical->len) < 0)
		fail(c, -E2BIG, path, first, "line longer than %u bytes",
		     GW_DEPS_LINE_MAX_BYTES);
	else if (expanded.len)
		logical_line(c, path, first, expanded.data, expanded.len,
			     constraint);
	gw_buf_free(&expanded);
	logical->len = 0;
}

static int read_text(struct req_ctx *c, const char *path, const char *text,
		     size_t len, bool constraint)
{
	struct gw_buf logical;
	unsigned n = 0, first = 0;
	bool too_long = false;
	size_t pos = 0;

	gw_buf_init(&logical, GW_DEPS_LINE_MAX_BYTES);
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len, l;
		bool cont;

		n++;
		l = end - pos;
		if (l && text[pos + l - 1] == '\r')
			l--;
		l = strip_comment(text + pos, l);
		cont = l && text[pos + l - 1] == '\\';
		if (!first)
			first = n;
		if (!too_long &&
		    gw_buf_append(&logical, text + pos, l - cont) < 0) {
			fail(c, -E2BIG, path, first,
			     "line longer than %u bytes",
			     GW_DEPS_LINE_MAX_BYTES);
			too_long = true;
		}
		pos = end + 1;
		if (cont && pos < len)
			continue;
		if (!too_long)
			finish_line(c, path, first, &logical, constraint);
		logical.len = 0;
		too_long = false;
		first = 0;
	}
	gw_buf_free(&logical);
	return c->rc;
}

static struct req_ctx *ctx_new(struct gw_dep_set *s, struct gw_error *err,
			       const char *path)
{
	struct req_ctx *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->s = s;
	c->err = err;
	if (!realpath(path, c->real[0]))
		snprintf(c->real[0], sizeof(c->real[0]), "%s", path);
	gw_deps_esc(c->shown[0], sizeof(c->shown[0]), path, strlen(path));
	c->depth = 1;
	return c;
}

int gw_deps_read_requirements(const char *path, const char *text, size_t len,
			      struct gw_dep_set *s, struct gw_error *err)
{
	struct req_ctx *c = ctx_new(s, err, path);
	int rc;

	if (!c)
		return gw_deps_fail(s, err, -ENOMEM, path, 0, "out of memory");
	rc = read_text(c, path, text, len, false);
	free(c);
	return rc;
}

int gw_deps_requirement_line(struct gw_dep_set *s, const char *path,
			     unsigned line, const char *text, size_t len,
			     struct gw_error *err)
{
	struct req_ctx *c = ctx_new(s, err, path);
	struct gw_buf logical;
	int rc;

	if (!c)
		return gw_deps_fail(s, err, -ENOMEM, path, line,
				    "out of memory");
	gw_buf_init(&logical, GW_DEPS_LINE_MAX_BYTES);
	if (gw_buf_append(&logical, text, strip_comment(text, len)) < 0)
		fail(c, -E2BIG, path, line, "line longer than %u bytes",
		     GW_DEPS_LINE_MAX_BYTES);
	else
		finish_line(c, path, line, &logical, false);
	gw_buf_free(&logical);
	rc = c->rc;
	free(c);
	return rc;
}
