/*
 * gymwarden COMMAND [options]: the entry point. Finds the subcommand in
 * the table, parses its options from the subcommand's own table and runs
 * it. Only this file and the launcher's child may exit the process.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "gymwarden.h"

static const struct gw_cmd *const commands[] = {
	&gw_cmd_approve, &gw_cmd_deps,	    &gw_cmd_doctor,
	&gw_cmd_fuzz,	 &gw_cmd_inventory, &gw_cmd_manifest,
	&gw_cmd_records, &gw_cmd_revoke,    &gw_cmd_run,
	&gw_cmd_sandbox, &gw_cmd_sanitize,  &gw_cmd_detokenize,
	&gw_cmd_version, &gw_cmd_vet,	    &gw_cmd_audit,
	&gw_cmd_replay,
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void print_main_help(FILE *f)
{
	fprintf(f, "Usage: gymwarden COMMAND [options]\n\n"
		   "Run reinforcement-learning environments you did not "
		   "write without trusting them.\n\nCommands:\n");
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(f, "  %-12s %s\n", commands[i]->name,
			commands[i]->summary);
	fprintf(f, "\nOptions:\n"
		   "  -h, --help     show this help and exit\n"
		   "  -V, --version  print the version and exit\n"
		   "\nRun 'gymwarden COMMAND --help' for a command's "
		   "options.\n"
		   "Exit status: 0 success and nothing found, 1 findings or "
		   "violations,\n2 usage or runtime error.\n");
}

static const struct gw_cmd *find_command(const char *name)
{
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (strcmp(commands[i]->name, name) == 0)
			return commands[i];
	return NULL;
}

static int run_command(struct gw_cli *cli, const struct gw_cmd *cmd, int argc,
		       char **argv)
{
	void *cfg;
	int r;

	cfg = calloc(1, cmd->cfg_size ? cmd->cfg_size : 1);
	if (!cfg) {
		fprintf(cli->err, "gymwarden: out of memory\n");
		return GW_EXIT_ERROR;
	}
	if (cmd->defaults)
		cmd->defaults(cfg);

	r = gw_cli_parse(cli, cmd, cfg, &argc, argv);
	if (r == 1) {
		gw_cli_print_help(cli->out, cli->prog, cmd);
		r = GW_EXIT_OK;
	} else if (r < 0) {
		r = GW_EXIT_ERROR;
	} else {
		r = cmd->run(cli, cfg, argc, argv);
	}
	free(cfg);
	return r;
}

int main(int argc, char **argv)
{
	struct gw_cli cli = {
		.out = stdout,
		.err = stderr,
		.prog = "gymwarden",
	};
	const struct gw_cmd *cmd;
	const char *no_color = getenv("NO_COLOR");
	int r;

	cli.color = isatty(STDOUT_FILENO) && !(no_color && no_color[0]);
	cli.progress = isatty(STDERR_FILENO);

	if (argc < 2) {
		print_main_help(stderr);
		return GW_EXIT_ERROR;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		print_main_help(stdout);
		return GW_EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("gymwarden %s\n", gw_version());
		return GW_EXIT_OK;
	}

	cmd = find_command(argv[1]);
	if (!cmd) {
		fprintf(stderr,
			"gymwarden: unknown command '%s'\n"
			"Try 'gymwarden --help' for the list.\n",
			argv[1]);
		return GW_EXIT_ERROR;
	}
	r = run_command(&cli, cmd, argc - 1, argv + 1);
	if (fflush(stdout) != 0 && r == GW_EXIT_OK)
		r = GW_EXIT_ERROR;
	return r;
}
