/*
 * The report of a fuzz run: one JSON document (docs/fuzz.md), which is
 * also what the vetting record keeps, and the same as text. Everything
 * that came from the environment was escaped when it was recorded and
 * is escaped again on the way to a terminal.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "core/log.h"
#include "fuzz/fuzz_priv.h"
#include "monitor/monitor.h"

/* Actions listed inline with a finding; the replay file has them all. */
#define INLINE_ACTIONS 256u
/* Past this the report leaves the episodes out (the record's cap). */
#define REPORT_MAX_EPISODE_BYTES (8u * 1024 * 1024)

static json_t *times_json(struct gw_fuzz_times *t)
{
	return json_pack(
		"{s:I, s:I, s:I, s:I, s:I, s:I}", "count", (json_int_t)t->seen,
		"p50", (json_int_t)(gw_fuzz_times_percentile(t, 50) / 1000),
		"p90", (json_int_t)(gw_fuzz_times_percentile(t, 90) / 1000),
		"p99", (json_int_t)(gw_fuzz_times_percentile(t, 99) / 1000),
		"max", (json_int_t)(t->max_ns / 1000), "mean",
		(json_int_t)(t->seen ? t->sum_ns / t->seen / 1000 : 0));
}

static const struct gw_fuzz_script *script_of(const struct gw_fuzz_run *r,
					      size_t episode)
{
	if (!episode || episode > r->n_scripts)
		return NULL;
	return r->scripts[episode - 1];
}

/* The seed, options and actions up to the finding's step. */
static json_t *replay_of(const struct gw_fuzz_run *r,
			 const struct gw_fuzz_finding *f)
{
	const struct gw_fuzz_script *s = script_of(r, f->episode);
	size_t upto, shown;
	json_t *doc, *eps;

	if (!s || f->step < 0)
		return json_null();
	upto = (size_t)f->step < s->n_actions ? (size_t)f->step : s->n_actions;
	shown = upto <= INLINE_ACTIONS ? upto : 0;
	doc = gw_fuzz_replay_to_json(r->env_id, r->abytes, r->action_space, &s,
				     &shown, 1);
	eps = json_object_get(doc, "episodes");
	if (!eps) {
		json_decref(doc);
		return json_null();
	}
	eps = json_incref(json_array_get(eps, 0));
	json_decref(doc);
	json_object_set_new(eps, "steps", json_integer((json_int_t)upto));
	json_object_set_new(eps, "actions_omitted",
			    json_integer((json_int_t)(upto - shown)));
	return eps;
}

static json_t *finding_json(const struct gw_fuzz_run *r,
			    const struct gw_fuzz_finding *f)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:s, s:o}",
			 "kind", f->kind, "name", f->name, "severity",
			 gw_fuzz_severity_name(f->severity), "evidence",
			 gw_fuzz_evidence_name(f->evidence), "episode",
			 (json_int_t)f->episode, "step", (json_int_t)f->step,
			 "count", (json_int_t)f->count, "detail", f->detail,
			 "replay", replay_of(r, f));
}

static json_t *strategies_json(const struct gw_fuzz_run *r)
{
	json_t *o = json_object();

	for (int s = 0; o && s < GW_FUZZ_STRATEGY_COUNT; s++) {
		if (!r->strategy_episodes[s])
			continue;
		json_object_set_new(
			o, gw_fuzz_strategy_name((enum gw_fuzz_strategy)s),
			json_pack("{s:I, s:I}", "episodes",
				  (json_int_t)r->strategy_episodes[s], "steps",
				  (json_int_t)r->strategy_steps[s]));
	}
	return o;
}

static uint64_t cpu_total(const struct gw_fuzz_run *r)
{
	return r->cpu_ns + r->growth.last.cpu_ns;
}

static json_t *summary_json(struct gw_fuzz_run *r)
{
	uint64_t cpu = cpu_total(r);

	return json_pack(
		"{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:o, s:o, "
		"s:{s:b, s:I, s:I, s:I, s:I, s:I, s:I}, s:{s:I, s:I, s:I}}",
		"episodes", (json_int_t)r->episode, "resets",
		(json_int_t)r->resets, "steps", (json_int_t)r->steps,
		"restarts", (json_int_t)r->restarts, "determinism_checks",
		(json_int_t)r->determinism_checks, "self_truncations",
		(json_int_t)r->self_truncations, "elapsed_ms",
		(json_int_t)(r->elapsed_ns / 1000000), "strategies",
		strategies_json(r), "step_time_us", times_json(&r->step_t),
		"reset_time_us", times_json(&r->reset_t), "resources",
		"measured", r->usage_seen, "peak_rss_kib",
		(json_int_t)(r->peak.rss_bytes / 1024), "peak_threads",
		(json_int_t)r->peak.threads, "peak_fds",
		(json_int_t)r->peak.fds, "peak_processes",
		(json_int_t)r->peak.procs, "cpu_ms",
		(json_int_t)(cpu / 1000000), "cpu_per_step_us",
		(json_int_t)(r->steps ? cpu / r->steps / 1000 : 0), "output",
		"lines", (json_int_t)r->log_lines, "not_shown",
		(json_int_t)(r->log_dropped_pipe[0] + r->log_dropped_pipe[1]),
		"observe_lines", (json_int_t)r->observe_lines);
}

static const char *verdict(const struct gw_fuzz_run *r,
			   enum gw_fuzz_severity threshold)
{
	if (gw_fuzz_findings_at_least(&r->findings, threshold))
		return "fail";
	return r->partial ? "partial" : "pass";
}

json_t *gw_fuzz_run_replay_json(const struct gw_fuzz_run *r)
{
	const struct gw_fuzz_script **kept;
	size_t n = 0;
	json_t *doc;

	kept = calloc(r->n_scripts + 1, sizeof(*kept));
	if (!kept)
		return NULL;
	for (size_t i = 0; i < r->n_scripts; i++)
		if (r->scripts[i])
			kept[n++] = r->scripts[i];
	doc = gw_fuzz_replay_to_json(r->env_id, r->abytes, r->action_space,
				     kept, NULL, n);
	free(kept);
	return doc;
}

static json_t *counts_json(const struct gw_fuzz_run *r)
{
	size_t c[GW_FUZZ_HIGH + 1] = { 0 };

	for (size_t i = 0; i < r->findings.n; i++)
		c[r->findings.items[i].severity]++;
	return json_pack("{s:I, s:I, s:I, s:I}", "high", (json_int_t)c[3],
			 "medium", (json_int_t)c[2], "low", (json_int_t)c[1],
			 "info", (json_int_t)c[0]);
}

json_t *gw_fuzz_report_json(struct gw_fuzz_run *r, const char *manifest,
			    enum gw_fuzz_severity threshold, bool with_scripts)
{
	json_t *fs = json_array(), *doc, *eps = NULL;
	char *text;

	for (size_t i = 0; fs && i < r->findings.n; i++)
		json_array_append_new(fs,
				      finding_json(r, &r->findings.items[i]));
	if (with_scripts) {
		eps = gw_fuzz_run_replay_json(r);
		text = eps ? json_dumps(eps, JSON_COMPACT) : NULL;
		if (!text || strlen(text) > REPORT_MAX_EPISODE_BYTES) {
			json_decref(eps);
			eps = NULL;
		}
		free(text);
	}
	doc = json_pack(
		"{s:i, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I, "
		"s:{s:s, s:s, s:b, s:I}, s:o, s:o, s:s, s:s, s:o, s:o, s:o, "
		"s:o, s:I, s:o, s:o}",
		"version", 1, "kind", "fuzz", "manifest", manifest, "env",
		r->env_id, "digest", gw_fuzz_run_digest(r), "digest_after",
		r->digest_after, "seed", (json_int_t)r->o.seed, "episodes",
		(json_int_t)r->o.episodes, "steps", (json_int_t)r->o.steps,
		"time_budget_ms", (json_int_t)(r->o.time_ns / 1000000),
		"observe", "on_violation", "errno", "manifest_on_violation",
		r->manifest_on_violation == GW_ON_VIOLATION_ERRNO ? "errno"
								  : "kill",
		"hook", r->o.observe_hook, "manifest_max_episode_steps",
		(json_int_t)r->manifest_max, "layers",
		gw_jail_list_json(r->layers), "missing_layers",
		gw_jail_list_json(r->missing), "threshold",
		gw_fuzz_severity_name(threshold), "verdict",
		verdict(r, threshold), "stopped",
		r->stopped[0] ? json_string(r->stopped) : json_null(),
		"summary", summary_json(r), "counts", counts_json(r),
		"findings", fs, "findings_dropped",
		(json_int_t)r->findings.dropped, "notices",
		json_incref(r->notices), "replay", eps ? eps : json_null());
	return doc;
}

/* ---- text ---------------------------------------------------------- */

/*
 * Text of the env was escaped when it was recorded: print it as it is,
 * unless a control byte shows it was not (then escape it here).
 */
static void put(FILE *out, const char *s)
{
	char esc[GW_ESCAPED_MAX_BYTES];

	for (const char *p = s; *p; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			gw_escape(esc, sizeof(esc), s, strlen(s));
			fputs(esc, out);
			return;
		}
	}
	fputs(s, out);
}

static void text_summary(struct gw_fuzz_run *r, FILE *out)
{
	uint64_t cpu = cpu_total(r);

	fprintf(out, "  strategies:");
	for (int s = 0; s < GW_FUZZ_STRATEGY_COUNT; s++)
		if (r->strategy_episodes[s])
			fprintf(out, " %s %llu/%llu",
				gw_fuzz_strategy_name((enum gw_fuzz_strategy)s),
				(unsigned long long)r->strategy_episodes[s],
				(unsigned long long)r->strategy_steps[s]);
	fprintf(out, " (episodes/steps)\n");
	fprintf(out,
		"  step time: p50 %llu us, p90 %llu us, p99 %llu us, max %llu "
		"us; reset p50 %llu us, max %llu us\n",
		(unsigned long long)(gw_fuzz_times_percentile(&r->step_t, 50) /
				     1000),
		(unsigned long long)(gw_fuzz_times_percentile(&r->step_t, 90) /
				     1000),
		(unsigned long long)(gw_fuzz_times_percentile(&r->step_t, 99) /
				     1000),
		(unsigned long long)(r->step_t.max_ns / 1000),
		(unsigned long long)(gw_fuzz_times_percentile(&r->reset_t, 50) /
				     1000),
		(unsigned long long)(r->reset_t.max_ns / 1000));
	if (r->usage_seen)
		fprintf(out,
			"  resources: peak RSS %llu KiB, threads %llu, fds "
			"%llu, processes %u; CPU %llu ms (%llu us per step)\n",
			(unsigned long long)(r->peak.rss_bytes / 1024),
			(unsigned long long)r->peak.threads,
			(unsigned long long)r->peak.fds, r->peak.procs,
			(unsigned long long)(cpu / 1000000),
			(unsigned long long)(r->steps ? cpu / r->steps / 1000
						      : 0));
	else
		fprintf(out, "  resources: not measured (the worker's /proc "
			     "could not be read)\n");
	fprintf(out,
		"  output: %llu lines (%llu not shown), %llu from the "
		"observe hook\n",
		(unsigned long long)r->log_lines,
		(unsigned long long)(r->log_dropped_pipe[0] +
				     r->log_dropped_pipe[1]),
		(unsigned long long)r->observe_lines);
}

static void text_finding(const struct gw_fuzz_finding *f, FILE *out,
			 const struct gw_fuzz_colors *c)
{
	const char *col = f->severity == GW_FUZZ_HIGH	  ? c->red
			  : f->severity == GW_FUZZ_MEDIUM ? c->yellow
							  : c->dim;
	char where[64];

	if (f->step > 0)
		snprintf(where, sizeof(where), "episode %zu step %lld",
			 f->episode, (long long)f->step);
	else if (f->step == 0)
		snprintf(where, sizeof(where), "episode %zu reset", f->episode);
	else
		snprintf(where, sizeof(where), "%s", "whole run");
	fprintf(out, "  %s%-6s%s %s%s%s", col,
		gw_fuzz_severity_name(f->severity), c->reset, c->bold, f->kind,
		c->reset);
	if (f->name[0]) {
		fputc(' ', out);
		put(out, f->name);
	}
	fprintf(out, " (%s", where);
	if (f->count > 1)
		fprintf(out, ", %llu times", (unsigned long long)f->count);
	fprintf(out, ") [%s]\n      ", gw_fuzz_evidence_name(f->evidence));
	put(out, f->detail);
	fputc('\n', out);
}

void gw_fuzz_report_text(struct gw_fuzz_run *r, FILE *out,
			 enum gw_fuzz_severity threshold,
			 const struct gw_fuzz_colors *c)
{
	size_t at = gw_fuzz_findings_at_least(&r->findings, threshold);

	fprintf(out,
		"%sfuzz %s%s: %zu episodes, %llu resets, %llu steps, %llu "
		"restarts, %.1f s\n",
		c->bold, r->env_id, c->reset, r->episode,
		(unsigned long long)r->resets, (unsigned long long)r->steps,
		(unsigned long long)r->restarts, (double)r->elapsed_ns / 1e9);
	fprintf(out, "  layers: %s\n", r->layers[0] ? r->layers : "none");
	if (r->missing[0])
		fprintf(out, "  not enforced on this host: %s\n", r->missing);
	fprintf(out,
		"  observe: forbidden calls fail with EPERM (manifest: %s), "
		"hook %s\n",
		r->manifest_on_violation == GW_ON_VIOLATION_ERRNO ? "errno"
								  : "kill",
		r->o.observe_hook ? "on" : "off");
	text_summary(r, out);
	if (r->stopped[0]) {
		fputs("  stopped early: ", out);
		put(out, r->stopped);
		fputc('\n', out);
	}
	fprintf(out, "findings: %zu, %zu at or above %s%s\n", r->findings.n, at,
		gw_fuzz_severity_name(threshold),
		r->findings.dropped ? " (more were only counted)" : "");
	for (int s = GW_FUZZ_HIGH; s >= GW_FUZZ_INFO; s--)
		for (size_t i = 0; i < r->findings.n; i++)
			if ((int)r->findings.items[i].severity == s)
				text_finding(&r->findings.items[i], out, c);
	fprintf(out, "verdict: %s\n", verdict(r, threshold));
}
