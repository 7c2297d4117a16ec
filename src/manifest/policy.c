/*
 * [env.sandbox] and [env.checks]: resource limits with
 * their units, the layers a sandbox must enforce, and what to do about
 * each class of fault at the boundary.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "manifest/manifest_priv.h"
#include "manifest/units.h"

const char *const gw_require_layer_names[] = {
	"user",	  "pid",     "mount",	 "net",	    "ipc",	     "uts",
	"cgroup", "seccomp", "landlock", "rlimits", "cgroup-limits", NULL,
};

const char *const gw_fault_names[] = {
	"shape",  "nonfinite", "bounds", "overshoot", "dtype_drift",
	"reward", "flags",     "info",	 "action",    NULL,
};

const char *const gw_policy_names[] = { "reject", "clip",      "cast",
					"warn",	  "terminate", NULL };

static const char *const on_violation_names[] = { "kill", "errno", NULL };

static const char *const sandbox_keys[] = {
	"memory",     "processes", "cpu_time",	   "file_size",
	"open_files", "tmp_size",  "step_timeout", "reset_timeout",
	"lifetime",   "require",   "on_violation", NULL,
};

#define P(x) (1u << GW_POLICY_##x)

/*
 * Which policies make sense for which fault. A wrong shape cannot be
 * clipped or passed on (the slot has the pinned size); an action comes
 * from the trainer, so ending the worker for it would punish the wrong
 * side.
 */
static const unsigned allowed_policies[GW_FAULT_COUNT] = {
	[GW_FAULT_SHAPE] = P(REJECT) | P(TERMINATE),
	[GW_FAULT_NONFINITE] = P(REJECT) | P(TERMINATE) | P(WARN),
	[GW_FAULT_BOUNDS] = P(REJECT) | P(CLIP) | P(TERMINATE) | P(WARN),
	[GW_FAULT_OVERSHOOT] = P(CLIP) | P(REJECT) | P(TERMINATE) | P(WARN),
	[GW_FAULT_DTYPE_DRIFT] = P(CAST) | P(REJECT) | P(TERMINATE),
	[GW_FAULT_REWARD] = P(REJECT) | P(CLIP) | P(TERMINATE) | P(WARN),
	[GW_FAULT_FLAGS] = P(REJECT) | P(CAST) | P(TERMINATE),
	[GW_FAULT_INFO] = P(REJECT) | P(TERMINATE) | P(WARN),
	[GW_FAULT_ACTION] = P(REJECT) | P(CLIP) | P(CAST),
};

#define MAX_COUNT	   (1u << 20)
#define MAX_OVERSHOOT_ULPS 65536

const char *gw_require_layer_name(enum gw_require_layer layer)
{
	return (unsigned)layer < GW_REQUIRE_COUNT
		       ? gw_require_layer_names[layer]
		       : "?";
}

const char *gw_fault_name(enum gw_fault fault)
{
	return (unsigned)fault < GW_FAULT_COUNT ? gw_fault_names[fault] : "?";
}

const char *gw_policy_name(enum gw_policy policy)
{
	return (unsigned)policy <= GW_POLICY_TERMINATE ? gw_policy_names[policy]
						       : "?";
}

/* A size ("512M") or duration ("10s") key into *out; > 0. */
static void unit_key(struct gw_manifest *m, const struct gw_toml_value *t,
		     const char *path, const char *key, bool duration,
		     uint64_t *out)
{
	const struct gw_toml_value *v = gw_toml_get(t, key);
	char field[GW_FIELD_MAX_BYTES], esc[64];
	const char *hint = duration ? "write a number and a unit: ms, s, m "
				      "or h, e.g. \"10s\""
				    : "write bytes, or a number with K, M, G "
				      "or T (powers of 1024), e.g. \"512M\"";
	uint64_t val = 0;
	int r;

	if (!v)
		return;
	gw_check_path_key(field, sizeof(field), path, key, strlen(key));
	if (v->type == GW_TOML_INTEGER && !duration) {
		if (v->u.i > 0)
			*out = (uint64_t)v->u.i;
		else
			gw_check_error(&m->check, v, field, NULL,
				       "must be more than zero");
		return;
	}
	if (v->type != GW_TOML_STRING) {
		gw_check_error(&m->check, v, field, hint, "expected %s, got %s",
			       duration ? "a duration string" : "a size",
			       gw_check_type_phrase(v->type));
		return;
	}
	r = duration ? gw_parse_duration(v->u.s.ptr, v->u.s.len, &val)
		     : gw_parse_size(v->u.s.ptr, v->u.s.len, &val);
	gw_check_quote(esc, sizeof(esc), v->u.s.ptr, v->u.s.len);
	if (r == -ERANGE)
		gw_check_error(&m->check, v, field, NULL, "\"%s\" is too large",
			       esc);
	else if (r < 0)
		gw_check_error(&m->check, v, field, hint, "\"%s\" is not a %s",
			       esc, duration ? "duration" : "size");
	else if (val == 0)
		gw_check_error(&m->check, v, field, NULL,
			       "must be more than zero");
	else
		*out = val;
}

static void count_key(struct gw_manifest *m, const struct gw_toml_value *t,
		      const char *path, const char *key, uint64_t *out)
{
	const struct gw_toml_value *v = gw_toml_get(t, key);
	char field[GW_FIELD_MAX_BYTES];

	if (!v)
		return;
	gw_check_path_key(field, sizeof(field), path, key, strlen(key));
	if (!gw_check_type(&m->check, v, field, GW_TOML_INTEGER))
		return;
	if (v->u.i < 1 || v->u.i > MAX_COUNT)
		gw_check_error(&m->check, v, field, NULL,
			       "must be between 1 and %u, got %" PRId64,
			       MAX_COUNT, v->u.i);
	else
		*out = (uint64_t)v->u.i;
}

static void parse_require(struct gw_manifest *m, struct gw_sandbox_limits *sb,
			  const struct gw_toml_value *t, const char *path)
{
	const struct gw_toml_value *v = gw_toml_get(t, "require");
	char base[GW_FIELD_MAX_BYTES], field[GW_FIELD_MAX_BYTES];

	gw_check_path_key(base, sizeof(base), path, "require", 7);
	if (!v || !gw_check_type(&m->check, v, base, GW_TOML_ARRAY))
		return;
	for (size_t i = 0; i < v->u.arr.len; i++) {
		const struct gw_toml_value *item = v->u.arr.items[i];
		int layer;

		gw_check_path_index(field, sizeof(field), base, i);
		layer = gw_check_choice(&m->check, item, field,
					gw_require_layer_names);
		if (layer < 0)
			continue;
		if (sb->require_mask & (1u << layer))
			gw_check_report(&m->check, GW_SEVERITY_WARNING,
					item->line, item->col, field, NULL,
					"layer \"%s\" is listed twice",
					gw_require_layer_names[layer]);
		sb->require_mask |= 1u << layer;
	}
}

/* A limit the worker cannot start under: a warning where it is written. */
static void too_small(struct gw_manifest *m, const struct gw_toml_value *t,
		      const char *path, const char *key, uint64_t value,
		      uint64_t min, const char *why)
{
	const struct gw_toml_value *v = gw_toml_get(t, key);
	char field[GW_FIELD_MAX_BYTES];

	if (!v || value >= min)
		return;
	gw_check_path_key(field, sizeof(field), path, key, strlen(key));
	gw_check_report(&m->check, GW_SEVERITY_WARNING, v->line, v->col, field,
			NULL, "%s", why);
}

void gw_manifest_parse_sandbox(struct gw_manifest *m,
			       struct gw_sandbox_limits *sb,
			       const struct gw_toml_value *t, const char *path)
{
	const struct gw_toml_value *v;
	char field[GW_FIELD_MAX_BYTES];
	int i;

	gw_check_keys(&m->check, t, path, sandbox_keys);
	unit_key(m, t, path, "memory", false, &sb->memory_bytes);
	count_key(m, t, path, "processes", &sb->processes);
	unit_key(m, t, path, "cpu_time", true, &sb->cpu_time_ns);
	unit_key(m, t, path, "file_size", false, &sb->file_size_bytes);
	count_key(m, t, path, "open_files", &sb->open_files);
	unit_key(m, t, path, "tmp_size", false, &sb->tmp_size_bytes);
	unit_key(m, t, path, "step_timeout", true, &sb->step_timeout_ns);
	unit_key(m, t, path, "reset_timeout", true, &sb->reset_timeout_ns);
	unit_key(m, t, path, "lifetime", true, &sb->lifetime_ns);
	parse_require(m, sb, t, path);

	v = gw_toml_get(t, "on_violation");
	gw_check_path_key(field, sizeof(field), path, "on_violation", 12);
	if (v &&
	    (i = gw_check_choice(&m->check, v, field, on_violation_names)) >= 0)
		sb->on_violation = (enum gw_on_violation)i;

	/* Whichever of the two is written is where the warning points. */
	v = gw_toml_get(t, "step_timeout");
	if (!v)
		v = gw_toml_get(t, "lifetime");
	if (v && sb->step_timeout_ns > sb->lifetime_ns) {
		gw_check_path_key(field, sizeof(field), path,
				  gw_toml_get(t, "step_timeout")
					  ? "step_timeout"
					  : "lifetime",
				  gw_toml_get(t, "step_timeout") ? 12 : 8);
		gw_check_report(&m->check, GW_SEVERITY_WARNING, v->line, v->col,
				field, NULL,
				"step_timeout is longer than lifetime");
	}
	too_small(m, t, path, "memory", sb->memory_bytes, GW_SANDBOX_MIN_MEMORY,
		  "the worker (Python and numpy) cannot start in less address "
		  "space than 64M");
	too_small(m, t, path, "open_files", sb->open_files,
		  GW_SANDBOX_MIN_OPEN_FILES,
		  "the launcher and the interpreter need at least 16 open "
		  "files");
	too_small(m, t, path, "lifetime", sb->lifetime_ns,
		  GW_SANDBOX_MIN_LIFETIME_NS,
		  "a worker needs about a second to start: shorter lifetimes "
		  "end it before its first reset");
}

static void policy_key(struct gw_manifest *m, struct gw_check_policy *cp,
		       const struct gw_toml_kv *kv, int fault,
		       const char *field)
{
	char hint[160];
	size_t n = 0;
	int p = gw_check_choice(&m->check, kv->value, field, gw_policy_names);

	if (p < 0)
		return;
	if (!(allowed_policies[fault] & (1u << p))) {
		n = (size_t)snprintf(hint, sizeof(hint), "%s allows",
				     gw_fault_names[fault]);
		for (int k = 0, first = 1; gw_policy_names[k]; k++) {
			if (!(allowed_policies[fault] & (1u << k)) ||
			    n >= sizeof(hint))
				continue;
			n += (size_t)snprintf(hint + n, sizeof(hint) - n,
					      "%s %s", first ? ":" : ",",
					      gw_policy_names[k]);
			first = 0;
		}
		gw_check_error(&m->check, kv->value, field, hint,
			       "policy \"%s\" does not apply to %s faults",
			       gw_policy_names[p], gw_fault_names[fault]);
		return;
	}
	cp->policy[fault] = (enum gw_policy)p;
	if (p == GW_POLICY_WARN &&
	    (fault == GW_FAULT_NONFINITE || fault == GW_FAULT_BOUNDS))
		gw_check_report(&m->check, GW_SEVERITY_WARNING, kv->value->line,
				kv->value->col, field, NULL,
				"policy \"warn\" lets %s faults reach the "
				"trainer",
				gw_fault_names[fault]);
}

static void reward_range(struct gw_manifest *m, struct gw_check_policy *cp,
			 const struct gw_toml_value *v, const char *field)
{
	double r[2];

	if (!gw_check_type(&m->check, v, field, GW_TOML_ARRAY))
		return;
	if (v->u.arr.len != 2) {
		gw_check_error(&m->check, v, field, "e.g. [-1.0, 1.0]",
			       "expected [min, max], got %zu items",
			       v->u.arr.len);
		return;
	}
	for (int k = 0; k < 2; k++) {
		const struct gw_toml_value *x = v->u.arr.items[k];

		if ((x->type != GW_TOML_INTEGER && x->type != GW_TOML_FLOAT) ||
		    (x->type == GW_TOML_FLOAT && isnan(x->u.f))) {
			gw_check_error(&m->check, x, field, NULL,
				       "expected a number, got %s",
				       x->type == GW_TOML_FLOAT
					       ? "nan"
					       : gw_check_type_phrase(x->type));
			return;
		}
		r[k] = x->type == GW_TOML_INTEGER ? (double)x->u.i : x->u.f;
	}
	if (r[0] > r[1]) {
		gw_check_error(&m->check, v, field, NULL,
			       "min %g is greater than max %g", r[0], r[1]);
		return;
	}
	cp->has_reward_range = true;
	cp->reward_min = r[0];
	cp->reward_max = r[1];
}

static void overshoot_ulps(struct gw_manifest *m, struct gw_check_policy *cp,
			   const struct gw_toml_value *v, const char *field)
{
	if (!gw_check_type(&m->check, v, field, GW_TOML_INTEGER))
		return;
	if (v->u.i < 0 || v->u.i > MAX_OVERSHOOT_ULPS) {
		gw_check_error(&m->check, v, field, NULL,
			       "must be between 0 and %d, got %" PRId64,
			       MAX_OVERSHOOT_ULPS, v->u.i);
		return;
	}
	cp->overshoot_ulps = (uint32_t)v->u.i;
}

void gw_manifest_parse_checks(struct gw_manifest *m, struct gw_check_policy *cp,
			      const struct gw_toml_value *t, const char *path)
{
	static const char *const extra[] = { "overshoot_ulps", "reward_range",
					     NULL };
	const char *keys[GW_FAULT_COUNT + 3];
	char field[GW_FIELD_MAX_BYTES];
	const struct gw_toml_value *rv;

	for (int k = 0; k < GW_FAULT_COUNT; k++)
		keys[k] = gw_fault_names[k];
	keys[GW_FAULT_COUNT] = extra[0];
	keys[GW_FAULT_COUNT + 1] = extra[1];
	keys[GW_FAULT_COUNT + 2] = NULL;
	gw_check_keys(&m->check, t, path, keys);

	for (size_t i = 0; i < t->u.tab.len; i++) {
		const struct gw_toml_kv *kv = &t->u.tab.kvs[i];
		int fault = gw_check_word(kv->key, kv->key_len, gw_fault_names);

		gw_check_path_key(field, sizeof(field), path, kv->key,
				  kv->key_len);
		if (fault >= 0)
			policy_key(m, cp, kv, fault, field);
		else if (gw_check_word(kv->key, kv->key_len, extra) == 0)
			overshoot_ulps(m, cp, kv->value, field);
		else if (gw_check_word(kv->key, kv->key_len, extra) == 1)
			reward_range(m, cp, kv->value, field);
	}

	rv = gw_toml_get(t, "reward");
	gw_check_path_key(field, sizeof(field), path, "reward", 6);
	if (rv && cp->policy[GW_FAULT_REWARD] == GW_POLICY_CLIP &&
	    !cp->has_reward_range)
		gw_check_error(&m->check, rv, field,
			       "add reward_range = [min, max]",
			       "policy \"clip\" for rewards needs a "
			       "reward_range");
}
