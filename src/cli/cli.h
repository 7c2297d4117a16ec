/*
 * The gymwarden command: shared pieces every subcommand uses.
 *
 * A subcommand is a struct gw_cmd: its name, a usage line, a table of
 * options and a run function. The option table drives both the parser
 * and --help, so the two cannot disagree.
 */
#ifndef GW_CLI_CLI_H
#define GW_CLI_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Exit status of every subcommand. */
enum {
	GW_EXIT_OK = 0,	      /* success, nothing found */
	GW_EXIT_FINDINGS = 1, /* findings or violations */
	GW_EXIT_ERROR = 2,    /* usage or runtime error, partial result */
};

enum gw_format {
	GW_FORMAT_TEXT,
	GW_FORMAT_JSON,
	GW_FORMAT_SARIF,
	GW_FORMAT_CYCLONEDX,
};

/* What the process was started with, decided once in main. */
struct gw_cli {
	FILE *out;
	FILE *err;
	bool color;    /* stdout is a terminal and NO_COLOR is unset */
	bool progress; /* stderr is a terminal */
	const char *prog;
};

struct gw_opt;

/*
 * Store arg (NULL for a flag) into cfg as opt says. Returns 0, or -EINVAL
 * after printing "gymwarden CMD: ..." to stderr.
 */
typedef int (*gw_opt_setter)(void *cfg, const struct gw_opt *opt,
			     const char *arg);

struct gw_opt {
	const char *name;    /* long name, without "--" */
	char short_name;     /* 0 when none */
	const char *metavar; /* NULL: a flag that takes no argument */
	gw_opt_setter set;
	size_t offset; /* where in cfg the setter writes */
	const char *help;
	/* For gw_opt_choice: the allowed words, NULL-terminated. */
	const char *const *choices;
};

#define GW_OPT_END                                                             \
	{                                                                      \
		NULL, 0, NULL, NULL, 0, NULL, NULL                             \
	}

/* Stock setters: bool flag, string, unsigned long, one of choices. */
int gw_opt_flag(void *cfg, const struct gw_opt *opt, const char *arg);
int gw_opt_string(void *cfg, const struct gw_opt *opt, const char *arg);
int gw_opt_ulong(void *cfg, const struct gw_opt *opt, const char *arg);
/* Stores the index of arg in opt->choices as an int. */
int gw_opt_choice(void *cfg, const struct gw_opt *opt, const char *arg);

/* The choices for --format in the order of enum gw_format. */
extern const char *const gw_format_names[];

struct gw_cmd {
	const char *name;
	const char *args;	   /* positional part of the usage line */
	const char *summary;	   /* one line for `gymwarden --help` */
	const char *description;   /* paragraph for `gymwarden CMD --help` */
	const struct gw_opt *opts; /* ends with GW_OPT_END */
	size_t cfg_size; /* a zeroed cfg of this size is passed to run */
	int min_args;
	int max_args; /* -1: no limit */
	/* Called before parsing to set defaults in cfg; may be NULL. */
	void (*defaults)(void *cfg);
	int (*run)(struct gw_cli *cli, void *cfg, int argc, char **argv);
};

/*
 * Parse argv (argv[0] is the subcommand name) against cmd's table into
 * cfg, leaving the positional arguments in argv[0..*argc) in order.
 * Returns 0, 1 when --help was printed, or -EINVAL on a usage error
 * (already reported).
 */
int gw_cli_parse(const struct gw_cli *cli, const struct gw_cmd *cmd, void *cfg,
		 int *argc, char **argv);

/* Print cmd's usage, description and option table to f. */
void gw_cli_print_help(FILE *f, const char *prog, const struct gw_cmd *cmd);

/* Report a usage error for cmd and point at --help; returns GW_EXIT_ERROR. */
int gw_cli_usage_error(const struct gw_cli *cli, const struct gw_cmd *cmd,
		       const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Colour codes for text output, empty strings when colour is off. */
enum gw_color {
	GW_COLOR_RESET,
	GW_COLOR_RED,
	GW_COLOR_GREEN,
	GW_COLOR_YELLOW,
	GW_COLOR_BOLD,
	GW_COLOR_DIM
};
const char *gw_cli_color(const struct gw_cli *cli, enum gw_color c);

/*
 * Show "label: done/total" on stderr, overwriting itself, when stderr is
 * a terminal; nothing otherwise. gw_cli_progress_end clears the line.
 */
void gw_cli_progress(const struct gw_cli *cli, const char *label, size_t done,
		     size_t total);
void gw_cli_progress_end(const struct gw_cli *cli);

/*
 * Write a jansson document to cli->out, indented, with a final newline.
 * Steals the reference to doc. Returns 0 or -EIO.
 */
struct json_t;
int gw_cli_print_json(const struct gw_cli *cli, struct json_t *doc);

/*
 * When the command runs from its build tree, point cfg's launcher and
 * worker paths at the copies built there (unless already set).
 */
struct gw_env_config;
void gw_cli_env_paths(struct gw_env_config *cfg);

/* The JSON output schema version every document carries as "version". */
#define GW_JSON_VERSION 1

/*
 * The registry of records, approve and revoke: the database at
 * registry, else the registry of the manifest at manifest, else of
 * ./gymwarden.toml when it exists, else .gymwarden/registry.db. The
 * manifest, when one was loaded, goes to *m (freed by the caller, like
 * *reg). Returns 0; -ENOENT when the database does not exist (nothing
 * printed); GW_EXIT_ERROR after printing why.
 */
struct gw_registry;
struct gw_manifest;
int gw_cli_open_registry(const struct gw_cli *cli, const struct gw_cmd *cmd,
			 const char *registry, const char *manifest,
			 struct gw_registry **reg, struct gw_manifest **m);

/* The record ref names (number or digest prefix): 0, or GW_EXIT_ERROR
 * after printing why. */
int gw_cli_find_record(const struct gw_cli *cli, const struct gw_cmd *cmd,
		       struct gw_registry *reg, const char *ref, int64_t *id);

/* Every subcommand, defined one per file in src/cli/cmd_*.c. */
extern const struct gw_cmd gw_cmd_approve;
extern const struct gw_cmd gw_cmd_audit;
extern const struct gw_cmd gw_cmd_deps;
extern const struct gw_cmd gw_cmd_detokenize;
extern const struct gw_cmd gw_cmd_doctor;
extern const struct gw_cmd gw_cmd_fuzz;
extern const struct gw_cmd gw_cmd_inventory;
extern const struct gw_cmd gw_cmd_manifest;
extern const struct gw_cmd gw_cmd_records;
extern const struct gw_cmd gw_cmd_replay;
extern const struct gw_cmd gw_cmd_revoke;
extern const struct gw_cmd gw_cmd_run;
extern const struct gw_cmd gw_cmd_sandbox;
extern const struct gw_cmd gw_cmd_sanitize;
extern const struct gw_cmd gw_cmd_version;
extern const struct gw_cmd gw_cmd_vet;

#endif /* GW_CLI_CLI_H */
