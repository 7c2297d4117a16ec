/*
 * Unit tests for src/jail/seccomp*.c: the allowlist table, the programs
 * compiled from it, the DETAIL of a violation line against hostile
 * memory, and the OCI profile. Nothing here loads a filter; the real
 * kernel is exercised by tests/seccomp/test_seccomp.py.
 */
#include <fcntl.h>
#include <jansson.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include <cmocka.h>

#include "jail/launcher.h"
#include "jail/seccomp_export.h"
#include "jail/seccomp_priv.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static bool allows(const struct gw_seccomp_rule *r)
{
	return r->verdict == GW_SECCOMP_ALLOW || r->verdict == GW_SECCOMP_EXEC;
}

/* ---- the table -------------------------------------------------------- */

static bool is_syscall_here(const char *name)
{
	for (int nr = 0; nr < GW_SECCOMP_NAME_SLOTS; nr++)
		if (gw_seccomp_names[nr] &&
		    strcmp(gw_seccomp_names[nr], name) == 0)
			return true;
	return false;
}

static void table_names_resolve_on_this_arch(void **state)
{
	(void)state;
	for (size_t i = 0; i < gw_seccomp_rule_count; i++) {
		if (!is_syscall_here(gw_seccomp_rules[i].name))
			fail_msg("no syscall %s", gw_seccomp_rules[i].name);
	}
	for (size_t i = 0; gw_seccomp_never[i]; i++) {
		if (!is_syscall_here(gw_seccomp_never[i]))
			fail_msg("no syscall %s", gw_seccomp_never[i]);
	}
}

static void table_allows_no_forbidden_call(void **state)
{
	(void)state;
	for (size_t i = 0; gw_seccomp_never[i]; i++) {
		for (size_t j = 0; j < gw_seccomp_rule_count; j++) {
			const struct gw_seccomp_rule *r = &gw_seccomp_rules[j];

			if (allows(r) &&
			    strcmp(r->name, gw_seccomp_never[i]) == 0)
				fail_msg("%s is allowed", r->name);
		}
	}
}

static void table_rows_are_well_formed(void **state)
{
	(void)state;
	for (size_t i = 0; i < gw_seccomp_rule_count; i++) {
		const struct gw_seccomp_rule *r = &gw_seccomp_rules[i];

		assert_non_null(r->why);
		assert_true(strlen(r->why) > 3);
		assert_true(r->arg <= 5);
		if (r->verdict == GW_SECCOMP_FAIL)
			assert_true(r->err > 0 && r->err < 4096);
		if (r->test == GW_SECCOMP_ANY)
			assert_int_equal(r->arg, 0);
	}
}

/* Every row of name has a condition, and check accepts each one. */
static void rows_of(const char *name,
		    void (*check)(const struct gw_seccomp_rule *))
{
	size_t n = 0;

	for (size_t i = 0; i < gw_seccomp_rule_count; i++) {
		const struct gw_seccomp_rule *r = &gw_seccomp_rules[i];

		if (strcmp(r->name, name) != 0)
			continue;
		assert_int_not_equal(r->test, GW_SECCOMP_ANY);
		check(r);
		n++;
	}
	assert_true(n > 0);
}

static void ioctl_row(const struct gw_seccomp_rule *r)
{
	static const unsigned long never[] = { TIOCSTI, TIOCLINUX, TIOCSETD,
					       TIOCCONS, TIOCSCTTY };

	assert_int_equal(r->test, GW_SECCOMP_EQ32);
	assert_int_equal(r->arg, 1);
	for (size_t i = 0; i < N_OF(never); i++)
		assert_true(r->value != never[i]);
}

static void socket_row(const struct gw_seccomp_rule *r)
{
	assert_int_equal(r->test, GW_SECCOMP_EQ32);
	assert_int_equal(r->arg, 0);
	assert_int_equal(r->value, AF_UNIX);
}

static void clone_row(const struct gw_seccomp_rule *r)
{
	unsigned long long ns = CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS |
				CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID |
				CLONE_NEWNET;

	assert_int_equal(r->test, GW_SECCOMP_CLEAR);
	assert_true((r->value & ns) == ns);
}

static void table_limits_ioctl_socket_and_clone(void **state)
{
	(void)state;
	rows_of("ioctl", ioctl_row);
	rows_of("socket", socket_row);
	rows_of("socketpair", socket_row);
	rows_of("clone", clone_row);
}

static void table_answers_clone3_with_enosys(void **state)
{
	(void)state;
	for (size_t i = 0; i < gw_seccomp_rule_count; i++) {
		const struct gw_seccomp_rule *r = &gw_seccomp_rules[i];

		if (strcmp(r->name, "clone3") == 0) {
			assert_int_equal(r->verdict, GW_SECCOMP_FAIL);
			assert_int_equal(r->err, 38);
			return;
		}
	}
	fail_msg("no clone3 row");
}

/* ---- the compiled programs ------------------------------------------- */

static void programs_check_the_architecture_first(void **state)
{
	(void)state;
	for (int p = 0; p < GW_SECCOMP_PROG_COUNT; p++) {
		const struct gw_seccomp_program *g = &gw_seccomp_programs[p];
		size_t magic = 0;

		assert_true(g->len > 10 && g->len <= GW_SECCOMP_PROG_MAX_INSNS);
		/* ld [arch]; jeq AUDIT_ARCH, else the kill at the end */
		assert_int_equal(g->insns[0].code, BPF_LD | BPF_W | BPF_ABS);
		assert_int_equal(g->insns[0].k, 4);
		assert_int_equal(g->insns[1].code, BPF_JMP | BPF_JEQ | BPF_K);
		assert_int_equal(g->insns[1].k, gw_seccomp_audit_arch);
		for (size_t i = 0; i < g->len; i++)
			magic += g->insns[i].k == GW_SECCOMP_SELF_MAGIC;
		assert_true(magic > 0);
	}
}

static void syscall_names_come_from_this_arch(void **state)
{
	(void)state;
	assert_string_equal(gw_seccomp_syscall_name(SYS_execve), "execve");
	assert_string_equal(gw_seccomp_syscall_name(SYS_openat), "openat");
	assert_null(gw_seccomp_syscall_name(-1));
	assert_null(gw_seccomp_syscall_name(0x40000000 | SYS_getpid));
	assert_null(gw_seccomp_syscall_name(GW_SECCOMP_NAME_SLOTS));
}

/* ---- DETAIL ------------------------------------------------------------ */

/* The caller's memory as the tests make it: one block at base. */
struct fake_mem {
	uint64_t base;
	const void *bytes;
	size_t len;
};

static size_t fake_peek(void *ctx, uint64_t addr, void *buf, size_t len)
{
	const struct fake_mem *m = ctx;

	if (addr < m->base || addr >= m->base + m->len)
		return 0;
	if (len > m->base + m->len - addr)
		len = m->base + m->len - addr;
	memcpy(buf, (const char *)m->bytes + (addr - m->base), len);
	return len;
}

#define BASE 0x10000u

struct detail_case {
	const char *name;
	int nr;
	uint64_t args[6];
	const void *mem; /* at BASE */
	size_t mem_len;
	const char *want;
};

static const unsigned char sin_10_1_2_3_80[16] = { 2, 0, 0, 80, 10, 1, 2, 3 };
static const unsigned char sun_abstract[] = { 1, 0, 0, 'b', 'u', 's', 1 };
static const char argv_mem[] = "/bin/sh\0-c\0id\0\0\0\0\0\0\0\0\0";

static const struct detail_case detail_cases[] = {
	{ "openat with a path",
	  SYS_openat,
	  { -100, BASE, 0x80000, 0 },
	  "/etc/shadow",
	  12,
	  "path=\"/etc/shadow\" flags=0x80000" },
	{ "openat relative to a dirfd",
	  SYS_openat,
	  { 5, BASE, 0 },
	  "x",
	  2,
	  "dirfd=5 path=\"x\" flags=0x0" },
	{ "a path with control bytes is escaped",
	  SYS_unlink,
	  { BASE },
	  "a\n\"\\\x7f",
	  6,
	  "path=\"a\\x0a\\x22\\x5c\\x7f\"" },
	{ "a path without its NUL is cut",
	  SYS_unlink,
	  { BASE },
	  "abc",
	  3,
	  "path=\"abc\"..." },
	{ "an unmapped path shows the pointer",
	  SYS_unlink,
	  { 0xdead },
	  NULL,
	  0,
	  "path=0xdead(unreadable)" },
	{ "a NULL path", SYS_unlink, { 0 }, NULL, 0, "path=NULL" },
	{ "rename shows both paths",
	  SYS_rename,
	  { BASE, BASE + 2 },
	  "a\0b",
	  4,
	  "path=\"a\" to=\"b\"" },
	{ "socket by name",
	  SYS_socket,
	  { AF_PACKET, SOCK_RAW, 0x300 },
	  NULL,
	  0,
	  "family=AF_PACKET type=SOCK_RAW protocol=0x300" },
	{ "an unknown family by number",
	  SYS_socket,
	  { 77, 1, 0 },
	  NULL,
	  0,
	  "family=77 type=SOCK_STREAM protocol=0x0" },
	{ "connect to IPv4",
	  SYS_connect,
	  { 4, BASE, 16 },
	  sin_10_1_2_3_80,
	  16,
	  "fd=4 addr=10.1.2.3:80" },
	{ "bind to an abstract socket",
	  SYS_bind,
	  { 4, BASE, 7 },
	  sun_abstract,
	  sizeof(sun_abstract),
	  "fd=4 addr=@bus\\x01" },
	{ "a short address shows the pointer",
	  SYS_connect,
	  { 4, BASE, 1 },
	  sin_10_1_2_3_80,
	  16,
	  "fd=4 addr=0x10000" },
	{ "kill", SYS_kill, { 1, 9 }, NULL, 0, "pid=1 sig=SIGKILL" },
	{ "tgkill",
	  SYS_tgkill,
	  { 2, 3, 15 },
	  NULL,
	  0,
	  "tgid=2 tid=3 sig=SIGTERM" },
	{ "ptrace",
	  SYS_ptrace,
	  { 16, 42 },
	  NULL,
	  0,
	  "request=PTRACE_ATTACH pid=42" },
	{ "ioctl by name",
	  SYS_ioctl,
	  { 0, 0x5412, 0x99 },
	  NULL,
	  0,
	  "fd=0 cmd=TIOCSTI arg=0x99" },
	{ "ioctl with high bits",
	  SYS_ioctl,
	  { 0, 0x10000541c, 0 },
	  NULL,
	  0,
	  "fd=0 cmd=TIOCLINUX/0x10000541c arg=0x0" },
	{ "clone flags by name",
	  SYS_clone,
	  { 0x10000000 | 0x100 | 17 },
	  NULL,
	  0,
	  "flags=CLONE_VM|CLONE_NEWUSER exit_signal=17" },
	{ "unshare",
	  SYS_unshare,
	  { 0x40000000 | 0x1 },
	  NULL,
	  0,
	  "flags=CLONE_NEWNET|0x1" },
	{ "anything else in hex",
	  SYS_bpf,
	  { 1, 2, 3, 4, 5, 6 },
	  NULL,
	  0,
	  "a0=0x1 a1=0x2 a2=0x3 a3=0x4 a4=0x5 a5=0x6" },
};

static void describe_case(const struct detail_case *c, char *out, size_t cap)
{
	struct seccomp_data d = { .nr = c->nr };
	struct fake_mem m = { BASE, c->mem, c->mem_len };

	memcpy(d.args, c->args, sizeof(d.args));
	gw_seccomp_describe(&d, fake_peek, &m, out, cap);
}

static void detail_describes_arguments(void **state)
{
	char out[GW_JAIL_STATUS_MAX_BYTES];

	(void)state;
	for (size_t i = 0; i < N_OF(detail_cases); i++) {
		describe_case(&detail_cases[i], out, sizeof(out));
		if (strcmp(out, detail_cases[i].want) != 0)
			fail_msg("%s: got '%s'", detail_cases[i].name, out);
	}
}

static void detail_reads_execve_argv(void **state)
{
	/* path at BASE+32, argv (pointers) at BASE+64 */
	unsigned char mem[128] = { 0 };
	uint64_t ptrs[4] = { BASE + 32, BASE + 40, BASE + 43, 0 };
	struct fake_mem m = { BASE, mem, sizeof(mem) };
	struct seccomp_data d = { .nr = SYS_execve,
				  .args = { BASE + 32, BASE + 64 } };
	char out[256];

	(void)state;
	memcpy(mem + 32, argv_mem, 14);
	memcpy(mem + 64, ptrs, sizeof(ptrs));
	gw_seccomp_describe(&d, fake_peek, &m, out, sizeof(out));
	assert_string_equal(out, "path=\"/bin/sh\" argv=\"/bin/sh\",\"-c\","
				 "\"id\"");
}

static void assert_safe(const char *out, size_t cap)
{
	size_t n = strlen(out);

	assert_true(cap == 0 || n < cap);
	for (size_t i = 0; i < n; i++)
		assert_true(out[i] >= 0x20 && out[i] < 0x7f);
}

static void detail_fits_every_cap(void **state)
{
	char out[300];

	(void)state;
	for (size_t i = 0; i < N_OF(detail_cases); i++) {
		for (size_t cap = 1; cap <= sizeof(out); cap++) {
			memset(out, 'Z', sizeof(out));
			describe_case(&detail_cases[i], out, cap);
			assert_safe(out, cap);
		}
	}
}

/* Random memory under random pointers, for every syscall number. */
static void detail_survives_hostile_memory(void **state)
{
	unsigned char mem[512];
	struct fake_mem m = { BASE, mem, sizeof(mem) };
	uint32_t x = 12345;
	char out[GW_JAIL_STATUS_MAX_BYTES];

	(void)state;
	for (int round = 0; round < 40; round++) {
		for (size_t i = 0; i < sizeof(mem); i++) {
			x = x * 1103515245u + 12345u;
			mem[i] = (unsigned char)(x >> 16);
		}
		for (int nr = 0; nr < 460; nr++) {
			struct seccomp_data d = { .nr = nr };

			for (int a = 0; a < 6; a++) {
				x = x * 1103515245u + 12345u;
				d.args[a] = a % 2 ? BASE + (x >> 16) % 600
						  : (x >> 8);
			}
			gw_seccomp_describe(&d, fake_peek, &m, out,
					    sizeof(out));
			assert_safe(out, sizeof(out));
		}
	}
}

static void detail_without_a_reader_shows_pointers(void **state)
{
	struct seccomp_data d = { .nr = SYS_openat,
				  .args = { -100, 0x1234, 0 } };
	char out[128];

	(void)state;
	gw_seccomp_describe(&d, NULL, NULL, out, sizeof(out));
	assert_string_equal(out, "path=0x1234(unreadable) flags=0x0");
}

/* ---- the OCI profile --------------------------------------------------- */

static bool in_table(const char *name)
{
	for (size_t i = 0; i < gw_seccomp_rule_count; i++)
		if (strcmp(gw_seccomp_rules[i].name, name) == 0)
			return true;
	return false;
}

static bool in_profile(const json_t *syscalls, const char *name)
{
	size_t i, j;
	json_t *e, *n;

	json_array_foreach(syscalls, i, e)
	{
		json_array_foreach(json_object_get(e, "names"), j,
				   n) if (strcmp(json_string_value(n), name) ==
					  0) return true;
	}
	return false;
}

static void check_entry(const json_t *e)
{
	const char *action = json_string_value(json_object_get(e, "action"));
	json_t *names = json_object_get(e, "names"), *args, *n, *a;
	size_t i;

	assert_true(json_is_array(names) && json_array_size(names) > 0);
	json_array_foreach(names, i, n)
	{
		assert_true(json_is_string(n));
		assert_true(in_table(json_string_value(n)));
	}
	assert_non_null(action);
	assert_true(strcmp(action, "SCMP_ACT_ALLOW") == 0 ||
		    strcmp(action, "SCMP_ACT_ERRNO") == 0);
	if (strcmp(action, "SCMP_ACT_ERRNO") == 0)
		assert_true(json_is_integer(json_object_get(e, "errnoRet")));
	args = json_object_get(e, "args");
	json_array_foreach(args, i, a)
	{
		const char *op = json_string_value(json_object_get(a, "op"));

		assert_true(json_integer_value(json_object_get(a, "index")) <=
			    5);
		assert_true(json_is_integer(json_object_get(a, "value")));
		assert_true(json_is_integer(json_object_get(a, "valueTwo")));
		assert_true(strcmp(op, "SCMP_CMP_MASKED_EQ") == 0 ||
			    strcmp(op, "SCMP_CMP_EQ") == 0);
	}
}

static void profile_has_the_oci_shape(void **state)
{
	json_t *p = gw_seccomp_oci_profile(GW_SECCOMP_ERRNO), *calls, *e;
	size_t i;

	(void)state;
	assert_non_null(p);
	assert_string_equal(
		json_string_value(json_object_get(p, "defaultAction")),
		"SCMP_ACT_ERRNO");
	assert_int_equal(
		json_integer_value(json_object_get(p, "defaultErrnoRet")), 1);
	assert_string_equal(json_string_value(json_array_get(
				    json_object_get(p, "architectures"), 0)),
			    "SCMP_ARCH_X86_64");
	calls = json_object_get(p, "syscalls");
	assert_true(json_is_array(calls));
	json_array_foreach(calls, i, e) check_entry(e);
	for (size_t j = 0; j < gw_seccomp_rule_count; j++)
		assert_true(in_profile(calls, gw_seccomp_rules[j].name));
	for (size_t j = 0; gw_seccomp_never[j]; j++)
		assert_false(in_profile(calls, gw_seccomp_never[j]));
	json_decref(p);
}

static void profile_in_kill_mode_has_no_errno(void **state)
{
	json_t *p = gw_seccomp_oci_profile(GW_SECCOMP_KILL);

	(void)state;
	assert_string_equal(
		json_string_value(json_object_get(p, "defaultAction")),
		"SCMP_ACT_KILL_PROCESS");
	assert_null(json_object_get(p, "defaultErrnoRet"));
	json_decref(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(table_names_resolve_on_this_arch),
		cmocka_unit_test(table_allows_no_forbidden_call),
		cmocka_unit_test(table_rows_are_well_formed),
		cmocka_unit_test(table_limits_ioctl_socket_and_clone),
		cmocka_unit_test(table_answers_clone3_with_enosys),
		cmocka_unit_test(programs_check_the_architecture_first),
		cmocka_unit_test(syscall_names_come_from_this_arch),
		cmocka_unit_test(detail_describes_arguments),
		cmocka_unit_test(detail_reads_execve_argv),
		cmocka_unit_test(detail_fits_every_cap),
		cmocka_unit_test(detail_survives_hostile_memory),
		cmocka_unit_test(detail_without_a_reader_shows_pointers),
		cmocka_unit_test(profile_has_the_oci_shape),
		cmocka_unit_test(profile_in_kill_mode_has_no_errno),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
