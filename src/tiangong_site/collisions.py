"""Two things may not share an address, and two elements of a page may not share an id.

Every output path of the plan is entered once in a dict from address to origin (linear
in the number of files), so a page slug that lands on a generated page, inside a
generated folder, or on another page is reported at the slug's line, naming both, before
anything is written. Addresses are compared case-folded and NFC-normalised: two that differ
only in case would overwrite each other on macOS and Windows.

Element ids are checked in each rendered page: a duplicate is mapped back to what made it
(a Markdown heading, a record id in a template's `id="prefix-{{ x.id }}"`, a template's own
id) using the ids the templates themselves write, not a hand-kept list.
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import Problem
from .i18n import LANGUAGE_ENGLISH
from .markdown import BLOCK
from .models import DATASETS, LANGUAGES

if TYPE_CHECKING:
    from .content import Content, Page
    from .pages import Job, SitePlan

SITE_FOLDERS = {"assets": "the folder of the site's static files (assets/)"} | {
    lang: f"the folder of the {LANGUAGE_ENGLISH[lang]} edition ({lang}/)" for lang in LANGUAGES
}
"""Folders at the site's root whatever its languages. A slug may not take one of these names,
so adding or removing a language never moves a page onto them (or them onto a page)."""


@dataclass(frozen=True)
class Origin:
    """What put a file at an address, and where an editor would change it."""

    what: str
    """'content/pages/about.md', "region 'zhuji'", 'the sitemap'."""
    path: str = ""
    """The file to report at ('' for what the build makes on its own)."""
    line: int = 1
    column: int = 1
    group: str = ""
    """For generated files: the family they belong to, e.g. 'the region pages, regions/ID/'."""
    layout: str = ""
    """A Markdown page's layout; for generated files, the layout of the one page that may
    sit at the index of their folder (the `data` page lists data/*.csv)."""
    slug: str | None = None
    """Set for Markdown pages only."""
    noun: str = ""
    ident: str = ""
    """For a record: its kind ('region') and id."""

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}:{self.column}" if self.path else ""

    def named(self) -> str:
        """How a message names it: what, and where when known."""
        if self.slug is not None:
            return self.where
        return f"{self.what} ({self.where})" if self.path else self.what


BUILD = Origin("a file the build itself writes")


def page_origin(page: Page) -> Origin:
    line, column = page.source.position(("slug",))
    return Origin(page.path, page.path, line, column, layout=page.meta.layout, slug=page.meta.slug)


def record_origin(content: Content, dataset: str, index: int, group: str, layout: str = "") -> Origin:
    """The record at `index` of `dataset`, located at its id."""
    loaded = content.files.get(dataset)
    record = content.datasets[dataset][index]
    noun = record_noun(dataset)
    what = f"{noun} '{record.id}'"
    if loaded is None:
        return Origin(what, group=group, layout=layout, noun=noun, ident=record.id)
    line, column = loaded.position((index, "id"))
    return Origin(what, loaded.path, line, column, group, layout, noun=noun, ident=record.id)


def dataset_origin(content: Content, dataset: str, group: str, layout: str = "") -> Origin:
    """Files made from a whole dataset (its downloads), located at the top of its file."""
    loaded = content.files.get(dataset)
    return Origin(f"the {dataset} downloads", loaded.path if loaded else "", 1, 1, group, layout)


def record_noun(dataset: str) -> str:
    """'award-tiers' -> 'award tier', from the record class's name (AwardTier)."""
    return re.sub(r"(?<!^)(?=[A-Z])", " ", DATASETS[dataset][1].__name__).lower()


# --- slugs ------------------------------------------------------------------------------------

def slug_problem(value: Any) -> tuple[str, str]:
    """Message and hint for a slug that is not a safe path segment."""
    text = str(value)
    reasons = [
        ("/" in text, "a slug is one folder name, without '/'"),
        (".." in text, "'..' would point outside the site"),
        ("%" in text, "'%' starts an escape in a URL"),
        (any(ch.isspace() for ch in text), "it has a space"),
        (text != text.lower(), "it has capital letters (the web server tells case apart; macOS and Windows do not)"),
        (bool(re.search(r"^-|-$|--", text)), "a hyphen may only join two words"),
    ]
    reason = next((why for bad, why in reasons if bad), "it has characters other than a-z, 0-9 and '-'")
    return f"slug {text!r} is not a safe address: {reason}", f"write it as {_suggest(text)!r}"


def _suggest(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-") or "how-we-did-it"


# --- addresses ---------------------------------------------------------------------------------


def _fold(path: str) -> str:
    return unicodedata.normalize("NFC", path).casefold()


def address_problems(plan: SitePlan, roots: set[str], root: Path) -> list[Problem]:
    """Every address two things claim, and every page slug on a generated folder.

    `roots` are the editions' folders ('' or 'en/', 'zh/'): every file of an edition is
    in one, so they belong to no one. `root` is the folder page paths are relative to."""
    outputs = [(job.path, job.origin or Origin(f"the generated page {job.path}")) for job in plan.jobs]
    outputs += [(path, plan.origins.get(path, BUILD)) for path in plan.files]
    owners: dict[str, tuple[str, Origin]] = {}
    folders: dict[str, Origin] = {}
    problems: list[Problem] = []
    for path, origin in outputs:
        key = _fold(path)
        if key in owners:
            problems.append(_same_address(path, origin, owners[key][1], root))
        else:
            owners[key] = (path, origin)
        if origin.slug is None:
            folder = posixpath.dirname(key)
            while folder and folder + "/" not in roots:
                folders.setdefault(folder + "/", origin)
                folder = posixpath.dirname(folder)
    for path, origin in outputs:
        if origin.slug is not None:
            problems.extend(_slug_on_folder(path, origin, folders, root))
    return problems


def _same_address(path: str, new: Origin, old: Origin, root: Path) -> Problem:
    pages = sorted((o for o in (new, old) if o.slug is not None), key=lambda o: o.path)
    if pages:
        blamed = pages[-1]
        other = new if blamed is old else old
        if other.slug is not None:
            return _at_slug(blamed, f"slug '{blamed.slug}' is also the address of {other.named()}", "give each page its own slug", root)
        return _at_slug(blamed, f"slug '{blamed.slug}' is the address of {other.named()}", "choose another slug", root)
    blamed, other = (new, old) if new.path else (old, new)
    where = (blamed.path, blamed.line, blamed.column) if blamed.path else ("(build)", 1, 1)
    return Problem(*where, f"{blamed.what} has the address {path}, as {other.named()} does", "rename one of them")


def _slug_on_folder(path: str, origin: Origin, folders: dict[str, Origin], root: Path) -> list[Problem]:
    if origin.slug in SITE_FOLDERS:
        return [_at_slug(origin, f"slug '{origin.slug}' is {SITE_FOLDERS[origin.slug]}", "choose another slug", root)]
    folder = posixpath.dirname(_fold(path))
    claim = folders.get(folder + "/") if folder else None
    if claim is None or (claim.layout and claim.layout == origin.layout):
        return []
    hint = "choose another slug"
    if claim.layout:
        hint += f", or give this page `layout: {claim.layout}`"
    return [_at_slug(origin, f"slug '{origin.slug}' is the folder of {claim.group or claim.what}", hint, root)]


def _at_slug(page: Origin, message: str, hint: str, root: Path) -> Problem:
    """A problem at the slug's value (`slug: data` -> the column of `data`) when it can be read."""
    column = page.column
    try:
        line = (root / page.path).read_text(encoding="utf-8").splitlines()[page.line - 1]
        match = re.match(r"\s*slug\s*:\s*", line)
        column = match.end() + 1 if match else column
    except (OSError, IndexError, UnicodeDecodeError):
        pass
    return Problem(page.path, page.line, column, message, hint)


# --- element ids --------------------------------------------------------------------------------

ELEMENT_ID = re.compile(r'\sid="([^"]*)"')
TEMPLATE_ID = re.compile(r'(?<![\w-])id="([^"]*)"')
EXPRESSION = re.compile(r"\{\{.*?\}\}")
ATX_HEADING = re.compile(r"^ {0,3}#{1,6}(?:[ \t]|$)")
SETEXT_RULE = re.compile(r"^ {0,3}(?:=+|-+)[ \t]*$")
PLAIN_LINE = re.compile(r"^ {0,3}(?![-*+>|]|\d+[.)]|:::)\S")


@dataclass
class TemplateIds:
    """The ids the templates write: literal ones, and patterns around an expression."""

    literal: dict[str, str]
    """id -> 'templates/base.html:41' (its first use)."""
    patterns: list[tuple[re.Pattern[str], str]]
    """(regex capturing the expression's value, the expression), e.g. 'chart-(.+)-title'."""


def template_ids(folder: Path) -> TemplateIds:
    found = TemplateIds({}, [])
    for path in sorted(folder.rglob("*.html")):
        source = path.read_text(encoding="utf-8")
        shown = f"{folder.name}/{path.relative_to(folder).as_posix()}"
        for match in TEMPLATE_ID.finditer(source):
            value = match.group(1)
            if "{%" in value:
                continue
            expressions = EXPRESSION.findall(value)
            if not expressions:
                found.literal.setdefault(value, f"{shown}:{source.count(chr(10), 0, match.start()) + 1}")
            elif len(expressions) == 1:
                before, after = EXPRESSION.split(value)
                found.patterns.append((re.compile(f"{re.escape(before)}(.+){re.escape(after)}"), expressions[0]))
    return found


def heading_lines(body: str, first_line: int) -> list[int]:
    """The line of each Markdown heading of `body`, in order (`# x` and underlined ones)."""
    lines = body.split("\n")
    found = []
    for i, line in enumerate(lines):
        if ATX_HEADING.match(line):
            found.append(first_line + i)
        elif i and SETEXT_RULE.match(line) and PLAIN_LINE.match(lines[i - 1]) and not ATX_HEADING.match(lines[i - 1]):
            found.append(first_line + i - 1)
    return found


def element_id_problems(html: str, job: Job, context: dict[str, Any], plan: SitePlan, templates: Path) -> list[Problem]:
    """A located problem for each id given to more than one element of this rendered page."""
    counts = Counter(ELEMENT_ID.findall(html))
    repeated = [ident for ident, n in counts.items() if n > 1]
    if not repeated or plan.content is None:
        return []
    known = template_ids(templates)
    headings = _headings(job, context, plan.content)
    return [_duplicate(ident, counts[ident], job, headings, known, plan.content) for ident in repeated]


def _headings(job: Job, context: dict[str, Any], content: Content) -> dict[str, tuple[str, str, int]]:
    """Heading id -> (heading text, Markdown file, line) for a Markdown page; {} otherwise."""
    page_view = context.get("page")
    if job.origin is None or job.origin.slug is None or not isinstance(page_view, dict):
        return {}
    page = next((p for p in content.pages if p.path == job.origin.path), None)
    if page is None:
        return {}
    ids = page_view.get("headings", [])
    lines = heading_lines(page.body, page.body_line)
    if len(lines) != len(ids):  # a heading form the scan does not know: point at the body
        lines = [page.body_line] * len(ids)
    return {hid: (name, page.path, line) for (hid, name), line in zip(ids, lines)}


def _records_with(ident: str, known: TemplateIds, content: Content) -> list[Origin]:
    """The records whose id, put into a template's id pattern, gives `ident`."""
    found: list[Origin] = []
    for regex, expression in known.patterns:
        match = regex.fullmatch(ident)
        if not match:
            continue
        rid = match.group(1)
        names = [d for d in DATASETS if rid in content.index(d)]
        # Prefer the dataset the expression names ({{ chart.id }} -> charts).
        names.sort(key=lambda d: record_noun(d).split()[-1] not in expression)
        if names:
            origin = _record_at(content, names[0], rid)
            if origin not in found:
                found.append(origin)
    return found


def _record_at(content: Content, dataset: str, rid: str) -> Origin:
    index = next(i for i, r in enumerate(content.datasets[dataset]) if getattr(r, "id", None) == rid)
    return record_origin(content, dataset, index, "")


def _duplicate(ident: str, count: int, job: Job, headings: dict[str, tuple[str, str, int]], known: TemplateIds, content: Content) -> Problem:
    records = sorted(_records_with(ident, known, content), key=lambda o: (o.path, o.line))
    literal = known.literal.get(ident)
    others = [o.named() for o in records] + ([literal] if literal else [])
    if ident in headings and others:
        name, path, line = headings[ident]
        message = f"heading '{name}' has the id '{ident}', which {others[0]} also gives an element of this page"
        return Problem(path, line, 1, message, "reword the heading")
    if len(records) > 1 or (records and literal):
        blamed, other = records[-1], others[0]
        message = f"{blamed.what} gives an element the id '{ident}', as {other} does on the same page"
        return Problem(blamed.path or "(build)", blamed.line, blamed.column, message, f"rename the {blamed.noun}")
    page = job.origin
    if records and page is not None and page.slug is not None:
        return _placed_twice(ident, records[0], page, content)
    path, line = (page.path, page.line) if page is not None and page.path else ("(build)", 1)
    if literal and not (page is not None and page.path):
        path, line = literal.rsplit(":", 1)[0], int(literal.rsplit(":", 1)[1])
    return Problem(path, line, 1, f"id '{ident}' is given to {count} elements of {job.path}", "give each element its own id")


def _placed_twice(ident: str, record: Origin, page: Origin, content: Content) -> Problem:
    """One record shown twice on a Markdown page repeats its ids: point at the second use."""
    source = next((p for p in content.pages if p.path == page.path), None)
    lines = []
    if source is not None:
        lines = [source.body_line + source.body.count("\n", 0, m.start()) for m in BLOCK.finditer(source.body) if m.group(2) == record.ident]
    line = lines[1] if len(lines) > 1 else page.line
    # One message for all the ids the second copy repeats.
    message = f"{record.noun} '{record.ident}' is placed twice on this page, which repeats its element ids"
    return Problem(page.path, line, 1, message, f"place each {record.noun} once")
