/*
 * Reset options for the options strategy, built from the manifest's
 * reset_options: every option takes its interesting values in turn, and
 * each value is one the monitor's own check of the options accepts.
 */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>

#include "fuzz/fuzz.h"
#include "manifest/manifest_priv.h"

/* The values worth trying for spec, as a new JSON array. */
static json_t *values_of(const struct gw_param_spec *sp)
{
	json_t *a = json_array();

	if (!a)
		return NULL;
	if (sp->choices) {
		json_array_extend(a, sp->choices);
		return a;
	}
	if (sp->def)
		json_array_append(a, sp->def);
	switch (sp->type) {
	case GW_PARAM_BOOL:
		json_array_append_new(a, json_true());
		json_array_append_new(a, json_false());
		break;
	case GW_PARAM_INT:
		if (sp->has_min)
			json_array_append_new(a, json_integer(sp->imin));
		if (sp->has_max)
			json_array_append_new(a, json_integer(sp->imax));
		if (sp->has_min && sp->has_max)
			json_array_append_new(
				a, json_integer(sp->imin +
						(sp->imax - sp->imin) / 2));
		if (!sp->has_min && !sp->has_max) {
			json_array_append_new(a, json_integer(0));
			json_array_append_new(a, json_integer(-1));
			json_array_append_new(a, json_integer(INT32_MAX));
		}
		break;
	case GW_PARAM_FLOAT:
		if (sp->has_min)
			json_array_append_new(a, json_real(sp->min));
		if (sp->has_max)
			json_array_append_new(a, json_real(sp->max));
		if (sp->has_min && sp->has_max)
			json_array_append_new(
				a, json_real(sp->min / 2 + sp->max / 2));
		if (!sp->has_min && !sp->has_max) {
			json_array_append_new(a, json_real(0.0));
			json_array_append_new(a, json_real(-1e300));
			json_array_append_new(a, json_real(1e300));
		}
		break;
	case GW_PARAM_STR:
		if (!sp->def)
			json_array_append_new(a, json_string(""));
		break;
	}
	return a;
}

size_t gw_fuzz_option_sets(const struct gw_param_specs *specs)
{
	size_t most = 0;

	for (size_t i = 0; i < specs->len; i++) {
		json_t *v = values_of(&specs->items[i]);
		size_t n = json_array_size(v);

		json_decref(v);
		if (n > most)
			most = n;
	}
	return most;
}

char *gw_fuzz_option_set_json(const struct gw_param_specs *specs, size_t k)
{
	json_t *doc = json_object();
	char *text;

	for (size_t i = 0; doc && i < specs->len; i++) {
		json_t *v = values_of(&specs->items[i]);
		size_t n = json_array_size(v);

		if (n)
			json_object_set(doc, specs->items[i].name,
					json_array_get(v, k % n));
		json_decref(v);
	}
	text = doc ? json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(doc);
	return text;
}
