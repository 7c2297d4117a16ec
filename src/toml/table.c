/*
 * Tables: keys in the order the document defined them, plus an index
 * so that finding a key stays cheap in a table of many keys. The index
 * hash is SipHash-1-3 under a key drawn for each document, so a crafted
 * document cannot make every key land in the same slot.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "toml/internal.h"

/* Tables up to this many keys are searched in order, without an index. */
#define INDEX_MIN_KEYS 8u

struct sip {
	uint64_t v0, v1, v2, v3;
};

static uint64_t rotl(uint64_t x, int b)
{
	return (x << b) | (x >> (64 - b));
}

static void sip_round(struct sip *s)
{
	s->v0 += s->v1, s->v1 = rotl(s->v1, 13), s->v1 ^= s->v0;
	s->v0 = rotl(s->v0, 32);
	s->v2 += s->v3, s->v3 = rotl(s->v3, 16), s->v3 ^= s->v2;
	s->v0 += s->v3, s->v3 = rotl(s->v3, 21), s->v3 ^= s->v0;
	s->v2 += s->v1, s->v1 = rotl(s->v1, 17), s->v1 ^= s->v2;
	s->v2 = rotl(s->v2, 32);
}

/* Eight bytes at b, little-endian, or the n < 8 that remain. */
static uint64_t load_le(const unsigned char *b, size_t n)
{
	uint64_t w = 0;

	for (size_t i = 0; i < n; i++)
		w |= (uint64_t)b[i] << (8 * i);
	return w;
}

static void sip_absorb(struct sip *s, uint64_t m)
{
	s->v3 ^= m;
	sip_round(s);
	s->v0 ^= m;
}

static uint64_t sip_hash(const uint64_t key[2], const char *data, size_t len)
{
	const unsigned char *b = (const unsigned char *)data;
	struct sip s = {
		key[0] ^ 0x736f6d6570736575ull,
		key[1] ^ 0x646f72616e646f6dull,
		key[0] ^ 0x6c7967656e657261ull,
		key[1] ^ 0x7465646279746573ull,
	};
	size_t i;

	for (i = 0; i + 8 <= len; i += 8)
		sip_absorb(&s, load_le(b + i, 8));
	sip_absorb(&s, load_le(b + i, len - i) | (uint64_t)len << 56);

	s.v2 ^= 0xff;
	for (int r = 0; r < 3; r++)
		sip_round(&s);
	return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

static bool key_is(const struct gw_toml_kv *kv, const char *key, size_t len)
{
	return kv->key_len == len && memcmp(kv->key, key, len) == 0;
}

/* Where key is in the index, or the empty slot where it would go. */
static size_t probe(const struct gw_toml_node *n, const char *key, size_t len)
{
	size_t mask = n->nslots - 1;
	size_t i = (size_t)sip_hash(n->seed, key, len) & mask;

	while (n->slots[i] &&
	       !key_is(&n->v.u.tab.kvs[n->slots[i] - 1], key, len))
		i = (i + 1) & mask;
	return i;
}

struct gw_toml_kv *gw_toml_table_find(const struct gw_toml_value *t,
				      const char *key, size_t len)
{
	const struct gw_toml_node *n = (const struct gw_toml_node *)t;
	size_t i;

	if (!n->slots) {
		for (i = 0; i < t->u.tab.len; i++)
			if (key_is(&t->u.tab.kvs[i], key, len))
				return &t->u.tab.kvs[i];
		return NULL;
	}
	i = probe(n, key, len);
	return n->slots[i] ? &t->u.tab.kvs[n->slots[i] - 1] : NULL;
}

/* Rebuild the index with nslots slots (a power of two). */
static int index_resize(struct gw_toml_node *n, size_t nslots)
{
	struct gw_toml_kv *kvs = n->v.u.tab.kvs;
	size_t *slots = calloc(nslots, sizeof(*slots));

	if (!slots)
		return -ENOMEM;
	free(n->slots);
	n->slots = slots;
	n->nslots = nslots;
	for (size_t k = 0; k < n->v.u.tab.len; k++)
		slots[probe(n, kvs[k].key, kvs[k].key_len)] = k + 1;
	return 0;
}

/* Room for one more key, in the array and in the index. */
static int reserve(struct gw_toml_node *n)
{
	size_t len = n->v.u.tab.len, cap;
	struct gw_toml_kv *kvs;

	if (len == n->cap) {
		cap = n->cap ? n->cap * 2 : 4;
		if (cap > SIZE_MAX / 2 / sizeof(*kvs))
			return -ENOMEM;
		kvs = realloc(n->v.u.tab.kvs, cap * sizeof(*kvs));
		if (!kvs)
			return -ENOMEM;
		n->v.u.tab.kvs = kvs;
		n->cap = cap;
	}
	/* Keep the index at most half full. */
	if (len + 1 > INDEX_MIN_KEYS && (len + 1) * 2 > n->nslots)
		return index_resize(n, n->nslots ? n->nslots * 2 : 32);
	return 0;
}

/*
 * Add key (owned by the table from now on) to t. The caller has checked
 * that t lacks it. On failure nothing is taken.
 */
int gw_toml_table_add(struct gw_toml_value *t, char *key, size_t len,
		      unsigned line, unsigned col, struct gw_toml_value *value)
{
	struct gw_toml_node *n = gw_toml_node(t);
	struct gw_toml_kv *kv;
	int r;

	r = reserve(n);
	if (r < 0)
		return r;

	kv = &t->u.tab.kvs[t->u.tab.len++];
	kv->key = key;
	kv->key_len = len;
	kv->line = line;
	kv->col = col;
	kv->value = value;
	if (n->slots)
		n->slots[probe(n, key, len)] = t->u.tab.len;
	return 0;
}
