"""Editions cannot drift: a page and its translation place the same charts, callouts,
figures and citations (`::: chart`, `::: callout`, `{fig:}`, `{src:}`).

A translation may reorder the words of a paragraph, so the figures and citations of one
paragraph are compared as a set; the paragraphs, charts and callouts must come in the same
order. Each difference is reported in the file that has the extra (or different)
placement, naming the other edition and the line there where it would go.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, NamedTuple

from .cjk import LazyPattern
from .errors import Problem
from .markdown import BLOCK, INLINE

if TYPE_CHECKING:
    from .content import Content, Page

FENCE = LazyPattern(r"^(```|~~~).*?^\1[ \t]*$", re.M | re.S)
"""Fenced code: an example of the syntax, not a placement."""


class Placement(NamedTuple):
    kind: str
    ident: str
    line: int

    @property
    def key(self) -> tuple[str, str]:
        return (self.kind, self.ident)

    def shown(self) -> str:
        if self.kind in ("chart", "callout"):
            return f"`::: {self.kind} {self.ident}`"
        return f"`{{{self.kind}:{self.ident}}}`"


def placements(page: Page) -> list[Placement]:
    """What a page places, paragraph by paragraph; within a paragraph the inline figures
    and citations in a fixed order, since a translation may reorder a sentence."""
    body = FENCE.sub(lambda m: "\n" * m.group(0).count("\n"), page.body)
    found: list[Placement] = []
    offset = 0
    for paragraph in re.split(r"(\n[ \t]*\n)", body):
        line = page.body_line + body.count("\n", 0, offset)
        offset += len(paragraph)
        if not paragraph.strip():
            continue
        blocks = [
            Placement(m[1], m[2], line + paragraph.count("\n", 0, m.start()))
            for m in BLOCK.finditer(paragraph)
        ]
        inline = [
            Placement(m[1], m[2], line + paragraph.count("\n", 0, m.start()))
            for m in INLINE.finditer(paragraph)
        ]
        found += blocks + sorted(inline, key=lambda p: p.key)
    return found


def edition_problems(content: Content) -> list[Problem]:
    """A problem for each chart, callout, figure or citation that one edition of a page
    places and its twin does not."""
    by_key: dict[str, dict[str, Page]] = {}
    for page in content.pages:
        by_key.setdefault(page.key, {})[page.lang] = page
    problems: list[Problem] = []
    for editions in by_key.values():
        default = content.site.default_language
        source = editions.get(default)
        if source is None:
            continue  # reported by the language check
        for lang, twin in sorted(editions.items()):
            if lang != default:
                problems += _compare(source, twin)
    return problems


def _compare(first: Page, second: Page) -> list[Problem]:
    import difflib  # only for a site of two languages or more

    a, b = placements(first), placements(second)
    matcher = difflib.SequenceMatcher(a=[p.key for p in a], b=[p.key for p in b], autojunk=False)
    problems: list[Problem] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        for k in range(max(i2 - i1, j2 - j1)):
            mine = a[i1 + k] if i1 + k < i2 else None
            theirs = b[j1 + k] if j1 + k < j2 else None
            problems.append(
                _problem(first, second, mine, theirs, _near(a, i1 + k), _near(b, j1 + k))
            )
    return problems


def _near(placed: list[Placement], index: int) -> str:
    """Where in the other edition the missing placement would go: before the placement at
    its position, or after the last one."""
    if index < len(placed):
        return f"before line {placed[index].line}"
    return f"after line {placed[-1].line}" if placed else "anywhere: it places nothing"


def _problem(
    first: Page,
    second: Page,
    mine: Placement | None,
    theirs: Placement | None,
    near_a: str,
    near_b: str,
) -> Problem:
    hint = (
        "place the same charts, callouts, {fig:} and {src:} in both editions, "
        "in the same paragraphs"
    )
    if mine and theirs:
        return Problem(
            first.path,
            mine.line,
            1,
            f"{mine.shown()} is placed here, but {second.path}:{theirs.line} "
            f"places {theirs.shown()} instead",
            hint,
        )
    if mine:
        return Problem(
            first.path,
            mine.line,
            1,
            f"{mine.shown()} is placed here but not in {second.path} ({near_b} there)",
            hint,
        )
    assert theirs is not None
    return Problem(
        second.path,
        theirs.line,
        1,
        f"{theirs.shown()} is placed here but not in {first.path} ({near_a} there)",
        hint,
    )
