/*
 * Frame headers, the turn table, and the control socket. The header and
 * turn code is pure; the socket helpers are thin wrappers over sendmsg
 * and recvmsg.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "core/endian.h"
#include "core/error.h"
#include "core/limits.h"
#include "wire/frame.h"

#define ROLE_BOTH (GW_WIRE_MONITOR | GW_WIRE_WORKER)
#define STATE(s)  (1u << (s))
#define AFTER_SPEC                                                             \
	(STATE(GW_WIRE_READY) | STATE(GW_WIRE_RESETTING) |                     \
	 STATE(GW_WIRE_RUNNING) | STATE(GW_WIRE_STEPPING) |                    \
	 STATE(GW_WIRE_CLOSING) | STATE(GW_WIRE_CLOSED))
#define STAY GW_WIRE_STATE_COUNT

/* How many descriptors one datagram may bring before MSG_CTRUNC. */
#define RECV_MAX_FDS 4

struct type_info {
	const char *name;
	bool empty; /* the payload must be empty */
};

static const struct type_info types[] = {
	[GW_FRAME_HELLO] = { "HELLO", false },
	[GW_FRAME_SPEC] = { "SPEC", false },
	[GW_FRAME_RESET] = { "RESET", false },
	[GW_FRAME_STEP] = { "STEP", false },
	[GW_FRAME_CLOSE] = { "CLOSE", true },
	[GW_FRAME_RESULT] = { "RESULT", false },
	[GW_FRAME_FAIL] = { "FAIL", false },
	[GW_FRAME_DOORBELL] = { "DOORBELL", true },
};

#define TYPE_MAX (sizeof(types) / sizeof(types[0]) - 1)

enum seq_rule {
	SEQ_ZERO,    /* always 0 */
	SEQ_NEXT,    /* a new request: the previous request's seq + 1 */
	SEQ_PENDING, /* an answer: the pending request's seq */
};

struct turn {
	unsigned states; /* bit per enum gw_wire_state it may arrive in */
	uint8_t type;
	uint8_t senders;  /* enum gw_wire_role bits */
	uint8_t channels; /* enum gw_wire_channel bits */
	uint8_t seq;	  /* enum seq_rule */
	uint8_t next;	  /* the state after it, or STAY */
};

/*
 * The mediation table: a frame is allowed only when a row matches its
 * state, type, sender, channel and seq. Above each row, why granting it
 * is safe.
 */
static const struct turn turns[] = {
	/* The monitor speaks first; no region is mapped yet, so the socket
	 * carries HELLO and the memfd the worker will map. */
	{ STATE(GW_WIRE_START), GW_FRAME_HELLO, GW_WIRE_MONITOR, GW_WIRE_SOCKET,
	  SEQ_ZERO, GW_WIRE_GREETING },
	/* SPEC is data the monitor compares with the pinned spaces; it is
	 * accepted once, as the answer to HELLO. */
	{ STATE(GW_WIRE_GREETING), GW_FRAME_SPEC, GW_WIRE_WORKER,
	  GW_WIRE_SOCKET, SEQ_PENDING, GW_WIRE_READY },
	/* The constructor raised: the text becomes an error message and the
	 * conversation is over. */
	{ STATE(GW_WIRE_GREETING), GW_FRAME_FAIL, GW_WIRE_WORKER,
	  GW_WIRE_SOCKET, SEQ_PENDING, GW_WIRE_CLOSED },
	/* A request only while none is pending, so the request mailbox is
	 * never rewritten while the worker may still be copying it. */
	{ STATE(GW_WIRE_READY) | STATE(GW_WIRE_RUNNING), GW_FRAME_RESET,
	  GW_WIRE_MONITOR, GW_WIRE_MAILBOX, SEQ_NEXT, GW_WIRE_RESETTING },
	/* As RESET; and a step before a successful reset would hand the env
	 * an action it has no state for. */
	{ STATE(GW_WIRE_RUNNING), GW_FRAME_STEP, GW_WIRE_MONITOR,
	  GW_WIRE_MAILBOX, SEQ_NEXT, GW_WIRE_STEPPING },
	/* As RESET. A worker that hangs instead is killed at the deadline. */
	{ STATE(GW_WIRE_READY) | STATE(GW_WIRE_RUNNING), GW_FRAME_CLOSE,
	  GW_WIRE_MONITOR, GW_WIRE_MAILBOX, SEQ_NEXT, GW_WIRE_CLOSING },
	/* Answers the pending reset; the monitor parses its payload from a
	 * private copy and validates it against the pinned spaces. */
	{ STATE(GW_WIRE_RESETTING), GW_FRAME_RESULT, GW_WIRE_WORKER,
	  GW_WIRE_MAILBOX, SEQ_PENDING, GW_WIRE_RUNNING },
	/* Answers the pending step; checked as the reset result is. */
	{ STATE(GW_WIRE_STEPPING), GW_FRAME_RESULT, GW_WIRE_WORKER,
	  GW_WIRE_MAILBOX, SEQ_PENDING, GW_WIRE_RUNNING },
	/* Answers CLOSE with an empty payload; nothing follows it. */
	{ STATE(GW_WIRE_CLOSING), GW_FRAME_RESULT, GW_WIRE_WORKER,
	  GW_WIRE_MAILBOX, SEQ_PENDING, GW_WIRE_CLOSED },
	/* The env raised in reset or step: only text crosses, and the env
	 * is unusable until it is reset again. */
	{ STATE(GW_WIRE_RESETTING) | STATE(GW_WIRE_STEPPING), GW_FRAME_FAIL,
	  GW_WIRE_WORKER, GW_WIRE_SOCKET | GW_WIRE_MAILBOX, SEQ_PENDING,
	  GW_WIRE_READY },
	/* close() raised: only text crosses, and the conversation is over. */
	{ STATE(GW_WIRE_CLOSING), GW_FRAME_FAIL, GW_WIRE_WORKER,
	  GW_WIRE_SOCKET | GW_WIRE_MAILBOX, SEQ_PENDING, GW_WIRE_CLOSED },
	/* A wake-up with no data; the woken side only re-reads the seq, so
	 * a stray or late one costs a wake-up and nothing else. */
	{ AFTER_SPEC, GW_FRAME_DOORBELL, ROLE_BOTH, GW_WIRE_SOCKET, SEQ_ZERO,
	  STAY },
};

static const char *const state_phrase[] = {
	[GW_WIRE_START] = "before HELLO",
	[GW_WIRE_GREETING] = "while HELLO awaits its SPEC",
	[GW_WIRE_READY] = "before a reset result",
	[GW_WIRE_RESETTING] = "while RESET is pending",
	[GW_WIRE_RUNNING] = "while no request is pending",
	[GW_WIRE_STEPPING] = "while STEP is pending",
	[GW_WIRE_CLOSING] = "while CLOSE is pending",
	[GW_WIRE_CLOSED] = "after the conversation ended",
};

const char *gw_frame_type_name(unsigned type)
{
	if (type == 0 || type > TYPE_MAX)
		return "?";
	return types[type].name;
}

void gw_frame_header_encode(const struct gw_frame_header *h,
			    unsigned char out[GW_FRAME_HEADER_BYTES])
{
	gw_put_le16(out, GW_FRAME_MAGIC);
	out[2] = GW_FRAME_VERSION;
	out[3] = h->type;
	gw_put_le32(out + 4, h->seq);
	gw_put_le32(out + 8, h->len);
}

int gw_frame_header_decode(const void *buf, size_t avail,
			   size_t max_frame_bytes, struct gw_frame_header *h,
			   struct gw_error *err)
{
	const unsigned char *p = buf;
	unsigned magic;
	uint32_t len;

	if (avail < GW_FRAME_HEADER_BYTES)
		return gw_error_set(err, -EPROTO,
				    "frame of %zu bytes is shorter than its "
				    "12-byte header",
				    avail);
	magic = (unsigned)p[0] | (unsigned)p[1] << 8;
	if (magic != GW_FRAME_MAGIC)
		return gw_error_set(err, -EPROTO, "bad frame magic 0x%04x",
				    magic);
	if (p[2] != GW_FRAME_VERSION)
		return gw_error_set(err, -EPROTO,
				    "unsupported frame version %u", p[2]);
	if (p[3] == 0 || p[3] > TYPE_MAX)
		return gw_error_set(err, -EPROTO, "unknown frame type %u",
				    p[3]);

	len = gw_get_le32(p + 8);
	if (max_frame_bytes < GW_FRAME_HEADER_BYTES ||
	    len > max_frame_bytes - GW_FRAME_HEADER_BYTES)
		return gw_error_set(err, -EMSGSIZE,
				    "%s frame of %u payload bytes exceeds the "
				    "channel's %zu-byte frame limit",
				    types[p[3]].name, len, max_frame_bytes);
	h->type = p[3];
	h->seq = gw_get_le32(p + 4);
	h->len = len;
	return 0;
}

int gw_frame_parse(const void *buf, size_t n, size_t max_frame_bytes,
		   struct gw_frame_header *h, struct gw_error *err)
{
	struct gw_frame_header tmp;
	int r;

	r = gw_frame_header_decode(buf, n, max_frame_bytes, &tmp, err);
	if (r < 0)
		return r;
	if (n - GW_FRAME_HEADER_BYTES != tmp.len)
		return gw_error_set(err, -EPROTO,
				    "%s header announces %u payload bytes but "
				    "%zu arrived",
				    types[tmp.type].name, tmp.len,
				    n - GW_FRAME_HEADER_BYTES);
	*h = tmp;
	return 0;
}

int gw_wire_fail_decode(const void *payload, size_t len,
			enum gw_wire_phase *phase, const char **text,
			size_t *text_len, struct gw_error *err)
{
	const unsigned char *p = payload;

	if (len == 0)
		return gw_error_set(err, -EPROTO, "FAIL without a phase byte");
	if (p[0] > GW_WIRE_PHASE_PROTOCOL)
		return gw_error_set(err, -EPROTO, "FAIL with unknown phase %u",
				    p[0]);
	if (len - 1 > GW_WIRE_FAIL_TEXT_MAX_BYTES)
		return gw_error_set(
			err, -EMSGSIZE,
			"FAIL text of %zu bytes exceeds the %u-byte "
			"limit",
			len - 1, GW_WIRE_FAIL_TEXT_MAX_BYTES);
	*phase = (enum gw_wire_phase)p[0];
	*text = (const char *)p + 1;
	*text_len = len - 1;
	return 0;
}

void gw_wire_conv_init(struct gw_wire_conv *c)
{
	c->state = GW_WIRE_START;
	c->last_seq = 0;
}

bool gw_wire_pending(const struct gw_wire_conv *c)
{
	return c->state == GW_WIRE_GREETING || c->state == GW_WIRE_RESETTING ||
	       c->state == GW_WIRE_STEPPING || c->state == GW_WIRE_CLOSING;
}

static const struct turn *find_turn(enum gw_wire_state state, unsigned type)
{
	for (size_t i = 0; i < sizeof(turns) / sizeof(turns[0]); i++)
		if (turns[i].type == type && (turns[i].states & STATE(state)))
			return &turns[i];
	return NULL;
}

static uint32_t expected_seq(const struct gw_wire_conv *c, enum seq_rule rule)
{
	switch (rule) {
	case SEQ_NEXT: return c->last_seq + 1;
	case SEQ_PENDING: return c->last_seq;
	case SEQ_ZERO: break;
	}
	return 0;
}

static int seq_fault(const struct gw_wire_conv *c, const struct turn *t,
		     const struct gw_frame_header *h, struct gw_error *err)
{
	const char *name = types[h->type].name;
	uint32_t want = expected_seq(c, t->seq);

	if (t->seq == SEQ_PENDING)
		return gw_error_set(err, -EPROTO,
				    "%s seq %u does not answer request %u",
				    name, h->seq, want);
	return gw_error_set(err, -EPROTO, "%s seq %u, expected %u", name,
			    h->seq, want);
}

/* Say why no row allows type in c's state. */
static int out_of_turn(const struct gw_wire_conv *c, unsigned type,
		       struct gw_error *err)
{
	const char *name = types[type].name;
	bool answer = type == GW_FRAME_SPEC || type == GW_FRAME_RESULT ||
		      type == GW_FRAME_FAIL;

	if (type == GW_FRAME_HELLO)
		return gw_error_set(err, -EPROTO,
				    "HELLO is allowed only as the first frame");
	if (answer && !gw_wire_pending(c) && c->state != GW_WIRE_START &&
	    c->state != GW_WIRE_CLOSED)
		return gw_error_set(err, -EPROTO,
				    "%s while no request is pending", name);
	return gw_error_set(err, -EPROTO, "%s %s", name,
			    state_phrase[c->state]);
}

/* Check h, sent by from over ch, against its row t. */
static int check_turn(const struct gw_wire_conv *c, const struct turn *t,
		      enum gw_wire_role from, enum gw_wire_channel ch,
		      const struct gw_frame_header *h, struct gw_error *err)
{
	const char *name = types[h->type].name;
	const char *want_from = from == GW_WIRE_MONITOR ? "worker" : "monitor";
	const char *route = ch == GW_WIRE_SOCKET ? "the socket" : "a mailbox";

	if (!(t->senders & from))
		return gw_error_set(err, -EPROTO,
				    "%s may only come from the %s", name,
				    want_from);
	if (!(t->channels & ch))
		return gw_error_set(err, -EPROTO, "%s may not travel in %s",
				    name, route);
	if (h->seq != expected_seq(c, t->seq))
		return seq_fault(c, t, h, err);
	if (types[h->type].empty && h->len != 0)
		return gw_error_set(err, -EPROTO,
				    "%s carries %u payload bytes, must carry "
				    "none",
				    name, h->len);
	return 0;
}

int gw_wire_turn(struct gw_wire_conv *c, enum gw_wire_role from,
		 enum gw_wire_channel ch, const struct gw_frame_header *h,
		 struct gw_error *err)
{
	const struct turn *t;
	int r;

	if ((from != GW_WIRE_MONITOR && from != GW_WIRE_WORKER) ||
	    (ch != GW_WIRE_SOCKET && ch != GW_WIRE_MAILBOX) ||
	    (unsigned)c->state >= GW_WIRE_STATE_COUNT)
		return gw_error_set(err, -EINVAL, "bad turn arguments");
	if (h->type == 0 || h->type > TYPE_MAX)
		return gw_error_set(err, -EPROTO, "unknown frame type %u",
				    h->type);

	t = find_turn(c->state, h->type);
	if (!t)
		return out_of_turn(c, h->type, err);
	r = check_turn(c, t, from, ch, h, err);
	if (r < 0)
		return r;

	if (t->seq == SEQ_NEXT || h->type == GW_FRAME_HELLO)
		c->last_seq = h->seq;
	if (t->next != STAY)
		c->state = (enum gw_wire_state)t->next;
	return 0;
}

static int send_frame(int sock, const struct gw_frame_header *h,
		      const void *payload, int pass_fd, int flags)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int))];
	} ctl;
	unsigned char head[GW_FRAME_HEADER_BYTES];
	struct iovec iov[2];
	struct msghdr msg;
	struct cmsghdr *cm;
	ssize_t n;

	if (h->len > GW_FRAME_MAX_SOCKET_BYTES - GW_FRAME_HEADER_BYTES)
		return -EMSGSIZE;
	gw_frame_header_encode(h, head);
	iov[0] = (struct iovec){ .iov_base = head, .iov_len = sizeof(head) };
	iov[1] = (struct iovec){ .iov_base = (void *)payload,
				 .iov_len = h->len };
	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = iov;
	msg.msg_iovlen = h->len ? 2 : 1;

	if (pass_fd >= 0) {
		memset(&ctl, 0, sizeof(ctl));
		msg.msg_control = ctl.buf;
		msg.msg_controllen = sizeof(ctl.buf);
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &pass_fd, sizeof(int));
	}

	do
		n = sendmsg(sock, &msg, flags | MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	/* A seqpacket datagram goes whole or not at all. */
	return (size_t)n == sizeof(head) + h->len ? 0 : -EIO;
}

int gw_frame_send(int sock, const struct gw_frame_header *h,
		  const void *payload)
{
	return send_frame(sock, h, payload, -1, 0);
}

int gw_frame_send_fd(int sock, const struct gw_frame_header *h,
		     const void *payload, int pass_fd)
{
	if (pass_fd < 0)
		return -EBADF;
	return send_frame(sock, h, payload, pass_fd, 0);
}

int gw_frame_send_doorbell(int sock)
{
	const struct gw_frame_header h = { .type = GW_FRAME_DOORBELL };
	int r = send_frame(sock, &h, NULL, -1, MSG_DONTWAIT);

	/* A full buffer holds unread doorbells: the peer will wake anyway. */
	return r == -EAGAIN || r == -EWOULDBLOCK ? 0 : r;
}

/*
 * Collect the descriptors in msg's control data into fds (room for
 * RECV_MAX_FDS) and return how many; *other is set when a control
 * message of another kind came.
 */
static size_t take_fds(struct msghdr *msg, int *fds, bool *other)
{
	struct cmsghdr *cm;
	size_t n = 0;

	*other = false;
	for (cm = CMSG_FIRSTHDR(msg); cm; cm = CMSG_NXTHDR(msg, cm)) {
		size_t k;

		if (cm->cmsg_level != SOL_SOCKET ||
		    cm->cmsg_type != SCM_RIGHTS || cm->cmsg_len < CMSG_LEN(0)) {
			*other = true;
			continue;
		}
		k = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < k && n < RECV_MAX_FDS; i++)
			memcpy(&fds[n++], CMSG_DATA(cm) + i * sizeof(int),
			       sizeof(int));
	}
	return n;
}

static void close_all(const int *fds, size_t n)
{
	for (size_t i = 0; i < n; i++)
		close(fds[i]);
}

/* Judge the descriptors a datagram brought; close them on a fault. */
static int check_fds(struct msghdr *msg, int *fd_out, struct gw_error *err)
{
	int fds[RECV_MAX_FDS];
	bool other;
	size_t n = take_fds(msg, fds, &other);

	if (msg->msg_flags & MSG_CTRUNC) {
		close_all(fds, n);
		return gw_error_set(err, -EMSGSIZE,
				    "frame's control data was truncated "
				    "(too many descriptors)");
	}
	if (other || (n > 0 && !fd_out) || n > 1) {
		close_all(fds, n);
		if (other)
			return gw_error_set(err, -EPROTO,
					    "unexpected control message");
		return gw_error_set(err, -EPROTO,
				    "frame brought %zu unexpected file "
				    "descriptor%s",
				    n, n == 1 ? "" : "s");
	}
	if (fd_out)
		*fd_out = n ? fds[0] : -1;
	return 0;
}

int gw_frame_recv(int sock, void *buf, size_t cap, unsigned flags,
		  struct gw_frame_header *h, int *fd_out, struct gw_error *err)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(RECV_MAX_FDS * sizeof(int))];
	} ctl;
	struct iovec iov = { .iov_base = buf, .iov_len = cap };
	struct msghdr msg;
	int r, fd = -1;
	ssize_t n;

	if (fd_out)
		*fd_out = -1;
	if (cap < GW_FRAME_HEADER_BYTES)
		return gw_error_set(err, -EINVAL, "receive buffer too small");
	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = ctl.buf;
	msg.msg_controllen = sizeof(ctl.buf);

	do
		n = recvmsg(sock, &msg,
			    MSG_CMSG_CLOEXEC | (flags & GW_FRAME_RECV_NONBLOCK
							? MSG_DONTWAIT
							: 0));
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		r = -errno;
		if (r == -EAGAIN || r == -EWOULDBLOCK)
			return -EAGAIN;
		return gw_error_set(err, r, "recvmsg failed: %s", strerror(-r));
	}

	r = check_fds(&msg, fd_out ? &fd : NULL, err);
	if (r < 0)
		return r;
	if (msg.msg_flags & MSG_TRUNC)
		r = gw_error_set(err, -EMSGSIZE,
				 "frame larger than the %zu-byte buffer", cap);
	else if (n == 0)
		r = gw_error_set(err, -EPIPE, "peer closed the socket");
	else
		r = gw_frame_parse(buf, (size_t)n, GW_FRAME_MAX_SOCKET_BYTES, h,
				   err);
	if (r < 0) {
		if (fd >= 0)
			close(fd);
		return r;
	}
	if (fd_out)
		*fd_out = fd;
	return 0;
}
