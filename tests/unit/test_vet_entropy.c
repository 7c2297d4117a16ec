/*
 * Unit tests for src/vet/entropy.c and src/vet/text.c: entropy, the
 * shapes of encoded blobs, random-looking tokens, UTF-8 validity, bidi
 * and invisible characters, hidden code and confusable identifiers.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "vet/vet_priv.h"

static void entropy_of_known_strings(void **state)
{
	(void)state;
	assert_true(gw_vet_entropy("", 0) == 0.0);
	assert_true(gw_vet_entropy("aaaa", 4) == 0.0);
	assert_true(fabs(gw_vet_entropy("abab", 4) - 1.0) < 1e-9);
	assert_true(fabs(gw_vet_entropy("abcd", 4) - 2.0) < 1e-9);
	assert_true(fabs(gw_vet_entropy("0123456789abcdef", 16) - 4.0) < 1e-9);
}

static void blob_kinds(void **state)
{
	char b64[400], hex[400], esc[800];
	uint32_t x = 12345;

	(void)state;
	for (int i = 0; i < 300; i++) {
		x = x * 1103515245u + 12345u;
		b64[i] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			 "0123456789+/"[(x >> 16) % 64];
		hex[i] = "0123456789abcdef"[(x >> 12) % 16];
	}
	b64[300] = hex[300] = '\0';
	for (int i = 0; i < 200; i++)
		memcpy(esc + 4 * i, "\\x9f", 4);
	assert_int_equal(gw_vet_blob_kind(b64, 300, 256), GW_VET_BLOB_BASE64);
	assert_int_equal(gw_vet_blob_kind(hex, 300, 256), GW_VET_BLOB_HEX);
	assert_int_equal(gw_vet_blob_kind(esc, 800, 256), GW_VET_BLOB_HEX);
	assert_int_equal(gw_vet_blob_kind(b64, 200, 256), GW_VET_BLOB_NONE);
	/* Prose and repeated letters are not encodings. */
	assert_int_equal(gw_vet_blob_kind("the quick brown fox", 19, 4),
			 GW_VET_BLOB_NONE);
	memset(b64, 'a', 300);
	assert_int_equal(gw_vet_blob_kind(b64, 300, 256), GW_VET_BLOB_NONE);
}

static void random_tokens_and_ordinary_strings(void **state)
{
	static const char *const random[] = {
		"ghp_R8f2KqLw0ZxTn4VbY7cHs1JdMa9PeG3uQ6Fo",
		"xK9#mQ2$vL8@pR4!tW6^yN3&",
	};
	static const char *const plain[] = {
		"observation_space_shape_mismatch",
		("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ012345678"
		 "9"),
		"9f2c1e7a5b3d4c6e8f0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e",
		"https://example.org/a/Very/Long/Path/With/Mixed/Case9",
		"/usr/lib/x86_64-linux-gnu/libGL.so.1.7.0",
		"The environment failed to reset properly",
	};

	(void)state;
	assert_true(gw_vet_looks_random(random[0], strlen(random[0]), 32, 4.6));
	assert_true(gw_vet_looks_random(random[1], strlen(random[1]), 16, 4.6));
	for (size_t i = 0; i < sizeof(plain) / sizeof(*plain); i++)
		if (gw_vet_looks_random(plain[i], strlen(plain[i]), 32, 4.6))
			fail_msg("'%s' looked random", plain[i]);
}

static void utf8_check_finds_first_bad_byte(void **state)
{
	(void)state;
	assert_int_equal(gw_vet_utf8_check("caf\xc3\xa9", 5), 5);
	assert_int_equal(gw_vet_utf8_check("caf\xe9!", 5), 3);
	assert_int_equal(gw_vet_utf8_check("a\0b", 3), 1);
	assert_int_equal(gw_vet_utf8_check("\xed\xa0\x80", 3), 0);
	assert_int_equal(gw_vet_utf8_check("\xc0\xaf", 2), 0);
}

static void bidi_and_invisible_characters_are_found(void **state)
{
	const char *s = "ok \xe2\x80\xae rtl \xe2\x80\x8b zw \xef\xbb\xbf";
	uint32_t cp;
	size_t at;

	(void)state;
	at = gw_vet_find_bidi(s, strlen(s), 0, &cp);
	assert_int_equal(at, 3);
	assert_int_equal(cp, 0x202e);
	at = gw_vet_find_bidi(s, strlen(s), at + 1, &cp);
	assert_int_equal(cp, 0x200b);
	at = gw_vet_find_bidi(s, strlen(s), at + 1, &cp);
	assert_int_equal(cp, 0xfeff);
	/* A byte-order mark at the very start is allowed. */
	assert_int_equal(gw_vet_find_bidi("\xef\xbb\xbfx", 4, 0, &cp), 4);
	/* Accented letters are not bidi controls. */
	assert_int_equal(gw_vet_find_bidi("caf\xc3\xa9", 5, 0, &cp), 5);
}

static void hidden_code_after_blanks(void **state)
{
	char line[300];

	(void)state;
	memset(line, ' ', sizeof(line));
	memcpy(line, "x = 1", 5);
	memcpy(line + 250, "import os", 9);
	assert_int_equal(gw_vet_hidden_code(line, 259, 100), 250);
	assert_int_equal(gw_vet_hidden_code(line, 259, 300), 259);
	/* Trailing blanks hide nothing. */
	assert_int_equal(gw_vet_hidden_code(line, 200, 100), 200);
	/* Tabs count to the next multiple of eight. */
	assert_int_equal(
		gw_vet_hidden_code("\t\t\t\t\t\t\t\t\t\t\t\t\t\tx", 15, 100),
		14);
}

static void identifiers_confusable_or_folded(void **state)
{
	char fold[64];
	bool folded;

	(void)state;
	assert_int_equal(
		gw_vet_ident_check("step", 4, fold, sizeof(fold), &folded),
		GW_VET_IDENT_OK);
	/* Greek letters used as math names are fine. */
	assert_int_equal(gw_vet_ident_check("\xce\xb8_dot", 6, fold,
					    sizeof(fold), &folded),
			 GW_VET_IDENT_OK);
	/* Cyrillic es among Latin letters. */
	assert_int_equal(gw_vet_ident_check("\xd1\x81heck", 6, fold,
					    sizeof(fold), &folded),
			 GW_VET_IDENT_MIXED);
	/* Full-width letters fold to "eval". */
	assert_int_equal(gw_vet_ident_check("\xef\xbd\x85\xef\xbd\x96\xef\xbd"
					    "\x81\xef\xbd\x8c",
					    12, fold, sizeof(fold), &folded),
			 GW_VET_IDENT_COMPAT);
	assert_true(folded);
	assert_string_equal(fold, "eval");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(entropy_of_known_strings),
		cmocka_unit_test(blob_kinds),
		cmocka_unit_test(random_tokens_and_ordinary_strings),
		cmocka_unit_test(utf8_check_finds_first_bad_byte),
		cmocka_unit_test(bidi_and_invisible_characters_are_found),
		cmocka_unit_test(hidden_code_after_blanks),
		cmocka_unit_test(identifiers_confusable_or_folded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
