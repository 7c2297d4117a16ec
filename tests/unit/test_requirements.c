/*
 * Unit tests for the requirements-file reader: every syntax of pip's
 * format, line by line from a table, then the parts that span lines and
 * files (continuations, comments, -r / -c, cycles, ${VAR}) and a
 * truncation sweep that must never lose an earlier line.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/limits.h"
#include "deps/audit.h"
#include "deps/deps.h"
#include "deps/read_priv.h"

#define FIXTURES GW_SOURCE_ROOT "/tests/deps"

/* One line of a requirements file and what it must give. */
struct line_case {
	const char *name;
	const char *line;
	bool error; /* the line is refused */
	enum gw_req_kind kind;
	const char *norm; /* NULL: no requirement is added */
	const char *spec; /* the specifiers as written back */
	size_t nhashes;
	const char *marker;
	const char *url;
	const char *option; /* a global option recorded, or NULL */
	const char *value;
};

static const struct line_case line_cases[] = {
	{ "a pinned name", "requests==2.31.0", false, GW_REQ_NAMED, "requests",
	  "==2.31.0" },
	{ "a range is kept as a range", "gym>=0.6.0,<1", false, GW_REQ_NAMED,
	  "gym", ">=0.6.0,<1" },
	{ "mixed case, dots and underscores normalize",
	  "Stable_Baselines3.Contrib[extra]  ==  2.0.0", false, GW_REQ_NAMED,
	  "stable-baselines3-contrib", "==2.0.0" },
	{ "a bare name", "numpy", false, GW_REQ_NAMED, "numpy", "" },
	{ "compatible release", "mujoco ~= 3.1.0", false, GW_REQ_NAMED,
	  "mujoco", "~=3.1.0" },
	{ "wildcard", "pettingzoo==1.24.*", false, GW_REQ_NAMED, "pettingzoo",
	  "==1.24.*" },
	{ "a marker", "pywin32==306 ; sys_platform == \"win32\"", false,
	  GW_REQ_NAMED, "pywin32", "==306", 0, "sys_platform == \"win32\"" },
	{ "a hash",
	  "urllib3==1.26.4 --hash=sha256:"
	  "2f4da4594db7e1e110a944bb1b551fdf4e6c136ad42e4234131391e21"
	  "eb5b0df",
	  false, GW_REQ_NAMED, "urllib3", "==1.26.4", 1 },
	{ "two hashes, one with a space",
	  "six==1.16.0 --hash sha256:"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  " --hash=sha512:"
	  "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	  "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
	  false, GW_REQ_NAMED, "six", "==1.16.0", 2 },
	{ "per-requirement build options are accepted",
	  "pandas==2.0.0 --config-settings=--build-option=--fast "
	  "--global-option=--quiet",
	  false, GW_REQ_NAMED, "pandas", "==2.0.0" },
	{ "an editable path", "-e ./vendored/mylib", false, GW_REQ_EDITABLE,
	  "mylib", "", 0, NULL, "./vendored/mylib" },
	{ "an editable VCS URL names itself with #egg=",
	  "-e git+https://github.com/example/gizmo.git@v1.0#egg=gizmo", false,
	  GW_REQ_EDITABLE, "gizmo", "", 0, NULL,
	  "git+https://github.com/example/gizmo.git@v1.0#egg=gizmo" },
	{ "a VCS line", "git+https://example.com/w.git#egg=Widget_Two", false,
	  GW_REQ_VCS, "widget-two", "", 0, NULL,
	  "git+https://example.com/w.git#egg=Widget_Two" },
	{ "a wheel URL is named after the wheel",
	  "https://example.com/thing-1.0-py3-none-any.whl", false, GW_REQ_URL,
	  "thing" },
	{ "a URL with a marker",
	  "https://example.com/a-1.0.tar.gz ; "
	  "python_version < \"3.8\"",
	  false, GW_REQ_URL, "a", "", 0, "python_version < \"3.8\"" },
	{ "a local archive", "./local/pkg-2.0.tar.gz", false, GW_REQ_PATH,
	  "pkg" },
	{ "a local folder", ".", false, GW_REQ_PATH },
	{ "name @ url is a named URL requirement",
	  "ray[default] @ https://example.com/ray-2.9.0-py3-none-any.whl",
	  false, GW_REQ_URL, "ray" },
	{ "a password in a URL is never kept",
	  "https://user:s3cret@example.com/b-1.0.tar.gz", false, GW_REQ_URL,
	  "b", "", 0, NULL, "https://***@example.com/b-1.0.tar.gz" },
	{ "--index-url", "--index-url https://pypi.org/simple", false,
	  GW_REQ_NAMED, NULL, NULL, 0, NULL, NULL, "--index-url",
	  "https://pypi.org/simple" },
	{ "-i with its value attached", "-ihttps://x.example/simple", false,
	  GW_REQ_NAMED, NULL, NULL, 0, NULL, NULL, "--index-url",
	  "https://x.example/simple" },
	{ "--extra-index-url=", "--extra-index-url=https://x.example/simple",
	  false, GW_REQ_NAMED, NULL, NULL, 0, NULL, NULL, "--extra-index-url",
	  "https://x.example/simple" },
	{ "-f", "-f ./wheels", false, GW_REQ_NAMED, NULL, NULL, 0, NULL, NULL,
	  "--find-links", "./wheels" },
	{ "--trusted-host", "--trusted-host x.example", false, GW_REQ_NAMED,
	  NULL, NULL, 0, NULL, NULL, "--trusted-host", "x.example" },
	{ "--pre", "--pre", false, GW_REQ_NAMED, NULL, NULL, 0, NULL, NULL,
	  "--pre", "" },
	{ "--no-index", "--no-index", false, GW_REQ_NAMED, NULL, NULL, 0, NULL,
	  NULL, "--no-index", "" },
	{ "--prefer-binary", "--prefer-binary", false, GW_REQ_NAMED, NULL, NULL,
	  0, NULL, NULL, "--prefer-binary", "" },
	{ "--require-hashes", "--require-hashes", false, GW_REQ_NAMED, NULL,
	  NULL, 0, NULL, NULL, "--require-hashes", "" },
	{ "--only-binary", "--only-binary :all:", false, GW_REQ_NAMED, NULL,
	  NULL, 0, NULL, NULL, "--only-binary", ":all:" },
	{ "--no-binary", "--no-binary torch", false, GW_REQ_NAMED, NULL, NULL,
	  0, NULL, NULL, "--no-binary", "torch" },
	{ "a comment line", "# nothing here", false },
	{ "a blank line", "   ", false },
	{ "an unknown option is refused", "--no-such-option", true },
	{ "an md5 hash is refused",
	  "a==1 --hash=md5:"
	  "0123456789abcdef0123456789abcdef",
	  true, GW_REQ_NAMED, "a", "==1" },
	{ "a short digest is refused", "a==1 --hash=sha256:abc", true,
	  GW_REQ_NAMED, "a", "==1" },
	{ "--hash alone is refused",
	  "--hash=sha256:"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	  true },
	{ "a global option after a requirement is refused",
	  "jinja2==2.11.2 --index-url https://pypi.org/simple", true,
	  GW_REQ_NAMED, "jinja2", "==2.11.2" },
	{ "an unclosed quote is refused", "six==1 --hash \"sha256:x", true },
	{ "an option without its value is refused", "--index-url", true },
	{ "a name with spaces is refused", "name with spaces==1.0", true },
	{ "a remote -r is not fetched", "-r https://example.com/r.txt", true },
};

static void check_line(const struct line_case *c)
{
	struct gw_dep_set s;
	struct gw_error err = { 0 };
	char spec[256];
	int rc;

	gw_dep_set_init(&s);
	rc = gw_deps_read_requirements("cases.txt", c->line, strlen(c->line),
				       &s, &err);
	if (c->error != (rc < 0))
		fail_msg("%s: rc %d, error '%s'", c->name, rc, err.msg);
	if (c->error && err.line != 1)
		fail_msg("%s: error names line %u", c->name, err.line);
	if (c->norm) {
		if (s.n != 1)
			fail_msg("%s: %zu requirements", c->name, s.n);
		assert_int_equal(s.reqs[0].kind, c->kind);
		if (strcmp(s.reqs[0].norm, c->norm) != 0)
			fail_msg("%s: norm '%s'", c->name, s.reqs[0].norm);
		gw_deps_spec_text(&s.reqs[0].spec, spec, sizeof(spec));
		if (c->spec && strcmp(spec, c->spec) != 0)
			fail_msg("%s: spec '%s'", c->name, spec);
		assert_int_equal(s.reqs[0].nhashes, c->nhashes);
		if (c->marker)
			assert_string_equal(s.reqs[0].marker_text, c->marker);
		if (c->url)
			assert_string_equal(s.reqs[0].url, c->url);
		assert_int_equal(s.reqs[0].line, 1);
	} else if (!c->error || c->kind != GW_REQ_NAMED) {
		if (s.n != 0 && !(c->kind == GW_REQ_PATH))
			fail_msg("%s: %zu requirements", c->name, s.n);
	}
	if (c->option) {
		assert_int_equal(s.nindex, 1);
		assert_string_equal(s.index[0].option, c->option);
		assert_string_equal(s.index[0].value, c->value);
	}
	gw_dep_set_free(&s);
}

static void line_table_gives_expected_requirements(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(line_cases) / sizeof(line_cases[0]); i++)
		check_line(&line_cases[i]);
}

static struct gw_dep_set read_text(const char *text, int *rc)
{
	struct gw_dep_set s;
	struct gw_error err = { 0 };

	gw_dep_set_init(&s);
	*rc = gw_deps_read_requirements("t.txt", text, strlen(text), &s, &err);
	return s;
}

static void hash_on_continuation_lines_joins_the_requirement(void **state)
{
	const char *text =
		"requests==2.31.0 \\\n"
		"    --hash=sha256:58cd2187c01e70e6e26505bca751777aa9f2ee0b7f43"
		"00988b709f44e013003f \\\n"
		"    --hash=sha256:942c5a758f98d790eaed1a29cb6eefc7ffb0d1cf7af0"
		"5c3d2791656dbd6ad1e1\n"
		"six==1.16.0\n";
	int rc;
	struct gw_dep_set s = read_text(text, &rc);

	(void)state;
	assert_int_equal(rc, 0);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.reqs[0].nhashes, 2);
	assert_int_equal(s.reqs[0].line, 1);
	assert_string_equal(s.reqs[1].norm, "six");
	assert_int_equal(s.reqs[1].line, 4);
	gw_dep_set_free(&s);
}

static void comment_is_stripped_before_lines_are_joined(void **state)
{
	/* "\" then a comment: the comment goes first, so the line goes on. */
	const char *text =
		"urllib3==1.26.4 \\  # the pinned one\n"
		"  --hash=sha256:"
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		"aaaaaaaaaa\n"
		"# a whole comment line \\\n"
		"six==1.16.0\n";
	int rc;
	struct gw_dep_set s = read_text(text, &rc);

	(void)state;
	assert_int_equal(rc, 0);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.reqs[0].nhashes, 1);
	assert_string_equal(s.reqs[1].norm, "six");
	gw_dep_set_free(&s);
}

static void egg_fragment_is_not_a_comment(void **state)
{
	int rc;
	struct gw_dep_set s = read_text(
		"git+https://e.com/r.git#egg=gizmo  # but this is\n", &rc);

	(void)state;
	assert_int_equal(rc, 0);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.reqs[0].norm, "gizmo");
	assert_string_equal(s.reqs[0].url, "git+https://e.com/r.git#egg=gizmo");
	gw_dep_set_free(&s);
}

static void crlf_lines_read_like_lf_lines(void **state)
{
	int rc;
	struct gw_dep_set s = read_text("a==1\r\nb==2 \\\r\n ; python_version "
					">= \"3\"\r\n",
					&rc);

	(void)state;
	assert_int_equal(rc, 0);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.reqs[1].marker_text, "python_version >= \"3\"");
	gw_dep_set_free(&s);
}

static void only_upper_case_braced_variables_expand(void **state)
{
	int rc;
	struct gw_dep_set s;

	(void)state;
	setenv("GW_TEST_PKG", "flask", 1);
	setenv("lower", "nope", 1);
	s = read_text("${GW_TEST_PKG}==1.0\n$GW_TEST_PKG==2\n${lower}==3\n"
		      "${GW_UNSET_FOR_TEST}==4\n",
		      &rc);
	assert_true(rc < 0);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.reqs[0].norm, "flask");
	/* $NAME, ${lower} and an unset name stay as written: refused. */
	assert_int_equal(s.nerrors, 3);
	assert_int_equal(s.errors[0].line, 2);
	assert_int_equal(s.errors[2].line, 4);
	unsetenv("GW_TEST_PKG");
	gw_dep_set_free(&s);
}

static void a_variable_in_an_index_url_is_redacted(void **state)
{
	int rc;
	struct gw_dep_set s;

	(void)state;
	setenv("GW_TEST_TOKEN", "tok3n", 1);
	s = read_text(
		"--extra-index-url https://${GW_TEST_TOKEN}@x.example/s\n",
		&rc);
	assert_int_equal(rc, 0);
	assert_int_equal(s.nindex, 1);
	assert_string_equal(s.index[0].value, "https://***@x.example/s");
	unsetenv("GW_TEST_TOKEN");
	gw_dep_set_free(&s);
}

static void includes_are_read_relative_to_the_including_file(void **state)
{
	struct gw_dep_set s;
	struct gw_error err = { 0 };
	bool jinja = false, yaml = false, numpy_constraint = false;

	(void)state;
	setenv("GW_TEST_PKG", "flask", 1);
	gw_dep_set_init(&s);
	assert_int_equal(
		gw_deps_read_file(FIXTURES "/reqs/requirements.txt", &s, &err),
		0);
	for (size_t i = 0; i < s.n; i++) {
		jinja |= strcmp(s.reqs[i].norm, "jinja2") == 0 &&
			 strstr(s.reqs[i].file, "base.txt");
		yaml |= strcmp(s.reqs[i].norm, "pyyaml") == 0 &&
			strstr(s.reqs[i].file, "nested/more.txt");
		numpy_constraint |= strcmp(s.reqs[i].norm, "numpy") == 0 &&
				    strcmp(s.reqs[i].group, "constraint") == 0;
	}
	assert_true(jinja && yaml && numpy_constraint);
	assert_int_equal(s.nfiles, 4);
	assert_false(s.partial);
	unsetenv("GW_TEST_PKG");
	gw_dep_set_free(&s);
}

static void include_cycle_is_an_error_naming_the_chain(void **state)
{
	struct gw_dep_set s;
	struct gw_error err = { 0 };

	(void)state;
	gw_dep_set_init(&s);
	assert_int_equal(
		gw_deps_read_file(FIXTURES "/broken/cycle/a.txt", &s, &err),
		-ELOOP);
	assert_true(s.partial);
	assert_non_null(strstr(err.msg, "include cycle"));
	assert_non_null(strstr(err.msg, "a.txt -> "));
	assert_non_null(strstr(err.msg, "b.txt -> "));
	assert_non_null(strstr(err.file, "b.txt"));
	assert_int_equal(err.line, 1);
	/* Both files' own requirements are still there. */
	assert_int_equal(s.n, 2);
	gw_dep_set_free(&s);
}

static void broken_lines_cost_only_themselves(void **state)
{
	struct gw_dep_set s;
	struct gw_error err = { 0 };
	static const unsigned want_lines[] = { 3, 4, 5, 6, 7, 8, 9, 10, 11 };

	(void)state;
	gw_dep_set_init(&s);
	assert_true(gw_deps_read_file(FIXTURES "/broken/requirements.txt", &s,
				      &err) < 0);
	assert_true(s.partial);
	assert_int_equal(err.line, 3);
	assert_int_equal(s.nerrors, sizeof(want_lines) / sizeof(want_lines[0]));
	for (size_t i = 0; i < s.nerrors; i++)
		assert_int_equal(s.errors[i].line, want_lines[i]);
	/* urllib3 (2), requests (4, its bad hash dropped), jinja2, pyyaml. */
	assert_int_equal(s.n, 4);
	assert_string_equal(s.reqs[3].norm, "pyyaml");
	gw_dep_set_free(&s);
}

static void truncation_never_loses_an_earlier_line(void **state)
{
	struct gw_buf b;
	size_t last_n = 0;

	(void)state;
	setenv("GW_TEST_PKG", "flask", 1);
	gw_buf_init(&b, GW_DEPS_FILE_MAX_BYTES);
	assert_int_equal(
		gw_buf_read_file(&b, FIXTURES "/reqs/requirements.txt", NULL),
		0);
	for (size_t cut = 0; cut <= b.len; cut++) {
		struct gw_dep_set s;
		struct gw_error err = { 0 };
		char *copy = malloc(cut + 1);
		size_t named = 0;

		memcpy(copy, b.data, cut);
		copy[cut] = '\0';
		gw_dep_set_init(&s);
		gw_deps_read_requirements(FIXTURES "/reqs/requirements.txt",
					  copy, cut, &s, &err);
		for (size_t i = 0; i < s.n; i++)
			named += strstr(s.reqs[i].file, "requirements.txt") !=
				 NULL;
		/* A cut inside a line may drop that line, never one above. */
		if (named + 1 < last_n)
			fail_msg("cut at %zu: %zu entries, had %zu", cut, named,
				 last_n);
		last_n = named;
		gw_dep_set_free(&s);
		free(copy);
	}
	gw_buf_free(&b);
	unsetenv("GW_TEST_PKG");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(line_table_gives_expected_requirements),
		cmocka_unit_test(
			hash_on_continuation_lines_joins_the_requirement),
		cmocka_unit_test(comment_is_stripped_before_lines_are_joined),
		cmocka_unit_test(egg_fragment_is_not_a_comment),
		cmocka_unit_test(crlf_lines_read_like_lf_lines),
		cmocka_unit_test(only_upper_case_braced_variables_expand),
		cmocka_unit_test(a_variable_in_an_index_url_is_redacted),
		cmocka_unit_test(
			includes_are_read_relative_to_the_including_file),
		cmocka_unit_test(include_cycle_is_an_error_naming_the_chain),
		cmocka_unit_test(broken_lines_cost_only_themselves),
		cmocka_unit_test(truncation_never_loses_an_earlier_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
