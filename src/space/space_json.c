/* The JSON description of a space (see docs/manifest.md for its forms). */
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>

#include "space/space.h"

/* A bound as JSON: a number, or "inf", "-inf", or a big uint64 string. */
static json_t *bound_json(const struct gw_space *s, const union gw_bounds *b,
			  size_t i)
{
	char num[32];

	switch (gw_dtype_info(s->dtype)->rep) {
	case GW_REP_INT: return json_integer(b->i[i]);
	case GW_REP_UINT:
		if (s->dtype == GW_DTYPE_BOOL)
			return json_boolean(b->u[i]);
		if (b->u[i] <= INT64_MAX)
			return json_integer((json_int_t)b->u[i]);
		snprintf(num, sizeof(num), "%" PRIu64, b->u[i]);
		return json_string(num);
	default:
		if (isinf(b->f[i]))
			return json_string(b->f[i] < 0 ? "-inf" : "inf");
		return json_real(b->f[i]);
	}
}

typedef json_t *(*leaf_fn)(const struct gw_space *s, const void *arg, size_t i);

static json_t *bound_leaf(const struct gw_space *s, const void *arg, size_t i)
{
	return bound_json(s, arg, i);
}

static json_t *int_leaf(const struct gw_space *s, const void *arg, size_t i)
{
	(void)s;
	return json_integer(((const int64_t *)arg)[i]);
}

/* Nested arrays in the space's shape, values from fn(arg, flat index). */
static json_t *nested(const struct gw_space *s, unsigned dim, size_t *next,
		      leaf_fn fn, const void *arg)
{
	json_t *a = json_array();

	if (!a)
		return NULL;
	for (uint64_t k = 0; k < s->shape[dim]; k++) {
		json_t *item = dim + 1 < s->ndim
				       ? nested(s, dim + 1, next, fn, arg)
				       : fn(s, arg, (*next)++);

		if (json_array_append_new(a, item) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static json_t *shape_json(const struct gw_space *s)
{
	json_t *a = json_array();

	for (unsigned i = 0; a && i < s->ndim; i++) {
		if (json_array_append_new(
			    a, json_integer((json_int_t)s->shape[i]))) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static json_t *bounds_json(const struct gw_space *s, const union gw_bounds *b)
{
	size_t next = 0;

	if (s->u.box.scalar_bounds || s->ndim == 0)
		return bound_json(s, b, 0);
	return nested(s, 0, &next, bound_leaf, b);
}

static json_t *box_json(const struct gw_space *s)
{
	return json_pack("{s:s, s:s, s:o, s:o, s:o}", "type", "Box", "dtype",
			 gw_dtype_name(s->dtype), "shape", shape_json(s), "low",
			 bounds_json(s, &s->u.box.low), "high",
			 bounds_json(s, &s->u.box.high));
}

static json_t *md_json(const struct gw_space *s)
{
	size_t n1 = 0, n2 = 0;

	return json_pack("{s:s, s:o, s:o, s:o}", "type", "MultiDiscrete",
			 "shape", shape_json(s), "nvec",
			 nested(s, 0, &n1, int_leaf, s->u.md.nvec), "start",
			 nested(s, 0, &n2, int_leaf, s->u.md.start));
}

static json_t *list_json(const struct gw_space *s)
{
	bool dict = s->kind == GW_SPACE_DICT;
	json_t *items = dict ? json_object() : json_array();
	int r = 0;

	for (size_t i = 0; items && i < s->u.list.len && r == 0; i++) {
		json_t *child = gw_space_describe_json(s->u.list.items[i]);

		r = dict ? json_object_set_new(items, s->u.list.keys[i], child)
			 : json_array_append_new(items, child);
	}
	if (r != 0) {
		json_decref(items);
		return NULL;
	}
	return json_pack("{s:s, s:o}", "type", gw_space_kind_name(s->kind),
			 "spaces", items);
}

static json_t *text_json(const struct gw_space *s)
{
	const struct gw_text *t = &s->u.text;

	return json_pack("{s:s, s:I, s:I, s:o}", "type", "Text", "min_length",
			 (json_int_t)t->min_length, "max_length",
			 (json_int_t)t->max_length, "charset",
			 t->charset ? json_stringn(t->charset, t->charset_len)
				    : json_null());
}

json_t *gw_space_describe_json(const struct gw_space *s)
{
	switch (s->kind) {
	case GW_SPACE_BOX: return box_json(s);
	case GW_SPACE_DISCRETE:
		return json_pack("{s:s, s:I, s:I}", "type", "Discrete", "n",
				 (json_int_t)s->u.discrete.n, "start",
				 (json_int_t)s->u.discrete.start);
	case GW_SPACE_MULTI_DISCRETE: return md_json(s);
	case GW_SPACE_MULTI_BINARY:
		return json_pack("{s:s, s:o}", "type", "MultiBinary", "shape",
				 shape_json(s));
	case GW_SPACE_TUPLE:
	case GW_SPACE_DICT: return list_json(s);
	case GW_SPACE_TEXT: return text_json(s);
	}
	return NULL;
}
