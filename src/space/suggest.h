/*
 * "Did you mean 'X'?": the nearest of a list of known words to one that
 * was not recognised. Pure; used by the space and manifest checkers.
 */
#ifndef GW_SPACE_SUGGEST_H
#define GW_SPACE_SUGGEST_H

#include <stddef.h>

/*
 * Restricted Damerau-Levenshtein distance between a (alen bytes) and b
 * (blen bytes), counting an adjacent swap as one edit. Inputs longer
 * than GW_SUGGEST_MAX_LEN bytes give a distance larger than both.
 */
#define GW_SUGGEST_MAX_LEN 64u
size_t gw_edit_distance(const char *a, size_t alen, const char *b, size_t blen);

/*
 * The word of choices (NULL-terminated) nearest to word, or NULL when
 * none is close: within a third of the longer length, at least 1 edit;
 * failing that, a word of 3 or more letters that word starts with
 * ("str" for "string"). Case is ignored.
 */
const char *gw_suggest(const char *word, size_t len,
		       const char *const *choices);

#endif /* GW_SPACE_SUGGEST_H */
