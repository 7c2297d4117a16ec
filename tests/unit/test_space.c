/*
 * The space model: parsing every kind from TOML, every consistency
 * error, the typed bounds, the text and JSON forms and the diff.
 * Table rows become cmocka tests of their own, named for the behaviour.
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
#include "space/space.h"
#include "space/suggest.h"
#include "toml/toml.h"

#define MAX_PROBLEMS 16

struct problems {
	size_t n;
	char field[MAX_PROBLEMS][512];
	char msg[MAX_PROBLEMS][768];
	char hint[MAX_PROBLEMS][160];
	unsigned line[MAX_PROBLEMS];
};

static void collect(void *arg, const struct gw_space_problem *p)
{
	struct problems *ps = arg;

	if (ps->n == MAX_PROBLEMS)
		return;
	snprintf(ps->field[ps->n], sizeof(ps->field[0]), "%s", p->field);
	snprintf(ps->msg[ps->n], sizeof(ps->msg[0]), "%s", p->message);
	snprintf(ps->hint[ps->n], sizeof(ps->hint[0]), "%s",
		 p->hint ? p->hint : "");
	ps->line[ps->n] = p->line;
	ps->n++;
}

/* Parse "[s]\n" + body and build the space at s. */
static int parse(const char *body, struct gw_space **out, struct problems *ps)
{
	struct gw_space_sink sink = { collect, ps };
	struct gw_toml_value *doc = NULL;
	struct gw_error err = { 0 };
	char text[8192];
	int r;

	memset(ps, 0, sizeof(*ps));
	snprintf(text, sizeof(text), "[s]\n%s\n", body);
	r = gw_toml_parse(text, strlen(text), "<test>", &doc, &err);
	if (r < 0)
		fail_msg("bad test TOML: %s (%u:%u)", err.msg, err.line,
			 err.col);
	r = gw_space_parse_toml(gw_toml_get(doc, "s"), "s", &sink, out);
	gw_toml_free(doc);
	return r;
}

static struct gw_space *parse_ok(const char *body)
{
	struct problems ps;
	struct gw_space *s = NULL;
	int r = parse(body, &s, &ps);

	if (r != 0)
		fail_msg("expected success, got %d: %s: %s", r, ps.field[0],
			 ps.msg[0]);
	return s;
}

struct parse_case {
	const char *name;
	const char *toml;
	const char *field; /* of the first problem; NULL: must parse */
	const char *msg;   /* part of its message */
	const char *hint;  /* part of its hint, or NULL */
};

static const struct parse_case cases[] = {
	/* Every kind parses. */
	{ "space_parse_accepts_box_with_scalar_bounds",
	  "type = \"Box\"\nlow = -1.0\nhigh = 1.0\nshape = [3]", NULL },
	{ "space_parse_accepts_box_with_array_bounds",
	  "type = \"Box\"\ndtype = \"int64\"\nlow = [0, 0]\nhigh = [7, 3]",
	  NULL },
	{ "space_parse_accepts_box_of_every_dtype_bool",
	  "type = \"Box\"\ndtype = \"bool\"\nlow = false\nhigh = true\n"
	  "shape = [2]",
	  NULL },
	{ "space_parse_accepts_scalar_box_with_empty_shape",
	  "type = \"Box\"\nlow = 0\nhigh = 1\nshape = []", NULL },
	{ "space_parse_accepts_discrete", "type = \"Discrete\"\nn = 4", NULL },
	{ "space_parse_accepts_multi_discrete",
	  "type = \"MultiDiscrete\"\nnvec = [[2, 3], [4, 5]]", NULL },
	{ "space_parse_accepts_multi_binary_int",
	  "type = \"MultiBinary\"\nn = 5", NULL },
	{ "space_parse_accepts_multi_binary_shape",
	  "type = \"MultiBinary\"\nn = [2, 3]", NULL },
	{ "space_parse_accepts_tuple",
	  "type = \"Tuple\"\nspaces = [{ type = \"Discrete\", n = 2 }, "
	  "{ type = \"MultiBinary\", n = 3 }]",
	  NULL },
	{ "space_parse_accepts_dict",
	  "type = \"Dict\"\n[s.spaces.b]\ntype = \"Discrete\"\nn = 2\n"
	  "[s.spaces.a]\ntype = \"Text\"\nmax_length = 4",
	  NULL },
	{ "space_parse_accepts_text_with_charset",
	  "type = \"Text\"\nmin_length = 1\nmax_length = 8\n"
	  "charset = \"abc\"",
	  NULL },
	{ "space_parse_accepts_float_inf_bounds",
	  "type = \"Box\"\nlow = -inf\nhigh = inf\nshape = [2]", NULL },
	{ "space_parse_accepts_int_bounds_written_as_whole_floats",
	  "type = \"Box\"\ndtype = \"int8\"\nlow = -128.0\nhigh = 127.0\n"
	  "shape = [1]",
	  NULL },
	{ "space_parse_accepts_uint64_max_as_string",
	  "type = \"Box\"\ndtype = \"uint64\"\nlow = 0\n"
	  "high = \"18446744073709551615\"\nshape = [1]",
	  NULL },

	/* Bounds against the dtype. */
	{ "space_parse_rejects_bound_outside_dtype",
	  "type = \"Box\"\ndtype = \"uint8\"\nlow = 0\nhigh = 300\n"
	  "shape = [2]",
	  "s.high", "300 is outside the range of uint8", "0..255" },
	{ "space_parse_rejects_negative_bound_for_unsigned",
	  "type = \"Box\"\ndtype = \"uint16\"\nlow = -1\nhigh = 3\n"
	  "shape = [2]",
	  "s.low", "outside the range of uint16", NULL },
	{ "space_parse_rejects_int8_bound_just_past_range",
	  "type = \"Box\"\ndtype = \"int8\"\nlow = -129\nhigh = 0\n"
	  "shape = [2]",
	  "s.low", "outside the range of int8", NULL },
	{ "space_parse_rejects_uint64_string_past_range",
	  "type = \"Box\"\ndtype = \"uint64\"\nlow = 0\n"
	  "high = \"18446744073709551616\"\nshape = [1]",
	  "s.high", "not a decimal integer", NULL },
	{ "space_parse_rejects_int64_float_at_two_to_63",
	  "type = \"Box\"\ndtype = \"int64\"\nlow = 0\n"
	  "high = 9223372036854775808.0\nshape = [1]",
	  "s.high", "outside the range of int64", NULL },
	{ "space_parse_rejects_non_integer_bound_for_int_dtype",
	  "type = \"Box\"\ndtype = \"int32\"\nlow = 0.5\nhigh = 3\n"
	  "shape = [2]",
	  "s.low", "not a whole number", NULL },
	{ "space_parse_rejects_inf_bound_for_int_dtype",
	  "type = \"Box\"\ndtype = \"int32\"\nlow = -inf\nhigh = 3\n"
	  "shape = [2]",
	  "s.low", "infinite", NULL },
	{ "space_parse_rejects_float32_bound_beyond_range",
	  "type = \"Box\"\ndtype = \"float32\"\nlow = 0\nhigh = 1e39\n"
	  "shape = [2]",
	  "s.high", "outside the range of float32", NULL },
	{ "space_parse_rejects_float16_bound_beyond_range",
	  "type = \"Box\"\ndtype = \"float16\"\nlow = 0\nhigh = 65505\n"
	  "shape = [2]",
	  "s.high", "outside the range of float16", NULL },
	{ "space_parse_rejects_nan_bound",
	  "type = \"Box\"\nlow = nan\nhigh = 1\nshape = [2]", "s.low", "nan",
	  NULL },
	{ "space_parse_rejects_string_bound_for_float_dtype",
	  "type = \"Box\"\nlow = \"0\"\nhigh = 1\nshape = [2]", "s.low",
	  "expected a number, got a string", NULL },
	{ "space_parse_rejects_boolean_bound_for_int_dtype",
	  "type = \"Box\"\ndtype = \"int8\"\nlow = false\nhigh = 1\n"
	  "shape = [2]",
	  "s.low", "expected a number, got a boolean", NULL },
	{ "space_parse_names_the_bad_element_of_a_bound_array",
	  "type = \"Box\"\ndtype = \"uint8\"\nlow = [0, 0, 0]\n"
	  "high = [1, 256, 999]",
	  "s.high[1]", "(and 1 more in this array)", NULL },
	{ "space_parse_rejects_low_above_high",
	  "type = \"Box\"\nlow = [0.0, 2.0]\nhigh = [1.0, 1.0]", "s.low[1]",
	  "low 2.0 is greater than high 1.0", NULL },
	{ "space_parse_rejects_scalar_low_above_array_high",
	  "type = \"Box\"\nlow = 1\nhigh = [3, 0]", "s.low",
	  "greater than high 0.0 at [1]", NULL },

	/* Shapes. */
	{ "space_parse_rejects_bound_array_not_matching_shape",
	  "type = \"Box\"\nlow = [0, 0]\nhigh = 1\nshape = [3]", "s.low",
	  "has shape (2,) but the Box's shape is (3,)", NULL },
	{ "space_parse_rejects_low_and_high_of_different_shapes",
	  "type = \"Box\"\nlow = [0, 0]\nhigh = [1, 1, 1]", "s.high",
	  "has shape (3,) but the Box's shape is (2,)", NULL },
	{ "space_parse_rejects_ragged_bound_array",
	  "type = \"Box\"\nlow = [[0, 0], [0]]\nhigh = 1", "s.low",
	  "ragged array", NULL },
	{ "space_parse_rejects_empty_bound_array",
	  "type = \"Box\"\nlow = []\nhigh = 1", "s.low", "empty array", NULL },
	{ "space_parse_rejects_scalar_bounds_without_shape",
	  "type = \"Box\"\nlow = 0\nhigh = 1", "s.shape", "missing \"shape\"",
	  "shape = [4]" },
	{ "space_parse_rejects_shape_written_as_integer",
	  "type = \"Box\"\nlow = 0\nhigh = 1\nshape = 4", "s.shape",
	  "expected an array, got an integer", "[3]" },
	{ "space_parse_rejects_zero_dimension",
	  "type = \"Box\"\nlow = 0\nhigh = 1\nshape = [2, 0]", "s.shape[1]",
	  "must be > 0", NULL },
	{ "space_parse_rejects_too_many_dimensions",
	  "type = \"Box\"\nlow = 0\nhigh = 1\n"
	  "shape = [1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]",
	  "s.shape", "more than 16 dimensions", NULL },
	{ "space_parse_rejects_more_elements_than_the_cap",
	  "type = \"Box\"\nlow = 0\nhigh = 1\nshape = [65536, 65536]",
	  "s.shape", "more than 67108864 elements", NULL },

	/* Keys and types. */
	{ "space_parse_rejects_missing_type", "n = 3", "s.type",
	  "missing required key \"type\"", NULL },
	{ "space_parse_rejects_unknown_type_and_suggests", "type = \"Boxx\"",
	  "s.type", "\"Boxx\" is not one of", "did you mean 'Box'?" },
	{ "space_parse_rejects_unknown_dtype_and_suggests",
	  "type = \"Box\"\ndtype = \"float23\"\nlow = 0\nhigh = 1\n"
	  "shape = [1]",
	  "s.dtype", "not one of", "'float32'" },
	{ "space_parse_unknown_key_suggests_nearest",
	  "type = \"Box\"\nlow = 0\nhihg = 1\nhigh = 1\nshape = [1]", "s.hihg",
	  "unknown key \"hihg\"", "did you mean 'high'?" },
	{ "space_parse_rejects_wrong_value_type",
	  "type = \"Discrete\"\nn = \"4\"", "s.n",
	  "expected an integer, got a string", NULL },
	{ "space_parse_rejects_space_that_is_not_a_table",
	  "type = \"Tuple\"\nspaces = [3]", "s.spaces[0]",
	  "expected a table, got an integer", NULL },

	/* Discrete, MultiDiscrete, MultiBinary, Text. */
	{ "space_parse_rejects_discrete_with_zero_n",
	  "type = \"Discrete\"\nn = 0", "s.n", "must be >= 1", NULL },
	{ "space_parse_rejects_discrete_without_n", "type = \"Discrete\"",
	  "s.n", "missing required key", NULL },
	{ "space_parse_rejects_discrete_start_overflow",
	  "type = \"Discrete\"\nn = 2\nstart = 9223372036854775807", "s.start",
	  "overflows int64", NULL },
	{ "space_parse_rejects_multi_discrete_zero_count",
	  "type = \"MultiDiscrete\"\nnvec = [3, 0]", "s.nvec[1]",
	  "must be >= 1", NULL },
	{ "space_parse_rejects_multi_discrete_scalar_nvec",
	  "type = \"MultiDiscrete\"\nnvec = 3", "s.nvec", "expected an array",
	  "Discrete" },
	{ "space_parse_rejects_multi_discrete_start_of_other_shape",
	  "type = \"MultiDiscrete\"\nnvec = [3, 3]\nstart = [0]", "s.start",
	  "has shape (1,) but nvec has shape (2,)", NULL },
	{ "space_parse_rejects_multi_binary_zero_n",
	  "type = \"MultiBinary\"\nn = 0", "s.n", "between 1 and", NULL },
	{ "space_parse_rejects_multi_binary_string_n",
	  "type = \"MultiBinary\"\nn = \"3\"", "s.n",
	  "expected an integer or an array, got a string", NULL },
	{ "space_parse_rejects_text_without_max_length", "type = \"Text\"",
	  "s.max_length", "missing required key", NULL },
	{ "space_parse_rejects_text_max_below_min",
	  "type = \"Text\"\nmin_length = 5\nmax_length = 3", "s.max_length",
	  "less than min_length", NULL },
	{ "space_parse_rejects_text_negative_min",
	  "type = \"Text\"\nmin_length = -1\nmax_length = 3", "s.min_length",
	  "must be >= 0", NULL },
	{ "space_parse_rejects_text_empty_charset",
	  "type = \"Text\"\nmax_length = 3\ncharset = \"\"", "s.charset",
	  "empty charset", NULL },

	/* Composites. */
	{ "space_parse_rejects_empty_tuple", "type = \"Tuple\"\nspaces = []",
	  "s.spaces", "at least one subspace", NULL },
	{ "space_parse_rejects_empty_dict", "type = \"Dict\"\nspaces = {}",
	  "s.spaces", "at least one subspace", NULL },
	{ "space_parse_rejects_dict_spaces_given_as_array",
	  "type = \"Dict\"\nspaces = [{ type = \"Discrete\", n = 2 }]",
	  "s.spaces", "expected a table, got an array", NULL },
	{ "space_parse_names_the_path_inside_a_dict",
	  "type = \"Dict\"\n[s.spaces.pos]\ntype = \"Box\"\nlow = 0\n"
	  "high = -1\nshape = [2]",
	  "s.spaces.pos.low", "greater than high", NULL },
	{ "space_parse_quotes_odd_dict_keys_in_paths",
	  "type = \"Dict\"\n[s.spaces.\"a.b\"]\ntype = \"Discrete\"\nn = 0",
	  "s.spaces.\"a.b\".n", "must be >= 1", NULL },
};

#define N_CASES (sizeof(cases) / sizeof(cases[0]))

static void run_case(void **state)
{
	const struct parse_case *c = *state;
	struct gw_space *s = NULL;
	struct problems ps;
	int r = parse(c->toml, &s, &ps);

	if (!c->field) {
		if (r != 0)
			fail_msg("%s: %s", ps.field[0], ps.msg[0]);
		assert_non_null(s);
		assert_int_equal(ps.n, 0);
		gw_space_free(s);
		return;
	}
	assert_int_equal(r, -EINVAL);
	assert_null(s);
	assert_true(ps.n >= 1);
	if (strcmp(ps.field[0], c->field) != 0 || !strstr(ps.msg[0], c->msg))
		fail_msg("got %s: %s", ps.field[0], ps.msg[0]);
	if (c->hint && !strstr(ps.hint[0], c->hint))
		fail_msg("hint was '%s'", ps.hint[0]);
}

static void box_bounds_are_typed_per_dtype(void **state)
{
	struct gw_space *s;

	(void)state;
	s = parse_ok("type = \"Box\"\ndtype = \"int64\"\n"
		     "low = -9223372036854775808\n"
		     "high = 9223372036854775807\nshape = [2, 3]");
	assert_int_equal(s->kind, GW_SPACE_BOX);
	assert_int_equal(s->dtype, GW_DTYPE_INT64);
	assert_true(s->u.box.low.i[0] == INT64_MIN);
	assert_true(s->u.box.high.i[0] == INT64_MAX);
	assert_int_equal(s->nelem, 6);
	assert_int_equal(s->nbytes, 48);
	assert_true(s->u.box.scalar_bounds);
	assert_true(s->u.box.finite);
	gw_space_free(s);

	s = parse_ok("type = \"Box\"\ndtype = \"uint64\"\nlow = 0\n"
		     "high = \"18446744073709551615\"\nshape = [1]");
	assert_true(s->u.box.high.u[0] == UINT64_MAX);
	gw_space_free(s);
}

static void box_per_element_bounds_stay_per_element(void **state)
{
	struct gw_space *s;

	(void)state;
	s = parse_ok("type = \"Box\"\ndtype = \"int16\"\n"
		     "low = [[0, -1], [-2, -3]]\nhigh = 5");
	assert_int_equal(s->ndim, 2);
	assert_int_equal(s->shape[0], 2);
	assert_int_equal(s->shape[1], 2);
	assert_false(s->u.box.scalar_bounds);
	assert_int_equal(s->u.box.nbounds, 4);
	assert_int_equal(s->u.box.low.i[3], -3);
	assert_int_equal(s->u.box.high.i[3], 5);
	gw_space_free(s);
}

static void box_equal_array_bounds_collapse_to_scalar(void **state)
{
	struct gw_space *s;

	(void)state;
	s = parse_ok("type = \"Box\"\nlow = [1.5, 1.5]\nhigh = [2, 2]");
	assert_true(s->u.box.scalar_bounds);
	assert_int_equal(s->u.box.nbounds, 1);
	assert_int_equal(s->nelem, 2);
	gw_space_free(s);
}

static void box_float_bounds_are_rounded_to_dtype(void **state)
{
	struct gw_space *s;

	(void)state;
	s = parse_ok("type = \"Box\"\ndtype = \"float32\"\nlow = 0\n"
		     "high = 0.1\nshape = [1]");
	assert_true(s->u.box.high.f[0] == (double)0.1f);
	gw_space_free(s);
	s = parse_ok("type = \"Box\"\ndtype = \"float16\"\nlow = 0\n"
		     "high = 0.1\nshape = [1]");
	assert_true(s->u.box.high.f[0] == 0.0999755859375);
	gw_space_free(s);
	s = parse_ok("type = \"Box\"\nlow = -inf\nhigh = 1\nshape = [1]");
	assert_false(s->u.box.finite);
	assert_true(isinf(s->u.box.low.f[0]));
	gw_space_free(s);
}

static void dtype_round_handles_float16_edges(void **state)
{
	(void)state;
	assert_true(gw_dtype_round(GW_DTYPE_FLOAT16, 65504.0) == 65504.0);
	assert_true(gw_dtype_round(GW_DTYPE_FLOAT16, 1.0) == 1.0);
	/* The smallest subnormal, 2^-24, and half of it ties to even 0. */
	assert_true(gw_dtype_round(GW_DTYPE_FLOAT16, ldexp(1, -24)) ==
		    ldexp(1, -24));
	assert_true(gw_dtype_round(GW_DTYPE_FLOAT16, ldexp(1, -25)) == 0.0);
	assert_true(gw_dtype_round(GW_DTYPE_FLOAT16, 2049.0) == 2048.0);
	assert_true(gw_dtype_round(GW_DTYPE_FLOAT16, -2051.0) == -2052.0);
	assert_true(gw_dtype_round(GW_DTYPE_FLOAT64, 0.1) == 0.1);
}

static void composites_count_elements_and_depth(void **state)
{
	struct gw_space *s;

	(void)state;
	s = parse_ok("type = \"Dict\"\n[s.spaces.zeta]\ntype = \"Discrete\"\n"
		     "n = 3\n[s.spaces.alpha]\ntype = \"Tuple\"\n"
		     "spaces = [{ type = \"MultiBinary\", n = [2, 2] }]");
	assert_int_equal(s->kind, GW_SPACE_DICT);
	assert_int_equal(s->u.list.len, 2);
	assert_string_equal(s->u.list.keys[0], "zeta");
	assert_string_equal(s->u.list.keys[1], "alpha");
	assert_int_equal(s->nelem, 5);
	assert_int_equal(s->depth, 3);
	gw_space_free(s);

	s = parse_ok("type = \"MultiDiscrete\"\nnvec = [3, 4]\n"
		     "start = [-1, 2]");
	assert_false(s->u.md.zero_start);
	assert_int_equal(s->u.md.start[0], -1);
	assert_int_equal(s->nelem, 2);
	gw_space_free(s);
}

/* Tuples nested n deep around a Discrete. */
static void nested_tuple(char *buf, size_t cap, unsigned n)
{
	size_t len = (size_t)snprintf(buf, cap, "type = \"Tuple\"\nspaces = [");

	for (unsigned i = 1; i < n; i++)
		len += (size_t)snprintf(buf + len, cap - len,
					"{ type = \"Tuple\", spaces = [");
	len += (size_t)snprintf(buf + len, cap - len,
				"{ type = \"Discrete\", n = 2 }");
	for (unsigned i = 0; i < n; i++)
		len += (size_t)snprintf(buf + len, cap - len, "]%s",
					i + 1 < n ? " }" : "");
}

static void space_parse_limits_nesting_depth(void **state)
{
	struct gw_space *s = NULL;
	struct problems ps;
	char body[6000];

	(void)state;
	nested_tuple(body, sizeof(body), GW_SPACE_MAX_DEPTH - 1);
	s = parse_ok(body);
	assert_int_equal(s->depth, GW_SPACE_MAX_DEPTH);
	gw_space_free(s);

	nested_tuple(body, sizeof(body), GW_SPACE_MAX_DEPTH);
	assert_int_equal(parse(body, &s, &ps), -EINVAL);
	assert_non_null(strstr(ps.msg[0], "nested deeper than 32"));
}

static void space_parse_reports_every_problem(void **state)
{
	struct gw_space *s = NULL;
	struct problems ps;

	(void)state;
	assert_int_equal(parse("type = \"Dict\"\n"
			       "[s.spaces.a]\ntype = \"Discrete\"\nn = 0\n"
			       "[s.spaces.b]\ntype = \"Box\"\nlowe = 1\n"
			       "low = 0\nhigh = 1\nshape = [1]\n",
			       &s, &ps),
			 -EINVAL);
	assert_int_equal(ps.n, 2);
	assert_string_equal(ps.field[0], "s.spaces.a.n");
	assert_string_equal(ps.field[1], "s.spaces.b.lowe");
	assert_int_equal(ps.line[1], 8);
}

static void space_from_toml_keeps_first_problem(void **state)
{
	struct gw_toml_value *doc = NULL;
	struct gw_error err = { 0 };
	struct gw_space *s = NULL;
	const char *text = "[x]\ntype = \"Discrete\"\nn = -3\nstart = \"a\"\n";

	(void)state;
	assert_int_equal(gw_toml_parse(text, strlen(text), "t", &doc, &err), 0);
	assert_int_equal(
		gw_space_from_toml(gw_toml_get(doc, "x"), "x", &s, &err),
		-EINVAL);
	assert_int_equal(err.line, 3);
	assert_string_equal(err.field, "x.n");
	gw_toml_free(doc);
}

struct format_case {
	const char *toml;
	const char *text;
};

static void space_format_reads_like_gymnasium(void **state)
{
	static const struct format_case fc[] = {
		{ "type = \"Box\"\ndtype = \"int64\"\nlow = 0\nhigh = 7\n"
		  "shape = [2]",
		  "Box(0, 7, (2,), int64)" },
		{ "type = \"Box\"\nlow = [0.1, -inf]\nhigh = 1",
		  "Box([0.1 -inf], [1.0 1.0], (2,), float32)" },
		{ "type = \"Box\"\nlow = [[0, 1], [2, 3]]\nhigh = 9",
		  "Box([[0.0 1.0] [2.0 3.0]], [[9.0 9.0] [9.0 9.0]], (2, 2), "
		  "float32)" },
		{ "type = \"Discrete\"\nn = 4\nstart = 1",
		  "Discrete(4, start=1)" },
		{ "type = \"MultiDiscrete\"\nnvec = [[2, 3]]",
		  "MultiDiscrete([[2 3]])" },
		{ "type = \"MultiBinary\"\nn = [2, 3]", "MultiBinary((2, 3))" },
		{ "type = \"Text\"\nmax_length = 5\ncharset = \"ab\\n\"",
		  "Text(0, 5, charset=\"ab\\n\")" },
		{ "type = \"Tuple\"\nspaces = [{ type = \"Discrete\", n = 2 }]",
		  "Tuple(Discrete(2))" },
		{ "type = \"Dict\"\nspaces = { k = { type = \"MultiBinary\", "
		  "n = 3 } }",
		  "Dict('k': MultiBinary(3))" },
	};
	char buf[256];

	(void)state;
	for (size_t i = 0; i < sizeof(fc) / sizeof(fc[0]); i++) {
		struct gw_space *s = parse_ok(fc[i].toml);

		gw_space_format(s, buf, sizeof(buf));
		if (strcmp(buf, fc[i].text) != 0)
			fail_msg("case %zu: '%s'", i, buf);
		gw_space_free(s);
	}
}

static void space_format_cuts_long_text(void **state)
{
	struct gw_space *s;
	char buf[16];

	(void)state;
	s = parse_ok("type = \"Box\"\nlow = [1, 2, 3, 4, 5, 6, 7]\nhigh = 9");
	assert_true(gw_space_format(s, buf, sizeof(buf)) < sizeof(buf));
	assert_string_equal(buf, "Box([1.0 2.0...");
	gw_space_free(s);
}

struct diff_case {
	const char *a, *b;
	const char *text; /* NULL: equal */
};

static void space_diff_names_first_difference(void **state)
{
	static const struct diff_case dc[] = {
		{ "type = \"Box\"\nlow = 0\nhigh = 1\nshape = [2]",
		  "type = \"Box\"\nlow = 0\nhigh = 1\nshape = [3]",
		  "observation_space.shape: manifest (2,) but environment "
		  "(3,)" },
		{ "type = \"Box\"\nlow = 0\nhigh = 1\nshape = [2]",
		  "type = \"Box\"\nlow = [0, 0]\nhigh = [1, 1]", NULL },
		{ "type = \"Box\"\nlow = 0\nhigh = 1\nshape = [2]",
		  "type = \"Box\"\ndtype = \"float64\"\nlow = 0\nhigh = 1\n"
		  "shape = [2]",
		  "observation_space.dtype: manifest float32 but environment "
		  "float64" },
		{ "type = \"Box\"\nlow = 0\nhigh = 1\nshape = [2, 2]",
		  "type = \"Box\"\nlow = [[0, 0], [0, -1]]\nhigh = 1",
		  "observation_space.low[1, 1]: manifest 0.0 but environment "
		  "-1.0" },
		{ "type = \"Discrete\"\nn = 4", "type = \"Discrete\"\nn = 5",
		  "observation_space.n: manifest 4 but environment 5" },
		{ "type = \"Discrete\"\nn = 4", "type = \"MultiBinary\"\nn = 4",
		  "observation_space: manifest Discrete but environment "
		  "MultiBinary" },
		{ "type = \"Dict\"\nspaces = { a = { type = \"Discrete\", "
		  "n = 2 }, b = { type = \"Discrete\", n = 3 } }",
		  "type = \"Dict\"\nspaces = { b = { type = \"Discrete\", "
		  "n = 3 }, a = { type = \"Discrete\", n = 2 } }",
		  NULL },
		{ "type = \"Dict\"\nspaces = { a = { type = \"Discrete\", "
		  "n = 2 } }",
		  "type = \"Dict\"\nspaces = { b = { type = \"Discrete\", "
		  "n = 2 } }",
		  "observation_space: key \"a\" is in the manifest but not in "
		  "the environment" },
		{ "type = \"Tuple\"\nspaces = [{ type = \"Discrete\", n = 2 },"
		  " { type = \"Text\", max_length = 3 }]",
		  "type = \"Tuple\"\nspaces = [{ type = \"Discrete\", n = 2 },"
		  " { type = \"Text\", max_length = 4 }]",
		  "observation_space[1].max_length: manifest 3 but "
		  "environment 4" },
		{ "type = \"MultiDiscrete\"\nnvec = [2, 3]",
		  "type = \"MultiDiscrete\"\nnvec = [2, 3]\nstart = [0, 1]",
		  "observation_space.start[1]: manifest 0 but environment 1" },
		/* A charset is a set: order and repeats do not count, and
		 * the default is letters and digits written out. */
		{ "type = \"Text\"\nmax_length = 3\ncharset = \"cba\"",
		  "type = \"Text\"\nmax_length = 3\ncharset = \"abcc\"", NULL },
		{ "type = \"Text\"\nmax_length = 3\ncharset = \"\u00e9a\"",
		  "type = \"Text\"\nmax_length = 3\ncharset = \"a\u00e9\"",
		  NULL },
		{ "type = \"Text\"\nmax_length = 3",
		  "type = \"Text\"\nmax_length = 3\ncharset = "
		  "\"zyxwvutsrqponmlkjihgfedcbaZYXWVUTSRQPONMLKJIHGFEDCBA987654"
		  "3210\"",
		  NULL },
		{ "type = \"Text\"\nmax_length = 3\ncharset = \"abc\"",
		  "type = \"Text\"\nmax_length = 3\ncharset = \"abd\"",
		  "observation_space.charset: manifest \"abc\" but environment "
		  "\"abd\"" },
	};
	char buf[256];

	(void)state;
	for (size_t i = 0; i < sizeof(dc) / sizeof(dc[0]); i++) {
		struct gw_space *a = parse_ok(dc[i].a), *b = parse_ok(dc[i].b);
		int r = gw_space_diff(a, b, "observation_space", buf,
				      sizeof(buf));

		if (r != (dc[i].text != NULL) ||
		    strcmp(buf, dc[i].text ? dc[i].text : "") != 0)
			fail_msg("case %zu: %d '%s'", i, r, buf);
		assert_int_equal(gw_space_equal(a, b), dc[i].text == NULL);
		gw_space_free(a);
		gw_space_free(b);
	}
}

static void space_describe_json_gives_every_field(void **state)
{
	struct gw_space *s;
	json_t *j;
	char *text;

	(void)state;
	s = parse_ok(
		"type = \"Dict\"\n[s.spaces.pos]\ntype = \"Box\"\n"
		"low = -inf\nhigh = [1, 2]\n[s.spaces.big]\ntype = \"Box\"\n"
		"dtype = \"uint64\"\nlow = 0\n"
		"high = \"18446744073709551615\"\nshape = [1]\n");
	j = gw_space_describe_json(s);
	assert_non_null(j);
	text = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	assert_string_equal(
		text,
		"{\"type\":\"Dict\",\"spaces\":{\"pos\":{\"type\":\"Box\","
		"\"dtype\":\"float32\",\"shape\":[2],\"low\":[\"-inf\","
		"\"-inf\"],\"high\":[1.0,2.0]},\"big\":{\"type\":\"Box\","
		"\"dtype\":\"uint64\",\"shape\":[1],\"low\":0,\"high\":"
		"\"18446744073709551615\"}}}");
	free(text);
	json_decref(j);
	gw_space_free(s);
}

struct distance_case {
	const char *a, *b;
	size_t d;
};

static void edit_distance_counts_swaps_as_one(void **state)
{
	static const struct distance_case dc[] = {
		{ "", "", 0 },	       { "abc", "abc", 0 },
		{ "abc", "", 3 },      { "memroy", "memory", 1 },
		{ "hihg", "high", 1 }, { "kitten", "sitting", 3 },
		{ "Box", "box", 0 },   { "float23", "float32", 1 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(dc) / sizeof(dc[0]); i++)
		assert_int_equal(gw_edit_distance(dc[i].a, strlen(dc[i].a),
						  dc[i].b, strlen(dc[i].b)),
				 dc[i].d);
}

static void suggest_picks_nearest_close_word(void **state)
{
	static const char *const words[] = { "entry_point", "source", "id",
					     "api", NULL };

	(void)state;
	assert_string_equal(gw_suggest("entrypoint", 10, words), "entry_point");
	assert_string_equal(gw_suggest("sorce", 5, words), "source");
	assert_string_equal(gw_suggest("ip", 2, words), "id");
	assert_null(gw_suggest("completely", 10, words));
	assert_string_equal(gw_suggest("apis", 4, words), "api");
	assert_string_equal(gw_suggest("sources_dir", 11, words), "source");
	assert_null(gw_suggest("", 0, words));
}

int main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(box_bounds_are_typed_per_dtype),
		cmocka_unit_test(box_per_element_bounds_stay_per_element),
		cmocka_unit_test(box_equal_array_bounds_collapse_to_scalar),
		cmocka_unit_test(box_float_bounds_are_rounded_to_dtype),
		cmocka_unit_test(dtype_round_handles_float16_edges),
		cmocka_unit_test(composites_count_elements_and_depth),
		cmocka_unit_test(space_parse_limits_nesting_depth),
		cmocka_unit_test(space_parse_reports_every_problem),
		cmocka_unit_test(space_from_toml_keeps_first_problem),
		cmocka_unit_test(space_format_reads_like_gymnasium),
		cmocka_unit_test(space_format_cuts_long_text),
		cmocka_unit_test(space_diff_names_first_difference),
		cmocka_unit_test(space_describe_json_gives_every_field),
		cmocka_unit_test(edit_distance_counts_swaps_as_one),
		cmocka_unit_test(suggest_picks_nearest_close_word),
	};
	enum { N_FIXED = sizeof(fixed) / sizeof(fixed[0]) };
	struct CMUnitTest tests[N_FIXED + N_CASES];

	memcpy(tests, fixed, sizeof(fixed));
	for (size_t i = 0; i < N_CASES; i++)
		tests[N_FIXED + i] = (struct CMUnitTest){
			.name = cases[i].name,
			.test_func = run_case,
			.initial_state = (void *)&cases[i],
		};
	return _cmocka_run_group_tests("space", tests, N_FIXED + N_CASES, NULL,
				       NULL);
}
