"""A chart spec + the content -> Plotly figure JSON, its table and its downloads, in one house style.

The figure is built with the `plotly` package (so it is valid Plotly JSON by
construction); the table and the CSV/JSON downloads are made from the very rows
that were plotted, so a reader who cannot see the chart gets the same numbers.
"""

from __future__ import annotations

import csv
import difflib
import functools
import io
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from . import i18n, safejson
from .brand import PLAIN, Brand
from .content import Content
from .errors import Problem
from .i18n import N_, gettext
from .languages import language
from .models import Chart, text
from .tables import (
    QUALIFIER_WORDS,
    dataset_rows,
    download_json,
    download_value,
    label,
    matches,
    qualified,
    weakest_status,
)

FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif'
FONTS = {
    "zh": '"PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC", sans-serif'
}
"""Chinese figures use the Chinese faces first (as the pages' :lang(zh-Hans) stack does): a
Latin-first stack can give Han characters Japanese glyph forms where system-ui is Japanese."""


@functools.cache
def _go() -> Any:
    """plotly.graph_objects, imported on first use: plotly takes about a third of a second to
    import, which a site without charts (or a build that fails before drawing them) never needs."""
    import plotly.graph_objects as go

    return go


@functools.lru_cache(maxsize=8)
def house(brand: Brand) -> dict[str, Any]:
    """The house style, as Plotly template JSON (validated once per brand). The series colours
    are the brand's (static/style.css); colours of text and grid are re-applied in the browser
    from the page's CSS variables, so charts follow light and dark mode exactly as the text does."""
    go = _go()
    template = go.layout.Template(
        layout=go.Layout(
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
    )
    return template.to_plotly_json()


KINDS_BUNDLE = {"bar", "column", "grouped-column", "stacked-column", "line", "timeline"}
"""Chart kinds drawn with bar and scatter traces only: plotly.js-basic covers all of them."""

HEADERS = {
    "region_name": N_("Region"),
    "metric_name": N_("Measure"),
    "period": N_("Period"),
    "period_kind_name": N_("Kind of period"),
    "value": N_("Value"),
    "rank": N_("Rank in province"),
    "ceremony_year": N_("Ceremony"),
    "ceremony": N_("Ceremony"),
    "evaluation_year": N_("Evaluation year"),
    "tier_name": N_("Tier"),
    "standing_name": N_("Status"),
    "status_name": N_("Basis"),
    "status_label": N_("Basis"),
    "status": N_("Basis"),
    "qualifier": N_("Qualifier"),
    "name": N_("Name"),
    "winners": N_("Winners a year"),
    "pool": N_("Competing"),
    "level_name": N_("Level"),
    "industry": N_("Industry"),
    "year": N_("Year"),
    "date": N_("Date"),
    "title": N_("Event"),
    "kind_name": N_("Kind"),
    "count": N_("Count"),
    "highlight": N_("Marked"),
    "uncertain": N_("Note on the basis"),
}
"""Table and download headers, in English; other languages come from their catalogue."""


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
    depends: frozenset[str] = frozenset()
    """The keys of what it was made from, recorded as it was made (deps.py)."""

    def table(self) -> list[list[str]]:
        return [[self._table_cell(row, key) for key, _ in self.columns] for row in self.rows]

    def _table_cell(self, row: dict[str, Any], key: str) -> str:
        if key == "date" and row.get(key):  # as a reader writes it (downloads keep ISO dates)
            return i18n.date(row[key], self.lang)
        cell = _cell(row.get(key), self.lang)
        if key == self.spec.y and row.get("qualifier") in QUALIFIER_WORDS and cell != "—":
            return qualified(cell, row["qualifier"], self.lang)  # "nearly 5,000", 近5000
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


def _header(key: str, lang: str, spec: Chart) -> str:
    if key == "value" and spec.y_title:
        return text(spec.y_title, lang)
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
        named = [("x", spec.x), ("y", spec.y), ("series", spec.series)]
        named += [(("where", k), k) for k in spec.where] + [
            (("highlight", k), k) for k in (spec.highlight or {})
        ]
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


def _download_columns(columns: list[str], spec: Chart) -> list[str]:
    keys = [k for k in columns if k not in ("status_name", "status_label", "uncertain")]
    if spec.data == "figures" and spec.y == "value":
        keys.append("qualifier")
    return keys + ["status", "uncertain"]


HOVER = "%{customdata}<extra></extra>"
"""Hover text is prepared per point in customdata, already in the reader's language."""


def build_chart(
    content: Content, spec: Chart, lang: str = "en", brand: Brand = PLAIN
) -> ChartOutput:
    """One chart, in the colours of `brand` (the build passes static/style.css's; PLAIN is
    for callers that show no chart to anyone, such as `check`)."""
    rows = _rows_of(content, spec, lang)
    columns = [spec.x] + ([spec.series] if spec.series and spec.series != spec.x else []) + [spec.y]
    if spec.data == "figures" and spec.y == "value":
        columns += ["rank"] if any(r.get("rank") for r in rows) else []
    if spec.data == "events":
        columns = ["date", "title"] + (
            ["region_name"] if any(r.get("region_name") for r in rows) else []
        )
    highlighted = [matches(r, spec.highlight) for r in rows] if spec.highlight else None
    if highlighted is not None:  # new rows: a dataset's rows are shared by every chart of it
        marked = text(spec.highlight_label, lang)
        rows = [
            row | {"highlight": marked if flag else ""}
            for row, flag in zip(rows, highlighted, strict=True)
        ]
        columns.append("highlight")
    if any(_marked(r) for r in rows):  # a declared dataset's rows name it status_label
        columns.append("status_label" if "status_label" in rows[0] else "status_name")
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
            "height": spec.height,
            "xaxis": {"title": {"text": value_title or None}},
            "yaxis": {"title": {"text": None}},
            "showlegend": bool(spec.series)
            or highlighted is not None
            or any(_marked(r) for r in rows),
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
    go = _go()
    figure = go.Figure(data=traces, layout=layout).to_plotly_json()
    figure["layout"]["template"] = house(brand)  # validated once per brand
    downloads = _download_columns(columns, spec)
    header = {key: _header(key, lang, spec) for key in [*columns, *downloads]}
    return ChartOutput(
        spec,
        figure,
        [(k, header[k]) for k in columns],
        rows,
        lang,
        [(k, header[k]) for k in downloads],
        brand=brand,
    )


def _merge(target: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    """Merge nested dicts (like Plotly's update_layout), in place."""
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = value
    return target


def _value_text(row: dict[str, Any], spec: Chart, lang: str = "en") -> str:
    """The figure as a reader reads it, unit included: for hover text."""
    return str(row.get("value_text") or _cell(row[spec.y], lang))


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
    """'Keqiao: 2,252.28 bn yuan' / '柯桥区：2252.28亿元': one message, so Chinese gets its own
    punctuation; the series, when there is one, in brackets after it."""
    shown = gettext(lang, N_("%(name)s: %(value)s")) % {"name": name, "value": value}
    return (
        gettext(lang, N_("%(text)s (%(series)s)")) % {"text": shown, "series": series}
        if series
        else shown
    )


def _label_decimals(rows: list[dict[str, Any]], spec: Chart) -> int:
    """One decimal when any plotted value has a fraction (or the chart shows rates), else none."""
    values = [r[spec.y] for r in rows if isinstance(r.get(spec.y), float)]
    rates = any(r.get("unit") == "%" for r in rows)
    return 1 if rates or any(not v.is_integer() for v in values) else 0


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
    if spec.kind == "timeline":
        trace = {
            "type": "scatter",
            "x": [r["date"] for r in rows],
            "y": [r.get(spec.y, "") for r in rows],
            "mode": "markers",
            "marker": {
                "size": 12,
                "color": accent,
                "symbol": ["circle-open" if _marked(r) else "circle" for r in rows],
            },
            "customdata": [_hover(i18n.date(r["date"], lang), r["title"], lang) for r in rows],
            "hovertemplate": HOVER,
            "showlegend": False,
        }
        layout = {
            "xaxis": {"type": "date", "showgrid": True, "gridcolor": "#e3e3e3"},
            "yaxis": {"type": "category", "rangemode": "normal", "gridcolor": "#e3e3e3"},
        }
        return [trace], layout
    traces: list[dict[str, Any]] = []
    groups: dict[Any, list[int]] = {}
    for i, row in enumerate(rows):
        groups.setdefault(row[spec.series] if spec.series else None, []).append(i)
    horizontal = spec.kind == "bar"
    for n, (name, idx) in enumerate(groups.items()):
        sub = [rows[i] for i in idx]
        cats = [
            r["period_mid"] if spec.kind == "line" and spec.x == "period" else r[spec.x]
            for r in sub
        ]
        values = [r[spec.y] for r in sub]
        hover = [
            _hover(
                r[spec.x],
                _value_text(r, spec, lang),
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
                trace["x"], trace["y"], trace["customdata"] = _break_gaps(cats, values, hover)
                trace["connectgaps"] = False
                if all(
                    a is None or b is None for a, b in zip(trace["x"], trace["x"][1:], strict=False)
                ):
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
            trace["text"] = [_bar_label(r, spec, lang, _label_decimals(rows, spec)) for r in sub]
        traces.append(trace)
    if spec.kind == "line":
        return traces, {
            "xaxis": {"type": "date", "tickformat": "%Y"},
            "yaxis": _value_ticks(rows, spec, lang),
        }
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
