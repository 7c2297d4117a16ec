/*
 * Reading an audit log back: plaintext lines or secretstream frames,
 * each record checked on its own and then against the chain (seq, prev,
 * the open record first, the close record last, nothing after it). The
 * first broken record stops the reader for good.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/audit_priv.h"
#include "core/error.h"
#include "core/limits.h"

#define SS_ABYTES   crypto_secretstream_xchacha20poly1305_ABYTES
#define SS_HEADER   crypto_secretstream_xchacha20poly1305_HEADERBYTES
#define INPUT_BYTES (64u * 1024)

struct gw_audit_reader {
	int fd;
	unsigned flags;
	bool encrypted;
	crypto_secretstream_xchacha20poly1305_state ss;
	uint8_t in[INPUT_BYTES];
	size_t in_pos, in_len;
	bool eof;
	uint64_t offset; /* of the next byte not yet consumed */
	uint64_t line;	 /* records read so far */
	int64_t next_seq;
	char prev[GW_AUDIT_HEX_BYTES + 1];
	bool closed;
	bool broken;
	struct gw_audit_break brk;
	struct gw_audit_summary sum;
	json_t *pending;    /* the open record, returned by the first next */
	struct gw_buf text; /* a plaintext line */
	uint8_t *frame;	    /* an encrypted frame, and its plaintext */
	uint8_t *plain;
	size_t frame_cap;
	const char *rec; /* the record just read: text or plain */
	size_t rec_len;
};

const char *gw_audit_fault_name(enum gw_audit_fault f)
{
	static const char *const names[] = {
		[GW_AUDIT_OK] = "ok",
		[GW_AUDIT_BAD_HEADER] = "bad_header",
		[GW_AUDIT_BAD_JSON] = "bad_json",
		[GW_AUDIT_BAD_FIELD] = "bad_field",
		[GW_AUDIT_HASH_MISMATCH] = "hash_mismatch",
		[GW_AUDIT_PREV_MISMATCH] = "prev_mismatch",
		[GW_AUDIT_SEQ_GAP] = "seq_gap",
		[GW_AUDIT_TRUNCATED] = "truncated",
		[GW_AUDIT_NOT_CLOSED] = "not_closed",
		[GW_AUDIT_AFTER_CLOSE] = "after_close",
		[GW_AUDIT_DECRYPT] = "decrypt",
		[GW_AUDIT_TOO_LONG] = "too_long",
	};

	if ((unsigned)f >= sizeof(names) / sizeof(names[0]))
		return "unknown";
	return names[f];
}

/* Stop the reader at the record starting at offset; returns -EBADMSG. */
static int brk_at(struct gw_audit_reader *r, enum gw_audit_fault f,
		  uint64_t offset, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int brk_at(struct gw_audit_reader *r, enum gw_audit_fault f,
		  uint64_t offset, const char *fmt, ...)
{
	va_list ap;

	r->broken = true;
	r->brk.fault = f;
	r->brk.line = r->line + 1;
	r->brk.seq = r->next_seq;
	r->brk.offset = offset;
	va_start(ap, fmt);
	vsnprintf(r->brk.detail, sizeof(r->brk.detail), fmt, ap);
	va_end(ap);
	return -EBADMSG;
}

/* Refill the input; 0, or a negative errno. Sets eof at the end. */
static int fill(struct gw_audit_reader *r, struct gw_error *err)
{
	ssize_t n;

	if (r->in_pos < r->in_len || r->eof)
		return 0;
	do
		n = read(r->fd, r->in, sizeof(r->in));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return gw_error_set(err, -errno, "read: %s", strerror(errno));
	r->in_pos = 0;
	r->in_len = (size_t)n;
	r->eof = n == 0;
	return 0;
}

/* Up to n bytes into p; *got says how many (fewer only at the end). */
static int read_some(struct gw_audit_reader *r, uint8_t *p, size_t n,
		     size_t *got, struct gw_error *err)
{
	*got = 0;
	while (*got < n) {
		size_t k;
		int e = fill(r, err);

		if (e < 0)
			return e;
		if (r->eof)
			break;
		k = r->in_len - r->in_pos;
		k = k < n - *got ? k : n - *got;
		memcpy(p + *got, r->in + r->in_pos, k);
		r->in_pos += k;
		*got += k;
	}
	r->offset += *got;
	return 0;
}

/*
 * One line into r->text, without its newline: 1, 0 at a clean end,
 * -EBADMSG for a cut or overlong line, another negative errno.
 */
static int next_line(struct gw_audit_reader *r, struct gw_error *err)
{
	uint64_t start = r->offset;

	r->text.len = 0;
	for (;;) {
		uint8_t *nl;
		size_t k;
		int e = fill(r, err);

		if (e < 0)
			return e;
		if (r->eof && r->text.len == 0)
			return 0;
		if (r->eof)
			return brk_at(r, GW_AUDIT_TRUNCATED, start,
				      "last line cut after %zu bytes (no "
				      "newline)",
				      r->text.len);
		nl = memchr(r->in + r->in_pos, '\n', r->in_len - r->in_pos);
		k = nl ? (size_t)(nl - (r->in + r->in_pos))
		       : r->in_len - r->in_pos;
		if (gw_buf_append(&r->text, r->in + r->in_pos, k) < 0)
			return brk_at(r, GW_AUDIT_TOO_LONG, start,
				      "line longer than %u bytes",
				      GW_AUDIT_RECORD_MAX_BYTES);
		r->in_pos += k + (nl != NULL);
		r->offset += k + (nl != NULL);
		if (nl) {
			r->rec = r->text.data;
			r->rec_len = r->text.len;
			return 1;
		}
	}
}

/* One frame decrypted into r->text; *tag gets its tag. Same returns. */
static int next_frame(struct gw_audit_reader *r, uint8_t *tag,
		      struct gw_error *err)
{
	uint64_t start = r->offset;
	uint8_t len_le[GW_AUDIT_FRAME_LEN_BYTES];
	unsigned long long mlen;
	uint32_t clen = 0;
	size_t got;
	int e;

	e = read_some(r, len_le, sizeof(len_le), &got, err);
	if (e < 0 || got == 0)
		return e;
	if (got < sizeof(len_le))
		return brk_at(r, GW_AUDIT_TRUNCATED, start,
			      "frame length cut after %zu bytes", got);
	for (unsigned i = 0; i < GW_AUDIT_FRAME_LEN_BYTES; i++)
		clen |= (uint32_t)len_le[i] << (8 * i);
	if (clen > GW_AUDIT_FRAME_MAX_BYTES)
		return brk_at(r, GW_AUDIT_TOO_LONG, start,
			      "frame of %u bytes is over the cap", clen);
	if (clen < SS_ABYTES)
		return brk_at(r, GW_AUDIT_DECRYPT, start,
			      "frame of %u bytes is too short", clen);
	if (clen > r->frame_cap) {
		uint8_t *f = realloc(r->frame, clen),
			*p = realloc(r->plain, clen);

		if (f)
			r->frame = f;
		if (p)
			r->plain = p;
		if (!f || !p)
			return gw_error_set(err, -ENOMEM, "out of memory");
		r->frame_cap = clen;
	}
	e = read_some(r, r->frame, clen, &got, err);
	if (e < 0)
		return e;
	if (got < clen)
		return brk_at(r, GW_AUDIT_TRUNCATED, start,
			      "frame cut: %zu of %u bytes", got, clen);
	if (crypto_secretstream_xchacha20poly1305_pull(
		    &r->ss, r->plain, &mlen, tag, r->frame, clen, NULL, 0) != 0)
		return brk_at(r, GW_AUDIT_DECRYPT, start,
			      "frame does not authenticate: wrong key, "
			      "changed bytes, or records out of order");
	r->rec = (const char *)r->plain;
	r->rec_len = (size_t)mlen;
	return 1;
}

/* The checks that only the open record (seq 0) gets. */
static int check_open(struct gw_audit_reader *r, const json_t *rec,
		      uint64_t start, char expect_prev[GW_AUDIT_HEX_BYTES + 1])
{
	const char *id = json_string_value(json_object_get(rec, "log_id"));
	const char *fmt = json_string_value(json_object_get(rec, "format"));
	const char *purpose =
		json_string_value(json_object_get(rec, "purpose"));
	json_t *enc = json_object_get(rec, "encrypted");
	uint8_t raw[GW_AUDIT_LOG_ID_BYTES];

	if (!fmt || strcmp(fmt, GW_AUDIT_FORMAT) != 0 ||
	    json_integer_value(json_object_get(rec, "format_version")) !=
		    GW_AUDIT_FORMAT_VERSION)
		return brk_at(r, GW_AUDIT_BAD_HEADER, start,
			      "not a gymwarden audit log of format version "
			      "%d",
			      GW_AUDIT_FORMAT_VERSION);
	if (!id || gw_audit_unhex(raw, sizeof(raw), id, strlen(id)) < 0 ||
	    !purpose ||
	    (strcmp(purpose, "audit") != 0 &&
	     strcmp(purpose, "recording") != 0) ||
	    !json_is_boolean(enc))
		return brk_at(r, GW_AUDIT_BAD_HEADER, start,
			      "open record without a valid log_id, purpose "
			      "or encrypted member");
	if (json_is_true(enc) != r->encrypted)
		return brk_at(r, GW_AUDIT_BAD_HEADER, start,
			      "open record says encrypted=%s but the file "
			      "is %s",
			      json_is_true(enc) ? "true" : "false",
			      r->encrypted ? "encrypted" : "plaintext");
	gw_audit_genesis(expect_prev, raw);
	snprintf(r->sum.log_id, sizeof(r->sum.log_id), "%s", id);
	snprintf(r->sum.purpose, sizeof(r->sum.purpose), "%s", purpose);
	return 0;
}

/* The record's place in the chain, after its own checks passed. */
static int check_chain(struct gw_audit_reader *r, struct gw_audit_line *ln,
		       uint64_t start, uint8_t tag)
{
	bool is_open = strcmp(ln->kind, "open") == 0;
	bool is_close = strcmp(ln->kind, "close") == 0;
	bool final = tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL;
	char expect[GW_AUDIT_HEX_BYTES + 1];
	int e;

	if (ln->seq != r->next_seq)
		return brk_at(r, GW_AUDIT_SEQ_GAP, start,
			      "seq %lld where %lld was due", (long long)ln->seq,
			      (long long)r->next_seq);
	if (is_open != (r->line == 0))
		return brk_at(r, GW_AUDIT_BAD_HEADER, start,
			      is_open ? "a second open record"
				      : "the log does not start with an "
					"open record");
	memcpy(expect, r->prev, sizeof(expect));
	if (is_open && (e = check_open(r, ln->rec, start, expect)) < 0)
		return e;
	if (memcmp(ln->prev, expect, GW_AUDIT_HEX_BYTES) != 0)
		return brk_at(r, GW_AUDIT_PREV_MISMATCH, start,
			      "prev %.16s... is not the previous record's "
			      "hash %.16s...",
			      ln->prev, expect);
	if (r->encrypted && final != is_close)
		return brk_at(r, GW_AUDIT_DECRYPT, start,
			      is_close ? "close record not sealed as final"
				       : "final tag on a record that is not "
					 "the close record");
	if (is_close && json_integer_value(json_object_get(
				ln->rec, "records")) != ln->seq + 1)
		return brk_at(r, GW_AUDIT_BAD_FIELD, start,
			      "close record counts the wrong number of "
			      "records");
	r->closed = is_close;
	return 0;
}

/* Where the log ends: after close nothing, before it only if allowed. */
static int at_end(struct gw_audit_reader *r, struct gw_error *err)
{
	uint8_t b;
	size_t got;
	int e;

	if (!r->closed) {
		if (r->flags & GW_AUDIT_ALLOW_OPEN)
			return 0;
		return brk_at(r, GW_AUDIT_NOT_CLOSED, r->offset,
			      "the log ends after %llu records without a "
			      "close record: truncated, or still being "
			      "written",
			      (unsigned long long)r->line);
	}
	e = read_some(r, &b, 1, &got, err);
	if (e < 0)
		return e;
	if (got)
		return brk_at(r, GW_AUDIT_AFTER_CLOSE, r->offset - 1,
			      "bytes after the close record");
	return 0;
}

/* Read and check one record: 1 with *rec, 0 at the end, or < 0. */
static int read_record(struct gw_audit_reader *r, json_t **rec,
		       struct gw_error *err)
{
	struct gw_audit_line ln;
	uint64_t start = r->offset;
	enum gw_audit_fault f;
	char why[sizeof(r->brk.detail)];
	uint8_t tag = 0;
	int e;

	if (r->closed)
		return at_end(r, err);
	e = r->encrypted ? next_frame(r, &tag, err) : next_line(r, err);
	if (e == 0)
		return at_end(r, err);
	if (e < 0)
		return e;
	/* Not into r->brk.detail: brk_at formats into it. */
	f = gw_audit_check_line(r->rec, r->rec_len, &ln, why, sizeof(why));
	if (f != GW_AUDIT_OK)
		return brk_at(r, f, start, "%s", why);
	e = check_chain(r, &ln, start, tag);
	if (e < 0) {
		json_decref(ln.rec);
		return e;
	}
	r->line++;
	r->next_seq++;
	memcpy(r->prev, ln.hash, sizeof(r->prev));
	*rec = ln.rec;
	return 1;
}

static int open_file(struct gw_audit_reader *r, const char *path,
		     struct gw_error *err)
{
	struct stat st;

	r->fd = open(path, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
	if (r->fd < 0)
		return gw_error_set(err, -errno, "open: %s", strerror(errno));
	if (fstat(r->fd, &st) < 0)
		return gw_error_set(err, -errno, "stat: %s", strerror(errno));
	if (!S_ISREG(st.st_mode))
		return gw_error_set(err, -EINVAL, "not a regular file");
	return 0;
}

/* Tell the two forms apart and start the stream of an encrypted one. */
static int read_header(struct gw_audit_reader *r,
		       const struct gw_audit_key *key, struct gw_error *err)
{
	uint8_t head[GW_AUDIT_MAGIC_BYTES + SS_HEADER];
	int e = fill(r, err);
	size_t got;

	if (e < 0)
		return e;
	if (r->eof)
		return brk_at(r, GW_AUDIT_TRUNCATED, 0, "empty file");
	if (r->in[0] == '{') {
		if (key)
			return brk_at(r, GW_AUDIT_BAD_HEADER, 0,
				      "a key was given but the log is not "
				      "encrypted");
		return 0;
	}
	e = read_some(r, head, sizeof(head), &got, err);
	if (e < 0)
		return e;
	if (got < GW_AUDIT_MAGIC_BYTES ||
	    memcmp(head, GW_AUDIT_MAGIC, GW_AUDIT_MAGIC_BYTES) != 0)
		return brk_at(r, GW_AUDIT_BAD_HEADER, 0,
			      "neither a JSON-lines log nor an encrypted one");
	if (got < sizeof(head))
		return brk_at(r, GW_AUDIT_TRUNCATED, 0,
			      "stream header cut after %zu bytes", got);
	if (!key)
		return gw_error_set(err, -ENOKEY,
				    "the log is encrypted: give its key");
	r->encrypted = true;
	if (crypto_secretstream_xchacha20poly1305_init_pull(
		    &r->ss, head + GW_AUDIT_MAGIC_BYTES, key->bytes) != 0)
		return brk_at(r, GW_AUDIT_BAD_HEADER, 0,
			      "invalid stream header");
	return 0;
}

static void copy_break(const struct gw_audit_reader *r,
		       struct gw_audit_break *brk, struct gw_error *err)
{
	char where[32];

	if (brk)
		*brk = r->brk;
	snprintf(where, sizeof(where), "record %llu",
		 (unsigned long long)r->brk.line);
	gw_error_set(err, -EBADMSG, "%s (seq %lld): %s: %s", where,
		     (long long)r->brk.seq, gw_audit_fault_name(r->brk.fault),
		     r->brk.detail);
}

int gw_audit_reader_open(const char *path, const struct gw_audit_key *key,
			 unsigned flags, struct gw_audit_reader **out,
			 struct gw_audit_break *brk, struct gw_error *err)
{
	struct gw_audit_reader *r;
	int e;

	*out = NULL;
	if (sodium_init() < 0)
		return gw_error_set(err, -EIO, "libsodium failed to start");
	r = calloc(1, sizeof(*r));
	if (!r)
		return gw_error_set(err, -ENOMEM, "out of memory");
	r->fd = -1;
	r->flags = flags;
	gw_buf_init(&r->text, GW_AUDIT_RECORD_MAX_BYTES);
	e = open_file(r, path, err);
	if (e == 0)
		e = read_header(r, key, err);
	if (e == 0)
		e = read_record(r, &r->pending, err);
	if (e == 0)
		e = brk_at(r, GW_AUDIT_TRUNCATED, 0, "no open record");
	if (e == -EBADMSG)
		copy_break(r, brk, err);
	if (e < 0) {
		gw_error_where(err, path, NULL);
		gw_audit_reader_free(r);
		return e;
	}
	*out = r;
	return 0;
}

int gw_audit_reader_next(struct gw_audit_reader *r, json_t **rec,
			 struct gw_audit_break *brk, struct gw_error *err)
{
	int e;

	*rec = NULL;
	if (r->pending) {
		*rec = r->pending;
		r->pending = NULL;
		return 1;
	}
	if (r->broken) {
		copy_break(r, brk, err);
		return -EBADMSG;
	}
	e = read_record(r, rec, err);
	if (e == -EBADMSG)
		copy_break(r, brk, err);
	return e;
}

void gw_audit_reader_summary(const struct gw_audit_reader *r,
			     struct gw_audit_summary *out)
{
	*out = r->sum;
	out->records = r->line;
	out->encrypted = r->encrypted;
	out->closed = r->closed;
	snprintf(out->head, sizeof(out->head), "%s", r->prev);
}

void gw_audit_reader_free(struct gw_audit_reader *r)
{
	if (!r)
		return;
	if (r->fd >= 0)
		close(r->fd);
	json_decref(r->pending);
	gw_buf_free(&r->text);
	free(r->frame);
	if (r->plain)
		sodium_memzero(r->plain, r->frame_cap);
	free(r->plain);
	sodium_memzero(&r->ss, sizeof(r->ss));
	free(r);
}

int gw_audit_verify(const char *path, const struct gw_audit_key *key,
		    unsigned flags, gw_audit_record_fn on_record, void *arg,
		    struct gw_audit_summary *sum, struct gw_audit_break *brk,
		    struct gw_error *err)
{
	struct gw_audit_reader *r;
	json_t *rec;
	uint64_t n = 0;
	int e;

	e = gw_audit_reader_open(path, key, flags, &r, brk, err);
	if (e < 0)
		return e;
	while ((e = gw_audit_reader_next(r, &rec, brk, err)) == 1) {
		if (on_record)
			on_record(arg, ++n, rec);
		json_decref(rec);
	}
	if (e < 0)
		gw_error_where(err, path, NULL);
	if (sum)
		gw_audit_reader_summary(r, sum);
	gw_audit_reader_free(r);
	return e;
}
