/*
 * [env.sanitize]: the operators for info string leaves, Text
 * observations and log lines, the fields named one by one, the key file
 * for hash and tokenize, custom detection rules, and the numeric fields
 * released with differential privacy ([env.sanitize.dp]).
 *
 * Field paths may be written as quoted keys ("info.player.email") or as
 * TOML's dotted keys, which nest tables; both give the same path.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "manifest/manifest_priv.h"
#include "privacy/dp.h"
#include "sanitize/sanitize.h"

const char *const gw_sanitize_names[] = {
	"keep", "label", "redact", "mask", "hash", "tokenize", "drop", NULL,
};

const char *const gw_dp_on_exhausted_names[] = { "withhold", "end_episode",
						 NULL };

static const char *const sanitize_keys[] = {
	"default",   "fields",	 "text_observations",
	"logs",	     "key_file", "rules",
	"allowlist", "dp",	 NULL,
};
static const char *const op_keys[] = { "op",   "char",	   "count",
				       "keep", "from_end", NULL };
static const char *const rule_keys[] = { "id",	    "pattern", "keywords",
					 "entropy", "label",   "allowlist",
					 NULL };
static const char *const dp_keys[] = {
	"lower",       "upper",	       "epsilon", "epsilon_per_release",
	"granularity", "on_exhausted", NULL,
};

#define MAX_MASK_COUNT	    4096u
#define MAX_RULE_ID_BYTES   64u
#define MAX_RULES	    256u
#define MAX_ALLOWLIST	    4096u
#define MAX_GRANULARITY_EXP 60

/* Where an operator may be used: drop makes no sense for a Text obs. */
enum op_place { PLACE_FIELD, PLACE_DEFAULT, PLACE_TEXT, PLACE_LOGS };

const char *gw_sanitize_op_name(enum gw_sanitize_op op)
{
	return (unsigned)op <= GW_SANITIZE_DROP ? gw_sanitize_names[op] : "?";
}

static char *dup_n(struct gw_manifest *m, const char *s, size_t len)
{
	char *p = malloc(len + 1);

	if (!p) {
		gw_check_nomem(&m->check);
		return NULL;
	}
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

static bool number_of(const struct gw_toml_value *v, double *out)
{
	if (v->type == GW_TOML_INTEGER)
		*out = (double)v->u.i;
	else if (v->type == GW_TOML_FLOAT && !isnan(v->u.f))
		*out = v->u.f;
	else
		return false;
	return true;
}

static bool expect_number(struct gw_manifest *m, const struct gw_toml_value *v,
			  const char *field, double *out)
{
	if (number_of(v, out) && isfinite(*out))
		return true;
	gw_check_error(
		&m->check, v, field, NULL, "expected a finite number, got %s",
		v->type == GW_TOML_FLOAT ? "nan or inf"
					 : gw_check_type_phrase(v->type));
	return false;
}

/* "mask:C", "mask:C:N", "mask:C:N:end", as the engine's CLI writes. */
static bool mask_short(const char *s, size_t len, struct gw_sanitize_action *a)
{
	const char *p = s + 5, *end = s + len;
	unsigned long n = 0;

	if (len < 6 || memcmp(s, "mask:", 5) != 0 || p[0] < 0x21 || p[0] > 0x7e)
		return false;
	a->mask_char = p[0];
	p++;
	if (p == end)
		return true;
	if (*p++ != ':' || p == end)
		return false;
	while (p < end && *p >= '0' && *p <= '9' && n <= MAX_MASK_COUNT)
		n = n * 10 + (unsigned long)(*p++ - '0');
	if (n > MAX_MASK_COUNT)
		return false;
	a->mask_count = (unsigned)n;
	if (p == end)
		return true;
	a->mask_from_end = end - p == 4 && memcmp(p, ":end", 4) == 0;
	return a->mask_from_end;
}

static bool op_string(struct gw_manifest *m, const struct gw_toml_value *v,
		      const char *field, struct gw_sanitize_action *a)
{
	int op;

	if (v->u.s.len > 5 && memcmp(v->u.s.ptr, "mask:", 5) == 0) {
		a->op = GW_SANITIZE_MASK;
		if (mask_short(v->u.s.ptr, v->u.s.len, a))
			return true;
		gw_check_error(&m->check, v, field,
			       "write \"mask:*\", \"mask:*:12\" or "
			       "\"mask:*:4:end\", or a table",
			       "malformed mask shorthand");
		return false;
	}
	op = gw_check_choice(&m->check, v, field, gw_sanitize_names);
	if (op < 0)
		return false;
	a->op = (enum gw_sanitize_op)op;
	return true;
}

static bool mask_count_key(struct gw_manifest *m, const struct gw_toml_value *t,
			   const char *base, const char *key, unsigned *out)
{
	const struct gw_toml_value *v = gw_toml_get(t, key);
	char field[GW_FIELD_MAX_BYTES];

	if (!v)
		return true;
	gw_check_path_key(field, sizeof(field), base, key, strlen(key));
	if (!gw_check_type(&m->check, v, field, GW_TOML_INTEGER))
		return false;
	if (v->u.i < 0 || v->u.i > MAX_MASK_COUNT) {
		gw_check_error(&m->check, v, field, NULL,
			       "must be between 0 and %u", MAX_MASK_COUNT);
		return false;
	}
	*out = (unsigned)v->u.i;
	return true;
}

/* { op = "mask", char = "*", keep = 4, from_end = true } */
static bool op_table(struct gw_manifest *m, const struct gw_toml_value *t,
		     const char *base, struct gw_sanitize_action *a)
{
	const struct gw_toml_value *v;
	char field[GW_FIELD_MAX_BYTES];
	bool ok = true;

	if (gw_check_keys(&m->check, t, base, op_keys))
		ok = false;
	v = gw_check_require(&m->check, t, base, "op");
	gw_check_path_key(field, sizeof(field), base, "op", 2);
	if (!v || !gw_check_type(&m->check, v, field, GW_TOML_STRING) ||
	    !op_string(m, v, field, a))
		return false;
	if (a->op != GW_SANITIZE_MASK) {
		for (int k = 1; op_keys[k]; k++)
			if ((v = gw_toml_get(t, op_keys[k])) != NULL) {
				gw_check_path_key(field, sizeof(field), base,
						  op_keys[k],
						  strlen(op_keys[k]));
				gw_check_error(&m->check, v, field, NULL,
					       "only \"mask\" takes %s",
					       op_keys[k]);
				ok = false;
			}
		return ok;
	}
	v = gw_toml_get(t, "char");
	gw_check_path_key(field, sizeof(field), base, "char", 4);
	if (v && gw_check_type(&m->check, v, field, GW_TOML_STRING)) {
		if (v->u.s.len == 1 && v->u.s.ptr[0] >= 0x21 &&
		    v->u.s.ptr[0] <= 0x7e)
			a->mask_char = v->u.s.ptr[0];
		else
			ok = false, gw_check_error(&m->check, v, field, NULL,
						   "expected one printable "
						   "ASCII character");
	} else if (v) {
		ok = false;
	}
	ok &= mask_count_key(m, t, base, "count", &a->mask_count);
	ok &= mask_count_key(m, t, base, "keep", &a->mask_keep);
	if (a->mask_count && a->mask_keep) {
		gw_check_error(&m->check, gw_toml_get(t, "keep"), base,
			       "count masks that many, keep leaves that many",
			       "count and keep exclude each other");
		ok = false;
	}
	v = gw_toml_get(t, "from_end");
	gw_check_path_key(field, sizeof(field), base, "from_end", 8);
	if (v && gw_check_type(&m->check, v, field, GW_TOML_BOOL))
		a->mask_from_end = v->u.b;
	else if (v)
		ok = false;
	return ok;
}

/* An operator written as a string or a table, checked for its place. */
static bool parse_op(struct gw_manifest *m, const struct gw_toml_value *v,
		     const char *field, enum op_place place,
		     struct gw_sanitize_action *a)
{
	memset(a, 0, sizeof(*a));
	if (v->type == GW_TOML_TABLE) {
		if (!op_table(m, v, field, a))
			return false;
	} else if (v->type == GW_TOML_STRING) {
		if (!op_string(m, v, field, a))
			return false;
	} else {
		gw_check_error(&m->check, v, field,
			       "e.g. \"label\" or { op = \"mask\", keep = 4, "
			       "from_end = true }",
			       "expected an operator (a string or a table), "
			       "got %s",
			       gw_check_type_phrase(v->type));
		return false;
	}
	if (a->op == GW_SANITIZE_DROP && place == PLACE_TEXT) {
		gw_check_error(&m->check, v, field,
			       "use label, redact, mask, hash or tokenize",
			       "a Text observation cannot be dropped");
		return false;
	}
	return true;
}

static bool needs_key(const struct gw_sanitize_action *a)
{
	return a->op == GW_SANITIZE_HASH || a->op == GW_SANITIZE_TOKENIZE;
}

/* Whether t is an operator table rather than a level of field paths. */
static bool is_op_table(const struct gw_toml_value *t)
{
	return gw_toml_get(t, "op") != NULL;
}

static int add_field(struct gw_manifest *m, struct gw_sanitize *s,
		     const char *path, const struct gw_sanitize_action *a)
{
	struct gw_sanitize_field *grown;

	grown = realloc(s->fields, (s->n_fields + 1) * sizeof(*grown));
	if (!grown) {
		gw_check_nomem(&m->check);
		return -ENOMEM;
	}
	s->fields = grown;
	grown[s->n_fields].field = dup_n(m, path, strlen(path));
	if (!grown[s->n_fields].field)
		return -ENOMEM;
	grown[s->n_fields].action = *a;
	s->n_fields++;
	return 0;
}

/* Join prefix and one key of len bytes with '.'; false when too long. */
static bool join_path(char *dst, size_t cap, const char *prefix,
		      const char *key, size_t len)
{
	int w = snprintf(dst, cap, "%s%s%.*s", prefix, prefix[0] ? "." : "",
			 (int)len, key);

	return w > 0 && (size_t)w < cap && !memchr(key, '\0', len);
}

static bool info_path(const char *p)
{
	return strncmp(p, "info.", 5) == 0 && p[5] && p[strlen(p) - 1] != '.';
}

static void bad_path(struct gw_manifest *m, unsigned line, unsigned col,
		     const char *field)
{
	gw_check_report(&m->check, GW_SEVERITY_ERROR, line, col, field,
			"write the path from info down, e.g. "
			"\"info.player.email\"",
			"expected a field path under info");
}

static void sanitize_fields(struct gw_manifest *m, struct gw_sanitize *s,
			    const struct gw_toml_value *t, const char *base,
			    const char *prefix)
{
	char field[GW_FIELD_MAX_BYTES], path[GW_FIELD_MAX_BYTES];
	struct gw_sanitize_action a;

	for (size_t i = 0; i < t->u.tab.len; i++) {
		const struct gw_toml_kv *kv = &t->u.tab.kvs[i];
		const struct gw_toml_value *v = kv->value;

		gw_check_path_key(field, sizeof(field), base, kv->key,
				  kv->key_len);
		if (!join_path(path, sizeof(path), prefix, kv->key,
			       kv->key_len)) {
			bad_path(m, kv->line, kv->col, field);
			continue;
		}
		if (v->type == GW_TOML_TABLE && !is_op_table(v)) {
			sanitize_fields(m, s, v, field, path);
			continue;
		}
		if (!info_path(path)) {
			bad_path(m, kv->line, kv->col, field);
			continue;
		}
		if (parse_op(m, v, field, PLACE_FIELD, &a) &&
		    add_field(m, s, path, &a) < 0)
			return;
	}
}

static void op_key(struct gw_manifest *m, const struct gw_toml_value *t,
		   const char *path, const char *key, enum op_place place,
		   struct gw_sanitize_action *out)
{
	const struct gw_toml_value *v = gw_toml_get(t, key);
	char field[GW_FIELD_MAX_BYTES];
	struct gw_sanitize_action a;

	if (!v)
		return;
	gw_check_path_key(field, sizeof(field), path, key, strlen(key));
	if (parse_op(m, v, field, place, &a))
		*out = a;
}

static void key_file(struct gw_manifest *m, struct gw_sanitize *s,
		     const struct gw_toml_value *t, const char *path)
{
	const struct gw_toml_value *v = gw_toml_get(t, "key_file");
	char field[GW_FIELD_MAX_BYTES];

	if (!v)
		return;
	gw_check_path_key(field, sizeof(field), path, "key_file", 8);
	if (!gw_check_type(&m->check, v, field, GW_TOML_STRING))
		return;
	if (v->u.s.len == 0 || v->u.s.len > GW_MANIFEST_MAX_PATH_BYTES ||
	    memchr(v->u.s.ptr, '\0', v->u.s.len)) {
		gw_check_error(&m->check, v, field, NULL,
			       "expected a non-empty path");
		return;
	}
	s->key_file = gw_manifest_resolve(m->dir, v->u.s.ptr, v->u.s.len);
	if (!s->key_file) {
		gw_check_nomem(&m->check);
		return;
	}
	/* Read (and its mode checked) when an env opens, never here: a
	 * checker need not see the key, and it may not exist yet. */
}

/* An array of non-empty strings into a NULL-terminated list. */
static char **string_list(struct gw_manifest *m, const struct gw_toml_value *v,
			  const char *base, size_t cap, size_t *n)
{
	char field[GW_FIELD_MAX_BYTES];
	char **list;

	*n = 0;
	if (!gw_check_type(&m->check, v, base, GW_TOML_ARRAY))
		return NULL;
	if (v->u.arr.len > cap) {
		gw_check_error(&m->check, v, base, NULL, "at most %zu entries",
			       cap);
		return NULL;
	}
	list = calloc(v->u.arr.len + 1, sizeof(*list));
	if (!list) {
		gw_check_nomem(&m->check);
		return NULL;
	}
	for (size_t i = 0; i < v->u.arr.len; i++) {
		const struct gw_toml_value *x = v->u.arr.items[i];

		gw_check_path_index(field, sizeof(field), base, i);
		if (!gw_check_type(&m->check, x, field, GW_TOML_STRING))
			continue;
		if (x->u.s.len == 0 || memchr(x->u.s.ptr, '\0', x->u.s.len)) {
			gw_check_error(&m->check, x, field, NULL,
				       "expected a non-empty string");
			continue;
		}
		list[*n] = dup_n(m, x->u.s.ptr, x->u.s.len);
		if (list[*n])
			(*n)++;
	}
	return list;
}

static void free_list(char **list)
{
	for (size_t i = 0; list && list[i]; i++)
		free(list[i]);
	free(list);
}

static bool rule_id_ok(const char *s, size_t len)
{
	if (len == 0 || len > MAX_RULE_ID_BYTES)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_' ||
		      s[i] == '.' || s[i] == '-'))
			return false;
	return true;
}

/* Append the strings of list to s->allowlist (the engine has one). */
static void merge_allowlist(struct gw_manifest *m, struct gw_sanitize *s,
			    char **list, size_t n)
{
	char **grown;

	if (!list || n == 0) {
		free_list(list);
		return;
	}
	grown = realloc(s->allowlist,
			(s->n_allowlist + n + 1) * sizeof(*grown));
	if (!grown) {
		gw_check_nomem(&m->check);
		free_list(list);
		return;
	}
	memcpy(grown + s->n_allowlist, list, n * sizeof(*list));
	s->n_allowlist += n;
	grown[s->n_allowlist] = NULL;
	s->allowlist = grown;
	free(list);
}

static bool rule_strings(struct gw_manifest *m, const struct gw_toml_value *t,
			 const char *base, struct gw_sanitize_rule_store *r)
{
	const struct gw_toml_value *v;
	char field[GW_FIELD_MAX_BYTES];

	v = gw_check_require(&m->check, t, base, "id");
	gw_check_path_key(field, sizeof(field), base, "id", 2);
	if (!v || !gw_check_type(&m->check, v, field, GW_TOML_STRING))
		return false;
	if (!rule_id_ok(v->u.s.ptr, v->u.s.len)) {
		gw_check_error(&m->check, v, field, "e.g. \"employee_id\"",
			       "a rule id is 1 to %u of a-z 0-9 _ . -",
			       MAX_RULE_ID_BYTES);
		return false;
	}
	r->id = dup_n(m, v->u.s.ptr, v->u.s.len);
	v = gw_check_require(&m->check, t, base, "pattern");
	gw_check_path_key(field, sizeof(field), base, "pattern", 7);
	if (!v || !gw_check_type(&m->check, v, field, GW_TOML_STRING))
		return false;
	if (v->u.s.len == 0 || memchr(v->u.s.ptr, '\0', v->u.s.len)) {
		gw_check_error(&m->check, v, field, NULL,
			       "expected a non-empty PCRE2 pattern");
		return false;
	}
	r->pattern = dup_n(m, v->u.s.ptr, v->u.s.len);
	v = gw_toml_get(t, "label");
	gw_check_path_key(field, sizeof(field), base, "label", 5);
	if (v && gw_check_type(&m->check, v, field, GW_TOML_STRING))
		r->label = dup_n(m, v->u.s.ptr, v->u.s.len);
	return r->id && r->pattern;
}

/*
 * Compile the rule alone, so that a bad pattern is reported here, at
 * its line, and not first when an env opens.
 */
static void compile_rule(struct gw_manifest *m, const struct gw_toml_value *t,
			 const char *base, const struct gw_sanitize_rule *r)
{
	struct gw_san_custom_rule one = {
		.id = r->id,
		.pattern = r->pattern,
		.keywords = r->keywords,
		.n_keywords = r->n_keywords,
		.min_entropy = r->entropy,
		.label = r->label,
	};
	struct gw_san_config cfg = {
		.disabled_kinds = ~GW_SAN_KIND_BIT(GW_SAN_CUSTOM),
		.custom = &one,
		.n_custom = 1,
		.no_jit = true,
	};
	struct gw_sanitizer *san = NULL;
	char field[GW_FIELD_MAX_BYTES];
	struct gw_error err;
	int rc;

	gw_error_clear(&err);
	rc = gw_sanitizer_new(&cfg, &san, &err);
	gw_sanitizer_free(san);
	if (rc == -ENOMEM)
		gw_check_nomem(&m->check);
	else if (rc < 0) {
		gw_check_path_key(field, sizeof(field), base, "pattern", 7);
		gw_check_error(&m->check, gw_toml_get(t, "pattern"), field,
			       NULL, "%s", err.msg);
	}
}

static void parse_rule(struct gw_manifest *m, struct gw_sanitize *s,
		       const struct gw_toml_value *t, const char *base)
{
	struct gw_sanitize_rule_store *r = &s->rules[s->n_rules];
	const struct gw_toml_value *v;
	char field[GW_FIELD_MAX_BYTES];
	size_t n = 0;

	gw_check_keys(&m->check, t, base, rule_keys);
	memset(r, 0, sizeof(*r));
	if (!rule_strings(m, t, base, r)) {
		free(r->id);
		free(r->pattern);
		free(r->label);
		return;
	}
	for (size_t i = 0; i < s->n_rules; i++)
		if (strcmp(s->rules[i].id, r->id) == 0)
			gw_check_error(&m->check, gw_toml_get(t, "id"), base,
				       NULL, "rule id \"%s\" is used twice",
				       r->id);
	v = gw_toml_get(t, "keywords");
	gw_check_path_key(field, sizeof(field), base, "keywords", 8);
	if (v)
		r->keywords = string_list(m, v, field, 64, &n);
	v = gw_toml_get(t, "entropy");
	gw_check_path_key(field, sizeof(field), base, "entropy", 7);
	if (v && expect_number(m, v, field, &r->rule.entropy) &&
	    (r->rule.entropy < 0 || r->rule.entropy > 8))
		gw_check_error(&m->check, v, field, NULL,
			       "entropy is in bits per byte, 0 to 8");
	v = gw_toml_get(t, "allowlist");
	gw_check_path_key(field, sizeof(field), base, "allowlist", 9);
	if (v) {
		size_t k;
		char **list = string_list(m, v, field, MAX_ALLOWLIST, &k);

		merge_allowlist(m, s, list, k);
	}
	r->rule.id = r->id;
	r->rule.pattern = r->pattern;
	r->rule.label = r->label;
	r->rule.keywords = (const char *const *)r->keywords;
	r->rule.n_keywords = n;
	compile_rule(m, t, base, &r->rule);
	s->n_rules++;
}

static void parse_rules(struct gw_manifest *m, struct gw_sanitize *s,
			const struct gw_toml_value *v, const char *base)
{
	char field[GW_FIELD_MAX_BYTES];

	if (!gw_check_type(&m->check, v, base, GW_TOML_ARRAY))
		return;
	if (v->u.arr.len > MAX_RULES) {
		gw_check_error(&m->check, v, base, NULL, "at most %u rules",
			       MAX_RULES);
		return;
	}
	s->rules = calloc(v->u.arr.len ? v->u.arr.len : 1, sizeof(*s->rules));
	if (!s->rules) {
		gw_check_nomem(&m->check);
		return;
	}
	for (size_t i = 0; i < v->u.arr.len; i++) {
		gw_check_path_index(field, sizeof(field), base, i);
		if (gw_check_type(&m->check, v->u.arr.items[i], field,
				  GW_TOML_TABLE))
			parse_rule(m, s, v->u.arr.items[i], field);
	}
}

/* A power of two as a number (0.0009765625) or "2^-10"; its k of 2^-k. */
static bool granularity(struct gw_manifest *m, const struct gw_toml_value *v,
			const char *field, int *k)
{
	const char *hint = "a power of two: 0.125, 1, 1024 or \"2^-10\"";
	char text[32];
	double g;
	int x;

	if (v->type == GW_TOML_STRING && v->u.s.len > 2 && v->u.s.len < 16 &&
	    memcmp(v->u.s.ptr, "2^", 2) == 0) {
		char *end;
		long e;

		memcpy(text, v->u.s.ptr + 2, v->u.s.len - 2);
		text[v->u.s.len - 2] = '\0';
		e = strtol(text, &end, 10);
		if (*end == '\0' && end != text && e >= -MAX_GRANULARITY_EXP &&
		    e <= MAX_GRANULARITY_EXP) {
			*k = (int)-e;
			return true;
		}
	} else if (number_of(v, &g) && g > 0 && isfinite(g) &&
		   frexp(g, &x) == 0.5 && x - 1 >= -MAX_GRANULARITY_EXP &&
		   x - 1 <= MAX_GRANULARITY_EXP) {
		*k = 1 - x;
		return true;
	}
	gw_check_error(&m->check, v, field, hint,
		       "granularity must be a power of two between 2^-%d and "
		       "2^%d",
		       MAX_GRANULARITY_EXP, MAX_GRANULARITY_EXP);
	return false;
}

static bool dp_number(struct gw_manifest *m, const struct gw_toml_value *t,
		      const char *base, const char *key, bool required,
		      double *out)
{
	const struct gw_toml_value *v;
	char field[GW_FIELD_MAX_BYTES];

	v = required ? gw_check_require(&m->check, t, base, key)
		     : gw_toml_get(t, key);
	gw_check_path_key(field, sizeof(field), base, key, strlen(key));
	if (!v)
		return !required;
	return expect_number(m, v, field, out);
}

static void parse_dp_entry(struct gw_manifest *m, struct gw_sanitize *s,
			   const struct gw_toml_value *t, const char *base,
			   const char *path)
{
	struct gw_dp_field f = { .on_exhausted = GW_DP_WITHHOLD };
	const struct gw_toml_value *v;
	char field[GW_FIELD_MAX_BYTES], why[160];
	struct gw_dp_store *grown;
	bool ok, has_g = false;
	int i;

	gw_check_keys(&m->check, t, base, dp_keys);
	ok = dp_number(m, t, base, "lower", true, &f.lower);
	ok &= dp_number(m, t, base, "upper", true, &f.upper);
	ok &= dp_number(m, t, base, "epsilon", true, &f.epsilon);
	f.epsilon_per_release = f.epsilon;
	ok &= dp_number(m, t, base, "epsilon_per_release", false,
			&f.epsilon_per_release);
	v = gw_toml_get(t, "granularity");
	gw_check_path_key(field, sizeof(field), base, "granularity", 11);
	if (v)
		ok &= has_g = granularity(m, v, field, &f.granularity_exp);
	v = gw_toml_get(t, "on_exhausted");
	gw_check_path_key(field, sizeof(field), base, "on_exhausted", 12);
	if (v && (i = gw_check_choice(&m->check, v, field,
				      gw_dp_on_exhausted_names)) >= 0)
		f.on_exhausted = (enum gw_dp_exhausted)i;
	else if (v)
		ok = false;
	if (!ok)
		return;
	if (!has_g && f.upper > f.lower)
		f.granularity_exp = gw_dp_default_granularity(f.lower, f.upper);
	if (!gw_dp_field_valid(&f, why, sizeof(why))) {
		gw_check_error(&m->check, t, base, NULL, "%s", why);
		return;
	}

	grown = realloc(s->dp, (s->n_dp + 1) * sizeof(*grown));
	if (!grown) {
		gw_check_nomem(&m->check);
		return;
	}
	s->dp = grown;
	grown[s->n_dp].field = dup_n(m, path, strlen(path));
	grown[s->n_dp].p = (struct gw_dp_policy){
		.field = grown[s->n_dp].field,
		.lower = f.lower,
		.upper = f.upper,
		.epsilon = f.epsilon,
		.epsilon_per_release = f.epsilon_per_release,
		.granularity_exp = f.granularity_exp,
		.on_exhausted = (enum gw_dp_on_exhausted)f.on_exhausted,
	};
	if (grown[s->n_dp].field)
		s->n_dp++;
}

static void parse_dp(struct gw_manifest *m, struct gw_sanitize *s,
		     const struct gw_toml_value *t, const char *base,
		     const char *prefix)
{
	char field[GW_FIELD_MAX_BYTES], path[GW_FIELD_MAX_BYTES];

	for (size_t i = 0; i < t->u.tab.len; i++) {
		const struct gw_toml_kv *kv = &t->u.tab.kvs[i];

		gw_check_path_key(field, sizeof(field), base, kv->key,
				  kv->key_len);
		if (!join_path(path, sizeof(path), prefix, kv->key,
			       kv->key_len)) {
			bad_path(m, kv->line, kv->col, field);
			continue;
		}
		if (!gw_check_type(&m->check, kv->value, field, GW_TOML_TABLE))
			continue;
		if (!gw_toml_get(kv->value, "lower") &&
		    !gw_toml_get(kv->value, "epsilon")) {
			parse_dp(m, s, kv->value, field, path);
			continue;
		}
		if (!info_path(path))
			bad_path(m, kv->line, kv->col, field);
		else
			parse_dp_entry(m, s, kv->value, field, path);
	}
}

/* What only the whole table can tell: keys needed, fields named twice. */
static void cross_check(struct gw_manifest *m, struct gw_sanitize *s,
			const struct gw_toml_value *t, const char *path)
{
	const struct gw_sanitize_action *uses[3] = { &s->def, &s->text_obs,
						     &s->logs };
	bool keyed = false;
	char field[GW_FIELD_MAX_BYTES];

	for (size_t i = 0; i < 3; i++)
		keyed |= needs_key(uses[i]);
	for (size_t i = 0; i < s->n_fields; i++)
		keyed |= needs_key(&s->fields[i].action);
	if (keyed && !s->key_file)
		gw_check_error(&m->check, t, path,
			       "add key_file = \"path/to/key\" (32 random "
			       "bytes, mode 0600)",
			       "hash and tokenize need a key_file");
	for (size_t i = 0; i < s->n_dp; i++)
		for (size_t j = 0; j < s->n_fields; j++)
			if (strcmp(s->dp[i].field, s->fields[j].field) == 0) {
				gw_check_path_key(field, sizeof(field), path,
						  "dp", 2);
				gw_check_error(&m->check, gw_toml_get(t, "dp"),
					       field, NULL,
					       "\"%s\" is both in fields and "
					       "in dp",
					       s->dp[i].field);
			}
}

void gw_manifest_parse_sanitize(struct gw_manifest *m, struct gw_sanitize *s,
				const struct gw_toml_value *t, const char *path)
{
	const struct gw_toml_value *v;
	char field[GW_FIELD_MAX_BYTES];
	size_t n;

	s->present = true;
	s->def.op = GW_SANITIZE_LABEL;
	gw_check_keys(&m->check, t, path, sanitize_keys);
	op_key(m, t, path, "default", PLACE_DEFAULT, &s->def);
	s->text_obs =
		s->def.op == GW_SANITIZE_DROP
			? (struct gw_sanitize_action){ .op = GW_SANITIZE_LABEL }
			: s->def;
	s->logs = s->def;
	op_key(m, t, path, "text_observations", PLACE_TEXT, &s->text_obs);
	op_key(m, t, path, "logs", PLACE_LOGS, &s->logs);
	key_file(m, s, t, path);

	v = gw_toml_get(t, "fields");
	gw_check_path_key(field, sizeof(field), path, "fields", 6);
	if (v && gw_check_type(&m->check, v, field, GW_TOML_TABLE))
		sanitize_fields(m, s, v, field, "");
	v = gw_toml_get(t, "rules");
	gw_check_path_key(field, sizeof(field), path, "rules", 5);
	if (v)
		parse_rules(m, s, v, field);
	v = gw_toml_get(t, "allowlist");
	gw_check_path_key(field, sizeof(field), path, "allowlist", 9);
	if (v) {
		char **list = string_list(m, v, field, MAX_ALLOWLIST, &n);

		merge_allowlist(m, s, list, n);
	}
	v = gw_toml_get(t, "dp");
	gw_check_path_key(field, sizeof(field), path, "dp", 2);
	if (v && gw_check_type(&m->check, v, field, GW_TOML_TABLE))
		parse_dp(m, s, v, field, "");
	cross_check(m, s, t, path);
}

void gw_sanitize_policy_free(struct gw_sanitize *s)
{
	for (size_t i = 0; i < s->n_fields; i++)
		free(s->fields[i].field);
	free(s->fields);
	free(s->key_file);
	for (size_t i = 0; i < s->n_rules; i++) {
		free(s->rules[i].id);
		free(s->rules[i].pattern);
		free(s->rules[i].label);
		free_list(s->rules[i].keywords);
	}
	free(s->rules);
	free_list(s->allowlist);
	for (size_t i = 0; i < s->n_dp; i++)
		free(s->dp[i].field);
	free(s->dp);
	memset(s, 0, sizeof(*s));
}

static json_t *action_json(const struct gw_sanitize_action *a)
{
	char c[2] = { a->mask_char ? a->mask_char : '*', '\0' };

	if (a->op != GW_SANITIZE_MASK)
		return json_string(gw_sanitize_names[a->op]);
	return json_pack("{s:s, s:s, s:I, s:I, s:b}", "op", "mask", "char", c,
			 "count", (json_int_t)a->mask_count, "keep",
			 (json_int_t)a->mask_keep, "from_end",
			 a->mask_from_end);
}

static json_t *rules_json(const struct gw_sanitize *s)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < s->n_rules; i++) {
		const struct gw_sanitize_rule *r = &s->rules[i].rule;
		json_t *kw = json_array();

		for (size_t k = 0; kw && k < r->n_keywords; k++)
			json_array_append_new(kw, json_string(r->keywords[k]));
		json_array_append_new(
			a, json_pack("{s:s, s:s, s:o, s:f, s:s*}", "id", r->id,
				     "pattern", r->pattern, "keywords", kw,
				     "entropy", r->entropy, "label", r->label));
	}
	return a;
}

static json_t *dp_json(const struct gw_sanitize *s)
{
	json_t *o = json_object();

	for (size_t i = 0; o && i < s->n_dp; i++) {
		const struct gw_dp_policy *p = &s->dp[i].p;

		json_object_set_new(
			o, p->field,
			json_pack("{s:f, s:f, s:f, s:f, s:f, s:s}", "lower",
				  p->lower, "upper", p->upper, "epsilon",
				  p->epsilon, "epsilon_per_release",
				  p->epsilon_per_release, "granularity",
				  ldexp(1.0, -p->granularity_exp),
				  "on_exhausted",
				  gw_dp_on_exhausted_names[p->on_exhausted]));
	}
	return o;
}

json_t *gw_sanitize_policy_json(const struct gw_sanitize *s)
{
	json_t *fields = json_object(), *allow = json_array();

	if (!s->present) {
		json_decref(fields);
		json_decref(allow);
		return json_null();
	}
	for (size_t i = 0; fields && i < s->n_fields; i++)
		json_object_set_new(fields, s->fields[i].field,
				    action_json(&s->fields[i].action));
	for (size_t i = 0; allow && i < s->n_allowlist; i++)
		json_array_append_new(allow, json_string(s->allowlist[i]));
	return json_pack("{s:o, s:o, s:o, s:o, s:s*, s:o, s:o, s:o}", "default",
			 action_json(&s->def), "text_observations",
			 action_json(&s->text_obs), "logs",
			 action_json(&s->logs), "fields", fields, "key_file",
			 s->key_file, "rules", rules_json(s), "allowlist",
			 allow, "dp", dp_json(s));
}
