/*
 * The shared region and its mailboxes. Layout arithmetic is pure; the
 * rest wraps memfd_create, fcntl, mmap and ppoll.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/endian.h"
#include "core/error.h"
#include "core/limits.h"
#include "wire/shm_internal.h"

#define REQUIRED_SEALS (F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL)
#define REGION_ROUND   4096u

/*
 * The handle as this file allocates it: struct gw_shm (what tests see)
 * first, so that a struct gw_shm * converts back, then what only the
 * spin uses: per mailbox, the reads it makes between two yields.
 */
struct shm_handle {
	struct gw_shm s;
	uint32_t probe_reads[2]; /* enum gw_shm_box */
};

static struct shm_handle *handle_of(struct gw_shm *s)
{
	return (struct shm_handle *)s;
}

static uint64_t round_up(uint64_t v, uint64_t to)
{
	return (v + to - 1) / to * to;
}

int gw_shm_layout_compute(size_t req_cap, size_t resp_cap,
			  struct gw_shm_layout *out)
{
	uint64_t req, resp, region;

	if (req_cap < GW_FRAME_HEADER_BYTES ||
	    req_cap > GW_WIRE_MAILBOX_MAX_BYTES ||
	    resp_cap < GW_FRAME_HEADER_BYTES ||
	    resp_cap > GW_WIRE_MAILBOX_MAX_BYTES)
		return -EINVAL;
	req = round_up(req_cap, GW_SHM_ALIGN);
	resp = round_up(resp_cap, GW_SHM_ALIGN);
	region = round_up(GW_SHM_HEADER_BYTES + req + resp, REGION_ROUND);

	out->req_off = GW_SHM_HEADER_BYTES;
	out->req_cap = (uint32_t)req;
	out->resp_off = (uint32_t)(GW_SHM_HEADER_BYTES + req);
	out->resp_cap = (uint32_t)resp;
	out->region_bytes = (uint32_t)region;
	return 0;
}

static int check_cap(const char *name, uint32_t cap, struct gw_error *err)
{
	if (cap < GW_FRAME_HEADER_BYTES || cap > GW_WIRE_MAILBOX_MAX_BYTES)
		return gw_error_set(err, -EPROTO,
				    "%s of %u bytes is outside [%u, %u]", name,
				    cap, GW_FRAME_HEADER_BYTES,
				    GW_WIRE_MAILBOX_MAX_BYTES);
	return 0;
}

int gw_shm_layout_check(const struct gw_shm_layout *l, struct gw_error *err)
{
	int r;

	if (l->region_bytes > GW_WIRE_REGION_MAX_BYTES)
		return gw_error_set(err, -EPROTO,
				    "region of %u bytes exceeds the %u-byte "
				    "limit",
				    l->region_bytes, GW_WIRE_REGION_MAX_BYTES);
	r = check_cap("req_cap", l->req_cap, err);
	if (r == 0)
		r = check_cap("resp_cap", l->resp_cap, err);
	if (r < 0)
		return r;
	if ((l->req_off | l->req_cap | l->resp_off | l->resp_cap) %
	    GW_SHM_ALIGN)
		return gw_error_set(err, -EPROTO,
				    "mailbox offsets and caps must be "
				    "multiples of %u",
				    GW_SHM_ALIGN);

	/* In u64, so no sum can wrap. */
	if (l->req_off < GW_SHM_HEADER_BYTES ||
	    (uint64_t)l->req_off + l->req_cap > l->resp_off ||
	    (uint64_t)l->resp_off + l->resp_cap > l->region_bytes)
		return gw_error_set(err, -EPROTO,
				    "mailboxes overlap the header, each other "
				    "or the region's end");
	return 0;
}

void gw_shm_layout_encode(const struct gw_shm_layout *l,
			  unsigned char out[GW_SHM_LAYOUT_BYTES])
{
	gw_put_le32(out, l->region_bytes);
	gw_put_le32(out + 4, l->req_off);
	gw_put_le32(out + 8, l->req_cap);
	gw_put_le32(out + 12, l->resp_off);
	gw_put_le32(out + 16, l->resp_cap);
}

int gw_shm_layout_decode(const void *p, size_t len, struct gw_shm_layout *l,
			 struct gw_error *err)
{
	const unsigned char *b = p;
	struct gw_shm_layout tmp;
	int r;

	if (len < GW_SHM_LAYOUT_BYTES)
		return gw_error_set(err, -EPROTO,
				    "HELLO payload of %zu bytes is shorter "
				    "than the region layout",
				    len);
	tmp.region_bytes = gw_get_le32(b);
	tmp.req_off = gw_get_le32(b + 4);
	tmp.req_cap = gw_get_le32(b + 8);
	tmp.resp_off = gw_get_le32(b + 12);
	tmp.resp_cap = gw_get_le32(b + 16);
	r = gw_shm_layout_check(&tmp, err);
	if (r < 0)
		return r;
	*l = tmp;
	return 0;
}

static void spin_init(struct shm_handle *h);

/* Point s's fields at the mapping base of the layout l. */
static void attach(struct gw_shm *s, int fd, void *base,
		   const struct gw_shm_layout *l)
{
	spin_init(handle_of(s));
	s->fd = fd;
	s->base = base;
	s->size = l->region_bytes;
	s->layout = *l;
	s->region = base;
	s->box[GW_SHM_REQUEST] = (struct shm_box){
		.frame = s->base + l->req_off,
		.cap = l->req_cap,
		.seq = &s->region->req_seq,
		.waiting = &s->region->worker_waiting,
	};
	s->box[GW_SHM_RESPONSE] = (struct shm_box){
		.frame = s->base + l->resp_off,
		.cap = l->resp_cap,
		.seq = &s->region->resp_seq,
		.waiting = &s->region->monitor_waiting,
	};
}

int gw_shm_create(const struct gw_shm_layout *l, struct gw_shm **out,
		  struct gw_error *err)
{
	struct gw_shm *s = NULL;
	void *base = MAP_FAILED;
	int fd = -1, r;

	*out = NULL;
	if (gw_shm_layout_check(l, NULL) < 0)
		return gw_error_set(err, -EINVAL, "bad region layout");

	fd = memfd_create("gymwarden-region", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0) {
		r = gw_error_set(err, -errno, "memfd_create failed: %s",
				 strerror(errno));
		goto fail;
	}
	if (ftruncate(fd, l->region_bytes) < 0 ||
	    fcntl(fd, F_ADD_SEALS, REQUIRED_SEALS) < 0) {
		r = gw_error_set(err, -errno, "cannot size and seal region: %s",
				 strerror(errno));
		goto fail;
	}
	base = mmap(NULL, l->region_bytes, PROT_READ | PROT_WRITE, MAP_SHARED,
		    fd, 0);
	if (base == MAP_FAILED) {
		r = gw_error_set(err, -errno, "cannot map region: %s",
				 strerror(errno));
		goto fail;
	}
	s = calloc(1, sizeof(struct shm_handle));
	if (!s) {
		r = gw_error_set(err, -ENOMEM, "out of memory");
		goto fail;
	}

	attach(s, fd, base, l);
	s->region->magic = GW_SHM_MAGIC;
	s->region->version = GW_SHM_VERSION;
	s->region->region_bytes = l->region_bytes;
	s->region->req_off = l->req_off;
	s->region->req_cap = l->req_cap;
	s->region->resp_off = l->resp_off;
	s->region->resp_cap = l->resp_cap;
	*out = s;
	return 0;

fail:
	if (base != MAP_FAILED)
		munmap(base, l->region_bytes);
	if (fd >= 0)
		close(fd);
	return r;
}

/* What gw_shm_map demands of the fd before mapping it. */
static int check_region_fd(int fd, const struct gw_shm_layout *l,
			   struct gw_error *err)
{
	struct stat st;
	int seals;

	if (fstat(fd, &st) < 0)
		return gw_error_set(err, -errno, "cannot stat region: %s",
				    strerror(errno));
	if (!S_ISREG(st.st_mode) || st.st_size != (off_t)l->region_bytes)
		return gw_error_set(err, -EPROTO,
				    "region is %lld bytes, HELLO says %u",
				    (long long)st.st_size, l->region_bytes);
	seals = fcntl(fd, F_GET_SEALS);
	if (seals < 0)
		return gw_error_set(err, -EPROTO, "region is not a memfd");
	if ((seals & REQUIRED_SEALS) != REQUIRED_SEALS)
		return gw_error_set(err, -EPROTO,
				    "region is not sealed against growing, "
				    "shrinking and resealing");
	return 0;
}

/* The identity line must repeat what HELLO said. */
static int check_header(const struct shm_region *h,
			const struct gw_shm_layout *l, struct gw_error *err)
{
	if (h->magic != GW_SHM_MAGIC || h->version != GW_SHM_VERSION)
		return gw_error_set(err, -EPROTO,
				    "region has magic 0x%08x version %u",
				    h->magic, h->version);
	if (h->region_bytes != l->region_bytes || h->req_off != l->req_off ||
	    h->req_cap != l->req_cap || h->resp_off != l->resp_off ||
	    h->resp_cap != l->resp_cap)
		return gw_error_set(err, -EPROTO,
				    "region header disagrees with HELLO");
	return 0;
}

int gw_shm_map(int fd, const struct gw_shm_layout *l, struct gw_shm **out,
	       struct gw_error *err)
{
	struct gw_shm *s;
	void *base;
	int r;

	*out = NULL;
	r = gw_shm_layout_check(l, err);
	if (r == 0)
		r = check_region_fd(fd, l, err);
	if (r < 0)
		return r;

	base = mmap(NULL, l->region_bytes, PROT_READ | PROT_WRITE, MAP_SHARED,
		    fd, 0);
	if (base == MAP_FAILED)
		return gw_error_set(err, -errno, "cannot map region: %s",
				    strerror(errno));
	r = check_header(base, l, err);
	if (r == 0 && !(s = calloc(1, sizeof(struct shm_handle))))
		r = gw_error_set(err, -ENOMEM, "out of memory");
	if (r < 0) {
		munmap(base, l->region_bytes);
		return r;
	}
	attach(s, fd, base, l);
	*out = s;
	return 0;
}

void gw_shm_free(struct gw_shm *s)
{
	if (!s)
		return;
	munmap(s->base, s->size);
	close(s->fd);
	free(s);
}

int gw_shm_fd(const struct gw_shm *s)
{
	return s->fd;
}

const struct gw_shm_layout *gw_shm_get_layout(const struct gw_shm *s)
{
	return &s->layout;
}

/* ------------------------------------------------------------------ */
/* mailboxes                                                           */
/* ------------------------------------------------------------------ */

uint64_t gw_shm_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Tell the CPU this is a spin-wait loop. */
static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield" ::: "memory");
#else
	atomic_signal_fence(memory_order_seq_cst);
#endif
}

static struct shm_box *get_box(struct gw_shm *s, enum gw_shm_box box)
{
	if (box != GW_SHM_REQUEST && box != GW_SHM_RESPONSE)
		return NULL;
	return &s->box[box];
}

void *gw_shm_payload(struct gw_shm *s, enum gw_shm_box box, size_t *cap)
{
	struct shm_box *b = get_box(s, box);

	if (!b) {
		*cap = 0;
		return NULL;
	}
	*cap = b->cap - GW_FRAME_HEADER_BYTES;
	return b->frame + GW_FRAME_HEADER_BYTES;
}

int gw_shm_commit(struct gw_shm *s, enum gw_shm_box box, int sock,
		  unsigned type, uint64_t seq, size_t len)
{
	struct shm_box *b = get_box(s, box);
	struct gw_frame_header h;

	if (!b || type == 0 || type > GW_FRAME_DOORBELL)
		return -EINVAL;
	if (len > b->cap - GW_FRAME_HEADER_BYTES)
		return -EMSGSIZE;
	h = (struct gw_frame_header){ .type = (uint8_t)type,
				      .seq = (uint32_t)seq,
				      .len = (uint32_t)len };
	gw_frame_header_encode(&h, b->frame);

	/*
	 * Store the seq, then read the waiter's flag, both seq_cst: the
	 * waiter stores its flag and then reads the seq, so at least one of
	 * us sees the other's store and no wake-up is lost.
	 */
	atomic_store_explicit(b->seq, seq, memory_order_seq_cst);
	if (atomic_exchange_explicit(b->waiting, 0, memory_order_seq_cst))
		return gw_frame_send_doorbell(sock);
	return 0;
}

int gw_shm_publish(struct gw_shm *s, enum gw_shm_box box, int sock,
		   unsigned type, uint64_t seq, const void *payload, size_t len)
{
	size_t room;
	void *dst = gw_shm_payload(s, box, &room);

	if (!dst)
		return -EINVAL;
	if (len > room)
		return -EMSGSIZE;
	if (len)
		memcpy(dst, payload, len);
	return gw_shm_commit(s, box, sock, type, seq, len);
}

/*
 * The spin's yields. Between two reads of the seq the spin only pauses
 * (about 30 ns on the reference VM); every so many reads it yields the
 * CPU. Whether that helps depends on where the peer runs, which no call
 * tells: on our CPU it cannot answer until we yield, so each read before
 * the yield is lost; on another CPU a yield either finds nothing to run
 * (0.6 us lost) or hands our CPU to a third process for its whole slice
 * (milliseconds behind another engineer's build). So each yield is also
 * a probe, timed, and its outcome sets, per mailbox, how many reads the
 * spin makes before the next one:
 *
 * - we were away long enough for two task switches, but not as long as
 *   a stranger's slice, and the seq moved meanwhile: the peer ran in our
 *   place, it shares our CPU: yield early;
 * - any other outcome (back at once, or away without an answer, or for
 *   a slice): the peer runs elsewhere and a yield only gives our CPU
 *   away: make twice as many reads before the next one; but if the peer
 *   was on our CPU and the yield came back at once, sleep (see probe);
 * - a spin that runs out and sleeps halves them, so that a peer that
 *   moved onto our CPU is found again within a few waits.
 *
 * The first wait starts from the early yield, as the scheduler tends to
 * put the two processes on one CPU. bench/README.md has the figures.
 */
#define PROBE_READS_MIN	  4u
#define PROBE_READS_MAX	  8192u	  /* about 250 us: past either default spin */
#define PEER_YIELD_MIN_NS 2000u	  /* a bare sched_yield() takes 0.6-1.1 us */
#define PEER_YIELD_MAX_NS 500000u /* a busy stranger's slice is longer */

static void spin_init(struct shm_handle *h)
{
	h->probe_reads[GW_SHM_REQUEST] = PROBE_READS_MIN;
	h->probe_reads[GW_SHM_RESPONSE] = PROBE_READS_MIN;
}

/*
 * Yield once, and learn from it where the peer runs. True when the spin
 * should stop and sleep: the peer was last seen on our CPU, yet the
 * yield came straight back with no answer, so the scheduler holds the
 * peer back (it has had more than its share) until we have burnt as
 * much; only leaving the run queue lets it run at once.
 */
static bool probe(const struct shm_box *b, uint64_t seen, uint32_t *reads)
{
	bool here = *reads == PROBE_READS_MIN, moved;
	uint64_t t0 = gw_shm_now_ns(), away;

	sched_yield();
	away = gw_shm_now_ns() - t0;
	moved = atomic_load_explicit(b->seq, memory_order_acquire) != seen;
	if (moved && away >= PEER_YIELD_MIN_NS && away < PEER_YIELD_MAX_NS) {
		*reads = PROBE_READS_MIN;
		return false;
	}
	if (*reads < PROBE_READS_MAX)
		*reads *= 2;
	return here && !moved && away < PEER_YIELD_MIN_NS;
}

/* Spin until the seq differs from seen; false when the time ran out. */
static bool spin(struct shm_box *b, uint32_t *reads, uint64_t seen,
		 const struct gw_shm_wait *w, uint64_t *word, uint64_t *spins)
{
	uint64_t end, now = gw_shm_now_ns();
	uint32_t left = *reads;

	if (w->spin_ns == 0 || now >= w->deadline_ns)
		return false;
	end = w->deadline_ns - now < w->spin_ns ? w->deadline_ns
						: now + w->spin_ns;
	for (uint64_t i = 1;; i++) {
		uint64_t cur =
			atomic_load_explicit(b->seq, memory_order_acquire);

		if (cur != seen) {
			*spins += i;
			*word = cur;
			return true;
		}
		cpu_relax();
		if (--left == 0) {
			if (probe(b, seen, reads)) {
				*spins += i;
				return false;
			}
			left = *reads;
		}
		/* The clock costs more than a read of the seq. */
		if ((i & 15) == 0 && gw_shm_now_ns() >= end) {
			*spins += i;
			if (*reads > PROBE_READS_MIN)
				*reads /= 2;
			return false;
		}
	}
}

/*
 * Take one datagram from the socket while waiting. Returns 0 after a
 * DOORBELL (or nothing queued), GW_SHM_GOT_SOCKET for any other frame,
 * which is left in buf and *h, or a negative errno.
 */
static int take_socket_frame(int sock, void *buf, size_t cap,
			     struct gw_frame_header *h,
			     struct gw_shm_wait_stats *stats,
			     struct gw_error *err)
{
	size_t room = cap < GW_FRAME_MAX_SOCKET_BYTES
			      ? cap
			      : GW_FRAME_MAX_SOCKET_BYTES;
	int r;

	r = gw_frame_recv(sock, buf, room, GW_FRAME_RECV_NONBLOCK, h, NULL,
			  err);
	if (r == -EAGAIN)
		return 0;
	if (r < 0)
		return r;
	if (h->type != GW_FRAME_DOORBELL)
		return GW_SHM_GOT_SOCKET;
	if (h->seq != 0 || h->len != 0)
		return gw_error_set(err, -EPROTO,
				    "DOORBELL carries seq %u and %u payload "
				    "bytes, must carry neither",
				    h->seq, h->len);
	stats->doorbells++;
	return 0;
}

/* The peer's end is gone or broken; which errno to report. */
static int hangup_error(int sock, short revents, struct gw_error *err)
{
	int soerr = 0;
	socklen_t len = sizeof(soerr);

	if ((revents & POLLERR) &&
	    getsockopt(sock, SOL_SOCKET, SO_ERROR, &soerr, &len) == 0 &&
	    soerr != 0)
		return gw_error_set(err, -soerr, "control socket failed: %s",
				    strerror(soerr));
	if (revents & POLLNVAL)
		return gw_error_set(err, -EBADF, "control socket is not open");
	return gw_error_set(err, -EPIPE, "peer hung up");
}

/* Hand ready extra fds, with their revents, to the caller's callback. */
static int serve_extra(const struct gw_shm_wait *w, const struct pollfd *fds)
{
	bool ready = false;

	for (size_t i = 0; i < w->n_extra; i++) {
		w->extra[i].revents = fds[i].revents;
		ready |= fds[i].revents != 0;
	}
	if (!ready || !w->on_extra)
		return 0;
	return w->on_extra(w->arg, w->extra, w->n_extra);
}

/* One ppoll on the socket and the extra fds, until the deadline at most. */
static int sleep_once(int sock, const struct gw_shm_wait *w, uint64_t now,
		      struct pollfd *fds, struct gw_error *err)
{
	uint64_t left = w->deadline_ns - now;
	struct timespec ts = { .tv_sec = (time_t)(left / 1000000000u),
			       .tv_nsec = (long)(left % 1000000000u) };
	int n;

	fds[0] = (struct pollfd){ .fd = sock, .events = POLLIN };
	for (size_t i = 0; i < w->n_extra; i++)
		fds[1 + i] = (struct pollfd){ .fd = w->extra[i].fd,
					      .events = w->extra[i].events };
	n = ppoll(fds, 1 + w->n_extra, &ts, NULL);
	if (n < 0 && errno != EINTR)
		return gw_error_set(err, -errno, "ppoll failed: %s",
				    strerror(errno));
	return 0;
}

/*
 * Sleep until the seq differs from seen: raise our waiting flag, read
 * the seq once more, and only then block on the socket, which the
 * publisher rings when it finds the flag raised.
 */
static int sleep_until(struct shm_box *b, int sock, uint64_t seen,
		       const struct gw_shm_wait *w, void *buf, size_t cap,
		       struct gw_frame_header *h, uint64_t *word,
		       struct gw_shm_wait_stats *stats, struct gw_error *err)
{
	struct pollfd fds[1 + GW_WIRE_WAIT_MAX_EXTRA_FDS];
	uint64_t now;
	int r;

	for (;;) {
		atomic_store_explicit(b->waiting, 1, memory_order_seq_cst);
		*word = atomic_load_explicit(b->seq, memory_order_seq_cst);
		if (*word != seen)
			return GW_SHM_GOT_MAILBOX;
		now = gw_shm_now_ns();
		if (now >= w->deadline_ns)
			return gw_error_set(err, -ETIMEDOUT,
					    "no frame before the deadline");

		stats->sleeps++;
		r = sleep_once(sock, w, now, fds, err);
		if (r < 0)
			return r;
		if (fds[0].revents & POLLIN) {
			r = take_socket_frame(sock, buf, cap, h, stats, err);
			if (r != 0)
				return r;
		} else if (fds[0].revents) {
			return hangup_error(sock, fds[0].revents, err);
		}
		r = serve_extra(w, fds + 1);
		if (r < 0)
			return r;
	}
}

/*
 * Copy the frame published under word into buf. The header is copied
 * once into private memory and decoded there; its length is bounded by
 * the mailbox before it sizes the payload copy, and no byte of the
 * region is read twice.
 */
static int copy_frame(const struct shm_box *b, uint64_t word, void *buf,
		      size_t cap, struct gw_frame_header *h,
		      struct gw_error *err)
{
	unsigned char head[GW_FRAME_HEADER_BYTES];
	size_t limit = cap < b->cap ? cap : b->cap;
	struct gw_frame_header tmp;
	int r;

	memcpy(head, b->frame, sizeof(head));
	/* Keep the compiler from reloading head's bytes from the region. */
	atomic_signal_fence(memory_order_seq_cst);
	r = gw_frame_header_decode(head, sizeof(head), limit, &tmp, err);
	if (r < 0)
		return r;
	if (tmp.seq != (uint32_t)word)
		return gw_error_set(err, -EPROTO,
				    "%s frame has seq %u but its mailbox says "
				    "%u",
				    gw_frame_type_name(tmp.type), tmp.seq,
				    (uint32_t)word);

	memcpy(buf, head, sizeof(head));
	memcpy((unsigned char *)buf + sizeof(head),
	       b->frame + GW_FRAME_HEADER_BYTES, tmp.len);
	atomic_signal_fence(memory_order_seq_cst);
	*h = tmp;
	return 0;
}

int gw_shm_wait(struct gw_shm *s, enum gw_shm_box box, int sock, uint64_t *seq,
		const struct gw_shm_wait *w, void *buf, size_t cap,
		struct gw_frame_header *h, struct gw_error *err)
{
	struct gw_shm_wait_stats spare = { 0 };
	struct gw_shm_wait_stats *stats = w->stats ? w->stats : &spare;
	struct shm_box *b = get_box(s, box);
	uint64_t word;
	int r;

	if (!b || cap < GW_FRAME_HEADER_BYTES ||
	    w->n_extra > GW_WIRE_WAIT_MAX_EXTRA_FDS ||
	    (w->n_extra && !w->extra))
		return gw_error_set(err, -EINVAL, "bad wait arguments");

	if (!spin(b, &handle_of(s)->probe_reads[box], *seq, w, &word,
		  &stats->spins)) {
		r = sleep_until(b, sock, *seq, w, buf, cap, h, &word, stats,
				err);
		/* Whatever woke us, we are no longer asleep. */
		atomic_store_explicit(b->waiting, 0, memory_order_seq_cst);
		if (r != GW_SHM_GOT_MAILBOX)
			return r;
	}

	r = copy_frame(b, word, buf, cap, h, err);
	if (r < 0)
		return r;
	*seq = word;
	return GW_SHM_GOT_MAILBOX;
}
