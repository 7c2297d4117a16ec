/*
 * Where a key may go: the rules of TOML that forbid defining a table or
 * a key twice. How each table came to exist is kept in its flags (see
 * internal.h):
 * - a header may pass through any table that is not inline, and through
 *   the last element of an array of tables; it may define a table only
 *   once, and only if the table was merely implied by an earlier header;
 * - a dotted key may pass through tables it made itself or that were
 *   merely implied by a header, never through one defined by a header
 *   or inline, nor through any array;
 * - inline tables and arrays written as values are complete as written.
 */
#include <errno.h>

#include "core/limits.h"
#include "toml/internal.h"

/* Room in messages for one key, escaped. */
#define KEY_NAME_BYTES 96

static void key_name(const struct gw_toml_keypart *k, char buf[KEY_NAME_BYTES])
{
	gw_toml_quote(buf, KEY_NAME_BYTES, k->s, k->len);
}

/* Make a table or array under key k of t; k's text goes to t. */
static int add_container(struct gw_toml_parser *p, struct gw_toml_value *t,
			 struct gw_toml_keypart *k, enum gw_toml_type type,
			 unsigned flags, struct gw_toml_value **out)
{
	unsigned depth = gw_toml_depth(t) + 1;
	struct gw_toml_value *v;

	if (depth > GW_TOML_MAX_DEPTH)
		return gw_toml_too_deep(p, k->line, k->col);
	v = gw_toml_container_new(type, k->line, k->col, depth, p->seed);
	if (!v)
		return gw_toml_no_memory(p);
	v->flags = flags;
	if (gw_toml_table_add(t, k->s, k->len, k->line, k->col, v) < 0) {
		gw_toml_free(v);
		return gw_toml_no_memory(p);
	}
	k->s = NULL;
	*out = v;
	return 0;
}

/* "an integer", "a string": the article for a type's name. */
static const char *article(enum gw_toml_type type)
{
	return type == GW_TOML_INTEGER || type == GW_TOML_ARRAY ||
			       type == GW_TOML_DATETIME
		       ? "an"
		       : "a";
}

/* The error for a key that names a value which is not a table. */
static int not_a_table(struct gw_toml_parser *p,
		       const struct gw_toml_keypart *k,
		       const struct gw_toml_kv *kv)
{
	char name[KEY_NAME_BYTES];

	key_name(k, name);
	return gw_toml_fail_at(p, -EINVAL, k->line, k->col,
			       "key \"%s\" is already %s %s (defined at "
			       "line %u), not a table",
			       name, article(kv->value->type),
			       gw_toml_type_name(kv->value->type), kv->line);
}

/* One step of a dotted key a.b.c = v, from t to the table named by k. */
int gw_toml_walk_dotted(struct gw_toml_parser *p, struct gw_toml_value *t,
			struct gw_toml_keypart *k, struct gw_toml_value **out)
{
	struct gw_toml_kv *kv = gw_toml_table_find(t, k->s, k->len);
	char name[KEY_NAME_BYTES];
	struct gw_toml_value *v;

	if (!kv)
		return add_container(p, t, k, GW_TOML_TABLE, GW_TOML_F_DOTTED,
				     out);
	v = kv->value;
	if (v->type != GW_TOML_TABLE)
		return not_a_table(p, k, kv);

	key_name(k, name);
	if (v->flags & GW_TOML_F_FROZEN)
		return gw_toml_fail_at(p, -EINVAL, k->line, k->col,
				       "cannot add keys to inline table \"%s\" "
				       "(line %u): it is complete as written",
				       name, v->line);
	if (v->flags & GW_TOML_F_HEADER)
		return gw_toml_fail_at(p, -EINVAL, k->line, k->col,
				       "cannot add keys to table \"%s\" with "
				       "a dotted key: it was defined by a "
				       "[header] at line %u",
				       name, v->line);
	/* Only implied so far: the dotted key is what defines it. */
	if (v->flags & GW_TOML_F_IMPLICIT) {
		v->flags = (v->flags & ~GW_TOML_F_IMPLICIT) | GW_TOML_F_DOTTED;
		v->line = k->line;
		v->col = k->col;
	}
	*out = v;
	return 0;
}

/* One step of a header path [a.b.c], from t to the table named by k. */
int gw_toml_walk_header(struct gw_toml_parser *p, struct gw_toml_value *t,
			struct gw_toml_keypart *k, struct gw_toml_value **out)
{
	struct gw_toml_kv *kv = gw_toml_table_find(t, k->s, k->len);
	char name[KEY_NAME_BYTES];
	struct gw_toml_value *v;

	if (!kv)
		return add_container(p, t, k, GW_TOML_TABLE, GW_TOML_F_IMPLICIT,
				     out);
	v = kv->value;
	key_name(k, name);
	if (v->type == GW_TOML_ARRAY && !(v->flags & GW_TOML_F_AOT))
		return gw_toml_fail_at(p, -EINVAL, k->line, k->col,
				       "cannot add tables to array \"%s\" "
				       "(line %u): only an array of tables "
				       "made with [[...]] can be extended",
				       name, v->line);
	if (v->type == GW_TOML_ARRAY && v->u.arr.len > 0) {
		*out = v->u.arr.items[v->u.arr.len - 1];
		return 0;
	}
	if (v->type != GW_TOML_TABLE)
		return not_a_table(p, k, kv);
	if (v->flags & GW_TOML_F_FROZEN)
		return gw_toml_fail_at(p, -EINVAL, k->line, k->col,
				       "cannot add tables to inline table "
				       "\"%s\" (line %u): it is complete as "
				       "written",
				       name, v->line);
	*out = v;
	return 0;
}

/* Why [k] cannot define the existing value of kv. */
static int redefined(struct gw_toml_parser *p, const struct gw_toml_keypart *k,
		     const struct gw_toml_kv *kv)
{
	const struct gw_toml_value *v = kv->value;
	char name[KEY_NAME_BYTES];
	const char *how;

	key_name(k, name);
	if (v->type == GW_TOML_ARRAY && (v->flags & GW_TOML_F_AOT))
		return gw_toml_fail_at(p, -EINVAL, k->line, k->col,
				       "\"%s\" is an array of tables (line "
				       "%u): add to it with [[...]]",
				       name, v->line);
	if (v->type != GW_TOML_TABLE)
		return not_a_table(p, k, kv);

	how = v->flags & GW_TOML_F_FROZEN   ? "as an inline table"
	      : v->flags & GW_TOML_F_DOTTED ? "by dotted keys"
					    : "by a header";
	return gw_toml_fail_at(p, -EINVAL, k->line, k->col,
			       "table \"%s\" is defined twice: it was "
			       "already defined %s at line %u",
			       name, how, v->line);
}

/* The last step of [a.b.c]: define table k of t. */
int gw_toml_define_table(struct gw_toml_parser *p, struct gw_toml_value *t,
			 struct gw_toml_keypart *k, unsigned line, unsigned col,
			 struct gw_toml_value **out)
{
	struct gw_toml_kv *kv = gw_toml_table_find(t, k->s, k->len);
	struct gw_toml_value *v;
	int r;

	if (!kv) {
		r = add_container(p, t, k, GW_TOML_TABLE, GW_TOML_F_HEADER,
				  out);
		if (r == 0) {
			(*out)->line = line;
			(*out)->col = col;
		}
		return r;
	}
	v = kv->value;
	if (v->type != GW_TOML_TABLE || v->flags != GW_TOML_F_IMPLICIT)
		return redefined(p, k, kv);

	v->flags = GW_TOML_F_HEADER;
	v->line = line;
	v->col = col;
	*out = v;
	return 0;
}

/* The last step of [[a.b.c]]: a new table at the end of array k of t. */
int gw_toml_append_table(struct gw_toml_parser *p, struct gw_toml_value *t,
			 struct gw_toml_keypart *k, unsigned line, unsigned col,
			 struct gw_toml_value **out)
{
	struct gw_toml_kv *kv = gw_toml_table_find(t, k->s, k->len);
	struct gw_toml_value *a, *e;
	char name[KEY_NAME_BYTES];
	int r;

	if (!kv) {
		/* The array and its first table, so check for both. */
		if (gw_toml_depth(t) + 2 > GW_TOML_MAX_DEPTH)
			return gw_toml_too_deep(p, line, col);
		r = add_container(p, t, k, GW_TOML_ARRAY, GW_TOML_F_AOT, &a);
		if (r < 0)
			return r;
	} else if (kv->value->type == GW_TOML_ARRAY &&
		   (kv->value->flags & GW_TOML_F_AOT)) {
		a = kv->value;
	} else {
		key_name(k, name);
		return gw_toml_fail_at(p, -EINVAL, k->line, k->col,
				       "cannot append to \"%s\": it is already "
				       "%s %s (line %u), not an array of "
				       "tables",
				       name, article(kv->value->type),
				       gw_toml_type_name(kv->value->type),
				       kv->value->line);
	}

	if (gw_toml_depth(a) + 1 > GW_TOML_MAX_DEPTH)
		return gw_toml_too_deep(p, line, col);
	e = gw_toml_container_new(GW_TOML_TABLE, line, col,
				  gw_toml_depth(a) + 1, p->seed);
	if (!e || gw_toml_array_push(a, e) < 0) {
		gw_toml_free(e);
		return gw_toml_no_memory(p);
	}
	e->flags = GW_TOML_F_HEADER;
	*out = e;
	return 0;
}

/* A key k that is about to be defined in t must be new there. */
int gw_toml_check_new_key(struct gw_toml_parser *p, struct gw_toml_value *t,
			  const struct gw_toml_keypart *k)
{
	const struct gw_toml_kv *kv = gw_toml_table_find(t, k->s, k->len);
	char name[KEY_NAME_BYTES];

	if (!kv)
		return 0;
	key_name(k, name);
	return gw_toml_fail_at(p, -EINVAL, k->line, k->col,
			       "duplicate key \"%s\" (first defined at line "
			       "%u)",
			       name, kv->line);
}
