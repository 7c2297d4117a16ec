/*
 * Reading the tables of tests/data/pep440 (written by its generate.py):
 * tab-separated fields, "#" comment lines, and in each field a doubled
 * backslash for a backslash and \xNN for any other byte outside
 * printable ASCII. Header-only, for the unit tests that use them.
 */
#ifndef GW_TESTS_TSV_DATA_H
#define GW_TESTS_TSV_DATA_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef GW_SOURCE_ROOT
#define GW_SOURCE_ROOT "."
#endif

#define TSV_MAX_FIELDS 12
#define TSV_MAX_LINE   4096

struct tsv_row {
	size_t n;
	char *field[TSV_MAX_FIELDS]; /* unescaped, NUL-terminated */
	size_t len[TSV_MAX_FIELDS];  /* bytes, a field may hold NULs */
	unsigned line;
};

struct tsv {
	FILE *f;
	char buf[TSV_MAX_LINE];
	char out[TSV_MAX_LINE];
	unsigned line;
};

static inline int tsv_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Unescape s in place into out; returns the length. */
static inline size_t tsv_unescape(const char *s, char *out)
{
	size_t n = 0;

	while (*s) {
		if (s[0] == '\\' && s[1] == '\\') {
			out[n++] = '\\';
			s += 2;
		} else if (s[0] == '\\' && s[1] == 'x' && tsv_hex(s[2]) >= 0 &&
			   tsv_hex(s[3]) >= 0) {
			out[n++] = (char)(tsv_hex(s[2]) * 16 + tsv_hex(s[3]));
			s += 4;
		} else {
			out[n++] = *s++;
		}
	}
	out[n] = '\0';
	return n;
}

static inline int tsv_open(struct tsv *t, const char *name)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s/tests/data/pep440/%s", GW_SOURCE_ROOT,
		 name);
	t->f = fopen(path, "r");
	t->line = 0;
	return t->f ? 0 : -1;
}

/* The next data row, or 0 at the end. */
static inline int tsv_next(struct tsv *t, struct tsv_row *row)
{
	while (fgets(t->buf, sizeof(t->buf), t->f)) {
		char *p = t->buf, *o = t->out;

		t->line++;
		if (t->buf[0] == '#')
			continue;
		t->buf[strcspn(t->buf, "\n")] = '\0';
		row->n = 0;
		row->line = t->line;
		for (;;) {
			char *tab = strchr(p, '\t');

			if (tab)
				*tab = '\0';
			if (row->n < TSV_MAX_FIELDS) {
				row->field[row->n] = o;
				row->len[row->n] = tsv_unescape(p, o);
				o += row->len[row->n] + 1;
				row->n++;
			}
			if (!tab)
				break;
			p = tab + 1;
		}
		return 1;
	}
	return 0;
}

static inline void tsv_close(struct tsv *t)
{
	if (t->f)
		fclose(t->f);
}

#endif /* GW_TESTS_TSV_DATA_H */
