#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

const char *const gw_format_names[] = { "text", "json", "sarif", "cyclonedx",
					NULL };

int gw_opt_flag(void *cfg, const struct gw_opt *opt, const char *arg)
{
	(void)arg;
	*(bool *)((char *)cfg + opt->offset) = true;
	return 0;
}

int gw_opt_string(void *cfg, const struct gw_opt *opt, const char *arg)
{
	*(const char **)((char *)cfg + opt->offset) = arg;
	return 0;
}

int gw_opt_ulong(void *cfg, const struct gw_opt *opt, const char *arg)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (arg[0] < '0' || arg[0] > '9' || *end != '\0' || errno == ERANGE) {
		fprintf(stderr,
			"gymwarden: option --%s: expected a non-negative "
			"integer, got '%s'\n",
			opt->name, arg);
		return -EINVAL;
	}
	*(unsigned long *)((char *)cfg + opt->offset) = v;
	return 0;
}

int gw_opt_choice(void *cfg, const struct gw_opt *opt, const char *arg)
{
	for (int i = 0; opt->choices[i]; i++) {
		if (strcmp(opt->choices[i], arg) == 0) {
			*(int *)((char *)cfg + opt->offset) = i;
			return 0;
		}
	}

	fprintf(stderr,
		"gymwarden: option --%s: '%s' is not one of:", opt->name, arg);
	for (int i = 0; opt->choices[i]; i++)
		fprintf(stderr, " %s", opt->choices[i]);
	fputc('\n', stderr);
	return -EINVAL;
}

int gw_cli_usage_error(const struct gw_cli *cli, const struct gw_cmd *cmd,
		       const char *fmt, ...)
{
	va_list ap;

	fprintf(cli->err, "gymwarden %s: ", cmd->name);
	va_start(ap, fmt);
	vfprintf(cli->err, fmt, ap);
	va_end(ap);
	fprintf(cli->err, "\nTry 'gymwarden %s --help' for more.\n", cmd->name);
	return GW_EXIT_ERROR;
}

static const struct gw_opt *find_long(const struct gw_cmd *cmd,
				      const char *name, size_t len)
{
	for (const struct gw_opt *o = cmd->opts; o && o->name; o++)
		if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
			return o;
	return NULL;
}

static const struct gw_opt *find_short(const struct gw_cmd *cmd, char c)
{
	for (const struct gw_opt *o = cmd->opts; o && o->name; o++)
		if (o->short_name && o->short_name == c)
			return o;
	return NULL;
}

/*
 * Handle argv[*i], an option; advance *i past any argument it takes.
 * Returns 0, 1 for --help, or -EINVAL.
 */
static int parse_one(const struct gw_cli *cli, const struct gw_cmd *cmd,
		     void *cfg, char **argv, int argc, int *i)
{
	const char *word = argv[*i], *value = NULL;
	const struct gw_opt *opt;

	if (strcmp(word, "--help") == 0 || strcmp(word, "-h") == 0)
		return 1;

	if (word[1] == '-') {
		const char *eq = strchr(word + 2, '=');
		size_t len = eq ? (size_t)(eq - word - 2) : strlen(word + 2);

		opt = find_long(cmd, word + 2, len);
		value = eq ? eq + 1 : NULL;
	} else {
		opt = word[2] == '\0' ? find_short(cmd, word[1]) : NULL;
	}
	if (!opt) {
		gw_cli_usage_error(cli, cmd, "unknown option '%s'", word);
		return -EINVAL;
	}

	if (!opt->metavar) {
		if (value) {
			gw_cli_usage_error(cli, cmd,
					   "option --%s takes no argument",
					   opt->name);
			return -EINVAL;
		}
		return opt->set(cfg, opt, NULL);
	}
	if (!value) {
		if (*i + 1 >= argc) {
			gw_cli_usage_error(cli, cmd, "option --%s needs %s",
					   opt->name, opt->metavar);
			return -EINVAL;
		}
		value = argv[++*i];
	}
	return opt->set(cfg, opt, value);
}

int gw_cli_parse(const struct gw_cli *cli, const struct gw_cmd *cmd, void *cfg,
		 int *argc, char **argv)
{
	int npos = 0, r;
	bool only_positional = false;

	for (int i = 1; i < *argc; i++) {
		const char *word = argv[i];

		if (only_positional || word[0] != '-' || word[1] == '\0') {
			argv[npos++] = argv[i];
			continue;
		}
		if (strcmp(word, "--") == 0) {
			only_positional = true;
			continue;
		}
		r = parse_one(cli, cmd, cfg, argv, *argc, &i);
		if (r != 0)
			return r;
	}

	*argc = npos;
	if (npos < cmd->min_args ||
	    (cmd->max_args >= 0 && npos > cmd->max_args)) {
		const char *args = cmd->args ? cmd->args : "no arguments";

		gw_cli_usage_error(cli, cmd,
				   npos < cmd->min_args
					   ? "missing argument %s"
					   : "too many arguments (expected %s)",
				   args);
		return -EINVAL;
	}
	return 0;
}

void gw_cli_print_help(FILE *f, const char *prog, const struct gw_cmd *cmd)
{
	char left[64];

	fprintf(f, "Usage: %s %s%s%s%s\n\n", prog, cmd->name,
		cmd->args ? " " : "", cmd->args ? cmd->args : "",
		cmd->opts ? " [options]" : "");
	fprintf(f, "%s\n", cmd->description ? cmd->description : cmd->summary);
	fprintf(f, "\nOptions:\n");
	for (const struct gw_opt *o = cmd->opts; o && o->name; o++) {
		snprintf(left, sizeof(left), "%c%c%s--%s%s%s",
			 o->short_name ? '-' : ' ',
			 o->short_name ? o->short_name : ' ',
			 o->short_name ? ", " : "  ", o->name,
			 o->metavar ? " " : "", o->metavar ? o->metavar : "");
		fprintf(f, "  %-26s %s\n", left, o->help);
		if (o->choices) {
			fprintf(f, "  %-26s one of:", "");
			for (int i = 0; o->choices[i]; i++)
				fprintf(f, " %s", o->choices[i]);
			fputc('\n', f);
		}
	}
	fprintf(f, "  %-26s %s\n", "-h, --help", "show this help and exit");
	fprintf(f, "\nExit status: 0 success and nothing found, 1 findings "
		   "or violations,\n2 usage or runtime error.\n");
}
