/*
 * Which episodes a fuzz run plays, and the actions of each. Pure: the
 * same configuration and seed give the same plan and the same actions.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "fuzz/fuzz.h"
#include "space/ops.h"

static const char *const strategy_names[] = {
	[GW_FUZZ_SEEDS] = "seeds",	   [GW_FUZZ_UNIFORM] = "uniform",
	[GW_FUZZ_BOUNDARY] = "boundary",   [GW_FUZZ_REPEAT] = "repeat",
	[GW_FUZZ_ALTERNATE] = "alternate", [GW_FUZZ_OPTIONS] = "options",
	[GW_FUZZ_LONG] = "long",	   [GW_FUZZ_REPLAY] = "replay",
};

const char *gw_fuzz_strategy_name(enum gw_fuzz_strategy s)
{
	return (unsigned)s < GW_FUZZ_STRATEGY_COUNT ? strategy_names[s] : "?";
}

int gw_fuzz_strategy_from_name(const char *name)
{
	for (int i = 0; i < GW_FUZZ_STRATEGY_COUNT; i++)
		if (name && strcmp(strategy_names[i], name) == 0)
			return i;
	return -1;
}

/* Seeds at the edges of the integer widths an env may store them in. */
static const uint64_t edge_seeds[] = {
	0x7fffffffull,
	0x80000000ull,
	0xffffffffull,
	0x100000000ull,
	1ull << 53,
	0x7fffffffffffffffull,
	0x8000000000000000ull,
	0xffffffffffffffffull,
};

#define N_EDGE_SEEDS (sizeof(edge_seeds) / sizeof(edge_seeds[0]))

/* Episodes of the options sweep: one per option set, up to a cap. */
static size_t option_sweep(const struct gw_fuzz_plan_cfg *cfg)
{
	return cfg->n_option_sets < GW_FUZZ_MAX_OPTION_SETS
		       ? cfg->n_option_sets
		       : GW_FUZZ_MAX_OPTION_SETS;
}

size_t gw_fuzz_plan_length(const struct gw_fuzz_plan_cfg *cfg)
{
	return cfg->seed_sweep + option_sweep(cfg) + cfg->episodes;
}

static uint64_t sweep_seed(const struct gw_fuzz_plan_cfg *cfg, size_t k)
{
	size_t plain = cfg->seed_sweep > 2 * N_EDGE_SEEDS
			       ? cfg->seed_sweep - N_EDGE_SEEDS
			       : cfg->seed_sweep;

	return k < plain ? cfg->seed + k : edge_seeds[k - plain];
}

void gw_fuzz_plan_at(const struct gw_fuzz_plan_cfg *cfg, size_t k,
		     struct gw_fuzz_plan_entry *out)
{
	static const enum gw_fuzz_strategy cycle[] = {
		GW_FUZZ_UNIFORM,   GW_FUZZ_BOUNDARY, GW_FUZZ_REPEAT,
		GW_FUZZ_ALTERNATE, GW_FUZZ_LONG,
	};
	size_t n = sizeof(cycle) / sizeof(cycle[0]);
	size_t opts = option_sweep(cfg);
	uint64_t normal = cfg->steps;

	memset(out, 0, sizeof(*out));
	if (cfg->manifest_max && cfg->manifest_max < normal)
		normal = cfg->manifest_max;
	if (k < cfg->seed_sweep) {
		out->strategy = GW_FUZZ_SEEDS;
		out->seed = sweep_seed(cfg, k);
		out->max_steps = normal < GW_FUZZ_SEED_STEPS
					 ? normal
					 : GW_FUZZ_SEED_STEPS;
		return;
	}
	k -= cfg->seed_sweep;
	if (k < opts) {
		out->strategy = GW_FUZZ_OPTIONS;
		out->seed = cfg->seed + k;
		out->max_steps = normal;
		out->option_set = k;
		return;
	}
	k -= opts;
	out->strategy = cycle[k % n];
	out->seed = cfg->seed + k;
	out->max_steps = out->strategy == GW_FUZZ_LONG ? cfg->steps : normal;
}

int gw_fuzz_gen_init(struct gw_fuzz_gen *g, const struct gw_space_layout *l,
		     enum gw_fuzz_strategy s, uint64_t seed)
{
	size_t bytes = gw_space_layout_size(l);

	memset(g, 0, sizeof(*g));
	g->layout = l;
	g->strategy = s;
	g->bytes = bytes;
	g->nelem = gw_space_elem_count(l);
	gw_rng_seed(&g->rng, seed);
	g->a = calloc(1, bytes + 1);
	g->b = calloc(1, bytes + 1);
	g->base = calloc(1, bytes + 1);
	if (!g->a || !g->b || !g->base) {
		gw_fuzz_gen_release(g);
		return -ENOMEM;
	}
	gw_space_sample(l, &g->rng, g->a, bytes);
	gw_space_sample(l, &g->rng, g->b, bytes);
	/* The base of boundary steps: a valid sample, then all zero. */
	gw_space_sample(l, &g->rng, g->base, bytes);
	gw_space_extreme(l, GW_EXTREME_ZERO, -1, g->base, bytes);
	return 0;
}

void gw_fuzz_gen_release(struct gw_fuzz_gen *g)
{
	free(g->a);
	free(g->b);
	free(g->base);
	g->a = g->b = g->base = NULL;
}

static void boundary(struct gw_fuzz_gen *g, uint64_t step, void *out)
{
	uint64_t elems = g->nelem < GW_FUZZ_BOUNDARY_MAX_ELEMS
				 ? g->nelem
				 : GW_FUZZ_BOUNDARY_MAX_ELEMS;
	uint64_t period = GW_EXTREME_COUNT + 2 * elems;
	uint64_t i = step % (period ? period : 1);

	memcpy(out, g->base, g->bytes);
	if (i < GW_EXTREME_COUNT) {
		gw_space_extreme(g->layout, (enum gw_extreme)i, -1, out,
				 g->bytes);
		return;
	}
	i -= GW_EXTREME_COUNT;
	gw_space_extreme(g->layout, i % 2 ? GW_EXTREME_HIGH : GW_EXTREME_LOW,
			 (int64_t)(i / 2), out, g->bytes);
}

void gw_fuzz_gen_next(struct gw_fuzz_gen *g, uint64_t step, void *out)
{
	switch (g->strategy) {
	case GW_FUZZ_BOUNDARY: boundary(g, step, out); break;
	case GW_FUZZ_REPEAT: memcpy(out, g->a, g->bytes); break;
	case GW_FUZZ_ALTERNATE:
		memcpy(out, step % 2 ? g->b : g->a, g->bytes);
		break;
	default: gw_space_sample(g->layout, &g->rng, out, g->bytes); break;
	}
}

uint64_t gw_fuzz_hash(uint64_t h, const void *p, size_t len)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < len; i++) {
		h ^= b[i];
		h *= 0x100000001b3ull;
	}
	return h;
}
