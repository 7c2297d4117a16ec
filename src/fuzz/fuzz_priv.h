/*
 * The state of one fuzz run, shared by engine.c (which fills it) and
 * report.c (which reads it). Tests may include it.
 */
#ifndef GW_FUZZ_FUZZ_PRIV_H
#define GW_FUZZ_FUZZ_PRIV_H

#include <jansson.h>

#include "fuzz/fuzz.h"

struct gw_fuzz_run {
	struct gw_manifest *m;
	const struct gw_manifest_env *me;
	struct gw_fuzz_opts o;
	char env_id[256];

	/* What the manifest said before the run changed it. */
	uint64_t manifest_max;
	enum gw_on_violation manifest_on_violation;
	uint64_t step_timeout_ns;

	struct gw_space_layout *al;
	size_t abytes;
	char action_space[512];
	unsigned char *action;
	size_t n_option_sets;

	struct gw_env *e;
	/* The episode of each reset of this worker, in order: what the
	 * observe hook's reset counts mean. */
	size_t *reset_eps;
	size_t n_reset_eps, reset_eps_cap;
	struct gw_env_config cfg;
	size_t episode; /* 1-based; 0 before the first */
	bool replaying; /* inside a determinism check */

	struct gw_fuzz_findings findings;
	/* scripts[k] is episode k + 1, NULL once dropped. */
	struct gw_fuzz_script **scripts;
	size_t n_scripts;
	size_t script_bytes;
	size_t settled; /* scripts before this index are decided */

	struct gw_fuzz_times step_t, reset_t;
	uint64_t slow_ns;
	size_t slow_ep;
	int64_t slow_step;
	struct gw_fuzz_growth growth;
	struct gw_fuzz_usage peak;
	uint64_t worker_steps;
	bool usage_seen;

	uint64_t steps, resets, restarts, determinism_checks;
	uint64_t log_lines, observe_lines, self_truncations;
	uint64_t log_dropped_pipe[2]; /* stdout, stderr: lines not shown */
	uint64_t cpu_ns;	      /* of the workers that ended */
	uint64_t strategy_episodes[GW_FUZZ_STRATEGY_COUNT];
	uint64_t strategy_steps[GW_FUZZ_STRATEGY_COUNT];
	uint32_t checked_strategies; /* bit per strategy: determinism done */

	char layers[512];
	char missing[512];
	json_t *notices;
	uint64_t start_ns, elapsed_ns;
	char stopped[256]; /* why the run ended early; "" when it did not */
	bool partial;

	struct gw_tree *tree;
	char digest_after[80];
};

/* Monotonic time in ns. */
uint64_t gw_fuzz_now_ns(void);

#endif /* GW_FUZZ_FUZZ_PRIV_H */
