/* Filling struct gw_error from inside the library. */
#ifndef GW_CORE_ERROR_H
#define GW_CORE_ERROR_H

#include "gymwarden.h"

/*
 * Record code and a printf-style cause in err (which may be NULL) and
 * return code, so a failing step reads `return gw_error_set(err, ...)`.
 * The first error recorded is the root cause: a later call on an err
 * whose code is already non-zero keeps the earlier message.
 */
int gw_error_set(struct gw_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Like gw_error_set, with a 1-based line and column. */
int gw_error_set_at(struct gw_error *err, int code, unsigned line, unsigned col,
		    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/*
 * Record the kind and step of err (which may be NULL) unless a kind is
 * already set; returns code, for `return gw_error_kind_set(...)`.
 */
int gw_error_set_kind(struct gw_error *err, int code, enum gw_error_kind kind,
		      int64_t step);

/* Set the thing (file) and field path parts; NULL leaves a part alone. */
void gw_error_where(struct gw_error *err, const char *file, const char *field);

#endif /* GW_CORE_ERROR_H */
