/*
 * Episodes as played, and the replay file that keeps them: each one's
 * strategy, seed, options and packed actions in hex, so `gymwarden fuzz
 * --replay FILE` plays exactly the same calls again. The file is read
 * as untrusted input: sizes are checked against their caps first.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/error.h"
#include "core/limits.h"
#include "fuzz/fuzz.h"

void gw_fuzz_script_init(struct gw_fuzz_script *s, size_t action_bytes)
{
	memset(s, 0, sizeof(*s));
	s->action_bytes = action_bytes;
}

void gw_fuzz_script_release(struct gw_fuzz_script *s)
{
	free(s->options);
	free(s->actions);
	free(s->hashes);
	s->options = NULL;
	s->actions = NULL;
	s->hashes = NULL;
	s->n_actions = s->cap = 0;
}

/* Room for n actions and n + 1 hashes. */
static int reserve(struct gw_fuzz_script *s, size_t n)
{
	unsigned char *a;
	uint64_t *h;
	size_t cap = s->cap ? s->cap : 16;

	while (cap < n)
		cap *= 2;
	if (cap <= s->cap)
		return 0;
	if (s->action_bytes && cap > GW_FUZZ_SCRIPT_MAX_BYTES / s->action_bytes)
		return -E2BIG;
	a = realloc(s->actions, cap * s->action_bytes + 1);
	if (!a)
		return -ENOMEM;
	s->actions = a;
	h = realloc(s->hashes, (cap + 1) * sizeof(*h));
	if (!h)
		return -ENOMEM;
	s->hashes = h;
	s->cap = cap;
	return 0;
}

int gw_fuzz_script_push(struct gw_fuzz_script *s, const void *action,
			uint64_t hash)
{
	int r = reserve(s, s->n_actions + 1);

	if (r < 0) {
		s->truncated = true;
		return r;
	}
	memcpy(s->actions + s->n_actions * s->action_bytes, action,
	       s->action_bytes);
	s->hashes[s->n_actions + 1] = hash;
	s->n_actions++;
	return 0;
}

int gw_fuzz_script_set_reset(struct gw_fuzz_script *s, uint64_t hash)
{
	int r = reserve(s, 1);

	if (r == 0)
		s->hashes[0] = hash;
	return r;
}

void gw_fuzz_replay_release(struct gw_fuzz_replay *r)
{
	for (size_t i = 0; i < r->n; i++)
		gw_fuzz_script_release(&r->scripts[i]);
	free(r->scripts);
	r->scripts = NULL;
	r->n = 0;
}

static json_t *hex(const unsigned char *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	char *s = malloc(2 * n + 1);
	json_t *j;

	if (!s)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		s[2 * i] = digits[p[i] >> 4];
		s[2 * i + 1] = digits[p[i] & 15];
	}
	j = json_stringn(s, 2 * n);
	free(s);
	return j;
}

static json_t *script_json(const struct gw_fuzz_script *s, size_t upto)
{
	json_t *acts = json_array(), *opts = NULL;
	size_t n = upto < s->n_actions ? upto : s->n_actions;

	for (size_t i = 0; acts && i < n; i++)
		json_array_append_new(
			acts,
			hex(s->actions + i * s->action_bytes, s->action_bytes));
	if (s->options)
		opts = json_loads(s->options, 0, NULL);
	return json_pack(
		"{s:I, s:s, s:o, s:o, s:o}", "episode", (json_int_t)s->episode,
		"strategy", gw_fuzz_strategy_name(s->strategy), "seed",
		/* A seed past INT64_MAX is kept as a decimal string. */
		!s->has_seed ? json_null()
		: s->seed > INT64_MAX
			? json_sprintf("%llu", (unsigned long long)s->seed)
			: json_integer((json_int_t)s->seed),
		"options", opts ? opts : json_null(), "actions", acts);
}

json_t *gw_fuzz_replay_to_json(const char *env, size_t action_bytes,
			       const char *action_space,
			       const struct gw_fuzz_script *const *s,
			       const size_t *upto, size_t n)
{
	json_t *eps = json_array();

	for (size_t i = 0; eps && i < n; i++)
		json_array_append_new(
			eps, script_json(s[i], upto ? upto[i] : SIZE_MAX));
	return json_pack("{s:i, s:s, s:s, s:I, s:s, s:o}", "version", 1, "kind",
			 "fuzz-replay", "env", env, "action_bytes",
			 (json_int_t)action_bytes, "action_space", action_space,
			 "episodes", eps);
}

static int unhex(const char *s, size_t len, unsigned char *out, size_t n)
{
	if (len != 2 * n)
		return -EINVAL;
	for (size_t i = 0; i < 2 * n; i++) {
		char c = s[i];
		int v = c >= '0' && c <= '9'   ? c - '0'
			: c >= 'a' && c <= 'f' ? c - 'a' + 10
			: c >= 'A' && c <= 'F' ? c - 'A' + 10
					       : -1;

		if (v < 0)
			return -EINVAL;
		if (i % 2 == 0)
			out[i / 2] = (unsigned char)(v << 4);
		else
			out[i / 2] |= (unsigned char)v;
	}
	return 0;
}

static int parse_seed(const json_t *j, struct gw_fuzz_script *s)
{
	const char *t;
	char *end;

	if (json_is_null(j) || !j)
		return 0;
	s->has_seed = true;
	if (json_is_integer(j) && json_integer_value(j) >= 0) {
		s->seed = (uint64_t)json_integer_value(j);
		return 0;
	}
	t = json_string_value(j);
	if (!t || t[0] < '0' || t[0] > '9')
		return -EINVAL;
	errno = 0;
	s->seed = strtoull(t, &end, 10);
	return *end || errno ? -EINVAL : 0;
}

static int parse_actions(const json_t *acts, struct gw_fuzz_script *s,
			 struct gw_error *err, size_t ep)
{
	size_t i;
	json_t *a;

	if (!json_is_array(acts))
		return gw_error_set(err, -EINVAL,
				    "episode %zu: actions must be an array",
				    ep);
	if (s->action_bytes &&
	    json_array_size(acts) > GW_FUZZ_SCRIPT_MAX_BYTES / s->action_bytes)
		return gw_error_set(err, -E2BIG,
				    "episode %zu: more actions than %u bytes "
				    "hold",
				    ep, GW_FUZZ_SCRIPT_MAX_BYTES);
	if (reserve(s, json_array_size(acts)) < 0)
		return gw_error_set(err, -ENOMEM, "out of memory");
	json_array_foreach(acts, i, a)
	{
		const char *t = json_string_value(a);

		if (!t || unhex(t, json_string_length(a),
				s->actions + i * s->action_bytes,
				s->action_bytes) < 0)
			return gw_error_set(err, -EINVAL,
					    "episode %zu: action %zu is not "
					    "%zu bytes in hex",
					    ep, i, s->action_bytes);
		s->n_actions = i + 1;
	}
	return 0;
}

static int parse_episode(const json_t *e, struct gw_fuzz_script *s, size_t ep,
			 struct gw_error *err)
{
	const json_t *opts = json_object_get(e, "options");
	int st = gw_fuzz_strategy_from_name(
		json_string_value(json_object_get(e, "strategy")));

	if (!json_is_object(e))
		return gw_error_set(err, -EINVAL, "episode %zu: not an object",
				    ep);
	s->strategy = st < 0 ? GW_FUZZ_REPLAY : (enum gw_fuzz_strategy)st;
	s->episode = ep;
	if (parse_seed(json_object_get(e, "seed"), s) < 0)
		return gw_error_set(err, -EINVAL,
				    "episode %zu: seed must be a non-negative "
				    "integer that fits in 64 bits",
				    ep);
	if (opts && !json_is_null(opts)) {
		if (!json_is_object(opts))
			return gw_error_set(err, -EINVAL,
					    "episode %zu: options must be an "
					    "object",
					    ep);
		s->options = json_dumps(opts, JSON_COMPACT);
		if (!s->options)
			return gw_error_set(err, -ENOMEM, "out of memory");
	}
	return parse_actions(json_object_get(e, "actions"), s, err, ep);
}

static int parse_head(const json_t *doc, struct gw_fuzz_replay *out,
		      struct gw_error *err)
{
	const char *kind = json_string_value(json_object_get(doc, "kind"));
	const char *env = json_string_value(json_object_get(doc, "env"));
	const char *sp =
		json_string_value(json_object_get(doc, "action_space"));
	json_int_t ab =
		json_integer_value(json_object_get(doc, "action_bytes"));

	if (!json_is_object(doc) || !kind || strcmp(kind, "fuzz-replay") != 0)
		return gw_error_set(err, -EINVAL,
				    "not a replay file (kind must be "
				    "\"fuzz-replay\")");
	if (json_integer_value(json_object_get(doc, "version")) != 1)
		return gw_error_set(err, -EINVAL,
				    "replay file version must be 1");
	if (!env || strlen(env) >= sizeof(out->env))
		return gw_error_set(err, -EINVAL, "env must be an id");
	if (ab <= 0 || (uint64_t)ab > GW_FUZZ_SCRIPT_MAX_BYTES)
		return gw_error_set(err, -EINVAL, "action_bytes must be 1..%u",
				    GW_FUZZ_SCRIPT_MAX_BYTES);
	snprintf(out->env, sizeof(out->env), "%s", env);
	snprintf(out->action_space, sizeof(out->action_space), "%s",
		 sp ? sp : "");
	out->action_bytes = (size_t)ab;
	return 0;
}

int gw_fuzz_replay_parse(const char *text, size_t len,
			 struct gw_fuzz_replay *out, struct gw_error *err)
{
	json_error_t jerr;
	json_t *doc, *eps;
	size_t n;
	int r;

	memset(out, 0, sizeof(*out));
	if (len > GW_FUZZ_REPLAY_MAX_BYTES)
		return gw_error_set(err, -E2BIG, "replay file over %u bytes",
				    GW_FUZZ_REPLAY_MAX_BYTES);
	doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!doc)
		return gw_error_set_at(err, -EINVAL, (unsigned)jerr.line,
				       (unsigned)jerr.column,
				       "not valid JSON: %s", jerr.text);
	r = parse_head(doc, out, err);
	eps = json_object_get(doc, "episodes");
	n = json_array_size(eps);
	if (r == 0 &&
	    (!json_is_array(eps) || n == 0 || n > GW_FUZZ_REPLAY_MAX_EPISODES))
		r = gw_error_set(err, -EINVAL,
				 "episodes must be an array of 1..%u",
				 GW_FUZZ_REPLAY_MAX_EPISODES);
	if (r == 0) {
		out->scripts = calloc(n, sizeof(*out->scripts));
		if (!out->scripts)
			r = gw_error_set(err, -ENOMEM, "out of memory");
	}
	for (size_t i = 0; r == 0 && i < n; i++) {
		gw_fuzz_script_init(&out->scripts[i], out->action_bytes);
		out->n = i + 1;
		r = parse_episode(json_array_get(eps, i), &out->scripts[i],
				  i + 1, err);
	}
	json_decref(doc);
	if (r < 0)
		gw_fuzz_replay_release(out);
	return r;
}

int gw_fuzz_replay_load(const char *path, struct gw_fuzz_replay *out,
			struct gw_error *err)
{
	struct stat sb;
	char *text = NULL;
	ssize_t got = 0;
	int fd, r = 0;

	memset(out, 0, sizeof(*out));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &sb) < 0) {
		r = gw_error_set(err, -errno, "%s", strerror(errno));
		goto out;
	}
	if (!S_ISREG(sb.st_mode) || sb.st_size > GW_FUZZ_REPLAY_MAX_BYTES) {
		r = gw_error_set(err, -E2BIG,
				 "not a regular file of at most %u bytes",
				 GW_FUZZ_REPLAY_MAX_BYTES);
		goto out;
	}
	text = malloc((size_t)sb.st_size + 1);
	if (!text) {
		r = gw_error_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	while (got < sb.st_size) {
		ssize_t n = read(fd, text + got, (size_t)(sb.st_size - got));

		if (n <= 0) {
			r = gw_error_set(err, n < 0 ? -errno : -EIO,
					 "cannot read it");
			goto out;
		}
		got += n;
	}
	r = gw_fuzz_replay_parse(text, (size_t)got, out, err);
out:
	if (r < 0)
		gw_error_where(err, path, NULL);
	if (fd >= 0)
		close(fd);
	free(text);
	return r;
}
