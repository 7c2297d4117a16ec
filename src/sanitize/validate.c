/*
 * Validators of the sanitize rules: pure functions over bytes, no
 * allocation, no globals. Each says whether a pattern match really is the
 * entity it looks like (a checksum, a range, a structure).
 */
#include <arpa/inet.h>
#include <math.h>
#include <sodium.h>
#include <string.h>

#include "sanitize/sanitize_priv.h"

/* The Luhn checksum over n ASCII digits. */
bool gw_san_luhn(const char *digits, size_t n)
{
	unsigned sum = 0;
	bool dbl = false;

	if (n == 0)
		return false;
	for (size_t i = n; i-- > 0;) {
		unsigned d = (unsigned)(digits[i] - '0');

		if (d > 9)
			return false;
		if (dbl) {
			d *= 2;
			if (d > 9)
				d -= 9;
		}
		sum += d;
		dbl = !dbl;
	}
	return sum % 10 == 0;
}

static unsigned prefix_num(const char *d, size_t k)
{
	unsigned v = 0;

	for (size_t i = 0; i < k; i++)
		v = v * 10 + (unsigned)(d[i] - '0');
	return v;
}

/* One issuer range: numbers whose first digits lie in [lo, hi]. */
struct iin_range {
	unsigned char digits; /* how many leading digits lo and hi have */
	unsigned lo, hi;
	unsigned char min_len, max_len;
};

/* Issuer ranges and card lengths of the major networks (public facts). */
static const struct iin_range iin_ranges[] = {
	{ 1, 4, 4, 13, 19 },	   /* Visa */
	{ 2, 51, 55, 16, 16 },	   /* Mastercard */
	{ 4, 2221, 2720, 16, 16 }, /* Mastercard 2-series */
	{ 2, 34, 34, 15, 15 },	   /* American Express */
	{ 2, 37, 37, 15, 15 },	   /* American Express */
	{ 4, 6011, 6011, 16, 19 }, /* Discover */
	{ 3, 644, 649, 16, 19 },   /* Discover */
	{ 2, 65, 65, 16, 19 },	   /* Discover */
	{ 4, 3528, 3589, 16, 19 }, /* JCB */
	{ 3, 300, 305, 14, 19 },   /* Diners Club */
	{ 2, 36, 36, 14, 19 },	   /* Diners Club */
	{ 2, 38, 39, 16, 19 },	   /* Diners Club */
	{ 2, 62, 62, 16, 19 },	   /* UnionPay */
	{ 4, 2200, 2204, 16, 19 }, /* Mir */
	{ 2, 50, 50, 13, 19 },	   /* Maestro */
	{ 2, 56, 58, 13, 19 },	   /* Maestro */
	{ 2, 67, 67, 13, 19 },	   /* Maestro */
};

/* Whether n digits start in a known issuer range with a length it uses. */
bool gw_san_card_iin(const char *digits, size_t n)
{
	for (size_t i = 0; i < sizeof(iin_ranges) / sizeof(iin_ranges[0]);
	     i++) {
		const struct iin_range *r = &iin_ranges[i];
		unsigned v;

		if (n < r->digits || n < r->min_len || n > r->max_len)
			continue;
		v = prefix_num(digits, r->digits);
		if (v < r->lo || v > r->hi)
			continue;
		/* Visa issues 13, 16 and 19 digits only. */
		if (r->lo == 4 && n != 13 && n != 16 && n != 19)
			continue;
		return true;
	}
	return false;
}

/* IBAN lengths by country (ISO 13616 registry, public facts). */
static const char iban_lengths[][3] = {
	"AD\x18", "AE\x17", "AL\x1c", "AT\x14", "AZ\x1c", "BA\x14", "BE\x10",
	"BG\x16", "BH\x16", "BR\x1d", "BY\x1c", "CH\x15", "CR\x16", "CY\x1c",
	"CZ\x18", "DE\x16", "DK\x12", "DO\x1c", "EE\x14", "EG\x1d", "ES\x18",
	"FI\x12", "FO\x12", "FR\x1b", "GB\x16", "GE\x16", "GI\x17", "GL\x12",
	"GR\x1b", "GT\x1c", "HR\x15", "HU\x1c", "IE\x16", "IL\x17", "IQ\x17",
	"IS\x1a", "IT\x1b", "JO\x1e", "KW\x1e", "KZ\x14", "LB\x1c", "LC\x20",
	"LI\x15", "LT\x14", "LU\x14", "LV\x15", "MC\x1b", "MD\x18", "ME\x16",
	"MK\x13", "MR\x1b", "MT\x1f", "MU\x1e", "NL\x12", "NO\x0f", "PK\x18",
	"PL\x1c", "PS\x1d", "PT\x19", "QA\x1d", "RO\x18", "RS\x16", "SA\x18",
	"SC\x1f", "SE\x18", "SI\x13", "SK\x18", "SM\x1b", "TL\x17", "TN\x18",
	"TR\x1a", "UA\x1d", "VA\x16", "VG\x18", "XK\x14",
};

/* The IBAN length of the two-letter country, or 0 when unknown. */
int gw_san_iban_length(const char *country)
{
	for (size_t i = 0; i < sizeof(iban_lengths) / sizeof(iban_lengths[0]);
	     i++)
		if (iban_lengths[i][0] == country[0] &&
		    iban_lengths[i][1] == country[1])
			return (unsigned char)iban_lengths[i][2];
	return 0;
}

static int iban_digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 10;
	return -1;
}

/* ISO 7064 mod 97-10 over n upper-case alphanumerics without spaces. */
bool gw_san_iban_mod97(const char *iban, size_t n)
{
	unsigned rem = 0;

	if (n < 5)
		return false;
	for (size_t k = 0; k < n; k++) {
		/* The first four characters move to the end. */
		char c = iban[(k + 4) % n];
		int v = iban_digit_value(c);

		if (v < 0)
			return false;
		rem = v >= 10 ? (rem * 100 + (unsigned)v) % 97
			      : (rem * 10 + (unsigned)v) % 97;
	}
	return rem == 1;
}

/*
 * A US social security number: area 000, 666 and 900-999 are never
 * issued, nor group 00 or serial 0000; 078-05-1120 is the known
 * advertising number.
 */
bool gw_san_ssn_valid(unsigned area, unsigned group, unsigned serial)
{
	if (area == 0 || area == 666 || area >= 900 || area > 999)
		return false;
	if (group == 0 || group > 99 || serial == 0 || serial > 9999)
		return false;
	return !(area == 78 && group == 5 && serial == 1120);
}

/* Dotted quad, each octet 0-255 without a leading zero. */
bool gw_san_ipv4_valid(const char *s, size_t n)
{
	unsigned parts = 0, v = 0, nd = 0;

	for (size_t i = 0; i <= n; i++) {
		if (i == n || s[i] == '.') {
			if (nd == 0 || v > 255 || parts == 4)
				return false;
			parts++;
			v = 0;
			nd = 0;
			continue;
		}
		if (s[i] < '0' || s[i] > '9')
			return false;
		if (nd == 1 && v == 0)
			return false; /* leading zero */
		v = v * 10 + (unsigned)(s[i] - '0');
		nd++;
		if (nd > 3)
			return false;
	}
	return parts == 4;
}

/* What inet_pton accepts, with at least one hex digit ("::" alone is not). */
bool gw_san_ipv6_valid(const char *s, size_t n)
{
	char buf[INET6_ADDRSTRLEN + 1];
	unsigned char addr[16];
	bool digit = false;

	if (n < 3 || n > INET6_ADDRSTRLEN)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] != ':')
			digit = true;
	if (!digit)
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return inet_pton(AF_INET6, buf, addr) == 1;
}

/*
 * Three base64url parts; the first decodes to a JSON object naming
 * "alg". The header is small, so a long first part is refused.
 */
bool gw_san_jwt_valid(const char *s, size_t n)
{
	unsigned char hdr[768];
	const char *dot = memchr(s, '.', n);
	const char *dot2;
	size_t hlen, i = 0;

	if (!dot || dot == s)
		return false;
	dot2 = memchr(dot + 1, '.', n - (size_t)(dot + 1 - s));
	if (!dot2 || dot2 == dot + 1)
		return false;
	if (sodium_base642bin(hdr, sizeof(hdr) - 1, s, (size_t)(dot - s), NULL,
			      &hlen, NULL,
			      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
		return false;
	hdr[hlen] = '\0';
	while (i < hlen && (hdr[i] == ' ' || hdr[i] == '\t' || hdr[i] == '\r' ||
			    hdr[i] == '\n'))
		i++;
	if (i == hlen || hdr[i] != '{')
		return false;
	return memmem(hdr, hlen, "\"alg\"", 5) != NULL;
}

/* Shannon entropy of the bytes, in bits per byte. */
double gw_san_entropy(const char *s, size_t n)
{
	unsigned counts[256] = { 0 };
	double h = 0;

	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		counts[(unsigned char)s[i]]++;
	for (size_t c = 0; c < 256; c++) {
		double p;

		if (!counts[c])
			continue;
		p = (double)counts[c] / (double)n;
		h -= p * log2(p);
	}
	return h;
}

static int char_class(char c)
{
	if (c >= 'A' && c <= 'Z')
		return 0;
	if (c >= 'a' && c <= 'z')
		return 1;
	if (c >= '0' && c <= '9')
		return 2;
	return 3;
}

/*
 * How many bytes sit in word-like pieces, [A-Z]?[a-z]{3,}: over half of
 * an identifier such as "parseHttp2FrameHeader", a sixth of random
 * base64 (and rarely above 55 %).
 */
static size_t word_coverage(const char *s, size_t n)
{
	size_t covered = 0, i = 0;

	while (i < n) {
		size_t j = i + (s[i] >= 'A' && s[i] <= 'Z'), k = j;

		while (k < n && s[k] >= 'a' && s[k] <= 'z')
			k++;
		if (k - j >= 3) {
			covered += k - i;
			i = k;
		} else {
			i = k > i ? k : i + 1;
		}
	}
	return covered;
}

/*
 * A random-looking run: at least 20 bytes, upper case, lower case and
 * digits all present, not only hex digits (digests and UUIDs are left
 * alone), not mostly word-like pieces, entropy of at least bits, and
 * the character class changing
 * often: in random base64 about two bytes in three start a new class,
 * in a camelCase identifier about one in three.
 */
bool gw_san_high_entropy(const char *s, size_t n, double bits)
{
	unsigned seen = 0, changes = 0;
	bool non_hex = false;

	if (n < 20)
		return false;
	for (size_t i = 0; i < n; i++) {
		int c = char_class(s[i]);

		seen |= 1u << c;
		if (i > 0 && c != char_class(s[i - 1]))
			changes++;
		if (c < 2 && !((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'f'))
			non_hex = true;
	}
	if ((seen & 7u) != 7u || !non_hex)
		return false;
	if (word_coverage(s, n) * 100 > n * 55)
		return false;
	if ((double)changes < 0.45 * (double)(n - 1))
		return false;
	return gw_san_entropy(s, n) >= bits;
}
