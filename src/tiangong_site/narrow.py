"""The phone layout of a chart (screens up to 480 px), made from its desktop figure.

Bars of every kind become horizontal bars with each category's label on its own line above
its bar (so no label is clipped, tilted or squeezed beside the plot), the value printed at the
bar's end and no value axis; lines and timelines keep their drawing with fewer ticks. Legends
put one entry on a line. Derived from the wide figure, so the two cannot show different data.
"""

from __future__ import annotations

import copy
import re
import textwrap
import unicodedata
from typing import Any

WIDTH = 340
"""The width the phone drawing is made at: a 360 px screen less the page's margins."""
LABEL_LINE, BAR, GAP, LEGEND_LINE = 18, 18, 14, 22
CHARS_LATIN, CHARS_WIDE = 40, 21
"""Characters a label line holds at WIDTH px (13 px text): Latin and CJK."""


def narrow_figure(figure: dict[str, Any], kind: str) -> dict[str, Any]:
    """The figure laid out for a phone (a new dict; `figure` is not changed)."""
    narrow = copy.deepcopy(figure)
    layout = narrow["layout"]
    layout.pop("width", None)
    if layout.get("showlegend"):
        _stack_legend(narrow)
    if kind == "grid":
        return _narrow_grid(narrow)
    if kind == "timeline":
        layout.update(list_layout(narrow["data"][0], NARROW_LIST_CHARS))
        return narrow
    if kind in ("line", "timeline"):
        layout.setdefault("xaxis", {})["nticks"] = 4
        layout.setdefault("yaxis", {})["nticks"] = 5
        layout["height"] = min(layout.get("height", 360), 320) + _legend_height(narrow)
        return narrow
    return _horizontal(narrow)


WIDE_LIST_CHARS = {"latin": 88, "cjk": 44}
"""Characters a line of an annotated list holds in the desktop drawing (13 px text)."""
NARROW_LIST_CHARS = {"latin": 40, "cjk": 20}
LIST_LINE, LIST_GAP, LIST_INDENT = 17, 12, 18


def list_layout(trace: dict[str, Any], chars: dict[str, int] | int) -> dict[str, Any]:
    """Place the marks of an annotated list (a timeline) and the labels beside them, each
    label wrapped to `chars` a line: the y axis counts pixels, so no label can run into the
    next however many lines it takes. Sets the trace's y; returns the layout."""
    labels = trace["meta"]["labels"]
    ys, annotations, top = [], [], 0.0
    for head, body in labels:
        width = chars if isinstance(chars, int) else chars["cjk" if _cjk(body) else "latin"]
        lines = wrap(head, width) + wrap(body, width)
        bold = len(wrap(head, width))
        shown = [f"<b>{line}</b>" if n < bold else line for n, line in enumerate(lines)]
        ys.append(top + LIST_LINE / 2)
        annotations.append(
            {
                "text": "<br>".join(shown),
                "x": 0,
                "xref": "x",
                "xanchor": "left",
                "xshift": LIST_INDENT,
                "align": "left",
                "y": top,
                "yref": "y",
                "yanchor": "top",
                "showarrow": False,
                "font": {"size": 13},
            }
        )
        top += LIST_LINE * len(lines) + LIST_GAP
    trace["y"] = ys
    hidden = {"visible": False, "fixedrange": True}
    return {
        "annotations": annotations,
        "height": int(top + 8),
        "margin": {"l": 8, "r": 4, "t": 4, "b": 4},
        "xaxis": {**hidden, "range": [-0.04, 1]},
        "yaxis": {**hidden, "range": [top, 0], "type": "linear"},
    }


GRID_LABEL_CHARS = 10


def _narrow_grid(narrow: dict[str, Any]) -> dict[str, Any]:
    """A grid keeps its marks; each mark's name breaks onto two short lines so the next
    column stays clear, and the key under it wraps to the phone's width."""
    for trace in narrow["data"]:
        trace["text"] = ["<br>".join(wrap(str(t), GRID_LABEL_CHARS)) for t in trace["text"]]
        trace["textfont"] = dict(trace.get("textfont", {}), size=12)
    layout = narrow["layout"]
    keys = layout.get("annotations", [])
    for key in keys:
        key["text"] = "<br>".join(wrap(key["text"]))
    lines = max((k["text"].count("<br>") + 1 for k in keys), default=0)
    layout["margin"] = dict(layout.get("margin", {}), l=4, r=4, b=8 + 18 * lines)
    return narrow


BREAK_AFTER = "，、；：。）”"


def wrap(label: str, width: int | None = None) -> list[str]:
    """A label in lines that fit the phone's width. CJK text breaks between characters,
    preferably after punctuation, never inside a run of Latin letters or digits ("9.3%"),
    and no line starts with closing punctuation (，。）”). English breaks between words,
    counting a Chinese name inside it as double width."""
    if not _cjk(label):
        if not any(_columns(ch) == 2 for ch in label):
            return textwrap.wrap(label, width or CHARS_LATIN) or [""]
        return _wrap_words(label, width or CHARS_LATIN)
    limit = 2 * (width or CHARS_WIDE)  # in half-width units
    tokens = re.findall(r"[\x21-\x7e]+|\s|.", label)
    lines, line, used, best = [], "", 0, -1
    for token in tokens:
        size = _columns(token)
        if used + size > limit and line and token not in BREAK_AFTER:
            cut = best if best > len(line) // 2 else len(line)
            lines.append(line[:cut].strip())
            line, best = line[cut:], -1
            used = _columns(line)
        line += token
        used += size
        if token in BREAK_AFTER:
            best = len(line)
    return lines + [line.strip()] if line.strip() else lines or [""]


def _columns(text: str) -> int:
    """Width in half-width columns: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _wrap_words(label: str, width: int) -> list[str]:
    lines: list[str] = []
    line = ""
    for word in label.split():
        if line and _columns(line) + 1 + _columns(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return lines + [line] if line else lines or [""]


def _visible(trace: dict[str, Any]) -> bool:
    """A trace that draws bars (legend-only entries have a single None)."""
    return any(v is not None for v in trace.get("x", []))


def _categories(traces: list[dict[str, Any]]) -> list[Any]:
    cats: list[Any] = []
    for trace in traces:  # one trace may hold a category twice (its parts of each basis)
        column = trace["y"] if trace.get("orientation") == "h" else trace["x"]
        cats += [c for c in dict.fromkeys(column) if c is not None and c not in cats]
    return cats


def _horizontal(narrow: dict[str, Any]) -> dict[str, Any]:
    layout, traces = narrow["layout"], [t for t in narrow["data"] if _visible(t)]
    cats = _categories(traces)
    grouped = layout.get("barmode") == "group"
    series = [t.get("name") for t in traces] if grouped else [None]
    lines = {c: wrap(str(c)) for c in cats}
    bands, top = [], 0.0
    for c in cats:  # each band: label lines, then one bar per series, then a gap
        height = LABEL_LINE * len(lines[c]) + 4 + BAR * len(series) + GAP
        bands.append((top, height))
        top += height
    plot_height = top
    totals: dict[Any, float] = {}
    for trace in narrow["data"]:
        if not _visible(trace):
            continue
        vertical = trace.get("orientation") != "h"
        values, column = (trace["y"], trace["x"]) if vertical else (trace["x"], trace["y"])
        slot = series.index(trace.get("name")) if grouped else 0
        positions = []
        for c, v in zip(column, values, strict=False):
            band_top, height = bands[cats.index(c)]
            bar_top = band_top + LABEL_LINE * len(lines[c]) + 4 + BAR * slot
            positions.append((bar_top + BAR / 2) / plot_height)
            totals[c] = totals.get(c, 0) + (v or 0)
        trace.update(x=values, y=positions, orientation="h", width=BAR / plot_height * 0.9)
        trace["textposition"] = "outside" if "text" in trace else trace.get("textposition", "none")
    for trace in narrow["data"]:
        if not _visible(trace):
            trace.update(orientation="h")
    labels = [
        {
            "text": "<br>".join(lines[c]),
            "x": 0,
            "xref": "x",
            "xanchor": "left",
            "align": "left",
            "y": band_top / plot_height,
            "yref": "y",
            "yanchor": "top",
            "showarrow": False,
            "font": {"size": 13},
        }
        for c, (band_top, _) in zip(cats, bands, strict=False)
    ]
    totals_shown = [
        {
            "text": a["text"],
            "x": a["y"],
            "y": _bar_middle(a["x"], cats, bands, lines, plot_height),
            "xanchor": "left",
            "xshift": 4,
            "yanchor": "middle",
            "showarrow": False,
        }
        for a in layout.get("annotations", [])
        if a.get("x") in cats
    ]
    longest = max(totals.values(), default=0) or 1
    legend = _legend_height(narrow)
    layout.update(
        annotations=labels + totals_shown,
        barmode="stack" if not grouped else "overlay",
        bargap=0,
        height=int(plot_height + legend + 12),
        margin={"l": 4, "r": 8, "t": legend + 4, "b": 8},
        xaxis={
            "range": [0, longest * 1.3],
            "showgrid": False,
            "showticklabels": False,
            "ticks": "",
            "zeroline": False,
            "showline": False,
            "fixedrange": True,
        },
        yaxis={
            "range": [1, 0],
            "showgrid": False,
            "showticklabels": False,
            "ticks": "",
            "zeroline": False,
            "showline": False,
            "fixedrange": True,
        },
    )
    layout.pop("uniformtext", None)
    return narrow


def _bar_middle(
    cat: Any,
    cats: list[Any],
    bands: list[tuple[float, float]],
    lines: dict[Any, list[str]],
    plot_height: float,
) -> float:
    band_top, _ = bands[cats.index(cat)]
    return (band_top + LABEL_LINE * len(lines[cat]) + 4 + BAR / 2) / plot_height


def _legend_entries(narrow: dict[str, Any]) -> list[dict[str, Any]]:
    return [t for t in narrow["data"] if t.get("showlegend", True) and t.get("name")]


def _legend_height(narrow: dict[str, Any]) -> int:
    if not narrow["layout"].get("showlegend"):
        return 0
    return sum(LEGEND_LINE * len(t["name"].split("<br>")) for t in _legend_entries(narrow)) + 6


def _stack_legend(narrow: dict[str, Any]) -> None:
    """One legend entry per line, above the plot, long names wrapped."""
    for trace in _legend_entries(narrow):
        trace["name"] = "<br>".join(wrap(str(trace["name"]), 34 if not _cjk(trace["name"]) else 18))
    legend = narrow["layout"].setdefault("legend", {})
    legend.update(
        orientation="h",
        entrywidth=1,
        entrywidthmode="fraction",
        x=0,
        xanchor="left",
        y=1,
        yanchor="bottom",
    )


def _cjk(value: Any) -> bool:
    text = str(value)
    return sum(1 for ch in text if unicodedata.east_asian_width(ch) in "WF") * 2 > len(text)
