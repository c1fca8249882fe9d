"""Pages from data: `content/collections.yaml` declares a collection (a dataset, a URL
pattern, a template), which gives one page per record, or per group of records, in each
language of the site, as Hugo's content adapters and Eleventy's pagination do.

Templates get typed page data (the frozen dataclasses below), not ad-hoc dicts: `page` is a
`CollectionPage` on a record's page and a `CollectionIndex` on the collection's listing.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import jinja2
from pydantic import ConfigDict, Field, ValidationError, field_validator

from .collisions import Origin, _suggest
from .content import Content, close_matches, key_field, pydantic_problems
from .deps import data_key, group_key, record, record_all, recording
from .errors import ContentError, Problem, display_path
from .loader import LoadedFile, load_yaml_file
from .models import Id, LocalText, Scalar, Strict, text
from .pages import Job
from .readable import Heading, headings, shown

FILE = "collections.yaml"
"""Under content/: a list of collections (optional)."""

COLUMN = r"[A-Za-z_][A-Za-z0-9_]*"
PLACEHOLDER = re.compile(r"\{(" + COLUMN + r")\}")
URL_SEGMENT = r"(?:[a-z0-9-]|\{" + COLUMN + r"\})+"
URL_PATTERN = rf"^/(?:{URL_SEGMENT}/)*$"
INDEX_URL_PATTERN = r"^/(?:[a-z0-9-]+/)*$"
TEMPLATE_PATTERN = r"^[A-Za-z0-9_-]+(?:/[A-Za-z0-9_-]+)*\.html$"
SAFE_SEGMENT = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


# --- the declaration ---------------------------------------------------------------------------


def _checked_url(value: str, pattern: str) -> str:
    if re.match(pattern, value):
        return value
    braces = "" if pattern == INDEX_URL_PATTERN else ", and {column} for a column's value"
    raise ValueError(
        f"URL {value!r} is not an address pattern: write it as /words/ between slashes, "
        f"lower-case letters, digits and hyphens{braces}, e.g. /rivers/{{id}}/"
        if braces
        else f"URL {value!r} is not an address: write it as /words/ between slashes, "
        "lower-case letters, digits and hyphens, e.g. /rivers/"
    )


class IndexSpec(Strict):
    """The collection's listing page: a link to each of its pages."""

    url: str = Field(description="Its address, e.g. /rivers/ (no braces).")
    title: LocalText = Field(description="Its headline.")
    template: str = Field(
        default="records.html",
        pattern=TEMPLATE_PATTERN,
        description="The template, in templates/ or the theme.",
    )

    _url = field_validator("url")(lambda value: _checked_url(value, INDEX_URL_PATTERN))


class Not(Strict):
    """`{not: value}` or `{not: [values]}` in a `where`: keep rows whose column is none of them."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    values: Scalar | list[Scalar] = Field(alias="not", description="The values to leave out.")

    def allows(self, value: Any) -> bool:
        return value not in (self.values if isinstance(self.values, list) else [self.values])


class RelatedSpec(Strict):
    """Rows of a dataset that name the page's record: `page.related.NAME` in its template."""

    dataset: str = Field(description="The dataset whose rows are related.")
    field: str = Field(description="Their column that holds the record's key (its id), e.g. team.")
    sort: str | list[str] | None = Field(
        default=None,
        description="The column (or columns, first first) the rows are ordered by; "
        "-column: descending. The dataset's order by default.",
    )

    @property
    def sorts(self) -> list[str]:
        return [self.sort] if isinstance(self.sort, str) else list(self.sort or [])


class CollectionSpec(Strict):
    """One collection of content/collections.yaml."""

    name: Id = Field(description="The collection's name, unique in collections.yaml.")
    dataset: str = Field(description="The dataset whose records (rows) become pages.")
    url: str = Field(description="Each page's address: braces name a column, e.g. /rivers/{id}/.")
    template: str = Field(
        default="record.html",
        pattern=TEMPLATE_PATTERN,
        description="The template of each page, in templates/ or the theme.",
    )
    title: LocalText = Field(description="Each page's headline: braces name a column.")
    where: dict[str, Scalar | list[Scalar] | Not] = Field(
        default_factory=dict,
        description="Keep only rows whose column equals the value (or one of the list); "
        "`{not: value}` (or a list) keeps the rows whose column is none of them.",
    )
    sort: str | None = Field(
        default=None, description="The column pages are ordered by; -column: descending."
    )
    related: dict[str, RelatedSpec] = Field(
        default_factory=dict,
        description="Rows of other datasets that name the record, by the name the template "
        "reads them under: `players: {dataset: players, field: team}` gives "
        "page.related.players.",
    )
    group_by: str | None = Field(
        default=None, description="One page per distinct value of this column."
    )
    index: IndexSpec | None = Field(default=None, description="A listing page, if wanted.")

    _url = field_validator("url")(lambda value: _checked_url(value, URL_PATTERN))


@dataclass
class Declared:
    """The collections of a project, and the file they were read from."""

    specs: list[CollectionSpec] = field(default_factory=list)
    source: LoadedFile | None = None

    def problem(self, key: tuple, message: str, hint: str) -> Problem:
        assert self.source is not None
        return self.source.problem(key, message, hint)


# --- typed page data -------------------------------------------------------------------------


@dataclass(frozen=True)
class Link:
    """A page to link to: its address (root-relative, in this language) and its title."""

    url: str
    title: str


@dataclass(frozen=True)
class Item:
    """A page of a collection in a listing: its address, title and row (this language)."""

    url: str
    title: str
    record: dict[str, Any]


@dataclass(frozen=True)
class Collection:
    """What every page of a collection shares."""

    name: str
    dataset: str
    index: Link | None
    """The collection's listing page, when it has one."""


@dataclass(frozen=True)
class Column:
    """One column of a record, in the dataset's order: for templates that show them all."""

    name: str
    value: Any
    title: str = ""
    """Its name for readers, in the page's language: the declared field's `title`, else a
    readable form of the name (`first_lit` -> "First lit"); a label's is its code's."""
    unit: str = ""
    """The declared field's unit ('' for none)."""
    text: str = ""
    """The value as the page's language writes it (1 200,5; 18 mai 2023; oui); '' for none."""


@dataclass(frozen=True)
class CollectionPage:
    """`page` in the template of a record's (or a group's) page."""

    collection: Collection
    url: str
    title: str
    record: dict[str, Any]
    """The row in this language (the group's first row when grouped)."""
    rows: tuple[dict[str, Any], ...]
    """Every row of the page: the record's alone, or the group's."""
    group: Any
    """The value the page's rows share when grouped; None otherwise."""
    prev: Link | None
    next: Link | None
    related: Mapping[str, tuple[dict[str, Any], ...]]
    """The rows of each `related:` dataset that name the record, in this language, sorted
    as declared: page.related.NAME."""
    _heads: Mapping[str, Heading] = field(default_factory=dict, repr=False, compare=False)
    """Each column's heading in this language: what `columns` are titled with."""
    _lang: str = field(default="en", repr=False, compare=False)

    # The columns are worked out when a template first reads them, not for every page:
    # writing each value as the language does took a fifth of the time of rendering 10,000
    # pages whose template shows none of them.
    @functools.cached_property
    def columns(self) -> tuple[Column, ...]:
        """The record's columns, names and values, in the dataset's order."""
        return _columns(self.record, self._heads, self._lang)

    @functools.cached_property
    def facts(self) -> tuple[Column, ...]:
        """The columns a reader is shown: `columns` less each code whose label or named
        record's name the row also has (`kind` beside `kind_name`, which takes its title)."""
        return _facts(self.columns, self._heads)

    @functools.cached_property
    def table(self) -> tuple[tuple[Column, ...], ...]:
        """Each row's `facts`, for the table of a group's page."""
        if len(self.rows) == 1:
            return (self.facts,)
        heads, lang = self._heads, self._lang
        return tuple(_facts(_columns(row, heads, lang), heads) for row in self.rows)


@dataclass(frozen=True)
class CollectionIndex:
    """`page` in the template of a collection's listing page."""

    collection: Collection
    url: str
    title: str
    items: tuple[Item, ...]
    """Each page of the collection, in order, with its row."""


# --- loading and checking --------------------------------------------------------------------


def load_collections(content: Content) -> tuple[Declared, list[Problem]]:
    """content/collections.yaml, validated against the content's datasets and their rows."""
    path = content.root / FILE
    if not path.exists():
        return Declared(), []
    try:
        loaded = load_yaml_file(path, display_path(path, content.root.parent))
    except ContentError as exc:
        return Declared(), list(exc.problems)
    declared = Declared(source=loaded)
    if loaded.data is None:
        return declared, []
    if not isinstance(loaded.data, list):
        hint = "start each collection with `- name:`"
        return declared, [loaded.problem((), "this file must be a list of collections", hint)]
    problems: list[Problem] = []
    for i, item in enumerate(loaded.data):
        try:
            declared.specs.append(CollectionSpec.model_validate(item))
        except ValidationError as exc:
            problems += pydantic_problems(exc, loaded, CollectionSpec, prefix=(i,))
    if problems:
        return declared, problems
    return declared, _spec_problems(declared, content)


def _spec_problems(declared: Declared, content: Content) -> list[Problem]:
    problems: list[Problem] = []
    names: dict[str, int] = {}
    for i, spec in enumerate(declared.specs):
        if spec.name in names:
            line = declared.problem((names[spec.name], "name"), "", "").line
            message = f"collection '{spec.name}' is declared twice (first on line {line})"
            problems.append(declared.problem((i, "name"), message, "give each its own name"))
        names.setdefault(spec.name, i)
        if spec.dataset not in content.datasets or spec.dataset == "charts":
            known = sorted(d for d in content.datasets if d != "charts")
            close = close_matches(spec.dataset, known)
            hint = f"did you mean '{close[0]}'?" if close else f"datasets: {', '.join(known)}"
            message = f"dataset '{spec.dataset}' does not exist"
            problems.append(declared.problem((i, "dataset"), message, hint))
            continue
        problems += _column_problems(declared, i, spec, content)
    return problems


def _column_problems(
    declared: Declared, i: int, spec: CollectionSpec, content: Content
) -> list[Problem]:
    """Every column the collection names must be a column of the dataset's rows."""
    lang = content.site.languages[0]
    rows = collection_rows(content, spec.dataset, lang)
    if not rows:
        return []  # no record, no page: nothing to check the columns against
    known = _public_columns(rows)
    named: list[tuple[tuple, str]] = [((f,), c) for f, c in _placeholders(spec, lang)]
    named += [(("where", c), c) for c in spec.where]
    if spec.sort:
        named.append((("sort",), spec.sort.removeprefix("-")))
    if spec.group_by:
        named.append((("group_by",), spec.group_by))
    problems = _unknown_columns(declared, (i,), named, known, spec.dataset)
    if spec.group_by:
        others = {c for f, c in _placeholders(spec, lang) if f == "url"} - {spec.group_by}
        if others:
            other = sorted(others)[0]
            message = (
                f"a grouped collection's URL may name only {{{spec.group_by}}}, not {{{other}}}"
            )
            hint = f"write the URL with {{{spec.group_by}}}, e.g. /{spec.name}/{{{spec.group_by}}}/"
            problems.append(declared.problem((i, "url"), message, hint))
    if "url" not in {f for f, _ in _placeholders(spec, lang)}:
        message = f"URL '{spec.url}' names no column, so every page would have the same address"
        hint = f"name a column of ids, e.g. /{spec.name}/{{id}}/"
        problems.append(declared.problem((i, "url"), message, hint))
    for name, related in spec.related.items():
        problems += _related_problems(declared, (i, "related", name), related, content)
    return problems


def _related_problems(
    declared: Declared, at: tuple, related: RelatedSpec, content: Content
) -> list[Problem]:
    """A related dataset must exist, and the columns it names be columns of its rows."""
    known_sets = sorted(d for d in content.datasets if d != "charts")
    if related.dataset not in known_sets:
        close = close_matches(related.dataset, known_sets)
        hint = f"did you mean '{close[0]}'?" if close else f"datasets: {', '.join(known_sets)}"
        message = f"dataset '{related.dataset}' does not exist"
        return [declared.problem(at + ("dataset",), message, hint)]
    rows = collection_rows(content, related.dataset, content.site.languages[0])
    if not rows:
        return []
    known = _public_columns(rows)
    named = [(("field",), related.field)] + [
        (("sort",) if isinstance(related.sort, str) else ("sort", k), column.removeprefix("-"))
        for k, column in enumerate(related.sorts)
    ]
    return _unknown_columns(declared, at, named, known, related.dataset)


def _public_columns(rows: list[dict[str, Any]]) -> list[str]:
    """The rows' columns but the hidden `_` ones, in order of first use. Rows of one
    dataset share a few shapes (their keys, in order): each shape is read once, not each
    row key by key."""
    shapes = dict.fromkeys(map(tuple, rows))
    return list(dict.fromkeys(k for shape in shapes for k in shape if not k.startswith("_")))


def _unknown_columns(
    declared: Declared, at: tuple, named: list[tuple[tuple, str]], known: list[str], dataset: str
) -> list[Problem]:
    """A problem at `at + key` for each named column that is not one of `known`."""
    problems = []
    for key, column in named:
        if column not in known:
            close = close_matches(column, known)
            hint = f"did you mean '{close[0]}'?" if close else f"columns: {', '.join(known)}"
            message = f"'{column}' is not a column of {dataset}"
            problems.append(declared.problem(at + key, message, hint))
    return problems


def _placeholders(spec: CollectionSpec, lang: str) -> list[tuple[str, str]]:
    found = [("url", c) for c in PLACEHOLDER.findall(spec.url)]
    return found + [("title", c) for c in PLACEHOLDER.findall(text(spec.title, lang))]


def collection_rows(content: Content, dataset: str, lang: str) -> list[dict[str, Any]]:
    """The dataset's rows in `lang`, as charts and downloads see them; a dataset without
    rows of its own gives its records, each text in `lang`."""
    from .models import DATASETS
    from .tables import ROW_BUILDERS, dataset_rows, in_language

    if dataset in ROW_BUILDERS or dataset not in DATASETS:
        return dataset_rows(content, dataset, lang)

    def records() -> list[dict[str, Any]]:
        dumped = [r.model_dump(mode="json", exclude_none=True) for r in content.datasets[dataset]]
        return [in_language(row, lang) for row in dumped]

    return content.derived((f"records:{dataset}", lang), records)


# --- planning ----------------------------------------------------------------------------------


@dataclass
class _Entry:
    """One page of a collection before it is a job: its rows, address and title."""

    rows: list[dict[str, Any]]
    group: Any
    url_path: str
    title: str
    origin: Origin


def plan_collections(plan: Any, content: Content, urls: Any, lang: str) -> None:
    """Add each collection's pages (and listing page) in `lang` to `plan` (a SitePlan)."""
    declared: Declared = getattr(content, "collections", None) or Declared()
    for i, spec in enumerate(declared.specs):
        # What the pages' views are made from (here, not in the jobs): each page records it.
        with recording(passed_on=False) as made_of:
            entries, problems = _entries(declared, i, spec, content, lang)
        plan.problems.extend(problems)
        index = None
        if spec.index:
            index = Link(urls.url(spec.index.url.lstrip("/")), text(spec.index.title, lang))
        collection = Collection(spec.name, spec.dataset, index)
        keys = frozenset(made_of)
        template_at = declared.problem((i, "template"), "", "")
        tools = functools.partial(PageTools, content, urls, lang)
        columns = list(dict.fromkeys(k for e in entries for k in e.rows[0]))
        heads = headings(content, spec.dataset, lang, columns)
        for n in range(len(entries)):
            # Made when the page is rendered, then dropped: 10,000 views held from planning
            # to the end of the build were a third of its memory.
            view = functools.partial(
                _page_view, collection, spec, content, entries, n, urls, lang, heads
            )
            plan.jobs.append(_job(entries[n], spec.template, view, keys, template_at, tools))
        if spec.index and index:
            listing = CollectionIndex(collection, index.url, index.title, _items(entries, urls))
            at = declared.problem((i, "index", "url"), "", "")
            origin = Origin(f"the index of collection '{spec.name}'", at.path, at.line, at.column)
            entry = _Entry([], None, spec.index.url.lstrip("/"), index.title, origin)
            template_at = declared.problem((i, "index", "template"), "", "")
            same = functools.partial(lambda listing: listing, listing)
            plan.jobs.append(_job(entry, spec.index.template, same, keys, template_at, tools))


def _items(entries: list[_Entry], urls: Any) -> tuple[Item, ...]:
    return tuple(Item(urls.url(e.url_path), e.title, e.rows[0]) for e in entries)


def collection_items(content: Content, urls: Any, lang: str) -> dict[str, tuple[Item, ...]]:
    """Each collection's pages in `lang`, by the collection's name: for listings on other
    pages (the data page lists the place pages). Reading them records the datasets."""
    declared: Declared = getattr(content, "collections", None) or Declared()
    return {
        spec.name: _items(_entries(declared, i, spec, content, lang)[0], urls)
        for i, spec in enumerate(declared.specs)
    }


def _columns(row: dict[str, Any], heads: dict[str, Heading], lang: str) -> tuple[Column, ...]:
    columns = []
    for key, value in row.items():
        head = heads.get(key) or Heading(key.replace("_", " ").capitalize(), "", "", True)
        columns.append(Column(key, value, head.title, head.unit, shown(value, head.kind, lang)))
    return tuple(columns)


def _facts(columns: tuple[Column, ...], heads: dict[str, Heading]) -> tuple[Column, ...]:
    return tuple(c for c in columns if c.name not in heads or heads[c.name].shown)


def _page_view(
    collection: Collection,
    spec: CollectionSpec,
    content: Content,
    entries: list[_Entry],
    n: int,
    urls: Any,
    lang: str,
    heads: dict[str, Heading],
) -> Any:
    entry = entries[n]
    record = entry.rows[0]
    prev = entries[n - 1] if n > 0 else None
    after = entries[n + 1] if n + 1 < len(entries) else None
    related = {}
    if spec.related:
        key = record.get(key_field(content.records(spec.dataset)))
        related = {
            name: related_rows(content, r.dataset, r.field, key, r.sorts, lang)
            for name, r in spec.related.items()
        }
    return CollectionPage(
        collection=collection,
        url=urls.url(entry.url_path),
        title=entry.title,
        record=record,
        rows=tuple(entry.rows),
        group=entry.group,
        prev=Link(urls.url(prev.url_path), prev.title) if prev else None,
        next=Link(urls.url(after.url_path), after.title) if after else None,
        related=MappingProxyType(related),
        _heads=heads,
        _lang=lang,
    )


def _own_key(dataset: str, key: str) -> bool:
    """Whether a recorded key stands for `dataset` itself (whole, a record or a group)."""
    return key == f"data:{dataset}" or key.startswith((f"data:{dataset}#", f"data:{dataset}."))


def _read_apart(content: Content, dataset: str, lang: str) -> tuple[list[Any], frozenset[str]]:
    """The dataset's rows, and what they were made from besides the dataset itself (the
    datasets their references read): a page that reads a few rows records those and
    these, not the whole dataset, so an edit elsewhere in it leaves the page alone. Rows
    that name records of their own dataset keep the whole dataset."""
    with recording(passed_on=False) as keys:
        rows = collection_rows(content, dataset, lang)
    package = content.package
    resource = package.resources.get(dataset) if package is not None else None
    joins_itself = resource is not None and any(
        target == dataset for target, _ in resource.foreign_keys.values()
    )
    return rows, frozenset(k for k in keys if joins_itself or not _own_key(dataset, k))


def related_rows(
    content: Content, dataset: str, column: str, value: Any, sorts: list[str], lang: str
) -> tuple[dict[str, Any], ...]:
    """The rows of `dataset` whose `column` is `value`, sorted by `sorts` (first first),
    each without its hidden `_` columns. Records that group, and what the rows read."""
    cache_key = ("related", dataset, column, tuple(sorts), lang)
    if cache_key not in content._cache:
        rows, made_of = _read_apart(content, dataset, lang)
        groups: dict[Any, list[dict[str, Any]]] = {}
        for row in rows:
            if isinstance(row.get(column), (str, int, float, bool)):
                groups.setdefault(row[column], []).append(row)
        for name in list(groups):
            for sort in reversed(sorts):  # stable: the first column decides last
                groups[name] = _sorted(groups[name], sort)
        content._cache[cache_key] = (groups, made_of)  # type: ignore[index]
    groups, made_of = content._cache[cache_key]  # type: ignore[index]
    record(group_key(dataset, column, value))
    record_all(made_of)
    return tuple({k: v for k, v in row.items() if k[:1] != "_"} for row in groups.get(value, []))


def _entries(
    declared: Declared, i: int, spec: CollectionSpec, content: Content, lang: str
) -> tuple[list[_Entry], list[Problem]]:
    """The collection's pages in order, and a problem at both records for each address two
    of them would share, and at each value that is no safe address."""
    where = spec.where
    rows = [
        {k: v for k, v in row.items() if not k.startswith("_")}
        for row in collection_rows(content, spec.dataset, lang)
        if not where or _matches(row, where)
    ]
    rows = _sorted(rows, spec.sort)
    groups: dict[Any, list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(row[spec.group_by] if spec.group_by else len(groups), []).append(row)
    locate = _Locator(content, spec.dataset)
    entries: list[_Entry] = []
    problems: list[Problem] = []
    seen: dict[str, _Entry] = {}
    title = _filler(text(spec.title, lang))
    url_columns = PLACEHOLDER.findall(spec.url)
    address = _filler(spec.url)
    for value, members in groups.items():
        first = members[0]
        url, bad = _fill_url(url_columns, address, first)
        origin = locate.origin(first, spec, bad or url_columns[0])
        if bad:
            problems.append(_unsafe(origin, spec, bad, first[bad]))
            continue
        entry = _Entry(members, value if spec.group_by else None, url, title(first), origin)
        if url in seen:
            problems += _same_address(url, seen[url], entry, spec)
            continue
        seen[url] = entry
        entries.append(entry)
    return entries, problems


def _matches(row: dict[str, Any], where: dict[str, Any]) -> bool:
    """As charts' `where`, and `{not: …}` keeps the rows whose column is none of the values."""
    from .tables import matches

    plain = {k: v for k, v in where.items() if not isinstance(v, Not)}
    kept = all(v.allows(row.get(k)) for k, v in where.items() if isinstance(v, Not))
    return kept and matches(row, plain)


def _sorted(rows: list[dict[str, Any]], sort: str | None) -> list[dict[str, Any]]:
    if not sort:
        return rows
    column = sort.removeprefix("-")
    missing = [r for r in rows if r.get(column) in (None, "")]  # last, whichever the order
    present = [r for r in rows if r.get(column) not in (None, "")]
    try:
        present.sort(key=lambda r: r[column], reverse=sort.startswith("-"))
    except TypeError:  # numbers and words in one column: order them as text
        present.sort(key=lambda r: str(r[column]), reverse=sort.startswith("-"))
    return present + missing


def _filler(pattern: str) -> Callable[[dict[str, Any]], str]:
    """What fills `pattern`'s {COLUMN}s from a row (a missing or null value as ''): the
    pattern is split once for the rows of a collection, not searched again for each."""
    parts = PLACEHOLDER.split(pattern)  # literal, column, literal, ..., literal
    literals, columns = parts[0::2], parts[1::2]

    def fill(row: dict[str, Any]) -> str:
        out = [literals[0]]
        for column, literal in zip(columns, literals[1:], strict=True):
            found = row.get(column)
            out += ("" if found is None else str(found), literal)
        return "".join(out)

    return fill


def _fill_url(
    columns: list[str], fill: Callable[[dict[str, Any]], str], row: dict[str, Any]
) -> tuple[str, str]:
    """The page's path ('rivers/nile/'), filled by `fill` from the URL pattern naming
    `columns`, or the column whose value is no safe address."""
    for column in columns:
        if not SAFE_SEGMENT.match(str(row.get(column, ""))):
            return "", column
    return fill(row).lstrip("/"), ""


def _unsafe(origin: Origin, spec: CollectionSpec, column: str, value: Any) -> Problem:
    message = (
        f"{origin.what} would have the address {spec.url} with {column} {value!r}, "
        "which is not a safe address"
    )
    hint = f"name a column of ids in the URL, or write {column} as {_suggest(str(value))!r}"
    return Problem(origin.path or "(build)", origin.line, origin.column, message, hint)


def _same_address(url: str, old: _Entry, new: _Entry, spec: CollectionSpec) -> list[Problem]:
    """Two pages of one collection at one address: reported at both records."""
    hint = f"give each its own value, or change the URL pattern {spec.url}"
    return [
        Problem(
            a.origin.path or "(build)",
            a.origin.line,
            a.origin.column,
            f"{a.origin.what} has the address /{url}, as {b.origin.named()} does",
            hint,
        )
        for a, b in ((new, old), (old, new))
    ]


class _Locator:
    """Where a row's record is written, for messages about its page: found by the field
    that names each record (`id`, or a declared dataset's primary key)."""

    def __init__(self, content: Content, dataset: str):
        self.loaded = content.files.get(dataset)
        records = content.datasets[dataset]
        self.count = len(records)
        self.key = key_field(records)
        named = ((n, getattr(r, self.key, None)) for n, r in enumerate(records) if r is not None)
        self.by_id = {rid: n for n, rid in named if rid is not None}

    def origin(self, row: dict[str, Any], spec: CollectionSpec, column: str) -> Origin:
        rid = row.get(self.key)
        what = f"{spec.dataset} record '{rid}'" if rid is not None else f"a {spec.dataset} record"
        n = self.by_id.get(rid)
        if self.loaded is None or n is None:
            return Origin(what, group=f"the pages of collection '{spec.name}'")
        group = f"the pages of collection '{spec.name}', {spec.url}"
        return _RecordOrigin(what, self.loaded, (n, column), group, str(rid))


class _RecordOrigin(Origin):
    """A record's Origin whose line and column are looked up when a message first reads them:
    a JSON or CSV data file's positions take a second pass over its text (declared/data.py),
    which a collection of 10,000 good records spent a second on, for no message at all."""

    def __init__(self, what: str, loaded: LoadedFile, key: tuple, group: str, ident: str):
        object.__setattr__(self, "_at", (loaded, key))
        super().__init__(what, loaded.path, 1, 1, group, noun="record", ident=ident)

    def _place(self) -> tuple[int, int]:
        loaded, key = self._at  # type: ignore[attr-defined]
        return loaded.position(key)

    @property  # type: ignore[override]
    def line(self) -> int:
        return self._place()[0]

    @line.setter
    def line(self, value: int) -> None:
        """Origin's __init__ sets it; the record's place is looked up instead."""

    @property  # type: ignore[override]
    def column(self) -> int:
        return self._place()[1]

    @column.setter
    def column(self, value: int) -> None:
        """As `line`."""


# --- jobs ----------------------------------------------------------------------------------------


@dataclass
class CollectionJob(Job):
    """A page of a collection: its context is one dataclass; a missing template is reported
    at collections.yaml."""

    template_at: Problem | None = None

    def template_of(self, env: jinja2.Environment) -> jinja2.Template:
        try:
            return env.get_template(self.template)
        except jinja2.TemplateNotFound as exc:
            if self.template_at is None or exc.name != self.template:
                raise
            at = self.template_at
            message = f"template '{exc.name}' is neither in templates/ nor in the theme"
            hint = "create it in templates/, or name a theme template (record.html, records.html)"
            raise ContentError([Problem(at.path, at.line, at.column, message, hint)]) from None

    def ambient(self) -> dict[str, Any]:
        return {k: v for k, v in super().ambient().items() if k != "template_at"}


class _Later:
    """A listing made when a template first looks at it: after the page above it has cited
    and marked what it shows, so the list at the end of the page is complete."""

    def __init__(self, make: Callable[[], list[Any]]):
        self._make = make

    def __iter__(self) -> Any:
        return iter(self._make())

    def __len__(self) -> int:
        return len(self._make())


class PageTools:
    """What a collection page's template may call besides reading `page`, made afresh for
    each rendering: `cite(source_id)` numbers a source in the order first cited, and
    `citations` lists them at the end; `mark(row, subject)` gives a row that is not simply
    reported its marker, and `status_notes` lists the notes; `row(dataset, key)` is
    another record's row; `link(collection, key)` the address of a record's page, or none."""

    def __init__(self, content: Content, urls: Any, lang: str):
        self.content, self.urls, self.lang = content, urls, lang

    # Made when a template first cites or marks: most pages of a large collection do neither.
    @functools.cached_property
    def _citations(self) -> Any:
        from .pages import Citations

        return Citations(self.content, self.urls, self.lang)

    @functools.cached_property
    def _notes(self) -> Any:
        from .pages import StatusNotes

        return StatusNotes()

    def context(self) -> dict[str, Any]:
        return {
            "cite": self.cite,
            "citations": _Later(lambda: self._citations.listing()),
            "mark": self.mark,
            "status_notes": _Later(lambda: self._notes.listing()),
            "row": self.row,
            "link": self.link,
        }

    def cite(self, source_id: str) -> dict[str, Any]:
        """The source's number on this page, its id and the link to its entry."""
        return self._citations.cite(source_id)

    def mark(self, row: Mapping[str, Any], subject: str) -> dict[str, Any]:
        """The row with `status_note` (the marker's link, or none) and `status_label`."""
        from .tables import label, weakest_status

        status = weakest_status(dict(row))
        name = label(f"status-{status}", self.lang)
        view = {
            "status": status,
            "status_name": name,
            "status_label": label("status-marker", self.lang) % name,
            "uncertain": row.get("uncertain") or "",
        }
        marked = self._notes.mark(view, subject)
        note = marked["status_note"]
        return dict(row) | {
            "status_note": note,
            "status_label": view["status_label"] if note else "",
        }

    def row(self, dataset: str, key: Any, lang: str | None = None) -> dict[str, Any] | None:
        """The row of `dataset`'s record `key`, in this language or `lang`; none if absent."""
        lang = lang or self.lang
        cache_key = ("row", dataset, lang)
        if cache_key not in self.content._cache:
            rows, made_of = _read_apart(self.content, dataset, lang)
            field = key_field(self.content.records(dataset))
            by_key = {r.get(field): r for r in rows}
            self.content._cache[cache_key] = (by_key, made_of)  # type: ignore[index]
        by_key, made_of = self.content._cache[cache_key]  # type: ignore[index]
        record(data_key(dataset, key))
        record_all(made_of)
        found = by_key.get(key)
        return {k: v for k, v in found.items() if k[:1] != "_"} if found else None

    def link(self, collection: str, key: Any) -> str | None:
        """The address of the page of `collection` for record `key`, in this language; none
        when the collection leaves the record out."""
        cache_key = ("links", collection, self.lang)
        if cache_key not in self.content._cache:
            self.content._cache[cache_key] = self._links(collection)  # type: ignore[index]
        dataset, links = self.content._cache[cache_key]  # type: ignore[index]
        record(data_key(dataset, key))
        return links.get(key)

    def _links(self, name: str) -> tuple[str, dict[Any, str]]:
        declared: Declared = getattr(self.content, "collections", None) or Declared()
        found = [(i, s) for i, s in enumerate(declared.specs) if s.name == name]
        if not found:
            known = ", ".join(s.name for s in declared.specs) or "none"
            raise ValueError(f"link(): no collection '{name}' (collections: {known})")
        i, spec = found[0]
        field = key_field(self.content.records(spec.dataset))
        with recording(passed_on=False):
            entries = _entries(declared, i, spec, self.content, self.lang)[0]
        links = {e.rows[0].get(field): self.urls.url(e.url_path) for e in entries}
        return spec.dataset, links


def _job(
    entry: _Entry,
    template: str,
    view: Callable[[], Any],
    made_of: frozenset[str],
    at: Problem,
    tools: Callable[[], PageTools],
) -> Any:
    def context(env: jinja2.Environment) -> dict[str, Any]:
        record_all(made_of)  # what the plan read to list the pages; the view records the rest
        return {"page": view(), **tools().context()}

    return CollectionJob(
        path=entry.url_path + "index.html",
        template=template,
        context=context,
        url_path=entry.url_path,
        title=entry.title,
        origin=entry.origin,
        template_at=at,
    )
