/*
 * The launcher's command line (launcher.h), from a table of options so
 * the parser stays a short loop and the usage text comes from the same
 * rows. Every fault is the args stage's: exit 100, `fail args EINVAL`.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jail/jail.h"

/* Layers a test or a host may leave out; the rest follow from these. */
#define LEAVABLE                                                               \
	((1u << GW_JAIL_LAYER_USER) | (1u << GW_JAIL_LAYER_PID) |              \
	 (1u << GW_JAIL_LAYER_MOUNT) | (1u << GW_JAIL_LAYER_NET) |             \
	 (1u << GW_JAIL_LAYER_IPC) | (1u << GW_JAIL_LAYER_UTS) |               \
	 (1u << GW_JAIL_LAYER_CGROUP) | (1u << GW_JAIL_LAYER_SECCOMP) |        \
	 (1u << GW_JAIL_LAYER_LANDLOCK) | (1u << GW_JAIL_LAYER_RLIMITS) |      \
	 (1u << GW_JAIL_LAYER_CGROUP_LIMITS) | (1u << GW_JAIL_LAYER_TMP) |     \
	 (1u << GW_JAIL_LAYER_PROC) | (1u << GW_JAIL_LAYER_DEV) |              \
	 (1u << GW_JAIL_LAYER_CAPS) | (1u << GW_JAIL_LAYER_NNP) |              \
	 (1u << GW_JAIL_LAYER_UID) | (1u << GW_JAIL_LAYER_NOUSERNS) |          \
	 (1u << GW_JAIL_LAYER_SESSION) | (1u << GW_JAIL_LAYER_PDEATHSIG) |     \
	 (1u << GW_JAIL_LAYER_NOTIFY))

struct option {
	const char *name;
	const char *arg;
	int (*set)(struct jail *j, const char *value, size_t offset);
	size_t offset; /* of a struct jail_limit, for set_limit */
};

static void __attribute__((noreturn)) bad(struct jail *j, const char *what)
{
	jail_fail(j, GW_JAIL_STAGE_ARGS, what, EINVAL);
}

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end)
		return -EINVAL;
	*out = v;
	return 0;
}

static int set_parent(struct jail *j, const char *value, size_t offset)
{
	uint64_t pid;

	(void)offset;
	if (parse_u64(value, &pid) < 0 || pid <= 1 || pid > INT32_MAX)
		return -EINVAL;
	j->parent = (pid_t)pid;
	return 0;
}

/* A comma-separated list of layer names into a bit set. */
static int parse_layers(const char *list, uint32_t *set)
{
	const char *p = list;

	for (;;) {
		size_t n = strcspn(p, ",");
		int l = jail_layer_lookup(p, n);

		if (l < 0)
			return -EINVAL;
		*set |= 1u << l;
		if (!p[n])
			return 0;
		p += n + 1;
	}
}

static int set_require(struct jail *j, const char *value, size_t offset)
{
	(void)offset;
	return parse_layers(value, &j->require);
}

static int set_without(struct jail *j, const char *value, size_t offset)
{
	(void)offset;
	return parse_layers(value, &j->without);
}

static int set_ro(struct jail *j, const char *value, size_t offset)
{
	(void)offset;
	if (j->n_ro >= JAIL_MAX_RO || value[0] != '/')
		return -EINVAL;
	j->ro[j->n_ro++] = value;
	return 0;
}

static int set_exec(struct jail *j, const char *value, size_t offset)
{
	(void)offset;
	if (value[0] != '/')
		return -EINVAL;
	j->exec_arg = value;
	return 0;
}

static int set_limit(struct jail *j, const char *value, size_t offset)
{
	struct jail_limit *lim = (struct jail_limit *)((char *)j + offset);

	if (parse_u64(value, &lim->value) < 0 || lim->value == 0)
		return -EINVAL;
	lim->set = true;
	return 0;
}

static int set_violation(struct jail *j, const char *value, size_t offset)
{
	(void)offset;
	if (strcmp(value, "kill") == 0)
		j->kill_on_violation = true;
	else if (strcmp(value, "errno") == 0)
		j->kill_on_violation = false;
	else
		return -EINVAL;
	return 0;
}

#define LIMIT(name, field)                                                     \
	{                                                                      \
		name, "N", set_limit, offsetof(struct jail, field)             \
	}

static const struct option options[] = {
	{ "--parent", "PID", set_parent, 0 },
	{ "--require", "LIST", set_require, 0 },
	{ "--without", "LIST", set_without, 0 },
	{ "--ro", "PATH", set_ro, 0 },
	{ "--exec", "FILE", set_exec, 0 },
	LIMIT("--memory", memory),
	LIMIT("--processes", processes),
	LIMIT("--cpu-time", cpu_time),
	LIMIT("--file-size", file_size),
	LIMIT("--open-files", open_files),
	LIMIT("--tmp-size", tmp_size),
	LIMIT("--lifetime", lifetime_ms),
	{ "--on-violation", "kill|errno", set_violation, 0 },
};

#define N_OPTIONS (sizeof(options) / sizeof(options[0]))

static void __attribute__((noreturn)) usage(struct jail *j)
{
	char text[JAIL_LINE_MAX];
	size_t len = 0;
	int n;

	n = snprintf(text, sizeof(text), "usage: gymwarden-jail");
	for (size_t i = 0; n > 0 && i < N_OPTIONS; i++) {
		len += (size_t)n;
		n = snprintf(text + len, sizeof(text) - len, " [%s %s]",
			     options[i].name, options[i].arg);
		if (n < 0 || (size_t)n >= sizeof(text) - len)
			n = 0;
	}
	snprintf(text + len, sizeof(text) - len, " -- PROGRAM [ARG...]");
	bad(j, text);
}

static const struct option *find_option(const char *name)
{
	for (size_t i = 0; i < N_OPTIONS; i++)
		if (strcmp(options[i].name, name) == 0)
			return &options[i];
	return NULL;
}

/* The layer sets, the paths and the program, checked together. */
static void check(struct jail *j)
{
	if (j->parent == 0 || !j->argv || !j->argv[0] || j->argv[0][0] != '/')
		usage(j);
	if (j->without & ~LEAVABLE)
		bad(j, "--without names a layer that cannot be left out");
	if (j->require & j->without)
		bad(j, "a layer is both required and left out");
	if (!j->exec_arg)
		j->exec_arg = j->argv[0];
	if (!j->tmp_size.set)
		j->tmp_size = (struct jail_limit){ true, JAIL_TMP_BYTES };
	if (j->cpu_time.set && j->cpu_time.value >= UINT32_MAX)
		bad(j, "--cpu-time is out of range");
}

void jail_parse_args(struct jail *j, int argc, char **argv)
{
	/* The strings lie end to end from argv[0] (execve's layout). */
	j->cmdline = argv[0];
	j->cmdline_len =
		(size_t)(argv[argc - 1] - argv[0]) + strlen(argv[argc - 1]) + 1;
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i += 2) {
		const struct option *o = find_option(argv[i]);

		if (!o || i + 1 >= argc)
			usage(j);
		if (o->set(j, argv[i + 1], o->offset) < 0) {
			char what[JAIL_LINE_MAX];

			snprintf(what, sizeof(what), "%s %s: not a valid value",
				 argv[i], argv[i + 1]);
			bad(j, what);
		}
	}
	if (i < argc)
		j->argv = argv + i + 1;
	check(j);
}
