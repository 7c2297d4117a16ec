/*
 * gymwarden replay FILE: print or export a recording made with
 * `gymwarden run --record` (or `make(..., record=...)`), checking its
 * chain as it reads: every reset and step with the decoded action and
 * observation, the reward, the flags and the info.
 *
 * Exit status: 0 the recording is intact; 1 it is broken (what was read
 * before the broken record is printed, then the record is named); 2
 * usage, a file or key that cannot be read, not a recording.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cli/audit_cli.h"
#include "cli/cli.h"
#include "core/error.h"
#include "core/limits.h"
#include "core/log.h"
#include "gymwarden.h"

enum { FMT_TEXT, FMT_JSON, FMT_JSONL };

struct replay_cfg {
	const char *key;
	unsigned long episode;
	int format;
};

static const struct gw_opt replay_opts[] = {
	{ "key", 'k', "FILE", gw_opt_string, offsetof(struct replay_cfg, key),
	  "key file of an encrypted recording", NULL },
	{ "episode", 'e', "N", gw_opt_ulong,
	  offsetof(struct replay_cfg, episode),
	  "only episode N (1-based; default all)", NULL },
	{ "format", 'f', "FORMAT", gw_opt_choice,
	  offsetof(struct replay_cfg, format),
	  "text, json (one document) or jsonl (one event per line)",
	  (const char *const[]){ "text", "json", "jsonl", NULL } },
	GW_OPT_END,
};

struct replay {
	const struct gw_cli *cli;
	const struct replay_cfg *cfg;
	const char *path;
	json_t *env;	 /* the env record */
	json_t *doc;	 /* FMT_JSON: the document */
	json_t *current; /* FMT_JSON: the episode being filled */
	uint64_t episodes, steps;
	bool malformed;
};

static const size_t dump_flags =
	JSON_COMPACT | JSON_ENSURE_ASCII | JSON_PRESERVE_ORDER;

/* Decode a sample with one of the env record's layouts. */
static json_t *decode(struct replay *rp, const char *layout, json_t *rec,
		      const char *member)
{
	json_t *sample = json_object_get(rec, member);
	json_t *v;

	if (!sample || json_is_null(sample))
		return json_null();
	v = gw_record_decode(json_object_get(rp->env, layout), sample);
	if (!v)
		rp->malformed = true;
	return v ? v : json_null();
}

/* The event of a reset or step record in the form every format uses. */
static json_t *event(struct replay *rp, json_t *rec, bool step)
{
	json_t *ev = json_pack("{s:s, s:O}", "type", step ? "step" : "reset",
			       "episode", json_object_get(rec, "episode"));

	if (!ev)
		return NULL;
	if (step) {
		json_object_set(ev, "step", json_object_get(rec, "step"));
		json_object_set_new(ev, "action",
				    decode(rp, "action_layout", rec, "action"));
	} else {
		json_object_set(ev, "seed", json_object_get(rec, "seed"));
		json_object_set(ev, "options", json_object_get(rec, "options"));
	}
	json_object_set_new(ev, "obs",
			    decode(rp, "observation_layout", rec, "obs"));
	if (step) {
		json_object_set(ev, "reward", json_object_get(rec, "reward"));
		json_object_set(ev, "terminated",
				json_object_get(rec, "terminated"));
		json_object_set(ev, "truncated",
				json_object_get(rec, "truncated"));
	}
	json_object_set(ev, "info", json_object_get(rec, "info"));
	return ev;
}

/* member=value, compact JSON cut for a terminal. */
static void put_member(FILE *out, const json_t *ev, const char *key)
{
	fprintf(out, " %s=", key);
	gw_cli_audit_put_json(out, json_object_get(ev, key));
}

static void print_event(struct replay *rp, json_t *ev, bool step)
{
	FILE *out = rp->cli->out;

	if (!step) {
		fprintf(out, "episode %lld reset",
			(long long)json_integer_value(
				json_object_get(ev, "episode")));
		put_member(out, ev, "seed");
		put_member(out, ev, "obs");
		put_member(out, ev, "info");
		fputc('\n', out);
		return;
	}
	fprintf(out, "  step %lld",
		(long long)json_integer_value(json_object_get(ev, "step")));
	put_member(out, ev, "action");
	put_member(out, ev, "obs");
	put_member(out, ev, "reward");
	if (json_is_true(json_object_get(ev, "terminated")))
		fputs(" terminated", out);
	if (json_is_true(json_object_get(ev, "truncated")))
		fputs(" truncated", out);
	put_member(out, ev, "info");
	fputc('\n', out);
}

/* Add ev to the JSON document: a reset opens an episode. */
static void add_event(struct replay *rp, json_t *ev, bool step)
{
	json_t *eps = json_object_get(rp->doc, "episodes");

	if (!step) {
		rp->current =
			json_pack("{s:O, s:O, s:O, s:O, s:O, s:[]}", "episode",
				  json_object_get(ev, "episode"), "seed",
				  json_object_get(ev, "seed"), "options",
				  json_object_get(ev, "options"), "obs",
				  json_object_get(ev, "obs"), "info",
				  json_object_get(ev, "info"), "steps");
		json_array_append_new(eps, rp->current);
	} else if (rp->current) {
		json_object_del(ev, "type");
		json_object_del(ev, "episode");
		json_array_append(json_object_get(rp->current, "steps"), ev);
	}
}

static void on_env(struct replay *rp, json_t *rec)
{
	FILE *out = rp->cli->out;
	json_t *head;
	char esc[GW_ESCAPED_MAX_BYTES];
	const char *env = json_string_value(json_object_get(rec, "env"));

	rp->env = json_incref(rec);
	head = json_pack("{s:s, s:O, s:O, s:O}", "type", "env", "env",
			 json_object_get(rec, "env"), "action_space",
			 json_object_get(rec, "action_space"),
			 "observation_space",
			 json_object_get(rec, "observation_space"));
	if (rp->cfg->format == FMT_JSONL) {
		json_dumpf(head, out, dump_flags);
		fputc('\n', out);
	} else if (rp->cfg->format == FMT_JSON) {
		/* The env's members go before the episodes. */
		json_t *eps = json_incref(json_object_get(rp->doc, "episodes"));

		json_object_del(rp->doc, "episodes");
		json_object_update(rp->doc, head);
		json_object_del(rp->doc, "type");
		json_object_set_new(rp->doc, "episodes", eps);
	} else {
		gw_escape(esc, sizeof(esc), env ? env : "",
			  env ? strlen(env) : 0);
		fprintf(out, "%s%s%s\n", gw_cli_color(rp->cli, GW_COLOR_BOLD),
			esc, gw_cli_color(rp->cli, GW_COLOR_RESET));
		put_member(out, head, "action_space");
		put_member(out, head, "observation_space");
		fputc('\n', out);
	}
	json_decref(head);
}

/* One record of the recording, in order. */
static void on_record(struct replay *rp, json_t *rec)
{
	const char *kind = json_string_value(json_object_get(rec, "kind"));
	bool step = strcmp(kind, "step") == 0;
	uint64_t ep =
		(uint64_t)json_integer_value(json_object_get(rec, "episode"));
	json_t *ev;

	if (strcmp(kind, "env") == 0 && !rp->env)
		return on_env(rp, rec);
	if ((!step && strcmp(kind, "reset") != 0) || !rp->env)
		return;
	rp->episodes += !step;
	rp->steps += step;
	if (rp->cfg->episode && ep != rp->cfg->episode)
		return;
	ev = event(rp, rec, step);
	if (!ev)
		return;
	if (rp->cfg->format == FMT_JSONL) {
		json_dumpf(ev, rp->cli->out, dump_flags);
		fputc('\n', rp->cli->out);
	} else if (rp->cfg->format == FMT_JSON) {
		add_event(rp, ev, step);
	} else {
		print_event(rp, ev, step);
	}
	json_decref(ev);
}

/* Read every record; 0 intact, -EBADMSG broken, < 0 unreadable. */
static int read_all(struct replay *rp, struct gw_audit_reader *r,
		    struct gw_audit_break *brk, struct gw_error *err)
{
	json_t *rec;
	int e;

	while ((e = gw_audit_reader_next(r, &rec, brk, err)) == 1) {
		const char *purpose =
			json_string_value(json_object_get(rec, "purpose"));

		if (strcmp(json_string_value(json_object_get(rec, "kind")),
			   "open") == 0 &&
		    (!purpose || strcmp(purpose, "recording") != 0)) {
			json_decref(rec);
			return gw_error_set(err, -EINVAL,
					    "not a recording but an audit "
					    "log: read it with gymwarden "
					    "audit show");
		}
		on_record(rp, rec);
		json_decref(rec);
	}
	return e;
}

static int finish(struct replay *rp, int e, const struct gw_audit_break *brk)
{
	FILE *out = rp->cli->out;

	if (rp->cfg->format == FMT_JSON) {
		json_object_set_new(rp->doc, "intact", json_boolean(e == 0));
		json_object_set_new(rp->doc, "break",
				    e == 0 ? json_null()
					   : gw_cli_audit_break_json(brk));
		gw_cli_print_json(rp->cli, json_incref(rp->doc));
	} else if (rp->cfg->format == FMT_TEXT && e == 0) {
		fprintf(out, "%llu episode%s, %llu steps; recording intact\n",
			(unsigned long long)rp->episodes,
			rp->episodes == 1 ? "" : "s",
			(unsigned long long)rp->steps);
	}
	if (e != 0) {
		fprintf(rp->cli->err, "gymwarden replay: ");
		gw_cli_audit_print_break(rp->cli->err, rp->path, brk);
		return GW_EXIT_FINDINGS;
	}
	if (rp->malformed) {
		fprintf(rp->cli->err, "gymwarden replay: a sample does not fit "
				      "the recorded layout; shown as null\n");
		return GW_EXIT_ERROR;
	}
	return GW_EXIT_OK;
}

static int replay_run(struct gw_cli *cli, void *vcfg, int argc, char **argv)
{
	struct replay_cfg *cfg = vcfg;
	struct replay rp = { .cli = cli, .cfg = cfg, .path = argv[0] };
	struct gw_audit_reader *r = NULL;
	struct gw_audit_break brk = { 0 };
	struct gw_audit_key key;
	struct gw_error err;
	char text[1400];
	int e;

	(void)argc;
	if (cfg->key && gw_cli_audit_key(cli, "replay", cfg->key, &key) != 0)
		return GW_EXIT_ERROR;
	rp.doc = json_pack("{s:i, s:s, s:s, s:[]}", "version", GW_JSON_VERSION,
			   "kind", "replay", "file", argv[0], "episodes");
	gw_error_clear(&err);
	e = gw_audit_reader_open(argv[0], cfg->key ? &key : NULL, 0, &r, &brk,
				 &err);
	gw_audit_key_wipe(&key);
	if (e == 0 || e == -EBADMSG)
		e = e ? e : read_all(&rp, r, &brk, &err);
	if (e < 0 && e != -EBADMSG) {
		gw_error_format(&err, text, sizeof(text));
		fprintf(cli->err, "gymwarden replay: %s\n", text);
		e = GW_EXIT_ERROR;
	} else {
		e = finish(&rp, e, &brk);
	}
	gw_audit_reader_free(r);
	json_decref(rp.env);
	json_decref(rp.doc);
	return e;
}

const struct gw_cmd gw_cmd_replay = {
	.name = "replay",
	.args = "FILE",
	.summary = "print or export a recording, checking its chain",
	.description =
		"Print the recording FILE (made by run --record or make(..., "
		"record=...)):\nevery reset and step with the decoded action "
		"and observation, the reward,\nthe flags and the info. The "
		"hash chain (and, with --key, the encryption) is\nchecked "
		"while reading; a broken record is named and the exit status "
		"is 1.",
	.opts = replay_opts,
	.cfg_size = sizeof(struct replay_cfg),
	.min_args = 1,
	.max_args = 1,
	.run = replay_run,
};
