/* The public accessors of a loaded manifest, its JSON form and freeing. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "manifest/manifest_priv.h"
#include "manifest/units.h"

static void env_free(struct gw_manifest_env *e)
{
	free(e->id);
	free(e->entry_point);
	free(e->source);
	json_decref(e->kwargs);
	free(e->kwargs_text);
	gw_param_specs_free(&e->allowed_kwargs);
	gw_param_specs_free(&e->reset_options);
	free(e->interpreter);
	for (size_t i = 0; i < e->n_deps; i++)
		free(e->deps[i]);
	free(e->deps);
	gw_space_free(e->action_space);
	gw_space_free(e->observation_space);
	gw_sanitize_policy_free(&e->sanitize);
}

void gw_manifest_free(struct gw_manifest *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n_envs; i++)
		env_free(&m->envs[i]);
	free(m->envs);
	for (size_t i = 0; i < m->n_diags; i++) {
		free(m->diags[i].field);
		free(m->diags[i].message);
		free(m->diags[i].hint);
	}
	free(m->diags);
	free(m->registry_path);
	free(m->log_dir);
	free(m->dir);
	free(m->path);
	free(m);
}

const char *gw_manifest_path(const struct gw_manifest *m)
{
	return m->path;
}

size_t gw_manifest_diag_count(const struct gw_manifest *m)
{
	return m->n_diags;
}

const struct gw_manifest_diag *gw_manifest_diag_at(const struct gw_manifest *m,
						   size_t i)
{
	return i < m->n_diags ? &m->diags[i].d : NULL;
}

size_t gw_manifest_error_count(const struct gw_manifest *m)
{
	return m->n_errors;
}

size_t gw_manifest_warning_count(const struct gw_manifest *m)
{
	return m->n_warnings;
}

enum gw_vetting gw_manifest_vetting(const struct gw_manifest *m)
{
	return m->vetting;
}

const char *gw_manifest_registry_path(const struct gw_manifest *m)
{
	return m->registry_path;
}

const char *gw_manifest_log_dir(const struct gw_manifest *m)
{
	return m->log_dir;
}

size_t gw_manifest_env_count(const struct gw_manifest *m)
{
	return m->n_envs;
}

const struct gw_manifest_env *gw_manifest_env_at(const struct gw_manifest *m,
						 size_t i)
{
	return i < m->n_envs ? &m->envs[i] : NULL;
}

const struct gw_manifest_env *gw_manifest_env_find(const struct gw_manifest *m,
						   const char *id)
{
	for (size_t i = 0; i < m->n_envs; i++)
		if (m->envs[i].id && strcmp(m->envs[i].id, id) == 0)
			return &m->envs[i];
	return NULL;
}

const char *gw_manifest_env_id(const struct gw_manifest_env *e)
{
	return e->id;
}

const char *gw_manifest_env_entry_point(const struct gw_manifest_env *e)
{
	return e->entry_point;
}

const char *gw_manifest_env_source(const struct gw_manifest_env *e)
{
	return e->source;
}

enum gw_env_api gw_manifest_env_api(const struct gw_manifest_env *e)
{
	return e->api;
}

const char *gw_manifest_env_interpreter(const struct gw_manifest_env *e)
{
	return e->interpreter;
}

uint64_t gw_manifest_env_max_episode_steps(const struct gw_manifest_env *e)
{
	return e->max_episode_steps;
}

const char *const *
gw_manifest_env_dependency_paths(const struct gw_manifest_env *e, size_t *count)
{
	*count = e->n_deps;
	return (const char *const *)e->deps;
}

const char *gw_manifest_env_kwargs_json(const struct gw_manifest_env *e)
{
	return e->kwargs_text ? e->kwargs_text : "{}";
}

bool gw_manifest_env_adopt_declared_spaces(const struct gw_manifest_env *e)
{
	return e->adopt_declared_spaces;
}

const struct gw_space *
gw_manifest_env_action_space(const struct gw_manifest_env *e)
{
	return e->action_space;
}

const struct gw_space *
gw_manifest_env_observation_space(const struct gw_manifest_env *e)
{
	return e->observation_space;
}

const struct gw_sandbox_limits *
gw_manifest_env_sandbox(const struct gw_manifest_env *e)
{
	return &e->sandbox;
}

const struct gw_check_policy *
gw_manifest_env_checks(const struct gw_manifest_env *e)
{
	return &e->checks;
}

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *space_or_null(const struct gw_space *s)
{
	return s ? gw_space_describe_json(s) : json_null();
}

static json_t *size_json(uint64_t bytes)
{
	char text[32];

	gw_format_size(bytes, text, sizeof(text));
	return json_pack("{s:I, s:s}", "bytes", (json_int_t)bytes, "text",
			 text);
}

static json_t *duration_json(uint64_t ns)
{
	char text[32];

	gw_format_duration(ns, text, sizeof(text));
	return json_pack("{s:I, s:s}", "ns", (json_int_t)ns, "text", text);
}

static json_t *sandbox_json(const struct gw_sandbox_limits *sb)
{
	json_t *req = json_array();

	for (int k = 0; req && k < GW_REQUIRE_COUNT; k++)
		if (sb->require_mask & (1u << k))
			json_array_append_new(
				req, json_string(gw_require_layer_names[k]));
	return json_pack(
		"{s:o, s:I, s:o, s:o, s:I, s:o, s:o, s:o, s:o, s:o,"
		" s:s}",
		"memory", size_json(sb->memory_bytes), "processes",
		(json_int_t)sb->processes, "cpu_time",
		duration_json(sb->cpu_time_ns), "file_size",
		size_json(sb->file_size_bytes), "open_files",
		(json_int_t)sb->open_files, "tmp_size",
		size_json(sb->tmp_size_bytes), "step_timeout",
		duration_json(sb->step_timeout_ns), "reset_timeout",
		duration_json(sb->reset_timeout_ns), "lifetime",
		duration_json(sb->lifetime_ns), "require", req, "on_violation",
		sb->on_violation == GW_ON_VIOLATION_KILL ? "kill" : "errno");
}

static json_t *checks_json(const struct gw_check_policy *cp)
{
	json_t *o = json_object();

	for (int k = 0; o && k < GW_FAULT_COUNT; k++)
		json_object_set_new(
			o, gw_fault_names[k],
			json_string(gw_policy_names[cp->policy[k]]));
	if (!o)
		return NULL;
	json_object_set_new(o, "overshoot_ulps",
			    json_integer(cp->overshoot_ulps));
	json_object_set_new(
		o, "reward_range",
		cp->has_reward_range
			? json_pack("[f, f]", cp->reward_min, cp->reward_max)
			: json_null());
	return o;
}

static json_t *specs_json(const struct gw_param_specs *s)
{
	json_t *o = json_object();

	for (size_t i = 0; o && i < s->len; i++) {
		const struct gw_param_spec *sp = &s->items[i];
		json_t *j = json_pack("{s:s}", "type",
				      gw_param_type_names[sp->type]);

		if (!j)
			continue;
		if (sp->has_min)
			json_object_set_new(j, "min",
					    sp->type == GW_PARAM_INT
						    ? json_integer(sp->imin)
						    : json_real(sp->min));
		if (sp->has_max)
			json_object_set_new(j, "max",
					    sp->type == GW_PARAM_INT
						    ? json_integer(sp->imax)
						    : json_real(sp->max));
		if (sp->choices)
			json_object_set(j, "choices", sp->choices);
		if (sp->def)
			json_object_set(j, "default", sp->def);
		json_object_set_new(o, sp->name, j);
	}
	return o;
}

static json_t *deps_json(const struct gw_manifest_env *e)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < e->n_deps; i++)
		json_array_append_new(a, json_string(e->deps[i]));
	return a;
}

json_t *gw_manifest_env_to_json(const struct gw_manifest_env *e)
{
	json_t *o = json_pack(
		"{s:o, s:I, s:o, s:o, s:s, s:O, s:o, s:o, s:I, s:o, s:o, s:b,"
		" s:o, s:o}",
		"id", str_or_null(e->id), "line", (json_int_t)e->line,
		"entry_point", str_or_null(e->entry_point), "source",
		str_or_null(e->source), "api", gw_env_api_names[e->api],
		"kwargs", e->kwargs, "allowed_kwargs",
		specs_json(&e->allowed_kwargs), "reset_options",
		specs_json(&e->reset_options), "max_episode_steps",
		(json_int_t)e->max_episode_steps, "interpreter",
		str_or_null(e->interpreter), "dependency_paths", deps_json(e),
		"adopt_declared_spaces", e->adopt_declared_spaces,
		"action_space", space_or_null(e->action_space),
		"observation_space", space_or_null(e->observation_space));

	if (!o)
		return NULL;
	json_object_set_new(o, "sandbox", sandbox_json(&e->sandbox));
	json_object_set_new(o, "checks", checks_json(&e->checks));
	json_object_set_new(o, "sanitize",
			    gw_sanitize_policy_json(&e->sanitize));
	return o;
}

json_t *gw_manifest_to_json(const struct gw_manifest *m)
{
	json_t *envs = json_array();

	for (size_t i = 0; envs && i < m->n_envs; i++)
		json_array_append_new(envs,
				      gw_manifest_env_to_json(&m->envs[i]));
	return json_pack("{s:s, s:s, s:{s:s}, s:{s:s}, s:o}", "file", m->path,
			 "vetting", gw_vetting_names[m->vetting], "registry",
			 "path", m->registry_path, "log", "dir", m->log_dir,
			 "envs", envs);
}

bool gw_manifest_env_sanitizes(const struct gw_manifest_env *e)
{
	return e->sanitize.present;
}

const struct gw_sanitize_action *
gw_manifest_env_sanitize_default(const struct gw_manifest_env *e)
{
	return &e->sanitize.def;
}

const struct gw_sanitize_action *
gw_manifest_env_sanitize_text_observations(const struct gw_manifest_env *e)
{
	return &e->sanitize.text_obs;
}

const struct gw_sanitize_action *
gw_manifest_env_sanitize_logs(const struct gw_manifest_env *e)
{
	return &e->sanitize.logs;
}

size_t gw_manifest_env_sanitize_field_count(const struct gw_manifest_env *e)
{
	return e->sanitize.n_fields;
}

const char *
gw_manifest_env_sanitize_field_at(const struct gw_manifest_env *e, size_t i,
				  const struct gw_sanitize_action **action)
{
	if (i >= e->sanitize.n_fields)
		return NULL;
	if (action)
		*action = &e->sanitize.fields[i].action;
	return e->sanitize.fields[i].field;
}

const char *gw_manifest_env_sanitize_key_file(const struct gw_manifest_env *e)
{
	return e->sanitize.key_file;
}

size_t gw_manifest_env_sanitize_rule_count(const struct gw_manifest_env *e)
{
	return e->sanitize.n_rules;
}

const struct gw_sanitize_rule *
gw_manifest_env_sanitize_rule_at(const struct gw_manifest_env *e, size_t i)
{
	return i < e->sanitize.n_rules ? &e->sanitize.rules[i].rule : NULL;
}

const char *const *
gw_manifest_env_sanitize_allowlist(const struct gw_manifest_env *e,
				   size_t *count)
{
	*count = e->sanitize.n_allowlist;
	return (const char *const *)e->sanitize.allowlist;
}

size_t gw_manifest_env_dp_count(const struct gw_manifest_env *e)
{
	return e->sanitize.n_dp;
}

const struct gw_dp_policy *
gw_manifest_env_dp_at(const struct gw_manifest_env *e, size_t i)
{
	return i < e->sanitize.n_dp ? &e->sanitize.dp[i].p : NULL;
}
