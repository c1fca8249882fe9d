"""Plan the site: every page and file to write, with the plain data its template needs.

Templates hold markup only; everything they show is prepared here as plain dicts
and lists, so no data wrangling happens in Jinja.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import jinja2
from markupsafe import Markup

from . import i18n, safejson
from .charts import CSV_BOM, ChartOutput
from .cjk import mark_chinese_runs
from .collisions import (
    Origin,
    address_problems,
    dataset_origin,
    element_id_problems,
    page_origin,
    record_origin,
)
from .content import Content, Page, close_matches
from .deps import RecordedList, RecordedValues, chart_key, recording
from .drawing import WIDE_WIDTH
from .errors import Problem
from .feeds import Entry, robots_txt, sitemap_xml
from .i18n import HTML_LANG, LANGUAGE_NAMES, N_, OG_LOCALE, SOURCE_LANGUAGE, gettext
from .languages import writes_han
from .markdown import BLOCK, render_markdown
from .models import DATASETS, text
from .render import Urls
from .tables import (
    ROW_BUILDERS,
    dataset_rows,
    download_header,
    in_language,
    label,
    ordinal,
)

RenderResult = tuple[str, list[Problem], frozenset[str]]
"""A page's HTML, the problems found making it, and the keys of what it read (deps.py)."""


@dataclass
class Job:
    """One HTML page to write: its path in the output, and how to render it."""

    path: str
    template: str
    context: Callable[[jinja2.Environment], dict[str, Any]]
    depends: frozenset[str] | None = None
    """The keys of what the page read when it was last rendered (deps.py), or None before:
    recorded, never listed by hand, so the preview knows which pages an edit touches."""
    url_path: str = ""
    title: str = ""
    in_sitemap: bool = True
    og_type: str = "website"
    lang: str = "en"
    canonical: str = ""
    nav: list[dict[str, Any]] = field(default_factory=list)
    alternates: list[dict[str, Any]] = field(default_factory=list)
    """The same page in each language: {lang, hreflang, name, href, current}."""
    origin: Origin | None = None
    """What made the page, for messages about its address or its ids."""

    def full_context(self, env: jinja2.Environment) -> tuple[dict[str, Any], list[Problem]]:
        """Everything the template reads besides the environment's globals, and the problems
        found while gathering it."""
        context = self.context(env)
        problems: list[Problem] = list(context.pop("_problems", []))
        context.setdefault("canonical", self.canonical)
        context.setdefault("nav", self.nav)
        context.setdefault("alternates", self.alternates)
        context.setdefault("current", self.url_path)
        context.setdefault("share", {"title": self.title, "type": self.og_type})
        context.setdefault("json_ld", None)
        return context, problems

    def render(self, env: jinja2.Environment, plan: SitePlan) -> RenderResult:
        """The page's HTML and problems, and the keys of all it read meanwhile: recorded for
        any job, whatever made it, and returned with the page (not kept on the job), so a
        page rendered in another process brings them back with it."""
        with recording() as keys:
            context, problems = self.full_context(env)
            html, problems = self._render_with(env, plan, context, problems)
        return html, problems, frozenset(keys)

    def _render_with(
        self, env: jinja2.Environment, plan: SitePlan, context: dict[str, Any], found: list[Problem]
    ) -> tuple[str, list[Problem]]:
        html = env.get_template(self.template).render(**context)
        if not writes_han(self.lang):  # Chinese quoted in another language says so (zh-Hans)
            html = mark_chinese_runs(html)
        folders = getattr(env.loader, "searchpath", None)  # where the templates' own ids are read
        ids = element_id_problems(html, self, context, plan, Path(folders[0]) if folders else None)
        return html, found + ids

    def ambient(self) -> dict[str, Any]:
        """What the page is given besides its context function (nav, alternates, canonical…):
        every field but the ones that say how to make or find it. A change to any means the
        page must be rendered again, whatever its data."""
        skip = {"context", "depends", "origin", "nav"}  # the menu records what it is made of
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name not in skip}


@dataclass
class SitePlan:
    urls: Urls
    jobs: list[Job] = field(default_factory=list)
    files: dict[str, str | bytes] = field(default_factory=dict)
    nav: list[dict[str, Any]] = field(default_factory=list)
    navs: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    origins: dict[str, Origin] = field(default_factory=dict)
    """What made each of `files`."""
    problems: list[Problem] = field(default_factory=list)
    """Addresses two things claim: reported with the rendering's problems."""
    content: Content | None = None

    @property
    def page_count(self) -> int:
        return len(self.jobs)


class Citations:
    """Numbers the sources a page cites, in the order it first cites them."""

    def __init__(self, content: Content, urls: Urls, lang: str):
        cited = content.citations
        self.sources = content.index(cited) if cited in content.datasets else {}
        self.content, self.urls, self.lang = content, urls, lang
        self.order: list[str] = []

    def cite(self, source_id: str) -> dict[str, Any]:
        if source_id not in self.order:
            self.order.append(source_id)
        return {"n": self.order.index(source_id) + 1, "id": source_id, "href": f"#cite-{source_id}"}

    def listing(self) -> list[dict[str, Any]]:
        return [
            source_view(self.content, self.sources[sid], self.lang) | {"n": i + 1}
            for i, sid in enumerate(self.order)
        ]


class StatusNotes:
    """The notes a page's status markers link to, numbered in the order first marked.

    A value that is derived, inferred, unknown or conflicting gets one small marker after it
    (its accessible label says "inferred: see note"); the note itself is listed at the end of
    the page, never put in brackets inside the sentence."""

    def __init__(self) -> None:
        self.notes: list[dict[str, Any]] = []

    def mark(self, view: dict[str, Any], subject: str) -> dict[str, Any]:
        """`view` (from status_view) with `status_note` {n, href} when it needs a marker."""
        if view.get("status", "reported") == "reported":
            return view | {"status_note": None}
        key = (subject, view["status"], view["uncertain"])
        found = next((n for n in self.notes if n["key"] == key), None)
        if found is None:
            n = len(self.notes) + 1
            found = {
                "key": key,
                "n": n,
                "id": f"status-note-{n}",
                "href": f"#status-note-{n}",
                "subject": subject,
                "status_name": view["status_name"],
                "note": view["uncertain"],
            }
            self.notes.append(found)
        return view | {"status_note": {"n": found["n"], "href": found["href"]}}

    def listing(self) -> list[dict[str, Any]]:
        return [{k: v for k, v in note.items() if k != "key"} for note in self.notes]


def _mostly_chinese(value: str) -> bool:
    han = sum(1 for ch in value if "\u4e00" <= ch <= "\u9fff")
    return han * 2 > len(value.strip("[] "))


def _other_name(name: Any, lang: str) -> dict[str, str]:
    """A place's or cluster's Chinese name, shown beside its English one (Xinchang 新昌县).
    Chinese headings stay Chinese: an English name appended to them reads as a gloss."""
    if isinstance(name, str) or lang == "zh":
        return {"other_name": "", "other_lang": ""}
    other = "zh" if lang != "zh" else "en"
    value = getattr(name, other, None) or ""
    return {
        "other_name": value if value != text(name, lang) else "",
        "other_lang": HTML_LANG[other],
    }


def _title_lang(title: str, lang: str) -> str:
    """The language of a source's title when it is not the page's: a Chinese title on an
    English page, an English one (a source printed in English) on a Chinese page."""
    if lang != "zh":
        return "zh-Hans" if _mostly_chinese(title) else ""
    return "en" if title and not any(_is_han(ch) for ch in title) else ""


def _is_han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


SOURCE_VIEW = ("id", "title", "publisher", "date", "url", "kind", "kind_name", "language")
"""What a template may read of a cited document, each "" when the citation list's
declaration has no such field (docs/editing.md, "Citations")."""


def source_view(content: Content, source: Any, lang: str) -> dict[str, Any]:
    """A document of the citation list as pages show it: its row (text in `lang`, words
    for its codes), with its title's language and its address as print shows it."""
    from .declared.rows import row_of

    row = row_of(content, content.citations, source, lang)
    view = {k: "" if v is None else v for k, v in row.items() if k[:1] != "_"}
    key = content.package.resources[content.citations].primary_key
    view = dict.fromkeys(SOURCE_VIEW, "") | view | {"id": row[key]}
    view["title_lang"] = _title_lang(view["title"], lang)
    view["print_url"] = short_url(view["url"])
    view.setdefault("language_name", "")
    view.setdefault("note", "")
    return view


def download_name(chart_id: str, extension: str) -> str:
    """A chart's data file is named after the chart (shaoxing-wins.csv), so a reader's
    downloads folder does not fill with data.csv, data (1).csv, …"""
    return f"{chart_id}.{extension}"


def status_view(record: Any, lang: str, statuses: tuple[str, ...] = ("status",)) -> dict[str, Any]:
    """What a template needs to mark a record that is not simply reported: the weakest of its
    statuses, the marker's accessible label ("inferred: see note") and the note."""
    weakest = next(
        (getattr(record, k) for k in statuses if getattr(record, k) != "reported"), "reported"
    )
    name = label(f"status-{weakest}", lang)
    return {
        "status": weakest,
        "status_name": name,
        "status_label": label("status-marker", lang) % name if weakest != "reported" else "",
        "uncertain": text(record.uncertain, lang),
    }


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


def chart_view(
    chart: ChartOutput, content: Content, urls: Urls, lang: str, home: str | None = None
) -> dict[str, Any]:
    spec = chart.spec
    sources = content.index(content.citations)
    base = f"charts/{spec.id}/"
    return {
        "id": spec.id,
        "title": text(spec.title, lang),
        "subtitle": text(spec.subtitle, lang),
        "notes": [text(n, lang) for n in spec.notes],
        "alt": text(spec.alt, lang),
        "height": spec.height,
        "sources": [source_view(content, sources[s], lang) for s in spec.sources],
        "headers": [h for _, h in chart.columns],
        "table": chart.table(),
        "figure_url": urls.url(base + "figure.json"),
        "csv_url": urls.url(base + download_name(spec.id, "csv")),
        "json_url": urls.url(base + download_name(spec.id, "json")),
        # The chart in its story; charts/ID/ is its own page, charts/ID/embed/ the iframe's.
        "permalink": urls.absolute(f"{home}#chart-{spec.id}")
        if home is not None
        else urls.absolute(base),
        "story_url": urls.url(f"{home}#chart-{spec.id}") if home is not None else "",
        "story_title": story_titles(content, lang).get(home, "") if home is not None else "",
        "embed_url": urls.absolute(base + EMBED),
        **drawing_view(chart, urls, base),
    }


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


def short_url(url: str, limit: int = 40) -> str:
    """An address as print shows it: host and the start of the path, decoded, at most
    `limit` characters ('example.org/news/2024/05/a-long-…')."""
    parts = urlsplit(url)
    host = parts.netloc.removeprefix("www.")
    path = unquote(parts.path).rstrip("/")
    shown = host + path
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def figure_view(fig: Any, content: Content, lang: str) -> dict[str, Any]:
    """A figure as prose, callouts and region pages quote it: from its row, so it reads as
    the charts and downloads have it (its value in words, with unit and qualifier)."""
    from .declared.rows import row_of

    row = row_of(content, "figures", fig, lang)
    return {
        "id": fig.id,
        "value": row["value_text"],
        "metric": row["metric_name"],
        "region": row["region_name"],
        "period": row["period"],
        "period_kind": fig.period.kind,
        "undated": fig.period.undated,
        "rank": fig.rank,
        "rank_text": label("rank-in-province", lang) % ordinal(fig.rank, lang) if fig.rank else "",
        "rank_ordinal": ordinal(fig.rank, lang) if fig.rank else "",
        "note": text(fig.note, lang),
        **status_view(fig, lang),
        "source": fig.source,
    }


_MARKS = r'((?:<sup class="status-mark">.*?</sup>)?(?:<sup class="cite">.*?</sup>)?)'
_BEFORE_MEASURE = re.compile(r'(<span class="fig">[^<]*</span>)' + _MARKS + "([家个座项位名])")
"""A figure's marks, then the measure word the prose puts after it: 294[19]家."""
_CITE = re.compile(r'<sup class="cite"><a href="([^"]*)"[^>]*>[^<]*</a></sup>')
_PROSE = re.compile(r"<(p|li)>(.*?)</\1>", re.S)


def tidy_citations(html: str, lang: str) -> str:
    """Citation marks where a reader expects them (Chinese-edition review 3.11): after the
    measure word in Chinese (294家[19], not 294[19]家), and one mark per source in a sentence,
    the last, not one after every figure from the same document."""

    def paragraph(match: re.Match[str]) -> str:
        body = match.group(2)
        if lang == "zh":
            body = _BEFORE_MEASURE.sub(lambda m: m.group(1) + m.group(3) + m.group(2), body)
        stop = "。" if lang == "zh" else ". "
        sentences = [_one_cite_per_source(s) for s in body.split(stop)]
        return f"<{match.group(1)}>{stop.join(sentences)}</{match.group(1)}>"

    return _PROSE.sub(paragraph, html)


def _one_cite_per_source(sentence: str) -> str:
    marks = list(_CITE.finditer(sentence))
    last = {m.group(1): m.start() for m in marks}
    for m in reversed(marks):
        if last[m.group(1)] != m.start():
            sentence = sentence[: m.start()] + sentence[m.end() :]
    return sentence


def _figure_subject(view: dict[str, Any], lang: str) -> str:
    """What a status note is about: 'Growth of industrial value added, Zhejiang, H1 2023'."""
    return gettext(lang, ", ").join([view["metric"], view["region"], view["period"]])


def plan_language(
    content: Content, charts: dict[str, ChartOutput], urls: Urls, lang: str
) -> SitePlan:
    """Every page and file of one language's edition, under its folder (urls.prefix)."""
    plan = SitePlan(urls, content=content)
    views = chart_views(charts, content, urls, lang)
    charts = RecordedValues({cid: (c, frozenset()) for cid, c in charts.items()}, views.key_of)
    _plan_markdown_pages(plan, content, charts, views, urls, lang)
    _plan_regions(plan, content, urls, lang)
    _plan_clusters(plan, content, urls, lang)
    from .collections import plan_collections  # here: collections.py builds on this module

    plan_collections(plan, content, urls, lang)
    _plan_charts(plan, content, charts, views, urls, lang)
    _plan_data(plan, content, urls, lang)
    for job in plan.jobs:
        job.lang, job.nav = lang, plan.nav
        job.canonical = urls.absolute(job.url_path)
        job.path = urls.prefix + job.path
    plan.files = {urls.prefix + path: data for path, data in plan.files.items()}
    plan.origins = {urls.prefix + path: origin for path, origin in plan.origins.items()}
    return plan


def plan_site(
    content: Content, editions: dict[str, tuple[dict[str, ChartOutput], Urls]], urls: Urls
) -> SitePlan:
    """The whole site: each language's edition, then what the site has once (404, sitemap,
    robots.txt, and on a site of several languages the page that sends readers to one)."""
    plan = SitePlan(urls, content=content)
    languages = content.site.languages
    for lang in languages:
        charts, lang_urls = editions[lang]
        edition = plan_language(content, charts, lang_urls, lang)
        plan.jobs += edition.jobs
        plan.files.update(edition.files)
        plan.origins.update(edition.origins)
        plan.navs[lang] = edition.nav
        plan.problems += edition.problems
    _link_alternates(plan, editions, languages)
    _plan_publishing(plan, content, urls, editions)
    roots = {lang_urls.prefix for _, lang_urls in editions.values()}
    plan.problems += address_problems(plan, roots, content.root.parent)
    return plan


def chart_views(
    charts: dict[str, ChartOutput], content: Content, urls: Urls, lang: str
) -> RecordedValues[dict[str, Any]]:
    """What templates show of each chart, each with the keys of what it was made from: a
    page that shows a chart records them, and the chart's own key."""
    views = {}
    for cid, chart in charts.items():
        with recording() as keys:
            view = chart_view(chart, content, urls, lang, chart_homes(content, lang).get(cid))
        views[cid] = (view, frozenset(keys))
    return RecordedValues(views, lambda cid: chart_key(lang, cid))


def _link_alternates(
    plan: SitePlan, editions: dict[str, tuple[dict[str, ChartOutput], Urls]], languages: list[str]
) -> None:
    """Give each page the addresses of its editions in every language (hreflang, switcher)."""
    if len(languages) < 2:
        return
    for job in plan.jobs:
        job.alternates = [
            {
                "lang": lang,
                "hreflang": HTML_LANG[lang],
                "og_locale": OG_LOCALE[lang],
                "name": LANGUAGE_NAMES[lang],
                "href": editions[lang][1].url(job.url_path),
                "absolute": editions[lang][1].absolute(job.url_path),
                "current": lang == job.lang,
            }
            for lang in languages
        ]


def _page_path(slug: str) -> str:
    return f"{slug}/index.html" if slug else "index.html"


def _plan_markdown_pages(
    plan: SitePlan,
    content: Content,
    charts: dict[str, ChartOutput],
    views: dict[str, Any],
    urls: Urls,
    lang: str,
) -> None:
    with recording(passed_on=False) as keys:  # the front matter of every page of the menu
        pages = sorted(
            (p for p in content.pages if p.lang == lang),
            key=lambda p: (p.meta.nav_order if p.meta.nav_order is not None else 999, p.meta.slug),
        )
        nav = [
            {
                "title": text(page.meta.nav_title, lang),
                "href": urls.url(page.meta.slug + "/" if page.meta.slug else ""),
                "path": page.meta.slug + "/" if page.meta.slug else "",
            }
            for page in pages
            if page.meta.nav_title
        ]
    plan.nav = RecordedList(nav, keys)
    for page in pages:
        url_path = page.meta.slug + "/" if page.meta.slug else ""
        plan.jobs.append(
            Job(
                path=_page_path(page.meta.slug),
                template=f"{page.meta.layout}.html",
                context=_markdown_context(page, content, charts, views, urls, lang),
                url_path=url_path,
                title=text(page.meta.title, lang),
                og_type="article" if page.meta.layout == "story" else "website",
                origin=page_origin(page),
            )
        )


def _markdown_files(content: Content) -> dict[str, str]:
    """Where the records a page may place are added, by the kind of mark: for a hint."""
    files = {"chart": "content/charts.yaml"}
    for kind, dataset in (("src", content.citations), ("fig", "figures")):
        if dataset in content.datasets:
            files[kind] = content.dataset_file(dataset)
    return files


def _markdown_context(
    page: Page,
    content: Content,
    charts: RecordedValues[ChartOutput],
    views: RecordedValues[dict[str, Any]],
    urls: Urls,
    lang: str,
) -> Callable[[jinja2.Environment], dict[str, Any]]:
    def context(env: jinja2.Environment) -> dict[str, Any]:
        citations = Citations(content, urls, lang)
        notes = StatusNotes()
        figures = content.index("figures") if "figures" in content.datasets else {}
        used_charts: list[str] = []

        def place(kind: str, ident: str) -> str | None:
            if kind == "chart":
                if ident not in charts:
                    return None
                used_charts.append(ident)
                view = views[ident] | {
                    "cites": [citations.cite(s) for s in charts[ident].spec.sources]
                }
                return env.get_template("partials/chart.html").render(chart=view)
            if kind == "src":
                if ident not in citations.sources:
                    return None
                return (
                    env.get_template("partials/cite.html")
                    .render(cite=citations.cite(ident))
                    .strip()
                )
            fig = figures.get(ident)
            if fig is None:
                return None
            view = figure_view(fig, content, lang) | {"cite": citations.cite(fig.source)}
            view = notes.mark(view, _figure_subject(view, lang))
            template = "partials/callout.html" if kind == "callout" else "partials/fig.html"
            return env.get_template(template).render(fig=view).strip()

        def suggest(kind: str, ident: str) -> str | None:
            known = charts if kind == "chart" else citations.sources if kind == "src" else figures
            return next(iter(close_matches(ident, list(known))), None)

        rendered, problems = render_markdown(
            page.body,
            path=page.path,
            first_line=page.body_line,
            allow_html=page.meta.allow_html,
            place=place,
            suggest=suggest,
            files=_markdown_files(content),
        )
        rendered.html = tidy_citations(rendered.html, lang)
        meta = page.meta
        return {
            "page": {
                "title": text(meta.title, lang),
                "description": text(meta.description, lang),
                "kicker": text(meta.kicker, lang),
                "dek": text(meta.dek, lang),
                "published": meta.published or content.site.published,
                "updated": meta.updated or content.site.updated or "",
                "body": rendered.html,
                "headings": rendered.headings,
                "has_charts": bool(used_charts),
            },
            "authors": [text(a.name, lang) for a in content.site.authors],
            "citations": citations.listing(),
            "status_notes": notes.listing(),
            "listing": LISTINGS[meta.layout](content, urls, lang)
            if meta.layout in LISTINGS
            else {},
            "json_ld": story_json_ld(page, content, urls, lang) if meta.layout == "story" else None,
            "_problems": problems,
        }

    return context


SHARE_IMAGE = "share-{lang}.png"
"""The 1200x630 card link previews show, one per language, drawn by the build from the
headline (share_image.py)."""
LOGO_IMAGE, LOGO_SIZE = "logo.png", 512
"""The publisher's logo in JSON-LD: the favicon as a PNG (static/logo.png;
scripts/logo-image.py)."""
AUTHOR_PAGE = "sources/"
"""Where an author without a url of their own is described: "Sources and methods" says who
compiled the figures and how."""


def json_ld_date(value: str, timezone: str) -> str:
    """A content date as schema.org wants it, with a time zone: a full date is the start of
    that day in the site's time zone (content gives no time); a partial date stays as it is."""
    if len(value) != len("YYYY-MM-DD"):
        return value
    day = date.fromisoformat(value)
    return datetime(day.year, day.month, day.day, tzinfo=zoneinfo.ZoneInfo(timezone)).isoformat()


def story_json_ld(page: Page, content: Content, urls: Urls, lang: str) -> dict[str, Any]:
    """schema.org NewsArticle for the story, rendered with Jinja's `tojson` in base.html.

    Dates come from the page's front matter or content/site.yaml, never from the clock, so
    two builds of the same content are identical.
    """
    meta, site = page.meta, content.site
    canonical = urls.absolute(meta.slug + "/" if meta.slug else "")
    published = meta.published or site.published
    authors = [
        # Author has no person/organisation field; the byline names a desk, so Organization.
        {
            "@type": "Organization",
            "name": text(a.name, lang),
            "url": a.url or urls.absolute(AUTHOR_PAGE),
        }
        for a in site.authors
    ]
    logo = {
        "@type": "ImageObject",
        "url": urls.absolute_asset(LOGO_IMAGE),
        "width": LOGO_SIZE,
        "height": LOGO_SIZE,
    }
    return {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": text(meta.title, lang),
        "description": text(meta.description, lang),
        "url": canonical,
        "mainEntityOfPage": {"@type": "WebPage", "@id": canonical},
        "inLanguage": HTML_LANG[lang],  # the page's <html lang>
        "datePublished": json_ld_date(published, site.timezone),
        "dateModified": json_ld_date(meta.updated or site.updated or published, site.timezone),
        "author": authors,
        "publisher": {
            "@type": "Organization",
            "name": text(site.publisher, lang),
            "url": urls.absolute(),
            "logo": logo,
        },
        "image": [urls.absolute_asset(SHARE_IMAGE.format(lang=lang))],
    }


def _plan_regions(plan: SitePlan, content: Content, urls: Urls, lang: str) -> None:
    regions = content.datasets["regions"]
    by_id = content.index("regions")
    tiers = content.index("award-tiers") if "award-tiers" in content.datasets else {}
    for index, region in enumerate(regions):
        if region.kind == "province":
            continue

        def context(env: jinja2.Environment, region_id: str = region.id) -> dict[str, Any]:
            region = by_id[region_id]  # looked up here, so that the page records it
            citations = Citations(content, urls, lang)
            notes = StatusNotes()
            name = text(region.name, lang)
            awards = [
                {
                    "ceremony_year": a.ceremony_year,
                    "ceremony": i18n.date(
                        a.ceremony_date[:7] if a.ceremony_date else str(a.ceremony_year), lang
                    ),
                    "evaluation_year": a.evaluation_year,
                    "tier": text(tiers[a.tier].name, lang),
                    # which places belong to the tier: read in its own source (truth.md 4.4)
                    "tier_cite": citations.cite(tiers[a.tier].membership_source)
                    if tiers[a.tier].membership_source
                    else None,
                    "standing": label(f"standing-{a.standing}", lang),
                    "golden": a.golden,
                    "note": text(a.note, lang),
                    **status_view(a, lang, ("status", "standing_status")),
                    "cite": citations.cite(a.source),
                }
                for a in sorted(
                    content.by("awards", "region").get(region.id, []), key=lambda a: a.ceremony_year
                )
            ]
            awards = [
                notes.mark(
                    a,
                    gettext(lang, N_(", ")).join(
                        [
                            name,
                            gettext(lang, N_("%(year)s ceremony")) % {"year": a["ceremony_year"]},
                        ]
                    ),
                )
                for a in awards
            ]
            figures = [
                notes.mark(view, _figure_subject(view, lang))
                for view in (
                    figure_view(f, content, lang) | {"cite": citations.cite(f.source)}
                    for f in sorted(
                        _by_region(content, "figures").get(region.id, []),
                        key=lambda f: (f.metric, f.period.sort_key),
                    )
                )
            ]
            levels = _cluster_levels(content, lang)
            clusters = [
                notes.mark(
                    {
                        "name": text(c.name, lang),
                        "href": urls.url(f"clusters/{c.id}/"),
                        "level": levels[c.id],
                        **status_view(c, lang),
                        "cite": citations.cite(c.source),
                    },
                    text(c.name, lang),
                )
                for c in _by_region(content, "clusters").get(region.id, [])
            ]
            children = [
                {"name": text(r.name, lang), "href": urls.url(f"regions/{r.id}/")}
                for r in content.by("regions", "parent").get(region.id, [])
            ]
            for sid in region.sources:
                citations.cite(sid)
            parent = by_id.get(region.parent) if region.parent else None
            return {
                "region": {
                    "id": region.id,
                    "name": text(region.name, lang),
                    **_other_name(region.name, lang),
                    "kind": label(f"region-{region.kind}", lang),
                    "summary": text(region.summary, lang),
                    "mountainous": region.mountainous,
                    "parent": {
                        "name": text(parent.name, lang),
                        "href": urls.url(f"regions/{parent.id}/")
                        if parent.kind != "province"
                        else "",
                    }
                    if parent
                    else None,
                },
                "awards": awards,
                "figures": figures,
                "clusters": clusters,
                "children": children,
                "citations": citations.listing(),
                "status_notes": notes.listing(),
            }

        plan.jobs.append(
            Job(
                path=f"regions/{region.id}/index.html",
                template="region.html",
                context=context,
                url_path=f"regions/{region.id}/",
                title=text(region.name, lang),
                origin=record_origin(content, "regions", index, "the region pages, regions/ID/"),
            )
        )


def _cluster_levels(content: Content, lang: str) -> dict[str, str]:
    """Each cluster's level in words: its `level_name`, from the declared labels."""
    if "clusters" not in content.datasets:
        return {}
    return {row["id"]: row["level_name"] for row in dataset_rows(content, "clusters", lang)}


def _by_region(content: Content, dataset: str) -> dict[Any, list[Any]]:
    """Records of `dataset` by region, none when the project has no such dataset."""
    return content.by(dataset, "region") if dataset in content.datasets else {}


def _plan_clusters(plan: SitePlan, content: Content, urls: Urls, lang: str) -> None:
    regions = content.index("regions")
    for index, cluster in enumerate(content.datasets.get("clusters", [])):

        def context(env: jinja2.Environment, cluster_id: str = cluster.id) -> dict[str, Any]:
            cluster = content.index("clusters")[cluster_id]  # recorded: looked up in the job
            citations = Citations(content, urls, lang)
            notes = StatusNotes()
            region = regions[cluster.region]
            own = notes.mark(status_view(cluster, lang), text(cluster.recognition, lang))
            figures = [
                notes.mark(view, _figure_subject(view, lang))
                for view in (
                    figure_view(f, content, lang) | {"cite": citations.cite(f.source)}
                    for f in (
                        content.by("figures", "cluster") if "figures" in content.datasets else {}
                    ).get(cluster.id, [])
                )
            ]
            return {
                "cluster": {
                    "name": text(cluster.name, lang),
                    **_other_name(cluster.name, lang),
                    "industry": text(cluster.industry, lang),
                    "level": _cluster_levels(content, lang)[cluster.id],
                    "recognition": text(cluster.recognition, lang),
                    "year": cluster.year,
                    "summary": text(cluster.summary, lang),
                    **own,
                    "region": {
                        "name": text(region.name, lang),
                        "href": urls.url(f"regions/{region.id}/"),
                    },
                    "cite": citations.cite(cluster.source),
                },
                "figures": figures,
                "citations": citations.listing(),
                "status_notes": notes.listing(),
            }

        plan.jobs.append(
            Job(
                path=f"clusters/{cluster.id}/index.html",
                template="cluster.html",
                context=context,
                url_path=f"clusters/{cluster.id}/",
                title=text(cluster.name, lang),
                origin=record_origin(content, "clusters", index, "the cluster pages, clusters/ID/"),
            )
        )


def _plan_charts(
    plan: SitePlan,
    content: Content,
    charts: RecordedValues[ChartOutput],
    views: RecordedValues[dict[str, Any]],
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
                title=views[cid]["title"],
                origin=origin,
            )
        )
        plan.jobs.append(  # for iframes: noindex (chart-embed.html), out of the sitemap
            Job(
                path=base + EMBED + "index.html",
                template="chart-embed.html",
                context=lambda env, cid=cid: {
                    "chart": views[cid] | {"embed": True},
                    "share": chart_share(views[cid]),
                },
                url_path=base + EMBED,
                title=views[cid]["title"],
                origin=origin,
                in_sitemap=False,
            )
        )


DATASET_TITLES = {
    "regions": N_("Places"),
    "awards": N_("Awards"),
}
"""Each dataset's name on the data page, in English; other languages from their catalogue."""


def chart_share(view: dict[str, Any]) -> dict[str, Any]:
    """A chart page's link preview: its own title, and the chart itself as the image."""
    return {
        "title": view["title"],
        "type": "website",
        "image": view["preview_url"],
        "image_alt": view["alt"],
    }


DATASET_DESCRIPTIONS = {
    "regions": N_("The province, its cities and Shaoxing's six county-level divisions."),
    "awards": N_("Tiangong awards won, by ceremony, region, tier and status."),
}


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
        lines.append(json.dumps(clean, ensure_ascii=False))
        values = (clean.get(k, "") for k in columns)
        writer.writerow(
            [
                json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list)) else v
                for v in values
            ]
        )
    json_text = "[\n" + ",\n".join(lines) + "\n]\n" if lines else "[]\n"  # as download_json
    return buffer.getvalue(), safejson.escape(json_text), len(rows)


def _column_header(content: Content, dataset: str, key: str, lang: str) -> str:
    """A download's column header; a declared field's own title, in other languages than
    English, when the declaration gives one."""
    package = content.package
    if lang == SOURCE_LANGUAGE or package is None or dataset not in package.resources:
        return download_header(key, lang)
    field = next((f for f in package.resources[dataset].fields if f.name == key), None)
    if field is not None and field.title:
        return text(field.title, lang)
    return download_header(key, lang)  # status_name, region_name … as every dataset's


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


def _data_listing(content: Content, urls: Urls, lang: str) -> dict[str, Any]:
    return {
        "datasets": [
            {
                "name": name,
                "title": _dataset_words(content, name, lang)[0],
                "file": content.dataset_file(name),
                "description": _dataset_words(content, name, lang)[1],
                "count": len(content.datasets[name]),
                "csv": urls.url(f"data/{name}.csv"),
                "json": urls.url(f"data/{name}.json"),
            }
            for name in _downloadable(content)
        ],
        "regions": [
            {
                "name": text(r.name, lang),
                "href": urls.url(f"regions/{r.id}/"),
                "kind": label(f"region-{r.kind}", lang),
            }
            for r in content.datasets["regions"]
            if r.kind != "province"
        ],
        "clusters": [
            {
                "name": text(c.name, lang),
                "href": urls.url(f"clusters/{c.id}/"),
                "level": _cluster_levels(content, lang)[c.id],
            }
            for c in content.datasets.get("clusters", [])
        ],
        "charts": [
            {"title": text(c.title, lang), "href": urls.url(f"charts/{c.id}/")}
            for c in content.datasets["charts"]
        ],
    }


def _sources_listing(content: Content, urls: Urls, lang: str) -> dict[str, Any]:
    """Every document of the citation list, with how many records cite it."""
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
    documents = content.datasets.get(cited_list, [])
    views = [source_view(content, s, lang) for s in documents if s is not None]
    return {"sources": [v | {"records": cited.get(v["id"], 0)} for v in views]}


LISTINGS = {"data": _data_listing, "sources": _sources_listing}


NOT_FOUND = {
    "title": N_("Page not found"),
    "text": N_("There is no page at this address. It may have moved when the site was updated."),
    "links": N_(
        '<a href="%(home)s">Read the story from the start</a>, or browse <a href="%(data)s">all '
        "data, places and charts</a>."
    ),
}
"""The 404 page's words. GitHub Pages serves one 404.html, at the root, for every address:
it says them in each language of the site, each part marked with its language."""


def not_found_editions(
    languages: list[str], default: str, editions: dict[str, tuple[dict[str, ChartOutput], Urls]]
) -> list[dict[str, Any]]:
    """The 404 page's part in each language, the default language first."""
    parts = []
    for lang in sorted(languages, key=lambda lang: lang != default):
        lang_urls = editions[lang][1]
        links = Markup(gettext(lang, NOT_FOUND["links"])) % {
            "home": lang_urls.url(),
            "data": lang_urls.url("data/"),
        }
        parts.append(
            {
                "lang": lang,
                "hreflang": HTML_LANG[lang],
                "title": gettext(lang, NOT_FOUND["title"]),
                "text": gettext(lang, NOT_FOUND["text"]),
                "links": links,
                "home": lang_urls.url(),  # for a theme's 404, which links no other page
            }
        )
    return parts


def _plan_publishing(
    plan: SitePlan,
    content: Content,
    urls: Urls,
    editions: dict[str, tuple[dict[str, ChartOutput], Urls]],
) -> None:
    default = content.site.default_language
    languages = content.site.languages
    title = " / ".join(part["title"] for part in not_found_editions(languages, default, editions))

    def not_found(env: jinja2.Environment) -> dict[str, Any]:
        """Made in the job, so that the page records the catalogues it reads (deps.py)."""
        parts = not_found_editions(languages, default, editions)
        title = " / ".join(part["title"] for part in parts)
        return {"canonical": "", "editions": parts, "not_found_title": title}

    plan.jobs.append(
        Job(
            path="404.html",
            template="404.html",
            context=not_found,
            in_sitemap=False,
            url_path="404.html",
            title=title,
            lang=default,
            nav=[] if len(languages) > 1 else plan.navs[default],
            origin=Origin("the page for addresses that do not exist (404.html)"),
        )
    )
    if content.site.language_root:
        _plan_language_root(plan, content, urls, editions)
    plan.files[".nojekyll"] = ""
    lastmod = content.site.updated or content.site.published
    entries = [
        Entry(job.canonical, lastmod, [(a["hreflang"], a["absolute"]) for a in job.alternates])
        for job in sorted((j for j in plan.jobs if j.in_sitemap), key=lambda j: j.canonical)
    ]
    plan.files["sitemap.xml"] = sitemap_xml(entries)
    plan.files["robots.txt"] = robots_txt(urls.site_absolute("sitemap.xml"))


def _plan_language_root(
    plan: SitePlan,
    content: Content,
    urls: Urls,
    editions: dict[str, tuple[dict[str, ChartOutput], Urls]],
) -> None:
    """The page that sends readers to a language, on a site of several."""
    default, languages = content.site.default_language, content.site.languages

    def choices() -> list[dict[str, Any]]:
        return [
            {
                "lang": lang,
                "hreflang": HTML_LANG[lang],
                "og_locale": OG_LOCALE[lang],
                "name": LANGUAGE_NAMES[lang],
                "href": editions[lang][1].url(),
                "absolute": editions[lang][1].absolute(),
                "title": text(content.site.title, lang),
                "description": text(content.site.description, lang),
            }
            for lang in languages
        ]

    plan.jobs.append(
        Job(
            path="index.html",
            template="language-root.html",
            context=lambda env: {"choices": choices()},  # made in the job: recorded
            url_path="",
            title=text(content.site.title, default),
            lang=default,
            canonical=urls.site_absolute(),
            alternates=[c | {"current": False, "href": c["href"]} for c in choices()],
            origin=Origin("the page that sends readers to a language (index.html)"),
        )
    )
