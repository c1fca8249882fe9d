"""sitemap.xml and robots.txt, written with an XML serializer and from validated URLs.

Why not string formatting: a base URL with `&` gave a sitemap no XML parser reads, and one
with markup in its path gave a document that runs script (`xhtml` is a namespace of the
sitemap). ElementTree escapes every text and attribute; robots.txt takes only URLs that
match the same pattern as the content model's URLs, so no value can add a line to it.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from .models import URL_PATTERN

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML_NS = "http://www.w3.org/1999/xhtml"
# The sitemap's namespace is the default one (plain <url>, <loc>), xhtml: the prefix search
# engines document for alternates. (tostring's default_namespace refuses plain attributes.)
ET.register_namespace("", SITEMAP_NS)
ET.register_namespace("xhtml", XHTML_NS)
_URL = re.compile(URL_PATTERN)


@dataclass
class Entry:
    """One page of the sitemap and its editions in other languages (hreflang -> URL)."""

    loc: str
    lastmod: str
    alternates: list[tuple[str, str]] = field(default_factory=list)


def sitemap_xml(entries: list[Entry]) -> str:
    """A sitemap (with xhtml:link hreflang alternates) listing `entries` in order."""
    root = ET.Element(f"{{{SITEMAP_NS}}}urlset")
    for entry in entries:
        url = ET.SubElement(root, f"{{{SITEMAP_NS}}}url")
        ET.SubElement(url, f"{{{SITEMAP_NS}}}loc").text = entry.loc
        ET.SubElement(url, f"{{{SITEMAP_NS}}}lastmod").text = entry.lastmod
        for hreflang, href in entry.alternates:
            attributes = {"rel": "alternate", "hreflang": hreflang, "href": href}
            ET.SubElement(url, f"{{{XHTML_NS}}}link", attributes)
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


def robots_txt(sitemap_url: str) -> str:
    """robots.txt allowing everything and naming the sitemap, whose URL must be valid."""
    if not _URL.fullmatch(sitemap_url):
        raise ValueError(f"not a valid URL for robots.txt: {sitemap_url!r}")
    return f"User-agent: *\nAllow: /\nSitemap: {sitemap_url}\n"
