/*
 * Typosquat candidates: a dependency whose name is not on the popular
 * list but is one small slip away from a name that is. The slips are
 * those squatters use: separators dropped or added ("scikitlearn"), two
 * adjacent letters swapped ("reqeusts"), "py" / "python" added or dropped
 * ("python-numpy", "yaml" for "pyyaml"), and one letter added, dropped or
 * changed ("requets"), the last only against names of four letters or
 * more, where one letter is not most of the name.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/limits.h"
#include "deps/audit.h"

/* The shortest popular name one added, dropped or changed letter is held
 * against. */
#define EDIT_MIN_LEN 4
/* And for a swap of two letters, which keeps every letter. */
#define SWAP_MIN_LEN 3

struct pop_entry {
	char *name; /* normalized */
	char *flat; /* without separators */
	size_t rank;
};

struct gw_popular {
	size_t n;
	struct pop_entry *by_rank;
	struct pop_entry **by_name, **by_flat;
};

static const char *const squat_texts[] = {
	[GW_SQUAT_NONE] = "no likeness",
	[GW_SQUAT_EDIT] = "one letter added, dropped or changed",
	[GW_SQUAT_SWAP] = "two adjacent letters swapped",
	[GW_SQUAT_PY] = "\"py\" or \"python\" added or dropped",
	[GW_SQUAT_SEPARATOR] = "separators dropped or added",
};

const char *gw_squat_kind_text(enum gw_squat_kind k)
{
	return (unsigned)k < sizeof(squat_texts) / sizeof(squat_texts[0])
		       ? squat_texts[k]
		       : "unknown";
}

static int cmp_name(const void *a, const void *b)
{
	const struct pop_entry *x = *(struct pop_entry *const *)a;
	const struct pop_entry *y = *(struct pop_entry *const *)b;
	int c = strcmp(x->name, y->name);

	return c ? c : (x->rank > y->rank) - (x->rank < y->rank);
}

static int cmp_flat(const void *a, const void *b)
{
	const struct pop_entry *x = *(struct pop_entry *const *)a;
	const struct pop_entry *y = *(struct pop_entry *const *)b;
	int c = strcmp(x->flat, y->flat);

	return c ? c : (x->rank > y->rank) - (x->rank < y->rank);
}

static char *flatten(const char *name)
{
	char *out = malloc(strlen(name) + 1), *o = out;

	if (!out)
		return NULL;
	for (; *name; name++)
		if (*name != '-')
			*o++ = *name;
	*o = '\0';
	return out;
}

void gw_popular_free(struct gw_popular *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n; i++) {
		free(p->by_rank[i].name);
		free(p->by_rank[i].flat);
	}
	free(p->by_rank);
	free(p->by_name);
	free(p->by_flat);
	free(p);
}

static int add_entry(struct gw_popular *p, const char *line, size_t len)
{
	char norm[128];
	struct pop_entry *e;
	int n = gw_pep503_normalize(line, len, norm, sizeof(norm));

	if (n < 0)
		return n;
	if (p->n >= GW_POPULAR_MAX_NAMES)
		return -E2BIG;
	e = &p->by_rank[p->n];
	e->name = strdup(norm);
	e->flat = flatten(norm);
	e->rank = p->n;
	if (!e->name || !e->flat) {
		free(e->name);
		free(e->flat);
		return -ENOMEM;
	}
	p->n++;
	return 0;
}

static int index_entries(struct gw_popular *p)
{
	p->by_name = calloc(p->n ? p->n : 1, sizeof(*p->by_name));
	p->by_flat = calloc(p->n ? p->n : 1, sizeof(*p->by_flat));
	if (!p->by_name || !p->by_flat)
		return -ENOMEM;
	for (size_t i = 0; i < p->n; i++)
		p->by_name[i] = p->by_flat[i] = &p->by_rank[i];
	qsort(p->by_name, p->n, sizeof(*p->by_name), cmp_name);
	qsort(p->by_flat, p->n, sizeof(*p->by_flat), cmp_flat);
	return 0;
}

int gw_popular_load_text(const char *text, size_t len, struct gw_popular **out,
			 struct gw_error *err)
{
	struct gw_popular *p = calloc(1, sizeof(*p));
	size_t pos = 0, lines = 0;
	unsigned line = 0;
	int rc = 0;

	*out = NULL;
	for (size_t i = 0; i < len; i++)
		lines += text[i] == '\n';
	if (!p || lines + 1 > GW_POPULAR_MAX_NAMES + 1024 ||
	    !(p->by_rank = calloc(lines + 1, sizeof(*p->by_rank)))) {
		free(p);
		return gw_error_set(err, p ? -E2BIG : -ENOMEM,
				    "popular list: too many lines");
	}
	while (pos < len && rc == 0) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len, n = end - pos;

		line++;
		while (n &&
		       (text[pos + n - 1] == '\r' || text[pos + n - 1] == ' '))
			n--;
		if (n && text[pos] != '#')
			rc = add_entry(p, text + pos, n);
		pos = end + 1;
	}
	if (rc == 0)
		rc = index_entries(p);
	if (rc < 0) {
		gw_popular_free(p);
		return gw_error_set_at(err, rc, line, 0,
				       "popular list: not a project name");
	}
	*out = p;
	return 0;
}

int gw_popular_load(const char *path, struct gw_popular **out,
		    struct gw_error *err)
{
	struct gw_buf b;
	int rc;

	gw_buf_init(&b, GW_POPULAR_MAX_BYTES);
	rc = gw_buf_read_file(&b, path, err);
	if (rc == 0)
		rc = gw_popular_load_text(b.data, b.len, out, err);
	if (rc < 0)
		gw_error_where(err, path, NULL);
	gw_buf_free(&b);
	return rc;
}

size_t gw_popular_count(const struct gw_popular *p)
{
	return p ? p->n : 0;
}

/* The most popular entry named name (by_name), or NULL. */
static const struct pop_entry *find(struct pop_entry *const *sorted, size_t n,
				    const char *name, bool flat)
{
	size_t lo = 0, hi = n;

	while (lo < hi) { /* the first entry not below name */
		size_t mid = lo + (hi - lo) / 2;
		const char *k = flat ? sorted[mid]->flat : sorted[mid]->name;

		if (strcmp(k, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < n &&
	    strcmp(flat ? sorted[lo]->flat : sorted[lo]->name, name) == 0)
		return sorted[lo];
	return NULL;
}

bool gw_popular_has(const struct gw_popular *p, const char *norm)
{
	return p && find(p->by_name, p->n, norm, false) != NULL;
}

/* Whether a and b differ by exactly one added, dropped or changed letter. */
static bool one_edit(const char *a, size_t la, const char *b, size_t lb)
{
	size_t i = 0;

	if (la > lb)
		return one_edit(b, lb, a, la);
	if (lb - la > 1)
		return false;
	while (i < la && a[i] == b[i])
		i++;
	if (la == lb)
		return i < la && strcmp(a + i + 1, b + i + 1) == 0;
	return strcmp(a + i, b + i + 1) == 0;
}

/* Best (lowest) rank among the popular forms of norm with py added or dropped.
 */
static const struct pop_entry *py_form(const struct gw_popular *p,
				       const char *norm)
{
	static const char *const prefixes[] = { "python-", "python", "py-",
						"py" };
	static const char *const suffixes[] = { "-python", "python", "-py",
						"py" };
	const struct pop_entry *best = NULL, *e;
	size_t len = strlen(norm);
	char form[160];

	for (size_t i = 0; i < 4; i++) {
		size_t pl = strlen(prefixes[i]), sl = strlen(suffixes[i]);

		e = NULL;
		if (len >= pl + 3 && strncmp(norm, prefixes[i], pl) == 0)
			e = find(p->by_name, p->n, norm + pl, false);
		if (!e && len >= sl + 3 &&
		    strcmp(norm + len - sl, suffixes[i]) == 0) {
			snprintf(form, sizeof(form), "%.*s", (int)(len - sl),
				 norm);
			e = find(p->by_name, p->n, form, false);
		}
		if (!e && snprintf(form, sizeof(form), "%s%s", prefixes[i],
				   norm) < (int)sizeof(form))
			e = find(p->by_name, p->n, form, false);
		if (!e && snprintf(form, sizeof(form), "%s%s", norm,
				   suffixes[i]) < (int)sizeof(form))
			e = find(p->by_name, p->n, form, false);
		if (e && (!best || e->rank < best->rank))
			best = e;
	}
	return best;
}

static const struct pop_entry *swapped(const struct gw_popular *p,
				       const char *norm)
{
	const struct pop_entry *best = NULL, *e;
	size_t len = strlen(norm);
	char form[128];

	if (len < SWAP_MIN_LEN || len >= sizeof(form))
		return NULL;
	for (size_t i = 0; i + 1 < len; i++) {
		if (norm[i] == norm[i + 1])
			continue;
		memcpy(form, norm, len + 1);
		form[i] = norm[i + 1];
		form[i + 1] = norm[i];
		e = find(p->by_name, p->n, form, false);
		if (e && (!best || e->rank < best->rank))
			best = e;
	}
	return best;
}

static const struct pop_entry *edited(const struct gw_popular *p,
				      const char *norm)
{
	size_t len = strlen(norm);

	for (size_t i = 0; i < p->n; i++) { /* rank order: first is best */
		const struct pop_entry *e = &p->by_rank[i];
		size_t el = strlen(e->name);

		if (el >= EDIT_MIN_LEN && el + 1 >= len && el <= len + 1 &&
		    one_edit(norm, len, e->name, el))
			return e;
	}
	return NULL;
}

enum gw_squat_kind gw_typosquat_check(const struct gw_popular *p,
				      const char *norm, char *target,
				      size_t cap)
{
	const struct pop_entry *e = NULL;
	enum gw_squat_kind kind = GW_SQUAT_NONE;
	char *flat;

	if (!p || !norm[0] || gw_popular_has(p, norm))
		return GW_SQUAT_NONE;
	flat = flatten(norm);
	if (flat && (e = find(p->by_flat, p->n, flat, true)))
		kind = GW_SQUAT_SEPARATOR;
	free(flat);
	if (!e && (e = swapped(p, norm)))
		kind = GW_SQUAT_SWAP;
	if (!e && (e = py_form(p, norm)))
		kind = GW_SQUAT_PY;
	if (!e && (e = edited(p, norm)))
		kind = GW_SQUAT_EDIT;
	if (e && cap)
		snprintf(target, cap, "%s", e->name);
	return kind;
}
