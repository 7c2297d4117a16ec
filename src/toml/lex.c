/*
 * Scanning helpers of the TOML reader: error reporting, the check of the
 * whole text before parsing, whitespace, comments, newlines and keys.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "core/error.h"
#include "core/limits.h"
#include "core/log.h"
#include "toml/internal.h"

int gw_toml_fail_at(struct gw_toml_parser *p, int code, unsigned line,
		    unsigned col, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return gw_error_set_at(p->err, code, line, col, "%s", msg);
}

int gw_toml_fail(struct gw_toml_parser *p, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return gw_error_set_at(p->err, -EINVAL, p->line, gw_toml_col(p), "%s",
			       msg);
}

/* Report a failed append (-E2BIG or -ENOMEM) to out while reading what. */
int gw_toml_fail_buf(struct gw_toml_parser *p, int r, const struct gw_buf *out,
		     const char *what)
{
	if (r == -E2BIG)
		return gw_toml_fail_at(p, r, p->line, gw_toml_col(p),
				       "%s longer than the limit of %zu bytes",
				       what, out->max_bytes);
	return gw_toml_fail_at(p, r, p->line, gw_toml_col(p),
			       "out of memory while reading %s", what);
}

int gw_toml_no_memory(struct gw_toml_parser *p)
{
	return gw_toml_fail_at(p, -ENOMEM, p->line, gw_toml_col(p),
			       "out of memory");
}

int gw_toml_too_deep(struct gw_toml_parser *p, unsigned line, unsigned col)
{
	return gw_toml_fail_at(p, -E2BIG, line, col,
			       "tables and arrays nested deeper than the "
			       "limit of %u levels",
			       GW_TOML_MAX_DEPTH);
}

/* Document text in a message: escaped and cut to fit in dst. */
void gw_toml_quote(char *dst, size_t cap, const char *s, size_t len)
{
	gw_escape(dst, cap, s, len);
}

/*
 * Length of the UTF-8 sequence at s (1 to 4 bytes) when it encodes a
 * Unicode scalar value in its shortest form, else 0.
 */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	uint32_t cp, min;
	size_t len;

	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2, cp = s[0] & 0x1f, min = 0x80;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3, cp = s[0] & 0x0f, min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4, cp = s[0] & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (len > n)
		return 0;

	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/* Whether the ASCII byte at s[i] may appear raw in TOML text. */
static bool ascii_ok(const unsigned char *s, size_t i, size_t len)
{
	unsigned char c = s[i];

	if (c == '\r')
		return i + 1 < len && s[i + 1] == '\n';
	return c == '\t' || c == '\n' || (c >= 0x20 && c < 0x7f);
}

static int bad_ascii(struct gw_toml_parser *p, unsigned char c, unsigned line,
		     unsigned col)
{
	if (c == '\r')
		return gw_toml_fail_at(p, -EINVAL, line, col,
				       "carriage return not followed by a "
				       "line feed");
	return gw_toml_fail_at(p, -EINVAL, line, col,
			       "control character U+%04X is not allowed "
			       "(write it as an escape in a basic string)",
			       c);
}

/*
 * TOML text is UTF-8, and nowhere may it hold a raw control character
 * other than tab, line feed and CR LF (comments and every string form
 * included), so both are checked once over the whole text; the scanners
 * that follow can then trust every byte they meet.
 */
int gw_toml_check_text(struct gw_toml_parser *p)
{
	const unsigned char *s = (const unsigned char *)p->s;
	unsigned line = 1;
	size_t bol = 0, i = 0, n;

	while (i < p->len) {
		if (s[i] >= 0x80) {
			n = utf8_len(s + i, p->len - i);
			if (n == 0)
				return gw_toml_fail_at(
					p, -EINVAL, line,
					(unsigned)(i - bol + 1),
					"invalid UTF-8 (byte 0x%02x)", s[i]);
			i += n;
			continue;
		}
		if (!ascii_ok(s, i, p->len))
			return bad_ascii(p, s[i], line,
					 (unsigned)(i - bol + 1));
		if (s[i++] == '\n') {
			line++;
			bol = i;
		}
	}
	return 0;
}

void gw_toml_skip_ws(struct gw_toml_parser *p)
{
	while (p->pos < p->len && (p->s[p->pos] == ' ' || p->s[p->pos] == '\t'))
		p->pos++;
}

bool gw_toml_at_newline(const struct gw_toml_parser *p)
{
	int c = gw_toml_peek(p, 0);

	return c == '\n' || (c == '\r' && gw_toml_peek(p, 1) == '\n');
}

/* Consume the LF or CR LF at pos and start the next line. */
void gw_toml_take_newline(struct gw_toml_parser *p)
{
	p->pos += p->s[p->pos] == '\r' ? 2 : 1;
	p->line++;
	p->bol = p->pos;
}

/* A comment runs to the end of the line; the newline is left in place. */
void gw_toml_skip_comment(struct gw_toml_parser *p)
{
	if (gw_toml_peek(p, 0) != '#')
		return;
	while (p->pos < p->len && !gw_toml_at_newline(p))
		p->pos++;
}

/* Whitespace, comments and newlines, as allowed between array items. */
void gw_toml_skip_blank(struct gw_toml_parser *p)
{
	for (;;) {
		gw_toml_skip_ws(p);
		gw_toml_skip_comment(p);
		if (!gw_toml_at_newline(p))
			return;
		gw_toml_take_newline(p);
	}
}

static bool is_bare_key_char(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/* One part of a key, bare or quoted, into out. */
int gw_toml_scan_key_part(struct gw_toml_parser *p, struct gw_buf *out)
{
	size_t start = p->pos;
	int c = gw_toml_peek(p, 0);
	int r;

	if (c == '"' || c == '\'')
		return gw_toml_scan_string(p, out, true);
	while (p->pos < p->len && is_bare_key_char(p->s[p->pos]))
		p->pos++;
	if (p->pos == start) {
		if (c < 0 || c == '\n' || c == '\r')
			return gw_toml_fail(p, "expected a key");
		if (c == '=')
			return gw_toml_fail(p, "expected a key before '='");
		return gw_toml_fail(p, "expected a key: a bare key is made of "
				       "A-Z a-z 0-9 _ - or is quoted");
	}

	r = gw_buf_append(out, p->s + start, p->pos - start);
	return r < 0 ? gw_toml_fail_buf(p, r, out, "key") : 0;
}
