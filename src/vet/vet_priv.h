/*
 * Internals of src/vet shared between its files, and by the unit tests:
 * the arena, the string map, the flattened syntax tree, the analysis
 * state of one run, and the pure helpers (folding, entropy, URLs, text).
 */
#ifndef GW_VET_VET_PRIV_H
#define GW_VET_VET_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vet/vet.h"

struct gw_error;

/* ---- arena: many small allocations freed at once ---- */

struct gw_vet_arena_block;

struct gw_vet_arena {
	struct gw_vet_arena_block *head;
	size_t bytes; /* total allocated, for the caps */
};

void *gw_vet_arena_alloc(struct gw_vet_arena *a, size_t n);
void *gw_vet_arena_zalloc(struct gw_vet_arena *a, size_t n);
/* A NUL-terminated copy of n bytes of s. */
char *gw_vet_arena_strndup(struct gw_vet_arena *a, const char *s, size_t n);
char *gw_vet_arena_printf(struct gw_vet_arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void gw_vet_arena_free(struct gw_vet_arena *a);
/* Forget everything allocated but keep one block for reuse. */
void gw_vet_arena_reset(struct gw_vet_arena *a);

/* ---- map: string keys to pointers, storage in an arena ---- */

struct gw_vet_map_slot {
	const char *key;
	uint32_t len;
	uint32_t hash;
	void *val;
};

struct gw_vet_map {
	struct gw_vet_map_slot *slots;
	uint32_t cap; /* a power of two, or 0 */
	uint32_t len;
};

void *gw_vet_map_get(const struct gw_vet_map *m, const char *key, size_t len);
/* Insert or replace; key is copied into a. Returns 0 or -ENOMEM. */
int gw_vet_map_put(struct gw_vet_map *m, struct gw_vet_arena *a,
		   const char *key, size_t len, void *val);

/* ---- the syntax tree, flattened from tree-sitter's ---- */

#define GW_VET_NONE UINT32_MAX

/* The node types the analysis looks at; everything else is K_OTHER. */
enum gw_vet_kind {
	K_OTHER,
	K_ERROR,
	K_MODULE,
	K_BLOCK,
	K_EXPRESSION_STATEMENT,
	K_ASSIGNMENT,
	K_AUGMENTED_ASSIGNMENT,
	K_CALL,
	K_ATTRIBUTE,
	K_IDENTIFIER,
	K_STRING,
	K_STRING_START,
	K_STRING_CONTENT,
	K_STRING_END,
	K_ESCAPE_SEQUENCE,
	K_INTERPOLATION,
	K_CONCATENATED_STRING,
	K_INTEGER,
	K_FLOAT,
	K_TRUE,
	K_FALSE,
	K_NONE,
	K_ARGUMENT_LIST,
	K_KEYWORD_ARGUMENT,
	K_LIST,
	K_TUPLE,
	K_SET,
	K_DICTIONARY,
	K_PAIR,
	K_DICTIONARY_SPLAT,
	K_LIST_SPLAT,
	K_PARENTHESIZED_EXPRESSION,
	K_BINARY_OPERATOR,
	K_UNARY_OPERATOR,
	K_SUBSCRIPT,
	K_SLICE,
	K_IMPORT_STATEMENT,
	K_IMPORT_FROM_STATEMENT,
	K_FUTURE_IMPORT_STATEMENT,
	K_ALIASED_IMPORT,
	K_DOTTED_NAME,
	K_RELATIVE_IMPORT,
	K_IMPORT_PREFIX,
	K_WILDCARD_IMPORT,
	K_FUNCTION_DEFINITION,
	K_CLASS_DEFINITION,
	K_DECORATED_DEFINITION,
	K_DECORATOR,
	K_PARAMETERS,
	K_LAMBDA,
	K_LAMBDA_PARAMETERS,
	K_DEFAULT_PARAMETER,
	K_TYPED_DEFAULT_PARAMETER,
	K_FOR_STATEMENT,
	K_FOR_IN_CLAUSE,
	K_WITH_STATEMENT,
	K_WITH_ITEM,
	K_AS_PATTERN,
	K_AS_PATTERN_TARGET,
	K_COMMENT,
	K_GENERATOR_EXPRESSION,
	K_LIST_COMPREHENSION,
	K_SET_COMPREHENSION,
	K_DICTIONARY_COMPREHENSION,
	K_PATTERN_LIST,
	K_TUPLE_PATTERN,
	K_LIST_PATTERN,
	K_EXPRESSION_LIST,
	K_EXEC_STATEMENT,
	K_NAMED_EXPRESSION,
	K_COMPARISON_OPERATOR,
	K_KEYWORD_IDENTIFIER,
	K_IF_STATEMENT,
	K_COUNT,
};

/* Field names the analysis asks for. */
enum gw_vet_field {
	F_NONE,
	F_FUNCTION,
	F_ARGUMENTS,
	F_OBJECT,
	F_ATTRIBUTE,
	F_LEFT,
	F_RIGHT,
	F_NAME,
	F_ALIAS,
	F_MODULE_NAME,
	F_BODY,
	F_SUPERCLASSES,
	F_VALUE,
	F_KEY,
	F_OPERATOR,
	F_PARAMETERS,
	F_DEFINITION,
	F_SUBSCRIPT,
	F_ARGUMENT,
	F_CODE,
	F_CONDITION,
	F_CONSEQUENCE,
	F_OTHER,
	F_COUNT,
};

#define GW_VET_NODE_NAMED   0x01
#define GW_VET_NODE_ERROR   0x02 /* an ERROR node */
#define GW_VET_NODE_MISSING 0x04 /* inserted by error recovery */

struct gw_vet_node {
	uint32_t start, end; /* byte offsets into the source */
	uint32_t row, col;   /* start, 0-based; col in bytes */
	uint32_t end_row, end_col;
	uint32_t parent, first, next; /* GW_VET_NONE when absent */
	uint16_t kind;
	uint8_t field; /* the field this node fills in its parent */
	uint8_t flags;
	uint32_t aux; /* the scope a def, class or lambda opens */
};

struct gw_vet_ast {
	const char *src; /* not owned */
	size_t len;
	struct gw_vet_node *nodes; /* nodes[0] is the module */
	uint32_t n_nodes;
	uint32_t max_depth;
	/* The first ERROR or MISSING node in source order, or NONE. */
	uint32_t first_error;
	bool timed_out;
	bool too_big; /* over GW_VET_AST_MAX_NODES or _MAX_DEPTH */
};

/*
 * Parse len bytes of Python with the bundled grammar into ast (whose
 * nodes the caller frees with gw_vet_ast_release). Returns 0, -ENOTSUP
 * when the grammar is refused, -ENOMEM; a syntax error is not a failure
 * (see first_error), nor is running out of time or nodes (timed_out,
 * too_big: then the tree is empty).
 */
int gw_vet_ast_parse(struct gw_vet_ast *ast, const char *src, size_t len);
void gw_vet_ast_release(struct gw_vet_ast *ast);

static inline const struct gw_vet_node *
gw_vet_node_at(const struct gw_vet_ast *ast, uint32_t i)
{
	return i == GW_VET_NONE ? NULL : &ast->nodes[i];
}

/* The first child of n filling field f, or GW_VET_NONE. */
uint32_t gw_vet_child_field(const struct gw_vet_ast *ast, uint32_t n,
			    enum gw_vet_field f);
/* The first named child of n, and the next named sibling of c. */
uint32_t gw_vet_first_named(const struct gw_vet_ast *ast, uint32_t n);
uint32_t gw_vet_next_named(const struct gw_vet_ast *ast, uint32_t c);
/* The type name tree-sitter gives node kind k ("call"), for debugging. */
const char *gw_vet_kind_name(enum gw_vet_kind k);

/* ---- constant folding (fold.c; pure) ---- */

struct gw_vet_str {
	char *ptr; /* NUL-terminated, in the fold's arena; may hold NUL */
	size_t len;
	bool computed; /* built by more than reading one plain literal */
	bool escaped;  /* a literal used escapes (\x, \u, \N, octal) */
	bool bytes;    /* a b"" literal */
	bool decoded;  /* a decoder, chr() or a byte list was folded */
};

/*
 * What folding needs from its caller: the constant a name is bound to,
 * and the qualified name a call's function resolves to ("builtins.chr",
 * "os.path.join"). Either may be NULL.
 */
struct gw_vet_fold_env {
	const struct gw_vet_ast *ast;
	struct gw_vet_arena *arena;
	void *ctx;
	bool (*name_value)(void *ctx, uint32_t ident, struct gw_vet_str *out);
	const char *(*call_name)(void *ctx, uint32_t func);
	unsigned steps;	  /* spent so far; GW_VET_FOLD_MAX_STEPS at most */
	size_t max_bytes; /* cap on a result; 0: GW_VET_FOLD_MAX_BYTES */
	/* The loop variable of a comprehension being folded, if any. */
	const char *iter_name;
	size_t iter_len;
	bool iter_is_int;
	int64_t iter_int;
	struct gw_vet_str *iter_str;
	bool decoded; /* set when any decoder was folded */
};

/*
 * Fold expression node n to a string constant. Returns true and fills
 * out, or false when n is not a constant the folder understands or the
 * result would pass GW_VET_FOLD_MAX_BYTES.
 */
bool gw_vet_fold_string(struct gw_vet_fold_env *env, uint32_t n,
			struct gw_vet_str *out);
/* Fold an integer expression (literals, + - * // % ** ^ & | << >>, ord). */
bool gw_vet_fold_int(struct gw_vet_fold_env *env, uint32_t n, int64_t *out);

/* ---- entropy and encoded blobs (entropy.c; pure) ---- */

/* Shannon entropy of s in bits per byte; 0 for an empty string. */
double gw_vet_entropy(const char *s, size_t len);

enum gw_vet_blob {
	GW_VET_BLOB_NONE,
	GW_VET_BLOB_BASE64,
	GW_VET_BLOB_HEX,
};

/*
 * Whether s is a base64 or hex encoding of at least min_chars characters
 * (whitespace between groups allowed, as in wrapped base64).
 */
enum gw_vet_blob gw_vet_blob_kind(const char *s, size_t len, size_t min_chars);

/*
 * Whether s looks like a random token: at least min_len characters, no
 * spaces, and entropy at least min_bits (scaled down for short strings).
 */
bool gw_vet_looks_random(const char *s, size_t len, size_t min_len,
			 double min_bits);

/* ---- hosts and URLs (url.c; pure) ---- */

enum gw_vet_url_class {
	GW_VET_URL_NONE,
	GW_VET_URL_RAW_IP,
	GW_VET_URL_PRIVATE_IP, /* a raw address in a private range */
	GW_VET_URL_TUNNEL,
	GW_VET_URL_PASTE,
	GW_VET_URL_WEBHOOK,
};

struct gw_vet_url_hit {
	enum gw_vet_url_class cls;
	size_t off, len;     /* the host (or URL part) in the text */
	const char *service; /* "ngrok", "Discord webhook"; static */
};

/*
 * Find the most suspicious address in text: URLs (scheme://host...),
 * bare host names of known services, and a text that is a lone IPv4
 * address. Loopback, unspecified and link-local addresses are ignored.
 * Returns the class of the worst hit (NONE when nothing) and fills hit.
 */
enum gw_vet_url_class gw_vet_url_scan(const char *text, size_t len,
				      struct gw_vet_url_hit *hit);

/* Classify a host name or address alone (lower case not required). */
enum gw_vet_url_class gw_vet_host_class(const char *host, size_t len,
					const char **service);

/* ---- byte-level checks of source text (text.c; pure) ---- */

/* Offset of the first invalid UTF-8 byte or NUL, or len when none. */
size_t gw_vet_utf8_check(const char *s, size_t len);

/*
 * Offset of the next bidi control or invisible character (U+202A..E,
 * U+2066..9, U+200B..F, U+2060, U+061C, U+FEFF past the start) at or
 * after from, or len; *cp gets the code point.
 */
size_t gw_vet_find_bidi(const char *s, size_t len, size_t from, uint32_t *cp);

/*
 * On the line [s, s + len), the offset of the first non-blank byte that
 * follows a run of at least min_cols blank columns (tabs to 8), or len.
 */
size_t gw_vet_hidden_code(const char *s, size_t len, unsigned min_cols);

enum gw_vet_ident_issue {
	GW_VET_IDENT_OK,
	GW_VET_IDENT_COMPAT, /* full-width or math letters Python folds */
	GW_VET_IDENT_MIXED,  /* Latin mixed with Cyrillic, Greek, ... */
};

/*
 * Check one identifier; when Python would fold it to ASCII (NFKC of
 * full-width and mathematical letters), write that ASCII into fold (cap
 * bytes, NUL-terminated) and set *folded.
 */
enum gw_vet_ident_issue gw_vet_ident_check(const char *s, size_t len,
					   char *fold, size_t cap,
					   bool *folded);

/* Code points in [s, s + n): the column of byte offset n on its line. */
unsigned gw_vet_utf8_cols(const char *s, size_t n);

/* ---- the sink table (sinks.c) ---- */

/* Taint labels a value can carry. */
enum {
	GW_VET_T_DECODED = 0x01, /* came out of a decoder */
	GW_VET_T_NET = 0x02,	 /* received from the network */
	GW_VET_T_SECRET = 0x04,	 /* credentials, the whole environment */
	GW_VET_T_ENV = 0x08,	 /* any environment variable */
	GW_VET_T_HOST = 0x10,	 /* user, host or hardware identity */
};

/* What a call does with its arguments, for flows. */
enum {
	GW_VET_SINK_CODE = 0x01,     /* runs its argument as Python */
	GW_VET_SINK_PROC = 0x02,     /* runs its argument as a command */
	GW_VET_SINK_DESER = 0x04,    /* unpickles its argument */
	GW_VET_SINK_NET = 0x08,	     /* sends its arguments out */
	GW_VET_SINK_ENDPOINT = 0x10, /* its arguments only name a peer */
};

/* Argument checks a sink entry may ask for (check.c applies them). */
enum gw_vet_check {
	CHK_NONE,
	CHK_SUBPROCESS, /* shell=True makes it PROC-001 */
	CHK_CODE,	/* a literal argument lowers it */
	CHK_IMPORT,	/* only a computed module name counts */
	CHK_YAML,	/* a safe Loader makes it fine */
	CHK_TORCH,	/* weights_only=True makes it fine */
	CHK_NUMPY,	/* only allow_pickle=True counts */
	CHK_OPEN,	/* write mode and an absolute path outside /tmp */
	CHK_PATH_WRITE, /* pathlib write_* on an absolute path */
	CHK_ABS_PATH,	/* first argument absolute, outside /tmp */
	CHK_RMTREE,
	CHK_GETENV,  /* a secret-looking name */
	CHK_SETUP,   /* cmdclass= in setup() */
	CHK_CODECS,  /* codecs.decode with rot13 and friends */
	CHK_DECODER, /* the result is decoded data */
};

struct gw_vet_sink {
	const char *name; /* "os.system"; "ftplib.*" covers a module */
	int8_t rule;	  /* enum gw_vet_rule_id, or -1: flows only */
	uint8_t check;	  /* enum gw_vet_check */
	uint8_t sink;	  /* GW_VET_SINK_* */
	uint8_t source;	  /* GW_VET_T_* the call's result carries */
};

/* The entry for a qualified name, trying "a.b.*" forms; or NULL. */
const struct gw_vet_sink *gw_vet_sink_find(const char *qname, size_t len);
/* Canonical module spelling: "cPickle" -> "pickle", "__builtin__" ... */
const char *gw_vet_module_alias(const char *name, size_t len, size_t *used);
/* Whether name is a Python builtin function or type. */
bool gw_vet_is_builtin(const char *name, size_t len);
/* A name whose spelled-out form is worth a finding (exec, system...). */
bool gw_vet_is_dangerous_name(const char *name, size_t len);
/* An environment variable name that looks like it holds a secret. */
bool gw_vet_is_secret_var(const char *name, size_t len);
/*
 * Whether a path names a credential store. Returns a static label
 * ("SSH keys") or NULL.
 */
const char *gw_vet_secret_path(const char *path, size_t len);

/* ---- one run's analysis state ---- */

enum gw_vet_scope_kind {
	GW_VET_SCOPE_MODULE,
	GW_VET_SCOPE_CLASS,
	GW_VET_SCOPE_FUNCTION,
};

enum gw_vet_binding_kind {
	GW_VET_B_QNAME, /* a module or something inside one: "os.path" */
	GW_VET_B_CONST, /* a string constant */
	GW_VET_B_FUNC,	/* a function defined in the tree */
	GW_VET_B_CLASS, /* a class defined in the tree */
	GW_VET_B_LOCAL, /* a parameter or unknown local: hides outer names */
};

struct gw_vet_binding {
	enum gw_vet_binding_kind kind;
	bool indirect;	 /* reached through getattr, __import__, ... */
	bool computed;	 /* ... with a name that was not a plain literal */
	int id;		 /* function or class id */
	const char *str; /* qualified name or constant text */
	size_t len;
};

struct gw_vet_scope {
	enum gw_vet_scope_kind kind;
	int parent; /* enclosing scope, -1 for the module */
	int fn;	    /* the function id code in this scope belongs to */
	int cls;    /* class id for a class scope and for its methods */
	struct gw_vet_map names;
	const char **stars; /* modules imported with "*" (module scope) */
	size_t n_stars;
};

/* A function (or a module's top level) in the call graph. */
struct gw_vet_fn {
	uint32_t unit;
	const char *qual;  /* "Env.step", "<module>" */
	const char *qname; /* "pkg.env.Env.step" */
	int cls;
	uint32_t *callees;
	uint32_t n_callees, cap_callees;
	unsigned ctx_mask;
	bool install; /* the top level of setup.py or a .pth file */
	/* The entry point ("Env.step") that first reached it, per context. */
	const char *via[GW_VET_CTX_COUNT];
};

struct gw_vet_class {
	uint32_t unit;
	const char *name;
	const char *qname;
	const char **bases; /* resolved qualified names */
	size_t n_bases;
	int *base_ids;		   /* classes of the tree, after linking */
	struct gw_vet_map methods; /* name -> fn id + 1 */
	bool is_env;
	uint32_t line;
};

/* A call whose target is known only after every file is read. */
enum gw_vet_target_kind {
	GW_VET_TGT_QNAME,  /* a qualified name: pkg.mod.func */
	GW_VET_TGT_SELF,   /* self.name() inside class cls */
	GW_VET_TGT_METHOD, /* x.name() on an unknown object */
};

struct gw_vet_target {
	uint32_t caller;
	enum gw_vet_target_kind kind;
	int cls;
	const char *name;
};

/* A finding on its way into the result. */
struct gw_vet_raw {
	struct gw_vet_finding f;
	int fn;	      /* the function its code is in; -1 file level */
	int8_t delta; /* levels above or below the rule's base */
	bool fixed;   /* severity decided by the detector */
	uint32_t seq; /* order of discovery, for a stable sort */
	bool dropped; /* suppressed by the reviewer's configuration */
};

struct gw_vet_unit;

struct gw_vet_state {
	const struct gw_vet_opts *opts;
	struct gw_vet_config cfg;
	struct gw_vet_arena arena; /* lives as long as the result */
	struct gw_vet_result *res;

	struct gw_vet_fn *fns;
	size_t n_fns, cap_fns;
	struct gw_vet_class *classes;
	size_t n_classes, cap_classes;
	struct gw_vet_target *targets;
	size_t n_targets, cap_targets;
	struct gw_vet_map fn_by_qname;	   /* -> fn id + 1 */
	struct gw_vet_map class_by_qname;  /* -> class id + 1 */
	struct gw_vet_map methods_by_name; /* -> count of classes */
	/* Relative paths of .py files, for "is there a source" checks. */
	struct gw_vet_map py_paths;
	/* Module names of the tree's files, for imports between them. */
	struct gw_vet_map modules;
	struct gw_vet_map entry_classes; /* "pkg.mod.Class" -> 1 */
	/* The root's own package name when it holds __init__.py, or "". */
	const char *root_pkg;
	bool out_of_findings;
	/*
	 * Called on each parsed file once its names are bound, before the
	 * checks (inventory.c reads calls through it); may be NULL.
	 */
	int (*unit_hook)(void *ctx, struct gw_vet_unit *u);
	void *hook_ctx;
};

struct gw_vet_result {
	struct gw_vet_arena arena;
	char *root;
	char **envs;
	size_t n_envs;
	char *digest;
	struct gw_vet_raw *raws;
	size_t n_raws, cap_raws;
	struct gw_vet_file *files;
	size_t n_files, cap_files;
	struct gw_vet_tool_run tools[GW_VET_TOOL_COUNT];
	size_t n_tools;
	bool partial;
	bool sorted;
	size_t counts[GW_VET_SEVERITY_COUNT];
	size_t suppressed;
};

/* Where a finding points; lines 1-based, columns in code points. */
struct gw_vet_span {
	unsigned line, col, end_line, end_col;
};

/*
 * Add a finding of rule at span in file to the result. message is
 * copied; snippet is the source line (copied, cut to a cap). Returns the
 * raw finding to adjust (fn, delta), or NULL when out of memory or past
 * GW_VET_MAX_FINDINGS (then the run is partial).
 */
struct gw_vet_raw *gw_vet_add(struct gw_vet_state *st, enum gw_vet_rule_id rule,
			      const char *file, const struct gw_vet_span *span,
			      const char *snippet, size_t snippet_len,
			      const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));

/* A finding from another tool, severity already mapped. */
struct gw_vet_raw *
gw_vet_add_external(struct gw_vet_state *st, const char *tool, const char *rule,
		    const char *title, enum gw_vet_severity sev,
		    const char *file, const struct gw_vet_span *span,
		    const char *message);

/* Record a file of the tree in the result; returns it or NULL. */
struct gw_vet_file *gw_vet_add_file(struct gw_vet_state *st, const char *path,
				    enum gw_vet_file_kind kind, uint64_t bytes);

/* New function and class records; -1 when out of memory. */
int gw_vet_new_fn(struct gw_vet_state *st, uint32_t unit, const char *qual,
		  const char *qname, int cls);
int gw_vet_new_class(struct gw_vet_state *st, uint32_t unit, const char *name,
		     const char *qname, uint32_t line);
int gw_vet_add_edge(struct gw_vet_state *st, uint32_t caller, uint32_t callee);
int gw_vet_add_target(struct gw_vet_state *st, uint32_t caller,
		      enum gw_vet_target_kind kind, int cls, const char *name);

/*
 * Analyze one Python source held in memory (check.c): text checks,
 * parse, bind, check. path is relative to the root; unit is its index
 * among analyzed files; pth says the text is a .pth file (only its
 * import lines are Python). Returns 0, or -ENOMEM.
 */
int gw_vet_analyze_source(struct gw_vet_state *st, uint32_t unit,
			  const char *path, const char *src, size_t len,
			  bool pth, struct gw_vet_file *file);

/* Link the call graph, find env classes, give every finding its
 * context and final severity (graph.c). */
int gw_vet_graph_finish(struct gw_vet_state *st);

/* Walk the tree under root and analyze it (walk.c). */
int gw_vet_walk(struct gw_vet_state *st, const char *root,
		struct gw_error *err);

/* Run the external tools asked for and merge their findings (tools.c). */
void gw_vet_tools_run(struct gw_vet_state *st, const char *root,
		      bool root_is_file);

/* A JSON string of s escaped with gw_escape (json null for NULL). */
struct json_t *gw_vet_json_escaped(const char *s);

/* The dotted module name of a relative path ("pkg/mod.py" -> "pkg.mod"). */
char *gw_vet_module_name(struct gw_vet_arena *a, const char *path);

/* A 64-bit FNV-1a hash, for fingerprints and maps. */
uint64_t gw_vet_hash(const void *p, size_t n, uint64_t h);
#define GW_VET_HASH_INIT 0xcbf29ce484222325ull

/* State set-up and teardown for gw_vet_run and the fuzz harness. */
int gw_vet_state_init(struct gw_vet_state *st, const struct gw_vet_opts *opts);
void gw_vet_state_release(struct gw_vet_state *st);
/* Sort, drop suppressed and count: the result is then read-only. */
void gw_vet_result_seal(struct gw_vet_result *r);

#endif /* GW_VET_VET_PRIV_H */
