/*
 * Outbound: the leaves of an observation, as a worker wrote them, read
 * from a private copy and turned into the pinned packed layout. The
 * bytes are hostile: every header field is checked against the bytes
 * left and against its cap before anything is read through it, and a
 * malformed encoding is a protocol fault (-EPROTO), not a fault class.
 * What the environment returned is then judged leaf by leaf.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/error.h"
#include "core/log.h"
#include "space/check.h"
#include "space/ops_priv.h"
#include "space/space_priv.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "leaf data is read in host order, which must be little-endian"
#endif

enum leaf_kind {
	LEAF_ARRAY,
	LEAF_OTHER, /* not an array: data is a type name */
	LEAF_MISSING,
	LEAF_TEXT,
	LEAF_TOO_LARGE, /* real shape, no data */
	LEAF_KINDS,
};

/* Dtype codes of docs/protocol.md; -1: not a code. */
static const int dtype_of_code[] = {
	-1,
	GW_DTYPE_BOOL,
	GW_DTYPE_INT8,
	GW_DTYPE_INT16,
	GW_DTYPE_INT32,
	GW_DTYPE_INT64,
	GW_DTYPE_UINT8,
	GW_DTYPE_UINT16,
	GW_DTYPE_UINT32,
	GW_DTYPE_UINT64,
	GW_DTYPE_FLOAT16,
	GW_DTYPE_FLOAT32,
	GW_DTYPE_FLOAT64,
};

#define N_CODES (sizeof(dtype_of_code) / sizeof(dtype_of_code[0]))

struct leaf {
	unsigned kind, code, ndim;
	uint32_t data_bytes;
	uint64_t shape[GW_SPACE_MAX_DIMS];
	enum gw_dtype dtype; /* LEAF_ARRAY only */
	const unsigned char *data;
};

struct obs {
	const unsigned char *in;
	size_t len, off;
	size_t leaf_no;
	unsigned char *out;
	uint64_t written; /* out is final (or zeroed) up to here */
	const struct gw_check_policy *cp;
	uint32_t tol;
	const struct gw_fault_sink *sink;
	struct gw_error *err;
	int verdict;
	struct gw_leaf_faults lf;
};

static uint64_t get_u64(const unsigned char *p)
{
	return (uint64_t)gw_get_u32le(p) | (uint64_t)gw_get_u32le(p + 4) << 32;
}

/* A malformed encoding: -EPROTO, with the leaf and cause in err. */
static int bad(struct obs *o, const struct gw_fpath *path,
	       const struct gw_space *leaf, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int bad(struct obs *o, const struct gw_fpath *path,
	       const struct gw_space *leaf, const char *fmt, ...)
{
	char field[GW_FIELD_MAX_BYTES], msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	gw_fpath_format(path, leaf, -1, field, sizeof(field));
	gw_error_set(o->err, -EPROTO, "leaf %zu at byte %zu: %s", o->leaf_no,
		     o->off, msg);
	gw_error_where(o->err, NULL, field);
	return -EPROTO;
}

/* The fixed fields of a header: kind, dtype code, ndim, reserved. */
static int check_header(struct obs *o, const struct gw_fpath *path,
			const struct gw_space *pinned, const unsigned char *h,
			struct leaf *lf)
{
	lf->kind = h[0];
	lf->code = h[1];
	lf->ndim = h[2];
	lf->data_bytes = gw_get_u32le(h + 4);
	if (lf->kind >= LEAF_KINDS)
		return bad(o, path, pinned, "kind %u is not one of 0..4",
			   lf->kind);
	if (h[3] != 0)
		return bad(o, path, pinned, "reserved byte is %u", h[3]);
	if (lf->ndim > GW_SPACE_MAX_DIMS)
		return bad(o, path, pinned, "ndim %u is more than %u", lf->ndim,
			   GW_SPACE_MAX_DIMS);
	if (lf->kind == LEAF_ARRAY &&
	    (lf->code >= N_CODES || dtype_of_code[lf->code] < 0))
		return bad(o, path, pinned, "dtype code %u is not one of 1..12",
			   lf->code);
	if (lf->kind != LEAF_ARRAY && lf->code != 0)
		return bad(o, path, pinned,
			   "dtype code %u on a leaf of kind %u", lf->code,
			   lf->kind);
	if (lf->ndim && lf->kind != LEAF_ARRAY && lf->kind != LEAF_TOO_LARGE)
		return bad(o, path, pinned, "ndim %u on a leaf of kind %u",
			   lf->ndim, lf->kind);
	return 0;
}

static uint64_t data_cap(const struct gw_space *pinned, unsigned kind)
{
	switch (kind) {
	case LEAF_ARRAY:
	case LEAF_TEXT: return pinned ? gw_leaf_data_cap(pinned) : 0;
	case LEAF_OTHER: return GW_LEAF_MAX_NAME_BYTES;
	default: return 0;
	}
}

/* An array's data must be exactly its shape's elements. */
static int check_array(struct obs *o, const struct gw_fpath *path,
		       const struct gw_space *pinned, struct leaf *lf)
{
	uint64_t n = gw_dtype_info(lf->dtype)->itemsize;

	for (unsigned d = 0; d < lf->ndim; d++) {
		if (lf->shape[d] && n > UINT64_MAX / lf->shape[d])
			return bad(o, path, pinned, "shape product overflows");
		n *= lf->shape[d];
	}
	if (n != lf->data_bytes)
		return bad(o, path, pinned,
			   "data_bytes %" PRIu32 " does not match its shape "
			   "(%" PRIu64 " bytes of %s)",
			   lf->data_bytes, n, gw_dtype_name(lf->dtype));
	if (lf->dtype != GW_DTYPE_BOOL)
		return 0;
	for (uint32_t k = 0; k < lf->data_bytes; k++)
		if (lf->data[k] > 1)
			return bad(o, path, pinned, "bool byte %u at %" PRIu32,
				   lf->data[k], k);
	return 0;
}

/*
 * Read the next leaf at o->off: the header, the shape, the data and the
 * padding, each against the bytes left and its cap.
 */
static int read_leaf(struct obs *o, const struct gw_fpath *path,
		     const struct gw_space *pinned, struct leaf *lf)
{
	const unsigned char *h = o->in + o->off;
	size_t left = o->len - o->off;
	uint64_t head, end;
	int r;

	if (left < 8)
		return bad(o, path, pinned, "header cut short: %zu of 8 bytes",
			   left);
	r = check_header(o, path, pinned, h, lf);
	if (r < 0)
		return r;
	head = 8 + 8 * (uint64_t)lf->ndim;
	if (head > left)
		return bad(o, path, pinned, "shape cut short");
	for (unsigned d = 0; d < lf->ndim; d++)
		lf->shape[d] = get_u64(h + 8 + 8 * d);
	if (lf->data_bytes > data_cap(pinned, lf->kind))
		return bad(o, path, pinned,
			   "data_bytes %" PRIu32 " is more than the cap of "
			   "%" PRIu64,
			   lf->data_bytes, data_cap(pinned, lf->kind));
	end = gw_align8(head + lf->data_bytes);
	if (end > left)
		return bad(o, path, pinned,
			   "data_bytes %" PRIu32 " runs past the %zu bytes "
			   "left",
			   lf->data_bytes, left);
	for (uint64_t k = head + lf->data_bytes; k < end; k++)
		if (h[k])
			return bad(o, path, pinned, "padding is not zero");

	lf->data = h + head;
	if (lf->kind == LEAF_ARRAY) {
		lf->dtype = (enum gw_dtype)dtype_of_code[lf->code];
		r = check_array(o, path, pinned, lf);
		if (r < 0)
			return r;
	}
	o->off += end;
	o->leaf_no++;
	return 0;
}

/* Note a fault of the whole leaf; true when the caller writes detail. */
static bool leaf_fault(struct obs *o, enum gw_fault f, enum gw_policy p,
		       const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static bool leaf_fault(struct obs *o, enum gw_fault f, enum gw_policy p,
		       const char *fmt, ...)
{
	va_list ap;

	if (!gw_leaf_fault(&o->lf, f, -1, p))
		return false;
	va_start(ap, fmt);
	vsnprintf(o->lf.detail[f], GW_FAULT_DETAIL_MAX_BYTES, fmt, ap);
	va_end(ap);
	return true;
}

static void shape_text(char *buf, size_t cap, const uint64_t *shape,
		       unsigned ndim)
{
	struct gw_out out = { buf, cap, 0, false };

	gw_format_shape(&out, shape, ndim);
	gw_out_finish(&out);
}

/* What a leaf that is not the array or text pinned actually was. */
static void describe(const struct leaf *lf, char *buf, size_t cap)
{
	char shape[160];

	shape_text(shape, sizeof(shape), lf->shape, lf->ndim);
	switch (lf->kind) {
	case LEAF_ARRAY:
		snprintf(buf, cap, "an array of shape %s and dtype %s", shape,
			 gw_dtype_name(lf->dtype));
		break;
	case LEAF_OTHER:
		if (lf->data_bytes)
			gw_escape(buf, cap, (const char *)lf->data,
				  lf->data_bytes);
		else
			snprintf(buf, cap, "an object");
		break;
	case LEAF_TEXT: snprintf(buf, cap, "text"); break;
	default:
		if (lf->ndim)
			snprintf(buf, cap,
				 "an array too large to send, of shape %s",
				 shape);
		else
			snprintf(buf, cap, "a value too large to send");
		break;
	}
}

static void shape_fault(struct obs *o, const struct gw_layout_node *n,
			const struct leaf *lf)
{
	enum gw_policy p = gw_fault_policy(o->cp, GW_FAULT_SHAPE);
	const struct gw_space *s = n->space;
	char want[160], got[GW_FAULT_DETAIL_MAX_BYTES];

	memset(o->out + n->offset, 0, n->size);
	if (lf->kind == LEAF_MISSING) {
		leaf_fault(o, GW_FAULT_SHAPE, p, "missing");
		return;
	}
	describe(lf, got, sizeof(got));
	if (s->kind == GW_SPACE_TEXT) {
		leaf_fault(o, GW_FAULT_SHAPE, p, "expected text, got %s", got);
		return;
	}
	shape_text(want, sizeof(want), s->shape, s->ndim);
	leaf_fault(o, GW_FAULT_SHAPE, p,
		   "expected an array of shape %s, got %s", want, got);
}

/* Whether src is the pinned dtype, or one the leaf's kind takes as is. */
static bool takes_dtype(const struct gw_space *s, enum gw_dtype src)
{
	enum gw_rep rep = gw_dtype_info(src)->rep;
	bool integer = rep == GW_REP_INT ||
		       (rep == GW_REP_UINT && src != GW_DTYPE_BOOL);

	switch (s->kind) {
	case GW_SPACE_BOX: return src == s->dtype;
	case GW_SPACE_MULTI_BINARY: return integer || src == GW_DTYPE_BOOL;
	default: return integer;
	}
}

/* Apply the policy for one judged value and write what it says. */
static void settle(struct obs *o, const struct gw_space *s, uint64_t k,
		   unsigned char *dst, const struct gw_num *x,
		   enum gw_dtype src, const struct gw_target *t,
		   const struct gw_judgement *j)
{
	enum gw_policy p = gw_fault_policy(o->cp, j->fault);

	if (p == GW_POLICY_CLIP && j->can_clip)
		gw_num_store(t->dtype, &j->fix, dst);
	else if (p == GW_POLICY_WARN && j->can_pass)
		gw_num_store(t->dtype, &j->y, dst);
	else if (p != GW_POLICY_TERMINATE)
		p = GW_POLICY_REJECT;
	if (gw_leaf_fault(&o->lf, j->fault, (int64_t)k, p))
		gw_judgement_detail(j, x, src, t, s, o->lf.detail[j->fault],
				    GW_FAULT_DETAIL_MAX_BYTES);
}

/*
 * One drift fault for a leaf of another dtype, saying how its values
 * converted; those with faults of their own are reported apart.
 */
static void drift(struct obs *o, const struct gw_space *s, enum gw_dtype src,
		  uint64_t rounded, uint64_t faulty)
{
	enum gw_policy p = gw_fault_policy(o->cp, GW_FAULT_DTYPE_DRIFT);
	const char *from = gw_dtype_name(src), *to = gw_dtype_name(s->dtype);

	if (rounded)
		leaf_fault(o, GW_FAULT_DTYPE_DRIFT, p,
			   "%s where %s is pinned, %" PRIu64 " of %" PRIu64
			   " values rounded",
			   from, to, rounded, s->nelem);
	else if (faulty)
		leaf_fault(o, GW_FAULT_DTYPE_DRIFT, p, "%s where %s is pinned",
			   from, to);
	else
		leaf_fault(o, GW_FAULT_DTYPE_DRIFT, p,
			   "%s where %s is pinned, every value exact", from,
			   to);
	/* One fault for the leaf, covering every value in it. */
	o->lf.count[GW_FAULT_DTYPE_DRIFT] = s->nelem;
}

static void convert_numbers(struct obs *o, const struct gw_layout_node *n,
			    const struct leaf *lf)
{
	const struct gw_space *s = n->space;
	size_t in_size = gw_dtype_info(lf->dtype)->itemsize;
	enum gw_dtype to = gw_leaf_dtype(s);
	size_t out_size = gw_dtype_info(to)->itemsize;
	unsigned char *out = o->out + n->offset, *dst;
	bool uniform = gw_target_is_uniform(s);
	bool fast = lf->dtype == to;
	uint64_t rounded = 0, faulty = 0;
	struct gw_judgement j;
	struct gw_target t;
	struct gw_num x;

	gw_target_at(s, 0, &t);
	for (uint64_t k = 0; k < s->nelem; k++) {
		if (fast) {
			uint64_t from = k;

			/* Clean runs of the pinned dtype are copied whole. */
			k = gw_scan_leaf_in_bounds(s, lf->data, k, &t);
			memcpy(out + from * out_size, lf->data + from * in_size,
			       (k - from) * out_size);
			if (k == s->nelem)
				break;
		}
		if (!uniform)
			gw_target_at(s, k, &t);
		dst = out + k * out_size;
		gw_num_load(lf->dtype, lf->data + k * in_size, &x);
		gw_judge(&x, &t, o->tol, &j);
		rounded += j.conv == GW_CONV_ROUNDED;
		if (j.fault == GW_FAULT_COUNT) {
			gw_num_store(to, &j.y, dst);
		} else {
			settle(o, s, k, dst, &x, lf->dtype, &t, &j);
			faulty++;
		}
	}
	if (takes_dtype(s, lf->dtype))
		return;
	drift(o, s, lf->dtype, rounded, faulty);
}

static void number_leaf(struct obs *o, const struct gw_layout_node *n,
			const struct leaf *lf)
{
	const struct gw_space *s = n->space;

	if (lf->kind != LEAF_ARRAY || lf->ndim != s->ndim ||
	    memcmp(lf->shape, s->shape, s->ndim * sizeof(s->shape[0])) != 0)
		shape_fault(o, n, lf);
	else
		convert_numbers(o, n, lf);
}

static void text_leaf(struct obs *o, const struct gw_layout_node *n,
		      const struct leaf *lf)
{
	unsigned char *dst = o->out + n->offset;
	uint64_t room = n->size - 4;
	char detail[GW_FAULT_DETAIL_MAX_BYTES];
	struct gw_text_scan sc;
	enum gw_fault f;
	enum gw_policy p;
	bool pass;

	if (lf->kind != LEAF_TEXT) {
		shape_fault(o, n, lf);
		return;
	}
	memset(dst, 0, n->size);
	gw_text_scan(n->charset, lf->data, lf->data_bytes, &sc);
	f = gw_text_judge(n->space, &sc, detail, sizeof(detail));
	p = f == GW_FAULT_COUNT ? GW_POLICY_WARN : gw_fault_policy(o->cp, f);
	/* Text can be passed on (warn) but never clipped. */
	pass = f == GW_FAULT_COUNT ||
	       (p == GW_POLICY_WARN && sc.utf8 && lf->data_bytes <= room);
	if (pass) {
		gw_put_u32le(dst, lf->data_bytes);
		memcpy(dst + 4, lf->data, lf->data_bytes);
	} else if (p != GW_POLICY_TERMINATE) {
		p = GW_POLICY_REJECT;
	}
	if (f != GW_FAULT_COUNT)
		leaf_fault(o, f, p, "%s", detail);
}

static int obs_leaf(void *arg, const struct gw_layout_node *n,
		    const struct gw_fpath *path)
{
	struct obs *o = arg;
	struct leaf lf;
	int r = read_leaf(o, path, n->space, &lf);

	if (r < 0)
		return r;
	if (n->offset > o->written)
		memset(o->out + o->written, 0, n->offset - o->written);
	if (n->space->kind == GW_SPACE_TEXT)
		text_leaf(o, n, &lf);
	else
		number_leaf(o, n, &lf);
	o->written = n->offset + n->size;
	if (o->lf.any)
		gw_leaf_faults_flush(&o->lf, path, n->space, o->sink,
				     &o->verdict);
	return 0;
}

/* After the last leaf: nothing, or one kind-1 leaf naming extras. */
static int extras(struct obs *o, const struct gw_space_layout *l)
{
	struct gw_fpath root = { .root = "observation", .depth = 0 };
	char got[GW_FAULT_DETAIL_MAX_BYTES];
	struct leaf lf;
	int r;

	if (o->off == o->len)
		return 0;
	if (o->in[o->off] != LEAF_OTHER)
		return bad(o, &root, NULL, "a leaf of kind %u after the last",
			   o->in[o->off]);
	r = read_leaf(o, &root, NULL, &lf);
	if (r < 0)
		return r;
	if (o->off != o->len)
		return bad(o, &root, NULL, "%zu bytes after the last leaf",
			   o->len - o->off);
	describe(&lf, got, sizeof(got));
	leaf_fault(o, GW_FAULT_SHAPE, gw_fault_policy(o->cp, GW_FAULT_SHAPE),
		   "extra elements: %s", got);
	gw_leaf_faults_flush(&o->lf, &root, l->space, o->sink, &o->verdict);
	return 0;
}

int gw_space_leaves_to_packed(const struct gw_space_layout *l,
			      const void *leaves, size_t len, void *out,
			      size_t cap, const struct gw_check_policy *cp,
			      const struct gw_fault_sink *sink,
			      struct gw_error *err)
{
	struct obs o;
	int r;

	if (cap < l->size)
		return -ENOBUFS;
	o.in = leaves;
	o.len = len;
	o.off = 0;
	o.leaf_no = 0;
	o.out = out;
	o.written = 0;
	o.cp = cp;
	o.tol = cp ? cp->overshoot_ulps : 0;
	o.sink = sink;
	o.err = err;
	o.verdict = GW_VERDICT_PASS;
	o.lf.any = false;
	memset(o.lf.count, 0, sizeof(o.lf.count));

	r = gw_layout_walk(l, "observation", obs_leaf, &o);
	if (r == 0)
		r = extras(&o, l);
	if (r < 0)
		return r;
	if (l->size > o.written)
		memset(o.out + o.written, 0, l->size - o.written);
	return o.verdict;
}
