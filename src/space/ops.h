/*
 * Space operations at the boundary: the packed layout of a space, the
 * check of a packed action, the observation leaves a worker sends turned
 * into the packed layout, the reward and flag checks, clipping, casting
 * and seeded sampling. docs/protocol.md ("Packed layouts") is the
 * contract for every byte read or written here; docs/space_ops.md gives
 * the rules in full. In short:
 *
 * Field paths start at "action" or "observation"; a Tuple child is
 * "[k]", a Dict child ".key" (quoted and escaped unless made of
 * A-Za-z0-9_-), and an element of an array "[i]" for one dimension or
 * "[i,j,k]" for more, in C order: "observation.pos[1]",
 * "action[1][0]", "observation.image[3,0,2]".
 *
 * Classes of observation fault:
 *   shape        a leaf that is not what the pinned space holds: not an
 *                array, missing, too large, another shape, text for an
 *                array or an array for text, bytes that are not UTF-8,
 *                a float that is not a whole number where an integer is
 *                pinned
 *   nonfinite    nan anywhere; +-inf where that side's bound is finite
 *                or the pinned dtype is an integer
 *   bounds       a value outside [low, high] (or start..start+n-1, or
 *                0..1) by more than the overshoot tolerance, a value
 *                outside what the pinned dtype can hold (float64 1e40
 *                for float32, uint64 2^63 for int64), text of the wrong
 *                length or with a character outside the charset
 *   overshoot    a float value outside a bound by at most overshoot_ulps
 *                units in the last place of the pinned dtype
 *   dtype_drift  an array of another dtype than the pinned one whose
 *                values all fit: exactly, or, for a float dtype, rounded
 *                to the nearest value of that dtype and then in bounds
 *                (float64 0.1 into float32 is drift, not a fault of its
 *                own). Discrete and MultiDiscrete take every integer
 *                dtype without drift (bool, and whole floats, drift);
 *                MultiBinary takes every integer dtype and bool.
 *
 * A policy that cannot repair a fault acts as reject: clip on nan, on a
 * wrong shape or on text; warn on a non-finite value for an integer
 * dtype; any policy but reject and terminate on a shape fault. The
 * report says which policy was applied in the end.
 */
#ifndef GW_SPACE_OPS_H
#define GW_SPACE_OPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/rng.h"
#include "gymwarden.h"
#include "space/space.h"

/* Room for one fault's detail text, escaped. */
#define GW_FAULT_DETAIL_MAX_BYTES 256u

struct gw_charset;

/* One node of a layout, in pre-order: a leaf, a Tuple or a Dict. */
struct gw_layout_node {
	const struct gw_space *space;
	uint64_t offset;	    /* from the start of the packed form */
	uint64_t size;		    /* bytes of this node's packed form */
	struct gw_charset *charset; /* Text only, owned; else NULL */
};

/*
 * Where every part of a space sits in its packed form. Built once per
 * pinned space and read by every operation below; it does not own the
 * space, which must outlive it.
 */
struct gw_space_layout {
	const struct gw_space *space;
	size_t nnodes;
	struct gw_layout_node *nodes; /* pre-order, owned */
	size_t nleaves;
	uint64_t size;		   /* bytes of one packed sample */
	uint64_t leaves_max_bytes; /* the most an observation's leaves take */
};

/*
 * Compute the layout of s. Sizes: Box nelem x itemsize, Discrete 8,
 * MultiDiscrete 8 per element, MultiBinary 1 per element, Text 4 +
 * 4 x max_length; each child of a Tuple or Dict starts at a multiple of
 * 8 and the whole ends with its last child, unpadded. Returns 0 and a
 * new layout in *out, -ENOMEM, or -EINVAL for a charset that is not
 * valid UTF-8; *out is NULL on failure.
 */
GW_API int gw_space_layout_new(const struct gw_space *s,
			       struct gw_space_layout **out);

/* NULL is fine. */
GW_API void gw_space_layout_free(struct gw_space_layout *l);

/* Bytes of one packed sample: the action slot, the packed observation. */
GW_API uint64_t gw_space_layout_size(const struct gw_space_layout *l);

/*
 * The most bytes a well-formed encoding of an observation's leaves can
 * take (each leaf at its cap, plus one leaf naming extra elements): what
 * the response mailbox must hold for them.
 */
GW_API uint64_t
gw_space_layout_leaves_max_bytes(const struct gw_space_layout *l);

/* One fault, as the sink is told about it. */
struct gw_fault_report {
	enum gw_fault fault;
	enum gw_policy policy; /* the policy applied in the end */
	const char *field;     /* "observation.pos[1]"; escaped */
	const char *detail;    /* "1.5 is above high 1.0"; escaped */
	uint64_t count;	       /* values of this leaf with this fault */
};

typedef void (*gw_fault_fn)(void *arg, const struct gw_fault_report *r);

/*
 * Per-class counters a monitor keeps per env. events counts reports (at
 * most one per leaf, class and call); values counts the values they
 * covered.
 */
struct gw_fault_counts {
	uint64_t events[GW_FAULT_COUNT];
	uint64_t values[GW_FAULT_COUNT];
};

/* Where faults go; every member may be NULL. */
struct gw_fault_sink {
	gw_fault_fn report;
	void *arg;
	struct gw_fault_counts *counts;
};

/* What the caller must do; the checks return one of these. */
enum gw_verdict {
	GW_VERDICT_PASS,      /* use the (possibly repaired) value */
	GW_VERDICT_REJECT,    /* raise: ActionError, ObservationError... */
	GW_VERDICT_TERMINATE, /* end the worker and raise */
};

/*
 * The policy that applies to fault under cp: reject when cp is NULL or
 * when cp names a policy that fault does not support (see the manifest
 * reference), so a programmatic policy never weakens a check.
 */
enum gw_policy gw_fault_policy(const struct gw_check_policy *cp,
			       enum gw_fault fault);

/*
 * Check a packed action (len must be the layout's size) against the
 * pinned action space. Every fault is of class action and is reported
 * with its field path, at most one report per leaf (the first value,
 * with the count of the rest). Box: nan refused; +-inf only where that
 * bound is infinite; in [low, high]. Discrete and MultiDiscrete in
 * start..start+n-1; MultiBinary 0 or 1; Text: the length fits the slot,
 * valid UTF-8, min_length..max_length code points, every one in the
 * charset (Gymnasium's alphanumerics when none is set).
 *
 * With cp's action policy clip, values that can be clipped are written
 * into buf in place (a finite value to the bound it crossed, an integer
 * into its range, MultiBinary to 0 or 1); nan, infinities and text
 * cannot be clipped. Otherwise buf is only read. Returns a verdict:
 * PASS (clean or clipped) or REJECT; -EINVAL when len is wrong.
 */
GW_API int gw_space_check_packed(const struct gw_space_layout *l, void *buf,
				 size_t len, const struct gw_check_policy *cp,
				 const struct gw_fault_sink *sink);

/*
 * Turn the leaves of an observation (docs/protocol.md, "Observations":
 * len bytes copied out of shared memory, untrusted) into the pinned
 * packed layout in out (cap >= the layout's size), classifying every
 * leaf and applying cp's policy for each class (NULL: reject all).
 *
 * Returns a verdict: PASS (out holds the observation, repaired as the
 * policies said), REJECT or TERMINATE (out is unspecified). Every fault
 * goes to sink first. Returns -EPROTO, with err filled (field and
 * cause), when the bytes are not a well-formed encoding: a header or
 * data running past len, a kind, dtype code or ndim out of range, a
 * length past its cap or not matching the shape, a non-zero reserved or
 * pad byte, a bool byte other than 0 or 1, fewer leaves than the space
 * has, or anything after them but one kind-1 leaf naming extra elements.
 * -ENOBUFS when cap is too small.
 */
GW_API int gw_space_leaves_to_packed(const struct gw_space_layout *l,
				     const void *leaves, size_t len, void *out,
				     size_t cap,
				     const struct gw_check_policy *cp,
				     const struct gw_fault_sink *sink,
				     struct gw_error *err);

/*
 * Clip a packed sample into the space in place: each value outside its
 * bound becomes that bound, an integer outside its range the nearest
 * end, a MultiBinary value other than 0 or 1 the nearer of them.
 * Returns the number of values changed, -EDOM when some value could not
 * be clipped (nan, an infinity beyond a finite bound, bad text; the
 * rest are clipped all the same), or -EINVAL when len is wrong.
 */
GW_API int gw_space_clip_packed(const struct gw_space_layout *l, void *buf,
				size_t len);

/*
 * Convert src, the elements of leaf (a Box, Discrete, MultiDiscrete or
 * MultiBinary) in C order as dtype from, into leaf's packed form in dst
 * (cap bytes): floats rounded to nearest, integers saturated at the
 * dtype's range, nan written as nan for float dtypes and 0 otherwise.
 * Returns 0 when every value converted exactly, -ERANGE when some did
 * not (dst still holds the nearest values), -EINVAL when src_bytes is
 * not the leaf's element count times from's size or cap is too small.
 */
GW_API int gw_space_cast_array(const struct gw_space *leaf, enum gw_dtype from,
			       const void *src, size_t src_bytes, void *dst,
			       size_t cap);

/*
 * Write a random sample of the layout's space, packed, into out (cap >=
 * the layout's size), drawing from rng. Distributions follow
 * Gymnasium's: a float Box dimension uniform when both bounds are
 * finite, low + Exp(1) or high - Exp(1) when one is, N(0, 1) when
 * neither; integer Boxes, Discrete and MultiDiscrete uniform over their
 * whole inclusive range; MultiBinary a fair coin per element; Text a
 * uniform length in min_length..max_length and characters uniform over
 * the charset. Padding is zero. The same rng state gives the same
 * sample. Returns 0 or -ENOBUFS.
 */
GW_API int gw_space_sample(const struct gw_space_layout *l, struct gw_rng *rng,
			   void *out, size_t cap);

/* Extreme values of every element, for boundary testing. */
enum gw_extreme {
	GW_EXTREME_LOW,	       /* the lower bound, -inf included */
	GW_EXTREME_HIGH,       /* the upper bound, +inf included */
	GW_EXTREME_ZERO,       /* 0, pulled into the bounds */
	GW_EXTREME_MIN_FINITE, /* the most negative finite value allowed */
	GW_EXTREME_MAX_FINITE, /* the most positive finite value allowed */
	GW_EXTREME_TINY,       /* the smallest positive value, into bounds */
	GW_EXTREME_COUNT,
};

/* "low", "max-finite", ...; static. */
const char *gw_extreme_name(enum gw_extreme which);

/*
 * The number of elements gw_space_extreme can address: every scalar of
 * every numeric leaf, and one per Text leaf, in layout order.
 */
uint64_t gw_space_elem_count(const struct gw_space_layout *l);

/*
 * Write the extreme which into element elem of the packed sample out
 * (cap >= the layout's size), or into every element when elem is -1;
 * other elements and padding are left as they are, so out should hold
 * a valid sample first. Every value written passes
 * gw_space_check_packed. A Text leaf gets min_length copies of the
 * charset's first character (low, zero, tiny, min-finite) or
 * max_length of its last. Returns 0, -ENOBUFS, or -EINVAL for an elem
 * past gw_space_elem_count or an unknown which.
 */
int gw_space_extreme(const struct gw_space_layout *l, enum gw_extreme which,
		     int64_t elem, void *out, size_t cap);

/* The reward tag of a RESULT frame (docs/protocol.md). */
enum gw_reward_tag {
	GW_REWARD_TAG_FLOAT,
	GW_REWARD_TAG_INT,
	GW_REWARD_TAG_BOOL,
	GW_REWARD_TAG_OTHER,
	GW_REWARD_TAG_ABSENT,
};

/* The terminated / truncated tags of a RESULT frame. */
enum gw_flag_tag {
	GW_FLAG_TAG_FALSE,
	GW_FLAG_TAG_TRUE,
	GW_FLAG_TAG_OTHER,
};

/*
 * Check a reward: after a reset the tag must be absent (*out = 0);
 * after a step it must be a float or an int (a bool is a fault, as in
 * Gymnasium's checker: True is not a reward), finite, and inside cp's
 * reward_range when one is set. Faults are of class reward at field
 * "reward". clip moves a finite value into the range; warn passes the
 * value on; a missing or non-numeric reward can only be rejected or end
 * the worker. *out gets the reward to pass on. Returns a verdict, or
 * -EPROTO for a tag out of range or a reward after a reset.
 */
int gw_result_check_reward(unsigned tag, double value, bool after_reset,
			   const struct gw_check_policy *cp,
			   const struct gw_fault_sink *sink, double *out);

/*
 * Check the terminated and truncated tags of a step: anything but a
 * bool is a fault of class flags ("terminated", "truncated"). The
 * protocol sends no value for a non-bool flag, so cast cannot convert
 * it and acts as reject. Returns a verdict (the flags in *terminated
 * and *truncated), or -EPROTO for a tag out of range.
 */
int gw_result_check_flags(unsigned terminated_tag, unsigned truncated_tag,
			  const struct gw_check_policy *cp,
			  const struct gw_fault_sink *sink, bool *terminated,
			  bool *truncated);

/* The value of float16 bits h, as a double. */
double gw_f16_decode(uint16_t h);

#endif /* GW_SPACE_OPS_H */
