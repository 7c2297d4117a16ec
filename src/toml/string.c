/*
 * The four string forms of TOML: basic "...", literal '...', multi-line
 * basic """...""" (with escapes and the line-ending backslash) and
 * multi-line literal '''...'''. gw_toml_check_text has already rejected
 * invalid UTF-8 and raw control characters other than tab and newlines,
 * so only newlines need care here.
 */
#include <errno.h>

#include "toml/internal.h"

struct str_ctx {
	struct gw_toml_parser *p;
	struct gw_buf *out;
	char quote; /* '"' or '\'' */
	bool multi;
	bool is_key;
	unsigned line, col; /* of the opening quote */
};

static int put(struct str_ctx *c, const void *s, size_t n)
{
	int r = gw_buf_append(c->out, s, n);

	if (r < 0)
		return gw_toml_fail_buf(c->p, r, c->out,
					c->is_key ? "key" : "string");
	return 0;
}

/* Append a code point already known to be a Unicode scalar value. */
static int put_utf8(struct str_ctx *c, uint32_t cp)
{
	unsigned char b[4];
	size_t n;

	if (cp < 0x80) {
		b[0] = (unsigned char)cp, n = 1;
	} else if (cp < 0x800) {
		b[0] = (unsigned char)(0xc0 | cp >> 6), n = 2;
	} else if (cp < 0x10000) {
		b[0] = (unsigned char)(0xe0 | cp >> 12), n = 3;
	} else {
		b[0] = (unsigned char)(0xf0 | cp >> 18), n = 4;
	}
	for (size_t i = 1; i < n; i++)
		b[i] = (unsigned char)(0x80 |
				       ((cp >> (6 * (n - 1 - i))) & 0x3f));
	return put(c, b, n);
}

static int hex_value(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* \uXXXX or \UXXXXXXXX at pos (the backslash); digits is 4 or 8. */
static int scan_unicode(struct str_ctx *c, int digits)
{
	struct gw_toml_parser *p = c->p;
	uint32_t cp = 0;
	int d;

	for (int i = 0; i < digits; i++) {
		d = hex_value(gw_toml_peek(p, 2 + (size_t)i));
		if (d < 0) {
			p->pos += 2 + (size_t)i;
			return gw_toml_fail(p,
					    "expected %d hexadecimal digits "
					    "after '\\%c'",
					    digits, digits == 4 ? 'u' : 'U');
		}
		cp = cp << 4 | (uint32_t)d;
	}
	if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return gw_toml_fail(p,
				    "escape \\%c%0*X is not a Unicode "
				    "scalar value",
				    digits == 4 ? 'u' : 'U', digits, cp);

	p->pos += 2 + (size_t)digits;
	return put_utf8(c, cp);
}

/* The byte a one-letter escape stands for, or -1. */
static int simple_escape(int ch)
{
	static const char map[][2] = {
		{ 'b', '\b' }, { 't', '\t' }, { 'n', '\n' },  { 'f', '\f' },
		{ 'r', '\r' }, { '"', '"' },  { '\\', '\\' },
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (map[i][0] == ch)
			return map[i][1];
	return -1;
}

/* One escape sequence at pos (the backslash). */
static int scan_escape(struct str_ctx *c)
{
	struct gw_toml_parser *p = c->p;
	int ch = gw_toml_peek(p, 1), out = simple_escape(ch);
	char byte;

	if (out >= 0) {
		byte = (char)out;
		p->pos += 2;
		return put(c, &byte, 1);
	}
	if (ch == 'u' || ch == 'U')
		return scan_unicode(c, ch == 'u' ? 4 : 8);
	if (ch == ' ' || ch == '\t')
		return gw_toml_fail(p, "invalid escape: a '\\' followed by "
				       "whitespace must end its line");
	if (ch > 0x20 && ch < 0x7f)
		return gw_toml_fail(p,
				    "invalid escape '\\%c' (TOML 1.0 has "
				    "\\b \\t \\n \\f \\r \\\" \\\\ "
				    "\\uXXXX \\UXXXXXXXX)",
				    ch);
	return gw_toml_fail(p, "invalid escape: expected a character after "
			       "'\\'");
}

/*
 * In a multi-line basic string, a backslash that is the last thing on
 * its line (trailing whitespace allowed) removes the newline and all
 * whitespace and newlines after it. Returns whether it found one.
 */
static bool line_ending_backslash(struct str_ctx *c)
{
	struct gw_toml_parser *p = c->p;
	size_t save = p->pos;

	p->pos++;
	gw_toml_skip_ws(p);
	if (!gw_toml_at_newline(p)) {
		p->pos = save;
		return false;
	}
	for (;;) {
		gw_toml_skip_ws(p);
		if (!gw_toml_at_newline(p))
			return true;
		gw_toml_take_newline(p);
	}
}

/*
 * A run of quote characters inside a multi-line string: fewer than three
 * are content; three close the string and up to two more before them
 * belong to it. Returns 1 when the string ended.
 */
static int quote_run(struct str_ctx *c)
{
	struct gw_toml_parser *p = c->p;
	size_t n = 0;
	int r;

	while (gw_toml_peek(p, n) == c->quote)
		n++;
	if (n > 5) {
		p->pos += 5;
		return gw_toml_fail(p,
				    "too many quotes: at most two may come "
				    "before the closing %c%c%c",
				    c->quote, c->quote, c->quote);
	}
	r = put(c, p->s + p->pos, n >= 3 ? n - 3 : n);
	p->pos += n;
	if (r < 0)
		return r;
	return n >= 3;
}

/* Plain bytes up to the next quote, backslash or line break. */
static int plain_run(struct str_ctx *c)
{
	struct gw_toml_parser *p = c->p;
	size_t start = p->pos;
	char ch;

	while (p->pos < p->len) {
		ch = p->s[p->pos];
		if (ch == c->quote || ch == '\n' || ch == '\r' ||
		    (ch == '\\' && c->quote == '"'))
			break;
		p->pos++;
	}
	return put(c, p->s + start, p->pos - start);
}

static int unterminated(struct str_ctx *c)
{
	if (c->multi)
		return gw_toml_fail(c->p,
				    "expected %c%c%c to close the "
				    "multi-line string opened at line %u",
				    c->quote, c->quote, c->quote, c->line);
	return gw_toml_fail(c->p,
			    "expected %c to close the string opened "
			    "at %u:%u (strings in quotes cannot span lines)",
			    c->quote, c->line, c->col);
}

/* What follows at pos inside the string; 1 when the string ended. */
static int scan_step(struct str_ctx *c)
{
	struct gw_toml_parser *p = c->p;
	int ch = gw_toml_peek(p, 0);

	if (ch < 0)
		return unterminated(c);
	if (ch == c->quote && !c->multi) {
		p->pos++;
		return 1;
	}
	if (ch == c->quote)
		return quote_run(c);
	if (ch == '\n' || ch == '\r') {
		if (!c->multi)
			return unterminated(c);
		gw_toml_take_newline(p);
		return put(c, "\n", 1);
	}
	if (ch == '\\' && c->quote == '"') {
		if (c->multi && line_ending_backslash(c))
			return 0;
		return scan_escape(c);
	}
	return plain_run(c);
}

int gw_toml_scan_string(struct gw_toml_parser *p, struct gw_buf *out,
			bool is_key)
{
	struct str_ctx c = {
		.p = p,
		.out = out,
		.quote = (char)gw_toml_peek(p, 0),
		.is_key = is_key,
		.line = p->line,
		.col = gw_toml_col(p),
	};
	int r;

	c.multi =
		gw_toml_peek(p, 1) == c.quote && gw_toml_peek(p, 2) == c.quote;
	if (c.multi && is_key)
		return gw_toml_fail(p, "a key cannot be a multi-line string");
	p->pos += c.multi ? 3 : 1;

	/* A newline right after the opening delimiter is not content. */
	if (c.multi && gw_toml_at_newline(p))
		gw_toml_take_newline(p);
	do {
		r = scan_step(&c);
	} while (r == 0);
	return r < 0 ? r : 0;
}
