/*
 * libFuzzer harness for the observation leaves a worker sends: random
 * bytes are turned into the packed layout of a nested space that holds
 * every leaf kind, under a policy that repairs what it can, so the
 * clip, cast and drift paths run as well as the rejections.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "space/ops.h"
#include "space/space.h"
#include "toml/toml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char space_toml[] =
	"type = \"Dict\"\n"
	"[spaces.pos]\ntype = \"Box\"\ndtype = \"float32\"\nshape = [3]\n"
	"low = -1.0\nhigh = inf\n"
	"[spaces.cell]\ntype = \"Discrete\"\nn = 5\nstart = -2\n"
	"[spaces.keys]\ntype = \"MultiBinary\"\nn = [2, 2]\n"
	"[spaces.grid]\ntype = \"MultiDiscrete\"\nnvec = [3, 4]\n"
	"[spaces.word]\ntype = \"Text\"\nmax_length = 6\n"
	"[spaces.pair]\ntype = \"Tuple\"\n"
	"[[spaces.pair.spaces]]\ntype = \"Box\"\ndtype = \"uint8\"\n"
	"shape = [2, 2]\nlow = 0\nhigh = 200\n"
	"[[spaces.pair.spaces]]\ntype = \"Box\"\ndtype = \"int64\"\n"
	"shape = []\nlow = -5\nhigh = 5\n";

static struct gw_space *space;
static struct gw_space_layout *layout;
static struct gw_check_policy policy;
static unsigned char *out;

static void setup(void)
{
	struct gw_toml_value *t = NULL;
	struct gw_error err;

	gw_error_clear(&err);
	if (gw_toml_parse(space_toml, sizeof(space_toml) - 1, "space", &t,
			  &err) < 0 ||
	    gw_space_from_toml(t, "observation", &space, &err) < 0 ||
	    gw_space_layout_new(space, &layout) < 0) {
		fprintf(stderr, "fuzz_leaves: setup: %s\n", err.msg);
		abort();
	}
	gw_toml_free(t);

	for (int f = 0; f < GW_FAULT_COUNT; f++)
		policy.policy[f] = GW_POLICY_REJECT;
	policy.policy[GW_FAULT_OVERSHOOT] = GW_POLICY_CLIP;
	policy.policy[GW_FAULT_DTYPE_DRIFT] = GW_POLICY_CAST;
	policy.policy[GW_FAULT_BOUNDS] = GW_POLICY_CLIP;
	policy.overshoot_ulps = 4;
	out = malloc(gw_space_layout_size(layout));
	if (!out)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gw_fault_counts counts;
	struct gw_fault_sink sink = { NULL, NULL, &counts };
	struct gw_error err;
	void *copy;

	if (!space)
		setup();

	/* An exact-size copy, so ASan sees any read past the input. */
	copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	memset(&counts, 0, sizeof(counts));
	gw_error_clear(&err);
	gw_space_leaves_to_packed(layout, copy, size, out,
				  gw_space_layout_size(layout), &policy, &sink,
				  &err);
	free(copy);
	return 0;
}
