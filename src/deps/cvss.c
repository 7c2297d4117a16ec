/*
 * CVSS v3.0 and v3.1 base scores, computed from a vector string with the
 * formulas of the FIRST specification, so that an advisory's severity
 * can be ranked without trusting a score written beside the vector.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "deps/audit.h"

/* One value of one base metric and its weight (two when scope changes). */
struct weight {
	const char *metric;
	char value;
	double w, w_changed;
};

static const struct weight weights[] = {
	{ "AV", 'N', 0.85, 0.85 }, { "AV", 'A', 0.62, 0.62 },
	{ "AV", 'L', 0.55, 0.55 }, { "AV", 'P', 0.2, 0.2 },
	{ "AC", 'L', 0.77, 0.77 }, { "AC", 'H', 0.44, 0.44 },
	{ "PR", 'N', 0.85, 0.85 }, { "PR", 'L', 0.62, 0.68 },
	{ "PR", 'H', 0.27, 0.5 },  { "UI", 'N', 0.85, 0.85 },
	{ "UI", 'R', 0.62, 0.62 }, { "C", 'H', 0.56, 0.56 },
	{ "C", 'L', 0.22, 0.22 },  { "C", 'N', 0, 0 },
	{ "I", 'H', 0.56, 0.56 },  { "I", 'L', 0.22, 0.22 },
	{ "I", 'N', 0, 0 },	   { "A", 'H', 0.56, 0.56 },
	{ "A", 'L', 0.22, 0.22 },  { "A", 'N', 0, 0 },
};

static const char *const base_metrics[] = { "AV", "AC", "PR", "UI",
					    "C",  "I",	"A" };

#define N_BASE (sizeof(base_metrics) / sizeof(base_metrics[0]))

/* The specification's Roundup: the smallest one-decimal value >= x. */
static double roundup(double x)
{
	long n = lround(x * 100000);

	if (n % 10000 == 0)
		return (double)n / 100000.0;
	return (floor((double)n / 10000.0) + 1) / 10.0;
}

/* The value letter of metric in vector ("AV" in ".../AV:N/..."), or 0. */
static char metric_value(const char *vector, const char *metric)
{
	size_t n = strlen(metric);

	for (const char *p = strchr(vector, '/'); p; p = strchr(p + 1, '/'))
		if (strncmp(p + 1, metric, n) == 0 && p[1 + n] == ':' &&
		    p[2 + n] && (p[3 + n] == '/' || p[3 + n] == '\0'))
			return p[2 + n];
	return 0;
}

static int lookup(const char *metric, char value, bool changed, double *out)
{
	for (size_t i = 0; i < sizeof(weights) / sizeof(weights[0]); i++)
		if (strcmp(weights[i].metric, metric) == 0 &&
		    weights[i].value == value) {
			*out = changed ? weights[i].w_changed : weights[i].w;
			return 0;
		}
	return -1;
}

double gw_cvss3_base_score(const char *vector)
{
	double w[N_BASE], iss, impact, expl;
	char scope;
	bool changed;

	if (!vector || (strncmp(vector, "CVSS:3.0/", 9) != 0 &&
			strncmp(vector, "CVSS:3.1/", 9) != 0))
		return -1;
	scope = metric_value(vector, "S");
	if (scope != 'U' && scope != 'C')
		return -1;
	changed = scope == 'C';
	for (size_t i = 0; i < N_BASE; i++)
		if (lookup(base_metrics[i],
			   metric_value(vector, base_metrics[i]), changed,
			   &w[i]) < 0)
			return -1;

	iss = 1 - (1 - w[4]) * (1 - w[5]) * (1 - w[6]);
	impact = changed ? 7.52 * (iss - 0.029) - 3.25 * pow(iss - 0.02, 15)
			 : 6.42 * iss;
	expl = 8.22 * w[0] * w[1] * w[2] * w[3];
	if (impact <= 0)
		return 0;
	return roundup(fmin((changed ? 1.08 : 1.0) * (impact + expl), 10));
}
