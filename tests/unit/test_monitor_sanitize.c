/*
 * Unit tests for src/monitor/sanitize.c: [env.sanitize] applied to a
 * decoded info tree and to log lines, without a worker. An env struct is
 * made by hand from a manifest written to a scratch folder, the way
 * gw_env_open would have it before the spawn.
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
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "manifest/manifest_priv.h"
#include "monitor/monitor_priv.h"
#include "wire/value.h"

static char scratch[64];

static int make_scratch(void **state)
{
	char path[128];
	FILE *f;

	(void)state;
	snprintf(scratch, sizeof(scratch), "/tmp/gw-test-msan-XXXXXX");
	if (!mkdtemp(scratch))
		return -1;
	snprintf(path, sizeof(path), "%s/src", scratch);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/k.key", scratch);
	f = fopen(path, "w");
	if (!f)
		return -1;
	fputs("00112233445566778899aabbccddeeff"
	      "00112233445566778899aabbccddeeff\n",
	      f);
	fclose(f);
	return chmod(path, 0600);
}

static int drop_scratch(void **state)
{
	char cmd[160];

	(void)state;
	snprintf(cmd, sizeof(cmd), "%s/k.key", scratch);
	unlink(cmd);
	snprintf(cmd, sizeof(cmd), "%s/src", scratch);
	rmdir(cmd);
	return rmdir(scratch);
}

#define HEAD                                                                   \
	"[[env]]\nid = \"A-v0\"\nsource = \"src\"\n"                           \
	"entry_point = \"mod:Env\"\n"                                          \
	"action_space = { type = \"Discrete\", n = 2 }\n"                      \
	"observation_space = { type = \"Discrete\", n = 3 }\n"                 \
	"[env.sanitize]\nkey_file = \"k.key\"\n"

struct fixture {
	struct gw_manifest *m;
	struct gw_env e;
};

static void open_env(struct fixture *fx, const char *policy)
{
	char path[128], text[4096];
	struct gw_error err = { 0 };

	snprintf(path, sizeof(path), "%s/gymwarden.toml", scratch);
	snprintf(text, sizeof(text), "%s%s", HEAD, policy);
	if (gw_manifest_check_text(text, strlen(text), path, &fx->m, &err) ||
	    gw_manifest_error_count(fx->m))
		fail_msg("manifest: %s / %s", err.msg,
			 gw_manifest_diag_count(fx->m)
				 ? gw_manifest_diag_at(fx->m, 0)->message
				 : "");
	memset(&fx->e, 0, sizeof(fx->e));
	fx->e.me = gw_manifest_env_at(fx->m, 0);
	fx->e.id = "A-v0";
	fx->e.at_step = 1;
	if (gw_env_san_open(&fx->e, &err) != 0)
		fail_msg("open: %s", err.msg);
}

static void close_env(struct fixture *fx)
{
	gw_env_san_free(fx->e.san);
	gw_manifest_free(fx->m);
}

static struct gw_value *map_with(const char *key, const char *str)
{
	struct gw_value *v = gw_value_new();

	gw_value_set_map(v);
	gw_value_set_str(gw_value_map_push(v, key, strlen(key)), str,
			 strlen(str));
	return v;
}

static const char *str_at(const struct gw_value *map, const char *key)
{
	const struct gw_value *v = gw_value_lookup(map, key);

	return v && v->kind == GW_VALUE_STR ? v->str.ptr : NULL;
}

struct field_case {
	const char *name;
	const char *op;
	const char *in;
	const char *want; /* NULL: the key is gone */
};

/* One `fields` operator on the whole of info.x. */
static void field_operators_apply_to_the_whole_value(void **state)
{
	static const struct field_case cases[] = {
		{ "label names the field", "\"label\"", "Ada Lovelace", "<X>" },
		{ "redact leaves empty", "\"redact\"", "secret", "" },
		{ "keep passes", "\"keep\"", "ada@example.com",
		  "ada@example.com" },
		{ "mask keeps the last four",
		  "{ op = \"mask\", keep = 4, from_end = true }",
		  "4111-1111-1111-1111", "****-****-****-1111" },
		{ "mask keeps the first two", "{ op = \"mask\", keep = 2 }",
		  "abcdef", "ab****" },
		{ "mask counts from the end",
		  "{ op = \"mask\", char = \"#\", count = 3, from_end = true }",
		  "abcdef", "abc###" },
		{ "mask shorthand", "\"mask:x:2\"", "abcd", "xxcd" },
		{ "mask counts characters, not bytes",
		  "{ op = \"mask\", keep = 1, from_end = true }",
		  "\xc3\xa9t\xc3\xa9", "**\xc3\xa9" },
		{ "drop removes the key", "\"drop\"", "x", NULL },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fixture fx;
		char policy[256];
		struct gw_value *v = map_with("x", cases[i].in);
		const char *got;

		snprintf(policy, sizeof(policy),
			 "fields = { \"info.x\" = %s }\n", cases[i].op);
		open_env(&fx, policy);
		gw_env_san_info(&fx.e, v);
		got = str_at(v, "x");
		if (cases[i].want ? !got || strcmp(got, cases[i].want) != 0
				  : gw_value_lookup(v, "x") != NULL)
			fail_msg("%s: got %s", cases[i].name,
				 got ? got : "(none)");
		gw_value_free(v);
		close_env(&fx);
	}
}

static void hash_is_stable_and_tokenize_is_reversible_shape(void **state)
{
	struct fixture fx;
	struct gw_value *a = map_with("n", "Ada"), *b = map_with("n", "Ada");
	struct gw_value *c = map_with("n", "Bob"), *t = map_with("e", "a@b.c");

	(void)state;
	open_env(&fx, "fields = { \"info.n\" = \"hash\", \"info.e\" = "
		      "\"tokenize\" }\n");
	gw_env_san_info(&fx.e, a);
	gw_env_san_info(&fx.e, b);
	gw_env_san_info(&fx.e, c);
	gw_env_san_info(&fx.e, t);
	assert_non_null(strstr(str_at(a, "n"), "tok_"));
	assert_string_equal(str_at(a, "n"), str_at(b, "n"));
	assert_string_not_equal(str_at(a, "n"), str_at(c, "n"));
	assert_non_null(strstr(str_at(t, "e"), "gwt_"));
	assert_null(strstr(str_at(t, "e"), "a@b.c"));
	gw_value_free(a);
	gw_value_free(b);
	gw_value_free(c);
	gw_value_free(t);
	close_env(&fx);
}

/* Default on findings; arrays, numbers and nested maps. */
static void default_applies_to_findings_in_every_string_leaf(void **state)
{
	struct fixture fx;
	struct gw_value *v = gw_value_new(), *arr, *inner, *num;

	(void)state;
	gw_value_set_map(v);
	arr = gw_value_map_push(v, "log", 3);
	gw_value_set_array(arr);
	gw_value_set_str(gw_value_array_push(arr), "mail ada@example.com", 20);
	gw_value_set_int(gw_value_array_push(arr), 7);
	inner = gw_value_map_push(v, "who", 3);
	gw_value_set_map(inner);
	gw_value_set_str(gw_value_map_push(inner, "note", 4), "nothing", 7);
	num = gw_value_map_push(v, "id", 2);
	gw_value_set_int(num, 918273645);

	open_env(&fx, "default = \"label\"\n"
		      "fields = { \"info.id\" = \"label\" }\n");
	gw_env_san_info(&fx.e, v);
	arr = (struct gw_value *)gw_value_lookup(v, "log");
	assert_string_equal(arr->array.items[0].str.ptr, "mail <EMAIL>");
	assert_int_equal(arr->array.items[1].i, 7);
	assert_string_equal(str_at(gw_value_lookup(v, "who"), "note"),
			    "nothing");
	/* A number under a fields rule becomes the operator's text. */
	assert_string_equal(str_at(v, "id"), "<ID>");
	gw_value_free(v);
	close_env(&fx);
}

static void default_drop_removes_leaves_with_findings(void **state)
{
	struct fixture fx;
	struct gw_value *v = map_with("a", "call +1-202-555-0123 now");

	(void)state;
	gw_value_set_str(gw_value_map_push(v, "b", 1), "fine", 4);
	open_env(&fx, "default = \"drop\"\n");
	gw_env_san_info(&fx.e, v);
	assert_null(gw_value_lookup(v, "a"));
	assert_string_equal(str_at(v, "b"), "fine");
	gw_value_free(v);
	close_env(&fx);
}

static void dp_fields_release_then_withhold(void **state)
{
	struct fixture fx;
	bool end = false;

	(void)state;
	open_env(&fx, "[env.sanitize.dp]\n\"info.bal\" = { lower = 0, upper "
		      "= 100, epsilon = 1.0, epsilon_per_release = 0.5, "
		      "granularity = 0.25, on_exhausted = \"end_episode\" }\n");
	gw_env_san_episode(&fx.e);
	for (int i = 0; i < 3; i++) {
		struct gw_value *v = gw_value_new();
		const struct gw_value *b;

		gw_value_set_map(v);
		gw_value_set_float(gw_value_map_push(v, "bal", 3), 42.123);
		end = gw_env_san_info(&fx.e, v);
		b = gw_value_lookup(v, "bal");
		if (i < 2) {
			assert_int_equal(b->kind, GW_VALUE_FLOAT);
			assert_true(b->f * 4 == floor(b->f * 4));
			assert_false(end);
		} else {
			assert_int_equal(b->kind, GW_VALUE_NIL);
			assert_true(end);
		}
		gw_value_free(v);
	}
	close_env(&fx);
}

static void log_lines_are_labelled_or_dropped(void **state)
{
	static const char line[] = "send it to ada@example.com";
	struct fixture fx;
	const char *out;
	size_t n;

	(void)state;
	open_env(&fx, "logs = \"label\"\n");
	out = gw_env_san_line(&fx.e, line, sizeof(line) - 1, &n);
	assert_non_null(out);
	assert_int_equal(n, strlen("send it to <EMAIL>"));
	assert_memory_equal(out, "send it to <EMAIL>", n);
	out = gw_env_san_line(&fx.e, "plain", 5, &n);
	assert_int_equal(n, 5);
	close_env(&fx);

	open_env(&fx, "logs = \"drop\"\n");
	assert_null(gw_env_san_line(&fx.e, line, sizeof(line) - 1, &n));
	assert_non_null(gw_env_san_line(&fx.e, "plain", 5, &n));
	close_env(&fx);
}

static void key_file_open_to_others_is_refused(void **state)
{
	char path[128], text[1024];
	struct gw_manifest *m = NULL;
	struct gw_error err = { 0 };
	struct gw_env e;

	(void)state;
	snprintf(path, sizeof(path), "%s/k.key", scratch);
	chmod(path, 0644);
	snprintf(path, sizeof(path), "%s/gymwarden.toml", scratch);
	snprintf(text, sizeof(text), "%s", HEAD);
	assert_int_equal(
		gw_manifest_check_text(text, strlen(text), path, &m, &err), 0);
	memset(&e, 0, sizeof(e));
	e.me = gw_manifest_env_at(m, 0);
	e.id = "A-v0";
	assert_int_equal(gw_env_san_open(&e, &err), -EPERM);
	assert_int_equal(err.kind, GW_ERR_MANIFEST);
	assert_non_null(strstr(err.msg, "k.key"));
	gw_env_san_free(e.san);
	gw_manifest_free(m);
	snprintf(path, sizeof(path), "%s/k.key", scratch);
	chmod(path, 0600);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(field_operators_apply_to_the_whole_value),
		cmocka_unit_test(
			hash_is_stable_and_tokenize_is_reversible_shape),
		cmocka_unit_test(
			default_applies_to_findings_in_every_string_leaf),
		cmocka_unit_test(default_drop_removes_leaves_with_findings),
		cmocka_unit_test(dp_fields_release_then_withhold),
		cmocka_unit_test(log_lines_are_labelled_or_dropped),
		cmocka_unit_test(key_file_open_to_others_is_refused),
	};

	return cmocka_run_group_tests(tests, make_scratch, drop_scratch);
}
