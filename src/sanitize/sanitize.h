/*
 * gymwarden sanitize: finds personal data and secrets in text and
 * replaces each finding by what an operator says (docs/sanitize.md).
 *
 * A struct gw_sanitizer is a compiled rule set: the built-in rules
 * (e-mail, phone, card, IBAN, SSN, IPv4/IPv6, MAC, URL credentials,
 * service tokens, JWT, PEM private keys, high-entropy strings) plus the
 * custom rules and allowlist of a struct gw_san_config. Every rule is a
 * row of one table: id, kind, PCRE2 pattern (JIT-compiled with match and
 * depth limits, interpreted where JIT is refused), the trigger bytes or
 * literal keywords that let a cheap single pass skip text that cannot
 * match, a validator (Luhn, mod 97, SSN ranges, inet_pton, JWT header,
 * entropy) and a label.
 *
 * Input is untrusted bytes, not necessarily UTF-8 or NUL-terminated.
 * Findings never overlap. The scan goes left to right; at each place a
 * finding may start, the rules are tried in table order and the first
 * that matches and validates wins; the scan resumes after it. A custom
 * rule's finding that overlaps a built-in one wins when it starts first
 * or is longer.
 *
 * A sanitizer is used by one thread at a time (it keeps PCRE2 match data
 * and counters); make one per thread. Nothing here logs or exits.
 */
#ifndef GW_SANITIZE_SANITIZE_H
#define GW_SANITIZE_SANITIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct gw_error;
struct gw_buf;

/* What a finding is. Names (gw_san_kind_name) are the lower-case ids. */
enum gw_san_kind {
	GW_SAN_EMAIL,		/* "email" */
	GW_SAN_PHONE,		/* "phone": E.164, US, UK, DE, FR forms */
	GW_SAN_CARD,		/* "card": payment card, Luhn + IIN */
	GW_SAN_IBAN,		/* "iban": country length + mod 97 */
	GW_SAN_SSN,		/* "ssn": US social security number */
	GW_SAN_IPV4,		/* "ipv4" */
	GW_SAN_IPV6,		/* "ipv6" */
	GW_SAN_MAC,		/* "mac" */
	GW_SAN_URL_CREDENTIALS, /* "url_credentials": user:pass@ in a URL */
	GW_SAN_TOKEN,		/* "token": cloud, source-hosting, chat, pay */
	GW_SAN_JWT,		/* "jwt" */
	GW_SAN_PEM_PRIVATE_KEY, /* "pem_private_key": the whole block */
	GW_SAN_HIGH_ENTROPY,	/* "high_entropy": random-looking runs */
	GW_SAN_CUSTOM,		/* "custom": a rule from the configuration */
	GW_SAN_KIND_COUNT,
};

#define GW_SAN_KIND_BIT(k) (1u << (k))

/* "email", "phone", ...; "?" out of range. A static string. */
const char *gw_san_kind_name(enum gw_san_kind kind);
/* The kind named name (as gw_san_kind_name prints it); 0 or -EINVAL. */
int gw_san_kind_parse(const char *name, enum gw_san_kind *kind);

/*
 * What to put in place of a finding.
 *
 * KEEP    leave it as it is (it is still counted).
 * LABEL   "<EMAIL>", "<PHONE>", ...; a custom rule's label, or "<ID>"
 *         with its id upper-cased.
 * REDACT  remove it: nothing is written in its place.
 * MASK    replace count characters by mask_char (count 0: all of them),
 *         the first ones, or the last ones when from_end; characters
 *         are UTF-8 sequences, and separators (space - . : @ ( ) + /)
 *         are kept. "4111 1111 1111 1111" with count 12 gives
 *         "**** **** **** 1111".
 * HASH    keyed hash token "tok_" + 16 base32 characters: BLAKE2b of the
 *         finding under a key derived from the key file. The same
 *         finding gives the same token under the same key, and
 *         different ones under different keys. Not reversible.
 * ENCRYPT reversible token "gwt_" + base64url + ".": XChaCha20-Poly1305
 *         of the finding, with a nonce that is a keyed BLAKE2b of it (so the
 *         same finding gives the same token, as HASH does). Undone only
 *         with the key (gw_sanitize_detokenize, `gymwarden detokenize`);
 *         a changed byte fails authentication.
 *
 * HASH and ENCRYPT need a key in the configuration; without one
 * gw_sanitize_string fails with -ENOKEY.
 */
enum gw_san_op_kind {
	GW_SAN_OP_KEEP,
	GW_SAN_OP_LABEL,
	GW_SAN_OP_REDACT,
	GW_SAN_OP_MASK,
	GW_SAN_OP_HASH,
	GW_SAN_OP_ENCRYPT,
	GW_SAN_OP_COUNT,
};

struct gw_san_op {
	enum gw_san_op_kind kind;
	char mask_char;	     /* MASK only; 0 means '*' */
	unsigned mask_count; /* MASK only; 0 means every character */
	bool mask_from_end;  /* MASK only */
};

/*
 * Parse an operator as the manifest and the CLI write it:
 *   "keep" | "label" | "redact" | "hash" | "encrypt"
 *   "tokenize" (= "encrypt", the reversible token) | "hash_token"
 *   "mask" | "mask:C" | "mask:C:N" | "mask:C:N:end"
 * where C is one printable ASCII character and N a count. Returns 0, or
 * -EINVAL with the cause in err.
 */
int gw_san_op_parse(const char *text, struct gw_san_op *op,
		    struct gw_error *err);
/* "keep", "label", ...; "?" out of range. A static string. */
const char *gw_san_op_name(enum gw_san_op_kind kind);

/*
 * The deployment key for HASH and ENCRYPT. Two sub-keys are derived
 * from it (crypto_kdf), one per operator, so a hash token reveals
 * nothing about the encryption key.
 */
#define GW_SAN_KEY_BYTES 32u
struct gw_san_key {
	unsigned char bytes[GW_SAN_KEY_BYTES];
};

/*
 * Read a key file: exactly 32 raw bytes, or 64 hex digits (an optional
 * final newline allowed). A file that is group- or world-readable or
 * -writable, or not a regular file, is refused with -EPERM and a message
 * saying to chmod 600 it. Returns 0, -ENOENT, -EPERM, -EINVAL (wrong
 * size or not hex), the error naming the file. The caller wipes key with
 * sodium_memzero when done.
 */
int gw_sanitize_key_load(const char *path, struct gw_san_key *key,
			 struct gw_error *err);

/*
 * A rule from the configuration (the manifest's custom rules). Every
 * pointer is borrowed during gw_sanitizer_new, which copies what it
 * keeps.
 *
 * id: [a-z0-9_.-]{1,64}, unique; findings of this rule have kind
 *     GW_SAN_CUSTOM and carry the rule's index (gw_sanitizer_rule_id).
 * pattern: PCRE2 (UTF off, no callouts); the whole match is the finding,
 *     unless the pattern has a group named "v", which is then the finding.
 * keywords: when n_keywords > 0, the rule runs only on input holding one
 *     of them (case-insensitive literal); it is the rule's prefilter.
 *     Without keywords the rule scans all input (slower).
 * min_entropy: when > 0, a match whose Shannon entropy (bits per byte)
 *     is below this is dropped.
 * label: what LABEL writes, without the angle brackets; NULL: the id
 *     upper-cased.
 */
struct gw_san_custom_rule {
	const char *id;
	const char *pattern;
	const char *const *keywords;
	size_t n_keywords;
	double min_entropy;
	const char *label;
};

/*
 * What a sanitizer is built from. A zeroed struct gives every built-in
 * rule, no custom rule, no allowlist and no key.
 *
 * disabled_kinds: GW_SAN_KIND_BIT()s of built-in kinds to turn off.
 * allowlist: exact strings that are never findings (e.g. a project's
 *     support address); compared with the finding's bytes.
 * key: NULL, or the key for HASH and ENCRYPT (copied).
 * entropy_bits: the threshold of the high_entropy rule in bits per byte;
 *     0 means the default (docs/sanitize.md).
 * no_jit: never JIT-compile (the interpreter is used anyway when JIT
 *     compilation fails, e.g. where executable memory is forbidden).
 */
struct gw_san_config {
	uint32_t disabled_kinds;
	const struct gw_san_custom_rule *custom;
	size_t n_custom;
	const char *const *allowlist;
	size_t n_allowlist;
	const struct gw_san_key *key;
	double entropy_bits;
	bool no_jit;
};

struct gw_sanitizer;

/*
 * Compile cfg (NULL: the zeroed default) into *out, which the caller
 * frees with gw_sanitizer_free. Returns 0, -EINVAL for a bad custom rule
 * (err names the rule id in field and the PCRE2 message and offset), -E2BIG
 * past GW_SAN_MAX_CUSTOM_RULES / GW_SAN_MAX_ALLOWLIST, or -ENOMEM.
 */
int gw_sanitizer_new(const struct gw_san_config *cfg, struct gw_sanitizer **out,
		     struct gw_error *err);
/* Free s and wipe its key; NULL is fine. */
void gw_sanitizer_free(struct gw_sanitizer *s);

/* Whether the rules run JIT-compiled (false: the interpreter). */
bool gw_sanitizer_jit(const struct gw_sanitizer *s);
/* The id of rule index rule ("email", "aws_access_key", a custom id). */
const char *gw_sanitizer_rule_id(const struct gw_sanitizer *s, unsigned rule);
/* How many rules s has (built-in and custom). */
unsigned gw_sanitizer_rule_count(const struct gw_sanitizer *s);

/*
 * Findings counted by kind since the sanitizer was made (or last reset),
 * by every gw_sanitize_* call on it, including KEEP. counts has
 * GW_SAN_KIND_COUNT entries.
 */
void gw_sanitizer_counts(const struct gw_sanitizer *s, uint64_t *counts);
void gw_sanitizer_counts_reset(struct gw_sanitizer *s);

/* One finding: bytes [start, end) of the input. */
struct gw_san_span {
	size_t start;
	size_t end;
	enum gw_san_kind kind;
	unsigned rule; /* index for gw_sanitizer_rule_id */
};

/*
 * Find every entity in in[0, len), in order of start, without overlaps.
 * Up to cap spans are stored in spans (which may be NULL when cap is 0);
 * *n gets the number found, which may be larger than cap. Returns 0, or
 * -E2BIG when len exceeds GW_SAN_INPUT_MAX_BYTES. A PCRE2 match that hits
 * its match or depth limit is treated as no match at that position.
 */
int gw_sanitize_detect(struct gw_sanitizer *s, const char *in, size_t len,
		       struct gw_san_span *spans, size_t cap, size_t *n,
		       struct gw_error *err);

/*
 * Append to out the text in[0, len) with op (NULL: LABEL) applied to
 * every finding. *findings (may be NULL) gets how many there were. On
 * failure out may hold part of the result. Returns 0, -ENOKEY (HASH or
 * ENCRYPT without a key), -E2BIG (input past GW_SAN_INPUT_MAX_BYTES, an
 * ENCRYPT finding past GW_SAN_ENTITY_MAX_BYTES, or out's cap), -ENOMEM.
 */
int gw_sanitize_string(struct gw_sanitizer *s, const struct gw_san_op *op,
		       const char *in, size_t len, struct gw_buf *out,
		       size_t *findings, struct gw_error *err);

/*
 * Like gw_sanitize_string with one operator per kind: ops has
 * GW_SAN_KIND_COUNT entries; a NULL entry means LABEL.
 */
int gw_sanitize_string_by_kind(struct gw_sanitizer *s,
			       const struct gw_san_op *const *ops,
			       const char *in, size_t len, struct gw_buf *out,
			       size_t *findings, struct gw_error *err);

/*
 * The streaming form for plain text: read lines from in, write each
 * sanitized with op (NULL: LABEL) to out, until end of file. A line
 * longer than GW_SAN_LINE_MAX_BYTES is handled in pieces of that size
 * (an entity across a cut may be missed). *lines (may be NULL) gets the
 * number of lines. Returns 0, -EIO (err names the stream), or what
 * gw_sanitize_string returns.
 */
int gw_sanitize_lines(struct gw_sanitizer *s, const struct gw_san_op *op,
		      FILE *in, FILE *out, uint64_t *lines,
		      struct gw_error *err);

/*
 * Append to out the text in[0, len) with every reversible token
 * ("gwt_...") made with key replaced by the original bytes. *tokens (may
 * be NULL) gets how many were replaced. A token that fails
 * authentication (wrong key, changed or cut) fails the call with
 * -EBADMSG and its offset in err->col (1-based); nothing is guessed.
 * Returns 0, -EBADMSG, -E2BIG (out's cap), -ENOMEM.
 */
int gw_sanitize_detokenize(const struct gw_san_key *key, const char *in,
			   size_t len, struct gw_buf *out, size_t *tokens,
			   struct gw_error *err);

#endif /* GW_SANITIZE_SANITIZE_H */
