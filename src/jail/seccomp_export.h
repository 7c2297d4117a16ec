/*
 * The seccomp policy in the forms other sandboxes take: an OCI runtime
 * (and Docker) seccomp profile. Part of libgymwarden, not the launcher.
 */
#ifndef GW_JAIL_SECCOMP_EXPORT_H
#define GW_JAIL_SECCOMP_EXPORT_H

#include <jansson.h>

#include "jail/seccomp.h"

/*
 * The profile: defaultAction, defaultErrnoRet (errno mode only),
 * architectures (this build's only: other ABIs are refused) and
 * syscalls, each with names, action, args and a comment. A profile has
 * no listener, so execve and execveat are allowed outright (the
 * container's own exec must pass). New reference, or NULL when out of
 * memory.
 */
json_t *gw_seccomp_oci_profile(enum gw_seccomp_action on_violation);

/* "SCMP_ARCH_X86_64" and the like for this build, or NULL. */
const char *gw_seccomp_arch_name(void);

#endif /* GW_JAIL_SECCOMP_EXPORT_H */
