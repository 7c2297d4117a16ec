/*
 * gymwarden audit verify|show|keygen: check an audit log's (or a
 * recording's) chain and name its first broken record, print its
 * records as they check out, or make a new key file.
 *
 * Exit status: 0 intact; 1 broken (the first broken record is named);
 * 2 usage, a file or key that cannot be read.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/audit_cli.h"
#include "cli/cli.h"
#include "core/limits.h"
#include "core/log.h"
#include "gymwarden.h"

struct audit_cfg {
	const char *key;
	bool allow_open;
	int format;
};

static const struct gw_opt audit_opts[] = {
	{ "key", 'k', "FILE", gw_opt_string, offsetof(struct audit_cfg, key),
	  "key file of an encrypted log (32 raw bytes or 64 hex digits)",
	  NULL },
	{ "allow-open", 0, NULL, gw_opt_flag,
	  offsetof(struct audit_cfg, allow_open),
	  "a log without its close record (still being written) is intact",
	  NULL },
	{ "format", 'f', "FORMAT", gw_opt_choice,
	  offsetof(struct audit_cfg, format), "output format",
	  (const char *const[]){ "text", "json", NULL } },
	GW_OPT_END,
};

int gw_cli_audit_key(const struct gw_cli *cli, const char *cmd,
		     const char *path, struct gw_audit_key *key)
{
	struct gw_error err;
	char text[1400];

	gw_error_clear(&err);
	if (gw_audit_key_load(path, key, &err) == 0)
		return 0;
	gw_error_format(&err, text, sizeof(text));
	fprintf(cli->err, "gymwarden %s: %s\n", cmd, text);
	return GW_EXIT_ERROR;
}

void gw_cli_audit_put_json(FILE *out, const json_t *v)
{
	char *text =
		json_dumps(v, JSON_COMPACT | JSON_ENSURE_ASCII |
				      JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
	size_t n = text ? strlen(text) : 0;

	if (!text) {
		fputs("null", out);
		return;
	}
	if (n > GW_ESCAPED_MAX_BYTES)
		fprintf(out, "%.*s...", (int)GW_ESCAPED_MAX_BYTES - 3, text);
	else
		fputs(text, out);
	free(text);
}

json_t *gw_cli_audit_break_json(const struct gw_audit_break *brk)
{
	return json_pack("{s:I, s:I, s:I, s:s, s:s}", "line",
			 (json_int_t)brk->line, "seq", (json_int_t)brk->seq,
			 "offset", (json_int_t)brk->offset, "fault",
			 gw_audit_fault_name(brk->fault), "detail",
			 brk->detail);
}

void gw_cli_audit_print_break(FILE *out, const char *path,
			      const struct gw_audit_break *brk)
{
	char esc_path[GW_ESCAPED_MAX_BYTES], esc[GW_ESCAPED_MAX_BYTES];

	gw_escape(esc_path, sizeof(esc_path), path, strlen(path));
	gw_escape(esc, sizeof(esc), brk->detail, strlen(brk->detail));
	fprintf(out,
		"%s: broken at record %llu (seq %lld, byte %llu): %s: %s\n",
		esc_path, (unsigned long long)brk->line, (long long)brk->seq,
		(unsigned long long)brk->offset,
		gw_audit_fault_name(brk->fault), esc);
}

static json_t *summary_json(const struct gw_audit_summary *s)
{
	return json_pack("{s:I, s:b, s:b, s:s, s:s, s:s}", "records",
			 (json_int_t)s->records, "encrypted", s->encrypted,
			 "closed", s->closed, "log_id", s->log_id, "purpose",
			 s->purpose, "head", s->head);
}

/* Print one record as text: "L  SEQ  TIME  KIND  {payload}". */
static void show_text(void *arg, uint64_t line, json_t *rec)
{
	FILE *out = arg;
	json_t *payload = json_deep_copy(rec);

	if (!payload)
		return;
	for (const char *const *k =
		     (const char *const[]){ "seq", "time", "prev", "kind",
					    "hash", NULL };
	     *k; k++)
		json_object_del(payload, *k);
	/* time and kind were checked by the reader: printable ASCII. */
	fprintf(out, "%4llu  %lld  %s  %s  ", (unsigned long long)line,
		(long long)json_integer_value(json_object_get(rec, "seq")),
		json_string_value(json_object_get(rec, "time")),
		json_string_value(json_object_get(rec, "kind")));
	gw_cli_audit_put_json(out, payload);
	fputc('\n', out);
	json_decref(payload);
}

static void collect(void *arg, uint64_t line, json_t *rec)
{
	(void)line;
	json_array_append(arg, rec);
}

static void print_summary(FILE *out, const char *path,
			  const struct gw_audit_summary *s)
{
	char esc[GW_ESCAPED_MAX_BYTES];

	gw_escape(esc, sizeof(esc), path, strlen(path));
	fprintf(out,
		"%s: intact: %llu records, %s %s, %s, log id %s\n"
		"  head %s\n",
		esc, (unsigned long long)s->records,
		s->encrypted ? "encrypted" : "plaintext", s->purpose,
		s->closed ? "closed" : "not closed", s->log_id, s->head);
}

static int verify_or_show(struct gw_cli *cli, struct audit_cfg *cfg,
			  const char *path, bool show)
{
	bool json = cfg->format == 1;
	struct gw_audit_summary sum = { 0 };
	struct gw_audit_break brk = { 0 };
	struct gw_audit_key key;
	json_t *records = json_array();
	struct gw_error err;
	char text[1400];
	int r;

	if (cfg->key && gw_cli_audit_key(cli, "audit", cfg->key, &key) != 0)
		return GW_EXIT_ERROR;
	gw_error_clear(&err);
	r = gw_audit_verify(path, cfg->key ? &key : NULL,
			    cfg->allow_open ? GW_AUDIT_ALLOW_OPEN : 0,
			    !show  ? NULL
			    : json ? collect
				   : show_text,
			    json ? (void *)records : (void *)cli->out, &sum,
			    &brk, &err);
	gw_audit_key_wipe(&key);
	if (r < 0 && r != -EBADMSG) {
		gw_error_format(&err, text, sizeof(text));
		fprintf(cli->err, "gymwarden audit: %s\n", text);
		json_decref(records);
		return GW_EXIT_ERROR;
	}
	if (json) {
		json_t *doc = json_pack(
			"{s:i, s:s, s:s, s:b, s:o, s:o}", "version",
			GW_JSON_VERSION, "kind",
			show ? "audit-show" : "audit-verify", "file", path,
			"intact", r == 0, "summary",
			r == 0 ? summary_json(&sum) : json_null(), "break",
			r == 0 ? json_null() : gw_cli_audit_break_json(&brk));

		if (show)
			json_object_set(doc, "records", records);
		gw_cli_print_json(cli, doc);
	} else if (r == 0) {
		print_summary(show ? cli->err : cli->out, path, &sum);
	} else {
		gw_cli_audit_print_break(show ? cli->err : cli->out, path,
					 &brk);
	}
	json_decref(records);
	return r == 0 ? GW_EXIT_OK : GW_EXIT_FINDINGS;
}

static int keygen(struct gw_cli *cli, const char *path)
{
	struct gw_error err;
	char text[1400];

	gw_error_clear(&err);
	if (gw_audit_key_generate(path, &err) == 0) {
		fprintf(cli->err, "gymwarden audit: new key in %s (0600)\n",
			path);
		return GW_EXIT_OK;
	}
	gw_error_format(&err, text, sizeof(text));
	fprintf(cli->err, "gymwarden audit: %s\n", text);
	return GW_EXIT_ERROR;
}

static int audit_run(struct gw_cli *cli, void *vcfg, int argc, char **argv)
{
	struct audit_cfg *cfg = vcfg;
	const char *action = argv[0];

	if (argc != 2)
		return gw_cli_usage_error(cli, &gw_cmd_audit,
					  "%s needs one FILE", action);
	if (strcmp(action, "keygen") == 0) {
		if (cfg->key || cfg->allow_open || cfg->format)
			return gw_cli_usage_error(cli, &gw_cmd_audit,
						  "keygen takes no options");
		return keygen(cli, argv[1]);
	}
	if (strcmp(action, "verify") == 0 || strcmp(action, "show") == 0)
		return verify_or_show(cli, cfg, argv[1],
				      strcmp(action, "show") == 0);
	return gw_cli_usage_error(cli, &gw_cmd_audit,
				  "unknown action '%s' (verify, show or "
				  "keygen)",
				  action);
}

const struct gw_cmd gw_cmd_audit = {
	.name = "audit",
	.args = "verify FILE | show FILE | keygen FILE",
	.summary = "verify or show an audit log or recording; make a key",
	.description =
		"verify: recompute the hash chain of FILE (an audit log or a "
		"recording) and\nname the first broken record: its line, seq "
		"and what is wrong. show: print\nthe records as they check "
		"out, then the verdict. keygen: write a new random\nkey file "
		"(0600) for --key, --audit-key and --record-key.\nExit "
		"status 1 when the log is broken.",
	.opts = audit_opts,
	.cfg_size = sizeof(struct audit_cfg),
	.min_args = 1,
	.max_args = 2,
	.run = audit_run,
};
