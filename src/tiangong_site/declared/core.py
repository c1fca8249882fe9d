"""The validator of a declared dataset's records, made from the declaration without
pydantic's schema generation.

It is the validator pydantic makes of the records' TypedDict (records.record_type): the
same pydantic-core schema, written here with pydantic-core's own builders, field by field
as records.py types them; test_declared checks that the two schemas are the same for every
kind of field. Pydantic works that schema out from the type hints of each field: 5 to 9 ms
of processor time for the default site's nine datasets, against under 1 ms here.

A file whose records all pass is validated by this one alone. A file with a mistake is
validated again, record by record, by the TypedDict's own adapter (`Resource.
record_adapter`), whose messages the problems are made of: they are pydantic's, as before.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, get_args

from pydantic_core import CoreSchema
from pydantic_core import core_schema as cs

from ..models import URL_PATTERN, Localised, Status, _check_date
from .checks import item_type
from .measures import Period
from .records import _check_full_date, _class_name
from .spec import FieldSpec


def records_schema(
    name: str, fields: list[FieldSpec], statuses: tuple[str, ...], made: Callable[[Any], Any]
) -> CoreSchema:
    """The schema of a list of records: each a dict of `fields` (and `statuses` with their
    note), unknown keys refused, then given to `made` (which makes it a Record)."""
    used: dict[str, CoreSchema] = {}
    record = cs.no_info_after_validator_function(made, _typed_dict(name, fields, statuses, used))
    return cs.definitions_schema(cs.list_schema(record), list(used.values()))


def _typed_dict(
    name: str, fields: list[FieldSpec], statuses: tuple[str, ...], used: dict[str, CoreSchema]
) -> CoreSchema:
    """As records._typed_dict types it."""
    members: dict[str, Any] = {}
    for field in fields:
        c, value = field.constraints, _value(field, used)
        if field.type in ("list", "array"):
            value = cs.list_schema(
                value["items_schema"], min_length=c.minLength, max_length=c.maxLength
            )
        elif not c.required:
            value = cs.nullable_schema(value)
        members[field.name] = cs.typed_dict_field(value, required=c.required)
    for status in statuses:
        members[status] = cs.typed_dict_field(
            cs.literal_schema(list(get_args(Status))), required=False
        )
    if statuses:
        members["uncertain"] = cs.typed_dict_field(cs.nullable_schema(_local(used)), required=False)
    title = _class_name(name) + "Data"
    config = cs.CoreConfig(extra_fields_behavior="forbid", title=title)
    return cs.typed_dict_schema(members, cls_name=title, extra_behavior="forbid", config=config)


def _value(field: FieldSpec, used: dict[str, CoreSchema]) -> CoreSchema:
    """As records._annotation types a field's value."""
    if field.type == "period":
        return _ref(Period, used)
    if field.type == "array":
        assert field.items is not None
        return cs.list_schema(_typed_dict(field.name, field.items.fields, (), used))
    if field.type == "list":
        return cs.list_schema(_scalar(field, item_type(field), used))
    return _scalar(field, field.type, used)


def _scalar(field: FieldSpec, kind: str, used: dict[str, CoreSchema]) -> CoreSchema:
    """As records._scalar types one value of `kind`."""
    c = field.constraints
    if c.enum is not None:
        return cs.literal_schema(list(c.enum))
    if kind == "string":
        if field.localised:
            return _local(used)
        if field.format == "uri":
            return cs.str_schema(pattern=URL_PATTERN)
        if field.type == "list":
            return cs.str_schema(pattern=c.pattern)
        return cs.str_schema(pattern=c.pattern, min_length=c.minLength, max_length=c.maxLength)
    if kind in ("integer", "year"):
        return cs.int_schema(strict=True, ge=c.minimum, le=c.maximum)  # type: ignore[arg-type]
    if kind == "number":
        return cs.float_schema(ge=c.minimum, le=c.maximum)
    if kind == "boolean":
        return cs.bool_schema(strict=True)
    check = _check_date if field.partial else _check_full_date
    return cs.no_info_after_validator_function(check, cs.str_schema())


def _local(used: dict[str, CoreSchema]) -> CoreSchema:
    """Text in each language, or a plain string (models.LocalText)."""
    return cs.union_schema([cs.str_schema(), _ref(Localised, used)])


def _ref(model: type[Any], used: dict[str, CoreSchema]) -> CoreSchema:
    """A reference to a model's own schema, which the validator's definitions then hold."""
    schema = model.__pydantic_core_schema__
    used[schema["ref"]] = schema
    return cs.definition_reference_schema(schema["ref"])
