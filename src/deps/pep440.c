/*
 * PEP 440 versions: the permissive grammar with every normalization the
 * PEP allows (case, "-" "_" "." separators, alternative spellings of
 * pre-, post- and dev-release labels, implicit numbers, implicit post
 * releases, a leading "v", surrounding whitespace), the total order, and
 * the normalized text. Pure: no allocation, no globals.
 */
#include <errno.h>
#include <string.h>

#include "deps/deps.h"
#include "deps/pep_priv.h"

struct cur {
	const char *p;
	const char *end;
};

/*
 * Every spelling of each label, with what it normalizes to. Within a
 * table no word is a prefix of a later one, so the first match is the
 * longest.
 */
struct label {
	const char *word;
	size_t len;
	int value;
};

#define LABEL(word, value)                                                     \
	{                                                                      \
		word, sizeof(word) - 1, value                                  \
	}

static const struct label pre_labels[] = {
	LABEL("alpha", GW_PRE_A),    LABEL("a", GW_PRE_A),
	LABEL("beta", GW_PRE_B),     LABEL("b", GW_PRE_B),
	LABEL("preview", GW_PRE_RC), LABEL("pre", GW_PRE_RC),
	LABEL("rc", GW_PRE_RC),	     LABEL("c", GW_PRE_RC),
};
static const struct label post_labels[] = {
	LABEL("post", 0),
	LABEL("rev", 0),
	LABEL("r", 0),
};
static const struct label dev_labels[] = { LABEL("dev", 0) };

#define NLABELS(t) (sizeof(t) / sizeof((t)[0]))

static const char *const pre_names[] = {
	[GW_PRE_NONE] = "",
	[GW_PRE_A] = "a",
	[GW_PRE_B] = "b",
	[GW_PRE_RC] = "rc",
};

static bool peek_digit(const struct cur *c)
{
	return c->p < c->end && pep_is_digit((unsigned char)*c->p);
}

static bool peek_sep(const struct cur *c)
{
	return c->p < c->end && (*c->p == '-' || *c->p == '_' || *c->p == '.');
}

/* A run of digits as a number; -ERANGE when it needs more than 64 bits. */
static int read_num(struct cur *c, uint64_t *out)
{
	uint64_t n = 0;

	if (!peek_digit(c))
		return -EINVAL;
	while (peek_digit(c)) {
		unsigned d = (unsigned)(*c->p - '0');

		if (n > (UINT64_MAX - d) / 10)
			return -ERANGE;
		n = n * 10 + d;
		c->p++;
	}
	*out = n;
	return 0;
}

/* The label (case-insensitively) that starts at c, consumed; or NULL. */
static const struct label *eat_label(struct cur *c, const struct label *t,
				     size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t len = t[i].len;
		size_t k = 0;

		if ((size_t)(c->end - c->p) < len)
			continue;
		while (k < len && pep_lower((unsigned char)c->p[k]) ==
					  (unsigned char)t[i].word[k])
			k++;
		if (k == len) {
			c->p += len;
			return &t[i];
		}
	}
	return NULL;
}

/*
 * The optional "[-_.]? N?" after a label: the number defaults to 0.
 * A separator with no number after it still belongs to the label, as
 * in PEP 440's own pattern ("1.0a-" is 1.0a0).
 */
static int read_label_num(struct cur *c, uint64_t *out)
{
	*out = 0;
	if (peek_sep(c))
		c->p++;
	if (peek_digit(c))
		return read_num(c, out);
	return 0;
}

static int parse_release(struct cur *c, struct gw_pep440 *v)
{
	uint64_t n;
	int rc = read_num(c, &n);

	if (rc < 0)
		return rc;
	if (c->p < c->end && *c->p == '!') {
		v->epoch = n;
		c->p++;
		rc = read_num(c, &n);
		if (rc < 0)
			return rc;
	}
	v->release[v->nrelease++] = n;
	while (c->end - c->p >= 2 && c->p[0] == '.' &&
	       pep_is_digit((unsigned char)c->p[1])) {
		if (v->nrelease == GW_PEP440_MAX_RELEASE)
			return -ERANGE;
		c->p++;
		rc = read_num(c, &v->release[v->nrelease]);
		if (rc < 0)
			return rc;
		v->nrelease++;
	}
	return 0;
}

static int parse_pre(struct cur *c, struct gw_pep440 *v)
{
	const char *start = c->p;
	const struct label *l;

	if (peek_sep(c))
		c->p++;
	l = eat_label(c, pre_labels, NLABELS(pre_labels));
	if (!l) {
		c->p = start;
		return 0;
	}
	v->pre = (enum gw_pep440_pre)l->value;
	return read_label_num(c, &v->pre_n);
}

/* "-N" is an implicit post release; otherwise "[-_.]? post|rev|r N?". */
static int parse_post(struct cur *c, struct gw_pep440 *v)
{
	const char *start = c->p;

	if (c->end - c->p >= 2 && c->p[0] == '-' &&
	    pep_is_digit((unsigned char)c->p[1])) {
		c->p++;
		v->has_post = true;
		return read_num(c, &v->post);
	}
	if (peek_sep(c))
		c->p++;
	if (!eat_label(c, post_labels, NLABELS(post_labels))) {
		c->p = start;
		return 0;
	}
	v->has_post = true;
	return read_label_num(c, &v->post);
}

static int parse_dev(struct cur *c, struct gw_pep440 *v)
{
	const char *start = c->p;

	if (peek_sep(c))
		c->p++;
	if (!eat_label(c, dev_labels, NLABELS(dev_labels))) {
		c->p = start;
		return 0;
	}
	v->has_dev = true;
	return read_label_num(c, &v->dev);
}

/* One local segment: all digits is a number, anything else a word. */
static int parse_local_seg(struct cur *c, struct gw_pep440_local *seg)
{
	const char *s = c->p;
	bool digits = true;
	size_t len;

	while (c->p < c->end && pep_is_alnum((unsigned char)*c->p)) {
		digits = digits && pep_is_digit((unsigned char)*c->p);
		c->p++;
	}
	len = (size_t)(c->p - s);
	if (len == 0)
		return -EINVAL;
	seg->is_num = digits;
	if (digits) {
		struct cur d = { s, c->p };

		return read_num(&d, &seg->num);
	}
	if (len >= sizeof(seg->word))
		return -ERANGE;
	for (size_t i = 0; i < len; i++)
		seg->word[i] = (char)pep_lower((unsigned char)s[i]);
	seg->word[len] = '\0';
	seg->num = 0;
	return 0;
}

static int parse_local(struct cur *c, struct gw_pep440 *v)
{
	int rc;

	if (c->p >= c->end || *c->p != '+')
		return 0;
	c->p++;
	for (;;) {
		if (v->nlocal == GW_PEP440_MAX_LOCAL)
			return -ERANGE;
		rc = parse_local_seg(c, &v->local[v->nlocal]);
		if (rc < 0)
			return rc;
		v->nlocal++;
		if (!peek_sep(c))
			return 0;
		c->p++;
	}
}

static void clear_version(struct gw_pep440 *v)
{
	v->epoch = 0;
	v->nrelease = 0;
	v->pre = GW_PRE_NONE;
	v->pre_n = 0;
	v->has_post = false;
	v->post = 0;
	v->has_dev = false;
	v->dev = 0;
	v->nlocal = 0;
}

/*
 * Only the parts a version has are written: release[] and local[] past
 * nrelease and nlocal are left as they were (a parse touches ~100 bytes,
 * not the whole struct, which matters when a database parses 10^5).
 */
int gw_pep440_parse(const char *text, size_t len, struct gw_pep440 *out)
{
	struct cur c = { text, text + len };
	int rc;

	clear_version(out);
	while (c.p < c.end && pep_is_space((unsigned char)*c.p))
		c.p++;
	while (c.end > c.p && pep_is_space((unsigned char)c.end[-1]))
		c.end--;
	if (c.p < c.end && (*c.p == 'v' || *c.p == 'V'))
		c.p++;

	rc = parse_release(&c, out);
	if (rc == 0)
		rc = parse_pre(&c, out);
	if (rc == 0)
		rc = parse_post(&c, out);
	if (rc == 0)
		rc = parse_dev(&c, out);
	if (rc == 0)
		rc = parse_local(&c, out);
	if (rc == 0 && c.p != c.end)
		rc = -EINVAL;
	return rc;
}

static int cmp_u64(uint64_t a, uint64_t b)
{
	return (a > b) - (a < b);
}

/* Release parts compared with the shorter padded by zeros. */
static int cmp_release(const struct gw_pep440 *a, const struct gw_pep440 *b)
{
	size_t n = a->nrelease > b->nrelease ? a->nrelease : b->nrelease;

	for (size_t i = 0; i < n; i++) {
		uint64_t x = i < a->nrelease ? a->release[i] : 0;
		uint64_t y = i < b->nrelease ? b->release[i] : 0;
		int c = cmp_u64(x, y);

		if (c)
			return c;
	}
	return 0;
}

/*
 * Where the pre-release part sorts: a dev release of a final version
 * ("1.0.dev1") before every pre-release of it, then a, b, rc, then the
 * final and post releases.
 */
static int pre_rank(const struct gw_pep440 *v)
{
	if (v->pre != GW_PRE_NONE)
		return 1 + (int)v->pre;
	if (!v->has_post && v->has_dev)
		return 0;
	return 1 + (int)GW_PRE_RC + 1;
}

static int cmp_local(const struct gw_pep440 *a, const struct gw_pep440 *b)
{
	size_t n = a->nlocal < b->nlocal ? a->nlocal : b->nlocal;

	for (size_t i = 0; i < n; i++) {
		const struct gw_pep440_local *x = &a->local[i];
		const struct gw_pep440_local *y = &b->local[i];
		int c;

		/* A number sorts after any word. */
		if (x->is_num != y->is_num)
			return x->is_num ? 1 : -1;
		c = x->is_num ? cmp_u64(x->num, y->num)
			      : strcmp(x->word, y->word);
		if (c)
			return c < 0 ? -1 : 1;
	}
	return cmp_u64(a->nlocal, b->nlocal);
}

int gw_pep440_cmp_ex(const struct gw_pep440 *a, const struct gw_pep440 *b,
		     bool locals)
{
	int c = cmp_u64(a->epoch, b->epoch);

	if (!c)
		c = cmp_release(a, b);
	if (!c)
		c = cmp_u64((uint64_t)pre_rank(a), (uint64_t)pre_rank(b));
	if (!c && a->pre != GW_PRE_NONE)
		c = cmp_u64(a->pre_n, b->pre_n);
	if (!c)
		c = cmp_u64(a->has_post, b->has_post);
	if (!c)
		c = cmp_u64(a->post, b->post);
	/* No dev part sorts after any dev release. */
	if (!c)
		c = cmp_u64(!a->has_dev, !b->has_dev);
	if (!c)
		c = cmp_u64(a->dev, b->dev);
	if (!c && locals)
		c = cmp_local(a, b);
	return c;
}

int gw_pep440_cmp(const struct gw_pep440 *a, const struct gw_pep440 *b)
{
	return gw_pep440_cmp_ex(a, b, true);
}

bool gw_pep440_base_eq(const struct gw_pep440 *a, const struct gw_pep440 *b)
{
	return a->epoch == b->epoch && cmp_release(a, b) == 0;
}

bool gw_pep440_is_prerelease(const struct gw_pep440 *v)
{
	return v->pre != GW_PRE_NONE || v->has_dev;
}

bool gw_pep440_is_postrelease(const struct gw_pep440 *v)
{
	return v->has_post;
}

/* Output that counts what it would need, like snprintf, without printf. */
struct out {
	char *buf;
	size_t cap;
	size_t len;
};

static void put_char(struct out *o, char ch)
{
	if (o->len + 1 < o->cap)
		o->buf[o->len] = ch;
	o->len++;
}

static void put_str(struct out *o, const char *s)
{
	while (*s)
		put_char(o, *s++);
}

static void put_num(struct out *o, uint64_t n)
{
	char digits[20];
	int i = 0;

	do {
		digits[i++] = (char)('0' + n % 10);
		n /= 10;
	} while (n);
	while (i)
		put_char(o, digits[--i]);
}

static size_t format(const struct gw_pep440 *v, char *buf, size_t cap,
		     bool trim)
{
	struct out o = { buf, cap, 0 };
	size_t nrel = v->nrelease;

	while (trim && nrel > 1 && v->release[nrel - 1] == 0)
		nrel--;
	if (v->epoch) {
		put_num(&o, v->epoch);
		put_char(&o, '!');
	}
	for (size_t i = 0; i < nrel; i++) {
		if (i)
			put_char(&o, '.');
		put_num(&o, v->release[i]);
	}
	if (v->pre != GW_PRE_NONE) {
		put_str(&o, pre_names[v->pre]);
		put_num(&o, v->pre_n);
	}
	if (v->has_post) {
		put_str(&o, ".post");
		put_num(&o, v->post);
	}
	if (v->has_dev) {
		put_str(&o, ".dev");
		put_num(&o, v->dev);
	}
	for (size_t i = 0; i < v->nlocal; i++) {
		put_char(&o, i ? '.' : '+');
		if (v->local[i].is_num)
			put_num(&o, v->local[i].num);
		else
			put_str(&o, v->local[i].word);
	}
	if (cap)
		buf[o.len < cap ? o.len : cap - 1] = '\0';
	return o.len;
}

size_t gw_pep440_format(const struct gw_pep440 *v, char *buf, size_t cap)
{
	return format(v, buf, cap, false);
}

size_t gw_pep440_key(const struct gw_pep440 *v, char *buf, size_t cap)
{
	return format(v, buf, cap, true);
}
