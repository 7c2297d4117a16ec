/*
 * Byte-level checks of source text, before and beside parsing: UTF-8
 * validity, bidirectional controls and invisible characters (Trojan
 * Source), code pushed out of sight by long runs of blanks, and
 * identifiers that use look-alike or compatibility characters. Pure.
 */
#include <string.h>

#include "vet/vet_priv.h"

/* Length of the UTF-8 sequence at s (1..4), 0 when invalid. */
static size_t utf8_len(const unsigned char *s, size_t len, uint32_t *cp)
{
	size_t n;
	uint32_t c;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
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
	if ((n == 3 && c < 0x800) || (n == 4 && c < 0x10000) ||
	    (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
		return 0;
	*cp = c;
	return n;
}

size_t gw_vet_utf8_check(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	uint32_t cp;

	for (size_t i = 0; i < len;) {
		size_t n;

		if (u[i] >= 0x20 && u[i] < 0x80) {
			i++;
			continue;
		}
		if (u[i] == 0)
			return i;
		n = utf8_len(u + i, len - i, &cp);
		if (!n)
			return i;
		i += n;
	}
	return len;
}

static bool is_bidi_or_invisible(uint32_t cp)
{
	return (cp >= 0x202a && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069) ||
	       (cp >= 0x200b && cp <= 0x200f) || cp == 0x2060 || cp == 0x061c ||
	       cp == 0xfeff;
}

size_t gw_vet_find_bidi(const char *s, size_t len, size_t from, uint32_t *cp)
{
	const unsigned char *u = (const unsigned char *)s;

	for (size_t i = from; i < len; i++) {
		size_t n;

		/* Every character looked for starts with 0xd8 or 0xe2/0xef. */
		if (u[i] != 0xe2 && u[i] != 0xef && u[i] != 0xd8)
			continue;
		n = utf8_len(u + i, len - i, cp);
		if (!n)
			continue;
		if (is_bidi_or_invisible(*cp) && !(i == 0 && *cp == 0xfeff))
			return i;
		i += n - 1;
	}
	return len;
}

size_t gw_vet_hidden_code(const char *s, size_t len, unsigned min_cols)
{
	unsigned col = 0, run = 0;

	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (c == '\n' || c == '\r')
			return len;
		if (c == ' ' || c == '\t') {
			unsigned w = c == '\t' ? 8 - col % 8 : 1;

			col += w;
			run += w;
			continue;
		}
		if (run >= min_cols)
			return i;
		run = 0;
		col++;
	}
	return len;
}

unsigned gw_vet_utf8_cols(const char *s, size_t n)
{
	unsigned cols = 0;

	for (size_t i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			cols++;
	return cols;
}

/*
 * What Python's NFKC folding makes of a compatibility letter: full-width
 * forms, mathematical alphanumerics, the long s and a few ligatures.
 * Returns the ASCII text (static) or NULL.
 */
static const char *compat_fold(uint32_t cp, char one[2])
{
	static const char *const lig[] = { "ff",  "fi", "fl", "ffi",
					   "ffl", "st", "st" };
	uint32_t k;

	one[1] = '\0';
	if (cp >= 0xff01 && cp <= 0xff5e) {
		one[0] = (char)(cp - 0xfee0);
		return one;
	}
	if (cp >= 0x1d400 && cp <= 0x1d6a3) {
		k = (cp - 0x1d400) % 52;
		one[0] = (char)(k < 26 ? 'A' + k : 'a' + k - 26);
		return one;
	}
	if (cp >= 0x1d7ce && cp <= 0x1d7ff) {
		one[0] = (char)('0' + (cp - 0x1d7ce) % 10);
		return one;
	}
	if (cp == 0x17f) {
		one[0] = 's';
		return one;
	}
	if (cp >= 0xfb00 && cp <= 0xfb06)
		return lig[cp - 0xfb00];
	return NULL;
}

/* Cyrillic and Greek letters that pass for Latin ones in most fonts. */
static bool latin_lookalike(uint32_t cp)
{
	static const uint32_t cyr[] = {
		0x0410, 0x0412, 0x0415, 0x041a, 0x041c, 0x041d, 0x041e,
		0x0420, 0x0421, 0x0422, 0x0425, 0x0430, 0x0435, 0x043e,
		0x0440, 0x0441, 0x0443, 0x0445, 0x0455, 0x0456, 0x0458,
		0x04bb, 0x0501, 0x0405, 0x0406, 0x0408,
	};
	static const uint32_t grk[] = {
		0x0391, 0x0392, 0x0395, 0x0396, 0x0397, 0x0399,
		0x039a, 0x039c, 0x039d, 0x039f, 0x03a1, 0x03a4,
		0x03a5, 0x03a7, 0x03bf, 0x03bd, 0x03b9, 0x03c5,
	};

	for (size_t i = 0; i < sizeof(cyr) / sizeof(cyr[0]); i++)
		if (cp == cyr[i])
			return true;
	for (size_t i = 0; i < sizeof(grk) / sizeof(grk[0]); i++)
		if (cp == grk[i])
			return true;
	return false;
}

static bool is_latin(uint32_t cp)
{
	return (cp < 0x80 && ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z')) ||
	       (cp >= 0xc0 && cp <= 0x24f && cp != 0xd7 && cp != 0xf7);
}

enum gw_vet_ident_issue gw_vet_ident_check(const char *s, size_t len,
					   char *fold, size_t cap, bool *folded)
{
	const unsigned char *u = (const unsigned char *)s;
	bool latin = false, lookalike = false, compat = false, foreign = false;
	size_t o = 0;
	char one[2];

	*folded = false;
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t n = utf8_len(u + i, len - i, &cp);
		const char *f;

		if (!n)
			return GW_VET_IDENT_OK;
		f = compat_fold(cp, one);
		compat |= f != NULL;
		latin |= is_latin(cp);
		lookalike |= latin_lookalike(cp);
		foreign |= cp >= 0x80 && !f && !is_latin(cp) &&
			   !latin_lookalike(cp);
		if (!f)
			f = s + i;
		for (size_t k = 0; f == s + i ? k < n : f[k]; k++)
			if (o + 1 < cap)
				fold[o++] = f[k];
		i += n;
	}
	if (cap)
		fold[o < cap ? o : cap - 1] = '\0';
	if (compat) {
		*folded = true;
		return GW_VET_IDENT_COMPAT;
	}
	/* Look-alikes among Latin letters, or a word made only of them. */
	if (lookalike && (latin || !foreign))
		return GW_VET_IDENT_MIXED;
	return GW_VET_IDENT_OK;
}
