"""Records -> flat rows a reader can read: names resolved, periods labelled, units converted.

Charts, their HTML tables and their CSV/JSON downloads are all made from these
rows, so the three always show the same numbers.
"""

from __future__ import annotations

import json
from typing import Any

from . import i18n
from .content import Content
from .i18n import N_, gettext
from .languages import KNOWN, language
from .models import Period, text

LABELS: dict[str, str] = {
    "year": N_("Whole year"),
    "half-year": N_("Half-year"),
    "quarter": N_("Quarter"),
    "year-to-date": N_("Year to date"),
    "percent": "%",
    "100m-yuan": N_("bn yuan"),
    "count": "",
    "mu": N_("mu"),
    "not-known": N_("not known"),
    "undated": N_("date not given"),
    "uncertain-count": N_("uncertain: inferred or unconfirmed (see notes)"),
    "hatched": N_("Hatched: uncertain (see notes)"),
    "hollow": N_("Open circles: inferred or unconfirmed (see notes)"),
    "points": N_("percentage points"),
    "over": N_("over %s"),
    "about": N_("about %s"),
    "nearly": N_("nearly %s"),
    "at-least": N_("at least %s"),
    "rank-in-province": N_("%s in the province"),
    "status-reported": N_("reported"),
    "status-derived": N_("derived"),
    "status-inferred": N_("inferred"),
    "status-unknown": N_("unknown"),
    "status-conflicting": N_("sources conflict"),
    "status-marker": N_("%s: see note"),
    "source-official": N_("official"),
    "source-press": N_("press"),
    "source-mirror": N_("copy of an official page"),
    "source-secondary": N_("secondary source"),
    "source-article": N_("the starting article"),
    "in-en": N_("in English"),
    "in-zh": N_("in Chinese"),
}
"""Labels of the model's codes, in English; other languages come from their catalogue."""


UNITS_AS_PRINTED = {
    "percent": "%",
    "points": "percentage points",
    "100m-yuan": "亿元",
    "count": "",
    "mu": "亩",
    "rank": "",
}
"""Units as the (Chinese) sources print them, for the downloads."""

ZH_UNITS = {"100m-yuan": "亿元", "mu": "亩", "points": "个百分点"}
"""Chinese readers get the units the sources print: no conversion to billions."""


def label(key: str, lang: str = "en") -> str:
    message = LABELS.get(key, key)
    return gettext(lang, message) if message else ""


def ordinal(number: int, lang: str = "en") -> str:
    """'2nd' in English, '第2位' in Chinese."""
    if lang == "zh":
        return f"第{number}位"
    suffix = (
        "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    )
    return f"{number}{suffix}"


def period_label(period: Period, lang: str = "en") -> str:
    """'2023', 'H1 2023', 'Q1–Q3 2022', 'Jan–Nov 2025'; '2023年上半年', '2025年1—11月'.
    An undated figure's year is only where it is filed, so it is never shown."""
    if period.undated:
        return label("undated", lang)
    return i18n.period(period.kind, period.year, period.part, period.through_month, lang)


def display_value(value: float | None, unit: str, lang: str = "en") -> float | None:
    """The value in the unit the reader is shown: 亿元 become bn yuan in English, stay 亿元 in
    Chinese."""
    if value is None:
        return None
    if unit == "100m-yuan" and lang != "zh":
        return round(value / 10, 4)
    return value


def format_value(
    value: float | None,
    unit: str,
    qualifier: str = "exact",
    lang: str = "en",
    decimals: int | None = None,
) -> str:
    """A figure as a reader reads it: '10.8%', '215.5 bn yuan', '10,202 mu', 'over 140 bn yuan';
    in Chinese '2155亿元', '10202亩', '超过1400亿元'. `decimals`, the places the source prints,
    keeps a printed 7.0% from reading as 7%."""
    if value is None:
        return label("not-known", lang)
    shown = display_value(value, unit, lang)
    assert shown is not None
    places = _shown_decimals(decimals, unit, lang)
    number = _padded(i18n.number(shown, lang), places, language(lang).decimal)
    if unit == "percent":
        body = f"{number}%"
    elif lang == "zh" and unit in ZH_UNITS:
        body = f"{number}{ZH_UNITS[unit]}"
    elif unit in ("100m-yuan", "mu", "points"):
        body = f"{number} {label(unit, lang)}"
    else:
        body = number
    return qualified(body, qualifier, lang)


def _shown_decimals(decimals: int | None, unit: str, lang: str) -> int:
    """Places to show: as printed, one more where 亿元 become bn yuan (at most two)."""
    if not decimals:
        return 0
    return min(2, decimals + (1 if unit == "100m-yuan" and lang != "zh" else 0))


def _padded(number: str, places: int, mark: str = ".") -> str:
    """'7' with one place is '7.0': the zeros a source prints, which a float drops (`mark`:
    the language's decimal mark)."""
    have = len(number.rsplit(mark, 1)[1]) if mark in number else 0
    if have >= places:
        return number
    return number + ("" if have else mark) + "0" * (places - have)


def qualified(body: str, qualifier: str, lang: str = "en") -> str:
    """'over 140 bn yuan', '近5000亩': the qualifier in words around a formatted number."""
    if qualifier in QUALIFIER_WORDS:
        return label(qualifier, lang) % body
    return body


QUALIFIER_WORDS = ("over", "about", "nearly", "at-least")


def download_value(value: Any) -> Any:
    """A value as the downloads write it: a whole number stays whole (5000, not 5000.0)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


STATUSES = ("reported", "derived", "inferred", "unknown", "conflicting")


def weakest_status(row: dict[str, Any]) -> str:
    """The first of a row's statuses that is not `reported` (a record may have several:
    `status`, then each NAME_status a declaration adds): what a chart marks and a table
    flags."""
    for key, value in row.items():
        if (key == "status" or key.endswith("_status")) and value in STATUSES[1:]:
            return str(value)
    return "reported"


def _region_name(content: Content, region_id: str | None, lang: str) -> str:
    if region_id is None:
        return ""
    region = content.index("regions").get(region_id)
    return text(region.name, lang) if region else region_id


def _wins(content: Content) -> dict[str, dict[int, str]]:
    """The status of each region's win at each ceremony it is recorded as winning."""
    wins: dict[str, dict[int, str]] = {}
    for award in content.datasets.get("awards", []):  # declared by the project, if at all
        wins.setdefault(award.region, {})[award.ceremony_year] = award.status
    return wins


def _won(wins: dict[int, str], year: int) -> str:
    """`won_YEAR` of a figure's region: the win's status, or `unknown` when no record names
    the region, since no full list of winners was found for any year: never false."""
    return wins.get(year, "unknown")


def _status(record: Any, lang: str) -> dict[str, str]:
    """A record's status, as a code and in words, and the note that explains it."""
    return {
        "status": record.status,
        "status_name": label(f"status-{record.status}", lang),
        "uncertain": text(record.uncertain, lang),
    }


def figure_rows(content: Content, lang: str = "en") -> list[dict[str, Any]]:
    metrics = content.index("metrics")
    wins = _wins(content)
    ceremonies = sorted({a.ceremony_year for a in content.datasets.get("awards", [])})
    rows = []
    for fig in content.datasets["figures"]:
        metric = metrics[fig.metric]
        won = {f"won_{year}": _won(wins.get(fig.region, {}), year) for year in ceremonies}
        rows.append(
            {
                **won,
                "id": fig.id or "",
                "metric": fig.metric,
                "metric_name": text(metric.name, lang),
                "region": fig.region,
                "region_name": _region_name(content, fig.region, lang),
                "cluster": fig.cluster or "",
                "period": period_label(fig.period, lang),
                # An undated figure's filing year is no fact: no year, no place on a time axis.
                "period_mid": "" if fig.period.undated else fig.period.midpoint,
                "period_kind": "undated" if fig.period.undated else fig.period.kind,
                "period_kind_name": label(
                    "undated" if fig.period.undated else fig.period.kind, lang
                ),
                "year": "" if fig.period.undated else fig.period.year,
                "value": display_value(fig.value, metric.unit, lang),
                "unit": label(metric.unit, lang),
                "value_text": format_value(
                    fig.value, metric.unit, fig.qualifier, lang, fig.decimals
                ),
                # A derived figure was never printed: no source value to give.
                "value_as_printed": None if fig.status == "derived" else fig.value,
                "unit_as_printed": UNITS_AS_PRINTED[metric.unit],
                "qualifier": fig.qualifier,
                "rank": fig.rank if fig.rank is not None else "",
                **_status(fig, lang),
                "note": text(fig.note, lang),
                "source": fig.source,
                "_sort": fig.period.sort_key,
            }
        )
    return rows


ROW_BUILDERS = {
    "figures": figure_rows,
}


def dataset_rows(content: Content, dataset: str, lang: str = "en") -> list[dict[str, Any]]:
    """The rows of `dataset` in `lang`, made once per content and language: every chart of
    a dataset, the chart check and the downloads share them (a build made them 42 times).
    Shared, so never changed in place: a chart that adds a column makes new rows.
    A dataset declared in content/datapackage.yaml has its rows from declared.rows."""
    if dataset not in ROW_BUILDERS:
        from .declared.rows import declared_rows

        return declared_rows(content, dataset, lang)
    return content.derived((f"rows:{dataset}", lang), lambda: ROW_BUILDERS[dataset](content, lang))


def download_json(value: list[Any] | dict[str, Any]) -> str:
    """JSON for a download, one row per line: readable and diffable, and written by json's
    C encoder (`indent` falls back to the pure-Python one, which took 17 % of a build of
    10,000 records). A list breaks after each item; a mapping after each key, and a list of
    rows under a key after each row."""
    if isinstance(value, list):
        return "[\n" + ",\n".join(map(_compact, value)) + "\n]\n" if value else "[]\n"
    items = [f"{_compact(k)}: {_rows_or_compact(v)}" for k, v in value.items()]
    return "{\n" + ",\n".join(items) + "\n}\n"


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _rows_or_compact(value: Any) -> str:
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return download_json(value).rstrip("\n")
    return _compact(value)


def matches(row: dict[str, Any], where: dict[str, Any]) -> bool:
    for column, wanted in where.items():
        allowed = wanted if isinstance(wanted, list) else [wanted]
        if row.get(column) not in allowed:
            return False
    return True


DOWNLOAD_HEADERS: dict[str, str] = {
    "id": N_("ID"),
    "ceremony_year": N_("Ceremony year"),
    "ceremony": N_("Ceremony"),
    "evaluation_year": N_("Evaluation year"),
    "region": N_("Region code"),
    "region_name": N_("Region"),
    "region_parent": N_("Parent region code"),
    "parent": N_("Parent region code"),
    "tier": N_("Tier code"),
    "tier_name": N_("Tier"),
    "status": N_("Basis code"),
    "status_name": N_("Basis"),
    "standing": N_("Standing code"),
    "standing_name": N_("Standing"),
    "standing_status": N_("Basis of the standing (code)"),
    "golden": N_("Golden award"),
    "certain": N_("Certain"),
    "uncertain": N_("Uncertain"),
    "source": N_("Source ID"),
    "sources": N_("Source IDs"),
    "name": N_("Name"),
    "winners": N_("Winners a year"),
    "pool": N_("Competing"),
    "industry": N_("Industry"),
    "level": N_("Level code"),
    "level_name": N_("Level"),
    "year": N_("Year"),
    "sector": N_("Sector"),
    "date": N_("Date"),
    "title": N_("Title"),
    "kind": N_("Kind code"),
    "kind_name": N_("Kind"),
    "metric": N_("Measure code"),
    "metric_name": N_("Measure"),
    "cluster": N_("Cluster code"),
    "period": N_("Period"),
    "period_mid": N_("Middle of the period"),
    "period_kind": N_("Kind of period code"),
    "period_kind_name": N_("Kind of period"),
    "value": N_("Value"),
    "unit": N_("Unit"),
    "value_text": N_("Value as text"),
    "value_as_printed": N_("Value as printed"),
    "unit_as_printed": N_("Unit as printed"),
    "qualifier": N_("Qualifier code"),
    "rank": N_("Rank in province"),
    "description": N_("Description"),
    "mountainous": N_("Mountainous county"),
    "summary": N_("Summary"),
    "publisher": N_("Publisher"),
    "url": N_("Address"),
    "language": N_("Language code"),
    "note": N_("Notes"),
}
"""Column headers of the dataset downloads in other languages than English (the English
files keep the column keys, which the JSON files use in every language)."""


def download_header(key: str, lang: str) -> str:
    """A download's column header: the key in English, a translated name in other languages.
    An unknown key stays as it is, so the Chinese typography check names it."""
    if lang == i18n.SOURCE_LANGUAGE:
        return key
    won = key.removeprefix("won_")
    if won != key and won.isdigit():
        return gettext(lang, N_("Won in %(year)s")) % {"year": won}
    return gettext(lang, DOWNLOAD_HEADERS[key]) if key in DOWNLOAD_HEADERS else key


def in_language(value: Any, lang: str) -> Any:
    """A value with every {"en": …, "zh": …} text reduced to its text in `lang` (else its
    first language's, as models.text does)."""
    if isinstance(value, dict) and value and set(value) <= KNOWN.keys():
        return value.get(lang) or next(iter(value.values()))
    if isinstance(value, list):
        return [in_language(item, lang) for item in value]
    if isinstance(value, dict):
        return {k: in_language(v, lang) for k, v in value.items()}
    return value
