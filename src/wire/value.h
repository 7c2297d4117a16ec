/*
 * A generic data tree: what a bounded MessagePack document decodes into
 * (info dicts, reset options, constructor kwargs, the worker's spec) and
 * what the encoder writes. Plain data, no behaviour: a consumer reads the
 * fields directly and never learns a type from the data other than the
 * kinds below.
 *
 * Ownership: a value owns everything it points to. A tree from
 * gw_msgpack_decode or gw_value_new is freed with gw_value_free; a value
 * embedded in a caller's struct is emptied with gw_value_clear. Strings,
 * keys and type names are NUL-terminated (their length excludes the NUL)
 * so they can be printed, but may contain NUL bytes except keys, which
 * never do.
 */
#ifndef GW_WIRE_VALUE_H
#define GW_WIRE_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/limits.h"

enum gw_value_kind {
	GW_VALUE_NIL,
	GW_VALUE_BOOL,
	GW_VALUE_INT,	  /* any integer that fits int64_t */
	GW_VALUE_UINT,	  /* only integers above INT64_MAX */
	GW_VALUE_FLOAT,	  /* float32 and float64, held as double */
	GW_VALUE_STR,	  /* valid UTF-8 */
	GW_VALUE_BIN,	  /* plain bytes (bin tag 0) */
	GW_VALUE_NDARRAY, /* a numpy array (bin tag 1) */
	GW_VALUE_OBJECT,  /* an object that is not data (bin tag 2) */
	GW_VALUE_ARRAY,
	GW_VALUE_MAP, /* string keys, unique, in the order received */
};

/* Element types of an ndarray, numbered as in docs/protocol.md. */
enum gw_wire_dtype {
	GW_WIRE_DTYPE_BOOL = 1,
	GW_WIRE_DTYPE_INT8,
	GW_WIRE_DTYPE_INT16,
	GW_WIRE_DTYPE_INT32,
	GW_WIRE_DTYPE_INT64,
	GW_WIRE_DTYPE_UINT8,
	GW_WIRE_DTYPE_UINT16,
	GW_WIRE_DTYPE_UINT32,
	GW_WIRE_DTYPE_UINT64,
	GW_WIRE_DTYPE_FLOAT16,
	GW_WIRE_DTYPE_FLOAT32,
	GW_WIRE_DTYPE_FLOAT64,
};

/* Bytes per element of a dtype code, 0 for a code that is not one. */
size_t gw_wire_dtype_size(unsigned code);

/*
 * An ndarray: elements in C order, little-endian, count = the product of
 * shape[0..ndim) (1 when ndim is 0), data_bytes = count * element size.
 * data is 8-byte aligned, so it may be read as an array of its dtype.
 */
struct gw_ndarray {
	uint8_t dtype; /* enum gw_wire_dtype */
	uint8_t ndim;  /* <= GW_MSGPACK_MAX_DIMS */
	uint64_t shape[GW_MSGPACK_MAX_DIMS];
	uint64_t count;
	size_t data_bytes;
	unsigned char data[]; /* data_bytes */
};

_Static_assert(offsetof(struct gw_ndarray, data) % 8 == 0,
	       "ndarray data is 8-byte aligned");

struct gw_value_pair;

struct gw_value {
	enum gw_value_kind kind;
	union {
		bool b;
		int64_t i;
		uint64_t u;
		double f;
		struct {
			char *ptr;
			size_t len;
		} str; /* STR; OBJECT (the type name) */
		struct {
			unsigned char *ptr;
			size_t len;
		} bin;
		struct gw_ndarray *nd;
		struct {
			struct gw_value *items;
			size_t len;
			size_t alloc; /* slots allocated */
		} array;
		struct {
			struct gw_value_pair *pairs;
			size_t len;
			size_t alloc;
		} map;
	};
};

struct gw_value_pair {
	char *key;
	size_t key_len;
	struct gw_value value;
};

/* "nil", "bool", ..., "map"; static. */
const char *gw_value_kind_name(enum gw_value_kind kind);

/* A heap-allocated nil value, or NULL when out of memory. */
struct gw_value *gw_value_new(void);

/* Empty v (freeing what it owns) and leave it nil. v may be NULL. */
void gw_value_clear(struct gw_value *v);

/* Clear and free a heap-allocated value; NULL is fine. */
void gw_value_free(struct gw_value *v);

/*
 * Setters for building a tree to encode. Each first clears v; the
 * copying ones return 0 or -ENOMEM (v is then nil). A signed integer
 * always becomes GW_VALUE_INT; gw_value_set_uint makes GW_VALUE_INT
 * when u fits int64_t, so kinds stay canonical.
 */
void gw_value_set_nil(struct gw_value *v);
void gw_value_set_bool(struct gw_value *v, bool b);
void gw_value_set_int(struct gw_value *v, int64_t i);
void gw_value_set_uint(struct gw_value *v, uint64_t u);
void gw_value_set_float(struct gw_value *v, double f);
int gw_value_set_str(struct gw_value *v, const char *s, size_t len);
int gw_value_set_bin(struct gw_value *v, const void *p, size_t len);
int gw_value_set_object(struct gw_value *v, const char *type_name, size_t len);
/*
 * An ndarray of dtype and shape whose data (copied from data, or zeroed
 * when data is NULL) is count * element size bytes. -EINVAL for a bad
 * dtype or ndim, -E2BIG when the size overflows.
 */
int gw_value_set_ndarray(struct gw_value *v, unsigned dtype, unsigned ndim,
			 const uint64_t *shape, const void *data);
void gw_value_set_array(struct gw_value *v); /* empty */
void gw_value_set_map(struct gw_value *v);   /* empty */

/*
 * Append a nil slot to an array and return it, or NULL when out of
 * memory. The pointer stays valid until the next append to that array.
 */
struct gw_value *gw_value_array_push(struct gw_value *array);

/*
 * Append key (len bytes, copied) to a map with a nil value and return
 * the value's slot, or NULL when out of memory or when key contains a
 * NUL byte. Valid until the next append. Duplicate keys are not looked
 * for here (that would make building quadratic): the encoder refuses
 * them.
 */
struct gw_value *gw_value_map_push(struct gw_value *map, const char *key,
				   size_t len);

/* The value under key (a C string) in map; NULL when absent or when
 * map is not a map. */
const struct gw_value *gw_value_lookup(const struct gw_value *map,
				       const char *key);

/* The value under key of len bytes, or NULL. */
const struct gw_value *gw_value_lookup_n(const struct gw_value *map,
					 const char *key, size_t len);

/*
 * Deep equality: same kinds, same contents, map pairs in the same order.
 * Floats compare by bit pattern, so NaN equals an identical NaN and 0.0
 * differs from -0.0.
 */
bool gw_value_equal(const struct gw_value *a, const struct gw_value *b);

#endif /* GW_WIRE_VALUE_H */
