/*
 * Discrete Laplace releases on a power-of-two grid, with exact sampling
 * (see dp.h). Only integers and Bernoulli trials touch the random bits;
 * doubles appear only where the input is clamped and put on the grid,
 * and where the noisy grid index is scaled back, both exact.
 */
#include <errno.h>
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "privacy/dp.h"

/* Grid steps the noise is allowed to saturate at (post-processing). */
#define NOISE_LIMIT  (1ll << 62)
#define OUTPUT_LIMIT ((1ll << 53) - 1)
/* Relative slack when a budget is compared: 1.0 = 4 x 0.25 exactly. */
#define BUDGET_SLACK 1e-9
/* Grid points across the range when no granularity is given. */
#define DEFAULT_GRID_POINTS 1024.0

static void refill(struct gw_dp_rng *r)
{
	unsigned char nonce[crypto_stream_chacha20_NONCEBYTES];

	for (size_t i = 0; i < sizeof(nonce); i++)
		nonce[i] = (unsigned char)(r->block >> (8 * i));
	r->block++;
	crypto_stream_chacha20(r->buf, sizeof(r->buf), nonce, r->key);
	r->pos = 0;
}

int gw_dp_rng_init(struct gw_dp_rng *r)
{
	if (sodium_init() < 0)
		return -ENOMEM;
	randombytes_buf(r->key, sizeof(r->key));
	r->block = 0;
	r->pos = sizeof(r->buf);
	return 0;
}

void gw_dp_rng_seed(struct gw_dp_rng *r, uint64_t seed)
{
	static const unsigned char domain[] = "gymwarden dp seed";
	unsigned char in[8];

	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (unsigned char)(seed >> (8 * i));
	crypto_generichash(r->key, sizeof(r->key), in, sizeof(in), domain,
			   sizeof(domain) - 1);
	r->block = 0;
	r->pos = sizeof(r->buf);
}

void gw_dp_rng_wipe(struct gw_dp_rng *r)
{
	sodium_memzero(r, sizeof(*r));
}

uint64_t gw_dp_rng_u64(struct gw_dp_rng *r)
{
	uint64_t v = 0;

	if (r->pos + 8 > sizeof(r->buf))
		refill(r);
	for (int i = 0; i < 8; i++)
		v |= (uint64_t)r->buf[r->pos + i] << (8 * i);
	r->pos += 8;
	return v;
}

uint64_t gw_dp_rng_below(struct gw_dp_rng *r, uint64_t bound)
{
	/* Reject the top partial copy of [0, bound) so every value is
	 * equally likely. */
	uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
	uint64_t v;

	if ((bound & (bound - 1)) == 0)
		return gw_dp_rng_u64(r) & (bound - 1);
	do
		v = gw_dp_rng_u64(r);
	while (v >= limit);
	return v % bound;
}

int gw_dp_noise_init(struct gw_dp_noise *n, double eps, int k,
		     double sensitivity)
{
	double ratio, m;
	int x, e;

	if (!(eps > 0) || !isfinite(eps) || !(sensitivity > 0) ||
	    !isfinite(sensitivity))
		return -EINVAL;
	/* One step toward zero first: the division may have rounded up,
	 * and the ratio must never exceed the true one. */
	ratio = nextafter(ldexp(eps, -k) / sensitivity, 0.0);
	if (!(ratio > 0) || !isfinite(ratio))
		return -ERANGE;
	m = frexp(ratio, &x);
	e = GW_DP_RATIO_BITS - x;
	if (e > GW_DP_MAX_EXP)
		return -ERANGE;
	if (e < 0) {
		/* Noise of well under one grid step: any large ratio gives
		 * the same releases. */
		n->e = 0;
		n->s = ratio > 0x1p40 ? (1ull << 40) : (uint64_t)ratio;
		return 0;
	}
	n->e = (unsigned)e;
	n->s = (uint64_t)floor(ldexp(m, GW_DP_RATIO_BITS));
	return 0;
}

static bool bernoulli(struct gw_dp_rng *r, uint64_t num, uint64_t den)
{
	return gw_dp_rng_below(r, den) < num;
}

/*
 * exp(-g) for g = num / den in [0, 1]: count K, the first k with a
 * failed Bernoulli(g / k); K is odd with probability exp(-g). A trial
 * of g / k is one of g and one of 1 / k, so nothing overflows.
 */
bool gw_dp_bernoulli_exp(struct gw_dp_rng *r, uint64_t num, uint64_t den)
{
	uint64_t k = 1;

	for (;;) {
		if (!bernoulli(r, num, den) || gw_dp_rng_below(r, k) != 0)
			break;
		k++;
	}
	return k % 2 == 1;
}

/*
 * X = U + t V with t = 2^e, U uniform below t kept with probability
 * exp(-U / t), V geometric of ratio exp(-1): X is geometric of ratio
 * exp(-1 / t), and floor(X / s) geometric of ratio exp(-s / t).
 */
uint64_t gw_dp_geometric(struct gw_dp_rng *r, const struct gw_dp_noise *n)
{
	uint64_t t = 1ull << n->e, u, v = 0, x;

	do
		u = n->e ? gw_dp_rng_u64(r) & (t - 1) : 0;
	while (!gw_dp_bernoulli_exp(r, u, t));
	while (gw_dp_bernoulli_exp(r, 1, 1))
		v++;
	if (v > (UINT64_MAX >> 1) / t)
		return (UINT64_MAX >> 1) / n->s;
	x = u + t * v;
	return x / n->s;
}

int64_t gw_dp_laplace(struct gw_dp_rng *r, const struct gw_dp_noise *n)
{
	uint64_t a = gw_dp_geometric(r, n), b = gw_dp_geometric(r, n);

	if (a >= b)
		return a - b > (uint64_t)NOISE_LIMIT ? NOISE_LIMIT
						     : (int64_t)(a - b);
	return b - a > (uint64_t)NOISE_LIMIT ? -NOISE_LIMIT : -(int64_t)(b - a);
}

int gw_dp_default_granularity(double lower, double upper)
{
	int x;

	frexp((upper - lower) / DEFAULT_GRID_POINTS, &x);
	return 1 - x;
}

static int64_t lowest_index(const struct gw_dp_field *f)
{
	return (int64_t)ceil(ldexp(f->lower, f->granularity_exp));
}

static int64_t highest_index(const struct gw_dp_field *f)
{
	return (int64_t)floor(ldexp(f->upper, f->granularity_exp));
}

static bool invalid(char *why, size_t cap, const char *cause)
{
	snprintf(why, cap, "%s", cause);
	return false;
}

bool gw_dp_field_valid(const struct gw_dp_field *f, char *why, size_t cap)
{
	double lo, hi, top = (double)GW_DP_MAX_INDEX;
	struct gw_dp_noise n;

	if (!isfinite(f->lower) || !isfinite(f->upper) ||
	    !(f->lower < f->upper))
		return invalid(why, cap,
			       "lower must be below upper, both "
			       "finite");
	if (!(f->epsilon > 0) || !isfinite(f->epsilon) ||
	    !(f->epsilon_per_release > 0) ||
	    f->epsilon_per_release > f->epsilon * (1 + BUDGET_SLACK))
		return invalid(why, cap,
			       "epsilon must be positive and finite, and "
			       "epsilon_per_release no more than "
			       "epsilon");
	lo = ldexp(f->lower, f->granularity_exp);
	hi = ldexp(f->upper, f->granularity_exp);
	if (!(fabs(lo) < top) || !(fabs(hi) < top))
		return invalid(why, cap,
			       "the bounds are more than 2^52 grid steps "
			       "from zero: use a coarser granularity");
	if (lowest_index(f) > highest_index(f))
		return invalid(why, cap,
			       "no multiple of the granularity lies between "
			       "lower and upper");
	if (gw_dp_noise_init(&n, f->epsilon_per_release, f->granularity_exp,
			     f->upper - f->lower) < 0)
		return invalid(why, cap,
			       "the noise would span more than 2^35 grid "
			       "steps: use a coarser granularity");
	return true;
}

int gw_dp_state_init(struct gw_dp_state *st, const struct gw_dp_field *fields,
		     size_t n, const uint64_t *seed)
{
	char why[160];
	int r;

	memset(st, 0, sizeof(*st));
	st->fields = fields;
	st->n_fields = n;
	st->noise = calloc(n ? n : 1, sizeof(*st->noise));
	st->spent = calloc(n ? n : 1, sizeof(*st->spent));
	if (!st->noise || !st->spent) {
		gw_dp_state_free(st);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		const struct gw_dp_field *f = &fields[i];

		if (!gw_dp_field_valid(f, why, sizeof(why)) ||
		    gw_dp_noise_init(&st->noise[i], f->epsilon_per_release,
				     f->granularity_exp,
				     f->upper - f->lower) < 0) {
			gw_dp_state_free(st);
			return -EINVAL;
		}
	}
	if (seed) {
		if (sodium_init() < 0) {
			gw_dp_state_free(st);
			return -ENOMEM;
		}
		gw_dp_rng_seed(&st->rng, *seed);
		return 0;
	}
	r = gw_dp_rng_init(&st->rng);
	if (r < 0)
		gw_dp_state_free(st);
	return r;
}

void gw_dp_state_free(struct gw_dp_state *st)
{
	free(st->noise);
	free(st->spent);
	gw_dp_rng_wipe(&st->rng);
	st->noise = NULL;
	st->spent = NULL;
	st->n_fields = 0;
}

void gw_dp_state_reset(struct gw_dp_state *st)
{
	for (size_t i = 0; i < st->n_fields; i++)
		st->spent[i] = 0;
}

int64_t gw_dp_clamp_index(const struct gw_dp_field *f, double x)
{
	int64_t lo = lowest_index(f), hi = highest_index(f), i;

	if (isnan(x) || x < f->lower)
		x = f->lower;
	if (x > f->upper)
		x = f->upper;
	i = (int64_t)nearbyint(ldexp(x, f->granularity_exp));
	return i < lo ? lo : i > hi ? hi : i;
}

void gw_dp_release(struct gw_dp_state *st, size_t i, double x,
		   struct gw_dp_release *out)
{
	const struct gw_dp_field *f = &st->fields[i];
	double next = st->spent[i] + f->epsilon_per_release;
	int64_t idx;

	memset(out, 0, sizeof(*out));
	if (next > f->epsilon * (1 + BUDGET_SLACK)) {
		out->spent = st->spent[i];
		out->remaining = f->epsilon - st->spent[i];
		return;
	}
	st->spent[i] = next;
	idx = gw_dp_clamp_index(f, x) + gw_dp_laplace(&st->rng, &st->noise[i]);
	if (idx > OUTPUT_LIMIT)
		idx = OUTPUT_LIMIT;
	if (idx < -OUTPUT_LIMIT)
		idx = -OUTPUT_LIMIT;
	out->released = true;
	out->index = idx;
	out->value = ldexp((double)idx, -f->granularity_exp);
	out->spent = next;
	out->remaining = f->epsilon - next > 0 ? f->epsilon - next : 0;
}
