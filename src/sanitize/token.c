/*
 * Keyed tokens: the hash token ("tok_", not reversible) and the
 * reversible one ("gwt_", XChaCha20-Poly1305), the key file, and
 * detokenize. Both tokens are deterministic under one key, so a value
 * can still be joined across records without being revealed.
 */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/limits.h"
#include "sanitize/sanitize_priv.h"

#define KDF_CONTEXT "gwsanit1"
#define TOKEN_AD    "gwt1"
#define NONCE_BYTES crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define TAG_BYTES   crypto_aead_xchacha20poly1305_ietf_ABYTES
#define HASH_BYTES  10u /* 80 bits: 16 base32 characters */
/* The shortest token: nonce, tag and one byte, in base64url. */
#define MIN_TOKEN_B64 (((NONCE_BYTES + TAG_BYTES + 1) * 4 + 2) / 3)

void gw_san_derive_keys(const struct gw_san_key *key, unsigned char *hash_key,
			unsigned char *nonce_key, unsigned char *enc_key)
{
	crypto_kdf_derive_from_key(hash_key, 32, 1, KDF_CONTEXT, key->bytes);
	crypto_kdf_derive_from_key(nonce_key, 32, 2, KDF_CONTEXT, key->bytes);
	crypto_kdf_derive_from_key(enc_key, 32, 3, KDF_CONTEXT, key->bytes);
}

int gw_san_hash_token(const struct gw_sanitizer *s, const char *p, size_t n,
		      struct gw_buf *out)
{
	static const char b32[] = "abcdefghijklmnopqrstuvwxyz234567";
	unsigned char h[HASH_BYTES];
	char text[4 + HASH_BYTES * 8 / 5];
	unsigned bits = 0, acc = 0;
	size_t k = 4;

	crypto_generichash(h, sizeof(h), (const unsigned char *)p, n,
			   s->hash_key, sizeof(s->hash_key));
	memcpy(text, "tok_", 4);
	for (size_t i = 0; i < sizeof(h); i++) {
		acc = (acc << 8) | h[i];
		bits += 8;
		while (bits >= 5) {
			text[k++] = b32[(acc >> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	return gw_buf_append(out, text, k);
}

int gw_san_encrypt_token(const struct gw_sanitizer *s, const char *p, size_t n,
			 struct gw_buf *out)
{
	size_t blen = NONCE_BYTES + n + TAG_BYTES;
	size_t tlen = sodium_base64_ENCODED_LEN(
		blen, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	unsigned char *bin;
	char *text;
	unsigned long long clen;
	int r;

	if (n > GW_SAN_ENTITY_MAX_BYTES)
		return -E2BIG;
	bin = malloc(blen);
	text = malloc(tlen + 5);
	if (!bin || !text) {
		free(bin);
		free(text);
		return -ENOMEM;
	}
	/* A keyed hash of the value as nonce: deterministic, SIV-like. */
	crypto_generichash(bin, NONCE_BYTES, (const unsigned char *)p, n,
			   s->nonce_key, sizeof(s->nonce_key));
	crypto_aead_xchacha20poly1305_ietf_encrypt(
		bin + NONCE_BYTES, &clen, (const unsigned char *)p, n,
		(const unsigned char *)TOKEN_AD, 4, NULL, bin, s->enc_key);
	memcpy(text, "gwt_", 4);
	sodium_bin2base64(text + 4, tlen, bin, blen,
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	r = gw_buf_append(out, text, 4 + strlen(text + 4));
	if (r == 0)
		r = gw_buf_append(out, ".", 1);
	free(bin);
	free(text);
	return r;
}

static bool is_b64url(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/* Decrypt the base64url text of one token and append the original. */
static int open_token(const unsigned char *enc_key, const char *b64, size_t n,
		      struct gw_buf *out)
{
	size_t cap = n * 3 / 4 + 3, blen;
	unsigned char *bin = malloc(cap);
	unsigned char *msg = NULL;
	unsigned long long mlen;
	int r = -EBADMSG;

	if (!bin)
		return -ENOMEM;
	if (sodium_base642bin(bin, cap, b64, n, NULL, &blen, NULL,
			      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    blen < NONCE_BYTES + TAG_BYTES + 1)
		goto out;
	msg = malloc(blen);
	if (!msg) {
		r = -ENOMEM;
		goto out;
	}
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(
		    msg, &mlen, NULL, bin + NONCE_BYTES, blen - NONCE_BYTES,
		    (const unsigned char *)TOKEN_AD, 4, bin, enc_key) != 0)
		goto out;
	r = gw_buf_append(out, msg, (size_t)mlen);
out:
	if (msg)
		sodium_memzero(msg, blen);
	free(msg);
	free(bin);
	return r;
}

int gw_sanitize_detokenize(const struct gw_san_key *key, const char *in,
			   size_t len, struct gw_buf *out, size_t *tokens,
			   struct gw_error *err)
{
	unsigned char hk[32], nk[32], ek[32];
	size_t prev = 0, i = 0, count = 0, bad = 0, mark;
	int r = 0;

	if (sodium_init() < 0)
		return gw_error_set(err, -ENOMEM, "libsodium did not start");
	gw_san_derive_keys(key, hk, nk, ek);
	while (r == 0 && i + 4 <= len) {
		const char *hit = memmem(in + i, len - i, "gwt_", 4);
		size_t st, e;

		if (!hit)
			break;
		st = (size_t)(hit - in);
		i = st + 4;
		for (e = i; e < len && is_b64url(in[e]); e++)
			;
		if (e - i < MIN_TOKEN_B64)
			continue;
		mark = out->len;
		r = gw_buf_append(out, in + prev, st - prev);
		if (r == 0)
			r = e < len && in[e] == '.'
				    ? open_token(ek, in + i, e - i, out)
				    : -EBADMSG;
		if (r == -EBADMSG) {
			/* "xgwt_ab" + a token: try the "gwt_" inside. */
			const char *again = memmem(in + i, e - i, "gwt_", 4);

			out->len = mark;
			if (again) {
				r = 0;
				i = (size_t)(again - in);
				continue;
			}
			bad = st + 1;
			break;
		}
		prev = e + 1;
		i = prev;
		count++;
	}
	if (r == 0)
		r = gw_buf_append(out, in + prev, len - prev);
	sodium_memzero(hk, sizeof(hk));
	sodium_memzero(nk, sizeof(nk));
	sodium_memzero(ek, sizeof(ek));
	if (tokens)
		*tokens = count;
	if (r == -EBADMSG) {
		gw_error_set(err, r,
			     "token fails authentication (wrong key, or "
			     "changed or cut)");
		if (err)
			err->col = (unsigned)bad;
		return r;
	}
	if (r < 0)
		return gw_error_set(err, r, "out of memory or output too long");
	return 0;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
		return (c | 0x20) - 'a' + 10;
	return -1;
}

static int parse_key(const unsigned char *buf, size_t n, struct gw_san_key *key)
{
	if (n == GW_SAN_KEY_BYTES) {
		memcpy(key->bytes, buf, n);
		return 0;
	}
	if (n > 0 && buf[n - 1] == '\n')
		n--;
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	if (n != 2 * GW_SAN_KEY_BYTES)
		return -EINVAL;
	for (size_t i = 0; i < GW_SAN_KEY_BYTES; i++) {
		int hi = hex_value((char)buf[2 * i]);
		int lo = hex_value((char)buf[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		key->bytes[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

int gw_sanitize_key_load(const char *path, struct gw_san_key *key,
			 struct gw_error *err)
{
	unsigned char buf[GW_SAN_KEY_FILE_MAX_BYTES + 1];
	struct stat st;
	ssize_t n;
	int fd, r;

	gw_error_where(err, path, NULL);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return gw_error_set(err, -errno, "cannot open key file: %s",
				    strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return gw_error_set(err, -EPERM,
				    "key file is not a regular "
				    "file");
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		close(fd);
		return gw_error_set(err, -EPERM,
				    "key file is open to group or others "
				    "(mode %04o); run chmod 600 on it",
				    (unsigned)(st.st_mode & 07777));
	}
	n = read(fd, buf, sizeof(buf));
	r = n < 0 ? -errno : 0;
	close(fd);
	if (r < 0)
		return gw_error_set(err, r, "cannot read key file: %s",
				    strerror(-r));
	r = parse_key(buf, (size_t)n, key);
	sodium_memzero(buf, sizeof(buf));
	if (r < 0)
		return gw_error_set(err, -EINVAL,
				    "key file must hold 32 raw bytes or 64 "
				    "hex digits");
	return 0;
}
