/*
 * gymwarden approve RECORD --by NAME and gymwarden revoke RECORD: append
 * a decision to a record. An approval names the record's digest; one
 * whose digest is not the env's tree today is stored all the same (it
 * may be approved ahead of a deployment) but said to be stale.
 *
 * Exit status: 0 done; 1 approval refused because the record failed
 * vetting (without --force); 2 usage, no such record, nothing to
 * revoke, or a registry that cannot be written.
 */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/limits.h"
#include "core/log.h"
#include "gymwarden.h"

struct approve_cfg {
	const char *registry;
	const char *manifest;
	const char *by;
	const char *note;
	bool force;
};

static const struct gw_opt approve_opts[] = {
	{ "by", 'b', "NAME", gw_opt_string, offsetof(struct approve_cfg, by),
	  "who approves (required)", NULL },
	{ "note", 'n', "TEXT", gw_opt_string,
	  offsetof(struct approve_cfg, note),
	  "why, for whoever reads the record later", NULL },
	{ "force", 0, NULL, gw_opt_flag, offsetof(struct approve_cfg, force),
	  "WARNING: approve a record whose verdict is fail", NULL },
	{ "registry", 'r', "PATH", gw_opt_string,
	  offsetof(struct approve_cfg, registry),
	  "the registry database (default: the manifest's)", NULL },
	{ "manifest", 'm', "PATH", gw_opt_string,
	  offsetof(struct approve_cfg, manifest),
	  "the manifest: its registry, and the tree to compare (default "
	  "./gymwarden.toml)",
	  NULL },
	GW_OPT_END,
};

static const struct gw_opt revoke_opts[] = {
	{ "by", 'b', "NAME", gw_opt_string, offsetof(struct approve_cfg, by),
	  "who revokes (default: the login name)", NULL },
	{ "note", 'n', "TEXT", gw_opt_string,
	  offsetof(struct approve_cfg, note),
	  "why, for whoever reads the record later", NULL },
	{ "registry", 'r', "PATH", gw_opt_string,
	  offsetof(struct approve_cfg, registry),
	  "the registry database (default: the manifest's)", NULL },
	{ "manifest", 'm', "PATH", gw_opt_string,
	  offsetof(struct approve_cfg, manifest),
	  "take the registry from this manifest (default ./gymwarden.toml)",
	  NULL },
	GW_OPT_END,
};

static void put_text(FILE *f, const char *s)
{
	char esc[GW_ESCAPED_MAX_BYTES];

	gw_escape(esc, sizeof(esc), s, strlen(s));
	fputs(esc, f);
}

static void report(const struct gw_cli *cli, const struct gw_cmd *cmd,
		   const struct gw_error *err)
{
	char text[1400];

	gw_error_format(err, text, sizeof(text));
	fprintf(cli->err, "gymwarden %s: %s\n", cmd->name, text);
}

/*
 * Compare the record's digest with the env's tree today, when the
 * manifest names the env; a difference is only a warning.
 */
static void warn_if_stale(const struct gw_cli *cli, const struct gw_manifest *m,
			  const struct gw_record_info *info)
{
	const struct gw_manifest_env *e;
	struct gw_tree *t = NULL;
	struct gw_error err;

	e = m ? gw_manifest_env_find(m, info->env_id) : NULL;
	if (!e) {
		fprintf(cli->err,
			"gymwarden approve: note: no manifest names env '");
		put_text(cli->err, info->env_id);
		fprintf(cli->err, "', so its tree was not compared with the "
				  "record\n");
		return;
	}
	gw_error_clear(&err);
	if (gw_tree_digest_env(m, e, &t, &err) < 0) {
		fprintf(cli->err,
			"gymwarden approve: warning: cannot digest the tree "
			"now: %s\n",
			err.msg);
		return;
	}
	if (strcmp(gw_tree_digest(t), info->digest) != 0) {
		fprintf(cli->err,
			"gymwarden approve: %swarning:%s the tree of '",
			gw_cli_color(cli, GW_COLOR_YELLOW),
			gw_cli_color(cli, GW_COLOR_RESET));
		put_text(cli->err, info->env_id);
		fprintf(cli->err,
			"' is now %s, not the record's %s: the approval is "
			"stored, but make refuses the env until its tree "
			"matches again (or a new record is vetted and "
			"approved)\n",
			gw_tree_digest(t), info->digest);
	}
	gw_tree_free(t);
}

/* The login name, for revoke without --by; NULL when unknown. */
static const char *login_name(void)
{
	struct passwd *pw = getpwuid(geteuid());

	if (pw && pw->pw_name && pw->pw_name[0])
		return pw->pw_name;
	return NULL;
}

static int decide(struct gw_cli *cli, const struct gw_cmd *cmd,
		  struct approve_cfg *cfg, struct gw_registry *reg,
		  struct gw_manifest *m, const char *ref, bool approve)
{
	struct gw_record_info info;
	struct gw_error err;
	int64_t id;
	int r;

	if (gw_cli_find_record(cli, cmd, reg, ref, &id) != 0)
		return GW_EXIT_ERROR;
	gw_error_clear(&err);
	r = approve ? gw_registry_approve(reg, id, cfg->by, cfg->note,
					  cfg->force ? GW_APPROVE_FORCE : 0,
					  &err)
		    : gw_registry_revoke(reg, id, cfg->by, cfg->note, &err);
	if (r < 0) {
		report(cli, cmd, &err);
		return r == -EPERM ? GW_EXIT_FINDINGS : GW_EXIT_ERROR;
	}
	if (gw_registry_record_info(reg, id, &info, &err) < 0) {
		report(cli, cmd, &err);
		return GW_EXIT_ERROR;
	}
	fprintf(cli->out, "%s record %lld (", approve ? "approved" : "revoked",
		(long long)id);
	put_text(cli->out, info.env_id);
	fprintf(cli->out, ", %s, verdict %s) by ", info.digest,
		gw_record_verdict_name(info.verdict));
	put_text(cli->out, cfg->by);
	fputc('\n', cli->out);
	if (approve && info.verdict == GW_RECORD_FAIL)
		gw_log(GW_LOG_WARN,
		       "approve record %lld: forced although its "
		       "verdict is fail",
		       (long long)id);
	if (approve)
		warn_if_stale(cli, m, &info);
	return GW_EXIT_OK;
}

static int run_decision(struct gw_cli *cli, const struct gw_cmd *cmd,
			struct approve_cfg *cfg, const char *ref, bool approve)
{
	struct gw_registry *reg = NULL;
	struct gw_manifest *m = NULL;
	int r;

	if (!cfg->by && approve)
		return gw_cli_usage_error(cli, cmd,
					  "who approves? give --by "
					  "NAME");
	if (!cfg->by)
		cfg->by = login_name();
	if (!cfg->by)
		return gw_cli_usage_error(cli, cmd,
					  "no login name: give --by "
					  "NAME");

	r = gw_cli_open_registry(cli, cmd, cfg->registry, cfg->manifest, &reg,
				 &m);
	if (r == -ENOENT) {
		fprintf(cli->err,
			"gymwarden %s: no registry, so no record %s\n",
			cmd->name, ref);
		r = GW_EXIT_ERROR;
	}
	if (r == 0)
		r = decide(cli, cmd, cfg, reg, m, ref, approve);
	gw_registry_close(reg);
	gw_manifest_free(m);
	return r;
}

static int approve_run(struct gw_cli *cli, void *cfg, int argc, char **argv)
{
	(void)argc;
	return run_decision(cli, &gw_cmd_approve, cfg, argv[0], true);
}

static int revoke_run(struct gw_cli *cli, void *cfg, int argc, char **argv)
{
	(void)argc;
	return run_decision(cli, &gw_cmd_revoke, cfg, argv[0], false);
}

const struct gw_cmd gw_cmd_approve = {
	.name = "approve",
	.args = "RECORD",
	.summary = "approve a vetting record so its environment may run",
	.description =
		"Append an approval by NAME to RECORD (a record number or a "
		"digest prefix).\nThe approval names the record's tree "
		"digest: make runs the environment\nonly while its tree has "
		"that digest. A record whose verdict is fail is\nrefused "
		"(exit 1) unless --force is given.",
	.opts = approve_opts,
	.cfg_size = sizeof(struct approve_cfg),
	.min_args = 1,
	.max_args = 1,
	.run = approve_run,
};

const struct gw_cmd gw_cmd_revoke = {
	.name = "revoke",
	.args = "RECORD",
	.summary = "revoke the approval of a vetting record",
	.description =
		"Append a revocation to RECORD: make refuses its environment "
		"again until\nanother record with the same digest, or this "
		"one, is approved again.\nThe history of approvals and "
		"revocations is kept.",
	.opts = revoke_opts,
	.cfg_size = sizeof(struct approve_cfg),
	.min_args = 1,
	.max_args = 1,
	.run = revoke_run,
};
