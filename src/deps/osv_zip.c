/*
 * OSV records from a zip file, such as the PyPI/all.zip that osv.dev
 * publishes for osv-scanner's offline mode: every *.json entry is one
 * record. Sizes come from the archive's directory and are checked
 * against GW_OSV_RECORD_MAX_BYTES before anything is inflated; an entry
 * that inflates to another size than it declared is skipped.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "core/error.h"
#include "core/limits.h"
#include "core/log.h"
#include "deps/osv_priv.h"

static bool is_record_name(const char *name)
{
	size_t n = strlen(name);

	return n > 5 && strcmp(name + n - 5, ".json") == 0;
}

/* Entry i inflated into *buf; 1 when it is skipped (and noted). */
static int read_entry(zip_t *z, zip_uint64_t i, const char *path,
		      struct osv_load *ld, char **buf, size_t *alloc,
		      size_t *len)
{
	zip_stat_t st;
	zip_file_t *f;
	zip_int64_t got;

	if (zip_stat_index(z, i, 0, &st) < 0 || !(st.valid & ZIP_STAT_SIZE))
		return -EIO;
	if (st.size > GW_OSV_RECORD_MAX_BYTES) {
		gw_osv_note_skip(ld, path, "larger than a record may be");
		return 1;
	}
	if (st.size + 1 > *alloc) {
		char *p = realloc(*buf, st.size + 1);

		if (!p)
			return -ENOMEM;
		*buf = p;
		*alloc = st.size + 1;
	}
	f = zip_fopen_index(z, i, 0);
	if (!f)
		return -EIO;
	got = zip_fread(f, *buf, st.size);
	zip_fclose(f);
	if (got < 0 || (zip_uint64_t)got != st.size) {
		gw_osv_note_skip(ld, path, "does not inflate to its size");
		return 1;
	}
	*len = (size_t)got;
	return 0;
}

static int load_entries(zip_t *z, const char *zpath, struct osv_load *ld,
			struct gw_error *err)
{
	zip_int64_t n = zip_get_num_entries(z, 0);
	char *buf = NULL, esc[512];
	size_t alloc = 0, len;
	int rc = 0;

	if (n < 0 || (zip_uint64_t)n > 2u * GW_OSV_MAX_RECORDS)
		return gw_error_set(err, -E2BIG, "too many entries");
	for (zip_uint64_t i = 0; rc >= 0 && i < (zip_uint64_t)n; i++) {
		const char *name = zip_get_name(z, i, 0);
		char path[1024];

		if (!name || !is_record_name(name))
			continue;
		snprintf(path, sizeof(path), "%s:%s", zpath, name);
		rc = read_entry(z, i, path, ld, &buf, &alloc, &len);
		if (rc == 0) {
			ld->stats->files++;
			rc = gw_osv_record_add(ld, buf, len, path);
		}
		if (rc < 0) {
			gw_escape(esc, sizeof(esc), path, strlen(path));
			gw_error_set(err, rc, "cannot load %s", esc);
		}
	}
	free(buf);
	return rc < 0 ? rc : 0;
}

int gw_osv_zip_load(struct osv_load *ld, const char *path, struct gw_error *err)
{
	int code = 0;
	zip_t *z = zip_open(path, ZIP_RDONLY, &code);
	int rc;

	if (!z)
		return gw_error_set(
			err, code == ZIP_ER_NOENT ? -ENOENT : -EIO,
			"cannot open the zip file (libzip error %d)", code);
	rc = load_entries(z, path, ld, err);
	zip_discard(z);
	return rc;
}
