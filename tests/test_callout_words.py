"""A callout's words come from the project's `quotes:`: the columns its `label` names, put
together in the words `words` declares for each language (joined by commas when it declares
none), so a project whose figures have other columns than the feature's is labelled in full."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from conftest import MINI, REPO, dedent, write_content
from tiangong_site.content import load_content
from tiangong_site.errors import ContentError
from tiangong_site.i18n import activate
from tiangong_site.pages.views import figure_view

sys.path.insert(0, str(REPO / "tests" / "i18n"))
from bilingual_site import FILES as BILINGUAL  # noqa: E402

GAUGES = """
quotes:
  dataset: gauges
  value: reading
  label: {river: name, basin: basin_name, period: period}
WORDS
resources:
  - name: gauges
    path: data/gauges.yaml
    title: {en: "Gauges", zh: 水文站}
    description: {en: "River gauges.", zh: 水文站。}
    sources: [src-a]
    schema:
      primaryKey: id
      fields:
        - {name: id, type: string}
        - {name: name, type: string, localised: true, constraints: {required: true}}
        - name: basin
          type: string
          constraints: {enum: [north, south]}
          labels:
            north: {en: "Northern basin", zh: 北部流域}
            south: {en: "Southern basin", zh: 南部流域}
        - {name: period, type: period}
        - {name: reading, type: string}
        - {name: source, type: string}
      foreignKeys:
        - {fields: source, reference: {resource: sources, fields: id}}
"""
GAUGE_DATA = """
- id: weir
  name: {en: "Weir river", zh: 堰河}
  basin: north
  period: {kind: year, year: 2023}
  reading: "9 m"
  source: src-a
- id: mill
  name: {en: "Mill race", zh: 磨坊渠}
  basin: south
  period: {kind: year, year: 2022, undated: true}
  reading: "3 m"
  source: src-a
"""
PAGE = """
---
title: TITLE
description: "Two gauges."
---
::: callout weir

::: callout mill
"""
STORY_TEMPLATES = ("region.html", "cluster.html")
"""The made-up content's place and cluster pages are the story's own: the project's."""


def _gauges(tmp_path: Path, words: str = "", files: dict[str, str] = MINI) -> Path:
    """A made-up project quoting river gauges, whose rows have no metric or region column
    (in English; in English and Chinese on `files=BILINGUAL`)."""
    package = dedent(GAUGES).replace("WORDS\n", words)
    others = files["datapackage.yaml"].split("resources:\n", 1)[1]
    root = tmp_path / "gauges"
    write_content(
        root,
        files
        | {
            "datapackage.yaml": package + others,
            "data/gauges.yaml": GAUGE_DATA,
            "charts.yaml": "[]\n",
            "pages/index.md": PAGE.replace("TITLE", "Rivers"),
        },
    )
    if "zh" in files["site.yaml"]:
        (root / "content" / "pages" / "index.zh.md").write_text(
            dedent(PAGE.replace("TITLE", "河流")), encoding="utf-8"
        )
    for name in STORY_TEMPLATES:
        path = root / "templates" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text('{% extends "base.html" %}', encoding="utf-8")
    return root


def _built_labels(run_cli, root: Path) -> list[str]:
    """The callout labels of the built home page, marks and citations left out."""
    built = run_cli("build", "--project", root)
    assert built.code == 0, built.err
    html = (root / "_site" / "index.html").read_text(encoding="utf-8")
    return re.findall(r'<p class="callout-label">([^<]*)', html)


def _labels(root: Path, lang: str) -> list[str]:
    """The words each gauge's callout shows in `lang` (the engine's own in the catalogues')."""
    activate(REPO, ["en", "zh"])
    content = load_content(root / "content")
    gauges = content.index("gauges")
    return [figure_view(gauges[g], content, lang).label_text for g in ("weir", "mill")]


def test_a_callout_shows_the_quoted_columns_joined_when_no_words_are_declared(run_cli, tmp_path):
    assert _built_labels(run_cli, _gauges(tmp_path)) == [
        "Weir river, Northern basin, 2023",
        "Mill race, Southern basin, date not given",
    ]
    both = _gauges(tmp_path / "zh", files=BILINGUAL)
    assert _labels(both, "zh") == ["堰河，北部流域，2023年", "磨坊渠，南部流域，时间不详"]


WORDS = """\
  words: {en: "{river} ({basin}) in {period}", zh: "{basin}{river}{period}"}
  undated_words: {en: "{river}, undated", zh: "{river}（未注明时间）"}
"""


def test_a_callout_reads_in_the_declared_words_of_each_language(run_cli, tmp_path):
    one = _gauges(tmp_path, WORDS.replace(', zh: "{basin}{river}{period}"', ""))
    assert _built_labels(run_cli, one) == [
        "Weir river (Northern basin) in 2023",
        "Mill race, undated",
    ]
    both = _gauges(tmp_path / "zh", WORDS, files=BILINGUAL)
    assert _labels(both, "zh") == ["北部流域堰河2023年", "磨坊渠（未注明时间）"]
    assert _labels(both, "en") == ["Weir river (Northern basin) in 2023", "Mill race, undated"]


def test_a_place_in_the_words_that_label_does_not_name_is_an_error_at_its_line(tmp_path):
    words = '  words: {en: "{rivre} in {period}"}\n'
    with pytest.raises(ContentError) as caught:
        load_content(_gauges(tmp_path, words) / "content")
    (problem,) = [str(p) for p in caught.value.problems]
    assert problem.startswith("content/datapackage.yaml:5:")
    assert "'{rivre}' is not a name `label` gives" in problem and "did you mean 'river'" in problem
