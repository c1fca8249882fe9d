"""The build cache (.cache/) holds only what this machine's builds wrote, checked on every read.

Why: Jinja's own FileSystemBytecodeCache unpickles and unmarshals whatever file it finds, so
a `.cache/jinja/*.cache` planted in a pull request ran code at build time. Here every cached
file carries an HMAC-SHA256 tag made with a per-machine secret kept outside the repository
(`$XDG_CACHE_HOME/tiangong-site/key`, else `~/.cache/tiangong-site/key`, mode 0600). A file
whose tag does not verify (committed, copied from another machine, or tampered with) is
ignored and rebuilt; it is never unpickled or executed. The build also refuses to run when
git tracks anything under `.cache/`.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import os
import secrets
import subprocess
import tempfile
from pathlib import Path
from types import CodeType

import jinja2

from .errors import Problem

KEY_BYTES = 32
TAG_BYTES = hashlib.sha256().digest_size
MAX_ENTRY_BYTES = 16 * 1024 * 1024
"""A cached entry is at most this large; anything bigger is not ours and is not read."""


def key_path() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "tiangong-site" / "key"


def _read_key(path: Path) -> bytes | None:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    with os.fdopen(fd, "rb") as handle:
        data = handle.read(KEY_BYTES + 1)
    return data if len(data) == KEY_BYTES else None


def _create_key(path: Path) -> bytes | None:
    key = secrets.token_bytes(KEY_BYTES)
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError:
        return None  # unwritable home, or another build created it meanwhile
    with os.fdopen(fd, "wb") as handle:
        handle.write(key)
    return key


@functools.cache
def _key_at(path: Path) -> bytes:
    # Without a usable key file, a key for this process only: the cache is then not reused
    # across builds, but it is still never trusted.
    return _read_key(path) or _create_key(path) or _read_key(path) or secrets.token_bytes(KEY_BYTES)


def machine_key() -> bytes:
    """This machine's secret for signing cache entries, created on first use."""
    return _key_at(key_path())


def _tag(key: bytes, purpose: str, context: str, data: bytes) -> bytes:
    """The HMAC of purpose, context and data, each after a NUL; the data is not copied into
    one message with the others (a site's drawings add up to megabytes)."""
    mac = hmac.new(key, purpose.encode() + b"\0" + context.encode() + b"\0", hashlib.sha256)
    mac.update(data)
    return mac.digest()


def load(path: Path, purpose: str, context: str) -> bytes | None:
    """The data stored at `path` by `store` with the same purpose and context, or None when
    there is none or it does not verify. A link or an oversized file is not read."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    with os.fdopen(fd, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        if size > MAX_ENTRY_BYTES:
            return None
        # read(size + 1), not read(MAX_ENTRY_BYTES + 1), which allocated 16 MiB for each
        # entry (most are a few kilobytes): a third of the time of loading them
        blob = handle.read(size + 1)
    if len(blob) < TAG_BYTES or len(blob) > MAX_ENTRY_BYTES:
        return None
    tag, data = blob[:TAG_BYTES], blob[TAG_BYTES:]
    if not hmac.compare_digest(tag, _tag(machine_key(), purpose, context, data)):
        return None
    return data


def store(path: Path, purpose: str, context: str, data: bytes) -> None:
    """Write `data` signed, atomically (a reader never sees half an entry)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(_tag(machine_key(), purpose, context, data) + data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


COMPILED_WITH = "2"
"""What the environments give Jinja's compiler besides a template's source, in the signature
of its compiled code: changed when that changes, so that code compiled before is compiled
again. 2: the language's filters take the context, so none is worked out at compile time."""


class SignedBytecodeCache(jinja2.BytecodeCache):
    """Compiled templates on disk, loaded only when their signature verifies: signed with
    the template's name, a digest of its source, Jinja's version (code compiled by another
    Jinja is compiled again, though Jinja's own header names only Python's) and
    COMPILED_WITH."""

    def __init__(self, directory: Path, held: dict[str, CodeType] | None = None):
        self.directory = directory
        self.held = held
        """Code loaded or compiled, by `_context`, shared by the environments given the same
        dict: each language's environment loads every template, and the second takes the
        code the first read (reading, verifying and unmarshalling it again cost the default
        site a tenth of the time of rendering its pages). Without it, every load reads."""

    def _path(self, bucket: jinja2.bccache.Bucket) -> Path:
        return self.directory / f"{bucket.key}.signed"

    @staticmethod
    def _context(bucket: jinja2.bccache.Bucket) -> str:
        return f"{bucket.key}{bucket.checksum}jinja2-{jinja2.__version__}-{COMPILED_WITH}"

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        context = self._context(bucket)
        if self.held is not None and context in self.held:
            bucket.code = self.held[context]
            return
        data = load(self._path(bucket), "jinja", context)
        if data is not None:
            bucket.bytecode_from_string(data)
            self._hold(context, bucket.code)

    def _hold(self, context: str, code: CodeType | None) -> None:
        if self.held is not None and code is not None:
            self.held[context] = code

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        context = self._context(bucket)
        self._hold(context, bucket.code)
        try:
            store(self._path(bucket), "jinja", context, bucket.bytecode_to_string())
        except OSError:
            pass  # a read-only project still builds; it only compiles again next time


def tracked_cache(root: Path) -> list[Problem]:
    """A problem for each file under `root/.cache` that git tracks (none without git)."""
    try:
        done = subprocess.run(
            ["git", "-C", str(root), "ls-files", "-z", "--", ".cache"],
            capture_output=True,
            timeout=60,
        )
    except (OSError, subprocess.SubprocessError):
        return []  # no git: nothing can be committed
    if done.returncode != 0:
        return []  # not a git work tree
    names = [name for name in done.stdout.decode("utf-8", "replace").split("\0") if name]
    message = "the build cache is tracked by git; a committed cache could plant code in the build"
    hint = "untrack it with `git rm -r --cached .cache` (.gitignore lists it)"
    return [Problem(name, 1, 1, message, hint) for name in names]
