"""A dataset's rows are made once per language per build, and shared without being changed."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from tiangong_site import tables
from tiangong_site.charts import build_chart
from tiangong_site.content import load_content
from tiangong_site.declared import chart_model
from tiangong_site.declared import rows as declared_rows
from tiangong_site.site import Project, build


def test_a_build_makes_each_datasets_rows_once_per_language(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    made: Counter[tuple[str, str]] = Counter()
    making = declared_rows._rows  # every dataset is declared: its rows are made here

    def counting(content, name, lang):
        made[name, lang] += 1
        return making(content, name, lang)

    monkeypatch.setattr(declared_rows, "_rows", counting)
    report = build(Project.at(project), tmp_path / "out")
    languages = report.content.site.languages
    assert len(languages) > 1 and report.charts > 0
    # Every dataset with rows is downloaded in every language, so each is made, and only once.
    datasets = report.content.package.resources
    assert len(datasets) > 1
    assert made == Counter({(name, lang): 1 for name in datasets for lang in languages})


def test_a_highlighting_chart_leaves_the_shared_rows_as_they_were(mini):
    content = load_content(mini())
    before = [dict(row) for row in tables.dataset_rows(content, "figures")]
    spec = chart_model(content.package).model_validate(
        {
            "id": "marked",
            "kind": "bar",
            "data": "figures",
            "where": {"metric": "growth", "year": 2023},
            "x": "region_name",
            "y": "value",
            "highlight": {"region": "alpha"},
            "highlight_label": "Alpha",
            "title": "Marked",
            "sources": ["src-a"],
            "alt": "A chart for a test.",
        }
    )
    out = build_chart(content, spec)
    assert sorted(row["highlight"] for row in out.rows) == ["", "", "Alpha"]
    assert tables.dataset_rows(content, "figures") == before
