"""A pydantic model per declared dataset (`pydantic.create_model` on models.Strict), so the
records of a declared dataset report their mistakes and give their JSON Schema exactly as the
built-in datasets' records do; and the light record type they are validated into.

Records are validated as a TypedDict made from the same field types (so the same checks, the
same errors; core.py writes its pydantic-core schema directly), into a `Record`: the fields
as attributes, in slots, as a frozen model reads; the items of an `array` field stay plain
dicts. 10,000 records of ten rows each took 57 MiB as pydantic models (each row a model,
with its own dict and set of fields), under 20 MiB so.
"""

from __future__ import annotations

import calendar
import functools
import re
from collections.abc import Callable, Iterator
from typing import Annotated, Any, ClassVar, Literal, NotRequired, Required

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StringConstraints,
    create_model,
    model_validator,
)
from pydantic_core import CoreSchema
from typing_extensions import TypedDict  # pydantic needs this one on Python < 3.12

from ..cjk import LazyPattern
from ..models import (
    DATE_PATTERN,
    URL_PATTERN,
    LocalText,
    PartialDate,
    Qualified,
    Status,
    Strict,
    empty_list,
    status_field,
    text,
)
from .checks import item_type, single
from .measures import Period
from .spec import FieldSpec, ResourceSpec, Rule

_FULL_DATE = LazyPattern(r"^(\d{4})-(\d{2})-(\d{2})$")


def _check_full_date(value: str) -> str:
    match = _FULL_DATE.match(value)
    if not match:
        raise ValueError(f"'{value}' is not a date written YYYY-MM-DD")
    year, month, day = map(int, match.groups())
    if not 1 <= month <= 12 or not 1 <= day <= calendar.monthrange(year, month)[1]:
        raise ValueError(f"impossible date {value}")
    return value


FullDate = Annotated[
    str,
    AfterValidator(_check_full_date),
    Field(json_schema_extra={"pattern": DATE_PATTERN, "format": "date"}),
]


class DeclaredRecord(Strict):
    """Base of a declared dataset's records: which field names each record, and which fields
    name records of other datasets (checked by content.check_references).

    A build validates the records with `record_type`'s TypedDict and makes a model only
    for a data file with a mistake, whose messages name its fields; the JSON Schema and
    `new` make the models' validators when they need them: made at once, they took half of
    the 9 ms of processor time the nine models of the default site took to create."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    primary_key: ClassVar[str | None] = None
    references: ClassVar[dict[str, str]] = {}


class QualifiedRecord(Qualified, DeclaredRecord):
    """A declared record with `status` (or several statuses) and `uncertain`."""

    statuses: ClassVar[tuple[str, ...]] = ("status",)

    def _status_values(self) -> list[str]:
        return [getattr(self, name) for name in self.statuses]


def _scalar(field: FieldSpec, kind: str) -> Any:
    """The annotation of one value of `kind`, with the field's constraints."""
    c = field.constraints
    if c.enum is not None:
        return Literal[tuple(c.enum)]
    if kind == "string":
        if field.localised:
            return LocalText
        if field.format == "uri":
            return Annotated[str, StringConstraints(pattern=URL_PATTERN)]
        lengths = (
            {} if field.type == "list" else {"min_length": c.minLength, "max_length": c.maxLength}
        )
        return Annotated[str, StringConstraints(pattern=c.pattern, **lengths)]
    bounds = Field(ge=c.minimum, le=c.maximum)
    if kind in ("integer", "year"):
        return Annotated[StrictInt, bounds]
    if kind == "number":
        return Annotated[float, bounds]
    if kind == "boolean":
        return StrictBool
    return PartialDate if field.partial else FullDate


def _annotation(
    field: FieldSpec, items: Callable[[str, list[FieldSpec]], Any] | None = None
) -> Any:
    """The type of the field's value; an `array`'s items made by `items` (default: a model)."""
    if field.type == "period":
        return Period
    if field.type == "array":
        assert field.items is not None
        made = (items or record_model)(field.name, field.items.fields)
        return list[made]  # type: ignore[valid-type]
    if field.type == "list":
        return list[_scalar(field, item_type(field))]  # type: ignore[misc]
    return _scalar(field, field.type)


def _description(field: FieldSpec) -> str:
    """What the field holds, and its unit: the JSON Schema `description`, apart from the
    field's `title` (its short name), as JSON Schema keeps them."""
    words = [text(field.description)]
    if field.unit:
        words.append(f"Unit: {field.unit}.")
    return " ".join(w for w in words if w) or f"The record's {field.name}."


def _definition(field: FieldSpec) -> tuple[Any, Any]:
    annotation, c = _annotation(field), field.constraints
    length = {"min_length": c.minLength, "max_length": c.maxLength}
    many = field.type in ("list", "array")
    words = {"title": text(field.title) or None, "description": _description(field)}
    if c.required:
        return annotation, Field(**words, **(length if many else {}))
    if many:
        return annotation, Field(default_factory=empty_list, **words, **length)
    return annotation | None, Field(default=field.default, **words)


def _class_name(name: str) -> str:
    return "".join(part.capitalize() for part in re.split(r"[-_]", name))


def record_model(
    name: str, fields: list[FieldSpec], statuses: tuple[str, ...] = (), rules: tuple = ()
) -> type[Strict]:
    """A frozen pydantic model with one field per declared field; with `statuses`, each
    status field and the `uncertain` note of models.Qualified; `rules` checked on each record."""
    definitions: dict[str, Any] = {f.name: _definition(f) for f in fields}
    base: type[Strict] = QualifiedRecord if statuses else DeclaredRecord
    for status in statuses:
        what = "the record" if status == "status" else f"its {status.removesuffix('_status')}"
        definitions[status] = (Status, status_field(what))
    if statuses:
        definitions["uncertain"] = (
            LocalText | None,
            Field(default=None, description="Why a status is not `reported`."),
        )
    kinds = {f.name: f.type for f in fields}
    checker = _checker(rules, kinds)
    validators = {"_rules": model_validator(mode="after")(checker)} if rules else {}
    model = create_model(  # type: ignore[call-overload]
        _class_name(name), __base__=base, __validators__=validators, **definitions
    )
    if statuses:
        model.statuses = statuses
    return model  # type: ignore[no-any-return]


def _checker(rules: tuple[Rule, ...], kinds: dict[str, str]) -> Any:
    """The check of a record's rules: the first one broken is its error, at its line."""

    def check(record: Any) -> Any:
        for rule in rules:
            broken = _broken(rule, record, kinds.get(rule.field, ""))
            if broken:
                raise ValueError(broken + (f" ({rule.message})" if rule.message else ""))
        return record

    return check


def _broken(rule: Rule, record: Any, kind: str) -> str:
    """What is wrong with `record` by `rule`, or '' (a rule with a missing value holds)."""
    value = getattr(record, rule.field)
    other_name = rule.lessThan or rule.inYear or ""
    other = getattr(record, other_name)
    if value is None or other is None:
        return ""
    if rule.lessThan and not value < other:
        word = "before" if kind in ("year", "date") else "less than"
        return f"{rule.field} {value} must be {word} {other_name} {other}"
    if rule.inYear and not str(value).startswith(f"{other}"):
        return f"{rule.field} {value} is not in {other_name} {other}"
    return ""


def resource_model(spec: ResourceSpec) -> type[Strict]:
    """The model of a resource's records, with its key and references. The primary key is
    required (and unique: content.check_references says so). The same declaration gives
    the same class, load after load: the preview compares an edited file's records with
    the last load's, and records of two classes are never equal."""
    return _model_of(_Declaration(spec))


class _Declaration:
    """A resource's declaration as a key of the caches below: compared by its JSON (the
    declaration itself holds lists, which cannot be hashed), and read as it was validated,
    not validated again from that JSON."""

    __slots__ = ("json", "spec")

    def __init__(self, spec: ResourceSpec) -> None:
        self.spec, self.json = spec, spec.model_dump_json(by_alias=True)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Declaration) and other.json == self.json

    def __hash__(self) -> int:
        return hash(self.json)


@functools.lru_cache(maxsize=256)
def _model_of(declaration: _Declaration) -> type[Strict]:
    spec = declaration.spec
    key, fields = _keyed_fields(spec)
    model = record_model(spec.name, fields, spec.table.statuses, tuple(spec.table.rules))
    model.primary_key = key  # type: ignore[attr-defined]
    model.references = _references(spec)  # type: ignore[misc]
    return model


def _references(spec: ResourceSpec) -> dict[str, str]:
    """Which field names records of which dataset."""
    return {single(fk.fields): fk.reference.resource for fk in spec.table.foreignKeys}


def _keyed_fields(spec: ResourceSpec) -> tuple[str, list[FieldSpec]]:
    """The primary key's name, and the fields with the key's made required (models, record
    types and schemas all take them so)."""
    key = single(spec.table.primaryKey)
    return key, [_required(f) if f.name == key else f for f in spec.table.fields]


def _required(field: FieldSpec) -> FieldSpec:
    constraints = field.constraints.model_copy(update={"required": True})
    return field.model_copy(update={"constraints": constraints})


# --- the records themselves ----------------------------------------------------------------


class Record:
    """A record of a declared dataset: each field an attribute (None, or [] for a list, when
    not given), read-only, compared by value, and iterated as (name, value) pairs, as a
    frozen pydantic model is. One subclass per dataset (`record_type`) holds its fields in
    slots and says which field names each record and which name other datasets' records."""

    __slots__ = ()
    primary_key: ClassVar[str | None] = None
    references: ClassVar[dict[str, str]] = {}
    _record_fields: ClassVar[tuple[str, ...]] = ()
    """The fields, in the declaration's order."""
    _record_defaults: ClassVar[dict[str, Any]] = {}
    """A field's value when the record does not give it (a list: a new empty one)."""
    _statuses: ClassVar[tuple[str, ...]] = ("status",)
    """The status fields whose `uncertain` note models.Qualified checks."""

    def __init__(self, values: dict[str, Any]) -> None:
        for name in self._record_fields:
            value = values.get(name, _ABSENT)
            if value is _ABSENT:
                value = self._record_defaults.get(name)
                value = [] if isinstance(value, list) else value
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"a record is read-only: '{name}' cannot be set")

    def __iter__(self) -> Iterator[tuple[str, Any]]:
        return ((name, getattr(self, name)) for name in self._record_fields)

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and all(
            getattr(self, name) == getattr(other, name) for name in self._record_fields
        )

    def __hash__(self) -> int:
        return hash((type(self), *(value for _, value in self)))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in self)})"

    def _status_values(self) -> list[str]:
        """As models.Qualified's (its check of `uncertain` is run on records with a status)."""
        return [getattr(self, name, "reported") for name in self._statuses]

    def model_dump(self, mode: str = "python", exclude_none: bool = False) -> dict[str, Any]:
        """The record as plain data, as a model's `model_dump` gives it."""
        return {
            name: _dumped(value, mode, exclude_none)
            for name, value in self
            if not (exclude_none and value is None)
        }


_ABSENT = object()


def _dumped(value: Any, mode: str, exclude_none: bool) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode=mode, exclude_none=exclude_none)
    if isinstance(value, list):
        return [_dumped(item, mode, exclude_none) for item in value]
    if isinstance(value, dict):
        return {
            k: _dumped(v, mode, exclude_none)
            for k, v in value.items()
            if not (exclude_none and v is None)
        }
    return value


def _typed_dict(name: str, fields: list[FieldSpec], statuses: tuple[str, ...] = ()) -> Any:
    """A TypedDict of the fields, each of the model's type (values are checked alike),
    unknown keys refused; validated, it gives a plain dict."""
    members: dict[str, Any] = {}
    for field in fields:
        annotation, c = _annotation(field, _typed_dict), field.constraints
        if field.type in ("list", "array"):
            annotation = Annotated[
                annotation, Field(min_length=c.minLength, max_length=c.maxLength)
            ]
        elif not c.required:
            annotation = annotation | None
        members[field.name] = Required[annotation] if c.required else NotRequired[annotation]
    for status in statuses:
        members[status] = NotRequired[Status]
    if statuses:
        members["uncertain"] = NotRequired[LocalText | None]
    typed = TypedDict(_class_name(name) + "Data", members)  # type: ignore[operator]
    typed.__pydantic_config__ = ConfigDict(extra="forbid")  # type: ignore[attr-defined]
    return typed


def record_type(spec: ResourceSpec) -> Any:
    """The type a resource's records are validated as: its TypedDict, then made a `Record`
    by `record_maker`. Made only for a data file with a mistake (its adapter locates each
    one, data.validate) and for the JSON Schema: records_schema validates the others."""
    return _record_type_of(_Declaration(spec))


@functools.lru_cache(maxsize=256)
def _record_type_of(declaration: _Declaration) -> Any:
    spec = declaration.spec
    _key, fields = _keyed_fields(spec)
    typed = _typed_dict(spec.name, fields, spec.table.statuses)
    return Annotated[typed, AfterValidator(record_maker(spec))]


def record_fields(spec: ResourceSpec) -> tuple[tuple[str, ...], dict[str, Any]]:
    """The fields of a resource's records, in the order of its model's (resource_model), and
    the default of each that has one, as the model declares them: none for the key or a
    required field, a list empty, a status `reported`, the `uncertain` note none. Worked
    out from the declaration, so that a build, which validates records without the model,
    need not make it (0.7 ms a dataset)."""
    key = single(spec.table.primaryKey)
    defaults: dict[str, Any] = {}
    for f in spec.table.fields:
        if f.name != key and not f.constraints.required:
            defaults[f.name] = [] if f.type in ("list", "array") else f.default
    statuses = spec.table.statuses
    defaults |= {status: "reported" for status in statuses}
    defaults |= {"uncertain": None} if statuses else {}
    names = [f.name for f in spec.table.fields] + list(statuses)
    names += ["uncertain"] if statuses else []
    return tuple(dict.fromkeys(names)), defaults


def records_schema(spec: ResourceSpec) -> CoreSchema:
    """The schema `TypeAdapter(list[record_type(spec)])` validates a whole file of records
    with, made without pydantic's schema generation (core.py), or the TypedDict."""
    from .core import records_schema as made_of

    _key, fields = _keyed_fields(spec)
    return made_of(spec.name, fields, spec.table.statuses, record_maker(spec))


def record_maker(spec: ResourceSpec) -> Callable[[dict[str, Any]], Record]:
    """What makes a validated dict of a resource's record a `Record`, checking what a model
    would (the note a status needs, the rules). The same declaration gives the same class of
    records, load after load: records of two classes are never equal, and the preview
    compares an edited file's records with the last load's."""
    return _maker_of(_Declaration(spec))


@functools.lru_cache(maxsize=256)
def _maker_of(declaration: _Declaration) -> Callable[[dict[str, Any]], Record]:
    spec = declaration.spec
    key, fields = _keyed_fields(spec)
    names, defaults = record_fields(spec)
    record = type(
        _class_name(spec.name),
        (Record,),
        {
            "__slots__": names,
            "primary_key": key,
            "references": _references(spec),
            "_record_fields": names,
            "_record_defaults": defaults,
            "_statuses": spec.table.statuses,
        },
    )
    statuses = spec.table.statuses
    rules = _checker(tuple(spec.table.rules), {f.name: f.type for f in fields})

    def made(values: dict[str, Any]) -> Record:
        made = record(values)
        if statuses:  # the note a status other than `reported` needs, as a model checks it
            Qualified._status_has_its_note(made)
        if spec.table.rules:
            rules(made)
        return made

    return made
