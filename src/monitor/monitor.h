/*
 * The monitor's internal interface: what the Python extension and the
 * gymwarden command use beyond the public API in gymwarden.h. Values
 * cross here as struct gw_value trees (src/wire/value.h) instead of
 * JSON text, so the extension converts Python objects once.
 */
#ifndef GW_MONITOR_MONITOR_H
#define GW_MONITOR_MONITOR_H

#include <stdbool.h>
#include <stdint.h>

#include "gymwarden.h"

struct gw_value;
struct json_t;

/*
 * A comma-separated list ("user,pid,mount", "net:without,...", as the
 * launcher reports layers) as a JSON array of strings; NULL or "" give
 * []. NULL when out of memory.
 */
struct json_t *gw_jail_list_json(const char *list);

/*
 * gw_env_open with constructor kwargs as a map value (NULL: none);
 * cfg->kwargs_json is ignored.
 */
int gw_env_open_v(const struct gw_manifest *m, const char *env_id,
		  const struct gw_value *kwargs,
		  const struct gw_env_config *cfg, struct gw_env **out,
		  struct gw_error *err);

/* gw_env_reset with options as a map value (NULL: none). */
int gw_env_reset_v(struct gw_env *e, const uint64_t *seed,
		   const struct gw_value *options, struct gw_step *out,
		   struct gw_error *err);

/*
 * The last result's info, decoded and checked: a map value owned by e,
 * valid until the next call on e; NULL before the first result.
 */
const struct gw_value *gw_env_info(const struct gw_env *e);

/* The manifest entry the env was opened from. */
const struct gw_manifest_env *gw_env_manifest_env(const struct gw_env *e);

/* The worker's process id (for tests), or -1 once reaped. */
int gw_env_worker_pid(const struct gw_env *e);

/*
 * Whether the worker is still there to take calls. After a GW_ERR_CRASHED
 * this tells the two cases apart: false when the worker died or broke
 * the protocol (every later call fails the same way), true when the env
 * raised in reset or step and only its episode is over (reset again).
 */
bool gw_env_alive(const struct gw_env *e);

/*
 * The last lines the worker wrote to stderr, escaped, oldest first, one
 * per line; owned by e and valid until the next call on e. "" when none.
 */
const char *gw_env_stderr_tail(struct gw_env *e);

#endif /* GW_MONITOR_MONITOR_H */
