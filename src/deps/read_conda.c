/*
 * conda environment files (environment.yml): a mapping whose
 * "dependencies" sequence holds conda match specs ("numpy", "numpy=1.26",
 * "numpy==1.26.4=py311h64a7726_0", "numpy>=1.24", "conda-forge::numpy
 * 1.26.4 build") and at most one mapping "pip:" whose strings are lines in
 * pip's requirements format. Conda packages are kept with the group
 * "conda": they come from conda channels, which the PyPI advisories do
 * not describe, so they are listed but not matched. Read with libyaml's
 * document API, which keeps aliases as references (no expansion), and
 * only in the shape above, so a hostile document cannot make the walk
 * deep or long.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <yaml.h>

#include "core/error.h"
#include "deps/read_priv.h"

static bool is_scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE;
}

static bool scalar_is(const yaml_node_t *n, const char *word)
{
	return is_scalar(n) && n->data.scalar.length == strlen(word) &&
	       memcmp(n->data.scalar.value, word, strlen(word)) == 0;
}

static unsigned line_of(const yaml_node_t *n)
{
	return (unsigned)n->start_mark.line + 1;
}

/* The value of key in a mapping node, or NULL. */
static yaml_node_t *mapping_get(yaml_document_t *doc, const yaml_node_t *map,
				const char *key)
{
	if (!map || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
	     p < map->data.mapping.pairs.top; p++)
		if (scalar_is(yaml_document_get_node(doc, p->key), key))
			return yaml_document_get_node(doc, p->value);
	return NULL;
}

/* The version that ends at stop characters; "" when it is a range. */
static size_t exact_version(const char *v, const char *end)
{
	size_t n = strcspn(v, "= ,|*<>!");

	if (v + n > end)
		n = (size_t)(end - v);
	if (v + n < end && strchr(",|*<>!", v[n]))
		return 0;
	return n && v[0] >= '0' && v[0] <= '9' ? n : 0;
}

/*
 * Split a match spec into its name and, when it names one exact version,
 * that version. "name==1.2", "name 1.2 [build]" and "name=1.2=build" are
 * exact; "name=1.2" is a prefix match (1.2.*) and ">=" a range.
 */
static int parse_spec(const char *spec, size_t len, const char **name,
		      size_t *name_len, const char **version,
		      size_t *version_len)
{
	const char *colons = memmem(spec, len, "::", 2);
	const char *rest, *end = spec + len;
	size_t n;

	*name = colons ? colons + 2 : spec; /* channel::name */
	n = strspn(*name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			  "0123456789-_.");
	if (n == 0 || *name + n > end)
		return -EINVAL;
	*name_len = n;
	*version = NULL;
	*version_len = 0;
	rest = *name + n;
	if (rest + 2 <= end && rest[0] == '=' && rest[1] == '=') {
		rest += 2;
	} else if (rest < end && rest[0] == ' ') {
		rest++;
	} else if (rest < end && rest[0] == '=') {
		n = exact_version(rest + 1, end);
		if (n && rest + 1 + n < end && rest[1 + n] == '=')
			rest++;
		else
			return 0;
	} else {
		return 0;
	}
	*version = rest;
	*version_len = exact_version(rest, end);
	return 0;
}

static void add_conda(struct gw_dep_set *s, const char *path,
		      const yaml_node_t *n, struct gw_error *err)
{
	const char *spec = (const char *)n->data.scalar.value, *version, *name;
	size_t len = n->data.scalar.length, name_len, vlen;
	struct gw_requirement *r;
	char esc[128];

	if (parse_spec(spec, len, &name, &name_len, &version, &vlen) < 0) {
		gw_deps_fail(s, err, -EINVAL, path, line_of(n),
			     "%s: not a conda match spec",
			     gw_deps_esc(esc, sizeof(esc), spec, len));
		return;
	}
	r = gw_deps_add_locked(s, path, line_of(n), "conda", name, name_len,
			       NULL, err);
	if (!r)
		return;
	snprintf(r->url, sizeof(r->url), "%.*s", (int)len, spec);
	if (version && vlen)
		gw_deps_set_locked(r, version, vlen);
}

static void add_pip(struct gw_dep_set *s, const char *path,
		    yaml_document_t *doc, const yaml_node_t *seq,
		    struct gw_error *err)
{
	if (!seq || seq->type != YAML_SEQUENCE_NODE) {
		gw_deps_fail(s, err, -EINVAL, path, seq ? line_of(seq) : 0,
			     "pip: expected a list of requirement lines");
		return;
	}
	for (yaml_node_item_t *i = seq->data.sequence.items.start;
	     i < seq->data.sequence.items.top; i++) {
		yaml_node_t *n = yaml_document_get_node(doc, *i);

		if (!is_scalar(n)) {
			gw_deps_fail(s, err, -EINVAL, path, n ? line_of(n) : 0,
				     "pip: expected a string");
			continue;
		}
		gw_deps_requirement_line(s, path, line_of(n),
					 (const char *)n->data.scalar.value,
					 n->data.scalar.length, err);
	}
}

static void read_document(struct gw_dep_set *s, const char *path,
			  yaml_document_t *doc, struct gw_error *err)
{
	yaml_node_t *root = yaml_document_get_root_node(doc);
	yaml_node_t *deps = mapping_get(doc, root, "dependencies");

	if (!root)
		return;
	if (!deps)
		return (void)gw_deps_fail(s, err, -EINVAL, path, line_of(root),
					  "no dependencies list");
	if (deps->type != YAML_SEQUENCE_NODE)
		return (void)gw_deps_fail(s, err, -EINVAL, path, line_of(deps),
					  "dependencies: expected a list");
	for (yaml_node_item_t *i = deps->data.sequence.items.start;
	     i < deps->data.sequence.items.top; i++) {
		yaml_node_t *n = yaml_document_get_node(doc, *i);

		if (is_scalar(n))
			add_conda(s, path, n, err);
		else if (mapping_get(doc, n, "pip"))
			add_pip(s, path, doc, mapping_get(doc, n, "pip"), err);
		else
			gw_deps_fail(s, err, -EINVAL, path, n ? line_of(n) : 0,
				     "dependencies: expected a match spec or "
				     "pip:");
	}
}

/* Load len bytes; on failure the problem's line (1-based) in *line. */
static int load(const char *text, size_t len, yaml_document_t *doc,
		unsigned *line, char *why, size_t cap)
{
	yaml_parser_t p;
	int ok;

	if (!yaml_parser_initialize(&p))
		return -ENOMEM;
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	ok = yaml_parser_load(&p, doc);
	if (!ok) {
		*line = (unsigned)p.problem_mark.line + 1;
		gw_deps_esc(why, cap, p.problem ? p.problem : "unreadable",
			    strlen(p.problem ? p.problem : "unreadable"));
	}
	yaml_parser_delete(&p);
	return ok ? 0 : -EINVAL;
}

/* Where line (1-based) starts in text. */
static size_t line_start(const char *text, size_t len, unsigned line)
{
	size_t pos = 0;

	for (unsigned n = 1; n < line && pos < len; n++) {
		const char *nl = memchr(text + pos, '\n', len - pos);

		pos = nl ? (size_t)(nl - text) + 1 : len;
	}
	return pos;
}

int gw_deps_read_conda(const char *path, const char *text, size_t len,
		       struct gw_dep_set *s, struct gw_error *err)
{
	size_t before = s->nerrors, cut;
	yaml_document_t doc;
	unsigned line = 0, again;
	char why[200];

	if (load(text, len, &doc, &line, why, sizeof(why)) < 0) {
		gw_deps_fail(s, err, -EINVAL, path, line, "not valid YAML: %s",
			     why);
		/* Keep what is above the broken line, as with a lock file. */
		cut = line_start(text, len, line);
		if (cut == 0 ||
		    load(text, cut, &doc, &again, why, sizeof(why)) < 0)
			return gw_deps_result(s, before);
	}
	read_document(s, path, &doc, err);
	yaml_document_delete(&doc);
	return gw_deps_result(s, before);
}
