"""A chart spec + the content -> Plotly figure JSON, its table and its downloads, in one house
style.

The figure is built with the `plotly` package (so it is valid Plotly JSON by
construction); the table and the CSV/JSON downloads are made from the very rows
that were plotted, so a reader who cannot see the chart gets the same numbers.
"""

from __future__ import annotations

import csv
import functools
import io
import json
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from . import i18n, safejson
from .brand import PLAIN, Brand
from .cjk import LazyPattern
from .content import Content
from .errors import Problem
from .i18n import N_, gettext
from .languages import language
from .memo import Memo, digest, package_version
from .models import Chart, text
from .narrow import MAX_DIRECT_LABELS, place_line_labels
from .tables import (
    dataset_rows,
    download_json,
    download_value,
    label,
    matches,
    weakest_status,
)

FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif'
FONTS = {
    "zh": (
        '"PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", '
        '"Source Han Sans SC", sans-serif'
    )
}
"""Chinese figures use the Chinese faces first (as the pages' :lang(zh-Hans) stack does): a
Latin-first stack can give Han characters Japanese glyph forms where system-ui is Japanese."""


def plotly_version() -> str:
    """The installed plotly's version, read without importing it."""
    return package_version("plotly")


def validated(kind: str, payload: dict[str, Any], memo: Memo | None = None) -> dict[str, Any]:
    """`payload` (a figure's data and layout, or a template's layout) as the plotly package
    validates and writes it. The result depends on the payload and plotly's version alone, so
    a memo (salted with that version) keeps it: importing plotly and validating a figure cost
    about a tenth of a second of a build whose charts had not changed."""
    try:
        raw = json.dumps([kind, payload], sort_keys=True, ensure_ascii=False)
    except (TypeError, ValueError):  # a value JSON cannot hold: validate it every time
        raw, memo = "", None
    key = digest(raw) if memo is not None else ""
    kept = memo.get(key) if memo is not None else None
    if kept is not None:
        return json.loads(kept)
    go = _go()
    made = (
        go.Figure(data=payload["data"], layout=payload["layout"])
        if kind == "figure"
        else go.layout.Template(layout=go.Layout(**payload["layout"]))
    ).to_plotly_json()
    if memo is not None:
        try:
            memo.put(key, json.dumps(made, ensure_ascii=False))
        except (TypeError, ValueError):
            pass
    return made


@functools.cache
def _go() -> Any:
    """plotly.graph_objects, imported on first use: plotly takes about a third of a second to
    import, which a site without charts (or a build that fails before drawing them) never needs."""
    import plotly.graph_objects as go

    return go


def house(brand: Brand, memo: Memo | None = None) -> dict[str, Any]:
    """The house style, as Plotly template JSON (validated once per brand and process, or once
    per brand with `memo`, see `validated`). The series colours
    are the brand's (static/style.css); colours of text and grid are re-applied in the browser
    from the page's CSS variables, so charts follow light and dark mode exactly as the text does."""
    if memo is None:
        return _house(brand)
    return validated("template", {"layout": _house_layout(brand)}, memo)


@functools.lru_cache(maxsize=8)
def _house(brand: Brand) -> dict[str, Any]:
    return validated("template", {"layout": _house_layout(brand)})


def _house_layout(brand: Brand) -> dict[str, Any]:
    return dict(
        font={"family": FONT, "size": 14, "color": brand["fg"]},
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        colorway=brand.palette,
        margin={"l": 8, "r": 16, "t": 16, "b": 8},
        hoverlabel={"font": {"family": FONT}},
        legend={
            "orientation": "h",
            "yanchor": "bottom",
            "y": 1.0,
            "x": 0,
            "bgcolor": "rgba(0,0,0,0)",
        },
        xaxis={
            "automargin": True,
            "showgrid": False,
            "linecolor": "#8a8a8a",
            "ticks": "outside",
            "tickcolor": "#8a8a8a",
            "zeroline": False,
        },
        yaxis={
            "automargin": True,
            "gridcolor": "#e3e3e3",
            "zeroline": False,
            "rangemode": "tozero",
        },
    )


KINDS_BUNDLE = {"bar", "column", "grouped-column", "stacked-column", "line", "timeline", "grid"}
"""Chart kinds drawn with bar and scatter traces only: plotly.js-basic covers all of them."""

HEADERS = {
    "period": N_("Period"),
    "period_kind_name": N_("Kind of period"),
    "value": N_("Value"),
    "status_name": N_("Basis"),
    "status": N_("Basis"),
    "qualifier": N_("Qualifier"),
    "name": N_("Name"),
    "year": N_("Year"),
    "date": N_("Date"),
    "title": N_("Title"),
    "kind_name": N_("Kind"),
    "count": N_("Count"),
    "highlight": N_("Marked"),
    "uncertain": N_("Note on the basis"),
}
"""Table and download headers of the columns every project's rows may have, in English;
other languages come from their catalogue. A project's own columns take the words of its
declaration (Package.header)."""


@dataclass
class ChartOutput:
    """Everything the pages need about one chart."""

    spec: Chart
    figure: dict[str, Any]
    columns: list[tuple[str, str]]
    rows: list[dict[str, Any]]
    lang: str = "en"
    downloads: list[tuple[str, str]] = field(default_factory=list)
    """Columns of the CSV and JSON: the table's, with the basis as a code (`status`), the
    qualifier and the note in columns of their own, never folded into a value."""
    drawings: dict[str, Any] = field(default_factory=dict)
    """Made at build time by drawing.py: "wide" and "narrow" SVG text, "preview" PNG bytes."""
    brand: Brand = PLAIN
    """The colours it is drawn in (static/style.css), which its SVG names as custom properties."""
    decimals: int = 0
    """The places its values are shown with, in the table as in the labels and hover text."""
    depends: frozenset[str] = frozenset()
    """The keys of what it was made from, recorded as it was made (deps.py)."""

    def table(self) -> list[list[str]]:
        return [[self._table_cell(row, key) for key, _ in self.columns] for row in self.rows]

    def _table_cell(self, row: dict[str, Any], key: str) -> str:
        if key == "date" and row.get(key):  # as a reader writes it (downloads keep ISO dates)
            return i18n.date(row[key], self.lang)
        cell = _cell(row.get(key), self.lang)
        if key == self.spec.y and isinstance(row.get(key), float):
            cell = _padded(cell, self.decimals)  # 7.0 beside 9.8, as the chart labels it
        words = row.get(f"_{key}_qualified") if key == self.spec.y else None
        if words and cell != "—":
            return words.replace("{}", cell)  # "nearly 5,000", 近5000
        return cell

    def csv(self) -> str:
        buffer = io.StringIO()
        buffer.write(CSV_BOM)
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow([header for _, header in self.downloads])
        for row in self.rows:
            writer.writerow(
                [
                    "" if row.get(k) is None else download_value(row.get(k))
                    for k, _ in self.downloads
                ]
            )
        return buffer.getvalue()

    def json(self) -> str:
        payload = {
            "chart": self.spec.id,
            "language": self.lang,
            "title": text(self.spec.title, self.lang),
            "sources": self.spec.sources,
            "columns": [{"key": k, "header": h} for k, h in self.downloads],
            "rows": [
                {k: download_value(row.get(k)) for k, _ in self.downloads} for row in self.rows
            ],
        }
        return safejson.escape(download_json(payload))

    @functools.cached_property
    def narrow(self) -> dict[str, Any]:
        """The figure laid out for a phone (narrow.py)."""
        from .narrow import narrow_figure  # it builds on this module's figures

        return narrow_figure(self.figure, self.spec.kind)

    def figure_json(self) -> str:
        """What the chart loader draws on request: the figure; under "narrow" the phone layout
        (data and layout) it uses on screens up to 480 px; under "colors" the CSS custom
        property that gives each house colour its light or dark value (drawing.py)."""
        from .drawing import theme_of

        colors = {colour: f"--chart-{name}" for colour, name in theme_of(self.brand)}
        payload = self.figure | {
            "narrow": {"data": self.narrow["data"], "layout": self.narrow["layout"]},
            "colors": colors,
        }
        return safejson.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


CSV_BOM = "\ufeff"
"""CSV downloads start with a UTF-8 byte order mark, so spreadsheet programs read the Chinese
names as UTF-8 rather than the system's legacy code page."""


def _cell(value: Any, lang: str = "en") -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return gettext(lang, N_("yes") if value else N_("no"))
    if isinstance(value, float):
        return i18n.number(value, lang)
    return str(value)


def _header(key: str, lang: str, spec: Chart, content: Content) -> str:
    """The chart's own words for a column, then its dataset's declaration's, then the
    engine's."""
    if key in spec.headers:
        return text(spec.headers[key], lang)
    if key == "value" and spec.y_title:
        return text(spec.y_title, lang)
    declared = content.package.header(spec.data, key) if content.package else None
    if declared:
        return text(declared, lang)
    return gettext(lang, HEADERS.get(key, key.replace("_", " ").capitalize()))


def check_charts(content: Content) -> list[Problem]:
    """Every column a chart names must exist in its dataset, and the selection must not be empty."""
    problems = []
    for i, spec in enumerate(content.datasets["charts"]):
        if spec is None:
            continue
        rows = dataset_rows(content, spec.data)
        columns = set(rows[0]) if rows else set()
        found = len(problems)  # problems of earlier charts
        named = [("x", spec.x), ("y", spec.y), ("series", spec.series), ("year", spec.year)]
        named += [(("where", k), k) for k in spec.where] + [
            (("highlight", k), k) for k in (spec.highlight or {})
        ]
        named += [(("headers", k), k) for k in spec.headers if k != "count"]
        named += [(("table", i), k) for i, k in enumerate(spec.table or [])]
        for key, column in named:
            if column is None or (key == "y" and column == "count") or not rows:
                continue
            if column not in columns:
                loc = key if isinstance(key, tuple) else (key,)
                public = sorted(c for c in columns if not c.startswith("_"))
                problems.append(
                    content.problem_at(
                        "charts",
                        i,
                        loc,
                        f"column '{column}' is not in the {spec.data} data",
                        f"use one of: {', '.join(public)}",
                    )
                )
        if spec.y == "count" and spec.year not in (None, spec.x, spec.series):
            problems.append(
                content.problem_at(
                    "charts",
                    i,
                    ("year",),
                    f"this chart counts rows, which keeps only x and series: its rows have no "
                    f"column '{spec.year}'",
                    f"name x ({spec.x}) as the year's column, or remove `year:`",
                )
            )
        if spec.kind in ("grouped-column", "stacked-column") and not spec.series:
            problems.append(
                content.problem_at(
                    "charts",
                    i,
                    ("kind",),
                    f"a {spec.kind} chart needs `series:`",
                    "name the column that splits the bars",
                )
            )
        if len(problems) == found and not [r for r in rows if matches(r, spec.where)]:
            loc, message, hint = _unmatched(spec, rows)
            problems.append(content.problem_at("charts", i, loc, message, hint))
    return problems


def fill_placeholders(content: Content) -> list[Problem]:
    """Numbers in the charts' words that come from their data (placeholders.py), filled in
    every language; each chart spec is replaced by its filled copy. Run after check_charts.
    The rows are those the chart will plot, kept (`_rows_of`): the filled copy selects the
    same rows, so they are selected once per language, not again for each of its words and
    for the chart itself."""
    from .placeholders import fill_charts

    problems = fill_charts(
        content.datasets["charts"],
        list(content.site.languages),
        lambda spec, lang: _rows_of(content, spec, lang),
        lambda i, key, message, hint: content.problem_at("charts", i, key, message, hint),
        lambda spec: year_columns(content, spec),
    )
    for key in [k for k in content._cache if k[0] == "charts"]:
        del content._cache[key]  # indexes of the unfilled specs
    return problems


DATED = ("year", "date", "period")
"""Field types whose value says when a row is: a `year:` of a chart defaults to its dataset's
only field of one of these types."""


def year_columns(content: Content, spec: Chart) -> tuple[str, ...]:
    """The columns a chart's rows give their year in, for placeholders' `since|in|until YEAR`:
    the chart's `year:` column; else its dataset's only year, date or period field (a period's
    NAME_year), then x."""
    if spec.year:
        return (spec.year,)
    package = content.package
    resource = package.resources.get(spec.data) if package is not None else None
    dated = [f for f in resource.fields if f.type in DATED] if resource is not None else []
    if len(dated) != 1:
        return (spec.x,)
    name = dated[0].name + ("_year" if dated[0].type == "period" else "")
    return (resource.rename.get(name, name), spec.x)  # type: ignore[union-attr]


def _unmatched(spec: Chart, rows: list[dict[str, Any]]) -> tuple[tuple, str, str]:
    """Where, what and how to fix a `where:` no row matches: the first key whose value no
    row has (with the nearest value that exists), else the combination."""
    for key, wanted in spec.where.items():
        present = {row.get(key) for row in rows}
        allowed = wanted if isinstance(wanted, list) else [wanted]
        if any(value in present for value in allowed):
            continue
        shown = ", ".join(repr(v) for v in allowed)
        message = f"no rows match this chart's `where:`: no {spec.data} row has {key} {shown}"
        numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in allowed)
        texts = [
            str(v)
            for v in sorted(
                {v for v in present if v not in (None, "")}, key=lambda v: (str(type(v)), v)
            )
        ]
        import difflib  # only for a chart that matches no rows

        # A wrong year or count is no typo of the nearest one: list the values instead.
        close = [] if numbers else difflib.get_close_matches(str(allowed[0]), texts, n=1)
        values = ", ".join(texts[:12]) + (", ..." if len(texts) > 12 else "")
        hint = f"did you mean '{close[0]}'?" if close else f"{key} is one of: {values}"
        if str(allowed[0]) in texts:  # '2024' where the column holds the number 2024
            hint = f"write {key}: {allowed[0]} without quotes"
        return ("where", key), message, hint
    message = "no rows match this chart's `where:`: each value occurs, but no row has them all"
    return ("where",), message, "check the values against the data file"


def _rows_of(content: Content, spec: Chart, lang: str) -> list[dict[str, Any]]:
    """The rows a chart of the content shows. The chart depends on them, not on its whole
    dataset (deps.py, `Content.settled`): an edit to a record it does not show leaves it
    as it was, and it is not drawn again."""
    if content.index("charts").get(spec.id) is not spec:  # a spec of no content: nothing kept
        return _select(content, spec, lang)
    return content.settled(
        ("chart-rows", spec.id, lang),
        lambda made_of: _select(made_of, made_of.index("charts")[spec.id], lang),
    )


def _select(content: Content, spec: Chart, lang: str) -> list[dict[str, Any]]:
    rows = [r for r in dataset_rows(content, spec.data, lang) if matches(r, spec.where)]
    if spec.kind != "timeline":  # a row without an x value has no place on the axis
        rows = [r for r in rows if r.get(spec.x) is not None]
    if spec.y == "count":
        rows = _count(rows, spec, lang)
    rows = [r for r in rows if r.get(spec.y) is not None] if spec.kind != "timeline" else rows
    if (
        spec.sort == "value"
    ):  # largest first: leftmost column, or top bar (the bar axis runs top-down)
        rows.sort(key=lambda r: r[spec.y], reverse=True)
    elif spec.sort == "x" or spec.kind == "line":
        rows.sort(key=lambda r: r.get("_sort", r[spec.x]))
    return rows


def _count(rows: list[dict[str, Any]], spec: Chart, lang: str = "en") -> list[dict[str, Any]]:
    """Rows counted by x (and series). Records of each basis (inferred, conflicting, …) are
    counted apart, so the chart can hatch them and the table can say which they are."""
    keys = [spec.x] + ([spec.series] if spec.series else [])
    counted: dict[tuple, dict[str, Any]] = {}
    for row in rows:
        status = weakest_status(row)
        group = (*(row[k] for k in keys), status)
        if group not in counted:
            basis = {
                "status": status,
                "status_name": label(f"status-{status}", lang),
                "uncertain": "",
            }
            counted[group] = {k: row[k] for k in keys} | {"count": 0} | basis
        counted[group]["count"] += 1
    return list(counted.values())


def _marked(row: dict[str, Any]) -> bool:
    """Whether a row is drawn as not reported: hatched bar, open marker."""
    return weakest_status(row) != "reported"


def _download_columns(columns: list[str], spec: Chart, rows: list[dict[str, Any]]) -> list[str]:
    keys = [k for k in columns if k not in ("status_name", "uncertain")]
    qualifier = rows[0].get(f"_{spec.y}_qualifier") if rows else None
    if qualifier:  # a measured value's qualifier, in a column of its own (declared.measures)
        keys.append(qualifier)
    return keys + ["status", "uncertain"]


DIRECTLY_LABELLED = {"grid", "timeline"}
"""Kinds that name what each mark is beside it, so they never need a legend."""

HOVER = "%{customdata}<extra></extra>"
"""Hover text is prepared per point in customdata, already in the reader's language."""


def build_chart(
    content: Content, spec: Chart, lang: str = "en", brand: Brand = PLAIN, memo: Memo | None = None
) -> ChartOutput:
    """One chart, in the colours of `brand` (the build passes static/style.css's; PLAIN is
    for callers that show no chart to anyone, such as `check`). With `memo` (see `validated`),
    plotly validates only figures it has not validated before."""
    rows = _rows_of(content, spec, lang)
    columns = [spec.x] + ([spec.series] if spec.series and spec.series != spec.x else []) + [spec.y]
    if rows and f"{spec.y}_text" in rows[0]:  # a measured value: its rank, where one is given
        columns += ["rank"] if any(r.get("rank") for r in rows) else []
    if spec.kind == "grid":  # each row a named mark: the table lists them in that order
        columns = [spec.x, spec.y] + ([spec.series] if spec.series else [])
    if spec.table is not None:  # the chart's own choice, less the columns no row fills
        columns = [c for c in spec.table if any(r.get(c) not in (None, "") for r in rows)]
    highlighted = [matches(r, spec.highlight) for r in rows] if spec.highlight else None
    if highlighted is not None:  # new rows: a dataset's rows are shared by every chart of it
        marked = text(spec.highlight_label, lang)
        rows = [
            row | {"highlight": marked if flag else ""}
            for row, flag in zip(rows, highlighted, strict=True)
        ]
        columns.append("highlight")
    if any(_marked(r) for r in rows):
        columns.append("status_name")
        columns += ["uncertain"] if any(r.get("uncertain") for r in rows) else []
    traces, layout = _draw(spec, rows, highlighted, lang, brand)
    # No title on a category axis, and none turned on its side: the unit is in the subtitle.
    # Only a horizontal bar chart's value axis, which reads across, keeps one.
    value_title = (
        (text(spec.x_title, lang) or text(spec.y_title, lang)) if spec.kind == "bar" else None
    )
    _merge(
        layout,
        {
            "template": {},  # no default template to load and copy: the house style is set below
            "height": layout.get("height") or spec.height,
            "xaxis": {"title": {"text": value_title or None}},
            "yaxis": {"title": {"text": None}},
            # A legend only for what is not named on the chart: keys to colours and marks.
            "showlegend": spec.kind not in DIRECTLY_LABELLED
            and any(t.get("showlegend", True) and t.get("name") for t in traces),
        },
    )
    if lang in FONTS:
        _merge(
            layout,
            {"font": {"family": FONTS[lang]}, "hoverlabel": {"font": {"family": FONTS[lang]}}},
        )
    if language(lang).plotly_separators:  # axes and tooltips with the language's marks
        layout["separators"] = language(lang).plotly_separators
    # One validated construction by the plotly package (updating a Figure step by step
    # re-validates it each time, and cost most of a build's time).
    figure = validated("figure", {"data": traces, "layout": layout}, memo)
    figure["layout"]["template"] = house(brand, memo)
    downloads = _download_columns(columns, spec, rows)
    header = {key: _header(key, lang, spec, content) for key in [*columns, *downloads]}
    return ChartOutput(
        spec,
        figure,
        [(k, header[k]) for k in columns],
        rows,
        lang,
        [(k, header[k]) for k in downloads],
        brand=brand,
        decimals=_label_decimals(rows, spec),
    )


def _merge(target: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    """Merge nested dicts (like Plotly's update_layout), in place."""
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = value
    return target


NUMBER = LazyPattern(r"\d[\d,]*(?:\.\d+)?")


def _value_text(row: dict[str, Any], spec: Chart, lang: str = "en", decimals: int = 0) -> str:
    """The figure as a reader reads it, unit included, with the chart's decimals (as its
    labels and table have them): for hover text. A count gets the measure word its value
    title gives in Chinese (4座)."""
    shown = row.get(f"{spec.y}_text")
    if not shown:
        return _cell(row[spec.y], lang) + _measure_word(spec, lang)
    return NUMBER.sub(lambda m: _padded(m.group(0), decimals), str(shown), count=1)


def _padded(number: str, places: int) -> str:
    """'7' to 1 place is '7.0': every number of a chart with the same decimals."""
    have = len(number.rsplit(".", 1)[1]) if "." in number else 0
    return number + ("" if have or not places else ".") + "0" * max(0, places - have)


MEASURE_WORD = LazyPattern(r"（([座个家项条])）$")
"""Chinese measure words a count's value title may end with: 桥梁数（座）."""


def _measure_word(spec: Chart, lang: str) -> str:
    title = text(spec.x_title if spec.kind == "bar" else spec.y_title, lang) or text(
        spec.y_title, lang
    )
    found = MEASURE_WORD.search(title) if lang == "zh" else None
    return found.group(1) if found else ""


def _bar_label(row: dict[str, Any], spec: Chart, lang: str = "en", decimals: int = 1) -> str:
    """The short label printed at a bar's end: the number (with % for rates); the unit is
    in the axis title. Long labels would be shrunk to illegibility on a phone. Every label
    of a chart has the same decimals (80.0 beside 186.1, not 80), rounded half up as a
    reader rounds (800.25 -> 800.3 in both editions, not the float's 800.2)."""
    value = row[spec.y]
    if isinstance(value, float):
        number = i18n.local_marks(_half_up(value, decimals, bool(language(lang).group)), lang)
    else:
        number = _cell(value, lang)
    body = number + ("%" if row.get("unit") == "%" else "")
    short = {"over": N_(">%s"), "about": N_("~%s"), "nearly": N_("≈%s"), "at-least": N_("≥%s")}.get(
        row.get("qualifier", "")
    )
    return gettext(lang, short) % body if short else body


def _hover(name: Any, value: str, lang: str, series: str | None = None) -> str:
    """'Red: 2,252.28 km' / '红队：2252.28公里': one message, so Chinese gets its own
    punctuation; the series, when there is one, in brackets after it."""
    shown = gettext(lang, N_("%(name)s: %(value)s")) % {"name": name, "value": value}
    return (
        gettext(lang, N_("%(text)s (%(series)s)")) % {"text": shown, "series": series}
        if series
        else shown
    )


def _label_decimals(rows: list[dict[str, Any]], spec: Chart) -> int:
    """The places every number of a chart is shown with, in its labels, hover text and
    table alike: the most any plotted value has (at most two, 2252.28 as the source prints
    it), and at least one for rates (7.0% beside 9.8%)."""
    values = [r[spec.y] for r in rows if isinstance(r.get(spec.y), float)]
    places = [
        len(repr(v).split(".")[1]) for v in values if not v.is_integer() and "e" not in repr(v)
    ]
    rates = any(r.get("unit") == "%" for r in rows)
    return min(2, max([1 if rates else 0, *places]))


def _half_up(value: float, decimals: int, grouped: bool) -> str:
    """`value` to `decimals` places, halves rounded up (from its shortest decimal form)."""
    rounded = Decimal(repr(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return f"{rounded:,}" if grouped else f"{rounded}"


def _connected(spec: Chart, name: Any, rows: list[dict[str, Any]]) -> bool:
    """Whether a line chart joins this series' points. `connect` may name the series as
    shown in any language, or by its code: ["Whole year"], ["全年"] and ["year"] agree."""
    if name in spec.connect:
        return True
    code_column = spec.series.removesuffix("_name") if spec.series else ""
    codes = {row.get(code_column) for row in rows} if code_column != spec.series else set()
    names = {label(code, "en") for code in codes if isinstance(code, str)}
    return bool((codes | names) & set(spec.connect))


def _draw(
    spec: Chart, rows: list[dict[str, Any]], highlighted: list[bool] | None, lang: str, brand: Brand
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Plotly traces and layout (plain dicts) for one chart."""
    accent, muted, palette = brand.accent, brand.muted, brand.palette
    if spec.kind == "grid":
        return _draw_grid(spec, rows, lang, palette)
    if spec.kind == "timeline":
        return _draw_timeline(spec, rows, lang, accent)
    traces: list[dict[str, Any]] = []
    decimals = _label_decimals(rows, spec)
    groups: dict[Any, list[int]] = {}
    for i, row in enumerate(rows):
        groups.setdefault(row[spec.series] if spec.series else None, []).append(i)
    horizontal = spec.kind == "bar"
    for n, (name, idx) in enumerate(groups.items()):
        sub = [rows[i] for i in idx]
        cats = [
            r[f"{spec.x}_mid"] if spec.kind == "line" and f"{spec.x}_mid" in r else r[spec.x]
            for r in sub
        ]
        values = [r[spec.y] for r in sub]
        hover = [
            _hover(
                r[spec.x],
                _value_text(r, spec, lang, decimals),
                lang,
                r.get(spec.series) if spec.series and spec.series != spec.x else None,
            )
            for r in sub
        ]
        if spec.kind == "line":
            connected = _connected(spec, name, sub)
            trace = {
                "type": "scatter",
                "x": cats,
                "y": values,
                "name": str(name) if name is not None else text(spec.title, lang),
                "mode": "lines+markers" if connected else "markers",
                "marker": {
                    "size": 11 if connected else 10,
                    "symbol": "circle" if connected else "diamond-open",
                    "line": {"width": 2},
                    "color": palette[n % len(palette)],
                    "opacity": [0.45 if _marked(r) else 1 for r in sub],  # lighter: not reported
                },
                "customdata": hover,
                "hovertemplate": HOVER,
            }
            if connected:
                trace["line"] = {"dash": "dot", "width": 2}
                xs, ys, hs = _break_gaps(cats, values, hover)
                if any(a is not None and b is not None for a, b in zip(xs, xs[1:], strict=False)):
                    # the line stops at each gap (a None point); per-point lists follow it
                    trace.update(x=xs, y=ys, customdata=hs, connectgaps=False)
                    opacity = iter(trace["marker"]["opacity"])
                    trace["marker"]["opacity"] = [1 if x is None else next(opacity) for x in xs]
                else:
                    trace["mode"] = "markers"  # no two consecutive years: nothing to join
            traces.append(trace)
            continue
        colors: Any = palette[n % len(palette)]
        if highlighted is not None:
            colors = [accent if highlighted[i] else muted for i in idx]
        hatch = ["/" if _marked(r) else "" for r in sub]
        trace = {
            "type": "bar",
            "x": values if horizontal else cats,
            "y": cats if horizontal else values,
            "orientation": "h" if horizontal else "v",
            "name": str(name) if name is not None else "",
            "marker": {"color": colors, "pattern": {"shape": hatch, "solidity": 0.45}}
            if any(hatch)
            else {"color": colors},
            "textposition": "outside" if spec.kind != "stacked-column" else "none",
            "cliponaxis": False,
            "customdata": hover,
            "hovertemplate": HOVER,
        }
        if spec.kind != "stacked-column":
            trace["text"] = [_bar_label(r, spec, lang, decimals) for r in sub]
        traces.append(trace)
    if spec.kind == "line":
        return _line_layout(traces, rows, spec, lang)
    headroom = _headroom(rows, spec)
    value_axis = ({"range": headroom} if headroom else {}) | _value_ticks(
        rows, spec, lang, headroom
    )
    if horizontal:
        layout = {
            "yaxis": {"autorange": "reversed", "type": "category", "gridcolor": "rgba(0,0,0,0)"},
            "xaxis": {
                "showgrid": True,
                "gridcolor": "#e3e3e3",
                "rangemode": "tozero",
                **value_axis,
            },
        }
    else:
        layout = {"xaxis": {"type": "category"}, "yaxis": value_axis}
    # Counted rows split by certainty share a category: stack them.
    layout["barmode"] = "group" if spec.kind == "grouped-column" else "stack"
    if (
        spec.kind == "stacked-column"
    ):  # one total above each column; the parts are in the hover and the table
        totals: dict[Any, float] = {}
        for row in rows:
            totals[row[spec.x]] = totals.get(row[spec.x], 0) + row[spec.y]
        layout["annotations"] = [
            {
                "x": category,
                "y": total,
                "text": _cell(total, lang),
                "showarrow": False,
                "yanchor": "bottom",
                "yshift": 2,
            }
            for category, total in totals.items()
        ]
    if spec.kind == "grouped-column" and spec.series and len(traces) <= MAX_DIRECT_LABELS:
        _name_first_group(traces, layout, spec)
    layout.update(uniformtext={"minsize": 12, "mode": "show"}, legend={"traceorder": "normal"})
    if highlighted is not None and spec.highlight_label:
        # A legend entry that explains the accent colour.
        traces.append(
            {
                "type": "bar",
                "x": [None],
                "y": [None],
                "name": text(spec.highlight_label, lang),
                "marker": {"color": accent},
                "showlegend": True,
                "hoverinfo": "skip",
            }
        )
        traces[0]["showlegend"] = False
    if any(_marked(r) for r in rows):
        traces.append(
            {
                "type": "bar",
                "x": [None],
                "y": [None],
                "name": label("hatched", lang),
                "marker": {"color": muted, "pattern": {"shape": "/", "solidity": 0.45}},
                "showlegend": True,
                "hoverinfo": "skip",
            }
        )
        if not spec.series and highlighted is None:
            traces[0]["showlegend"] = False
    return traces, layout


def _draw_timeline(
    spec: Chart, rows: list[dict[str, Any]], lang: str, accent: str
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Dated events as an annotated list reading down: a mark for each event on one line, its
    date and kind in bold and its description beside it, so every event is named without
    hovering (open marks: details uncertain). The labels are laid out by narrow.list_layout,
    which the phone drawing calls again at its own width."""
    from .narrow import WIDE_LIST_CHARS, list_layout

    heads = [
        gettext(lang, N_("%(date)s · %(kind)s"))
        % {"date": i18n.date(r["date"], lang), "kind": r.get(spec.y, "")}
        for r in rows
    ]
    trace = {
        "type": "scatter",
        "mode": "lines+markers",
        "x": [0] * len(rows),
        "line": {"color": "#e3e3e3", "width": 2},
        "marker": {
            "size": 12,
            "color": accent,
            "symbol": ["circle-open" if _marked(r) else "circle" for r in rows],
            "line": {"width": 2, "color": accent},
        },
        "customdata": [_hover(i18n.date(r["date"], lang), r["title"], lang) for r in rows],
        "hovertemplate": HOVER,
        "showlegend": False,
        "meta": {"labels": [[head, r["title"]] for head, r in zip(heads, rows, strict=True)]},
    }
    layout = list_layout(trace, WIDE_LIST_CHARS[_wide_or_latin(lang)])
    return [trace], layout


def _wide_or_latin(lang: str) -> str:
    return "cjk" if lang in FONTS else "latin"


GRID_ROW = 38
"""Pixels per row of a grid chart: a mark and its label, with room to tap."""


def _draw_grid(
    spec: Chart, rows: list[dict[str, Any]], lang: str, palette: list[str]
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """A mark for each row at (x, y), coloured by series and named beside it (no legend);
    open marks for rows not reported (inferred, conflicting). The x categories head the
    columns at the top; the y categories read down in the data's order."""
    series: dict[Any, list[dict[str, Any]]] = {}
    for row in rows:
        series.setdefault(row.get(spec.series) if spec.series else None, []).append(row)
    traces = []
    for n, (name, sub) in enumerate(series.items()):
        colour = palette[n % len(palette)]
        traces.append(
            {
                "type": "scatter",
                "mode": "markers+text",
                "name": str(name or ""),
                "x": [r[spec.x] for r in sub],
                "y": [r[spec.y] for r in sub],
                "text": [str(name or "") for _ in sub],
                "textposition": "middle right",
                "textfont": {"color": colour, "size": 13},
                "marker": {
                    "size": 16,
                    "color": colour,
                    "symbol": ["circle-open" if _marked(r) else "circle" for r in sub],
                    "line": {"width": 2.5, "color": colour},
                },
                "cliponaxis": False,
                "customdata": [_grid_hover(r, spec, lang) for r in sub],
                "hovertemplate": HOVER,
                "showlegend": False,
            }
        )
    xs = list(dict.fromkeys(r[spec.x] for r in rows))
    ys = list(dict.fromkeys(r[spec.y] for r in rows))
    layout: dict[str, Any] = {
        "xaxis": {
            "type": "category",
            "categoryarray": xs,
            "side": "top",
            "range": [-0.3, len(xs) - 0.2],  # each mark at the left of its column, room for text
            "showline": False,
            "ticks": "",
        },
        "yaxis": {
            "type": "category",
            "categoryarray": ys,
            "autorange": "reversed",
            "rangemode": "normal",
            "showgrid": True,
            "gridcolor": "#e3e3e3",
        },
        "height": max(spec.height, GRID_ROW * len(ys) + 60),
        "margin": {"b": 30},  # the key to the open marks, under the grid
    }
    if any(_marked(r) for r in rows):
        layout["annotations"] = [
            {
                "text": label("hollow", lang),
                "xref": "paper",
                "yref": "paper",
                "x": 0,
                "y": 0,
                "yanchor": "top",
                "yshift": -6,
                "xanchor": "left",
                "align": "left",
                "showarrow": False,
                "font": {"size": 12},
            }
        ]
    return traces, layout


def _grid_hover(row: dict[str, Any], spec: Chart, lang: str) -> str:
    shown = _hover(row[spec.x], row[spec.y], lang, row.get(spec.series) if spec.series else None)
    return shown + (
        gettext(lang, N_(" (%(basis)s)")) % {"basis": row["status_name"]} if _marked(row) else ""
    )


def _name_first_group(traces: list[dict[str, Any]], layout: dict[str, Any], spec: Chart) -> None:
    """Direct labels for grouped columns: each series' name over its bar in the first group
    it appears in (the colours then explain themselves), wrapped to the bar's width, with
    the value axis lengthened so the names fit above the values."""
    from .drawing import WIDE_WIDTH
    from .narrow import wrap

    cats = list(dict.fromkeys(c for t in traces for c in t["x"] if c is not None))
    share = 0.8 / len(traces)  # Plotly's default gap leaves 80% of a category to its bars
    chars = max(8, int((WIDE_WIDTH - 60) * share / len(cats) / 7.5))
    plot_px = spec.height - 70
    annotations, top = [], 0.0
    for slot, trace in enumerate(traces):
        trace["showlegend"] = False
        here = [(c, v) for c, v in zip(trace["x"], trace["y"], strict=True) if v is not None]
        if not here:
            continue
        category, value = here[0]
        lines = wrap(trace["name"], chars)
        annotations.append(
            {
                "text": "<br>".join(lines),
                "x": cats.index(category) - 0.4 + (slot + 0.5) * share,
                "y": value,
                "yanchor": "bottom",
                "yshift": 20,  # above the value printed at the bar's end
                "showarrow": False,
                "font": {"size": 12, "color": trace["marker"]["color"]},
            }
        )
        need = 24 + 15 * len(lines)
        top = max(top, value * plot_px / max(plot_px - need, 1))
    layout["annotations"] = layout.get("annotations", []) + annotations
    axis = layout["yaxis"]
    if "range" in axis:
        axis["range"] = [axis["range"][0], max(axis["range"][1], top)]


def _line_layout(
    traces: list[dict[str, Any]], rows: list[dict[str, Any]], spec: Chart, lang: str
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Axes with fixed ranges (half a year beyond the first and last point, 0 to 15% above the
    highest), so each series can be named beside one of its points (narrow.place_line_labels)
    when there are few enough series; more are left to the legend."""
    dates = sorted(str(x)[:10] for t in traces for x in t["x"] if x is not None)
    values = [y for t in traces for y in t["y"] if isinstance(y, (int, float))]
    first, last = int(dates[0][:4]), int(dates[-1][:4])
    layout = {
        "xaxis": {
            "type": "date",
            "tickformat": "%Y",
            "range": [f"{first - 1}-07-01", f"{last + 1}-07-01"],
        },
        "yaxis": {"range": [0, max(values) * 1.15]} | _value_ticks(rows, spec, lang),
    }
    if not spec.series:
        traces[0]["showlegend"] = False  # one line: the title says what it is
    elif len(traces) <= MAX_DIRECT_LABELS:
        from .drawing import WIDE_WIDTH

        for trace in traces:
            trace["showlegend"] = False
        place_line_labels(traces, layout, WIDE_WIDTH, spec.height)
    return traces, layout


def _break_gaps(
    dates: list[str], values: list[Any], hover: list[str]
) -> tuple[list[Any], list[Any], list[Any]]:
    """A line joins consecutive years only: where a year is missing, the line stops (a None
    point), so it never suggests a path through years with no data."""
    xs: list[Any] = []
    ys: list[Any] = []
    hs: list[Any] = []
    for i, (x, y, h) in enumerate(zip(dates, values, hover, strict=False)):
        if i and int(str(x)[:4]) - int(str(dates[i - 1])[:4]) > 1:
            xs.append(None), ys.append(None), hs.append(None)
        xs.append(x), ys.append(y), hs.append(h)
    return xs, ys, hs


def _value_ticks(
    rows: list[dict[str, Any]], spec: Chart, lang: str, span: list[float] | None = None
) -> dict[str, Any]:
    """Value-axis ticks as readers write numbers: 10,000 in English and 1万 in Chinese, never
    Plotly's 10k."""
    values = [r[spec.y] for r in rows if isinstance(r.get(spec.y), (int, float))]
    top = span[1] if span else max(values, default=0)
    if lang != "zh" or top < 10_000:
        return {"separatethousands": True, "exponentformat": "none"}
    step = _nice_step(top / 4)
    ticks = [step * i for i in range(int(top // step) + 1)]
    return {"tickmode": "array", "tickvals": ticks, "ticktext": [_wan(t) for t in ticks]}


def _nice_step(raw: float) -> float:
    magnitude = 10 ** int(f"{raw:e}".split("e")[1])
    return next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)


def _wan(value: float) -> str:
    """10000 -> '1万', 25000 -> '2.5万', 0 -> '0'."""
    return "0" if not value else f"{value / 10_000:g}万"


def _headroom(rows: list[dict[str, Any]], spec: Chart) -> list[float] | None:
    """A value axis 15% longer than the longest bar, so the number printed past its end fits."""
    if not rows:
        return None
    stacked = spec.y == "count" or spec.kind == "stacked-column"
    totals: dict[Any, float] = {}
    for row in rows:
        totals[row[spec.x]] = (
            totals.get(row[spec.x], 0) + row[spec.y]
            if stacked
            else max(totals.get(row[spec.x], 0), row[spec.y])
        )
    values = [r[spec.y] for r in rows]
    if min(values) < 0:
        return None
    return [0, max(totals.values()) * 1.15 or 1]


def build_charts(
    content: Content, lang: str = "en", brand: Brand = PLAIN
) -> dict[str, ChartOutput]:
    return {spec.id: build_chart(content, spec, lang, brand) for spec in content.datasets["charts"]}
