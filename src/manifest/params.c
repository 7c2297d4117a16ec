/*
 * Constructor kwargs and reset options: their specs (type, range,
 * choices, default), checking a value against a spec, and TOML values as
 * JSON. Also path resolution, which every path key shares.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "manifest/manifest_priv.h"

const char *const gw_param_type_names[] = { "int", "float", "bool", "str",
					    NULL };

static const char *const spec_keys[] = { "type",    "min",     "max",
					 "choices", "default", NULL };

/* Past this depth a kwargs value is refused rather than converted. */
#define MAX_JSON_DEPTH 64u

static json_t *to_json(struct gw_manifest *m, const struct gw_toml_value *v,
		       const char *field, unsigned depth);

static json_t *table_json(struct gw_manifest *m, const struct gw_toml_value *v,
			  const char *field, unsigned depth)
{
	char f[GW_FIELD_MAX_BYTES];
	json_t *o = json_object();

	for (size_t i = 0; o && i < v->u.tab.len; i++) {
		const struct gw_toml_kv *kv = &v->u.tab.kvs[i];
		json_t *item;

		gw_check_path_key(f, sizeof(f), field, kv->key, kv->key_len);
		item = to_json(m, kv->value, f, depth + 1);
		if (!item ||
		    json_object_setn_new(o, kv->key, kv->key_len, item) != 0) {
			json_decref(o);
			return NULL;
		}
	}
	return o;
}

static json_t *array_json(struct gw_manifest *m, const struct gw_toml_value *v,
			  const char *field, unsigned depth)
{
	char f[GW_FIELD_MAX_BYTES];
	json_t *a = json_array();

	for (size_t i = 0; a && i < v->u.arr.len; i++) {
		json_t *item;

		gw_check_path_index(f, sizeof(f), field, i);
		item = to_json(m, v->u.arr.items[i], f, depth + 1);
		if (!item || json_array_append_new(a, item) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static json_t *to_json(struct gw_manifest *m, const struct gw_toml_value *v,
		       const char *field, unsigned depth)
{
	if (depth > MAX_JSON_DEPTH) {
		gw_check_error(&m->check, v, field, NULL,
			       "nested deeper than %u levels", MAX_JSON_DEPTH);
		return NULL;
	}
	switch (v->type) {
	case GW_TOML_STRING: return json_stringn(v->u.s.ptr, v->u.s.len);
	case GW_TOML_INTEGER: return json_integer(v->u.i);
	case GW_TOML_BOOL: return json_boolean(v->u.b);
	case GW_TOML_FLOAT:
		if (isfinite(v->u.f))
			return json_real(v->u.f);
		gw_check_error(&m->check, v, field, NULL,
			       "nan and inf cannot be passed as values here");
		return NULL;
	case GW_TOML_ARRAY: return array_json(m, v, field, depth);
	case GW_TOML_TABLE: return table_json(m, v, field, depth);
	default:
		gw_check_error(&m->check, v, field, NULL,
			       "%s cannot be passed as a value",
			       gw_check_type_phrase(v->type));
		return NULL;
	}
}

json_t *gw_manifest_toml_to_json(struct gw_manifest *m,
				 const struct gw_toml_value *v,
				 const char *field)
{
	return to_json(m, v, field, 0);
}

static const char *json_phrase(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a float";
	case JSON_TRUE:
	case JSON_FALSE: return "a boolean";
	case JSON_ARRAY: return "an array";
	case JSON_OBJECT: return "a table";
	default: return "null";
	}
}

static bool type_matches(enum gw_param_type type, const json_t *v)
{
	switch (type) {
	case GW_PARAM_INT: return json_is_integer(v);
	case GW_PARAM_FLOAT: return json_is_number(v);
	case GW_PARAM_BOOL: return json_is_boolean(v);
	case GW_PARAM_STR: return json_is_string(v);
	}
	return false;
}

static bool in_choices(const struct gw_param_spec *spec, const json_t *v)
{
	size_t i;
	json_t *c;

	json_array_foreach(spec->choices, i, c)
	{
		if (json_is_number(c) && json_is_number(v) &&
		    json_number_value(c) == json_number_value(v))
			return true;
		if (json_equal(c, v))
			return true;
	}
	return false;
}

/* A range failure of a number, or true when it is in range. */
static bool in_range(const struct gw_param_spec *spec, const json_t *v,
		     char *why, size_t cap)
{
	if (spec->type == GW_PARAM_INT) {
		json_int_t i = json_integer_value(v);

		if (spec->has_min && i < spec->imin)
			return snprintf(why, cap,
					"%" PRId64 " is below the "
					"minimum %" PRId64,
					(int64_t)i, spec->imin) < 0;
		if (spec->has_max && i > spec->imax)
			return snprintf(why, cap,
					"%" PRId64 " is above the "
					"maximum %" PRId64,
					(int64_t)i, spec->imax) < 0;
		return true;
	}
	if (!isfinite(json_number_value(v)))
		return snprintf(why, cap, "not a finite number") < 0;
	if (spec->has_min && json_number_value(v) < spec->min)
		return snprintf(why, cap, "%g is below the minimum %g",
				json_number_value(v), spec->min) < 0;
	if (spec->has_max && json_number_value(v) > spec->max)
		return snprintf(why, cap, "%g is above the maximum %g",
				json_number_value(v), spec->max) < 0;
	return true;
}

bool gw_param_check(const struct gw_param_spec *spec, const json_t *value,
		    char *why, size_t cap)
{
	if (!type_matches(spec->type, value)) {
		snprintf(why, cap, "expected %s, got %s",
			 spec->type == GW_PARAM_INT	? "an integer"
			 : spec->type == GW_PARAM_FLOAT ? "a number"
			 : spec->type == GW_PARAM_BOOL	? "a boolean"
							: "a string",
			 json_phrase(value));
		return false;
	}
	if (spec->choices && !in_choices(spec, value)) {
		snprintf(why, cap, "not one of the allowed choices");
		return false;
	}
	if (spec->type == GW_PARAM_INT || spec->type == GW_PARAM_FLOAT)
		return in_range(spec, value, why, cap);
	return true;
}

const struct gw_param_spec *gw_param_find(const struct gw_param_specs *s,
					  const char *name)
{
	for (size_t i = 0; i < s->len; i++)
		if (strcmp(s->items[i].name, name) == 0)
			return &s->items[i];
	return NULL;
}

void gw_param_specs_free(struct gw_param_specs *s)
{
	for (size_t i = 0; i < s->len; i++) {
		free(s->items[i].name);
		json_decref(s->items[i].choices);
		json_decref(s->items[i].def);
	}
	free(s->items);
	s->items = NULL;
	s->len = 0;
}

/* min or max of a numeric spec; false after a report. */
static bool spec_bound(struct gw_manifest *m, struct gw_param_spec *sp,
		       const struct gw_toml_value *spec, const char *path,
		       const char *key)
{
	const struct gw_toml_value *v = gw_toml_get(spec, key);
	char field[GW_FIELD_MAX_BYTES];
	bool is_min = key[1] == 'i';

	if (!v)
		return true;
	gw_check_path_key(field, sizeof(field), path, key, strlen(key));
	if (sp->type != GW_PARAM_INT && sp->type != GW_PARAM_FLOAT) {
		gw_check_error(&m->check, v, field, NULL,
			       "%s applies only to int and float", key);
		return false;
	}
	if (sp->type == GW_PARAM_INT &&
	    !gw_check_type(&m->check, v, field, GW_TOML_INTEGER))
		return false;
	if (v->type != GW_TOML_INTEGER && v->type != GW_TOML_FLOAT) {
		gw_check_error(&m->check, v, field, NULL,
			       "expected a number, got %s",
			       gw_check_type_phrase(v->type));
		return false;
	}
	if (v->type == GW_TOML_FLOAT && isnan(v->u.f)) {
		gw_check_error(&m->check, v, field, NULL, "nan is not a bound");
		return false;
	}
	*(is_min ? &sp->has_min : &sp->has_max) = true;
	*(is_min ? &sp->min : &sp->max) =
		v->type == GW_TOML_INTEGER ? (double)v->u.i : v->u.f;
	if (v->type == GW_TOML_INTEGER)
		*(is_min ? &sp->imin : &sp->imax) = v->u.i;
	return true;
}

/* A value of the spec itself (a choice or the default) checked by it. */
static json_t *spec_value(struct gw_manifest *m, struct gw_param_spec *sp,
			  const struct gw_toml_value *v, const char *field)
{
	json_t *j = gw_manifest_toml_to_json(m, v, field);
	char why[256];

	if (j && !gw_param_check(sp, j, why, sizeof(why))) {
		gw_check_error(&m->check, v, field, NULL, "%s", why);
		json_decref(j);
		return NULL;
	}
	return j;
}

static void spec_choices(struct gw_manifest *m, struct gw_param_spec *sp,
			 const struct gw_toml_value *spec, const char *path)
{
	const struct gw_toml_value *v = gw_toml_get(spec, "choices");
	char base[GW_FIELD_MAX_BYTES], field[GW_FIELD_MAX_BYTES];
	json_t *all;

	if (!v)
		return;
	gw_check_path_key(base, sizeof(base), path, "choices", 7);
	if (!gw_check_type(&m->check, v, base, GW_TOML_ARRAY))
		return;
	if (sp->type == GW_PARAM_BOOL || v->u.arr.len == 0) {
		gw_check_error(&m->check, v, base, NULL,
			       sp->type == GW_PARAM_BOOL
				       ? "choices do not apply to bool"
				       : "an empty list of choices allows "
					 "nothing");
		return;
	}
	all = json_array();
	for (size_t i = 0; all && i < v->u.arr.len; i++) {
		json_t *j;

		gw_check_path_index(field, sizeof(field), base, i);
		j = spec_value(m, sp, v->u.arr.items[i], field);
		if (j)
			json_array_append_new(all, j);
	}
	sp->choices = all;
	if (!all)
		gw_check_nomem(&m->check);
}

static void parse_spec(struct gw_manifest *m, struct gw_param_spec *sp,
		       const struct gw_toml_value *spec, const char *path)
{
	const struct gw_toml_value *v;
	char field[GW_FIELD_MAX_BYTES];
	int type;

	if (!gw_check_type(&m->check, spec, path, GW_TOML_TABLE))
		return;
	gw_check_keys(&m->check, spec, path, spec_keys);
	v = gw_check_require(&m->check, spec, path, "type");
	gw_check_path_key(field, sizeof(field), path, "type", 4);
	if (!v || (type = gw_check_choice(&m->check, v, field,
					  gw_param_type_names)) < 0)
		return;
	sp->type = (enum gw_param_type)type;
	if (!spec_bound(m, sp, spec, path, "min") ||
	    !spec_bound(m, sp, spec, path, "max"))
		return;
	if (sp->has_min && sp->has_max && sp->min > sp->max) {
		gw_check_path_key(field, sizeof(field), path, "min", 3);
		gw_check_error(&m->check, gw_toml_get(spec, "min"), field, NULL,
			       "min %g is greater than max %g", sp->min,
			       sp->max);
		return;
	}
	spec_choices(m, sp, spec, path);
	v = gw_toml_get(spec, "default");
	gw_check_path_key(field, sizeof(field), path, "default", 7);
	if (v)
		sp->def = spec_value(m, sp, v, field);
}

static bool is_identifier(const char *s, size_t len)
{
	if (len == 0 || (s[0] >= '0' && s[0] <= '9'))
		return false;
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return false;
	return true;
}

void gw_manifest_parse_specs(struct gw_manifest *m,
			     struct gw_param_specs *specs,
			     const struct gw_toml_value *t, const char *path,
			     bool identifiers)
{
	char field[GW_FIELD_MAX_BYTES];

	specs->items =
		calloc(t->u.tab.len ? t->u.tab.len : 1, sizeof(*specs->items));
	if (!specs->items) {
		gw_check_nomem(&m->check);
		return;
	}
	for (size_t i = 0; i < t->u.tab.len; i++) {
		const struct gw_toml_kv *kv = &t->u.tab.kvs[i];
		struct gw_param_spec *sp = &specs->items[specs->len];

		gw_check_path_key(field, sizeof(field), path, kv->key,
				  kv->key_len);
		if (memchr(kv->key, '\0', kv->key_len) ||
		    (identifiers && !is_identifier(kv->key, kv->key_len))) {
			gw_check_report(&m->check, GW_SEVERITY_ERROR, kv->line,
					kv->col, field, NULL,
					identifiers ? "a kwarg name must be a "
						      "Python identifier"
						    : "an option name must not "
						      "contain NUL");
			continue;
		}
		sp->name = malloc(kv->key_len + 1);
		if (!sp->name) {
			gw_check_nomem(&m->check);
			return;
		}
		memcpy(sp->name, kv->key, kv->key_len + 1);
		specs->len++;
		parse_spec(m, sp, kv->value, field);
	}
}

/* Append one path component, treating "." and ".." lexically. */
static void push_part(char *out, size_t *len, const char *part, size_t n)
{
	if (n == 0 || (n == 1 && part[0] == '.'))
		return;
	if (n == 2 && part[0] == '.' && part[1] == '.') {
		while (*len > 0 && out[*len - 1] != '/')
			(*len)--;
		if (*len > 0)
			(*len)--;
		return;
	}
	out[(*len)++] = '/';
	memcpy(out + *len, part, n);
	*len += n;
}

static void push_all(char *out, size_t *len, const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t j = i;

		while (j < n && s[j] != '/')
			j++;
		push_part(out, len, s + i, j - i);
		i = j + 1;
	}
}

char *gw_manifest_resolve(const char *dir, const char *rel, size_t len)
{
	size_t dlen = strlen(dir), n = 0;
	char *out = malloc(dlen + len + 3);

	if (!out)
		return NULL;
	if (len == 0 || rel[0] != '/')
		push_all(out, &n, dir, dlen);
	push_all(out, &n, rel, len);
	if (n == 0)
		out[n++] = '/';
	out[n] = '\0';
	return out;
}
