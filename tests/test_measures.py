"""Periods and measured values of declared datasets (`type: period`, `measure:`, the package's
`units` and `qualifiers`), and rows that look up other datasets' rows (`lookups`, `rename`):
each value reads in the rows as sources print it, and each mistake in a declaration is
reported at its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import MINI, dedent, write_content
from tiangong_site.content import load_content
from tiangong_site.errors import ContentError
from tiangong_site.models import text
from tiangong_site.pages.listings import _dataset_files
from tiangong_site.tables import dataset_rows

OTHERS = MINI["datapackage.yaml"].split("resources:\n", 1)[1]
"""The test project's own declared datasets, after the ones a test declares."""

UNITS = """
units:
  cubic: {text: {en: "{} m³/s", zh: "{}立方米/秒"}, label: "m³/s", printed: "m³/s"}
  megalitre:
    text: {en: "{} bn litres", zh: "{}百万升"}
    label: {en: "bn litres", zh: 百万升}
    scale: {en: 0.001}
    printed: 百万升
qualifiers:
  over: {en: "over {}", zh: "超过{}"}
"""

PACKAGE = """
resources:
  - name: gauges
    path: data/gauges.yaml
    schema:
      primaryKey: id
      fields:
        - {name: id, constraints: {required: true}}
        - {name: unit, constraints: {required: true, enum: [cubic, megalitre]}}
  - name: readings
    path: data/readings.yaml
    rename: {period_year: year}
    lookups:
      - {name: flood, resource: floods, on: {gauge: gauge}, by: year, value: level, missing: none}
    schema:
      fields:
        - {name: id}
        - {name: gauge, constraints: {required: true}}
        - {name: period, type: period, constraints: {required: true}}
        - {name: value, type: number, measure: {unit: gauge.unit, qualifier: qualifier}}
        - {name: qualifier, default: exact, constraints: {enum: [exact, over]}}
      foreignKeys:
        - {fields: gauge, reference: {resource: gauges, fields: id}, columns: []}
      uncertainty: true
  - name: floods
    path: data/floods.yaml
    schema:
      fields:
        - {name: gauge}
        - {name: year, type: year}
        - {name: level}
"""

GAUGES = """
- {id: north, unit: cubic}
- {id: south, unit: megalitre}
"""

READINGS = """
- id: north-2023
  gauge: north
  period: {kind: year, year: 2023}
  value: 7.0
- id: south-h1
  gauge: south
  period: {kind: half-year, year: 2024, part: 1}
  value: 2155.5
  qualifier: over
- id: north-undated
  gauge: north
  period: {kind: year, year: 2022, undated: true}
  value: 12
  status: derived
  uncertain: "North's total less the others."
"""

FLOODS = """
- {gauge: north, year: 2023, level: high}
- {gauge: north, year: 2024, level: low}
"""


def make(tmp_path: Path, package: str = PACKAGE, readings: str = READINGS, **more: str) -> Path:
    files = {
        "datapackage.yaml": dedent(UNITS) + dedent(package) + OTHERS,
        "data/gauges.yaml": GAUGES,
        "data/readings.yaml": readings,
        "data/floods.yaml": FLOODS,
        **more,
    }
    return write_content(tmp_path / f"p-{len(list(tmp_path.iterdir()))}", files)


def rows(tmp_path: Path, lang: str, **kwargs: str) -> dict[str, dict]:
    content = load_content(make(tmp_path, **kwargs))
    return {row["id"]: row for row in dataset_rows(content, "readings", lang)}


def problems(content: Path) -> list[str]:
    with pytest.raises(ContentError) as caught:
        load_content(content)
    return [str(p) for p in caught.value.problems]


# --- periods ----------------------------------------------------------------------------------


def test_a_period_reads_as_words_with_its_middle_kind_and_year(tmp_path):
    found = rows(tmp_path, "en")
    h1, year = found["south-h1"], found["north-2023"]
    assert (h1["period"], h1["period_kind"], h1["period_kind_name"]) == (
        "H1 2024",
        "half-year",
        "Half-year",
    )
    assert (h1["period_mid"], year["period_mid"]) == ("2024-04-01", "2023-07-01")
    assert (h1["year"], year["year"]) == (2024, 2023)  # period_year, renamed


def test_an_undated_period_shows_neither_its_filing_year_nor_a_middle(tmp_path):
    undated = rows(tmp_path, "en")["north-undated"]
    assert undated["period"] == "date not given"
    assert (undated["year"], undated["period_mid"], undated["period_kind"]) == ("", "", "undated")


def test_an_inconsistent_period_is_refused_at_its_line(tmp_path):
    bad = READINGS.replace(
        "{kind: half-year, year: 2024, part: 1}", "{kind: half-year, year: 2024}"
    )
    (problem,) = problems(make(tmp_path, readings=bad))
    line = dedent(bad).splitlines().index("  period: {kind: half-year, year: 2024}") + 1
    assert f"readings.yaml:{line}:" in problem
    assert "a half-year needs `part: 1` or `part: 2`" in problem


def test_a_period_cannot_be_a_csv_column(tmp_path):
    package = PACKAGE.replace("data/readings.yaml", "data/readings.csv")
    found = problems(make(tmp_path, package=package, **{"data/readings.csv": "id\n"}))
    assert any("a CSV cell cannot hold a period" in p for p in found), found


# --- measured values --------------------------------------------------------------------------


def test_a_measured_value_takes_its_unit_from_the_record_its_foreign_key_names(tmp_path):
    found = rows(tmp_path, "en")
    assert found["north-2023"]["value_unit"] == "m³/s"
    assert found["north-2023"]["value_text"] == "7.0 m³/s"  # as the data file writes it


def test_a_scaled_unit_shows_the_reader_its_own_unit_and_keeps_the_value_as_printed(tmp_path):
    en, zh = rows(tmp_path, "en")["south-h1"], rows(tmp_path, "zh")["south-h1"]
    assert (en["value"], en["value_text"]) == (2.1555, "over 2.16 bn litres")
    assert (zh["value"], zh["value_text"]) == (2155.5, "超过2155.5百万升")
    assert en["value_as_printed"] == zh["value_as_printed"] == 2155.5
    assert en["value_unit_as_printed"] == "百万升"
    assert (en["qualifier"], rows(tmp_path, "en")["north-2023"]["qualifier"]) == ("over", "exact")


def test_a_derived_value_has_no_value_as_printed(tmp_path):
    undated = rows(tmp_path, "en")["north-undated"]
    assert (undated["value"], undated["value_as_printed"], undated["status"]) == (
        12,
        None,
        "derived",
    )


def test_a_csv_number_keeps_the_decimals_it_is_written_with(tmp_path):
    package = """
    resources:
      - name: levels
        path: data/levels.csv
        schema:
          fields:
            - {name: id}
            - {name: value, type: number, measure: {unit: cubic}}
    """
    content = load_content(
        make(
            tmp_path,
            package=PACKAGE + dedent(package).split("resources:\n", 1)[1],
            **{"data/levels.csv": "id,value\na,7.0\nb,7\nc,10.25\n"},
        )
    )
    texts = [row["value_text"] for row in dataset_rows(content, "levels", "en")]
    assert texts == ["7.0 m³/s", "7 m³/s", "10.25 m³/s"]


# --- lookups ----------------------------------------------------------------------------------


def test_a_lookup_gives_a_column_per_value_and_the_missing_value_where_nothing_matches(tmp_path):
    found = rows(tmp_path, "en")
    assert (found["north-2023"]["flood_2023"], found["north-2023"]["flood_2024"]) == ("high", "low")
    assert (found["south-h1"]["flood_2023"], found["south-h1"]["flood_2024"]) == ("none", "none")


def test_a_lookups_header_names_each_of_its_columns_with_the_value_in_place(tmp_path):
    header = ', header: {en: "Flood in {}", zh: "{}年汛情"}}'
    package = PACKAGE.replace("missing: none}", "missing: none" + header)
    content = load_content(make(tmp_path, package=package))
    zh = _dataset_files(content, "readings", "zh")[0].lstrip("\ufeff").splitlines()[0]
    assert "2023年汛情" in zh.split(",") and "2024年汛情" in zh.split(","), zh
    assert text(content.package.header("readings", "flood_2024"), "en") == "Flood in 2024"
    plain = load_content(make(tmp_path))  # no header: the column's key, as for any column
    assert "flood_2023" in _dataset_files(plain, "readings", "zh")[0].splitlines()[0]


# --- mistakes in the declaration --------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("measure: {unit: gauge.unit,", "measure: {unit: gallons,", "unit 'gallons' is not one"),
        ("measure: {unit: gauge.unit,", "measure: {unit: dam.unit,", "'dam' is not a foreign key"),
        ("qualifier: qualifier}", "qualifier: qualifer}", "qualifier 'qualifer' is not a field"),
        ("default: exact,", "default: roughly,", "default 'roughly' is not in the enum"),
        ("resource: floods, on:", "resource: flods, on:", "'flods' is not a dataset"),
        (
            "{name: gauge, constraints",
            "{name: gauge, measure: {unit: cubic}, constraints",
            "`measure` is for a field of type number, not string",
        ),
    ],
)
def test_a_mistake_in_a_measure_or_lookup_is_reported_at_its_line(tmp_path, old, new, message):
    assert old in PACKAGE
    package = PACKAGE.replace(old, new)
    content = make(tmp_path, package=package)
    written = (content / "datapackage.yaml").read_text(encoding="utf-8").splitlines()
    line = next(i for i, text in enumerate(written, 1) if new in text)
    found = problems(content)
    assert any(message in p and f"datapackage.yaml:{line}:" in p for p in found), found


# --- the citation list ------------------------------------------------------------------------


def test_the_citation_list_is_the_dataset_citations_names(tmp_path):
    package = PACKAGE + (
        "  - name: documents\n"
        "    path: data/documents.yaml\n"
        "    schema:\n"
        "      primaryKey: code\n"
        "      fields: [{name: code}, {name: title}, {name: url, format: uri}]\n"
    )
    documents = "".join(
        f'- {{code: {c}, title: "Doc", url: "https://example.org/{c}"}}\n' for c in ("src-a", "x")
    )
    files = {"data/documents.yaml": documents}
    found = problems(make(tmp_path, package="citations: documents\n" + package, **files))
    assert found and all("is not an id in content/data/documents.yaml" in p for p in found)
    assert all("src-b" in p and "charts.yaml" in p for p in found), found
    files = {"data/documents.yaml": documents.replace("code: x", "code: src-b")}
    content = load_content(make(tmp_path, package="citations: documents\n" + package, **files))
    assert content.citations == "documents"
    assert type(content.datasets["charts"][0]).references == {"sources": "documents"}


def test_citations_naming_a_dataset_the_package_does_not_declare_is_refused(tmp_path):
    found = problems(make(tmp_path, package="citations: documents\n" + PACKAGE))
    assert any("citations names 'documents', not a dataset" in p for p in found), found


def test_a_citation_list_without_a_title_or_address_is_refused_at_its_declaration(tmp_path):
    package = "citations: gauges\n" + PACKAGE
    found = problems(make(tmp_path, package=package))
    assert any("'gauges' cannot be the citation list: it has no title and url" in p for p in found)
