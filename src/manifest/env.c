/*
 * One [[env]] table: its id, where its code is, how to construct it, its
 * pinned spaces and its sandbox and check policies.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "manifest/manifest_priv.h"

const char *const gw_env_api_names[] = { "gymnasium", "gym", NULL };

static const char *const env_keys[] = {
	"id",
	"source",
	"entry_point",
	"api",
	"kwargs",
	"allowed_kwargs",
	"max_episode_steps",
	"interpreter",
	"dependency_paths",
	"adopt_declared_spaces",
	"reset_options",
	"action_space",
	"observation_space",
	"sandbox",
	"checks",
	"sanitize",
	NULL,
};

/* Keys of the env's sub-tables, for "belongs in [env.sandbox]" hints. */
static const char *const sandbox_words[] = {
	"memory",     "processes", "cpu_time",	   "file_size",
	"open_files", "tmp_size",  "step_timeout", "reset_timeout",
	"lifetime",   "require",   "on_violation", NULL,
};
static const char *const checks_words[] = {
	"shape",       "nonfinite",	 "bounds",	 "overshoot",
	"dtype_drift", "reward",	 "flags",	 "info",
	"action",      "overshoot_ulps", "reward_range", NULL,
};

#define DEFAULT_INTERPRETER   "/usr/bin/python3"
#define MAX_EPISODE_STEPS_CAP (1ull << 40)

static bool belongs_elsewhere(const char *key, size_t len, char *buf,
			      size_t cap)
{
	const char *home = NULL;

	if (gw_check_word(key, len, sandbox_words) >= 0)
		home = "sandbox";
	else if (gw_check_word(key, len, checks_words) >= 0)
		home = "checks";
	if (!home)
		return false;
	snprintf(buf, cap, "'%.*s' belongs in [env.%s]", (int)len, key, home);
	return true;
}

void gw_manifest_env_defaults(struct gw_manifest_env *e)
{
	memset(e, 0, sizeof(*e));
	e->api = GW_ENV_API_GYMNASIUM;
	e->sandbox = (struct gw_sandbox_limits){
		.memory_bytes = 1ull << 30,
		.processes = 32,
		.cpu_time_ns = 600ull * 1000000000,
		.file_size_bytes = 64ull << 20,
		.open_files = 256,
		.tmp_size_bytes = 64ull << 20,
		.step_timeout_ns = 5ull * 1000000000,
		.reset_timeout_ns = 30ull * 1000000000,
		.lifetime_ns = 24ull * 3600 * 1000000000,
		.require_mask = 0,
		.on_violation = GW_ON_VIOLATION_KILL,
	};
	e->checks.policy[GW_FAULT_SHAPE] = GW_POLICY_REJECT;
	e->checks.policy[GW_FAULT_NONFINITE] = GW_POLICY_REJECT;
	e->checks.policy[GW_FAULT_BOUNDS] = GW_POLICY_REJECT;
	e->checks.policy[GW_FAULT_OVERSHOOT] = GW_POLICY_CLIP;
	e->checks.policy[GW_FAULT_DTYPE_DRIFT] = GW_POLICY_CAST;
	e->checks.policy[GW_FAULT_REWARD] = GW_POLICY_REJECT;
	e->checks.policy[GW_FAULT_FLAGS] = GW_POLICY_REJECT;
	e->checks.policy[GW_FAULT_INFO] = GW_POLICY_REJECT;
	e->checks.policy[GW_FAULT_ACTION] = GW_POLICY_REJECT;
	e->checks.overshoot_ulps = 4;
	e->sanitize.def.op = GW_SANITIZE_KEEP;
	e->sanitize.text_obs.op = GW_SANITIZE_KEEP;
	e->sanitize.logs.op = GW_SANITIZE_KEEP;
}

char *gw_manifest_strdup(struct gw_manifest *m, const struct gw_toml_value *v)
{
	char *p = malloc(v->u.s.len + 1);

	if (!p) {
		gw_check_nomem(&m->check);
		return NULL;
	}
	memcpy(p, v->u.s.ptr, v->u.s.len + 1);
	return p;
}

/* A string key: present, a string, 1..cap bytes, no NUL. */
static const struct gw_toml_value *str_key(struct gw_manifest *m,
					   const struct gw_toml_value *t,
					   const char *path, const char *key,
					   bool required, char *field)
{
	const struct gw_toml_value *v;

	gw_check_path_key(field, GW_FIELD_MAX_BYTES, path, key, strlen(key));
	v = required ? gw_check_require(&m->check, t, path, key)
		     : gw_toml_get(t, key);
	if (!v || !gw_check_type(&m->check, v, field, GW_TOML_STRING))
		return NULL;
	if (v->u.s.len == 0 || v->u.s.len > GW_MANIFEST_MAX_PATH_BYTES ||
	    memchr(v->u.s.ptr, '\0', v->u.s.len)) {
		gw_check_error(&m->check, v, field, NULL,
			       v->u.s.len
				       ? "must not contain NUL or be longer "
					 "than %u bytes"
				       : "must not be empty (limit %u bytes)",
			       GW_MANIFEST_MAX_PATH_BYTES);
		return NULL;
	}
	return v;
}

static bool id_char(char ch, bool in_name)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       (ch >= '0' && ch <= '9') || ch == '_' || ch == '-' ||
	       ch == ':' || (in_name && ch == '.');
}

/* Gymnasium's id form, [namespace/]Name-vN; a cause, or NULL if fine. */
static const char *id_problem(const char *s, size_t len)
{
	const char *slash = memchr(s, '/', len);
	const char *name = slash ? slash + 1 : s;
	const char *end = s + len, *v = end;

	if (len > GW_MANIFEST_MAX_NAME_BYTES)
		return "is too long";
	if (slash == s)
		return "has an empty namespace";
	for (const char *p = s; slash && p < slash; p++)
		if (!id_char(*p, false))
			return "has a namespace with a character outside "
			       "A-Z a-z 0-9 _ - :";
	while (v > name && v[-1] >= '0' && v[-1] <= '9')
		v--;
	if (v == end || v - name < 3 || v[-1] != 'v' || v[-2] != '-')
		return "does not end in a version such as -v0";
	if (v - 2 == name)
		return "has an empty name";
	for (const char *p = name; p < v - 2; p++)
		if (!id_char(*p, true))
			return "has a name with a character outside "
			       "A-Z a-z 0-9 _ - . :";
	return NULL;
}

static bool ident_start(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       ch == '_';
}

/* Dotted Python identifiers, [a, a+len); ASCII only. */
static bool dotted_ok(const char *a, size_t len)
{
	bool start = true;

	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		char ch = a[i];

		if (ch == '.') {
			if (start)
				return false;
			start = true;
		} else if (start ? ident_start(ch)
				 : ident_start(ch) ||
					   (ch >= '0' && ch <= '9')) {
			start = false;
		} else {
			return false;
		}
	}
	return !start;
}

static bool entry_point_ok(const char *s, size_t len)
{
	const char *colon = memchr(s, ':', len);

	return colon && dotted_ok(s, (size_t)(colon - s)) &&
	       dotted_ok(colon + 1, len - (size_t)(colon - s) - 1);
}

static void parse_identity(struct gw_manifest *m, struct gw_manifest_env *e,
			   const struct gw_toml_value *t, const char *path)
{
	char field[GW_FIELD_MAX_BYTES], esc[128];
	const struct gw_toml_value *v;
	const char *why;

	/* Kept even when malformed, so duplicates are still found. */
	v = str_key(m, t, path, "id", true, field);
	if (v && (why = id_problem(v->u.s.ptr, v->u.s.len)) != NULL) {
		gw_check_quote(esc, sizeof(esc), v->u.s.ptr, v->u.s.len);
		gw_check_error(&m->check, v, field,
			       "ids read [namespace/]Name-vN, e.g. "
			       "\"GridWorld-v0\"",
			       "env id \"%s\" %s", esc, why);
	}
	if (v)
		e->id = gw_manifest_strdup(m, v);

	v = str_key(m, t, path, "entry_point", true, field);
	if (v && !entry_point_ok(v->u.s.ptr, v->u.s.len)) {
		gw_check_quote(esc, sizeof(esc), v->u.s.ptr, v->u.s.len);
		gw_check_error(&m->check, v, field,
			       "write module.path:Attribute, e.g. "
			       "\"gridworld.env:GridWorldEnv\"",
			       "entry point \"%s\" is not module:attribute",
			       esc);
	} else if (v) {
		e->entry_point = gw_manifest_strdup(m, v);
	}
}

/* Whether the entry point's module is a file or package under source. */
static bool module_found(const char *source, const char *entry_point)
{
	char rel[GW_MANIFEST_MAX_PATH_BYTES], p[2 * GW_MANIFEST_MAX_PATH_BYTES];
	size_t n = strcspn(entry_point, ":");
	struct stat st;

	if (n >= sizeof(rel))
		return false;
	for (size_t i = 0; i < n; i++)
		rel[i] = entry_point[i] == '.' ? '/' : entry_point[i];
	rel[n] = '\0';
	snprintf(p, sizeof(p), "%s/%s.py", source, rel);
	if (stat(p, &st) == 0)
		return true;
	snprintf(p, sizeof(p), "%s/%s/__init__.py", source, rel);
	return stat(p, &st) == 0;
}

static void parse_source(struct gw_manifest *m, struct gw_manifest_env *e,
			 const struct gw_toml_value *t, const char *path)
{
	char field[GW_FIELD_MAX_BYTES], hint[GW_FIELD_MAX_BYTES + 64];
	char esc[GW_MANIFEST_MAX_PATH_BYTES];
	const struct gw_toml_value *v;
	struct stat st;
	char *abs, *real;

	v = str_key(m, t, path, "source", true, field);
	if (!v)
		return;
	abs = gw_manifest_resolve(m->dir, v->u.s.ptr, v->u.s.len);
	if (!abs) {
		gw_check_nomem(&m->check);
		return;
	}
	gw_check_quote(esc, sizeof(esc), abs, strlen(abs));
	snprintf(hint, sizeof(hint),
		 "a relative source is read from the manifest's folder");
	if (stat(abs, &st) != 0) {
		gw_check_error(&m->check, v, field, hint,
			       "source folder \"%s\" does not exist", esc);
	} else if (!S_ISDIR(st.st_mode)) {
		gw_check_error(&m->check, v, field, NULL,
			       "source \"%s\" is not a folder", esc);
	}
	real = realpath(abs, NULL);
	e->source = real ? real : abs;
	if (real)
		free(abs);
}

static void check_module(struct gw_manifest *m, struct gw_manifest_env *e,
			 const struct gw_toml_value *t, const char *path)
{
	const struct gw_toml_value *v = gw_toml_get(t, "entry_point");
	char field[GW_FIELD_MAX_BYTES];
	struct stat st;

	if (!e->entry_point || !e->source || stat(e->source, &st) != 0)
		return;
	if (module_found(e->source, e->entry_point))
		return;
	gw_check_path_key(field, sizeof(field), path, "entry_point", 11);
	gw_check_report(&m->check, GW_SEVERITY_WARNING, v->line, v->col, field,
			"the worker imports it from the source folder",
			"module of \"%.*s\" not found as a .py file or package "
			"under the source",
			(int)strcspn(e->entry_point, ":"), e->entry_point);
}

static void parse_interpreter(struct gw_manifest *m, struct gw_manifest_env *e,
			      const struct gw_toml_value *t, const char *path)
{
	char field[GW_FIELD_MAX_BYTES], esc[256];
	const struct gw_toml_value *v;

	v = str_key(m, t, path, "interpreter", false, field);
	if (v && v->u.s.ptr[0] != '/') {
		gw_check_error(&m->check, v, field, NULL,
			       "the interpreter must be an absolute path");
		v = NULL;
	}
	e->interpreter = v ? gw_manifest_strdup(m, v) : NULL;
	if (!v && !gw_toml_get(t, "interpreter")) {
		e->interpreter = malloc(sizeof(DEFAULT_INTERPRETER));
		if (e->interpreter)
			memcpy(e->interpreter, DEFAULT_INTERPRETER,
			       sizeof(DEFAULT_INTERPRETER));
		else
			gw_check_nomem(&m->check);
	}
	if (v && e->interpreter && access(e->interpreter, X_OK) != 0) {
		gw_check_quote(esc, sizeof(esc), v->u.s.ptr, v->u.s.len);
		gw_check_report(&m->check, GW_SEVERITY_WARNING, v->line, v->col,
				field, NULL,
				"interpreter \"%s\" is not an executable on "
				"this host",
				esc);
	}
}

static void add_dep(struct gw_manifest *m, struct gw_manifest_env *e,
		    const struct gw_toml_value *v, const char *field)
{
	char esc[GW_MANIFEST_MAX_PATH_BYTES];
	struct stat st;
	char *abs;

	if (!gw_check_type(&m->check, v, field, GW_TOML_STRING))
		return;
	if (v->u.s.len == 0 || v->u.s.len > GW_MANIFEST_MAX_PATH_BYTES ||
	    memchr(v->u.s.ptr, '\0', v->u.s.len)) {
		gw_check_error(&m->check, v, field, NULL,
			       "expected a non-empty path");
		return;
	}
	abs = gw_manifest_resolve(m->dir, v->u.s.ptr, v->u.s.len);
	if (!abs) {
		gw_check_nomem(&m->check);
		return;
	}
	if (stat(abs, &st) != 0) {
		gw_check_quote(esc, sizeof(esc), abs, strlen(abs));
		gw_check_report(&m->check, GW_SEVERITY_WARNING, v->line, v->col,
				field, NULL,
				"dependency path \"%s\" does not exist", esc);
	}
	e->deps[e->n_deps++] = abs;
}

static void parse_deps(struct gw_manifest *m, struct gw_manifest_env *e,
		       const struct gw_toml_value *t, const char *path)
{
	const struct gw_toml_value *v = gw_toml_get(t, "dependency_paths");
	char base[GW_FIELD_MAX_BYTES], field[GW_FIELD_MAX_BYTES];

	gw_check_path_key(base, sizeof(base), path, "dependency_paths", 16);
	if (!v || !gw_check_type(&m->check, v, base, GW_TOML_ARRAY))
		return;
	e->deps = calloc(v->u.arr.len ? v->u.arr.len : 1, sizeof(char *));
	if (!e->deps) {
		gw_check_nomem(&m->check);
		return;
	}
	for (size_t i = 0; i < v->u.arr.len; i++) {
		gw_check_path_index(field, sizeof(field), base, i);
		add_dep(m, e, v->u.arr.items[i], field);
	}
}

static void parse_scalars(struct gw_manifest *m, struct gw_manifest_env *e,
			  const struct gw_toml_value *t, const char *path)
{
	char field[GW_FIELD_MAX_BYTES];
	const struct gw_toml_value *v;
	int i;

	gw_check_path_key(field, sizeof(field), path, "api", 3);
	v = gw_toml_get(t, "api");
	if (v &&
	    (i = gw_check_choice(&m->check, v, field, gw_env_api_names)) >= 0)
		e->api = (enum gw_env_api)i;

	gw_check_path_key(field, sizeof(field), path, "max_episode_steps", 17);
	v = gw_toml_get(t, "max_episode_steps");
	if (v && gw_check_type(&m->check, v, field, GW_TOML_INTEGER)) {
		if (v->u.i < 1 || (uint64_t)v->u.i > MAX_EPISODE_STEPS_CAP)
			gw_check_error(&m->check, v, field, NULL,
				       "must be between 1 and 2^40");
		else
			e->max_episode_steps = (uint64_t)v->u.i;
	}

	gw_check_path_key(field, sizeof(field), path, "adopt_declared_spaces",
			  21);
	v = gw_toml_get(t, "adopt_declared_spaces");
	if (v && gw_check_type(&m->check, v, field, GW_TOML_BOOL))
		e->adopt_declared_spaces = v->u.b;
	if (e->adopt_declared_spaces)
		gw_check_report(&m->check, GW_SEVERITY_WARNING, v->line, v->col,
				field, "pin the spaces instead",
				"adopt_declared_spaces is on: the spaces the "
				"environment declares are taken unchecked");
}

static void parse_kwargs(struct gw_manifest *m, struct gw_manifest_env *e,
			 const struct gw_toml_value *t, const char *path);

static void parse_spaces(struct gw_manifest *m, struct gw_manifest_env *e,
			 const struct gw_toml_value *t, const char *path)
{
	static const char *const names[] = { "action_space",
					     "observation_space" };
	struct gw_space **slots[] = { &e->action_space, &e->observation_space };
	char field[GW_FIELD_MAX_BYTES];

	for (int k = 0; k < 2; k++) {
		const struct gw_toml_value *v = gw_toml_get(t, names[k]);

		gw_check_path_key(field, sizeof(field), path, names[k],
				  strlen(names[k]));
		if (!v && !e->adopt_declared_spaces) {
			gw_check_error(&m->check, t, field,
				       "pin it, or set adopt_declared_spaces "
				       "= true",
				       "missing required key \"%s\"", names[k]);
			continue;
		}
		if (v && gw_space_parse_toml(v, field, &m->sink, slots[k]) ==
				 -ENOMEM)
			gw_check_nomem(&m->check);
	}
}

void gw_manifest_parse_env(struct gw_manifest *m, struct gw_manifest_env *e,
			   const struct gw_toml_value *t, const char *path)
{
	char field[GW_FIELD_MAX_BYTES];
	const struct gw_toml_value *v;

	e->line = t->line;
	e->col = t->col;
	gw_check_keys_hint(&m->check, t, path, env_keys, belongs_elsewhere);
	parse_identity(m, e, t, path);
	parse_source(m, e, t, path);
	check_module(m, e, t, path);
	parse_interpreter(m, e, t, path);
	parse_deps(m, e, t, path);
	parse_scalars(m, e, t, path);
	parse_kwargs(m, e, t, path);
	parse_spaces(m, e, t, path);

	gw_check_path_key(field, sizeof(field), path, "sandbox", 7);
	v = gw_toml_get(t, "sandbox");
	if (v && gw_check_type(&m->check, v, field, GW_TOML_TABLE))
		gw_manifest_parse_sandbox(m, &e->sandbox, v, field);
	gw_check_path_key(field, sizeof(field), path, "checks", 6);
	v = gw_toml_get(t, "checks");
	if (v && gw_check_type(&m->check, v, field, GW_TOML_TABLE))
		gw_manifest_parse_checks(m, &e->checks, v, field);
	gw_check_path_key(field, sizeof(field), path, "sanitize", 8);
	v = gw_toml_get(t, "sanitize");
	if (v && gw_check_type(&m->check, v, field, GW_TOML_TABLE))
		gw_manifest_parse_sanitize(m, &e->sanitize, v, field);
}

static bool python_identifier(const char *s, size_t len)
{
	return memchr(s, '.', len) == NULL && dotted_ok(s, len);
}

/* Each kwarg that has a spec must satisfy it. */
static void check_kwargs(struct gw_manifest *m, struct gw_manifest_env *e,
			 const struct gw_toml_value *kw, const char *base)
{
	char field[GW_FIELD_MAX_BYTES], why[256];

	for (size_t i = 0; i < kw->u.tab.len; i++) {
		const struct gw_toml_kv *kv = &kw->u.tab.kvs[i];
		const struct gw_param_spec *spec;
		json_t *val = json_object_get(e->kwargs, kv->key);

		gw_check_path_key(field, sizeof(field), base, kv->key,
				  kv->key_len);
		if (!python_identifier(kv->key, kv->key_len)) {
			gw_check_report(&m->check, GW_SEVERITY_ERROR, kv->line,
					kv->col, field, NULL,
					"a kwarg name must be a Python "
					"identifier");
			continue;
		}
		spec = gw_param_find(&e->allowed_kwargs, kv->key);
		if (spec && val && !gw_param_check(spec, val, why, sizeof(why)))
			gw_check_error(&m->check, kv->value, field,
				       "the default must satisfy "
				       "allowed_kwargs",
				       "%s", why);
	}
}

static void parse_kwargs(struct gw_manifest *m, struct gw_manifest_env *e,
			 const struct gw_toml_value *t, const char *path)
{
	const struct gw_toml_value *kw = gw_toml_get(t, "kwargs");
	const struct gw_toml_value *v;
	char base[GW_FIELD_MAX_BYTES], field[GW_FIELD_MAX_BYTES];

	gw_check_path_key(field, sizeof(field), path, "allowed_kwargs", 14);
	v = gw_toml_get(t, "allowed_kwargs");
	if (v && gw_check_type(&m->check, v, field, GW_TOML_TABLE))
		gw_manifest_parse_specs(m, &e->allowed_kwargs, v, field, true);
	gw_check_path_key(field, sizeof(field), path, "reset_options", 13);
	v = gw_toml_get(t, "reset_options");
	if (v && gw_check_type(&m->check, v, field, GW_TOML_TABLE))
		gw_manifest_parse_specs(m, &e->reset_options, v, field, false);

	gw_check_path_key(base, sizeof(base), path, "kwargs", 6);
	if (kw && gw_check_type(&m->check, kw, base, GW_TOML_TABLE))
		e->kwargs = gw_manifest_toml_to_json(m, kw, base);
	if (!e->kwargs)
		e->kwargs = json_object();
	if (!e->kwargs) {
		gw_check_nomem(&m->check);
		return;
	}
	if (kw && kw->type == GW_TOML_TABLE)
		check_kwargs(m, e, kw, base);
	e->kwargs_text =
		json_dumps(e->kwargs, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (!e->kwargs_text)
		gw_check_nomem(&m->check);
}
