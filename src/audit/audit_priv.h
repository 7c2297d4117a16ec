/*
 * Inside the audit container: the line format shared by the writer and
 * the reader, and the file rules. Tests may include this header.
 */
#ifndef GW_AUDIT_AUDIT_PRIV_H
#define GW_AUDIT_AUDIT_PRIV_H

#include <jansson.h>
#include <pthread.h>
#include <sodium.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "audit/audit.h"
#include "core/buf.h"

/* The first bytes of an encrypted log. */
#define GW_AUDIT_MAGIC	     "GWAUDS01"
#define GW_AUDIT_MAGIC_BYTES 8u
/* What a record's "format" member says, and its version. */
#define GW_AUDIT_FORMAT		"gymwarden-audit"
#define GW_AUDIT_FORMAT_VERSION 1
/* Bytes of a chain hash, of its hex form, and of a log id. */
#define GW_AUDIT_HASH_BYTES   32u
#define GW_AUDIT_HEX_BYTES    64u
#define GW_AUDIT_LOG_ID_BYTES 16u
/* Bytes of the length in front of each encrypted frame. */
#define GW_AUDIT_FRAME_LEN_BYTES 4u
/* ',"hash":"' + 64 hex + '"}': the fixed end of every line. */
#define GW_AUDIT_HASH_TAIL_BYTES 75u
/* A frame's ciphertext is never longer than this. */
#define GW_AUDIT_FRAME_MAX_BYTES                                               \
	(GW_AUDIT_RECORD_MAX_BYTES +                                           \
	 crypto_secretstream_xchacha20poly1305_ABYTES)

struct gw_audit {
	pthread_mutex_t mu;
	int fd;
	bool encrypted;
	crypto_secretstream_xchacha20poly1305_state ss;
	uint64_t seq; /* of the next record */
	char prev[GW_AUDIT_HEX_BYTES + 1];
	uint32_t fsync_every;
	uint32_t unsynced;
	int failed; /* the error that ended the handle, or 0 */
	char path[256];
};

/* Lower-case hex of n bytes into out (2n + 1 bytes). */
void gw_audit_hex(char *out, const uint8_t *p, size_t n);

/* Parse exactly 2n lower- or upper-case hex digits; 0 or -EINVAL. */
int gw_audit_unhex(uint8_t *out, size_t n, const char *hex, size_t len);

/* The "prev" of record 0 for a log id, as hex. */
void gw_audit_genesis(char out[GW_AUDIT_HEX_BYTES + 1],
		      const uint8_t id[GW_AUDIT_LOG_ID_BYTES]);

/* Now as RFC 3339 UTC with microseconds: 28 bytes with the NUL. */
void gw_audit_now(char out[32]);

/* Whether kind is 1..64 bytes of [a-z0-9_.-]. */
bool gw_audit_kind_ok(const char *kind);

/*
 * Serialise a record (seq, time, prev, kind, then payload's members)
 * into out as one complete line with its hash and final newline; the
 * record's hash goes to hash_hex. 0, -EINVAL for a reserved member,
 * -E2BIG past GW_AUDIT_RECORD_MAX_BYTES, -ENOMEM.
 */
int gw_audit_build_line(struct gw_buf *out, uint64_t seq, const char *prev,
			const char *kind, const json_t *payload,
			char hash_hex[GW_AUDIT_HEX_BYTES + 1],
			struct gw_error *err);

/* What a checked line gave. */
struct gw_audit_line {
	json_t *rec; /* the parsed record, owned */
	int64_t seq;
	const char *kind; /* inside rec */
	char hash[GW_AUDIT_HEX_BYTES + 1];
	char prev[GW_AUDIT_HEX_BYTES + 1];
};

/*
 * Check one line (without its newline) on its own: strict JSON, the
 * fixed members and their types, the hash over its bytes. Returns
 * GW_AUDIT_OK with out filled, or the fault with detail (cap bytes).
 */
enum gw_audit_fault gw_audit_check_line(const char *line, size_t len,
					struct gw_audit_line *out, char *detail,
					size_t cap);

/*
 * Open path's folder (creating it 0700 when missing) after checking
 * that it is ours and private; returns a directory fd, or a negative
 * errno with err saying why. *base points at path's last component.
 */
int gw_audit_private_dir(const char *path, const char **base,
			 struct gw_error *err);

#endif /* GW_AUDIT_AUDIT_PRIV_H */
