/*
 * Unit tests for src/monitor: the pure parts first (RESULT payloads from
 * hostile bytes, with truncation and bit-flip sweeps; declared space
 * descriptions into spaces; HELLO's layout table; the log pipes; info;
 * kwargs and options), then the lifecycle against a real launcher and
 * worker, which is skipped when they are not built.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/buf.h"
#include "core/error.h"
#include "manifest/manifest_priv.h"
#include "monitor/monitor.h"
#include "monitor/monitor_priv.h"
#include "space/space.h"
#include "toml/toml.h"
#include "wire/msgpack.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static void put_u32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

/* A RESULT payload: reward 0.5 (float), flags false/true, leaves, info. */
static size_t make_result(unsigned char *p, size_t nleaves, size_t ninfo)
{
	double reward = 0.5;
	uint64_t bits;
	size_t n = 0;

	memcpy(&bits, &reward, sizeof(bits));
	p[n++] = GW_REWARD_TAG_FLOAT;
	for (int i = 0; i < 8; i++)
		p[n++] = (unsigned char)(bits >> (8 * i));
	p[n++] = GW_FLAG_TAG_FALSE;
	p[n++] = GW_FLAG_TAG_TRUE;
	p[n++] = 0;
	put_u32(p + n, (uint32_t)nleaves);
	n += 4;
	memset(p + n, 0xab, nleaves);
	n += nleaves;
	put_u32(p + n, (uint32_t)ninfo);
	n += 4;
	memset(p + n, 0x80, ninfo);
	return n + ninfo;
}

/* ------------------------------------------------------------------ */
/* RESULT payloads                                                     */
/* ------------------------------------------------------------------ */

/* ---- the launcher's status lines ---- */

static void jail_line_parse_reads_every_kind(void **state)
{
	char l1[] = "layers user,pid,mount", l2[] = "missing net:no-userns",
	     l3[] = "ready", l4[] = "fail require 1",
	     l5[] = "violation connect 42 errno fd=3 AF_INET 127.0.0.1:22",
	     l6[] = "limit cpu-time 2s of CPU time", l7[] = "end signal 9",
	     l8[] = "cgroup /sys/fs/cgroup/pids/x";
	struct gw_jail_line l;

	(void)state;
	assert_int_equal(gw_jail_line_parse(l1, &l), 0);
	assert_int_equal(l.kind, GW_JAIL_LINE_LAYERS);
	assert_string_equal(l.word, "user,pid,mount");
	assert_int_equal(gw_jail_line_parse(l2, &l), 0);
	assert_int_equal(l.kind, GW_JAIL_LINE_MISSING);
	assert_string_equal(l.word, "net:no-userns");
	assert_int_equal(gw_jail_line_parse(l3, &l), 0);
	assert_int_equal(l.kind, GW_JAIL_LINE_READY);
	assert_int_equal(gw_jail_line_parse(l4, &l), 0);
	assert_int_equal(l.kind, GW_JAIL_LINE_FAIL);
	assert_string_equal(l.word, "require");
	assert_int_equal(l.number, 1);
	assert_int_equal(gw_jail_line_parse(l5, &l), 0);
	assert_int_equal(l.kind, GW_JAIL_LINE_VIOLATION);
	assert_string_equal(l.word, "connect");
	assert_int_equal(l.number, 42);
	assert_string_equal(l.action, "errno");
	assert_string_equal(l.detail, "fd=3 AF_INET 127.0.0.1:22");
	assert_int_equal(gw_jail_line_parse(l6, &l), 0);
	assert_int_equal(l.kind, GW_JAIL_LINE_LIMIT);
	assert_string_equal(l.word, "cpu-time");
	assert_string_equal(l.detail, "2s of CPU time");
	assert_int_equal(gw_jail_line_parse(l7, &l), 0);
	assert_int_equal(l.kind, GW_JAIL_LINE_END);
	assert_string_equal(l.word, "signal");
	assert_int_equal(l.number, 9);
	assert_int_equal(gw_jail_line_parse(l8, &l), 0);
	assert_int_equal(l.kind, GW_JAIL_LINE_CGROUP);
}

static void jail_line_parse_refuses_malformed_lines(void **state)
{
	static const char *const bad[] = {
		"",
		"ready now",
		"fail",
		"fail require",
		"fail require x",
		"violation",
		"violation connect",
		"violation connect 42",
		"violation connect 42 maybe",
		"violation connect x errno",
		"limit",
		"end exit",
		"end exit 1x",
		"end crashed 1",
		"layersuser",
		"hello world",
	};
	struct gw_jail_line l;
	char buf[64];

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		snprintf(buf, sizeof(buf), "%s", bad[i]);
		assert_int_equal(gw_jail_line_parse(buf, &l), -EPROTO);
		assert_int_equal(l.kind, GW_JAIL_LINE_UNKNOWN);
	}
}

static void result_parse_splits_a_well_formed_payload(void **state)
{
	unsigned char p[128];
	struct gw_result res;
	size_t n = make_result(p, 24, 3);

	(void)state;
	assert_int_equal(gw_result_parse(p, n, 64, 64, &res, NULL), 0);
	assert_int_equal(res.reward_tag, GW_REWARD_TAG_FLOAT);
	assert_true(res.reward == 0.5);
	assert_int_equal(res.terminated_tag, GW_FLAG_TAG_FALSE);
	assert_int_equal(res.truncated_tag, GW_FLAG_TAG_TRUE);
	assert_ptr_equal(res.leaves, p + 16);
	assert_int_equal(res.leaves_len, 24);
	assert_ptr_equal(res.info, p + 16 + 24 + 4);
	assert_int_equal(res.info_len, 3);
}

static void result_parse_rejects_every_truncation(void **state)
{
	unsigned char p[128];
	struct gw_result res;
	size_t n = make_result(p, 16, 5);

	(void)state;
	for (size_t cut = 0; cut < n; cut++)
		assert_int_equal(gw_result_parse(p, cut, 64, 64, &res, NULL),
				 -EPROTO);
	assert_int_equal(gw_result_parse(p, n, 64, 64, &res, NULL), 0);
}

/* Any flipped bit is parsed or refused, never read past the payload. */
static void result_parse_survives_every_bit_flip(void **state)
{
	unsigned char good[96], p[96];
	struct gw_result res;
	size_t n = make_result(good, 16, 5);

	(void)state;
	for (size_t bit = 0; bit < 8 * n; bit++) {
		int r;

		memcpy(p, good, n);
		p[bit / 8] ^= (unsigned char)(1u << (bit % 8));
		r = gw_result_parse(p, n, 64, 64, &res, NULL);
		assert_true(r == 0 || r == -EPROTO);
		if (r < 0)
			continue;
		assert_true(res.leaves >= p && res.leaves_len <= 64);
		assert_true(res.info + res.info_len == p + n);
		assert_true(res.reward_tag <= GW_REWARD_TAG_ABSENT);
	}
}

static void result_parse_rejects_bad_fields(void **state)
{
	static const struct {
		size_t off;
		unsigned char val;
		const char *why;
	} cases[] = {
		{ 0, 5, "reward tag" },	       { 9, 3, "flag tags" },
		{ 10, 9, "flag tags" },	       { 11, 1, "reserved" },
		{ 12, 65, "exceeds its cap" }, { 12, 30, "exceeds the frame" },
		{ 32, 6, "does not fill" },    { 32, 4, "does not fill" },
	};
	unsigned char p[96];
	struct gw_result res;
	struct gw_error err;

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		size_t n = make_result(p, 16, 5);

		p[cases[i].off] = cases[i].val;
		gw_error_clear(&err);
		assert_int_equal(gw_result_parse(p, n, 64, 64, &res, &err),
				 -EPROTO);
		assert_non_null(strstr(err.msg, cases[i].why));
	}
	/* The info cap holds even when the frame has room. */
	assert_int_equal(
		gw_result_parse(p, make_result(p, 0, 40), 64, 32, &res, NULL),
		-EPROTO);
}

/* ------------------------------------------------------------------ */
/* declared spaces                                                     */
/* ------------------------------------------------------------------ */

/* A description written as JSON, as a value tree. */
static struct gw_value *desc(const char *json)
{
	struct gw_value *v = NULL;

	assert_int_equal(gw_params_parse_json(json, "test", &v, NULL), 0);
	return v;
}

static struct gw_space *toml_space(const char *toml)
{
	struct gw_toml_value *root = NULL;
	struct gw_space *s = NULL;
	char text[1024];

	snprintf(text, sizeof(text), "s = %s\n", toml);
	assert_int_equal(gw_toml_parse(text, strlen(text), "t", &root, NULL),
			 0);
	assert_int_equal(
		gw_space_from_toml(gw_toml_get(root, "s"), "s", &s, NULL), 0);
	gw_toml_free(root);
	return s;
}

static void space_from_value_matches_the_manifest_form(void **state)
{
	static const struct {
		const char *json, *toml;
	} cases[] = {
		{ "{\"type\": \"Box\", \"dtype\": \"int64\", \"shape\": [2], "
		  "\"low\": 0, \"high\": 7}",
		  "{ type = \"Box\", dtype = \"int64\", shape = [2], low = 0, "
		  "high = 7 }" },
		{ "{\"type\": \"Box\", \"dtype\": \"float32\", \"shape\": [2], "
		  "\"low\": \"-inf\", \"high\": [1.5, \"inf\"]}",
		  "{ type = \"Box\", shape = [2], low = -inf, high = [1.5, "
		  "inf] }" },
		{ "{\"type\": \"Box\", \"dtype\": \"uint64\", \"shape\": [], "
		  "\"low\": 0, \"high\": \"18446744073709551615\"}",
		  "{ type = \"Box\", dtype = \"uint64\", shape = [], low = 0, "
		  "high = \"18446744073709551615\" }" },
		{ "{\"type\": \"Discrete\", \"n\": 4, \"start\": -1}",
		  "{ type = \"Discrete\", n = 4, start = -1 }" },
		{ "{\"type\": \"MultiDiscrete\", \"shape\": [2], \"nvec\": [3, "
		  "4], \"start\": [0, 1]}",
		  "{ type = \"MultiDiscrete\", nvec = [3, 4], start = [0, 1] "
		  "}" },
		{ "{\"type\": \"MultiBinary\", \"shape\": [2, 3]}",
		  "{ type = \"MultiBinary\", n = [2, 3] }" },
		{ "{\"type\": \"Text\", \"min_length\": 1, \"max_length\": 8, "
		  "\"charset\": null}",
		  "{ type = \"Text\", min_length = 1, max_length = 8 }" },
		{ "{\"type\": \"Dict\", \"spaces\": {\"z\": {\"type\": "
		  "\"Discrete\", \"n\": 2}, \"a\": {\"type\": \"Tuple\", "
		  "\"spaces\": [{\"type\": \"MultiBinary\", \"shape\": "
		  "[4]}]}}}",
		  "{ type = \"Dict\", spaces = { z = { type = \"Discrete\", n "
		  "= "
		  "2 }, a = { type = \"Tuple\", spaces = [{ type = "
		  "\"MultiBinary\", n = 4 }] } } }" },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct gw_value *v = desc(cases[i].json);
		struct gw_space *want = toml_space(cases[i].toml), *got = NULL;
		struct gw_error err;

		gw_error_clear(&err);
		assert_int_equal(
			gw_space_from_value(v, "observation_space", &got, &err),
			0);
		assert_true(gw_space_equal(want, got));
		gw_space_free(want);
		gw_space_free(got);
		gw_value_free(v);
	}
}

static void space_from_value_applies_the_manifest_checks(void **state)
{
	static const struct {
		const char *json, *field;
	} cases[] = {
		{ "{\"type\": \"Box\", \"shape\": [2], \"low\": 1, \"high\": "
		  "0}",
		  "observation_space" },
		{ "{\"type\": \"Boxy\"}", "observation_space.type" },
		{ "{\"type\": \"Discrete\", \"n\": 2, \"size\": 3}",
		  "observation_space.size" },
		{ "{\"type\": \"Box\", \"shape\": [1], \"low\": \"nan\", "
		  "\"high\": 1}",
		  "observation_space.low" },
		{ "{\"type\": \"Box\", \"dtype\": \"uint8\", \"shape\": [1], "
		  "\"low\": 0, \"high\": 300}",
		  "observation_space.high" },
		{ "{\"type\": \"MultiBinary\", \"shape\": [0]}",
		  "observation_space.n" },
		{ "{\"type\": \"Tuple\", \"spaces\": []}",
		  "observation_space.spaces" },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct gw_value *v = desc(cases[i].json);
		struct gw_space *got = NULL;
		struct gw_error err;

		gw_error_clear(&err);
		assert_int_equal(
			gw_space_from_value(v, "observation_space", &got, &err),
			-EINVAL);
		assert_null(got);
		assert_non_null(strstr(err.field, cases[i].field));
		assert_int_equal(err.line, 0);
		gw_value_free(v);
	}
}

static void space_from_value_refuses_what_is_not_a_description(void **state)
{
	struct gw_value *v = gw_value_new();
	struct gw_space *got = NULL;
	struct gw_value *slot;

	(void)state;
	assert_int_equal(gw_space_from_value(v, "s", &got, NULL), -EINVAL);
	gw_value_set_map(v);
	slot = gw_value_map_push(v, "type", 4);
	gw_value_set_bin(slot, "Box", 3);
	assert_int_equal(gw_space_from_value(v, "s", &got, NULL), -EINVAL);
	assert_null(got);
	gw_value_free(v);
}

static size_t encode_spec(const char *json, unsigned char *out, size_t cap)
{
	struct gw_value *v = desc(json);
	struct gw_buf b;
	size_t n;

	gw_buf_init(&b, cap);
	assert_int_equal(gw_msgpack_encode(v, NULL, "spec", &b, NULL), 0);
	n = b.len;
	memcpy(out, b.data, n);
	gw_value_free(v);
	gw_buf_free(&b);
	return n;
}

static const char spec_json[] =
	"{\"action_space\": {\"type\": \"Discrete\", \"n\": 2}, "
	"\"observation_space\": {\"type\": \"Box\", \"dtype\": \"float32\", "
	"\"shape\": [3], \"low\": -10.0, \"high\": 10.0}, \"spec\": null}";

static void spec_parse_builds_both_spaces(void **state)
{
	unsigned char p[512];
	struct gw_space *a, *o;
	size_t n = encode_spec(spec_json, p, sizeof(p));

	(void)state;
	assert_int_equal(gw_spec_parse(p, n, &a, &o, NULL), 0);
	assert_int_equal(gw_space_kind(a), GW_SPACE_DISCRETE);
	assert_int_equal(gw_space_kind(o), GW_SPACE_BOX);
	gw_space_free(a);
	gw_space_free(o);
}

static void spec_parse_refuses_truncations_and_survives_flips(void **state)
{
	unsigned char good[512], p[512];
	struct gw_space *a, *o;
	size_t n = encode_spec(spec_json, good, sizeof(good));

	(void)state;
	for (size_t cut = 0; cut < n; cut++) {
		assert_true(gw_spec_parse(good, cut, &a, &o, NULL) < 0);
		assert_null(a);
		assert_null(o);
	}
	for (size_t bit = 0; bit < 8 * n; bit++) {
		memcpy(p, good, n);
		p[bit / 8] ^= (unsigned char)(1u << (bit % 8));
		if (gw_spec_parse(p, n, &a, &o, NULL) == 0) {
			assert_non_null(a);
			assert_non_null(o);
		}
		gw_space_free(a);
		gw_space_free(o);
	}
}

static void spec_parse_needs_both_spaces(void **state)
{
	unsigned char p[256];
	struct gw_space *a, *o;
	size_t n = encode_spec("{\"action_space\": {\"type\": \"Discrete\", "
			       "\"n\": 2}}",
			       p, sizeof(p));

	(void)state;
	assert_int_equal(gw_spec_parse(p, n, &a, &o, NULL), -EPROTO);
	n = encode_spec("{\"action_space\": {\"type\": \"Discrete\", \"n\": 0},"
			" \"observation_space\": {\"type\": \"Discrete\", "
			"\"n\": 2}}",
			p, sizeof(p));
	assert_int_equal(gw_spec_parse(p, n, &a, &o, NULL), -EINVAL);
	assert_null(a);
	assert_null(o);
}

/* ------------------------------------------------------------------ */
/* HELLO's layout table                                                */
/* ------------------------------------------------------------------ */

static const char *str_of(const struct gw_value *map, const char *key)
{
	const struct gw_value *v = gw_value_lookup(map, key);

	return v && v->kind == GW_VALUE_STR ? v->str.ptr : NULL;
}

static int64_t int_of(const struct gw_value *map, const char *key)
{
	const struct gw_value *v = gw_value_lookup(map, key);

	return v && v->kind == GW_VALUE_INT ? v->i : -1;
}

static void layout_value_is_pre_order_with_keys(void **state)
{
	struct gw_space *s = toml_space(
		"{ type = \"Dict\", spaces = { pos = { type = \"Box\", "
		"shape = [2], low = -1.0, high = 1.0 }, goal = { type = "
		"\"Tuple\", spaces = [{ type = \"Discrete\", n = 3 }, { type = "
		"\"Text\", max_length = 4 }] } } }");
	static const char *const types[] = { "Dict", "Box", "Tuple", "Discrete",
					     "Text" };
	static const int64_t offsets[] = { 0, 0, 8, 8, 16 };
	struct gw_space_layout *l;
	struct gw_value v = { GW_VALUE_NIL };

	(void)state;
	assert_int_equal(gw_space_layout_new(s, &l), 0);
	assert_int_equal(gw_layout_value(l, &v), 0);
	assert_int_equal(v.kind, GW_VALUE_ARRAY);
	assert_int_equal(v.array.len, ARRAY_LEN(types));
	for (size_t i = 0; i < ARRAY_LEN(types); i++) {
		assert_string_equal(str_of(&v.array.items[i], "type"),
				    types[i]);
		assert_int_equal(int_of(&v.array.items[i], "offset"),
				 offsets[i]);
	}
	assert_int_equal(int_of(&v.array.items[0], "children"), 2);
	assert_string_equal(str_of(&v.array.items[1], "key"), "pos");
	assert_string_equal(str_of(&v.array.items[1], "dtype"), "float32");
	assert_int_equal(int_of(&v.array.items[1], "nelem"), 2);
	assert_string_equal(str_of(&v.array.items[2], "key"), "goal");
	assert_null(str_of(&v.array.items[3], "key"));
	assert_string_equal(str_of(&v.array.items[3], "dtype"), "int64");
	assert_int_equal(int_of(&v.array.items[4], "max_length"), 4);
	assert_int_equal(int_of(&v.array.items[4], "size"), 20);
	gw_value_clear(&v);
	gw_space_layout_free(l);
	gw_space_free(s);
}

/* ------------------------------------------------------------------ */
/* an env without a worker: log pipes, info, kwargs and options        */
/* ------------------------------------------------------------------ */

struct seen {
	unsigned logs, faults;
	char last_detail[4096];
	char last_field[256];
	int64_t last_step;
};

static void record(void *arg, const struct gw_event *ev)
{
	struct seen *s = arg;

	if (ev->kind == GW_EVENT_LOG)
		s->logs++;
	if (ev->kind == GW_EVENT_FAULT)
		s->faults++;
	snprintf(s->last_detail, sizeof(s->last_detail), "%s", ev->detail);
	snprintf(s->last_field, sizeof(s->last_field), "%s", ev->field);
	s->last_step = ev->step;
}

static const char unit_manifest[] =
	"vetting = \"off\"\n"
	"[[env]]\n"
	"id = \"T-v0\"\n"
	"source = \".\"\n"
	"entry_point = \"runenvs.envs:GoodEnv\"\n"
	"kwargs = { fixed = \"yes\", bad_step = 3 }\n"
	"allowed_kwargs = { bad_step = { type = \"int\", min = 1, max = 9 } }\n"
	"reset_options = { level = { type = \"str\", choices = [\"a\", \"b\"] "
	"} }\n"
	"action_space = { type = \"Discrete\", n = 2 }\n"
	"observation_space = { type = \"Discrete\", n = 2 }\n"
	"checks = { info = \"%s\" }\n";

struct fixture {
	struct gw_manifest *m;
	struct gw_env e;
	struct seen seen;
};

static void fixture_open(struct fixture *f, const char *info_policy)
{
	char text[sizeof(unit_manifest) + 16];

	memset(f, 0, sizeof(*f));
	snprintf(text, sizeof(text), unit_manifest, info_policy);
	assert_int_equal(
		gw_manifest_check_text(text, strlen(text),
				       GW_SOURCE_ROOT
				       "/tests/integration/envs/u.toml",
				       &f->m, NULL),
		0);
	assert_int_equal(gw_manifest_error_count(f->m), 0);
	f->e.m = f->m;
	f->e.me = gw_manifest_env_at(f->m, 0);
	f->e.id = "T-v0";
	f->e.instance = 1;
	f->e.at_step = 4;
	f->e.on_event = record;
	f->e.event_arg = &f->seen;
	gw_logpipe_init(&f->e.out, "stdout", -1);
	gw_logpipe_init(&f->e.err, "stderr", -1);
}

static void fixture_close(struct fixture *f)
{
	gw_manifest_free(f->m);
}

static void logpipe_escapes_lines_and_keeps_a_tail(void **state)
{
	static const char text[] = "one\n\x1b[2Jtwo\xff\nthree\r\nrest";
	struct fixture f;
	char tail[512];
	int p[2];

	(void)state;
	fixture_open(&f, "reject");
	assert_int_equal(pipe2(p, O_NONBLOCK | O_CLOEXEC), 0);
	gw_logpipe_init(&f.e.err, "stderr", p[0]);
	assert_int_equal(write(p[1], text, sizeof(text) - 1),
			 (ssize_t)sizeof(text) - 1);
	assert_int_equal(gw_logpipe_drain(&f.e.err, &f.e), 0);
	assert_int_equal(f.seen.logs, 3);
	assert_string_equal(f.seen.last_detail, "three\\r");
	assert_string_equal(f.seen.last_field, "stderr");

	close(p[1]);
	assert_int_equal(gw_logpipe_drain(&f.e.err, &f.e), 1);
	assert_int_equal(f.e.err.fd, -1);
	assert_int_equal(f.seen.logs, 4);
	gw_logpipe_tail(&f.e.err, 3, " | ", tail, sizeof(tail));
	assert_string_equal(tail, "\\x1b[2Jtwo\\xff | three\\r | rest");
	fixture_close(&f);
}

static void logpipe_cuts_long_lines_and_rate_limits_a_flood(void **state)
{
	char line[4 * GW_LOGPIPE_LINE_MAX_BYTES];
	struct fixture f;
	int p[2];

	(void)state;
	fixture_open(&f, "reject");
	assert_int_equal(pipe2(p, O_NONBLOCK | O_CLOEXEC), 0);
	gw_logpipe_init(&f.e.out, "stdout", p[0]);
	memset(line, 'x', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\n';
	assert_int_equal(write(p[1], line, sizeof(line)),
			 (ssize_t)sizeof(line));
	gw_logpipe_drain(&f.e.out, &f.e);
	assert_int_equal(f.seen.logs, 1);
	assert_int_equal(strlen(f.seen.last_detail) < sizeof(line), 1);
	assert_non_null(strstr(f.seen.last_detail, "..."));

	for (unsigned i = 0; i < 2 * GW_LOGPIPE_BURST_LINES; i++)
		assert_int_equal(write(p[1], "spam\n", 5), 5);
	gw_logpipe_drain(&f.e.out, &f.e);
	assert_true(f.seen.logs <= GW_LOGPIPE_BURST_LINES + 2);
	assert_true(f.e.out.dropped >= GW_LOGPIPE_BURST_LINES - 2);
	assert_int_equal(f.e.out.lines, 2 * GW_LOGPIPE_BURST_LINES + 1);
	close(p[1]);
	gw_logpipe_drain(&f.e.out, &f.e);
	assert_non_null(strstr(f.seen.last_detail, "lines not shown"));
	fixture_close(&f);
}

static void info_with_an_object_is_refused_with_its_field(void **state)
{
	struct gw_value *v = gw_value_new(), *slot;
	struct gw_value *info = NULL;
	struct fixture f;
	struct gw_buf b;

	(void)state;
	fixture_open(&f, "reject");
	gw_value_set_map(v);
	slot = gw_value_map_push(v, "payload", 7);
	gw_value_set_object(slot, "Trip\x1bwire", 9);
	gw_buf_init(&b, 256);
	assert_int_equal(gw_msgpack_encode(v, NULL, "info", &b, NULL), 0);
	assert_int_equal(gw_info_take(&f.e, b.data, b.len, &info),
			 GW_VERDICT_REJECT);
	assert_null(info);
	assert_int_equal(f.e.counts.events[GW_FAULT_INFO], 1);
	assert_string_equal(f.seen.last_field, "info.payload");
	assert_non_null(strstr(f.seen.last_detail, "Trip\\x1bwire"));
	assert_int_equal(f.seen.last_step, 4);
	assert_true(f.e.refused);
	assert_int_equal(gw_info_take(&f.e, "\x91\x01", 2, &info),
			 GW_VERDICT_REJECT);
	assert_int_equal(gw_info_take(&f.e, "\x81", 1, &info),
			 GW_VERDICT_REJECT);
	assert_int_equal(f.e.counts.events[GW_FAULT_INFO], 3);
	gw_buf_free(&b);
	gw_value_free(v);
	fixture_close(&f);
}

static void info_under_warn_passes_without_the_object(void **state)
{
	struct gw_value *v = gw_value_new(), *slot, *info = NULL;
	struct fixture f;
	struct gw_buf b;
	char *json;

	(void)state;
	fixture_open(&f, "warn");
	gw_value_set_map(v);
	gw_value_set_object(gw_value_map_push(v, "o", 1), "Opaque", 6);
	gw_value_set_float(gw_value_map_push(v, "f", 1), NAN);
	gw_value_set_uint(gw_value_map_push(v, "u", 1), UINT64_MAX);
	gw_value_set_bin(gw_value_map_push(v, "b", 1), "\x01\xff", 2);
	slot = gw_value_map_push(v, "a", 1);
	assert_int_equal(gw_value_set_ndarray(slot, GW_WIRE_DTYPE_INT16, 1,
					      (const uint64_t[]){ 2 },
					      "\x01\x00\xff\xff"),
			 0);
	gw_buf_init(&b, 4096);
	assert_int_equal(gw_msgpack_encode(v, NULL, "info", &b, NULL), 0);
	assert_int_equal(gw_info_take(&f.e, b.data, b.len, &info),
			 GW_VERDICT_PASS);
	assert_int_equal(f.e.counts.events[GW_FAULT_INFO], 1);
	assert_int_equal(gw_value_lookup(info, "o")->kind, GW_VALUE_NIL);

	json = gw_info_json(info);
	assert_string_equal(json,
			    "{\"o\":null,\"f\":\"nan\",\"u\":"
			    "\"18446744073709551615\",\"b\":{\"__bytes__\":"
			    "\"01ff\"},\"a\":{\"__ndarray__\":\"int16\","
			    "\"shape\":[2],\"data\":[1,-1]}}");
	free(json);
	gw_value_free(info);
	assert_int_equal(gw_info_take(&f.e, "\x81", 1, &info), GW_VERDICT_PASS);
	assert_int_equal(info->map.len, 0);
	gw_value_free(info);
	gw_buf_free(&b);
	gw_value_free(v);
	fixture_close(&f);
}

static void kwargs_merge_over_the_manifest_and_are_checked(void **state)
{
	struct gw_value *caller, *out = NULL;
	struct fixture f;
	struct gw_error err;

	(void)state;
	fixture_open(&f, "reject");
	assert_int_equal(gw_params_kwargs(f.e.me, NULL, &out, NULL), 0);
	assert_int_equal(out->map.len, 2);
	gw_value_free(out);

	caller = desc("{\"bad_step\": 5}");
	assert_int_equal(gw_params_kwargs(f.e.me, caller, &out, NULL), 0);
	assert_int_equal(out->map.len, 2);
	assert_int_equal(gw_value_lookup(out, "bad_step")->i, 5);
	assert_string_equal(gw_value_lookup(out, "fixed")->str.ptr, "yes");
	gw_value_free(out);
	gw_value_free(caller);

	static const char *const refused[] = {
		"{\"bad_step\": 10}",
		"{\"bad_step\": \"3\"}",
		"{\"fixed\": \"no\"}",
		"{\"bad_step\": [1]}",
	};
	for (size_t i = 0; i < ARRAY_LEN(refused); i++) {
		caller = desc(refused[i]);
		gw_error_clear(&err);
		assert_true(gw_params_kwargs(f.e.me, caller, &out, &err) < 0);
		assert_null(out);
		assert_int_equal(err.kind, GW_ERR_ACTION);
		gw_value_free(caller);
	}
	fixture_close(&f);
}

static void options_are_checked_against_reset_options(void **state)
{
	struct gw_value *opts;
	struct fixture f;
	struct gw_error err;

	(void)state;
	fixture_open(&f, "reject");
	assert_int_equal(gw_params_options(f.e.me, NULL, NULL), 0);
	opts = desc("{\"level\": \"a\"}");
	assert_int_equal(gw_params_options(f.e.me, opts, NULL), 0);
	gw_value_free(opts);
	opts = desc("{\"level\": \"c\"}");
	gw_error_clear(&err);
	assert_true(gw_params_options(f.e.me, opts, &err) < 0);
	assert_int_equal(err.kind, GW_ERR_ACTION);
	assert_string_equal(err.field, "level");
	gw_value_free(opts);
	opts = desc("{\"speed\": 1}");
	assert_true(gw_params_options(f.e.me, opts, NULL) < 0);
	gw_value_free(opts);

	gw_error_clear(&err);
	assert_int_equal(gw_params_parse_json("[1]", "options", &opts, &err),
			 -EINVAL);
	assert_int_equal(err.kind, GW_ERR_USAGE);
	assert_int_equal(gw_params_parse_json("{", "options", &opts, NULL),
			 -EINVAL);
	fixture_close(&f);
}

/* ------------------------------------------------------------------ */
/* the lifecycle, with a real launcher and worker                      */
/* ------------------------------------------------------------------ */

#define ENVS_MANIFEST GW_SOURCE_ROOT "/tests/integration/envs/gymwarden.toml"

struct live {
	char jail[PATH_MAX];
	char worker[PATH_MAX];
	struct gw_env_config cfg;
	struct gw_manifest *m;
	int fds_before;
};

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	return n - 1; /* the one opendir holds */
}

/*
 * The launcher of this build, and a worker whose extension this
 * interpreter can load: a sanitizer build's is not, so such a build
 * borrows the plain build's worker when there is one.
 */
static bool find_live(struct live *l)
{
	char exe[PATH_MAX - 64];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	if (n <= 0)
		return false;
	exe[n] = '\0';
	for (int i = 0; i < 3 && (slash = strrchr(exe, '/')); i++)
		*slash = '\0';
	snprintf(l->jail, sizeof(l->jail), "%s/src/jail/gymwarden-jail", exe);
#if defined(__SANITIZE_ADDRESS__)
	snprintf(l->worker, sizeof(l->worker),
		 "%s/build/python/gymwarden/worker.py", GW_SOURCE_ROOT);
#else
	snprintf(l->worker, sizeof(l->worker), "%s/python/gymwarden/worker.py",
		 exe);
#endif
	return access(l->jail, X_OK) == 0 && access(l->worker, R_OK) == 0;
}

static int live_setup(void **state)
{
	static struct live l;

	memset(&l, 0, sizeof(l));
	*state = &l;
	if (!find_live(&l))
		return 0;
	l.cfg.jail_path = l.jail;
	l.cfg.worker_path = l.worker;
	if (gw_manifest_load(ENVS_MANIFEST, &l.m, NULL) < 0)
		return -1;
	l.fds_before = count_fds();
	return 0;
}

static int live_teardown(void **state)
{
	struct live *l = *state;

	gw_manifest_free(l->m);
	return 0;
}

static struct gw_env *live_open(struct live *l, const char *id)
{
	struct gw_env *e = NULL;
	struct gw_error err;

	if (!l->m)
		skip();
	gw_error_clear(&err);
	if (gw_env_open(l->m, id, &l->cfg, &e, &err) < 0)
		fail_msg("open %s: %s", id, err.msg);
	return e;
}

/* Nothing left: no child (not even a zombie), no fd of ours. */
static void assert_clean(struct live *l)
{
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
	assert_int_equal(count_fds(), l->fds_before);
}

/* Every name of a comma-separated list is a launcher layer. */
static void assert_known_layers(const char *list)
{
	char copy[512], *save = NULL;

	snprintf(copy, sizeof(copy), "%s", list);
	for (char *t = strtok_r(copy, ",", &save); t;
	     t = strtok_r(NULL, ",", &save)) {
		bool known = false;

		for (unsigned l = 0; l < GW_JAIL_LAYER_COUNT; l++)
			known |= strcmp(t, gw_jail_layer_name(l)) == 0;
		if (!known)
			fail_msg("unknown layer %s in %s", t, list);
	}
}

static int64_t action_of(int64_t a)
{
	return a;
}

static void env_enforces_the_lifecycle(void **state)
{
	struct live *l = *state;
	struct gw_env *e = live_open(l, "Good-v0");
	int64_t act = action_of(1), bad = action_of(2);
	struct gw_error err;
	struct gw_step st;
	uint64_t seed = 3;

	gw_error_clear(&err);
	assert_int_equal(gw_env_action_bytes(e), 8);
	assert_int_equal(gw_env_observation_bytes(e), 12);
	assert_known_layers(gw_env_layers(e));
	assert_non_null(strstr(gw_env_layers(e), "seccomp"));
	assert_non_null(strstr(gw_env_layers(e), "pdeathsig"));
	assert_true(gw_env_step(e, &act, 8, &st, &err) < 0);
	assert_int_equal(err.kind, GW_ERR_USAGE);

	assert_int_equal(gw_env_reset(e, &seed, NULL, &st, NULL), 0);
	assert_int_equal(st.step, 0);
	assert_string_equal(gw_env_info_json(e), "{}");
	gw_error_clear(&err);
	assert_true(gw_env_step(e, &act, 4, &st, &err) < 0);
	assert_int_equal(err.kind, GW_ERR_USAGE);
	gw_error_clear(&err);
	assert_true(gw_env_step(e, &bad, 8, &st, &err) < 0);
	assert_int_equal(err.kind, GW_ERR_ACTION);
	assert_string_equal(err.field, "action");
	assert_int_equal(gw_env_fault_count(e, GW_FAULT_ACTION), 1);

	for (uint64_t k = 1; k <= 20; k++) {
		assert_int_equal(gw_env_step(e, &act, 8, &st, NULL), 0);
		assert_int_equal(st.step, k);
		assert_true(st.reward == 1.0);
		assert_int_equal(st.terminated, k == 20);
	}
	assert_string_equal(gw_env_info_json(e), "{\"t\":20}");
	gw_error_clear(&err);
	assert_true(gw_env_step(e, &act, 8, &st, &err) < 0);
	assert_int_equal(err.kind, GW_ERR_USAGE);
	gw_error_clear(&err);
	assert_true(gw_env_reset(e, NULL, "{\"x\": 1}", &st, &err) < 0);
	assert_int_equal(err.kind, GW_ERR_ACTION);
	assert_int_equal(gw_env_reset(e, NULL, NULL, &st, NULL), 0);
	assert_int_equal(gw_env_step(e, &act, 8, &st, NULL), 0);

	assert_int_equal(gw_env_close(e, NULL), 0);
	assert_int_equal(gw_env_close(e, NULL), 0);
	assert_int_equal(gw_env_worker_pid(e), -1);
	gw_env_free(e);
	assert_clean(l);
}

static void env_after_a_crash_is_dead_and_reaped(void **state)
{
	struct live *l = *state;
	struct gw_env *e = live_open(l, "Crash-v0");
	int64_t act = 0;
	struct gw_error err;
	struct gw_step st;

	assert_int_equal(gw_env_reset(e, NULL, NULL, &st, NULL), 0);
	for (int k = 1; k < 3; k++)
		assert_int_equal(gw_env_step(e, &act, 8, &st, NULL), 0);
	gw_error_clear(&err);
	assert_true(gw_env_step(e, &act, 8, &st, &err) < 0);
	assert_int_equal(err.kind, GW_ERR_CRASHED);
	assert_int_equal(err.step, 3);
	assert_non_null(strstr(err.msg, "exited with status 7"));
	assert_non_null(strstr(err.msg, "CrashEnv: about to exit"));
	assert_string_equal(gw_env_stderr_tail(e), "CrashEnv: about to exit");
	assert_false(gw_env_alive(e));
	assert_int_equal(gw_env_worker_pid(e), -1);

	gw_error_clear(&err);
	assert_true(gw_env_reset(e, NULL, NULL, &st, &err) < 0);
	assert_int_equal(err.kind, GW_ERR_CRASHED);
	assert_true(gw_env_close(e, NULL) < 0);
	assert_int_equal(gw_env_close(e, NULL), 0);
	gw_env_free(e);
	assert_clean(l);
}

static void env_that_hangs_is_killed_at_its_deadline(void **state)
{
	struct live *l = *state;
	struct gw_env *e = live_open(l, "Hang-v0");
	int64_t act = 0;
	struct gw_error err;
	struct gw_step st;
	uint64_t began;

	assert_int_equal(gw_env_reset(e, NULL, NULL, &st, NULL), 0);
	for (int k = 1; k < 3; k++)
		assert_int_equal(gw_env_step(e, &act, 8, &st, NULL), 0);
	gw_error_clear(&err);
	began = gw_shm_now_ns();
	assert_true(gw_env_step(e, &act, 8, &st, &err) < 0);
	assert_true(gw_shm_now_ns() - began >= 290u * 1000 * 1000);
	assert_true(gw_shm_now_ns() - began < 3000ull * 1000 * 1000);
	assert_int_equal(err.kind, GW_ERR_TIMEOUT);
	assert_int_equal(err.step, 3);
	gw_error_clear(&err);
	assert_true(gw_env_step(e, &act, 8, &st, &err) < 0);
	assert_int_equal(err.kind, GW_ERR_TIMEOUT);
	gw_env_free(e);
	assert_clean(l);
}

static void env_that_raises_needs_a_reset(void **state)
{
	struct live *l = *state;
	struct gw_env *e = live_open(l, "Raise-v0");
	int64_t act = 0;
	struct gw_error err;
	struct gw_step st;

	assert_int_equal(gw_env_reset(e, NULL, NULL, &st, NULL), 0);
	for (int k = 1; k < 3; k++)
		assert_int_equal(gw_env_step(e, &act, 8, &st, NULL), 0);
	gw_error_clear(&err);
	assert_true(gw_env_step(e, &act, 8, &st, &err) < 0);
	assert_int_equal(err.kind, GW_ERR_CRASHED);
	assert_non_null(strstr(err.msg, "RuntimeError"));
	assert_null(strchr(err.msg, '\x1b'));
	assert_true(gw_env_alive(e));
	gw_error_clear(&err);
	assert_true(gw_env_step(e, &act, 8, &st, &err) < 0);
	assert_int_equal(err.kind, GW_ERR_USAGE);
	assert_int_equal(gw_env_reset(e, NULL, NULL, &st, NULL), 0);
	assert_int_equal(gw_env_step(e, &act, 8, &st, NULL), 0);
	assert_int_equal(gw_env_close(e, NULL), 0);
	gw_env_free(e);
	assert_clean(l);
}

static void env_open_refuses_before_spawning(void **state)
{
	struct live *l = *state;
	struct gw_env *e = NULL;
	struct gw_error err;
	struct gw_env_config cfg;

	if (!l->m)
		skip();
	cfg = l->cfg;
	cfg.kwargs_json = "{\"bad_step\": 4}";
	gw_error_clear(&err);
	assert_true(gw_env_open(l->m, "Good-v0", &cfg, &e, &err) < 0);
	assert_int_equal(err.kind, GW_ERR_ACTION);
	assert_null(e);
	gw_error_clear(&err);
	assert_true(gw_env_open(l->m, "Nope-v0", &cfg, &e, &err) < 0);
	assert_int_equal(err.kind, GW_ERR_MANIFEST);
	gw_error_clear(&err);
	assert_true(gw_env_open(l->m, "BadSpec-v0", &l->cfg, &e, &err) < 0);
	assert_int_equal(err.kind, GW_ERR_SPEC_MISMATCH);
	assert_string_equal(err.field, "observation_space");
	assert_clean(l);
}

int main(void)
{
	const struct CMUnitTest pure[] = {
		cmocka_unit_test(jail_line_parse_reads_every_kind),
		cmocka_unit_test(jail_line_parse_refuses_malformed_lines),
		cmocka_unit_test(result_parse_splits_a_well_formed_payload),
		cmocka_unit_test(result_parse_rejects_every_truncation),
		cmocka_unit_test(result_parse_survives_every_bit_flip),
		cmocka_unit_test(result_parse_rejects_bad_fields),
		cmocka_unit_test(space_from_value_matches_the_manifest_form),
		cmocka_unit_test(space_from_value_applies_the_manifest_checks),
		cmocka_unit_test(
			space_from_value_refuses_what_is_not_a_description),
		cmocka_unit_test(spec_parse_builds_both_spaces),
		cmocka_unit_test(
			spec_parse_refuses_truncations_and_survives_flips),
		cmocka_unit_test(spec_parse_needs_both_spaces),
		cmocka_unit_test(layout_value_is_pre_order_with_keys),
		cmocka_unit_test(logpipe_escapes_lines_and_keeps_a_tail),
		cmocka_unit_test(
			logpipe_cuts_long_lines_and_rate_limits_a_flood),
		cmocka_unit_test(info_with_an_object_is_refused_with_its_field),
		cmocka_unit_test(info_under_warn_passes_without_the_object),
		cmocka_unit_test(
			kwargs_merge_over_the_manifest_and_are_checked),
		cmocka_unit_test(options_are_checked_against_reset_options),
	};
	const struct CMUnitTest live[] = {
		cmocka_unit_test(env_enforces_the_lifecycle),
		cmocka_unit_test(env_after_a_crash_is_dead_and_reaped),
		cmocka_unit_test(env_that_hangs_is_killed_at_its_deadline),
		cmocka_unit_test(env_that_raises_needs_a_reset),
		cmocka_unit_test(env_open_refuses_before_spawning),
	};
	int failed;

	failed = cmocka_run_group_tests_name("monitor", pure, NULL, NULL);
	failed += cmocka_run_group_tests_name("monitor-live", live, live_setup,
					      live_teardown);
	return failed;
}
