/*
 * In-memory changes to a loaded manifest for one run (override.h).
 */
#include <errno.h>
#include <string.h>

#include "manifest/manifest_priv.h"
#include "manifest/override.h"

int gw_manifest_override_env(struct gw_manifest *m, const char *env_id,
			     const struct gw_manifest_override *o)
{
	struct gw_manifest_env *e = NULL;

	for (size_t i = 0; m && env_id && i < m->n_envs; i++)
		if (strcmp(m->envs[i].id, env_id) == 0)
			e = &m->envs[i];
	if (!e)
		return -ENOENT;
	if (o->set_on_violation)
		e->sandbox.on_violation = o->on_violation;
	if (o->set_max_episode_steps)
		e->max_episode_steps = o->max_episode_steps;
	if (o->set_vetting)
		m->vetting = o->vetting;
	return 0;
}
