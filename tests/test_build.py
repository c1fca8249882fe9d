"""End to end: build the real content and read the result the way a browser and a reader would.

Nothing here depends on the content's prose or numbers: every expectation comes from the
content files themselves (which charts are declared, the base URL) or from the built files.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest

from conftest import run_build_py, tree_digest
from tiangong_site.loader import load_yaml_file
from tiangong_site.render import THEME, base_path_of

# --- a small DOM, enough to find things in the built pages -------------------------------------

VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    children: list[Element | str] = field(default_factory=list)

    def walk(self):
        yield self
        for child in self.children:
            if isinstance(child, Element):
                yield from child.walk()

    def find_all(
        self, tag: str | None = None, cls: str | None = None, **attrs: str
    ) -> list[Element]:
        return [
            e
            for e in self.walk()
            if (tag is None or e.tag == tag)
            and (cls is None or cls in e.attrs.get("class", "").split())
            and all(e.attrs.get(k.replace("_", "-")) == v for k, v in attrs.items())
        ]

    def find(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> Element | None:
        found = self.find_all(tag, cls, **attrs)
        return found[0] if found else None

    @property
    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text for c in self.children)


class _Builder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        element = Element(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(element)
        if tag not in VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(Element(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse(path: Path) -> Element:
    builder = _Builder()
    builder.feed(path.read_text(encoding="utf-8"))
    builder.close()
    return builder.root


# --- the build ----------------------------------------------------------------------------------


@dataclass
class Built:
    project: Path
    out: Path
    base_url: str
    pages: dict[str, Element]  # output-relative path -> parsed page

    @property
    def base_path(self) -> str:
        return base_path_of(self.base_url)

    @property
    def editions(self) -> list[str]:
        """Each language's folder ('en/', 'zh/') on a site of several languages; [''] on a site
        of one."""
        folders = [
            f"{p.name}/"
            for p in sorted(self.out.iterdir())
            if p.is_dir() and (p / "index.html").is_file() and len(p.name) == 2
        ]
        return folders or [""]

    def file_for(self, url: str, page: str) -> Path | None:
        """The output file a link on `page` points to; None when it leaves the site."""
        parts = urlsplit(url)
        if parts.scheme in ("mailto", "data", "tel", "javascript"):
            return None
        if parts.scheme or parts.netloc:
            site = urlsplit(self.base_url)
            if (parts.scheme, parts.netloc) != (site.scheme, site.netloc):
                return None  # another site
            path = unquote(parts.path)
        else:
            path = unquote(urlsplit(urljoin(self.base_path + page, url)).path)
        assert path.startswith(self.base_path), (
            f"{page}: {url} is outside the base path {self.base_path}"
        )
        target = self.out / path[len(self.base_path) :]
        if path.endswith("/") or target.is_dir():
            target = target / "index.html"
        return target


@pytest.fixture(scope="module")
def built(built_once: Path, tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The real content (as copied for this session) built with build.py into a fresh folder,
    from a copy of its own: a build writes its cache, and other workers copy `built_once`'s."""
    folder = tmp_path_factory.mktemp("e2e")
    project, out = folder / "project", folder / "site"
    shutil.copytree(built_once, project, symlinks=True, ignore=shutil.ignore_patterns("_site"))
    run = run_build_py("build", "--project", project, "--output", out)
    assert run.code == 0, run.err
    site = load_yaml_file(project / "content" / "site.yaml", "site.yaml").data
    pages = {p.relative_to(out).as_posix(): parse(p) for p in sorted(out.rglob("*.html"))}
    return Built(project, out, site["base_url"], pages)


def declared_charts(built: Built) -> list[str]:
    return [
        c["id"]
        for c in load_yaml_file(built.project / "content" / "charts.yaml", "charts.yaml").data
    ]


# --- pages --------------------------------------------------------------------------------------


def test_home_page_has_a_headline(built: Built):
    for edition in built.editions:
        h1s = built.pages[f"{edition}index.html"].find_all("h1")
        assert len(h1s) == 1, edition
        assert h1s[0].text.strip(), edition


def test_every_page_has_a_title_a_language_and_one_headline(built: Built):
    for path, page in built.pages.items():
        html = page.find("html")
        assert html is not None and html.attrs.get("lang"), path
        title = page.find("title")
        assert title is not None and title.text.strip(), path
        assert len(page.find_all("h1")) == 1, path


def test_every_page_in_the_sitemap_exists(built: Built):
    sitemap = (built.out / "sitemap.xml").read_text(encoding="utf-8")
    locs = re.findall(r"<loc>([^<]+)</loc>", sitemap)
    assert locs
    for loc in locs:
        target = built.file_for(loc, "sitemap.xml")
        assert target is not None and target.is_file(), loc


# --- charts -------------------------------------------------------------------------------------


def test_every_declared_chart_is_placed_on_a_page(built: Built):
    for edition in built.editions:
        placed = {
            figure.attrs["id"].removeprefix("chart-")
            for path, page in built.pages.items()
            if path.startswith(edition) and not path.removeprefix(edition).startswith("charts/")
            for figure in page.find_all("figure", cls="chart")
        }
        assert set(declared_charts(built)) <= placed, edition


def chart_occurrences(built: Built):
    for path, page in built.pages.items():
        for figure in page.find_all("figure", cls="chart"):
            yield path, figure


def test_every_declared_chart_has_its_own_page_and_an_embeddable_one(built: Built):
    for edition in built.editions:
        for chart in declared_charts(built):
            for path in (f"charts/{chart}/index.html", f"charts/{chart}/embed/index.html"):
                page = built.pages.get(edition + path)
                assert page is not None, (edition, path)
                assert page.find("figure", id=f"chart-{chart}") is not None


def test_every_chart_has_its_figure_table_source_and_downloads(built: Built):
    seen = set()
    for path, figure in chart_occurrences(built):
        chart = figure.attrs["id"].removeprefix("chart-")
        seen.add(chart)
        where = f"{path} #{figure.attrs['id']}"

        plot = next(e for e in figure.walk() if "data-figure" in e.attrs)
        figure_file = built.file_for(plot.attrs["data-figure"], path)
        assert figure_file is not None and figure_file.is_file(), where
        plotly_figure = json.loads(figure_file.read_text(encoding="utf-8"))
        assert isinstance(plotly_figure.get("data"), list) and plotly_figure["data"], where

        actions = figure.find("p", cls="chart-actions")
        links = {a.text.strip(): a.attrs["href"] for a in actions.find_all("a")}
        csv_file, json_file = (
            built.file_for(links["CSV"], path),
            built.file_for(links["JSON"], path),
        )
        assert csv_file.is_file() and json_file.is_file(), where
        download = json.loads(json_file.read_text(encoding="utf-8"))
        csv_lines = csv_file.read_text(encoding="utf-8-sig").splitlines()

        table = figure.find("table")
        body_rows = table.find("tbody").find_all("tr")
        headers = [th.text.strip() for th in table.find("thead").find_all("th")]
        assert len(body_rows) == len(download["rows"]) == len(csv_lines) - 1, where
        # The downloads add the basis (status), qualifier and note columns, as codes.
        shared = [
            c["header"]
            for c in download["columns"]
            if c["key"] not in ("qualifier", "status", "uncertain")
        ]
        assert headers[: len(shared)] == shared, where
        assert download["chart"] == chart

        points = sum(
            len([x for x in trace.get("x", []) if x is not None]) for trace in plotly_figure["data"]
        )
        assert points == len(download["rows"]), f"{where}: plotted points and table rows differ"

        source = figure.find("p", cls="chart-source")
        assert source is not None, where
        assert [
            a
            for a in source.find_all("a")
            if a.attrs.get("href", "").startswith(("http://", "https://"))
        ], where
    assert set(declared_charts(built)) <= seen


# --- links --------------------------------------------------------------------------------------

LINK_ATTRIBUTES = ("href", "src", "data-figure", "data-plotly", "action", "poster")


def test_every_internal_link_resolves_to_a_file_under_the_base_path(built: Built):
    broken = []
    checked = 0
    for path, page in built.pages.items():
        ids = {e.attrs["id"] for e in page.walk() if "id" in e.attrs}
        for element in page.walk():
            for attribute in LINK_ATTRIBUTES:
                url = element.attrs.get(attribute)
                if url is None:
                    continue
                if url.startswith("#"):
                    if url[1:] and unquote(url[1:]) not in ids:
                        broken.append(f"{path}: {url} (no such id)")
                    checked += 1
                    continue
                target = built.file_for(url, path)
                if target is None:
                    continue
                checked += 1
                if not target.is_file():
                    broken.append(f"{path}: <{element.tag} {attribute}={url!r}>")
    assert checked > len(built.pages)
    assert broken == []


def test_root_relative_links_all_start_with_the_base_path(built: Built):
    outside = []
    for path, page in built.pages.items():
        for element in page.walk():
            for attribute in LINK_ATTRIBUTES:
                url = element.attrs.get(attribute, "")
                if (
                    url.startswith("/")
                    and not url.startswith("//")
                    and not url.startswith(built.base_path)
                ):
                    outside.append(f"{path}: {url}")
    assert outside == []


@pytest.mark.slow
def test_another_base_url_moves_every_link(built: Built, tmp_path: Path):
    out = tmp_path / "moved"
    run = run_build_py(
        "build",
        "--project",
        built.project,
        "--output",
        out,
        "--base-url",
        "https://example.org/deep/path/",
    )
    assert run.code == 0, run.err
    for page in out.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        root_relative = re.findall(r'(?:href|src|data-figure|data-plotly)="(/[^"]*)"', html)
        assert root_relative, page
        assert [u for u in root_relative if not u.startswith("/deep/path/")] == [], page


# --- assets -------------------------------------------------------------------------------------


def test_assets_are_named_by_their_content(built: Built):
    """All but the share images, named by what they are drawn from (test_share_image_aside)."""
    assets = [p for p in (built.out / "assets").rglob("*") if p.is_file()]
    shares = [p for p in assets if re.fullmatch(r"share-(en|zh)\.[0-9a-f]{10}\.png", p.name)]
    assert assets and len(shares) == 2
    for asset in set(assets) - set(shares):
        digest = hashlib.sha256(asset.read_bytes()).hexdigest()[:10]
        assert f".{digest}" in asset.name, asset.name


def test_every_static_file_is_published(built: Built):
    """Each file in static/ (the project's, else the theme's) is an asset of the site, except
    the stylesheets, which every page carries inline (the first screen then needs no second
    request)."""
    files = {
        p.relative_to(folder).as_posix(): p
        for folder in (THEME / "static", built.project / "static")  # the project's wins
        for p in folder.rglob("*")
        if p.is_file()
    }
    published = {
        re.sub(r"\.[0-9a-f]{10}(?=\.|$)", "", p.relative_to(built.out / "assets").as_posix())
        for p in (built.out / "assets").rglob("*")
        if p.is_file()
    }
    assert set(files) - {"style.css", "charts.css"} <= published
    for sheet in ("style.css", "charts.css"):
        stylesheet = files[sheet].read_text(encoding="utf-8").strip()
        assert stylesheet in (built.out / "index.html").read_text(encoding="utf-8")


# --- determinism --------------------------------------------------------------------------------


@pytest.mark.slow
def test_two_builds_are_byte_identical(built: Built, tmp_path: Path):
    # Another folder and another hash seed: neither may leak into the output.
    again = tmp_path / "again"
    run = run_build_py(
        "build", "--project", built.project, "--output", again, env={"PYTHONHASHSEED": "12345"}
    )
    assert run.code == 0, run.err
    first, second = tree_digest(built.out), tree_digest(again)
    assert sorted(first) == sorted(second)
    assert [name for name in first if first[name] != second[name]] == []


def test_a_build_looks_up_its_share_image_fonts_while_its_content_loads(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    import time

    from tiangong_site import share_image, site

    asked: list[str] = []
    real_match, real_load = share_image._match, site.load_content
    started_before_loading: list[int] = []

    def match(pattern: str, lang: str) -> share_image.Face | None:
        asked.append(pattern)
        return real_match(pattern, lang)

    def load(folder: Path):  # waits (up to a hang guard) for the lookups to have started
        deadline = time.monotonic() + 60
        while len(asked) < 4 and time.monotonic() < deadline:
            time.sleep(0.01)
        started_before_loading.append(len(asked))
        return real_load(folder)

    monkeypatch.setattr(share_image, "_match", match)
    monkeypatch.setattr(site, "load_content", load)
    site.build(site.Project.at(project), tmp_path / "out")
    assert started_before_loading == [4]  # bold and regular, in English and Chinese
    assert len(asked) == 4  # each found once: the images took what was looked up early
    assert (tmp_path / "out" / "index.html").is_file()
