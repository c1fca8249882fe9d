"""Nothing broken ships: every internal link, anchor and asset of the built site must resolve.

Works on site-relative POSIX paths and one listing of the output, so checking a
thousand pages costs string operations, not filesystem calls.
"""

from __future__ import annotations

import html
import os
import posixpath
import re
from bisect import bisect_right
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .errors import Problem

LINK = re.compile(r'\s(?:href|src|data-figure|data-plotly|data-locale)="([^"]*)"')
ID = re.compile(r'\sid="([^"]*)"')
OUTSIDE = "../"  # marks a target outside the site


def _target(base_path: str, page: str, url: str, dirs: set[str]) -> tuple[str, str] | None:
    """The site-relative file a link points to, and its fragment; None for external links."""
    parts = urlsplit(html.unescape(url))
    if parts.scheme or parts.netloc or url.startswith(("mailto:", "data:")):
        return None
    path = unquote(parts.path)
    base_path = unquote(base_path)  # compared decoded, as the path is: /a%26b/ is /a&b/
    if not path:
        return page, parts.fragment
    if path.startswith("/"):
        if not path.startswith(base_path):
            return OUTSIDE + path.lstrip("/"), parts.fragment
        target = path[len(base_path) :]
    else:
        target = posixpath.join(posixpath.dirname(page), path)
    target = posixpath.normpath(target) if target else "."
    if target.startswith(".."):
        return OUTSIDE + target, parts.fragment
    if path.endswith("/") or target == "." or target in dirs:
        target = "index.html" if target == "." else f"{target}/index.html"
    return target, parts.fragment


def _listing(out: Path) -> tuple[set[str], set[str]]:
    files, dirs = set(), set()
    for folder, subfolders, names in os.walk(out):
        rel = os.path.relpath(folder, out).replace(os.sep, "/")
        prefix = "" if rel == "." else rel + "/"
        dirs.update(prefix + d for d in subfolders)
        files.update(prefix + n for n in names)
    return files, dirs


class _Lines:
    """Line and column of offsets in one page. Line starts are found once, and only when a
    problem needs them: counting newlines from the top for every link made the check
    quadratic in a page's length (an index page linking 10,000 records)."""

    def __init__(self, text: str):
        self.text = text
        self.starts: list[int] | None = None

    def at(self, offset: int) -> tuple[int, int]:
        if self.starts is None:
            self.starts = [0] + [m.end() for m in re.finditer("\n", self.text)]
        line = bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1


def check_links(
    out: Path,
    base_path: str,
    pages: dict[str, str] | None = None,
    only: set[str] | None = None,
    listing: tuple[set[str], set[str]] | None = None,
) -> list[Problem]:
    """Problems for every broken internal link or missing anchor in the HTML under `out`.

    `pages` (site path -> HTML) saves re-reading pages the caller has in memory; `only`
    checks the links of those pages alone (the preview checks what it re-rendered).
    `listing` (files, folders) describes the output as it will be, for checking pages
    before they are written (see `listing_of`); by default the output is listed as it is.
    """
    files, dirs = listing if listing is not None else _listing(out)
    texts = dict(pages or {})

    def text_of(name: str) -> str:
        if name not in texts:
            texts[name] = (out / name).read_text(encoding="utf-8")
        return texts[name]

    ids: dict[str, set[str]] = {}
    problems: list[Problem] = []
    checked = sorted(only) if only is not None else sorted(n for n in files if n.endswith(".html"))
    for page in checked:
        source = text_of(page)
        lines = _Lines(source)
        for match in LINK.finditer(source):
            url = match.group(1)
            target = _target(base_path, page, url, dirs)
            if target is None:
                continue
            path, fragment = target
            if path not in files:
                line, column = lines.at(match.start() + 1)  # the attribute, after its space
                problems.append(
                    Problem(
                        page,
                        line,
                        column,
                        f"broken link: {url} (no file at {path})",
                        "fix the link, or add the page or asset it points to",
                    )
                )
                continue
            if fragment and path.endswith(".html"):
                if path not in ids:
                    ids[path] = {html.unescape(m) for m in ID.findall(text_of(path))}
                if unquote(fragment) not in ids[path]:
                    line, column = lines.at(match.start() + 1)
                    problems.append(
                        Problem(
                            page,
                            line,
                            column,
                            f"missing anchor: {url} (no id '{fragment}' on that page)",
                            "fix the fragment after # or add the id",
                        )
                    )
    return problems


def listing_of(files: set[str]) -> tuple[set[str], set[str]]:
    """The files and folders of a site that holds `files` (site paths), as `_listing` reads them."""
    dirs = {posixpath.dirname(name) for name in files} - {""}
    for folder in list(dirs):
        while "/" in folder:
            folder = posixpath.dirname(folder)
            dirs.add(folder)
    return files, dirs


def linked_from(pages: dict[str, str], base_path: str, dirs: set[str]) -> dict[str, set[str]]:
    """Site path of each file some page links to -> the pages that link to it."""
    sources: dict[str, set[str]] = {}
    for page, source in pages.items():
        for match in LINK.finditer(source):
            target = _target(base_path, page, match.group(1), dirs)
            if target is not None:
                sources.setdefault(target[0], set()).add(page)
    return sources
