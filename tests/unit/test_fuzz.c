/*
 * The pure parts of `gymwarden fuzz`: extreme values of spaces, the plan
 * of a run and the actions of each strategy, reset option sets, the
 * replay file (round trip, refusals, truncation and bit-flip sweeps),
 * the observe hook's lines, merging findings, percentiles and resource
 * growth.
 */
#include <errno.h>
#include <float.h>
#include <jansson.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/error.h"
#include "core/limits.h"
#include "fuzz/fuzz.h"
#include "manifest/manifest_priv.h"
#include "space/ops.h"
#include "space/space.h"
#include "toml/toml.h"

struct fixture {
	struct gw_space *s;
	struct gw_space_layout *l;
};

static struct fixture make(const char *body)
{
	struct gw_toml_value *doc = NULL;
	struct gw_error err = { 0 };
	struct fixture fx = { NULL, NULL };
	char text[4096];

	snprintf(text, sizeof(text), "[s]\n%s\n", body);
	if (gw_toml_parse(text, strlen(text), "<test>", &doc, &err) < 0)
		fail_msg("bad test TOML: %s", err.msg);
	if (gw_space_from_toml(gw_toml_get(doc, "s"), "s", &fx.s, &err) < 0)
		fail_msg("bad test space: %s", err.msg);
	gw_toml_free(doc);
	assert_int_equal(gw_space_layout_new(fx.s, &fx.l), 0);
	return fx;
}

static void unmake(struct fixture *fx)
{
	gw_space_layout_free(fx->l);
	gw_space_free(fx->s);
}

/* Every value written must pass the monitor's own action check. */
static void assert_valid(const struct fixture *fx, void *buf)
{
	assert_int_equal(gw_space_check_packed(fx->l, buf,
					       gw_space_layout_size(fx->l),
					       NULL, NULL),
			 GW_VERDICT_PASS);
}

static int64_t i64_at(const unsigned char *p, size_t k)
{
	int64_t v;

	memcpy(&v, p + 8 * k, 8);
	return v;
}

static float f32_at(const unsigned char *p, size_t k)
{
	float v;

	memcpy(&v, p + 4 * k, 4);
	return v;
}

/* ---- extremes ------------------------------------------------------ */

static void extreme_discrete_is_first_and_last_value(void **state)
{
	struct fixture fx = make("type = \"Discrete\"\nn = 5\nstart = 2");
	unsigned char buf[8];
	const int64_t want[GW_EXTREME_COUNT] = { 2, 6, 2, 2, 6, 2 };

	(void)state;
	for (int w = 0; w < GW_EXTREME_COUNT; w++) {
		memset(buf, 0, sizeof(buf));
		assert_int_equal(gw_space_extreme(fx.l, (enum gw_extreme)w, -1,
						  buf, sizeof(buf)),
				 0);
		assert_int_equal(i64_at(buf, 0), want[w]);
		assert_valid(&fx, buf);
	}
	unmake(&fx);
}

static void extreme_unbounded_float_box_reaches_infinity(void **state)
{
	struct fixture fx = make("type = \"Box\"\ndtype = \"float32\"\n"
				 "shape = [2]\nlow = -inf\nhigh = inf");
	unsigned char buf[8];

	(void)state;
	gw_space_extreme(fx.l, GW_EXTREME_LOW, -1, buf, sizeof(buf));
	assert_true(isinf(f32_at(buf, 0)) && f32_at(buf, 0) < 0);
	assert_valid(&fx, buf);
	gw_space_extreme(fx.l, GW_EXTREME_MAX_FINITE, -1, buf, sizeof(buf));
	assert_true(f32_at(buf, 1) == FLT_MAX);
	assert_valid(&fx, buf);
	gw_space_extreme(fx.l, GW_EXTREME_MIN_FINITE, -1, buf, sizeof(buf));
	assert_true(f32_at(buf, 0) == -FLT_MAX);
	gw_space_extreme(fx.l, GW_EXTREME_TINY, -1, buf, sizeof(buf));
	assert_true(f32_at(buf, 0) > 0 && f32_at(buf, 0) < FLT_MIN);
	assert_valid(&fx, buf);
	unmake(&fx);
}

static void extreme_bounded_box_clamps_zero_and_tiny(void **state)
{
	struct fixture fx = make("type = \"Box\"\ndtype = \"float32\"\n"
				 "shape = [1]\nlow = 0.5\nhigh = 2.0");
	unsigned char buf[4];

	(void)state;
	gw_space_extreme(fx.l, GW_EXTREME_ZERO, -1, buf, sizeof(buf));
	assert_true(f32_at(buf, 0) == 0.5f);
	gw_space_extreme(fx.l, GW_EXTREME_MAX_FINITE, -1, buf, sizeof(buf));
	assert_true(f32_at(buf, 0) == 2.0f);
	assert_valid(&fx, buf);
	unmake(&fx);
}

static void extreme_one_element_leaves_the_others(void **state)
{
	struct fixture fx = make("type = \"MultiDiscrete\"\nnvec = [3, 4, 5]");
	unsigned char buf[24] = { 0 };

	(void)state;
	assert_int_equal(gw_space_elem_count(fx.l), 3);
	gw_space_extreme(fx.l, GW_EXTREME_ZERO, -1, buf, sizeof(buf));
	gw_space_extreme(fx.l, GW_EXTREME_HIGH, 1, buf, sizeof(buf));
	assert_int_equal(i64_at(buf, 0), 0);
	assert_int_equal(i64_at(buf, 1), 3);
	assert_int_equal(i64_at(buf, 2), 0);
	assert_valid(&fx, buf);
	assert_int_equal(
		gw_space_extreme(fx.l, GW_EXTREME_HIGH, 3, buf, sizeof(buf)),
		-EINVAL);
	assert_int_equal(gw_space_extreme(fx.l, GW_EXTREME_HIGH, 0, buf, 8),
			 -ENOBUFS);
	unmake(&fx);
}

static void extreme_of_dict_and_text_passes_the_check(void **state)
{
	struct fixture fx =
		make("type = \"Dict\"\n[s.spaces.a]\ntype = \"MultiBinary\"\n"
		     "n = 3\n[s.spaces.t]\ntype = \"Text\"\nmin_length = 1\n"
		     "max_length = 4\n[s.spaces.b]\ntype = \"Box\"\n"
		     "dtype = \"uint8\"\nshape = [2]\nlow = 0\nhigh = 255");
	size_t n = gw_space_layout_size(fx.l);
	unsigned char *buf = calloc(1, n);

	(void)state;
	for (int w = 0; w < GW_EXTREME_COUNT; w++) {
		memset(buf, 0, n);
		gw_space_extreme(fx.l, (enum gw_extreme)w, -1, buf, n);
		assert_valid(&fx, buf);
	}
	free(buf);
	unmake(&fx);
}

/* ---- the plan and the strategies ----------------------------------- */

static void plan_starts_with_the_seed_sweep_and_its_edges(void **state)
{
	struct gw_fuzz_plan_cfg pc = { .seed = 100,
				       .episodes = 10,
				       .steps = 1000,
				       .manifest_max = 200,
				       .seed_sweep = 56 };
	struct gw_fuzz_plan_entry e;

	(void)state;
	assert_int_equal(gw_fuzz_plan_length(&pc), 66);
	gw_fuzz_plan_at(&pc, 0, &e);
	assert_int_equal(e.strategy, GW_FUZZ_SEEDS);
	assert_int_equal(e.seed, 100);
	assert_int_equal(e.max_steps, GW_FUZZ_SEED_STEPS);
	gw_fuzz_plan_at(&pc, 47, &e);
	assert_int_equal(e.seed, 147);
	gw_fuzz_plan_at(&pc, 48, &e);
	assert_int_equal(e.seed, 0x7fffffffull);
	gw_fuzz_plan_at(&pc, 55, &e);
	assert_true(e.seed == UINT64_MAX);
}

static void plan_cycles_strategies_and_long_passes_the_limit(void **state)
{
	static const enum gw_fuzz_strategy want[] = {
		GW_FUZZ_UNIFORM,   GW_FUZZ_BOUNDARY, GW_FUZZ_REPEAT,
		GW_FUZZ_ALTERNATE, GW_FUZZ_LONG,     GW_FUZZ_UNIFORM,
	};
	struct gw_fuzz_plan_cfg pc = { .episodes = 6,
				       .steps = 1000,
				       .manifest_max = 200,
				       .seed_sweep = 2 };
	struct gw_fuzz_plan_entry e;

	(void)state;
	for (size_t k = 0; k < 6; k++) {
		gw_fuzz_plan_at(&pc, 2 + k, &e);
		assert_int_equal(e.strategy, want[k]);
		assert_int_equal(e.max_steps,
				 want[k] == GW_FUZZ_LONG ? 1000 : 200);
	}
}

static void plan_sweeps_option_sets_after_the_seeds(void **state)
{
	struct gw_fuzz_plan_cfg pc = {
		.episodes = 2, .steps = 50, .seed_sweep = 3, .n_option_sets = 40
	};
	struct gw_fuzz_plan_entry e;

	(void)state;
	assert_int_equal(gw_fuzz_plan_length(&pc),
			 3 + GW_FUZZ_MAX_OPTION_SETS + 2);
	gw_fuzz_plan_at(&pc, 3, &e);
	assert_int_equal(e.strategy, GW_FUZZ_OPTIONS);
	assert_int_equal(e.option_set, 0);
	gw_fuzz_plan_at(&pc, 3 + GW_FUZZ_MAX_OPTION_SETS - 1, &e);
	assert_int_equal(e.option_set, GW_FUZZ_MAX_OPTION_SETS - 1);
	gw_fuzz_plan_at(&pc, 3 + GW_FUZZ_MAX_OPTION_SETS, &e);
	assert_int_equal(e.strategy, GW_FUZZ_UNIFORM);
}

static void strategies_give_the_same_actions_for_the_same_seed(void **state)
{
	struct fixture fx = make("type = \"Box\"\ndtype = \"float32\"\n"
				 "shape = [3]\nlow = -1.0\nhigh = 1.0");
	struct gw_fuzz_gen a, b;
	unsigned char x[12], y[12];

	(void)state;
	for (int s = GW_FUZZ_UNIFORM; s <= GW_FUZZ_ALTERNATE; s++) {
		gw_fuzz_gen_init(&a, fx.l, (enum gw_fuzz_strategy)s, 7);
		gw_fuzz_gen_init(&b, fx.l, (enum gw_fuzz_strategy)s, 7);
		for (uint64_t i = 0; i < 40; i++) {
			gw_fuzz_gen_next(&a, i, x);
			gw_fuzz_gen_next(&b, i, y);
			assert_memory_equal(x, y, sizeof(x));
			assert_valid(&fx, x);
		}
		gw_fuzz_gen_release(&a);
		gw_fuzz_gen_release(&b);
	}
	unmake(&fx);
}

static void repeat_repeats_and_alternate_alternates(void **state)
{
	struct fixture fx = make("type = \"Discrete\"\nn = 1000");
	struct gw_fuzz_gen g;
	unsigned char a0[8], a1[8], a2[8];

	(void)state;
	gw_fuzz_gen_init(&g, fx.l, GW_FUZZ_REPEAT, 3);
	gw_fuzz_gen_next(&g, 0, a0);
	gw_fuzz_gen_next(&g, 1, a1);
	assert_memory_equal(a0, a1, 8);
	gw_fuzz_gen_release(&g);
	gw_fuzz_gen_init(&g, fx.l, GW_FUZZ_ALTERNATE, 3);
	gw_fuzz_gen_next(&g, 0, a0);
	gw_fuzz_gen_next(&g, 1, a1);
	gw_fuzz_gen_next(&g, 2, a2);
	assert_memory_equal(a0, a2, 8);
	assert_memory_not_equal(a0, a1, 8);
	gw_fuzz_gen_release(&g);
	unmake(&fx);
}

static void boundary_plays_every_extreme_then_each_element(void **state)
{
	struct fixture fx = make("type = \"MultiDiscrete\"\nnvec = [3, 4]");
	struct gw_fuzz_gen g;
	unsigned char a[16];

	(void)state;
	gw_fuzz_gen_init(&g, fx.l, GW_FUZZ_BOUNDARY, 1);
	gw_fuzz_gen_next(&g, GW_EXTREME_HIGH, a);
	assert_int_equal(i64_at(a, 0), 2);
	assert_int_equal(i64_at(a, 1), 3);
	/* Then element 0 low, element 0 high, element 1 low, 1 high. */
	gw_fuzz_gen_next(&g, GW_EXTREME_COUNT + 1, a);
	assert_int_equal(i64_at(a, 0), 2);
	assert_int_equal(i64_at(a, 1), 0);
	gw_fuzz_gen_next(&g, GW_EXTREME_COUNT + 3, a);
	assert_int_equal(i64_at(a, 0), 0);
	assert_int_equal(i64_at(a, 1), 3);
	/* And over again. */
	gw_fuzz_gen_next(&g, GW_EXTREME_COUNT + 4 + GW_EXTREME_HIGH, a);
	assert_int_equal(i64_at(a, 1), 3);
	gw_fuzz_gen_release(&g);
	unmake(&fx);
}

/* ---- reset options ------------------------------------------------- */

static void option_sets_take_each_interesting_value(void **state)
{
	const char *text =
		"[[env]]\nid = \"T-v0\"\nsource = \".\"\n"
		"entry_point = \"m:E\"\n"
		"action_space = { type = \"Discrete\", n = 2 }\n"
		"observation_space = { type = \"Discrete\", n = 2 }\n"
		"reset_options = { level = { type = \"int\", min = 1, max = 5 "
		"}, mode = { type = \"str\", choices = [\"a\", \"b\"] } }\n";
	struct gw_manifest *m = NULL;
	struct gw_error err = { 0 };
	const struct gw_param_specs *specs;
	char *j;

	(void)state;
	assert_int_equal(gw_manifest_check_text(text, strlen(text),
						"/tmp/gymwarden.toml", &m,
						&err),
			 0);
	specs = &m->envs[0].reset_options;
	assert_int_equal(gw_fuzz_option_sets(specs), 3);
	j = gw_fuzz_option_set_json(specs, 0);
	assert_string_equal(j, "{\"level\":1,\"mode\":\"a\"}");
	free(j);
	j = gw_fuzz_option_set_json(specs, 2);
	assert_string_equal(j, "{\"level\":3,\"mode\":\"a\"}");
	free(j);
	gw_manifest_free(m);
}

/* ---- the replay file ----------------------------------------------- */

static char *replay_text(void)
{
	struct gw_fuzz_script s;
	const struct gw_fuzz_script *sp = &s;
	unsigned char act[2] = { 0xab, 0x01 };
	json_t *doc;
	char *text;

	gw_fuzz_script_init(&s, 2);
	s.strategy = GW_FUZZ_BOUNDARY;
	s.episode = 9;
	s.has_seed = true;
	s.seed = UINT64_MAX;
	s.options = strdup("{\"level\":3}");
	gw_fuzz_script_set_reset(&s, 1);
	for (int i = 0; i < 3; i++) {
		act[1] = (unsigned char)i;
		assert_int_equal(gw_fuzz_script_push(&s, act, 2), 0);
	}
	doc = gw_fuzz_replay_to_json("T-v0", 2, "Discrete(2)", &sp, NULL, 1);
	text = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	gw_fuzz_script_release(&s);
	return text;
}

static void replay_round_trips_seed_options_and_actions(void **state)
{
	char *text = replay_text();
	struct gw_fuzz_replay r;
	struct gw_error err = { 0 };

	(void)state;
	assert_int_equal(gw_fuzz_replay_parse(text, strlen(text), &r, &err), 0);
	assert_string_equal(r.env, "T-v0");
	assert_int_equal(r.n, 1);
	assert_int_equal(r.scripts[0].strategy, GW_FUZZ_BOUNDARY);
	assert_true(r.scripts[0].seed == UINT64_MAX);
	assert_string_equal(r.scripts[0].options, "{\"level\":3}");
	assert_int_equal(r.scripts[0].n_actions, 3);
	assert_int_equal(r.scripts[0].actions[4], 0xab);
	assert_int_equal(r.scripts[0].actions[5], 2);
	gw_fuzz_replay_release(&r);
	free(text);
}

static void replay_refuses_what_it_cannot_play(void **state)
{
	static const char *const bad[] = {
		"[]",
		"{\"version\":1,\"kind\":\"run\",\"env\":\"T\","
		"\"action_bytes\":1,\"episodes\":[{\"actions\":[]}]}",
		"{\"version\":2,\"kind\":\"fuzz-replay\",\"env\":\"T\","
		"\"action_bytes\":1,\"episodes\":[{\"actions\":[]}]}",
		"{\"version\":1,\"kind\":\"fuzz-replay\",\"env\":\"T\","
		"\"action_bytes\":0,\"episodes\":[{\"actions\":[]}]}",
		"{\"version\":1,\"kind\":\"fuzz-replay\",\"env\":\"T\","
		"\"action_bytes\":1,\"episodes\":[]}",
		"{\"version\":1,\"kind\":\"fuzz-replay\",\"env\":\"T\","
		"\"action_bytes\":1,\"episodes\":[{\"actions\":[\"0g\"]}]}",
		"{\"version\":1,\"kind\":\"fuzz-replay\",\"env\":\"T\","
		"\"action_bytes\":1,\"episodes\":[{\"actions\":[\"000\"]}]}",
		"{\"version\":1,\"kind\":\"fuzz-replay\",\"env\":\"T\","
		"\"action_bytes\":1,\"episodes\":[{\"seed\":-1,"
		"\"actions\":[]}]}",
		"{\"version\":1,\"kind\":\"fuzz-replay\",\"env\":\"T\","
		"\"action_bytes\":1,\"episodes\":[{\"seed\":\"99999999999999"
		"999999999\",\"actions\":[]}]}",
		"{\"version\":1,\"kind\":\"fuzz-replay\",\"env\":\"T\","
		"\"action_bytes\":1,\"episodes\":[{\"options\":[1],"
		"\"actions\":[]}]}",
	};
	struct gw_fuzz_replay r;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct gw_error err = { 0 };

		assert_true(gw_fuzz_replay_parse(bad[i], strlen(bad[i]), &r,
						 &err) < 0);
		assert_true(err.msg[0] != '\0');
		assert_int_equal(r.n, 0);
	}
}

static void replay_survives_truncations_and_bit_flips(void **state)
{
	char *text = replay_text();
	size_t n = strlen(text);
	char *copy = malloc(n + 1);
	struct gw_fuzz_replay r;

	(void)state;
	for (size_t cut = 0; cut < n; cut++) {
		struct gw_error err = { 0 };

		assert_true(gw_fuzz_replay_parse(text, cut, &r, &err) < 0);
	}
	for (size_t i = 0; i < n; i++) {
		for (int bit = 0; bit < 8; bit++) {
			struct gw_error err = { 0 };

			memcpy(copy, text, n + 1);
			copy[i] ^= (char)(1 << bit);
			if (gw_fuzz_replay_parse(copy, n, &r, &err) == 0)
				gw_fuzz_replay_release(&r);
		}
	}
	free(copy);
	free(text);
}

/* ---- the observe hook's lines -------------------------------------- */

static void observe_lines_are_parsed_and_decoded(void **state)
{
	struct gw_fuzz_attempt a;

	(void)state;
	assert_true(gw_fuzz_parse_observe(
		"gymwarden-observe: open step=12 path=/etc/pass%77d mode=r",
		&a));
	assert_string_equal(a.event, "open");
	assert_int_equal(a.step, 12);
	assert_int_equal(a.reset, -1);
	assert_string_equal(a.args, "path=/etc/passwd mode=r");
	assert_int_equal(a.severity, GW_FUZZ_HIGH);

	assert_true(gw_fuzz_parse_observe(
		"gymwarden-observe: os.listdir step=0 path=/%0a", &a));
	assert_string_equal(a.args, "path=/\\n");
	assert_int_equal(a.severity, GW_FUZZ_LOW);

	assert_true(gw_fuzz_parse_observe(
		"gymwarden-observe: socket.connect step=3 reset=57 args=x",
		&a));
	assert_int_equal(a.step, 3);
	assert_int_equal(a.reset, 57);
	assert_string_equal(a.args, "args=x");

	assert_false(gw_fuzz_parse_observe("hello", &a));
	assert_false(gw_fuzz_parse_observe("gymwarden-observe: ", &a));
	assert_false(gw_fuzz_parse_observe("gymwarden-observe: a\\b x", &a));
	assert_true(gw_fuzz_parse_observe("gymwarden-observe: x step=-3", &a));
	assert_int_equal(a.step, -1);
}

/* ---- findings and numbers ------------------------------------------ */

static void findings_merge_by_key_and_keep_the_first_step(void **state)
{
	struct gw_fuzz_findings l = { 0 };
	struct gw_fuzz_finding f = { .kind = "violation",
				     .key = "v/connect",
				     .severity = GW_FUZZ_MEDIUM,
				     .episode = 2,
				     .step = 5 };
	struct gw_fuzz_finding *kept;

	(void)state;
	gw_fuzz_findings_add(&l, &f);
	f.step = 9;
	f.severity = GW_FUZZ_HIGH;
	kept = gw_fuzz_findings_add(&l, &f);
	assert_int_equal(l.n, 1);
	assert_int_equal(kept->count, 2);
	assert_int_equal(kept->step, 5);
	assert_int_equal(kept->severity, GW_FUZZ_HIGH);
	snprintf(f.key, sizeof(f.key), "other");
	gw_fuzz_findings_add(&l, &f);
	assert_int_equal(gw_fuzz_findings_at_least(&l, GW_FUZZ_HIGH), 2);
	gw_fuzz_findings_release(&l);
}

static void percentiles_of_step_times(void **state)
{
	struct gw_fuzz_times t;

	(void)state;
	gw_fuzz_times_init(&t, 1000);
	for (uint64_t i = 1; i <= 100; i++)
		gw_fuzz_times_add(&t, i * 1000);
	assert_int_equal(gw_fuzz_times_percentile(&t, 50), 51000);
	assert_int_equal(gw_fuzz_times_percentile(&t, 99), 99000);
	assert_int_equal(t.max_ns, 100000);
	gw_fuzz_times_release(&t);
}

static void growth_that_stays_is_found_and_a_burst_is_not(void **state)
{
	struct gw_fuzz_findings l = { 0 };
	struct gw_fuzz_growth g;
	struct gw_fuzz_usage u = { .rss_bytes = 40u << 20,
				   .threads = 1,
				   .fds = 5 };

	(void)state;
	gw_fuzz_growth_reset(&g);
	for (uint64_t s = 0; s < 100; s++) {
		u.rss_bytes += 512 * 1024;
		gw_fuzz_growth_sample(&g, &u, s, 1, (int64_t)s);
	}
	gw_fuzz_growth_findings(&g, &l);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.items[0].kind, "memory-growth");
	assert_int_equal(l.items[0].evidence, GW_FUZZ_BY_HOST);
	gw_fuzz_findings_release(&l);

	gw_fuzz_growth_reset(&g);
	u.rss_bytes = 40u << 20;
	gw_fuzz_growth_sample(&g, &u, 0, 1, 0);
	u.rss_bytes = 100u << 20;
	gw_fuzz_growth_sample(&g, &u, 1, 1, 1);
	u.rss_bytes = 41u << 20;
	u.fds = 40;
	gw_fuzz_growth_sample(&g, &u, 2, 1, 2);
	gw_fuzz_growth_findings(&g, &l);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.items[0].kind, "fd-growth");
	assert_int_equal(l.items[0].step, 2);
	gw_fuzz_findings_release(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(extreme_discrete_is_first_and_last_value),
		cmocka_unit_test(extreme_unbounded_float_box_reaches_infinity),
		cmocka_unit_test(extreme_bounded_box_clamps_zero_and_tiny),
		cmocka_unit_test(extreme_one_element_leaves_the_others),
		cmocka_unit_test(extreme_of_dict_and_text_passes_the_check),
		cmocka_unit_test(plan_starts_with_the_seed_sweep_and_its_edges),
		cmocka_unit_test(
			plan_cycles_strategies_and_long_passes_the_limit),
		cmocka_unit_test(plan_sweeps_option_sets_after_the_seeds),
		cmocka_unit_test(
			strategies_give_the_same_actions_for_the_same_seed),
		cmocka_unit_test(repeat_repeats_and_alternate_alternates),
		cmocka_unit_test(
			boundary_plays_every_extreme_then_each_element),
		cmocka_unit_test(option_sets_take_each_interesting_value),
		cmocka_unit_test(replay_round_trips_seed_options_and_actions),
		cmocka_unit_test(replay_refuses_what_it_cannot_play),
		cmocka_unit_test(replay_survives_truncations_and_bit_flips),
		cmocka_unit_test(observe_lines_are_parsed_and_decoded),
		cmocka_unit_test(findings_merge_by_key_and_keep_the_first_step),
		cmocka_unit_test(percentiles_of_step_times),
		cmocka_unit_test(growth_that_stays_is_found_and_a_burst_is_not),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
