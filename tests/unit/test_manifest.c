/*
 * The manifest: sizes and durations, the bundled example through the
 * public API, every class of diagnostic with its place and hint, the
 * pyproject.toml form, and truncation and byte-flip sweeps.
 */
#include <errno.h>
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

#include "core/buf.h"
#include "gymwarden.h"
#include "manifest/manifest_priv.h"
#include "manifest/units.h"

#define EXAMPLE GW_SOURCE_ROOT "/examples/gymwarden.toml"

struct unit_case {
	const char *text;
	int r;
	uint64_t value;
};

static void size_parse_handles_suffixes_and_overflow(void **state)
{
	static const struct unit_case uc[] = {
		{ "512M", 0, 512ull << 20 },
		{ "1", 0, 1 },
		{ "0", 0, 0 },
		{ "1K", 0, 1024 },
		{ "3G", 0, 3ull << 30 },
		{ "8T", 0, 8ull << 40 },
		{ "007K", 0, 7168 },
		{ "9223372036854775807", 0, 9223372036854775807ull },
		{ "9223372036854775808", -ERANGE, 0 },
		{ "99999999999999999999999", -ERANGE, 0 },
		{ "8388607T", 0, 8388607ull << 40 },
		{ "8388608T", -ERANGE, 0 },
		{ "1.5G", -EINVAL, 0 },
		{ "", -EINVAL, 0 },
		{ "M", -EINVAL, 0 },
		{ "12m", -EINVAL, 0 },
		{ "1KB", -EINVAL, 0 },
		{ "1KiB", -EINVAL, 0 },
		{ "-1", -EINVAL, 0 },
		{ "+1", -EINVAL, 0 },
		{ " 1", -EINVAL, 0 },
		{ "1 ", -EINVAL, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(uc) / sizeof(uc[0]); i++) {
		uint64_t v = 0;
		int r = gw_parse_size(uc[i].text, strlen(uc[i].text), &v);

		if (r != uc[i].r || (r == 0 && v != uc[i].value))
			fail_msg("'%s': %d %llu", uc[i].text, r,
				 (unsigned long long)v);
	}
}

static void duration_parse_handles_units_and_overflow(void **state)
{
	static const struct unit_case uc[] = {
		{ "1s", 0, 1000000000ull },
		{ "10ms", 0, 10000000ull },
		{ "2m", 0, 120000000000ull },
		{ "1h", 0, 3600000000000ull },
		{ "0s", 0, 0 },
		{ "2562047h", 0, 2562047ull * 3600000000000ull },
		{ "2562048h", -ERANGE, 0 },
		{ "9223372036854775807ms", -ERANGE, 0 },
		{ "9223372036s", 0, 9223372036000000000ull },
		{ "9223372037s", -ERANGE, 0 },
		{ "1", -EINVAL, 0 },
		{ "s", -EINVAL, 0 },
		{ "1us", -EINVAL, 0 },
		{ "1S", -EINVAL, 0 },
		{ "1.5s", -EINVAL, 0 },
		{ "1h30m", -EINVAL, 0 },
		{ "", -EINVAL, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(uc) / sizeof(uc[0]); i++) {
		uint64_t v = 0;
		int r = gw_parse_duration(uc[i].text, strlen(uc[i].text), &v);

		if (r != uc[i].r || (r == 0 && v != uc[i].value))
			fail_msg("'%s': %d %llu", uc[i].text, r,
				 (unsigned long long)v);
	}
}

static void units_format_as_largest_exact_unit(void **state)
{
	char buf[32];

	(void)state;
	gw_format_size(512ull << 20, buf, sizeof(buf));
	assert_string_equal(buf, "512M");
	gw_format_size(1536ull << 10, buf, sizeof(buf));
	assert_string_equal(buf, "1536K");
	gw_format_size(7, buf, sizeof(buf));
	assert_string_equal(buf, "7");
	gw_format_duration(3600000000000ull, buf, sizeof(buf));
	assert_string_equal(buf, "1h");
	gw_format_duration(1500000000ull, buf, sizeof(buf));
	assert_string_equal(buf, "1500ms");
	gw_format_duration(5, buf, sizeof(buf));
	assert_string_equal(buf, "5ns");
}

static void manifest_loads_bundled_example(void **state)
{
	const struct gw_sandbox_limits *sb;
	const struct gw_check_policy *cp;
	const struct gw_manifest_env *e;
	struct gw_error err = { 0 };
	struct gw_manifest *m = NULL;
	const char *src;
	char text[128];

	(void)state;
	if (gw_manifest_load(EXAMPLE, &m, &err) != 0)
		fail_msg("%s:%u: %s: %s", err.file, err.line, err.field,
			 err.msg);
	assert_int_equal(gw_manifest_error_count(m), 0);
	assert_int_equal(gw_manifest_warning_count(m), 0);
	assert_int_equal(gw_manifest_vetting(m), GW_VETTING_REQUIRED);
	/* GridWorld-v0 first, then the eleven environments of
	 * examples/README. */
	assert_int_equal(gw_manifest_env_count(m), 12);
	assert_null(gw_manifest_env_at(m, 12));
	assert_null(gw_manifest_env_find(m, "Nope-v0"));

	e = gw_manifest_env_find(m, "GridWorld-v0");
	assert_ptr_equal(e, gw_manifest_env_at(m, 0));
	assert_string_equal(gw_manifest_env_entry_point(e),
			    "gridworld.env:GridWorldEnv");
	src = gw_manifest_env_source(e);
	assert_true(src[0] == '/');
	assert_non_null(strstr(src, "/examples/gridworld"));
	assert_string_equal(gw_manifest_env_kwargs_json(e), "{\"size\":8}");
	assert_int_equal(gw_manifest_env_max_episode_steps(e), 200);
	assert_false(gw_manifest_env_adopt_declared_spaces(e));
	assert_string_equal(gw_manifest_env_interpreter(e), "/usr/bin/python3");

	gw_space_format(gw_manifest_env_observation_space(e), text,
			sizeof(text));
	assert_string_equal(text, "Box(0, 7, (2,), int64)");
	assert_int_equal(gw_space_kind(gw_manifest_env_action_space(e)),
			 GW_SPACE_DISCRETE);

	sb = gw_manifest_env_sandbox(e);
	assert_int_equal(sb->memory_bytes, 512ull << 20);
	assert_int_equal(sb->step_timeout_ns, 1000000000ull);
	assert_int_equal(sb->lifetime_ns, 3600ull * 1000000000);
	assert_int_equal(sb->require_mask,
			 (1u << GW_REQUIRE_NET) | (1u << GW_REQUIRE_SECCOMP));
	cp = gw_manifest_env_checks(e);
	assert_int_equal(cp->policy[GW_FAULT_OVERSHOOT], GW_POLICY_CLIP);
	assert_true(cp->has_reward_range);
	assert_true(cp->reward_min == -1.0 && cp->reward_max == 1.0);
	assert_non_null(strstr(gw_manifest_registry_path(m),
			       "/examples/.gymwarden/registry.db"));
	gw_manifest_free(m);
	gw_manifest_free(NULL);
}

/* A scratch folder holding a src/ folder, for manifests to point at. */
static char scratch[64];

static int make_scratch(void **state)
{
	char path[128];

	(void)state;
	snprintf(scratch, sizeof(scratch), "/tmp/gw-test-manifest-XXXXXX");
	if (!mkdtemp(scratch))
		return -1;
	snprintf(path, sizeof(path), "%s/src", scratch);
	if (mkdir(path, 0700) != 0)
		return -1;
	snprintf(path, sizeof(path), "%s/src/mod.py", scratch);
	fclose(fopen(path, "w"));
	return 0;
}

static int remove_scratch(void **state)
{
	char path[128];

	(void)state;
	snprintf(path, sizeof(path), "%s/src/mod.py", scratch);
	unlink(path);
	snprintf(path, sizeof(path), "%s/src", scratch);
	rmdir(path);
	rmdir(scratch);
	return 0;
}

#define ENV_HEAD                                                               \
	"[[env]]\nid = \"A-v0\"\nsource = \"src\"\n"                           \
	"entry_point = \"mod:Env\"\n"
#define SPACES                                                                 \
	"action_space = { type = \"Discrete\", n = 2 }\n"                      \
	"observation_space = { type = \"Discrete\", n = 3 }\n"

static struct gw_manifest *check(const char *text, const char *name)
{
	struct gw_error err = { 0 };
	struct gw_manifest *m = NULL;
	char path[128];

	snprintf(path, sizeof(path), "%s/%s", scratch, name);
	if (gw_manifest_check_text(text, strlen(text), path, &m, &err) != 0)
		fail_msg("check failed: %u:%u %s", err.line, err.col, err.msg);
	return m;
}

struct diag_case {
	const char *name;
	const char *toml;
	enum gw_severity severity;
	unsigned line;
	const char *field;
	const char *msg;
	const char *hint;
};

static const struct diag_case diag_cases[] = {
	{ "manifest_unknown_key_suggests_nearest",
	  ENV_HEAD SPACES "max_episode_step = 5\n", GW_SEVERITY_ERROR, 7,
	  "env[0].max_episode_step", "unknown key \"max_episode_step\"",
	  "did you mean 'max_episode_steps'?" },
	{ "manifest_unknown_top_level_key_suggests_nearest",
	  "vettin = \"off\"\n" ENV_HEAD SPACES, GW_SEVERITY_ERROR, 1, "vettin",
	  "unknown key", "did you mean 'vetting'?" },
	{ "manifest_sandbox_key_at_env_level_says_where_it_belongs",
	  ENV_HEAD SPACES "open_files = 3\n", GW_SEVERITY_ERROR, 7,
	  "env[0].open_files", "unknown key",
	  "'open_files' belongs in [env.sandbox]" },
	{ "manifest_wrong_type_names_expected_type",
	  ENV_HEAD SPACES "max_episode_steps = \"5\"\n", GW_SEVERITY_ERROR, 7,
	  "env[0].max_episode_steps", "expected an integer, got a string",
	  NULL },
	{ "manifest_missing_required_key_is_an_error",
	  "[[env]]\nid = \"A-v0\"\nsource = \"src\"\n" SPACES,
	  GW_SEVERITY_ERROR, 1, "env[0].entry_point",
	  "missing required key \"entry_point\"", NULL },
	{ "manifest_missing_space_suggests_pinning",
	  ENV_HEAD "action_space = { type = \"Discrete\", n = 2 }\n",
	  GW_SEVERITY_ERROR, 1, "env[0].observation_space", "missing",
	  "adopt_declared_spaces" },
	{ "manifest_duplicate_env_ids_are_errors",
	  ENV_HEAD SPACES ENV_HEAD SPACES, GW_SEVERITY_ERROR, 7, "env[1].id",
	  "duplicate env id \"A-v0\"", "line 1" },
	{ "manifest_missing_source_is_an_error",
	  "[[env]]\nid = \"A-v0\"\nsource = \"gone\"\n"
	  "entry_point = \"m:E\"\n" SPACES,
	  GW_SEVERITY_ERROR, 3, "env[0].source", "does not exist",
	  "manifest's folder" },
	{ "manifest_rejects_env_id_without_version",
	  "[[env]]\nid = \"Grid\"\nsource = \"src\"\n"
	  "entry_point = \"mod:Env\"\n" SPACES,
	  GW_SEVERITY_ERROR, 2, "env[0].id", "does not end in a version",
	  "GridWorld-v0" },
	{ "manifest_rejects_env_id_with_space",
	  "[[env]]\nid = \"ns/Gr id-v1\"\nsource = \"src\"\n"
	  "entry_point = \"mod:Env\"\n" SPACES,
	  GW_SEVERITY_ERROR, 2, "env[0].id", "has a name with a character",
	  NULL },
	{ "manifest_rejects_entry_point_without_colon",
	  "[[env]]\nid = \"A-v0\"\nsource = \"src\"\n"
	  "entry_point = \"mod.Env\"\n" SPACES,
	  GW_SEVERITY_ERROR, 4, "env[0].entry_point", "not module:attribute",
	  NULL },
	{ "manifest_rejects_entry_point_with_bad_identifier",
	  "[[env]]\nid = \"A-v0\"\nsource = \"src\"\n"
	  "entry_point = \"mod.1x:Env\"\n" SPACES,
	  GW_SEVERITY_ERROR, 4, "env[0].entry_point", "not module:attribute",
	  NULL },
	{ "manifest_warns_when_entry_module_is_not_in_source",
	  "[[env]]\nid = \"A-v0\"\nsource = \"src\"\n"
	  "entry_point = \"other:Env\"\n" SPACES,
	  GW_SEVERITY_WARNING, 4, "env[0].entry_point", "not found", NULL },
	{ "manifest_space_problem_names_full_field_path",
	  ENV_HEAD "action_space = { type = \"Discrete\", n = 2 }\n"
		   "[env.observation_space]\ntype = \"Dict\"\n"
		   "[env.observation_space.spaces.pos]\ntype = \"Box\"\n"
		   "dtype = \"uint8\"\nlow = 0\nhigh = 300\nshape = [2]\n",
	  GW_SEVERITY_ERROR, 12, "env[0].observation_space.spaces.pos.high",
	  "outside the range of uint8", NULL },
	{ "manifest_rejects_bad_size",
	  ENV_HEAD SPACES "[env.sandbox]\nmemory = \"512MB\"\n",
	  GW_SEVERITY_ERROR, 8, "env[0].sandbox.memory", "is not a size",
	  "powers of 1024" },
	{ "manifest_rejects_zero_size",
	  ENV_HEAD SPACES "[env.sandbox]\ntmp_size = \"0M\"\n",
	  GW_SEVERITY_ERROR, 8, "env[0].sandbox.tmp_size", "more than zero",
	  NULL },
	{ "manifest_rejects_overflowing_size",
	  ENV_HEAD SPACES "[env.sandbox]\nfile_size = \"9999999999T\"\n",
	  GW_SEVERITY_ERROR, 8, "env[0].sandbox.file_size", "too large", NULL },
	{ "manifest_rejects_duration_without_unit",
	  ENV_HEAD SPACES "[env.sandbox]\nstep_timeout = 5\n",
	  GW_SEVERITY_ERROR, 8, "env[0].sandbox.step_timeout",
	  "expected a duration string, got an integer", "\"10s\"" },
	{ "manifest_rejects_unknown_layer_and_suggests",
	  ENV_HEAD SPACES "[env.sandbox]\nrequire = [\"secomp\"]\n",
	  GW_SEVERITY_ERROR, 8, "env[0].sandbox.require[0]", "not one of",
	  "did you mean 'seccomp'?" },
	{ "manifest_warns_on_repeated_layer",
	  ENV_HEAD SPACES "[env.sandbox]\nrequire = [\"net\", \"net\"]\n",
	  GW_SEVERITY_WARNING, 8, "env[0].sandbox.require[1]", "listed twice",
	  NULL },
	{ "manifest_rejects_process_count_of_zero",
	  ENV_HEAD SPACES "[env.sandbox]\nprocesses = 0\n", GW_SEVERITY_ERROR,
	  8, "env[0].sandbox.processes", "between 1", NULL },
	{ "manifest_rejects_policy_that_does_not_fit_class",
	  ENV_HEAD SPACES "[env.checks]\nshape = \"clip\"\n", GW_SEVERITY_ERROR,
	  8, "env[0].checks.shape", "does not apply to shape faults",
	  "reject, terminate" },
	{ "manifest_rejects_terminate_for_actions",
	  ENV_HEAD SPACES "[env.checks]\naction = \"terminate\"\n",
	  GW_SEVERITY_ERROR, 8, "env[0].checks.action", "does not apply",
	  NULL },
	{ "manifest_warns_of_a_memory_limit_a_worker_cannot_start_in",
	  ENV_HEAD SPACES "[env.sandbox]\nmemory = \"1\"\n",
	  GW_SEVERITY_WARNING, 8, "env[0].sandbox.memory", "less address space",
	  NULL },
	{ "manifest_warns_of_too_few_open_files",
	  ENV_HEAD SPACES "[env.sandbox]\nopen_files = 3\n",
	  GW_SEVERITY_WARNING, 8, "env[0].sandbox.open_files", "at least 16",
	  NULL },
	{ "manifest_warns_of_a_lifetime_shorter_than_the_step_timeout",
	  ENV_HEAD SPACES "[env.sandbox]\nlifetime = \"2s\"\n",
	  GW_SEVERITY_WARNING, 8, "env[0].sandbox.lifetime",
	  "step_timeout is longer than lifetime", NULL },
	{ "manifest_rejects_unknown_fault_class",
	  ENV_HEAD SPACES "[env.checks]\nbound = \"clip\"\n", GW_SEVERITY_ERROR,
	  8, "env[0].checks.bound", "unknown key", "did you mean 'bounds'?" },
	{ "manifest_reward_clip_needs_a_range",
	  ENV_HEAD SPACES "[env.checks]\nreward = \"clip\"\n",
	  GW_SEVERITY_ERROR, 8, "env[0].checks.reward", "needs a reward_range",
	  NULL },
	{ "manifest_rejects_reversed_reward_range",
	  ENV_HEAD SPACES "[env.checks]\nreward_range = [1, -1]\n",
	  GW_SEVERITY_ERROR, 8, "env[0].checks.reward_range",
	  "greater than max", NULL },
	{ "manifest_warns_when_bounds_faults_only_warn",
	  ENV_HEAD SPACES "[env.checks]\nbounds = \"warn\"\n",
	  GW_SEVERITY_WARNING, 8, "env[0].checks.bounds", "reach the trainer",
	  NULL },
	{ "manifest_kwarg_default_must_satisfy_spec",
	  ENV_HEAD SPACES
	  "kwargs = { size = 100 }\n"
	  "allowed_kwargs = { size = { type = \"int\", max = 64 } }\n",
	  GW_SEVERITY_ERROR, 7, "env[0].kwargs.size",
	  "100 is above the maximum 64", "allowed_kwargs" },
	{ "manifest_kwarg_default_must_have_spec_type",
	  ENV_HEAD SPACES "kwargs = { size = 1.5 }\n"
			  "allowed_kwargs = { size = { type = \"int\" } }\n",
	  GW_SEVERITY_ERROR, 7, "env[0].kwargs.size",
	  "expected an integer, got a float", NULL },
	{ "manifest_rejects_spec_min_above_max",
	  ENV_HEAD SPACES
	  "allowed_kwargs = { s = { type = \"float\", min = 2, max = 1 } }\n",
	  GW_SEVERITY_ERROR, 7, "env[0].allowed_kwargs.s.min",
	  "greater than max", NULL },
	{ "manifest_rejects_unknown_spec_type_and_suggests",
	  ENV_HEAD SPACES "allowed_kwargs = { s = { type = \"string\" } }\n",
	  GW_SEVERITY_ERROR, 7, "env[0].allowed_kwargs.s.type", "not one of",
	  "did you mean 'str'?" },
	{ "manifest_rejects_choice_of_wrong_type",
	  ENV_HEAD SPACES
	  "reset_options = { d = { type = \"str\", choices = [\"a\", 2] } }\n",
	  GW_SEVERITY_ERROR, 7, "env[0].reset_options.d.choices[1]",
	  "expected a string, got an integer", NULL },
	{ "manifest_rejects_default_outside_choices",
	  ENV_HEAD SPACES
	  "reset_options = { d = { type = \"str\", choices = [\"a\"], "
	  "default = \"b\" } }\n",
	  GW_SEVERITY_ERROR, 7, "env[0].reset_options.d.default",
	  "not one of the allowed", NULL },
	{ "manifest_rejects_min_on_str_spec",
	  ENV_HEAD SPACES
	  "allowed_kwargs = { s = { type = \"str\", min = 1 } }\n",
	  GW_SEVERITY_ERROR, 7, "env[0].allowed_kwargs.s.min",
	  "applies only to int and float", NULL },
	{ "manifest_rejects_kwarg_name_that_is_not_identifier",
	  ENV_HEAD SPACES "kwargs = { \"grid-size\" = 3 }\n", GW_SEVERITY_ERROR,
	  7, "env[0].kwargs.grid-size", "Python identifier", NULL },
	{ "manifest_rejects_kwarg_value_json_cannot_hold",
	  ENV_HEAD SPACES "kwargs = { when = 1979-05-27 }\n", GW_SEVERITY_ERROR,
	  7, "env[0].kwargs.when", "a local date cannot be passed", NULL },
	{ "manifest_rejects_relative_interpreter",
	  ENV_HEAD SPACES "interpreter = \"python3\"\n", GW_SEVERITY_ERROR, 7,
	  "env[0].interpreter", "absolute path", NULL },
	{ "manifest_warns_on_missing_interpreter",
	  ENV_HEAD SPACES "interpreter = \"/nonexistent/python\"\n",
	  GW_SEVERITY_WARNING, 7, "env[0].interpreter", "not an executable",
	  NULL },
	{ "manifest_warns_on_missing_dependency_path",
	  ENV_HEAD SPACES "dependency_paths = [\"src\", \"vendor\"]\n",
	  GW_SEVERITY_WARNING, 7, "env[0].dependency_paths[1]",
	  "does not exist", NULL },
	{ "manifest_warns_loudly_on_adopted_spaces",
	  ENV_HEAD "adopt_declared_spaces = true\n", GW_SEVERITY_WARNING, 5,
	  "env[0].adopt_declared_spaces", "taken unchecked", NULL },
	{ "manifest_warns_when_vetting_is_off",
	  "vetting = \"off\"\n" ENV_HEAD SPACES, GW_SEVERITY_WARNING, 1,
	  "vetting", "without an approved record", NULL },
	{ "manifest_warns_when_no_env_is_declared", "vetting = \"required\"\n",
	  GW_SEVERITY_WARNING, 1, "env", "declares no environments", NULL },
	{ "manifest_rejects_unknown_api_and_suggests",
	  ENV_HEAD SPACES "api = \"gymnasiun\"\n", GW_SEVERITY_ERROR, 7,
	  "env[0].api", "not one of", "did you mean 'gymnasium'?" },
	{ "manifest_rejects_unknown_sanitize_action",
	  ENV_HEAD SPACES "[env.sanitize]\nfields = { \"info.email\" = "
			  "\"tokenise\" }\n",
	  GW_SEVERITY_ERROR, 8, "env[0].sanitize.fields.\"info.email\"",
	  "not one of", "'tokenize'" },
	{ "manifest_sanitize_unknown_key_suggests_nearest",
	  ENV_HEAD SPACES "[env.sanitize]\ndefualt = \"label\"\n",
	  GW_SEVERITY_ERROR, 8, "env[0].sanitize.defualt", "unknown key",
	  "'default'" },
	{ "manifest_sanitize_hash_needs_key_file",
	  ENV_HEAD SPACES "[env.sanitize]\ndefault = \"hash\"\n",
	  GW_SEVERITY_ERROR, 7, "env[0].sanitize", "need a key_file",
	  "key_file" },
	{ "manifest_sanitize_mask_count_and_keep_exclude",
	  ENV_HEAD SPACES "[env.sanitize]\nfields = { \"info.card\" = { op = "
			  "\"mask\", count = 2, keep = 4 } }\n",
	  GW_SEVERITY_ERROR, 8, "env[0].sanitize.fields.\"info.card\"",
	  "exclude each other", NULL },
	{ "manifest_sanitize_mask_char_is_one_character",
	  ENV_HEAD SPACES "[env.sanitize]\nfields = { \"info.card\" = { op = "
			  "\"mask\", char = \"**\" } }\n",
	  GW_SEVERITY_ERROR, 8, "env[0].sanitize.fields.\"info.card\".char",
	  "one printable ASCII character", NULL },
	{ "manifest_sanitize_only_mask_takes_options",
	  ENV_HEAD SPACES "[env.sanitize]\nfields = { \"info.a\" = { op = "
			  "\"label\", keep = 4 } }\n",
	  GW_SEVERITY_ERROR, 8, "env[0].sanitize.fields.\"info.a\".keep",
	  "only \"mask\" takes keep", NULL },
	{ "manifest_sanitize_field_path_starts_at_info",
	  ENV_HEAD SPACES "[env.sanitize]\nfields = { \"player.email\" = "
			  "\"label\" }\n",
	  GW_SEVERITY_ERROR, 8, "env[0].sanitize.fields.\"player.email\"",
	  "field path under info", "info.player.email" },
	{ "manifest_sanitize_text_observation_cannot_be_dropped",
	  ENV_HEAD SPACES "[env.sanitize]\ntext_observations = \"drop\"\n",
	  GW_SEVERITY_ERROR, 8, "env[0].sanitize.text_observations",
	  "cannot be dropped", NULL },
	{ "manifest_sanitize_rule_needs_a_pattern",
	  ENV_HEAD SPACES "[env.sanitize]\nrules = [{ id = \"emp\" }]\n",
	  GW_SEVERITY_ERROR, 8, "env[0].sanitize.rules[0].pattern",
	  "missing required key \"pattern\"", NULL },
	{ "manifest_sanitize_rule_id_is_checked",
	  ENV_HEAD SPACES "[env.sanitize]\nrules = [{ id = \"Emp ID\", "
			  "pattern = \"E[0-9]+\" }]\n",
	  GW_SEVERITY_ERROR, 8, "env[0].sanitize.rules[0].id", "a rule id is",
	  NULL },
	{ "manifest_sanitize_bad_pattern_is_reported_at_its_line",
	  ENV_HEAD SPACES "[env.sanitize]\nrules = [{ id = \"emp\", "
			  "pattern = \"EMP-([0-9]+\" }]\n",
	  GW_SEVERITY_ERROR, 8, "env[0].sanitize.rules[0].pattern", "", NULL },
	{ "manifest_dp_needs_its_bounds",
	  ENV_HEAD SPACES "[env.sanitize.dp]\n\"info.balance\" = { lower = "
			  "0, epsilon = 1.0 }\n",
	  GW_SEVERITY_ERROR, 8, "env[0].sanitize.dp.\"info.balance\".upper",
	  "missing required key \"upper\"", NULL },
	{ "manifest_dp_granularity_is_a_power_of_two",
	  ENV_HEAD SPACES "[env.sanitize.dp]\n\"info.b\" = { lower = 0, "
			  "upper = 10, epsilon = 1.0, granularity = 0.3 }\n",
	  GW_SEVERITY_ERROR, 8, "env[0].sanitize.dp.\"info.b\".granularity",
	  "power of two", "2^-10" },
	{ "manifest_dp_lower_must_be_below_upper",
	  ENV_HEAD SPACES "[env.sanitize.dp]\n\"info.b\" = { lower = 5, "
			  "upper = 1, epsilon = 1.0 }\n",
	  GW_SEVERITY_ERROR, 8, "env[0].sanitize.dp.\"info.b\"",
	  "lower must be below upper", NULL },
	{ "manifest_dp_share_cannot_exceed_budget",
	  ENV_HEAD SPACES "[env.sanitize.dp]\n\"info.b\" = { lower = 0, "
			  "upper = 1, epsilon = 1.0, epsilon_per_release = 2.0 "
			  "}\n",
	  GW_SEVERITY_ERROR, 8, "env[0].sanitize.dp.\"info.b\"",
	  "epsilon_per_release no more than", NULL },
	{ "manifest_dp_on_exhausted_is_a_choice",
	  ENV_HEAD SPACES
	  "[env.sanitize.dp]\n\"info.b\" = { lower = 0, "
	  "upper = 1, epsilon = 1.0, on_exhausted = \"withold\" "
	  "}\n",
	  GW_SEVERITY_ERROR, 8, "env[0].sanitize.dp.\"info.b\".on_exhausted",
	  "not one of", "'withhold'" },
	{ "manifest_escapes_file_text_in_messages",
	  ENV_HEAD SPACES "\"bad\\u001bkey\" = 1\n", GW_SEVERITY_ERROR, 7,
	  "env[0].\"bad\\x1bkey\"", "unknown key \"bad\\x1bkey\"", NULL },
	{ "manifest_rejects_env_that_is_not_a_table", "env = [1]\n",
	  GW_SEVERITY_ERROR, 1, "env[0]", "expected a table, got an integer",
	  NULL },
	{ "manifest_rejects_registry_path_of_wrong_type",
	  "[registry]\npath = 3\n" ENV_HEAD SPACES, GW_SEVERITY_ERROR, 2,
	  "registry.path", "expected a string, got an integer", NULL },
};

#define N_DIAG_CASES (sizeof(diag_cases) / sizeof(diag_cases[0]))

static void run_diag_case(void **state)
{
	const struct diag_case *c = *state;
	struct gw_manifest *m = check(c->toml, "gymwarden.toml");
	const struct gw_manifest_diag *d;

	if (gw_manifest_diag_count(m) == 0)
		fail_msg("no diagnostic");
	d = gw_manifest_diag_at(m, 0);
	if (d->severity != c->severity || d->line != c->line ||
	    strcmp(d->field, c->field) != 0 || !strstr(d->message, c->msg) ||
	    (c->hint && (!d->hint || !strstr(d->hint, c->hint))))
		fail_msg("got %s %u:%u %s: %s (hint %s)",
			 d->severity ? "warning" : "error", d->line, d->col,
			 d->field, d->message, d->hint ? d->hint : "-");
	assert_true(d->col >= 1);
	assert_string_equal(d->file + strlen(d->file) - 14, "gymwarden.toml");
	gw_manifest_free(m);
}

static void manifest_clean_minimal_env_has_no_diagnostics(void **state)
{
	struct gw_manifest *m = check(ENV_HEAD SPACES, "gymwarden.toml");
	const struct gw_sandbox_limits *sb;

	(void)state;
	assert_int_equal(gw_manifest_diag_count(m), 0);
	sb = gw_manifest_env_sandbox(gw_manifest_env_at(m, 0));
	assert_int_equal(sb->memory_bytes, 1ull << 30);
	assert_int_equal(sb->on_violation, GW_ON_VIOLATION_KILL);
	assert_string_equal(
		gw_manifest_env_kwargs_json(gw_manifest_env_at(m, 0)), "{}");
	gw_manifest_free(m);
}

/* The whole [env.sanitize] schema, read back through the public API. */
static void manifest_reads_sanitize_policy(void **state)
{
	static const char text[] = ENV_HEAD SPACES
		"[env.sanitize]\n"
		"default = \"redact\"\n"
		"logs = \"mask:#:3:end\"\n"
		"key_file = \"k.key\"\n"
		"allowlist = [\"help@example.com\"]\n"
		"rules = [{ id = \"emp\", pattern = \"EMP-[0-9]{6}\", "
		"keywords = [\"EMP-\"], entropy = 1.5, label = \"EMPLOYEE\" "
		"}]\n"
		"[env.sanitize.fields]\n"
		"\"info.customer.email\" = \"tokenize\"\n"
		"info.customer.card = { op = \"mask\", char = \"*\", keep = 4, "
		"from_end = true }\n"
		"\"info.customer.ip\" = \"drop\"\n"
		"[env.sanitize.dp]\n"
		"\"info.balance\" = { lower = -1000, upper = 1000, epsilon = "
		"1.0, "
		"epsilon_per_release = 0.25, granularity = \"2^-4\", "
		"on_exhausted = \"end_episode\" }\n"
		"\"info.age\" = { lower = 0, upper = 128, epsilon = 0.5 }\n";
	struct gw_manifest *m = check(text, "gymwarden.toml");
	const struct gw_manifest_env *e = gw_manifest_env_at(m, 0);
	const struct gw_sanitize_action *a;
	const struct gw_dp_policy *dp;
	const struct gw_sanitize_rule *rule;
	size_t n;

	(void)state;
	/* k.key does not exist: it is read at open, not here. */
	assert_int_equal(gw_manifest_diag_count(m), 0);
	assert_true(gw_manifest_env_sanitizes(e));
	assert_int_equal(gw_manifest_env_sanitize_default(e)->op,
			 GW_SANITIZE_REDACT);
	assert_int_equal(gw_manifest_env_sanitize_text_observations(e)->op,
			 GW_SANITIZE_REDACT);
	a = gw_manifest_env_sanitize_logs(e);
	assert_int_equal(a->op, GW_SANITIZE_MASK);
	assert_int_equal(a->mask_char, '#');
	assert_int_equal(a->mask_count, 3);
	assert_true(a->mask_from_end);
	assert_non_null(strstr(gw_manifest_env_sanitize_key_file(e), "/k.key"));
	assert_int_equal(gw_manifest_env_sanitize_field_count(e), 3);
	assert_string_equal(gw_manifest_env_sanitize_field_at(e, 0, &a),
			    "info.customer.email");
	assert_int_equal(a->op, GW_SANITIZE_TOKENIZE);
	assert_string_equal(gw_manifest_env_sanitize_field_at(e, 1, &a),
			    "info.customer.card");
	assert_int_equal(a->op, GW_SANITIZE_MASK);
	assert_int_equal(a->mask_keep, 4);
	assert_true(a->mask_from_end);
	assert_string_equal(gw_manifest_env_sanitize_field_at(e, 2, &a),
			    "info.customer.ip");
	assert_int_equal(a->op, GW_SANITIZE_DROP);
	assert_null(gw_manifest_env_sanitize_field_at(e, 3, &a));
	assert_int_equal(gw_manifest_env_sanitize_rule_count(e), 1);
	rule = gw_manifest_env_sanitize_rule_at(e, 0);
	assert_string_equal(rule->id, "emp");
	assert_int_equal(rule->n_keywords, 1);
	assert_string_equal(rule->label, "EMPLOYEE");
	assert_string_equal(gw_manifest_env_sanitize_allowlist(e, &n)[0],
			    "help@example.com");
	assert_int_equal(gw_manifest_env_dp_count(e), 2);
	dp = gw_manifest_env_dp_at(e, 0);
	assert_string_equal(dp->field, "info.balance");
	assert_int_equal(dp->granularity_exp, 4);
	assert_true(dp->epsilon_per_release == 0.25);
	assert_int_equal(dp->on_exhausted, GW_DP_ON_EXHAUSTED_END_EPISODE);
	dp = gw_manifest_env_dp_at(e, 1);
	assert_int_equal(dp->granularity_exp, 3);
	assert_true(dp->epsilon_per_release == 0.5);
	assert_int_equal(dp->on_exhausted, GW_DP_ON_EXHAUSTED_WITHHOLD);
	gw_manifest_free(m);
}

static void manifest_without_sanitize_has_no_policy(void **state)
{
	struct gw_manifest *m = check(ENV_HEAD SPACES, "gymwarden.toml");

	(void)state;
	assert_false(gw_manifest_env_sanitizes(gw_manifest_env_at(m, 0)));
	gw_manifest_free(m);
}

static void manifest_reports_every_problem_in_file_order(void **state)
{
	struct gw_manifest *m;
	unsigned last = 0;

	(void)state;
	m = check(
		"vetting = \"sometimes\"\n"
		"[[env]]\nid = \"x\"\nsource = \"gone\"\nentry_point = \"1\"\n"
		"[env.action_space]\ntype = \"Discrete\"\nn = 0\n"
		"[env.observation_space]\ntype = \"Box\"\nlow = 2\n"
		"high = 1\nshape = [1]\n[env.sandbox]\nmemory = \"lots\"\n",
		"gymwarden.toml");
	assert_int_equal(gw_manifest_error_count(m), 7);
	assert_int_equal(gw_manifest_diag_count(m), 7);
	for (size_t i = 0; i < gw_manifest_diag_count(m); i++) {
		assert_true(gw_manifest_diag_at(m, i)->line >= last);
		last = gw_manifest_diag_at(m, i)->line;
	}
	gw_manifest_free(m);
}

static void manifest_reads_tool_gymwarden_of_pyproject(void **state)
{
	struct gw_manifest *m;

	(void)state;
	m = check("[project]\nname = \"x\"\n[tool.black]\nline-length = 88\n"
		  "[[tool.gymwarden.env]]\nid = \"A-v0\"\nsource = \"src\"\n"
		  "entry_point = \"mod:Env\"\n"
		  "action_space = { type = \"Discrete\", n = 2 }\n"
		  "observation_space = { type = \"Discrete\", n = 0 }\n",
		  "pyproject.toml");
	assert_int_equal(gw_manifest_diag_count(m), 1);
	assert_string_equal(gw_manifest_diag_at(m, 0)->field,
			    "tool.gymwarden.env[0].observation_space.n");
	assert_int_equal(gw_manifest_diag_at(m, 0)->line, 10);
	assert_int_equal(gw_manifest_env_count(m), 1);
	gw_manifest_free(m);
}

static void manifest_pyproject_without_table_is_an_error(void **state)
{
	struct gw_manifest *m;

	(void)state;
	m = check("[project]\nname = \"x\"\n", "pyproject.toml");
	assert_int_equal(gw_manifest_error_count(m), 1);
	assert_non_null(strstr(gw_manifest_diag_at(m, 0)->message,
			       "no [tool.gymwarden] table"));
	gw_manifest_free(m);
}

static void manifest_syntax_error_is_fatal_with_position(void **state)
{
	struct gw_error err = { 0 };
	struct gw_manifest *m = NULL;
	const char *text = "vetting = \"required\"\n[[env]\n";

	(void)state;
	assert_int_equal(
		gw_manifest_check_text(text, strlen(text), "x.toml", &m, &err),
		-EINVAL);
	assert_null(m);
	assert_int_equal(err.line, 2);
	assert_string_equal(err.file, "x.toml");
}

static void manifest_load_is_strict_and_names_first_error(void **state)
{
	struct gw_error err = { 0 };
	struct gw_manifest *m = NULL;
	char path[128];
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/gymwarden.toml", scratch);
	f = fopen(path, "w");
	fputs(ENV_HEAD "action_space = { type = \"Discrete\", n = -1 }\n"
		       "observation_space = { type = \"Discrete\", n = 3 }\n",
	      f);
	fclose(f);
	assert_int_equal(gw_manifest_load(path, &m, &err), -EINVAL);
	assert_null(m);
	assert_int_equal(err.line, 5);
	assert_string_equal(err.field, "env[0].action_space.n");
	unlink(path);

	gw_error_clear(&err);
	assert_int_equal(
		gw_manifest_load("/nonexistent/gymwarden.toml", &m, &err),
		-ENOENT);
	assert_null(m);
}

static void manifest_paths_resolve_against_manifest_folder(void **state)
{
	struct gw_manifest *m;
	char want[160];

	(void)state;
	m = check("[registry]\npath = \"a/./b/../reg.db\"\n[log]\n"
		  "dir = \"/var/log/gw\"\n" ENV_HEAD SPACES
		  "dependency_paths = [\"src/../src\"]\n",
		  "gymwarden.toml");
	snprintf(want, sizeof(want), "%s/a/reg.db", scratch);
	assert_int_equal(gw_manifest_diag_count(m), 0);
	/* scratch is under /tmp, which realpath keeps as it is here. */
	assert_non_null(strstr(gw_manifest_registry_path(m), "/a/reg.db"));
	assert_string_equal(gw_manifest_log_dir(m), "/var/log/gw");
	gw_manifest_free(m);
}

static void manifest_resolve_normalises_lexically(void **state)
{
	static const char *const rc[][3] = {
		{ "/a/b", "c", "/a/b/c" },
		{ "/a/b", "../c", "/a/c" },
		{ "/a/b", "../../../c", "/c" },
		{ "/a/b", "/x/./y//z", "/x/y/z" },
		{ "/a", ".", "/a" },
		{ "/", "..", "/" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rc) / sizeof(rc[0]); i++) {
		char *p = gw_manifest_resolve(rc[i][0], rc[i][1],
					      strlen(rc[i][1]));

		assert_string_equal(p, rc[i][2]);
		free(p);
	}
}

static void manifest_param_check_applies_spec(void **state)
{
	struct gw_param_spec spec = { .type = GW_PARAM_FLOAT,
				      .has_min = true,
				      .min = 0.5 };
	json_t *v;
	char why[128];

	(void)state;
	v = json_integer(1);
	assert_true(gw_param_check(&spec, v, why, sizeof(why)));
	json_decref(v);
	v = json_real(0.25);
	assert_false(gw_param_check(&spec, v, why, sizeof(why)));
	assert_non_null(strstr(why, "below the minimum"));
	json_decref(v);
	spec.type = GW_PARAM_BOOL;
	v = json_integer(1);
	assert_false(gw_param_check(&spec, v, why, sizeof(why)));
	assert_string_equal(why, "expected a boolean, got an integer");
	json_decref(v);
}

static void manifest_caps_the_diagnostic_list(void **state)
{
	struct gw_buf b;
	struct gw_manifest *m;
	const struct gw_manifest_diag *last;

	(void)state;
	gw_buf_init(&b, 1 << 20);
	for (int e = 0; e < 40; e++) {
		gw_buf_printf(&b, "[[env]]\n");
		for (int k = 0; k < 32; k++)
			gw_buf_printf(&b, "unknown%d = 1\n", k);
	}
	m = check(b.data, "gymwarden.toml");
	assert_int_equal(gw_manifest_diag_count(m), GW_MANIFEST_MAX_DIAGS);
	assert_true(gw_manifest_error_count(m) > GW_MANIFEST_MAX_DIAGS);
	last = gw_manifest_diag_at(m, GW_MANIFEST_MAX_DIAGS - 1);
	assert_non_null(strstr(last->message, "more than 1000 problems"));
	gw_manifest_free(m);
	gw_buf_free(&b);
}

static char *example_text(size_t *len)
{
	struct gw_buf b;
	struct gw_error err = { 0 };

	gw_buf_init(&b, GW_MANIFEST_MAX_BYTES);
	if (gw_buf_read_file(&b, EXAMPLE, &err) != 0)
		fail_msg("%s", err.msg);
	return gw_buf_steal(&b, len);
}

/* Every prefix of the example loads or fails cleanly, never crashes. */
static void manifest_truncation_sweep_never_crashes(void **state)
{
	size_t len;
	char *text = example_text(&len);

	(void)state;
	for (size_t n = 0; n <= len; n++) {
		struct gw_error err = { 0 };
		struct gw_manifest *m = NULL;
		int r = gw_manifest_check_text(text, n, EXAMPLE, &m, &err);

		assert_true(r == 0 || r == -EINVAL);
		assert_true((r == 0) == (m != NULL));
		gw_manifest_free(m);
	}
	free(text);
}

/* Each byte replaced by a few troublesome ones. */
static void manifest_byte_flip_sweep_never_crashes(void **state)
{
	static const char flips[] = { '\0', '[', '"', '=', '9', '\n', '-' };
	size_t len;
	char *text = example_text(&len);

	(void)state;
	for (size_t i = 0; i < len; i++) {
		char keep = text[i];

		for (size_t k = 0; k < sizeof(flips); k++) {
			struct gw_error err = { 0 };
			struct gw_manifest *m = NULL;
			int r;

			text[i] = flips[k];
			r = gw_manifest_check_text(text, len, EXAMPLE, &m,
						   &err);
			assert_true(r == 0 || r == -EINVAL);
			gw_manifest_free(m);
		}
		text[i] = keep;
	}
	free(text);
}

int main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(size_parse_handles_suffixes_and_overflow),
		cmocka_unit_test(duration_parse_handles_units_and_overflow),
		cmocka_unit_test(units_format_as_largest_exact_unit),
		cmocka_unit_test(manifest_loads_bundled_example),
		cmocka_unit_test(manifest_clean_minimal_env_has_no_diagnostics),
		cmocka_unit_test(manifest_reads_sanitize_policy),
		cmocka_unit_test(manifest_without_sanitize_has_no_policy),
		cmocka_unit_test(manifest_reports_every_problem_in_file_order),
		cmocka_unit_test(manifest_reads_tool_gymwarden_of_pyproject),
		cmocka_unit_test(manifest_pyproject_without_table_is_an_error),
		cmocka_unit_test(manifest_syntax_error_is_fatal_with_position),
		cmocka_unit_test(manifest_load_is_strict_and_names_first_error),
		cmocka_unit_test(
			manifest_paths_resolve_against_manifest_folder),
		cmocka_unit_test(manifest_resolve_normalises_lexically),
		cmocka_unit_test(manifest_param_check_applies_spec),
		cmocka_unit_test(manifest_caps_the_diagnostic_list),
		cmocka_unit_test(manifest_truncation_sweep_never_crashes),
		cmocka_unit_test(manifest_byte_flip_sweep_never_crashes),
	};
	enum { N_FIXED = sizeof(fixed) / sizeof(fixed[0]) };
	struct CMUnitTest tests[N_FIXED + N_DIAG_CASES];

	memcpy(tests, fixed, sizeof(fixed));
	for (size_t i = 0; i < N_DIAG_CASES; i++)
		tests[N_FIXED + i] = (struct CMUnitTest){
			.name = diag_cases[i].name,
			.test_func = run_diag_case,
			.initial_state = (void *)&diag_cases[i],
		};
	return _cmocka_run_group_tests("manifest", tests,
				       N_FIXED + N_DIAG_CASES, make_scratch,
				       remove_scratch);
}
