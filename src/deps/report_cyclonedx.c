/*
 * The audit as a CycloneDX 1.5 JSON bill of materials: the environment
 * as metadata.component, one component per distinct package (purl
 * pkg:pypi/<normalized name>@<version>, or pkg:conda/...) with its file
 * hashes, one per bundled ELF object, and the advisories as
 * vulnerabilities whose affects name the components, as OWASP
 * Dependency-Track and other SBOM tools read them.
 */
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "deps/audit.h"
#include "gymwarden.h"

static const char *const hash_algs[][2] = {
	{ "sha256", "SHA-256" },
	{ "sha384", "SHA-384" },
	{ "sha512", "SHA-512" },
};

/* pkg:pypi/name@version, pkg:conda/..., or "" for a nameless entry. */
static void purl_of(const struct gw_requirement *q, const char *version,
		    char *out, size_t cap)
{
	bool conda = strcmp(q->group, "conda") == 0;
	char name[400], ver[200];
	int n;

	out[0] = '\0';
	if (!q->norm[0])
		return;
	gw_deps_percent_encode(conda ? q->name : q->norm, "", name,
			       sizeof(name));
	gw_deps_percent_encode(version, "", ver, sizeof(ver));
	n = snprintf(out, cap, "pkg:%s/%s%s%s", conda ? "conda" : "pypi", name,
		     ver[0] ? "@" : "", ver);
	if (n < 0 || (size_t)n >= cap)
		out[0] = '\0'; /* cut, it would name another package */
}

static const char *version_of(const struct gw_deps_report *r, size_t i)
{
	const struct gw_requirement *q = &r->set->reqs[i];

	if (r->audit->matched[i][0])
		return r->audit->matched[i];
	return q->locked ? q->version_text : "";
}

/* The bom-ref of entry i: its purl, or where it was written. */
static void ref_of(const struct gw_deps_report *r, size_t i, char *out,
		   size_t cap)
{
	const struct gw_requirement *q = &r->set->reqs[i];

	purl_of(q, version_of(r, i), out, cap);
	if (q->kind != GW_REQ_NAMED || !out[0])
		snprintf(out, cap, "gymwarden:%s:%u", q->file, q->line);
}

static json_t *hashes_json(const struct gw_requirement *q)
{
	json_t *a = json_array();

	for (size_t i = 0; i < q->nhashes; i++) {
		const char *h = q->hashes[i], *colon = strchr(h, ':');

		for (size_t k = 0; colon && k < 3; k++)
			if (strncmp(h, hash_algs[k][0], (size_t)(colon - h)) ==
				    0 &&
			    strlen(hash_algs[k][0]) == (size_t)(colon - h))
				json_array_append_new(
					a, json_pack("{s:s, s:s}", "alg",
						     hash_algs[k][1], "content",
						     colon + 1));
	}
	return a;
}

static json_t *property(const char *name, const char *value)
{
	return json_pack("{s:s, s:o}", "name", name, "value",
			 gw_deps_json_text(value));
}

static const char *scope_of(const struct gw_deps_report *r, size_t i)
{
	const char *g = r->set->reqs[i].group;

	if (r->audit->state[i] == GW_DEP_NOT_APPLIED)
		return "excluded";
	if (strcmp(g, "default") == 0 || strcmp(g, "conda") == 0)
		return "required";
	return "optional";
}

static json_t *component_json(const struct gw_deps_report *r, size_t i,
			      const char *ref)
{
	const struct gw_requirement *q = &r->set->reqs[i];
	const char *version = version_of(r, i);
	char purl[600], where[PATH_MAX + 16], rel[PATH_MAX];
	json_t *c, *props = json_array();

	purl_of(q, version, purl, sizeof(purl));
	gw_deps_relpath(r->base, q->file, rel, sizeof(rel));
	snprintf(where, sizeof(where), "%s:%u", rel, q->line);
	json_array_append_new(props, property("gymwarden:file", where));
	json_array_append_new(props, property("gymwarden:group", q->group));
	c = json_pack("{s:s, s:o, s:o, s:s, s:o, s:o}", "type", "library",
		      "bom-ref", gw_deps_json_text(ref), "name",
		      gw_deps_json_text(q->name[0] ? q->name : q->url), "scope",
		      scope_of(r, i), "hashes", hashes_json(q), "properties",
		      props);
	if (c && version[0])
		json_object_set_new(c, "version", gw_deps_json_text(version));
	if (c && purl[0] && q->kind == GW_REQ_NAMED)
		json_object_set_new(c, "purl", gw_deps_json_text(purl));
	if (c && q->url[0] && q->kind != GW_REQ_NAMED)
		json_object_set_new(
			c, "externalReferences",
			json_pack("[{s:s, s:o}]", "type",
				  q->kind == GW_REQ_VCS ? "vcs"
							: "distribution",
				  "url", gw_deps_json_text(q->url)));
	return c;
}

static json_t *native_component(const struct gw_deps_report *r, size_t i)
{
	const struct gw_dep_native *n = &r->audit->natives[i];
	char ref[600], mach[32];

	snprintf(ref, sizeof(ref), "gymwarden:native:%s", n->path);
	return json_pack(
		"{s:s, s:o, s:o, s:[o, o]}", "type", "library", "bom-ref",
		gw_deps_json_text(ref), "name",
		gw_deps_json_text(n->elf.soname[0] ? n->elf.soname : n->path),
		"properties", property("gymwarden:path", n->path),
		property("gymwarden:elf-machine",
			 gw_elf_machine_name(n->elf.machine, mach,
					     sizeof(mach))));
}

/* Components, each bom-ref once; refs of all in depends. */
static json_t *components(const struct gw_deps_report *r, json_t *depends)
{
	json_t *list = json_array(), *seen = json_object();
	char ref[600];

	for (size_t i = 0; i < r->set->n; i++) {
		ref_of(r, i, ref, sizeof(ref));
		if (json_object_get(seen, ref) || !json_string(ref))
			continue;
		json_object_set_new(seen, ref, json_true());
		json_array_append_new(list, component_json(r, i, ref));
		json_array_append_new(depends, gw_deps_json_text(ref));
	}
	for (size_t i = 0; i < r->audit->nnative; i++) {
		json_t *c = native_component(r, i);

		json_array_append(depends, json_object_get(c, "bom-ref"));
		json_array_append_new(list, c);
	}
	json_decref(seen);
	return list;
}

static const char *alias_source(const char *alias)
{
	if (strncmp(alias, "CVE-", 4) == 0)
		return "NVD";
	if (strncmp(alias, "GHSA-", 5) == 0)
		return "GitHub";
	return "OSV";
}

static json_t *rating(const struct gw_dep_advisory *a)
{
	json_t *j = json_pack("{s:{s:s}, s:s}", "source", "name", "OSV",
			      "severity", gw_dep_severity_name(a->severity));

	if (j && a->score > 0) {
		json_object_set_new(j, "score", json_real(a->score));
		json_object_set_new(
			j, "method",
			json_string(strncmp(a->vector, "CVSS:3.1", 8) == 0
					    ? "CVSSv31"
					    : "CVSSv3"));
		json_object_set_new(j, "vector", gw_deps_json_text(a->vector));
	}
	return j;
}

static json_t *vulnerability(const struct gw_dep_advisory *a,
			     const struct gw_dep_finding *f)
{
	char url[400];
	json_t *refs = json_array();

	snprintf(url, sizeof(url), "https://osv.dev/vulnerability/%s", a->id);
	for (size_t i = 0; a->aliases && a->aliases[i]; i++)
		json_array_append_new(
			refs,
			json_pack("{s:o, s:{s:s}}", "id",
				  gw_deps_json_text(a->aliases[i]), "source",
				  "name", alias_source(a->aliases[i])));
	return json_pack("{s:o, s:{s:s, s:o}, s:o, s:[o], s:o, s:o, s:[]}",
			 "id", gw_deps_json_text(a->id), "source", "name",
			 "OSV", "url", gw_deps_json_text(url), "references",
			 refs, "ratings", rating(a), "description",
			 gw_deps_json_text(a->summary), "recommendation",
			 gw_deps_json_text(f->remediation), "affects");
}

static bool affects_has(json_t *affects, const char *ref)
{
	json_t *a;
	size_t i;

	json_array_foreach(affects, i, a)
	{
		const char *r = json_string_value(json_object_get(a, "ref"));

		if (r && strcmp(r, ref) == 0)
			return true;
	}
	return false;
}

/* One vulnerability per advisory, its affects listing every component. */
static json_t *vulnerabilities(const struct gw_deps_report *r)
{
	json_t *list = json_array(), *by_id = json_object();
	char ref[600];

	for (size_t i = 0; i < r->audit->n; i++) {
		const struct gw_dep_finding *f = &r->audit->items[i];

		if (f->req < 0)
			continue;
		ref_of(r, (size_t)f->req, ref, sizeof(ref));
		for (size_t k = 0; k < f->nadv; k++) {
			json_t *v = json_object_get(by_id, f->adv[k].id);

			if (!v) {
				v = vulnerability(&f->adv[k], f);
				json_object_set_new(by_id, f->adv[k].id, v);
				json_array_append(list, v);
			}
			if (affects_has(json_object_get(v, "affects"), ref))
				continue;
			json_array_append_new(
				json_object_get(v, "affects"),
				json_pack("{s:o, s:[{s:o, s:s}]}", "ref",
					  gw_deps_json_text(ref), "versions",
					  "version",
					  gw_deps_json_text(f->version),
					  "status", "affected"));
		}
	}
	json_decref(by_id);
	return list;
}

/* A random (version 4) UUID, as RFC 4122 lays it out. */
static void uuid4(char *out, size_t cap)
{
	unsigned char b[16] = { 0 };

	if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b)) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		memcpy(b, &ts, sizeof(ts) < sizeof(b) ? sizeof(ts) : sizeof(b));
	}
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(out, cap,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		 "%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9],
		 b[10], b[11], b[12], b[13], b[14], b[15]);
}

/* Now, or SOURCE_DATE_EPOCH for reproducible documents. */
static void timestamp(char *out, size_t cap)
{
	const char *sde = secure_getenv("SOURCE_DATE_EPOCH");
	time_t t = time(NULL);
	struct tm tm;
	char *end;

	if (sde && sde[0]) {
		long long v = strtoll(sde, &end, 10);

		if (*end == '\0' && v >= 0)
			t = (time_t)v;
	}
	gmtime_r(&t, &tm);
	strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

json_t *gw_deps_report_cyclonedx(const struct gw_deps_report *r)
{
	char uuid[64], serial[80], when[32], name[PATH_MAX];
	const char *slash = strrchr(r->target, '/');
	json_t *depends = json_array(), *comps;

	uuid4(uuid, sizeof(uuid));
	snprintf(serial, sizeof(serial), "urn:uuid:%s", uuid);
	timestamp(when, sizeof(when));
	snprintf(name, sizeof(name), "%s",
		 r->env_id	     ? r->env_id
		 : slash && slash[1] ? slash + 1
				     : r->target);
	comps = components(r, depends);
	return json_pack(
		"{s:s, s:s, s:s, s:i, s:{s:s, s:{s:[{s:s, s:s, s:s}]}, "
		"s:{s:s, s:s, s:o}}, s:o, s:[{s:s, s:o}], s:o}",
		"bomFormat", "CycloneDX", "specVersion", "1.5", "serialNumber",
		serial, "version", 1, "metadata", "timestamp", when, "tools",
		"components", "type", "application", "name", "gymwarden",
		"version", gw_version(), "component", "type", "application",
		"bom-ref", "gymwarden:environment", "name",
		gw_deps_json_text(name), "components", comps, "dependencies",
		"ref", "gymwarden:environment", "dependsOn", depends,
		"vulnerabilities", vulnerabilities(r));
}
