/*
 * One guarded environment: opening it (refusals that need no process
 * first, then the worker and the handshake), closing it, and the
 * accessors of gymwarden.h and monitor.h. reset and step are in step.c.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "core/error.h"
#include "core/log.h"
#include "jail/launcher.h"
#include "monitor/monitor_priv.h"

static _Atomic uint64_t next_instance = 1;

static int refuse_open(struct gw_error *err, int code, enum gw_error_kind kind,
		       const char *id, const char *fmt, const char *arg)
{
	gw_error_set(err, code, fmt, arg);
	gw_error_where(err, id, NULL);
	return gw_error_set_kind(err, code, kind, -1);
}

/* What can be refused before anything is started. */
static int check_env(const struct gw_manifest_env *me, struct gw_error *err)
{
	const char *id = gw_manifest_env_id(me);

	if (!gw_manifest_env_action_space(me) ||
	    !gw_manifest_env_observation_space(me))
		return refuse_open(err, -EINVAL, GW_ERR_MANIFEST, id,
				   "%s: running without pinned spaces "
				   "(adopt_declared_spaces alone) is not "
				   "supported yet: pin both spaces",
				   id);
	return 0;
}

static int alloc_env(const struct gw_manifest *m,
		     const struct gw_manifest_env *me,
		     const struct gw_env_config *cfg, struct gw_env **out)
{
	struct gw_env *e = calloc(1, sizeof(*e));

	*out = e;
	if (!e)
		return -ENOMEM;
	e->m = m;
	e->me = me;
	e->id = gw_manifest_env_id(me);
	e->instance = atomic_fetch_add(&next_instance, 1);
	e->on_event = cfg ? cfg->on_event : NULL;
	e->event_arg = cfg ? cfg->event_arg : NULL;
	e->step_past_truncation = cfg && cfg->step_past_truncation;
	e->pid = -1;
	e->pidfd = -1;
	e->sock = -1;
	e->jail.fd = -1;
	e->at_step = -1;
	gw_logpipe_init(&e->out, "stdout", -1);
	gw_logpipe_init(&e->err, "stderr", -1);
	gw_wire_conv_init(&e->conv);
	e->action_space = gw_manifest_env_action_space(me);
	e->obs_space = gw_manifest_env_observation_space(me);

	if (gw_space_layout_new(e->action_space, &e->act_layout) < 0 ||
	    gw_space_layout_new(e->obs_space, &e->obs_layout) < 0)
		return -ENOMEM;
	e->act_bytes = gw_space_layout_size(e->act_layout);
	e->obs_bytes = gw_space_layout_size(e->obs_layout);
	e->action = malloc(e->act_bytes ? e->act_bytes : 1);
	e->obs = calloc(1, e->obs_bytes ? e->obs_bytes : 1);
	return e->action && e->obs ? 0 : -ENOMEM;
}

int gw_env_open_v(const struct gw_manifest *m, const char *env_id,
		  const struct gw_value *kwargs,
		  const struct gw_env_config *cfg, struct gw_env **out,
		  struct gw_error *err)
{
	const struct gw_manifest_env *me;
	struct gw_value *merged = NULL;
	struct gw_env *e = NULL;
	int r;

	if (out)
		*out = NULL;
	if (!m || !env_id || !out)
		return refuse_open(err, -EINVAL, GW_ERR_USAGE, NULL, "%s",
				   "no manifest, env id or result");
	me = gw_manifest_env_find(m, env_id);
	if (!me)
		return refuse_open(err, -ENOENT, GW_ERR_MANIFEST, NULL,
				   "no env '%s' in the manifest", env_id);
	r = check_env(me, err);
	if (r == 0 && (r = gw_params_kwargs(me, kwargs, &merged, err)) < 0)
		gw_error_where(err, env_id, NULL);
	if (r < 0)
		return r;

	/* Only a tree with an approved record runs (docs/registry.md). */
	r = gw_registry_check_env(m, me, NULL, err);
	if (r < 0) {
		gw_value_free(merged);
		return r;
	}

	r = alloc_env(m, me, cfg, &e);
	if (r < 0) {
		refuse_open(err, r, GW_ERR_SYSTEM, env_id, "%s",
			    "out of memory");
		goto out;
	}
	e->cfg = cfg;
	r = gw_env_san_open(e, err);
	if (r == 0)
		r = gw_worker_spawn(e, err);
	if (r == 0)
		r = gw_handshake(e, merged, err);
	e->cfg = NULL;
	if (r == 0) {
		e->state = GW_ENV_IDLE;
		*out = e;
		e = NULL;
	}
out:
	gw_value_free(merged);
	gw_env_free(e);
	return r;
}

int gw_env_open(const struct gw_manifest *m, const char *env_id,
		const struct gw_env_config *cfg, struct gw_env **out,
		struct gw_error *err)
{
	struct gw_value *kwargs = NULL;
	int r;

	if (out)
		*out = NULL;
	r = gw_params_parse_json(cfg ? cfg->kwargs_json : NULL, "kwargs",
				 &kwargs, err);
	if (r < 0)
		gw_error_where(err, env_id, NULL);
	else
		r = gw_env_open_v(m, env_id, kwargs, cfg, out, err);
	gw_value_free(kwargs);
	return r;
}

/*
 * Wait up to the deadline for the answer to CLOSE. Returns 1 for an
 * empty RESULT, 0 for none, or -ECANCELED after keeping a FAIL's text.
 */
static int close_answer(struct gw_env *e, uint64_t deadline)
{
	struct gw_shm_wait w = { .spin_ns = 0, .deadline_ns = deadline };
	struct gw_frame_header h;
	enum gw_wire_phase phase;
	struct gw_error werr;
	const char *text;
	size_t len;
	int r;

	gw_error_clear(&werr);
	r = gw_shm_wait(e->shm, GW_SHM_RESPONSE, e->sock, &e->resp_word, &w,
			e->frame, e->frame_cap, &h, &werr);
	if (r < 0 || (r == GW_SHM_GOT_MAILBOX && e->resp_word != e->seq) ||
	    gw_wire_turn(&e->conv, GW_WIRE_WORKER,
			 r == GW_SHM_GOT_MAILBOX ? GW_WIRE_MAILBOX
						 : GW_WIRE_SOCKET,
			 &h, &werr) < 0)
		return 0;
	if (h.type == GW_FRAME_RESULT)
		return h.len == 0;
	if (gw_wire_fail_decode(e->frame + GW_FRAME_HEADER_BYTES, h.len, &phase,
				&text, &len, &werr) < 0)
		return 0;
	gw_env_keep_fail(e, phase, text, len);
	return -ECANCELED;
}

/*
 * Ask the worker to close and give it the grace period to answer and
 * exit; it is reaped either way. A worker that answered is not at fault
 * for being slow to exit; one that did not, or exited with an error, is.
 */
static int close_worker(struct gw_env *e, struct gw_error *err)
{
	uint64_t deadline = gw_shm_now_ns() + GW_MONITOR_CLOSE_GRACE_NS;
	struct gw_frame_header h = { GW_FRAME_CLOSE, (uint32_t)(e->seq + 1),
				     0 };
	struct gw_error werr;
	char how[128];
	int answer = 0;
	uint64_t now;

	gw_error_clear(&werr);
	if (gw_wire_turn(&e->conv, GW_WIRE_MONITOR, GW_WIRE_MAILBOX, &h,
			 &werr) == 0 &&
	    gw_shm_commit(e->shm, GW_SHM_REQUEST, e->sock, GW_FRAME_CLOSE,
			  ++e->seq, 0) == 0)
		answer = close_answer(e, deadline);
	now = gw_shm_now_ns();
	gw_worker_reap(e, now < deadline ? deadline - now : 0);
	gw_worker_describe_exit(&e->exit, how, sizeof(how));

	if (answer < 0)
		return gw_env_fail(e, err, answer, GW_ERR_CRASHED, "", "%s",
				   e->fail_text);
	if (answer == 0)
		return gw_env_fail(e, err, -ETIMEDOUT, GW_ERR_CRASHED, "",
				   "the worker did not answer CLOSE and %s",
				   how);
	if (!e->exit.killed && !e->exit.unknown &&
	    !(WIFEXITED(e->exit.status) && WEXITSTATUS(e->exit.status) == 0))
		return gw_env_fail(e, err, -ECHILD, GW_ERR_CRASHED, "",
				   "at close the worker %s", how);
	return 0;
}

int gw_env_close(struct gw_env *e, struct gw_error *err)
{
	int r = 0;

	if (!e || e->state == GW_ENV_CLOSED)
		return 0;
	if (e->state == GW_ENV_DEAD) {
		gw_worker_reap(e, 0);
		r = gw_env_fail(e, err, -ECHILD, e->dead_kind, "", "%s",
				e->dead_msg);
	} else if (e->pid > 0)
		r = close_worker(e, err);
	else
		gw_worker_reap(e, 0);
	e->state = GW_ENV_CLOSED;
	return r;
}

void gw_env_free(struct gw_env *e)
{
	if (!e)
		return;
	if (e->state != GW_ENV_CLOSED)
		gw_env_close(e, NULL);
	gw_shm_free(e->shm);
	free(e->frame);
	gw_space_layout_free(e->act_layout);
	gw_space_layout_free(e->obs_layout);
	gw_space_free(e->adopted_action);
	gw_space_free(e->adopted_obs);
	gw_env_san_free(e->san);
	free(e->action);
	free(e->obs);
	gw_value_free(e->info);
	free(e->info_json);
	free(e);
}

const struct gw_space *gw_env_action_space(const struct gw_env *e)
{
	return e->action_space;
}

const struct gw_space *gw_env_observation_space(const struct gw_env *e)
{
	return e->obs_space;
}

size_t gw_env_action_bytes(const struct gw_env *e)
{
	return e->act_bytes;
}

size_t gw_env_observation_bytes(const struct gw_env *e)
{
	return e->obs_bytes;
}

const char *gw_env_info_json(struct gw_env *e)
{
	if (!e->info)
		return NULL;
	if (!e->info_json)
		e->info_json = gw_info_json(e->info);
	return e->info_json;
}

const struct gw_value *gw_env_info(const struct gw_env *e)
{
	return e->info;
}

uint64_t gw_env_fault_count(const struct gw_env *e, enum gw_fault fault)
{
	return (unsigned)fault < GW_FAULT_COUNT ? e->counts.events[fault] : 0;
}

const char *gw_env_layers(const struct gw_env *e)
{
	return e->jail.layers;
}

const char *gw_env_missing_layers(const struct gw_env *e)
{
	return e->jail.missing;
}

const struct gw_manifest_env *gw_env_manifest_env(const struct gw_env *e)
{
	return e->me;
}

int gw_env_worker_pid(const struct gw_env *e)
{
	return gw_worker_pid(e);
}

bool gw_env_alive(const struct gw_env *e)
{
	return e->state != GW_ENV_DEAD && e->state != GW_ENV_CLOSED;
}

const char *gw_env_stderr_tail(struct gw_env *e)
{
	gw_logpipe_tail(&e->err, GW_LOGPIPE_TAIL_LINES, "\n", e->tail_text,
			sizeof(e->tail_text));
	return e->tail_text;
}
