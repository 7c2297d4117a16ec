/*
 * Shannon entropy and the shapes of encoded data: base64, hex, and runs
 * of \xNN escapes. Pure functions over bytes.
 */
#include <math.h>
#include <string.h>

#include "vet/vet_priv.h"

double gw_vet_entropy(const char *s, size_t len)
{
	size_t count[256] = { 0 };
	double h = 0.0;

	if (len == 0)
		return 0.0;
	for (size_t i = 0; i < len; i++)
		count[(unsigned char)s[i]]++;
	for (int c = 0; c < 256; c++) {
		double p;

		if (!count[c])
			continue;
		p = (double)count[c] / (double)len;
		h -= p * log2(p);
	}
	return h;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

static bool is_b64(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '+' || c == '/' || c == '-' ||
	       c == '_';
}

/* Text made of \xNN escapes only: a hex dump written as a literal. */
static bool escaped_bytes(const char *s, size_t len, size_t min_chars)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i += 4, n++)
		if (i + 4 > len || s[i] != '\\' || (s[i + 1] | 0x20) != 'x' ||
		    !is_hex(s[i + 2]) || !is_hex(s[i + 3]))
			return false;
	return n * 2 >= min_chars;
}

enum gw_vet_blob gw_vet_blob_kind(const char *s, size_t len, size_t min_chars)
{
	size_t n = 0, pad = 0;
	bool hex = true, upper = false, lower = false, digit = false;

	if (len < min_chars)
		return GW_VET_BLOB_NONE;
	if (escaped_bytes(s, len, min_chars))
		return GW_VET_BLOB_HEX;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (is_space(c))
			continue;
		if (c == '=') {
			pad++;
			continue;
		}
		if (pad || !is_b64(c))
			return GW_VET_BLOB_NONE;
		hex &= is_hex(c);
		upper |= c >= 'A' && c <= 'Z';
		lower |= c >= 'a' && c <= 'z';
		digit |= c >= '0' && c <= '9';
		n++;
	}
	if (n < min_chars || pad > 2)
		return GW_VET_BLOB_NONE;
	if (hex && n % 2 == 0 && digit)
		return GW_VET_BLOB_HEX;
	/* Real base64 of any length mixes cases and digits. */
	if (upper && lower && digit && gw_vet_entropy(s, len) > 4.5)
		return GW_VET_BLOB_BASE64;
	return GW_VET_BLOB_NONE;
}

/* An alphabet written out ("abc...xyz0123") is not random. */
static bool mostly_runs(const char *s, size_t len)
{
	size_t steps = 0;

	for (size_t i = 1; i < len; i++)
		if ((unsigned char)s[i] == (unsigned char)s[i - 1] + 1)
			steps++;
	return steps * 3 > len;
}

bool gw_vet_looks_random(const char *s, size_t len, size_t min_len,
			 double min_bits)
{
	bool upper = false, lower = false, digit = false, other = false;
	double need;
	int classes;

	if (len < min_len || len < 2)
		return false;
	/* Addresses and paths have their own rules and look random. */
	if (s[0] == '/' || s[0] == '~' || memmem(s, len, "://", 3))
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (is_space((char)c) || c < 0x20 || c >= 0x7f)
			return false;
		upper |= c >= 'A' && c <= 'Z';
		lower |= c >= 'a' && c <= 'z';
		digit |= c >= '0' && c <= '9';
		other |= !((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			   (c >= '0' && c <= '9'));
	}
	classes = upper + lower + digit + other;
	if (classes < 3 || mostly_runs(s, len))
		return false;
	/* A string of n characters holds at most log2(n) bits each. */
	need = 0.85 * log2((double)len);
	if (need > min_bits)
		need = min_bits;
	return gw_vet_entropy(s, len) >= need;
}
