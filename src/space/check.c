#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "space/check.h"
#include "space/suggest.h"

/* Most unknown keys considered at one place: the rest are cut short. */
#define MAX_KEYS_REPORTED 32u

void gw_check_report(struct gw_check *c, enum gw_severity sev, unsigned line,
		     unsigned col, const char *field, const char *hint,
		     const char *fmt, ...)
{
	struct gw_space_problem p = { line, col, field, NULL, hint, sev };
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	p.message = msg;

	if (sev == GW_SEVERITY_ERROR)
		c->errors++;
	else
		c->warnings++;
	if (c->sink && c->sink->report)
		c->sink->report(c->sink->arg, &p);
}

void gw_check_error(struct gw_check *c, const struct gw_toml_value *v,
		    const char *field, const char *hint, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	gw_check_report(c, GW_SEVERITY_ERROR, v ? v->line : 0, v ? v->col : 0,
			field, hint, "%s", msg);
}

void gw_check_nomem(struct gw_check *c)
{
	if (c->nomem)
		return;
	c->nomem = true;
	gw_check_report(c, GW_SEVERITY_ERROR, 0, 0, "", NULL, "out of memory");
}

const char *gw_check_type_phrase(enum gw_toml_type type)
{
	switch (type) {
	case GW_TOML_STRING: return "a string";
	case GW_TOML_INTEGER: return "an integer";
	case GW_TOML_FLOAT: return "a float";
	case GW_TOML_BOOL: return "a boolean";
	case GW_TOML_DATETIME: return "an offset date-time";
	case GW_TOML_DATETIME_LOCAL: return "a local date-time";
	case GW_TOML_DATE_LOCAL: return "a local date";
	case GW_TOML_TIME_LOCAL: return "a local time";
	case GW_TOML_ARRAY: return "an array";
	case GW_TOML_TABLE: return "a table";
	}
	return "a value";
}

bool gw_check_type(struct gw_check *c, const struct gw_toml_value *v,
		   const char *field, enum gw_toml_type want)
{
	if (v->type == want)
		return true;
	gw_check_error(c, v, field, NULL, "expected %s, got %s",
		       gw_check_type_phrase(want),
		       gw_check_type_phrase(v->type));
	return false;
}

void gw_check_quote(char *dst, size_t cap, const char *s, size_t len)
{
	gw_escape(dst, cap, s, len);
}

static bool is_bare(const char *key, size_t len)
{
	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		char ch = key[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '_' || ch == '-'))
			return false;
	}
	return true;
}

void gw_check_path_key(char *dst, size_t cap, const char *base, const char *key,
		       size_t key_len)
{
	char esc[GW_FIELD_MAX_BYTES];
	const char *dot = base && base[0] ? "." : "";

	if (!base)
		base = "";
	if (is_bare(key, key_len)) {
		snprintf(dst, cap, "%s%s%.*s", base, dot, (int)key_len, key);
		return;
	}
	gw_escape(esc, sizeof(esc), key, key_len);
	snprintf(dst, cap, "%s%s\"%s\"", base, dot, esc);
}

void gw_check_path_index(char *dst, size_t cap, const char *base, size_t i)
{
	snprintf(dst, cap, "%s[%zu]", base ? base : "", i);
}

int gw_check_word(const char *s, size_t len, const char *const *words)
{
	for (int i = 0; words[i]; i++)
		if (strlen(words[i]) == len && memcmp(words[i], s, len) == 0)
			return i;
	return -1;
}

/* "a, b, c" into dst. */
static void join_words(char *dst, size_t cap, const char *const *words)
{
	size_t len = 0;

	dst[0] = '\0';
	for (size_t i = 0; words[i] && len < cap; i++) {
		int n = snprintf(dst + len, cap - len, "%s%s", i ? ", " : "",
				 words[i]);

		if (n < 0)
			break;
		len += (size_t)n;
	}
}

int gw_check_choice(struct gw_check *c, const struct gw_toml_value *v,
		    const char *field, const char *const *words)
{
	char esc[128], list[384], hint[160];
	const char *near;
	int i;

	if (!gw_check_type(c, v, field, GW_TOML_STRING))
		return -1;
	i = gw_check_word(v->u.s.ptr, v->u.s.len, words);
	if (i >= 0)
		return i;

	gw_escape(esc, sizeof(esc), v->u.s.ptr, v->u.s.len);
	join_words(list, sizeof(list), words);
	near = gw_suggest(v->u.s.ptr, v->u.s.len, words);
	if (near)
		snprintf(hint, sizeof(hint), "did you mean '%s'?", near);
	gw_check_error(c, v, field, near ? hint : NULL,
		       "\"%s\" is not one of: %s", esc, list);
	return -1;
}

unsigned gw_check_keys_hint(struct gw_check *c, const struct gw_toml_value *t,
			    const char *path, const char *const *allowed,
			    gw_check_elsewhere_fn elsewhere)
{
	char field[GW_FIELD_MAX_BYTES], esc[128], hint[160];
	unsigned n = 0;

	for (size_t i = 0; i < t->u.tab.len && n < MAX_KEYS_REPORTED; i++) {
		const struct gw_toml_kv *kv = &t->u.tab.kvs[i];
		const char *near;
		bool hinted = false;

		if (gw_check_word(kv->key, kv->key_len, allowed) >= 0)
			continue;
		gw_check_path_key(field, sizeof(field), path, kv->key,
				  kv->key_len);
		gw_escape(esc, sizeof(esc), kv->key, kv->key_len);
		near = gw_suggest(kv->key, kv->key_len, allowed);
		if (near)
			hinted = snprintf(hint, sizeof(hint),
					  "did you mean '%s'?", near) > 0;
		else if (elsewhere)
			hinted = elsewhere(kv->key, kv->key_len, hint,
					   sizeof(hint));
		gw_check_report(c, GW_SEVERITY_ERROR, kv->line, kv->col, field,
				hinted ? hint : NULL, "unknown key \"%s\"",
				esc);
		n++;
	}
	return n;
}

unsigned gw_check_keys(struct gw_check *c, const struct gw_toml_value *t,
		       const char *path, const char *const *allowed)
{
	return gw_check_keys_hint(c, t, path, allowed, NULL);
}

const struct gw_toml_value *gw_check_require(struct gw_check *c,
					     const struct gw_toml_value *t,
					     const char *path, const char *key)
{
	const struct gw_toml_value *v = gw_toml_get(t, key);
	char field[GW_FIELD_MAX_BYTES];

	if (v)
		return v;
	gw_check_path_key(field, sizeof(field), path, key, strlen(key));
	gw_check_error(c, t, field, NULL, "missing required key \"%s\"", key);
	return NULL;
}
