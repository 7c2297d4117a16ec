/*
 * Text spaces: strict UTF-8 decoding (no overlong forms, no surrogates,
 * nothing past U+10FFFF), the set of characters a Text space allows and
 * the judgement of one text against its space.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "space/ops_priv.h"

/* Gymnasium's default: string.ascii_letters + string.digits. */
static const char default_charset[] =
	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/* The lead bytes of each sequence length and the smallest value each. */
static const struct {
	unsigned char lo, hi; /* lead byte range */
	unsigned char bits;   /* payload bits the lead byte keeps */
	size_t len;
	uint32_t min;
} forms[] = {
	{ 0x00, 0x7f, 0x7f, 1, 0 },
	{ 0xc2, 0xdf, 0x1f, 2, 0x80 },
	{ 0xe0, 0xef, 0x0f, 3, 0x800 },
	{ 0xf0, 0xf4, 0x07, 4, 0x10000 },
};

/* The code point at s in *cp and its length; 0 when invalid. */
static size_t utf8_next(const unsigned char *s, size_t len, uint32_t *cp)
{
	size_t f = 0, n;
	uint32_t c;

	while (f < sizeof(forms) / sizeof(forms[0]) &&
	       !(s[0] >= forms[f].lo && s[0] <= forms[f].hi))
		f++;
	if (f == sizeof(forms) / sizeof(forms[0]) || forms[f].len > len)
		return 0;

	n = forms[f].len;
	c = s[0] & forms[f].bits;
	for (size_t k = 1; k < n; k++) {
		if ((s[k] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[k] & 0x3f);
	}
	if (c < forms[f].min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

size_t gw_utf8_put(uint32_t cp, unsigned char *out)
{
	if (cp < 0x80) {
		out[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (unsigned char)(0xc0 | (cp >> 6));
		out[1] = (unsigned char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (unsigned char)(0xe0 | (cp >> 12));
		out[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (unsigned char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (unsigned char)(0xf0 | (cp >> 18));
	out[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (unsigned char)(0x80 | (cp & 0x3f));
	return 4;
}

static int cmp_cp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* Decode s into cs->cps, sorted and without repeats. */
static int charset_fill(struct gw_charset *cs, const unsigned char *s,
			size_t len)
{
	size_t n = 0, k, w;
	uint32_t cp;

	for (size_t i = 0; i < len; i += k, n++) {
		k = utf8_next(s + i, len - i, &cp);
		if (!k)
			return -EINVAL;
		cs->cps[n] = cp;
	}
	qsort(cs->cps, n, sizeof(cs->cps[0]), cmp_cp);
	for (k = 0, w = 0; k < n; k++)
		if (w == 0 || cs->cps[w - 1] != cs->cps[k])
			cs->cps[w++] = cs->cps[k];
	cs->ncps = w;
	for (k = 0; k < w && cs->cps[k] < 128; k++)
		cs->ascii[cs->cps[k] >> 6] |= (uint64_t)1 << (cs->cps[k] & 63);
	return w ? 0 : -EINVAL;
}

int gw_charset_new(const struct gw_space *text, struct gw_charset **out)
{
	const char *s = text->u.text.charset;
	size_t len = text->u.text.charset_len;
	struct gw_charset *cs;
	int r;

	*out = NULL;
	if (!s) {
		s = default_charset;
		len = sizeof(default_charset) - 1;
	}
	cs = calloc(1, sizeof(*cs));
	if (cs)
		cs->cps = calloc(len ? len : 1, sizeof(cs->cps[0]));
	if (!cs || !cs->cps) {
		gw_charset_free(cs);
		return -ENOMEM;
	}
	r = charset_fill(cs, (const unsigned char *)s, len);
	if (r < 0) {
		gw_charset_free(cs);
		return r;
	}
	*out = cs;
	return 0;
}

void gw_charset_free(struct gw_charset *cs)
{
	if (!cs)
		return;
	free(cs->cps);
	free(cs);
}

bool gw_charset_has(const struct gw_charset *cs, uint32_t cp)
{
	if (cp < 128)
		return cs->ascii[cp >> 6] & ((uint64_t)1 << (cp & 63));
	return bsearch(&cp, cs->cps, cs->ncps, sizeof(cp), cmp_cp) != NULL;
}

void gw_text_scan(const struct gw_charset *cs, const unsigned char *s,
		  size_t len, struct gw_text_scan *out)
{
	size_t i = 0, k;
	uint32_t cp;

	memset(out, 0, sizeof(*out));
	out->utf8 = true;
	for (; i < len; i += k, out->length++) {
		k = utf8_next(s + i, len - i, &cp);
		if (!k) {
			out->utf8 = false;
			out->bad_byte = i;
			return;
		}
		if (!out->outside && !gw_charset_has(cs, cp)) {
			out->outside = true;
			out->outside_at = out->length;
			out->outside_cp = cp;
		}
	}
}

enum gw_fault gw_text_judge(const struct gw_space *s,
			    const struct gw_text_scan *sc, char *buf,
			    size_t cap)
{
	const struct gw_text *t = &s->u.text;
	unsigned char ch[4];
	char esc[32];

	if (!sc->utf8) {
		snprintf(buf, cap, "not valid UTF-8 at byte %zu", sc->bad_byte);
		return GW_FAULT_SHAPE;
	}
	if (sc->length < t->min_length || sc->length > t->max_length) {
		snprintf(buf, cap, "length %" PRIu64 " is %s %s %" PRIu64,
			 sc->length,
			 sc->length < t->min_length ? "below" : "above",
			 sc->length < t->min_length ? "min_length"
						    : "max_length",
			 sc->length < t->min_length ? t->min_length
						    : t->max_length);
		return GW_FAULT_BOUNDS;
	}
	if (sc->outside) {
		gw_escape(esc, sizeof(esc), (const char *)ch,
			  gw_utf8_put(sc->outside_cp, ch));
		snprintf(buf, cap,
			 "'%s' (U+%04" PRIX32 ") at %" PRIu64
			 " is not in the charset",
			 esc, sc->outside_cp, sc->outside_at);
		return GW_FAULT_BOUNDS;
	}
	return GW_FAULT_COUNT;
}
