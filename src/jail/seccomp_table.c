/*
 * The worker's syscall allowlist, as data: what CPython 3.11, numpy and
 * the gymwarden worker use (measured under strace, docs/seccomp.md),
 * and the few neighbours of those calls that do the same thing. One row
 * per syscall and condition, with why it is safe to grant. Anything not
 * here goes to the default: the supervisor, else EPERM or kill.
 */
#include <fcntl.h>
#include <sched.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>

#include "jail/seccomp.h"

/* Every namespace flag clone() takes (CLONE_NEWTIME only fits clone3). */
#define CLONE_NEW_ANY                                                          \
	(CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC |         \
	 CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET)

/* One row per line, as a table reads: clang-format would pack them. */
/* clang-format off */
#define ALLOW(name, why) \
	{ name, GW_SECCOMP_ALLOW, 0, GW_SECCOMP_ANY, 0, 0, why }
#define ALLOW_IF(name, test, arg, value, why) \
	{ name, GW_SECCOMP_ALLOW, 0, GW_SECCOMP_##test, arg, value, why }
#define FAIL(name, err, why) \
	{ name, GW_SECCOMP_FAIL, err, GW_SECCOMP_ANY, 0, 0, why }
#define EXEC(name, why) \
	{ name, GW_SECCOMP_EXEC, 0, GW_SECCOMP_ANY, 0, 0, why }

const struct gw_seccomp_rule gw_seccomp_rules[] = {
	/* Denied with an errno, silently: callers expect it and fall back. */
	FAIL("clone3", 38 /* ENOSYS */, "glibc falls back to clone()"),

	/* Memory. */
	ALLOW("brk", "malloc"),
	ALLOW("mmap", "malloc, dlopen of extensions, the shared region"),
	ALLOW("munmap", "malloc, thread stacks"),
	ALLOW("mprotect", "the loader's RELRO, thread stack guards"),
	ALLOW("mremap", "realloc of large blocks"),
	ALLOW("madvise", "numpy asks for huge pages, free() returns pages"),

	/* Files: what may be opened is Landlock's and the mounts' business. */
	ALLOW("read", "files, pipes"),
	ALLOW("write", "stdout and stderr pipes, files under /tmp"),
	ALLOW("pread64", "the dynamic loader reads ELF headers"),
	ALLOW("pwrite64", "files under /tmp"),
	ALLOW("readv", "scatter reads, like read"),
	ALLOW("writev", "gather writes, like write"),
	ALLOW("open", "the old form of openat"),
	ALLOW("openat", "imports, data files"),
	ALLOW("close", "every open"),
	ALLOW("close_range", "os.closerange"),
	ALLOW("lseek", "io's buffered files"),
	ALLOW("fstat", "the old form of newfstatat on an fd"),
	ALLOW("stat", "the old form of newfstatat"),
	ALLOW("lstat", "the old form of newfstatat"),
	ALLOW("newfstatat", "the import system probes thousands of paths"),
	ALLOW("statx", "stat in newer libcs"),
	ALLOW("access", "the loader looks for ld.so.preload"),
	ALLOW("faccessat", "os.access"),
	ALLOW("faccessat2", "os.access in newer libcs"),
	ALLOW("readlink", "sys.executable is resolved at start-up"),
	ALLOW("readlinkat", "os.readlink with dir_fd"),
	ALLOW("getdents64", "os.listdir, the import system's directory cache"),
	ALLOW("getcwd", "os.getcwd, path resolution"),
	ALLOW("chdir", "os.chdir inside the sandbox's own tree"),
	ALLOW("fchdir", "os.chdir on a directory fd"),
	ALLOW("ftruncate", "files under /tmp, bounded by RLIMIT_FSIZE"),
	ALLOW("fsync", "files under /tmp"),
	ALLOW("fdatasync", "files under /tmp"),
	ALLOW("mkdir", "tempfile.mkdtemp"),
	ALLOW("mkdirat", "mkdir relative to a directory fd"),
	ALLOW("rmdir", "removing a scratch directory"),
	ALLOW("unlink", "removing a scratch file"),
	ALLOW("unlinkat", "shutil.rmtree"),
	ALLOW("rename", "atomic replacement of a scratch file"),
	ALLOW("renameat", "rename relative to a directory fd"),
	ALLOW("renameat2", "rename in newer libcs"),

	/* File descriptors. fcntl: only commands that act on the fd itself
	 * (F_SETOWN and F_SETSIG would aim signals at other processes). */
	ALLOW("dup", "io and subprocess plumbing"),
	ALLOW("dup2", "the old form of dup3"),
	ALLOW("dup3", "os.dup2"),
	ALLOW("pipe", "the old form of pipe2"),
	ALLOW("pipe2", "os.pipe"),
	ALLOW_IF("fcntl", EQ32, 1, F_DUPFD, "dup to the lowest free fd"),
	ALLOW_IF("fcntl", EQ32, 1, F_DUPFD_CLOEXEC, "dup, close-on-exec"),
	ALLOW_IF("fcntl", EQ32, 1, F_GETFD, "read close-on-exec"),
	ALLOW_IF("fcntl", EQ32, 1, F_SETFD, "set close-on-exec"),
	ALLOW_IF("fcntl", EQ32, 1, F_GETFL, "read O_NONBLOCK and the mode"),
	ALLOW_IF("fcntl", EQ32, 1, F_SETFL, "set O_NONBLOCK"),
	ALLOW_IF("fcntl", EQ32, 1, F_GETLK, "file locks under /tmp"),
	ALLOW_IF("fcntl", EQ32, 1, F_SETLK, "file locks under /tmp"),
	ALLOW_IF("fcntl", EQ32, 1, F_SETLKW, "file locks under /tmp"),
	ALLOW_IF("fcntl", EQ32, 1, F_GET_SEALS, "the worker checks the seals"),
	ALLOW_IF("fcntl", EQ32, 1, F_GETPIPE_SZ, "read a pipe's size"),

	/* ioctl: only these commands, compared on the low 32 bits the
	 * kernel reads. No TIOCSTI, TIOCLINUX or other tty command. */
	ALLOW_IF("ioctl", EQ32, 1, TCGETS, "isatty(): every open() asks"),
	ALLOW_IF("ioctl", EQ32, 1, TIOCGWINSZ, "shutil.get_terminal_size"),
	ALLOW_IF("ioctl", EQ32, 1, FIONREAD, "bytes waiting on a pipe"),
	ALLOW_IF("ioctl", EQ32, 1, FIONBIO, "set O_NONBLOCK"),
	ALLOW_IF("ioctl", EQ32, 1, FIOCLEX, "set close-on-exec"),
	ALLOW_IF("ioctl", EQ32, 1, FIONCLEX, "clear close-on-exec"),

	/* Polling and the control socket on fd 3. */
	ALLOW("ppoll", "the doorbell wait, with a deadline"),
	ALLOW("poll", "select and socket timeouts"),
	ALLOW("recvmsg", "control frames and the region's memfd"),
	ALLOW("sendmsg", "control frames"),
	ALLOW("recvfrom", "socket.recv"),
	ALLOW_IF("sendto", NULL, 4, 0, "socket.send on a connected socket"),
	ALLOW("getsockopt", "socket options, SO_TYPE"),
	ALLOW("getsockname", "socket.getsockname"),
	ALLOW("getpeername", "socket.getpeername"),
	ALLOW("shutdown", "closing one direction of a socket"),
	ALLOW("select", "select.select"),
	ALLOW("pselect6", "select.select in newer libcs"),
	ALLOW("epoll_create1", "asyncio and selectors"),
	ALLOW("epoll_ctl", "asyncio and selectors"),
	ALLOW("epoll_wait", "asyncio and selectors"),
	ALLOW("epoll_pwait", "asyncio and selectors"),
	ALLOW("epoll_pwait2", "asyncio in newer libcs"),
	ALLOW("eventfd2", "asyncio's self-pipe, thread wake-ups"),
	ALLOW_IF("socket", EQ32, 0, AF_UNIX, "local sockets only, no network"),
	ALLOW_IF("socketpair", EQ32, 0, AF_UNIX, "local sockets only"),

	/* Signals: the process's own. */
	ALLOW("rt_sigaction", "the interpreter installs its handlers"),
	ALLOW("rt_sigprocmask", "threads block signals"),
	ALLOW("rt_sigreturn", "returning from a handler"),
	ALLOW("sigaltstack", "faulthandler's stack"),
	ALLOW_IF("tgkill", SELF, 0, 0, "raise() and abort() on itself"),

	/* Threads and processes: no namespaces; counts are limited by the
	 * pids controller or RLIMIT_NPROC. */
	ALLOW_IF("clone", CLEAR, 0, CLONE_NEW_ANY, "threads, fork"),
	ALLOW("futex", "locks, condition variables, thread joins"),
	ALLOW("set_robust_list", "every thread at start"),
	ALLOW("set_tid_address", "every thread at start"),
	ALLOW("rseq", "glibc registers every thread"),
	ALLOW("sched_yield", "the doorbell spin yields"),
	ALLOW_IF("sched_getaffinity", EQ32, 0, 0, "os.cpu_count, BLAS"),
	ALLOW("exit", "a thread ends"),
	ALLOW("exit_group", "the process ends"),
	ALLOW("wait4", "os.waitpid"),
	ALLOW("waitid", "os.waitid"),
	ALLOW("restart_syscall", "the kernel restarts a sleep after a signal"),
	ALLOW_IF("arch_prctl", EQ32, 0, 0x1002,
		 "ARCH_SET_FS: the loader's TLS"),
	ALLOW_IF("arch_prctl", EQ32, 0, 0x1003, "ARCH_GET_FS"),
	ALLOW_IF("prctl", EQ32, 0, PR_SET_NAME, "a thread's name"),
	ALLOW_IF("prctl", EQ32, 0, PR_GET_NAME, "a thread's name"),
	ALLOW_IF("prctl", EQ32, 0, PR_GET_NO_NEW_PRIVS, "the launcher checks"),
	ALLOW_IF("prctl", EQ32, 0, PR_GET_SECCOMP, "the launcher checks"),
	ALLOW_IF("prctl", EQ32, 0, PR_GET_DUMPABLE, "core-dump checks"),
	ALLOW_IF("prlimit64", EQ32, 0, 0, "its own; hard limits still bind"),

	/* Identity, time, randomness: reads only. */
	ALLOW("getpid", "os.getpid"),
	ALLOW("getppid", "os.getppid"),
	ALLOW("gettid", "threading.get_native_id"),
	ALLOW("getuid", "os.getuid"),
	ALLOW("geteuid", "os.geteuid"),
	ALLOW("getgid", "os.getgid"),
	ALLOW("getegid", "os.getegid"),
	ALLOW("getresuid", "os.getresuid"),
	ALLOW("getresgid", "os.getresgid"),
	ALLOW("getgroups", "os.getgroups"),
	ALLOW("getsid", "os.getsid"),
	ALLOW("getpgrp", "os.getpgrp"),
	ALLOW("getpgid", "os.getpgid"),
	ALLOW("capget", "reading its own (empty) capabilities"),
	ALLOW("statfs", "os.statvfs, shutil.disk_usage"),
	ALLOW("fstatfs", "os.fstatvfs"),
	ALLOW("pause", "signal.pause"),
	ALLOW("sched_getparam", "os.sched_getparam"),
	ALLOW("sched_getscheduler", "os.sched_getscheduler"),
	ALLOW("getpriority", "os.getpriority"),
	ALLOW("times", "os.times"),
	ALLOW("umask", "tempfile and os.umask, inside its own tree"),
	ALLOW("uname", "platform, sysconfig"),
	ALLOW("sysinfo", "numpy reads the memory size"),
	ALLOW("getrusage", "resource.getrusage, time.process_time"),
	ALLOW("clock_gettime", "time.time when the vDSO cannot"),
	ALLOW("clock_getres", "time.get_clock_info"),
	ALLOW("gettimeofday", "the old clock"),
	ALLOW("clock_nanosleep", "time.sleep"),
	ALLOW("nanosleep", "the old time.sleep"),
	ALLOW("getrandom", "hash seeds, random, numpy's default_rng"),

	/* Executing: the launcher's own exec of the interpreter passes,
	 * every later one (a shell, a helper binary) is a violation. */
	EXEC("execve", "only the launcher's exec of the interpreter"),
	EXEC("execveat", "only the launcher's exec of the interpreter"),

	/* The default, last: every other call is refused and reported. */
};
/* clang-format on */

const size_t gw_seccomp_rule_count =
	sizeof(gw_seccomp_rules) / sizeof(gw_seccomp_rules[0]);

/*
 * Calls no row may allow: each one opens the kernel, another process,
 * the file-system namespace or privileges to the worker.
 */
const char *const gw_seccomp_never[] = {
	"io_uring_setup",
	"io_uring_enter",
	"io_uring_register",
	"keyctl",
	"add_key",
	"request_key",
	"bpf",
	"userfaultfd",
	"perf_event_open",
	"ptrace",
	"process_vm_readv",
	"process_vm_writev",
	"pidfd_getfd",
	"pidfd_open",
	"kcmp",
	"mount",
	"umount2",
	"pivot_root",
	"chroot",
	"move_mount",
	"fsopen",
	"fsmount",
	"fsconfig",
	"fspick",
	"open_tree",
	"mount_setattr",
	"unshare",
	"setns",
	"open_by_handle_at",
	"name_to_handle_at",
	"kexec_load",
	"kexec_file_load",
	"init_module",
	"finit_module",
	"delete_module",
	"personality",
	"modify_ldt",
	"iopl",
	"ioperm",
	"swapon",
	"swapoff",
	"reboot",
	"syslog",
	"acct",
	"quotactl",
	"settimeofday",
	"clock_settime",
	"clock_adjtime",
	"adjtimex",
	"sethostname",
	"setdomainname",
	"setuid",
	"setgid",
	"setreuid",
	"setregid",
	"setresuid",
	"setresgid",
	"setgroups",
	"capset",
	"kill",
	"tkill",
	"rt_sigqueueinfo",
	"rt_tgsigqueueinfo",
	"shmget",
	"shmat",
	"msgget",
	"semget",
	"mq_open",
	"connect",
	"bind",
	"listen",
	"accept",
	"accept4",
	"fanotify_init",
	"memfd_secret",
	"mbind",
	"migrate_pages",
	"move_pages",
	"set_mempolicy",
	"vhangup",
	"uselib",
	"seccomp",
	"lookup_dcookie",
	NULL,
};
