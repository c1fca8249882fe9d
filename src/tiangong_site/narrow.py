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
    narrow = _copied(figure)
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
        named = [t for t in narrow["data"] if "+text" in t.get("mode", "")]
        if named and "range" in layout["xaxis"]:  # direct labels: placed again for the phone
            for trace in named:
                trace["mode"] = trace["mode"].replace("+text", "")
            place_line_labels(named, layout, WIDTH, layout["height"] - _legend_height(narrow))
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


MAX_DIRECT_LABELS = 6
"""Up to this many series are named beside their marks instead of in a legend."""
LABEL_FONT = 13
POSITIONS = ("middle right", "top center", "middle left", "bottom center")


def _date_number(value: Any) -> float:
    """'2023-07-01' -> 2023.5: dates as years, for placing labels."""
    parts = [int(p) for p in str(value)[:10].split("-")] + [1, 1]
    return parts[0] + (parts[1] - 1) / 12 + (parts[2] - 1) / 365


def place_line_labels(
    traces: list[dict[str, Any]], layout: dict[str, Any], width: int, height: int
) -> None:
    """Name each series of a line chart once, beside one of its own points, where the name
    covers no mark and no other name (tried from its last point back, right of the point
    first): a direct label instead of a legend. The axes' ranges must be set."""
    x0, x1 = (_date_number(v) for v in layout["xaxis"]["range"])
    y0, y1 = layout["yaxis"]["range"]
    left, right, top, bottom = 32, width - 16, 16, height - 30  # the plot area, roughly

    def pixel(x: Any, y: float) -> tuple[float, float]:
        px = left + (_date_number(x) - x0) / (x1 - x0) * (right - left)
        return px, bottom - (y - y0) / (y1 - y0) * (bottom - top)

    marks = [
        pixel(x, y)
        for t in traces
        for x, y in zip(t["x"], t["y"], strict=False)
        if x is not None and y is not None
    ]
    taken: list[tuple[float, float, float, float]] = [
        (x - 9, y - 9, x + 9, y + 9) for x, y in marks
    ]
    area = (left, top, right + 12, bottom)
    plans = []
    for trace in traces:
        points = [(i, x, y) for i, (x, y) in enumerate(zip(trace["x"], trace["y"], strict=False))]
        points = [(i, x, y) for i, x, y in points if x is not None and y is not None]
        name = str(trace.get("name", ""))
        size = (_columns(name) * LABEL_FONT * 0.6, LABEL_FONT + 5)
        free = _spots(points, pixel, size, taken, area, free_only=True)
        plans.append((len(free), trace, points, size))
    # The series with the fewest free places is named first, so it keeps one of them.
    for _, trace, points, size in sorted(plans, key=lambda plan: plan[0]):
        index, position, box = _spots(points, pixel, size, taken, area)[0]
        taken.append(box)
        name = str(trace.get("name", ""))
        trace["text"] = [name if i == index else "" for i in range(len(trace["x"]))]
        trace["textposition"] = position
        trace["mode"] = trace.get("mode", "markers") + "+text"
        colour = trace.get("marker", {}).get("color")
        trace["textfont"] = {"size": LABEL_FONT} | ({"color": colour} if colour else {})
        trace["cliponaxis"] = False


def _spots(points, pixel, size, taken, area, free_only=False):
    """Places for a label: (point, position, box), tried from the last point back, right of
    it first; those that overlap nothing taken and stay in the area come first, then the
    rest by how much they overlap (or only the free ones, with `free_only`)."""
    w, h = size
    found = []
    for order, (index, x, y) in enumerate(reversed(points)):
        px, py = pixel(x, y)
        for rank, position in enumerate(POSITIONS):
            box = {
                "middle right": (px + 9, py - h / 2, px + 9 + w, py + h / 2),
                "middle left": (px - 9 - w, py - h / 2, px - 9, py + h / 2),
                "top center": (px - w / 2, py - 9 - h, px + w / 2, py - 9),
                "bottom center": (px - w / 2, py + 9, px + w / 2, py + 9 + h),
            }[position]
            inside = (
                area[0] <= box[0] and box[2] <= area[2] and area[1] <= box[1] and box[3] <= area[3]
            )
            score = sum(_overlap(box, other) for other in taken) + (0 if inside else 10)
            found.append((score, order, rank, (index, position, box)))
    found.sort(key=lambda f: f[:3])
    return [spot for score, *_, spot in found if score == 0 or not free_only]


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


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


SHARED_AS_THEY_ARE = frozenset((str, int, float, bool, type(None)))


def _copied(value: Any) -> Any:
    """copy.deepcopy of a figure's plain data (dicts, lists, strings, numbers), a few times
    faster: deepcopy keeps a memo of every object it copied, which plain data needs not.
    Anything else is deep-copied as before."""
    kind = value.__class__
    if kind is dict:
        return {key: _copied(item) for key, item in value.items()}
    if kind is list:
        return [_copied(item) for item in value]
    if kind in SHARED_AS_THEY_ARE:
        return value
    return copy.deepcopy(value)


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
    lines = lines + [line.strip()] if line.strip() else lines or [""]
    return _no_orphan(lines)


def _no_orphan(lines: list[str]) -> list[str]:
    """No last line of one or two Chinese characters alone (协同 / 区): two characters of the
    line before come down to keep it company."""
    if len(lines) < 2 or _columns(lines[-1]) > 4:
        return lines
    previous = lines[-2]
    moved = previous[-2:]
    if len(previous) <= 4 or any(ch.isascii() and ch.isalnum() for ch in moved):
        return lines
    return [*lines[:-2], previous[:-2], moved + lines[-1]]


def _columns(text: str) -> int:
    """Width in half-width columns: CJK characters take two."""
    if text.isascii():  # none is wide: most labels, and every Latin token of a Chinese one
        return len(text)
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
    # Series named on the chart (no legend): each name on a line of its own above its bar in
    # the first band, as the desktop drawing names the bars of its first group.
    named = {
        t.get("name"): wrap(str(t["name"]))
        for t in traces
        if grouped and t.get("name") and t.get("showlegend") is False
    }
    first = {  # the band where each named series first has a bar: its name goes there
        t.get("name"): next(c for c in _categories([t])) for t in traces if t.get("name") in named
    }

    def bar_top(c: Any, slot: int) -> float:
        """Where the bar of series `slot` starts in category c's band (label lines first)."""
        above = LABEL_LINE * len(lines[c]) + 4 + BAR * slot
        return above + sum(
            LABEL_LINE * len(named[s]) for s in series[: slot + 1] if s in named and first[s] == c
        )

    bands, top = [], 0.0
    for c in cats:  # each band: label lines, then one bar per series, then a gap
        height = bar_top(c, len(series) - 1) + BAR + GAP
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
            positions.append((band_top + bar_top(c, slot) + BAR / 2) / plot_height)
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
    labels += [
        {
            "text": "<br>".join(named[name]),
            "x": 0,
            "xref": "x",
            "xanchor": "left",
            "align": "left",
            "y": (
                bands[cats.index(first[name])][0]
                + bar_top(first[name], slot)
                - LABEL_LINE * len(named[name])
            )
            / plot_height,
            "yref": "y",
            "yanchor": "top",
            "showarrow": False,
            "font": {"size": 12, "color": _colour(traces, name)},
        }
        for slot, name in enumerate(series)
        if name in named
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


def _colour(traces: list[dict[str, Any]], name: Any) -> str:
    colour = next(t.get("marker", {}).get("color") for t in traces if t.get("name") == name)
    return colour if isinstance(colour, str) else "#1f1f1f"


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
