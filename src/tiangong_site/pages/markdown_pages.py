"""The Markdown pages (content/pages/): the menu, each page's context with its
charts, figures and citations placed, and the story's JSON-LD."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime
from typing import Any

import jinja2

from ..charts import ChartOutput
from ..collisions import (
    page_origin,
)
from ..content import Content, Page, close_matches
from ..deps import RecordedList, RecordedValues, recording
from ..i18n import HTML_LANG
from ..markdown import render_markdown
from ..models import text
from ..render import Urls
from .chart_pages import ChartView
from .jobs import Job, SitePlan
from .listings import LISTINGS
from .views import Citations, StatusNotes, _figure_subject, figure_view, tidy_citations


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
                weight=_weight(page),
            )
        )


BYTES_PER_LIGHT_PAGE = 1500
"""Bytes of Markdown that take about as long to render as a light page: the story page
(17 KB) took 28 ms, a collection's page 2.3 ms, on the default site."""


def _weight(page: Page) -> float:
    """The page's estimated work (Job.weight): one light page plus its Markdown's share.
    A hint for sharing out work, so reading the body is not one of the plan's dependencies."""
    with recording(passed_on=False):
        return 1 + len(page.body.encode("utf-8")) / BYTES_PER_LIGHT_PAGE


def _markdown_files(content: Content) -> dict[str, str]:
    """Where the records a page may place are added, by the kind of mark: for a hint."""
    files = {"chart": "content/charts.yaml"}
    quoted = content.quotes.dataset if content.quotes is not None else None
    for kind, dataset in (("src", content.citations), ("fig", quoted)):
        if dataset in content.datasets:
            files[kind] = content.dataset_file(dataset)
    return files


def _markdown_context(
    page: Page,
    content: Content,
    charts: RecordedValues[ChartOutput],
    views: RecordedValues[ChartView],
    urls: Urls,
    lang: str,
) -> Callable[[jinja2.Environment], dict[str, Any]]:
    def context(env: jinja2.Environment) -> dict[str, Any]:
        citations = Citations(content, urls, lang)
        notes = StatusNotes()
        quoted = content.quotes.dataset if content.quotes is not None else None
        figures = content.index(quoted) if quoted in content.datasets else {}
        used_charts: list[str] = []

        def place(kind: str, ident: str) -> str | None:
            if kind == "chart":
                if ident not in charts:
                    return None
                used_charts.append(ident)
                cites = [citations.cite(s) for s in charts[ident].spec.sources]
                view = replace(views[ident], cites=cites)
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
            view = replace(figure_view(fig, content, lang), cite=citations.cite(fig.source))
            subject = _figure_subject(view, content, lang)
            note = notes.note(view.status, view.status_name, view.uncertain, subject)
            view = replace(view, status_note=note)
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
