"""Load the whole content folder into one validated, cross-checked `Content` object.

Every problem of a run is collected (not only the first) and located at
file:line:col, so an editor can fix them all in one pass.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_args

from pydantic import BaseModel, ValidationError

from . import deps
from .cjk import LazyPattern
from .collisions import slug_problem
from .deps import (
    PAGES,
    SITE,
    RecordedField,
    RecordedGroups,
    RecordedIndex,
    data_key,
    record_all,
    recording,
    settled_key,
)
from .editions import edition_problems
from .errors import ContentError, Problem, display_path
from .i18n import SOURCE_LANGUAGE
from .inside import refuse_links
from .languages import english_name
from .loader import LoadedFile, load_yaml_file, read_page, split_front_matter
from .models import (
    DATASETS,
    DEFAULT_CITATIONS,
    LANGUAGES,
    URL_HINTS,
    Localised,
    PageMeta,
    Site,
    Strict,
)


@dataclass
class Page:
    """A Markdown page: its validated front matter and its body."""

    # Reads of the front matter and of the body are recorded apart: a prose edit leaves the
    # menus, which read every page's front matter, as they were.
    meta: PageMeta = RecordedField(lambda page: f"meta:{page.path}")  # type: ignore[assignment]
    body: str = RecordedField(lambda page: f"body:{page.path}")  # type: ignore[assignment]
    path: str
    body_line: int
    source: LoadedFile
    lang: str = SOURCE_LANGUAGE
    """The site's default language for NAME.md; 'zh' for its Chinese edition NAME.zh.md."""

    @property
    def key(self) -> str:
        """The page whatever its language: its file name without the language suffix."""
        name = self.path.rsplit("/", 1)[-1].removesuffix(".md")
        return name.rsplit(".", 1)[0]


@dataclass
class Content:
    """Everything under content/, validated. Records keep their YAML positions for later checks."""

    root: Path
    # Every read of these is recorded for the page being made (deps.py).
    site: Site = RecordedField(lambda content: SITE)  # type: ignore[assignment]
    datasets: dict[str, list[Any]]
    pages: list[Page] = RecordedField(lambda content: PAGES)  # type: ignore[assignment]
    files: dict[str, LoadedFile] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)
    package: Any = None
    """The datasets declared in content/datapackage.yaml (a declared.Package), if any."""

    @property
    def citations(self) -> str:
        """The dataset of the documents pages and records cite (datapackage.yaml's
        `citations:`, `sources` by default)."""
        return self.package.citations if self.package is not None else DEFAULT_CITATIONS

    @property
    def quotes(self) -> Any:
        """What `{fig:ID}` and callouts quote (datapackage.yaml's `quotes:`, a
        declared.QuotesSpec), or None: nothing."""
        return self.package.quotes if self.package is not None else None

    collections: Any = None
    """The project's collections (collections.Declared), set once the content is checked."""

    _cache: dict[tuple[str, str], Any] = field(default_factory=dict, repr=False)
    _derived: dict[tuple[str, ...], tuple[Any, frozenset[str]]] = field(
        default_factory=dict, repr=False
    )
    _settled: dict[tuple[str, ...], tuple[Any, frozenset[str], Any]] = field(
        default_factory=dict, repr=False
    )

    def __post_init__(self) -> None:
        self.datasets = RecordedDatasets(self.datasets)

    def records(self, dataset: str) -> list[Any]:
        """The records of `dataset`, read without recording (for the content's own checks)."""
        return dict.__getitem__(self.datasets, dataset)

    def index(self, dataset: str) -> RecordedIndex[Any]:
        """Records of `dataset` by id (computed once: content does not change after loading).
        A lookup records that one record: a page quoting one figure needs no other."""
        key = (dataset, "")
        if key not in self._cache:
            records = self.records(dataset)
            field_name = key_field(records)
            by_id = {
                getattr(r, field_name): r
                for r in records
                if r is not None and getattr(r, field_name, None) is not None
            }
            self._cache[key] = RecordedIndex(dataset, by_id)
        return self._cache[key]

    def position(self, dataset: str, record: Any) -> int:
        """Where `record` is in its dataset's file (a record of this content, found by
        identity; computed once per content, never taken over by a later one)."""
        key = (dataset, "#position")
        if key not in self._cache:
            records = self.records(dataset)
            self._cache[key] = {id(r): i for i, r in enumerate(records) if r is not None}
        return self._cache[key][id(record)]

    def dataset_file(self, dataset: str) -> str:
        """Where a dataset's records are written, as error messages name it."""
        if dataset in DATASETS or self.package is None:
            return f"content/{DATASETS[dataset][0]}"
        return f"content/{self.package.resources[dataset].path}"

    def by(self, dataset: str, field_name: str) -> RecordedGroups[list[Any]]:
        """Records of `dataset` grouped by the value of one field, e.g. players by team.
        Looking up one group records that group only."""
        key = (dataset, field_name)
        if key not in self._cache:
            groups: dict[Any, list[Any]] = {}
            for item in self.records(dataset):
                if item is not None:
                    groups.setdefault(getattr(item, field_name), []).append(item)
            self._cache[key] = RecordedGroups(dataset, field_name, groups)
        return self._cache[key]

    def derived(self, key: tuple[str, ...], make: Callable[[], Any]) -> Any:
        """`make()`, computed once for this content (which does not change after loading):
        for tables derived from whole datasets, such as a dataset's rows in one language.
        A reader records what `make` read, whether it made the value or found it made."""
        if key not in self._derived:
            with recording() as keys:
                value = make()
            self._derived[key] = (value, frozenset(keys))
        value, keys = self._derived[key]
        record_all(keys)
        return value

    def settled(self, key: tuple[str, ...], make: Callable[[Content], Any]) -> Any:
        """`make(self)`, computed once, for a value made from much of which a reader needs
        the value only (which page places each chart, read from every page's body): a reader
        records the value's own key, which changes only when the value does (see
        `keep_derived`), not what it was made from."""
        if key not in self._settled:
            with recording(passed_on=False) as keys:
                value = make(self)
            self._settled[key] = (value, frozenset(keys), make)
        deps.record(settled_key(key))
        return self._settled[key][0]

    def keep_derived(self, older: Content, untouched: Callable[[frozenset[str]], bool]) -> set[str]:
        """Take over `older`'s derived values that read nothing changed since: the preview
        makes again only the tables an edit touches. Returns the keys of settled values
        that changed: each one touched is made again now, and compared with the old."""
        changed: set[str] = set()

        def kept(keys: frozenset[str]) -> bool:
            return untouched(keys) and not keys & changed

        # Settled values first, in the order they were made (one read by another comes
        # first): a derived value may have read one of them.
        for key, (value, keys, make) in older._settled.items():
            if kept(keys):
                self._settled.setdefault(key, (value, keys, make))
            elif self.settled(key, make) != value:
                changed.add(settled_key(key))
        for key, (value, keys) in older._derived.items():
            if key not in self._derived and kept(keys):
                self._derived[key] = (value, keys)
        return changed

    def problem_at(
        self,
        dataset: str,
        index: int,
        key: tuple = (),
        message: str = "",
        hint: str = "",
        severity: str = "error",
    ) -> Problem:
        return self.files[dataset].problem((index, *key), message, hint, severity)


def key_field(records: list[Any]) -> str:
    """The field that names each record: `id`, or a declared dataset's primary key."""
    model = next((type(r) for r in records if r is not None), None)
    return getattr(model, "primary_key", None) or "id"


# --- pydantic errors -> editor messages --------------------------------------

_EXPECTED = {
    "string_type": "text",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "list_type": "a list (lines starting with `- `)",
    "dict_type": "a mapping (`name: value` lines)",
    "model_type": "a mapping (`name: value` lines)",
    "model_attributes_type": "a mapping (`name: value` lines)",
}


_NUMBERS = {"int_type", "int_parsing", "int_from_float", "float_type", "float_parsing"}
_WRITTEN_NUMBER = LazyPattern(  # a unit: a percent sign or a word in any script (km, 亩)
    r"\s*([-+]?)([0-9][0-9,，]*(?:\.[0-9]+)?)\s*(%|％|[^\W\d_]+)?\s*"
)


def _number_hint(value: Any, name: str) -> str:
    """How to write a number as the data wants it, when it was written as a reader would:
    with thousands separators (1,234) or a unit (9.8%)."""
    match = _WRITTEN_NUMBER.fullmatch(value) if isinstance(value, str) else None
    if not match:
        return "write a plain number, e.g. 1234 or 9.8, without quotes"
    sign, digits, unit = match.groups()
    plain = sign.replace("+", "") + digits.replace(",", "").replace("，", "")
    if unit:
        return (
            f"write {plain}: '{name}' takes the number alone; its unit ({unit}) is declared "
            "with the data (content/datapackage.yaml)"
        )
    if plain != sign + digits:
        return f"write {plain}, without thousands separators or quotes"
    return f"write {plain} without quotes"


def _field_names(model: type[BaseModel], loc: tuple) -> list[str]:
    """The fields allowed at `loc` (for did-you-mean hints), following nested models."""
    current: Any = model
    for part in loc:
        if isinstance(part, int) or not (
            isinstance(current, type) and issubclass(current, BaseModel)
        ):
            continue
        fields = current.model_fields
        info = fields.get(part) or next((f for f in fields.values() if f.alias == part), None)
        if info is None:
            break
        annotation = info.annotation
        candidates = [annotation, *getattr(annotation, "__args__", ())]
        current = next(
            (c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)), None
        )
    if isinstance(current, type) and issubclass(current, BaseModel):
        return [info.alias or name for name, info in current.model_fields.items()]
    return []


def _clean_loc(loc: tuple) -> tuple:
    """Drop pydantic's union-branch labels (e.g. 'str', 'Localised', 'function-after[...]')."""
    return tuple(
        p
        for p in loc
        if isinstance(p, int)
        or not (
            p[:1].isupper()
            or "[" in p
            or p in ("str", "int", "float", "bool", "list[...]", "dict[...]")
        )
    )


def pydantic_problems(
    exc: ValidationError, source: LoadedFile, model: type[BaseModel], prefix: tuple = ()
) -> list[Problem]:
    """Translate pydantic's errors into located problems, one per distinct place."""
    problems: dict[tuple, Problem] = {}
    places: set[tuple] = set()
    errors = exc.errors(include_url=False)
    locs = [_clean_loc(tuple(err["loc"])) for err in errors]
    # Every place that has a mistake further inside it (a set, so each check is one lookup).
    inside = {loc[:i] for loc in locs for i in range(len(loc))}
    for err, loc in zip(errors, locs, strict=True):
        kind = err["type"]
        # A {en:, zh:} mapping with a mistake inside also fails the plain-text branch of its
        # union; report only the mistake inside.
        if kind in _EXPECTED and loc in inside:
            continue
        data_loc = prefix + loc
        name = next((p for p in reversed(loc) if isinstance(p, str)), "value")
        if kind == "missing":
            message = f"missing field '{name}'"
            hint = f"add `{name}:` to this record"
            at = data_loc[:-1]
        elif kind == "extra_forbidden":
            allowed = _field_names(model, loc[:-1])
            close = close_matches(name, allowed)
            message = f"unknown field '{name}'"
            hint = (
                f"did you mean '{close[0]}'?" if close else f"allowed fields: {', '.join(allowed)}"
            )
            if name in LANGUAGES and not close:  # a text's second line that lost its indentation
                hint = (
                    f"if it is the {english_name(name)} of the text above, indent it under "
                    "that field, in line with its other languages"
                )
            at = data_loc
        elif kind in _EXPECTED:
            message = f"'{name}' must be {_EXPECTED[kind]}, not {err['input']!r}"
            hint = _number_hint(err["input"], name) if kind in _NUMBERS else "fix the value's type"
            at = data_loc
        elif kind == "literal_error":
            message = f"'{name}' is {err['input']!r}, which is not allowed"
            hint = f"use {err['ctx']['expected']}"
            at = data_loc
        elif kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
            message = f"'{name}' is {err['input']!r}: {err['msg'].lower()}"
            hint = (
                "counts and years cannot be negative or out of range"
                if "greater" in kind
                else "check the number"
            )
            at = data_loc
        elif kind == "string_pattern_mismatch" and name == "slug" and model is PageMeta:
            message, hint = slug_problem(err["input"])
            at = data_loc
        elif kind == "string_pattern_mismatch":
            message = f"'{name}' is {err['input']!r}, which has the wrong form"
            hint = {
                "id": "ids use lower-case letters, digits and hyphens",
                **URL_HINTS,
            }.get(name, f"it must match {err['ctx']['pattern']}")
            at = data_loc
        elif kind == "language_code":
            message, hint = err["msg"], err["ctx"]["hint"]
            at = data_loc
        elif kind == "value_error":
            message = err["msg"].removeprefix("Value error, ")
            hint = "correct the value"
            at = data_loc
        else:
            message = f"'{name}': {err['msg']}"
            hint = "correct the value"
            at = data_loc
        key = (at, message)
        if key in problems:
            continue
        # A value that is neither a string nor a {en:, zh:} mapping fails both branches;
        # report it once.
        if kind in _EXPECTED and at in places:
            continue
        places.add(at)
        problems[key] = source.problem(at, message, hint)
    return list(problems.values())


MAX_CANDIDATES = 200
"""Did-you-mean hints compare a wrong name with at most this many names of about its length:
difflib over every id for every wrong id would make a long list of mistakes slow to report."""


def close_matches(name: str, candidates: list[str] | dict[int, list[str]]) -> list[str]:
    """The candidate closest to `name`, if any is close (as difflib judges). `candidates` may
    be grouped by length (see `by_length`), so only names of a similar length are compared."""
    groups = candidates if isinstance(candidates, dict) else by_length(candidates)
    # difflib's cutoff (0.6) cannot be met by a name under 3/7 or over 7/3 of this length.
    sizes = sorted(
        range((len(name) * 3) // 7, (len(name) * 7) // 3 + 1), key=lambda n: abs(n - len(name))
    )
    near = list(
        itertools.islice((c for size in sizes for c in groups.get(size, ())), MAX_CANDIDATES)
    )
    import difflib  # only for a wrong name: a build without mistakes needs none

    return difflib.get_close_matches(name, near, n=1)


class RecordedDatasets(dict):
    """The datasets by name: taking one records the whole dataset (`index` and `by` record
    finer). The content's own checks read through `Content.records`, which records nothing."""

    def __getitem__(self, name: str) -> list[Any]:
        deps.record(data_key(name))
        return super().__getitem__(name)

    def get(self, name: str, default: Any = None) -> Any:
        return self[name] if name in self else default

    def values(self) -> Any:
        for name in self:
            deps.record(data_key(name))
        return super().values()

    def items(self) -> Any:
        for name in self:
            deps.record(data_key(name))
        return super().items()


def by_length(names: list[str] | set[str]) -> dict[int, list[str]]:
    groups: dict[int, list[str]] = {}
    for name in sorted(names):
        groups.setdefault(len(name), []).append(name)
    return groups


# --- loading -----------------------------------------------------------------


_UNCHANGED: dict[tuple[str, str], tuple[bytes, Any]] = {}
"""What each file's bytes were last read as (by path and kind of reading): the preview loads
the content again after every save, and only the saved file is parsed and validated again."""


def _unless_unchanged(path: Path, kind: str, read: Callable[[], Any]) -> Any:
    """`read()`, or what it returned the last time this file had the same bytes. A read
    that fails raises as always, and is not kept."""
    try:
        raw = path.read_bytes()
    except OSError:
        return read()  # says why, located
    key = (str(path), kind)
    kept = _UNCHANGED.get(key)
    if kept is not None and kept[0] == raw:
        return kept[1]
    value = read()
    _UNCHANGED[key] = (raw, value)
    return value


def _read(path: Path, root: Path, problems: list[Problem]) -> LoadedFile | None:
    shown = display_path(path, root.parent)
    if not path.exists():
        problems.append(
            Problem(shown, 1, 1, "file is missing", f"create {shown} (an empty list `[]` is fine)")
        )
        return None
    try:
        return _unless_unchanged(path, shown, lambda: load_yaml_file(path, shown))
    except ContentError as exc:
        problems.extend(exc.problems)
        return None


_VALIDATED: dict[str, tuple[LoadedFile, type, list[Any], list[Problem]]] = {}
"""The records of each file as last validated, kept with the parsed file they came from."""


def _validate_list(loaded: LoadedFile, model: type[Strict], problems: list[Problem]) -> list[Any]:
    kept = _VALIDATED.get(loaded.path)
    if kept is not None and kept[0] is loaded and kept[1] is model:
        problems.extend(kept[3])
        return list(kept[2])  # a list of this load's own: placeholders are filled in it
    found: list[Problem] = []
    records = _validated(loaded, model, found)
    _VALIDATED[loaded.path] = (loaded, model, records, found)
    problems.extend(found)
    return list(records)


def _validated(loaded: LoadedFile, model: type[Strict], problems: list[Problem]) -> list[Any]:
    if loaded.data is None:
        return []
    if not isinstance(loaded.data, list):
        problems.append(
            loaded.problem((), "this file must be a list of records", "start each record with `- `")
        )
        return []
    records = []
    for i, item in enumerate(loaded.data):
        try:
            records.append(model.model_validate(item))
        except ValidationError as exc:
            problems.extend(pydantic_problems(exc, loaded, model, prefix=(i,)))
            records.append(None)
    return records


def load_site(root: Path, problems: list[Problem]) -> tuple[Site | None, LoadedFile | None]:
    loaded = _read(root / "site.yaml", root, problems)
    if loaded is None:
        return None, None
    try:
        return Site.model_validate(loaded.data), loaded
    except ValidationError as exc:
        problems.extend(pydantic_problems(exc, loaded, Site))
        return None, loaded


def load_pages(
    root: Path, problems: list[Problem], languages: Sequence[str] = LANGUAGES
) -> list[Page]:
    """The Markdown pages: NAME.md in the first of `languages` (the site's default), and
    NAME.LANG.md in each other language."""
    pages = []
    default, others = languages[0], languages[1:]
    for path in sorted((root / "pages").glob("*.md")):
        shown = display_path(path, root.parent)
        suffix = path.stem.rsplit(".", 1)[-1] if "." in path.stem else default
        if "." in path.stem and suffix not in others:
            named = " or ".join(f"NAME.{lang}.md" for lang in others)
            problems.append(
                Problem(
                    shown,
                    1,
                    1,
                    f"'{suffix}' is not a language of this site's other editions",
                    f"name the file NAME.md ({english_name(default)})"
                    + (f" or {named}" if named else "")
                    + " (site.yaml lists the languages)",
                )
            )
            continue
        try:
            front, body, body_line, meta = _unless_unchanged(
                path, "page", lambda path=path, shown=shown: _read_page(path, shown)
            )
        except ContentError as exc:
            problems.extend(exc.problems)
            continue
        pages.append(Page(meta, body, shown, body_line, front, suffix))
    slugs: dict[tuple[str, str], str] = {}
    for page in pages:
        if (page.lang, page.meta.slug) in slugs:
            problems.append(
                page.source.problem(
                    ("slug",),
                    f"slug '{page.meta.slug}' is also used by {slugs[page.lang, page.meta.slug]}",
                    "give each page its own slug",
                )
            )
        slugs[page.lang, page.meta.slug] = page.path
    return pages


def _read_page(path: Path, shown: str) -> tuple[LoadedFile, str, int, PageMeta]:
    """A page's front matter, body, the line its body starts on, and its validated meta."""
    front, body, body_line = split_front_matter(read_page(path, shown), shown)
    try:
        return front, body, body_line, PageMeta.model_validate(front.data or {})
    except ValidationError as exc:
        raise ContentError(pydantic_problems(exc, front, PageMeta)) from None


def check_languages(content: Content) -> list[Problem]:
    """Every page has an edition in each of the site's languages, and every reader-facing
    text has each language (a plain string is the default language's text)."""
    site = content.site
    default = site.default_language
    others = [lang for lang in site.languages if lang != default]
    problems: list[Problem] = []
    editions = {(page.key, page.lang): page for page in content.pages}
    for page in content.pages:
        if page.lang != default:
            problems += _edition_of(page, editions.get((page.key, default)), default)
            continue
        for lang in others:
            if (page.key, lang) not in editions:
                twin = page.path.removesuffix(".md") + f".{lang}.md"
                problems.append(
                    Problem(
                        page.path,
                        1,
                        1,
                        f"no {english_name(lang)} edition of this page",
                        f"create {twin}",
                    )
                )
    texts = _TextCheck(site.languages, others)
    site_file = content.files.get("site")
    if site_file is not None:
        problems.extend(texts.missing(site, site_file, ()))
    resources = content.package.resources if content.package is not None else {}
    for name, records in content.datasets.items():
        loaded = content.files.get(name)
        if loaded is None:
            continue
        if name in resources:  # its declaration says which fields hold text
            fields = resources[name].text_fields()
            if fields:
                for i, record in enumerate(records):
                    problems.extend(texts.declared(record, fields, loaded, (i,)))
            continue
        for i, record in enumerate(records):
            if record is not None:
                problems.extend(texts.missing(record, loaded, (i,)))
    return problems


def _edition_of(page: Page, source: Page | None, default: str) -> list[Problem]:
    """Problems of a page in another language than the default: its default edition."""
    if source is None:
        return [
            Problem(
                page.path,
                1,
                1,
                f"no {english_name(default)} edition of this page (content/pages/{page.key}.md)",
                "create it, or rename this file",
            )
        ]
    if source.meta.slug != page.meta.slug:
        return [
            page.source.problem(
                ("slug",),
                f"slug '{page.meta.slug}' differs from the {english_name(default)} "
                f"edition's '{source.meta.slug}'",
                "give both editions the same slug",
            )
        ]
    return []


def _is_local(annotation: Any) -> bool:
    return annotation is Localised or any(_is_local(arg) for arg in get_args(annotation))


_TEXT_FIELDS: dict[type, tuple[tuple[str, bool], ...]] = {}
"""Per model, the fields that may hold reader-facing text (see `_text_fields`)."""
_LOOKING: set[type] = set()
"""Models whose fields are being looked at: one that holds itself may hold text."""


def _text_fields(model: type[BaseModel]) -> tuple[tuple[str, bool], ...]:
    """The fields of `model` worth a look for texts lacking a language, each with whether it
    is itself localised; the others (numbers, ids, records without text) are skipped.
    Worked out once per model: asking `typing` about every field of every record took a
    third of a build of 1,000 records."""
    found = _TEXT_FIELDS.get(model)
    if found is None:
        _LOOKING.add(model)
        try:
            found = tuple(
                (name, _is_local(info.annotation))
                for name, info in model.model_fields.items()
                if _is_local(info.annotation) or _may_hold_text(info.annotation)
            )
        finally:
            _LOOKING.discard(model)
        _TEXT_FIELDS[model] = found
    return found


def _may_hold_text(annotation: Any) -> bool:
    """Whether a value of this type may be, or hold, a record with text: a model with text
    fields, or a type that says nothing (Any)."""
    if annotation is Any:
        return True
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation is Localised:
            return False
        return annotation in _LOOKING or bool(_text_fields(annotation))
    return any(_may_hold_text(arg) for arg in get_args(annotation))


@dataclass
class _TextCheck:
    """Finds reader-facing texts lacking one of the site's languages."""

    languages: list[str]
    """Every language a `{LANG: text}` mapping needs."""
    others: list[str]
    """The languages a plain string lacks (it is the default language's text)."""

    def missing(self, record: BaseModel, loaded: LoadedFile, key: tuple) -> list[Problem]:
        """A problem for each text of `record` (nested records too) lacking a language."""
        problems = []
        for name, local in _text_fields(type(record)):
            value = getattr(record, name)
            if isinstance(value, list):
                values = list(enumerate(value))
            elif isinstance(value, dict):  # texts by key, such as a chart's column headers
                values = list(value.items())
            else:
                values = [(None, value)]
            for index, item in values:
                where = key + ((name, index) if index is not None else (name,))
                if isinstance(item, BaseModel) and not isinstance(item, Localised):
                    problems.extend(self.missing(item, loaded, where))
                elif item is not None and local:
                    label = f"{name}[{index}]" if index is not None else name
                    problems.extend(self._lacking(item, label, loaded, where))
        return problems

    def declared(
        self, record: Any, fields: list[Any], loaded: LoadedFile, key: tuple
    ) -> list[Problem]:
        """As `missing`, for a record of a declared dataset (or an item of its `array` field,
        a dict), looking only at `fields`: its declared fields that hold text (FieldSpecs)."""
        problems: list[Problem] = []
        if record is None:
            return problems
        get = record.get if isinstance(record, dict) else lambda name: getattr(record, name)
        for spec in fields:
            value, where = get(spec.name), key + (spec.name,)
            if value is None:
                continue
            if spec.type == "array":
                for j, item in enumerate(value):
                    problems += self.declared(item, spec.items.fields, loaded, where + (j,))
            elif isinstance(value, list):
                for j, item in enumerate(value):
                    problems += self._lacking(item, f"{spec.name}[{j}]", loaded, where + (j,))
            else:
                problems += self._lacking(value, spec.name, loaded, where)
        return problems

    def _lacking(
        self, item: str | Localised, label: str, loaded: LoadedFile, where: tuple
    ) -> list[Problem]:
        wanted = self.others if isinstance(item, str) else self.languages
        form = ", ".join(f'{lang}: "..."' for lang in self.languages)
        return [
            loaded.problem(
                # at the language's own place where it has one: a CSV file's NAME.LANG cell
                where if isinstance(item, str) else (*where, lang),
                f"'{label}' has no {english_name(lang)} text",
                f"write it as {{{form}}}",
            )
            for lang in wanted
            if isinstance(item, str) or item.get(lang) is None
        ]


def _key_name(content: Content, dataset: str) -> str | None:
    """The field naming each record of `dataset` (None: a declared dataset without a key)."""
    if content.package is not None and dataset in content.package.resources:
        return content.package.resources[dataset].primary_key
    return "id"


def _record_id(record: Any, raw: Any, key: str) -> Any:
    if record is not None:
        return getattr(record, key, None)
    # failed validation (already reported); its id still exists
    value = raw.get(key) if isinstance(raw, dict) else None
    return value if isinstance(value, (str, int)) and not isinstance(value, bool) else None


def check_references(content: Content) -> list[Problem]:
    """Every id a record names must exist; ids must be unique within a dataset."""
    problems: list[Problem] = []
    ids: dict[str, set[Any]] = {}
    for name, records in content.datasets.items():
        seen: dict[Any, int] = {}
        loaded, key = content.files.get(name), _key_name(content, name)
        if loaded is None and name in DATASETS and not (content.root / DATASETS[name][0]).exists():
            ids[name] = set()  # the project has no such file: no id is in it
            continue
        if loaded is None or not isinstance(loaded.data, (list, type(None))) or key is None:
            continue  # the file could not be read (already reported): its ids are unknown
        raw = loaded.data or []
        for i, record in enumerate(records):
            rid = _record_id(record, raw[i] if record is None else None, key)
            if rid is None:
                continue
            if rid in seen:
                first = content.files[name].position((seen[rid], key))[0]
                message = f"{key} '{rid}' is used twice (first on line {first})"
                problems.append(
                    content.problem_at(name, i, (key,), message, f"give each record its own {key}")
                )
            seen.setdefault(rid, i)
        ids[name] = set(seen)
    groups = {name: by_length({str(i) for i in found}) for name, found in ids.items()}
    declared = content.package.names if content.package is not None else []
    for name, records in content.datasets.items():
        for i, record in enumerate(records):
            if record is None:  # failed validation; already reported
                continue
            for fld, target in type(record).references.items():
                value = getattr(record, fld)
                values = value if isinstance(value, list) else [value]
                for j, ref in enumerate(values):
                    key = (fld, j) if isinstance(value, list) else (fld,)
                    if (
                        ref is not None
                        and target not in content.datasets
                        and target not in declared
                    ):
                        problems.append(_undeclared(content, name, i, key, target))
                        break
                    if ref is None or target not in ids or ref in ids[target]:
                        continue
                    close = close_matches(str(ref), groups[target])
                    where = content.dataset_file(target)
                    hint = (
                        f"did you mean '{close[0]}'?"
                        if close
                        else f"add a record with id '{ref}' to {where}"
                    )
                    problems.append(
                        content.problem_at(
                            name, i, key, f"{fld} '{ref}' is not an id in {where}", hint
                        )
                    )
    return problems


def _undeclared(content: Content, dataset: str, index: int, key: tuple, target: str) -> Problem:
    """A record naming a record of a dataset the project does not have (no data file, no
    declaration): nothing it names can exist."""
    return content.problem_at(
        dataset,
        index,
        key,
        f"'{key[0]}' names a record of {target}, a dataset this project does not have",
        f"declare {target} in content/datapackage.yaml, or remove `{key[0]}`",
    )


def edition_order(site: Site | None) -> list[str]:
    """The site's default language first, then its others (without a valid site.yaml, any
    language the engine knows: its problems are reported, not the pages')."""
    if site is None:
        return list(LANGUAGES)
    return [site.default_language] + [
        lang for lang in site.languages if lang != site.default_language
    ]


def _declarations(
    root: Path, languages: list[str], problems: list[Problem]
) -> tuple[Any, dict[str, type[Strict]]]:
    """The datasets content/datapackage.yaml declares (a declared.Package, or None), and the
    chart model whose `data` may name them. Imported only for a project that declares."""
    if not (root / "datapackage.yaml").exists():
        return None, {}
    from .declared import chart_model, load_package

    package = load_package(root, languages, problems)
    return package, {"charts": chart_model(package)}


def load_content(root: Path) -> Content:
    """Read, validate and cross-check everything under `root` (the content folder).

    Raises ContentError listing every problem found.
    """
    problems: list[Problem] = []
    if not root.is_dir():
        raise ContentError(
            [
                Problem(
                    str(root),
                    1,
                    1,
                    "content folder not found",
                    "run from the project folder or pass --content",
                )
            ]
        )
    refuse_links([root], root.parent)  # read nothing from outside the folder, even by a link
    site, site_file = load_site(root, problems)
    languages = list(site.languages) if site is not None else [SOURCE_LANGUAGE]
    package, models = _declarations(root, languages, problems)
    files: dict[str, LoadedFile] = {}
    datasets: dict[str, list[Any]] = {}
    for name, (relpath, model) in DATASETS.items():
        if not (root / relpath).exists() and not (root / relpath).is_symlink():
            datasets[name] = []  # a project without this dataset: none of its pages
            continue
        loaded = _read(root / relpath, root, problems)
        if loaded is None:
            datasets[name] = []
            continue
        files[name] = loaded
        datasets[name] = _validate_list(loaded, models.get(name, model), problems)
    if package is not None:
        from .declared import load_datasets, source_problems

        declared, declared_files = load_datasets(package, root, languages, problems)
        datasets.update(declared)
        files.update(declared_files)
        problems.extend(source_problems(package, datasets))
    pages = load_pages(root, problems, edition_order(site))
    if site_file is not None:
        files["site"] = site_file
    content = Content(root=root, site=site, datasets=datasets, pages=pages, files=files)  # type: ignore[arg-type]
    content.package = package
    problems.extend(check_references(content))
    if site is not None:
        problems.extend(check_languages(content))
        problems.extend(edition_problems(content))
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise ContentError(problems)
    content.warnings = [p for p in problems if p.severity == "warning"]
    return content
