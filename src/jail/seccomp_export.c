/*
 * The worker's seccomp policy as an OCI / Docker seccomp profile, built
 * from the same table the filter is compiled from. What a profile
 * cannot say is documented in docs/seccomp.md, "Exporting".
 */
#include <errno.h>
#include <jansson.h>
#include <stdint.h>

#include "jail/seccomp_export.h"
#include "jail/seccomp_priv.h"

static const struct {
	uint32_t audit;
	const char *name;
} arches[] = {
	{ 0xc000003eu, "SCMP_ARCH_X86_64" },
	{ 0xc00000b7u, "SCMP_ARCH_AARCH64" },
	{ 0x40000003u, "SCMP_ARCH_X86" },
	{ 0xc00000f3u, "SCMP_ARCH_RISCV64" },
	{ 0x80000016u, "SCMP_ARCH_S390X" },
	{ 0xc0000015u, "SCMP_ARCH_PPC64LE" },
};

const char *gw_seccomp_arch_name(void)
{
	for (size_t i = 0; i < sizeof(arches) / sizeof(arches[0]); i++)
		if (arches[i].audit == gw_seccomp_audit_arch)
			return arches[i].name;
	return NULL;
}

/* OCI's masked equality reads (arg & value) == valueTwo. */
static json_t *condition(const struct gw_seccomp_rule *r, const char *op,
			 unsigned long long value, unsigned long long two)
{
	return json_pack("[{s:I, s:I, s:I, s:s}]", "index", (json_int_t)r->arg,
			 "value", (json_int_t)value, "valueTwo",
			 (json_int_t)two, "op", op);
}

/* The row's condition as an OCI "args" array; NULL when it has none. */
static json_t *args_of(const struct gw_seccomp_rule *r)
{
	switch (r->test) {
	case GW_SECCOMP_EQ32:
		return condition(r, "SCMP_CMP_MASKED_EQ", 0xffffffffu,
				 r->value);
	case GW_SECCOMP_CLEAR:
		return condition(r, "SCMP_CMP_MASKED_EQ", r->value, 0);
	case GW_SECCOMP_NULL: return condition(r, "SCMP_CMP_EQ", 0, 0);
	case GW_SECCOMP_ANY:
	case GW_SECCOMP_SELF: break; /* a container has its own pids */
	}
	return NULL;
}

static int add_entry(json_t *list, const struct gw_seccomp_rule *r)
{
	json_t *e, *args = args_of(r);
	const char *action = r->verdict == GW_SECCOMP_FAIL ? "SCMP_ACT_ERRNO"
							   : "SCMP_ACT_ALLOW";

	e = json_pack("{s:[s], s:s, s:s}", "names", r->name, "action", action,
		      "comment", r->why);
	if (!e) {
		json_decref(args);
		return -ENOMEM;
	}
	if (args)
		json_object_set_new(e, "args", args);
	if (r->verdict == GW_SECCOMP_FAIL)
		json_object_set_new(e, "errnoRet", json_integer(r->err));
	return json_array_append_new(list, e) == 0 ? 0 : -ENOMEM;
}

/*
 * Unconditional allows share one entry, as profiles usually do; every
 * other row keeps its own entry and its reason.
 */
static int add_syscalls(json_t *list)
{
	json_t *plain = json_array();
	int r = plain ? 0 : -ENOMEM;

	for (size_t i = 0; r == 0 && i < gw_seccomp_rule_count; i++) {
		const struct gw_seccomp_rule *rule = &gw_seccomp_rules[i];

		if (rule->verdict != GW_SECCOMP_FAIL &&
		    (rule->test == GW_SECCOMP_ANY ||
		     rule->test == GW_SECCOMP_SELF))
			r = json_array_append_new(plain,
						  json_string(rule->name));
		else
			r = add_entry(list, rule);
	}
	if (r == 0)
		r = json_array_insert_new(
			list, 0,
			json_pack("{s:o, s:s, s:s}", "names", plain, "action",
				  "SCMP_ACT_ALLOW", "comment",
				  "allowed without conditions (see "
				  "gymwarden docs/seccomp.md)"));
	else
		json_decref(plain);
	return r == 0 ? 0 : -ENOMEM;
}

json_t *gw_seccomp_oci_profile(enum gw_seccomp_action on_violation)
{
	const char *arch = gw_seccomp_arch_name();
	json_t *doc, *list;

	doc = json_pack("{s:s, s:[]}", "defaultAction",
			on_violation == GW_SECCOMP_KILL
				? "SCMP_ACT_KILL_PROCESS"
				: "SCMP_ACT_ERRNO",
			"architectures");
	list = json_array();
	if (doc && arch)
		json_array_append_new(json_object_get(doc, "architectures"),
				      json_string(arch));
	if (!doc || !list || add_syscalls(list) < 0) {
		json_decref(doc);
		json_decref(list);
		return NULL;
	}
	if (on_violation == GW_SECCOMP_ERRNO)
		json_object_set_new(doc, "defaultErrnoRet",
				    json_integer(EPERM));
	json_object_set_new(doc, "syscalls", list);
	return doc;
}
