/*
 * Schema checking of TOML trees, shared by the space and manifest
 * parsers: report a problem with its place and field path, check a
 * value's type, find keys nobody asked for and suggest the nearest known
 * one. Every string that quotes the document is escaped here.
 */
#ifndef GW_SPACE_CHECK_H
#define GW_SPACE_CHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "gymwarden.h"
#include "space/space.h"
#include "toml/toml.h"

/* Room for a field path; longer paths are cut. */
#define GW_FIELD_MAX_BYTES 512u

struct gw_check {
	const struct gw_space_sink *sink; /* NULL: count only */
	unsigned errors;
	unsigned warnings;
	bool nomem; /* an allocation failed; the result is unusable */
};

/*
 * Report a problem at line:col (0 when unknown) of field. hint may be
 * NULL. The message is formatted, never escaped: callers escape what
 * they quote (see gw_check_quote).
 */
void gw_check_report(struct gw_check *c, enum gw_severity sev, unsigned line,
		     unsigned col, const char *field, const char *hint,
		     const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));

/* Shorthand for an error at value v. */
void gw_check_error(struct gw_check *c, const struct gw_toml_value *v,
		    const char *field, const char *hint, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* Record that memory ran out, once. */
void gw_check_nomem(struct gw_check *c);

/* "an integer", "a string", "a table"... */
const char *gw_check_type_phrase(enum gw_toml_type type);

/*
 * Whether v has type want; if not, report "expected W, got X" at v.
 * A float is not accepted for an integer nor the other way round.
 */
bool gw_check_type(struct gw_check *c, const struct gw_toml_value *v,
		   const char *field, enum gw_toml_type want);

/*
 * Report every key of table t that is not in allowed (NULL-terminated),
 * at the key's place, with "did you mean 'X'?" when one is close.
 * Returns the number reported.
 */
unsigned gw_check_keys(struct gw_check *c, const struct gw_toml_value *t,
		       const char *path, const char *const *allowed);

/*
 * Like gw_check_keys; for a key no allowed word is close to, elsewhere
 * (may be NULL) may give a hint such as "memory belongs in
 * [env.sandbox]" into buf.
 */
typedef bool (*gw_check_elsewhere_fn)(const char *key, size_t len, char *buf,
				      size_t cap);
unsigned gw_check_keys_hint(struct gw_check *c, const struct gw_toml_value *t,
			    const char *path, const char *const *allowed,
			    gw_check_elsewhere_fn elsewhere);

/* The value of a required key, or NULL after reporting it missing. */
const struct gw_toml_value *gw_check_require(struct gw_check *c,
					     const struct gw_toml_value *t,
					     const char *path, const char *key);

/*
 * dst = base + "." + key, the key written bare when it is made of
 * A-Za-z0-9_- and quoted and escaped otherwise; "" base gives the key
 * alone.
 */
void gw_check_path_key(char *dst, size_t cap, const char *base, const char *key,
		       size_t key_len);

/* dst = base + "[i]". */
void gw_check_path_index(char *dst, size_t cap, const char *base, size_t i);

/* An escaped, quotable copy of len bytes of document text. */
void gw_check_quote(char *dst, size_t cap, const char *s, size_t len);

/* Whether s (len bytes) equals one of words; its index or -1. */
int gw_check_word(const char *s, size_t len, const char *const *words);

/*
 * The string of v when it is one of words (its index); otherwise report
 * "'X' is not one of: a, b, c" with the nearest as a hint, and return
 * -1. Also reports a wrong type.
 */
int gw_check_choice(struct gw_check *c, const struct gw_toml_value *v,
		    const char *field, const char *const *words);

#endif /* GW_SPACE_CHECK_H */
