/*
 * gymwarden inventory: where a trainer's code asks for environments.
 *
 * The tree is walked, parsed and bound by the vet analyzer; a hook on
 * each file looks at every call, resolves its target through the
 * file's imports (so `import gymnasium as gym; gym.make(...)` counts)
 * and records the env id it names, constant when it folds to a string.
 */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "vet/unit.h"

#define NODE(n) gw_vet_n(u, n)
#define AST	(&u->ast)

/* The calls that use or register an env, by resolved qualified name. */
struct inv_call {
	const char *qname;
	bool reg; /* a register() call: id and entry_point */
};

static const struct inv_call inv_calls[] = {
	{ "gym.make", false },
	{ "gym.make_vec", false },
	{ "gym.vector.make", false },
	{ "gymnasium.make", false },
	{ "gymnasium.make_vec", false },
	{ "gymnasium.vector.make", false },
	{ "gymwarden.make", false },
	{ "gym.register", true },
	{ "gym.envs.register", true },
	{ "gym.envs.registration.register", true },
	{ "gymnasium.register", true },
	{ "gymnasium.envs.register", true },
	{ "gymnasium.envs.registration.register", true },
};

struct gw_vet_inventory {
	struct gw_vet_arena arena;
	struct gw_vet_inv_use *uses;
	size_t n_uses, cap_uses;
	struct gw_vet_inv_reg *regs;
	size_t n_regs, cap_regs;
	bool have_manifest;
	bool partial;
	struct gw_vet_result *vet; /* parse problems live here */
};

static int grow(void **p, size_t *cap, size_t n, size_t size)
{
	size_t ncap = *cap ? *cap * 2 : 16;
	void *q;

	if (n < *cap)
		return 0;
	q = realloc(*p, ncap * size);
	if (!q)
		return -ENOMEM;
	*p = q;
	*cap = ncap;
	return 0;
}

static const struct inv_call *find_call(const char *q)
{
	for (size_t i = 0; i < sizeof(inv_calls) / sizeof(inv_calls[0]); i++)
		if (strcmp(inv_calls[i].qname, q) == 0)
			return &inv_calls[i];
	return NULL;
}

/* The scope code at n runs in: the innermost def or class body. */
static int scope_of(const struct gw_vet_unit *u, uint32_t n)
{
	uint32_t child = n;
	uint32_t p = NODE(n)->parent;

	while (p != GW_VET_NONE) {
		if (NODE(p)->aux && NODE(child)->field == F_BODY)
			return (int)NODE(p)->aux - 1;
		child = p;
		p = NODE(p)->parent;
	}
	return 0;
}

static bool text_is(const struct gw_vet_unit *u, uint32_t n, const char *s)
{
	size_t len;
	const char *t;

	if (n == GW_VET_NONE)
		return false;
	t = gw_vet_text(u, n, &len);
	return len == strlen(s) && memcmp(t, s, len) == 0;
}

/* Keyword argument name, else positional argument pos, else NONE. */
static uint32_t arg_of(const struct gw_vet_unit *u, uint32_t args,
		       const char *name, unsigned pos)
{
	uint32_t found = GW_VET_NONE;

	for (uint32_t a = gw_vet_first_named(AST, args); a != GW_VET_NONE;
	     a = gw_vet_next_named(AST, a)) {
		uint16_t k = NODE(a)->kind;

		if (k == K_KEYWORD_ARGUMENT) {
			if (text_is(u, gw_vet_child_field(AST, a, F_NAME),
				    name))
				return gw_vet_child_field(AST, a, F_VALUE);
		} else if (k == K_LIST_SPLAT || k == K_DICTIONARY_SPLAT) {
			pos = UINT32_MAX;
		} else if (k != K_COMMENT && found == GW_VET_NONE &&
			   pos != UINT32_MAX && pos-- == 0) {
			found = a;
		}
	}
	return found;
}

/* The constant text of n in the run's arena, or NULL when computed. */
static const char *constant(struct gw_vet_unit *u, struct gw_vet_arena *a,
			    int scope, uint32_t n)
{
	struct gw_vet_str s;
	const char *out;

	if (n == GW_VET_NONE || !gw_vet_unit_fold(u, scope, n, &s, 256) ||
	    s.bytes || memchr(s.ptr, '\0', s.len))
		return NULL;
	out = gw_vet_arena_strndup(a, s.ptr, s.len);
	gw_vet_arena_reset(&u->scratch);
	return out;
}

/* An entry point given as a string, or as a class of a module. */
static const char *entry_point(struct gw_vet_unit *u, struct gw_vet_arena *a,
			       int scope, uint32_t n)
{
	struct gw_vet_res res;
	const char *s = constant(u, a, scope, n);

	if (s || n == GW_VET_NONE)
		return s;
	gw_vet_resolve(u, scope, n, &res);
	if (res.kind != RES_QNAME && res.kind != RES_CLASS)
		return NULL;
	if (res.kind == RES_CLASS)
		s = u->st->classes[res.id].qname;
	else
		s = res.q;
	return gw_vet_arena_strndup(a, s, strlen(s));
}

static int add_reg(struct gw_vet_inventory *inv, struct gw_vet_unit *u,
		   int scope, uint32_t args, const char *id, unsigned line)
{
	struct gw_vet_inv_reg *g;
	uint32_t ep = arg_of(u, args, "entry_point", 1);

	if (!id)
		return 0;
	if (grow((void **)&inv->regs, &inv->cap_regs, inv->n_regs,
		 sizeof(*inv->regs)) < 0)
		return -ENOMEM;
	g = &inv->regs[inv->n_regs++];
	g->id = id;
	g->entry_point = entry_point(u, &inv->arena, scope, ep);
	g->file = gw_vet_arena_strndup(&inv->arena, u->path, strlen(u->path));
	g->line = line;
	return 0;
}

static int add_use(struct gw_vet_inventory *inv, const char *call,
		   const char *file, const char *id, unsigned line)
{
	struct gw_vet_inv_use *e;

	if (grow((void **)&inv->uses, &inv->cap_uses, inv->n_uses,
		 sizeof(*inv->uses)) < 0)
		return -ENOMEM;
	e = &inv->uses[inv->n_uses++];
	memset(e, 0, sizeof(*e));
	e->id = id;
	e->dynamic = !id;
	e->file = file;
	e->line = line;
	e->call = call;
	return 0;
}

static int visit_call(struct gw_vet_inventory *inv, struct gw_vet_unit *u,
		      uint32_t n)
{
	int scope = scope_of(u, n);
	uint32_t args = gw_vet_child_field(AST, n, F_ARGUMENTS);
	const struct inv_call *c;
	struct gw_vet_res res;
	const char *id;

	gw_vet_resolve(u, scope, gw_vet_child_field(AST, n, F_FUNCTION), &res);
	if (res.kind != RES_QNAME || !(c = find_call(res.q)) ||
	    args == GW_VET_NONE)
		return 0;
	id = constant(u, &inv->arena, scope, arg_of(u, args, "id", 0));
	if (c->reg)
		return add_reg(inv, u, scope, args, id, NODE(n)->row + 1);
	return add_use(
		inv, c->qname,
		gw_vet_arena_strndup(&inv->arena, u->path, strlen(u->path)), id,
		NODE(n)->row + 1);
}

static int inventory_hook(void *ctx, struct gw_vet_unit *u)
{
	struct gw_vet_inventory *inv = ctx;
	int r;

	for (uint32_t n = 0; n < u->ast.n_nodes; n++) {
		if (NODE(n)->kind != K_CALL)
			continue;
		if ((r = visit_call(inv, u, n)) < 0)
			return r;
	}
	return 0;
}

static int scan(struct gw_vet_inventory *inv, const char *root,
		struct gw_error *err)
{
	struct gw_vet_opts opts = { .root = root };
	struct gw_vet_state st;
	int r;

	if ((r = gw_vet_state_init(&st, &opts)) < 0)
		goto out;
	st.unit_hook = inventory_hook;
	st.hook_ctx = inv;
	if ((r = gw_vet_walk(&st, root, err)) < 0)
		goto out;
	gw_vet_result_seal(st.res);
	inv->partial = gw_vet_result_partial(st.res);
	inv->vet = st.res;
	st.res = NULL;
out:
	gw_vet_state_release(&st);
	if (r == -ENOMEM)
		gw_error_set(err, r, "out of memory");
	return r;
}

int gw_vet_inventory_run(const char *root, struct gw_vet_inventory **out,
			 struct gw_error *err)
{
	struct gw_vet_inventory *inv;
	int r;

	*out = NULL;
	if ((r = gw_vet_grammar_check(err)) < 0)
		return r;
	inv = calloc(1, sizeof(*inv));
	if (!inv)
		return gw_error_set(err, -ENOMEM, "out of memory");
	if ((r = scan(inv, root, err)) < 0) {
		gw_vet_inventory_free(inv);
		return r;
	}
	/* Uses of an id registered in the tree say where its code lives. */
	for (size_t i = 0; i < inv->n_uses; i++)
		for (size_t j = 0; inv->uses[i].id && j < inv->n_regs; j++)
			if (strcmp(inv->uses[i].id, inv->regs[j].id) == 0)
				inv->uses[i].entry_point =
					inv->regs[j].entry_point;
	*out = inv;
	return 0;
}

void gw_vet_inventory_free(struct gw_vet_inventory *inv)
{
	if (!inv)
		return;
	free(inv->uses);
	free(inv->regs);
	gw_vet_result_free(inv->vet);
	gw_vet_arena_free(&inv->arena);
	free(inv);
}

void gw_vet_inventory_cover(struct gw_vet_inventory *inv,
			    const char *const *ids, size_t n)
{
	inv->have_manifest = true;
	for (size_t i = 0; i < inv->n_uses; i++) {
		struct gw_vet_inv_use *e = &inv->uses[i];

		e->covered = false;
		for (size_t j = 0; e->id && j < n; j++)
			if (strcmp(e->id, ids[j]) == 0)
				e->covered = true;
	}
}

size_t gw_vet_inventory_use_count(const struct gw_vet_inventory *inv)
{
	return inv->n_uses;
}

const struct gw_vet_inv_use *
gw_vet_inventory_use_at(const struct gw_vet_inventory *inv, size_t i)
{
	return &inv->uses[i];
}

size_t gw_vet_inventory_reg_count(const struct gw_vet_inventory *inv)
{
	return inv->n_regs;
}

const struct gw_vet_inv_reg *
gw_vet_inventory_reg_at(const struct gw_vet_inventory *inv, size_t i)
{
	return &inv->regs[i];
}

bool gw_vet_inventory_partial(const struct gw_vet_inventory *inv)
{
	return inv->partial;
}

const struct gw_vet_result *
gw_vet_inventory_vet(const struct gw_vet_inventory *inv)
{
	return inv->vet;
}

/* Whether use i is the first uncovered use of its id. */
static bool first_uncovered(const struct gw_vet_inventory *inv, size_t i)
{
	const struct gw_vet_inv_use *e = &inv->uses[i];

	if (!inv->have_manifest || !e->id || e->covered)
		return false;
	for (size_t j = 0; j < i; j++)
		if (inv->uses[j].id && strcmp(inv->uses[j].id, e->id) == 0)
			return false;
	return true;
}

bool gw_vet_inventory_uncovered(const struct gw_vet_inventory *inv, size_t i)
{
	return first_uncovered(inv, i);
}

static json_t *use_json(const struct gw_vet_inventory *inv,
			const struct gw_vet_inv_use *e)
{
	return json_pack("{s:o, s:o, s:I, s:s, s:b, s:o, s:o}", "id",
			 gw_vet_json_escaped(e->id), "file",
			 gw_vet_json_escaped(e->file), "line",
			 (json_int_t)e->line, "call", e->call, "dynamic",
			 e->dynamic, "covered",
			 inv->have_manifest && e->id ? json_boolean(e->covered)
						     : json_null(),
			 "entry_point", gw_vet_json_escaped(e->entry_point));
}

static json_t *reg_json(const struct gw_vet_inv_reg *g)
{
	return json_pack(
		"{s:o, s:o, s:o, s:I}", "id", gw_vet_json_escaped(g->id),
		"entry_point", gw_vet_json_escaped(g->entry_point), "file",
		gw_vet_json_escaped(g->file), "line", (json_int_t)g->line);
}

static int fill_json(const struct gw_vet_inventory *inv, json_t *uses,
		     json_t *regs, json_t *unc)
{
	int r = 0;

	for (size_t i = 0; i < inv->n_uses; i++) {
		r |= json_array_append_new(uses, use_json(inv, &inv->uses[i]));
		if (first_uncovered(inv, i))
			r |= json_array_append_new(
				unc, gw_vet_json_escaped(inv->uses[i].id));
	}
	for (size_t i = 0; i < inv->n_regs; i++)
		r |= json_array_append_new(regs, reg_json(&inv->regs[i]));
	return r ? -ENOMEM : 0;
}

json_t *gw_vet_inventory_to_json(const struct gw_vet_inventory *inv)
{
	json_t *uses = json_array(), *regs = json_array(), *unc = json_array();
	json_t *doc = NULL;

	if (uses && regs && unc && fill_json(inv, uses, regs, unc) == 0)
		doc = json_pack("{s:i, s:s, s:b, s:O, s:O, s:O}", "version", 1,
				"kind", "inventory", "partial", inv->partial,
				"uses", uses, "registrations", regs,
				"uncovered", unc);
	json_decref(uses);
	json_decref(regs);
	json_decref(unc);
	return doc;
}
