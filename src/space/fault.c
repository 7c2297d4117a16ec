/*
 * Faults on their way to the caller: which policy applies to each class,
 * the field path of a value, one report per leaf and class, counters.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "space/check.h"
#include "space/ops_priv.h"

#define P(x) (1u << GW_POLICY_##x)

/*
 * The policies each class can honour. A shape fault leaves nothing to
 * repair or pass on; a non-finite value has no bound to clip to; a
 * packed action has its dtype already, so only clip can change it (the
 * client casts before it packs).
 */
static const unsigned supported[GW_FAULT_COUNT] = {
	[GW_FAULT_SHAPE] = P(REJECT) | P(TERMINATE),
	[GW_FAULT_NONFINITE] = P(REJECT) | P(TERMINATE) | P(WARN),
	[GW_FAULT_BOUNDS] = P(REJECT) | P(TERMINATE) | P(CLIP) | P(WARN),
	[GW_FAULT_OVERSHOOT] = P(REJECT) | P(TERMINATE) | P(CLIP) | P(WARN),
	[GW_FAULT_DTYPE_DRIFT] = P(REJECT) | P(TERMINATE) | P(CAST) | P(WARN),
	[GW_FAULT_REWARD] = P(REJECT) | P(TERMINATE) | P(CLIP) | P(WARN),
	[GW_FAULT_FLAGS] = P(REJECT) | P(TERMINATE) | P(CAST),
	[GW_FAULT_INFO] = P(REJECT) | P(TERMINATE) | P(WARN),
	[GW_FAULT_ACTION] = P(REJECT) | P(CLIP),
};

/* How strict a policy is, for merging several into one report. */
static int strictness(enum gw_policy p)
{
	return p == GW_POLICY_TERMINATE ? 2 : p == GW_POLICY_REJECT ? 1 : 0;
}

enum gw_policy gw_fault_policy(const struct gw_check_policy *cp,
			       enum gw_fault fault)
{
	enum gw_policy p;

	if (!cp || (unsigned)fault >= GW_FAULT_COUNT)
		return GW_POLICY_REJECT;
	p = cp->policy[fault];
	if ((unsigned)p > GW_POLICY_TERMINATE ||
	    !(supported[fault] & (1u << p)))
		return GW_POLICY_REJECT;
	return p;
}

static void raise_verdict(int *verdict, enum gw_policy p)
{
	int v = p == GW_POLICY_TERMINATE ? GW_VERDICT_TERMINATE
		: p == GW_POLICY_REJECT	 ? GW_VERDICT_REJECT
					 : GW_VERDICT_PASS;

	if (v > *verdict)
		*verdict = v;
}

/* "[3]" for one dimension, "[1,0,2]" for more, nothing for none. */
static void elem_index(const struct gw_space *leaf, int64_t elem, char *buf,
		       size_t cap)
{
	uint64_t idx[GW_SPACE_MAX_DIMS], k = (uint64_t)elem;
	size_t len = 0;

	buf[0] = '\0';
	if (elem < 0 || leaf->ndim == 0)
		return;
	for (unsigned d = leaf->ndim; d-- > 0;) {
		idx[d] = k % leaf->shape[d];
		k /= leaf->shape[d];
	}
	for (unsigned d = 0; d < leaf->ndim && len < cap; d++) {
		int n = snprintf(buf + len, cap - len, "%c%" PRIu64,
				 d ? ',' : '[', idx[d]);

		if (n < 0)
			return;
		len += (size_t)n;
	}
	if (len + 1 < cap)
		memcpy(buf + len, "]", 2);
}

void gw_fpath_format(const struct gw_fpath *p, const struct gw_space *leaf,
		     int64_t elem, char *buf, size_t cap)
{
	char base[GW_FIELD_MAX_BYTES], idx[GW_SPACE_MAX_DIMS * 21 + 2];

	snprintf(buf, cap, "%s", p->root);
	for (unsigned d = 0; d < p->depth; d++) {
		snprintf(base, sizeof(base), "%s", buf);
		if (p->seg[d].key)
			gw_check_path_key(buf, cap, base, p->seg[d].key,
					  strlen(p->seg[d].key));
		else
			gw_check_path_index(buf, cap, base, p->seg[d].index);
	}
	elem_index(leaf, elem, idx, sizeof(idx));
	snprintf(base, sizeof(base), "%s%s", buf, idx);
	snprintf(buf, cap, "%s", base);
}

bool gw_leaf_fault(struct gw_leaf_faults *lf, enum gw_fault f, int64_t elem,
		   enum gw_policy p)
{
	lf->any = true;
	if (lf->count[f]++ == 0) {
		lf->elem[f] = elem;
		lf->policy[f] = p;
		return true;
	}
	if (strictness(p) > strictness(lf->policy[f]))
		lf->policy[f] = p;
	return false;
}

static void tell(const struct gw_fault_sink *sink,
		 const struct gw_fault_report *r)
{
	if (!sink)
		return;
	if (sink->counts) {
		sink->counts->events[r->fault]++;
		sink->counts->values[r->fault] += r->count;
	}
	if (sink->report)
		sink->report(sink->arg, r);
}

void gw_leaf_faults_flush(struct gw_leaf_faults *lf, const struct gw_fpath *p,
			  const struct gw_space *leaf,
			  const struct gw_fault_sink *sink, int *verdict)
{
	char field[GW_FIELD_MAX_BYTES], detail[GW_FAULT_DETAIL_MAX_BYTES + 32];
	struct gw_fault_report r;

	if (!lf->any)
		return;
	for (int f = 0; f < GW_FAULT_COUNT; f++) {
		if (!lf->count[f])
			continue;
		gw_fpath_format(p, leaf, lf->elem[f], field, sizeof(field));
		if (lf->count[f] > 1 && lf->elem[f] >= 0)
			snprintf(detail, sizeof(detail),
				 "%s (and %" PRIu64 " more)", lf->detail[f],
				 lf->count[f] - 1);
		else
			snprintf(detail, sizeof(detail), "%s", lf->detail[f]);
		r = (struct gw_fault_report){ (enum gw_fault)f, lf->policy[f],
					      field, detail, lf->count[f] };
		tell(sink, &r);
		raise_verdict(verdict, lf->policy[f]);
		lf->count[f] = 0;
	}
	lf->any = false;
}

void gw_fault_emit(const struct gw_fault_sink *sink, enum gw_fault f,
		   enum gw_policy p, const char *field, const char *detail,
		   int *verdict)
{
	struct gw_fault_report r = { f, p, field, detail, 1 };

	tell(sink, &r);
	raise_verdict(verdict, p);
}
