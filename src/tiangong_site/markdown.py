"""Markdown prose -> HTML, with the few block and inline forms that place data in the prose.

- `::: chart CHART-ID` on a line of its own places a chart (with its table, notes,
  source line and downloads).
- `::: callout FIGURE-ID` on a line of its own shows a key figure as a large callout.
- `{fig:FIGURE-ID}` inside a sentence prints a figure from the data, linked to its source,
  so prose never states a number the data does not hold.
- `{src:SOURCE-ID}` after a claim cites a source (a numbered note linking to the list of
  sources at the end of the page).

Raw HTML in a page is shown as text unless the page sets `allow_html: true`; then it is
kept but sanitised (no script, no event handlers, no javascript: URLs).
"""

from __future__ import annotations

import bisect
import contextlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .cjk import LazyPattern
from .errors import Problem
from .limits import MAX_BRACKET_WORK, MAX_DEPTH, MAX_INLINE_WORK
from .memo import Memo, digest, package_version, source_digest

if TYPE_CHECKING:
    import markdown as md

BLOCK = LazyPattern(r"^:::[ \t]*(chart|callout)[ \t]+([a-z0-9][a-z0-9-]*)[ \t]*$", re.M)
BAD_BLOCK = LazyPattern(r"^:::.*$", re.M)
INLINE = LazyPattern(r"\{(fig|src):([a-z0-9][a-z0-9-]*)\}")
TOKEN = LazyPattern(r"(<p>)?TGBLOCK(chart|callout|fig|src)X([a-z0-9-]+)XEND(?(1)</p>)")
"""A placeholder, with the paragraph around it only when the placeholder is the whole paragraph."""

NEWLINE = LazyPattern("\n")
CONTAINERS = LazyPattern(r"(?:[ \t]*(?:>|[-*+](?=[ \t])|\d{1,9}[.)](?=[ \t])))*[ \t]*")
"""The quote markers, list markers and indentation that open a line."""
LIST_MARKER = LazyPattern(r"(?:[-*+]|\d{1,9}[.)])(?=[ \t])")
BRACKETS = LazyPattern(r"\\.|[\[\]]")
PARAGRAPH_END = LazyPattern(r"\n(?:[ \t]*\n)+")
INLINE_MARKS = "*_`[]<&|"

EXTRA_TAGS = {"figure", "figcaption", "aside", "section", "details", "summary", "mark"}
"""Allowed besides nh3's own ALLOWED_TAGS."""


@dataclass
class Rendered:
    html: str
    charts: list[str] = field(default_factory=list)
    figures: list[str] = field(default_factory=list)
    headings: list[tuple[str, str]] = field(default_factory=list)


def _converter() -> md.Markdown:
    # imported on first conversion: a build whose prose is memoised needs none
    import markdown as md

    converter = md.Markdown(
        extensions=["tables", "footnotes", "sane_lists", "smarty", "toc"],
        extension_configs={
            "toc": {"permalink": False},
            "footnotes": {"BACKLINK_TITLE": "Back to the text"},
        },
        output_format="html",
    )
    return converter


def _escape_raw_html(converter: md.Markdown) -> None:
    converter.preprocessors.deregister("html_block")
    converter.inlinePatterns.deregister("html")


def render_markdown(
    body: str,
    *,
    path: str,
    first_line: int,
    allow_html: bool,
    place: Callable[[str, str], str | None],
    suggest: Callable[[str, str], str | None] = lambda kind, ident: None,
    files: dict[str, str] | None = None,
) -> tuple[Rendered, list[Problem]]:
    """Render a page body. `place(kind, id)` returns the HTML for a chart, callout or figure,
    or None when the id is unknown (reported as a problem at the line it appears on, with
    the known id `suggest(kind, id)` finds closest to it, if any, or else the file of
    `files` (by kind: chart, fig, src) where such a record is added)."""
    problems = check_structure(body, path, first_line)
    result = Rendered(html="")
    if problems:
        return result, problems
    newlines = [m.start() for m in NEWLINE.finditer(body)]

    def line_of(offset: int) -> int:
        return first_line + bisect.bisect_left(newlines, offset)

    def block(match: re.Match[str]) -> str:
        kind, ident = match.group(1), match.group(2)
        (result.charts if kind == "chart" else result.figures).append(ident)
        return f"\nTGBLOCK{kind}X{ident}XEND\n"

    for bad in BAD_BLOCK.finditer(body):
        if not BLOCK.match(bad.group(0)):
            problems.append(
                Problem(
                    path,
                    line_of(bad.start()),
                    1,
                    f"cannot read block '{bad.group(0).strip()}'",
                    "write `::: chart CHART-ID` or `::: callout FIGURE-ID`",
                )
            )

    def inline(match: re.Match[str]) -> str:
        kind, ident = match.group(1), match.group(2)
        if kind == "fig":
            result.figures.append(ident)
        return f"TGBLOCK{kind}X{ident}XEND"

    # The lines each (kind, id) is used on, in order: each use is reported at its own line.
    positions: dict[tuple[str, str], list[int]] = {}
    for m in BLOCK.finditer(body):
        positions.setdefault((m.group(1), m.group(2)), []).append(line_of(m.start()))
    for m in INLINE.finditer(body):
        positions.setdefault((m.group(1), m.group(2)), []).append(line_of(m.start()))
    text = INLINE.sub(inline, BLOCK.sub(block, body))

    try:
        html, headings = _converted(text, allow_html)
    except RecursionError:  # the checks above should prevent it; never a traceback if not
        message = "the Markdown is nested too deeply to convert"
        return result, [
            Problem(path, first_line, 1, message, "check for long runs of `*`, `_`, `[` or `>`")
        ]
    result.headings = headings

    def replace(match: re.Match[str]) -> str:
        kind, ident = match.group(2), match.group(3)
        lines = positions.get((kind, ident))
        line = lines.pop(0) if lines else first_line
        placed = place(kind, ident)
        if placed is None:
            what = {"chart": "chart", "callout": "figure", "fig": "figure", "src": "source"}[kind]
            known = {"chart": "content/charts.yaml"} | (files or {})
            where = known.get("fig" if kind == "callout" else kind, "the data")
            close = suggest(kind, ident)
            hint = (
                f"did you mean '{close}'?"
                if close
                else f"add a record with id '{ident}' to {where}, or fix the id"
            )
            problems.append(Problem(path, line, 1, f"{what} '{ident}' is not defined", hint))
            return ""
        return placed

    result.html = TOKEN.sub(replace, html)
    return result, problems


_MEMO: list[Memo] = []
"""The memo of the build in progress (see `remembered`); none outside a build."""


@contextlib.contextmanager
def remembered(folder: Path | None, memo: Memo | None = None) -> Iterator[Memo]:
    """Conversions of earlier builds, kept in `folder` under a digest of the text: the HTML
    depends only on the text, this module and the Markdown and nh3 versions. Call `save` on
    the memo it yields once the build succeeded. A `memo` it yielded before is used again
    (the preview keeps one for its updates) rather than read from `folder`."""
    if memo is None:
        versions = package_version("markdown"), package_version("nh3")
        salt = digest(source_digest(__file__), *versions)
        memo = Memo(folder, "markdown", salt)
    _MEMO.append(memo)
    try:
        yield memo
    finally:
        _MEMO.remove(memo)


def _converted(text: str, allow_html: bool) -> tuple[str, list[tuple[str, str]]]:
    """The sanitised HTML of Markdown text (placeholders kept), and its headings."""
    memo = _MEMO[-1] if _MEMO else None
    key = digest(text, str(allow_html)) if memo is not None else ""
    kept = memo.get(key) if memo is not None else None
    if kept is None:
        kept = list(_convert(text, allow_html))
        if memo is not None:
            memo.put(key, kept)
    html, headings = kept
    return html, [(ident, name) for ident, name in headings]


def _convert(text: str, allow_html: bool) -> tuple[str, list[Any]]:
    import nh3

    converter = _converter()
    if not allow_html:
        _escape_raw_html(converter)
    html = converter.convert(text)
    # Sanitised in both modes: even with raw HTML shown as text, a Markdown link such as
    # [text](javascript:...) would otherwise reach the page.
    html = nh3.clean(
        html,
        tags=nh3.ALLOWED_TAGS | EXTRA_TAGS,
        attributes={
            "*": {"class", "id", "title", "lang"},
            "a": {"href", "title"},
            "img": {"src", "alt", "width", "height"},
            "th": {"style"},
            "td": {"style"},
        },
        filter_style_properties={"text-align"},  # the alignment of Markdown table columns
        link_rel="noopener",
    )
    return html, [[item["id"], item["name"]] for item in _flatten(converter.toc_tokens)]


def check_structure(body: str, path: str, first_line: int) -> list[Problem]:
    """Refuse, before converting, what would make the Markdown library recurse too deep or
    work for minutes: quotes and lists nested over MAX_DEPTH levels, and `[` brackets that
    make it scan the same text again and again (each `[` is scanned up to its `]`)."""
    for number, line in enumerate(body.split("\n")):
        prefix = CONTAINERS.match(line).group(0)  # type: ignore[union-attr]
        if len(prefix) > MAX_DEPTH:  # each level takes at least one character
            depth = prefix.count(">") + len(LIST_MARKER.findall(prefix)) + _indent(prefix) // 4
            if depth > MAX_DEPTH:
                message = (
                    f"quotes or lists are nested {depth} levels deep, over the limit of {MAX_DEPTH}"
                )
                return [Problem(path, first_line + number, 1, message, "nest less deeply")]
    return _check_brackets(body, path, first_line) or _check_inline(body, path, first_line)


def _check_inline(body: str, path: str, first_line: int) -> list[Problem]:
    """The Markdown library's work on a paragraph grows with the square of its inline markup
    (each `*a*`, `` `a` ``, link...), so the sum of those squares is bounded."""
    work, start = 0, 0
    for end in [*PARAGRAPH_END.finditer(body), None]:
        paragraph = body[start : end.start() if end else len(body)]
        marks = sum(paragraph.count(c) for c in INLINE_MARKS)
        work += marks * marks
        if work > MAX_INLINE_WORK:
            message = (
                f"a paragraph with {marks:,} marks of inline markup (`*`, `_`, `[`...): "
                "too many to convert quickly"
            )
            return [
                Problem(
                    path,
                    first_line + body.count("\n", 0, start),
                    1,
                    message,
                    "split the paragraph, or use less markup",
                )
            ]
        start = end.end() if end else len(body)
    return []


def _indent(prefix: str) -> int:
    return len(prefix.expandtabs(4)) - len(prefix.expandtabs(4).lstrip(" "))


def _check_brackets(body: str, path: str, first_line: int) -> list[Problem]:
    work, opened, block_end = 0, [], -1

    def refused(at: int) -> list[Problem]:
        message = (
            "too many `[` brackets that close far away or never (the Markdown would take minutes)"
        )
        return [
            Problem(
                path,
                first_line + body.count("\n", 0, at),
                1,
                message,
                "close each `[` with `]`, or write `\\[` for a bracket",
            )
        ]

    for match in BRACKETS.finditer(body):
        at = match.start()
        if (
            at >= block_end
        ):  # a new paragraph: what is still open was scanned to the end of the last
            work += sum(block_end - start for start in opened)
            if work > MAX_BRACKET_WORK:
                return refused(opened[0])
            opened = []
            paragraph = PARAGRAPH_END.search(body, at)
            block_end = paragraph.start() if paragraph else len(body)
        if match.group() == "[":
            opened.append(at)
        elif match.group() == "]" and opened:
            start = opened.pop()
            work += at - start
            if work > MAX_BRACKET_WORK:
                return refused(start)
    work += sum(block_end - start for start in opened)
    return refused(opened[0]) if work > MAX_BRACKET_WORK else []


def _flatten(tokens: list[dict]) -> list[dict]:
    out = []
    for token in tokens:
        out.append(token)
        out.extend(_flatten(token.get("children", [])))
    return out
