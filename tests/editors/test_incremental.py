"""The preview re-renders only what a change touches, writes only what changed, and keeps
the last good site when a change is broken."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import tree_digest
from tiangong_site.incremental import IncrementalBuilder
from tiangong_site.loader import load_yaml_file
from tiangong_site.site import Project, build

# Each test builds the whole project, then rebuilds part of it.
pytestmark = pytest.mark.slow


@pytest.fixture
def builder(project: Path) -> IncrementalBuilder:
    b = IncrementalBuilder(Project.at(project), project / "_site")
    b.full_build()
    return b


@pytest.fixture
def drawing_builder(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> IncrementalBuilder:
    """A builder whose chart drawings start from an empty cache of its own: the tests' shared
    cache outlives the run (conftest.py), so an edited chart's drawing may already be in it."""
    from tiangong_site import drawing

    monkeypatch.setenv(drawing.CACHE_ENV, str(tmp_path / "drawings"))
    b = IncrementalBuilder(Project.at(project), project / "_site")
    b.full_build()
    return b


def editions(project: Path) -> list[str]:
    """'en/' and 'zh/' on a site of two languages; '' on a site of one."""
    site = project / "_site"
    return [f"{p.name}/" for p in sorted(site.iterdir()) if p.is_dir() and len(p.name) == 2] or [""]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_nothing_changed_renders_nothing(builder: IncrementalBuilder):
    update = builder.update()
    assert update.changed == [] and update.rendered == [] and update.written == []


def test_a_data_edit_rerenders_only_the_pages_made_from_that_data(
    builder: IncrementalBuilder, project: Path
):
    path = project / "content/data/events.yaml"
    source = load_yaml_file(project / "content/data/sources.yaml", "sources.yaml").data[0]["id"]
    added = (
        '\n- id: added-by-test\n  date: "2024-06-01"\n'
        '  title: {en: "Edited event", zh: "测试事件"}\n'
        f"  kind: other\n  source: {source}\n"
    )
    path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + "\n" + added, encoding="utf-8")
    update = builder.update()
    assert update.ok, update.problems
    assert update.changed == ["content/data/events.yaml"]
    # Pages built from events (the page placing the timeline, its embed page, the data and
    # sources listings) are re-rendered; place and cluster pages are not.
    for ed in editions(project):
        assert f"{ed}charts/timeline/index.html" in update.rendered
        assert not [p for p in update.rendered if p.startswith((f"{ed}regions/", f"{ed}clusters/"))]
        assert f"{ed}charts/timeline/timeline.csv" in update.written
    assert "Edited" in (
        project / "_site" / editions(project)[0] / "charts/timeline/timeline.csv"
    ).read_text(encoding="utf-8")
    assert len(update.rendered) < len(list((project / "_site").rglob("*.html"))) / 2


def test_a_template_edit_rerenders_the_pages_that_use_it(
    builder: IncrementalBuilder, project: Path
):
    edit(project / "templates/cluster.html", '<dl class="facts">', '<dl class="facts edited">')
    update = builder.update()
    assert update.ok, update.problems
    clusters = sorted(
        str(p.relative_to(project / "_site"))
        for ed in editions(project)
        for p in (project / "_site" / ed / "clusters").rglob("index.html")
    )
    assert clusters and sorted(update.rendered) == clusters
    assert '<dl class="facts edited">' in (project / "_site" / clusters[0]).read_text(
        encoding="utf-8"
    )


def test_the_base_template_rerenders_every_page_that_extends_it(
    builder: IncrementalBuilder, project: Path
):
    edit(project / "templates/base.html", '<a class="skip"', '<a class="skip edited"')
    update = builder.update()
    site = project / "_site"
    pages = {str(p.relative_to(site)) for p in site.rglob("*.html")}
    # Chart embeds and the language chooser have layouts of their own.
    embeds = {p for p in pages if "/embed/" in p} | (
        {"index.html"} if editions(project) != [""] else set()
    )
    assert embeds and set(update.rendered) == pages - embeds


def test_a_broken_edit_writes_nothing_and_reports_file_and_line(
    builder: IncrementalBuilder, project: Path
):
    before = tree_digest(project / "_site")
    path = project / "content/data/regions.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    target = next(i for i, line in enumerate(lines) if line.startswith("  kind: "))
    lines[target] = "  kind: [oops\n"
    path.write_text("".join(lines), encoding="utf-8")
    update = builder.update()
    assert not update.ok
    assert update.written == []
    assert [(p.path, p.line) for p in update.problems][0][0] == "content/data/regions.yaml"
    assert any(p.line in (target + 1, target + 2) for p in update.problems)
    assert tree_digest(project / "_site") == before


def test_a_broken_template_is_reported_and_the_site_kept(
    builder: IncrementalBuilder, project: Path
):
    before = tree_digest(project / "_site")
    edit(project / "templates/region.html", "{% block main %}", "{% block main %}{% if %}")
    update = builder.update()
    assert not update.ok
    assert update.problems[0].path == "templates/region.html"
    assert tree_digest(project / "_site") == before


def test_fixing_a_broken_edit_recovers(builder: IncrementalBuilder, project: Path):
    path = project / "content/data/figures.yaml"
    good = path.read_text(encoding="utf-8")
    path.write_text(good + "\n- metric: [\n", encoding="utf-8")
    assert not builder.update().ok
    path.write_text(good.replace("value: 660.06", "value: 661.06"), encoding="utf-8")
    update = builder.update()
    assert update.ok and builder.last_problems == []
    assert "661.06" in (project / "_site" / editions(project)[0] / "data/figures.csv").read_text(
        encoding="utf-8"
    )


def test_a_new_page_is_written_and_a_removed_page_deleted(
    builder: IncrementalBuilder, project: Path
):
    pages = [
        project
        / "content/pages"
        / (f"extra.{ed.strip('/')}.md" if ed not in ("", "en/") else "extra.md")
        for ed in editions(project)
    ]
    for page in pages:
        words = (
            ("附页", "一个附加页面。", "你好。")
            if page.name.endswith(".zh.md")
            else ("Extra", "An extra page.", "Hello.")
        )
        title, description, body = words
        text = f'---\ntitle: "{title}"\ndescription: "{description}"\nslug: extra\n---\n{body}\n'
        page.write_text(text, encoding="utf-8")
    update = builder.update()
    expected = [f"{ed}extra/index.html" for ed in editions(project)]
    assert update.ok and set(expected) <= set(update.written)
    for page in pages:
        page.unlink()
    update = builder.update()
    assert update.ok and update.removed == expected
    assert not any((project / "_site" / path).exists() for path in expected)


def menu_titles(html: str) -> list[str]:
    """The link texts of the site menu (the masthead's <nav>) of a page."""
    menu = re.search(r'<header class="masthead">.*?<nav[^>]*>(.*?)</nav>', html, re.S)
    return re.findall(r"<li><a [^>]*>([^<]*)</a>", menu.group(1)) if menu else []


def test_renaming_a_menu_entry_rerenders_every_page_that_shows_the_menu(
    builder: IncrementalBuilder, project: Path
):
    site, english = project / "_site", editions(project)[0]
    with_menu = [
        p
        for p in (site / english).rglob("*.html")
        if "Sources" in menu_titles(p.read_text(encoding="utf-8"))
    ]
    assert len(with_menu) > 10  # the place and cluster pages show the menu too
    edit(project / "content/pages/sources.md", "nav_title: Sources", "nav_title: Notes on sources")
    update = builder.update()
    assert update.ok, update.problems
    for page in with_menu:
        titles = menu_titles(page.read_text(encoding="utf-8"))
        assert "Notes on sources" in titles and "Sources" not in titles, page
    other = editions(project)[-1]
    if other != english:  # the other edition's menu has its own titles: left as it was
        assert not [p for p in update.written if p.startswith(other)]


def test_a_number_edit_writes_what_a_full_build_writes_and_renders_only_the_pages_it_changes(
    builder: IncrementalBuilder, project: Path
):
    path = project / "content/data/figures.yaml"
    text = path.read_text(encoding="utf-8")
    record = text.index("- id: sx-gdp-growth-2024h1")
    value = text.index("value: 7.0", record)
    path.write_text(
        text[:value] + "value: 7.43" + text[value + len("value: 7.0") :], encoding="utf-8"
    )
    update = builder.update()
    assert update.ok, update.problems
    story = f"{editions(project)[0]}index.html"
    assert story in update.rendered and "7.43%" in (project / "_site" / story).read_text(
        encoding="utf-8"
    )
    pages_reading_figures = [
        p
        for p in (project / "_site").rglob("*.html")
        if "regions/" in p.as_posix() or "clusters/" in p.as_posix()
    ]
    assert len(update.rendered) < len(pages_reading_figures) / 4, update.rendered
    fresh = project.parent / "fresh"  # the same content, built from scratch
    build(Project.at(project), fresh)
    assert tree_digest(project / "_site") == tree_digest(fresh)


def test_a_chart_edit_redraws_that_chart_only_and_the_page_shows_the_new_drawing(
    drawing_builder: IncrementalBuilder, project: Path
):
    from tiangong_site import drawing

    before = len(drawing.DRAWN)
    edit(
        project / "content/charts.yaml", "  height: 300\n", "  height: 420\n"
    )  # land-freed's height
    update = drawing_builder.update()
    assert update.ok, update.problems
    redrawn = drawing.DRAWN[before:]
    assert redrawn and {name.split("/")[0] for name in redrawn} == {"land-freed"}, redrawn
    for ed in editions(project):
        page = (project / "_site" / ed / "charts/land-freed/index.html").read_text(encoding="utf-8")
        assert 'viewBox="0 0 760 420"' in page, "the chart page does not show the new drawing"


def test_chart_edits_of_one_preview_are_drawn_in_one_chromium_closed_when_it_ends(
    drawing_builder: IncrementalBuilder, project: Path
):
    from tiangong_site import drawing

    sessions = drawing.SESSION_STATS["sessions"]
    with drawing.kept_session() as kept:  # as `serve` draws
        for old, new in (
            ("  height: 300\n", "  height: 420\n"),
            ("  height: 420\n", "  height: 440\n"),
        ):
            edit(project / "content/charts.yaml", old, new)
            update = drawing_builder.update()
            assert update.ok, update.problems
            page = project / "_site" / editions(project)[0] / "charts/land-freed/index.html"
            assert f'viewBox="0 0 760 {new.split()[1]}"' in page.read_text(encoding="utf-8")
        assert kept.open
    assert drawing.SESSION_STATS["sessions"] == sessions + 1, "a browser started per edit"
    assert not kept.open


def test_an_update_leaves_the_memos_the_last_build_saved_whole(
    builder: IncrementalBuilder, project: Path
):
    """An update checks and converts a few pages; the memos it reads must still hold every
    page's results for the next cold build, not only those few."""
    memos = ("typography-*.json", "markdown-*.json", "chinese-runs-*.json")

    def saved() -> dict[str, bytes]:
        return {p.name: p.read_bytes() for m in memos for p in (project / ".cache").glob(m)}

    before = saved()
    assert {name.split("-")[0] for name in before} == {"typography", "markdown", "chinese"}
    edit(
        project / "content/pages/index.md",
        "The wider economy grew too.",
        "The wider economy grew as well.",
    )
    update = builder.update()
    assert update.ok and update.rendered, update.problems
    assert saved() == before


def test_an_update_reads_again_only_the_data_files_saved(
    builder: IncrementalBuilder, project: Path
):
    """The declarations' models and the records of files not saved are those of the last
    load (made again, they cost 50 ms of each save); the saved file's records are new."""
    before = builder.content
    assert before is not None and before.package is not None
    edit(project / "content/pages/index.md", "The wider economy grew too.", "It grew too.")
    assert builder.update().ok
    after = builder.content
    assert after is not None and after.package is before.package
    assert all(
        a is b for a, b in zip(before.records("figures"), after.records("figures"), strict=True)
    )
    edit(project / "content/data/figures.yaml", "value: 11.4", "value: 11.3")
    assert builder.update().ok
    edited = builder.content
    assert edited is not None and edited.package is before.package
    assert edited.records("regions") is not before.records("regions")  # a list of its own
    assert all(
        a is b for a, b in zip(before.records("regions"), edited.records("regions"), strict=True)
    )
    assert [r.value for r in edited.records("figures")] != [
        r.value for r in before.records("figures")
    ]


def test_an_edited_declaration_is_read_again(builder: IncrementalBuilder, project: Path):
    before = builder.content
    assert before is not None and before.package is not None
    declaration = project / "content/datapackage.yaml"
    declaration.write_text(
        declaration.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8"
    )
    assert builder.update().ok
    after = builder.content
    assert after is not None and after.package is not before.package
