"""The preview cannot be turned against its user: it answers only to its own address, shrugs
off malformed and idle requests without a traceback, keeps answering while it rebuilds, and
never serves a page that failed a check."""

from __future__ import annotations

from pathlib import Path

from conftest import tree_digest
from tiangong_site.incremental import IncrementalBuilder
from tiangong_site.site import Project

BROKEN_LINK = "\nSee [the missing page](no-such-page/).\n"


def test_a_rerender_with_a_broken_link_writes_nothing_into_the_served_folder(project: Path):
    builder = IncrementalBuilder(Project.at(project), project / "_site")
    builder.full_build()
    before = tree_digest(project / "_site")
    page = project / "content/pages/index.md"
    good = page.read_text(encoding="utf-8")
    page.write_text(good + BROKEN_LINK, encoding="utf-8")
    update = builder.update()
    assert not update.ok and update.written == []
    assert any("broken link: no-such-page/" in p.message for p in update.problems)
    assert tree_digest(project / "_site") == before
    page.write_text(good + "\nSee [the sources](sources/), fixed.\n", encoding="utf-8")
    update = builder.update()
    assert update.ok, update.problems
    assert "the sources</a>, fixed." in (project / "_site/en/index.html").read_text(encoding="utf-8")
