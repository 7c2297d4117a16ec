#include <jansson.h>

#include "cli/cli.h"
#include "gymwarden.h"

struct version_cfg {
	int format;
};

static const struct gw_opt version_opts[] = {
	{ "format", 'f', "FORMAT", gw_opt_choice,
	  offsetof(struct version_cfg, format), "output format",
	  (const char *const[]){ "text", "json", NULL } },
	GW_OPT_END,
};

static int version_run(struct gw_cli *cli, void *cfg_, int argc, char **argv)
{
	struct version_cfg *cfg = cfg_;

	(void)argc;
	(void)argv;
	if (cfg->format == GW_FORMAT_JSON) {
		json_t *doc =
			json_pack("{s:i, s:s, s:s}", "version", GW_JSON_VERSION,
				  "kind", "version", "gymwarden", gw_version());

		return gw_cli_print_json(cli, doc) ? GW_EXIT_ERROR : GW_EXIT_OK;
	}
	fprintf(cli->out, "gymwarden %s\n", gw_version());
	return GW_EXIT_OK;
}

const struct gw_cmd gw_cmd_version = {
	.name = "version",
	.summary = "print the version",
	.opts = version_opts,
	.cfg_size = sizeof(struct version_cfg),
	.max_args = 0,
	.run = version_run,
};
