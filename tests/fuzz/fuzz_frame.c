/*
 * libFuzzer harness for everything in src/wire that reads frames a peer
 * wrote: header decoding, FAIL payloads, the HELLO layout, datagrams
 * taken from the control socket, a mailbox whose bytes the peer
 * controls, and the turn table fed a sequence of moves. Each must accept or
 * refuse cleanly and never touch memory past its caps.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/limits.h"
#include "gymwarden.h"
#include "wire/frame.h"
#include "wire/shm.h"
#include "wire/shm_internal.h"

#define MAILBOX_CAP 256u
#define CANARY	    0xa5

static struct gw_shm *region;
static int sv[2] = { -1, -1 };
static unsigned char buf[GW_FRAME_MAX_SOCKET_BYTES + 64];

static void setup(void)
{
	struct gw_shm_layout l;

	if (region)
		return;
	if (gw_shm_layout_compute(MAILBOX_CAP, MAILBOX_CAP, &l) < 0 ||
	    gw_shm_create(&l, &region, NULL) < 0 ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		abort();
}

static void check_tail(size_t from, size_t to)
{
	for (size_t i = from; i < to; i++)
		if (buf[i] != CANARY)
			abort();
}

static void headers(const uint8_t *data, size_t size)
{
	static const size_t caps[] = {
		0, 12, 13, 64, MAILBOX_CAP, GW_FRAME_MAX_SOCKET_BYTES, SIZE_MAX
	};
	struct gw_shm_layout l;
	struct gw_frame_header h;
	enum gw_wire_phase phase;
	const char *text;
	size_t text_len;

	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		if (gw_frame_header_decode(data, size, caps[i], &h, NULL) ==
			    0 &&
		    (h.type == 0 || h.type > GW_FRAME_DOORBELL ||
		     (size_t)h.len + GW_FRAME_HEADER_BYTES > caps[i]))
			abort();
		if (gw_frame_parse(data, size, caps[i], &h, NULL) == 0 &&
		    (size_t)h.len + GW_FRAME_HEADER_BYTES != size)
			abort();
	}
	if (gw_wire_fail_decode(data, size, &phase, &text, &text_len, NULL) ==
		    0 &&
	    (text != (const char *)data + 1 || text_len != size - 1 ||
	     phase > GW_WIRE_PHASE_PROTOCOL))
		abort();
	if (gw_shm_layout_decode(data, size, &l, NULL) == 0 &&
	    ((uint64_t)l.resp_off + l.resp_cap > l.region_bytes ||
	     l.req_off < GW_SHM_HEADER_BYTES))
		abort();
}

/* The input as one datagram, received into a 64-byte-short buffer. */
static void datagram(const uint8_t *data, size_t size)
{
	struct gw_frame_header h;
	size_t cap = sizeof(buf) - 64;
	int fd = -1, r;

	if (size > GW_FRAME_MAX_SOCKET_BYTES)
		return;
	if (send(sv[0], data, size, MSG_DONTWAIT) != (ssize_t)size)
		return;
	memset(buf, CANARY, sizeof(buf));
	r = gw_frame_recv(sv[1], buf, cap, GW_FRAME_RECV_NONBLOCK, &h, &fd,
			  NULL);
	if (fd != -1)
		abort();
	if (r == 0 && (size_t)h.len + GW_FRAME_HEADER_BYTES != size)
		abort();
	check_tail(cap, sizeof(buf));
}

/* The input as the response mailbox's bytes, published under a seq. */
static void mailbox(const uint8_t *data, size_t size)
{
	struct shm_box *b = &region->box[GW_SHM_RESPONSE];
	struct gw_shm_wait w = { .spin_ns = 1000000,
				 .deadline_ns = gw_shm_now_ns() + 1000000000 };
	struct gw_frame_header h;
	uint64_t seq = 0, word = 1;
	size_t n = size < b->cap ? size : b->cap;
	int r;

	memset(b->frame, 0, b->cap);
	memcpy(b->frame, data, n);
	if (size >= 4)
		memcpy(&word, data, 4);
	atomic_store(b->seq, word ? word : 1);
	memset(buf, CANARY, sizeof(buf));
	r = gw_shm_wait(region, GW_SHM_RESPONSE, sv[0], &seq, &w, buf, 1024, &h,
			NULL);
	if (r == GW_SHM_GOT_MAILBOX) {
		if ((size_t)h.len + GW_FRAME_HEADER_BYTES > b->cap ||
		    h.seq != (uint32_t)seq)
			abort();
		check_tail(GW_FRAME_HEADER_BYTES + h.len, sizeof(buf));
	} else if (r != -EPROTO && r != -EMSGSIZE) {
		abort();
	}
	atomic_store(b->seq, 0);
}

/* Every 11 bytes are one move: sender, channel, type, seq, len. */
static void turns(const uint8_t *data, size_t size)
{
	struct gw_wire_conv c;

	gw_wire_conv_init(&c);
	for (size_t i = 0; i + 11 <= size; i += 11) {
		const uint8_t *m = data + i;
		struct gw_wire_conv before = c;
		struct gw_frame_header h = { .type = m[2] };
		int r;

		memcpy(&h.seq, m + 3, 4);
		memcpy(&h.len, m + 7, 4);
		/* Mostly well-formed seqs, so the machine gets deep. */
		if (m[0] & 0x80)
			h.seq = c.last_seq + (m[0] & 1);
		if (m[0] & 0x40)
			h.len = 0;
		r = gw_wire_turn(&c, (enum gw_wire_role)(1 + (m[0] & 1)),
				 (enum gw_wire_channel)(1 + (m[1] & 1)), &h,
				 NULL);
		if (r < 0 && memcmp(&c, &before, sizeof(c)) != 0)
			abort();
		if (r < 0 && r != -EPROTO)
			abort();
		if ((unsigned)c.state >= GW_WIRE_STATE_COUNT)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	setup();
	headers(data, size);
	datagram(data, size);
	mailbox(data, size);
	turns(data, size);
	return 0;
}
