/* Unit tests for src/core: error records, escaping, capped buffers. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/log.h"

struct escape_case {
	const char *name;
	const char *in;
	size_t len;
	const char *want;
};

static const struct escape_case escape_cases[] = {
	{ "plain ascii is kept", "step 3", 6, "step 3" },
	{ "controls become escapes", "a\nb\tc\rd", 7, "a\\nb\\tc\\rd" },
	{ "quote and backslash", "\"\\", 2, "\\\"\\\\" },
	{ "escape byte", "\033[2J", 4, "\\x1b[2J" },
	{ "nul byte", "a\0b", 3, "a\\x00b" },
	{ "del byte", "\x7f", 1, "\\x7f" },
	{ "valid utf-8 kept", "caf\xc3\xa9", 5, "caf\xc3\xa9" },
	{ "lone continuation byte", "\x80x", 2, "\\x80x" },
	{ "overlong slash", "\xc0\xaf", 2, "\\xc0\\xaf" },
	{ "surrogate half", "\xed\xa0\x80", 3, "\\xed\\xa0\\x80" },
	{ "truncated sequence", "\xe2\x82", 2, "\\xe2\\x82" },
	{ "bidi override",
	  "a\xe2\x80\xae"
	  "b",
	  5, "a\\u{202e}b" },
	{ "above u+10ffff", "\xf4\x90\x80\x80", 4, "\\xf4\\x90\\x80\\x80" },
};

static void escape_table_gives_expected_text(void **state)
{
	char out[128];

	(void)state;
	for (size_t i = 0; i < sizeof(escape_cases) / sizeof(*escape_cases);
	     i++) {
		const struct escape_case *c = &escape_cases[i];
		size_t n = gw_escape(out, sizeof(out), c->in, c->len);

		if (strcmp(out, c->want) != 0)
			fail_msg("%s: got '%s', want '%s'", c->name, out,
				 c->want);
		assert_int_equal(n, strlen(c->want));
	}
}

static void escape_cuts_at_whole_escape_with_ellipsis(void **state)
{
	char out[8];

	(void)state;
	gw_escape(out, sizeof(out), "\n\n\n\n\n\n", 6);
	assert_string_equal(out, "\\n\\n...");
	gw_escape(out, 1, "abc", 3);
	assert_string_equal(out, "");
}

static void escape_never_writes_past_cap(void **state)
{
	char out[32];
	unsigned char in[64];

	(void)state;
	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (unsigned char)(i * 37 + 128);
	for (size_t cap = 1; cap <= 24; cap++) {
		memset(out, 'Z', sizeof(out));
		gw_escape(out, cap, (const char *)in, sizeof(in));
		assert_true(strlen(out) < cap);
		assert_int_equal(out[cap], 'Z');
	}
}

static void buf_refuses_growth_past_cap(void **state)
{
	struct gw_buf b;

	(void)state;
	gw_buf_init(&b, 8);
	assert_int_equal(gw_buf_append(&b, "12345", 5), 0);
	assert_int_equal(gw_buf_append(&b, "6789", 4), -E2BIG);
	assert_int_equal(b.len, 5);
	assert_string_equal(b.data, "12345");
	assert_int_equal(gw_buf_printf(&b, "%d", 678), 0);
	assert_string_equal(b.data, "12345678");
	assert_int_equal(gw_buf_printf(&b, "x"), -E2BIG);
	assert_int_equal(gw_buf_append(&b, "", SIZE_MAX), -E2BIG);
	gw_buf_free(&b);
}

static void buf_steal_empties_and_hands_over(void **state)
{
	struct gw_buf b;
	size_t len;
	char *p;

	(void)state;
	gw_buf_init(&b, 64);
	p = gw_buf_steal(&b, &len);
	assert_non_null(p);
	assert_int_equal(len, 0);
	free(p);
	assert_int_equal(gw_buf_append(&b, "abc", 3), 0);
	p = gw_buf_steal(&b, &len);
	assert_string_equal(p, "abc");
	assert_int_equal(len, 3);
	assert_null(b.data);
	free(p);
}

static void buf_read_file_names_missing_file(void **state)
{
	struct gw_error err;
	struct gw_buf b;

	(void)state;
	gw_error_clear(&err);
	gw_buf_init(&b, 64);
	assert_int_equal(gw_buf_read_file(&b, "/nonexistent/x.toml", &err),
			 -ENOENT);
	assert_string_equal(err.file, "/nonexistent/x.toml");
	assert_non_null(strstr(err.msg, "cannot open"));
	gw_buf_free(&b);
}

static void buf_read_file_refuses_oversized_file(void **state)
{
	struct gw_error err;
	struct gw_buf b;

	(void)state;
	gw_error_clear(&err);
	gw_buf_init(&b, 16);
	assert_int_equal(
		gw_buf_read_file(&b, GW_SOURCE_ROOT "/meson.build", &err),
		-EFBIG);
	assert_non_null(strstr(err.msg, "limit of 16 bytes"));
	gw_buf_free(&b);
}

static void error_keeps_first_cause(void **state)
{
	struct gw_error err;
	char text[256];

	(void)state;
	gw_error_clear(&err);
	assert_int_equal(
		gw_error_set_at(&err, -EINVAL, 3, 7, "expected %s", "'='"),
		-EINVAL);
	assert_int_equal(gw_error_set(&err, -ENOMEM, "later"), -ENOMEM);
	gw_error_where(&err, "m.toml", "env[0].id");
	gw_error_format(&err, text, sizeof(text));
	assert_string_equal(text, "m.toml:3:7: env[0].id: expected '='");
	assert_int_equal(err.code, -EINVAL);
}

static void error_format_leaves_out_empty_parts(void **state)
{
	struct gw_error err;
	char text[64];

	(void)state;
	gw_error_clear(&err);
	gw_error_set(&err, -EIO, "disk on fire");
	gw_error_format(&err, text, sizeof(text));
	assert_string_equal(text, "disk on fire");
	gw_error_where(&err, "f", NULL);
	err.line = 2;
	gw_error_format(&err, text, sizeof(text));
	assert_string_equal(text, "f:2: disk on fire");
	assert_int_equal(gw_error_set(NULL, -EIO, "no record"), -EIO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(escape_table_gives_expected_text),
		cmocka_unit_test(escape_cuts_at_whole_escape_with_ellipsis),
		cmocka_unit_test(escape_never_writes_past_cap),
		cmocka_unit_test(buf_refuses_growth_past_cap),
		cmocka_unit_test(buf_steal_empties_and_hands_over),
		cmocka_unit_test(buf_read_file_names_missing_file),
		cmocka_unit_test(buf_read_file_refuses_oversized_file),
		cmocka_unit_test(error_keeps_first_cause),
		cmocka_unit_test(error_format_leaves_out_empty_parts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
