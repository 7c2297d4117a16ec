/* Values of the tree: making, growing, freeing and looking up. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "toml/internal.h"

struct gw_toml_value *gw_toml_value_new(enum gw_toml_type type, unsigned line,
					unsigned col)
{
	struct gw_toml_value *v = calloc(1, sizeof(*v));

	if (!v)
		return NULL;
	v->type = type;
	v->line = line;
	v->col = col;
	return v;
}

struct gw_toml_value *gw_toml_container_new(enum gw_toml_type type,
					    unsigned line, unsigned col,
					    unsigned depth,
					    const uint64_t seed[2])
{
	struct gw_toml_node *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->v.type = type;
	n->v.line = line;
	n->v.col = col;
	n->depth = depth;
	n->seed[0] = seed[0];
	n->seed[1] = seed[1];
	return &n->v;
}

int gw_toml_array_push(struct gw_toml_value *a, struct gw_toml_value *item)
{
	struct gw_toml_node *n = gw_toml_node(a);
	struct gw_toml_value **items;
	size_t cap;

	if (a->u.arr.len == n->cap) {
		cap = n->cap ? n->cap * 2 : 4;
		if (cap > SIZE_MAX / 2 / sizeof(*items))
			return -ENOMEM;
		items = realloc(a->u.arr.items, cap * sizeof(*items));
		if (!items)
			return -ENOMEM;
		a->u.arr.items = items;
		n->cap = cap;
	}
	a->u.arr.items[a->u.arr.len++] = item;
	return 0;
}

/* Recursion is bounded: no tree is deeper than GW_TOML_MAX_DEPTH. */
void gw_toml_free(struct gw_toml_value *v)
{
	if (!v)
		return;

	switch (v->type) {
	case GW_TOML_STRING: free(v->u.s.ptr); break;
	case GW_TOML_ARRAY:
		for (size_t i = 0; i < v->u.arr.len; i++)
			gw_toml_free(v->u.arr.items[i]);
		free(v->u.arr.items);
		break;
	case GW_TOML_TABLE:
		for (size_t i = 0; i < v->u.tab.len; i++) {
			free(v->u.tab.kvs[i].key);
			gw_toml_free(v->u.tab.kvs[i].value);
		}
		free(v->u.tab.kvs);
		free(gw_toml_node(v)->slots);
		break;
	default: break;
	}
	free(v);
}

const struct gw_toml_kv *gw_toml_get_kvn(const struct gw_toml_value *t,
					 const char *key, size_t len)
{
	if (!t || t->type != GW_TOML_TABLE || !key)
		return NULL;
	return gw_toml_table_find(t, key, len);
}

const struct gw_toml_kv *gw_toml_get_kv(const struct gw_toml_value *t,
					const char *key)
{
	return key ? gw_toml_get_kvn(t, key, strlen(key)) : NULL;
}

const struct gw_toml_value *gw_toml_get(const struct gw_toml_value *t,
					const char *key)
{
	const struct gw_toml_kv *kv = gw_toml_get_kv(t, key);

	return kv ? kv->value : NULL;
}

const char *gw_toml_type_name(enum gw_toml_type type)
{
	static const char *const names[] = {
		[GW_TOML_STRING] = "string",
		[GW_TOML_INTEGER] = "integer",
		[GW_TOML_FLOAT] = "float",
		[GW_TOML_BOOL] = "boolean",
		[GW_TOML_DATETIME] = "offset date-time",
		[GW_TOML_DATETIME_LOCAL] = "local date-time",
		[GW_TOML_DATE_LOCAL] = "local date",
		[GW_TOML_TIME_LOCAL] = "local time",
		[GW_TOML_ARRAY] = "array",
		[GW_TOML_TABLE] = "table",
	};

	if ((unsigned)type >= sizeof(names) / sizeof(names[0]))
		return "unknown";
	return names[type];
}
