/*
 * Growable byte buffers with a hard cap fixed when they are made. Growth
 * past the cap fails with -E2BIG and leaves the buffer as it was.
 */
#ifndef GW_CORE_BUF_H
#define GW_CORE_BUF_H

#include <stddef.h>

struct gw_buf {
	char *data; /* NUL-terminated while len < cap; owned */
	size_t len;
	size_t alloc;
	size_t max_bytes; /* hard cap on len */
};

/* An empty buffer that will never hold more than max_bytes. */
void gw_buf_init(struct gw_buf *b, size_t max_bytes);

/* Append n bytes; 0, -E2BIG past the cap, or -ENOMEM. */
int gw_buf_append(struct gw_buf *b, const void *p, size_t n);

/* Append formatted text; same returns as gw_buf_append. */
int gw_buf_printf(struct gw_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Hand the data to the caller (who frees it) and empty the buffer. */
char *gw_buf_steal(struct gw_buf *b, size_t *len);

/* Release the data; the buffer may be reused after gw_buf_init. */
void gw_buf_free(struct gw_buf *b);

/*
 * Read the whole of path (or standard input when path is "-") into b,
 * failing with -EFBIG when it holds more than b's cap. The error names
 * the file.
 */
struct gw_error;
int gw_buf_read_file(struct gw_buf *b, const char *path, struct gw_error *err);

#endif /* GW_CORE_BUF_H */
