/*
 * Writing an audit log: the file made private, the open record, one
 * write() per record, fdatasync every fsync_every records and on close,
 * the close record (sealed with TAG_FINAL when encrypted).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/audit_priv.h"
#include "core/error.h"
#include "core/limits.h"

#define SS_ABYTES crypto_secretstream_xchacha20poly1305_ABYTES
#define SS_HEADER crypto_secretstream_xchacha20poly1305_HEADERBYTES

/* A whole buffer in one write(); anything short ends the handle. */
static int write_all_once(struct gw_audit *a, const void *p, size_t n,
			  struct gw_error *err)
{
	ssize_t w;

	do
		w = write(a->fd, p, n);
	while (w < 0 && errno == EINTR);
	if (w == (ssize_t)n)
		return 0;
	a->failed = w < 0 ? -errno : -EIO;
	return gw_error_set(err, a->failed, "write %s: %s", a->path,
			    w < 0 ? strerror(-a->failed) : "short write");
}

/* Seal line (without its newline) as one frame and write it. */
static int write_frame(struct gw_audit *a, const char *line, size_t n,
		       uint8_t tag, const uint8_t *prefix, size_t prefix_len,
		       struct gw_error *err)
{
	size_t total = prefix_len + GW_AUDIT_FRAME_LEN_BYTES + n + SS_ABYTES;
	uint8_t *frame = malloc(total), *len_at;
	uint32_t clen = (uint32_t)(n + SS_ABYTES);
	int r;

	if (!frame)
		return gw_error_set(err, -ENOMEM, "out of memory");
	if (prefix_len)
		memcpy(frame, prefix, prefix_len);
	len_at = frame + prefix_len;
	for (unsigned i = 0; i < GW_AUDIT_FRAME_LEN_BYTES; i++)
		len_at[i] = (uint8_t)(clen >> (8 * i));
	crypto_secretstream_xchacha20poly1305_push(
		&a->ss, len_at + GW_AUDIT_FRAME_LEN_BYTES, NULL,
		(const uint8_t *)line, n, NULL, 0, tag);
	r = write_all_once(a, frame, total, err);
	free(frame);
	return r;
}

static int sync_now(struct gw_audit *a, struct gw_error *err)
{
	a->unsynced = 0;
	if (fdatasync(a->fd) == 0)
		return 0;
	a->failed = -errno;
	return gw_error_set(err, a->failed, "fdatasync %s: %s", a->path,
			    strerror(errno));
}

/* Build, write and chain one record; the caller holds the mutex. */
static int put(struct gw_audit *a, const char *kind, const json_t *payload,
	       uint8_t tag, const uint8_t *prefix, size_t prefix_len,
	       struct gw_error *err)
{
	char hash[GW_AUDIT_HEX_BYTES + 1];
	struct gw_buf line;
	int r;

	if (a->failed)
		return gw_error_set(err, a->failed,
				    "log %s failed earlier; nothing more is "
				    "written to it",
				    a->path);
	if (!gw_audit_kind_ok(kind))
		return gw_error_set(err, -EINVAL,
				    "record kind must be 1..64 bytes of "
				    "[a-z0-9_.-]");
	gw_buf_init(&line, GW_AUDIT_RECORD_MAX_BYTES);
	r = gw_audit_build_line(&line, a->seq, a->prev, kind, payload, hash,
				err);
	if (r == 0 && a->encrypted)
		r = write_frame(a, line.data, line.len - 1, tag, prefix,
				prefix_len, err);
	else if (r == 0)
		r = write_all_once(a, line.data, line.len, err);
	gw_buf_free(&line);
	if (r < 0)
		return r;

	a->seq++;
	memcpy(a->prev, hash, sizeof(hash));
	if (++a->unsynced >= a->fsync_every)
		return sync_now(a, err);
	return 0;
}

static int create_file(struct gw_audit *a, const char *path,
		       struct gw_error *err)
{
	const char *base;
	int dfd;

	dfd = gw_audit_private_dir(path, &base, err);
	if (dfd < 0)
		return dfd;
	a->fd = openat(dfd, base,
		       O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_NOFOLLOW |
			       O_CLOEXEC,
		       0600);
	close(dfd);
	if (a->fd < 0 && errno == EEXIST)
		return gw_error_set(err, -EEXIST,
				    "%s exists: logs are never overwritten or "
				    "appended to; choose a new name",
				    path);
	if (a->fd < 0)
		return gw_error_set(err, -errno, "create %s: %s", path,
				    strerror(errno));
	if (fchmod(a->fd, 0600) < 0)
		return gw_error_set(err, -errno, "chmod %s: %s", path,
				    strerror(errno));
	return 0;
}

/* Take the key from opts and start the stream; the key is wiped here. */
static int start_stream(struct gw_audit *a, const struct gw_audit_opts *opts,
			uint8_t header[SS_HEADER], struct gw_error *err)
{
	struct gw_audit_key key;
	int r = 0;

	if (opts->key)
		key = *opts->key;
	else
		r = gw_audit_key_load(opts->key_path, &key, err);
	if (r < 0)
		return r;
	crypto_secretstream_xchacha20poly1305_init_push(&a->ss, header,
							key.bytes);
	gw_audit_key_wipe(&key);
	a->encrypted = true;
	return 0;
}

static int write_open_record(struct gw_audit *a,
			     const struct gw_audit_opts *opts,
			     struct gw_error *err)
{
	uint8_t id[GW_AUDIT_LOG_ID_BYTES],
		prefix[GW_AUDIT_MAGIC_BYTES + SS_HEADER];
	char id_hex[2 * GW_AUDIT_LOG_ID_BYTES + 1];
	const char *purpose = opts->purpose ? opts->purpose : "audit";
	json_t *payload;
	int r = 0;

	memcpy(prefix, GW_AUDIT_MAGIC, GW_AUDIT_MAGIC_BYTES);
	if (opts->encrypt)
		r = start_stream(a, opts, prefix + GW_AUDIT_MAGIC_BYTES, err);
	if (r < 0)
		return r;
	randombytes_buf(id, sizeof(id));
	gw_audit_hex(id_hex, id, sizeof(id));
	gw_audit_genesis(a->prev, id);
	payload = json_pack("{s:s, s:i, s:s, s:s, s:b, s:I}", "format",
			    GW_AUDIT_FORMAT, "format_version",
			    GW_AUDIT_FORMAT_VERSION, "purpose", purpose,
			    "log_id", id_hex, "encrypted", a->encrypted,
			    "fsync_every", (json_int_t)a->fsync_every);
	if (!payload)
		return gw_error_set(err, -ENOMEM, "out of memory");
	r = put(a, "open", payload, 0, prefix,
		a->encrypted ? sizeof(prefix) : 0, err);
	json_decref(payload);
	return r;
}

static int check_opts(const struct gw_audit_opts *opts, struct gw_error *err)
{
	bool has_key = opts->key || opts->key_path;

	if (opts->encrypt && !has_key)
		return gw_error_set(err, -EINVAL, "encryption needs a key");
	if (!opts->encrypt && has_key)
		return gw_error_set(err, -EINVAL,
				    "a key was given but encryption is off");
	if (opts->purpose && strcmp(opts->purpose, "audit") != 0 &&
	    strcmp(opts->purpose, "recording") != 0)
		return gw_error_set(err, -EINVAL,
				    "purpose must be audit or recording");
	return 0;
}

int gw_audit_open(const char *path, const struct gw_audit_opts *opts,
		  struct gw_audit **out, struct gw_error *err)
{
	static const struct gw_audit_opts none;
	struct gw_audit *a;
	int r;

	*out = NULL;
	opts = opts ? opts : &none;
	r = check_opts(opts, err);
	if (r < 0)
		return r;
	if (sodium_init() < 0)
		return gw_error_set(err, -EIO, "libsodium failed to start");
	a = calloc(1, sizeof(*a));
	if (!a)
		return gw_error_set(err, -ENOMEM, "out of memory");
	a->fd = -1;
	a->fsync_every = opts->fsync_every ? opts->fsync_every
					   : GW_AUDIT_FSYNC_EVERY_DEFAULT;
	snprintf(a->path, sizeof(a->path), "%s", path);
	pthread_mutex_init(&a->mu, NULL);

	r = create_file(a, path, err);
	if (r == 0)
		r = write_open_record(a, opts, err);
	if (r < 0) {
		gw_error_where(err, path, NULL);
		if (a->fd >= 0) {
			close(a->fd);
			unlink(path);
		}
		a->fd = -1;
		gw_audit_close(a, NULL);
		return r;
	}
	*out = a;
	return 0;
}

int gw_audit_append(struct gw_audit *a, const char *kind, json_t *payload,
		    struct gw_error *err)
{
	int r;

	if (!a)
		return gw_error_set(err, -EINVAL, "no audit log");
	if (kind && (strcmp(kind, "open") == 0 || strcmp(kind, "close") == 0))
		return gw_error_set(err, -EINVAL,
				    "record kind '%s' is the log's own", kind);
	pthread_mutex_lock(&a->mu);
	r = put(a, kind, payload, 0, NULL, 0, err);
	pthread_mutex_unlock(&a->mu);
	return r;
}

int gw_audit_append_text(struct gw_audit *a, const char *kind,
			 const char *json_object, size_t len,
			 struct gw_error *err)
{
	json_error_t jerr;
	json_t *payload;
	int r;

	if (len > GW_AUDIT_RECORD_MAX_BYTES)
		return gw_error_set(err, -E2BIG, "payload over the cap");
	payload = json_loadb(json_object, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!payload || !json_is_object(payload)) {
		json_decref(payload);
		return gw_error_set(err, -EINVAL,
				    "payload is not a JSON object: %s",
				    payload ? "another value" : jerr.text);
	}
	r = gw_audit_append(a, kind, payload, err);
	json_decref(payload);
	return r;
}

uint64_t gw_audit_count(const struct gw_audit *a)
{
	return a ? a->seq : 0;
}

int gw_audit_close(struct gw_audit *a, struct gw_error *err)
{
	json_t *payload;
	int r = 0;

	if (!a)
		return 0;
	if (a->fd >= 0) {
		payload = json_pack("{s:I}", "records", (json_int_t)a->seq + 1);
		r = put(a, "close", payload,
			crypto_secretstream_xchacha20poly1305_TAG_FINAL, NULL,
			0, err);
		json_decref(payload);
		if (r == 0)
			r = sync_now(a, err);
		if (close(a->fd) < 0 && r == 0)
			r = gw_error_set(err, -errno, "close %s: %s", a->path,
					 strerror(errno));
	}
	if (r == 0 && a->failed)
		r = a->failed;
	pthread_mutex_destroy(&a->mu);
	sodium_memzero(&a->ss, sizeof(a->ss));
	free(a);
	return r;
}
