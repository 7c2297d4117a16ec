/*
 * The results of `gymwarden fuzz` kept in the fuzzed environment's
 * vetting record (docs/fuzz.md, "Vetting records").
 */
#ifndef GW_CLI_FUZZ_RECORD_H
#define GW_CLI_FUZZ_RECORD_H

#include <stdbool.h>
#include <stdint.h>

#include "fuzz/fuzz.h"
#include "gymwarden.h"

/* The tool name records made by `gymwarden fuzz` carry. */
#define GW_FUZZ_TOOL "gymwarden-fuzz"

struct gw_fuzz_stored {
	int64_t id;
	bool created; /* a new record rather than an attachment */
};

/*
 * Store json, the report of a run on env of m over tree t (digested
 * before the run), in the manifest's registry (created when missing):
 * attached to the newest record of env with t's digest, or, when there
 * is none, as a new record (tool GW_FUZZ_TOOL, every finding of fs,
 * verdict v) holding it. Returns 0 and *out, or a negative errno with
 * err naming the registry.
 */
int gw_fuzz_record_store(const struct gw_manifest *m, const char *env,
			 const struct gw_tree *t,
			 const struct gw_fuzz_findings *fs,
			 enum gw_record_verdict v, const char *json,
			 struct gw_fuzz_stored *out, struct gw_error *err);

#endif /* GW_CLI_FUZZ_RECORD_H */
