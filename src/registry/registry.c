/*
 * Opening and closing a registry: the file made private before SQLite
 * sees it (0600 in 0700 folders), WAL mode, hardened connection
 * settings, and the schema brought up to date.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/error.h"
#include "core/limits.h"
#include "core/log.h"
#include "registry/registry_priv.h"

/* mkdir -p of path's folders; the ones made here get mode 0700. */
static int make_parents(const char *path, struct gw_error *err)
{
	char dir[GW_TREE_MAX_PATH_BYTES];
	size_t n = strlen(path);

	if (n >= sizeof(dir))
		return gw_error_set(err, -ENAMETOOLONG, "path too long");
	memcpy(dir, path, n + 1);
	for (size_t i = 1; i < n; i++) {
		if (dir[i] != '/')
			continue;
		dir[i] = '\0';
		if (mkdir(dir, 0700) == 0)
			chmod(dir, 0700);
		else if (errno != EEXIST)
			return gw_error_set(err, -errno, "make folder %s: %s",
					    dir, strerror(errno));
		dir[i] = '/';
	}
	return 0;
}

/*
 * Create the database file ourselves, 0600 whatever the umask: SQLite
 * gives its -wal and -shm files the mode of the database.
 */
static int make_file(const char *path, struct gw_error *err)
{
	int fd, r;

	r = make_parents(path, err);
	if (r < 0)
		return r;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	if (fd < 0 && errno == EEXIST)
		return 0;
	if (fd < 0)
		return gw_error_set(err, -errno, "create: %s", strerror(errno));
	r = fchmod(fd, 0600) < 0 ? -errno : 0;
	close(fd);
	return r < 0 ? gw_error_set(err, r, "chmod: %s", strerror(-r)) : 0;
}

/* Whoever can write the registry can approve: say so when others can. */
static void check_mode(const char *path)
{
	struct stat st;

	if (stat(path, &st) == 0 && (st.st_mode & 022))
		gw_log(GW_LOG_WARN,
		       "open registry %s: writable by others (mode %04o): "
		       "anyone who can write it can approve environments",
		       path, (unsigned)(st.st_mode & 07777));
}

static int configure(struct gw_registry *reg, struct gw_error *err)
{
	sqlite3 *db = reg->db;

	sqlite3_extended_result_codes(db, 1);
	sqlite3_busy_timeout(db, GW_REGISTRY_BUSY_TIMEOUT_MS);
	/* A registry file is data: no schema-defined functions, no
	 * writable_schema tricks, no shadow-table writes. */
	sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
	sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, NULL);
	if (gw_sql_exec(reg, "PRAGMA foreign_keys = ON", err) < 0)
		return err ? err->code : -EIO;
	if (reg->readonly)
		return 0;
	return gw_sql_exec(reg,
			   "PRAGMA journal_mode = WAL;"
			   "PRAGMA synchronous = FULL",
			   err);
}

static int open_db(struct gw_registry *reg, unsigned flags,
		   struct gw_error *err)
{
	int oflags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
	struct stat st;

	if (flags & GW_REGISTRY_READONLY)
		oflags |= SQLITE_OPEN_READONLY;
	else
		oflags |= SQLITE_OPEN_READWRITE;
	if (stat(reg->path, &st) < 0 && errno == ENOENT)
		return gw_error_set(err, -ENOENT, "no registry at this path");
	if (stat(reg->path, &st) < 0)
		return gw_error_set(err, -errno, "stat: %s", strerror(errno));
	if (!S_ISREG(st.st_mode))
		return gw_error_set(err, -EINVAL, "not a regular file");
	if (sqlite3_open_v2(reg->path, &reg->db, oflags, NULL) != SQLITE_OK)
		return gw_sql_fail(reg->db, reg->path, "open", err);
	return configure(reg, err);
}

int gw_registry_open(const char *path, unsigned flags, struct gw_registry **out,
		     struct gw_error *err)
{
	struct gw_registry *reg;
	int r;

	*out = NULL;
	if (!path || !path[0] ||
	    ((flags & GW_REGISTRY_READONLY) && (flags & GW_REGISTRY_CREATE)))
		return gw_error_set(err, -EINVAL,
				    "no registry path, or "
				    "create with read-only");
	reg = calloc(1, sizeof(*reg));
	if (!reg || !(reg->path = strdup(path))) {
		free(reg);
		return gw_error_set(err, -ENOMEM, "out of memory");
	}
	reg->readonly = flags & GW_REGISTRY_READONLY;

	r = flags & GW_REGISTRY_CREATE ? make_file(path, err) : 0;
	if (r == 0)
		r = open_db(reg, flags, err);
	if (r == 0)
		r = gw_registry_migrate(reg->db, path, reg->readonly, err);
	if (r < 0) {
		if (err && !err->file[0])
			gw_error_where(err, path, NULL);
		gw_registry_close(reg);
		return r;
	}
	check_mode(path);
	*out = reg;
	return 0;
}

void gw_registry_close(struct gw_registry *reg)
{
	if (!reg)
		return;
	sqlite3_close_v2(reg->db);
	free(reg->path);
	free(reg);
}

const char *gw_registry_path(const struct gw_registry *reg)
{
	return reg->path;
}
