/*
 * Recordings: the env record (id, spaces, layout trees), then one
 * record per reset and per step, in the audit container.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit_priv.h"
#include "audit/record.h"
#include "core/error.h"
#include "core/limits.h"
#include "space/ops.h"
#include "space/space.h"

/* Room for one space's one-line form. */
#define SPACE_TEXT_BYTES 1024u

struct gw_record {
	struct gw_audit *log;
	size_t action_bytes;
	size_t obs_bytes;
	uint64_t episodes;
	uint64_t steps;
};

/* {"b64": base64 of n bytes}, or NULL when out of memory. */
static json_t *sample_json(const void *p, size_t n)
{
	size_t cap =
		sodium_base64_encoded_len(n, sodium_base64_VARIANT_ORIGINAL);
	char *b64 = malloc(cap);
	json_t *o;

	if (!b64)
		return NULL;
	sodium_bin2base64(b64, cap, p, n, sodium_base64_VARIANT_ORIGINAL);
	o = json_pack("{s:s}", "b64", b64);
	free(b64);
	return o;
}

/* The layout tree of s, whose packed form starts at nodes[*i]. */
static json_t *layout_tree(const struct gw_space_layout *l, size_t *i)
{
	const struct gw_layout_node *node = &l->nodes[(*i)++];
	const struct gw_space *s = node->space;
	json_t *o, *shape, *items;

	o = json_pack("{s:s, s:I, s:I}", "kind", gw_space_kind_name(s->kind),
		      "offset", (json_int_t)node->offset, "size",
		      (json_int_t)node->size);
	if (!o)
		return NULL;
	switch (s->kind) {
	case GW_SPACE_BOX:
	case GW_SPACE_MULTI_DISCRETE:
	case GW_SPACE_MULTI_BINARY:
		shape = json_array();
		for (unsigned d = 0; d < s->ndim; d++)
			json_array_append_new(
				shape, json_integer((json_int_t)s->shape[d]));
		json_object_set_new(o, "shape", shape);
		json_object_set_new(
			o, "dtype",
			json_string(s->kind == GW_SPACE_MULTI_BINARY
					    ? "uint8"
					    : gw_dtype_name(s->dtype)));
		break;
	case GW_SPACE_DISCRETE:
		json_object_set_new(o, "dtype", json_string("int64"));
		break;
	case GW_SPACE_TEXT:
		json_object_set_new(
			o, "max_length",
			json_integer((json_int_t)s->u.text.max_length));
		break;
	case GW_SPACE_TUPLE:
	case GW_SPACE_DICT:
		items = json_array();
		for (size_t k = 0; k < s->u.list.len; k++)
			json_array_append_new(items, layout_tree(l, i));
		json_object_set_new(o, "items", items);
		if (s->kind == GW_SPACE_DICT) {
			json_t *keys = json_array();

			for (size_t k = 0; k < s->u.list.len; k++)
				json_array_append_new(
					keys, json_string(s->u.list.keys[k]));
			json_object_set_new(o, "keys", keys);
		}
		break;
	}
	return o;
}

/* "action_space": "Discrete(4)", "action_layout": {...}, for one space. */
static int describe(json_t *env, const char *name, const struct gw_space *s,
		    size_t *bytes, struct gw_error *err)
{
	char text[SPACE_TEXT_BYTES], key[32];
	struct gw_space_layout *l = NULL;
	size_t i = 0;
	json_t *tree;

	if (gw_space_layout_new(s, &l) < 0)
		return gw_error_set(err, -ENOMEM, "layout of the %s space",
				    name);
	*bytes = (size_t)gw_space_layout_size(l);
	tree = layout_tree(l, &i);
	gw_space_layout_free(l);
	gw_space_format(s, text, sizeof(text));
	snprintf(key, sizeof(key), "%s_space", name);
	json_object_set_new(env, key, json_string(text));
	snprintf(key, sizeof(key), "%s_layout", name);
	if (!tree || json_object_set_new(env, key, tree) < 0)
		return gw_error_set(err, -ENOMEM, "out of memory");
	json_object_set_new(env,
			    strcmp(name, "action") ? "observation_bytes"
						   : "action_bytes",
			    json_integer((json_int_t)*bytes));
	return 0;
}

int gw_record_open(const char *path, const struct gw_audit_opts *opts,
		   const char *env_id, const struct gw_space *action_space,
		   const struct gw_space *observation_space,
		   struct gw_record **out, struct gw_error *err)
{
	struct gw_audit_opts o = opts ? *opts : (struct gw_audit_opts){ 0 };
	struct gw_record *r;
	json_t *env;
	int e;

	*out = NULL;
	r = calloc(1, sizeof(*r));
	env = json_pack("{s:s}", "env", env_id ? env_id : "");
	if (!r || !env) {
		free(r);
		json_decref(env);
		return gw_error_set(err, -ENOMEM, "out of memory");
	}
	e = describe(env, "action", action_space, &r->action_bytes, err);
	if (e == 0)
		e = describe(env, "observation", observation_space,
			     &r->obs_bytes, err);
	o.purpose = "recording";
	if (e == 0)
		e = gw_audit_open(path, &o, &r->log, err);
	if (e == 0)
		e = gw_audit_append(r->log, "env", env, err);
	json_decref(env);
	if (e < 0) {
		gw_audit_close(r->log, NULL);
		free(r);
		return e;
	}
	*out = r;
	return 0;
}

/* info text as JSON: null when none; text that does not parse is kept. */
static json_t *info_json(const char *text)
{
	json_t *v;

	if (!text)
		return json_null();
	v = json_loads(text, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, NULL);
	return v ? v : json_pack("{s:s}", "unparsed", text);
}

static json_t *obs_json(const struct gw_record *r, const struct gw_step *st)
{
	size_t n = st->obs_bytes < r->obs_bytes ? st->obs_bytes : r->obs_bytes;

	return st->obs ? sample_json(st->obs, n) : json_null();
}

static int put(struct gw_record *r, const char *kind, json_t *payload,
	       struct gw_error *err)
{
	int e;

	if (!payload)
		return gw_error_set(err, -ENOMEM, "out of memory");
	e = gw_audit_append(r->log, kind, payload, err);
	json_decref(payload);
	return e;
}

int gw_record_reset(struct gw_record *r, const uint64_t *seed,
		    const char *options_json, const struct gw_step *st,
		    const char *info_json_text, struct gw_error *err)
{
	json_t *opts = options_json ? json_loads(options_json, 0, NULL) : NULL;

	r->episodes++;
	return put(
		r, "reset",
		json_pack("{s:I, s:o, s:o, s:o, s:o}", "episode",
			  (json_int_t)r->episodes, "seed",
			  seed ? json_integer((json_int_t)*seed) : json_null(),
			  "options", opts ? opts : json_null(), "obs",
			  obs_json(r, st), "info", info_json(info_json_text)),
		err);
}

int gw_record_step(struct gw_record *r, const void *action, size_t action_bytes,
		   const struct gw_step *st, const char *info_json_text,
		   struct gw_error *err)
{
	size_t n =
		action_bytes < r->action_bytes ? action_bytes : r->action_bytes;
	json_t *reward = json_real(st->reward);

	r->steps++;
	return put(r, "step",
		   json_pack("{s:I, s:I, s:o, s:o, s:o, s:b, s:b, s:o}",
			     "episode", (json_int_t)r->episodes, "step",
			     (json_int_t)st->step, "action",
			     sample_json(action, n), "obs", obs_json(r, st),
			     "reward", reward ? reward : json_null(),
			     "terminated", st->terminated, "truncated",
			     st->truncated, "info", info_json(info_json_text)),
		   err);
}

uint64_t gw_record_steps(const struct gw_record *r)
{
	return r ? r->steps : 0;
}

uint64_t gw_record_episodes(const struct gw_record *r)
{
	return r ? r->episodes : 0;
}

int gw_record_close(struct gw_record *r, struct gw_error *err)
{
	int e;

	if (!r)
		return 0;
	e = gw_audit_close(r->log, err);
	free(r);
	return e;
}
