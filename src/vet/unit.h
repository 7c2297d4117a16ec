/*
 * One Python file under analysis: its text, its flattened tree, its
 * scopes, and the helpers the binder (bind.c), the resolver (resolve.c)
 * and the checker (check.c) share.
 */
#ifndef GW_VET_UNIT_H
#define GW_VET_UNIT_H

#include "vet/vet_priv.h"

struct gw_vet_unit {
	struct gw_vet_state *st;
	uint32_t index;
	const char *path;    /* relative to the root; in the run's arena */
	const char *modname; /* "pkg.mod" */
	const char *package; /* for relative imports */
	bool is_setup;	     /* a setup.py: module level runs on install */
	bool is_pth;	     /* a .pth file's import lines */
	const char *src;
	size_t len;
	struct gw_vet_ast ast;
	uint32_t *lines; /* byte offset of each line start */
	uint32_t n_lines;
	struct gw_vet_arena arena;   /* freed when the file is done */
	struct gw_vet_arena scratch; /* reset after each fold */
	struct gw_vet_scope *scopes;
	size_t n_scopes, cap_scopes;
	int module_fn;
	struct gw_vet_file *file;
	size_t first_raw; /* the result's findings from this file start here */
	/* Checker state. */
	struct gw_vet_map module_taint; /* name -> labels, module level */
	struct gw_vet_map *taint;	/* the current function's */
	uint8_t *tcache;		/* per node: labels + 1, or 0 */
	struct gw_vet_map seen;		/* "rule:row:col" already reported */
	struct gw_vet_map suppress;	/* "row" -> suppression comment */
	uint32_t cur_node;		/* for name lookups while folding */
	int cur_scope;
};

/* How an expression resolved. */
enum gw_vet_res_kind {
	RES_NONE,
	RES_QNAME,   /* a module or a name inside one */
	RES_FUNC,    /* a function of the tree (id) */
	RES_CLASS,   /* a class of the tree (id) */
	RES_CONST,   /* a string constant (q holds it) */
	RES_SELF,    /* self.<attr> in a method of class id */
	RES_GLOBALS, /* globals(), locals(), vars() */
};

struct gw_vet_res {
	enum gw_vet_res_kind kind;
	const char *q; /* NUL-terminated, in the unit's arena */
	size_t len;
	int id;
	bool indirect; /* reached through getattr, __import__, globals()... */
	bool computed; /* ... with a name that was not a plain literal */
};

/* Pass A: scopes, imports, definitions, simple assignments. */
int gw_vet_bind(struct gw_vet_unit *u);

/* The binding of name as seen from scope, or NULL. */
const struct gw_vet_binding *gw_vet_lookup(const struct gw_vet_unit *u,
					   int scope, const char *name,
					   size_t len);

/* Resolve an expression seen from scope. */
void gw_vet_resolve(struct gw_vet_unit *u, int scope, uint32_t n,
		    struct gw_vet_res *out);

/* Fold n to a constant string seen from scope (scratch arena). */
bool gw_vet_unit_fold(struct gw_vet_unit *u, int scope, uint32_t n,
		      struct gw_vet_str *out, size_t max_bytes);

/* Node text. */
static inline const char *gw_vet_text(const struct gw_vet_unit *u, uint32_t n,
				      size_t *len)
{
	const struct gw_vet_node *x = &u->ast.nodes[n];

	*len = x->end - x->start;
	return u->src + x->start;
}

static inline const struct gw_vet_node *gw_vet_n(const struct gw_vet_unit *u,
						 uint32_t n)
{
	return &u->ast.nodes[n];
}

/* Identifier text as Python sees it (NFKC of compatibility letters). */
const char *gw_vet_ident(struct gw_vet_unit *u, uint32_t n, size_t *len);

/* Pass B (check.c). */
int gw_vet_check(struct gw_vet_unit *u);

#endif /* GW_VET_UNIT_H */
