/*
 * Constant folding of string expressions, the way an obfuscator builds
 * names: literals with escapes, implicit and "+" concatenation, "*" by an
 * integer, "%" and str.format with constants, f-strings of constants,
 * str.join over constant lists and comprehensions, chr() and ord(),
 * slicing ([::-1]), replace/lower/upper, bytes.fromhex, base64 and rot13
 * decoders, os.path.join and pathlib.Path of constants.
 *
 * Pure: no I/O, no globals. Every result is capped, and every fold has a
 * step budget, so a hostile file cannot make folding slow or large.
 */
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "vet/vet_priv.h"

struct sb {
	char *p;
	size_t len, cap, max;
	struct gw_vet_arena *a;
};

static size_t max_bytes(const struct gw_vet_fold_env *env)
{
	return env->max_bytes ? env->max_bytes : GW_VET_FOLD_MAX_BYTES;
}

static bool spend(struct gw_vet_fold_env *env)
{
	return ++env->steps <= GW_VET_FOLD_MAX_STEPS;
}

static bool sb_put(struct sb *b, const void *s, size_t n)
{
	char *p;
	size_t cap;

	if (n > b->max || b->len > b->max - n)
		return false;
	if (b->len + n + 1 > b->cap) {
		cap = b->cap ? b->cap * 2 : 64;
		while (cap < b->len + n + 1)
			cap *= 2;
		p = gw_vet_arena_alloc(b->a, cap);
		if (!p)
			return false;
		if (b->len)
			memcpy(p, b->p, b->len);
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return true;
}

static void sb_init(struct sb *b, struct gw_vet_fold_env *env)
{
	b->p = NULL;
	b->len = b->cap = 0;
	b->max = max_bytes(env);
	b->a = env->arena;
}

static bool sb_done(struct sb *b, struct gw_vet_str *out)
{
	if (!b->p && !sb_put(b, "", 0))
		return false;
	out->ptr = b->p;
	out->len = b->len;
	return true;
}

static bool put_utf8(struct sb *b, uint32_t cp)
{
	unsigned char u[4];
	size_t n;

	if (cp > 0x10ffff)
		return false;
	if (cp < 0x80) {
		u[0] = (unsigned char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (unsigned char)(0xc0 | cp >> 6);
		u[1] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (unsigned char)(0xe0 | cp >> 12);
		u[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (unsigned char)(0xf0 | cp >> 18);
		u[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	return sb_put(b, u, n);
}

static const struct gw_vet_node *N(const struct gw_vet_fold_env *env,
				   uint32_t n)
{
	return &env->ast->nodes[n];
}

static const char *text(const struct gw_vet_fold_env *env, uint32_t n,
			size_t *len)
{
	*len = N(env, n)->end - N(env, n)->start;
	return env->ast->src + N(env, n)->start;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* A few character names, enough for the letters of a spelled-out name. */
static long named_char(const char *s, size_t n)
{
	static const struct {
		const char *name;
		char c;
	} names[] = {
		{ "LOW LINE", '_' },
		{ "FULL STOP", '.' },
		{ "SPACE", ' ' },
		{ "SOLIDUS", '/' },
		{ "COLON", ':' },
		{ "SEMICOLON", ';' },
		{ "APOSTROPHE", '\'' },
		{ "QUOTATION MARK", '"' },
		{ "EQUALS SIGN", '=' },
		{ "HYPHEN-MINUS", '-' },
		{ "COMMERCIAL AT", '@' },
		{ "LEFT PARENTHESIS", '(' },
		{ "RIGHT PARENTHESIS", ')' },
	};
	static const char *const digits[] = { "ZERO",  "ONE",  "TWO", "THREE",
					      "FOUR",  "FIVE", "SIX", "SEVEN",
					      "EIGHT", "NINE" };

	if (n == 20 && memcmp(s, "LATIN SMALL LETTER ", 19) == 0 &&
	    s[19] >= 'A' && s[19] <= 'Z')
		return s[19] - 'A' + 'a';
	if (n == 22 && memcmp(s, "LATIN CAPITAL LETTER ", 21) == 0 &&
	    s[21] >= 'A' && s[21] <= 'Z')
		return s[21];
	if (n > 6 && memcmp(s, "DIGIT ", 6) == 0)
		for (int d = 0; d < 10; d++)
			if (strlen(digits[d]) == n - 6 &&
			    memcmp(s + 6, digits[d], n - 6) == 0)
				return '0' + d;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i].name) == n &&
		    memcmp(s, names[i].name, n) == 0)
			return names[i].c;
	return -1;
}

/* \x, \u, \U and \N{}: the escape at s[i] (after the backslash). */
static bool unicode_escape(struct sb *b, const char *s, size_t n, size_t *i,
			   bool bytes)
{
	size_t want = s[*i] == 'x' ? 2 : s[*i] == 'u' ? 4 : 8;
	uint32_t cp = 0;
	const char *end;
	long c;

	if (s[*i] == 'N') {
		if (bytes || *i + 1 >= n || s[*i + 1] != '{')
			return false;
		end = memchr(s + *i + 2, '}', n - *i - 2);
		if (!end)
			return false;
		c = named_char(s + *i + 2, (size_t)(end - s - *i - 2));
		*i = (size_t)(end - s);
		return put_utf8(b, c < 0 ? '?' : (uint32_t)c);
	}
	if (*i + want >= n)
		return false;
	for (size_t k = 1; k <= want; k++) {
		int h = hexval((unsigned char)s[*i + k]);

		if (h < 0)
			return false;
		cp = cp * 16 + (uint32_t)h;
	}
	*i += want;
	if (bytes) {
		unsigned char byte = (unsigned char)cp;

		return sb_put(b, &byte, 1);
	}
	return put_utf8(b, cp);
}

/*
 * Decode the body of a literal (between the quotes, no interpolations).
 * Unknown escapes keep their backslash, as Python does.
 */
static bool decode_body(struct sb *b, const char *s, size_t n, bool raw,
			bool bytes, bool fstr, bool *escaped)
{
	static const char simple[] = "\\\\''\"\"a\ab\bf\fn\nr\rt\tv\v";

	for (size_t i = 0; i < n; i++) {
		const char *m;
		unsigned v;

		if (fstr && (s[i] == '{' || s[i] == '}') && i + 1 < n &&
		    s[i + 1] == s[i]) {
			if (!sb_put(b, s + i++, 1))
				return false;
			continue;
		}
		if (raw || s[i] != '\\' || i + 1 >= n) {
			if (!sb_put(b, s + i, 1))
				return false;
			continue;
		}
		i++;
		if (s[i] == '\n')
			continue;
		m = strchr(simple, s[i]);
		if (m && s[i] && (m - simple) % 2 == 0) {
			if (!sb_put(b, m + 1, 1))
				return false;
			continue;
		}
		if (s[i] >= '0' && s[i] <= '7') {
			v = 0;
			for (int k = 0;
			     k < 3 && i < n && s[i] >= '0' && s[i] <= '7';
			     k++, i++)
				v = v * 8 + (unsigned)(s[i] - '0');
			i--;
			*escaped = true;
			if (bytes ? !sb_put(b,
					    &(unsigned char){
						    (unsigned char)v },
					    1)
				  : !put_utf8(b, v))
				return false;
			continue;
		}
		if (s[i] == 'x' ||
		    (!bytes && (s[i] == 'u' || s[i] == 'U' || s[i] == 'N'))) {
			*escaped = true;
			if (!unicode_escape(b, s, n, &i, bytes))
				return false;
			continue;
		}
		if (!sb_put(b, s + i - 1, 2))
			return false;
	}
	return true;
}

/* Prefix letters of a string_start ("rb'" -> raw, bytes). */
static void prefix_flags(const char *s, size_t n, bool *raw, bool *bytes,
			 bool *fstr)
{
	*raw = *bytes = *fstr = false;
	for (size_t i = 0; i < n && s[i] != '\'' && s[i] != '"'; i++) {
		char c = (char)(s[i] | 0x20);

		*raw |= c == 'r';
		*bytes |= c == 'b';
		*fstr |= c == 'f';
	}
}

static bool fold_literal(struct gw_vet_fold_env *env, uint32_t n,
			 struct gw_vet_str *out)
{
	bool raw = false, bytes = false, fstr = false, escaped = false;
	struct gw_vet_str part;
	struct sb b;
	const char *s;
	size_t len;

	sb_init(&b, env);
	memset(out, 0, sizeof(*out));
	for (uint32_t c = N(env, n)->first; c != GW_VET_NONE;
	     c = N(env, c)->next) {
		s = text(env, c, &len);
		switch (N(env, c)->kind) {
		case K_STRING_START:
			prefix_flags(s, len, &raw, &bytes, &fstr);
			break;
		case K_STRING_CONTENT:
		case K_ESCAPE_SEQUENCE:
			if (!decode_body(&b, s, len, raw, bytes, fstr,
					 &escaped))
				return false;
			break;
		case K_INTERPOLATION:
			if (!fstr || gw_vet_next_named(
					     env->ast,
					     gw_vet_first_named(env->ast, c)) !=
					     GW_VET_NONE)
				return false;
			if (!gw_vet_fold_string(env,
						gw_vet_first_named(env->ast, c),
						&part) ||
			    !sb_put(&b, part.ptr, part.len))
				return false;
			out->computed = true;
			break;
		case K_STRING_END: break;
		default:
			if (fstr && !decode_body(&b, s, len, false, false, true,
						 &escaped))
				return false;
			break;
		}
	}
	out->escaped = escaped;
	out->bytes = bytes;
	return sb_done(&b, out);
}

static bool copy_str(struct gw_vet_fold_env *env, const char *p, size_t n,
		     bool computed, struct gw_vet_str *out)
{
	struct sb b;

	sb_init(&b, env);
	if (!sb_put(&b, p, n) || !sb_done(&b, out))
		return false;
	out->computed = computed;
	out->escaped = false;
	out->bytes = false;
	return true;
}

static bool concat(struct gw_vet_fold_env *env, const struct gw_vet_str *a,
		   const struct gw_vet_str *b2, struct gw_vet_str *out)
{
	struct sb b;

	sb_init(&b, env);
	if (!sb_put(&b, a->ptr, a->len) || !sb_put(&b, b2->ptr, b2->len) ||
	    !sb_done(&b, out))
		return false;
	out->computed = true;
	out->escaped = a->escaped || b2->escaped;
	out->bytes = a->bytes;
	return true;
}

static bool op_is(const struct gw_vet_fold_env *env, uint32_t n, const char *op)
{
	uint32_t o = gw_vet_child_field(env->ast, n, F_OPERATOR);
	size_t len;
	const char *s;

	if (o == GW_VET_NONE)
		return false;
	s = text(env, o, &len);
	return len == strlen(op) && memcmp(s, op, len) == 0;
}

static bool repeat(struct gw_vet_fold_env *env, const struct gw_vet_str *s,
		   int64_t times, struct gw_vet_str *out)
{
	struct sb b;

	sb_init(&b, env);
	if (times < 0)
		times = 0;
	if (s->len && (uint64_t)times > max_bytes(env) / s->len)
		return false;
	for (int64_t i = 0; i < times; i++)
		if (!sb_put(&b, s->ptr, s->len))
			return false;
	if (!sb_done(&b, out))
		return false;
	out->computed = true;
	return true;
}

/* The i-th element of a list, tuple or set literal, or NONE. */
static uint32_t element(const struct gw_vet_fold_env *env, uint32_t seq,
			uint32_t i)
{
	uint32_t c = gw_vet_first_named(env->ast, seq);

	while (c != GW_VET_NONE && i--)
		c = gw_vet_next_named(env->ast, c);
	return c;
}

static bool is_seq(const struct gw_vet_fold_env *env, uint32_t n)
{
	uint16_t k = N(env, n)->kind;

	return k == K_LIST || k == K_TUPLE || k == K_SET;
}

static bool put_int(struct sb *b, int64_t v, int base)
{
	char tmp[72];
	int n = 0;
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

	do {
		tmp[n++] = "0123456789abcdef"[u % (uint64_t)base];
		u /= (uint64_t)base;
	} while (u);
	if (v < 0)
		tmp[n++] = '-';
	while (n--)
		if (!sb_put(b, &tmp[n], 1))
			return false;
	return true;
}

/* A value for a % or {} placeholder: a string, or an int as text. */
static bool fold_any(struct gw_vet_fold_env *env, uint32_t n, struct sb *b,
		     char conv)
{
	struct gw_vet_str s;
	int64_t v;

	if (conv != 'c' && gw_vet_fold_string(env, n, &s))
		return sb_put(b, s.ptr, s.len);
	if (!gw_vet_fold_int(env, n, &v))
		return false;
	if (conv == 'c') {
		env->decoded = true;
		return v >= 0 && put_utf8(b, (uint32_t)v);
	}
	return put_int(b, v, conv == 'x' ? 16 : conv == 'o' ? 8 : 10);
}

static bool percent_format(struct gw_vet_fold_env *env,
			   const struct gw_vet_str *fmt, uint32_t args,
			   struct gw_vet_str *out)
{
	uint32_t idx = 0;
	struct sb b;

	while (N(env, args)->kind == K_PARENTHESIZED_EXPRESSION)
		args = gw_vet_first_named(env->ast, args);
	sb_init(&b, env);
	for (size_t i = 0; i < fmt->len; i++) {
		uint32_t arg;
		char c;

		if (fmt->ptr[i] != '%') {
			if (!sb_put(&b, fmt->ptr + i, 1))
				return false;
			continue;
		}
		if (++i >= fmt->len)
			return false;
		c = fmt->ptr[i];
		if (c == '%') {
			if (!sb_put(&b, "%", 1))
				return false;
			continue;
		}
		if (!strchr("sdicxo", c) || !c)
			return false;
		arg = N(env, args)->kind == K_TUPLE
			      ? element(env, args, idx++)
			      : (idx++ ? GW_VET_NONE : args);
		if (arg == GW_VET_NONE || !fold_any(env, arg, &b, c))
			return false;
	}
	if (!sb_done(&b, out))
		return false;
	out->computed = true;
	return true;
}

static bool brace_format(struct gw_vet_fold_env *env,
			 const struct gw_vet_str *fmt, uint32_t arglist,
			 struct gw_vet_str *out)
{
	uint32_t auto_idx = 0;
	struct sb b;

	sb_init(&b, env);
	for (size_t i = 0; i < fmt->len; i++) {
		char c = fmt->ptr[i];
		uint32_t idx, arg;

		if ((c == '{' || c == '}') && i + 1 < fmt->len &&
		    fmt->ptr[i + 1] == c) {
			if (!sb_put(&b, &c, 1))
				return false;
			i++;
			continue;
		}
		if (c != '{') {
			if (c == '}' || !sb_put(&b, &c, 1))
				return false;
			continue;
		}
		idx = 0;
		if (i + 1 < fmt->len && fmt->ptr[i + 1] == '}') {
			idx = auto_idx++;
		} else {
			while (++i < fmt->len && fmt->ptr[i] >= '0' &&
			       fmt->ptr[i] <= '9' && idx < 1000)
				idx = idx * 10 + (uint32_t)(fmt->ptr[i] - '0');
			if (i >= fmt->len || fmt->ptr[i] != '}')
				return false;
			i--;
		}
		i++;
		arg = element(env, arglist, idx);
		if (arg == GW_VET_NONE ||
		    N(env, arg)->kind == K_KEYWORD_ARGUMENT ||
		    !fold_any(env, arg, &b, 's'))
			return false;
	}
	if (!sb_done(&b, out))
		return false;
	out->computed = true;
	return true;
}

/* Fold one comprehension body for each element of its constant input. */
static bool fold_comprehension(struct gw_vet_fold_env *env, uint32_t comp,
			       const struct gw_vet_str *sep, struct sb *b)
{
	uint32_t body = gw_vet_child_field(env->ast, comp, F_BODY);
	uint32_t clause = gw_vet_next_named(env->ast, body);
	uint32_t var, src, el;
	struct gw_vet_fold_env saved = *env;
	struct gw_vet_str s, item;
	size_t vlen;
	bool ok = true;
	int64_t v;

	if (body == GW_VET_NONE || clause == GW_VET_NONE ||
	    N(env, clause)->kind != K_FOR_IN_CLAUSE ||
	    gw_vet_next_named(env->ast, clause) != GW_VET_NONE)
		return false;
	var = gw_vet_child_field(env->ast, clause, F_LEFT);
	src = gw_vet_child_field(env->ast, clause, F_RIGHT);
	if (var == GW_VET_NONE || src == GW_VET_NONE ||
	    N(env, var)->kind != K_IDENTIFIER)
		return false;
	env->iter_name = text(env, var, &vlen);
	env->iter_len = vlen;
	if (is_seq(env, src)) {
		el = gw_vet_first_named(env->ast, src);
		for (bool first = true; ok && el != GW_VET_NONE;
		     el = gw_vet_next_named(env->ast, el), first = false) {
			env->iter_is_int = gw_vet_fold_int(env, el, &v);
			env->iter_int = v;
			env->iter_str = NULL;
			if (!env->iter_is_int) {
				ok = gw_vet_fold_string(env, el, &item);
				env->iter_str = &item;
			}
			ok = ok && gw_vet_fold_string(env, body, &s) &&
			     (first || sb_put(b, sep->ptr, sep->len)) &&
			     sb_put(b, s.ptr, s.len);
		}
	} else {
		ok = false;
	}
	saved.steps = env->steps;
	saved.decoded = env->decoded;
	*env = saved;
	return ok;
}

/* sep.join(x): x a constant sequence, comprehension or map(chr, seq). */
static bool fold_join(struct gw_vet_fold_env *env, const struct gw_vet_str *sep,
		      uint32_t arg, struct gw_vet_str *out)
{
	uint16_t k = N(env, arg)->kind;
	struct gw_vet_str s;
	struct sb b;
	uint32_t el;
	int64_t v;

	sb_init(&b, env);
	if (k == K_GENERATOR_EXPRESSION || k == K_LIST_COMPREHENSION) {
		if (!fold_comprehension(env, arg, sep, &b))
			return false;
	} else if (is_seq(env, arg)) {
		el = gw_vet_first_named(env->ast, arg);
		for (bool first = true; el != GW_VET_NONE;
		     el = gw_vet_next_named(env->ast, el), first = false)
			if (!gw_vet_fold_string(env, el, &s) ||
			    (!first && !sb_put(&b, sep->ptr, sep->len)) ||
			    !sb_put(&b, s.ptr, s.len))
				return false;
	} else if (k == K_CALL && env->call_name) {
		const char *q = env->call_name(
			env->ctx,
			gw_vet_child_field(env->ast, arg, F_FUNCTION));
		uint32_t args = gw_vet_child_field(env->ast, arg, F_ARGUMENTS);
		uint32_t f = gw_vet_first_named(env->ast, args);
		uint32_t seq = gw_vet_next_named(env->ast, f);
		const char *fq;

		if (!q || strcmp(q, "builtins.map") != 0 ||
		    seq == GW_VET_NONE || !is_seq(env, seq))
			return false;
		fq = env->call_name(env->ctx, f);
		if (!fq || strcmp(fq, "builtins.chr") != 0)
			return false;
		env->decoded = true;
		el = gw_vet_first_named(env->ast, seq);
		for (bool first = true; el != GW_VET_NONE;
		     el = gw_vet_next_named(env->ast, el), first = false)
			if (!gw_vet_fold_int(env, el, &v) || v < 0 ||
			    (!first && !sb_put(&b, sep->ptr, sep->len)) ||
			    !put_utf8(&b, (uint32_t)v))
				return false;
	} else {
		return false;
	}
	if (!sb_done(&b, out))
		return false;
	out->computed = true;
	return true;
}

static bool replace_all(struct gw_vet_fold_env *env, const struct gw_vet_str *s,
			const struct gw_vet_str *from,
			const struct gw_vet_str *to, struct gw_vet_str *out)
{
	struct sb b;

	if (!from->len)
		return false;
	sb_init(&b, env);
	for (size_t i = 0; i < s->len;) {
		if (i + from->len <= s->len &&
		    memcmp(s->ptr + i, from->ptr, from->len) == 0) {
			if (!sb_put(&b, to->ptr, to->len))
				return false;
			i += from->len;
		} else if (!sb_put(&b, s->ptr + i++, 1)) {
			return false;
		}
	}
	if (!sb_done(&b, out))
		return false;
	out->computed = true;
	return true;
}

static bool map_case(struct gw_vet_fold_env *env, const struct gw_vet_str *s,
		     bool upper, struct gw_vet_str *out)
{
	if (!copy_str(env, s->ptr, s->len, true, out))
		return false;
	for (size_t i = 0; i < out->len; i++) {
		char c = out->ptr[i];

		if (upper && c >= 'a' && c <= 'z')
			out->ptr[i] = (char)(c - 32);
		else if (!upper && c >= 'A' && c <= 'Z')
			out->ptr[i] = (char)(c + 32);
	}
	return true;
}

static bool rot13(struct gw_vet_fold_env *env, const struct gw_vet_str *s,
		  struct gw_vet_str *out)
{
	env->decoded = true;
	if (!copy_str(env, s->ptr, s->len, true, out))
		return false;
	for (size_t i = 0; i < out->len; i++) {
		char c = out->ptr[i];

		if (c >= 'a' && c <= 'z')
			out->ptr[i] = (char)('a' + (c - 'a' + 13) % 26);
		else if (c >= 'A' && c <= 'Z')
			out->ptr[i] = (char)('A' + (c - 'A' + 13) % 26);
	}
	return true;
}

static bool unhex(struct gw_vet_fold_env *env, const struct gw_vet_str *s,
		  struct gw_vet_str *out)
{
	struct sb b;
	int hi = -1;

	env->decoded = true;
	sb_init(&b, env);
	for (size_t i = 0; i < s->len; i++) {
		int h = hexval((unsigned char)s->ptr[i]);

		if (s->ptr[i] == ' ' && hi < 0)
			continue;
		if (h < 0)
			return false;
		if (hi < 0) {
			hi = h;
			continue;
		}
		if (!sb_put(&b,
			    &(unsigned char){ (unsigned char)(hi * 16 + h) },
			    1))
			return false;
		hi = -1;
	}
	if (hi >= 0 || !sb_done(&b, out))
		return false;
	out->computed = true;
	return true;
}

static int b64val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

static bool unbase64(struct gw_vet_fold_env *env, const struct gw_vet_str *s,
		     struct gw_vet_str *out)
{
	uint32_t acc = 0;
	int bits = 0;
	struct sb b;

	env->decoded = true;
	sb_init(&b, env);
	for (size_t i = 0; i < s->len; i++) {
		int v = b64val((unsigned char)s->ptr[i]);

		if (s->ptr[i] == '=')
			break;
		if (v < 0) {
			if (strchr(" \n\r\t", s->ptr[i]) && s->ptr[i])
				continue;
			return false;
		}
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (!sb_put(&b,
				    &(unsigned char){
					    (unsigned char)(acc >> bits) },
				    1))
				return false;
		}
	}
	if (!sb_done(&b, out))
		return false;
	out->computed = true;
	return true;
}

/* "/a" + "b" -> "/a/b"; an absolute part starts over, as os.path does. */
static bool path_join(struct gw_vet_fold_env *env, uint32_t args,
		      struct gw_vet_str *out)
{
	struct gw_vet_str part;
	struct sb b;

	sb_init(&b, env);
	for (uint32_t a = gw_vet_first_named(env->ast, args); a != GW_VET_NONE;
	     a = gw_vet_next_named(env->ast, a)) {
		if (!gw_vet_fold_string(env, a, &part))
			return false;
		if (part.len && part.ptr[0] == '/')
			b.len = 0;
		else if (b.len && b.p[b.len - 1] != '/' && !sb_put(&b, "/", 1))
			return false;
		if (!sb_put(&b, part.ptr, part.len))
			return false;
	}
	if (!sb_done(&b, out))
		return false;
	out->computed = true;
	return true;
}

/* Methods called on a constant string: "x".join(...), .format(...)... */
static bool fold_method(struct gw_vet_fold_env *env,
			const struct gw_vet_str *obj, const char *m,
			size_t mlen, uint32_t args, struct gw_vet_str *out)
{
	uint32_t a0 = gw_vet_first_named(env->ast, args);
	uint32_t a1 = gw_vet_next_named(env->ast, a0);
	struct gw_vet_str x, y;

#define IS(lit) (mlen == sizeof(lit) - 1 && memcmp(m, lit, mlen) == 0)
	if (IS("join") && a0 != GW_VET_NONE)
		return fold_join(env, obj, a0, out);
	if (IS("format"))
		return brace_format(env, obj, args, out);
	if (IS("replace") && a1 != GW_VET_NONE &&
	    gw_vet_fold_string(env, a0, &x) && gw_vet_fold_string(env, a1, &y))
		return replace_all(env, obj, &x, &y, out);
	if (IS("lower") || IS("upper"))
		return map_case(env, obj, IS("upper"), out);
	if (IS("strip") && a0 == GW_VET_NONE) {
		size_t i = 0, n = obj->len;

		while (i < n && strchr(" \t\n\r", obj->ptr[i]) && obj->ptr[i])
			i++;
		while (n > i && strchr(" \t\n\r", obj->ptr[n - 1]) &&
		       obj->ptr[n - 1])
			n--;
		return copy_str(env, obj->ptr + i, n - i, true, out);
	}
	if (IS("decode") || IS("encode")) {
		if (a0 != GW_VET_NONE && gw_vet_fold_string(env, a0, &x) &&
		    (strcmp(x.ptr, "rot13") == 0 ||
		     strcmp(x.ptr, "rot_13") == 0))
			return rot13(env, obj, out);
		if (a0 != GW_VET_NONE && gw_vet_fold_string(env, a0, &x) &&
		    strcmp(x.ptr, "hex") == 0)
			return unhex(env, obj, out);
		return copy_str(env, obj->ptr, obj->len, true, out);
	}
#undef IS
	return false;
}

static bool fold_builtin(struct gw_vet_fold_env *env, const char *q,
			 uint32_t args, struct gw_vet_str *out)
{
	uint32_t a0 = gw_vet_first_named(env->ast, args);
	uint32_t a1 = gw_vet_next_named(env->ast, a0);
	struct gw_vet_str s, enc;
	struct sb b;
	int64_t v;

	if (a0 == GW_VET_NONE)
		return false;
	if (strcmp(q, "builtins.chr") == 0) {
		env->decoded = true;
		sb_init(&b, env);
		if (!gw_vet_fold_int(env, a0, &v) || v < 0 ||
		    !put_utf8(&b, (uint32_t)v) || !sb_done(&b, out))
			return false;
		out->computed = true;
		return true;
	}
	if (strcmp(q, "builtins.str") == 0) {
		sb_init(&b, env);
		if (!fold_any(env, a0, &b, 's') || !sb_done(&b, out))
			return false;
		out->computed = true;
		return true;
	}
	if (strcmp(q, "builtins.bytes") == 0 && is_seq(env, a0)) {
		env->decoded = true;
		sb_init(&b, env);
		for (uint32_t e = gw_vet_first_named(env->ast, a0);
		     e != GW_VET_NONE; e = gw_vet_next_named(env->ast, e))
			if (!gw_vet_fold_int(env, e, &v) || v < 0 || v > 255 ||
			    !sb_put(&b, &(unsigned char){ (unsigned char)v },
				    1))
				return false;
		if (!sb_done(&b, out))
			return false;
		out->computed = out->bytes = true;
		return true;
	}
	if (!gw_vet_fold_string(env, a0, &s))
		return false;
	if (strcmp(q, "builtins.bytes.fromhex") == 0 ||
	    strcmp(q, "builtins.bytearray.fromhex") == 0 ||
	    strcmp(q, "binascii.unhexlify") == 0 ||
	    strcmp(q, "binascii.a2b_hex") == 0 ||
	    strcmp(q, "base64.b16decode") == 0)
		return unhex(env, &s, out);
	if (strcmp(q, "base64.b64decode") == 0 ||
	    strcmp(q, "base64.urlsafe_b64decode") == 0 ||
	    strcmp(q, "base64.decodebytes") == 0 ||
	    strcmp(q, "base64.standard_b64decode") == 0 ||
	    strcmp(q, "binascii.a2b_base64") == 0)
		return unbase64(env, &s, out);
	if (strcmp(q, "codecs.decode") == 0 ||
	    strcmp(q, "codecs.encode") == 0) {
		if (a1 == GW_VET_NONE || !gw_vet_fold_string(env, a1, &enc))
			return false;
		if (strcmp(enc.ptr, "rot13") == 0 ||
		    strcmp(enc.ptr, "rot_13") == 0)
			return rot13(env, &s, out);
		if (strcmp(enc.ptr, "hex") == 0)
			return unhex(env, &s, out);
		if (strcmp(enc.ptr, "base64") == 0)
			return unbase64(env, &s, out);
		return false;
	}
	if (strcmp(q, "os.path.expanduser") == 0 ||
	    strcmp(q, "os.path.abspath") == 0 ||
	    strcmp(q, "os.path.normpath") == 0 ||
	    strcmp(q, "os.fsencode") == 0 || strcmp(q, "os.fsdecode") == 0)
		return copy_str(env, s.ptr, s.len, true, out);
	return false;
}

static bool fold_call(struct gw_vet_fold_env *env, uint32_t n,
		      struct gw_vet_str *out)
{
	uint32_t func = gw_vet_child_field(env->ast, n, F_FUNCTION);
	uint32_t args = gw_vet_child_field(env->ast, n, F_ARGUMENTS);
	struct gw_vet_str obj;
	const char *q, *m;
	size_t mlen;

	if (func == GW_VET_NONE || args == GW_VET_NONE)
		return false;
	/* sep.join(x for x in ...): the generator is the whole argument list.
	 */
	if (N(env, args)->kind == K_GENERATOR_EXPRESSION) {
		uint32_t o = gw_vet_child_field(env->ast, func, F_OBJECT);
		uint32_t at = gw_vet_child_field(env->ast, func, F_ATTRIBUTE);

		if (N(env, func)->kind != K_ATTRIBUTE || o == GW_VET_NONE ||
		    at == GW_VET_NONE ||
		    N(env, at)->end - N(env, at)->start != 4 ||
		    memcmp(env->ast->src + N(env, at)->start, "join", 4) != 0 ||
		    !gw_vet_fold_string(env, o, &obj))
			return false;
		return fold_join(env, &obj, args, out);
	}
	if (N(env, args)->kind != K_ARGUMENT_LIST)
		return false;
	if (N(env, func)->kind == K_ATTRIBUTE) {
		uint32_t o = gw_vet_child_field(env->ast, func, F_OBJECT);
		uint32_t at = gw_vet_child_field(env->ast, func, F_ATTRIBUTE);

		if (o != GW_VET_NONE && at != GW_VET_NONE &&
		    gw_vet_fold_string(env, o, &obj)) {
			m = text(env, at, &mlen);
			return fold_method(env, &obj, m, mlen, args, out);
		}
	}
	if (!env->call_name)
		return false;
	q = env->call_name(env->ctx, func);
	if (!q)
		return false;
	if (strcmp(q, "os.path.join") == 0 || strcmp(q, "pathlib.Path") == 0 ||
	    strcmp(q, "pathlib.PurePath") == 0 ||
	    strcmp(q, "pathlib.PosixPath") == 0)
		return path_join(env, args, out);
	return fold_builtin(env, q, args, out);
}

static bool fold_slice(struct gw_vet_fold_env *env, const struct gw_vet_str *s,
		       uint32_t sl, struct gw_vet_str *out)
{
	int64_t part[3] = { 0, (int64_t)s->len, 1 };
	bool given[3] = { false, false, false };
	int k = 0;
	struct sb b;

	for (uint32_t c = N(env, sl)->first; c != GW_VET_NONE && k < 3;
	     c = N(env, c)->next) {
		if (!(N(env, c)->flags & GW_VET_NODE_NAMED)) {
			k++;
			continue;
		}
		if (!gw_vet_fold_int(env, c, &part[k]))
			return false;
		given[k] = true;
	}
	if (part[2] == 0)
		return false;
	for (int i = 0; i < 2; i++) {
		if (part[i] < 0)
			part[i] += (int64_t)s->len;
		if (part[i] < 0)
			part[i] = part[2] < 0 ? -1 : 0;
		if (part[i] > (int64_t)s->len)
			part[i] = part[2] < 0 ? (int64_t)s->len - 1
					      : (int64_t)s->len;
	}
	if (part[2] < 0) {
		if (!given[0])
			part[0] = (int64_t)s->len - 1;
		if (!given[1])
			part[1] = -1;
	}
	sb_init(&b, env);
	for (int64_t i = part[0]; part[2] > 0 ? i < part[1] : i > part[1];
	     i += part[2])
		if (i >= 0 && i < (int64_t)s->len && !sb_put(&b, s->ptr + i, 1))
			return false;
	if (!sb_done(&b, out))
		return false;
	out->computed = true;
	return true;
}

static bool ascii_only(const struct gw_vet_str *s)
{
	for (size_t i = 0; i < s->len; i++)
		if ((unsigned char)s->ptr[i] >= 0x80)
			return false;
	return true;
}

static bool fold_subscript(struct gw_vet_fold_env *env, uint32_t n,
			   struct gw_vet_str *out)
{
	uint32_t v = gw_vet_child_field(env->ast, n, F_VALUE);
	uint32_t sub = gw_vet_child_field(env->ast, n, F_SUBSCRIPT);
	struct gw_vet_str s;
	int64_t i;

	if (v == GW_VET_NONE || sub == GW_VET_NONE ||
	    !gw_vet_fold_string(env, v, &s) || !ascii_only(&s))
		return false;
	if (N(env, sub)->kind == K_SLICE)
		return fold_slice(env, &s, sub, out);
	if (!gw_vet_fold_int(env, sub, &i))
		return false;
	if (i < 0)
		i += (int64_t)s.len;
	if (i < 0 || i >= (int64_t)s.len)
		return false;
	return copy_str(env, s.ptr + i, 1, true, out);
}

static bool fold_binary(struct gw_vet_fold_env *env, uint32_t n,
			struct gw_vet_str *out)
{
	uint32_t l = gw_vet_child_field(env->ast, n, F_LEFT);
	uint32_t r = gw_vet_child_field(env->ast, n, F_RIGHT);
	struct gw_vet_str a, b;
	int64_t times;

	if (l == GW_VET_NONE || r == GW_VET_NONE)
		return false;
	if (op_is(env, n, "+"))
		return gw_vet_fold_string(env, l, &a) &&
		       gw_vet_fold_string(env, r, &b) &&
		       concat(env, &a, &b, out);
	if (op_is(env, n, "%"))
		return gw_vet_fold_string(env, l, &a) &&
		       percent_format(env, &a, r, out);
	if (op_is(env, n, "*")) {
		if (gw_vet_fold_string(env, l, &a) &&
		    gw_vet_fold_int(env, r, &times))
			return repeat(env, &a, times, out);
		if (gw_vet_fold_int(env, l, &times) &&
		    gw_vet_fold_string(env, r, &a))
			return repeat(env, &a, times, out);
	}
	if (op_is(env, n, "/")) {
		/* pathlib: Path("/etc") / "passwd" */
		if (gw_vet_fold_string(env, l, &a) &&
		    gw_vet_fold_string(env, r, &b) && a.computed) {
			struct gw_vet_str slash = { "/", 1, true, false,
						    false };
			struct gw_vet_str t;

			if (b.len && b.ptr[0] == '/')
				return copy_str(env, b.ptr, b.len, true, out);
			return concat(env, &a, &slash, &t) &&
			       concat(env, &t, &b, out);
		}
	}
	return false;
}

bool gw_vet_fold_string(struct gw_vet_fold_env *env, uint32_t n,
			struct gw_vet_str *out)
{
	const struct gw_vet_node *x;
	struct gw_vet_str part;
	size_t len;
	const char *s;

	memset(out, 0, sizeof(*out));
	if (n == GW_VET_NONE || !spend(env))
		return false;
	x = N(env, n);
	switch (x->kind) {
	case K_STRING: return fold_literal(env, n, out);
	case K_CONCATENATED_STRING: {
		struct sb b;
		bool esc = false, bytes = false;

		sb_init(&b, env);
		for (uint32_t c = gw_vet_first_named(env->ast, n);
		     c != GW_VET_NONE; c = gw_vet_next_named(env->ast, c)) {
			if (!gw_vet_fold_string(env, c, &part) ||
			    !sb_put(&b, part.ptr, part.len))
				return false;
			esc |= part.escaped;
			bytes |= part.bytes;
		}
		if (!sb_done(&b, out))
			return false;
		out->computed = false;
		out->escaped = esc;
		out->bytes = bytes;
		return true;
	}
	case K_PARENTHESIZED_EXPRESSION:
		return gw_vet_fold_string(env, gw_vet_first_named(env->ast, n),
					  out);
	case K_BINARY_OPERATOR: return fold_binary(env, n, out);
	case K_CALL: return fold_call(env, n, out);
	case K_SUBSCRIPT: return fold_subscript(env, n, out);
	case K_IDENTIFIER:
		s = env->ast->src + x->start;
		len = x->end - x->start;
		if (env->iter_name && len == env->iter_len &&
		    memcmp(s, env->iter_name, len) == 0) {
			if (!env->iter_str)
				return false;
			*out = *env->iter_str;
			return true;
		}
		if (!env->name_value || !env->name_value(env->ctx, n, out))
			return false;
		out->computed = true;
		return true;
	default: return false;
	}
}

static bool parse_int(const char *s, size_t n, int64_t *out)
{
	int base = 10;
	size_t i = 0;
	int64_t v = 0;

	if (n > 2 && s[0] == '0' && strchr("xXoObB", s[1]) && s[1]) {
		base = (s[1] | 0x20) == 'x' ? 16 : (s[1] | 0x20) == 'o' ? 8 : 2;
		i = 2;
	}
	if (i >= n)
		return false;
	for (; i < n; i++) {
		int d = s[i] == '_' ? -2 : hexval((unsigned char)s[i]);

		if (d == -2)
			continue;
		if (d < 0 || d >= base || v > (INT64_MAX - d) / base)
			return false;
		v = v * base + d;
	}
	*out = v;
	return true;
}

static bool int_op(const char *op, size_t n, int64_t a, int64_t b, int64_t *out)
{
	const int64_t lim = (int64_t)1 << 40;

	if (a > lim || a < -lim || b > lim || b < -lim)
		return false;
#define OP(s) (n == sizeof(s) - 1 && memcmp(op, s, n) == 0)
	if (OP("+"))
		*out = a + b;
	else if (OP("-"))
		*out = a - b;
	else if (OP("*"))
		*out = a * b;
	else if (OP("^"))
		*out = a ^ b;
	else if (OP("&"))
		*out = a & b;
	else if (OP("|"))
		*out = a | b;
	else if (OP("<<") && b >= 0 && b < 22)
		*out = a << b;
	else if (OP(">>") && b >= 0 && b < 63)
		*out = a >> b;
	else if ((OP("//") || OP("%")) && b != 0) {
		int64_t q = a / b, r = a % b;

		if (r != 0 && ((r < 0) != (b < 0))) {
			q--;
			r += b;
		}
		*out = OP("%") ? r : q;
	} else if (OP("**") && b >= 0 && b < 40) {
		int64_t v = 1;

		for (int64_t i = 0; i < b; i++) {
			v *= a;
			if (v > lim || v < -lim)
				return false;
		}
		*out = v;
	} else {
		return false;
	}
#undef OP
	return true;
}

bool gw_vet_fold_int(struct gw_vet_fold_env *env, uint32_t n, int64_t *out)
{
	const struct gw_vet_node *x;
	struct gw_vet_str s;
	uint32_t a, b, o;
	int64_t va, vb;
	const char *t;
	size_t len;

	if (n == GW_VET_NONE || !spend(env))
		return false;
	x = N(env, n);
	t = env->ast->src + x->start;
	len = x->end - x->start;
	switch (x->kind) {
	case K_INTEGER: return parse_int(t, len, out);
	case K_PARENTHESIZED_EXPRESSION:
		return gw_vet_fold_int(env, gw_vet_first_named(env->ast, n),
				       out);
	case K_UNARY_OPERATOR:
		o = gw_vet_child_field(env->ast, n, F_OPERATOR);
		if (o == GW_VET_NONE ||
		    !gw_vet_fold_int(
			    env, gw_vet_child_field(env->ast, n, F_ARGUMENT),
			    &va))
			return false;
		t = text(env, o, &len);
		*out = t[0] == '-' ? -va : t[0] == '~' ? ~va : va;
		return true;
	case K_BINARY_OPERATOR:
		a = gw_vet_child_field(env->ast, n, F_LEFT);
		b = gw_vet_child_field(env->ast, n, F_RIGHT);
		o = gw_vet_child_field(env->ast, n, F_OPERATOR);
		if (o == GW_VET_NONE || !gw_vet_fold_int(env, a, &va) ||
		    !gw_vet_fold_int(env, b, &vb))
			return false;
		t = text(env, o, &len);
		return int_op(t, len, va, vb, out);
	case K_IDENTIFIER:
		if (env->iter_name && env->iter_is_int &&
		    len == env->iter_len &&
		    memcmp(t, env->iter_name, len) == 0) {
			*out = env->iter_int;
			return true;
		}
		return false;
	case K_CALL:
		if (!env->call_name)
			return false;
		t = env->call_name(env->ctx,
				   gw_vet_child_field(env->ast, n, F_FUNCTION));
		if (!t || strcmp(t, "builtins.ord") != 0)
			return false;
		a = gw_vet_first_named(
			env->ast, gw_vet_child_field(env->ast, n, F_ARGUMENTS));
		if (!gw_vet_fold_string(env, a, &s) || s.len == 0 || s.len > 4)
			return false;
		*out = (unsigned char)s.ptr[0];
		if (*out >= 0x80) {
			uint32_t cp = 0;
			size_t k = *out >= 0xf0 ? 4 : *out >= 0xe0 ? 3 : 2;

			if (k != s.len)
				return false;
			cp = (uint32_t)(*out & (0x7f >> k));
			for (size_t i = 1; i < k; i++)
				cp = (cp << 6) |
				     ((unsigned char)s.ptr[i] & 0x3f);
			*out = cp;
		} else if (s.len != 1) {
			return false;
		}
		return true;
	default: return false;
	}
}
