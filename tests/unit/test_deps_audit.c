/*
 * Unit tests for the audit's parts: typosquat likeness, CVSS v3 scores,
 * the ELF header parser (with a bit-flip and truncation sweep over a
 * library made here), relative paths for reports, and the rules run over
 * small dependency sets, with the shared PyPA advisories when present.
 */
#include <elf.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/error.h"
#include "deps/audit.h"
#include "deps/deps.h"
#include "deps/read_priv.h"

#define OSV_DIR GW_SOURCE_ROOT "/../shared/data/osv-pypi"

static const char popular_text[] =
	"# test list\nrequests\nnumpy\npyyaml\nscikit-learn\ngymnasium\n"
	"python-dateutil\nstable-baselines3\ntorch\ngym\nurllib3\n";

struct squat_case {
	const char *name;
	enum gw_squat_kind kind;
	const char *target;
};

static const struct squat_case squat_cases[] = {
	{ "requests", GW_SQUAT_NONE, "" },
	{ "reqeusts", GW_SQUAT_SWAP, "requests" },
	{ "requets", GW_SQUAT_EDIT, "requests" },
	{ "requestss", GW_SQUAT_EDIT, "requests" },
	{ "nunpy", GW_SQUAT_EDIT, "numpy" },
	{ "scikitlearn", GW_SQUAT_SEPARATOR, "scikit-learn" },
	{ "stablebaselines3", GW_SQUAT_SEPARATOR, "stable-baselines3" },
	{ "python-numpy", GW_SQUAT_PY, "numpy" },
	{ "numpy-py", GW_SQUAT_PY, "numpy" },
	{ "yaml", GW_SQUAT_PY, "pyyaml" },
	{ "dateutil", GW_SQUAT_PY, "python-dateutil" },
	{ "gmy", GW_SQUAT_SWAP, "gym" },
	/* One letter from a three-letter name is most of it: not held. */
	{ "gyp", GW_SQUAT_NONE, "" },
	{ "flask", GW_SQUAT_NONE, "" },
	{ "pettingzoo", GW_SQUAT_NONE, "" },
};

static void typosquat_table_finds_the_slips(void **state)
{
	struct gw_popular *p = NULL;
	char target[128];

	(void)state;
	assert_int_equal(gw_popular_load_text(popular_text,
					      strlen(popular_text), &p, NULL),
			 0);
	assert_int_equal(gw_popular_count(p), 10);
	for (size_t i = 0; i < sizeof(squat_cases) / sizeof(squat_cases[0]);
	     i++) {
		const struct squat_case *c = &squat_cases[i];
		enum gw_squat_kind k;

		target[0] = '\0';
		k = gw_typosquat_check(p, c->name, target, sizeof(target));
		if (k != c->kind || strcmp(target, c->target) != 0)
			fail_msg("%s: kind %d '%s', want %d '%s'", c->name, k,
				 target, c->kind, c->target);
	}
	gw_popular_free(p);
}

static void shipped_popular_list_holds_the_rl_stack(void **state)
{
	static const char *const stack[] = {
		"gym",	 "gymnasium", "stable-baselines3", "torch",
		"numpy", "mujoco",    "pettingzoo",	   "ray"
	};
	struct gw_popular *p = NULL;

	(void)state;
	assert_int_equal(gw_popular_load(GW_SOURCE_ROOT
					 "/data/popular-packages.txt",
					 &p, NULL),
			 0);
	assert_true(gw_popular_count(p) >= 5000);
	for (size_t i = 0; i < sizeof(stack) / sizeof(stack[0]); i++)
		assert_true(gw_popular_has(p, stack[i]));
	gw_popular_free(p);
}

struct cvss_case {
	const char *vector;
	double score;
};

static const struct cvss_case cvss_cases[] = {
	{ "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8 },
	{ "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", 7.5 },
	{ "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1 },
	{ "CVSS:3.0/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 7.8 },
	{ "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:N/A:L", 3.7 },
	{ "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0 },
	{ "CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:N/I:N/A:N", 0.0 },
	{ "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H", -1 },
	{ "CVSS:2.0/AV:N/AC:L/Au:N/C:P/I:P/A:P", -1 },
	{ "", -1 },
};

static void cvss3_base_scores_match_the_specification(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cvss_cases) / sizeof(cvss_cases[0]);
	     i++) {
		double s = gw_cvss3_base_score(cvss_cases[i].vector);

		if (s < cvss_cases[i].score - 1e-9 ||
		    s > cvss_cases[i].score + 1e-9)
			fail_msg("%s: %.1f, want %.1f", cvss_cases[i].vector, s,
				 cvss_cases[i].score);
	}
}

/* A small ELF64 shared object: two program headers, SONAME and NEEDED. */
static size_t make_elf(unsigned char *buf, size_t cap)
{
	static const char strtab[] = "\0libgizmo.so.1\0libc.so.6";
	Elf64_Ehdr *eh = (Elf64_Ehdr *)buf;
	Elf64_Phdr *ph = (Elf64_Phdr *)(buf + sizeof(*eh));
	size_t dyn_off = sizeof(*eh) + 2 * sizeof(*ph);
	Elf64_Dyn *dyn = (Elf64_Dyn *)(buf + dyn_off);
	size_t str_off = dyn_off + 4 * sizeof(*dyn);
	size_t total = str_off + sizeof(strtab);

	assert_true(total <= cap);
	memset(buf, 0, total);
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_DYN;
	eh->e_machine = EM_X86_64;
	eh->e_phoff = sizeof(*eh);
	eh->e_phentsize = sizeof(*ph);
	eh->e_phnum = 2;
	ph[0] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_filesz = total };
	ph[1] = (Elf64_Phdr){ .p_type = PT_DYNAMIC,
			      .p_offset = dyn_off,
			      .p_vaddr = dyn_off,
			      .p_filesz = 4 * sizeof(*dyn) };
	dyn[0] = (Elf64_Dyn){ DT_STRTAB, { str_off } };
	dyn[1] = (Elf64_Dyn){ DT_STRSZ, { sizeof(strtab) } };
	dyn[2] = (Elf64_Dyn){ DT_SONAME, { 1 } };
	dyn[3] = (Elf64_Dyn){ DT_NEEDED, { 15 } };
	memcpy(buf + str_off, strtab, sizeof(strtab));
	return total;
}

static void elf_parser_reads_soname_and_needed(void **state)
{
	unsigned char buf[512];
	struct gw_elf_info info;
	size_t n = make_elf(buf, sizeof(buf));
	char mach[32];

	(void)state;
	assert_int_equal(gw_elf_parse_mem(buf, n, &info, NULL), 0);
	assert_int_equal(info.elf_class, 64);
	assert_string_equal(info.soname, "libgizmo.so.1");
	assert_int_equal(info.nneeded, 1);
	assert_string_equal(info.needed[0], "libc.so.6");
	assert_string_equal(
		gw_elf_machine_name(info.machine, mach, sizeof(mach)),
		"x86-64");
	assert_string_equal(gw_elf_type_name(info.type), "shared object");
	assert_int_equal(gw_elf_parse_mem("#!/bin/sh\n", 10, &info, NULL),
			 -ENOEXEC);
}

static void elf_parser_survives_every_bit_flip_and_cut(void **state)
{
	unsigned char good[512], buf[512];
	struct gw_elf_info info;
	size_t n = make_elf(good, sizeof(good));

	(void)state;
	for (size_t cut = 0; cut <= n; cut++)
		gw_elf_parse_mem(good, cut, &info, NULL);
	for (size_t bit = 0; bit < n * 8; bit++) {
		memcpy(buf, good, n);
		buf[bit / 8] ^= (unsigned char)(1u << (bit % 8));
		if (gw_elf_parse_mem(buf, n, &info, NULL) == 0) {
			/* What it kept is always a terminated string. */
			assert_true(strlen(info.soname) < sizeof(info.soname));
			assert_true(info.nneeded <= GW_ELF_MAX_NEEDED);
		}
	}
}

static void relative_paths_climb_out_of_the_base(void **state)
{
	char buf[4096];

	(void)state;
	assert_string_equal(
		gw_deps_relpath("/a/b", "/a/b/c/d.txt", buf, sizeof(buf)),
		"c/d.txt");
	assert_string_equal(
		gw_deps_relpath("/a/b/", "/a/b/d.txt", buf, sizeof(buf)),
		"d.txt");
	assert_string_equal(
		gw_deps_relpath("/a/b", "/a/x/y.txt", buf, sizeof(buf)),
		"../x/y.txt");
	assert_string_equal(
		gw_deps_relpath("/a/bc", "/a/b/y.txt", buf, sizeof(buf)),
		"../b/y.txt");
	assert_string_equal(gw_deps_relpath("/", "/etc/x", buf, sizeof(buf)),
			    "etc/x");
}

/* Audit text as a requirements file; the findings' rule names joined. */
static void audit_text(const char *text, const struct gw_osv_db *db,
		       char *rules, size_t cap)
{
	struct gw_dep_set s;
	struct gw_dep_audit a = { 0 };
	struct gw_dep_audit_config cfg = { .db = db };
	size_t used = 0;

	gw_dep_set_init(&s);
	gw_deps_read_requirements("r.txt", text, strlen(text), &s, NULL);
	assert_int_equal(gw_deps_audit(&s, &cfg, &a, NULL), 0);
	rules[0] = '\0';
	for (size_t i = 0; i < a.n && used < cap; i++)
		used += (size_t)snprintf(rules + used, cap - used, "%s%u:%s",
					 i ? " " : "", a.items[i].line,
					 a.items[i].rule->name);
	gw_dep_audit_free(&a);
	gw_dep_set_free(&s);
}

struct rule_case {
	const char *name;
	const char *text;
	const char *rules;
};

static const struct rule_case rule_cases[] = {
	{ "a range cannot be audited exactly", "gym>=0.6.0,<1\n",
	  "1:unpinned-requirement" },
	{ "a pin alone is clean without a database", "six==1.16.0\n", "" },
	{ "one hash turns hash checking on for every line",
	  "six==1.16.0 --hash=sha256:"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n"
	  "attrs==23.1.0\n",
	  "2:missing-hash" },
	{ "--require-hashes does too", "--require-hashes\nattrs==23.1.0\n",
	  "2:missing-hash" },
	{ "a constraint pins an unpinned name", "-c /dev/null\nsix\n",
	  "2:unpinned-requirement" },
	{ "an extra index invites confusion",
	  "--extra-index-url https://pkgs.example/simple\nsix==1.16.0\n",
	  "1:extra-index-url" },
	{ "a private index with unpinned names",
	  "-i https://pkgs.example/simple\nsix\n",
	  "1:private-index-unpinned 2:unpinned-requirement" },
	{ "PyPI as the index is fine", "-i https://pypi.org/simple\nsix\n",
	  "2:unpinned-requirement" },
	{ "a trusted host", "--trusted-host pkgs.example\n", "1:trusted-host" },
	{ "VCS and URLs are not auditable",
	  "git+https://e.com/w.git#egg=w\nhttps://e.com/a-1.0.tar.gz\n",
	  "1:not-auditable-remote 2:not-auditable-remote" },
	{ "local paths are not auditable", "-e ./lib\n./pkg-1.0.tar.gz\n",
	  "1:not-auditable-local 2:not-auditable-local" },
	{ "a false marker is not audited",
	  "gym ; sys_platform == \"no-such-platform\"\n", "" },
};

static void rule_table_gives_expected_findings(void **state)
{
	char rules[1024];

	(void)state;
	for (size_t i = 0; i < sizeof(rule_cases) / sizeof(rule_cases[0]);
	     i++) {
		audit_text(rule_cases[i].text, NULL, rules, sizeof(rules));
		if (strcmp(rules, rule_cases[i].rules) != 0)
			fail_msg("%s: '%s', want '%s'", rule_cases[i].name,
				 rules, rule_cases[i].rules);
	}
}

static void vulnerable_pin_names_advisories_and_smallest_upgrade(void **state)
{
	struct gw_osv_db *db = NULL;
	struct gw_dep_set s;
	struct gw_dep_audit a = { 0 };
	struct gw_dep_audit_config cfg = { 0 };
	const struct gw_dep_finding *f = NULL;
	const char *text = "urllib3==1.26.4\njinja2==2.11.3\n";

	(void)state;
	if (access(OSV_DIR, R_OK) != 0)
		skip();
	assert_int_equal(gw_osv_load(OSV_DIR, &db, NULL), 0);
	cfg.db = db;
	gw_dep_set_init(&s);
	gw_deps_read_requirements("r.txt", text, strlen(text), &s, NULL);
	assert_int_equal(gw_deps_audit(&s, &cfg, &a, NULL), 0);
	for (size_t i = 0; i < a.n; i++)
		if (strcmp(a.items[i].rule->name, "vulnerable-version") == 0)
			f = f ? f : &a.items[i];
	assert_non_null(f);
	assert_string_equal(f->package, "urllib3");
	assert_int_equal(f->line, 1);
	/* PYSEC-2021-108 is fixed in 1.26.5, later ones only in 1.26.18. */
	assert_true(f->nadv >= 3);
	assert_string_equal(f->upgrade, "1.26.18");
	assert_non_null(strstr(f->message, "PYSEC-2021-108"));
	assert_int_equal(a.state[1], GW_DEP_AUDITED);
	gw_dep_audit_free(&a);
	gw_dep_set_free(&s);
	gw_osv_free(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(typosquat_table_finds_the_slips),
		cmocka_unit_test(shipped_popular_list_holds_the_rl_stack),
		cmocka_unit_test(cvss3_base_scores_match_the_specification),
		cmocka_unit_test(elf_parser_reads_soname_and_needed),
		cmocka_unit_test(elf_parser_survives_every_bit_flip_and_cut),
		cmocka_unit_test(relative_paths_climb_out_of_the_base),
		cmocka_unit_test(rule_table_gives_expected_findings),
		cmocka_unit_test(
			vulnerable_pin_names_advisories_and_smallest_upgrade),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
