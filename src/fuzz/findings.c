/*
 * The findings of a fuzz run: one entry per distinct thing seen, with
 * the first episode and step it was seen at and how often it recurred.
 */
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "fuzz/fuzz.h"

const char *gw_fuzz_severity_name(enum gw_fuzz_severity s)
{
	static const char *const names[] = { "info", "low", "medium", "high" };

	return (unsigned)s <= GW_FUZZ_HIGH ? names[s] : "?";
}

const char *gw_fuzz_evidence_name(enum gw_fuzz_evidence e)
{
	static const char *const names[] = {
		[GW_FUZZ_BY_SANDBOX] = "sandbox",
		[GW_FUZZ_BY_MONITOR] = "monitor",
		[GW_FUZZ_BY_HOST] = "host",
		[GW_FUZZ_BY_ENV] = "env-reported",
	};

	return (unsigned)e <= GW_FUZZ_BY_ENV ? names[e] : "?";
}

static struct gw_fuzz_finding *find(struct gw_fuzz_findings *l, const char *key)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->items[i].key, key) == 0)
			return &l->items[i];
	return NULL;
}

struct gw_fuzz_finding *gw_fuzz_findings_add(struct gw_fuzz_findings *l,
					     const struct gw_fuzz_finding *f)
{
	struct gw_fuzz_finding *old = find(l, f->key);

	if (old) {
		old->count += f->count ? f->count : 1;
		if (f->severity > old->severity)
			old->severity = f->severity;
		return old;
	}
	if (l->n >= GW_FUZZ_MAX_FINDINGS) {
		l->dropped++;
		return NULL;
	}
	if (l->n == l->alloc) {
		size_t n = l->alloc ? 2 * l->alloc : 16;
		void *p = realloc(l->items, n * sizeof(*l->items));

		if (!p)
			return NULL;
		l->items = p;
		l->alloc = n;
	}
	l->items[l->n] = *f;
	if (!l->items[l->n].count)
		l->items[l->n].count = 1;
	return &l->items[l->n++];
}

void gw_fuzz_findings_release(struct gw_fuzz_findings *l)
{
	free(l->items);
	memset(l, 0, sizeof(*l));
}

size_t gw_fuzz_findings_at_least(const struct gw_fuzz_findings *l,
				 enum gw_fuzz_severity s)
{
	size_t n = 0;

	for (size_t i = 0; i < l->n; i++)
		n += l->items[i].severity >= s;
	return n;
}
