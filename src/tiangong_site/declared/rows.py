"""Rows of a declared dataset: one flat dict per record, in one language, made once per
language per build (through Content.derived) for charts, tables and downloads.

Naming: each field's value under its name (localised text in the row's language); an enum
with labels adds NAME_name (its label); a foreign key field F naming one record adds F_COL
for each column COL of that record's row (one level: the referenced rows' own references are
not followed), so `region` naming a region adds `region_name`; a date with a `precision`
adds NAME_name (the date in words); with uncertainty, each status field S, S_name (the
status in words), and `uncertain`. One convention for every derived
column, so a chart or template reads `kind_name` whatever made it.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from ..content import Content
from ..models import Localised, text
from .spec import FieldSpec


def declared_rows(content: Content, name: str, lang: str) -> list[dict[str, Any]]:
    """The rows of declared dataset `name` in `lang` (computed once per content)."""
    return content.derived((f"rows:{name}", lang), lambda: _rows(content, name, lang))


def _rows(content: Content, name: str, lang: str) -> list[dict[str, Any]]:
    resource = content.package.resources[name]
    base = _base_rows(content, name, lang)
    joins = [
        (field, *_target(content, target, lang, resource.joins.get(field)))
        for field, (target, _) in resource.foreign_keys.items()
        if not resource.field(field).type == "list"
    ]
    if not joins:
        return base
    rows = []
    for row in base:
        added = {}
        for field, columns, by_key in joins:
            found = by_key.get(row[field]) if row[field] is not None else None
            added[field] = {f"{field}_{c}": found.get(c) if found else None for c in columns}
        joined: dict[str, Any] = {}
        for key, value in row.items():  # region_name next to region, as a reader reads it
            joined[key] = value
            joined.update(added.get(key, ()))
        rows.append(joined)
    return rows


def _base_rows(content: Content, name: str, lang: str) -> list[dict[str, Any]]:
    """A dataset's rows without the columns of the records it names."""

    def make() -> list[dict[str, Any]]:
        resource = content.package.resources[name]
        rows = [_row(r, resource.fields, lang) for r in content.datasets[name] if r is not None]
        if resource.statuses:
            records = [r for r in content.datasets[name] if r is not None]
            for row, record in zip(rows, records, strict=True):
                row.update(_status(record, resource.statuses, lang))
        return sorted_rows(rows, resource.sort)

    return content.derived((f"declared-base:{name}", lang), make)


def _status(record: Any, statuses: tuple[str, ...], lang: str) -> dict[str, Any]:
    from ..tables import label

    found: dict[str, Any] = {}
    for name in statuses:
        found[name] = getattr(record, name)
        found[f"{name}_name"] = label(f"status-{found[name]}", lang)
    found["uncertain"] = text(record.uncertain, lang) if record.uncertain is not None else None
    return found


def _row(record: Any, fields: list[FieldSpec], lang: str) -> dict[str, Any]:
    """The row of a record (a records.Record), or of an item of an `array` (a dict)."""
    values = record if isinstance(record, dict) else dict(record)
    row: dict[str, Any] = {}
    for field in fields:
        value = values.get(field.name)
        row[field.name] = _value(value, field, lang)
        if field.labels is not None:
            row[f"{field.name}_name"] = (
                [_label(field, v, lang) for v in value]
                if isinstance(value, list)
                else _label(field, value, lang)
            )
        elif field.precision is not None:
            row[f"{field.name}_name"] = _date_words(value, field.precision, lang)
    return row


def _value(value: Any, field: FieldSpec, lang: str) -> Any:
    if value is None:
        return None
    if field.localised:
        return text(value, lang)
    if field.type == "array":
        assert field.items is not None
        return _items(value, field.items.fields, lang)
    if isinstance(value, list):
        return list(value)
    return value


def _date_words(value: str | None, precision: str, lang: str) -> str | None:
    """A date in words, as precisely as readers are shown it: 'May 2024' for a month."""
    from ..i18n import date

    if value is None:
        return None
    return date(value[: {"year": 4, "month": 7}.get(precision, 10)], lang)


def _items(items: list[dict[str, Any]], fields: list[FieldSpec], lang: str) -> list[Any]:
    """The rows of an `array` field's items. An item that gives every field, none of them
    text, labelled or an array, is its own row (items are validated in the declaration's
    order): shared, not copied, so 100,000 rows of 10,000 records cost no memory twice."""
    if any(f.localised or f.labels is not None or f.precision or f.type == "array" for f in fields):
        return [_row(item, fields, lang) for item in items]
    return [item if len(item) == len(fields) else _row(item, fields, lang) for item in items]


def _label(field: FieldSpec, value: Any, lang: str) -> str | None:
    if value is None:
        return None
    words = (field.labels or {}).get(str(value))
    return text(words, lang) if words is not None else str(value)


def sorted_rows(rows: list[dict[str, Any]], sort: str | None) -> list[dict[str, Any]]:
    """`rows` in the order of column `sort` (`-name`: descending), rows without a value
    last; as they are without `sort`."""
    if not sort:
        return rows
    column, descending = sort.removeprefix("-"), sort.startswith("-")
    present = [r for r in rows if r.get(column) not in (None, "")]
    missing = [r for r in rows if r.get(column) in (None, "")]
    try:
        present.sort(key=lambda r: r[column], reverse=descending)
    except TypeError:  # numbers and words in one column: order them as text
        present.sort(key=lambda r: str(r[column]), reverse=descending)
    return present + missing


def _target(
    content: Content, target: str, lang: str, wanted: list[str] | None = None
) -> tuple[list[str], dict[Any, dict[str, Any]]]:
    """The columns a reference to `target` adds (those `wanted`, or all), and `target`'s
    rows by key."""
    package = content.package
    if target in package.resources:
        key = package.resources[target].primary_key
        rows = _base_rows(content, target, lang)
        columns = [c for c in package.resources[target].columns() if c != key]
    else:
        key, rows = "id", _builtin_rows(content, target, lang)
        columns = [c for c in (rows[0] if rows else {}) if c != key and not c.startswith("_")]
    if wanted is not None:
        columns = [c for c in wanted if c in columns or not rows]
    return columns, {row[key]: row for row in rows}


def _builtin_rows(content: Content, name: str, lang: str) -> list[dict[str, Any]]:
    """A built-in dataset's rows: its table rows, or (sources, regions, metrics) its
    records' plain fields, text in `lang`."""
    from ..tables import ROW_BUILDERS, dataset_rows

    if name in ROW_BUILDERS:
        return dataset_rows(content, name, lang)

    def make() -> list[dict[str, Any]]:
        return [
            {k: _plain(v, lang) for k, v in record if _is_plain(v)}
            for record in content.datasets[name]
            if record is not None
        ]

    return content.derived((f"declared-target:{name}", lang), make)


def _is_plain(value: Any) -> bool:
    return isinstance(value, Localised) or not isinstance(value, (BaseModel, list, dict))


def _plain(value: Any, lang: str) -> Any:
    return text(value, lang) if isinstance(value, Localised) else value
