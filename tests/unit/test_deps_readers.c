/*
 * Unit tests for the readers of pyproject.toml, Pipfile, Pipfile.lock,
 * poetry.lock, uv.lock, pylock.toml and conda environment files: what
 * each fixture gives, Poetry's constraints translated, broken and
 * truncated files named by line with what came before them kept, and a
 * truncation sweep over every fixture that must end without a crash.
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

#define FIXTURES GW_SOURCE_ROOT "/tests/deps/"

/* One entry a fixture must hold: where, name, version, hashes, kind. */
struct want {
	unsigned line;
	const char *norm;
	const char *version; /* locked version, "" when not locked */
	size_t nhashes;
	enum gw_req_kind kind;
	const char *group;
};

struct file_case {
	const char *path;
	const char *format;
	size_t n;
	struct want entries[16];
	size_t nindex;
};

static const struct file_case file_cases[] = {
	{ "pipenv/Pipfile.lock",
	  "pipfile.lock",
	  4,
	  { { 19, "requests", "2.25.0", 2, GW_REQ_NAMED, "default" },
	    { 28, "urllib3", "1.26.4", 0, GW_REQ_NAMED, "default" },
	    { 33, "gizmo", "", 0, GW_REQ_VCS, "default" },
	    { 39, "pytest", "7.4.0", 1, GW_REQ_NAMED, "dev" } },
	  1 },
	{ "pipenv/Pipfile",
	  "pipfile",
	  7,
	  { { 12, "requests", "", 0, GW_REQ_NAMED, "default" },
	    { 13, "urllib3", "", 0, GW_REQ_NAMED, "default" },
	    { 14, "gymnasium", "", 0, GW_REQ_NAMED, "default" },
	    { 15, "pywin32", "", 0, GW_REQ_NAMED, "default" },
	    { 16, "mylib", "", 0, GW_REQ_EDITABLE, "default" },
	    { 17, "gizmo", "", 0, GW_REQ_VCS, "default" },
	    { 20, "pytest", "", 0, GW_REQ_NAMED, "dev" } },
	  3 },
	{ "poetry/poetry.lock",
	  "poetry.lock",
	  3,
	  { { 3, "jinja2", "2.11.2", 2, GW_REQ_NAMED, "default" },
	    { 18, "markupsafe", "2.1.3", 0, GW_REQ_NAMED, "default" },
	    { 27, "widget", "0.1.0", 0, GW_REQ_VCS, "dev" } },
	  0 },
	{ "uv/uv.lock",
	  "uv.lock",
	  3,
	  { { 13, "numpy", "1.26.4", 2, GW_REQ_NAMED, "default" },
	    { 22, "pyyaml", "5.3", 0, GW_REQ_NAMED, "default" },
	    { 28, "local-helper", "0.0.1", 0, GW_REQ_PATH, "default" } },
	  0 },
	{ "pylock/pylock.toml",
	  "pylock",
	  4,
	  { { 6, "urllib3", "1.26.4", 1, GW_REQ_NAMED, "default" },
	    { 17, "attrs", "23.1.0", 1, GW_REQ_NAMED, "default" },
	    { 28, "unhashed", "1.0", 0, GW_REQ_NAMED, "default" },
	    { 33, "gizmo", "", 0, GW_REQ_VCS, "default" } },
	  0 },
	{ "conda/environment.yml",
	  "conda",
	  8,
	  { { 6, "python", "", 0, GW_REQ_NAMED, "conda" },
	    { 7, "numpy", "", 0, GW_REQ_NAMED, "conda" },
	    { 8, "pytorch", "2.1.0", 0, GW_REQ_NAMED, "conda" },
	    { 9, "scipy", "1.11.4", 0, GW_REQ_NAMED, "conda" },
	    { 10, "pip", "", 0, GW_REQ_NAMED, "conda" },
	    { 12, "urllib3", "", 0, GW_REQ_NAMED, "default" },
	    { 13, "gymnasium", "", 0, GW_REQ_NAMED, "default" },
	    { 1, "pyyaml", "", 0, GW_REQ_NAMED, "default" } },
	  0 },
	{ "pyproject/pyproject.toml",
	  "pyproject",
	  13,
	  { { 5, "gymnasium", "", 0, GW_REQ_NAMED, "default" },
	    { 6, "numpy", "", 0, GW_REQ_NAMED, "default" },
	    { 7, "django", "", 0, GW_REQ_NAMED, "default" },
	    { 11, "pygame", "", 0, GW_REQ_NAMED, "optional:render" },
	    { 14, "pytest", "", 0, GW_REQ_NAMED, "group:test" },
	    { 15, "ruff", "", 0, GW_REQ_NAMED, "group:lint" },
	    { 19, "requests", "", 0, GW_REQ_NAMED, "default" },
	    { 20, "urllib3", "", 0, GW_REQ_NAMED, "default" },
	    { 21, "pyyaml", "", 0, GW_REQ_NAMED, "default" },
	    { 22, "torch", "", 0, GW_REQ_NAMED, "default" },
	    { 23, "six", "", 0, GW_REQ_NAMED, "default" },
	    { 24, "gizmo", "", 0, GW_REQ_VCS, "default" },
	    { 27, "black", "", 0, GW_REQ_NAMED, "group:dev" } },
	  1 },
};

static void check_file(const struct file_case *c)
{
	struct gw_dep_set s;
	struct gw_error err = { 0 };
	char path[512];

	snprintf(path, sizeof(path), "%s%s", FIXTURES, c->path);
	assert_string_equal(gw_deps_format_of(path), c->format);
	gw_dep_set_init(&s);
	if (gw_deps_read_file(path, &s, &err) != 0)
		fail_msg("%s: %s", c->path, err.msg);
	if (s.n != c->n)
		fail_msg("%s: %zu entries, want %zu", c->path, s.n, c->n);
	for (size_t i = 0; i < c->n; i++) {
		const struct gw_requirement *r = &s.reqs[i];
		const struct want *w = &c->entries[i];

		if (r->line != w->line || strcmp(r->norm, w->norm) != 0 ||
		    strcmp(r->version_text, w->version) != 0 ||
		    r->nhashes != w->nhashes || r->kind != w->kind ||
		    strcmp(r->group, w->group) != 0)
			fail_msg("%s[%zu]: %u %s %s %zu %d %s", c->path, i,
				 r->line, r->norm, r->version_text, r->nhashes,
				 r->kind, r->group);
	}
	assert_int_equal(s.nindex, c->nindex);
	assert_false(s.partial);
	gw_dep_set_free(&s);
}

static void every_fixture_gives_its_entries(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(file_cases) / sizeof(file_cases[0]); i++)
		check_file(&file_cases[i]);
}

struct poetry_case {
	const char *in, *out;
	int rc;
};

static const struct poetry_case poetry_cases[] = {
	{ "^1.2.3", ">=1.2.3,<2.0.0", 0 },
	{ "^1.2", ">=1.2,<2.0", 0 },
	{ "^1", ">=1,<2", 0 },
	{ "^0.2.3", ">=0.2.3,<0.3.0", 0 },
	{ "^0.0.3", ">=0.0.3,<0.0.4", 0 },
	{ "^0.0", ">=0.0,<0.1", 0 },
	{ "^0", ">=0,<1", 0 },
	{ "~1.2.3", ">=1.2.3,<1.3.0", 0 },
	{ "~1.2", ">=1.2,<1.3", 0 },
	{ "~1", ">=1,<2", 0 },
	{ "~=1.2", "~=1.2", 0 },
	{ "1.2.*", "==1.2.*", 0 },
	{ "*", "", 0 },
	{ "1.2.3", "==1.2.3", 0 },
	{ "=1.2.3", "==1.2.3", 0 },
	{ ">= 1.2, < 1.5", ">=1.2,<1.5", 0 },
	{ "!=1.3", "!=1.3", 0 },
	{ "^1.0 || ^2.0", "", -ENOTSUP },
	{ "^", "", -EINVAL },
	{ "banana", "", -EINVAL },
};

static void poetry_constraints_translate_as_documented(void **state)
{
	char out[256];

	(void)state;
	for (size_t i = 0; i < sizeof(poetry_cases) / sizeof(poetry_cases[0]);
	     i++) {
		const struct poetry_case *c = &poetry_cases[i];
		int rc = gw_deps_poetry_constraint(c->in, strlen(c->in), out,
						   sizeof(out));

		if (rc != c->rc || (rc == 0 && strcmp(out, c->out) != 0))
			fail_msg("'%s': rc %d '%s', want %d '%s'", c->in, rc,
				 out, c->rc, c->out);
	}
}

/* A broken file: the error's line, and the entries kept before it. */
struct broken_case {
	const char *path;
	unsigned line;
	size_t kept;
};

static const struct broken_case broken_cases[] = {
	{ "broken/poetry/poetry.lock", 23, 1 },
	{ "broken/uv/uv.lock", 19, 0 },
	{ "broken/pipenv/Pipfile.lock", 21, 0 },
	{ "broken/pylock/pylock.toml", 1, 0 },
	{ "broken/conda/environment.yml", 7, 0 },
};

static void broken_files_name_the_line_and_keep_what_came_before(void **s_)
{
	(void)s_;
	for (size_t i = 0; i < sizeof(broken_cases) / sizeof(broken_cases[0]);
	     i++) {
		const struct broken_case *c = &broken_cases[i];
		struct gw_dep_set s;
		struct gw_error err = { 0 };
		char path[512];

		snprintf(path, sizeof(path), "%s%s", FIXTURES, c->path);
		gw_dep_set_init(&s);
		if (gw_deps_read_file(path, &s, &err) >= 0 || !s.partial)
			fail_msg("%s: read as whole", c->path);
		if (err.line != c->line || s.n != c->kept)
			fail_msg("%s: line %u, %zu kept: %s", c->path, err.line,
				 s.n, err.msg);
		assert_non_null(strstr(err.file, c->path));
		gw_dep_set_free(&s);
	}
}

static void a_missing_file_is_an_error_naming_it(void **state)
{
	struct gw_dep_set s;
	struct gw_error err = { 0 };

	(void)state;
	gw_dep_set_init(&s);
	assert_int_equal(
		gw_deps_read_file(FIXTURES "nope/poetry.lock", &s, &err),
		-ENOENT);
	assert_true(s.partial);
	assert_non_null(strstr(err.file, "nope/poetry.lock"));
	gw_dep_set_free(&s);
}

static void tree_reads_every_dependency_file_once(void **state)
{
	struct gw_dep_set s;
	struct gw_error err = { 0 };

	(void)state;
	gw_dep_set_init(&s);
	gw_deps_read_tree(FIXTURES "reqs", &s, &err);
	/* requirements.txt and what it includes; none of them twice. */
	assert_int_equal(s.nfiles, 4);
	assert_false(s.partial);
	gw_dep_set_free(&s);
	assert_true(gw_deps_is_dependency_file("", "requirements-dev.txt"));
	assert_true(gw_deps_is_dependency_file("requirements", "base.in"));
	assert_true(gw_deps_is_dependency_file("x", "pylock.gpu.toml"));
	assert_false(gw_deps_is_dependency_file("", "MANIFEST.in"));
	assert_false(gw_deps_is_dependency_file("", "constraints.txt"));
}

/* Every prefix of every fixture is read without a crash or a leak. */
static void truncation_sweep_never_crashes(void **state)
{
	static const char *const files[] = {
		"pipenv/Pipfile",	    "pipenv/Pipfile.lock",
		"poetry/poetry.lock",	    "uv/uv.lock",
		"pylock/pylock.toml",	    "conda/environment.yml",
		"pyproject/pyproject.toml",
	};

	(void)state;
	for (size_t f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
		char path[512];
		struct gw_buf b;

		snprintf(path, sizeof(path), "%s%s", FIXTURES, files[f]);
		gw_buf_init(&b, GW_DEPS_FILE_MAX_BYTES);
		assert_int_equal(gw_buf_read_file(&b, path, NULL), 0);
		for (size_t cut = 0; cut <= b.len; cut += 7) {
			struct gw_dep_set s;
			struct gw_error err = { 0 };
			char *copy = malloc(cut + 1);

			memcpy(copy, b.data, cut);
			copy[cut] = '\0';
			gw_dep_set_init(&s);
			if (strstr(files[f], "Pipfile.lock"))
				gw_deps_read_pipfile_lock(path, copy, cut, &s,
							  &err);
			else if (strstr(files[f], "Pipfile"))
				gw_deps_read_pipfile(path, copy, cut, &s, &err);
			else if (strstr(files[f], "poetry"))
				gw_deps_read_poetry_lock(path, copy, cut, &s,
							 &err);
			else if (strstr(files[f], "uv"))
				gw_deps_read_uv_lock(path, copy, cut, &s, &err);
			else if (strstr(files[f], "pylock"))
				gw_deps_read_pylock(path, copy, cut, &s, &err);
			else if (strstr(files[f], "conda"))
				gw_deps_read_conda(path, copy, cut, &s, &err);
			else
				gw_deps_read_pyproject(path, copy, cut, &s,
						       &err);
			/* An error always names a line inside the text. */
			for (size_t i = 0; i < s.nerrors; i++)
				assert_true(s.errors[i].line <= cut + 1);
			gw_dep_set_free(&s);
			free(copy);
		}
		gw_buf_free(&b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_fixture_gives_its_entries),
		cmocka_unit_test(poetry_constraints_translate_as_documented),
		cmocka_unit_test(
			broken_files_name_the_line_and_keep_what_came_before),
		cmocka_unit_test(a_missing_file_is_an_error_naming_it),
		cmocka_unit_test(tree_reads_every_dependency_file_once),
		cmocka_unit_test(truncation_sweep_never_crashes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
