/*
 * Which advisories affect one version of one project: the OSV schema's
 * evaluation of ranges, over events sorted at load time (osv_record.c),
 * plus membership in versions[] by PEP 440 equality.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "deps/osv_priv.h"
#include "deps/pep_priv.h"

enum verdict { V_NONE, V_GIT, V_INEXACT, V_EXACT };

/*
 * The schema's walk: in version order, an introduced at or below v
 * starts an affected stretch, a fixed at or below v (or a last_affected
 * below it) ends one. The last event that applies wins. A range with
 * limits only covers versions below one of them.
 */
static bool range_covers(const struct osv_range *r, const struct gw_pep440 *v)
{
	bool affected = false, limited = false, below_limit = false;

	for (size_t i = 0; i < r->nev; i++) {
		const struct osv_event *e = &r->ev[i];
		int c = e->open ? 0 : gw_pep440_cmp(v, e->v);

		switch (e->kind) {
		case OSV_EV_INTRODUCED:
			if (e->open || c >= 0)
				affected = true;
			break;
		case OSV_EV_FIXED:
			if (c >= 0)
				affected = false;
			break;
		case OSV_EV_LAST_AFFECTED:
			if (c > 0)
				affected = false;
			break;
		case OSV_EV_LIMIT:
			limited = true;
			below_limit |= e->open || c < 0;
			break;
		}
	}
	return affected && (!limited || below_limit);
}

static int cmp_key(const void *k, const void *elem)
{
	return strcmp(k, *(const char *const *)elem);
}

static bool listed(const struct osv_affected *a, const struct gw_pep440 *v)
{
	char key[512];

	if (a->nkeys == 0 || gw_pep440_key(v, key, sizeof(key)) >= sizeof(key))
		return false;
	return bsearch(key, a->keys, a->nkeys, sizeof(*a->keys), cmp_key);
}

static enum verdict judge(const struct osv_affected *a,
			  const struct gw_pep440 *v)
{
	bool exact = false, inexact = false, versioned = false, git = false;

	for (size_t i = 0; i < a->nranges; i++) {
		const struct osv_range *r = &a->ranges[i];

		git |= r->type == OSV_RANGE_GIT;
		if (r->type == OSV_RANGE_GIT || r->type == OSV_RANGE_OTHER)
			continue;
		versioned = true;
		if (range_covers(r, v))
			*(r->inexact ? &inexact : &exact) = true;
	}
	if (exact || listed(a, v))
		return V_EXACT;
	if (inexact)
		return V_INEXACT;
	/* GIT ranges alone, nothing listed: say so rather than guess. */
	if (git && !versioned && a->nkeys == 0 && a->nraw == 0)
		return V_GIT;
	return V_NONE;
}

/* A range that covers every version: introduced "0" and nothing else. */
static bool covers_all(const struct osv_range *r)
{
	return (r->type == OSV_RANGE_ECOSYSTEM ||
		r->type == OSV_RANGE_SEMVER) &&
	       !r->inexact && r->nev == 1 && r->ev[0].open &&
	       r->ev[0].kind == OSV_EV_INTRODUCED;
}

/* For a version that is not PEP 440: versions[] text and "all" ranges. */
static enum verdict judge_text(const struct osv_affected *a, const char *text)
{
	for (size_t i = 0; i < a->nraw; i++)
		if (strcasecmp(a->raw[i], text) == 0)
			return V_EXACT;
	for (size_t i = 0; i < a->nranges; i++)
		if (covers_all(&a->ranges[i]))
			return V_EXACT;
	return V_NONE;
}

static size_t lower_bound(const struct gw_osv_db *db, const char *norm)
{
	size_t lo = 0, hi = db->nindex;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(db->index[mid].norm, norm) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static const enum gw_osv_confidence confidence_of[] = {
	[V_GIT] = GW_OSV_GIT,
	[V_INEXACT] = GW_OSV_INEXACT,
	[V_EXACT] = GW_OSV_EXACT,
};

static void report(const struct osv_index_entry *e, enum verdict verdict,
		   gw_osv_hit_fn fn, void *arg)
{
	const struct osv_record *r = e->rec;
	struct gw_osv_hit hit = {
		.id = r->id,
		.summary = r->summary,
		.aliases = r->aliases,
		.malicious = r->malicious,
		.withdrawn = r->withdrawn,
		.confidence = confidence_of[verdict],
		.nfixed = e->aff->nfixed,
		.fixed = e->aff->fixed,
		.severity = r->severity,
	};

	if (fn)
		fn(arg, &hit);
}

/*
 * Every index entry of norm, judged by one of the two judges; entries
 * of the same record (consecutive, the index being sorted by id) give
 * one hit, with the best verdict among them.
 */
static int match(const struct gw_osv_db *db, const char *name,
		 const struct gw_pep440 *v, const char *text, gw_osv_hit_fn fn,
		 void *arg)
{
	char norm[256];
	size_t i;
	int hits = 0;

	if (!db || !name ||
	    gw_pep503_fold(name, strlen(name), norm, sizeof(norm)) < 0)
		return -EINVAL;
	i = lower_bound(db, norm);
	while (i < db->nindex && strcmp(db->index[i].norm, norm) == 0) {
		const struct osv_index_entry *first = &db->index[i];
		const struct osv_index_entry *best = first;
		enum verdict verdict = V_NONE;

		for (; i < db->nindex && db->index[i].rec == first->rec &&
		       strcmp(db->index[i].norm, norm) == 0;
		     i++) {
			const struct osv_affected *a = db->index[i].aff;
			enum verdict vd = v ? judge(a, v) : judge_text(a, text);

			if (vd > verdict) {
				verdict = vd;
				best = &db->index[i];
			}
		}
		if (verdict != V_NONE) {
			report(best, verdict, fn, arg);
			hits++;
		}
	}
	return hits;
}

int gw_osv_match(const struct gw_osv_db *db, const char *norm,
		 const struct gw_pep440 *version, gw_osv_hit_fn fn, void *arg)
{
	if (!version)
		return -EINVAL;
	return match(db, norm, version, NULL, fn, arg);
}

int gw_osv_match_text(const struct gw_osv_db *db, const char *norm,
		      const char *version, gw_osv_hit_fn fn, void *arg)
{
	struct gw_pep440 v;

	if (!version)
		return -EINVAL;
	if (gw_pep440_parse(version, strlen(version), &v) == 0)
		return match(db, norm, &v, NULL, fn, arg);
	return match(db, norm, NULL, version, fn, arg);
}
