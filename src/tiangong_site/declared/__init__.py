"""Datasets a project declares in `content/datapackage.yaml`, beside the built-in ones.

A declaration names each dataset, its data file (YAML, CSV or JSON) and the fields of its
records in Frictionless Table Schema's words (see spec.py, and "Declare a dataset" in
docs/editing.md). From it come a pydantic model per dataset (records.py), the records in
`Content.datasets[name]` with every mistake at file:line:col (data.py), the dataset's rows
in each language (rows.py) and its JSON Schema for editors (schema.py).
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import Field, TypeAdapter, ValidationError, create_model
from pydantic_core import SchemaValidator

from ..cjk import LazyPattern
from ..content import pydantic_problems
from ..errors import ContentError, Problem, display_path
from ..loader import LoadedFile, load_yaml_file
from ..models import DATASETS, DEFAULT_CITATIONS, Chart, Localised, LocalText, Strict
from .checks import KEY_TYPES, _did_you_mean, resource_problems, single
from .data import read_csv, read_json, read_yaml, validate
from .measures import PERIOD_COLUMNS, UnitSpec
from .records import record_type, records_schema, resource_model
from .rows import MEASURE_COLUMNS, declared_rows
from .spec import FORMATS, FieldSpec, LookupSpec, PackageSpec, QuotesSpec, ResourceSpec

__all__ = [
    "PACKAGE_FILE",
    "FieldDecl",
    "Package",
    "Resource",
    "chart_model",
    "declared_rows",
    "load_datasets",
    "keep_reads",
    "load_package",
]

PACKAGE_FILE = "datapackage.yaml"
"""Under content/."""
FieldDecl = FieldSpec
"""One declared field, as written in the declaration (validated)."""
RESERVED = ("site", "page", "datapackage")
"""Names of other content files' schemas (schemas/NAME.schema.json), which a dataset's
schema would overwrite."""
CHART_DATA: tuple[str, ...] = ()
"""Built-in datasets a chart may draw (those with rows)."""


@dataclass
class Resource:
    """One declared dataset."""

    name: str
    path: str
    """Its data file, relative to content/."""
    title: LocalText | None
    description: LocalText | None
    sources: list[str]
    fields: list[FieldDecl]
    primary_key: str | None
    foreign_keys: dict[str, tuple[str, str]]
    """field -> (dataset, its key field)."""
    joins: dict[str, list[str] | None]
    """field -> the columns of the named record its rows take (None: all)."""
    sort: str | None
    """The column the rows are sorted by (`-name`: descending), or None: the file's order."""
    headers: dict[str, LocalText]
    """Download headers of the columns the rows derive, by column."""
    statuses: tuple[str, ...]
    """The status fields of each record (`status`, …): none without uncertainty."""
    spec: ResourceSpec
    """The declaration, as validated."""
    at: tuple
    """Where the declaration is, as a key path of the declaration file."""
    lookups: list[LookupSpec] = field(default_factory=list)
    rename: dict[str, str] = field(default_factory=dict)

    @property
    def uncertainty(self) -> bool:
        return bool(self.statuses)

    @property
    def format(self) -> str:
        return FORMATS[Path(self.path).suffix.lower()]

    @cached_property
    def model(self) -> type[Strict]:
        """The records' pydantic model: their JSON Schema, and the fields a mistake names.
        Made when first asked for: a build without mistakes validates the records as
        `record` and never needs it."""
        return resource_model(self.spec)

    @cached_property
    def record(self) -> Any:
        """The type records are validated as (records.record_type): light records, not
        models. Made when first asked for: by a data file with a mistake, or the schemas."""
        return record_type(self.spec)

    @cached_property
    def adapter(self) -> SchemaValidator:
        """Validates a whole file of records in one call (`validate_python`), as a TypeAdapter
        of a list of `record` would, made without it (records.records_schema)."""
        return SchemaValidator(records_schema(self.spec))

    def text_fields(self) -> list[FieldDecl]:
        """The fields that hold text in each language, or records that do (an `array`
        field's items then keep only theirs); `uncertain` with uncertainty."""
        extra = [_UNCERTAIN] if self.uncertainty else []
        return _with_text(self.fields) + extra

    @cached_property
    def record_adapter(self) -> TypeAdapter[Any]:
        """Validates one record."""
        return TypeAdapter(self.record)

    def field(self, name: str) -> FieldDecl:
        return next(f for f in self.fields if f.name == name)

    def columns(self) -> list[str]:
        """The columns of its rows before references are followed (rows.py)."""
        columns = []
        for f in self.fields:
            named = f.labels is not None or f.precision is not None
            columns += [f.name] + ([f"{f.name}_name"] if named else [])
            if f.type == "period":
                columns += [f"{f.name}_{c}" for c in PERIOD_COLUMNS]
            if f.measure is not None:
                columns += [f"{f.name}_{c}" for c in MEASURE_COLUMNS]
        for status in self.statuses:
            columns += [status, f"{status}_name"]
        columns += ["uncertain"] if self.statuses else []
        return [self.rename.get(c, c) for c in columns]


@dataclass
class Package:
    """`content/datapackage.yaml`, read."""

    file: LoadedFile
    resources: dict[str, Resource] = field(default_factory=dict)
    names: list[str] = field(default_factory=list)
    """Every dataset name declared, valid or not (charts may name them)."""
    units: dict[str, UnitSpec] = field(default_factory=dict)
    qualifiers: dict[str, LocalText] = field(default_factory=dict)
    citations: str = DEFAULT_CITATIONS
    """The dataset of the documents pages and records cite (`citations:`, by default
    `sources`); it may be missing, and then nothing can cite."""
    quotes: QuotesSpec | None = None
    """The dataset `{fig:ID}` and callouts quote, and the columns they show (`quotes:`)."""

    def row_columns(self, dataset: str) -> list[str]:
        """The columns of a dataset's rows, references followed (rows.py), lookups aside."""
        resource = self.resources[dataset]
        columns = resource.columns()
        for fk, (target, _) in resource.foreign_keys.items():
            named = self.resources.get(target)
            if named is not None and resource.field(fk).type != "list":
                taken = resource.joins.get(fk)
                prefix = resource.rename.get(fk, fk)
                columns += [f"{prefix}_{c}" for c in (named.columns() if taken is None else taken)]
        return columns

    def header(self, dataset: str, column: str) -> LocalText | None:
        """A column's words for readers, as the declaration of `dataset` gives them: its
        `headers`, the field's `title`, or for a joined column (`team_name`) the title of
        the named dataset's field (`name` of `teams`). None: the engine's word."""
        resource = self.resources.get(dataset)
        if resource is None:
            return None
        if column in resource.headers:
            return resource.headers[column]
        own = next((f for f in resource.fields if f.name == column), None)
        if own is not None:
            return own.title
        for lookup in resource.lookups:
            value = column.removeprefix(f"{lookup.name}_")
            if lookup.header is not None and value != column:
                return _filled(lookup.header, value)
        for fk, (target, _) in resource.foreign_keys.items():
            named = self.resources.get(target)
            if named is not None and column.startswith(f"{fk}_"):
                joined = column.removeprefix(f"{fk}_")
                field = next((f for f in named.fields if f.name == joined), None)
                if field is not None and field.title:
                    return field.title
        return None


def _filled(words: LocalText, value: str) -> LocalText:
    """A lookup's header with `{}` replaced by the value, in each of its languages."""
    if isinstance(words, str):
        return words.replace("{}", value)
    filled = {lang: text.replace("{}", value) for lang, text in words.texts.items()}
    return Localised.model_validate(filled)


# --- reads kept between loads (the preview) -------------------------------------------------

T = TypeVar("T")
_KEPT: dict[str, tuple[tuple, Any]] | None = None
"""While the preview runs (keep_reads): what each declaration or data file was read as, by
path, with the digest of its bytes. The preview loads the content again after each save;
with this, the declarations' models (and their validators, 40 ms to build) and the files
not saved are not made again. Off for a build, which reads each file once."""


def keep_reads() -> None:
    """Keep what each later load reads, for the next load in this process (the preview)."""
    global _KEPT
    if _KEPT is None:
        _KEPT = {}


def _kept(path: Path, key: tuple, read: Callable[[], T]) -> T:
    """`read()`, or what it returned for the same bytes of `path` and the same `key`. A read
    that raises is not kept, nor one of a file saved again while it was read."""
    if _KEPT is None:
        return read()
    try:
        before = hashlib.sha256(path.read_bytes()).digest()
    except OSError:
        return read()  # says why, located
    kept = _KEPT.get(str(path))
    if kept is not None and kept[0] == (before, *key):
        return kept[1]  # type: ignore[no-any-return]
    value = read()
    if hashlib.sha256(path.read_bytes()).digest() == before:
        _KEPT[str(path)] = ((before, *key), value)
    return value


def load_package(
    content_root: Path, site_languages: list[str], problems: list[Problem]
) -> Package | None:
    """The project's declarations, or None when it has no datapackage.yaml. Every mistake
    is added to `problems`; a resource with one is left out."""
    path = content_root / PACKAGE_FILE
    if not path.exists():
        return None
    package, found = _kept(
        path, (tuple(site_languages),), lambda: _load_package(path, content_root)
    )
    problems.extend(found)
    return package


def _load_package(path: Path, content_root: Path) -> tuple[Package | None, list[Problem]]:
    problems: list[Problem] = []
    try:
        loaded = load_yaml_file(path, display_path(path, content_root.parent))
    except ContentError as exc:
        return None, exc.problems
    try:
        whole = PackageSpec.model_validate(loaded.data)
    except ValidationError as exc:
        return None, pydantic_problems(exc, loaded, PackageSpec)
    raw = whole.resources
    package = Package(loaded, units=whole.units, qualifiers=whole.qualifiers)
    specs = _specs(raw, loaded, package, problems)
    keys = _keys(specs, raw)
    for i, spec in specs.items():
        at = ("resources", i)
        found = resource_problems(spec, at, loaded, keys, list(whole.units))
        problems.extend(found)
        if not found:
            package.resources[spec.name] = _resource(spec, at)
    for resource in package.resources.values():
        problems.extend(_join_problems(package, resource))
    package.citations = whole.citations or package.citations
    problems.extend(_citation_problems(package, package.citations, whole.citations is not None))
    found = _quote_problems(package, whole.quotes) if whole.quotes is not None else []
    problems.extend(found)
    package.quotes = whole.quotes if not found else None
    return package, problems


def _quote_problems(package: Package, quotes: QuotesSpec) -> list[Problem]:
    """`quotes:` names a declared dataset with an `id`, and columns of its rows."""
    at = ("quotes",)
    if quotes.dataset not in package.resources:
        close = _did_you_mean(quotes.dataset, package.names, "datasets")
        what = f"quotes names '{quotes.dataset}', not a dataset"
        return [package.file.problem(at + ("dataset",), what, close)]
    columns = package.row_columns(quotes.dataset)
    named = [(("value",), quotes.value)] + [(("label", k), c) for k, c in quotes.label.items()]
    problems = [
        package.file.problem(
            at + where,
            f"'{column}' is not a column of the rows of {quotes.dataset}",
            _did_you_mean(column, columns, "columns"),
        )
        for where, column in named
        if column not in columns
    ]
    problems += _place_problems(package, quotes)
    if "id" not in columns:
        problems.append(
            package.file.problem(
                at + ("dataset",),
                f"'{quotes.dataset}' cannot be quoted: its records have no `id`",
                "declare an `id` field, which `{fig:ID}` names",
            )
        )
    return problems


PLACE = LazyPattern(r"\{(\w+)\}")
"""A place in a callout's declared words, `{NAME}`: a name `quotes.label` gives."""


def _place_problems(package: Package, quotes: QuotesSpec) -> list[Problem]:
    """Each `{NAME}` of `quotes.words` and `quotes.undated_words` is a name `label` gives."""
    found = []
    for key in ("words", "undated_words"):
        words = getattr(quotes, key)
        texts = {(): words} if isinstance(words, str) else (words.texts if words else {})
        for lang, pattern in texts.items():
            where = ("quotes", key) + ((lang,) if lang else ())
            for name in PLACE.findall(pattern):
                if name not in quotes.label:
                    what = f"'{{{name}}}' is not a name `label` gives"
                    hint = _did_you_mean(name, list(quotes.label), "the names `label` gives")
                    found.append(package.file.problem(where, what, hint))
    return found


CITED_FIELDS = ("title", "url")
"""What the citation dataset's records need besides their key: a list of sources shows each
one's title, linked to its address (publisher, date, kind, language and note if declared)."""


def _citation_problems(package: Package, name: str, named: bool) -> list[Problem]:
    """The citation list, if declared, has a key, a title and an address; a name written
    in `citations:` must be a dataset the package declares."""
    at = ("citations",)
    if name not in package.names:
        if not named:
            return []  # no citation list: whatever cites is an error where it cites
        close = _did_you_mean(name, package.names, "datasets")
        return [package.file.problem(at, f"citations names '{name}', not a dataset", close)]
    resource = package.resources.get(name)
    if resource is None:
        return []  # its declaration has mistakes, already reported
    names = [f.name for f in resource.fields]
    lacking = [f for f in CITED_FIELDS if f not in names]
    if resource.primary_key is None or lacking:
        what = " and ".join(["a primaryKey"] * (resource.primary_key is None) + lacking)
        where = at if named else resource.at + ("name",)
        return [
            package.file.problem(
                where,
                f"'{name}' cannot be the citation list: it has no {what}",
                f"declare {what} in its schema, or name another dataset in `citations:` "
                '(docs/editing.md, "Citations")',
            )
        ]
    return []


def _header_problems(package: Package, resource: Resource) -> list[Problem]:
    """`headers` name columns the rows derive (a field's own column has its `title`)."""
    derived = [c for c in resource.columns() if c not in {f.name for f in resource.fields}]
    joined = [f"{f}_" for f in resource.foreign_keys]
    problems = []
    for column in resource.headers:
        if column not in derived and not column.startswith(tuple(joined)):
            problems.append(
                package.file.problem(
                    resource.at + ("headers", column),
                    f"'{column}' is not a column the rows of {resource.name} derive",
                    _did_you_mean(column, derived, "derived columns")
                    + " (a field's own column takes its `title`)",
                )
            )
    return problems


def _join_problems(package: Package, resource: Resource) -> list[Problem]:
    """Each column a foreign key's `columns` names must be a column of the named dataset's
    rows (checked where they are known before any data is read)."""
    problems = _header_problems(package, resource)
    for k, fk in enumerate(resource.spec.table.foreignKeys):
        target, wanted = fk.reference.resource, fk.columns or []
        known = _target_columns(package, target)
        for j, column in enumerate(wanted):
            if known is not None and column not in known:
                at = resource.at + ("schema", "foreignKeys", k, "columns", j)
                problems.append(
                    package.file.problem(
                        at,
                        f"'{column}' is not a column of {target}'s rows",
                        _did_you_mean(column, known, "columns"),
                    )
                )
    return problems


def _target_columns(package: Package, target: str) -> list[str] | None:
    """The columns a reference to `target` may take; None when only its rows know them."""
    if target in package.resources:
        return package.resources[target].columns()
    model = DATASETS[target][1] if target in DATASETS else None
    from ..tables import ROW_BUILDERS

    if model is None or target in ROW_BUILDERS:
        return None
    return list(model.model_fields)


def _specs(
    raw: list[Any], loaded: LoadedFile, package: Package, problems: list[Problem]
) -> dict[int, ResourceSpec]:
    """Each resource's declaration that has the right form, by its index."""
    specs: dict[int, ResourceSpec] = {}
    first: dict[str, int] = {}
    for i, item in enumerate(raw):
        name = item.get("name") if isinstance(item, dict) else None
        if isinstance(name, str):
            package.names.append(name)
        try:
            spec = ResourceSpec.model_validate(item)
        except ValidationError as exc:
            problems.extend(pydantic_problems(exc, loaded, ResourceSpec, ("resources", i)))
            continue
        at = ("resources", i, "name")
        if spec.name in DATASETS or spec.name in RESERVED:
            problems.append(
                loaded.problem(
                    at,
                    f"'{spec.name}' is a built-in dataset's name",
                    "give the declared dataset another name",
                )
            )
        elif spec.name in first:
            line = loaded.position(("resources", first[spec.name], "name"))[0]
            problems.append(
                loaded.problem(
                    at,
                    f"dataset '{spec.name}' is declared twice (first on line {line})",
                    "rename one of the two",
                )
            )
        else:
            first[spec.name] = i
            specs[i] = spec
    return specs


def _keys(specs: dict[int, ResourceSpec], raw: list[Any]) -> dict[str, tuple[str, str] | None]:
    """What a foreign key may name: each dataset's key field and type (None: no key;
    ("", "") for a declaration with mistakes of its own, whose key is not checked)."""
    keys: dict[str, tuple[str, str] | None] = {
        name: ("id", "string") for name in DATASETS if name != "charts"
    }
    for item in raw:
        if isinstance(item, dict) and isinstance(item.get("name"), str):
            keys.setdefault(item["name"], ("", ""))
    for spec in specs.values():
        key = single(spec.table.primaryKey)
        found = next((f for f in spec.table.fields if f.name == key), None)
        keys[spec.name] = (key, found.type) if found and found.type in KEY_TYPES else None
        if key is not None and found is None:
            keys[spec.name] = ("", "")
    return keys


def _resource(spec: ResourceSpec, at: tuple) -> Resource:
    targets, joins = {}, {}
    for fk in spec.table.foreignKeys:
        targets[single(fk.fields)] = (fk.reference.resource, single(fk.reference.fields))
        joins[single(fk.fields)] = fk.columns
    return Resource(
        name=spec.name,
        path=spec.path,
        title=spec.title,
        description=spec.description,
        sources=list(spec.sources),
        fields=list(spec.table.fields),
        primary_key=single(spec.table.primaryKey),
        foreign_keys=targets,  # type: ignore[arg-type]
        joins=joins,  # type: ignore[arg-type]
        sort=spec.sort,
        headers=dict(spec.headers),
        statuses=spec.table.statuses,
        spec=spec,
        at=at,
        lookups=list(spec.lookups),
        rename=dict(spec.rename),
    )


# --- data ----------------------------------------------------------------------------------

_UNCERTAIN = FieldSpec(name="uncertain", localised=True)


def _with_text(fields: list[FieldDecl]) -> list[FieldDecl]:
    kept = []
    for f in fields:
        if f.localised:
            kept.append(f)
        elif f.type == "array" and f.items is not None and _with_text(f.items.fields):
            items = f.items.model_copy(update={"fields": _with_text(f.items.fields)})
            kept.append(f.model_copy(update={"items": items}))
    return kept


def load_datasets(
    package: Package, content_root: Path, languages: list[str], problems: list[Problem]
) -> tuple[dict[str, list[Any]], dict[str, LoadedFile]]:
    """The records of each declared dataset, and its data file (for locating problems)."""
    datasets: dict[str, list[Any]] = {}
    files: dict[str, LoadedFile] = {}
    for name, resource in package.resources.items():
        datasets[name] = []
        path = content_root / resource.path
        if not path.is_file():
            problems.append(
                package.file.problem(
                    resource.at + ("path",),
                    f"data file content/{resource.path} is missing",
                    f"create it, or correct `path` (it is read from {content_root.name}/)",
                )
            )
            continue
        shown = display_path(path, content_root.parent)
        # The same declaration (the value keeps it, so no other takes its id): the same model.
        key = (id(resource), tuple(languages))
        read = functools.partial(_records, resource, path, shown, languages)
        _, loaded, records, found = _kept(path, key, read)
        problems.extend(found)
        if loaded is not None:
            files[name], datasets[name] = loaded, list(records)  # a list of this load's own
    return datasets, files


def _records(
    resource: Resource, path: Path, shown: str, languages: list[str]
) -> tuple[Resource, LoadedFile | None, list[Any], list[Problem]]:
    """The declaration read by, a dataset's data file, its records, and their problems."""
    problems: list[Problem] = []
    try:
        loaded = _read(resource, path, shown, languages)
    except ContentError as exc:
        return resource, None, [], exc.problems
    # the model and the adapter of one record are made only for a file with a mistake
    records = validate(
        loaded, resource.adapter, problems, lambda: (resource.model, resource.record_adapter)
    )
    problems.extend(unique_problems(resource, loaded, records))
    return resource, loaded, records, problems


def _read(resource: Resource, path: Path, shown: str, languages: list[str]) -> LoadedFile:
    if resource.format == "json":
        return read_json(path, shown)
    if resource.format == "csv":
        statuses = [FieldSpec(name=name) for name in resource.statuses]
        extra = [*statuses, _UNCERTAIN] if resource.statuses else []
        return read_csv(path, shown, resource.fields + extra, languages)
    return read_yaml(path, shown)


def unique_problems(resource: Resource, loaded: LoadedFile, records: list[Any]) -> list[Problem]:
    """Values of a `unique` field used twice (the primary key: content.check_references)."""
    problems = []
    for f in resource.fields:
        if not f.constraints.unique or f.name == resource.primary_key:
            continue
        first: dict[Any, int] = {}
        for i, record in enumerate(records):
            value = getattr(record, f.name, None) if record is not None else None
            if not isinstance(value, (str, int, float)):
                continue  # no value, or a list or text in several languages
            if value in first:
                line = loaded.position((first[value], f.name))[0]
                problems.append(
                    loaded.problem(
                        (i, f.name),
                        f"{f.name} {value!r} is used twice (first on line {line})",
                        f"each record has its own {f.name}",
                    )
                )
            first.setdefault(value, i)
    return problems


def source_problems(package: Package, datasets: dict[str, list[Any]]) -> list[Problem]:
    """A dataset's `sources:` must be ids in the citation list."""
    from ..content import close_matches

    cited = package.citations
    resource = package.resources.get(cited)
    key = resource.primary_key if resource is not None else None
    records = datasets.get(cited, []) if key is not None else []
    source_ids = {getattr(r, key) for r in records if r is not None}  # type: ignore[arg-type]
    where = resource.path if resource is not None else None
    problems = []
    for resource in package.resources.values():
        for k, sid in enumerate(resource.sources):
            if sid in source_ids:
                continue
            close = close_matches(sid, sorted(str(i) for i in source_ids))
            hint = f"did you mean '{close[0]}'?" if close else f"add it to content/{where}"
            message = f"source '{sid}' is not an id in content/{where}"
            if where is None:
                message = f"source '{sid}' names a record of {cited}, which is not declared"
                hint = f"declare {cited} in content/datapackage.yaml (the citation list)"
            problems.append(package.file.problem(resource.at + ("sources", k), message, hint))
    return problems


def chart_model(package: Package | None) -> type[Chart]:
    """The chart model, whose `data` may also name the declared datasets and whose `sources`
    name records of the citation list."""
    citations = package.citations if package is not None else Package.citations
    names = tuple(dict.fromkeys([*CHART_DATA, *(package.names if package else [])]))
    return _chart_model(names, citations)


@functools.lru_cache(maxsize=16)
def _chart_model(names: tuple[str, ...], citations: str) -> type[Chart]:
    info = Chart.model_fields["data"]
    model = create_model(  # type: ignore[call-overload]
        "Chart", __base__=Chart, data=(Literal[names], Field(description=info.description))
    )
    model.references = {"sources": citations}
    return model  # type: ignore[no-any-return]
