/*
 * The bounded MessagePack codec. msgpuck reads and writes the headers;
 * every length it returns is checked here against a limit and against
 * the bytes left before anything is allocated or copied.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <msgpuck.h>

#include "core/endian.h"
#include "core/error.h"
#include "core/log.h"
#include "wire/msgpack.h"

/* One step of a field path: a map key or an array index. */
struct step {
	const char *key; /* NULL for an index */
	size_t key_len;
	size_t index;
};

struct path {
	const char *root;
	struct step steps[GW_MSGPACK_MAX_DEPTH + 1];
	unsigned n;
};

struct dec {
	const char *p, *end;
	struct gw_msgpack_limits lim;
	uint32_t elems;
	struct path path;
	struct gw_error *err;
};

struct enc {
	struct gw_buf *out;
	size_t start;
	struct gw_msgpack_limits lim;
	uint32_t elems;
	struct path path;
	struct gw_error *err;
};

static uint32_t tighten(uint32_t want, uint32_t cap)
{
	return want < cap ? want : cap;
}

void gw_msgpack_limits_default(struct gw_msgpack_limits *lim)
{
	lim->max_depth = GW_MSGPACK_MAX_DEPTH;
	lim->max_elems = GW_MSGPACK_MAX_ELEMS;
	lim->max_str_bytes = GW_MSGPACK_MAX_STR_BYTES;
	lim->max_total_bytes = GW_MSGPACK_MAX_TOTAL_BYTES;
	lim->max_key_bytes = GW_MSGPACK_MAX_KEY_BYTES;
}

static void effective_limits(const struct gw_msgpack_limits *in,
			     struct gw_msgpack_limits *out)
{
	gw_msgpack_limits_default(out);
	if (!in)
		return;
	out->max_depth = tighten(in->max_depth, out->max_depth);
	out->max_elems = tighten(in->max_elems, out->max_elems);
	out->max_str_bytes = tighten(in->max_str_bytes, out->max_str_bytes);
	out->max_total_bytes =
		tighten(in->max_total_bytes, out->max_total_bytes);
	out->max_key_bytes = tighten(in->max_key_bytes, out->max_key_bytes);
}

/* ------------------------------------------------------------------ */
/* UTF-8 and field paths                                               */
/* ------------------------------------------------------------------ */

/* Length of the valid sequence at s (2..4 bytes, s[0] >= 0x80), or 0. */
static size_t utf8_seq_len(const unsigned char *s, size_t left)
{
	unsigned c = s[0];
	size_t n;
	uint32_t cp;

	if (c < 0xc2 || c > 0xf4)
		return 0;
	n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
	if (n > left)
		return 0;
	cp = c & (0x7fu >> n);
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3fu);
	}
	/* Overlong forms, UTF-16 surrogates, past U+10FFFF. */
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

bool gw_wire_utf8_valid(const void *p, size_t len)
{
	const unsigned char *s = p;
	size_t i = 0;

	while (i < len) {
		size_t n;

		if (s[i] < 0x80) {
			i++;
			continue;
		}
		n = utf8_seq_len(s + i, len - i);
		if (n == 0)
			return false;
		i += n;
	}
	return true;
}

/* A key that reads well after a dot: [A-Za-z0-9_-]+. */
static bool plain_key(const char *k, size_t len)
{
	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)k[i];

		if (!(c == '_' || c == '-' || (c >= '0' && c <= '9') ||
		      ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')))
			return false;
	}
	return true;
}

/* Write path as "root.key[3][\"odd key\"]" into buf of cap bytes. */
static void format_path(const struct path *path, char *buf, size_t cap)
{
	char esc[GW_MSGPACK_MAX_KEY_BYTES * 4 + 8];
	struct gw_buf b;

	int r = 0;

	/* Room for "..." when the path is cut. */
	gw_buf_init(&b, cap > 4 ? cap - 4 : 0);
	if (path->root)
		r = gw_buf_printf(&b, "%s", path->root);
	for (unsigned i = 0; i < path->n && r == 0; i++) {
		const struct step *s = &path->steps[i];

		if (!s->key)
			r = gw_buf_printf(&b, "[%zu]", s->index);
		else if (plain_key(s->key, s->key_len))
			r = gw_buf_printf(&b, "%s%.*s", b.len ? "." : "",
					  (int)s->key_len, s->key);
		else {
			gw_escape(esc, sizeof(esc), s->key, s->key_len);
			r = gw_buf_printf(&b, "[\"%s\"]", esc);
		}
	}
	snprintf(buf, cap, "%s%s", b.data ? b.data : "", r < 0 ? "..." : "");
	gw_buf_free(&b);
}

static int path_fail(const struct path *path, struct gw_error *err, int code,
		     const char *fmt, va_list ap)
{
	char msg[sizeof(err->msg)];

	if (!err || err->code != 0)
		return code;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	format_path(path, err->field, sizeof(err->field));
	return gw_error_set(err, code, "%s", msg);
}

__attribute__((format(printf, 3, 4))) static int
dec_fail(struct dec *d, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	path_fail(&d->path, d->err, code, fmt, ap);
	va_end(ap);
	return code;
}

__attribute__((format(printf, 3, 4))) static int
enc_fail(struct enc *e, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	path_fail(&e->path, e->err, code, fmt, ap);
	va_end(ap);
	return code;
}

static void push_key(struct path *path, const char *key, size_t len)
{
	path->steps[path->n++] = (struct step){ .key = key, .key_len = len };
}

static void push_index(struct path *path, size_t index)
{
	path->steps[path->n++] = (struct step){ .index = index };
}

/* ------------------------------------------------------------------ */
/* unique keys                                                         */
/* ------------------------------------------------------------------ */

static int cmp_pair(const void *a, const void *b)
{
	const struct gw_value_pair *x = *(const struct gw_value_pair *const *)a;
	const struct gw_value_pair *y = *(const struct gw_value_pair *const *)b;
	int r;

	if (x->key_len != y->key_len)
		return x->key_len < y->key_len ? -1 : 1;
	r = memcmp(x->key, y->key, x->key_len);
	if (r != 0)
		return r;
	/* Equal keys sort by position, so the later one is reported. */
	return x < y ? -1 : x > y;
}

static bool same_key(const struct gw_value_pair *x,
		     const struct gw_value_pair *y)
{
	return x->key_len == y->key_len &&
	       memcmp(x->key, y->key, x->key_len) == 0;
}

/*
 * Find a key that occurs twice among n pairs: 0 and *dup NULL when all
 * are unique, -ENOMEM. Sorting keeps a hostile map of 64 Ki keys from
 * costing n^2 comparisons.
 */
static int find_duplicate(const struct gw_value_pair *pairs, size_t n,
			  const struct gw_value_pair **dup)
{
	const struct gw_value_pair **sorted;

	*dup = NULL;
	if (n <= 8) {
		for (size_t i = 1; i < n; i++)
			for (size_t j = 0; j < i; j++)
				if (same_key(&pairs[i], &pairs[j])) {
					*dup = &pairs[i];
					return 0;
				}
		return 0;
	}

	sorted = malloc(n * sizeof(*sorted));
	if (!sorted)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		sorted[i] = &pairs[i];
	qsort(sorted, n, sizeof(*sorted), cmp_pair);
	for (size_t i = 1; i < n && !*dup; i++)
		if (same_key(sorted[i - 1], sorted[i]))
			*dup = sorted[i];
	free(sorted);
	return 0;
}

/* ------------------------------------------------------------------ */
/* decoding                                                            */
/* ------------------------------------------------------------------ */

static size_t left(const struct dec *d)
{
	return (size_t)(d->end - d->p);
}

static int ends_early(struct dec *d, const char *inside)
{
	return dec_fail(d, -EPROTO, "document ends early, inside %s", inside);
}

static int out_of_memory(struct dec *d)
{
	return dec_fail(d, -ENOMEM, "out of memory");
}

static int count_elem(struct dec *d)
{
	if (d->elems >= d->lim.max_elems)
		return dec_fail(d, -E2BIG, "more than %u elements",
				d->lim.max_elems);
	d->elems++;
	return 0;
}

static int decode_value(struct dec *d, struct gw_value *v, unsigned depth);

static int decode_str(struct dec *d, struct gw_value *v)
{
	uint32_t len;

	if (mp_check_strl(d->p, d->end) > 0)
		return ends_early(d, "a string header");
	len = mp_decode_strl(&d->p);
	if (len > d->lim.max_str_bytes)
		return dec_fail(d, -E2BIG,
				"string of %u bytes exceeds the %u-byte limit",
				len, d->lim.max_str_bytes);
	if (len > left(d))
		return ends_early(d, "a string");
	if (!gw_wire_utf8_valid(d->p, len))
		return dec_fail(d, -EPROTO, "string is not valid UTF-8");

	if (gw_value_set_str(v, d->p, len) < 0)
		return out_of_memory(d);
	d->p += len;
	return 0;
}

/* The shape of an ndarray from its bin (after the tag) into shape. */
static int ndarray_shape(struct dec *d, const unsigned char *p, size_t len,
			 uint64_t *shape, uint64_t *count)
{
	unsigned ndim = p[1];

	if (gw_wire_dtype_size(p[0]) == 0)
		return dec_fail(d, -EPROTO, "unknown ndarray dtype code %u",
				p[0]);
	if (ndim > GW_MSGPACK_MAX_DIMS)
		return dec_fail(d, -E2BIG,
				"ndarray of %u dimensions exceeds the limit "
				"of %u",
				ndim, GW_MSGPACK_MAX_DIMS);
	if (len - 2 < 8 * (size_t)ndim)
		return dec_fail(d, -EPROTO, "ndarray shape ends early");

	*count = 1;
	for (unsigned i = 0; i < ndim; i++) {
		shape[i] = gw_get_le64(p + 2 + 8 * i);
		if (__builtin_mul_overflow(*count, shape[i], count))
			return dec_fail(d, -E2BIG,
					"ndarray shape overflows 64 bits");
	}
	return 0;
}

static int decode_ndarray(struct dec *d, const unsigned char *p, size_t len,
			  struct gw_value *v)
{
	uint64_t shape[GW_MSGPACK_MAX_DIMS], count = 0, need;
	size_t head, size;
	int r;

	if (len < 2)
		return dec_fail(d, -EPROTO, "ndarray header ends early");
	r = ndarray_shape(d, p, len, shape, &count);
	if (r < 0)
		return r;
	head = 2 + 8 * (size_t)p[1];
	size = gw_wire_dtype_size(p[0]);
	if (__builtin_mul_overflow(count, (uint64_t)size, &need))
		return dec_fail(d, -E2BIG, "ndarray size overflows 64 bits");
	if (need != len - head)
		return dec_fail(d, -EPROTO,
				"ndarray data is %zu bytes but its shape and "
				"dtype need %llu",
				len - head, (unsigned long long)need);

	if (p[0] == GW_WIRE_DTYPE_BOOL)
		for (size_t i = head; i < len; i++)
			if (p[i] > 1)
				return dec_fail(d, -EPROTO,
						"bool ndarray element %zu is "
						"%u, not 0 or 1",
						i - head, p[i]);
	r = gw_value_set_ndarray(v, p[0], p[1], shape, p + head);
	return r < 0 ? out_of_memory(d) : 0;
}

static int decode_object(struct dec *d, const unsigned char *p, size_t len,
			 struct gw_value *v)
{
	if (len > GW_MSGPACK_MAX_TYPE_NAME_BYTES)
		return dec_fail(d, -E2BIG,
				"object type name of %zu bytes exceeds the "
				"%u-byte limit",
				len, GW_MSGPACK_MAX_TYPE_NAME_BYTES);
	if (!gw_wire_utf8_valid(p, len))
		return dec_fail(d, -EPROTO,
				"object type name is not valid UTF-8");
	if (gw_value_set_object(v, (const char *)p, len) < 0)
		return out_of_memory(d);
	return 0;
}

/*
 * Whether the bin header at d->p is cut off. Not mp_check_binl: in
 * msgpuck 1.0.3 it asserts that a byte follows the marker, so a
 * document ending in 0xc4 would abort the process.
 */
static bool bin_header_cut(const struct dec *d)
{
	unsigned marker = (unsigned char)*d->p;
	size_t size = (size_t)1 << (marker - 0xc4); /* 0xc4..0xc6: 1, 2, 4 */

	return left(d) < 1 + size;
}

static int decode_bin(struct dec *d, struct gw_value *v)
{
	const unsigned char *b;
	uint32_t len;
	int r;

	if (bin_header_cut(d))
		return ends_early(d, "a bin header");
	len = mp_decode_binl(&d->p);
	if (len > d->lim.max_str_bytes)
		return dec_fail(d, -E2BIG,
				"bin of %u bytes exceeds the %u-byte limit",
				len, d->lim.max_str_bytes);
	if (len > left(d))
		return ends_early(d, "a bin");
	if (len == 0)
		return dec_fail(d, -EPROTO, "bin has no tag byte");

	b = (const unsigned char *)d->p;
	switch (b[0]) {
	case 0:
		r = gw_value_set_bin(v, b + 1, len - 1) < 0 ? out_of_memory(d)
							    : 0;
		break;
	case 1: r = decode_ndarray(d, b + 1, len - 1, v); break;
	case 2: r = decode_object(d, b + 1, len - 1, v); break;
	default: r = dec_fail(d, -EPROTO, "unknown bin tag %u", b[0]); break;
	}
	if (r == 0)
		d->p += len;
	return r;
}

static int decode_array(struct dec *d, struct gw_value *v, unsigned depth)
{
	uint32_t n;
	int r;

	if (mp_check_array(d->p, d->end) > 0)
		return ends_early(d, "an array header");
	n = mp_decode_array(&d->p);
	if (depth >= d->lim.max_depth)
		return dec_fail(d, -E2BIG, "containers nested deeper than %u",
				d->lim.max_depth);
	if (n > d->lim.max_elems - d->elems)
		return dec_fail(d, -E2BIG,
				"array of %u elements exceeds the limit of %u "
				"elements",
				n, d->lim.max_elems);
	/* Every element takes at least one byte. */
	if (n > left(d))
		return ends_early(d, "an array");

	gw_value_set_array(v);
	if (n) {
		v->array.items = calloc(n, sizeof(*v->array.items));
		if (!v->array.items)
			return out_of_memory(d);
		v->array.alloc = n;
	}
	for (uint32_t i = 0; i < n; i++) {
		v->array.len = i + 1;
		push_index(&d->path, i);
		r = decode_value(d, &v->array.items[i], depth + 1);
		d->path.n--;
		if (r < 0)
			return r;
	}
	return 0;
}

static int decode_key(struct dec *d, struct gw_value_pair *pair, uint32_t i)
{
	uint32_t len;
	int r;

	if (d->p >= d->end)
		return ends_early(d, "a map");
	if (mp_typeof(*d->p) != MP_STR)
		return dec_fail(d, -EPROTO, "map key %u is not a string", i);
	r = count_elem(d);
	if (r < 0)
		return r;
	if (mp_check_strl(d->p, d->end) > 0)
		return ends_early(d, "a map key");
	len = mp_decode_strl(&d->p);
	if (len > d->lim.max_key_bytes)
		return dec_fail(d, -E2BIG,
				"map key %u of %u bytes exceeds the %u-byte "
				"limit",
				i, len, d->lim.max_key_bytes);
	if (len > left(d))
		return ends_early(d, "a map key");
	if (!gw_wire_utf8_valid(d->p, len))
		return dec_fail(d, -EPROTO, "map key %u is not valid UTF-8", i);
	if (memchr(d->p, '\0', len))
		return dec_fail(d, -EPROTO, "map key %u contains a NUL byte",
				i);

	pair->key = malloc(len + 1);
	if (!pair->key)
		return out_of_memory(d);
	memcpy(pair->key, d->p, len);
	pair->key[len] = '\0';
	pair->key_len = len;
	d->p += len;
	return 0;
}

static int decode_map(struct dec *d, struct gw_value *v, unsigned depth)
{
	const struct gw_value_pair *dup;
	uint32_t n;
	int r;

	if (mp_check_map(d->p, d->end) > 0)
		return ends_early(d, "a map header");
	n = mp_decode_map(&d->p);
	if (depth >= d->lim.max_depth)
		return dec_fail(d, -E2BIG, "containers nested deeper than %u",
				d->lim.max_depth);
	if (n > (d->lim.max_elems - d->elems) / 2)
		return dec_fail(d, -E2BIG,
				"map of %u pairs exceeds the limit of %u "
				"elements",
				n, d->lim.max_elems);
	/* Every key and every value takes at least one byte. */
	if ((size_t)n > left(d) / 2)
		return ends_early(d, "a map");

	gw_value_set_map(v);
	if (n) {
		v->map.pairs = calloc(n, sizeof(*v->map.pairs));
		if (!v->map.pairs)
			return out_of_memory(d);
		v->map.alloc = n;
	}
	for (uint32_t i = 0; i < n; i++) {
		struct gw_value_pair *pair = &v->map.pairs[i];

		r = decode_key(d, pair, i);
		if (r < 0)
			return r;
		v->map.len = i + 1;
		push_key(&d->path, pair->key, pair->key_len);
		r = decode_value(d, &pair->value, depth + 1);
		d->path.n--;
		if (r < 0)
			return r;
	}

	if (find_duplicate(v->map.pairs, n, &dup) < 0)
		return out_of_memory(d);
	if (dup) {
		push_key(&d->path, dup->key, dup->key_len);
		r = dec_fail(d, -EPROTO, "duplicate key");
		d->path.n--;
		return r;
	}
	return 0;
}

static int decode_scalar(struct dec *d, struct gw_value *v, enum mp_type type)
{
	const char *p = d->p;

	switch (type) {
	case MP_UINT:
		if (mp_check_uint(p, d->end) > 0)
			return ends_early(d, "an integer");
		gw_value_set_uint(v, mp_decode_uint(&d->p));
		return 0;
	case MP_INT:
		if (mp_check_int(p, d->end) > 0)
			return ends_early(d, "an integer");
		gw_value_set_int(v, mp_decode_int(&d->p));
		return 0;
	case MP_FLOAT:
		if (mp_check_float(p, d->end) > 0)
			return ends_early(d, "a float");
		gw_value_set_float(v, (double)mp_decode_float(&d->p));
		return 0;
	case MP_DOUBLE:
		if (mp_check_double(p, d->end) > 0)
			return ends_early(d, "a float");
		gw_value_set_float(v, mp_decode_double(&d->p));
		return 0;
	default: break;
	}
	if ((unsigned char)*p == 0xc1)
		return dec_fail(d, -EPROTO,
				"byte 0xc1 is never used in "
				"MessagePack");
	return dec_fail(d, -EPROTO, "extension types are not allowed");
}

static int decode_value(struct dec *d, struct gw_value *v, unsigned depth)
{
	enum mp_type type;
	int r;

	if (d->p >= d->end)
		return ends_early(d, "a value");
	r = count_elem(d);
	if (r < 0)
		return r;

	type = mp_typeof(*d->p);
	switch (type) {
	case MP_NIL:
		mp_decode_nil(&d->p);
		gw_value_set_nil(v);
		return 0;
	case MP_BOOL: gw_value_set_bool(v, mp_decode_bool(&d->p)); return 0;
	case MP_STR: return decode_str(d, v);
	case MP_BIN: return decode_bin(d, v);
	case MP_ARRAY: return decode_array(d, v, depth);
	case MP_MAP: return decode_map(d, v, depth);
	default: return decode_scalar(d, v, type);
	}
}

int gw_msgpack_decode(const void *data, size_t len,
		      const struct gw_msgpack_limits *lim, const char *root,
		      struct gw_value **out, struct gw_error *err)
{
	struct gw_value *v;
	struct dec d;
	int r;

	*out = NULL;
	memset(&d, 0, sizeof(d));
	effective_limits(lim, &d.lim);
	d.p = data ? data : "";
	d.end = d.p + (data ? len : 0);
	d.path.root = root && *root ? root : NULL;
	d.err = err;
	if (len > d.lim.max_total_bytes)
		return dec_fail(&d, -E2BIG,
				"document of %zu bytes exceeds the %u-byte "
				"limit",
				len, d.lim.max_total_bytes);

	v = gw_value_new();
	if (!v)
		return out_of_memory(&d);
	r = decode_value(&d, v, 0);
	if (r == 0 && d.p != d.end)
		r = dec_fail(&d, -EPROTO, "%zu trailing bytes after the value",
			     left(&d));
	if (r < 0) {
		gw_value_free(v);
		return r;
	}
	*out = v;
	return 0;
}

/* ------------------------------------------------------------------ */
/* encoding                                                            */
/* ------------------------------------------------------------------ */

static int put(struct enc *e, const void *p, size_t n)
{
	size_t written = e->out->len - e->start;
	int r;

	if (n > e->lim.max_total_bytes - written)
		return enc_fail(e, -E2BIG, "document exceeds the %u-byte limit",
				e->lim.max_total_bytes);
	r = gw_buf_append(e->out, p, n);
	if (r == -E2BIG)
		return enc_fail(e, r,
				"document exceeds the buffer's %zu-byte "
				"cap",
				e->out->max_bytes);
	if (r < 0)
		return enc_fail(e, r, "out of memory");
	return 0;
}

/* Write the header bytes head[0..end). */
static int put_head(struct enc *e, const char *head, const char *end)
{
	return put(e, head, (size_t)(end - head));
}

static int enc_str(struct enc *e, const char *s, size_t len)
{
	char head[8];
	int r;

	if (len > e->lim.max_str_bytes)
		return enc_fail(e, -E2BIG,
				"string of %zu bytes exceeds the %u-byte limit",
				len, e->lim.max_str_bytes);
	if (!gw_wire_utf8_valid(s, len))
		return enc_fail(e, -EINVAL, "string is not valid UTF-8");
	r = put_head(e, head, mp_encode_strl(head, (uint32_t)len));
	return r < 0 ? r : put(e, s, len);
}

/* A bin of tag, then extra (n_extra bytes), then data (len bytes). */
static int enc_bin(struct enc *e, unsigned char tag, const void *extra,
		   size_t n_extra, const void *data, size_t len)
{
	char head[8];
	size_t total;
	int r;

	if (len > e->lim.max_str_bytes ||
	    1 + n_extra > e->lim.max_str_bytes - len)
		return enc_fail(e, -E2BIG,
				"bin of %zu bytes exceeds the %u-byte limit",
				1 + n_extra + len, e->lim.max_str_bytes);
	total = 1 + n_extra + len;
	r = put_head(e, head, mp_encode_binl(head, (uint32_t)total));
	if (r == 0)
		r = put(e, &tag, 1);
	if (r == 0 && n_extra)
		r = put(e, extra, n_extra);
	if (r == 0 && len)
		r = put(e, data, len);
	return r;
}

static bool ndarray_consistent(const struct gw_ndarray *nd)
{
	size_t size = gw_wire_dtype_size(nd->dtype);
	uint64_t count = 1, bytes;

	if (size == 0 || nd->ndim > GW_MSGPACK_MAX_DIMS)
		return false;
	for (unsigned i = 0; i < nd->ndim; i++)
		if (__builtin_mul_overflow(count, nd->shape[i], &count))
			return false;
	if (__builtin_mul_overflow(count, (uint64_t)size, &bytes))
		return false;
	return count == nd->count && bytes == nd->data_bytes;
}

static int enc_ndarray(struct enc *e, const struct gw_ndarray *nd)
{
	unsigned char head[2 + 8 * GW_MSGPACK_MAX_DIMS];

	if (!ndarray_consistent(nd))
		return enc_fail(e, -EINVAL,
				"ndarray shape, dtype and data disagree");
	head[0] = nd->dtype;
	head[1] = nd->ndim;
	for (unsigned i = 0; i < nd->ndim; i++)
		for (unsigned b = 0; b < 8; b++)
			head[2 + 8 * i + b] =
				(unsigned char)(nd->shape[i] >> (8 * b));
	return enc_bin(e, 1, head, 2 + 8 * (size_t)nd->ndim, nd->data,
		       nd->data_bytes);
}

static int enc_object(struct enc *e, const char *name, size_t len)
{
	if (len > GW_MSGPACK_MAX_TYPE_NAME_BYTES)
		return enc_fail(e, -E2BIG,
				"object type name of %zu bytes exceeds the "
				"%u-byte limit",
				len, GW_MSGPACK_MAX_TYPE_NAME_BYTES);
	if (!gw_wire_utf8_valid(name, len))
		return enc_fail(e, -EINVAL,
				"object type name is not valid UTF-8");
	return enc_bin(e, 2, NULL, 0, name, len);
}

static int enc_value(struct enc *e, const struct gw_value *v, unsigned depth);

static int enc_array(struct enc *e, const struct gw_value *v, unsigned depth)
{
	char head[8];
	int r;

	if (depth >= e->lim.max_depth)
		return enc_fail(e, -E2BIG, "containers nested deeper than %u",
				e->lim.max_depth);
	if (v->array.len > e->lim.max_elems - e->elems)
		return enc_fail(e, -E2BIG,
				"array of %zu elements exceeds the limit of %u "
				"elements",
				v->array.len, e->lim.max_elems);
	r = put_head(e, head, mp_encode_array(head, (uint32_t)v->array.len));
	for (size_t i = 0; i < v->array.len && r == 0; i++) {
		push_index(&e->path, i);
		r = enc_value(e, &v->array.items[i], depth + 1);
		e->path.n--;
	}
	return r;
}

static int enc_key(struct enc *e, const struct gw_value_pair *pair, size_t i)
{
	char head[8];
	int r;

	if (pair->key_len > e->lim.max_key_bytes)
		return enc_fail(e, -E2BIG,
				"map key %zu of %zu bytes exceeds the %u-byte "
				"limit",
				i, pair->key_len, e->lim.max_key_bytes);
	if (!gw_wire_utf8_valid(pair->key, pair->key_len))
		return enc_fail(e, -EINVAL, "map key %zu is not valid UTF-8",
				i);
	if (memchr(pair->key, '\0', pair->key_len))
		return enc_fail(e, -EINVAL, "map key %zu contains a NUL byte",
				i);
	if (e->elems >= e->lim.max_elems)
		return enc_fail(e, -E2BIG, "more than %u elements",
				e->lim.max_elems);
	e->elems++;
	r = put_head(e, head, mp_encode_strl(head, (uint32_t)pair->key_len));
	return r < 0 ? r : put(e, pair->key, pair->key_len);
}

static int enc_map(struct enc *e, const struct gw_value *v, unsigned depth)
{
	const struct gw_value_pair *dup;
	char head[8];
	int r;

	if (depth >= e->lim.max_depth)
		return enc_fail(e, -E2BIG, "containers nested deeper than %u",
				e->lim.max_depth);
	if (v->map.len > (e->lim.max_elems - e->elems) / 2)
		return enc_fail(e, -E2BIG,
				"map of %zu pairs exceeds the limit of %u "
				"elements",
				v->map.len, e->lim.max_elems);
	if (find_duplicate(v->map.pairs, v->map.len, &dup) < 0)
		return enc_fail(e, -ENOMEM, "out of memory");
	if (dup) {
		push_key(&e->path, dup->key, dup->key_len);
		r = enc_fail(e, -EINVAL, "duplicate key");
		e->path.n--;
		return r;
	}

	r = put_head(e, head, mp_encode_map(head, (uint32_t)v->map.len));
	for (size_t i = 0; i < v->map.len && r == 0; i++) {
		const struct gw_value_pair *pair = &v->map.pairs[i];

		r = enc_key(e, pair, i);
		if (r < 0)
			break;
		push_key(&e->path, pair->key, pair->key_len);
		r = enc_value(e, &pair->value, depth + 1);
		e->path.n--;
	}
	return r;
}

static int enc_value(struct enc *e, const struct gw_value *v, unsigned depth)
{
	char head[16];

	if (e->elems >= e->lim.max_elems)
		return enc_fail(e, -E2BIG, "more than %u elements",
				e->lim.max_elems);
	e->elems++;

	switch (v->kind) {
	case GW_VALUE_NIL: return put_head(e, head, mp_encode_nil(head));
	case GW_VALUE_BOOL:
		return put_head(e, head, mp_encode_bool(head, v->b));
	case GW_VALUE_INT:
		if (v->i < 0)
			return put_head(e, head, mp_encode_int(head, v->i));
		return put_head(e, head, mp_encode_uint(head, (uint64_t)v->i));
	case GW_VALUE_UINT:
		return put_head(e, head, mp_encode_uint(head, v->u));
	case GW_VALUE_FLOAT:
		return put_head(e, head, mp_encode_double(head, v->f));
	case GW_VALUE_STR: return enc_str(e, v->str.ptr, v->str.len);
	case GW_VALUE_BIN:
		return enc_bin(e, 0, NULL, 0, v->bin.ptr, v->bin.len);
	case GW_VALUE_NDARRAY: return enc_ndarray(e, v->nd);
	case GW_VALUE_OBJECT: return enc_object(e, v->str.ptr, v->str.len);
	case GW_VALUE_ARRAY: return enc_array(e, v, depth);
	case GW_VALUE_MAP: return enc_map(e, v, depth);
	}
	return enc_fail(e, -EINVAL, "unknown value kind %d", (int)v->kind);
}

int gw_msgpack_encode(const struct gw_value *v,
		      const struct gw_msgpack_limits *lim, const char *root,
		      struct gw_buf *out, struct gw_error *err)
{
	struct enc e;
	int r;

	memset(&e, 0, sizeof(e));
	effective_limits(lim, &e.lim);
	e.out = out;
	e.start = out->len;
	e.path.root = root && *root ? root : NULL;
	e.err = err;

	r = enc_value(&e, v, 0);
	if (r < 0 && out->data) {
		out->len = e.start;
		out->data[out->len] = '\0';
	}
	return r;
}
