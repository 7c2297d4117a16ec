/*
 * Frames of the monitor-worker protocol (docs/protocol.md): the 12-byte
 * header, the table of types and when each may cross, and the control
 * socket helpers. Everything here treats the bytes as hostile: a header
 * is decoded only from private memory, every length is compared with a
 * cap before it is used, and file descriptors that were not asked for
 * are closed on arrival.
 */
#ifndef GW_WIRE_FRAME_H
#define GW_WIRE_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gymwarden.h"

#define GW_FRAME_MAGIC	      0x5747u /* bytes 47 57, "GW" */
#define GW_FRAME_VERSION      1u
#define GW_FRAME_HEADER_BYTES 12u

enum gw_frame_type {
	GW_FRAME_HELLO = 1,
	GW_FRAME_SPEC = 2,
	GW_FRAME_RESET = 3,
	GW_FRAME_STEP = 4,
	GW_FRAME_CLOSE = 5,
	GW_FRAME_RESULT = 6,
	GW_FRAME_FAIL = 7,
	GW_FRAME_DOORBELL = 8,
};

/* The variable part of a header; magic and version are implied. */
struct gw_frame_header {
	uint8_t type;
	uint32_t seq;
	uint32_t len; /* payload bytes after the header */
};

/* The protocol's name of a type ("STEP"), or "?" when unknown; static. */
const char *gw_frame_type_name(unsigned type);

/* Write h, with magic and version, as 12 little-endian bytes into out. */
void gw_frame_header_encode(const struct gw_frame_header *h,
			    unsigned char out[GW_FRAME_HEADER_BYTES]);

/*
 * Decode the header at the start of buf (avail bytes, private memory)
 * into h. max_frame_bytes is the largest whole frame the channel takes.
 * Returns 0; -EPROTO when fewer than 12 bytes are given or the magic,
 * version or type is wrong; -EMSGSIZE when 12 + len exceeds
 * max_frame_bytes. It does not require the payload to be present: see
 * gw_frame_parse for a complete datagram. err (may be NULL) gets the
 * cause.
 */
int gw_frame_header_decode(const void *buf, size_t avail,
			   size_t max_frame_bytes, struct gw_frame_header *h,
			   struct gw_error *err);

/*
 * Like gw_frame_header_decode, and also require that buf holds exactly
 * one whole frame: n == 12 + len (-EPROTO otherwise).
 */
int gw_frame_parse(const void *buf, size_t n, size_t max_frame_bytes,
		   struct gw_frame_header *h, struct gw_error *err);

/* What the worker was doing when a FAIL was raised. */
enum gw_wire_phase {
	GW_WIRE_PHASE_CONSTRUCT = 0,
	GW_WIRE_PHASE_RESET = 1,
	GW_WIRE_PHASE_STEP = 2,
	GW_WIRE_PHASE_CLOSE = 3,
	GW_WIRE_PHASE_PROTOCOL = 4,
};

/*
 * Split a FAIL payload (len bytes, private memory) into its phase and
 * its text, which *text points into (not NUL-terminated, *text_len
 * bytes, not validated: escape it before use). Returns 0; -EPROTO for an
 * empty payload or an unknown phase; -EMSGSIZE for text over
 * GW_WIRE_FAIL_TEXT_MAX_BYTES.
 */
int gw_wire_fail_decode(const void *payload, size_t len,
			enum gw_wire_phase *phase, const char **text,
			size_t *text_len, struct gw_error *err);

/* ------------------------------------------------------------------ */
/* turns: which frame may cross when                                   */
/* ------------------------------------------------------------------ */

enum gw_wire_role {
	GW_WIRE_MONITOR = 1,
	GW_WIRE_WORKER = 2,
};

enum gw_wire_channel {
	GW_WIRE_SOCKET = 1,
	GW_WIRE_MAILBOX = 2,
};

enum gw_wire_state {
	GW_WIRE_START,	   /* nothing sent yet */
	GW_WIRE_GREETING,  /* HELLO sent, SPEC awaited */
	GW_WIRE_READY,	   /* SPEC seen; no reset result yet, idle */
	GW_WIRE_RESETTING, /* RESET pending */
	GW_WIRE_RUNNING,   /* a reset has succeeded; idle */
	GW_WIRE_STEPPING,  /* STEP pending */
	GW_WIRE_CLOSING,   /* CLOSE pending */
	GW_WIRE_CLOSED,	   /* over: only stray doorbells may still arrive */
	GW_WIRE_STATE_COUNT,
};

/*
 * The state of one conversation as both sides see it. Each side feeds
 * every frame it sends and every frame it receives to gw_wire_turn, in
 * order, so both hold the same state. Fields are read-only to callers.
 */
struct gw_wire_conv {
	enum gw_wire_state state;
	uint32_t last_seq; /* seq of the latest request (0 after HELLO) */
};

/* A conversation in GW_WIRE_START. */
void gw_wire_conv_init(struct gw_wire_conv *c);

/*
 * Decide whether the frame h, sent by from over ch, is allowed now, and
 * if so advance c. Requests carry the next seq (the previous request's
 * plus one, modulo 2^32; HELLO is 0); answers carry the pending
 * request's seq; DOORBELL carries 0. DOORBELL and CLOSE carry no
 * payload. Returns 0, or -EPROTO with the reason in err ("STEP before a
 * reset result", "RESULT seq 8 does not answer request 7") and c left
 * as it was.
 */
int gw_wire_turn(struct gw_wire_conv *c, enum gw_wire_role from,
		 enum gw_wire_channel ch, const struct gw_frame_header *h,
		 struct gw_error *err);

/* Whether a request awaits its answer (HELLO, RESET, STEP or CLOSE). */
bool gw_wire_pending(const struct gw_wire_conv *c);

/* ------------------------------------------------------------------ */
/* the control socket (AF_UNIX, SOCK_SEQPACKET)                        */
/* ------------------------------------------------------------------ */

/*
 * Send one frame (header from h, len bytes of payload) as one datagram.
 * Blocks if the socket is blocking; never raises SIGPIPE. Returns 0;
 * -EMSGSIZE when 12 + len exceeds GW_FRAME_MAX_SOCKET_BYTES; -EPIPE when
 * the peer is gone; another negative errno from sendmsg.
 */
int gw_frame_send(int sock, const struct gw_frame_header *h,
		  const void *payload);

/*
 * Like gw_frame_send, with pass_fd riding along as SCM_RIGHTS (HELLO and
 * its memfd). The caller keeps its own copy of pass_fd.
 */
int gw_frame_send_fd(int sock, const struct gw_frame_header *h,
		     const void *payload, int pass_fd);

/*
 * Send a DOORBELL without blocking. A full socket buffer means the peer
 * has unread doorbells already, so -EAGAIN is reported as 0.
 */
int gw_frame_send_doorbell(int sock);

/* Flags for gw_frame_recv. */
#define GW_FRAME_RECV_NONBLOCK 0x1u

/*
 * Receive one datagram into buf (cap bytes, private, at least 12) and
 * decode its header into h; the payload is at buf + 12.
 *
 * fd_out: NULL when no descriptor is expected: any that arrive are
 * closed and the call fails with -EPROTO. Otherwise at most one is
 * accepted: *fd_out is the received descriptor (close-on-exec, owned by
 * the caller) or -1 when none came; more than one are all closed and the
 * call fails with -EPROTO. *fd_out is -1 on every failure.
 *
 * Returns 0; -EMSGSIZE when the datagram or its control data did not fit
 * (MSG_TRUNC, MSG_CTRUNC; whatever descriptors did arrive are closed);
 * -EPROTO for a bad header or a length that disagrees with the datagram;
 * -EPIPE when the peer has closed its end; -EAGAIN with
 * GW_FRAME_RECV_NONBLOCK when nothing is queued; another negative errno
 * from recvmsg.
 */
int gw_frame_recv(int sock, void *buf, size_t cap, unsigned flags,
		  struct gw_frame_header *h, int *fd_out, struct gw_error *err);

#endif /* GW_WIRE_FRAME_H */
