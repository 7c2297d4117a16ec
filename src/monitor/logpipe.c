/*
 * The worker's stdout and stderr: pipes the monitor drains whenever it
 * waits, so an environment that prints can neither block itself on a
 * full pipe nor reach the trainer's terminal unescaped. Every line is
 * escaped once, kept in a small ring for crash messages, and passed on
 * as a GW_EVENT_LOG while a token bucket allows; a flood is read and
 * counted at full speed but only a trickle of it is passed on.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "monitor/monitor_priv.h"

void gw_logpipe_init(struct gw_logpipe *lp, const char *name, int fd)
{
	memset(lp, 0, sizeof(*lp));
	lp->fd = fd;
	lp->name = name;
	lp->tokens = GW_LOGPIPE_BURST_LINES;
	lp->refill_ns = gw_shm_now_ns();
}

/* Whether one more line may be passed on now. */
static bool take_token(struct gw_logpipe *lp)
{
	uint64_t now = gw_shm_now_ns();

	lp->tokens +=
		(double)(now - lp->refill_ns) * GW_LOGPIPE_LINES_PER_SEC / 1e9;
	if (lp->tokens > GW_LOGPIPE_BURST_LINES)
		lp->tokens = GW_LOGPIPE_BURST_LINES;
	lp->refill_ns = now;
	if (lp->tokens < 1.0)
		return false;
	lp->tokens -= 1.0;
	return true;
}

/* Tell the caller once how many lines a flood cost, when it ebbs. */
static void report_dropped(struct gw_logpipe *lp, struct gw_env *e)
{
	char note[128];

	snprintf(note, sizeof(note), "[%s: %llu lines not shown so far]",
		 lp->name, (unsigned long long)lp->dropped);
	gw_env_emit(e, GW_EVENT_LOG, lp->name, note);
	lp->quiet_since_drop = 0;
}

/* What a cut line loses under a sanitize policy, at least. */
#define CUT_GUARD_BYTES 64u

static void end_line(struct gw_logpipe *lp, struct gw_env *e)
{
	char *slot = lp->tail[lp->next];
	const char *text = lp->line;
	size_t n, len = lp->len;

	/* A line cut at the buffer's end may end inside an entity the
	 * detector would no longer recognise: under a policy the last
	 * CUT_GUARD_BYTES go, back to a space, before anything is shown. */
	if (e->san && lp->overlong) {
		len = len > CUT_GUARD_BYTES ? len - CUT_GUARD_BYTES : 0;
		while (len && lp->line[len - 1] != ' ' &&
		       lp->line[len - 1] != '\t')
			len--;
	}
	/* Sanitized before it is kept anywhere, the tail included. */
	if (e->san &&
	    (text = gw_env_san_line(e, lp->line, len, &len)) == NULL) {
		lp->lines++;
		lp->len = 0;
		lp->overlong = false;
		return;
	}
	n = gw_escape(slot, GW_LOGPIPE_ESCAPED_MAX_BYTES, text, len);
	if (lp->overlong && n + 4 < GW_LOGPIPE_ESCAPED_MAX_BYTES)
		memcpy(slot + n, "...", 4);
	lp->next = (lp->next + 1) % GW_LOGPIPE_TAIL_LINES;
	if (lp->kept < GW_LOGPIPE_TAIL_LINES)
		lp->kept++;
	lp->lines++;
	lp->len = 0;
	lp->overlong = false;

	if (!take_token(lp)) {
		lp->dropped++;
		lp->quiet_since_drop = 0;
		return;
	}
	if (lp->dropped && lp->quiet_since_drop == 0)
		report_dropped(lp, e);
	lp->quiet_since_drop++;
	gw_env_emit(e, GW_EVENT_LOG, lp->name, slot);
}

/* Split n bytes read from the pipe into lines. */
static void take_bytes(struct gw_logpipe *lp, struct gw_env *e, const char *p,
		       size_t n)
{
	while (n) {
		const char *nl = memchr(p, '\n', n);
		size_t part = nl ? (size_t)(nl - p) : n;
		size_t room = sizeof(lp->line) - lp->len;
		size_t keep = part < room ? part : room;

		memcpy(lp->line + lp->len, p, keep);
		lp->len += keep;
		lp->overlong |= keep < part;
		if (!nl)
			return;
		end_line(lp, e);
		p = nl + 1;
		n -= part + 1;
	}
}

int gw_logpipe_drain(struct gw_logpipe *lp, struct gw_env *e)
{
	char buf[64 * 1024];
	size_t total = 0;
	ssize_t n;

	while (lp->fd >= 0 && total < GW_LOGPIPE_DRAIN_MAX_BYTES) {
		n = read(lp->fd, buf, sizeof(buf));
		if (n > 0) {
			lp->bytes += (uint64_t)n;
			total += (size_t)n;
			take_bytes(lp, e, buf, (size_t)n);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 0;
		gw_logpipe_close(lp, e);
		return 1;
	}
	return 0;
}

void gw_logpipe_close(struct gw_logpipe *lp, struct gw_env *e)
{
	if (lp->len || lp->overlong)
		end_line(lp, e);
	if (lp->dropped && lp->quiet_since_drop == 0)
		report_dropped(lp, e);
	if (lp->fd >= 0)
		close(lp->fd);
	lp->fd = -1;
}

size_t gw_logpipe_tail(const struct gw_logpipe *lp, size_t n, const char *sep,
		       char *buf, size_t cap)
{
	size_t len = 0, first;

	if (cap == 0)
		return 0;
	buf[0] = '\0';
	if (n > lp->kept)
		n = lp->kept;
	first = (lp->next + GW_LOGPIPE_TAIL_LINES - n) % GW_LOGPIPE_TAIL_LINES;
	for (size_t i = 0; i < n; i++) {
		const char *line =
			lp->tail[(first + i) % GW_LOGPIPE_TAIL_LINES];
		int w = snprintf(buf + len, cap - len, "%s%s", i ? sep : "",
				 line);

		if (w < 0 || (size_t)w >= cap - len) {
			len = cap - 1;
			break;
		}
		len += (size_t)w;
	}
	return len;
}
