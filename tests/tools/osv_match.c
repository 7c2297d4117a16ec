/*
 * A test tool: load an OSV database, then for each "name<TAB>version"
 * line of standard input print "name<TAB>version<TAB>hits", hits being
 * "ID:C" items (C: E exact, G git, I inexact; W appended when withdrawn)
 * joined by commas in id order, or "-". The load's counts go to
 * standard error. tests/integration/test_osv_eval.py drives it.
 *
 *   build/tests/tools/osv_match DB < pairs.tsv
 */
#include <stdio.h>
#include <string.h>

#include "core/error.h"
#include "deps/deps.h"

struct out {
	char text[8192];
	size_t len;
};

static void add_hit(void *arg, const struct gw_osv_hit *h)
{
	static const char conf[] = {
		[GW_OSV_EXACT] = 'E', [GW_OSV_GIT] = 'G', [GW_OSV_INEXACT] = 'I'
	};
	struct out *o = arg;

	if (o->len >= sizeof(o->text))
		return;
	o->len +=
		(size_t)snprintf(o->text + o->len, sizeof(o->text) - o->len,
				 "%s%s:%c%s", o->len ? "," : "", h->id,
				 conf[h->confidence], h->withdrawn ? "W" : "");
}

static void print_stats(const struct gw_osv_db *db)
{
	struct gw_osv_stats st;

	gw_osv_stats(db, &st);
	fprintf(stderr,
		"osv_match: %zu records from %zu files, %zu skipped, %zu "
		"withdrawn, %zu git ranges, %zu inexact ranges, %zu invalid "
		"events, %zu invalid versions\n",
		st.records, st.files, st.skipped, st.withdrawn, st.ranges_git,
		st.ranges_inexact, st.events_invalid, st.versions_invalid);
}

int main(int argc, char **argv)
{
	struct gw_osv_db *db;
	struct gw_error err;
	char line[1024];

	if (argc != 2) {
		fprintf(stderr, "usage: osv_match DB < pairs\n");
		return 2;
	}
	gw_error_clear(&err);
	if (gw_osv_load(argv[1], &db, &err) < 0) {
		gw_error_format(&err, line, sizeof(line));
		fprintf(stderr, "osv_match: %s\n", line);
		return 1;
	}
	print_stats(db);
	while (fgets(line, sizeof(line), stdin)) {
		struct out o = { .len = 0 };
		char *tab = strchr(line, '\t');

		line[strcspn(line, "\n")] = '\0';
		if (!tab)
			continue;
		*tab = '\0';
		if (gw_osv_match_text(db, line, tab + 1, add_hit, &o) < 0)
			snprintf(o.text, sizeof(o.text), "!error");
		printf("%s\t%s\t%s\n", line, tab + 1, o.len ? o.text : "-");
	}
	gw_osv_free(db);
	return 0;
}
