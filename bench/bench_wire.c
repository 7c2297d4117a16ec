/*
 * Round trips over the shared mailboxes between two processes: the
 * parent plays the monitor (publish a request, wait for the answer), a
 * forked child plays the worker (wait, compute for the scenario's step
 * time, answer). Each scenario pins the two (or not) and may start a
 * hog, a third process that only burns a CPU, as another engineer's
 * build does on a shared machine. Each prints p50, p90, p99 and max in
 * microseconds and how often the monitor fell asleep and was rung.
 *
 *   build/bench/bench_wire [rounds] [filter]
 *
 * rounds defaults to 20000; with a filter, only the scenarios whose
 * name contains it run. bench/README.md has the figures.
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "wire/frame.h"
#include "wire/shm.h"

#define PAYLOAD_BYTES 64
#define WARMUP	      1000
#define NO_HOG	      -2 /* hog_cpu: no hog; -1: a hog not pinned */

struct scenario {
	const char *name;
	int monitor_cpu; /* -1: not pinned */
	int worker_cpu;
	int hog_cpu;
	uint64_t spin_ns; /* 0: both go straight to the doorbell */
	uint64_t step_ns; /* worker computes this long, then answers */
};

#define SPIN GW_SHM_SPIN_NS_MONITOR
#define STEP 10000

static const struct scenario scenarios[] = {
	{ "same cpu", 0, 0, NO_HOG, SPIN, 0 },
	{ "different cpus", 0, 1, NO_HOG, SPIN, 0 },
	{ "unpinned", -1, -1, NO_HOG, SPIN, 0 },
	{ "different cpus, hog on the monitor's", 0, 1, 0, SPIN, 0 },
	{ "different cpus, hog on the worker's", 0, 1, 1, SPIN, 0 },
	{ "unpinned, unpinned hog", -1, -1, -1, SPIN, 0 },
	{ "same cpu, 10 us step", 0, 0, NO_HOG, SPIN, STEP },
	{ "different cpus, 10 us step", 0, 1, NO_HOG, SPIN, STEP },
	{ "unpinned, 10 us step", -1, -1, NO_HOG, SPIN, STEP },
	{ "different cpus, hog on the monitor's, 10 us step", 0, 1, 0, SPIN,
	  STEP },
	{ "unpinned, unpinned hog, 10 us step", -1, -1, -1, SPIN, STEP },
	{ "same cpu, doorbell only", 0, 0, NO_HOG, 0, 0 },
	{ "different cpus, doorbell only", 0, 1, NO_HOG, 0, 0 },
	{ "unpinned, doorbell only", -1, -1, NO_HOG, 0, 0 },
};

/* The affinity the program started with. */
static cpu_set_t all_cpus;

/* Stand-in for env.step: burn the cpu for ns. */
static void compute(uint64_t ns)
{
	uint64_t end = gw_shm_now_ns() + ns;

	while (ns && gw_shm_now_ns() < end)
		;
}

static void pin(int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) < 0)
		perror("bench_wire: sched_setaffinity");
}

/* A process that burns a CPU until it is killed; -1 when there is none. */
static pid_t start_hog(int cpu)
{
	pid_t pid;

	if (cpu == NO_HOG)
		return -1;
	pid = fork();
	if (pid == 0) {
		volatile unsigned long n = 0;

		pin(cpu);
		for (;;)
			n++;
	}
	return pid;
}

static void stop_hog(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static struct gw_shm_wait deadline(uint64_t spin_ns)
{
	return (struct gw_shm_wait){ .spin_ns = spin_ns,
				     .deadline_ns =
					     gw_shm_now_ns() + 5000000000ull };
}

static int worker(const struct scenario *sc, struct gw_shm *s, int sock,
		  size_t rounds)
{
	uint64_t spin = sc->spin_ns ? GW_SHM_SPIN_NS_WORKER : 0;
	unsigned char buf[1024];
	struct gw_frame_header h;
	uint64_t seq = 0;

	pin(sc->worker_cpu);
	for (size_t i = 0; i < rounds; i++) {
		struct gw_shm_wait w = deadline(spin);

		if (gw_shm_wait(s, GW_SHM_REQUEST, sock, &seq, &w, buf,
				sizeof(buf), &h, NULL) != GW_SHM_GOT_MAILBOX)
			return 1;
		compute(sc->step_ns);
		if (gw_shm_publish(s, GW_SHM_RESPONSE, sock, GW_FRAME_RESULT,
				   seq, buf + GW_FRAME_HEADER_BYTES,
				   h.len) != 0)
			return 2;
	}
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static double pct(const uint64_t *v, size_t n, double p)
{
	return (double)v[(size_t)(p * (double)(n - 1))] / 1000.0;
}

/* The monitor's side: rounds round trips, each timed. */
static int monitor(const struct scenario *sc, struct gw_shm *s, int sock,
		   uint64_t *rtt, size_t rounds,
		   struct gw_shm_wait_stats *stats)
{
	unsigned char req[PAYLOAD_BYTES], buf[1024];
	struct gw_frame_header h;
	uint64_t seq = 0;

	memset(req, 0x5a, sizeof(req));
	pin(sc->monitor_cpu);
	for (size_t i = 0; i < WARMUP + rounds; i++) {
		struct gw_shm_wait w = deadline(sc->spin_ns);
		uint64_t t0 = gw_shm_now_ns();

		w.stats = i >= WARMUP ? stats : NULL;
		if (gw_shm_publish(s, GW_SHM_REQUEST, sock, GW_FRAME_STEP,
				   i + 1, req, sizeof(req)) != 0 ||
		    gw_shm_wait(s, GW_SHM_RESPONSE, sock, &seq, &w, buf,
				sizeof(buf), &h, NULL) != GW_SHM_GOT_MAILBOX)
			return -1;
		if (i >= WARMUP)
			rtt[i - WARMUP] = gw_shm_now_ns() - t0;
	}
	return 0;
}

static int run(const struct scenario *sc, size_t rounds)
{
	struct gw_shm_wait_stats stats = { 0 };
	struct gw_shm_layout l;
	struct gw_shm *s;
	uint64_t *rtt = calloc(rounds, sizeof(*rtt));
	int sv[2], status, r;
	pid_t pid, hog;

	if (!rtt || gw_shm_layout_compute(1024, 1024, &l) < 0)
		return -1;
	/* First, so that the hog holds none of what follows. */
	hog = start_hog(sc->hog_cpu);
	if (gw_shm_create(&l, &s, NULL) < 0 ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		stop_hog(hog);
		free(rtt);
		return -1;
	}
	pid = fork();
	if (pid == 0) {
		close(sv[0]);
		_exit(worker(sc, s, sv[1], WARMUP + rounds));
	}
	close(sv[1]);
	r = monitor(sc, s, sv[0], rtt, rounds, &stats);
	close(sv[0]);
	waitpid(pid, &status, 0);
	stop_hog(hog);
	gw_shm_free(s);
	/* Undo the pinning for the next scenario. */
	sched_setaffinity(0, sizeof(all_cpus), &all_cpus);

	if (r == 0) {
		qsort(rtt, rounds, sizeof(*rtt), cmp_u64);
		printf("%-50s p50 %7.1f  p90 %7.1f  p99 %8.1f  max %8.1f us"
		       "  slept %5.1f%%\n",
		       sc->name, pct(rtt, rounds, 0.5), pct(rtt, rounds, 0.9),
		       pct(rtt, rounds, 0.99), pct(rtt, rounds, 1.0),
		       100.0 * stats.sleeps / (double)rounds);
		fflush(stdout);
	}
	free(rtt);
	return r == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
	size_t rounds = argc > 1 ? strtoul(argv[1], NULL, 10) : 20000;
	const char *filter = argc > 2 ? argv[2] : "";
	int status = 0;

	if (rounds == 0)
		rounds = 20000;
	if (sched_getaffinity(0, sizeof(all_cpus), &all_cpus) < 0) {
		perror("bench_wire: sched_getaffinity");
		return 1;
	}
	printf("bench_wire: %zu round trips of a %d-byte request and "
	       "answer per scenario, %ld cpus\n",
	       rounds, PAYLOAD_BYTES, sysconf(_SC_NPROCESSORS_ONLN));
	for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++) {
		if (!strstr(scenarios[i].name, filter))
			continue;
		if (run(&scenarios[i], rounds) < 0) {
			fprintf(stderr, "bench_wire: %s: failed\n",
				scenarios[i].name);
			status = 1;
		}
	}
	return status;
}
