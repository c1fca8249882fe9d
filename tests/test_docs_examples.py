"""The examples of docs/pages-from-data.md build as written, and its template uses every
attribute of the typed page data (the contract between the engine and templates); the
site.yaml of docs/languages.md builds a site in its languages."""

from __future__ import annotations

import dataclasses
import functools
import re
from pathlib import Path

from conftest import REPO, write_content
from test_languages import content_files, make_project
from test_theme import STORY_TEMPLATES
from tiangong_site import cli
from tiangong_site.collections import (
    Collection,
    CollectionIndex,
    CollectionPage,
    Column,
    Item,
    Link,
)

DOC = REPO / "docs" / "pages-from-data.md"
EXAMPLE = re.compile(r"<!-- example: (\S+) -->\n```\w*\n(.*?)```", re.S)


def examples(doc: Path = DOC) -> dict[str, str]:
    return dict(EXAMPLE.findall(doc.read_text(encoding="utf-8")))


def _project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    write_content(root)
    for name, body in examples().items():
        folder = root / ("content" if name == "collections.yaml" else "")
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(body, encoding="utf-8")
    for name, body in STORY_TEMPLATES.items():
        (root / "templates" / name).write_text(body, encoding="utf-8")
    return root


def test_the_documented_collections_and_templates_build(run_cli, tmp_path):
    root = _project(tmp_path)
    result = run_cli("build", "--project", root)
    assert result.code == 0, result.err
    site = root / "_site"
    alpha = (site / "places" / "alpha" / "index.html").read_text(encoding="utf-8")
    assert "<h1>Alpha</h1>" in alpha
    assert '<a href="/sub/places/">All places</a>' in alpha  # the collection's index
    assert 'href="/sub/places/beta/" rel="next"' in alpha  # sorted by name
    assert "<dt>kind</dt><dd>city</dd>" in alpha
    assert "<p>Made by our data desk.</p><p>Test publisher</p>" in alpha  # the base override
    # related rows, in this language, sorted: alpha's figures, each citing its source
    figures = re.findall(r"<li>([^<]*)<a href=\"#cite-([\w-]+)\">\[(\d)\]", alpha)
    assert figures == [
        ("Growth, 2023: 10.8%", "src-a", "1"),
        ("Output, H1 2023: 123.4 bn yuan", "src-b", "2"),
    ]
    assert '<li id="cite-src-a">Source A</li><li id="cite-src-b">Source B</li>' in alpha
    province = (site / "kinds" / "province" / "index.html").read_text(encoding="utf-8")
    assert "<h1>Places of kind province</h1>" in province
    listing = (site / "places" / "index.html").read_text(encoding="utf-8")
    assert '<li><a href="/sub/places/gamma/">Gamma</a> city</li>' in listing
    assert not (site / "places" / "prov").exists()  # {not: province}
    kinds = (site / "kinds" / "city" / "index.html").read_text(encoding="utf-8")
    assert "<h1>Places of kind city</h1>" in kinds  # a group, in the theme's record.html


def test_the_documented_template_uses_every_attribute_of_the_page_data():
    """A renamed or added attribute must show in the doc's templates, which the build above
    renders with undefined names as errors."""
    templates = examples()["templates/place.html"] + examples()["templates/places.html"]
    used = set(re.findall(r"\b(?:page|c|row|item)((?:\.\w+)+)", templates))
    used_names = {part for chain in used for part in chain.split(".") if part}
    for cls in (CollectionPage, CollectionIndex, Collection, Column, Link, Item):
        names = {f.name for f in dataclasses.fields(cls) if not f.name.startswith("_")}
        names |= {n for n, v in vars(cls).items() if isinstance(v, functools.cached_property)}
        assert names <= used_names, (cls.__name__, names - used_names)


def test_the_documented_site_yaml_publishes_each_language_where_the_doc_says(tmp_path):
    site_yaml = examples(REPO / "docs" / "languages.md")["site.yaml"]
    languages = ["de", "fr"]
    assert f"languages: [{', '.join(languages)}]" in site_yaml
    files = content_files(languages) | {"site.yaml": site_yaml}
    root = make_project(tmp_path / "project", files, languages)
    assert cli.main(["build", "--project", str(root), "-q"]) == 0
    site = root / "_site"
    home = (site / "index.html").read_text(encoding="utf-8")  # default_language_at_root
    assert '<html lang="de"' in home and "Flüsse" in home
    french = (site / "fr" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="fr"' in french and "Rivières" in french
    assert not (site / "de").exists()
