/*
 * Recordings: every reset and step of one environment, stored in the
 * audit container (src/audit/audit.h) with purpose "recording", so a
 * recording is hash-chained and optionally encrypted exactly like an
 * audit log. docs/audit.md ("Recordings") gives the records:
 *
 *   env    the env id, both spaces in their one-line form and as a
 *          layout tree (kind, dtype, shape, offset, size per node) that
 *          is enough to decode a packed sample without the manifest
 *   reset  episode, seed (or null), options (or null), obs, info
 *   step   episode, step, action, obs, reward, terminated, truncated,
 *          info
 *
 * An action or observation is {"b64": "..."}: base64 of its packed
 * form (docs/protocol.md, "Packed layouts"; little-endian), which keeps
 * every bit of floats, nan included. info is the monitor's (already
 * sanitized) info as JSON, or null.
 *
 * Not thread-safe: one recording belongs to one env.
 */
#ifndef GW_AUDIT_RECORD_H
#define GW_AUDIT_RECORD_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "audit/audit.h"
#include "gymwarden.h"

struct gw_record;

/*
 * Create the recording at path (as gw_audit_open, which gives the file
 * and folder rules; opts->purpose is ignored) and write its env record
 * for env_id and the two pinned spaces, which are only read here.
 * 0 and *out, or a negative errno with *out NULL.
 */
int gw_record_open(const char *path, const struct gw_audit_opts *opts,
		   const char *env_id, const struct gw_space *action_space,
		   const struct gw_space *observation_space,
		   struct gw_record **out, struct gw_error *err);

/*
 * Record a reset that succeeded: seed NULL for none, options_json NULL
 * or the JSON object text the reset was given, st the monitor's result
 * (its obs of the pinned observation size), info_json NULL or the info
 * text (gw_env_info_json). Starts a new episode number.
 */
int gw_record_reset(struct gw_record *r, const uint64_t *seed,
		    const char *options_json, const struct gw_step *st,
		    const char *info_json, struct gw_error *err);

/*
 * Record a step that succeeded: the packed action of action_bytes, the
 * result st and the info text (NULL for none).
 */
int gw_record_step(struct gw_record *r, const void *action, size_t action_bytes,
		   const struct gw_step *st, const char *info_json,
		   struct gw_error *err);

/* Steps and resets recorded so far. */
uint64_t gw_record_steps(const struct gw_record *r);
uint64_t gw_record_episodes(const struct gw_record *r);

/*
 * Close the recording (the close record, fdatasync) and free r. 0 or
 * the first error of its life. NULL is fine.
 */
int gw_record_close(struct gw_record *r, struct gw_error *err);

/*
 * Decode a packed sample ({"b64": ...} as recorded) with a layout tree
 * from an env record into plain JSON: a Box, MultiDiscrete or
 * MultiBinary as nested lists of its shape, Discrete as an integer,
 * Text as a string, Tuple as a list, Dict as an object. nan and inf
 * become null. A new reference, or NULL when sample does not fit the
 * layout (the recording is then refused as malformed by the caller).
 */
json_t *gw_record_decode(const json_t *layout, const json_t *sample);

#endif /* GW_AUDIT_RECORD_H */
