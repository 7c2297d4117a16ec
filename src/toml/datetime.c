/*
 * Dates and times of RFC 3339 as TOML 1.0 writes them: offset date-time,
 * local date-time, local date and local time. Every field is range
 * checked, days against the month and leap years.
 */
#include <errno.h>
#include <stdio.h>

#include "toml/internal.h"

static bool is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* YYYY- (a date) or HH: (a time) at pos. */
bool gw_toml_looks_like_datetime(const struct gw_toml_parser *p)
{
	for (size_t i = 0; i < 2; i++)
		if (!is_digit(gw_toml_peek(p, i)))
			return false;
	if (gw_toml_peek(p, 2) == ':')
		return true;
	return is_digit(gw_toml_peek(p, 2)) && is_digit(gw_toml_peek(p, 3)) &&
	       gw_toml_peek(p, 4) == '-';
}

/* Exactly n digits at pos into *out, then the separator sep if not 0. */
static int field(struct gw_toml_parser *p, int n, int *out, char sep,
		 const char *what)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!is_digit(gw_toml_peek(p, (size_t)i)))
			return gw_toml_fail(p, "expected %s as %d digits", what,
					    n);
		v = v * 10 + (gw_toml_peek(p, (size_t)i) - '0');
	}
	*out = v;
	p->pos += (size_t)n;
	if (sep && gw_toml_peek(p, 0) != sep)
		return gw_toml_fail(p, "expected '%c' after the %s", sep, what);
	if (!sep && is_digit(gw_toml_peek(p, 0)))
		return gw_toml_fail(p, "expected %s as %d digits, found more",
				    what, n);
	p->pos += sep ? 1 : 0;
	return 0;
}

/* A field read at col must lie in [lo, hi]. */
static int range(struct gw_toml_parser *p, unsigned col, int v, int lo, int hi,
		 const char *what)
{
	if (v >= lo && v <= hi)
		return 0;
	return gw_toml_fail_at(p, -EINVAL, p->line, col,
			       "%s %02d is out of range (%02d to %02d)", what,
			       v, lo, hi);
}

static int days_in_month(int year, int month)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30,
				      31, 31, 30, 31, 30, 31 };
	bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	return month == 2 && leap ? 29 : days[month - 1];
}

/* YYYY-MM-DD */
static int scan_date(struct gw_toml_parser *p, struct gw_toml_datetime *dt)
{
	unsigned mcol, dcol;
	int r;

	r = field(p, 4, &dt->year, '-', "year");
	mcol = gw_toml_col(p);
	if (r == 0)
		r = field(p, 2, &dt->month, '-', "month");
	dcol = gw_toml_col(p);
	if (r == 0)
		r = field(p, 2, &dt->day, 0, "day");
	if (r == 0)
		r = range(p, mcol, dt->month, 1, 12, "month");
	if (r == 0 &&
	    (dt->day < 1 || dt->day > days_in_month(dt->year, dt->month)))
		r = gw_toml_fail_at(p, -EINVAL, p->line, dcol,
				    "day %02d is out of range for %04d-%02d "
				    "(01 to %02d)",
				    dt->day, dt->year, dt->month,
				    days_in_month(dt->year, dt->month));
	return r;
}

/* .digits: up to nine kept as nanoseconds, the rest dropped. */
static int scan_fraction(struct gw_toml_parser *p, struct gw_toml_datetime *dt)
{
	p->pos++;
	if (!is_digit(gw_toml_peek(p, 0)))
		return gw_toml_fail(p, "expected a digit after '.' in the "
				       "seconds");
	while (is_digit(gw_toml_peek(p, 0))) {
		if (dt->frac_digits < 9) {
			dt->nanos = dt->nanos * 10 +
				    (uint32_t)(gw_toml_peek(p, 0) - '0');
			dt->frac_digits++;
		}
		p->pos++;
	}
	for (int i = dt->frac_digits; i < 9; i++)
		dt->nanos *= 10;
	return 0;
}

/* HH:MM:SS[.fraction]; *scol is where the seconds are. */
static int scan_time(struct gw_toml_parser *p, struct gw_toml_datetime *dt,
		     unsigned *scol)
{
	unsigned hcol = gw_toml_col(p), mcol;
	int r;

	r = field(p, 2, &dt->hour, ':', "hour");
	mcol = gw_toml_col(p);
	if (r == 0)
		r = field(p, 2, &dt->minute, ':', "minute");
	*scol = gw_toml_col(p);
	if (r == 0)
		r = field(p, 2, &dt->second, 0, "second");
	if (r == 0 && gw_toml_peek(p, 0) == '.')
		r = scan_fraction(p, dt);
	if (r == 0)
		r = range(p, hcol, dt->hour, 0, 23, "hour");
	if (r == 0)
		r = range(p, mcol, dt->minute, 0, 59, "minute");
	if (r == 0)
		r = range(p, *scol, dt->second, 0, 60, "second");
	return r;
}

/* Z, z or +HH:MM / -HH:MM. */
static int scan_offset(struct gw_toml_parser *p, struct gw_toml_datetime *dt)
{
	int c = gw_toml_peek(p, 0), h = 0, m = 0, r;
	unsigned hcol, mcol;

	if (c == 'Z' || c == 'z') {
		dt->offset_z = true;
		p->pos++;
		return 0;
	}
	p->pos++;
	hcol = gw_toml_col(p);
	r = field(p, 2, &h, ':', "offset hour");
	mcol = gw_toml_col(p);
	if (r == 0)
		r = field(p, 2, &m, 0, "offset minute");
	if (r == 0)
		r = range(p, hcol, h, 0, 23, "offset hour");
	if (r == 0)
		r = range(p, mcol, m, 0, 59, "offset minute");
	dt->offset_min = (c == '-' ? -1 : 1) * (h * 60 + m);
	return r;
}

/*
 * RFC 3339 allows second 60 only for a leap second, which happens at
 * 23:59 UTC. Where the offset is unknown (local times) only the minute
 * can be checked.
 */
static int check_leap_second(struct gw_toml_parser *p, unsigned scol,
			     const struct gw_toml_datetime *dt, bool offset)
{
	int utc;

	if (dt->second != 60)
		return 0;
	utc = ((dt->hour * 60 + dt->minute - dt->offset_min) % 1440 + 1440) %
	      1440;
	if (offset && utc != 23 * 60 + 59)
		return gw_toml_fail_at(p, -EINVAL, p->line, scol,
				       "second 60 (a leap second) is only "
				       "allowed at 23:59 UTC");
	if (!offset && dt->minute != 59)
		return gw_toml_fail_at(p, -EINVAL, p->line, scol,
				       "second 60 (a leap second) is only "
				       "allowed at minute 59");
	return 0;
}

/* After the date: 'T', 't' or a space, then a time. */
static bool time_follows(const struct gw_toml_parser *p)
{
	int c = gw_toml_peek(p, 0);

	if (c == 'T' || c == 't')
		return true;
	return c == ' ' && is_digit(gw_toml_peek(p, 1));
}

int gw_toml_scan_datetime(struct gw_toml_parser *p, struct gw_toml_value *v)
{
	struct gw_toml_datetime *dt = &v->u.dt;
	bool has_date = gw_toml_peek(p, 2) != ':', offset = false;
	unsigned scol = 0;
	int c, r = 0;

	v->type = has_date ? GW_TOML_DATE_LOCAL : GW_TOML_TIME_LOCAL;
	if (has_date) {
		r = scan_date(p, dt);
		if (r < 0 || !time_follows(p))
			return r;
		p->pos++;
		v->type = GW_TOML_DATETIME_LOCAL;
	}

	r = scan_time(p, dt, &scol);
	c = gw_toml_peek(p, 0);
	if (r == 0 && (c == 'Z' || c == 'z' || c == '+' || c == '-')) {
		if (!has_date)
			return gw_toml_fail(p, "a local time cannot have an "
					       "offset (add a date)");
		offset = true;
		v->type = GW_TOML_DATETIME;
		r = scan_offset(p, dt);
	}
	if (r == 0)
		r = check_leap_second(p, scol, dt, offset);
	return r;
}

int gw_toml_datetime_format(enum gw_toml_type type,
			    const struct gw_toml_datetime *dt, char *buf,
			    size_t cap)
{
	char date[16] = "", time[32] = "", off[8] = "";
	bool has_date = type != GW_TOML_TIME_LOCAL;
	bool has_time = type != GW_TOML_DATE_LOCAL;
	uint32_t frac = dt->nanos;
	int n, off_abs = dt->offset_min % 1440;

	if (type < GW_TOML_DATETIME || type > GW_TOML_TIME_LOCAL)
		return -EINVAL;
	if (off_abs < 0)
		off_abs = -off_abs;
	if (has_date)
		snprintf(date, sizeof(date), "%04d-%02d-%02d", dt->year % 10000,
			 dt->month % 100, dt->day % 100);
	if (has_time) {
		for (int i = dt->frac_digits; i < 9; i++)
			frac /= 10;
		n = snprintf(time, sizeof(time), "%s%02d:%02d:%02d",
			     has_date ? "T" : "", dt->hour % 100,
			     dt->minute % 100, dt->second % 100);
		if (dt->frac_digits > 0 && n > 0)
			snprintf(time + n, sizeof(time) - (size_t)n, ".%0*u",
				 dt->frac_digits % 10, frac);
	}
	if (type == GW_TOML_DATETIME && dt->offset_z)
		snprintf(off, sizeof(off), "Z");
	else if (type == GW_TOML_DATETIME)
		snprintf(off, sizeof(off), "%c%02d:%02d",
			 dt->offset_min < 0 ? '-' : '+', off_abs / 60,
			 off_abs % 60);
	return snprintf(buf, cap, "%s%s%s", date, time, off);
}
