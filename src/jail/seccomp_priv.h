/*
 * What seccomp.c and seccomp_detail.c share, and what the tests reach:
 * describing a forbidden call's arguments is pure given a way to read
 * the caller's memory, so it can be tested with hostile bytes.
 */
#ifndef GW_JAIL_SECCOMP_PRIV_H
#define GW_JAIL_SECCOMP_PRIV_H

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdint.h>

#include "jail/seccomp.h"

/* The longest string read from the caller: a path, a socket path. */
#define GW_SECCOMP_PEEK_MAX_BYTES 256u
/* How many of execve's argv are shown after the path. */
#define GW_SECCOMP_ARGV_MAX 4u

/*
 * Copy up to len bytes at addr in the caller's memory into buf.
 * Returns how many could be read (0 when none: unmapped, gone).
 */
typedef size_t (*gw_seccomp_peek_fn)(void *ctx, uint64_t addr, void *buf,
				     size_t len);

/*
 * Describe the call in d as DETAIL (launcher.h): printable ASCII, no
 * newline, at most cap - 1 bytes, always terminated. peek may be NULL
 * (nothing can be read: pointers are shown as numbers).
 */
void gw_seccomp_describe(const struct seccomp_data *d, gw_seccomp_peek_fn peek,
			 void *ctx, char *out, size_t cap);

/*
 * The programs seccomp_gen compiled from the table at build time, one
 * per default action (seccomp_bpf.c, generated).
 */
enum gw_seccomp_prog {
	GW_SECCOMP_PROG_NOTIFY, /* to the listener; exec too */
	GW_SECCOMP_PROG_ERRNO,	/* EPERM; exec allowed */
	GW_SECCOMP_PROG_KILL,	/* kill the process; exec allowed */
	GW_SECCOMP_PROG_COUNT,
};

struct gw_seccomp_program {
	const struct sock_filter *insns;
	unsigned short len;
};

/* The kernel takes at most 4096 instructions; ours are ~200. */
#define GW_SECCOMP_PROG_MAX_INSNS 1024u
/* Stands for the loader's pid in GW_SECCOMP_SELF rows until loaded:
 * above any pid_max, and in no other instruction (seccomp_gen checks). */
#define GW_SECCOMP_SELF_MAGIC 0x5ecf00d5u
/* Syscall numbers with a name in gw_seccomp_names. */
#define GW_SECCOMP_NAME_SLOTS 1024

extern const struct gw_seccomp_program gw_seccomp_programs[];
extern const uint32_t gw_seccomp_audit_arch;
extern const char *const gw_seccomp_names[GW_SECCOMP_NAME_SLOTS];

/* The name of a tty or file ioctl command, or NULL. */
const char *gw_seccomp_ioctl_name(unsigned cmd);

#endif /* GW_JAIL_SECCOMP_PRIV_H */
