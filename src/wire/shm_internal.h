/*
 * The shared region's header as laid out in memory, and the private
 * struct behind struct gw_shm. Only src/wire/shm.c and tests (which play
 * a hostile peer by writing the region directly) include this.
 */
#ifndef GW_WIRE_SHM_INTERNAL_H
#define GW_WIRE_SHM_INTERNAL_H

#include <stdalign.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "wire/shm.h"

/*
 * Offset 0 of the region. The identity line is written once by the
 * monitor before the memfd is sent; the two control lines are the only
 * words either side writes concurrently, always through atomics. The
 * atomics must be lock-free to be address-free across processes.
 */
struct shm_region {
	uint32_t magic;
	uint32_t version;
	uint64_t region_bytes;
	uint32_t req_off;
	uint32_t req_cap;
	uint32_t resp_off;
	uint32_t resp_cap;
	unsigned char pad0[32];

	alignas(64) _Atomic uint64_t req_seq;
	_Atomic uint32_t worker_waiting;
	unsigned char pad1[52];

	alignas(64) _Atomic uint64_t resp_seq;
	_Atomic uint32_t monitor_waiting;
	unsigned char pad2[52];
};

_Static_assert(sizeof(struct shm_region) == GW_SHM_HEADER_BYTES,
	       "region header is three cache lines");
_Static_assert(offsetof(struct shm_region, req_seq) == 64,
	       "request control line at +64");
_Static_assert(offsetof(struct shm_region, worker_waiting) == 72,
	       "worker_waiting at +72");
_Static_assert(offsetof(struct shm_region, resp_seq) == 128,
	       "response control line at +128");
_Static_assert(offsetof(struct shm_region, monitor_waiting) == 136,
	       "monitor_waiting at +136");
_Static_assert(ATOMIC_LLONG_LOCK_FREE == 2 && ATOMIC_INT_LOCK_FREE == 2,
	       "shared atomics must be lock-free");

/* One mailbox: its frame bytes and its two control words. */
struct shm_box {
	unsigned char *frame; /* header then payload, cap bytes */
	size_t cap;
	_Atomic uint64_t *seq;
	_Atomic uint32_t *waiting; /* set by the side that waits on it */
};

struct gw_shm {
	int fd;
	unsigned char *base;
	size_t size;
	struct gw_shm_layout layout;
	struct shm_region *region;
	struct shm_box box[2]; /* enum gw_shm_box */
};

#endif /* GW_WIRE_SHM_INTERNAL_H */
