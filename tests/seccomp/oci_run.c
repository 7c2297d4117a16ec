/*
 * oci_run PROFILE PROGRAM [ARG...]: load an OCI seccomp profile the way
 * a container runtime does (libseccomp, one rule per name and entry)
 * and exec PROGRAM under it. test_seccomp.py runs the interpreter under
 * what `gymwarden sandbox export --format oci` printed, to show that the
 * exported profile, not just its shape, is the policy. Exit 125 when the
 * profile cannot be loaded.
 */
#include <errno.h>
#include <jansson.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#define FAILED 125

static int action_of(const json_t *entry, const char *key,
		     const char *errno_key, uint32_t *out)
{
	const char *a = json_string_value(json_object_get(entry, key));
	json_t *e = json_object_get(entry, errno_key);

	if (!a)
		return -1;
	if (strcmp(a, "SCMP_ACT_ALLOW") == 0)
		*out = SCMP_ACT_ALLOW;
	else if (strcmp(a, "SCMP_ACT_KILL_PROCESS") == 0)
		*out = SCMP_ACT_KILL_PROCESS;
	else if (strcmp(a, "SCMP_ACT_ERRNO") == 0)
		*out = SCMP_ACT_ERRNO(e ? (uint16_t)json_integer_value(e)
					: EPERM);
	else
		return -1;
	return 0;
}

static int op_of(const char *op, enum scmp_compare *out)
{
	if (op && strcmp(op, "SCMP_CMP_EQ") == 0)
		*out = SCMP_CMP_EQ;
	else if (op && strcmp(op, "SCMP_CMP_MASKED_EQ") == 0)
		*out = SCMP_CMP_MASKED_EQ;
	else
		return -1;
	return 0;
}

static int add_entry(scmp_filter_ctx ctx, const json_t *entry)
{
	struct scmp_arg_cmp cmp[6];
	json_t *args = json_object_get(entry, "args"), *a, *name;
	size_t n = json_array_size(args), i;
	uint32_t action;

	if (n > 6 || action_of(entry, "action", "errnoRet", &action) < 0)
		return -1;
	json_array_foreach(args, i, a)
	{
		enum scmp_compare op;

		if (op_of(json_string_value(json_object_get(a, "op")), &op) < 0)
			return -1;
		cmp[i] = SCMP_CMP64(
			json_integer_value(json_object_get(a, "index")), op,
			json_integer_value(json_object_get(a, "value")),
			json_integer_value(json_object_get(a, "valueTwo")));
	}
	json_array_foreach(json_object_get(entry, "names"), i, name)
	{
		int nr = seccomp_syscall_resolve_name(json_string_value(name));

		if (nr == __NR_SCMP_ERROR ||
		    seccomp_rule_add_array(ctx, action, nr, n, cmp) < 0)
			return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	json_t *doc, *entry;
	scmp_filter_ctx ctx;
	uint32_t def;
	size_t i;

	if (argc < 3)
		return FAILED;
	doc = json_load_file(argv[1], 0, NULL);
	if (!doc || action_of(doc, "defaultAction", "defaultErrnoRet", &def))
		return FAILED;
	ctx = seccomp_init(def);
	if (!ctx || seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH,
				     SCMP_ACT_KILL_PROCESS) < 0)
		return FAILED;
	json_array_foreach(json_object_get(doc, "syscalls"), i, entry)
	{
		if (add_entry(ctx, entry) < 0) {
			fprintf(stderr, "oci_run: entry %zu refused\n", i);
			return FAILED;
		}
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || seccomp_load(ctx))
		return FAILED;
	execv(argv[2], argv + 2);
	return FAILED;
}
