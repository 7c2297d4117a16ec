/*
 * The shared region of docs/protocol.md: one sealed memfd per worker
 * holding a request mailbox (monitor -> worker) and a response mailbox
 * (worker -> monitor), and the spin-then-doorbell wait on each.
 *
 * The same calls serve both sides: the monitor creates the region,
 * publishes requests and waits for responses; the worker maps the region
 * it received in HELLO, waits for requests and publishes responses.
 * Nothing here knows which side it runs in.
 *
 * Safety rule: the peer may rewrite the region at any moment. A waiter
 * therefore copies a frame into private memory, decodes its header from
 * that copy, bounds the payload copy by the mailbox cap, and never reads
 * the same bytes from the region twice.
 */
#ifndef GW_WIRE_SHM_H
#define GW_WIRE_SHM_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>

#include "gymwarden.h"
#include "wire/frame.h"

#define GW_SHM_MAGIC   0x474d4552u /* bytes 52 45 4d 47 */
#define GW_SHM_VERSION 1u
/* Header: identity line, request control line, response control line. */
#define GW_SHM_HEADER_BYTES 192u
#define GW_SHM_ALIGN	    64u
/* The layout as HELLO carries it: five u32. */
#define GW_SHM_LAYOUT_BYTES 20u

/* Default spins before sleeping (docs/protocol.md, "The doorbell"). */
#define GW_SHM_SPIN_NS_MONITOR 50000u
#define GW_SHM_SPIN_NS_WORKER  200000u

/* Where the mailboxes lie; every offset and cap is a multiple of 64. */
struct gw_shm_layout {
	uint32_t region_bytes;
	uint32_t req_off;
	uint32_t req_cap; /* a whole frame, header included */
	uint32_t resp_off;
	uint32_t resp_cap;
};

enum gw_shm_box {
	GW_SHM_REQUEST,	 /* written by the monitor, read by the worker */
	GW_SHM_RESPONSE, /* written by the worker, read by the monitor */
};

/*
 * The layout for mailboxes of at least req_cap and resp_cap bytes each
 * (whole frames): caps rounded up to 64, the request mailbox right after
 * the header, the response one after it, the region rounded up to 4 KiB.
 * Returns 0, or -EINVAL when a cap is below 12 or above
 * GW_WIRE_MAILBOX_MAX_BYTES.
 */
int gw_shm_layout_compute(size_t req_cap, size_t resp_cap,
			  struct gw_shm_layout *out);

/*
 * Check a layout that came from the peer: alignment, caps within
 * [12, GW_WIRE_MAILBOX_MAX_BYTES], the request mailbox after the header,
 * the response one after it, both inside the region, and the region at
 * most GW_WIRE_REGION_MAX_BYTES. Returns 0 or -EPROTO naming the fault.
 */
int gw_shm_layout_check(const struct gw_shm_layout *l, struct gw_error *err);

/* The layout as the 20 little-endian bytes that open HELLO's payload. */
void gw_shm_layout_encode(const struct gw_shm_layout *l,
			  unsigned char out[GW_SHM_LAYOUT_BYTES]);

/*
 * Read a layout from the first 20 of len bytes (private memory) and check
 * it as gw_shm_layout_check does. -EPROTO when len < 20 or it is bad.
 */
int gw_shm_layout_decode(const void *p, size_t len, struct gw_shm_layout *l,
			 struct gw_error *err);

/* A mapped region; opaque (src/wire/shm_internal.h for tests). */
struct gw_shm;

/*
 * Create a region with layout l: a memfd (close-on-exec) of
 * l->region_bytes, sealed against growing, shrinking and further
 * sealing, mapped read-write, with its header written and both seqs 0.
 * Returns 0 and the handle in *out, or a negative errno (-EINVAL for a
 * bad layout, else from memfd_create, ftruncate, fcntl or mmap).
 */
int gw_shm_create(const struct gw_shm_layout *l, struct gw_shm **out,
		  struct gw_error *err);

/*
 * Map the region fd received in HELLO, whose payload gave l. Checks the
 * layout, that fd's size is l->region_bytes, that it carries the seals
 * gw_shm_create sets, and that the header agrees with l. On success the
 * handle owns fd; on failure the caller still does. Returns 0, -EPROTO
 * for a region that breaks the protocol, or a negative errno from fstat
 * or mmap.
 */
int gw_shm_map(int fd, const struct gw_shm_layout *l, struct gw_shm **out,
	       struct gw_error *err);

/* Unmap, close the fd and free; NULL is fine. */
void gw_shm_free(struct gw_shm *s);

/* The region's memfd, owned by s (send it with gw_frame_send_fd). */
int gw_shm_fd(const struct gw_shm *s);

/* The layout s was made with; owned by s. */
const struct gw_shm_layout *gw_shm_get_layout(const struct gw_shm *s);

/*
 * Where a payload for box goes when built in place: *cap receives the
 * room (the mailbox cap less the 12-byte header). Write at most *cap
 * bytes there, then call gw_shm_commit. The caller must only write a
 * mailbox it publishes to, and only while no request is pending on it.
 */
void *gw_shm_payload(struct gw_shm *s, enum gw_shm_box box, size_t *cap);

/*
 * Publish the payload already in box: write the header (type, the low 32
 * bits of seq, len), store seq into the mailbox's seq word (seq_cst),
 * then, if the peer has set its waiting flag, clear it and send a
 * DOORBELL on sock (never blocking). Returns 0; -EINVAL for an unknown
 * type; -EMSGSIZE when len exceeds the payload room; -EPIPE or another
 * negative errno when the doorbell could not be sent.
 */
int gw_shm_commit(struct gw_shm *s, enum gw_shm_box box, int sock,
		  unsigned type, uint64_t seq, size_t len);

/* Copy len bytes of payload into box, then gw_shm_commit. */
int gw_shm_publish(struct gw_shm *s, enum gw_shm_box box, int sock,
		   unsigned type, uint64_t seq, const void *payload,
		   size_t len);

/*
 * Called by gw_shm_wait when any of the extra fds is ready, with revents
 * filled in. The callback drains them (the monitor copies the worker's
 * stdout and stderr into its log) and may set fds[i].fd to -1 to stop
 * watching one (it must, for a pipe at POLLHUP, or the wait turns into
 * a busy loop). A negative return ends the wait with that value.
 */
typedef int (*gw_shm_extra_fn)(void *arg, struct pollfd *fds, size_t n);

/* What one wait did, for tests and benchmarks. */
struct gw_shm_wait_stats {
	uint64_t spins;	    /* reads of the seq while spinning */
	uint32_t sleeps;    /* times it slept in ppoll */
	uint32_t doorbells; /* DOORBELL frames taken from the socket */
};

struct gw_shm_wait {
	uint64_t spin_ns;     /* 0: go straight to the doorbell */
	uint64_t deadline_ns; /* absolute, CLOCK_MONOTONIC */
	struct pollfd *extra; /* may be NULL; caller-owned */
	size_t n_extra;	      /* <= GW_WIRE_WAIT_MAX_EXTRA_FDS */
	gw_shm_extra_fn on_extra;
	void *arg;
	struct gw_shm_wait_stats *stats; /* may be NULL; accumulated */
};

/* gw_shm_wait's non-negative returns. */
#define GW_SHM_GOT_MAILBOX 0
#define GW_SHM_GOT_SOCKET  1

/*
 * Wait until box's seq word differs from *seq, first spinning for
 * w->spin_ns, then sleeping on sock (and w->extra) until
 * w->deadline_ns.
 *
 * Returns GW_SHM_GOT_MAILBOX when the seq moved: *seq is the new word and
 * the frame is copied into buf (cap bytes, private; pass at least the
 * mailbox cap) with its header, decoded from the copy, in *h. The frame
 * must be well formed, at most min(cap, mailbox cap) bytes, and carry
 * the low 32 bits of the word as its seq (-EPROTO, -EMSGSIZE otherwise).
 *
 * Returns GW_SHM_GOT_SOCKET when a frame other than DOORBELL arrived on
 * sock (a FAIL sent on the socket): it is in buf and *h, *seq unchanged.
 * DOORBELLs are consumed; one that carries a seq or payload is -EPROTO.
 *
 * Errors: -ETIMEDOUT at the deadline; -EPIPE when the peer hung up;
 * -ECONNRESET or another negative errno from the socket; a callback's
 * negative value; -EINVAL for bad arguments. err gets the cause.
 */
int gw_shm_wait(struct gw_shm *s, enum gw_shm_box box, int sock, uint64_t *seq,
		const struct gw_shm_wait *w, void *buf, size_t cap,
		struct gw_frame_header *h, struct gw_error *err);

/* CLOCK_MONOTONIC now, in ns; deadlines are built from it. */
uint64_t gw_shm_now_ns(void);

#endif /* GW_WIRE_SHM_H */
