/*
 * The run: state set-up, the result and its findings, the order they are
 * reported in, their fingerprints, and the accessors the CLI and the
 * registry read.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/limits.h"
#include "vet/vet_priv.h"

void gw_vet_config_init(struct gw_vet_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->max_file_bytes = GW_VET_FILE_MAX_BYTES;
	cfg->blob_min_chars = 256;
	cfg->entropy_min_len = 32;
	cfg->entropy_min_bits = 4.6;
	cfg->hidden_ws_cols = 100;
	cfg->tool_timeout_s = 600;
}

void gw_vet_config_release(struct gw_vet_config *cfg)
{
	for (size_t i = 0; i < cfg->n_exclude; i++)
		free(cfg->exclude[i]);
	free(cfg->exclude);
	free(cfg->path);
	gw_vet_config_init(cfg);
}

char *gw_vet_module_name(struct gw_vet_arena *a, const char *path)
{
	size_t n = strlen(path);
	char *m;

	if (n >= 3 && strcmp(path + n - 3, ".py") == 0)
		n -= 3;
	else if (n >= 4 && (strcmp(path + n - 4, ".pyw") == 0 ||
			    strcmp(path + n - 4, ".pth") == 0))
		n -= 4;
	m = gw_vet_arena_strndup(a, path, n);
	if (!m)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (m[i] == '/')
			m[i] = '.';
	if (n >= 9 && strcmp(m + n - 9, ".__init__") == 0)
		m[n - 9] = '\0';
	else if (strcmp(m, "__init__") == 0)
		m[0] = '\0';
	return m;
}

int gw_vet_state_init(struct gw_vet_state *st, const struct gw_vet_opts *opts)
{
	memset(st, 0, sizeof(*st));
	st->opts = opts;
	if (opts->config)
		st->cfg = *opts->config;
	else
		gw_vet_config_init(&st->cfg);
	st->res = calloc(1, sizeof(*st->res));
	if (!st->res)
		return -ENOMEM;
	st->root_pkg = "";
	for (size_t i = 0; i < opts->n_entry_points; i++) {
		const char *ep = opts->entry_points[i];
		char *q = gw_vet_arena_strndup(&st->arena, ep, strlen(ep));
		char *colon = q ? strchr(q, ':') : NULL;

		if (!colon)
			continue;
		*colon = '.';
		if (gw_vet_map_put(&st->entry_classes, &st->arena, q, strlen(q),
				   st) < 0)
			return -ENOMEM;
	}
	return 0;
}

void gw_vet_state_release(struct gw_vet_state *st)
{
	free(st->fns);
	free(st->classes);
	free(st->targets);
	gw_vet_arena_free(&st->arena);
	gw_vet_result_free(st->res);
	st->res = NULL;
}

static int grow(void **p, size_t *cap, size_t n, size_t size)
{
	size_t ncap;
	void *q;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 64;
	q = realloc(*p, ncap * size);
	if (!q)
		return -ENOMEM;
	*p = q;
	*cap = ncap;
	return 0;
}

int gw_vet_new_fn(struct gw_vet_state *st, uint32_t unit, const char *qual,
		  const char *qname, int cls)
{
	struct gw_vet_fn *f;

	if (grow((void **)&st->fns, &st->cap_fns, st->n_fns, sizeof(*f)) < 0)
		return -1;
	f = &st->fns[st->n_fns];
	memset(f, 0, sizeof(*f));
	f->unit = unit;
	f->qual = qual;
	f->qname = qname;
	f->cls = cls;
	return (int)st->n_fns++;
}

int gw_vet_new_class(struct gw_vet_state *st, uint32_t unit, const char *name,
		     const char *qname, uint32_t line)
{
	struct gw_vet_class *c;

	if (grow((void **)&st->classes, &st->cap_classes, st->n_classes,
		 sizeof(*c)) < 0)
		return -1;
	c = &st->classes[st->n_classes];
	memset(c, 0, sizeof(*c));
	c->unit = unit;
	c->name = name;
	c->qname = qname;
	c->line = line;
	return (int)st->n_classes++;
}

int gw_vet_add_edge(struct gw_vet_state *st, uint32_t caller, uint32_t callee)
{
	struct gw_vet_fn *f = &st->fns[caller];
	uint32_t *p;

	for (uint32_t i = 0; i < f->n_callees; i++)
		if (f->callees[i] == callee)
			return 0;
	if (f->n_callees == f->cap_callees) {
		uint32_t cap = f->cap_callees ? f->cap_callees * 2 : 4;

		p = gw_vet_arena_alloc(&st->arena, cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		if (f->n_callees)
			memcpy(p, f->callees, f->n_callees * sizeof(*p));
		f->callees = p;
		f->cap_callees = cap;
	}
	f->callees[f->n_callees++] = callee;
	return 0;
}

int gw_vet_add_target(struct gw_vet_state *st, uint32_t caller,
		      enum gw_vet_target_kind kind, int cls, const char *name)
{
	struct gw_vet_target *t;

	if (!name)
		return -ENOMEM;
	if (grow((void **)&st->targets, &st->cap_targets, st->n_targets,
		 sizeof(*t)) < 0)
		return -ENOMEM;
	t = &st->targets[st->n_targets++];
	t->caller = caller;
	t->kind = kind;
	t->cls = cls;
	t->name = name;
	return 0;
}

struct gw_vet_file *gw_vet_add_file(struct gw_vet_state *st, const char *path,
				    enum gw_vet_file_kind kind, uint64_t bytes)
{
	struct gw_vet_result *r = st->res;
	struct gw_vet_file *f;

	if (grow((void **)&r->files, &r->cap_files, r->n_files, sizeof(*f)) < 0)
		return NULL;
	f = &r->files[r->n_files];
	memset(f, 0, sizeof(*f));
	f->path = gw_vet_arena_strndup(&r->arena, path, strlen(path));
	if (!f->path)
		return NULL;
	f->kind = kind;
	f->bytes = bytes;
	r->n_files++;
	return f;
}

static struct gw_vet_raw *new_raw(struct gw_vet_state *st)
{
	struct gw_vet_result *r = st->res;
	struct gw_vet_raw *raw;

	if (r->n_raws >= GW_VET_MAX_FINDINGS) {
		st->out_of_findings = true;
		r->partial = true;
		return NULL;
	}
	if (grow((void **)&r->raws, &r->cap_raws, r->n_raws, sizeof(*raw)) < 0)
		return NULL;
	raw = &r->raws[r->n_raws];
	memset(raw, 0, sizeof(*raw));
	raw->seq = (uint32_t)r->n_raws++;
	raw->fn = -1;
	return raw;
}

static void set_place(struct gw_vet_result *r, struct gw_vet_raw *raw,
		      const char *file, const struct gw_vet_span *span,
		      const char *snippet, size_t snippet_len)
{
	if (snippet_len > GW_VET_SNIPPET_MAX_BYTES)
		snippet_len = GW_VET_SNIPPET_MAX_BYTES;
	raw->f.file = gw_vet_arena_strndup(&r->arena, file, strlen(file));
	raw->f.snippet = gw_vet_arena_strndup(&r->arena, snippet ? snippet : "",
					      snippet ? snippet_len : 0);
	if (span) {
		raw->f.line = span->line;
		raw->f.col = span->col;
		raw->f.end_line = span->end_line;
		raw->f.end_col = span->end_col;
	}
}

struct gw_vet_raw *gw_vet_add(struct gw_vet_state *st, enum gw_vet_rule_id rule,
			      const char *file, const struct gw_vet_span *span,
			      const char *snippet, size_t snippet_len,
			      const char *fmt, ...)
{
	struct gw_vet_result *r = st->res;
	const struct gw_vet_rule *ru = &gw_vet_rules[rule];
	struct gw_vet_raw *raw;
	char msg[1024];
	va_list ap;

	if (st->cfg.disabled[rule])
		return NULL;
	raw = new_raw(st);
	if (!raw)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	raw->f.tool = "gymwarden";
	raw->f.rule = ru->id;
	raw->f.rule_index = (int)rule;
	raw->f.title = ru->title;
	raw->f.severity = ru->severity;
	raw->f.context = GW_VET_CTX_FILE;
	raw->f.message = gw_vet_arena_strndup(&r->arena, msg, strlen(msg));
	set_place(r, raw, file, span, snippet, snippet_len);
	if (ru->partial)
		r->partial = true;
	return raw;
}

struct gw_vet_raw *
gw_vet_add_external(struct gw_vet_state *st, const char *tool, const char *rule,
		    const char *title, enum gw_vet_severity sev,
		    const char *file, const struct gw_vet_span *span,
		    const char *message)
{
	struct gw_vet_result *r = st->res;
	struct gw_vet_raw *raw = new_raw(st);

	if (!raw)
		return NULL;
	raw->f.tool = tool;
	raw->f.rule = gw_vet_arena_strndup(&r->arena, rule, strlen(rule));
	raw->f.rule_index = -1;
	raw->f.title = gw_vet_arena_strndup(&r->arena, title, strlen(title));
	raw->f.severity = sev;
	raw->f.context = GW_VET_CTX_FILE;
	raw->f.message =
		gw_vet_arena_strndup(&r->arena, message, strlen(message));
	raw->fixed = true;
	set_place(r, raw, file, span, "", 0);
	return raw;
}

/* ---- sealing: order, fingerprints, counts ---- */

static int by_place(const void *a, const void *b)
{
	const struct gw_vet_raw *x = a, *y = b;
	int c = strcmp(x->f.file, y->f.file);

	if (c)
		return c;
	if (x->f.line != y->f.line)
		return x->f.line < y->f.line ? -1 : 1;
	if (x->f.col != y->f.col)
		return x->f.col < y->f.col ? -1 : 1;
	c = strcmp(x->f.rule, y->f.rule);
	if (c)
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* The snippet without leading and trailing blanks. */
static void trimmed(const char *s, const char **p, size_t *n)
{
	size_t len = strlen(s);

	while (len && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	*p = s;
	*n = len;
}

/*
 * A fingerprint survives edits elsewhere in the file: it hashes the tool,
 * rule, file, trimmed source line and how many identical triples came
 * before, not the line number.
 */
static void fingerprint(struct gw_vet_result *r)
{
	struct gw_vet_arena a = { 0 };
	struct gw_vet_map seen = { 0 };

	for (size_t i = 0; i < r->n_raws; i++) {
		struct gw_vet_finding *f = &r->raws[i].f;
		const char *s;
		size_t n;
		uint64_t h = GW_VET_HASH_INIT;
		uintptr_t dup;

		trimmed(f->snippet, &s, &n);
		h = gw_vet_hash(f->tool, strlen(f->tool) + 1, h);
		h = gw_vet_hash(f->rule, strlen(f->rule) + 1, h);
		h = gw_vet_hash(f->file, strlen(f->file) + 1, h);
		h = gw_vet_hash(s, n, h);
		if (!n)
			h = gw_vet_hash(f->message, strlen(f->message), h);
		/* The k-th finding with the same text keeps its number k. */
		dup = (uintptr_t)gw_vet_map_get(&seen, (const char *)&h,
						sizeof(h));
		gw_vet_map_put(&seen, &a, (const char *)&h, sizeof(h),
			       (void *)(dup + 1));
		h = gw_vet_hash(&dup, sizeof(dup), h);
		snprintf(f->fingerprint, sizeof(f->fingerprint), "%016llx",
			 (unsigned long long)h);
	}
	gw_vet_arena_free(&a);
}

static void count_per_file(struct gw_vet_result *r)
{
	struct gw_vet_arena a = { 0 };
	struct gw_vet_map m = { 0 };

	for (size_t i = 0; i < r->n_files; i++) {
		r->files[i].findings = 0;
		gw_vet_map_put(&m, &a, r->files[i].path,
			       strlen(r->files[i].path), &r->files[i]);
	}
	for (size_t i = 0; i < r->n_raws; i++) {
		struct gw_vet_file *f = gw_vet_map_get(
			&m, r->raws[i].f.file, strlen(r->raws[i].f.file));

		if (f)
			f->findings++;
	}
	gw_vet_arena_free(&a);
}

void gw_vet_result_seal(struct gw_vet_result *r)
{
	size_t kept = 0;

	if (r->sorted)
		return;
	for (size_t i = 0; i < r->n_raws; i++) {
		if (r->raws[i].dropped) {
			r->suppressed++;
			continue;
		}
		r->raws[kept++] = r->raws[i];
	}
	r->n_raws = kept;
	if (r->n_raws)
		qsort(r->raws, r->n_raws, sizeof(r->raws[0]), by_place);
	fingerprint(r);
	memset(r->counts, 0, sizeof(r->counts));
	for (size_t i = 0; i < r->n_raws; i++)
		r->counts[r->raws[i].f.severity]++;
	count_per_file(r);
	r->sorted = true;
}

/* ---- the run ---- */

int gw_vet_run(const struct gw_vet_opts *opts, struct gw_vet_result **out,
	       struct gw_error *err)
{
	struct gw_vet_state st;
	struct gw_vet_result *res;
	int r;

	*out = NULL;
	if ((r = gw_vet_grammar_check(err)) < 0)
		return r;
	if ((r = gw_vet_state_init(&st, opts)) < 0)
		goto fail;
	res = st.res;
	res->root = gw_vet_arena_strndup(&res->arena, opts->root,
					 strlen(opts->root));
	res->envs = gw_vet_arena_alloc(&res->arena,
				       (opts->n_envs + 1) * sizeof(char *));
	if (!res->root || !res->envs) {
		r = -ENOMEM;
		goto fail;
	}
	for (size_t i = 0; i < opts->n_envs; i++)
		res->envs[res->n_envs++] = gw_vet_arena_strndup(
			&res->arena, opts->envs[i], strlen(opts->envs[i]));

	if ((r = gw_vet_walk(&st, opts->root, err)) < 0)
		goto fail;
	if ((r = gw_vet_graph_finish(&st)) < 0)
		goto fail;
	if (opts->tools)
		gw_vet_tools_run(&st, opts->root, false);
	gw_vet_result_seal(st.res);
	*out = st.res;
	st.res = NULL;
	gw_vet_state_release(&st);
	return 0;
fail:
	gw_vet_state_release(&st);
	if (r == -ENOMEM)
		gw_error_set(err, r, "out of memory");
	return r;
}

void gw_vet_result_free(struct gw_vet_result *r)
{
	if (!r)
		return;
	free(r->raws);
	free(r->files);
	free(r->digest);
	gw_vet_arena_free(&r->arena);
	free(r);
}

size_t gw_vet_result_finding_count(const struct gw_vet_result *r)
{
	return r->n_raws;
}

const struct gw_vet_finding *
gw_vet_result_finding_at(const struct gw_vet_result *r, size_t i)
{
	return i < r->n_raws ? &r->raws[i].f : NULL;
}

size_t gw_vet_result_file_count(const struct gw_vet_result *r)
{
	return r->n_files;
}

const struct gw_vet_file *gw_vet_result_file_at(const struct gw_vet_result *r,
						size_t i)
{
	return i < r->n_files ? &r->files[i] : NULL;
}

size_t gw_vet_result_tool_count(const struct gw_vet_result *r)
{
	return r->n_tools;
}

const struct gw_vet_tool_run *
gw_vet_result_tool_at(const struct gw_vet_result *r, size_t i)
{
	return i < r->n_tools ? &r->tools[i] : NULL;
}

const char *gw_vet_result_root(const struct gw_vet_result *r)
{
	return r->root;
}

size_t gw_vet_result_env_count(const struct gw_vet_result *r)
{
	return r->n_envs;
}

const char *gw_vet_result_env_at(const struct gw_vet_result *r, size_t i)
{
	return i < r->n_envs ? r->envs[i] : NULL;
}

bool gw_vet_result_partial(const struct gw_vet_result *r)
{
	return r->partial;
}

size_t gw_vet_result_count(const struct gw_vet_result *r,
			   enum gw_vet_severity s)
{
	return (unsigned)s < GW_VET_SEVERITY_COUNT ? r->counts[s] : 0;
}

size_t gw_vet_result_count_at_least(const struct gw_vet_result *r,
				    enum gw_vet_severity min)
{
	size_t n = 0;

	for (int s = min; s < GW_VET_SEVERITY_COUNT; s++)
		n += r->counts[s];
	return n;
}

int gw_vet_result_set_tree_digest(struct gw_vet_result *r, const char *digest)
{
	char *d = NULL;

	if (digest && !(d = strdup(digest)))
		return -ENOMEM;
	free(r->digest);
	r->digest = d;
	return 0;
}

const char *gw_vet_result_tree_digest(const struct gw_vet_result *r)
{
	return r->digest;
}
