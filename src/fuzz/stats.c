/*
 * What the numbers of a fuzz run show: percentiles of step and reset
 * times, and resource growth over a worker's life (memory, threads,
 * fds, CPU per step) from samples of its processes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz.h"

/* Growth past the baseline that makes a finding. */
#define GROWTH_MIN_BYTES   (16ull * 1024 * 1024)
#define GROWTH_MIN_THREADS 8u
#define GROWTH_MIN_FDS	   16u
/* Steps in a window of CPU per step, and how much worse counts. */
#define CPU_WINDOW_STEPS 256u
#define CPU_RATIO	 4u
#define CPU_MIN_NS	 1000000ull

int gw_fuzz_times_init(struct gw_fuzz_times *t, size_t cap)
{
	memset(t, 0, sizeof(*t));
	t->ns = malloc((cap ? cap : 1) * sizeof(*t->ns));
	t->cap = cap;
	gw_rng_seed(&t->rng, 0x5eed);
	return t->ns ? 0 : -ENOMEM;
}

void gw_fuzz_times_release(struct gw_fuzz_times *t)
{
	free(t->ns);
	t->ns = NULL;
}

void gw_fuzz_times_add(struct gw_fuzz_times *t, uint64_t ns)
{
	uint64_t j;

	t->seen++;
	t->sum_ns += ns;
	if (ns > t->max_ns)
		t->max_ns = ns;
	if (t->n < t->cap) {
		t->ns[t->n++] = ns;
		return;
	}
	/* Reservoir sampling keeps a uniform sample of all of them. */
	j = gw_rng_below(&t->rng, t->seen);
	if (j < t->cap)
		t->ns[j] = ns;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

uint64_t gw_fuzz_times_percentile(struct gw_fuzz_times *t, double p)
{
	size_t i;

	if (!t->n)
		return 0;
	qsort(t->ns, t->n, sizeof(*t->ns), cmp_u64);
	i = (size_t)(p / 100.0 * (double)(t->n - 1) + 0.5);
	return t->ns[i < t->n ? i : t->n - 1];
}

void gw_fuzz_growth_reset(struct gw_fuzz_growth *g)
{
	memset(g, 0, sizeof(*g));
}

static void peak(struct gw_fuzz_usage *p, const struct gw_fuzz_usage *u)
{
	if (u->rss_bytes > p->rss_bytes)
		p->rss_bytes = u->rss_bytes;
	if (u->threads > p->threads)
		p->threads = u->threads;
	if (u->fds > p->fds)
		p->fds = u->fds;
}

/* The CPU time per step of the first window, and of the latest. */
static void cpu_window(struct gw_fuzz_growth *g, const struct gw_fuzz_usage *u,
		       uint64_t steps)
{
	uint64_t ds = steps - g->cpu_win_start;

	if (ds < CPU_WINDOW_STEPS)
		return;
	g->cpu_win_ns = u->cpu_ns - g->cpu_win_start_ns;
	g->cpu_win_steps = ds;
	if (!g->cpu_first_steps) {
		g->cpu_first_ns = g->cpu_win_ns;
		g->cpu_first_steps = ds;
	}
	g->cpu_win_start = steps;
	g->cpu_win_start_ns = u->cpu_ns;
}

void gw_fuzz_growth_sample(struct gw_fuzz_growth *g,
			   const struct gw_fuzz_usage *u, uint64_t steps,
			   size_t episode, int64_t step)
{
	if (!g->have_base) {
		g->have_base = true;
		g->base = g->last = g->peak = *u;
		g->base_steps = g->last_steps = steps;
		g->cpu_win_start = steps;
		g->cpu_win_start_ns = u->cpu_ns;
		return;
	}
	g->last = *u;
	g->last_steps = steps;
	peak(&g->peak, u);
	cpu_window(g, u, steps);
	if (!g->mem_hit &&
	    u->rss_bytes > g->base.rss_bytes + GROWTH_MIN_BYTES &&
	    u->rss_bytes > g->base.rss_bytes + g->base.rss_bytes / 4) {
		g->mem_hit = true;
		g->mem_ep = episode;
		g->mem_step = step;
		g->mem_at = u->rss_bytes;
	}
	if (!g->thr_hit && u->threads >= g->base.threads + GROWTH_MIN_THREADS) {
		g->thr_hit = true;
		g->thr_ep = episode;
		g->thr_step = step;
		g->thr_at = u->threads;
	}
	if (!g->fd_hit && u->fds >= g->base.fds + GROWTH_MIN_FDS) {
		g->fd_hit = true;
		g->fd_ep = episode;
		g->fd_step = step;
		g->fd_at = u->fds;
	}
}

static void add(struct gw_fuzz_findings *l, const char *kind,
		enum gw_fuzz_severity sev, size_t ep, int64_t step,
		const char *detail)
{
	struct gw_fuzz_finding f = {
		.severity = sev,
		.evidence = GW_FUZZ_BY_HOST,
		.episode = ep,
		.step = step,
		.count = 1,
	};

	snprintf(f.kind, sizeof(f.kind), "%s", kind);
	snprintf(f.key, sizeof(f.key), "%s", kind);
	snprintf(f.detail, sizeof(f.detail), "%s", detail);
	gw_fuzz_findings_add(l, &f);
}

static void memory_finding(const struct gw_fuzz_growth *g,
			   struct gw_fuzz_findings *l)
{
	uint64_t steps = g->last_steps - g->base_steps;
	uint64_t grown = g->last.rss_bytes - g->base.rss_bytes;
	char d[512];

	/* A peak that fell back again is a burst, not growth. */
	if (!g->mem_hit || g->last.rss_bytes < g->mem_at - g->mem_at / 10)
		return;
	snprintf(d, sizeof(d),
		 "resident memory grew from %llu KiB to %llu KiB over %llu "
		 "steps (about %llu bytes per step) and did not fall back",
		 (unsigned long long)(g->base.rss_bytes / 1024),
		 (unsigned long long)(g->last.rss_bytes / 1024),
		 (unsigned long long)steps,
		 (unsigned long long)(steps ? grown / steps : 0));
	add(l, "memory-growth", GW_FUZZ_MEDIUM, g->mem_ep, g->mem_step, d);
}

void gw_fuzz_growth_findings(const struct gw_fuzz_growth *g,
			     struct gw_fuzz_findings *l)
{
	char d[512];

	if (!g->have_base)
		return;
	memory_finding(g, l);
	if (g->thr_hit && g->last.threads >= g->thr_at) {
		snprintf(d, sizeof(d), "threads grew from %llu to %llu",
			 (unsigned long long)g->base.threads,
			 (unsigned long long)g->last.threads);
		add(l, "thread-growth", GW_FUZZ_MEDIUM, g->thr_ep, g->thr_step,
		    d);
	}
	if (g->fd_hit && g->last.fds >= g->fd_at) {
		snprintf(d, sizeof(d), "open fds grew from %llu to %llu",
			 (unsigned long long)g->base.fds,
			 (unsigned long long)g->last.fds);
		add(l, "fd-growth", GW_FUZZ_MEDIUM, g->fd_ep, g->fd_step, d);
	}
	if (g->cpu_first_steps && g->cpu_win_steps &&
	    g->cpu_win_ns / g->cpu_win_steps > CPU_MIN_NS &&
	    g->cpu_win_ns / g->cpu_win_steps >
		    CPU_RATIO * (g->cpu_first_ns / g->cpu_first_steps)) {
		snprintf(d, sizeof(d),
			 "CPU per step grew from %llu us to %llu us",
			 (unsigned long long)(g->cpu_first_ns /
					      g->cpu_first_steps / 1000),
			 (unsigned long long)(g->cpu_win_ns / g->cpu_win_steps /
					      1000));
		add(l, "cpu-growth", GW_FUZZ_LOW, 0, -1, d);
	}
}
