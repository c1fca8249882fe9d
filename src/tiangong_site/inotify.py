"""The preview's wake-up on Linux: the kernel's inotify says at once that a watched folder
changed, where polling would see it up to one poll later (25 ms on average at the preview's
rate, and a walk of the source folders every poll). What changed is still found by the
rebuild's own scan: an event only wakes it. The polling watcher stays as the safety net
(other systems, a folder made after the start, the kernel's limit on watches).

Through ctypes (glibc and musl both have the calls): no package to install for this.
"""

from __future__ import annotations

import ctypes
import os
import struct
import sys
from collections.abc import Iterable
from pathlib import Path

IN_ATTRIB, IN_CLOSE_WRITE = 0x4, 0x8
IN_MOVED_FROM, IN_MOVED_TO, IN_CREATE, IN_DELETE = 0x40, 0x80, 0x100, 0x200
IN_DELETE_SELF, IN_MOVE_SELF, IN_Q_OVERFLOW, IN_ISDIR = 0x400, 0x800, 0x4000, 0x40000000
IN_NONBLOCK, IN_CLOEXEC = os.O_NONBLOCK, os.O_CLOEXEC
MASK = IN_ATTRIB | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_CREATE | IN_DELETE
MASK |= IN_DELETE_SELF | IN_MOVE_SELF
"""Not IN_MODIFY: a file being written is read once it is closed (IN_CLOSE_WRITE), never
half-written (an editor's save truncates the file, then writes it in pieces)."""
EVENT = struct.Struct("iIII")  # wd, mask, cookie, len; then `len` bytes of name


class Inotify:
    """Watches folders and every folder in them (never through a link)."""

    def __init__(self, folders: Iterable[Path]):
        self.folders = [f for f in folders if f.is_dir() and not f.is_symlink()]
        self._libc = ctypes.CDLL(None, use_errno=True)
        self.fd = self._libc.inotify_init1(IN_NONBLOCK | IN_CLOEXEC)
        if self.fd < 0:
            raise _error("inotify_init1")
        try:
            self._add_all()
        except OSError:
            os.close(self.fd)
            raise

    def _add_all(self) -> None:
        """A watch on each folder (again: the kernel keeps one per folder)."""
        for top in self.folders:
            for folder, subfolders, _ in os.walk(top):  # links to folders are not followed
                subfolders[:] = [d for d in subfolders if not d.startswith(".")]
                if self._libc.inotify_add_watch(self.fd, os.fsencode(folder), MASK) < 0:
                    raise _error(f"inotify_add_watch {folder}")

    def read(self) -> bool:
        """Take every event waiting; whether there was any. A new folder is watched too."""
        seen, new_folder = False, False
        while True:
            try:
                data = os.read(self.fd, 64 * 1024)
            except BlockingIOError:
                break
            at = 0
            while at + EVENT.size <= len(data):
                _, mask, _, size = EVENT.unpack_from(data, at)
                at += EVENT.size + size
                made = mask & IN_ISDIR and mask & (IN_CREATE | IN_MOVED_TO)
                # a file just made is empty: it is read when closed after writing
                seen = seen or bool(made or not mask & IN_CREATE)
                new_folder = new_folder or bool(made or mask & IN_Q_OVERFLOW)
        if new_folder:
            try:
                self._add_all()
            except OSError:
                pass  # the kernel's limit: the polling watcher still sees that folder
        return seen

    def close(self) -> None:
        os.close(self.fd)


def _error(call: str) -> OSError:
    code = ctypes.get_errno()
    return OSError(code, f"{call}: {os.strerror(code)}")


def watch(folders: Iterable[Path]) -> Inotify | None:
    """An Inotify on `folders`, or None where there is none (not Linux, or no watch left)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return Inotify(folders)
    except (OSError, AttributeError):  # AttributeError: a libc without inotify
        return None
