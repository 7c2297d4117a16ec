#include <math.h>

#include "core/rng.h"

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/* One step of splitmix64: a counter passed through a 64-bit mixer. */
static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15u);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

void gw_rng_seed(struct gw_rng *r, uint64_t seed)
{
	/* splitmix64 never yields four zero words, the one bad state. */
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

uint64_t gw_rng_next(struct gw_rng *r)
{
	uint64_t *s = r->s;
	uint64_t out = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return out;
}

uint64_t gw_rng_below(struct gw_rng *r, uint64_t bound)
{
	uint64_t floor, x;

	if (bound == 0)
		return gw_rng_next(r);
	/*
	 * Refuse the lowest 2^64 mod bound values so every residue is hit
	 * equally often; fewer than one draw in two is refused.
	 */
	floor = (0 - bound) % bound;
	do
		x = gw_rng_next(r);
	while (x < floor);
	return x % bound;
}

double gw_rng_unit(struct gw_rng *r)
{
	return (double)(gw_rng_next(r) >> 11) * 0x1p-53;
}

double gw_rng_normal(struct gw_rng *r)
{
	double u, v, q;

	/* Marsaglia's polar method; the second deviate is dropped. */
	do {
		u = 2.0 * gw_rng_unit(r) - 1.0;
		v = 2.0 * gw_rng_unit(r) - 1.0;
		q = u * u + v * v;
	} while (q >= 1.0 || q == 0.0);
	return u * sqrt(-2.0 * log(q) / q);
}

double gw_rng_exponential(struct gw_rng *r)
{
	/* 1 - u lies in (0, 1], so the logarithm is finite. */
	return -log(1.0 - gw_rng_unit(r));
}
