/*
 * Unit tests for src/jail/probe*.c: the parsers of cgroup and procfs
 * text, and the verdicts drawn from synthetic probes. Nothing here
 * touches the kernel; the real probe is exercised by
 * tests/integration/test_doctor.py.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "jail/probe.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* -------------------------------------------------------------------
 * Word lists: cgroup.controllers, cgroup.subtree_control, actions_avail
 */

struct words_case {
	const char *name;
	const char *in;
	int want; /* count or negative errno */
	const char *out;
};

static const struct words_case words_cases[] = {
	{ "empty file", "", 0, "" },
	{ "only a newline", "\n", 0, "" },
	{ "one controller", "hugetlb\n", 1, "hugetlb" },
	{ "usual v2 root", "cpuset cpu io memory hugetlb pids rdma misc\n", 8,
	  "cpuset cpu io memory hugetlb pids rdma misc" },
	{ "runs of blanks collapse", "  cpu\t\tmemory   pids \n", 3,
	  "cpu memory pids" },
	{ "no final newline", "cpu memory", 2, "cpu memory" },
	{ "actions_avail",
	  "kill_process kill_thread trap errno user_notif trace log allow\n", 8,
	  "kill_process kill_thread trap errno user_notif trace log allow" },
	{ "escape byte", "cpu \033[2Jmemory\n", -EINVAL, NULL },
	{ "colon", "cpu:memory\n", -EINVAL, NULL },
	{ "high byte", "m\xc3\xa9mory\n", -EINVAL, NULL },
};

static void probe_parse_words_table_gives_expected_lists(void **state)
{
	char out[GW_PROBE_LIST_BYTES];

	(void)state;
	for (size_t i = 0; i < N_OF(words_cases); i++) {
		const struct words_case *c = &words_cases[i];
		int r = gw_probe_parse_words(c->in, out, sizeof(out));

		if (r != c->want)
			fail_msg("%s: got %d, want %d", c->name, r, c->want);
		if (c->out && strcmp(out, c->out) != 0)
			fail_msg("%s: got '%s', want '%s'", c->name, out,
				 c->out);
	}
}

static void probe_parse_controllers_handles_empty_file(void **state)
{
	char out[8] = "junk";

	(void)state;
	assert_int_equal(gw_probe_parse_words("", out, sizeof(out)), 0);
	assert_string_equal(out, "");
	assert_false(gw_probe_words_have(out, "memory"));
}

static void probe_parse_words_refuses_list_longer_than_cap(void **state)
{
	char out[10];

	(void)state;
	assert_int_equal(gw_probe_parse_words("cpu pids", out, sizeof(out)), 2);
	assert_int_equal(gw_probe_parse_words("cpu memory", out, sizeof(out)),
			 -E2BIG);
	assert_int_equal(gw_probe_parse_words("cpu", out, 0), -E2BIG);
}

static void probe_words_have_matches_whole_words_only(void **state)
{
	(void)state;
	assert_true(gw_probe_words_have("cpu memory pids", "cpu"));
	assert_true(gw_probe_words_have("cpu memory pids", "memory"));
	assert_true(gw_probe_words_have("cpu memory pids", "pids"));
	assert_false(gw_probe_words_have("cpuset memory", "cpu"));
	assert_false(gw_probe_words_have("cpu memory", "mem"));
	assert_false(gw_probe_words_have("", "cpu"));
	assert_false(gw_probe_words_have("cpu", ""));
}

static void probe_opts_have_reads_comma_lists(void **state)
{
	(void)state;
	assert_true(gw_probe_opts_have("rw,cpu,cpuacct", "cpu"));
	assert_true(gw_probe_opts_have("rw,cpu,cpuacct", "cpuacct"));
	assert_false(gw_probe_opts_have("rw,cpuacct", "cpu"));
	assert_false(gw_probe_opts_have("rw,name=systemd", "name"));
	assert_true(gw_probe_opts_have("rw,name=systemd", "name=systemd"));
	assert_false(gw_probe_opts_have("", "rw"));
}

/* -------------------------------------------------------------------
 * /proc/cgroups
 */

static const char proc_cgroups_v1[] =
	"#subsys_name\thierarchy\tnum_cgroups\tenabled\n"
	"cpuset\t3\t1\t1\n"
	"cpu\t1\t1\t1\n"
	"memory\t4\t34\t1\n"
	"net_cls\t0\t1\t1\n"
	"hugetlb\t0\t1\t1\n"
	"pids\t8\t1\t0\n";

static void probe_parse_proc_cgroups_reads_each_controller(void **state)
{
	struct gw_probe_v1_controller ctl[GW_PROBE_MAX_V1];
	size_t n;

	(void)state;
	assert_int_equal(gw_probe_parse_proc_cgroups(proc_cgroups_v1, ctl,
						     N_OF(ctl), &n),
			 0);
	assert_int_equal(n, 6);
	assert_string_equal(ctl[2].name, "memory");
	assert_int_equal(ctl[2].hierarchy, 4);
	assert_int_equal(ctl[2].num_cgroups, 34);
	assert_true(ctl[2].enabled);
	assert_int_equal(ctl[3].hierarchy, 0);
	assert_false(ctl[5].enabled);
	assert_int_equal(ctl[0].writable, GW_PROBE_NOT_TRIED);
	assert_string_equal(ctl[0].mount, "");
}

static void probe_parse_proc_cgroups_handles_empty_file(void **state)
{
	struct gw_probe_v1_controller ctl[2];
	size_t n = 99;

	(void)state;
	assert_int_equal(gw_probe_parse_proc_cgroups("", ctl, N_OF(ctl), &n),
			 0);
	assert_int_equal(n, 0);
	assert_int_equal(gw_probe_parse_proc_cgroups(
				 "#subsys_name\thierarchy\tnum_cgroups\t"
				 "enabled\n\n",
				 ctl, N_OF(ctl), &n),
			 0);
	assert_int_equal(n, 0);
}

static void probe_parse_proc_cgroups_rejects_malformed_lines(void **state)
{
	static const char *const bad[] = {
		"memory\t4\t34\n",	       /* a field missing */
		"memory\t4\t34\t2\n",	       /* enabled is 0 or 1 */
		"memory\tfour\t34\t1\n",       /* not a number */
		"memory\t4\t34\t1\tx\n",       /* trailing junk */
		"mem:ory\t4\t34\t1\n",	       /* not a name */
		"memory\t99999999999\t1\t1\n", /* out of range */
	};
	struct gw_probe_v1_controller ctl[4];
	size_t n;

	(void)state;
	for (size_t i = 0; i < N_OF(bad); i++)
		if (gw_probe_parse_proc_cgroups(bad[i], ctl, N_OF(ctl), &n) !=
		    -EINVAL)
			fail_msg("accepted '%s'", bad[i]);
}

static void probe_parse_proc_cgroups_refuses_more_than_max(void **state)
{
	struct gw_probe_v1_controller ctl[3];
	size_t n;

	(void)state;
	assert_int_equal(gw_probe_parse_proc_cgroups(proc_cgroups_v1, ctl,
						     N_OF(ctl), &n),
			 -E2BIG);
}

/* -------------------------------------------------------------------
 * mountinfo
 */

struct mountinfo_case {
	const char *name;
	const char *line;
	int want;
	const char *root, *mount, *fstype, *super_opts;
};

static const struct mountinfo_case mountinfo_cases[] = {
	{ "cgroup2 without optional fields",
	  "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 "
	  "rw",
	  0, "/", "/sys/fs/cgroup/unified", "cgroup2", "rw" },
	{ "v1 with optional fields",
	  "32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid shared:9 "
	  "master:2 - cgroup cgroup rw,cpu,cpuacct",
	  0, "/", "/sys/fs/cgroup/cpu,cpuacct", "cgroup", "rw,cpu,cpuacct" },
	{ "bind mount of a sub-cgroup",
	  "90 80 0:27 /user.slice /mnt/cg ro - cgroup2 cgroup2 rw,nsdelegate",
	  0, "/user.slice", "/mnt/cg", "cgroup2", "rw,nsdelegate" },
	{ "escaped space and backslash",
	  "36 35 98:0 /a\\040b /mnt/x\\134y rw - ext4 /dev/vda rw", 0, "/a b",
	  "/mnt/x\\y", "ext4", "rw" },
	{ "escape cut short stays literal",
	  "36 35 98:0 / /m\\04 rw - ext4 /dev/vda rw", 0, "/", "/m\\04", "ext4",
	  "rw" },
	{ "escaped nul", "36 35 98:0 / /m\\000 rw - ext4 /dev/vda rw",
	  -EINVAL },
	{ "no separator", "36 35 98:0 / /mnt rw ext4 /dev/vda rw", -EINVAL },
	{ "nothing after separator", "36 35 98:0 / /mnt rw -", -EINVAL },
	{ "too few fields", "36 35 98:0 /", -EINVAL },
	{ "empty line", "", -EINVAL },
	{ "fstype too long",
	  "1 2 0:1 / /m rw - "
	  "abcdefghijklmnopqrstuvwxyzabcdefghijkl src rw",
	  -ENAMETOOLONG },
};

static void probe_parse_mountinfo_line_table(void **state)
{
	struct gw_mountinfo m;

	(void)state;
	for (size_t i = 0; i < N_OF(mountinfo_cases); i++) {
		const struct mountinfo_case *c = &mountinfo_cases[i];
		int r = gw_probe_parse_mountinfo_line(c->line, strlen(c->line),
						      &m);

		if (r != c->want)
			fail_msg("%s: got %d, want %d", c->name, r, c->want);
		if (r != 0)
			continue;
		if (strcmp(m.root, c->root) || strcmp(m.mount, c->mount) ||
		    strcmp(m.fstype, c->fstype) ||
		    strcmp(m.super_opts, c->super_opts))
			fail_msg("%s: got '%s' '%s' '%s' '%s'", c->name, m.root,
				 m.mount, m.fstype, m.super_opts);
	}
}

static void probe_parse_mountinfo_line_refuses_long_path(void **state)
{
	char line[GW_PROBE_PATH_BYTES + 64], path[GW_PROBE_PATH_BYTES + 1];
	struct gw_mountinfo m;

	(void)state;
	memset(path, 'a', sizeof(path) - 1);
	path[0] = '/';
	path[sizeof(path) - 1] = '\0';
	snprintf(line, sizeof(line), "1 2 0:1 / %s rw - tmpfs t rw", path);
	assert_int_equal(gw_probe_parse_mountinfo_line(line, strlen(line), &m),
			 -ENAMETOOLONG);
}

/* Uses only len bytes: a line inside a larger buffer parses alone. */
static void probe_parse_mountinfo_line_stops_at_len(void **state)
{
	const char text[] = "1 2 0:1 / /a rw - tmpfs t rw,size=4k EXTRA";
	struct gw_mountinfo m;

	(void)state;
	assert_int_equal(
		gw_probe_parse_mountinfo_line(text, strlen(text) - 6, &m), 0);
	assert_string_equal(m.super_opts, "rw,size=4k");
}

static const char mountinfo_text[] =
	"22 27 0:21 / /proc rw,relatime - proc proc rw\n"
	"27 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n"
	"31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
	"32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup "
	"rw,cpu,cpuacct\n"
	"35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
	"40 31 0:37 / /sys/fs/cgroup/systemd rw - cgroup cgroup "
	"rw,name=systemd\n"
	"this line is not mountinfo\n"
	"50 27 0:40 /other /srv/cg rw - cgroup2 cgroup2 rw\n"
	"41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 "
	"rw";

static void probe_find_mount_picks_matching_hierarchy(void **state)
{
	struct gw_mountinfo m;

	(void)state;
	assert_int_equal(gw_probe_find_mount(mountinfo_text, "cgroup", "memory",
					     "/", &m),
			 0);
	assert_string_equal(m.mount, "/sys/fs/cgroup/memory");
	assert_int_equal(
		gw_probe_find_mount(mountinfo_text, "cgroup", "cpu", "/", &m),
		0);
	assert_string_equal(m.mount, "/sys/fs/cgroup/cpu,cpuacct");
	assert_int_equal(
		gw_probe_find_mount(mountinfo_text, "cgroup", "pids", "/", &m),
		-ENOENT);
	assert_int_equal(
		gw_probe_find_mount(mountinfo_text, "cgroup", "name", "/", &m),
		-ENOENT);
}

static void probe_find_mount_prefers_root_holding_our_cgroup(void **state)
{
	struct gw_mountinfo m;

	(void)state;
	assert_int_equal(gw_probe_find_mount(mountinfo_text, "cgroup2", NULL,
					     "/user.slice/a.scope", &m),
			 0);
	assert_string_equal(m.mount, "/sys/fs/cgroup/unified");
	assert_int_equal(gw_probe_find_mount(mountinfo_text, "cgroup2", NULL,
					     "/other/x", &m),
			 0);
	assert_string_equal(m.mount, "/srv/cg");
	/* Without a path: the first cgroup2 mount. */
	assert_int_equal(
		gw_probe_find_mount(mountinfo_text, "cgroup2", NULL, NULL, &m),
		0);
	assert_string_equal(m.mount, "/srv/cg");
	assert_int_equal(gw_probe_find_mount("", "cgroup2", NULL, NULL, &m),
			 -ENOENT);
}

/* -------------------------------------------------------------------
 * /proc/self/cgroup
 */

struct cgroup_line_case {
	const char *name;
	const char *line;
	int want;
	unsigned hierarchy;
	const char *controllers, *path;
};

static const struct cgroup_line_case cgroup_line_cases[] = {
	{ "v2 root", "0::/", 0, 0, "", "/" },
	{ "v2 nested", "0::/user.slice/user-1000.slice", 0, 0, "",
	  "/user.slice/user-1000.slice" },
	{ "v1 one controller", "4:memory:/process_api/4c", 0, 4, "memory",
	  "/process_api/4c" },
	{ "v1 shared hierarchy", "2:cpu,cpuacct:/", 0, 2, "cpu,cpuacct", "/" },
	{ "named hierarchy", "9:name=systemd:/", 0, 9, "name=systemd", "/" },
	{ "path holding a colon", "0::/a:b", 0, 0, "", "/a:b" },
	{ "hierarchy not a number", "x::/", -EINVAL },
	{ "one colon only", "0:/", -EINVAL },
	{ "relative path", "0::user.slice", -EINVAL },
	{ "empty path", "0::", -EINVAL },
	{ "empty line", "", -EINVAL },
};

static void probe_parse_cgroup_line_table(void **state)
{
	struct gw_cgroup_line c;

	(void)state;
	for (size_t i = 0; i < N_OF(cgroup_line_cases); i++) {
		const struct cgroup_line_case *t = &cgroup_line_cases[i];
		int r = gw_probe_parse_cgroup_line(t->line, strlen(t->line),
						   &c);

		if (r != t->want)
			fail_msg("%s: got %d, want %d", t->name, r, t->want);
		if (r != 0)
			continue;
		if (c.hierarchy != t->hierarchy ||
		    strcmp(c.controllers, t->controllers) ||
		    strcmp(c.path, t->path))
			fail_msg("%s: got %u '%s' '%s'", t->name, c.hierarchy,
				 c.controllers, c.path);
	}
}

static const char self_cgroup_text[] = "9:name=systemd:/\n"
				       "4:memory:/process_api/4c\n"
				       "2:cpu,cpuacct:/jobs\n"
				       "0::/user.slice/a.scope\n";

static void probe_find_cgroup_path_by_hierarchy(void **state)
{
	char path[GW_PROBE_PATH_BYTES];

	(void)state;
	assert_int_equal(gw_probe_find_cgroup_path(self_cgroup_text, NULL, path,
						   sizeof(path)),
			 0);
	assert_string_equal(path, "/user.slice/a.scope");
	assert_int_equal(gw_probe_find_cgroup_path(self_cgroup_text, "memory",
						   path, sizeof(path)),
			 0);
	assert_string_equal(path, "/process_api/4c");
	assert_int_equal(gw_probe_find_cgroup_path(self_cgroup_text, "cpu",
						   path, sizeof(path)),
			 0);
	assert_string_equal(path, "/jobs");
	assert_int_equal(gw_probe_find_cgroup_path(self_cgroup_text, "pids",
						   path, sizeof(path)),
			 -ENOENT);
	assert_int_equal(gw_probe_find_cgroup_path("4:memory:/\n", NULL, path,
						   sizeof(path)),
			 -ENOENT);
	assert_int_equal(
		gw_probe_find_cgroup_path(self_cgroup_text, NULL, path, 4),
		-ENAMETOOLONG);
}

/* -------------------------------------------------------------------
 * Joining a mount and a cgroup path; sysctl values
 */

struct dir_case {
	const char *mount, *root, *path;
	int want;
	const char *out;
};

static const struct dir_case dir_cases[] = {
	{ "/sys/fs/cgroup", "/", "/", 0, "/sys/fs/cgroup" },
	{ "/sys/fs/cgroup", "/", "/a/b", 0, "/sys/fs/cgroup/a/b" },
	{ "/sys/fs/cgroup/", "/", "/a", 0, "/sys/fs/cgroup/a" },
	{ "/", "/", "/a", 0, "/a" },
	{ "/", "/", "/", 0, "/" },
	{ "/mnt/cg", "/a", "/a/b", 0, "/mnt/cg/b" },
	{ "/mnt/cg", "/a", "/a", 0, "/mnt/cg" },
	{ "/mnt/cg", "/a", "/ab", -ENOENT, NULL },
	{ "/mnt/cg", "/a", "/", -ENOENT, NULL },
};

static void probe_cgroup_dir_joins_mount_and_path(void **state)
{
	char out[GW_PROBE_PATH_BYTES];

	(void)state;
	for (size_t i = 0; i < N_OF(dir_cases); i++) {
		const struct dir_case *c = &dir_cases[i];
		int r = gw_probe_cgroup_dir(c->mount, c->root, c->path, out,
					    sizeof(out));

		if (r != c->want)
			fail_msg("%s + %s in %s: got %d, want %d", c->mount,
				 c->path, c->root, r, c->want);
		if (c->out && strcmp(out, c->out) != 0)
			fail_msg("%s + %s: got '%s', want '%s'", c->mount,
				 c->path, out, c->out);
	}
	assert_int_equal(
		gw_probe_cgroup_dir("/sys/fs/cgroup", "/", "/a", out, 16),
		-ENAMETOOLONG);
}

static void probe_parse_long_reads_sysctl_values(void **state)
{
	static const struct {
		const char *in;
		int want;
		long v;
	} cases[] = {
		{ "1\n", 0, 1 },
		{ "0", 0, 0 },
		{ "96362\n", 0, 96362 },
		{ "-1\n", 0, -1 },
		{ "", -EINVAL, 0 },
		{ "\n", -EINVAL, 0 },
		{ "abc", -EINVAL, 0 },
		{ "1 2\n", -EINVAL, 0 },
		{ "1\n\n", -EINVAL, 0 },
		{ " 1", -EINVAL, 0 },
		{ "99999999999999999999", -EINVAL, 0 },
	};
	long v;

	(void)state;
	for (size_t i = 0; i < N_OF(cases); i++) {
		v = 12345;
		if (gw_probe_parse_long(cases[i].in, &v) != cases[i].want)
			fail_msg("'%s': wrong result", cases[i].in);
		if (cases[i].want == 0 && v != cases[i].v)
			fail_msg("'%s': got %ld", cases[i].in, v);
	}
}

/* -------------------------------------------------------------------
 * Truncation and bit-flip sweeps: every parser survives damaged input.
 */

static void probe_parsers_survive_truncation_and_bit_flips(void **state)
{
	static const char *const lines[] = {
		("32 31 0:29 / /sys/fs/cgroup/cpu rw shared:9 - cgroup cgroup "
		 "rw,cpu"),
		"4:memory:/process_api/4c",
		"memory\t4\t34\t1\n",
		"cpu memory pids\n",
	};
	struct gw_probe_v1_controller ctl[4];
	char buf[128], out[GW_PROBE_LIST_BYTES];
	struct gw_cgroup_line c;
	struct gw_mountinfo m;
	size_t n;
	int r;

	(void)state;
	for (size_t l = 0; l < N_OF(lines); l++) {
		size_t len = strlen(lines[l]);

		for (size_t cut = 0; cut <= len; cut++) {
			for (size_t bit = 0; bit <= cut * 8; bit++) {
				memcpy(buf, lines[l], cut);
				buf[cut] = '\0';
				if (bit < cut * 8)
					buf[bit / 8] ^= (char)(1u << (bit % 8));
				if (memchr(buf, '\0', cut))
					continue;
				assert_true(gw_probe_parse_mountinfo_line(
						    buf, cut, &m) <= 0);
				assert_true(gw_probe_parse_cgroup_line(
						    buf, cut, &c) <= 0);
				assert_true(gw_probe_parse_proc_cgroups(
						    buf, ctl, N_OF(ctl), &n) <=
					    0);
				r = gw_probe_parse_words(buf, out, sizeof(out));
				assert_true(r >= 0 || r == -EINVAL);
			}
		}
	}
}

/* -------------------------------------------------------------------
 * Verdicts from synthetic probes
 */

static struct gw_host_probe probe;
static struct gw_layer_report layers[GW_LAYER_COUNT];

/* A host where everything works, as root. */
static void full_host(struct gw_host_probe *p)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->host.kernel, sizeof(p->host.kernel), "6.12.0");
	p->host.cap_sys_admin = 1;
	p->userns.unprivileged_userns_clone = GW_PROBE_NO_SYSCTL;
	p->userns.max_user_namespaces = 1000;
	p->userns.apparmor_restrict = GW_PROBE_NO_SYSCTL;
	snprintf(p->seccomp.actions, sizeof(p->seccomp.actions),
		 "kill_process errno user_notif allow");
	p->landlock.abi = 6;
	p->tty.legacy_tiocsti = 0;
	snprintf(p->cgroup2.mount, sizeof(p->cgroup2.mount), "/sys/fs/cgroup");
	snprintf(p->cgroup2.path, sizeof(p->cgroup2.path), "/");
	snprintf(p->cgroup2.dir, sizeof(p->cgroup2.dir), "/sys/fs/cgroup");
	snprintf(p->cgroup2.controllers, sizeof(p->cgroup2.controllers),
		 "cpu io memory pids");
	snprintf(p->cgroup2.root_controllers,
		 sizeof(p->cgroup2.root_controllers), "cpu io memory pids");
}

/* This VM's shape: v2 mounted with hugetlb only, the rest on v1. */
static void v1_host(struct gw_host_probe *p)
{
	static const char *const names[] = { "cpu", "memory", "pids",
					     "hugetlb" };

	full_host(p);
	snprintf(p->cgroup2.controllers, sizeof(p->cgroup2.controllers),
		 "hugetlb");
	snprintf(p->cgroup2.root_controllers,
		 sizeof(p->cgroup2.root_controllers), "hugetlb");
	p->cgroup1.count = N_OF(names);
	for (size_t i = 0; i < N_OF(names); i++) {
		struct gw_probe_v1_controller *v = &p->cgroup1.ctl[i];
		bool v2 = strcmp(names[i], "hugetlb") == 0;

		snprintf(v->name, sizeof(v->name), "%s", names[i]);
		v->hierarchy = v2 ? 0 : (unsigned)i + 1;
		v->enabled = true;
		v->writable = v2 ? GW_PROBE_NOT_TRIED : 0;
		if (!v2)
			snprintf(v->mount, sizeof(v->mount),
				 "/sys/fs/cgroup/%s", names[i]);
	}
}

static const struct gw_layer_report *layer(enum gw_layer_id id)
{
	gw_host_probe_assess(&probe, layers);
	return &layers[id];
}

static void assert_mentions(const char *text, const char *part)
{
	if (!strstr(text, part))
		fail_msg("'%s' does not mention '%s'", text, part);
}

static void assess_reports_every_layer_available_on_a_full_host(void **state)
{
	(void)state;
	full_host(&probe);
	gw_host_probe_assess(&probe, layers);
	for (int i = 0; i < GW_LAYER_COUNT; i++) {
		if (layers[i].status != GW_LAYER_AVAILABLE)
			fail_msg("%s: %s", gw_layer_name(layers[i].id),
				 layers[i].detail);
		assert_int_equal(layers[i].id, i);
		assert_int_equal(layers[i].fallback, GW_FALLBACK_NONE);
		assert_string_equal(layers[i].why, "");
		assert_string_equal(layers[i].hint, "");
		assert_true(layers[i].detail[0] != '\0');
	}
}

static void assess_cgroup_degrades_to_v1_when_v2_lacks_memory(void **state)
{
	const struct gw_layer_report *r;

	(void)state;
	v1_host(&probe);
	r = layer(GW_LAYER_CGROUP);
	assert_int_equal(r->status, GW_LAYER_PARTIAL);
	assert_int_equal(r->fallback, GW_FALLBACK_DEGRADES);
	assert_mentions(r->detail, "lacks memory, pids, cpu");
	assert_mentions(r->why, "memory, pids, cpu through cgroup v1 as root");
	assert_mentions(r->hint, "cgroup_no_v1=all");
}

static void assess_cgroup_degrades_to_rlimits_when_not_delegated(void **state)
{
	const struct gw_layer_report *r;

	(void)state;
	v1_host(&probe);
	probe.host.euid = 65534;
	probe.cgroup2.make_child = -EACCES;
	r = layer(GW_LAYER_CGROUP);
	assert_int_equal(r->status, GW_LAYER_UNAVAILABLE);
	assert_int_equal(r->fallback, GW_FALLBACK_DEGRADES);
	assert_mentions(r->detail, "EACCES");
	assert_mentions(r->why, "rlimits only");
	assert_mentions(r->hint, "Delegate=yes");
}

static void assess_cgroup_mixes_v2_and_v1_controllers(void **state)
{
	const struct gw_layer_report *r;

	(void)state;
	v1_host(&probe);
	snprintf(probe.cgroup2.controllers, sizeof(probe.cgroup2.controllers),
		 "memory hugetlb");
	probe.cgroup1.ctl[1].hierarchy = 0; /* memory moved to v2 */
	probe.cgroup1.ctl[2].writable = -EROFS;
	r = layer(GW_LAYER_CGROUP);
	assert_int_equal(r->status, GW_LAYER_PARTIAL);
	assert_mentions(r->why, "memory through cgroup v2; cpu through cgroup "
				"v1 as root; pids through rlimits");
}

static void assess_cgroup_unavailable_without_cgroup2_mount(void **state)
{
	const struct gw_layer_report *r;

	(void)state;
	full_host(&probe);
	probe.cgroup2.mounted = -ENOENT;
	r = layer(GW_LAYER_CGROUP);
	assert_int_equal(r->status, GW_LAYER_UNAVAILABLE);
	assert_mentions(r->detail, "no cgroup2");
	assert_mentions(r->why, "rlimits only");
}

static void assess_userns_partial_when_only_root_can_create(void **state)
{
	const struct gw_layer_report *r;

	(void)state;
	full_host(&probe);
	probe.userns.unprivileged_userns_clone = 0;
	probe.userns.as_unprivileged = -EPERM;
	r = layer(GW_LAYER_USERNS);
	assert_int_equal(r->status, GW_LAYER_PARTIAL);
	assert_int_equal(r->fallback, GW_FALLBACK_WARNS);
	assert_mentions(r->detail, "EPERM");
	assert_string_equal(r->hint,
			    "sysctl kernel.unprivileged_userns_clone=1");
}

static void assess_userns_refuses_unprivileged_user_without_it(void **state)
{
	const struct gw_layer_report *r;

	(void)state;
	full_host(&probe);
	probe.host.euid = 1000;
	probe.userns.as_root = GW_PROBE_NOT_TRIED;
	probe.userns.as_unprivileged = -ENOSPC;
	probe.userns.max_user_namespaces = 0;
	r = layer(GW_LAYER_USERNS);
	assert_int_equal(r->status, GW_LAYER_UNAVAILABLE);
	assert_int_equal(r->fallback, GW_FALLBACK_REFUSES);
	assert_mentions(r->hint, "user.max_user_namespaces");
}

static void assess_userns_as_root_degrades_to_setuid(void **state)
{
	const struct gw_layer_report *r;

	(void)state;
	full_host(&probe);
	probe.userns.as_root = -EINVAL;
	probe.userns.as_unprivileged = -EINVAL;
	r = layer(GW_LAYER_USERNS);
	assert_int_equal(r->status, GW_LAYER_UNAVAILABLE);
	assert_int_equal(r->fallback, GW_FALLBACK_DEGRADES);
	assert_mentions(r->hint, "CONFIG_USER_NS");
}

static void assess_ns_hint_points_at_userns_first(void **state)
{
	const struct gw_layer_report *r;

	(void)state;
	full_host(&probe);
	probe.host.euid = 1000;
	probe.ns.via_userns = true;
	probe.ns.result[GW_NS_USER] = -EPERM;
	probe.ns.result[GW_NS_PID] = -EPERM;
	r = layer(GW_LAYER_PIDNS);
	assert_int_equal(r->status, GW_LAYER_UNAVAILABLE);
	assert_int_equal(r->fallback, GW_FALLBACK_REFUSES);
	assert_mentions(r->detail, "inside a new user namespace");
	assert_mentions(r->hint, "user-ns");
}

static void assess_net_ns_fallback_depends_on_seccomp(void **state)
{
	(void)state;
	full_host(&probe);
	probe.ns.result[GW_NS_NET] = -ENOSPC;
	assert_int_equal(layer(GW_LAYER_NETNS)->fallback, GW_FALLBACK_DEGRADES);
	assert_mentions(layers[GW_LAYER_NETNS].hint, "max_net_namespaces");
	probe.seccomp.filter = -EINVAL;
	assert_int_equal(layer(GW_LAYER_NETNS)->fallback, GW_FALLBACK_REFUSES);
	assert_int_equal(layers[GW_LAYER_SECCOMP].fallback,
			 GW_FALLBACK_REFUSES);
}

static void assess_landlock_disabled_at_boot_degrades(void **state)
{
	const struct gw_layer_report *r;

	(void)state;
	full_host(&probe);
	probe.landlock.abi = -EOPNOTSUPP;
	r = layer(GW_LAYER_LANDLOCK);
	assert_int_equal(r->status, GW_LAYER_UNAVAILABLE);
	assert_int_equal(r->fallback, GW_FALLBACK_DEGRADES);
	assert_mentions(r->detail, "disabled at boot");
	assert_mentions(r->hint, "lsm=");

	probe.ns.result[GW_NS_MOUNT] = -EPERM;
	assert_int_equal(layer(GW_LAYER_LANDLOCK)->fallback,
			 GW_FALLBACK_REFUSES);
	assert_int_equal(layers[GW_LAYER_MOUNTNS].fallback,
			 GW_FALLBACK_REFUSES);
}

static void assess_landlock_old_abi_is_partial(void **state)
{
	const struct gw_layer_report *r;

	(void)state;
	full_host(&probe);
	probe.landlock.abi = 3;
	r = layer(GW_LAYER_LANDLOCK);
	assert_int_equal(r->status, GW_LAYER_PARTIAL);
	assert_int_equal(r->fallback, GW_FALLBACK_DEGRADES);
	assert_mentions(r->detail, "ABI 3 lacks TCP bind and connect");
	assert_mentions(r->hint, "6.12");

	probe.landlock.abi = 7;
	assert_int_equal(layer(GW_LAYER_LANDLOCK)->status, GW_LAYER_AVAILABLE);
}

static void assess_notify_partial_when_listener_busy(void **state)
{
	const struct gw_layer_report *r;

	(void)state;
	full_host(&probe);
	probe.seccomp.listener = -EBUSY;
	r = layer(GW_LAYER_SECCOMP_NOTIFY);
	assert_int_equal(r->status, GW_LAYER_PARTIAL);
	assert_int_equal(r->fallback, GW_FALLBACK_DEGRADES);
	assert_mentions(r->hint, "enclosing sandbox");

	probe.seccomp.notif_sizes = -EINVAL;
	snprintf(probe.seccomp.actions, sizeof(probe.seccomp.actions),
		 "kill_process errno allow");
	probe.seccomp.listener = -EINVAL;
	assert_int_equal(layer(GW_LAYER_SECCOMP_NOTIFY)->status,
			 GW_LAYER_UNAVAILABLE);
}

static void assess_tiocsti_absent_sysctl_means_legacy(void **state)
{
	const struct gw_layer_report *r;

	(void)state;
	full_host(&probe);
	probe.tty.legacy_tiocsti = GW_PROBE_NO_SYSCTL;
	r = layer(GW_LAYER_TIOCSTI);
	assert_int_equal(r->status, GW_LAYER_UNAVAILABLE);
	assert_int_equal(r->fallback, GW_FALLBACK_DEGRADES);
	assert_mentions(r->detail, "legacy");
	assert_mentions(r->hint, "6.2");

	probe.tty.legacy_tiocsti = 1;
	assert_string_equal(layer(GW_LAYER_TIOCSTI)->hint,
			    "sysctl dev.tty.legacy_tiocsti=0");
}

static void assess_no_new_privs_refuses_when_unsettable(void **state)
{
	(void)state;
	full_host(&probe);
	probe.nnp.set = -EINVAL;
	assert_int_equal(layer(GW_LAYER_NO_NEW_PRIVS)->fallback,
			 GW_FALLBACK_REFUSES);
}

static void layer_names_are_unique_and_named(void **state)
{
	(void)state;
	for (int i = 0; i < GW_LAYER_COUNT; i++) {
		const char *a = gw_layer_name((enum gw_layer_id)i);

		assert_string_not_equal(a, "?");
		assert_string_not_equal(
			gw_layer_enforcement((enum gw_layer_id)i), "?");
		for (int j = 0; j < i; j++)
			assert_string_not_equal(
				a, gw_layer_name((enum gw_layer_id)j));
	}
	assert_string_equal(gw_layer_name(GW_LAYER_CGROUP), "cgroup-v2");
	assert_string_equal(gw_layer_status_name(GW_LAYER_PARTIAL), "partial");
	assert_null(gw_layer_fallback_name(GW_FALLBACK_NONE));
	assert_string_equal(gw_layer_fallback_name(GW_FALLBACK_WARNS), "warns");
}

static void probe_result_name_spells_outcomes(void **state)
{
	(void)state;
	assert_string_equal(gw_probe_result_name(0), "ok");
	assert_string_equal(gw_probe_result_name(-EPERM), "EPERM");
	assert_string_equal(gw_probe_result_name(-EOPNOTSUPP), "EOPNOTSUPP");
	assert_null(gw_probe_result_name(GW_PROBE_NOT_TRIED));
	assert_string_equal(gw_probe_result_name(-99999), "EUNKNOWN");
}

static void ns_kind_names_and_flags_line_up(void **state)
{
	(void)state;
	assert_string_equal(gw_ns_kind_name(GW_NS_MOUNT), "mount");
	assert_string_equal(gw_ns_kind_name(GW_NS_CGROUP), "cgroup");
	for (int k = 0; k < GW_NS_COUNT; k++)
		assert_true(gw_ns_kind_flag((enum gw_ns_kind)k) != 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(probe_parse_words_table_gives_expected_lists),
		cmocka_unit_test(probe_parse_controllers_handles_empty_file),
		cmocka_unit_test(
			probe_parse_words_refuses_list_longer_than_cap),
		cmocka_unit_test(probe_words_have_matches_whole_words_only),
		cmocka_unit_test(probe_opts_have_reads_comma_lists),
		cmocka_unit_test(
			probe_parse_proc_cgroups_reads_each_controller),
		cmocka_unit_test(probe_parse_proc_cgroups_handles_empty_file),
		cmocka_unit_test(
			probe_parse_proc_cgroups_rejects_malformed_lines),
		cmocka_unit_test(
			probe_parse_proc_cgroups_refuses_more_than_max),
		cmocka_unit_test(probe_parse_mountinfo_line_table),
		cmocka_unit_test(probe_parse_mountinfo_line_refuses_long_path),
		cmocka_unit_test(probe_parse_mountinfo_line_stops_at_len),
		cmocka_unit_test(probe_find_mount_picks_matching_hierarchy),
		cmocka_unit_test(
			probe_find_mount_prefers_root_holding_our_cgroup),
		cmocka_unit_test(probe_parse_cgroup_line_table),
		cmocka_unit_test(probe_find_cgroup_path_by_hierarchy),
		cmocka_unit_test(probe_cgroup_dir_joins_mount_and_path),
		cmocka_unit_test(probe_parse_long_reads_sysctl_values),
		cmocka_unit_test(
			probe_parsers_survive_truncation_and_bit_flips),
		cmocka_unit_test(
			assess_reports_every_layer_available_on_a_full_host),
		cmocka_unit_test(
			assess_cgroup_degrades_to_v1_when_v2_lacks_memory),
		cmocka_unit_test(
			assess_cgroup_degrades_to_rlimits_when_not_delegated),
		cmocka_unit_test(assess_cgroup_mixes_v2_and_v1_controllers),
		cmocka_unit_test(
			assess_cgroup_unavailable_without_cgroup2_mount),
		cmocka_unit_test(
			assess_userns_partial_when_only_root_can_create),
		cmocka_unit_test(
			assess_userns_refuses_unprivileged_user_without_it),
		cmocka_unit_test(assess_userns_as_root_degrades_to_setuid),
		cmocka_unit_test(assess_ns_hint_points_at_userns_first),
		cmocka_unit_test(assess_net_ns_fallback_depends_on_seccomp),
		cmocka_unit_test(assess_landlock_disabled_at_boot_degrades),
		cmocka_unit_test(assess_landlock_old_abi_is_partial),
		cmocka_unit_test(assess_notify_partial_when_listener_busy),
		cmocka_unit_test(assess_tiocsti_absent_sysctl_means_legacy),
		cmocka_unit_test(assess_no_new_privs_refuses_when_unsettable),
		cmocka_unit_test(layer_names_are_unique_and_named),
		cmocka_unit_test(probe_result_name_spells_outcomes),
		cmocka_unit_test(ns_kind_names_and_flags_line_up),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
