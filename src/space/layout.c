/*
 * The packed layout of a space: where each leaf sits in an action slot
 * or a packed observation, computed once per pinned space.
 */
#include <errno.h>
#include <stdlib.h>

#include "space/ops_priv.h"

static bool is_list(const struct gw_space *s)
{
	return s->kind == GW_SPACE_TUPLE || s->kind == GW_SPACE_DICT;
}

static uint64_t leaf_size(const struct gw_space *s)
{
	switch (s->kind) {
	case GW_SPACE_BOX: return s->nelem * gw_dtype_info(s->dtype)->itemsize;
	case GW_SPACE_DISCRETE: return 8;
	case GW_SPACE_MULTI_DISCRETE: return s->nelem * 8;
	case GW_SPACE_MULTI_BINARY: return s->nelem;
	default: return 4 + 4 * s->u.text.max_length;
	}
}

/* The most one leaf's encoding takes: header, 16 dims, data, pad. */
static uint64_t leaf_encoded_max(const struct gw_space *s)
{
	uint64_t data = gw_leaf_data_cap(s);

	if (data < GW_LEAF_MAX_NAME_BYTES)
		data = GW_LEAF_MAX_NAME_BYTES;
	return gw_align8(8 + 8 * GW_SPACE_MAX_DIMS + data);
}

static size_t count_nodes(const struct gw_space *s)
{
	size_t n = 1;

	if (is_list(s))
		for (size_t i = 0; i < s->u.list.len; i++)
			n += count_nodes(s->u.list.items[i]);
	return n;
}

static int fill_leaf(struct gw_space_layout *l, struct gw_layout_node *n)
{
	n->size = leaf_size(n->space);
	l->nleaves++;
	l->leaves_max_bytes += leaf_encoded_max(n->space);
	if (n->space->kind != GW_SPACE_TEXT)
		return 0;
	return gw_charset_new(n->space, &n->charset);
}

/* Lay s out at off as node *next (pre-order); children 8-aligned. */
static int fill(struct gw_space_layout *l, const struct gw_space *s,
		uint64_t off, size_t *next)
{
	struct gw_layout_node *n = &l->nodes[(*next)++];
	uint64_t end = off;
	int r;

	n->space = s;
	n->offset = off;
	if (!is_list(s))
		return fill_leaf(l, n);

	for (size_t i = 0; i < s->u.list.len; i++) {
		size_t child = *next;

		r = fill(l, s->u.list.items[i], gw_align8(end), next);
		if (r < 0)
			return r;
		end = l->nodes[child].offset + l->nodes[child].size;
	}
	n->size = end - off;
	return 0;
}

int gw_space_layout_new(const struct gw_space *s, struct gw_space_layout **out)
{
	struct gw_space_layout *l;
	size_t next = 0;
	int r = -ENOMEM;

	*out = NULL;
	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	l->space = s;
	l->nnodes = count_nodes(s);
	l->nodes = calloc(l->nnodes, sizeof(*l->nodes));
	if (!l->nodes)
		goto fail;

	r = fill(l, s, 0, &next);
	if (r < 0)
		goto fail;
	l->size = l->nodes[0].size;
	/* Room for the one leaf that may name extra elements. */
	l->leaves_max_bytes += gw_align8(8 + GW_LEAF_MAX_NAME_BYTES);
	*out = l;
	return 0;
fail:
	gw_space_layout_free(l);
	return r;
}

void gw_space_layout_free(struct gw_space_layout *l)
{
	if (!l)
		return;
	for (size_t i = 0; l->nodes && i < l->nnodes; i++)
		gw_charset_free(l->nodes[i].charset);
	free(l->nodes);
	free(l);
}

uint64_t gw_space_layout_size(const struct gw_space_layout *l)
{
	return l->size;
}

uint64_t gw_space_layout_leaves_max_bytes(const struct gw_space_layout *l)
{
	return l->leaves_max_bytes;
}

struct walk {
	const struct gw_space_layout *l;
	size_t next;
	struct gw_fpath path;
	gw_leaf_fn fn;
	void *arg;
};

static int walk_node(struct walk *w)
{
	const struct gw_layout_node *n = &w->l->nodes[w->next++];
	const struct gw_space *s = n->space;
	unsigned d = w->path.depth;
	int r = 0;

	if (!is_list(s))
		return w->fn(w->arg, n, &w->path);

	w->path.depth++;
	for (size_t i = 0; i < s->u.list.len && r >= 0; i++) {
		w->path.seg[d].key = s->u.list.keys ? s->u.list.keys[i] : NULL;
		w->path.seg[d].index = i;
		r = walk_node(w);
	}
	w->path.depth = d;
	return r < 0 ? r : 0;
}

int gw_layout_walk(const struct gw_space_layout *l, const char *root,
		   gw_leaf_fn fn, void *arg)
{
	struct walk w;

	/* Only the segments above depth are ever read: no need to clear. */
	w.l = l;
	w.next = 0;
	w.fn = fn;
	w.arg = arg;
	w.path.root = root;
	w.path.depth = 0;
	return walk_node(&w);
}
