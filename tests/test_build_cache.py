"""Builds reuse what earlier builds kept in .cache/, and a failed build keeps nothing new."""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

import pytest

from conftest import REPO, tree_digest
from tiangong_site import i18n
from tiangong_site.errors import ContentError
from tiangong_site.memo import package_version
from tiangong_site.site import Project, build

GLOSSARY = "content/glossary.yaml"


@pytest.fixture
def project(cold_project: Path) -> Path:
    """These tests are about what a build keeps in .cache/: each starts without one."""
    return cold_project


@pytest.mark.slow
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


def test_an_extraction_made_without_keeping_it_is_kept_when_asked_and_read_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    templates, cache = REPO / "templates", tmp_path / "cache"
    found = i18n.messages_in_code(templates, cache, write=False)
    assert not list(cache.glob("messages-*.signed")), "nothing kept before it is asked"
    i18n.keep_messages(cache)
    assert len(list(cache.glob("messages-*.signed"))) == 1

    def extract_again(*args):
        raise AssertionError("the templates and code were parsed again")

    monkeypatch.setattr(i18n, "_messages_in_code", extract_again)
    assert i18n.messages_in_code(templates, cache, write=False) == found
    i18n.keep_messages(cache)  # what was read back is already kept: nothing to add
    assert len(list(cache.glob("messages-*.signed"))) == 1


def test_a_build_that_fails_keeps_no_extraction(project: Path, tmp_path: Path):
    (project / "templates" / "404.html").write_text("{% if %}", encoding="utf-8")
    with pytest.raises(ContentError):
        build(Project.at(project), tmp_path / "out")
    assert not list((project / ".cache").glob("messages-*.signed"))


@pytest.mark.slow
def test_an_unchanged_site_is_rebuilt_from_the_memos_of_the_last_build(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    from tiangong_site import charts, cjk, loader, markdown

    build(Project.at(project), tmp_path / "first")
    for purpose in ("typography", "figures", "markdown", "parsed"):
        assert len(list((project / ".cache").glob(f"{purpose}-*.json"))) == 1, purpose

    def again(*args, **kwargs):
        raise AssertionError("worked out again, though nothing changed")

    # every YAML file the build read (the glossary is the editors'), now from the memo
    yaml_files = sorted(set((project / "content").rglob("*.yaml")) - {project / GLOSSARY})
    parsed = [loader.load_yaml_text(f.read_text(encoding="utf-8"), f.name) for f in yaml_files]
    monkeypatch.setattr(loader, "_parsed", again)
    with loader.remembered(project / ".cache"):
        for file, first in zip(yaml_files, parsed, strict=True):
            kept = loader.load_yaml_text(file.read_text(encoding="utf-8"), file.name)
            assert kept == first, file.name
    monkeypatch.setattr(cjk, "file_findings", again)  # the Chinese typography check
    monkeypatch.setattr(markdown, "_convert", again)  # Markdown to HTML
    monkeypatch.setattr(charts, "_go", again)  # plotly's validation of each figure
    build(Project.at(project), tmp_path / "second")
    assert tree_digest(tmp_path / "second") == tree_digest(tmp_path / "first")


@pytest.mark.slow
def test_a_word_the_allowlist_no_longer_names_fails_a_build_after_a_clean_one(
    project: Path, tmp_path: Path
):
    build(Project.at(project), tmp_path / "first")
    allowlist = project / "locales" / "zh" / "allowed-latin.txt"
    words = allowlist.read_text(encoding="utf-8")
    allowlist.write_text(words.replace("\nZISTIC\n", "\n"), encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        build(Project.at(project), tmp_path / "second")
    assert any("Latin-script word 'ZISTIC'" in p.message for p in caught.value.problems)


@pytest.mark.slow
def test_a_changed_page_is_checked_again(project: Path, tmp_path: Path):
    build(Project.at(project), tmp_path / "first")
    page = project / "content" / "pages" / "data.zh.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n另见 Appendix。\n", encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        build(Project.at(project), tmp_path / "second")
    assert any("Latin-script word 'Appendix'" in p.message for p in caught.value.problems)


def test_a_build_that_fails_its_typography_check_keeps_no_memo(project: Path, tmp_path: Path):
    page = project / "content" / "pages" / "data.zh.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n另见 Appendix。\n", encoding="utf-8")
    with pytest.raises(ContentError):
        build(Project.at(project), tmp_path / "out")
    assert not list((project / ".cache").glob("typography-*.json"))
    assert not list((project / ".cache").glob("markdown-*.json"))
    assert not list((project / ".cache").glob("parsed-*.json"))


@pytest.mark.slow
def test_a_build_reads_the_compiled_catalogue_an_earlier_build_kept(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    build(Project.at(project), tmp_path / "first")
    assert len(list((project / ".cache").glob("catalogue-*.signed"))) == 1, "kept for next time"
    i18n._compiled.cache_clear()  # as in a new process

    def read_again(*args):
        raise AssertionError("the catalogue was read with Babel again")

    monkeypatch.setattr(i18n, "_catalogue", read_again)
    build(Project.at(project), tmp_path / "second")
    assert tree_digest(tmp_path / "second") == tree_digest(tmp_path / "first")


def test_a_build_that_fails_keeps_no_compiled_catalogue(project: Path, tmp_path: Path):
    (project / "templates" / "404.html").write_text("{% if %}", encoding="utf-8")
    with pytest.raises(ContentError):
        build(Project.at(project), tmp_path / "out")
    assert not list((project / ".cache").glob("catalogue-*.signed"))


def test_the_library_versions_that_salt_the_memos_are_those_importlib_metadata_gives():
    # Read from the Version line of each package's metadata, which also has a
    # Metadata-Version line; the build salts its memos with the first four.
    for name in ("plotly", "kaleido", "markdown", "nh3", "pillow"):
        assert package_version(name) == importlib.metadata.version(name), name
    with pytest.raises(importlib.metadata.PackageNotFoundError):
        package_version("tiangong-no-such-package")
