/*
 * Building and freeing a sanitizer: the built-in rules and the custom
 * ones compiled with PCRE2 (JIT where the host allows it), the first-byte
 * index of the prefilter, the allowlist, the derived keys.
 */
#include <ctype.h>
#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/limits.h"
#include "sanitize/sanitize_priv.h"

static const char *const kind_names[GW_SAN_KIND_COUNT] = {
	[GW_SAN_EMAIL] = "email",
	[GW_SAN_PHONE] = "phone",
	[GW_SAN_CARD] = "card",
	[GW_SAN_IBAN] = "iban",
	[GW_SAN_SSN] = "ssn",
	[GW_SAN_IPV4] = "ipv4",
	[GW_SAN_IPV6] = "ipv6",
	[GW_SAN_MAC] = "mac",
	[GW_SAN_URL_CREDENTIALS] = "url_credentials",
	[GW_SAN_TOKEN] = "token",
	[GW_SAN_JWT] = "jwt",
	[GW_SAN_PEM_PRIVATE_KEY] = "pem_private_key",
	[GW_SAN_HIGH_ENTROPY] = "high_entropy",
	[GW_SAN_CUSTOM] = "custom",
};

const char *gw_san_kind_name(enum gw_san_kind kind)
{
	if ((unsigned)kind >= GW_SAN_KIND_COUNT)
		return "?";
	return kind_names[kind];
}

int gw_san_kind_parse(const char *name, enum gw_san_kind *kind)
{
	for (unsigned k = 0; k < GW_SAN_KIND_COUNT; k++)
		if (strcmp(name, kind_names[k]) == 0) {
			*kind = (enum gw_san_kind)k;
			return 0;
		}
	return -EINVAL;
}

/* "<" + the name upper-cased + ">". */
static char *make_label(const char *name)
{
	size_t n = strlen(name);
	char *l = malloc(n + 3);

	if (!l)
		return NULL;
	l[0] = '<';
	for (size_t i = 0; i < n; i++)
		l[i + 1] = (char)toupper((unsigned char)name[i]);
	l[n + 1] = '>';
	l[n + 2] = '\0';
	return l;
}

static int compile(struct gw_sanitizer *s, struct san_rule *r,
		   const char *pattern, uint32_t options, bool no_jit,
		   struct gw_error *err)
{
	PCRE2_SIZE off;
	uint32_t groups = 0;
	int ec, g;

	r->code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
				options | PCRE2_NEVER_UTF, &ec, &off, NULL);
	if (!r->code) {
		PCRE2_UCHAR msg[256];

		pcre2_get_error_message(ec, msg, sizeof(msg));
		gw_error_where(err, NULL, r->id);
		return gw_error_set(err, -EINVAL,
				    "pattern does not compile at offset %zu: "
				    "%s",
				    (size_t)off, (const char *)msg);
	}
	pcre2_pattern_info(r->code, PCRE2_INFO_CAPTURECOUNT, &groups);
	if (groups >= 63) {
		gw_error_where(err, NULL, r->id);
		return gw_error_set(err, -EINVAL,
				    "pattern has %u groups, more than 62",
				    groups);
	}
	g = pcre2_substring_number_from_name(r->code, (PCRE2_SPTR) "v");
	r->group_v = g > 0 ? g : 0;
	/* Where executable memory is forbidden, JIT fails: interpret. */
	if (no_jit || pcre2_jit_compile(r->code, PCRE2_JIT_COMPLETE) != 0)
		s->jit = false;
	return 0;
}

static int add_builtins(struct gw_sanitizer *s, const struct gw_san_config *c,
			struct gw_error *err)
{
	for (size_t i = 0; i < gw_san_builtin_count; i++) {
		const struct san_rule_def *d = &gw_san_builtin_rules[i];
		struct san_rule *r = &s->rules[s->n_rules];
		int rc;

		if (c->disabled_kinds & GW_SAN_KIND_BIT(d->kind))
			continue;
		r->id = d->id;
		r->kind = d->kind;
		r->def = d;
		r->label = make_label(gw_san_kind_name(d->kind));
		if (!r->label)
			return gw_error_set(err, -ENOMEM, "out of memory");
		r->label_len = strlen(r->label);
		s->n_rules++;
		rc = compile(s, r, d->pattern, PCRE2_ANCHORED, c->no_jit, err);
		if (rc < 0)
			return rc;
	}
	s->n_builtin = s->n_rules;
	return 0;
}

/*
 * For every byte, the built-in rules a finding starting with it may fit;
 * for every set of run classes, the rules whose needs it meets.
 */
static int index_rules(struct gw_sanitizer *s, struct gw_error *err)
{
	if (s->n_builtin > SAN_MAX_BUILTIN)
		return gw_error_set(err, -E2BIG, "too many built-in rules");
	for (unsigned k = 0; k < s->n_builtin; k++) {
		const struct san_rule_def *d = s->rules[k].def;
		unsigned need = (d->need >> 1) & (SAN_NEED_SLOTS - 1);

		for (const char *f = d->first; f && *f; f++)
			s->first_rules[(unsigned char)*f] |= 1ull << k;
		for (unsigned m = 0; m < SAN_NEED_SLOTS; m++)
			if ((m & need) == need)
				s->need_ok[m] |= 1ull << k;
	}
	return 0;
}

static bool valid_id(const char *id)
{
	size_t n = id ? strlen(id) : 0;

	if (n == 0 || n > 64)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!(islower((unsigned char)id[i]) ||
		      isdigit((unsigned char)id[i]) || strchr("_.-", id[i])))
			return false;
	return true;
}

static int add_custom(struct gw_sanitizer *s,
		      const struct gw_san_custom_rule *c, bool no_jit,
		      struct gw_error *err)
{
	struct san_rule *r = &s->rules[s->n_rules];
	char *id;

	if (!valid_id(c->id))
		return gw_error_set(err, -EINVAL,
				    "custom rule id must be 1-64 of "
				    "[a-z0-9_.-]");
	for (unsigned k = s->n_builtin; k < s->n_rules; k++)
		if (strcmp(s->rules[k].id, c->id) == 0) {
			gw_error_where(err, NULL, c->id);
			return gw_error_set(err, -EINVAL,
					    "custom rule id used twice");
		}
	if (!c->pattern || strlen(c->pattern) > GW_SAN_PATTERN_MAX_BYTES ||
	    c->n_keywords > GW_SAN_MAX_CUSTOM_KEYWORDS) {
		gw_error_where(err, NULL, c->id);
		return gw_error_set(err, -EINVAL,
				    "custom rule needs a pattern of at most "
				    "%u bytes and at most %u keywords",
				    GW_SAN_PATTERN_MAX_BYTES,
				    GW_SAN_MAX_CUSTOM_KEYWORDS);
	}
	id = strdup(c->id);
	if (!id)
		return gw_error_set(err, -ENOMEM, "out of memory");
	r->id = id;
	r->kind = GW_SAN_CUSTOM;
	r->min_entropy = c->min_entropy;
	r->label = make_label(c->label ? c->label : c->id);
	s->n_rules++;
	if (!r->label)
		return gw_error_set(err, -ENOMEM, "out of memory");
	r->label_len = strlen(r->label);
	if (c->n_keywords) {
		r->keywords = calloc(c->n_keywords, sizeof(*r->keywords));
		if (!r->keywords)
			return gw_error_set(err, -ENOMEM, "out of memory");
		for (size_t k = 0; k < c->n_keywords; k++) {
			char *w = strdup(c->keywords[k]);

			if (!w)
				return gw_error_set(err, -ENOMEM,
						    "out of memory");
			for (char *p = w; *p; p++)
				*p = (char)tolower((unsigned char)*p);
			r->keywords[r->n_keywords++] = w;
		}
	}
	return compile(s, r, c->pattern, 0, no_jit, err);
}

static int allow_cmp(const void *a, const void *b)
{
	const struct san_allow *x = a, *y = b;

	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return memcmp(x->s, y->s, x->len);
}

bool gw_san_allowed(const struct gw_sanitizer *s, const char *p, size_t n)
{
	struct san_allow key = { (char *)p, n };

	return bsearch(&key, s->allow, s->n_allow, sizeof(key), allow_cmp) !=
	       NULL;
}

static int add_allowlist(struct gw_sanitizer *s, const struct gw_san_config *c,
			 struct gw_error *err)
{
	if (c->n_allowlist == 0)
		return 0;
	s->allow = calloc(c->n_allowlist, sizeof(*s->allow));
	if (!s->allow)
		return gw_error_set(err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < c->n_allowlist; i++) {
		s->allow[i].len = strlen(c->allowlist[i]);
		s->allow[i].s = strdup(c->allowlist[i]);
		if (!s->allow[i].s)
			return gw_error_set(err, -ENOMEM, "out of memory");
		s->n_allow++;
	}
	qsort(s->allow, s->n_allow, sizeof(*s->allow), allow_cmp);
	return 0;
}

static int setup_match(struct gw_sanitizer *s, struct gw_error *err)
{
	s->mctx = pcre2_match_context_create(NULL);
	s->md = pcre2_match_data_create(64, NULL);
	if (!s->mctx || !s->md)
		return gw_error_set(err, -ENOMEM, "out of memory");
	pcre2_set_match_limit(s->mctx, GW_SAN_PCRE2_MATCH_LIMIT);
	pcre2_set_depth_limit(s->mctx, GW_SAN_PCRE2_DEPTH_LIMIT);
	if (s->jit) {
		s->jit_stack =
			pcre2_jit_stack_create(32 * 1024, 512 * 1024, NULL);
		if (!s->jit_stack)
			return gw_error_set(err, -ENOMEM, "out of memory");
		pcre2_jit_stack_assign(s->mctx, NULL, s->jit_stack);
	}
	return 0;
}

int gw_sanitizer_new(const struct gw_san_config *cfg, struct gw_sanitizer **out,
		     struct gw_error *err)
{
	static const struct gw_san_config zero;
	const struct gw_san_config *c = cfg ? cfg : &zero;
	struct gw_sanitizer *s;
	int r;

	*out = NULL;
	if (c->n_custom > GW_SAN_MAX_CUSTOM_RULES ||
	    c->n_allowlist > GW_SAN_MAX_ALLOWLIST)
		return gw_error_set(err, -E2BIG,
				    "at most %u custom rules and %u allowlist "
				    "entries",
				    GW_SAN_MAX_CUSTOM_RULES,
				    GW_SAN_MAX_ALLOWLIST);
	if (sodium_init() < 0)
		return gw_error_set(err, -ENOMEM, "libsodium did not start");
	s = calloc(1, sizeof(*s));
	if (!s)
		return gw_error_set(err, -ENOMEM, "out of memory");
	s->rules =
		calloc(gw_san_builtin_count + c->n_custom, sizeof(*s->rules));
	if (!s->rules) {
		free(s);
		return gw_error_set(err, -ENOMEM, "out of memory");
	}
	s->jit = true;
	s->entropy_bits = c->entropy_bits > 0 ? c->entropy_bits : 3.5;
	r = add_builtins(s, c, err);
	if (r == 0)
		r = index_rules(s, err);
	for (size_t i = 0; i < c->n_custom && r == 0; i++)
		r = add_custom(s, &c->custom[i], c->no_jit, err);
	if (r == 0)
		r = add_allowlist(s, c, err);
	if (r == 0)
		r = setup_match(s, err);
	if (r < 0) {
		gw_sanitizer_free(s);
		return r;
	}
	if (c->key) {
		gw_san_derive_keys(c->key, s->hash_key, s->nonce_key,
				   s->enc_key);
		s->have_key = true;
	}
	*out = s;
	return 0;
}

void gw_sanitizer_free(struct gw_sanitizer *s)
{
	if (!s)
		return;
	for (unsigned k = 0; k < s->n_rules; k++) {
		struct san_rule *r = &s->rules[k];

		pcre2_code_free(r->code);
		free(r->label);
		if (!r->def)
			free((char *)r->id);
		for (size_t i = 0; i < r->n_keywords; i++)
			free(r->keywords[i]);
		free(r->keywords);
	}
	free(s->rules);
	for (size_t i = 0; i < s->n_allow; i++)
		free(s->allow[i].s);
	free(s->allow);
	pcre2_match_data_free(s->md);
	pcre2_match_context_free(s->mctx);
	pcre2_jit_stack_free(s->jit_stack);
	free(s->scratch);
	sodium_memzero(s->hash_key, sizeof(s->hash_key));
	sodium_memzero(s->nonce_key, sizeof(s->nonce_key));
	sodium_memzero(s->enc_key, sizeof(s->enc_key));
	free(s);
}

bool gw_sanitizer_jit(const struct gw_sanitizer *s)
{
	return s->jit;
}

const char *gw_sanitizer_rule_id(const struct gw_sanitizer *s, unsigned rule)
{
	return rule < s->n_rules ? s->rules[rule].id : "?";
}

unsigned gw_sanitizer_rule_count(const struct gw_sanitizer *s)
{
	return s->n_rules;
}

void gw_sanitizer_counts(const struct gw_sanitizer *s, uint64_t *counts)
{
	memcpy(counts, s->counts, sizeof(s->counts));
}

void gw_sanitizer_counts_reset(struct gw_sanitizer *s)
{
	memset(s->counts, 0, sizeof(s->counts));
}
