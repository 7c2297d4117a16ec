/*
 * Spaces from TOML: `type = "Box"` and the keys of each kind, checked
 * for consistency (bounds inside the dtype, low <= high, shapes that
 * agree, counts under the caps). Problems are reported through a sink
 * and parsing goes on, so one run names every problem of a manifest.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "space/check.h"
#include "space/space.h"
#include "space/space_priv.h"

/* An n-dimensional TOML array (or a scalar, ndim 0) and its leaves. */
struct nd {
	const struct gw_toml_value *v;
	unsigned ndim;
	uint64_t shape[GW_SPACE_MAX_DIMS];
	uint64_t count;
	const struct gw_toml_value **leaves; /* count items; owned */
};

static const char *const kind_words[] = {
	"Box",	 "Discrete", "MultiDiscrete", "MultiBinary",
	"Tuple", "Dict",     "Text",	      NULL,
};

static const char *const dtype_words[] = {
	"bool",	  "int8",   "int16",   "int32",	  "int64",   "uint8", "uint16",
	"uint32", "uint64", "float16", "float32", "float64", NULL,
};

static const char *const *const kind_keys[] = {
	[GW_SPACE_BOX] = (const char *const[]){ "type", "dtype", "shape", "low",
						"high", NULL },
	[GW_SPACE_DISCRETE] =
		(const char *const[]){ "type", "n", "start", NULL },
	[GW_SPACE_MULTI_DISCRETE] =
		(const char *const[]){ "type", "nvec", "start", NULL },
	[GW_SPACE_MULTI_BINARY] = (const char *const[]){ "type", "n", NULL },
	[GW_SPACE_TUPLE] = (const char *const[]){ "type", "spaces", NULL },
	[GW_SPACE_DICT] = (const char *const[]){ "type", "spaces", NULL },
	[GW_SPACE_TEXT] =
		(const char *const[]){ "type", "min_length", "max_length",
				       "charset", NULL },
};

static struct gw_space *parse_space(struct gw_check *c,
				    const struct gw_toml_value *t,
				    const char *path, unsigned depth);

static void field_of(char *dst, const char *path, const char *key)
{
	gw_check_path_key(dst, GW_FIELD_MAX_BYTES, path, key, strlen(key));
}

static struct gw_space *space_new(struct gw_check *c,
				  const struct gw_toml_value *t,
				  enum gw_space_kind kind)
{
	struct gw_space *s = calloc(1, sizeof(*s));

	if (!s) {
		gw_check_nomem(c);
		return NULL;
	}
	s->kind = kind;
	s->line = t->line;
	s->col = t->col;
	s->depth = 1;
	return s;
}

/* Walk the first items down to learn the shape of an array of arrays. */
static bool nd_shape(struct gw_check *c, struct nd *a, const char *field)
{
	const struct gw_toml_value *cur = a->v;

	a->ndim = 0;
	while (cur->type == GW_TOML_ARRAY) {
		if (a->ndim == GW_SPACE_MAX_DIMS) {
			gw_check_error(c, a->v, field, NULL,
				       "more than %u dimensions",
				       GW_SPACE_MAX_DIMS);
			return false;
		}
		if (cur->u.arr.len == 0) {
			gw_check_error(c, cur, field, NULL,
				       "an empty array holds no elements");
			return false;
		}
		a->shape[a->ndim++] = cur->u.arr.len;
		cur = cur->u.arr.items[0];
	}
	a->count = gw_space_shape_elems(a->shape, a->ndim);
	if (a->count == 0) {
		gw_check_error(c, a->v, field, NULL, "more than %u elements",
			       GW_SPACE_MAX_ELEMS);
		return false;
	}
	return true;
}

/* Collect the leaves of v, which sits at dimension dim, in C order. */
static bool nd_fill(struct gw_check *c, struct nd *a,
		    const struct gw_toml_value *v, unsigned dim, uint64_t *next,
		    const char *field)
{
	if (dim == a->ndim) {
		if (v->type == GW_TOML_ARRAY) {
			gw_check_error(c, v, field, NULL,
				       "ragged array: expected a value, "
				       "got an array");
			return false;
		}
		a->leaves[(*next)++] = v;
		return true;
	}
	if (v->type != GW_TOML_ARRAY || v->u.arr.len != a->shape[dim]) {
		gw_check_error(c, v, field, NULL,
			       "ragged array: expected an array of %" PRIu64
			       " items at depth %u",
			       a->shape[dim], dim + 1);
		return false;
	}
	for (size_t i = 0; i < v->u.arr.len; i++)
		if (!nd_fill(c, a, v->u.arr.items[i], dim + 1, next, field))
			return false;
	return true;
}

/* Read a scalar or an array of arrays into a; false after a report. */
static bool nd_read(struct gw_check *c, const struct gw_toml_value *v,
		    const char *field, struct nd *a)
{
	uint64_t next = 0;

	memset(a, 0, sizeof(*a));
	a->v = v;
	if (!nd_shape(c, a, field))
		return false;
	a->leaves = calloc(a->count, sizeof(*a->leaves));
	if (!a->leaves) {
		gw_check_nomem(c);
		return false;
	}
	if (!nd_fill(c, a, v, 0, &next, field)) {
		free(a->leaves);
		a->leaves = NULL;
		return false;
	}
	return true;
}

static void nd_free(struct nd *a)
{
	free(a->leaves);
	a->leaves = NULL;
}

/* "low[1][0]" for leaf flat of a (or "low" for a scalar). */
static void leaf_field(char *dst, const char *field, const struct nd *a,
		       uint64_t flat)
{
	uint64_t idx[GW_SPACE_MAX_DIMS];
	size_t len;

	snprintf(dst, GW_FIELD_MAX_BYTES, "%s", field);
	for (unsigned k = a->ndim; k-- > 0;) {
		idx[k] = flat % a->shape[k];
		flat /= a->shape[k];
	}
	for (unsigned k = 0; k < a->ndim; k++) {
		len = strlen(dst);
		snprintf(dst + len, GW_FIELD_MAX_BYTES - len, "[%" PRIu64 "]",
			 idx[k]);
	}
}

static bool same_shape(const uint64_t *a, unsigned an, const uint64_t *b,
		       unsigned bn)
{
	return an == bn && memcmp(a, b, an * sizeof(a[0])) == 0;
}

static void shape_text(char *dst, size_t cap, const uint64_t *shape,
		       unsigned ndim)
{
	struct gw_out o = { dst, cap, 0, false };

	gw_format_shape(&o, shape, ndim);
	gw_out_finish(&o);
}

/* A `shape = [2, 3]` or MultiBinary `n = [2, 3]` key. */
static bool read_shape(struct gw_check *c, const struct gw_toml_value *v,
		       const char *field, uint64_t *shape, unsigned *ndim)
{
	if (v->type == GW_TOML_INTEGER) {
		gw_check_error(c, v, field, "write a list, e.g. [3]",
			       "expected an array, got an integer");
		return false;
	}
	if (!gw_check_type(c, v, field, GW_TOML_ARRAY))
		return false;
	if (v->u.arr.len > GW_SPACE_MAX_DIMS) {
		gw_check_error(c, v, field, NULL, "more than %u dimensions",
			       GW_SPACE_MAX_DIMS);
		return false;
	}
	for (size_t i = 0; i < v->u.arr.len; i++) {
		const struct gw_toml_value *d = v->u.arr.items[i];
		char f[GW_FIELD_MAX_BYTES];

		gw_check_path_index(f, sizeof(f), field, i);
		if (!gw_check_type(c, d, f, GW_TOML_INTEGER))
			return false;
		if (d->u.i <= 0) {
			gw_check_error(c, d, f, NULL,
				       "a dimension must be > 0, got %" PRId64,
				       d->u.i);
			return false;
		}
		shape[i] = (uint64_t)d->u.i;
	}
	*ndim = (unsigned)v->u.arr.len;
	if (gw_space_shape_elems(shape, *ndim) == 0) {
		gw_check_error(c, v, field, NULL, "more than %u elements",
			       GW_SPACE_MAX_ELEMS);
		return false;
	}
	return true;
}

static const char *range_hint(enum gw_dtype dt, char *buf, size_t cap)
{
	const struct gw_dtype_info *di = gw_dtype_info(dt);

	if (di->rep == GW_REP_INT)
		snprintf(buf, cap, "%s holds %" PRId64 "..%" PRId64, di->name,
			 di->imin, di->imax);
	else if (di->rep == GW_REP_UINT)
		snprintf(buf, cap, "%s holds 0..%" PRIu64, di->name, di->umax);
	else
		snprintf(buf, cap, "%s holds -%g..%g, and -inf and inf",
			 di->name, di->fmax, di->fmax);
	return buf;
}

/* Why a bound does not fit its dtype. */
enum misfit {
	FITS,
	OUT_OF_RANGE,
	NOT_WHOLE,
	INFINITE,
	IS_NAN,
	NOT_DECIMAL,
	NOT_NUMBER,
};

/* A float written for an integer dtype: a whole number inside it. */
static enum misfit float_to_int(double f, const struct gw_dtype_info *di,
				union gw_bounds *out, size_t k)
{
	if (isnan(f))
		return IS_NAN;
	if (isinf(f))
		return INFINITE;
	if (f != floor(f))
		return NOT_WHOLE;
	if (di->rep == GW_REP_INT) {
		if (f < (double)di->imin || f >= (double)di->imax + 1.0)
			return OUT_OF_RANGE;
		out->i[k] = (int64_t)f;
	} else {
		if (f < 0 || f >= (double)di->umax + 1.0)
			return OUT_OF_RANGE;
		out->u[k] = (uint64_t)f;
	}
	return FITS;
}

/* An integer with magnitude u (negative when neg) inside the dtype. */
static enum misfit int_to_int(const struct gw_dtype_info *di, bool neg,
			      uint64_t u, union gw_bounds *out, size_t k)
{
	if (di->rep == GW_REP_UINT) {
		if ((neg && u != 0) || u > di->umax)
			return OUT_OF_RANGE;
		out->u[k] = u;
		return FITS;
	}
	if (neg) {
		/* -u fits when u <= -imin, computed without overflow. */
		if (u > 0 - (uint64_t)di->imin)
			return OUT_OF_RANGE;
		out->i[k] = u > (uint64_t)INT64_MAX ? INT64_MIN : -(int64_t)u;
		return FITS;
	}
	if (u > (uint64_t)di->imax)
		return OUT_OF_RANGE;
	out->i[k] = (int64_t)u;
	return FITS;
}

/* "123" or "-123" as a magnitude and a sign; false when it is not. */
static bool parse_decimal(const char *p, size_t len, bool *neg, uint64_t *u)
{
	size_t k = 0;
	uint64_t acc = 0;

	*neg = len && p[0] == '-';
	if (len && (p[0] == '-' || p[0] == '+'))
		k = 1;
	if (k == len)
		return false;
	for (; k < len; k++) {
		unsigned d = (unsigned)(p[k] - '0');

		if (d > 9 || acc > (UINT64_MAX - d) / 10)
			return false;
		acc = acc * 10 + d;
	}
	*u = acc;
	return true;
}

static enum misfit leaf_to_int(const struct gw_toml_value *v,
			       const struct gw_dtype_info *di,
			       union gw_bounds *out, size_t k)
{
	uint64_t u;
	bool neg;

	switch (v->type) {
	case GW_TOML_INTEGER:
		neg = v->u.i < 0;
		u = neg ? 0 - (uint64_t)v->u.i : (uint64_t)v->u.i;
		return int_to_int(di, neg, u, out, k);
	case GW_TOML_FLOAT: return float_to_int(v->u.f, di, out, k);
	case GW_TOML_STRING:
		if (!parse_decimal(v->u.s.ptr, v->u.s.len, &neg, &u))
			return NOT_DECIMAL;
		return int_to_int(di, neg, u, out, k);
	default:
		/* Booleans, for the bool dtype only. */
		if (v->type != GW_TOML_BOOL || di->umax != 1 ||
		    di->rep != GW_REP_UINT)
			return NOT_NUMBER;
		out->u[k] = v->u.b;
		return FITS;
	}
}

static enum misfit leaf_to_float(const struct gw_toml_value *v,
				 enum gw_dtype dt, union gw_bounds *out,
				 size_t k)
{
	const struct gw_dtype_info *di = gw_dtype_info(dt);
	double f;

	if (v->type == GW_TOML_INTEGER)
		f = (double)v->u.i;
	else if (v->type == GW_TOML_FLOAT)
		f = v->u.f;
	else
		return NOT_NUMBER;
	if (isnan(f))
		return IS_NAN;
	if (!isinf(f) && fabs(f) > di->fmax)
		return OUT_OF_RANGE;
	out->f[k] = isinf(f) ? f : gw_dtype_round(dt, f);
	return FITS;
}

/* The bound as written, for a message. */
static void leaf_text(const struct gw_toml_value *v, char *buf, size_t cap)
{
	char esc[64];

	switch (v->type) {
	case GW_TOML_INTEGER: snprintf(buf, cap, "%" PRId64, v->u.i); break;
	case GW_TOML_FLOAT:
		gw_format_float(GW_DTYPE_FLOAT64, v->u.f, buf, cap);
		break;
	case GW_TOML_STRING:
		gw_check_quote(esc, sizeof(esc), v->u.s.ptr, v->u.s.len);
		snprintf(buf, cap, "\"%s\"", esc);
		break;
	case GW_TOML_BOOL:
		snprintf(buf, cap, "%s", v->u.b ? "true" : "false");
		break;
	default: snprintf(buf, cap, "%s", gw_check_type_phrase(v->type)); break;
	}
}

/*
 * Convert bound leaf v into out[k]; report and return false if bad. more
 * is appended to the message (the count of other bad elements).
 */
static bool leaf_to_bound(struct gw_check *c, const struct gw_toml_value *v,
			  enum gw_dtype dt, union gw_bounds *out, size_t k,
			  const char *field, const char *more)
{
	const struct gw_dtype_info *di = gw_dtype_info(dt);
	char hint[96], val[96], msg[256];
	enum misfit why;

	why = di->rep == GW_REP_FLOAT ? leaf_to_float(v, dt, out, k)
				      : leaf_to_int(v, di, out, k);
	if (why == FITS)
		return true;

	leaf_text(v, val, sizeof(val));
	range_hint(dt, hint, sizeof(hint));
	switch (why) {
	case OUT_OF_RANGE:
		snprintf(msg, sizeof(msg),
			 "bound %s is outside the range of %s", val, di->name);
		break;
	case NOT_WHOLE:
		snprintf(msg, sizeof(msg),
			 "bound %s is not a whole number, as %s needs", val,
			 di->name);
		snprintf(hint, sizeof(hint), "use a float dtype for fractions");
		break;
	case INFINITE:
		snprintf(msg, sizeof(msg),
			 "bound %s is infinite, which %s cannot hold", val,
			 di->name);
		break;
	case IS_NAN:
		snprintf(msg, sizeof(msg), "bound nan is not a number");
		break;
	case NOT_DECIMAL:
		snprintf(msg, sizeof(msg), "bound %s is not a decimal integer",
			 val);
		break;
	default:
		snprintf(msg, sizeof(msg), "expected a number, got %s",
			 gw_check_type_phrase(v->type));
		break;
	}
	gw_check_error(c, v, field, hint, "%s%s", msg, more);
	return false;
}

/*
 * Convert every leaf of a into out (n values: a's count, or n copies of
 * a scalar). Reports the first bad element, saying how many more there
 * are.
 */
static bool convert_bounds(struct gw_check *c, const struct nd *a,
			   enum gw_dtype dt, union gw_bounds *out, size_t n,
			   const char *field)
{
	struct gw_check quiet = { NULL, 0, 0, false };
	char f[GW_FIELD_MAX_BYTES], more[64] = "";
	uint64_t bad = 0, first = 0;

	for (uint64_t k = 0; k < a->count; k++) {
		if (leaf_to_bound(&quiet, a->leaves[k], dt, out, k, "", ""))
			continue;
		if (bad++ == 0)
			first = k;
	}
	if (bad) {
		if (bad > 1)
			snprintf(more, sizeof(more),
				 " (and %" PRIu64 " more in this array)",
				 bad - 1);
		leaf_field(f, field, a, first);
		leaf_to_bound(c, a->leaves[first], dt, out, first, f, more);
		return false;
	}
	for (size_t k = a->count; k < n; k++)
		memcpy(&out->i[k], &out->i[0], sizeof(out->i[0]));
	return true;
}

static bool bound_le(enum gw_rep rep, const struct gw_box *b, size_t i)
{
	switch (rep) {
	case GW_REP_INT: return b->low.i[i] <= b->high.i[i];
	case GW_REP_UINT: return b->low.u[i] <= b->high.u[i];
	default: return b->low.f[i] <= b->high.f[i];
	}
}

static bool check_low_le_high(struct gw_check *c, struct gw_space *s,
			      const struct nd *low, const char *path)
{
	enum gw_rep rep = gw_dtype_info(s->dtype)->rep;
	char field[GW_FIELD_MAX_BYTES], f[GW_FIELD_MAX_BYTES];
	char lo[64], hi[64], at[GW_FIELD_MAX_BYTES + 8] = "";

	for (size_t i = 0; i < s->u.box.nbounds; i++) {
		if (bound_le(rep, &s->u.box, i))
			continue;
		field_of(f, path, "low");
		snprintf(field, sizeof(field), "%s", f);
		if (low->ndim) {
			leaf_field(field, f, low, i);
		} else if (s->u.box.nbounds > 1) {
			struct nd where = *low;

			/* A scalar low against an array high: say where. */
			where.ndim = s->ndim;
			memcpy(where.shape, s->shape, sizeof(where.shape));
			leaf_field(f, "", &where, i);
			snprintf(at, sizeof(at), " at %s", f);
		}
		gw_format_bound(s, &s->u.box.low, i, lo, sizeof(lo));
		gw_format_bound(s, &s->u.box.high, i, hi, sizeof(hi));
		gw_check_error(c, low->leaves[low->ndim ? i : 0], field, NULL,
			       "low %s is greater than high %s%s", lo, hi, at);
		return false;
	}
	return true;
}

/* When every element has the same bounds, keep a single pair. */
static void collapse_bounds(struct gw_space *s)
{
	struct gw_box *b = &s->u.box;

	for (size_t i = 1; i < b->nbounds; i++)
		if (b->low.u[i] != b->low.u[0] || b->high.u[i] != b->high.u[0])
			return;
	b->nbounds = 1;
	b->scalar_bounds = true;
}

static void box_finite(struct gw_space *s)
{
	struct gw_box *b = &s->u.box;

	b->finite = true;
	if (gw_dtype_info(s->dtype)->rep != GW_REP_FLOAT)
		return;
	for (size_t i = 0; i < b->nbounds; i++)
		if (isinf(b->low.f[i]) || isinf(b->high.f[i]))
			b->finite = false;
}

/*
 * The Box's shape: the `shape` key, else the shape of whichever bound is
 * an array; array bounds must agree with it.
 */
static bool box_shape(struct gw_check *c, struct gw_space *s,
		      const struct gw_toml_value *t, const char *path,
		      const struct nd *low, const struct nd *high)
{
	const struct gw_toml_value *sv = gw_toml_get(t, "shape");
	char field[GW_FIELD_MAX_BYTES], want[96], got[96];
	const struct nd *sides[2] = { low, high };

	field_of(field, path, "shape");
	if (sv) {
		if (!read_shape(c, sv, field, s->shape, &s->ndim))
			return false;
	} else if (low->ndim || high->ndim) {
		const struct nd *a = low->ndim ? low : high;

		s->ndim = a->ndim;
		memcpy(s->shape, a->shape, sizeof(s->shape));
	} else {
		gw_check_error(c, t, field,
			       "add e.g. shape = [4], or give low and high "
			       "as arrays",
			       "missing \"shape\" (needed when low and high "
			       "are both scalars)");
		return false;
	}
	for (int k = 0; k < 2; k++) {
		const struct nd *a = sides[k];

		if (!a->ndim ||
		    same_shape(a->shape, a->ndim, s->shape, s->ndim))
			continue;
		field_of(field, path, k ? "high" : "low");
		shape_text(want, sizeof(want), s->shape, s->ndim);
		shape_text(got, sizeof(got), a->shape, a->ndim);
		gw_check_error(c, a->v, field, NULL,
			       "has shape %s but the Box's shape is %s", got,
			       want);
		return false;
	}
	s->nelem = gw_space_shape_elems(s->shape, s->ndim);
	return true;
}

static int box_dtype(struct gw_check *c, const struct gw_toml_value *t,
		     const char *path)
{
	const struct gw_toml_value *v = gw_toml_get(t, "dtype");
	char field[GW_FIELD_MAX_BYTES];

	if (!v)
		return GW_DTYPE_FLOAT32;
	field_of(field, path, "dtype");
	return gw_check_choice(c, v, field, dtype_words);
}

static bool box_alloc(struct gw_check *c, struct gw_box *b, size_t n)
{
	b->nbounds = n;
	b->low.i = calloc(n, sizeof(int64_t));
	b->high.i = calloc(n, sizeof(int64_t));
	if (!b->low.i || !b->high.i) {
		gw_check_nomem(c);
		return false;
	}
	return true;
}

static bool parse_box(struct gw_check *c, struct gw_space *s,
		      const struct gw_toml_value *t, const char *path)
{
	const struct gw_toml_value *lv = gw_check_require(c, t, path, "low");
	const struct gw_toml_value *hv = gw_check_require(c, t, path, "high");
	char lf[GW_FIELD_MAX_BYTES], hf[GW_FIELD_MAX_BYTES];
	struct nd low = { 0 }, high = { 0 };
	int dt = box_dtype(c, t, path);
	bool ok = false, lok, hok;

	field_of(lf, path, "low");
	field_of(hf, path, "high");
	lok = lv && nd_read(c, lv, lf, &low);
	hok = hv && nd_read(c, hv, hf, &high);
	if (dt < 0 || !lok || !hok)
		goto out;
	s->dtype = (enum gw_dtype)dt;
	if (!box_shape(c, s, t, path, &low, &high))
		goto out;

	s->u.box.scalar_bounds = !low.ndim && !high.ndim;
	if (!box_alloc(c, &s->u.box, s->u.box.scalar_bounds ? 1 : s->nelem))
		goto out;
	lok = convert_bounds(c, &low, s->dtype, &s->u.box.low, s->u.box.nbounds,
			     lf);
	hok = convert_bounds(c, &high, s->dtype, &s->u.box.high,
			     s->u.box.nbounds, hf);
	if (!lok || !hok || !check_low_le_high(c, s, &low, path))
		goto out;

	collapse_bounds(s);
	box_finite(s);
	s->nbytes = s->nelem * gw_dtype_info(s->dtype)->itemsize;
	ok = true;
out:
	nd_free(&low);
	nd_free(&high);
	return ok;
}

/* An integer key that must be >= min; *out left alone when absent. */
static bool int_key(struct gw_check *c, const struct gw_toml_value *t,
		    const char *path, const char *key, int64_t min,
		    int64_t *out)
{
	const struct gw_toml_value *v = gw_toml_get(t, key);
	char field[GW_FIELD_MAX_BYTES];

	if (!v)
		return true;
	field_of(field, path, key);
	if (!gw_check_type(c, v, field, GW_TOML_INTEGER))
		return false;
	if (v->u.i < min) {
		gw_check_error(c, v, field, NULL,
			       "must be >= %" PRId64 ", got %" PRId64, min,
			       v->u.i);
		return false;
	}
	*out = v->u.i;
	return true;
}

static bool parse_discrete(struct gw_check *c, struct gw_space *s,
			   const struct gw_toml_value *t, const char *path)
{
	struct gw_discrete *d = &s->u.discrete;
	char field[GW_FIELD_MAX_BYTES];
	bool ok;

	d->n = 0;
	ok = gw_check_require(c, t, path, "n") &&
	     int_key(c, t, path, "n", 1, &d->n);
	ok = int_key(c, t, path, "start", INT64_MIN, &d->start) && ok;
	if (!ok)
		return false;
	if (d->start > INT64_MAX - (d->n - 1)) {
		field_of(field, path, "start");
		gw_check_error(c, gw_toml_get(t, "start"), field, NULL,
			       "start + n - 1 overflows int64");
		return false;
	}
	s->dtype = GW_DTYPE_INT64;
	s->nelem = 1;
	s->nbytes = 8;
	return true;
}

/* Integer leaves of a into out, each >= min; first problem reported. */
static bool int_leaves(struct gw_check *c, const struct nd *a, int64_t min,
		       int64_t *out, const char *field)
{
	char f[GW_FIELD_MAX_BYTES];

	for (uint64_t k = 0; k < a->count; k++) {
		const struct gw_toml_value *v = a->leaves[k];

		leaf_field(f, field, a, k);
		if (!gw_check_type(c, v, f, GW_TOML_INTEGER))
			return false;
		if (v->u.i < min) {
			gw_check_error(c, v, f, NULL,
				       "must be >= %" PRId64 ", got %" PRId64,
				       min, v->u.i);
			return false;
		}
		out[k] = v->u.i;
	}
	return true;
}

static bool md_start(struct gw_check *c, struct gw_space *s,
		     const struct gw_toml_value *t, const char *path)
{
	const struct gw_toml_value *v = gw_toml_get(t, "start");
	char field[GW_FIELD_MAX_BYTES], want[96], got[96];
	struct nd a;
	bool ok = false;

	s->u.md.zero_start = true;
	if (!v)
		return true;
	field_of(field, path, "start");
	if (!nd_read(c, v, field, &a))
		return false;
	if (!same_shape(a.shape, a.ndim, s->shape, s->ndim)) {
		shape_text(want, sizeof(want), s->shape, s->ndim);
		shape_text(got, sizeof(got), a.shape, a.ndim);
		gw_check_error(c, v, field, NULL,
			       "has shape %s but nvec has shape %s", got, want);
		goto out;
	}
	if (!int_leaves(c, &a, INT64_MIN, s->u.md.start, field))
		goto out;
	for (uint64_t k = 0; k < s->nelem; k++) {
		if (s->u.md.start[k] > INT64_MAX - (s->u.md.nvec[k] - 1)) {
			leaf_field(want, field, &a, k);
			gw_check_error(c, a.leaves[k], want, NULL,
				       "start + nvec - 1 overflows int64");
			goto out;
		}
		if (s->u.md.start[k])
			s->u.md.zero_start = false;
	}
	ok = true;
out:
	nd_free(&a);
	return ok;
}

static bool parse_multi_discrete(struct gw_check *c, struct gw_space *s,
				 const struct gw_toml_value *t,
				 const char *path)
{
	const struct gw_toml_value *v = gw_check_require(c, t, path, "nvec");
	char field[GW_FIELD_MAX_BYTES];
	struct nd a;
	bool ok = false;

	if (!v)
		return false;
	field_of(field, path, "nvec");
	if (v->type != GW_TOML_ARRAY) {
		gw_check_error(c, v, field, "use Discrete for a single choice",
			       "expected an array, got %s",
			       gw_check_type_phrase(v->type));
		return false;
	}
	if (!nd_read(c, v, field, &a))
		return false;
	s->ndim = a.ndim;
	memcpy(s->shape, a.shape, sizeof(s->shape));
	s->nelem = a.count;
	s->u.md.nvec = calloc(a.count, sizeof(int64_t));
	s->u.md.start = calloc(a.count, sizeof(int64_t));
	if (!s->u.md.nvec || !s->u.md.start) {
		gw_check_nomem(c);
		goto out;
	}
	if (!int_leaves(c, &a, 1, s->u.md.nvec, field) ||
	    !md_start(c, s, t, path))
		goto out;
	s->dtype = GW_DTYPE_INT64;
	s->nbytes = s->nelem * 8;
	ok = true;
out:
	nd_free(&a);
	return ok;
}

static bool parse_multi_binary(struct gw_check *c, struct gw_space *s,
			       const struct gw_toml_value *t, const char *path)
{
	const struct gw_toml_value *v = gw_check_require(c, t, path, "n");
	char field[GW_FIELD_MAX_BYTES];

	if (!v)
		return false;
	field_of(field, path, "n");
	if (v->type == GW_TOML_INTEGER) {
		if (v->u.i <= 0 || (uint64_t)v->u.i > GW_SPACE_MAX_ELEMS) {
			gw_check_error(c, v, field, NULL,
				       "must be between 1 and %u, got %" PRId64,
				       GW_SPACE_MAX_ELEMS, v->u.i);
			return false;
		}
		s->ndim = 1;
		s->shape[0] = (uint64_t)v->u.i;
	} else if (v->type == GW_TOML_ARRAY) {
		if (!read_shape(c, v, field, s->shape, &s->ndim))
			return false;
	} else {
		gw_check_error(c, v, field, NULL,
			       "expected an integer or an array, got %s",
			       gw_check_type_phrase(v->type));
		return false;
	}
	s->dtype = GW_DTYPE_INT8;
	s->nelem = gw_space_shape_elems(s->shape, s->ndim);
	s->nbytes = s->nelem;
	return true;
}

static bool text_charset(struct gw_check *c, struct gw_space *s,
			 const struct gw_toml_value *t, const char *path)
{
	const struct gw_toml_value *v = gw_toml_get(t, "charset");
	char field[GW_FIELD_MAX_BYTES];

	if (!v)
		return true;
	field_of(field, path, "charset");
	if (!gw_check_type(c, v, field, GW_TOML_STRING))
		return false;
	if (v->u.s.len == 0 || memchr(v->u.s.ptr, '\0', v->u.s.len)) {
		gw_check_error(c, v, field, NULL,
			       v->u.s.len ? "contains a NUL character"
					  : "an empty charset allows no text");
		return false;
	}
	s->u.text.charset = malloc(v->u.s.len + 1);
	if (!s->u.text.charset) {
		gw_check_nomem(c);
		return false;
	}
	memcpy(s->u.text.charset, v->u.s.ptr, v->u.s.len + 1);
	s->u.text.charset_len = v->u.s.len;
	return true;
}

static bool parse_text(struct gw_check *c, struct gw_space *s,
		       const struct gw_toml_value *t, const char *path)
{
	int64_t min = 0, max = 0;
	char field[GW_FIELD_MAX_BYTES];
	bool ok;

	ok = int_key(c, t, path, "min_length", 0, &min);
	ok = gw_check_require(c, t, path, "max_length") &&
	     int_key(c, t, path, "max_length", 1, &max) && ok;
	ok = text_charset(c, s, t, path) && ok;
	if (!ok)
		return false;
	field_of(field, path, "max_length");
	if (max < min) {
		gw_check_error(c, gw_toml_get(t, "max_length"), field, NULL,
			       "max_length %" PRId64 " is less than "
			       "min_length %" PRId64,
			       max, min);
		return false;
	}
	if ((uint64_t)max > GW_SPACE_MAX_ELEMS) {
		gw_check_error(c, gw_toml_get(t, "max_length"), field, NULL,
			       "max_length %" PRId64 " is more than the "
			       "limit of %u",
			       max, GW_SPACE_MAX_ELEMS);
		return false;
	}
	s->u.text.min_length = (uint64_t)min;
	s->u.text.max_length = (uint64_t)max;
	s->nelem = (uint64_t)max;
	s->nbytes = (uint64_t)max * 4;
	return true;
}

/* Count a child into its parent's totals; false past the caps. */
static bool add_child(struct gw_check *c, struct gw_space *s,
		      const struct gw_space *child,
		      const struct gw_toml_value *t, const char *path)
{
	s->nelem += child->nelem;
	s->nbytes += child->nbytes;
	if (child->depth + 1 > s->depth)
		s->depth = child->depth + 1;
	if (s->nelem > GW_SPACE_MAX_ELEMS) {
		gw_check_error(c, t, path, NULL, "more than %u elements in all",
			       GW_SPACE_MAX_ELEMS);
		return false;
	}
	return true;
}

static bool list_alloc(struct gw_check *c, struct gw_space *s, size_t n,
		       bool keys)
{
	s->u.list.items = calloc(n, sizeof(*s->u.list.items));
	if (keys)
		s->u.list.keys = calloc(n, sizeof(*s->u.list.keys));
	if (!s->u.list.items || (keys && !s->u.list.keys)) {
		gw_check_nomem(c);
		return false;
	}
	return true;
}

/* The `spaces` key of a Tuple or Dict, of the TOML type want, 1..cap. */
static const struct gw_toml_value *children(struct gw_check *c,
					    const struct gw_toml_value *t,
					    const char *path,
					    enum gw_toml_type want, size_t *n)
{
	const struct gw_toml_value *v = gw_check_require(c, t, path, "spaces");
	char field[GW_FIELD_MAX_BYTES];

	if (!v)
		return NULL;
	field_of(field, path, "spaces");
	if (!gw_check_type(c, v, field, want))
		return NULL;
	*n = want == GW_TOML_ARRAY ? v->u.arr.len : v->u.tab.len;
	if (*n == 0 || *n > GW_SPACE_MAX_CHILDREN) {
		gw_check_error(c, v, field, NULL,
			       *n ? "more than %u subspaces"
				  : "needs at least one subspace (of at most "
				    "%u)",
			       GW_SPACE_MAX_CHILDREN);
		return NULL;
	}
	return v;
}

static bool parse_tuple(struct gw_check *c, struct gw_space *s,
			const struct gw_toml_value *t, const char *path,
			unsigned depth)
{
	char base[GW_FIELD_MAX_BYTES], field[GW_FIELD_MAX_BYTES];
	const struct gw_toml_value *v;
	size_t n = 0;
	bool ok = true;

	v = children(c, t, path, GW_TOML_ARRAY, &n);
	if (!v || !list_alloc(c, s, n, false))
		return false;
	field_of(base, path, "spaces");
	for (size_t i = 0; i < n; i++) {
		struct gw_space *child;

		gw_check_path_index(field, sizeof(field), base, i);
		child = parse_space(c, v->u.arr.items[i], field, depth + 1);
		if (!child) {
			ok = false;
			continue;
		}
		s->u.list.items[s->u.list.len++] = child;
		if (ok && !add_child(c, s, child, t, path))
			ok = false;
	}
	return ok;
}

static bool dict_key(struct gw_check *c, struct gw_space *s,
		     const struct gw_toml_kv *kv, const char *field)
{
	char *key;

	if (memchr(kv->key, '\0', kv->key_len)) {
		gw_check_report(c, GW_SEVERITY_ERROR, kv->line, kv->col, field,
				NULL, "a Dict key may not contain NUL");
		return false;
	}
	key = malloc(kv->key_len + 1);
	if (!key) {
		gw_check_nomem(c);
		return false;
	}
	memcpy(key, kv->key, kv->key_len + 1);
	s->u.list.keys[s->u.list.len] = key;
	return true;
}

static bool parse_dict(struct gw_check *c, struct gw_space *s,
		       const struct gw_toml_value *t, const char *path,
		       unsigned depth)
{
	char base[GW_FIELD_MAX_BYTES], field[GW_FIELD_MAX_BYTES];
	const struct gw_toml_value *v;
	size_t n = 0;
	bool ok = true;

	v = children(c, t, path, GW_TOML_TABLE, &n);
	if (!v || !list_alloc(c, s, n, true))
		return false;
	field_of(base, path, "spaces");
	for (size_t i = 0; i < n; i++) {
		const struct gw_toml_kv *kv = &v->u.tab.kvs[i];
		struct gw_space *child;

		gw_check_path_key(field, sizeof(field), base, kv->key,
				  kv->key_len);
		child = parse_space(c, kv->value, field, depth + 1);
		if (!child || !dict_key(c, s, kv, field)) {
			gw_space_free(child);
			ok = false;
			continue;
		}
		s->u.list.items[s->u.list.len++] = child;
		if (ok && !add_child(c, s, child, t, path))
			ok = false;
	}
	return ok;
}

/* The kind named by `type`, or -1 after a report. */
static int space_kind(struct gw_check *c, const struct gw_toml_value *t,
		      const char *path)
{
	const struct gw_toml_value *v = gw_check_require(c, t, path, "type");
	char field[GW_FIELD_MAX_BYTES];

	if (!v)
		return -1;
	field_of(field, path, "type");
	return gw_check_choice(c, v, field, kind_words);
}

static bool parse_kind(struct gw_check *c, struct gw_space *s,
		       const struct gw_toml_value *t, const char *path,
		       unsigned depth)
{
	switch (s->kind) {
	case GW_SPACE_BOX: return parse_box(c, s, t, path);
	case GW_SPACE_DISCRETE: return parse_discrete(c, s, t, path);
	case GW_SPACE_MULTI_DISCRETE:
		return parse_multi_discrete(c, s, t, path);
	case GW_SPACE_MULTI_BINARY: return parse_multi_binary(c, s, t, path);
	case GW_SPACE_TUPLE: return parse_tuple(c, s, t, path, depth);
	case GW_SPACE_DICT: return parse_dict(c, s, t, path, depth);
	case GW_SPACE_TEXT: return parse_text(c, s, t, path);
	}
	return false;
}

static struct gw_space *parse_space(struct gw_check *c,
				    const struct gw_toml_value *t,
				    const char *path, unsigned depth)
{
	struct gw_space *s;
	unsigned unknown;
	int kind;

	if (!gw_check_type(c, t, path, GW_TOML_TABLE))
		return NULL;
	if (depth > GW_SPACE_MAX_DEPTH) {
		gw_check_error(c, t, path, NULL,
			       "spaces nested deeper than %u levels",
			       GW_SPACE_MAX_DEPTH);
		return NULL;
	}
	kind = space_kind(c, t, path);
	if (kind < 0)
		return NULL;

	unknown = gw_check_keys(c, t, path, kind_keys[kind]);
	s = space_new(c, t, (enum gw_space_kind)kind);
	if (!s)
		return NULL;
	if (!parse_kind(c, s, t, path, depth) || unknown) {
		gw_space_free(s);
		return NULL;
	}
	return s;
}

int gw_space_parse_toml(const struct gw_toml_value *t, const char *path,
			const struct gw_space_sink *sink, struct gw_space **out)
{
	struct gw_check c = { sink, 0, 0, false };
	struct gw_space *s;

	*out = NULL;
	s = parse_space(&c, t, path ? path : "", 1);
	if (c.nomem || c.errors) {
		gw_space_free(s);
		return c.nomem ? -ENOMEM : -EINVAL;
	}
	*out = s;
	return s ? 0 : -EINVAL;
}

struct first_error {
	struct gw_error *err;
	bool seen;
};

static void keep_first(void *arg, const struct gw_space_problem *p)
{
	struct first_error *fe = arg;

	if (fe->seen)
		return;
	fe->seen = true;
	gw_error_set_at(fe->err, -EINVAL, p->line, p->col, "%s", p->message);
	gw_error_where(fe->err, NULL, p->field);
}

int gw_space_from_toml(const struct gw_toml_value *t, const char *path,
		       struct gw_space **out, struct gw_error *err)
{
	struct first_error fe = { err, false };
	struct gw_space_sink sink = { keep_first, &fe };
	int r = gw_space_parse_toml(t, path, &sink, out);

	if (r == -ENOMEM && err && err->code == 0)
		gw_error_set(err, r, "out of memory");
	return r;
}
