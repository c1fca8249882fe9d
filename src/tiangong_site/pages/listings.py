"""The data and sources pages' listings, and every dataset's CSV and JSON downloads."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, replace
from typing import Any

from .. import safejson
from ..charts import CSV_BOM
from ..collisions import (
    dataset_origin,
)
from ..content import Content
from ..i18n import SOURCE_LANGUAGE, gettext
from ..models import DATASETS, text
from ..render import Urls
from ..tables import (
    ROW_BUILDERS,
    dataset_rows,
    download_header,
    in_language,
)
from .jobs import SitePlan
from .views import SourceView, cited_view

DATASET_TITLES: dict[str, str] = {}
"""Each dataset's name on the data page, in English; other languages from their catalogue."""


DATASET_DESCRIPTIONS: dict[str, str] = {}


def _dataset_files(content: Content, name: str, lang: str) -> tuple[str, str, int]:
    """The CSV and JSON downloads of a dataset, and its number of rows.

    One pass, one new dict per row: the three copies of every row this made before (without
    `_` keys, in the language, whole numbers whole) took 4 s of a build of 10,000 records."""
    rows = (
        dataset_rows(content, name, lang)
        if name in ROW_BUILDERS or name not in DATASETS
        else [r.model_dump(mode="json", exclude_none=True) for r in content.datasets[name]]
    )
    # In order of first use; rows of one builder share their keys, so each shape is read once.
    shapes = dict.fromkeys(map(tuple, rows))
    columns = list(dict.fromkeys(k for shape in shapes for k in shape if k[:1] != "_"))
    buffer = io.StringIO()
    buffer.write(CSV_BOM)
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([_column_header(content, name, k, lang) for k in columns])
    lines = []
    for row in rows:
        if lang != "en":  # each text in the reader's language, not both
            row = in_language({k: v for k, v in row.items() if k[:1] != "_"}, lang)
        clean = {  # as download_value writes them: a whole number stays whole (5000, not 5000.0)
            k: int(v) if v.__class__ is float and v.is_integer() else v
            for k, v in row.items()
            if k[:1] != "_"
        }
        line, nested = _json_line(clean)
        lines.append(line)
        writer.writerow([nested[k] if k in nested else clean.get(k, "") for k in columns])
    json_text = "[\n" + ",\n".join(lines) + "\n]\n" if lines else "[]\n"  # as download_json
    return buffer.getvalue(), safejson.escape(json_text), len(rows)


_ENCODE = json.JSONEncoder(ensure_ascii=False).encode


def _json_line(row: dict[str, Any]) -> tuple[str, dict[str, str]]:
    """`json.dumps(row, ensure_ascii=False)`, and the JSON of each of its lists and objects
    (a CSV cell holds them as JSON), by one encoder rather than a new one a call (half the
    time of the downloads of 10,000 records), each value encoded once. A row of scalars
    only is encoded whole, by the encoder's C code: encoding each value by itself and
    joining the parts in Python took two to three times as long on a row of ten."""
    nested = {key: _ENCODE(value) for key, value in row.items() if isinstance(value, (dict, list))}
    if not nested:
        return _ENCODE(row), nested
    parts = [
        f"{_ENCODE(key)}: {nested[key] if key in nested else _ENCODE(value)}"
        for key, value in row.items()
    ]
    return "{" + ", ".join(parts) + "}", nested


def _column_header(content: Content, dataset: str, key: str, lang: str) -> str:
    """A download's column header: in other languages than English, the declaration's words
    for it (Package.header) when it gives any, else the engine's."""
    package = content.package
    if lang == SOURCE_LANGUAGE or package is None:
        return download_header(key, lang)
    declared = package.header(dataset, key)
    return text(declared, lang) if declared else download_header(key, lang)


def _downloadable(content: Content) -> list[str]:
    """The datasets the data page offers: the built-in ones, then the declared ones."""
    declared = list(content.package.resources) if content.package is not None else []
    built_in = [n for n in DATASETS if n != "charts" and n in content.files]  # no file, no download
    return built_in + declared


def _plan_data(plan: SitePlan, content: Content, urls: Urls, lang: str) -> None:
    for name in _downloadable(content):
        # Kept by the preview until an edit touches what they read (Content.keep_derived).
        csv_text, json_text, _ = content.derived(
            ("downloads", name, lang), lambda name=name: _dataset_files(content, name, lang)
        )
        plan.files[f"data/{name}.csv"] = csv_text
        plan.files[f"data/{name}.json"] = json_text
        # data/ is the data page's folder too: the page that lists these downloads.
        origin = dataset_origin(
            content, name, "the dataset downloads, data/NAME.csv and data/NAME.json", layout="data"
        )
        plan.origins.update(dict.fromkeys((f"data/{name}.csv", f"data/{name}.json"), origin))


def _dataset_words(content: Content, name: str, lang: str) -> tuple[str, str]:
    """A dataset's title and description on the data page: the declaration's, for a
    declared dataset (its name when it has no title)."""
    if name in DATASET_TITLES:
        return gettext(lang, DATASET_TITLES[name]), gettext(lang, DATASET_DESCRIPTIONS[name])
    resource = content.package.resources[name]
    return text(resource.title, lang) or name, text(resource.description, lang)


@dataclass(frozen=True, slots=True)
class DatasetEntry:
    """A dataset as the data page lists it, with its downloads."""

    name: str
    title: str
    file: str
    """Its data file, as the project names it (content/data/NAME.csv)."""
    description: str
    count: int
    """How many records it has."""
    csv: str
    json: str


@dataclass(frozen=True, slots=True)
class ChartLink:
    """A chart's own page, as the data page links it."""

    title: str
    href: str


@dataclass(frozen=True, slots=True)
class DataListing:
    """What the data page (`layout: data`) lists: datasets, collections' pages, charts."""

    datasets: list[DatasetEntry]
    collections: dict[str, Any]
    """Each collection's pages, by its name: .url, .title and .record (its row)."""
    charts: list[ChartLink]


@dataclass(frozen=True, slots=True)
class SourcesListing:
    """What the sources page (`layout: sources`) lists: every document, with `records`."""

    sources: list[SourceView]


def _data_listing(content: Content, urls: Urls, lang: str) -> DataListing:
    from ..collections import collection_items  # here: collections.py builds on this module

    return DataListing(
        datasets=[_dataset_entry(content, name, urls, lang) for name in _downloadable(content)],
        collections=collection_items(content, urls, lang),
        charts=[
            ChartLink(title=text(c.title, lang), href=urls.url(f"charts/{c.id}/"))
            for c in content.datasets["charts"]
        ],
    )


def _dataset_entry(content: Content, name: str, urls: Urls, lang: str) -> DatasetEntry:
    title, description = _dataset_words(content, name, lang)
    return DatasetEntry(
        name=name,
        title=title,
        file=content.dataset_file(name),
        description=description,
        # The count alone: a page a number edit leaves as it was is not made again.
        count=content.settled(("count", name), lambda c, n=name: len(c.datasets[n])),
        csv=urls.url(f"data/{name}.csv"),
        json=urls.url(f"data/{name}.json"),
    )


def _sources_listing(content: Content, urls: Urls, lang: str) -> SourcesListing:
    """Every document of the citation list, with how many records cite it."""
    cited = content.settled(("cited",), _cited)  # counts only: made again, read if changed
    documents = content.datasets.get(content.citations, [])
    key = content.package.resources[content.citations].primary_key if documents else ""
    # as the pages and charts that cite them show them (made once; keys are unique)
    views = [cited_view(content, getattr(s, key), lang) for s in documents if s is not None]
    return SourcesListing([replace(v, records=cited.get(v.id, 0)) for v in views])


def _cited(content: Content) -> dict[str, int]:
    """How many records cite each document of the citation list."""
    cited_list = content.citations
    cited: dict[str, int] = {}
    for records in content.datasets.values():
        for record in records:
            for fld, target in type(record).references.items():
                if target != cited_list:
                    continue
                value = getattr(record, fld)
                for sid in value if isinstance(value, list) else [value]:
                    if sid:
                        cited[sid] = cited.get(sid, 0) + 1
    return cited


LISTINGS = {"data": _data_listing, "sources": _sources_listing}
