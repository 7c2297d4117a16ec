/*
 * libFuzzer harness for the OSV record reader: any bytes are either
 * skipped as a record that is not valid OSV (counted, with a reason) or
 * read into a record whose every string and range can be walked and
 * matched against a few versions. Nothing may fail but memory.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gymwarden.h"
#include "deps/deps.h"
#include "deps/osv_priv.h"

static const char *const probes[] = { "0", "1.0", "1.0a1", "2!1", "99" };

static void count_hit(void *arg, const struct gw_osv_hit *h)
{
	size_t *n = arg;

	if (!h->id || !h->summary || !h->severity || !h->aliases)
		abort();
	for (size_t i = 0; i < h->nfixed; i++)
		*n += strlen(h->fixed[i]);
	*n += strlen(h->id) + strlen(h->summary);
}

/* A one-record database, indexed as osv_load.c would. */
static void match_record(struct osv_record *rec)
{
	struct osv_index_entry index[8];
	struct gw_osv_db db = { .nrecs = 1, .recs = &rec, .index = index };
	size_t n = 0;

	for (size_t k = 0; k < rec->naff && k < 8; k++)
		index[db.nindex++] =
			(struct osv_index_entry){ rec->aff[k].norm, rec,
						  &rec->aff[k] };
	for (size_t k = 0; k < db.nindex; k++) {
		for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++)
			if (gw_osv_match_text(&db, index[k].norm, probes[i],
					      count_hit, &n) < 0)
				abort();
		gw_osv_match_text(&db, index[k].norm, "not a version",
				  count_hit, &n);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct osv_arena arena = { .max_bytes = 64u * 1024 * 1024 };
	struct gw_osv_stats stats;
	struct osv_load ld = { .arena = &arena, .stats = &stats };
	char *copy = malloc(size ? size : 1);
	int rc;

	if (!copy)
		return 0;
	memset(&stats, 0, sizeof(stats));
	memcpy(copy, data, size);
	rc = gw_osv_record_add(&ld, copy, size, "fuzz.json");
	if (rc < 0 && rc != -ENOMEM)
		abort();
	if (rc == 0 && ld.nrecs + stats.skipped > 1)
		abort();
	if (stats.skipped && !ld.shown[0][0])
		abort();
	for (size_t i = 0; i < ld.nrecs; i++)
		match_record(ld.recs[i]);
	gw_osv_load_done(&ld);
	gw_osv_arena_free(&arena);
	free(copy);
	return 0;
}
