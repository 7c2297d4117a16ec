/*
 * Logging and escaping. Every message reads
 * "gymwarden: <operation> <object>: <cause>", lower case, no final period.
 * Text from an environment, a package or any file we did not write is
 * passed through gw_escape before it reaches a terminal or a log.
 */
#ifndef GW_CORE_LOG_H
#define GW_CORE_LOG_H

#include <stddef.h>

enum gw_log_level {
	GW_LOG_ERROR,
	GW_LOG_WARN,
	GW_LOG_INFO,
	GW_LOG_DEBUG,
};

/* Messages above this level are dropped; default GW_LOG_WARN. */
void gw_log_set_level(enum gw_log_level level);

/* Write one line to stderr with the "gymwarden: " prefix. */
void gw_log(enum gw_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Copy len bytes of untrusted src into dst (cap bytes) so the result is
 * printable ASCII: backslash, quote, control bytes, DEL and bytes of
 * invalid UTF-8 become \\, \", \n, \t, \r or \xNN; valid UTF-8 sequences
 * above U+007F are kept except bidi controls, which become \u{XXXX}.
 * Output that does not fit is cut at a whole escape and ends in "...".
 * dst is always NUL-terminated when cap > 0. Returns the bytes written,
 * excluding the NUL.
 */
size_t gw_escape(char *dst, size_t cap, const char *src, size_t len);

#endif /* GW_CORE_LOG_H */
