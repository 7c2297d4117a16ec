/*
 * PEP 503 project names and the PEP 508 identifier they are written as.
 */
#include <errno.h>

#include "deps/deps.h"
#include "deps/pep_priv.h"

static bool is_name_sep(unsigned char c)
{
	return c == '-' || c == '_' || c == '.';
}

size_t gw_pep508_ident_len(const char *s, size_t len)
{
	size_t last = 0;

	if (len == 0 || !pep_is_alnum((unsigned char)s[0]))
		return 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (pep_is_alnum(c))
			last = i + 1;
		else if (!is_name_sep(c))
			break;
	}
	return last;
}

int gw_pep503_fold(const char *s, size_t len, char *buf, size_t cap)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (is_name_sep(c)) {
			while (i + 1 < len &&
			       is_name_sep((unsigned char)s[i + 1]))
				i++;
			c = '-';
		}
		if (n + 1 >= cap)
			return -ENOSPC;
		buf[n++] = (char)pep_lower(c);
	}
	if (cap == 0)
		return -ENOSPC;
	buf[n] = '\0';
	return (int)n;
}

int gw_pep503_normalize(const char *name, size_t len, char *buf, size_t cap)
{
	if (len == 0 || len > 0x7fffffff ||
	    gw_pep508_ident_len(name, len) != len)
		return -EINVAL;
	return gw_pep503_fold(name, len, buf, cap);
}
