/* The text form of a dependency audit, grouped by file. */
#ifndef GW_CLI_DEPS_TEXT_H
#define GW_CLI_DEPS_TEXT_H

#include "cli/cli.h"
#include "deps/audit.h"

/* Print rep to cli->out; every text from a file is escaped. */
void gw_deps_print_text(const struct gw_cli *cli,
			const struct gw_deps_report *rep);

#endif /* GW_CLI_DEPS_TEXT_H */
