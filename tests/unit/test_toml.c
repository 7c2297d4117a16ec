/*
 * Unit tests of the TOML reader: a table of documents with the result
 * each must give (accepted, or rejected at a line and column with a
 * message), checks of the values built, the limits, and truncation and
 * bit-flip sweeps that must never crash.
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

#include "core/limits.h"
#include "gymwarden.h"
#include "toml/toml.h"

struct parse_case {
	const char *name;
	const char *text;
	int code; /* 0: accepted */
	unsigned line, col;
	const char *msg; /* a part of the message */
};

/* clang-format off */
#define ACCEPT(n, t) {n, t, 0, 0, 0, NULL}
#define REJECT(n, t, l, c, m) {n, t, -EINVAL, l, c, m}

static const struct parse_case cases[] = {
	ACCEPT("toml_parse_accepts_empty_document", ""),
	ACCEPT("toml_parse_accepts_bom", "\xef\xbb\xbf" "a = 1\n"),
	ACCEPT("toml_parse_accepts_crlf", "a = 1\r\n[b]\r\nc = 2\r\n"),
	ACCEPT("toml_parse_accepts_subtable_of_dotted_table",
	       "[fruit]\napple.color = 'red'\n[fruit.apple.texture]\n"
	       "smooth = true\n"),
	ACCEPT("toml_parse_accepts_super_table_after_sub_table",
	       "[a.b.c]\nx = 1\n[a]\ny = 2\n"),
	ACCEPT("toml_parse_accepts_dotted_key_into_implied_table",
	       "[a.b.c]\n[a]\nb.d = 1\n"),
	ACCEPT("toml_parse_accepts_sub_table_of_array_element",
	       "[[a]]\n[a.b]\nx = 1\n[[a]]\n[a.b]\nx = 2\n"),
	ACCEPT("toml_parse_accepts_mixed_array", "a = [1, 'x', {b = 2}, []]\n"),
	ACCEPT("toml_parse_accepts_multiline_array",
	       "a = [\n  1, # one\n  2,\n]\n"),
	ACCEPT("toml_parse_accepts_line_ending_backslash",
	       "a = \"\"\"x \\   \n\n   y\"\"\"\n"),
	ACCEPT("toml_parse_accepts_quotes_before_close",
	       "a = \"\"\"\"\"x\"\"\"\"\"\nb = '''''y'''''\n"),
	ACCEPT("toml_parse_accepts_leap_second_at_utc_midnight",
	       "a = 2016-12-31T23:59:60Z\nb = 2017-01-01T05:29:60+05:30\n"),
	ACCEPT("toml_parse_accepts_integer_limits",
	       "a = 9223372036854775807\nb = -9223372036854775808\n"
	       "c = 0x7FFF_FFFF_FFFF_FFFF\n"),
	ACCEPT("toml_parse_accepts_special_floats",
	       "a = inf\nb = +inf\nc = -inf\nd = nan\ne = +nan\nf = -nan\n"),
	ACCEPT("toml_parse_accepts_empty_quoted_key", "\"\" = 1\n"),

	REJECT("toml_parse_rejects_duplicate_key", "a = 1\nb = 2\na = 3\n", 3,
	       1, "duplicate key \"a\" (first defined at line 1)"),
	REJECT("toml_parse_rejects_duplicate_quoted_key",
	       "a = 1\n\"a\" = 2\n", 2, 1, "duplicate key \"a\""),
	REJECT("toml_parse_rejects_missing_equals", "a 1\n", 1, 3,
	       "expected '=' after key"),
	REJECT("toml_parse_rejects_missing_value", "a =\n", 1, 4,
	       "expected a value"),
	REJECT("toml_parse_rejects_unquoted_string", "a = hello\n", 1, 5,
	       "strings must be in quotes"),
	REJECT("toml_parse_rejects_text_after_value", "a = 1 b = 2\n", 1, 7,
	       "expected a newline"),
	REJECT("toml_parse_rejects_table_defined_twice",
	       "[a]\nx = 1\n[a]\n", 3, 2, "defined twice"),
	REJECT("toml_parse_rejects_super_table_defined_twice",
	       "[a.b]\n[a]\n[a]\n", 3, 2, "at line 2"),
	REJECT("toml_parse_rejects_header_after_dotted_key",
	       "a.b = 1\n[a]\n", 2, 2, "by dotted keys at line 1"),
	REJECT("toml_parse_rejects_header_for_dotted_sub_table",
	       "[f]\napple.taste.sweet = true\n[f.apple.taste]\n", 3, 10,
	       "defined twice"),
	REJECT("toml_parse_rejects_dotted_key_into_header_table",
	       "[a.b.c]\nz = 9\n[a]\nb.c.t = 1\n", 4, 3,
	       "defined by a [header] at line 1"),
	REJECT("toml_parse_rejects_dotted_key_into_array_of_tables",
	       "[[a.b]]\n[a]\nb.y = 2\n", 3, 1, "not a table"),
	REJECT("toml_parse_rejects_extending_inline_table_by_key",
	       "a = {b = 1}\na.c = 2\n", 2, 1, "inline table \"a\""),
	REJECT("toml_parse_rejects_extending_inline_table_by_header",
	       "a = {}\n[a.b]\n", 2, 2, "inline table \"a\""),
	REJECT("toml_parse_rejects_redefining_inline_table",
	       "a = {}\n[a]\n", 2, 2, "as an inline table"),
	REJECT("toml_parse_rejects_extending_nested_inline_table",
	       "a = {b = {c = 1}, b.d = 2}\n", 1, 19, "inline table \"b\""),
	REJECT("toml_parse_rejects_appending_to_static_array",
	       "a = []\n[[a]]\n", 2, 3, "not an array of tables"),
	REJECT("toml_parse_rejects_table_into_static_array",
	       "a = [{}]\n[a.b]\n", 2, 2, "cannot add tables to array"),
	REJECT("toml_parse_rejects_table_over_array_of_tables",
	       "[[a]]\n[a]\n", 2, 2, "add to it with [[...]]"),
	REJECT("toml_parse_rejects_array_of_tables_over_table",
	       "[a]\n[[a]]\n", 2, 3, "already a table"),
	REJECT("toml_parse_rejects_key_over_implied_table",
	       "[a.b]\n[a]\nb = 1\n", 3, 1, "duplicate key \"b\""),
	REJECT("toml_parse_rejects_scalar_as_table", "a = 1\na.b = 2\n", 2, 1,
	       "already an integer"),
	REJECT("toml_parse_rejects_inline_table_newline", "a = {b = 1,\n}\n",
	       1, 12, "on one line"),
	REJECT("toml_parse_rejects_inline_table_trailing_comma",
	       "a = {b = 1,}\n", 1, 12, "trailing comma"),
	REJECT("toml_parse_rejects_array_missing_comma", "a = [1 2]\n", 1, 8,
	       "expected ',' or ']'"),
	REJECT("toml_parse_rejects_unclosed_array", "a = [1,\n", 2, 1,
	       "expected ']' to close the array opened at 1:5"),
	REJECT("toml_parse_rejects_unclosed_header", "[a\n", 1, 3,
	       "expected ']'"),
	REJECT("toml_parse_rejects_spaced_array_header", "[[a] ]\n", 1, 4,
	       "expected ']]'"),
	REJECT("toml_parse_rejects_empty_bare_key", "= 1\n", 1, 1,
	       "expected a key"),
	REJECT("toml_parse_rejects_multiline_key", "\"\"\"a\"\"\" = 1\n", 1,
	       1, "multi-line"),
	REJECT("toml_parse_rejects_bare_cr", "a = 1\rb = 2\n", 1, 6,
	       "carriage return"),
	REJECT("toml_parse_rejects_del_in_comment", "a = 1 # \x7f\n", 1, 9,
	       "U+007F"),
	REJECT("toml_parse_rejects_nul", "a = \"x\x01\"\n", 1, 7, "U+0001"),
	REJECT("toml_parse_rejects_invalid_utf8", "a = 1\n# \xc3\x28\n", 2, 3,
	       "invalid UTF-8"),
	REJECT("toml_parse_rejects_overlong_utf8", "a = '\xc0\xaf'\n", 1, 6,
	       "invalid UTF-8"),
	REJECT("toml_parse_rejects_utf8_surrogate", "a = '\xed\xa0\x80'\n", 1,
	       6, "invalid UTF-8"),
	REJECT("toml_parse_rejects_newline_in_string", "a = \"x\ny\"\n", 1, 7,
	       "cannot span lines"),
	REJECT("toml_parse_rejects_unterminated_multiline", "a = '''x\n\n", 3,
	       1, "opened at line 1"),
	REJECT("toml_parse_rejects_escape_e", "a = \"\\e\"\n", 1, 6,
	       "invalid escape '\\e'"),
	REJECT("toml_parse_rejects_escape_x", "a = \"\\x41\"\n", 1, 6,
	       "invalid escape '\\x'"),
	REJECT("toml_parse_rejects_short_unicode_escape", "a = \"\\u12\"\n", 1,
	       10, "4 hexadecimal digits"),
	REJECT("toml_parse_rejects_surrogate_escape", "a = \"\\uDFFF\"\n", 1,
	       6, "not a Unicode scalar value"),
	REJECT("toml_parse_rejects_escape_past_unicode",
	       "a = \"\\U00110000\"\n", 1, 6, "not a Unicode scalar value"),
	REJECT("toml_parse_rejects_space_after_backslash",
	       "a = \"\"\"x\\ y\"\"\"\n", 1, 9, "must end its line"),
	REJECT("toml_parse_rejects_too_many_closing_quotes",
	       "a = \"\"\"x\"\"\"\"\"\"\n", 1, 14, "too many quotes"),
	REJECT("toml_parse_rejects_integer_overflow",
	       "a = 9223372036854775808\n", 1, 5, "does not fit in 64 bits"),
	REJECT("toml_parse_rejects_negative_overflow",
	       "a = -9223372036854775809\n", 1, 5, "does not fit"),
	REJECT("toml_parse_rejects_hex_overflow", "a = 0x8000000000000000\n", 1,
	       5, "does not fit"),
	REJECT("toml_parse_rejects_signed_hex", "a = +0x1\n", 1, 5,
	       "cannot have a sign"),
	REJECT("toml_parse_rejects_capital_prefix", "a = 0X1\n", 1, 6,
	       "invalid character 'X'"),
	REJECT("toml_parse_rejects_leading_zero", "a = 012\n", 1, 5,
	       "leading zeros"),
	REJECT("toml_parse_rejects_double_underscore", "a = 1__2\n", 1, 6,
	       "between two digits"),
	REJECT("toml_parse_rejects_trailing_underscore", "a = 12_\n", 1, 7,
	       "between two digits"),
	REJECT("toml_parse_rejects_trailing_dot", "a = 1.\n", 1, 7,
	       "after '.'"),
	REJECT("toml_parse_rejects_dot_before_exponent", "a = 1.e5\n", 1, 7,
	       "after '.'"),
	REJECT("toml_parse_rejects_empty_exponent", "a = 1e+\n", 1, 8,
	       "in the exponent"),
	REJECT("toml_parse_rejects_float_overflow", "a = 1e999\n", 1, 5,
	       "out of range"),
	REJECT("toml_parse_rejects_capital_inf", "a = Inf\n", 1, 5,
	       "lowercase"),
	REJECT("toml_parse_rejects_month_13", "a = 2000-13-01\n", 1, 10,
	       "month 13"),
	REJECT("toml_parse_rejects_feb_29_in_common_year",
	       "a = 1900-02-29\n", 1, 13, "1900-02 (01 to 28)"),
	REJECT("toml_parse_rejects_day_31_in_april", "a = 2001-04-31\n", 1,
	       13, "(01 to 30)"),
	REJECT("toml_parse_rejects_hour_24", "a = 24:00:00\n", 1, 5,
	       "hour 24"),
	REJECT("toml_parse_rejects_minute_60", "a = 2000-01-01T00:60:00Z\n", 1,
	       19, "minute 60"),
	REJECT("toml_parse_rejects_second_61", "a = 00:00:61\n", 1, 11,
	       "second 61"),
	REJECT("toml_parse_rejects_misplaced_leap_second",
	       "a = 2016-12-31T23:59:60+01:00\n", 1, 22, "23:59 UTC"),
	REJECT("toml_parse_rejects_local_leap_second_off_minute_59",
	       "a = 12:00:60\n", 1, 11, "minute 59"),
	REJECT("toml_parse_rejects_missing_seconds", "a = 12:00\n", 1, 10,
	       "expected ':'"),
	REJECT("toml_parse_rejects_offset_hour_24",
	       "a = 2000-01-01T00:00:00+24:00\n", 1, 25, "offset hour 24"),
	REJECT("toml_parse_rejects_one_digit_day", "a = 2000-01-1\n", 1, 13,
	       "day as 2 digits"),
	REJECT("toml_parse_rejects_offset_on_local_time", "a = 00:00:00Z\n", 1,
	       13, "local time cannot have an offset"),
	REJECT("toml_parse_rejects_bad_bool", "a = tru\n", 1, 5,
	       "expected a value"),
};
/* clang-format on */

static const char *const sample =
	"# A document that uses most of the language.\n"
	"title = \"gymwarden \\\"sample\\\" \\u00e9\\U0001F600\"\n"
	"literal = 'C:\\path'\n"
	"multi = \"\"\"\nline one\\\n   still one\nline two\"\"\"\n"
	"raw = '''\n\tkept \\n as is'''\n"
	"ints = [0, +1, -2, 1_000, 0xDEAD_beef, 0o755, 0b1010]\n"
	"floats = [1.5, -0.0, 6.02e23, 1e-3, inf, -nan]\n"
	"when = 1979-05-27T07:32:00.999-07:00\n"
	"local = 1979-05-27 07:32:00\n"
	"day = 1979-05-27\n"
	"time = 00:32:00.5\n"
	"point = { x = 1, y.z = [2, { w = 3 }] }\n"
	"\n"
	"[server.\"alpha beta\"]\n"
	"ip = \"10.0.0.1\" # comment\n"
	"ports = [ 8000,\n  8001, ]\n"
	"site.name = 'x'\n"
	"\n"
	"[[products]]\n"
	"name = \"hammer\"\n"
	"[products.dims]\n"
	"h = 1\n"
	"[[products]]\n"
	"name = \"nail\"\n";

/* Parse text (of len bytes) with a fresh err; the tree is freed. */
static int parse_len(const char *text, size_t len, struct gw_error *err)
{
	struct gw_toml_value *root = NULL;
	int r;

	gw_error_clear(err);
	r = gw_toml_parse(text, len, "test.toml", &root, err);
	if (r == 0)
		assert_non_null(root);
	else
		assert_null(root);
	gw_toml_free(root);
	return r;
}

static void run_case(void **state)
{
	const struct parse_case *c = *state;
	struct gw_error err;
	int r = parse_len(c->text, strlen(c->text), &err);

	if (c->code == 0) {
		if (r != 0)
			print_error("%u:%u: %s\n", err.line, err.col, err.msg);
		assert_int_equal(r, 0);
		return;
	}
	if (r != c->code || err.line != c->line || err.col != c->col ||
	    !strstr(err.msg, c->msg))
		print_error("got %d at %u:%u: %s\n", r, err.line, err.col,
			    err.msg);
	assert_int_equal(r, c->code);
	assert_int_equal(err.code, c->code);
	assert_int_equal(err.line, c->line);
	assert_int_equal(err.col, c->col);
	assert_non_null(strstr(err.msg, c->msg));
	assert_string_equal(err.file, "test.toml");
}

static struct gw_toml_value *parse_ok(const char *text)
{
	struct gw_toml_value *root = NULL;
	struct gw_error err;

	gw_error_clear(&err);
	if (gw_toml_parse(text, strlen(text), "t", &root, &err) != 0)
		print_error("%u:%u: %s\n", err.line, err.col, err.msg);
	assert_non_null(root);
	return root;
}

static const struct gw_toml_value *get(const struct gw_toml_value *t,
				       const char *key, enum gw_toml_type type)
{
	const struct gw_toml_value *v = gw_toml_get(t, key);

	assert_non_null(v);
	assert_int_equal(v->type, type);
	return v;
}

static void toml_parse_builds_strings(void **state)
{
	struct gw_toml_value *root = parse_ok(sample);
	const struct gw_toml_value *v;

	(void)state;
	v = get(root, "title", GW_TOML_STRING);
	assert_string_equal(v->u.s.ptr,
			    "gymwarden \"sample\" \xc3\xa9\xf0\x9f\x98\x80");
	assert_int_equal(v->u.s.len, strlen(v->u.s.ptr));
	assert_string_equal(get(root, "literal", GW_TOML_STRING)->u.s.ptr,
			    "C:\\path");
	assert_string_equal(get(root, "multi", GW_TOML_STRING)->u.s.ptr,
			    "line onestill one\nline two");
	assert_string_equal(get(root, "raw", GW_TOML_STRING)->u.s.ptr,
			    "\tkept \\n as is");
	gw_toml_free(root);
}

static void toml_parse_builds_numbers(void **state)
{
	static const int64_t ints[] = { 0, 1, -2, 1000, 0xdeadbeef, 0755, 10 };
	struct gw_toml_value *root = parse_ok(sample);
	const struct gw_toml_value *a;

	(void)state;
	a = get(root, "ints", GW_TOML_ARRAY);
	assert_int_equal(a->u.arr.len, 7);
	for (size_t i = 0; i < 7; i++) {
		assert_int_equal(a->u.arr.items[i]->type, GW_TOML_INTEGER);
		assert_true(a->u.arr.items[i]->u.i == ints[i]);
	}
	a = get(root, "floats", GW_TOML_ARRAY);
	assert_int_equal(a->u.arr.len, 6);
	assert_true(a->u.arr.items[0]->u.f == 1.5);
	assert_true(signbit(a->u.arr.items[1]->u.f));
	assert_true(a->u.arr.items[2]->u.f == 6.02e23);
	assert_true(a->u.arr.items[3]->u.f == 1e-3);
	assert_true(isinf(a->u.arr.items[4]->u.f));
	assert_true(isnan(a->u.arr.items[5]->u.f));
	gw_toml_free(root);
}

static void toml_parse_builds_datetimes(void **state)
{
	struct gw_toml_value *root = parse_ok(sample);
	const struct gw_toml_value *v;
	char text[64];

	(void)state;
	v = get(root, "when", GW_TOML_DATETIME);
	assert_int_equal(v->u.dt.year, 1979);
	assert_int_equal(v->u.dt.nanos, 999000000);
	assert_int_equal(v->u.dt.frac_digits, 3);
	assert_int_equal(v->u.dt.offset_min, -420);
	gw_toml_datetime_format(v->type, &v->u.dt, text, sizeof(text));
	assert_string_equal(text, "1979-05-27T07:32:00.999-07:00");

	v = get(root, "local", GW_TOML_DATETIME_LOCAL);
	gw_toml_datetime_format(v->type, &v->u.dt, text, sizeof(text));
	assert_string_equal(text, "1979-05-27T07:32:00");
	v = get(root, "day", GW_TOML_DATE_LOCAL);
	gw_toml_datetime_format(v->type, &v->u.dt, text, sizeof(text));
	assert_string_equal(text, "1979-05-27");
	v = get(root, "time", GW_TOML_TIME_LOCAL);
	gw_toml_datetime_format(v->type, &v->u.dt, text, sizeof(text));
	assert_string_equal(text, "00:32:00.5");
	assert_int_equal(gw_toml_datetime_format(GW_TOML_STRING, &v->u.dt, text,
						 sizeof(text)),
			 -EINVAL);
	gw_toml_free(root);
}

static void toml_parse_builds_tables(void **state)
{
	struct gw_toml_value *root = parse_ok(sample);
	const struct gw_toml_value *t, *a;

	(void)state;
	t = get(root, "point", GW_TOML_TABLE);
	assert_int_equal(get(t, "x", GW_TOML_INTEGER)->u.i, 1);
	a = get(get(t, "y", GW_TOML_TABLE), "z", GW_TOML_ARRAY);
	assert_int_equal(get(a->u.arr.items[1], "w", GW_TOML_INTEGER)->u.i, 3);

	t = get(get(root, "server", GW_TOML_TABLE), "alpha beta",
		GW_TOML_TABLE);
	assert_int_equal(t->line, 18);
	assert_int_equal(t->col, 1);
	assert_int_equal(get(t, "ports", GW_TOML_ARRAY)->u.arr.len, 2);
	get(get(t, "site", GW_TOML_TABLE), "name", GW_TOML_STRING);

	a = get(root, "products", GW_TOML_ARRAY);
	assert_int_equal(a->u.arr.len, 2);
	get(get(a->u.arr.items[0], "dims", GW_TOML_TABLE), "h",
	    GW_TOML_INTEGER);
	assert_null(gw_toml_get(a->u.arr.items[1], "dims"));
	assert_null(gw_toml_get(a, "name"));
	gw_toml_free(root);
}

static void toml_parse_keeps_key_order_and_positions(void **state)
{
	struct gw_toml_value *root = parse_ok("z = 1\n  a = 'x'\nm = [\n]\n");
	const struct gw_toml_kv *kv;

	(void)state;
	assert_int_equal(root->u.tab.len, 3);
	assert_string_equal(root->u.tab.kvs[0].key, "z");
	assert_string_equal(root->u.tab.kvs[1].key, "a");
	assert_string_equal(root->u.tab.kvs[2].key, "m");
	kv = gw_toml_get_kv(root, "a");
	assert_non_null(kv);
	assert_int_equal(kv->line, 2);
	assert_int_equal(kv->col, 3);
	assert_int_equal(kv->value->line, 2);
	assert_int_equal(kv->value->col, 7);
	gw_toml_free(root);
}

static void toml_parse_allows_nul_in_keys(void **state)
{
	struct gw_toml_value *root =
		parse_ok("\"a\\u0000b\" = \"c\\u0000d\"\n");
	const struct gw_toml_kv *kv;

	(void)state;
	kv = gw_toml_get_kvn(root, "a\0b", 3);
	assert_non_null(kv);
	assert_int_equal(kv->key_len, 3);
	assert_int_equal(kv->value->u.s.len, 3);
	assert_memory_equal(kv->value->u.s.ptr, "c\0d", 4);
	assert_null(gw_toml_get(root, "a"));
	gw_toml_free(root);
}

/* n keys k0 = 0 ... in one table, found again through the index. */
static void toml_get_finds_keys_in_large_table(void **state)
{
	const size_t n = 200000;
	struct gw_toml_value *root;
	struct gw_error err;
	char *text = malloc(n * 20), key[32];
	size_t len = 0;

	(void)state;
	assert_non_null(text);
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(text + len, 20, "k%zu = %zu\n", i, i);
	gw_error_clear(&err);
	assert_int_equal(gw_toml_parse(text, len, "big", &root, &err), 0);
	assert_int_equal(root->u.tab.len, n);
	for (size_t i = 0; i < n; i += 997) {
		snprintf(key, sizeof(key), "k%zu", i);
		assert_true(gw_toml_get(root, key)->u.i == (int64_t)i);
	}
	assert_null(gw_toml_get(root, "k-1"));
	gw_toml_free(root);

	/* The same document with one key repeated at the end. */
	len += (size_t)snprintf(text + len, 20, "k77 = 1\n");
	assert_int_equal(parse_len(text, len, &err), -EINVAL);
	assert_int_equal(err.line, n + 1);
	assert_non_null(strstr(err.msg, "first defined at line 78"));
	free(text);
}

/* "a = " then n copies of open, then n of close. */
static char *nested(size_t n, const char *open, const char *close)
{
	size_t lo = strlen(open), lc = strlen(close);
	char *s = malloc(8 + n * (lo + lc));
	size_t len = 0;

	assert_non_null(s);
	len += (size_t)snprintf(s, 8, "a = ");
	for (size_t i = 0; i < n; i++, len += lo)
		memcpy(s + len, open, lo);
	for (size_t i = 0; i < n; i++, len += lc)
		memcpy(s + len, close, lc);
	s[len] = '\0';
	return s;
}

static void toml_parse_limits_array_depth(void **state)
{
	struct gw_error err;
	char *s;

	(void)state;
	s = nested(GW_TOML_MAX_DEPTH, "[", "]");
	assert_int_equal(parse_len(s, strlen(s), &err), 0);
	free(s);
	s = nested(GW_TOML_MAX_DEPTH + 1, "[", "]");
	assert_int_equal(parse_len(s, strlen(s), &err), -E2BIG);
	assert_int_equal(err.line, 1);
	assert_int_equal(err.col, 5 + GW_TOML_MAX_DEPTH);
	free(s);

	/* A bomb far deeper than the stack could take. */
	s = nested(1000000, "[", "]");
	assert_int_equal(parse_len(s, strlen(s), &err), -E2BIG);
	free(s);
}

static void toml_parse_limits_inline_table_depth(void **state)
{
	struct gw_error err;
	char *s = nested(100000, "{a=", "}");

	(void)state;
	assert_int_equal(parse_len(s, strlen(s), &err), -E2BIG);
	assert_non_null(strstr(err.msg, "nested deeper"));
	free(s);
}

/* Depth counts tables made by headers and dotted keys as well. */
static void toml_parse_limits_key_depth(void **state)
{
	size_t n = 100000, len = 0;
	char *s = malloc(2 * n + 8);
	struct gw_error err;

	(void)state;
	assert_non_null(s);
	s[len++] = '[';
	for (size_t i = 0; i < n; i++) {
		s[len++] = 'a';
		s[len++] = '.';
	}
	s[len - 1] = ']';
	assert_int_equal(parse_len(s, len, &err), -E2BIG);
	assert_true(err.line > 0);

	memcpy(s + len - 1, " = 1", 4);
	assert_int_equal(parse_len(s + 1, len + 2, &err), -E2BIG);
	free(s);
}

static void toml_parse_limits_key_length(void **state)
{
	size_t n = GW_TOML_MAX_KEY_BYTES;
	char *s = malloc(n + 16);
	struct gw_error err;

	(void)state;
	assert_non_null(s);
	memset(s, 'k', n + 1);
	memcpy(s + n, " = 1\n", 5);
	assert_int_equal(parse_len(s, n + 5, &err), 0);
	memset(s, 'k', n + 1);
	memcpy(s + n + 1, " = 1\n", 5);
	assert_int_equal(parse_len(s, n + 6, &err), -E2BIG);
	assert_non_null(strstr(err.msg, "key longer than"));

	s[0] = '"';
	memset(s + 1, 'k', n + 1);
	memcpy(s + n + 2, "\" = 1\n", 6);
	assert_int_equal(parse_len(s, n + 8, &err), -E2BIG);
	free(s);
}

static void toml_parse_limits_document_size(void **state)
{
	size_t n = GW_TOML_MAX_BYTES + 1;
	char *s = malloc(n);
	struct gw_error err;

	(void)state;
	assert_non_null(s);
	memset(s, ' ', n);
	assert_int_equal(parse_len(s, n, &err), -E2BIG);
	assert_non_null(strstr(err.msg, "larger than the limit"));
	assert_int_equal(parse_len(s, n - 1, &err), 0);
	free(s);
}

static void toml_parse_rejects_bad_arguments(void **state)
{
	struct gw_toml_value *root = NULL;
	struct gw_error err;

	(void)state;
	gw_error_clear(&err);
	assert_int_equal(gw_toml_parse(NULL, 3, "x", &root, &err), -EINVAL);
	assert_int_equal(gw_toml_parse("a=1", 3, "x", NULL, NULL), -EINVAL);
	assert_int_equal(gw_toml_parse(NULL, 0, NULL, &root, NULL), 0);
	assert_int_equal(root->u.tab.len, 0);
	gw_toml_free(root);
	gw_toml_free(NULL);
	assert_null(gw_toml_get(NULL, "a"));
}

static void toml_type_name_names_every_type(void **state)
{
	(void)state;
	assert_string_equal(gw_toml_type_name(GW_TOML_STRING), "string");
	assert_string_equal(gw_toml_type_name(GW_TOML_INTEGER), "integer");
	assert_string_equal(gw_toml_type_name(GW_TOML_TABLE), "table");
	assert_string_equal(gw_toml_type_name(GW_TOML_TIME_LOCAL),
			    "local time");
	assert_string_equal(gw_toml_type_name((enum gw_toml_type)99),
			    "unknown");
}

/* A failure must be clean: a code, a place and a cause. */
static void assert_clean(int r, const struct gw_error *err)
{
	if (r == 0)
		return;
	assert_true(r == -EINVAL || r == -E2BIG);
	assert_int_equal(err->code, r);
	assert_true(err->line > 0);
	assert_true(err->col > 0);
	assert_true(err->msg[0] != '\0');
}

static void toml_parse_survives_truncation(void **state)
{
	size_t len = strlen(sample);
	struct gw_error err;
	char *copy;

	(void)state;
	assert_int_equal(parse_len(sample, len, &err), 0);
	for (size_t n = 0; n < len; n++) {
		/* An exact-size copy, so reading past the end is caught. */
		copy = malloc(n + 1);
		assert_non_null(copy);
		memcpy(copy, sample, n);
		assert_clean(parse_len(copy, n, &err), &err);
		free(copy);
	}
}

static void toml_parse_survives_bit_flips(void **state)
{
	size_t len = strlen(sample);
	char *copy = malloc(len);
	struct gw_error err;
	size_t rejected = 0;
	int r;

	(void)state;
	assert_non_null(copy);
	for (size_t i = 0; i < len; i++) {
		for (int bit = 0; bit < 8; bit++) {
			memcpy(copy, sample, len);
			copy[i] = (char)(copy[i] ^ (1 << bit));
			r = parse_len(copy, len, &err);
			assert_clean(r, &err);
			rejected += r != 0;
		}
	}
	free(copy);
	assert_true(rejected > 0);
}

static const struct CMUnitTest fixed_tests[] = {
	cmocka_unit_test(toml_parse_builds_strings),
	cmocka_unit_test(toml_parse_builds_numbers),
	cmocka_unit_test(toml_parse_builds_datetimes),
	cmocka_unit_test(toml_parse_builds_tables),
	cmocka_unit_test(toml_parse_keeps_key_order_and_positions),
	cmocka_unit_test(toml_parse_allows_nul_in_keys),
	cmocka_unit_test(toml_get_finds_keys_in_large_table),
	cmocka_unit_test(toml_parse_limits_array_depth),
	cmocka_unit_test(toml_parse_limits_inline_table_depth),
	cmocka_unit_test(toml_parse_limits_key_depth),
	cmocka_unit_test(toml_parse_limits_key_length),
	cmocka_unit_test(toml_parse_limits_document_size),
	cmocka_unit_test(toml_parse_rejects_bad_arguments),
	cmocka_unit_test(toml_type_name_names_every_type),
	cmocka_unit_test(toml_parse_survives_truncation),
	cmocka_unit_test(toml_parse_survives_bit_flips),
};

int main(void)
{
	size_t ncases = sizeof(cases) / sizeof(cases[0]);
	size_t nfixed = sizeof(fixed_tests) / sizeof(fixed_tests[0]);
	struct CMUnitTest *tests = calloc(ncases + nfixed, sizeof(*tests));
	int failed;

	if (!tests)
		return 1;
	for (size_t i = 0; i < ncases; i++) {
		tests[i].name = cases[i].name;
		tests[i].test_func = run_case;
		tests[i].initial_state = (void *)&cases[i];
	}
	memcpy(tests + ncases, fixed_tests, sizeof(fixed_tests));
	failed = _cmocka_run_group_tests("toml", tests, ncases + nfixed, NULL,
					 NULL);
	free(tests);
	return failed;
}
