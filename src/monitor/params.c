/*
 * Constructor kwargs and reset options: what the trainer may pass into
 * the worker. Each key the caller gives must have a spec in the
 * manifest (allowed_kwargs, reset_options) and its value must satisfy
 * it; kwargs without a spec are fixed by the manifest. The specs check
 * JSON values (manifest_priv.h), so a value tree is looked at as JSON
 * for the check and sent as the tree.
 */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "core/error.h"
#include "core/log.h"
#include "manifest/manifest_priv.h"
#include "monitor/monitor_priv.h"

int gw_value_from_json(const json_t *j, struct gw_value *out)
{
	const char *key;
	json_t *item;
	size_t i;

	switch (json_typeof(j)) {
	case JSON_OBJECT:
		gw_value_set_map(out);
		json_object_foreach((json_t *)j, key, item)
		{
			struct gw_value *v =
				gw_value_map_push(out, key, strlen(key));

			if (!v || gw_value_from_json(item, v) < 0)
				return -ENOMEM;
		}
		return 0;
	case JSON_ARRAY:
		gw_value_set_array(out);
		json_array_foreach(j, i, item)
		{
			struct gw_value *v = gw_value_array_push(out);

			if (!v || gw_value_from_json(item, v) < 0)
				return -ENOMEM;
		}
		return 0;
	case JSON_STRING:
		return gw_value_set_str(out, json_string_value(j),
					json_string_length(j));
	case JSON_INTEGER: gw_value_set_int(out, json_integer_value(j)); break;
	case JSON_REAL: gw_value_set_float(out, json_real_value(j)); break;
	case JSON_TRUE: gw_value_set_bool(out, true); break;
	case JSON_FALSE: gw_value_set_bool(out, false); break;
	case JSON_NULL: gw_value_set_nil(out); break;
	}
	return 0;
}

/* A plain value as JSON for a spec check; NULL for anything else. */
static json_t *plain_json(const struct gw_value *v)
{
	switch (v->kind) {
	case GW_VALUE_NIL: return json_null();
	case GW_VALUE_BOOL: return json_boolean(v->b);
	case GW_VALUE_INT: return json_integer(v->i);
	case GW_VALUE_FLOAT: return isfinite(v->f) ? json_real(v->f) : NULL;
	case GW_VALUE_STR: return json_stringn(v->str.ptr, v->str.len);
	default: return NULL;
	}
}

/* Copy a plain value (check_one has let nothing else through). */
static int copy_plain(const struct gw_value *src, struct gw_value *dst)
{
	switch (src->kind) {
	case GW_VALUE_BOOL: gw_value_set_bool(dst, src->b); return 0;
	case GW_VALUE_INT: gw_value_set_int(dst, src->i); return 0;
	case GW_VALUE_FLOAT: gw_value_set_float(dst, src->f); return 0;
	case GW_VALUE_STR:
		return gw_value_set_str(dst, src->str.ptr, src->str.len);
	default: gw_value_set_nil(dst); return 0;
	}
}

/* One key the caller passed, against the specs of what. */
static int check_one(const struct gw_param_specs *specs,
		     const struct gw_value_pair *p, const char *what,
		     struct gw_error *err)
{
	const struct gw_param_spec *spec = gw_param_find(specs, p->key);
	char why[256], key[300];
	json_t *j;
	bool ok;

	gw_escape(key, sizeof(key), p->key, p->key_len);
	if (!spec)
		return gw_error_set(err, -EPERM,
				    "%s '%s' is not allowed by the manifest",
				    what, key);
	j = plain_json(&p->value);
	if (!j)
		return gw_error_set(err, -EINVAL,
				    "%s '%s': %s is not a plain "
				    "value",
				    what, key,
				    gw_value_kind_name(p->value.kind));
	ok = gw_param_check(spec, j, why, sizeof(why));
	json_decref(j);
	if (!ok)
		return gw_error_set(err, -EINVAL, "%s '%s': %s", what, key,
				    why);
	return 0;
}

static int check_all(const struct gw_param_specs *specs,
		     const struct gw_value *map, const char *what,
		     struct gw_error *err)
{
	int r;

	if (map->kind != GW_VALUE_MAP) {
		gw_error_set(err, -EINVAL, "%s must be a map, not %s", what,
			     gw_value_kind_name(map->kind));
		return gw_error_set_kind(err, -EINVAL, GW_ERR_USAGE, -1);
	}
	for (size_t i = 0; i < map->map.len; i++) {
		r = check_one(specs, &map->map.pairs[i], what, err);
		if (r < 0) {
			gw_error_where(err, NULL, map->map.pairs[i].key);
			return gw_error_set_kind(err, r, GW_ERR_ACTION, -1);
		}
	}
	return 0;
}

int gw_params_kwargs(const struct gw_manifest_env *me,
		     const struct gw_value *caller, struct gw_value **out,
		     struct gw_error *err)
{
	struct gw_value *v;
	json_t *merged;
	int r;

	*out = NULL;
	if (caller) {
		r = check_all(&me->allowed_kwargs, caller, "kwarg", err);
		if (r < 0)
			return r;
	}
	merged = json_deep_copy(me->kwargs);
	v = gw_value_new();
	r = merged && v ? gw_value_from_json(merged, v) : -ENOMEM;
	json_decref(merged);

	/* The caller's values replace the manifest's, in place or after. */
	for (size_t i = 0; r == 0 && caller && i < caller->map.len; i++) {
		const struct gw_value_pair *p = &caller->map.pairs[i];
		struct gw_value *slot = NULL;

		for (size_t k = 0; k < v->map.len && !slot; k++)
			if (strcmp(v->map.pairs[k].key, p->key) == 0)
				slot = &v->map.pairs[k].value;
		if (!slot)
			slot = gw_value_map_push(v, p->key, p->key_len);
		r = slot ? copy_plain(&p->value, slot) : -ENOMEM;
	}
	if (r < 0) {
		gw_value_free(v);
		gw_error_set(err, -ENOMEM, "out of memory");
		return gw_error_set_kind(err, -ENOMEM, GW_ERR_SYSTEM, -1);
	}
	*out = v;
	return 0;
}

int gw_params_options(const struct gw_manifest_env *me,
		      const struct gw_value *options, struct gw_error *err)
{
	if (!options || options->kind == GW_VALUE_NIL)
		return 0;
	return check_all(&me->reset_options, options, "option", err);
}

int gw_params_parse_json(const char *text, const char *what,
			 struct gw_value **out, struct gw_error *err)
{
	json_error_t jerr;
	json_t *j;
	int r;

	*out = NULL;
	if (!text)
		return 0;
	j = NULL;
	if (strlen(text) > GW_MONITOR_PARAMS_MAX_BYTES)
		r = gw_error_set(err, -E2BIG, "%s JSON exceeds %u bytes", what,
				 GW_MONITOR_PARAMS_MAX_BYTES);
	else if (!(j = json_loads(text, JSON_REJECT_DUPLICATES, &jerr)))
		r = gw_error_set(err, -EINVAL, "%s is not valid JSON: %s", what,
				 jerr.text);
	else if (!json_is_object(j))
		r = gw_error_set(err, -EINVAL, "%s must be a JSON object",
				 what);
	else
		r = 0;
	if (r < 0) {
		json_decref(j);
		return gw_error_set_kind(err, r, GW_ERR_USAGE, -1);
	}

	*out = gw_value_new();
	r = *out ? gw_value_from_json(j, *out) : -ENOMEM;
	json_decref(j);
	if (r < 0) {
		gw_value_free(*out);
		*out = NULL;
		gw_error_set(err, r, "out of memory");
		return gw_error_set_kind(err, r, GW_ERR_SYSTEM, -1);
	}
	return 0;
}
