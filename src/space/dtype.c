#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "space/space.h"

#define F16_MAX 65504.0

static const struct gw_dtype_info dtypes[] = {
	[GW_DTYPE_BOOL] = { "bool", 1, GW_REP_UINT, 0, 0, 1, 0 },
	[GW_DTYPE_INT8] = { "int8", 1, GW_REP_INT, INT8_MIN, INT8_MAX, 0, 0 },
	[GW_DTYPE_INT16] = { "int16", 2, GW_REP_INT, INT16_MIN, INT16_MAX, 0,
			     0 },
	[GW_DTYPE_INT32] = { "int32", 4, GW_REP_INT, INT32_MIN, INT32_MAX, 0,
			     0 },
	[GW_DTYPE_INT64] = { "int64", 8, GW_REP_INT, INT64_MIN, INT64_MAX, 0,
			     0 },
	[GW_DTYPE_UINT8] = { "uint8", 1, GW_REP_UINT, 0, 0, UINT8_MAX, 0 },
	[GW_DTYPE_UINT16] = { "uint16", 2, GW_REP_UINT, 0, 0, UINT16_MAX, 0 },
	[GW_DTYPE_UINT32] = { "uint32", 4, GW_REP_UINT, 0, 0, UINT32_MAX, 0 },
	[GW_DTYPE_UINT64] = { "uint64", 8, GW_REP_UINT, 0, 0, UINT64_MAX, 0 },
	[GW_DTYPE_FLOAT16] = { "float16", 2, GW_REP_FLOAT, 0, 0, 0, F16_MAX },
	[GW_DTYPE_FLOAT32] = { "float32", 4, GW_REP_FLOAT, 0, 0, 0, FLT_MAX },
	[GW_DTYPE_FLOAT64] = { "float64", 8, GW_REP_FLOAT, 0, 0, 0, DBL_MAX },
};

#define N_DTYPES (sizeof(dtypes) / sizeof(dtypes[0]))

const struct gw_dtype_info *gw_dtype_info(enum gw_dtype dtype)
{
	return &dtypes[dtype];
}

const char *gw_dtype_name(enum gw_dtype dtype)
{
	if ((unsigned)dtype >= N_DTYPES)
		return "?";
	return dtypes[dtype].name;
}

int gw_dtype_from_name(const char *name)
{
	for (size_t i = 0; i < N_DTYPES; i++)
		if (strcmp(dtypes[i].name, name) == 0)
			return (int)i;
	return -1;
}

/*
 * Round to a binary format with mant_bits explicit mantissa bits whose
 * smallest normal exponent is emin: scale v so the last kept bit is the
 * units digit, round to nearest even there, scale back. Both scalings
 * are by powers of two, so only the rounding step is inexact.
 */
static double round_to_format(double v, int mant_bits, int emin)
{
	int e;

	if (v == 0.0)
		return v;
	frexp(v, &e);
	e -= 1; /* v = m * 2^e with 1 <= |m| < 2 */
	if (e < emin)
		e = emin; /* subnormals share the smallest quantum */
	return ldexp(nearbyint(ldexp(v, mant_bits - e)), e - mant_bits);
}

double gw_dtype_round(enum gw_dtype dtype, double v)
{
	switch (dtype) {
	case GW_DTYPE_FLOAT16: return round_to_format(v, 10, -14);
	case GW_DTYPE_FLOAT32: return (double)(float)v;
	default: return v;
	}
}
