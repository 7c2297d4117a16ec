/*
 * What the files of the space operations share (src/space/ops.h is
 * their interface): numbers read out of packed bytes and converted
 * between dtypes, the judgement of one value against its bounds, text
 * and charsets, and the collection of faults per leaf. Not for other
 * modules; tests may include it.
 */
#ifndef GW_SPACE_OPS_PRIV_H
#define GW_SPACE_OPS_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "space/ops.h"
#include "space/space.h"

/* One value, in the representation of the dtype it came from. */
struct gw_num {
	enum gw_rep rep;
	union {
		int64_t i;
		uint64_t u;
		double f;
	} v;
};

/* Read one element of dtype dt at p (unaligned is fine); bool raw. */
void gw_num_load(enum gw_dtype dt, const unsigned char *p, struct gw_num *x);

/* Write x, which must be in dt's representation, as dt at p. */
void gw_num_store(enum gw_dtype dt, const struct gw_num *x, unsigned char *p);

/* How a value came through a conversion into another dtype. */
enum gw_conv {
	GW_CONV_EXACT,
	GW_CONV_ROUNDED, /* to the nearest value of a float dtype */
	GW_CONV_NAN,
	GW_CONV_POS_INF,
	GW_CONV_NEG_INF,
	GW_CONV_NOT_WHOLE, /* a fraction for an integer dtype */
	GW_CONV_ABOVE,	   /* past the largest value the dtype holds */
	GW_CONV_BELOW,
};

/*
 * x as dtype to, in *y: rounded to nearest for float dtypes (past the
 * largest finite value: +-inf), saturated at the range for integer ones
 * (nan: 0); the return says how exact that is.
 */
enum gw_conv gw_num_convert(const struct gw_num *x, enum gw_dtype to,
			    struct gw_num *y);

/* Float16 bits of v (already rounded to float16); see gw_f16_decode. */
uint16_t gw_f16_encode(double v);

/* "1.5", "-3", "True", "nan": x in its dtype's shortest form. */
void gw_num_format(enum gw_dtype dt, const struct gw_num *x, char *buf,
		   size_t cap);

/* What one element must be: its packed dtype and inclusive bounds. */
struct gw_target {
	enum gw_dtype dtype;
	struct gw_num lo, hi;
};

/* The packed dtype of a leaf's elements: u8 for MultiBinary. */
enum gw_dtype gw_leaf_dtype(const struct gw_space *leaf);

/* The target of element k of leaf (Box, Discrete, MultiDiscrete, MB). */
void gw_target_at(const struct gw_space *leaf, uint64_t k, struct gw_target *t);

/* Whether every element shares one target (so it is built once). */
bool gw_target_is_uniform(const struct gw_space *leaf);

/*
 * The first index from k below n of the dtype-dt array at p that is
 * not plainly inside t (same dtype, bounds shared by every element):
 * n when all are. Those it stops at still need gw_judge; this is only
 * the fast path for clean data.
 */
uint64_t gw_scan_in_bounds(enum gw_dtype dt, const unsigned char *p, uint64_t k,
			   uint64_t n, const struct gw_target *t);

/*
 * The same for a whole leaf whose elements are packed in its own dtype
 * (gw_leaf_dtype) at p: each element against its own bounds, so Box
 * bounds given per element and MultiDiscrete take the fast path too.
 * t is the target of element 0, used when the leaf is uniform.
 */
uint64_t gw_scan_leaf_in_bounds(const struct gw_space *leaf,
				const unsigned char *p, uint64_t k,
				const struct gw_target *t);

struct gw_judgement {
	enum gw_fault fault; /* GW_FAULT_COUNT when the value is fine */
	enum gw_conv conv;
	bool above;	   /* which bound a bounds fault crossed */
	uint64_t ulps;	   /* how far, for a float overshoot */
	struct gw_num y;   /* the value in the target dtype (warn, cast) */
	struct gw_num fix; /* what clip writes */
	bool can_clip;
	bool can_pass; /* y is a value of the target dtype */
};

/*
 * Judge x against t, tolerating float values within tol ulps of a
 * bound as overshoot. The fault is one of shape (not a whole number),
 * nonfinite, bounds or overshoot.
 */
void gw_judge(const struct gw_num *x, const struct gw_target *t, uint32_t tol,
	      struct gw_judgement *j);

/*
 * The detail of j for x (of dtype src) against t in leaf:
 * "1.5 is above high 1.0", "5 is not in 0..4", "nan is not allowed".
 */
void gw_judgement_detail(const struct gw_judgement *j, const struct gw_num *x,
			 enum gw_dtype src, const struct gw_target *t,
			 const struct gw_space *leaf, char *buf, size_t cap);

/* The code points a Text space allows, sorted, with an ASCII bitmap. */
struct gw_charset {
	uint64_t ascii[2];
	uint32_t *cps; /* owned */
	size_t ncps;
};

/* The charset of a Text space (its own, or Gymnasium's default). */
int gw_charset_new(const struct gw_space *text, struct gw_charset **out);
void gw_charset_free(struct gw_charset *cs);
bool gw_charset_has(const struct gw_charset *cs, uint32_t cp);

/* What a scan of text against a Text space found. */
struct gw_text_scan {
	bool utf8;	     /* the bytes are valid UTF-8 */
	size_t bad_byte;     /* where they stop being so */
	uint64_t length;     /* code points */
	bool outside;	     /* some code point is not in the charset */
	uint64_t outside_at; /* the first such, as a code point index */
	uint32_t outside_cp;
};

void gw_text_scan(const struct gw_charset *cs, const unsigned char *s,
		  size_t len, struct gw_text_scan *out);

/*
 * The fault and detail of a scanned text in Text space s, or
 * GW_FAULT_COUNT when it is fine: shape for bytes that are not UTF-8,
 * bounds for the length or a character outside the charset.
 */
enum gw_fault gw_text_judge(const struct gw_space *s,
			    const struct gw_text_scan *sc, char *buf,
			    size_t cap);

/* Encode cp as UTF-8 into out (4 bytes of room); the bytes written. */
size_t gw_utf8_put(uint32_t cp, unsigned char *out);

/* A field path being walked: the root and one segment per level. */
struct gw_fpath {
	const char *root;
	unsigned depth;
	struct {
		const char *key; /* Dict child; NULL for a Tuple child */
		size_t index;
	} seg[GW_SPACE_MAX_DEPTH + 1];
};

/*
 * The path of element elem of leaf (-1: the leaf itself) into buf:
 * "observation.pos[1]", "action[1][0]", "observation.img[0,3]".
 */
void gw_fpath_format(const struct gw_fpath *p, const struct gw_space *leaf,
		     int64_t elem, char *buf, size_t cap);

/*
 * Call fn for each leaf of l in layout order (offsets increasing) with
 * its node and field path under root. A negative return from fn stops
 * the walk and is returned; otherwise 0.
 */
typedef int (*gw_leaf_fn)(void *arg, const struct gw_layout_node *n,
			  const struct gw_fpath *p);
int gw_layout_walk(const struct gw_space_layout *l, const char *root,
		   gw_leaf_fn fn, void *arg);

/* The faults found in one leaf: the first of each class and a count. */
struct gw_leaf_faults {
	bool any;
	uint64_t count[GW_FAULT_COUNT];
	int64_t elem[GW_FAULT_COUNT]; /* of the first; -1: the leaf */
	enum gw_policy policy[GW_FAULT_COUNT];
	char detail[GW_FAULT_COUNT][GW_FAULT_DETAIL_MAX_BYTES];
};

/*
 * Note a fault whose policy in the end is p. Returns true for the first
 * of its class in this leaf, when the caller writes its detail into
 * lf->detail[f] (already escaped).
 */
bool gw_leaf_fault(struct gw_leaf_faults *lf, enum gw_fault f, int64_t elem,
		   enum gw_policy p);

/*
 * Report and count the faults of lf at path p and leaf, raise *verdict
 * to the strictest policy applied, and clear lf for the next leaf.
 */
void gw_leaf_faults_flush(struct gw_leaf_faults *lf, const struct gw_fpath *p,
			  const struct gw_space *leaf,
			  const struct gw_fault_sink *sink, int *verdict);

/* Report one fault outside any leaf ("reward"); raises *verdict. */
void gw_fault_emit(const struct gw_fault_sink *sink, enum gw_fault f,
		   enum gw_policy p, const char *field, const char *detail,
		   int *verdict);

/*
 * Caps of one observation leaf's data (docs/protocol.md): 8 bytes per
 * pinned element for an array or text, a short type name for kind 1.
 */
#define GW_LEAF_MAX_NAME_BYTES 256u

static inline uint64_t gw_leaf_data_cap(const struct gw_space *leaf)
{
	return leaf->nelem * 8;
}

/* The u32 length that starts a packed Text, little-endian. */
static inline uint32_t gw_get_u32le(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline void gw_put_u32le(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

/* Round up to a multiple of 8. */
static inline uint64_t gw_align8(uint64_t n)
{
	return (n + 7) & ~(uint64_t)7;
}

#endif /* GW_SPACE_OPS_PRIV_H */
