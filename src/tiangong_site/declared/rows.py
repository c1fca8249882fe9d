"""Rows of a declared dataset: one flat dict per record, in one language, made once per
language per build (through Content.derived) for charts, tables and downloads.

Naming: each field's value under its name (localised text in the row's language); an enum
with labels adds NAME_name (its label); a foreign key field F naming one record adds F_COL
for each column COL of that record's row (one level: the referenced rows' own references are
not followed), so `team` naming a team adds `team_name`; a date with a `precision`
adds NAME_name (the date in words); with uncertainty, each status field S, S_name (the
status in words), and `uncertain`. One convention for every derived
column, so a chart or template reads `kind_name` whatever made it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel

from ..content import Content
from ..models import Localised, text
from .measures import UnitSpec, measure_text, period_columns, shown_value
from .spec import FieldSpec, LookupSpec


def declared_rows(content: Content, name: str, lang: str) -> list[dict[str, Any]]:
    """The rows of declared dataset `name` in `lang` (computed once per content)."""
    return content.derived((f"rows:{name}", lang), lambda: _rows(content, name, lang))


def row_of(content: Content, name: str, record: Any, lang: str) -> dict[str, Any]:
    """The row of one record of declared dataset `name`, in `lang`, as its rows have it:
    for a page that shows one record's value as the charts and downloads do. Made for that
    record alone, so the page depends on that record, not on every record of the dataset."""
    resource = content.package.resources[name]
    index = content.position(name, record)
    row = _record_row(content, resource, _Measured(content, resource, lang), record, index, lang)
    return _extended(content, resource, [row], lang)[0]


def _rows(content: Content, name: str, lang: str) -> list[dict[str, Any]]:
    resource = content.package.resources[name]
    return _extended(content, resource, _base_rows(content, name, lang), lang)


def _extended(
    content: Content, resource: Any, base: list[dict[str, Any]], lang: str
) -> list[dict[str, Any]]:
    """Base rows with the columns of the records they name, and their lookups."""
    joins = [
        (
            resource.rename.get(field, field),
            *_target(content, target, lang, resource.joins.get(field)),
        )
        for field, (target, _) in resource.foreign_keys.items()
        if not resource.field(field).type == "list"
    ]
    rows = _joined(base, joins) if joins else base
    for lookup in resource.lookups:
        rows = _looked_up(rows, lookup, content, lang)
    return rows


def _joined(base: list[dict[str, Any]], joins: list[Any]) -> list[dict[str, Any]]:
    rows = []
    for row in base:
        added = {}
        for field, columns, by_key in joins:
            found = by_key.get(row[field]) if row[field] is not None else None
            added[field] = {f"{field}_{c}": found.get(c) if found else None for c in columns}
        joined: dict[str, Any] = {}
        for key, value in row.items():  # team_name next to team, as a reader reads it
            joined[key] = value
            joined.update(added.get(key, ()))
        rows.append(joined)
    return rows


def _looked_up(
    rows: list[dict[str, Any]], lookup: LookupSpec, content: Content, lang: str
) -> list[dict[str, Any]]:
    """`rows`, each with NAME_VALUE for each value of the looked-up dataset's `by` column:
    the `value` of the last of its rows that matches (`missing` if none does)."""
    found, ordered = content.derived(
        (f"declared-lookup:{lookup.resource}", lang, lookup.by, lookup.value, *lookup.on.values()),
        lambda: _lookup_table(content, lookup, lang),
    )
    out = []
    for row in rows:
        matched = found.get(tuple(row.get(c) for c in lookup.on), {})
        extra = {f"{lookup.name}_{v}": matched.get(v, lookup.missing) for v in ordered}
        out.append({**row, **extra})
    return out


def _lookup_table(
    content: Content, lookup: LookupSpec, lang: str
) -> tuple[dict[tuple, dict[Any, Any]], list[Any]]:
    """The looked-up dataset's `value` by its `on` columns and `by`, and the `by` values in
    order: made once per build, not again for each figure a page quotes (`row_of`)."""
    from ..tables import dataset_rows

    theirs = dataset_rows(content, lookup.resource, lang)
    found: dict[tuple, dict[Any, Any]] = {}
    for other in theirs:
        key = tuple(other.get(c) for c in lookup.on.values())
        found.setdefault(key, {})[other.get(lookup.by)] = other.get(lookup.value)
    values = {other.get(lookup.by) for other in theirs} - {None, ""}
    try:
        ordered = sorted(values)
    except TypeError:  # numbers and words in one column: order them as text
        ordered = sorted(values, key=str)
    return found, ordered


def _base_rows(content: Content, name: str, lang: str) -> list[dict[str, Any]]:
    """A dataset's rows without the columns of the records it names."""

    def make() -> list[dict[str, Any]]:
        resource = content.package.resources[name]
        measured = _Measured(content, resource, lang)
        rows = [
            _record_row(content, resource, measured, record, i, lang)
            for i, record in enumerate(content.datasets[name])
            if record is not None
        ]
        return sorted_rows(rows, _sort_column(resource))

    return content.derived((f"declared-base:{name}", lang), make)


def _record_row(
    content: Content, resource: Any, measured: _Measured, record: Any, index: int, lang: str
) -> dict[str, Any]:
    """One record's row without the columns of the records it names."""
    row = _row(record, resource.fields, lang, lambda f: measured(f, record, index))
    if resource.statuses:
        row.update(_status(record, resource.statuses, lang))
    row["_index"] = index  # the record's place in its file
    return _renamed(row, resource.rename)


def _renamed(row: dict[str, Any], rename: dict[str, str]) -> dict[str, Any]:
    return {rename.get(k, k): v for k, v in row.items()} if rename else row


def _sort_column(resource: Any) -> str | None:
    """The column rows are sorted by: a period field's by its time order (`_sort`)."""
    sort = resource.sort
    if sort and resource.field(sort.removeprefix("-")).type == "period":
        return sort[: sort.startswith("-")] + "_sort"
    return sort


MEASURE_COLUMNS = ("unit", "text", "as_printed", "unit_as_printed")
"""What a measured value NAME adds to the rows, each as NAME_COLUMN."""


class _Measured:
    """The columns of a record's measured values (fields with `measure:`), in one language."""

    def __init__(self, content: Content, resource: Any, lang: str) -> None:
        self.content, self.resource, self.lang = content, resource, lang
        self.package = content.package
        loaded = content.files.get(resource.name)
        self.decimals = loaded.decimals if loaded is not None else {}

    def __call__(self, field: FieldSpec, record: Any, index: int) -> dict[str, Any]:
        measure, lang = field.measure, self.lang
        if measure is None:
            return {}
        value, unit = getattr(record, field.name), self._unit(measure.unit, record)
        word = getattr(record, measure.qualifier, None) if measure.qualifier else None
        qualifier = self.package.qualifiers.get(word) if word is not None else None
        decimals = self.decimals.get((index, field.name))
        derived = getattr(record, "status", None) == "derived"  # never printed anywhere
        return {
            field.name: shown_value(value, unit, lang),
            f"{field.name}_unit": text(unit.label, lang) if unit is not None else "",
            f"{field.name}_text": measure_text(value, unit, qualifier, lang, decimals),
            f"{field.name}_as_printed": None if derived else value,
            f"{field.name}_unit_as_printed": unit.printed if unit is not None else "",
            # for a chart's table and downloads (charts.py); never downloaded with the rows
            f"_{field.name}_qualifier": measure.qualifier,
            f"_{field.name}_qualified": text(qualifier, lang) if qualifier is not None else None,
        }

    def _unit(self, spec: str, record: Any) -> UnitSpec | None:
        """The package's unit `spec` names, or that the record named by FIELD gives."""
        via, dot, column = spec.partition(".")
        if not dot:
            return self.package.units.get(spec)
        target = self.resource.foreign_keys[via][0]
        named = self.content.index(target).get(getattr(record, via))
        return self.package.units.get(getattr(named, column, None))


def _status(record: Any, statuses: tuple[str, ...], lang: str) -> dict[str, Any]:
    from ..tables import label

    found: dict[str, Any] = {}
    for name in statuses:
        found[name] = getattr(record, name)
        found[f"{name}_name"] = label(f"status-{found[name]}", lang)
    found["uncertain"] = text(record.uncertain, lang) if record.uncertain is not None else None
    return found


def _row(
    record: Any,
    fields: list[FieldSpec],
    lang: str,
    measured: Callable[[FieldSpec], dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The row of a record (a records.Record), or of an item of an `array` (a dict)."""
    item = isinstance(record, dict)
    row: dict[str, Any] = {}
    for field in fields:
        value = record.get(field.name) if item else getattr(record, field.name)
        if field.type == "period":
            row.update(period_columns(field.name, value, lang))
            row.setdefault("_sort", value.sort_key if value is not None else None)
            continue
        row[field.name] = _value(value, field, lang)
        if field.measure is not None and measured is not None:
            row.update(measured(field))
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
    rows by key: made once per build, not again for each figure a page quotes (`row_of`)."""
    chosen = ("all",) if wanted is None else ("only", *wanted)
    return content.derived(
        (f"declared-join:{target}", lang, *chosen),
        lambda: _target_made(content, target, lang, wanted),
    )


def _target_made(
    content: Content, target: str, lang: str, wanted: list[str] | None
) -> tuple[list[str], dict[Any, dict[str, Any]]]:
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
    """A built-in dataset's rows: its table rows, or (one without table rows) its
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
