/*
 * reset and step: one request into the request mailbox, one bounded
 * wait for the answer, and every check on the answer before anything
 * reaches the caller. The lifecycle lives here rather than in the env:
 * no step before a reset or after the episode ended, truncation at
 * max_episode_steps, and a dead worker stays dead.
 *
 * An answer is copied out of shared memory by gw_shm_wait and parsed
 * only from the copy; the observation is rebuilt in e->obs, which the
 * worker cannot reach.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/log.h"
#include "monitor/monitor_priv.h"
#include "wire/msgpack.h"

#define RESET_FIXED_BYTES 9u

/*
 * Ready a scratch error for one call: gw_error_clear's memset of the
 * whole struct (about 1.5 KiB) ran three times a step. Every reader of
 * the struct stops at the first NUL of its strings, so emptying them
 * and zeroing the scalars is the same "no error".
 */
static void scratch_error(struct gw_error *err)
{
	err->code = 0;
	err->kind = GW_ERR_NONE;
	err->step = -1;
	err->line = err->col = 0;
	err->file[0] = err->field[0] = err->msg[0] = '\0';
}

/* Refuse calls on an env that cannot take them. */
static int usable(struct gw_env *e, struct gw_error *err)
{
	if (e->state == GW_ENV_DEAD)
		return gw_env_fail(e, err, -ECHILD, e->dead_kind, "",
				   "env is dead: %s", e->dead_msg);
	if (e->state == GW_ENV_CLOSED)
		return gw_env_fail(e, err, -EBADF, GW_ERR_USAGE, "",
				   "env is closed");
	return 0;
}

/* The extra fds of a wait: drain the pipes; a pidfd means it exited. */
static int on_extra(void *arg, struct pollfd *fds, size_t n)
{
	struct gw_env *e = arg;

	if (fds[0].revents) {
		gw_logpipe_drain(&e->out, e);
		fds[0].fd = e->out.fd;
	}
	if (fds[1].revents) {
		gw_logpipe_drain(&e->err, e);
		fds[1].fd = e->err.fd;
	}
	if (n > 3 && fds[3].revents) {
		gw_jail_status_drain(e);
		fds[3].fd = e->jail.fd;
	}
	if (fds[2].revents)
		return -ECHILD;
	return 0;
}

static int request(struct gw_env *e, unsigned type, size_t len,
		   struct gw_error *err)
{
	struct gw_frame_header h = { (uint8_t)type, (uint32_t)(e->seq + 1),
				     (uint32_t)len };
	struct gw_error werr;
	int r;

	scratch_error(&werr);
	if (gw_wire_turn(&e->conv, GW_WIRE_MONITOR, GW_WIRE_MAILBOX, &h,
			 &werr) < 0)
		return gw_env_fail(e, err, -EPROTO, GW_ERR_USAGE, "",
				   "cannot send %s now: %s",
				   gw_frame_type_name(type), werr.msg);
	e->seq++;
	r = gw_shm_commit(e->shm, GW_SHM_REQUEST, e->sock, type, e->seq, len);
	if (r < 0)
		return gw_env_die(e, err, r, GW_ERR_CRASHED, false,
				  "the worker hung up");
	return 0;
}

/* The timeout that applies to what, for messages: "1s", "250ms". */
static void timeout_text(const struct gw_env *e, const char *what, char *buf,
			 size_t cap)
{
	const struct gw_sandbox_limits *sb = gw_manifest_env_sandbox(e->me);
	bool reset = strcmp(what, "RESET") == 0;
	uint64_t ns = reset ? sb->reset_timeout_ns : sb->step_timeout_ns;

	if (ns % 1000000000u == 0)
		snprintf(buf, cap, "%llus %s_timeout",
			 (unsigned long long)(ns / 1000000000u),
			 reset ? "reset" : "step");
	else
		snprintf(buf, cap, "%llums %s_timeout",
			 (unsigned long long)(ns / 1000000u),
			 reset ? "reset" : "step");
}

static int wait_failed(struct gw_env *e, int r, bool lifetime, const char *what,
		       const struct gw_error *werr, struct gw_error *err)
{
	char cause[512], limit[64];

	if (r == -ETIMEDOUT && lifetime) {
		snprintf(cause, sizeof(cause),
			 "%llu ms of wall clock, during %s",
			 (unsigned long long)(gw_manifest_env_sandbox(e->me)
						      ->lifetime_ns /
					      1000000u),
			 what);
		gw_jail_limit(e, "lifetime", cause);
		return gw_env_die(e, err, r, GW_ERR_LIMIT, true, cause);
	}
	if (r == -ETIMEDOUT) {
		timeout_text(e, what, limit, sizeof(limit));
		snprintf(cause, sizeof(cause), "no answer to %s within the %s",
			 what, limit);
		return gw_env_die(e, err, r, GW_ERR_TIMEOUT, true, cause);
	}
	if (r == -EPIPE || r == -ECHILD || r == -ECONNRESET) {
		snprintf(cause, sizeof(cause), "the worker hung up during %s",
			 what);
		return gw_env_die(e, err, r, GW_ERR_CRASHED, false, cause);
	}
	if (r == -EPROTO || r == -EMSGSIZE) {
		snprintf(cause, sizeof(cause),
			 "protocol fault during %s: %.400s", what, werr->msg);
		return gw_env_die(e, err, -EPROTO, GW_ERR_CRASHED, true, cause);
	}
	snprintf(cause, sizeof(cause), "waiting for %s: %.400s", what,
		 werr->msg[0] ? werr->msg : strerror(-r));
	return gw_env_die(e, err, r, GW_ERR_SYSTEM, true, cause);
}

/*
 * Wait for the answer to the pending request. A worker that exits just
 * after answering still has its answer read: the mailbox is looked at
 * once more before its exit counts.
 */
static int await(struct gw_env *e, uint64_t timeout_ns, const char *what,
		 struct gw_frame_header *h, struct gw_error *err)
{
	uint64_t life =
		e->born_ns + gw_manifest_env_sandbox(e->me)->lifetime_ns;
	uint64_t deadline = gw_shm_now_ns() + timeout_ns;
	struct pollfd extra[4] = {
		{ .fd = e->out.fd, .events = POLLIN },
		{ .fd = e->err.fd, .events = POLLIN },
		{ .fd = e->pidfd, .events = POLLIN },
		{ .fd = e->jail.fd, .events = POLLIN },
	};
	struct gw_shm_wait w = {
		.spin_ns = GW_SHM_SPIN_NS_MONITOR,
		.deadline_ns = deadline < life ? deadline : life,
		.extra = extra,
		.n_extra = 4,
		.on_extra = on_extra,
		.arg = e,
	};
	enum gw_wire_channel ch = GW_WIRE_MAILBOX;
	bool lifetime = life <= deadline;
	struct gw_error werr;
	int r;

	scratch_error(&werr);
	r = gw_shm_wait(e->shm, GW_SHM_RESPONSE, e->sock, &e->resp_word, &w,
			e->frame, e->frame_cap, h, &werr);
	if (r == -ECHILD) {
		w.spin_ns = 0;
		w.deadline_ns = 0;
		w.n_extra = 0;
		r = gw_shm_wait(e->shm, GW_SHM_RESPONSE, e->sock, &e->resp_word,
				&w, e->frame, e->frame_cap, h, &werr);
		r = r == GW_SHM_GOT_MAILBOX ? r : -ECHILD;
	}
	if (r < 0)
		return wait_failed(e, r, lifetime, what, &werr, err);

	if (r == GW_SHM_GOT_SOCKET)
		ch = GW_WIRE_SOCKET;
	else if (e->resp_word != e->seq)
		snprintf(werr.msg, sizeof(werr.msg),
			 "response mailbox seq %llu answers no request",
			 (unsigned long long)e->resp_word);
	if (werr.msg[0] ||
	    gw_wire_turn(&e->conv, GW_WIRE_WORKER, ch, h, &werr) < 0)
		return wait_failed(e, -EPROTO, false, what, &werr, err);
	return 0;
}

/* The env raised: its text becomes the error; the episode is over. */
static int take_fail(struct gw_env *e, const struct gw_frame_header *h,
		     struct gw_error *err)
{
	enum gw_wire_phase phase;
	struct gw_error werr;
	const char *text;
	size_t len;

	scratch_error(&werr);
	if (gw_wire_fail_decode(e->frame + GW_FRAME_HEADER_BYTES, h->len,
				&phase, &text, &len, &werr) < 0)
		return wait_failed(e, -EPROTO, false, "FAIL", &werr, err);
	gw_env_keep_fail(e, phase, text, len);
	if (phase == GW_WIRE_PHASE_PROTOCOL)
		return gw_env_die(e, err, -EPROTO, GW_ERR_CRASHED, false,
				  e->fail_text);

	e->state = GW_ENV_IDLE;
	gw_log(GW_LOG_WARN, "%s %s#%llu: %s", e->at_step ? "step" : "reset",
	       e->id, (unsigned long long)e->instance, e->fail_text);
	return gw_env_fail(e, err, -ECANCELED, GW_ERR_CRASHED, "", "%s",
			   e->fail_text);
}

static enum gw_error_kind kind_of(enum gw_fault fault)
{
	switch (fault) {
	case GW_FAULT_REWARD: return GW_ERR_REWARD;
	case GW_FAULT_FLAGS: return GW_ERR_FLAGS;
	case GW_FAULT_INFO: return GW_ERR_INFO;
	case GW_FAULT_ACTION: return GW_ERR_ACTION;
	default: return GW_ERR_OBSERVATION;
	}
}

/* A check refused the answer: raise, and end the worker if told to. */
static int refuse(struct gw_env *e, bool terminate, struct gw_error *err)
{
	enum gw_error_kind kind = kind_of(e->refused_fault);
	char cause[512];

	if (!e->refused)
		snprintf(e->refused_detail, sizeof(e->refused_detail),
			 "refused");
	if (!terminate)
		return gw_env_fail(e, err, -EINVAL, kind, e->refused_field,
				   "%s", e->refused_detail);
	snprintf(cause, sizeof(cause), "%.200s: %.250s (policy terminate)",
		 e->refused_field, e->refused_detail);
	gw_env_die(e, err, -EINVAL, kind, true, cause);
	if (err)
		gw_error_where(err, NULL, e->refused_field);
	return -EINVAL;
}

/* The episode after a step whose flags were (or were not) read. */
static void advance(struct gw_env *e, bool flags_ok, struct gw_step *out)
{
	uint64_t max = gw_manifest_env_max_episode_steps(e->me);
	/* A fuzzer's long episode steps on past the env's own truncation. */
	bool go_on = flags_ok && out->truncated && !out->terminated &&
		     e->step_past_truncation;

	e->steps++;
	out->step = e->steps;
	/* As Gymnasium's TimeLimit: the limit truncates even a step that
	 * also terminated. */
	if (flags_ok && max && e->steps >= max) {
		out->truncated = true;
		go_on = false;
	}
	if (!go_on && (!flags_ok || out->terminated || out->truncated))
		e->state = GW_ENV_DONE;
}

struct verdicts {
	int reward, flags, obs, info;
};

static bool any(const struct verdicts *v, int which)
{
	return v->reward == which || v->flags == which || v->obs == which ||
	       v->info == which;
}

/* MessagePack's map of no pairs: the info most environments send. */
#define EMPTY_MAP_BYTE 0x80u

/*
 * Whether the info is the one byte of an empty map while e keeps an
 * empty map already: decoding it again would only build the same tree.
 */
static bool info_unchanged(const struct gw_env *e, const struct gw_result *res)
{
	return res->info_len == 1 && res->info[0] == EMPTY_MAP_BYTE &&
	       e->info && e->info->kind == GW_VALUE_MAP &&
	       e->info->map.len == 0;
}

/* Run every check on a parsed RESULT, in order, counting each fault. */
static int check_result(struct gw_env *e, const struct gw_result *res,
			bool reset, struct gw_step *out, struct gw_value **info,
			struct verdicts *v, struct gw_error *werr)
{
	const struct gw_check_policy *cp = gw_manifest_env_checks(e->me);
	struct gw_fault_sink sink;

	gw_env_fault_sink(e, &sink);
	if (reset && e->san)
		gw_env_san_episode(e);
	v->reward = gw_result_check_reward(res->reward_tag, res->reward, reset,
					   cp, &sink, &out->reward);
	v->flags = reset ? GW_VERDICT_PASS
			 : gw_result_check_flags(
				   res->terminated_tag, res->truncated_tag, cp,
				   &sink, &out->terminated, &out->truncated);
	if (v->reward < 0 || v->flags < 0)
		return gw_error_set(werr, -EPROTO,
				    "RESULT reward or flag tag "
				    "out of range");
	v->obs = gw_space_leaves_to_packed(e->obs_layout, res->leaves,
					   res->leaves_len, e->obs,
					   e->obs_bytes, cp, &sink, werr);
	if (v->obs < 0)
		return v->obs;
	if (e->san && v->obs == GW_VERDICT_PASS && gw_env_san_obs(e, e->obs)) {
		gw_env_fault(e, GW_FAULT_SHAPE, GW_POLICY_REJECT, "observation",
			     "a Text observation could not be sanitized");
		v->obs = GW_VERDICT_REJECT;
	}
	if (info_unchanged(e, res)) {
		*info = e->info;
		v->info = GW_VERDICT_PASS;
		return 0;
	}
	v->info = gw_info_take(e, res->info, res->info_len, info);
	if (v->info < 0)
		return v->info;
	/* Before the info is kept: nothing unsanitized outlives this. */
	if (e->san && *info && gw_env_san_info(e, *info) && !reset)
		out->truncated = true;
	return 0;
}

/* Keep info as e's (it may be the one kept already), dropping the old. */
static void keep_info(struct gw_env *e, struct gw_value *info)
{
	if (info && info == e->info)
		return;
	gw_value_free(e->info);
	free(e->info_json);
	e->info = info;
	e->info_json = NULL;
}

static int take_result(struct gw_env *e, const struct gw_frame_header *h,
		       bool reset, struct gw_step *out, struct gw_error *err)
{
	const unsigned char *payload = e->frame + GW_FRAME_HEADER_BYTES;
	struct gw_value *info = NULL;
	struct gw_error werr;
	struct gw_result res;
	struct verdicts v = { 0, 0, 0, 0 };
	int r;

	scratch_error(&werr);
	r = gw_result_parse(payload, h->len,
			    gw_space_layout_leaves_max_bytes(e->obs_layout),
			    GW_MSGPACK_MAX_TOTAL_BYTES, &res, &werr);
	if (r == 0)
		r = check_result(e, &res, reset, out, &info, &v, &werr);
	if (r < 0)
		return wait_failed(e, r, false, "RESULT", &werr, err);

	keep_info(e, info);
	if (reset) {
		e->steps = 0;
		e->state = GW_ENV_RUNNING;
		out->step = 0;
	} else {
		advance(e, v.flags == GW_VERDICT_PASS, out);
	}
	out->obs = e->obs;
	out->obs_bytes = e->obs_bytes;

	if (any(&v, GW_VERDICT_TERMINATE))
		return refuse(e, true, err);
	if (any(&v, GW_VERDICT_REJECT)) {
		if (reset)
			e->state = GW_ENV_IDLE;
		keep_info(e, NULL);
		return refuse(e, false, err);
	}
	return 0;
}

/* Send the request already in the mailbox and deal with its answer. */
static int exchange(struct gw_env *e, unsigned type, size_t len,
		    struct gw_step *out, struct gw_error *err)
{
	const struct gw_sandbox_limits *sb = gw_manifest_env_sandbox(e->me);
	bool reset = type == GW_FRAME_RESET;
	struct gw_frame_header h;
	int r;

	e->refused = false;
	memset(out, 0, sizeof(*out));
	r = request(e, type, len, err);
	if (r == 0)
		r = await(e, reset ? sb->reset_timeout_ns : sb->step_timeout_ns,
			  gw_frame_type_name(type), &h, err);
	if (r < 0)
		return r;
	/* A call refused with EPERM leaves the worker running: its report
	 * belongs to this step. (A fatal one ends the worker, and reaping
	 * reads the pipe to its end.) */
	if (sb->on_violation == GW_ON_VIOLATION_ERRNO && e->jail.fd >= 0)
		gw_jail_status_drain(e);
	if (h.type == GW_FRAME_FAIL)
		return take_fail(e, &h, err);
	return take_result(e, &h, reset, out, err);
}

/* RESET's payload, written straight into the request mailbox. */
static int reset_payload(struct gw_env *e, const uint64_t *seed,
			 const struct gw_value *options, size_t *len,
			 struct gw_error *err)
{
	static const struct gw_value nil = { GW_VALUE_NIL };
	unsigned char *p;
	struct gw_error werr;
	struct gw_buf b;
	size_t cap;
	int r;

	p = gw_shm_payload(e->shm, GW_SHM_REQUEST, &cap);
	p[0] = seed != NULL;
	for (int i = 0; i < 8; i++)
		p[1 + i] = (unsigned char)((seed ? *seed : 0) >> (8 * i));

	scratch_error(&werr);
	gw_buf_init(&b, cap - RESET_FIXED_BYTES);
	r = gw_msgpack_encode(options ? options : &nil, NULL, "options", &b,
			      &werr);
	if (r < 0) {
		gw_buf_free(&b);
		return gw_env_fail(e, err, r, GW_ERR_ACTION, werr.field,
				   "options cannot be sent: %s", werr.msg);
	}
	memcpy(p + RESET_FIXED_BYTES, b.data, b.len);
	*len = RESET_FIXED_BYTES + b.len;
	gw_buf_free(&b);
	return 0;
}

int gw_env_reset_v(struct gw_env *e, const uint64_t *seed,
		   const struct gw_value *options, struct gw_step *out,
		   struct gw_error *err)
{
	size_t len;
	int r;

	if (!e || !out)
		return gw_error_set_kind(
			err, gw_error_set(err, -EINVAL, "no env or result"),
			GW_ERR_USAGE, -1);
	e->at_step = 0;
	r = usable(e, err);
	if (r == 0 && gw_params_options(e->me, options, err) < 0) {
		gw_error_where(err, e->id, NULL);
		r = -EINVAL;
	}
	if (r == 0)
		r = reset_payload(e, seed, options, &len, err);
	if (r == 0)
		r = exchange(e, GW_FRAME_RESET, len, out, err);
	e->at_step = -1;
	return r;
}

int gw_env_reset(struct gw_env *e, const uint64_t *seed,
		 const char *options_json, struct gw_step *out,
		 struct gw_error *err)
{
	struct gw_value *options = NULL;
	int r;

	r = gw_params_parse_json(options_json, "options", &options, err);
	if (r == 0)
		r = gw_env_reset_v(e, seed, options, out, err);
	gw_value_free(options);
	return r;
}

/* The action, checked on a private copy, then into the mailbox. */
static int put_action(struct gw_env *e, const void *action, size_t len,
		      struct gw_error *err)
{
	struct gw_fault_sink sink;
	unsigned char *p;
	size_t cap;
	int v;

	if (len != e->act_bytes)
		return gw_env_fail(e, err, -EINVAL, GW_ERR_USAGE, "action",
				   "action of %zu bytes, the packed action "
				   "space takes %zu",
				   len, e->act_bytes);
	memcpy(e->action, action, len);
	gw_env_fault_sink(e, &sink);
	v = gw_space_check_packed(e->act_layout, e->action, len,
				  gw_manifest_env_checks(e->me), &sink);
	if (v < 0)
		return gw_env_fail(e, err, v, GW_ERR_USAGE, "action",
				   "action cannot be checked: %s",
				   strerror(-v));
	if (v != GW_VERDICT_PASS)
		return gw_env_fail(e, err, -EINVAL, GW_ERR_ACTION,
				   e->refused ? e->refused_field : "action",
				   "%s",
				   e->refused ? e->refused_detail : "refused");
	p = gw_shm_payload(e->shm, GW_SHM_REQUEST, &cap);
	memcpy(p, e->action, len);
	return 0;
}

int gw_env_step(struct gw_env *e, const void *action, size_t len,
		struct gw_step *out, struct gw_error *err)
{
	int r;

	if (!e || !out || (!action && len))
		return gw_error_set_kind(err,
					 gw_error_set(err, -EINVAL,
						      "no env, action or "
						      "result"),
					 GW_ERR_USAGE, -1);
	e->at_step = (int64_t)e->steps + 1;
	r = usable(e, err);
	if (r == 0 && e->state != GW_ENV_RUNNING)
		r = gw_env_fail(e, err, -EINVAL, GW_ERR_USAGE, "",
				e->state == GW_ENV_DONE
					? "the episode has ended: reset first"
					: "step before reset");
	e->refused = false;
	if (r == 0)
		r = put_action(e, action, len, err);
	if (r == 0)
		r = exchange(e, GW_FRAME_STEP, len, out, err);
	e->at_step = -1;
	return r;
}
