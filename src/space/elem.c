/*
 * One element at a time: reading and writing packed values of every
 * dtype, converting a value into another dtype and saying how exact that
 * was, and judging it against its bounds. Pure code, no allocation.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "space/ops_priv.h"
#include "space/space_priv.h"

/*
 * The smallest magnitude that rounds past a float dtype's largest finite
 * value: that value plus half its ulp. float64 has none (any finite
 * double is one).
 */
static double overflow_at(enum gw_dtype dt)
{
	switch (dt) {
	case GW_DTYPE_FLOAT16: return 65520.0;
	case GW_DTYPE_FLOAT32: return 0x1p128 - 0x1p103;
	default: return INFINITY;
	}
}

double gw_f16_decode(uint16_t h)
{
	int exp = (h >> 10) & 0x1f;
	double mant = h & 0x3ff;
	double v;

	if (exp == 0x1f)
		v = mant ? NAN : INFINITY;
	else if (exp == 0)
		v = ldexp(mant, -24);
	else
		v = ldexp(mant + 1024, exp - 25);
	return (h & 0x8000) ? -v : v;
}

uint16_t gw_f16_encode(double v)
{
	uint16_t sign = signbit(v) ? 0x8000 : 0;
	double a = fabs(v);
	int e;

	if (isnan(v))
		return 0x7e00 | sign;
	if (a >= 65520.0)
		return 0x7c00 | sign;
	if (a < 0x1p-14) /* subnormal: a multiple of 2^-24 */
		return sign | (uint16_t)nearbyint(ldexp(a, 24));
	frexp(a, &e); /* a = m * 2^e, 0.5 <= m < 1 */
	/* The mantissa may round up into the next exponent: still right. */
	return sign | (uint16_t)(((e + 14) << 10) +
				 (long)nearbyint(ldexp(a, 11 - e)) - 1024);
}

/* Fixed-size copies, so the compiler reads and writes in place. */
#define DEFINE_LOAD(T)                                                         \
	static inline T load_##T(const unsigned char *p)                       \
	{                                                                      \
		T v;                                                           \
		memcpy(&v, p, sizeof(v));                                      \
		return v;                                                      \
	}
DEFINE_LOAD(uint8_t)
DEFINE_LOAD(int8_t)
DEFINE_LOAD(int16_t)
DEFINE_LOAD(int32_t)
DEFINE_LOAD(int64_t)
DEFINE_LOAD(uint16_t)
DEFINE_LOAD(uint32_t)
DEFINE_LOAD(uint64_t)
DEFINE_LOAD(float)
DEFINE_LOAD(double)
#define LOAD(T, p) load_##T(p)
#define STORE(T, p, x)                                                         \
	do {                                                                   \
		T v_ = (T)(x);                                                 \
		memcpy((p), &v_, sizeof(v_));                                  \
	} while (0)

void gw_num_load(enum gw_dtype dt, const unsigned char *p, struct gw_num *x)
{
	x->rep = gw_dtype_info(dt)->rep;
	switch (dt) {
	case GW_DTYPE_BOOL:
	case GW_DTYPE_UINT8: x->v.u = p[0]; break;
	case GW_DTYPE_INT8: x->v.i = LOAD(int8_t, p); break;
	case GW_DTYPE_INT16: x->v.i = LOAD(int16_t, p); break;
	case GW_DTYPE_INT32: x->v.i = LOAD(int32_t, p); break;
	case GW_DTYPE_INT64: x->v.i = LOAD(int64_t, p); break;
	case GW_DTYPE_UINT16: x->v.u = LOAD(uint16_t, p); break;
	case GW_DTYPE_UINT32: x->v.u = LOAD(uint32_t, p); break;
	case GW_DTYPE_UINT64: x->v.u = LOAD(uint64_t, p); break;
	case GW_DTYPE_FLOAT16: x->v.f = gw_f16_decode(LOAD(uint16_t, p)); break;
	case GW_DTYPE_FLOAT32: x->v.f = LOAD(float, p); break;
	case GW_DTYPE_FLOAT64: x->v.f = LOAD(double, p); break;
	}
}

void gw_num_store(enum gw_dtype dt, const struct gw_num *x, unsigned char *p)
{
	switch (dt) {
	case GW_DTYPE_BOOL:
	case GW_DTYPE_UINT8: p[0] = (uint8_t)x->v.u; break;
	case GW_DTYPE_INT8: STORE(int8_t, p, x->v.i); break;
	case GW_DTYPE_INT16: STORE(int16_t, p, x->v.i); break;
	case GW_DTYPE_INT32: STORE(int32_t, p, x->v.i); break;
	case GW_DTYPE_INT64: STORE(int64_t, p, x->v.i); break;
	case GW_DTYPE_UINT16: STORE(uint16_t, p, x->v.u); break;
	case GW_DTYPE_UINT32: STORE(uint32_t, p, x->v.u); break;
	case GW_DTYPE_UINT64: STORE(uint64_t, p, x->v.u); break;
	case GW_DTYPE_FLOAT16: STORE(uint16_t, p, gw_f16_encode(x->v.f)); break;
	case GW_DTYPE_FLOAT32: STORE(float, p, x->v.f); break;
	case GW_DTYPE_FLOAT64: STORE(double, p, x->v.f); break;
	}
}

/* An integer as a float dtype, rounded once (float16 via double). */
static enum gw_conv int_to_float(const struct gw_num *x, enum gw_dtype to,
				 struct gw_num *y)
{
	bool neg = x->rep == GW_REP_INT && x->v.i < 0;
	double r;

	if (to == GW_DTYPE_FLOAT32)
		r = x->rep == GW_REP_INT ? (float)x->v.i : (float)x->v.u;
	else
		r = x->rep == GW_REP_INT ? (double)x->v.i : (double)x->v.u;
	if (fabs(r) >= overflow_at(to)) {
		y->v.f = neg ? -INFINITY : INFINITY;
		return neg ? GW_CONV_BELOW : GW_CONV_ABOVE;
	}
	y->v.f = gw_dtype_round(to, r);
	/* Exact when the float reads back as the same integer. */
	if (x->rep == GW_REP_INT)
		return y->v.f < 0x1p63 && (int64_t)y->v.f == x->v.i
			       ? GW_CONV_EXACT
			       : GW_CONV_ROUNDED;
	return y->v.f < 0x1p64 && (uint64_t)y->v.f == x->v.u ? GW_CONV_EXACT
							     : GW_CONV_ROUNDED;
}

static enum gw_conv to_float(const struct gw_num *x, enum gw_dtype to,
			     struct gw_num *y)
{
	double v = x->v.f;

	y->rep = GW_REP_FLOAT;
	if (x->rep != GW_REP_FLOAT)
		return int_to_float(x, to, y);
	y->v.f = v;
	if (isnan(v))
		return GW_CONV_NAN;
	if (isinf(v))
		return v > 0 ? GW_CONV_POS_INF : GW_CONV_NEG_INF;
	if (fabs(v) >= overflow_at(to)) {
		y->v.f = v > 0 ? INFINITY : -INFINITY;
		return v > 0 ? GW_CONV_ABOVE : GW_CONV_BELOW;
	}
	y->v.f = gw_dtype_round(to, v);
	return y->v.f == v ? GW_CONV_EXACT : GW_CONV_ROUNDED;
}

/*
 * A float as an int64 or uint64, or why not; *i / *u gets the value or
 * the saturated end. Whole-number checks come before range checks.
 */
static enum gw_conv float_to_whole(double v, bool is_signed, int64_t *i,
				   uint64_t *u)
{
	double lo = is_signed ? -0x1p63 : 0.0;
	double hi = is_signed ? 0x1p63 : 0x1p64;
	enum gw_conv c = GW_CONV_EXACT;

	if (isnan(v))
		c = GW_CONV_NAN;
	else if (isinf(v))
		c = v > 0 ? GW_CONV_POS_INF : GW_CONV_NEG_INF;
	else if (v != trunc(v))
		c = GW_CONV_NOT_WHOLE;
	if (c == GW_CONV_NAN)
		v = 0.0;
	v = trunc(v);
	if (v >= hi || v < lo) {
		*i = v < lo ? INT64_MIN : INT64_MAX;
		*u = v < lo ? 0 : UINT64_MAX;
		if (c == GW_CONV_EXACT)
			c = v < lo ? GW_CONV_BELOW : GW_CONV_ABOVE;
		return c;
	}
	*i = is_signed ? (int64_t)v : 0;
	*u = is_signed ? 0 : (uint64_t)v;
	return c;
}

static enum gw_conv to_int(const struct gw_num *x,
			   const struct gw_dtype_info *d, struct gw_num *y)
{
	enum gw_conv c = GW_CONV_EXACT;
	uint64_t u = 0;
	int64_t i = 0;

	y->rep = GW_REP_INT;
	if (x->rep == GW_REP_FLOAT)
		c = float_to_whole(x->v.f, true, &i, &u);
	else if (x->rep == GW_REP_INT)
		i = x->v.i;
	else if (x->v.u <= (uint64_t)INT64_MAX)
		i = (int64_t)x->v.u;
	else
		c = GW_CONV_ABOVE;
	if (c == GW_CONV_ABOVE)
		i = INT64_MAX;
	if (i > d->imax) {
		i = d->imax;
		c = c == GW_CONV_EXACT ? GW_CONV_ABOVE : c;
	} else if (i < d->imin) {
		i = d->imin;
		c = c == GW_CONV_EXACT ? GW_CONV_BELOW : c;
	}
	y->v.i = i;
	return c;
}

static enum gw_conv to_uint(const struct gw_num *x,
			    const struct gw_dtype_info *d, struct gw_num *y)
{
	enum gw_conv c = GW_CONV_EXACT;
	uint64_t u = 0;
	int64_t i = 0;

	y->rep = GW_REP_UINT;
	if (x->rep == GW_REP_FLOAT)
		c = float_to_whole(x->v.f, false, &i, &u);
	else if (x->rep == GW_REP_UINT)
		u = x->v.u;
	else if (x->v.i < 0)
		c = GW_CONV_BELOW;
	else
		u = (uint64_t)x->v.i;
	if (u > d->umax) {
		u = d->umax;
		c = c == GW_CONV_EXACT ? GW_CONV_ABOVE : c;
	}
	y->v.u = u;
	return c;
}

enum gw_conv gw_num_convert(const struct gw_num *x, enum gw_dtype to,
			    struct gw_num *y)
{
	const struct gw_dtype_info *d = gw_dtype_info(to);

	switch (d->rep) {
	case GW_REP_FLOAT: return to_float(x, to, y);
	case GW_REP_INT: return to_int(x, d, y);
	default: return to_uint(x, d, y);
	}
}

void gw_num_format(enum gw_dtype dt, const struct gw_num *x, char *buf,
		   size_t cap)
{
	switch (x->rep) {
	case GW_REP_INT: snprintf(buf, cap, "%" PRId64, x->v.i); break;
	case GW_REP_UINT:
		if (dt == GW_DTYPE_BOOL && x->v.u <= 1)
			snprintf(buf, cap, "%s", x->v.u ? "True" : "False");
		else
			snprintf(buf, cap, "%" PRIu64, x->v.u);
		break;
	default:
		if (isnan(x->v.f))
			snprintf(buf, cap, "nan");
		else
			gw_format_float(dt, x->v.f, buf, cap);
		break;
	}
}

/* A key that orders a float dtype's values, one step per ulp. */
static uint64_t order_key(enum gw_dtype dt, double v)
{
	uint64_t bits, sign, mag;

	if (dt == GW_DTYPE_FLOAT64) {
		memcpy(&bits, &v, sizeof(bits));
		sign = bits >> 63;
		mag = bits & ~((uint64_t)1 << 63);
	} else if (dt == GW_DTYPE_FLOAT32) {
		float f = (float)v;
		uint32_t b32;

		memcpy(&b32, &f, sizeof(b32));
		sign = b32 >> 31;
		mag = b32 & 0x7fffffffu;
	} else {
		uint16_t h = gw_f16_encode(v);

		sign = h >> 15;
		mag = h & 0x7fffu;
	}
	/* -0 and +0 share a key; the others spread out from it. */
	return sign ? ((uint64_t)1 << 63) - mag : ((uint64_t)1 << 63) + mag;
}

static uint64_t ulps_between(enum gw_dtype dt, double a, double b)
{
	uint64_t ka = order_key(dt, a), kb = order_key(dt, b);

	return ka > kb ? ka - kb : kb - ka;
}

enum gw_dtype gw_leaf_dtype(const struct gw_space *leaf)
{
	switch (leaf->kind) {
	case GW_SPACE_BOX: return leaf->dtype;
	case GW_SPACE_MULTI_BINARY: return GW_DTYPE_UINT8;
	default: return GW_DTYPE_INT64;
	}
}

bool gw_target_is_uniform(const struct gw_space *leaf)
{
	switch (leaf->kind) {
	case GW_SPACE_BOX: return leaf->u.box.scalar_bounds;
	case GW_SPACE_MULTI_DISCRETE: return false;
	default: return true;
	}
}

static void set_range(struct gw_target *t, int64_t lo, int64_t hi)
{
	t->lo.rep = t->hi.rep = GW_REP_INT;
	t->lo.v.i = lo;
	t->hi.v.i = hi;
}

void gw_target_at(const struct gw_space *leaf, uint64_t k, struct gw_target *t)
{
	const struct gw_box *b = &leaf->u.box;

	t->dtype = gw_leaf_dtype(leaf);
	switch (leaf->kind) {
	case GW_SPACE_BOX:
		k = b->scalar_bounds ? 0 : k;
		t->lo.rep = t->hi.rep = gw_dtype_info(t->dtype)->rep;
		/* Every member of the union is 8 bytes: copy the live one. */
		memcpy(&t->lo.v, &b->low.u[k], sizeof(t->lo.v));
		memcpy(&t->hi.v, &b->high.u[k], sizeof(t->hi.v));
		break;
	case GW_SPACE_DISCRETE:
		set_range(t, leaf->u.discrete.start,
			  leaf->u.discrete.start + leaf->u.discrete.n - 1);
		break;
	case GW_SPACE_MULTI_DISCRETE:
		set_range(t, leaf->u.md.start[k],
			  leaf->u.md.start[k] + leaf->u.md.nvec[k] - 1);
		break;
	default:
		t->lo.rep = t->hi.rep = GW_REP_UINT;
		t->lo.v.u = 0;
		t->hi.v.u = 1;
		break;
	}
}

static bool is_float_dtype(enum gw_dtype dt)
{
	return gw_dtype_info(dt)->rep == GW_REP_FLOAT;
}

/* a - b in sign: both in one representation, neither nan. */
static inline int num_cmp(const struct gw_num *a, const struct gw_num *b)
{
	switch (a->rep) {
	case GW_REP_INT: return (a->v.i > b->v.i) - (a->v.i < b->v.i);
	case GW_REP_UINT: return (a->v.u > b->v.u) - (a->v.u < b->v.u);
	default: return (a->v.f > b->v.f) - (a->v.f < b->v.f);
	}
}

static void check_bounds(struct gw_judgement *j, const struct gw_target *t,
			 uint32_t tol)
{
	const struct gw_num *bound;

	if (num_cmp(&j->y, &t->lo) < 0)
		j->above = false;
	else if (num_cmp(&j->y, &t->hi) > 0)
		j->above = true;
	else
		return;

	bound = j->above ? &t->hi : &t->lo;
	j->fix = *bound;
	j->fault = GW_FAULT_BOUNDS;
	if (j->y.rep != GW_REP_FLOAT)
		return;
	j->ulps = ulps_between(t->dtype, j->y.v.f, bound->v.f);
	if (j->ulps <= tol)
		j->fault = GW_FAULT_OVERSHOOT;
}

/* +-inf: fine against an infinite bound on its side of a float dtype. */
static void check_infinite(struct gw_judgement *j, const struct gw_target *t,
			   bool positive)
{
	bool is_float = is_float_dtype(t->dtype);
	const struct gw_num *bound = positive ? &t->hi : &t->lo;

	j->above = positive;
	if (is_float && isinf(bound->v.f) &&
	    (signbit(bound->v.f) == 0) == positive)
		return;
	j->fault = GW_FAULT_NONFINITE;
	j->can_clip = false;
	j->can_pass = is_float;
}

/* Past what the dtype holds: clip goes to the bound, or to +-max. */
static void check_range(struct gw_judgement *j, const struct gw_target *t,
			bool above)
{
	const struct gw_num *bound = above ? &t->hi : &t->lo;

	j->above = above;
	j->fault = GW_FAULT_BOUNDS;
	j->fix = *bound;
	if (bound->rep == GW_REP_FLOAT && isinf(bound->v.f))
		j->fix.v.f =
			copysign(gw_dtype_info(t->dtype)->fmax, bound->v.f);
}

void gw_judge(const struct gw_num *x, const struct gw_target *t, uint32_t tol,
	      struct gw_judgement *j)
{
	j->fault = GW_FAULT_COUNT;
	j->ulps = 0;
	j->above = false;
	j->can_clip = true;
	j->can_pass = true;
	j->conv = gw_num_convert(x, t->dtype, &j->y);

	switch (j->conv) {
	case GW_CONV_EXACT:
	case GW_CONV_ROUNDED: check_bounds(j, t, tol); break;
	case GW_CONV_NAN:
		j->fault = GW_FAULT_NONFINITE;
		j->can_clip = false;
		j->can_pass = is_float_dtype(t->dtype);
		break;
	case GW_CONV_POS_INF:
	case GW_CONV_NEG_INF:
		check_infinite(j, t, j->conv == GW_CONV_POS_INF);
		break;
	case GW_CONV_NOT_WHOLE:
		j->fault = GW_FAULT_SHAPE;
		j->can_clip = false;
		j->can_pass = false;
		break;
	case GW_CONV_ABOVE:
	case GW_CONV_BELOW: check_range(j, t, j->conv == GW_CONV_ABOVE); break;
	}
}

/* "1.5 is above high 1.0", "5 is not in 0..4", "2 is not 0 or 1". */
static void bounds_detail(const struct gw_judgement *j, const char *val,
			  const struct gw_target *t,
			  const struct gw_space *leaf, char *buf, size_t cap)
{
	const struct gw_num *bound = j->above ? &t->hi : &t->lo;
	const char *side = j->above ? "above" : "below";
	const char *name = j->above ? "high" : "low";
	char lo[64], hi[64];

	gw_num_format(t->dtype, &t->lo, lo, sizeof(lo));
	gw_num_format(t->dtype, &t->hi, hi, sizeof(hi));
	if (leaf->kind == GW_SPACE_MULTI_BINARY)
		snprintf(buf, cap, "%s is not 0 or 1", val);
	else if (leaf->kind != GW_SPACE_BOX)
		snprintf(buf, cap, "%s is not in %s..%s", val, lo, hi);
	else if (j->fault == GW_FAULT_OVERSHOOT)
		snprintf(buf, cap, "%s is %" PRIu64 " ulp%s %s %s %s", val,
			 j->ulps, j->ulps == 1 ? "" : "s", side, name,
			 bound == &t->hi ? hi : lo);
	else
		snprintf(buf, cap, "%s is %s %s %s", val, side, name,
			 bound == &t->hi ? hi : lo);
}

void gw_judgement_detail(const struct gw_judgement *j, const struct gw_num *x,
			 enum gw_dtype src, const struct gw_target *t,
			 const struct gw_space *leaf, char *buf, size_t cap)
{
	const char *to = gw_dtype_name(t->dtype);
	char val[64];

	gw_num_format(src, x, val, sizeof(val));
	switch (j->conv) {
	case GW_CONV_NAN: snprintf(buf, cap, "nan is not allowed"); break;
	case GW_CONV_POS_INF:
	case GW_CONV_NEG_INF:
		if (is_float_dtype(t->dtype))
			bounds_detail(j, val, t, leaf, buf, cap);
		else
			snprintf(buf, cap, "%s has no %s value", val, to);
		break;
	case GW_CONV_NOT_WHOLE:
		snprintf(buf, cap, "%s is not a whole number", val);
		break;
	case GW_CONV_ABOVE:
	case GW_CONV_BELOW:
		snprintf(buf, cap, "%s is outside the range of %s", val, to);
		break;
	default: bounds_detail(j, val, t, leaf, buf, cap); break;
	}
}

#define SCAN(T, lo, hi)                                                        \
	for (; k < n; k++) {                                                   \
		T v_ = load_##T(p + k * sizeof(T));                            \
		if (!(v_ >= (lo) && v_ <= (hi)))                               \
			return k;                                              \
	}                                                                      \
	return n

uint64_t gw_scan_in_bounds(enum gw_dtype dt, const unsigned char *p, uint64_t k,
			   uint64_t n, const struct gw_target *t)
{
	int64_t ilo = t->lo.v.i, ihi = t->hi.v.i;
	uint64_t ulo = t->lo.v.u, uhi = t->hi.v.u;
	double flo = t->lo.v.f, fhi = t->hi.v.f;

	/* nan fails both comparisons, so it always goes to gw_judge. */
	switch (dt) {
	case GW_DTYPE_BOOL:
	case GW_DTYPE_UINT8: SCAN(uint8_t, ulo, uhi);
	case GW_DTYPE_INT8: SCAN(int8_t, ilo, ihi);
	case GW_DTYPE_INT16: SCAN(int16_t, ilo, ihi);
	case GW_DTYPE_INT32: SCAN(int32_t, ilo, ihi);
	case GW_DTYPE_INT64: SCAN(int64_t, ilo, ihi);
	case GW_DTYPE_UINT16: SCAN(uint16_t, ulo, uhi);
	case GW_DTYPE_UINT32: SCAN(uint32_t, ulo, uhi);
	case GW_DTYPE_UINT64: SCAN(uint64_t, ulo, uhi);
	case GW_DTYPE_FLOAT32: SCAN(float, flo, fhi);
	case GW_DTYPE_FLOAT64: SCAN(double, flo, fhi);
	default: return k; /* float16: one by one */
	}
}

/* As SCAN, with bounds given per element. */
#define SCAN_EACH(T, lo, hi)                                                   \
	for (; k < n; k++) {                                                   \
		T v_ = load_##T(p + k * sizeof(T));                            \
		if (!(v_ >= (lo)[k] && v_ <= (hi)[k]))                         \
			return k;                                              \
	}                                                                      \
	return n

static uint64_t scan_box_each(const struct gw_space *leaf,
			      const unsigned char *p, uint64_t k)
{
	const int64_t *ilo = leaf->u.box.low.i, *ihi = leaf->u.box.high.i;
	const uint64_t *ulo = leaf->u.box.low.u, *uhi = leaf->u.box.high.u;
	const double *flo = leaf->u.box.low.f, *fhi = leaf->u.box.high.f;
	uint64_t n = leaf->nelem;

	switch (leaf->dtype) {
	case GW_DTYPE_BOOL:
	case GW_DTYPE_UINT8: SCAN_EACH(uint8_t, ulo, uhi);
	case GW_DTYPE_INT8: SCAN_EACH(int8_t, ilo, ihi);
	case GW_DTYPE_INT16: SCAN_EACH(int16_t, ilo, ihi);
	case GW_DTYPE_INT32: SCAN_EACH(int32_t, ilo, ihi);
	case GW_DTYPE_INT64: SCAN_EACH(int64_t, ilo, ihi);
	case GW_DTYPE_UINT16: SCAN_EACH(uint16_t, ulo, uhi);
	case GW_DTYPE_UINT32: SCAN_EACH(uint32_t, ulo, uhi);
	case GW_DTYPE_UINT64: SCAN_EACH(uint64_t, ulo, uhi);
	case GW_DTYPE_FLOAT32: SCAN_EACH(float, flo, fhi);
	case GW_DTYPE_FLOAT64: SCAN_EACH(double, flo, fhi);
	default: return k; /* float16: one by one */
	}
}

/* start[k] + nvec[k] - 1 cannot overflow: the parser refuses it. */
static uint64_t scan_md_each(const struct gw_space *leaf,
			     const unsigned char *p, uint64_t k)
{
	const int64_t *start = leaf->u.md.start, *nvec = leaf->u.md.nvec;

	for (; k < leaf->nelem; k++) {
		int64_t v = load_int64_t(p + k * sizeof(int64_t));

		if (v < start[k] || v > start[k] + nvec[k] - 1)
			return k;
	}
	return leaf->nelem;
}

uint64_t gw_scan_leaf_in_bounds(const struct gw_space *leaf,
				const unsigned char *p, uint64_t k,
				const struct gw_target *t)
{
	if (gw_target_is_uniform(leaf))
		return gw_scan_in_bounds(t->dtype, p, k, leaf->nelem, t);
	if (leaf->kind == GW_SPACE_BOX)
		return scan_box_each(leaf, p, k);
	if (leaf->kind == GW_SPACE_MULTI_DISCRETE)
		return scan_md_each(leaf, p, k);
	return k;
}
