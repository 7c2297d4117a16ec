/*
 * Pass B over one file: walk every node with the scopes pass A built,
 * match calls against the sink table, check literals and identifiers,
 * follow taint inside each function, and record call-graph edges. Also
 * the text checks that need no tree (encoding, bidi) and the driver for
 * one file, gw_vet_analyze_source.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "vet/unit.h"

#define NODE(n) gw_vet_n(u, n)
#define AST	(&u->ast)

/* ---- reporting ---- */

static void span_of(const struct gw_vet_unit *u, uint32_t start, uint32_t end,
		    struct gw_vet_span *sp)
{
	uint32_t lo = 0, hi = u->n_lines;

	/* The line holding start: the last line start at or before it. */
	while (hi - lo > 1) {
		uint32_t mid = (lo + hi) / 2;

		if (u->lines[mid] <= start)
			lo = mid;
		else
			hi = mid;
	}
	sp->line = lo + 1;
	sp->col =
		gw_vet_utf8_cols(u->src + u->lines[lo], start - u->lines[lo]) +
		1;
	while (lo + 1 < u->n_lines && u->lines[lo + 1] <= end &&
	       u->lines[lo + 1] < u->len)
		lo++;
	if (end < u->lines[lo])
		end = u->lines[lo];
	sp->end_line = lo + 1;
	sp->end_col =
		gw_vet_utf8_cols(u->src + u->lines[lo], end - u->lines[lo]) + 1;
}

static const char *line_text(const struct gw_vet_unit *u, unsigned line,
			     size_t *len)
{
	uint32_t a, b;

	if (line == 0 || line > u->n_lines) {
		*len = 0;
		return "";
	}
	a = u->lines[line - 1];
	b = line < u->n_lines ? u->lines[line] : (uint32_t)u->len;
	while (b > a && (u->src[b - 1] == '\n' || u->src[b - 1] == '\r'))
		b--;
	*len = b - a;
	return u->src + a;
}

/*
 * Report rule over bytes [start, end) of the file, once per place. The
 * message is formatted here; returns the raw finding or NULL.
 */
static struct gw_vet_raw *report_at(struct gw_vet_unit *u,
				    enum gw_vet_rule_id rule, uint32_t start,
				    uint32_t end, int fn, const char *fmt,
				    va_list ap)
{
	char key[32], msg[1024];
	struct gw_vet_span sp;
	struct gw_vet_raw *raw;
	const char *line;
	size_t llen;

	snprintf(key, sizeof(key), "%d:%u", (int)rule, start);
	if (gw_vet_map_get(&u->seen, key, strlen(key)))
		return NULL;
	if (gw_vet_map_put(&u->seen, &u->arena, key, strlen(key), u) < 0)
		return NULL;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	span_of(u, start, end, &sp);
	line = line_text(u, sp.line, &llen);
	raw = gw_vet_add(u->st, rule, u->path, &sp, line, llen, "%s", msg);
	if (raw)
		raw->fn = fn;
	return raw;
}

static struct gw_vet_raw *report(struct gw_vet_unit *u,
				 enum gw_vet_rule_id rule, uint32_t n, int fn,
				 const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static struct gw_vet_raw *report(struct gw_vet_unit *u,
				 enum gw_vet_rule_id rule, uint32_t n, int fn,
				 const char *fmt, ...)
{
	struct gw_vet_raw *raw;
	va_list ap;

	va_start(ap, fmt);
	raw = report_at(u, rule, NODE(n)->start, NODE(n)->end, fn, fmt, ap);
	va_end(ap);
	return raw;
}

static struct gw_vet_raw *
report_bytes(struct gw_vet_unit *u, enum gw_vet_rule_id rule, uint32_t start,
	     uint32_t end, int fn, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

static struct gw_vet_raw *report_bytes(struct gw_vet_unit *u,
				       enum gw_vet_rule_id rule, uint32_t start,
				       uint32_t end, int fn, const char *fmt,
				       ...)
{
	struct gw_vet_raw *raw;
	va_list ap;

	va_start(ap, fmt);
	raw = report_at(u, rule, start, end, fn, fmt, ap);
	va_end(ap);
	return raw;
}

static void bump(struct gw_vet_raw *raw, int delta)
{
	if (raw)
		raw->delta = (int8_t)(raw->delta + delta);
}

/* ---- small node helpers ---- */

static bool text_is(const struct gw_vet_unit *u, uint32_t n, const char *s)
{
	size_t len;
	const char *t;

	if (n == GW_VET_NONE)
		return false;
	t = gw_vet_text(u, n, &len);
	return len == strlen(s) && memcmp(t, s, len) == 0;
}

/* The value of keyword argument name in an argument list, or NONE. */
static uint32_t kwarg(const struct gw_vet_unit *u, uint32_t args,
		      const char *name)
{
	for (uint32_t a = gw_vet_first_named(AST, args); a != GW_VET_NONE;
	     a = gw_vet_next_named(AST, a))
		if (NODE(a)->kind == K_KEYWORD_ARGUMENT &&
		    text_is(u, gw_vet_child_field(AST, a, F_NAME), name))
			return gw_vet_child_field(AST, a, F_VALUE);
	return GW_VET_NONE;
}

/* The i-th positional argument, or NONE. */
static uint32_t posarg(const struct gw_vet_unit *u, uint32_t args, unsigned i)
{
	for (uint32_t a = gw_vet_first_named(AST, args); a != GW_VET_NONE;
	     a = gw_vet_next_named(AST, a)) {
		uint16_t k = NODE(a)->kind;

		if (k == K_KEYWORD_ARGUMENT || k == K_DICTIONARY_SPLAT)
			return GW_VET_NONE;
		if (k == K_LIST_SPLAT)
			return GW_VET_NONE;
		if (i-- == 0)
			return a;
	}
	return GW_VET_NONE;
}

/* A literal True, or any expression that is not False, None or 0. */
static bool truthy(const struct gw_vet_unit *u, uint32_t v)
{
	uint16_t k;

	if (v == GW_VET_NONE)
		return false;
	k = NODE(v)->kind;
	if (k == K_FALSE || k == K_NONE)
		return false;
	if (k == K_INTEGER && text_is(u, v, "0"))
		return false;
	return true;
}

static bool ends_with(const char *s, size_t len, const char *tail)
{
	size_t t = strlen(tail);

	return len >= t && memcmp(s + len - t, tail, t) == 0;
}

/* An absolute path (or one under ~) that is not a scratch location. */
static bool outside_workdir(const char *p, size_t len)
{
	static const char *const ok[] = { "/tmp/",	 "/var/tmp/",
					  "/dev/shm/",	 "/dev/null",
					  "/dev/stdout", "/dev/stderr",
					  NULL };

	if (len == 0 || (p[0] != '/' && p[0] != '~'))
		return false;
	if (len == 4 && memcmp(p, "/tmp", 4) == 0)
		return false;
	for (size_t i = 0; ok[i]; i++)
		if (len >= strlen(ok[i]) &&
		    memcmp(p, ok[i], strlen(ok[i])) == 0)
			return false;
	return true;
}

/* Files that run code later: shell start-up, cron, autostart, keys. */
static bool persistence_path(const char *p, size_t len)
{
	static const char *const marks[] = {
		".bashrc",
		".bash_profile",
		".profile",
		".zshrc",
		"authorized_keys",
		"/etc/cron",
		"crontab",
		"/etc/systemd",
		".config/systemd",
		".config/autostart",
		"sitecustomize",
		"usercustomize",
		"/etc/profile",
		"/etc/rc",
		"/etc/ld.so",
		".pth",
		NULL,
	};

	for (size_t i = 0; marks[i]; i++) {
		size_t m = strlen(marks[i]);

		for (size_t k = 0; k + m <= len; k++)
			if (memcmp(p + k, marks[i], m) == 0)
				return true;
	}
	return false;
}

/* ---- taint ---- */

static uint8_t taint_of(struct gw_vet_unit *u, int scope, uint32_t n);

static uint8_t name_taint(struct gw_vet_unit *u, uint32_t n)
{
	size_t len;
	const char *t = gw_vet_text(u, n, &len);
	void *v = NULL;

	if (u->taint)
		v = gw_vet_map_get(u->taint, t, len);
	if (!v)
		v = gw_vet_map_get(&u->module_taint, t, len);
	return (uint8_t)(uintptr_t)v;
}

static bool is_environ(const struct gw_vet_res *r)
{
	return r->kind == RES_QNAME && (strcmp(r->q, "os.environ") == 0 ||
					strcmp(r->q, "os.environb") == 0);
}

/* Labels of reading the variable whose name node is key. */
static uint8_t env_read(struct gw_vet_unit *u, int scope, uint32_t key)
{
	struct gw_vet_str s;

	if (key == GW_VET_NONE || !gw_vet_unit_fold(u, scope, key, &s, 256))
		return GW_VET_T_ENV;
	return gw_vet_is_secret_var(s.ptr, s.len)
		       ? GW_VET_T_ENV | GW_VET_T_SECRET
		       : GW_VET_T_ENV;
}

static bool secret_path_arg(struct gw_vet_unit *u, int scope, uint32_t a)
{
	struct gw_vet_str s;

	return a != GW_VET_NONE && gw_vet_unit_fold(u, scope, a, &s, 4096) &&
	       gw_vet_secret_path(s.ptr, s.len);
}

static uint8_t codec_taint(struct gw_vet_unit *u, int scope, uint32_t codec)
{
	static const char *const codecs[] = { "rot13",	  "rot_13", "base64",
					      "base_64",  "hex",    "zlib",
					      "zip",	  "bz2",    "uu",
					      "punycode", NULL };
	struct gw_vet_str s;

	if (codec == GW_VET_NONE)
		return 0;
	if (!gw_vet_unit_fold(u, scope, codec, &s, 64))
		return GW_VET_T_DECODED;
	for (size_t i = 0; codecs[i]; i++)
		if (strcmp(s.ptr, codecs[i]) == 0)
			return GW_VET_T_DECODED;
	return 0;
}

/* What a call adds to its arguments' labels. */
static uint8_t call_source(struct gw_vet_unit *u, int scope, uint32_t n)
{
	uint32_t func = gw_vet_child_field(AST, n, F_FUNCTION);
	uint32_t args = gw_vet_child_field(AST, n, F_ARGUMENTS);
	const struct gw_vet_sink *sk;
	struct gw_vet_res r;
	uint8_t t = 0;

	gw_vet_resolve(u, scope, func, &r);
	if (r.kind == RES_NONE && NODE(func)->kind == K_ATTRIBUTE) {
		uint32_t at = gw_vet_child_field(AST, func, F_ATTRIBUTE);

		/* data.decode("rot13"), py2's s.decode("base64") */
		if (text_is(u, at, "decode") || text_is(u, at, "encode"))
			return codec_taint(u, scope, posarg(u, args, 0));
		return 0;
	}
	if (r.kind != RES_QNAME)
		return 0;
	if (is_environ(&r))
		return GW_VET_T_ENV | GW_VET_T_SECRET;
	if (r.len > 11 && (ends_with(r.q, r.len, "os.environ.copy") ||
			   ends_with(r.q, r.len, "os.environ.items") ||
			   ends_with(r.q, r.len, "os.environ.values") ||
			   ends_with(r.q, r.len, "os.environ.keys")))
		return GW_VET_T_ENV | GW_VET_T_SECRET;
	sk = gw_vet_sink_find(r.q, r.len);
	if (!sk)
		return 0;
	t = sk->source;
	if (sk->check == CHK_GETENV)
		t |= env_read(u, scope, posarg(u, args, 0));
	else if (sk->check == CHK_CODECS)
		t |= codec_taint(u, scope, posarg(u, args, 1));
	else if (sk->check == CHK_OPEN &&
		 secret_path_arg(u, scope, posarg(u, args, 0)))
		t |= GW_VET_T_SECRET;
	else if (sk->check == CHK_DECODER && strcmp(r.q, "builtins.chr") == 0) {
		struct gw_vet_str s;

		/* chr() of a constant is folded text, not decoded data. */
		if (gw_vet_unit_fold(u, scope, n, &s, 16))
			t = 0;
	}
	return t;
}

static uint8_t children_taint(struct gw_vet_unit *u, int scope, uint32_t n)
{
	uint8_t t = 0;

	for (uint32_t c = gw_vet_first_named(AST, n); c != GW_VET_NONE;
	     c = gw_vet_next_named(AST, c))
		t |= taint_of(u, scope, c);
	return t;
}

static uint8_t taint_compute(struct gw_vet_unit *u, int scope, uint32_t n)
{
	struct gw_vet_res r;
	uint32_t v;

	switch (NODE(n)->kind) {
	case K_IDENTIFIER:
		gw_vet_resolve(u, scope, n, &r);
		if (is_environ(&r))
			return GW_VET_T_ENV | GW_VET_T_SECRET;
		return name_taint(u, n);
	case K_ATTRIBUTE:
		gw_vet_resolve(u, scope, n, &r);
		if (is_environ(&r))
			return GW_VET_T_ENV | GW_VET_T_SECRET;
		if (r.kind == RES_SELF) {
			char key[GW_VET_QNAME_MAX_BYTES];
			int k = snprintf(key, sizeof(key), "self.%s", r.q);

			if (k > 0 && (size_t)k < sizeof(key))
				return (uint8_t)(uintptr_t)gw_vet_map_get(
					&u->module_taint, key, (size_t)k);
		}
		return taint_of(u, scope, gw_vet_child_field(AST, n, F_OBJECT));
	case K_SUBSCRIPT:
		v = gw_vet_child_field(AST, n, F_VALUE);
		gw_vet_resolve(u, scope, v, &r);
		if (is_environ(&r))
			return env_read(
				u, scope,
				gw_vet_child_field(AST, n, F_SUBSCRIPT));
		return children_taint(u, scope, n);
	case K_CALL:
		return call_source(u, scope, n) | children_taint(u, scope, n);
	case K_STRING: return children_taint(u, scope, n);
	case K_LAMBDA:
	case K_INTEGER:
	case K_FLOAT:
	case K_TRUE:
	case K_FALSE:
	case K_NONE:
	case K_COMMENT: return 0;
	case K_KEYWORD_ARGUMENT:
		return taint_of(u, scope, gw_vet_child_field(AST, n, F_VALUE));
	default: return children_taint(u, scope, n);
	}
}

static uint8_t taint_of(struct gw_vet_unit *u, int scope, uint32_t n)
{
	uint8_t t;

	if (n == GW_VET_NONE)
		return 0;
	if (u->tcache[n])
		return (uint8_t)(u->tcache[n] - 1);
	t = taint_compute(u, scope, n);
	u->tcache[n] = (uint8_t)(t + 1);
	return t;
}

static void taint_assign(struct gw_vet_unit *u, int scope, uint32_t target,
			 uint8_t t)
{
	struct gw_vet_map *m = u->taint ? u->taint : &u->module_taint;
	size_t len;
	const char *name;
	uint8_t old;

	if (target == GW_VET_NONE)
		return;
	switch (NODE(target)->kind) {
	case K_IDENTIFIER:
		name = gw_vet_text(u, target, &len);
		old = (uint8_t)(uintptr_t)gw_vet_map_get(m, name, len);
		if (t || old)
			gw_vet_map_put(m, &u->arena, name, len,
				       (void *)(uintptr_t)(old | t));
		return;
	case K_ATTRIBUTE: {
		uint32_t obj = gw_vet_child_field(AST, target, F_OBJECT);
		uint32_t at = gw_vet_child_field(AST, target, F_ATTRIBUTE);
		char key[GW_VET_QNAME_MAX_BYTES];
		const char *a;
		int k;

		/* self.x = secret: kept per file, seen by every method. */
		if (t && text_is(u, obj, "self") && at != GW_VET_NONE) {
			a = gw_vet_text(u, at, &len);
			k = snprintf(key, sizeof(key), "self.%.*s", (int)len,
				     a);
			if (k > 0 && (size_t)k < sizeof(key))
				gw_vet_map_put(&u->module_taint, &u->arena, key,
					       (size_t)k, (void *)(uintptr_t)t);
			return;
		}
		taint_assign(u, scope, obj, t);
		return;
	}
	case K_SUBSCRIPT:
		taint_assign(u, scope, gw_vet_child_field(AST, target, F_VALUE),
			     t);
		return;
	default:
		for (uint32_t c = gw_vet_first_named(AST, target);
		     c != GW_VET_NONE; c = gw_vet_next_named(AST, c))
			taint_assign(u, scope, c, t);
	}
}

/* ---- calls ---- */

static const char *qshort(const struct gw_vet_res *r)
{
	return r->q ? r->q : "?";
}

static void edge_to_res(struct gw_vet_unit *u, int fn, uint32_t func,
			const struct gw_vet_res *r)
{
	struct gw_vet_state *st = u->st;
	const char *dot;

	switch (r->kind) {
	case RES_FUNC:
		gw_vet_add_edge(st, (uint32_t)fn, (uint32_t)r->id);
		return;
	case RES_CLASS:
		gw_vet_add_target(st, (uint32_t)fn, GW_VET_TGT_QNAME, -1, r->q);
		return;
	case RES_SELF:
		gw_vet_add_target(
			st, (uint32_t)fn, GW_VET_TGT_SELF, r->id,
			gw_vet_arena_strndup(&st->arena, r->q, r->len));
		return;
	case RES_QNAME:
		dot = memchr(r->q, '.', r->len);
		if (gw_vet_map_get(&st->modules, r->q,
				   dot ? (size_t)(dot - r->q) : r->len))
			gw_vet_add_target(
				st, (uint32_t)fn, GW_VET_TGT_QNAME, -1,
				gw_vet_arena_strndup(&st->arena, r->q, r->len));
		return;
	default:
		if (func != GW_VET_NONE && NODE(func)->kind == K_ATTRIBUTE) {
			uint32_t at =
				gw_vet_child_field(AST, func, F_ATTRIBUTE);
			size_t len;
			const char *a;

			if (at == GW_VET_NONE)
				return;
			a = gw_vet_text(u, at, &len);
			gw_vet_add_target(
				st, (uint32_t)fn, GW_VET_TGT_METHOD, -1,
				gw_vet_arena_strndup(&st->arena, a, len));
		}
		return;
	}
}

/* Functions handed to another call (callbacks, threads) count as called. */
static void reference_edges(struct gw_vet_unit *u, int scope, int fn,
			    uint32_t args)
{
	for (uint32_t a = gw_vet_first_named(AST, args); a != GW_VET_NONE;
	     a = gw_vet_next_named(AST, a)) {
		uint32_t v = a;
		struct gw_vet_res r;

		if (NODE(a)->kind == K_KEYWORD_ARGUMENT)
			v = gw_vet_child_field(AST, a, F_VALUE);
		if (v == GW_VET_NONE || (NODE(v)->kind != K_IDENTIFIER &&
					 NODE(v)->kind != K_ATTRIBUTE))
			continue;
		gw_vet_resolve(u, scope, v, &r);
		if (r.kind == RES_FUNC || r.kind == RES_SELF)
			edge_to_res(u, fn, GW_VET_NONE, &r);
	}
}

static bool safe_loader(struct gw_vet_unit *u, int scope, uint32_t v)
{
	struct gw_vet_res r;

	if (v == GW_VET_NONE)
		return false;
	gw_vet_resolve(u, scope, v, &r);
	return r.kind == RES_QNAME && (ends_with(r.q, r.len, ".SafeLoader") ||
				       ends_with(r.q, r.len, ".CSafeLoader") ||
				       ends_with(r.q, r.len, ".BaseLoader"));
}

static void check_open(struct gw_vet_unit *u, int scope, int fn, uint32_t n,
		       uint32_t args)
{
	uint32_t path = posarg(u, args, 0), mode = posarg(u, args, 1);
	struct gw_vet_str p, m;
	struct gw_vet_raw *raw;
	char *copy;

	if (mode == GW_VET_NONE)
		mode = kwarg(u, args, "mode");
	if (path == GW_VET_NONE)
		path = kwarg(u, args, "file");
	if (mode == GW_VET_NONE || !gw_vet_unit_fold(u, scope, mode, &m, 16) ||
	    !strpbrk(m.ptr, "wax+"))
		return;
	if (!gw_vet_unit_fold(u, scope, path, &p, 4096) ||
	    !outside_workdir(p.ptr, p.len))
		return;
	copy = gw_vet_arena_strndup(&u->arena, p.ptr, p.len);
	raw = report(u, GW_VET_R_FS_WRITE, n, fn,
		     "opens %s for writing (mode \"%s\"), outside the working "
		     "folder",
		     copy ? copy : "a path", m.ptr);
	if (copy && persistence_path(copy, p.len))
		bump(raw, 1);
}

static void check_paths(struct gw_vet_unit *u, int scope, int fn, uint32_t n,
			uint32_t args, const struct gw_vet_res *r,
			enum gw_vet_rule_id rule)
{
	struct gw_vet_str p;

	for (unsigned i = 0; i < 2; i++) {
		uint32_t a = posarg(u, args, i);
		struct gw_vet_raw *raw;

		if (a == GW_VET_NONE ||
		    !gw_vet_unit_fold(u, scope, a, &p, 4096) ||
		    !outside_workdir(p.ptr, p.len))
			continue;
		raw = report(u, rule, n, fn,
			     "%s changes %.*s, outside the working folder",
			     qshort(r), (int)(p.len > 200 ? 200 : p.len),
			     p.ptr);
		if (persistence_path(p.ptr, p.len))
			bump(raw, 1);
		return;
	}
}

static void check_receiver_path(struct gw_vet_unit *u, int scope, int fn,
				uint32_t n, uint32_t func,
				const struct gw_vet_sink *sk,
				const struct gw_vet_res *r)
{
	uint32_t obj = gw_vet_child_field(AST, func, F_OBJECT);
	struct gw_vet_str p;
	struct gw_vet_raw *raw;

	if (sk->rule < 0 || obj == GW_VET_NONE ||
	    !gw_vet_unit_fold(u, scope, obj, &p, 4096) ||
	    !outside_workdir(p.ptr, p.len))
		return;
	raw = report(u, (enum gw_vet_rule_id)sk->rule, n, fn,
		     "%s on %.*s, outside the working folder", qshort(r),
		     (int)(p.len > 200 ? 200 : p.len), p.ptr);
	if (persistence_path(p.ptr, p.len))
		bump(raw, 1);
}

static void check_code(struct gw_vet_unit *u, int scope, int fn, uint32_t n,
		       uint32_t args, const struct gw_vet_res *r)
{
	uint32_t a0 = posarg(u, args, 0);
	struct gw_vet_str s;
	struct gw_vet_raw *raw;

	if (a0 == GW_VET_NONE)
		a0 = kwarg(u, args, "source");
	if (a0 != GW_VET_NONE &&
	    gw_vet_unit_fold(u, scope, a0, &s, GW_VET_FILE_MAX_BYTES)) {
		if (s.decoded || s.escaped) {
			report(u, GW_VET_R_OBF_DECODE_EXEC, n, fn,
			       "%s runs code that is decoded or spelled with "
			       "escapes in the file",
			       qshort(r));
			report(u, GW_VET_R_EXEC_CODE, n, fn,
			       "%s runs text as Python code", qshort(r));
			return;
		}
		raw = report(u, GW_VET_R_EXEC_CODE, n, fn,
			     "%s runs a constant string as Python code",
			     qshort(r));
		bump(raw, -1);
		return;
	}
	report(u, GW_VET_R_EXEC_CODE, n, fn, "%s runs text as Python code",
	       qshort(r));
}

static void check_import(struct gw_vet_unit *u, int scope, int fn, uint32_t n,
			 uint32_t args, const struct gw_vet_res *r)
{
	uint32_t a0 = posarg(u, args, 0);
	struct gw_vet_str s;

	if (a0 == GW_VET_NONE)
		a0 = kwarg(u, args, "name");
	if (a0 == GW_VET_NONE || !gw_vet_unit_fold(u, scope, a0, &s, 512)) {
		report(u, GW_VET_R_EXEC_IMPORT, n, fn,
		       "%s imports a module whose name is computed at run time",
		       qshort(r));
		return;
	}
	if (s.decoded || s.escaped)
		bump(report(u, GW_VET_R_OBF_INDIRECT, n, fn,
			    "%s imports \"%s\" by a decoded or escaped name",
			    qshort(r), s.ptr),
		     1);
}

/* What a call matched by the plain sink table does, for its message. */
static const char *const rule_verbs[GW_VET_RULE_COUNT] = {
	[GW_VET_R_PROC_SHELL] = "hands a command line to the shell",
	[GW_VET_R_PROC_SPAWN] = "starts a program",
	[GW_VET_R_PROC_REPLACE] = "starts a program below subprocess",
	[GW_VET_R_EXEC_CODE] = "runs text as Python code",
	[GW_VET_R_EXEC_IMPORT] = "loads code from a path",
	[GW_VET_R_EXEC_RUN] = "runs a whole script or module",
	[GW_VET_R_DESER_PICKLE] = "unpickles data",
	[GW_VET_R_DESER_MARSHAL] = "loads marshal data",
	[GW_VET_R_DESER_YAML] = "loads YAML with an unsafe loader",
	[GW_VET_R_DESER_TORCH] = "unpickles (no weights_only=True)",
	[GW_VET_R_DESER_NUMPY] = "unpickles (allow_pickle=True)",
	[GW_VET_R_NET_SOCKET] = "opens a network socket",
	[GW_VET_R_NET_HTTP] = "makes an HTTP request",
	[GW_VET_R_NET_PROTO] = "talks to another machine",
	[GW_VET_R_NET_DNS] = "resolves a host name",
	[GW_VET_R_SECRET_STORE] = "reads stored credentials",
	[GW_VET_R_SECRET_HOST] = "reads who or where this runs",
	[GW_VET_R_FS_RMTREE] = "deletes a folder tree",
	[GW_VET_R_NATIVE_LOAD] = "loads a shared library",
	[GW_VET_R_NATIVE_MEMORY] = "touches raw memory or the C API",
};

/* The argument checks a sink entry asks for. */
static void apply_check(struct gw_vet_unit *u, int scope, int fn, uint32_t n,
			uint32_t func, uint32_t args,
			const struct gw_vet_sink *sk,
			const struct gw_vet_res *r)
{
	uint32_t v;
	struct gw_vet_str s;

	switch (sk->check) {
	case CHK_SUBPROCESS:
		if (truthy(u, kwarg(u, args, "shell")))
			report(u, GW_VET_R_PROC_SHELL, n, fn,
			       "%s with shell=True hands a command line to the "
			       "shell",
			       qshort(r));
		else
			report(u, GW_VET_R_PROC_SPAWN, n, fn,
			       "%s starts a program", qshort(r));
		return;
	case CHK_CODE: check_code(u, scope, fn, n, args, r); return;
	case CHK_IMPORT: check_import(u, scope, fn, n, args, r); return;
	case CHK_YAML:
		v = kwarg(u, args, "Loader");
		if (v == GW_VET_NONE)
			v = posarg(u, args, 1);
		if (!safe_loader(u, scope, v))
			report(u, GW_VET_R_DESER_YAML, n, fn,
			       "%s without a safe Loader can build any object",
			       qshort(r));
		return;
	case CHK_TORCH:
		if (!truthy(u, kwarg(u, args, "weights_only")))
			report(u, GW_VET_R_DESER_TORCH, n, fn,
			       "%s without weights_only=True unpickles the "
			       "file",
			       qshort(r));
		return;
	case CHK_NUMPY:
		if (truthy(u, kwarg(u, args, "allow_pickle")))
			report(u, GW_VET_R_DESER_NUMPY, n, fn,
			       "%s with allow_pickle=True unpickles object "
			       "arrays",
			       qshort(r));
		return;
	case CHK_OPEN: check_open(u, scope, fn, n, args); return;
	case CHK_PATH_WRITE:
		check_receiver_path(u, scope, fn, n, func, sk, r);
		return;
	case CHK_ABS_PATH:
		check_paths(u, scope, fn, n, args, r,
			    (enum gw_vet_rule_id)sk->rule);
		return;
	case CHK_RMTREE: {
		uint32_t a = posarg(u, args, 0);
		struct gw_vet_raw *raw =
			report(u, GW_VET_R_FS_RMTREE, n, fn,
			       "%s deletes a folder tree", qshort(r));

		if (a != GW_VET_NONE &&
		    gw_vet_unit_fold(u, scope, a, &s, 4096) &&
		    outside_workdir(s.ptr, s.len))
			bump(raw, 1);
		return;
	}
	case CHK_GETENV:
		v = posarg(u, args, 0);
		if (v != GW_VET_NONE &&
		    gw_vet_unit_fold(u, scope, v, &s, 256) &&
		    gw_vet_is_secret_var(s.ptr, s.len))
			report(u, GW_VET_R_SECRET_VAR, n, fn,
			       "reads the environment variable %s", s.ptr);
		return;
	case CHK_SETUP:
		if (kwarg(u, args, "cmdclass") != GW_VET_NONE)
			report(u, GW_VET_R_INSTALL_CMDCLASS, n, fn,
			       "setup() replaces commands through cmdclass");
		return;
	case CHK_CODECS:
	case CHK_DECODER: return;
	default:
		if (sk->rule >= 0)
			report(u, (enum gw_vet_rule_id)sk->rule, n, fn, "%s %s",
			       qshort(r),
			       rule_verbs[sk->rule]
				       ? rule_verbs[sk->rule]
				       : gw_vet_rules[sk->rule].title);
		return;
	}
}

/* The positions of a network call that only say where to connect. */
static bool endpoint_arg(const struct gw_vet_unit *u, uint32_t a, unsigned pos)
{
	static const char *const names[] = { "url",	 "host",     "port",
					     "address",	 "hostname", "timeout",
					     "base_url", "verify",   "proxies",
					     "method",	 NULL };
	uint32_t name;

	if (NODE(a)->kind != K_KEYWORD_ARGUMENT)
		return pos == 0;
	name = gw_vet_child_field(AST, a, F_NAME);
	for (size_t i = 0; names[i]; i++)
		if (text_is(u, name, names[i]))
			return true;
	return false;
}

static void label_names(uint8_t t, char *buf, size_t cap)
{
	const char *parts[3];
	int n = 0;

	if (t & GW_VET_T_SECRET)
		parts[n++] = "secrets";
	if (t & GW_VET_T_ENV)
		parts[n++] = "environment variables";
	if (t & GW_VET_T_HOST)
		parts[n++] = "host identity";
	snprintf(buf, cap, "%s%s%s%s%s", n > 0 ? parts[0] : "data",
		 n > 1 ? " and " : "", n > 1 ? parts[1] : "",
		 n > 2 ? " and " : "", n > 2 ? parts[2] : "");
}

static void check_flows(struct gw_vet_unit *u, int scope, int fn, uint32_t n,
			uint32_t args, const struct gw_vet_sink *sk,
			const struct gw_vet_res *r)
{
	unsigned pos = 0;

	for (uint32_t a = gw_vet_first_named(AST, args); a != GW_VET_NONE;
	     a = gw_vet_next_named(AST, a)) {
		uint8_t t = taint_of(u, scope, a), bad;
		bool kw = NODE(a)->kind == K_KEYWORD_ARGUMENT;
		char what[96];

		if ((sk->sink & (GW_VET_SINK_CODE | GW_VET_SINK_PROC)) &&
		    (t & GW_VET_T_DECODED))
			report(u, GW_VET_R_OBF_DECODE_EXEC, n, fn,
			       "decoded data reaches %s", qshort(r));
		if ((sk->sink & (GW_VET_SINK_CODE | GW_VET_SINK_PROC |
				 GW_VET_SINK_DESER)) &&
		    (t & GW_VET_T_NET))
			report(u, GW_VET_R_FLOW_NET_EXEC, n, fn,
			       "data received from the network reaches %s",
			       qshort(r));
		if (sk->sink & GW_VET_SINK_NET) {
			bad = t & (GW_VET_T_SECRET | GW_VET_T_HOST);
			if (!(sk->sink & GW_VET_SINK_ENDPOINT) &&
			    !endpoint_arg(u, a, pos))
				bad |= t & GW_VET_T_ENV;
			if (bad) {
				label_names(bad, what, sizeof(what));
				report(u, GW_VET_R_FLOW_EXFIL, n, fn,
				       "%s reach %s", what, qshort(r));
			}
		}
		if (!kw)
			pos++;
	}
}

static bool dangerous_target(const struct gw_vet_sink *sk)
{
	switch (sk->rule) {
	case GW_VET_R_PROC_SHELL:
	case GW_VET_R_PROC_SPAWN:
	case GW_VET_R_PROC_REPLACE:
	case GW_VET_R_EXEC_CODE:
	case GW_VET_R_EXEC_RUN:
	case GW_VET_R_DESER_PICKLE:
	case GW_VET_R_DESER_MARSHAL:
	case GW_VET_R_NET_SOCKET:
	case GW_VET_R_NET_HTTP:
	case GW_VET_R_NATIVE_LOAD: return true;
	default: return (sk->sink & (GW_VET_SINK_CODE | GW_VET_SINK_PROC)) != 0;
	}
}

/* setup.py: what its top level may call without a finding. */
static bool install_allowed(const struct gw_vet_res *r)
{
	static const char *const ok[] = {
		"setuptools", "distutils", "os",	 "pathlib",
		"io",	      "codecs",	   "re",	 "sys",
		"glob",	      "json",	   "platform",	 "textwrap",
		"ast",	      "warnings",  "versioneer", "pkg_resources",
		"numpy",      "pybind11",  "Cython",	 "setuptools_scm",
		"sysconfig",  "importlib", "builtins",	 NULL,
	};
	const char *dot = memchr(r->q, '.', r->len);
	size_t top = dot ? (size_t)(dot - r->q) : r->len;

	for (size_t i = 0; ok[i]; i++)
		if (strlen(ok[i]) == top && memcmp(ok[i], r->q, top) == 0)
			return true;
	return false;
}

static void check_call(struct gw_vet_unit *u, int scope, int fn, uint32_t n)
{
	uint32_t func = gw_vet_child_field(AST, n, F_FUNCTION);
	uint32_t args = gw_vet_child_field(AST, n, F_ARGUMENTS);
	const struct gw_vet_sink *sk = NULL;
	struct gw_vet_res r;

	if (func == GW_VET_NONE)
		return;
	gw_vet_resolve(u, scope, func, &r);
	edge_to_res(u, fn, func, &r);
	if (args != GW_VET_NONE)
		reference_edges(u, scope, fn, args);
	if (r.kind == RES_QNAME)
		sk = gw_vet_sink_find(r.q, r.len);
	if (u->is_setup && fn == u->module_fn &&
	    (r.kind == RES_FUNC ||
	     (r.kind == RES_QNAME && !sk && !install_allowed(&r))))
		report(u, GW_VET_R_INSTALL_CODE, n, fn,
		       "setup.py calls %s while it installs", qshort(&r));
	if (!sk || args == GW_VET_NONE)
		return;
	apply_check(u, scope, fn, n, func, args, sk, &r);
	if (sk->sink)
		check_flows(u, scope, fn, n, args, sk, &r);
	if (r.indirect && dangerous_target(sk))
		bump(report(u, GW_VET_R_OBF_INDIRECT, func, fn,
			    "%s is reached through a name looked up at run "
			    "time",
			    qshort(&r)),
		     r.computed ? 1 : 0);
}

/* ---- literals ---- */

static bool has_dangerous_token(const char *s, size_t len)
{
	for (size_t i = 0; i < len;) {
		size_t j = i;

		while (j < len &&
		       (s[j] == '_' || (s[j] >= 'a' && s[j] <= 'z') ||
			(s[j] >= 'A' && s[j] <= 'Z') ||
			(s[j] >= '0' && s[j] <= '9')))
			j++;
		if (j > i && gw_vet_is_dangerous_name(s + i, j - i))
			return true;
		i = j + 1;
	}
	return false;
}

static void check_value(struct gw_vet_unit *u, int fn, uint32_t n,
			const char *v, size_t len, bool computed)
{
	static const enum gw_vet_rule_id url_rule[] = {
		[GW_VET_URL_RAW_IP] = GW_VET_R_URL_IP,
		[GW_VET_URL_PRIVATE_IP] = GW_VET_R_URL_IP,
		[GW_VET_URL_TUNNEL] = GW_VET_R_URL_TUNNEL,
		[GW_VET_URL_PASTE] = GW_VET_R_URL_PASTE,
		[GW_VET_URL_WEBHOOK] = GW_VET_R_URL_WEBHOOK,
	};
	struct gw_vet_url_hit hit;
	const char *label;

	if (gw_vet_url_scan(v, len, &hit) != GW_VET_URL_NONE) {
		struct gw_vet_raw *raw = report(
			u, url_rule[hit.cls], n, fn, "%s%s: %.*s",
			hit.service ? hit.service : "address",
			computed ? " (assembled from pieces)" : "",
			(int)(hit.len > 200 ? 200 : hit.len), v + hit.off);

		if (hit.cls == GW_VET_URL_PRIVATE_IP)
			bump(raw, -1);
	}
	label = gw_vet_secret_path(v, len);
	if (label)
		report(u, GW_VET_R_SECRET_STORE, n, fn, "names %s: %.*s", label,
		       (int)(len > 200 ? 200 : len), v);
}

/* The literal's text without decoding, for shape checks. */
static size_t raw_content(struct gw_vet_unit *u, uint32_t n, const char **p)
{
	size_t total = 0, len;

	*p = NULL;
	for (uint32_t c = NODE(n)->first; c != GW_VET_NONE; c = NODE(c)->next) {
		if (NODE(c)->kind != K_STRING_CONTENT)
			continue;
		if (!*p)
			*p = gw_vet_text(u, c, &len);
		total = NODE(c)->end - (uint32_t)(*p - u->src);
	}
	return total;
}

static void check_string(struct gw_vet_unit *u, int scope, int fn, uint32_t n)
{
	const struct gw_vet_config *cfg = &u->st->cfg;
	struct gw_vet_str s;
	const char *raw;
	size_t rlen = NODE(n)->kind == K_STRING ? raw_content(u, n, &raw) : 0;
	enum gw_vet_blob blob;

	if (!gw_vet_unit_fold(u, scope, n, &s, cfg->max_file_bytes)) {
		if (!rlen)
			return;
		s.ptr = (char *)raw;
		s.len = rlen;
		s.escaped = s.computed = s.decoded = false;
	}
	check_value(u, fn, n, s.ptr, s.len, false);
	if (s.escaped && has_dangerous_token(s.ptr, s.len))
		report(u, GW_VET_R_OBF_INDIRECT, n, fn,
		       "a dangerous name is spelled with escapes: \"%.*s\"",
		       (int)(s.len > 80 ? 80 : s.len), s.ptr);
	blob = gw_vet_blob_kind(s.ptr, s.len, cfg->blob_min_chars);
	if (blob == GW_VET_BLOB_NONE && rlen)
		blob = gw_vet_blob_kind(raw, rlen, cfg->blob_min_chars);
	if (blob != GW_VET_BLOB_NONE) {
		report(u, GW_VET_R_OBF_BLOB, n, fn,
		       "a %s literal of %zu characters",
		       blob == GW_VET_BLOB_HEX ? "hex" : "base64",
		       blob == GW_VET_BLOB_HEX && rlen > s.len ? rlen : s.len);
		return;
	}
	if (!s.bytes && gw_vet_looks_random(s.ptr, s.len, cfg->entropy_min_len,
					    cfg->entropy_min_bits))
		report(u, GW_VET_R_OBF_ENTROPY, n, fn,
		       "a %zu-character string that looks random (%.1f bits "
		       "per character)",
		       s.len, gw_vet_entropy(s.ptr, s.len));
}

/* Expressions that build text: check what they build. */
static bool builds_text(struct gw_vet_unit *u, uint32_t n)
{
	uint32_t f, at;

	switch (NODE(n)->kind) {
	case K_BINARY_OPERATOR:
		f = gw_vet_child_field(AST, n, F_OPERATOR);
		return text_is(u, f, "+") || text_is(u, f, "%");
	case K_CALL:
		f = gw_vet_child_field(AST, n, F_FUNCTION);
		if (f == GW_VET_NONE)
			return false;
		if (NODE(f)->kind == K_IDENTIFIER)
			return text_is(u, f, "chr") || text_is(u, f, "bytes");
		at = gw_vet_child_field(AST, f, F_ATTRIBUTE);
		return text_is(u, at, "join") || text_is(u, at, "format") ||
		       text_is(u, at, "replace") || text_is(u, at, "decode") ||
		       text_is(u, at, "fromhex") || text_is(u, at, "b64decode");
	case K_SUBSCRIPT:
		f = gw_vet_child_field(AST, n, F_SUBSCRIPT);
		return f != GW_VET_NONE && NODE(f)->kind == K_SLICE;
	default: return false;
	}
}

/* A name or dotted name, as getattr and __import__ take: "os.system". */
static bool name_like(const char *s, size_t len)
{
	if (len == 0 || len > 64)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!(s[i] == '_' || s[i] == '.' ||
		      (s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9')))
			return false;
	return true;
}

static void check_built_text(struct gw_vet_unit *u, int scope, int fn,
			     uint32_t n)
{
	uint32_t p = NODE(n)->parent;
	struct gw_vet_str s;

	if (p != GW_VET_NONE && builds_text(u, p))
		return;
	if (!gw_vet_unit_fold(u, scope, n, &s, 4096) || !s.computed)
		return;
	check_value(u, fn, n, s.ptr, s.len, true);
	if ((s.decoded || s.escaped || s.computed) && name_like(s.ptr, s.len) &&
	    has_dangerous_token(s.ptr, s.len))
		bump(report(u, GW_VET_R_OBF_INDIRECT, n, fn,
			    "a dangerous name is assembled at run time: "
			    "\"%.*s\"",
			    (int)s.len, s.ptr),
		     s.decoded || s.escaped ? 1 : 0);
}

/* ---- names, imports, comments ---- */

static void check_identifier(struct gw_vet_unit *u, int fn, uint32_t n)
{
	char fold[128];
	bool folded;
	size_t len;
	const char *t = gw_vet_text(u, n, &len);
	enum gw_vet_ident_issue issue;
	bool ascii = true;

	for (size_t i = 0; i < len && ascii; i++)
		ascii = (unsigned char)t[i] < 0x80;
	if (ascii)
		return;
	issue = gw_vet_ident_check(t, len, fold, sizeof(fold), &folded);
	if (issue == GW_VET_IDENT_COMPAT)
		bump(report(u, GW_VET_R_OBF_HOMOGLYPH, n, fn,
			    "identifier \"%.*s\" is read by Python as \"%s\"",
			    (int)len, t, fold),
		     gw_vet_is_dangerous_name(fold, strlen(fold)) ||
				     gw_vet_is_builtin(fold, strlen(fold))
			     ? 1
			     : 0);
	else if (issue == GW_VET_IDENT_MIXED)
		report(u, GW_VET_R_OBF_HOMOGLYPH, n, fn,
		       "identifier \"%.*s\" mixes Latin letters with "
		       "look-alikes "
		       "from another script",
		       (int)len, t);
}

/* Handing the environment to a child process (env=...) is fine. */
static bool passed_as_env(const struct gw_vet_unit *u, uint32_t n)
{
	for (int up = 0; up < 4 && n != GW_VET_NONE; up++, n = NODE(n)->parent)
		if (NODE(n)->kind == K_KEYWORD_ARGUMENT)
			return text_is(u, gw_vet_child_field(AST, n, F_NAME),
				       "env");
	return false;
}

/* os.environ["NAME"] of a secret-looking name, when read. */
static void check_environ_key(struct gw_vet_unit *u, int scope, int fn,
			      uint32_t sub)
{
	uint32_t key = gw_vet_child_field(AST, sub, F_SUBSCRIPT);
	uint32_t p = NODE(sub)->parent;
	struct gw_vet_str s;

	if (p != GW_VET_NONE && NODE(p)->kind == K_ASSIGNMENT &&
	    NODE(sub)->field == F_LEFT)
		return;
	if (key != GW_VET_NONE && gw_vet_unit_fold(u, scope, key, &s, 256) &&
	    gw_vet_is_secret_var(s.ptr, s.len))
		report(u, GW_VET_R_SECRET_VAR, sub, fn,
		       "reads the environment variable %s", s.ptr);
}

/* os.environ used whole: copied, listed, iterated, splatted, passed. */
static void check_environ(struct gw_vet_unit *u, int scope, int fn, uint32_t n)
{
	uint32_t p = NODE(n)->parent, at;
	struct gw_vet_res r;
	const char *how = NULL;

	gw_vet_resolve(u, scope, n, &r);
	if (!is_environ(&r) || p == GW_VET_NONE)
		return;
	switch (NODE(p)->kind) {
	case K_ATTRIBUTE:
		at = gw_vet_child_field(AST, p, F_ATTRIBUTE);
		if (text_is(u, at, "copy"))
			how = "copied";
		else if (text_is(u, at, "items") || text_is(u, at, "keys") ||
			 text_is(u, at, "values"))
			how = "listed";
		break;
	case K_ARGUMENT_LIST: how = "passed whole to a call"; break;
	case K_SUBSCRIPT: check_environ_key(u, scope, fn, p); return;
	case K_FOR_STATEMENT:
	case K_FOR_IN_CLAUSE:
		if (NODE(n)->field == F_RIGHT)
			how = "iterated";
		break;
	case K_DICTIONARY_SPLAT:
	case K_LIST_SPLAT: how = "unpacked"; break;
	default: break;
	}
	if (how && passed_as_env(u, p))
		how = NULL;
	if (how)
		report(u, GW_VET_R_SECRET_ENVIRON, n, fn,
		       "the whole process environment is %s", how);
}

static void check_import_ffi(struct gw_vet_unit *u, int fn, uint32_t n)
{
	size_t len;
	const char *t = gw_vet_text(u, n, &len);
	static const char *const mods[] = { "ctypes", "cffi", "_ctypes", NULL };

	for (size_t i = 0; mods[i]; i++) {
		size_t m = strlen(mods[i]);

		for (size_t k = 0; k + m <= len; k++) {
			bool left = k == 0 || t[k - 1] == ' ' ||
				    t[k - 1] == ',' || t[k - 1] == '\t' ||
				    t[k - 1] == '(';
			bool right = k + m == len || t[k + m] == ' ' ||
				     t[k + m] == '.' || t[k + m] == ',' ||
				     t[k + m] == '\n' || t[k + m] == '\r' ||
				     t[k + m] == ')';

			if (left && right && memcmp(t + k, mods[i], m) == 0) {
				report(u, GW_VET_R_NATIVE_FFI, n, fn,
				       "imports %s", mods[i]);
				return;
			}
		}
	}
}

static void check_comment(struct gw_vet_unit *u, int fn, uint32_t n)
{
	size_t len;
	const char *t = gw_vet_text(u, n, &len);
	char key[16];
	const char *which = NULL;

	for (size_t i = 0; i + 5 <= len && !which; i++) {
		if (memcmp(t + i, "nosec", 5) == 0)
			which = "nosec";
		else if (i + 17 <= len &&
			 memcmp(t + i, "gymwarden: ignore", 17) == 0)
			which = "gymwarden: ignore";
		else if (memcmp(t + i, "noqa", 4) == 0)
			which = "noqa";
	}
	if (!which)
		return;
	snprintf(key, sizeof(key), "%u", NODE(n)->row);
	gw_vet_map_put(&u->suppress, &u->arena, key, strlen(key),
		       (void *)(uintptr_t)(n + 1));
	if (strcmp(which, "noqa") != 0)
		report(u, GW_VET_R_SUPP_COMMENT, n, fn,
		       "an in-tree \"%s\" comment asks tools to skip this "
		       "line; "
		       "it is not obeyed",
		       which);
}

static void check_class(struct gw_vet_unit *u, int fn, uint32_t n, int scope)
{
	const struct gw_vet_class *c = &u->st->classes[u->scopes[scope].cls];

	for (size_t i = 0; i < c->n_bases; i++)
		if (strncmp(c->bases[i], "setuptools.command.", 19) == 0 ||
		    strncmp(c->bases[i], "distutils.command.", 18) == 0 ||
		    strcmp(c->bases[i], "setuptools.Command") == 0) {
			report(u, GW_VET_R_INSTALL_CMDCLASS,
			       gw_vet_child_field(AST, n, F_NAME), fn,
			       "class %s overrides the packaging command %s",
			       c->name, c->bases[i]);
			return;
		}
}

/* ---- the walk ---- */

static void check_node(struct gw_vet_unit *u, int scope, int fn, uint32_t n);

static void check_children(struct gw_vet_unit *u, int scope, int fn, uint32_t n)
{
	bool block = NODE(n)->kind == K_BLOCK || NODE(n)->kind == K_MODULE;

	for (uint32_t c = NODE(n)->first; c != GW_VET_NONE; c = NODE(c)->next) {
		if (block)
			gw_vet_arena_reset(&u->scratch);
		if (NODE(c)->flags & GW_VET_NODE_NAMED)
			check_node(u, scope, fn, c);
	}
}

static void check_function(struct gw_vet_unit *u, int scope, int fn, uint32_t n)
{
	uint32_t params = gw_vet_child_field(AST, n, F_PARAMETERS);
	int inner = (int)NODE(n)->aux - 1;
	struct gw_vet_map *saved = u->taint;
	struct gw_vet_map local = { 0 };
	uint32_t x;

	x = gw_vet_child_field(AST, n, F_NAME);
	if (x != GW_VET_NONE)
		check_identifier(u, fn, x);
	/* Defaults and annotations run when the def runs. */
	for (uint32_t p = gw_vet_first_named(AST, params); p != GW_VET_NONE;
	     p = gw_vet_next_named(AST, p))
		if (NODE(p)->kind != K_IDENTIFIER)
			check_children(u, scope, fn, p);
		else
			check_identifier(u, fn, p);
	if (inner < 0)
		return;
	u->taint = &local;
	check_node(u, inner, u->scopes[inner].fn,
		   gw_vet_child_field(AST, n, F_BODY));
	u->taint = saved;
}

static void check_decorated(struct gw_vet_unit *u, int scope, int fn,
			    uint32_t n)
{
	for (uint32_t c = gw_vet_first_named(AST, n); c != GW_VET_NONE;
	     c = gw_vet_next_named(AST, c)) {
		uint32_t e;
		struct gw_vet_res r;

		if (NODE(c)->kind != K_DECORATOR) {
			check_node(u, scope, fn, c);
			continue;
		}
		/* A bare @name calls name when the def runs. */
		e = gw_vet_first_named(AST, c);
		if (e != GW_VET_NONE && NODE(e)->kind != K_CALL) {
			gw_vet_resolve(u, scope, e, &r);
			edge_to_res(u, fn, e, &r);
		}
		check_children(u, scope, fn, c);
	}
}

static void check_assignment(struct gw_vet_unit *u, int scope, int fn,
			     uint32_t n)
{
	uint32_t left = gw_vet_child_field(AST, n, F_LEFT);
	uint32_t right = gw_vet_child_field(AST, n, F_RIGHT);

	check_children(u, scope, fn, n);
	if (right != GW_VET_NONE)
		taint_assign(u, scope, left, taint_of(u, scope, right));
}

/* if __name__ == "__main__": runs as a script, never on import. */
static bool main_guard(const struct gw_vet_unit *u, uint32_t n)
{
	uint32_t c = gw_vet_child_field(AST, n, F_CONDITION);
	uint32_t a = gw_vet_first_named(AST, c);
	uint32_t b = gw_vet_next_named(AST, a);

	if (c == GW_VET_NONE || NODE(c)->kind != K_COMPARISON_OPERATOR ||
	    b == GW_VET_NONE || gw_vet_next_named(AST, b) != GW_VET_NONE)
		return false;
	if (!text_is(u, a, "__name__")) {
		uint32_t t = a;

		a = b;
		b = t;
	}
	return text_is(u, a, "__name__") &&
	       (text_is(u, b, "\"__main__\"") || text_is(u, b, "'__main__'"));
}

/* The block gets a function of its own that no entry point reaches. */
static void check_main_block(struct gw_vet_unit *u, int scope, int fn,
			     uint32_t n)
{
	const char *q =
		gw_vet_arena_printf(&u->st->arena, "%s.<main>", u->modname);
	int main_fn = q ? gw_vet_new_fn(u->st, u->index, "<main>", q, -1) : -1;

	check_children(u, scope, main_fn >= 0 ? main_fn : fn, n);
}

static void check_node(struct gw_vet_unit *u, int scope, int fn, uint32_t n)
{
	uint32_t x;

	if (n == GW_VET_NONE)
		return;
	switch (NODE(n)->kind) {
	case K_FUNCTION_DEFINITION: check_function(u, scope, fn, n); return;
	case K_CLASS_DEFINITION:
		x = gw_vet_child_field(AST, n, F_SUPERCLASSES);
		if (x != GW_VET_NONE)
			check_children(u, scope, fn, x);
		if (gw_vet_child_field(AST, n, F_NAME) != GW_VET_NONE)
			check_identifier(u, fn,
					 gw_vet_child_field(AST, n, F_NAME));
		if (NODE(n)->aux) {
			check_class(u, fn, n, (int)NODE(n)->aux - 1);
			check_node(u, (int)NODE(n)->aux - 1, fn,
				   gw_vet_child_field(AST, n, F_BODY));
		}
		return;
	case K_DECORATED_DEFINITION: check_decorated(u, scope, fn, n); return;
	case K_IF_STATEMENT:
		if (fn == u->module_fn && main_guard(u, n)) {
			check_main_block(u, scope, fn, n);
			return;
		}
		break;
	case K_CALL:
		check_call(u, scope, fn, n);
		if (builds_text(u, n))
			check_built_text(u, scope, fn, n);
		break;
	case K_BINARY_OPERATOR:
	case K_SUBSCRIPT:
		if (builds_text(u, n))
			check_built_text(u, scope, fn, n);
		break;
	case K_STRING:
		if (NODE(NODE(n)->parent)->kind != K_CONCATENATED_STRING)
			check_string(u, scope, fn, n);
		break;
	case K_CONCATENATED_STRING: check_string(u, scope, fn, n); break;
	case K_ATTRIBUTE:
		x = gw_vet_child_field(AST, n, F_ATTRIBUTE);
		if (text_is(u, x, "environ") || text_is(u, x, "environb"))
			check_environ(u, scope, fn, n);
		break;
	case K_IDENTIFIER:
		check_identifier(u, fn, n);
		if (text_is(u, n, "environ"))
			check_environ(u, scope, fn, n);
		return;
	case K_COMMENT: check_comment(u, fn, n); return;
	case K_IMPORT_STATEMENT:
	case K_IMPORT_FROM_STATEMENT: check_import_ffi(u, fn, n); break;
	case K_EXEC_STATEMENT:
		report(u, GW_VET_R_EXEC_CODE, n, fn,
		       "an exec statement runs text as Python code");
		break;
	case K_ASSIGNMENT: check_assignment(u, scope, fn, n); return;
	case K_AUGMENTED_ASSIGNMENT:
		check_children(u, scope, fn, n);
		taint_assign(u, scope, gw_vet_child_field(AST, n, F_LEFT),
			     taint_of(u, scope,
				      gw_vet_child_field(AST, n, F_RIGHT)));
		return;
	case K_FOR_STATEMENT:
	case K_FOR_IN_CLAUSE:
		taint_assign(u, scope, gw_vet_child_field(AST, n, F_LEFT),
			     taint_of(u, scope,
				      gw_vet_child_field(AST, n, F_RIGHT)));
		break;
	case K_WITH_ITEM:
		x = gw_vet_child_field(AST, n, F_VALUE);
		if (x != GW_VET_NONE && NODE(x)->kind == K_AS_PATTERN)
			taint_assign(
				u, scope, gw_vet_child_field(AST, x, F_ALIAS),
				taint_of(u, scope, gw_vet_first_named(AST, x)));
		break;
	case K_NAMED_EXPRESSION:
		check_children(u, scope, fn, n);
		taint_assign(u, scope, gw_vet_child_field(AST, n, F_NAME),
			     taint_of(u, scope,
				      gw_vet_child_field(AST, n, F_VALUE)));
		return;
	default: break;
	}
	check_children(u, scope, fn, n);
}

int gw_vet_check(struct gw_vet_unit *u)
{
	u->tcache = calloc(u->ast.n_nodes ? u->ast.n_nodes : 1, 1);
	if (!u->tcache)
		return -ENOMEM;
	u->taint = NULL;
	check_node(u, 0, u->module_fn, 0);
	free(u->tcache);
	u->tcache = NULL;
	return 0;
}

/* ---- one file from text to findings ---- */

static int line_table(struct gw_vet_unit *u)
{
	uint32_t n = 1;

	for (size_t i = 0; i < u->len; i++)
		n += u->src[i] == '\n';
	u->lines = gw_vet_arena_alloc(&u->arena, (size_t)n * sizeof(uint32_t));
	if (!u->lines)
		return -ENOMEM;
	u->lines[0] = 0;
	u->n_lines = 1;
	for (size_t i = 0; i < u->len; i++)
		if (u->src[i] == '\n')
			u->lines[u->n_lines++] = (uint32_t)(i + 1);
	return 0;
}

static void check_encoding(struct gw_vet_unit *u)
{
	size_t off = gw_vet_utf8_check(u->src, u->len);

	if (off >= u->len)
		return;
	report_bytes(u, GW_VET_R_PARSE_ENCODING, (uint32_t)off,
		     (uint32_t)off + 1, u->module_fn,
		     u->src[off]
			     ? "byte 0x%02x at offset %zu is not valid UTF-8"
			     : "a NUL byte (0x%02x) at offset %zu",
		     (unsigned char)u->src[off], off);
	u->file->analyzed = false;
}

static void check_bidi(struct gw_vet_unit *u)
{
	static const struct {
		uint32_t lo, hi;
		const char *name;
	} names[] = {
		{ 0x202a, 0x202e, "a bidirectional embedding or override" },
		{ 0x2066, 0x2069, "a bidirectional isolate" },
		{ 0x200e, 0x200f, "a direction mark" },
		{ 0x061c, 0x061c, "the Arabic letter mark" },
		{ 0x200b, 0x200d, "a zero-width character" },
		{ 0x2060, 0x2060, "a word joiner" },
		{ 0xfeff, 0xfeff, "a zero-width no-break space" },
	};
	uint32_t cp;

	for (size_t at = gw_vet_find_bidi(u->src, u->len, 0, &cp); at < u->len;
	     at = gw_vet_find_bidi(u->src, u->len, at + 1, &cp)) {
		const char *name = "an invisible character";
		const char *nl;

		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (cp >= names[i].lo && cp <= names[i].hi)
				name = names[i].name;
		report_bytes(u, GW_VET_R_OBF_BIDI, (uint32_t)at,
			     (uint32_t)at + 3, u->module_fn,
			     "U+%04X, %s, changes how the line "
			     "reads",
			     (unsigned)cp, name);
		/* One finding per line is enough. */
		nl = memchr(u->src + at, '\n', u->len - at);
		if (!nl)
			break;
		at = (size_t)(nl - u->src);
	}
}

/* Whether byte off lies inside a string or a comment. */
static bool in_text_node(const struct gw_vet_unit *u, uint32_t off)
{
	uint32_t n = 0;

	for (;;) {
		uint32_t next = GW_VET_NONE;
		uint16_t k = NODE(n)->kind;

		if (k == K_STRING || k == K_COMMENT || k == K_STRING_CONTENT)
			return true;
		for (uint32_t c = NODE(n)->first; c != GW_VET_NONE;
		     c = NODE(c)->next)
			if (NODE(c)->start <= off && off < NODE(c)->end) {
				next = c;
				break;
			}
		if (next == GW_VET_NONE)
			return false;
		n = next;
	}
}

static void check_hidden(struct gw_vet_unit *u)
{
	unsigned min = u->st->cfg.hidden_ws_cols, found = 0;

	for (uint32_t i = 0; i < u->n_lines && found < 50; i++) {
		size_t len;
		const char *line = line_text(u, i + 1, &len);
		size_t off = gw_vet_hidden_code(line, len, min);
		uint32_t at;

		if (off >= len || line[off] == '#')
			continue;
		at = u->lines[i] + (uint32_t)off;
		if (u->ast.n_nodes && in_text_node(u, at))
			continue;
		found++;
		report_bytes(
			u, GW_VET_R_OBF_HIDDEN, at, u->lines[i] + (uint32_t)len,
			u->module_fn,
			"code starts %u columns to the right, after a run of "
			"blanks",
			gw_vet_utf8_cols(line, off) + 1);
	}
}

static void check_syntax(struct gw_vet_unit *u)
{
	uint32_t e = u->ast.first_error;

	if (e == GW_VET_NONE)
		return;
	report(u, GW_VET_R_PARSE_SYNTAX, e, u->module_fn,
	       NODE(e)->flags & GW_VET_NODE_MISSING
		       ? "the file does not parse: something is missing here"
		       : "the file does not parse: the parser cannot read this "
			 "part");
	u->file->analyzed = false;
}

/* With honor_suppressions, drop findings on lines the author silenced. */
static void honor_suppressions(struct gw_vet_unit *u)
{
	struct gw_vet_result *res = u->st->res;

	for (size_t i = u->first_raw; i < res->n_raws; i++) {
		struct gw_vet_raw *raw = &res->raws[i];
		const struct gw_vet_rule *rule;
		char key[16];
		uintptr_t c;
		size_t len;
		const char *t, *list;

		if (raw->f.rule_index < 0)
			continue;
		rule = &gw_vet_rules[raw->f.rule_index];
		snprintf(key, sizeof(key), "%u", raw->f.line - 1);
		c = (uintptr_t)gw_vet_map_get(&u->suppress, key, strlen(key));
		if (!c || rule->partial ||
		    raw->f.rule_index == GW_VET_R_SUPP_COMMENT)
			continue;
		t = gw_vet_text(u, (uint32_t)c - 1, &len);
		list = memmem(t, len, "gymwarden: ignore[", 18);
		if (list) {
			if (memmem(list, len - (size_t)(list - t), rule->id,
				   strlen(rule->id)))
				raw->dropped = true;
		} else if (memmem(t, len, "nosec", 5) ||
			   memmem(t, len, "gymwarden: ignore", 17)) {
			raw->dropped = true;
		}
	}
}

/* .pth: only lines starting with "import" run; blank the others. */
static char *pth_source(struct gw_vet_unit *u, const char *src, size_t len)
{
	char *s = malloc(len + 1);
	size_t i = 0;

	if (!s)
		return NULL;
	memcpy(s, src, len);
	s[len] = '\0';
	while (i < len) {
		size_t e = i;
		bool run;

		while (e < len && s[e] != '\n')
			e++;
		run = e - i >= 7 && memcmp(s + i, "import", 6) == 0 &&
		      (s[i + 6] == ' ' || s[i + 6] == '\t');
		if (!run)
			for (size_t k = i; k < e; k++)
				if (s[k] != '\r')
					s[k] = ' ';
		i = e + 1;
	}
	(void)u;
	return s;
}

static void report_pth_lines(struct gw_vet_unit *u)
{
	for (uint32_t i = 0; i < u->n_lines; i++) {
		size_t len;
		const char *line = line_text(u, i + 1, &len);

		if (len >= 7 && memcmp(line, "import", 6) == 0)
			report_bytes(
				u, GW_VET_R_INSTALL_PTH, u->lines[i],
				u->lines[i] + (uint32_t)len, u->module_fn,
				"this line runs in every Python that starts "
				"with the file on its path");
	}
}

static int unit_start(struct gw_vet_unit *u, struct gw_vet_state *st,
		      uint32_t index, const char *path,
		      struct gw_vet_file *file)
{
	const char *base = strrchr(path, '/');
	const char *dot;
	int fn;

	base = base ? base + 1 : path;
	u->st = st;
	u->index = index;
	u->path = path;
	u->file = file;
	u->first_raw = st->res->n_raws;
	u->is_setup = strcmp(base, "setup.py") == 0;
	u->modname = gw_vet_module_name(&st->arena, path);
	if (!u->modname)
		return -ENOMEM;
	if (st->root_pkg && st->root_pkg[0]) {
		u->modname =
			u->modname[0]
				? gw_vet_arena_printf(&st->arena, "%s.%s",
						      st->root_pkg, u->modname)
				: st->root_pkg;
		if (!u->modname)
			return -ENOMEM;
	}
	dot = strrchr(u->modname, '.');
	u->package = strcmp(base, "__init__.py") == 0
			     ? u->modname
			     : gw_vet_arena_strndup(
				       &u->arena, u->modname,
				       dot ? (size_t)(dot - u->modname) : 0);
	fn = gw_vet_new_fn(st, index, "<module>", u->modname, -1);
	if (fn < 0 || !u->package)
		return -ENOMEM;
	u->module_fn = fn;
	return 0;
}

int gw_vet_analyze_source(struct gw_vet_state *st, uint32_t unit,
			  const char *path, const char *src, size_t len,
			  bool pth, struct gw_vet_file *file)
{
	struct gw_vet_unit u = { 0 };
	char *copy = NULL;
	int r;

	if ((r = unit_start(&u, st, unit, path, file)) < 0)
		goto out;
	u.is_pth = pth;
	st->fns[u.module_fn].install = u.is_setup || pth;
	if (pth && !(copy = pth_source(&u, src, len))) {
		r = -ENOMEM;
		goto out;
	}
	u.src = pth ? copy : src;
	u.len = len;
	file->analyzed = true;
	if ((r = line_table(&u)) < 0)
		goto out;
	if (pth)
		report_pth_lines(&u);
	check_encoding(&u);
	check_bidi(&u);

	if ((r = gw_vet_ast_parse(&u.ast, u.src, u.len)) < 0)
		goto out;
	if (u.ast.timed_out || u.ast.too_big) {
		report_bytes(&u, GW_VET_R_PARSE_LIMIT, 0, 0, u.module_fn,
			     u.ast.timed_out
				     ? "parsing took longer than the time limit"
				     : "the syntax tree is over the node or "
				       "nesting limit");
		file->analyzed = false;
		goto out;
	}
	check_syntax(&u);
	if ((r = gw_vet_bind(&u)) < 0)
		goto out;
	if (st->unit_hook && (r = st->unit_hook(st->hook_ctx, &u)) < 0)
		goto out;
	if ((r = gw_vet_check(&u)) < 0)
		goto out;
	check_hidden(&u);
	if (st->cfg.honor_suppressions)
		honor_suppressions(&u);
out:
	gw_vet_ast_release(&u.ast);
	gw_vet_arena_free(&u.scratch);
	gw_vet_arena_free(&u.arena);
	free(copy);
	return r;
}
