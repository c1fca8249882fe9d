"""The preview re-renders exactly the pages that read what an edit changed, as recorded
while they were made (deps.py), and its output then equals a full build of the same
content, byte for byte.

Each test edits a copy of the real project the way an editor would, lets the preview
update, builds the same content from scratch into another folder, and compares the two
trees; then it checks that the pages re-rendered are the ones whose bytes the edit
changed (not all pages, none missing)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import theme_override, tree_digest
from tiangong_site.deps import recording
from tiangong_site.incremental import IncrementalBuilder, Update
from tiangong_site.site import Project, build

pytestmark = pytest.mark.slow  # each test builds the site twice


def started(root: Path) -> IncrementalBuilder:
    b = IncrementalBuilder(Project.at(root), root / "_site")
    b.full_build()
    return b


@pytest.fixture
def builder(built_project: Path) -> IncrementalBuilder:
    return started(built_project)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def pages(tree: dict[str, str]) -> set[str]:
    return {path for path in tree if path.endswith(".html")}


def update_and_compare(builder: IncrementalBuilder) -> tuple[Update, set[str]]:
    """Update the preview; assert its output is what a fresh build of the same content
    writes. Returns the update and the pages whose bytes the edit changed."""
    project = builder.project.root
    before = tree_digest(project / "_site")
    update = builder.update()
    assert update.ok, update.problems
    assert not update.full, "an edit that keys stand for must not rebuild the whole site"
    fresh = project.parent / "fresh"
    build(Project.at(project), fresh)
    after, expected = tree_digest(project / "_site"), tree_digest(fresh)
    assert after == expected, sorted(
        p for p in after.keys() | expected.keys() if after.get(p) != expected.get(p)
    )
    changed = {p for p in pages(expected) if before.get(p) != expected[p]}
    assert changed, "the edit changed no page: the test proves nothing"
    return update, changed


def menu_titles(html: str) -> list[str]:
    """The link texts of the site menu (the masthead's <nav>) of a page."""
    menu = re.search(r'<header class="masthead">.*?<nav[^>]*>(.*?)</nav>', html, re.S)
    return re.findall(r"<li><a [^>]*>([^<]*)</a>", menu.group(1)) if menu else []


def test_a_renamed_menu_entry_changes_the_menu_on_every_page_that_shows_it(
    builder: IncrementalBuilder,
):
    """The stale-menu bug: renaming a page's nav_title left 40 pages with the old menu."""
    site = builder.project.root / "_site"
    with_menu = {
        p.relative_to(site).as_posix()
        for p in site.rglob("*.html")
        if "Data" in menu_titles(p.read_text(encoding="utf-8"))
    }
    assert len(with_menu) > 20  # place, cluster and story pages all show the menu
    edit(builder.project.content / "pages/data.md", "nav_title: Data", "nav_title: Downloads")
    update, changed = update_and_compare(builder)
    for path in with_menu:
        titles = menu_titles((site / path).read_text(encoding="utf-8"))
        assert "Downloads" in titles and "Data" not in titles, path
    assert set(update.rendered) == changed == with_menu


def test_a_number_edit_rerenders_the_pages_that_read_that_figure(builder: IncrementalBuilder):
    figures = builder.project.content / "data/figures.yaml"
    text = figures.read_text(encoding="utf-8")
    record = text.index("- id: sx-gdp-growth-2024h1")
    value = text.index("value: 7.0", record)
    figures.write_text(text[:value] + "value: 7.43" + text[value + 10 :], encoding="utf-8")
    update, changed = update_and_compare(builder)
    # The listings of the data and sources pages show counts, not values: not made again.
    assert set(update.rendered) == changed
    assert {"en/index.html", "en/regions/shaoxing/index.html"} <= changed
    assert not [p for p in update.rendered if "/data/" in p or "/sources/" in p]


def test_a_number_a_chart_title_is_filled_from_shows_the_new_number_in_that_title(
    builder: IncrementalBuilder,
):
    """The chart's title says `{max(value) since 2022}%`: the preview fills it again from
    the edited figure (it used to keep the title filled at the first load, and then refused
    the edit: "the title says 11.4%, but no point of this chart is that")."""
    figures = builder.project.content / "data/figures.yaml"
    text = figures.read_text(encoding="utf-8")
    value = text.index("value: 11.4", text.index("- id: sx-iva-growth-2022q1"))
    figures.write_text(text[:value] + "value: 11.9" + text[value + 11 :], encoding="utf-8")
    update, changed = update_and_compare(builder)
    story = (builder.project.root / "_site/en/index.html").read_text(encoding="utf-8")
    assert "industry growing by 9.3% to 11.9%" in story
    assert "en/charts/sx-iva-growth/index.html" in changed


def test_a_new_record_changes_the_counts_on_the_data_and_sources_pages(
    builder: IncrementalBuilder,
):
    figures = builder.project.content / "data/figures.yaml"
    text = figures.read_text(encoding="utf-8")
    start = text.index("- id: sx-gdp-growth-2024h1")
    end = text.find("\n- ", start + 1)
    copy = text[start : end + 1 if end >= 0 else len(text)].replace(
        "sx-gdp-growth-2024h1", "sx-gdp-growth-2024h1-copy", 1
    )
    figures.write_text(text.rstrip("\n") + "\n" + copy.rstrip("\n") + "\n", encoding="utf-8")
    update, changed = update_and_compare(builder)
    assert set(update.rendered) >= changed
    listings = {f"{ed}/{page}/index.html" for ed in ("en", "zh") for page in ("data", "sources")}
    assert listings <= changed, "one more figure, and one more record citing its source"


def test_a_prose_edit_rerenders_that_page_only(builder: IncrementalBuilder):
    story = builder.project.content / "pages/index.md"
    edit(story, "The wider economy grew too.", "The wider economy grew as well.")
    update, changed = update_and_compare(builder)
    assert set(update.rendered) == changed == {"en/index.html"}


def test_an_included_template_edit_rerenders_the_pages_that_include_it(built_project: Path):
    # The project's own copy of the theme's partial, there before the preview starts.
    cite = theme_override(built_project, "templates/partials/cite.html")
    builder = started(built_project)
    edit(cite, 'cite.n) }}">', 'cite.n) }}" data-edited="1">')
    update, changed = update_and_compare(builder)
    assert set(update.rendered) == changed
    assert any("/regions/" in p for p in changed) and not any("/charts/" in p for p in changed)


def test_a_catalogue_edit_rerenders_the_pages_of_that_language(builder: IncrementalBuilder):
    catalogue = builder.project.root / "locales/zh/LC_MESSAGES/messages.po"
    edit(catalogue, 'msgstr "跳到正文"', 'msgstr "跳至正文"')
    update, changed = update_and_compare(builder)
    assert set(update.rendered) == changed
    assert changed and all(p.startswith("zh/") for p in changed)
    assert "跳至正文" in (builder.project.root / "_site/zh/index.html").read_text(encoding="utf-8")


def test_a_stylesheet_edit_rerenders_the_pages_that_inline_it(builder: IncrementalBuilder):
    style = builder.project.static / "style.css"
    style.write_text(
        style.read_text(encoding="utf-8") + "\n.edited-by-test { margin: 0; }\n", encoding="utf-8"
    )
    update, changed = update_and_compare(builder)
    assert set(update.rendered) == changed == pages(tree_digest(builder.project.root / "_site"))


def test_only_reads_made_while_recording_are_recorded(builder: IncrementalBuilder):
    content = builder.content
    assert content is not None
    content.index("figures").get("sx-gdp-growth-2024h1")  # no page is being made: no error
    with recording() as keys:
        content.index("figures").get("sx-gdp-growth-2024h1")
        assert content.pages[0].body
    assert keys == {"data:figures#sx-gdp-growth-2024h1", "pages", f"body:{content.pages[0].path}"}


def test_an_award_edit_rerenders_the_region_pages_that_list_it(builder: IncrementalBuilder):
    """A region page reads its awards through `related:` (content/collections.yaml): the
    edit shows on the page of the award's region. (Every page that reads the figures' rows
    is made again too: their won_YEAR columns come from the awards.) A chart of another
    dataset is left alone."""
    awards = builder.project.content / "data/awards.yaml"
    edit(awards, "Sixth of the 20 winners", "The sixth of the 20 winners")
    update, changed = update_and_compare(builder)
    assert {"en/regions/beilun/index.html"} <= changed <= set(update.rendered)
    assert "en/charts/award-tiers/index.html" not in update.rendered
    assert "The sixth of the 20 winners" in (
        builder.project.root / "_site/en/regions/beilun/index.html"
    ).read_text(encoding="utf-8")


def test_a_figure_edit_rerenders_the_cluster_page_it_is_related_to(builder: IncrementalBuilder):
    figures = builder.project.content / "data/figures.yaml"
    text = figures.read_text(encoding="utf-8")
    at = text.index("cluster: xinchang-bearings")
    record = text.rindex("\n- ", 0, at)
    value = text.index("value: ", record)
    end = text.index("\n", value)
    figures.write_text(text[:value] + "value: 301" + text[end:], encoding="utf-8")
    update, changed = update_and_compare(builder)
    assert "en/clusters/xinchang-bearings/index.html" in changed
    assert set(update.rendered) >= changed
    assert not [p for p in update.rendered if p.endswith("clusters/shangyu-fluorine/index.html")]


def test_a_source_edit_rerenders_every_page_that_lists_it(builder: IncrementalBuilder):
    """Each language's list entry of a source is made once for the whole site (views.py,
    Citations.view): every page that lists it must still record that it read it."""
    site = builder.project.root / "_site"
    title = "[Shaoxing's places in the first tracks of Zhejiang's 415X clusters]"
    listing = {
        p.relative_to(site).as_posix()
        for p in (site / "en").rglob("*.html")  # the English title is edited
        if '<li id="cite-chinazj-415x-2022-12"' in p.read_text(encoding="utf-8")
    }
    assert len(listing) > 5  # region, cluster and story pages list it
    edit(builder.project.content / "data/sources.yaml", title, "[Shaoxing in the 415X tracks]")
    update, changed = update_and_compare(builder)
    assert listing <= changed <= set(update.rendered)
