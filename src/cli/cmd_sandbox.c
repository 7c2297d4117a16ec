/*
 * gymwarden sandbox export --format oci|docker|kubernetes: the worker's
 * sandbox in the words of other tools. oci prints the seccomp profile
 * (OCI runtime spec and Docker read the same JSON), docker the `docker
 * run` flags that match the sandbox, kubernetes a container's
 * securityContext with its resources and /tmp volume. Limits come from
 * an env of the manifest (--env) or are gymwarden's defaults.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/error.h"
#include "gymwarden.h"
#include "jail/seccomp_export.h"
#include "manifest/manifest_priv.h"

#define DEFAULT_PROFILE "gymwarden-seccomp.json"
#define NOBODY		"65534"

enum export_format { EXPORT_OCI, EXPORT_DOCKER, EXPORT_KUBERNETES };

struct sandbox_cfg {
	int format;
	int on_violation; /* -1: the env's, else an index of on_violation */
	const char *manifest;
	const char *env;
	const char *profile;
	const char *image;
};

static const char *const export_formats[] = { "oci", "docker", "kubernetes",
					      NULL };
static const char *const violation_choices[] = { "kill", "errno", NULL };

static const struct gw_opt sandbox_opts[] = {
	{ "format", 'f', "FORMAT", gw_opt_choice,
	  offsetof(struct sandbox_cfg, format), "what to print (default oci)",
	  export_formats },
	{ "env", 'e', "ID", gw_opt_string, offsetof(struct sandbox_cfg, env),
	  "take the limits of this env of the manifest", NULL },
	{ "manifest", 'm', "FILE", gw_opt_string,
	  offsetof(struct sandbox_cfg, manifest),
	  "the manifest for --env (default ./gymwarden.toml)", NULL },
	{ "on-violation", 0, "ACTION", gw_opt_choice,
	  offsetof(struct sandbox_cfg, on_violation),
	  "what a forbidden call does (default: the env's, else kill)",
	  violation_choices },
	{ "profile", 0, "PATH", gw_opt_string,
	  offsetof(struct sandbox_cfg, profile),
	  "where docker and kubernetes find the profile "
	  "(default " DEFAULT_PROFILE ")",
	  NULL },
	{ "image", 0, "IMAGE", gw_opt_string,
	  offsetof(struct sandbox_cfg, image),
	  "the image in the docker command (default IMAGE)", NULL },
	GW_OPT_END,
};

static void sandbox_defaults(void *cfg_)
{
	struct sandbox_cfg *cfg = cfg_;

	cfg->on_violation = -1;
	cfg->profile = DEFAULT_PROFILE;
	cfg->image = "IMAGE";
}

static int complain(const struct gw_cli *cli, const struct gw_error *err)
{
	char text[1024];

	gw_error_format(err, text, sizeof(text));
	fprintf(cli->err, "gymwarden sandbox: %s\n", text);
	return GW_EXIT_ERROR;
}

/* The env's limits, or the defaults of a fresh env. */
static int find_limits(const struct gw_cli *cli, const struct sandbox_cfg *cfg,
		       struct gw_sandbox_limits *out)
{
	const char *path = cfg->manifest ? cfg->manifest : "gymwarden.toml";
	const struct gw_manifest_env *e;
	struct gw_manifest_env fresh;
	struct gw_error err = { 0 };
	struct gw_manifest *m = NULL;

	/* A manifest says nothing without the env whose limits it holds. */
	if (cfg->manifest && !cfg->env) {
		fprintf(cli->err,
			"gymwarden sandbox: --manifest %s needs "
			"--env ID: the limits are an env's\n",
			cfg->manifest);
		return GW_EXIT_ERROR;
	}
	if (!cfg->env) {
		gw_manifest_env_defaults(&fresh);
		*out = fresh.sandbox;
		return 0;
	}
	if (gw_manifest_load(path, &m, &err) < 0)
		return complain(cli, &err);
	e = gw_manifest_env_find(m, cfg->env);
	if (!e) {
		fprintf(cli->err, "gymwarden sandbox: %s has no env '%s'\n",
			path, cfg->env);
		gw_manifest_free(m);
		return GW_EXIT_ERROR;
	}
	*out = *gw_manifest_env_sandbox(e);
	gw_manifest_free(m);
	return 0;
}

static unsigned long long seconds_up(uint64_t ns)
{
	return (ns + 999999999u) / 1000000000u;
}

static void print_docker(FILE *f, const struct sandbox_cfg *cfg,
			 const struct gw_sandbox_limits *l)
{
	fprintf(f,
		"# gymwarden's worker sandbox as docker run flags. Save the "
		"profile first:\n"
		"#   gymwarden sandbox export --format oci > %s\n"
		"# Not expressible here: the wall-clock lifetime (%llu s), "
		"Landlock rules,\n"
		"# and refusing every exec after the first (the profile "
		"allows execve).\n",
		cfg->profile, seconds_up(l->lifetime_ns));
	fprintf(f,
		"docker run --rm -i \\\n"
		"  --security-opt seccomp=%s \\\n"
		"  --security-opt no-new-privileges \\\n"
		"  --cap-drop ALL \\\n"
		"  --network none \\\n"
		"  --ipc private \\\n"
		"  --cgroupns private \\\n"
		"  --read-only \\\n"
		"  --tmpfs /tmp:size=%llu,noexec,nosuid,nodev \\\n"
		"  --pids-limit %llu \\\n"
		"  --memory %llu --memory-swap %llu \\\n"
		"  --user " NOBODY ":" NOBODY " \\\n"
		"  --init \\\n"
		"  --ulimit nofile=%llu:%llu \\\n"
		"  --ulimit fsize=%llu:%llu \\\n"
		"  --ulimit cpu=%llu:%llu \\\n"
		"  --ulimit core=0:0 \\\n"
		"  %s /usr/bin/python3 -I -S -B WORKER ARGS...\n",
		cfg->profile, (unsigned long long)l->tmp_size_bytes,
		(unsigned long long)l->processes,
		(unsigned long long)l->memory_bytes,
		(unsigned long long)l->memory_bytes,
		(unsigned long long)l->open_files,
		(unsigned long long)l->open_files,
		(unsigned long long)l->file_size_bytes,
		(unsigned long long)l->file_size_bytes,
		seconds_up(l->cpu_time_ns), seconds_up(l->cpu_time_ns),
		cfg->image);
}

static json_t *kubernetes_doc(const struct sandbox_cfg *cfg,
			      const struct gw_sandbox_limits *l)
{
	char memory[32], tmp[32];

	snprintf(memory, sizeof(memory), "%llu",
		 (unsigned long long)l->memory_bytes);
	snprintf(tmp, sizeof(tmp), "%llu",
		 (unsigned long long)l->tmp_size_bytes);
	return json_pack(
		"{s:{s:b, s:I, s:I, s:b, s:b, s:b, s:{s:[s]}, s:{s:s, s:s}},"
		" s:{s:{s:s}, s:{s:s}},"
		" s:[{s:s, s:s}],"
		" s:{s:b, s:b, s:b, s:b, s:b, s:[{s:s, s:{s:s, s:s}}]}}",
		"securityContext", "runAsNonRoot", 1, "runAsUser",
		(json_int_t)65534, "runAsGroup", (json_int_t)65534,
		"allowPrivilegeEscalation", 0, "privileged", 0,
		"readOnlyRootFilesystem", 1, "capabilities", "drop", "ALL",
		"seccompProfile", "type", "Localhost", "localhostProfile",
		cfg->profile, "resources", "limits", "memory", memory,
		"requests", "memory", memory, "volumeMounts", "name", "tmp",
		"mountPath", "/tmp", "podSpec", "automountServiceAccountToken",
		0, "enableServiceLinks", 0, "hostNetwork", 0, "hostPID", 0,
		"hostIPC", 0, "volumes", "name", "tmp", "emptyDir", "medium",
		"Memory", "sizeLimit", tmp);
}

/* A small YAML writer: mappings, sequences and JSON-quoted scalars. */
static void yaml_value(FILE *f, const json_t *v, int indent, bool in_list);

static void yaml_scalar(FILE *f, const json_t *v)
{
	char *s = json_dumps(v, JSON_ENCODE_ANY);

	fprintf(f, "%s\n", s ? s : "null");
	free(s);
}

static void yaml_object(FILE *f, const json_t *v, int indent, bool in_list)
{
	const char *key;
	json_t *child;
	bool first = true;

	json_object_foreach((json_t *)v, key, child)
	{
		/* The first key of a list item sits on the "- " line. */
		int pad = first && in_list ? 0 : indent;

		fprintf(f, "%*s%s:", pad, "", key);
		if (json_is_object(child) || json_is_array(child)) {
			fputc('\n', f);
			yaml_value(f, child, indent + 2, false);
		} else {
			fputc(' ', f);
			yaml_scalar(f, child);
		}
		first = false;
	}
}

static void yaml_value(FILE *f, const json_t *v, int indent, bool in_list)
{
	size_t i;
	json_t *item;

	if (json_is_object(v)) {
		yaml_object(f, v, indent, in_list);
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, item)
		{
			fprintf(f, "%*s- ", indent, "");
			if (json_is_object(item))
				yaml_object(f, item, indent + 2, true);
			else
				yaml_scalar(f, item);
		}
	} else {
		yaml_scalar(f, v);
	}
}

static int print_kubernetes(FILE *f, const struct sandbox_cfg *cfg,
			    const struct gw_sandbox_limits *l)
{
	json_t *doc = kubernetes_doc(cfg, l);

	if (!doc)
		return -ENOMEM;
	fprintf(f,
		"# gymwarden's worker sandbox for a Kubernetes container: "
		"merge securityContext,\n"
		"# resources and volumeMounts into the container, podSpec "
		"into the pod. Put the\n"
		"# profile (gymwarden sandbox export --format oci) under the "
		"kubelet's seccomp\n"
		"# folder as %s. Not expressible here: no network (use a "
		"deny-all\n"
		"# NetworkPolicy), the pids limit (%llu: the kubelet's "
		"podPidsLimit), CPU time,\n"
		"# file size and open-file limits, Landlock rules, and "
		"refusing a second exec.\n",
		cfg->profile, (unsigned long long)l->processes);
	yaml_value(f, doc, 0, false);
	json_decref(doc);
	return 0;
}

static int sandbox_run(struct gw_cli *cli, void *cfg_, int argc, char **argv)
{
	struct sandbox_cfg *cfg = cfg_;
	struct gw_sandbox_limits limits;
	enum gw_seccomp_action action;
	int r;

	(void)argc;
	if (strcmp(argv[0], "export") != 0)
		return gw_cli_usage_error(cli, &gw_cmd_sandbox,
					  "unknown action '%s' (expected "
					  "export)",
					  argv[0]);
	r = find_limits(cli, cfg, &limits);
	if (r != 0)
		return r;
	if (cfg->on_violation >= 0)
		action = cfg->on_violation == 0 ? GW_SECCOMP_KILL
						: GW_SECCOMP_ERRNO;
	else
		action = limits.on_violation == GW_ON_VIOLATION_ERRNO
				 ? GW_SECCOMP_ERRNO
				 : GW_SECCOMP_KILL;

	if (cfg->format == EXPORT_OCI)
		r = gw_cli_print_json(cli, gw_seccomp_oci_profile(action));
	else if (cfg->format == EXPORT_DOCKER)
		print_docker(cli->out, cfg, &limits);
	else
		r = print_kubernetes(cli->out, cfg, &limits);
	if (r < 0) {
		fprintf(cli->err, "gymwarden sandbox: export: %s\n",
			strerror(-r));
		return GW_EXIT_ERROR;
	}
	return GW_EXIT_OK;
}

const struct gw_cmd gw_cmd_sandbox = {
	.name = "sandbox",
	.args = "export",
	.summary = "export the sandbox: seccomp profile, docker flags, "
		   "Kubernetes",
	.description =
		"Print the policy the worker runs under in the terms of "
		"other tools:\n"
		"  oci         the seccomp profile (OCI runtime spec and "
		"Docker JSON)\n"
		"  docker      docker run flags matching the sandbox\n"
		"  kubernetes  a container securityContext, resources and a "
		"/tmp volume (YAML)\n"
		"The profile is the table the worker's filter is built from "
		"(docs/seccomp.md).\nExit status: 0 printed, 2 an error.",
	.opts = sandbox_opts,
	.cfg_size = sizeof(struct sandbox_cfg),
	.min_args = 1,
	.max_args = 1,
	.defaults = sandbox_defaults,
	.run = sandbox_run,
};
