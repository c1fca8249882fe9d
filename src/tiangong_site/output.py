"""The output folder: what a build may replace, and how it publishes in one atomic step.

Safety. A build replaces its output folder whole, so it only replaces a folder that is
absent, empty, or carries the marker file `.tiangong-site-output` (written by the build
into every folder it makes). `force` lifts the marker rule for a folder that is not part of
the project; nothing lifts the rule that protects the project itself: its root and every
folder holding it (the home folder too), its sources wherever they are, hidden and
project-owned folders at its top (`.git`, `src`, `docs`, `content`, ...) and anything git
tracks. Only folders the build made, or whose marker says it made them, are ever removed.

Atomic publish. The site is written into a fresh `.NAME.build-XXXX` folder beside the
output, then swapped in:

- on Linux, `renameat2(RENAME_EXCHANGE)` exchanges the fresh folder and the old output in
  one step; the old site, now at the temporary name, is then removed. A kill at any instant
  leaves either the old or the new site at the output path, complete;
- when there is no output yet, or it is an empty folder, a plain `rename` (atomic too);
- without renameat2 (another system, a kernel before 3.15, or a filesystem that does not
  support the exchange), two renames: the old site to `.NAME.old-XXXX`, then the new one to
  the output. A kill between the two leaves no output until the next build: once its
  content has loaded, before writing anything, it puts the old site back.

Builds of the same output are serialised by `flock` on `.NAME.lock` beside it (not on
systems without fcntl). While holding it, a build removes the `.NAME.build-*` and
`.NAME.old-*` folders that killed builds left, when they carry the marker or are empty.

Removing the old site. A command-line build exits as soon as the new site is published: a
child process it forks removes the old site (marked, at its temporary name) and holds the
lock until it has, so the next build of that output waits for it. Removal is a few hundred
unlink calls, which a busy disk made cost 0.1 to 0.6 s of the build's time. A kill of that
child leaves a marked `.NAME.build-*` folder, which the next build removes.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: builds of one output are not serialised
    fcntl = None  # type: ignore[assignment]

from .errors import ContentError, Problem

MARKER = ".tiangong-site-output"
MARKER_TEXT = (
    "This folder was written by `tiangong-site build`, which replaces it whole on every build.\n"
    "Keep nothing of your own here. This file tells the next build that it may do so.\n"
)
PROJECT_FOLDERS = frozenset(
    {
        "bench",
        "content",
        "docs",
        "locales",
        "node_modules",
        "schemas",
        "scripts",
        "src",
        "static",
        "templates",
        "tests",
    }
)
"""Folders at the top of the project that belong to it (hidden ones and git-tracked ones too)."""
LOCK_TIMEOUT = 300.0
"""Seconds a build waits for another build of the same output before giving up."""

Where = Callable[[str, str], Problem]
"""Makes the problem for a refused output: (message, hint) -> Problem at the right place."""


# --- what may be replaced ---------------------------------------------------------------------


def is_ours(folder: Path) -> bool:
    """A real folder that carries the build's marker, or an empty one."""
    if folder.is_symlink() or not folder.is_dir():
        return False
    return (folder / MARKER).is_file() or not any(folder.iterdir())


def _tracked(root: Path, name: str) -> bool:
    """Whether git tracks `name` (a file, or anything under a folder) in the project."""
    try:
        done = subprocess.run(
            ["git", "-C", str(root), "ls-files", "-z", "--", name], capture_output=True, timeout=30
        )
    except (OSError, subprocess.TimeoutExpired):
        return False  # no git: the list of the project's own folders still applies
    return done.returncode == 0 and bool(done.stdout)


def _home() -> Path | None:
    try:
        return Path.home().resolve()
    except (RuntimeError, KeyError):
        return None


def protected(root: Path, sources: list[Path], output: Path) -> str:
    """Why `output` (resolved) may never be replaced, even with force; "" when it may."""
    home = _home()
    if root.is_relative_to(output):
        return "it is the project folder or holds it"
    if home is not None and home.is_relative_to(output):
        return "it is the home folder or holds it"
    if len(output.parts) <= 2:
        return "it is a top-level folder of the system"
    if any(s.is_relative_to(output) or output.is_relative_to(s) for s in sources):
        return "it holds, or is inside, the project's content, templates or static files"
    if output.is_relative_to(root):
        top = output.relative_to(root).parts[0]
        if top.startswith(".") or top in PROJECT_FOLDERS or _tracked(root, top):
            return f"'{top}' is part of the project"
    return ""


def check(root: Path, sources: list[Path], output: Path, force: bool, where: Where) -> None:
    """Raise ContentError unless the build may replace `output` (a resolved path)."""
    if output.exists() and not output.is_dir():
        raise ContentError(
            [
                where(
                    "refusing to build here: it is a file, not a folder",
                    "choose a folder of its own, e.g. _site",
                )
            ]
        )
    reason = protected(root, sources, output)
    if reason:
        raise ContentError(
            [
                where(
                    f"refusing to build here: {reason}, and the build replaces "
                    "its output folder whole",
                    "choose a folder of its own, e.g. _site",
                )
            ]
        )
    if not force and output.exists() and not is_ours(output):
        raise ContentError(
            [
                where(
                    f"refusing to replace this folder: it is not empty and has no "
                    f"{MARKER} file, so this build did not make it",
                    "choose an empty or new folder, or pass --force to replace it "
                    "and everything in it",
                )
            ]
        )


# --- serialising builds and cleaning up after killed ones ---------------------------------


@contextlib.contextmanager
def locked(output: Path, where: Where, timeout: float = LOCK_TIMEOUT) -> Iterator[int | None]:
    """Hold the lock of `output` (waiting up to `timeout` seconds, saying so on stderr);
    yields the locked descriptor (None without fcntl)."""
    if fcntl is None:
        yield None
        return
    try:
        fd = os.open(output.parent / f".{output.name}.lock", os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise ContentError([unwritable(exc, where)]) from None
    try:
        if not _try_lock(fd):
            print(
                f"another build is writing {output.name}; waiting (up to {timeout:.0f} s)…",
                file=sys.stderr,
                flush=True,
            )
            deadline = time.monotonic() + timeout
            while not _try_lock(fd):
                if time.monotonic() > deadline:
                    raise ContentError(
                        [
                            where(
                                f"another build has been writing this folder for "
                                f"{timeout:.0f} s; gave up waiting",
                                "let it finish or stop it, then build again",
                            )
                        ]
                    )
                time.sleep(0.05)
        yield fd
    finally:
        os.close(fd)  # closing releases the lock; the lock file stays, harmless and reused


def unwritable(exc: OSError, where: Where) -> Problem:
    """The problem for an output the build cannot write: a folder under a file, a read-only
    or missing file system, a name taken (a raw OSError named neither the output nor a fix)."""
    what = f"{exc.strerror}: {exc.filename}" if exc.filename else str(exc.strerror or exc)
    return where(f"cannot write the site here ({what})", "choose a folder you can write to")


def make_parent(output: Path, where: Where) -> None:
    """Create the folder that will hold `output`, or raise a located ContentError."""
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ContentError([unwritable(exc, where)]) from None


def _try_lock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def remove_ours(folder: Path) -> None:
    """Remove a folder the build made, its marker last: a kill midway leaves it marked,
    so the next build can finish the job."""
    for child in folder.iterdir():
        if child.name == MARKER:
            continue
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()
    (folder / MARKER).unlink(missing_ok=True)
    folder.rmdir()


def leftovers(output: Path) -> list[Path]:
    """Temporary folders of earlier builds of `output` that were killed midway."""
    found = [
        *output.parent.glob(f".{output.name}.build-*"),
        *output.parent.glob(f".{output.name}.old-*"),
    ]
    return sorted(p for p in found if is_ours(p))


def recover(output: Path) -> None:
    """Put back the old site if a build was killed between the two renames of the fallback,
    then remove what killed builds left. Call while holding the lock."""
    if not output.exists() and not output.is_symlink():
        old = [p for p in leftovers(output) if ".old-" in p.name and (p / MARKER).is_file()]
        if old:
            old[-1].rename(output)
    for folder in leftovers(output):
        remove_ours(folder)


# --- the swap ---------------------------------------------------------------------------------


def fresh_folder(output: Path) -> Path:
    """A new, marked, empty folder beside `output` to build into."""
    tmp = Path(tempfile.mkdtemp(prefix=f".{output.name}.build-", dir=output.parent))
    (tmp / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
    return tmp


AT_FDCWD = -100
RENAME_EXCHANGE = 1 << 1


def exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically with renameat2(RENAME_EXCHANGE); False when unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes  # here: a build into a new or empty folder swaps nothing (2 ms to import)

    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)  # glibc 2.28+, musl 1.2.3+
    if renameat2 is None:
        return False
    path, fd = ctypes.c_char_p, ctypes.c_int
    renameat2.argtypes = [fd, path, fd, path, ctypes.c_uint]
    renameat2.restype = ctypes.c_int
    if renameat2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False  # this kernel or filesystem cannot exchange
    raise OSError(code, os.strerror(code), str(a), None, str(b))


def swap_in(tmp: Path, output: Path, lock: int | None = None) -> None:
    """Make `tmp` the output in one atomic step, then remove the old site (see the module):
    given `lock`, the output's locked descriptor, in a child process that holds it."""
    if not output.exists() or (output.is_dir() and not any(output.iterdir())):
        os.rename(tmp, output)  # replaces an empty folder too, atomically
        return
    if exchange(tmp, output):
        old = tmp
    else:
        old = output.with_name(f".{output.name}.old-{tmp.name.rsplit('-', 1)[-1]}")
        os.rename(output, old)
        try:
            os.rename(tmp, output)
        except OSError:
            os.rename(old, output)  # the old site stays published
            raise
    if not (old / MARKER).is_file():  # a folder replaced with --force: ours to remove now
        (old / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
    if lock is None or not remove_detached(old, lock):
        remove_ours(old)


def remove_detached(folder: Path, lock: int) -> bool:
    """Remove `folder` (ours) in a forked child that outlives this process and holds the
    locked descriptor `lock` until it is done. False, having done nothing, where that cannot
    be: no fork, or other threads running (a fork copies none of them, nor their locks)."""
    if not hasattr(os, "fork") or threading.active_count() > 1 or lock < 3:
        return False  # (a lock at 0 to 2, with a standard stream closed, would be replaced)
    try:
        pid = os.fork()
    except OSError:
        return False
    if pid == 0:
        _remove_in_child(folder, lock)
    return True


def _remove_in_child(folder: Path, lock: int) -> None:
    """The child's whole life: let go of the terminal and of every descriptor but the lock (a
    caller reading the build's output through a pipe sees it end with the build), remove,
    exit without running the parent's exit handlers or flushing its buffers."""
    try:
        os.setsid()  # Ctrl-C at the terminal, after the build has returned, does not stop it
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        os.closerange(3, lock)
        os.closerange(lock + 1, os.sysconf("SC_OPEN_MAX") if hasattr(os, "sysconf") else 1024)
        remove_ours(folder)
    finally:
        os._exit(0)
