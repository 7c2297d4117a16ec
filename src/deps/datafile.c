/*
 * Finding the data files gymwarden ships (the popular-package list):
 * $GYMWARDEN_DATADIR when set, else beside the running program, in the
 * build tree (build/src/cli/gymwarden -> build/data/) or an installed
 * prefix (bin/gymwarden -> share/gymwarden/), else the datadir this build
 * was configured for. Never the shared test data.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "deps/audit.h"
#include "deps/deps_config.h"

/* Folders relative to the program's own folder, in order. */
static const char *const beside_program[] = {
	"../../data",	      /* the build tree */
	"../share/gymwarden", /* an installed prefix */
};

static bool found(char *buf, size_t cap, const char *dir, const char *name)
{
	int n = snprintf(buf, cap, "%s/%s", dir, name);

	return n > 0 && (size_t)n < cap && access(buf, R_OK) == 0;
}

const char *gw_deps_data_path(const char *name, char *buf, size_t cap)
{
	const char *env = secure_getenv("GYMWARDEN_DATADIR");
	char exe[PATH_MAX], dir[PATH_MAX + 32];
	ssize_t n;

	if (env && env[0])
		return found(buf, cap, env, name) ? buf : NULL;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		char *slash;

		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash)
			*slash = '\0';
		for (size_t i = 0;
		     i < sizeof(beside_program) / sizeof(beside_program[0]);
		     i++) {
			snprintf(dir, sizeof(dir), "%s/%s", exe,
				 beside_program[i]);
			if (found(buf, cap, dir, name))
				return buf;
		}
	}
	return found(buf, cap, GW_DEPS_DATADIR, name) ? buf : NULL;
}
