"""Read YAML strictly, keeping the file/line/column of every value.

Why a loader of our own on top of PyYAML's SafeLoader:
- duplicate keys are silently merged by PyYAML; editors need to hear about them;
- aliases make "billion laughs" bombs possible and are never needed in content;
- YAML 1.1 turns `no` into False and `2024-05-24` into a date object; we keep
  dates as text (validated later, with a clear message) and accept only
  true/false as booleans;
- every value keeps its position so a validation error can name file:line:col.

The parser is in yamlparser.py; this module reads files, and what earlier builds parsed from
the memo (`remembered`), importing the parser only for a file the memo lacks.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .cjk import LazyPattern
from .errors import ContentError, Problem
from .limits import MAX_DATA_BYTES, MAX_PAGE_BYTES, MAX_PAGE_LINES, read_text
from .memo import Memo, digest, source_digest

MAX_FILE_BYTES = MAX_DATA_BYTES
"""Content files above this size are refused: a sane dataset is far smaller."""

Position = tuple[int, int]
PathKey = tuple[str | int, ...]


@dataclass
class LoadedFile:
    """A YAML document as plain Python data, plus where each value came from."""

    path: str
    data: Any
    positions: dict[PathKey, Position] = field(default_factory=dict)
    decimals: dict[PathKey, int] = field(default_factory=dict)
    """Decimal places of each number written with a point: 7.0 keeps its one place, which
    the parsed float loses, so a figure can be shown as printed."""

    def position(self, key: PathKey) -> Position:
        """The position of `key`, or of its nearest located ancestor."""
        while key not in self.positions and key:
            key = key[:-1]
        return self.positions.get(key, (1, 1))

    def problem(
        self, key: PathKey, message: str, hint: str = "", severity: str = "error"
    ) -> Problem:
        line, col = self.position(key)
        return Problem(self.path, line, col, message, hint, severity)


def _parsing_sources() -> list[Path]:
    """The code a parsed file comes from: this module, the parser and PyYAML's `__init__`,
    which holds its version (found without importing PyYAML, which a memo makes needless)."""
    here = Path(__file__)
    spec = importlib.util.find_spec("yaml")
    found = [Path(spec.origin)] if spec is not None and spec.origin else []
    return [here, here.with_name("yamlparser.py"), *found]


_MEMO: list[Memo] = []
"""The memo of the build in progress (see `remembered`); none outside a build."""


@contextlib.contextmanager
def remembered(folder: Path | None) -> Iterator[Memo]:
    """Files parsed by earlier builds, kept in `folder` under a digest of their text: what
    parsing gives depends only on it, this module, the parser and PyYAML. Decoding the kept
    JSON takes a third of the time of parsing the default site's YAML again (7 against 22
    ms), and a build that parses nothing does not import PyYAML. Call `save` on the memo it
    yields once the build succeeded."""
    memo = Memo(folder, "parsed", source_digest(*_parsing_sources()))
    _MEMO.append(memo)
    try:
        yield memo
    finally:
        _MEMO.remove(memo)


def load_yaml_text(text: str, path: str) -> LoadedFile:
    """Parse one YAML document strictly. Raises ContentError with a located problem."""
    memo = _MEMO[-1] if _MEMO else None
    if memo is None:
        return _parsed(text, path)
    key = digest(text)
    kept = memo.get(key)
    if kept is not None:
        return _unkept(kept, path)
    out = _parsed(text, path)
    _keep(memo, key, out)
    return out


def _keep(memo: Memo, key: str, out: LoadedFile) -> None:
    """Put a parsed file in the memo as JSON text (each use decodes its own copy: the build
    changes what it loaded), unless JSON cannot give it back the same (keys that are not
    strings, NaN)."""
    kept = [
        out.data,
        [[list(k), *where] for k, where in out.positions.items()],
        [[list(k), places] for k, places in out.decimals.items()],
    ]
    raw = json.dumps(kept, ensure_ascii=False, separators=(",", ":"))
    if json.loads(raw) == kept:
        memo.put(key, raw)


def _unkept(raw: str, path: str) -> LoadedFile:
    data, positions, decimals = json.loads(raw)
    return LoadedFile(
        path,
        data,
        {tuple(k): (line, col) for k, line, col in positions},
        {tuple(k): places for k, places in decimals},
    )


def _parsed(text: str, path: str) -> LoadedFile:
    # Imported here: PyYAML, which the parser needs, costs a build 10 ms to import, and a
    # build whose files are all in the memo parses none.
    from .yamlparser import parse

    return parse(text, path)


def load_yaml_file(path: Path, shown_as: str) -> LoadedFile:
    """Read and parse a YAML file, refusing files that are too large or not UTF-8."""
    return load_yaml_text(read_text(path, shown_as, MAX_FILE_BYTES), shown_as)


FRONT_MATTER = LazyPattern(r"\A---[ \t]*\n(.*?\n)?---[ \t]*\n", re.S)


def split_front_matter(text: str, path: str) -> tuple[LoadedFile, str, int]:
    """Split a Markdown file into its YAML front matter and body.

    Returns the parsed front matter, the body, and the line number the body starts on.
    """
    match = FRONT_MATTER.match(text.removeprefix("\ufeff"))
    if not match:
        raise ContentError(
            [
                Problem(
                    path,
                    1,
                    1,
                    "page has no front matter",
                    "start the file with `---`, a `title:` line, and `---`",
                )
            ]
        )
    # The front matter starts on line 2: parse it after an empty line in place of the opening
    # `---`, so positions and messages ("first given on line N") use the file's line numbers.
    front = load_yaml_text("\n" + (match.group(1) or ""), path)
    body_line = match.group(0).count("\n") + 1
    return front, match.string[match.end() :], body_line


def read_page(path: Path, shown: str) -> str:
    """A Markdown page's text, with line ends made `\\n` (as the front matter expects);
    refused if over the page size or line limits, or not UTF-8."""
    text = read_text(path, shown, MAX_PAGE_BYTES).replace("\r\n", "\n").replace("\r", "\n")
    lines = text.count("\n") + 1
    if lines > MAX_PAGE_LINES:
        message = f"page has {lines:,} lines, over the {MAX_PAGE_LINES:,}-line limit"
        raise ContentError(
            [Problem(shown, MAX_PAGE_LINES + 1, 1, message, "split it into several pages")]
        )
    return text
