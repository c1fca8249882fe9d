"""The plan of the whole site: each language's edition (its Markdown pages, collections,
chart pages and downloads), then what the site has once; the pages' alternates."""

from __future__ import annotations

from ..charts import ChartOutput
from ..collisions import (
    address_problems,
)
from ..content import Content
from ..deps import RecordedValues
from ..i18n import HTML_LANG, LANGUAGE_NAMES, OG_LOCALE
from ..render import Urls
from .chart_pages import _plan_charts, chart_views
from .jobs import SitePlan
from .listings import _plan_data
from .markdown_pages import _plan_markdown_pages
from .publishing import _plan_publishing


def plan_language(
    content: Content, charts: dict[str, ChartOutput], urls: Urls, lang: str
) -> SitePlan:
    """Every page and file of one language's edition, under its folder (urls.prefix)."""
    plan = SitePlan(urls, content=content)
    views = chart_views(charts, content, urls, lang)
    charts = RecordedValues({cid: (c, frozenset()) for cid, c in charts.items()}, views.key_of)
    _plan_markdown_pages(plan, content, charts, views, urls, lang)
    from ..collections import plan_collections  # here: collections.py builds on this module

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
