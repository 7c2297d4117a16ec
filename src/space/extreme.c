/*
 * The extreme values of a space, written into a packed sample: each
 * element's lowest and highest allowed value, zero pulled into range,
 * the most negative and most positive finite value the element allows,
 * and the smallest positive one. The fuzzer's boundary strategy is
 * built from these (see gw_space_extreme in ops.h).
 */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <string.h>

#include "space/ops_priv.h"

struct extreme {
	enum gw_extreme which;
	int64_t elem;  /* -1: every element */
	uint64_t next; /* the global index of the next element */
	unsigned char *out;
};

/* The smallest positive value of a float dtype (a subnormal). */
static double tiny_of(enum gw_dtype dt)
{
	switch (dt) {
	case GW_DTYPE_FLOAT16: return ldexp(1.0, -24);
	case GW_DTYPE_FLOAT32: return ldexp(1.0, -149);
	default: return DBL_TRUE_MIN;
	}
}

static double pick_float(enum gw_extreme which, enum gw_dtype dt, double lo,
			 double hi)
{
	double top = gw_dtype_info(dt)->fmax, v;

	switch (which) {
	case GW_EXTREME_LOW: return lo;
	case GW_EXTREME_HIGH: return hi;
	case GW_EXTREME_MIN_FINITE: return isinf(lo) ? -top : lo;
	case GW_EXTREME_MAX_FINITE: return isinf(hi) ? top : hi;
	case GW_EXTREME_TINY: v = tiny_of(dt); break;
	default: v = 0.0; break;
	}
	return v < lo ? lo : v > hi ? hi : v;
}

static int64_t pick_int(enum gw_extreme which, int64_t lo, int64_t hi)
{
	int64_t v = which == GW_EXTREME_TINY ? 1 : 0;

	if (which == GW_EXTREME_LOW || which == GW_EXTREME_MIN_FINITE)
		return lo;
	if (which == GW_EXTREME_HIGH || which == GW_EXTREME_MAX_FINITE)
		return hi;
	return v < lo ? lo : v > hi ? hi : v;
}

static uint64_t pick_uint(enum gw_extreme which, uint64_t lo, uint64_t hi)
{
	uint64_t v = which == GW_EXTREME_TINY ? 1 : 0;

	if (which == GW_EXTREME_LOW || which == GW_EXTREME_MIN_FINITE)
		return lo;
	if (which == GW_EXTREME_HIGH || which == GW_EXTREME_MAX_FINITE)
		return hi;
	return v < lo ? lo : v > hi ? hi : v;
}

static void pick(enum gw_extreme which, const struct gw_target *t,
		 struct gw_num *y)
{
	y->rep = t->lo.rep;
	switch (t->lo.rep) {
	case GW_REP_INT: y->v.i = pick_int(which, t->lo.v.i, t->hi.v.i); break;
	case GW_REP_UINT:
		y->v.u = pick_uint(which, t->lo.v.u, t->hi.v.u);
		break;
	default:
		y->v.f = pick_float(which, t->dtype, t->lo.v.f, t->hi.v.f);
		break;
	}
}

static bool wanted(struct extreme *x)
{
	return x->elem < 0 || (uint64_t)x->elem == x->next;
}

/* A Text leaf is one element: its shortest or longest string. */
static void text_leaf(struct extreme *x, const struct gw_layout_node *n)
{
	const struct gw_text *t = &n->space->u.text;
	const struct gw_charset *cs = n->charset;
	unsigned char *p = x->out + n->offset;
	bool longest = x->which == GW_EXTREME_HIGH ||
		       x->which == GW_EXTREME_MAX_FINITE;
	uint64_t chars = longest ? t->max_length : t->min_length;
	uint32_t cp = cs->cps[longest ? cs->ncps - 1 : 0];
	uint32_t len = 0;

	memset(p, 0, n->size);
	for (uint64_t k = 0; k < chars; k++)
		len += (uint32_t)gw_utf8_put(cp, p + 4 + len);
	gw_put_u32le(p, len);
}

static int extreme_leaf(void *arg, const struct gw_layout_node *n,
			const struct gw_fpath *path)
{
	struct extreme *x = arg;
	const struct gw_space *s = n->space;
	enum gw_dtype dt;
	struct gw_target t;
	struct gw_num y;
	size_t size;

	(void)path;
	if (s->kind == GW_SPACE_TEXT) {
		if (wanted(x))
			text_leaf(x, n);
		x->next++;
		return 0;
	}
	dt = gw_leaf_dtype(s);
	size = gw_dtype_info(dt)->itemsize;
	for (uint64_t k = 0; k < s->nelem; k++, x->next++) {
		if (!wanted(x))
			continue;
		gw_target_at(s, k, &t);
		pick(x->which, &t, &y);
		gw_num_store(dt, &y, x->out + n->offset + k * size);
	}
	return 0;
}

static int count_leaf(void *arg, const struct gw_layout_node *n,
		      const struct gw_fpath *path)
{
	uint64_t *count = arg;

	(void)path;
	*count += n->space->kind == GW_SPACE_TEXT ? 1 : n->space->nelem;
	return 0;
}

uint64_t gw_space_elem_count(const struct gw_space_layout *l)
{
	uint64_t count = 0;

	gw_layout_walk(l, "", count_leaf, &count);
	return count;
}

int gw_space_extreme(const struct gw_space_layout *l, enum gw_extreme which,
		     int64_t elem, void *out, size_t cap)
{
	struct extreme x = { which, elem, 0, out };

	if (cap < l->size)
		return -ENOBUFS;
	if ((unsigned)which >= GW_EXTREME_COUNT ||
	    (elem >= 0 && (uint64_t)elem >= gw_space_elem_count(l)))
		return -EINVAL;
	gw_layout_walk(l, "", extreme_leaf, &x);
	return 0;
}

const char *gw_extreme_name(enum gw_extreme which)
{
	static const char *const names[] = {
		[GW_EXTREME_LOW] = "low",
		[GW_EXTREME_HIGH] = "high",
		[GW_EXTREME_ZERO] = "zero",
		[GW_EXTREME_MIN_FINITE] = "min-finite",
		[GW_EXTREME_MAX_FINITE] = "max-finite",
		[GW_EXTREME_TINY] = "tiny",
	};

	return (unsigned)which < GW_EXTREME_COUNT ? names[which] : "?";
}
