/* Helpers shared by the files of src/space; not for other modules. */
#ifndef GW_SPACE_SPACE_PRIV_H
#define GW_SPACE_SPACE_PRIV_H

#include <stdbool.h>
#include <stddef.h>

#include "space/space.h"

/* Text written into a fixed buffer; cut marks output that did not fit. */
struct gw_out {
	char *buf;
	size_t cap;
	size_t len;
	bool cut;
};

void gw_out_put(struct gw_out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* NUL-terminate, replacing the tail with "..." when cut; the length. */
size_t gw_out_finish(struct gw_out *o);

/* "(2, 3)", "(2,)" or "()". */
void gw_format_shape(struct gw_out *o, const uint64_t *shape, unsigned ndim);

/* Bound i of b (of Box s) in decimal: "-3", "0.1", "inf", "True". */
void gw_format_bound(const struct gw_space *s, const union gw_bounds *b,
		     size_t i, char *buf, size_t cap);

/* The shortest decimal that reads back as v in dtype. */
void gw_format_float(enum gw_dtype dtype, double v, char *buf, size_t cap);

#endif /* GW_SPACE_SPACE_PRIV_H */
