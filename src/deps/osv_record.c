/*
 * One OSV record (https://ossf.github.io/osv-schema/) into the model of
 * osv_priv.h, keeping only what matching and reports need: id, aliases,
 * modified, withdrawn, summary, the first CVSS vector, and for every
 * affected[] entry of the PyPI ecosystem its ranges (events parsed as
 * PEP 440 and sorted) and versions[] (as PEP 440 equality keys).
 *
 * A range event that is not PEP 440 ("0.2.0-n653", "2019-09-12") is
 * never guessed at. The range is marked inexact and read so that it can
 * only cover more: such an "introduced" counts as "0", such a "fixed",
 * "last_affected" or "limit" as absent. A range with no "introduced"
 * (the schema requires one) is read as starting at "0", also inexact.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "core/log.h"
#include "deps/osv_priv.h"
#include "deps/pep_priv.h"

/* Growable arrays reused from record to record; copied out when done. */
struct vec {
	void *data;
	size_t n, alloc, size, max;
};

/*
 * An event or a versions[] entry as it sits in the file: nothing is
 * decoded or parsed until the entry turns out to be for PyPI.
 */
struct ev_tmp {
	enum osv_event_kind kind;
	struct jstr text;
};

struct range_tmp {
	enum osv_range_type type;
	size_t first, n; /* its events in rec_ctx.events */
};

struct fixed_tmp {
	const char *text;
	const struct gw_pep440 *v; /* NULL when not PEP 440 */
};

struct rec_ctx {
	struct osv_load *ld;
	struct osvj j;
	struct osv_record *rec;
	int fatal; /* -ENOMEM or a cap: stops the whole load */
	bool summary_set;
	bool pypi;
	const char *pkg_name;
	const char *aff_severity;
	enum osv_range_type rtype;
	struct vec aliases, affected, ranges, events, versions, keys, raw,
		fixed;
};

static bool vec_push(struct rec_ctx *c, struct vec *v, const void *item)
{
	if (v->n == v->alloc) {
		size_t alloc = v->alloc ? v->alloc * 2 : 16;
		void *p;

		if (v->n >= v->max)
			return gw_osvj_fail(&c->j, -EINVAL, "list too long");
		p = realloc(v->data, alloc * v->size);
		if (!p) {
			c->fatal = -ENOMEM;
			return gw_osvj_fail(&c->j, -ENOMEM, "out of memory");
		}
		v->data = p;
		v->alloc = alloc;
	}
	memcpy((char *)v->data + v->n * v->size, item, v->size);
	v->n++;
	return true;
}

/* The vector's items copied into the arena, plus a zeroed one after. */
static void *vec_copy(struct rec_ctx *c, struct vec *v)
{
	void *p = gw_osv_arena_alloc(c->ld->arena, (v->n + 1) * v->size);

	if (!p) {
		c->fatal = -ENOMEM;
		gw_osvj_fail(&c->j, -ENOMEM, "database too large");
		return NULL;
	}
	if (v->n)
		memcpy(p, v->data, v->n * v->size);
	memset((char *)p + v->n * v->size, 0, v->size);
	v->n = 0;
	return p;
}

static void *arena_zalloc(struct rec_ctx *c, size_t n)
{
	void *p = gw_osv_arena_alloc(c->ld->arena, n);

	if (!p) {
		c->fatal = -ENOMEM;
		gw_osvj_fail(&c->j, -ENOMEM, "database too large");
		return NULL;
	}
	return memset(p, 0, n);
}

static const char *read_dup(struct rec_ctx *c)
{
	struct jstr s;
	char *p;

	if (!gw_osvj_string(&c->j, &s))
		return NULL;
	p = gw_jstr_dup(c->ld->arena, &s, GW_OSV_STRING_MAX_BYTES);
	if (!p)
		gw_osvj_fail(&c->j, -EINVAL, "bad or overlong string");
	return p;
}

/*
 * s decoded into buf; *len is cap when it does not fit. False (and an
 * error) when it is not a valid string.
 */
static bool decode_small(struct rec_ctx *c, const struct jstr *s, char *buf,
			 size_t cap, size_t *len)
{
	int n = gw_jstr_decode(s, buf, cap, false);

	*len = 0;
	if (n == -E2BIG) {
		buf[0] = '\0';
		*len = cap;
		return true;
	}
	if (n < 0)
		return gw_osvj_fail(&c->j, -EINVAL, "bad string");
	*len = (size_t)n;
	return true;
}

static bool read_small(struct rec_ctx *c, char *buf, size_t cap, size_t *len)
{
	struct jstr s;

	*len = 0;
	return gw_osvj_string(&c->j, &s) && decode_small(c, &s, buf, cap, len);
}

/* ---- fields of the record ---------------------------------------- */

/* Ids and aliases are printed as they are: keep them to a tame alphabet. */
static bool id_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 128)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!pep_is_alnum((unsigned char)s[i]) && !strchr("-_.:", s[i]))
			return false;
	return true;
}

static bool read_id(struct rec_ctx *c)
{
	c->rec->id = read_dup(c);
	if (c->rec->id && !id_ok(c->rec->id))
		return gw_osvj_fail(&c->j, -EINVAL, "bad id");
	return c->rec->id != NULL;
}

static bool read_modified(struct rec_ctx *c)
{
	c->rec->modified = read_dup(c);
	return c->rec->modified != NULL;
}

static bool read_withdrawn(struct rec_ctx *c)
{
	const char *w = read_dup(c);

	c->rec->withdrawn = w && w[0];
	return w != NULL;
}

static bool read_summary(struct rec_ctx *c)
{
	c->rec->summary = read_dup(c);
	c->summary_set = c->rec->summary != NULL;
	return c->summary_set;
}

/* Without a summary, the first line of details stands in, shortened. */
static bool read_details(struct rec_ctx *c)
{
	char buf[161];
	struct jstr s;
	char *nl;
	int n;

	if (!gw_osvj_string(&c->j, &s))
		return false;
	if (c->summary_set)
		return true;
	n = gw_jstr_decode(&s, buf, sizeof(buf), true);
	if (n < 0)
		return gw_osvj_fail(&c->j, -EINVAL, "bad details");
	nl = strchr(buf, '\n');
	if (nl)
		*nl = '\0';
	c->rec->summary = gw_osv_arena_strndup(c->ld->arena, buf, strlen(buf));
	if (!c->rec->summary) {
		c->fatal = -ENOMEM;
		return gw_osvj_fail(&c->j, -ENOMEM, "database too large");
	}
	return true;
}

static bool read_aliases(struct rec_ctx *c)
{
	bool first = true;

	while (gw_osvj_array_next(&c->j, &first)) {
		const char *a = read_dup(c);

		if (!a || !vec_push(c, &c->aliases, &a))
			return false;
	}
	if (c->j.err)
		return false;
	c->rec->aliases = vec_copy(c, &c->aliases);
	return c->rec->aliases != NULL;
}

/* [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/..."}]: the first CVSS. */
static bool read_severity(struct rec_ctx *c, const char **dst)
{
	bool first = true;

	while (gw_osvj_array_next(&c->j, &first)) {
		const char *type = NULL, *score = NULL;
		bool f2 = true;
		struct jstr key;

		while (gw_osvj_object_next(&c->j, &f2, &key)) {
			if (gw_jstr_is(&key, "type"))
				type = read_dup(c);
			else if (gw_jstr_is(&key, "score"))
				score = read_dup(c);
			else
				gw_osvj_skip(&c->j);
		}
		if (c->j.err)
			return false;
		if (!*dst && type && score && strncmp(type, "CVSS_", 5) == 0)
			*dst = score;
	}
	return !c->j.err;
}

static bool read_record_severity(struct rec_ctx *c)
{
	return read_severity(c, &c->rec->severity);
}

/* ---- ranges and their events --------------------------------------- */

static const struct {
	const char *name;
	enum osv_range_type type;
} range_types[] = {
	{ "ECOSYSTEM", OSV_RANGE_ECOSYSTEM },
	{ "SEMVER", OSV_RANGE_SEMVER },
	{ "GIT", OSV_RANGE_GIT },
};

static const struct {
	const char *key;
	enum osv_event_kind kind;
} event_keys[] = {
	{ "introduced", OSV_EV_INTRODUCED },
	{ "fixed", OSV_EV_FIXED },
	{ "last_affected", OSV_EV_LAST_AFFECTED },
	{ "limit", OSV_EV_LIMIT },
};

static bool read_range_type(struct rec_ctx *c)
{
	char buf[16];
	size_t n;

	if (!read_small(c, buf, sizeof(buf), &n))
		return false;
	c->rtype = OSV_RANGE_OTHER;
	for (size_t i = 0; i < sizeof(range_types) / sizeof(range_types[0]);
	     i++)
		if (n < sizeof(buf) && strcmp(buf, range_types[i].name) == 0)
			c->rtype = range_types[i].type;
	return true;
}

/* {"introduced": "1.0"}: exactly one member, one of the four kinds. */
static bool read_event(struct rec_ctx *c)
{
	struct ev_tmp ev = { .kind = OSV_EV_INTRODUCED };
	bool first = true;
	struct jstr key;
	size_t members = 0;

	while (gw_osvj_object_next(&c->j, &first, &key)) {
		bool known = false;

		members++;
		for (size_t i = 0;
		     i < sizeof(event_keys) / sizeof(event_keys[0]); i++) {
			if (gw_jstr_is(&key, event_keys[i].key)) {
				ev.kind = event_keys[i].kind;
				known = true;
			}
		}
		if (!known)
			return gw_osvj_fail(&c->j, -EINVAL, "unknown event");
		if (!gw_osvj_string(&c->j, &ev.text))
			return false;
	}
	if (c->j.err)
		return false;
	if (members != 1)
		return gw_osvj_fail(&c->j, -EINVAL, "event without one kind");
	return vec_push(c, &c->events, &ev);
}

static bool read_events(struct rec_ctx *c)
{
	bool first = true;

	while (gw_osvj_array_next(&c->j, &first))
		if (!read_event(c))
			return false;
	return !c->j.err;
}

static const struct gw_pep440 *parse_version(struct rec_ctx *c,
					     const char *text)
{
	struct gw_pep440 v, *p;

	if (gw_pep440_parse(text, strlen(text), &v) < 0)
		return NULL;
	p = gw_osv_arena_alloc(c->ld->arena, sizeof(*p));
	if (!p) {
		c->fatal = -ENOMEM;
		gw_osvj_fail(&c->j, -ENOMEM, "database too large");
		return NULL;
	}
	*p = v;
	return p;
}

static int cmp_events(const void *pa, const void *pb)
{
	const struct osv_event *a = pa, *b = pb;
	/* Open introduced before everything, open limit after. */
	int ra = !a->open ? 1 : a->kind == OSV_EV_LIMIT ? 2 : 0;
	int rb = !b->open ? 1 : b->kind == OSV_EV_LIMIT ? 2 : 0;
	int cmp = ra - rb;

	if (!cmp && ra == 1)
		cmp = gw_pep440_cmp(a->v, b->v);
	if (!cmp)
		cmp = (int)a->kind - (int)b->kind;
	return cmp;
}

/* A fix for the hit's list: normalized, or as written when not PEP 440. */
static bool add_fixed(struct rec_ctx *c, const char *text,
		      const struct gw_pep440 *v)
{
	struct fixed_tmp f = { NULL, v };
	char buf[256];

	if (v) {
		gw_pep440_format(v, buf, sizeof(buf));
		text = buf;
	}
	f.text = gw_osv_arena_strndup(c->ld->arena, text, strlen(text));
	if (!f.text) {
		c->fatal = -ENOMEM;
		return gw_osvj_fail(&c->j, -ENOMEM, "database too large");
	}
	return vec_push(c, &c->fixed, &f);
}

/*
 * One event of an ECOSYSTEM or SEMVER range into ev; false when it is
 * dropped (see the top of the file). Sets *inexact for every event that
 * is not PEP 440.
 */
static bool build_event(struct rec_ctx *c, const struct ev_tmp *t,
			struct osv_event *ev, bool *inexact)
{
	char text[256];
	size_t n;

	ev->kind = t->kind;
	ev->v = NULL;
	if (!decode_small(c, &t->text, text, sizeof(text), &n))
		return false;
	ev->open = (t->kind == OSV_EV_INTRODUCED && strcmp(text, "0") == 0) ||
		   (t->kind == OSV_EV_LIMIT && strcmp(text, "*") == 0);
	if (!ev->open && n < sizeof(text))
		ev->v = parse_version(c, text);
	if (t->kind == OSV_EV_FIXED && !ev->open)
		add_fixed(c, text, ev->v);
	if (ev->open || ev->v)
		return true;
	c->ld->stats->events_invalid++;
	*inexact = true;
	if (t->kind != OSV_EV_INTRODUCED)
		return false;
	ev->open = true;
	return true;
}

static bool build_range(struct rec_ctx *c, const struct range_tmp *t,
			struct osv_range *r)
{
	const struct ev_tmp *ev = (const struct ev_tmp *)c->events.data;
	bool introduced = false;

	r->type = t->type;
	c->ld->stats->ranges_git += t->type == OSV_RANGE_GIT;
	c->ld->stats->ranges_other += t->type == OSV_RANGE_OTHER;
	if (t->type == OSV_RANGE_GIT || t->type == OSV_RANGE_OTHER)
		return true;
	r->ev = arena_zalloc(c, (t->n + 1) * sizeof(*r->ev));
	if (!r->ev)
		return false;
	for (size_t i = t->first; i < t->first + t->n; i++) {
		struct osv_event *e = &r->ev[r->nev];

		if (build_event(c, &ev[i], e, &r->inexact)) {
			introduced |= e->kind == OSV_EV_INTRODUCED;
			r->nev++;
		}
	}
	if (!introduced) {
		r->ev[r->nev++] =
			(struct osv_event){ OSV_EV_INTRODUCED, true, NULL };
		r->inexact = true;
	}
	c->ld->stats->ranges_inexact += r->inexact;
	qsort(r->ev, r->nev, sizeof(*r->ev), cmp_events);
	return !c->j.err;
}

static bool read_range(struct rec_ctx *c)
{
	struct range_tmp r = { .first = c->events.n };
	bool first = true, has_type = false, has_events = false;
	struct jstr key;

	c->rtype = OSV_RANGE_OTHER;
	while (gw_osvj_object_next(&c->j, &first, &key)) {
		bool type = gw_jstr_is(&key, "type");
		bool events = !type && gw_jstr_is(&key, "events");

		if ((type && has_type) || (events && has_events))
			return gw_osvj_fail(&c->j, -EINVAL, "duplicate key");
		if (type)
			has_type = read_range_type(c);
		else if (events)
			has_events = read_events(c);
		else
			gw_osvj_skip(&c->j);
	}
	if (c->j.err)
		return false;
	r.type = c->rtype;
	r.n = c->events.n - r.first;
	if (!has_type || !has_events || r.n == 0)
		return gw_osvj_fail(&c->j, -EINVAL,
				    "range without type or events");
	return vec_push(c, &c->ranges, &r);
}

static bool read_ranges(struct rec_ctx *c)
{
	bool first = true;

	while (gw_osvj_array_next(&c->j, &first))
		if (!read_range(c))
			return false;
	return !c->j.err;
}

static bool read_versions(struct rec_ctx *c)
{
	bool first = true;
	struct jstr v;

	while (gw_osvj_array_next(&c->j, &first))
		if (!gw_osvj_string(&c->j, &v) ||
		    !vec_push(c, &c->versions, &v))
			return false;
	return !c->j.err;
}

/* versions[]: PEP 440 ones as equality keys, the others as written. */
static bool build_versions(struct rec_ctx *c)
{
	const struct jstr *vs = c->versions.data;

	for (size_t i = 0; i < c->versions.n; i++) {
		char buf[256], key[256];
		struct vec *dst = &c->keys;
		const char *text = key;
		struct gw_pep440 v;
		const char *p;
		size_t n;

		if (!decode_small(c, &vs[i], buf, sizeof(buf), &n))
			return false;
		if (n >= sizeof(buf) || gw_pep440_parse(buf, n, &v) < 0 ||
		    gw_pep440_key(&v, key, sizeof(key)) >= sizeof(key)) {
			c->ld->stats->versions_invalid++;
			if (n >= sizeof(buf))
				continue;
			dst = &c->raw;
			text = buf;
		}
		p = gw_osv_arena_strndup(c->ld->arena, text, strlen(text));
		if (!p) {
			c->fatal = -ENOMEM;
			return gw_osvj_fail(&c->j, -ENOMEM,
					    "database too large");
		}
		if (!vec_push(c, dst, &p))
			return false;
	}
	return true;
}

static bool read_package(struct rec_ctx *c)
{
	bool first = true;
	struct jstr key;
	char eco[16];
	size_t n;

	while (gw_osvj_object_next(&c->j, &first, &key)) {
		if (gw_jstr_is(&key, "ecosystem")) {
			if (!read_small(c, eco, sizeof(eco), &n))
				return false;
			c->pypi = n < sizeof(eco) && strcmp(eco, "PyPI") == 0;
		} else if (gw_jstr_is(&key, "name")) {
			c->pkg_name = read_dup(c);
			if (!c->pkg_name)
				return false;
		} else {
			gw_osvj_skip(&c->j);
		}
	}
	return !c->j.err;
}

/* ---- affected[] ---------------------------------------------------- */

static int cmp_strp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Versions in PEP 440 order, then the texts that are not versions. */
static int cmp_fixed(const void *pa, const void *pb)
{
	const struct fixed_tmp *a = pa, *b = pb;

	if (!a->v != !b->v)
		return a->v ? -1 : 1;
	if (!a->v)
		return strcmp(a->text, b->text);
	return gw_pep440_cmp(a->v, b->v);
}

/* Sort, then drop repeats (equal neighbours under cmp). */
static size_t sort_unique(void *base, size_t n, size_t size,
			  int (*cmp)(const void *, const void *))
{
	char *p = base;
	size_t out = 0;

	if (n == 0)
		return 0;
	qsort(base, n, size, cmp);
	for (size_t i = 0; i < n; i++) {
		if (out && cmp(p + (out - 1) * size, p + i * size) == 0)
			continue;
		if (out != i)
			memcpy(p + out * size, p + i * size, size);
		out++;
	}
	return out;
}

static bool finish_fixed(struct rec_ctx *c, struct osv_affected *a)
{
	struct fixed_tmp *f = c->fixed.data;
	const char **list;

	c->fixed.n = sort_unique(f, c->fixed.n, sizeof(*f), cmp_fixed);
	list = arena_zalloc(c, (c->fixed.n + 1) * sizeof(*list));
	if (!list)
		return false;
	for (size_t i = 0; i < c->fixed.n; i++)
		list[i] = f[i].text;
	a->nfixed = c->fixed.n;
	a->fixed = list;
	c->fixed.n = 0;
	return true;
}

static bool build_ranges(struct rec_ctx *c, struct osv_affected *a)
{
	const struct range_tmp *t = c->ranges.data;

	a->nranges = c->ranges.n;
	a->ranges = arena_zalloc(c, (a->nranges + 1) * sizeof(*a->ranges));
	if (!a->ranges)
		return false;
	for (size_t i = 0; i < a->nranges; i++)
		if (!build_range(c, &t[i], &a->ranges[i]))
			return false;
	return true;
}

static bool finish_affected(struct rec_ctx *c, struct osv_affected *a)
{
	char norm[256];
	int n;

	if (!c->pypi || !c->pkg_name) {
		c->ld->stats->other_ecosystems++;
		return true;
	}
	n = gw_pep503_fold(c->pkg_name, strlen(c->pkg_name), norm,
			   sizeof(norm));
	if (n <= 0)
		return gw_osvj_fail(&c->j, -EINVAL, "bad package name");
	a->norm = gw_osv_arena_strndup(c->ld->arena, norm, (size_t)n);
	if (!a->norm || !build_ranges(c, a) || !build_versions(c))
		return false;
	c->keys.n =
		sort_unique(c->keys.data, c->keys.n, sizeof(char *), cmp_strp);
	a->nkeys = c->keys.n;
	a->keys = vec_copy(c, &c->keys);
	a->nraw = c->raw.n;
	a->raw = vec_copy(c, &c->raw);
	if (!a->keys || !a->raw || !finish_fixed(c, a))
		return false;
	if (a->nranges == 0 && a->nkeys == 0 && a->nraw == 0)
		c->ld->stats->no_versions++;
	return vec_push(c, &c->affected, a);
}

static bool read_affected_one(struct rec_ctx *c)
{
	struct osv_affected a = { .norm = NULL };
	bool first = true;
	struct jstr key;

	c->pypi = false;
	c->pkg_name = NULL;
	c->ranges.n = c->events.n = c->versions.n = 0;
	c->keys.n = c->raw.n = c->fixed.n = 0;
	while (gw_osvj_object_next(&c->j, &first, &key)) {
		bool ok = true;

		if (gw_jstr_is(&key, "package"))
			ok = read_package(c);
		else if (gw_jstr_is(&key, "ranges"))
			ok = read_ranges(c);
		else if (gw_jstr_is(&key, "versions"))
			ok = read_versions(c);
		else if (gw_jstr_is(&key, "severity"))
			ok = read_severity(c, &c->aff_severity);
		else
			gw_osvj_skip(&c->j);
		if (!ok)
			return false;
	}
	return !c->j.err && finish_affected(c, &a);
}

static bool read_affected(struct rec_ctx *c)
{
	bool first = true;

	while (gw_osvj_array_next(&c->j, &first))
		if (!read_affected_one(c))
			return false;
	if (c->j.err)
		return false;
	c->rec->naff = c->affected.n;
	c->rec->aff = vec_copy(c, &c->affected);
	return c->rec->aff != NULL;
}

/* ---- the record ---------------------------------------------------- */

typedef bool (*field_fn)(struct rec_ctx *c);

/* The members read; each may appear once. The rest are skipped. */
static const struct {
	const char *key;
	field_fn read;
} record_fields[] = {
	{ "id", read_id },
	{ "modified", read_modified },
	{ "withdrawn", read_withdrawn },
	{ "aliases", read_aliases },
	{ "summary", read_summary },
	{ "details", read_details },
	{ "severity", read_record_severity },
	{ "affected", read_affected },
};

#define NFIELDS (sizeof(record_fields) / sizeof(record_fields[0]))

static bool read_member(struct rec_ctx *c, const struct jstr *key,
			unsigned *seen)
{
	for (unsigned i = 0; i < NFIELDS; i++) {
		if (!gw_jstr_is(key, record_fields[i].key))
			continue;
		if (*seen & (1u << i))
			return gw_osvj_fail(&c->j, -EINVAL, "duplicate key");
		*seen |= 1u << i;
		return record_fields[i].read(c);
	}
	gw_osvj_skip(&c->j);
	return !c->j.err;
}

static bool is_malicious(const struct osv_record *r)
{
	if (strncmp(r->id, "MAL-", 4) == 0)
		return true;
	for (size_t i = 0; r->aliases && r->aliases[i]; i++)
		if (strncmp(r->aliases[i], "MAL-", 4) == 0)
			return true;
	return false;
}

static const char *check_record(struct rec_ctx *c, struct osv_record *r)
{
	static const char *const none[] = { NULL };

	if (!r->id)
		return "no id";
	if (!r->modified)
		return "no modified";
	if (!r->aliases)
		r->aliases = (const char **)none;
	if (!r->summary)
		r->summary = "";
	if (!r->severity)
		r->severity = c->aff_severity ? c->aff_severity : "";
	r->malicious = is_malicious(r);
	return NULL;
}

void gw_osv_note_skip(struct osv_load *ld, const char *path, const char *why)
{
	size_t i = ld->stats->skipped++;
	char esc[128];

	if (i >= OSV_SKIP_SHOWN)
		return;
	gw_escape(esc, sizeof(esc), path, strlen(path));
	snprintf(ld->shown[i], sizeof(ld->shown[i]), "%s (%s)", esc, why);
}

static int keep(struct osv_load *ld, struct osv_record *rec)
{
	if (ld->nrecs == ld->alloc) {
		size_t alloc = ld->alloc ? ld->alloc * 2 : 1024;
		struct osv_record **p;

		if (ld->nrecs >= GW_OSV_MAX_RECORDS)
			return -E2BIG;
		p = realloc(ld->recs, alloc * sizeof(*p));
		if (!p)
			return -ENOMEM;
		ld->recs = p;
		ld->alloc = alloc;
	}
	ld->recs[ld->nrecs++] = rec;
	ld->stats->withdrawn += rec->withdrawn;
	return 0;
}

static struct rec_ctx *ctx_get(struct osv_load *ld)
{
	static const struct {
		size_t off, size, max;
	} vecs[] = {
#define V(f, t, m) { offsetof(struct rec_ctx, f), sizeof(t), m }
		V(aliases, char *, GW_OSV_MAX_ALIASES),
		V(affected, struct osv_affected, GW_OSV_MAX_AFFECTED),
		V(ranges, struct range_tmp, GW_OSV_MAX_EVENTS),
		V(events, struct ev_tmp, GW_OSV_MAX_EVENTS),
		V(versions, struct jstr, GW_OSV_MAX_VERSIONS),
		V(keys, char *, GW_OSV_MAX_VERSIONS),
		V(raw, char *, GW_OSV_MAX_VERSIONS),
		V(fixed, struct fixed_tmp, GW_OSV_MAX_EVENTS),
#undef V
	};

	if (ld->ctx)
		return ld->ctx;
	ld->ctx = calloc(1, sizeof(*ld->ctx));
	if (!ld->ctx)
		return NULL;
	for (size_t i = 0; i < sizeof(vecs) / sizeof(vecs[0]); i++) {
		struct vec *v = (struct vec *)((char *)ld->ctx + vecs[i].off);

		v->size = vecs[i].size;
		v->max = vecs[i].max;
	}
	ld->ctx->ld = ld;
	return ld->ctx;
}

void gw_osv_load_done(struct osv_load *ld)
{
	struct rec_ctx *c = ld->ctx;

	if (!c)
		return;
	free(c->aliases.data);
	free(c->affected.data);
	free(c->ranges.data);
	free(c->events.data);
	free(c->versions.data);
	free(c->keys.data);
	free(c->raw.data);
	free(c->fixed.data);
	free(c);
	ld->ctx = NULL;
	free(ld->recs);
	ld->recs = NULL;
}

int gw_osv_record_add(struct osv_load *ld, const char *text, size_t len,
		      const char *path)
{
	struct rec_ctx *c = ctx_get(ld);
	unsigned seen = 0;
	bool first = true;
	const char *why;
	struct jstr key;

	if (!c)
		return -ENOMEM;
	c->fatal = 0;
	c->summary_set = false;
	c->aff_severity = NULL;
	c->aliases.n = c->affected.n = 0;
	gw_osvj_init(&c->j, text, len);
	c->rec = arena_zalloc(c, sizeof(*c->rec));
	if (!c->rec)
		return c->fatal;

	if (gw_osvj_peek(&c->j) != OSVJ_OBJECT)
		gw_osvj_fail(&c->j, -EINVAL, "not a JSON object");
	while (gw_osvj_object_next(&c->j, &first, &key))
		if (!read_member(c, &key, &seen))
			break;
	gw_osvj_finish(&c->j);
	if (c->fatal)
		return c->fatal;

	why = c->j.err ? c->j.what : check_record(c, c->rec);
	if (why) {
		gw_osv_note_skip(ld, path, why);
		return 0;
	}
	c->rec->path = gw_osv_arena_strndup(ld->arena, path, strlen(path));
	if (!c->rec->path)
		return -ENOMEM;
	if (c->rec->naff == 0)
		return 0;
	return keep(ld, c->rec);
}
