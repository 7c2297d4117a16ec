/*
 * The registry: files made private, schema versions and migrations,
 * records written whole or not at all (an injected failure, a child
 * killed inside the transaction), two processes writing at once,
 * lookups by id and digest, approve and revoke, attachments, and the
 * enforcement check under vetting = required, warn and off.
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
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/limits.h"
#include "core/log.h"
#include "gymwarden.h"
#include "registry/registry_priv.h"

struct fx {
	char dir[64];
	char db[128];
	char src[128];
	struct gw_registry *reg;
};

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int fx_setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char path[256];

	snprintf(f->dir, sizeof(f->dir), "/tmp/gw-registry-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->db, sizeof(f->db), "%s/state/.gymwarden/registry.db",
		 f->dir);
	snprintf(f->src, sizeof(f->src), "%s/src", f->dir);
	assert_int_equal(mkdir(f->src, 0755), 0);
	snprintf(path, sizeof(path), "%s/env.py", f->src);
	write_file(path, "class E:\n    pass\n");
	*state = f;
	return 0;
}

static int fx_teardown(void **state)
{
	struct fx *f = *state;

	gw_registry_close(f->reg);
	nftw(f->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

static struct gw_registry *open_rw(const char *path)
{
	struct gw_registry *reg = NULL;
	struct gw_error err;

	gw_error_clear(&err);
	if (gw_registry_open(path, GW_REGISTRY_CREATE, &reg, &err) < 0)
		fail_msg("open %s: %s", path, err.msg);
	return reg;
}

static struct gw_tree *tree_of(const char *dir)
{
	struct gw_tree *t = gw_tree_new();

	assert_int_equal(gw_tree_add_root(t, "source", dir), 0);
	assert_int_equal(gw_tree_hash(t, NULL), 0);
	return t;
}

/* A record of env for dir's tree with n findings. */
static struct gw_record *make_record(const char *env, const char *dir,
				     enum gw_record_verdict v, unsigned n)
{
	struct gw_record *r = gw_record_new();
	struct gw_tree *t = tree_of(dir);
	char msg[64];

	assert_int_equal(gw_record_set_env(r, env), 0);
	assert_int_equal(gw_record_set_tree(r, t), 0);
	assert_int_equal(gw_record_set_verdict(r, v), 0);
	assert_int_equal(gw_record_add_tool(r, "gymwarden-vet", "0.1.0"), 0);
	for (unsigned i = 0; i < n; i++) {
		struct gw_finding fd = {
			.tool = "gymwarden-vet",
			.rule = "GW101",
			.severity = "high",
			.file = "source/env.py",
			.line = i + 1,
			.col = 4,
			.message = msg,
			.fingerprint = "fp",
			.context = "import os",
		};

		snprintf(msg, sizeof(msg), "finding %u", i);
		assert_int_equal(gw_record_add_finding(r, &fd), 0);
	}
	gw_tree_free(t);
	return r;
}

static int64_t add(struct gw_registry *reg, const char *env, const char *dir,
		   enum gw_record_verdict v, unsigned n)
{
	struct gw_record *r = make_record(env, dir, v, n);
	struct gw_error err;
	int64_t id = 0;

	gw_error_clear(&err);
	if (gw_registry_add_record(reg, r, &id, &err) < 0)
		fail_msg("add: %s", err.msg);
	gw_record_free(r);
	return id;
}

/* SELECT count(*) FROM table, through a connection of our own. */
static int count_rows(const char *db, const char *table)
{
	sqlite3 *h;
	sqlite3_stmt *st;
	char sql[128];
	int n = -1;

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", table);
	assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL),
			 SQLITE_OK);
	if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(h);
	return n;
}

static void open_creates_private_file_and_folder(void **state)
{
	struct fx *f = *state;
	char path[256];
	struct stat st;
	mode_t old = umask(0);

	f->reg = open_rw(f->db);
	umask(old);
	add(f->reg, "T-v0", f->src, GW_RECORD_PASS, 0);
	assert_int_equal(stat(f->db, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	snprintf(path, sizeof(path), "%s-wal", f->db);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	snprintf(path, sizeof(path), "%s/state/.gymwarden", f->dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	snprintf(path, sizeof(path), "%s/state", f->dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_string_equal(gw_registry_path(f->reg), f->db);
}

static void open_without_create_needs_the_file(void **state)
{
	struct fx *f = *state;
	struct gw_error err;

	gw_error_clear(&err);
	assert_int_equal(gw_registry_open(f->db, 0, &f->reg, &err), -ENOENT);
	assert_null(f->reg);
	assert_non_null(strstr(err.file, "registry.db"));
	assert_int_equal(
		gw_registry_open(f->db, GW_REGISTRY_READONLY, &f->reg, NULL),
		-ENOENT);
	assert_int_equal(
		gw_registry_open(f->db,
				 GW_REGISTRY_READONLY | GW_REGISTRY_CREATE,
				 &f->reg, NULL),
		-EINVAL);
}

static void fresh_registry_is_at_the_latest_schema(void **state)
{
	struct fx *f = *state;

	f->reg = open_rw(f->db);
	assert_int_equal(gw_registry_schema_version(f->reg->db),
			 GW_REGISTRY_SCHEMA_VERSION);
	gw_registry_close(f->reg);
	f->reg = NULL;
	/* Opening again, read-only too, finds it current. */
	f->reg = open_rw(f->db);
	gw_registry_close(f->reg);
	assert_int_equal(
		gw_registry_open(f->db, GW_REGISTRY_READONLY, &f->reg, NULL),
		0);
}

/* A registry at schema version 1 with one record in it, by hand. */
static void make_v1(const char *db)
{
	struct gw_registry *reg = open_rw(db);
	sqlite3 *h;

	gw_registry_close(reg);
	unlink(db);
	write_file(db, "");
	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	assert_int_equal(gw_registry_migrate_to(h, db, 1, NULL), 0);
	assert_int_equal(
		sqlite3_exec(h,
			     "INSERT INTO records (env_id, digest, verdict, "
			     "created) VALUES ('Old-v0', 'sha256:00', "
			     "'pass', '2020-01-01T00:00:00Z');"
			     "INSERT INTO decisions (record_id, action, "
			     "by_name, at) VALUES (1, 'approve', 'ann', "
			     "'2020-01-02T00:00:00Z')",
			     NULL, NULL, NULL),
		SQLITE_OK);
	assert_int_equal(gw_registry_schema_version(h), 1);
	sqlite3_close(h);
}

static void version_1_is_migrated_and_keeps_its_records(void **state)
{
	struct fx *f = *state;
	struct gw_record_info info;
	struct gw_error err;

	gw_error_clear(&err);
	make_v1(f->db);
	/* Read-only cannot migrate, and says how to. */
	assert_int_equal(
		gw_registry_open(f->db, GW_REGISTRY_READONLY, &f->reg, &err),
		-EPROTO);
	assert_non_null(strstr(err.msg, "older"));
	f->reg = open_rw(f->db);
	assert_int_equal(gw_registry_schema_version(f->reg->db),
			 GW_REGISTRY_SCHEMA_VERSION);
	assert_int_equal(gw_registry_record_info(f->reg, 1, &info, NULL), 0);
	assert_string_equal(info.env_id, "Old-v0");
	assert_int_equal(info.approval, GW_APPROVAL_APPROVED);
	/* Version 2's table exists now. */
	assert_int_equal(gw_registry_attach_json(f->reg, 1, "deps", "{}", NULL),
			 0);
	assert_int_equal(count_rows(f->db, "attachments"), 1);
}

static void version_0_file_is_initialised_foreign_file_refused(void **state)
{
	struct fx *f = *state;
	struct gw_error err;
	char path[256];
	sqlite3 *h;

	/* An empty file is a version 0 registry. */
	snprintf(path, sizeof(path), "%s/empty.db", f->dir);
	write_file(path, "");
	f->reg = open_rw(path);
	assert_int_equal(gw_registry_schema_version(f->reg->db),
			 GW_REGISTRY_SCHEMA_VERSION);
	gw_registry_close(f->reg);
	f->reg = NULL;

	/* Another program's database is not taken over. */
	snprintf(path, sizeof(path), "%s/other.db", f->dir);
	assert_int_equal(sqlite3_open(path, &h), SQLITE_OK);
	assert_int_equal(
		sqlite3_exec(h, "CREATE TABLE t (x)", NULL, NULL, NULL),
		SQLITE_OK);
	sqlite3_close(h);
	gw_error_clear(&err);
	assert_int_equal(gw_registry_open(path, 0, &f->reg, &err), -EPROTO);
	assert_non_null(strstr(err.msg, "not a gymwarden registry"));

	/* Nor is a file that is not SQLite at all. */
	snprintf(path, sizeof(path), "%s/text.db", f->dir);
	write_file(path, "this is not a database, it is a sentence\n");
	assert_int_equal(gw_registry_open(path, 0, &f->reg, NULL), -EPROTO);
}

static void newer_schema_is_refused_with_a_clear_error(void **state)
{
	struct fx *f = *state;
	struct gw_error err;
	sqlite3 *h;

	f->reg = open_rw(f->db);
	gw_registry_close(f->reg);
	f->reg = NULL;
	assert_int_equal(sqlite3_open(f->db, &h), SQLITE_OK);
	assert_int_equal(
		sqlite3_exec(h, "PRAGMA user_version = 99", NULL, NULL, NULL),
		SQLITE_OK);
	sqlite3_close(h);
	for (unsigned flags = 0; flags <= GW_REGISTRY_READONLY;
	     flags += GW_REGISTRY_READONLY) {
		gw_error_clear(&err);
		assert_int_equal(gw_registry_open(f->db, flags, &f->reg, &err),
				 -EPROTO);
		assert_non_null(strstr(err.msg, "version 99 is newer"));
		assert_non_null(strstr(err.msg, "upgrade gymwarden"));
	}
}

static void record_round_trips_through_export(void **state)
{
	struct fx *f = *state;
	struct gw_record_info info;
	json_t *doc, *files, *fd;
	char *text = NULL;
	int64_t id;

	f->reg = open_rw(f->db);
	id = add(f->reg, "T-v0", f->src, GW_RECORD_PARTIAL, 3);
	assert_true(id > 0);
	assert_int_equal(gw_registry_record_info(f->reg, id, &info, NULL), 0);
	assert_string_equal(info.env_id, "T-v0");
	assert_int_equal(info.verdict, GW_RECORD_PARTIAL);
	assert_int_equal(info.findings, 3);
	assert_int_equal(info.approval, GW_APPROVAL_NONE);
	assert_int_equal(strlen(info.created), 20);
	assert_int_equal(info.created[19], 'Z');

	assert_int_equal(gw_registry_export_json(f->reg, id, &text, NULL), 0);
	doc = json_loads(text, 0, NULL);
	free(text);
	assert_non_null(doc);
	assert_string_equal(json_string_value(json_object_get(doc, "digest")),
			    info.digest);
	assert_int_equal(json_array_size(json_object_get(doc, "findings")), 3);
	fd = json_array_get(json_object_get(doc, "findings"), 2);
	assert_string_equal(json_string_value(json_object_get(fd, "message")),
			    "finding 2");
	assert_int_equal(json_integer_value(json_object_get(fd, "line")), 3);
	files = json_object_get(doc, "files");
	assert_int_equal(json_array_size(files), 1);
	fd = json_array_get(files, 0);
	assert_string_equal(json_string_value(json_object_get(fd, "path")),
			    "source/env.py");
	assert_string_equal(json_string_value(json_object_get(fd, "mode")),
			    "0644");
	assert_int_equal(json_array_size(json_object_get(doc, "tools")), 1);
	assert_string_equal(
		json_string_value(json_object_get(
			json_array_get(json_object_get(doc, "roots"), 0),
			"path")),
		f->src);
	json_decref(doc);
}

static void incomplete_or_failed_builders_are_refused(void **state)
{
	struct fx *f = *state;
	struct gw_record *r = gw_record_new();
	struct gw_finding bad = { .tool = "t", .rule = "r" };
	/* Empty optional fields are absent ones, not a spoiled record. */
	struct gw_finding empty_optional = { .tool = "t",
					     .rule = "r",
					     .severity = "low",
					     .message = "m",
					     .file = "",
					     .fingerprint = "",
					     .context = "" };
	struct gw_tree *t = tree_of(f->src);
	struct gw_error err;

	f->reg = open_rw(f->db);
	gw_error_clear(&err);
	assert_int_equal(gw_record_add_finding(r, &empty_optional), 0);
	assert_int_equal(gw_record_set_env(r, "T-v0"), 0);
	assert_int_equal(gw_record_set_tree(r, t), 0);
	assert_int_equal(gw_registry_add_record(f->reg, r, NULL, &err),
			 -EINVAL);
	assert_non_null(strstr(err.msg, "verdict"));
	assert_int_equal(gw_record_set_verdict(r, GW_RECORD_PASS), 0);
	/* A finding without severity or message: the record is spoiled. */
	assert_int_equal(gw_record_add_finding(r, &bad), -EINVAL);
	gw_error_clear(&err);
	assert_int_equal(gw_registry_add_record(f->reg, r, NULL, &err),
			 -EINVAL);
	assert_non_null(strstr(err.msg, "not built completely"));
	gw_record_free(r);

	r = gw_record_new();
	for (unsigned i = 0; i < GW_RECORD_MAX_TOOLS; i++)
		assert_int_equal(gw_record_add_tool(r, "x", "1"), 0);
	assert_int_equal(gw_record_add_tool(r, "x", "1"), -E2BIG);
	assert_int_equal(gw_record_add_json(r, "vet", "{}"), -EINVAL);
	assert_int_equal(gw_record_add_json(r, "deps", "[1]"), -EINVAL);
	gw_record_free(r);
	gw_tree_free(t);
	assert_int_equal(count_rows(f->db, "records"), 0);
}

static int fail_at(void *arg, const char *point)
{
	return strcmp(point, arg) == 0;
}

static void injected_failure_at_each_step_leaves_no_record(void **state)
{
	static const char *const points[] = { "record", "files", "findings",
					      "commit" };
	struct fx *f = *state;
	struct gw_record *r;
	struct gw_error err;
	int64_t id = 7;

	f->reg = open_rw(f->db);
	r = make_record("T-v0", f->src, GW_RECORD_PASS, 5);
	assert_int_equal(gw_record_add_json(r, "deps", "{\"a\": 1}"), 0);
	for (size_t i = 0; i < 4; i++) {
		gw_registry_set_hook(f->reg, fail_at, (void *)points[i]);
		gw_error_clear(&err);
		assert_int_equal(gw_registry_add_record(f->reg, r, &id, &err),
				 -ECANCELED);
		assert_int_equal(id, 0);
		assert_non_null(strstr(err.msg, points[i]));
	}
	assert_int_equal(count_rows(f->db, "records"), 0);
	assert_int_equal(count_rows(f->db, "files"), 0);
	assert_int_equal(count_rows(f->db, "tools"), 0);
	assert_int_equal(count_rows(f->db, "findings"), 0);
	assert_int_equal(count_rows(f->db, "attachments"), 0);
	gw_registry_set_hook(f->reg, NULL, NULL);
	assert_int_equal(gw_registry_add_record(f->reg, r, &id, NULL), 0);
	assert_int_equal(count_rows(f->db, "findings"), 5);
	assert_int_equal(count_rows(f->db, "attachments"), 1);
	gw_record_free(r);
}

static int die_at(void *arg, const char *point)
{
	if (strcmp(point, arg) == 0)
		_exit(42);
	return 0;
}

/* A writer killed inside its transaction: the next open sees nothing. */
static void crash_inside_the_transaction_leaves_no_half_record(void **state)
{
	static const char *const points[] = { "files", "findings", "commit" };
	struct fx *f = *state;
	int status;

	f->reg = open_rw(f->db);
	add(f->reg, "T-v0", f->src, GW_RECORD_PASS, 1);
	gw_registry_close(f->reg);
	f->reg = NULL;
	for (size_t i = 0; i < 3; i++) {
		pid_t pid = fork();

		assert_true(pid >= 0);
		if (pid == 0) {
			struct gw_registry *reg = NULL;
			struct gw_record *r;

			if (gw_registry_open(f->db, 0, &reg, NULL) < 0)
				_exit(1);
			r = make_record("T-v0", f->src, GW_RECORD_PASS, 50);
			gw_registry_set_hook(reg, die_at, (void *)points[i]);
			gw_registry_add_record(reg, r, NULL, NULL);
			_exit(2);
		}
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 42);
	}
	f->reg = open_rw(f->db);
	assert_int_equal(count_rows(f->db, "records"), 1);
	assert_int_equal(count_rows(f->db, "findings"), 1);
	assert_int_equal(count_rows(f->db, "files"), 1);
	assert_int_equal(add(f->reg, "T-v0", f->src, GW_RECORD_PASS, 0), 2);
}

#define WRITERS		   2
#define RECORDS_PER_WRITER 25

static void concurrent_writers_all_land_whole(void **state)
{
	struct fx *f = *state;
	pid_t pids[WRITERS];
	int status;

	f->reg = open_rw(f->db);
	gw_registry_close(f->reg);
	f->reg = NULL;
	for (int w = 0; w < WRITERS; w++) {
		pids[w] = fork();
		assert_true(pids[w] >= 0);
		if (pids[w] == 0) {
			struct gw_registry *reg = NULL;

			if (gw_registry_open(f->db, 0, &reg, NULL) < 0)
				_exit(1);
			for (int i = 0; i < RECORDS_PER_WRITER; i++) {
				struct gw_record *r =
					make_record(w ? "B-v0" : "A-v0", f->src,
						    GW_RECORD_PASS, 4);

				if (gw_registry_add_record(reg, r, NULL, NULL) <
				    0)
					_exit(3);
				gw_record_free(r);
			}
			gw_registry_close(reg);
			_exit(0);
		}
	}
	for (int w = 0; w < WRITERS; w++) {
		assert_int_equal(waitpid(pids[w], &status, 0), pids[w]);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	assert_int_equal(count_rows(f->db, "records"),
			 WRITERS * RECORDS_PER_WRITER);
	assert_int_equal(count_rows(f->db, "findings"),
			 4 * WRITERS * RECORDS_PER_WRITER);
	assert_int_equal(count_rows(f->db, "files"),
			 WRITERS * RECORDS_PER_WRITER);
}

static void approve_revoke_and_approve_again(void **state)
{
	struct fx *f = *state;
	struct gw_record_info info;
	struct gw_error err;
	json_t *doc, *ds;
	int64_t id;

	f->reg = open_rw(f->db);
	id = add(f->reg, "T-v0", f->src, GW_RECORD_PASS, 0);
	gw_error_clear(&err);
	assert_int_equal(gw_registry_revoke(f->reg, id, "bob", NULL, &err),
			 -EALREADY);
	assert_int_equal(
		gw_registry_approve(f->reg, id, "ann", "looked", 0, NULL), 0);
	assert_int_equal(gw_registry_record_info(f->reg, id, &info, NULL), 0);
	assert_int_equal(info.approval, GW_APPROVAL_APPROVED);
	assert_int_equal(gw_registry_revoke(f->reg, id, "bob", "cve", NULL), 0);
	assert_int_equal(gw_registry_record_info(f->reg, id, &info, NULL), 0);
	assert_int_equal(info.approval, GW_APPROVAL_REVOKED);
	assert_int_equal(gw_registry_revoke(f->reg, id, "bob", NULL, NULL),
			 -EALREADY);
	assert_int_equal(gw_registry_approve(f->reg, id, "cy", NULL, 0, NULL),
			 0);
	assert_int_equal(gw_registry_record_info(f->reg, id, &info, NULL), 0);
	assert_int_equal(info.approval, GW_APPROVAL_APPROVED);

	doc = gw_registry_record_to_json(f->reg, id, NULL);
	ds = json_object_get(doc, "decisions");
	assert_int_equal(json_array_size(ds), 3);
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(ds, 1), "action")),
			    "revoke");
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(ds, 0), "note")),
			    "looked");
	assert_true(
		json_is_null(json_object_get(json_array_get(ds, 2), "note")));
	json_decref(doc);
}

static void approve_refuses_failed_records_and_bad_names(void **state)
{
	struct fx *f = *state;
	struct gw_error err;
	int64_t id;

	f->reg = open_rw(f->db);
	id = add(f->reg, "T-v0", f->src, GW_RECORD_FAIL, 2);
	gw_error_clear(&err);
	assert_int_equal(gw_registry_approve(f->reg, id, "ann", NULL, 0, &err),
			 -EPERM);
	assert_non_null(strstr(err.msg, "--force"));
	assert_non_null(strstr(err.msg, "2 findings"));
	assert_int_equal(gw_registry_approve(f->reg, id, "ann", NULL,
					     GW_APPROVE_FORCE, NULL),
			 0);
	assert_int_equal(
		gw_registry_approve(f->reg, id + 1, "ann", NULL, 0, NULL),
		-ENOENT);
	assert_int_equal(gw_registry_approve(f->reg, id, "", NULL, 0, NULL),
			 -EINVAL);
	assert_int_equal(gw_registry_approve(f->reg, id, NULL, NULL, 0, NULL),
			 -EINVAL);
	assert_int_equal(gw_registry_approve(f->reg, id, "a\nb", NULL, 0, NULL),
			 -EINVAL);
	assert_int_equal(count_rows(f->db, "decisions"), 1);
}

static void decisions_and_records_cannot_be_rewritten(void **state)
{
	static const char *const edits[] = {
		"UPDATE decisions SET action = 'approve'",
		"DELETE FROM decisions",
		"UPDATE records SET digest = 'sha256:00'",
		"UPDATE files SET sha256 = '00'",
		"UPDATE findings SET severity = 'low'",
	};
	struct fx *f = *state;
	int64_t id;

	f->reg = open_rw(f->db);
	id = add(f->reg, "T-v0", f->src, GW_RECORD_PASS, 1);
	assert_int_equal(gw_registry_approve(f->reg, id, "ann", NULL, 0, NULL),
			 0);
	assert_int_equal(gw_registry_revoke(f->reg, id, "ann", NULL, NULL), 0);
	for (size_t i = 0; i < sizeof(edits) / sizeof(edits[0]); i++)
		if (sqlite3_exec(f->reg->db, edits[i], NULL, NULL, NULL) ==
		    SQLITE_OK)
			fail_msg("'%s' was allowed", edits[i]);
	assert_int_equal(count_rows(f->db, "decisions"), 2);
}

static void find_takes_ids_and_digest_prefixes(void **state)
{
	struct fx *f = *state;
	struct gw_record_info info;
	struct gw_error err;
	char ref[80], path[256];
	int64_t a, b, c, id;

	f->reg = open_rw(f->db);
	a = add(f->reg, "T-v0", f->src, GW_RECORD_PASS, 0);
	b = add(f->reg, "T-v0", f->src, GW_RECORD_PASS, 0);
	snprintf(path, sizeof(path), "%s/new.py", f->src);
	write_file(path, "x = 1\n");
	c = add(f->reg, "T-v0", f->src, GW_RECORD_PASS, 0);
	assert_int_equal(gw_registry_record_info(f->reg, a, &info, NULL), 0);

	snprintf(ref, sizeof(ref), "%lld", (long long)c);
	assert_int_equal(gw_registry_find(f->reg, ref, &id, NULL), 0);
	assert_int_equal(id, c);
	/* One digest, two records: the newest. */
	assert_int_equal(gw_registry_find(f->reg, info.digest, &id, NULL), 0);
	assert_int_equal(id, b);
	snprintf(ref, sizeof(ref), "%.12s", info.digest + 7);
	assert_int_equal(gw_registry_find(f->reg, ref, &id, NULL), 0);
	assert_int_equal(id, b);
	for (char *p = ref; *p; p++)
		if (*p >= 'a' && *p <= 'f')
			*p = (char)(*p - 'a' + 'A');
	assert_int_equal(gw_registry_find(f->reg, ref, &id, NULL), 0);
	assert_int_equal(id, b);

	gw_error_clear(&err);
	assert_int_equal(gw_registry_find(f->reg, "999", &id, &err), -ENOENT);
	assert_int_equal(gw_registry_find(f->reg, "0", &id, NULL), -ENOENT);
	assert_int_equal(gw_registry_find(f->reg, "abc", &id, NULL), -EINVAL);
	assert_int_equal(gw_registry_find(f->reg, "zzzzzzzz", &id, NULL),
			 -EINVAL);
	assert_int_equal(gw_registry_find(f->reg, "sha256:", &id, NULL),
			 -EINVAL);
	assert_int_equal(gw_registry_find(f->reg, "", &id, NULL), -EINVAL);
}

static void ambiguous_digest_prefix_is_refused(void **state)
{
	struct fx *f = *state;
	struct gw_error err;
	sqlite3 *h;
	int64_t id;

	f->reg = open_rw(f->db);
	assert_int_equal(sqlite3_open(f->db, &h), SQLITE_OK);
	assert_int_equal(
		sqlite3_exec(h,
			     "INSERT INTO records (env_id, digest, verdict, "
			     "created) VALUES ('A', 'sha256:abcdef01', 'pass',"
			     " 'x'), ('A', 'sha256:abcdef02', 'pass', 'x')",
			     NULL, NULL, NULL),
		SQLITE_OK);
	sqlite3_close(h);
	gw_error_clear(&err);
	assert_int_equal(gw_registry_find(f->reg, "abcdef", &id, &err),
			 -EINVAL);
	assert_non_null(strstr(err.msg, "more than one digest"));
	assert_int_equal(gw_registry_find(f->reg, "abcdef02", &id, NULL), 0);
	assert_int_equal(id, 2);
}

static void attachments_are_checked_and_appended(void **state)
{
	struct fx *f = *state;
	struct gw_error err;
	json_t *doc, *at;
	int64_t id;

	f->reg = open_rw(f->db);
	id = add(f->reg, "T-v0", f->src, GW_RECORD_PASS, 0);
	assert_int_equal(gw_registry_attach_json(f->reg, id, "deps",
						 "{\"vulns\": [1, 2]}", NULL),
			 0);
	assert_int_equal(gw_registry_attach_json(f->reg, id, "fuzz",
						 "{\"steps\": 9}", NULL),
			 0);
	assert_int_equal(gw_registry_attach_json(f->reg, id, "deps",
						 "{\"vulns\": []}", NULL),
			 0);
	gw_error_clear(&err);
	assert_int_equal(gw_registry_attach_json(f->reg, id, "deps", "{", &err),
			 -EINVAL);
	assert_non_null(strstr(err.msg, "not valid JSON"));
	assert_int_equal(
		gw_registry_attach_json(f->reg, id, "deps", "[]", NULL),
		-EINVAL);
	assert_int_equal(
		gw_registry_attach_json(f->reg, id, "other", "{}", NULL),
		-EINVAL);
	assert_int_equal(
		gw_registry_attach_json(f->reg, id + 1, "deps", "{}", NULL),
		-ENOENT);

	doc = gw_registry_record_to_json(f->reg, id, NULL);
	at = json_object_get(doc, "attachments");
	assert_int_equal(json_array_size(at), 3);
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(at, 1), "kind")),
			    "fuzz");
	assert_int_equal(json_integer_value(json_object_get(
				 json_object_get(json_array_get(at, 1), "data"),
				 "steps")),
			 9);
	json_decref(doc);
}

static void text_that_is_not_utf8_is_stored_escaped(void **state)
{
	struct fx *f = *state;
	struct gw_record *r = make_record("T-v0", f->src, GW_RECORD_PASS, 0);
	struct gw_finding fd = {
		.tool = "vet",
		.rule = "R",
		.severity = "low",
		.message = "bad \xff byte",
		.context = "ok \xc3\xa9",
	};
	char *text = NULL;
	json_t *doc, *got;
	int64_t id;

	f->reg = open_rw(f->db);
	assert_int_equal(gw_record_add_finding(r, &fd), 0);
	assert_int_equal(gw_registry_add_record(f->reg, r, &id, NULL), 0);
	gw_record_free(r);
	assert_int_equal(gw_registry_export_json(f->reg, id, &text, NULL), 0);
	doc = json_loads(text, 0, NULL);
	free(text);
	got = json_array_get(json_object_get(doc, "findings"), 0);
	assert_string_equal(json_string_value(json_object_get(got, "message")),
			    "bad \\xff byte");
	assert_string_equal(json_string_value(json_object_get(got, "context")),
			    "ok \xc3\xa9");
	json_decref(doc);
}

static void list_filters_by_env_and_counts(void **state)
{
	struct fx *f = *state;
	json_t *doc, *recs;
	char *text;

	f->reg = open_rw(f->db);
	add(f->reg, "A-v0", f->src, GW_RECORD_PASS, 2);
	add(f->reg, "B-v0", f->src, GW_RECORD_FAIL, 1);
	assert_int_equal(gw_registry_approve(f->reg, 1, "ann", NULL, 0, NULL),
			 0);
	assert_int_equal(gw_registry_list_json(f->reg, NULL, &text, NULL), 0);
	doc = json_loads(text, 0, NULL);
	free(text);
	recs = json_object_get(doc, "records");
	assert_int_equal(json_array_size(recs), 2);
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(recs, 0), "approval")),
			    "approved");
	assert_int_equal(json_integer_value(json_object_get(
				 json_array_get(recs, 0), "findings")),
			 2);
	json_decref(doc);
	doc = gw_registry_list_to_json(f->reg, "B-v0", NULL);
	recs = json_object_get(doc, "records");
	assert_int_equal(json_array_size(recs), 1);
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(recs, 0), "verdict")),
			    "fail");
	json_decref(doc);
}

/* ---- the enforcement check ---- */

static struct gw_manifest *manifest(struct fx *f, const char *vetting)
{
	struct gw_manifest *m = NULL;
	struct gw_error err;
	char path[256], text[1024];

	snprintf(text, sizeof(text),
		 "vetting = \"%s\"\n"
		 "[registry]\npath = \"state/.gymwarden/registry.db\"\n"
		 "[[env]]\nid = \"T-v0\"\nsource = \"src\"\n"
		 "entry_point = \"env:E\"\n"
		 "action_space = { type = \"Discrete\", n = 2 }\n"
		 "observation_space = { type = \"Discrete\", n = 2 }\n",
		 vetting);
	snprintf(path, sizeof(path), "%s/gymwarden.toml", f->dir);
	write_file(path, text);
	gw_error_clear(&err);
	if (gw_manifest_load(path, &m, &err) < 0)
		fail_msg("manifest: %s", err.msg);
	assert_string_equal(gw_manifest_registry_path(m), f->db);
	return m;
}

static int check(struct gw_manifest *m, struct gw_check_decision *d,
		 struct gw_error *err)
{
	gw_error_clear(err);
	return gw_registry_check_env(m, gw_manifest_env_at(m, 0), d, err);
}

static void required_refuses_until_approved(void **state)
{
	struct fx *f = *state;
	struct gw_manifest *m = manifest(f, "required");
	struct gw_check_decision d;
	struct gw_error err;
	char hint[64];
	int64_t id;

	/* No registry at all. */
	assert_int_equal(check(m, &d, &err), -EACCES);
	assert_false(d.allowed);
	assert_int_equal(d.status, GW_CHECK_NO_RECORD);
	assert_int_equal(err.kind, GW_ERR_NOT_APPROVED);
	assert_string_equal(err.file, "T-v0");
	assert_non_null(strstr(err.msg, d.digest));
	assert_non_null(strstr(err.msg, "gymwarden vet "));
	assert_non_null(strstr(err.msg, "--env T-v0"));
	assert_non_null(strstr(err.msg, "gymwarden approve RECORD --by NAME"));
	assert_non_null(strstr(d.message, "env 'T-v0'"));

	/* A record, not approved. */
	f->reg = open_rw(f->db);
	id = add(f->reg, "T-v0", f->src, GW_RECORD_PASS, 0);
	assert_int_equal(check(m, &d, &err), -EACCES);
	assert_int_equal(d.status, GW_CHECK_NOT_APPROVED);
	assert_int_equal(d.record_id, id);
	snprintf(hint, sizeof(hint), "gymwarden approve %lld --by NAME",
		 (long long)id);
	assert_non_null(strstr(err.msg, hint));

	/* Approved. */
	assert_int_equal(gw_registry_approve(f->reg, id, "ann", NULL, 0, NULL),
			 0);
	assert_int_equal(check(m, &d, &err), 0);
	assert_true(d.allowed);
	assert_int_equal(d.status, GW_CHECK_APPROVED);
	assert_int_equal(d.record_id, id);
	assert_int_equal(err.code, 0);
	/* NULL decision is fine. */
	assert_int_equal(
		gw_registry_check_env(m, gw_manifest_env_at(m, 0), NULL, NULL),
		0);
	gw_manifest_free(m);
}

static void a_changed_tree_needs_a_new_approval(void **state)
{
	struct fx *f = *state;
	struct gw_manifest *m = manifest(f, "required");
	struct gw_check_decision d;
	struct gw_error err;
	char path[256], old[80];
	int64_t id;

	f->reg = open_rw(f->db);
	id = add(f->reg, "T-v0", f->src, GW_RECORD_PASS, 0);
	assert_int_equal(gw_registry_approve(f->reg, id, "ann", NULL, 0, NULL),
			 0);
	assert_int_equal(check(m, &d, &err), 0);
	snprintf(old, sizeof(old), "%s", d.digest);

	snprintf(path, sizeof(path), "%s/env.py", f->src);
	write_file(path, "class E:\n    pass  # edited\n");
	assert_int_equal(check(m, &d, &err), -EACCES);
	assert_int_equal(d.status, GW_CHECK_NO_RECORD);
	assert_string_not_equal(d.digest, old);
	assert_non_null(strstr(err.msg, "tree has changed since"));

	/* The same tree under another env id is not approved by it. */
	write_file(path, "class E:\n    pass\n");
	assert_int_equal(check(m, &d, &err), 0);
	gw_manifest_free(m);
	m = NULL;
	{
		struct gw_record *r =
			make_record("Other-v0", f->src, GW_RECORD_PASS, 0);

		assert_int_equal(gw_registry_add_record(f->reg, r, &id, NULL),
				 0);
		gw_record_free(r);
		assert_int_equal(
			gw_registry_approve(f->reg, id, "ann", NULL, 0, NULL),
			0);
	}
	assert_int_equal(gw_registry_revoke(f->reg, 1, "bob", "oops", NULL), 0);
	m = manifest(f, "required");
	assert_int_equal(check(m, &d, &err), -EACCES);
	assert_int_equal(d.status, GW_CHECK_REVOKED);
	assert_int_equal(d.record_id, 1);
	assert_non_null(strstr(err.msg, "revoked by bob"));
	gw_manifest_free(m);
}

static void warn_allows_loudly_and_off_skips(void **state)
{
	struct fx *f = *state;
	struct gw_manifest *m = manifest(f, "warn");
	struct gw_check_decision d;
	struct gw_error err;

	assert_int_equal(check(m, &d, &err), 0);
	assert_true(d.allowed);
	assert_int_equal(d.status, GW_CHECK_NO_RECORD);
	assert_int_equal(d.vetting, GW_VETTING_WARN);
	assert_int_equal(err.code, 0);
	assert_non_null(strstr(d.message, d.digest));
	gw_manifest_free(m);

	m = manifest(f, "off");
	assert_int_equal(check(m, &d, &err), 0);
	assert_true(d.allowed);
	assert_int_equal(d.status, GW_CHECK_UNCHECKED);
	assert_string_equal(d.digest, "");
	gw_manifest_free(m);
}

static void an_unreadable_tree_fails_closed_unless_warn(void **state)
{
	struct fx *f = *state;
	struct gw_manifest *m = manifest(f, "required");
	struct gw_check_decision d;
	struct gw_error err;
	char path[256];

	snprintf(path, sizeof(path), "%s/pipe", f->src);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(check(m, &d, &err), -EPERM);
	assert_false(d.allowed);
	assert_int_equal(d.status, GW_CHECK_FAILED);
	assert_int_equal(err.kind, GW_ERR_NOT_APPROVED);
	assert_non_null(strstr(err.msg, "a fifo"));
	gw_manifest_free(m);

	m = manifest(f, "warn");
	assert_int_equal(check(m, &d, &err), 0);
	assert_true(d.allowed);
	assert_int_equal(d.status, GW_CHECK_FAILED);
	gw_manifest_free(m);
}

#define T(f) cmocka_unit_test_setup_teardown(f, fx_setup, fx_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(open_creates_private_file_and_folder),
		T(open_without_create_needs_the_file),
		T(fresh_registry_is_at_the_latest_schema),
		T(version_1_is_migrated_and_keeps_its_records),
		T(version_0_file_is_initialised_foreign_file_refused),
		T(newer_schema_is_refused_with_a_clear_error),
		T(record_round_trips_through_export),
		T(incomplete_or_failed_builders_are_refused),
		T(injected_failure_at_each_step_leaves_no_record),
		T(crash_inside_the_transaction_leaves_no_half_record),
		T(concurrent_writers_all_land_whole),
		T(approve_revoke_and_approve_again),
		T(approve_refuses_failed_records_and_bad_names),
		T(decisions_and_records_cannot_be_rewritten),
		T(find_takes_ids_and_digest_prefixes),
		T(ambiguous_digest_prefix_is_refused),
		T(attachments_are_checked_and_appended),
		T(text_that_is_not_utf8_is_stored_escaped),
		T(list_filters_by_env_and_counts),
		T(required_refuses_until_approved),
		T(a_changed_tree_needs_a_new_approval),
		T(warn_allows_loudly_and_off_skips),
		T(an_unreadable_tree_fails_closed_unless_warn),
	};

	/* The check logs every decision; refusals still show. */
	gw_log_set_level(GW_LOG_ERROR);
	return cmocka_run_group_tests_name("registry", tests, NULL, NULL);
}
