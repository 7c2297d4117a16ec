#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "space/suggest.h"

static size_t min3(size_t a, size_t b, size_t c)
{
	size_t m = a < b ? a : b;

	return m < c ? m : c;
}

size_t gw_edit_distance(const char *a, size_t alen, const char *b, size_t blen)
{
	/* Three rows of the dynamic programme: i-2, i-1 and i. */
	size_t rows[3][GW_SUGGEST_MAX_LEN + 1];
	size_t *prev2 = rows[0], *prev = rows[1], *cur = rows[2], *t;

	if (alen > GW_SUGGEST_MAX_LEN || blen > GW_SUGGEST_MAX_LEN)
		return alen + blen + 1;

	for (size_t j = 0; j <= blen; j++)
		prev[j] = j;
	for (size_t i = 1; i <= alen; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= blen; j++) {
			int ca = tolower((unsigned char)a[i - 1]);
			int cb = tolower((unsigned char)b[j - 1]);
			size_t cost = ca != cb;

			cur[j] = min3(prev[j] + 1, cur[j - 1] + 1,
				      prev[j - 1] + cost);
			if (i > 1 && j > 1 &&
			    ca == tolower((unsigned char)b[j - 2]) &&
			    tolower((unsigned char)a[i - 2]) == cb &&
			    prev2[j - 2] + 1 < cur[j])
				cur[j] = prev2[j - 2] + 1;
		}
		t = prev2;
		prev2 = prev;
		prev = cur;
		cur = t;
	}
	return prev[blen];
}

const char *gw_suggest(const char *word, size_t len, const char *const *choices)
{
	const char *best = NULL;
	size_t best_d = (size_t)-1;

	for (size_t i = 0; choices[i]; i++) {
		size_t clen = strlen(choices[i]);
		size_t longer = clen > len ? clen : len;
		size_t limit = longer / 3 ? longer / 3 : 1;
		size_t d = gw_edit_distance(word, len, choices[i], clen);

		if (d <= limit && d < best_d) {
			best = choices[i];
			best_d = d;
		}
	}
	if (best)
		return best;
	/* "string" for "str", "integer" for "int": a known word's start. */
	for (size_t i = 0; choices[i]; i++) {
		size_t clen = strlen(choices[i]);

		if (clen >= 3 && clen < len &&
		    strncasecmp(word, choices[i], clen) == 0)
			return choices[i];
	}
	return NULL;
}
