/*
 * The audit container: a chain that verifies, every single-byte change
 * of a plaintext and of an encrypted log named at its record, truncation
 * at every byte, two records swapped, wrong and missing keys, the
 * folder, file and key-file rules, and recordings decoded back.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
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

#include "audit/audit_priv.h"
#include "audit/record.h"
#include "core/endian.h"
#include "gymwarden.h"
#include "space/space.h"
#include "toml/toml.h"

struct fx {
	char dir[64];
	char log[128];
	struct gw_audit_key key;
};

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int fx_setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	snprintf(f->dir, sizeof(f->dir), "/tmp/gw-audit-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->log, sizeof(f->log), "%s/logs/run.jsonl", f->dir);
	for (unsigned i = 0; i < sizeof(f->key.bytes); i++)
		f->key.bytes[i] = (uint8_t)(i * 7 + 1);
	*state = f;
	return 0;
}

static int fx_teardown(void **state)
{
	struct fx *f = *state;

	nftw(f->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

/* A small log: open, three events, close. */
static void write_log(const char *path, const struct gw_audit_key *key)
{
	struct gw_audit_opts opts = { .encrypt = key != NULL, .key = key };
	struct gw_error err = { 0 };
	struct gw_audit *a;

	assert_int_equal(gw_audit_open(path, &opts, &a, &err), 0);
	for (int i = 0; i < 3; i++) {
		json_t *p = json_pack("{s:i, s:s, s:f}", "step", i, "field",
				      "observation[0]", "value", 0.5 * i);

		assert_int_equal(gw_audit_append(a, "fault", p, &err), 0);
		json_decref(p);
	}
	assert_int_equal(gw_audit_close(a, &err), 0);
}

static unsigned char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = malloc(1 << 20);

	assert_non_null(f);
	*n = fread(buf, 1, 1 << 20, f);
	fclose(f);
	return buf;
}

static void spit(const char *path, const unsigned char *p, size_t n)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(p, 1, n, f), n);
	fclose(f);
}

static int verify(const char *path, const struct gw_audit_key *key,
		  unsigned flags, struct gw_audit_break *brk)
{
	struct gw_audit_summary sum;

	memset(brk, 0, sizeof(*brk));
	return gw_audit_verify(path, key, flags, NULL, NULL, &sum, brk, NULL);
}

static void chain_builds_and_verifies(void **state)
{
	struct fx *f = *state;
	struct gw_audit_summary sum;
	struct gw_audit_break brk;
	struct stat st;
	char dir[160];

	write_log(f->log, NULL);
	assert_int_equal(
		gw_audit_verify(f->log, NULL, 0, NULL, NULL, &sum, &brk, NULL),
		0);
	assert_int_equal(sum.records, 5);
	assert_true(sum.closed);
	assert_false(sum.encrypted);
	assert_string_equal(sum.purpose, "audit");
	assert_int_equal(strlen(sum.log_id), 32);

	assert_int_equal(stat(f->log, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	snprintf(dir, sizeof(dir), "%s/logs", f->dir);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
}

/* The 1-based line holding byte p (a newline belongs to its line). */
static uint64_t line_of(const unsigned char *buf, size_t p)
{
	uint64_t line = 1;

	for (size_t i = 0; i < p; i++)
		line += buf[i] == '\n';
	return line;
}

static void every_byte_flip_in_plaintext_is_named(void **state)
{
	static const unsigned char masks[] = { 0x01, 0x20, 0x80 };
	struct fx *f = *state;
	struct gw_audit_break brk;
	unsigned char *buf;
	size_t n;

	write_log(f->log, NULL);
	buf = slurp(f->log, &n);
	for (size_t m = 0; m < sizeof(masks); m++) {
		for (size_t p = 0; p < n; p++) {
			buf[p] ^= masks[m];
			spit(f->log, buf, n);
			buf[p] ^= masks[m];
			if (verify(f->log, NULL, 0, &brk) != -EBADMSG)
				fail_msg("flip 0x%02x at byte %zu not detected",
					 masks[m], p);
			if (brk.line != line_of(buf, p))
				fail_msg("flip at byte %zu (line %llu) named "
					 "line %llu: %s",
					 p, (unsigned long long)line_of(buf, p),
					 (unsigned long long)brk.line,
					 brk.detail);
		}
	}
	free(buf);
}

/* Record k (1-based) of an encrypted log starts at starts[k - 1]. */
static size_t frame_starts(const unsigned char *buf, size_t n, size_t *starts)
{
	size_t k = 0, p = GW_AUDIT_MAGIC_BYTES +
			  crypto_secretstream_xchacha20poly1305_HEADERBYTES;

	while (p + 4 <= n) {
		starts[k++] = p;
		p += 4 + gw_get_le32(buf + p);
	}
	assert_int_equal(p, n);
	return k;
}

static uint64_t frame_of(const size_t *starts, size_t k, size_t p)
{
	uint64_t line = 1;

	for (size_t i = 1; i < k; i++)
		if (p >= starts[i])
			line = i + 1;
	return line;
}

static void every_byte_flip_in_encrypted_log_is_named(void **state)
{
	struct fx *f = *state;
	struct gw_audit_break brk;
	size_t n, starts[16], k;
	unsigned char *buf;

	write_log(f->log, &f->key);
	assert_int_equal(verify(f->log, &f->key, 0, &brk), 0);
	buf = slurp(f->log, &n);
	k = frame_starts(buf, n, starts);
	assert_int_equal(k, 5);
	for (size_t p = 0; p < n; p++) {
		buf[p] ^= 0x01;
		spit(f->log, buf, n);
		buf[p] ^= 0x01;
		if (verify(f->log, &f->key, 0, &brk) != -EBADMSG)
			fail_msg("flip at byte %zu not detected", p);
		if (brk.line != frame_of(starts, k, p))
			fail_msg("flip at byte %zu (record %llu) named %llu: "
				 "%s",
				 p, (unsigned long long)frame_of(starts, k, p),
				 (unsigned long long)brk.line, brk.detail);
	}
	free(buf);
}

static void truncation_at_every_byte_is_detected(void **state)
{
	struct fx *f = *state;
	struct gw_audit_break brk;
	const struct gw_audit_key *keys[] = { NULL, &f->key };

	for (size_t kk = 0; kk < 2; kk++) {
		unsigned char *buf;
		size_t n;

		unlink(f->log);
		write_log(f->log, keys[kk]);
		buf = slurp(f->log, &n);
		for (size_t len = 0; len < n; len++) {
			bool boundary =
				kk == 0 && len > 0 && buf[len - 1] == '\n';

			spit(f->log, buf, len);
			if (verify(f->log, keys[kk], 0, &brk) != -EBADMSG)
				fail_msg("cut at %zu of %zu not detected", len,
					 n);
			if (boundary)
				assert_int_equal(brk.fault,
						 GW_AUDIT_NOT_CLOSED);
			else if (kk == 0)
				assert_int_equal(brk.fault, GW_AUDIT_TRUNCATED);
			/* A log still being written is fine if allowed. */
			if (boundary)
				assert_int_equal(verify(f->log, keys[kk],
							GW_AUDIT_ALLOW_OPEN,
							&brk),
						 0);
		}
		/* Extra bytes after the close record. */
		memcpy(buf + n, "{}\n", 3);
		spit(f->log, buf, n + 3);
		assert_int_equal(verify(f->log, keys[kk], 0, &brk), -EBADMSG);
		assert_int_equal(brk.fault, GW_AUDIT_AFTER_CLOSE);
		free(buf);
	}
}

static void swapped_records_are_detected(void **state)
{
	struct fx *f = *state;
	struct gw_audit_break brk;
	unsigned char *buf, *out;
	size_t n, starts[16], k;
	unsigned char *l2, *l3, *l4;

	write_log(f->log, NULL);
	buf = slurp(f->log, &n);
	out = malloc(n);
	l2 = (unsigned char *)strchr((char *)buf, '\n') + 1;
	l3 = (unsigned char *)strchr((char *)l2, '\n') + 1;
	l4 = (unsigned char *)strchr((char *)l3, '\n') + 1;
	memcpy(out, buf, (size_t)(l2 - buf));
	memcpy(out + (l2 - buf), l3, (size_t)(l4 - l3));
	memcpy(out + (l2 - buf) + (l4 - l3), l2, (size_t)(l3 - l2));
	memcpy(out + (l4 - buf), l4, n - (size_t)(l4 - buf));
	spit(f->log, out, n);
	assert_int_equal(verify(f->log, NULL, 0, &brk), -EBADMSG);
	assert_int_equal(brk.line, 2);
	assert_int_equal(brk.fault, GW_AUDIT_SEQ_GAP);
	free(buf);
	free(out);

	unlink(f->log);
	write_log(f->log, &f->key);
	buf = slurp(f->log, &n);
	out = malloc(n);
	k = frame_starts(buf, n, starts);
	assert_int_equal(k, 5);
	memcpy(out, buf, starts[1]);
	memcpy(out + starts[1], buf + starts[2], starts[3] - starts[2]);
	memcpy(out + starts[1] + (starts[3] - starts[2]), buf + starts[1],
	       starts[2] - starts[1]);
	memcpy(out + starts[3], buf + starts[3], n - starts[3]);
	spit(f->log, out, n);
	assert_int_equal(verify(f->log, &f->key, 0, &brk), -EBADMSG);
	assert_int_equal(brk.line, 2);
	assert_int_equal(brk.fault, GW_AUDIT_DECRYPT);
	free(buf);
	free(out);
}

static void a_spliced_chain_is_named(void **state)
{
	struct fx *f = *state;
	struct gw_audit_break brk;
	char other[160];
	unsigned char *a, *b, *out;
	size_t na, nb;
	char *a2, *b3, *b4;

	/* Line 3 of another log in place of line 3: same seq, other prev. */
	snprintf(other, sizeof(other), "%s/logs/other.jsonl", f->dir);
	write_log(f->log, NULL);
	write_log(other, NULL);
	a = slurp(f->log, &na);
	b = slurp(other, &nb);
	a2 = strchr(strchr((char *)a, '\n') + 1, '\n') + 1;
	b3 = strchr(strchr((char *)b, '\n') + 1, '\n') + 1;
	b4 = strchr(b3, '\n') + 1;
	out = malloc(na + nb);
	memcpy(out, a, (size_t)(a2 - (char *)a));
	memcpy(out + (a2 - (char *)a), b3, (size_t)(b4 - b3));
	spit(f->log, out, (size_t)(a2 - (char *)a) + (size_t)(b4 - b3));
	assert_int_equal(verify(f->log, NULL, 0, &brk), -EBADMSG);
	assert_int_equal(brk.line, 3);
	assert_int_equal(brk.fault, GW_AUDIT_PREV_MISMATCH);
	free(a);
	free(b);
	free(out);
}

static void keys_must_match_the_log(void **state)
{
	struct fx *f = *state;
	struct gw_audit_break brk;
	struct gw_audit_key wrong = f->key;
	struct gw_audit_reader *r;
	struct gw_error err = { 0 };

	write_log(f->log, &f->key);
	wrong.bytes[5] ^= 1;
	assert_int_equal(verify(f->log, &wrong, 0, &brk), -EBADMSG);
	assert_int_equal(brk.line, 1);
	assert_int_equal(brk.fault, GW_AUDIT_DECRYPT);
	assert_int_equal(gw_audit_reader_open(f->log, NULL, 0, &r, &brk, &err),
			 -ENOKEY);

	/* A plaintext log offered with a key is a downgrade. */
	unlink(f->log);
	write_log(f->log, NULL);
	assert_int_equal(verify(f->log, &f->key, 0, &brk), -EBADMSG);
	assert_int_equal(brk.fault, GW_AUDIT_BAD_HEADER);
}

static void reader_returns_records_in_order(void **state)
{
	struct fx *f = *state;
	struct gw_audit_reader *r;
	struct gw_audit_break brk;
	struct gw_error err = { 0 };
	const char *kinds[] = { "open", "fault", "fault", "fault", "close" };
	json_t *rec;
	int i = 0, e;

	write_log(f->log, &f->key);
	assert_int_equal(
		gw_audit_reader_open(f->log, &f->key, 0, &r, &brk, &err), 0);
	while ((e = gw_audit_reader_next(r, &rec, &brk, &err)) == 1) {
		assert_true(i < 5);
		assert_string_equal(
			json_string_value(json_object_get(rec, "kind")),
			kinds[i]);
		assert_int_equal(
			json_integer_value(json_object_get(rec, "seq")), i);
		json_decref(rec);
		i++;
	}
	assert_int_equal(e, 0);
	assert_int_equal(i, 5);
	gw_audit_reader_free(r);
}

static void appends_are_checked(void **state)
{
	struct fx *f = *state;
	struct gw_error err = { 0 };
	struct gw_audit *a;
	json_t *p = json_pack("{s:i}", "seq", 3);

	assert_int_equal(gw_audit_open(f->log, NULL, &a, &err), 0);
	assert_int_equal(gw_audit_append(a, "x", p, &err), -EINVAL);
	assert_int_equal(gw_audit_append(a, "Bad Kind", NULL, NULL), -EINVAL);
	assert_int_equal(gw_audit_append(a, "close", NULL, NULL), -EINVAL);
	assert_int_equal(gw_audit_append_text(a, "x", "[1]", 3, NULL), -EINVAL);
	assert_int_equal(gw_audit_append_text(a, "x", "{\"a\": 1}", 8, NULL),
			 0);
	assert_int_equal(gw_audit_count(a), 2);
	assert_int_equal(gw_audit_close(a, NULL), 0);
	json_decref(p);

	/* Never over an existing file, nor through a symlink. */
	assert_int_equal(gw_audit_open(f->log, NULL, &a, NULL), -EEXIST);
	assert_null(a);
}

static void folders_and_files_must_be_private(void **state)
{
	struct fx *f = *state;
	struct gw_error err = { 0 };
	struct gw_audit *a;
	char dir[160], path[200], link[200];

	snprintf(dir, sizeof(dir), "%s/open", f->dir);
	assert_int_equal(mkdir(dir, 0755), 0);
	chmod(dir, 0755);
	snprintf(path, sizeof(path), "%s/run.jsonl", dir);
	assert_int_equal(gw_audit_open(path, NULL, &a, &err), -EPERM);
	assert_non_null(strstr(err.msg, "mode 0755"));
	assert_int_equal(access(path, F_OK), -1);

	chmod(dir, 0700);
	snprintf(link, sizeof(link), "%s/link.jsonl", dir);
	assert_int_equal(symlink("/tmp/gw-audit-target", link), 0);
	assert_int_equal(gw_audit_open(link, NULL, &a, NULL), -EEXIST);
	assert_int_equal(access("/tmp/gw-audit-target", F_OK), -1);

	if (geteuid() == 0) {
		assert_int_equal(chown(dir, 65534, 65534), 0);
		gw_error_clear(&err);
		assert_int_equal(gw_audit_open(path, NULL, &a, &err), -EPERM);
		assert_non_null(strstr(err.msg, "owned by uid 65534"));
	}
}

static void key_files_are_checked(void **state)
{
	struct fx *f = *state;
	struct gw_audit_key key;
	struct gw_error err = { 0 };
	char path[160];
	unsigned char raw[32];

	snprintf(path, sizeof(path), "%s/hex.key", f->dir);
	spit(path,
	     (const unsigned char *)"000102030405060708090a0b0c0d0e0f"
				    "101112131415161718191a1b1c1d1e1f\n",
	     65);
	chmod(path, 0600);
	assert_int_equal(gw_audit_key_load(path, &key, &err), 0);
	assert_int_equal(key.bytes[31], 0x1f);

	chmod(path, 0640);
	assert_int_equal(gw_audit_key_load(path, &key, &err), -EPERM);
	assert_non_null(strstr(err.msg, "0640"));
	chmod(path, 0604);
	assert_int_equal(gw_audit_key_load(path, &key, NULL), -EPERM);

	for (int i = 0; i < 32; i++)
		raw[i] = (unsigned char)(0xff - i);
	spit(path, raw, sizeof(raw));
	chmod(path, 0600);
	assert_int_equal(gw_audit_key_load(path, &key, NULL), 0);
	assert_memory_equal(key.bytes, raw, 32);

	spit(path, raw, 31);
	assert_int_equal(gw_audit_key_load(path, &key, NULL), -EINVAL);

	snprintf(path, sizeof(path), "%s/keys/new.key", f->dir);
	assert_int_equal(gw_audit_key_generate(path, NULL), 0);
	assert_int_equal(gw_audit_key_load(path, &key, NULL), 0);
	assert_int_equal(gw_audit_key_generate(path, NULL), -EEXIST);
}

static struct gw_space *space(const char *body)
{
	struct gw_toml_value *doc = NULL;
	struct gw_error err = { 0 };
	struct gw_space *s = NULL;
	char text[2048];

	snprintf(text, sizeof(text), "[s]\n%s\n", body);
	assert_int_equal(gw_toml_parse(text, strlen(text), "<t>", &doc, &err),
			 0);
	assert_int_equal(
		gw_space_from_toml(gw_toml_get(doc, "s"), "s", &s, &err), 0);
	gw_toml_free(doc);
	return s;
}

/* The json of the record of kind, number nth (0-based), in path. */
static json_t *nth(const char *path, const struct gw_audit_key *key,
		   const char *kind, int nth_)
{
	struct gw_audit_reader *r;
	json_t *rec, *found = NULL;

	assert_int_equal(gw_audit_reader_open(path, key, 0, &r, NULL, NULL), 0);
	while (gw_audit_reader_next(r, &rec, NULL, NULL) == 1) {
		if (!found &&
		    strcmp(json_string_value(json_object_get(rec, "kind")),
			   kind) == 0 &&
		    nth_-- == 0)
			found = json_incref(rec);
		json_decref(rec);
	}
	gw_audit_reader_free(r);
	assert_non_null(found);
	return found;
}

static void recordings_decode_back(void **state)
{
	struct fx *f = *state;
	struct gw_space *as = space("type = \"Discrete\"\nn = 4");
	struct gw_space *os = space(
		"type = \"Dict\"\n[s.spaces.pos]\ntype = \"Box\"\nlow = -1\n"
		"high = 1\nshape = [2]\ndtype = \"float32\"\n"
		"[s.spaces.t]\ntype = \"Text\"\nmax_length = 4\n");
	struct gw_audit_opts opts = { .encrypt = true, .key = &f->key };
	struct gw_record *rec;
	struct gw_error err = { 0 };
	unsigned char obs[32] = { 0 };
	int64_t action = 3;
	float pos[2] = { 0.25f, -1.0f };
	uint64_t seed = 7;
	struct gw_step st = { .obs = obs, .obs_bytes = sizeof(obs) };
	json_t *env, *step, *v;
	char *text;

	memcpy(obs, pos, sizeof(pos));
	gw_put_le32(obs + 8, 2);
	memcpy(obs + 12, "hi", 2);
	assert_int_equal(
		gw_record_open(f->log, &opts, "Demo-v0", as, os, &rec, &err),
		0);
	assert_int_equal(
		gw_record_reset(rec, &seed, NULL, &st, "{\"a\": 1}", &err), 0);
	st.reward = 1.5;
	st.step = 1;
	st.terminated = true;
	assert_int_equal(
		gw_record_step(rec, &action, sizeof(action), &st, NULL, &err),
		0);
	assert_int_equal(gw_record_steps(rec), 1);
	assert_int_equal(gw_record_close(rec, &err), 0);

	env = nth(f->log, &f->key, "env", 0);
	step = nth(f->log, &f->key, "step", 0);
	assert_string_equal(json_string_value(json_object_get(env, "env")),
			    "Demo-v0");
	v = gw_record_decode(json_object_get(env, "observation_layout"),
			     json_object_get(step, "obs"));
	text = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER);
	assert_string_equal(text, "{\"pos\":[0.25,-1.0],\"t\":\"hi\"}");
	free(text);
	json_decref(v);
	v = gw_record_decode(json_object_get(env, "action_layout"),
			     json_object_get(step, "action"));
	assert_int_equal(json_integer_value(v), 3);
	json_decref(v);
	assert_true(json_is_true(json_object_get(step, "terminated")));

	json_decref(env);
	json_decref(step);
	gw_space_free(as);
	gw_space_free(os);
}

static void decode_refuses_samples_that_do_not_fit(void **state)
{
	json_t *layout = json_pack("{s:s, s:i, s:i, s:s, s:[i]}", "kind", "Box",
				   "offset", 0, "size", 8, "dtype", "float32",
				   "shape", 2);
	json_t *short_ = json_pack("{s:s}", "b64", "AAAA");
	json_t *junk = json_pack("{s:s}", "b64", "!!!!");
	json_t *ok = json_pack("{s:s}", "b64", "AAAAAAAAAAA=");

	(void)state;
	assert_null(gw_record_decode(layout, short_));
	assert_null(gw_record_decode(layout, junk));
	json_t *v = gw_record_decode(layout, ok);
	assert_non_null(v);
	assert_int_equal(json_array_size(v), 2);
	json_decref(v);
	json_object_set_new(layout, "offset", json_integer(-1));
	assert_null(gw_record_decode(layout, ok));
	json_decref(layout);
	json_decref(short_);
	json_decref(junk);
	json_decref(ok);
}

static void *append_many(void *arg)
{
	for (int i = 0; i < 200; i++) {
		json_t *p = json_pack("{s:i}", "i", i);

		assert_int_equal(gw_audit_append(arg, "tick", p, NULL), 0);
		json_decref(p);
	}
	return NULL;
}

static void threads_append_one_chain(void **state)
{
	struct fx *f = *state;
	struct gw_audit_opts opts = { .fsync_every = 16 };
	struct gw_audit_summary sum;
	struct gw_audit_break brk;
	struct gw_audit *a;
	pthread_t t[4];

	assert_int_equal(gw_audit_open(f->log, &opts, &a, NULL), 0);
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, append_many, a),
				 0);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(gw_audit_close(a, NULL), 0);
	assert_int_equal(
		gw_audit_verify(f->log, NULL, 0, NULL, NULL, &sum, &brk, NULL),
		0);
	assert_int_equal(sum.records, 802);
}

static void a_failed_write_ends_the_handle(void **state)
{
	struct fx *f = *state;
	struct gw_error err = { 0 };
	struct gw_audit_break brk;
	struct gw_audit *a;
	int full = open("/dev/full", O_WRONLY | O_CLOEXEC);

	if (full < 0)
		skip();
	assert_int_equal(gw_audit_open(f->log, NULL, &a, NULL), 0);
	assert_int_equal(gw_audit_append(a, "ok", NULL, NULL), 0);
	/* The disk fills up under the log. */
	assert_int_equal(dup2(full, a->fd), a->fd);
	close(full);
	assert_int_equal(gw_audit_append(a, "lost", NULL, &err), -ENOSPC);
	assert_int_equal(gw_audit_append(a, "later", NULL, NULL), -ENOSPC);
	assert_int_equal(gw_audit_count(a), 2);
	assert_int_equal(gw_audit_close(a, NULL), -ENOSPC);
	/* What reached the file is an intact log that was not closed. */
	assert_int_equal(verify(f->log, NULL, 0, &brk), -EBADMSG);
	assert_int_equal(brk.fault, GW_AUDIT_NOT_CLOSED);
	assert_int_equal(verify(f->log, NULL, GW_AUDIT_ALLOW_OPEN, &brk), 0);
}

static void an_oversized_record_is_refused(void **state)
{
	struct fx *f = *state;
	size_t n = GW_AUDIT_RECORD_MAX_BYTES;
	char *big = malloc(n + 1);
	struct gw_audit *a;
	json_t *p;

	memset(big, 'x', n);
	big[n] = '\0';
	p = json_pack("{s:s}", "blob", big);
	assert_int_equal(gw_audit_open(f->log, NULL, &a, NULL), 0);
	assert_int_equal(gw_audit_append(a, "big", p, NULL), -E2BIG);
	assert_int_equal(gw_audit_append(a, "small", NULL, NULL), 0);
	assert_int_equal(gw_audit_close(a, NULL), 0);
	json_decref(p);
	free(big);
}

#define T(f) cmocka_unit_test_setup_teardown(f, fx_setup, fx_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(chain_builds_and_verifies),
		T(every_byte_flip_in_plaintext_is_named),
		T(every_byte_flip_in_encrypted_log_is_named),
		T(truncation_at_every_byte_is_detected),
		T(swapped_records_are_detected),
		T(a_spliced_chain_is_named),
		T(keys_must_match_the_log),
		T(reader_returns_records_in_order),
		T(appends_are_checked),
		T(folders_and_files_must_be_private),
		T(key_files_are_checked),
		T(recordings_decode_back),
		T(decode_refuses_samples_that_do_not_fit),
		T(threads_append_one_chain),
		T(a_failed_write_ends_the_handle),
		T(an_oversized_record_is_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
