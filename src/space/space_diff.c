/*
 * Comparing a pinned space with a declared one and naming the first
 * difference, e.g. "observation_space.shape: manifest (2,) but
 * environment (3,)". The declared space comes from a worker, so every
 * key taken from it is escaped before it is printed.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "space/space.h"
#include "space/space_priv.h"

#define PATH_BYTES 1024

struct diff {
	char path[PATH_BYTES];
	size_t plen;
	struct gw_out out;
};

static int differ(struct diff *d, const char *field, const char *va,
		  const char *vb)
{
	gw_out_put(&d->out, "%s%s: manifest %s but environment %s", d->path,
		   field, va, vb);
	return 1;
}

static int differ_u64(struct diff *d, const char *field, uint64_t a, uint64_t b)
{
	char va[32], vb[32];

	snprintf(va, sizeof(va), "%" PRIu64, a);
	snprintf(vb, sizeof(vb), "%" PRIu64, b);
	return differ(d, field, va, vb);
}

static int differ_i64(struct diff *d, const char *field, int64_t a, int64_t b)
{
	char va[32], vb[32];

	snprintf(va, sizeof(va), "%" PRId64, a);
	snprintf(vb, sizeof(vb), "%" PRId64, b);
	return differ(d, field, va, vb);
}

/* Append to the path; returns the old length to restore it. */
static size_t push(struct diff *d, const char *fmt, const char *arg)
{
	size_t old = d->plen;
	int n = snprintf(d->path + d->plen, PATH_BYTES - d->plen, fmt, arg);

	if (n > 0)
		d->plen += (size_t)n < PATH_BYTES - d->plen
				   ? (size_t)n
				   : PATH_BYTES - d->plen - 1;
	return old;
}

static void pop(struct diff *d, size_t old)
{
	d->plen = old;
	d->path[old] = '\0';
}

/* "name[1, 0]": element flat of a space's shape. */
static void index_field(const struct gw_space *s, const char *name, size_t flat,
			char *buf, size_t cap)
{
	struct gw_out o = { buf, cap, 0, false };
	uint64_t idx[GW_SPACE_MAX_DIMS];

	for (unsigned k = s->ndim; k-- > 0;) {
		idx[k] = flat % s->shape[k];
		flat /= s->shape[k];
	}
	gw_out_put(&o, "%s[", name);
	for (unsigned k = 0; k < s->ndim; k++)
		gw_out_put(&o, "%s%" PRIu64, k ? ", " : "", idx[k]);
	gw_out_put(&o, "]");
	gw_out_finish(&o);
}

static int shapes_differ(struct diff *d, const struct gw_space *a,
			 const struct gw_space *b)
{
	char va[256], vb[256];
	struct gw_out oa = { va, sizeof(va), 0, false };
	struct gw_out ob = { vb, sizeof(vb), 0, false };

	if (a->ndim == b->ndim &&
	    memcmp(a->shape, b->shape, a->ndim * sizeof(a->shape[0])) == 0)
		return 0;
	gw_format_shape(&oa, a->shape, a->ndim);
	gw_format_shape(&ob, b->shape, b->ndim);
	gw_out_finish(&oa);
	gw_out_finish(&ob);
	return differ(d, ".shape", va, vb);
}

static bool bound_eq(const struct gw_space *a, const union gw_bounds *ba,
		     size_t ia, const union gw_bounds *bb, size_t ib)
{
	switch (gw_dtype_info(a->dtype)->rep) {
	case GW_REP_INT: return ba->i[ia] == bb->i[ib];
	case GW_REP_UINT: return ba->u[ia] == bb->u[ib];
	default: return ba->f[ia] == bb->f[ib];
	}
}

/* Compare one side of two Boxes of the same dtype and shape. */
static int bounds_differ(struct diff *d, const struct gw_space *a,
			 const struct gw_space *b, const char *name,
			 const union gw_bounds *ba, const union gw_bounds *bb)
{
	char field[128], va[64], vb[64];

	for (uint64_t i = 0; i < a->nelem; i++) {
		size_t ia = a->u.box.scalar_bounds ? 0 : i;
		size_t ib = b->u.box.scalar_bounds ? 0 : i;

		if (bound_eq(a, ba, ia, bb, ib))
			continue;
		field[0] = '.';
		if (a->u.box.scalar_bounds && b->u.box.scalar_bounds)
			snprintf(field + 1, sizeof(field) - 1, "%s", name);
		else
			index_field(a, name, i, field + 1, sizeof(field) - 1);
		gw_format_bound(a, ba, ia, va, sizeof(va));
		gw_format_bound(b, bb, ib, vb, sizeof(vb));
		return differ(d, field, va, vb);
	}
	return 0;
}

static int box_differs(struct diff *d, const struct gw_space *a,
		       const struct gw_space *b)
{
	if (a->dtype != b->dtype)
		return differ(d, ".dtype", gw_dtype_name(a->dtype),
			      gw_dtype_name(b->dtype));
	if (shapes_differ(d, a, b))
		return 1;
	if (bounds_differ(d, a, b, "low", &a->u.box.low, &b->u.box.low))
		return 1;
	return bounds_differ(d, a, b, "high", &a->u.box.high, &b->u.box.high);
}

static int md_differs(struct diff *d, const struct gw_space *a,
		      const struct gw_space *b)
{
	char field[128];

	if (shapes_differ(d, a, b))
		return 1;
	for (uint64_t i = 0; i < a->nelem; i++) {
		if (a->u.md.nvec[i] != b->u.md.nvec[i]) {
			field[0] = '.';
			index_field(a, "nvec", i, field + 1, sizeof(field) - 1);
			return differ_i64(d, field, a->u.md.nvec[i],
					  b->u.md.nvec[i]);
		}
	}
	for (uint64_t i = 0; i < a->nelem; i++) {
		if (a->u.md.start[i] != b->u.md.start[i]) {
			field[0] = '.';
			index_field(a, "start", i, field + 1,
				    sizeof(field) - 1);
			return differ_i64(d, field, a->u.md.start[i],
					  b->u.md.start[i]);
		}
	}
	return 0;
}

static void charset_text(const struct gw_text *t, char *buf, size_t cap)
{
	char esc[200];

	if (!t->charset) {
		snprintf(buf, cap, "the default charset");
		return;
	}
	gw_escape(esc, sizeof(esc), t->charset, t->charset_len);
	snprintf(buf, cap, "\"%s\"", esc);
}

/* The code points of one UTF-8 character at *p, advancing it. */
static uint32_t next_cp(const unsigned char **p, const unsigned char *end)
{
	const unsigned char *s = *p;
	uint32_t c = *s++;
	int more = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc0 ? 1 : 0;

	if (more)
		c &= 0x3fu >> more;
	while (more-- && s < end)
		c = (c << 6) | (*s++ & 0x3fu);
	*p = s;
	return c;
}

static int by_cp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/*
 * A charset is a set of characters: sorted, without repeats, into out
 * (room for len code points); NULL stands for Gymnasium's default,
 * letters and digits. Returns the count.
 */
static size_t charset_set(const struct gw_text *t, uint32_t *out)
{
	static const char alnum[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				    "abcdefghijklmnopqrstuvwxyz";
	const unsigned char *p =
		(const unsigned char *)(t->charset ? t->charset : alnum);
	const unsigned char *end =
		p + (t->charset ? t->charset_len : sizeof(alnum) - 1);
	size_t n = 0, k = 0;

	while (p < end)
		out[n++] = next_cp(&p, end);
	qsort(out, n, sizeof(out[0]), by_cp);
	for (size_t i = 0; i < n; i++)
		if (k == 0 || out[k - 1] != out[i])
			out[k++] = out[i];
	return k;
}

/* Whether two charsets hold the same characters, in any order. */
static bool same_charset(const struct gw_text *a, const struct gw_text *b)
{
	size_t na = a->charset ? a->charset_len : 62;
	size_t nb = b->charset ? b->charset_len : 62;
	uint32_t *sa = malloc((na + 1) * sizeof(*sa));
	uint32_t *sb = malloc((nb + 1) * sizeof(*sb));
	bool same = false;

	if (sa && sb) {
		na = charset_set(a, sa);
		nb = charset_set(b, sb);
		same = na == nb && memcmp(sa, sb, na * sizeof(*sa)) == 0;
	}
	free(sa);
	free(sb);
	return same;
}

static int text_differs(struct diff *d, const struct gw_text *a,
			const struct gw_text *b)
{
	char va[224], vb[224];

	if (a->min_length != b->min_length)
		return differ_u64(d, ".min_length", a->min_length,
				  b->min_length);
	if (a->max_length != b->max_length)
		return differ_u64(d, ".max_length", a->max_length,
				  b->max_length);
	if (!same_charset(a, b)) {
		charset_text(a, va, sizeof(va));
		charset_text(b, vb, sizeof(vb));
		return differ(d, ".charset", va, vb);
	}
	return 0;
}

static int space_differs(struct diff *d, const struct gw_space *a,
			 const struct gw_space *b);

static int tuple_differs(struct diff *d, const struct gw_space *a,
			 const struct gw_space *b)
{
	char idx[32];
	size_t old;

	if (a->u.list.len != b->u.list.len)
		return differ_u64(d, " length", a->u.list.len, b->u.list.len);
	for (size_t i = 0; i < a->u.list.len; i++) {
		snprintf(idx, sizeof(idx), "%zu", i);
		old = push(d, "[%s]", idx);
		if (space_differs(d, a->u.list.items[i], b->u.list.items[i]))
			return 1;
		pop(d, old);
	}
	return 0;
}

static const struct gw_space *dict_get(const struct gw_space *s,
				       const char *key)
{
	for (size_t i = 0; i < s->u.list.len; i++)
		if (strcmp(s->u.list.keys[i], key) == 0)
			return s->u.list.items[i];
	return NULL;
}

/* A key that is in one Dict and not the other. */
static int dict_key_missing(struct diff *d, const struct gw_space *from,
			    const struct gw_space *other, bool in_manifest)
{
	char key[GW_ESCAPED_MAX_BYTES];

	for (size_t i = 0; i < from->u.list.len; i++) {
		const char *k = from->u.list.keys[i];

		if (dict_get(other, k))
			continue;
		gw_escape(key, sizeof(key), k, strlen(k));
		gw_out_put(&d->out,
			   "%s: key \"%s\" is in the %s but not in "
			   "the %s",
			   d->path, key,
			   in_manifest ? "manifest" : "environment",
			   in_manifest ? "environment" : "manifest");
		return 1;
	}
	return 0;
}

static int dict_differs(struct diff *d, const struct gw_space *a,
			const struct gw_space *b)
{
	char key[GW_ESCAPED_MAX_BYTES];
	size_t old;

	if (dict_key_missing(d, a, b, true) || dict_key_missing(d, b, a, false))
		return 1;
	for (size_t i = 0; i < a->u.list.len; i++) {
		const char *k = a->u.list.keys[i];

		gw_escape(key, sizeof(key), k, strlen(k));
		old = push(d, "[\"%s\"]", key);
		if (space_differs(d, a->u.list.items[i], dict_get(b, k)))
			return 1;
		pop(d, old);
	}
	return 0;
}

static int space_differs(struct diff *d, const struct gw_space *a,
			 const struct gw_space *b)
{
	if (a->kind != b->kind)
		return differ(d, "", gw_space_kind_name(a->kind),
			      gw_space_kind_name(b->kind));

	switch (a->kind) {
	case GW_SPACE_BOX: return box_differs(d, a, b);
	case GW_SPACE_DISCRETE:
		if (a->u.discrete.n != b->u.discrete.n)
			return differ_i64(d, ".n", a->u.discrete.n,
					  b->u.discrete.n);
		if (a->u.discrete.start != b->u.discrete.start)
			return differ_i64(d, ".start", a->u.discrete.start,
					  b->u.discrete.start);
		return 0;
	case GW_SPACE_MULTI_DISCRETE: return md_differs(d, a, b);
	case GW_SPACE_MULTI_BINARY: return shapes_differ(d, a, b);
	case GW_SPACE_TUPLE: return tuple_differs(d, a, b);
	case GW_SPACE_DICT: return dict_differs(d, a, b);
	case GW_SPACE_TEXT: return text_differs(d, &a->u.text, &b->u.text);
	}
	return 0;
}

int gw_space_diff(const struct gw_space *a, const struct gw_space *b,
		  const char *path, char *buf, size_t cap)
{
	struct diff d = { .out = { buf, cap, 0, false } };
	int r;

	if (cap)
		buf[0] = '\0';
	snprintf(d.path, sizeof(d.path), "%s", path ? path : "");
	d.plen = strlen(d.path);
	r = space_differs(&d, a, b);
	gw_out_finish(&d.out);
	return r;
}

bool gw_space_equal(const struct gw_space *a, const struct gw_space *b)
{
	return gw_space_diff(a, b, "", NULL, 0) == 0;
}
