/*
 * A test tool: make a vetting record through the C API the way `vet`
 * will, until `vet` exists, or print an env's tree. The integration
 * tests (tests/integration/test_records.py) drive it.
 *
 *   registry_fixture record MANIFEST ENV [VERDICT [FINDINGS [DEPS_JSON]]]
 *     prints "ID DIGEST"
 *   registry_fixture tree MANIFEST ENV
 *     prints the digest, then "KIND MODE SIZE SHA256 PATH" per entry
 *
 * Exit status 0, or 2 with the error on standard error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "gymwarden.h"

static int fail(const char *what, const struct gw_error *err)
{
	char text[1400];

	gw_error_format(err, text, sizeof(text));
	fprintf(stderr, "registry_fixture: %s: %s\n", what, text);
	return 2;
}

static int verdict_of(const char *s, enum gw_record_verdict *v)
{
	static const char *const names[] = { "pass", "partial", "fail" };

	for (int i = 0; i < 3; i++)
		if (strcmp(s, names[i]) == 0) {
			*v = (enum gw_record_verdict)i;
			return 0;
		}
	return -1;
}

static void add_findings(struct gw_record *r, unsigned long n)
{
	char msg[64];

	for (unsigned long i = 0; i < n; i++) {
		struct gw_finding f = {
			.tool = "registry-fixture",
			.rule = "FIX001",
			.severity = "high",
			.file = "source/env.py",
			.line = (unsigned)i + 1,
			.col = 1,
			.message = msg,
			.fingerprint = "fixture",
			.context = "import os  # \x1b[31mred\x1b[0m",
		};

		snprintf(msg, sizeof(msg), "finding %lu", i + 1);
		gw_record_add_finding(r, &f);
	}
}

static int make_record(const struct gw_manifest *m,
		       const struct gw_manifest_env *e, int argc, char **argv)
{
	enum gw_record_verdict v = GW_RECORD_PASS;
	struct gw_registry *reg = NULL;
	struct gw_record *r = gw_record_new();
	struct gw_tree *t = NULL;
	struct gw_error err;
	int64_t id = 0;
	int rc = 2;

	gw_error_clear(&err);
	if (argc > 0 && verdict_of(argv[0], &v) < 0) {
		fprintf(stderr, "registry_fixture: bad verdict '%s'\n",
			argv[0]);
		goto out;
	}
	if (gw_tree_digest_env(m, e, &t, &err) < 0) {
		rc = fail("digest", &err);
		goto out;
	}
	gw_record_set_env(r, gw_manifest_env_id(e));
	gw_record_set_tree(r, t);
	gw_record_set_verdict(r, v);
	gw_record_add_tool(r, "registry-fixture", gw_version());
	add_findings(r, argc > 1 ? strtoul(argv[1], NULL, 10) : 0);
	if (argc > 2)
		gw_record_add_json(r, "deps", argv[2]);
	if (gw_registry_open(gw_manifest_registry_path(m), GW_REGISTRY_CREATE,
			     &reg, &err) < 0 ||
	    gw_registry_add_record(reg, r, &id, &err) < 0) {
		rc = fail("record", &err);
		goto out;
	}
	printf("%lld %s\n", (long long)id, gw_tree_digest(t));
	rc = 0;
out:
	gw_registry_close(reg);
	gw_record_free(r);
	gw_tree_free(t);
	return rc;
}

static int print_tree(const struct gw_manifest *m,
		      const struct gw_manifest_env *e)
{
	struct gw_tree *t = NULL;
	struct gw_error err;

	gw_error_clear(&err);
	if (gw_tree_digest_env(m, e, &t, &err) < 0)
		return fail("digest", &err);
	printf("%s\n", gw_tree_digest(t));
	for (size_t i = 0; i < gw_tree_entry_count(t); i++) {
		const struct gw_tree_entry *x = gw_tree_entry_at(t, i);

		printf("%s %04o %llu %s %s\n",
		       x->type == GW_TREE_SYMLINK ? "symlink" : "file", x->mode,
		       (unsigned long long)x->size, x->sha256, x->path);
	}
	gw_tree_free(t);
	return 0;
}

int main(int argc, char **argv)
{
	const struct gw_manifest_env *e;
	struct gw_manifest *m = NULL;
	struct gw_error err;
	int rc;

	if (argc < 4 ||
	    (strcmp(argv[1], "record") != 0 && strcmp(argv[1], "tree") != 0)) {
		fprintf(stderr, "usage: registry_fixture record|tree MANIFEST "
				"ENV [VERDICT [FINDINGS [DEPS_JSON]]]\n");
		return 2;
	}
	gw_error_clear(&err);
	if (gw_manifest_load(argv[2], &m, &err) < 0)
		return fail("manifest", &err);
	e = gw_manifest_env_find(m, argv[3]);
	if (!e) {
		fprintf(stderr, "registry_fixture: no env '%s'\n", argv[3]);
		gw_manifest_free(m);
		return 2;
	}
	rc = argv[1][0] == 'r' ? make_record(m, e, argc - 4, argv + 4)
			       : print_tree(m, e);
	gw_manifest_free(m);
	return rc;
}
