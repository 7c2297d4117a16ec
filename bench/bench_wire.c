/*
 * Round trips over the shared mailboxes between two processes: the
 * parent plays the monitor (publish a request, wait for the answer), a
 * forked child plays the worker (wait, answer at once). Each scenario
 * prints p50, p90, p99 and max in microseconds and how often the
 * monitor fell asleep and was rung.
 *
 * Not a test, and not built by meson yet:
 *   gcc -std=c11 -D_GNU_SOURCE -O2 -Iinclude -Isrc bench/bench_wire.c \
 *       src/core/buf.c src/core/error.c src/core/log.c \
 *       src/wire/frame.c src/wire/shm.c -lmsgpuck -o build/bench_wire
 *   build/bench_wire [rounds]
 */
#include <errno.h>
#include <sched.h>
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

struct scenario {
	const char *name;
	int monitor_cpu; /* -1: not pinned */
	int worker_cpu;
	uint64_t monitor_spin_ns;
	uint64_t worker_spin_ns;
	uint64_t step_ns; /* worker computes this long, then answers */
};

static const struct scenario scenarios[] = {
	{ "unpinned, default spins", -1, -1, GW_SHM_SPIN_NS_MONITOR,
	  GW_SHM_SPIN_NS_WORKER },
	{ "same cpu, default spins", 0, 0, GW_SHM_SPIN_NS_MONITOR,
	  GW_SHM_SPIN_NS_WORKER },
	{ "different cpus, default spins", 0, 1, GW_SHM_SPIN_NS_MONITOR,
	  GW_SHM_SPIN_NS_WORKER },
	{ "different cpus, no spin (doorbell only)", 0, 1, 0, 0 },
	{ "same cpu, no spin (doorbell only)", 0, 0, 0, 0 },
	{ "unpinned, no spin (doorbell only)", -1, -1, 0, 0 },
	{ "same cpu, default spins, 10 us step", 0, 0, GW_SHM_SPIN_NS_MONITOR,
	  GW_SHM_SPIN_NS_WORKER, 10000 },
	{ "different cpus, default spins, 10 us step", 0, 1,
	  GW_SHM_SPIN_NS_MONITOR, GW_SHM_SPIN_NS_WORKER, 10000 },
	{ "different cpus, no spin, 10 us step", 0, 1, 0, 0, 10000 },
};

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

static struct gw_shm_wait deadline(uint64_t spin_ns)
{
	return (struct gw_shm_wait){ .spin_ns = spin_ns,
				     .deadline_ns =
					     gw_shm_now_ns() + 5000000000ull };
}

static int worker(const struct scenario *sc, struct gw_shm *s, int sock,
		  size_t rounds)
{
	unsigned char buf[1024];
	struct gw_frame_header h;
	uint64_t seq = 0;

	pin(sc->worker_cpu);
	for (size_t i = 0; i < rounds; i++) {
		struct gw_shm_wait w = deadline(sc->worker_spin_ns);

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

static int run(const struct scenario *sc, size_t rounds)
{
	unsigned char req[PAYLOAD_BYTES], buf[1024];
	struct gw_shm_wait_stats stats = { 0 };
	struct gw_shm_layout l;
	struct gw_frame_header h;
	struct gw_shm *s;
	uint64_t *rtt = calloc(rounds, sizeof(*rtt)), seq = 0;
	int sv[2], status;
	pid_t pid;

	memset(req, 0x5a, sizeof(req));
	if (!rtt || gw_shm_layout_compute(1024, 1024, &l) < 0 ||
	    gw_shm_create(&l, &s, NULL) < 0 ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		close(sv[0]);
		_exit(worker(sc, s, sv[1], WARMUP + rounds));
	}
	close(sv[1]);
	pin(sc->monitor_cpu);

	for (size_t i = 0; i < WARMUP + rounds; i++) {
		struct gw_shm_wait w = deadline(sc->monitor_spin_ns);
		uint64_t t0 = gw_shm_now_ns();

		w.stats = i >= WARMUP ? &stats : NULL;
		if (gw_shm_publish(s, GW_SHM_REQUEST, sv[0], GW_FRAME_STEP,
				   i + 1, req, sizeof(req)) != 0 ||
		    gw_shm_wait(s, GW_SHM_RESPONSE, sv[0], &seq, &w, buf,
				sizeof(buf), &h, NULL) != GW_SHM_GOT_MAILBOX)
			return -1;
		if (i >= WARMUP)
			rtt[i - WARMUP] = gw_shm_now_ns() - t0;
	}
	waitpid(pid, &status, 0);
	close(sv[0]);
	gw_shm_free(s);

	qsort(rtt, rounds, sizeof(*rtt), cmp_u64);
	printf("%-44s p50 %7.1f  p90 %7.1f  p99 %8.1f  max %8.1f us"
	       "  slept %5.1f%%\n",
	       sc->name, pct(rtt, rounds, 0.5), pct(rtt, rounds, 0.9),
	       pct(rtt, rounds, 0.99), pct(rtt, rounds, 1.0),
	       100.0 * stats.sleeps / (double)rounds);
	free(rtt);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
	size_t rounds = argc > 1 ? strtoul(argv[1], NULL, 10) : 20000;
	int status = 0;

	if (rounds == 0)
		rounds = 20000;
	printf("bench_wire: %zu round trips of a %d-byte request and "
	       "answer per scenario, %ld cpus\n",
	       rounds, PAYLOAD_BYTES, sysconf(_SC_NPROCESSORS_ONLN));
	for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++)
		if (run(&scenarios[i], rounds) < 0) {
			fprintf(stderr, "bench_wire: %s: failed\n",
				scenarios[i].name);
			status = 1;
		}
	return status;
}
