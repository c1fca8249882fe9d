"""What the site has once: the 404 page in every language, the page that sends
readers to a language, the sitemap and robots.txt."""

from __future__ import annotations

from typing import Any

import jinja2
from markupsafe import Markup

from ..charts import ChartOutput
from ..collisions import (
    Origin,
)
from ..content import Content
from ..feeds import Entry, robots_txt, sitemap_xml
from ..i18n import HTML_LANG, LANGUAGE_NAMES, N_, OG_LOCALE, gettext
from ..models import text
from ..render import Urls
from .jobs import Job, SitePlan

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
