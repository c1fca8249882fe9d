"""A pydantic model per declared dataset (`pydantic.create_model` on models.Strict), so the
records of a declared dataset validate, report their mistakes and give their JSON Schema
exactly as the built-in datasets' records do."""

from __future__ import annotations

import calendar
import functools
import re
from typing import Annotated, Any, ClassVar, Literal

from pydantic import AfterValidator, Field, StrictBool, StrictInt, StringConstraints, create_model

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
from .measures import Period
from .spec import FieldSpec, ResourceSpec

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
    """A declared record with `status` and `uncertain` (`uncertainty: true`)."""


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
    if field.type == "period":
        return Period
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
    if field.default is not None:
        return annotation, Field(default=field.default, description=info.description)
    return annotation | None, Field(default=None, description=info.description)


def _class_name(name: str) -> str:
    return "".join(part.capitalize() for part in re.split(r"[-_]", name))


def record_model(name: str, fields: list[FieldSpec], uncertainty: bool = False) -> type[Strict]:
    """A frozen pydantic model with one field per declared field; with `uncertainty`, the
    `status` and `uncertain` of models.Qualified."""
    definitions = {f.name: _definition(f) for f in fields}
    base: type[Strict] = QualifiedRecord if uncertainty else DeclaredRecord
    if uncertainty:
        definitions["status"] = (Status, status_field())
        definitions["uncertain"] = (
            LocalText | None,
            Field(default=None, description="Why the status is not `reported`."),
        )
    return create_model(_class_name(name), __base__=base, **definitions)  # type: ignore[call-overload]


def resource_model(spec: ResourceSpec) -> type[Strict]:
    """The model of a resource's records, with its key and references. The primary key is
    required (and unique: content.check_references says so). The same declaration gives
    the same class, load after load: the preview compares an edited file's records with
    the last load's, and records of two classes are never equal."""
    return _model_of(spec.model_dump_json(by_alias=True))


@functools.lru_cache(maxsize=256)
def _model_of(declaration: str) -> type[Strict]:
    spec = ResourceSpec.model_validate_json(declaration)
    key = single(spec.table.primaryKey)
    fields = [_required(f) if f.name == key else f for f in spec.table.fields]
    model = record_model(spec.name, fields, spec.table.uncertainty)
    model.primary_key = key  # type: ignore[attr-defined]
    model.references = {  # type: ignore[misc]
        single(fk.fields): fk.reference.resource for fk in spec.table.foreignKeys
    }
    return model


def _required(field: FieldSpec) -> FieldSpec:
    constraints = field.constraints.model_copy(update={"required": True})
    return field.model_copy(update={"constraints": constraints})
