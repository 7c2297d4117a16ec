/*
 * The findings of the dependency audit. Every requirement is first given
 * a state (matched at an exact version, not applying to this interpreter,
 * unpinned, or not auditable), then each rule of the table looks at what
 * concerns it: advisories for exact versions, hashes, names that imitate
 * popular ones, index options that let another index answer for a name,
 * and ELF objects shipped in the tree.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/error.h"
#include "deps/audit.h"
#include "deps/read_priv.h"

enum rule_index {
	R_VULNERABLE,
	R_MALICIOUS,
	R_GIT_ONLY,
	R_UNPINNED,
	R_NO_HASH,
	R_TYPOSQUAT,
	R_EXTRA_INDEX,
	R_PRIVATE_INDEX,
	R_TRUSTED_HOST,
	R_REMOTE,
	R_LOCAL,
	R_CONDA,
	R_BAD_VERSION,
	R_NATIVE,
};

static const struct gw_dep_rule rules[] = {
	[R_VULNERABLE] = {
		"GWD001", "vulnerable-version", GW_DEP_HIGH,
		"A dependency is pinned or locked at a version with known "
		"vulnerabilities",
		"The exact version this environment installs is inside the "
		"affected range of one or more advisories of the offline OSV "
		"database. Its severity is the highest CVSS v3 base score "
		"among them (high when an advisory gives no score).",
		"Upgrade to the smallest release named in the finding, which "
		"no advisory of the package affects, and lock it with its "
		"hashes.",
	},
	[R_MALICIOUS] = {
		"GWD002", "malicious-package", GW_DEP_CRITICAL,
		"A dependency is a known malicious package",
		"An OSV record with a MAL- identifier says this package (or "
		"this release of it) was published to attack those who "
		"install it.",
		"Remove the dependency. Treat any machine that installed it "
		"as compromised: rotate the credentials it could read.",
	},
	[R_GIT_ONLY] = {
		"GWD003", "possibly-vulnerable", GW_DEP_MEDIUM,
		"An advisory of a dependency gives only commit ranges",
		"The advisory describes the affected code by git commits, "
		"which do not map to release numbers, so whether this release "
		"is affected cannot be decided offline.",
		"Read the advisory and check the release against the fixing "
		"commit, or upgrade to a release published after the fix.",
	},
	[R_UNPINNED] = {
		"GWD004", "unpinned-requirement", GW_DEP_MEDIUM,
		"A dependency has no exact version",
		"A name with a range (>=0.6.0,<1) or no version at all can "
		"install a different release on every run, so no advisory can "
		"be matched to what will really be installed.",
		"Pin every dependency to one version (==) in a lock or "
		"constraints file, with --hash for each file.",
	},
	[R_NO_HASH] = {
		"GWD005", "missing-hash", GW_DEP_MEDIUM,
		"A pinned dependency has no file hash",
		"Other entries carry hashes (or --require-hashes is set, or "
		"the lock format records them) but this one does not, so a "
		"replaced file on the index would be installed unnoticed.",
		"Add the sha256 hash of every file the release may install "
		"(pip hash FILE, or regenerate the lock file).",
	},
	[R_TYPOSQUAT] = {
		"GWD006", "typosquat-candidate", GW_DEP_HIGH,
		"A dependency's name imitates a popular package",
		"The name is not on the list of popular packages but is one "
		"slip away from a name that is: a swapped or changed letter, "
		"separators, or a py / python prefix or suffix. Malicious "
		"packages are published under such names.",
		"Check the spelling. If the popular package was meant, "
		"correct the name; if not, confirm who publishes this one "
		"before installing it.",
	},
	[R_EXTRA_INDEX] = {
		"GWD007", "extra-index-url", GW_DEP_HIGH,
		"An extra package index is searched beside the main one",
		"pip takes the highest version of a name from any index it "
		"searches, so whoever publishes a private package's name on "
		"the public index can replace it (dependency confusion).",
		"Use one --index-url that serves both private and public "
		"packages, or pin every dependency with --hash.",
	},
	[R_PRIVATE_INDEX] = {
		"GWD008", "private-index-unpinned", GW_DEP_MEDIUM,
		"A private index serves dependencies that are not pinned",
		"The index is not PyPI and some names have no exact version, "
		"so what the index chooses to serve is installed unchecked.",
		"Pin every dependency with == and --hash.",
	},
	[R_TRUSTED_HOST] = {
		"GWD009", "trusted-host", GW_DEP_MEDIUM,
		"TLS certificate checks are turned off for a host",
		"--trusted-host (or verify_ssl = false) lets anyone on the "
		"network path answer for that index.",
		"Serve the index over HTTPS with a valid certificate and drop "
		"the option.",
	},
	[R_REMOTE] = {
		"GWD010", "not-auditable-remote", GW_DEP_MEDIUM,
		"A dependency comes from a URL or a VCS repository",
		"Advisories name released versions; an archive URL or a "
		"repository revision cannot be matched to them, and its "
		"content can change without the file changing.",
		"Depend on a release from the index, or vet that source as "
		"part of the environment.",
	},
	[R_LOCAL] = {
		"GWD011", "not-auditable-local", GW_DEP_LOW,
		"A dependency is installed from a local path",
		"A folder, an archive or an editable install is code beside "
		"the environment, not a release the advisories describe.",
		"Vet that path like the environment's own code.",
	},
	[R_CONDA] = {
		"GWD012", "conda-package", GW_DEP_LOW,
		"A conda package is listed but not matched",
		"The advisory database describes PyPI releases; conda "
		"packages are built by their channels and are listed without "
		"being matched.",
		"Install it from PyPI in the file's pip: section when it must "
		"be audited.",
	},
	[R_BAD_VERSION] = {
		"GWD013", "invalid-version", GW_DEP_MEDIUM,
		"A locked version is not a valid PEP 440 version",
		"Version ranges cannot be evaluated for a version that PEP "
		"440 does not define; it is reported rather than guessed.",
		"Lock a release with a valid version number.",
	},
	[R_NATIVE] = {
		"GWD014", "native-library", GW_DEP_MEDIUM,
		"The environment's tree bundles native code",
		"An ELF shared library or program in the tree runs with no "
		"source to vet and no release to match against advisories.",
		"Build it from source that was vetted, or depend on a "
		"packaged release of the library.",
	},
};

#define N_RULES (sizeof(rules) / sizeof(rules[0]))

size_t gw_dep_rule_count(void)
{
	return N_RULES;
}

const struct gw_dep_rule *gw_dep_rule_at(size_t i)
{
	return i < N_RULES ? &rules[i] : NULL;
}

static const char *const severity_names[] = { "low", "medium", "high",
					      "critical" };

const char *gw_dep_severity_name(enum gw_dep_severity s)
{
	return (unsigned)s <= GW_DEP_CRITICAL ? severity_names[s] : "unknown";
}

int gw_dep_severity_parse(const char *word, enum gw_dep_severity *out)
{
	for (int i = 0; i <= GW_DEP_CRITICAL; i++)
		if (strcmp(word, severity_names[i]) == 0) {
			*out = (enum gw_dep_severity)i;
			return 0;
		}
	return -EINVAL;
}

/* ---- Findings ------------------------------------------------------ */

static struct gw_dep_finding *vadd(struct gw_dep_audit *a, enum rule_index rule,
				   const char *file, unsigned line,
				   const char *fmt, va_list ap)
{
	struct gw_dep_finding *f, *p;

	if (a->n == a->alloc) {
		size_t want = a->alloc ? a->alloc * 2 : 32;

		p = realloc(a->items, want * sizeof(*p));
		if (!p)
			return NULL;
		a->items = p;
		a->alloc = want;
	}
	f = &a->items[a->n++];
	memset(f, 0, sizeof(*f));
	f->rule = &rules[rule];
	f->severity = rules[rule].severity;
	snprintf(f->file, sizeof(f->file), "%s", file ? file : "");
	f->line = line;
	f->req = f->native = -1;
	snprintf(f->remediation, sizeof(f->remediation), "%s",
		 rules[rule].help);
	vsnprintf(f->message, sizeof(f->message), fmt, ap);
	return f;
}

__attribute__((format(printf, 5, 6))) static struct gw_dep_finding *
add(struct gw_dep_audit *a, enum rule_index rule, const char *file,
    unsigned line, const char *fmt, ...)
{
	struct gw_dep_finding *f;
	va_list ap;

	va_start(ap, fmt);
	f = vadd(a, rule, file, line, fmt, ap);
	va_end(ap);
	return f;
}

/* A finding about entry i of s: its place, name and matched version. */
__attribute__((format(printf, 5, 6))) static struct gw_dep_finding *
add_for(struct gw_dep_audit *a, enum rule_index rule,
	const struct gw_dep_set *s, size_t i, const char *fmt, ...)
{
	const struct gw_requirement *r = &s->reqs[i];
	struct gw_dep_finding *f;
	va_list ap;

	va_start(ap, fmt);
	f = vadd(a, rule, r->file, r->line, fmt, ap);
	va_end(ap);
	if (!f)
		return NULL;
	f->req = (long)i;
	snprintf(f->package, sizeof(f->package), "%s", r->norm);
	snprintf(f->version, sizeof(f->version), "%s", a->matched[i]);
	return f;
}

const char *gw_deps_spec_text(const struct gw_specset *s, char *buf, size_t cap)
{
	static const char *const ops[] = {
		[GW_OP_COMPATIBLE] = "~=", [GW_OP_EQ] = "==",
		[GW_OP_NE] = "!=",	   [GW_OP_LT] = "<",
		[GW_OP_LE] = "<=",	   [GW_OP_GT] = ">",
		[GW_OP_GE] = ">=",	   [GW_OP_ARBITRARY] = "===",
	};
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < s->n && used < cap; i++)
		used += (size_t)snprintf(buf + used, cap - used, "%s%s%s",
					 i ? "," : "", ops[s->items[i].op],
					 s->items[i].text);
	return buf;
}

/* ---- States -------------------------------------------------------- */

/* A pinned constraint (-c) for norm, or NULL. */
static const struct gw_requirement *constraint_for(const struct gw_dep_set *s,
						   const char *norm,
						   struct gw_pep440 *v)
{
	for (size_t i = 0; i < s->n; i++) {
		const struct gw_requirement *c = &s->reqs[i];

		if (strcmp(c->group, "constraint") == 0 &&
		    strcmp(c->norm, norm) == 0 &&
		    gw_specset_pinned(&c->spec, v) == 0)
			return c;
	}
	return NULL;
}

/*
 * Whether norm is named by an entry other than a constraint. A constraint
 * of such a name is audited through that entry; one of no other name
 * pins what pip installs as a dependency of a dependency.
 */
static bool required(const struct gw_dep_set *s, const char *norm)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->reqs[i].group, "constraint") != 0 &&
		    strcmp(s->reqs[i].norm, norm) == 0)
			return true;
	return false;
}

static bool is_conda(const struct gw_requirement *r)
{
	return strcmp(r->group, "conda") == 0;
}

/* The state of entry i; its exact version, when it has one, in *v. */
static enum gw_dep_state state_of(const struct gw_dep_set *s, size_t i,
				  const struct gw_marker_env *menv,
				  struct gw_pep440 *v)
{
	const struct gw_requirement *r = &s->reqs[i];

	if (r->marker && gw_marker_eval(r->marker, menv) == 0)
		return GW_DEP_NOT_APPLIED;
	if (r->kind != GW_REQ_NAMED || is_conda(r))
		return GW_DEP_UNAUDITABLE;
	if (r->locked) {
		*v = r->version;
		return r->version_valid ? GW_DEP_AUDITED : GW_DEP_UNAUDITABLE;
	}
	if (strcmp(r->group, "constraint") == 0)
		return gw_specset_pinned(&r->spec, v) == 0 &&
				       !required(s, r->norm)
			       ? GW_DEP_AUDITED
			       : GW_DEP_NOT_APPLIED;
	if (gw_specset_pinned(&r->spec, v) == 0 ||
	    constraint_for(s, r->norm, v))
		return GW_DEP_AUDITED;
	return GW_DEP_UNPINNED;
}

/* ---- Advisories ---------------------------------------------------- */

struct hits {
	struct gw_dep_advisory *adv;
	size_t n, alloc;
	bool failed;
};

static enum gw_dep_severity severity_of(double score)
{
	if (score < 0)
		return GW_DEP_HIGH; /* no usable vector: not known to be low */
	if (score >= 9)
		return GW_DEP_CRITICAL;
	if (score >= 7)
		return GW_DEP_HIGH;
	if (score >= 4)
		return GW_DEP_MEDIUM;
	return GW_DEP_LOW;
}

static void collect(void *arg, const struct gw_osv_hit *h)
{
	struct hits *hs = arg;
	struct gw_dep_advisory *a;

	if (hs->n == hs->alloc) {
		size_t want = hs->alloc ? hs->alloc * 2 : 8;
		void *p = realloc(hs->adv, want * sizeof(*hs->adv));

		if (!p) {
			hs->failed = true;
			return;
		}
		hs->adv = p;
		hs->alloc = want;
	}
	a = &hs->adv[hs->n++];
	a->id = h->id;
	a->summary = h->summary ? h->summary : "";
	a->aliases = h->aliases;
	a->nfixed = h->nfixed;
	a->fixed = h->fixed;
	a->vector = h->severity ? h->severity : "";
	a->score = gw_cvss3_base_score(a->vector);
	a->severity = h->malicious ? GW_DEP_CRITICAL : severity_of(a->score);
	if (a->score < 0)
		a->score = 0;
	a->malicious = h->malicious;
	a->withdrawn = h->withdrawn;
	a->confidence = h->confidence;
}

static void count_live(void *arg, const struct gw_osv_hit *h)
{
	if (!h->withdrawn && h->confidence == GW_OSV_EXACT)
		(*(size_t *)arg)++;
}

static int cmp_version_text(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;
	struct gw_pep440 vx, vy;

	if (gw_pep440_parse(x, strlen(x), &vx) < 0 ||
	    gw_pep440_parse(y, strlen(y), &vy) < 0)
		return strcmp(x, y);
	return gw_pep440_cmp(&vx, &vy);
}

int gw_deps_smallest_upgrade(const struct gw_osv_db *db, const char *norm,
			     const struct gw_pep440 *current,
			     const struct gw_dep_advisory *adv, size_t nadv,
			     char *buf, size_t cap)
{
	const char **cand;
	size_t n = 0, total = 0;
	int rc = -ENOENT;

	for (size_t i = 0; i < nadv; i++)
		total += adv[i].nfixed;
	cand = calloc(total ? total : 1, sizeof(*cand));
	if (!cand)
		return -ENOMEM;
	for (size_t i = 0; i < nadv; i++)
		for (size_t k = 0; k < adv[i].nfixed; k++) {
			struct gw_pep440 v;
			const char *t = adv[i].fixed[k];

			if (gw_pep440_parse(t, strlen(t), &v) == 0 &&
			    gw_pep440_cmp(&v, current) > 0)
				cand[n++] = t;
		}
	qsort(cand, n, sizeof(*cand), cmp_version_text);
	for (size_t i = 0; i < n && rc == -ENOENT; i++) {
		struct gw_pep440 v;
		size_t live = 0;

		gw_pep440_parse(cand[i], strlen(cand[i]), &v);
		if (gw_osv_match(db, norm, &v, count_live, &live) >= 0 &&
		    live == 0) {
			snprintf(buf, cap, "%s", cand[i]);
			rc = 0;
		}
	}
	free(cand);
	return rc;
}

/* "PYSEC-2021-108 (CVE-2021-33503), ..., and 3 more" for those kept. */
static void list_ids(const struct gw_dep_advisory *adv, size_t n, char *buf,
		     size_t cap)
{
	size_t used = 0, i;
	char one[200];

	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		int w = snprintf(
			one, sizeof(one), "%s%s%s%s%s", i ? ", " : "",
			adv[i].id,
			adv[i].aliases && adv[i].aliases[0] ? " (" : "",
			adv[i].aliases && adv[i].aliases[0] ? adv[i].aliases[0]
							    : "",
			adv[i].aliases && adv[i].aliases[0] ? ")" : "");

		if (w < 0 || used + (size_t)w + 24 >= cap)
			break;
		memcpy(buf + used, one, (size_t)w + 1);
		used += (size_t)w;
	}
	if (i < n)
		snprintf(buf + used, cap - used, ", and %zu more", n - i);
}

/* Whether advisory x belongs in a finding of rule. */
static bool belongs(const struct gw_dep_advisory *x, enum rule_index rule)
{
	if (x->withdrawn)
		return false;
	if (rule == R_MALICIOUS)
		return x->malicious;
	if (x->malicious)
		return false;
	return (x->confidence == GW_OSV_GIT) == (rule == R_GIT_ONLY);
}

static void remedy(struct gw_dep_finding *f,
		   const struct gw_dep_audit_config *cfg, const char *norm,
		   const struct gw_pep440 *v)
{
	if (gw_deps_smallest_upgrade(cfg->db, norm, v, f->adv, f->nadv,
				     f->upgrade, sizeof(f->upgrade)) == 0)
		snprintf(f->remediation, sizeof(f->remediation),
			 "upgrade to %s, the smallest release that none of "
			 "these advisories affects, and lock it with its "
			 "hashes",
			 f->upgrade);
	else
		snprintf(f->remediation, sizeof(f->remediation),
			 "no release fixes every advisory: replace the "
			 "package or remove it");
}

/* Move the advisories of hs that belong to rule into one finding. */
static void advisory_finding(struct gw_dep_audit *a,
			     const struct gw_dep_audit_config *cfg,
			     const struct gw_dep_set *s, size_t i,
			     const struct gw_pep440 *v, const struct hits *hs,
			     enum rule_index rule)
{
	static const char *const forms[] = {
		[R_VULNERABLE] = "%s %s is affected by %s",
		[R_MALICIOUS] = "%s %s is a known malicious package: %s",
		[R_GIT_ONLY] = "%s %s may be affected (commit ranges only): %s",
	};
	struct gw_dep_advisory *kept;
	struct gw_dep_finding *f;
	char ids[700];
	size_t n = 0;

	kept = calloc(hs->n ? hs->n : 1, sizeof(*kept));
	if (!kept)
		return;
	for (size_t k = 0; k < hs->n; k++)
		if (belongs(&hs->adv[k], rule))
			kept[n++] = hs->adv[k];
	list_ids(kept, n, ids, sizeof(ids));
	f = n ? add_for(a, rule, s, i, forms[rule], s->reqs[i].name,
			a->matched[i], ids)
	      : NULL;
	if (!f) {
		free(kept);
		return;
	}
	f->adv = kept;
	f->nadv = n;
	if (rule != R_VULNERABLE)
		return;
	f->severity = kept[0].severity;
	for (size_t k = 1; k < n; k++)
		if (kept[k].severity > f->severity)
			f->severity = kept[k].severity;
	remedy(f, cfg, s->reqs[i].norm, v);
}

static void match_advisories(struct gw_dep_audit *a,
			     const struct gw_dep_audit_config *cfg,
			     const struct gw_dep_set *s, size_t i,
			     const struct gw_pep440 *v)
{
	struct hits hs = { 0 };

	if (gw_osv_match(cfg->db, s->reqs[i].norm, v, collect, &hs) >= 0 &&
	    !hs.failed) {
		advisory_finding(a, cfg, s, i, v, &hs, R_MALICIOUS);
		advisory_finding(a, cfg, s, i, v, &hs, R_VULNERABLE);
		advisory_finding(a, cfg, s, i, v, &hs, R_GIT_ONLY);
	}
	free(hs.adv);
}

/* ---- One requirement ----------------------------------------------- */

static bool lock_has_hashes(const char *file)
{
	static const char *const formats[] = { "pipfile.lock", "poetry.lock",
					       "uv.lock", "pylock" };
	const char *fmt = gw_deps_format_of(file);

	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (strcmp(fmt, formats[i]) == 0)
			return true;
	return false;
}

/* A line of pip's format: a requirements file or a conda pip: line. */
static bool pip_line(const struct gw_requirement *r)
{
	const char *fmt = gw_deps_format_of(r->file);

	return strcmp(fmt, "requirements") == 0 ||
	       (strcmp(fmt, "conda") == 0 && !is_conda(r));
}

/* pip checks hashes for every line once one line has them, or when told. */
static bool hash_mode(const struct gw_dep_set *s)
{
	for (size_t i = 0; i < s->nindex; i++)
		if (strcmp(s->index[i].option, "--require-hashes") == 0)
			return true;
	for (size_t i = 0; i < s->n; i++)
		if (s->reqs[i].nhashes && pip_line(&s->reqs[i]))
			return true;
	return false;
}

static void check_hash(struct gw_dep_audit *a, const struct gw_dep_set *s,
		       size_t i, bool mode)
{
	const struct gw_requirement *r = &s->reqs[i];

	if (r->nhashes || is_conda(r) || strcmp(r->group, "constraint") == 0 ||
	    (a->state[i] != GW_DEP_AUDITED && a->state[i] != GW_DEP_NO_DB))
		return;
	if (lock_has_hashes(r->file))
		add_for(a, R_NO_HASH, s, i,
			"%s %s is locked without the hash of any file", r->name,
			a->matched[i]);
	else if (mode && pip_line(r))
		add_for(a, R_NO_HASH, s, i,
			"%s %s has no --hash although hash checking is on "
			"for this install",
			r->name, a->matched[i]);
}

static void check_state(struct gw_dep_audit *a, const struct gw_dep_set *s,
			size_t i)
{
	const struct gw_requirement *r = &s->reqs[i];
	const char *who = r->name[0] ? r->name : r->url;
	char spec[512];

	if (a->state[i] == GW_DEP_UNPINNED) {
		gw_deps_spec_text(&r->spec, spec, sizeof(spec));
		if (spec[0])
			add_for(a, R_UNPINNED, s, i,
				"%s%s is a range, not a version: no advisory "
				"can be matched exactly",
				r->name, spec);
		else
			add_for(a, R_UNPINNED, s, i,
				"%s has no version: any release may be "
				"installed",
				r->name);
	} else if (a->state[i] != GW_DEP_UNAUDITABLE) {
		return;
	} else if (is_conda(r)) {
		add_for(a, R_CONDA, s, i,
			"%s is a conda package (%s): listed, not matched "
			"against PyPI advisories",
			r->name, r->url);
	} else if (r->kind == GW_REQ_URL || r->kind == GW_REQ_VCS ||
		   (r->kind == GW_REQ_EDITABLE && strstr(r->url, "://"))) {
		add_for(a, R_REMOTE, s, i, "%s comes from %s: not audited", who,
			r->url);
	} else if (r->kind == GW_REQ_PATH || r->kind == GW_REQ_EDITABLE) {
		add_for(a, R_LOCAL, s, i,
			"%s is installed from %s%s: not audited", who,
			r->kind == GW_REQ_EDITABLE ? "an editable " : "",
			r->url);
	} else {
		add_for(a, R_BAD_VERSION, s, i,
			"%s is locked at %s, which is not a PEP 440 version",
			r->name, r->version_text);
	}
}

static void check_name(struct gw_dep_audit *a,
		       const struct gw_dep_audit_config *cfg,
		       const struct gw_dep_set *s, size_t i)
{
	const struct gw_requirement *r = &s->reqs[i];
	enum gw_squat_kind k;
	char target[128];

	if (!cfg->popular || r->kind != GW_REQ_NAMED || is_conda(r))
		return;
	k = gw_typosquat_check(cfg->popular, r->norm, target, sizeof(target));
	if (k != GW_SQUAT_NONE)
		add_for(a, R_TYPOSQUAT, s, i,
			"%s looks like the popular package %s (%s)", r->name,
			target, gw_squat_kind_text(k));
}

/* ---- Index options ------------------------------------------------- */

static bool is_pypi_host(const char *host)
{
	static const char *const hosts[] = { "pypi.org", "pypi.python.org",
					     "files.pythonhosted.org" };

	for (size_t i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++)
		if (strcmp(host, hosts[i]) == 0)
			return true;
	return false;
}

static void check_index(struct gw_dep_audit *a, const struct gw_dep_set *s)
{
	size_t unpinned = 0;
	char host[256];

	for (size_t i = 0; i < s->n; i++)
		unpinned += a->state[i] == GW_DEP_UNPINNED;
	for (size_t i = 0; i < s->nindex; i++) {
		const struct gw_index_option *o = &s->index[i];

		if (strcmp(o->option, "--extra-index-url") == 0)
			add(a, R_EXTRA_INDEX, o->file, o->line,
			    "%s is searched beside the main index", o->value);
		else if (strcmp(o->option, "--trusted-host") == 0)
			add(a, R_TRUSTED_HOST, o->file, o->line,
			    "--trusted-host %s turns off its certificate "
			    "checks",
			    o->value);
		else if (strcmp(o->option, "--index-url") == 0 && unpinned &&
			 !is_pypi_host(gw_deps_url_host(o->value, host,
							sizeof(host))))
			add(a, R_PRIVATE_INDEX, o->file, o->line,
			    "--index-url %s is not PyPI and %zu "
			    "dependenc%s unpinned",
			    o->value, unpinned,
			    unpinned == 1 ? "y is" : "ies are");
	}
}

/* ---- Native objects ------------------------------------------------ */

struct native_walk {
	struct gw_dep_audit *a;
};

static bool has_elf_magic(const char *path)
{
	unsigned char m[4];
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	ssize_t n;

	if (fd < 0)
		return false;
	n = read(fd, m, sizeof(m));
	close(fd);
	return n == 4 && m[0] == 0x7f && m[1] == 'E' && m[2] == 'L' &&
	       m[3] == 'F';
}

static int add_native(struct gw_dep_audit *a, const char *rel,
		      struct gw_dep_native **out)
{
	struct gw_dep_native *p;

	if (a->nnative == a->native_alloc) {
		size_t want = a->native_alloc ? a->native_alloc * 2 : 16;

		p = realloc(a->natives, want * sizeof(*p));
		if (!p)
			return -ENOMEM;
		a->natives = p;
		a->native_alloc = want;
	}
	*out = &a->natives[a->nnative++];
	memset(*out, 0, sizeof(**out));
	snprintf((*out)->path, sizeof((*out)->path), "%s", rel);
	return 0;
}

static int visit_native(void *arg, const char *path, const char *rel,
			const char *dir, const char *name)
{
	struct native_walk *w = arg;
	struct gw_dep_native *nat;
	struct gw_dep_finding *f;
	struct gw_error err;
	char mach[32];

	(void)dir;
	(void)name;
	if (!has_elf_magic(path))
		return 0;
	if (add_native(w->a, rel, &nat) < 0)
		return -ENOMEM;
	gw_error_clear(&err);
	if (gw_elf_parse_file(path, &nat->elf, &err) < 0)
		f = add(w->a, R_NATIVE, path, 1,
			"%s is an ELF file whose headers cannot be read (%s)",
			rel, err.msg);
	else
		f = add(w->a, R_NATIVE, path, 1,
			"%s%s%s is bundled: ELF%u %s %s",
			nat->elf.soname[0] ? nat->elf.soname : rel,
			nat->elf.soname[0] ? " in " : "",
			nat->elf.soname[0] ? rel : "", nat->elf.elf_class,
			gw_elf_machine_name(nat->elf.machine, mach,
					    sizeof(mach)),
			gw_elf_type_name(nat->elf.type));
	if (f) {
		f->native = (long)(nat - w->a->natives);
		snprintf(f->package, sizeof(f->package), "%s", nat->elf.soname);
	}
	return 0;
}

/* ---- The audit ----------------------------------------------------- */

static int by_place(const void *x, const void *y)
{
	const struct gw_dep_finding *a = x, *b = y;
	int c = strcmp(a->file, b->file);

	if (c)
		return c;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	c = strcmp(a->rule->id, b->rule->id);
	return c ? c : strcmp(a->package, b->package);
}

static int audit_entries(struct gw_dep_audit *a,
			 const struct gw_dep_audit_config *cfg,
			 const struct gw_dep_set *s)
{
	struct gw_marker_env host;
	const struct gw_marker_env *menv = cfg->menv;
	bool mode = hash_mode(s);

	if (!menv) {
		gw_marker_env_host(&host);
		menv = &host;
	}
	a->state = calloc(s->n ? s->n : 1, sizeof(*a->state));
	a->matched = calloc(s->n ? s->n : 1, sizeof(*a->matched));
	if (!a->state || !a->matched)
		return -ENOMEM;
	a->nstate = s->n;
	for (size_t i = 0; i < s->n; i++) {
		struct gw_pep440 v;

		a->state[i] = state_of(s, i, menv, &v);
		if (a->state[i] == GW_DEP_AUDITED)
			gw_pep440_format(&v, a->matched[i],
					 sizeof(a->matched[i]));
		if (a->state[i] == GW_DEP_AUDITED && !cfg->db)
			a->state[i] = GW_DEP_NO_DB;
		if (a->state[i] == GW_DEP_AUDITED)
			match_advisories(a, cfg, s, i, &v);
		check_name(a, cfg, s, i);
		check_state(a, s, i);
		check_hash(a, s, i, mode);
	}
	check_index(a, s);
	return 0;
}

int gw_deps_audit(const struct gw_dep_set *s,
		  const struct gw_dep_audit_config *cfg,
		  struct gw_dep_audit *out, struct gw_error *err)
{
	struct native_walk w = { out };
	int rc;

	gw_error_clear(&out->first_error);
	rc = audit_entries(out, cfg, s);
	if (rc < 0)
		return gw_error_set(err, rc, "out of memory");
	if (cfg->tree) {
		rc = gw_deps_walk(cfg->tree, visit_native, &w,
				  &out->first_error);
		if (rc < 0) {
			out->partial = true;
			if (err && err->code == 0)
				*err = out->first_error;
		}
	}
	if (out->n)
		qsort(out->items, out->n, sizeof(*out->items), by_place);
	return rc < 0 ? rc : 0;
}

void gw_dep_audit_free(struct gw_dep_audit *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->n; i++)
		free(a->items[i].adv);
	free(a->items);
	free(a->state);
	free(a->matched);
	free(a->natives);
	memset(a, 0, sizeof(*a));
}
