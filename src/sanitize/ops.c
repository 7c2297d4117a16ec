/*
 * The operators: what replaces a finding in the output, and the string
 * and line calls that apply them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/limits.h"
#include "sanitize/sanitize_priv.h"

static const char *const op_names[GW_SAN_OP_COUNT] = {
	[GW_SAN_OP_KEEP] = "keep",     [GW_SAN_OP_LABEL] = "label",
	[GW_SAN_OP_REDACT] = "redact", [GW_SAN_OP_MASK] = "mask",
	[GW_SAN_OP_HASH] = "hash",     [GW_SAN_OP_ENCRYPT] = "encrypt",
};

const char *gw_san_op_name(enum gw_san_op_kind kind)
{
	if ((unsigned)kind >= GW_SAN_OP_COUNT)
		return "?";
	return op_names[kind];
}

/* "mask", "mask:C", "mask:C:N", "mask:C:N:end" */
static int parse_mask(const char *t, struct gw_san_op *op, struct gw_error *err)
{
	char *end;
	unsigned long n;

	if (*t == '\0')
		return 0;
	if (t[0] != ':' || t[1] < 0x21 || t[1] > 0x7e ||
	    (t[2] != '\0' && t[2] != ':'))
		goto bad;
	op->mask_char = t[1];
	if (t[2] == '\0')
		return 0;
	t += 3;
	if (*t < '0' || *t > '9')
		goto bad;
	n = strtoul(t, &end, 10);
	if (n > 65536)
		goto bad;
	op->mask_count = (unsigned)n;
	if (*end == '\0')
		return 0;
	if (strcmp(end, ":end") == 0) {
		op->mask_from_end = true;
		return 0;
	}
bad:
	return gw_error_set(err, -EINVAL,
			    "mask operator is mask, mask:C, mask:C:N or "
			    "mask:C:N:end");
}

int gw_san_op_parse(const char *text, struct gw_san_op *op,
		    struct gw_error *err)
{
	memset(op, 0, sizeof(*op));
	if (strcmp(text, "tokenize") == 0 ||
	    strcmp(text, "encrypt_token") == 0) {
		op->kind = GW_SAN_OP_ENCRYPT;
		return 0;
	}
	if (strcmp(text, "hash_token") == 0) {
		op->kind = GW_SAN_OP_HASH;
		return 0;
	}
	if (strncmp(text, "mask", 4) == 0) {
		op->kind = GW_SAN_OP_MASK;
		return parse_mask(text + 4, op, err);
	}
	for (unsigned k = 0; k < GW_SAN_OP_COUNT; k++)
		if (k != GW_SAN_OP_MASK && strcmp(text, op_names[k]) == 0) {
			op->kind = (enum gw_san_op_kind)k;
			return 0;
		}
	return gw_error_set(err, -EINVAL,
			    "unknown operator '%.64s' (keep, label, redact, "
			    "mask[:C[:N[:end]]], hash, tokenize)",
			    text);
}

/* Bytes a mask leaves alone, so the shape of the value stays readable. */
static bool mask_keeps(char c)
{
	return strchr(" -.:@()+/", c) != NULL && c != '\0';
}

/* Length of the UTF-8 sequence starting with c (1 for a stray byte). */
static size_t utf8_len(unsigned char c)
{
	if (c >= 0xf0 && c < 0xf8)
		return 4;
	if (c >= 0xe0)
		return c < 0xf0 ? 3 : 1;
	if (c >= 0xc0)
		return 2;
	return 1;
}

static int apply_mask(const struct gw_san_op *op, const char *p, size_t n,
		      struct gw_buf *out)
{
	char mc = op->mask_char ? op->mask_char : '*';
	size_t total = 0, from, to, k = 0;
	int r = 0;

	for (size_t i = 0; i < n; i += utf8_len((unsigned char)p[i]))
		total += !mask_keeps(p[i]);
	from = 0;
	to = total;
	if (op->mask_count && op->mask_count < total) {
		if (op->mask_from_end)
			from = total - op->mask_count;
		else
			to = op->mask_count;
	}
	for (size_t i = 0; i < n && r == 0;) {
		size_t cl = utf8_len((unsigned char)p[i]);

		if (cl > n - i)
			cl = n - i;
		if (mask_keeps(p[i])) {
			r = gw_buf_append(out, p + i, 1);
		} else {
			if (k >= from && k < to)
				r = gw_buf_append(out, &mc, 1);
			else
				r = gw_buf_append(out, p + i, cl);
			k++;
		}
		i += cl;
	}
	return r;
}

static int apply(struct gw_sanitizer *s, const struct gw_san_op *op,
		 const struct gw_san_span *sp, const char *in,
		 struct gw_buf *out)
{
	const char *p = in + sp->start;
	size_t n = sp->end - sp->start;
	const struct san_rule *r = &s->rules[sp->rule];

	switch (op ? op->kind : GW_SAN_OP_LABEL) {
	case GW_SAN_OP_KEEP: return gw_buf_append(out, p, n);
	case GW_SAN_OP_REDACT: return 0;
	case GW_SAN_OP_MASK: return apply_mask(op, p, n, out);
	case GW_SAN_OP_HASH: return gw_san_hash_token(s, p, n, out);
	case GW_SAN_OP_ENCRYPT: return gw_san_encrypt_token(s, p, n, out);
	case GW_SAN_OP_LABEL:
	default: return gw_buf_append(out, r->label, r->label_len);
	}
}

static bool needs_key(const struct gw_san_op *const *ops)
{
	for (unsigned k = 0; k < GW_SAN_KIND_COUNT; k++)
		if (ops[k] && (ops[k]->kind == GW_SAN_OP_HASH ||
			       ops[k]->kind == GW_SAN_OP_ENCRYPT))
			return true;
	return false;
}

int gw_sanitize_string_by_kind(struct gw_sanitizer *s,
			       const struct gw_san_op *const *ops,
			       const char *in, size_t len, struct gw_buf *out,
			       size_t *findings, struct gw_error *err)
{
	size_t n = 0, prev = 0;
	int r;

	if (findings)
		*findings = 0;
	if (!s->have_key && needs_key(ops))
		return gw_error_set(err, -ENOKEY,
				    "the hash and tokenize operators need a "
				    "key file");
	r = gw_san_detect_all(s, in, len, &n, err);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n && r == 0; i++) {
		const struct gw_san_span *sp = &s->scratch[i];

		r = gw_buf_append(out, in + prev, sp->start - prev);
		if (r == 0)
			r = apply(s, ops[sp->kind], sp, in, out);
		prev = sp->end;
	}
	if (r == 0)
		r = gw_buf_append(out, in + prev, len - prev);
	if (findings)
		*findings = n;
	if (r == -E2BIG)
		return gw_error_set(err, r,
				    "sanitized text is over the output limit "
				    "of %zu bytes, or a finding is too long "
				    "to tokenize",
				    out->max_bytes);
	if (r < 0)
		return gw_error_set(err, r, "out of memory");
	return 0;
}

int gw_sanitize_string(struct gw_sanitizer *s, const struct gw_san_op *op,
		       const char *in, size_t len, struct gw_buf *out,
		       size_t *findings, struct gw_error *err)
{
	const struct gw_san_op *ops[GW_SAN_KIND_COUNT];

	for (unsigned k = 0; k < GW_SAN_KIND_COUNT; k++)
		ops[k] = op;
	return gw_sanitize_string_by_kind(s, ops, in, len, out, findings, err);
}

/* One line (its newline kept) into line, at most cap bytes of it. */
static int read_piece(FILE *in, char *line, size_t cap, size_t *n)
{
	size_t k = 0;
	int c = EOF;

	while (k < cap && (c = getc_unlocked(in)) != EOF) {
		line[k++] = (char)c;
		if (c == '\n')
			break;
	}
	*n = k;
	if (ferror(in))
		return -EIO;
	return 0;
}

int gw_sanitize_lines(struct gw_sanitizer *s, const struct gw_san_op *op,
		      FILE *in, FILE *out, uint64_t *lines,
		      struct gw_error *err)
{
	struct gw_buf ob;
	char *line = malloc(GW_SAN_LINE_MAX_BYTES);
	uint64_t count = 0;
	int r = 0;

	if (!line)
		return gw_error_set(err, -ENOMEM, "out of memory");
	gw_buf_init(&ob, 4 * (size_t)GW_SAN_LINE_MAX_BYTES);
	for (;;) {
		size_t n;

		r = read_piece(in, line, GW_SAN_LINE_MAX_BYTES, &n);
		if (r < 0) {
			r = gw_error_set(err, -EIO, "read error");
			break;
		}
		if (n == 0)
			break;
		ob.len = 0;
		r = gw_sanitize_string(s, op, line, n, &ob, NULL, err);
		if (r < 0)
			break;
		if (fwrite(ob.data, 1, ob.len, out) != ob.len) {
			r = gw_error_set(err, -EIO, "write error");
			break;
		}
		if (line[n - 1] == '\n' || feof(in))
			count++;
	}
	gw_buf_free(&ob);
	free(line);
	if (lines)
		*lines = count;
	return r;
}
