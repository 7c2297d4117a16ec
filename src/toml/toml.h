/*
 * A TOML 1.0.0 reader. gw_toml_parse turns a whole document into a tree
 * of values that the caller owns and frees with gw_toml_free. Every value
 * remembers the line and column where it was written, so callers (the
 * manifest loader, the lock-file readers) can name the place of a
 * problem they find later.
 */
#ifndef GW_TOML_TOML_H
#define GW_TOML_TOML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct gw_error;

enum gw_toml_type {
	GW_TOML_STRING,
	GW_TOML_INTEGER,
	GW_TOML_FLOAT,
	GW_TOML_BOOL,
	GW_TOML_DATETIME,	/* offset date-time */
	GW_TOML_DATETIME_LOCAL, /* local date-time */
	GW_TOML_DATE_LOCAL,
	GW_TOML_TIME_LOCAL,
	GW_TOML_ARRAY,
	GW_TOML_TABLE,
};

/*
 * Date and time parts; which are meaningful depends on the type.
 * nanos holds up to nine fractional digits (more are truncated, as the
 * specification allows); frac_digits is how many were written (0..9).
 * offset_min is minutes east of UTC; offset_z is true for "Z".
 */
struct gw_toml_datetime {
	int year, month, day;
	int hour, minute, second;
	uint32_t nanos;
	int frac_digits;
	int offset_min;
	bool offset_z;
};

struct gw_toml_value;

/* One key of a table, in the order the document defined it. */
struct gw_toml_kv {
	char *key; /* NUL-terminated; may contain NUL: use key_len */
	size_t key_len;
	unsigned line, col;
	struct gw_toml_value *value;
};

struct gw_toml_value {
	enum gw_toml_type type;
	unsigned line, col; /* where the value (or table header) starts */
	union {
		struct {
			char *ptr; /* UTF-8, NUL-terminated, may contain NUL */
			size_t len;
		} s;
		int64_t i;
		double f;
		bool b;
		struct gw_toml_datetime dt;
		struct {
			struct gw_toml_value **items;
			size_t len;
		} arr;
		struct {
			struct gw_toml_kv *kvs;
			size_t len;
		} tab;
	} u;
	/* Parser bookkeeping for the redefinition rules; read-only. */
	unsigned flags;
};

/*
 * Parse len bytes of text (need not be NUL-terminated) into a root
 * table stored in *out. name names the document in errors (a path or
 * "<stdin>"). On failure returns a negative errno (-EINVAL for a syntax
 * or semantic error, -E2BIG past a limit, -ENOMEM) and fills err with
 * the line, the column and what was expected; *out is left NULL.
 */
int gw_toml_parse(const char *text, size_t len, const char *name,
		  struct gw_toml_value **out, struct gw_error *err);

/* Free a tree returned by gw_toml_parse; NULL is fine. */
void gw_toml_free(struct gw_toml_value *v);

/* The value of key in table t, or NULL (also when t is not a table). */
const struct gw_toml_value *gw_toml_get(const struct gw_toml_value *t,
					const char *key);

/* The key/value entry of key in table t, or NULL. */
const struct gw_toml_kv *gw_toml_get_kv(const struct gw_toml_value *t,
					const char *key);

/*
 * Like gw_toml_get_kv for a key of len bytes, which may hold NUL. The
 * three lookups use the key index gw_toml_parse builds for each table,
 * so t must come from gw_toml_parse.
 */
const struct gw_toml_kv *gw_toml_get_kvn(const struct gw_toml_value *t,
					 const char *key, size_t len);

/*
 * Write a date or time of the given type as RFC 3339 text ("T" between
 * date and time, "Z" or +HH:MM, the fractional digits as written) into
 * buf of cap bytes, NUL-terminated when cap > 0. Returns the length the
 * text needs, like snprintf, or -EINVAL when type is not a date or time.
 */
int gw_toml_datetime_format(enum gw_toml_type type,
			    const struct gw_toml_datetime *dt, char *buf,
			    size_t cap);

/* A name for the type as users know it: "string", "integer", "table"... */
const char *gw_toml_type_name(enum gw_toml_type type);

#endif /* GW_TOML_TOML_H */
