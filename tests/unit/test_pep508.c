/*
 * Unit tests for PEP 508 requirements and markers: the table generated
 * from packaging 23 (tests/data/pep440/requirements.tsv), hand-written
 * marker and error cases, the host environment, and truncation and
 * bit-flip sweeps over the parsers (untrusted input: every file a
 * dependency audit reads).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/error.h"
#include "core/limits.h"
#include "deps/deps.h"
#include "tsv_data.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

#define SET(f, v) snprintf(f, sizeof(f), "%s", v)

/* The environment generate.py evaluates markers in. */
static void table_env(struct gw_marker_env *env, const char *const *extras)
{
	memset(env, 0, sizeof(*env));
	SET(env->python_version, "3.11");
	SET(env->python_full_version, "3.11.2");
	SET(env->os_name, "posix");
	SET(env->sys_platform, "linux");
	SET(env->platform_release, "6.1.0-18-amd64");
	SET(env->platform_system, "Linux");
	SET(env->platform_version, "#1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1");
	SET(env->platform_machine, "x86_64");
	SET(env->platform_python_implementation, "CPython");
	SET(env->implementation_name, "cpython");
	SET(env->implementation_version, "3.11.2");
	env->extras = extras;
}

static const char *const probes[] = {
	"0.1", "1.0", "1.0a1", "1.0.5", "1.4.3", "1.5", "2.0", "3.0",
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void check_extras(const struct tsv_row *r,
			 const struct gw_requirement *q)
{
	const char *sorted[GW_REQ_MAX_EXTRAS];
	char got[1024] = "-";
	size_t n = 0;

	/* Ours are normalized and unique, in order; the table's sorted. */
	for (size_t i = 0; i < q->nextras; i++)
		sorted[i] = q->extras[i];
	qsort(sorted, q->nextras, sizeof(*sorted), cmp_str);
	for (size_t i = 0; i < q->nextras; i++)
		n += (size_t)snprintf(got + n, sizeof(got) - n, "%s%s",
				      i ? "," : "", sorted[i]);
	if (strcmp(got, r->field[3]) != 0)
		fail_msg("requirements.tsv:%u: extras '%s', want '%s'", r->line,
			 got, r->field[3]);
}

static void check_marker(const struct tsv_row *r,
			 const struct gw_requirement *q, const char *want,
			 const char *const *extras)
{
	struct gw_marker_env env;
	int got;

	if (want[0] == '?')
		return;
	if (want[0] == '-') {
		assert_null(q->marker);
		return;
	}
	assert_non_null(q->marker);
	table_env(&env, extras);
	got = gw_marker_eval(q->marker, &env);
	if (got != want[0] - '0')
		fail_msg("requirements.tsv:%u: marker '%s' = %d, want %s",
			 r->line, q->marker_text, got, want);
}

static void check_requirement_row(const struct tsv_row *r)
{
	static const char *const security[] = { "security", NULL };
	struct gw_requirement q;
	struct gw_error err;
	char got[16] = "";
	int rc;

	gw_error_clear(&err);
	rc = gw_requirement_parse(r->field[0], r->len[0], "t.txt", 7, &q, &err);
	if (strcmp(r->field[1], "!invalid") == 0) {
		if (rc >= 0)
			fail_msg("requirements.tsv:%u: '%s' parsed", r->line,
				 r->field[0]);
		assert_int_equal(err.line, 7);
		assert_string_equal(err.file, "t.txt");
		assert_null(q.marker);
		return;
	}
	if (rc < 0)
		fail_msg("requirements.tsv:%u: '%s': %s", r->line, r->field[0],
			 err.msg);
	assert_string_equal(q.name, r->field[1]);
	assert_string_equal(q.norm, r->field[2]);
	check_extras(r, &q);
	assert_string_equal(q.url[0] ? q.url : "-", r->field[4]);
	for (size_t i = 0; i < N(probes); i++) {
		struct gw_pep440 v;

		assert_int_equal(
			gw_pep440_parse(probes[i], strlen(probes[i]), &v), 0);
		got[i] = gw_specset_contains(&q.spec, &v, false) ? '1' : '0';
	}
	if (strcmp(got, r->field[5]) != 0)
		fail_msg("requirements.tsv:%u: '%s' probes %s, want %s",
			 r->line, r->field[0], got, r->field[5]);
	check_marker(r, &q, r->field[6], NULL);
	check_marker(r, &q, r->field[7], security);
	gw_requirement_clear(&q);
}

static void requirements_table_parses_like_packaging(void **state)
{
	struct tsv t;
	struct tsv_row r;
	unsigned rows = 0;

	(void)state;
	if (tsv_open(&t, "requirements.tsv") < 0)
		fail_msg("cannot open requirements.tsv");
	while (tsv_next(&t, &r)) {
		check_requirement_row(&r);
		rows++;
	}
	tsv_close(&t);
	assert_true(rows >= 100);
}

/* ---- markers ---------------------------------------------------- */

struct marker_case {
	const char *name;
	const char *marker;
	const char *extras; /* comma-separated, or NULL */
	int want;
};

static const struct marker_case marker_cases[] = {
	{ "versions compare as versions", "python_version > '3.9'", NULL, 1 },
	{ "literal on the left", "'3.8' <= python_version", NULL, 1 },
	{ "two variables", "python_version == python_full_version", NULL, 0 },
	{ "two literals", "'a' < 'b'", NULL, 1 },
	{ "and binds tighter",
	  "os_name == 'nt' or os_name == 'posix' and "
	  "sys_platform == 'darwin'",
	  NULL, 0 },
	{ "and binds tighter 2",
	  "os_name == 'posix' or os_name == 'nt' and "
	  "sys_platform == 'darwin'",
	  NULL, 1 },
	{ "parentheses",
	  "(os_name == 'nt' or os_name == 'posix') and "
	  "platform_machine == 'x86_64'",
	  NULL, 1 },
	{ "text that is no version compares as text", "platform_release < '10'",
	  NULL, 0 },
	{ "text >= text", "platform_release >= '5'", NULL, 1 },
	{ "~= on text cannot be evaluated", "platform_version ~= '1.0'", NULL,
	  -EINVAL },
	{ "=== on text is case-blind equality",
	  "implementation_name === 'CPYTHON'", NULL, 1 },
	{ "wildcard", "python_full_version == '3.11.*'", NULL, 1 },
	{ "pre-releases count in markers", "python_version >= '3.11.0rc1'",
	  NULL, 1 },
	{ "empty string is in anything", "'' in os_name", NULL, 1 },
	{ "not in", "'x' not in 'abc'", NULL, 1 },
	{ "legacy dotted name", "os.name == 'posix'", NULL, 1 },
	{ "legacy python_implementation", "python_implementation == 'CPython'",
	  NULL, 1 },
	{ "no extra is the empty string", "extra == ''", NULL, 1 },
	{ "extra names fold", "extra == 'sec_urity'", "Sec.Urity", 1 },
	{ "extra on the right", "'TEST' == extra", "test", 1 },
	{ "one extra at a time", "extra == 'a' and extra == 'b'", "a,b", 0 },
	{ "any extra", "extra == 'a' or extra == 'b'", "c,b", 1 },
	{ "extra != with extras", "extra != 'a'", "a", 0 },
	{ "no space before and", "os_name=='posix'and os_name!='nt'", NULL, 1 },
	{ "nested", "((((((os_name == 'posix'))))))", NULL, 1 },
	{ "an error on the skipped side still counts",
	  "os_name == 'nt' and platform_version ~= '1.0'", NULL, -EINVAL },
};

static void split_extras(const char *list, char *buf, size_t cap,
			 const char **out, size_t max)
{
	size_t n = 0;

	out[0] = NULL;
	if (!list)
		return;
	snprintf(buf, cap, "%s", list);
	for (char *p = buf; p && n + 1 < max;) {
		char *comma = strchr(p, ',');

		if (comma)
			*comma = '\0';
		out[n++] = p;
		p = comma ? comma + 1 : NULL;
	}
	out[n] = NULL;
}

static void marker_table_evaluates_as_pep508_says(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(marker_cases); i++) {
		const struct marker_case *c = &marker_cases[i];
		const char *extras[8];
		struct gw_marker_env env;
		struct gw_marker *m;
		struct gw_error err;
		char buf[64];
		int got;

		gw_error_clear(&err);
		if (gw_marker_parse(c->marker, strlen(c->marker), &m, &err) < 0)
			fail_msg("%s: %s", c->name, err.msg);
		split_extras(c->extras, buf, sizeof(buf), extras, N(extras));
		table_env(&env, extras);
		got = gw_marker_eval(m, &env);
		if (got != c->want)
			fail_msg("%s: '%s' = %d, want %d", c->name, c->marker,
				 got, c->want);
		gw_marker_free(m);
	}
}

struct marker_error {
	const char *name;
	const char *marker;
	int rc;
	unsigned col;
};

static const struct marker_error marker_errors[] = {
	{ "empty", "", -EINVAL, 1 },
	{ "no operator", "os_name", -EINVAL, 8 },
	{ "no right side", "os_name ==", -EINVAL, 11 },
	{ "unknown variable", "os_nam == 'x'", -EINVAL, 1 },
	{ "variable glued to and", "os_name == 'x' andos_name == 'y'", -EINVAL,
	  16 },
	{ "dangling and", "os_name == 'x' and", -EINVAL, 19 },
	{ "xor", "os_name == 'x' xor os_name == 'y'", -EINVAL, 16 },
	{ "unterminated string", "os_name == 'posix", -EINVAL, 18 },
	{ "backslash in a string", "os_name == 'po\\six'", -EINVAL, 15 },
	{ "newline in a string", "os_name == 'po\nsix'", -EINVAL, 15 },
	{ "unclosed parenthesis", "(os_name == 'x'", -EINVAL, 16 },
	{ "stray parenthesis", "os_name == 'x')", -EINVAL, 15 },
	{ "notin", "os_name notin 'x'", -EINVAL, 9 },
	{ "single =", "os_name = 'x'", -EINVAL, 9 },
};

static void marker_errors_name_the_column(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(marker_errors); i++) {
		const struct marker_error *c = &marker_errors[i];
		struct gw_marker *m = (struct gw_marker *)1;
		struct gw_error err;
		int rc;

		gw_error_clear(&err);
		rc = gw_marker_parse(c->marker, strlen(c->marker), &m, &err);
		if (rc != c->rc || err.col != c->col)
			fail_msg("%s: rc %d col %u (%s), want %d col %u",
				 c->name, rc, err.col, err.msg, c->rc, c->col);
		assert_null(m);
	}
}

static void marker_caps_refuse_deep_and_long_input(void **state)
{
	char text[GW_MARKER_MAX_BYTES + 64];
	struct gw_marker *m;
	size_t n = 0;

	(void)state;
	for (unsigned i = 0; i <= GW_MARKER_MAX_DEPTH; i++)
		text[n++] = '(';
	n += (size_t)snprintf(text + n, sizeof(text) - n, "os_name == 'x'");
	for (unsigned i = 0; i <= GW_MARKER_MAX_DEPTH; i++)
		text[n++] = ')';
	assert_int_equal(gw_marker_parse(text, n, &m, NULL), -E2BIG);
	/* One level less is fine. */
	assert_int_equal(gw_marker_parse(text + 1, n - 2, &m, NULL), 0);
	gw_marker_free(m);

	memset(text, ' ', sizeof(text));
	memcpy(text, "os_name == 'x'", 14);
	assert_int_equal(gw_marker_parse(text, GW_MARKER_MAX_BYTES, &m, NULL),
			 0);
	gw_marker_free(m);
	assert_int_equal(
		gw_marker_parse(text, GW_MARKER_MAX_BYTES + 1, &m, NULL),
		-E2BIG);
}

static void marker_many_terms_stay_within_the_node_cap(void **state)
{
	char text[GW_MARKER_MAX_BYTES + 1];
	struct gw_marker_env env;
	struct gw_marker *m;
	size_t n = 0;
	int rc;

	(void)state;
	/* "'a'<'b' or " is 11 bytes: 372 terms, 743 nodes > the cap. */
	while (n + 11 + 7 < GW_MARKER_MAX_BYTES)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
				      "'a'<'b' or ");
	n += (size_t)snprintf(text + n, sizeof(text) - n, "'a'<'b'");
	rc = gw_marker_parse(text, n, &m, NULL);
	assert_int_equal(rc, -E2BIG);

	/* 200 terms fit, and evaluate without recursion. */
	n = 0;
	for (int i = 0; i < 200; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%s'a'<'b'",
				      i ? " and " : "");
	assert_int_equal(gw_marker_parse(text, n, &m, NULL), 0);
	table_env(&env, NULL);
	assert_int_equal(gw_marker_eval(m, &env), 1);
	gw_marker_free(m);
}

static void env_host_reads_uname_and_the_interpreter(void **state)
{
	struct gw_marker_env env;
	struct gw_pep440 v;

	(void)state;
	gw_marker_env_host(&env);
	assert_string_equal(env.os_name, "posix");
	assert_string_equal(env.sys_platform, "linux");
	assert_string_equal(env.platform_system, "Linux");
	assert_true(env.platform_machine[0] != '\0');
	assert_true(env.platform_release[0] != '\0');
	assert_string_equal(env.implementation_name, "cpython");
	assert_null(env.extras);
	if (access("/usr/bin/python3", X_OK) != 0)
		skip();
	assert_int_equal(gw_pep440_parse(env.python_full_version,
					 strlen(env.python_full_version), &v),
			 0);
	assert_int_equal(strncmp(env.python_full_version, env.python_version,
				 strlen(env.python_version)),
			 0);
}

static void env_set_python_takes_full_versions_only(void **state)
{
	struct gw_marker_env env;

	(void)state;
	memset(&env, 0, sizeof(env));
	assert_int_equal(gw_marker_env_set_python(&env, "3.12.1"), 0);
	assert_string_equal(env.python_version, "3.12");
	assert_string_equal(env.python_full_version, "3.12.1");
	assert_string_equal(env.implementation_version, "3.12.1");
	assert_int_equal(gw_marker_env_set_python(&env, "3.13.0rc2"), 0);
	assert_string_equal(env.python_version, "3.13");
	assert_int_equal(gw_marker_env_set_python(&env, "3"), -EINVAL);
	assert_int_equal(gw_marker_env_set_python(&env, "three"), -EINVAL);
	assert_int_equal(gw_marker_env_set_python(&env, "1!3.1"), -EINVAL);
	assert_string_equal(env.python_version, "3.13");
}

/* ---- requirements --------------------------------------------------- */

struct kind_case {
	const char *req;
	enum gw_req_kind kind;
};

static const struct kind_case kind_cases[] = {
	{ "x", GW_REQ_NAMED },
	{ "x>=1", GW_REQ_NAMED },
	{ "x @ https://h/x-1.0.tar.gz", GW_REQ_URL },
	{ "x @ git+https://h/x.git@v1", GW_REQ_VCS },
	{ "x @ git://h/x.git", GW_REQ_VCS },
	{ "x @ hg+https://h/x", GW_REQ_VCS },
	{ "x @ gitlab://h/x", GW_REQ_URL },
	{ "x @ file:///src/x", GW_REQ_PATH },
	{ "x @ FILE:///src/x", GW_REQ_PATH },
};

static void requirement_kind_follows_the_url(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(kind_cases); i++) {
		struct gw_requirement r;

		assert_int_equal(gw_requirement_parse(kind_cases[i].req,
						      strlen(kind_cases[i].req),
						      "f", 1, &r, NULL),
				 0);
		if (r.kind != kind_cases[i].kind)
			fail_msg("'%s': kind %d", kind_cases[i].req, r.kind);
		gw_requirement_clear(&r);
	}
}

struct req_error {
	const char *name;
	const char *req;
	int rc;
	unsigned col;
};

static const struct req_error req_errors[] = {
	{ "no name", ">=1", -EINVAL, 1 },
	{ "bad specifier", "x>=1.0.*", -EINVAL, 2 },
	{ "space inside specifiers", "x>=1 <2", -EINVAL, 6 },
	{ "url without host", "x @ https:///p", -EINVAL, 15 },
	{ "marker column is absolute", "x; os_name = 'a'", -EINVAL, 12 },
	{ "nothing after ;", "x @ https://h/x.whl ;", -EINVAL, 22 },
	{ "unknown byte after name", "x$", -EINVAL, 2 },
};

static void requirement_errors_name_file_line_and_column(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(req_errors); i++) {
		const struct req_error *c = &req_errors[i];
		struct gw_requirement r;
		struct gw_error err;
		int rc;

		gw_error_clear(&err);
		rc = gw_requirement_parse(c->req, strlen(c->req), "reqs.txt", 3,
					  &r, &err);
		if (rc != c->rc || err.col != c->col)
			fail_msg("%s: rc %d col %u (%s), want %d col %u",
				 c->name, rc, err.col, err.msg, c->rc, c->col);
		assert_string_equal(err.file, "reqs.txt");
		assert_int_equal(err.line, 3);
	}
}

static void requirement_caps_refuse_long_fields(void **state)
{
	char text[1024];
	struct gw_requirement r;
	int n;

	(void)state;
	memset(text, 'a', 128);
	assert_int_equal(gw_requirement_parse(text, 127, "f", 1, &r, NULL), 0);
	gw_requirement_clear(&r);
	assert_int_equal(gw_requirement_parse(text, 128, "f", 1, &r, NULL),
			 -E2BIG);

	n = snprintf(text, sizeof(text), "x[");
	for (int i = 0; i <= GW_REQ_MAX_EXTRAS; i++)
		n += snprintf(text + n, sizeof(text) - (size_t)n, "%se%d",
			      i ? "," : "", i);
	n += snprintf(text + n, sizeof(text) - (size_t)n, "]");
	assert_int_equal(
		gw_requirement_parse(text, (size_t)n, "f", 1, &r, NULL),
		-E2BIG);

	n = snprintf(text, sizeof(text), "x; os_name == '%0250d'", 0);
	assert_int_equal(
		gw_requirement_parse(text, (size_t)n, "f", 1, &r, NULL),
		-E2BIG);
	assert_null(r.marker);
}

static void requirement_clear_frees_and_zeroes(void **state)
{
	struct gw_requirement r;
	const char *s = "x[a]>=1; os_name == 'posix'";

	(void)state;
	assert_int_equal(gw_requirement_parse(s, strlen(s), "f", 1, &r, NULL),
			 0);
	assert_non_null(r.marker);
	assert_string_equal(r.marker_text, "os_name == 'posix'");
	gw_requirement_clear(&r);
	assert_null(r.marker);
	assert_int_equal(r.nextras, 0);
	gw_requirement_clear(NULL);
}

/* ---- sweeps: truncations and bit flips ------------------------------ */

static const char *const sweep_corpus[] = {
	"foo[bar,baz] (>=1.0a1, <2, !=1.5.*, ~=1.4, ===x) ; python_version "
	"< '3.8' and (os_name == \"posix\" or extra not in 'a b')",
	"name@git+https://example.com/x.git@v1.0#egg=x ; sys_platform == "
	"'linux'",
	"zope.interface-x_y>=2!1.0.post1.dev2+local.7",
	"x; ((python_full_version >= '3.6.0rc1') or implementation_name === "
	"'cpython')",
};

/* Parse, then use every field the result has: ASan sees any overread. */
static void parse_and_use(const char *text, size_t len)
{
	struct gw_marker_env env;
	struct gw_requirement r;
	struct gw_pep440 v;
	char buf[64];

	table_env(&env, NULL);
	if (gw_requirement_parse(text, len, "f", 1, &r, NULL) == 0) {
		assert_true(strlen(r.name) < sizeof(r.name));
		assert_true(strlen(r.norm) <= strlen(r.name));
		assert_true((r.marker != NULL) == (r.marker_text[0] != '\0'));
		if (r.marker)
			gw_marker_eval(r.marker, &env);
		if (gw_specset_pinned(&r.spec, &v) == 0)
			gw_pep440_format(&v, buf, sizeof(buf));
		gw_requirement_clear(&r);
	}
}

static void sweep_truncations_never_overread(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(sweep_corpus); i++) {
		size_t len = strlen(sweep_corpus[i]);

		for (size_t n = 0; n <= len; n++) {
			/* A copy of exactly n bytes, so ASan sees the end. */
			char *copy = malloc(n ? n : 1);

			memcpy(copy, sweep_corpus[i], n);
			parse_and_use(copy, n);
			free(copy);
		}
	}
}

static void sweep_bit_flips_never_overread(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(sweep_corpus); i++) {
		size_t len = strlen(sweep_corpus[i]);
		char *copy = malloc(len);

		for (size_t k = 0; k < len * 8; k++) {
			memcpy(copy, sweep_corpus[i], len);
			copy[k / 8] ^= (char)(1u << (k % 8));
			parse_and_use(copy, len);
		}
		free(copy);
	}
}

static void sweep_markers_alone(void **state)
{
	const char *m = "(python_version >= '3.6' and os_name != 'nt') or "
			"'linux' in sys_platform";
	size_t len = strlen(m);
	struct gw_marker_env env;

	(void)state;
	table_env(&env, NULL);
	for (size_t k = 0; k < len * 8 + len; k++) {
		char *copy = malloc(len);
		size_t n = k < len ? k : len;
		struct gw_marker *mk;

		memcpy(copy, m, len);
		if (k >= len)
			copy[(k - len) / 8] ^= (char)(1u << ((k - len) % 8));
		if (gw_marker_parse(copy, n, &mk, NULL) == 0) {
			gw_marker_eval(mk, &env);
			gw_marker_free(mk);
		}
		free(copy);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(requirements_table_parses_like_packaging),
		cmocka_unit_test(marker_table_evaluates_as_pep508_says),
		cmocka_unit_test(marker_errors_name_the_column),
		cmocka_unit_test(marker_caps_refuse_deep_and_long_input),
		cmocka_unit_test(marker_many_terms_stay_within_the_node_cap),
		cmocka_unit_test(env_host_reads_uname_and_the_interpreter),
		cmocka_unit_test(env_set_python_takes_full_versions_only),
		cmocka_unit_test(requirement_kind_follows_the_url),
		cmocka_unit_test(requirement_errors_name_file_line_and_column),
		cmocka_unit_test(requirement_caps_refuse_long_fields),
		cmocka_unit_test(requirement_clear_frees_and_zeroes),
		cmocka_unit_test(sweep_truncations_never_overread),
		cmocka_unit_test(sweep_bit_flips_never_overread),
		cmocka_unit_test(sweep_markers_alone),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
