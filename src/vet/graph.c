/*
 * After every file is read: link class bases and call targets across the
 * tree, find the environment classes, walk the call graph from each
 * entry point (install, import, and an env's __init__, reset, step,
 * render and close), and give every finding its context and final
 * severity (docs/rules.md, "Severity model").
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vet/vet_priv.h"

#define MAX_CLASS_DEPTH 32
/* A method name defined in more classes than this is too common to link. */
#define MAX_NAME_TARGETS 3

/* Exact qualified name, else the same name with leading parts dropped. */
static intptr_t find_qname(const struct gw_vet_map *m, const char *q)
{
	for (const char *p = q; p; p = strchr(p, '.'), p = p ? p + 1 : NULL) {
		intptr_t v = (intptr_t)gw_vet_map_get(m, p, strlen(p));

		if (v)
			return v;
	}
	return 0;
}

static void link_bases(struct gw_vet_state *st)
{
	for (size_t i = 0; i < st->n_classes; i++) {
		struct gw_vet_class *c = &st->classes[i];

		c->base_ids = gw_vet_arena_alloc(
			&st->arena, (c->n_bases + 1) * sizeof(int));
		if (!c->base_ids) {
			c->n_bases = 0;
			continue;
		}
		for (size_t b = 0; b < c->n_bases; b++) {
			intptr_t v =
				find_qname(&st->class_by_qname, c->bases[b]);

			c->base_ids[b] =
				v && v - 1 != (intptr_t)i ? (int)v - 1 : -1;
		}
	}
}

static int find_method(const struct gw_vet_state *st, int cls, const char *name,
		       int depth)
{
	const struct gw_vet_class *c;
	intptr_t v;

	if (cls < 0 || depth > MAX_CLASS_DEPTH)
		return -1;
	c = &st->classes[cls];
	v = (intptr_t)gw_vet_map_get(&c->methods, name, strlen(name));
	if (v)
		return (int)v - 1;
	for (size_t b = 0; b < c->n_bases; b++) {
		int f = find_method(st, c->base_ids[b], name, depth + 1);

		if (f >= 0)
			return f;
	}
	return -1;
}

static bool derives_from(const struct gw_vet_state *st, int cls, int base,
			 int depth)
{
	const struct gw_vet_class *c;

	if (cls < 0 || depth > MAX_CLASS_DEPTH)
		return false;
	if (cls == base)
		return true;
	c = &st->classes[cls];
	for (size_t b = 0; b < c->n_bases; b++)
		if (derives_from(st, c->base_ids[b], base, depth + 1))
			return true;
	return false;
}

/* gym.Env, gymnasium.core.Env, gymnasium.Wrapper, dm_env.Environment... */
static bool env_base(const char *q)
{
	const char *last = strrchr(q, '.');
	size_t n;

	if (!last)
		return false;
	last++;
	n = strlen(last);
	if (strcmp(q, "dm_env.Environment") == 0)
		return true;
	if (strncmp(q, "gym.", 4) != 0 && strncmp(q, "gymnasium.", 10) != 0 &&
	    strncmp(q, "pettingzoo.", 11) != 0)
		return false;
	return (n >= 3 && strcmp(last + n - 3, "Env") == 0) ||
	       (n >= 7 && strcmp(last + n - 7, "Wrapper") == 0);
}

static void find_envs(struct gw_vet_state *st)
{
	bool changed = true;

	for (size_t i = 0; i < st->n_classes; i++) {
		struct gw_vet_class *c = &st->classes[i];

		c->is_env = gw_vet_map_get(&st->entry_classes, c->qname,
					   strlen(c->qname)) != NULL ||
			    (find_method(st, (int)i, "step", 0) >= 0 &&
			     find_method(st, (int)i, "reset", 0) >= 0);
		for (size_t b = 0; b < c->n_bases && !c->is_env; b++)
			c->is_env = env_base(c->bases[b]);
	}
	/* A subclass of an env class of the tree is an env too. */
	for (int round = 0; changed && round < MAX_CLASS_DEPTH; round++) {
		changed = false;
		for (size_t i = 0; i < st->n_classes; i++) {
			struct gw_vet_class *c = &st->classes[i];

			for (size_t b = 0; b < c->n_bases && !c->is_env; b++)
				if (c->base_ids[b] >= 0 &&
				    st->classes[c->base_ids[b]].is_env) {
					c->is_env = true;
					changed = true;
				}
		}
	}
}

static int link_self(struct gw_vet_state *st, const struct gw_vet_target *t)
{
	int f = find_method(st, t->cls, t->name, 0);
	int r = 0;

	if (f >= 0)
		r = gw_vet_add_edge(st, t->caller, (uint32_t)f);
	/* self.hook() may be an override in a subclass. */
	for (size_t i = 0; i < st->n_classes && r == 0; i++) {
		intptr_t v;

		if ((int)i == t->cls || !derives_from(st, (int)i, t->cls, 0))
			continue;
		v = (intptr_t)gw_vet_map_get(&st->classes[i].methods, t->name,
					     strlen(t->name));
		if (v)
			r = gw_vet_add_edge(st, t->caller, (uint32_t)(v - 1));
	}
	return r;
}

static int link_method(struct gw_vet_state *st, const struct gw_vet_target *t)
{
	intptr_t count = (intptr_t)gw_vet_map_get(&st->methods_by_name, t->name,
						  strlen(t->name));
	int r = 0;

	if (!count || count > MAX_NAME_TARGETS)
		return 0;
	for (size_t i = 0; i < st->n_classes && r == 0; i++) {
		intptr_t v = (intptr_t)gw_vet_map_get(&st->classes[i].methods,
						      t->name, strlen(t->name));

		if (v)
			r = gw_vet_add_edge(st, t->caller, (uint32_t)(v - 1));
	}
	return r;
}

static int link_qname(struct gw_vet_state *st, const struct gw_vet_target *t)
{
	intptr_t v = find_qname(&st->fn_by_qname, t->name);
	int r = 0;

	if (v)
		return gw_vet_add_edge(st, t->caller, (uint32_t)(v - 1));
	v = find_qname(&st->class_by_qname, t->name);
	if (!v)
		return 0;
	/* Calling a class runs its constructor. */
	for (const char *const *m =
		     (const char *const[]){ "__init__", "__new__",
					    "__post_init__", NULL };
	     *m && r == 0; m++) {
		int f = find_method(st, (int)v - 1, *m, 0);

		if (f >= 0)
			r = gw_vet_add_edge(st, t->caller, (uint32_t)f);
	}
	return r;
}

static int link_targets(struct gw_vet_state *st)
{
	int r = 0;

	for (size_t i = 0; i < st->n_targets && r == 0; i++) {
		const struct gw_vet_target *t = &st->targets[i];

		if (t->kind == GW_VET_TGT_SELF)
			r = link_self(st, t);
		else if (t->kind == GW_VET_TGT_METHOD)
			r = link_method(st, t);
		else
			r = link_qname(st, t);
	}
	return r;
}

/* Mark everything reachable from root with ctx, remembering the entry. */
static int reach(struct gw_vet_state *st, uint32_t root,
		 enum gw_vet_context ctx, const char *via, uint32_t *stack)
{
	unsigned bit = GW_VET_CTX_BIT(ctx);
	size_t top = 0;

	if (st->fns[root].ctx_mask & bit)
		return 0;
	st->fns[root].ctx_mask |= bit;
	st->fns[root].via[ctx] = via;
	stack[top++] = root;
	while (top) {
		const struct gw_vet_fn *f = &st->fns[stack[--top]];

		for (uint32_t e = 0; e < f->n_callees; e++) {
			struct gw_vet_fn *g = &st->fns[f->callees[e]];

			if (g->ctx_mask & bit)
				continue;
			g->ctx_mask |= bit;
			g->via[ctx] = via;
			stack[top++] = f->callees[e];
		}
	}
	return 0;
}

static const struct {
	const char *method;
	enum gw_vet_context ctx;
} lifecycle[] = {
	{ "step", GW_VET_CTX_STEP },	 { "_step", GW_VET_CTX_STEP },
	{ "reset", GW_VET_CTX_RESET },	 { "_reset", GW_VET_CTX_RESET },
	{ "seed", GW_VET_CTX_RESET },	 { "__init__", GW_VET_CTX_INIT },
	{ "render", GW_VET_CTX_RENDER }, { "_render", GW_VET_CTX_RENDER },
	{ "close", GW_VET_CTX_CLOSE },	 { "_close", GW_VET_CTX_CLOSE },
};

/* A setuptools or distutils command: pip runs it while installing. */
static bool install_command(const struct gw_vet_class *c)
{
	for (size_t b = 0; b < c->n_bases; b++)
		if (strncmp(c->bases[b], "setuptools.command.", 19) == 0 ||
		    strncmp(c->bases[b], "distutils.command.", 18) == 0 ||
		    strcmp(c->bases[b], "setuptools.Command") == 0 ||
		    strcmp(c->bases[b], "distutils.cmd.Command") == 0)
			return true;
	return false;
}

static void reach_install_commands(struct gw_vet_state *st, uint32_t *stack)
{
	static const char *const methods[] = { "run", "initialize_options",
					       "finalize_options", NULL };

	for (size_t i = 0; i < st->n_classes; i++) {
		const struct gw_vet_class *c = &st->classes[i];

		if (!install_command(c))
			continue;
		for (size_t k = 0; methods[k]; k++) {
			intptr_t v = (intptr_t)gw_vet_map_get(
				&c->methods, methods[k], strlen(methods[k]));

			if (v)
				reach(st, (uint32_t)(v - 1), GW_VET_CTX_INSTALL,
				      gw_vet_arena_printf(&st->arena, "%s.%s",
							  c->name, methods[k]),
				      stack);
		}
	}
}

static int walk_contexts(struct gw_vet_state *st)
{
	uint32_t *stack = malloc((st->n_fns + 1) * sizeof(uint32_t));

	if (!stack)
		return -ENOMEM;
	for (size_t i = 0; i < st->n_fns; i++)
		if (strcmp(st->fns[i].qual, "<module>") == 0)
			reach(st, (uint32_t)i,
			      st->fns[i].install ? GW_VET_CTX_INSTALL
						 : GW_VET_CTX_IMPORT,
			      NULL, stack);
	reach_install_commands(st, stack);
	for (size_t i = 0; i < st->n_classes; i++) {
		const struct gw_vet_class *c = &st->classes[i];

		if (!c->is_env)
			continue;
		for (size_t k = 0; k < sizeof(lifecycle) / sizeof(lifecycle[0]);
		     k++) {
			int f = find_method(st, (int)i, lifecycle[k].method, 0);
			const char *via;

			if (f < 0)
				continue;
			via = gw_vet_arena_printf(&st->arena, "%s.%s", c->name,
						  lifecycle[k].method);
			reach(st, (uint32_t)f, lifecycle[k].ctx, via, stack);
		}
	}
	free(stack);
	return 0;
}

static enum gw_vet_context strongest(unsigned mask)
{
	for (int c = GW_VET_CTX_COUNT - 1; c > GW_VET_CTX_FUNCTION; c--)
		if (mask & GW_VET_CTX_BIT(c))
			return (enum gw_vet_context)c;
	return GW_VET_CTX_FUNCTION;
}

static enum gw_vet_severity clamp(int s)
{
	return s < GW_VET_LOW	 ? GW_VET_LOW
	       : s > GW_VET_HIGH ? GW_VET_HIGH
				 : (enum gw_vet_severity)s;
}

/* Context and severity of every finding, from where its code runs. */
static void finalize(struct gw_vet_state *st)
{
	struct gw_vet_result *res = st->res;

	for (size_t i = 0; i < res->n_raws; i++) {
		struct gw_vet_raw *raw = &res->raws[i];
		const struct gw_vet_rule *rule;
		unsigned mask, hot;
		const char *via;
		int sev;

		if (raw->f.rule_index < 0 || raw->fixed)
			continue;
		rule = &gw_vet_rules[raw->f.rule_index];
		sev = (int)rule->severity + raw->delta;
		if (raw->fn < 0) {
			raw->f.context = GW_VET_CTX_FILE;
			raw->f.severity = clamp(sev);
			continue;
		}
		mask = st->fns[raw->fn].ctx_mask;
		hot = mask & rule->hot;
		raw->f.context = strongest(hot ? hot : mask);
		if (hot)
			sev++;
		raw->f.severity = clamp(sev);
		via = st->fns[raw->fn].via[raw->f.context];
		/* The result outlives the run's state: copy the name. */
		raw->f.via = via ? gw_vet_arena_strndup(&res->arena, via,
							strlen(via))
				 : NULL;
	}
}

int gw_vet_graph_finish(struct gw_vet_state *st)
{
	int r;

	link_bases(st);
	find_envs(st);
	if ((r = link_targets(st)) < 0 || (r = walk_contexts(st)) < 0)
		return r;
	finalize(st);
	return 0;
}
