/*
 * Sizes ("512M") and durations ("1s") as written in a manifest. Pure
 * functions; results never exceed INT64_MAX so they fit every consumer
 * (JSON, rlimits, timespecs).
 */
#ifndef GW_MANIFEST_UNITS_H
#define GW_MANIFEST_UNITS_H

#include <stddef.h>
#include <stdint.h>

/*
 * Parse len bytes of s as decimal digits with an optional suffix K, M,
 * G or T (powers of 1024) into *bytes. Returns 0, -EINVAL when it is
 * not of that form, -ERANGE when the result would pass INT64_MAX.
 */
int gw_parse_size(const char *s, size_t len, uint64_t *bytes);

/*
 * Parse decimal digits followed by one unit, ms, s, m or h, into *ns.
 * Returns 0, -EINVAL (no unit, an unknown unit, not digits) or -ERANGE.
 */
int gw_parse_duration(const char *s, size_t len, uint64_t *ns);

/* Format bytes as the largest exact unit ("512M", "1536K", "7"). */
void gw_format_size(uint64_t bytes, char *buf, size_t cap);

/* Format ns as the largest exact unit ("1h", "1500ms"), or "Nns". */
void gw_format_duration(uint64_t ns, char *buf, size_t cap);

#endif /* GW_MANIFEST_UNITS_H */
