/*
 * Unit tests for the rule table (src/vet/rules.c) and the sink table
 * (src/vet/sinks.c): every entry filled, ids unique and well formed,
 * severities in range, docs/rules.md naming each rule, and lookups that
 * resolve aliases and wildcards.
 */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "vet/vet_priv.h"

static bool well_formed_id(const char *id)
{
	size_t n = strlen(id);

	if (strncmp(id, "GW-", 3) != 0 || n < 9)
		return false;
	for (size_t i = 3; i < n - 4; i++)
		if (!isupper((unsigned char)id[i]))
			return false;
	return id[n - 4] == '-' && isdigit((unsigned char)id[n - 3]) &&
	       isdigit((unsigned char)id[n - 2]) &&
	       isdigit((unsigned char)id[n - 1]);
}

static void every_rule_is_filled_and_unique(void **state)
{
	(void)state;
	for (size_t i = 0; i < GW_VET_RULE_COUNT; i++) {
		const struct gw_vet_rule *r = &gw_vet_rules[i];

		if (!r->id || !well_formed_id(r->id))
			fail_msg("rule %zu: bad id '%s'", i,
				 r->id ? r->id : "");
		assert_non_null(r->name);
		assert_non_null(r->title);
		assert_non_null(r->rationale);
		assert_non_null(r->remediation);
		assert_non_null(r->tags);
		assert_true(r->severity < GW_VET_SEVERITY_COUNT);
		assert_true(r->hot < (1u << GW_VET_CTX_COUNT));
		assert_true(strlen(r->rationale) > 40);
		/* Lower case, no final period: titles read as messages. */
		assert_false(isupper((unsigned char)r->title[0]) &&
			     r->title[1] &&
			     islower((unsigned char)r->title[1]));
		assert_int_not_equal(r->title[strlen(r->title) - 1], '.');
		assert_true(strstr(r->tags, "security") || r->partial ||
			    strstr(r->tags, "filesystem") ||
			    strstr(r->tags, "review"));
		for (size_t k = 0; k < i; k++) {
			assert_string_not_equal(r->id, gw_vet_rules[k].id);
			assert_string_not_equal(r->name, gw_vet_rules[k].name);
		}
		assert_ptr_equal(gw_vet_rule_find(r->id), r);
	}
	assert_null(gw_vet_rule_find("GW-NOPE-001"));
}

static void only_the_parse_rules_make_a_run_partial(void **state)
{
	(void)state;
	for (size_t i = 0; i < GW_VET_RULE_COUNT; i++)
		assert_int_equal(gw_vet_rules[i].partial,
				 strncmp(gw_vet_rules[i].id, "GW-PARSE-", 9) ==
					 0);
}

static void docs_name_every_rule(void **state)
{
	char path[4096], *doc;
	FILE *f;
	long n;

	(void)state;
	snprintf(path, sizeof(path), "%s/docs/rules.md", GW_SOURCE_ROOT);
	f = fopen(path, "r");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	doc = calloc(1, (size_t)n + 1);
	assert_non_null(doc);
	assert_int_equal(fread(doc, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	for (size_t i = 0; i < GW_VET_RULE_COUNT; i++) {
		char row[128];

		snprintf(row, sizeof(row), "| %s | %s | %s |",
			 gw_vet_rules[i].id, gw_vet_rules[i].name,
			 gw_vet_severity_name(gw_vet_rules[i].severity));
		if (!strstr(doc, row))
			fail_msg("docs/rules.md lacks the row '%s'", row);
	}
	free(doc);
}

static void severity_words_and_scores(void **state)
{
	enum gw_vet_severity s;

	(void)state;
	assert_int_equal(gw_vet_severity_parse("medium", &s), 0);
	assert_int_equal(s, GW_VET_MEDIUM);
	assert_int_not_equal(gw_vet_severity_parse("MEDIUM", &s), 0);
	assert_string_equal(gw_vet_security_severity(GW_VET_HIGH), "8.0");
	assert_true(atof(gw_vet_security_severity(GW_VET_MEDIUM)) >= 4.0);
	assert_true(atof(gw_vet_security_severity(GW_VET_LOW)) < 4.0);
}

static void sink_lookups(void **state)
{
	static const struct {
		const char *q;
		int rule;
	} cases[] = {
		{ "os.system", GW_VET_R_PROC_SHELL },
		{ "subprocess.Popen", GW_VET_R_PROC_SPAWN },
		{ "pty.spawn", GW_VET_R_PROC_REPLACE },
		{ "builtins.eval", GW_VET_R_EXEC_CODE },
		{ "pickle.loads", GW_VET_R_DESER_PICKLE },
		{ "ctypes.cdll.LoadLibrary", GW_VET_R_NATIVE_LOAD },
		{ "ctypes.pythonapi.Py_Initialize", GW_VET_R_NATIVE_MEMORY },
		{ "secretstorage.get_default_collection",
		  GW_VET_R_SECRET_STORE },
		{ "socket.socket().sendall", -1 },
	};
	const struct gw_vet_sink *s;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		s = gw_vet_sink_find(cases[i].q, strlen(cases[i].q));
		if (!s || s->rule != cases[i].rule)
			fail_msg("%s: rule %d, want %d", cases[i].q,
				 s ? s->rule : -2, cases[i].rule);
	}
	s = gw_vet_sink_find("socket.socket().sendall", 23);
	assert_true(s->sink & GW_VET_SINK_NET);
	assert_null(gw_vet_sink_find("os.path.join", 12));
	assert_null(gw_vet_sink_find("os.systemx", 10));
	assert_null(gw_vet_sink_find("requests.exceptions.HTTPError", 29));
}

static void module_aliases_and_word_lists(void **state)
{
	size_t used;

	(void)state;
	assert_string_equal(gw_vet_module_alias("cPickle.loads", 13, &used),
			    "pickle");
	assert_int_equal(used, 7);
	assert_string_equal(gw_vet_module_alias("posix", 5, &used), "os");
	assert_null(gw_vet_module_alias("posixly", 7, &used));
	assert_true(gw_vet_is_secret_var("GITHUB_TOKEN", 12));
	assert_true(gw_vet_is_secret_var("aws_secret_access_key", 21));
	assert_true(gw_vet_is_secret_var("OPENAI_API_KEY", 14));
	assert_false(gw_vet_is_secret_var("KEYBOARD_LAYOUT", 15));
	assert_false(gw_vet_is_secret_var("MUJOCO_GL", 9));
	assert_false(gw_vet_is_secret_var("COMPASS_HEADING", 15));
	assert_non_null(gw_vet_secret_path("~/.ssh/id_rsa", 13));
	assert_non_null(gw_vet_secret_path("/etc/shadow", 11));
	assert_null(gw_vet_secret_path("/etc/shadows-of-doubt", 21));
	assert_null(gw_vet_secret_path("my.sshconfig", 12));
	assert_true(gw_vet_is_builtin("exec", 4));
	assert_false(gw_vet_is_builtin("execute", 7));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_rule_is_filled_and_unique),
		cmocka_unit_test(only_the_parse_rules_make_a_run_partial),
		cmocka_unit_test(docs_name_every_rule),
		cmocka_unit_test(severity_words_and_scores),
		cmocka_unit_test(sink_lookups),
		cmocka_unit_test(module_aliases_and_word_lists),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
