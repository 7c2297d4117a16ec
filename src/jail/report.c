/*
 * What the launcher says: one line to stderr per failure, the `fail`
 * record of a stage that did not pass, and the `layers` and `missing`
 * lines that tell the monitor what stands (launcher.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jail/jail.h"

static const char *const why_names[JAIL_WHY_COUNT] = {
	[JAIL_STANDS] = "stands",
	[JAIL_UNDECIDED] = "undecided",
	[JAIL_WHY_WITHOUT] = "without",
	[JAIL_WHY_UNSET] = "unset",
	[JAIL_WHY_NO_USERNS] = "no-userns",
	[JAIL_WHY_NO_NS] = "no-namespaces",
	[JAIL_WHY_NEEDS_USER] = "needs-user",
	[JAIL_WHY_NEEDS_MOUNT] = "needs-mount",
	[JAIL_WHY_NEEDS_PID] = "needs-pid",
	[JAIL_WHY_NEEDS_NNP] = "needs-nnp",
	[JAIL_WHY_NEEDS_SECCOMP] = "needs-seccomp",
	[JAIL_WHY_NOT_DELEGATED] = "not-delegated",
	[JAIL_WHY_NO_CONTROLLER] = "no-controller",
	[JAIL_WHY_KERNEL] = "kernel",
	[JAIL_WHY_DISABLED] = "disabled",
	[JAIL_WHY_NO_SETPCAP] = "no-setpcap",
	[JAIL_WHY_NOT_ROOT] = "not-root",
};

const char *jail_why_name(enum jail_why why)
{
	return why < JAIL_WHY_COUNT ? why_names[why] : "unknown";
}

int jail_write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* One status line; refused (-EMSGSIZE) rather than cut when too long. */
int jail_write_line(int fd, const char *fmt, ...)
{
	char line[JAIL_LINE_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(line) - 1)
		return -EMSGSIZE;
	line[n++] = '\n';
	return jail_write_all(fd, line, (size_t)n);
}

void jail_say(const char *stage, const char *what, int err)
{
	char line[JAIL_LINE_MAX];
	int n;

	n = snprintf(line, sizeof(line), "gymwarden-jail: %s: %s%s%s\n", stage,
		     what, err ? ": " : "", err ? strerror(err) : "");
	if (n > 0)
		(void)!write(STDERR_FILENO, line,
			     (size_t)n < sizeof(line) ? (size_t)n
						      : sizeof(line) - 1);
}

/* Before the status stage has checked fd 4, write it only if a pipe. */
static int early_status_fd(void)
{
	struct stat st;

	return fstat(GW_JAIL_STATUS_FD, &st) == 0 && S_ISFIFO(st.st_mode)
		       ? GW_JAIL_STATUS_FD
		       : -1;
}

/*
 * Report a failed stage and end this process. In P1 and W the record
 * goes to the sync pipe and L forwards it; in L it goes to the status
 * pipe, and L takes the half-built sandbox down before it exits.
 */
void jail_fail(struct jail *j, enum gw_jail_stage stage, const char *what,
	       int err)
{
	const char *name = gw_jail_stage_name(stage);

	if (!name)
		name = "unknown";
	int fd = j->report_fd;

	if (fd < 0 && j->role == JAIL_ROLE_L)
		fd = early_status_fd();
	if (fd >= 0)
		(void)jail_write_line(fd, "fail %s %d", name, err);
	jail_say(name, what, err);
	if (j->role == JAIL_ROLE_L && j->p1 > 0) {
		jail_kill_p1(j);
		jail_reap_p1(j, NULL);
		jail_cgroup_remove(j);
	}
	_exit(GW_JAIL_EXIT_BASE + (int)stage);
}

/* Settle a layer once: a later, weaker verdict never hides the first. */
void jail_settle(struct jail *j, enum gw_jail_layer l, enum jail_why why)
{
	if (j->why[l] == JAIL_UNDECIDED)
		j->why[l] = (uint8_t)why;
}

int jail_layer_lookup(const char *name, size_t len)
{
	for (unsigned l = 0; l < GW_JAIL_LAYER_COUNT; l++) {
		const char *s = gw_jail_layer_name(l);

		if (strlen(s) == len && strncmp(s, name, len) == 0)
			return (int)l;
	}
	return -1;
}

int jail_stage_lookup(const char *name, size_t len)
{
	for (unsigned s = 0; s < GW_JAIL_STAGE_COUNT; s++) {
		const char *n = gw_jail_stage_name(s);

		if (strlen(n) == len && strncmp(n, name, len) == 0)
			return (int)s;
	}
	return -1;
}

/* Append ",NAME" or ",NAME:WHY" to line; -EMSGSIZE when it is full. */
static int append(char *line, size_t cap, size_t *len, unsigned l,
		  const char *why)
{
	int n = snprintf(line + *len, cap - *len, "%s%s%s%s",
			 line[*len - 1] == ' ' ? "" : ",",
			 gw_jail_layer_name(l), why ? ":" : "", why ? why : "");

	if (n < 0 || (size_t)n >= cap - *len)
		return -EMSGSIZE;
	*len += (size_t)n;
	return 0;
}

/*
 * Write `layers ...` and then `missing ...` to fd. A `missing` list
 * that would not fit one line goes on as many lines as it takes.
 */
int jail_write_layers(const struct jail *j, int fd)
{
	char line[JAIL_LINE_MAX];
	size_t len;
	int r;

	len = (size_t)snprintf(line, sizeof(line), "layers ");
	for (unsigned l = 0; l < GW_JAIL_LAYER_COUNT; l++)
		if (j->why[l] == JAIL_STANDS &&
		    (r = append(line, sizeof(line) - 1, &len, l, NULL)) < 0)
			return r;
	line[len++] = '\n';
	r = jail_write_all(fd, line, len);

	len = (size_t)snprintf(line, sizeof(line), "missing ");
	for (unsigned l = 0; r == 0 && l < GW_JAIL_LAYER_COUNT; l++) {
		const char *why = jail_why_name(j->why[l]);

		if (j->why[l] == JAIL_STANDS)
			continue;
		if (append(line, sizeof(line) - 1, &len, l, why) < 0) {
			line[len++] = '\n';
			r = jail_write_all(fd, line, len);
			len = (size_t)snprintf(line, sizeof(line), "missing ");
			if (r == 0)
				r = append(line, sizeof(line) - 1, &len, l,
					   why);
		}
	}
	if (r == 0 && len > strlen("missing ")) {
		line[len++] = '\n';
		r = jail_write_all(fd, line, len);
	}
	return r;
}
