"""The charts' own pages, their iframe pages and downloads, and what templates show
of a chart (its view, drawings and embed code)."""

from __future__ import annotations

import html
from dataclasses import dataclass, replace
from typing import Any

from markupsafe import Markup

from ..charts import ChartOutput
from ..collisions import (
    record_origin,
)
from ..content import Content
from ..deps import RecordedValues, chart_key, recording
from ..drawing import WIDE_WIDTH
from ..markdown import BLOCK
from ..models import text
from ..render import Urls
from .jobs import Job, SitePlan
from .views import SourceView, cited_view


def download_name(chart_id: str, extension: str) -> str:
    """A chart's data file is named after the chart (sailings-by-route.csv), so a reader's
    downloads folder does not fill with data.csv, data (1).csv, …"""
    return f"{chart_id}.{extension}"


def story_titles(content: Content, lang: str) -> dict[str, str]:
    """A page's address (as chart_homes gives it) -> its title, in this language. Made from
    every page's front matter, but a page that reads it depends on its value only: a menu
    rename leaves the chart pages that name their story as they were."""
    return content.settled(("story-titles", lang), lambda made_of: _story_titles(made_of, lang))


def _story_titles(content: Content, lang: str) -> dict[str, str]:
    return {
        (page.meta.slug + "/" if page.meta.slug else ""): text(page.meta.title, lang)
        for page in content.pages
        if page.lang == lang
    }


def chart_homes(content: Content, lang: str) -> dict[str, str]:
    """Chart id -> the address of the page that places it (`::: chart ID`), in this language.
    Made from every page's body, but a page that reads it depends on its value only: a prose
    edit that moves no chart leaves the chart pages as they were."""
    return content.settled(("chart-homes", lang), lambda made_of: _chart_homes(made_of, lang))


def _chart_homes(content: Content, lang: str) -> dict[str, str]:
    homes: dict[str, str] = {}
    for page in content.pages:
        if page.lang == lang:
            for m in BLOCK.finditer(page.body):
                if m.group(1) == "chart":
                    homes.setdefault(m.group(2), page.meta.slug + "/" if page.meta.slug else "")
    return homes


@dataclass(frozen=True, slots=True)
class ChartView:
    """What templates show of a chart (partials/chart.html, chart.html, chart-embed.html)."""

    id: str
    title: str
    subtitle: str
    notes: list[str]
    alt: str
    height: int
    sources: list[SourceView]
    headers: list[str]
    table: Any
    """Its rows, as the HTML table shows them."""
    figure_url: str
    csv_url: str
    json_url: str
    permalink: str
    """The chart in its story, else its own page (charts/ID/)."""
    story_url: str
    story_title: str
    embed_url: str
    svg_wide: Markup
    svg_narrow: Markup
    width: int
    narrow_height: int
    preview_url: str
    embed_code: str
    cites: list[Any] | None = None
    """Its sources' citation marks on the page that places it; None on its own page."""
    embed: bool = False
    """Shown in an iframe (charts/ID/embed/)."""


def chart_view(
    chart: ChartOutput, content: Content, urls: Urls, lang: str, home: str | None = None
) -> ChartView:
    spec = chart.spec
    sources = content.index(content.citations)  # looked up once for the chart's sources
    base = f"charts/{spec.id}/"
    return ChartView(
        id=spec.id,
        title=text(spec.title, lang),
        subtitle=text(spec.subtitle, lang),
        notes=[text(n, lang) for n in spec.notes],
        alt=text(spec.alt, lang),
        height=spec.height,
        sources=[cited_view(content, s, lang, sources) for s in spec.sources],
        headers=[h for _, h in chart.columns],
        table=chart.table(),
        figure_url=urls.url(base + "figure.json"),
        csv_url=urls.url(base + download_name(spec.id, "csv")),
        json_url=urls.url(base + download_name(spec.id, "json")),
        # The chart in its story; charts/ID/ is its own page, charts/ID/embed/ the iframe's.
        permalink=urls.absolute(f"{home}#chart-{spec.id}")
        if home is not None
        else urls.absolute(base),
        story_url=urls.url(f"{home}#chart-{spec.id}") if home is not None else "",
        story_title=story_titles(content, lang).get(home, "") if home is not None else "",
        embed_url=urls.absolute(base + EMBED),
        **drawing_view(chart, urls, base),
    )


def drawing_view(chart: ChartOutput, urls: Urls, base: str) -> dict[str, Any]:
    """The chart's drawings for templates (drawing.py made them): the wide and the phone SVG,
    inlined, their sizes (to reserve the box), and the link-preview image."""
    drawings = chart.drawings
    return {
        "svg_wide": Markup(drawings.get("wide", "")),
        "svg_narrow": Markup(drawings.get("narrow", "")),
        "width": WIDE_WIDTH,
        "narrow_height": chart.narrow["layout"]["height"] if drawings else 0,
        "preview_url": urls.absolute(base + "preview.png") if "preview" in drawings else "",
        "embed_code": embed_code(chart, urls, base),
    }


EMBED = "embed/"
"""Where a chart's iframe page is, under its own page (charts/ID/embed/)."""


EMBED_LISTENER = (
    '<script>window.addEventListener("message",function(e){{var d=e.data;'
    'if(e.origin!=="{origin}"||!d||d.type!=="tiangong-site:height")return;'
    'var f=document.getElementsByTagName("iframe");for(var i=0;i<f.length;i++)'
    'if(f[i].contentWindow===e.source)f[i].style.height=d.height+"px";}});</script>'
)
"""The host page's half of the embed, as Datawrapper's: the chart page posts its height
(static/embed.js) and this sets the iframe to it, now and whenever it changes."""


def embed_code(chart: ChartOutput, urls: Urls, base: str) -> str:
    """What a host pastes: an iframe tall enough for the chart on a desktop column (so it works
    alone), and the listener that fits it to its content at any width."""
    spec, lang = chart.spec, chart.lang
    note_lines = sum(len(text(n, lang)) // 90 + 1 for n in spec.notes)
    height = spec.height + 200 + 21 * note_lines
    title = html.escape(text(spec.title, lang), quote=True)
    frame = (
        f'<iframe src="{urls.absolute(base + EMBED)}" title="{title}" width="100%" '
        f'height="{height}" style="border:0" loading="lazy"></iframe>'
    )
    return frame + "\n" + EMBED_LISTENER.format(origin=urls.origin)


def chart_views(
    charts: dict[str, ChartOutput], content: Content, urls: Urls, lang: str
) -> RecordedValues[ChartView]:
    """What templates show of each chart, each with the keys of what it was made from: a
    page that shows a chart records them, and the chart's own key."""
    views = {}
    for cid, chart in charts.items():
        with recording() as keys:
            view = chart_view(chart, content, urls, lang, chart_homes(content, lang).get(cid))
        views[cid] = (view, frozenset(keys))
    return RecordedValues(views, lambda cid: chart_key(lang, cid))


def _plan_charts(
    plan: SitePlan,
    content: Content,
    charts: RecordedValues[ChartOutput],
    views: RecordedValues[ChartView],
    urls: Urls,
    lang: str,
) -> None:
    position = {spec.id: i for i, spec in enumerate(content.datasets["charts"])}
    for cid, chart in charts.items():
        base = f"charts/{cid}/"
        origin = record_origin(
            content, "charts", position[cid], "the chart pages and downloads, charts/ID/"
        )
        csv_path, json_path = base + download_name(cid, "csv"), base + download_name(cid, "json")
        plan.files[base + "figure.json"] = chart.figure_json()
        plan.files[csv_path] = chart.csv()
        plan.files[json_path] = chart.json()
        plan.origins.update(dict.fromkeys((base + "figure.json", csv_path, json_path), origin))
        if "preview" in chart.drawings:
            plan.files[base + "preview.png"] = chart.drawings["preview"]
            plan.origins[base + "preview.png"] = origin
        plan.jobs.append(  # the chart's own page: indexable, with the site around it
            Job(
                path=base + "index.html",
                template="chart.html",
                context=lambda env, cid=cid: {
                    "chart": views[cid],
                    "share": chart_share(views[cid]),
                },
                url_path=base,
                title=views[cid].title,
                origin=origin,
            )
        )
        plan.jobs.append(  # for iframes: noindex (chart-embed.html), out of the sitemap
            Job(
                path=base + EMBED + "index.html",
                template="chart-embed.html",
                context=lambda env, cid=cid: {
                    "chart": replace(views[cid], embed=True),
                    "share": chart_share(views[cid]),
                },
                url_path=base + EMBED,
                title=views[cid].title,
                origin=origin,
                in_sitemap=False,
            )
        )


def chart_share(view: ChartView) -> dict[str, Any]:
    """A chart page's link preview: its own title, and the chart itself as the image."""
    return {
        "title": view.title,
        "type": "website",
        "image": view.preview_url,
        "image_alt": view.alt,
    }
