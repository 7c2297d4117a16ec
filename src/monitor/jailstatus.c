/*
 * The launcher's status pipe, read by the monitor. Before the worker
 * runs, spawn.c reads it up to `ready` (or `fail`); after that it is
 * drained without blocking whenever a forbidden call may have been
 * answered with EPERM, and to its end once the worker is gone, when the
 * launcher has said whether a limit or a violation ended it. The line
 * formats are in src/jail/launcher.h; the launcher is the only writer,
 * but it is outside the trust boundary's inner side only in the sense
 * that a broken line must not crash us: every line is parsed strictly
 * and unknown ones are ignored.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "monitor/monitor.h"
#include "monitor/monitor_priv.h"

/* Split off the first space-separated word of *s; "" at the end. */
static char *word(char **s)
{
	char *w = *s, *sp = strchr(w, ' ');

	if (sp) {
		*sp = '\0';
		*s = sp + 1;
	} else {
		*s = w + strlen(w);
	}
	return w;
}

static int number(const char *s, long *out)
{
	char *end;

	if (!*s)
		return -EPROTO;
	errno = 0;
	*out = strtol(s, &end, 10);
	return errno || *end ? -EPROTO : 0;
}

int gw_jail_line_parse(char *line, struct gw_jail_line *out)
{
	static const struct {
		const char *key;
		int kind;
	} keys[] = {
		{ "layers", GW_JAIL_LINE_LAYERS },
		{ "missing", GW_JAIL_LINE_MISSING },
		{ "cgroup", GW_JAIL_LINE_CGROUP },
		{ "ready", GW_JAIL_LINE_READY },
		{ "fail", GW_JAIL_LINE_FAIL },
		{ "violation", GW_JAIL_LINE_VIOLATION },
		{ "limit", GW_JAIL_LINE_LIMIT },
		{ "end", GW_JAIL_LINE_END },
	};
	char *rest = line, *key = word(&rest);
	int kind = GW_JAIL_LINE_UNKNOWN;

	memset(out, 0, sizeof(*out));
	out->word = out->action = out->detail = "";
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strcmp(key, keys[i].key) == 0)
			kind = keys[i].kind;

	switch (kind) {
	case GW_JAIL_LINE_READY:
		if (*rest)
			return -EPROTO;
		break;
	case GW_JAIL_LINE_LAYERS:
	case GW_JAIL_LINE_MISSING:
	case GW_JAIL_LINE_CGROUP: out->word = rest; break;
	case GW_JAIL_LINE_FAIL:
		out->word = word(&rest);
		if (!*out->word || number(rest, &out->number) < 0)
			return -EPROTO;
		break;
	case GW_JAIL_LINE_VIOLATION:
		out->word = word(&rest);
		if (number(word(&rest), &out->number) < 0)
			return -EPROTO;
		out->action = word(&rest);
		out->detail = rest;
		if (!*out->word || (strcmp(out->action, "errno") != 0 &&
				    strcmp(out->action, "kill") != 0))
			return -EPROTO;
		break;
	case GW_JAIL_LINE_LIMIT:
		out->word = word(&rest);
		out->detail = rest;
		if (!*out->word)
			return -EPROTO;
		break;
	case GW_JAIL_LINE_END:
		out->word = word(&rest);
		if ((strcmp(out->word, "exit") != 0 &&
		     strcmp(out->word, "signal") != 0) ||
		    number(rest, &out->number) < 0)
			return -EPROTO;
		break;
	default: return -EPROTO;
	}
	out->kind = kind;
	return 0;
}

static void keep(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src);
}

/* A violation or a limit, as the event the caller gets. */
static void pass_on(struct gw_env *e, enum gw_event_kind kind,
		    const struct gw_jail_line *l)
{
	struct gw_event ev = {
		.kind = kind,
		.env_id = e->id,
		.instance = e->instance,
		.step = e->at_step,
		.field = "",
		.detail = l->detail,
		.name = l->word,
		.action = l->action,
	};

	if (e->on_event)
		e->on_event(e->event_arg, &ev);
}

static void on_violation(struct gw_env *e, const struct gw_jail_line *l)
{
	bool kill = strcmp(l->action, "kill") == 0;

	if (kill && !e->jail.kill_violation[0]) {
		snprintf(e->jail.kill_violation, sizeof(e->jail.kill_violation),
			 "%s%s%s", l->word, l->detail[0] ? " " : "", l->detail);
		keep(e->jail.kill_syscall, sizeof(e->jail.kill_syscall),
		     l->word);
	}
	gw_log(kill ? GW_LOG_ERROR : GW_LOG_WARN, "%s#%llu: sandbox %s %s%s%s",
	       e->id, (unsigned long long)e->instance,
	       kill ? "killed the worker for" : "refused", l->word,
	       l->detail[0] ? " " : "", l->detail);
	pass_on(e, GW_EVENT_VIOLATION, l);
}

static void on_limit(struct gw_env *e, const struct gw_jail_line *l)
{
	if (!e->jail.limit[0]) {
		keep(e->jail.limit, sizeof(e->jail.limit), l->word);
		keep(e->jail.limit_detail, sizeof(e->jail.limit_detail),
		     l->detail);
	}
	gw_log(GW_LOG_ERROR, "%s#%llu: %s limit: %s", e->id,
	       (unsigned long long)e->instance, l->word, l->detail);
	pass_on(e, GW_EVENT_LIMIT, l);
}

json_t *gw_jail_list_json(const char *list)
{
	json_t *a = json_array();

	for (const char *p = list; a && p && *p;) {
		size_t n = strcspn(p, ",");

		json_array_append_new(a, json_stringn(p, n));
		p += n + (p[n] == ',');
	}
	return a;
}

void gw_jail_limit(struct gw_env *e, const char *which, const char *detail)
{
	struct gw_jail_line l = {
		.kind = GW_JAIL_LINE_LIMIT,
		.word = which,
		.action = "",
		.detail = detail,
	};

	on_limit(e, &l);
}

static void act(struct gw_env *e, char *line)
{
	struct gw_jail_status *js = &e->jail;
	struct gw_jail_line l;

	if (gw_jail_line_parse(line, &l) < 0) {
		gw_log(GW_LOG_WARN,
		       "%s#%llu: ignoring a launcher status "
		       "line that does not parse",
		       e->id, (unsigned long long)e->instance);
		return;
	}
	switch (l.kind) {
	case GW_JAIL_LINE_LAYERS:
		keep(js->layers, sizeof(js->layers), l.word);
		break;
	case GW_JAIL_LINE_MISSING: {
		/* A long list comes on several lines. */
		size_t len = strlen(js->missing);

		snprintf(js->missing + len, sizeof(js->missing) - len, "%s%s",
			 len && l.word[0] ? "," : "", l.word);
		break;
	}
	case GW_JAIL_LINE_CGROUP:
		if (js->n_cgroups < GW_JAIL_CGROUPS_MAX)
			keep(js->cgroups[js->n_cgroups++],
			     sizeof(js->cgroups[0]), l.word);
		break;
	case GW_JAIL_LINE_READY: js->ready = true; break;
	case GW_JAIL_LINE_FAIL:
		js->failed = true;
		keep(js->fail_stage, sizeof(js->fail_stage), l.word);
		js->fail_errno = (int)l.number;
		break;
	case GW_JAIL_LINE_VIOLATION: on_violation(e, &l); break;
	case GW_JAIL_LINE_LIMIT: on_limit(e, &l); break;
	default: break;
	}
}

int gw_jail_status_drain(struct gw_env *e)
{
	struct gw_jail_status *js = &e->jail;
	char buf[4096];

	while (js->fd >= 0) {
		ssize_t n = read(js->fd, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n <= 0) {
			close(js->fd);
			js->fd = -1;
			return 1;
		}
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] != '\n') {
				/* An overlong line is cut, not overflowed. */
				if (js->len < sizeof(js->partial) - 1)
					js->partial[js->len++] = buf[i];
				continue;
			}
			js->partial[js->len] = '\0';
			act(e, js->partial);
			js->len = 0;
		}
	}
	return 1;
}
