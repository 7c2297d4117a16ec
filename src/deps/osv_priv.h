/*
 * The inside of struct gw_osv_db: a bump allocator, a strict JSON pull
 * reader, the record model and the loader's state. Shared by osv_*.c;
 * tests may include it.
 */
#ifndef GW_DEPS_OSV_PRIV_H
#define GW_DEPS_OSV_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "deps/deps.h"

/* ---- arena: everything a database holds, freed at once ----------- */

struct osv_chunk;

struct osv_arena {
	struct osv_chunk *head;
	size_t total;	  /* bytes of every chunk */
	size_t max_bytes; /* hard cap on total */
};

/* n bytes aligned for any object, or NULL past the cap or out of memory. */
void *gw_osv_arena_alloc(struct osv_arena *a, size_t n);
char *gw_osv_arena_strndup(struct osv_arena *a, const char *s, size_t n);
void gw_osv_arena_free(struct osv_arena *a);

/* ---- JSON (RFC 8259), read in one pass without building a tree --- */

struct osvj {
	const char *start, *p, *end;
	unsigned depth;
	int err;	  /* 0, or the first error (-EINVAL, -E2BIG) */
	const char *what; /* why, for the loader's message */
};

/* A string as it sits in the text, between its quotes. */
struct jstr {
	const char *s;
	size_t len;
	bool escaped; /* holds a backslash escape */
};

enum gw_osvj_type {
	OSVJ_NONE, /* an error, or no value here */
	OSVJ_OBJECT,
	OSVJ_ARRAY,
	OSVJ_STRING,
	OSVJ_NUMBER,
	OSVJ_LITERAL, /* true, false, null */
};

void gw_osvj_init(struct osvj *j, const char *text, size_t len);
/* The type of the value at the cursor, without consuming it. */
enum gw_osvj_type gw_osvj_peek(struct osvj *j);
/*
 * Iterate an object: call gw_osvj_object_next with *first true; each true
 * return leaves the cursor at a member's value, which the caller must
 * consume (read or gw_osvj_skip). False at the end or on an error.
 */
bool gw_osvj_object_next(struct osvj *j, bool *first, struct jstr *key);
/* The same for arrays; the cursor is left at each element. */
bool gw_osvj_array_next(struct osvj *j, bool *first);
/* Consume a string; false (and an error) when the value is not one. */
bool gw_osvj_string(struct osvj *j, struct jstr *out);
/* Consume any value, checking its syntax. */
void gw_osvj_skip(struct osvj *j);
/* Only whitespace may follow the document; 0 or the first error. */
int gw_osvj_finish(struct osvj *j);
/* Record an error found by the caller (a schema error); returns false. */
bool gw_osvj_fail(struct osvj *j, int code, const char *what);

/*
 * Decode s's escapes into buf (cap bytes, NUL-terminated), checking
 * that the result is valid UTF-8 without NUL bytes. Returns the length,
 * or -EINVAL, or -E2BIG when it does not fit and truncate is false;
 * with truncate true the text is cut at a whole character.
 */
int gw_jstr_decode(const struct jstr *s, char *buf, size_t cap, bool truncate);
/* The decoded string, copied into the arena; NULL on error. */
char *gw_jstr_dup(struct osv_arena *a, const struct jstr *s, size_t max);
/* Whether s is exactly the n bytes of ASCII lit (escapes decoded). */
bool gw_jstr_is_n(const struct jstr *s, const char *lit, size_t n);
#define gw_jstr_is(s, lit) gw_jstr_is_n((s), (lit), strlen(lit))

/* ---- the record model -------------------------------------------- */

enum osv_range_type {
	OSV_RANGE_ECOSYSTEM,
	OSV_RANGE_SEMVER,
	OSV_RANGE_GIT,
	OSV_RANGE_OTHER,
};

/*
 * Event kinds in the order events of the same version are applied:
 * a fixed before an introduced, so "[a, X) then [X, b)" keeps X
 * affected, and an introduced before a last_affected, so "[X, X]" holds
 * X alone.
 */
enum osv_event_kind {
	OSV_EV_FIXED,
	OSV_EV_INTRODUCED,
	OSV_EV_LAST_AFFECTED,
	OSV_EV_LIMIT,
};

struct osv_event {
	enum osv_event_kind kind;
	bool open; /* introduced "0" (before all) or limit "*" (after all) */
	const struct gw_pep440 *v; /* NULL when open */
};

struct osv_range {
	enum osv_range_type type;
	/* An event was not PEP 440 or no event introduced: see osv_record.c. */
	bool inexact;
	size_t nev;
	struct osv_event *ev; /* sorted by version, then kind */
};

struct osv_affected {
	const char *norm; /* PEP 503 folded package name */
	size_t nranges;
	struct osv_range *ranges;
	size_t nkeys;
	const char **keys; /* versions[] as gw_pep440_key, sorted, unique */
	size_t nraw;
	const char **raw; /* versions[] entries that are not PEP 440 */
	size_t nfixed;
	const char **fixed; /* NULL-terminated, ascending */
};

struct osv_record {
	const char *id;
	const char *modified;
	const char *summary;  /* "summary", else the start of "details" */
	const char *severity; /* first CVSS vector, or "" */
	const char **aliases; /* NULL-terminated */
	const char *path;     /* the file it came from */
	bool withdrawn;
	bool malicious;
	size_t naff;
	struct osv_affected *aff;
};

/* ---- loading ----------------------------------------------------- */

#define OSV_SKIP_SHOWN 5

struct rec_ctx;

struct osv_load {
	struct osv_arena *arena;
	struct rec_ctx *ctx; /* the record reader's scratch, reused */
	struct gw_osv_stats *stats;
	/* Records read so far; grown by doubling, up to GW_OSV_MAX_RECORDS. */
	struct osv_record **recs;
	size_t nrecs, alloc;
	/* The first few files skipped, for the error message. */
	char shown[OSV_SKIP_SHOWN][160];
};

struct osv_index_entry {
	const char *norm;
	const struct osv_record *rec;
	const struct osv_affected *aff;
};

struct gw_osv_db {
	struct osv_arena arena;
	struct gw_osv_stats stats;
	size_t nrecs;
	struct osv_record **recs;
	size_t nindex;
	struct osv_index_entry *index; /* sorted by norm, then id */
};

/*
 * Parse one record (the whole text of one file) into ld's arena and
 * list. A record that is not valid OSV is counted as skipped and named
 * in ld->shown; only running out of memory or a cap is an error.
 */
int gw_osv_record_add(struct osv_load *ld, const char *text, size_t len,
		      const char *path);

/* Read every *.json entry of the zip file at path through gw_osv_record_add. */
int gw_osv_zip_load(struct osv_load *ld, const char *path,
		    struct gw_error *err);

/* Note a skipped file and why. */
void gw_osv_note_skip(struct osv_load *ld, const char *path, const char *why);

/* Release the reader's scratch and the record list (not the arena). */
void gw_osv_load_done(struct osv_load *ld);

#endif /* GW_DEPS_OSV_PRIV_H */
