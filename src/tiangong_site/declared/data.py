"""Data files of declared datasets: YAML, CSV and JSON, each mistake at file:line:col.

Fast for bulk data: JSON is parsed by `json.loads` and CSV by `csv`, and one pydantic-core
validator validates a whole file (core.py). Where each value stands in the text is worked out only
when there is a mistake to report (a second pass over the text), so good data costs no
position objects at all.
"""

from __future__ import annotations

import bisect
import csv
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic_core import SchemaValidator

from ..cjk import LazyPattern
from ..content import close_matches, pydantic_problems
from ..errors import ContentError, Problem
from ..limits import MAX_TABLE_BYTES, read_text
from ..loader import LoadedFile, PathKey, Position, load_yaml_file
from .checks import item_type
from .spec import FieldSpec

LIST_SEPARATOR = ";"
"""Between the items of a list in a CSV cell: `a; b; c`."""


@dataclass
class TableFile(LoadedFile):
    """A CSV or JSON data file. `scan` finds every value's position in the text: called the
    first time a problem needs one."""

    scan: Callable[[], dict[PathKey, Position]] | None = None

    def position(self, key: PathKey) -> Position:
        if self.scan is not None:
            self.positions, self.scan = self.scan(), None
        return super().position(key)


# --- JSON -------------------------------------------------------------------------------


class _Constant:
    """NaN or Infinity in a JSON file: not JSON, and no number a reader can be shown."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


class _Duplicate(Exception):
    """A key given twice in one JSON object (json.loads would keep the last silently)."""


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # A C call and a length test per object: about 30 % more than json.loads alone (26 ms
    # of processor time on 10,000 records of 10 rows), and the file need not be read twice.
    made = dict(pairs)
    if len(made) != len(pairs):
        raise _Duplicate
    return made


def read_json(path: Path, shown: str) -> TableFile:
    text = read_text(path, shown, MAX_TABLE_BYTES)
    try:
        data = json.loads(text, parse_constant=_Constant, object_pairs_hook=_unique_keys)
    except _Duplicate:
        raise ContentError(duplicate_keys(text, shown)) from None
    except json.JSONDecodeError as exc:
        problem = Problem(
            shown,
            exc.lineno,
            exc.colno,
            f"malformed JSON: {exc.msg}",
            "check the brackets, commas and quotes here and just before",
        )
        raise ContentError([problem]) from None
    except RecursionError:
        problem = Problem(
            shown,
            1,
            1,
            "lists and objects are nested too deep",
            "records are a few levels deep: check the brackets",
        )
        raise ContentError([problem]) from None
    # The text is read again for positions rather than kept (5 MiB for 10,000 records):
    # a message reads where the value stands in the file as it is now.
    return TableFile(shown, data, scan=lambda: _positions(path, shown, json_positions))


def _positions(
    path: Path, shown: str, scan: Callable[[str], dict[PathKey, Position]]
) -> dict[PathKey, Position]:
    """`scan` of the file's text, read again (none if it is gone, or no longer valid)."""
    try:
        return scan(read_text(path, shown, MAX_TABLE_BYTES))
    except (ContentError, ValueError, IndexError):
        return {}


_SPACE = LazyPattern(r"[ \t\n\r]*")
_SCALAR_END = LazyPattern(r"-?(?:Infinity|[0-9.eE+-]+)|true|false|null|NaN")


def _line_starts(text: str) -> list[int]:
    return [0, *(m.end() for m in re.finditer("\n", text))]


def duplicate_keys(text: str, shown: str) -> list[Problem]:
    """A problem at each key a JSON object gives twice, at the second; `text` is valid JSON."""
    repeats: list[tuple[str, Position]] = []
    json_positions(text, repeats)
    hint = "keep one of the two"
    return [
        Problem(shown, line, col, f"'{key}' is given twice in this record", hint)
        for key, (line, col) in repeats
    ]


def json_positions(
    text: str, repeats: list[tuple[str, Position]] | None = None
) -> dict[PathKey, Position]:
    """(line, column) of every value of a valid JSON text, by key path; for a member of an
    object, of its key (as the YAML loader gives). Iterative: no depth limit. A key an
    object gives twice is added to `repeats`, at the second."""
    starts, positions = _line_starts(text), {}

    def at(offset: int) -> Position:
        line = bisect.bisect_right(starts, offset)
        return line, offset - starts[line - 1] + 1

    def member(path: PathKey, i: int) -> tuple[PathKey, int]:
        key, end = json.decoder.scanstring(text, i + 1)  # type: ignore[attr-defined]
        if repeats is not None and path + (key,) in positions:
            repeats.append((key, at(i)))
        positions[path + (key,)] = at(i)
        return path + (key,), _SPACE.match(text, _SPACE.match(text, end).end() + 1).end()

    stack: list[list[Any]] = []  # [path, is an object, items so far]
    path: PathKey = ()
    i = _SPACE.match(text).end()
    while True:
        positions.setdefault(path, at(i))
        if text[i] in "{[":
            opened, i = text[i] == "{", _SPACE.match(text, i + 1).end()
            if text[i] not in "}]":
                stack.append([path, opened, 0])
                path, i = member(path, i) if opened else (path + (0,), i)
                continue
            i += 1
        elif text[i] == '"':
            i = json.decoder.scanstring(text, i + 1)[1]  # type: ignore[attr-defined]
        else:
            i = _SCALAR_END.match(text, i).end()
        while True:  # after a value: the next member or item, or close the container
            i = _SPACE.match(text, i).end()
            if not stack:
                return positions
            frame = stack[-1]
            if text[i] == ",":
                i, frame[2] = _SPACE.match(text, i + 1).end(), frame[2] + 1
                path, i = member(frame[0], i) if frame[1] else (frame[0] + (frame[2],), i)
                break
            stack.pop()
            i += 1


# --- CSV --------------------------------------------------------------------------------


def csv_cells(text: str) -> list[list[Position]]:
    """The (line, column) of every cell of every record of a CSV text, as `csv` splits it
    (a quoted cell may hold commas, doubled quotes and line breaks); [] for a blank line."""
    records: list[list[Position]] = []
    cells: list[Position] = []
    line, col, i, n = 1, 1, 0, len(text)
    start, quoted = (1, 1), False
    while i < n:
        ch, step = text[i], 1
        if quoted:
            if ch == '"' and text.startswith('""', i):
                step = 2
            elif ch == '"':
                quoted = False
            elif ch == "\n":
                i, line, col = i + 1, line + 1, 1
                continue
        elif ch == '"':
            quoted = True
        elif ch == ",":
            cells.append(start)
            start = (line, col + 1)
        elif ch in "\r\n":
            blank = not cells and start == (line, col)
            records.append([] if blank else [*cells, start])
            cells = []
            i += 2 if text.startswith("\r\n", i) else 1
            line, col = line + 1, 1
            start = (line, 1)
            continue
        i, col = i + step, col + step
    if n and text[-1] not in "\r\n":
        records.append([*cells, start])
    return records


@dataclass(frozen=True)
class Column:
    """What one column of a CSV file holds: a field, in one language if it is localised."""

    field: FieldSpec
    lang: str | None = None


_INTEGER = LazyPattern(r"[+-]?[0-9]+")
_NUMBER = LazyPattern(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def _value(cell: str, kind: str) -> Any:
    """A cell as the declared type, or the cell itself, which validation then refuses with
    a hint (a number written 1,234 or 9.8%)."""
    if kind in ("integer", "year") and _INTEGER.fullmatch(cell):
        return int(cell)
    if kind == "number" and _NUMBER.fullmatch(cell):
        return float(cell)
    if kind == "boolean" and cell.lower() in ("true", "false"):
        return cell.lower() == "true"
    return cell


def _cell(cell: str, field: FieldSpec) -> Any:
    if field.type == "list":
        kind = item_type(field)
        items = (item.strip() for item in cell.split(LIST_SEPARATOR))
        return [_value(item, kind) for item in items if item]
    return _value(cell, field.type)


def read_csv(path: Path, shown: str, fields: list[FieldSpec], languages: list[str]) -> TableFile:
    """Records of a CSV file: one column per field (NAME.LANG per language for localised
    text), an empty cell for no value."""
    text = read_text(path, shown, MAX_TABLE_BYTES)
    rows = csv.reader(io.StringIO(text, newline=""))
    header = next(rows, [])
    columns, problems = header_columns(header, fields, languages)
    file = TableFile(shown, None)
    if problems:
        cells = csv_cells(text)
        raise ContentError([_at_cell(file, cells, 0, k, *p) for k, p in problems])
    records: list[dict[str, Any]] = []
    too_long: list[tuple[int, int]] = []
    for number, cells in enumerate(rows, start=1):
        if not cells:
            continue  # a blank line
        if len(cells) > len(columns):
            too_long.append((number, len(cells)))
        record: dict[str, Any] = {}
        for column, cell in zip(columns, cells, strict=False):
            if cell == "":
                continue
            if column.lang is None:
                record[column.field.name] = _cell(cell, column.field)
                if column.field.type == "number" and "." in cell and "e" not in cell.lower():
                    # 7.0 keeps its place, which the float drops (LoadedFile.decimals)
                    file.decimals[(len(records), column.field.name)] = len(cell.split(".")[1])
            else:
                record.setdefault(column.field.name, {})[column.lang] = cell
        records.append(record)
    file.data = records
    file.scan = lambda: _positions(path, shown, lambda text: _csv_positions(text, columns))
    if too_long:
        cells = csv_cells(text)
        message = "this row has {} cells, the header {} columns".format
        hint = "remove the extra cells, or put a text that holds a comma in double quotes"
        raise ContentError(
            [
                _at_cell(file, cells, row, len(columns), message(n, len(columns)), hint)
                for row, n in too_long
            ]
        )
    return file


def header_columns(
    header: list[str], fields: list[FieldSpec], languages: list[str]
) -> tuple[list[Column], list[tuple[int, tuple[str, str]]]]:
    """Each header cell's column, and problems (cell index, (message, hint))."""
    expected: dict[str, Column] = {}
    for field in fields:
        if field.localised:
            expected.update({f"{field.name}.{lang}": Column(field, lang) for lang in languages})
        if not field.localised or len(languages) == 1:
            expected[field.name] = Column(field)
    columns, problems, seen = [], [], set()
    for k, name in enumerate(header):
        name = name.strip()
        column = expected.get(name)
        if column is None:
            close = close_matches(name, list(expected))
            hint = f"did you mean '{close[0]}'?" if close else "columns: " + ", ".join(expected)
            problems.append((k, (f"unknown column '{name}'", hint)))
            column = Column(FieldSpec(name="_"))
        elif name in seen:
            problems.append((k, (f"column '{name}' is given twice", "delete one of the two")))
        seen.add(name)
        columns.append(column)
    problems += [(0, p) for p in _missing_columns(seen, fields, languages)]
    return columns, problems


def _missing_columns(
    seen: set[str], fields: list[FieldSpec], languages: list[str]
) -> list[tuple[str, str]]:
    missing = []
    for field in fields:
        names = [f"{field.name}.{lang}" for lang in languages] if field.localised else []
        given = [n for n in names if n in seen]
        if field.name in seen or (given and len(given) == len(names)):
            continue
        if given:
            lacking = ", ".join(n for n in names if n not in seen)
            missing.append(
                (
                    f"no column {lacking} for the text of '{field.name}'",
                    f"add {lacking} to the header row",
                )
            )
        elif field.constraints.required:
            wanted = " and ".join(names) if len(languages) > 1 and names else field.name
            missing.append(
                (
                    f"no column for the required field '{field.name}'",
                    f"add {wanted} to the header row",
                )
            )
    return missing


def _at_cell(
    file: TableFile, cells: list[list[Position]], row: int, k: int, message: str, hint: str
) -> Problem:
    line, col = cells[row][k] if row < len(cells) and k < len(cells[row]) else (1, 1)
    return Problem(file.path, line, col, message, hint)


def _csv_positions(text: str, columns: list[Column]) -> dict[PathKey, Position]:
    """Positions of a CSV file's values by key path: (record, field) at its cell, and
    (record, field, lang) for localised text."""
    positions: dict[PathKey, Position] = {}
    index = 0
    for cells in csv_cells(text)[1:]:
        if not cells:
            continue
        positions[(index,)] = cells[0]
        for column, cell in zip(columns, cells, strict=False):
            key = (index, column.field.name)
            if column.lang is not None:
                positions[key + (column.lang,)] = cell
            positions.setdefault(key, cell)
        index += 1
    return positions


# --- all formats ---------------------------------------------------------------------------


def read_yaml(path: Path, shown: str) -> LoadedFile:
    return load_yaml_file(path, shown)


CHUNK = 1000
"""Records validated at a time: the decoded file's records are let go chunk by chunk as
their validated records are made, so both are never held whole (20 MiB at 10,000)."""


def validate(
    loaded: LoadedFile,
    adapter: TypeAdapter[Any] | SchemaValidator,
    problems: list[Problem],
    one: Callable[[], tuple[type[BaseModel], TypeAdapter[Any]]],
) -> list[Any]:
    """The records of a data file, validated by `adapter` (a list of them) a chunk at a time;
    on a mistake, every problem located, one record at a time by what `one` gives: the model
    whose fields the messages name and the adapter of one record (made only then: a file
    without mistakes never needs them), and the good records kept (None for the others).
    Good data is dropped once validated: the records hold it."""
    data = loaded.data
    if data is None:
        return []
    if not isinstance(data, list):
        problems.append(
            loaded.problem(
                (),
                "this file must be a list of records",
                "write records in [...] (JSON) or as `- ` items (YAML)",
            )
        )
        return []  # its data kept: no id in it is known, so nothing naming one is refused
    records: list[Any] = []
    for start in range(0, len(data), CHUNK):
        try:
            records += adapter.validate_python(data[start : start + CHUNK])
        except ValidationError:
            model, each = one()
            return records + _each(loaded, data, start, model, each, problems)
        data[start : start + CHUNK] = [None] * len(data[start : start + CHUNK])
    loaded.data = None
    return records


def _each(
    loaded: LoadedFile,
    data: list[Any],
    start: int,
    model: type[BaseModel],
    one: TypeAdapter[Any],
    problems: list[Problem],
) -> list[Any]:
    """Records from `start` on, validated one by one: None for each with a mistake, and its
    problems, at the record's place in the file."""
    records = []
    for i in range(start, len(data)):
        try:
            records.append(one.validate_python(data[i]))
        except ValidationError as exc:
            problems.extend(pydantic_problems(exc, loaded, model, prefix=(i,)))
            records.append(None)
    return records
