"""What one key of a declaration says about another, checked with the line and column of the
key to fix: pydantic has already checked each key's own form (see spec.py)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import PurePosixPath
from typing import Annotated, Any

from pydantic import StringConstraints, TypeAdapter

from ..content import close_matches
from ..errors import Problem
from ..loader import LoadedFile
from .spec import FORMATS, ITEM_TYPES, TYPES, FieldSpec, ResourceSpec

NUMERIC = ("integer", "number", "year")
KEY_TYPES = ("string", "integer")
"""Types a primary or foreign key may have."""

Report = Callable[[tuple, str, str], None]


def _did_you_mean(name: str, candidates: list[str], what: str) -> str:
    close = close_matches(name, candidates)
    if close:
        return f"did you mean '{close[0]}'?"
    return f"{what}: {', '.join(candidates)}" if candidates else f"declare {what} first"


def single(value: str | list[str] | None) -> str | None:
    """A key of one field, written as a name or a list of one name."""
    if isinstance(value, list):
        return value[0] if len(value) == 1 else None
    return value


def item_type(field: FieldSpec) -> str:
    """The type each value of the field has: a list's item type, or the field's own."""
    return (field.itemType or "string") if field.type == "list" else field.type


def resource_problems(
    spec: ResourceSpec,
    at: tuple,
    loaded: LoadedFile,
    keys: dict[str, tuple[str, str] | None],
    units: list[str] | None = None,
) -> list[Problem]:
    """Problems of one resource. `keys`: each dataset a foreign key may name -> its key
    field and type (None when it has no primary key); `units`: the package's units."""
    problems: list[Problem] = []

    def report(key: tuple, message: str, hint: str) -> None:
        problems.append(loaded.problem(at + key, message, hint))

    fmt = FORMATS.get(PurePosixPath(spec.path).suffix.lower())
    if fmt is None:
        report(
            ("path",),
            f"'{spec.path}' is not a data file the build reads",
            "name a .csv, .json, .yaml or .yml file",
        )
    parts = PurePosixPath(spec.path).parts
    if spec.path.startswith("/") or ".." in parts or "\\" in spec.path:
        report(
            ("path",),
            f"'{spec.path}' is not inside content/",
            "write the path from content/, e.g. data/NAME.csv",
        )
    _fields(spec.table.fields, ("schema", "fields"), fmt, report, top=True)
    _uncertainty(spec, report)
    _derived_clashes(spec, report)
    _rules(spec, report)
    _sort(spec, report)
    _primary_key(spec, report)
    _foreign_keys(spec, report, keys)
    _measures(spec, report, units or [])
    _lookups(spec, report, keys)
    return problems


def _measures(spec: ResourceSpec, report: Report, units: list[str]) -> None:
    """A measured value's unit is one of the package's, or FIELD.COLUMN of a foreign key;
    its qualifier is a field of the record."""
    names = [f.name for f in spec.table.fields]
    references = [single(fk.fields) for fk in spec.table.foreignKeys]
    for j, field in enumerate(spec.table.fields):
        if field.measure is None:
            continue
        at = ("schema", "fields", j, "measure")
        unit, qualifier = field.measure.unit, field.measure.qualifier
        via, dot, _ = unit.partition(".")
        if dot and via not in references:
            report(
                at + ("unit",),
                f"'{via}' is not a foreign key field of this dataset",
                "write FIELD.COLUMN with FIELD a field `foreignKeys` declares, or a unit's name",
            )
        elif not dot and unit not in units:
            report(
                at + ("unit",),
                f"unit '{unit}' is not one of the package's `units`",
                _did_you_mean(unit, units, "units"),
            )
        if qualifier is not None and qualifier not in names:
            report(
                at + ("qualifier",),
                f"qualifier '{qualifier}' is not a field",
                _did_you_mean(qualifier, names, "fields"),
            )


def _lookups(spec: ResourceSpec, report: Report, keys: dict[str, tuple[str, str] | None]) -> None:
    for k, lookup in enumerate(spec.lookups):
        if lookup.resource not in keys:
            report(
                ("lookups", k, "resource"),
                f"'{lookup.resource}' is not a dataset",
                _did_you_mean(lookup.resource, sorted(keys), "datasets"),
            )


def _uncertainty(spec: ResourceSpec, report: Report) -> None:
    """The fields uncertainty adds: no declared field may take their names; each status is
    `status` or NAME_status, so that a row's statuses are known by their names."""
    statuses = spec.table.statuses
    if not isinstance(spec.table.uncertainty, bool):
        seen: set[str] = set()
        for k, name in enumerate(statuses):
            at = ("schema", "uncertainty", "statuses", k)
            if name != "status" and not name.endswith("_status"):
                report(at, f"status field '{name}' is not named like one", _STATUS_NAMES)
            elif name in seen:
                report(at, f"status field '{name}' is listed twice", "list each once")
            seen.add(name)
    added = (*statuses, "uncertain") if statuses else ()
    for j, field in enumerate(spec.table.fields):
        if field.name in added:
            report(
                ("schema", "fields", j, "name"),
                f"'{field.name}' is a field that `uncertainty` adds",
                "give this field another name, or remove it from `uncertainty`",
            )


_STATUS_NAMES = "name it `status`, or end its name in `_status` (standing_status)"


def _rules(spec: ResourceSpec, report: Report) -> None:
    """Each rule names two fields of the record, of types it can compare."""
    fields = {f.name: f for f in spec.table.fields}
    for k, rule in enumerate(spec.table.rules):
        at = ("schema", "rules", k)
        ops = [(op, other) for op in ("lessThan", "inYear") if (other := getattr(rule, op))]
        if len(ops) != 1:
            report(at, "a rule compares with one other field", "write `lessThan:` or `inYear:`")
            continue
        (op, other), names = ops[0], list(fields)
        for key, name in (("field", rule.field), (op, other)):
            if name not in fields:
                message = f"rule names '{name}', which is not a field"
                report(at + (key,), message, _did_you_mean(name, names, "fields"))
        if rule.field not in fields or other not in fields:
            continue
        kinds = (fields[rule.field].type, fields[other].type)
        if op == "inYear" and kinds != ("date", "year") and kinds != ("date", "integer"):
            message = f"inYear compares a date with a year, not a {kinds[0]} with a {kinds[1]}"
            report(at + (op,), message, "name a date field and a year field")
        if op == "lessThan" and _family(kinds[0]) != _family(kinds[1]):
            message = f"lessThan cannot compare a {kinds[0]} with a {kinds[1]}"
            report(at + (op,), message, "compare two numbers or years, or two dates")


def _family(kind: str) -> str:
    return "number" if kind in NUMERIC else kind if kind == "date" else "none:" + kind


def _sort(spec: ResourceSpec, report: Report) -> None:
    if spec.sort is None:
        return
    name = spec.sort.removeprefix("-")
    field = next((f for f in spec.table.fields if f.name == name), None)
    if field is None:
        names = [f.name for f in spec.table.fields]
        report(
            ("sort",),
            f"sort names '{name}', which is not a field",
            _did_you_mean(name, names, "fields"),
        )
    elif field.type in ("list", "array"):
        report(
            ("sort",),
            f"rows cannot be sorted by the {field.type} '{name}'",
            "name a field of one value",
        )


def _derived_clashes(spec: ResourceSpec, report: Report) -> None:
    """A field named like a column the rows derive (`kind_name` from `kind`'s labels,
    `status_name` from `uncertainty: true`) would be overwritten in every row."""
    derived = {
        f"{f.name}_name": f.name
        for f in spec.table.fields
        if f.labels is not None or f.precision is not None
    }
    derived.update({f"{name}_name": name for name in spec.table.statuses})
    for j, field in enumerate(spec.table.fields):
        if field.name in derived:
            report(
                ("schema", "fields", j, "name"),
                f"'{field.name}' is the column of words the rows make from '{derived[field.name]}'",
                "give this field another name",
            )


def _fields(fields: list[FieldSpec], at: tuple, fmt: str | None, report: Report, top: bool) -> None:
    seen: dict[str, int] = {}
    for j, field in enumerate(fields):
        if field.name in seen:
            report(
                at + (j, "name"),
                f"field '{field.name}' is declared twice",
                "give each field its own name",
            )
        seen.setdefault(field.name, j)
        _field(field, at + (j,), fmt, report, top)


def _field(field: FieldSpec, at: tuple, fmt: str | None, report: Report, top: bool) -> None:
    if field.type not in TYPES:
        report(
            at + ("type",),
            f"unknown type '{field.type}'",
            _did_you_mean(field.type, list(TYPES), "types"),
        )
        return
    _type_options(field, at, fmt, report, top)
    _constraints(field, at, report)
    _labels(field, at, report)
    _default(field, at, report)


def _default(field: FieldSpec, at: tuple, report: Report) -> None:
    value, kind = field.default, field.type
    if value is None:
        return
    if field.constraints.required or kind in ("list", "array", "period") or field.localised:
        report(
            at + ("default",),
            f"a {'required' if field.constraints.required else kind} field takes no default",
            "remove `default`",
        )
    elif not (isinstance(value, bool) if kind == "boolean" else _is(value, kind)):
        report(at + ("default",), f"default {value!r} is not a {kind}", f"write a {kind}")
    elif field.constraints.enum is not None and value not in field.constraints.enum:
        report(at + ("default",), f"default {value!r} is not in the enum", "name a value of it")


def _type_options(field: FieldSpec, at: tuple, fmt: str | None, report: Report, top: bool) -> None:
    """Options that belong to one type: itemType to list, items to array, and so on."""
    kind = field.type
    wrong = [
        ("itemType", field.itemType is not None and kind != "list", "list"),
        ("items", field.items is not None and kind != "array", "array"),
        ("localised", field.localised and kind != "string", "string"),
        ("partial", field.partial and kind != "date", "date"),
        ("format", field.format == "uri" and kind != "string", "string"),
        ("measure", field.measure is not None and kind != "number", "number"),
        ("precision", field.precision is not None and kind != "date", "date"),
    ]
    for key, bad, belongs in wrong:
        if bad:
            report(
                at + (key,),
                f"`{key}` is for a field of type {belongs}, not {kind}",
                f"remove `{key}`, or make the field's type {belongs}",
            )
    if kind == "period" and fmt == "csv":
        report(
            at + ("type",),
            "a CSV cell cannot hold a period",
            "keep the data in a .json or .yaml file, or declare the period's year (type: "
            "year) and part as fields of their own",
        )
    if kind == "list" and field.itemType and field.itemType not in ITEM_TYPES:
        report(
            at + ("itemType",),
            f"unknown item type '{field.itemType}'",
            _did_you_mean(field.itemType, list(ITEM_TYPES), "item types"),
        )
    if kind != "array":
        return
    if not top:
        report(
            at + ("type",),
            "an array's records cannot hold another array",
            "declare the inner records as a dataset of their own, with a foreign key",
        )
    elif fmt == "csv":
        report(
            at + ("type",),
            "a CSV cell cannot hold an array of records",
            "keep the data in a .json or .yaml file, or declare the items as a second "
            "dataset with a foreign key",
        )
    if field.items is None:
        report(
            at,
            f"array '{field.name}' has no `items:`",
            "add `items: {fields: [...]}` declaring the fields of each item",
        )
    else:
        _fields(field.items.fields, at + ("items", "fields"), fmt, report, top=False)


def _constraints(field: FieldSpec, at: tuple, report: Report) -> None:
    c, kind, each = field.constraints, field.type, item_type(field)
    at = at + ("constraints",)
    misplaced = [
        ("minimum", c.minimum is not None and each not in NUMERIC, "numbers and years"),
        ("maximum", c.maximum is not None and each not in NUMERIC, "numbers and years"),
        (
            "pattern",
            c.pattern is not None and (each != "string" or field.localised),
            "text that is not localised",
        ),
        (
            "minLength",
            c.minLength is not None and kind not in ("string", "list", "array"),
            "text and lists",
        ),
        (
            "maxLength",
            c.maxLength is not None and kind not in ("string", "list", "array"),
            "text and lists",
        ),
        (
            "enum",
            c.enum is not None and (each in ("boolean", "array", "period") or field.localised),
            "text that is not localised, numbers, dates and years",
        ),
    ]
    for key, bad, applies in misplaced:
        if bad:
            report(
                at + (key,),
                f"`{key}` does not apply to a {kind} field",
                f"it applies to {applies}: remove it",
            )
    for key, bound in (("minimum", c.minimum), ("maximum", c.maximum)):
        if each in ("integer", "year") and isinstance(bound, float) and not bound.is_integer():
            report(
                at + (key,),
                f"`{key}` {bound} is not a whole number, and the field holds whole numbers",
                f"write a whole number, e.g. {int(bound)}",
            )
    for k, value in enumerate(c.enum or []):
        if not _is(value, each):
            report(
                at + ("enum", k),
                f"enum value {value!r} is not a {each}",
                f"write each value of the enum as a {each}",
            )
    said = _unreadable(c.pattern) if c.pattern is not None and each == "string" else None
    if said is not None:
        report(
            at + ("pattern",),
            f"pattern {c.pattern!r} cannot be read: {said}",
            "write a regular expression without lookarounds or backreferences",
        )


@functools.lru_cache(maxsize=256)
def _unreadable(pattern: str) -> str | None:
    """Why pydantic cannot use `pattern`, or None. Kept: the fields of a package repeat a few
    patterns (an id's on every key and foreign key), and each check makes a validator."""
    try:
        TypeAdapter(Annotated[str, StringConstraints(pattern=pattern)])
    except Exception as exc:  # pydantic reports a bad regex as a SchemaError
        return str(exc).splitlines()[-1][:120]
    return None


def _is(value: Any, kind: str) -> bool:
    if kind in ("integer", "year"):
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "boolean":
        return isinstance(value, bool)
    return isinstance(value, str)


def _labels(field: FieldSpec, at: tuple, report: Report) -> None:
    if field.labels is None:
        return
    enum = field.constraints.enum
    if enum is None:
        report(
            at + ("labels",),
            "`labels` name the values of an enum, and this field has none",
            "add `constraints: {enum: [...]}` listing the values",
        )
        return
    values = [str(v) for v in enum]
    for key in field.labels:
        if key not in values:
            report(
                at + ("labels", key),
                f"label for '{key}', which is not in the enum",
                _did_you_mean(key, values, "the enum's values"),
            )


def _primary_key(spec: ResourceSpec, report: Report) -> None:
    key = spec.table.primaryKey
    if key is None:
        return
    name = single(key)
    at = ("schema", "primaryKey")
    if name is None:
        report(
            at,
            "a primary key of several fields is not supported",
            "name one field whose value is unique, such as `id`",
        )
        return
    field = next((f for f in spec.table.fields if f.name == name), None)
    names = [f.name for f in spec.table.fields]
    if field is None:
        report(at, f"primaryKey '{name}' is not a field", _did_you_mean(name, names, "fields"))
    elif field.type not in KEY_TYPES or field.localised:
        report(
            at,
            f"primaryKey '{name}' is a {field.type} field",
            "a key is a string (not localised) or an integer field",
        )


def _foreign_keys(
    spec: ResourceSpec, report: Report, keys: dict[str, tuple[str, str] | None]
) -> None:
    fields = {f.name: f for f in spec.table.fields}
    used: set[str] = set()
    for k, fk in enumerate(spec.table.foreignKeys):
        at = ("schema", "foreignKeys", k)
        name = single(fk.fields)
        if name is None:
            report(
                at + ("fields",),
                "a foreign key of several fields is not supported",
                "name one field",
            )
            continue
        field = fields.get(name)
        if field is None:
            report(
                at + ("fields",),
                f"foreign key field '{name}' is not a field",
                _did_you_mean(name, list(fields), "fields"),
            )
            continue
        if name in used:
            report(at + ("fields",), f"field '{name}' has two foreign keys", "keep one")
        used.add(name)
        if item_type(field) not in KEY_TYPES or field.localised:
            report(
                at + ("fields",),
                f"'{name}' is a {field.type} field, not a key",
                "a foreign key field holds ids: a string or integer field, or a list of them",
            )
        _reference(fk.reference.resource, single(fk.reference.fields), at, report, keys)


def _reference(
    target: str,
    column: str | None,
    at: tuple,
    report: Report,
    keys: dict[str, tuple[str, str] | None],
) -> None:
    if target not in keys:
        report(
            at + ("reference", "resource"),
            f"'{target}' is not a dataset",
            _did_you_mean(target, sorted(keys), "datasets"),
        )
        return
    key = keys[target]
    if key is None:
        report(
            at + ("reference", "resource"),
            f"dataset '{target}' has no primaryKey",
            f"declare `primaryKey:` in {target}'s schema",
        )
    elif column != key[0]:
        report(
            at + ("reference", "fields"),
            f"'{column}' is not the key of {target}",
            f"a foreign key names {target}'s primary key: write fields: {key[0]}",
        )
