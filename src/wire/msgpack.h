/*
 * The bounded MessagePack subset of docs/protocol.md: nil, bool, int,
 * float 32/64, str (valid UTF-8), bin (tagged: plain bytes, a numpy
 * array, or an opaque object's type name), array, and map with unique
 * valid UTF-8 string keys. No extension types.
 *
 * The decoder reads bytes that came from a worker: every limit is
 * checked before anything is allocated for it, and a failure names the
 * field path where it happened ("info.player.name: string is not valid
 * UTF-8"). The encoder never writes anything the decoder would refuse.
 */
#ifndef GW_WIRE_MSGPACK_H
#define GW_WIRE_MSGPACK_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "gymwarden.h"
#include "wire/value.h"

/*
 * Limits of one document. Each field can only tighten its default from
 * core/limits.h: a larger value is treated as the default.
 */
struct gw_msgpack_limits {
	uint32_t max_depth;	  /* containers nested in one another */
	uint32_t max_elems;	  /* values plus map keys, in total */
	uint32_t max_str_bytes;	  /* one str, or one bin with its tag */
	uint32_t max_total_bytes; /* the whole document */
	uint32_t max_key_bytes;	  /* one map key */
};

/* Fill lim with the protocol's limits (GW_MSGPACK_MAX_*). */
void gw_msgpack_limits_default(struct gw_msgpack_limits *lim);

/*
 * Decode exactly one value from the len bytes at data (private memory)
 * into a new tree in *out, which the caller frees with gw_value_free.
 * lim NULL means the defaults. root names the document in error paths
 * ("info"); NULL or "" leaves it out.
 *
 * Returns 0; -E2BIG when a limit is exceeded (depth, elements, a str,
 * bin, key or the whole document too large, an ndarray with too many
 * dimensions or an overflowing shape); -EPROTO when the bytes are not a
 * valid document of the subset (ends early, trailing bytes, an
 * extension type or the unused byte 0xc1, a str or key that is not
 * UTF-8, a key that is not a str or holds a NUL byte, a duplicate key,
 * an unknown bin tag or dtype, an ndarray whose data disagrees with its
 * shape, a bool element other than 0 or 1); -ENOMEM. On failure *out is
 * NULL and err (may be NULL) names the field path and the cause.
 */
int gw_msgpack_decode(const void *data, size_t len,
		      const struct gw_msgpack_limits *lim, const char *root,
		      struct gw_value **out, struct gw_error *err);

/*
 * Append the encoding of v to out, whose cap bounds the bytes written.
 * Integers, lengths and containers use their smallest form; floats are
 * written as float64. Returns 0; -E2BIG when v exceeds a limit of lim
 * (NULL: the defaults) or out's cap; -EINVAL when v is not something
 * the decoder would accept (a str or key that is not UTF-8, a key with
 * a NUL byte, a duplicate key, an inconsistent ndarray); -ENOMEM. On
 * failure out is cut back to its length at the call, and err names the
 * path.
 */
int gw_msgpack_encode(const struct gw_value *v,
		      const struct gw_msgpack_limits *lim, const char *root,
		      struct gw_buf *out, struct gw_error *err);

/* Whether the len bytes at p are valid UTF-8 (no overlong forms, no
 * surrogates, nothing above U+10FFFF). */
bool gw_wire_utf8_valid(const void *p, size_t len);

#endif /* GW_WIRE_MSGPACK_H */
