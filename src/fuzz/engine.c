/*
 * A fuzz run: open the env in its sandbox in observe mode (a forbidden
 * call fails with EPERM and is reported, and the env goes on), play the
 * planned episodes, watch every event, the worker's processes and the
 * clock, check that episodes play the same way twice, start the worker
 * again after a crash or a hang, and compare the env's tree before and
 * after.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/error.h"
#include "core/limits.h"
#include "fuzz/fuzz_priv.h"
#include "manifest/manifest_priv.h"
#include "manifest/override.h"
#include "monitor/monitor.h"
#include "space/ops.h"

/* Steps between two samples of the worker's processes. */
#define SAMPLE_EVERY_STEPS 8u
/* Log lines of a run past which the output is a flood. */
#define FLOOD_LINES 1000u
/* Episodes a script is kept for before a late line could still need it. */
#define SETTLE_LAG 8u

static void settle(struct gw_fuzz_run *r, size_t upto);

uint64_t gw_fuzz_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Add a finding, of this episode unless it says which. */
static void found(struct gw_fuzz_run *r, struct gw_fuzz_finding *f)
{
	if (!f->episode && f->step >= 0)
		f->episode = r->episode;
	gw_fuzz_findings_add(&r->findings, f);
}

static void finding(struct gw_fuzz_run *r, const char *kind, const char *name,
		    enum gw_fuzz_severity sev, enum gw_fuzz_evidence ev,
		    int64_t step, const char *keypart, const char *detail)
{
	struct gw_fuzz_finding f = {
		.severity = sev,
		.evidence = ev,
		.step = step,
		.count = 1,
	};

	snprintf(f.kind, sizeof(f.kind), "%s", kind);
	snprintf(f.name, sizeof(f.name), "%s", name);
	snprintf(f.key, sizeof(f.key), "%s/%s/%.180s", kind, name, keypart);
	snprintf(f.detail, sizeof(f.detail), "%s", detail);
	found(r, &f);
}

/* ---- events ------------------------------------------------------- */

static enum gw_fuzz_severity fault_severity(enum gw_fault f, enum gw_policy p)
{
	if (f == GW_FAULT_OVERSHOOT || f == GW_FAULT_DTYPE_DRIFT)
		return GW_FUZZ_LOW;
	return p == GW_POLICY_WARN ? GW_FUZZ_LOW : GW_FUZZ_MEDIUM;
}

/*
 * The episode and step an attempt belongs to: the hook counts resets
 * and steps itself, because the monitor may read its line some calls
 * later. Without its counts, the call during which it was read.
 */
static void attempt_place(const struct gw_fuzz_run *r,
			  const struct gw_event *ev,
			  const struct gw_fuzz_attempt *a,
			  struct gw_fuzz_finding *f)
{
	f->episode = r->episode;
	f->step = a->step >= 0 ? a->step : ev->step;
	if (a->reset == 0) {
		/* While the env was built: before any episode. */
		f->episode = 0;
		f->step = -1;
	} else if (a->reset > 0 && (uint64_t)a->reset <= r->n_reset_eps) {
		f->episode = r->reset_eps[a->reset - 1];
	} else if (ev->step < 0) {
		f->episode = 0;
		f->step = -1;
	}
}

static void on_attempt(struct gw_fuzz_run *r, const struct gw_event *ev,
		       const struct gw_fuzz_attempt *a)
{
	struct gw_fuzz_finding f = {
		.severity = a->severity,
		.evidence = GW_FUZZ_BY_ENV,
		.count = 1,
	};

	attempt_place(r, ev, a, &f);
	r->observe_lines++;
	snprintf(f.kind, sizeof(f.kind), "attempt");
	snprintf(f.name, sizeof(f.name), "%s", a->event);
	snprintf(f.key, sizeof(f.key), "attempt/%s/%.200s", a->event, a->args);
	snprintf(f.detail, sizeof(f.detail), "%s", a->args);
	found(r, &f);
}

static void on_log(struct gw_fuzz_run *r, const struct gw_event *ev)
{
	struct gw_fuzz_attempt a;
	unsigned long long n;
	int pipe = strcmp(ev->field, "stderr") == 0;

	if (sscanf(ev->detail, "[std%*[a-z]: %llu lines not shown", &n) == 1) {
		if (n > r->log_dropped_pipe[pipe])
			r->log_dropped_pipe[pipe] = n;
		return;
	}
	r->log_lines++;
	if (pipe && gw_fuzz_parse_observe(ev->detail, &a))
		on_attempt(r, ev, &a);
}

static void on_event(void *arg, const struct gw_event *ev)
{
	struct gw_fuzz_run *r = arg;
	char key[512];

	switch (ev->kind) {
	case GW_EVENT_FAULT:
		/* An action of ours refused: a notice, not the env's fault. */
		if (ev->fault == GW_FAULT_ACTION) {
			json_array_append_new(r->notices,
					      json_pack("{s:s, s:s}", "field",
							ev->field, "detail",
							ev->detail));
			break;
		}
		snprintf(key, sizeof(key), "%s", ev->field);
		finding(r, "fault", gw_fault_name(ev->fault),
			fault_severity(ev->fault, ev->policy),
			GW_FUZZ_BY_MONITOR, ev->step, key, ev->detail);
		break;
	case GW_EVENT_VIOLATION:
		snprintf(key, sizeof(key), "%s %s", ev->action, ev->detail);
		finding(r, "violation", ev->name, GW_FUZZ_HIGH,
			GW_FUZZ_BY_SANDBOX, ev->step, key, ev->detail);
		break;
	case GW_EVENT_LIMIT:
		finding(r, "limit", ev->name, GW_FUZZ_HIGH, GW_FUZZ_BY_SANDBOX,
			ev->step, "", ev->detail);
		break;
	case GW_EVENT_NOTICE:
		json_array_append_new(
			r->notices, json_pack("{s:s, s:s}", "field", ev->field,
					      "detail", ev->detail));
		break;
	case GW_EVENT_LOG: on_log(r, ev); break;
	/* A DP release: the policy at work, not something the env did. */
	case GW_EVENT_PRIVACY: break;
	}
}

/* ---- errors of reset and step ----------------------------------- */

/*
 * "ValueError" from "the env raised in reset: ValueError: bad\n...": the
 * word after the monitor's own words, up to ':', a space or an escape.
 */
static void exception_name(const char *msg, char *buf, size_t cap)
{
	const char *raised = strstr(msg, "raised in ");
	const char *colon = raised ? strstr(raised, ": ") : NULL;
	size_t n;

	if (colon)
		msg = colon + 2;
	n = strcspn(msg, ":\\ ");

	snprintf(buf, cap, "%.*s", (int)(n < 63 ? n : 63), msg);
}

/*
 * What a failed call says about the env. Returns 0 to go on, or a
 * negative errno for one of our own errors (which ends the run).
 */
static int on_error(struct gw_fuzz_run *r, const struct gw_error *err,
		    int64_t step)
{
	const char *phase = step == 0 ? "reset" : "step";
	char name[64];

	switch (err->kind) {
	case GW_ERR_CRASHED:
		if (r->e && gw_env_alive(r->e)) {
			exception_name(err->msg, name, sizeof(name));
			finding(r, "exception", name, GW_FUZZ_MEDIUM,
				GW_FUZZ_BY_MONITOR, step, err->msg, err->msg);
		} else {
			finding(r, "crash", phase, GW_FUZZ_HIGH,
				GW_FUZZ_BY_MONITOR, step, "", err->msg);
		}
		return 0;
	case GW_ERR_TIMEOUT:
		finding(r, "hang", phase, GW_FUZZ_HIGH, GW_FUZZ_BY_MONITOR,
			step, "", err->msg);
		return 0;
	case GW_ERR_OBSERVATION:
	case GW_ERR_REWARD:
	case GW_ERR_INFO:
	case GW_ERR_FLAGS:
	case GW_ERR_LIMIT: return 0; /* an event said so already */
	case GW_ERR_SANDBOX:
		if (err->field[0])
			return 0;
		break;
	case GW_ERR_ACTION:
		/* Options the monitor refused: the manifest's specs and ours
		 * disagree. Not the env's doing. */
		json_array_append_new(
			r->notices, json_pack("{s:s, s:s}", "field", err->field,
					      "detail", err->msg));
		return 0;
	default: break;
	}
	snprintf(r->stopped, sizeof(r->stopped), "episode %zu %s: %s: %.180s",
		 r->episode, phase, gw_error_kind_name(err->kind), err->msg);
	r->partial = true;
	return err->code ? err->code : -EIO;
}

/* ---- the worker ----------------------------------------------------- */

static void sample(struct gw_fuzz_run *r, int64_t step)
{
	struct gw_fuzz_usage u;

	if (!r->e || gw_fuzz_proc_usage(gw_env_worker_pid(r->e), &u) < 0)
		return;
	r->usage_seen = true;
	if (u.rss_bytes > r->peak.rss_bytes)
		r->peak.rss_bytes = u.rss_bytes;
	if (u.threads > r->peak.threads)
		r->peak.threads = u.threads;
	if (u.fds > r->peak.fds)
		r->peak.fds = u.fds;
	if (u.procs > r->peak.procs)
		r->peak.procs = u.procs;
	gw_fuzz_growth_sample(&r->growth, &u, r->worker_steps, r->episode,
			      step);
}

/* Close the worker (or what is left of it) and judge its life. */
static void drop_worker(struct gw_fuzz_run *r)
{
	struct gw_error err;

	if (!r->e)
		return;
	gw_error_clear(&err);
	if (gw_env_alive(r->e))
		gw_env_close(r->e, &err);
	r->cpu_ns += r->growth.last.cpu_ns;
	gw_fuzz_growth_findings(&r->growth, &r->findings);
	gw_fuzz_growth_reset(&r->growth);
	gw_env_free(r->e);
	r->e = NULL;
	/* Closing read the worker's pipes to their end. */
	settle(r, r->episode);
}

/* Open the env: 0, 1 when the env itself cannot start, or < 0. */
static int open_worker(struct gw_fuzz_run *r, struct gw_error *err)
{
	char name[64];
	int rc;

	gw_error_clear(err);
	rc = gw_env_open(r->m, r->env_id, &r->cfg, &r->e, err);
	if (rc == 0) {
		if (!r->layers[0] && !r->missing[0]) {
			snprintf(r->layers, sizeof(r->layers), "%s",
				 gw_env_layers(r->e));
			snprintf(r->missing, sizeof(r->missing), "%s",
				 gw_env_missing_layers(r->e));
		}
		r->worker_steps = 0;
		r->n_reset_eps = 0;
		return 0;
	}
	switch (err->kind) {
	case GW_ERR_CRASHED:
		exception_name(err->msg, name, sizeof(name));
		finding(r, "construct", name, GW_FUZZ_HIGH, GW_FUZZ_BY_MONITOR,
			-1, "", err->msg);
		return 1;
	case GW_ERR_TIMEOUT:
		finding(r, "hang", "construct", GW_FUZZ_HIGH,
			GW_FUZZ_BY_MONITOR, -1, "", err->msg);
		return 1;
	case GW_ERR_SPEC_MISMATCH:
		finding(r, "spec-mismatch", "", GW_FUZZ_HIGH,
			GW_FUZZ_BY_MONITOR, -1, "", err->msg);
		return 1;
	case GW_ERR_LIMIT: return 1;
	default: return rc;
	}
}

/* An open worker for the next episode: 0, 1 to stop, or < 0. */
static int ensure_worker(struct gw_fuzz_run *r, struct gw_error *err)
{
	int rc;

	if (r->e)
		return 0;
	if (r->episode > 1 && ++r->restarts > GW_FUZZ_MAX_RESTARTS) {
		snprintf(r->stopped, sizeof(r->stopped),
			 "the worker was started again %u times",
			 GW_FUZZ_MAX_RESTARTS);
		return 1;
	}
	rc = open_worker(r, err);
	if (rc == 1)
		snprintf(r->stopped, sizeof(r->stopped),
			 "the environment could not be started");
	/* After the first episode our own failure still leaves a report. */
	if (rc < 0 && r->episode > 1) {
		snprintf(r->stopped, sizeof(r->stopped),
			 "the worker could not be started again: %.200s",
			 err->msg);
		r->partial = true;
		rc = 1;
	}
	return rc;
}

/* ---- episodes ------------------------------------------------------ */

static uint64_t result_hash(const struct gw_step *st)
{
	uint64_t h = gw_fuzz_hash(GW_FUZZ_HASH_INIT, st->obs, st->obs_bytes);
	unsigned char flags[2] = { st->terminated, st->truncated };

	h = gw_fuzz_hash(h, &st->reward, sizeof(st->reward));
	return gw_fuzz_hash(h, flags, sizeof(flags));
}

static bool over_time(const struct gw_fuzz_run *r)
{
	return r->o.time_ns && gw_fuzz_now_ns() - r->start_ns >= r->o.time_ns;
}

static void timed_step(struct gw_fuzz_run *r, uint64_t ns, int64_t step)
{
	gw_fuzz_times_add(&r->step_t, ns);
	if (ns > r->slow_ns) {
		r->slow_ns = ns;
		r->slow_ep = r->episode;
		r->slow_step = step;
	}
}

/* Remember which episode the worker's next reset belongs to. */
static int note_reset(struct gw_fuzz_run *r)
{
	if (r->n_reset_eps == r->reset_eps_cap) {
		size_t n = r->reset_eps_cap ? 2 * r->reset_eps_cap : 64;
		size_t *p = realloc(r->reset_eps, n * sizeof(*p));

		if (!p)
			return -ENOMEM;
		r->reset_eps = p;
		r->reset_eps_cap = n;
	}
	r->reset_eps[r->n_reset_eps++] = r->episode;
	return 0;
}

/*
 * Reset as s says and record the result; 0 when the episode can go on,
 * 1 when it cannot (the failure is a finding), < 0 for our errors.
 */
static int start_episode(struct gw_fuzz_run *r, struct gw_fuzz_script *s,
			 struct gw_step *st)
{
	struct gw_error err;
	uint64_t t0 = gw_fuzz_now_ns();
	int rc;

	if (note_reset(r) < 0)
		return -ENOMEM;
	gw_error_clear(&err);
	rc = gw_env_reset(r->e, s->has_seed ? &s->seed : NULL, s->options, st,
			  &err);
	gw_fuzz_times_add(&r->reset_t, gw_fuzz_now_ns() - t0);
	r->resets++;
	if (rc < 0)
		return on_error(r, &err, 0) < 0 ? err.code : 1;
	if (!r->replaying && gw_fuzz_script_set_reset(s, result_hash(st)) < 0)
		return -ENOMEM;
	sample(r, 0);
	return 0;
}

struct play {
	struct gw_fuzz_script *s; /* the episode's record */
	struct gw_fuzz_gen *gen;  /* NULL: take the script's actions */
	uint64_t max_steps;
	const struct gw_fuzz_script *check; /* determinism: compare hashes */
	int64_t diverged;		    /* first step that differed */
};

/* One step; 0 to go on, 1 when the episode ended badly, < 0 errors. */
static int one_step(struct gw_fuzz_run *r, struct play *p, uint64_t i,
		    struct gw_step *st)
{
	const unsigned char *act = r->action;
	struct gw_error err;
	uint64_t t0, h;
	int rc;

	if (p->gen)
		gw_fuzz_gen_next(p->gen, i, r->action);
	else
		act = p->s->actions + i * r->abytes;
	gw_error_clear(&err);
	t0 = gw_fuzz_now_ns();
	rc = gw_env_step(r->e, act, r->abytes, st, &err);
	timed_step(r, gw_fuzz_now_ns() - t0, (int64_t)i + 1);
	r->steps++;
	r->worker_steps++;
	r->strategy_steps[p->s->strategy]++;
	if (rc < 0) {
		if (p->check && p->diverged < 0 && p->check->ended_clean)
			p->diverged = (int64_t)i + 1;
		return on_error(r, &err, (int64_t)i + 1) < 0 ? err.code : 1;
	}
	h = result_hash(st);
	if (p->check && p->diverged < 0 && p->check->hashes[i + 1] != h)
		p->diverged = (int64_t)i + 1;
	if (p->gen && gw_fuzz_script_push(p->s, act, h) == 0)
		r->script_bytes += r->abytes;
	if (r->worker_steps % SAMPLE_EVERY_STEPS == 0)
		sample(r, (int64_t)i + 1);
	return 0;
}

/* Play the episode p describes; 0 or < 0 for our own errors. */
static int play(struct gw_fuzz_run *r, struct play *p)
{
	uint64_t n = p->gen ? p->max_steps : p->s->n_actions;
	bool truncated = false;
	struct gw_step st;
	int rc;

	p->diverged = -1;
	rc = start_episode(r, p->s, &st);
	if (rc != 0) {
		if (p->check && p->check->ended_clean)
			p->diverged = 0;
		return rc < 0 ? rc : 0;
	}
	if (p->check && p->check->hashes[0] != result_hash(&st))
		p->diverged = 0;
	for (uint64_t i = 0; i < n; i++) {
		/* Only the env truncates (the run lifted the manifest's
		 * max_episode_steps): a long episode steps on past it. */
		if (st.truncated && !st.terminated &&
		    p->s->strategy == GW_FUZZ_LONG) {
			r->self_truncations += !truncated && !p->check;
			truncated = true;
		} else if (st.terminated || st.truncated) {
			break;
		}
		if (over_time(r))
			break;
		rc = one_step(r, p, i, &st);
		if (rc != 0)
			return rc < 0 ? rc : 0;
	}
	if (!p->check)
		p->s->ended_clean = true;
	sample(r, (int64_t)p->s->n_actions);
	return 0;
}

/* Play s again with the same seed, options and actions. */
static int check_determinism(struct gw_fuzz_run *r, struct gw_fuzz_script *s)
{
	struct gw_fuzz_script again = *s;
	struct play p = { .s = &again, .check = s };
	char d[512];
	int rc;

	if (!s->ended_clean || s->truncated || !r->e || !gw_env_alive(r->e))
		return 0;
	r->replaying = true;
	r->determinism_checks++;
	rc = play(r, &p);
	r->replaying = false;
	if (rc < 0 || p.diverged < 0)
		return rc;
	snprintf(d, sizeof(d),
		 "the same seed%s and actions (a %s episode) gave a different "
		 "%s at step %lld the second time",
		 s->options ? ", options" : "",
		 gw_fuzz_strategy_name(s->strategy),
		 p.diverged == 0 ? "reset observation"
				 : "observation, reward or flags",
		 (long long)p.diverged);
	finding(r, "nondeterminism", "", GW_FUZZ_MEDIUM, GW_FUZZ_BY_MONITOR,
		p.diverged, "", d);
	return 0;
}

/* ---- the run ------------------------------------------------------ */

static struct gw_fuzz_script *new_script(struct gw_fuzz_run *r,
					 const struct gw_fuzz_plan_entry *pe,
					 const struct gw_fuzz_script *from)
{
	struct gw_fuzz_script *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	gw_fuzz_script_init(s, r->abytes);
	s->episode = r->episode;
	if (from) {
		s->strategy = GW_FUZZ_REPLAY;
		s->has_seed = from->has_seed;
		s->seed = from->seed;
		s->options = from->options ? strdup(from->options) : NULL;
		s->actions = malloc(from->n_actions * r->abytes + 1);
		s->hashes = calloc(from->n_actions + 1, sizeof(*s->hashes));
		if (!s->actions || !s->hashes) {
			gw_fuzz_script_release(s);
			free(s);
			return NULL;
		}
		memcpy(s->actions, from->actions, from->n_actions * r->abytes);
		s->n_actions = s->cap = from->n_actions;
		return s;
	}
	s->strategy = pe->strategy;
	s->has_seed = true;
	s->seed = pe->seed;
	if (pe->strategy == GW_FUZZ_OPTIONS)
		s->options = gw_fuzz_option_set_json(&r->me->reset_options,
						     pe->option_set);
	return s;
}

/* A replayed script's hashes, taken while it plays. */
static int play_replay(struct gw_fuzz_run *r, struct gw_fuzz_script *s)
{
	struct play p = { .s = s };
	struct gw_step st;
	struct gw_error err;
	int rc;

	rc = start_episode(r, s, &st);
	if (rc != 0)
		return rc < 0 ? rc : 0;
	for (size_t i = 0; i < s->n_actions; i++) {
		uint64_t t0 = gw_fuzz_now_ns();

		if (st.terminated || st.truncated || over_time(r))
			return 0;
		gw_error_clear(&err);
		rc = gw_env_step(r->e, s->actions + i * r->abytes, r->abytes,
				 &st, &err);
		timed_step(r, gw_fuzz_now_ns() - t0, (int64_t)i + 1);
		r->steps++;
		r->worker_steps++;
		r->strategy_steps[GW_FUZZ_REPLAY]++;
		if (rc < 0)
			return on_error(r, &err, (int64_t)i + 1) < 0 ? rc : 0;
		s->hashes[i + 1] = result_hash(&st);
		if (r->worker_steps % SAMPLE_EVERY_STEPS == 0)
			sample(r, (int64_t)i + 1);
	}
	(void)p;
	s->ended_clean = true;
	return 0;
}

static bool referenced(const struct gw_fuzz_run *r, size_t episode)
{
	for (size_t i = 0; i < r->findings.n; i++)
		if (r->findings.items[i].episode == episode)
			return true;
	return false;
}

/*
 * Keep the scripts of episodes before upto only when a finding points
 * at them (or --save-replay wants them all). An episode is settled some
 * episodes late, or when its worker is gone: the observe hook's lines
 * may be read that much later than they were written.
 */
static void settle(struct gw_fuzz_run *r, size_t upto)
{
	for (; r->settled < upto && r->settled < r->n_scripts; r->settled++) {
		struct gw_fuzz_script *s = r->scripts[r->settled];

		if (!s || referenced(r, r->settled + 1) ||
		    (r->o.keep_all_scripts &&
		     r->script_bytes < GW_FUZZ_SCRIPT_MAX_BYTES))
			continue;
		if (s->strategy != GW_FUZZ_REPLAY)
			r->script_bytes -= s->n_actions * r->abytes;
		gw_fuzz_script_release(s);
		free(s);
		r->scripts[r->settled] = NULL;
	}
}

/* Episode k: 0 to go on, 1 to stop, < 0 for our own errors. */
static int episode(struct gw_fuzz_run *r, const struct gw_fuzz_plan_cfg *pc,
		   size_t k, struct gw_error *err)
{
	struct gw_fuzz_plan_entry pe = { .strategy = GW_FUZZ_REPLAY };
	const struct gw_fuzz_script *from =
		r->o.replay ? &r->o.replay->scripts[k] : NULL;
	struct gw_fuzz_script *s;
	struct gw_fuzz_gen gen = { .a = NULL };
	struct play p;
	int rc;

	r->episode = k + 1;
	rc = ensure_worker(r, err);
	if (rc != 0)
		return rc;
	if (!from)
		gw_fuzz_plan_at(pc, k, &pe);
	s = new_script(r, &pe, from);
	if (!s || (!from && gw_fuzz_gen_init(&gen, r->al, pe.strategy,
					     gw_fuzz_hash(r->o.seed, &k,
							  sizeof(k))) < 0)) {
		if (s)
			gw_fuzz_script_release(s);
		free(s);
		return gw_error_set(err, -ENOMEM, "out of memory");
	}
	r->strategy_episodes[s->strategy]++;
	if (from) {
		rc = play_replay(r, s);
	} else {
		p = (struct play){ .s = s,
				   .gen = &gen,
				   .max_steps = pe.max_steps };
		rc = play(r, &p);
		gw_fuzz_gen_release(&gen);
	}
	/* The first clean episode of each strategy, and every replayed
	 * one, is played a second time. */
	if (rc == 0 && r->e && gw_env_alive(r->e) &&
	    (from || !(r->checked_strategies & (1u << s->strategy))) &&
	    s->ended_clean) {
		r->checked_strategies |= 1u << s->strategy;
		rc = check_determinism(r, s);
	}
	r->scripts[k] = s;
	if (r->e && !gw_env_alive(r->e))
		drop_worker(r);
	settle(r, k + 1 > SETTLE_LAG ? k + 1 - SETTLE_LAG : 0);
	/* on_error said why in r->stopped; the findings so far stand. */
	return rc < 0 ? 1 : 0;
}

/* The tree after the run, against the digest taken before it. */
static void compare_tree(struct gw_fuzz_run *r)
{
	struct gw_tree *after = NULL;
	struct gw_error err;
	char d[512];

	gw_error_clear(&err);
	if (!r->tree || gw_tree_digest_env(r->m, r->me, &after, &err) < 0) {
		gw_tree_free(after);
		return;
	}
	snprintf(r->digest_after, sizeof(r->digest_after), "%s",
		 gw_tree_digest(after));
	if (strcmp(r->digest_after, gw_tree_digest(r->tree)) != 0) {
		snprintf(d, sizeof(d),
			 "the environment's tree changed during the run: "
			 "%.80s before, %.80s after",
			 gw_tree_digest(r->tree), r->digest_after);
		finding(r, "tree-modified", "", GW_FUZZ_HIGH, GW_FUZZ_BY_HOST,
			-1, "", d);
	}
	gw_tree_free(after);
}

static void output_findings(struct gw_fuzz_run *r)
{
	uint64_t total =
		r->log_lines + r->log_dropped_pipe[0] + r->log_dropped_pipe[1];
	char d[256];

	if (total < FLOOD_LINES)
		return;
	snprintf(d, sizeof(d),
		 "%llu lines of output over %llu steps (%llu not shown by "
		 "the monitor's rate limit)",
		 (unsigned long long)total, (unsigned long long)r->steps,
		 (unsigned long long)(total - r->log_lines));
	finding(r, "output-flood", "",
		total > 100 * FLOOD_LINES ? GW_FUZZ_MEDIUM : GW_FUZZ_LOW,
		GW_FUZZ_BY_MONITOR, -1, "", d);
}

static void slow_finding(struct gw_fuzz_run *r)
{
	struct gw_fuzz_finding f = {
		.severity = GW_FUZZ_LOW,
		.evidence = GW_FUZZ_BY_MONITOR,
		.episode = r->slow_ep,
		.step = r->slow_step,
		.count = 1,
	};

	if (!r->step_timeout_ns || r->slow_ns < r->step_timeout_ns / 2 ||
	    r->slow_ns >= r->step_timeout_ns)
		return;
	snprintf(f.kind, sizeof(f.kind), "slow-step");
	snprintf(f.key, sizeof(f.key), "slow-step");
	snprintf(f.detail, sizeof(f.detail),
		 "a step took %llu ms, more than half the step timeout",
		 (unsigned long long)(r->slow_ns / 1000000));
	gw_fuzz_findings_add(&r->findings, &f);
}

/* Set up everything the run needs before the first worker. */
static int prepare(struct gw_fuzz_run *r, struct gw_manifest *m,
		   const struct gw_fuzz_opts *o, struct gw_error *err)
{
	const struct gw_sandbox_limits *sb;
	struct gw_manifest_override ov = {
		.set_on_violation = true,
		.on_violation = GW_ON_VIOLATION_ERRNO,
		.set_max_episode_steps = true,
		.max_episode_steps = 0,
		.set_vetting = true,
		.vetting = GW_VETTING_OFF,
	};
	struct gw_error terr;

	r->m = m;
	r->o = *o;
	snprintf(r->env_id, sizeof(r->env_id), "%s", o->env);
	r->me = gw_manifest_env_find(m, o->env);
	if (!r->me)
		return gw_error_set(err, -ENOENT, "no env '%s' in %s", o->env,
				    gw_manifest_path(m));
	sb = gw_manifest_env_sandbox(r->me);
	r->manifest_max = gw_manifest_env_max_episode_steps(r->me);
	r->manifest_on_violation = sb->on_violation;
	r->step_timeout_ns = sb->step_timeout_ns;
	gw_manifest_override_env(m, o->env, &ov);

	gw_error_clear(&terr);
	if (gw_tree_digest_env(m, r->me, &r->tree, &terr) < 0)
		r->tree = NULL;
	if (gw_space_layout_new(gw_manifest_env_action_space(r->me), &r->al) <
	    0)
		return gw_error_set(err, -ENOMEM, "out of memory");
	r->abytes = gw_space_layout_size(r->al);
	gw_space_format(gw_manifest_env_action_space(r->me), r->action_space,
			sizeof(r->action_space));
	if (o->replay && (o->replay->action_bytes != r->abytes ||
			  (o->replay->action_space[0] &&
			   strcmp(o->replay->action_space, r->action_space))))
		return gw_error_set(err, -EINVAL,
				    "the replay file is for action space %s "
				    "(%zu bytes), the env's is %s (%zu bytes)",
				    o->replay->action_space,
				    o->replay->action_bytes, r->action_space,
				    r->abytes);
	r->n_option_sets = gw_fuzz_option_sets(&r->me->reset_options);
	r->action = calloc(1, r->abytes + 1);
	r->notices = json_array();
	r->cfg.on_event = on_event;
	r->cfg.event_arg = r;
	r->cfg.jail_path = o->jail_path;
	r->cfg.worker_path = o->worker_path;
	r->cfg.step_past_truncation = true;
	if (!r->action || !r->notices ||
	    gw_fuzz_times_init(&r->step_t, GW_FUZZ_TIMES_MAX) < 0 ||
	    gw_fuzz_times_init(&r->reset_t, GW_FUZZ_TIMES_MAX) < 0)
		return gw_error_set(err, -ENOMEM, "out of memory");
	return 0;
}

static int run_all(struct gw_fuzz_run *r, struct gw_error *err)
{
	struct gw_fuzz_plan_cfg pc = {
		.seed = r->o.seed,
		.episodes = r->o.episodes,
		.steps = r->o.steps,
		.manifest_max = r->manifest_max,
		.seed_sweep = r->o.seed_sweep,
		.n_option_sets = r->n_option_sets,
	};
	size_t n = r->o.replay ? r->o.replay->n : gw_fuzz_plan_length(&pc);
	int rc = 0;

	r->scripts = calloc(n ? n : 1, sizeof(*r->scripts));
	if (!r->scripts)
		return gw_error_set(err, -ENOMEM, "out of memory");
	r->n_scripts = n;
	for (size_t k = 0; k < n && rc == 0; k++) {
		if (over_time(r)) {
			snprintf(r->stopped, sizeof(r->stopped),
				 "--time ran out after %zu of %zu episodes", k,
				 n);
			break;
		}
		if (r->o.progress)
			r->o.progress(r->o.progress_arg, k, n);
		rc = episode(r, &pc, k, err);
	}
	if (rc == 1)
		rc = 0;
	if (rc == 0 && r->e && !r->stopped[0] && gw_env_alive(r->e))
		sample(r, -1);
	drop_worker(r);
	return rc;
}

int gw_fuzz_run(struct gw_manifest *m, const struct gw_fuzz_opts *o,
		struct gw_fuzz_run **out, struct gw_error *err)
{
	struct gw_fuzz_run *r = calloc(1, sizeof(*r));
	int rc;

	*out = NULL;
	if (!r)
		return gw_error_set(err, -ENOMEM, "out of memory");
	r->start_ns = gw_fuzz_now_ns();
	rc = prepare(r, m, o, err);
	if (rc == 0)
		rc = run_all(r, err);
	if (rc < 0) {
		gw_fuzz_run_free(r);
		return rc;
	}
	compare_tree(r);
	output_findings(r);
	slow_finding(r);
	r->elapsed_ns = gw_fuzz_now_ns() - r->start_ns;
	*out = r;
	return 0;
}

void gw_fuzz_run_free(struct gw_fuzz_run *r)
{
	if (!r)
		return;
	gw_env_free(r->e);
	for (size_t i = 0; i < r->n_scripts; i++) {
		if (!r->scripts[i])
			continue;
		gw_fuzz_script_release(r->scripts[i]);
		free(r->scripts[i]);
	}
	free(r->scripts);
	free(r->reset_eps);
	gw_fuzz_findings_release(&r->findings);
	gw_fuzz_times_release(&r->step_t);
	gw_fuzz_times_release(&r->reset_t);
	gw_space_layout_free(r->al);
	gw_tree_free(r->tree);
	json_decref(r->notices);
	free(r->action);
	free(r);
}

const struct gw_fuzz_findings *gw_fuzz_run_findings(const struct gw_fuzz_run *r)
{
	return &r->findings;
}

const char *gw_fuzz_run_digest(const struct gw_fuzz_run *r)
{
	return r->tree ? gw_tree_digest(r->tree) : "";
}

const struct gw_tree *gw_fuzz_run_tree(const struct gw_fuzz_run *r)
{
	return r->tree;
}

bool gw_fuzz_run_partial(const struct gw_fuzz_run *r)
{
	return r->partial;
}
