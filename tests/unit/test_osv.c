/*
 * Unit tests for the OSV advisory database: records written to a fresh
 * directory (and a zip of them), loaded, then matched version by
 * version from a table; malformed records, duplicates, caps; and the
 * shared PyPA database when ../shared/data is there.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#include <cmocka.h>

#include "core/error.h"
#include "deps/deps.h"
#include "deps/osv_priv.h"

#ifndef GW_SOURCE_ROOT
#define GW_SOURCE_ROOT "."
#endif

#define N(a)	   (sizeof(a) / sizeof((a)[0]))
#define SHARED_OSV GW_SOURCE_ROOT "/../shared/data/osv-pypi"

/* An affected[] entry for PyPI with the given ranges and versions. */
#define AFF(name, body)                                                        \
	"{\"package\": {\"ecosystem\": \"PyPI\", \"name\": \"" name            \
	"\"}," body "}"
#define ECO(events) "{\"type\": \"ECOSYSTEM\", \"events\": [" events "]}"
#define REC(id, rest)                                                          \
	"{\"id\": \"" id "\", \"modified\": \"2024-01-01T00:00:00Z\"" rest "}"

struct record_file {
	const char *name;
	const char *json;
};

static const struct record_file records[] = {
	{ "a/OSV-1.json",
	  REC("OSV-1",
	      ", \"summary\": \"basic\", \"affected\": [" AFF(
		      "Foo_Pkg",
		      "\"ranges\": [" ECO("{\"introduced\": \"0\"}, "
					  "{\"fixed\": \"1.5\"}") "]") "]") },
	/* Intervals written out of order, as PyPA often does. */
	{ "a/OSV-2.json",
	  REC("OSV-2",
	      ", \"affected\": [" AFF(
		      "foo-pkg",
		      "\"ranges\": [" ECO("{\"introduced\": \"2.0\"}, "
					  "{\"fixed\": \"2.3\"}, "
					  "{\"introduced\": \"0\"}, "
					  "{\"fixed\": \"1.2\"}") "]") "]") },
	{ "b/c/OSV-3.json",
	  REC("OSV-3",
	      ", \"affected\": [" AFF(
		      "lastpkg",
		      "\"ranges\": [" ECO(
			      "{\"introduced\": \"1.0\"}, "
			      "{\"last_affected\": \"1.4\"}") "]") "]") },
	{ "OSV-4.json",
	  REC("OSV-4",
	      ", \"affected\": [" AFF(
		      "limitpkg",
		      "\"ranges\": [" ECO("{\"introduced\": \"1.0\"}, "
					  "{\"limit\": \"3.0\"}") "]") "]") },
	{ "OSV-5.json",
	  REC("OSV-5", ", \"affected\": [" AFF(
			       "listpkg", "\"versions\": [\"1.0.0\", "
					  "\"1.1-beta\", \"0.3m1\"]") "]") },
	{ "OSV-6.json",
	  REC("OSV-6", ", \"affected\": [" AFF(
			       "gitpkg",
			       "\"ranges\": [{\"type\": \"GIT\", \"repo\": "
			       "\"https://h/r\", \"events\": [{\"introduced\": "
			       "\"0\"}, {\"fixed\": \"abc123\"}]}]") "]") },
	{ "OSV-7.json",
	  REC("OSV-7", ", \"affected\": [" AFF(
			       "gitlisted",
			       "\"ranges\": [{\"type\": \"GIT\", \"repo\": "
			       "\"https://h/r\", \"events\": [{\"introduced\": "
			       "\"0\"}]}], \"versions\": [\"2.0\"]") "]") },
	/* Events that are not PEP 440 are never guessed at. */
	{ "OSV-8.json",
	  REC("OSV-8",
	      ", \"affected\": [" AFF(
		      "oddpkg", "\"ranges\": [" ECO(
					"{\"introduced\": \"0\"}, {\"fixed\": "
					"\"2019-09-12\"}") "]") "]") },
	{ "OSV-9.json",
	  REC("OSV-9",
	      ", \"affected\": [" AFF(
		      "oddintro",
		      "\"ranges\": [" ECO("{\"introduced\": \"x-1\"}, "
					  "{\"fixed\": \"2.0\"}") "]") "]") },
	{ "MAL-2024-1.json",
	  REC("MAL-2024-1",
	      ", \"affected\": [" AFF(
		      "evilpkg", "\"ranges\": [" ECO(
					 "{\"introduced\": \"0\"}") "]") "]") },
	{ "OSV-10.json",
	  REC("OSV-10",
	      ", \"withdrawn\": \"2024-02-02T00:00:00Z\", \"aliases\": "
	      "[\"CVE-2024-1\", \"MAL-2024-9\"], \"affected\": [" AFF(
		      "foo-pkg",
		      "\"ranges\": [" ECO(
			      "{\"introduced\": \"1.0\"}") "]") "]") },
	{ "OSV-11.json",
	  REC("OSV-11", ", \"affected\": [{\"package\": {\"ecosystem\": "
			"\"npm\", \"name\": \"foo-pkg\"}, \"ranges\": [" ECO(
				"{\"introduced\": \"0\"}") "]}]") },
	/* [0, 3.1.1) then [3.1.1, 3.1.3): 3.1.1 stays affected. */
	{ "OSV-12.json",
	  REC("OSV-12",
	      ", \"affected\": [" AFF(
		      "tiepkg",
		      "\"ranges\": [" ECO("{\"introduced\": \"0\"}, "
					  "{\"fixed\": \"3.1.1\"}, "
					  "{\"introduced\": \"3.1.1\"}, "
					  "{\"fixed\": \"3.1.3\"}") "]") "]") },
	{ "OSV-13.json",
	  REC("OSV-13",
	      ", \"summary\": \"caf\\u00e9 \\ud83d\\ude00\", "
	      "\"severity\": [{\"type\": \"CVSS_V3\", \"score\": "
	      "\"CVSS:3.1/AV:N\"}], \"affected\": [" AFF(
		      "fixpkg",
		      "\"ranges\": [" ECO(
			      "{\"introduced\": \"0\"}, {\"fixed\": "
			      "\"1.10\"}, {\"introduced\": \"1.9.0\"}, "
			      "{\"fixed\": \"1.9\"}, {\"fixed\": "
			      "\"1.2.0\"}") "]") "]") },
	{ "OSV-14.json",
	  REC("OSV-14",
	      ", \"details\": \"First line.\\nSecond line.\", "
	      "\"affected\": [" AFF(
		      "semverpkg",
		      "\"ranges\": [{\"type\": \"SEMVER\", \"events\": "
		      "[{\"introduced\": \"1.0.0\"}, {\"fixed\": "
		      "\"1.2.0\"}]}]") "]") },
	/* Two entries for one package in one record give one hit. */
	{ "OSV-15.json",
	  REC("OSV-15",
	      ", \"affected\": [" AFF(
		      "twice",
		      "\"ranges\": [" ECO(
			      "{\"introduced\": \"0\"}, "
			      "{\"fixed\": \"1.0\"}") "]") ", " AFF("Twic"
								    "e",
								    "\"ve"
								    "rsio"
								    "ns\""
								    ": "
								    "[\"0"
								    ".5\""
								    ", "
								    "\"2."
								    "0\""
								    "]") "]") },
	/* The same id again, older: dropped. */
	{ "old/OSV-1.json",
	  "{\"id\": \"OSV-1\", \"modified\": \"2020-01-01T00:00:00Z\", "
	  "\"summary\": \"old copy\", \"affected\": [" AFF(
		  "foo-pkg", "\"versions\": [\"9.9\"]") "]}" },
	/* Malformed: skipped, counted, named. */
	{ "bad-1.json", "not json" },
	{ "bad-2.json", "{\"modified\": \"x\", \"affected\": []}" },
	{ "bad-3.json",
	  REC("BAD-3",
	      ", \"affected\": [" AFF(
		      "x",
		      "\"ranges\": [" ECO("{\"introduced\": \"0\", \"fixed\": "
					  "\"1\"}") "]") "]") },
	{ "bad-4.json", REC("BAD-4", "") " trailing" },
	{ "bad-5.json", "{\"id\": \"BAD\\u0000-5\", \"modified\": \"x\"}" },
	{ "bad-6.json", "{\"id\": \"A\", \"id\": \"B\", \"modified\": \"x\"}" },
	{ "bad-7.json",
	  REC("BAD-7", ", \"affected\": [" AFF(
			       "x", "\"ranges\": [{\"type\": \"ECOSYSTEM\", "
				    "\"events\": []}]") "]") },
	{ "bad-8.json", "{\"id\": \"BAD 8\", \"modified\": \"x\"}" },
	/* Neither a record nor a JSON file: ignored. */
	{ "README.md", "# not a record" },
	{ ".hidden.json", "not json either" },
};

#define NSKIPPED 8

struct hit_log {
	char ids[512];
	int confidence;
	bool malicious, withdrawn;
	size_t nfixed;
	char fixed[128];
	char summary[128];
	char severity[64];
};

static void log_hit(void *arg, const struct gw_osv_hit *h)
{
	struct hit_log *log = arg;
	size_t n = strlen(log->ids);

	snprintf(log->ids + n, sizeof(log->ids) - n, "%s%s", n ? " " : "",
		 h->id);
	log->confidence = h->confidence;
	log->malicious = h->malicious;
	log->withdrawn = h->withdrawn;
	log->nfixed = h->nfixed;
	log->fixed[0] = '\0';
	for (size_t i = 0; i < h->nfixed; i++)
		snprintf(log->fixed + strlen(log->fixed),
			 sizeof(log->fixed) - strlen(log->fixed), "%s%s",
			 i ? "," : "", h->fixed[i]);
	snprintf(log->summary, sizeof(log->summary), "%s", h->summary);
	snprintf(log->severity, sizeof(log->severity), "%s", h->severity);
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[512], sub[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	for (char *p = strchr(path + strlen(dir) + 1, '/'); p;
	     p = strchr(p + 1, '/')) {
		snprintf(sub, sizeof(sub), "%.*s", (int)(p - path), path);
		mkdir(sub, 0700);
	}
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

struct fixture {
	char dir[64];
	char zip[128];
	struct gw_osv_db *db;
	struct gw_error err;
};

static int remove_one(const char *path, const struct stat *st, int type,
		      struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	return remove(path);
}

static void remove_tree(const char *dir)
{
	nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

static int setup_dir(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	snprintf(fx->dir, sizeof(fx->dir), "/tmp/gw-test-osv-XXXXXX");
	if (!fx || !mkdtemp(fx->dir))
		return -1;
	for (size_t i = 0; i < N(records); i++)
		write_file(fx->dir, records[i].name, records[i].json);
	gw_error_clear(&fx->err);
	if (gw_osv_load(fx->dir, &fx->db, &fx->err) < 0)
		return -1;
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	gw_osv_free(fx->db);
	if (fx->zip[0])
		unlink(fx->zip);
	remove_tree(fx->dir);
	free(fx);
	return 0;
}

struct match_case {
	const char *name;
	const char *version;
	const char *ids; /* space-separated, "" for none */
	int confidence;	 /* of the last hit */
};

static const struct match_case match_cases[] = {
	{ "foo-pkg", "1.0", "OSV-1 OSV-10 OSV-2", GW_OSV_EXACT },
	{ "FOO.pkg", "1.4.99", "OSV-1 OSV-10", GW_OSV_EXACT },
	{ "foo_pkg", "1.5", "OSV-10", GW_OSV_EXACT },
	{ "foo-pkg", "0.5", "OSV-1 OSV-2", GW_OSV_EXACT },
	{ "foo-pkg", "1.2", "OSV-1 OSV-10", GW_OSV_EXACT },
	{ "foo-pkg", "2.1", "OSV-10 OSV-2", GW_OSV_EXACT },
	{ "foo-pkg", "2.3", "OSV-10", GW_OSV_EXACT },
	{ "foo-pkg", "1.0.dev1", "OSV-1 OSV-2", GW_OSV_EXACT },
	{ "foo-pkg", "1.5+local", "OSV-10", GW_OSV_EXACT },
	{ "foo-pkg", "1.4+local", "OSV-1 OSV-10", GW_OSV_EXACT },
	{ "foo-pkg", "9.9", "OSV-10", GW_OSV_EXACT },
	{ "lastpkg", "0.9", "", 0 },
	{ "lastpkg", "1.0", "OSV-3", GW_OSV_EXACT },
	{ "lastpkg", "1.4", "OSV-3", GW_OSV_EXACT },
	{ "lastpkg", "1.4.0", "OSV-3", GW_OSV_EXACT },
	{ "lastpkg", "1.4.post1", "", 0 },
	{ "lastpkg", "1.4.1", "", 0 },
	{ "limitpkg", "0.5", "", 0 },
	{ "limitpkg", "2.9", "OSV-4", GW_OSV_EXACT },
	{ "limitpkg", "3.0", "", 0 },
	{ "listpkg", "1", "OSV-5", GW_OSV_EXACT },
	{ "listpkg", "1.1b0", "OSV-5", GW_OSV_EXACT },
	{ "listpkg", "1.1", "", 0 },
	{ "gitpkg", "1.0", "OSV-6", GW_OSV_GIT },
	{ "gitlisted", "2.0", "OSV-7", GW_OSV_EXACT },
	{ "gitlisted", "1.0", "", 0 },
	{ "oddpkg", "99", "OSV-8", GW_OSV_INEXACT },
	{ "oddintro", "0.1", "OSV-9", GW_OSV_INEXACT },
	{ "oddintro", "2.0", "", 0 },
	{ "evilpkg", "0.0.1", "MAL-2024-1", GW_OSV_EXACT },
	{ "tiepkg", "3.1.0", "OSV-12", GW_OSV_EXACT },
	{ "tiepkg", "3.1.1", "OSV-12", GW_OSV_EXACT },
	{ "tiepkg", "3.1.3", "", 0 },
	{ "semverpkg", "1.1.0", "OSV-14", GW_OSV_EXACT },
	{ "semverpkg", "1.2.0", "", 0 },
	{ "twice", "0.5", "OSV-15", GW_OSV_EXACT },
	{ "twice", "2.0", "OSV-15", GW_OSV_EXACT },
	{ "twice", "1.5", "", 0 },
	{ "nopkg", "1.0", "", 0 },
};

static void check_matches(const struct gw_osv_db *db)
{
	for (size_t i = 0; i < N(match_cases); i++) {
		const struct match_case *c = &match_cases[i];
		struct hit_log log = { .ids = "" };
		struct gw_pep440 v;
		int n;

		assert_int_equal(
			gw_pep440_parse(c->version, strlen(c->version), &v), 0);
		n = gw_osv_match(db, c->name, &v, log_hit, &log);
		if (n < 0 || strcmp(log.ids, c->ids) != 0)
			fail_msg("%s %s: %d hits '%s', want '%s'", c->name,
				 c->version, n, log.ids, c->ids);
		if (n > 0 && log.confidence != c->confidence)
			fail_msg("%s %s: confidence %d, want %d", c->name,
				 c->version, log.confidence, c->confidence);
	}
}

static void match_table_follows_the_osv_schema(void **state)
{
	struct fixture *fx = *state;

	check_matches(fx->db);
}

static void load_counts_what_it_saw(void **state)
{
	struct fixture *fx = *state;
	struct gw_osv_stats st;

	gw_osv_stats(fx->db, &st);
	/* 17 valid, one only for npm, one an older copy. */
	assert_int_equal(gw_osv_count(fx->db), 15);
	assert_int_equal(st.records, 15);
	assert_int_equal(st.files, N(records) - 2);
	assert_int_equal(st.skipped, NSKIPPED);
	assert_int_equal(st.duplicates, 1);
	assert_int_equal(st.withdrawn, 1);
	assert_int_equal(st.other_ecosystems, 1);
	assert_int_equal(st.ranges_git, 2);
	assert_int_equal(st.events_invalid, 2);
	assert_int_equal(st.ranges_inexact, 2);
	assert_int_equal(st.versions_invalid, 1);
}

static void load_names_the_first_skipped_files(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(fx->err.code, 0);
	assert_non_null(strstr(fx->err.msg, "skipped 8 of"));
	assert_non_null(strstr(fx->err.msg, "bad-1.json (not a JSON object)"));
	assert_non_null(strstr(fx->err.msg, "bad-2.json (no id)"));
	assert_non_null(strstr(fx->err.msg, "bad-3.json (event without one"));
	assert_non_null(strstr(fx->err.msg, ", ..."));
	assert_null(strstr(fx->err.msg, "bad-7.json"));
}

static void hits_carry_flags_fixes_and_text(void **state)
{
	struct fixture *fx = *state;
	struct hit_log log = { .ids = "" };
	struct gw_pep440 v;

	gw_pep440_parse("0.1", 3, &v);
	assert_int_equal(gw_osv_match(fx->db, "fixpkg", &v, log_hit, &log), 1);
	assert_string_equal(log.fixed, "1.2.0,1.9,1.10");
	assert_string_equal(log.summary, "caf\xc3\xa9 \xf0\x9f\x98\x80");
	assert_string_equal(log.severity, "CVSS:3.1/AV:N");
	assert_false(log.malicious);

	/* A fix that is not PEP 440 is listed as written. */
	memset(&log, 0, sizeof(log));
	assert_int_equal(gw_osv_match(fx->db, "oddpkg", &v, log_hit, &log), 1);
	assert_string_equal(log.fixed, "2019-09-12");

	memset(&log, 0, sizeof(log));
	assert_int_equal(gw_osv_match(fx->db, "evilpkg", &v, log_hit, &log), 1);
	assert_true(log.malicious);
	assert_int_equal(log.nfixed, 0);

	memset(&log, 0, sizeof(log));
	gw_pep440_parse("1.5", 3, &v);
	assert_int_equal(gw_osv_match(fx->db, "foo-pkg", &v, log_hit, &log), 1);
	assert_true(log.withdrawn);
	assert_true(log.malicious); /* a MAL- alias */
	assert_string_equal(log.summary, "");

	memset(&log, 0, sizeof(log));
	gw_pep440_parse("1.1", 3, &v);
	assert_int_equal(gw_osv_match(fx->db, "semverpkg", &v, log_hit, &log),
			 1);
	assert_string_equal(log.summary, "First line.");

	memset(&log, 0, sizeof(log));
	gw_pep440_parse("1.0", 3, &v);
	gw_osv_match(fx->db, "foo-pkg", &v, log_hit, &log);
	assert_string_equal(log.ids, "OSV-1 OSV-10 OSV-2");
}

static void match_text_compares_versions_that_are_not_pep440(void **state)
{
	struct fixture *fx = *state;
	struct hit_log log = { .ids = "" };

	assert_int_equal(
		gw_osv_match_text(fx->db, "listpkg", "0.3M1", log_hit, &log),
		1);
	assert_string_equal(log.ids, "OSV-5");
	memset(&log, 0, sizeof(log));
	assert_int_equal(
		gw_osv_match_text(fx->db, "evilpkg", "trunk", log_hit, &log),
		1);
	assert_int_equal(
		gw_osv_match_text(fx->db, "foo-pkg", "trunk", NULL, NULL), 0);
	assert_int_equal(
		gw_osv_match_text(fx->db, "listpkg", "1.0.0", NULL, NULL), 1);
	assert_int_equal(gw_osv_match_text(NULL, "x", "1", NULL, NULL),
			 -EINVAL);
}

static void zip_of_the_same_records_loads_the_same(void **state)
{
	struct fixture *fx = *state;
	struct gw_osv_stats a, b;
	struct gw_osv_db *db;
	struct gw_error err;
	int zerr = 0;
	zip_t *z;

	snprintf(fx->zip, sizeof(fx->zip), "%s.zip", fx->dir);
	z = zip_open(fx->zip, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
	assert_non_null(z);
	for (size_t i = 0; i < N(records); i++) {
		const char *base = strrchr(records[i].name, '/');
		char name[128];
		zip_source_t *src = zip_source_buffer(
			z, records[i].json, strlen(records[i].json), 0);

		/* Flatten, as all.zip is, but keep the older copy apart. */
		base = base ? base + 1 : records[i].name;
		snprintf(name, sizeof(name), "%s%s",
			 strncmp(records[i].name, "old/", 4) ? "" : "old-",
			 base);
		assert_true(zip_file_add(z, name, src, ZIP_FL_OVERWRITE) >= 0);
	}
	assert_int_equal(zip_close(z), 0);

	gw_error_clear(&err);
	assert_int_equal(gw_osv_load(fx->zip, &db, &err), 0);
	gw_osv_stats(fx->db, &a);
	gw_osv_stats(db, &b);
	/* The zip holds the dot file too: one more skipped record. */
	assert_int_equal(b.records, a.records);
	assert_int_equal(b.skipped, a.skipped + 1);
	check_matches(db);
	gw_osv_free(db);
}

static void load_fails_without_any_valid_record(void **state)
{
	char dir[] = "/tmp/gw-test-osv-XXXXXX";
	struct gw_osv_db *db = (struct gw_osv_db *)1;
	struct gw_error err;

	(void)state;
	assert_non_null(mkdtemp(dir));
	write_file(dir, "x.json", "[]");
	gw_error_clear(&err);
	assert_int_equal(gw_osv_load(dir, &db, &err), -ENOENT);
	assert_null(db);
	assert_non_null(strstr(err.msg, "no OSV record"));
	remove_tree(dir);

	gw_error_clear(&err);
	assert_int_equal(gw_osv_load("/nonexistent/osv", &db, &err), -ENOENT);
	gw_error_clear(&err);
	assert_true(gw_osv_load("/etc/hostname.zip", &db, &err) < 0);
	gw_osv_free(NULL);
	assert_int_equal(gw_osv_count(NULL), 0);
}

static void json_reader_refuses_deep_nesting_and_bad_text(void **state)
{
	static const char *const bad[] = {
		"[1,]",	    "{\"a\" 1}", "01",	"1.",	 "-",
		"\"\\x\"",  "\"\\u12\"", "tru", "[1 2]", "{\"a\":1,}",
		"\"a\nb\"", "1e",	 "[",
	};
	char deep[200];
	struct osvj j;

	(void)state;
	for (size_t i = 0; i < N(bad); i++) {
		gw_osvj_init(&j, bad[i], strlen(bad[i]));
		gw_osvj_skip(&j);
		if (gw_osvj_finish(&j) == 0)
			fail_msg("'%s' was accepted", bad[i]);
	}
	memset(deep, '[', 100);
	memset(deep + 100, ']', 100);
	gw_osvj_init(&j, deep, sizeof(deep));
	gw_osvj_skip(&j);
	assert_int_equal(gw_osvj_finish(&j), -E2BIG);
	gw_osvj_init(&j, deep + 36, 128);
	gw_osvj_skip(&j);
	assert_int_equal(gw_osvj_finish(&j), 0);
}

static void json_decode_checks_utf8_and_surrogates(void **state)
{
	static const struct {
		const char *in;
		int rc;
	} cases[] = {
		{ "caf\xc3\xa9", 5 },
		{ "\\ud83d\\ude00", 4 },
		{ "\\ud83d", -EINVAL },
		{ "\\ude00", -EINVAL },
		{ "\xc0\xaf", -EINVAL },
		{ "\xed\xa0\x80", -EINVAL },
		{ "\xf4\x90\x80\x80", -EINVAL },
		{ "\\u0000", -EINVAL },
		{ "a\\\"b\\/\\n", 5 },
		{ "\xe2\x82", -EINVAL },
	};
	char buf[16];

	(void)state;
	for (size_t i = 0; i < N(cases); i++) {
		struct jstr s = { cases[i].in, strlen(cases[i].in), true };

		if (gw_jstr_decode(&s, buf, sizeof(buf), false) != cases[i].rc)
			fail_msg("case %zu", i);
	}
}

static void shared_database_loads_whole_and_matches(void **state)
{
	static const struct match_case shared[] = {
		{ "aiohttp", "3.9.2", "PYSEC-2022-43059", GW_OSV_EXACT },
		{ "py", "1.11.0", "PYSEC-2022-42969", GW_OSV_EXACT },
		{ "py", "1.12.0", "", 0 },
		{ "binderhub", "0.1", "PYSEC-2021-371", GW_OSV_INEXACT },
		{ "cipherbcrypt", "0.0.1", "PYSEC-2024-55", GW_OSV_EXACT },
		/* [0, 3.1.1) [3.2.0, 3.2.2) [3.1.1, 3.1.3): written unsorted.
		 */
		{ "pyspark", "3.1.2",
		  "PYSEC-2022-186 PYSEC-2022-236 PYSEC-2022-42976 "
		  "PYSEC-2023-44 PYSEC-2023-72",
		  GW_OSV_EXACT },
		{ "pyspark", "3.2.2", "PYSEC-2023-44", GW_OSV_EXACT },
	};
	struct gw_osv_stats st;
	struct gw_osv_db *db;
	struct gw_error err;

	(void)state;
	if (access(SHARED_OSV, R_OK) != 0)
		skip();
	gw_error_clear(&err);
	assert_int_equal(gw_osv_load(SHARED_OSV, &db, &err), 0);
	gw_osv_stats(db, &st);
	assert_int_equal(gw_osv_count(db), 2661);
	assert_int_equal(st.skipped, 0);
	assert_int_equal(st.withdrawn, 10);
	assert_int_equal(st.events_invalid, 2);
	for (size_t i = 0; i < N(shared); i++) {
		struct hit_log log = { .ids = "" };
		struct gw_pep440 v;

		gw_pep440_parse(shared[i].version, strlen(shared[i].version),
				&v);
		gw_osv_match(db, shared[i].name, &v, log_hit, &log);
		if (strcmp(log.ids, shared[i].ids) != 0)
			fail_msg("%s %s: '%s'", shared[i].name,
				 shared[i].version, log.ids);
	}
	gw_osv_free(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			match_table_follows_the_osv_schema, setup_dir,
			teardown),
		cmocka_unit_test_setup_teardown(load_counts_what_it_saw,
						setup_dir, teardown),
		cmocka_unit_test_setup_teardown(
			load_names_the_first_skipped_files, setup_dir,
			teardown),
		cmocka_unit_test_setup_teardown(hits_carry_flags_fixes_and_text,
						setup_dir, teardown),
		cmocka_unit_test_setup_teardown(
			match_text_compares_versions_that_are_not_pep440,
			setup_dir, teardown),
		cmocka_unit_test_setup_teardown(
			zip_of_the_same_records_loads_the_same, setup_dir,
			teardown),
		cmocka_unit_test(load_fails_without_any_valid_record),
		cmocka_unit_test(json_reader_refuses_deep_nesting_and_bad_text),
		cmocka_unit_test(json_decode_checks_utf8_and_surrogates),
		cmocka_unit_test(shared_database_loads_whole_and_matches),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
