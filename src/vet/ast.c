/*
 * Parsing with the bundled tree-sitter Python grammar, and flattening the
 * tree into an array the analysis walks with plain indices. The grammar
 * is checked once for the ABI the runtime speaks; symbols and fields are
 * mapped to our own enums by name, so aliases of a node type (several
 * symbols named "identifier") all map to one kind.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <tree_sitter/api.h>

#include "core/error.h"
#include "core/limits.h"
#include "vet/vet_priv.h"

const TSLanguage *tree_sitter_python(void);

/* The grammar version the build pins, and the ABI it must speak. */
#define GRAMMAR_ABI 14u

static const char *const kind_names[K_COUNT] = {
	[K_OTHER] = "",
	[K_ERROR] = "ERROR",
	[K_MODULE] = "module",
	[K_BLOCK] = "block",
	[K_EXPRESSION_STATEMENT] = "expression_statement",
	[K_ASSIGNMENT] = "assignment",
	[K_AUGMENTED_ASSIGNMENT] = "augmented_assignment",
	[K_CALL] = "call",
	[K_ATTRIBUTE] = "attribute",
	[K_IDENTIFIER] = "identifier",
	[K_STRING] = "string",
	[K_STRING_START] = "string_start",
	[K_STRING_CONTENT] = "string_content",
	[K_STRING_END] = "string_end",
	[K_ESCAPE_SEQUENCE] = "escape_sequence",
	[K_INTERPOLATION] = "interpolation",
	[K_CONCATENATED_STRING] = "concatenated_string",
	[K_INTEGER] = "integer",
	[K_FLOAT] = "float",
	[K_TRUE] = "true",
	[K_FALSE] = "false",
	[K_NONE] = "none",
	[K_ARGUMENT_LIST] = "argument_list",
	[K_KEYWORD_ARGUMENT] = "keyword_argument",
	[K_LIST] = "list",
	[K_TUPLE] = "tuple",
	[K_SET] = "set",
	[K_DICTIONARY] = "dictionary",
	[K_PAIR] = "pair",
	[K_DICTIONARY_SPLAT] = "dictionary_splat",
	[K_LIST_SPLAT] = "list_splat",
	[K_PARENTHESIZED_EXPRESSION] = "parenthesized_expression",
	[K_BINARY_OPERATOR] = "binary_operator",
	[K_UNARY_OPERATOR] = "unary_operator",
	[K_SUBSCRIPT] = "subscript",
	[K_SLICE] = "slice",
	[K_IMPORT_STATEMENT] = "import_statement",
	[K_IMPORT_FROM_STATEMENT] = "import_from_statement",
	[K_FUTURE_IMPORT_STATEMENT] = "future_import_statement",
	[K_ALIASED_IMPORT] = "aliased_import",
	[K_DOTTED_NAME] = "dotted_name",
	[K_RELATIVE_IMPORT] = "relative_import",
	[K_IMPORT_PREFIX] = "import_prefix",
	[K_WILDCARD_IMPORT] = "wildcard_import",
	[K_FUNCTION_DEFINITION] = "function_definition",
	[K_CLASS_DEFINITION] = "class_definition",
	[K_DECORATED_DEFINITION] = "decorated_definition",
	[K_DECORATOR] = "decorator",
	[K_PARAMETERS] = "parameters",
	[K_LAMBDA] = "lambda",
	[K_LAMBDA_PARAMETERS] = "lambda_parameters",
	[K_DEFAULT_PARAMETER] = "default_parameter",
	[K_TYPED_DEFAULT_PARAMETER] = "typed_default_parameter",
	[K_FOR_STATEMENT] = "for_statement",
	[K_FOR_IN_CLAUSE] = "for_in_clause",
	[K_WITH_STATEMENT] = "with_statement",
	[K_WITH_ITEM] = "with_item",
	[K_AS_PATTERN] = "as_pattern",
	[K_AS_PATTERN_TARGET] = "as_pattern_target",
	[K_COMMENT] = "comment",
	[K_GENERATOR_EXPRESSION] = "generator_expression",
	[K_LIST_COMPREHENSION] = "list_comprehension",
	[K_SET_COMPREHENSION] = "set_comprehension",
	[K_DICTIONARY_COMPREHENSION] = "dictionary_comprehension",
	[K_PATTERN_LIST] = "pattern_list",
	[K_TUPLE_PATTERN] = "tuple_pattern",
	[K_LIST_PATTERN] = "list_pattern",
	[K_EXPRESSION_LIST] = "expression_list",
	[K_EXEC_STATEMENT] = "exec_statement",
	[K_NAMED_EXPRESSION] = "named_expression",
	[K_COMPARISON_OPERATOR] = "comparison_operator",
	[K_KEYWORD_IDENTIFIER] = "keyword_identifier",
	[K_IF_STATEMENT] = "if_statement",
};

static const char *const field_names[F_COUNT] = {
	[F_NONE] = "",
	[F_FUNCTION] = "function",
	[F_ARGUMENTS] = "arguments",
	[F_OBJECT] = "object",
	[F_ATTRIBUTE] = "attribute",
	[F_LEFT] = "left",
	[F_RIGHT] = "right",
	[F_NAME] = "name",
	[F_ALIAS] = "alias",
	[F_MODULE_NAME] = "module_name",
	[F_BODY] = "body",
	[F_SUPERCLASSES] = "superclasses",
	[F_VALUE] = "value",
	[F_KEY] = "key",
	[F_OPERATOR] = "operator",
	[F_PARAMETERS] = "parameters",
	[F_DEFINITION] = "definition",
	[F_SUBSCRIPT] = "subscript",
	[F_ARGUMENT] = "argument",
	[F_CODE] = "code",
	[F_CONDITION] = "condition",
	[F_CONSEQUENCE] = "consequence",
	[F_OTHER] = "",
};

static struct {
	bool ready;
	const TSLanguage *lang;
	uint16_t *kind_of; /* by symbol */
	uint32_t n_symbols;
	uint8_t field_of[256];
	TSParser *parser;
} grammar;

const char *gw_vet_kind_name(enum gw_vet_kind k)
{
	return (unsigned)k < K_COUNT ? kind_names[k] : "?";
}

int gw_vet_grammar_check(struct gw_error *err)
{
	uint32_t v = ts_language_version(tree_sitter_python());

	if (v != GRAMMAR_ABI || v > TREE_SITTER_LANGUAGE_VERSION ||
	    v < TREE_SITTER_MIN_COMPATIBLE_LANGUAGE_VERSION)
		return gw_error_set(err, -ENOTSUP,
				    "the bundled Python grammar speaks "
				    "tree-sitter ABI %u; this build needs %u "
				    "and the runtime accepts %u..%u",
				    v, GRAMMAR_ABI,
				    TREE_SITTER_MIN_COMPATIBLE_LANGUAGE_VERSION,
				    TREE_SITTER_LANGUAGE_VERSION);
	return 0;
}

static uint16_t kind_by_name(const char *name)
{
	for (int k = 1; k < K_COUNT; k++)
		if (strcmp(kind_names[k], name) == 0)
			return (uint16_t)k;
	return K_OTHER;
}

static void map_fields(const TSLanguage *lang)
{
	uint32_t n = ts_language_field_count(lang);

	for (uint32_t id = 1; id <= n && id < 256; id++) {
		const char *name = ts_language_field_name_for_id(lang, id);

		grammar.field_of[id] = F_OTHER;
		for (int f = 1; name && f < F_OTHER; f++)
			if (strcmp(field_names[f], name) == 0)
				grammar.field_of[id] = (uint8_t)f;
	}
}

static int grammar_init(void)
{
	const TSLanguage *lang;

	if (grammar.ready)
		return 0;
	if (gw_vet_grammar_check(NULL) < 0)
		return -ENOTSUP;
	lang = tree_sitter_python();
	grammar.n_symbols = ts_language_symbol_count(lang);
	grammar.kind_of = calloc(grammar.n_symbols, sizeof(uint16_t));
	grammar.parser = ts_parser_new();
	if (!grammar.kind_of || !grammar.parser ||
	    !ts_parser_set_language(grammar.parser, lang)) {
		free(grammar.kind_of);
		if (grammar.parser)
			ts_parser_delete(grammar.parser);
		return -ENOMEM;
	}
	for (uint32_t s = 0; s < grammar.n_symbols; s++)
		if (ts_language_symbol_type(lang, (TSSymbol)s) ==
		    TSSymbolTypeRegular)
			grammar.kind_of[s] = kind_by_name(
				ts_language_symbol_name(lang, (TSSymbol)s));
	map_fields(lang);
	ts_parser_set_timeout_micros(grammar.parser, GW_VET_PARSE_MAX_USEC);
	grammar.lang = lang;
	grammar.ready = true;
	return 0;
}

static uint16_t node_kind(TSNode n)
{
	TSSymbol s = ts_node_symbol(n);

	if (s == (TSSymbol)-1)
		return K_ERROR;
	return s < grammar.n_symbols ? grammar.kind_of[s] : K_OTHER;
}

/* Append one node under parent, after prev (its last child so far). */
static uint32_t push_node(struct gw_vet_ast *ast, TSTreeCursor *c,
			  uint32_t parent, uint32_t prev)
{
	TSNode n = ts_tree_cursor_current_node(c);
	TSFieldId fid = ts_tree_cursor_current_field_id(c);
	struct gw_vet_node *x = &ast->nodes[ast->n_nodes];
	TSPoint a = ts_node_start_point(n), b = ts_node_end_point(n);

	x->start = ts_node_start_byte(n);
	x->end = ts_node_end_byte(n);
	x->row = a.row;
	x->col = a.column;
	x->end_row = b.row;
	x->end_col = b.column;
	x->parent = parent;
	x->first = x->next = GW_VET_NONE;
	x->kind = node_kind(n);
	x->field = fid < 256 ? grammar.field_of[fid] : F_OTHER;
	x->flags = ts_node_is_named(n) ? GW_VET_NODE_NAMED : 0;
	if (x->kind == K_ERROR)
		x->flags |= GW_VET_NODE_ERROR;
	if (ts_node_is_missing(n))
		x->flags |= GW_VET_NODE_MISSING;
	if ((x->flags & (GW_VET_NODE_ERROR | GW_VET_NODE_MISSING)) &&
	    ast->first_error == GW_VET_NONE)
		ast->first_error = ast->n_nodes;
	x->aux = 0;
	if (parent != GW_VET_NONE) {
		if (prev == GW_VET_NONE)
			ast->nodes[parent].first = ast->n_nodes;
		else
			ast->nodes[prev].next = ast->n_nodes;
	}
	return ast->n_nodes++;
}

static int grow_nodes(struct gw_vet_ast *ast, uint32_t *cap)
{
	uint32_t ncap = *cap ? *cap * 2 : 1024;
	struct gw_vet_node *p;

	if (ncap > GW_VET_AST_MAX_NODES)
		ncap = GW_VET_AST_MAX_NODES;
	if (ncap <= *cap)
		return -E2BIG;
	p = realloc(ast->nodes, (size_t)ncap * sizeof(*p));
	if (!p)
		return -ENOMEM;
	ast->nodes = p;
	*cap = ncap;
	return 0;
}

/*
 * Pre-order walk with one cursor; path[d] is the node at depth d and
 * last[d] its newest child. Returns 0, -E2BIG past a cap, -ENOMEM.
 */
static int flatten(struct gw_vet_ast *ast, TSNode root)
{
	uint32_t path[GW_VET_AST_MAX_DEPTH + 1], last[GW_VET_AST_MAX_DEPTH + 1];
	TSTreeCursor c = ts_tree_cursor_new(root);
	uint32_t cap = 0, d = 0;
	int r = 0;

	if ((r = grow_nodes(ast, &cap)) < 0)
		goto out;
	path[0] = push_node(ast, &c, GW_VET_NONE, GW_VET_NONE);
	last[0] = GW_VET_NONE;
	for (;;) {
		if (ast->n_nodes == cap && (r = grow_nodes(ast, &cap)) < 0)
			goto out;
		if (ts_tree_cursor_goto_first_child(&c)) {
			if (d + 1 > GW_VET_AST_MAX_DEPTH) {
				r = -E2BIG;
				goto out;
			}
			last[d] = push_node(ast, &c, path[d], GW_VET_NONE);
			path[d + 1] = last[d];
			d++;
			last[d] = GW_VET_NONE;
			if (d > ast->max_depth)
				ast->max_depth = d;
			continue;
		}
		while (!ts_tree_cursor_goto_next_sibling(&c)) {
			if (d == 0 || !ts_tree_cursor_goto_parent(&c))
				goto out;
			d--;
		}
		last[d - 1] = push_node(ast, &c, path[d - 1], last[d - 1]);
		path[d] = last[d - 1];
		last[d] = GW_VET_NONE;
	}
out:
	ts_tree_cursor_delete(&c);
	return r;
}

int gw_vet_ast_parse(struct gw_vet_ast *ast, const char *src, size_t len)
{
	TSTree *tree;
	int r;

	memset(ast, 0, sizeof(*ast));
	ast->src = src;
	ast->len = len;
	ast->first_error = GW_VET_NONE;
	if ((r = grammar_init()) < 0)
		return r;
	if (len > UINT32_MAX) {
		ast->too_big = true;
		return 0;
	}

	tree = ts_parser_parse_string(grammar.parser, NULL, src, (uint32_t)len);
	if (!tree) {
		ts_parser_reset(grammar.parser);
		ast->timed_out = true;
		return 0;
	}
	r = flatten(ast, ts_tree_root_node(tree));
	ts_tree_delete(tree);
	if (r == -E2BIG) {
		ast->too_big = true;
		ast->n_nodes = 0;
		return 0;
	}
	return r;
}

void gw_vet_ast_release(struct gw_vet_ast *ast)
{
	free(ast->nodes);
	ast->nodes = NULL;
	ast->n_nodes = 0;
}

uint32_t gw_vet_child_field(const struct gw_vet_ast *ast, uint32_t n,
			    enum gw_vet_field f)
{
	if (n == GW_VET_NONE)
		return GW_VET_NONE;
	for (uint32_t c = ast->nodes[n].first; c != GW_VET_NONE;
	     c = ast->nodes[c].next)
		if (ast->nodes[c].field == f)
			return c;
	return GW_VET_NONE;
}

uint32_t gw_vet_next_named(const struct gw_vet_ast *ast, uint32_t c)
{
	if (c == GW_VET_NONE)
		return GW_VET_NONE;
	for (c = ast->nodes[c].next; c != GW_VET_NONE; c = ast->nodes[c].next)
		if ((ast->nodes[c].flags & GW_VET_NODE_NAMED) &&
		    ast->nodes[c].kind != K_COMMENT)
			return c;
	return GW_VET_NONE;
}

uint32_t gw_vet_first_named(const struct gw_vet_ast *ast, uint32_t n)
{
	uint32_t c;

	if (n == GW_VET_NONE)
		return GW_VET_NONE;
	c = ast->nodes[n].first;
	if (c == GW_VET_NONE)
		return GW_VET_NONE;
	if ((ast->nodes[c].flags & GW_VET_NODE_NAMED) &&
	    ast->nodes[c].kind != K_COMMENT)
		return c;
	return gw_vet_next_named(ast, c);
}
