/*
 * The worker's Landlock domain: every access right the running kernel
 * knows is handled, and only these are granted: reading beneath each
 * --ro path, executing the --exec file and its ELF interpreter (the
 * kernel opens that one for execution too), reading /proc and
 * /etc/ld.so.cache, reading and writing the three devices, and
 * everything but execution in /tmp. From ABI 4 on TCP bind and connect
 * are handled with no rule (all denied), from ABI 6 abstract unix
 * sockets and signals are scoped to the domain.
 *
 * The kernel headers Debian ships are older than some of these ABIs,
 * so the values are defined here (they are kernel ABI, fixed forever).
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "jail/jail.h"

#define LL_CREATE_RULESET_VERSION (1u << 0)
#define LL_RULE_PATH_BENEATH	  1

#define LL_FS_EXECUTE	  (1ull << 0)
#define LL_FS_WRITE_FILE  (1ull << 1)
#define LL_FS_READ_FILE	  (1ull << 2)
#define LL_FS_READ_DIR	  (1ull << 3)
#define LL_FS_REMOVE_DIR  (1ull << 4)
#define LL_FS_REMOVE_FILE (1ull << 5)
#define LL_FS_MAKE_CHAR	  (1ull << 6)
#define LL_FS_MAKE_DIR	  (1ull << 7)
#define LL_FS_MAKE_REG	  (1ull << 8)
#define LL_FS_MAKE_SOCK	  (1ull << 9)
#define LL_FS_MAKE_FIFO	  (1ull << 10)
#define LL_FS_MAKE_BLOCK  (1ull << 11)
#define LL_FS_MAKE_SYM	  (1ull << 12)
#define LL_FS_REFER	  (1ull << 13) /* ABI 2 */
#define LL_FS_TRUNCATE	  (1ull << 14) /* ABI 3 */
#define LL_FS_IOCTL_DEV	  (1ull << 15) /* ABI 5 */

#define LL_NET_BIND_TCP	   (1ull << 0) /* ABI 4 */
#define LL_NET_CONNECT_TCP (1ull << 1)

#define LL_SCOPE_ABSTRACT_UNIX (1ull << 0) /* ABI 6 */
#define LL_SCOPE_SIGNAL	       (1ull << 1)

#define LL_FS_ABI1 ((LL_FS_MAKE_SYM << 1) - 1)

#define LL_READ (LL_FS_READ_FILE | LL_FS_READ_DIR)
#define LL_RUN	(LL_FS_READ_FILE | LL_FS_EXECUTE)
#define LL_RW	(LL_FS_READ_FILE | LL_FS_WRITE_FILE | LL_FS_TRUNCATE)
#define LL_SCRATCH                                                             \
	(LL_READ | LL_FS_WRITE_FILE | LL_FS_TRUNCATE | LL_FS_REMOVE_DIR |      \
	 LL_FS_REMOVE_FILE | LL_FS_MAKE_DIR | LL_FS_MAKE_REG |                 \
	 LL_FS_MAKE_SOCK | LL_FS_MAKE_FIFO | LL_FS_MAKE_SYM | LL_FS_REFER)
/* The only rights a rule on a file (not a directory) may carry. */
#define LL_FILE_RIGHTS                                                         \
	(LL_FS_EXECUTE | LL_FS_WRITE_FILE | LL_FS_READ_FILE | LL_FS_TRUNCATE | \
	 LL_FS_IOCTL_DEV)

struct ll_ruleset_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net;
	uint64_t scoped;
};

struct ll_path_beneath_attr {
	uint64_t allowed_access;
	int32_t parent_fd;
} __attribute__((packed));

static int ll_abi(void)
{
	return (int)syscall(SYS_landlock_create_ruleset, NULL, 0,
			    LL_CREATE_RULESET_VERSION);
}

static struct ll_ruleset_attr handled_for(int abi)
{
	struct ll_ruleset_attr a = { .handled_access_fs = LL_FS_ABI1 };

	if (abi >= 2)
		a.handled_access_fs |= LL_FS_REFER;
	if (abi >= 3)
		a.handled_access_fs |= LL_FS_TRUNCATE;
	if (abi >= 4)
		a.handled_access_net = LL_NET_BIND_TCP | LL_NET_CONNECT_TCP;
	if (abi >= 5)
		a.handled_access_fs |= LL_FS_IOCTL_DEV;
	if (abi >= 6)
		a.scoped = LL_SCOPE_ABSTRACT_UNIX | LL_SCOPE_SIGNAL;
	return a;
}

/*
 * Grant rights beneath path. A path that is not there (a layer that did
 * not stand, an interpreter outside the root) needs no rule.
 */
static int allow(int ruleset, const char *path, uint64_t rights,
		 uint64_t handled)
{
	struct ll_path_beneath_attr rule;
	struct stat st;
	int fd = open(path, O_PATH | O_CLOEXEC), r = 0;

	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	if (fstat(fd, &st) != 0)
		r = -errno;
	if (r == 0 && !S_ISDIR(st.st_mode))
		rights &= LL_FILE_RIGHTS;
	rule.allowed_access = rights & handled;
	rule.parent_fd = fd;
	if (r == 0 && rule.allowed_access &&
	    syscall(SYS_landlock_add_rule, ruleset, LL_RULE_PATH_BENEATH, &rule,
		    0) != 0)
		r = -errno;
	close(fd);
	return r;
}

/* The PT_INTERP of an ELF64 executable, into out; "" when it has none. */
static void elf_interp(const char *file, char *out, size_t cap)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	int fd = open(file, O_RDONLY | O_CLOEXEC);

	out[0] = '\0';
	if (fd < 0)
		return;
	if (pread(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_phentsize != sizeof(ph))
		goto out;
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		off_t at = (off_t)(eh.e_phoff + (uint64_t)i * sizeof(ph));

		if (pread(fd, &ph, sizeof(ph), at) != (ssize_t)sizeof(ph))
			break;
		if (ph.p_type != PT_INTERP || ph.p_filesz >= cap)
			continue;
		if (pread(fd, out, ph.p_filesz, (off_t)ph.p_offset) !=
		    (ssize_t)ph.p_filesz)
			out[0] = '\0';
		else
			out[ph.p_filesz] = '\0';
		break;
	}
out:
	close(fd);
}

static int add_rules(const struct jail *j, int ruleset, uint64_t fs)
{
	static const char *const devices[] = { "/dev/null", "/dev/zero",
					       "/dev/urandom" };
	char interp[PATH_MAX];
	int r = 0;

	for (unsigned i = 0; r == 0 && i < j->n_ro; i++)
		r = allow(ruleset, j->ro_real[i], LL_READ, fs);
	if (r == 0)
		r = allow(ruleset, j->exec_real, LL_RUN, fs);
	elf_interp(j->exec_real, interp, sizeof(interp));
	if (r == 0 && interp[0] == '/')
		r = allow(ruleset, interp, LL_RUN, fs);
	if (r == 0)
		r = allow(ruleset, "/etc/ld.so.cache", LL_FS_READ_FILE, fs);
	for (size_t i = 0; r == 0 && i < 3; i++)
		r = allow(ruleset, devices[i], LL_RW, fs);
	/* Without our own /proc and /tmp these would be the host's. */
	if (r == 0 && jail_stands(j, GW_JAIL_LAYER_PROC))
		r = allow(ruleset, "/proc", LL_READ, fs);
	if (r == 0 && jail_stands(j, GW_JAIL_LAYER_TMP))
		r = allow(ruleset, "/tmp", LL_SCRATCH, fs);
	return r;
}

void jail_landlock(struct jail *j)
{
	struct ll_ruleset_attr attr;
	int abi, ruleset, r;

	if (!jail_wanted(j, GW_JAIL_LAYER_LANDLOCK)) {
		jail_settle(j, GW_JAIL_LAYER_LANDLOCK, JAIL_WHY_WITHOUT);
		return;
	}
	if (!jail_stands(j, GW_JAIL_LAYER_NNP)) {
		jail_settle(j, GW_JAIL_LAYER_LANDLOCK, JAIL_WHY_NEEDS_NNP);
		return;
	}
	abi = ll_abi();
	if (abi < 0) {
		jail_settle(j, GW_JAIL_LAYER_LANDLOCK,
			    errno == EOPNOTSUPP ? JAIL_WHY_DISABLED
						: JAIL_WHY_KERNEL);
		return;
	}

	attr = handled_for(abi);
	ruleset = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr),
			       0);
	if (ruleset < 0)
		jail_fail(j, GW_JAIL_STAGE_LANDLOCK, "creating the ruleset",
			  errno);
	r = add_rules(j, ruleset, attr.handled_access_fs);
	if (r < 0)
		jail_fail(j, GW_JAIL_STAGE_LANDLOCK, "adding a rule", -r);
	if (syscall(SYS_landlock_restrict_self, ruleset, 0) != 0)
		jail_fail(j, GW_JAIL_STAGE_LANDLOCK, "restricting ourselves",
			  errno);
	close(ruleset);
	jail_settle(j, GW_JAIL_LAYER_LANDLOCK, JAIL_STANDS);
}
