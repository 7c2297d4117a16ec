#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/error.h"

void gw_buf_init(struct gw_buf *b, size_t max_bytes)
{
	b->data = NULL;
	b->len = 0;
	b->alloc = 0;
	b->max_bytes = max_bytes;
}

static int reserve(struct gw_buf *b, size_t extra)
{
	size_t want, alloc;
	char *p;

	if (extra > b->max_bytes || b->len > b->max_bytes - extra)
		return -E2BIG;
	want = b->len + extra + 1;
	if (want <= b->alloc)
		return 0;

	alloc = b->alloc ? b->alloc : 64;
	while (alloc < want)
		alloc = alloc > SIZE_MAX / 2 ? want : alloc * 2;
	p = realloc(b->data, alloc);
	if (!p)
		return -ENOMEM;
	b->data = p;
	b->alloc = alloc;
	return 0;
}

int gw_buf_append(struct gw_buf *b, const void *p, size_t n)
{
	int r = reserve(b, n);

	if (r < 0)
		return r;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int gw_buf_printf(struct gw_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n, r;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -EINVAL;

	r = reserve(b, (size_t)n);
	if (r < 0)
		return r;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

char *gw_buf_steal(struct gw_buf *b, size_t *len)
{
	char *p = b->data;

	if (!p)
		p = calloc(1, 1);
	if (len)
		*len = b->len;
	b->data = NULL;
	b->len = 0;
	b->alloc = 0;
	return p;
}

void gw_buf_free(struct gw_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->alloc = 0;
}

int gw_buf_read_file(struct gw_buf *b, const char *path, struct gw_error *err)
{
	char chunk[65536];
	int fd, r = 0;
	ssize_t n;

	fd = strcmp(path, "-") == 0 ? STDIN_FILENO
				    : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		gw_error_where(err, path, NULL);
		return gw_error_set(err, r, "cannot open: %s", strerror(-r));
	}

	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = gw_error_set(err, -errno, "read failed: %s",
					 strerror(errno));
			break;
		}
		if (n == 0)
			break;
		r = gw_buf_append(b, chunk, (size_t)n);
		if (r == -E2BIG) {
			r = gw_error_set(err, -EFBIG,
					 "larger than the limit of %zu bytes",
					 b->max_bytes);
			break;
		}
		if (r < 0) {
			gw_error_set(err, r, "out of memory");
			break;
		}
	}
	if (r == 0 && !b->data)
		r = gw_buf_append(b, "", 0);
	if (r < 0)
		gw_error_where(err, path, NULL);
	if (fd != STDIN_FILENO)
		close(fd);
	return r;
}
