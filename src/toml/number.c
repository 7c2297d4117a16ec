/*
 * Integers (decimal, 0x, 0o, 0b, with '_' between digits, 64-bit signed
 * with overflow detected) and floats (fraction, exponent, inf, nan).
 * The token is the run of bytes that can belong to a number; it is
 * checked against the grammar and must be used up entirely.
 */
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "toml/internal.h"

struct num {
	const char *s;
	size_t n;
	size_t i;	    /* next byte to read */
	unsigned line, col; /* of s[0] */
};

static bool is_num_char(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || c == '_' || c == '.' || c == '+' ||
	       c == '-';
}

static int digit_value(int c, int base)
{
	int d = -1;

	if (c >= '0' && c <= '9')
		d = c - '0';
	else if (c >= 'a' && c <= 'f')
		d = c - 'a' + 10;
	else if (c >= 'A' && c <= 'F')
		d = c - 'A' + 10;
	return d < base ? d : -1;
}

static int at(const struct num *t, size_t i)
{
	return i < t->n ? (unsigned char)t->s[i] : -1;
}

/*
 * Digits of base from t->i, each '_' between two digits. what names the
 * place for the error ("after '.'").
 */
static int digit_run(struct gw_toml_parser *p, struct num *t, int base,
		     const char *what)
{
	size_t count = 0;

	for (;;) {
		if (digit_value(at(t, t->i), base) >= 0) {
			t->i++, count++;
		} else if (at(t, t->i) == '_') {
			if (count == 0 ||
			    digit_value(at(t, t->i + 1), base) < 0)
				return gw_toml_fail_at(
					p, -EINVAL, t->line,
					t->col + (unsigned)t->i,
					"'_' in a number must be between "
					"two digits");
			t->i++;
		} else {
			break;
		}
	}
	if (count == 0)
		return gw_toml_fail_at(p, -EINVAL, t->line,
				       t->col + (unsigned)t->i,
				       "expected a digit %s", what);
	return 0;
}

/* The integer written in s[a..b) (digits and '_'), if it fits. */
static int to_int(struct gw_toml_parser *p, const struct num *t, size_t a,
		  int base, bool neg, int64_t *out)
{
	uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	uint64_t u = 0, d;

	for (size_t i = a; i < t->i; i++) {
		if (t->s[i] == '_')
			continue;
		d = (uint64_t)digit_value(t->s[i], base);
		if (u > (limit - d) / (uint64_t)base)
			return gw_toml_fail_at(
				p, -EINVAL, t->line, t->col,
				"integer does not fit in 64 "
				"bits (%s)",
				neg ? "below -9223372036854775808"
				    : "above 9223372036854775807");
		u = u * (uint64_t)base + d;
	}
	if (neg)
		*out = u == limit ? INT64_MIN : -(int64_t)u;
	else
		*out = (int64_t)u;
	return 0;
}

/* 0x, 0o or 0b followed by digits of that base; no sign allowed. */
static int scan_prefixed(struct gw_toml_parser *p, struct num *t,
			 struct gw_toml_value *v)
{
	int kind = t->s[1];
	int base = kind == 'x' ? 16 : kind == 'o' ? 8 : 2;
	int r;

	t->i = 2;
	r = digit_run(p, t, base,
		      kind == 'x'   ? "after '0x'"
		      : kind == 'o' ? "after '0o'"
				    : "after '0b'");
	if (r < 0)
		return r;
	if (t->i != t->n)
		return gw_toml_fail_at(p, -EINVAL, t->line,
				       t->col + (unsigned)t->i,
				       "invalid character '%c' in a base-%d "
				       "integer",
				       t->s[t->i], base);

	v->type = GW_TOML_INTEGER;
	return to_int(p, t, 2, base, false, &v->u.i);
}

/* The float in t, '_' removed, read in the C locale whatever the host. */
static int to_float(struct gw_toml_parser *p, const struct num *t, double *out)
{
	char small[128], *buf = small, *end;
	locale_t c_locale;
	size_t k = 0;

	if (t->n >= sizeof(small)) {
		buf = malloc(t->n + 1);
		if (!buf)
			return gw_toml_fail_at(p, -ENOMEM, t->line, t->col,
					       "out of memory");
	}
	for (size_t i = 0; i < t->n; i++)
		if (t->s[i] != '_')
			buf[k++] = t->s[i];
	buf[k] = '\0';

	c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
	*out = c_locale ? strtod_l(buf, &end, c_locale) : strtod(buf, &end);
	if (c_locale)
		freelocale(c_locale);
	if (buf != small)
		free(buf);
	if (isinf(*out))
		return gw_toml_fail_at(p, -EINVAL, t->line, t->col,
				       "float out of range (write inf for "
				       "infinity)");
	return 0;
}

/* A decimal integer or a float, after any sign. */
static int scan_decimal(struct gw_toml_parser *p, struct num *t, bool neg,
			struct gw_toml_value *v)
{
	size_t start = t->i;
	bool is_float = false;
	int r;

	r = digit_run(p, t, 10, start > 0 ? "after the sign" : "in the number");
	if (r == 0 && t->s[start] == '0' && t->i - start > 1)
		r = gw_toml_fail_at(p, -EINVAL, t->line,
				    t->col + (unsigned)start,
				    "leading zeros are not allowed");
	if (r == 0 && at(t, t->i) == '.') {
		t->i++, is_float = true;
		r = digit_run(p, t, 10, "after '.'");
	}
	if (r == 0 && (at(t, t->i) == 'e' || at(t, t->i) == 'E')) {
		t->i++, is_float = true;
		if (at(t, t->i) == '+' || at(t, t->i) == '-')
			t->i++;
		r = digit_run(p, t, 10, "in the exponent");
	}
	if (r == 0 && t->i != t->n)
		r = gw_toml_fail_at(
			p, -EINVAL, t->line, t->col + (unsigned)t->i,
			"invalid character '%c' in a number", t->s[t->i]);
	if (r < 0)
		return r;

	v->type = is_float ? GW_TOML_FLOAT : GW_TOML_INTEGER;
	if (is_float)
		return to_float(p, t, &v->u.f);
	return to_int(p, t, start, 10, neg, &v->u.i);
}

/* inf or nan after an optional sign; 1 when it was one. */
static int scan_special(const struct num *t, size_t i, bool neg,
			struct gw_toml_value *v)
{
	if (t->n - i != 3)
		return 0;
	if (memcmp(t->s + i, "inf", 3) == 0) {
		v->u.f = neg ? -INFINITY : INFINITY;
	} else if (memcmp(t->s + i, "nan", 3) == 0) {
		v->u.f = neg ? -NAN : NAN;
	} else {
		return 0;
	}
	v->type = GW_TOML_FLOAT;
	return 1;
}

int gw_toml_scan_number(struct gw_toml_parser *p, struct gw_toml_value *v)
{
	struct num t = {
		.s = p->s + p->pos,
		.line = p->line,
		.col = gw_toml_col(p),
	};
	bool neg = false;
	int r;

	while (is_num_char(gw_toml_peek(p, t.n)))
		t.n++;
	if (at(&t, 0) == '+' || at(&t, 0) == '-')
		neg = at(&t, 0) == '-', t.i = 1;

	if (scan_special(&t, t.i, neg, v))
		r = 0;
	else if (at(&t, t.i) == '0' &&
		 (at(&t, t.i + 1) == 'x' || at(&t, t.i + 1) == 'o' ||
		  at(&t, t.i + 1) == 'b'))
		r = t.i == 0 ? scan_prefixed(p, &t, v)
			     : gw_toml_fail_at(p, -EINVAL, t.line, t.col,
					       "a hexadecimal, octal or binary "
					       "integer cannot have a sign");
	else
		r = scan_decimal(p, &t, neg, v);
	if (r == 0)
		p->pos += t.n;
	return r;
}
