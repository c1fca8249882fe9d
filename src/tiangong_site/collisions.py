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

from .cjk import LazyPattern
from .errors import Problem
from .i18n import LANGUAGE_ENGLISH, THEME_TEMPLATES
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
    """'content/pages/about.md', "team 'red'", 'the sitemap'."""
    path: str = ""
    """The file to report at ('' for what the build makes on its own)."""
    line: int = 1
    column: int = 1
    group: str = ""
    """For generated files: the family they belong to, e.g. 'the team pages, teams/ID/'."""
    layout: str = ""
    """A Markdown page's layout; for generated files, the layout of the one page that may
    sit at the index of their folder (the `data` page lists data/*.csv)."""
    slug: str | None = None
    """Set for Markdown pages only."""
    noun: str = ""
    ident: str = ""
    """For a record: its kind ('team') and id."""

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
    meta = page.meta
    return Origin(page.path, page.path, line, column, layout=meta.layout, slug=meta.slug)


def record_origin(
    content: Content, dataset: str, index: int, group: str, layout: str = ""
) -> Origin:
    """The record at `index` of `dataset`, located at its id."""
    loaded = content.files.get(dataset)
    rid = content.datasets[dataset][index].id
    noun = record_noun(dataset)
    path, (line, column) = (loaded.path, loaded.position((index, "id"))) if loaded else ("", (1, 1))
    return Origin(f"{noun} '{rid}'", path, line, column, group, layout, noun=noun, ident=rid)


def dataset_origin(content: Content, dataset: str, group: str, layout: str = "") -> Origin:
    """Files made from a whole dataset (its downloads), located at the top of its file."""
    loaded = content.files.get(dataset)
    return Origin(f"the {dataset} downloads", loaded.path if loaded else "", 1, 1, group, layout)


def record_noun(dataset: str) -> str:
    """'charts' -> 'chart', from the record class's name (Chart); 'teams record' for
    a declared dataset, whose records have no class of their own."""
    if dataset not in DATASETS:
        return f"{dataset} record"
    return re.sub(r"(?<!^)(?=[A-Z])", " ", DATASETS[dataset][1].__name__).lower()


# --- slugs ------------------------------------------------------------------------------------


def slug_problem(value: Any) -> tuple[str, str]:
    """Message and hint for a slug that is not a safe path segment."""
    text = str(value)
    reasons = [
        (".." in text, "'..' would point outside the site"),
        ("/" in text, "a slug is one folder name, without '/'"),
        ("%" in text, "'%' starts an escape in a URL"),
        (any(ch.isspace() for ch in text), "it has a space"),
        (text != text.lower(), "it has capital letters (servers tell case apart, macOS does not)"),
        (bool(re.search(r"^-|-$|--", text)), "a hyphen may only join two words"),
    ]
    other = "it has characters other than a-z, 0-9 and '-'"
    reason = next((why for bad, why in reasons if bad), other)
    return f"slug {text!r} is not a safe address: {reason}", f"write it as {_suggest(text)!r}"


def _suggest(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-") or "how-we-did-it"


# --- addresses ---------------------------------------------------------------------------------


def _fold(path: str) -> str:
    if path.isascii():  # nearly every path: normalising it would change nothing
        return path.lower()
    return unicodedata.normalize("NFC", path).casefold()


def address_problems(plan: SitePlan, roots: set[str], root: Path) -> list[Problem]:
    """Every address two things claim, and every page slug on a generated folder.

    `roots` are the editions' folders ('' or 'en/', 'zh/'): every file of an edition is
    in one, so they belong to no one. `root` is the folder page paths are relative to."""
    outputs = [(job.path, job.origin or Origin(f"the page {job.path}")) for job in plan.jobs]
    outputs += [(path, plan.origins.get(path, BUILD)) for path in plan.files]
    owners: dict[str, Origin] = {}
    folders: dict[str, Origin] = {}
    problems: list[Problem] = []
    for path, origin in outputs:
        key = _fold(path)
        if key in owners:
            problems.append(_same_address(path, origin, owners[key], root))
        else:
            owners[key] = origin
        if origin.slug is None:
            folder = key.rpartition("/")[0]
            while folder and folder + "/" not in roots and folder + "/" not in folders:
                folders[folder + "/"] = origin  # its parents are claimed too: stop at a known one
                folder = folder.rpartition("/")[0]
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
            message = f"slug '{blamed.slug}' is also the address of {other.named()}"
            return _at_slug(blamed, message, "give each page its own slug", root)
        message = f"slug '{blamed.slug}' is the address of {other.named()}"
        return _at_slug(blamed, message, "choose another slug", root)
    blamed, other = (new, old) if new.path else (old, new)
    where = (blamed.path, blamed.line, blamed.column) if blamed.path else ("(build)", 1, 1)
    message = f"{blamed.what} has the address {path}, as {other.named()} does"
    return Problem(*where, message, "rename one of them")


def _slug_on_folder(
    path: str, page: Origin, folders: dict[str, Origin], root: Path
) -> list[Problem]:
    if page.slug in SITE_FOLDERS:
        message = f"slug '{page.slug}' is {SITE_FOLDERS[page.slug]}"
        return [_at_slug(page, message, "choose another slug", root)]
    folder = posixpath.dirname(_fold(path))
    claim = folders.get(folder + "/") if folder else None
    if claim is None or (claim.layout and claim.layout == page.layout):
        return []
    hint = "choose another slug"
    if claim.layout:
        hint += f", or give this page `layout: {claim.layout}`"
    message = f"slug '{page.slug}' is the folder of {claim.group or claim.what}"
    return [_at_slug(page, message, hint, root)]


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

ELEMENT_ID = LazyPattern(r'\sid="([^"]*)"')
ANY_ID = LazyPattern(r'id="([^"]*)"')
"""Also matches data-id="..." and the like, but scans about ten times faster than ELEMENT_ID
(a literal start): when it finds no value twice, no element id is repeated either."""
TEMPLATE_ID = LazyPattern(r'(?<![\w-])id="([^"]*)"')
EXPRESSION = LazyPattern(r"\{\{.*?\}\}")
ATX_HEADING = LazyPattern(r"^ {0,3}#{1,6}(?:[ \t]|$)")
SETEXT_RULE = LazyPattern(r"^ {0,3}(?:=+|-+)[ \t]*$")
PLAIN_LINE = LazyPattern(r"^ {0,3}(?![-*+>|#]|\d+[.)]|:::)\S")


@dataclass
class TemplateIds:
    """The ids the templates write: literal ones, and patterns around an expression."""

    literal: dict[str, str]
    """id -> 'templates/base.html:41' (its first use)."""
    patterns: list[tuple[re.Pattern[str], str]]
    """(regex capturing the expression's value, the expression), e.g. 'chart-(.+)-title'."""


THEME_SHOWN = "src/tiangong_site/theme/templates"
"""How messages name the theme's templates (as the catalogue check does)."""


def template_ids(folder: Path) -> TemplateIds:
    """The ids of the project's templates, then of the theme's (a page uses the theme's
    templates the project does not replace, and those it extends as theme/NAME)."""
    found = TemplateIds({}, [])
    places = [(folder, folder.name), (THEME_TEMPLATES, THEME_SHOWN)]
    for base, name in places:
        for path in sorted(base.rglob("*.html")):
            _template_ids(path, f"{name}/{path.relative_to(base).as_posix()}", found)
    return found


def _template_ids(path: Path, shown: str, found: TemplateIds) -> None:
    source = path.read_text(encoding="utf-8")
    for match in TEMPLATE_ID.finditer(source):
        value = match.group(1)
        expressions = EXPRESSION.findall(value)
        if "{%" in value or len(expressions) > 1:
            continue
        if not expressions:
            line = source.count("\n", 0, match.start()) + 1
            found.literal.setdefault(value, f"{shown}:{line}")
            continue
        before, after = (re.escape(part) for part in EXPRESSION.split(value))
        found.patterns.append((re.compile(f"{before}(.+){after}"), expressions[0]))


def heading_lines(body: str, first_line: int) -> list[int]:
    """The line of each Markdown heading of `body`, in order (`# x` and underlined ones)."""
    lines = body.split("\n")
    found = []
    for i, line in enumerate(lines):
        if ATX_HEADING.match(line):
            found.append(first_line + i)
        elif i and SETEXT_RULE.match(line) and PLAIN_LINE.match(lines[i - 1]):
            found.append(first_line + i - 1)
    return found


def element_id_problems(
    html: str, job: Job, context: dict[str, Any], plan: SitePlan, templates: Path | str | None
) -> list[Problem]:
    """A located problem for each id given to more than one element of this rendered page."""
    candidates = ANY_ID.findall(html)
    if len(candidates) == len(set(candidates)):
        return []
    counts = Counter(ELEMENT_ID.findall(html))
    repeated = [ident for ident, n in counts.items() if n > 1]
    if not repeated or plan.content is None:
        return []
    content = plan.content
    known = template_ids(Path(templates)) if templates is not None else TemplateIds({}, [])
    page = _markdown_page(job, content)
    headings = _headings(page, context)
    return [
        _duplicate(ident, counts[ident], job, _makers(ident, page, headings, known, content))
        for ident in repeated
    ]


@dataclass(frozen=True)
class _Maker:
    """Something that gave an element an id, where to change it, and how."""

    label: str
    path: str
    line: int
    column: int
    fix: str
    noun: str = ""
    ident: str = ""
    """For a record: its kind and id."""
    page: Page | None = None
    """For a record: the Markdown page it is shown on, if any."""

    def named(self) -> str:
        where = f"{self.path}:{self.line}"
        return f"{self.label} ({where}:{self.column})" if self.label else where


def _markdown_page(job: Job, content: Content) -> Page | None:
    if job.origin is None or job.origin.slug is None:
        return None
    return next((p for p in content.pages if p.path == job.origin.path), None)


def _headings(page: Page | None, context: dict[str, Any]) -> dict[str, tuple[str, int]]:
    """Heading id -> (heading text, line) for a Markdown page; {} otherwise."""
    view = context.get("page")
    if page is None or not isinstance(view, dict):
        return {}
    ids = view.get("headings", [])
    lines = heading_lines(page.body, page.body_line)
    if len(lines) != len(ids):  # a heading form the scan does not know: point at the body
        lines = [page.body_line] * len(ids)
    return {hid: (name, line) for (hid, name), line in zip(ids, lines, strict=True)}


def _makers(
    ident: str,
    page: Page | None,
    headings: dict[str, tuple[str, int]],
    known: TemplateIds,
    content: Content,
) -> list[_Maker]:
    """What may have given `ident`, the editor's own text first: a heading, raw HTML in the
    page, records (through a template's id pattern), then a template's literal id."""
    makers = []
    if page is not None and ident in headings:
        name, line = headings[ident]
        makers.append(_Maker(f"heading '{name}'", page.path, line, 1, "reword the heading"))
    elif page is not None:
        raw = re.search(rf"""\bid\s*=\s*["']?{re.escape(ident)}["'\s>]""", page.body)
        if raw:
            line = page.body_line + page.body.count("\n", 0, raw.start())
            fix = "give that element another id"
            makers.append(_Maker("the HTML written in this page", page.path, line, 1, fix))
    for record in sorted(_records_with(ident, known, content), key=lambda o: (o.path, o.line)):
        fix = f"rename the {record.noun}"
        where = (record.path or "(build)", record.line, record.column)
        makers.append(_Maker(record.what, *where, fix, record.noun, record.ident, page))
    if ident in known.literal:
        path, line = known.literal[ident].rsplit(":", 1)
        fix = "give each element of the templates its own id"
        makers.append(_Maker("", path, int(line), 1, fix))
    return makers


def _duplicate(ident: str, count: int, job: Job, makers: list[_Maker]) -> Problem:
    records = [m for m in makers if m.noun]
    if len(makers) == 1 and records and records[0].page is not None:
        return _placed_twice(records[0], records[0].page)
    if len(records) > 1:  # blame the later record, naming the earlier
        makers = [m for m in makers if m not in records[:-1]] + records[:-1]
    if makers:
        blamed = makers[0]
        label = blamed.label or "the template"
        if len(makers) > 1:
            other = makers[1].named()
            message = f"{label} gives an element the id '{ident}', as {other} does on the same page"
        else:
            message = f"{label} gives {count} elements the id '{ident}'"
        return Problem(blamed.path, blamed.line, blamed.column, message, blamed.fix)
    where = job.origin if job.origin is not None and job.origin.path else Origin("", "(build)")
    message = f"id '{ident}' is given to {count} elements of {job.path}"
    return Problem(where.path, where.line, where.column, message, "give each element its own id")


def _records_with(ident: str, known: TemplateIds, content: Content) -> list[Origin]:
    """The records whose id, put into a template's id pattern, gives `ident`."""
    found: list[Origin] = []
    for regex, expression in known.patterns:
        match = regex.fullmatch(ident)
        if not match:
            continue
        rid = match.group(1)
        names = [d for d in content.datasets if rid in content.index(d)]
        # Prefer the dataset the expression names ({{ chart.id }} -> charts).
        names.sort(key=lambda d: record_noun(d).split()[-1] not in expression)
        if names:
            origin = _record_at(content, names[0], rid)
            if origin not in found:
                found.append(origin)
    return found


def _record_at(content: Content, dataset: str, rid: str) -> Origin:
    records = content.datasets[dataset]
    index = next(i for i, r in enumerate(records) if getattr(r, "id", None) == rid)
    return record_origin(content, dataset, index, "")


def _placed_twice(record: _Maker, page: Page) -> Problem:
    """One record shown twice on a Markdown page repeats its ids: point at the second use."""
    uses = [m.start() for m in BLOCK.finditer(page.body) if m.group(2) == record.ident]
    line = page.body_line + page.body.count("\n", 0, uses[1]) if len(uses) > 1 else page.body_line
    # One message for all the ids the second copy repeats.
    message = f"{record.noun} '{record.ident}' is placed twice on this page, which repeats its ids"
    return Problem(page.path, line, 1, message, f"place each {record.noun} once")
