/*
 * Spaces from a value tree: the description a worker declares in SPEC,
 * in the form gw_space_describe_json writes. Rather than a second set
 * of constructors with a second copy of every consistency check, the
 * description is written out as one TOML inline table and read by the
 * manifest's own space parser, so a declared space passes exactly the
 * checks a pinned one does. The two forms differ in three places only:
 * MultiBinary's shape is TOML's n, MultiDiscrete's shape is implied by
 * nvec, and null members mean absent.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/error.h"
#include "monitor/monitor_priv.h"
#include "space/space.h"
#include "toml/toml.h"
#include "wire/value.h"

/* The TOML text of a description; a SPEC frame is at most 64 KiB. */
#define SPACE_TOML_MAX_BYTES (1024u * 1024)

static int put_value(struct gw_buf *b, const struct gw_value *v, bool bound,
		     unsigned depth);

static int put_string(struct gw_buf *b, const char *s, size_t len)
{
	int r = gw_buf_append(b, "\"", 1);

	for (size_t i = 0; r == 0 && i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			r = gw_buf_printf(b, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			r = gw_buf_printf(b, "\\u%04x", c);
		else
			r = gw_buf_append(b, &s[i], 1);
	}
	return r ? r : gw_buf_append(b, "\"", 1);
}

static int put_float(struct gw_buf *b, double f)
{
	char num[40];

	if (isnan(f))
		return gw_buf_printf(b, "nan");
	if (isinf(f))
		return gw_buf_printf(b, f > 0 ? "inf" : "-inf");
	snprintf(num, sizeof(num), "%.17g", f);
	if (!strpbrk(num, ".e"))
		return gw_buf_printf(b, "%s.0", num);
	return gw_buf_printf(b, "%s", num);
}

/* A bound written as a string: "inf" and "-inf" are floats in TOML. */
static int put_bound_string(struct gw_buf *b, const struct gw_value *v)
{
	const char *s = v->str.ptr;

	if (strcmp(s, "inf") == 0 || strcmp(s, "+inf") == 0)
		return gw_buf_printf(b, "inf");
	if (strcmp(s, "-inf") == 0)
		return gw_buf_printf(b, "-inf");
	return put_string(b, s, v->str.len);
}

static int put_array(struct gw_buf *b, const struct gw_value *v, bool bound,
		     unsigned depth)
{
	int r = gw_buf_append(b, "[", 1);

	for (size_t i = 0; r == 0 && i < v->array.len; i++) {
		if (i)
			r = gw_buf_append(b, ", ", 2);
		if (r == 0)
			r = put_value(b, &v->array.items[i], bound, depth + 1);
	}
	return r ? r : gw_buf_append(b, "]", 1);
}

/* How a key of a space of this type is spelt in TOML; NULL: leave out. */
static const char *toml_key(const char *type, const char *key)
{
	if (!type || strcmp(key, "shape") != 0)
		return key;
	if (strcmp(type, "MultiBinary") == 0)
		return "n";
	if (strcmp(type, "MultiDiscrete") == 0)
		return NULL;
	return key;
}

static int put_map(struct gw_buf *b, const struct gw_value *v, unsigned depth)
{
	const struct gw_value *tv = gw_value_lookup(v, "type");
	const char *type = tv && tv->kind == GW_VALUE_STR ? tv->str.ptr : NULL;
	bool first = true;
	int r = gw_buf_append(b, "{", 1);

	for (size_t i = 0; r == 0 && i < v->map.len; i++) {
		const struct gw_value_pair *p = &v->map.pairs[i];
		const char *key = toml_key(type, p->key);
		bool bound;

		if (!key || p->value.kind == GW_VALUE_NIL)
			continue;
		bound = strcmp(key, "low") == 0 || strcmp(key, "high") == 0;
		r = gw_buf_append(b, first ? " " : ", ", first ? 1 : 2);
		if (r == 0)
			r = put_string(b, key, strlen(key));
		if (r == 0)
			r = gw_buf_append(b, " = ", 3);
		if (r == 0)
			r = put_value(b, &p->value, bound, depth + 1);
		first = false;
	}
	return r ? r : gw_buf_append(b, " }", 2);
}

static int put_value(struct gw_buf *b, const struct gw_value *v, bool bound,
		     unsigned depth)
{
	if (depth > GW_SPACE_MAX_DEPTH * 2 + GW_SPACE_MAX_DIMS)
		return -E2BIG;
	switch (v->kind) {
	case GW_VALUE_BOOL: return gw_buf_printf(b, v->b ? "true" : "false");
	case GW_VALUE_INT: return gw_buf_printf(b, "%" PRId64, v->i);
	case GW_VALUE_UINT: return gw_buf_printf(b, "\"%" PRIu64 "\"", v->u);
	case GW_VALUE_FLOAT: return put_float(b, v->f);
	case GW_VALUE_STR:
		return bound ? put_bound_string(b, v)
			     : put_string(b, v->str.ptr, v->str.len);
	case GW_VALUE_ARRAY: return put_array(b, v, bound, depth);
	case GW_VALUE_MAP: return put_map(b, v, depth);
	default: return -EINVAL;
	}
}

static int read_toml(const char *text, size_t len, const char *path,
		     struct gw_space **out, struct gw_error *err)
{
	struct gw_toml_value *root = NULL;
	struct gw_error terr;
	int r;

	gw_error_clear(&terr);
	r = gw_toml_parse(text, len, path, &root, &terr);
	if (r < 0) {
		r = r == -ENOMEM ? r : -EINVAL;
		gw_error_set(err, r, "description is not a valid space");
		return r;
	}
	r = gw_space_from_toml(gw_toml_get(root, "s"), path, out, err);
	if (err) {
		/* Places inside text we made up mean nothing to anyone. */
		err->line = 0;
		err->col = 0;
	}
	gw_toml_free(root);
	return r;
}

int gw_space_from_value(const struct gw_value *v, const char *path,
			struct gw_space **out, struct gw_error *err)
{
	struct gw_buf b;
	int r;

	*out = NULL;
	if (!v || v->kind != GW_VALUE_MAP)
		return gw_error_set(
			err, -EINVAL, "%s: expected a map, got %s", path,
			v ? gw_value_kind_name(v->kind) : "nothing");
	gw_buf_init(&b, SPACE_TOML_MAX_BYTES);
	r = gw_buf_printf(&b, "s = ");
	if (r == 0)
		r = put_value(&b, v, false, 0);
	if (r == 0)
		r = gw_buf_append(&b, "\n", 1);
	if (r < 0) {
		gw_buf_free(&b);
		if (r == -ENOMEM)
			return gw_error_set(err, r, "out of memory");
		gw_error_where(err, NULL, path);
		return gw_error_set(err, -EINVAL,
				    r == -E2BIG ? "description is too large"
						: "description holds a value "
						  "that is not a number, a "
						  "string, a list or a map");
	}

	r = read_toml(b.data, b.len, path, out, err);
	gw_buf_free(&b);
	return r;
}
