/*
 * gymwarden sanitize and gymwarden detokenize: the sanitize engine over
 * logs people already have. sanitize reads JSON lines (or plain text)
 * on standard input and writes them with every finding replaced;
 * detokenize puts back the originals of reversible tokens. Exit 0 when
 * nothing was found, 1 when something was (or a token was refused), 2 on
 * an error.
 */
#include <errno.h>
#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/limits.h"
#include "core/log.h"
#include "gymwarden.h"
#include "sanitize/sanitize.h"
#include "toml/toml.h"

struct sanitize_cfg {
	const char *policy;
	const char *default_op;
	const char *key;
	bool detect;
	bool plain;
	bool no_jit;
	int format;
};

static const char *const format_choices[] = { "text", "json", NULL };

static const struct gw_opt sanitize_opts[] = {
	{ "policy", 'p', "FILE", gw_opt_string,
	  offsetof(struct sanitize_cfg, policy),
	  "operators by field path and kind, custom rules (TOML)", NULL },
	{ "default", 'd', "OP", gw_opt_string,
	  offsetof(struct sanitize_cfg, default_op),
	  "operator for every other finding (default label)", NULL },
	{ "key", 'k', "FILE", gw_opt_string, offsetof(struct sanitize_cfg, key),
	  "key file for hash and tokenize (32 bytes or 64 hex, mode 600)",
	  NULL },
	{ "detect", 0, NULL, gw_opt_flag, offsetof(struct sanitize_cfg, detect),
	  "print the findings of each line as JSON instead", NULL },
	{ "plain", 0, NULL, gw_opt_flag, offsetof(struct sanitize_cfg, plain),
	  "treat every line as plain text, even when it is JSON", NULL },
	{ "no-jit", 0, NULL, gw_opt_flag, offsetof(struct sanitize_cfg, no_jit),
	  "run the patterns in the PCRE2 interpreter", NULL },
	{ "format", 'f', "FORMAT", gw_opt_choice,
	  offsetof(struct sanitize_cfg, format),
	  "format of the summary on standard error", format_choices },
	GW_OPT_END,
};

/* A field path and its operator, from the policy's [fields]. */
struct field_op {
	char *path;
	struct gw_san_op op;
};

struct policy {
	struct gw_san_op def;
	struct gw_san_op kind_op[GW_SAN_KIND_COUNT];
	bool kind_set[GW_SAN_KIND_COUNT];
	const struct gw_san_op *ops[GW_SAN_KIND_COUNT];
	struct field_op *fields;
	size_t n_fields;
	struct gw_san_custom_rule *rules;
	size_t n_rules;
	const char **allow;
	size_t n_allow;
	struct gw_toml_value *doc; /* owns the strings rules and allow use */
};

struct run_state {
	const struct gw_cli *cli;
	const struct sanitize_cfg *cfg;
	struct gw_sanitizer *san;
	struct policy pol;
	struct gw_buf out;
	bool mid_line; /* the last piece read did not end a line */
	char *jbuf;    /* a dumped JSON line */
	size_t jcap;
	uint64_t lines, json_lines, text_lines, findings;
	struct gw_error err;
};

static int fail(const struct gw_cli *cli, const char *cmd, const char *what,
		const struct gw_error *err)
{
	char text[1024], esc[GW_ESCAPED_MAX_BYTES];

	gw_error_format(err, text, sizeof(text));
	if (err->file[0]) {
		/* The error already names the file. */
		fprintf(cli->err, "gymwarden: %s: %s\n", cmd, text);
		return GW_EXIT_ERROR;
	}
	gw_escape(esc, sizeof(esc), what, strlen(what));
	fprintf(cli->err, "gymwarden: %s: %s: %s\n", cmd, esc, text);
	return GW_EXIT_ERROR;
}

static int policy_op(const struct gw_toml_value *v, struct gw_san_op *op,
		     struct gw_error *err)
{
	if (v->type != GW_TOML_STRING)
		return gw_error_set_at(err, -EINVAL, v->line, v->col,
				       "an operator is a string");
	if (gw_san_op_parse(v->u.s.ptr, op, err) < 0) {
		err->line = v->line;
		err->col = v->col;
		return -EINVAL;
	}
	return 0;
}

static int policy_fields(struct policy *p, const struct gw_toml_value *t,
			 struct gw_error *err)
{
	p->fields = calloc(t->u.tab.len + 1, sizeof(*p->fields));
	if (!p->fields)
		return gw_error_set(err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < t->u.tab.len; i++) {
		const struct gw_toml_kv *kv = &t->u.tab.kvs[i];
		struct field_op *f = &p->fields[p->n_fields];

		if (policy_op(kv->value, &f->op, err) < 0)
			return -EINVAL;
		f->path = kv->key;
		p->n_fields++;
	}
	return 0;
}

static int policy_kinds(struct policy *p, const struct gw_toml_value *t,
			struct gw_error *err)
{
	for (size_t i = 0; i < t->u.tab.len; i++) {
		const struct gw_toml_kv *kv = &t->u.tab.kvs[i];
		enum gw_san_kind k;

		if (gw_san_kind_parse(kv->key, &k) < 0)
			return gw_error_set_at(err, -EINVAL, kv->line, kv->col,
					       "unknown kind '%.64s'", kv->key);
		if (policy_op(kv->value, &p->kind_op[k], err) < 0)
			return -EINVAL;
		p->kind_set[k] = true;
	}
	return 0;
}

static const char *toml_str(const struct gw_toml_value *t, const char *key)
{
	const struct gw_toml_value *v = gw_toml_get(t, key);

	return v && v->type == GW_TOML_STRING ? v->u.s.ptr : NULL;
}

/* Strings of an array of strings into a new NULL-terminated vector. */
static int str_array(const struct gw_toml_value *a, const char ***out,
		     size_t *n, struct gw_error *err)
{
	*n = 0;
	if (!a)
		return 0;
	if (a->type != GW_TOML_ARRAY)
		return gw_error_set_at(err, -EINVAL, a->line, a->col,
				       "expected an array of strings");
	*out = calloc(a->u.arr.len + 1, sizeof(**out));
	if (!*out)
		return gw_error_set(err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < a->u.arr.len; i++) {
		const struct gw_toml_value *v = a->u.arr.items[i];

		if (v->type != GW_TOML_STRING)
			return gw_error_set_at(err, -EINVAL, v->line, v->col,
					       "expected a string");
		(*out)[(*n)++] = v->u.s.ptr;
	}
	return 0;
}

static int policy_rules(struct policy *p, const struct gw_toml_value *a,
			struct gw_error *err)
{
	if (a->type != GW_TOML_ARRAY)
		return gw_error_set_at(err, -EINVAL, a->line, a->col,
				       "rule is an array of tables ([[rule]])");
	p->rules = calloc(a->u.arr.len + 1, sizeof(*p->rules));
	if (!p->rules)
		return gw_error_set(err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < a->u.arr.len; i++) {
		const struct gw_toml_value *t = a->u.arr.items[i];
		const struct gw_toml_value *e = gw_toml_get(t, "min_entropy");
		struct gw_san_custom_rule *r = &p->rules[p->n_rules++];
		const char **kw = NULL;

		if (t->type != GW_TOML_TABLE)
			return gw_error_set_at(err, -EINVAL, t->line, t->col,
					       "a rule is a table");
		r->id = toml_str(t, "id");
		r->pattern = toml_str(t, "pattern");
		r->label = toml_str(t, "label");
		if (e &&
		    (e->type == GW_TOML_FLOAT || e->type == GW_TOML_INTEGER))
			r->min_entropy = e->type == GW_TOML_FLOAT
						 ? e->u.f
						 : (double)e->u.i;
		if (str_array(gw_toml_get(t, "keywords"), &kw, &r->n_keywords,
			      err) < 0)
			return -EINVAL;
		r->keywords = kw;
		if (!r->id || !r->pattern)
			return gw_error_set_at(err, -EINVAL, t->line, t->col,
					       "a rule needs id and pattern");
	}
	return 0;
}

static int policy_load(struct policy *p, const char *path, struct gw_error *err)
{
	const struct gw_toml_value *v;
	struct gw_buf b;
	int r;

	gw_buf_init(&b, GW_MANIFEST_MAX_BYTES);
	r = gw_buf_read_file(&b, path, err);
	if (r == 0)
		r = gw_toml_parse(b.data, b.len, path, &p->doc, err);
	gw_buf_free(&b);
	if (r < 0)
		return r;
	if ((v = gw_toml_get(p->doc, "default")) && policy_op(v, &p->def, err))
		return -EINVAL;
	v = gw_toml_get(p->doc, "fields");
	if (v && v->type == GW_TOML_TABLE && (r = policy_fields(p, v, err)))
		return r;
	v = gw_toml_get(p->doc, "kinds");
	if (v && v->type == GW_TOML_TABLE && (r = policy_kinds(p, v, err)))
		return r;
	v = gw_toml_get(p->doc, "rule");
	if (v && (r = policy_rules(p, v, err)))
		return r;
	return str_array(gw_toml_get(p->doc, "allowlist"), &p->allow,
			 &p->n_allow, err);
}

static void policy_free(struct policy *p)
{
	for (size_t i = 0; i < p->n_rules; i++)
		free((void *)p->rules[i].keywords);
	free(p->rules);
	free(p->fields);
	free(p->allow);
	gw_toml_free(p->doc);
}

static bool needs_key(const struct policy *p)
{
	for (unsigned k = 0; k < GW_SAN_KIND_COUNT; k++)
		if (p->ops[k]->kind == GW_SAN_OP_HASH ||
		    p->ops[k]->kind == GW_SAN_OP_ENCRYPT)
			return true;
	for (size_t i = 0; i < p->n_fields; i++)
		if (p->fields[i].op.kind == GW_SAN_OP_HASH ||
		    p->fields[i].op.kind == GW_SAN_OP_ENCRYPT)
			return true;
	return false;
}

/* The policy, the default, the key: everything before the first line. */
static int setup(struct run_state *st)
{
	const struct sanitize_cfg *cfg = st->cfg;
	const struct gw_cli *cli = st->cli;
	struct gw_san_config sc = { .no_jit = cfg->no_jit };
	struct gw_san_key key;
	int r;

	st->pol.def.kind = GW_SAN_OP_LABEL;
	if (cfg->policy && policy_load(&st->pol, cfg->policy, &st->err) < 0)
		return fail(cli, "sanitize", cfg->policy, &st->err);
	if (cfg->default_op &&
	    gw_san_op_parse(cfg->default_op, &st->pol.def, &st->err) < 0)
		return fail(cli, "sanitize", "--default", &st->err);
	for (unsigned k = 0; k < GW_SAN_KIND_COUNT; k++)
		st->pol.ops[k] = st->pol.kind_set[k] ? &st->pol.kind_op[k]
						     : &st->pol.def;
	if (!cfg->detect && needs_key(&st->pol) && !cfg->key) {
		fprintf(cli->err, "gymwarden: sanitize: hash and tokenize "
				  "need --key FILE\n");
		return GW_EXIT_ERROR;
	}
	if (cfg->key) {
		if (gw_sanitize_key_load(cfg->key, &key, &st->err) < 0)
			return fail(cli, "sanitize", cfg->key, &st->err);
		sc.key = &key;
	}
	sc.custom = st->pol.rules;
	sc.n_custom = st->pol.n_rules;
	sc.allowlist = st->pol.allow;
	sc.n_allowlist = st->pol.n_allow;
	r = gw_sanitizer_new(&sc, &st->san, &st->err);
	sodium_memzero(&key, sizeof(key));
	if (r < 0)
		return fail(cli, "sanitize",
			    cfg->policy ? cfg->policy : "rules", &st->err);
	return 0;
}

static const struct gw_san_op *field_op(const struct policy *p,
					const char *path)
{
	for (size_t i = 0; i < p->n_fields; i++)
		if (strcmp(p->fields[i].path, path) == 0)
			return &p->fields[i].op;
	return NULL;
}

static json_t *spans_json(struct run_state *st, const char *s, size_t n,
			  const char *path)
{
	struct gw_san_span spans[256];
	size_t found = 0;
	json_t *arr = json_array();

	if (gw_sanitize_detect(st->san, s, n, spans, 256, &found, &st->err) < 0)
		return arr;
	st->findings += found;
	for (size_t i = 0; i < found && i < 256; i++) {
		json_t *o =
			json_pack("{s:s,s:s,s:I,s:I}", "kind",
				  gw_san_kind_name(spans[i].kind), "rule",
				  gw_sanitizer_rule_id(st->san, spans[i].rule),
				  "start", (json_int_t)spans[i].start, "end",
				  (json_int_t)spans[i].end);

		if (path)
			json_object_set_new(o, "path", json_string(path));
		json_array_append_new(arr, o);
	}
	return arr;
}

/* Sanitize one string into st->out with the operator of its path. */
static int one_string(struct run_state *st, const char *s, size_t n,
		      const char *path)
{
	const struct gw_san_op *op = path ? field_op(&st->pol, path) : NULL;
	size_t found = 0;
	int r;

	st->out.len = 0;
	if (op)
		r = gw_sanitize_string(st->san, op, s, n, &st->out, &found,
				       &st->err);
	else
		r = gw_sanitize_string_by_kind(st->san, st->pol.ops, s, n,
					       &st->out, &found, &st->err);
	st->findings += found;
	return r;
}

static int walk(struct run_state *st, json_t *v, char *path, size_t plen,
		json_t *found);

static int walk_object(struct run_state *st, json_t *v, char *path, size_t plen,
		       json_t *found)
{
	const char *k;
	json_t *child;
	int r = 0;

	json_object_foreach(v, k, child)
	{
		size_t kl = strlen(k), nl = plen + (plen > 0) + kl;

		if (nl >= 4096)
			continue;
		if (plen)
			path[plen] = '.';
		memcpy(path + plen + (plen > 0), k, kl + 1);
		r = walk(st, child, path, nl, found);
		path[plen] = '\0';
		if (r < 0)
			break;
	}
	return r;
}

/* Every string leaf of v; an array's items share the array's path. */
static int walk(struct run_state *st, json_t *v, char *path, size_t plen,
		json_t *found)
{
	size_t i;
	json_t *item;
	int r = 0;

	if (json_is_object(v))
		return walk_object(st, v, path, plen, found);
	if (json_is_array(v)) {
		json_array_foreach(v, i, item)
		{
			r = walk(st, item, path, plen, found);
			if (r < 0)
				break;
		}
		return r;
	}
	if (!json_is_string(v))
		return 0;
	if (found) {
		json_array_extend(found,
				  spans_json(st, json_string_value(v),
					     json_string_length(v), path));
		return 0;
	}
	r = one_string(st, json_string_value(v), json_string_length(v),
		       plen ? path : NULL);
	if (r < 0)
		return r;
	if (json_string_setn(v, st->out.data ? st->out.data : "", st->out.len) <
	    0)
		json_string_setn_nocheck(v, st->out.data, st->out.len);
	return 0;
}

/* One document and a newline, dumped into a buffer: fwrite per token is slow.
 */
static int put_json(struct run_state *st, json_t *doc)
{
	size_t flags = JSON_COMPACT | JSON_ENCODE_ANY;
	size_t n = json_dumpb(doc, NULL, 0, flags);

	if (n == 0 || n >= 4 * (size_t)GW_SAN_LINE_MAX_BYTES) {
		json_decref(doc);
		return gw_error_set(&st->err, -E2BIG,
				    "a sanitized JSON line is over %u bytes",
				    4 * GW_SAN_LINE_MAX_BYTES);
	}
	if (st->jcap < n + 1) {
		char *p = realloc(st->jbuf, n + 1);

		if (!p) {
			json_decref(doc);
			return gw_error_set(&st->err, -ENOMEM, "out of memory");
		}
		st->jbuf = p;
		st->jcap = n + 1;
	}
	json_dumpb(doc, st->jbuf, n, flags);
	json_decref(doc);
	st->jbuf[n] = '\n';
	if (fwrite(st->jbuf, 1, n + 1, st->cli->out) != n + 1)
		return gw_error_set(&st->err, -EIO, "write error");
	return 0;
}

static int detect_line(struct run_state *st, const char *line, size_t n,
		       json_t *parsed)
{
	char path[4096] = "";
	json_t *arr;

	if (parsed) {
		arr = json_array();
		walk(st, parsed, path, 0, arr);
		json_decref(parsed);
	} else {
		arr = spans_json(st, line, n, NULL);
	}
	return put_json(st, json_pack("{s:I,s:b,s:o}", "line",
				      (json_int_t)st->lines, "json",
				      parsed != NULL, "findings", arr));
}

static int sanitize_line(struct run_state *st, const char *line, size_t n,
			 bool newline)
{
	char path[4096] = "";
	json_t *doc = NULL;
	json_error_t jerr;
	bool first = !st->mid_line;
	int r;

	/* The pieces of a line over the cap count as one line. */
	st->lines += first;
	st->mid_line = !newline;
	if (!st->cfg->plain)
		doc = json_loadb(line, n, JSON_DECODE_ANY | JSON_ALLOW_NUL,
				 &jerr);
	if (doc)
		st->json_lines += first;
	else
		st->text_lines += first;
	if (st->cfg->detect)
		return detect_line(st, line, n, doc);
	if (doc) {
		r = walk(st, doc, path, 0, NULL);
		if (r < 0) {
			json_decref(doc);
			return r;
		}
		return put_json(st, doc);
	}
	r = one_string(st, line, n, NULL);
	if (r < 0)
		return r;
	if (fwrite(st->out.data, 1, st->out.len, st->cli->out) != st->out.len ||
	    (newline && fputc('\n', st->cli->out) == EOF))
		return gw_error_set(&st->err, -EIO, "write error");
	return 0;
}

/* Standard input read in large blocks and cut into lines. */
struct line_reader {
	FILE *in;
	char *buf; /* 2 * GW_SAN_LINE_MAX_BYTES */
	size_t start, end;
	bool eof;
};

#define READER_BYTES (2 * (size_t)GW_SAN_LINE_MAX_BYTES)

/*
 * The next line in *line (inside the reader's buffer, valid until the
 * next call) without its newline; a line longer than the cap comes in
 * pieces with *nl false. At the end *n is 0 and *nl false.
 */
static int read_line(struct line_reader *lr, const char **line, size_t *n,
		     bool *nl)
{
	for (;;) {
		size_t have = lr->end - lr->start;
		char *p = memchr(lr->buf + lr->start, '\n', have);

		*line = lr->buf + lr->start;
		if (p && (size_t)(p - *line) <= GW_SAN_LINE_MAX_BYTES) {
			*n = (size_t)(p - *line);
			*nl = true;
			lr->start += *n + 1;
			return 0;
		}
		if (have >= GW_SAN_LINE_MAX_BYTES || lr->eof) {
			*n = have < GW_SAN_LINE_MAX_BYTES
				     ? have
				     : GW_SAN_LINE_MAX_BYTES;
			*nl = false;
			lr->start += *n;
			return 0;
		}
		memmove(lr->buf, lr->buf + lr->start, have);
		lr->start = 0;
		lr->end = have;
		lr->end +=
			fread(lr->buf + have, 1, READER_BYTES - have, lr->in);
		if (ferror(lr->in))
			return -EIO;
		lr->eof = feof(lr->in);
	}
}

static void summary(const struct run_state *st)
{
	uint64_t counts[GW_SAN_KIND_COUNT];
	FILE *f = st->cli->err;

	gw_sanitizer_counts(st->san, counts);
	if (st->cfg->format == 1) {
		json_t *by = json_object(), *doc;

		for (unsigned k = 0; k < GW_SAN_KIND_COUNT; k++)
			json_object_set_new(
				by, gw_san_kind_name(k),
				json_integer((json_int_t)counts[k]));
		doc = json_pack("{s:i,s:I,s:I,s:I,s:I,s:o}", "version",
				GW_JSON_VERSION, "lines", (json_int_t)st->lines,
				"json_lines", (json_int_t)st->json_lines,
				"text_lines", (json_int_t)st->text_lines,
				"findings", (json_int_t)st->findings, "by_kind",
				by);
		json_dumpf(doc, f, JSON_COMPACT);
		json_decref(doc);
		fputc('\n', f);
		return;
	}
	fprintf(f,
		"gymwarden: sanitize: %llu lines (%llu JSON, %llu text), "
		"%llu findings",
		(unsigned long long)st->lines,
		(unsigned long long)st->json_lines,
		(unsigned long long)st->text_lines,
		(unsigned long long)st->findings);
	for (unsigned k = 0; k < GW_SAN_KIND_COUNT; k++)
		if (counts[k])
			fprintf(f, "%s %s %llu", k ? "," : ":",
				gw_san_kind_name(k),
				(unsigned long long)counts[k]);
	fputc('\n', f);
}

static int sanitize_run(struct gw_cli *cli, void *cfg_, int argc, char **argv)
{
	struct run_state st = { .cli = cli, .cfg = cfg_ };
	struct line_reader lr = { .in = stdin, .buf = malloc(READER_BYTES) };
	int r;

	(void)argc;
	(void)argv;
	if (!lr.buf) {
		fprintf(cli->err, "gymwarden: sanitize: out of memory\n");
		return GW_EXIT_ERROR;
	}
	gw_buf_init(&st.out, 4 * (size_t)GW_SAN_LINE_MAX_BYTES);
	r = setup(&st);
	while (r == 0) {
		const char *line;
		size_t n;
		bool nl;

		if (read_line(&lr, &line, &n, &nl) < 0) {
			gw_error_set(&st.err, -EIO, "read error");
			r = fail(cli, "sanitize", "<stdin>", &st.err);
			break;
		}
		if (n == 0 && !nl)
			break;
		if (sanitize_line(&st, line, n, nl) < 0) {
			r = fail(cli, "sanitize", "<stdin>", &st.err);
			break;
		}
	}
	if (st.san && r == 0) {
		summary(&st);
		r = st.findings ? GW_EXIT_FINDINGS : GW_EXIT_OK;
	}
	gw_sanitizer_free(st.san);
	policy_free(&st.pol);
	gw_buf_free(&st.out);
	free(st.jbuf);
	free(lr.buf);
	return r;
}

const struct gw_cmd gw_cmd_sanitize = {
	.name = "sanitize",
	.args = "",
	.summary = "remove personal data and secrets from JSON lines or text",
	.description =
		"Read lines on standard input and write them with every "
		"finding (e-mail,\nphone, card, IBAN, SSN, IP and MAC "
		"addresses, URL credentials, tokens,\nJWTs, private keys, "
		"high-entropy strings, custom rules) replaced. A line\nthat "
		"is JSON has each string leaf sanitized with the operator of "
		"its\npath (--policy), else of its kind, else --default; any "
		"other line is\nsanitized as plain text. Operators: keep, "
		"label, redact,\nmask[:C[:N[:end]]], hash, tokenize "
		"(reversible, see detokenize).\nA summary goes to standard "
		"error. Exit status: 0 nothing found, 1\nfindings, 2 an "
		"error.",
	.opts = sanitize_opts,
	.cfg_size = sizeof(struct sanitize_cfg),
	.min_args = 0,
	.max_args = 0,
	.run = sanitize_run,
};

struct detokenize_cfg {
	const char *key;
};

static const struct gw_opt detokenize_opts[] = {
	{ "key", 'k', "FILE", gw_opt_string,
	  offsetof(struct detokenize_cfg, key),
	  "the key file the tokens were made with (required)", NULL },
	GW_OPT_END,
};

/*
 * Restore the tokens inside every string of a JSON value, in place: an
 * original is put back as a JSON string, escaped, so it can never add
 * keys or values around it. -errno with err on a token that fails.
 */
static int detok_json(const struct gw_san_key *key, json_t *v,
		      struct gw_buf *tmp, struct gw_error *err)
{
	const char *k;
	json_t *x;
	size_t i;
	int r;

	if (json_is_string(v)) {
		tmp->len = 0;
		r = gw_sanitize_detokenize(key, json_string_value(v),
					   json_string_length(v), tmp, NULL,
					   err);
		if (r < 0)
			return r;
		return json_string_setn_nocheck(v, tmp->data ? tmp->data : "",
						tmp->len) == 0
			       ? 0
			       : -ENOMEM;
	}
	json_object_foreach(v, k, x)
	{
		r = detok_json(key, x, tmp, err);
		if (r < 0)
			return r;
	}
	json_array_foreach(v, i, x)
	{
		r = detok_json(key, x, tmp, err);
		if (r < 0)
			return r;
	}
	return 0;
}

/* A line that is JSON stays JSON: 1 when done so, 0 when it is text. */
static int detok_json_line(const struct gw_san_key *key, const char *line,
			   size_t n, struct gw_buf *out, struct gw_buf *tmp,
			   struct gw_error *err)
{
	size_t flags = JSON_COMPACT | JSON_ENCODE_ANY;
	json_t *doc = json_loadb(line, n, JSON_DECODE_ANY, NULL);
	size_t len;
	int r;

	if (!doc)
		return 0;
	r = detok_json(key, doc, tmp, err);
	if (r == 0) {
		char *text = json_dumps(doc, flags);

		out->len = 0;
		len = text ? strlen(text) : 0;
		r = text ? gw_buf_append(out, text, len) : -ENOMEM;
		free(text);
	}
	json_decref(doc);
	return r < 0 ? r : 1;
}

static int detokenize_run(struct gw_cli *cli, void *cfg_, int argc, char **argv)
{
	struct detokenize_cfg *cfg = cfg_;
	struct gw_error err = { 0 };
	struct gw_san_key key;
	struct gw_buf out, tmp;
	struct line_reader lr = { .in = stdin };
	uint64_t lineno = 0;
	int r = GW_EXIT_OK, jr;

	(void)argc;
	(void)argv;
	if (!cfg->key)
		return gw_cli_usage_error(cli, &gw_cmd_detokenize,
					  "--key FILE is required");
	if (gw_sanitize_key_load(cfg->key, &key, &err) < 0)
		return fail(cli, "detokenize", cfg->key, &err);
	lr.buf = malloc(READER_BYTES);
	gw_buf_init(&out, 2 * (size_t)GW_SAN_LINE_MAX_BYTES);
	gw_buf_init(&tmp, 2 * (size_t)GW_SAN_LINE_MAX_BYTES);
	while (lr.buf) {
		const char *line;
		size_t n;
		bool nl;

		if (read_line(&lr, &line, &n, &nl) < 0 || (n == 0 && !nl))
			break;
		lineno++;
		out.len = 0;
		gw_error_clear(&err);
		jr = detok_json_line(&key, line, n, &out, &tmp, &err);
		if (jr < 0 ||
		    (jr == 0 && gw_sanitize_detokenize(&key, line, n, &out,
						       NULL, &err) < 0)) {
			fprintf(cli->err,
				"gymwarden: detokenize: <stdin>:%llu:%u: %s; "
				"line left as it was\n",
				(unsigned long long)lineno, err.col, err.msg);
			fwrite(line, 1, n, cli->out);
			r = GW_EXIT_FINDINGS;
		} else {
			fwrite(out.data, 1, out.len, cli->out);
		}
		if (nl)
			fputc('\n', cli->out);
	}
	sodium_memzero(&key, sizeof(key));
	gw_buf_free(&out);
	gw_buf_free(&tmp);
	free(lr.buf);
	return lr.buf ? r : GW_EXIT_ERROR;
}

const struct gw_cmd gw_cmd_detokenize = {
	.name = "detokenize",
	.args = "",
	.summary = "put back the originals of reversible sanitize tokens",
	.description =
		"Read text on standard input and replace every reversible "
		"token (gwt_...)\nmade by 'gymwarden sanitize' with "
		"tokenize by the original value. A token\nthat fails "
		"authentication (another key, a changed or cut token) is "
		"not\nreplaced: the line is written as it was and named on "
		"standard error.\nExit status: 0 every token restored, 1 a "
		"token refused, 2 an error.",
	.opts = detokenize_opts,
	.cfg_size = sizeof(struct detokenize_cfg),
	.min_args = 0,
	.max_args = 0,
	.run = detokenize_run,
};
