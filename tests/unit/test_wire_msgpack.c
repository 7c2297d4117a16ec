/*
 * Unit tests for src/wire/msgpack and src/wire/value: decoding of every
 * type and form, every limit and rejection with its field path,
 * truncation and bit-flip sweeps, and encoder round trips.
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

#include "core/buf.h"
#include "core/limits.h"
#include "wire/msgpack.h"
#include "wire/value.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
/* A byte string literal and its length, NUL excluded. */
#define B(s) (const unsigned char *)(s), sizeof(s) - 1

/* ------------------------------------------------------------------ */
/* decoding scalars                                                    */
/* ------------------------------------------------------------------ */

struct scalar_case {
	const char *name;
	const unsigned char *bytes;
	size_t len;
	enum gw_value_kind kind;
	int64_t i;
	uint64_t u;
	double f;
	const char *s; /* STR, BIN, OBJECT contents */
	size_t slen;
};

/* clang-format off */
static const struct scalar_case scalar_cases[] = {
	{ "nil", B("\xc0"), GW_VALUE_NIL },
	{ "false", B("\xc2"), GW_VALUE_BOOL, 0 },
	{ "true", B("\xc3"), GW_VALUE_BOOL, 1 },
	{ "positive fixint 0", B("\x00"), GW_VALUE_INT, 0 },
	{ "positive fixint 127", B("\x7f"), GW_VALUE_INT, 127 },
	{ "negative fixint -1", B("\xff"), GW_VALUE_INT, -1 },
	{ "negative fixint -32", B("\xe0"), GW_VALUE_INT, -32 },
	{ "uint8", B("\xcc\xff"), GW_VALUE_INT, 255 },
	{ "uint16", B("\xcd\x01\x00"), GW_VALUE_INT, 256 },
	{ "uint32", B("\xce\xff\xff\xff\xff"), GW_VALUE_INT, 4294967295 },
	{ "uint64 at INT64_MAX", B("\xcf\x7f\xff\xff\xff\xff\xff\xff\xff"),
	  GW_VALUE_INT, INT64_MAX },
	{ "uint64 at 2^63", B("\xcf\x80\x00\x00\x00\x00\x00\x00\x00"),
	  GW_VALUE_UINT, 0, 1ull << 63 },
	{ "uint64 max", B("\xcf\xff\xff\xff\xff\xff\xff\xff\xff"),
	  GW_VALUE_UINT, 0, UINT64_MAX },
	{ "int8", B("\xd0\x80"), GW_VALUE_INT, -128 },
	{ "int16", B("\xd1\x80\x00"), GW_VALUE_INT, -32768 },
	{ "int32", B("\xd2\x80\x00\x00\x00"), GW_VALUE_INT, INT32_MIN },
	{ "int64 min", B("\xd3\x80\x00\x00\x00\x00\x00\x00\x00"), GW_VALUE_INT,
	  INT64_MIN },
	{ "non-minimal uint16 1", B("\xcd\x00\x01"), GW_VALUE_INT, 1 },
	{ "non-minimal int64 5", B("\xd3\x00\x00\x00\x00\x00\x00\x00\x05"),
	  GW_VALUE_INT, 5 },
	{ "float32 1.5", B("\xca\x3f\xc0\x00\x00"), GW_VALUE_FLOAT, 0, 0, 1.5 },
	{ "float64 -2.25", B("\xcb\xc0\x02\x00\x00\x00\x00\x00\x00"),
	  GW_VALUE_FLOAT, 0, 0, -2.25 },
	{ "float64 inf", B("\xcb\x7f\xf0\x00\x00\x00\x00\x00\x00"),
	  GW_VALUE_FLOAT, 0, 0, INFINITY },
	{ "empty fixstr", B("\xa0"), GW_VALUE_STR, 0, 0, 0, "", 0 },
	{ "fixstr", B("\xa3" "abc"), GW_VALUE_STR, 0, 0, 0, "abc", 3 },
	{ "str8", B("\xd9\x03" "abc"), GW_VALUE_STR, 0, 0, 0, "abc", 3 },
	{ "str16", B("\xda\x00\x03" "abc"), GW_VALUE_STR, 0, 0, 0, "abc", 3 },
	{ "str32", B("\xdb\x00\x00\x00\x03" "abc"), GW_VALUE_STR, 0, 0, 0,
	  "abc", 3 },
	{ "two-byte utf-8", B("\xa2\xc3\xa9"), GW_VALUE_STR, 0, 0, 0,
	  "\xc3\xa9", 2 },
	{ "four-byte utf-8", B("\xa4\xf0\x9f\x98\x80"), GW_VALUE_STR, 0, 0, 0,
	  "\xf0\x9f\x98\x80", 4 },
	{ "nul inside a str value", B("\xa3" "a\0b"), GW_VALUE_STR, 0, 0, 0,
	  "a\0b", 3 },
	{ "bin8 plain", B("\xc4\x04\x00" "abc"), GW_VALUE_BIN, 0, 0, 0, "abc",
	  3 },
	{ "bin16 empty plain", B("\xc5\x00\x01\x00"), GW_VALUE_BIN, 0, 0, 0, "",
	  0 },
	{ "bin32 plain", B("\xc6\x00\x00\x00\x02\x00" "z"), GW_VALUE_BIN, 0, 0,
	  0, "z", 1 },
	{ "object", B("\xc4\x05\x02" "dict"), GW_VALUE_OBJECT, 0, 0, 0, "dict",
	  4 },
	{ "object with empty name", B("\xc4\x01\x02"), GW_VALUE_OBJECT, 0, 0, 0,
	  "", 0 },
};
/* clang-format on */

static void check_scalar(const struct scalar_case *c, const struct gw_value *v)
{
	if (v->kind != c->kind)
		fail_msg("%s: kind %s, want %s", c->name,
			 gw_value_kind_name(v->kind),
			 gw_value_kind_name(c->kind));
	switch (c->kind) {
	case GW_VALUE_BOOL: assert_int_equal(v->b, c->i); break;
	case GW_VALUE_INT: assert_true(v->i == c->i); break;
	case GW_VALUE_UINT: assert_true(v->u == c->u); break;
	case GW_VALUE_FLOAT: assert_true(v->f == c->f); break;
	case GW_VALUE_STR:
	case GW_VALUE_OBJECT:
		assert_int_equal(v->str.len, c->slen);
		assert_memory_equal(v->str.ptr, c->s, c->slen + 1);
		break;
	case GW_VALUE_BIN:
		assert_int_equal(v->bin.len, c->slen);
		if (c->slen)
			assert_memory_equal(v->bin.ptr, c->s, c->slen);
		break;
	default: break;
	}
}

static void decode_reads_every_scalar_form(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(scalar_cases); i++) {
		const struct scalar_case *c = &scalar_cases[i];
		struct gw_value *v;
		struct gw_error err;

		gw_error_clear(&err);
		if (gw_msgpack_decode(c->bytes, c->len, NULL, "x", &v, &err))
			fail_msg("%s: refused: %s: %s", c->name, err.field,
				 err.msg);
		check_scalar(c, v);
		gw_value_free(v);
	}
}

static void decode_reads_nan_as_float(void **state)
{
	static const unsigned char nan64[] = { 0xcb, 0x7f, 0xf8, 0, 0,
					       0,    0,	   0,	 1 };
	struct gw_value *v;

	(void)state;
	assert_int_equal(
		gw_msgpack_decode(nan64, sizeof(nan64), NULL, NULL, &v, NULL),
		0);
	assert_int_equal(v->kind, GW_VALUE_FLOAT);
	assert_true(isnan(v->f));
	gw_value_free(v);
}

/* ------------------------------------------------------------------ */
/* decoding containers and ndarrays                                    */
/* ------------------------------------------------------------------ */

static struct gw_value *decode_ok(const unsigned char *p, size_t len)
{
	struct gw_value *v = NULL;
	struct gw_error err;

	gw_error_clear(&err);
	if (gw_msgpack_decode(p, len, NULL, "doc", &v, &err) != 0)
		fail_msg("refused: %s: %s", err.field, err.msg);
	return v;
}

static void decode_reads_arrays_in_every_form(void **state)
{
	static const struct {
		const unsigned char *p;
		size_t len;
		size_t n;
	} cases[] = {
		{ B("\x90"), 0 },
		{ B("\x93\x01\x02\x03"), 3 },
		{ B("\xdc\x00\x02\xc0\xc3"), 2 },
		{ B("\xdd\x00\x00\x00\x01\xa1x"), 1 },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct gw_value *v = decode_ok(cases[i].p, cases[i].len);

		assert_int_equal(v->kind, GW_VALUE_ARRAY);
		assert_int_equal(v->array.len, cases[i].n);
		gw_value_free(v);
	}
}

static void decode_keeps_map_keys_in_order(void **state)
{
	struct gw_value *v;

	(void)state;
	v = decode_ok(B("\x83\xa1z\x01\xa1"
			"a\x92\xc2\xc3\xa0\xa2hi"));
	assert_int_equal(v->kind, GW_VALUE_MAP);
	assert_int_equal(v->map.len, 3);
	assert_string_equal(v->map.pairs[0].key, "z");
	assert_string_equal(v->map.pairs[1].key, "a");
	assert_string_equal(v->map.pairs[2].key, "");
	assert_int_equal(gw_value_lookup(v, "z")->i, 1);
	assert_int_equal(gw_value_lookup(v, "a")->array.len, 2);
	assert_string_equal(gw_value_lookup(v, "")->str.ptr, "hi");
	assert_null(gw_value_lookup(v, "b"));
	assert_null(gw_value_lookup(gw_value_lookup(v, "z"), "z"));
	gw_value_free(v);

	v = decode_ok(B("\xde\x00\x01\xa1k\xc0"));
	assert_int_equal(v->map.len, 1);
	gw_value_free(v);
	v = decode_ok(B("\xdf\x00\x00\x00\x00"));
	assert_int_equal(v->map.len, 0);
	gw_value_free(v);
}

static void decode_reads_ndarrays(void **state)
{
	/* float32 [1.5, -2] shape (2,), then an int64 scalar 0-d array. */
	static const unsigned char vec[] = {
		0xc4, 19, 1, 11, 1,    2,    0, 0, 0, 0,    0,
		0,    0,  0, 0,	 0xc0, 0x3f, 0, 0, 0, 0xc0,
	};
	static const unsigned char scalar[] = { 0xc4, 11, 1, 5, 0, 7, 0,
						0,    0,  0, 0, 0, 0 };
	static const unsigned char empty[] = {
		0xc4, 19, 1,	12,   2,    0,	  0,	0,    0,    0,	  0,
		0,    0,  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f,
	};
	struct gw_value *v;
	float f[2];

	(void)state;
	v = decode_ok(vec, sizeof(vec));
	assert_int_equal(v->kind, GW_VALUE_NDARRAY);
	assert_int_equal(v->nd->dtype, GW_WIRE_DTYPE_FLOAT32);
	assert_int_equal(v->nd->ndim, 1);
	assert_int_equal(v->nd->shape[0], 2);
	assert_int_equal(v->nd->count, 2);
	assert_int_equal(v->nd->data_bytes, 8);
	memcpy(f, v->nd->data, sizeof(f));
	assert_true(f[0] == 1.5f && f[1] == -2.0f);
	gw_value_free(v);

	v = decode_ok(scalar, sizeof(scalar));
	assert_int_equal(v->nd->ndim, 0);
	assert_int_equal(v->nd->count, 1);
	assert_int_equal(v->nd->data[0], 7);
	gw_value_free(v);

	/* Zero elements: one huge dimension is fine when another is 0. */
	v = decode_ok(empty, sizeof(empty));
	assert_int_equal(v->nd->count, 0);
	assert_int_equal(v->nd->shape[1], 0x0fffffffffffffffull);
	gw_value_free(v);
}

/* ------------------------------------------------------------------ */
/* rejections                                                          */
/* ------------------------------------------------------------------ */

struct reject_case {
	const char *name;
	const unsigned char *bytes;
	size_t len;
	int want;
	const char *field;
	const char *msg;
};

/* clang-format off */
static const struct reject_case reject_cases[] = {
	{ "empty document", B(""), -EPROTO, "info", "ends early" },
	{ "fixext1", B("\xd4\x01\x00"), -EPROTO, "info",
	  "extension types are not allowed" },
	{ "ext8", B("\xc7\x01\x05\x00"), -EPROTO, "info", "extension types" },
	{ "ext inside a map", B("\x81\xa1" "e\xd5\x01\x00\x00"), -EPROTO,
	  "info.e", "extension types" },
	{ "byte 0xc1", B("\xc1"), -EPROTO, "info", "0xc1 is never used" },
	{ "trailing byte", B("\xc0\xc0"), -EPROTO, "info",
	  "1 trailing bytes after the value" },
	{ "trailing after a map", B("\x80\x01\x02\x03"), -EPROTO, "info",
	  "3 trailing bytes" },
	{ "invalid utf-8 str", B("\xa2\xc3\x28"), -EPROTO, "info",
	  "string is not valid UTF-8" },
	{ "invalid utf-8 deep in a map",
	  B("\x81\xa6player\x81\xa4name\xa2\xc3\x28"), -EPROTO,
	  "info.player.name", "string is not valid UTF-8" },
	{ "invalid utf-8 in an array", B("\x81\xa5items\x92\x01\xa1\xff"),
	  -EPROTO, "info.items[1]", "not valid UTF-8" },
	{ "odd key quoted in the path", B("\x81\xa3" "a.b\xa1\x80"), -EPROTO,
	  "info[\"a.b\"]", "not valid UTF-8" },
	{ "control byte in a key is escaped", B("\x81\xa2" "a\n\xa1\x80"),
	  -EPROTO, "info[\"a\\n\"]", "not valid UTF-8" },
	{ "overlong slash", B("\xa2\xc0\xaf"), -EPROTO, "info",
	  "not valid UTF-8" },
	{ "overlong three bytes", B("\xa3\xe0\x80\xaf"), -EPROTO, "info",
	  "not valid UTF-8" },
	{ "surrogate half", B("\xa3\xed\xa0\x80"), -EPROTO, "info",
	  "not valid UTF-8" },
	{ "above u+10ffff", B("\xa4\xf4\x90\x80\x80"), -EPROTO, "info",
	  "not valid UTF-8" },
	{ "cut sequence", B("\xa2" "a\xe2"), -EPROTO, "info",
	  "not valid UTF-8" },
	{ "key not a string", B("\x81\x01\x02"), -EPROTO, "info",
	  "map key 0 is not a string" },
	{ "bin key", B("\x81\xc4\x01\x00\x02"), -EPROTO, "info",
	  "map key 0 is not a string" },
	{ "key invalid utf-8", B("\x82\xa1" "a\xc0\xa2\xc3\x28\x01"), -EPROTO,
	  "info", "map key 1 is not valid UTF-8" },
	{ "key with a nul byte", B("\x81\xa2" "a\0\x01"), -EPROTO, "info",
	  "map key 0 contains a NUL byte" },
	{ "duplicate key", B("\x82\xa1" "a\x01\xa1" "a\x02"), -EPROTO, "info.a",
	  "duplicate key" },
	{ "duplicate key in a nested map",
	  B("\x81\xa1m\x83\xa1x\x01\xa1y\x02\xa1x\x03"), -EPROTO, "info.m.x",
	  "duplicate key" },
	{ "duplicate key in a big map",
	  B("\x8a\xa1" "a\x00\xa1" "b\x00\xa1" "c\x00\xa1" "d\x00\xa1" "e\x00"
	    "\xa1" "f\x00\xa1" "g\x00\xa1" "h\x00\xa1" "i\x00\xa1" "c\x00"),
	  -EPROTO, "info.c", "duplicate key" },
	{ "bin without a tag", B("\xc4\x00"), -EPROTO, "info",
	  "bin has no tag byte" },
	{ "unknown bin tag", B("\xc4\x01\x03"), -EPROTO, "info",
	  "unknown bin tag 3" },
	{ "ndarray header cut", B("\xc4\x02\x01\x0b"), -EPROTO, "info",
	  "ndarray header ends early" },
	{ "ndarray dtype 0", B("\xc4\x03\x01\x00\x00"), -EPROTO, "info",
	  "unknown ndarray dtype code 0" },
	{ "ndarray dtype 13", B("\xc4\x03\x01\x0d\x00"), -EPROTO, "info",
	  "unknown ndarray dtype code 13" },
	{ "ndarray with 17 dimensions", B("\xc4\x03\x01\x06\x11"), -E2BIG,
	  "info", "17 dimensions exceeds the limit of 16" },
	{ "ndarray shape cut", B("\xc4\x07\x01\x06\x01\x02\x00\x00\x00"),
	  -EPROTO, "info", "ndarray shape ends early" },
	{ "ndarray data short",
	  B("\xc4\x0c\x01\x06\x01\x02\x00\x00\x00\x00\x00\x00\x00\x07"),
	  -EPROTO, "info",
	  "ndarray data is 1 bytes but its shape and dtype need 2" },
	{ "ndarray data long",
	  B("\xc4\x0e\x01\x06\x01\x02\x00\x00\x00\x00\x00\x00\x00"
	    "\x07\x07\x07"),
	  -EPROTO, "info", "ndarray data is 3 bytes" },
	{ "ndarray shape overflows",
	  B("\xc4\x13\x01\x06\x02\x00\x00\x00\x00\x01\x00\x00\x00"
	    "\x00\x00\x00\x00\x01\x00\x00\x00"),
	  -E2BIG, "info", "ndarray shape overflows" },
	{ "ndarray size overflows",
	  B("\xc4\x0b\x01\x0c\x01\x00\x00\x00\x00\x00\x00\x00\x20"), -E2BIG,
	  "info", "ndarray size overflows" },
	{ "bool ndarray element 2",
	  B("\xc4\x0d\x01\x01\x01\x02\x00\x00\x00\x00\x00\x00\x00\x01\x02"),
	  -EPROTO, "info", "bool ndarray element 1 is 2, not 0 or 1" },
	{ "object name invalid utf-8", B("\xc4\x02\x02\xff"), -EPROTO, "info",
	  "object type name is not valid UTF-8" },
	{ "bin8 header cut", B("\xc4"), -EPROTO, "info",
	  "inside a bin header" },
	{ "bin32 header cut", B("\xc6\x00\x00\x00"), -EPROTO, "info",
	  "inside a bin header" },
	{ "str header cut", B("\xda\x00"), -EPROTO, "info",
	  "inside a string header" },
	{ "str body cut", B("\xa5" "ab"), -EPROTO, "info", "inside a string" },
	{ "bin body cut", B("\xc4\x05\x00" "ab"), -EPROTO, "info",
	  "inside a bin" },
	{ "int cut", B("\xd2\x00\x00"), -EPROTO, "info", "inside an integer" },
	{ "float cut", B("\xcb\x00\x00"), -EPROTO, "info", "inside a float" },
	{ "array claims more than it has", B("\x9a\x01\x02"), -EPROTO, "info",
	  "inside an array" },
	{ "array32 header cut", B("\xdd\x00\x00"), -EPROTO, "info",
	  "inside an array header" },
	{ "map claims more than it has", B("\x85\xa1" "a\x01"), -EPROTO, "info",
	  "inside a map" },
	{ "map value missing", B("\x81\xa1" "a"), -EPROTO, "info.a",
	  "ends early, inside a value" },
	{ "key cut", B("\x81\xa3" "a"), -EPROTO, "info", "inside a map key" },
	{ "str of 4 GiB claimed", B("\xdb\xff\xff\xff\xff"), -E2BIG, "info",
	  "string of 4294967295 bytes exceeds the 1048576-byte limit" },
	{ "bin of 4 GiB claimed", B("\xc6\xff\xff\xff\xff"), -E2BIG, "info",
	  "bin of 4294967295 bytes exceeds" },
	{ "array of 4 Gi elements claimed", B("\xdd\xff\xff\xff\xff"), -E2BIG,
	  "info",
	  "array of 4294967295 elements exceeds the limit of 65536" },
	{ "map of 4 Gi pairs claimed", B("\xdf\xff\xff\xff\xff"), -E2BIG,
	  "info", "map of 4294967295 pairs exceeds" },
	{ "array one past the element limit", B("\xdd\x00\x01\x00\x00"), -E2BIG,
	  "info", "array of 65536 elements" },
};
/* clang-format on */

static void decode_rejects_with_field_path(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(reject_cases); i++) {
		const struct reject_case *c = &reject_cases[i];
		struct gw_value *v = (struct gw_value *)1;
		struct gw_error err;
		int r;

		gw_error_clear(&err);
		r = gw_msgpack_decode(c->bytes, c->len, NULL, "info", &v, &err);
		if (r != c->want || strcmp(err.field, c->field) != 0 ||
		    !strstr(err.msg, c->msg) || v != NULL)
			fail_msg("%s: got %d '%s: %s', want %d '%s: %s'",
				 c->name, r, err.field, err.msg, c->want,
				 c->field, c->msg);
		assert_int_equal(err.code, r);
	}
}

/* n nested arrays around a nil, into a malloc'd buffer. */
static unsigned char *nested_arrays(size_t n, size_t *len)
{
	unsigned char *p = malloc(n + 1);

	memset(p, 0x91, n);
	p[n] = 0xc0;
	*len = n + 1;
	return p;
}

static void decode_enforces_depth(void **state)
{
	struct gw_msgpack_limits lim;
	struct gw_value *v;
	struct gw_error err;
	unsigned char *p;
	size_t len;

	(void)state;
	p = nested_arrays(GW_MSGPACK_MAX_DEPTH, &len);
	assert_int_equal(gw_msgpack_decode(p, len, NULL, "d", &v, NULL), 0);
	gw_value_free(v);
	free(p);

	p = nested_arrays(GW_MSGPACK_MAX_DEPTH + 1, &len);
	gw_error_clear(&err);
	assert_int_equal(gw_msgpack_decode(p, len, NULL, "d", &v, &err),
			 -E2BIG);
	assert_string_equal(err.msg, "containers nested deeper than 32");
	assert_non_null(strstr(err.field, "d[0][0][0]"));
	free(p);

	/* A limit above the default is read as the default. */
	gw_msgpack_limits_default(&lim);
	lim.max_depth = 1000;
	p = nested_arrays(100, &len);
	assert_int_equal(gw_msgpack_decode(p, len, &lim, "d", &v, NULL),
			 -E2BIG);
	free(p);

	lim.max_depth = 2;
	assert_int_equal(
		gw_msgpack_decode(B("\x91\x91\xc0"), &lim, "d", &v, NULL), 0);
	gw_value_free(v);
	gw_error_clear(&err);
	assert_int_equal(gw_msgpack_decode(B("\x81\xa1"
					     "a\x91\x80"),
					   &lim, "d", &v, &err),
			 -E2BIG);
	assert_string_equal(err.field, "d.a[0]");
}

struct limit_case {
	const char *name;
	const unsigned char *bytes;
	size_t len;
	struct gw_msgpack_limits lim;
	int want;
	const char *field;
	const char *msg;
};

/* depth, elems, str, total, key */
/* clang-format off */
static const struct limit_case limit_cases[] = {
	{ "elements at the limit", B("\x93\x01\x02\x03"), { 32, 4, 64, 64, 64 },
	  0, "", "" },
	{ "elements one past the limit", B("\x94\x01\x02\x03\x04"),
	  { 32, 4, 64, 64, 64 }, -E2BIG, "r",
	  "array of 4 elements exceeds the limit of 4" },
	{ "keys count as elements", B("\x82\xa1" "a\x01\xa1" "b\x02"),
	  { 32, 4, 64, 64, 64 }, -E2BIG, "r", "map of 2 pairs exceeds" },
	{ "nested elements add up", B("\x92\x92\x01\x02\x92\x03\x04"),
	  { 32, 6, 64, 64, 64 }, -E2BIG, "r[1]", "exceeds the limit of 6" },
	{ "running count catches a scalar", B("\x92\x91\x01\x01"),
	  { 32, 3, 64, 64, 64 }, -E2BIG, "r[1]", "more than 3 elements" },
	{ "str at the limit", B("\xa3" "abc"), { 32, 9, 3, 64, 64 }, 0, "",
	  "" },
	{ "str one past the limit", B("\xa4" "abcd"), { 32, 9, 3, 64, 64 },
	  -E2BIG, "r", "string of 4 bytes exceeds the 3-byte limit" },
	{ "bin with its tag counts", B("\xc4\x04\x00" "abc"),
	  { 32, 9, 3, 64, 64 }, -E2BIG, "r",
	  "bin of 4 bytes exceeds the 3-byte limit" },
	{ "total at the limit", B("\xa3" "abc"), { 32, 9, 64, 4, 64 }, 0, "",
	  "" },
	{ "total one past the limit", B("\xa4" "abcd"), { 32, 9, 64, 4, 64 },
	  -E2BIG, "r", "document of 5 bytes exceeds the 4-byte limit" },
	{ "key at the limit", B("\x81\xa2" "ab\xc0"), { 32, 9, 64, 64, 2 }, 0,
	  "", "" },
	{ "key one past the limit", B("\x81\xa1" "a\x81\xa3" "abc\xc0"),
	  { 32, 9, 64, 64, 2 }, -E2BIG, "r.a",
	  "map key 0 of 3 bytes exceeds the 2-byte limit" },
	{ "zero elements refuses even nil", B("\xc0"), { 32, 0, 64, 64, 64 },
	  -E2BIG, "r", "more than 0 elements" },
};
/* clang-format on */

static void decode_enforces_each_limit(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(limit_cases); i++) {
		const struct limit_case *c = &limit_cases[i];
		struct gw_value *v = NULL;
		struct gw_error err;
		int r;

		gw_error_clear(&err);
		r = gw_msgpack_decode(c->bytes, c->len, &c->lim, "r", &v, &err);
		if (r != c->want || strcmp(err.field, c->field) != 0 ||
		    !strstr(err.msg, c->msg))
			fail_msg("%s: got %d '%s: %s', want %d '%s: %s'",
				 c->name, r, err.field, err.msg, c->want,
				 c->field, c->msg);
		gw_value_free(v);
	}
}

static void decode_enforces_default_sizes(void **state)
{
	size_t n = GW_MSGPACK_MAX_STR_BYTES + 1;
	unsigned char *p = malloc(n + 5);
	struct gw_value *v;
	struct gw_error err;

	(void)state;
	/* A str of 1 MiB + 1 claimed and present: refused by size. */
	p[0] = 0xdb;
	p[1] = (unsigned char)(n >> 24);
	p[2] = (unsigned char)(n >> 16);
	p[3] = (unsigned char)(n >> 8);
	p[4] = (unsigned char)n;
	memset(p + 5, 'a', n);
	gw_error_clear(&err);
	assert_int_equal(gw_msgpack_decode(p, n + 5, NULL, "s", &v, &err),
			 -E2BIG);
	assert_non_null(strstr(err.msg, "exceeds the 1048576-byte limit"));

	/* A key of 256 bytes is the limit; 257 is past it. */
	p[0] = 0x81;
	p[1] = 0xda;
	p[2] = 0x01;
	p[3] = 0x00;
	memset(p + 4, 'k', 256);
	p[4 + 256] = 0xc0;
	assert_int_equal(gw_msgpack_decode(p, 4 + 256 + 1, NULL, "m", &v, NULL),
			 0);
	gw_value_free(v);
	p[3] = 0x01;
	memset(p + 4, 'k', 257);
	p[4 + 257] = 0xc0;
	gw_error_clear(&err);
	assert_int_equal(gw_msgpack_decode(p, 4 + 257 + 1, NULL, "m", &v, &err),
			 -E2BIG);
	assert_string_equal(err.msg,
			    "map key 0 of 257 bytes exceeds the 256-byte "
			    "limit");

	/* An object type name of 257 bytes. */
	p[0] = 0xc5;
	p[1] = 0x01;
	p[2] = 0x02;
	p[3] = 0x02;
	memset(p + 4, 'T', 257);
	assert_int_equal(gw_msgpack_decode(p, 4 + 257, NULL, "o", &v, NULL),
			 -E2BIG);
	free(p);
}

static void decode_counts_elements_across_the_tree(void **state)
{
	/* 64 Ki elements: an array of 65535 nils is the limit exactly. */
	size_t n = GW_MSGPACK_MAX_ELEMS - 1;
	unsigned char *p = malloc(n + 6);
	struct gw_value *v;

	(void)state;
	p[0] = 0xdd;
	p[1] = 0;
	p[2] = (unsigned char)(n >> 16);
	p[3] = (unsigned char)(n >> 8);
	p[4] = (unsigned char)n;
	memset(p + 5, 0xc0, n);
	assert_int_equal(gw_msgpack_decode(p, n + 5, NULL, "a", &v, NULL), 0);
	assert_int_equal(v->array.len, n);
	gw_value_free(v);

	/* The last nil wrapped in an array is one element too many. */
	p[n + 4] = 0x91;
	p[n + 5] = 0xc0;
	assert_int_equal(gw_msgpack_decode(p, n + 6, NULL, "a", &v, NULL),
			 -E2BIG);
	free(p);
}

static void decode_detects_duplicates_among_many_keys(void **state)
{
	struct gw_buf b;
	struct gw_value *v;
	struct gw_error err;
	size_t last = 0;
	char key[16];

	(void)state;
	gw_buf_init(&b, 1u << 20);
	assert_int_equal(gw_buf_append(&b, "\xde\x4e\x20", 3), 0);
	for (int i = 0; i < 20000; i++) {
		int n = snprintf(key, sizeof(key), "k%d", i == 19999 ? 777 : i);
		char head = (char)(0xa0 | n);

		last = b.len;
		assert_int_equal(gw_buf_append(&b, &head, 1), 0);
		assert_int_equal(gw_buf_append(&b, key, (size_t)n), 0);
		assert_int_equal(gw_buf_append(&b, "\xc0", 1), 0);
	}
	gw_error_clear(&err);
	assert_int_equal(gw_msgpack_decode(b.data, b.len, NULL, "m", &v, &err),
			 -EPROTO);
	assert_string_equal(err.field, "m.k777");
	assert_string_equal(err.msg, "duplicate key");

	/* The same map with a fresh last key decodes. */
	b.len = last;
	assert_int_equal(gw_buf_append(&b, "\xa5zzzzz\xc0", 7), 0);
	assert_int_equal(gw_msgpack_decode(b.data, b.len, NULL, "m", &v, NULL),
			 0);
	assert_int_equal(v->map.len, 20000);
	gw_value_free(v);
	gw_buf_free(&b);
}

static void decode_path_is_cut_with_ellipsis(void **state)
{
	unsigned char doc[32 * 12 + 8];
	struct gw_value *v;
	struct gw_error err;
	size_t n = 0;

	(void)state;
	/* 31 maps nested under keys "abcdefghij", then a bad string. */
	for (int i = 0; i < 31; i++) {
		doc[n++] = 0x81;
		doc[n++] = 0xaa;
		memcpy(doc + n, "abcdefghij", 10);
		n += 10;
	}
	doc[n++] = 0xa1;
	doc[n++] = 0xff;
	gw_error_clear(&err);
	assert_int_equal(gw_msgpack_decode(doc, n, NULL, "info", &v, &err),
			 -EPROTO);
	assert_true(strlen(err.field) < sizeof(err.field));
	assert_non_null(strstr(err.field, "..."));
	assert_memory_equal(err.field, "info.abcdefghij.", 16);
}

/* ------------------------------------------------------------------ */
/* sweeps                                                              */
/* ------------------------------------------------------------------ */

/* A document with one of everything, built by hand (not by the encoder). */
static const unsigned char sample[] =
	"\x8b"
	"\xa3nil\xc0"
	"\xa4"
	"bool\xc3"
	"\xa3int\xd1\xff\x38"
	"\xa4uint\xcf\xff\xff\xff\xff\xff\xff\xff\xfe"
	"\xa5"
	"float\xcb\x3f\xf8\x00\x00\x00\x00\x00\x00"
	"\xa3str\xa6"
	"caf\xc3\xa9!"
	"\xa3"
	"bin\xc4\x04\x00\x01\x02\x03"
	"\xa2nd\xc4\x1b\x01\x04\x02\x02\x00\x00\x00\x00\x00\x00\x00"
	"\x01\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x02\x00\x00\x00"
	"\xa3obj\xc4\x07\x02Socket"
	"\xa4list\x93\x01\x92\xa1x\xc2\x80"
	"\xa6player\x82\xa4name\xa3"
	"bob\xa2hp\xca\x42\xc8\x00\x00";

static const struct {
	const unsigned char *p;
	size_t len;
} sweep_docs[] = {
	{ sample, sizeof(sample) - 1 },
	{ B("\x92\xa5hello\xc4\x03\x00\xff\xee") },
	{ B("\x81\xa1k\xdc\x00\x03\xcd\x01\x00\xd0\x80\xda\x00\x01z") },
	{ B("\xcf\x80\x00\x00\x00\x00\x00\x00\x01") },
};

static void decode_sample_has_everything(void **state)
{
	struct gw_value *v = decode_ok(sample, sizeof(sample) - 1);
	const struct gw_value *p;

	(void)state;
	assert_int_equal(v->map.len, 11);
	assert_int_equal(gw_value_lookup(v, "int")->i, -200);
	assert_true(gw_value_lookup(v, "uint")->u == UINT64_MAX - 1);
	assert_int_equal(gw_value_lookup(v, "nd")->nd->count, 2);
	assert_string_equal(gw_value_lookup(v, "obj")->str.ptr, "Socket");
	p = gw_value_lookup(v, "player");
	assert_string_equal(gw_value_lookup(p, "name")->str.ptr, "bob");
	assert_true(gw_value_lookup(p, "hp")->f == 100.0);
	gw_value_free(v);
}

static void decode_rejects_every_truncation(void **state)
{
	(void)state;
	for (size_t d = 0; d < ARRAY_LEN(sweep_docs); d++)
		for (size_t n = 0; n < sweep_docs[d].len; n++) {
			struct gw_value *v = (struct gw_value *)1;
			struct gw_error err;
			int r;

			gw_error_clear(&err);
			r = gw_msgpack_decode(sweep_docs[d].p, n, NULL, "t", &v,
					      &err);
			if (r != -EPROTO || v != NULL || !err.msg[0])
				fail_msg("doc %zu cut at %zu: got %d '%s'", d,
					 n, r, err.msg);
		}
}

/* A decoded value must survive the encoder and decode back equal. */
static void check_reencodes(const struct gw_value *v)
{
	struct gw_value *again;
	struct gw_error err;
	struct gw_buf b;

	gw_buf_init(&b, 1u << 20);
	gw_error_clear(&err);
	if (gw_msgpack_encode(v, NULL, "r", &b, &err) != 0)
		fail_msg("re-encoding refused: %s: %s", err.field, err.msg);
	assert_int_equal(
		gw_msgpack_decode(b.data, b.len, NULL, "r", &again, NULL), 0);
	assert_true(gw_value_equal(v, again));
	gw_value_free(again);
	gw_buf_free(&b);
}

static void decode_survives_every_bit_flip(void **state)
{
	size_t len = sizeof(sample) - 1;
	unsigned char *doc = malloc(len);
	size_t accepted = 0;

	(void)state;
	for (size_t bit = 0; bit < len * 8; bit++) {
		struct gw_value *v = NULL;
		struct gw_error err;
		int r;

		memcpy(doc, sample, len);
		doc[bit / 8] ^= (unsigned char)(1u << (bit % 8));
		gw_error_clear(&err);
		r = gw_msgpack_decode(doc, len, NULL, "f", &v, &err);
		if (r == 0) {
			accepted++;
			check_reencodes(v);
			gw_value_free(v);
			continue;
		}
		if ((r != -EPROTO && r != -E2BIG) || v || err.code != r ||
		    !err.msg[0])
			fail_msg("bit %zu: got %d '%s'", bit, r, err.msg);
	}
	/* Flips inside string bodies and numbers still decode. */
	assert_true(accepted > 0);
	free(doc);
}

/* ------------------------------------------------------------------ */
/* encoding                                                            */
/* ------------------------------------------------------------------ */

struct int_form {
	int64_t i;
	const unsigned char *bytes;
	size_t len;
};

static const struct int_form int_forms[] = {
	{ 0, B("\x00") },
	{ 127, B("\x7f") },
	{ 128, B("\xcc\x80") },
	{ 65535, B("\xcd\xff\xff") },
	{ 65536, B("\xce\x00\x01\x00\x00") },
	{ 4294967296, B("\xcf\x00\x00\x00\x01\x00\x00\x00\x00") },
	{ -1, B("\xff") },
	{ -32, B("\xe0") },
	{ -33, B("\xd0\xdf") },
	{ -200, B("\xd1\xff\x38") },
	{ INT64_MIN, B("\xd3\x80\x00\x00\x00\x00\x00\x00\x00") },
};

static void encode_writes_smallest_int_forms(void **state)
{
	struct gw_value v = { 0 };
	struct gw_buf b;

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(int_forms); i++) {
		gw_buf_init(&b, 64);
		gw_value_set_int(&v, int_forms[i].i);
		assert_int_equal(gw_msgpack_encode(&v, NULL, NULL, &b, NULL),
				 0);
		assert_int_equal(b.len, int_forms[i].len);
		assert_memory_equal(b.data, int_forms[i].bytes, b.len);
		gw_buf_free(&b);
	}
	gw_buf_init(&b, 64);
	gw_value_set_uint(&v, UINT64_MAX);
	assert_int_equal(v.kind, GW_VALUE_UINT);
	assert_int_equal(gw_msgpack_encode(&v, NULL, NULL, &b, NULL), 0);
	assert_memory_equal(b.data, "\xcf\xff\xff\xff\xff\xff\xff\xff\xff", 9);
	gw_value_set_uint(&v, 5);
	assert_int_equal(v.kind, GW_VALUE_INT);
	gw_buf_free(&b);
}

static void encode_writes_smallest_str_forms(void **state)
{
	static const struct {
		size_t len;
		const char *head;
		size_t head_len;
	} forms[] = {
		{ 0, "\xa0", 1 },
		{ 31, "\xbf", 1 },
		{ 32, "\xd9\x20", 2 },
		{ 255, "\xd9\xff", 2 },
		{ 256, "\xda\x01\x00", 3 },
		{ 65536, "\xdb\x00\x01\x00\x00", 5 },
	};
	char *text = malloc(65536);
	struct gw_value v = { 0 };
	struct gw_buf b;

	(void)state;
	memset(text, 'q', 65536);
	for (size_t i = 0; i < ARRAY_LEN(forms); i++) {
		gw_buf_init(&b, 1u << 20);
		assert_int_equal(gw_value_set_str(&v, text, forms[i].len), 0);
		assert_int_equal(gw_msgpack_encode(&v, NULL, NULL, &b, NULL),
				 0);
		assert_int_equal(b.len, forms[i].head_len + forms[i].len);
		assert_memory_equal(b.data, forms[i].head, forms[i].head_len);
		gw_buf_free(&b);
	}
	gw_value_clear(&v);
	free(text);
}

/* A tree with every kind, built with the setters. */
static struct gw_value *build_tree(void)
{
	static const uint64_t shape[2] = { 2, 3 };
	static const int16_t cells[6] = { 1, -2, 3, -4, 5, -6 };
	struct gw_value *root = gw_value_new(), *list, *map;

	gw_value_set_map(root);
	gw_value_set_nil(gw_value_map_push(root, "nil", 3));
	gw_value_set_bool(gw_value_map_push(root, "yes", 3), true);
	gw_value_set_int(gw_value_map_push(root, "neg", 3), -123456789);
	gw_value_set_uint(gw_value_map_push(root, "big", 3), UINT64_MAX);
	gw_value_set_float(gw_value_map_push(root, "nan", 3), NAN);
	gw_value_set_float(gw_value_map_push(root, "negzero", 7), -0.0);
	assert_int_equal(gw_value_set_str(gw_value_map_push(root, "s", 1),
					  "\xe2\x82\xac 5", 5),
			 0);
	assert_int_equal(
		gw_value_set_bin(gw_value_map_push(root, "b", 1), "\0\1\2", 3),
		0);
	assert_int_equal(gw_value_set_ndarray(gw_value_map_push(root, "nd", 2),
					      GW_WIRE_DTYPE_INT16, 2, shape,
					      cells),
			 0);
	assert_int_equal(gw_value_set_object(gw_value_map_push(root, "o", 1),
					     "Generator", 9),
			 0);
	list = gw_value_map_push(root, "list", 4);
	gw_value_set_array(list);
	for (int i = 0; i < 40; i++)
		gw_value_set_int(gw_value_array_push(list), i * 1000);
	map = gw_value_array_push(list);
	gw_value_set_map(map);
	gw_value_set_array(gw_value_map_push(map, "empty", 5));
	gw_value_set_map(gw_value_map_push(root, "emptymap", 8));
	return root;
}

static void encode_then_decode_gives_the_same_tree(void **state)
{
	struct gw_value *tree = build_tree(), *back;
	struct gw_error err;
	struct gw_buf b;

	(void)state;
	gw_buf_init(&b, 4096);
	gw_error_clear(&err);
	assert_int_equal(gw_msgpack_encode(tree, NULL, "t", &b, &err), 0);
	assert_int_equal(
		gw_msgpack_decode(b.data, b.len, NULL, "t", &back, &err), 0);
	assert_true(gw_value_equal(tree, back));
	assert_true(isnan(gw_value_lookup(back, "nan")->f));
	assert_true(signbit(gw_value_lookup(back, "negzero")->f));
	assert_int_equal(gw_value_lookup(back, "nd")->nd->data_bytes, 12);

	/* And equality notices a difference. */
	gw_value_set_float((struct gw_value *)gw_value_lookup(back, "negzero"),
			   0.0);
	assert_false(gw_value_equal(tree, back));
	gw_value_free(back);
	gw_value_free(tree);
	gw_buf_free(&b);
}

static void encode_appends_and_restores_on_failure(void **state)
{
	struct gw_value *tree = build_tree();
	struct gw_value v = { 0 };
	struct gw_error err;
	struct gw_buf b;

	(void)state;
	gw_buf_init(&b, 64);
	assert_int_equal(gw_buf_append(&b, "prefix", 6), 0);
	gw_error_clear(&err);
	assert_int_equal(gw_msgpack_encode(tree, NULL, "t", &b, &err), -E2BIG);
	assert_non_null(strstr(err.msg, "buffer's 64-byte cap"));
	assert_int_equal(b.len, 6);
	assert_string_equal(b.data, "prefix");

	gw_value_set_int(&v, 7);
	assert_int_equal(gw_msgpack_encode(&v, NULL, "t", &b, NULL), 0);
	assert_int_equal(b.len, 7);
	assert_int_equal(b.data[6], 7);
	gw_value_free(tree);
	gw_buf_free(&b);
}

static void encode_refuses_what_decode_would(void **state)
{
	struct gw_msgpack_limits lim;
	struct gw_value *m = gw_value_new(), *deep, *p, v = { 0 };
	struct gw_error err;
	struct gw_buf b;

	(void)state;
	gw_buf_init(&b, 1u << 20);

	gw_error_clear(&err);
	gw_value_set_map(m);
	assert_int_equal(
		gw_value_set_str(gw_value_map_push(m, "s", 1), "\xc3\x28", 2),
		0);
	assert_int_equal(gw_msgpack_encode(m, NULL, "o", &b, &err), -EINVAL);
	assert_string_equal(err.field, "o.s");
	assert_string_equal(err.msg, "string is not valid UTF-8");

	gw_error_clear(&err);
	gw_value_set_map(m);
	gw_value_map_push(m, "k", 1);
	gw_value_map_push(m, "k", 1);
	assert_int_equal(gw_msgpack_encode(m, NULL, "o", &b, &err), -EINVAL);
	assert_string_equal(err.field, "o.k");
	assert_string_equal(err.msg, "duplicate key");

	/* The setter refuses a NUL key; a hand-edited one is refused too. */
	gw_value_set_map(m);
	assert_null(gw_value_map_push(m, "a\0b", 3));
	gw_value_map_push(m, "ab", 2);
	m->map.pairs[0].key[1] = '\0';
	gw_error_clear(&err);
	assert_int_equal(gw_msgpack_encode(m, NULL, "o", &b, &err), -EINVAL);
	assert_string_equal(err.msg, "map key 0 contains a NUL byte");

	deep = gw_value_new();
	gw_value_set_array(deep);
	p = deep;
	for (int i = 0; i < 40; i++) {
		p = gw_value_array_push(p);
		gw_value_set_array(p);
	}
	gw_error_clear(&err);
	assert_int_equal(gw_msgpack_encode(deep, NULL, "d", &b, &err), -E2BIG);
	assert_string_equal(err.msg, "containers nested deeper than 32");

	gw_msgpack_limits_default(&lim);
	lim.max_total_bytes = 3;
	assert_int_equal(gw_value_set_str(&v, "abcd", 4), 0);
	gw_error_clear(&err);
	assert_int_equal(gw_msgpack_encode(&v, &lim, "s", &b, &err), -E2BIG);
	assert_string_equal(err.msg, "document exceeds the 3-byte limit");
	assert_int_equal(b.len, 0);

	v.str.len = GW_MSGPACK_MAX_STR_BYTES + 1;
	assert_int_equal(gw_msgpack_encode(&v, NULL, "s", &b, NULL), -E2BIG);
	v.str.len = 4;
	gw_value_clear(&v);

	gw_value_free(deep);
	gw_value_free(m);
	gw_buf_free(&b);
}

static void encode_refuses_inconsistent_ndarray(void **state)
{
	static const uint64_t shape[1] = { 4 };
	struct gw_value v = { 0 };
	struct gw_error err;
	struct gw_buf b;

	(void)state;
	gw_buf_init(&b, 1024);
	assert_int_equal(
		gw_value_set_ndarray(&v, GW_WIRE_DTYPE_FLOAT64, 1, shape, NULL),
		0);
	assert_int_equal(v.nd->data_bytes, 32);
	v.nd->shape[0] = 5;
	gw_error_clear(&err);
	assert_int_equal(gw_msgpack_encode(&v, NULL, "a", &b, &err), -EINVAL);
	assert_string_equal(err.msg, "ndarray shape, dtype and data disagree");
	gw_value_clear(&v);

	assert_int_equal(gw_value_set_ndarray(&v, 0, 1, shape, NULL), -EINVAL);
	assert_int_equal(gw_value_set_ndarray(&v, 13, 1, shape, NULL), -EINVAL);
	assert_int_equal(gw_value_set_ndarray(&v, 1, 17, shape, NULL), -EINVAL);
	assert_int_equal(v.kind, GW_VALUE_NIL);
	gw_buf_free(&b);
}

static void utf8_validator_table(void **state)
{
	static const struct {
		const char *s;
		size_t len;
		bool ok;
	} cases[] = {
		{ "", 0, true },
		{ "plain", 5, true },
		{ "\x7f", 1, true },
		{ "\xc2\x80", 2, true },
		{ "\xdf\xbf", 2, true },
		{ "\xe0\xa0\x80", 3, true },
		{ "\xef\xbf\xbf", 3, true },
		{ "\xf0\x90\x80\x80", 4, true },
		{ "\xf4\x8f\xbf\xbf", 4, true },
		{ "\x80", 1, false },
		{ "\xc1\xbf", 2, false },
		{ "\xc2", 1, false },
		{ "\xc2\x20", 2, false },
		{ "\xe0\x9f\xbf", 3, false },
		{ "\xed\xbf\xbf", 3, false },
		{ "\xf0\x8f\xbf\xbf", 4, false },
		{ "\xf4\x90\x80\x80", 4, false },
		{ "\xf5\x80\x80\x80", 4, false },
		{ "\xff", 1, false },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(cases); i++)
		if (gw_wire_utf8_valid(cases[i].s, cases[i].len) != cases[i].ok)
			fail_msg("case %zu: want %d", i, cases[i].ok);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(decode_reads_every_scalar_form),
		cmocka_unit_test(decode_reads_nan_as_float),
		cmocka_unit_test(decode_reads_arrays_in_every_form),
		cmocka_unit_test(decode_keeps_map_keys_in_order),
		cmocka_unit_test(decode_reads_ndarrays),
		cmocka_unit_test(decode_rejects_with_field_path),
		cmocka_unit_test(decode_enforces_depth),
		cmocka_unit_test(decode_enforces_each_limit),
		cmocka_unit_test(decode_enforces_default_sizes),
		cmocka_unit_test(decode_counts_elements_across_the_tree),
		cmocka_unit_test(decode_detects_duplicates_among_many_keys),
		cmocka_unit_test(decode_path_is_cut_with_ellipsis),
		cmocka_unit_test(decode_sample_has_everything),
		cmocka_unit_test(decode_rejects_every_truncation),
		cmocka_unit_test(decode_survives_every_bit_flip),
		cmocka_unit_test(encode_writes_smallest_int_forms),
		cmocka_unit_test(encode_writes_smallest_str_forms),
		cmocka_unit_test(encode_then_decode_gives_the_same_tree),
		cmocka_unit_test(encode_appends_and_restores_on_failure),
		cmocka_unit_test(encode_refuses_what_decode_would),
		cmocka_unit_test(encode_refuses_inconsistent_ndarray),
		cmocka_unit_test(utf8_validator_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
