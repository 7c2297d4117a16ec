/*
 * Private parts of the TOML reader, shared by its files and its tests.
 * Nothing here is part of the library's API.
 */
#ifndef GW_TOML_INTERNAL_H
#define GW_TOML_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "toml/toml.h"

/*
 * Bits of gw_toml_value.flags. They record how a table or an array came
 * to exist, which is all the redefinition rules need to know.
 */
enum {
	GW_TOML_F_IMPLICIT = 1u << 0, /* made on a header's path, undefined */
	GW_TOML_F_HEADER = 1u << 1,   /* defined by [t] or [[t]] */
	GW_TOML_F_DOTTED = 1u << 2,   /* defined by a dotted key */
	GW_TOML_F_FROZEN = 1u << 3,   /* inline table or static array */
	GW_TOML_F_AOT = 1u << 4,      /* array of tables made by [[t]] */
};

/*
 * Tables and arrays are allocated as nodes: the public value first, so a
 * value pointer of either type is a node pointer, then what the parser
 * needs to grow them and to find a key in a large table quickly.
 */
struct gw_toml_node {
	struct gw_toml_value v;
	size_t cap;	  /* items or kvs allocated */
	size_t *slots;	  /* open-addressing index of kvs (i + 1), or NULL */
	size_t nslots;	  /* a power of two, or 0 */
	uint64_t seed[2]; /* key of the index hash */
	unsigned depth;	  /* the root table is 0 */
};

struct gw_toml_parser {
	const char *s;
	size_t len;
	size_t pos;
	unsigned line; /* 1-based line of pos */
	size_t bol;    /* offset of the first byte of that line */
	struct gw_error *err;
	uint64_t seed[2];
};

static inline int gw_toml_peek(const struct gw_toml_parser *p, size_t k)
{
	if (k >= p->len - p->pos)
		return -1;
	return (unsigned char)p->s[p->pos + k];
}

static inline unsigned gw_toml_col(const struct gw_toml_parser *p)
{
	return (unsigned)(p->pos - p->bol + 1);
}

static inline struct gw_toml_node *gw_toml_node(struct gw_toml_value *v)
{
	return (struct gw_toml_node *)v;
}

/* One part of a dotted key, where the document wrote it. */
struct gw_toml_keypart {
	char *s; /* owned until handed to a table */
	size_t len;
	unsigned line, col;
};

static inline unsigned gw_toml_depth(struct gw_toml_value *v)
{
	return gw_toml_node(v)->depth;
}

/* Errors (lex.c). Each records the cause in p->err and returns code. */
int gw_toml_fail_at(struct gw_toml_parser *p, int code, unsigned line,
		    unsigned col, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
int gw_toml_fail(struct gw_toml_parser *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int gw_toml_fail_buf(struct gw_toml_parser *p, int r, const struct gw_buf *out,
		     const char *what);
int gw_toml_no_memory(struct gw_toml_parser *p);
int gw_toml_too_deep(struct gw_toml_parser *p, unsigned line, unsigned col);
void gw_toml_quote(char *dst, size_t cap, const char *s, size_t len);

/* Scanning (lex.c). */
int gw_toml_check_text(struct gw_toml_parser *p);
void gw_toml_skip_ws(struct gw_toml_parser *p);
bool gw_toml_at_newline(const struct gw_toml_parser *p);
void gw_toml_take_newline(struct gw_toml_parser *p);
void gw_toml_skip_comment(struct gw_toml_parser *p);
void gw_toml_skip_blank(struct gw_toml_parser *p);
int gw_toml_scan_key_part(struct gw_toml_parser *p, struct gw_buf *out);

/* Strings (string.c): the four forms, at the opening quote. */
int gw_toml_scan_string(struct gw_toml_parser *p, struct gw_buf *out,
			bool is_key);

/* Numbers (number.c) and dates (datetime.c), at their first byte. */
int gw_toml_scan_number(struct gw_toml_parser *p, struct gw_toml_value *v);
bool gw_toml_looks_like_datetime(const struct gw_toml_parser *p);
int gw_toml_scan_datetime(struct gw_toml_parser *p, struct gw_toml_value *v);

/*
 * The redefinition rules (rules.c). Each step from table t by key k
 * gives the table to continue in, creating it where allowed; k->s is
 * taken (set to NULL) when a new entry is made.
 */
int gw_toml_walk_dotted(struct gw_toml_parser *p, struct gw_toml_value *t,
			struct gw_toml_keypart *k, struct gw_toml_value **out);
int gw_toml_walk_header(struct gw_toml_parser *p, struct gw_toml_value *t,
			struct gw_toml_keypart *k, struct gw_toml_value **out);
int gw_toml_define_table(struct gw_toml_parser *p, struct gw_toml_value *t,
			 struct gw_toml_keypart *k, unsigned line, unsigned col,
			 struct gw_toml_value **out);
int gw_toml_append_table(struct gw_toml_parser *p, struct gw_toml_value *t,
			 struct gw_toml_keypart *k, unsigned line, unsigned col,
			 struct gw_toml_value **out);
int gw_toml_check_new_key(struct gw_toml_parser *p, struct gw_toml_value *t,
			  const struct gw_toml_keypart *k);

/* Tree building (value.c, table.c). */
struct gw_toml_value *gw_toml_value_new(enum gw_toml_type type, unsigned line,
					unsigned col);
struct gw_toml_value *gw_toml_container_new(enum gw_toml_type type,
					    unsigned line, unsigned col,
					    unsigned depth,
					    const uint64_t seed[2]);
int gw_toml_array_push(struct gw_toml_value *a, struct gw_toml_value *item);
struct gw_toml_kv *gw_toml_table_find(const struct gw_toml_value *t,
				      const char *key, size_t len);
int gw_toml_table_add(struct gw_toml_value *t, char *key, size_t len,
		      unsigned line, unsigned col, struct gw_toml_value *value);

#endif /* GW_TOML_INTERNAL_H */
