/*
 * gymwarden doctor: which sandbox layers this host lets gymwarden
 * enforce, how, and what it does instead for each one that is missing.
 * The probe and the verdicts come from src/jail/probe.h; this file only
 * renders them as a table or as JSON.
 */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/limits.h"
#include "core/log.h"
#include "jail/launcher.h"
#include "jail/probe.h"
#include "monitor/monitor.h"

struct doctor_cfg {
	int format;
};

static const struct gw_opt doctor_opts[] = {
	{ "format", 'f', "FORMAT", gw_opt_choice,
	  offsetof(struct doctor_cfg, format), "output format",
	  (const char *const[]){ "text", "json", NULL } },
	GW_OPT_END,
};

/* Text from the host (paths, names) made printable; s may hold anything. */
struct esc {
	char s[GW_ESCAPED_MAX_BYTES];
};

static const char *esc(struct esc *e, const char *s)
{
	gw_escape(e->s, sizeof(e->s), s, strlen(s));
	return e->s;
}

/* -------------------------------------------------------------------
 * JSON
 */

static json_t *str_json(const char *s)
{
	struct esc e;

	return json_string(esc(&e, s));
}

/* A string, or null when s is empty. */
static json_t *opt_str_json(const char *s)
{
	return s && s[0] ? str_json(s) : json_null();
}

static json_t *result_json(int result)
{
	const char *name = gw_probe_result_name(result);

	return name ? json_string(name) : json_null();
}

static json_t *sysctl_json(long v)
{
	return v == GW_PROBE_NO_SYSCTL ? json_null() : json_integer(v);
}

/* A space-separated list as an array, or null when it was not read. */
static json_t *words_json(const char *list, int read)
{
	json_t *a;

	if (read != 0)
		return json_null();
	a = json_array();
	for (const char *p = list; a && *p;) {
		const char *sp = strchr(p, ' ');
		size_t n = sp ? (size_t)(sp - p) : strlen(p);

		json_array_append_new(a, json_stringn(p, n));
		p += n + (sp ? 1 : 0);
	}
	return a;
}

/*
 * Add key: v to *o. On any failure (v NULL from an allocation that
 * failed) the whole object is dropped, so a partial document is never
 * printed as if it were complete.
 */
static void set(json_t **o, const char *key, json_t *v)
{
	if (!*o) {
		json_decref(v);
		return;
	}
	if (!v || json_object_set_new(*o, key, v) < 0) {
		json_decref(*o);
		*o = NULL;
	}
}

static json_t *userns_json(const struct gw_host_probe *p)
{
	json_t *o = json_object();

	set(&o, "unprivileged_userns_clone",
	    sysctl_json(p->userns.unprivileged_userns_clone));
	set(&o, "max_user_namespaces",
	    sysctl_json(p->userns.max_user_namespaces));
	set(&o, "apparmor_restrict_unprivileged_userns",
	    sysctl_json(p->userns.apparmor_restrict));
	set(&o, "root", result_json(p->userns.as_root));
	set(&o, "unprivileged", result_json(p->userns.as_unprivileged));
	return o;
}

static json_t *ns_json(const struct gw_host_probe *p)
{
	json_t *o = json_object();

	set(&o, "via_user_namespace", json_boolean(p->ns.via_userns));
	for (int k = 0; k < GW_NS_COUNT; k++)
		set(&o, gw_ns_kind_name((enum gw_ns_kind)k),
		    result_json(p->ns.result[k]));
	return o;
}

static json_t *seccomp_json(const struct gw_host_probe *p)
{
	json_t *o = json_object();
	int mode = p->seccomp.mode;

	set(&o, "mode", mode < 0 ? json_null() : json_integer(mode));
	set(&o, "filter", result_json(p->seccomp.filter));
	set(&o, "listener", result_json(p->seccomp.listener));
	set(&o, "notif_sizes", result_json(p->seccomp.notif_sizes));
	set(&o, "actions_avail",
	    words_json(p->seccomp.actions, p->seccomp.read_actions));
	return o;
}

static json_t *landlock_json(const struct gw_host_probe *p)
{
	json_t *o = json_object();
	int abi = p->landlock.abi;

	set(&o, "abi", json_integer(abi > 0 ? abi : 0));
	set(&o, "error", abi > 0 ? json_null() : result_json(abi));
	return o;
}

static json_t *nnp_json(const struct gw_host_probe *p)
{
	json_t *o = json_object();

	set(&o, "current",
	    p->nnp.now < 0 ? json_null() : json_boolean(p->nnp.now));
	set(&o, "settable", result_json(p->nnp.set));
	return o;
}

static json_t *cgroup2_json(const struct gw_probe_cgroup2 *c)
{
	json_t *o = json_object();

	set(&o, "error",
	    c->mounted == 0 ? json_null() : result_json(c->mounted));
	set(&o, "mount", opt_str_json(c->mount));
	set(&o, "path", opt_str_json(c->path));
	set(&o, "dir", opt_str_json(c->dir));
	set(&o, "root_controllers",
	    words_json(c->root_controllers, c->read_root));
	set(&o, "controllers", words_json(c->controllers, c->read_self));
	set(&o, "subtree_control",
	    words_json(c->subtree_control, c->read_self));
	set(&o, "procs_writable", result_json(c->procs_writable));
	set(&o, "subtree_control_writable", result_json(c->subtree_writable));
	set(&o, "create_child", result_json(c->make_child));
	set(&o, "remove_child", result_json(c->remove_child));
	set(&o, "child_controllers",
	    words_json(c->child_controllers, c->make_child));
	set(&o, "delegated", json_boolean(gw_probe_cgroup2_delegated(c)));
	return o;
}

static json_t *v1_json(const struct gw_probe_v1_controller *v)
{
	json_t *o = json_object();

	set(&o, "name", str_json(v->name));
	set(&o, "hierarchy", json_integer(v->hierarchy));
	set(&o, "num_cgroups", json_integer(v->num_cgroups));
	set(&o, "enabled", json_boolean(v->enabled));
	set(&o, "mount", opt_str_json(v->mount));
	set(&o, "path", opt_str_json(v->path));
	set(&o, "writable", result_json(v->writable));
	return o;
}

static json_t *cgroup1_json(const struct gw_probe_cgroup1 *c)
{
	json_t *a;

	if (c->read != 0)
		return json_null();
	a = json_array();
	for (size_t i = 0; a && i < c->count; i++)
		if (json_array_append_new(a, v1_json(&c->ctl[i])) < 0) {
			json_decref(a);
			a = NULL;
		}
	return a;
}

static json_t *host_json(const struct gw_host_probe *p)
{
	json_t *o = json_object();
	int cap = p->host.cap_sys_admin;

	set(&o, "kernel", str_json(p->host.kernel));
	set(&o, "uid", json_integer(p->host.uid));
	set(&o, "euid", json_integer(p->host.euid));
	set(&o, "root", json_boolean(p->host.euid == 0));
	set(&o, "cap_sys_admin", cap < 0 ? json_null() : json_boolean(cap));
	set(&o, "user_namespaces", userns_json(p));
	set(&o, "namespaces", ns_json(p));
	set(&o, "seccomp", seccomp_json(p));
	set(&o, "landlock", landlock_json(p));
	set(&o, "no_new_privs", nnp_json(p));
	set(&o, "legacy_tiocsti", sysctl_json(p->tty.legacy_tiocsti));
	set(&o, "cgroup_v2", cgroup2_json(&p->cgroup2));
	set(&o, "cgroup_v1", cgroup1_json(&p->cgroup1));
	return o;
}

static json_t *fallback_json(const struct gw_layer_report *r)
{
	const char *action = gw_layer_fallback_name(r->fallback);
	json_t *o;

	if (!action)
		return json_null();
	o = json_object();
	set(&o, "action", json_string(action));
	set(&o, "explanation", str_json(r->why));
	return o;
}

/*
 * The launcher's layers (what `gymwarden run` reports and
 * sandbox.require takes) that each host fact here decides.
 */
static const char *const launcher_names[GW_LAYER_COUNT] = {
	[GW_LAYER_USERNS] = "user,uid,no-userns",
	[GW_LAYER_PIDNS] = "pid,init,proc",
	[GW_LAYER_MOUNTNS] = "mount,tmp,dev",
	[GW_LAYER_NETNS] = "net",
	[GW_LAYER_IPCNS] = "ipc",
	[GW_LAYER_UTSNS] = "uts",
	[GW_LAYER_CGROUPNS] = "cgroup",
	[GW_LAYER_SECCOMP] = "seccomp",
	[GW_LAYER_SECCOMP_NOTIFY] = "notify",
	[GW_LAYER_LANDLOCK] = "landlock",
	[GW_LAYER_CGROUP] = "cgroup-limits",
	[GW_LAYER_NO_NEW_PRIVS] = "nnp",
	[GW_LAYER_TIOCSTI] = "session",
};

static json_t *layer_json(const struct gw_layer_report *r)
{
	json_t *o = json_object();

	set(&o, "name", json_string(gw_layer_name(r->id)));
	set(&o, "status", json_string(gw_layer_status_name(r->status)));
	set(&o, "detail", str_json(r->detail));
	set(&o, "enforcement", json_string(gw_layer_enforcement(r->id)));
	set(&o, "fallback", fallback_json(r));
	set(&o, "hint", opt_str_json(r->hint));
	set(&o, "launcher_layers", gw_jail_list_json(launcher_names[r->id]));
	return o;
}

static json_t *summary_json(const unsigned count[3])
{
	json_t *o = json_object();

	set(&o, "available", json_integer(count[GW_LAYER_AVAILABLE]));
	set(&o, "partial", json_integer(count[GW_LAYER_PARTIAL]));
	set(&o, "unavailable", json_integer(count[GW_LAYER_UNAVAILABLE]));
	return o;
}

/* Every layer name the launcher can report (src/jail/launcher.h). */
static json_t *launcher_layers_json(void)
{
	json_t *a = json_array();

	for (unsigned l = 0; a && l < GW_JAIL_LAYER_COUNT; l++)
		json_array_append_new(a, json_string(gw_jail_layer_name(l)));
	return a;
}

static int print_json(const struct gw_cli *cli, const struct gw_host_probe *p,
		      const struct gw_layer_report *layers,
		      const unsigned count[3])
{
	json_t *doc = json_object(), *a = json_array();

	for (int i = 0; a && i < GW_LAYER_COUNT; i++)
		if (json_array_append_new(a, layer_json(&layers[i])) < 0) {
			json_decref(a);
			a = NULL;
		}

	set(&doc, "version", json_integer(GW_JSON_VERSION));
	set(&doc, "kind", json_string("doctor"));
	set(&doc, "host", host_json(p));
	set(&doc, "layers", a);
	set(&doc, "summary", summary_json(count));
	set(&doc, "launcher_applies", launcher_layers_json());
	set(&doc, "probe_error",
	    p->incomplete ? result_json(p->incomplete) : json_null());
	return gw_cli_print_json(cli, doc);
}

/* -------------------------------------------------------------------
 * Text
 */

#define NAME_WIDTH   16
#define STATUS_WIDTH 13

static const char *status_color(const struct gw_cli *cli,
				enum gw_layer_status s)
{
	return gw_cli_color(cli, s == GW_LAYER_AVAILABLE ? GW_COLOR_GREEN
				 : s == GW_LAYER_PARTIAL ? GW_COLOR_YELLOW
							 : GW_COLOR_RED);
}

static void print_fact(const struct gw_cli *cli, const char *label,
		       const char *value)
{
	struct esc e;

	fprintf(cli->out, "  %-12s%s\n", label, esc(&e, value));
}

static void print_v1_fact(const struct gw_cli *cli,
			  const struct gw_probe_cgroup1 *c)
{
	char list[GW_PROBE_LIST_BYTES] = "", line[GW_PROBE_LIST_BYTES + 64];
	size_t ours = 0, mounted = 0;

	for (size_t i = 0; i < c->count; i++) {
		const struct gw_probe_v1_controller *v = &c->ctl[i];
		size_t n = strlen(list);

		if (!v->mount[0])
			continue;
		mounted++;
		ours += v->writable == 0;
		snprintf(list + n, sizeof(list) - n, "%s%s", n ? " " : "",
			 v->name);
	}

	if (mounted == 0)
		snprintf(line, sizeof(line), "no controller is mounted");
	else
		snprintf(line, sizeof(line), "%s; our cgroup %s", list,
			 ours == mounted ? "writable in each"
			 : ours		 ? "writable in some"
					 : "not writable");
	print_fact(cli, "cgroup v1", line);
}

static void print_host(const struct gw_cli *cli, const struct gw_host_probe *p)
{
	const struct gw_probe_cgroup2 *c = &p->cgroup2;
	char line[GW_PROBE_PATH_BYTES * 2 + GW_PROBE_LIST_BYTES + 64];

	print_fact(cli, "kernel", p->host.kernel);
	snprintf(line, sizeof(line), "uid %u, euid %u%s, CAP_SYS_ADMIN %s",
		 (unsigned)p->host.uid, (unsigned)p->host.euid,
		 p->host.euid == 0 ? " (root)" : "",
		 p->host.cap_sys_admin == 1 ? "held" : "not held");
	print_fact(cli, "user", line);
	if (c->mounted == 0)
		snprintf(line, sizeof(line), "%s, our cgroup %s, offers: %s",
			 c->mount, c->path[0] ? c->path : "unknown",
			 c->controllers[0] ? c->controllers : "nothing");
	else
		snprintf(line, sizeof(line), "not mounted");
	print_fact(cli, "cgroup v2", line);
	print_v1_fact(cli, &p->cgroup1);
	snprintf(line, sizeof(line), "actions: %s",
		 p->seccomp.read_actions == 0 ? p->seccomp.actions : "unknown");
	print_fact(cli, "seccomp", line);
	if (p->landlock.abi > 0)
		snprintf(line, sizeof(line), "ABI %d", p->landlock.abi);
	else
		snprintf(line, sizeof(line), "none (%s)",
			 gw_probe_result_name(p->landlock.abi));
	print_fact(cli, "landlock", line);
}

/* One continuation line under a layer: a label in the status column. */
static void print_more(const struct gw_cli *cli, const char *color,
		       const char *label, const char *text)
{
	struct esc e;

	fprintf(cli->out, "%-*s%s%-*s%s%s\n", NAME_WIDTH, "", color,
		STATUS_WIDTH, label, gw_cli_color(cli, GW_COLOR_RESET),
		esc(&e, text));
}

static void print_layer(const struct gw_cli *cli,
			const struct gw_layer_report *r)
{
	const char *reset = gw_cli_color(cli, GW_COLOR_RESET);
	const char *action = gw_layer_fallback_name(r->fallback);
	struct esc e;

	fprintf(cli->out, "%-*s%s%-*s%s%s\n", NAME_WIDTH, gw_layer_name(r->id),
		status_color(cli, r->status), STATUS_WIDTH,
		gw_layer_status_name(r->status), reset,
		gw_layer_enforcement(r->id));
	fprintf(cli->out, "%-*s%s%s%s\n", NAME_WIDTH + STATUS_WIDTH, "",
		gw_cli_color(cli, GW_COLOR_DIM), esc(&e, r->detail), reset);
	if (action)
		print_more(cli,
			   gw_cli_color(cli, r->fallback == GW_FALLBACK_REFUSES
						     ? GW_COLOR_RED
						     : GW_COLOR_YELLOW),
			   action, r->why);
	if (r->hint[0])
		print_more(cli, gw_cli_color(cli, GW_COLOR_BOLD), "hint",
			   r->hint);
	if (launcher_names[r->id])
		print_more(cli, gw_cli_color(cli, GW_COLOR_DIM), "run names",
			   launcher_names[r->id]);
}

static int print_text(const struct gw_cli *cli, const struct gw_host_probe *p,
		      const struct gw_layer_report *layers,
		      const unsigned count[3])
{
	const char *bold = gw_cli_color(cli, GW_COLOR_BOLD);
	const char *reset = gw_cli_color(cli, GW_COLOR_RESET);

	fprintf(cli->out,
		"%sgymwarden doctor%s: the sandbox layers this host lets "
		"gymwarden enforce\n\n",
		bold, reset);
	print_host(cli, p);
	fprintf(cli->out, "\n%s%-*s%-*s%s%s\n", bold, NAME_WIDTH, "LAYER",
		STATUS_WIDTH, "STATUS", "HOW IT IS ENFORCED / WHAT WAS FOUND",
		reset);
	for (int i = 0; i < GW_LAYER_COUNT; i++)
		print_layer(cli, &layers[i]);
	fprintf(cli->out,
		"\n%d layers: %u available, %u partial, %u unavailable\n",
		GW_LAYER_COUNT, count[GW_LAYER_AVAILABLE],
		count[GW_LAYER_PARTIAL], count[GW_LAYER_UNAVAILABLE]);
	fprintf(cli->out,
		"the launcher applies every layer this host allows, and "
		"`gymwarden run` reports which stood for a worker\n");
	return ferror(cli->out) ? -EIO : 0;
}

/* -------------------------------------------------------------------
 * The command
 */

static int doctor_run(struct gw_cli *cli, void *cfg_, int argc, char **argv)
{
	struct doctor_cfg *cfg = cfg_;
	struct gw_layer_report layers[GW_LAYER_COUNT];
	unsigned count[3] = { 0, 0, 0 };
	struct gw_host_probe *p;
	int r, probed;

	(void)argc;
	(void)argv;
	p = calloc(1, sizeof(*p));
	if (!p) {
		fprintf(cli->err, "gymwarden: doctor: out of memory\n");
		return GW_EXIT_ERROR;
	}

	probed = gw_host_probe_run(p);
	if (probed < 0)
		fprintf(cli->err, "gymwarden: doctor: probe incomplete: %s\n",
			strerror(-probed));
	gw_host_probe_assess(p, layers);
	for (int i = 0; i < GW_LAYER_COUNT; i++)
		count[layers[i].status]++;

	if (cfg->format == GW_FORMAT_JSON)
		r = print_json(cli, p, layers, count);
	else
		r = print_text(cli, p, layers, count);
	free(p);

	if (r < 0 || probed < 0)
		return GW_EXIT_ERROR;
	return count[GW_LAYER_AVAILABLE] == GW_LAYER_COUNT ? GW_EXIT_OK
							   : GW_EXIT_FINDINGS;
}

const struct gw_cmd gw_cmd_doctor = {
	.name = "doctor",
	.summary = "show which sandbox layers this host can enforce",
	.description =
		"Probe this host for the isolation layers gymwarden builds its "
		"sandbox\nfrom: user, pid, mount, net, ipc, uts and cgroup "
		"namespaces, seccomp\nand its user notification, Landlock, "
		"cgroup v2 delegation (and v1),\nno_new_privs and the TIOCSTI "
		"sysctl. For each layer, say whether it is\navailable, how "
		"gymwarden enforces it, and what gymwarden does when it\nis "
		"missing: refuses, degrades or warns. Probing happens in "
		"short-lived\nchildren and leaves nothing behind.\n\n"
		"Exit status 1 means some layer is partial or unavailable.",
	.opts = doctor_opts,
	.cfg_size = sizeof(struct doctor_cfg),
	.max_args = 0,
	.run = doctor_run,
};
