/*
 * Pieces shared by `gymwarden audit`, `gymwarden replay` and the
 * --audit / --record options of `gymwarden run` (src/cli/run_audit.c).
 */
#ifndef GW_CLI_AUDIT_CLI_H
#define GW_CLI_AUDIT_CLI_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "audit/audit.h"
#include "audit/record.h"
#include "cli/cli.h"

/*
 * Load the key file path into key for cmd, printing why on failure:
 * 0 or GW_EXIT_ERROR.
 */
int gw_cli_audit_key(const struct gw_cli *cli, const char *cmd,
		     const char *path, struct gw_audit_key *key);

/*
 * Print v as compact JSON, ASCII only (so nothing in it can drive a
 * terminal), cut to GW_ESCAPED_MAX_BYTES with "..." when longer.
 */
void gw_cli_audit_put_json(FILE *out, const json_t *v);

/* The break as JSON ({"line", "seq", "offset", "fault", "detail"}). */
json_t *gw_cli_audit_break_json(const struct gw_audit_break *brk);

/*
 * Say on out "FILE: broken at record L (seq S, byte O): FAULT: DETAIL",
 * escaped.
 */
void gw_cli_audit_print_break(FILE *out, const char *path,
			      const struct gw_audit_break *brk);

/* The log and recording of one `gymwarden run`; both may be NULL. */
struct gw_run_audit {
	struct gw_audit *log;
	struct gw_record *rec;
	bool failed; /* a write failed: the run ends with GW_EXIT_ERROR */
	uint64_t episode;
};

/*
 * Open the audit log at audit_path (NULL: none; encrypted with the key
 * file audit_key when not NULL) and write the run's start record.
 * 0, or GW_EXIT_ERROR after printing why.
 */
int gw_run_audit_start(const struct gw_cli *cli, struct gw_run_audit *ra,
		       const char *audit_path, const char *audit_key,
		       const char *manifest, const char *env, uint64_t seed,
		       uint64_t episodes);

/* Open the recording (NULL path: none) for the opened env e. Same. */
struct gw_env;
int gw_run_record_start(const struct gw_cli *cli, struct gw_run_audit *ra,
			const char *path, const char *key, const char *env_id,
			struct gw_env *e);

/* One monitor event into the audit log. */
struct gw_event;
void gw_run_audit_event(struct gw_run_audit *ra, const struct gw_event *ev);

/* A reset or step that succeeded into the recording. */
struct gw_step;
void gw_run_record_reset(struct gw_run_audit *ra, struct gw_env *e,
			 uint64_t seed, const struct gw_step *st);
void gw_run_record_step(struct gw_run_audit *ra, struct gw_env *e,
			const void *action, size_t len,
			const struct gw_step *st);

/* An episode's summary into the audit log. */
void gw_run_audit_episode(struct gw_run_audit *ra, uint64_t episode,
			  uint64_t seed, uint64_t steps, double ret,
			  const char *end);

/*
 * Write the end record (the exit status, the violation count, the
 * violations listed by the run and its own error, both borrowed and
 * either NULL) and close both files. Returns status, or GW_EXIT_ERROR
 * when a write or close failed (after saying so on cli->err).
 */
int gw_run_audit_finish(const struct gw_cli *cli, struct gw_run_audit *ra,
			int status, uint64_t n_violations, json_t *violations,
			json_t *error);

#endif /* GW_CLI_AUDIT_CLI_H */
