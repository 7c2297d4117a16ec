/*
 * The results of `gymwarden deps` kept in the audited environment's
 * vetting record (docs/deps.md, "Vetting records").
 */
#ifndef GW_CLI_DEPS_RECORD_H
#define GW_CLI_DEPS_RECORD_H

#include <stdbool.h>
#include <stdint.h>

#include "deps/audit.h"
#include "gymwarden.h"

/* The tool name records made by `gymwarden deps` carry. */
#define GW_DEPS_TOOL "gymwarden-deps"

/* Which record got the results. */
struct gw_deps_stored {
	int64_t id;
	bool created; /* a new record rather than an attachment */
};

/*
 * The newest record of env whose tree digest is digest, into *id (0 when
 * there is none): where a later tool's results (deps, fuzz) attach.
 * Returns 0 or a negative errno with err filled.
 */
int gw_cli_newest_record(struct gw_registry *reg, const char *env,
			 const char *digest, int64_t *id, struct gw_error *err);

/*
 * The verdict of a record made from rep: fail when a finding is at least
 * rep->fail_on, else partial when the run was (rep->exit_status says an
 * error), else pass.
 */
enum gw_record_verdict gw_deps_record_verdict(const struct gw_deps_report *rep);

/*
 * Store rep, the audit of env e of manifest m, and json, its document as
 * `--format json` prints it, in the manifest's registry. t is e's tree,
 * hashed before the audit. The document is attached to the newest record
 * of e with t's digest; when there is none, a new record is written for
 * e and t (tool GW_DEPS_TOOL, the findings, the verdict above) with the
 * document in it, all in one transaction. The registry is created first
 * when create is set; otherwise a missing one is -ENOENT. Returns 0 and
 * *out, or a negative errno with err naming the registry.
 */
int gw_deps_record_store(const struct gw_manifest *m,
			 const struct gw_manifest_env *e,
			 const struct gw_tree *t,
			 const struct gw_deps_report *rep, const char *json,
			 bool create, struct gw_deps_stored *out,
			 struct gw_error *err);

#endif /* GW_CLI_DEPS_RECORD_H */
