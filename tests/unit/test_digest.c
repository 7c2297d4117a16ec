/*
 * Tree digests: the documented algorithm checked against a digest
 * computed here by hand, stability, every change that must show (a
 * byte, the exec bit, a rename, an added file, a symlink's target), the
 * changes that must not (order of creation, other mode bits, an empty
 * folder), refusals (special files, depth), and an env's digest over
 * its source and dependency paths with the registry left out.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <sodium.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/limits.h"
#include "gymwarden.h"
#include "registry/registry_priv.h"

struct tmp {
	char dir[64];
};

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int tmp_setup(void **state)
{
	struct tmp *t = calloc(1, sizeof(*t));

	snprintf(t->dir, sizeof(t->dir), "/tmp/gw-digest-XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	*state = t;
	return 0;
}

static int tmp_teardown(void **state)
{
	struct tmp *t = *state;

	nftw(t->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(t);
	return 0;
}

/* dir/rel holds text with mode; missing folders are made. */
static void put(const char *dir, const char *rel, const char *text, mode_t mode)
{
	char path[512];
	int fd;

	if (snprintf(path, sizeof(path), "%s/%s", dir, rel) >=
	    (int)sizeof(path))
		fail_msg("path too long");
	for (char *p = path + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		mkdir(path, 0755);
		*p = '/';
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

static void sub(char *out, size_t cap, const char *dir, const char *rel)
{
	if (snprintf(out, cap, "%s/%s", dir, rel) >= (int)cap)
		fail_msg("path too long");
}

/* The digest of one folder with no prefix, into out. */
static int digest_of(const char *dir, char out[GW_DIGEST_TEXT_BYTES])
{
	struct gw_tree *t = gw_tree_new();
	struct gw_error err;
	int r;

	gw_error_clear(&err);
	assert_int_equal(gw_tree_add_root(t, "", dir), 0);
	r = gw_tree_hash(t, &err);
	snprintf(out, GW_DIGEST_TEXT_BYTES, "%s", gw_tree_digest(t));
	gw_tree_free(t);
	return r;
}

/* A small tree with a subfolder, an executable and a symlink. */
static void sample(const char *dir)
{
	char path[512];

	put(dir, "pkg/__init__.py", "", 0644);
	put(dir, "pkg/env.py", "import math\n", 0644);
	put(dir, "run.sh", "#!/bin/sh\n", 0755);
	sub(path, sizeof(path), dir, "link");
	assert_int_equal(symlink("pkg/env.py", path), 0);
}

static void hex_of(const void *p, size_t n, char out[65])
{
	unsigned char sum[32];

	crypto_hash_sha256(sum, p, n);
	sodium_bin2hex(out, 65, sum, 32);
}

/*
 * docs/registry.md's algorithm, redone here from the text: entries in
 * byte order of path, "KIND SIZE HEX PATH\0" after the header.
 */
static void digest_matches_the_documented_algorithm(void **state)
{
	struct tmp *t = *state;
	char got[GW_DIGEST_TEXT_BYTES], want[80], h[5][65];
	char text[2048];
	unsigned char sum[32];
	size_t n;

	sample(t->dir);
	assert_int_equal(digest_of(t->dir, got), 0);
	hex_of("pkg/env.py", 10, h[0]);
	hex_of("", 0, h[1]);
	hex_of("import math\n", 12, h[2]);
	hex_of("#!/bin/sh\n", 10, h[3]);
	n = (size_t)snprintf(text, sizeof(text),
			     "gymwarden-tree-1\nl 10 %s link%c"
			     "f 0 %s pkg/__init__.py%c"
			     "f 12 %s pkg/env.py%c"
			     "x 10 %s run.sh%c",
			     h[0], 0, h[1], 0, h[2], 0, h[3], 0);
	crypto_hash_sha256(sum, (const unsigned char *)text, n);
	memcpy(want, "sha256:", 7);
	sodium_bin2hex(want + 7, 65, sum, 32);
	assert_string_equal(got, want);
}

static void digest_is_stable_and_independent_of_creation_order(void **state)
{
	struct tmp *t = *state;
	char a[512], b[512], d1[80], d2[80], d3[80];

	sub(a, sizeof(a), t->dir, "a");
	sub(b, sizeof(b), t->dir, "b");
	put(a, "x/1.py", "one", 0644);
	put(a, "x/2.py", "two", 0644);
	put(a, "y.py", "why", 0644);
	put(b, "y.py", "why", 0644);
	put(b, "x/2.py", "two", 0644);
	put(b, "x/1.py", "one", 0644);
	assert_int_equal(digest_of(a, d1), 0);
	assert_int_equal(digest_of(a, d2), 0);
	assert_int_equal(digest_of(b, d3), 0);
	assert_string_equal(d1, d2);
	assert_string_equal(d1, d3);
	assert_int_equal(strncmp(d1, "sha256:", 7), 0);
	assert_int_equal(strlen(d1), 71);
}

/* A change applied to a fresh sample tree and what it must do. */
struct change {
	const char *name;
	void (*apply)(const char *dir);
	bool differs;
};

static void flip_byte(const char *dir)
{
	put(dir, "pkg/env.py", "import mato\n", 0644);
}

static void set_exec(const char *dir)
{
	char p[512];

	sub(p, sizeof(p), dir, "pkg/env.py");
	assert_int_equal(chmod(p, 0744), 0);
}

static void other_mode_bits(const char *dir)
{
	char p[512];

	sub(p, sizeof(p), dir, "pkg/env.py");
	assert_int_equal(chmod(p, 0600), 0);
	sub(p, sizeof(p), dir, "run.sh");
	assert_int_equal(chmod(p, 0700), 0);
}

static void rename_file(const char *dir)
{
	char a[512], b[512];

	sub(a, sizeof(a), dir, "pkg/env.py");
	sub(b, sizeof(b), dir, "pkg/env2.py");
	assert_int_equal(rename(a, b), 0);
}

static void add_file(const char *dir)
{
	put(dir, "pkg/extra.py", "", 0644);
}

static void add_hidden(const char *dir)
{
	put(dir, ".hidden", "x", 0644);
}

static void add_pycache(const char *dir)
{
	put(dir, "pkg/__pycache__/env.cpython-311.pyc", "\x0d\x0d", 0644);
}

static void retarget_link(const char *dir)
{
	char p[512];

	sub(p, sizeof(p), dir, "link");
	assert_int_equal(unlink(p), 0);
	assert_int_equal(symlink("pkg/__init__.py", p), 0);
}

static void link_to_file(const char *dir)
{
	char p[512];

	sub(p, sizeof(p), dir, "link");
	assert_int_equal(unlink(p), 0);
	put(dir, "link", "pkg/env.py", 0644);
}

static void add_empty_folder(const char *dir)
{
	char p[512];

	sub(p, sizeof(p), dir, "empty");
	assert_int_equal(mkdir(p, 0755), 0);
}

static void touch_mtime(const char *dir)
{
	char p[512];
	struct timespec ts[2] = { { 1, 0 }, { 1, 0 } };

	sub(p, sizeof(p), dir, "pkg/env.py");
	assert_int_equal(utimensat(AT_FDCWD, p, ts, 0), 0);
}

static void digest_changes_exactly_when_the_tree_does(void **state)
{
	static const struct change changes[] = {
		{ "one byte", flip_byte, true },
		{ "exec bit", set_exec, true },
		{ "rename", rename_file, true },
		{ "added file", add_file, true },
		{ "added hidden file", add_hidden, true },
		{ "added __pycache__", add_pycache, true },
		{ "symlink target", retarget_link, true },
		{ "symlink became file", link_to_file, true },
		{ "other mode bits", other_mode_bits, false },
		{ "empty folder", add_empty_folder, false },
		{ "mtime", touch_mtime, false },
	};
	struct tmp *t = *state;
	char base[512], dir[512], d0[80], d1[80];

	sub(base, sizeof(base), t->dir, "base");
	sample(base);
	assert_int_equal(digest_of(base, d0), 0);
	for (size_t i = 0; i < sizeof(changes) / sizeof(changes[0]); i++) {
		snprintf(dir, sizeof(dir), "%s/c%zu", t->dir, i);
		sample(dir);
		assert_int_equal(digest_of(dir, d1), 0);
		assert_string_equal(d0, d1);
		changes[i].apply(dir);
		assert_int_equal(digest_of(dir, d1), 0);
		if ((strcmp(d0, d1) != 0) != changes[i].differs)
			fail_msg("%s: digest %s", changes[i].name,
				 changes[i].differs ? "unchanged" : "changed");
	}
}

static void entries_carry_type_mode_size_and_hash(void **state)
{
	struct tmp *t = *state;
	const struct gw_tree_entry *e;
	struct gw_tree *tr = gw_tree_new();
	char want[65];

	sample(t->dir);
	assert_int_equal(gw_tree_add_root(tr, "source", t->dir), 0);
	assert_int_equal(gw_tree_hash(tr, NULL), 0);
	assert_int_equal(gw_tree_entry_count(tr), 4);
	e = gw_tree_entry_at(tr, 0);
	assert_string_equal(e->path, "source/link");
	assert_int_equal(e->type, GW_TREE_SYMLINK);
	assert_int_equal(e->mode, 0777);
	assert_int_equal(e->size, 10);
	e = gw_tree_entry_at(tr, 2);
	assert_string_equal(e->path, "source/pkg/env.py");
	assert_int_equal(e->type, GW_TREE_FILE);
	assert_int_equal(e->mode, 0644);
	hex_of("import math\n", 12, want);
	assert_string_equal(e->sha256, want);
	assert_int_equal(gw_tree_entry_at(tr, 3)->mode, 0755);
	assert_null(gw_tree_entry_at(tr, 4));
	assert_int_equal(gw_tree_hash(tr, NULL), -EALREADY);
	gw_tree_free(tr);
}

static void symlinks_are_never_followed(void **state)
{
	struct tmp *t = *state;
	char src[512], out[512], link[512], d0[80], d1[80];

	sub(src, sizeof(src), t->dir, "src");
	sub(out, sizeof(out), t->dir, "outside");
	put(src, "a.py", "a", 0644);
	put(out, "secret", "one", 0644);
	sub(link, sizeof(link), src, "escape");
	assert_int_equal(symlink(out, link), 0);
	sub(link, sizeof(link), src, "loop");
	assert_int_equal(symlink("loop", link), 0);
	assert_int_equal(digest_of(src, d0), 0);
	put(out, "secret", "two", 0644);
	put(out, "more", "x", 0644);
	assert_int_equal(digest_of(src, d1), 0);
	assert_string_equal(d0, d1);
}

static void special_files_are_refused(void **state)
{
	struct tmp *t = *state;
	struct gw_tree *tr = gw_tree_new();
	struct gw_error err;
	char p[512];

	gw_error_clear(&err);
	put(t->dir, "ok.py", "", 0644);
	sub(p, sizeof(p), t->dir, "pipe");
	assert_int_equal(mkfifo(p, 0644), 0);
	assert_int_equal(gw_tree_add_root(tr, "", t->dir), 0);
	assert_int_equal(gw_tree_hash(tr, &err), -EPERM);
	assert_non_null(strstr(err.msg, "a fifo"));
	assert_non_null(strstr(err.file, "/pipe"));
	assert_string_equal(gw_tree_digest(tr), "");
	gw_tree_free(tr);
}

static void missing_root_and_bad_prefixes_are_refused(void **state)
{
	struct tmp *t = *state;
	struct gw_tree *tr = gw_tree_new();
	struct gw_error err;
	char p[512];

	gw_error_clear(&err);
	assert_int_equal(gw_tree_add_root(tr, "/abs", t->dir), -EINVAL);
	assert_int_equal(gw_tree_add_root(tr, "end/", t->dir), -EINVAL);
	assert_int_equal(gw_tree_add_root(tr, "a//b", t->dir), -EINVAL);
	assert_int_equal(gw_tree_add_root(tr, "x", t->dir), 0);
	assert_int_equal(gw_tree_add_root(tr, "x", t->dir), -EINVAL);
	sub(p, sizeof(p), t->dir, "nope");
	assert_int_equal(gw_tree_add_root(tr, "y", p), 0);
	assert_int_equal(gw_tree_hash(tr, &err), -ENOENT);
	assert_non_null(strstr(err.file, "nope"));
	gw_tree_free(tr);
}

static void single_file_root_needs_a_prefix(void **state)
{
	struct tmp *t = *state;
	struct gw_tree *tr = gw_tree_new();
	char p[512];

	put(t->dir, "one.py", "1", 0644);
	sub(p, sizeof(p), t->dir, "one.py");
	assert_int_equal(gw_tree_add_root(tr, "deps/0", p), 0);
	assert_int_equal(gw_tree_hash(tr, NULL), 0);
	assert_int_equal(gw_tree_entry_count(tr), 1);
	assert_string_equal(gw_tree_entry_at(tr, 0)->path, "deps/0");
	gw_tree_free(tr);
	tr = gw_tree_new();
	assert_int_equal(gw_tree_add_root(tr, "", p), 0);
	assert_int_equal(gw_tree_hash(tr, NULL), -EINVAL);
	gw_tree_free(tr);
}

static void nesting_past_the_cap_is_refused(void **state)
{
	struct tmp *t = *state;
	char p[2048];
	size_t n;
	struct gw_error err;

	gw_error_clear(&err);
	n = (size_t)snprintf(p, sizeof(p), "%s/deep", t->dir);
	assert_int_equal(mkdir(p, 0755), 0);
	for (unsigned i = 0; i <= GW_TREE_MAX_DEPTH; i++) {
		n += (size_t)snprintf(p + n, sizeof(p) - n, "/d");
		assert_int_equal(mkdir(p, 0755), 0);
	}
	snprintf(p, sizeof(p), "%s/deep", t->dir);
	{
		struct gw_tree *tr = gw_tree_new();

		assert_int_equal(gw_tree_add_root(tr, "", p), 0);
		assert_int_equal(gw_tree_hash(tr, &err), -ELOOP);
		gw_tree_free(tr);
	}
}

static void two_roots_with_overlapping_paths_are_refused(void **state)
{
	struct tmp *t = *state;
	struct gw_tree *tr = gw_tree_new();
	char a[512], b[512];

	sub(a, sizeof(a), t->dir, "a");
	sub(b, sizeof(b), t->dir, "b");
	put(a, "b/x", "1", 0644);
	put(b, "x", "2", 0644);
	assert_int_equal(gw_tree_add_root(tr, "r", a), 0);
	assert_int_equal(gw_tree_add_root(tr, "r/b", b), 0);
	assert_int_equal(gw_tree_hash(tr, NULL), -EEXIST);
	gw_tree_free(tr);
}

static struct gw_manifest *load_manifest(const char *dir, const char *extra)
{
	struct gw_manifest *m = NULL;
	struct gw_error err;
	char path[512], text[2048];

	gw_error_clear(&err);
	snprintf(text, sizeof(text),
		 "[registry]\npath = \"src/.gymwarden/registry.db\"\n"
		 "[[env]]\nid = \"T-v0\"\nsource = \"src\"\n"
		 "entry_point = \"m:E\"\n%s"
		 "action_space = { type = \"Discrete\", n = 2 }\n"
		 "observation_space = { type = \"Discrete\", n = 2 }\n",
		 extra);
	put(dir, "gymwarden.toml", text, 0644);
	snprintf(path, sizeof(path), "%s/gymwarden.toml", dir);
	if (gw_manifest_load(path, &m, &err) < 0)
		fail_msg("manifest: %s", err.msg);
	return m;
}

static void env_digest(const struct gw_manifest *m, char out[80])
{
	struct gw_tree *t;
	struct gw_error err;

	gw_error_clear(&err);
	if (gw_tree_digest_env(m, gw_manifest_env_at(m, 0), &t, &err) < 0)
		fail_msg("digest: %s: %s", err.file, err.msg);
	snprintf(out, 80, "%s", gw_tree_digest(t));
	gw_tree_free(t);
}

static void env_digest_covers_dependency_paths(void **state)
{
	struct tmp *t = *state;
	struct gw_manifest *m;
	struct gw_tree *tr;
	char d0[80], d1[80];

	put(t->dir, "src/m.py", "class E: pass\n", 0644);
	put(t->dir, "site/dep/__init__.py", "x = 1\n", 0644);
	m = load_manifest(t->dir, "dependency_paths = [\"site\"]\n");
	env_digest(m, d0);
	assert_int_equal(
		gw_tree_digest_env(m, gw_manifest_env_at(m, 0), &tr, NULL), 0);
	assert_int_equal(gw_tree_entry_count(tr), 2);
	assert_string_equal(gw_tree_entry_at(tr, 0)->path,
			    "deps/0/dep/__init__.py");
	assert_string_equal(gw_tree_entry_at(tr, 1)->path, "source/m.py");
	gw_tree_free(tr);

	put(t->dir, "site/dep/__init__.py", "x = 2\n", 0644);
	env_digest(m, d1);
	assert_string_not_equal(d0, d1);
	gw_manifest_free(m);
}

static void env_digest_leaves_out_the_registry_inside_the_source(void **state)
{
	struct tmp *t = *state;
	struct gw_manifest *m;
	char d0[80], d1[80];

	put(t->dir, "src/m.py", "class E: pass\n", 0644);
	m = load_manifest(t->dir, "");
	env_digest(m, d0);
	put(t->dir, "src/.gymwarden/registry.db", "db", 0600);
	put(t->dir, "src/.gymwarden/registry.db-wal", "wal", 0600);
	env_digest(m, d1);
	assert_string_equal(d0, d1);
	/* Anything else in that folder counts. */
	put(t->dir, "src/.gymwarden/other.py", "x", 0600);
	env_digest(m, d1);
	assert_string_not_equal(d0, d1);
	gw_manifest_free(m);
}

#define T(f) cmocka_unit_test_setup_teardown(f, tmp_setup, tmp_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(digest_matches_the_documented_algorithm),
		T(digest_is_stable_and_independent_of_creation_order),
		T(digest_changes_exactly_when_the_tree_does),
		T(entries_carry_type_mode_size_and_hash),
		T(symlinks_are_never_followed),
		T(special_files_are_refused),
		T(missing_root_and_bad_prefixes_are_refused),
		T(single_file_root_needs_a_prefix),
		T(nesting_past_the_cap_is_refused),
		T(two_roots_with_overlapping_paths_are_refused),
		T(env_digest_covers_dependency_paths),
		T(env_digest_leaves_out_the_registry_inside_the_source),
	};

	return cmocka_run_group_tests_name("digest", tests, NULL, NULL);
}
