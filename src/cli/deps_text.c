/*
 * The text report of gymwarden deps: a heading, then each file read with
 * its findings and read errors in line order, then the ELF objects, the
 * notes and a summary line. Everything that came from a file is passed
 * through gw_escape first.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/deps_text.h"
#include "core/limits.h"
#include "core/log.h"

static const enum gw_color severity_colors[] = {
	GW_COLOR_DIM,
	GW_COLOR_YELLOW,
	GW_COLOR_RED,
	GW_COLOR_RED,
};

static void put(const struct gw_cli *cli, const char *s)
{
	char esc[GW_ESCAPED_MAX_BYTES];

	gw_escape(esc, sizeof(esc), s, strlen(s));
	fputs(esc, cli->out);
}

static void print_finding(const struct gw_cli *cli,
			  const struct gw_dep_finding *f)
{
	fprintf(cli->out, "  %5u  %s%-8s%s %s %-22s ", f->line,
		gw_cli_color(cli, severity_colors[f->severity]),
		gw_dep_severity_name(f->severity),
		gw_cli_color(cli, GW_COLOR_RESET), f->rule->id, f->rule->name);
	put(cli, f->message);
	fprintf(cli->out, "\n         %sfix:%s ",
		gw_cli_color(cli, GW_COLOR_DIM),
		gw_cli_color(cli, GW_COLOR_RESET));
	put(cli, f->remediation);
	fputc('\n', cli->out);
}

static void print_error(const struct gw_cli *cli, const struct gw_error *e)
{
	fprintf(cli->out, "  %5u  %serror%s    ", e->line,
		gw_cli_color(cli, GW_COLOR_RED),
		gw_cli_color(cli, GW_COLOR_RESET));
	put(cli, e->msg);
	fputc('\n', cli->out);
}

/* The findings and errors of one file, merged in line order. */
static size_t print_file(const struct gw_cli *cli,
			 const struct gw_deps_report *rep, const char *file,
			 const char *format, bool *done)
{
	const struct gw_dep_audit *a = rep->audit;
	const struct gw_dep_set *s = rep->set;
	size_t fi = 0, ei = 0, shown = 0;
	char rel[PATH_MAX];

	fprintf(cli->out, "\n%s", gw_cli_color(cli, GW_COLOR_BOLD));
	put(cli, gw_deps_relpath(rep->base, file, rel, sizeof(rel)));
	fprintf(cli->out, "%s%s%s\n", gw_cli_color(cli, GW_COLOR_RESET),
		format ? "  " : "", format ? format : "");
	for (;;) {
		while (fi < a->n &&
		       (done[fi] || strcmp(a->items[fi].file, file)))
			fi++;
		while (ei < s->nerrors && strcmp(s->errors[ei].file, file))
			ei++;
		if (fi >= a->n && ei >= s->nerrors)
			break;
		if (ei >= s->nerrors ||
		    (fi < a->n && a->items[fi].line <= s->errors[ei].line)) {
			print_finding(cli, &a->items[fi]);
			done[fi++] = true;
		} else {
			print_error(cli, &s->errors[ei++]);
		}
		shown++;
	}
	if (!shown)
		fprintf(cli->out, "  no findings\n");
	return shown;
}

static void print_summary(const struct gw_cli *cli,
			  const struct gw_deps_report *rep)
{
	size_t by[GW_DEP_CRITICAL + 1] = { 0 }, audited = 0;

	for (size_t i = 0; i < rep->audit->n; i++)
		by[rep->audit->items[i].severity]++;
	for (size_t i = 0; i < rep->audit->nstate; i++)
		audited += rep->audit->state[i] == GW_DEP_AUDITED;
	fprintf(cli->out,
		"\n%zu file%s, %zu package%s (%zu matched against %zu "
		"advisories), %zu finding%s: %zu critical, %zu high, %zu "
		"medium, %zu low",
		rep->set->nfiles, rep->set->nfiles == 1 ? "" : "s", rep->set->n,
		rep->set->n == 1 ? "" : "s", audited, rep->db_records,
		rep->audit->n, rep->audit->n == 1 ? "" : "s",
		by[GW_DEP_CRITICAL], by[GW_DEP_HIGH], by[GW_DEP_MEDIUM],
		by[GW_DEP_LOW]);
	if (rep->set->partial || rep->audit->partial)
		fprintf(cli->out, "; %spartial run%s: %zu error%s",
			gw_cli_color(cli, GW_COLOR_RED),
			gw_cli_color(cli, GW_COLOR_RESET),
			rep->set->nerrors + rep->audit->partial,
			rep->set->nerrors + rep->audit->partial == 1 ? ""
								     : "s");
	fputc('\n', cli->out);
}

void gw_deps_print_text(const struct gw_cli *cli,
			const struct gw_deps_report *rep)
{
	const struct gw_dep_audit *a = rep->audit;
	bool *done = calloc(a->n ? a->n : 1, sizeof(*done));

	if (!done) {
		fprintf(cli->err, "gymwarden: deps: out of memory\n");
		return;
	}
	fputs("gymwarden deps: ", cli->out);
	put(cli, rep->env_id ? rep->env_id : rep->target);
	fputc('\n', cli->out);
	for (size_t i = 0; i < rep->set->nfiles; i++)
		print_file(cli, rep, rep->set->files[i],
			   gw_deps_format_of(rep->set->files[i]), done);
	/* What belongs to no file read: ELF objects, a walk that failed. */
	for (size_t i = 0; i < a->n; i++)
		if (!done[i])
			print_file(cli, rep, a->items[i].file, NULL, done);
	free(done);
	if (a->partial)
		print_error(cli, &a->first_error);
	for (size_t i = 0; rep->notes && rep->notes[i]; i++)
		fprintf(cli->out, "\nnote: %s", rep->notes[i]);
	if (rep->notes && rep->notes[0])
		fputc('\n', cli->out);
	print_summary(cli, rep);
}
