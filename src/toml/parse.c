/*
 * The grammar of a TOML document: expressions line by line, keys and
 * their dotted paths, table headers, values, arrays and inline tables.
 * Where each key may go is decided in rules.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "core/error.h"
#include "core/limits.h"
#include "toml/internal.h"

struct keypath {
	struct gw_toml_keypart *parts;
	size_t n, cap;
};

static int parse_value(struct gw_toml_parser *p, unsigned depth,
		       struct gw_toml_value **out);

static void keypath_free(struct keypath *kp)
{
	for (size_t i = 0; i < kp->n; i++)
		free(kp->parts[i].s);
	free(kp->parts);
}

/* Scan one part of a key onto the end of kp. */
static int key_part(struct gw_toml_parser *p, struct keypath *kp)
{
	struct gw_toml_keypart *part, *parts;
	struct gw_buf b;
	int r;

	if (kp->n == GW_TOML_MAX_DEPTH)
		return gw_toml_fail_at(p, -E2BIG, p->line, gw_toml_col(p),
				       "key has more than %u dotted parts",
				       GW_TOML_MAX_DEPTH);
	if (kp->n == kp->cap) {
		kp->cap = kp->cap ? kp->cap * 2 : 4;
		parts = realloc(kp->parts, kp->cap * sizeof(*parts));
		if (!parts)
			return gw_toml_no_memory(p);
		kp->parts = parts;
	}

	part = &kp->parts[kp->n];
	part->line = p->line;
	part->col = gw_toml_col(p);
	gw_buf_init(&b, GW_TOML_MAX_KEY_BYTES);
	r = gw_toml_scan_key_part(p, &b);
	if (r < 0) {
		gw_buf_free(&b);
		return r;
	}
	part->s = gw_buf_steal(&b, &part->len);
	if (!part->s)
		return gw_toml_no_memory(p);
	kp->n++;
	return 0;
}

/* key ( ws '.' ws key )* ws */
static int parse_key(struct gw_toml_parser *p, struct keypath *kp)
{
	int r;

	for (;;) {
		r = key_part(p, kp);
		if (r < 0)
			return r;
		gw_toml_skip_ws(p);
		if (gw_toml_peek(p, 0) != '.')
			return 0;
		p->pos++;
		gw_toml_skip_ws(p);
	}
}

/* ']' or ']]' after the key of a header. */
static int close_header(struct gw_toml_parser *p, bool aot)
{
	if (gw_toml_peek(p, 0) == ']' && (!aot || gw_toml_peek(p, 1) == ']')) {
		p->pos += aot ? 2 : 1;
		return 0;
	}
	if (aot)
		return gw_toml_fail(p, "expected ']]' to close the array of "
				       "tables header");
	return gw_toml_fail(p, "expected ']' to close the table header");
}

/* [a.b.c] or [[a.b.c]] at pos; the table it opens into *cur. */
static int parse_header(struct gw_toml_parser *p, struct gw_toml_value *root,
			struct gw_toml_value **cur)
{
	unsigned line = p->line, col = gw_toml_col(p);
	bool aot = gw_toml_peek(p, 1) == '[';
	struct gw_toml_value *t = root;
	struct keypath kp = { 0 };
	size_t i;
	int r;

	p->pos += aot ? 2 : 1;
	gw_toml_skip_ws(p);
	r = parse_key(p, &kp);
	if (r == 0)
		r = close_header(p, aot);
	for (i = 0; r == 0 && i + 1 < kp.n; i++)
		r = gw_toml_walk_header(p, t, &kp.parts[i], &t);
	if (r == 0 && aot)
		r = gw_toml_append_table(p, t, &kp.parts[i], line, col, cur);
	else if (r == 0)
		r = gw_toml_define_table(p, t, &kp.parts[i], line, col, cur);
	keypath_free(&kp);
	return r;
}

static int expected_value(struct gw_toml_parser *p)
{
	int c = gw_toml_peek(p, 0);

	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
		return gw_toml_fail(p, "expected a value (strings must be in "
				       "quotes; booleans, inf and nan are "
				       "lowercase)");
	return gw_toml_fail(p, "expected a value: a string, number, "
			       "boolean, date, time, array or inline table");
}

static int scan_bool(struct gw_toml_parser *p, struct gw_toml_value *v)
{
	bool t = gw_toml_peek(p, 0) == 't';
	const char *word = t ? "true" : "false";
	size_t n = t ? 4 : 5;

	if (p->len - p->pos < n || memcmp(p->s + p->pos, word, n) != 0)
		return expected_value(p);
	v->type = GW_TOML_BOOL;
	v->u.b = t;
	p->pos += n;
	return 0;
}

static int scan_string_value(struct gw_toml_parser *p, struct gw_toml_value *v)
{
	struct gw_buf b;
	int r;

	gw_buf_init(&b, GW_TOML_MAX_BYTES);
	r = gw_toml_scan_string(p, &b, false);
	if (r < 0) {
		gw_buf_free(&b);
		return r;
	}
	v->u.s.ptr = gw_buf_steal(&b, &v->u.s.len);
	return v->u.s.ptr ? 0 : gw_toml_no_memory(p);
}

/* Any value but an array or an inline table, into v. */
static int parse_scalar(struct gw_toml_parser *p, struct gw_toml_value *v)
{
	int c = gw_toml_peek(p, 0);

	if (c == '"' || c == '\'')
		return scan_string_value(p, v);
	if (c == 't' || c == 'f')
		return scan_bool(p, v);
	if (gw_toml_looks_like_datetime(p))
		return gw_toml_scan_datetime(p, v);
	if ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == 'i' ||
	    c == 'n')
		return gw_toml_scan_number(p, v);
	return expected_value(p);
}

/* [ values, ... ] with newlines and comments allowed between them. */
static int parse_array(struct gw_toml_parser *p, struct gw_toml_value *a)
{
	struct gw_toml_value *item;
	int r;

	p->pos++;
	for (;;) {
		gw_toml_skip_blank(p);
		if (gw_toml_peek(p, 0) == ']')
			break;
		if (gw_toml_peek(p, 0) < 0)
			return gw_toml_fail(p,
					    "expected ']' to close the "
					    "array opened at %u:%u",
					    a->line, a->col);
		r = parse_value(p, gw_toml_depth(a) + 1, &item);
		if (r < 0)
			return r;
		if (gw_toml_array_push(a, item) < 0) {
			gw_toml_free(item);
			return gw_toml_no_memory(p);
		}
		gw_toml_skip_blank(p);
		if (gw_toml_peek(p, 0) == ']')
			break;
		if (gw_toml_peek(p, 0) != ',')
			return gw_toml_fail(p,
					    "expected ',' or ']' after an "
					    "array element (array opened at "
					    "%u:%u)",
					    a->line, a->col);
		p->pos++;
	}
	p->pos++;
	return 0;
}

static int parse_keyval(struct gw_toml_parser *p, struct gw_toml_value *t);

/* The point in an inline table where a key must start. */
static int inline_key_expected(struct gw_toml_parser *p,
			       const struct gw_toml_value *t)
{
	int c = gw_toml_peek(p, 0);

	if (c < 0)
		return gw_toml_fail(p,
				    "expected '}' to close the inline "
				    "table opened at %u:%u",
				    t->line, t->col);
	if (c == '}')
		return gw_toml_fail(p, "expected a key after ',': TOML 1.0 "
				       "allows no trailing comma in an inline "
				       "table");
	if (c == '\n' || c == '\r' || c == '#')
		return gw_toml_fail(p, "expected a key: an inline table must "
				       "be on one line, without comments");
	return 0;
}

/* { key = value, ... } on one line, without a trailing comma. */
static int parse_inline_table(struct gw_toml_parser *p, struct gw_toml_value *t)
{
	int r, c;

	p->pos++;
	gw_toml_skip_ws(p);
	if (gw_toml_peek(p, 0) == '}') {
		p->pos++;
		return 0;
	}
	for (;;) {
		r = inline_key_expected(p, t);
		if (r == 0)
			r = parse_keyval(p, t);
		if (r < 0)
			return r;
		gw_toml_skip_ws(p);
		c = gw_toml_peek(p, 0);
		if (c == '}')
			break;
		if (c != ',')
			return gw_toml_fail(p,
					    "expected ',' or '}' in the "
					    "inline table opened at %u:%u (it "
					    "must be on one line)",
					    t->line, t->col);
		p->pos++;
		gw_toml_skip_ws(p);
	}
	p->pos++;
	return 0;
}

/* An array or inline table at pos; depth is its own depth. */
static int parse_container(struct gw_toml_parser *p, unsigned depth,
			   struct gw_toml_value **out)
{
	bool is_array = gw_toml_peek(p, 0) == '[';
	unsigned line = p->line, col = gw_toml_col(p);
	struct gw_toml_value *v;
	int r;

	if (depth > GW_TOML_MAX_DEPTH)
		return gw_toml_too_deep(p, line, col);
	v = gw_toml_container_new(is_array ? GW_TOML_ARRAY : GW_TOML_TABLE,
				  line, col, depth, p->seed);
	if (!v)
		return gw_toml_no_memory(p);

	r = is_array ? parse_array(p, v) : parse_inline_table(p, v);
	if (r < 0) {
		gw_toml_free(v);
		return r;
	}
	v->flags |= GW_TOML_F_FROZEN;
	*out = v;
	return 0;
}

static int parse_value(struct gw_toml_parser *p, unsigned depth,
		       struct gw_toml_value **out)
{
	struct gw_toml_value *v;
	int c = gw_toml_peek(p, 0);
	int r;

	if (c == '[' || c == '{')
		return parse_container(p, depth, out);
	v = gw_toml_value_new(GW_TOML_STRING, p->line, gw_toml_col(p));
	if (!v)
		return gw_toml_no_memory(p);

	r = parse_scalar(p, v);
	if (r < 0) {
		gw_toml_free(v);
		return r;
	}
	*out = v;
	return 0;
}

/* key = value, in table t (the current table or an inline one). */
static int parse_keyval(struct gw_toml_parser *p, struct gw_toml_value *t)
{
	struct gw_toml_value *v = NULL;
	struct keypath kp = { 0 };
	struct gw_toml_keypart *last;
	size_t i;
	int r;

	r = parse_key(p, &kp);
	if (r == 0 && gw_toml_peek(p, 0) != '=')
		r = gw_toml_fail(p, "expected '=' after key");
	if (r < 0)
		goto out;
	p->pos++;
	gw_toml_skip_ws(p);

	for (i = 0; r == 0 && i + 1 < kp.n; i++)
		r = gw_toml_walk_dotted(p, t, &kp.parts[i], &t);
	last = &kp.parts[kp.n - 1];
	if (r == 0)
		r = gw_toml_check_new_key(p, t, last);
	if (r == 0)
		r = parse_value(p, gw_toml_depth(t) + 1, &v);
	if (r == 0 && gw_toml_table_add(t, last->s, last->len, last->line,
					last->col, v) < 0) {
		gw_toml_free(v);
		r = gw_toml_no_memory(p);
	}
	if (r == 0)
		last->s = NULL;
out:
	keypath_free(&kp);
	return r;
}

/* After an expression: whitespace, a comment, then a newline or the end. */
static int end_of_line(struct gw_toml_parser *p, const char *what)
{
	gw_toml_skip_ws(p);
	gw_toml_skip_comment(p);
	if (gw_toml_peek(p, 0) < 0)
		return 0;
	if (gw_toml_at_newline(p)) {
		gw_toml_take_newline(p);
		return 0;
	}
	return gw_toml_fail(p, "expected a newline or a comment after %s",
			    what);
}

static int parse_document(struct gw_toml_parser *p, struct gw_toml_value *root)
{
	struct gw_toml_value *cur = root;
	const char *what;
	int c, r;

	if (p->len >= 3 && memcmp(p->s, "\xef\xbb\xbf", 3) == 0)
		p->pos = 3;
	for (;;) {
		gw_toml_skip_ws(p);
		c = gw_toml_peek(p, 0);
		if (c < 0)
			return 0;
		if (c == '[') {
			what = "the table header";
			r = parse_header(p, root, &cur);
		} else if (c != '#' && !gw_toml_at_newline(p)) {
			what = "the value";
			r = parse_keyval(p, cur);
		} else {
			what = "a comment";
			r = 0;
		}
		if (r == 0)
			r = end_of_line(p, what);
		if (r < 0)
			return r;
	}
}

/* The index hash key: random, or failing that, at least not constant. */
static void pick_seed(uint64_t seed[2])
{
	struct timespec ts = { 0 };

	if (getrandom(seed, 2 * sizeof(seed[0]), GRND_NONBLOCK) ==
	    (ssize_t)(2 * sizeof(seed[0])))
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	seed[0] = (uint64_t)(uintptr_t)seed ^ (uint64_t)ts.tv_nsec << 20;
	seed[1] = (uint64_t)ts.tv_sec * 0x9e3779b97f4a7c15ull;
}

int gw_toml_parse(const char *text, size_t len, const char *name,
		  struct gw_toml_value **out, struct gw_error *err)
{
	struct gw_toml_parser p = {
		.s = text, .len = len, .line = 1, .err = err
	};
	struct gw_toml_value *root = NULL;
	int r;

	if (!out || (!text && len))
		return gw_error_set(err, -EINVAL, "no document to parse");
	*out = NULL;
	if (!text)
		p.s = "";

	if (len > GW_TOML_MAX_BYTES) {
		r = gw_error_set(err, -E2BIG,
				 "document of %zu bytes is larger "
				 "than the limit of %u bytes",
				 len, GW_TOML_MAX_BYTES);
	} else {
		pick_seed(p.seed);
		r = gw_toml_check_text(&p);
		if (r == 0) {
			root = gw_toml_container_new(GW_TOML_TABLE, 1, 1, 0,
						     p.seed);
			r = root ? parse_document(&p, root)
				 : gw_toml_no_memory(&p);
		}
	}
	if (r < 0) {
		gw_toml_free(root);
		gw_error_where(err, name ? name : "<input>", NULL);
		return r;
	}
	*out = root;
	return 0;
}
