/*
 * libFuzzer harness for the bounded MessagePack decoder. Any bytes must
 * either decode into a tree that the encoder accepts and that decodes
 * back equal, or fail cleanly: a protocol or limit errno, no tree, and a
 * cause in the error. The first byte also picks tight limits for a
 * second decode of the rest, so every limit is reached often.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "gymwarden.h"
#include "wire/msgpack.h"
#include "wire/value.h"

/* Touch every node; each key must find its own pair. */
static size_t walk(const struct gw_value *v)
{
	size_t n = 1;

	if (v->kind == GW_VALUE_ARRAY)
		for (size_t i = 0; i < v->array.len; i++)
			n += walk(&v->array.items[i]);
	if (v->kind == GW_VALUE_MAP)
		for (size_t i = 0; i < v->map.len; i++) {
			const struct gw_value_pair *p = &v->map.pairs[i];

			if (gw_value_lookup_n(v, p->key, p->key_len) !=
			    &p->value)
				abort();
			n += walk(&p->value);
		}
	if (v->kind == GW_VALUE_NDARRAY && v->nd->data_bytes &&
	    v->nd->data[v->nd->data_bytes - 1] == 0x5a)
		n++;
	return n;
}

static void check_failure(int r, const struct gw_value *v,
			  const struct gw_error *err)
{
	if (v || err->code != r || !err->msg[0])
		abort();
	if (r != -EPROTO && r != -E2BIG && r != -ENOMEM)
		abort();
}

/* A decoded tree must encode, and decode back to an equal tree. */
static void round_trip(const struct gw_value *v)
{
	struct gw_value *again = NULL;
	struct gw_error err;
	struct gw_buf b;

	gw_buf_init(&b, 4u * GW_MSGPACK_MAX_TOTAL_BYTES);
	gw_error_clear(&err);
	if (gw_msgpack_encode(v, NULL, "r", &b, &err) != 0) {
		/* Only float32 widening can outgrow the document limit. */
		if (err.code != -E2BIG)
			abort();
		gw_buf_free(&b);
		return;
	}
	if (gw_msgpack_decode(b.data, b.len, NULL, "r", &again, NULL) != 0 ||
	    !gw_value_equal(v, again))
		abort();
	gw_value_free(again);
	gw_buf_free(&b);
}

static void decode_one(const uint8_t *data, size_t size,
		       const struct gw_msgpack_limits *lim)
{
	struct gw_value *v = NULL;
	struct gw_error err;
	int r;

	gw_error_clear(&err);
	r = gw_msgpack_decode(data, size, lim, "info", &v, &err);
	if (r < 0) {
		check_failure(r, v, &err);
		return;
	}
	walk(v);
	round_trip(v);
	gw_value_free(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gw_msgpack_limits lim;

	decode_one(data, size, NULL);
	if (size == 0)
		return 0;

	gw_msgpack_limits_default(&lim);
	lim.max_depth = 1 + (data[0] & 7);
	lim.max_elems = 1u << ((data[0] >> 3) & 7);
	lim.max_str_bytes = 4u << (data[0] >> 6);
	lim.max_key_bytes = 1 + (data[0] & 3);
	lim.max_total_bytes = 64 + 8 * (uint32_t)data[0];
	decode_one(data + 1, size - 1, &lim);
	return 0;
}
