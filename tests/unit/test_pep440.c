/*
 * Unit tests for PEP 440 versions and specifiers and PEP 503 names:
 * the tables generated from packaging 23 (tests/data/pep440), then
 * hand-written cases for what the tables cannot show (caps, lengths,
 * errors, pins).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/error.h"
#include "deps/deps.h"
#include "deps/pep_priv.h"
#include "tsv_data.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static int sign(int x)
{
	return (x > 0) - (x < 0);
}

static void open_table(struct tsv *t, const char *name)
{
	if (tsv_open(t, name) < 0)
		fail_msg("cannot open tests/data/pep440/%s", name);
}

/* Valid PEP 440 that does not fit struct gw_pep440: -ERANGE. */
static const char *const too_big[] = {
	"18446744073709551616",
	"1.18446744073709551616",
	"1.0+18446744073709551616",
	"1.0+aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	"1.2.3.4.5.6.7.8.9.10.11.12.13.14.15.16.17",
	"1+1.2.3.4.5.6.7.8.9.10.11.12.13.14.15.16.17",
};

static bool is_too_big(const char *s)
{
	for (size_t i = 0; i < N(too_big); i++)
		if (strcmp(s, too_big[i]) == 0)
			return true;
	return false;
}

static void check_flags(const struct tsv_row *r, const struct gw_pep440 *v)
{
	char want[8] = "", got[8] = "";

	snprintf(want, sizeof(want), "%s", r->field[2]);
	snprintf(got, sizeof(got), "%s%s%s%s",
		 gw_pep440_is_prerelease(v) ? "p" : "",
		 gw_pep440_is_postrelease(v) ? "P" : "", v->has_dev ? "d" : "",
		 v->nlocal ? "l" : "");
	if (!got[0])
		snprintf(got, sizeof(got), "-");
	if (strcmp(got, want) != 0)
		fail_msg("versions.tsv:%u: flags %s, want %s", r->line, got,
			 want);
}

static void versions_table_normalizes_like_packaging(void **state)
{
	struct tsv t;
	struct tsv_row r;
	unsigned rows = 0;

	(void)state;
	open_table(&t, "versions.tsv");
	while (tsv_next(&t, &r)) {
		struct gw_pep440 v;
		char buf[256];
		int rc = gw_pep440_parse(r.field[0], r.len[0], &v);

		rows++;
		if (strcmp(r.field[1], "!invalid") == 0) {
			if (rc != -EINVAL)
				fail_msg("versions.tsv:%u: '%s' gave %d, want "
					 "-EINVAL",
					 r.line, r.field[0], rc);
			continue;
		}
		if (rc == -ERANGE && is_too_big(r.field[0]))
			continue;
		if (rc != 0)
			fail_msg("versions.tsv:%u: '%s' gave %d", r.line,
				 r.field[0], rc);
		gw_pep440_format(&v, buf, sizeof(buf));
		if (strcmp(buf, r.field[1]) != 0)
			fail_msg("versions.tsv:%u: '%s' -> '%s', want '%s'",
				 r.line, r.field[0], buf, r.field[1]);
		check_flags(&r, &v);
	}
	tsv_close(&t);
	assert_true(rows > 600);
}

struct ranked {
	int rank;
	char text[64];
	struct gw_pep440 v;
};

static void order_table_is_packagings_total_order(void **state)
{
	struct ranked *vs = calloc(2048, sizeof(*vs));
	struct tsv t;
	struct tsv_row r;
	size_t n = 0;

	(void)state;
	assert_non_null(vs);
	open_table(&t, "order.tsv");
	while (tsv_next(&t, &r) && n < 2048) {
		vs[n].rank = (int)strtol(r.field[0], NULL, 10);
		snprintf(vs[n].text, sizeof(vs[n].text), "%s", r.field[1]);
		if (gw_pep440_parse(r.field[1], r.len[1], &vs[n].v) < 0)
			fail_msg("order.tsv:%u: '%s' does not parse", r.line,
				 r.field[1]);
		n++;
	}
	tsv_close(&t);
	assert_true(n > 1000);
	for (size_t i = 0; i < n; i++) {
		char ki[256];

		gw_pep440_key(&vs[i].v, ki, sizeof(ki));
		for (size_t j = 0; j < n; j++) {
			int want = sign(vs[i].rank - vs[j].rank);
			int got = sign(gw_pep440_cmp(&vs[i].v, &vs[j].v));
			char kj[256];

			if (got != want)
				fail_msg("cmp('%s', '%s') = %d, want %d",
					 vs[i].text, vs[j].text, got, want);
			gw_pep440_key(&vs[j].v, kj, sizeof(kj));
			if ((strcmp(ki, kj) == 0) != (want == 0))
				fail_msg("key('%s') = '%s', key('%s') = '%s'",
					 vs[i].text, ki, vs[j].text, kj);
		}
	}
	free(vs);
}

/* Rows of specifiers.tsv and specsets.tsv: text, version, mode, answer. */
static void check_spec_row(const struct tsv_row *r, const char *table, bool set)
{
	struct gw_specset ss;
	struct gw_pep440 v;
	bool pre = strcmp(r->field[2], "1") == 0;
	bool got;
	int rc = set ? gw_specset_parse(r->field[0], r->len[0], &ss, NULL)
		     : gw_specifier_parse(r->field[0], r->len[0], &ss.items[0]);

	ss.n = set ? ss.n : 1;
	if (strcmp(r->field[3], "!invalid") == 0) {
		if (rc >= 0)
			fail_msg("%s:%u: '%s' parsed, want invalid", table,
				 r->line, r->field[0]);
		return;
	}
	if (rc < 0)
		fail_msg("%s:%u: '%s' gave %d", table, r->line, r->field[0],
			 rc);
	assert_int_equal(gw_pep440_parse(r->field[1], r->len[1], &v), 0);
	got = set ? gw_specset_contains(&ss, &v, pre)
		  : gw_specifier_contains(&ss.items[0], &v, pre);
	if (got != (r->field[3][0] == '1'))
		fail_msg("%s:%u: '%s' contains '%s' (prereleases %s) = %d",
			 table, r->line, r->field[0], r->field[1], r->field[2],
			 got);
}

static void specifiers_table_matches_like_packaging(void **state)
{
	struct tsv t;
	struct tsv_row r;
	unsigned rows = 0;

	(void)state;
	open_table(&t, "specifiers.tsv");
	while (tsv_next(&t, &r)) {
		check_spec_row(&r, "specifiers.tsv", false);
		rows++;
	}
	tsv_close(&t);
	assert_true(rows > 10000);
}

static void specsets_table_matches_like_packaging(void **state)
{
	struct tsv t;
	struct tsv_row r;
	unsigned rows = 0;

	(void)state;
	open_table(&t, "specsets.tsv");
	while (tsv_next(&t, &r)) {
		check_spec_row(&r, "specsets.tsv", true);
		rows++;
	}
	tsv_close(&t);
	assert_true(rows > 1000);
}

static void names_table_normalizes_like_pep503(void **state)
{
	struct tsv t;
	struct tsv_row r;
	unsigned rows = 0;

	(void)state;
	open_table(&t, "names.tsv");
	while (tsv_next(&t, &r)) {
		char buf[256];
		int rc = gw_pep503_normalize(r.field[0], r.len[0], buf,
					     sizeof(buf));
		bool invalid = strcmp(r.field[1], "!invalid") == 0;

		rows++;
		if (invalid ? rc != -EINVAL : rc < 0)
			fail_msg("names.tsv:%u: '%s' gave %d", r.line,
				 r.field[0], rc);
		if (!invalid && strcmp(buf, r.field[1]) != 0)
			fail_msg("names.tsv:%u: '%s' -> '%s', want '%s'",
				 r.line, r.field[0], buf, r.field[1]);
	}
	tsv_close(&t);
	assert_true(rows > 600);
}

/* ---- hand-written cases ----------------------------------------- */

static void parse_refuses_what_does_not_fit_with_erange(void **state)
{
	struct gw_pep440 v;

	(void)state;
	for (size_t i = 0; i < N(too_big); i++)
		if (gw_pep440_parse(too_big[i], strlen(too_big[i]), &v) !=
		    -ERANGE)
			fail_msg("'%s' is not -ERANGE", too_big[i]);
	assert_int_equal(gw_pep440_parse("18446744073709551615", 20, &v), 0);
	assert_true(v.release[0] == UINT64_MAX);
}

static void parse_reads_only_len_bytes(void **state)
{
	struct gw_pep440 v;
	char buf[32];

	(void)state;
	assert_int_equal(gw_pep440_parse("1.0rc1garbage", 6, &v), 0);
	gw_pep440_format(&v, buf, sizeof(buf));
	assert_string_equal(buf, "1.0rc1");
	assert_int_equal(gw_pep440_parse("1.0\0", 4, &v), -EINVAL);
	assert_int_equal(gw_pep440_parse("", 0, &v), -EINVAL);
}

static void format_returns_needed_length_and_truncates(void **state)
{
	struct gw_pep440 v;
	char buf[6];
	const char *s = "2!1.0.post2.dev3+ubuntu.1";

	(void)state;
	assert_int_equal(gw_pep440_parse(s, strlen(s), &v), 0);
	assert_int_equal(gw_pep440_format(&v, NULL, 0), strlen(s));
	assert_int_equal(gw_pep440_format(&v, buf, sizeof(buf)), strlen(s));
	assert_string_equal(buf, "2!1.0");
	assert_int_equal(gw_pep440_format(&v, buf, 1), strlen(s));
	assert_string_equal(buf, "");
}

struct pin_case {
	const char *set;
	int rc;
	const char *want;
};

static const struct pin_case pin_cases[] = {
	{ "==1.2.3", 0, "1.2.3" },	   { ">=1,==1.4", 0, "1.4" },
	{ "==1.4,>=1", 0, "1.4" },	   { "===2.0", 0, "2.0" },
	{ "==1.0+local", 0, "1.0+local" }, { "==1.0a1", 0, "1.0a1" },
	{ "==1,==2", -ENOENT, NULL },	   { "==1.*", -ENOENT, NULL },
	{ ">=1,<2", -ENOENT, NULL },	   { "", -ENOENT, NULL },
	{ "==1.4,<1", -ENOENT, NULL },	   { "===foo", -EINVAL, NULL },
};

static void specset_pinned_finds_the_exact_version(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(pin_cases); i++) {
		const struct pin_case *c = &pin_cases[i];
		struct gw_specset s;
		struct gw_pep440 v;
		char buf[64];
		int rc;

		assert_int_equal(
			gw_specset_parse(c->set, strlen(c->set), &s, NULL), 0);
		rc = gw_specset_pinned(&s, &v);
		if (rc != c->rc)
			fail_msg("'%s': %d, want %d", c->set, rc, c->rc);
		if (rc < 0)
			continue;
		gw_pep440_format(&v, buf, sizeof(buf));
		assert_string_equal(buf, c->want);
	}
}

static void specset_error_names_the_item_and_column(void **state)
{
	struct gw_error err;
	struct gw_specset s;
	const char *text = ">=1.0, <2.0, =3";

	(void)state;
	gw_error_clear(&err);
	assert_int_equal(gw_specset_parse(text, strlen(text), &s, &err),
			 -EINVAL);
	assert_int_equal(err.col, 14);
	assert_non_null(strstr(err.msg, "'=3'"));
}

static void specset_refuses_more_than_the_cap(void **state)
{
	char text[4096] = "";
	struct gw_error err;
	struct gw_specset s;

	(void)state;
	for (int i = 0; i <= GW_SPEC_MAX; i++)
		strncat(text, ">=1,", sizeof(text) - strlen(text) - 1);
	gw_error_clear(&err);
	assert_int_equal(gw_specset_parse(text, strlen(text), &s, &err),
			 -E2BIG);
}

static void specifier_refuses_overlong_version_text(void **state)
{
	char text[200];
	struct gw_spec s;

	(void)state;
	memset(text, 'x', sizeof(text));
	memcpy(text, "===", 3);
	assert_int_equal(gw_specifier_parse(text, 3 + 127, &s), 0);
	assert_int_equal(strlen(s.text), 127);
	assert_int_equal(gw_specifier_parse(text, 3 + 128, &s), -E2BIG);
	assert_int_equal(gw_specifier_parse(text, sizeof(text), &s), -E2BIG);
}

/* The pre-release rule is the set's: one item naming one lifts it all. */
struct pre_case {
	const char *set;
	const char *version;
	bool prereleases;
	bool want;
};

static const struct pre_case pre_cases[] = {
	{ ">=1.0", "2.0a1", false, false },
	{ ">=1.0", "2.0a1", true, true },
	{ ">=1.0a1", "2.0a1", false, true },
	{ ">=1.0a1,<3", "2.0a1", false, true },
	{ "<3,>=1.0a1", "2.0b1", false, true },
	{ ">1.0a1", "2.0a1", false, false },
	{ "<2.0a1", "1.0a1", false, false },
	{ "!=2.0a1", "2.0a2", false, false },
	{ "==2.0a1", "2.0a1", false, true },
	{ "~=2.0a1", "2.0b1", false, true },
	{ "", "1.0.dev1", false, false },
	{ "", "1.0.dev1", true, true },
	{ "", "1.0.post1", false, true },
	{ "<2", "2.0a1", true, false },
	{ "<2a5", "2.0a1", false, false },
	{ "<2a5", "2.0a1", true, true },
};

static void specset_prereleases_follow_the_set(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(pre_cases); i++) {
		const struct pre_case *c = &pre_cases[i];
		struct gw_specset s;
		struct gw_pep440 v;

		assert_int_equal(
			gw_specset_parse(c->set, strlen(c->set), &s, NULL), 0);
		assert_int_equal(
			gw_pep440_parse(c->version, strlen(c->version), &v), 0);
		if (gw_specset_contains(&s, &v, c->prereleases) != c->want)
			fail_msg("'%s' contains %s (prereleases %d) != %d",
				 c->set, c->version, c->prereleases, c->want);
	}
}

static void normalize_reports_short_buffers(void **state)
{
	char buf[4];

	(void)state;
	assert_int_equal(gw_pep503_normalize("abc", 3, buf, sizeof(buf)), 3);
	assert_int_equal(gw_pep503_normalize("abcd", 4, buf, sizeof(buf)),
			 -ENOSPC);
	assert_int_equal(gw_pep503_normalize("a__b", 4, buf, sizeof(buf)), 3);
	assert_string_equal(buf, "a-b");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(versions_table_normalizes_like_packaging),
		cmocka_unit_test(order_table_is_packagings_total_order),
		cmocka_unit_test(specifiers_table_matches_like_packaging),
		cmocka_unit_test(specsets_table_matches_like_packaging),
		cmocka_unit_test(names_table_normalizes_like_pep503),
		cmocka_unit_test(parse_refuses_what_does_not_fit_with_erange),
		cmocka_unit_test(parse_reads_only_len_bytes),
		cmocka_unit_test(format_returns_needed_length_and_truncates),
		cmocka_unit_test(specset_pinned_finds_the_exact_version),
		cmocka_unit_test(specset_error_names_the_item_and_column),
		cmocka_unit_test(specset_refuses_more_than_the_cap),
		cmocka_unit_test(specifier_refuses_overlong_version_text),
		cmocka_unit_test(specset_prereleases_follow_the_set),
		cmocka_unit_test(normalize_reports_short_buffers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
