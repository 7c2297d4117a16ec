/*
 * Where the launcher and the worker are when the command runs from its
 * build tree. An installed command finds them at their install paths
 * (the monitor's defaults); one run as ./build/src/cli/gymwarden must
 * use the copies built beside it, not whatever an older install left.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "gymwarden.h"

static char jail[PATH_MAX];
static char worker[PATH_MAX];

void gw_cli_env_paths(struct gw_env_config *cfg)
{
	static const char root[] = GW_BUILD_ROOT "/";
	char exe[PATH_MAX];
	ssize_t n;

	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return;
	exe[n] = '\0';
	if (strncmp(exe, root, sizeof(root) - 1) != 0)
		return;

	snprintf(jail, sizeof(jail), "%ssrc/jail/gymwarden-jail", root);
	snprintf(worker, sizeof(worker), "%spython/gymwarden/worker.py", root);
	/* GYMWARDEN_JAIL and GYMWARDEN_WORKER still win: the monitor reads
	 * them only when cfg leaves a path unset. */
	if (!cfg->jail_path && !getenv("GYMWARDEN_JAIL") &&
	    access(jail, X_OK) == 0)
		cfg->jail_path = jail;
	if (!cfg->worker_path && !getenv("GYMWARDEN_WORKER") &&
	    access(worker, R_OK) == 0)
		cfg->worker_path = worker;
}
