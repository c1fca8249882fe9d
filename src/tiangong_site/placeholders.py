"""Numbers in a chart's words that come from its data: `{max(value) since 2022}` in a title is
filled at build time from the rows the chart plots, in each language's number format, so the
headline and the chart cannot disagree.

The syntax is small and closed (no expressions, nothing evaluated): inside `{…}`

    count                      how many rows the chart plots
    min(COL) max(COL) sum(COL) over the plotted rows, COL a numeric column (`value`, `count`…)
    first.COL  last.COL        the first or last plotted row's COL, in the chart's order
    … since YEAR / in YEAR / until YEAR
                               only rows of that year or later / that year / up to that year,
                               a row's year read from the chart's `year:` column, else its
                               dataset's only year, date or period field, else its x value
    … | words                  a whole number from 0 to 20 in words: "five", 五 (两 for 2)
    … | Words                  the same, capitalised in English: "Five"

A `%` typed by hand in a title or subtitle of a chart of rates must be one of the plotted
values: "9% to 11%" over points of 9.3% and 11.4% stops the build at the title's line.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from . import i18n
from .errors import Problem
from .models import Chart, Localised

PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
EXPRESSION = re.compile(
    r"""^\s*(?:
        (?P<count>count)
      | (?P<func>min|max|sum)\((?P<col>\w+)\)
      | (?P<end>first|last)\.(?P<endcol>\w+)
    )
    (?:\s+(?P<filter>since|in|until)\s+(?P<year>\d{4}))?
    (?:\s*\|\s*(?P<format>words|Words))?\s*$""",
    re.X,
)
FIELDS = ("title", "subtitle", "alt", "notes")
"""The words of a chart that may hold placeholders; only title and subtitle are checked for
hand-typed rates (notes may quote a target or a source's own rounding)."""
CHECKED = ("title", "subtitle")
TYPED_RATE = re.compile(r"(?<![\d.,])(\d+(?:\.\d+)?)\s*[%％]")
YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")
_EN = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen"
_EN += " fifteen sixteen seventeen eighteen nineteen twenty"
_ZH = list("〇一两三四五六七八九十") + [f"十{d}" for d in "一二三四五六七八九"] + ["二十"]
WORDS = {"en": _EN.split(), "zh": _ZH}
"""Whole numbers up to 20 in words, by language code (Chinese counts with 两 before a measure
word, as in 两座)."""
HINT = (
    "write `{min(COL)}`, `{max(COL)}`, `{sum(COL)}`, `{count}`, `{first.COL}` or `{last.COL}`, "
    "optionally followed by `since|in|until YEAR` and `| words` (docs/editing.md)"
)

Rows = Callable[[Chart, str], list[dict[str, Any]]]
Locate = Callable[[int, tuple, str, str], Problem]
Years = Callable[[Chart], Sequence[str]]
"""The columns a chart's rows give their year in, tried in order (charts.year_columns)."""


class PlaceholderError(ValueError):
    """A placeholder that cannot be filled: the message says why."""


def fill(
    words: str,
    rows: list[dict[str, Any]],
    spec: Chart,
    lang: str,
    years: Sequence[str] | None = None,
) -> str:
    """`words` with every placeholder replaced by its value from `rows`, written for `lang`;
    a row's year is read from the first of `years` that holds one (the chart's `year:`
    column, else its x, by default)."""
    columns = years if years is not None else (spec.year or spec.x,)
    return PLACEHOLDER.sub(lambda m: _value(m.group(1), rows, columns, lang), words)


def _value(expression: str, rows: list[dict[str, Any]], years: Sequence[str], lang: str) -> str:
    match = EXPRESSION.match(expression)
    if not match:
        raise PlaceholderError(f"`{{{expression}}}` is not a placeholder this build knows")
    chosen = _in_years(rows, years, match["filter"], match["year"])
    if not chosen:
        raise PlaceholderError(f"`{{{expression}}}`: no plotted row is {_span(match)}")
    if match["count"]:
        value: Any = len(chosen)
    elif match["end"]:
        value = _column(chosen, match["endcol"], expression)[0 if match["end"] == "first" else -1]
    else:
        numbers = _column(chosen, match["col"], expression)
        value = {"min": min, "max": max, "sum": sum}[match["func"]](numbers)
    return _written(value, lang, match["format"], expression)


def _span(match: re.Match[str]) -> str:
    return f"{match['filter']} {match['year']}" if match["filter"] else "plotted"


def _column(rows: list[dict[str, Any]], column: str, expression: str) -> list[float]:
    values = [row.get(column) for row in rows]
    if column not in rows[0]:
        raise PlaceholderError(f"`{{{expression}}}`: the chart's rows have no column '{column}'")
    numbers = [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
    if len(numbers) != len(values):
        raise PlaceholderError(
            f"`{{{expression}}}`: column '{column}' is not a number in every row"
        )
    return numbers


def row_year(row: dict[str, Any], columns: Sequence[str]) -> int | None:
    """The year a plotted row belongs to: that of the first of `columns` that holds one, a
    whole number (2024) or the first year in its text ('2024-05-20', 'May 2024')."""
    for key in columns:
        value = row.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        found = YEAR.search(str(value or ""))
        if found:
            return int(found.group(1))
    return None


def _in_years(
    rows: list[dict[str, Any]], years: Sequence[str], how: str | None, year: str | None
) -> list[dict[str, Any]]:
    if not how or year is None:
        return rows
    wanted = int(year)
    keep = {
        "since": lambda y: y >= wanted,
        "in": lambda y: y == wanted,
        "until": lambda y: y <= wanted,
    }[how]
    return [row for row in rows if (y := row_year(row, years)) is not None and keep(y)]


def _written(value: float, lang: str, form: str | None, expression: str) -> str:
    if form and lang in WORDS:  # a language without words for numbers writes digits
        words = WORDS[lang]
        if value != int(value) or not 0 <= value < len(words):
            raise PlaceholderError(f"`{{{expression}}}` is {value}: `| {form}` writes 0 to 20 only")
        word = words[int(value)]
        return word[:1].upper() + word[1:] if form == "Words" else word
    return i18n.number(value, lang)


def typed_rates(words: str, rows: list[dict[str, Any]], spec: Chart) -> list[str]:
    """Rates typed by hand in `words` (placeholders aside) that no plotted row has, e.g. the
    "11%" of "9% to 11%" when the chart's highest point is 11.4%."""
    rates = [r for r in rows if r.get("unit") == "%" and isinstance(r.get(spec.y), (int, float))]
    if not rates:
        return []
    plotted = {round(float(r[spec.y]), 6) for r in rates}
    typed = TYPED_RATE.findall(PLACEHOLDER.sub(" ", words))
    return [f"{t}%" for t in typed if round(float(t), 6) not in plotted]


def fill_charts(
    charts: list[Chart], languages: list[str], rows_of: Rows, problem_at: Locate, years: Years
) -> list[Problem]:
    """Fill the placeholders of every chart in place (each spec is replaced by a filled copy)
    and return the problems found: placeholders that cannot be filled, rates typed by hand
    that disagree with the data. `rows_of(spec, lang)` gives the rows a chart plots;
    `problem_at(index, key, message, hint)` locates a problem in charts.yaml; `years(spec)`
    names the columns its rows give their year in."""
    problems: list[Problem] = []
    for i, spec in enumerate(charts):
        if spec is None:
            continue
        update: dict[str, Any] = {}
        found: list[tuple[tuple, str, str]] = []
        columns = tuple(years(spec))
        for name in FIELDS:
            value = getattr(spec, name)
            if name == "notes":
                notes = [
                    _filled(v, spec, languages, rows_of, (name, n), columns)
                    for n, v in enumerate(value)
                ]
                update[name] = [note for note, _ in notes]
                found += [p for _, ps in notes for p in ps]
            elif value is not None:
                update[name], more = _filled(value, spec, languages, rows_of, (name,), columns)
                found += more
        problems += [problem_at(i, key, message, hint) for key, message, hint in found]
        charts[i] = spec.model_copy(update=update)
    return problems


def _filled(
    value: str | Localised,
    spec: Chart,
    languages: list[str],
    rows_of: Rows,
    key: tuple,
    years: Sequence[str],
) -> tuple[str | Localised, list[tuple[tuple, str, str]]]:
    """One text filled in each language, and its problems as (key, message, hint)."""
    found: list[tuple[tuple, str, str]] = []
    if isinstance(value, str):
        texts = {"en": value}
    else:
        texts = {lang: getattr(value, lang, None) for lang in languages}
    filled: dict[str, str] = {}
    for lang, words in texts.items():
        if not words:
            continue
        where = key if isinstance(value, str) else (*key, lang)
        rows = rows_of(spec, lang)
        try:
            filled[lang] = fill(words, rows, spec, lang, years)
        except PlaceholderError as exc:
            found.append((where, str(exc), HINT))
            continue
        typed = typed_rates(words, rows, spec) if key[0] in CHECKED else []
        if typed:
            values = sorted({r[spec.y] for r in rows if r.get("unit") == "%"})
            shown = [i18n.number(v, lang) + "%" for v in values]
            found.append(
                (
                    where,
                    f"the {key[0]} says {' and '.join(typed)}, but no point of this chart is "
                    f"{'either' if len(typed) > 1 else 'that'} (its points: {', '.join(shown)})",
                    "write the number as a placeholder the build fills from the data, "
                    "e.g. `{max(value) since 2022}%` (docs/editing.md)",
                )
            )
    if isinstance(value, str):
        return filled.get("en", value), found
    return value.model_copy(update=filled), found
