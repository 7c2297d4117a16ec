/*
 * Differential privacy for numeric info fields (docs/privacy.md).
 *
 * A release clamps x to [lower, upper], rounds it to the grid of step
 * g = 2^-k, and adds discrete Laplace noise on that grid: the difference
 * of two geometric variables with ratio q = exp(-eps * g / (upper -
 * lower)), so that P(noise = n * g) is proportional to q^|n|. Every
 * output is an exact multiple of g, and nothing in it depends on the low
 * bits of the input (the textbook floating-point Laplace leaks them).
 *
 * The geometrics are drawn exactly, with integer arithmetic and
 * Bernoulli trials only (Canonne, Kamath and Steinke, 2020): eps * g /
 * sensitivity is held as a rational s / 2^e, rounded down to 21
 * significant bits, so the noise is never smaller than asked for.
 * Random bits are a ChaCha20 keystream (libsodium) under a 32-byte seed
 * from randombytes_buf, or under a caller's seed for tests.
 *
 * A budget holds each field's epsilon for one episode; each release
 * spends the field's per-release epsilon (sequential composition), and
 * one that would overspend is refused: the caller withholds the value
 * or ends the episode, as the policy says.
 */
#ifndef GW_PRIVACY_DP_H
#define GW_PRIVACY_DP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Random bits buffered per keystream refill. */
#define GW_DP_STREAM_BYTES 512u
/* The grid index of any bound or output stays below this (exact). */
#define GW_DP_MAX_INDEX (1ll << 52)
/* The noise ratio's numerator keeps this many bits. */
#define GW_DP_RATIO_BITS 21
/* 2^e, the ratio's denominator, at most 2^GW_DP_MAX_EXP. */
#define GW_DP_MAX_EXP 56

/* ChaCha20 keystream as a source of uniform bits; caller-owned. */
struct gw_dp_rng {
	unsigned char key[32];
	uint64_t block; /* the nonce of the next refill */
	unsigned char buf[GW_DP_STREAM_BYTES];
	size_t pos;
};

/* Seed from the kernel, through randombytes_buf; -ENOMEM if sodium
 * cannot start. */
int gw_dp_rng_init(struct gw_dp_rng *r);
/* The stream that seed names: the same seed, the same stream. */
void gw_dp_rng_seed(struct gw_dp_rng *r, uint64_t seed);
/* Wipe the key and the buffered bits. */
void gw_dp_rng_wipe(struct gw_dp_rng *r);

uint64_t gw_dp_rng_u64(struct gw_dp_rng *r);
/* Uniform in [0, bound), bound > 0, without modulo bias. */
uint64_t gw_dp_rng_below(struct gw_dp_rng *r, uint64_t bound);

/*
 * The noise of one field: ratio s / 2^e = eps * g / sensitivity, rounded
 * down (0 < s < 2^(GW_DP_RATIO_BITS + 1)).
 */
struct gw_dp_noise {
	uint64_t s;
	unsigned e;
};

/*
 * The noise for eps, granularity exponent k (g = 2^-k) and sensitivity.
 * -EINVAL when eps or sensitivity is not positive and finite, -ERANGE
 * when the ratio is too small to represent (noise past 2^35 grid steps).
 */
int gw_dp_noise_init(struct gw_dp_noise *n, double eps, int k,
		     double sensitivity);

/* Bernoulli(exp(-num / den)) for 0 <= num <= den, den > 0, exactly. */
bool gw_dp_bernoulli_exp(struct gw_dp_rng *r, uint64_t num, uint64_t den);

/* A geometric variable: P(G = j) = (1 - q) q^j, q = exp(-s / 2^e). */
uint64_t gw_dp_geometric(struct gw_dp_rng *r, const struct gw_dp_noise *n);

/* Discrete Laplace noise in grid steps: G1 - G2, saturated at +-2^62. */
int64_t gw_dp_laplace(struct gw_dp_rng *r, const struct gw_dp_noise *n);

/* One field's policy, as the manifest gives it. */
enum gw_dp_exhausted {
	GW_DP_WITHHOLD,	   /* the field becomes null */
	GW_DP_END_EPISODE, /* the field becomes null and the episode ends */
};

struct gw_dp_field {
	double lower, upper;
	double epsilon;		    /* the budget of one episode */
	double epsilon_per_release; /* spent by each release */
	int granularity_exp;	    /* k: the grid step is 2^-k */
	enum gw_dp_exhausted on_exhausted;
};

/*
 * The default grid for bounds: the largest power of two no larger than
 * (upper - lower) / 1024, as the exponent k of 2^-k.
 */
int gw_dp_default_granularity(double lower, double upper);

/*
 * Whether f can be released: finite lower < upper, positive finite
 * epsilons with per_release <= epsilon, bounds within GW_DP_MAX_INDEX
 * grid steps, a noise ratio that can be held. A cause in why when not.
 */
bool gw_dp_field_valid(const struct gw_dp_field *f, char *why, size_t cap);

/* The result of one release. */
struct gw_dp_release {
	bool released; /* false: budget spent, withhold */
	double value;  /* the noisy value, a multiple of 2^-k */
	int64_t index; /* value / 2^-k */
	double spent;  /* after this release */
	double remaining;
};

/*
 * Per-episode state of the fields of one env: budgets spent, the noise
 * of each field. Caller-owned; n_fields fixed at init.
 */
struct gw_dp_state {
	const struct gw_dp_field *fields;
	struct gw_dp_noise *noise;
	double *spent;
	size_t n_fields;
	struct gw_dp_rng rng;
};

/*
 * Make a state for n fields (borrowed; they must outlive it). seed NULL
 * seeds from the operating system. -EINVAL for an invalid field, -ENOMEM.
 */
int gw_dp_state_init(struct gw_dp_state *st, const struct gw_dp_field *fields,
		     size_t n, const uint64_t *seed);
void gw_dp_state_free(struct gw_dp_state *st);

/* A new episode: every budget is full again. */
void gw_dp_state_reset(struct gw_dp_state *st);

/*
 * Release x (NaN is clamped to lower: a missing value tells nothing) for
 * field i: spend its per-release epsilon and give the noisy value, or,
 * when that would overspend the budget, released = false and nothing
 * is spent.
 */
void gw_dp_release(struct gw_dp_state *st, size_t i, double x,
		   struct gw_dp_release *out);

/* The grid index of x clamped to [lower, upper] (no noise); pure. */
int64_t gw_dp_clamp_index(const struct gw_dp_field *f, double x);

#endif /* GW_PRIVACY_DP_H */
