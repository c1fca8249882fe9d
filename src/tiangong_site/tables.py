"""Records -> flat rows a reader can read: names resolved, periods labelled, units converted.

Charts, their HTML tables and their CSV/JSON downloads are all made from these
rows, so the three always show the same numbers.
"""

from __future__ import annotations

import json
from typing import Any

from . import i18n
from .content import Content
from .declared.measures import PERIOD_WORDS
from .i18n import N_, gettext
from .languages import KNOWN

LABELS: dict[str, str] = {
    **PERIOD_WORDS,  # a period's kind: period_kind_name, a line chart's `connect`
    "hatched": N_("Hatched: uncertain (see notes)"),
    "hollow": N_("Open circles: inferred or unconfirmed (see notes)"),
    "status-reported": N_("reported"),
    "status-derived": N_("derived"),
    "status-inferred": N_("inferred"),
    "status-unknown": N_("unknown"),
    "status-conflicting": N_("sources conflict"),
    "status-marker": N_("%s: see note"),
}
"""The engine's labels of codes: a period's kind, a record's status and a chart's marks
for uncertain values, in English; other languages come from their catalogue. A dataset's
own codes are labelled where it is declared (a field's `labels:` in datapackage.yaml)."""


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


ROW_BUILDERS: dict[str, Any] = {}
"""Datasets whose rows are made by code (every dataset of a project is declared now: its
rows come from declared.rows)."""


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
    "status": N_("Basis code"),
    "status_name": N_("Basis"),
    "certain": N_("Certain"),
    "uncertain": N_("Uncertain"),
    "source": N_("Source ID"),
    "sources": N_("Source IDs"),
    "name": N_("Name"),
    "year": N_("Year"),
    "date": N_("Date"),
    "title": N_("Title"),
    "kind": N_("Kind code"),
    "kind_name": N_("Kind"),
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
    "description": N_("Description"),
    "summary": N_("Summary"),
    "publisher": N_("Publisher"),
    "url": N_("Address"),
    "language": N_("Language code"),
    "language_name": N_("Language"),
    "note": N_("Notes"),
}
"""Column headers of the dataset downloads in other languages than English (the English
files keep the column keys, which the JSON files use in every language): the words of the
columns every project's rows may have. A project's own columns take the words of its
declaration (Package.header)."""


def download_header(key: str, lang: str) -> str:
    """A download's column header: the key in English, a translated name in other languages.
    An unknown key stays as it is, so the Chinese typography check names it."""
    if lang == i18n.SOURCE_LANGUAGE:
        return key
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
