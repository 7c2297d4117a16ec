#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"

static enum gw_log_level max_level = GW_LOG_WARN;

void gw_log_set_level(enum gw_log_level level)
{
	max_level = level;
}

void gw_log(enum gw_log_level level, const char *fmt, ...)
{
	static const char *const tags[] = {
		[GW_LOG_ERROR] = "",
		[GW_LOG_WARN] = "warning: ",
		[GW_LOG_INFO] = "",
		[GW_LOG_DEBUG] = "debug: ",
	};
	char line[2048];
	va_list ap;

	if (level > max_level)
		return;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stderr, "gymwarden: %s%s\n", tags[level], line);
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when invalid. */
static size_t utf8_seq(const unsigned char *s, size_t len, uint32_t *cp)
{
	size_t n;
	uint32_t c;

	if (s[0] < 0xc2 || s[0] > 0xf4)
		return 0;
	n = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : 2;
	if (n > len)
		return 0;
	c = s[0] & (0x7f >> n);
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	/* Reject overlong forms, surrogates and code points past U+10FFFF. */
	if ((n == 3 && c < 0x800) || (n == 4 && c < 0x10000) ||
	    (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
		return 0;
	*cp = c;
	return n;
}

static bool is_bidi_control(uint32_t cp)
{
	return cp == 0x061c || cp == 0x200e || cp == 0x200f ||
	       (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

/* The escaped form of the character at s into tmp; its source length. */
static size_t escape_one(const unsigned char *s, size_t len, char tmp[16],
			 size_t *tlen)
{
	uint32_t cp;
	size_t n;

	switch (s[0]) {
	case '\\': *tlen = (size_t)snprintf(tmp, 16, "\\\\"); return 1;
	case '"': *tlen = (size_t)snprintf(tmp, 16, "\\\""); return 1;
	case '\n': *tlen = (size_t)snprintf(tmp, 16, "\\n"); return 1;
	case '\t': *tlen = (size_t)snprintf(tmp, 16, "\\t"); return 1;
	case '\r': *tlen = (size_t)snprintf(tmp, 16, "\\r"); return 1;
	default: break;
	}
	if (s[0] >= 0x20 && s[0] < 0x7f) {
		tmp[0] = (char)s[0];
		*tlen = 1;
		return 1;
	}
	n = s[0] >= 0x80 ? utf8_seq(s, len, &cp) : 0;
	if (n == 0) {
		*tlen = (size_t)snprintf(tmp, 16, "\\x%02x", s[0]);
		return 1;
	}
	if (is_bidi_control(cp)) {
		*tlen = (size_t)snprintf(tmp, 16, "\\u{%04x}", cp);
		return n;
	}
	memcpy(tmp, s, n);
	*tlen = n;
	return n;
}

size_t gw_escape(char *dst, size_t cap, const char *src, size_t len)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t out = 0, i = 0;
	char tmp[16];
	size_t tlen;

	if (cap == 0)
		return 0;

	while (i < len) {
		size_t used = escape_one(s + i, len - i, tmp, &tlen);

		if (out + tlen + 1 > cap) {
			/* Cut at a whole escape and leave room for "...". */
			while (out > 0 && out + 4 > cap)
				out--;
			if (out + 4 <= cap) {
				memcpy(dst + out, "...", 3);
				out += 3;
			}
			break;
		}
		memcpy(dst + out, tmp, tlen);
		out += tlen;
		i += used;
	}
	dst[out] = '\0';
	return out;
}
