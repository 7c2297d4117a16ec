/*
 * RESULT, the payload a worker answers reset and step with, split into
 * its parts (FAIL has gw_wire_fail_decode). The bytes
 * are a private copy of the response mailbox, but the worker wrote
 * them: every length is checked against its cap and against what is
 * left before it is used, and nothing is left over. What the parts mean
 * (the reward, the flags, the observation, info) is judged elsewhere.
 */
#include <errno.h>
#include <string.h>

#include "core/error.h"
#include "core/limits.h"
#include "monitor/monitor_priv.h"

/* tags(1) reward(8) terminated(1) truncated(1) reserved(1) obs_bytes(4) */
#define RESULT_HEAD_BYTES 16u

static uint32_t get_u32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static double get_f64(const unsigned char *p)
{
	uint64_t u = 0;
	double d;

	for (int i = 7; i >= 0; i--)
		u = u << 8 | p[i];
	memcpy(&d, &u, sizeof(d));
	return d;
}

static int check_tags(const unsigned char *p, struct gw_result *out,
		      struct gw_error *err)
{
	out->reward_tag = p[0];
	out->terminated_tag = p[9];
	out->truncated_tag = p[10];
	if (out->reward_tag > GW_REWARD_TAG_ABSENT)
		return gw_error_set(err, -EPROTO, "RESULT reward tag %u",
				    out->reward_tag);
	if (out->terminated_tag > GW_FLAG_TAG_OTHER ||
	    out->truncated_tag > GW_FLAG_TAG_OTHER)
		return gw_error_set(err, -EPROTO, "RESULT flag tags %u, %u",
				    out->terminated_tag, out->truncated_tag);
	if (p[11] != 0)
		return gw_error_set(err, -EPROTO,
				    "RESULT reserved byte is %u, not 0", p[11]);
	out->reward = get_f64(p + 1);
	return 0;
}

int gw_result_parse(const void *payload, size_t len, uint64_t leaves_max,
		    uint64_t info_max, struct gw_result *out,
		    struct gw_error *err)
{
	const unsigned char *p = payload;
	size_t left;
	uint32_t n;
	int r;

	memset(out, 0, sizeof(*out));
	if (len < RESULT_HEAD_BYTES + 4)
		return gw_error_set(err, -EPROTO,
				    "RESULT of %zu bytes is shorter than its "
				    "%u fixed bytes",
				    len, RESULT_HEAD_BYTES + 4);
	r = check_tags(p, out, err);
	if (r < 0)
		return r;

	n = get_u32(p + 12);
	left = len - RESULT_HEAD_BYTES;
	if (n > leaves_max || n > left - 4)
		return gw_error_set(err, -EPROTO,
				    "RESULT observation of %u bytes exceeds "
				    "%s",
				    n,
				    n > leaves_max ? "its cap" : "the frame");
	out->leaves = p + RESULT_HEAD_BYTES;
	out->leaves_len = n;
	left -= n;

	n = get_u32(p + RESULT_HEAD_BYTES + out->leaves_len);
	left -= 4;
	if (n > info_max || n != left)
		return gw_error_set(err, -EPROTO, "RESULT info of %u bytes %s",
				    n,
				    n > info_max ? "exceeds its cap"
						 : "does not fill the frame");
	out->info = p + len - left;
	out->info_len = n;
	return 0;
}
