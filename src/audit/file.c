/*
 * The file rules of audit logs, recordings and their keys: a private
 * folder (ours, no group or world bits; made 0700 when missing), key
 * files that only we can read, and keys that never linger in memory.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/audit_priv.h"
#include "core/error.h"
#include "core/limits.h"

#define PATH_MAX_BYTES 4096u

/* mkdir -p of dir; the folders made here get mode 0700. */
static int make_dirs(char *dir, struct gw_error *err)
{
	size_t n = strlen(dir);

	for (size_t i = 1; i <= n; i++) {
		if (dir[i] != '/' && dir[i] != '\0')
			continue;
		dir[i] = '\0';
		if (mkdir(dir, 0700) < 0 && errno != EEXIST)
			return gw_error_set(err, -errno, "make folder %s: %s",
					    dir, strerror(errno));
		if (i < n)
			dir[i] = '/';
	}
	return 0;
}

/* Whether st is ours with no group or world bits; err says why not. */
static int check_private(const struct stat *st, const char *what,
			 const char *path, struct gw_error *err)
{
	if (st->st_uid != geteuid())
		return gw_error_set(err, -EPERM,
				    "%s %s is owned by uid %u, not by us (uid "
				    "%u): refused",
				    what, path, (unsigned)st->st_uid,
				    (unsigned)geteuid());
	if (st->st_mode & 077)
		return gw_error_set(err, -EPERM,
				    "%s %s is open to group or others (mode "
				    "%04o): refused; chmod %s it or use a "
				    "private one",
				    what, path, (unsigned)(st->st_mode & 07777),
				    S_ISDIR(st->st_mode) ? "700" : "600");
	return 0;
}

int gw_audit_private_dir(const char *path, const char **base,
			 struct gw_error *err)
{
	char dir[PATH_MAX_BYTES];
	const char *slash = strrchr(path, '/');
	struct stat st;
	int fd, r;

	*base = slash ? slash + 1 : path;
	if (!**base)
		return gw_error_set(err, -EINVAL, "%s names a folder", path);
	if (!slash) {
		snprintf(dir, sizeof(dir), ".");
	} else if (slash == path) {
		snprintf(dir, sizeof(dir), "/");
	} else {
		if ((size_t)(slash - path) >= sizeof(dir))
			return gw_error_set(err, -ENAMETOOLONG,
					    "path too long");
		memcpy(dir, path, (size_t)(slash - path));
		dir[slash - path] = '\0';
		r = make_dirs(dir, err);
		if (r < 0)
			return r;
	}

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return gw_error_set(err, -errno, "open folder %s: %s", dir,
				    strerror(errno));
	r = fstat(fd, &st) < 0 ? gw_error_set(err, -errno, "stat %s: %s", dir,
					      strerror(errno))
			       : check_private(&st, "folder", dir, err);
	if (r < 0) {
		close(fd);
		return r;
	}
	return fd;
}

/* Read a key file's bytes after checking who may read it. */
static int read_key_file(const char *path, uint8_t *buf, size_t cap,
			 size_t *len, struct gw_error *err)
{
	struct stat st;
	ssize_t n;
	int fd, r;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return gw_error_set(err, -errno, "open key %s: %s", path,
				    strerror(errno));
	if (fstat(fd, &st) < 0)
		r = gw_error_set(err, -errno, "stat: %s", strerror(errno));
	else if (!S_ISREG(st.st_mode))
		r = gw_error_set(err, -EINVAL, "key %s is not a regular file",
				 path);
	else
		r = check_private(&st, "key file", path, err);
	if (r == 0) {
		do
			n = read(fd, buf, cap);
		while (n < 0 && errno == EINTR);
		if (n < 0)
			r = gw_error_set(err, -errno, "read key %s: %s", path,
					 strerror(errno));
		else
			*len = (size_t)n;
	}
	close(fd);
	return r;
}

int gw_audit_key_load(const char *path, struct gw_audit_key *out,
		      struct gw_error *err)
{
	uint8_t buf[GW_AUDIT_KEYFILE_MAX_BYTES];
	size_t len = 0;
	int r;

	r = read_key_file(path, buf, sizeof(buf), &len, err);
	if (r == 0 && len == GW_AUDIT_KEY_BYTES) {
		memcpy(out->bytes, buf, GW_AUDIT_KEY_BYTES);
	} else if (r == 0) {
		if (len > 0 && buf[len - 1] == '\n')
			len--;
		if (gw_audit_unhex(out->bytes, GW_AUDIT_KEY_BYTES,
				   (const char *)buf, len) < 0)
			r = gw_error_set(err, -EINVAL,
					 "key %s is neither 32 raw bytes nor "
					 "64 hex digits",
					 path);
	}
	sodium_memzero(buf, sizeof(buf));
	if (r < 0)
		gw_audit_key_wipe(out);
	return r;
}

void gw_audit_key_wipe(struct gw_audit_key *key)
{
	if (key)
		sodium_memzero(key->bytes, sizeof(key->bytes));
}

int gw_audit_key_generate(const char *path, struct gw_error *err)
{
	struct gw_audit_key key;
	char hex[2 * GW_AUDIT_KEY_BYTES + 2];
	const char *base;
	ssize_t n;
	int dfd, fd;

	if (sodium_init() < 0)
		return gw_error_set(err, -EIO, "libsodium failed to start");
	dfd = gw_audit_private_dir(path, &base, err);
	if (dfd < 0)
		return dfd;
	fd = openat(dfd, base,
		    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	close(dfd);
	if (fd < 0)
		return gw_error_set(err, -errno, "create key %s: %s", path,
				    strerror(errno));
	randombytes_buf(key.bytes, sizeof(key.bytes));
	gw_audit_hex(hex, key.bytes, sizeof(key.bytes));
	hex[2 * GW_AUDIT_KEY_BYTES] = '\n';
	n = fchmod(fd, 0600) < 0 ? -1 : write(fd, hex, sizeof(hex) - 1);
	gw_audit_key_wipe(&key);
	sodium_memzero(hex, sizeof(hex));
	if (n != (ssize_t)sizeof(hex) - 1 || fsync(fd) < 0) {
		n = -errno;
		close(fd);
		unlinkat(AT_FDCWD, path, 0);
		return gw_error_set(err, n ? (int)n : -EIO, "write key %s",
				    path);
	}
	return close(fd) < 0 ? gw_error_set(err, -errno, "close key %s", path)
			     : 0;
}
