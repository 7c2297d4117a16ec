/*
 * Resolving an expression to what it names: a qualified name such as
 * "os.system" or "requests.Session()" (the value a call returns), a
 * function or class of the tree, or self.<attr>. Follows import aliases,
 * attribute chains, simple assignments, __import__ and import_module of
 * constant names, getattr with folded strings, globals()[...],
 * sys.modules[...] and X.__dict__[...].
 */
#include <stdio.h>
#include <string.h>

#include "core/limits.h"
#include "vet/unit.h"

#define NODE(n) gw_vet_n(u, n)

static void none(struct gw_vet_res *r)
{
	memset(r, 0, sizeof(*r));
	r->kind = RES_NONE;
}

static void set_q(struct gw_vet_unit *u, struct gw_vet_res *r, const char *q,
		  size_t len)
{
	none(r);
	if (len >= GW_VET_QNAME_MAX_BYTES)
		return;
	r->q = gw_vet_arena_strndup(&u->arena, q, len);
	if (!r->q)
		return;
	r->kind = RES_QNAME;
	r->len = len;
}

/* prefix + "." + name, or prefix + "()" when name is NULL. */
static void join_q(struct gw_vet_unit *u, struct gw_vet_res *r,
		   const char *prefix, size_t plen, const char *name,
		   size_t nlen)
{
	char buf[GW_VET_QNAME_MAX_BYTES];
	bool indirect = r->indirect, computed = r->computed;
	size_t n = plen + (name ? nlen + 1 : 2);

	if (n >= sizeof(buf)) {
		none(r);
		return;
	}
	memcpy(buf, prefix, plen);
	if (name) {
		buf[plen] = '.';
		memcpy(buf + plen + 1, name, nlen);
	} else {
		memcpy(buf + plen, "()", 2);
	}
	set_q(u, r, buf, n);
	r->indirect = indirect;
	r->computed = computed;
}

static void canonical(struct gw_vet_unit *u, struct gw_vet_res *r,
		      const char *s, size_t len)
{
	char buf[GW_VET_QNAME_MAX_BYTES];
	size_t used;
	const char *to = gw_vet_module_alias(s, len, &used);
	int n;

	if (!to) {
		set_q(u, r, s, len);
		return;
	}
	n = snprintf(buf, sizeof(buf), "%s%.*s", to, (int)(len - used),
		     s + used);
	if (n < 0 || (size_t)n >= sizeof(buf)) {
		none(r);
		return;
	}
	set_q(u, r, buf, (size_t)n);
}

static void from_binding(struct gw_vet_unit *u, const struct gw_vet_binding *b,
			 struct gw_vet_res *r)
{
	none(r);
	switch (b->kind) {
	case GW_VET_B_QNAME:
		r->kind = RES_QNAME;
		r->q = b->str;
		r->len = b->len;
		break;
	case GW_VET_B_CONST:
		r->kind = RES_CONST;
		r->q = b->str;
		r->len = b->len;
		break;
	case GW_VET_B_FUNC:
		r->kind = RES_FUNC;
		r->id = b->id;
		r->q = u->st->fns[b->id].qname;
		r->len = strlen(r->q);
		break;
	case GW_VET_B_CLASS:
		r->kind = RES_CLASS;
		r->id = b->id;
		r->q = u->st->classes[b->id].qname;
		r->len = strlen(r->q);
		break;
	default: return;
	}
	r->indirect = b->indirect;
	r->computed = b->computed;
}

/* A name nothing in scope binds: a star import, a builtin, or unknown. */
static void free_name(struct gw_vet_unit *u, int scope, const char *name,
		      size_t len, struct gw_vet_res *r)
{
	const struct gw_vet_scope *m = &u->scopes[0];

	(void)scope;
	none(r);
	for (size_t i = 0; i < m->n_stars; i++) {
		const char *mod = m->stars[i];
		char buf[GW_VET_QNAME_MAX_BYTES];
		size_t ml = strlen(mod);

		if (ml + len + 2 > sizeof(buf))
			continue;
		memcpy(buf, mod, ml);
		buf[ml] = '.';
		memcpy(buf + ml + 1, name, len);
		if (gw_vet_sink_find(buf, ml + len + 1)) {
			set_q(u, r, buf, ml + len + 1);
			return;
		}
	}
	if ((len == 12 && memcmp(name, "__builtins__", 12) == 0) ||
	    (len == 11 && memcmp(name, "__builtin__", 11) == 0)) {
		set_q(u, r, "builtins", 8);
		return;
	}
	if (gw_vet_is_builtin(name, len)) {
		join_q(u, r, "builtins", 8, name, len);
		if (len == 7 && memcmp(name, "globals", 7) == 0)
			r->kind = RES_QNAME;
	}
}

static bool is_self(struct gw_vet_unit *u, int scope, uint32_t obj)
{
	size_t len;
	const char *t;

	if (NODE(obj)->kind != K_IDENTIFIER || u->scopes[scope].cls < 0)
		return false;
	t = gw_vet_text(u, obj, &len);
	return (len == 4 && memcmp(t, "self", 4) == 0) ||
	       (len == 3 && memcmp(t, "cls", 3) == 0);
}

static void resolve_self_attr(struct gw_vet_unit *u, int scope, uint32_t attr,
			      struct gw_vet_res *r)
{
	int cls = u->scopes[scope].cls;
	char key[GW_VET_QNAME_MAX_BYTES];
	const struct gw_vet_binding *b = NULL;
	size_t alen;
	const char *a = gw_vet_text(u, attr, &alen);

	if (alen + 6 <= sizeof(key)) {
		memcpy(key, "self.", 5);
		memcpy(key + 5, a, alen);
		for (int s = scope; s >= 0 && !b; s = u->scopes[s].parent)
			if (u->scopes[s].kind == GW_VET_SCOPE_CLASS &&
			    u->scopes[s].cls == cls)
				b = gw_vet_map_get(&u->scopes[s].names, key,
						   alen + 5);
	}
	if (b) {
		from_binding(u, b, r);
		return;
	}
	none(r);
	r->kind = RES_SELF;
	r->id = cls;
	r->q = gw_vet_arena_strndup(&u->arena, a, alen);
	r->len = alen;
	if (!r->q)
		r->kind = RES_NONE;
}

static void resolve_attribute(struct gw_vet_unit *u, int scope, uint32_t n,
			      struct gw_vet_res *r)
{
	uint32_t obj = gw_vet_child_field(&u->ast, n, F_OBJECT);
	uint32_t attr = gw_vet_child_field(&u->ast, n, F_ATTRIBUTE);
	struct gw_vet_res o;
	const char *a;
	size_t alen;

	none(r);
	if (obj == GW_VET_NONE || attr == GW_VET_NONE)
		return;
	if (is_self(u, scope, obj)) {
		resolve_self_attr(u, scope, attr, r);
		return;
	}
	gw_vet_resolve(u, scope, obj, &o);
	if (o.kind != RES_QNAME && o.kind != RES_CLASS)
		return;
	a = gw_vet_ident(u, attr, &alen);
	if (!a)
		return;
	*r = o;
	join_q(u, r, o.q, o.len, a, alen);
}

/* The first positional argument of a call, or NONE. */
static uint32_t arg0(struct gw_vet_unit *u, uint32_t call)
{
	uint32_t args = gw_vet_child_field(&u->ast, call, F_ARGUMENTS);
	uint32_t a = gw_vet_first_named(&u->ast, args);

	if (a != GW_VET_NONE && NODE(a)->kind == K_KEYWORD_ARGUMENT)
		return GW_VET_NONE;
	return a;
}

/* getattr(obj, name) with name folded; __import__ / import_module(c). */
static void resolve_call(struct gw_vet_unit *u, int scope, uint32_t n,
			 struct gw_vet_res *r)
{
	uint32_t func = gw_vet_child_field(&u->ast, n, F_FUNCTION);
	uint32_t a0 = arg0(u, n), a1 = gw_vet_next_named(&u->ast, a0);
	struct gw_vet_res f, o;
	struct gw_vet_str s;
	bool computed;

	none(r);
	if (func == GW_VET_NONE)
		return;
	gw_vet_resolve(u, scope, func, &f);
	if (f.kind != RES_QNAME)
		return;
	if (strcmp(f.q, "builtins.__import__") == 0 ||
	    strcmp(f.q, "importlib.import_module") == 0 ||
	    strcmp(f.q, "importlib.__import__") == 0) {
		if (a0 == GW_VET_NONE || !gw_vet_unit_fold(u, scope, a0, &s, 0))
			return;
		computed = s.decoded || s.escaped;
		if (f.q[0] == 'b' && memchr(s.ptr, '.', s.len))
			s.len = (size_t)((char *)memchr(s.ptr, '.', s.len) -
					 s.ptr);
		canonical(u, r, s.ptr, s.len);
		r->indirect = true;
		r->computed = computed;
		return;
	}
	if (strcmp(f.q, "builtins.getattr") == 0) {
		if (a0 == GW_VET_NONE || a1 == GW_VET_NONE ||
		    NODE(a1)->kind == K_KEYWORD_ARGUMENT)
			return;
		gw_vet_resolve(u, scope, a0, &o);
		if (o.kind != RES_QNAME && o.kind != RES_GLOBALS)
			return;
		if (!gw_vet_unit_fold(u, scope, a1, &s, 0))
			return;
		computed = s.computed || s.escaped;
		if (o.kind == RES_GLOBALS)
			free_name(u, scope, s.ptr, s.len, r);
		else
			join_q(u, r, o.q, o.len, s.ptr, s.len);
		r->indirect = true;
		r->computed = computed;
		return;
	}
	if (strcmp(f.q, "builtins.globals") == 0 ||
	    strcmp(f.q, "builtins.locals") == 0) {
		r->kind = RES_GLOBALS;
		return;
	}
	if (strcmp(f.q, "builtins.vars") == 0) {
		if (a0 == GW_VET_NONE) {
			r->kind = RES_GLOBALS;
			return;
		}
		gw_vet_resolve(u, scope, a0, r);
		if (r->kind == RES_QNAME)
			join_q(u, r, r->q, r->len, "__dict__", 8);
		return;
	}
	*r = f;
	join_q(u, r, f.q, f.len, NULL, 0);
}

/* globals()["eval"], sys.modules["os"], os.__dict__["system"]. */
static void resolve_subscript(struct gw_vet_unit *u, int scope, uint32_t n,
			      struct gw_vet_res *r)
{
	uint32_t v = gw_vet_child_field(&u->ast, n, F_VALUE);
	uint32_t sub = gw_vet_child_field(&u->ast, n, F_SUBSCRIPT);
	struct gw_vet_res o;
	struct gw_vet_str s;
	bool computed;

	none(r);
	if (v == GW_VET_NONE || sub == GW_VET_NONE)
		return;
	gw_vet_resolve(u, scope, v, &o);
	if (o.kind != RES_GLOBALS && o.kind != RES_QNAME)
		return;
	if (!gw_vet_unit_fold(u, scope, sub, &s, 0))
		return;
	computed = s.computed || s.escaped;
	if (o.kind == RES_GLOBALS) {
		const struct gw_vet_binding *b =
			gw_vet_lookup(u, scope, s.ptr, s.len);

		if (b)
			from_binding(u, b, r);
		else
			free_name(u, scope, s.ptr, s.len, r);
	} else if (strcmp(o.q, "sys.modules") == 0) {
		canonical(u, r, s.ptr, s.len);
	} else if (o.len > 9 && strcmp(o.q + o.len - 9, ".__dict__") == 0) {
		join_q(u, r, o.q, o.len - 9, s.ptr, s.len);
	} else if (strcmp(o.q, "builtins") == 0) {
		join_q(u, r, o.q, o.len, s.ptr, s.len);
	} else {
		return;
	}
	r->indirect = true;
	r->computed = r->computed || computed;
}

void gw_vet_resolve(struct gw_vet_unit *u, int scope, uint32_t n,
		    struct gw_vet_res *out)
{
	const struct gw_vet_binding *b;
	const char *name;
	size_t len;

	none(out);
	if (n == GW_VET_NONE)
		return;
	switch (NODE(n)->kind) {
	case K_IDENTIFIER:
		name = gw_vet_ident(u, n, &len);
		if (!name)
			return;
		b = gw_vet_lookup(u, scope, name, len);
		if (b)
			from_binding(u, b, out);
		else
			free_name(u, scope, name, len, out);
		return;
	case K_ATTRIBUTE: resolve_attribute(u, scope, n, out); return;
	case K_CALL: resolve_call(u, scope, n, out); return;
	case K_SUBSCRIPT: resolve_subscript(u, scope, n, out); return;
	case K_PARENTHESIZED_EXPRESSION:
		gw_vet_resolve(u, scope, gw_vet_first_named(&u->ast, n), out);
		return;
	default: return;
	}
}

/* ---- folding with this unit's names ---- */

struct fold_ctx {
	struct gw_vet_unit *u;
	int scope;
};

static bool name_value(void *ctx, uint32_t ident, struct gw_vet_str *out)
{
	struct fold_ctx *c = ctx;
	const struct gw_vet_binding *b;
	const char *name;
	size_t len;

	name = gw_vet_ident(c->u, ident, &len);
	if (!name)
		return false;
	b = gw_vet_lookup(c->u, c->scope, name, len);
	if (!b || b->kind != GW_VET_B_CONST)
		return false;
	out->ptr = (char *)b->str;
	out->len = b->len;
	out->computed = true;
	out->escaped = b->computed;
	out->bytes = false;
	out->decoded = false;
	return true;
}

static const char *call_name(void *ctx, uint32_t func)
{
	struct fold_ctx *c = ctx;
	struct gw_vet_res r;

	gw_vet_resolve(c->u, c->scope, func, &r);
	return r.kind == RES_QNAME ? r.q : NULL;
}

bool gw_vet_unit_fold(struct gw_vet_unit *u, int scope, uint32_t n,
		      struct gw_vet_str *out, size_t max_bytes)
{
	struct fold_ctx c = { u, scope };
	struct gw_vet_fold_env env = {
		.ast = &u->ast,
		.arena = &u->scratch,
		.ctx = &c,
		.name_value = name_value,
		.call_name = call_name,
		.max_bytes = max_bytes,
	};

	if (!gw_vet_fold_string(&env, n, out))
		return false;
	out->decoded = env.decoded;
	return true;
}
