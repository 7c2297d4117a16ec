/*
 * PEP 508 environment markers: "python_version < '3.8' and extra == 'x'".
 * A marker parses into a small tree stored as an array in which every
 * node comes after its children, so evaluation is one loop over the
 * array and needs neither recursion nor allocation.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/error.h"
#include "core/limits.h"
#include "core/log.h"
#include "deps/deps.h"
#include "deps/pep_priv.h"

enum { VAR_LITERAL = -1, VAR_EXTRA = -2 };

/*
 * The variables, where their value lives in struct gw_marker_env, and
 * the dotted spellings from before PEP 508 that pip still accepts.
 */
static const struct {
	const char *name;
	size_t off;
	size_t size;
} vars[] = {
#define VAR(name, field)                                                       \
	{                                                                      \
		name, offsetof(struct gw_marker_env, field),                   \
			sizeof(((struct gw_marker_env *)0)->field)             \
	}
	VAR("python_version", python_version),
	VAR("python_full_version", python_full_version),
	VAR("os_name", os_name),
	VAR("os.name", os_name),
	VAR("sys_platform", sys_platform),
	VAR("sys.platform", sys_platform),
	VAR("platform_release", platform_release),
	VAR("platform_system", platform_system),
	VAR("platform_version", platform_version),
	VAR("platform.version", platform_version),
	VAR("platform_machine", platform_machine),
	VAR("platform.machine", platform_machine),
	VAR("platform_python_implementation", platform_python_implementation),
	VAR("platform.python_implementation", platform_python_implementation),
	VAR("python_implementation", platform_python_implementation),
	VAR("implementation_name", implementation_name),
	VAR("implementation_version", implementation_version),
#undef VAR
};

enum mop {
	MOP_LT,
	MOP_LE,
	MOP_NE,
	MOP_EQ,
	MOP_GE,
	MOP_GT,
	MOP_COMPAT,
	MOP_ARBITRARY,
	MOP_IN,
	MOP_NOT_IN,
};

/* Longest spelling first; the text is also what a specifier starts with. */
static const struct {
	const char *text;
	enum mop op;
} mops[] = {
	{ "===", MOP_ARBITRARY }, { "==", MOP_EQ }, { "!=", MOP_NE },
	{ "<=", MOP_LE },	  { ">=", MOP_GE }, { "~=", MOP_COMPAT },
	{ "<", MOP_LT },	  { ">", MOP_GT },
};

enum mkind { MK_CMP, MK_AND, MK_OR };

/* One side of a comparison: a variable, or a literal in the text. */
struct mside {
	int var;
	unsigned off, len;
};

struct mnode {
	enum mkind kind;
	enum mop op;
	unsigned a, b; /* children of MK_AND and MK_OR */
	struct mside l, r;
};

struct gw_marker {
	char *text; /* a copy of the source: literals point into it */
	size_t n;
	struct mnode nodes[];
};

struct mparse {
	const char *s;
	size_t len, pos;
	unsigned depth;
	struct gw_marker *m;
	size_t cap;
	struct gw_error *err;
};

static int fail(struct mparse *ps, int code, const char *what)
{
	return gw_error_set_at(ps->err, code, 0, (unsigned)ps->pos + 1,
			       "invalid marker: %s", what);
}

static void skip_wsp(struct mparse *ps)
{
	while (ps->pos < ps->len && pep_is_wsp((unsigned char)ps->s[ps->pos]))
		ps->pos++;
}

static bool is_word_char(unsigned char c)
{
	return pep_is_alnum(c) || c == '_' || c == '.';
}

/* The length of the word at the cursor (letters, digits, "_", "."). */
static size_t word_len(const struct mparse *ps)
{
	size_t n = 0;

	while (ps->pos + n < ps->len &&
	       is_word_char((unsigned char)ps->s[ps->pos + n]))
		n++;
	return n;
}

static bool eat_keyword(struct mparse *ps, const char *kw)
{
	size_t n = strlen(kw);

	skip_wsp(ps);
	if (word_len(ps) != n || memcmp(ps->s + ps->pos, kw, n) != 0)
		return false;
	ps->pos += n;
	return true;
}

static int add_node(struct mparse *ps, const struct mnode *node, unsigned *out)
{
	if (ps->m->n == ps->cap)
		return fail(ps, -E2BIG, "too many terms");
	ps->m->nodes[ps->m->n] = *node;
	*out = (unsigned)ps->m->n++;
	return 0;
}

/* PEP 508's python_str: no backslash, no control bytes, no own quote. */
static int parse_string(struct mparse *ps, struct mside *side)
{
	char q = ps->s[ps->pos++];
	size_t start = ps->pos;

	while (ps->pos < ps->len && ps->s[ps->pos] != q) {
		unsigned char c = (unsigned char)ps->s[ps->pos];

		if (c < 0x20 || c == 0x7f || c == '\\')
			return fail(ps, -EINVAL, "bad byte in a string");
		ps->pos++;
	}
	if (ps->pos == ps->len)
		return fail(ps, -EINVAL, "unterminated string");
	side->var = VAR_LITERAL;
	side->off = (unsigned)start;
	side->len = (unsigned)(ps->pos - start);
	ps->pos++;
	return 0;
}

static int parse_side(struct mparse *ps, struct mside *side)
{
	size_t n;

	skip_wsp(ps);
	if (ps->pos < ps->len &&
	    (ps->s[ps->pos] == '"' || ps->s[ps->pos] == '\''))
		return parse_string(ps, side);
	n = word_len(ps);
	if (n == 5 && memcmp(ps->s + ps->pos, "extra", 5) == 0) {
		side->var = VAR_EXTRA;
		ps->pos += n;
		return 0;
	}
	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		if (strlen(vars[i].name) == n &&
		    memcmp(ps->s + ps->pos, vars[i].name, n) == 0) {
			side->var = (int)i;
			ps->pos += n;
			return 0;
		}
	}
	return fail(ps, -EINVAL, "expected a marker variable or a string");
}

static int parse_op(struct mparse *ps, enum mop *op)
{
	skip_wsp(ps);
	for (size_t i = 0; i < sizeof(mops) / sizeof(mops[0]); i++) {
		size_t n = strlen(mops[i].text);

		if (ps->len - ps->pos >= n &&
		    memcmp(ps->s + ps->pos, mops[i].text, n) == 0) {
			ps->pos += n;
			*op = mops[i].op;
			return 0;
		}
	}
	if (eat_keyword(ps, "in")) {
		*op = MOP_IN;
		return 0;
	}
	if (eat_keyword(ps, "not")) {
		size_t before = ps->pos;

		skip_wsp(ps);
		if (ps->pos > before && eat_keyword(ps, "in")) {
			*op = MOP_NOT_IN;
			return 0;
		}
	}
	return fail(ps, -EINVAL, "expected a comparison operator");
}

static int parse_or(struct mparse *ps, unsigned *out);

static int parse_atom(struct mparse *ps, unsigned *out)
{
	struct mnode node = { .kind = MK_CMP };
	int rc;

	skip_wsp(ps);
	if (ps->pos < ps->len && ps->s[ps->pos] == '(') {
		if (++ps->depth > GW_MARKER_MAX_DEPTH)
			return fail(ps, -E2BIG, "parentheses nested too deep");
		ps->pos++;
		rc = parse_or(ps, out);
		if (rc < 0)
			return rc;
		skip_wsp(ps);
		if (ps->pos == ps->len || ps->s[ps->pos] != ')')
			return fail(ps, -EINVAL, "expected ')'");
		ps->pos++;
		ps->depth--;
		return 0;
	}
	rc = parse_side(ps, &node.l);
	if (rc == 0)
		rc = parse_op(ps, &node.op);
	if (rc == 0)
		rc = parse_side(ps, &node.r);
	if (rc == 0)
		rc = add_node(ps, &node, out);
	return rc;
}

/* "and" binds tighter than "or"; both group from the left. */
static int parse_and(struct mparse *ps, unsigned *out)
{
	struct mnode node = { .kind = MK_AND };
	int rc = parse_atom(ps, out);

	while (rc == 0 && eat_keyword(ps, "and")) {
		node.a = *out;
		rc = parse_atom(ps, &node.b);
		if (rc == 0)
			rc = add_node(ps, &node, out);
	}
	return rc;
}

static int parse_or(struct mparse *ps, unsigned *out)
{
	struct mnode node = { .kind = MK_OR };
	int rc = parse_and(ps, out);

	while (rc == 0 && eat_keyword(ps, "or")) {
		node.a = *out;
		rc = parse_and(ps, &node.b);
		if (rc == 0)
			rc = add_node(ps, &node, out);
	}
	return rc;
}

int gw_marker_parse(const char *text, size_t len, struct gw_marker **out,
		    struct gw_error *err)
{
	struct mparse ps = { .s = text, .len = len, .err = err };
	unsigned root;
	int rc;

	*out = NULL;
	if (len > GW_MARKER_MAX_BYTES)
		return gw_error_set(err, -E2BIG, "marker longer than %u bytes",
				    GW_MARKER_MAX_BYTES);
	/*
	 * A comparison takes at least 5 bytes ("''<''"), so there are at
	 * most len / 5 + 1 of them and one fewer "and" and "or" nodes.
	 */
	ps.cap = len / 5 * 2 + 2;
	if (ps.cap > GW_MARKER_MAX_NODES)
		ps.cap = GW_MARKER_MAX_NODES;
	ps.m = malloc(sizeof(*ps.m) + ps.cap * sizeof(ps.m->nodes[0]) + len +
		      1);
	if (!ps.m)
		return gw_error_set(err, -ENOMEM, "out of memory");
	ps.m->n = 0;
	ps.m->text = (char *)&ps.m->nodes[ps.cap];
	memcpy(ps.m->text, text, len);
	ps.m->text[len] = '\0';

	rc = parse_or(&ps, &root);
	skip_wsp(&ps);
	if (rc == 0 && ps.pos != len)
		rc = fail(&ps, -EINVAL, "unexpected text after the marker");
	if (rc < 0) {
		free(ps.m);
		return rc;
	}
	*out = ps.m;
	return 0;
}

void gw_marker_free(struct gw_marker *m)
{
	free(m);
}

/* What a comparison sees: a side's text, extra names folded (PEP 685). */
struct operand {
	const char *s;
	size_t len;
	char fold[128];
};

static void side_value(const struct gw_marker *m, const struct mside *side,
		       const struct gw_marker_env *env, const char *extra,
		       bool fold, struct operand *o)
{
	int n;

	if (side->var == VAR_LITERAL) {
		o->s = m->text + side->off;
		o->len = side->len;
	} else if (side->var == VAR_EXTRA) {
		o->s = extra;
		o->len = strlen(extra);
	} else {
		o->s = (const char *)env + vars[side->var].off;
		o->len = strnlen(o->s, vars[side->var].size);
	}
	if (!fold)
		return;
	n = gw_pep503_fold(o->s, o->len, o->fold, sizeof(o->fold));
	if (n >= 0) {
		o->s = o->fold;
		o->len = (size_t)n;
	}
}

static int str_cmp(const struct operand *l, const struct operand *r)
{
	size_t n = l->len < r->len ? l->len : r->len;
	int c = memcmp(l->s, r->s, n);

	if (c)
		return c;
	return (l->len > r->len) - (l->len < r->len);
}

/* Without versions on both sides: Python's comparison of the strings. */
static int compare_strings(enum mop op, const struct operand *l,
			   const struct operand *r)
{
	int c = str_cmp(l, r);

	switch (op) {
	case MOP_LT: return c < 0;
	case MOP_LE: return c <= 0;
	case MOP_EQ: return c == 0;
	case MOP_NE: return c != 0;
	case MOP_GE: return c >= 0;
	case MOP_GT: return c > 0;
	case MOP_ARBITRARY:
		return l->len == r->len && strncasecmp(l->s, r->s, l->len) == 0;
	default: return -EINVAL; /* "~=" on text has no meaning */
	}
}

static const char *mop_text(enum mop op)
{
	for (size_t i = 0; i < sizeof(mops) / sizeof(mops[0]); i++)
		if (mops[i].op == op)
			return mops[i].text;
	return NULL;
}

/*
 * PEP 508: when the operator and the right side make a PEP 440
 * specifier and the left side is a version, compare them as versions
 * (pre-releases included); otherwise fall back to Python's comparison
 * of the strings.
 */
static int compare(enum mop op, const struct operand *l,
		   const struct operand *r)
{
	char text[sizeof(((struct gw_spec *)0)->text) + 4];
	const char *optext = mop_text(op);
	size_t n = optext ? strlen(optext) : 0;
	struct gw_spec spec;
	struct gw_pep440 v;

	if (optext && r->len + n < sizeof(text)) {
		memcpy(text, optext, n);
		memcpy(text + n, r->s, r->len);
		if (gw_specifier_parse(text, n + r->len, &spec) == 0 &&
		    gw_pep440_parse(l->s, l->len, &v) == 0)
			return gw_spec_match(&spec, &v);
	}
	return compare_strings(op, l, r);
}

static int eval_cmp(const struct gw_marker *m, const struct mnode *node,
		    const struct gw_marker_env *env, const char *extra)
{
	bool fold = node->l.var == VAR_EXTRA || node->r.var == VAR_EXTRA;
	struct operand l, r;

	side_value(m, &node->l, env, extra, fold, &l);
	side_value(m, &node->r, env, extra, fold, &r);
	switch (node->op) {
	case MOP_IN:
	case MOP_NOT_IN: {
		bool in = l.len == 0 || memmem(r.s, r.len, l.s, l.len) != NULL;

		return node->op == MOP_IN ? in : !in;
	}
	default: return compare(node->op, &l, &r);
	}
}

/* Children come before parents, so one pass in order evaluates all. */
static int eval_with(const struct gw_marker *m, const struct gw_marker_env *env,
		     const char *extra)
{
	int res[GW_MARKER_MAX_NODES];

	for (size_t i = 0; i < m->n; i++) {
		const struct mnode *node = &m->nodes[i];
		int a = node->kind == MK_CMP ? 0 : res[node->a];
		int b = node->kind == MK_CMP ? 0 : res[node->b];

		if (a < 0 || b < 0)
			res[i] = a < 0 ? a : b;
		else if (node->kind == MK_AND)
			res[i] = a && b;
		else if (node->kind == MK_OR)
			res[i] = a || b;
		else
			res[i] = eval_cmp(m, node, env, extra);
	}
	return m->n ? res[m->n - 1] : -EINVAL;
}

/*
 * With extras requested, the marker holds when it holds for one of
 * them (as pip evaluates a requirement once per extra); with none,
 * "extra" is the empty string.
 */
int gw_marker_eval(const struct gw_marker *m, const struct gw_marker_env *env)
{
	int any = 0;

	if (!env->extras || !env->extras[0])
		return eval_with(m, env, "");
	for (size_t i = 0; env->extras[i]; i++) {
		int rc = eval_with(m, env, env->extras[i]);

		if (rc < 0)
			return rc;
		any |= rc;
	}
	return any;
}
