/*
 * The space model's plain operations: names, freeing, element counts and
 * the one-line text form. Comparison is in space_diff.c, parsing in
 * space_parse.c, the JSON description in space_json.c.
 */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "space/space.h"
#include "space/space_priv.h"

static const char *const kind_names[] = {
	[GW_SPACE_BOX] = "Box",
	[GW_SPACE_DISCRETE] = "Discrete",
	[GW_SPACE_MULTI_DISCRETE] = "MultiDiscrete",
	[GW_SPACE_MULTI_BINARY] = "MultiBinary",
	[GW_SPACE_TUPLE] = "Tuple",
	[GW_SPACE_DICT] = "Dict",
	[GW_SPACE_TEXT] = "Text",
};

const char *gw_space_kind_name(enum gw_space_kind kind)
{
	if ((unsigned)kind >= sizeof(kind_names) / sizeof(kind_names[0]))
		return "?";
	return kind_names[kind];
}

enum gw_space_kind gw_space_kind(const struct gw_space *s)
{
	return s->kind;
}

void gw_space_free(struct gw_space *s)
{
	if (!s)
		return;

	switch (s->kind) {
	case GW_SPACE_BOX:
		free(s->u.box.low.i);
		free(s->u.box.high.i);
		break;
	case GW_SPACE_MULTI_DISCRETE:
		free(s->u.md.nvec);
		free(s->u.md.start);
		break;
	case GW_SPACE_TUPLE:
	case GW_SPACE_DICT:
		for (size_t i = 0; i < s->u.list.len; i++) {
			gw_space_free(s->u.list.items[i]);
			if (s->u.list.keys)
				free(s->u.list.keys[i]);
		}
		free(s->u.list.items);
		free(s->u.list.keys);
		break;
	case GW_SPACE_TEXT: free(s->u.text.charset); break;
	default: break;
	}
	free(s);
}

uint64_t gw_space_shape_elems(const uint64_t *shape, unsigned ndim)
{
	uint64_t n = 1;

	for (unsigned i = 0; i < ndim; i++) {
		if (shape[i] == 0 || n > GW_SPACE_MAX_ELEMS / shape[i])
			return 0;
		n *= shape[i];
	}
	return n;
}

void gw_out_put(struct gw_out *o, const char *fmt, ...)
{
	size_t room = o->cap > o->len ? o->cap - o->len : 0;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(room ? o->buf + o->len : NULL, room, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= room)
		o->cut = true;
	o->len += (size_t)n;
}

size_t gw_out_finish(struct gw_out *o)
{
	if (o->cap == 0)
		return 0;
	if (!o->cut)
		return o->len;
	/* Cut: end in "..." inside the buffer. */
	if (o->cap >= 4)
		memcpy(o->buf + o->cap - 4, "...", 4);
	else
		o->buf[o->cap - 1] = '\0';
	return strlen(o->buf);
}

/*
 * The shortest decimal form of a float bound that reads back as the same
 * value of its dtype, so float32 0.1 prints as 0.1 and not 0.100000001.
 */
void gw_format_float(enum gw_dtype dtype, double v, char *buf, size_t cap)
{
	size_t len;

	if (isinf(v)) {
		snprintf(buf, cap, v < 0 ? "-inf" : "inf");
		return;
	}
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(buf, cap, "%.*g", prec, v);
		if (gw_dtype_round(dtype, strtod(buf, NULL)) == v)
			break;
	}
	/* A whole number keeps a ".0" so it reads as a float. */
	len = strlen(buf);
	if (!strpbrk(buf, ".eEn") && len + 3 <= cap)
		memcpy(buf + len, ".0", 3);
}

void gw_format_bound(const struct gw_space *s, const union gw_bounds *b,
		     size_t i, char *buf, size_t cap)
{
	switch (gw_dtype_info(s->dtype)->rep) {
	case GW_REP_INT: snprintf(buf, cap, "%" PRId64, b->i[i]); break;
	case GW_REP_UINT:
		if (s->dtype == GW_DTYPE_BOOL)
			snprintf(buf, cap, "%s", b->u[i] ? "True" : "False");
		else
			snprintf(buf, cap, "%" PRIu64, b->u[i]);
		break;
	default: gw_format_float(s->dtype, b->f[i], buf, cap); break;
	}
}

void gw_format_shape(struct gw_out *o, const uint64_t *shape, unsigned ndim)
{
	gw_out_put(o, "(");
	for (unsigned i = 0; i < ndim; i++)
		gw_out_put(o, "%s%" PRIu64, i ? ", " : "", shape[i]);
	gw_out_put(o, ndim == 1 ? ",)" : ")");
}

/* Write nested brackets of an array of nelem values, numpy style. */
static void format_nested(struct gw_out *o, const struct gw_space *s,
			  unsigned dim, size_t *next,
			  void (*one)(struct gw_out *, const struct gw_space *,
				      const void *, size_t),
			  const void *arg)
{
	gw_out_put(o, "[");
	for (uint64_t k = 0; k < s->shape[dim] && !o->cut; k++) {
		if (k)
			gw_out_put(o, " ");
		if (dim + 1 < s->ndim)
			format_nested(o, s, dim + 1, next, one, arg);
		else
			one(o, s, arg, (*next)++);
	}
	gw_out_put(o, "]");
}

static void one_bound(struct gw_out *o, const struct gw_space *s,
		      const void *arg, size_t i)
{
	char num[64];

	gw_format_bound(s, arg, i, num, sizeof(num));
	gw_out_put(o, "%s", num);
}

static void one_int(struct gw_out *o, const struct gw_space *s, const void *arg,
		    size_t i)
{
	(void)s;
	gw_out_put(o, "%" PRId64, ((const int64_t *)arg)[i]);
}

static void format_bounds(struct gw_out *o, const struct gw_space *s,
			  const union gw_bounds *b)
{
	size_t next = 0;

	if (s->u.box.scalar_bounds || s->ndim == 0)
		one_bound(o, s, b, 0);
	else
		format_nested(o, s, 0, &next, one_bound, b);
}

static void format_space(struct gw_out *o, const struct gw_space *s);

static void format_list(struct gw_out *o, const struct gw_space *s)
{
	char key[GW_ESCAPED_MAX_BYTES];

	gw_out_put(o, "%s(", gw_space_kind_name(s->kind));
	for (size_t i = 0; i < s->u.list.len && !o->cut; i++) {
		if (i)
			gw_out_put(o, ", ");
		if (s->u.list.keys) {
			gw_escape(key, sizeof(key), s->u.list.keys[i],
				  strlen(s->u.list.keys[i]));
			gw_out_put(o, "'%s': ", key);
		}
		format_space(o, s->u.list.items[i]);
	}
	gw_out_put(o, ")");
}

static void format_space(struct gw_out *o, const struct gw_space *s)
{
	size_t next = 0;

	switch (s->kind) {
	case GW_SPACE_BOX:
		gw_out_put(o, "Box(");
		format_bounds(o, s, &s->u.box.low);
		gw_out_put(o, ", ");
		format_bounds(o, s, &s->u.box.high);
		gw_out_put(o, ", ");
		gw_format_shape(o, s->shape, s->ndim);
		gw_out_put(o, ", %s)", gw_dtype_name(s->dtype));
		break;
	case GW_SPACE_DISCRETE:
		gw_out_put(o, "Discrete(%" PRId64, s->u.discrete.n);
		if (s->u.discrete.start)
			gw_out_put(o, ", start=%" PRId64, s->u.discrete.start);
		gw_out_put(o, ")");
		break;
	case GW_SPACE_MULTI_DISCRETE:
		gw_out_put(o, "MultiDiscrete(");
		format_nested(o, s, 0, &next, one_int, s->u.md.nvec);
		if (!s->u.md.zero_start) {
			next = 0;
			gw_out_put(o, ", start=");
			format_nested(o, s, 0, &next, one_int, s->u.md.start);
		}
		gw_out_put(o, ")");
		break;
	case GW_SPACE_MULTI_BINARY:
		gw_out_put(o, "MultiBinary(");
		if (s->ndim == 1)
			gw_out_put(o, "%" PRIu64, s->shape[0]);
		else
			gw_format_shape(o, s->shape, s->ndim);
		gw_out_put(o, ")");
		break;
	case GW_SPACE_TUPLE:
	case GW_SPACE_DICT: format_list(o, s); break;
	case GW_SPACE_TEXT:
		gw_out_put(o, "Text(%" PRIu64 ", %" PRIu64,
			   s->u.text.min_length, s->u.text.max_length);
		if (s->u.text.charset) {
			char cs[GW_ESCAPED_MAX_BYTES];

			gw_escape(cs, sizeof(cs), s->u.text.charset,
				  s->u.text.charset_len);
			gw_out_put(o, ", charset=\"%s\"", cs);
		}
		gw_out_put(o, ")");
		break;
	}
}

size_t gw_space_format(const struct gw_space *s, char *buf, size_t cap)
{
	struct gw_out o = { buf, cap, 0, false };

	if (cap)
		buf[0] = '\0';
	format_space(&o, s);
	return gw_out_finish(&o);
}
