/*
 * A strict JSON (RFC 8259) pull reader for OSV records. It walks the
 * text once without building a tree: the loader asks for the members it
 * knows and skips the rest, which is what makes a 2,700-record database
 * load in a few milliseconds (jansson needs ~90 us a record here, the
 * whole budget). Syntax is always checked in full; strings are checked
 * for valid UTF-8 only when decoded (the kept ones). Nesting is capped
 * at GW_OSV_JSON_MAX_DEPTH.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "core/limits.h"
#include "deps/osv_priv.h"

void gw_osvj_init(struct osvj *j, const char *text, size_t len)
{
	j->start = text;
	j->p = text;
	j->end = text + len;
	j->depth = 0;
	j->err = 0;
	j->what = NULL;
}

bool gw_osvj_fail(struct osvj *j, int code, const char *what)
{
	if (!j->err) {
		j->err = code;
		j->what = what;
	}
	return false;
}

static void skip_ws(struct osvj *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\n' ||
				 *j->p == '\r' || *j->p == '\t'))
		j->p++;
}

/* After whitespace, the byte c, consumed. */
static bool eat(struct osvj *j, char c)
{
	skip_ws(j);
	if (j->p < j->end && *j->p == c) {
		j->p++;
		return true;
	}
	return false;
}

enum gw_osvj_type gw_osvj_peek(struct osvj *j)
{
	if (j->err)
		return OSVJ_NONE;
	skip_ws(j);
	if (j->p == j->end)
		return OSVJ_NONE;
	switch (*j->p) {
	case '{': return OSVJ_OBJECT;
	case '[': return OSVJ_ARRAY;
	case '"': return OSVJ_STRING;
	case 't':
	case 'f':
	case 'n': return OSVJ_LITERAL;
	default:
		if (*j->p == '-' || (*j->p >= '0' && *j->p <= '9'))
			return OSVJ_NUMBER;
		return OSVJ_NONE;
	}
}

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || ((c | 32) >= 'a' && (c | 32) <= 'f');
}

/* One escape after its backslash: \" \\ \/ \b \f \n \r \t \uXXXX. */
static bool scan_escape(struct osvj *j)
{
	if (j->p == j->end)
		return gw_osvj_fail(j, -EINVAL, "truncated escape");
	if (strchr("\"\\/bfnrt", *j->p) && *j->p) {
		j->p++;
		return true;
	}
	if (*j->p != 'u' || j->end - j->p < 5 || !is_hex(j->p[1]) ||
	    !is_hex(j->p[2]) || !is_hex(j->p[3]) || !is_hex(j->p[4]))
		return gw_osvj_fail(j, -EINVAL, "bad escape");
	j->p += 5;
	return true;
}

bool gw_osvj_string(struct osvj *j, struct jstr *out)
{
	if (gw_osvj_peek(j) != OSVJ_STRING)
		return gw_osvj_fail(j, -EINVAL, "expected a string");
	out->s = ++j->p;
	out->escaped = false;
	while (j->p < j->end) {
		unsigned char c = (unsigned char)*j->p;

		if (c == '"') {
			out->len = (size_t)(j->p - out->s);
			j->p++;
			return true;
		}
		if (c < 0x20)
			return gw_osvj_fail(j, -EINVAL,
					    "control byte in a string");
		j->p++;
		if (c == '\\') {
			out->escaped = true;
			if (!scan_escape(j))
				return false;
		}
	}
	return gw_osvj_fail(j, -EINVAL, "unterminated string");
}

static size_t digits(struct osvj *j)
{
	const char *s = j->p;

	while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
		j->p++;
	return (size_t)(j->p - s);
}

/* -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)? */
static bool scan_number(struct osvj *j)
{
	if (*j->p == '-')
		j->p++;
	if (j->p < j->end && *j->p == '0')
		j->p++;
	else if (digits(j) == 0)
		return gw_osvj_fail(j, -EINVAL, "bad number");
	if (j->p < j->end && *j->p == '.') {
		j->p++;
		if (digits(j) == 0)
			return gw_osvj_fail(j, -EINVAL, "bad number");
	}
	if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
		j->p++;
		if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
			j->p++;
		if (digits(j) == 0)
			return gw_osvj_fail(j, -EINVAL, "bad number");
	}
	return true;
}

static bool scan_literal(struct osvj *j)
{
	static const char *const words[] = { "true", "false", "null" };

	for (size_t i = 0; i < 3; i++) {
		size_t n = strlen(words[i]);

		if ((size_t)(j->end - j->p) >= n &&
		    memcmp(j->p, words[i], n) == 0) {
			j->p += n;
			return true;
		}
	}
	return gw_osvj_fail(j, -EINVAL, "bad literal");
}

static bool enter(struct osvj *j, char open)
{
	if (!eat(j, open))
		return gw_osvj_fail(j, -EINVAL,
				    open == '{' ? "expected an object"
						: "expected an array");
	if (++j->depth > GW_OSV_JSON_MAX_DEPTH)
		return gw_osvj_fail(j, -E2BIG, "nested too deep");
	return true;
}

/* Before each item: the opening bracket, or a comma; false at the end. */
static bool next_item(struct osvj *j, bool *first, char open, char close)
{
	if (j->err)
		return false;
	if (*first) {
		*first = false;
		if (!enter(j, open))
			return false;
		if (eat(j, close)) {
			j->depth--;
			return false;
		}
		return true;
	}
	if (eat(j, close)) {
		j->depth--;
		return false;
	}
	if (!eat(j, ','))
		return gw_osvj_fail(j, -EINVAL, "expected ',' or a close");
	return true;
}

bool gw_osvj_object_next(struct osvj *j, bool *first, struct jstr *key)
{
	if (!next_item(j, first, '{', '}'))
		return false;
	if (!gw_osvj_string(j, key))
		return false;
	if (!eat(j, ':'))
		return gw_osvj_fail(j, -EINVAL, "expected ':'");
	return true;
}

bool gw_osvj_array_next(struct osvj *j, bool *first)
{
	return next_item(j, first, '[', ']');
}

void gw_osvj_skip(struct osvj *j)
{
	struct jstr s;
	bool first = true;

	switch (gw_osvj_peek(j)) {
	case OSVJ_OBJECT:
		while (gw_osvj_object_next(j, &first, &s))
			gw_osvj_skip(j);
		break;
	case OSVJ_ARRAY:
		while (gw_osvj_array_next(j, &first))
			gw_osvj_skip(j);
		break;
	case OSVJ_STRING: gw_osvj_string(j, &s); break;
	case OSVJ_NUMBER: scan_number(j); break;
	case OSVJ_LITERAL: scan_literal(j); break;
	default: gw_osvj_fail(j, -EINVAL, "expected a value"); break;
	}
}

int gw_osvj_finish(struct osvj *j)
{
	skip_ws(j);
	if (!j->err && j->p != j->end)
		gw_osvj_fail(j, -EINVAL, "text after the document");
	return j->err;
}

static unsigned hex4(const char *p)
{
	unsigned v = 0;

	for (int i = 0; i < 4; i++) {
		char c = p[i];

		v = v * 16 +
		    (unsigned)(c <= '9' ? c - '0' : (c | 32) - 'a' + 10);
	}
	return v;
}

/* The length of the valid UTF-8 sequence at s (1-4), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	uint32_t cp;
	size_t len;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* No overlong forms, no surrogates, nothing past U+10FFFF. */
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

static size_t put_utf8(char *out, uint32_t cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* A \u escape (with its low half when it is a high surrogate). */
static int unicode_escape(const char *s, size_t n, size_t *i, uint32_t *cp)
{
	uint32_t hi = hex4(s + *i + 2), lo;

	*i += 6;
	if (hi >= 0xdc00 && hi <= 0xdfff)
		return -EINVAL;
	if (hi < 0xd800 || hi > 0xdbff) {
		*cp = hi;
		return hi == 0 ? -EINVAL : 0;
	}
	if (n - *i < 6 || s[*i] != '\\' || s[*i + 1] != 'u')
		return -EINVAL;
	lo = hex4(s + *i + 2);
	if (lo < 0xdc00 || lo > 0xdfff)
		return -EINVAL;
	*i += 6;
	*cp = 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
	return 0;
}

/* One character of s at *i into out (4 bytes of room); its length. */
static int decode_char(const struct jstr *str, size_t *i, char *out)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *s = str->s;
	size_t n;
	uint32_t cp;
	int rc;

	if (s[*i] != '\\') {
		n = utf8_len((const unsigned char *)s + *i, str->len - *i);
		if (n == 0 || s[*i] == '\0')
			return -EINVAL;
		memcpy(out, s + *i, n);
		*i += n;
		return (int)n;
	}
	if (s[*i + 1] != 'u') {
		out[0] = to[strchr(from, s[*i + 1]) - from];
		*i += 2;
		return 1;
	}
	rc = unicode_escape(s, str->len, i, &cp);
	return rc < 0 ? rc : (int)put_utf8(out, cp);
}

int gw_jstr_decode(const struct jstr *s, char *buf, size_t cap, bool truncate)
{
	size_t i = 0, n = 0;

	if (cap == 0)
		return -E2BIG;
	while (i < s->len) {
		char ch[4];
		int k = decode_char(s, &i, ch);

		if (k < 0)
			return k;
		if (n + (size_t)k >= cap) {
			if (!truncate)
				return -E2BIG;
			break;
		}
		memcpy(buf + n, ch, (size_t)k);
		n += (size_t)k;
	}
	buf[n] = '\0';
	return (int)n;
}

char *gw_jstr_dup(struct osv_arena *a, const struct jstr *s, size_t max)
{
	char *p;
	int n;

	if (s->len >= max)
		return NULL;
	/* Escapes only ever shrink the text. */
	p = gw_osv_arena_alloc(a, s->len + 1);
	if (!p)
		return NULL;
	n = gw_jstr_decode(s, p, s->len + 1, false);
	return n < 0 ? NULL : p;
}

bool gw_jstr_is_n(const struct jstr *s, const char *lit, size_t n)
{
	char buf[64];

	if (!s->escaped)
		return s->len == n && memcmp(s->s, lit, n) == 0;
	return gw_jstr_decode(s, buf, sizeof(buf), false) == (int)n &&
	       memcmp(buf, lit, n) == 0;
}
