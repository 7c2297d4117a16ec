/*
 * gymwarden vet: static analysis of an environment's Python source tree.
 *
 * gw_vet_run walks a tree (or reads one file), parses every Python file
 * with tree-sitter, resolves names through imports and simple
 * assignments, matches calls and literals against the rule table, builds
 * a call graph to tell which findings run at import time or inside an
 * env's reset/step/render/close, and returns a result that the CLI
 * prints and the registry stores (gw_vet_result_to_json).
 *
 * Nothing in the tree is executed, imported or trusted: comments that
 * try to silence a rule and analyzer settings found inside the tree are
 * reported, not obeyed, unless the reviewer's own configuration says so.
 */
#ifndef GW_VET_VET_H
#define GW_VET_VET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct gw_error;
struct json_t;

enum gw_vet_severity {
	GW_VET_LOW,
	GW_VET_MEDIUM,
	GW_VET_HIGH,
	GW_VET_SEVERITY_COUNT,
};

/*
 * When a finding's code runs. Ordered by how strongly it binds: a
 * function reached both from step and at import time is tagged "import".
 */
enum gw_vet_context {
	GW_VET_CTX_FILE,     /* a property of the file, not of code in it */
	GW_VET_CTX_FUNCTION, /* in a function no env entry point reaches */
	GW_VET_CTX_CLOSE,    /* reachable from an env's close */
	GW_VET_CTX_RENDER,   /* reachable from an env's render */
	GW_VET_CTX_INIT,     /* reachable from an env's __init__ */
	GW_VET_CTX_RESET,    /* reachable from an env's reset */
	GW_VET_CTX_STEP,     /* reachable from an env's step */
	GW_VET_CTX_IMPORT,  /* module level, class body, decorators, defaults */
	GW_VET_CTX_INSTALL, /* setup.py at module level, a .pth line */
	GW_VET_CTX_COUNT,
};

#define GW_VET_CTX_BIT(c) (1u << (c))

/* Every rule; the table in rules.c is indexed by these. */
enum gw_vet_rule_id {
	GW_VET_R_PROC_SHELL,
	GW_VET_R_PROC_SPAWN,
	GW_VET_R_PROC_REPLACE,
	GW_VET_R_EXEC_CODE,
	GW_VET_R_EXEC_IMPORT,
	GW_VET_R_EXEC_RUN,
	GW_VET_R_DESER_PICKLE,
	GW_VET_R_DESER_MARSHAL,
	GW_VET_R_DESER_YAML,
	GW_VET_R_DESER_TORCH,
	GW_VET_R_DESER_NUMPY,
	GW_VET_R_NET_SOCKET,
	GW_VET_R_NET_HTTP,
	GW_VET_R_NET_PROTO,
	GW_VET_R_NET_DNS,
	GW_VET_R_SECRET_STORE,
	GW_VET_R_SECRET_ENVIRON,
	GW_VET_R_SECRET_VAR,
	GW_VET_R_SECRET_HOST,
	GW_VET_R_FS_WRITE,
	GW_VET_R_FS_MODIFY,
	GW_VET_R_FS_RMTREE,
	GW_VET_R_NATIVE_FFI,
	GW_VET_R_NATIVE_LOAD,
	GW_VET_R_NATIVE_MEMORY,
	GW_VET_R_OBF_DECODE_EXEC,
	GW_VET_R_OBF_BLOB,
	GW_VET_R_OBF_ENTROPY,
	GW_VET_R_OBF_INDIRECT,
	GW_VET_R_OBF_BIDI,
	GW_VET_R_OBF_HOMOGLYPH,
	GW_VET_R_OBF_HIDDEN,
	GW_VET_R_FLOW_NET_EXEC,
	GW_VET_R_FLOW_EXFIL,
	GW_VET_R_INSTALL_CMDCLASS,
	GW_VET_R_INSTALL_CODE,
	GW_VET_R_INSTALL_PTH,
	GW_VET_R_URL_IP,
	GW_VET_R_URL_TUNNEL,
	GW_VET_R_URL_PASTE,
	GW_VET_R_URL_WEBHOOK,
	GW_VET_R_BIN_EXEC,
	GW_VET_R_BIN_LIBRARY,
	GW_VET_R_BIN_BYTECODE,
	GW_VET_R_TREE_SYMLINK_OUT,
	GW_VET_R_TREE_SYMLINK,
	GW_VET_R_TREE_SPECIAL,
	GW_VET_R_PARSE_SYNTAX,
	GW_VET_R_PARSE_ENCODING,
	GW_VET_R_PARSE_LIMIT,
	GW_VET_R_PARSE_UNREADABLE,
	GW_VET_R_SUPP_COMMENT,
	GW_VET_R_SUPP_CONFIG,
	GW_VET_RULE_COUNT,
};

/*
 * One rule. Every string is static. severity is the rule's base; a
 * finding whose code is reached from a context in hot is raised one
 * level; partial rules mark the run as incomplete (exit 2).
 */
struct gw_vet_rule {
	const char *id;	   /* "GW-PROC-001" */
	const char *name;  /* "ShellCommand", for SARIF */
	const char *title; /* one line */
	enum gw_vet_severity severity;
	unsigned hot; /* GW_VET_CTX_BIT()s */
	bool partial;
	const char *rationale;	 /* why it matters, a short paragraph */
	const char *remediation; /* what a reviewer or author should do */
	const char *tags;	 /* comma-separated, CWE tags included */
};

extern const struct gw_vet_rule gw_vet_rules[GW_VET_RULE_COUNT];

/* The rule with this id ("GW-PROC-001"), or NULL. */
const struct gw_vet_rule *gw_vet_rule_find(const char *id);

const char *gw_vet_severity_name(enum gw_vet_severity s);
/* 0 and *out, or -EINVAL for a word other than low, medium, high. */
int gw_vet_severity_parse(const char *word, enum gw_vet_severity *out);
const char *gw_vet_context_name(enum gw_vet_context c);
/* The SARIF security-severity of a level, as GitHub reads it ("8.0"). */
const char *gw_vet_security_severity(enum gw_vet_severity s);

/* External analyzers that --with can merge in. */
enum gw_vet_tool_id {
	GW_VET_TOOL_BANDIT,
	GW_VET_TOOL_PYLINT,
	GW_VET_TOOL_FLAKE8,
	GW_VET_TOOL_COUNT,
};

const char *gw_vet_tool_name(enum gw_vet_tool_id t);
/* Parse "bandit,pylint" into a mask of 1 << id; -EINVAL names the word. */
int gw_vet_tools_parse(const char *list, unsigned *mask, struct gw_error *err);

/*
 * The reviewer's settings. Defaults (gw_vet_config_init) analyze every
 * file and obey nothing written inside the tree. Caller-owned; the
 * strings it points to are owned by whoever filled it (the loader keeps
 * them in the struct's own storage).
 */
struct gw_vet_config {
	/*
	 * WARNING: when true, "# nosec" and "# gymwarden: ignore[...]"
	 * comments in the vetted tree silence findings on their line, and
	 * "# noqa" silences flake8's: the tree's author decides what the
	 * reviewer sees.
	 */
	bool honor_suppressions;
	bool disabled[GW_VET_RULE_COUNT];
	/* Paths (fnmatch patterns relative to the root) not read at all. */
	char **exclude;
	size_t n_exclude;
	size_t max_file_bytes;	  /* default GW_VET_FILE_MAX_BYTES */
	unsigned blob_min_chars;  /* encoded literal length, default 256 */
	unsigned entropy_min_len; /* shortest string tested, default 32 */
	double entropy_min_bits;  /* bits per character, default 4.6 */
	unsigned hidden_ws_cols;  /* whitespace run before code, default 100 */
	unsigned tool_timeout_s;  /* per external tool, default 600 */
	char *path;		  /* the file it was loaded from, or NULL */
};

void gw_vet_config_init(struct gw_vet_config *cfg);
void gw_vet_config_release(struct gw_vet_config *cfg);

/*
 * Load a reviewer's configuration (TOML, table [vet]; docs/vet.md) into
 * cfg, which must have been initialised. A file inside root is refused
 * with -EPERM: the vetted tree cannot configure its own review.
 */
int gw_vet_config_load(struct gw_vet_config *cfg, const char *path,
		       const char *root, struct gw_error *err);

/*
 * One finding. Every string is owned by the result and NUL-terminated;
 * message and snippet hold text from the vetted file unescaped, so a
 * printer must pass them through gw_escape. Lines and columns are
 * 1-based, columns counted in Unicode code points; end is exclusive.
 */
struct gw_vet_finding {
	const char *tool;  /* "gymwarden", "bandit", "pylint", "flake8" */
	const char *rule;  /* "GW-PROC-001", or the tool's own id "B602" */
	int rule_index;	   /* into gw_vet_rules, or -1 for another tool */
	const char *title; /* the rule's title, or the tool's test name */
	enum gw_vet_severity severity;
	enum gw_vet_context context;
	const char *via; /* "CartPoleEnv.step" for a reached context, or NULL */
	const char *file; /* relative to the root, '/'-separated */
	unsigned line, col, end_line, end_col;
	const char *message;
	const char *snippet;  /* the source line, cut to a cap; may be "" */
	char fingerprint[17]; /* 16 hex digits, stable across line moves */
};

/* What the run did with one path of the tree. */
enum gw_vet_file_kind {
	GW_VET_FILE_PYTHON,
	GW_VET_FILE_PTH,
	GW_VET_FILE_BINARY,
	GW_VET_FILE_SYMLINK,
	GW_VET_FILE_OTHER,
};

struct gw_vet_file {
	const char *path; /* relative, '/'-separated */
	enum gw_vet_file_kind kind;
	uint64_t bytes;
	bool analyzed; /* parsed and checked in full */
	unsigned findings;
};

enum gw_vet_tool_status {
	GW_VET_TOOL_OK,
	GW_VET_TOOL_MISSING, /* requested, not installed: a warning */
	GW_VET_TOOL_FAILED,  /* ran, but gave no usable output: partial */
};

struct gw_vet_tool_run {
	enum gw_vet_tool_id id;
	enum gw_vet_tool_status status;
	const char *version; /* "1.6.2", or "" */
	const char *detail;  /* why it is missing or failed, or "" */
	unsigned findings;
};

struct gw_vet_opts {
	const char *root;  /* a folder, or a single file */
	const char **envs; /* env ids this tree serves, for the record */
	size_t n_envs;
	/* "module.path:Class" entry points: those classes are envs. */
	const char **entry_points;
	size_t n_entry_points;
	const struct gw_vet_config *config; /* NULL: defaults */
	unsigned tools;			    /* 1 << enum gw_vet_tool_id */
	/* Called after each file with the count so far; may be NULL. */
	void (*progress)(void *ctx, size_t done, size_t total);
	void *progress_ctx;
};

struct gw_vet_result;

/*
 * Check that the bundled grammar speaks the ABI the tree-sitter library
 * accepts (14). Returns 0, or -ENOTSUP with err naming both versions.
 */
int gw_vet_grammar_check(struct gw_error *err);

/*
 * Vet opts->root. Returns 0 and a result in *out (the caller frees it
 * with gw_vet_result_free), even when files failed to parse: those are
 * findings and the result is partial. Fails only when the root cannot
 * be opened at all, the grammar is refused or memory runs out; then
 * *out is NULL and err says why.
 */
int gw_vet_run(const struct gw_vet_opts *opts, struct gw_vet_result **out,
	       struct gw_error *err);

void gw_vet_result_free(struct gw_vet_result *r);

/* Findings sorted by file, line, column and rule. */
size_t gw_vet_result_finding_count(const struct gw_vet_result *r);
const struct gw_vet_finding *
gw_vet_result_finding_at(const struct gw_vet_result *r, size_t i);
size_t gw_vet_result_file_count(const struct gw_vet_result *r);
const struct gw_vet_file *gw_vet_result_file_at(const struct gw_vet_result *r,
						size_t i);
size_t gw_vet_result_tool_count(const struct gw_vet_result *r);
const struct gw_vet_tool_run *
gw_vet_result_tool_at(const struct gw_vet_result *r, size_t i);
/* The root as given and as resolved; env ids passed in opts. */
const char *gw_vet_result_root(const struct gw_vet_result *r);
size_t gw_vet_result_env_count(const struct gw_vet_result *r);
const char *gw_vet_result_env_at(const struct gw_vet_result *r, size_t i);
/* True when a file could not be analyzed whole, or a tool failed. */
bool gw_vet_result_partial(const struct gw_vet_result *r);
/* Findings at each severity, and how many reach min. */
size_t gw_vet_result_count(const struct gw_vet_result *r,
			   enum gw_vet_severity s);
size_t gw_vet_result_count_at_least(const struct gw_vet_result *r,
				    enum gw_vet_severity min);

/*
 * The registry's tree digest ("sha256:..."), recorded in the JSON and
 * SARIF output; NULL clears it. Until it is set the JSON carries null.
 */
int gw_vet_result_set_tree_digest(struct gw_vet_result *r, const char *digest);
const char *gw_vet_result_tree_digest(const struct gw_vet_result *r);

/*
 * The whole result as the versioned JSON document of docs/vet.md
 * ("version": 1, "kind": "vet"): what `vet --format json` prints and
 * what a vetting record stores. threshold is recorded with the verdict.
 * Returns a new reference, or NULL when memory runs out.
 */
struct json_t *gw_vet_result_to_json(const struct gw_vet_result *r,
				     enum gw_vet_severity threshold);

/* The result as a SARIF 2.1.0 log (one run); a new reference or NULL. */
struct json_t *gw_vet_result_to_sarif(const struct gw_vet_result *r);

/*
 * The registry hook: fill rec (from gw_record_new) with the verdict at
 * threshold, the tools and every finding, each file named as
 * prefix/file ("source/pkg/env.py": gw_tree_digest_env's layout; prefix
 * may be NULL). The caller sets the env and the tree, and stores it.
 * Returns 0 or the first negative errno a gw_record_* setter gave.
 */
struct gw_record;
int gw_vet_result_to_record(const struct gw_vet_result *r,
			    enum gw_vet_severity threshold, const char *prefix,
			    struct gw_record *rec);

/* The rule table as JSON, for `vet --list-rules --format json`. */
struct json_t *gw_vet_rules_to_json(void);

/* ---- inventory: where a trainer's code uses environments ---- */

/*
 * One call that makes an env. Strings are owned by the inventory; id,
 * file and entry_point are text from the scanned tree, unescaped. id is
 * NULL (and dynamic true) when it is computed at run time.
 */
struct gw_vet_inv_use {
	const char *id;
	const char *file; /* relative to the root */
	unsigned line;
	const char *call; /* static: "gymnasium.make" */
	bool dynamic;
	bool covered;		 /* an [[env]] of the manifest has this id */
	const char *entry_point; /* from a register() in the tree, or NULL */
};

/* One register() call with a constant id; entry_point may be NULL. */
struct gw_vet_inv_reg {
	const char *id;
	const char *entry_point; /* "pkg.mod:Cls" */
	const char *file;
	unsigned line;
};

struct gw_vet_inventory;

/*
 * Scan the Python files under root (a folder or one file) with the vet
 * walker and parser. Returns 0 and *out (free with
 * gw_vet_inventory_free), even when files failed to parse: then the
 * inventory is partial. Fails like gw_vet_run.
 */
int gw_vet_inventory_run(const char *root, struct gw_vet_inventory **out,
			 struct gw_error *err);
void gw_vet_inventory_free(struct gw_vet_inventory *inv);

/* Mark the uses whose id is one of ids (a manifest's env ids). */
void gw_vet_inventory_cover(struct gw_vet_inventory *inv,
			    const char *const *ids, size_t n);

size_t gw_vet_inventory_use_count(const struct gw_vet_inventory *inv);
const struct gw_vet_inv_use *
gw_vet_inventory_use_at(const struct gw_vet_inventory *inv, size_t i);
size_t gw_vet_inventory_reg_count(const struct gw_vet_inventory *inv);
const struct gw_vet_inv_reg *
gw_vet_inventory_reg_at(const struct gw_vet_inventory *inv, size_t i);
/* True when some file could not be parsed whole. */
bool gw_vet_inventory_partial(const struct gw_vet_inventory *inv);
/* The vet result of the scan, for its parse findings; owned by inv. */
const struct gw_vet_result *
gw_vet_inventory_vet(const struct gw_vet_inventory *inv);
/*
 * Whether use i is the first use of a constant id the manifest does not
 * cover (false until gw_vet_inventory_cover was called).
 */
bool gw_vet_inventory_uncovered(const struct gw_vet_inventory *inv, size_t i);

/*
 * The versioned JSON document ("version": 1, "kind": "inventory") of
 * docs/vet.md; a new reference, or NULL when memory runs out.
 */
struct json_t *gw_vet_inventory_to_json(const struct gw_vet_inventory *inv);

#endif /* GW_VET_VET_H */
