"""A pydantic model per declared dataset (`pydantic.create_model` on models.Strict), so the
records of a declared dataset validate, report their mistakes and give their JSON Schema
exactly as the built-in datasets' records do."""

from __future__ import annotations

import calendar
import re
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    Field,
    StrictBool,
    StrictInt,
    StringConstraints,
    create_model,
    model_validator,
)

from ..models import (
    DATE_PATTERN,
    URL_PATTERN,
    LocalText,
    PartialDate,
    Qualified,
    Status,
    Strict,
    status_field,
    text,
)
from .checks import item_type, single
from .spec import FieldSpec, ResourceSpec, Rule

_FULL_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


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
    name records of other datasets (checked by content.check_references)."""

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


def _annotation(field: FieldSpec) -> Any:
    if field.type == "array":
        assert field.items is not None
        return list[record_model(field.name, field.items.fields)]  # type: ignore[misc]
    if field.type == "list":
        return list[_scalar(field, item_type(field))]  # type: ignore[misc]
    return _scalar(field, field.type)


def _description(field: FieldSpec) -> str:
    words = [text(field.title), text(field.description)]
    if field.unit:
        words.append(f"Unit: {field.unit}.")
    return " ".join(w for w in words if w) or f"The record's {field.name}."


def _definition(field: FieldSpec) -> tuple[Any, Any]:
    annotation, c = _annotation(field), field.constraints
    length = {"min_length": c.minLength, "max_length": c.maxLength}
    many = field.type in ("list", "array")
    info = Field(description=_description(field), **(length if many else {}))
    if c.required:
        return annotation, info
    if many:
        return annotation, Field(default_factory=list, description=info.description, **length)
    return annotation | None, Field(default=field.default, description=info.description)


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
    required (and unique: content.check_references says so)."""
    key = single(spec.table.primaryKey)
    fields = [_required(f) if f.name == key else f for f in spec.table.fields]
    model = record_model(spec.name, fields, spec.table.statuses, tuple(spec.table.rules))
    model.primary_key = key  # type: ignore[attr-defined]
    model.references = {  # type: ignore[misc]
        single(fk.fields): fk.reference.resource for fk in spec.table.foreignKeys
    }
    return model


def _required(field: FieldSpec) -> FieldSpec:
    constraints = field.constraints.model_copy(update={"required": True})
    return field.model_copy(update={"constraints": constraints})
