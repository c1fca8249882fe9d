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
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .errors import Problem

LINK_NAMES = ("href", "src", "data-figure", "data-plotly", "data-locale")
"""The attributes whose values are links the check follows."""
# What `\s(?:href|src|…)="([^"]*)"` and `\sid="([^"]*)"` find, written to start with a
# character rather than `\s`: the engine then jumps to each `=` (or `i`) instead of trying
# the pattern at every character (7 to 10 times faster on the pages of a site).
LINK = re.compile("=(?:" + "|".join(rf"(?<=\s{n}=)" for n in LINK_NAMES) + ')"([^"]*)"')
ID = re.compile(r'i(?<=\si)d="([^"]*)"')
OUTSIDE = "../"  # marks a target outside the site
PLAIN_FRAGMENT_SPOILERS = frozenset("&\t\r\n")
"""What makes `#fragment` more than the page and the text after `#`: an entity to unescape,
or what urlsplit removes."""


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


@dataclass(frozen=True)
class PageLinks:
    """What the check needs of a page already written, instead of its text: each URL it
    loads with the offset of its attribute, and its ids. A build's workers send these back
    rather than the pages (a few hundred bytes rather than a few kilobytes a page)."""

    links: tuple[str, ...]
    """Every URL the page loads, in order (where each stands is found again for a problem)."""
    ids: frozenset[str]


def page_links(source: str) -> PageLinks:
    """The links and ids of a page's HTML."""
    return PageLinks(tuple(LINK.findall(source)), frozenset(_unescaped(ID.findall(source))))


def _offsets(source: str) -> list[int]:
    """Where each link's attribute starts (after its space), in the order of PageLinks."""
    return [m.start() - _name_length(source, m.start()) for m in LINK.finditer(source)]


def _name_length(source: str, equals: int) -> int:
    """The length of the link attribute's name that ends at `equals`."""
    return next(len(n) for n in LINK_NAMES if source.startswith(n, equals - len(n)))


def _unescaped(ids: Iterable[str]) -> set[str]:
    return {html.unescape(i) if "&" in i else i for i in ids}


class _Lines:
    """Line and column of the links of one page. Line starts are found once, and only when a
    problem needs them: counting newlines from the top for every link made the check
    quadratic in a page's length (an index page linking 10,000 records). The text too is
    read only then, for a page the check knows by its PageLinks."""

    def __init__(self, text: str | Callable[[], str]):
        self.text = text
        self.starts: list[int] | None = None
        self.offsets: list[int] = []

    def at(self, link: int) -> tuple[int, int]:
        """Line and column of the page's `link`-th link (from 0)."""
        if self.starts is None:
            text = self.text if isinstance(self.text, str) else self.text()
            self.starts = [0] + [m.end() for m in re.finditer("\n", text)]
            self.offsets = _offsets(text)
        offset = self.offsets[link]
        line = bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1


def check_links(
    out: Path,
    base_path: str,
    pages: Mapping[str, str | PageLinks] | None = None,
    only: set[str] | None = None,
    listing: tuple[set[str], set[str]] | None = None,
) -> list[Problem]:
    """Problems for every broken internal link or missing anchor in the HTML under `out`.

    `pages` (site path -> HTML, or the PageLinks of a page written already) saves reading
    pages again; `only` checks the links of those pages alone (the preview checks what it
    re-rendered). `listing` (files, folders) describes the output as it will be, for
    checking pages before they are written (see `listing_of`); by default the output is
    listed as it is.
    """
    files, dirs = listing if listing is not None else _listing(out)
    known = pages or {}
    texts: dict[str, str] = {}

    def text_of(name: str) -> str:
        found = known.get(name)
        if isinstance(found, str):
            return found
        if name not in texts:
            texts[name] = (out / name).read_text(encoding="utf-8")
        return texts[name]

    ids: dict[str, set[str] | frozenset[str]] = {}

    def ids_of(name: str) -> set[str] | frozenset[str]:
        if name not in ids:
            found = known.get(name)
            ids[name] = (
                found.ids if isinstance(found, PageLinks) else _unescaped(ID.findall(text_of(name)))
            )
        return ids[name]

    resolved: dict[str, tuple[str, str] | None] = {}
    outside: set[str] = set()

    def target_of(page: str, url: str) -> tuple[str, str] | None:
        """_target, worked out once for each URL from the site's root (every page links the
        same menu, assets and language switch) and for each link out of the site (the
        sources every page cites: whether a URL leaves the site depends on it alone), and
        at once for a plain `#fragment` (the citations of a page)."""
        if url[:1] == "#" and not PLAIN_FRAGMENT_SPOILERS.intersection(url):
            return page, url[1:]  # as urlsplit splits it, with nothing to unescape
        if url[:1] != "/":  # a relative link depends on the page
            if url in outside:
                return None
            target = _target(base_path, page, url, dirs)
            if target is None:
                outside.add(url)
            return target
        if url not in resolved:
            resolved[url] = _target(base_path, page, url, dirs)
        return resolved[url]

    problems: list[Problem] = []
    checked = sorted(only) if only is not None else sorted(n for n in files if n.endswith(".html"))
    for page in checked:
        found = known.get(page)
        if isinstance(found, PageLinks):
            links: Iterable[tuple[int, str]] = enumerate(found.links)
            lines = _Lines(lambda page=page: text_of(page))  # type: ignore[misc]
        else:
            source = text_of(page)
            links = enumerate(m.group(1) for m in LINK.finditer(source))
            lines = _Lines(source)
        for n, url in links:
            target = target_of(page, url)
            if target is None:
                continue
            path, fragment = target
            if path not in files:
                line, column = lines.at(n)  # the attribute, after its space
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
                if unquote(fragment) not in ids_of(path):
                    line, column = lines.at(n)
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
