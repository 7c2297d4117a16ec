/* Casting an array of any dtype into a leaf's packed form. */
#include <errno.h>

#include "space/ops_priv.h"

static bool castable(const struct gw_space *leaf)
{
	return leaf->kind == GW_SPACE_BOX || leaf->kind == GW_SPACE_DISCRETE ||
	       leaf->kind == GW_SPACE_MULTI_DISCRETE ||
	       leaf->kind == GW_SPACE_MULTI_BINARY;
}

int gw_space_cast_array(const struct gw_space *leaf, enum gw_dtype from,
			const void *src, size_t src_bytes, void *dst,
			size_t cap)
{
	enum gw_dtype to;
	size_t in_size, out_size;
	const unsigned char *p = src;
	unsigned char *q = dst;
	bool exact = true;
	struct gw_num x, y;

	if (!castable(leaf) || (unsigned)from > GW_DTYPE_FLOAT64)
		return -EINVAL;
	to = gw_leaf_dtype(leaf);
	in_size = gw_dtype_info(from)->itemsize;
	out_size = gw_dtype_info(to)->itemsize;
	if (src_bytes != leaf->nelem * in_size || cap < leaf->nelem * out_size)
		return -EINVAL;

	for (uint64_t k = 0; k < leaf->nelem; k++) {
		enum gw_conv c;

		gw_num_load(from, p + k * in_size, &x);
		c = gw_num_convert(&x, to, &y);
		/* nan and the infinities are values of a float dtype. */
		if (c != GW_CONV_EXACT &&
		    !(y.rep == GW_REP_FLOAT &&
		      (c == GW_CONV_NAN || c == GW_CONV_POS_INF ||
		       c == GW_CONV_NEG_INF)))
			exact = false;
		gw_num_store(to, &y, q + k * out_size);
	}
	return exact ? 0 : -ERANGE;
}
