"""Slugs, addresses and element ids that collide are located errors, listed at once.

Each end-to-end test takes a copy of the real project built once successfully, adds one
collision, builds again with the command line and checks what the editor sees (exit 1, a
`path:line:col: message (hint)` line at the slug, heading or record, naming the other
origin) and what readers keep (the previous `_site/`, byte for byte).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from conftest import Run, leftovers, tree_digest
from tiangong_site.collisions import THEME_SHOWN, Origin, address_problems
from tiangong_site.incremental import IncrementalBuilder
from tiangong_site.markdown import BLOCK
from tiangong_site.pages import Job, SitePlan
from tiangong_site.render import THEME, Urls
from tiangong_site.site import Project as SiteProject

SLUG_LINE, SLUG_VALUE_COLUMN = 4, 7
"""Where `add_page` writes the slug: `slug: VALUE` on line 4, the value from column 7."""


class Project:
    """A copy of the real project with a published `_site/`, to add collisions to."""

    def __init__(self, root: Path, run_cli):
        self.root, self.run_cli = root, run_cli
        self.site = tree_digest(root / "_site")
        assert "index.html" in self.site

    def build(self) -> Run:
        return self.run_cli("build", "--project", self.root)

    def page(self, name: str) -> Path:
        return self.root / "content" / "pages" / name

    def add_page(self, name: str, slug: str, layout: str = "page", body: str = "Text.\n") -> int:
        """Both editions of a page (the site is bilingual), slug on line 4, HTML allowed;
        returns the line the body starts on."""
        front = (
            f'---\ntitle: "T"\ndescription: "D"\nslug: {slug}\nlayout: {layout}\n'
            "allow_html: true\n---\n"
        )
        for suffix in ("", ".zh"):
            self.page(f"{name}{suffix}.md").write_text(front + body, encoding="utf-8")
        return front.count("\n") + 1

    def append(self, name: str, text: str) -> int:
        """Append lines to a page; returns the line number of the first one."""
        path = self.page(name)
        body = path.read_text(encoding="utf-8")
        body += "" if body.endswith("\n") else "\n"
        path.write_text(body + text, encoding="utf-8")
        return body.count("\n") + 1

    def assert_refused(
        self, run: Run, path: str, line: int, column: int | None = None
    ) -> list[re.Match[str]]:
        """Exit 1, problems located at path:line (and column), the published site untouched."""
        assert run.code == 1, run.err
        assert "Traceback" not in run.err
        located = [p for p in run.problems() if p["path"] == path and int(p["line"]) == line]
        assert located, f"no problem at {path}:{line} in:\n{run.err}"
        if column is not None:
            assert {int(p["col"]) for p in located} == {column}, run.err
        assert all(p["hint"].strip() for p in located)
        assert tree_digest(self.root / "_site") == self.site
        assert leftovers(self.root) == []
        return located


@pytest.fixture
def project(built_project: Path, run_cli) -> Project:
    return Project(built_project, run_cli)


def template_line(root: Path, template: str, element_id: str) -> str:
    """`where:line` of the id in the template the page uses: the project's, else the theme's."""
    path, shown = root / "templates" / template, f"templates/{template}"
    if not path.exists():
        path, shown = THEME / "templates" / template, f"{THEME_SHOWN}/{template}"
    text = path.read_text(encoding="utf-8")
    line = text[: text.index(f'id="{element_id}"')].count("\n") + 1
    return f"{shown}:{line}"


def placed_chart(root: Path) -> str:
    """The first chart the story places."""
    body = (root / "content" / "pages" / "index.md").read_text(encoding="utf-8")
    return next(m.group(2) for m in BLOCK.finditer(body) if m.group(1) == "chart")


# --- slugs on generated addresses ----------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(
    ("slug", "folder"),
    [
        ("charts", "chart pages"),
        ("regions", "pages of collection 'regions'"),
        ("clusters", "pages of collection 'clusters'"),
    ],
)
def test_slug_on_a_generated_folder_is_refused_at_the_slug(
    project: Project, slug: str, folder: str
):
    project.add_page("extra", slug)
    run = project.build()
    for path in ("content/pages/extra.md", "content/pages/extra.zh.md"):
        [problem] = project.assert_refused(run, path, SLUG_LINE, SLUG_VALUE_COLUMN)
        assert f"slug '{slug}'" in problem["message"] and folder in problem["message"]
        assert f"{slug}/" in problem["message"]


def test_the_data_folder_is_only_for_the_page_that_lists_the_downloads(project: Project):
    for name in ("data.md", "data.zh.md"):
        path = project.page(name)
        path.write_text(
            path.read_text(encoding="utf-8").replace("layout: data", "layout: page"),
            encoding="utf-8",
        )
    run = project.build()
    [problem] = project.assert_refused(run, "content/pages/data.md", SLUG_LINE, SLUG_VALUE_COLUMN)
    assert "slug 'data'" in problem["message"] and "data/NAME.csv" in problem["message"]
    assert "layout: data" in problem["hint"]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("slug", "what"),
    [("assets", "static files"), ("en", "English edition"), ("zh", "Chinese edition")],
)
def test_slug_on_a_folder_of_the_site_is_refused(project: Project, slug: str, what: str):
    project.add_page("extra", slug)
    run = project.build()
    [problem] = project.assert_refused(run, "content/pages/extra.md", SLUG_LINE, SLUG_VALUE_COLUMN)
    assert f"slug '{slug}'" in problem["message"] and what in problem["message"]


def test_check_reports_a_slug_collision_without_building(project: Project):
    project.add_page("extra", "charts")
    run = project.run_cli("check", "--project", project.root)
    project.assert_refused(run, "content/pages/extra.md", SLUG_LINE, SLUG_VALUE_COLUMN)


# --- two things on one address ---------------------------------------------------------------


def test_two_pages_with_one_slug_name_each_other(project: Project):
    project.add_page("about", "sources")
    run = project.build()
    assert run.code == 1
    pages = {"content/pages/about.md", "content/pages/sources.md"}
    named = [p for p in run.problems() if p["path"] in pages and int(p["line"]) == SLUG_LINE]
    assert named, run.err
    for problem in named:
        assert "slug 'sources'" in problem["message"]
        assert (pages - {problem["path"]}).pop() in problem["message"]
    assert tree_digest(project.root / "_site") == project.site


def test_two_records_with_one_id_name_each_other(project: Project):
    path = project.root / "content" / "data" / "regions.yaml"
    text = path.read_text(encoding="utf-8").rstrip("\n") + "\n"
    first = yaml.safe_load(text)[1]
    line = text.count("\n") + 1
    path.write_text(
        text + yaml.safe_dump([first], allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    run = project.build()
    [problem] = project.assert_refused(run, "content/data/regions.yaml", line)
    first_line = text.splitlines().index(f"- id: {first['id']}") + 1
    assert (
        f"'{first['id']}'" in problem["message"]
        and f"first on line {first_line}" in problem["message"]
    )


def job(path: str, origin: Origin) -> Job:
    return Job(path=path, template="page.html", context=lambda env: {}, origin=origin)


def page_at(path: str, slug: str) -> Origin:
    return Origin(path, path, 4, 1, layout="page", slug=slug)


@pytest.mark.parametrize("other", ["About/index.html", "ABOUT/index.html", "about/INDEX.HTML"])
def test_addresses_that_differ_only_in_case_are_one_address(tmp_path: Path, other: str):
    plan = SitePlan(Urls("https://example.org/"))
    plan.jobs = [
        job("about/index.html", page_at("content/pages/about.md", "about")),
        job(other, page_at("content/pages/x.md", "x")),
    ]
    [problem] = address_problems(plan, {""}, tmp_path)
    assert problem.path == "content/pages/x.md" and "content/pages/about.md:4:1" in problem.message


def test_addresses_are_compared_after_unicode_normalisation(tmp_path: Path):
    plan = SitePlan(Urls("https://example.org/"))
    composed, decomposed = "caf\u00e9/index.html", "cafe\u0301/index.html"
    plan.jobs = [
        job(composed, page_at("content/pages/a.md", "a")),
        job(decomposed, page_at("content/pages/b.md", "b")),
    ]
    assert len(address_problems(plan, {""}, tmp_path)) == 1


def test_two_records_on_one_address_name_both_records(tmp_path: Path):
    plan = SitePlan(Urls("https://example.org/"))
    region = Origin(
        "region 'x'", "content/data/regions.yaml", 7, 5, "the region pages, regions/ID/"
    )
    again = Origin(
        "region 'x'", "content/data/regions.yaml", 12, 5, "the region pages, regions/ID/"
    )
    plan.jobs = [job("regions/x/index.html", region), job("regions/x/index.html", again)]
    [problem] = address_problems(plan, {""}, tmp_path)
    assert (problem.path, problem.line) == ("content/data/regions.yaml", 12)
    assert "content/data/regions.yaml:7:5" in problem.message


def test_a_page_on_a_generated_page_names_the_record(tmp_path: Path):
    plan = SitePlan(Urls("https://example.org/"))
    region = Origin(
        "region 'x'", "content/data/regions.yaml", 7, 5, "the region pages, regions/ID/"
    )
    plan.jobs = [
        job("regions/x/index.html", region),
        job("regions/x/index.html", page_at("content/pages/p.md", "regions/x")),
    ]
    problems = address_problems(plan, {""}, tmp_path)
    assert problems and all(p.path == "content/pages/p.md" for p in problems)
    assert any("region 'x' (content/data/regions.yaml:7:5)" in p.message for p in problems)


def test_a_page_at_the_root_of_an_edition_is_not_in_a_generated_folder(tmp_path: Path):
    """'en/' holds every file of the English edition; the English home page belongs there."""
    plan = SitePlan(Urls("https://example.org/"))
    region = Origin(
        "region 'x'", "content/data/regions.yaml", 7, 5, "the region pages, regions/ID/"
    )
    plan.jobs = [
        job("en/regions/x/index.html", region),
        job("en/index.html", page_at("content/pages/index.md", "")),
    ]
    assert address_problems(plan, {"en/", "zh/"}, tmp_path) == []


# --- slugs that are not safe path segments -----------------------------------------------------


@pytest.mark.parametrize(
    ("slug", "why", "suggested"),
    [
        ("About", "capital letters", "about"),
        ("how/we-did-it", "'/'", "how-we-did-it"),
        ("../outside", "'..'", "outside"),
        ("'100%'", "'%'", "100"),
        ("'how we did it'", "space", "how-we-did-it"),
        ("-draft", "hyphen", "draft"),
        ("café", "characters other than", "cafe"),
    ],
)
def test_a_slug_must_be_a_safe_path_segment(project: Project, slug: str, why: str, suggested: str):
    project.add_page("extra", slug)
    run = project.build()
    [problem] = project.assert_refused(run, "content/pages/extra.md", SLUG_LINE)
    assert "not a safe address" in problem["message"] and why in problem["message"]
    assert f"'{suggested}'" in problem["hint"]


# --- element ids ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("page", "heading", "element_id", "template"),
    [
        ("index.md", "Main", "main", "base.html"),
        ("data.md", "Datasets", "datasets", "data.html"),
        ("sources.md", "All sources", "all-sources", "sources.html"),
    ],
)
@pytest.mark.slow
def test_a_heading_repeating_a_template_id_is_refused_at_the_heading(
    project: Project, page: str, heading: str, element_id: str, template: str
):
    line = project.append(page, f"\n## {heading}\n\nText.\n") + 1
    run = project.build()
    [problem] = project.assert_refused(run, f"content/pages/{page}", line)
    assert f"'{element_id}'" in problem["message"]
    assert template_line(project.root, template, element_id) in problem["message"]


def test_an_underlined_heading_is_located_too(project: Project):
    line = project.append("index.md", "\nMain\n----\n") + 1
    run = project.build()
    project.assert_refused(run, "content/pages/index.md", line)


def test_a_heading_repeating_a_chart_id_names_the_chart(project: Project):
    chart = placed_chart(project.root)
    line = project.append("index.md", f"\n## Chart {chart.replace('-', ' ')}\n") + 1
    run = project.build()
    [problem] = project.assert_refused(run, "content/pages/index.md", line)
    assert f"chart '{chart}' (content/charts.yaml:" in problem["message"]


def test_an_id_written_in_a_pages_html_is_refused_at_its_line(project: Project):
    start = project.add_page("extra", "extra-page", body='Text.\n\n<div id="main">Boxed.</div>\n')
    run = project.build()
    [problem] = project.assert_refused(run, "content/pages/extra.md", start + 2)
    assert template_line(project.root, "base.html", "main") in problem["message"]


def _append_chart(root: Path, new_id: str, like: str) -> int:
    path = root / "content" / "charts.yaml"
    text = path.read_text(encoding="utf-8").rstrip("\n") + "\n"
    record = next(c for c in yaml.safe_load(text) if c["id"] == like) | {"id": new_id}
    path.write_text(
        text + yaml.safe_dump([record], allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    return text.count("\n") + 1


@pytest.mark.slow
def test_two_charts_giving_one_element_id_name_each_other(project: Project):
    chart = placed_chart(project.root)
    line = _append_chart(project.root, f"{chart}-title", chart)  # chart-X-title is X's title id
    for page in ("index.md", "index.zh.md"):
        project.append(page, f"\n::: chart {chart}-title\n")
    run = project.build()
    [problem] = project.assert_refused(run, "content/charts.yaml", line)
    assert (
        f"'chart-{chart}-title'" in problem["message"]
        and f"chart '{chart}' (content/charts.yaml:" in problem["message"]
    )


def test_a_chart_placed_twice_on_a_page_is_refused_at_the_second(project: Project):
    chart = placed_chart(project.root)
    line = project.append("index.md", f"\n::: chart {chart}\n") + 1
    project.append("index.zh.md", f"\n::: chart {chart}\n")  # both editions, or they differ
    run = project.build()
    [problem] = project.assert_refused(run, "content/pages/index.md", line)
    assert f"chart '{chart}' is placed twice" in problem["message"]


# --- all at once, and the real content ------------------------------------------------------------


def test_every_collision_is_listed_in_one_run(project: Project):
    project.add_page("extra", "charts")
    heading = project.append("index.md", "\n## Main\n") + 1
    run = project.build()
    project.assert_refused(run, "content/pages/extra.md", SLUG_LINE)
    project.assert_refused(run, "content/pages/extra.zh.md", SLUG_LINE)
    project.assert_refused(run, "content/pages/index.md", heading)


@pytest.mark.slow
def test_the_preview_reports_collisions_and_keeps_the_last_good_site(project: Project):
    builder = IncrementalBuilder(SiteProject.at(project.root), project.root / "_site")
    builder.full_build()
    before = tree_digest(project.root / "_site")
    project.add_page("extra", "regions")
    heading = project.append("index.md", "\n## Main\n") + 1
    update = builder.update()
    located = {(p.path, p.line) for p in update.problems}
    assert ("content/pages/extra.md", SLUG_LINE) in located, update.problems
    assert ("content/pages/index.md", heading) in located, update.problems
    assert tree_digest(project.root / "_site") == before


@pytest.mark.slow
def test_the_real_content_has_no_collision(project: Project):
    assert project.run_cli("check", "--project", project.root).code == 0
    run = project.build()
    assert run.code == 0, run.err
    ids = re.compile(r'\sid="([^"]*)"')
    for page in (project.root / "_site").rglob("*.html"):
        found = ids.findall(page.read_text(encoding="utf-8"))
        assert len(found) == len(set(found)), page
