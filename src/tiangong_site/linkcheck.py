"""Nothing broken ships: every internal link, anchor and asset of the built site must resolve."""

from __future__ import annotations

import html
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .errors import Problem

LINK = re.compile(r'\s(?:href|src)="([^"]*)"')
ID = re.compile(r'\sid="([^"]*)"')


def _target(out: Path, base_path: str, page: Path, url: str) -> tuple[Path, str] | None:
    """The file a link points to inside `out`, and its fragment; None for external links."""
    parts = urlsplit(html.unescape(url))
    if parts.scheme or parts.netloc or url.startswith(("mailto:", "data:")):
        return None
    path = unquote(parts.path)
    if not path:
        return page, parts.fragment
    if path.startswith("/"):
        if not path.startswith(base_path):
            return out / "__outside_base_path__" / path.lstrip("/"), parts.fragment
        target = out / path[len(base_path):]
    else:
        target = page.parent / path
    if path.endswith("/") or target.is_dir():
        target = target / "index.html"
    return target, parts.fragment


def check_links(out: Path, base_path: str) -> list[Problem]:
    pages = sorted(out.rglob("*.html"))
    ids: dict[Path, set[str]] = {}
    texts = {page: page.read_text(encoding="utf-8") for page in pages}
    problems: list[Problem] = []
    for page, source in texts.items():
        shown = page.relative_to(out).as_posix()
        for match in LINK.finditer(source):
            url = match.group(1)
            target = _target(out, base_path, page, url)
            if target is None:
                continue
            path, fragment = target
            line = source.count("\n", 0, match.start()) + 1
            if not path.resolve().is_file():
                problems.append(Problem(shown, line, 1, f"broken link: {url} (no file at {path.relative_to(out) if path.is_relative_to(out) else path})", "fix the link, or add the page or asset it points to"))
                continue
            if fragment and path.suffix == ".html":
                if path not in ids:
                    text = texts.get(path) or path.read_text(encoding="utf-8")
                    ids[path] = {html.unescape(m) for m in ID.findall(text)}
                if unquote(fragment) not in ids[path]:
                    problems.append(Problem(shown, line, 1, f"missing anchor: {url} (no id '{fragment}' on that page)", "fix the fragment after # or add the id"))
    return problems
