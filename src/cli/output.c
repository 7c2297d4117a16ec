#include <errno.h>
#include <jansson.h>
#include <stdio.h>

#include "cli/cli.h"

const char *gw_cli_color(const struct gw_cli *cli, enum gw_color c)
{
	static const char *const codes[] = {
		[GW_COLOR_RESET] = "\033[0m",  [GW_COLOR_RED] = "\033[31m",
		[GW_COLOR_GREEN] = "\033[32m", [GW_COLOR_YELLOW] = "\033[33m",
		[GW_COLOR_BOLD] = "\033[1m",   [GW_COLOR_DIM] = "\033[2m",
	};

	return cli->color ? codes[c] : "";
}

void gw_cli_progress(const struct gw_cli *cli, const char *label, size_t done,
		     size_t total)
{
	if (!cli->progress)
		return;
	fprintf(cli->err, "\r\033[K%s: %zu/%zu", label, done, total);
	fflush(cli->err);
}

void gw_cli_progress_end(const struct gw_cli *cli)
{
	if (!cli->progress)
		return;
	fprintf(cli->err, "\r\033[K");
	fflush(cli->err);
}

int gw_cli_print_json(const struct gw_cli *cli, struct json_t *doc)
{
	int r;

	if (!doc)
		return -ENOMEM;
	r = json_dumpf(doc, cli->out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(doc);
	if (r != 0 || fputc('\n', cli->out) == EOF)
		return -EIO;
	return 0;
}
