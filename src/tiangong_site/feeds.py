"""sitemap.xml and robots.txt, with every text escaped and from validated URLs.

Why not plain string formatting: a base URL with `&` gave a sitemap no XML parser reads, and
one with markup in its path gave a document that runs script (`xhtml` is a namespace of the
sitemap). Every text and attribute is escaped as ElementTree escapes it, and the document is
laid out as ElementTree writes it (the tests compare the two); building ElementTree's tree
of 30,000 elements for a sitemap of 10,000 pages took 0.1 s. robots.txt takes only URLs that
match the same pattern as the content model's URLs, so no value can add a line to it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .models import URL_PATTERN

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML_NS = "http://www.w3.org/1999/xhtml"
_URL = re.compile(URL_PATTERN)


def _text(value: str) -> str:
    """`value` escaped as ElementTree escapes text. str.replace, not str.translate with a
    table: translate looks each character up in a dict (0.13 s for a sitemap of 10,000
    pages); a replace that finds nothing costs a scan."""
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attribute(value: str) -> str:
    """`value` escaped as ElementTree escapes an attribute's value."""
    for raw, escaped in _ATTRIBUTE_ESCAPES:
        value = value.replace(raw, escaped)
    return value


_ATTRIBUTE_ESCAPES = (
    ("&", "&amp;"),  # first: the other escapes bring their own
    ("<", "&lt;"),
    (">", "&gt;"),
    ('"', "&quot;"),
    ("\r", "&#13;"),
    ("\n", "&#10;"),
    ("\t", "&#09;"),
)


@dataclass
class Entry:
    """One page of the sitemap and its editions in other languages (hreflang -> URL)."""

    loc: str
    lastmod: str
    alternates: list[tuple[str, str]] = field(default_factory=list)


def sitemap_xml(entries: list[Entry]) -> str:
    """A sitemap (with xhtml:link hreflang alternates) listing `entries` in order: the
    sitemap's namespace the default one (plain <url>, <loc>), xhtml the prefix search engines
    document for alternates, declared only when an entry has some."""
    lines = []
    for entry in entries:
        lines.append("  <url>")
        lines.append(f"    <loc>{_text(entry.loc)}</loc>")
        lines.append(f"    <lastmod>{_text(entry.lastmod)}</lastmod>")
        for hreflang, href in entry.alternates:
            lines.append(
                f'    <xhtml:link rel="alternate" hreflang="{_attribute(hreflang)}" '
                f'href="{_attribute(href)}" />'
            )
        lines.append("  </url>")
    namespaces = f'xmlns="{SITEMAP_NS}"'
    if any(entry.alternates for entry in entries):
        namespaces += f' xmlns:xhtml="{XHTML_NS}"'
    head = '<?xml version="1.0" encoding="UTF-8"?>\n'
    if not lines:
        return f"{head}<urlset {namespaces} />\n"
    return "\n".join([f"{head}<urlset {namespaces}>", *lines, "</urlset>"]) + "\n"


def robots_txt(sitemap_url: str) -> str:
    """robots.txt allowing everything and naming the sitemap, whose URL must be valid."""
    if not _URL.fullmatch(sitemap_url):
        raise ValueError(f"not a valid URL for robots.txt: {sitemap_url!r}")
    return f"User-agent: *\nAllow: /\nSitemap: {sitemap_url}\n"
