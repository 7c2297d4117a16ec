#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "manifest/units.h"

struct unit {
	const char *name;
	uint64_t scale;
};

static const struct unit size_units[] = {
	{ "T", 1ull << 40 }, { "G", 1ull << 30 }, { "M", 1ull << 20 },
	{ "K", 1ull << 10 }, { "", 1 },
};

static const struct unit time_units[] = {
	{ "h", 3600000000000ull },
	{ "m", 60000000000ull },
	{ "s", 1000000000ull },
	{ "ms", 1000000ull },
};

#define N_SIZE (sizeof(size_units) / sizeof(size_units[0]))
#define N_TIME (sizeof(time_units) / sizeof(time_units[0]))

/* Leading digits of s as a number; their count in *used (0: none). */
static int digits(const char *s, size_t len, uint64_t *v, size_t *used)
{
	uint64_t acc = 0;
	size_t i = 0;

	for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
		unsigned d = (unsigned)(s[i] - '0');

		if (acc > ((uint64_t)INT64_MAX - d) / 10)
			return -ERANGE;
		acc = acc * 10 + d;
	}
	*v = acc;
	*used = i;
	return i ? 0 : -EINVAL;
}

static int scaled(const char *s, size_t len, const struct unit *units, size_t n,
		  uint64_t *out)
{
	uint64_t v;
	size_t used;
	int r = digits(s, len, &v, &used);

	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		size_t ulen = strlen(units[i].name);

		if (len - used != ulen ||
		    memcmp(s + used, units[i].name, ulen) != 0)
			continue;
		if (v > (uint64_t)INT64_MAX / units[i].scale)
			return -ERANGE;
		*out = v * units[i].scale;
		return 0;
	}
	return -EINVAL;
}

int gw_parse_size(const char *s, size_t len, uint64_t *bytes)
{
	return scaled(s, len, size_units, N_SIZE, bytes);
}

int gw_parse_duration(const char *s, size_t len, uint64_t *ns)
{
	return scaled(s, len, time_units, N_TIME, ns);
}

static void format_scaled(uint64_t v, const struct unit *units, size_t n,
			  const char *fallback, char *buf, size_t cap)
{
	for (size_t i = 0; i < n; i++) {
		if (v && v % units[i].scale == 0) {
			snprintf(buf, cap, "%" PRIu64 "%s", v / units[i].scale,
				 units[i].name);
			return;
		}
	}
	snprintf(buf, cap, "%" PRIu64 "%s", v, fallback);
}

void gw_format_size(uint64_t bytes, char *buf, size_t cap)
{
	format_scaled(bytes, size_units, N_SIZE, "", buf, cap);
}

void gw_format_duration(uint64_t ns, char *buf, size_t cap)
{
	format_scaled(ns, time_units, N_TIME, "ns", buf, cap);
}
