/*
 * Faults and events: everything the monitor tells its caller besides
 * return values. Each fault is counted per class, passed on as one
 * GW_EVENT_FAULT with the instance, step and field path, and logged
 * once here, at the boundary. Errors that end the worker are built
 * here too, so that every such message names the same things: the
 * cause, how the process ended, and the last lines of its stderr.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/error.h"
#include "core/log.h"
#include "monitor/monitor_priv.h"

/* Lines of stderr quoted in an error message. */
#define DIE_TAIL_LINES 4u

void gw_env_emit(struct gw_env *e, enum gw_event_kind kind, const char *field,
		 const char *detail)
{
	struct gw_event ev = {
		.kind = kind,
		.env_id = e->id,
		.instance = e->instance,
		.step = e->at_step,
		.field = field ? field : "",
		.detail = detail ? detail : "",
		.name = "",
		.action = "",
	};

	if (e->on_event)
		e->on_event(e->event_arg, &ev);
}

/* The operation under way, for log lines. */
static const char *op_name(const struct gw_env *e)
{
	if (e->at_step < 0)
		return "open";
	return e->at_step == 0 ? "reset" : "step";
}

/* Remember the first fault that refuses, for the error it becomes. */
static void note_refusal(struct gw_env *e, enum gw_fault fault,
			 enum gw_policy policy, const char *field,
			 const char *detail)
{
	if (e->refused ||
	    (policy != GW_POLICY_REJECT && policy != GW_POLICY_TERMINATE))
		return;
	e->refused = true;
	e->refused_fault = fault;
	snprintf(e->refused_field, sizeof(e->refused_field), "%s", field);
	snprintf(e->refused_detail, sizeof(e->refused_detail), "%s", detail);
}

static void announce(struct gw_env *e, enum gw_fault fault,
		     enum gw_policy policy, const char *field,
		     const char *detail)
{
	struct gw_event ev = {
		.kind = GW_EVENT_FAULT,
		.env_id = e->id,
		.instance = e->instance,
		.step = e->at_step,
		.fault = fault,
		.policy = policy,
		.field = field ? field : "",
		.detail = detail ? detail : "",
		.name = "",
		.action = "",
	};
	bool repaired = policy == GW_POLICY_CLIP || policy == GW_POLICY_CAST;

	note_refusal(e, fault, policy, ev.field, ev.detail);
	gw_log(repaired ? GW_LOG_INFO : GW_LOG_WARN,
	       "%s %lld %s#%llu %s: %s (%s, policy %s)", op_name(e),
	       (long long)e->at_step, e->id, (unsigned long long)e->instance,
	       ev.field[0] ? ev.field : "result", ev.detail,
	       gw_fault_name(fault), gw_policy_name(policy));
	if (e->on_event)
		e->on_event(e->event_arg, &ev);
}

/* The ops.h sink: it counts; we log, pass on and remember. */
static void on_report(void *arg, const struct gw_fault_report *r)
{
	announce(arg, r->fault, r->policy, r->field, r->detail);
}

void gw_env_fault_sink(struct gw_env *e, struct gw_fault_sink *sink)
{
	sink->report = on_report;
	sink->arg = e;
	sink->counts = &e->counts;
}

void gw_env_fault(struct gw_env *e, enum gw_fault fault, enum gw_policy policy,
		  const char *field, const char *detail)
{
	e->counts.events[fault]++;
	e->counts.values[fault]++;
	announce(e, fault, policy, field, detail);
}

int gw_env_fail(struct gw_env *e, struct gw_error *err, int code,
		enum gw_error_kind kind, const char *field, const char *fmt,
		...)
{
	char msg[sizeof(err->msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!err || err->code != 0)
		return code;
	gw_error_set(err, code, "%s", msg);
	gw_error_where(err, e->id, field);
	return gw_error_set_kind(err, code, kind, e->at_step);
}

int gw_env_die(struct gw_env *e, struct gw_error *err, int code,
	       enum gw_error_kind kind, bool kill, const char *cause)
{
	char how[128], tail[512], reason[768];
	const char *field = "";

	gw_worker_reap(e, kill ? 0 : GW_MONITOR_CLOSE_GRACE_NS);
	gw_worker_describe_exit(&e->exit, how, sizeof(how));
	/* The launcher knows better than the channel why the worker went. */
	if (e->jail.kill_violation[0] && kind != GW_ERR_TIMEOUT) {
		snprintf(reason, sizeof(reason),
			 "the sandbox ended the worker for a forbidden system "
			 "call: %s",
			 e->jail.kill_violation);
		cause = reason;
		kind = GW_ERR_SANDBOX;
		field = e->jail.kill_syscall;
	} else if (e->jail.limit[0] && kind != GW_ERR_TIMEOUT) {
		snprintf(reason, sizeof(reason),
			 "the worker hit its %s limit%s%s", e->jail.limit,
			 e->jail.limit_detail[0] ? ": " : "",
			 e->jail.limit_detail);
		cause = reason;
		kind = GW_ERR_LIMIT;
		field = e->jail.limit;
	}
	gw_logpipe_tail(&e->err, DIE_TAIL_LINES, " | ", tail, sizeof(tail));

	snprintf(e->dead_msg, sizeof(e->dead_msg), "%.600s; worker %s%s%.260s",
		 cause, how, tail[0] ? "; stderr: " : "", tail);
	e->dead_kind = kind;
	e->state = GW_ENV_DEAD;
	gw_log(GW_LOG_ERROR, "%s %s#%llu: %s", op_name(e), e->id,
	       (unsigned long long)e->instance, e->dead_msg);
	return gw_env_fail(e, err, code, kind, field, "%s", e->dead_msg);
}

static const char *phase_name(enum gw_wire_phase phase)
{
	switch (phase) {
	case GW_WIRE_PHASE_CONSTRUCT: return "its constructor";
	case GW_WIRE_PHASE_RESET: return "reset";
	case GW_WIRE_PHASE_STEP: return "step";
	case GW_WIRE_PHASE_CLOSE: return "close";
	default: return "the worker's protocol";
	}
}

/*
 * Keep the text of a FAIL, escaped, for the error it becomes. A long
 * traceback keeps its first line (the exception, when the worker puts
 * it first) and its end (the innermost frames and, in Python's own
 * format, the exception again).
 */
void gw_env_keep_fail(struct gw_env *e, enum gw_wire_phase phase, const char *t,
		      size_t n)
{
	char head[200], tail[700];
	const char *nl;
	size_t cut;
	int w;

	if (e->san && (t = gw_env_san_line(e, t, n, &n)) == NULL) {
		t = "<DROPPED>";
		n = 9;
	}
	w = snprintf(e->fail_text, sizeof(e->fail_text),
		     "the env raised in %s: ", phase_name(phase));
	if (w < 0 || (size_t)w >= sizeof(e->fail_text))
		return;
	if (n <= sizeof(tail) / 2) {
		gw_escape(e->fail_text + w, sizeof(e->fail_text) - (size_t)w, t,
			  n);
		return;
	}

	nl = memchr(t, '\n', n);
	gw_escape(head, sizeof(head), t, nl ? (size_t)(nl - t) : n);
	cut = n - sizeof(tail) / 2;
	/* Start the tail on a line, or at least on a whole character. */
	nl = memchr(t + cut, '\n', n - cut);
	if (nl && (size_t)(nl - t) + 1 < n)
		cut = (size_t)(nl - t) + 1;
	while (cut < n && ((unsigned char)t[cut] & 0xc0) == 0x80)
		cut++;
	gw_escape(tail, sizeof(tail), t + cut, n - cut);
	snprintf(e->fail_text + w, sizeof(e->fail_text) - (size_t)w,
		 "%s ... %s", head, tail);
}
