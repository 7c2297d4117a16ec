/*
 * Lines of the observe hook (python/gymwarden/observe.py). The hook
 * runs inside the worker, beside the environment's code, so what it
 * says is the environment's own account: parsed strictly, escaped again,
 * and reported as env-reported evidence, never as proof.
 *
 *   gymwarden-observe: EVENT step=N reset=R key=value key=value...
 *
 * EVENT is an audit event name ([A-Za-z0-9_.]); values are
 * percent-encoded, so a line never holds a space, quote or backslash of
 * its own.
 */
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "fuzz/fuzz.h"

static const struct {
	const char *event;
	enum gw_fuzz_severity severity;
} severities[] = {
	{ "open", GW_FUZZ_HIGH },
	{ "socket.__new__", GW_FUZZ_HIGH },
	{ "socket.connect", GW_FUZZ_HIGH },
	{ "socket.bind", GW_FUZZ_HIGH },
	{ "socket.sendto", GW_FUZZ_HIGH },
	{ "socket.getaddrinfo", GW_FUZZ_HIGH },
	{ "os.exec", GW_FUZZ_HIGH },
	{ "os.posix_spawn", GW_FUZZ_HIGH },
	{ "os.spawn", GW_FUZZ_HIGH },
	{ "os.system", GW_FUZZ_HIGH },
	{ "os.fork", GW_FUZZ_MEDIUM },
	{ "subprocess.Popen", GW_FUZZ_HIGH },
	{ "os.kill", GW_FUZZ_HIGH },
	{ "os.killpg", GW_FUZZ_HIGH },
	{ "ctypes.dlopen", GW_FUZZ_LOW },
	{ "os.listdir", GW_FUZZ_LOW },
	{ "os.scandir", GW_FUZZ_LOW },
};

static enum gw_fuzz_severity severity_of(const char *event)
{
	for (size_t i = 0; i < sizeof(severities) / sizeof(severities[0]); i++)
		if (strcmp(severities[i].event, event) == 0)
			return severities[i].severity;
	return GW_FUZZ_MEDIUM;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9'   ? c - '0'
	       : c >= 'a' && c <= 'f' ? c - 'a' + 10
	       : c >= 'A' && c <= 'F' ? c - 'A' + 10
				      : -1;
}

/* Percent-decode len bytes of s into out (cap bytes); its length. */
static size_t decode(const char *s, size_t len, char *out, size_t cap)
{
	size_t n = 0;

	for (size_t i = 0; i < len && n + 1 < cap; i++) {
		int hi, lo;

		if (s[i] == '%' && i + 2 < len &&
		    (hi = hexval(s[i + 1])) >= 0 &&
		    (lo = hexval(s[i + 2])) >= 0) {
			out[n++] = (char)(hi << 4 | lo);
			i += 2;
		} else {
			out[n++] = s[i];
		}
	}
	out[n] = '\0';
	return n;
}

static bool event_ok(const char *s, size_t n)
{
	if (!n || n >= 64)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_' ||
		      s[i] == '.'))
			return false;
	return true;
}

/*
 * "KEY=N" of n bytes at p into *out (when N is a count); whether it was
 * that key.
 */
static bool counter(const char *p, size_t n, const char *key, int64_t *out)
{
	size_t k = strlen(key);
	long long v = 0;

	if (n <= k || strncmp(p, key, k) != 0)
		return false;
	if (sscanf(p + k, "%lld", &v) == 1 && v >= 0)
		*out = v;
	return true;
}

bool gw_fuzz_parse_observe(const char *line, struct gw_fuzz_attempt *out)
{
	static const char prefix[] = GW_FUZZ_OBSERVE_PREFIX;
	char raw[1024], dec[1024];
	const char *p = line;
	size_t n, used = 0;

	if (strncmp(p, prefix, sizeof(prefix) - 1) != 0)
		return false;
	p += sizeof(prefix) - 1;
	n = strcspn(p, " ");
	if (!event_ok(p, n))
		return false;
	memset(out, 0, sizeof(*out));
	memcpy(out->event, p, n);
	out->step = out->reset = -1;
	out->severity = severity_of(out->event);
	p += n;

	raw[0] = '\0';
	while (*p == ' ') {
		p++;
		n = strcspn(p, " ");
		if (counter(p, n, "step=", &out->step) ||
		    counter(p, n, "reset=", &out->reset)) {
			/* a count of the hook's, not an argument */
		} else if (n && used + n + 2 < sizeof(raw)) {
			used += (size_t)snprintf(raw + used, sizeof(raw) - used,
						 "%s%.*s", used ? " " : "",
						 (int)n, p);
		}
		p += n;
	}
	n = decode(raw, used, dec, sizeof(dec));
	gw_escape(out->args, sizeof(out->args), dec, n);
	return true;
}
