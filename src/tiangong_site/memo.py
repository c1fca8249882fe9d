"""Results derived from a build's inputs, kept in the build cache under a digest of them.

A memo is one signed JSON file per purpose in `.cache/` (see signed_cache.py: an entry this
machine did not write is ignored). Its name carries a salt, a digest of everything besides
the input that decides the result (the code that computes it, a word list, a library's
version), so a change to any of those starts an empty memo rather than a stale one. Only the
entries a build used are kept when it saves, so the file never outgrows the site.
"""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path
from typing import Any

from . import signed_cache


def digest(*parts: str | bytes) -> str:
    """A hex digest of the parts, each length-prefixed so that no two lists collide."""
    h = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


def source_digest(*files: str | Path) -> str:
    """A digest of source files: the code a memo's results come from."""
    return digest(*(Path(f).read_bytes() for f in files))


@functools.cache
def package_version(name: str) -> str:
    """The installed version of the distribution `name`, as importlib.metadata.version gives
    it (PackageNotFoundError if it is not installed), asked once a process: a build with
    charts asks for four, plotly twice. Read from the Version line of the metadata, which
    importlib.metadata parses whole with the email package: 0.8 against 3.4 ms for five."""
    from importlib import metadata

    found = metadata.distribution(name)
    text = found.read_text("METADATA") or found.read_text("PKG-INFO") or ""
    for line in text.splitlines():
        if not line:
            break  # the headers end at the first empty line
        key, colon, value = line.partition(":")
        if colon and key.strip().lower() == "version":
            return value.strip()
    return found.version


class Memo:
    """Key -> JSON value, read from `folder` once and saved with `save` (nothing without a
    folder: a `check` writes nothing, and a fresh memo then simply computes everything)."""

    def __init__(self, folder: Path | None, purpose: str, salt: str):
        self.path = folder / f"{purpose}-{salt[:24]}.json" if folder is not None else None
        self.purpose, self.salt = purpose, salt
        self.old: dict[str, Any] = self._read()
        self.used: dict[str, Any] = {}

    def _read(self) -> dict[str, Any]:
        if self.path is None:
            return {}
        data = signed_cache.load(self.path, self.purpose, self.salt)
        try:
            found = json.loads(data) if data is not None else {}
        except ValueError:
            return {}
        return found if isinstance(found, dict) else {}

    def get(self, key: str) -> Any | None:
        """The value kept under `key`, or None."""
        if key in self.used:
            return self.used[key]
        value = self.old.get(key)
        if value is not None:
            self.used[key] = value
        return value

    def put(self, key: str, value: Any) -> None:
        self.used[key] = value

    def save(self) -> None:
        """Keep what this build used (when it differs from what was read)."""
        if self.path is None or self.used == self.old:
            return
        raw = json.dumps(self.used, ensure_ascii=False, separators=(",", ":"))
        try:
            signed_cache.store(self.path, self.purpose, self.salt, raw.encode("utf-8"))
        except OSError:
            pass  # a read-only project still builds; it only computes again next time
