"""Nothing broken ships: every internal link, anchor and asset of the built site must resolve.

Works on site-relative POSIX paths and one listing of the output, so checking a
thousand pages costs string operations, not filesystem calls.
"""

from __future__ import annotations

import html
import os
import posixpath
import re
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
        target = path[len(base_path):]
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


def check_links(out: Path, base_path: str, pages: dict[str, str] | None = None, only: set[str] | None = None) -> list[Problem]:
    """Problems for every broken internal link or missing anchor in the HTML under `out`.

    `pages` (site path -> HTML) saves re-reading pages the caller has in memory; `only`
    checks the links of those pages alone (the preview checks what it re-rendered).
    """
    files, dirs = _listing(out)
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
        for match in LINK.finditer(source):
            url = match.group(1)
            target = _target(base_path, page, url, dirs)
            if target is None:
                continue
            path, fragment = target
            line = source.count("\n", 0, match.start()) + 1
            if path not in files:
                problems.append(Problem(page, line, 1, f"broken link: {url} (no file at {path})", "fix the link, or add the page or asset it points to"))
                continue
            if fragment and path.endswith(".html"):
                if path not in ids:
                    ids[path] = {html.unescape(m) for m in ID.findall(text_of(path))}
                if unquote(fragment) not in ids[path]:
                    problems.append(Problem(page, line, 1, f"missing anchor: {url} (no id '{fragment}' on that page)", "fix the fragment after # or add the id"))
    return problems
