/*
 * Unit tests for src/wire/shm: layouts, creating and mapping regions,
 * and the mailboxes between two real processes (a forked child plays
 * the worker): a long ping-pong, timeouts, a peer that dies, the
 * doorbell path, and a peer that rewrites the mailbox behind our back.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/limits.h"
#include "wire/frame.h"
#include "wire/shm.h"
#include "wire/shm_internal.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define MS	     1000000ull

/* ------------------------------------------------------------------ */
/* layouts                                                             */
/* ------------------------------------------------------------------ */

struct compute_case {
	size_t req, resp;
	int want;
	struct gw_shm_layout l;
};

/* clang-format off */
static const struct compute_case compute_cases[] = {
	{ 100, 1000, 0, { 4096, 192, 128, 320, 1024 } },
	{ 12, 12, 0, { 4096, 192, 64, 256, 64 } },
	{ 64, 4096, 0, { 8192, 192, 64, 256, 4096 } },
	{ 65536, 1048576 + 20, 0, { 1118208, 192, 65536, 65728, 1048640 } },
	{ GW_WIRE_MAILBOX_MAX_BYTES, GW_WIRE_MAILBOX_MAX_BYTES, 0,
	  { 2u * GW_WIRE_MAILBOX_MAX_BYTES + 4096, 192,
	    GW_WIRE_MAILBOX_MAX_BYTES, 192 + GW_WIRE_MAILBOX_MAX_BYTES,
	    GW_WIRE_MAILBOX_MAX_BYTES } },
	{ 11, 100, -EINVAL },
	{ 100, 0, -EINVAL },
	{ GW_WIRE_MAILBOX_MAX_BYTES + 1ull, 100, -EINVAL },
	{ 100, SIZE_MAX, -EINVAL },
};
/* clang-format on */

static void layout_compute_rounds_and_orders(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(compute_cases); i++) {
		const struct compute_case *c = &compute_cases[i];
		struct gw_shm_layout l = { 0 };
		int r = gw_shm_layout_compute(c->req, c->resp, &l);

		if (r != c->want)
			fail_msg("case %zu: got %d, want %d", i, r, c->want);
		if (r == 0) {
			assert_memory_equal(&l, &c->l, sizeof(l));
			assert_int_equal(gw_shm_layout_check(&l, NULL), 0);
		}
	}
}

struct check_case {
	const char *name;
	struct gw_shm_layout l;
	const char *msg;
};

/* clang-format off */
static const struct check_case check_cases[] = {
	{ "req_off inside the header", { 4096, 128, 64, 256, 64 },
	  "overlap the header" },
	{ "request runs into response", { 4096, 192, 128, 256, 64 },
	  "overlap" },
	{ "response past the end", { 4096, 192, 64, 256, 4096 },
	  "region's end" },
	{ "response before request", { 4096, 1024, 64, 192, 64 }, "overlap" },
	{ "misaligned offset", { 4096, 200, 64, 320, 64 }, "multiples of 64" },
	{ "misaligned cap", { 4096, 192, 100, 320, 64 }, "multiples of 64" },
	{ "cap below a header", { 4096, 192, 0, 256, 64 },
	  "req_cap of 0 bytes is outside" },
	{ "cap above the limit",
	  { 4096, 192, 64, 256, GW_WIRE_MAILBOX_MAX_BYTES + 64 },
	  "resp_cap of" },
	{ "region above the limit",
	  { GW_WIRE_REGION_MAX_BYTES + 1, 192, 64, 256, 64 }, "exceeds the" },
	{ "offsets near 4 GiB do not wrap",
	  { 4096, 0xffffff80u, 0x80, 192, 64 }, "overlap" },
};
/* clang-format on */

static void layout_check_refuses_bad_layouts(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(check_cases); i++) {
		const struct check_case *c = &check_cases[i];
		struct gw_error err;
		int r;

		gw_error_clear(&err);
		r = gw_shm_layout_check(&c->l, &err);
		if (r != -EPROTO || !strstr(err.msg, c->msg))
			fail_msg("%s: got %d '%s'", c->name, r, err.msg);
	}
}

static void layout_travels_as_twenty_bytes(void **state)
{
	struct gw_shm_layout l, back;
	unsigned char buf[GW_SHM_LAYOUT_BYTES + 4];

	(void)state;
	assert_int_equal(gw_shm_layout_compute(1000, 70000, &l), 0);
	gw_shm_layout_encode(&l, buf);
	assert_int_equal(buf[4], 192);
	assert_int_equal(gw_shm_layout_decode(buf, sizeof(buf), &back, NULL),
			 0);
	assert_memory_equal(&l, &back, sizeof(l));
	assert_int_equal(gw_shm_layout_decode(buf, 19, &back, NULL), -EPROTO);
	buf[4] = 193;
	assert_int_equal(gw_shm_layout_decode(buf, 20, &back, NULL), -EPROTO);
}

/* ------------------------------------------------------------------ */
/* regions                                                             */
/* ------------------------------------------------------------------ */

static struct gw_shm *make_region(size_t req, size_t resp)
{
	struct gw_shm_layout l;
	struct gw_shm *s;
	struct gw_error err;

	assert_int_equal(gw_shm_layout_compute(req, resp, &l), 0);
	gw_error_clear(&err);
	if (gw_shm_create(&l, &s, &err) != 0)
		fail_msg("create: %s", err.msg);
	return s;
}

static void create_seals_and_writes_header(void **state)
{
	struct gw_shm *s = make_region(256, 1024);
	int seals = fcntl(gw_shm_fd(s), F_GET_SEALS);

	(void)state;
	assert_true(seals & F_SEAL_GROW);
	assert_true(seals & F_SEAL_SHRINK);
	assert_true(seals & F_SEAL_SEAL);
	assert_true(fcntl(gw_shm_fd(s), F_GETFD) & FD_CLOEXEC);
	assert_int_equal(ftruncate(gw_shm_fd(s), 0), -1);
	assert_int_equal(errno, EPERM);
	assert_int_equal(ftruncate(gw_shm_fd(s), 1u << 20), -1);
	assert_int_equal(fcntl(gw_shm_fd(s), F_ADD_SEALS, F_SEAL_WRITE), -1);
	assert_int_equal(s->region->magic, GW_SHM_MAGIC);
	assert_int_equal(s->region->resp_cap, 1024);
	assert_int_equal(gw_shm_get_layout(s)->req_cap, 256);
	gw_shm_free(s);
	gw_shm_free(NULL);
}

static void map_accepts_the_created_region(void **state)
{
	struct gw_shm *s = make_region(256, 1024), *m;
	int fd = dup(gw_shm_fd(s));
	unsigned char buf[1024];
	struct gw_shm_wait w = { .spin_ns = 1000000,
				 .deadline_ns = gw_shm_now_ns() + 1000 * MS };
	struct gw_frame_header h;
	uint64_t seq = 0;
	int sv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	assert_int_equal(gw_shm_map(fd, gw_shm_get_layout(s), &m, NULL), 0);
	assert_int_equal(gw_shm_publish(s, GW_SHM_REQUEST, sv[0], GW_FRAME_STEP,
					1, "act", 3),
			 0);
	assert_int_equal(gw_shm_wait(m, GW_SHM_REQUEST, sv[1], &seq, &w, buf,
				     sizeof(buf), &h, NULL),
			 GW_SHM_GOT_MAILBOX);
	assert_int_equal(seq, 1);
	assert_int_equal(h.type, GW_FRAME_STEP);
	assert_int_equal(h.len, 3);
	assert_memory_equal(buf + GW_FRAME_HEADER_BYTES, "act", 3);
	gw_shm_free(m);
	gw_shm_free(s);
	close(sv[0]);
	close(sv[1]);
}

/* A memfd of size bytes with the given seals, or -1. */
static int raw_memfd(size_t size, int seals)
{
	int fd = memfd_create("test", MFD_CLOEXEC | MFD_ALLOW_SEALING);

	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)size), 0);
	if (seals)
		assert_int_equal(fcntl(fd, F_ADD_SEALS, seals), 0);
	return fd;
}

static void map_refuses_regions_that_break_the_protocol(void **state)
{
	const int all = F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL;
	struct gw_shm *s = make_region(256, 1024), *m;
	struct gw_shm_layout l = *gw_shm_get_layout(s), other;
	struct gw_error err;
	int fd, pipefd[2];
	char path[] = "/tmp/gw-test-XXXXXX";

	(void)state;
	/* Size disagrees with HELLO. */
	assert_int_equal(gw_shm_layout_compute(256, 8192, &other), 0);
	gw_error_clear(&err);
	assert_int_equal(gw_shm_map(gw_shm_fd(s), &other, &m, &err), -EPROTO);
	assert_non_null(strstr(err.msg, "HELLO says 12288"));

	/* Not sealed, or only partly. */
	fd = raw_memfd(l.region_bytes, 0);
	gw_error_clear(&err);
	assert_int_equal(gw_shm_map(fd, &l, &m, &err), -EPROTO);
	assert_non_null(strstr(err.msg, "not sealed"));
	close(fd);
	fd = raw_memfd(l.region_bytes, F_SEAL_GROW | F_SEAL_SEAL);
	assert_int_equal(gw_shm_map(fd, &l, &m, NULL), -EPROTO);
	close(fd);

	/* Sealed, right size, but no header. */
	fd = raw_memfd(l.region_bytes, all);
	gw_error_clear(&err);
	assert_int_equal(gw_shm_map(fd, &l, &m, &err), -EPROTO);
	assert_non_null(strstr(err.msg, "magic 0x00000000"));
	close(fd);

	/* Not a memfd at all. */
	assert_int_equal(pipe(pipefd), 0);
	assert_int_equal(gw_shm_map(pipefd[0], &l, &m, NULL), -EPROTO);
	close(pipefd[0]);
	close(pipefd[1]);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	unlink(path);
	assert_int_equal(ftruncate(fd, l.region_bytes), 0);
	gw_error_clear(&err);
	assert_int_equal(gw_shm_map(fd, &l, &m, &err), -EPROTO);
	/* On tmpfs a plain file reports seals, but never ours. */
	assert_true(strstr(err.msg, "not a memfd") ||
		    strstr(err.msg, "not sealed"));
	close(fd);

	/* Header that disagrees with HELLO's layout. */
	s->region->resp_cap = 512;
	assert_int_equal(gw_shm_map(gw_shm_fd(s), &l, &m, NULL), -EPROTO);
	gw_shm_free(s);
}

/* ------------------------------------------------------------------ */
/* two processes                                                       */
/* ------------------------------------------------------------------ */

struct peer {
	struct gw_shm *s; /* ours */
	int sock;	  /* our end */
	pid_t pid;
};

typedef int (*child_fn)(int sock, void *arg);

/*
 * Fork a child that runs fn on its socket end and exits with its
 * return value; a child never returns into cmocka.
 */
static void spawn(struct peer *p, child_fn fn, void *arg)
{
	int sv[2];

	assert_int_equal(
		socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	p->pid = fork();
	assert_true(p->pid >= 0);
	if (p->pid == 0) {
		close(sv[0]);
		alarm(60);
		_exit(fn(sv[1], arg));
	}
	close(sv[1]);
	p->sock = sv[0];
}

static int reap(struct peer *p)
{
	int status;

	assert_int_equal(waitpid(p->pid, &status, 0), p->pid);
	close(p->sock);
	if (WIFSIGNALED(status))
		return 1000 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

/* Child side: receive HELLO with the memfd and map it. */
static struct gw_shm *child_map(int sock)
{
	unsigned char buf[256];
	struct gw_shm_layout l;
	struct gw_frame_header h;
	struct gw_shm *s;
	int fd;

	if (gw_frame_recv(sock, buf, sizeof(buf), 0, &h, &fd, NULL) < 0 ||
	    h.type != GW_FRAME_HELLO || fd < 0)
		return NULL;
	if (gw_shm_layout_decode(buf + GW_FRAME_HEADER_BYTES, h.len, &l, NULL) <
		    0 ||
	    gw_shm_map(fd, &l, &s, NULL) < 0) {
		close(fd);
		return NULL;
	}
	return s;
}

/* Parent side: create a region and send it in HELLO. */
static void send_hello(struct peer *p, size_t req, size_t resp)
{
	unsigned char payload[GW_SHM_LAYOUT_BYTES];
	struct gw_frame_header h = { GW_FRAME_HELLO, 0, sizeof(payload) };

	p->s = make_region(req, resp);
	gw_shm_layout_encode(gw_shm_get_layout(p->s), payload);
	assert_int_equal(
		gw_frame_send_fd(p->sock, &h, payload, gw_shm_fd(p->s)), 0);
}

static struct gw_shm_wait waiting(uint64_t spin_ns, uint64_t ms)
{
	return (struct gw_shm_wait){ .spin_ns = spin_ns,
				     .deadline_ns = gw_shm_now_ns() + ms * MS };
}

/* The payload of request i: its length and bytes derive from i. */
static size_t fill_request(unsigned char *p, uint64_t i)
{
	size_t len = (size_t)(i % 251);

	for (size_t k = 0; k < len; k++)
		p[k] = (unsigned char)(i + k);
	return len;
}

#define ROUNDS 10000

static int echo_child(int sock, void *arg)
{
	unsigned char buf[1024], want[256];
	struct gw_frame_header h;
	struct gw_shm *s = child_map(sock);
	uint64_t seq = 0;

	(void)arg;
	if (!s)
		return 10;
	for (uint64_t i = 1; i <= ROUNDS; i++) {
		struct gw_shm_wait w = waiting(GW_SHM_SPIN_NS_WORKER, 5000);
		size_t len;

		if (gw_shm_wait(s, GW_SHM_REQUEST, sock, &seq, &w, buf,
				sizeof(buf), &h, NULL) != GW_SHM_GOT_MAILBOX)
			return 11;
		len = fill_request(want, i);
		if (seq != i || h.seq != i || h.type != GW_FRAME_STEP ||
		    h.len != len ||
		    memcmp(buf + GW_FRAME_HEADER_BYTES, want, len) != 0)
			return 12;
		for (size_t k = 0; k < len; k++)
			buf[GW_FRAME_HEADER_BYTES + k] ^= 0xff;
		if (gw_shm_publish(s, GW_SHM_RESPONSE, sock, GW_FRAME_RESULT,
				   seq, buf + GW_FRAME_HEADER_BYTES, len) != 0)
			return 13;
	}
	gw_shm_free(s);
	return 0;
}

static void mailboxes_ping_pong_ten_thousand_frames(void **state)
{
	unsigned char req[256], buf[1024];
	struct gw_shm_wait_stats stats = { 0 };
	struct gw_frame_header h;
	struct gw_error err;
	struct peer p;
	uint64_t seq = 0;

	(void)state;
	spawn(&p, echo_child, NULL);
	send_hello(&p, 512, 512);
	for (uint64_t i = 1; i <= ROUNDS; i++) {
		struct gw_shm_wait w = waiting(GW_SHM_SPIN_NS_MONITOR, 5000);
		size_t len = fill_request(req, i);

		w.stats = &stats;
		assert_int_equal(gw_shm_publish(p.s, GW_SHM_REQUEST, p.sock,
						GW_FRAME_STEP, i, req, len),
				 0);
		gw_error_clear(&err);
		if (gw_shm_wait(p.s, GW_SHM_RESPONSE, p.sock, &seq, &w, buf,
				sizeof(buf), &h, &err) != GW_SHM_GOT_MAILBOX)
			fail_msg("round %llu: %s", (unsigned long long)i,
				 err.msg);
		assert_true(seq == i && h.seq == (uint32_t)i);
		assert_int_equal(h.type, GW_FRAME_RESULT);
		assert_int_equal(h.len, len);
		for (size_t k = 0; k < len; k++)
			if (buf[GW_FRAME_HEADER_BYTES + k] != (req[k] ^ 0xff))
				fail_msg("round %llu byte %zu",
					 (unsigned long long)i, k);
	}
	assert_int_equal(reap(&p), 0);
	print_message("ping-pong: %llu spins, %u sleeps, %u doorbells\n",
		      (unsigned long long)stats.spins, stats.sleeps,
		      stats.doorbells);
	gw_shm_free(p.s);
}

static void wait_times_out_at_the_deadline(void **state)
{
	struct gw_shm *s = make_region(64, 64);
	struct gw_shm_wait w = waiting(50000, 30);
	unsigned char buf[64];
	struct gw_frame_header h;
	struct gw_error err;
	uint64_t seq = 0, t0 = gw_shm_now_ns(), dt;
	int sv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	gw_error_clear(&err);
	assert_int_equal(gw_shm_wait(s, GW_SHM_RESPONSE, sv[0], &seq, &w, buf,
				     sizeof(buf), &h, &err),
			 -ETIMEDOUT);
	dt = gw_shm_now_ns() - t0;
	assert_true(dt >= 30 * MS && dt < 2000 * MS);
	assert_string_equal(err.msg, "no frame before the deadline");
	assert_int_equal(s->region->monitor_waiting, 0);

	/* A deadline already past fails at once, without spinning. */
	w = waiting(1000 * MS, 0);
	w.deadline_ns -= 1;
	t0 = gw_shm_now_ns();
	assert_int_equal(gw_shm_wait(s, GW_SHM_RESPONSE, sv[0], &seq, &w, buf,
				     sizeof(buf), &h, NULL),
			 -ETIMEDOUT);
	assert_true(gw_shm_now_ns() - t0 < 100 * MS);
	gw_shm_free(s);
	close(sv[0]);
	close(sv[1]);
}

static int exit_child(int sock, void *arg)
{
	(void)sock;
	(void)arg;
	return 0;
}

static int answer_then_exit_child(int sock, void *arg)
{
	struct gw_shm *s = child_map(sock);

	(void)arg;
	if (!s)
		return 10;
	if (gw_shm_publish(s, GW_SHM_RESPONSE, sock, GW_FRAME_FAIL, 1, "\x02x",
			   2) != 0)
		return 11;
	return 0;
}

static void wait_reports_a_dead_peer(void **state)
{
	struct gw_shm *s = make_region(64, 64);
	struct gw_shm_wait w = waiting(10000, 5000);
	unsigned char buf[64];
	struct gw_frame_header h;
	struct peer p;
	uint64_t seq = 0, t0;

	(void)state;
	spawn(&p, exit_child, NULL);
	t0 = gw_shm_now_ns();
	assert_int_equal(gw_shm_wait(s, GW_SHM_RESPONSE, p.sock, &seq, &w, buf,
				     sizeof(buf), &h, NULL),
			 -EPIPE);
	assert_true(gw_shm_now_ns() - t0 < 4000 * MS);
	assert_int_equal(reap(&p), 0);
	gw_shm_free(s);

	/* A last answer published before dying is still delivered. */
	spawn(&p, answer_then_exit_child, NULL);
	send_hello(&p, 64, 64);
	assert_int_equal(waitpid(p.pid, NULL, 0), p.pid);
	w = waiting(10000, 5000);
	assert_int_equal(gw_shm_wait(p.s, GW_SHM_RESPONSE, p.sock, &seq, &w,
				     buf, sizeof(buf), &h, NULL),
			 GW_SHM_GOT_MAILBOX);
	assert_int_equal(h.type, GW_FRAME_FAIL);
	assert_int_equal(gw_shm_wait(p.s, GW_SHM_RESPONSE, p.sock, &seq, &w,
				     buf, sizeof(buf), &h, NULL),
			 -EPIPE);
	close(p.sock);
	gw_shm_free(p.s);
}

static int late_answer_child(int sock, void *arg)
{
	struct gw_shm *s = child_map(sock);
	struct timespec nap = { 0, 30 * 1000 * 1000 };

	(void)arg;
	if (!s)
		return 10;
	/* Sleep far past the parent's spin, then publish. */
	nanosleep(&nap, NULL);
	if (gw_shm_publish(s, GW_SHM_RESPONSE, sock, GW_FRAME_RESULT, 1, "ok",
			   2) != 0)
		return 11;
	/* Stay alive so the parent sees the doorbell, not a hangup. */
	nanosleep(&nap, NULL);
	return 0;
}

static void doorbell_wakes_a_waiter_that_slept(void **state)
{
	static const uint64_t spins[] = { 0, 20000 };
	unsigned char buf[64];
	struct gw_frame_header h;
	struct peer p;

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(spins); i++) {
		struct gw_shm_wait_stats stats = { 0 };
		struct gw_shm_wait w = waiting(spins[i], 5000);
		uint64_t seq = 0, t0;

		w.stats = &stats;
		spawn(&p, late_answer_child, NULL);
		send_hello(&p, 64, 64);
		t0 = gw_shm_now_ns();
		assert_int_equal(gw_shm_wait(p.s, GW_SHM_RESPONSE, p.sock, &seq,
					     &w, buf, sizeof(buf), &h, NULL),
				 GW_SHM_GOT_MAILBOX);
		assert_true(gw_shm_now_ns() - t0 < 3000 * MS);
		assert_memory_equal(buf + GW_FRAME_HEADER_BYTES, "ok", 2);
		assert_true(stats.sleeps >= 1);
		assert_int_equal(stats.doorbells, 1);
		if (spins[i] == 0)
			assert_int_equal(stats.spins, 0);
		assert_int_equal(p.s->region->monitor_waiting, 0);
		assert_int_equal(reap(&p), 0);
		gw_shm_free(p.s);
	}
}

static void publish_rings_only_a_waiting_peer(void **state)
{
	struct gw_shm *s = make_region(64, 64);
	unsigned char buf[64];
	struct gw_frame_header h;
	int sv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	assert_int_equal(gw_shm_publish(s, GW_SHM_REQUEST, sv[0],
					GW_FRAME_RESET, 1, "x", 1),
			 0);
	assert_int_equal(gw_frame_recv(sv[1], buf, sizeof(buf),
				       GW_FRAME_RECV_NONBLOCK, &h, NULL, NULL),
			 -EAGAIN);

	atomic_store(&s->region->worker_waiting, 1);
	assert_int_equal(gw_shm_publish(s, GW_SHM_REQUEST, sv[0], GW_FRAME_STEP,
					2, "y", 1),
			 0);
	assert_int_equal(s->region->worker_waiting, 0);
	assert_int_equal(gw_frame_recv(sv[1], buf, sizeof(buf),
				       GW_FRAME_RECV_NONBLOCK, &h, NULL, NULL),
			 0);
	assert_int_equal(h.type, GW_FRAME_DOORBELL);
	assert_int_equal(h.seq, 0);

	/* The response mailbox rings the monitor's flag, not the worker's. */
	atomic_store(&s->region->worker_waiting, 1);
	assert_int_equal(gw_shm_publish(s, GW_SHM_RESPONSE, sv[1],
					GW_FRAME_RESULT, 2, "z", 1),
			 0);
	assert_int_equal(gw_frame_recv(sv[0], buf, sizeof(buf),
				       GW_FRAME_RECV_NONBLOCK, &h, NULL, NULL),
			 -EAGAIN);
	gw_shm_free(s);
	close(sv[0]);
	close(sv[1]);
}

static void publish_refuses_bad_frames(void **state)
{
	struct gw_shm *s = make_region(64, 128);
	size_t room;
	unsigned char *p;

	(void)state;
	p = gw_shm_payload(s, GW_SHM_RESPONSE, &room);
	assert_non_null(p);
	assert_int_equal(room, 128 - GW_FRAME_HEADER_BYTES);
	assert_int_equal(gw_shm_publish(s, GW_SHM_REQUEST, -1, GW_FRAME_STEP, 1,
					p, 64 - GW_FRAME_HEADER_BYTES + 1),
			 -EMSGSIZE);
	assert_int_equal(gw_shm_commit(s, GW_SHM_RESPONSE, -1, GW_FRAME_RESULT,
				       1, room + 1),
			 -EMSGSIZE);
	assert_int_equal(gw_shm_commit(s, GW_SHM_RESPONSE, -1, 0, 1, 0),
			 -EINVAL);
	assert_int_equal(gw_shm_commit(s, GW_SHM_RESPONSE, -1, 9, 1, 0),
			 -EINVAL);
	assert_int_equal(gw_shm_commit(s, 2, -1, GW_FRAME_RESULT, 1, 0),
			 -EINVAL);
	assert_null(gw_shm_payload(s, 5, &room));

	/* Built in place, then committed: no copy. */
	memcpy(p, "in place", 8);
	assert_int_equal(gw_shm_commit(s, GW_SHM_RESPONSE, -1, GW_FRAME_RESULT,
				       (1ull << 32) + 7, 8),
			 0);
	assert_true(atomic_load(&s->region->resp_seq) == (1ull << 32) + 7);
	assert_int_equal(s->box[GW_SHM_RESPONSE].frame[4], 7);
	gw_shm_free(s);
}

/* ------------------------------------------------------------------ */
/* a hostile mailbox                                                   */
/* ------------------------------------------------------------------ */

struct hostile_case {
	const char *name;
	unsigned char head[GW_FRAME_HEADER_BYTES];
	uint64_t word;
	int want;
	const char *msg;
};

/* Mailbox cap 128: at most 116 payload bytes. */
/* clang-format off */
static const struct hostile_case hostile_cases[] = {
	{ "valid", { 0x47, 0x57, 1, 6, 5, 0, 0, 0, 116, 0, 0, 0 }, 5,
	  GW_SHM_GOT_MAILBOX, "" },
	{ "length one past the mailbox",
	  { 0x47, 0x57, 1, 6, 5, 0, 0, 0, 117, 0, 0, 0 }, 5, -EMSGSIZE,
	  "128-byte frame limit" },
	{ "length of 4 GiB",
	  { 0x47, 0x57, 1, 6, 5, 0, 0, 0, 255, 255, 255, 255 }, 5, -EMSGSIZE,
	  "frame limit" },
	{ "seq disagrees with the word",
	  { 0x47, 0x57, 1, 6, 4, 0, 0, 0, 0, 0, 0, 0 }, 5, -EPROTO,
	  "RESULT frame has seq 4 but its mailbox says 5" },
	{ "seq is the word's low half",
	  { 0x47, 0x57, 1, 6, 5, 0, 0, 0, 0, 0, 0, 0 }, (1ull << 32) | 5,
	  GW_SHM_GOT_MAILBOX, "" },
	{ "bad magic", { 0, 0, 1, 6, 5, 0, 0, 0, 0, 0, 0, 0 }, 5, -EPROTO,
	  "bad frame magic" },
	{ "unknown type", { 0x47, 0x57, 1, 99, 5, 0, 0, 0, 0, 0, 0, 0 }, 5,
	  -EPROTO, "unknown frame type 99" },
};
/* clang-format on */

static void wait_validates_the_copied_header(void **state)
{
	struct gw_shm *s = make_region(64, 128);
	unsigned char buf[256];
	int sv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	for (size_t i = 0; i < ARRAY_LEN(hostile_cases); i++) {
		const struct hostile_case *c = &hostile_cases[i];
		struct gw_shm_wait w = waiting(1000, 1000);
		struct gw_frame_header h;
		struct gw_error err;
		uint64_t seq = 0;
		int r;

		memcpy(s->box[GW_SHM_RESPONSE].frame, c->head, sizeof(c->head));
		atomic_store(&s->region->resp_seq, c->word);
		memset(buf, 0xaa, sizeof(buf));
		gw_error_clear(&err);
		r = gw_shm_wait(s, GW_SHM_RESPONSE, sv[0], &seq, &w, buf,
				sizeof(buf), &h, &err);
		if (r != c->want || !strstr(err.msg, c->msg))
			fail_msg("%s: got %d '%s'", c->name, r, err.msg);
		/* Never a byte past the mailbox's cap. */
		for (size_t k = 128; k < sizeof(buf); k++)
			assert_int_equal(buf[k], 0xaa);
		if (r == GW_SHM_GOT_MAILBOX)
			assert_true(seq == c->word);
		else
			assert_true(seq == 0);
	}

	/* A caller buffer smaller than the mailbox bounds the copy too. */
	{
		struct gw_shm_wait w = waiting(1000, 1000);
		struct gw_frame_header h;
		uint64_t seq = 0;

		memcpy(s->box[GW_SHM_RESPONSE].frame, hostile_cases[0].head,
		       GW_FRAME_HEADER_BYTES);
		atomic_store(&s->region->resp_seq, 5);
		memset(buf, 0xaa, sizeof(buf));
		assert_int_equal(gw_shm_wait(s, GW_SHM_RESPONSE, sv[0], &seq,
					     &w, buf, 64, &h, NULL),
				 -EMSGSIZE);
		for (size_t k = 64; k < sizeof(buf); k++)
			assert_int_equal(buf[k], 0xaa);
	}
	gw_shm_free(s);
	close(sv[0]);
	close(sv[1]);
}

#define HOSTILE_ROUNDS 2000

/*
 * Publish frames whose payload is the seq's low byte repeated, then keep
 * scribbling over the whole mailbox (headers, lengths past the cap,
 * other seqs, payload bytes) while the parent copies, until the parent
 * acknowledges the round in the request mailbox.
 */
static int scribbler_child(int sock, void *arg)
{
	struct gw_shm *s = child_map(sock);
	struct shm_box *b;
	uint32_t x = 12345;

	(void)arg;
	if (!s)
		return 10;
	b = &s->box[GW_SHM_RESPONSE];
	for (uint64_t i = 1; i <= HOSTILE_ROUNDS; i++) {
		unsigned char pay[100];
		uint64_t t0 = gw_shm_now_ns();

		memset(pay, (int)(i & 0xff), sizeof(pay));
		if (gw_shm_publish(s, GW_SHM_RESPONSE, sock, GW_FRAME_RESULT, i,
				   pay, 1 + i % sizeof(pay)) != 0)
			return 11;
		while (atomic_load(&s->region->req_seq) != i) {
			x = x * 1103515245u + 12345u;
			b->frame[x % b->cap] = (unsigned char)(x >> 16);
			if (x % 7 == 0)
				memcpy(b->frame + 8, &x, 4);
			if (gw_shm_now_ns() - t0 > 5000 * MS)
				return 12;
		}
	}
	gw_shm_free(s);
	return 0;
}

static void hostile_rewrites_never_escape_the_copy(void **state)
{
	size_t cap = 128, got = 0, refused = 0;
	unsigned char *buf = malloc(cap + 64);
	struct peer p;
	uint64_t seq = 0;

	(void)state;
	spawn(&p, scribbler_child, NULL);
	send_hello(&p, 64, cap);
	for (uint64_t i = 1; i <= HOSTILE_ROUNDS; i++) {
		struct gw_shm_wait w = waiting(GW_SHM_SPIN_NS_MONITOR, 5000);
		struct gw_frame_header h, again;
		uint64_t before = seq;
		int r;

		memset(buf, 0xaa, cap + 64);
		r = gw_shm_wait(p.s, GW_SHM_RESPONSE, p.sock, &seq, &w, buf,
				cap, &h, NULL);
		for (size_t k = cap; k < cap + 64; k++)
			assert_int_equal(buf[k], 0xaa);
		if (r < 0) {
			if (r != -EPROTO && r != -EMSGSIZE)
				fail_msg("round %llu: %d",
					 (unsigned long long)i, r);
			assert_true(seq == before);
			refused++;
			seq = i;
		} else {
			assert_int_equal(r, GW_SHM_GOT_MAILBOX);
			got++;
			/* What came back is exactly what the copy says. */
			assert_int_equal(
				gw_frame_parse(buf,
					       GW_FRAME_HEADER_BYTES + h.len,
					       cap, &again, NULL),
				0);
			assert_true(again.type == h.type &&
				    again.seq == h.seq && again.len == h.len);
			assert_true(h.seq == (uint32_t)seq);
			for (size_t k = GW_FRAME_HEADER_BYTES + h.len; k < cap;
			     k++)
				assert_int_equal(buf[k], 0xaa);
		}
		assert_int_equal(gw_shm_publish(p.s, GW_SHM_REQUEST, p.sock,
						GW_FRAME_STEP, i, NULL, 0),
				 0);
	}
	assert_int_equal(reap(&p), 0);
	assert_int_equal(got + refused, HOSTILE_ROUNDS);
	print_message("hostile: %zu frames taken, %zu refused\n", got, refused);
	gw_shm_free(p.s);
	free(buf);
}

/* ------------------------------------------------------------------ */
/* the socket during a wait                                            */
/* ------------------------------------------------------------------ */

static void wait_hands_over_socket_frames(void **state)
{
	const struct gw_frame_header fail = { GW_FRAME_FAIL, 3, 4 };
	const struct gw_frame_header bad_bell = { GW_FRAME_DOORBELL, 5, 0 };
	struct gw_shm *s = make_region(64, 64);
	unsigned char buf[64];
	struct gw_frame_header h;
	struct gw_error err;
	uint64_t seq = 2;
	int sv[2];
	struct gw_shm_wait w = waiting(0, 1000);

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	atomic_store(&s->region->resp_seq, 2);

	assert_int_equal(gw_frame_send_doorbell(sv[1]), 0);
	assert_int_equal(gw_frame_send(sv[1], &fail,
				       "\x02"
				       "boo"),
			 0);
	assert_int_equal(gw_shm_wait(s, GW_SHM_RESPONSE, sv[0], &seq, &w, buf,
				     sizeof(buf), &h, NULL),
			 GW_SHM_GOT_SOCKET);
	assert_int_equal(h.type, GW_FRAME_FAIL);
	assert_int_equal(h.seq, 3);
	assert_memory_equal(buf + GW_FRAME_HEADER_BYTES,
			    "\x02"
			    "boo",
			    4);
	assert_true(seq == 2);

	assert_int_equal(gw_frame_send(sv[1], &bad_bell, NULL), 0);
	gw_error_clear(&err);
	assert_int_equal(gw_shm_wait(s, GW_SHM_RESPONSE, sv[0], &seq, &w, buf,
				     sizeof(buf), &h, &err),
			 -EPROTO);
	assert_non_null(strstr(err.msg, "DOORBELL carries seq 5"));

	/* A doorbell with a descriptor: refused, descriptor closed. */
	assert_int_equal(gw_frame_send_fd(sv[1], &bad_bell, NULL, sv[1]), 0);
	gw_error_clear(&err);
	assert_int_equal(gw_shm_wait(s, GW_SHM_RESPONSE, sv[0], &seq, &w, buf,
				     sizeof(buf), &h, &err),
			 -EPROTO);
	assert_non_null(strstr(err.msg, "unexpected file descriptor"));
	gw_shm_free(s);
	close(sv[0]);
	close(sv[1]);
}

struct drain {
	int calls;
	size_t bytes;
	int fail_with;
};

static int drain_pipe(void *arg, struct pollfd *fds, size_t n)
{
	struct drain *d = arg;
	char chunk[256];

	d->calls++;
	for (size_t i = 0; i < n; i++) {
		ssize_t r;

		if (!fds[i].revents)
			continue;
		r = read(fds[i].fd, chunk, sizeof(chunk));
		if (r > 0)
			d->bytes += (size_t)r;
		else
			fds[i].fd = -1; /* hung up: stop watching */
	}
	return d->fail_with;
}

static void wait_serves_extra_fds_while_sleeping(void **state)
{
	struct gw_shm *s = make_region(64, 64);
	unsigned char buf[64];
	struct gw_frame_header h;
	struct pollfd extra[1];
	struct drain d = { 0 };
	uint64_t seq = 0;
	int sv[2], pipefd[2];
	struct gw_shm_wait w = waiting(0, 100);

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	assert_int_equal(pipe(pipefd), 0);
	assert_int_equal(write(pipefd[1], "log line\n", 9), 9);
	close(pipefd[1]);
	extra[0] = (struct pollfd){ .fd = pipefd[0], .events = POLLIN };
	w.extra = extra;
	w.n_extra = 1;
	w.on_extra = drain_pipe;
	w.arg = &d;

	/* Data, then end of file, then the deadline. */
	assert_int_equal(gw_shm_wait(s, GW_SHM_RESPONSE, sv[0], &seq, &w, buf,
				     sizeof(buf), &h, NULL),
			 -ETIMEDOUT);
	assert_int_equal(d.bytes, 9);
	assert_int_equal(d.calls, 2);
	assert_int_equal(extra[0].fd, -1);
	close(pipefd[0]);

	/* A callback's error ends the wait. */
	assert_int_equal(pipe(pipefd), 0);
	assert_int_equal(write(pipefd[1], "x", 1), 1);
	extra[0] = (struct pollfd){ .fd = pipefd[0], .events = POLLIN };
	d = (struct drain){ .fail_with = -ECANCELED };
	w.deadline_ns = gw_shm_now_ns() + 1000 * MS;
	assert_int_equal(gw_shm_wait(s, GW_SHM_RESPONSE, sv[0], &seq, &w, buf,
				     sizeof(buf), &h, NULL),
			 -ECANCELED);
	assert_int_equal(d.calls, 1);

	w.n_extra = GW_WIRE_WAIT_MAX_EXTRA_FDS + 1;
	assert_int_equal(gw_shm_wait(s, GW_SHM_RESPONSE, sv[0], &seq, &w, buf,
				     sizeof(buf), &h, NULL),
			 -EINVAL);
	w.n_extra = 0;
	assert_int_equal(gw_shm_wait(s, GW_SHM_RESPONSE, sv[0], &seq, &w, buf,
				     8, &h, NULL),
			 -EINVAL);
	close(pipefd[0]);
	close(pipefd[1]);
	gw_shm_free(s);
	close(sv[0]);
	close(sv[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(layout_compute_rounds_and_orders),
		cmocka_unit_test(layout_check_refuses_bad_layouts),
		cmocka_unit_test(layout_travels_as_twenty_bytes),
		cmocka_unit_test(create_seals_and_writes_header),
		cmocka_unit_test(map_accepts_the_created_region),
		cmocka_unit_test(map_refuses_regions_that_break_the_protocol),
		cmocka_unit_test(mailboxes_ping_pong_ten_thousand_frames),
		cmocka_unit_test(wait_times_out_at_the_deadline),
		cmocka_unit_test(wait_reports_a_dead_peer),
		cmocka_unit_test(doorbell_wakes_a_waiter_that_slept),
		cmocka_unit_test(publish_rings_only_a_waiting_peer),
		cmocka_unit_test(publish_refuses_bad_frames),
		cmocka_unit_test(wait_validates_the_copied_header),
		cmocka_unit_test(hostile_rewrites_never_escape_the_copy),
		cmocka_unit_test(wait_hands_over_socket_frames),
		cmocka_unit_test(wait_serves_extra_fds_while_sleeping),
	};

	/* A child that dies must not take the test runner with it. */
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
