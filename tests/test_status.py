"""Uncertainty is a type: each value's status (reported, derived, inferred, unknown,
conflicting) travels from the YAML to the pages, charts and downloads, and the downloads
keep qualifiers and whole numbers apart and intact (fact-check 2.1-2.4, 3.1, 5.1).

The fixtures are the fact-check's own examples, in the real content."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from conftest import REPO
from conftest import SITE_LANGUAGES as LANGUAGES
from tiangong_site.charts import build_chart
from tiangong_site.content import Content, load_content
from tiangong_site.errors import ContentError
from tiangong_site.i18n import activate
from tiangong_site.pages import _dataset_files
from tiangong_site.pages.listings import _column_header

BOM = "\ufeff"


@pytest.fixture(scope="module")
def content() -> Content:
    activate(REPO, list(LANGUAGES))
    return load_content(REPO / "content")


def _chart(content: Content, chart_id: str, lang: str):
    spec = next(s for s in content.datasets["charts"] if s.id == chart_id)
    return build_chart(content, spec, lang)


def _csv(text: str) -> list[dict[str, str]]:
    assert text.startswith(BOM), "a CSV download starts with a UTF-8 byte order mark"
    return list(csv.DictReader(io.StringIO(text.removeprefix(BOM))))


def _dataset(content: Content, name: str, lang: str) -> tuple[list[dict[str, str]], list[dict]]:
    """A dataset's CSV rows by column key (a Chinese CSV's headers are Chinese) and its JSON."""
    csv_text, json_text, _ = _dataset_files(content, name, lang)
    rows = json.loads(json_text)
    keys = {_column_header(content, name, key, lang): key for row in rows for key in row}
    return [{keys[header]: value for header, value in row.items()} for row in _csv(csv_text)], rows


# --- the downloads: status, never yes/no ----------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_an_inferred_2023_win_is_inferred_in_the_figures_download_not_true(content, lang):
    rows, records = _dataset(content, "figures", lang)
    yuecheng = [r for r in rows if r["region"] == "yuecheng"]
    assert yuecheng and {r["won_2023"] for r in yuecheng} == {"inferred"}
    assert {r["won_2023"] for r in records if r["region"] == "yuecheng"} == {"inferred"}
    assert {r["won_2024"] for r in yuecheng} == {"reported"}  # the 2024 win itself is reported


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_result_not_found_is_unknown_in_the_figures_download_not_false(content, lang):
    rows, records = _dataset(content, "figures", lang)
    shaoxing = [r for r in rows if r["region"] == "shaoxing"]
    assert shaoxing and {r["won_2025"] for r in shaoxing} == {"unknown"}
    keqiao = [r for r in records if r["region"] == "keqiao"]
    assert keqiao and {r["won_2023"] for r in keqiao} == {"unknown"}
    won = {r[k] for r in rows for k in r if k.startswith("won_")}
    assert won <= {"reported", "inferred", "conflicting", "unknown"}, won


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_derived_provincial_rate_is_derived_in_every_download_and_table(content, lang):
    rows, _ = _dataset(content, "figures", lang)
    [zj] = [r for r in rows if r["id"] == "zj-iva-growth-2023h1"]
    assert (zj["status"], zj["value"]) == ("derived", "4.7") and zj["uncertain"]
    assert zj["value_as_printed"] == "", "a derived value was never printed"
    chart = _chart(content, "iva-growth-vs-province", lang)
    keys = [k for k, _ in chart.downloads]
    chart_rows = [dict(zip(keys, r.values(), strict=True)) for r in _csv(chart.csv())]
    derived = [r for r in chart_rows if r["status"] == "derived"]
    assert [r["value"] for r in derived] == ["4.7"]
    assert [r["status"] for r in json.loads(chart.json())["rows"] if r["value"] == 4.7] == [
        "derived"
    ]
    keys = [k for k, _ in chart.columns]
    basis, value = keys.index("status_name"), keys.index("value")
    tabled = {(row[0], row[1]): row[basis] for row in chart.table() if row[value] == "4.7"}
    assert list(tabled.values()) == [{"en": "derived", "zh": "推算"}[lang]], tabled


def test_an_award_keeps_the_status_of_its_win_and_of_its_standing_apart(content):
    rows, _ = _dataset(content, "awards", "en")
    city = {r["ceremony_year"]: r for r in rows if r["region"] == "shaoxing"}
    assert (city["2023"]["status"], city["2023"]["standing_status"]) == ("conflicting", "reported")
    assert (city["2024"]["status"], city["2024"]["standing"], city["2024"]["standing_status"]) == (
        "reported",
        "returning",
        "conflicting",
    )
    assert all(r["status"] in ("reported", "inferred", "conflicting") for r in rows)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_nearly_5000_keeps_its_qualifier_in_its_own_column_and_stays_a_whole_number(content, lang):
    chart = _chart(content, "land-freed", lang)
    keys = [k for k, _ in chart.downloads]
    [mahai] = [
        dict(zip(keys, r.values(), strict=True)) for r in _csv(chart.csv()) if "5000" in r.values()
    ]
    assert (mahai["value"], mahai["qualifier"]) == ("5000", "nearly")
    assert [r["value"] for r in json.loads(chart.json())["rows"] if r["qualifier"] == "nearly"] == [
        5000
    ]
    cells = [row[1] for row in chart.table()]
    assert ("nearly 5,000" if lang == "en" else "近5000") in cells, cells
    rows, records = _dataset(content, "figures", lang)
    assert [r["value"] for r in rows if r["id"] == "mahai-industrial-land-2025"] == ["5000"]
    assert [r["value"] for r in records if r["id"] == "mahai-industrial-land-2025"] == [5000]


def test_csv_downloads_carry_a_byte_order_mark_and_json_downloads_do_not(content):
    chart = _chart(content, "shaoxing-wins", "zh")
    assert chart.csv().startswith(BOM) and not chart.json().startswith(BOM)
    csv_text, json_text, _ = _dataset_files(content, "awards", "zh")
    assert csv_text.startswith(BOM) and not json_text.startswith(BOM)
    assert csv_text.encode("utf-8").startswith(b"\xef\xbb\xbf")


def test_chart_downloads_are_named_after_the_chart_and_linked_by_that_name(content, built_once):
    site = built_once / "_site"
    for spec in content.datasets["charts"]:
        for lang in LANGUAGES:
            folder = site / lang / "charts" / spec.id
            assert (folder / f"{spec.id}.csv").is_file() and (folder / f"{spec.id}.json").is_file()
            assert not (folder / "data.csv").exists() and not (folder / "data.json").exists()
            page = (folder / "index.html").read_text(encoding="utf-8")
            links = re.findall(r'<a href="([^"]+)" download>', page)
            assert [link.rsplit("/", 1)[-1] for link in links] == [
                f"{spec.id}.csv",
                f"{spec.id}.json",
            ]


# --- the chart marks what is not reported ----------------------------------------------------


def test_bars_that_are_not_reported_are_hatched_and_the_rest_are_not(content):
    chart = _chart(content, "iva-growth-vs-province", "en")
    hatched = {}
    for trace in chart.figure["data"]:
        shapes = trace.get("marker", {}).get("pattern", {}).get("shape")
        if trace.get("x") and shapes and trace["x"][0] is not None:
            hatched |= {
                (x, trace["name"]): shape for x, shape in zip(trace["x"], shapes, strict=True)
            }
    assert hatched[("H1 2023", "Zhejiang")] == "/"
    assert hatched.get(("H1 2023", "Shaoxing"), "") == ""


@pytest.mark.parametrize(
    ("lang", "expected"), [("en", {"80.03", "66.01"}), ("zh", {"800.25", "660.06"})]
)
def test_bar_labels_have_one_precision_and_round_half_up(content, lang, expected):
    """Two places, as the source prints 800.25亿元 (Chinese-edition review 4.7: the bars said
    800.3 while the hover and the prose said 800.25); 80.025 bn rounds half up to 80.03."""
    chart = _chart(content, "division-gdp-2024", lang)
    labels = {t for trace in chart.figure["data"] for t in trace.get("text") or []}
    assert expected <= labels, labels
    assert all(re.fullmatch(r"[\d,]+\.\d\d", label) for label in labels), labels


# --- the model: a status and its note go together ----------------------------------------------


def _with_record(tmp_path: Path, dataset: str, old: str, new: str) -> list[str]:
    import shutil

    root = tmp_path / "content"
    shutil.copytree(REPO / "content", root)
    path = root / "data" / f"{dataset}.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_content(root)
    return [str(p) for p in caught.value.problems]


def test_a_status_other_than_reported_without_a_note_is_refused_at_its_record(tmp_path):
    problems = _with_record(
        tmp_path,
        "figures",
        "  source: e0575-2024-gdp\n",
        "  source: e0575-2024-gdp\n  status: derived\n",
    )
    assert any("status 'derived' needs `uncertain:`" in p for p in problems), problems
    assert all(p.startswith("content/data/figures.yaml:") for p in problems), problems


def test_a_note_of_doubt_on_a_record_marked_reported_is_refused(tmp_path):
    problems = _with_record(tmp_path, "figures", "  status: derived\n", "")
    assert any("`uncertain:` is given but the status is 'reported'" in p for p in problems), (
        problems
    )


def test_a_status_outside_the_five_is_refused_naming_them(tmp_path):
    problems = _with_record(tmp_path, "figures", "  status: derived\n", "  status: guessed\n")
    assert any("'guessed'" in p and "'inferred'" in p and "'conflicting'" in p for p in problems), (
        problems
    )


# --- the pages: one linked marker, never brackets in a sentence --------------------------------


def test_uncertainty_is_a_linked_marker_with_its_note_not_bracketed_text(built_once: Path):
    site = built_once / "_site"
    pages = sorted(site.rglob("*.html"))
    assert pages
    marked = 0
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert not re.search(r"\[(uncertain|存疑)[:：]", html), f"{page}: bracketed uncertainty"
        for href, label in re.findall(
            r'<sup class="status-mark"><a href="#([^"]+)" aria-label="([^"]+)"', html
        ):
            marked += 1
            assert f'id="{href}"' in html, f"{page}: marker links to a missing note #{href}"
            assert label.endswith(("see note", "见注")), label
    assert marked, "no value on the site is marked, but the content has derived and inferred ones"
    story = (site / "en" / "index.html").read_text(encoding="utf-8")
    assert 'aria-label="derived: see note"' in story
    region = (site / "zh" / "regions" / "yuecheng" / "index.html").read_text(encoding="utf-8")
    assert 'aria-label="推断：见注"' in region
