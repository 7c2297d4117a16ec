/*
 * The audit log: an append-only file of JSON lines, each record chained
 * to the one before by a BLAKE2b-256 hash, optionally encrypted as one
 * libsodium secretstream. Recordings (src/audit/record.h) use the same
 * container. docs/audit.md is the contract for every byte; in short:
 *
 *   {"seq":N,"time":"2026-12-03T15:01:08.123456Z","prev":"<64 hex>",
 *    "kind":"...", ...payload members...,"hash":"<64 hex>"}
 *
 * "hash" is the last member; it is BLAKE2b-256 of the line's bytes with
 * the ',"hash":"..."' member cut out (so the hashed text ends in "}").
 * "prev" is the previous record's hash; record 0 (kind "open") carries a
 * random log id and its "prev" is the genesis hash derived from that id.
 * The last record of a closed log has kind "close".
 *
 * Encrypted logs start with the 8-byte magic "GWAUDS01" and a
 * secretstream header, then one message per record (a 4-byte
 * little-endian length, then the ciphertext); the "close" record is
 * sealed with TAG_FINAL. The plaintext of each message is the same
 * chained line, so one verifier covers both forms.
 *
 * Threads: one handle may be appended to from several threads (a mutex
 * orders the records). The key lives in the monitor's process only; it
 * is never passed to a worker.
 */
#ifndef GW_AUDIT_AUDIT_H
#define GW_AUDIT_AUDIT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gymwarden.h"

/* Bytes of a key: crypto_secretstream_xchacha20poly1305_KEYBYTES. */
#define GW_AUDIT_KEY_BYTES 32u

/* A key, read from a key file or supplied by the caller. */
struct gw_audit_key {
	uint8_t bytes[GW_AUDIT_KEY_BYTES];
};

/*
 * Read a key file: exactly 32 raw bytes, or 64 hex digits with an
 * optional final newline. The file must be a regular file owned by us
 * with no group or world permission bits; anything else is refused
 * (-EPERM) with a message naming the mode and a hint. 0 or a negative
 * errno; err names the file.
 */
int gw_audit_key_load(const char *path, struct gw_audit_key *out,
		      struct gw_error *err);

/*
 * Make a new random key file at path: 64 hex digits and a newline, 0600,
 * never over an existing file, in a folder that passes the rules of
 * gw_audit_open. 0 or a negative errno.
 */
int gw_audit_key_generate(const char *path, struct gw_error *err);

/* Wipe a key (sodium_memzero). NULL is fine. */
void gw_audit_key_wipe(struct gw_audit_key *key);

/* Every fsync_every records, and on close, the file is fdatasync'ed. */
#define GW_AUDIT_FSYNC_EVERY_DEFAULT 64u
/* fsync_every value: only on close. */
#define GW_AUDIT_FSYNC_ON_CLOSE UINT32_MAX

/* What gw_audit_open needs; zero-initialised gives a plaintext log. */
struct gw_audit_opts {
	/*
	 * Encrypt with a key from key (if non-NULL; copied, the caller may
	 * wipe it at once) or else from the file key_path. encrypt without
	 * either is -EINVAL. A key given without encrypt is -EINVAL too.
	 */
	bool encrypt;
	const struct gw_audit_key *key;
	const char *key_path;
	/* 0: GW_AUDIT_FSYNC_EVERY_DEFAULT; 1: every record. */
	uint32_t fsync_every;
	/*
	 * "audit" (the default when NULL) or "recording": written into the
	 * open record as "purpose", so a recording is not taken for a log.
	 */
	const char *purpose;
};

struct gw_audit;

/*
 * Create a new log at path and write its open record. The file is
 * created 0600 with O_EXCL | O_NOFOLLOW (an existing file is -EEXIST:
 * logs are never overwritten or appended to). Its folder is created 0700
 * when missing; an existing folder must be owned by us with no group or
 * world permission bits (-EPERM otherwise, the message says which). The
 * handle owns the fd; of the key it keeps only libsodium's stream state
 * (the key itself is wiped once the stream has started). 0 and *out, or
 * a negative errno with *out NULL (and no file left behind).
 */
int gw_audit_open(const char *path, const struct gw_audit_opts *opts,
		  struct gw_audit **out, struct gw_error *err);

/*
 * Append one record of kind (1..64 bytes of [a-z0-9_.-]) whose payload
 * members are those of payload, a JSON object borrowed from the caller
 * (NULL for none). Payload members named seq, time, prev, kind or hash
 * are -EINVAL. Each record is one write() of a complete line (or frame);
 * a short or failed write makes the handle fail every later call with
 * the same error (-EIO), since the chain can no longer be continued.
 * A record over GW_AUDIT_RECORD_MAX_BYTES is -E2BIG and not written.
 */
int gw_audit_append(struct gw_audit *a, const char *kind, json_t *payload,
		    struct gw_error *err);

/*
 * Like gw_audit_append, with the payload as the text of a JSON object
 * (len bytes; parsed strictly and re-serialised, so the stored line is
 * canonical whatever spacing the text had).
 */
int gw_audit_append_text(struct gw_audit *a, const char *kind,
			 const char *json_object, size_t len,
			 struct gw_error *err);

/* Records written so far, the open record included. */
uint64_t gw_audit_count(const struct gw_audit *a);

/*
 * Write the close record ({"records": n}; sealed with TAG_FINAL when
 * encrypted), fdatasync, close the fd, wipe the stream state and free
 * a. Returns 0 or the first error of the handle's life. NULL is fine.
 * Must not race with appends from other threads.
 */
int gw_audit_close(struct gw_audit *a, struct gw_error *err);

/* ---- reading and verifying ---- */

/* What is wrong with the first broken record. */
enum gw_audit_fault {
	GW_AUDIT_OK,
	GW_AUDIT_BAD_HEADER,	/* not a log: magic, open record, purpose */
	GW_AUDIT_BAD_JSON,	/* a line that is not one strict JSON object */
	GW_AUDIT_BAD_FIELD,	/* seq/time/prev/kind/hash missing or wrong */
	GW_AUDIT_HASH_MISMATCH, /* the line's bytes do not give its hash */
	GW_AUDIT_PREV_MISMATCH, /* prev is not the previous record's hash */
	GW_AUDIT_SEQ_GAP,	/* seq is not the previous seq + 1 */
	GW_AUDIT_TRUNCATED,   /* a last line without its newline, a cut frame */
	GW_AUDIT_NOT_CLOSED,  /* no close record at the end */
	GW_AUDIT_AFTER_CLOSE, /* bytes after the close record */
	GW_AUDIT_DECRYPT,     /* a frame that does not authenticate */
	GW_AUDIT_TOO_LONG,    /* a line over GW_AUDIT_RECORD_MAX_BYTES */
};

/* "hash_mismatch"-style name of a fault; static. */
const char *gw_audit_fault_name(enum gw_audit_fault f);

/* Where reading stopped, when it stopped on a broken record. */
struct gw_audit_break {
	enum gw_audit_fault fault;
	uint64_t line;	 /* 1-based record (line or frame) number */
	int64_t seq;	 /* the seq the record should have had */
	uint64_t offset; /* byte offset of the record in the file */
	char detail[256];
};

/* What verify learnt about an intact log. */
struct gw_audit_summary {
	uint64_t records; /* open and close records included */
	bool encrypted;
	bool closed;
	char log_id[33];  /* 32 hex digits */
	char purpose[16]; /* "audit" or "recording" */
	char head[65];	  /* hash of the last record, hex */
};

/* Reader flags. */
#define GW_AUDIT_ALLOW_OPEN 1u /* a log without close record is intact */

struct gw_audit_reader;

/*
 * Open path for reading. key is needed for an encrypted log (-ENOKEY
 * without it); a plaintext log read with a key is refused as broken
 * (GW_AUDIT_BAD_HEADER), since whoever gave the key expects a log that
 * only its holder could have written. The open record is read
 * and checked here: a log that does not start with one is -EBADMSG with
 * brk filled (brk may be NULL). 0 and *out, or a negative errno.
 */
int gw_audit_reader_open(const char *path, const struct gw_audit_key *key,
			 unsigned flags, struct gw_audit_reader **out,
			 struct gw_audit_break *brk, struct gw_error *err);

/*
 * The next record, checked against the chain before it is returned:
 * 1 and *rec (a new reference, the caller decrefs; the open record is
 * the first one returned), 0 at the intact end of the log, or -EBADMSG
 * with brk filled for the first broken record (then every later call
 * returns the same), or another negative errno for an I/O error.
 */
int gw_audit_reader_next(struct gw_audit_reader *r, json_t **rec,
			 struct gw_audit_break *brk, struct gw_error *err);

/* What the reader has seen so far (complete after next returned 0). */
void gw_audit_reader_summary(const struct gw_audit_reader *r,
			     struct gw_audit_summary *out);

/* NULL is fine; wipes the key copy. */
void gw_audit_reader_free(struct gw_audit_reader *r);

/* Called for each intact record by gw_audit_verify; rec is borrowed. */
typedef void (*gw_audit_record_fn)(void *arg, uint64_t line, json_t *rec);

/*
 * Read the whole log, checking every record: 0 when intact (sum filled;
 * may be NULL), -EBADMSG when broken (brk names the first broken
 * record), another negative errno when it cannot be read. on_record
 * (may be NULL) sees every record that checked out, in order.
 */
int gw_audit_verify(const char *path, const struct gw_audit_key *key,
		    unsigned flags, gw_audit_record_fn on_record, void *arg,
		    struct gw_audit_summary *sum, struct gw_audit_break *brk,
		    struct gw_error *err);

#endif /* GW_AUDIT_AUDIT_H */
