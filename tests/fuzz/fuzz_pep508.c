/*
 * libFuzzer harness for the Python packaging rules: the same bytes are
 * read as a PEP 508 requirement, a marker, a specifier set and a PEP 440
 * version. Each either parses into something that can be used (and, for
 * a version, formats into text that parses back to an equal version
 * with the same text) or fails cleanly with a negative errno.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gymwarden.h"
#include "deps/deps.h"

static void check_code(int rc, const struct gw_error *err)
{
	if (rc != -EINVAL && rc != -E2BIG && rc != -ERANGE && rc != -ENOMEM)
		abort();
	if (err && err->code != rc)
		abort();
}

static void fuzz_requirement(const char *s, size_t n,
			     const struct gw_marker_env *env)
{
	struct gw_requirement r;
	struct gw_error err;
	struct gw_pep440 v;
	char buf[256];
	int rc;

	gw_error_clear(&err);
	rc = gw_requirement_parse(s, n, "fuzz", 1, &r, &err);
	if (rc < 0) {
		check_code(rc, &err);
		if (r.marker)
			abort();
		return;
	}
	if (strlen(r.norm) > strlen(r.name) || r.spec.n > GW_SPEC_MAX)
		abort();
	if ((r.marker != NULL) != (r.marker_text[0] != '\0'))
		abort();
	if (r.marker) {
		rc = gw_marker_eval(r.marker, env);
		if (rc != 0 && rc != 1 && rc != -EINVAL)
			abort();
	}
	if (gw_specset_pinned(&r.spec, &v) == 0)
		gw_pep440_format(&v, buf, sizeof(buf));
	gw_requirement_clear(&r);
}

static void fuzz_marker(const char *s, size_t n,
			const struct gw_marker_env *env)
{
	struct gw_marker *m;
	struct gw_error err;
	int rc;

	gw_error_clear(&err);
	rc = gw_marker_parse(s, n, &m, &err);
	if (rc < 0) {
		check_code(rc, &err);
		return;
	}
	rc = gw_marker_eval(m, env);
	if (rc != 0 && rc != 1 && rc != -EINVAL)
		abort();
	gw_marker_free(m);
}

/* Normalizing is idempotent and keeps the version equal. */
static void fuzz_version(const char *s, size_t n)
{
	struct gw_pep440 a, b;
	char t1[512], t2[512];
	size_t l1;
	int rc = gw_pep440_parse(s, n, &a);

	if (rc < 0) {
		check_code(rc, NULL);
		return;
	}
	l1 = gw_pep440_format(&a, t1, sizeof(t1));
	if (l1 >= sizeof(t1))
		return;
	if (gw_pep440_parse(t1, l1, &b) != 0 || gw_pep440_cmp(&a, &b) != 0)
		abort();
	gw_pep440_format(&b, t2, sizeof(t2));
	if (strcmp(t1, t2) != 0)
		abort();
}

static void fuzz_specset(const char *s, size_t n)
{
	struct gw_specset set;
	struct gw_pep440 v;
	int rc = gw_specset_parse(s, n, &set, NULL);

	if (rc < 0) {
		check_code(rc, NULL);
		return;
	}
	if (gw_pep440_parse("1.0", 3, &v) == 0)
		gw_specset_contains(&set, &v, false);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const extras[] = { "security", NULL };
	struct gw_marker_env env;
	char *copy;

	memset(&env, 0, sizeof(env));
	memcpy(env.python_version, "3.11", 5);
	memcpy(env.python_full_version, "3.11.2", 7);
	memcpy(env.os_name, "posix", 6);
	memcpy(env.platform_release, "6.1.0-18-amd64", 15);
	env.extras = extras;

	/* An exact-size copy, so reading past the end is caught. */
	copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	fuzz_requirement(copy, size, &env);
	fuzz_marker(copy, size, &env);
	fuzz_version(copy, size);
	fuzz_specset(copy, size);
	free(copy);
	return 0;
}
