/*
 * The cost of checking a Box(4) float32 at the boundary, in C and, in
 * the same run, in the Python peer (Gymnasium's Box.contains, or a
 * numpy re-implementation of it when Gymnasium is not installed):
 *
 *   check_packed   an action already packed, checked in place
 *   leaves         an observation leaf turned into the packed layout
 *   sample         one seeded sample (for scale)
 *
 * Each scenario runs BATCHES batches of BATCH calls and reports the
 * per-call time of the median (p50) and p99 batch, in nanoseconds.
 * Not a test: it asserts nothing about time.
 *
 *   build/bench/bench_space [--no-peer] [batches]
 */
#include <errno.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/error.h"
#include "core/rng.h"
#include "space/ops.h"
#include "space/space.h"
#include "toml/toml.h"

#ifndef GW_SOURCE_ROOT
#define GW_SOURCE_ROOT "."
#endif

#define BATCH		1000
#define DEFAULT_BATCHES 2000
#define PYTHON		"/usr/bin/python3"
#define PEER_SCRIPT	GW_SOURCE_ROOT "/bench/bench_space_peer.py"

extern char **environ;

static const char box4_toml[] =
	"[s]\ntype = \"Box\"\nlow = -1.0\nhigh = 1.0\nshape = [4]\n"
	"dtype = \"float32\"\n";

struct bench {
	struct gw_space *space;
	struct gw_space_layout *layout;
	struct gw_check_policy policy;
	unsigned char action[16];
	unsigned char leaves[32];
	unsigned char out[16];
	struct gw_rng rng;
	volatile int sink;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void run_check(struct bench *b)
{
	b->sink += gw_space_check_packed(b->layout, b->action, 16, &b->policy,
					 NULL);
}

static void run_leaves(struct bench *b)
{
	b->sink += gw_space_leaves_to_packed(b->layout, b->leaves, 32, b->out,
					     16, &b->policy, NULL, NULL);
}

static void run_sample(struct bench *b)
{
	b->sink += gw_space_sample(b->layout, &b->rng, b->out, 16);
}

/* Per-call ns of the p50 and p99 batch of fn into p50 and p99. */
static void measure(struct bench *b, void (*fn)(struct bench *), size_t batches,
		    double *p50, double *p99)
{
	double *per = malloc(batches * sizeof(*per));

	for (int k = 0; k < 10 * BATCH; k++)
		fn(b); /* warm up */
	for (size_t i = 0; i < batches; i++) {
		uint64_t t0 = now_ns();

		for (int k = 0; k < BATCH; k++)
			fn(b);
		per[i] = (double)(now_ns() - t0) / BATCH;
	}
	qsort(per, batches, sizeof(*per), cmp_double);
	*p50 = per[batches / 2];
	*p99 = per[batches * 99 / 100];
	free(per);
}

static int setup(struct bench *b)
{
	static const float action[4] = { 0.25f, -0.5f, 1.0f, 0.0f };
	static const unsigned char head[16] = { 0, 11, 1, 0, 16, 0, 0, 0,
						4, 0,  0, 0, 0,	 0, 0, 0 };
	struct gw_toml_value *doc = NULL;
	struct gw_error err = { 0 };
	int r;

	r = gw_toml_parse(box4_toml, strlen(box4_toml), "<bench>", &doc, &err);
	if (r == 0)
		r = gw_space_from_toml(gw_toml_get(doc, "s"), "s", &b->space,
				       &err);
	gw_toml_free(doc);
	if (r == 0)
		r = gw_space_layout_new(b->space, &b->layout);
	if (r < 0)
		return r;

	memset(&b->policy, 0, sizeof(b->policy));
	b->policy.policy[GW_FAULT_OVERSHOOT] = GW_POLICY_CLIP;
	b->policy.policy[GW_FAULT_DTYPE_DRIFT] = GW_POLICY_CAST;
	b->policy.overshoot_ulps = 4;
	memcpy(b->action, action, sizeof(action));
	/* One leaf: kind 0, float32, ndim 1, 16 bytes, shape (4,). */
	memcpy(b->leaves, head, sizeof(head));
	memcpy(b->leaves + 16, action, sizeof(action));
	gw_rng_seed(&b->rng, 1);
	return 0;
}

/* Run the peer script and read its "p50_ns" figure; -1 when it fails. */
static double run_peer(char *name, size_t cap)
{
	char *argv[] = { PYTHON, PEER_SCRIPT, NULL };
	posix_spawn_file_actions_t fa;
	char line[512] = "";
	double ns = -1;
	int fd[2], status;
	FILE *f;
	pid_t pid;

	if (pipe(fd) < 0)
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fd[1], STDOUT_FILENO);
	posix_spawn_file_actions_addclose(&fa, fd[0]);
	if (posix_spawn(&pid, PYTHON, &fa, NULL, argv, environ) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		close(fd[0]);
		close(fd[1]);
		return -1;
	}
	posix_spawn_file_actions_destroy(&fa);
	close(fd[1]);
	f = fdopen(fd[0], "r");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "peer %255s p50_ns %lf", name, &ns) != 2)
			fputs(line, stdout);
	if (f)
		fclose(f);
	name[cap - 1] = '\0';
	waitpid(pid, &status, 0);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? ns : -1;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		void (*fn)(struct bench *);
	} scenarios[] = {
		{ "check_packed Box(4) float32", run_check },
		{ "leaves->packed Box(4) float32", run_leaves },
		{ "sample Box(4) float32", run_sample },
	};
	static struct bench b;
	size_t batches = DEFAULT_BATCHES;
	bool peer = true;
	double p50[3], p99, py;
	char name[256] = "?";

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--no-peer") == 0)
			peer = false;
		else
			batches = strtoul(argv[i], NULL, 10);
	}
	if (batches < 10)
		batches = 10;
	if (setup(&b) < 0) {
		fprintf(stderr, "bench_space: setup failed\n");
		return 1;
	}

	printf("%-32s %10s %10s   (%zu x %d calls)\n", "scenario", "p50 ns",
	       "p99 ns", batches, BATCH);
	for (size_t i = 0; i < 3; i++) {
		measure(&b, scenarios[i].fn, batches, &p50[i], &p99);
		printf("%-32s %10.1f %10.1f\n", scenarios[i].name, p50[i], p99);
	}
	if (peer) {
		py = run_peer(name, sizeof(name));
		if (py < 0) {
			printf("peer: %s did not run\n", PEER_SCRIPT);
		} else {
			printf("%-32s %10.1f\n", name, py);
			printf("ratio peer / check_packed: %.0fx, "
			       "peer / leaves: %.0fx\n",
			       py / p50[0], py / p50[1]);
		}
	}
	gw_space_layout_free(b.layout);
	gw_space_free(b.space);
	return 0;
}
