/*
 * What the readers of dependency files share: one entry point per format
 * and the helpers in read.c that add to a struct gw_dep_set. Each reader
 * gets the whole file (text, len bytes, NUL-terminated), adds what it can
 * and records every problem with gw_deps_fail, so a broken line costs that
 * line and not the file. A reader returns 0 or the first error's code.
 */
#ifndef GW_DEPS_READ_PRIV_H
#define GW_DEPS_READ_PRIV_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "deps/deps.h"

struct gw_toml_value;

typedef int (*gw_deps_reader_fn)(const char *path, const char *text, size_t len,
				 struct gw_dep_set *s, struct gw_error *err);

int gw_deps_read_requirements(const char *path, const char *text, size_t len,
			      struct gw_dep_set *s, struct gw_error *err);
int gw_deps_read_pyproject(const char *path, const char *text, size_t len,
			   struct gw_dep_set *s, struct gw_error *err);
int gw_deps_read_pipfile(const char *path, const char *text, size_t len,
			 struct gw_dep_set *s, struct gw_error *err);
int gw_deps_read_pipfile_lock(const char *path, const char *text, size_t len,
			      struct gw_dep_set *s, struct gw_error *err);
int gw_deps_read_poetry_lock(const char *path, const char *text, size_t len,
			     struct gw_dep_set *s, struct gw_error *err);
int gw_deps_read_uv_lock(const char *path, const char *text, size_t len,
			 struct gw_dep_set *s, struct gw_error *err);
int gw_deps_read_pylock(const char *path, const char *text, size_t len,
			struct gw_dep_set *s, struct gw_error *err);
int gw_deps_read_conda(const char *path, const char *text, size_t len,
		       struct gw_dep_set *s, struct gw_error *err);

/*
 * One line in pip's requirements format that came from another file (the
 * pip: list of a conda environment file): comments, ${VAR}, options and
 * -r / -c are handled as in a requirements file whose folder is path's.
 */
int gw_deps_requirement_line(struct gw_dep_set *s, const char *path,
			     unsigned line, const char *text, size_t len,
			     struct gw_error *err);

/*
 * Record a problem at file:line (line 0: the file as a whole) in s's
 * error list and, when it is the first, in err; mark s partial. Returns
 * code. The message must not hold unescaped text from the file.
 */
int gw_deps_fail(struct gw_dep_set *s, struct gw_error *err, int code,
		 const char *file, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

int gw_deps_vfail(struct gw_dep_set *s, struct gw_error *err, int code,
		  const char *file, unsigned line, const char *fmt, va_list ap)
	__attribute__((format(printf, 6, 0)));

/* 0 when s gained no error since it held before, else the first's code. */
int gw_deps_result(const struct gw_dep_set *s, size_t before);

/* Keep a copy of err (filled by a callee) in s's list; returns its code. */
int gw_deps_fail_with(struct gw_dep_set *s, struct gw_error *err,
		      const struct gw_error *cause, const char *file,
		      unsigned line);

/*
 * A new zeroed requirement at the end of s, its file, line and group set;
 * NULL after recording -E2BIG or -ENOMEM. gw_deps_pop takes it back.
 */
struct gw_requirement *gw_deps_push(struct gw_dep_set *s, const char *file,
				    unsigned line, const char *group,
				    struct gw_error *err);
void gw_deps_pop(struct gw_dep_set *s);

/*
 * A new entry for a lock file's package: name (name_len bytes) checked and
 * normalized, locked at version unless version is NULL. NULL after
 * recording the problem.
 */
struct gw_requirement *gw_deps_add_locked(struct gw_dep_set *s,
					  const char *file, unsigned line,
					  const char *group, const char *name,
					  size_t name_len, const char *version,
					  struct gw_error *err);

/*
 * Parse a PEP 508 string into a new entry of s (group and line as given);
 * a string that does not parse is recorded and nothing is added. *out,
 * when not NULL, gets the entry.
 */
int gw_deps_add_pep508(struct gw_dep_set *s, const char *file, unsigned line,
		       const char *group, const char *text, size_t len,
		       struct gw_requirement **out, struct gw_error *err);

/*
 * Compose "name[extras]spec ; marker" (extras "a,b", spec and marker may
 * be NULL or "") and add it as gw_deps_add_pep508 does.
 */
int gw_deps_add_composed(struct gw_dep_set *s, const char *file, unsigned line,
			 const char *group, const char *name,
			 const char *extras, const char *spec,
			 const char *marker, struct gw_requirement **out,
			 struct gw_error *err);

/*
 * Translate a Poetry version constraint into PEP 440 specifiers: "^1.2"
 * is ">=1.2,<2.0", "~1.2" is ">=1.2,<1.3", "1.2.*" is "==1.2.*", a bare
 * version is "==" it, "*" is "" (anything). -ENOTSUP for a union ("||"),
 * which a specifier set cannot say; -EINVAL for what is not a constraint.
 */
int gw_deps_poetry_constraint(const char *text, size_t len, char *out,
			      size_t cap);

/* The strings of array key in table t joined with ",", into out. */
void gw_deps_toml_join(const struct gw_toml_value *t, const char *key,
		       char *out, size_t cap);

/* The string of key in table t, or NULL when absent or of another type. */
const char *gw_deps_toml_string(const struct gw_toml_value *t, const char *key);
/* The value of key in t when it has type type, else NULL. */
const struct gw_toml_value *gw_deps_toml_typed(const struct gw_toml_value *t,
					       const char *key, int type);

/* Set name and its PEP 503 form; -EINVAL for a name that is not valid. */
int gw_deps_set_name(struct gw_requirement *r, const char *name, size_t len);

/*
 * Parse marker (len bytes) into r->marker and keep its text; the parse
 * error is left in cause.
 */
int gw_deps_set_marker(struct gw_requirement *r, const char *marker, size_t len,
		       struct gw_error *cause);

/* The host part of a URL ("" when there is none), lower case, into buf. */
const char *gw_deps_url_host(const char *url, char *buf, size_t cap);

/* Mark r locked at version (text as written; validity recorded). */
void gw_deps_set_locked(struct gw_requirement *r, const char *version,
			size_t len);

/*
 * Add "algo:hex" to r. The algorithm must be one pip accepts for
 * --hash (sha256, sha384, sha512) and the digest the right length of hex
 * digits; -EINVAL otherwise, -E2BIG past GW_REQ_MAX_HASHES.
 */
int gw_deps_add_hash(struct gw_requirement *r, const char *algo,
		     size_t algo_len, const char *hex, size_t hex_len);

/* The same for one "algo:hex" (or pip's "algo=hex") word. */
int gw_deps_add_hash_text(struct gw_requirement *r, const char *text,
			  size_t len);

/* Record a global option; value "" for a flag. */
int gw_deps_add_index(struct gw_dep_set *s, const char *option,
		      const char *value, const char *file, unsigned line,
		      struct gw_error *err);

/*
 * Remember that path was read. Returns 1 when it already was (the caller
 * then skips it), 0 when it is new, -E2BIG when the list is full.
 */
int gw_deps_note_file(struct gw_dep_set *s, const char *path);

/*
 * Parse a TOML document for a reader. When it is broken part way (a
 * truncated lock file), the error is recorded and the text before the
 * last table header above the broken line is parsed instead, so the
 * complete entries before it are kept: returns 1 with *root set then.
 * 0 on a clean parse; negative when nothing could be read.
 */
int gw_deps_toml(struct gw_dep_set *s, const char *path, const char *text,
		 size_t len, struct gw_toml_value **root, struct gw_error *err);

/*
 * Copy url into dst with any user:password@ part replaced by "***@", so
 * a token a file pulled in through ${VAR} never reaches a report.
 */
void gw_deps_redact_url(char *dst, size_t cap, const char *url, size_t len);

/* Escape len bytes of file text into dst for a message; returns dst. */
const char *gw_deps_esc(char *dst, size_t cap, const char *text, size_t len);

#endif /* GW_DEPS_READ_PRIV_H */
