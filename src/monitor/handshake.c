/*
 * The handshake: HELLO carries the shared region (its memfd rides as
 * SCM_RIGHTS), the entry point, the kwargs and the packed layouts of
 * the pinned spaces; SPEC answers with the spaces the constructed
 * environment declares, which are built with the manifest's own space
 * checks and compared with the pinned ones. Nothing of the declared
 * spaces is used to size or read anything: the region and every check
 * follow the pinned spaces.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/log.h"
#include "monitor/monitor_priv.h"
#include "space/space.h"
#include "wire/msgpack.h"

/* RESULT's fixed part: tags, reward, reserved and the two lengths. */
#define RESULT_FIXED_BYTES 20u
/* RESET's fixed part: has_seed and the seed. */
#define RESET_FIXED_BYTES 9u
/* A FAIL: the phase, the text and a MessagePack str header. */
#define FAIL_MAX_BYTES (1u + GW_WIRE_FAIL_TEXT_MAX_BYTES + 5u)

static int put_str(struct gw_value *map, const char *key, const char *s)
{
	struct gw_value *v = gw_value_map_push(map, key, strlen(key));

	return v ? gw_value_set_str(v, s, strlen(s)) : -ENOMEM;
}

static int put_uint(struct gw_value *map, const char *key, uint64_t u)
{
	struct gw_value *v = gw_value_map_push(map, key, strlen(key));

	if (!v)
		return -ENOMEM;
	gw_value_set_uint(v, u);
	return 0;
}

static int put_shape(struct gw_value *map, const struct gw_space *s)
{
	struct gw_value *v = gw_value_map_push(map, "shape", 5);

	if (!v)
		return -ENOMEM;
	gw_value_set_array(v);
	for (unsigned d = 0; d < s->ndim; d++) {
		struct gw_value *dim = gw_value_array_push(v);

		if (!dim)
			return -ENOMEM;
		gw_value_set_uint(dim, s->shape[d]);
	}
	return 0;
}

/* The element type a leaf's packed form holds. */
static const char *packed_dtype(const struct gw_space *s)
{
	switch (s->kind) {
	case GW_SPACE_BOX: return gw_dtype_name(s->dtype);
	case GW_SPACE_MULTI_BINARY: return "uint8";
	case GW_SPACE_TEXT: return "utf8";
	default: return "int64";
	}
}

static int node_value(const struct gw_layout_node *n, const char *key,
		      struct gw_value *out)
{
	const struct gw_space *s = n->space;
	bool list = s->kind == GW_SPACE_TUPLE || s->kind == GW_SPACE_DICT;
	int r;

	gw_value_set_map(out);
	r = put_str(out, "type", gw_space_kind_name(s->kind));
	if (r == 0 && key)
		r = put_str(out, "key", key);
	if (r == 0)
		r = put_uint(out, "offset", n->offset);
	if (r == 0)
		r = put_uint(out, "size", n->size);
	if (r == 0 && list)
		return put_uint(out, "children", s->u.list.len);
	if (r == 0)
		r = put_str(out, "dtype", packed_dtype(s));
	if (r == 0)
		r = put_shape(out, s);
	if (r == 0)
		r = put_uint(out, "nelem", s->nelem);
	if (r == 0 && s->kind == GW_SPACE_TEXT)
		r = put_uint(out, "max_length", s->u.text.max_length);
	return r;
}

/* Node *next and its subtree, pre-order, as the layout holds them. */
static int put_nodes(const struct gw_space_layout *l, size_t *next,
		     const char *key, struct gw_value *out)
{
	const struct gw_layout_node *n;
	struct gw_value *slot;
	int r;

	if (*next >= l->nnodes)
		return -EINVAL;
	n = &l->nodes[(*next)++];
	slot = gw_value_array_push(out);
	if (!slot)
		return -ENOMEM;
	r = node_value(n, key, slot);
	if (r < 0 || (n->space->kind != GW_SPACE_TUPLE &&
		      n->space->kind != GW_SPACE_DICT))
		return r;

	for (size_t i = 0; r == 0 && i < n->space->u.list.len; i++)
		r = put_nodes(l, next,
			      n->space->u.list.keys ? n->space->u.list.keys[i]
						    : NULL,
			      out);
	return r;
}

/*
 * The layout table HELLO carries: one map per node in pre-order, each
 * Tuple or Dict node followed by its children's subtrees, each Dict
 * child naming its key.
 */
int gw_layout_value(const struct gw_space_layout *l, struct gw_value *out)
{
	size_t next = 0;

	gw_value_set_array(out);
	return put_nodes(l, &next, NULL, out);
}

/* Mailboxes sized from the pinned spaces and the protocol's caps. */
static int make_region(struct gw_env *e, struct gw_error *err)
{
	uint64_t req = RESET_FIXED_BYTES + GW_MONITOR_PARAMS_MAX_BYTES;
	uint64_t resp = RESULT_FIXED_BYTES +
			gw_space_layout_leaves_max_bytes(e->obs_layout) +
			GW_MSGPACK_MAX_TOTAL_BYTES;
	struct gw_shm_layout l;
	struct gw_error werr;
	int r;

	if (e->act_bytes > req)
		req = e->act_bytes;
	if (resp < FAIL_MAX_BYTES)
		resp = FAIL_MAX_BYTES;
	if (resp > GW_WIRE_MAILBOX_MAX_BYTES - GW_FRAME_HEADER_BYTES ||
	    req > GW_WIRE_MAILBOX_MAX_BYTES - GW_FRAME_HEADER_BYTES)
		return gw_env_fail(e, err, -E2BIG, GW_ERR_MANIFEST, "",
				   "the pinned spaces need mailboxes larger "
				   "than %u bytes",
				   GW_WIRE_MAILBOX_MAX_BYTES);

	gw_error_clear(&werr);
	r = gw_shm_layout_compute(GW_FRAME_HEADER_BYTES + req,
				  GW_FRAME_HEADER_BYTES + resp, &l);
	if (r == 0)
		r = gw_shm_create(&l, &e->shm, &werr);
	if (r < 0)
		return gw_env_fail(e, err, r, GW_ERR_SYSTEM, "",
				   "cannot make the shared region: %s",
				   werr.msg[0] ? werr.msg : strerror(-r));
	e->frame_cap = gw_shm_get_layout(e->shm)->resp_cap;
	e->frame = malloc(e->frame_cap);
	if (!e->frame)
		return gw_env_fail(e, err, -ENOMEM, GW_ERR_SYSTEM, "",
				   "out of memory");
	return 0;
}

/* HELLO's map; kwargs is moved into it and left nil. */
static int hello_map(struct gw_env *e, struct gw_value *kwargs,
		     struct gw_value *map)
{
	struct gw_value *v;
	int r;

	gw_value_set_map(map);
	r = put_str(map, "entry_point", gw_manifest_env_entry_point(e->me));
	if (r == 0)
		r = (v = gw_value_map_push(map, "kwargs", 6)) ? 0 : -ENOMEM;
	if (r == 0) {
		*v = *kwargs;
		kwargs->kind = GW_VALUE_NIL;
	}
	if (r == 0)
		r = put_str(map, "api",
			    gw_manifest_env_api(e->me) == GW_ENV_API_GYM
				    ? "gym"
				    : "gymnasium");
	if (r == 0)
		r = (v = gw_value_map_push(map, "action_layout", 13))
			    ? gw_layout_value(e->act_layout, v)
			    : -ENOMEM;
	if (r == 0)
		r = (v = gw_value_map_push(map, "obs_layout", 10))
			    ? gw_layout_value(e->obs_layout, v)
			    : -ENOMEM;
	return r;
}

static int send_hello(struct gw_env *e, struct gw_value *kwargs,
		      struct gw_error *err)
{
	unsigned char head[GW_SHM_LAYOUT_BYTES];
	struct gw_frame_header h = { GW_FRAME_HELLO, 0, 0 };
	struct gw_value map = { GW_VALUE_NIL };
	struct gw_error werr;
	struct gw_buf b;
	int r;

	gw_error_clear(&werr);
	gw_buf_init(&b, GW_FRAME_MAX_SOCKET_BYTES - GW_FRAME_HEADER_BYTES);
	gw_shm_layout_encode(gw_shm_get_layout(e->shm), head);
	r = hello_map(e, kwargs, &map);
	if (r == 0)
		r = gw_buf_append(&b, head, sizeof(head));
	if (r == 0)
		r = gw_msgpack_encode(&map, NULL, "hello", &b, &werr);
	gw_value_clear(&map);
	if (r < 0) {
		gw_env_fail(e, err, r,
			    r == -ENOMEM ? GW_ERR_SYSTEM : GW_ERR_MANIFEST,
			    werr.field, "cannot encode HELLO: %s",
			    werr.msg[0] ? werr.msg : strerror(-r));
		goto out;
	}

	h.len = (uint32_t)b.len;
	r = gw_wire_turn(&e->conv, GW_WIRE_MONITOR, GW_WIRE_SOCKET, &h, &werr);
	if (r == 0)
		r = gw_frame_send_fd(e->sock, &h, b.data, gw_shm_fd(e->shm));
	if (r == -EPIPE)
		r = gw_env_die(e, err, -EPIPE, GW_ERR_CRASHED, false,
			       "the worker hung up before HELLO");
	else if (r < 0)
		gw_env_fail(e, err, r, GW_ERR_SYSTEM, "",
			    "cannot send HELLO: %s", strerror(-r));
out:
	gw_buf_free(&b);
	return r;
}

/* A poll timeout for ns, rounded up, at most a minute per round. */
static int wait_ms(uint64_t ns)
{
	uint64_t ms = ns / 1000000 + 1;

	return ms < 60000 ? (int)ms : 60000;
}

/*
 * Wait for a datagram on the control socket until deadline, draining
 * the log pipes. Returns 0 with the frame in e->frame and *h, or a
 * negative errno after gw_env_die has ended the worker.
 */
static int wait_frame(struct gw_env *e, uint64_t deadline,
		      struct gw_frame_header *h, struct gw_error *err)
{
	struct gw_error werr;
	int r;

	for (;;) {
		struct pollfd pfd[5] = {
			{ .fd = e->sock, .events = POLLIN },
			{ .fd = e->out.fd, .events = POLLIN },
			{ .fd = e->err.fd, .events = POLLIN },
			{ .fd = e->pidfd, .events = POLLIN },
			{ .fd = e->jail.fd, .events = POLLIN },
		};
		uint64_t now = gw_shm_now_ns();

		gw_error_clear(&werr);
		r = gw_frame_recv(e->sock, e->frame, GW_FRAME_MAX_SOCKET_BYTES,
				  GW_FRAME_RECV_NONBLOCK, h, NULL, &werr);
		if (r == 0)
			return 0;
		if (r == -EPIPE)
			return gw_env_die(e, err, r, GW_ERR_CRASHED, false,
					  "the worker hung up before SPEC");
		if (r != -EAGAIN)
			return gw_env_die(e, err, r, GW_ERR_CRASHED, true,
					  werr.msg);
		if (pfd[3].fd >= 0 && now < deadline &&
		    poll(pfd + 3, 1, 0) == 1)
			return gw_env_die(e, err, -EPIPE, GW_ERR_CRASHED, false,
					  "the worker ended before SPEC");
		if (now >= deadline)
			return gw_env_die(e, err, -ETIMEDOUT, GW_ERR_TIMEOUT,
					  true,
					  "no SPEC before the reset timeout");
		if (poll(pfd, 5, wait_ms(deadline - now)) < 0 && errno != EINTR)
			return gw_env_fail(e, err, -errno, GW_ERR_SYSTEM, "",
					   "poll: %s", strerror(errno));
		if (pfd[1].revents)
			gw_logpipe_drain(&e->out, e);
		if (pfd[2].revents)
			gw_logpipe_drain(&e->err, e);
		if (pfd[4].revents)
			gw_jail_status_drain(e);
	}
}

int gw_spec_parse(const void *payload, size_t len, struct gw_space **action,
		  struct gw_space **obs, struct gw_error *err)
{
	const struct gw_value *av, *ov;
	struct gw_value *spec = NULL;
	int r;

	*action = *obs = NULL;
	r = gw_msgpack_decode(payload, len, NULL, "spec", &spec, err);
	if (r < 0)
		return r == -ENOMEM ? r : -EPROTO;
	av = gw_value_lookup(spec, "action_space");
	ov = gw_value_lookup(spec, "observation_space");
	if (spec->kind != GW_VALUE_MAP || !av || !ov) {
		gw_value_free(spec);
		return gw_error_set(err, -EPROTO,
				    "SPEC is not a map with action_space and "
				    "observation_space");
	}

	r = gw_space_from_value(av, "action_space", action, err);
	if (r == 0)
		r = gw_space_from_value(ov, "observation_space", obs, err);
	if (r < 0) {
		gw_space_free(*action);
		*action = NULL;
	}
	gw_value_free(spec);
	return r;
}

/* A declared space against the pinned one: refuse, or adopt loudly. */
static int compare(struct gw_env *e, const struct gw_space *pinned,
		   const struct gw_space *declared, const char *name,
		   struct gw_error *err)
{
	char diff[512], note[640];

	if (gw_space_diff(pinned, declared, name, diff, sizeof(diff)) == 0)
		return 0;
	if (!gw_manifest_env_adopt_declared_spaces(e->me))
		return gw_env_fail(e, err, -EINVAL, GW_ERR_SPEC_MISMATCH, name,
				   "%s", diff);

	snprintf(note, sizeof(note),
		 "adopt_declared_spaces: %s; checking against the pinned "
		 "space all the same",
		 diff);
	gw_log(GW_LOG_WARN, "open %s#%llu: %s", e->id,
	       (unsigned long long)e->instance, note);
	gw_env_emit(e, GW_EVENT_NOTICE, name, note);
	return 0;
}

static int take_spec(struct gw_env *e, const struct gw_frame_header *h,
		     struct gw_error *err)
{
	const unsigned char *payload = e->frame + GW_FRAME_HEADER_BYTES;
	struct gw_space *action = NULL, *obs = NULL;
	struct gw_error serr;
	int r;

	gw_error_clear(&serr);
	r = gw_spec_parse(payload, h->len, &action, &obs, &serr);
	if (r == -EPROTO)
		return gw_env_die(e, err, r, GW_ERR_CRASHED, true, serr.msg);
	if (r == -EINVAL)
		return gw_env_fail(e, err, r, GW_ERR_SPEC_MISMATCH, serr.field,
				   "the environment declares an invalid "
				   "space: %s%s%s",
				   serr.field, serr.field[0] ? ": " : "",
				   serr.msg);
	if (r < 0)
		return gw_env_fail(e, err, r, GW_ERR_SYSTEM, "",
				   "out of memory");

	r = compare(e, e->action_space, action, "action_space", err);
	if (r == 0)
		r = compare(e, e->obs_space, obs, "observation_space", err);
	gw_space_free(action);
	gw_space_free(obs);
	return r;
}

int gw_handshake(struct gw_env *e, struct gw_value *kwargs,
		 struct gw_error *err)
{
	const struct gw_sandbox_limits *sb = gw_manifest_env_sandbox(e->me);
	uint64_t deadline, end_of_life = e->born_ns + sb->lifetime_ns;
	struct gw_frame_header h;
	struct gw_error werr;
	enum gw_wire_phase phase;
	const char *text;
	size_t len;
	int r;

	if (gw_manifest_env_adopt_declared_spaces(e->me))
		gw_log(GW_LOG_WARN,
		       "open %s#%llu: adopt_declared_spaces is set: a "
		       "difference from the pinned spaces is only reported",
		       e->id, (unsigned long long)e->instance);
	r = make_region(e, err);
	if (r == 0)
		r = send_hello(e, kwargs, err);
	if (r < 0)
		return r;

	deadline = gw_shm_now_ns() + sb->reset_timeout_ns;
	r = wait_frame(e, deadline < end_of_life ? deadline : end_of_life, &h,
		       err);
	if (r < 0)
		return r;
	gw_error_clear(&werr);
	if (gw_wire_turn(&e->conv, GW_WIRE_WORKER, GW_WIRE_SOCKET, &h, &werr) <
	    0)
		return gw_env_die(e, err, -EPROTO, GW_ERR_CRASHED, true,
				  werr.msg);
	if (h.type == GW_FRAME_SPEC)
		return take_spec(e, &h, err);

	if (gw_wire_fail_decode(e->frame + GW_FRAME_HEADER_BYTES, h.len, &phase,
				&text, &len, &werr) < 0)
		return gw_env_die(e, err, -EPROTO, GW_ERR_CRASHED, true,
				  werr.msg);
	gw_env_keep_fail(e, phase, text, len);
	return gw_env_die(e, err, -ECHILD, GW_ERR_CRASHED, false, e->fail_text);
}
