/*
 * The space operations at the boundary: packed layouts, the action check,
 * observation leaves into the packed layout (every kind and dtype, edge
 * values, drift, overshoot, hostile headers, truncation and bit-flip
 * sweeps), reward and flag checks, clip, cast and seeded sampling.
 * Table rows become cmocka tests of their own, named for the behaviour.
 *
 * Two small languages keep the tables short:
 *   packed values  leaves split by ';', values by spaces, each read in
 *                  the leaf's packed dtype ("0.5 nan -0.0;3;abc")
 *   leaves         leaves split by ';': "f64[4]: 0.1 0.2 0.3 0.4",
 *                  "i64[]: 3", "other:dict", "missing", "text:abc",
 *                  "large[150,150,3]"
 */
#include <errno.h>
#include <float.h>
#include <inttypes.h>
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
#include "core/rng.h"
#include "space/ops.h"
#include "space/ops_priv.h"
#include "space/space.h"
#include "toml/toml.h"

#define SCRATCH_BYTES (64u * 1024)
#define MAX_FAULTS    16

/* ---- spaces and layouts ------------------------------------------ */

struct fixture {
	struct gw_space *s;
	struct gw_space_layout *l;
};

static struct fixture make(const char *body)
{
	struct gw_toml_value *doc = NULL;
	struct gw_error err = { 0 };
	struct fixture fx = { NULL, NULL };
	char text[8192];
	int r;

	snprintf(text, sizeof(text), "[s]\n%s\n", body);
	if (gw_toml_parse(text, strlen(text), "<test>", &doc, &err) < 0)
		fail_msg("bad test TOML: %s", err.msg);
	r = gw_space_from_toml(gw_toml_get(doc, "s"), "s", &fx.s, &err);
	gw_toml_free(doc);
	if (r < 0)
		fail_msg("bad test space: %s: %s", err.field, err.msg);
	if (gw_space_layout_new(fx.s, &fx.l) < 0)
		fail_msg("layout failed");
	return fx;
}

static void unmake(struct fixture *fx)
{
	gw_space_layout_free(fx->l);
	gw_space_free(fx->s);
}

/* ---- packed values ------------------------------------------------ */

static void pack_number(enum gw_dtype dt, const char *tok, unsigned char *p)
{
	struct gw_num x;
	char *end;

	x.rep = gw_dtype_info(dt)->rep;
	errno = 0;
	if (x.rep == GW_REP_FLOAT) {
		x.v.f = strtod(tok, &end);
		if (dt == GW_DTYPE_FLOAT16 && isfinite(x.v.f))
			x.v.f = gw_dtype_round(dt, x.v.f);
	} else if (x.rep == GW_REP_INT) {
		x.v.i = strtoll(tok, &end, 0);
	} else {
		x.v.u = strtoull(tok, &end, 0);
	}
	if (end == tok || errno)
		fail_msg("bad test value '%s'", tok);
	gw_num_store(dt, &x, p);
}

static void pack_leaf(const struct gw_layout_node *n, const char *seg,
		      size_t len, unsigned char *buf)
{
	const struct gw_space *s = n->space;
	enum gw_dtype dt = gw_leaf_dtype(s);
	size_t size = gw_dtype_info(dt)->itemsize;
	char tmp[4096], *save = NULL, *tok;
	uint64_t k = 0;

	if (s->kind == GW_SPACE_TEXT) {
		gw_put_u32le(buf + n->offset, (uint32_t)len);
		memcpy(buf + n->offset + 4, seg, len);
		return;
	}
	snprintf(tmp, sizeof(tmp), "%.*s", (int)len, seg);
	for (tok = strtok_r(tmp, " ", &save); tok;
	     tok = strtok_r(NULL, " ", &save), k++) {
		if (k == s->nelem)
			fail_msg("too many test values in '%s'", tmp);
		pack_number(dt, tok, buf + n->offset + k * size);
	}
	if (k != s->nelem)
		fail_msg("%" PRIu64 " test values for %" PRIu64 " elements", k,
			 s->nelem);
}

/* Write spec into buf (the layout's size) in the packed layout. */
static void pack(const struct gw_space_layout *l, const char *spec,
		 unsigned char *buf)
{
	const char *seg = spec;

	memset(buf, 0, l->size);
	for (size_t i = 0; i < l->nnodes; i++) {
		const struct gw_layout_node *n = &l->nodes[i];
		const char *end;

		if (n->space->kind == GW_SPACE_TUPLE ||
		    n->space->kind == GW_SPACE_DICT)
			continue;
		if (!seg)
			fail_msg("too few leaves in '%s'", spec);
		end = strchr(seg, ';');
		pack_leaf(n, seg, end ? (size_t)(end - seg) : strlen(seg), buf);
		seg = end ? end + 1 : NULL;
	}
	if (seg)
		fail_msg("too many leaves in '%s'", spec);
}

/* ---- observation leaves ------------------------------------------- */

struct enc {
	unsigned char buf[SCRATCH_BYTES];
	size_t len;
};

static void put(struct enc *e, const void *p, size_t n)
{
	if (e->len + n > sizeof(e->buf))
		fail_msg("test encoding too large");
	memcpy(e->buf + e->len, p, n);
	e->len += n;
}

static void put_u64(struct enc *e, uint64_t v)
{
	unsigned char b[8];

	for (int i = 0; i < 8; i++)
		b[i] = (unsigned char)(v >> (8 * i));
	put(e, b, 8);
}

static void pad8(struct enc *e)
{
	static const unsigned char zero[8];

	put(e, zero, gw_align8(e->len) - e->len);
}

static void put_header(struct enc *e, unsigned kind, unsigned code,
		       unsigned ndim, uint32_t data_bytes)
{
	unsigned char h[8] = { (unsigned char)kind, (unsigned char)code,
			       (unsigned char)ndim, 0 };

	gw_put_u32le(h + 4, data_bytes);
	put(e, h, 8);
}

static const char *const short_names[] = {
	[GW_DTYPE_BOOL] = "b",	    [GW_DTYPE_INT8] = "i8",
	[GW_DTYPE_INT16] = "i16",   [GW_DTYPE_INT32] = "i32",
	[GW_DTYPE_INT64] = "i64",   [GW_DTYPE_UINT8] = "u8",
	[GW_DTYPE_UINT16] = "u16",  [GW_DTYPE_UINT32] = "u32",
	[GW_DTYPE_UINT64] = "u64",  [GW_DTYPE_FLOAT16] = "f16",
	[GW_DTYPE_FLOAT32] = "f32", [GW_DTYPE_FLOAT64] = "f64",
};

static int short_dtype(const char *s, size_t len)
{
	for (int i = 0; i <= GW_DTYPE_FLOAT64; i++)
		if (strlen(short_names[i]) == len &&
		    memcmp(short_names[i], s, len) == 0)
			return i;
	fail_msg("bad test dtype '%.*s'", (int)len, s);
	return -1;
}

/* "[150,150,3]" into shape; the dimensions. */
static unsigned read_dims(const char *s, uint64_t *shape)
{
	unsigned nd = 0;
	char *end;

	if (*s++ != '[')
		fail_msg("bad test shape '%s'", s);
	while (*s != ']') {
		shape[nd++] = strtoull(s, &end, 10);
		s = *end == ',' ? end + 1 : end;
	}
	return nd;
}

static void encode_array(struct enc *e, const char *seg)
{
	const char *br = strchr(seg, '['), *colon = strchr(seg, ':');
	uint64_t shape[GW_SPACE_MAX_DIMS], n = 1;
	unsigned char data[SCRATCH_BYTES / 2];
	char tmp[4096], *save = NULL, *tok;
	int dt = short_dtype(seg, (size_t)(br - seg));
	size_t size = gw_dtype_info(dt)->itemsize, k = 0;
	unsigned nd = read_dims(br, shape);

	for (unsigned d = 0; d < nd; d++)
		n *= shape[d];
	snprintf(tmp, sizeof(tmp), "%s", colon ? colon + 1 : "");
	for (tok = strtok_r(tmp, " ", &save); tok;
	     tok = strtok_r(NULL, " ", &save), k++)
		pack_number((enum gw_dtype)dt, tok, data + k * size);
	if (k != n)
		fail_msg("%zu test values for shape of %" PRIu64, k, n);
	put_header(e, 0, (unsigned)dt + 1, nd, (uint32_t)(n * size));
	for (unsigned d = 0; d < nd; d++)
		put_u64(e, shape[d]);
	put(e, data, n * size);
	pad8(e);
}

static void encode_leaf(struct enc *e, const char *seg)
{
	uint64_t shape[GW_SPACE_MAX_DIMS];
	unsigned nd;

	if (strncmp(seg, "other:", 6) == 0 || strncmp(seg, "text:", 5) == 0) {
		const char *s = strchr(seg, ':') + 1;

		put_header(e, seg[0] == 'o' ? 1 : 3, 0, 0, (uint32_t)strlen(s));
		put(e, s, strlen(s));
		pad8(e);
	} else if (strcmp(seg, "missing") == 0) {
		put_header(e, 2, 0, 0, 0);
	} else if (strncmp(seg, "large", 5) == 0) {
		nd = read_dims(seg + 5, shape);
		put_header(e, 4, 0, nd, 0);
		for (unsigned d = 0; d < nd; d++)
			put_u64(e, shape[d]);
	} else {
		encode_array(e, seg);
	}
}

static void encode(struct enc *e, const char *spec)
{
	char tmp[4096], *save = NULL, *seg;

	e->len = 0;
	snprintf(tmp, sizeof(tmp), "%s", spec);
	for (seg = strtok_r(tmp, ";", &save); seg;
	     seg = strtok_r(NULL, ";", &save))
		encode_leaf(e, seg);
}

/* ---- faults and policies ------------------------------------------ */

struct got {
	size_t n;
	struct {
		enum gw_fault fault;
		enum gw_policy policy;
		char field[512];
		char detail[512];
		uint64_t count;
	} r[MAX_FAULTS];
	struct gw_fault_counts counts;
};

static void collect(void *arg, const struct gw_fault_report *r)
{
	struct got *g = arg;

	if (g->n == MAX_FAULTS)
		return;
	g->r[g->n].fault = r->fault;
	g->r[g->n].policy = r->policy;
	snprintf(g->r[g->n].field, sizeof(g->r[0].field), "%s", r->field);
	snprintf(g->r[g->n].detail, sizeof(g->r[0].detail), "%s", r->detail);
	g->r[g->n].count = r->count;
	g->n++;
}

static struct gw_fault_sink sink_of(struct got *g)
{
	memset(g, 0, sizeof(*g));
	return (struct gw_fault_sink){ collect, g, &g->counts };
}

/* The manifest's defaults (src/manifest/env.c). */
static struct gw_check_policy defaults(void)
{
	struct gw_check_policy cp = { .overshoot_ulps = 4 };

	for (int f = 0; f < GW_FAULT_COUNT; f++)
		cp.policy[f] = GW_POLICY_REJECT;
	cp.policy[GW_FAULT_OVERSHOOT] = GW_POLICY_CLIP;
	cp.policy[GW_FAULT_DTYPE_DRIFT] = GW_POLICY_CAST;
	return cp;
}

static int word(const char *s, size_t len, const char *(*name)(int), int n)
{
	for (int i = 0; i < n; i++)
		if (strlen(name(i)) == len && memcmp(name(i), s, len) == 0)
			return i;
	fail_msg("bad test policy word '%.*s'", (int)len, s);
	return -1;
}

static const char *fault_word(int i)
{
	return gw_fault_name((enum gw_fault)i);
}

static const char *policy_word(int i)
{
	return gw_policy_name((enum gw_policy)i);
}

/* defaults() changed by "bounds=clip,ulps=0,range=-1:1". */
static struct gw_check_policy policy_of(const char *mods)
{
	struct gw_check_policy cp = defaults();
	char tmp[256], *save = NULL, *item;

	snprintf(tmp, sizeof(tmp), "%s", mods ? mods : "");
	for (item = strtok_r(tmp, ",", &save); item;
	     item = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(item, '=');

		if (strncmp(item, "ulps=", 5) == 0) {
			cp.overshoot_ulps = (uint32_t)strtoul(eq + 1, NULL, 10);
		} else if (strncmp(item, "range=", 6) == 0) {
			cp.has_reward_range = true;
			cp.reward_min = strtod(eq + 1, &item);
			cp.reward_max = strtod(item + 1, NULL);
		} else {
			int f = word(item, (size_t)(eq - item), fault_word,
				     GW_FAULT_COUNT);

			cp.policy[f] = (enum gw_policy)word(
				eq + 1, strlen(eq + 1), policy_word,
				GW_POLICY_TERMINATE + 1);
		}
	}
	return cp;
}

struct expect {
	enum gw_fault fault;
	const char *field; /* NULL ends the list */
	const char *detail;
	enum gw_policy policy;
};

static void check_faults(const struct got *g, const struct expect *want,
			 size_t max)
{
	size_t n = 0;

	while (n < max && want[n].field)
		n++;
	for (size_t i = 0; i < g->n; i++)
		print_message("  fault %s %s: %s [%s]\n",
			      gw_fault_name(g->r[i].fault), g->r[i].field,
			      g->r[i].detail, gw_policy_name(g->r[i].policy));
	assert_int_equal(g->n, n);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(g->r[i].fault, want[i].fault);
		assert_string_equal(g->r[i].field, want[i].field);
		if (!strstr(g->r[i].detail, want[i].detail))
			fail_msg("detail '%s' lacks '%s'", g->r[i].detail,
				 want[i].detail);
		assert_int_equal(g->r[i].policy, want[i].policy);
	}
}

/* ---- spaces used by the tables ------------------------------------ */

#define BOX4 "type = \"Box\"\nlow = -1.0\nhigh = 1.0\nshape = [4]"
#define BOX1(dt, lo, hi)                                                       \
	"type = \"Box\"\ndtype = \"" dt "\"\nlow = " lo "\nhigh = " hi         \
	"\nshape = [1]"
#define UNBOUNDED "type = \"Box\"\nlow = -inf\nhigh = inf\nshape = [1]"
#define DISCRETE5 "type = \"Discrete\"\nn = 5"
#define TEXT_ABC                                                               \
	"type = \"Text\"\nmin_length = 1\nmax_length = 4\ncharset = \"abc\""
#define TUPLE                                                                  \
	"type = \"Tuple\"\nspaces = [{ type = \"Box\", low = 0, high = 1, "    \
	"shape = [2] }, { type = \"Discrete\", n = 3 }]"
#define DICT                                                                   \
	"type = \"Dict\"\n[s.spaces.pos]\ntype = \"Box\"\nlow = -1\n"          \
	"high = 1\nshape = [2, 2]\n[s.spaces.id]\ntype = \"Discrete\"\n"       \
	"n = 3\n[s.spaces.\"a.b\"]\ntype = \"MultiBinary\"\nn = 2"

/* ---- layouts ------------------------------------------------------ */

struct layout_case {
	const char *name;
	const char *space;
	uint64_t size;
	uint64_t offsets[6]; /* of the leaves, in order */
};

static const struct layout_case layout_cases[] = {
	{ "layout_box_is_elements_times_itemsize", BOX4, 16, { 0 } },
	{ "layout_box_float64_matrix",
	  "type = \"Box\"\ndtype = \"float64\"\nlow = 0\nhigh = 1\n"
	  "shape = [2, 3]",
	  48,
	  { 0 } },
	{ "layout_box_uint8_is_one_byte_each",
	  BOX1("uint8", "0", "255"),
	  1,
	  { 0 } },
	{ "layout_discrete_is_one_int64", DISCRETE5, 8, { 0 } },
	{ "layout_multi_discrete_is_int64_each",
	  "type = \"MultiDiscrete\"\nnvec = [[2, 3], [4, 5]]",
	  32,
	  { 0 } },
	{ "layout_multi_binary_is_one_byte_each",
	  "type = \"MultiBinary\"\nn = 5",
	  5,
	  { 0 } },
	{ "layout_text_is_length_and_four_bytes_per_char",
	  TEXT_ABC,
	  20,
	  { 0 } },
	{ "layout_tuple_children_start_at_multiples_of_8",
	  "type = \"Tuple\"\nspaces = [{ type = \"MultiBinary\", n = 3 }, "
	  "{ type = \"Box\", dtype = \"uint8\", low = 0, high = 1, "
	  "shape = [9] }, { type = \"Discrete\", n = 2 }]",
	  32,
	  { 0, 8, 24 } },
	{ "layout_dict_follows_declared_key_order", DICT, 26, { 0, 16, 24 } },
	{ "layout_nested_composites_align_each_child",
	  "type = \"Tuple\"\nspaces = [{ type = \"Tuple\", spaces = [{ type "
	  "= \"MultiBinary\", n = 1 }, { type = \"MultiBinary\", n = 1 }] "
	  "}, { type = \"Text\", max_length = 1 }]",
	  24,
	  { 0, 8, 16 } },
};

static void run_layout_case(void **state)
{
	const struct layout_case *c = *state;
	struct fixture fx = make(c->space);
	size_t leaf = 0;

	assert_int_equal(gw_space_layout_size(fx.l), c->size);
	for (size_t i = 0; i < fx.l->nnodes; i++) {
		const struct gw_layout_node *n = &fx.l->nodes[i];

		if (n->space->kind == GW_SPACE_TUPLE ||
		    n->space->kind == GW_SPACE_DICT)
			continue;
		assert_int_equal(n->offset, c->offsets[leaf]);
		leaf++;
	}
	assert_int_equal(leaf, fx.l->nleaves);
	assert_true(gw_space_layout_leaves_max_bytes(fx.l) >= 8 * leaf);
	unmake(&fx);
}

/* ---- the action check --------------------------------------------- */

struct action_case {
	const char *name;
	const char *space;
	const char *values;
	const char *policy;
	int verdict;
	struct expect faults[2];
	const char *after; /* the buffer after the check, or NULL: as before */
};

#define ACT(f, d)                                                              \
	{                                                                      \
		{                                                              \
			GW_FAULT_ACTION, f, d, GW_POLICY_REJECT                \
		}                                                              \
	}

static const struct action_case action_cases[] = {
	{ "action_box_in_bounds_passes", BOX4, "0.5 -1 1 0", NULL,
	  GW_VERDICT_PASS },
	{ "action_box_above_high_names_element_and_bound", BOX4,
	  "0.5 1.5 -0.5 0", NULL, GW_VERDICT_REJECT,
	  ACT("action[1]", "1.5 is above high 1.0") },
	{ "action_box_below_low_is_refused", BOX4, "0 0 0 -1.25", NULL,
	  GW_VERDICT_REJECT, ACT("action[3]", "-1.25 is below low -1.0") },
	{ "action_box_nan_is_always_refused", UNBOUNDED, "nan", NULL,
	  GW_VERDICT_REJECT, ACT("action[0]", "nan is not allowed") },
	{ "action_scalar_box_has_no_index",
	  "type = \"Box\"\nlow = 0\nhigh = 1\nshape = []", "-1", NULL,
	  GW_VERDICT_REJECT, ACT("action", "-1.0 is below low 0.0") },
	{ "action_box_nan_payload_is_refused", BOX4, "0 nan(0x7ffff) 0 0", NULL,
	  GW_VERDICT_REJECT, ACT("action[1]", "nan") },
	{ "action_box_inf_refused_where_bound_finite", BOX4, "inf 0 0 0", NULL,
	  GW_VERDICT_REJECT, ACT("action[0]", "inf is above high 1.0") },
	{ "action_box_inf_allowed_where_bound_infinite", UNBOUNDED, "-inf",
	  NULL, GW_VERDICT_PASS },
	{ "action_box_negative_zero_is_in_zero_to_one",
	  BOX1("float32", "0", "1"), "-0.0", NULL, GW_VERDICT_PASS },
	{ "action_box_float32_denormal_passes", BOX4, "0x1p-149 0 0 0", NULL,
	  GW_VERDICT_PASS },
	{ "action_box_largest_float32_passes_unbounded",
	  "type = \"Box\"\nlow = -inf\nhigh = inf\nshape = [2]",
	  "3.4028234663852886e38 -3.4028234663852886e38", NULL,
	  GW_VERDICT_PASS },
	{ "action_box_int64_extremes_pass",
	  "type = \"Box\"\ndtype = \"int64\"\nlow = -9223372036854775808\n"
	  "high = 9223372036854775807\nshape = [2]",
	  "-9223372036854775808 9223372036854775807", NULL, GW_VERDICT_PASS },
	{ "action_box_uint64_above_int64_max_checked_as_unsigned",
	  BOX1("uint64", "0", "\"18446744073709551615\""),
	  "18446744073709551615", NULL, GW_VERDICT_PASS },
	{ "action_box_uint64_past_high_is_refused", BOX1("uint64", "0", "10"),
	  "18446744073709551615", NULL, GW_VERDICT_REJECT,
	  ACT("action[0]", "18446744073709551615 is above high 10") },
	{ "action_box_bool_byte_two_is_refused", BOX1("bool", "false", "true"),
	  "2", NULL, GW_VERDICT_REJECT,
	  ACT("action[0]", "2 is outside the range of bool") },
	{ "action_box_float16_above_high_is_refused",
	  BOX1("float16", "-1", "1"), "1.5", NULL, GW_VERDICT_REJECT,
	  ACT("action[0]", "1.5 is above high 1.0") },
	{ "action_box_matrix_index_is_row_and_column",
	  "type = \"Box\"\nlow = 0\nhigh = 1\nshape = [2, 3]", "0 0 0 0 2 0",
	  NULL, GW_VERDICT_REJECT,
	  ACT("action[1,1]", "2.0 is above high 1.0") },
	{ "action_box_counts_the_other_bad_values", BOX4, "2 2 2 0", NULL,
	  GW_VERDICT_REJECT, ACT("action[0]", "(and 2 more)") },
	{ "action_discrete_in_range_passes",
	  "type = \"Discrete\"\nn = 3\nstart = 1", "3", NULL, GW_VERDICT_PASS },
	{ "action_discrete_below_start_is_refused",
	  "type = \"Discrete\"\nn = 3\nstart = 1", "0", NULL, GW_VERDICT_REJECT,
	  ACT("action", "0 is not in 1..3") },
	{ "action_discrete_at_start_plus_n_is_refused", DISCRETE5, "5", NULL,
	  GW_VERDICT_REJECT, ACT("action", "5 is not in 0..4") },
	{ "action_discrete_int64_min_is_refused", DISCRETE5,
	  "-9223372036854775808", NULL, GW_VERDICT_REJECT,
	  ACT("action", "-9223372036854775808 is not in 0..4") },
	{ "action_multi_discrete_checks_each_element",
	  "type = \"MultiDiscrete\"\nnvec = [2, 3]\nstart = [0, 5]", "1 8",
	  NULL, GW_VERDICT_REJECT, ACT("action[1]", "8 is not in 5..7") },
	{ "action_multi_binary_two_is_refused", "type = \"MultiBinary\"\nn = 3",
	  "0 1 2", NULL, GW_VERDICT_REJECT,
	  ACT("action[2]", "2 is not 0 or 1") },
	{ "action_text_in_charset_passes", TEXT_ABC, "abca", NULL,
	  GW_VERDICT_PASS },
	{ "action_text_too_long_is_refused", TEXT_ABC, "abcab", NULL,
	  GW_VERDICT_REJECT, ACT("action", "length 5 is above max_length 4") },
	{ "action_text_below_min_length_is_refused", TEXT_ABC, "", NULL,
	  GW_VERDICT_REJECT, ACT("action", "length 0 is below min_length 1") },
	{ "action_text_outside_charset_is_refused", TEXT_ABC, "abx", NULL,
	  GW_VERDICT_REJECT, ACT("action", "'x' (U+0078) at 2") },
	{ "action_text_invalid_utf8_is_refused", TEXT_ABC, "a\xc3\x28", NULL,
	  GW_VERDICT_REJECT, ACT("action", "not valid UTF-8 at byte 1") },
	{ "action_text_overlong_utf8_is_refused", TEXT_ABC, "\xc0\xa1", NULL,
	  GW_VERDICT_REJECT, ACT("action", "not valid UTF-8") },
	{ "action_text_surrogate_is_refused", TEXT_ABC, "\xed\xa0\x80", NULL,
	  GW_VERDICT_REJECT, ACT("action", "not valid UTF-8") },
	{ "action_text_default_charset_is_alphanumeric",
	  "type = \"Text\"\nmax_length = 8", "Hi there", NULL,
	  GW_VERDICT_REJECT, ACT("action", "' ' (U+0020) at 2") },
	{ "action_text_multibyte_charset_matches_code_points",
	  "type = \"Text\"\nmax_length = 2\ncharset = \"\xce\xb1\xce\xb2\"",
	  "\xce\xb2\xce\xb1", NULL, GW_VERDICT_PASS },
	{ "action_tuple_names_child_then_element", TUPLE, "0.5 1.5;2", NULL,
	  GW_VERDICT_REJECT, ACT("action[0][1]", "1.5 is above high 1.0") },
	{ "action_dict_names_the_key", DICT, "0 0 0 0;3;0 1", NULL,
	  GW_VERDICT_REJECT, ACT("action.id", "3 is not in 0..2") },
	{ "action_dict_reports_every_leaf",
	  DICT,
	  "0 0 0 -3;0;1 5",
	  NULL,
	  GW_VERDICT_REJECT,
	  { { GW_FAULT_ACTION, "action.pos[1,1]", "-3.0 is below low -1.0",
	      GW_POLICY_REJECT },
	    { GW_FAULT_ACTION, "action.\"a.b\"[1]", "5 is not 0 or 1",
	      GW_POLICY_REJECT } } },
	{ "action_clip_policy_clips_in_place",
	  BOX4,
	  "0.5 1.5 -7 0",
	  "action=clip",
	  GW_VERDICT_PASS,
	  { { GW_FAULT_ACTION, "action[1]", "1.5 is above high 1.0",
	      GW_POLICY_CLIP } },
	  "0.5 1 -1 0" },
	{ "action_clip_policy_clamps_integers",
	  DISCRETE5,
	  "9",
	  "action=clip",
	  GW_VERDICT_PASS,
	  { { GW_FAULT_ACTION, "action", "9 is not in 0..4", GW_POLICY_CLIP } },
	  "4" },
	{ "action_clip_policy_cannot_clip_nan", BOX4, "nan 0 0 0",
	  "action=clip", GW_VERDICT_REJECT,
	  ACT("action[0]", "nan is not allowed") },
	{ "action_cast_policy_acts_as_reject_on_packed_bytes", BOX4, "2 0 0 0",
	  "action=cast", GW_VERDICT_REJECT,
	  ACT("action[0]", "2.0 is above high 1.0") },
};

static void run_action_case(void **state)
{
	const struct action_case *c = *state;
	struct fixture fx = make(c->space);
	struct gw_check_policy cp = policy_of(c->policy);
	unsigned char *buf = malloc(fx.l->size ? fx.l->size : 1);
	unsigned char *want = malloc(fx.l->size ? fx.l->size : 1);
	struct got g;
	struct gw_fault_sink sink = sink_of(&g);

	pack(fx.l, c->values, buf);
	pack(fx.l, c->after ? c->after : c->values, want);
	assert_int_equal(
		gw_space_check_packed(fx.l, buf, fx.l->size, &cp, &sink),
		c->verdict);
	check_faults(&g, c->faults, 2);
	assert_memory_equal(buf, want, fx.l->size);
	free(buf);
	free(want);
	unmake(&fx);
}

static void action_check_refuses_wrong_length(void **state)
{
	struct fixture fx = make(BOX4);
	unsigned char buf[32] = { 0 };

	(void)state;
	assert_int_equal(gw_space_check_packed(fx.l, buf, 15, NULL, NULL),
			 -EINVAL);
	assert_int_equal(gw_space_check_packed(fx.l, buf, 16, NULL, NULL),
			 GW_VERDICT_PASS);
	unmake(&fx);
}

static void action_text_length_past_slot_is_refused(void **state)
{
	struct fixture fx = make(TEXT_ABC);
	unsigned char buf[20] = { 0 };
	struct got g;
	struct gw_fault_sink sink = sink_of(&g);

	(void)state;
	gw_put_u32le(buf, 17);
	assert_int_equal(gw_space_check_packed(fx.l, buf, 20, NULL, &sink),
			 GW_VERDICT_REJECT);
	assert_int_equal(g.n, 1);
	assert_non_null(strstr(g.r[0].detail, "17 bytes is more than the 16"));
	unmake(&fx);
}

/* ---- observations ------------------------------------------------- */

struct obs_case {
	const char *name;
	const char *space;
	const char *leaves;
	const char *policy;
	int verdict;
	const char *out; /* the packed result when it passes, or NULL */
	struct expect faults[3];
};

#define OB "observation"
#define F(c, f, d, p)                                                          \
	{                                                                      \
		GW_FAULT_##c, f, d, GW_POLICY_##p                              \
	}

static const struct obs_case obs_cases[] = {
	/* Box float32: exact, overshoot, bounds, non-finite, edges. */
	{ "obs_box_float32_in_bounds_passes_unchanged", BOX4,
	  "f32[4]: 0.5 -1 1 0", NULL, GW_VERDICT_PASS, "0.5 -1 1 0" },
	{ "obs_overshoot_by_one_ulp_is_clipped_and_counted",
	  BOX4,
	  "f32[4]: 0 1.00000012 0 0",
	  NULL,
	  GW_VERDICT_PASS,
	  "0 1 0 0",
	  { F(OVERSHOOT, OB "[1]", "1 ulp above high 1.0", CLIP) } },
	{ "obs_overshoot_below_low_is_clipped",
	  BOX4,
	  "f32[4]: -1.00000024 0 0 0",
	  NULL,
	  GW_VERDICT_PASS,
	  "-1 0 0 0",
	  { F(OVERSHOOT, OB "[0]", "2 ulps below low -1.0", CLIP) } },
	{ "obs_overshoot_by_1e-3_is_out_of_bounds",
	  BOX4,
	  "f32[4]: 0 1.001 0 0",
	  NULL,
	  GW_VERDICT_REJECT,
	  NULL,
	  { F(BOUNDS, OB "[1]", "1.001 is above high 1.0", REJECT) } },
	{ "obs_overshoot_with_zero_ulps_is_out_of_bounds",
	  BOX4,
	  "f32[4]: 0 1.00000012 0 0",
	  "ulps=0",
	  GW_VERDICT_REJECT,
	  NULL,
	  { F(BOUNDS, OB "[1]", "above high 1.0", REJECT) } },
	{ "obs_overshoot_policy_reject_rejects",
	  BOX4,
	  "f32[4]: 0 1.00000012 0 0",
	  "overshoot=reject",
	  GW_VERDICT_REJECT,
	  NULL,
	  { F(OVERSHOOT, OB "[1]", "1 ulp", REJECT) } },
	{ "obs_bounds_clip_policy_writes_the_bound",
	  BOX4,
	  "f32[4]: 5 1e30 -3 0",
	  "bounds=clip",
	  GW_VERDICT_PASS,
	  "1 1 -1 0",
	  { F(BOUNDS, OB "[0]", "5.0 is above high 1.0 (and 2 more)", CLIP) } },
	{ "obs_bounds_warn_policy_passes_the_value",
	  BOX4,
	  "f32[4]: 5 0 0 0",
	  "bounds=warn",
	  GW_VERDICT_PASS,
	  "5 0 0 0",
	  { F(BOUNDS, OB "[0]", "above high", WARN) } },
	{ "obs_bounds_terminate_policy_terminates",
	  BOX4,
	  "f32[4]: 5 0 0 0",
	  "bounds=terminate",
	  GW_VERDICT_TERMINATE,
	  NULL,
	  { F(BOUNDS, OB "[0]", "above high", TERMINATE) } },
	{ "obs_nan_is_nonfinite",
	  BOX4,
	  "f32[4]: 0 0 nan 0",
	  NULL,
	  GW_VERDICT_REJECT,
	  NULL,
	  { F(NONFINITE, OB "[2]", "nan is not allowed", REJECT) } },
	{ "obs_nan_is_refused_even_when_unbounded",
	  UNBOUNDED,
	  "f32[1]: nan(0x1234)",
	  NULL,
	  GW_VERDICT_REJECT,
	  NULL,
	  { F(NONFINITE, OB "[0]", "nan", REJECT) } },
	{ "obs_nan_warn_passes_nan_on",
	  BOX4,
	  "f32[4]: 0 0 nan 0",
	  "nonfinite=warn",
	  GW_VERDICT_PASS,
	  "0 0 nan 0",
	  { F(NONFINITE, OB "[2]", "nan", WARN) } },
	{ "obs_nonfinite_clip_is_not_possible",
	  BOX4,
	  "f32[4]: inf 0 0 0",
	  "nonfinite=clip",
	  GW_VERDICT_REJECT,
	  NULL,
	  { F(NONFINITE, OB "[0]", "inf is above high 1.0", REJECT) } },
	{ "obs_inf_where_bound_finite_is_nonfinite",
	  "type = \"Box\"\nlow = 0\nhigh = inf\nshape = [2]",
	  "f32[2]: inf -inf",
	  NULL,
	  GW_VERDICT_REJECT,
	  NULL,
	  { F(NONFINITE, OB "[1]", "-inf is below low 0.0", REJECT) } },
	{ "obs_inf_where_bound_infinite_passes", UNBOUNDED, "f32[1]: -inf",
	  NULL, GW_VERDICT_PASS, "-inf" },
	{ "obs_negative_zero_passes_as_is", BOX1("float32", "0", "1"),
	  "f32[1]: -0.0", NULL, GW_VERDICT_PASS, "-0.0" },
	{ "obs_float32_denormal_passes_exactly", BOX4,
	  "f32[4]: 0x1p-149 -0x1p-126 0 0", NULL, GW_VERDICT_PASS,
	  "0x1p-149 -0x1p-126 0 0" },
	{ "obs_largest_float32_passes_unbounded", UNBOUNDED,
	  "f32[1]: 3.4028234663852886e38", NULL, GW_VERDICT_PASS,
	  "3.4028234663852886e38" },

	/* Dtype drift: exact, rounded, lossy. */
	{ "obs_float64_exact_in_float32_box_is_drift_cast",
	  BOX4,
	  "f64[4]: 0.5 0.25 -1 1",
	  NULL,
	  GW_VERDICT_PASS,
	  "0.5 0.25 -1 1",
	  { F(DTYPE_DRIFT, OB,
	      "float64 where float32 is pinned, every value "
	      "exact",
	      CAST) } },
	{ "obs_float64_rounding_to_float32_is_drift_with_rounding",
	  BOX4,
	  "f64[4]: 0.1 0.2 0.5 0",
	  NULL,
	  GW_VERDICT_PASS,
	  "0.1 0.2 0.5 0",
	  { F(DTYPE_DRIFT, OB, "2 of 4 values rounded", CAST) } },
	{ "obs_float64_rounding_onto_the_bound_stays_in_bounds",
	  BOX1("float32", "0", "1"),
	  "f64[1]: 1.0000000000000004",
	  NULL,
	  GW_VERDICT_PASS,
	  "1",
	  { F(DTYPE_DRIFT, OB, "1 of 1 values rounded", CAST) } },
	{ "obs_float64_1e40_in_float32_is_out_of_bounds",
	  BOX4,
	  "f64[4]: 0 1e40 0 0",
	  NULL,
	  GW_VERDICT_REJECT,
	  NULL,
	  { F(BOUNDS, OB "[1]", "1e+40 is outside the range of float32",
	      REJECT),
	    F(DTYPE_DRIFT, OB, "float64 where float32 is pinned", CAST) } },
	{ "obs_float64_1e40_clipped_to_float32_max_when_unbounded",
	  UNBOUNDED,
	  "f64[1]: -1e40",
	  "bounds=clip",
	  GW_VERDICT_PASS,
	  "-3.4028234663852886e38",
	  { F(BOUNDS, OB "[0]", "outside the range of float32", CLIP),
	    F(DTYPE_DRIFT, OB, "float64", CAST) } },
	{ "obs_float64_just_past_float32_max_rounds_to_max",
	  UNBOUNDED,
	  "f64[1]: 3.4028235e38",
	  NULL,
	  GW_VERDICT_PASS,
	  "3.4028234663852886e38",
	  { F(DTYPE_DRIFT, OB, "1 of 1 values rounded", CAST) } },
	{ "obs_float64_denormal_rounds_to_zero_as_drift",
	  BOX4,
	  "f64[4]: 0x1p-1074 0 0 0",
	  NULL,
	  GW_VERDICT_PASS,
	  "0 0 0 0",
	  { F(DTYPE_DRIFT, OB, "1 of 4 values rounded", CAST) } },
	{ "obs_float64_overshoot_in_float64_box_is_clipped",
	  BOX1("float64", "0", "1"),
	  "f64[1]: 1.0000000000000004",
	  NULL,
	  GW_VERDICT_PASS,
	  "1",
	  { F(OVERSHOOT, OB "[0]", "2 ulps above high 1.0", CLIP) } },
	{ "obs_drift_reject_policy_rejects",
	  BOX4,
	  "f64[4]: 0 0 0 0",
	  "dtype_drift=reject",
	  GW_VERDICT_REJECT,
	  NULL,
	  { F(DTYPE_DRIFT, OB, "float64", REJECT) } },
	{ "obs_int_array_in_float_box_is_drift_when_exact",
	  BOX4,
	  "i64[4]: 0 1 -1 0",
	  NULL,
	  GW_VERDICT_PASS,
	  "0 1 -1 0",
	  { F(DTYPE_DRIFT, OB,
	      "int64 where float32 is pinned, every value "
	      "exact",
	      CAST) } },
	{ "obs_large_int_in_float32_is_drift_with_rounding",
	  UNBOUNDED,
	  "i64[1]: 16777217",
	  NULL,
	  GW_VERDICT_PASS,
	  "16777216",
	  { F(DTYPE_DRIFT, OB, "1 of 1 values rounded", CAST) } },
	{ "obs_bool_in_float_box_is_drift",
	  BOX1("float32", "0", "1"),
	  "b[1]: 1",
	  NULL,
	  GW_VERDICT_PASS,
	  "1",
	  { F(DTYPE_DRIFT, OB, "bool where float32", CAST) } },
	{ "obs_float16_box_takes_float16", BOX1("float16", "-1", "1"),
	  "f16[1]: 0.5", NULL, GW_VERDICT_PASS, "0.5" },
	{ "obs_float32_in_float16_box_rounds_as_drift",
	  BOX1("float16", "-1", "1"),
	  "f32[1]: 0.1",
	  NULL,
	  GW_VERDICT_PASS,
	  "0.0999755859375",
	  { F(DTYPE_DRIFT, OB, "float32 where float16 is pinned, 1 of 1",
	      CAST) } },
	{ "obs_float16_overshoot_is_counted_in_float16_ulps",
	  BOX1("float16", "-1", "1"),
	  "f16[1]: 1.001953125",
	  NULL,
	  GW_VERDICT_PASS,
	  "1",
	  { F(OVERSHOOT, OB "[0]", "2 ulps above high 1.0", CLIP) } },

	/* Integer Boxes. */
	{ "obs_int64_in_int8_box_is_drift_when_in_range",
	  BOX1("int8", "-128", "127"),
	  "i64[1]: 127",
	  NULL,
	  GW_VERDICT_PASS,
	  "127",
	  { F(DTYPE_DRIFT, OB, "int64 where int8", CAST) } },
	{ "obs_int64_past_int8_range_is_out_of_bounds",
	  BOX1("int8", "-128", "127"),
	  "i64[1]: 128",
	  NULL,
	  GW_VERDICT_REJECT,
	  NULL,
	  { F(BOUNDS, OB "[0]", "128 is outside the range of int8", REJECT),
	    F(DTYPE_DRIFT, OB, "int64", CAST) } },
	{ "obs_int64_extremes_pass",
	  "type = \"Box\"\ndtype = \"int64\"\nlow = -9223372036854775808\n"
	  "high = 9223372036854775807\nshape = [2]",
	  "i64[2]: -9223372036854775808 9223372036854775807", NULL,
	  GW_VERDICT_PASS, "-9223372036854775808 9223372036854775807" },
	{ "obs_uint64_above_int64_max_is_out_of_int64_range",
	  "type = \"Box\"\ndtype = \"int64\"\nlow = 0\n"
	  "high = 9223372036854775807\nshape = [1]",
	  "u64[1]: 9223372036854775808",
	  NULL,
	  GW_VERDICT_REJECT,
	  NULL,
	  { F(BOUNDS, OB "[0]",
	      "9223372036854775808 is outside the range of "
	      "int64",
	      REJECT),
	    F(DTYPE_DRIFT, OB, "uint64", CAST) } },
	{ "obs_uint64_max_passes_in_uint64_box",
	  BOX1("uint64", "0", "\"18446744073709551615\""),
	  "u64[1]: 18446744073709551615", NULL, GW_VERDICT_PASS,
	  "18446744073709551615" },
	{ "obs_whole_float_in_int_box_is_drift",
	  BOX1("uint8", "0", "255"),
	  "f64[1]: 3",
	  NULL,
	  GW_VERDICT_PASS,
	  "3",
	  { F(DTYPE_DRIFT, OB, "float64 where uint8", CAST) } },
	{ "obs_fraction_in_int_box_is_a_type_mismatch",
	  BOX1("uint8", "0", "255"),
	  "f64[1]: 2.5",
	  NULL,
	  GW_VERDICT_REJECT,
	  NULL,
	  { F(SHAPE, OB "[0]", "2.5 is not a whole number", REJECT),
	    F(DTYPE_DRIFT, OB, "float64", CAST) } },
	{ "obs_nan_in_int_box_cannot_be_passed_on",
	  BOX1("int32", "0", "9"),
	  "f32[1]: nan",
	  "nonfinite=warn",
	  GW_VERDICT_REJECT,
	  NULL,
	  { F(NONFINITE, OB "[0]", "nan", REJECT),
	    F(DTYPE_DRIFT, OB, "float32", CAST) } },
	{ "obs_integers_have_no_overshoot",
	  BOX1("uint8", "0", "10"),
	  "u8[1]: 11",
	  NULL,
	  GW_VERDICT_REJECT,
	  NULL,
	  { F(BOUNDS, OB "[0]", "11 is above high 10", REJECT) } },
	{ "obs_bool_box_takes_bool", BOX1("bool", "false", "true"), "b[1]: 1",
	  NULL, GW_VERDICT_PASS, "1" },
	{ "obs_int_two_in_bool_box_is_out_of_range",
	  BOX1("bool", "false", "true"),
	  "i64[1]: 2",
	  NULL,
	  GW_VERDICT_REJECT,
	  NULL,
	  { F(BOUNDS, OB "[0]", "2 is outside the range of bool", REJECT),
	    F(DTYPE_DRIFT, OB, "int64 where bool", CAST) } },

	/* Discrete, MultiDiscrete, MultiBinary. */
	{ "obs_discrete_scalar_int_passes", DISCRETE5, "i64[]: 3", NULL,
	  GW_VERDICT_PASS, "3" },
	{ "obs_discrete_takes_any_int_dtype", DISCRETE5, "u8[]: 4", NULL,
	  GW_VERDICT_PASS, "4" },
	{ "obs_discrete_bool_is_drift",
	  DISCRETE5,
	  "b[]: 1",
	  NULL,
	  GW_VERDICT_PASS,
	  "1",
	  { F(DTYPE_DRIFT, OB, "bool where int64", CAST) } },
	{ "obs_discrete_whole_float_is_drift",
	  DISCRETE5,
	  "f64[]: 2",
	  NULL,
	  GW_VERDICT_PASS,
	  "2",
	  { F(DTYPE_DRIFT, OB, "float64", CAST) } },
	{ "obs_discrete_fraction_is_a_type_mismatch",
	  DISCRETE5,
	  "f64[]: 2.5",
	  NULL,
	  GW_VERDICT_REJECT,
	  NULL,
	  { F(SHAPE, OB, "2.5 is not a whole number", REJECT),
	    F(DTYPE_DRIFT, OB, "float64", CAST) } },
	{ "obs_discrete_out_of_range_is_bounds",
	  DISCRETE5,
	  "i64[]: 5",
	  NULL,
	  GW_VERDICT_REJECT,
	  NULL,
	  { F(BOUNDS, OB, "5 is not in 0..4", REJECT) } },
	{ "obs_discrete_clip_clamps_into_range",
	  "type = \"Discrete\"\nn = 3\nstart = -2",
	  "i64[]: -9",
	  "bounds=clip",
	  GW_VERDICT_PASS,
	  "-2",
	  { F(BOUNDS, OB, "-9 is not in -2..0", CLIP) } },
	{ "obs_discrete_array_of_one_is_a_shape_mismatch",
	  DISCRETE5,
	  "i64[1]: 3",
	  NULL,
	  GW_VERDICT_REJECT,
	  NULL,
	  { F(SHAPE, OB,
	      "expected an array of shape (), got an array of "
	      "shape (1,)",
	      REJECT) } },
	{ "obs_multi_discrete_checks_each_element",
	  "type = \"MultiDiscrete\"\nnvec = [3, 4]\nstart = [0, 1]",
	  "i32[2]: 2 5",
	  NULL,
	  GW_VERDICT_REJECT,
	  NULL,
	  { F(BOUNDS, OB "[1]", "5 is not in 1..4", REJECT) } },
	{ "obs_multi_discrete_in_range_passes",
	  "type = \"MultiDiscrete\"\nnvec = [3, 4]", "u16[2]: 2 3", NULL,
	  GW_VERDICT_PASS, "2 3" },
	{ "obs_multi_binary_takes_int8_and_bool",
	  "type = \"MultiBinary\"\nn = 4", "b[4]: 0 1 1 0", NULL,
	  GW_VERDICT_PASS, "0 1 1 0" },
	{ "obs_multi_binary_two_is_bounds",
	  "type = \"MultiBinary\"\nn = 4",
	  "i8[4]: 0 2 1 -1",
	  "bounds=clip",
	  GW_VERDICT_PASS,
	  "0 1 1 0",
	  { F(BOUNDS, OB "[1]", "2 is not 0 or 1 (and 1 more)", CLIP) } },
	{ "obs_multi_binary_float_is_drift",
	  "type = \"MultiBinary\"\nn = 2",
	  "f32[2]: 1 0",
	  NULL,
	  GW_VERDICT_PASS,
	  "1 0",
	  { F(DTYPE_DRIFT, OB, "float32 where int8", CAST) } },

	/* Structure. */
	{ "obs_wrong_shape_is_a_shape_fault",
	  BOX4,
	  "f32[3]: 0 0 0",
	  NULL,
	  GW_VERDICT_REJECT,
	  NULL,
	  { F(SHAPE, OB,
	      "expected an array of shape (4,), got an array of "
	      "shape (3,) and dtype float32",
	      REJECT) } },
	{ "obs_wrong_ndim_is_a_shape_fault",
	  BOX4,
	  "f32[2,2]: 0 0 0 0",
	  NULL,
	  GW_VERDICT_REJECT,
	  NULL,
	  { F(SHAPE, OB, "got an array of shape (2, 2)", REJECT) } },
	{ "obs_not_an_array_names_the_type",
	  BOX4,
	  "other:dict",
	  NULL,
	  GW_VERDICT_REJECT,
	  NULL,
	  { F(SHAPE, OB, "expected an array of shape (4,), got dict",
	      REJECT) } },
	{ "obs_type_name_is_escaped",
	  BOX4,
	  "other:\x1b[31mred",
	  NULL,
	  GW_VERDICT_REJECT,
	  NULL,
	  { F(SHAPE, OB, "got \\x1b[31mred", REJECT) } },
	{ "obs_missing_leaf_is_a_shape_fault",
	  BOX4,
	  "missing",
	  NULL,
	  GW_VERDICT_REJECT,
	  NULL,
	  { F(SHAPE, OB, "missing", REJECT) } },
	{ "obs_text_for_an_array_is_a_shape_fault",
	  BOX4,
	  "text:abc",
	  NULL,
	  GW_VERDICT_REJECT,
	  NULL,
	  { F(SHAPE, OB, "got text", REJECT) } },
	{ "obs_too_large_array_shows_its_shape",
	  BOX4,
	  "large[150,150,3]",
	  NULL,
	  GW_VERDICT_REJECT,
	  NULL,
	  { F(SHAPE, OB, "too large to send, of shape (150, 150, 3)",
	      REJECT) } },
	{ "obs_shape_terminate_policy_terminates",
	  BOX4,
	  "missing",
	  "shape=terminate",
	  GW_VERDICT_TERMINATE,
	  NULL,
	  { F(SHAPE, OB, "missing", TERMINATE) } },
	{ "obs_shape_warn_policy_cannot_pass_it_on",
	  BOX4,
	  "missing",
	  "shape=warn",
	  GW_VERDICT_REJECT,
	  NULL,
	  { F(SHAPE, OB, "missing", REJECT) } },

	/* Text. */
	{ "obs_text_in_charset_passes", TEXT_ABC, "text:abca", NULL,
	  GW_VERDICT_PASS, "abca" },
	{ "obs_text_too_long_is_bounds",
	  TEXT_ABC,
	  "text:abcab",
	  NULL,
	  GW_VERDICT_REJECT,
	  NULL,
	  { F(BOUNDS, OB, "length 5 is above max_length 4", REJECT) } },
	{ "obs_text_empty_below_min_is_bounds",
	  TEXT_ABC,
	  "text:",
	  NULL,
	  GW_VERDICT_REJECT,
	  NULL,
	  { F(BOUNDS, OB, "length 0 is below min_length 1", REJECT) } },
	{ "obs_text_outside_charset_is_bounds",
	  TEXT_ABC,
	  "text:abd",
	  NULL,
	  GW_VERDICT_REJECT,
	  NULL,
	  { F(BOUNDS, OB, "'d' (U+0064) at 2 is not in the charset",
	      REJECT) } },
	{ "obs_text_outside_charset_warn_passes_it_on",
	  TEXT_ABC,
	  "text:abd",
	  "bounds=warn",
	  GW_VERDICT_PASS,
	  "abd",
	  { F(BOUNDS, OB, "'d'", WARN) } },
	{ "obs_text_cannot_be_clipped",
	  TEXT_ABC,
	  "text:abcab",
	  "bounds=clip",
	  GW_VERDICT_REJECT,
	  NULL,
	  { F(BOUNDS, OB, "length 5", REJECT) } },
	{ "obs_text_invalid_utf8_is_a_shape_fault",
	  TEXT_ABC,
	  "text:a\xff",
	  NULL,
	  GW_VERDICT_REJECT,
	  NULL,
	  { F(SHAPE, OB, "not valid UTF-8 at byte 1", REJECT) } },
	{ "obs_array_for_text_is_a_shape_fault",
	  TEXT_ABC,
	  "f32[1]: 1",
	  NULL,
	  GW_VERDICT_REJECT,
	  NULL,
	  { F(SHAPE, OB, "expected text, got an array of shape (1,)",
	      REJECT) } },

	/* Composites and paths. */
	{ "obs_tuple_passes_and_packs_aligned", TUPLE, "f32[2]: 0 1;i64[]: 2",
	  NULL, GW_VERDICT_PASS, "0 1;2" },
	{ "obs_tuple_path_names_child_then_element",
	  TUPLE,
	  "f32[2]: 0 3;i64[]: 2",
	  NULL,
	  GW_VERDICT_REJECT,
	  NULL,
	  { F(BOUNDS, OB "[0][1]", "3.0 is above high 1.0", REJECT) } },
	{ "obs_dict_paths_use_keys_and_matrix_indices",
	  DICT,
	  "f64[2,2]: 0 0 2 0;i64[]: 1;i8[2]: 1 1",
	  NULL,
	  GW_VERDICT_REJECT,
	  NULL,
	  { F(BOUNDS, OB ".pos[1,0]", "2.0 is above high 1.0", REJECT),
	    F(DTYPE_DRIFT, OB ".pos", "float64", CAST) } },
	{ "obs_dict_odd_key_is_quoted",
	  DICT,
	  "f32[2,2]: 0 0 0 0;i64[]: 1;i8[2]: 1 7",
	  NULL,
	  GW_VERDICT_REJECT,
	  NULL,
	  { F(BOUNDS, OB ".\"a.b\"[1]", "7 is not 0 or 1", REJECT) } },
	{ "obs_dict_missing_key_is_a_shape_fault",
	  DICT,
	  "f32[2,2]: 0 0 0 0;missing;i8[2]: 1 1",
	  NULL,
	  GW_VERDICT_REJECT,
	  NULL,
	  { F(SHAPE, OB ".id", "missing", REJECT) } },
	{ "obs_extra_elements_leaf_is_a_shape_fault_at_the_root",
	  TUPLE,
	  "f32[2]: 0 1;i64[]: 2;other:extra index 2",
	  NULL,
	  GW_VERDICT_REJECT,
	  NULL,
	  { F(SHAPE, OB, "extra elements: extra index 2", REJECT) } },
	{ "obs_every_leaf_is_reported_even_after_a_reject",
	  DICT,
	  "other:list;missing;i8[2]: 1 1",
	  NULL,
	  GW_VERDICT_REJECT,
	  NULL,
	  { F(SHAPE, OB ".pos", "got list", REJECT),
	    F(SHAPE, OB ".id", "missing", REJECT) } },
};

static void run_obs_case(void **state)
{
	const struct obs_case *c = *state;
	struct fixture fx = make(c->space);
	struct gw_check_policy cp = policy_of(c->policy);
	static struct enc e;
	unsigned char *in, *out, *want;
	struct gw_error err = { 0 };
	struct got g;
	struct gw_fault_sink sink = sink_of(&g);
	int r;

	encode(&e, c->leaves);
	in = malloc(e.len);
	memcpy(in, e.buf, e.len);
	out = malloc(fx.l->size);
	want = malloc(fx.l->size);
	r = gw_space_leaves_to_packed(fx.l, in, e.len, out, fx.l->size, &cp,
				      &sink, &err);
	if (r < 0)
		fail_msg("protocol error: %s: %s", err.field, err.msg);
	check_faults(&g, c->faults, 3);
	assert_int_equal(r, c->verdict);
	if (c->out) {
		pack(fx.l, c->out, want);
		assert_memory_equal(out, want, fx.l->size);
	}
	for (size_t i = 0; i < g.n; i++) {
		assert_int_equal(g.counts.events[g.r[i].fault] > 0, 1);
		assert_true(g.counts.values[g.r[i].fault] >= g.r[i].count);
	}
	free(in);
	free(out);
	free(want);
	unmake(&fx);
}

/* Every pinned dtype takes every other as drift when the values fit. */
static void obs_every_dtype_into_every_dtype_is_exact_drift(void **state)
{
	static const char *const names[] = {
		"bool",	  "int8",   "int16",  "int32",	 "int64",   "uint8",
		"uint16", "uint32", "uint64", "float16", "float32", "float64",
	};
	struct gw_check_policy cp = defaults();
	unsigned char out[16], want[16];
	static struct enc e;

	(void)state;
	for (int to = 0; to <= GW_DTYPE_FLOAT64; to++) {
		char toml[256], leaf[64];
		struct fixture fx;

		snprintf(toml, sizeof(toml),
			 "type = \"Box\"\ndtype = \"%s\"\nlow = %s\n"
			 "high = %s\nshape = [2]",
			 names[to], to ? "0" : "false", to ? "1" : "true");
		fx = make(toml);
		pack(fx.l, "0 1", want);
		for (int from = 0; from <= GW_DTYPE_FLOAT64; from++) {
			struct got g;
			struct gw_fault_sink sink = sink_of(&g);

			snprintf(leaf, sizeof(leaf), "%s[2]: 0 1",
				 short_names[from]);
			encode(&e, leaf);
			assert_int_equal(gw_space_leaves_to_packed(
						 fx.l, e.buf, e.len, out,
						 sizeof(out), &cp, &sink, NULL),
					 GW_VERDICT_PASS);
			assert_memory_equal(out, want, fx.l->size);
			assert_int_equal(g.n, from == to ? 0 : 1);
			if (from != to) {
				assert_int_equal(g.r[0].fault,
						 GW_FAULT_DTYPE_DRIFT);
				assert_non_null(strstr(g.r[0].detail,
						       "every value exact"));
			}
		}
		unmake(&fx);
	}
}

/* Signalling and negative nans, written as raw float32 bits. */
static void nan_bit_patterns_are_all_nonfinite(void **state)
{
	static const uint32_t nans[] = { 0x7f800001u, 0xffc00000u, 0x7fbfffffu,
					 0xff800001u };
	struct fixture fx = make(BOX4);
	struct gw_check_policy cp = policy_of("nonfinite=warn");
	unsigned char act[16], leaves[32] = { 0, 11, 1, 0, 16, 0, 0, 0, 4 };
	unsigned char out[16];
	float f;

	(void)state;
	for (size_t i = 0; i < sizeof(nans) / sizeof(nans[0]); i++) {
		struct got g;
		struct gw_fault_sink sink = sink_of(&g);

		memset(act, 0, sizeof(act));
		memcpy(act + 4, &nans[i], 4);
		assert_int_equal(
			gw_space_check_packed(fx.l, act, 16, NULL, &sink),
			GW_VERDICT_REJECT);
		memcpy(leaves + 16, act, 16);
		assert_int_equal(gw_space_leaves_to_packed(fx.l, leaves, 32,
							   out, 16, &cp, &sink,
							   NULL),
				 GW_VERDICT_PASS);
		assert_int_equal(g.n, 2);
		assert_int_equal(g.r[1].fault, GW_FAULT_NONFINITE);
		assert_string_equal(g.r[1].field, "observation[1]");
		memcpy(&f, out + 4, 4);
		assert_true(isnan(f));
	}
	unmake(&fx);
}

/* ---- hostile leaf headers ----------------------------------------- */

struct hostile_case {
	const char *name;
	const char *space;
	unsigned char header[8]; /* kind, code, ndim, reserved, data_bytes */
	uint64_t shape[3];
	size_t body;	   /* bytes after header and shape, zeroed */
	unsigned char pad; /* last byte of the body, when body > 0 */
	const char *msg;
};

#define HDR(k, c, nd, r, b)                                                    \
	{                                                                      \
		k, c, nd, r, (b)&0xff, ((b) >> 8) & 0xff, ((b) >> 16) & 0xff,  \
			(unsigned char)((b) >> 24)                             \
	}

static const struct hostile_case hostile_cases[] = {
	{ "leaves_reject_data_bytes_past_the_end",
	  BOX4,
	  HDR(0, 11, 1, 0, 16),
	  { 4 },
	  8,
	  0,
	  "runs past the 24 bytes left" },
	{ "leaves_reject_ndim_200",
	  BOX4,
	  HDR(0, 11, 200, 0, 16),
	  { 4 },
	  16,
	  0,
	  "ndim 200 is more than 16" },
	{ "leaves_reject_shape_product_overflow",
	  BOX4,
	  HDR(0, 12, 3, 0, 8),
	  { 1ull << 40, 1ull << 40, 1ull << 40 },
	  8,
	  0,
	  "shape product overflows" },
	{ "leaves_reject_kind_out_of_range",
	  BOX4,
	  HDR(9, 0, 0, 0, 0),
	  { 0 },
	  0,
	  0,
	  "kind 9 is not one of 0..4" },
	{ "leaves_reject_nonzero_reserved_byte",
	  BOX4,
	  HDR(0, 11, 1, 7, 16),
	  { 4 },
	  16,
	  0,
	  "reserved byte is 7" },
	{ "leaves_reject_unknown_dtype_code",
	  BOX4,
	  HDR(0, 13, 1, 0, 16),
	  { 4 },
	  16,
	  0,
	  "dtype code 13 is not one of 1..12" },
	{ "leaves_reject_dtype_code_zero_on_an_array",
	  BOX4,
	  HDR(0, 0, 1, 0, 16),
	  { 4 },
	  16,
	  0,
	  "dtype code 0" },
	{ "leaves_reject_dtype_code_on_a_non_array",
	  BOX4,
	  HDR(2, 11, 0, 0, 0),
	  { 0 },
	  0,
	  0,
	  "dtype code 11 on a leaf of kind 2" },
	{ "leaves_reject_ndim_on_text",
	  TEXT_ABC,
	  HDR(3, 0, 1, 0, 0),
	  { 1 },
	  0,
	  0,
	  "ndim 1 on a leaf of kind 3" },
	{ "leaves_reject_data_past_the_cap",
	  BOX4,
	  HDR(0, 12, 1, 0, 512),
	  { 64 },
	  512,
	  0,
	  "data_bytes 512 is more than the cap of 32" },
	{ "leaves_reject_type_name_past_its_cap",
	  BOX4,
	  HDR(1, 0, 0, 0, 257),
	  { 0 },
	  264,
	  0,
	  "more than the cap of 256" },
	{ "leaves_reject_data_on_a_missing_leaf",
	  BOX4,
	  HDR(2, 0, 0, 0, 8),
	  { 0 },
	  8,
	  0,
	  "more than the cap of 0" },
	{ "leaves_reject_data_not_matching_shape",
	  BOX4,
	  HDR(0, 11, 1, 0, 12),
	  { 4 },
	  16,
	  0,
	  "data_bytes 12 does not match its shape (16 bytes of float32)" },
	{ "leaves_reject_nonzero_padding",
	  BOX4,
	  HDR(0, 11, 1, 0, 12),
	  { 3 },
	  16,
	  0xff,
	  "padding is not zero" },
	{ "leaves_reject_bool_byte_other_than_0_or_1",
	  "type = \"MultiBinary\"\nn = 4",
	  HDR(0, 1, 1, 0, 4),
	  { 4 },
	  8,
	  0,
	  NULL },
	{ "leaves_reject_shape_cut_short",
	  BOX4,
	  HDR(0, 11, 16, 0, 16),
	  { 4 },
	  0,
	  0,
	  "shape cut short" },
};

static void run_hostile_case(void **state)
{
	const struct hostile_case *c = *state;
	struct fixture fx = make(c->space);
	struct gw_error err = { 0 };
	unsigned char out[64];
	static struct enc e;
	unsigned char *in;
	int r;

	e.len = 0;
	put(&e, c->header, 8);
	for (unsigned d = 0; d < c->header[2] && d < 3; d++)
		put_u64(&e, c->shape[d]);
	for (size_t k = 0; k < c->body; k++) {
		unsigned char b = k + 1 == c->body ? c->pad : 0;

		if (c->header[1] == 1 && k == 1)
			b = 2; /* a bool byte of 2 */
		put(&e, &b, 1);
	}
	in = malloc(e.len ? e.len : 1);
	memcpy(in, e.buf, e.len);
	r = gw_space_leaves_to_packed(fx.l, in, e.len, out, sizeof(out), NULL,
				      NULL, &err);
	assert_int_equal(r, -EPROTO);
	assert_int_equal(err.code, -EPROTO);
	assert_string_equal(err.field, "observation");
	if (!strstr(err.msg, c->msg ? c->msg : "bool byte 2 at 1"))
		fail_msg("message '%s'", err.msg);
	free(in);
	unmake(&fx);
}

static void leaves_reject_fewer_leaves_than_the_space(void **state)
{
	struct fixture fx = make(TUPLE);
	struct gw_error err = { 0 };
	unsigned char out[32];
	static struct enc e;

	(void)state;
	encode(&e, "f32[2]: 0 1");
	assert_int_equal(gw_space_leaves_to_packed(fx.l, e.buf, e.len, out,
						   sizeof(out), NULL, NULL,
						   &err),
			 -EPROTO);
	assert_string_equal(err.field, "observation[1]");
	assert_non_null(strstr(err.msg, "header cut short: 0 of 8 bytes"));
	unmake(&fx);
}

static void leaves_reject_anything_after_the_last_leaf(void **state)
{
	static const char *const tails[] = { "f32[4]: 0 0 0 0;i64[]: 1",
					     "f32[4]: 0 0 0 0;missing" };
	struct fixture fx = make(BOX4);
	unsigned char out[16], junk[8] = { 1 };
	static struct enc e;

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		struct gw_error err = { 0 };

		encode(&e, tails[i]);
		assert_int_equal(gw_space_leaves_to_packed(fx.l, e.buf, e.len,
							   out, sizeof(out),
							   NULL, NULL, &err),
				 -EPROTO);
		assert_non_null(strstr(err.msg, "after the last"));
	}
	encode(&e, "f32[4]: 0 0 0 0;other:x");
	put(&e, junk, sizeof(junk));
	assert_int_equal(gw_space_leaves_to_packed(fx.l, e.buf, e.len, out,
						   sizeof(out), NULL, NULL,
						   NULL),
			 -EPROTO);
	unmake(&fx);
}

static void leaves_refuse_an_output_too_small(void **state)
{
	struct fixture fx = make(BOX4);
	unsigned char out[16];
	static struct enc e;

	(void)state;
	encode(&e, "f32[4]: 0 0 0 0");
	assert_int_equal(gw_space_leaves_to_packed(fx.l, e.buf, e.len, out, 15,
						   NULL, NULL, NULL),
			 -ENOBUFS);
	unmake(&fx);
}

/* ---- sweeps over a nested space ----------------------------------- */

#define NESTED                                                                 \
	"type = \"Dict\"\n[s.spaces.pos]\ntype = \"Box\"\nlow = -2\n"          \
	"high = 2\nshape = [3]\n[s.spaces.t]\ntype = \"Tuple\"\n"              \
	"spaces = [{ type = \"Discrete\", n = 4 }, { type = "                  \
	"\"MultiBinary\", n = 3 }, { type = \"Text\", max_length = 5 }]\n"     \
	"[s.spaces.img]\ntype = \"Box\"\ndtype = \"uint8\"\nlow = 0\n"         \
	"high = 255\nshape = [2, 2]\n"
#define NESTED_LEAVES                                                          \
	"f64[3]: 0.5 -1 2;i64[]: 3;i8[3]: 1 0 1;text:Hello;u8[2,2]: 0 9 "      \
	"200 255"

static void nested_leaves_pass_and_pack(void **state)
{
	struct fixture fx = make(NESTED);
	struct gw_check_policy cp = defaults();
	static struct enc e;
	unsigned char out[128], want[128];

	(void)state;
	encode(&e, NESTED_LEAVES);
	assert_int_equal(gw_space_leaves_to_packed(fx.l, e.buf, e.len, out,
						   fx.l->size, &cp, NULL, NULL),
			 GW_VERDICT_PASS);
	pack(fx.l, "0.5 -1 2;3;1 0 1;Hello;0 9 200 255", want);
	assert_memory_equal(out, want, fx.l->size);
	unmake(&fx);
}

static void truncation_sweep_always_fails_cleanly(void **state)
{
	struct fixture fx = make(NESTED);
	static struct enc e;
	unsigned char *out = malloc(fx.l->size);

	(void)state;
	encode(&e, NESTED_LEAVES);
	for (size_t len = 0; len < e.len; len++) {
		struct gw_error err = { 0 };
		unsigned char *in = malloc(len ? len : 1);
		int r;

		memcpy(in, e.buf, len);
		r = gw_space_leaves_to_packed(fx.l, in, len, out, fx.l->size,
					      NULL, NULL, &err);
		if (r != -EPROTO || err.msg[0] == '\0')
			fail_msg("prefix of %zu bytes gave %d", len, r);
		free(in);
	}
	free(out);
	unmake(&fx);
}

static void bit_flip_sweep_never_misbehaves(void **state)
{
	struct fixture fx = make(NESTED);
	struct gw_check_policy cp = defaults();
	static struct enc e;
	unsigned char *out = malloc(fx.l->size);
	unsigned seen[4] = { 0 };

	(void)state;
	encode(&e, NESTED_LEAVES);
	for (size_t bit = 0; bit < e.len * 8; bit++) {
		struct gw_error err = { 0 };
		unsigned char *in = malloc(e.len);
		struct got g;
		struct gw_fault_sink sink = sink_of(&g);
		int r;

		memcpy(in, e.buf, e.len);
		in[bit / 8] ^= (unsigned char)(1u << (bit % 8));
		r = gw_space_leaves_to_packed(fx.l, in, e.len, out, fx.l->size,
					      &cp, &sink, &err);
		if (r == -EPROTO)
			seen[3]++;
		else if (r >= GW_VERDICT_PASS && r <= GW_VERDICT_TERMINATE)
			seen[r]++;
		else
			fail_msg("bit %zu gave %d", bit, r);
		/* A verdict other than pass always comes with a fault. */
		if (r > GW_VERDICT_PASS && g.n == 0)
			fail_msg("bit %zu: verdict %d without a fault", bit, r);
		free(in);
	}
	print_message("  bit flips: %u pass, %u reject, %u protocol\n", seen[0],
		      seen[1], seen[3]);
	assert_true(seen[0] > 0 && seen[1] > 0 && seen[3] > 0);
	free(out);
	unmake(&fx);
}

/* ---- clip and cast ------------------------------------------------ */

static void clip_packed_moves_values_into_the_space(void **state)
{
	struct fixture fx = make(DICT);
	unsigned char buf[32], want[32];

	(void)state;
	pack(fx.l, "2 0 -5 1;7;3 1", buf);
	assert_int_equal(gw_space_clip_packed(fx.l, buf, fx.l->size), 4);
	pack(fx.l, "1 0 -1 1;2;1 1", want);
	assert_memory_equal(buf, want, fx.l->size);
	assert_int_equal(gw_space_clip_packed(fx.l, buf, fx.l->size), 0);
	assert_int_equal(gw_space_clip_packed(fx.l, buf, 3), -EINVAL);
	pack(fx.l, "nan 0 5 0;0;0 0", buf);
	assert_int_equal(gw_space_clip_packed(fx.l, buf, fx.l->size), -EDOM);
	pack(fx.l, "nan 0 1 0;0;0 0", want);
	assert_memory_equal(buf, want, fx.l->size);
	unmake(&fx);
}

static void cast_array_converts_and_says_when_inexact(void **state)
{
	struct fixture box = make(BOX4);
	struct fixture u8 =
		make("type = \"Box\"\ndtype = \"uint8\"\nlow = 0\nhigh = 255\n"
		     "shape = [3]");
	double exact[4] = { 0.5, -1, 1e30, NAN }, lossy[4] = { 0.1, 0, 0, 0 };
	int64_t ints[3] = { -4, 7, 300 };
	unsigned char out[16], raw[3];
	float f[4];

	(void)state;
	assert_int_equal(gw_space_cast_array(box.s, GW_DTYPE_FLOAT64, exact,
					     sizeof(exact), out, sizeof(out)),
			 -ERANGE); /* 1e30 is not exact in float32 */
	exact[2] = 2;
	assert_int_equal(gw_space_cast_array(box.s, GW_DTYPE_FLOAT64, exact,
					     sizeof(exact), out, sizeof(out)),
			 0);
	memcpy(f, out, sizeof(f));
	assert_true(f[0] == 0.5f && f[2] == 2.0f && isnan(f[3]));
	assert_int_equal(gw_space_cast_array(box.s, GW_DTYPE_FLOAT64, lossy,
					     sizeof(lossy), out, sizeof(out)),
			 -ERANGE);
	memcpy(f, out, sizeof(f));
	assert_true(f[0] == 0.1f);
	assert_int_equal(gw_space_cast_array(u8.s, GW_DTYPE_INT64, ints,
					     sizeof(ints), raw, sizeof(raw)),
			 -ERANGE);
	assert_int_equal(raw[0], 0);
	assert_int_equal(raw[1], 7);
	assert_int_equal(raw[2], 255);
	assert_int_equal(gw_space_cast_array(u8.s, GW_DTYPE_INT64, ints, 16,
					     raw, sizeof(raw)),
			 -EINVAL);
	unmake(&box);
	unmake(&u8);
}

/* ---- reward and flags --------------------------------------------- */

struct reward_case {
	const char *name;
	unsigned tag;
	double value;
	bool after_reset;
	const char *policy;
	int verdict;
	double out;
	const char *detail; /* of the one fault, or NULL for none */
	enum gw_policy applied;
};

static const struct reward_case reward_cases[] = {
	{ "reward_float_passes", 0, 1.5, false, NULL, GW_VERDICT_PASS, 1.5 },
	{ "reward_int_passes", 1, -3, false, NULL, GW_VERDICT_PASS, -3 },
	{ "reward_bool_is_a_fault", 2, 1, false, NULL, GW_VERDICT_REJECT, 0,
	  "True is a bool, not a number", GW_POLICY_REJECT },
	{ "reward_bool_warn_passes_one_or_zero", 2, 1, false, "reward=warn",
	  GW_VERDICT_PASS, 1, "True is a bool", GW_POLICY_WARN },
	{ "reward_not_a_number_is_a_fault", 3, 0, false, "reward=warn",
	  GW_VERDICT_REJECT, 0, "the reward is not a number",
	  GW_POLICY_REJECT },
	{ "reward_missing_after_a_step_is_a_fault", 4, 0, false, NULL,
	  GW_VERDICT_REJECT, 0, "the reward is missing", GW_POLICY_REJECT },
	{ "reward_absent_after_reset_passes", 4, 0, true, NULL, GW_VERDICT_PASS,
	  0 },
	{ "reward_nan_is_a_fault", 0, NAN, false, NULL, GW_VERDICT_REJECT, NAN,
	  "nan is not finite", GW_POLICY_REJECT },
	{ "reward_inf_cannot_be_clipped", 0, INFINITY, false,
	  "reward=clip,range=-1:1", GW_VERDICT_REJECT, INFINITY,
	  "inf is not finite", GW_POLICY_REJECT },
	{ "reward_outside_range_is_a_fault", 0, 2, false, "range=-1:1",
	  GW_VERDICT_REJECT, 2, "2.0 is above reward_range max 1.0",
	  GW_POLICY_REJECT },
	{ "reward_outside_range_clip_clamps", 1, -7, false,
	  "reward=clip,range=-1:1", GW_VERDICT_PASS, -1,
	  "-7.0 is below reward_range min -1.0", GW_POLICY_CLIP },
	{ "reward_terminate_policy_terminates", 3, 0, false, "reward=terminate",
	  GW_VERDICT_TERMINATE, 0, "not a number", GW_POLICY_TERMINATE },
	{ "reward_tag_out_of_range_is_a_protocol_fault", 5, 0, false, NULL,
	  -EPROTO, 0 },
	{ "reward_after_reset_is_a_protocol_fault", 0, 1, true, NULL, -EPROTO,
	  0 },
};

static void run_reward_case(void **state)
{
	const struct reward_case *c = *state;
	struct gw_check_policy cp = policy_of(c->policy);
	struct got g;
	struct gw_fault_sink sink = sink_of(&g);
	double out = 99;
	int r = gw_result_check_reward(c->tag, c->value, c->after_reset, &cp,
				       &sink, &out);

	assert_int_equal(r, c->verdict);
	if (r >= 0)
		assert_true(isnan(c->out) ? isnan(out) : out == c->out);
	assert_int_equal(g.n, c->detail ? 1 : 0);
	if (!c->detail)
		return;
	assert_int_equal(g.r[0].fault, GW_FAULT_REWARD);
	assert_string_equal(g.r[0].field, "reward");
	if (!strstr(g.r[0].detail, c->detail))
		fail_msg("detail '%s'", g.r[0].detail);
	assert_int_equal(g.r[0].policy, c->applied);
	assert_int_equal(g.counts.events[GW_FAULT_REWARD], 1);
}

static void flags_other_than_bool_are_faults(void **state)
{
	struct gw_check_policy cp = defaults();
	bool term = true, trunc = true;
	struct got g;
	struct gw_fault_sink sink = sink_of(&g);

	(void)state;
	assert_int_equal(gw_result_check_flags(1, 0, &cp, &sink, &term, &trunc),
			 GW_VERDICT_PASS);
	assert_true(term && !trunc);
	assert_int_equal(g.n, 0);

	assert_int_equal(gw_result_check_flags(0, 2, &cp, &sink, &term, &trunc),
			 GW_VERDICT_REJECT);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.r[0].field, "truncated");
	assert_int_equal(g.r[0].fault, GW_FAULT_FLAGS);

	cp.policy[GW_FAULT_FLAGS] = GW_POLICY_CAST;
	assert_int_equal(gw_result_check_flags(2, 2, &cp, &sink, &term, &trunc),
			 GW_VERDICT_REJECT);
	assert_int_equal(g.r[1].policy, GW_POLICY_REJECT);
	assert_string_equal(g.r[2].field, "truncated");
	cp.policy[GW_FAULT_FLAGS] = GW_POLICY_TERMINATE;
	assert_int_equal(gw_result_check_flags(2, 0, &cp, &sink, &term, &trunc),
			 GW_VERDICT_TERMINATE);
	assert_int_equal(gw_result_check_flags(3, 0, &cp, &sink, &term, &trunc),
			 -EPROTO);
	assert_int_equal(g.counts.events[GW_FAULT_FLAGS], 4);
}

static void fault_policy_falls_back_to_reject(void **state)
{
	struct gw_check_policy cp = defaults();

	(void)state;
	assert_int_equal(gw_fault_policy(NULL, GW_FAULT_OVERSHOOT),
			 GW_POLICY_REJECT);
	assert_int_equal(gw_fault_policy(&cp, GW_FAULT_OVERSHOOT),
			 GW_POLICY_CLIP);
	cp.policy[GW_FAULT_SHAPE] = GW_POLICY_CLIP;
	assert_int_equal(gw_fault_policy(&cp, GW_FAULT_SHAPE),
			 GW_POLICY_REJECT);
	cp.policy[GW_FAULT_BOUNDS] = (enum gw_policy)42;
	assert_int_equal(gw_fault_policy(&cp, GW_FAULT_BOUNDS),
			 GW_POLICY_REJECT);
	cp.policy[GW_FAULT_NONFINITE] = GW_POLICY_WARN;
	assert_int_equal(gw_fault_policy(&cp, GW_FAULT_NONFINITE),
			 GW_POLICY_WARN);
}

/* ---- float16 ------------------------------------------------------ */

static void float16_codec_round_trips_every_bit_pattern(void **state)
{
	(void)state;
	for (uint32_t h = 0; h <= 0xffff; h++) {
		double v = gw_f16_decode((uint16_t)h);

		if (isnan(v)) {
			assert_true(isnan(gw_f16_decode(gw_f16_encode(v))));
			continue;
		}
		if (gw_f16_encode(v) != h)
			fail_msg("0x%04x decodes to %g, encodes to 0x%04x", h,
				 v, gw_f16_encode(v));
	}
	assert_true(gw_f16_decode(0x7bff) == 65504.0);
	assert_true(gw_f16_decode(0x0001) == ldexp(1, -24));
}

/* ---- sampling ----------------------------------------------------- */

static const char *const sample_spaces[] = {
	BOX4,
	UNBOUNDED,
	"type = \"Box\"\nlow = 0\nhigh = inf\nshape = [3]",
	"type = \"Box\"\nlow = -inf\nhigh = 0\nshape = [3]",
	"type = \"Box\"\ndtype = \"float64\"\nlow = -1.7976931348623157e308\n"
	"high = 1.7976931348623157e308\nshape = [2]",
	"type = \"Box\"\ndtype = \"float16\"\nlow = -65504\nhigh = 65504\n"
	"shape = [2]",
	"type = \"Box\"\ndtype = \"float32\"\nlow = [0.0, -1.0]\n"
	"high = [0.0, 1e-30]",
	BOX1("int8", "-128", "127"),
	BOX1("int16", "-5", "5"),
	BOX1("int32", "-2147483648", "2147483647"),
	"type = \"Box\"\ndtype = \"int64\"\nlow = -9223372036854775808\n"
	"high = 9223372036854775807\nshape = [2]",
	BOX1("uint8", "3", "4"),
	BOX1("uint16", "0", "65535"),
	BOX1("uint32", "0", "4294967295"),
	BOX1("uint64", "0", "\"18446744073709551615\""),
	BOX1("bool", "false", "true"),
	DISCRETE5,
	"type = \"Discrete\"\nn = 3\nstart = -9223372036854775808",
	"type = \"MultiDiscrete\"\nnvec = [[2, 3], [4, 5]]\n"
	"start = [[0, -1], [5, 9]]",
	"type = \"MultiBinary\"\nn = [2, 3]",
	TEXT_ABC,
	"type = \"Text\"\nmax_length = 6",
	"type = \"Text\"\nmin_length = 2\nmax_length = 3\n"
	"charset = \"\xce\xb1\xe2\x82\xac\xf0\x9f\x98\x80\"",
	TUPLE,
	DICT,
	NESTED,
};

#define N_SAMPLE_SPACES (sizeof(sample_spaces) / sizeof(sample_spaces[0]))

static void samples_stay_in_the_space(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_SAMPLE_SPACES; i++) {
		struct fixture fx = make(sample_spaces[i]);
		unsigned char *buf = malloc(fx.l->size);
		struct gw_rng rng;
		struct got g;
		struct gw_fault_sink sink = sink_of(&g);

		gw_rng_seed(&rng, 1000 + i);
		for (int k = 0; k < 10000; k++) {
			assert_int_equal(
				gw_space_sample(fx.l, &rng, buf, fx.l->size),
				0);
			if (gw_space_check_packed(fx.l, buf, fx.l->size, NULL,
						  &sink) != GW_VERDICT_PASS)
				fail_msg("space %zu sample %d: %s: %s", i, k,
					 g.r[0].field, g.r[0].detail);
		}
		free(buf);
		unmake(&fx);
	}
}

static void samples_repeat_for_the_same_seed(void **state)
{
	struct fixture fx = make(NESTED);
	unsigned char a[128], b[128], c[128];
	struct gw_rng r1, r2, r3;
	int differ = 0;

	(void)state;
	gw_rng_seed(&r1, 42);
	gw_rng_seed(&r2, 42);
	gw_rng_seed(&r3, 43);
	for (int k = 0; k < 100; k++) {
		gw_space_sample(fx.l, &r1, a, sizeof(a));
		gw_space_sample(fx.l, &r2, b, sizeof(b));
		gw_space_sample(fx.l, &r3, c, sizeof(c));
		assert_memory_equal(a, b, fx.l->size);
		differ += memcmp(a, c, fx.l->size) != 0;
	}
	assert_true(differ > 90);
	assert_int_equal(gw_space_sample(fx.l, &r1, a, fx.l->size - 1),
			 -ENOBUFS);
	unmake(&fx);
}

static void samples_cover_the_space(void **state)
{
	struct fixture d = make(DISCRETE5), u = make(UNBOUNDED);
	struct fixture t = make(TEXT_ABC);
	unsigned seen[5] = { 0 }, lengths[5] = { 0 }, neg = 0;
	unsigned char buf[24];
	struct gw_rng rng;

	(void)state;
	gw_rng_seed(&rng, 7);
	for (int k = 0; k < 5000; k++) {
		int64_t v;
		float f;

		gw_space_sample(d.l, &rng, buf, sizeof(buf));
		memcpy(&v, buf, sizeof(v));
		seen[v]++;
		gw_space_sample(u.l, &rng, buf, sizeof(buf));
		memcpy(&f, buf, sizeof(f));
		neg += f < 0;
		gw_space_sample(t.l, &rng, buf, sizeof(buf));
		lengths[gw_get_u32le(buf)]++;
	}
	for (int v = 0; v < 5; v++)
		assert_true(seen[v] > 800 && seen[v] < 1200);
	assert_true(neg > 2200 && neg < 2800);
	assert_int_equal(lengths[0], 0);
	for (int n = 1; n <= 4; n++)
		assert_true(lengths[n] > 1000 && lengths[n] < 1500);
	unmake(&d);
	unmake(&u);
	unmake(&t);
}

static void rng_below_stays_below_and_is_fair(void **state)
{
	struct gw_rng rng;
	unsigned hist[3] = { 0 };

	(void)state;
	gw_rng_seed(&rng, 0);
	for (int k = 0; k < 30000; k++) {
		uint64_t v = gw_rng_below(&rng, 3);

		assert_true(v < 3);
		hist[v]++;
	}
	for (int v = 0; v < 3; v++)
		assert_true(hist[v] > 9500 && hist[v] < 10500);
	for (int k = 0; k < 1000; k++) {
		double u = gw_rng_unit(&rng);

		assert_true(u >= 0.0 && u < 1.0);
	}
}

/* ---- main --------------------------------------------------------- */

#define CASES(arr, fn)                                                         \
	for (size_t i = 0; i < sizeof(arr) / sizeof(arr[0]); i++)              \
		tests[n++] = (struct CMUnitTest)                               \
		{                                                              \
			.name = arr[i].name, .test_func = fn,                  \
			.initial_state = (void *)&arr[i]                       \
		}

int main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(action_check_refuses_wrong_length),
		cmocka_unit_test(action_text_length_past_slot_is_refused),
		cmocka_unit_test(leaves_reject_fewer_leaves_than_the_space),
		cmocka_unit_test(leaves_reject_anything_after_the_last_leaf),
		cmocka_unit_test(leaves_refuse_an_output_too_small),
		cmocka_unit_test(
			obs_every_dtype_into_every_dtype_is_exact_drift),
		cmocka_unit_test(nan_bit_patterns_are_all_nonfinite),
		cmocka_unit_test(nested_leaves_pass_and_pack),
		cmocka_unit_test(truncation_sweep_always_fails_cleanly),
		cmocka_unit_test(bit_flip_sweep_never_misbehaves),
		cmocka_unit_test(clip_packed_moves_values_into_the_space),
		cmocka_unit_test(cast_array_converts_and_says_when_inexact),
		cmocka_unit_test(flags_other_than_bool_are_faults),
		cmocka_unit_test(fault_policy_falls_back_to_reject),
		cmocka_unit_test(float16_codec_round_trips_every_bit_pattern),
		cmocka_unit_test(samples_stay_in_the_space),
		cmocka_unit_test(samples_repeat_for_the_same_seed),
		cmocka_unit_test(samples_cover_the_space),
		cmocka_unit_test(rng_below_stays_below_and_is_fair),
	};
	static struct CMUnitTest tests[512];
	size_t n = 0;

	memcpy(tests, fixed, sizeof(fixed));
	n = sizeof(fixed) / sizeof(fixed[0]);
	CASES(layout_cases, run_layout_case);
	CASES(action_cases, run_action_case);
	CASES(obs_cases, run_obs_case);
	CASES(hostile_cases, run_hostile_case);
	CASES(reward_cases, run_reward_case);
	return _cmocka_run_group_tests("space_ops", tests, n, NULL, NULL);
}
