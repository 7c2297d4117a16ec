/*
 * Changing a loaded manifest for one run of a tool that must run an env
 * differently from a trainer: the sandboxed trial of `gymwarden fuzz`.
 * Only the in-memory manifest changes; the file is never written.
 */
#ifndef GW_MANIFEST_OVERRIDE_H
#define GW_MANIFEST_OVERRIDE_H

#include <stdbool.h>
#include <stdint.h>

#include "gymwarden.h"

/* What to change; a member applies only when its set_ flag is true. */
struct gw_manifest_override {
	bool set_on_violation;
	enum gw_on_violation on_violation;
	bool set_max_episode_steps;
	uint64_t max_episode_steps; /* 0: no limit */
	bool set_vetting;
	enum gw_vetting vetting;
};

/*
 * Apply o to the env env_id of m (and, for vetting, to m itself).
 *
 * WARNING: vetting GW_VETTING_OFF lets gw_env_open start an env whose
 * tree has no approved record. The fuzz command does so on purpose: the
 * trial is part of vetting and happens before approval, in the sandbox.
 * Returns 0, or -ENOENT when m has no such env.
 */
int gw_manifest_override_env(struct gw_manifest *m, const char *env_id,
			     const struct gw_manifest_override *o);

#endif /* GW_MANIFEST_OVERRIDE_H */
