/*
 * The dependency audit's advisory step: load the whole PyPA database
 * (../shared/data/osv-pypi, 2,661 records) and match a 300-line lock
 * against it. The lock is built in code, before any timing, from the
 * database's own project names and versions with a seeded generator:
 * "name==version" lines, parsed as PEP 508, pinned, then matched.
 *
 * A first, untimed-for-the-median load builds the lock; its time is
 * printed apart (the page cache may have been cold). Then each run loads
 * afresh and matches; the median and the slowest run are printed. The
 * design's target is 100 ms for load and match together. Not a test: it
 * asserts nothing about time.
 *
 *   build/bench/bench_deps [DB] [runs]
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/error.h"
#include "core/rng.h"
#include "deps/deps.h"
#include "deps/osv_priv.h"

#ifndef GW_SOURCE_ROOT
#define GW_SOURCE_ROOT "."
#endif

#define LOCK_LINES   300
#define DEFAULT_RUNS 11
#define MAX_RUNS     101
#define DEFAULT_DB   GW_SOURCE_ROOT "/../shared/data/osv-pypi"

struct lock {
	char lines[LOCK_LINES][192];
};

struct timing {
	double load_ms, match_ms;
	int hits;
};

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* One lock line: a random project, one of its listed versions or 1.0. */
static void lock_line(const struct gw_osv_db *db, struct gw_rng *rng, char *out,
		      size_t cap)
{
	const struct osv_index_entry *e =
		&db->index[gw_rng_below(rng, db->nindex)];
	const struct osv_affected *a = e->aff;
	const char *version = "1.0";

	if (a->nkeys)
		version = a->keys[gw_rng_below(rng, a->nkeys)];
	snprintf(out, cap, "%s==%s", e->norm, version);
	/* Spell a third of the names as a lock file might: "foo_bar". */
	if (gw_rng_below(rng, 3) == 0)
		for (char *c = out; *c && *c != '='; c++)
			*c = *c == '-' ? '_' : *c;
}

/* The lock, from a first load whose time (cache maybe cold) is kept. */
static int build_lock(const char *path, struct lock *lock, double *load_ms)
{
	struct gw_osv_db *db;
	struct gw_error err;
	struct gw_rng rng;
	double t0 = now_ms();

	gw_error_clear(&err);
	if (gw_osv_load(path, &db, &err) < 0) {
		fprintf(stderr, "bench_deps: load %s: %s\n", path, err.msg);
		return -1;
	}
	*load_ms = now_ms() - t0;
	gw_rng_seed(&rng, 508);
	for (int i = 0; i < LOCK_LINES; i++)
		lock_line(db, &rng, lock->lines[i], sizeof(lock->lines[i]));
	gw_osv_free(db);
	return 0;
}

static void count(void *arg, const struct gw_osv_hit *hit)
{
	(void)hit;
	(*(int *)arg)++;
}

/* Parse every line as PEP 508, take its pin, match it. */
static int match_lock(const struct gw_osv_db *db, const struct lock *lock)
{
	int hits = 0;

	for (int i = 0; i < LOCK_LINES; i++) {
		const char *line = lock->lines[i];
		struct gw_requirement r;
		struct gw_pep440 v;

		if (gw_requirement_parse(line, strlen(line), "lock",
					 (unsigned)i, &r, NULL) < 0)
			continue;
		if (gw_specset_pinned(&r.spec, &v) == 0)
			gw_osv_match(db, r.norm, &v, count, &hits);
		gw_requirement_clear(&r);
	}
	return hits;
}

static int run_once(const char *path, const struct lock *lock, struct timing *t)
{
	struct gw_osv_db *db;
	struct gw_error err;
	double t0 = now_ms(), t1;

	gw_error_clear(&err);
	if (gw_osv_load(path, &db, &err) < 0)
		return -1;
	t1 = now_ms();
	t->hits = match_lock(db, lock);
	t->match_ms = now_ms() - t1;
	t->load_ms = t1 - t0;
	gw_osv_free(db);
	return 0;
}

static int cmp_total(const void *pa, const void *pb)
{
	const struct timing *a = pa, *b = pb;
	double x = a->load_ms + a->match_ms, y = b->load_ms + b->match_ms;

	return (x > y) - (x < y);
}

static void print_row(const char *what, const struct timing *t)
{
	printf("%-8s load %7.1f ms  match %6.2f ms  total %7.1f ms  (%d "
	       "hits)\n",
	       what, t->load_ms, t->match_ms, t->load_ms + t->match_ms,
	       t->hits);
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : DEFAULT_DB;
	int runs = argc > 2 ? (int)strtol(argv[2], NULL, 10) : DEFAULT_RUNS;
	static struct timing t[MAX_RUNS];
	static struct lock lock;
	double first_ms;

	if (runs < 1 || runs > MAX_RUNS) {
		fprintf(stderr, "usage: bench_deps [DB] [runs: 1..%d]\n",
			MAX_RUNS);
		return 2;
	}
	if (build_lock(path, &lock, &first_ms) < 0)
		return 1;
	for (int i = 0; i < runs; i++)
		if (run_once(path, &lock, &t[i]) < 0)
			return 1;
	qsort(t, (size_t)runs, sizeof(t[0]), cmp_total);
	printf("bench_deps: %s, %d-line lock, %d runs\n", path, LOCK_LINES,
	       runs);
	printf("%-8s load %7.1f ms\n", "first", first_ms);
	print_row("median", &t[runs / 2]);
	print_row("slowest", &t[runs - 1]);
	return 0;
}
