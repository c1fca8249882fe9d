"""Only files inside the project: every folder the build reads is walked without following
symbolic links, and a link is refused, naming it.

Why: git stores symbolic links, so a pull request that changes only data could add
`static/leak.txt -> /etc/passwd` and have the build publish any file the CI user can read.
A link is never needed in content/, templates/, static/ or locales/: the file itself is.
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import ContentError, Problem

HINT = "replace the link with the file itself"


def shown(path: Path, shown_from: Path) -> str:
    """`path` relative to `shown_from`, without following a link at its end (display_path
    would resolve it, naming the link's target instead of the link)."""
    try:
        return (path.parent.resolve() / path.name).relative_to(shown_from.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _printable(text: str) -> str:
    """A link's target as one line of text, whatever characters it holds."""
    return "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" for ch in text)


def link_problem(path: Path, shown_from: Path) -> Problem:
    try:
        target = _printable(os.readlink(path))
    except OSError:
        target = "?"
    message = f"this is a symbolic link (to {target}); the build uses only files inside the project"
    return Problem(shown(path, shown_from), 1, 1, message, HINT)


def _walk(folder: Path, files: list[Path], links: list[Path]) -> None:
    with os.scandir(folder) as entries:
        for entry in sorted(entries, key=lambda e: e.name):
            path = Path(entry.path)
            if entry.is_symlink():
                links.append(path)
            elif entry.is_dir(follow_symlinks=False):
                _walk(path, files, links)
            elif entry.is_file(follow_symlinks=False):
                files.append(path)


def scan(folder: Path, shown_from: Path) -> tuple[list[Path], list[Problem]]:
    """Every regular file under `folder` (sorted), and a problem for each link met, the
    folder itself included. A missing folder has no files and no problems."""
    if folder.is_symlink():
        return [], [link_problem(folder, shown_from)]
    if not folder.is_dir():
        return [], []
    files: list[Path] = []
    links: list[Path] = []
    _walk(folder, files, links)
    return files, [link_problem(link, shown_from) for link in links]


def files_under(folder: Path, shown_from: Path) -> list[Path]:
    """Every regular file under `folder`; raises ContentError naming every link in it."""
    files, problems = scan(folder, shown_from)
    if problems:
        raise ContentError(problems)
    return files


def refuse_links(folders: list[Path], shown_from: Path) -> None:
    """Raise ContentError naming every link in (or at) any of `folders`."""
    problems = [p for folder in folders for p in scan(folder, shown_from)[1]]
    if problems:
        raise ContentError(problems)


def inside(path: Path, folder: Path, shown_from: Path) -> Path:
    """`path` itself, once sure that no part of it below `folder` is a link and that it does
    not lead out of `folder` (`..`). For reads of one known file, e.g. a template."""
    try:
        parts = path.relative_to(folder).parts
    except ValueError:
        parts = ("..",)
    if ".." in parts:
        message = "this path leads outside its folder; the build uses only files inside the project"
        problem = Problem(shown(path, shown_from), 1, 1, message, "name a file inside it")
        raise ContentError([problem])
    current = folder
    for part in parts:
        current = current / part
        if current.is_symlink():
            raise ContentError([link_problem(current, shown_from)])
    return path
