/*
 * Turning a recorded sample back into plain JSON with the layout tree
 * of its env record. The tree and the bytes come from a file, so every
 * offset, size and shape is checked against the bytes before use.
 */
#include <math.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "audit/record.h"
#include "core/endian.h"
#include "core/limits.h"
#include "space/ops.h"
#include "space/space.h"

struct sample {
	const unsigned char *p;
	size_t n;
};

static json_t *real_or_null(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

/* One element of dtype at p. */
static json_t *element(enum gw_dtype dt, const unsigned char *p)
{
	switch (dt) {
	case GW_DTYPE_BOOL: return json_boolean(p[0] != 0);
	case GW_DTYPE_INT8: return json_integer((int8_t)p[0]);
	case GW_DTYPE_UINT8: return json_integer(p[0]);
	case GW_DTYPE_INT16: return json_integer((int16_t)gw_get_le16(p));
	case GW_DTYPE_UINT16: return json_integer(gw_get_le16(p));
	case GW_DTYPE_INT32: return json_integer((int32_t)gw_get_le32(p));
	case GW_DTYPE_UINT32: return json_integer(gw_get_le32(p));
	case GW_DTYPE_INT64: return json_integer((int64_t)gw_get_le64(p));
	case GW_DTYPE_UINT64: {
		uint64_t u = gw_get_le64(p);

		/* Past int64 it can only be shown as a real. */
		return u > INT64_MAX ? json_real((double)u)
				     : json_integer((json_int_t)u);
	}
	case GW_DTYPE_FLOAT16:
		return real_or_null(gw_f16_decode(gw_get_le16(p)));
	case GW_DTYPE_FLOAT32: {
		uint32_t bits = gw_get_le32(p);
		float f;

		memcpy(&f, &bits, sizeof(f));
		return real_or_null(f);
	}
	case GW_DTYPE_FLOAT64: {
		uint64_t bits = gw_get_le64(p);
		double d;

		memcpy(&d, &bits, sizeof(d));
		return real_or_null(d);
	}
	}
	return NULL;
}

/* Nested lists of shape[dim..] from p, elements of itemsize bytes. */
static json_t *array(enum gw_dtype dt, unsigned itemsize, const uint64_t *shape,
		     unsigned ndim, unsigned dim, const unsigned char **p)
{
	json_t *a;

	if (dim == ndim) {
		json_t *v = element(dt, *p);

		*p += itemsize;
		return v;
	}
	a = json_array();
	for (uint64_t i = 0; a && i < shape[dim]; i++) {
		json_t *v = array(dt, itemsize, shape, ndim, dim + 1, p);

		if (!v || json_array_append_new(a, v) < 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static json_t *decode_array(const json_t *node, const struct sample *s,
			    uint64_t off, uint64_t size)
{
	const json_t *jshape = json_object_get(node, "shape");
	const char *name = json_string_value(json_object_get(node, "dtype"));
	int dt = name ? gw_dtype_from_name(name) : -1;
	uint64_t shape[GW_SPACE_MAX_DIMS], nelem = 1;
	const unsigned char *p = s->p + off;
	size_t ndim = json_array_size(jshape);
	unsigned itemsize;

	if (dt < 0 || ndim > GW_SPACE_MAX_DIMS)
		return NULL;
	itemsize = gw_dtype_info((enum gw_dtype)dt)->itemsize;
	for (size_t d = 0; d < ndim; d++) {
		json_int_t v = json_integer_value(json_array_get(jshape, d));

		if (v < 0 || (uint64_t)v > GW_SPACE_MAX_ELEMS)
			return NULL;
		shape[d] = (uint64_t)v;
		nelem *= shape[d];
		if (nelem > GW_SPACE_MAX_ELEMS)
			return NULL;
	}
	if (nelem * itemsize != size)
		return NULL;
	return array((enum gw_dtype)dt, itemsize, shape, (unsigned)ndim, 0, &p);
}

static json_t *decode_node(const json_t *node, const struct sample *s,
			   unsigned depth);

static json_t *decode_list(const json_t *node, const struct sample *s,
			   unsigned depth, bool dict)
{
	const json_t *items = json_object_get(node, "items");
	const json_t *keys = json_object_get(node, "keys");
	json_t *out = dict ? json_object() : json_array();

	if (dict && json_array_size(keys) != json_array_size(items))
		goto fail;
	for (size_t k = 0; out && k < json_array_size(items); k++) {
		json_t *v = decode_node(json_array_get(items, k), s, depth + 1);
		const char *key = json_string_value(json_array_get(keys, k));

		if (!v || (dict && !key))
			goto fail_v;
		if ((dict ? json_object_set_new(out, key, v)
			  : json_array_append_new(out, v)) < 0)
			goto fail;
		continue;
	fail_v:
		json_decref(v);
		goto fail;
	}
	return out;
fail:
	json_decref(out);
	return NULL;
}

static json_t *decode_node(const json_t *node, const struct sample *s,
			   unsigned depth)
{
	const char *kind = json_string_value(json_object_get(node, "kind"));
	json_int_t off = json_integer_value(json_object_get(node, "offset"));
	json_int_t size = json_integer_value(json_object_get(node, "size"));

	if (!kind || depth > GW_SPACE_MAX_DEPTH || off < 0 || size < 0 ||
	    (uint64_t)off > s->n || (uint64_t)size > s->n - (uint64_t)off)
		return NULL;
	if (strcmp(kind, "Discrete") == 0)
		return size == 8 ? element(GW_DTYPE_INT64, s->p + off) : NULL;
	if (strcmp(kind, "Text") == 0) {
		uint32_t len = size >= 4 ? gw_get_le32(s->p + off) : UINT32_MAX;

		if (len > (uint64_t)size - 4)
			return NULL;
		return json_stringn((const char *)s->p + off + 4, len);
	}
	if (strcmp(kind, "Tuple") == 0 || strcmp(kind, "Dict") == 0)
		return decode_list(node, s, depth, kind[0] == 'D');
	if (strcmp(kind, "Box") == 0 || strcmp(kind, "MultiDiscrete") == 0 ||
	    strcmp(kind, "MultiBinary") == 0)
		return decode_array(node, s, (uint64_t)off, (uint64_t)size);
	return NULL;
}

json_t *gw_record_decode(const json_t *layout, const json_t *sample)
{
	const char *b64 = json_string_value(json_object_get(sample, "b64"));
	size_t len = json_string_length(json_object_get(sample, "b64"));
	struct sample s;
	unsigned char *bin;
	json_t *v;

	if (!b64 || len / 4 * 3 > GW_AUDIT_RECORD_MAX_BYTES)
		return NULL;
	bin = malloc(len / 4 * 3 + 3);
	if (!bin)
		return NULL;
	if (sodium_base642bin(bin, len / 4 * 3 + 3, b64, len, NULL, &s.n, NULL,
			      sodium_base64_VARIANT_ORIGINAL) != 0) {
		free(bin);
		return NULL;
	}
	s.p = bin;
	v = decode_node(layout, &s, 0);
	free(bin);
	return v;
}
