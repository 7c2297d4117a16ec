/*
 * The scan: one pass over the input splits it into runs (bytes between
 * delimiters such as spaces, quotes and brackets) and ORs the class of
 * every byte of a run into a mask. A run of letters only is skipped at
 * once; otherwise each place a finding may start (the run's start and
 * the byte after '=', ':', '/' or '@') is offered to the rules that may
 * start with that byte, whose run mask, prefix, gate and context all
 * agree, and only then does PCRE2 run, anchored there.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/error.h"
#include "core/limits.h"
#include "sanitize/sanitize_priv.h"

#define R  SC_RUN
#define D  (SC_RUN | SC_DIGIT | SC_HEX)
#define U  (SC_RUN | SC_UPPER)
#define L  (SC_RUN | SC_LOWER)
#define UH (U | SC_HEX)
#define LH (L | SC_HEX)
#define O  (SC_RUN | SC_OTHER)

/* Delimiters are 0: control bytes, space, quotes, brackets, , ; | ` \. */
const uint16_t gw_san_cls[256] = {
	['!'] = O,
	['#'] = O,
	['$'] = O,
	['%'] = O,
	['&'] = O,
	['*'] = O,
	['+'] = SC_RUN | SC_PLUS,
	['-'] = SC_RUN | SC_DASH,
	['.'] = SC_RUN | SC_DOT,
	['/'] = SC_RUN | SC_SLASH | SC_SPLIT,
	['0'] = D,
	['1'] = D,
	['2'] = D,
	['3'] = D,
	['4'] = D,
	['5'] = D,
	['6'] = D,
	['7'] = D,
	['8'] = D,
	['9'] = D,
	[':'] = SC_RUN | SC_COLON | SC_SPLIT,
	['='] = SC_RUN | SC_EQ | SC_SPLIT,
	['?'] = O,
	['@'] = SC_RUN | SC_AT | SC_SPLIT,
	['A'] = UH,
	['B'] = UH,
	['C'] = UH,
	['D'] = UH,
	['E'] = UH,
	['F'] = UH,
	['G'] = U,
	['H'] = U,
	['I'] = U,
	['J'] = U,
	['K'] = U,
	['L'] = U,
	['M'] = U,
	['N'] = U,
	['O'] = U,
	['P'] = U,
	['Q'] = U,
	['R'] = U,
	['S'] = U,
	['T'] = U,
	['U'] = U,
	['V'] = U,
	['W'] = U,
	['X'] = U,
	['Y'] = U,
	['Z'] = U,
	['^'] = O,
	['_'] = SC_RUN | SC_UNDER,
	['a'] = LH,
	['b'] = LH,
	['c'] = LH,
	['d'] = LH,
	['e'] = LH,
	['f'] = LH,
	['g'] = L,
	['h'] = L,
	['i'] = L,
	['j'] = L,
	['k'] = L,
	['l'] = L,
	['m'] = L,
	['n'] = L,
	['o'] = L,
	['p'] = L,
	['q'] = L,
	['r'] = L,
	['s'] = L,
	['t'] = L,
	['u'] = L,
	['v'] = L,
	['w'] = L,
	['x'] = L,
	['y'] = L,
	['z'] = L,
	['~'] = O,
	[0x80 ... 0xff] = O,
};

#undef R
#undef D
#undef U
#undef L
#undef UH
#undef LH
#undef O

/* Runs that hold nothing but letters never start a finding. */
#define SC_WORD_ONLY (SC_RUN | SC_UPPER | SC_LOWER | SC_HEX)

/* One of words (lower case) in the ctx_bytes before pos. */
static bool context_has(const char *in, size_t pos, unsigned ctx_bytes,
			const char *const *words)
{
	size_t from = pos > ctx_bytes ? pos - ctx_bytes : 0;

	for (const char *const *w = words; *w; w++) {
		size_t n = strlen(*w);

		for (size_t i = from; i + n <= pos; i++)
			if ((in[i] | 0x20) == (*w)[0] &&
			    strncasecmp(in + i, *w, n) == 0)
				return true;
	}
	return false;
}

static bool has_prefix(const struct san_rule_def *d, const char *p, size_t left)
{
	if (!d->prefixes[0])
		return true;
	for (unsigned k = 0; k < SAN_MAX_PREFIXES && d->prefixes[k]; k++) {
		size_t n = strlen(d->prefixes[k]);

		if (n <= left && memcmp(p, d->prefixes[k], n) == 0)
			return true;
	}
	return false;
}

static int run_match(struct gw_sanitizer *s, const pcre2_code *code,
		     const char *in, size_t len, size_t pos)
{
	if (s->jit)
		return pcre2_jit_match(code, (PCRE2_SPTR)in, len, pos, 0, s->md,
				       s->mctx);
	return pcre2_match(code, (PCRE2_SPTR)in, len, pos, 0, s->md, s->mctx);
}

bool gw_san_match_at(struct gw_sanitizer *s, const struct san_rule *r,
		     const char *in, size_t len, size_t pos, size_t *start,
		     size_t *end, size_t *resume)
{
	PCRE2_SIZE *ov;
	int rc;

	rc = run_match(s, r->code, in, len, pos);
	/* No match, and a match or depth limit hit, both mean nothing here. */
	if (rc <= 0)
		return false;
	ov = pcre2_get_ovector_pointer(s->md);
	if (ov[1] == ov[0])
		return false;
	*resume = ov[1];
	if (r->group_v && rc > r->group_v &&
	    ov[2 * r->group_v] != PCRE2_UNSET) {
		*start = ov[2 * r->group_v];
		*end = ov[2 * r->group_v + 1];
	} else {
		*start = ov[0];
		*end = ov[1];
	}
	return *end > *start;
}

/* Rule r at ctx->pos: every cheap test, then the pattern, the validator. */
static bool try_rule(struct gw_sanitizer *s, const struct san_rule *r,
		     const struct san_ctx *c, struct gw_san_span *out,
		     size_t *resume)
{
	const struct san_rule_def *d = r->def;
	size_t pos = c->pos, st, en;

	if (!has_prefix(d, c->in + pos, c->len - pos))
		return false;
	if (d->gate && !d->gate(c))
		return false;
	if (d->context && !context_has(c->in, pos, d->ctx_bytes, d->context))
		return false;
	if (d->back && pos > 0 && c->in[pos - 1] == d->back)
		pos--;
	if (!gw_san_match_at(s, r, c->in, c->len, pos, &st, &en, resume))
		return false;
	if (d->validate && !d->validate(c->in, c->len, &st, &en))
		return false;
	if (r->kind == GW_SAN_HIGH_ENTROPY &&
	    !gw_san_high_entropy(c->in + st, en - st, s->entropy_bits))
		return false;
	if (s->n_allow && gw_san_allowed(s, c->in + st, en - st))
		return false;
	if (*resume < en)
		*resume = en;
	out->start = st;
	out->end = en;
	out->kind = r->kind;
	out->rule = (unsigned)(r - s->rules);
	return true;
}

static bool try_at(struct gw_sanitizer *s, const struct san_ctx *c,
		   struct gw_san_span *out, size_t *resume)
{
	unsigned char b = (unsigned char)c->in[c->pos];
	uint64_t cand = s->first_rules[b] &
			s->need_ok[(c->run->mask >> 1) & (SAN_NEED_SLOTS - 1)];

	while (cand) {
		unsigned k = (unsigned)__builtin_ctzll(cand);

		cand &= cand - 1;
		if (try_rule(s, &s->rules[k], c, out, resume))
			return true;
	}
	return false;
}

struct span_vec {
	struct gw_san_span *v;
	size_t n, cap;
};

static int push(struct span_vec *sv, const struct gw_san_span *sp)
{
	if (sv->n == sv->cap) {
		size_t cap = sv->cap ? sv->cap * 2 : 64;
		struct gw_san_span *v = realloc(sv->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		sv->v = v;
		sv->cap = cap;
	}
	sv->v[sv->n++] = *sp;
	return 0;
}

/* The next place after p inside the run where a finding may start. */
static size_t next_start(const char *in, size_t p, size_t end)
{
	for (p++; p < end; p++)
		if (gw_san_cls[(unsigned char)in[p - 1]] & SC_SPLIT)
			return p;
	return end;
}

static int scan_run(struct gw_sanitizer *s, struct san_run *run, const char *in,
		    size_t len, struct span_vec *sv, size_t *next)
{
	struct san_ctx c = { .in = in, .len = len, .run = run };
	struct gw_san_span sp;
	size_t p = run->start, resume;

	*next = run->end;
	while (p < run->end) {
		c.pos = p;
		if (!try_at(s, &c, &sp, &resume)) {
			p = (run->mask & SC_SPLIT) ? next_start(in, p, run->end)
						   : run->end;
			continue;
		}
		if (push(sv, &sp) < 0)
			return -ENOMEM;
		if (resume >= run->end) {
			*next = resume;
			return 0;
		}
		p = resume;
	}
	return 0;
}

/*
 * The masks of one 64-byte block: bit i stands for byte i. digit, dot,
 * colon, dash, at, plus: that byte; tok: a byte of [A-Za-z0-9_+/-], the
 * alphabet of tokens and keys; num: a digit or a separator of numbers
 * (space, '-', '.', '(', ')', '/').
 */
struct block_masks {
	uint64_t digit, dot, colon, dash, at, tok, num, plus, upper;
};

#ifdef __SSE2__
#include <emmintrin.h>

static void block_masks(const unsigned char *p, struct block_masks *m)
{
	const __m128i zero = _mm_set1_epi8('0'), nine = _mm_set1_epi8(9);
	const __m128i a = _mm_set1_epi8('a'), z = _mm_set1_epi8(25);

	memset(m, 0, sizeof(*m));
	for (int k = 0; k < 4; k++) {
		__m128i x = _mm_loadu_si128((const __m128i *)(p + 16 * k));
		__m128i d = _mm_sub_epi8(x, zero);
		__m128i l =
			_mm_sub_epi8(_mm_or_si128(x, _mm_set1_epi8(0x20)), a);
		__m128i dig = _mm_cmpeq_epi8(_mm_min_epu8(d, nine), d);
		__m128i alpha = _mm_cmpeq_epi8(_mm_min_epu8(l, z), l);
		__m128i dash = _mm_cmpeq_epi8(x, _mm_set1_epi8('-'));
		__m128i tok = _mm_or_si128(
			_mm_or_si128(dig, alpha),
			_mm_or_si128(
				_mm_or_si128(
					dash,
					_mm_cmpeq_epi8(x, _mm_set1_epi8('_'))),
				_mm_or_si128(
					_mm_cmpeq_epi8(x, _mm_set1_epi8('+')),
					_mm_cmpeq_epi8(x,
						       _mm_set1_epi8('/')))));
		__m128i dot = _mm_cmpeq_epi8(x, _mm_set1_epi8('.'));
		__m128i num = _mm_or_si128(
			_mm_or_si128(
				_mm_or_si128(dig, dash),
				_mm_or_si128(
					dot,
					_mm_cmpeq_epi8(x, _mm_set1_epi8(' ')))),
			_mm_or_si128(
				_mm_or_si128(
					_mm_cmpeq_epi8(x, _mm_set1_epi8('(')),
					_mm_cmpeq_epi8(x, _mm_set1_epi8(')'))),
				_mm_cmpeq_epi8(x, _mm_set1_epi8('/'))));
		unsigned sh = 16u * (unsigned)k;

		m->num |= (uint64_t)(uint16_t)_mm_movemask_epi8(num) << sh;
		m->upper |=
			(uint64_t)(uint16_t)_mm_movemask_epi8(_mm_and_si128(
				alpha,
				_mm_cmpeq_epi8(
					_mm_and_si128(x, _mm_set1_epi8(0x20)),
					_mm_setzero_si128())))
			<< sh;
		m->plus |= (uint64_t)(uint16_t)_mm_movemask_epi8(
				   _mm_cmpeq_epi8(x, _mm_set1_epi8('+')))
			   << sh;

		m->digit |= (uint64_t)(uint16_t)_mm_movemask_epi8(dig) << sh;
		m->dot |= (uint64_t)(uint16_t)_mm_movemask_epi8(dot) << sh;
		m->colon |= (uint64_t)(uint16_t)_mm_movemask_epi8(
				    _mm_cmpeq_epi8(x, _mm_set1_epi8(':')))
			    << sh;
		m->at |= (uint64_t)(uint16_t)_mm_movemask_epi8(
				 _mm_cmpeq_epi8(x, _mm_set1_epi8('@')))
			 << sh;
		m->dash |= (uint64_t)(uint16_t)_mm_movemask_epi8(dash) << sh;
		m->tok |= (uint64_t)(uint16_t)_mm_movemask_epi8(tok) << sh;
	}
}
#else
static void block_masks(const unsigned char *p, struct block_masks *m)
{
	memset(m, 0, sizeof(*m));
	for (unsigned i = 0; i < 64; i++) {
		uint64_t bit = 1ull << i;
		unsigned c = gw_san_cls[p[i]];

		m->digit |= (c & SC_DIGIT) ? bit : 0;
		m->dot |= p[i] == '.' ? bit : 0;
		m->colon |= p[i] == ':' ? bit : 0;
		m->dash |= p[i] == '-' ? bit : 0;
		m->at |= p[i] == '@' ? bit : 0;
		m->plus |= p[i] == '+' ? bit : 0;
		m->upper |= (c & SC_UPPER) ? bit : 0;
		m->num |= ((c & SC_DIGIT) || strchr(" -.()/", p[i])) && p[i]
				  ? bit
				  : 0;
		m->tok |= ((c & SC_ALNUM) || strchr("_+/-", p[i])) && p[i] ? bit
									   : 0;
	}
}
#endif

/* Bits [k, k + 64) of the 128-bit value hi:lo. */
static inline uint64_t shr128(uint64_t lo, uint64_t hi, unsigned k)
{
	return k == 0 ? lo : (lo >> k) | (hi << (64 - k));
}

/* Population count without the popcnt instruction x86-64 may lack. */
static inline unsigned popcount64(uint64_t x)
{
	x = x - ((x >> 1) & 0x5555555555555555ull);
	x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
	return (unsigned)((x * 0x0101010101010101ull) >> 56);
}

/* Bit i set when bits i .. i + n - 1 of hi:lo all are (n a power of 2). */
static uint64_t run_of(uint64_t lo, uint64_t hi, unsigned n)
{
	for (unsigned k = 1; k < n; k *= 2) {
		lo &= shr128(lo, hi, k);
		hi &= hi >> k;
	}
	return lo;
}

/*
 * Whether the run of number bytes starting at bit b holds nine digits,
 * or three dots come within 15 bytes (one within the first four).
 */
static bool numeric_start(const struct block_masks *m,
			  const struct block_masks *n, unsigned b)
{
	uint64_t num = shr128(m->num, n->num, b);
	uint64_t dot = shr128(m->dot, n->dot, b);
	unsigned width = num == ~0ull ? 64 : (unsigned)__builtin_ctzll(~num);

	if (width >= 9) {
		if (width > 40)
			width = 40;
		if (popcount64(shr128(m->digit, n->digit, b) &
			       ((1ull << width) - 1)) >= 9)
			return true;
	}
	return (dot & 0xf) && popcount64(dot & 0x7fff) >= 3;
}

/* "::", four colons within 17 bytes, or four dashes (the next near). */
static bool separator_start(const struct block_masks *m,
			    const struct block_masks *n, unsigned b)
{
	uint64_t colon = shr128(m->colon, n->colon, b);
	uint64_t dash = shr128(m->dash, n->dash, b);

	if (colon & 1) {
		if (colon & 2)
			return true;
		if ((colon & 0x3e) && popcount64(colon & 0x1ffff) >= 4)
			return true;
	}
	return (dash & 1) && (dash & 0xe) && popcount64(dash & 0x1ffff) >= 4;
}

/*
 * The places in this block worth a look:
 *  - an '@' (e-mail, URL credentials);
 *  - five dashes (a PEM armour line);
 *  - sixteen token bytes in a row (tokens, keys, JWTs, random strings);
 *  - a digit run that starts nine digits joined by number separators
 *    (phones, cards, IBANs, SSNs), or three dots within 15 bytes (IPv4);
 *  - '+' before a digit (E.164), two capitals before two digits (IBAN);
 *  - "::", or four colons or four dashes within 17 bytes (IPv6, MACs),
 *    or two dots five bytes apart (a dotted MAC);
 * Everything else (words, short numbers, dates, the single colons of
 * times) is passed over at SIMD speed.
 */
static uint64_t triggers(const struct block_masks *m,
			 const struct block_masks *n, uint64_t prev_digit)
{
	uint64_t t = m->at;
	uint64_t starts = m->digit & ~((m->digit << 1) | (prev_digit >> 63));
	uint64_t seps = m->colon | m->dash;

	t |= m->plus & shr128(m->digit, n->digit, 1);
	t |= m->upper & shr128(m->upper, n->upper, 1) &
	     shr128(m->digit, n->digit, 2) & shr128(m->digit, n->digit, 3);
	t |= m->dot & shr128(m->dot, n->dot, 5);
	t |= run_of(m->tok, n->tok, 16);
	while (starts) {
		unsigned b = (unsigned)__builtin_ctzll(starts);

		starts &= starts - 1;
		if (numeric_start(m, n, b))
			t |= 1ull << b;
	}
	while (seps) {
		unsigned b = (unsigned)__builtin_ctzll(seps);

		seps &= seps - 1;
		if (separator_start(m, n, b))
			t |= 1ull << b;
	}
	return t;
}

/* Masks of the block at off; past the end the input reads as zeros. */
static void masks_at(const char *in, size_t len, size_t off,
		     struct block_masks *m)
{
	unsigned char pad[64];

	if (off + 64 <= len) {
		block_masks((const unsigned char *)in + off, m);
		return;
	}
	memset(pad, 0, sizeof(pad));
	if (off < len)
		memcpy(pad, in + off, len - off);
	block_masks(pad, m);
}

/* The run around pos, from no earlier than floor; its mask. */
static void enclosing_run(const char *in, size_t len, size_t pos, size_t floor,
			  struct san_run *run)
{
	const unsigned char *u = (const unsigned char *)in;
	size_t a = pos, b, lim = pos > 4096 ? pos - 4096 : 0;
	unsigned mask = 0, c;

	if (lim < floor)
		lim = floor;
	while (a > lim && gw_san_cls[u[a - 1]])
		a--;
	for (b = a; b < len && (c = gw_san_cls[u[b]]) != 0; b++)
		mask |= c;
	run->start = a;
	run->end = b;
	run->mask = mask;
}

static int scan_builtin(struct gw_sanitizer *s, const char *in, size_t len,
			struct span_vec *sv)
{
	struct block_masks cur, next;
	uint64_t prev_digit = 0;
	size_t resume = 0;

	masks_at(in, len, 0, &cur);
	for (size_t off = 0; off < len; off += 64) {
		uint64_t t;

		masks_at(in, len, off + 64, &next);
		t = triggers(&cur, &next, prev_digit);
		while (t) {
			size_t pos = off + (size_t)__builtin_ctzll(t);
			struct san_run run;
			int r;

			t &= t - 1;
			if (pos < resume || pos >= len)
				continue;
			enclosing_run(in, len, pos, resume, &run);
			if (!(run.mask & ~SC_WORD_ONLY)) {
				resume = run.end;
				continue;
			}
			r = scan_run(s, &run, in, len, sv, &resume);
			if (r < 0)
				return r;
		}
		prev_digit = cur.digit;
		cur = next;
	}
	return 0;
}

/* A case-insensitive search for a lower-case keyword. */
static bool contains_nocase(const char *in, size_t len, const char *kw)
{
	size_t n = strlen(kw);
	char lo = kw[0], up = (char)(kw[0] & ~0x20);

	if (n == 0 || n > len)
		return n == 0;
	for (size_t i = 0; i + n <= len; i++) {
		const char *p;

		if (in[i] != lo && in[i] != up) {
			p = memchr(in + i, lo, len - n + 1 - i);
			if (up != lo) {
				const char *q =
					memchr(in + i, up, len - n + 1 - i);

				if (!p || (q && q < p))
					p = q;
			}
			if (!p)
				return false;
			i = (size_t)(p - in);
		}
		if (strncasecmp(in + i, kw, n) == 0)
			return true;
	}
	return false;
}

static int scan_custom(struct gw_sanitizer *s, const struct san_rule *r,
		       const char *in, size_t len, struct span_vec *sv)
{
	size_t pos = 0;
	bool any = r->n_keywords == 0;

	for (size_t k = 0; k < r->n_keywords && !any; k++)
		any = contains_nocase(in, len, r->keywords[k]);
	if (!any)
		return 0;
	while (pos < len) {
		struct gw_san_span sp;
		PCRE2_SIZE *ov;
		size_t st, en;
		int rc = run_match(s, r->code, in, len, pos);

		if (rc <= 0)
			break;
		ov = pcre2_get_ovector_pointer(s->md);
		st = ov[0];
		en = ov[1];
		pos = en > st ? en : st + 1;
		if (r->group_v && rc > r->group_v &&
		    ov[2 * r->group_v] != PCRE2_UNSET) {
			st = ov[2 * r->group_v];
			en = ov[2 * r->group_v + 1];
		}
		if (en <= st)
			continue;
		if (r->min_entropy > 0 &&
		    gw_san_entropy(in + st, en - st) < r->min_entropy)
			continue;
		if (s->n_allow && gw_san_allowed(s, in + st, en - st))
			continue;
		sp.start = st;
		sp.end = en;
		sp.kind = r->kind;
		sp.rule = (unsigned)(r - s->rules);
		if (push(sv, &sp) < 0)
			return -ENOMEM;
	}
	return 0;
}

static int by_start(const void *a, const void *b)
{
	const struct gw_san_span *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (x->end != y->end)
		return x->end > y->end ? -1 : 1;
	return x->rule < y->rule ? -1 : x->rule > y->rule;
}

/*
 * Sorted by start, longer first: keep a span unless it overlaps the one
 * kept before it, which then is either earlier or as early and longer.
 */
static void resolve_overlaps(struct span_vec *sv)
{
	size_t w = 0;

	qsort(sv->v, sv->n, sizeof(sv->v[0]), by_start);
	for (size_t i = 0; i < sv->n; i++) {
		if (w > 0 && sv->v[i].start < sv->v[w - 1].end)
			continue;
		sv->v[w++] = sv->v[i];
	}
	sv->n = w;
}

/*
 * Every finding of in into s->scratch (sorted, no overlaps); their
 * number in *n. The counters are updated.
 */
int gw_san_detect_all(struct gw_sanitizer *s, const char *in, size_t len,
		      size_t *n, struct gw_error *err)
{
	struct span_vec sv = { s->scratch, 0, s->scratch_cap };
	int r = 0;

	if (len > GW_SAN_INPUT_MAX_BYTES)
		return gw_error_set(err, -E2BIG,
				    "input of %zu bytes is over the limit of "
				    "%u",
				    len, GW_SAN_INPUT_MAX_BYTES);
	r = scan_builtin(s, in, len, &sv);
	for (unsigned k = s->n_builtin; k < s->n_rules && r == 0; k++)
		r = scan_custom(s, &s->rules[k], in, len, &sv);
	if (r == 0 && s->n_rules > s->n_builtin && sv.n > 1)
		resolve_overlaps(&sv);
	s->scratch = sv.v;
	s->scratch_cap = sv.cap;
	if (r < 0)
		return gw_error_set(err, r, "out of memory");
	for (size_t i = 0; i < sv.n; i++)
		s->counts[sv.v[i].kind]++;
	*n = sv.n;
	return 0;
}

int gw_sanitize_detect(struct gw_sanitizer *s, const char *in, size_t len,
		       struct gw_san_span *spans, size_t cap, size_t *n,
		       struct gw_error *err)
{
	size_t found = 0;
	int r = gw_san_detect_all(s, in, len, &found, err);

	if (r < 0)
		return r;
	if (spans && cap && found)
		memcpy(spans, s->scratch,
		       (found < cap ? found : cap) * sizeof(*spans));
	*n = found;
	return 0;
}
