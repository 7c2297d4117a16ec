/*
 * The scalars of a RESULT frame: the reward and the terminated and
 * truncated flags, checked before they reach the trainer.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>

#include "space/ops_priv.h"
#include "space/space_priv.h"

/* What a tag says the environment returned, for the detail text. */
static const char *const reward_kinds[] = {
	[GW_REWARD_TAG_FLOAT] = "a float",
	[GW_REWARD_TAG_INT] = "an int",
	[GW_REWARD_TAG_BOOL] = "a bool",
	[GW_REWARD_TAG_OTHER] = "not a number",
	[GW_REWARD_TAG_ABSENT] = "missing",
};

/* p, or reject when p would clip or pass on what it cannot. */
static enum gw_policy fit(enum gw_policy p, bool clip_ok, bool pass_ok)
{
	if ((p == GW_POLICY_CLIP && !clip_ok) ||
	    (p == GW_POLICY_WARN && !pass_ok))
		return GW_POLICY_REJECT;
	return p;
}

/*
 * A reward inside the tag rules: finite, then inside the range. Clean
 * rewards are the rule, so text is made only for a fault.
 */
static int reward_value(double value, const struct gw_check_policy *cp,
			const struct gw_fault_sink *sink, double *out)
{
	enum gw_policy p = gw_fault_policy(cp, GW_FAULT_REWARD);
	char v[64], b[64], detail[160];
	int verdict = GW_VERDICT_PASS;
	bool above;

	*out = value;
	if (isnan(value) || isinf(value)) {
		gw_format_float(GW_DTYPE_FLOAT64, value, v, sizeof(v));
		snprintf(detail, sizeof(detail), "%s is not finite",
			 isnan(value) ? "nan" : v);
		gw_fault_emit(sink, GW_FAULT_REWARD, fit(p, false, true),
			      "reward", detail, &verdict);
		return verdict;
	}
	if (!cp || !cp->has_reward_range ||
	    (value >= cp->reward_min && value <= cp->reward_max))
		return verdict;

	above = value > cp->reward_max;
	gw_format_float(GW_DTYPE_FLOAT64, value, v, sizeof(v));
	gw_format_float(GW_DTYPE_FLOAT64,
			above ? cp->reward_max : cp->reward_min, b, sizeof(b));
	snprintf(detail, sizeof(detail), "%s is %s reward_range %s %s", v,
		 above ? "above" : "below", above ? "max" : "min", b);
	if (p == GW_POLICY_CLIP)
		*out = above ? cp->reward_max : cp->reward_min;
	gw_fault_emit(sink, GW_FAULT_REWARD, p, "reward", detail, &verdict);
	return verdict;
}

int gw_result_check_reward(unsigned tag, double value, bool after_reset,
			   const struct gw_check_policy *cp,
			   const struct gw_fault_sink *sink, double *out)
{
	enum gw_policy p = gw_fault_policy(cp, GW_FAULT_REWARD);
	int verdict = GW_VERDICT_PASS;
	char detail[160];

	*out = 0.0;
	if (tag > GW_REWARD_TAG_ABSENT)
		return -EPROTO;
	if (after_reset)
		return tag == GW_REWARD_TAG_ABSENT ? GW_VERDICT_PASS : -EPROTO;

	switch (tag) {
	case GW_REWARD_TAG_FLOAT:
	case GW_REWARD_TAG_INT: return reward_value(value, cp, sink, out);
	case GW_REWARD_TAG_BOOL:
		/* numpy does not count bool as a number type; nor do we. */
		snprintf(detail, sizeof(detail), "%s is a bool, not a number",
			 value != 0.0 ? "True" : "False");
		p = fit(p, false, true);
		*out = p == GW_POLICY_WARN ? (value != 0.0) : 0.0;
		break;
	default:
		snprintf(detail, sizeof(detail), "the reward is %s",
			 reward_kinds[tag]);
		p = fit(p, false, false);
		break;
	}
	gw_fault_emit(sink, GW_FAULT_REWARD, p, "reward", detail, &verdict);
	return verdict;
}

/* One flag: a bool passes; anything else is a fault with no value. */
static void flag(unsigned tag, const char *field, enum gw_policy p,
		 const struct gw_fault_sink *sink, bool *out, int *verdict)
{
	*out = tag == GW_FLAG_TAG_TRUE;
	if (tag != GW_FLAG_TAG_OTHER)
		return;
	/* Nothing to cast: the frame carries no value for a non-bool. */
	gw_fault_emit(sink, GW_FAULT_FLAGS,
		      p == GW_POLICY_TERMINATE ? p : GW_POLICY_REJECT, field,
		      "not a bool", verdict);
}

int gw_result_check_flags(unsigned terminated_tag, unsigned truncated_tag,
			  const struct gw_check_policy *cp,
			  const struct gw_fault_sink *sink, bool *terminated,
			  bool *truncated)
{
	enum gw_policy p = gw_fault_policy(cp, GW_FAULT_FLAGS);
	int verdict = GW_VERDICT_PASS;

	*terminated = *truncated = false;
	if (terminated_tag > GW_FLAG_TAG_OTHER ||
	    truncated_tag > GW_FLAG_TAG_OTHER)
		return -EPROTO;
	flag(terminated_tag, "terminated", p, sink, terminated, &verdict);
	flag(truncated_tag, "truncated", p, sink, truncated, &verdict);
	return verdict;
}
