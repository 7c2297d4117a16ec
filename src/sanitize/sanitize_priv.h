/*
 * The inside of a sanitizer: the rule table, the byte classes of the
 * prefilter and the validators. Tests include this header.
 */
#ifndef GW_SANITIZE_PRIV_H
#define GW_SANITIZE_PRIV_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "sanitize/sanitize.h"

/* Byte classes of the prefilter (cls[] in detect.c). */
enum {
	SC_RUN = 1u << 0,    /* belongs in a run (not a delimiter) */
	SC_DIGIT = 1u << 1,  /* 0-9 */
	SC_UPPER = 1u << 2,  /* A-Z */
	SC_LOWER = 1u << 3,  /* a-z */
	SC_AT = 1u << 4,     /* @ */
	SC_COLON = 1u << 5,  /* : */
	SC_DOT = 1u << 6,    /* . */
	SC_DASH = 1u << 7,   /* - */
	SC_UNDER = 1u << 8,  /* _ */
	SC_SLASH = 1u << 9,  /* / */
	SC_PLUS = 1u << 10,  /* + */
	SC_EQ = 1u << 11,    /* = */
	SC_HEX = 1u << 12,   /* 0-9 a-f A-F */
	SC_SPLIT = 1u << 13, /* a finding may start right after it */
	SC_OTHER = 1u << 14, /* any other byte of a run */
};

/* Classes a rule may need are bits 1-9 (digit .. slash). */
#define SAN_NEED_SLOTS 512u
/* Built-in rules are indexed by the bits of a uint64_t. */
#define SAN_MAX_BUILTIN 64u

#define SC_ALPHA (SC_UPPER | SC_LOWER)
#define SC_ALNUM (SC_ALPHA | SC_DIGIT)

/* What the prefilter knows about the run a candidate start sits in. */
struct san_run {
	size_t start, end; /* the run in the input */
	unsigned mask;	   /* OR of the classes of its bytes */
	size_t digits;	   /* how many digits it holds */
};

struct san_ctx {
	const char *in;
	size_t len;
	size_t pos; /* candidate start */
	const struct san_run *run;
};

/*
 * A validator looks at a match [*start, *end) and keeps it (true) or
 * drops it; it may narrow the span (an IBAN cut to its country length).
 */
typedef bool (*san_validator)(const char *in, size_t len, size_t *start,
			      size_t *end);
/* A gate: a cheap test in C before the pattern runs at ctx->pos. */
typedef bool (*san_gate)(const struct san_ctx *ctx);

#define SAN_MAX_PREFIXES 5

/* One row of the built-in table (rules.c). */
struct san_rule_def {
	const char *id;
	enum gw_san_kind kind;
	const char *pattern;
	/* Bytes a finding may start with; NULL: any alphanumeric. */
	const char *first;
	/* Classes the run must hold (all of them). */
	unsigned need;
	/* When set, the text at the start must begin with one of these. */
	const char *prefixes[SAN_MAX_PREFIXES];
	/* When set, one of these (lower case) within ctx_bytes before. */
	const char *const *context;
	unsigned ctx_bytes;
	/* Try one byte earlier when that byte is back ('(' of a phone). */
	char back;
	san_gate gate;
	san_validator validate;
};

extern const struct san_rule_def gw_san_builtin_rules[];
extern const size_t gw_san_builtin_count;

/* A compiled rule, built-in or custom. */
struct san_rule {
	const char *id; /* static for built-ins, owned for custom */
	char *label;	/* "<EMAIL>", owned */
	size_t label_len;
	enum gw_san_kind kind;
	const struct san_rule_def *def; /* NULL for a custom rule */
	pcre2_code *code;
	int group_v; /* number of the group named "v", or 0 */
	/* Custom rules only. */
	char **keywords;
	size_t n_keywords;
	double min_entropy;
};

struct san_allow {
	char *s;
	size_t len;
};

struct gw_sanitizer {
	struct san_rule *rules;
	unsigned n_rules;
	unsigned n_builtin;
	/* Bit k: built-in rule k may start with this byte. */
	uint64_t first_rules[256];
	/* Bit k: the run classes (mask >> 1, 9 bits) hold what rule k needs. */
	uint64_t need_ok[SAN_NEED_SLOTS];
	struct san_allow *allow; /* sorted by (len, bytes) */
	size_t n_allow;
	bool have_key;
	unsigned char hash_key[32];
	unsigned char nonce_key[32];
	unsigned char enc_key[32];
	double entropy_bits;
	bool jit;
	pcre2_match_context *mctx;
	pcre2_match_data *md;
	pcre2_jit_stack *jit_stack;
	uint64_t counts[GW_SAN_KIND_COUNT];
	struct gw_san_span *scratch; /* custom-rule spans, grown as needed */
	size_t scratch_cap;
};

/* Validators and helpers, exposed for the unit tests. */
bool gw_san_luhn(const char *digits, size_t n);
bool gw_san_card_iin(const char *digits, size_t n);
int gw_san_iban_length(const char *country);
bool gw_san_iban_mod97(const char *iban, size_t n);
bool gw_san_ssn_valid(unsigned area, unsigned group, unsigned serial);
bool gw_san_ipv4_valid(const char *s, size_t n);
bool gw_san_ipv6_valid(const char *s, size_t n);
bool gw_san_jwt_valid(const char *s, size_t n);
double gw_san_entropy(const char *s, size_t n);
bool gw_san_high_entropy(const char *s, size_t n, double bits);

/* The byte classes (detect.c). */
extern const uint16_t gw_san_cls[256];

/* Run a compiled rule anchored at pos; the span in *start, *end. */
bool gw_san_match_at(struct gw_sanitizer *s, const struct san_rule *r,
		     const char *in, size_t len, size_t pos, size_t *start,
		     size_t *end, size_t *resume);

/* Every finding into s->scratch, sorted, no overlaps (detect.c). */
int gw_san_detect_all(struct gw_sanitizer *s, const char *in, size_t len,
		      size_t *n, struct gw_error *err);

/* Whether [p, p + n) is on the allowlist. */
bool gw_san_allowed(const struct gw_sanitizer *s, const char *p, size_t n);

/* The token operators (token.c). */
int gw_san_hash_token(const struct gw_sanitizer *s, const char *p, size_t n,
		      struct gw_buf *out);
int gw_san_encrypt_token(const struct gw_sanitizer *s, const char *p, size_t n,
			 struct gw_buf *out);
void gw_san_derive_keys(const struct gw_san_key *key, unsigned char *hash_key,
			unsigned char *nonce_key, unsigned char *enc_key);

#endif /* GW_SANITIZE_PRIV_H */
