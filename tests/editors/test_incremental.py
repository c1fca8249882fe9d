"""The preview re-renders only what a change touches, writes only what changed, and keeps
the last good site when a change is broken."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import tree_digest
from tiangong_site.incremental import IncrementalBuilder
from tiangong_site.loader import load_yaml_file
from tiangong_site.site import Project


@pytest.fixture
def builder(project: Path) -> IncrementalBuilder:
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


def test_a_data_edit_rerenders_only_the_pages_made_from_that_data(builder: IncrementalBuilder, project: Path):
    path = project / "content/data/events.yaml"
    source = load_yaml_file(project / "content/data/sources.yaml", "sources.yaml").data[0]["id"]
    added = f'\n- id: added-by-test\n  date: "2024-06-01"\n  title: {{en: "Edited event", zh: "测试事件"}}\n  kind: other\n  source: {source}\n'
    path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + "\n" + added, encoding="utf-8")
    update = builder.update()
    assert update.ok, update.problems
    assert update.changed == ["content/data/events.yaml"]
    # Pages built from events (the page placing the timeline, its embed page, the data and
    # sources listings) are re-rendered; place and cluster pages are not.
    for ed in editions(project):
        assert f"{ed}charts/timeline/index.html" in update.rendered
        assert not [p for p in update.rendered if p.startswith((f"{ed}regions/", f"{ed}clusters/"))]
        assert f"{ed}charts/timeline/data.csv" in update.written
    assert "Edited" in (project / "_site" / editions(project)[0] / "charts/timeline/data.csv").read_text(encoding="utf-8")
    assert len(update.rendered) < len(list((project / "_site").rglob("*.html"))) / 2


def test_a_template_edit_rerenders_the_pages_that_use_it(builder: IncrementalBuilder, project: Path):
    edit(project / "templates/cluster.html", '<dl class="facts">', '<dl class="facts edited">')
    update = builder.update()
    assert update.ok, update.problems
    clusters = sorted(str(p.relative_to(project / "_site")) for ed in editions(project) for p in (project / "_site" / ed / "clusters").rglob("index.html"))
    assert clusters and sorted(update.rendered) == clusters
    assert '<dl class="facts edited">' in (project / "_site" / clusters[0]).read_text(encoding="utf-8")


def test_the_base_template_rerenders_every_page_that_extends_it(builder: IncrementalBuilder, project: Path):
    edit(project / "templates/base.html", "<a class=\"skip\"", "<a class=\"skip edited\"")
    update = builder.update()
    site = project / "_site"
    pages = {str(p.relative_to(site)) for p in site.rglob("*.html")}
    # Standalone chart pages and the language chooser have layouts of their own.
    embeds = {p for p in pages if "charts/" in p} | ({"index.html"} if editions(project) != [""] else set())
    assert embeds and set(update.rendered) == pages - embeds


def test_a_broken_edit_writes_nothing_and_reports_file_and_line(builder: IncrementalBuilder, project: Path):
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


def test_a_broken_template_is_reported_and_the_site_kept(builder: IncrementalBuilder, project: Path):
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
    assert "661.06" in (project / "_site" / editions(project)[0] / "data/figures.csv").read_text(encoding="utf-8")


def test_a_new_page_is_written_and_a_removed_page_deleted(builder: IncrementalBuilder, project: Path):
    pages = [project / "content/pages" / (f"extra.{ed.strip('/')}.md" if ed not in ("", "en/") else "extra.md") for ed in editions(project)]
    for page in pages:
        page.write_text('---\ntitle: "Extra"\ndescription: "An extra page."\nslug: extra\n---\nHello.\n', encoding="utf-8")
    update = builder.update()
    expected = [f"{ed}extra/index.html" for ed in editions(project)]
    assert update.ok and set(expected) <= set(update.written)
    for page in pages:
        page.unlink()
    update = builder.update()
    assert update.ok and update.removed == expected
    assert not any((project / "_site" / path).exists() for path in expected)


def test_a_chart_edit_redraws_that_chart_only_and_the_page_shows_the_new_drawing(builder: IncrementalBuilder, project: Path):
    from tiangong_site import drawing

    before = len(drawing.DRAWN)
    edit(project / "content/charts.yaml", "  height: 300\n", "  height: 420\n")  # land-freed's height
    update = builder.update()
    assert update.ok, update.problems
    redrawn = drawing.DRAWN[before:]
    assert redrawn and {name.split("/")[0] for name in redrawn} == {"land-freed"}, redrawn
    for ed in editions(project):
        page = (project / "_site" / ed / "charts/land-freed/index.html").read_text(encoding="utf-8")
        assert 'viewBox="0 0 760 420"' in page, "the chart page does not show the new drawing"
