"""Builds reuse what earlier builds kept in .cache/, and a failed build keeps nothing new."""

from __future__ import annotations

from pathlib import Path

import pytest

from tiangong_site import i18n
from tiangong_site.errors import ContentError
from tiangong_site.site import Project, build


def test_a_build_reads_the_interface_strings_an_earlier_build_extracted(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    build(Project.at(project), tmp_path / "first")
    assert list((project / ".cache").glob("messages-*.signed")), (
        "the first build keeps its extraction"
    )
    i18n._messages_in_code.cache_clear()  # as in a new process

    def extract_again(*args):
        raise AssertionError("the templates and code were parsed again")

    monkeypatch.setattr(i18n, "_messages_in_code", extract_again)
    build(Project.at(project), tmp_path / "second")
    assert (tmp_path / "second" / "index.html").is_file()


def test_a_build_that_fails_keeps_no_extraction(project: Path, tmp_path: Path):
    (project / "templates" / "404.html").write_text("{% if %}", encoding="utf-8")
    with pytest.raises(ContentError):
        build(Project.at(project), tmp_path / "out")
    assert not list((project / ".cache").glob("messages-*.signed"))
