/*
 * Seeded sampling of a space into its packed layout, with Gymnasium's
 * distributions (see gw_space_sample in ops.h).
 */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "space/ops_priv.h"

struct sampler {
	struct gw_rng *rng;
	unsigned char *out;
	uint64_t written;
};

/* Uniform over the inclusive range lo..hi of 64-bit integers. */
static uint64_t span_draw(struct gw_rng *rng, uint64_t lo, uint64_t hi)
{
	/* hi - lo + 1 wraps to 0 for the full range: 64 random bits. */
	return lo + gw_rng_below(rng, hi - lo + 1);
}

static double clamp(double v, double lo, double hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

static double float_draw(struct gw_rng *rng, enum gw_dtype dt, double lo,
			 double hi)
{
	double top = gw_dtype_info(dt)->fmax, v;

	if (!isinf(lo) && !isinf(hi)) {
		double u = gw_rng_unit(rng);

		/* Weighted so that hi - lo never overflows. */
		v = lo * (1.0 - u) + hi * u;
	} else if (!isinf(lo)) {
		v = lo + gw_rng_exponential(rng);
	} else if (!isinf(hi)) {
		v = hi - gw_rng_exponential(rng);
	} else {
		v = gw_rng_normal(rng);
	}
	v = gw_dtype_round(dt, clamp(v, -top, top));
	/* Rounding may step a value just past a bound. */
	return clamp(v, lo, hi);
}

static void draw(struct sampler *sm, const struct gw_target *t,
		 struct gw_num *y)
{
	y->rep = t->lo.rep;
	switch (t->lo.rep) {
	case GW_REP_INT:
		y->v.i = (int64_t)span_draw(sm->rng, (uint64_t)t->lo.v.i,
					    (uint64_t)t->hi.v.i);
		break;
	case GW_REP_UINT:
		y->v.u = span_draw(sm->rng, t->lo.v.u, t->hi.v.u);
		break;
	default:
		y->v.f = float_draw(sm->rng, t->dtype, t->lo.v.f, t->hi.v.f);
		break;
	}
}

static void sample_numbers(struct sampler *sm, const struct gw_layout_node *n)
{
	const struct gw_space *s = n->space;
	enum gw_dtype dt = gw_leaf_dtype(s);
	size_t size = gw_dtype_info(dt)->itemsize;
	unsigned char *p = sm->out + n->offset;
	bool uniform = gw_target_is_uniform(s);
	struct gw_target t;
	struct gw_num y;

	gw_target_at(s, 0, &t);
	for (uint64_t k = 0; k < s->nelem; k++, p += size) {
		if (!uniform)
			gw_target_at(s, k, &t);
		draw(sm, &t, &y);
		gw_num_store(dt, &y, p);
	}
}

static void sample_text(struct sampler *sm, const struct gw_layout_node *n)
{
	const struct gw_text *t = &n->space->u.text;
	const struct gw_charset *cs = n->charset;
	unsigned char *p = sm->out + n->offset;
	uint64_t chars = span_draw(sm->rng, t->min_length, t->max_length);
	uint32_t len = 0;

	memset(p, 0, n->size);
	for (uint64_t k = 0; k < chars; k++)
		len += (uint32_t)gw_utf8_put(
			cs->cps[gw_rng_below(sm->rng, cs->ncps)], p + 4 + len);
	gw_put_u32le(p, len);
}

static int sample_leaf(void *arg, const struct gw_layout_node *n,
		       const struct gw_fpath *path)
{
	struct sampler *sm = arg;

	(void)path;
	if (n->offset > sm->written)
		memset(sm->out + sm->written, 0, n->offset - sm->written);
	if (n->space->kind == GW_SPACE_TEXT)
		sample_text(sm, n);
	else
		sample_numbers(sm, n);
	sm->written = n->offset + n->size;
	return 0;
}

int gw_space_sample(const struct gw_space_layout *l, struct gw_rng *rng,
		    void *out, size_t cap)
{
	struct sampler sm = { rng, out, 0 };

	if (cap < l->size)
		return -ENOBUFS;
	gw_layout_walk(l, "", sample_leaf, &sm);
	return 0;
}
