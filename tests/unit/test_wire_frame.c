/*
 * Unit tests for src/wire/frame: header encoding and every rejection,
 * the turn table, and the control socket helpers (truncation, and
 * descriptors that were not asked for).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/limits.h"
#include "wire/frame.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------------ */
/* headers                                                             */
/* ------------------------------------------------------------------ */

static void header_round_trips_for_every_type(void **state)
{
	static const uint32_t seqs[] = { 0, 1, 0x7fffffff, 0xffffffff };
	unsigned char buf[GW_FRAME_HEADER_BYTES];
	struct gw_frame_header in, out;

	(void)state;
	for (unsigned t = GW_FRAME_HELLO; t <= GW_FRAME_DOORBELL; t++)
		for (size_t i = 0; i < ARRAY_LEN(seqs); i++) {
			in = (struct gw_frame_header){ (uint8_t)t, seqs[i],
						       (uint32_t)(i * 1000) };
			gw_frame_header_encode(&in, buf);
			assert_int_equal(
				gw_frame_header_decode(buf, sizeof(buf),
						       1u << 20, &out, NULL),
				0);
			assert_int_equal(out.type, in.type);
			assert_int_equal(out.seq, in.seq);
			assert_int_equal(out.len, in.len);
		}
}

static void header_is_little_endian_with_gw_magic(void **state)
{
	const struct gw_frame_header h = { GW_FRAME_STEP, 0x04030201,
					   0x08070605 };
	static const unsigned char want[] = { 0x47, 0x57, 1, 4, 1, 2,
					      3,    4,	  5, 6, 7, 8 };
	unsigned char buf[GW_FRAME_HEADER_BYTES];

	(void)state;
	gw_frame_header_encode(&h, buf);
	assert_memory_equal(buf, want, sizeof(want));
	assert_string_equal(gw_frame_type_name(GW_FRAME_STEP), "STEP");
	assert_string_equal(gw_frame_type_name(0), "?");
	assert_string_equal(gw_frame_type_name(9), "?");
}

struct header_case {
	const char *name;
	unsigned char bytes[GW_FRAME_HEADER_BYTES];
	size_t avail;
	size_t max;
	int want;
	const char *msg;
};

/* clang-format off */
static const struct header_case header_cases[] = {
	{ "valid", { 0x47, 0x57, 1, 6, 7, 0, 0, 0, 4, 0, 0, 0 }, 16, 64, 0,
	  "" },
	{ "empty input", { 0 }, 0, 64, -EPROTO, "shorter than its 12-byte" },
	{ "eleven bytes", { 0x47, 0x57, 1, 6 }, 11, 64, -EPROTO, "shorter" },
	{ "magic swapped", { 0x57, 0x47, 1, 6 }, 12, 64, -EPROTO,
	  "bad frame magic 0x4757" },
	{ "magic zero", { 0 }, 12, 64, -EPROTO, "bad frame magic 0x0000" },
	{ "version 0", { 0x47, 0x57, 0, 6 }, 12, 64, -EPROTO,
	  "unsupported frame version 0" },
	{ "version 2", { 0x47, 0x57, 2, 6 }, 12, 64, -EPROTO,
	  "unsupported frame version 2" },
	{ "type 0", { 0x47, 0x57, 1, 0 }, 12, 64, -EPROTO,
	  "unknown frame type 0" },
	{ "type 9", { 0x47, 0x57, 1, 9 }, 12, 64, -EPROTO,
	  "unknown frame type 9" },
	{ "type 255", { 0x47, 0x57, 1, 255 }, 12, 64, -EPROTO,
	  "unknown frame type 255" },
	{ "len at the cap", { 0x47, 0x57, 1, 6, 0, 0, 0, 0, 52, 0, 0, 0 }, 12,
	  64, 0, "" },
	{ "len one past the cap", { 0x47, 0x57, 1, 6, 0, 0, 0, 0, 53, 0, 0, 0 },
	  12, 64, -EMSGSIZE, "exceeds the channel's 64-byte frame limit" },
	{ "len 4 GiB - 1", { 0x47, 0x57, 1, 6, 0, 0, 0, 0, 255, 255, 255, 255 },
	  12, GW_FRAME_MAX_SOCKET_BYTES, -EMSGSIZE, "4294967295 payload" },
	{ "cap below a header", { 0x47, 0x57, 1, 6 }, 12, 8, -EMSGSIZE,
	  "frame limit" },
};
/* clang-format on */

static void header_decode_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(header_cases); i++) {
		const struct header_case *c = &header_cases[i];
		struct gw_frame_header h = { 0 };
		struct gw_error err;
		int r;

		gw_error_clear(&err);
		r = gw_frame_header_decode(c->bytes, c->avail, c->max, &h,
					   &err);
		if (r != c->want || !strstr(err.msg, c->msg))
			fail_msg("%s: got %d '%s', want %d '%s'", c->name, r,
				 err.msg, c->want, c->msg);
	}
}

static void parse_rejects_length_that_disagrees_with_datagram(void **state)
{
	unsigned char buf[32] = { 0 };
	struct gw_frame_header h = { GW_FRAME_RESULT, 3, 4 };
	struct gw_error err;

	(void)state;
	gw_frame_header_encode(&h, buf);
	assert_int_equal(gw_frame_parse(buf, 16, 64, &h, NULL), 0);
	for (size_t n = 12; n < 32; n++) {
		if (n == 16)
			continue;
		gw_error_clear(&err);
		assert_int_equal(gw_frame_parse(buf, n, 64, &h, &err), -EPROTO);
		assert_non_null(strstr(err.msg, "announces 4 payload bytes"));
	}
}

static void fail_payload_splits_phase_and_text(void **state)
{
	static char big[GW_WIRE_FAIL_TEXT_MAX_BYTES + 2];
	enum gw_wire_phase phase;
	const char *text;
	size_t len;
	struct gw_error err;

	(void)state;
	assert_int_equal(gw_wire_fail_decode("\x02ValueError: x", 15, &phase,
					     &text, &len, NULL),
			 0);
	assert_int_equal(phase, GW_WIRE_PHASE_STEP);
	assert_int_equal(len, 14);
	assert_memory_equal(text, "ValueError: x", 13);
	assert_int_equal(
		gw_wire_fail_decode("\x04", 1, &phase, &text, &len, NULL), 0);
	assert_int_equal(len, 0);

	gw_error_clear(&err);
	assert_int_equal(gw_wire_fail_decode("", 0, &phase, &text, &len, &err),
			 -EPROTO);
	assert_string_equal(err.msg, "FAIL without a phase byte");
	assert_int_equal(
		gw_wire_fail_decode("\x05x", 2, &phase, &text, &len, NULL),
		-EPROTO);
	memset(big, 'x', sizeof(big));
	big[0] = 1;
	assert_int_equal(gw_wire_fail_decode(big, sizeof(big) - 1, &phase,
					     &text, &len, NULL),
			 0);
	assert_int_equal(gw_wire_fail_decode(big, sizeof(big), &phase, &text,
					     &len, NULL),
			 -EMSGSIZE);
}

/* ------------------------------------------------------------------ */
/* turns                                                               */
/* ------------------------------------------------------------------ */

#define M    GW_WIRE_MONITOR
#define W    GW_WIRE_WORKER
#define SOCK GW_WIRE_SOCKET
#define BOX  GW_WIRE_MAILBOX

struct move {
	enum gw_wire_role from;
	enum gw_wire_channel ch;
	uint8_t type;
	uint32_t seq;
	uint32_t len;
};

/* Play moves from a fresh conversation; all must be allowed. */
static void play(struct gw_wire_conv *c, const struct move *moves, size_t n)
{
	struct gw_error err;

	gw_wire_conv_init(c);
	for (size_t i = 0; i < n; i++) {
		const struct move *m = &moves[i];
		struct gw_frame_header h = { m->type, m->seq, m->len };

		gw_error_clear(&err);
		if (gw_wire_turn(c, m->from, m->ch, &h, &err) != 0)
			fail_msg("move %zu (%s) refused: %s", i,
				 gw_frame_type_name(m->type), err.msg);
	}
}

static const struct move lifecycle[] = {
	{ M, SOCK, GW_FRAME_HELLO, 0, 100 },
	{ W, SOCK, GW_FRAME_SPEC, 0, 40 },
	{ M, SOCK, GW_FRAME_DOORBELL, 0, 0 },
	{ M, BOX, GW_FRAME_RESET, 1, 10 },
	{ W, SOCK, GW_FRAME_DOORBELL, 0, 0 },
	{ W, BOX, GW_FRAME_RESULT, 1, 30 },
	{ M, BOX, GW_FRAME_STEP, 2, 8 },
	{ W, BOX, GW_FRAME_RESULT, 2, 30 },
	{ M, BOX, GW_FRAME_STEP, 3, 8 },
	{ W, SOCK, GW_FRAME_FAIL, 3, 20 },
	{ M, BOX, GW_FRAME_RESET, 4, 10 },
	{ W, BOX, GW_FRAME_FAIL, 4, 20 },
	{ M, BOX, GW_FRAME_RESET, 5, 10 },
	{ W, BOX, GW_FRAME_RESULT, 5, 30 },
	{ M, BOX, GW_FRAME_CLOSE, 6, 0 },
	{ W, BOX, GW_FRAME_RESULT, 6, 0 },
	{ W, SOCK, GW_FRAME_DOORBELL, 0, 0 },
};

static void turn_allows_a_whole_lifecycle(void **state)
{
	struct gw_wire_conv c;

	(void)state;
	play(&c, lifecycle, ARRAY_LEN(lifecycle));
	assert_int_equal(c.state, GW_WIRE_CLOSED);
	assert_false(gw_wire_pending(&c));
}

static void turn_wraps_seq_modulo_2_32(void **state)
{
	static const struct move hello[] = {
		{ M, SOCK, GW_FRAME_HELLO, 0, 100 },
		{ W, SOCK, GW_FRAME_SPEC, 0, 40 },
	};
	struct gw_frame_header h;
	struct gw_wire_conv c;

	(void)state;
	play(&c, hello, ARRAY_LEN(hello));
	c.last_seq = 0xfffffffe;
	h = (struct gw_frame_header){ GW_FRAME_RESET, 0xffffffff, 10 };
	assert_int_equal(gw_wire_turn(&c, M, BOX, &h, NULL), 0);
	h = (struct gw_frame_header){ GW_FRAME_RESULT, 0xffffffff, 30 };
	assert_int_equal(gw_wire_turn(&c, W, BOX, &h, NULL), 0);
	h = (struct gw_frame_header){ GW_FRAME_STEP, 0, 8 };
	assert_int_equal(gw_wire_turn(&c, M, BOX, &h, NULL), 0);
	assert_true(gw_wire_pending(&c));
}

/* A prefix of the lifecycle, then one move that must be refused. */
struct turn_case {
	const char *name;
	size_t prefix; /* moves of lifecycle[] played first */
	struct move bad;
	const char *msg;
};

/* clang-format off */
static const struct turn_case turn_cases[] = {
	{ "spec first", 0, { W, SOCK, GW_FRAME_SPEC, 0, 4 },
	  "SPEC before HELLO" },
	{ "hello from the worker", 0, { W, SOCK, GW_FRAME_HELLO, 0, 4 },
	  "HELLO may only come from the monitor" },
	{ "hello in a mailbox", 0, { M, BOX, GW_FRAME_HELLO, 0, 4 },
	  "HELLO may not travel in a mailbox" },
	{ "hello with seq 1", 0, { M, SOCK, GW_FRAME_HELLO, 1, 4 },
	  "HELLO seq 1, expected 0" },
	{ "doorbell before spec", 1, { W, SOCK, GW_FRAME_DOORBELL, 0, 0 },
	  "DOORBELL while HELLO awaits its SPEC" },
	{ "second hello", 1, { M, SOCK, GW_FRAME_HELLO, 0, 4 },
	  "HELLO is allowed only as the first frame" },
	{ "spec in a mailbox", 1, { W, BOX, GW_FRAME_SPEC, 0, 4 },
	  "SPEC may not travel in a mailbox" },
	{ "spec answering seq 5", 1, { W, SOCK, GW_FRAME_SPEC, 5, 4 },
	  "SPEC seq 5 does not answer request 0" },
	{ "reset before spec", 1, { M, BOX, GW_FRAME_RESET, 1, 4 },
	  "RESET while HELLO awaits its SPEC" },
	{ "second spec", 2, { W, SOCK, GW_FRAME_SPEC, 0, 4 },
	  "SPEC while no request is pending" },
	{ "step before reset", 2, { M, BOX, GW_FRAME_STEP, 1, 8 },
	  "STEP before a reset result" },
	{ "result with nothing pending", 2, { W, BOX, GW_FRAME_RESULT, 0, 8 },
	  "RESULT while no request is pending" },
	{ "reset on the socket", 2, { M, SOCK, GW_FRAME_RESET, 1, 10 },
	  "RESET may not travel in the socket" },
	{ "reset skipping a seq", 2, { M, BOX, GW_FRAME_RESET, 2, 10 },
	  "RESET seq 2, expected 1" },
	{ "reset reusing seq 0", 2, { M, BOX, GW_FRAME_RESET, 0, 10 },
	  "RESET seq 0, expected 1" },
	{ "reset from the worker", 2, { W, BOX, GW_FRAME_RESET, 1, 10 },
	  "RESET may only come from the monitor" },
	{ "doorbell with seq", 2, { M, SOCK, GW_FRAME_DOORBELL, 3, 0 },
	  "DOORBELL seq 3, expected 0" },
	{ "doorbell with payload", 2, { M, SOCK, GW_FRAME_DOORBELL, 0, 1 },
	  "DOORBELL carries 1 payload bytes, must carry none" },
	{ "doorbell in a mailbox", 2, { M, BOX, GW_FRAME_DOORBELL, 0, 0 },
	  "DOORBELL may not travel in a mailbox" },
	{ "close with payload", 2, { M, BOX, GW_FRAME_CLOSE, 1, 4 },
	  "CLOSE carries 4 payload bytes" },
	{ "second reset while pending", 4, { M, BOX, GW_FRAME_RESET, 2, 10 },
	  "RESET while RESET is pending" },
	{ "close while pending", 4, { M, BOX, GW_FRAME_CLOSE, 2, 0 },
	  "CLOSE while RESET is pending" },
	{ "result with the wrong seq", 5, { W, BOX, GW_FRAME_RESULT, 2, 8 },
	  "RESULT seq 2 does not answer request 1" },
	{ "result from the monitor", 5, { M, BOX, GW_FRAME_RESULT, 1, 8 },
	  "RESULT may only come from the worker" },
	{ "result on the socket", 5, { W, SOCK, GW_FRAME_RESULT, 1, 8 },
	  "RESULT may not travel in the socket" },
	{ "fail with an old seq", 5, { W, BOX, GW_FRAME_FAIL, 0, 8 },
	  "FAIL seq 0 does not answer request 1" },
	{ "second result", 6, { W, BOX, GW_FRAME_RESULT, 1, 8 },
	  "RESULT while no request is pending" },
	{ "step while step pending", 7, { M, BOX, GW_FRAME_STEP, 3, 8 },
	  "STEP while STEP is pending" },
	{ "step after a failed step", 10, { M, BOX, GW_FRAME_STEP, 4, 8 },
	  "STEP before a reset result" },
	{ "spec while close pending", 15, { W, SOCK, GW_FRAME_SPEC, 6, 4 },
	  "SPEC while CLOSE is pending" },
	{ "reset after close", 16, { M, BOX, GW_FRAME_RESET, 7, 10 },
	  "RESET after the conversation ended" },
	{ "result after close", 16, { W, BOX, GW_FRAME_RESULT, 6, 0 },
	  "RESULT after the conversation ended" },
	{ "unknown type", 6, { M, BOX, 12, 3, 0 }, "unknown frame type 12" },
};
/* clang-format on */

static void turn_refuses_out_of_turn_frames(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(turn_cases); i++) {
		const struct turn_case *t = &turn_cases[i];
		struct gw_frame_header h = { t->bad.type, t->bad.seq,
					     t->bad.len };
		struct gw_wire_conv c, before;
		struct gw_error err;
		int r;

		play(&c, lifecycle, t->prefix);
		before = c;
		gw_error_clear(&err);
		r = gw_wire_turn(&c, t->bad.from, t->bad.ch, &h, &err);
		if (r != -EPROTO || !strstr(err.msg, t->msg))
			fail_msg("%s: got %d '%s', want '%s'", t->name, r,
				 err.msg, t->msg);
		if (c.state != before.state || c.last_seq != before.last_seq)
			fail_msg("%s: a refused frame changed the state",
				 t->name);
	}
}

static void turn_rejects_bad_arguments(void **state)
{
	struct gw_frame_header h = { GW_FRAME_HELLO, 0, 0 };
	struct gw_wire_conv c;

	(void)state;
	gw_wire_conv_init(&c);
	assert_int_equal(gw_wire_turn(&c, 3, SOCK, &h, NULL), -EINVAL);
	assert_int_equal(gw_wire_turn(&c, M, 0, &h, NULL), -EINVAL);
	c.state = GW_WIRE_STATE_COUNT;
	assert_int_equal(gw_wire_turn(&c, M, SOCK, &h, NULL), -EINVAL);
}

/* ------------------------------------------------------------------ */
/* the control socket                                                  */
/* ------------------------------------------------------------------ */

static int open_fd_count(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n - 1; /* the DIR's own fd */
}

static void make_pair(int sv[2])
{
	assert_int_equal(
		socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
}

static void close_pair(int sv[2])
{
	close(sv[0]);
	close(sv[1]);
}

/* Send a raw datagram with n descriptors (copies of fd) attached. */
static void send_raw_fds(int sock, const void *data, size_t len, int fd,
			 size_t n)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(16 * sizeof(int))];
	} ctl;
	struct iovec iov = { .iov_base = (void *)data, .iov_len = len };
	struct msghdr msg = { 0 };
	struct cmsghdr *cm;
	int fds[16];

	assert_true(n <= 16);
	for (size_t i = 0; i < n; i++)
		fds[i] = fd;
	memset(&ctl, 0, sizeof(ctl));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	if (n) {
		msg.msg_control = ctl.buf;
		msg.msg_controllen = CMSG_SPACE(n * sizeof(int));
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(n * sizeof(int));
		memcpy(CMSG_DATA(cm), fds, n * sizeof(int));
	}
	assert_int_equal(sendmsg(sock, &msg, 0), (ssize_t)len);
}

static void socket_frame_round_trips(void **state)
{
	const struct gw_frame_header out = { GW_FRAME_SPEC, 0, 5 };
	unsigned char buf[64];
	struct gw_frame_header in;
	int sv[2], fd = 7;

	(void)state;
	make_pair(sv);
	assert_int_equal(gw_frame_send(sv[0], &out, "hello"), 0);
	assert_int_equal(
		gw_frame_recv(sv[1], buf, sizeof(buf), 0, &in, &fd, NULL), 0);
	assert_int_equal(fd, -1);
	assert_int_equal(in.type, GW_FRAME_SPEC);
	assert_int_equal(in.len, 5);
	assert_memory_equal(buf + GW_FRAME_HEADER_BYTES, "hello", 5);

	assert_int_equal(gw_frame_send_doorbell(sv[1]), 0);
	assert_int_equal(
		gw_frame_recv(sv[0], buf, sizeof(buf), 0, &in, NULL, NULL), 0);
	assert_int_equal(in.type, GW_FRAME_DOORBELL);
	assert_int_equal(in.len, 0);
	assert_int_equal(gw_frame_recv(sv[0], buf, sizeof(buf),
				       GW_FRAME_RECV_NONBLOCK, &in, NULL, NULL),
			 -EAGAIN);
	close_pair(sv);
}

static void socket_hello_carries_exactly_one_fd(void **state)
{
	const struct gw_frame_header out = { GW_FRAME_HELLO, 0, 3 };
	unsigned char buf[64];
	struct gw_frame_header in;
	int sv[2], pipefd[2], fd = -1;

	(void)state;
	make_pair(sv);
	assert_int_equal(pipe(pipefd), 0);
	assert_int_equal(gw_frame_send_fd(sv[0], &out, "abc", pipefd[1]), 0);
	assert_int_equal(
		gw_frame_recv(sv[1], buf, sizeof(buf), 0, &in, &fd, NULL), 0);
	assert_true(fd >= 0);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	assert_int_equal(write(fd, "x", 1), 1);
	assert_int_equal(read(pipefd[0], buf, 1), 1);
	assert_int_equal(buf[0], 'x');
	close(fd);
	close(pipefd[0]);
	close(pipefd[1]);
	assert_int_equal(gw_frame_send_fd(sv[0], &out, "abc", -1), -EBADF);
	close_pair(sv);
}

static void socket_recv_closes_unexpected_fds(void **state)
{
	static const size_t counts[] = { 1, 2, 4 };
	unsigned char frame[GW_FRAME_HEADER_BYTES], buf[64];
	struct gw_frame_header h = { GW_FRAME_SPEC, 0, 0 };
	struct gw_error err;
	int sv[2], before, fd;

	(void)state;
	gw_frame_header_encode(&h, frame);
	make_pair(sv);
	before = open_fd_count();
	for (size_t i = 0; i < ARRAY_LEN(counts); i++) {
		send_raw_fds(sv[0], frame, sizeof(frame), sv[0], counts[i]);
		gw_error_clear(&err);
		assert_int_equal(gw_frame_recv(sv[1], buf, sizeof(buf), 0, &h,
					       NULL, &err),
				 -EPROTO);
		assert_non_null(strstr(err.msg, "unexpected file descriptor"));
		assert_int_equal(open_fd_count(), before);
	}

	/* One is welcome when asked for; two are not. */
	send_raw_fds(sv[0], frame, sizeof(frame), sv[0], 2);
	assert_int_equal(
		gw_frame_recv(sv[1], buf, sizeof(buf), 0, &h, &fd, NULL),
		-EPROTO);
	assert_int_equal(fd, -1);
	assert_int_equal(open_fd_count(), before);
	close_pair(sv);
}

static void socket_recv_reports_control_truncation(void **state)
{
	unsigned char frame[GW_FRAME_HEADER_BYTES], buf[64];
	struct gw_frame_header h = { GW_FRAME_HELLO, 0, 0 };
	struct gw_error err;
	int sv[2], before, fd;

	(void)state;
	gw_frame_header_encode(&h, frame);
	make_pair(sv);
	before = open_fd_count();
	send_raw_fds(sv[0], frame, sizeof(frame), sv[0], 16);
	gw_error_clear(&err);
	assert_int_equal(
		gw_frame_recv(sv[1], buf, sizeof(buf), 0, &h, &fd, &err),
		-EMSGSIZE);
	assert_non_null(strstr(err.msg, "control data was truncated"));
	assert_int_equal(fd, -1);
	assert_int_equal(open_fd_count(), before);
	close_pair(sv);
}

static void socket_recv_reports_datagram_truncation(void **state)
{
	const struct gw_frame_header out = { GW_FRAME_SPEC, 0, 100 };
	unsigned char payload[100] = { 0 }, buf[64];
	struct gw_frame_header in;
	struct gw_error err;
	int sv[2], pipefd[2], before, fd;

	(void)state;
	make_pair(sv);
	assert_int_equal(gw_frame_send(sv[0], &out, payload), 0);
	gw_error_clear(&err);
	assert_int_equal(
		gw_frame_recv(sv[1], buf, sizeof(buf), 0, &in, NULL, &err),
		-EMSGSIZE);
	assert_non_null(strstr(err.msg, "larger than the 64-byte buffer"));

	/* A truncated datagram's descriptor is not leaked either. */
	assert_int_equal(pipe(pipefd), 0);
	before = open_fd_count();
	assert_int_equal(gw_frame_send_fd(sv[0], &out, payload, pipefd[0]), 0);
	assert_int_equal(
		gw_frame_recv(sv[1], buf, sizeof(buf), 0, &in, &fd, NULL),
		-EMSGSIZE);
	assert_int_equal(fd, -1);
	assert_int_equal(open_fd_count(), before);
	close(pipefd[0]);
	close(pipefd[1]);
	close_pair(sv);
}

static void socket_recv_rejects_bad_datagrams(void **state)
{
	static const unsigned char short_frame[] = { 0x47, 0x57, 1, 2 };
	static const unsigned char long_len[] = { 0x47, 0x57, 1, 2, 0, 0,
						  0,	0,    9, 0, 0, 0 };
	static const unsigned char bad_magic[] = { 1, 2, 1, 2, 0, 0,
						   0, 0, 0, 0, 0, 0 };
	unsigned char buf[64];
	struct gw_frame_header h;
	int sv[2];

	(void)state;
	make_pair(sv);
	send_raw_fds(sv[0], short_frame, sizeof(short_frame), -1, 0);
	assert_int_equal(
		gw_frame_recv(sv[1], buf, sizeof(buf), 0, &h, NULL, NULL),
		-EPROTO);
	send_raw_fds(sv[0], long_len, sizeof(long_len), -1, 0);
	assert_int_equal(
		gw_frame_recv(sv[1], buf, sizeof(buf), 0, &h, NULL, NULL),
		-EPROTO);
	send_raw_fds(sv[0], bad_magic, sizeof(bad_magic), -1, 0);
	assert_int_equal(
		gw_frame_recv(sv[1], buf, sizeof(buf), 0, &h, NULL, NULL),
		-EPROTO);
	assert_int_equal(gw_frame_recv(sv[1], buf, 8, 0, &h, NULL, NULL),
			 -EINVAL);
	close_pair(sv);
}

static void socket_send_refuses_oversized_frame(void **state)
{
	const struct gw_frame_header h = { GW_FRAME_SPEC, 0,
					   GW_FRAME_MAX_SOCKET_BYTES -
						   GW_FRAME_HEADER_BYTES + 1 };
	int sv[2];

	(void)state;
	make_pair(sv);
	assert_int_equal(gw_frame_send(sv[0], &h, NULL), -EMSGSIZE);
	close_pair(sv);
}

static void socket_reports_hangup_as_epipe(void **state)
{
	const struct gw_frame_header h = { GW_FRAME_SPEC, 0, 0 };
	unsigned char buf[64];
	struct gw_frame_header in;
	int sv[2];

	(void)state;
	make_pair(sv);
	close(sv[0]);
	assert_int_equal(
		gw_frame_recv(sv[1], buf, sizeof(buf), 0, &in, NULL, NULL),
		-EPIPE);
	/* No SIGPIPE: the test would die here if one were raised. */
	assert_int_equal(gw_frame_send(sv[1], &h, NULL), -EPIPE);
	assert_int_equal(gw_frame_send_doorbell(sv[1]), -EPIPE);
	close(sv[1]);
}

static void doorbell_on_a_full_socket_is_not_an_error(void **state)
{
	unsigned char buf[64];
	struct gw_frame_header in;
	int sv[2], n = 0;

	(void)state;
	make_pair(sv);
	/* Fill the peer's queue with doorbells it never reads. */
	while (n < 100000 &&
	       send(sv[0], "x", 1, MSG_DONTWAIT | MSG_NOSIGNAL) == 1)
		n++;
	assert_true(n < 100000);
	assert_int_equal(gw_frame_send_doorbell(sv[0]), 0);
	assert_int_equal(
		gw_frame_recv(sv[1], buf, sizeof(buf), 0, &in, NULL, NULL),
		-EPROTO);
	close_pair(sv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(header_round_trips_for_every_type),
		cmocka_unit_test(header_is_little_endian_with_gw_magic),
		cmocka_unit_test(header_decode_table),
		cmocka_unit_test(
			parse_rejects_length_that_disagrees_with_datagram),
		cmocka_unit_test(fail_payload_splits_phase_and_text),
		cmocka_unit_test(turn_allows_a_whole_lifecycle),
		cmocka_unit_test(turn_wraps_seq_modulo_2_32),
		cmocka_unit_test(turn_refuses_out_of_turn_frames),
		cmocka_unit_test(turn_rejects_bad_arguments),
		cmocka_unit_test(socket_frame_round_trips),
		cmocka_unit_test(socket_hello_carries_exactly_one_fd),
		cmocka_unit_test(socket_recv_closes_unexpected_fds),
		cmocka_unit_test(socket_recv_reports_control_truncation),
		cmocka_unit_test(socket_recv_reports_datagram_truncation),
		cmocka_unit_test(socket_recv_rejects_bad_datagrams),
		cmocka_unit_test(socket_send_refuses_oversized_frame),
		cmocka_unit_test(socket_reports_hangup_as_epipe),
		cmocka_unit_test(doorbell_on_a_full_socket_is_not_an_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
