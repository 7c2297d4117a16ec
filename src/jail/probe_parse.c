/*
 * Pure parsers for the probe: the text of cgroup and procfs files in,
 * plain data out. No syscalls, no globals.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "jail/probe.h"

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
}

/* Copy n bytes of src into out as a string; -ENAMETOOLONG if no room. */
static int copy_field(char *out, size_t cap, const char *src, size_t n)
{
	if (n >= cap)
		return -ENAMETOOLONG;
	memcpy(out, src, n);
	out[n] = '\0';
	return 0;
}

int gw_probe_parse_words(const char *text, char *out, size_t cap)
{
	size_t used = 0;
	int count = 0;

	if (cap == 0)
		return -E2BIG;
	out[0] = '\0';

	while (*text) {
		size_t n = 0;

		while (is_space(*text))
			text++;
		while (is_name_char(text[n]))
			n++;
		if (n == 0 && *text)
			return -EINVAL;
		if (n == 0)
			break;
		if (text[n] && !is_space(text[n]))
			return -EINVAL;

		if (used + (count ? 1 : 0) + n >= cap)
			return -E2BIG;
		if (count)
			out[used++] = ' ';
		memcpy(out + used, text, n);
		used += n;
		out[used] = '\0';
		count++;
		text += n;
	}
	return count;
}

/* Whether list, split at sep, holds word exactly. */
static bool list_has(const char *list, char sep, const char *word)
{
	size_t n = strlen(word);

	if (n == 0)
		return false;
	for (const char *p = list; *p;) {
		const char *end = strchr(p, sep);
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len == n && strncmp(p, word, n) == 0)
			return true;
		if (!end)
			break;
		p = end + 1;
	}
	return false;
}

bool gw_probe_words_have(const char *list, const char *word)
{
	return list_has(list, ' ', word);
}

bool gw_probe_opts_have(const char *opts, const char *name)
{
	return list_has(opts, ',', name);
}

/* Parse a decimal unsigned from *s, moving *s past it; 0 or -EINVAL. */
static int take_uint(const char **s, unsigned *v)
{
	unsigned long x;
	char *end;

	if (**s < '0' || **s > '9')
		return -EINVAL;
	errno = 0;
	x = strtoul(*s, &end, 10);
	if (errno == ERANGE || x > UINT_MAX)
		return -EINVAL;
	*v = (unsigned)x;
	*s = end;
	return 0;
}

/* Skip spaces and tabs only, never the end of a line. */
static const char *skip_blanks(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* "name hierarchy num_cgroups enabled" of len bytes into c. */
static int parse_cgroups_line(const char *line, size_t len,
			      struct gw_probe_v1_controller *c)
{
	char buf[256];
	const char *s = buf;
	unsigned enabled;
	size_t n = 0;

	if (copy_field(buf, sizeof(buf), line, len) < 0)
		return -EINVAL;
	memset(c, 0, sizeof(*c));

	s = skip_blanks(s);
	while (is_name_char(s[n]))
		n++;
	if (n == 0 || copy_field(c->name, sizeof(c->name), s, n) < 0)
		return -EINVAL;
	s = skip_blanks(s + n);
	if (take_uint(&s, &c->hierarchy) < 0)
		return -EINVAL;
	s = skip_blanks(s);
	if (take_uint(&s, &c->num_cgroups) < 0)
		return -EINVAL;
	s = skip_blanks(s);
	if (take_uint(&s, &enabled) < 0 || enabled > 1)
		return -EINVAL;
	if (*skip_blanks(s) != '\0')
		return -EINVAL;

	c->enabled = enabled == 1;
	c->writable = GW_PROBE_NOT_TRIED;
	return 0;
}

int gw_probe_parse_proc_cgroups(const char *text,
				struct gw_probe_v1_controller *out, size_t max,
				size_t *count)
{
	*count = 0;
	while (*text) {
		const char *nl = strchr(text, '\n');
		size_t len = nl ? (size_t)(nl - text) : strlen(text);
		const char *first = skip_blanks(text);
		int r;

		if (first < text + len && *first != '#') {
			if (*count == max)
				return -E2BIG;
			r = parse_cgroups_line(text, len, &out[*count]);
			if (r < 0)
				return r;
			(*count)++;
		}
		text += len + (nl ? 1 : 0);
	}
	return 0;
}

static int octal_digit(char c)
{
	return c >= '0' && c <= '7' ? c - '0' : -1;
}

/*
 * Copy the n-byte field src into out, turning the kernel's "\ooo"
 * escapes (space, tab, newline, backslash) back into bytes.
 */
static int unescape_field(char *out, size_t cap, const char *src, size_t n)
{
	size_t used = 0;

	for (size_t i = 0; i < n; i++) {
		char c = src[i];

		if (c == '\\' && i + 3 < n && octal_digit(src[i + 1]) >= 0 &&
		    octal_digit(src[i + 2]) >= 0 &&
		    octal_digit(src[i + 3]) >= 0) {
			int v = octal_digit(src[i + 1]) * 64 +
				octal_digit(src[i + 2]) * 8 +
				octal_digit(src[i + 3]);

			if (v == 0 || v > 255)
				return -EINVAL;
			c = (char)v;
			i += 3;
		}
		if (used + 1 >= cap)
			return -ENAMETOOLONG;
		out[used++] = c;
	}
	if (cap == 0)
		return -ENAMETOOLONG;
	out[used] = '\0';
	return 0;
}

/* The next space-separated field of the line [*s, end); its length. */
static size_t next_field(const char **s, const char *end, const char **field)
{
	const char *p = *s;
	size_t n = 0;

	while (p < end && *p == ' ')
		p++;
	while (p + n < end && p[n] != ' ')
		n++;
	*field = p;
	*s = p + n;
	return n;
}

int gw_probe_parse_mountinfo_line(const char *line, size_t len,
				  struct gw_mountinfo *m)
{
	const char *end = line + len, *s = line, *f[6];
	size_t n[6];
	int r;

	memset(m, 0, sizeof(*m));

	/* id, parent, major:minor, root, mount point, mount options. */
	for (int i = 0; i < 6; i++) {
		n[i] = next_field(&s, end, &f[i]);
		if (n[i] == 0)
			return -EINVAL;
	}
	/* Optional fields ("shared:1", ...) end at a lone "-". */
	for (;;) {
		const char *opt;
		size_t k = next_field(&s, end, &opt);

		if (k == 0)
			return -EINVAL;
		if (k == 1 && opt[0] == '-')
			break;
	}

	r = unescape_field(m->root, sizeof(m->root), f[3], n[3]);
	if (r == 0)
		r = unescape_field(m->mount, sizeof(m->mount), f[4], n[4]);
	if (r < 0)
		return r;

	/* File system type, source, super options. */
	for (int i = 0; i < 3; i++) {
		n[i] = next_field(&s, end, &f[i]);
		if (n[i] == 0)
			return -EINVAL;
	}
	r = copy_field(m->fstype, sizeof(m->fstype), f[0], n[0]);
	if (r == 0)
		r = copy_field(m->super_opts, sizeof(m->super_opts), f[2],
			       n[2]);
	return r;
}

/* Whether the cgroup at path lies inside a mount whose root is root. */
static bool root_holds(const char *root, const char *path)
{
	size_t n = strlen(root);

	if (strcmp(root, "/") == 0)
		return path[0] == '/';
	return strncmp(root, path, n) == 0 &&
	       (path[n] == '\0' || path[n] == '/');
}

int gw_probe_find_mount(const char *mountinfo, const char *fstype,
			const char *opt, const char *cgroup_path,
			struct gw_mountinfo *m)
{
	struct gw_mountinfo cur;
	bool found = false;

	for (const char *s = mountinfo; *s;) {
		const char *nl = strchr(s, '\n');
		size_t len = nl ? (size_t)(nl - s) : strlen(s);

		if (gw_probe_parse_mountinfo_line(s, len, &cur) == 0 &&
		    strcmp(cur.fstype, fstype) == 0 &&
		    (!opt || gw_probe_opts_have(cur.super_opts, opt))) {
			if (!cgroup_path || root_holds(cur.root, cgroup_path)) {
				*m = cur;
				return 0;
			}
			if (!found)
				*m = cur;
			found = true;
		}
		s += len + (nl ? 1 : 0);
	}
	return found ? 0 : -ENOENT;
}

int gw_probe_parse_cgroup_line(const char *line, size_t len,
			       struct gw_cgroup_line *c)
{
	const char *end = line + len, *s = line, *colon;
	unsigned long h;
	char *num_end;
	int r;

	memset(c, 0, sizeof(*c));
	if (len == 0 || line[0] < '0' || line[0] > '9')
		return -EINVAL;
	errno = 0;
	h = strtoul(line, &num_end, 10);
	if (errno == ERANGE || h > UINT_MAX || num_end >= end ||
	    *num_end != ':')
		return -EINVAL;
	c->hierarchy = (unsigned)h;

	s = num_end + 1;
	colon = memchr(s, ':', (size_t)(end - s));
	if (!colon)
		return -EINVAL;
	r = copy_field(c->controllers, sizeof(c->controllers), s,
		       (size_t)(colon - s));
	if (r < 0)
		return r;

	s = colon + 1;
	if (s == end || *s != '/')
		return -EINVAL;
	return copy_field(c->path, sizeof(c->path), s, (size_t)(end - s));
}

/* Whether line c is the one for controller (v2 when NULL). */
static bool line_matches(const struct gw_cgroup_line *c, const char *controller)
{
	if (!controller)
		return c->hierarchy == 0 && c->controllers[0] == '\0';
	return c->hierarchy != 0 &&
	       gw_probe_opts_have(c->controllers, controller);
}

int gw_probe_find_cgroup_path(const char *text, const char *controller,
			      char *out, size_t cap)
{
	struct gw_cgroup_line c;

	for (const char *s = text; *s;) {
		const char *nl = strchr(s, '\n');
		size_t len = nl ? (size_t)(nl - s) : strlen(s);

		if (gw_probe_parse_cgroup_line(s, len, &c) == 0 &&
		    line_matches(&c, controller))
			return copy_field(out, cap, c.path, strlen(c.path));
		s += len + (nl ? 1 : 0);
	}
	return -ENOENT;
}

int gw_probe_cgroup_dir(const char *mount, const char *root, const char *path,
			char *out, size_t cap)
{
	const char *rel = path;
	size_t mlen = strlen(mount);
	size_t rlen;

	if (!root_holds(root, path))
		return -ENOENT;
	if (strcmp(root, "/") != 0)
		rel = path + strlen(root);
	while (*rel == '/')
		rel++;

	/* "/" joined with "a" is "/a", not "//a". */
	while (mlen > 1 && mount[mlen - 1] == '/')
		mlen--;
	rlen = strlen(rel);
	if (mlen + 1 + rlen >= cap)
		return -ENAMETOOLONG;
	memcpy(out, mount, mlen);
	if (rlen && !(mlen == 1 && mount[0] == '/'))
		out[mlen++] = '/';
	memcpy(out + mlen, rel, rlen);
	out[mlen + rlen] = '\0';
	return 0;
}

int gw_probe_parse_long(const char *text, long *v)
{
	char *end;
	long x;

	if (!((text[0] >= '0' && text[0] <= '9') || text[0] == '-'))
		return -EINVAL;
	errno = 0;
	x = strtol(text, &end, 10);
	if (errno == ERANGE || end == text)
		return -EINVAL;
	if (*end == '\n')
		end++;
	if (*end != '\0')
		return -EINVAL;
	*v = x;
	return 0;
}
