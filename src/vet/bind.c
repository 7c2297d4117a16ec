/*
 * Pass A over one file: open a scope for the module, each class and each
 * function; record imports, definitions and simple assignments in them;
 * register functions and classes with the run's call graph. The checker
 * (check.c) then reads these scopes to resolve names.
 */
#include <errno.h>
#include <string.h>

#include "core/limits.h"
#include "vet/unit.h"

#define NODE(n) gw_vet_n(u, n)

static int new_scope(struct gw_vet_unit *u, enum gw_vet_scope_kind kind,
		     int parent, int fn, int cls)
{
	struct gw_vet_scope *s;

	if (u->n_scopes == u->cap_scopes) {
		size_t cap = u->cap_scopes ? u->cap_scopes * 2 : 16;
		struct gw_vet_scope *p =
			gw_vet_arena_alloc(&u->arena, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		if (u->n_scopes)
			memcpy(p, u->scopes, u->n_scopes * sizeof(*p));
		u->scopes = p;
		u->cap_scopes = cap;
	}
	s = &u->scopes[u->n_scopes];
	memset(s, 0, sizeof(*s));
	s->kind = kind;
	s->parent = parent;
	s->fn = fn;
	s->cls = cls;
	return (int)u->n_scopes++;
}

/*
 * Record name in scope. A binding that says what a name is (a module, a
 * function, a constant) is not replaced by one that knows nothing: a
 * later `x = f()` must not hide an earlier `x = os.system`.
 */
static int bind(struct gw_vet_unit *u, int scope, const char *name, size_t len,
		const struct gw_vet_binding *b)
{
	struct gw_vet_map *m = &u->scopes[scope].names;
	struct gw_vet_binding *old = gw_vet_map_get(m, name, len), *nb;

	if (old && b->kind == GW_VET_B_LOCAL && old->kind != GW_VET_B_LOCAL)
		return 0;
	nb = gw_vet_arena_alloc(&u->arena, sizeof(*nb));
	if (!nb)
		return -ENOMEM;
	*nb = *b;
	return gw_vet_map_put(m, &u->arena, name, len, nb);
}

static int bind_local(struct gw_vet_unit *u, int scope, uint32_t ident)
{
	struct gw_vet_binding b = { .kind = GW_VET_B_LOCAL };
	const char *name;
	size_t len;

	if (ident == GW_VET_NONE || NODE(ident)->kind != K_IDENTIFIER)
		return 0;
	name = gw_vet_ident(u, ident, &len);
	return name ? bind(u, scope, name, len, &b) : -ENOMEM;
}

/* "cPickle.loads" -> "pickle.loads"; result in the unit's arena. */
static char *canonical_module(struct gw_vet_unit *u, const char *s, size_t n)
{
	size_t used;
	const char *to = gw_vet_module_alias(s, n, &used);

	if (!to)
		return gw_vet_arena_strndup(&u->arena, s, n);
	return gw_vet_arena_printf(&u->arena, "%s%.*s", to, (int)(n - used),
				   s + used);
}

/* Dotted text of a dotted_name node without spaces or comments. */
static char *dotted(struct gw_vet_unit *u, uint32_t n)
{
	char buf[GW_VET_QNAME_MAX_BYTES];
	size_t o = 0, len;
	const char *t;

	if (NODE(n)->kind == K_IDENTIFIER) {
		t = gw_vet_ident(u, n, &len);
		return t ? canonical_module(u, t, len) : NULL;
	}
	for (uint32_t c = gw_vet_first_named(&u->ast, n); c != GW_VET_NONE;
	     c = gw_vet_next_named(&u->ast, c)) {
		t = gw_vet_ident(u, c, &len);
		if (!t || o + len + 2 > sizeof(buf))
			return NULL;
		if (o)
			buf[o++] = '.';
		memcpy(buf + o, t, len);
		o += len;
	}
	return o ? canonical_module(u, buf, o) : NULL;
}

static int bind_qname(struct gw_vet_unit *u, int scope, const char *name,
		      size_t len, const char *q)
{
	struct gw_vet_binding b = { .kind = GW_VET_B_QNAME,
				    .str = q,
				    .len = strlen(q) };

	return bind(u, scope, name, len, &b);
}

/* import a.b.c / import a.b as x */
static int bind_import(struct gw_vet_unit *u, int scope, uint32_t n)
{
	for (uint32_t c = NODE(n)->first; c != GW_VET_NONE; c = NODE(c)->next) {
		uint32_t name = c, alias = GW_VET_NONE;
		const char *q;
		int r;

		if (NODE(c)->field != F_NAME)
			continue;
		if (NODE(c)->kind == K_ALIASED_IMPORT) {
			name = gw_vet_child_field(&u->ast, c, F_NAME);
			alias = gw_vet_child_field(&u->ast, c, F_ALIAS);
		}
		if (name == GW_VET_NONE || !(q = dotted(u, name)))
			continue;
		if (alias != GW_VET_NONE) {
			size_t len;
			const char *a = gw_vet_ident(u, alias, &len);

			r = a ? bind_qname(u, scope, a, len, q) : -ENOMEM;
		} else {
			/* import os.path binds "os"; import cPickle, "cPickle".
			 */
			uint32_t first =
				NODE(name)->kind == K_DOTTED_NAME
					? gw_vet_first_named(&u->ast, name)
					: name;
			size_t len;
			const char *t = gw_vet_ident(u, first, &len);
			const char *top =
				t ? canonical_module(u, t, len) : NULL;

			r = top ? bind_qname(u, scope, t, len, top) : -ENOMEM;
		}
		if (r < 0)
			return r;
	}
	return 0;
}

/* The module a relative import names: "." is this file's package. */
static char *relative_module(struct gw_vet_unit *u, uint32_t rel)
{
	uint32_t prefix = GW_VET_NONE, name = GW_VET_NONE;
	const char *pkg = u->package;
	size_t dots = 0, plen = strlen(pkg), len;
	char *tail = NULL;
	const char *t;

	for (uint32_t c = NODE(rel)->first; c != GW_VET_NONE; c = NODE(c)->next)
		if (NODE(c)->kind == K_IMPORT_PREFIX)
			prefix = c;
		else if (NODE(c)->kind == K_DOTTED_NAME)
			name = c;
	if (prefix != GW_VET_NONE) {
		t = gw_vet_text(u, prefix, &len);
		for (size_t i = 0; i < len; i++)
			dots += t[i] == '.';
	}
	/* Each dot past the first climbs one package up. */
	for (size_t i = 1; i < dots; i++) {
		while (plen && pkg[plen - 1] != '.')
			plen--;
		if (plen)
			plen--;
	}
	if (name != GW_VET_NONE)
		tail = dotted(u, name);
	if (tail && plen)
		return gw_vet_arena_printf(&u->arena, "%.*s.%s", (int)plen, pkg,
					   tail);
	if (tail)
		return tail;
	return gw_vet_arena_strndup(&u->arena, pkg, plen);
}

static int add_star(struct gw_vet_unit *u, int scope, const char *module)
{
	struct gw_vet_scope *s = &u->scopes[scope];
	const char **p;

	p = gw_vet_arena_alloc(&u->arena, (s->n_stars + 1) * sizeof(*p));
	if (!p)
		return -ENOMEM;
	if (s->n_stars)
		memcpy(p, s->stars, s->n_stars * sizeof(*p));
	p[s->n_stars++] = module;
	s->stars = p;
	return 0;
}

/* from m import a, b as c / from . import x / from m import * */
static int bind_from(struct gw_vet_unit *u, int scope, uint32_t n)
{
	uint32_t mod = gw_vet_child_field(&u->ast, n, F_MODULE_NAME);
	const char *module;
	int r = 0;

	if (mod == GW_VET_NONE)
		return 0;
	module = NODE(mod)->kind == K_RELATIVE_IMPORT ? relative_module(u, mod)
						      : dotted(u, mod);
	if (!module)
		return 0;
	for (uint32_t c = NODE(n)->first; c != GW_VET_NONE && r == 0;
	     c = NODE(c)->next) {
		uint32_t name = c, alias = GW_VET_NONE;
		const char *last, *bound, *q;
		size_t blen;

		if (NODE(c)->kind == K_WILDCARD_IMPORT) {
			r = add_star(u, scope, module);
			continue;
		}
		if (NODE(c)->field != F_NAME)
			continue;
		if (NODE(c)->kind == K_ALIASED_IMPORT) {
			name = gw_vet_child_field(&u->ast, c, F_NAME);
			alias = gw_vet_child_field(&u->ast, c, F_ALIAS);
		}
		if (name == GW_VET_NONE || !(last = dotted(u, name)))
			continue;
		q = module[0] ? gw_vet_arena_printf(&u->arena, "%s.%s", module,
						    last)
			      : last;
		q = q ? canonical_module(u, q, strlen(q)) : NULL;
		bound = alias != GW_VET_NONE ? gw_vet_ident(u, alias, &blen)
					     : gw_vet_ident(u, name, &blen);
		if (NODE(name)->kind == K_DOTTED_NAME && alias == GW_VET_NONE)
			bound = gw_vet_ident(
				u, gw_vet_first_named(&u->ast, name), &blen);
		if (!q || !bound)
			return -ENOMEM;
		r = bind_qname(u, scope, bound, blen, q);
	}
	return r;
}

static const char *scope_qual(const struct gw_vet_unit *u, int scope)
{
	const struct gw_vet_scope *s = &u->scopes[scope];

	if (s->kind == GW_VET_SCOPE_CLASS)
		return u->st->classes[s->cls].name;
	if (s->kind == GW_VET_SCOPE_FUNCTION)
		return u->st->fns[s->fn].qual;
	return "";
}

static int bind_params(struct gw_vet_unit *u, int scope, uint32_t params)
{
	int r = 0;

	for (uint32_t p = gw_vet_first_named(&u->ast, params);
	     p != GW_VET_NONE && r == 0; p = gw_vet_next_named(&u->ast, p)) {
		uint32_t id = p;

		if (NODE(p)->kind != K_IDENTIFIER) {
			id = gw_vet_child_field(&u->ast, p, F_NAME);
			if (id == GW_VET_NONE)
				id = gw_vet_first_named(&u->ast, p);
		}
		r = bind_local(u, scope, id);
	}
	return r;
}

static int bind_block(struct gw_vet_unit *u, int scope, uint32_t n);

static int bind_def(struct gw_vet_unit *u, int scope, uint32_t n)
{
	uint32_t name = gw_vet_child_field(&u->ast, n, F_NAME);
	const struct gw_vet_scope *s = &u->scopes[scope];
	struct gw_vet_binding b = { .kind = GW_VET_B_FUNC };
	int cls = s->cls;
	const char *id, *prefix, *qual, *qname;
	size_t len;
	int fn, inner, r;

	if (name == GW_VET_NONE || !(id = gw_vet_ident(u, name, &len)))
		return 0;
	prefix = scope_qual(u, scope);
	qual = prefix[0] ? gw_vet_arena_printf(&u->st->arena, "%s.%.*s", prefix,
					       (int)len, id)
			 : gw_vet_arena_strndup(&u->st->arena, id, len);
	qname = qual ? gw_vet_arena_printf(&u->st->arena, "%s%s%s", u->modname,
					   u->modname[0] ? "." : "", qual)
		     : NULL;
	if (!qname)
		return -ENOMEM;
	fn = gw_vet_new_fn(u->st, u->index, qual, qname,
			   s->kind == GW_VET_SCOPE_CLASS ? s->cls : -1);
	if (fn < 0)
		return -ENOMEM;
	b.id = fn;
	if ((r = bind(u, scope, id, len, &b)) < 0 ||
	    (r = gw_vet_map_put(&u->st->fn_by_qname, &u->st->arena, qname,
				strlen(qname), (void *)(intptr_t)(fn + 1))) < 0)
		return r;
	if (s->kind == GW_VET_SCOPE_CLASS) {
		struct gw_vet_class *c = &u->st->classes[s->cls];
		intptr_t count = (intptr_t)gw_vet_map_get(
			&u->st->methods_by_name, id, len);

		if ((r = gw_vet_map_put(&c->methods, &u->st->arena, id, len,
					(void *)(intptr_t)(fn + 1))) < 0 ||
		    (r = gw_vet_map_put(&u->st->methods_by_name, &u->st->arena,
					id, len, (void *)(count + 1))) < 0)
			return r;
	}
	inner = new_scope(u, GW_VET_SCOPE_FUNCTION, scope, fn, cls);
	if (inner < 0)
		return inner;
	u->ast.nodes[n].aux = (uint32_t)inner + 1;
	if ((r = bind_params(u, inner,
			     gw_vet_child_field(&u->ast, n, F_PARAMETERS))) < 0)
		return r;
	return bind_block(u, inner, gw_vet_child_field(&u->ast, n, F_BODY));
}

/* The qualified names of a class's bases, as far as they resolve. */
static int class_bases(struct gw_vet_unit *u, int scope, uint32_t n,
		       struct gw_vet_class *c)
{
	uint32_t args = gw_vet_child_field(&u->ast, n, F_SUPERCLASSES);
	const char *list[64];
	size_t k = 0;

	for (uint32_t a = gw_vet_first_named(&u->ast, args);
	     a != GW_VET_NONE && k < 64; a = gw_vet_next_named(&u->ast, a)) {
		struct gw_vet_res r;

		if (NODE(a)->kind == K_KEYWORD_ARGUMENT)
			continue;
		gw_vet_resolve(u, scope, a, &r);
		if (r.kind == RES_QNAME)
			list[k++] =
				gw_vet_arena_strndup(&u->st->arena, r.q, r.len);
		else if (r.kind == RES_CLASS)
			list[k++] = u->st->classes[r.id].qname;
		if (k && !list[k - 1])
			return -ENOMEM;
	}
	c->n_bases = k;
	c->bases = gw_vet_arena_alloc(&u->st->arena, (k + 1) * sizeof(char *));
	if (!c->bases)
		return -ENOMEM;
	memcpy(c->bases, list, k * sizeof(char *));
	return 0;
}

static int bind_class(struct gw_vet_unit *u, int scope, uint32_t n)
{
	uint32_t name = gw_vet_child_field(&u->ast, n, F_NAME);
	struct gw_vet_binding b = { .kind = GW_VET_B_CLASS };
	const char *id, *prefix, *qual, *qname;
	size_t len;
	int cls, inner, r;

	if (name == GW_VET_NONE || !(id = gw_vet_ident(u, name, &len)))
		return 0;
	prefix = scope_qual(u, scope);
	qual = prefix[0] ? gw_vet_arena_printf(&u->st->arena, "%s.%.*s", prefix,
					       (int)len, id)
			 : gw_vet_arena_strndup(&u->st->arena, id, len);
	qname = qual ? gw_vet_arena_printf(&u->st->arena, "%s%s%s", u->modname,
					   u->modname[0] ? "." : "", qual)
		     : NULL;
	if (!qname)
		return -ENOMEM;
	cls = gw_vet_new_class(u->st, u->index, qual, qname, NODE(n)->row + 1);
	if (cls < 0)
		return -ENOMEM;
	if ((r = class_bases(u, scope, n, &u->st->classes[cls])) < 0)
		return r;
	b.id = cls;
	if ((r = bind(u, scope, id, len, &b)) < 0 ||
	    (r = gw_vet_map_put(&u->st->class_by_qname, &u->st->arena, qname,
				strlen(qname), (void *)(intptr_t)(cls + 1))) <
		    0)
		return r;
	inner = new_scope(u, GW_VET_SCOPE_CLASS, scope, u->scopes[scope].fn,
			  cls);
	if (inner < 0)
		return inner;
	u->ast.nodes[n].aux = (uint32_t)inner + 1;
	return bind_block(u, inner, gw_vet_child_field(&u->ast, n, F_BODY));
}

/* The class scope whose methods see `self.x` for class cls. */
static int class_scope(const struct gw_vet_unit *u, int scope, int cls)
{
	for (int s = scope; s >= 0; s = u->scopes[s].parent)
		if (u->scopes[s].kind == GW_VET_SCOPE_CLASS &&
		    u->scopes[s].cls == cls)
			return s;
	return -1;
}

/* What a right-hand side makes of a name, if anything is known. */
static void value_binding(struct gw_vet_unit *u, int scope, uint32_t rhs,
			  struct gw_vet_binding *b)
{
	struct gw_vet_res r;
	struct gw_vet_str s;
	uint16_t k = NODE(rhs)->kind;

	memset(b, 0, sizeof(*b));
	b->kind = GW_VET_B_LOCAL;
	gw_vet_resolve(u, scope, rhs, &r);
	if (r.kind == RES_QNAME) {
		b->kind = GW_VET_B_QNAME;
		b->str = r.q;
		b->len = r.len;
	} else if (r.kind == RES_FUNC || r.kind == RES_CLASS) {
		b->kind = r.kind == RES_FUNC ? GW_VET_B_FUNC : GW_VET_B_CLASS;
		b->id = r.id;
	}
	b->indirect = r.indirect;
	b->computed = r.computed;
	if (b->kind != GW_VET_B_LOCAL)
		return;
	if ((k == K_STRING || k == K_CONCATENATED_STRING ||
	     k == K_BINARY_OPERATOR || k == K_CALL ||
	     k == K_PARENTHESIZED_EXPRESSION || k == K_SUBSCRIPT) &&
	    gw_vet_unit_fold(u, scope, rhs, &s, 0)) {
		b->kind = GW_VET_B_CONST;
		b->str = gw_vet_arena_strndup(&u->arena, s.ptr, s.len);
		b->len = s.len;
		/* A constant that hides its text: decoded or escaped. */
		b->computed = s.decoded || s.escaped;
		if (!b->str)
			b->kind = GW_VET_B_LOCAL;
	}
}

static int bind_target(struct gw_vet_unit *u, int scope, uint32_t left,
		       uint32_t right)
{
	struct gw_vet_binding b;
	const char *name;
	size_t len;
	int r = 0;

	switch (NODE(left)->kind) {
	case K_IDENTIFIER:
		if (right == GW_VET_NONE)
			return bind_local(u, scope, left);
		value_binding(u, scope, right, &b);
		name = gw_vet_ident(u, left, &len);
		return name ? bind(u, scope, name, len, &b) : -ENOMEM;
	case K_ATTRIBUTE: {
		uint32_t obj = gw_vet_child_field(&u->ast, left, F_OBJECT);
		uint32_t attr = gw_vet_child_field(&u->ast, left, F_ATTRIBUTE);
		int cs = class_scope(u, scope, u->scopes[scope].cls);
		const char *o, *a;
		size_t olen, alen;
		char key[GW_VET_QNAME_MAX_BYTES];

		if (cs < 0 || right == GW_VET_NONE || obj == GW_VET_NONE ||
		    attr == GW_VET_NONE || NODE(obj)->kind != K_IDENTIFIER)
			return 0;
		o = gw_vet_text(u, obj, &olen);
		a = gw_vet_text(u, attr, &alen);
		if (olen != 4 || memcmp(o, "self", 4) != 0 ||
		    alen + 6 > sizeof(key))
			return 0;
		value_binding(u, scope, right, &b);
		if (b.kind == GW_VET_B_LOCAL)
			return 0;
		memcpy(key, "self.", 5);
		memcpy(key + 5, a, alen);
		return bind(u, cs, key, alen + 5, &b);
	}
	case K_PATTERN_LIST:
	case K_TUPLE_PATTERN:
	case K_LIST_PATTERN:
	case K_TUPLE:
	case K_LIST:
		for (uint32_t c = gw_vet_first_named(&u->ast, left);
		     c != GW_VET_NONE && r == 0;
		     c = gw_vet_next_named(&u->ast, c))
			r = bind_target(u, scope, c, GW_VET_NONE);
		return r;
	default: return 0;
	}
}

static int bind_assign(struct gw_vet_unit *u, int scope, uint32_t n)
{
	uint32_t left = gw_vet_child_field(&u->ast, n, F_LEFT);
	uint32_t right = gw_vet_child_field(&u->ast, n, F_RIGHT);
	int r;

	/* a = b = value: bind every target to the last value. */
	while (right != GW_VET_NONE && NODE(right)->kind == K_ASSIGNMENT) {
		uint32_t inner_left =
			gw_vet_child_field(&u->ast, right, F_LEFT);
		uint32_t inner_right =
			gw_vet_child_field(&u->ast, right, F_RIGHT);

		if (inner_left != GW_VET_NONE &&
		    (r = bind_target(u, scope, inner_left, inner_right)) < 0)
			return r;
		right = inner_right;
	}
	if (left == GW_VET_NONE)
		return 0;
	return bind_target(u, scope, left, right);
}

/* with x() as name: the name takes what the call returns. */
static int bind_with_item(struct gw_vet_unit *u, int scope, uint32_t item)
{
	uint32_t v = gw_vet_child_field(&u->ast, item, F_VALUE);
	uint32_t target, expr;

	if (v == GW_VET_NONE || NODE(v)->kind != K_AS_PATTERN)
		return 0;
	expr = gw_vet_first_named(&u->ast, v);
	target = gw_vet_child_field(&u->ast, v, F_ALIAS);
	if (target != GW_VET_NONE && NODE(target)->kind == K_AS_PATTERN_TARGET)
		target = gw_vet_first_named(&u->ast, target);
	if (target == GW_VET_NONE || expr == GW_VET_NONE)
		return 0;
	return bind_target(u, scope, target, expr);
}

static bool holds_statements(uint16_t k)
{
	switch (k) {
	case K_CALL:
	case K_STRING:
	case K_CONCATENATED_STRING:
	case K_LIST:
	case K_TUPLE:
	case K_SET:
	case K_DICTIONARY:
	case K_LAMBDA:
	case K_ATTRIBUTE:
	case K_SUBSCRIPT:
	case K_BINARY_OPERATOR:
	case K_IDENTIFIER:
	case K_COMMENT:
	case K_GENERATOR_EXPRESSION:
	case K_LIST_COMPREHENSION:
	case K_SET_COMPREHENSION:
	case K_DICTIONARY_COMPREHENSION: return false;
	default: return true;
	}
}

static int bind_node(struct gw_vet_unit *u, int scope, uint32_t n)
{
	switch (NODE(n)->kind) {
	case K_IMPORT_STATEMENT: return bind_import(u, scope, n);
	case K_IMPORT_FROM_STATEMENT: return bind_from(u, scope, n);
	case K_FUNCTION_DEFINITION: return bind_def(u, scope, n);
	case K_CLASS_DEFINITION: return bind_class(u, scope, n);
	case K_ASSIGNMENT: return bind_assign(u, scope, n);
	case K_WITH_ITEM: return bind_with_item(u, scope, n);
	case K_FOR_STATEMENT:
		bind_target(u, scope, gw_vet_child_field(&u->ast, n, F_LEFT),
			    GW_VET_NONE);
		return bind_block(u, scope, n);
	default:
		if (!holds_statements(NODE(n)->kind))
			return 0;
		return bind_block(u, scope, n);
	}
}

static int bind_block(struct gw_vet_unit *u, int scope, uint32_t n)
{
	int r;

	if (n == GW_VET_NONE)
		return 0;
	for (uint32_t c = NODE(n)->first; c != GW_VET_NONE; c = NODE(c)->next) {
		if (!(NODE(c)->flags & GW_VET_NODE_NAMED))
			continue;
		if ((r = bind_node(u, scope, c)) < 0)
			return r;
	}
	return 0;
}

int gw_vet_bind(struct gw_vet_unit *u)
{
	int scope = new_scope(u, GW_VET_SCOPE_MODULE, -1, u->module_fn, -1);

	if (scope < 0)
		return scope;
	return bind_block(u, scope, 0);
}

const struct gw_vet_binding *gw_vet_lookup(const struct gw_vet_unit *u,
					   int scope, const char *name,
					   size_t len)
{
	/* Class bodies are not visible from the methods inside them. */
	for (int s = scope; s >= 0; s = u->scopes[s].parent) {
		const struct gw_vet_binding *b;

		if (s != scope && u->scopes[s].kind == GW_VET_SCOPE_CLASS)
			continue;
		b = gw_vet_map_get(&u->scopes[s].names, name, len);
		if (b)
			return b;
	}
	return NULL;
}

const char *gw_vet_ident(struct gw_vet_unit *u, uint32_t n, size_t *len)
{
	const char *t = gw_vet_text(u, n, len);
	char fold[256];
	bool folded;

	for (size_t i = 0; i < *len; i++) {
		if ((unsigned char)t[i] < 0x80)
			continue;
		gw_vet_ident_check(t, *len, fold, sizeof(fold), &folded);
		if (!folded)
			return t;
		*len = strlen(fold);
		return gw_vet_arena_strndup(&u->arena, fold, *len);
	}
	return t;
}
