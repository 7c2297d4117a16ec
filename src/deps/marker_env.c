/*
 * The marker values of this host. Platform fields come from uname(2);
 * the interpreter's version from the file system, never by running it:
 * the name /usr/bin/python3 links to ("python3.11"), then the micro
 * version from that interpreter's patchlevel.h when its headers are
 * installed. Callers that know better (a manifest's interpreter) say so
 * with gw_marker_env_set_python.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "deps/deps.h"
#include "deps/pep_priv.h"

/* Copy src into a field of cap bytes, cut when it does not fit. */
static void set_field(char *dst, size_t cap, const char *src)
{
	size_t n = strnlen(src, cap - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

#define SET(field, src) set_field(field, sizeof(field), src)

int gw_marker_env_set_python(struct gw_marker_env *env,
			     const char *full_version)
{
	struct gw_pep440 v;
	size_t len = strlen(full_version);

	if (len >= sizeof(env->python_full_version) ||
	    gw_pep440_parse(full_version, len, &v) < 0 || v.nrelease < 2 ||
	    v.epoch || v.nlocal)
		return -EINVAL;
	snprintf(env->python_version, sizeof(env->python_version), "%llu.%llu",
		 (unsigned long long)v.release[0],
		 (unsigned long long)v.release[1]);
	SET(env->python_full_version, full_version);
	SET(env->implementation_version, full_version);
	return 0;
}

/* "python3.11" -> "3.11"; false for any other name. */
static bool python_minor_name(const char *name, char *out, size_t cap)
{
	const char *p = name + strlen("python");
	const char *dot;

	if (strncmp(name, "python3.", 8) != 0)
		return false;
	dot = strchr(p, '.');
	if (!dot || !pep_is_digit((unsigned char)dot[1]))
		return false;
	for (const char *q = dot + 1; *q; q++)
		if (!pep_is_digit((unsigned char)*q))
			return false;
	snprintf(out, cap, "%s", p);
	return true;
}

/* The newest /usr/lib/python3.N, for hosts without the symlink. */
static bool newest_lib_python(char *out, size_t cap)
{
	DIR *d = opendir("/usr/lib");
	struct dirent *e;
	unsigned long best = 0;
	bool found = false;
	char v[16];

	if (!d)
		return false;
	while ((e = readdir(d))) {
		unsigned long minor;

		if (!python_minor_name(e->d_name, v, sizeof(v)))
			continue;
		minor = strtoul(strchr(v, '.') + 1, NULL, 10);
		if (!found || minor > best) {
			best = minor;
			found = true;
		}
	}
	closedir(d);
	if (found)
		snprintf(out, cap, "3.%lu", best);
	return found;
}

/* PY_VERSION from <prefix>/include/pythonX.Y/patchlevel.h, if present. */
static bool patchlevel_version(const char *minor, char *out, size_t cap)
{
	char path[128], buf[8192];
	const char *p, *q;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/usr/include/python%s/patchlevel.h",
		 minor);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	p = strstr(buf, "#define PY_VERSION ");
	p = p ? strchr(p, '"') : NULL;
	q = p ? strchr(p + 1, '"') : NULL;
	if (!q || (size_t)(q - p - 1) >= cap)
		return false;
	memcpy(out, p + 1, (size_t)(q - p - 1));
	out[q - p - 1] = '\0';
	return strncmp(out, minor, strlen(minor)) == 0;
}

static void host_python(struct gw_marker_env *env)
{
	char link[256], minor[16], full[32];
	ssize_t n = readlink("/usr/bin/python3", link, sizeof(link) - 1);
	bool ok = false;

	if (n > 0) {
		link[n] = '\0';
		ok = python_minor_name(
			strrchr(link, '/') ? strrchr(link, '/') + 1 : link,
			minor, sizeof(minor));
	}
	if (!ok)
		ok = newest_lib_python(minor, sizeof(minor));
	if (!ok)
		return;
	if (!patchlevel_version(minor, full, sizeof(full)))
		snprintf(full, sizeof(full), "%s", minor);
	gw_marker_env_set_python(env, full);
}

void gw_marker_env_host(struct gw_marker_env *env)
{
	struct utsname u;

	memset(env, 0, sizeof(*env));
	SET(env->os_name, "posix");
	SET(env->platform_python_implementation, "CPython");
	SET(env->implementation_name, "cpython");
	if (uname(&u) == 0) {
		SET(env->platform_system, u.sysname);
		SET(env->platform_machine, u.machine);
		SET(env->platform_release, u.release);
		SET(env->platform_version, u.version);
		/* The system's name in lower case: "linux" since Python 3.3. */
		SET(env->sys_platform, u.sysname);
		for (char *c = env->sys_platform; *c; c++)
			*c = (char)pep_lower((unsigned char)*c);
	}
	host_python(env);
}
