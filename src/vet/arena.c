/*
 * The analyzer's memory: an arena for the many small pieces a file's
 * analysis makes (freed together), a string-keyed map kept in an arena,
 * and the FNV-1a hash both the map and the fingerprints use.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vet/vet_priv.h"

#define BLOCK_BYTES (64u * 1024)

struct gw_vet_arena_block {
	struct gw_vet_arena_block *next;
	size_t used, cap;
	max_align_t data[];
};

void *gw_vet_arena_alloc(struct gw_vet_arena *a, size_t n)
{
	struct gw_vet_arena_block *b = a->head;
	size_t need = (n + 15) & ~(size_t)15;
	size_t cap;

	if (need < n)
		return NULL;
	if (!b || b->cap - b->used < need) {
		cap = need > BLOCK_BYTES / 2 ? need : BLOCK_BYTES;
		b = malloc(sizeof(*b) + cap);
		if (!b)
			return NULL;
		b->used = 0;
		b->cap = cap;
		/* A big block goes behind the current one, which stays open. */
		if (a->head && need > BLOCK_BYTES / 2) {
			b->next = a->head->next;
			a->head->next = b;
		} else {
			b->next = a->head;
			a->head = b;
		}
		a->bytes += cap;
	}
	b->used += need;
	return (char *)b->data + b->used - need;
}

void *gw_vet_arena_zalloc(struct gw_vet_arena *a, size_t n)
{
	void *p = gw_vet_arena_alloc(a, n);

	if (p)
		memset(p, 0, n);
	return p;
}

char *gw_vet_arena_strndup(struct gw_vet_arena *a, const char *s, size_t n)
{
	char *p = gw_vet_arena_alloc(a, n + 1);

	if (!p)
		return NULL;
	if (n)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *gw_vet_arena_printf(struct gw_vet_arena *a, const char *fmt, ...)
{
	va_list ap;
	char *p;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	p = gw_vet_arena_alloc(a, (size_t)n + 1);
	if (!p)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

void gw_vet_arena_free(struct gw_vet_arena *a)
{
	struct gw_vet_arena_block *b = a->head, *next;

	for (; b; b = next) {
		next = b->next;
		free(b);
	}
	a->head = NULL;
	a->bytes = 0;
}

uint64_t gw_vet_hash(const void *p, size_t n, uint64_t h)
{
	const unsigned char *s = p;

	for (size_t i = 0; i < n; i++) {
		h ^= s[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

static uint32_t key_hash(const char *key, size_t len)
{
	uint64_t h = gw_vet_hash(key, len, GW_VET_HASH_INIT);

	return (uint32_t)(h ^ (h >> 32));
}

static struct gw_vet_map_slot *find_slot(const struct gw_vet_map *m,
					 const char *key, size_t len,
					 uint32_t hash)
{
	uint32_t mask = m->cap - 1;

	for (uint32_t i = hash & mask;; i = (i + 1) & mask) {
		struct gw_vet_map_slot *s = &m->slots[i];

		if (!s->key)
			return s;
		if (s->hash == hash && s->len == len &&
		    memcmp(s->key, key, len) == 0)
			return s;
	}
}

void *gw_vet_map_get(const struct gw_vet_map *m, const char *key, size_t len)
{
	struct gw_vet_map_slot *s;

	if (!m->cap)
		return NULL;
	s = find_slot(m, key, len, key_hash(key, len));
	return s->key ? s->val : NULL;
}

static int grow(struct gw_vet_map *m, struct gw_vet_arena *a)
{
	uint32_t cap = m->cap ? m->cap * 2 : 16;
	struct gw_vet_map old = *m;

	if (cap < m->cap)
		return -ENOMEM;
	m->slots = gw_vet_arena_zalloc(a, cap * sizeof(*m->slots));
	if (!m->slots) {
		*m = old;
		return -ENOMEM;
	}
	m->cap = cap;
	for (uint32_t i = 0; i < old.cap; i++) {
		struct gw_vet_map_slot *s = &old.slots[i];

		if (s->key)
			*find_slot(m, s->key, s->len, s->hash) = *s;
	}
	return 0;
}

int gw_vet_map_put(struct gw_vet_map *m, struct gw_vet_arena *a,
		   const char *key, size_t len, void *val)
{
	struct gw_vet_map_slot *s;
	uint32_t hash = key_hash(key, len);

	if ((m->len + 1) * 4 > m->cap * 3 && grow(m, a) < 0)
		return -ENOMEM;
	s = find_slot(m, key, len, hash);
	if (s->key) {
		s->val = val;
		return 0;
	}
	s->key = gw_vet_arena_strndup(a, key, len);
	if (!s->key)
		return -ENOMEM;
	s->len = (uint32_t)len;
	s->hash = hash;
	s->val = val;
	m->len++;
	return 0;
}

void gw_vet_arena_reset(struct gw_vet_arena *a)
{
	struct gw_vet_arena_block *keep = a->head;

	if (!keep)
		return;
	a->head = keep->next;
	gw_vet_arena_free(a);
	keep->next = NULL;
	keep->used = 0;
	a->head = keep;
	a->bytes = keep->cap;
}
