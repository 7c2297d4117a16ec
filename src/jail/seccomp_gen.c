/*
 * seccomp_gen OUTPUT.c: compile the table of seccomp_table.c with
 * libseccomp, at build time, into the three BPF programs the worker
 * loads (listener, errno, kill) and the names of this architecture's
 * syscalls. Compiling at load time cost ~0.6 ms per worker; loading a
 * finished program costs one system call, and the launcher needs no
 * libseccomp at run time.
 */
#include <errno.h>
#include <linux/filter.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jail/seccomp_priv.h"

static const char *const program_names[] = {
	[GW_SECCOMP_PROG_NOTIFY] = "notify",
	[GW_SECCOMP_PROG_ERRNO] = "errno",
	[GW_SECCOMP_PROG_KILL] = "kill",
};

static struct scmp_arg_cmp condition(const struct gw_seccomp_rule *r)
{
	/* Masked with 0xffffffff: the kernel reads int arguments as 32
	 * bits, so what it would see is what is compared. */
	switch (r->test) {
	case GW_SECCOMP_EQ32:
		return SCMP_CMP64(r->arg, SCMP_CMP_MASKED_EQ, 0xffffffffu,
				  r->value);
	case GW_SECCOMP_CLEAR:
		return SCMP_CMP64(r->arg, SCMP_CMP_MASKED_EQ, r->value, 0);
	case GW_SECCOMP_NULL: return SCMP_CMP64(r->arg, SCMP_CMP_EQ, 0);
	case GW_SECCOMP_SELF:
		/* Patched to the loader's pid when the program is loaded. */
		return SCMP_CMP64(r->arg, SCMP_CMP_MASKED_EQ, 0xffffffffu,
				  GW_SECCOMP_SELF_MAGIC);
	case GW_SECCOMP_ANY: break;
	}
	return SCMP_CMP64(0, SCMP_CMP_EQ, 0);
}

/* One row into ctx; a name this architecture lacks is skipped. */
static int add_rule(scmp_filter_ctx ctx, const struct gw_seccomp_rule *r,
		    uint32_t def, uint32_t exec)
{
	int nr = seccomp_syscall_resolve_name(r->name);
	uint32_t action = SCMP_ACT_ALLOW;
	struct scmp_arg_cmp cmp;

	if (nr == __NR_SCMP_ERROR || nr < 0) {
		fprintf(stderr, "seccomp_gen: no syscall %s here, skipped\n",
			r->name);
		return 0;
	}
	if (r->verdict == GW_SECCOMP_FAIL)
		action = SCMP_ACT_ERRNO((uint16_t)r->err);
	else if (r->verdict == GW_SECCOMP_EXEC)
		action = exec;
	/* libseccomp refuses a rule that repeats the default. */
	if (action == def)
		return 0;

	if (r->test == GW_SECCOMP_ANY)
		return seccomp_rule_add_exact(ctx, action, nr, 0);
	cmp = condition(r);
	return seccomp_rule_add_exact(ctx, action, nr, 1, cmp);
}

static int set_attrs(scmp_filter_ctx ctx)
{
	int r;

	/* A foreign architecture, int 0x80 on x86-64 and the x32 ABI all
	 * end the process; none of them is in the filter. */
	r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH,
			     SCMP_ACT_KILL_PROCESS);
	/* A binary tree of syscall numbers: ~7 comparisons, not ~100. */
	if (r == 0)
		r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	if (r == 0)
		r = seccomp_attr_set(ctx, SCMP_FLTATR_API_SYSRAWRC, 1);
	return r;
}

static scmp_filter_ctx build(int which)
{
	uint32_t def = which == GW_SECCOMP_PROG_NOTIFY	? SCMP_ACT_NOTIFY
		       : which == GW_SECCOMP_PROG_ERRNO ? SCMP_ACT_ERRNO(EPERM)
							: SCMP_ACT_KILL_PROCESS;
	/* WARNING: with nothing listening every exec is allowed; the
	 * Landlock rules and the minimal root decide what can run. */
	uint32_t exec = which == GW_SECCOMP_PROG_NOTIFY ? SCMP_ACT_NOTIFY
							: SCMP_ACT_ALLOW;
	scmp_filter_ctx ctx = seccomp_init(def);
	int r;

	if (!ctx)
		return NULL;
	r = set_attrs(ctx);
	for (size_t i = 0; r == 0 && i < gw_seccomp_rule_count; i++)
		r = add_rule(ctx, &gw_seccomp_rules[i], def, exec);
	if (r < 0) {
		fprintf(stderr, "seccomp_gen: %s: %s\n", program_names[which],
			strerror(-r));
		seccomp_release(ctx);
		return NULL;
	}
	return ctx;
}

/* The program as instructions, through a temporary file. */
static size_t export(scmp_filter_ctx ctx, struct sock_filter *insns, size_t cap)
{
	FILE *f = tmpfile();
	size_t n = 0;

	if (!f)
		return 0;
	if (seccomp_export_bpf(ctx, fileno(f)) == 0) {
		rewind(f);
		n = fread(insns, sizeof(*insns), cap, f);
		if (!feof(f) && fgetc(f) != EOF)
			n = 0; /* longer than cap */
	}
	fclose(f);
	return n;
}

/* The pid placeholder must sit in JEQ constants only, at least once. */
static int check_magic(const struct sock_filter *insns, size_t n)
{
	size_t found = 0;

	for (size_t i = 0; i < n; i++) {
		if (insns[i].k != GW_SECCOMP_SELF_MAGIC)
			continue;
		if (insns[i].code != (BPF_JMP | BPF_JEQ | BPF_K))
			return -1;
		found++;
	}
	return found ? 0 : -1;
}

static int write_program(FILE *out, int which)
{
	static struct sock_filter insns[GW_SECCOMP_PROG_MAX_INSNS];
	scmp_filter_ctx ctx = build(which);
	size_t n;

	if (!ctx)
		return -1;
	n = export(ctx, insns, GW_SECCOMP_PROG_MAX_INSNS);
	seccomp_release(ctx);
	if (n == 0 || check_magic(insns, n) < 0) {
		fprintf(stderr, "seccomp_gen: %s: bad program\n",
			program_names[which]);
		return -1;
	}
	fprintf(out, "static const struct sock_filter prog_%s[] = {\n",
		program_names[which]);
	for (size_t i = 0; i < n; i++)
		fprintf(out, "\t{ 0x%04x, %u, %u, 0x%08x },\n", insns[i].code,
			insns[i].jt, insns[i].jf, insns[i].k);
	fprintf(out, "};\n\n");
	return 0;
}

static void write_names(FILE *out)
{
	fprintf(out,
		"const char *const gw_seccomp_names[GW_SECCOMP_NAME_SLOTS] = "
		"{\n");
	for (int nr = 0; nr < GW_SECCOMP_NAME_SLOTS; nr++) {
		char *name =
			seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);

		if (name)
			fprintf(out, "\t[%d] = \"%s\",\n", nr, name);
		free(name);
	}
	fprintf(out, "};\n\n");
}

int main(int argc, char **argv)
{
	FILE *out;
	int r = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: seccomp_gen OUTPUT.c\n");
		return 2;
	}
	out = fopen(argv[1], "w");
	if (!out)
		return 2;
	fprintf(out,
		"/* Generated by seccomp_gen from seccomp_table.c. */\n"
		"#include \"jail/seccomp_priv.h\"\n\n"
		"const uint32_t gw_seccomp_audit_arch = 0x%08x;\n\n",
		seccomp_arch_native());
	for (int i = 0; r == 0 && i < GW_SECCOMP_PROG_COUNT; i++)
		r = write_program(out, i);
	fprintf(out, "const struct gw_seccomp_program gw_seccomp_programs[] = "
		     "{\n");
	for (int i = 0; i < GW_SECCOMP_PROG_COUNT; i++)
		fprintf(out,
			"\t{ prog_%s, sizeof(prog_%s) / "
			"sizeof(prog_%s[0]) },\n",
			program_names[i], program_names[i], program_names[i]);
	fprintf(out, "};\n\n");
	write_names(out);
	if (fclose(out) != 0 || r < 0) {
		unlink(argv[1]);
		return 1;
	}
	return 0;
}
