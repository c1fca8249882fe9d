"""Two field types of declared datasets for numbers as sources print them (docs/editing.md,
"Periods and measured values"):

- `type: period`: the span a value covers, `{kind: year|half-year|quarter|year-to-date,
  year, part, through_month, undated}`. Half-years and quarters are never mixed up with
  whole years; an undated value's year only files it and is never shown.
- `measure:` on a number field: its unit (one of the package's `units:`, or the unit the
  record a foreign key names gives), the qualifier it is printed with ("over 140"), and the
  decimals the data file writes it with, so 7.0 stays 7.0.

Nothing here knows a story: the units and qualifier words are the project's.
"""

from __future__ import annotations

import math
from typing import Any, Literal

from pydantic import Field, model_validator

from .. import i18n
from ..i18n import N_, gettext
from ..languages import language
from ..models import LocalText, Strict, text

PERIOD_WORDS = {
    "year": N_("Whole year"),
    "half-year": N_("Half-year"),
    "quarter": N_("Quarter"),
    "year-to-date": N_("Year to date"),
    "undated": N_("date not given"),
}
"""A period's kind in words, in English; other languages from their catalogue."""


class Period(Strict):
    """The span a value covers. Half-years and quarters are never mixed up with whole years."""

    kind: Literal["year", "half-year", "quarter", "year-to-date"] = Field(
        description="year, half-year, quarter or year-to-date (Jan to `through_month`).",
    )
    year: int = Field(description="The calendar year the value covers.", ge=1949, le=2100)
    part: int | None = Field(
        default=None, ge=1, le=4, description="1 or 2 for a half-year, 1-4 for a quarter."
    )
    through_month: int | None = Field(
        default=None, ge=1, le=12, description="Last month of a year-to-date value."
    )
    undated: bool = Field(
        default=False,
        description="true when the source gives no date: `year` then only files the value "
        "(for sorting) and is never printed; pages and downloads say 'date not given'.",
    )

    @model_validator(mode="after")
    def _consistent(self) -> Period:
        if self.kind == "half-year" and self.part not in (1, 2):
            raise ValueError("a half-year needs `part: 1` or `part: 2`")
        if self.kind == "quarter" and self.part is None:
            raise ValueError("a quarter needs `part: 1` to `part: 4`")
        if self.kind == "year-to-date" and self.through_month is None:
            raise ValueError("a year-to-date figure needs `through_month: 1` to `12`")
        if self.kind == "year" and (self.part or self.through_month):
            raise ValueError("a whole year takes neither `part` nor `through_month`")
        if self.undated and self.kind != "year":
            raise ValueError("an undated figure has no part of a year: use `kind: year`")
        return self

    @property
    def end_month(self) -> int:
        if self.kind == "half-year":
            return 6 * (self.part or 1)
        if self.kind == "quarter":
            return 3 * (self.part or 1)
        if self.kind == "year-to-date":
            return self.through_month or 12
        return 12

    @property
    def start_month(self) -> int:
        if self.kind == "half-year":
            return 6 * (self.part or 1) - 5
        if self.kind == "quarter":
            return 3 * (self.part or 1) - 2
        return 1

    @property
    def midpoint(self) -> str:
        """The middle of the span as a date, where a chart on a time axis places the value
        (a whole year at the start of July, the first half of a year at the start of April)."""
        months = self.start_month - 1 + (self.end_month - self.start_month + 1) / 2
        month, fraction = int(months) + 1, months % 1
        return f"{self.year}-{month:02d}-{1 + int(fraction * 30):02d}"

    @property
    def sort_key(self) -> tuple[int, int, int]:
        """Time order; a whole year after its parts, a year-to-date total after its quarter."""
        return (self.year, self.end_month, {"year": 3, "year-to-date": 2}.get(self.kind, 1))


def period_label(period: Period, lang: str = "en") -> str:
    """'2023', 'H1 2023', 'Q1–Q3 2022', 'Jan–Nov 2025'; '2023年上半年', '2025年1—11月'.
    An undated value's year is only where it is filed, so it is never shown."""
    if period.undated:
        return gettext(lang, PERIOD_WORDS["undated"])
    return i18n.period(period.kind, period.year, period.part, period.through_month, lang)


def period_columns(name: str, period: Period | None, lang: str) -> dict[str, Any]:
    """A period field's columns in a row: NAME (in words), NAME_mid (the middle of the span,
    for a time axis), NAME_kind and NAME_kind_name, NAME_year. An undated value has no year,
    no middle and the kind `undated`."""
    if period is None:
        return dict.fromkeys((name, *(f"{name}_{c}" for c in PERIOD_COLUMNS)))
    kind = "undated" if period.undated else period.kind
    return {
        name: period_label(period, lang),
        f"{name}_mid": "" if period.undated else period.midpoint,
        f"{name}_kind": kind,
        f"{name}_kind_name": gettext(lang, PERIOD_WORDS[kind]),
        f"{name}_year": "" if period.undated else period.year,
    }


PERIOD_COLUMNS = ("mid", "kind", "kind_name", "year")
"""What a period field NAME adds to the rows, each as NAME_COLUMN."""


# --- measured values ------------------------------------------------------------------------


class UnitSpec(Strict):
    """One unit of the package's `units:`: how a number in it is written for readers."""

    text: LocalText = Field(
        default="{}",
        description="A number in this unit as readers read it, `{}` standing for the number: "
        '`"{}%"`, `{en: "{} bn yuan", zh: "{}亿元"}`.',
    )
    label: LocalText = Field(
        default="", description="The unit's name, for a column of its own (`%`, `bn yuan`)."
    )
    scale: dict[str, float] = Field(
        default_factory=dict,
        description="Per language, what the number is multiplied by for readers: `{en: 0.1}` "
        "shows 100-million yuan as billions in English. 1 for a language not listed.",
    )
    printed: str = Field(
        default="",
        description="The unit as the sources print it, for the downloads (亿元).",
    )


def unit_scale(unit: UnitSpec | None, lang: str) -> float:
    return unit.scale.get(lang, 1.0) if unit is not None else 1.0


def shown_value(value: float | None, unit: UnitSpec | None, lang: str) -> float | None:
    """The value in the unit the reader is shown (100-million yuan as billions in English)."""
    if value is None:
        return None
    scale = unit_scale(unit, lang)
    return value if scale == 1 else round(value * scale, 4)


def measure_text(
    value: float | None,
    unit: UnitSpec | None,
    qualifier: LocalText | None,
    lang: str,
    decimals: int | None = None,
) -> str:
    """A value as a reader reads it: '10.8%', '215.5 bn yuan', 'over 140 bn yuan',
    '超过1400亿元'. `decimals`, the places the data file writes, keeps 7.0% from reading as
    7%; a scale that moves the point (0.1) adds as many places, two at most."""
    if value is None:
        return gettext(lang, N_("not known"))
    shown = shown_value(value, unit, lang)
    assert shown is not None
    places = _shown_decimals(decimals, unit_scale(unit, lang))
    number = padded(i18n.number(shown, lang), places, language(lang).decimal)
    body = text(unit.text, lang).replace("{}", number) if unit is not None else number
    return text(qualifier, lang).replace("{}", body) if qualifier is not None else body


def _shown_decimals(decimals: int | None, scale: float) -> int:
    if not decimals:
        return 0
    moved = max(0, round(-math.log10(scale))) if scale > 0 else 0
    return min(2, decimals + moved)


def padded(number: str, places: int, mark: str = ".") -> str:
    """'7' with one place is '7.0': the zeros a source prints, which a float drops (`mark`:
    the language's decimal mark)."""
    have = len(number.rsplit(mark, 1)[1]) if mark in number else 0
    if have >= places:
        return number
    return number + ("" if have else mark) + "0" * (places - have)
