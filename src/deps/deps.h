/*
 * Dependency audit: the shared model of src/deps. Python packaging rules
 * (PEP 440 versions and specifiers, PEP 503 names, PEP 508 requirements
 * and markers) in pep440.c, name.c, pep508.c and marker.c; readers of
 * requirement and lock files in read_*.c; OSV advisories in osv.c; the
 * findings in audit.c. Every function returns 0 or a negative errno and,
 * where a file, line or field is to blame, fills struct gw_error.
 */
#ifndef GW_DEPS_DEPS_H
#define GW_DEPS_DEPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct gw_error;

/* ---- PEP 440 ---------------------------------------------------- */

#define GW_PEP440_MAX_RELEASE 16
#define GW_PEP440_MAX_LOCAL   16

enum gw_pep440_pre { GW_PRE_NONE, GW_PRE_A, GW_PRE_B, GW_PRE_RC };

/* One local-version segment: a number or a lower-case word. */
struct gw_pep440_local {
	bool is_num;
	uint64_t num;
	char word[32];
};

/*
 * A parsed, normalized PEP 440 version. Numbers that do not fit 64 bits
 * are refused (-ERANGE) rather than wrapped.
 */
struct gw_pep440 {
	uint64_t epoch;
	size_t nrelease;
	uint64_t release[GW_PEP440_MAX_RELEASE];
	enum gw_pep440_pre pre;
	uint64_t pre_n;
	bool has_post;
	uint64_t post;
	bool has_dev;
	uint64_t dev;
	size_t nlocal;
	struct gw_pep440_local local[GW_PEP440_MAX_LOCAL];
};

/*
 * Parse text (len bytes) as PEP 440; -EINVAL when it is not valid,
 * -ERANGE when it is but does not fit the struct (a number past 64
 * bits, more than 16 release or local parts, a local word of 32 bytes
 * or more). Only the parts the version has are written: release[] and
 * local[] past nrelease and nlocal are unspecified, so compare versions
 * with gw_pep440_cmp, never memcmp. out is unspecified after an error.
 */
int gw_pep440_parse(const char *text, size_t len, struct gw_pep440 *out);

/* <0, 0, >0 in PEP 440 order (local versions included). */
int gw_pep440_cmp(const struct gw_pep440 *a, const struct gw_pep440 *b);

/*
 * The normalized text ("1.0rc1", "2!1.0.post2.dev3+ubuntu.1") into buf,
 * always NUL-terminated when cap > 0. Returns the length the full text
 * needs, like snprintf.
 */
size_t gw_pep440_format(const struct gw_pep440 *v, char *buf, size_t cap);

/* A pre-release or a dev release ("1.0a1", "1.0.dev1", "1.0.post1.dev1"). */
bool gw_pep440_is_prerelease(const struct gw_pep440 *v);

/* ---- Specifiers -------------------------------------------------- */

enum gw_spec_op {
	GW_OP_COMPATIBLE, /* ~= */
	GW_OP_EQ,	  /* == (with wildcard when wildcard is set) */
	GW_OP_NE,	  /* != */
	GW_OP_LT,
	GW_OP_LE,
	GW_OP_GT,
	GW_OP_GE,
	GW_OP_ARBITRARY, /* === : compared as text */
};

struct gw_spec {
	enum gw_spec_op op;
	bool wildcard; /* "==1.2.*" / "!=1.2.*" */
	struct gw_pep440 version;
	char text[128]; /* the version as written, for === */
};

#define GW_SPEC_MAX 32

/* A comma-separated specifier set such as ">=0.6.0,<1". */
struct gw_specset {
	size_t n;
	struct gw_spec items[GW_SPEC_MAX];
};

/*
 * Parse one specifier ("~=1.4", "== 1.2.*", "===foo"), surrounding
 * whitespace allowed. -EINVAL when it is not valid PEP 440 (a wildcard
 * after a pre/post/dev/local part, a local label with an ordering
 * operator, "~=" with one release part), -E2BIG when the version text
 * is 128 bytes or more.
 */
int gw_specifier_parse(const char *text, size_t len, struct gw_spec *out);

/* One specifier alone; prereleases as for gw_specset_contains. */
bool gw_specifier_contains(const struct gw_spec *s, const struct gw_pep440 *v,
			   bool prereleases);

/*
 * Parse a set. Empty items are skipped (">=1,,<2" and "" are valid, the
 * latter matching every final release), as pip does. err names the
 * failing item by its 1-based column (line 0).
 */
int gw_specset_parse(const char *text, size_t len, struct gw_specset *out,
		     struct gw_error *err);

/*
 * Whether version satisfies every specifier. Pre-releases are excluded
 * unless prereleases is true or a specifier names one (PEP 440).
 */
bool gw_specset_contains(const struct gw_specset *s, const struct gw_pep440 *v,
			 bool prereleases);

/*
 * The single version a set pins exactly ("==1.2.3" without wildcard, or
 * "===x"), or -ENOENT when it is a range or empty, or -EINVAL when its
 * only pin is a "===" text that is not PEP 440 (the text is in the
 * item's text field). With several pins, the first the whole set
 * accepts.
 */
int gw_specset_pinned(const struct gw_specset *s, struct gw_pep440 *out);

/* ---- PEP 503 names ---------------------------------------------- */

/*
 * The normalized form of a project name: lower case, runs of "-", "_"
 * and "." as one "-". Returns the length; -EINVAL for an invalid name.
 */
int gw_pep503_normalize(const char *name, size_t len, char *buf, size_t cap);

/* ---- PEP 508 markers and requirements ----------------------------- */

/* The values markers are evaluated with (the env's interpreter). */
struct gw_marker_env {
	char python_version[16];      /* "3.11" */
	char python_full_version[32]; /* "3.11.2" */
	char os_name[16];	      /* "posix" */
	char sys_platform[16];	      /* "linux" */
	char platform_system[16];     /* "Linux" */
	char platform_machine[32];    /* "x86_64" */
	char platform_release[64];
	char platform_version[128];
	char platform_python_implementation[32]; /* "CPython" */
	char implementation_name[32];		 /* "cpython" */
	char implementation_version[32];
	const char *const *extras; /* NULL-terminated; may be NULL */
};

/*
 * Fill env from the running host, as /usr/bin/python3 would see it:
 * uname(2) for the platform fields; the interpreter's version from the
 * name /usr/bin/python3 links to (or the newest /usr/lib/python3.N) and
 * its micro version from /usr/include/python3.N/patchlevel.h when
 * present (else "3.N", which compares as 3.N.0). Never runs Python.
 * extras is NULL.
 */
void gw_marker_env_host(struct gw_marker_env *env);

/*
 * Set python_version, python_full_version and implementation_version
 * from a full version such as "3.11.2" (from a manifest's interpreter).
 * -EINVAL unless it is a PEP 440 version with major and minor parts.
 */
int gw_marker_env_set_python(struct gw_marker_env *env,
			     const char *full_version);

struct gw_marker; /* a parsed marker expression; opaque */

/*
 * Parse a marker (the text after a requirement's ";"). Strings follow
 * PEP 508's python_str: no backslash escapes, no control bytes. Caps:
 * GW_MARKER_MAX_BYTES of text, GW_MARKER_MAX_NODES terms, nesting of
 * GW_MARKER_MAX_DEPTH parentheses (-E2BIG). *out is NULL on error.
 */
int gw_marker_parse(const char *text, size_t len, struct gw_marker **out,
		    struct gw_error *err);
/*
 * 1 true, 0 false, negative errno when it cannot be evaluated ("~=" on
 * text that is not a version). Comparisons use PEP 440 when the
 * operator and right side form a specifier and the left side is a
 * version, else string comparison. "extra" compares PEP 685 folded;
 * with env->extras listing several, the marker holds when it holds for
 * one of them, and with none "extra" is "".
 */
int gw_marker_eval(const struct gw_marker *m, const struct gw_marker_env *env);
void gw_marker_free(struct gw_marker *m);

#define GW_REQ_MAX_EXTRAS 16
#define GW_REQ_MAX_HASHES 32

/* Why a requirement cannot be audited exactly (none: it can). */
enum gw_req_kind {
	GW_REQ_NAMED,	 /* name [extras] specifiers [; marker] */
	GW_REQ_URL,	 /* name @ url */
	GW_REQ_EDITABLE, /* -e path-or-url */
	GW_REQ_VCS,	 /* git+https://... */
	GW_REQ_PATH,	 /* a local path or archive */
};

/* One requirement or locked package, from whatever file it came. */
struct gw_requirement {
	enum gw_req_kind kind;
	char name[128]; /* as written */
	char norm[128]; /* PEP 503 normalized */
	size_t nextras;
	char extras[GW_REQ_MAX_EXTRAS][64]; /* PEP 685 normalized, unique */
	struct gw_specset spec;
	struct gw_marker *marker; /* owned; NULL when none */
	char marker_text[256];
	char url[512];
	size_t nhashes;
	char hashes[GW_REQ_MAX_HASHES][136]; /* "sha256:<hex>" */
	/* A lock file's resolved version, exact (locked is true). */
	bool locked;
	char version_text[64];
	struct gw_pep440 version;
	bool version_valid; /* version_text is valid PEP 440 */
	/* Where it was written. */
	char file[256];
	unsigned line;
	/* Dependency group / section: "default", "dev", "optional:docs"... */
	char group[64];
};

/*
 * Parse one PEP 508 requirement string (a line without pip options).
 * file and line are copied into out for findings; out is cleared first
 * (group too). kind is GW_REQ_NAMED, or for "name @ url" GW_REQ_VCS
 * (git+..., hg+..., svn+..., bzr+...), GW_REQ_PATH (file:) or
 * GW_REQ_URL. A trailing comma after the specifiers and empty
 * parentheses are accepted, as pip does. err gets file, line and the
 * 1-based column of the fault.
 */
int gw_requirement_parse(const char *text, size_t len, const char *file,
			 unsigned line, struct gw_requirement *out,
			 struct gw_error *err);

void gw_requirement_clear(struct gw_requirement *r);

/* ---- Readers ----------------------------------------------------- */

/* Options a file set that matter for the audit (pip's global options). */
struct gw_index_option {
	char option[32]; /* "--index-url", "--extra-index-url", ... */
	char value[512];
	char file[256];
	unsigned line;
};

/* Everything read from one environment's dependency files. */
struct gw_dep_set {
	size_t n, alloc;
	struct gw_requirement *reqs;
	size_t nindex, index_alloc;
	struct gw_index_option *index;
	/* Files that were read, and whether the read was partial. */
	size_t nfiles;
	char files[64][256];
	bool partial;
	/*
	 * Every problem met while reading, in order, at most
	 * GW_DEPS_MAX_ERRORS (the first is also what the reader returned).
	 */
	size_t nerrors, errors_alloc;
	struct gw_error *errors;
};

void gw_dep_set_init(struct gw_dep_set *s);
void gw_dep_set_free(struct gw_dep_set *s);

/*
 * Read path into s, choosing the reader by file name (requirements*.txt
 * and *.in, pyproject.toml, Pipfile, Pipfile.lock, poetry.lock, uv.lock,
 * pylock.toml and pylock.*.toml, environment.yml / .yaml). A file that
 * cannot be read completely is an error naming the line; the
 * requirements read before it stay in s and s->partial is set.
 */
int gw_deps_read_file(const char *path, struct gw_dep_set *s,
		      struct gw_error *err);

/* ---- OSV advisories ---------------------------------------------- */

struct gw_osv_db; /* opaque: loaded records, indexed by normalized name */

/*
 * Load every OSV record for the PyPI ecosystem from path: a directory
 * (every *.json below it, one record a file, symbolic links and dot
 * files skipped), a zip file such as osv-scanner's PyPI/all.zip, or a
 * single record file. Records that are not valid OSV are counted and
 * the first few named (path and reason) in err's message, with err's
 * code left 0, but do not stop the load unless none is valid (-ENOENT).
 * A record seen twice (same id) keeps its newest "modified". A record
 * past a per-record cap (src/core/limits.h, GW_OSV_*) is skipped like a
 * malformed one; read errors, more than GW_OSV_MAX_RECORDS records and
 * GW_OSV_DB_MAX_BYTES of memory fail the load. A loaded database is
 * read-only: it may be matched from several threads at once.
 */
int gw_osv_load(const char *path, struct gw_osv_db **out, struct gw_error *err);
void gw_osv_free(struct gw_osv_db *db);
size_t gw_osv_count(const struct gw_osv_db *db);

/* What a load saw, for reports and tests. */
struct gw_osv_stats {
	size_t files;		 /* record files read */
	size_t records;		 /* records kept */
	size_t skipped;		 /* files that are not valid OSV */
	size_t duplicates;	 /* records dropped for a newer same id */
	size_t withdrawn;	 /* kept records with "withdrawn" set */
	size_t other_ecosystems; /* affected[] entries not for PyPI */
	size_t no_versions;	 /* entries with neither ranges nor versions */
	size_t ranges_git;	 /* GIT ranges (not mapped to versions) */
	size_t ranges_other;	 /* unknown range types, ignored */
	size_t ranges_inexact;	 /* ranges evaluated conservatively */
	size_t events_invalid;	 /* range events that are not PEP 440 */
	size_t versions_invalid; /* versions[] entries that are not PEP 440 */
};

void gw_osv_stats(const struct gw_osv_db *db, struct gw_osv_stats *out);

enum gw_osv_confidence {
	GW_OSV_EXACT, /* an ECOSYSTEM/SEMVER range or versions[] matched */
	GW_OSV_GIT,   /* only GIT ranges: cannot be mapped to versions */
	/*
	 * Only a range with an event that is not PEP 440 matched, read so
	 * it can only grow: such an "introduced" counts as "0", such a
	 * "fixed", "last_affected" or "limit" as absent.
	 */
	GW_OSV_INEXACT,
};

/* One advisory that affects one version of one package. */
struct gw_osv_hit {
	const char *id;		    /* everything here is owned by the db */
	const char *summary;	    /* or the start of "details"; raw text */
	const char *const *aliases; /* NULL-terminated */
	bool malicious;		    /* a MAL- id or alias */
	bool withdrawn;
	enum gw_osv_confidence confidence;
	/*
	 * The fixed versions its ranges name, normalized text, ascending
	 * (one that is not PEP 440 kept as written, last).
	 */
	size_t nfixed;
	const char *const *fixed;
	const char *severity; /* first CVSS vector, or "" */
};

/*
 * Call fn for every advisory that affects version of the project norm
 * (folded again per PEP 503, so any spelling works). Ranges are read
 * per the OSV schema: events sorted by PEP 440 (never in the order
 * written), introduced "0" before every version, fixed / last_affected
 * / limit, several intervals per range, versions[] compared by PEP 440
 * equality. Withdrawn records are reported with withdrawn set, never
 * silently dropped. Hits come in id order, one per record. Returns the
 * number of hits or a negative errno.
 */
typedef void (*gw_osv_hit_fn)(void *arg, const struct gw_osv_hit *hit);
int gw_osv_match(const struct gw_osv_db *db, const char *norm,
		 const struct gw_pep440 *version, gw_osv_hit_fn fn, void *arg);

/*
 * The same for a version given as text, which may not be PEP 440
 * ("0.3m1", "trunk"): a valid one is matched as above; another only
 * against versions[] entries of the same text (case-insensitive) and
 * ranges that cover every version (introduced "0", nothing else).
 */
int gw_osv_match_text(const struct gw_osv_db *db, const char *norm,
		      const char *version, gw_osv_hit_fn fn, void *arg);

#endif /* GW_DEPS_DEPS_H */
