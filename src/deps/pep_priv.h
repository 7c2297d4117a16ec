/*
 * Helpers shared by the packaging-rule files of src/deps (pep440.c,
 * spec.c, name.c, marker.c, pep508.c) and the OSV matcher. Not API:
 * tests may include it, nothing outside src/deps should.
 */
#ifndef GW_DEPS_PEP_PRIV_H
#define GW_DEPS_PEP_PRIV_H

#include <stdbool.h>
#include <stddef.h>

#include "deps/deps.h"

/*
 * Whitespace as Python's str.strip() and \s see it within ASCII: space,
 * \t \n \v \f \r and the four separators \x1c..\x1f. packaging strips
 * versions and specifiers with that set, so "1.0\x1f" is valid there.
 */
static inline bool pep_is_space(unsigned char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f);
}

/* PEP 508's wsp: only space and tab separate the parts of a requirement. */
static inline bool pep_is_wsp(unsigned char c)
{
	return c == ' ' || c == '\t';
}

static inline bool pep_is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static inline bool pep_is_alnum(unsigned char c)
{
	return pep_is_digit(c) || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z');
}

static inline unsigned char pep_lower(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

/* A post-release: ".postN" present (a dev release of one included). */
bool gw_pep440_is_postrelease(const struct gw_pep440 *v);

/* Compare as gw_pep440_cmp; with locals false, local labels are ignored. */
int gw_pep440_cmp_ex(const struct gw_pep440 *a, const struct gw_pep440 *b,
		     bool locals);

/* Same epoch and release (trailing zeros ignored): "1.0rc1" ~ "1". */
bool gw_pep440_base_eq(const struct gw_pep440 *a, const struct gw_pep440 *b);

/*
 * The text two versions share exactly when gw_pep440_cmp says they are
 * equal: the normalized form with trailing zero release parts dropped
 * ("1.0.0" and "1" both give "1"). Returns the length, like snprintf.
 */
size_t gw_pep440_key(const struct gw_pep440 *v, char *buf, size_t cap);

/*
 * PEP 503 folding without validation: lower case, each run of "-", "_"
 * and "." as one "-". Used where packaging folds text it has not
 * checked (extra names in markers). Returns the length, or -ENOSPC.
 */
int gw_pep503_fold(const char *s, size_t len, char *buf, size_t cap);

/*
 * Length of the PEP 508 identifier at s (a letter or digit, then
 * letters, digits, "-", "_" or "." ending in a letter or digit), or 0.
 */
size_t gw_pep508_ident_len(const char *s, size_t len);

/*
 * Whether the specifier accepts v before the pre-release filter, and
 * whether it names a pre-release (which lifts that filter for the set).
 */
bool gw_spec_match(const struct gw_spec *s, const struct gw_pep440 *v);
bool gw_spec_names_prerelease(const struct gw_spec *s);

#endif /* GW_DEPS_PEP_PRIV_H */
