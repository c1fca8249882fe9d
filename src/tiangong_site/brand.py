"""The brand colours, kept in one place: the custom properties of the first `:root { }` rule
of static/style.css.

The page's CSS uses them directly; the charts and the link-preview cards read them here at
build time (Plotly wants literal colours in its figure JSON), and scripts/logo-image.py reads
them to draw the favicon and the publisher logo. Change a colour in style.css and every one of
those follows (the favicon and the logo after the script runs again).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .cjk import LazyPattern
from .errors import ContentError, Problem

ROOT_RULE = re.compile(r":root\s*\{(?P<body>[^}]*)\}")
PROPERTY = LazyPattern(r"--(?P<name>[\w-]+)\s*:\s*(?P<value>[^;]*?)\s*(?:;|$)")
COLOUR = LazyPattern(r"#[0-9a-fA-F]{6}")
COMMENT = re.compile(r"/\*.*?\*/", re.S)

CHART_SERIES = ("accent", "chart-2", "chart-3", "chart-4", "chart-5")
"""The palette of chart series, in order: the accent first, so a single series is the accent."""
NEEDED = (*CHART_SERIES, "chart-muted", "accent-bg", "bg", "fg", "muted")


@dataclass(frozen=True)
class Brand:
    """The colours the charts and the images take from the stylesheet (light mode)."""

    colours: tuple[tuple[str, str], ...]
    """(custom property name without `--`, `#rrggbb`), as the stylesheet gives them."""

    def __getitem__(self, name: str) -> str:
        return dict(self.colours)[name]

    @property
    def accent(self) -> str:
        """Highlighted rows, timeline markers, the favicon and the card's rule."""
        return self["accent"]

    @property
    def muted(self) -> str:
        """Rows not highlighted, and the hatched legend entry of uncertain rows."""
        return self["chart-muted"]

    @property
    def palette(self) -> list[str]:
        return [self[name] for name in CHART_SERIES]


def read_brand(stylesheet: Path, shown: str = "static/style.css") -> Brand:
    """The brand colours in `stylesheet`. Raises ContentError, at the line of the `:root`
    rule (or of the bad value), if one is missing or not a `#rrggbb` colour."""
    css = COMMENT.sub(
        lambda m: re.sub(r"[^\n]", " ", m.group(0)), stylesheet.read_text(encoding="utf-8")
    )
    rule = ROOT_RULE.search(css)
    if rule is None:
        raise ContentError(
            [
                Problem(
                    shown,
                    1,
                    1,
                    "no `:root { }` rule with the brand colours",
                    "put them first in the file, e.g. :root { --accent: #336699; }",
                )
            ]
        )
    found: dict[str, tuple[str, int, int]] = {}
    for match in PROPERTY.finditer(rule.group("body")):
        offset = rule.start("body") + match.start()
        line = css.count("\n", 0, offset) + 1
        found[match.group("name")] = (
            match.group("value"),
            line,
            offset - css.rfind("\n", 0, offset),
        )
    problems = []
    rule_line = css.count("\n", 0, rule.start()) + 1
    for name in NEEDED:
        if name not in found:
            problems.append(
                Problem(
                    shown,
                    rule_line,
                    1,
                    f"the brand colour --{name} is missing from the first :root rule",
                    f"add it, e.g. --{name}: #336699;",
                )
            )
        elif not COLOUR.fullmatch(found[name][0]):
            value, line, column = found[name]
            problems.append(
                Problem(
                    shown,
                    line,
                    column,
                    f"--{name} is '{value}', not a colour the charts and images can use",
                    "write it as #rrggbb, e.g. #336699",
                )
            )
    if problems:
        raise ContentError(problems)
    return Brand(tuple((name, found[name][0].lower()) for name in NEEDED))


PLAIN = Brand(tuple((name, "#000000" if name == "fg" else "#808080") for name in NEEDED))
"""Greys, for charts no reader sees (`check` plans the site without writing it). A build
always draws in the colours of its project's stylesheet."""
