#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/error.h"

void gw_error_clear(struct gw_error *err)
{
	if (!err)
		return;
	memset(err, 0, sizeof(*err));
	err->step = -1;
}

const char *gw_error_kind_name(enum gw_error_kind kind)
{
	static const char *const names[] = {
		[GW_ERR_NONE] = "none",
		[GW_ERR_SYSTEM] = "GymwardenError",
		[GW_ERR_USAGE] = "GymwardenError",
		[GW_ERR_MANIFEST] = "ManifestError",
		[GW_ERR_NOT_APPROVED] = "NotApproved",
		[GW_ERR_SPEC_MISMATCH] = "SpecMismatch",
		[GW_ERR_ACTION] = "ActionError",
		[GW_ERR_OBSERVATION] = "ObservationError",
		[GW_ERR_REWARD] = "RewardError",
		[GW_ERR_INFO] = "InfoError",
		[GW_ERR_FLAGS] = "FlagError",
		[GW_ERR_CRASHED] = "EnvCrashed",
		[GW_ERR_TIMEOUT] = "EnvTimeout",
		[GW_ERR_SANDBOX] = "SandboxViolation",
		[GW_ERR_LIMIT] = "ResourceLimitExceeded",
	};

	if ((unsigned)kind >= sizeof(names) / sizeof(names[0]))
		return "GymwardenError";
	return names[kind];
}

static int set_msg(struct gw_error *err, int code, unsigned line, unsigned col,
		   const char *fmt, va_list ap)
{
	if (!err || err->code != 0)
		return code;

	err->code = code;
	err->line = line;
	err->col = col;
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	return code;
}

int gw_error_set(struct gw_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_msg(err, code, 0, 0, fmt, ap);
	va_end(ap);
	return code;
}

int gw_error_set_at(struct gw_error *err, int code, unsigned line, unsigned col,
		    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_msg(err, code, line, col, fmt, ap);
	va_end(ap);
	return code;
}

int gw_error_set_kind(struct gw_error *err, int code, enum gw_error_kind kind,
		      int64_t step)
{
	if (!err || (err->kind != GW_ERR_NONE && err->kind != GW_ERR_SYSTEM))
		return code;
	err->kind = kind;
	err->step = step;
	return code;
}

void gw_error_where(struct gw_error *err, const char *file, const char *field)
{
	if (!err)
		return;
	if (file)
		snprintf(err->file, sizeof(err->file), "%s", file);
	if (field)
		snprintf(err->field, sizeof(err->field), "%s", field);
}

int gw_error_format(const struct gw_error *err, char *buf, size_t cap)
{
	char pos[64] = "";

	if (err->line && err->col)
		snprintf(pos, sizeof(pos), ":%u:%u", err->line, err->col);
	else if (err->line)
		snprintf(pos, sizeof(pos), ":%u", err->line);

	return snprintf(buf, cap, "%s%s%s%s%s%s", err->file, pos,
			(err->file[0] || pos[0]) ? ": " : "", err->field,
			err->field[0] ? ": " : "", err->msg);
}
