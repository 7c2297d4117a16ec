/*
 * [env.sanitize] at the boundary: every string leaf of a decoded info,
 * every Text observation and every log line of the worker passes the
 * detection engine (src/sanitize) before the trainer, the audit log or
 * a recording can see it, and the numeric fields the policy names are
 * released with differential privacy (src/privacy) instead of as sent.
 *
 * Fields named in `fields` take their operator on the whole value (the
 * policy says the field is personal: no detection is needed to decide);
 * every other string leaf takes `default` on what the engine finds in
 * it. An env without the table never gets here: e->san stays NULL and
 * each hook is one pointer test.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "audit/audit.h"
#include "core/buf.h"
#include "core/endian.h"
#include "core/error.h"
#include "core/log.h"
#include "monitor/monitor_priv.h"
#include "privacy/dp.h"
#include "sanitize/sanitize.h"
#include "space/check.h"
#include "space/ops_priv.h"

/* One sanitized string; a token grows a finding about 1.4 times. */
#define SAN_OUT_MAX_BYTES (8u * GW_MSGPACK_MAX_STR_BYTES)
/* Findings a mask places by hand; past this the line is labelled. */
#define SAN_MAX_SPANS 256u
/* The whole-value rule of `fields`: every byte is one finding. */
#define WHOLE_RULE_ID	   "field"
#define WHOLE_RULE_PATTERN "(?s)\\A.+\\z"

struct gw_env_san {
	struct gw_sanitizer *detect; /* built-in and custom rules */
	struct gw_sanitizer *whole;  /* one rule: the whole input */
	const struct gw_manifest_env *me;
	struct gw_buf out, tmp;
	char path[GW_FIELD_MAX_BYTES];
	/* Text leaves of the observation layout. */
	const struct gw_layout_node **texts; /* found at the first obs */
	size_t n_texts;
	bool texts_found;
	/* Differential privacy. */
	struct gw_dp_field *dp_fields;
	struct gw_dp_state dp;
	bool end_episode;
	uint64_t counts[GW_SAN_STAT_COUNT];
	uint64_t field_ops[GW_SANITIZE_DROP + 1]; /* values per operator */
};

/* gw_env_sanitize_counts' names of field_ops, by operator. */
static const char *const field_op_names[GW_SANITIZE_DROP + 1] = {
	[GW_SANITIZE_LABEL] = "field_label",
	[GW_SANITIZE_REDACT] = "field_redact",
	[GW_SANITIZE_MASK] = "field_mask",
	[GW_SANITIZE_HASH] = "field_hash",
	[GW_SANITIZE_TOKENIZE] = "field_tokenize",
};

static const char *const stat_names[GW_SAN_STAT_COUNT] = {
	[GW_SAN_STAT_DROPPED] = "dropped",
	[GW_SAN_STAT_DP_RELEASED] = "dp_released",
	[GW_SAN_STAT_DP_WITHHELD] = "dp_withheld",
	[GW_SAN_STAT_LOG_DROPPED] = "log_lines_dropped",
	[GW_SAN_STAT_BYTES_WITHHELD] = "bytes_withheld",
	[GW_SAN_STAT_KEYS] = "keys_changed",
	[GW_SAN_STAT_FAILED] = "failed_closed",
};

/* "No error" for the per-leaf calls, without a 1.5 KiB memset each. */
static void scratch(struct gw_error *err)
{
	err->code = 0;
	err->kind = GW_ERR_NONE;
	err->step = -1;
	err->line = err->col = 0;
	err->file[0] = err->field[0] = err->msg[0] = '\0';
}

static void buf_reset(struct gw_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

static enum gw_san_op_kind engine_op(enum gw_sanitize_op op)
{
	switch (op) {
	case GW_SANITIZE_KEEP: return GW_SAN_OP_KEEP;
	case GW_SANITIZE_REDACT: return GW_SAN_OP_REDACT;
	case GW_SANITIZE_MASK: return GW_SAN_OP_MASK;
	case GW_SANITIZE_HASH: return GW_SAN_OP_HASH;
	case GW_SANITIZE_TOKENIZE: return GW_SAN_OP_ENCRYPT;
	default: return GW_SAN_OP_LABEL;
	}
}

static struct gw_san_op to_engine(const struct gw_sanitize_action *a)
{
	return (struct gw_san_op){
		.kind = engine_op(a->op),
		.mask_char = a->mask_char,
		.mask_count = a->mask_count,
		.mask_from_end = a->mask_from_end,
	};
}

/* ---- opening ---- */

static int build_engines(struct gw_env_san *s, const struct gw_manifest_env *me,
			 struct gw_error *err)
{
	struct gw_san_custom_rule *rules = NULL, whole = {
		.id = WHOLE_RULE_ID,
		.pattern = WHOLE_RULE_PATTERN,
	};
	size_t n = gw_manifest_env_sanitize_rule_count(me), n_allow;
	const char *key_path = gw_manifest_env_sanitize_key_file(me);
	struct gw_san_config cfg = { 0 };
	struct gw_san_key key;
	int r = 0;

	if (key_path) {
		r = gw_sanitize_key_load(key_path, &key, err);
		if (r < 0) {
			char why[sizeof(err->msg)];

			/* The env's id takes err->file: name the key here. */
			snprintf(why, sizeof(why), "%s", err->msg);
			snprintf(err->msg, sizeof(err->msg),
				 "sanitize key_file %.400s: %.500s", key_path,
				 why);
			return r;
		}
		cfg.key = &key;
	}
	rules = calloc(n ? n : 1, sizeof(*rules));
	if (!rules) {
		r = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		const struct gw_sanitize_rule *mr =
			gw_manifest_env_sanitize_rule_at(me, i);

		rules[i] = (struct gw_san_custom_rule){
			.id = mr->id,
			.pattern = mr->pattern,
			.keywords = mr->keywords,
			.n_keywords = mr->n_keywords,
			.min_entropy = mr->entropy,
			.label = mr->label,
		};
	}
	cfg.custom = rules;
	cfg.n_custom = n;
	cfg.allowlist = gw_manifest_env_sanitize_allowlist(me, &n_allow);
	cfg.n_allowlist = n_allow;
	r = gw_sanitizer_new(&cfg, &s->detect, err);
	if (r < 0)
		goto out;

	cfg.custom = &whole;
	cfg.n_custom = 1;
	cfg.allowlist = NULL;
	cfg.n_allowlist = 0;
	cfg.disabled_kinds = ~GW_SAN_KIND_BIT(GW_SAN_CUSTOM);
	r = gw_sanitizer_new(&cfg, &s->whole, err);
out:
	free(rules);
	sodium_memzero(&key, sizeof(key));
	return r;
}

/* After the handshake: an adopted space has a layout of its own. */
static int find_texts(struct gw_env_san *s, const struct gw_space_layout *l)
{
	s->texts_found = true;
	s->texts = calloc(l->nnodes ? l->nnodes : 1, sizeof(*s->texts));
	if (!s->texts)
		return -ENOMEM;
	for (size_t i = 0; i < l->nnodes; i++)
		if (gw_space_kind(l->nodes[i].space) == GW_SPACE_TEXT)
			s->texts[s->n_texts++] = &l->nodes[i];
	return 0;
}

static int build_dp(struct gw_env_san *s, const struct gw_manifest_env *me)
{
	size_t n = gw_manifest_env_dp_count(me);

	s->dp_fields = calloc(n ? n : 1, sizeof(*s->dp_fields));
	if (!s->dp_fields)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const struct gw_dp_policy *p = gw_manifest_env_dp_at(me, i);

		s->dp_fields[i] = (struct gw_dp_field){
			.lower = p->lower,
			.upper = p->upper,
			.epsilon = p->epsilon,
			.epsilon_per_release = p->epsilon_per_release,
			.granularity_exp = p->granularity_exp,
			.on_exhausted = (enum gw_dp_exhausted)p->on_exhausted,
		};
	}
	return gw_dp_state_init(&s->dp, s->dp_fields, n, NULL);
}

int gw_env_san_open(struct gw_env *e, struct gw_error *err)
{
	struct gw_env_san *s;
	int r;

	if (!gw_manifest_env_sanitizes(e->me))
		return 0;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->me = e->me;
	gw_buf_init(&s->out, SAN_OUT_MAX_BYTES);
	gw_buf_init(&s->tmp, SAN_OUT_MAX_BYTES);
	e->san = s;
	r = build_engines(s, e->me, err);
	if (r < 0) {
		gw_error_where(err, e->id, err->field[0] ? NULL : "sanitize");
		return gw_error_set_kind(err, r, GW_ERR_MANIFEST, -1);
	}
	r = build_dp(s, e->me);
	if (r < 0)
		return gw_error_set_kind(err,
					 gw_error_set(err, r,
						      "sanitize policy: %s",
						      strerror(-r)),
					 GW_ERR_SYSTEM, -1);
	return 0;
}

void gw_env_san_free(struct gw_env_san *s)
{
	if (!s)
		return;
	gw_sanitizer_free(s->detect);
	gw_sanitizer_free(s->whole);
	gw_buf_free(&s->out);
	gw_buf_free(&s->tmp);
	free(s->texts);
	if (s->dp_fields)
		gw_dp_state_free(&s->dp);
	free(s->dp_fields);
	free(s);
}

/* ---- operators ---- */

static bool separator(unsigned char c)
{
	return c == '-' || c == ' ' || c == '.' || c == ':' || c == '@';
}

static size_t char_len(const char *p, size_t left)
{
	size_t n = 1;

	while (n < left && ((unsigned char)p[n] & 0xc0) == 0x80)
		n++;
	return n;
}

/* What a mask writes per character, and whether separators stay. */
struct mask_fill {
	char bytes[4];
	size_t len;
	bool keep_separators;
};

static struct mask_fill fill_of(const struct gw_sanitize_action *a)
{
	return (struct mask_fill){ { a->mask_char ? a->mask_char : '*' },
				   1,
				   true };
}

/*
 * Mask [p, p + len) into out as a says: characters are UTF-8
 * sequences; separators are kept and not counted unless fill says not.
 */
static int mask_into(struct gw_buf *out, const char *p, size_t len,
		     const struct gw_sanitize_action *a,
		     const struct mask_fill *fill)
{
	size_t total = 0, from, to, i = 0;
	int r = 0;

	for (size_t k = 0; k < len; k += char_len(p + k, len - k))
		total += !fill->keep_separators ||
			 !separator((unsigned char)p[k]);
	if (a->mask_keep) {
		size_t keep = a->mask_keep < total ? a->mask_keep : total;

		from = a->mask_from_end ? 0 : keep;
		to = a->mask_from_end ? total - keep : total;
	} else {
		size_t c = a->mask_count && a->mask_count < total
				   ? a->mask_count
				   : total;

		from = a->mask_from_end ? total - c : 0;
		to = a->mask_from_end ? total : c;
	}
	for (size_t k = 0; k < len && r == 0;) {
		size_t n = char_len(p + k, len - k);

		if (fill->keep_separators && separator((unsigned char)p[k])) {
			r = gw_buf_append(out, p + k, n);
		} else {
			r = i >= from && i < to
				    ? gw_buf_append(out, fill->bytes, fill->len)
				    : gw_buf_append(out, p + k, n);
			i++;
		}
		k += n;
	}
	return r;
}

/* MASK on what the engine finds, placed here (keep is ours). */
static int mask_findings(struct gw_env_san *s, const char *in, size_t len,
			 const struct gw_sanitize_action *a,
			 const struct mask_fill *fill, struct gw_buf *out,
			 size_t *found, struct gw_error *err)
{
	struct gw_san_span spans[SAN_MAX_SPANS];
	struct gw_san_op label = { .kind = GW_SAN_OP_LABEL };
	size_t at = 0;
	int r;

	r = gw_sanitize_detect(s->detect, in, len, spans, SAN_MAX_SPANS, found,
			       err);
	if (r < 0)
		return r;
	if (*found > SAN_MAX_SPANS)
		return gw_sanitize_string(s->detect, &label, in, len, out,
					  found, err);
	for (size_t i = 0; i < *found && r == 0; i++) {
		r = gw_buf_append(out, in + at, spans[i].start - at);
		if (r == 0)
			r = mask_into(out, in + spans[i].start,
				      spans[i].end - spans[i].start, a, fill);
		at = spans[i].end;
	}
	return r ? r : gw_buf_append(out, in + at, len - at);
}

/*
 * Apply a to what the engine finds in [in, in + len), into out. KEEP
 * and DROP only count (*found says whether there was anything).
 */
static int apply_found(struct gw_env_san *s, const struct gw_sanitize_action *a,
		       const char *in, size_t len, struct gw_buf *out,
		       size_t *found, struct gw_error *err)
{
	struct gw_san_op op = to_engine(a);
	struct mask_fill fill = fill_of(a);

	*found = 0;
	buf_reset(out);
	if (a->op == GW_SANITIZE_KEEP || a->op == GW_SANITIZE_DROP)
		return gw_sanitize_detect(s->detect, in, len, NULL, 0, found,
					  err);
	if (a->op == GW_SANITIZE_MASK)
		return mask_findings(s, in, len, a, &fill, out, found, err);
	return gw_sanitize_string(s->detect, &op, in, len, out, found, err);
}

/* "<EMAIL>" for the field path "info.customer.email". */
static int field_label(struct gw_buf *out, const char *path)
{
	const char *name = strrchr(path, '.');
	int r;

	name = name ? name + 1 : path;
	r = gw_buf_append(out, "<", 1);
	for (; *name && *name != '[' && r == 0; name++) {
		char c = *name;

		c = c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
		c = (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ? c : '_';
		r = gw_buf_append(out, &c, 1);
	}
	return r ? r : gw_buf_append(out, ">", 1);
}

/* Apply a to the whole of [in, in + len) into out. */
static int apply_whole(struct gw_env_san *s, const struct gw_sanitize_action *a,
		       const char *path, const char *in, size_t len,
		       struct gw_buf *out, struct gw_error *err)
{
	struct gw_san_op op = to_engine(a);
	struct mask_fill fill = fill_of(a);

	buf_reset(out);
	switch (a->op) {
	case GW_SANITIZE_LABEL: return field_label(out, path);
	case GW_SANITIZE_REDACT: return 0;
	case GW_SANITIZE_MASK: return mask_into(out, in, len, a, &fill);
	default:
		return len ? gw_sanitize_string(s->whole, &op, in, len, out,
						NULL, err)
			   : 0;
	}
}

/* ---- info ---- */

struct walk {
	struct gw_env *e;
	struct gw_env_san *s;
};

static void fail_closed(struct walk *w, struct gw_value *v, int r,
			const char *what)
{
	char detail[GW_FAULT_DETAIL_MAX_BYTES];

	w->s->counts[GW_SAN_STAT_FAILED]++;
	snprintf(detail, sizeof(detail), "could not sanitize %s (%s): withheld",
		 what, strerror(-r));
	gw_log(GW_LOG_WARN, "sanitize %s#%llu %s: %s", w->e->id,
	       (unsigned long long)w->e->instance, w->s->path, detail);
	gw_env_emit(w->e, GW_EVENT_PRIVACY, w->s->path, detail);
	gw_value_set_nil(v);
}

static void put_str(struct walk *w, struct gw_value *v, struct gw_buf *b)
{
	int r = gw_value_set_str(v, b->data ? b->data : "", b->len);

	if (r < 0)
		fail_closed(w, v, r, "a string");
}

/* A scalar as the text a field operator works on. */
static size_t scalar_text(const struct gw_value *v, char *buf, size_t cap)
{
	int n = 0;

	switch (v->kind) {
	case GW_VALUE_BOOL:
		n = snprintf(buf, cap, v->b ? "true" : "false");
		break;
	case GW_VALUE_INT: n = snprintf(buf, cap, "%" PRId64, v->i); break;
	case GW_VALUE_UINT: n = snprintf(buf, cap, "%" PRIu64, v->u); break;
	case GW_VALUE_FLOAT: n = snprintf(buf, cap, "%.17g", v->f); break;
	default: break;
	}
	return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

/* A field rule's operator on v and everything below it. */
static void whole_value(struct walk *w, struct gw_value *v,
			const struct gw_sanitize_action *a)
{
	struct gw_error err;
	char num[64];
	size_t n;
	int r;

	if (a->op == GW_SANITIZE_KEEP)
		return;
	for (size_t i = 0; v->kind == GW_VALUE_ARRAY && i < v->array.len; i++)
		whole_value(w, &v->array.items[i], a);
	for (size_t i = 0; v->kind == GW_VALUE_MAP && i < v->map.len; i++)
		whole_value(w, &v->map.pairs[i].value, a);
	if (v->kind == GW_VALUE_ARRAY || v->kind == GW_VALUE_MAP ||
	    v->kind == GW_VALUE_NIL)
		return;
	w->s->field_ops[a->op]++;
	scratch(&err);
	if (v->kind == GW_VALUE_STR) {
		r = apply_whole(w->s, a, w->s->path, v->str.ptr, v->str.len,
				&w->s->out, &err);
	} else if ((n = scalar_text(v, num, sizeof(num))) &&
		   a->op != GW_SANITIZE_REDACT) {
		r = apply_whole(w->s, a, w->s->path, num, n, &w->s->out, &err);
	} else {
		/* Bytes, arrays of numbers, a redacted number: nothing of
		 * them can be kept. */
		gw_value_set_nil(v);
		return;
	}
	if (r < 0)
		fail_closed(w, v, r, "a field");
	else
		put_str(w, v, &w->s->out);
}

/* `default` on a string leaf no field names; false: drop the key. */
static bool string_leaf(struct walk *w, struct gw_value *v)
{
	const struct gw_sanitize_action *a =
		gw_manifest_env_sanitize_default(w->s->me);
	struct gw_error err;
	size_t found;
	int r;

	scratch(&err);
	r = apply_found(w->s, a, v->str.ptr, v->str.len, &w->s->out, &found,
			&err);
	if (r < 0) {
		fail_closed(w, v, r, "a string");
		return true;
	}
	if (a->op == GW_SANITIZE_DROP && found)
		return false;
	if (a->op != GW_SANITIZE_KEEP && a->op != GW_SANITIZE_DROP && found)
		put_str(w, v, &w->s->out);
	return true;
}

static void privacy_event(struct walk *w, const char *kind,
			  const struct gw_dp_release *rel,
			  const struct gw_dp_field *f)
{
	double eps = rel->released ? f->epsilon_per_release : 0.0;
	char detail[GW_FAULT_DETAIL_MAX_BYTES];
	json_t *rec;

	snprintf(detail, sizeof(detail),
		 "%s: epsilon %.6g spent of the episode's %.6g, %.6g left",
		 kind, eps, f->epsilon, rel->remaining);
	gw_env_emit(w->e, GW_EVENT_PRIVACY, w->s->path, detail);
	if (!w->e->audit)
		return;
	rec = json_pack("{s:s, s:I, s:I, s:s, s:f, s:f, s:f}", "env", w->e->id,
			"instance", (json_int_t)w->e->instance, "step",
			(json_int_t)w->e->at_step, "field", w->s->path,
			"epsilon", eps, "spent", rel->spent, "remaining",
			rel->remaining);
	if (rec)
		gw_audit_append(w->e->audit, kind, rec, NULL);
	json_decref(rec);
}

static bool numeric(const struct gw_value *v, double *x)
{
	switch (v->kind) {
	case GW_VALUE_INT: *x = (double)v->i; return true;
	case GW_VALUE_UINT: *x = (double)v->u; return true;
	case GW_VALUE_FLOAT: *x = v->f; return true;
	default: return false;
	}
}

/* A DP field: its noisy release, or null once the budget is spent. */
static void dp_value(struct walk *w, struct gw_value *v, size_t i)
{
	const struct gw_dp_field *f = &w->s->dp_fields[i];
	struct gw_dp_release rel;
	double x = NAN;
	bool was_int = v->kind == GW_VALUE_INT || v->kind == GW_VALUE_UINT;

	/* A value that is not a number is released as if missing. */
	numeric(v, &x);
	gw_dp_release(&w->s->dp, i, x, &rel);
	if (!rel.released) {
		w->s->counts[GW_SAN_STAT_DP_WITHHELD]++;
		gw_value_set_nil(v);
		if (f->on_exhausted == GW_DP_END_EPISODE)
			w->s->end_episode = true;
		privacy_event(w,
			      f->on_exhausted == GW_DP_END_EPISODE
				      ? "dp_exhausted_end_episode"
				      : "dp_withheld",
			      &rel, f);
		return;
	}
	w->s->counts[GW_SAN_STAT_DP_RELEASED]++;
	if (was_int && f->granularity_exp <= 0)
		gw_value_set_int(v, (int64_t)rel.value);
	else
		gw_value_set_float(v, rel.value);
	privacy_event(w, "dp_release", &rel, f);
}

static const struct gw_sanitize_action *field_rule(const struct gw_env_san *s)
{
	const struct gw_sanitize_action *a;
	const char *p;

	for (size_t i = 0;
	     (p = gw_manifest_env_sanitize_field_at(s->me, i, &a)) != NULL; i++)
		if (strcmp(p, s->path) == 0)
			return a;
	return NULL;
}

static ssize_t dp_index(const struct gw_env_san *s)
{
	for (size_t i = 0; i < s->dp.n_fields; i++)
		if (strcmp(gw_manifest_env_dp_at(s->me, i)->field, s->path) ==
		    0)
			return (ssize_t)i;
	return -1;
}

static void walk_value(struct walk *w, struct gw_value *v);

/* Set the path to the parent's plus one segment; restore with len. */
static bool push_path(struct walk *w, size_t len, const char *key,
		      size_t key_len, size_t index, bool is_index)
{
	size_t room = sizeof(w->s->path) - len;
	int n = is_index ? snprintf(w->s->path + len, room, "[%zu]", index)
			 : snprintf(w->s->path + len, room, ".%.*s",
				    (int)key_len, key);

	return n > 0 && (size_t)n < room;
}

/* One member of a map or array; false when the policy drops its key. */
static bool walk_member(struct walk *w, struct gw_value *v)
{
	const struct gw_sanitize_action *a = field_rule(w->s);
	ssize_t dp = dp_index(w->s);

	if (dp >= 0) {
		dp_value(w, v, (size_t)dp);
		return true;
	}
	if (a && a->op == GW_SANITIZE_DROP) {
		w->s->counts[GW_SAN_STAT_DROPPED]++;
		return false;
	}
	if (a) {
		whole_value(w, v, a);
		return true;
	}
	if (v->kind == GW_VALUE_STR && !string_leaf(w, v)) {
		w->s->counts[GW_SAN_STAT_DROPPED]++;
		return false;
	}
	/* Bytes could hold anything and are not scanned: under a policy
	 * they never reach the trainer. */
	if (v->kind == GW_VALUE_BIN) {
		w->s->counts[GW_SAN_STAT_BYTES_WITHHELD]++;
		gw_value_set_nil(v);
		return true;
	}
	walk_value(w, v);
	return true;
}

static bool key_taken(const struct gw_value *map, size_t self, const char *k,
		      size_t n)
{
	for (size_t i = 0; i < map->map.len; i++)
		if (i != self && map->map.pairs[i].key_len == n &&
		    memcmp(map->map.pairs[i].key, k, n) == 0)
			return true;
	return false;
}

/*
 * A key is data too: `default` applies to it as to a string leaf, before
 * it is used in a field path. A changed key that would meet another one
 * gets "#N" (its position) appended. False: drop the pair.
 */
static bool key_leaf(struct walk *w, struct gw_value *map, size_t i)
{
	const struct gw_sanitize_action *a =
		gw_manifest_env_sanitize_default(w->s->me);
	struct gw_value_pair *p = &map->map.pairs[i];
	struct gw_buf *out = &w->s->out;
	struct gw_error err;
	size_t found = 0, n;
	char *key;
	int r;

	scratch(&err);
	r = apply_found(w->s, a, p->key, p->key_len, out, &found, &err);
	if (r == 0 && (!found || a->op == GW_SANITIZE_KEEP))
		return true;
	if (r == 0 && a->op == GW_SANITIZE_DROP)
		return false;
	if (r < 0) {
		w->s->counts[GW_SAN_STAT_FAILED]++;
		out->len = 0;
		gw_buf_append(out, "<UNCHECKED>", 11);
	}
	n = out->len;
	if (key_taken(map, i, out->data, n)) {
		char suffix[24];
		int k = snprintf(suffix, sizeof(suffix), "#%zu", i);

		gw_buf_append(out, suffix, (size_t)k);
		n = out->len;
	}
	key = malloc(n + 1);
	if (!key)
		return false;
	if (n)
		memcpy(key, out->data, n);
	key[n] = '\0';
	free(p->key);
	p->key = key;
	p->key_len = n;
	w->s->counts[GW_SAN_STAT_KEYS]++;
	return true;
}

static void remove_pair(struct gw_value *map, size_t i)
{
	free(map->map.pairs[i].key);
	gw_value_clear(&map->map.pairs[i].value);
	memmove(&map->map.pairs[i], &map->map.pairs[i + 1],
		(map->map.len - i - 1) * sizeof(map->map.pairs[0]));
	map->map.len--;
}

static void walk_value(struct walk *w, struct gw_value *v)
{
	size_t len = strlen(w->s->path);

	for (size_t i = 0; v->kind == GW_VALUE_MAP && i < v->map.len;) {
		struct gw_value_pair *p = &v->map.pairs[i];
		bool keep = true;

		if (!key_leaf(w, v, i))
			keep = false;
		else if (push_path(w, len, p->key, p->key_len, 0, false))
			keep = walk_member(w, &p->value);
		else
			whole_value(w, &p->value,
				    &(struct gw_sanitize_action){
					    .op = GW_SANITIZE_REDACT });
		w->s->path[len] = '\0';
		if (keep)
			i++;
		else
			remove_pair(v, i);
	}
	for (size_t i = 0; v->kind == GW_VALUE_ARRAY && i < v->array.len; i++) {
		struct gw_value *x = &v->array.items[i];

		/* An array slot cannot be removed: drop leaves null. */
		if (!push_path(w, len, NULL, 0, i, true) || !walk_member(w, x))
			gw_value_set_nil(x);
		w->s->path[len] = '\0';
	}
}

bool gw_env_san_info(struct gw_env *e, struct gw_value *info)
{
	struct walk w = { e, e->san };

	e->san->end_episode = false;
	snprintf(e->san->path, sizeof(e->san->path), "info");
	walk_value(&w, info);
	return e->san->end_episode;
}

void gw_env_san_episode(struct gw_env *e)
{
	gw_dp_state_reset(&e->san->dp);
}

/* ---- Text observations ---- */

/* A character of the charset to mask with: '*' when allowed. */
static struct mask_fill text_fill(const struct gw_charset *cs)
{
	static const char tries[] = "*#_x0";
	struct mask_fill f = { { 0 }, 0, false };
	uint32_t cp = cs->ncps ? cs->cps[0] : '*';

	for (size_t i = 0; i < sizeof(tries) - 1; i++)
		if (gw_charset_has(cs, (unsigned char)tries[i])) {
			cp = (unsigned char)tries[i];
			break;
		}
	f.len = gw_utf8_put(cp, (unsigned char *)f.bytes);
	return f;
}

/*
 * Keep out when it fits the Text space of n; when not (a label's '<'
 * outside the charset, a token past max_length), mask every character
 * of each finding of the original with a charset character instead,
 * which keeps the length in characters and the charset. A slot holds
 * max_length characters of four bytes, so the mask always fits.
 */
static int fit_text(struct gw_env_san *s, const struct gw_layout_node *n,
		    const char *in, size_t len, struct gw_error *err)
{
	struct gw_sanitize_action a = { .op = GW_SANITIZE_MASK };
	struct mask_fill fill = text_fill(n->charset);
	struct gw_text_scan sc;
	char detail[GW_FAULT_DETAIL_MAX_BYTES];
	size_t found;

	gw_text_scan(n->charset, (const unsigned char *)s->out.data, s->out.len,
		     &sc);
	if (s->out.len + 4 <= n->size &&
	    gw_text_judge(n->space, &sc, detail, sizeof(detail)) ==
		    GW_FAULT_COUNT)
		return 0;
	buf_reset(&s->out);
	return mask_findings(s, in, len, &a, &fill, &s->out, &found, err);
}

int gw_env_san_obs(struct gw_env *e, unsigned char *obs)
{
	struct gw_env_san *s = e->san;
	const struct gw_sanitize_action *a =
		gw_manifest_env_sanitize_text_observations(s->me);

	if (!s->texts_found && find_texts(s, e->obs_layout) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < s->n_texts; i++) {
		const struct gw_layout_node *n = s->texts[i];
		unsigned char *slot = obs + n->offset;
		size_t len = gw_get_u32le(slot), found;
		struct gw_error err;
		int r;

		scratch(&err);
		buf_reset(&s->tmp);
		r = gw_buf_append(&s->tmp, slot + 4, len);
		if (r == 0)
			r = apply_found(s, a, s->tmp.data, len, &s->out, &found,
					&err);
		if (r == 0 && (!found || a->op == GW_SANITIZE_KEEP))
			continue;
		if (r == 0)
			r = fit_text(s, n, s->tmp.data, len, &err);
		if (r < 0) {
			/* Fail closed: the text is refused and blanked. */
			s->counts[GW_SAN_STAT_FAILED]++;
			memset(slot, 0, n->size);
			return r;
		}
		memset(slot, 0, n->size);
		gw_put_u32le(slot, (uint32_t)s->out.len);
		if (s->out.len)
			memcpy(slot + 4, s->out.data, s->out.len);
	}
	return 0;
}

/* ---- log lines ---- */

const char *gw_env_san_line(struct gw_env *e, const char *line, size_t len,
			    size_t *out_len)
{
	struct gw_env_san *s = e->san;
	const struct gw_sanitize_action *a =
		gw_manifest_env_sanitize_logs(s->me);
	struct gw_error err;
	size_t found;
	int r;

	scratch(&err);
	r = apply_found(s, a, line, len, &s->out, &found, &err);
	if (r < 0) {
		static const char unchecked[] = "<UNCHECKED>";

		/* Fail closed: a line the engine cannot read is not shown. */
		s->counts[GW_SAN_STAT_FAILED]++;
		*out_len = sizeof(unchecked) - 1;
		return unchecked;
	}
	if (!found || a->op == GW_SANITIZE_KEEP) {
		*out_len = len;
		return line;
	}
	if (a->op == GW_SANITIZE_DROP) {
		s->counts[GW_SAN_STAT_LOG_DROPPED]++;
		return NULL;
	}
	*out_len = s->out.len;
	return s->out.data ? s->out.data : "";
}

void gw_env_set_audit(struct gw_env *e, struct gw_audit *a)
{
	e->audit = a;
}

/* ---- counts ---- */

size_t gw_env_sanitize_counts(const struct gw_env *e,
			      struct gw_sanitize_count *out, size_t cap)
{
	uint64_t kinds[GW_SAN_KIND_COUNT];
	size_t n = 0;

	if (!e || !e->san)
		return 0;
	gw_sanitizer_counts(e->san->detect, kinds);
	for (unsigned k = 0; k < GW_SAN_KIND_COUNT; k++) {
		if (kinds[k] && n < cap)
			out[n] = (struct gw_sanitize_count){
				gw_san_kind_name((enum gw_san_kind)k), kinds[k]
			};
		n += kinds[k] != 0;
	}
	for (unsigned k = 0; k <= GW_SANITIZE_DROP; k++) {
		if (e->san->field_ops[k] && field_op_names[k] && n < cap)
			out[n] = (struct gw_sanitize_count){
				field_op_names[k], e->san->field_ops[k]
			};
		n += e->san->field_ops[k] && field_op_names[k];
	}
	for (unsigned k = 0; k < GW_SAN_STAT_COUNT; k++) {
		if (e->san->counts[k] && n < cap)
			out[n] =
				(struct gw_sanitize_count){ stat_names[k],
							    e->san->counts[k] };
		n += e->san->counts[k] != 0;
	}
	return n;
}
