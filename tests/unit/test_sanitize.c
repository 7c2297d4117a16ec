/*
 * Unit tests for src/sanitize: the validators (Luhn, issuer ranges,
 * IBAN mod 97, SSN ranges, IPv4/IPv6, JWT structure, entropy), the
 * detection of every kind and of the false-positive traps, custom rules
 * and the allowlist, the operators (label, redact, mask, hash token,
 * reversible token and its tamper check), the key file, and sweeps of
 * truncations and bit flips.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/buf.h"
#include "gymwarden.h"
#include "sanitize/sanitize_priv.h"

static void luhn_accepts_valid_and_refuses_changed(void **state)
{
	static const struct {
		const char *digits;
		bool ok;
	} cases[] = {
		{ "4111111111111111", true },  { "4111111111111112", false },
		{ "378282246310005", true },   { "5555555555554444", true },
		{ "6011111111111117", true },  { "0", true },
		{ "79927398713", true },       { "79927398710", false },
		{ "1234567812345678", false }, { "", false },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(
			gw_san_luhn(cases[i].digits, strlen(cases[i].digits)),
			cases[i].ok);
}

static void card_issuer_ranges_and_lengths(void **state)
{
	(void)state;
	assert_true(gw_san_card_iin("4111111111111111", 16));
	assert_false(gw_san_card_iin("41111111111111111", 17));
	assert_true(gw_san_card_iin("378282246310005", 15));
	assert_false(gw_san_card_iin("3782822463100051", 16));
	assert_true(gw_san_card_iin("2221000000000009", 16));
	assert_false(gw_san_card_iin("2721000000000000", 16));
	assert_false(gw_san_card_iin("1234567812345670", 16));
	assert_false(gw_san_card_iin("9111111111111111", 16));
}

static void iban_mod97_and_lengths(void **state)
{
	(void)state;
	assert_int_equal(gw_san_iban_length("DE"), 22);
	assert_int_equal(gw_san_iban_length("GB"), 22);
	assert_int_equal(gw_san_iban_length("NO"), 15);
	assert_int_equal(gw_san_iban_length("ZZ"), 0);
	assert_true(gw_san_iban_mod97("DE89370400440532013000", 22));
	assert_true(gw_san_iban_mod97("GB82WEST12345698765432", 22));
	assert_false(gw_san_iban_mod97("DE89370400440532013001", 22));
	assert_false(gw_san_iban_mod97("GB82WEST1234569876543a", 22));
}

static void ssn_invalid_ranges(void **state)
{
	static const struct {
		unsigned a, g, s;
		bool ok;
	} cases[] = {
		{ 123, 45, 6789, true },  { 0, 45, 6789, false },
		{ 666, 45, 6789, false }, { 900, 45, 6789, false },
		{ 999, 45, 6789, false }, { 899, 99, 9999, true },
		{ 123, 0, 6789, false },  { 123, 45, 0, false },
		{ 78, 5, 1120, false },	  { 665, 1, 1, true },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(
			gw_san_ssn_valid(cases[i].a, cases[i].g, cases[i].s),
			cases[i].ok);
}

static void ip_addresses_validated(void **state)
{
	static const char *const v4_ok[] = { "10.0.0.1", "255.255.255.255",
					     "0.0.0.0", "192.168.1.20" };
	static const char *const v4_bad[] = { "256.1.1.1", "01.2.3.4",
					      "1.2.3",	   "1.2.3.4.5",
					      "1..2.3",	   "1.2.3.1000" };
	static const char *const v6_ok[] = {
		"::1", "2001:db8::1", "fe80::1ff:fe23:4567:890a",
		"2001:0db8:85a3:0000:0000:8a2e:0370:7334", "::ffff:192.0.2.128"
	};
	static const char *const v6_bad[] = { "::",	  "1:2:3",
					      "10:23:45", "2001:db8:::1",
					      "g::1",	  "1:2:3:4:5:6:7:8:9" };

	(void)state;
	for (size_t i = 0; i < 4; i++)
		assert_true(gw_san_ipv4_valid(v4_ok[i], strlen(v4_ok[i])));
	for (size_t i = 0; i < 6; i++)
		assert_false(gw_san_ipv4_valid(v4_bad[i], strlen(v4_bad[i])));
	for (size_t i = 0; i < 5; i++)
		assert_true(gw_san_ipv6_valid(v6_ok[i], strlen(v6_ok[i])));
	for (size_t i = 0; i < 6; i++)
		assert_false(gw_san_ipv6_valid(v6_bad[i], strlen(v6_bad[i])));
}

static void jwt_structure_checked(void **state)
{
	/* {"alg":"HS256","typ":"JWT"} . {"sub":"1"} . signature */
	static const char ok[] = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
				 "eyJzdWIiOiIxIn0.c2lnbmF0dXJl";
	/* {"typ":"JWT"}: no alg */
	static const char no_alg[] = "eyJ0eXAiOiJKV1QifQ.eyJzdWIiOiIxIn0.c2ln";
	/* "[1,2]" is not an object */
	static const char not_obj[] = "WzEsMl0.eyJzdWIiOiIxIn0.c2ln";

	(void)state;
	assert_true(gw_san_jwt_valid(ok, strlen(ok)));
	assert_false(gw_san_jwt_valid(no_alg, strlen(no_alg)));
	assert_false(gw_san_jwt_valid(not_obj, strlen(not_obj)));
	assert_false(gw_san_jwt_valid("eyJhbGciOiJIUzI1NiJ9", 20));
	assert_false(gw_san_jwt_valid("a.b", 3));
}

static void entropy_and_random_strings(void **state)
{
	static const char *const random_like[] = {
		"q8Zr2LmX9vB4nT7kW1pYc6Hd", "aB3dE5gH7jK9mN1pQ3sT5vX7zA9cE1gI"
	};
	static const char *const ordinary[] = {
		"getUserAccountSettingsHandler2",
		"Conv2dBatchNormReLU3x3",
		"d41d8cd98f00b204e9800998ecf8427e",
		"550e8400-e29b-41d4-a716-446655440000",
		"ReplayBufferCapacity1000000",
		"short1A"
	};

	(void)state;
	assert_true(gw_san_entropy("aaaa", 4) == 0.0);
	assert_true(gw_san_entropy("abab", 4) > 0.999 &&
		    gw_san_entropy("abab", 4) < 1.001);
	for (size_t i = 0; i < 2; i++)
		assert_true(gw_san_high_entropy(random_like[i],
						strlen(random_like[i]), 3.5));
	for (size_t i = 0; i < 6; i++)
		assert_false(gw_san_high_entropy(ordinary[i],
						 strlen(ordinary[i]), 3.5));
}

static struct gw_sanitizer *make(const struct gw_san_config *cfg)
{
	struct gw_sanitizer *s = NULL;
	struct gw_error err = { 0 };

	assert_int_equal(gw_sanitizer_new(cfg, &s, &err), 0);
	return s;
}

struct detect_case {
	const char *text;
	enum gw_san_kind kind;
	const char *found; /* the text of the one finding */
};

static const struct detect_case positives[] = {
	{ "mail bob.smith+rl@example.co.uk now", GW_SAN_EMAIL,
	  "bob.smith+rl@example.co.uk" },
	{ "call (212) 555-0134 today", GW_SAN_PHONE, "(212) 555-0134" },
	{ "tel:+44 20 7946 0958.", GW_SAN_PHONE, "+44 20 7946 0958" },
	{ "Tel. 030 12345678", GW_SAN_PHONE, "030 12345678" },
	{ "portable 06 12 34 56 78", GW_SAN_PHONE, "06 12 34 56 78" },
	{ "cc=4111 1111 1111 1111 exp", GW_SAN_CARD, "4111 1111 1111 1111" },
	{ "amex 3782-822463-10005", GW_SAN_CARD, "3782-822463-10005" },
	{ "IBAN DE89 3704 0044 0532 0130 00 EUR", GW_SAN_IBAN,
	  "DE89 3704 0044 0532 0130 00" },
	{ "iban=GB82WEST12345698765432", GW_SAN_IBAN,
	  "GB82WEST12345698765432" },
	{ "ssn 123-45-6789 on file", GW_SAN_SSN, "123-45-6789" },
	{ "SSN: 123456789", GW_SAN_SSN, "123456789" },
	{ "client 192.168.1.20:8080 refused", GW_SAN_IPV4, "192.168.1.20" },
	{ "from [2001:db8::1] up", GW_SAN_IPV6, "2001:db8::1" },
	{ "hwaddr 00:1A:2B:3C:4D:5E brd", GW_SAN_MAC, "00:1A:2B:3C:4D:5E" },
	{ "url https://alice:s3cret@db.example.com/x", GW_SAN_URL_CREDENTIALS,
	  "alice:s3cret" },
	{ "key AKIAIOSFODNN7EXAMPLE set", GW_SAN_TOKEN,
	  "AKIAIOSFODNN7EXAMPLE" },
	{ "GITHUB_TOKEN=ghp_abcdefghijklmnopqrstuvwxyz0123456789", GW_SAN_TOKEN,
	  "ghp_abcdefghijklmnopqrstuvwxyz0123456789" },
	{ "stripe sk_live_4eC39HqLyjWDarjtT1zdp7dc", GW_SAN_TOKEN,
	  "sk_live_4eC39HqLyjWDarjtT1zdp7dc" },
	{ "Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxIn0."
	  "c2lnbmF0dXJl",
	  GW_SAN_JWT,
	  "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl" },
	{ "k=-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAKj34\n"
	  "-----END RSA PRIVATE KEY----- done",
	  GW_SAN_PEM_PRIVATE_KEY,
	  "-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAKj34\n"
	  "-----END RSA PRIVATE KEY-----" },
	{ "session=q8Zr2LmX9vB4nT7kW1pYc6Hd;", GW_SAN_HIGH_ENTROPY,
	  "q8Zr2LmX9vB4nT7kW1pYc6Hd" },
};

static const char *const traps[] = {
	"request 550e8400-e29b-41d4-a716-446655440000 done",
	"md5 d41d8cd98f00b204e9800998ecf8427e",
	"sha1 da39a3ee5e6b4b0d3255bfef95601890afd80709",
	("sha256 "
	 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
	"version 1.2.3.4",
	"v1.2.3.4",
	"numpy==1.2.3.4",
	"release 10.0.0.1",
	"2024-01-15T10:23:45Z step done",
	"2024-01-15 10:23:45.123",
	"15/01/2024 and 01.02.2024",
	"ts=1705314225 epoch_ms 1705314225123",
	"1523 0.25 0.0031 12.5 400 3 17",
	"12345678 87654321",
	"calling getUserAccountSettingsHandler2()",
	"class Conv2dBatchNormReLU3x3",
	"std::vector<int>::iterator",
	"ratio 3:2 and 16:9",
	"see https://github.com/Farama-Foundation/Gymnasium/blob/main/x.py",
	"tag 1.2.3-beta.4",
};

static void detects_every_kind(void **state)
{
	struct gw_sanitizer *s = make(NULL);

	(void)state;
	for (size_t i = 0; i < sizeof(positives) / sizeof(positives[0]); i++) {
		const struct detect_case *c = &positives[i];
		struct gw_san_span sp[4];
		size_t n = 0;

		assert_int_equal(gw_sanitize_detect(s, c->text, strlen(c->text),
						    sp, 4, &n, NULL),
				 0);
		if (n != 1 || sp[0].kind != c->kind ||
		    sp[0].end - sp[0].start != strlen(c->found) ||
		    memcmp(c->text + sp[0].start, c->found, strlen(c->found)) !=
			    0)
			fail_msg("case %zu '%s': %zu findings, first %s", i,
				 c->text, n,
				 n ? gw_sanitizer_rule_id(s, sp[0].rule) : "-");
	}
	gw_sanitizer_free(s);
}

static void traps_give_nothing(void **state)
{
	struct gw_sanitizer *s = make(NULL);

	(void)state;
	for (size_t i = 0; i < sizeof(traps) / sizeof(traps[0]); i++) {
		struct gw_san_span sp[2];
		size_t n = 0;

		gw_sanitize_detect(s, traps[i], strlen(traps[i]), sp, 2, &n,
				   NULL);
		if (n)
			fail_msg("trap '%s': %s", traps[i],
				 gw_sanitizer_rule_id(s, sp[0].rule));
	}
	gw_sanitizer_free(s);
}

static void interpreter_finds_the_same(void **state)
{
	struct gw_san_config c = { .no_jit = true };
	struct gw_sanitizer *j = make(NULL), *i = make(&c);

	(void)state;
	assert_false(gw_sanitizer_jit(i));
	for (size_t k = 0; k < sizeof(positives) / sizeof(positives[0]); k++) {
		const char *t = positives[k].text;
		struct gw_san_span a[4], b[4];
		size_t na = 0, nb = 0;

		gw_sanitize_detect(j, t, strlen(t), a, 4, &na, NULL);
		gw_sanitize_detect(i, t, strlen(t), b, 4, &nb, NULL);
		assert_int_equal(na, nb);
		assert_memory_equal(a, b, na * sizeof(a[0]));
	}
	gw_sanitizer_free(j);
	gw_sanitizer_free(i);
}

static void custom_rules_and_allowlist(void **state)
{
	static const char *const kw[] = { "EMP-" };
	static const char *const allow[] = { "support@example.com" };
	struct gw_san_custom_rule rule = { .id = "employee_id",
					   .pattern = "EMP-[0-9]{6}",
					   .keywords = kw,
					   .n_keywords = 1,
					   .label = "EMPLOYEE" };
	struct gw_san_config c = { .custom = &rule,
				   .n_custom = 1,
				   .allowlist = allow,
				   .n_allowlist = 1 };
	struct gw_sanitizer *s = make(&c);
	const char *in = "emp-123456? EMP-123456 by support@example.com or "
			 "bob@example.com";
	struct gw_buf out;
	size_t n = 0;

	(void)state;
	gw_buf_init(&out, 4096);
	assert_int_equal(
		gw_sanitize_string(s, NULL, in, strlen(in), &out, &n, NULL), 0);
	assert_string_equal(out.data, "emp-123456? <EMPLOYEE> by "
				      "support@example.com or <EMAIL>");
	assert_int_equal(n, 2);
	gw_buf_free(&out);
	gw_sanitizer_free(s);
}

static void bad_custom_rule_is_named(void **state)
{
	struct gw_san_custom_rule rule = { .id = "broken", .pattern = "a(b" };
	struct gw_san_config c = { .custom = &rule, .n_custom = 1 };
	struct gw_sanitizer *s = NULL;
	struct gw_error err = { 0 };

	(void)state;
	assert_int_equal(gw_sanitizer_new(&c, &s, &err), -EINVAL);
	assert_null(s);
	assert_string_equal(err.field, "broken");
	rule.id = "Bad Id";
	rule.pattern = "x";
	gw_error_clear(&err);
	assert_int_equal(gw_sanitizer_new(&c, &s, &err), -EINVAL);
}

static char *sanitize(struct gw_sanitizer *s, const char *op_text,
		      const char *in)
{
	struct gw_san_op op;
	struct gw_buf out;
	size_t len;

	assert_int_equal(gw_san_op_parse(op_text, &op, NULL), 0);
	gw_buf_init(&out, 1 << 16);
	assert_int_equal(
		gw_sanitize_string(s, &op, in, strlen(in), &out, NULL, NULL),
		0);
	gw_buf_append(&out, "", 1);
	return gw_buf_steal(&out, &len);
}

static void label_redact_mask(void **state)
{
	struct gw_sanitizer *s = make(NULL);
	static const struct {
		const char *op, *in, *out;
	} cases[] = {
		{ "label", "to bob@example.com.", "to <EMAIL>." },
		{ "redact", "to bob@example.com.", "to ." },
		{ "keep", "to bob@example.com.", "to bob@example.com." },
		{ "mask", "to bob@example.com.", "to ***@*******.***." },
		{ "mask:#:12", "card 4111 1111 1111 1111",
		  "card #### #### #### 1111" },
		{ "mask:*:4:end", "card 4111 1111 1111 1111",
		  "card 4111 1111 1111 ****" },
		{ "mask:x:100", "ssn 123-45-6789", "ssn xxx-xx-xxxx" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = sanitize(s, cases[i].op, cases[i].in);

		assert_string_equal(got, cases[i].out);
		free(got);
	}
	gw_sanitizer_free(s);
}

static void operator_parse_refuses_bad_text(void **state)
{
	struct gw_san_op op;

	(void)state;
	assert_int_equal(gw_san_op_parse("tokenize", &op, NULL), 0);
	assert_int_equal(op.kind, GW_SAN_OP_ENCRYPT);
	assert_int_equal(gw_san_op_parse("hash_token", &op, NULL), 0);
	assert_int_equal(op.kind, GW_SAN_OP_HASH);
	assert_int_equal(gw_san_op_parse("mask:#:4:end", &op, NULL), 0);
	assert_true(op.mask_char == '#' && op.mask_count == 4 &&
		    op.mask_from_end);
	assert_int_equal(gw_san_op_parse("maskx", &op, NULL), -EINVAL);
	assert_int_equal(gw_san_op_parse("mask:#:x", &op, NULL), -EINVAL);
	assert_int_equal(gw_san_op_parse("mask:#:4:start", &op, NULL), -EINVAL);
	assert_int_equal(gw_san_op_parse("shred", &op, NULL), -EINVAL);
}

static struct gw_sanitizer *keyed(unsigned char fill)
{
	struct gw_san_key key;
	struct gw_san_config c = { .key = &key };

	memset(key.bytes, fill, sizeof(key.bytes));
	return make(&c);
}

static void hash_token_stable_per_key(void **state)
{
	struct gw_sanitizer *a = keyed(1), *a2 = keyed(1), *b = keyed(2);
	const char *in = "bob@example.com";
	char *x = sanitize(a, "hash", in), *y = sanitize(a2, "hash", in);
	char *z = sanitize(b, "hash", in), *w = sanitize(a, "hash", "x@y.io");

	(void)state;
	assert_int_equal(strlen(x), 20);
	assert_memory_equal(x, "tok_", 4);
	assert_string_equal(x, y);
	assert_string_not_equal(x, z);
	assert_string_not_equal(x, w);
	free(x);
	free(y);
	free(z);
	free(w);
	gw_sanitizer_free(a);
	gw_sanitizer_free(a2);
	gw_sanitizer_free(b);
}

static int detok(unsigned char fill, const char *in, char **out)
{
	struct gw_san_key key;
	struct gw_buf b;
	struct gw_error err = { 0 };
	size_t len;
	int r;

	memset(key.bytes, fill, sizeof(key.bytes));
	gw_buf_init(&b, 1 << 16);
	r = gw_sanitize_detokenize(&key, in, strlen(in), &b, NULL, &err);
	gw_buf_append(&b, "", 1);
	*out = gw_buf_steal(&b, &len);
	return r;
}

static void reversible_token_round_trip_and_tamper(void **state)
{
	struct gw_sanitizer *s = keyed(7);
	const char *in = "mail bob@example.com, card 4111 1111 1111 1111 ok";
	char *tok = sanitize(s, "tokenize", in),
	     *tok2 = sanitize(s, "tokenize", in);
	char *back = NULL, *p;

	(void)state;
	assert_non_null(strstr(tok, "gwt_"));
	assert_null(strstr(tok, "bob@"));
	assert_string_equal(tok, tok2); /* deterministic */
	assert_int_equal(detok(7, tok, &back), 0);
	assert_string_equal(back, in);
	free(back);

	assert_int_equal(detok(8, tok, &back), -EBADMSG); /* wrong key */
	free(back);

	p = strstr(tok, "gwt_") + 10;
	*p = *p == 'A' ? 'B' : 'A'; /* one changed byte */
	assert_int_equal(detok(7, tok, &back), -EBADMSG);
	free(back);

	free(tok);
	free(tok2);
	gw_sanitizer_free(s);
}

static void tokens_need_a_key(void **state)
{
	struct gw_sanitizer *s = make(NULL);
	struct gw_san_op op = { .kind = GW_SAN_OP_ENCRYPT };
	struct gw_buf out;

	(void)state;
	gw_buf_init(&out, 1024);
	assert_int_equal(
		gw_sanitize_string(s, &op, "a@b.io", 6, &out, NULL, NULL),
		-ENOKEY);
	gw_buf_free(&out);
	gw_sanitizer_free(s);
}

static void write_file(const char *path, const void *data, size_t n,
		       mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, n), (ssize_t)n);
	fchmod(fd, mode);
	close(fd);
}

static void key_file_forms_and_permissions(void **state)
{
	char dir[] = "/tmp/gw-sanitize-XXXXXX", path[64];
	unsigned char raw[32];
	struct gw_san_key key;
	struct gw_error err = { 0 };
	char hex[66];

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/key", dir);
	for (int i = 0; i < 32; i++) {
		raw[i] = (unsigned char)(i * 7 + 1);
		snprintf(hex + 2 * i, 3, "%02x", raw[i]);
	}
	hex[64] = '\n';
	hex[65] = '\0';

	write_file(path, raw, 32, 0600);
	assert_int_equal(gw_sanitize_key_load(path, &key, &err), 0);
	assert_memory_equal(key.bytes, raw, 32);

	write_file(path, hex, 65, 0400);
	memset(&key, 0, sizeof(key));
	assert_int_equal(gw_sanitize_key_load(path, &key, &err), 0);
	assert_memory_equal(key.bytes, raw, 32);

	write_file(path, hex, 65, 0644);
	gw_error_clear(&err);
	assert_int_equal(gw_sanitize_key_load(path, &key, &err), -EPERM);
	assert_non_null(strstr(err.msg, "chmod 600"));

	write_file(path, hex, 40, 0600);
	assert_int_equal(gw_sanitize_key_load(path, &key, NULL), -EINVAL);
	unlink(path);
	assert_int_equal(gw_sanitize_key_load(path, &key, NULL), -ENOENT);
	rmdir(dir);
}

static void lines_stream_plain_text(void **state)
{
	static const char in[] = "one a@b.io\ntwo 10.0.0.1\nthree";
	struct gw_sanitizer *s = make(NULL);
	char out[256] = "";
	FILE *fi = fmemopen((void *)in, sizeof(in) - 1, "r");
	FILE *fo = fmemopen(out, sizeof(out) - 1, "w");
	uint64_t lines = 0;

	(void)state;
	assert_int_equal(gw_sanitize_lines(s, NULL, fi, fo, &lines, NULL), 0);
	fclose(fo);
	fclose(fi);
	assert_string_equal(out, "one <EMAIL>\ntwo <IPV4>\nthree");
	assert_int_equal(lines, 3);
	gw_sanitizer_free(s);
}

/* Every prefix and every single bit flip of a dense line: no crash. */
static void truncations_and_bit_flips(void **state)
{
	struct gw_sanitizer *s = keyed(3);
	const char *line =
		"a bob@example.com (212) 555-0134 4111 1111 1111 1111 "
		"DE89370400440532013000 123-45-6789 10.0.0.1 fe80::1 "
		"00:1a:2b:3c:4d:5e https://u:p@h.io ghp_abcdefghijklmnopqrstuv"
		"wxyz0123456789 -----BEGIN PRIVATE KEY----- MIIB";
	size_t len = strlen(line);
	char *buf = malloc(len);
	struct gw_san_op op = { .kind = GW_SAN_OP_ENCRYPT };
	struct gw_buf out;

	(void)state;
	gw_buf_init(&out, 1 << 20);
	for (size_t n = 0; n <= len; n++) {
		size_t k = 0;

		memcpy(buf, line, n);
		assert_int_equal(
			gw_sanitize_detect(s, buf, n, NULL, 0, &k, NULL), 0);
	}
	for (size_t i = 0; i < len * 8; i++) {
		memcpy(buf, line, len);
		buf[i / 8] ^= (char)(1u << (i % 8));
		out.len = 0;
		assert_int_equal(
			gw_sanitize_string(s, &op, buf, len, &out, NULL, NULL),
			0);
	}
	gw_buf_free(&out);
	free(buf);
	gw_sanitizer_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(luhn_accepts_valid_and_refuses_changed),
		cmocka_unit_test(card_issuer_ranges_and_lengths),
		cmocka_unit_test(iban_mod97_and_lengths),
		cmocka_unit_test(ssn_invalid_ranges),
		cmocka_unit_test(ip_addresses_validated),
		cmocka_unit_test(jwt_structure_checked),
		cmocka_unit_test(entropy_and_random_strings),
		cmocka_unit_test(detects_every_kind),
		cmocka_unit_test(traps_give_nothing),
		cmocka_unit_test(interpreter_finds_the_same),
		cmocka_unit_test(custom_rules_and_allowlist),
		cmocka_unit_test(bad_custom_rule_is_named),
		cmocka_unit_test(label_redact_mask),
		cmocka_unit_test(operator_parse_refuses_bad_text),
		cmocka_unit_test(hash_token_stable_per_key),
		cmocka_unit_test(reversible_token_round_trip_and_tamper),
		cmocka_unit_test(tokens_need_a_key),
		cmocka_unit_test(key_file_forms_and_permissions),
		cmocka_unit_test(lines_stream_plain_text),
		cmocka_unit_test(truncations_and_bit_flips),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
