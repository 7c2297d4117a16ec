/*
 * Unit tests for src/privacy/dp.c: the noise has the distribution it
 * claims (a chi-square test against the exact pmf, with a fixed seed,
 * which a wrong epsilon fails), outputs stay on the grid, inputs are
 * clamped, and budgets are spent and refused as documented.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "privacy/dp.h"

#define SAMPLES	 200000u
#define SEED	 20261203u
#define MAX_BINS 4096

/* The ratio the sampler implements, s / 2^e, as a double. */
static double ratio_of(const struct gw_dp_noise *n)
{
	return ldexp((double)n->s, -(int)n->e);
}

/* P(noise = k) for ratio g: (1 - q) / (1 + q) q^|k|, q = exp(-g). */
static double pmf(double g, long k)
{
	double q = exp(-g);

	return (1 - q) / (1 + q) * pow(q, (double)labs(k));
}

/*
 * Chi-square of counts[k + half] against the pmf of ratio g: bins from
 * -K to K where the expected count is at least 5 (K the last such),
 * each tail folded into one bin. *df gets the degrees of freedom.
 */
static double chi_square(const uint64_t *counts, long half, uint64_t n,
			 double g, int *df)
{
	double stat = 0, tail = 0;
	uint64_t lo_tail = 0, hi_tail = 0;
	long kmax = 0;
	int bins = 0;

	while (kmax < half - 1 && n * pmf(g, kmax + 1) >= 5)
		kmax++;
	for (long k = -kmax; k <= kmax; k++) {
		double want = n * pmf(g, k);
		double got = (double)counts[k + half];

		stat += (got - want) * (got - want) / want;
		bins++;
	}
	for (long k = kmax + 1; k < half; k++) {
		lo_tail += counts[half - k];
		hi_tail += counts[half + k];
	}
	lo_tail += counts[0];
	/* Each tail beyond K has mass q^(K+1) / (1 + q). */
	tail = n * exp(-g * (kmax + 1)) / (1 + exp(-g));
	stat += (lo_tail - tail) * (lo_tail - tail) / tail;
	stat += (hi_tail - tail) * (hi_tail - tail) / tail;
	bins += 2;
	*df = bins - 1;
	return stat;
}

/* The chi-square quantile for p = 0.001 (Wilson and Hilferty). */
static double critical(int df)
{
	double a = 2.0 / (9.0 * df);

	return df * pow(1 - a + 3.0902 * sqrt(a), 3);
}

struct sample {
	struct gw_dp_noise noise;
	uint64_t *counts;
	long half;
};

static void draw(struct sample *s, double eps, int k, double sensitivity)
{
	struct gw_dp_rng rng;

	s->half = MAX_BINS / 2;
	s->counts = calloc(MAX_BINS, sizeof(*s->counts));
	assert_non_null(s->counts);
	assert_int_equal(gw_dp_noise_init(&s->noise, eps, k, sensitivity), 0);
	gw_dp_rng_seed(&rng, SEED);
	for (unsigned i = 0; i < SAMPLES; i++) {
		int64_t x = gw_dp_laplace(&rng, &s->noise);

		if (x <= -s->half)
			x = -s->half;
		if (x >= s->half)
			x = s->half - 1;
		s->counts[x + s->half]++;
	}
	gw_dp_rng_wipe(&rng);
}

/* eps 1, sensitivity 4, step 2^-3: ratio 1/32, noise sd ~45 steps. */
static void laplace_matches_its_pmf(void **state)
{
	struct sample s;
	double stat, crit, want = 1.0 / 32;
	int df;

	(void)state;
	draw(&s, 1.0, 3, 4.0);
	assert_true(fabs(ratio_of(&s.noise) - want) <= want * 1e-6);
	assert_true(ratio_of(&s.noise) <= want);
	stat = chi_square(s.counts, s.half, SAMPLES, ratio_of(&s.noise), &df);
	crit = critical(df);
	printf("# laplace eps=1 g=2^-3 sens=4: chi2 %.1f df %d crit %.1f\n",
	       stat, df, crit);
	assert_true(stat < crit);
	free(s.counts);
}

/* The same samples against a pmf 10% off in epsilon, either way. */
static void laplace_test_rejects_wrong_epsilon(void **state)
{
	struct sample s;
	double lo, hi;
	int df_lo, df_hi;

	(void)state;
	draw(&s, 1.0, 3, 4.0);
	hi = chi_square(s.counts, s.half, SAMPLES, ratio_of(&s.noise) * 1.1,
			&df_hi);
	lo = chi_square(s.counts, s.half, SAMPLES, ratio_of(&s.noise) * 0.9,
			&df_lo);
	printf("# wrong eps x1.1: chi2 %.1f (crit %.1f); x0.9: chi2 %.1f "
	       "(crit %.1f)\n",
	       hi, critical(df_hi), lo, critical(df_lo));
	assert_true(hi > critical(df_hi));
	assert_true(lo > critical(df_lo));
	free(s.counts);
}

/* A ratio above 1 (few, large steps) still follows the pmf. */
static void laplace_matches_with_coarse_grid(void **state)
{
	struct sample s;
	double stat;
	int df;

	(void)state;
	draw(&s, 3.0, 0, 2.0);
	stat = chi_square(s.counts, s.half, SAMPLES, ratio_of(&s.noise), &df);
	printf("# laplace eps=3 g=1 sens=2: chi2 %.1f df %d crit %.1f\n", stat,
	       df, critical(df));
	assert_true(stat < critical(df));
	free(s.counts);
}

static void bernoulli_exp_has_its_mean(void **state)
{
	static const uint64_t nums[] = { 0, 1, 3, 7, 8 };
	struct gw_dp_rng rng;
	const unsigned n = 100000;

	(void)state;
	gw_dp_rng_seed(&rng, SEED);
	for (size_t c = 0; c < sizeof(nums) / sizeof(nums[0]); c++) {
		double p = exp(-(double)nums[c] / 8), hits = 0, sd;

		for (unsigned i = 0; i < n; i++)
			hits += gw_dp_bernoulli_exp(&rng, nums[c], 8);
		sd = sqrt(n * p * (1 - p));
		assert_true(fabs(hits - n * p) <= 5 * sd + 1e-9);
	}
}

static void seed_gives_the_same_stream(void **state)
{
	struct gw_dp_rng a, b;

	(void)state;
	gw_dp_rng_seed(&a, 7);
	gw_dp_rng_seed(&b, 7);
	for (int i = 0; i < 200; i++)
		assert_true(gw_dp_rng_u64(&a) == gw_dp_rng_u64(&b));
	gw_dp_rng_seed(&b, 8);
	assert_true(gw_dp_rng_u64(&a) != gw_dp_rng_u64(&b));
}

static const struct gw_dp_field balance = {
	.lower = -1000,
	.upper = 1000,
	.epsilon = 1.0,
	.epsilon_per_release = 0.25,
	.granularity_exp = 0,
	.on_exhausted = GW_DP_WITHHOLD,
};

static void outputs_are_on_the_grid(void **state)
{
	struct gw_dp_field f = balance;
	struct gw_dp_state st;
	struct gw_dp_release rel;
	uint64_t seed = SEED;

	(void)state;
	f.granularity_exp = 10;
	f.epsilon = 1e9;
	assert_int_equal(gw_dp_state_init(&st, &f, 1, &seed), 0);
	for (int i = 0; i < 5000; i++) {
		double x = (i - 2500) * 0.3141592653589793;

		gw_dp_release(&st, 0, x, &rel);
		assert_true(rel.released);
		assert_true(ldexp(rel.value, 10) == (double)rel.index);
		assert_true(ldexp(rel.value, 10) ==
			    floor(ldexp(rel.value, 10)));
	}
	gw_dp_state_free(&st);
}

struct clamp_case {
	double x;
	double want;
};

/* With noise far below one step, a release is the clamped grid point. */
static void inputs_are_clamped_and_rounded(void **state)
{
	static const struct clamp_case cases[] = {
		{ 1e9, 10.0 },	    { -5.0, 0.0 },	{ NAN, 0.0 },
		{ INFINITY, 10.0 }, { 3.14159, 3.125 }, { 9.99, 10.0 },
	};
	struct gw_dp_field f = {
		.lower = 0,
		.upper = 10,
		.epsilon = 1e12,
		.epsilon_per_release = 1e6,
		.granularity_exp = 4,
	};
	struct gw_dp_state st;
	struct gw_dp_release rel;
	uint64_t seed = SEED;

	(void)state;
	assert_int_equal(gw_dp_state_init(&st, &f, 1, &seed), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		gw_dp_release(&st, 0, cases[i].x, &rel);
		assert_true(rel.released);
		assert_true(rel.value == cases[i].want);
	}
	gw_dp_state_free(&st);
}

static void budget_is_spent_then_refused(void **state)
{
	struct gw_dp_state st;
	struct gw_dp_release rel;
	uint64_t seed = SEED;

	(void)state;
	assert_int_equal(gw_dp_state_init(&st, &balance, 1, &seed), 0);
	for (int i = 0; i < 4; i++) {
		gw_dp_release(&st, 0, 12.0, &rel);
		assert_true(rel.released);
		assert_true(fabs(rel.spent - 0.25 * (i + 1)) < 1e-12);
	}
	gw_dp_release(&st, 0, 12.0, &rel);
	assert_false(rel.released);
	assert_true(rel.value == 0);
	assert_true(fabs(rel.spent - 1.0) < 1e-12);
	gw_dp_release(&st, 0, 12.0, &rel);
	assert_false(rel.released);

	gw_dp_state_reset(&st);
	gw_dp_release(&st, 0, 12.0, &rel);
	assert_true(rel.released);
	gw_dp_state_free(&st);
}

/* 0.1 ten times is 1.0000000000000002: the slack lets ten through. */
static void budget_allows_rounding_of_its_shares(void **state)
{
	struct gw_dp_field f = balance;
	struct gw_dp_state st;
	struct gw_dp_release rel;
	uint64_t seed = SEED;
	int released = 0;

	(void)state;
	f.epsilon_per_release = 0.1;
	assert_int_equal(gw_dp_state_init(&st, &f, 1, &seed), 0);
	for (int i = 0; i < 12; i++) {
		gw_dp_release(&st, 0, 1.0, &rel);
		released += rel.released;
	}
	assert_int_equal(released, 10);
	gw_dp_state_free(&st);
}

struct invalid_case {
	const char *name;
	struct gw_dp_field f;
};

static void invalid_fields_are_refused(void **state)
{
	static const struct invalid_case cases[] = {
		{ "lower above upper", { 5, 1, 1, 1, 0, 0 } },
		{ "zero epsilon", { 0, 1, 0, 0, 0, 0 } },
		{ "share above budget", { 0, 1, 1, 2, 0, 0 } },
		{ "infinite bound", { 0, INFINITY, 1, 1, 0, 0 } },
		{ "bounds past 2^52 steps", { 0, 1e9, 1, 1, 30, 0 } },
		{ "no grid point inside", { 0.1, 0.2, 1, 1, 0, 0 } },
		{ "noise past 2^35 steps", { 0, 1e6, 1e-6, 1e-6, 20, 0 } },
	};
	struct gw_dp_state st;
	char why[160];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		why[0] = '\0';
		if (gw_dp_field_valid(&cases[i].f, why, sizeof(why)))
			fail_msg("%s: accepted", cases[i].name);
		assert_true(why[0] != '\0');
		assert_int_equal(gw_dp_state_init(&st, &cases[i].f, 1, NULL),
				 -EINVAL);
	}
}

static void default_granularity_gives_about_1024_steps(void **state)
{
	(void)state;
	assert_int_equal(gw_dp_default_granularity(0, 128), 3);
	assert_int_equal(gw_dp_default_granularity(0, 1024), 0);
	assert_int_equal(gw_dp_default_granularity(-1000, 1000), 0);
	assert_int_equal(gw_dp_default_granularity(0, 1), 10);
	assert_int_equal(gw_dp_default_granularity(0, 3000), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(laplace_matches_its_pmf),
		cmocka_unit_test(laplace_test_rejects_wrong_epsilon),
		cmocka_unit_test(laplace_matches_with_coarse_grid),
		cmocka_unit_test(bernoulli_exp_has_its_mean),
		cmocka_unit_test(seed_gives_the_same_stream),
		cmocka_unit_test(outputs_are_on_the_grid),
		cmocka_unit_test(inputs_are_clamped_and_rounded),
		cmocka_unit_test(budget_is_spent_then_refused),
		cmocka_unit_test(budget_allows_rounding_of_its_shares),
		cmocka_unit_test(invalid_fields_are_refused),
		cmocka_unit_test(default_granularity_gives_about_1024_steps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
