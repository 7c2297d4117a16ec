/*
 * The manifest's private layout, for the files of src/manifest, for other
 * library modules (the monitor reads kwargs specs from here) and for
 * tests. The public API in gymwarden.h sees opaque handles.
 */
#ifndef GW_MANIFEST_MANIFEST_PRIV_H
#define GW_MANIFEST_MANIFEST_PRIV_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gymwarden.h"
#include "space/check.h"
#include "space/space.h"
#include "toml/toml.h"

/* Past this many diagnostics the list ends with a note saying so. */
#define GW_MANIFEST_MAX_DIAGS 1000u
/* Longest env id, entry point or path accepted. */
#define GW_MANIFEST_MAX_NAME_BYTES 256u
#define GW_MANIFEST_MAX_PATH_BYTES 4096u

enum gw_param_type {
	GW_PARAM_INT,
	GW_PARAM_FLOAT,
	GW_PARAM_BOOL,
	GW_PARAM_STR,
};

/*
 * What a constructor kwarg or a reset option may be: its type, an
 * optional inclusive range (int, float) and an optional list of choices.
 */
struct gw_param_spec {
	char *name;
	enum gw_param_type type;
	bool has_min, has_max;
	double min, max;    /* exact for int specs up to 2^53 */
	int64_t imin, imax; /* for int specs */
	json_t *choices;    /* array, or NULL */
	json_t *def;	    /* the default, or NULL */
};

struct gw_param_specs {
	size_t len;
	struct gw_param_spec *items;
};

/* One entry of [env.sanitize] fields. */
struct gw_sanitize_field {
	char *field; /* "info.player.email" */
	struct gw_sanitize_action action;
};

/* A custom rule and the strings it owns (rule points into them). */
struct gw_sanitize_rule_store {
	struct gw_sanitize_rule rule;
	char *id, *pattern, *label;
	char **keywords;
};

struct gw_dp_store {
	struct gw_dp_policy p;
	char *field;
};

struct gw_sanitize {
	bool present; /* an [env.sanitize] table was given */
	struct gw_sanitize_action def, text_obs, logs;
	struct gw_sanitize_field *fields;
	size_t n_fields;
	char *key_file; /* absolute, or NULL */
	struct gw_sanitize_rule_store *rules;
	size_t n_rules;
	char **allowlist;
	size_t n_allowlist;
	struct gw_dp_store *dp;
	size_t n_dp;
};

struct gw_manifest_env {
	char *id;
	unsigned line, col; /* of the [[env]] table */
	char *entry_point;
	char *source; /* absolute */
	enum gw_env_api api;
	json_t *kwargs;	   /* object, never NULL */
	char *kwargs_text; /* compact JSON of kwargs */
	struct gw_param_specs allowed_kwargs;
	struct gw_param_specs reset_options;
	uint64_t max_episode_steps;
	char *interpreter;
	char **deps; /* absolute */
	size_t n_deps;
	bool adopt_declared_spaces;
	struct gw_space *action_space;
	struct gw_space *observation_space;
	struct gw_sandbox_limits sandbox;
	struct gw_check_policy checks;
	struct gw_sanitize sanitize;
};

struct gw_diag_store {
	struct gw_manifest_diag d;
	char *field, *message, *hint;
	size_t seq; /* order found, to sort stably */
};

struct gw_manifest {
	char *path; /* as given */
	char *dir;  /* absolute folder of the manifest */
	bool pyproject;
	const char *base; /* "" or "tool.gymwarden" */
	enum gw_vetting vetting;
	char *registry_path;
	char *log_dir;
	struct gw_manifest_env *envs;
	size_t n_envs;
	struct gw_diag_store *diags;
	size_t n_diags, diags_alloc;
	bool diags_cut;
	size_t n_errors, n_warnings;
	struct gw_check check; /* reports through sink */
	struct gw_space_sink sink;
};

/*
 * Load a manifest from len bytes of text as if read from path (whose
 * folder anchors relative paths). The lenient form: see
 * gw_manifest_check.
 */
int gw_manifest_check_text(const char *text, size_t len, const char *path,
			   struct gw_manifest **out, struct gw_error *err);

/* Defaults of a fresh env (documented in docs/manifest.md). */
void gw_manifest_env_defaults(struct gw_manifest_env *e);

/* Parse one [[env]] table into e (already defaulted). */
void gw_manifest_parse_env(struct gw_manifest *m, struct gw_manifest_env *e,
			   const struct gw_toml_value *t, const char *path);

void gw_manifest_parse_sandbox(struct gw_manifest *m,
			       struct gw_sandbox_limits *sb,
			       const struct gw_toml_value *t, const char *path);
void gw_manifest_parse_checks(struct gw_manifest *m, struct gw_check_policy *cp,
			      const struct gw_toml_value *t, const char *path);
void gw_manifest_parse_sanitize(struct gw_manifest *m, struct gw_sanitize *s,
				const struct gw_toml_value *t,
				const char *path);
void gw_manifest_parse_specs(struct gw_manifest *m,
			     struct gw_param_specs *specs,
			     const struct gw_toml_value *t, const char *path,
			     bool identifiers);

/*
 * Whether value satisfies spec; when not, a cause in why ("expected an
 * integer, got a string", "5 is above the maximum 4").
 */
bool gw_param_check(const struct gw_param_spec *spec, const json_t *value,
		    char *why, size_t cap);

/* The spec called name, or NULL. */
const struct gw_param_spec *gw_param_find(const struct gw_param_specs *s,
					  const char *name);

void gw_param_specs_free(struct gw_param_specs *s);

/*
 * A TOML value as JSON for kwargs and options; NULL after reporting a
 * value JSON cannot hold (a date, nan, inf) at field.
 */
json_t *gw_manifest_toml_to_json(struct gw_manifest *m,
				 const struct gw_toml_value *v,
				 const char *field);

/* An absolute, lexically normalised form of rel against dir; malloc'd. */
char *gw_manifest_resolve(const char *dir, const char *rel, size_t len);

/* A malloc'd NUL-terminated copy of a TOML string; NULL on ENOMEM. */
char *gw_manifest_strdup(struct gw_manifest *m, const struct gw_toml_value *v);

/* The whole manifest, normalised, as the JSON of `manifest show`. */
json_t *gw_manifest_to_json(const struct gw_manifest *m);
json_t *gw_manifest_env_to_json(const struct gw_manifest_env *e);

/* Names of the enums, in enum order, NULL-terminated. */
extern const char *const gw_vetting_names[];
extern const char *const gw_env_api_names[];
extern const char *const gw_require_layer_names[];
extern const char *const gw_fault_names[];
extern const char *const gw_policy_names[];
extern const char *const gw_param_type_names[];
extern const char *const gw_sanitize_names[];
extern const char *const gw_dp_on_exhausted_names[];

/* Free what s owns and leave it empty. */
void gw_sanitize_policy_free(struct gw_sanitize *s);
json_t *gw_sanitize_policy_json(const struct gw_sanitize *s);

#endif /* GW_MANIFEST_MANIFEST_PRIV_H */
