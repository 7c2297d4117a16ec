/*
 * The line format of the audit container: building a chained record,
 * and checking one on its own. Pure helpers: no files, no globals.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit/audit_priv.h"
#include "core/error.h"
#include "core/limits.h"

/* Members every record has, which a payload may not name. */
static const char *const reserved[] = { "seq", "time", "prev", "kind", "hash" };

static const char genesis_label[] = "gymwarden-audit-genesis-v1";

void gw_audit_hex(char *out, const uint8_t *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = '\0';
}

static int nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int gw_audit_unhex(uint8_t *out, size_t n, const char *hex, size_t len)
{
	if (len != 2 * n)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

/* Exactly 64 lower-case hex digits: the only form a hash is written in. */
static bool is_hash_hex(const char *s, size_t len)
{
	if (len != GW_AUDIT_HEX_BYTES)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		      (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

void gw_audit_genesis(char out[GW_AUDIT_HEX_BYTES + 1],
		      const uint8_t id[GW_AUDIT_LOG_ID_BYTES])
{
	crypto_generichash_state st;
	uint8_t h[GW_AUDIT_HASH_BYTES];

	crypto_generichash_init(&st, NULL, 0, sizeof(h));
	crypto_generichash_update(&st, (const uint8_t *)genesis_label,
				  sizeof(genesis_label));
	crypto_generichash_update(&st, id, GW_AUDIT_LOG_ID_BYTES);
	crypto_generichash_final(&st, h, sizeof(h));
	gw_audit_hex(out, h, sizeof(h));
}

void gw_audit_now(char out[32])
{
	struct timespec ts;
	struct tm tm;
	size_t n;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + n, 32 - n, ".%06uZ",
		 (unsigned)(ts.tv_nsec / 1000) % 1000000u);
}

bool gw_audit_kind_ok(const char *kind)
{
	size_t n = kind ? strlen(kind) : 0;

	if (n == 0 || n > 64)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = kind[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '.' || c == '-'))
			return false;
	}
	return true;
}

/* The hash of a line's body: its bytes up to the hash member, then "}". */
static void body_hash(const char *body, size_t n,
		      char hex[GW_AUDIT_HEX_BYTES + 1])
{
	crypto_generichash_state st;
	uint8_t h[GW_AUDIT_HASH_BYTES];

	crypto_generichash_init(&st, NULL, 0, sizeof(h));
	crypto_generichash_update(&st, (const uint8_t *)body, n);
	crypto_generichash_update(&st, (const uint8_t *)"}", 1);
	crypto_generichash_final(&st, h, sizeof(h));
	gw_audit_hex(hex, h, sizeof(h));
}

static json_t *head_object(uint64_t seq, const char *prev, const char *kind,
			   const json_t *payload, struct gw_error *err)
{
	json_t *o, *v;
	const char *key;
	char now[32];

	gw_audit_now(now);
	o = json_pack("{s:I, s:s, s:s, s:s}", "seq", (json_int_t)seq, "time",
		      now, "prev", prev, "kind", kind);
	if (!o) {
		gw_error_set(err, -ENOMEM, "out of memory");
		return NULL;
	}
	json_object_foreach((json_t *)payload, key, v)
	{
		for (size_t i = 0; i < sizeof(reserved) / sizeof(*reserved);
		     i++) {
			if (strcmp(key, reserved[i]) != 0)
				continue;
			json_decref(o);
			gw_error_set(err, -EINVAL,
				     "payload member '%s' is reserved", key);
			return NULL;
		}
		if (json_object_set(o, key, v) < 0) {
			json_decref(o);
			gw_error_set(err, -ENOMEM, "out of memory");
			return NULL;
		}
	}
	return o;
}

int gw_audit_build_line(struct gw_buf *out, uint64_t seq, const char *prev,
			const char *kind, const json_t *payload,
			char hash_hex[GW_AUDIT_HEX_BYTES + 1],
			struct gw_error *err)
{
	const size_t flags =
		JSON_COMPACT | JSON_ENSURE_ASCII | JSON_REAL_PRECISION(17);
	json_t *o;
	char *body;
	size_t n;
	int r;

	if (payload && !json_is_object(payload))
		return gw_error_set(err, -EINVAL, "payload is not an object");
	o = head_object(seq, prev, kind, payload, err);
	if (!o)
		return err ? err->code : -EINVAL;
	body = json_dumps(o, flags);
	json_decref(o);
	if (!body)
		return gw_error_set(err, -EINVAL,
				    "payload cannot be written as JSON "
				    "(nan or inf?)");

	n = strlen(body);
	if (n + GW_AUDIT_HASH_TAIL_BYTES > GW_AUDIT_RECORD_MAX_BYTES) {
		free(body);
		return gw_error_set(err, -E2BIG,
				    "record of %zu bytes is over the cap of %u",
				    n, GW_AUDIT_RECORD_MAX_BYTES);
	}
	/* The body ends in "}"; the hash goes in as its last member. */
	body_hash(body, n - 1, hash_hex);
	out->len = 0;
	r = gw_buf_append(out, body, n - 1);
	if (r == 0)
		r = gw_buf_printf(out, ",\"hash\":\"%s\"}\n", hash_hex);
	free(body);
	return r < 0 ? gw_error_set(err, r, "out of memory") : 0;
}

/* One fixed member: present, of the right type. */
static enum gw_audit_fault member(const json_t *rec, const char *key,
				  json_t **v, bool string, char *detail,
				  size_t cap)
{
	*v = json_object_get(rec, key);
	if (*v && (string ? json_is_string(*v) : json_is_integer(*v)))
		return GW_AUDIT_OK;
	snprintf(detail, cap, "\"%s\" %s", key,
		 *v ? (string ? "is not a string" : "is not an integer")
		    : "is missing");
	return GW_AUDIT_BAD_FIELD;
}

static enum gw_audit_fault check_members(const char *line, size_t len,
					 struct gw_audit_line *out,
					 char *detail, size_t cap)
{
	json_t *seq, *tm, *prev, *kind, *hash;
	enum gw_audit_fault f;

	if ((f = member(out->rec, "seq", &seq, false, detail, cap)) ||
	    (f = member(out->rec, "time", &tm, true, detail, cap)) ||
	    (f = member(out->rec, "prev", &prev, true, detail, cap)) ||
	    (f = member(out->rec, "kind", &kind, true, detail, cap)) ||
	    (f = member(out->rec, "hash", &hash, true, detail, cap)))
		return f;
	out->seq = json_integer_value(seq);
	out->kind = json_string_value(kind);
	if (out->seq < 0 || !gw_audit_kind_ok(out->kind) ||
	    json_string_length(tm) != 27 ||
	    !is_hash_hex(json_string_value(prev), json_string_length(prev)) ||
	    !is_hash_hex(json_string_value(hash), json_string_length(hash))) {
		snprintf(detail, cap,
			 "seq, time, prev, kind or hash is malformed");
		return GW_AUDIT_BAD_FIELD;
	}
	memcpy(out->prev, json_string_value(prev), GW_AUDIT_HEX_BYTES + 1);
	memcpy(out->hash, json_string_value(hash), GW_AUDIT_HEX_BYTES + 1);

	/* The hash must be the last member, written exactly so. */
	if (len < GW_AUDIT_HASH_TAIL_BYTES + 1 ||
	    memcmp(line + len - GW_AUDIT_HASH_TAIL_BYTES, ",\"hash\":\"", 9) ||
	    memcmp(line + len - 66, out->hash, GW_AUDIT_HEX_BYTES) ||
	    memcmp(line + len - 2, "\"}", 2)) {
		snprintf(detail, cap, "\"hash\" is not the last member");
		return GW_AUDIT_BAD_FIELD;
	}
	return GW_AUDIT_OK;
}

enum gw_audit_fault gw_audit_check_line(const char *line, size_t len,
					struct gw_audit_line *out, char *detail,
					size_t cap)
{
	char want[GW_AUDIT_HEX_BYTES + 1];
	json_error_t jerr;
	enum gw_audit_fault f;

	memset(out, 0, sizeof(*out));
	if (len == 0) {
		snprintf(detail, cap, "empty line");
		return GW_AUDIT_BAD_JSON;
	}
	out->rec = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!out->rec || !json_is_object(out->rec)) {
		snprintf(detail, cap, "not a JSON object: %s (column %d)",
			 out->rec ? "another value" : jerr.text,
			 out->rec ? 1 : jerr.column);
		json_decref(out->rec);
		out->rec = NULL;
		return GW_AUDIT_BAD_JSON;
	}
	f = check_members(line, len, out, detail, cap);
	if (f == GW_AUDIT_OK) {
		body_hash(line, len - GW_AUDIT_HASH_TAIL_BYTES, want);
		if (memcmp(want, out->hash, GW_AUDIT_HEX_BYTES) != 0) {
			snprintf(detail, cap,
				 "hash mismatch: the record's bytes give "
				 "%.16s..., it says %.16s...",
				 want, out->hash);
			f = GW_AUDIT_HASH_MISMATCH;
		}
	}
	if (f != GW_AUDIT_OK) {
		json_decref(out->rec);
		out->rec = NULL;
	}
	return f;
}
