/* The generic data tree: building, freeing, lookup and equality. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wire/value.h"

static const unsigned char dtype_sizes[] = {
	[GW_WIRE_DTYPE_BOOL] = 1,    [GW_WIRE_DTYPE_INT8] = 1,
	[GW_WIRE_DTYPE_INT16] = 2,   [GW_WIRE_DTYPE_INT32] = 4,
	[GW_WIRE_DTYPE_INT64] = 8,   [GW_WIRE_DTYPE_UINT8] = 1,
	[GW_WIRE_DTYPE_UINT16] = 2,  [GW_WIRE_DTYPE_UINT32] = 4,
	[GW_WIRE_DTYPE_UINT64] = 8,  [GW_WIRE_DTYPE_FLOAT16] = 2,
	[GW_WIRE_DTYPE_FLOAT32] = 4, [GW_WIRE_DTYPE_FLOAT64] = 8,
};

size_t gw_wire_dtype_size(unsigned code)
{
	if (code >= sizeof(dtype_sizes))
		return 0;
	return dtype_sizes[code];
}

const char *gw_value_kind_name(enum gw_value_kind kind)
{
	static const char *const names[] = {
		[GW_VALUE_NIL] = "nil",	      [GW_VALUE_BOOL] = "bool",
		[GW_VALUE_INT] = "int",	      [GW_VALUE_UINT] = "uint",
		[GW_VALUE_FLOAT] = "float",   [GW_VALUE_STR] = "str",
		[GW_VALUE_BIN] = "bin",	      [GW_VALUE_NDARRAY] = "ndarray",
		[GW_VALUE_OBJECT] = "object", [GW_VALUE_ARRAY] = "array",
		[GW_VALUE_MAP] = "map",
	};

	if ((unsigned)kind >= sizeof(names) / sizeof(names[0]))
		return "?";
	return names[kind];
}

struct gw_value *gw_value_new(void)
{
	return calloc(1, sizeof(struct gw_value));
}

void gw_value_clear(struct gw_value *v)
{
	if (!v)
		return;
	switch (v->kind) {
	case GW_VALUE_STR:
	case GW_VALUE_OBJECT: free(v->str.ptr); break;
	case GW_VALUE_BIN: free(v->bin.ptr); break;
	case GW_VALUE_NDARRAY: free(v->nd); break;
	case GW_VALUE_ARRAY:
		for (size_t i = 0; i < v->array.len; i++)
			gw_value_clear(&v->array.items[i]);
		free(v->array.items);
		break;
	case GW_VALUE_MAP:
		for (size_t i = 0; i < v->map.len; i++) {
			free(v->map.pairs[i].key);
			gw_value_clear(&v->map.pairs[i].value);
		}
		free(v->map.pairs);
		break;
	default: break;
	}
	memset(v, 0, sizeof(*v));
	v->kind = GW_VALUE_NIL;
}

void gw_value_free(struct gw_value *v)
{
	gw_value_clear(v);
	free(v);
}

void gw_value_set_nil(struct gw_value *v)
{
	gw_value_clear(v);
}

void gw_value_set_bool(struct gw_value *v, bool b)
{
	gw_value_clear(v);
	v->kind = GW_VALUE_BOOL;
	v->b = b;
}

void gw_value_set_int(struct gw_value *v, int64_t i)
{
	gw_value_clear(v);
	v->kind = GW_VALUE_INT;
	v->i = i;
}

void gw_value_set_uint(struct gw_value *v, uint64_t u)
{
	if (u <= (uint64_t)INT64_MAX) {
		gw_value_set_int(v, (int64_t)u);
		return;
	}
	gw_value_clear(v);
	v->kind = GW_VALUE_UINT;
	v->u = u;
}

void gw_value_set_float(struct gw_value *v, double f)
{
	gw_value_clear(v);
	v->kind = GW_VALUE_FLOAT;
	v->f = f;
}

/* A NUL-terminated copy of len bytes, or NULL. */
static char *copy_text(const void *p, size_t len)
{
	char *s;

	if (len == SIZE_MAX)
		return NULL;
	s = malloc(len + 1);
	if (!s)
		return NULL;
	if (len)
		memcpy(s, p, len);
	s[len] = '\0';
	return s;
}

static int set_text(struct gw_value *v, enum gw_value_kind kind, const char *s,
		    size_t len)
{
	char *p;

	gw_value_clear(v);
	p = copy_text(s, len);
	if (!p)
		return -ENOMEM;
	v->kind = kind;
	v->str.ptr = p;
	v->str.len = len;
	return 0;
}

int gw_value_set_str(struct gw_value *v, const char *s, size_t len)
{
	return set_text(v, GW_VALUE_STR, s, len);
}

int gw_value_set_object(struct gw_value *v, const char *type_name, size_t len)
{
	return set_text(v, GW_VALUE_OBJECT, type_name, len);
}

int gw_value_set_bin(struct gw_value *v, const void *p, size_t len)
{
	unsigned char *copy;

	gw_value_clear(v);
	copy = malloc(len ? len : 1);
	if (!copy)
		return -ENOMEM;
	if (len)
		memcpy(copy, p, len);
	v->kind = GW_VALUE_BIN;
	v->bin.ptr = copy;
	v->bin.len = len;
	return 0;
}

int gw_value_set_ndarray(struct gw_value *v, unsigned dtype, unsigned ndim,
			 const uint64_t *shape, const void *data)
{
	size_t size = gw_wire_dtype_size(dtype);
	struct gw_ndarray *nd;
	uint64_t count = 1, bytes;

	gw_value_clear(v);
	if (size == 0 || ndim > GW_MSGPACK_MAX_DIMS)
		return -EINVAL;
	for (unsigned i = 0; i < ndim; i++)
		if (__builtin_mul_overflow(count, shape[i], &count))
			return -E2BIG;
	if (__builtin_mul_overflow(count, (uint64_t)size, &bytes) ||
	    bytes > SIZE_MAX - sizeof(*nd))
		return -E2BIG;

	nd = calloc(1, sizeof(*nd) + (size_t)bytes);
	if (!nd)
		return -ENOMEM;
	nd->dtype = (uint8_t)dtype;
	nd->ndim = (uint8_t)ndim;
	for (unsigned i = 0; i < ndim; i++)
		nd->shape[i] = shape[i];
	nd->count = count;
	nd->data_bytes = (size_t)bytes;
	if (data && bytes)
		memcpy(nd->data, data, (size_t)bytes);
	v->kind = GW_VALUE_NDARRAY;
	v->nd = nd;
	return 0;
}

void gw_value_set_array(struct gw_value *v)
{
	gw_value_clear(v);
	v->kind = GW_VALUE_ARRAY;
}

void gw_value_set_map(struct gw_value *v)
{
	gw_value_clear(v);
	v->kind = GW_VALUE_MAP;
}

/* Make room for one more of size bytes in *slots (len used, *alloc). */
static int grow(void **slots, size_t len, size_t *alloc, size_t size)
{
	size_t want;
	void *p;

	if (len < *alloc)
		return 0;
	want = *alloc ? *alloc * 2 : 4;
	if (want > SIZE_MAX / size)
		return -ENOMEM;
	p = realloc(*slots, want * size);
	if (!p)
		return -ENOMEM;
	*slots = p;
	*alloc = want;
	return 0;
}

struct gw_value *gw_value_array_push(struct gw_value *array)
{
	size_t size = sizeof(struct gw_value);
	struct gw_value *slot;
	void *items;

	if (array->kind != GW_VALUE_ARRAY)
		return NULL;
	items = array->array.items;
	if (grow(&items, array->array.len, &array->array.alloc, size) < 0)
		return NULL;
	array->array.items = items;
	slot = &array->array.items[array->array.len++];
	memset(slot, 0, sizeof(*slot));
	return slot;
}

struct gw_value *gw_value_map_push(struct gw_value *map, const char *key,
				   size_t len)
{
	struct gw_value_pair *pair;
	void *pairs;
	char *copy;

	if (map->kind != GW_VALUE_MAP || memchr(key, '\0', len))
		return NULL;
	pairs = map->map.pairs;
	if (grow(&pairs, map->map.len, &map->map.alloc, sizeof(*pair)) < 0)
		return NULL;
	map->map.pairs = pairs;
	copy = copy_text(key, len);
	if (!copy)
		return NULL;

	pair = &map->map.pairs[map->map.len++];
	memset(pair, 0, sizeof(*pair));
	pair->key = copy;
	pair->key_len = len;
	return &pair->value;
}

const struct gw_value *gw_value_lookup_n(const struct gw_value *map,
					 const char *key, size_t len)
{
	if (!map || map->kind != GW_VALUE_MAP)
		return NULL;
	for (size_t i = 0; i < map->map.len; i++) {
		const struct gw_value_pair *p = &map->map.pairs[i];

		if (p->key_len == len && memcmp(p->key, key, len) == 0)
			return &p->value;
	}
	return NULL;
}

const struct gw_value *gw_value_lookup(const struct gw_value *map,
				       const char *key)
{
	return gw_value_lookup_n(map, key, strlen(key));
}

static bool bytes_equal(const void *a, size_t alen, const void *b, size_t blen)
{
	return alen == blen && (alen == 0 || memcmp(a, b, alen) == 0);
}

static bool ndarray_equal(const struct gw_ndarray *a,
			  const struct gw_ndarray *b)
{
	if (a->dtype != b->dtype || a->ndim != b->ndim)
		return false;
	for (unsigned i = 0; i < a->ndim; i++)
		if (a->shape[i] != b->shape[i])
			return false;
	return bytes_equal(a->data, a->data_bytes, b->data, b->data_bytes);
}

static bool map_equal(const struct gw_value *a, const struct gw_value *b)
{
	if (a->map.len != b->map.len)
		return false;
	for (size_t i = 0; i < a->map.len; i++) {
		const struct gw_value_pair *x = &a->map.pairs[i];
		const struct gw_value_pair *y = &b->map.pairs[i];

		if (!bytes_equal(x->key, x->key_len, y->key, y->key_len) ||
		    !gw_value_equal(&x->value, &y->value))
			return false;
	}
	return true;
}

bool gw_value_equal(const struct gw_value *a, const struct gw_value *b)
{
	if (a->kind != b->kind)
		return false;

	switch (a->kind) {
	case GW_VALUE_NIL: return true;
	case GW_VALUE_BOOL: return a->b == b->b;
	case GW_VALUE_INT: return a->i == b->i;
	case GW_VALUE_UINT: return a->u == b->u;
	case GW_VALUE_FLOAT: return memcmp(&a->f, &b->f, sizeof(a->f)) == 0;
	case GW_VALUE_STR:
	case GW_VALUE_OBJECT:
		return bytes_equal(a->str.ptr, a->str.len, b->str.ptr,
				   b->str.len);
	case GW_VALUE_BIN:
		return bytes_equal(a->bin.ptr, a->bin.len, b->bin.ptr,
				   b->bin.len);
	case GW_VALUE_NDARRAY: return ndarray_equal(a->nd, b->nd);
	case GW_VALUE_ARRAY:
		if (a->array.len != b->array.len)
			return false;
		for (size_t i = 0; i < a->array.len; i++)
			if (!gw_value_equal(&a->array.items[i],
					    &b->array.items[i]))
				return false;
		return true;
	case GW_VALUE_MAP: return map_equal(a, b);
	}
	return false;
}
