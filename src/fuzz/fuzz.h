/*
 * Dynamic analysis: run an environment in its sandbox under a set of
 * strategies and record what it did and what it tried (docs/fuzz.md).
 *
 * The pieces, each in its own file:
 *   strategy.c  which episodes a run plays and the actions of each
 *               (pure: no system calls, no globals)
 *   options.c   reset options built from the manifest's reset_options
 *   replay.c    the replay file: episodes as seeds, options and actions
 *   findings.c  the list of findings, merged by what they are
 *   stats.c     step times, resource samples and what they show
 *   proc.c      the worker's process tree as /proc shows it (syscalls)
 *   observe.c   lines of the observe hook, parsed (untrusted)
 *   engine.c    the run: open, play, watch, reopen after a crash
 *   report.c    the report as JSON and as text
 */
#ifndef GW_FUZZ_FUZZ_H
#define GW_FUZZ_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/rng.h"
#include "gymwarden.h"

struct gw_space_layout;
struct gw_param_specs;
struct json_t;

/* ---- strategies ------------------------------------------------------ */

enum gw_fuzz_strategy {
	GW_FUZZ_SEEDS,	   /* many reset seeds, a few steps after each */
	GW_FUZZ_UNIFORM,   /* uniform samples of the action space */
	GW_FUZZ_BOUNDARY,  /* extremes of all elements, then of each one */
	GW_FUZZ_REPEAT,	   /* one sampled action, every step */
	GW_FUZZ_ALTERNATE, /* two sampled actions in turn */
	GW_FUZZ_OPTIONS,   /* resets with the options the manifest allows */
	GW_FUZZ_LONG,	   /* past the manifest's max_episode_steps */
	GW_FUZZ_REPLAY,	   /* the actions of a replay file */
	GW_FUZZ_STRATEGY_COUNT,
};

/* "uniform", "boundary", ...; static. */
const char *gw_fuzz_strategy_name(enum gw_fuzz_strategy s);
/* The strategy called name, or -1. */
int gw_fuzz_strategy_from_name(const char *name);

/* Steps after each reset of the seed sweep. */
#define GW_FUZZ_SEED_STEPS 2u

/* What a run plays, fixed before it starts. */
struct gw_fuzz_plan_cfg {
	uint64_t seed;	       /* --seed: the base of episode seeds */
	size_t episodes;       /* --episodes, after the seed sweep */
	uint64_t steps;	       /* --steps: the cap of any episode */
	uint64_t manifest_max; /* max_episode_steps, 0 when none */
	size_t seed_sweep;     /* resets of the sweep (0: none) */
	size_t n_option_sets;  /* 0 when the manifest allows none */
};

/* One planned episode. */
struct gw_fuzz_plan_entry {
	enum gw_fuzz_strategy strategy;
	uint64_t seed;
	uint64_t max_steps;
	size_t option_set; /* GW_FUZZ_OPTIONS only */
};

/* Episodes in the plan: the two sweeps and then cfg->episodes. */
size_t gw_fuzz_plan_length(const struct gw_fuzz_plan_cfg *cfg);

/*
 * Entry k of the plan: first the seed sweep (seeds S, S+1, ... and then
 * values at the edges of 31, 32, 53, 63 and 64 bits), then one episode
 * per option set (at most GW_FUZZ_MAX_OPTION_SETS), then uniform,
 * boundary, repeat, alternate and long in turn.
 */
void gw_fuzz_plan_at(const struct gw_fuzz_plan_cfg *cfg, size_t k,
		     struct gw_fuzz_plan_entry *out);

/*
 * The actions of one episode. The generator owns two packed actions
 * (for repeat and alternate) and a zero base (for boundary); the layout
 * must outlive it.
 */
struct gw_fuzz_gen {
	const struct gw_space_layout *layout;
	enum gw_fuzz_strategy strategy;
	struct gw_rng rng;
	size_t bytes;
	uint64_t nelem;
	unsigned char *a, *b, *base;
};

/* Returns 0 or -ENOMEM. */
int gw_fuzz_gen_init(struct gw_fuzz_gen *g, const struct gw_space_layout *l,
		     enum gw_fuzz_strategy s, uint64_t seed);
void gw_fuzz_gen_release(struct gw_fuzz_gen *g);

/*
 * The action of step (0-based) into out (the layout's size). Boundary
 * plays every extreme on all elements at once, then low and high of
 * each element in turn (the rest at zero), at most
 * GW_FUZZ_BOUNDARY_MAX_ELEMS elements, and starts over.
 */
void gw_fuzz_gen_next(struct gw_fuzz_gen *g, uint64_t step, void *out);

/* ---- reset options ------------------------------------------------- */

/*
 * Option sets for the manifest's reset_options: set k gives each option
 * the k-th of its interesting values (its choices, or min, max, the
 * default and a middle value; true and false; ...), wrapping. The
 * number of sets is the largest count of values (0 without options).
 */
size_t gw_fuzz_option_sets(const struct gw_param_specs *specs);

/* Set k as compact JSON text the caller frees; NULL without memory. */
char *gw_fuzz_option_set_json(const struct gw_param_specs *specs, size_t k);

/* ---- the replay file ------------------------------------------------ */

/* One episode as played: enough to play it again exactly. */
struct gw_fuzz_script {
	enum gw_fuzz_strategy strategy;
	size_t episode; /* 1-based, in the run that made it */
	bool has_seed;
	uint64_t seed;
	char *options; /* compact JSON object, or NULL */
	size_t action_bytes;
	size_t n_actions; /* steps taken */
	size_t cap;
	unsigned char *actions; /* n_actions x action_bytes, owned */
	uint64_t *hashes;	/* n_actions + 1: the reset, then each step */
	bool ended_clean;	/* reset and every step returned 0 */
	bool truncated;		/* actions past the cap were not kept */
};

void gw_fuzz_script_init(struct gw_fuzz_script *s, size_t action_bytes);
void gw_fuzz_script_release(struct gw_fuzz_script *s);
/* Append one action and the hash of its result; -ENOMEM, -E2BIG. */
int gw_fuzz_script_push(struct gw_fuzz_script *s, const void *action,
			uint64_t hash);
/* Record the hash of the reset's result; -ENOMEM. */
int gw_fuzz_script_set_reset(struct gw_fuzz_script *s, uint64_t hash);

/* A replay file: the env it is for and its episodes. */
struct gw_fuzz_replay {
	char env[256];
	size_t action_bytes;
	char action_space[512]; /* gw_space_format of the pinned space */
	struct gw_fuzz_script *scripts;
	size_t n;
};

void gw_fuzz_replay_release(struct gw_fuzz_replay *r);

/*
 * The replay document of n scripts ({"version", "kind": "fuzz-replay",
 * "env", "action_bytes", "action_space", "episodes": [...]}, actions in
 * hex, at most upto[i] of script i when upto is not NULL). A new
 * reference or NULL.
 */
struct json_t *gw_fuzz_replay_to_json(const char *env, size_t action_bytes,
				      const char *action_space,
				      const struct gw_fuzz_script *const *s,
				      const size_t *upto, size_t n);

/*
 * Parse len bytes of a replay document (untrusted: every count and
 * length is checked against GW_FUZZ_* caps before it is used). Returns 0
 * and *out, or -EINVAL / -E2BIG / -ENOMEM with err saying where.
 */
int gw_fuzz_replay_parse(const char *text, size_t len,
			 struct gw_fuzz_replay *out, struct gw_error *err);

/* Read and parse the file at path (at most GW_FUZZ_REPLAY_MAX_BYTES). */
int gw_fuzz_replay_load(const char *path, struct gw_fuzz_replay *out,
			struct gw_error *err);

/* ---- findings ------------------------------------------------------- */

enum gw_fuzz_severity {
	GW_FUZZ_INFO,
	GW_FUZZ_LOW,
	GW_FUZZ_MEDIUM,
	GW_FUZZ_HIGH,
};

const char *gw_fuzz_severity_name(enum gw_fuzz_severity s);

/* Who says so: how far a finding can be trusted. */
enum gw_fuzz_evidence {
	GW_FUZZ_BY_SANDBOX, /* the launcher's seccomp or limits */
	GW_FUZZ_BY_MONITOR, /* the monitor's checks, exits, deadlines */
	GW_FUZZ_BY_HOST,    /* measured from outside: /proc, the tree */
	GW_FUZZ_BY_ENV,	    /* the observe hook inside the worker */
};

const char *gw_fuzz_evidence_name(enum gw_fuzz_evidence e);

struct gw_fuzz_finding {
	char kind[32]; /* "violation", "exception", "memory-growth"... */
	char name[64]; /* the syscall, fault class, event; may be "" */
	enum gw_fuzz_severity severity;
	enum gw_fuzz_evidence evidence;
	size_t episode; /* 1-based; 0 when not tied to one */
	int64_t step;	/* 0 for reset, -1 when not tied to one */
	uint64_t count; /* times seen */
	char detail[1024];
	char key[512]; /* what merges repeats: kind, name and a part */
	size_t script; /* index + 1 of the episode's script, 0: none */
};

struct gw_fuzz_findings {
	struct gw_fuzz_finding *items;
	size_t n, alloc;
	uint64_t dropped; /* past GW_FUZZ_MAX_FINDINGS */
};

/*
 * Add f, or count it on the finding with the same key (keeping the
 * first step and episode, raising the severity to the higher one).
 * Returns the finding kept, or NULL when past the cap or out of memory.
 */
struct gw_fuzz_finding *gw_fuzz_findings_add(struct gw_fuzz_findings *l,
					     const struct gw_fuzz_finding *f);
void gw_fuzz_findings_release(struct gw_fuzz_findings *l);
/* Findings at or above s. */
size_t gw_fuzz_findings_at_least(const struct gw_fuzz_findings *l,
				 enum gw_fuzz_severity s);

/* ---- statistics ------------------------------------------------------ */

/* Durations kept for percentiles; past the cap, a reservoir. */
struct gw_fuzz_times {
	uint64_t *ns;
	size_t n, cap;
	uint64_t seen, max_ns, sum_ns;
	struct gw_rng rng;
};

int gw_fuzz_times_init(struct gw_fuzz_times *t, size_t cap);
void gw_fuzz_times_release(struct gw_fuzz_times *t);
void gw_fuzz_times_add(struct gw_fuzz_times *t, uint64_t ns);
/* The p-th percentile (0..100) of the kept durations; sorts them. */
uint64_t gw_fuzz_times_percentile(struct gw_fuzz_times *t, double p);

/* What the worker's processes use, summed over the tree. */
struct gw_fuzz_usage {
	uint64_t rss_bytes;
	uint64_t threads;
	uint64_t fds;
	uint64_t cpu_ns;
	unsigned procs;
};

/*
 * Sum the usage of every process below root (the launcher: the worker
 * is its grandchild inside the sandbox's pid namespace), root excluded.
 * Returns 0, or -ESRCH when none could be read.
 */
int gw_fuzz_proc_usage(int root, struct gw_fuzz_usage *out);

/*
 * Resource growth over one worker's life: the first sample after its
 * first reset is the baseline; a sample past it by a threshold marks a
 * candidate with its episode and step, confirmed when the worker's last
 * sample still holds it.
 */
struct gw_fuzz_growth {
	bool have_base;
	struct gw_fuzz_usage base, last, peak;
	uint64_t base_steps, last_steps; /* steps since the worker opened */
	bool mem_hit, thr_hit, fd_hit;
	size_t mem_ep, thr_ep, fd_ep;
	int64_t mem_step, thr_step, fd_step;
	uint64_t mem_at, thr_at, fd_at;
	/* CPU per step: the first window and the latest one. */
	uint64_t cpu_first_ns, cpu_first_steps;
	uint64_t cpu_win_ns, cpu_win_steps, cpu_win_start_ns, cpu_win_start;
};

void gw_fuzz_growth_reset(struct gw_fuzz_growth *g);
void gw_fuzz_growth_sample(struct gw_fuzz_growth *g,
			   const struct gw_fuzz_usage *u, uint64_t steps,
			   size_t episode, int64_t step);
/* Findings for what a worker's life showed, into l. */
void gw_fuzz_growth_findings(const struct gw_fuzz_growth *g,
			     struct gw_fuzz_findings *l);

/* FNV-1a over len bytes, continuing from h (start: GW_FUZZ_HASH_INIT). */
#define GW_FUZZ_HASH_INIT 0xcbf29ce484222325ull
uint64_t gw_fuzz_hash(uint64_t h, const void *p, size_t len);

/* ---- the observe hook's lines --------------------------------------- */

/* The prefix of a line the hook writes to stderr. */
#define GW_FUZZ_OBSERVE_PREFIX "gymwarden-observe: "

/* One attempt the hook saw: an event name and its decoded arguments. */
struct gw_fuzz_attempt {
	char event[64]; /* "open", "socket.connect", "os.exec" */
	char args[512]; /* "path=/etc/passwd mode=r", decoded, escaped */
	int64_t step;	/* the step the hook counted, -1 when not said */
	int64_t reset;	/* resets in the worker before it, -1: not said */
	enum gw_fuzz_severity severity;
};

/*
 * Parse one escaped log line. Returns true and fills *out for a line of
 * the hook ("gymwarden-observe: EVENT step=N reset=R key=value..." with
 * values percent-encoded); false for any other line.
 */
bool gw_fuzz_parse_observe(const char *line, struct gw_fuzz_attempt *out);

/* ---- the run ---------------------------------------------------------- */

struct gw_fuzz_opts {
	const char *env;
	uint64_t seed;
	size_t episodes;
	uint64_t steps;
	uint64_t time_ns; /* 0: no budget */
	size_t seed_sweep;
	const struct gw_fuzz_replay *replay; /* NULL: the strategies */
	bool keep_all_scripts;		     /* for --save-replay */
	bool observe_hook;     /* run the worker through observe.py */
	const char *jail_path; /* NULL: the monitor's default */
	const char *worker_path;
	/* Progress, once per episode; may be NULL. */
	void (*progress)(void *arg, size_t done, size_t total);
	void *progress_arg;
};

struct gw_fuzz_run;

/*
 * Fuzz env of m (which the run changes for itself: on_violation errno,
 * vetting off, no max_episode_steps; see gw_manifest_env_fuzz_copy).
 * Returns 0 and a run in *out even when the env misbehaved (that is
 * what the findings say); a negative errno with err for our own errors
 * (no such env, a sandbox that cannot be built), *out then NULL.
 */
int gw_fuzz_run(struct gw_manifest *m, const struct gw_fuzz_opts *o,
		struct gw_fuzz_run **out, struct gw_error *err);
void gw_fuzz_run_free(struct gw_fuzz_run *r);

const struct gw_fuzz_findings *
gw_fuzz_run_findings(const struct gw_fuzz_run *r);

/*
 * The report: {"version", "kind": "fuzz", ...} (docs/fuzz.md). With
 * with_scripts the episodes that findings point at come along, so the
 * document replays them. A new reference or NULL.
 */
struct json_t *gw_fuzz_report_json(struct gw_fuzz_run *r, const char *manifest,
				   enum gw_fuzz_severity threshold,
				   bool with_scripts);

/* The report as text, escaped; color codes may be "" each. */
struct gw_fuzz_colors {
	const char *bold, *reset, *red, *yellow, *dim;
};
void gw_fuzz_report_text(struct gw_fuzz_run *r, FILE *out,
			 enum gw_fuzz_severity threshold,
			 const struct gw_fuzz_colors *c);

/* The replay document of the episodes findings point at (or all kept). */
struct json_t *gw_fuzz_run_replay_json(const struct gw_fuzz_run *r);

/* Whether the run ended early on an error of ours (not the env's). */
bool gw_fuzz_run_partial(const struct gw_fuzz_run *r);

/* The tree digest before the run ("" when it could not be taken). */
const char *gw_fuzz_run_digest(const struct gw_fuzz_run *r);
/* The digested tree before the run, for a record; may be NULL. */
const struct gw_tree *gw_fuzz_run_tree(const struct gw_fuzz_run *r);

#endif /* GW_FUZZ_FUZZ_H */
