"""Limits on what the build reads, and the one way it reads a text file.

Every file the build reads is small in real use (the largest today is about 20 KB). The limits
keep a hostile or broken file from making the build run for minutes or fill the memory: each
is checked before the work it bounds is done (file size before reading, nesting and counts
while parsing), and each refusal is a located problem. docs/editing.md lists them.
"""

from __future__ import annotations

from pathlib import Path

from .errors import ContentError, Problem

MiB = 1024 * 1024

MAX_DATA_BYTES = 2 * MiB
"""A YAML file: content/site.yaml, content/charts.yaml, content/data/*.yaml."""
MAX_TABLE_BYTES = 64 * MiB
"""A CSV or JSON data file of a declared dataset (content/datapackage.yaml). Larger than the
YAML limit: `csv` and `json` read in linear time with bounded nesting, and 10,000 records of
ten rows each (the peers benchmark) take 5 MiB (bench/declared_bench.py)."""
MAX_PAGE_BYTES = MiB // 2
"""A Markdown page, front matter included: converting Markdown runs at about 200 KB a second."""
MAX_PAGE_LINES = 3_000
"""Lines of a Markdown page: the Markdown library's work grows with the square of its blocks."""
MAX_TEMPLATE_BYTES = 1 * MiB
"""A template under templates/."""
MAX_CATALOGUE_BYTES = 2 * MiB
"""A catalogue of interface strings, locales/LANG/LC_MESSAGES/messages.po."""
MAX_DEPTH = 32
"""Levels of nesting: of YAML lists and mappings, and of Markdown quotes and lists."""
MAX_KEYS = 10_000
"""Keys in one YAML mapping (one record, or the front matter of a page)."""
MAX_ITEMS = 100_000
"""Items in one YAML list (records of a dataset)."""
MAX_BRACKET_WORK = 2_000_000
"""Characters the Markdown library may scan for the `]` of each `[` of a page (about a second):
it scans from each `[` to its `]`, or to the end of the paragraph when there is none."""
MAX_INLINE_WORK = 50_000_000
"""Sum over a page's paragraphs of (marks of inline markup)^2, as the Markdown library's work
on a paragraph grows with that square: a fraction of a second (one paragraph of 7,000 marks)."""
MAX_PROBLEMS_SHOWN = 200
"""Problems printed by one run; the rest are counted."""

UTF_BOMS = {
    b"\xff\xfe\x00\x00": "UTF-32",
    b"\x00\x00\xfe\xff": "UTF-32",
    b"\xff\xfe": "UTF-16",
    b"\xfe\xff": "UTF-16",
}
SAVE_AS_UTF8 = "save the file as UTF-8 in your editor"


def read_limited(path: Path, shown: str, limit: int) -> bytes:
    """The bytes of `path`, refused without reading it whole when it is over `limit` bytes."""
    with open(path, "rb") as handle:
        raw = handle.read(limit + 1)  # never more, even if the file grows or is not a regular file
    if len(raw) > limit:
        size = max(path.stat().st_size, len(raw))
        raise ContentError(
            [
                Problem(
                    shown,
                    1,
                    1,
                    f"file is {size:,} bytes, over the {limit:,}-byte limit",
                    "split it, or remove stray content",
                )
            ]
        )
    return raw


def decode(raw: bytes, shown: str) -> str:
    """UTF-8 bytes -> text, a byte-order mark dropped. Anything else is a located problem:
    another encoding, the first byte that is not UTF-8, or a NUL character."""
    raw = raw.removeprefix(b"\xef\xbb\xbf")
    for bom, name in UTF_BOMS.items():
        if raw.startswith(bom):
            raise ContentError(
                [Problem(shown, 1, 1, f"file is saved as {name}, not UTF-8", SAVE_AS_UTF8)]
            )
    head = raw[:4096]
    if head.count(0) * 4 > len(head):  # ASCII text in UTF-16 or UTF-32 is half or more NULs
        raise ContentError(
            [
                Problem(
                    shown,
                    1,
                    1,
                    "file looks saved as UTF-16 (it is full of NUL bytes), not UTF-8",
                    SAVE_AS_UTF8,
                )
            ]
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = _line_col(raw, exc.start)
        message = (
            f"byte 0x{raw[exc.start]:02x} is not UTF-8 "
            "(the file may be saved as Latin-1, GBK or UTF-16)"
        )
        raise ContentError([Problem(shown, line, column, message, SAVE_AS_UTF8)]) from None
    nul = text.find("\0")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        column = nul - (text.rfind("\n", 0, nul) + 1) + 1
        raise ContentError(
            [
                Problem(
                    shown, line, column, "a NUL character (byte 0x00) is not allowed", "delete it"
                )
            ]
        )
    return text


def read_text(path: Path, shown: str, limit: int) -> str:
    """A UTF-8 text file of at most `limit` bytes (see `read_limited` and `decode`)."""
    return decode(read_limited(path, shown, limit), shown)


def _line_col(raw: bytes, offset: int) -> tuple[int, int]:
    """Line and column (in characters) of a byte offset."""
    start = raw.rfind(b"\n", 0, offset) + 1
    return raw.count(b"\n", 0, offset) + 1, len(raw[start:offset].decode("utf-8", "replace")) + 1


def shown_problems(
    problems: list[Problem], limit: int = MAX_PROBLEMS_SHOWN
) -> tuple[list[Problem], int]:
    """The first `limit` problems, and how many more there are."""
    return problems[:limit], max(0, len(problems) - limit)
