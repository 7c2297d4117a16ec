/*
 * The reviewer's configuration for `vet` (--config FILE): a TOML file
 * with a [vet] table. It must live outside the vetted tree, so a tree
 * cannot configure its own review.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/limits.h"
#include "toml/toml.h"
#include "vet/vet.h"

/* path inside root (or root itself)? Both resolved through symlinks. */
static bool inside(const char *path, const char *root)
{
	char p[PATH_MAX], r[PATH_MAX];
	size_t n;

	if (!realpath(path, p) || !realpath(root, r))
		return false;
	n = strlen(r);
	if (n == 1)
		return true;
	return strncmp(p, r, n) == 0 && (p[n] == '/' || p[n] == '\0');
}

static int get_uint(const struct gw_toml_value *t, const char *key,
		    uint64_t max, uint64_t *out, struct gw_error *err)
{
	const struct gw_toml_value *v = gw_toml_get(t, key);

	if (!v)
		return 0;
	if (v->type != GW_TOML_INTEGER || v->u.i < 1 || (uint64_t)v->u.i > max)
		return gw_error_set_at(err, -EINVAL, v->line, v->col,
				       "vet.%s: expected an integer from 1 to "
				       "%llu",
				       key, (unsigned long long)max);
	*out = (uint64_t)v->u.i;
	return 1;
}

static int get_strings(const struct gw_toml_value *t, const char *key,
		       char ***out, size_t *n, struct gw_error *err)
{
	const struct gw_toml_value *v = gw_toml_get(t, key);
	char **list;

	*out = NULL;
	*n = 0;
	if (!v)
		return 0;
	if (v->type != GW_TOML_ARRAY)
		return gw_error_set_at(err, -EINVAL, v->line, v->col,
				       "vet.%s: expected an array of strings",
				       key);
	list = calloc(v->u.arr.len + 1, sizeof(*list));
	if (!list)
		return -ENOMEM;
	for (size_t i = 0; i < v->u.arr.len; i++) {
		const struct gw_toml_value *s = v->u.arr.items[i];

		if (s->type != GW_TOML_STRING) {
			for (size_t k = 0; k < i; k++)
				free(list[k]);
			free(list);
			return gw_error_set_at(err, -EINVAL, s->line, s->col,
					       "vet.%s: expected strings", key);
		}
		list[i] = strdup(s->u.s.ptr);
		if (!list[i]) {
			for (size_t k = 0; k < i; k++)
				free(list[k]);
			free(list);
			return -ENOMEM;
		}
	}
	*out = list;
	*n = v->u.arr.len;
	return 0;
}

static int apply(struct gw_vet_config *cfg, const struct gw_toml_value *t,
		 struct gw_error *err)
{
	const struct gw_toml_value *v;
	char **disable = NULL;
	size_t n_disable = 0;
	uint64_t u;
	int r;

	v = gw_toml_get(t, "honor_suppressions");
	if (v && v->type != GW_TOML_BOOL)
		return gw_error_set_at(err, -EINVAL, v->line, v->col,
				       "vet.honor_suppressions: expected a "
				       "boolean");
	if (v)
		cfg->honor_suppressions = v->u.b;
	if ((r = get_uint(t, "max_file_bytes", 1ull << 30, &u, err)) < 0)
		return r;
	if (r)
		cfg->max_file_bytes = (size_t)u;
	if ((r = get_uint(t, "blob_min_chars", 1u << 20, &u, err)) < 0)
		return r;
	if (r)
		cfg->blob_min_chars = (unsigned)u;
	if ((r = get_uint(t, "entropy_min_len", 1u << 16, &u, err)) < 0)
		return r;
	if (r)
		cfg->entropy_min_len = (unsigned)u;
	if ((r = get_uint(t, "hidden_ws_cols", 1u << 16, &u, err)) < 0)
		return r;
	if (r)
		cfg->hidden_ws_cols = (unsigned)u;
	if ((r = get_uint(t, "tool_timeout", 86400, &u, err)) < 0)
		return r;
	if (r)
		cfg->tool_timeout_s = (unsigned)u;
	v = gw_toml_get(t, "entropy_min_bits");
	if (v && ((v->type != GW_TOML_FLOAT && v->type != GW_TOML_INTEGER)))
		return gw_error_set_at(
			err, -EINVAL, v->line, v->col,
			"vet.entropy_min_bits: expected a number");
	if (v)
		cfg->entropy_min_bits =
			v->type == GW_TOML_FLOAT ? v->u.f : (double)v->u.i;

	if ((r = get_strings(t, "exclude", &cfg->exclude, &cfg->n_exclude,
			     err)) < 0)
		return r;
	if ((r = get_strings(t, "disable", &disable, &n_disable, err)) < 0)
		return r;
	for (size_t i = 0; i < n_disable && r == 0; i++) {
		const struct gw_vet_rule *rule = gw_vet_rule_find(disable[i]);

		if (!rule)
			r = gw_error_set(err, -EINVAL,
					 "vet.disable: no rule named %s",
					 disable[i]);
		else
			cfg->disabled[rule - gw_vet_rules] = true;
	}
	for (size_t i = 0; i < n_disable; i++)
		free(disable[i]);
	free(disable);
	return r;
}

int gw_vet_config_load(struct gw_vet_config *cfg, const char *path,
		       const char *root, struct gw_error *err)
{
	struct gw_toml_value *doc = NULL;
	const struct gw_toml_value *t;
	struct gw_buf b;
	int r;

	if (root && inside(path, root))
		return gw_error_set(
			err, -EPERM,
			"%s is inside the vetted tree; a tree cannot "
			"configure its own review",
			path);
	gw_buf_init(&b, GW_VET_CONFIG_MAX_BYTES);
	if ((r = gw_buf_read_file(&b, path, err)) < 0)
		goto out;
	if ((r = gw_toml_parse(b.data ? b.data : "", b.len, path, &doc, err)) <
	    0)
		goto out;
	t = gw_toml_get(doc, "vet");
	if (t && t->type != GW_TOML_TABLE) {
		r = gw_error_set_at(err, -EINVAL, t->line, t->col,
				    "vet: expected a table");
		goto out;
	}
	if (t)
		r = apply(cfg, t, err);
	if (r == 0 && !(cfg->path = strdup(path)))
		r = -ENOMEM;
out:
	if (r < 0)
		gw_error_where(err, path, NULL);
	gw_toml_free(doc);
	gw_buf_free(&b);
	return r;
}
