/*
 * PEP 440 version specifiers ("~=1.4.2", "==1.2.*", "<2") and the
 * comma-separated sets of them. The rules of the PEP, read the way
 * packaging reads them wherever the PEP leaves room, with two
 * exceptions where packaging 23 departs from the PEP's text (both in
 * docs/deps.md, "Versions and specifiers"): zero padding in a prefix
 * match that has an epoch, and ">V" refusing local versions of other
 * versions than V.
 */
#include <errno.h>
#include <strings.h>
#include <string.h>

#include "core/error.h"
#include "core/log.h"
#include "deps/deps.h"
#include "deps/pep_priv.h"

/* Longest spelling first, so "===" is not read as "==" and "=". */
static const struct {
	const char *text;
	enum gw_spec_op op;
} ops[] = {
	{ "===", GW_OP_ARBITRARY }, { "~=", GW_OP_COMPATIBLE },
	{ "==", GW_OP_EQ },	    { "!=", GW_OP_NE },
	{ "<=", GW_OP_LE },	    { ">=", GW_OP_GE },
	{ "<", GW_OP_LT },	    { ">", GW_OP_GT },
};

static int read_op(const char **p, const char *end, enum gw_spec_op *op)
{
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		size_t n = strlen(ops[i].text);

		if ((size_t)(end - *p) >= n &&
		    memcmp(*p, ops[i].text, n) == 0) {
			*p += n;
			*op = ops[i].op;
			return 0;
		}
	}
	return -EINVAL;
}

/* "==1.2.*": only an epoch and a release may come before the ".*". */
static int parse_wildcard(const char *v, size_t len, struct gw_spec *out)
{
	struct gw_pep440 *p = &out->version;
	int rc = gw_pep440_parse(v, len - 2, p);

	if (rc < 0)
		return rc;
	if (p->pre != GW_PRE_NONE || p->has_post || p->has_dev || p->nlocal)
		return -EINVAL;
	out->wildcard = true;
	return 0;
}

/* What each operator allows beside a plain version. */
static int check_version(const struct gw_spec *s)
{
	switch (s->op) {
	case GW_OP_COMPATIBLE:
		if (s->version.nrelease < 2)
			return -EINVAL;
		return s->version.nlocal ? -EINVAL : 0;
	case GW_OP_LT:
	case GW_OP_LE:
	case GW_OP_GT:
	case GW_OP_GE: return s->version.nlocal ? -EINVAL : 0;
	default: return 0;
	}
}

int gw_specifier_parse(const char *text, size_t len, struct gw_spec *out)
{
	const char *p = text, *end = text + len;
	size_t vlen;
	int rc;

	memset(out, 0, sizeof(*out));
	while (p < end && pep_is_space((unsigned char)*p))
		p++;
	while (end > p && pep_is_space((unsigned char)end[-1]))
		end--;
	if (read_op(&p, end, &out->op) < 0)
		return -EINVAL;
	while (p < end && pep_is_space((unsigned char)*p))
		p++;

	vlen = (size_t)(end - p);
	if (vlen >= sizeof(out->text))
		return -E2BIG;
	for (size_t i = 0; i < vlen; i++)
		if (pep_is_space((unsigned char)p[i]))
			return -EINVAL;
	memcpy(out->text, p, vlen);
	out->text[vlen] = '\0';

	/* Arbitrary equality takes any text without ";" or ")". */
	if (out->op == GW_OP_ARBITRARY) {
		if (memchr(p, ';', vlen) || memchr(p, ')', vlen))
			return -EINVAL;
		if (gw_pep440_parse(p, vlen, &out->version) < 0)
			memset(&out->version, 0, sizeof(out->version));
		return 0;
	}
	if ((out->op == GW_OP_EQ || out->op == GW_OP_NE) && vlen >= 2 &&
	    memcmp(end - 2, ".*", 2) == 0)
		return parse_wildcard(p, vlen, out);
	rc = gw_pep440_parse(p, vlen, &out->version);
	if (rc < 0)
		return rc;
	return check_version(out);
}

/* v's release, padded with zeros, starts with the first n parts of p. */
static bool prefix_match(const struct gw_pep440 *v, const struct gw_pep440 *p,
			 size_t n)
{
	if (v->epoch != p->epoch)
		return false;
	for (size_t i = 0; i < n; i++) {
		uint64_t x = i < v->nrelease ? v->release[i] : 0;

		if (x != p->release[i])
			return false;
	}
	return true;
}

static bool match_eq(const struct gw_spec *s, const struct gw_pep440 *v)
{
	if (s->wildcard)
		return prefix_match(v, &s->version, s->version.nrelease);
	/* Without a local label in the specifier, v's own is ignored. */
	return gw_pep440_cmp_ex(v, &s->version, s->version.nlocal > 0) == 0;
}

static bool match_ne(const struct gw_spec *s, const struct gw_pep440 *v)
{
	return !match_eq(s, v);
}

static bool match_le(const struct gw_spec *s, const struct gw_pep440 *v)
{
	return gw_pep440_cmp_ex(v, &s->version, false) <= 0;
}

static bool match_ge(const struct gw_spec *s, const struct gw_pep440 *v)
{
	return gw_pep440_cmp_ex(v, &s->version, false) >= 0;
}

/* "~=2.2.post3" is ">=2.2.post3, ==2.*": the last release part may grow. */
static bool match_compatible(const struct gw_spec *s, const struct gw_pep440 *v)
{
	return match_ge(s, v) &&
	       prefix_match(v, &s->version, s->version.nrelease - 1);
}

/* "<V" never admits a pre-release of V itself unless V is one. */
static bool match_lt(const struct gw_spec *s, const struct gw_pep440 *v)
{
	const struct gw_pep440 *w = &s->version;

	if (gw_pep440_cmp(v, w) >= 0)
		return false;
	return gw_pep440_is_prerelease(w) || !gw_pep440_is_prerelease(v) ||
	       !gw_pep440_base_eq(v, w);
}

/*
 * ">V" never admits a post-release of V unless V is one, nor a local
 * version of V ("1.0+ubuntu1" for ">1.0").
 */
static bool match_gt(const struct gw_spec *s, const struct gw_pep440 *v)
{
	const struct gw_pep440 *w = &s->version;

	if (gw_pep440_cmp(v, w) <= 0)
		return false;
	if (!gw_pep440_is_postrelease(w) && gw_pep440_is_postrelease(v) &&
	    gw_pep440_base_eq(v, w))
		return false;
	return !(v->nlocal && gw_pep440_cmp_ex(v, w, false) == 0);
}

/* "===" compares text: the candidate's normalized form, case folded. */
static bool match_arbitrary(const struct gw_spec *s, const struct gw_pep440 *v)
{
	char buf[sizeof(s->text)];

	if (gw_pep440_format(v, buf, sizeof(buf)) >= sizeof(buf))
		return false;
	return strcasecmp(buf, s->text) == 0;
}

typedef bool (*spec_match_fn)(const struct gw_spec *s,
			      const struct gw_pep440 *v);

static const spec_match_fn matchers[] = {
	[GW_OP_COMPATIBLE] = match_compatible,
	[GW_OP_EQ] = match_eq,
	[GW_OP_NE] = match_ne,
	[GW_OP_LT] = match_lt,
	[GW_OP_LE] = match_le,
	[GW_OP_GT] = match_gt,
	[GW_OP_GE] = match_ge,
	[GW_OP_ARBITRARY] = match_arbitrary,
};

bool gw_spec_match(const struct gw_spec *s, const struct gw_pep440 *v)
{
	if ((size_t)s->op >= sizeof(matchers) / sizeof(matchers[0]))
		return false;
	return matchers[s->op](s, v);
}

/*
 * Inclusive operators whose version is a pre-release ask for
 * pre-releases (">=1.0b1"); "<", ">" and "!=" never do.
 */
bool gw_spec_names_prerelease(const struct gw_spec *s)
{
	struct gw_pep440 v;

	switch (s->op) {
	case GW_OP_EQ:
	case GW_OP_LE:
	case GW_OP_GE:
	case GW_OP_COMPATIBLE: return gw_pep440_is_prerelease(&s->version);
	case GW_OP_ARBITRARY:
		return gw_pep440_parse(s->text, strlen(s->text), &v) == 0 &&
		       gw_pep440_is_prerelease(&v);
	default: return false;
	}
}

bool gw_specifier_contains(const struct gw_spec *s, const struct gw_pep440 *v,
			   bool prereleases)
{
	if (gw_pep440_is_prerelease(v) && !prereleases &&
	    !gw_spec_names_prerelease(s))
		return false;
	return gw_spec_match(s, v);
}

int gw_specset_parse(const char *text, size_t len, struct gw_specset *out,
		     struct gw_error *err)
{
	const char *p = text, *end = text + len;

	out->n = 0;
	for (;;) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		const char *stop = comma ? comma : end;
		const char *s = p;
		char shown[64];
		int rc;

		while (s < stop && pep_is_space((unsigned char)*s))
			s++;
		if (s < stop && out->n == GW_SPEC_MAX)
			return gw_error_set_at(
				err, -E2BIG, 0, (unsigned)(s - text) + 1,
				"more than %d specifiers", GW_SPEC_MAX);
		/* packaging skips empty items: ">=1,,<2" and "" are valid. */
		rc = s < stop ? gw_specifier_parse(s, (size_t)(stop - s),
						   &out->items[out->n])
			      : 0;
		if (rc < 0) {
			gw_escape(shown, sizeof(shown), s, (size_t)(stop - s));
			return gw_error_set_at(
				err, rc, 0, (unsigned)(s - text) + 1,
				"invalid version specifier '%s'", shown);
		}
		out->n += s < stop;
		if (!comma)
			return 0;
		p = comma + 1;
	}
}

bool gw_specset_contains(const struct gw_specset *s, const struct gw_pep440 *v,
			 bool prereleases)
{
	bool allow = prereleases;

	for (size_t i = 0; i < s->n && !allow; i++)
		allow = gw_spec_names_prerelease(&s->items[i]);
	if (gw_pep440_is_prerelease(v) && !allow)
		return false;
	for (size_t i = 0; i < s->n; i++)
		if (!gw_spec_match(&s->items[i], v))
			return false;
	return true;
}

/*
 * The first version an exact item names ("==" without ".*", "===")
 * that the whole set accepts: ">=1,==1.4" pins 1.4, "==1,==2" nothing.
 */
int gw_specset_pinned(const struct gw_specset *s, struct gw_pep440 *out)
{
	int rc = -ENOENT;

	for (size_t i = 0; i < s->n; i++) {
		const struct gw_spec *it = &s->items[i];

		if (it->op == GW_OP_ARBITRARY &&
		    gw_pep440_parse(it->text, strlen(it->text), out) < 0) {
			rc = rc == -ENOENT ? -EINVAL : rc;
			continue;
		}
		if (it->op == GW_OP_EQ && !it->wildcard)
			*out = it->version;
		else if (it->op != GW_OP_ARBITRARY)
			continue;
		if (gw_specset_contains(s, out, true))
			return 0;
	}
	return rc;
}
