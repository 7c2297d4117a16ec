/*
 * A small seeded pseudo-random generator for sampling spaces: the seed
 * is spread over 256 bits of state with splitmix64, and numbers come
 * from xoshiro256** (Blackman and Vigna, 2018). Fast and reproducible:
 * the same seed gives the same stream on every platform. Not for
 * secrets.
 */
#ifndef GW_CORE_RNG_H
#define GW_CORE_RNG_H

#include <stdint.h>

/* Caller-owned; fill it with gw_rng_seed before use. */
struct gw_rng {
	uint64_t s[4];
};

/* Start the stream that seed names; any value is fine, 0 included. */
void gw_rng_seed(struct gw_rng *r, uint64_t seed);

/* The next 64 random bits. */
uint64_t gw_rng_next(struct gw_rng *r);

/* A uniform integer in [0, bound); bound 0 means the full 64 bits. */
uint64_t gw_rng_below(struct gw_rng *r, uint64_t bound);

/* A uniform double in [0, 1), a multiple of 2^-53. */
double gw_rng_unit(struct gw_rng *r);

/* A standard normal deviate (mean 0, variance 1). */
double gw_rng_normal(struct gw_rng *r);

/* An exponential deviate with rate 1 (mean 1). */
double gw_rng_exponential(struct gw_rng *r);

#endif /* GW_CORE_RNG_H */
