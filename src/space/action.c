/*
 * Inbound: a packed action checked against the pinned action space
 * before it reaches the worker, and clipping of a packed sample.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "space/ops_priv.h"

struct action {
	unsigned char *buf;
	enum gw_policy policy; /* for action faults, as it applies */
	const struct gw_fault_sink *sink;
	struct gw_leaf_faults lf;
	int verdict;
	bool reporting; /* false: only clip (gw_space_clip_packed) */
	uint64_t changed;
	bool stuck; /* something could not be clipped */
};

/* Apply the policy to one bad value; note it for the leaf's report. */
static void value_fault(struct action *a, const struct gw_space *s, uint64_t k,
			unsigned char *p, const struct gw_num *x,
			const struct gw_target *t, const struct gw_judgement *j)
{
	enum gw_policy pol = a->policy;

	if (pol == GW_POLICY_CLIP && j->can_clip) {
		gw_num_store(t->dtype, &j->fix, p);
		a->changed++;
	} else {
		pol = GW_POLICY_REJECT;
		a->stuck = true;
	}
	if (a->reporting &&
	    gw_leaf_fault(&a->lf, GW_FAULT_ACTION, (int64_t)k, pol))
		gw_judgement_detail(j, x, t->dtype, t, s,
				    a->lf.detail[GW_FAULT_ACTION],
				    GW_FAULT_DETAIL_MAX_BYTES);
}

static void check_numbers(struct action *a, const struct gw_layout_node *n)
{
	const struct gw_space *s = n->space;
	enum gw_dtype dt = gw_leaf_dtype(s);
	size_t size = gw_dtype_info(dt)->itemsize;
	unsigned char *p = a->buf + n->offset;
	bool uniform = gw_target_is_uniform(s);
	struct gw_judgement j;
	struct gw_target t;
	struct gw_num x;

	gw_target_at(s, 0, &t);
	for (uint64_t k = 0; k < s->nelem; k++) {
		k = gw_scan_leaf_in_bounds(s, p, k, &t);
		if (k == s->nelem)
			break;
		if (!uniform)
			gw_target_at(s, k, &t);
		gw_num_load(dt, p + k * size, &x);
		gw_judge(&x, &t, 0, &j);
		if (j.fault != GW_FAULT_COUNT)
			value_fault(a, s, k, p + k * size, &x, &t, &j);
	}
}

/* Text cannot be clipped: any fault here rejects the action. */
static void check_text(struct action *a, const struct gw_layout_node *n)
{
	const unsigned char *p = a->buf + n->offset;
	uint64_t room = n->size - 4;
	char detail[GW_FAULT_DETAIL_MAX_BYTES];
	struct gw_text_scan sc;
	uint32_t len;

	len = gw_get_u32le(p);
	if (len > room) {
		snprintf(detail, sizeof(detail),
			 "text of %" PRIu32 " bytes is more than the %" PRIu64
			 " the slot holds",
			 len, room);
	} else {
		gw_text_scan(n->charset, p + 4, len, &sc);
		if (gw_text_judge(n->space, &sc, detail, sizeof(detail)) ==
		    GW_FAULT_COUNT)
			return;
	}
	a->stuck = true;
	if (a->reporting &&
	    gw_leaf_fault(&a->lf, GW_FAULT_ACTION, -1, GW_POLICY_REJECT))
		snprintf(a->lf.detail[GW_FAULT_ACTION],
			 GW_FAULT_DETAIL_MAX_BYTES, "%s", detail);
}

static int action_leaf(void *arg, const struct gw_layout_node *n,
		       const struct gw_fpath *path)
{
	struct action *a = arg;

	if (n->space->kind == GW_SPACE_TEXT)
		check_text(a, n);
	else
		check_numbers(a, n);
	if (a->lf.any)
		gw_leaf_faults_flush(&a->lf, path, n->space, a->sink,
				     &a->verdict);
	return 0;
}

int gw_space_check_packed(const struct gw_space_layout *l, void *buf,
			  size_t len, const struct gw_check_policy *cp,
			  const struct gw_fault_sink *sink)
{
	struct action a;

	if (len != l->size)
		return -EINVAL;
	a.buf = buf;
	a.policy = gw_fault_policy(cp, GW_FAULT_ACTION);
	a.sink = sink;
	a.lf.any = false;
	memset(a.lf.count, 0, sizeof(a.lf.count));
	a.verdict = GW_VERDICT_PASS;
	a.reporting = true;
	a.changed = 0;
	a.stuck = false;
	gw_layout_walk(l, "action", action_leaf, &a);
	return a.verdict;
}

int gw_space_clip_packed(const struct gw_space_layout *l, void *buf, size_t len)
{
	struct action a;

	if (len != l->size)
		return -EINVAL;
	memset(&a, 0, sizeof(a));
	a.buf = buf;
	a.policy = GW_POLICY_CLIP;
	gw_layout_walk(l, "action", action_leaf, &a);
	if (a.stuck)
		return -EDOM;
	return a.changed > INT_MAX ? INT_MAX : (int)a.changed;
}
