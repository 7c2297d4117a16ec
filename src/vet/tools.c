/*
 * --with bandit,pylint,flake8: run other analyzers on the same tree and
 * merge what they find, keeping each tool's own rule id. Each is started
 * with posix_spawn (no shell), in an empty scratch folder, with a clean
 * environment and a settings file of our own, so nothing in the vetted
 * tree configures it. A tool that is not installed is reported, not
 * fatal; one that runs but gives no usable output makes the run partial.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/limits.h"
#include "vet/vet_priv.h"

static const char *const tool_names[GW_VET_TOOL_COUNT] = {
	[GW_VET_TOOL_BANDIT] = "bandit",
	[GW_VET_TOOL_PYLINT] = "pylint",
	[GW_VET_TOOL_FLAKE8] = "flake8",
};

const char *gw_vet_tool_name(enum gw_vet_tool_id t)
{
	return (unsigned)t < GW_VET_TOOL_COUNT ? tool_names[t] : "?";
}

int gw_vet_tools_parse(const char *list, unsigned *mask, struct gw_error *err)
{
	const char *p = list;

	*mask = 0;
	while (*p) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		int found = -1;

		for (int t = 0; t < GW_VET_TOOL_COUNT; t++)
			if (strlen(tool_names[t]) == n &&
			    memcmp(tool_names[t], p, n) == 0)
				found = t;
		if (found < 0)
			return gw_error_set(err, -EINVAL,
					    "unknown tool '%.*s' (bandit, "
					    "pylint or flake8)",
					    (int)n, p);
		*mask |= 1u << found;
		p = e ? e + 1 : p + n;
	}
	return 0;
}

struct scratch {
	char dir[64];
	char root[PATH_MAX]; /* the vetted tree, resolved */
};

/* The tool's absolute path from PATH, or false when not installed. */
static bool find_program(const char *name, char *out, size_t cap)
{
	const char *path = getenv("PATH");
	const char *p = path && path[0] ? path : "/usr/local/bin:/usr/bin:/bin";

	while (*p) {
		const char *e = strchr(p, ':');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		struct stat sb;

		if (n &&
		    (size_t)snprintf(out, cap, "%.*s/%s", (int)n, p, name) <
			    cap &&
		    out[0] == '/' && stat(out, &sb) == 0 &&
		    S_ISREG(sb.st_mode) && access(out, X_OK) == 0)
			return true;
		p = e ? e + 1 : p + n;
	}
	return false;
}

/*
 * Run argv with stdout to out_path, in the scratch folder, clean
 * environment, for at most timeout_s seconds. Returns the exit status,
 * or a negative errno (-ETIMEDOUT when killed).
 */
static int run(const struct scratch *s, char *const argv[],
	       const char *out_path, unsigned timeout_s)
{
	char home[128], pylint[128], cache[128], tmp[128];
	char *envp[] = {
		"PATH=/usr/local/bin:/usr/bin:/bin",
		"LANG=C.UTF-8",
		"LC_ALL=C.UTF-8",
		"PYTHONDONTWRITEBYTECODE=1",
		"PYTHONNOUSERSITE=1",
		home,
		pylint,
		cache,
		tmp,
		NULL,
	};
	posix_spawn_file_actions_t fa;
	struct timespec tick = { 0, 20 * 1000 * 1000 };
	pid_t pid;
	int status, r;
	long waited = 0;

	snprintf(home, sizeof(home), "HOME=%s", s->dir);
	snprintf(pylint, sizeof(pylint), "PYLINTHOME=%s", s->dir);
	snprintf(cache, sizeof(cache), "XDG_CACHE_HOME=%s", s->dir);
	snprintf(tmp, sizeof(tmp), "TMPDIR=%s", s->dir);
	if (posix_spawn_file_actions_init(&fa) != 0)
		return -ENOMEM;
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, out_path,
					 O_WRONLY | O_CREAT | O_TRUNC, 0600);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addchdir_np(&fa, s->dir);
	r = posix_spawn(&pid, argv[0], &fa, NULL, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	if (r != 0)
		return -r;
	for (;;) {
		r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			break;
		if (r < 0 && errno != EINTR)
			return -errno;
		if (waited++ > (long)timeout_s * 50) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return -ETIMEDOUT;
		}
		nanosleep(&tick, NULL);
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : -EINTR;
}

static int read_output(const char *path, struct gw_buf *b)
{
	struct gw_error err = { 0 };

	gw_buf_init(b, GW_VET_TOOL_OUTPUT_MAX_BYTES);
	return gw_buf_read_file(b, path, &err);
}

/* A path the tool printed, made relative to the vetted root. */
static const char *relative(const struct scratch *s, const char *p, char *buf,
			    size_t cap)
{
	char abs[PATH_MAX * 2], real[PATH_MAX * 2];
	size_t n = strlen(s->root);

	if (p[0] != '/')
		snprintf(abs, sizeof(abs), "%s/%s", s->dir, p);
	else
		snprintf(abs, sizeof(abs), "%s", p);
	if (strlen(abs) >= PATH_MAX || !realpath(abs, real))
		snprintf(real, sizeof(real), "%s", abs);
	if (strncmp(real, s->root, n) == 0 && real[n] == '/')
		snprintf(buf, cap, "%s", real + n + 1);
	else if (strcmp(real, s->root) == 0)
		snprintf(buf, cap, "%s", strrchr(real, '/') + 1);
	else
		snprintf(buf, cap, "%s", p);
	return buf;
}

static enum gw_vet_severity word_severity(const char *w)
{
	if (w && strcmp(w, "HIGH") == 0)
		return GW_VET_HIGH;
	if (w && strcmp(w, "MEDIUM") == 0)
		return GW_VET_MEDIUM;
	return GW_VET_LOW;
}

static int parse_bandit(struct gw_vet_state *st, const struct scratch *s,
			const char *text, size_t len, unsigned *count)
{
	json_t *doc = json_loadb(text, len, 0, NULL), *results, *it;
	size_t i;

	results = json_object_get(doc, "results");
	if (!json_is_array(results)) {
		json_decref(doc);
		return -EPROTO;
	}
	json_array_foreach(results, i, it)
	{
		const char *file =
			json_string_value(json_object_get(it, "filename"));
		const char *conf = json_string_value(
			json_object_get(it, "issue_confidence"));
		enum gw_vet_severity sev = word_severity(json_string_value(
			json_object_get(it, "issue_severity")));
		json_int_t line =
			json_integer_value(json_object_get(it, "line_number"));
		json_int_t col =
			json_integer_value(json_object_get(it, "col_offset"));
		struct gw_vet_span sp;
		char rel[PATH_MAX];

		/* A guess the tool itself doubts counts one level lower. */
		if (conf && strcmp(conf, "LOW") == 0 && sev > GW_VET_LOW)
			sev--;
		sp.line = line > 0 ? (unsigned)line : 1;
		sp.col = col >= 0 ? (unsigned)col + 1 : 1;
		sp.end_line = sp.line;
		sp.end_col = sp.col;
		if (!file)
			continue;
		if (gw_vet_add_external(
			    st, "bandit",
			    json_string_value(json_object_get(it, "test_id"))
				    ?: "B000",
			    json_string_value(json_object_get(it, "test_name"))
				    ?: "",
			    sev, relative(s, file, rel, sizeof(rel)), &sp,
			    json_string_value(json_object_get(it, "issue_text"))
				    ?: ""))
			(*count)++;
	}
	json_decref(doc);
	return 0;
}

static int parse_pylint(struct gw_vet_state *st, const struct scratch *s,
			const char *text, size_t len, unsigned *count)
{
	json_t *doc = json_loadb(text, len, 0, NULL), *it;
	size_t i;

	if (!json_is_array(doc)) {
		json_decref(doc);
		return -EPROTO;
	}
	json_array_foreach(doc, i, it)
	{
		const char *type =
			json_string_value(json_object_get(it, "type"));
		const char *path =
			json_string_value(json_object_get(it, "path"));
		json_int_t line =
			json_integer_value(json_object_get(it, "line"));
		json_int_t col =
			json_integer_value(json_object_get(it, "column"));
		json_int_t eline =
			json_integer_value(json_object_get(it, "endLine"));
		json_int_t ecol =
			json_integer_value(json_object_get(it, "endColumn"));
		struct gw_vet_span sp;
		char rel[PATH_MAX];

		if (!path)
			continue;
		sp.line = line > 0 ? (unsigned)line : 1;
		sp.col = col >= 0 ? (unsigned)col + 1 : 1;
		sp.end_line = eline > 0 ? (unsigned)eline : sp.line;
		sp.end_col =
			ecol >= 0 && eline > 0 ? (unsigned)ecol + 1 : sp.col;
		/* A file pylint cannot parse is worth a look; style is not. */
		if (gw_vet_add_external(
			    st, "pylint",
			    json_string_value(json_object_get(it, "message-id"))
				    ?: "?",
			    json_string_value(json_object_get(it, "symbol"))
				    ?: "",
			    type && strcmp(type, "fatal") == 0 ? GW_VET_MEDIUM
							       : GW_VET_LOW,
			    relative(s, path, rel, sizeof(rel)), &sp,
			    json_string_value(json_object_get(it, "message"))
				    ?: ""))
			(*count)++;
	}
	json_decref(doc);
	return 0;
}

/* path:row:col:code:text, where path may itself hold colons. */
static int parse_flake8(struct gw_vet_state *st, const struct scratch *s,
			const char *text, size_t len, unsigned *count)
{
	const char *p = text, *end = text + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char line[8192], rel[PATH_MAX], code[32];
		unsigned row = 0, col = 0;
		int off = 0;
		char *c;

		if (n >= sizeof(line))
			n = sizeof(line) - 1;
		memcpy(line, p, n);
		line[n] = '\0';
		p = nl ? nl + 1 : end;
		for (c = strchr(line, ':'); c; c = strchr(c + 1, ':'))
			if (sscanf(c, ":%u:%u:%31[^:]:%n", &row, &col, code,
				   &off) == 3 &&
			    off > 0)
				break;
		if (!c)
			continue;
		*c = '\0';
		struct gw_vet_span sp = { row ? row : 1, col ? col : 1,
					  row ? row : 1, col ? col : 1 };

		if (gw_vet_add_external(
			    st, "flake8", code, code,
			    strcmp(code, "E999") == 0 ? GW_VET_MEDIUM
						      : GW_VET_LOW,
			    relative(s, line, rel, sizeof(rel)), &sp, c + off))
			(*count)++;
	}
	return 0;
}

/* The first word of the tool's --version output that starts a number. */
static void tool_version(const struct scratch *s, const char *exe,
			 struct gw_vet_state *st, struct gw_vet_tool_run *t)
{
	char out[PATH_MAX];
	char *argv[] = { (char *)exe, "--version", NULL };
	struct gw_buf b;

	t->version = "";
	snprintf(out, sizeof(out), "%s/version.txt", s->dir);
	if (run(s, argv, out, 60) < 0 || read_output(out, &b) < 0)
		return;
	for (char *w = b.data; w && *w && *w != '\n'; w++) {
		size_t n;

		if (*w < '0' || *w > '9' || (w > b.data && w[-1] != ' '))
			continue;
		n = strspn(w, "0123456789.");
		t->version = gw_vet_arena_strndup(&st->res->arena, w, n);
		break;
	}
	gw_buf_free(&b);
	unlink(out);
}

static int tool_argv(const struct gw_vet_state *st, enum gw_vet_tool_id id,
		     const struct scratch *s, const char *exe, const char *ini,
		     const char *out, char **argv)
{
	bool honor = st->cfg.honor_suppressions;
	static char rcfile[PATH_MAX + 16], outfile[PATH_MAX + 16];
	int n = 0;

	argv[n++] = (char *)exe;
	switch (id) {
	case GW_VET_TOOL_BANDIT:
		argv[n++] = "-r";
		argv[n++] = (char *)s->root;
		argv[n++] = "-f";
		argv[n++] = "json";
		argv[n++] = "-q";
		argv[n++] = "--ini";
		argv[n++] = (char *)ini;
		if (!honor)
			argv[n++] = "--ignore-nosec";
		break;
	case GW_VET_TOOL_PYLINT:
		snprintf(rcfile, sizeof(rcfile), "--rcfile=%s", ini);
		argv[n++] = "--output-format=json";
		argv[n++] = rcfile;
		argv[n++] = "--persistent=n";
		argv[n++] = "--recursive=y";
		argv[n++] = "--jobs=1";
		argv[n++] = (char *)s->root;
		break;
	case GW_VET_TOOL_FLAKE8:
		snprintf(outfile, sizeof(outfile), "--output-file=%s", out);
		argv[n++] = "--isolated";
		if (!honor)
			argv[n++] = "--disable-noqa";
		argv[n++] = "--exit-zero";
		argv[n++] =
			"--format=%(path)s:%(row)d:%(col)d:%(code)s:%(text)s";
		argv[n++] = outfile;
		argv[n++] = (char *)s->root;
		break;
	default: return -EINVAL;
	}
	argv[n] = NULL;
	return 0;
}

static void run_tool(struct gw_vet_state *st, const struct scratch *s,
		     enum gw_vet_tool_id id, const char *ini)
{
	struct gw_vet_tool_run *t = &st->res->tools[st->res->n_tools++];
	char exe[PATH_MAX], out[PATH_MAX], *argv[24];
	struct gw_buf b;
	int r;

	t->id = id;
	t->version = t->detail = "";
	if (!find_program(tool_names[id], exe, sizeof(exe))) {
		t->status = GW_VET_TOOL_MISSING;
		t->detail = "not found on PATH";
		return;
	}
	tool_version(s, exe, st, t);
	snprintf(out, sizeof(out), "%s/%s.out", s->dir, tool_names[id]);
	tool_argv(st, id, s, exe, ini, out, argv);
	r = run(s, argv, out, st->cfg.tool_timeout_s);
	if (r >= 0 && read_output(out, &b) == 0) {
		if (id == GW_VET_TOOL_BANDIT)
			r = parse_bandit(st, s, b.data ? b.data : "", b.len,
					 &t->findings);
		else if (id == GW_VET_TOOL_PYLINT)
			r = parse_pylint(st, s, b.data ? b.data : "[]",
					 b.data ? b.len : 2, &t->findings);
		else
			r = parse_flake8(st, s, b.data ? b.data : "", b.len,
					 &t->findings);
		gw_buf_free(&b);
	} else if (r >= 0) {
		r = -EIO;
	}
	unlink(out);
	if (r < 0) {
		t->status = GW_VET_TOOL_FAILED;
		t->detail = r == -ETIMEDOUT ? "timed out"
			    : r == -EPROTO  ? "its output could not be read"
					    : "it could not be run";
		st->res->partial = true;
		return;
	}
	t->status = GW_VET_TOOL_OK;
}

static int remove_entry(const char *path, const struct stat *sb, int flag,
			struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

/* The scratch folder and whatever the tools left in it (their caches). */
static void remove_scratch(const char *dir)
{
	nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

void gw_vet_tools_run(struct gw_vet_state *st, const char *root,
		      bool root_is_file)
{
	struct scratch s;
	char ini[128];
	int fd;

	(void)root_is_file;
	snprintf(s.dir, sizeof(s.dir), "/tmp/gymwarden-vet-XXXXXX");
	if (!realpath(root, s.root) || !mkdtemp(s.dir)) {
		st->res->partial = true;
		return;
	}
	/* Settings of our own, so none from the tree or $HOME apply. */
	snprintf(ini, sizeof(ini), "%s/settings.ini", s.dir);
	fd = open(ini, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd >= 0) {
		if (write(fd, "[bandit]\n", 9) != 9)
			st->res->partial = true;
		close(fd);
	}
	for (int id = 0; id < GW_VET_TOOL_COUNT; id++)
		if (st->opts->tools & (1u << id))
			run_tool(st, &s, (enum gw_vet_tool_id)id, ini);
	remove_scratch(s.dir);
}
