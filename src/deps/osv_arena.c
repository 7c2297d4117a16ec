/*
 * A bump allocator for a loaded advisory database: many small strings
 * and arrays that live exactly as long as the database, freed at once.
 */
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#include "deps/osv_priv.h"

#define CHUNK_BYTES (256u * 1024)
#define ALIGN	    alignof(max_align_t)

struct osv_chunk {
	struct osv_chunk *next;
	size_t cap, used;
	alignas(max_align_t) unsigned char data[];
};

static struct osv_chunk *new_chunk(struct osv_arena *a, size_t n)
{
	size_t cap = n > CHUNK_BYTES ? n : CHUNK_BYTES;
	struct osv_chunk *c;

	if (a->total + cap > a->max_bytes)
		return NULL;
	c = malloc(sizeof(*c) + cap);
	if (!c)
		return NULL;
	c->cap = cap;
	c->used = 0;
	c->next = a->head;
	a->head = c;
	a->total += cap;
	return c;
}

void *gw_osv_arena_alloc(struct osv_arena *a, size_t n)
{
	struct osv_chunk *c = a->head;
	size_t need = (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
	void *p;

	if (need < n)
		return NULL;
	if (!c || c->cap - c->used < need)
		c = new_chunk(a, need);
	if (!c)
		return NULL;
	p = c->data + c->used;
	c->used += need;
	return p;
}

char *gw_osv_arena_strndup(struct osv_arena *a, const char *s, size_t n)
{
	char *p = gw_osv_arena_alloc(a, n + 1);

	if (!p)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void gw_osv_arena_free(struct osv_arena *a)
{
	struct osv_chunk *c = a->head;

	while (c) {
		struct osv_chunk *next = c->next;

		free(c);
		c = next;
	}
	a->head = NULL;
	a->total = 0;
}
