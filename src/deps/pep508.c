/*
 * PEP 508 dependency specifications: name, extras, then either version
 * specifiers (bare or in parentheses) or "@ url", then "; marker".
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/error.h"
#include "core/limits.h"
#include "core/log.h"
#include "deps/deps.h"
#include "deps/pep_priv.h"

struct rparse {
	const char *s;
	size_t len, pos;
	unsigned line;
	struct gw_error *err;
};

/* URL schemes that name a version-control checkout, not an archive. */
static const struct {
	const char *scheme;
	bool prefix; /* "git+https" as well as "git+ssh" */
} vcs_schemes[] = {
	{ "git", false }, { "git+", true }, { "hg+", true },
	{ "svn+", true }, { "bzr+", true },
};

static int fail(struct rparse *rp, int code, const char *what)
{
	return gw_error_set_at(rp->err, code, rp->line, (unsigned)rp->pos + 1,
			       "invalid requirement: %s", what);
}

static void skip_wsp(struct rparse *rp)
{
	while (rp->pos < rp->len && pep_is_wsp((unsigned char)rp->s[rp->pos]))
		rp->pos++;
}

static bool at(const struct rparse *rp, char c)
{
	return rp->pos < rp->len && rp->s[rp->pos] == c;
}

/* An identifier copied into buf and PEP 503 folded into norm. */
static int read_ident(struct rparse *rp, char *buf, size_t cap, char *norm,
		      size_t ncap, const char *what)
{
	size_t n = gw_pep508_ident_len(rp->s + rp->pos, rp->len - rp->pos);

	if (n == 0)
		return fail(rp, -EINVAL, what);
	if (n >= cap || n >= ncap)
		return fail(rp, -E2BIG, "name too long");
	if (buf) {
		memcpy(buf, rp->s + rp->pos, n);
		buf[n] = '\0';
	}
	gw_pep503_fold(rp->s + rp->pos, n, norm, ncap);
	rp->pos += n;
	return 0;
}

static bool has_extra(const struct gw_requirement *r, const char *norm)
{
	for (size_t i = 0; i < r->nextras; i++)
		if (strcmp(r->extras[i], norm) == 0)
			return true;
	return false;
}

/* "[a, b]": names kept PEP 685 normalized, each once. */
static int parse_extras(struct rparse *rp, struct gw_requirement *r)
{
	char norm[sizeof(r->extras[0])];
	int rc;

	skip_wsp(rp);
	if (!at(rp, '['))
		return 0;
	rp->pos++;
	skip_wsp(rp);
	if (at(rp, ']')) {
		rp->pos++;
		return 0;
	}
	for (;;) {
		rc = read_ident(rp, NULL, sizeof(norm), norm, sizeof(norm),
				"expected an extra name");
		if (rc < 0)
			return rc;
		if (!has_extra(r, norm)) {
			if (r->nextras == GW_REQ_MAX_EXTRAS)
				return fail(rp, -E2BIG, "too many extras");
			memcpy(r->extras[r->nextras++], norm, sizeof(norm));
		}
		skip_wsp(rp);
		if (at(rp, ']')) {
			rp->pos++;
			return 0;
		}
		if (!at(rp, ','))
			return fail(rp, -EINVAL, "expected ',' or ']'");
		rp->pos++;
		skip_wsp(rp);
	}
}

static bool is_op_start(char c)
{
	return c == '<' || c == '>' || c == '=' || c == '!' || c == '~';
}

/* PEP 508's version characters; "===" takes anything but ws , ; ). */
static bool is_version_char(unsigned char c, bool arbitrary)
{
	if (arbitrary)
		return c > ' ' && c != 0x7f && c != ',' && c != ';' && c != ')';
	return pep_is_alnum(c) || c == '-' || c == '_' || c == '.' ||
	       c == '*' || c == '+' || c == '!';
}

static int parse_one_spec(struct rparse *rp, struct gw_specset *set)
{
	size_t start = rp->pos;
	bool arbitrary;
	int rc;

	while (rp->pos < rp->len && is_op_start(rp->s[rp->pos]))
		rp->pos++;
	arbitrary = rp->pos - start == 3;
	skip_wsp(rp);
	while (rp->pos < rp->len &&
	       is_version_char((unsigned char)rp->s[rp->pos], arbitrary))
		rp->pos++;
	if (set->n == GW_SPEC_MAX)
		return fail(rp, -E2BIG, "too many version specifiers");
	rc = gw_specifier_parse(rp->s + start, rp->pos - start,
				&set->items[set->n]);
	if (rc < 0) {
		rp->pos = start;
		return fail(rp, rc, "invalid version specifier");
	}
	set->n++;
	return 0;
}

/*
 * One or more specifiers separated by commas. Like pip, a trailing
 * comma is accepted ("x>=1,"), as are empty parentheses ("x ()").
 */
static int parse_specs(struct rparse *rp, struct gw_specset *set)
{
	bool paren = at(rp, '(');
	int rc;

	if (paren) {
		rp->pos++;
		skip_wsp(rp);
	}
	while (rp->pos < rp->len && is_op_start(rp->s[rp->pos])) {
		rc = parse_one_spec(rp, set);
		if (rc < 0)
			return rc;
		skip_wsp(rp);
		if (!at(rp, ','))
			break;
		rp->pos++;
		skip_wsp(rp);
	}
	if (!paren)
		return 0;
	skip_wsp(rp);
	if (!at(rp, ')'))
		return fail(rp, -EINVAL, "expected ')'");
	rp->pos++;
	return 0;
}

static bool is_vcs_scheme(const char *scheme, size_t n)
{
	for (size_t k = 0; k < sizeof(vcs_schemes) / sizeof(vcs_schemes[0]);
	     k++) {
		size_t len = strlen(vcs_schemes[k].scheme);

		if (n < len || (!vcs_schemes[k].prefix && n != len))
			continue;
		if (strncasecmp(scheme, vcs_schemes[k].scheme, len) == 0)
			return true;
	}
	return false;
}

/*
 * An absolute URL: a scheme, then for anything but file: an authority
 * ("//host"). Only printable ASCII. Sets the requirement's kind.
 */
static int check_url(struct rparse *rp, const char *u, size_t n,
		     struct gw_requirement *r)
{
	size_t i = 0;

	for (size_t k = 0; k < n; k++)
		if ((unsigned char)u[k] <= ' ' || (unsigned char)u[k] >= 0x7f)
			return fail(rp, -EINVAL, "bad byte in the URL");
	if (n == 0 || pep_is_digit((unsigned char)u[0]) ||
	    !pep_is_alnum((unsigned char)u[0]))
		return fail(rp, -EINVAL, "expected a URL after '@'");
	while (i < n && (pep_is_alnum((unsigned char)u[i]) || u[i] == '+' ||
			 u[i] == '-' || u[i] == '.'))
		i++;
	if (i == n || u[i] != ':')
		return fail(rp, -EINVAL, "URL without a scheme");
	if (i == 4 && strncasecmp(u, "file", 4) == 0) {
		r->kind = GW_REQ_PATH;
		return 0;
	}
	/* "scheme://" and at least one byte of host. */
	if (n - i < 4 || memcmp(u + i + 1, "//", 2) != 0 || u[i + 3] == '/')
		return fail(rp, -EINVAL, "URL without a host");
	r->kind = is_vcs_scheme(u, i) ? GW_REQ_VCS : GW_REQ_URL;
	return 0;
}

/*
 * "@ url". The URL runs to the next space or tab, so a marker after it
 * needs whitespace before its ";" ("x @ https://h/x.whl ; os_name...").
 */
static int parse_url(struct rparse *rp, struct gw_requirement *r)
{
	size_t start, n;
	int rc;

	rp->pos++;
	skip_wsp(rp);
	start = rp->pos;
	while (rp->pos < rp->len && !pep_is_wsp((unsigned char)rp->s[rp->pos]))
		rp->pos++;
	n = rp->pos - start;
	if (n >= sizeof(r->url))
		return fail(rp, -E2BIG, "URL too long");
	rc = check_url(rp, rp->s + start, n, r);
	if (rc < 0)
		return rc;
	memcpy(r->url, rp->s + start, n);
	r->url[n] = '\0';
	return 0;
}

static int parse_marker_part(struct rparse *rp, struct gw_requirement *r)
{
	struct gw_error sub;
	size_t start, end = rp->len;
	int rc;

	skip_wsp(rp);
	if (rp->pos == rp->len)
		return 0;
	if (!at(rp, ';'))
		return fail(rp, -EINVAL, "expected ';' or the end");
	rp->pos++;
	skip_wsp(rp);
	start = rp->pos;
	while (end > start && pep_is_wsp((unsigned char)rp->s[end - 1]))
		end--;
	if (end == start)
		return fail(rp, -EINVAL, "expected a marker after ';'");
	if (end - start >= sizeof(r->marker_text))
		return fail(rp, -E2BIG, "marker longer than 255 bytes");
	gw_error_clear(&sub);
	rc = gw_marker_parse(rp->s + start, end - start, &r->marker, &sub);
	if (rc < 0)
		return gw_error_set_at(rp->err, rc, rp->line,
				       (unsigned)start + sub.col, "%s",
				       sub.msg);
	memcpy(r->marker_text, rp->s + start, end - start);
	r->marker_text[end - start] = '\0';
	return 0;
}

static int parse_requirement(struct rparse *rp, struct gw_requirement *r)
{
	int rc;

	skip_wsp(rp);
	rc = read_ident(rp, r->name, sizeof(r->name), r->norm, sizeof(r->norm),
			"expected a project name");
	if (rc == 0)
		rc = parse_extras(rp, r);
	if (rc < 0)
		return rc;
	skip_wsp(rp);
	if (at(rp, '@'))
		rc = parse_url(rp, r);
	else if (at(rp, '(') ||
		 (rp->pos < rp->len && is_op_start(rp->s[rp->pos])))
		rc = parse_specs(rp, &r->spec);
	if (rc == 0)
		rc = parse_marker_part(rp, r);
	return rc;
}

int gw_requirement_parse(const char *text, size_t len, const char *file,
			 unsigned line, struct gw_requirement *out,
			 struct gw_error *err)
{
	struct rparse rp = { .s = text, .len = len, .line = line, .err = err };
	int rc;

	memset(out, 0, sizeof(*out));
	out->kind = GW_REQ_NAMED;
	snprintf(out->file, sizeof(out->file), "%s", file ? file : "");
	out->line = line;
	if (len > GW_DEPS_LINE_MAX_BYTES)
		rc = fail(&rp, -E2BIG, "longer than a line may be");
	else
		rc = parse_requirement(&rp, out);
	if (rc < 0) {
		gw_error_where(err, file, NULL);
		gw_marker_free(out->marker);
		out->marker = NULL;
	}
	return rc;
}

void gw_requirement_clear(struct gw_requirement *r)
{
	if (!r)
		return;
	gw_marker_free(r->marker);
	memset(r, 0, sizeof(*r));
}
