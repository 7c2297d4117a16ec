/*
 * The dependency audit's findings and what they are built from: the walk
 * of an environment's tree (its dependency files and the ELF objects it
 * bundles), the popular-package list typosquats are checked against, the
 * rules, and the documents the findings are written as (JSON, SARIF 2.1.0,
 * CycloneDX 1.5). The reading of files and the packaging rules are in
 * deps.h.
 */
#ifndef GW_DEPS_AUDIT_H
#define GW_DEPS_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/limits.h"
#include "deps/deps.h"
#include "gymwarden.h"

struct gw_error;
struct json_t;

/* ---- Files and trees --------------------------------------------- */

/*
 * The format gw_deps_read_file would read path as ("requirements",
 * "pyproject", "pipfile", "pipfile.lock", "poetry.lock", "uv.lock",
 * "pylock", "conda"); static. Any other name reads as "requirements".
 */
const char *gw_deps_format_of(const char *path);

/*
 * Whether a file of this base name is picked up when a tree is walked
 * (requirements*.txt, .txt files in a requirements folder, pyproject.toml,
 * Pipfile, Pipfile.lock, poetry.lock, uv.lock, pylock*.toml,
 * environment*.yml);
 * dir is the name of the folder it sits in.
 */
bool gw_deps_is_dependency_file(const char *dir, const char *name);

/*
 * Call fn for every regular file under root, depth first, names in byte
 * order, never following a symbolic link. path is root-joined; rel is
 * relative to root. fn returns 0 to go on or a negative errno to stop.
 * Past GW_DEPS_WALK_MAX_DEPTH or GW_DEPS_WALK_MAX_ENTRIES the walk stops
 * with -E2BIG; a folder that cannot be opened is -errno with its path.
 */
typedef int (*gw_deps_walk_fn)(void *arg, const char *path, const char *rel,
			       const char *dir, const char *name);
int gw_deps_walk(const char *root, gw_deps_walk_fn fn, void *arg,
		 struct gw_error *err);

/*
 * Read every dependency file under root (as gw_deps_is_dependency_file
 * picks them) into s. Like gw_deps_read_file: problems are recorded and
 * the first is returned; what could be read stays in s.
 */
int gw_deps_read_tree(const char *root, struct gw_dep_set *s,
		      struct gw_error *err);

/*
 * The path of a data file gymwarden ships (name, e.g.
 * "popular-packages.txt") into buf: from $GYMWARDEN_DATADIR when set,
 * else beside the program (build tree or installed prefix), else the
 * configured datadir. NULL when it is in none of them.
 */
const char *gw_deps_data_path(const char *name, char *buf, size_t cap);

/* ---- ELF objects ------------------------------------------------- */

/* What the headers of one ELF file say. */
struct gw_elf_info {
	unsigned elf_class; /* 32 or 64 */
	bool big_endian;
	uint16_t type;	  /* ET_EXEC, ET_DYN, ... */
	uint16_t machine; /* EM_X86_64, ... */
	bool has_dynamic;
	char soname[256]; /* "" when there is none */
	size_t nneeded;	  /* DT_NEEDED entries kept, at most the cap */
	char needed[GW_ELF_MAX_NEEDED][128];
};

/* Read n bytes at off into buf; 0, or a negative errno (short: -EIO). */
typedef int (*gw_elf_read_fn)(void *arg, uint64_t off, void *buf, size_t n);

/*
 * Parse the ELF headers behind read (size bytes in all): the identity,
 * the program headers and the dynamic segment, every offset and length
 * checked against size and the caps. -ENOEXEC when it is not ELF,
 * -EINVAL when the headers are inconsistent.
 */
int gw_elf_parse(gw_elf_read_fn read, void *arg, uint64_t size,
		 struct gw_elf_info *out, struct gw_error *err);

/* The same for a buffer in memory. */
int gw_elf_parse_mem(const void *data, size_t len, struct gw_elf_info *out,
		     struct gw_error *err);

/* The same for a file (never followed through a symbolic link). */
int gw_elf_parse_file(const char *path, struct gw_elf_info *out,
		      struct gw_error *err);

/* "x86-64", "AArch64"... or "machine 0x1234" into buf; returns buf. */
const char *gw_elf_machine_name(uint16_t machine, char *buf, size_t cap);
/* "shared object", "executable", "relocatable"...; static. */
const char *gw_elf_type_name(uint16_t type);

/* ---- Popular names and typosquats -------------------------------- */

struct gw_popular; /* opaque: normalized names in rank order */

/*
 * Load the list at path: one project name a line, most popular first,
 * "#" comments. Names are PEP 503 normalized on loading.
 */
int gw_popular_load(const char *path, struct gw_popular **out,
		    struct gw_error *err);
/* The same from text in memory (tests). */
int gw_popular_load_text(const char *text, size_t len, struct gw_popular **out,
			 struct gw_error *err);
void gw_popular_free(struct gw_popular *p);
size_t gw_popular_count(const struct gw_popular *p);
bool gw_popular_has(const struct gw_popular *p, const char *norm);

/* Why a name looks like a popular one. */
enum gw_squat_kind {
	GW_SQUAT_NONE,
	GW_SQUAT_EDIT,	    /* one letter added, dropped or changed */
	GW_SQUAT_SWAP,	    /* two adjacent letters swapped */
	GW_SQUAT_PY,	    /* py / python added or dropped */
	GW_SQUAT_SEPARATOR, /* separators dropped or added */
};

/* "one letter changed" and so on; static. */
const char *gw_squat_kind_text(enum gw_squat_kind k);

/*
 * Whether the normalized name norm looks like, but is not, a name on the
 * list. Returns the kind and copies the most popular such name into
 * target (cap bytes); GW_SQUAT_NONE when norm is itself on the list.
 */
enum gw_squat_kind gw_typosquat_check(const struct gw_popular *p,
				      const char *norm, char *target,
				      size_t cap);

/* ---- Findings ---------------------------------------------------- */

enum gw_dep_severity {
	GW_DEP_LOW,
	GW_DEP_MEDIUM,
	GW_DEP_HIGH,
	GW_DEP_CRITICAL,
};

/* "low" ... "critical"; static. */
const char *gw_dep_severity_name(enum gw_dep_severity s);
/* The severity a word names; -EINVAL for another word. */
int gw_dep_severity_parse(const char *word, enum gw_dep_severity *out);

/* One kind of finding: the table in audit.c. */
struct gw_dep_rule {
	const char *id;	  /* "GWD001" */
	const char *name; /* "vulnerable-version" */
	enum gw_dep_severity severity;
	const char *summary;	 /* one line */
	const char *description; /* a paragraph: what and why it matters */
	const char *help;	 /* what to do */
};

size_t gw_dep_rule_count(void);
const struct gw_dep_rule *gw_dep_rule_at(size_t i);

/* An advisory as a finding keeps it; strings borrowed from the db. */
struct gw_dep_advisory {
	const char *id;
	const char *summary;
	const char *const *aliases;
	size_t nfixed;
	const char *const *fixed;
	const char *vector; /* CVSS vector or "" */
	double score;	    /* CVSS base score, 0 when unknown */
	enum gw_dep_severity severity;
	bool malicious;
	bool withdrawn;
	enum gw_osv_confidence confidence;
};

/* A native object found in the tree. */
struct gw_dep_native {
	char path[512]; /* relative to the tree */
	struct gw_elf_info elf;
};

struct gw_dep_finding {
	const struct gw_dep_rule *rule;
	enum gw_dep_severity severity;
	char file[512]; /* where it was written; "" for none */
	unsigned line;
	char package[256]; /* normalized name or soname; "" for neither */
	char version[64];
	char message[1024];
	char remediation[512];
	/* Vulnerability findings: the advisories, and the smallest upgrade. */
	size_t nadv;
	struct gw_dep_advisory *adv; /* owned */
	char upgrade[64];	     /* "" when no release clears them all */
	long req;		     /* index into the set, or -1 */
	long native;		     /* index into natives, or -1 */
};

/* What one requirement came to. */
enum gw_dep_state {
	GW_DEP_AUDITED,	    /* an exact version was matched */
	GW_DEP_NOT_APPLIED, /* its marker is false for this interpreter */
	GW_DEP_UNPINNED,    /* no exact version */
	GW_DEP_UNAUDITABLE, /* URL, VCS, path, editable, conda, bad version */
	GW_DEP_NO_DB,	    /* pinned, but no advisory database */
};

struct gw_dep_audit {
	size_t n, alloc;
	struct gw_dep_finding *items;
	/* Per requirement of the set, in its order. */
	enum gw_dep_state *state;
	size_t nstate;
	/* The version matched for each (a constraint's pin may supply it). */
	char (*matched)[64];
	size_t nnative, native_alloc;
	struct gw_dep_native *natives;
	/* Problems met while auditing (a tree that could not be walked). */
	bool partial;
	struct gw_error first_error;
};

struct gw_dep_audit_config {
	const struct gw_osv_db *db;	  /* NULL: no vulnerability check */
	const struct gw_popular *popular; /* NULL: no typosquat check */
	const struct gw_marker_env *menv; /* NULL: the host's */
	const char *tree; /* walked for ELF objects; NULL: not walked */
};

/*
 * Audit s into out (zeroed by the caller): every rule of the table for
 * every entry of s and the index options it holds, then the tree's ELF
 * objects. Findings are sorted by file, line and rule. The audit borrows
 * strings from cfg->db: free it first.
 */
int gw_deps_audit(const struct gw_dep_set *s,
		  const struct gw_dep_audit_config *cfg,
		  struct gw_dep_audit *out, struct gw_error *err);
void gw_dep_audit_free(struct gw_dep_audit *a);

/*
 * The CVSS v3.0 / v3.1 base score of a vector ("CVSS:3.1/AV:N/..."), or
 * -1 when it is not a complete v3 vector.
 */
double gw_cvss3_base_score(const char *vector);

/*
 * The smallest version among the advisories' fixed versions that is above
 * current and affected by none of them (asked of db), into buf; -ENOENT
 * when there is none.
 */
int gw_deps_smallest_upgrade(const struct gw_osv_db *db, const char *norm,
			     const struct gw_pep440 *current,
			     const struct gw_dep_advisory *adv, size_t nadv,
			     char *buf, size_t cap);

/* A specifier set as written back (">=0.6.0,<1") into buf; returns buf. */
const char *gw_deps_spec_text(const struct gw_specset *s, char *buf,
			      size_t cap);

/*
 * Copy s into out with every byte that is not an unreserved URI character
 * (or in keep) percent-encoded, as URIs and purls need.
 */
void gw_deps_percent_encode(const char *s, const char *keep, char *out,
			    size_t cap);

/* ---- Documents --------------------------------------------------- */

/* Everything a report is made from. */
struct gw_deps_report {
	const char *target; /* as the user named it */
	const char *base;   /* absolute folder URIs are made relative to */
	const char *env_id; /* NULL when not from a manifest */
	const struct gw_dep_set *set;
	const struct gw_dep_audit *audit;
	const char *db_path; /* NULL: no advisory database */
	size_t db_records;
	const char *const *notes; /* NULL-terminated, may be NULL */
	enum gw_dep_severity fail_on;
	int exit_status;
};

/* The path of file relative to base ("../x" when outside), into buf. */
const char *gw_deps_relpath(const char *base, const char *file, char *buf,
			    size_t cap);

/* The documents, as new references; NULL when out of memory. */
struct json_t *gw_deps_report_json(const struct gw_deps_report *r);
struct json_t *gw_deps_report_sarif(const struct gw_deps_report *r);
struct json_t *gw_deps_report_cyclonedx(const struct gw_deps_report *r);

/* 16 hex digits and a NUL. */
#define GW_DEPS_FINGERPRINT_BYTES 17u

/*
 * The fingerprint of finding f reported under rule_id with its file
 * written as rel: a hash of what names it (rule, package, version, file;
 * the message when there is no package) but not its line, so that it
 * stays the same when lines move. SARIF's partialFingerprints and the
 * findings of vetting records use it.
 */
void gw_deps_fingerprint(const struct gw_dep_finding *f, const char *rule_id,
			 const char *rel, char *out, size_t cap);

/* A JSON string for text from a file: escaped when not valid UTF-8. */
struct json_t *gw_deps_json_text(const char *s);

#endif /* GW_DEPS_AUDIT_H */
