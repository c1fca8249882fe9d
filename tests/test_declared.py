"""Datasets a project declares in content/datapackage.yaml: their records load from YAML, CSV
and JSON alike, each mistake is reported at its file:line:col with a way to fix it, and the
rows, charts, downloads and JSON Schemas of a declared dataset work as a built-in one's."""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path

import jsonschema
import pytest
from pydantic import TypeAdapter

from conftest import MINI, REPO, copy_project, dedent, write_content
from tiangong_site import declared
from tiangong_site.charts import build_chart, check_charts
from tiangong_site.content import load_content
from tiangong_site.declared import load_package
from tiangong_site.declared.measures import Period
from tiangong_site.declared.records import record_fields, records_schema
from tiangong_site.errors import ContentError
from tiangong_site.loader import load_yaml_text
from tiangong_site.models import Localised
from tiangong_site.pages import _data_listing, _dataset_files
from tiangong_site.pages.views import _figure_subject, figure_view
from tiangong_site.render import Urls
from tiangong_site.schema import content_schemas
from tiangong_site.tables import dataset_rows, weakest_status

sys.path.insert(0, str(REPO / "tests" / "i18n"))
from bilingual_site import FILES as BILINGUAL  # noqa: E402

PACKAGE = """
resources:
  - name: rivers
    path: data/rivers.FORMAT
    title: {en: "Rivers"}
    description: {en: "Every river of the test province."}
    sources: [src-a]
    schema:
      primaryKey: id
      fields:
        - {name: id, type: string, constraints: {pattern: "^[a-z-]+$"}}
        - {name: name, type: string, localised: true, constraints: {required: true}}
        - name: basin
          type: string
          constraints: {enum: [north, south]}
          labels: {north: "Northern basin", south: "Southern basin"}
        - {name: length, type: number, unit: km, constraints: {minimum: 0}}
        - {name: bridges, type: integer, constraints: {maximum: 100}}
        - {name: measured, type: date, partial: true}
        - {name: opened, type: date}
        - {name: year, type: year}
        - {name: navigable, type: boolean}
        - {name: sources, type: list, itemType: string}
        - {name: flows_into, type: string}
        - {name: region, type: string}
        - {name: url, type: string, format: uri}
        - {name: code, type: string, constraints: {unique: true, minLength: 2, maxLength: 4}}
      foreignKeys:
        - {fields: flows_into, reference: {resource: rivers, fields: id}}
        - {fields: sources, reference: {resource: sources, fields: id}}
        - {fields: region, reference: {resource: regions, fields: id}}
      uncertainty: true
"""

HEADER = (
    "id,name,basin,length,bridges,measured,opened,year,navigable,sources,flows_into,region,"
    "url,code,status,uncertain"
)
GOOD_CSV = f"""{HEADER}
big,Big river,north,120.5,3,2024-05,2020-01-31,2020,true,src-a; src-b,,alpha,https://example.org/big,BG,reported,
small,Small river,south,12,,2024,,2021,false,src-a,big,,,SM,inferred,Read off a map
"""
GOOD_RECORDS = [
    {
        "id": "big",
        "name": "Big river",
        "basin": "north",
        "length": 120.5,
        "bridges": 3,
        "measured": "2024-05",
        "opened": "2020-01-31",
        "year": 2020,
        "navigable": True,
        "sources": ["src-a", "src-b"],
        "region": "alpha",
        "url": "https://example.org/big",
        "code": "BG",
    },
    {
        "id": "small",
        "name": "Small river",
        "basin": "south",
        "length": 12,
        "measured": "2024",
        "year": 2021,
        "navigable": False,
        "sources": ["src-a"],
        "flows_into": "big",
        "code": "SM",
        "status": "inferred",
        "uncertain": "Read off a map",
    },
]


def as_yaml(records: list[dict]) -> str:
    lines = []
    for record in records:
        for i, (key, value) in enumerate(record.items()):
            lines.append(("- " if i == 0 else "  ") + f"{key}: {json.dumps(value)}")
    return "\n".join(lines) + "\n"


def as_json(records: list[dict]) -> str:
    """One member per line, so a test can say on which line each value is."""
    return json.dumps(records, indent=2) + "\n"


DATA = {"csv": GOOD_CSV, "json": as_json(GOOD_RECORDS), "yaml": as_yaml(GOOD_RECORDS)}


OTHERS = MINI["datapackage.yaml"].split("resources:\n", 1)[1]
"""The test project's own declared datasets (award tiers …), after those a test declares:
the lines of a test's declaration stay where it wrote them."""


def project(
    tmp_path: Path, fmt: str, data: str, package: str = PACKAGE, more: dict | None = None
) -> Path:
    files = {
        "datapackage.yaml": dedent(package).replace("FORMAT", fmt) + OTHERS,
        f"data/rivers.{fmt}": data,
        **(more or {}),
    }
    return write_content(tmp_path / f"p-{len(list(tmp_path.iterdir()))}", files)


def problems(content: Path) -> list[str]:
    with pytest.raises(ContentError) as caught:
        load_content(content)
    return [str(p) for p in caught.value.problems]


def at(text: str, line_text: str, cell: str, path: str) -> str:
    """`path:LINE:COL` of the first `cell` on the line starting with `line_text`."""
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith(line_text):
            return f"{path}:{number}:{line.index(cell) + 1}"
    raise AssertionError(f"no line starts with {line_text!r}")


# --- the same records from each format -------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "json", "yaml"])
def test_a_declared_dataset_loads_the_same_typed_records_from_csv_json_and_yaml(
    tmp_path: Path, fmt: str
):
    content = load_content(project(tmp_path, fmt, DATA[fmt]))
    big, small = content.datasets["rivers"]
    assert (big.id, big.length, big.bridges, big.navigable) == ("big", 120.5, 3, True)
    assert isinstance(big.bridges, int) and isinstance(small.length, float)
    assert big.sources == ["src-a", "src-b"] and small.sources == ["src-a"]
    assert (small.bridges, small.opened, small.flows_into) == (None, None, "big")
    assert (small.status, small.uncertain, big.status) == ("inferred", "Read off a map", "reported")
    assert content.index("rivers")["small"] is small


# --- mistakes in the data, at their cell -----------------------------------------------------

BAD = {
    "id": ("Bad Id", "has the wrong form"),
    "basin": ("west", "'basin' is 'west', which is not allowed"),
    "length": ("-1", "'length' is -1"),
    "bridges": ("1000", "'bridges' is 1000"),
    "measured": ("2024-13", "impossible date 2024-13"),
    "opened": ("2020-02-30", "impossible date 2020-02-30"),
    "year": ("20x", "'year' must be a whole number"),
    "navigable": ("yes", "'navigable' must be true or false"),
    "url": ("ftp://x", "'url' is 'ftp://x', which has the wrong form"),
    "code": ("Q", "'code': String should have at least 2 characters"),
}


def test_each_type_and_constraint_refuses_a_bad_csv_cell_at_its_line_and_column(tmp_path):
    cells = {"name": "Small"} | {k: v for k, (v, _) in BAD.items()}
    bad = f"{HEADER}\n" + ",".join(cells.get(c, "") for c in HEADER.split(",")) + "\n"
    found = problems(project(tmp_path, "csv", bad))
    path = "content/data/rivers.csv"
    for field, (value, message) in BAD.items():
        where = at(bad, "Bad Id", value, path)
        assert any(p.startswith(f"{where}: ") and message in p for p in found), (field, found)
    assert len(found) == len(BAD), found


def test_each_type_and_constraint_refuses_a_bad_json_value_at_its_key(tmp_path):
    record = {"id": "Bad Id", "name": "Small"} | {
        k: (json.loads(v) if v.lstrip("-").isdigit() else v)
        for k, (v, _) in BAD.items()
        if k != "id"
    }
    text = as_json([record])
    found = problems(project(tmp_path, "json", text))
    path = "content/data/rivers.json"
    for field, (_, message) in BAD.items():
        where = at(text, f'    "{field}"', '"', path)
        assert any(p.startswith(f"{where}: ") and message in p for p in found), (field, found)


def test_each_type_and_constraint_refuses_a_bad_yaml_value_at_its_key(tmp_path):
    record = {"id": "Bad Id", "name": "Small"} | {
        k: (json.loads(v) if v.lstrip("-").isdigit() else v)
        for k, (v, _) in BAD.items()
        if k != "id"
    }
    text = as_yaml([record])
    found = problems(project(tmp_path, "yaml", text))
    path = "content/data/rivers.yaml"
    for field, (_, message) in BAD.items():
        prefix = "- " if field == "id" else f"  {field}:"
        where = at(text, prefix, field, path)
        assert any(p.startswith(f"{where}: ") and message in p for p in found), (field, found)


def test_a_number_written_as_a_reader_writes_it_gets_a_hint_in_csv(tmp_path):
    bad = GOOD_CSV.replace(",120.5,", ',"1,234",')
    (problem,) = problems(project(tmp_path, "csv", bad))
    assert problem.startswith(at(bad, "big,", '"1,234"', "content/data/rivers.csv") + ": ")
    assert "write 1234" in problem


def test_csv_header_and_row_mistakes_are_located(tmp_path):
    bad = GOOD_CSV.replace("bridges,", "bridgs,", 1) + "extra,Extra,north,1,,,,,,,,,,,,,surplus\n"
    found = problems(project(tmp_path, "csv", bad))
    assert (
        f"content/data/rivers.csv:1:{HEADER.index('bridges') + 1}: unknown column 'bridgs' "
        "(did you mean 'bridges'?)" in found
    )
    header_only = GOOD_CSV.replace(",name,", ",nom,", 1)
    found = problems(project(tmp_path, "csv", header_only))
    assert any("no column for the required field 'name'" in p for p in found), found
    long_row = GOOD_CSV + "extra,Extra,north,1,,,,,,,,,,,,,surplus\n"
    (problem,) = problems(project(tmp_path, "csv", long_row))
    assert problem.startswith(at(long_row, "extra,", "surplus", "content/data/rivers.csv"))
    assert "this row has 17 cells, the header 16 columns" in problem


def test_malformed_json_is_reported_where_the_parser_stopped(tmp_path):
    text = DATA["json"].replace('"bridges": 3,', '"bridges": 3', 1)
    (problem,) = problems(project(tmp_path, "json", text))
    assert problem.startswith(
        at(text, '    "measured": "2024-05"', '"', "content/data/rivers.json")
    )
    assert "malformed JSON" in problem


def test_a_key_given_twice_in_a_json_record_is_refused_at_the_second(tmp_path):
    text = DATA["json"].replace('"bridges": 3,', '"bridges": 3,\n    "length": 99,', 1)
    (problem,) = problems(project(tmp_path, "json", text))
    second = at(text, '    "length": 99', '"', "content/data/rivers.json")
    assert problem == (f"{second}: 'length' is given twice in this record (keep one of the two)")
    nested = PEERS.replace("peers.json", "rivers.json")
    row = '{"year": 2001, "value": 1, "year": 2002}'
    text = f'[\n{{"id": "a", "rows": [\n  {{"year": 2000}},\n  {row}\n]}}\n]\n'
    (problem,) = problems(project(tmp_path, "json", text, package=nested))
    second = at(text, '  {"year": 2001', '"year": 2002', "content/data/rivers.json")
    assert problem.startswith(f"{second}: 'year' is given twice")


def test_a_status_other_than_reported_needs_its_note(tmp_path):
    bad = GOOD_CSV.replace("inferred,Read off a map", "inferred,")
    (problem,) = problems(project(tmp_path, "csv", bad))
    assert problem.startswith("content/data/rivers.csv:3:1: status 'inferred' needs `uncertain:`")


# --- keys and references ---------------------------------------------------------------------


def test_foreign_keys_name_records_of_declared_and_built_in_datasets(tmp_path):
    bad = GOOD_CSV.replace(",big,,", ",bgi,,").replace("src-a; src-b", "src-a; srca", 1)
    bad = bad.replace(",alpha,", ",alpah,")
    found = problems(project(tmp_path, "csv", bad))
    path = "content/data/rivers.csv"
    assert set(found) == {
        f"{at(bad, 'small', 'bgi', path)}: flows_into 'bgi' is not an id in "
        "content/data/rivers.csv (did you mean 'big'?)",
        f"{at(bad, 'big', 'src-a;', path)}: sources 'srca' is not an id in "
        "content/data/sources.yaml (did you mean 'src-a'?)",
        f"{at(bad, 'big', 'alpah', path)}: region 'alpah' is not an id in "
        "content/data/regions.yaml (did you mean 'alpha'?)",
    }


def test_a_primary_key_or_unique_value_used_twice_is_refused_at_the_second(tmp_path):
    bad = GOOD_CSV.replace("small,Small", "big,Small").replace(",SM,", ",BG,")
    found = problems(project(tmp_path, "csv", bad))
    assert "content/data/rivers.csv:3:1: id 'big' is used twice (first on line 2) " in " ".join(
        found
    ) or any(p.startswith("content/data/rivers.csv:3:1: id 'big' is used twice") for p in found)
    where = at(bad, "big,Small", "BG", "content/data/rivers.csv")
    assert any(p.startswith(f"{where}: code 'BG' is used twice (first on line 2)") for p in found)


# --- mistakes in the declaration ---------------------------------------------------------------

DECLARATION_MISTAKES = [
    # (written in PACKAGE, mistaken, the mistaken line holds, the message)
    (
        "type: integer,",
        "type: integr,",
        "integr",
        "unknown type 'integr' (did you mean 'integer'?)",
    ),
    (
        "constraints: {maximum: 100}",
        "contraints: {maximum: 100}",
        "contraints",
        "unknown field 'contraints' (did you mean 'constraints'?)",
    ),
    (
        "labels: {north:",
        "labels: {nort:",
        "nort:",
        "label for 'nort', which is not in the enum (did you mean 'north'?)",
    ),
    (
        "{resource: rivers, fields: id}",
        "{resource: river, fields: id}",
        "river,",
        "'river' is not a dataset (did you mean 'rivers'?)",
    ),
    (
        "{fields: region, reference",
        "{fields: regoin, reference",
        "regoin",
        "foreign key field 'regoin' is not a field (did you mean 'region'?)",
    ),
    ("primaryKey: id", "primaryKey: ids", "ids", "primaryKey 'ids' is not a field"),
    (
        "{name: code, type: string",
        "{name: basin_name, type: string",
        "basin_name",
        "'basin_name' is the column of words the rows make from 'basin'",
    ),
    ("- name: rivers", "- name: charts", "charts", "'charts' is a built-in dataset's name"),
    ("data/rivers.FORMAT", "data/rivers.xlsx", "xlsx", "is not a data file the build reads"),
    (
        '{pattern: "^[a-z-]+$"}',
        '{pattern: "^[a-z-]+$", minimum: 1}',
        "minimum",
        "`minimum` does not apply to a string field",
    ),
    (
        "{maximum: 100}",
        "{maximum: 100.5}",
        "100.5",
        "`maximum` 100.5 is not a whole number, and the field holds whole numbers",
    ),
    (
        "sources: [src-a]",
        "sources: [src-aa]",
        "src-aa",
        "source 'src-aa' is not an id in content/data/sources.yaml (did you mean 'src-a'?)",
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "token", "message"),
    DECLARATION_MISTAKES,
    ids=[m[2] for m in DECLARATION_MISTAKES],
)
def test_a_declaration_mistake_is_located_with_a_hint(tmp_path, old, new, token, message):
    assert PACKAGE.count(old) == 1
    package = PACKAGE.replace(old, new)
    found = problems(project(tmp_path, "csv", GOOD_CSV, package=package))
    lines = dedent(package).splitlines()
    line = next(n for n, text in enumerate(lines, start=1) if token in text)
    assert any(
        re.match(rf"content/datapackage\.yaml:{line}:\d+: .*{re.escape(message)}", p) for p in found
    ), found


def test_every_declaration_mistake_is_reported_at_once(tmp_path):
    package = PACKAGE.replace("type: integer,", "type: integr,").replace(
        "{resource: rivers, fields: id}", "{resource: river, fields: id}"
    )
    found = problems(project(tmp_path, "csv", GOOD_CSV, package=package))
    assert len([p for p in found if p.startswith("content/datapackage.yaml")]) == 2, found


def test_a_missing_data_file_is_reported_at_its_path(tmp_path):
    content = project(tmp_path, "csv", GOOD_CSV)
    (content / "data" / "rivers.csv").unlink()
    (problem,) = problems(content)
    line = dedent(PACKAGE).splitlines().index("    path: data/rivers.FORMAT") + 1
    assert problem.startswith(
        f"content/datapackage.yaml:{line}:5: data file content/data/rivers.csv is missing"
    )


# --- languages ------------------------------------------------------------------------------------


def test_a_one_language_site_takes_plain_text_in_a_localised_field(tmp_path):
    content = load_content(project(tmp_path, "csv", GOOD_CSV))
    assert content.datasets["rivers"][0].name == "Big river"


def bilingual(tmp_path: Path, data: str) -> Path:
    files = {
        **BILINGUAL,
        "datapackage.yaml": dedent(PACKAGE).replace("FORMAT", "csv") + OTHERS,
        "data/rivers.csv": data,
    }
    files["data/sources.yaml"] = dedent(files["data/sources.yaml"]) + dedent("""
        - id: src-b
          title: {en: "Report B", zh: "报告乙"}
          publisher: {en: "Bureau B", zh: "乙局"}
          url: "https://example.org/b"
          kind: official
          language: zh
        """)
    return write_content(tmp_path / "bilingual", files)


ZH_CSV = (
    GOOD_CSV.replace(",name,", ",name.en,name.zh,", 1)
    .replace(",uncertain\n", ",uncertain.en,uncertain.zh\n", 1)
    .replace("Big river,", "Big river,大河,")
    .replace("Small river,", "Small river,小河,")
    .replace("Read off a map", "Read off a map,从地图读出")
)


def test_a_two_language_site_reads_one_column_per_language(tmp_path):
    content = load_content(bilingual(tmp_path, ZH_CSV))
    zh = dataset_rows(content, "rivers", "zh")
    en = dataset_rows(content, "rivers", "en")
    assert [r["name"] for r in zh] == ["大河", "小河"]
    assert [r["name"] for r in en] == ["Big river", "Small river"]
    assert zh[1]["uncertain"] == "从地图读出" and zh[1]["flows_into_name"] == "大河"
    assert en[0]["region_name"] == "Alpha" and zh[0]["region_name"] == "甲市"


def test_a_two_language_site_names_the_missing_column_and_the_missing_text(tmp_path):
    no_column = ZH_CSV.replace(",name.zh", "", 1).replace("大河,", "").replace("小河,", "")
    found = problems(bilingual(tmp_path / "a", no_column))
    assert found == [
        "content/data/rivers.csv:1:1: no column name.zh for the text of 'name' "
        "(add name.zh to the header row)"
    ]


def test_an_empty_cell_of_the_second_language_is_reported_at_its_own_column(tmp_path):
    empty = ZH_CSV.replace("Small river,小河,", "Small river,,")
    found = problems(bilingual(tmp_path / "b", empty))
    line = next(n for n, text in enumerate(empty.splitlines(), 1) if text.startswith("small"))
    column = len("small,Small river,") + 1  # the name.zh cell, not name.en's
    assert found == [
        f"content/data/rivers.csv:{line}:{column}: 'name' has no Chinese text "
        '(write it as {en: "...", zh: "..."})'
    ]
    no_english = ZH_CSV.replace("Small river,小河,", ",小河,")
    found = problems(bilingual(tmp_path / "c", no_english))
    assert [p.split(": ", 1)[0] for p in found] == [f"content/data/rivers.csv:{line}:7"]
    assert "'name' has no English text" in found[0]


NOTES = """
resources:
  - name: visits
    path: data/visits.json
    schema:
      primaryKey: id
      fields:
        - {name: id, type: string}
        - {name: count, type: integer}
        - name: notes
          type: array
          items:
            fields:
              - {name: year, type: year}
              - {name: note, type: string, localised: true}
"""


def test_a_text_lacking_a_language_inside_an_array_of_records_is_reported_at_its_key(tmp_path):
    visits = [
        {"id": "a", "count": 1, "notes": [{"year": 2020, "note": {"en": "One", "zh": "一"}}]},
        {"id": "b", "count": 2, "notes": [{"year": 2021}, {"year": 2022, "note": {"en": "Two"}}]},
    ]
    text = as_json(visits)
    files = {
        **BILINGUAL,
        "datapackage.yaml": dedent(NOTES) + OTHERS,
        "data/visits.json": text,
    }
    found = problems(write_content(tmp_path / "notes", files))
    line = text.splitlines().index('          "en": "Two"')  # the line before: "note": {
    assert [p for p in found if "visits" in p] == [
        f"content/data/visits.json:{line}:9: 'note' has no Chinese text "
        '(write it as {en: "...", zh: "..."})'
    ]


# --- rows, charts, downloads -------------------------------------------------------------------


def test_rows_name_labels_references_and_status_as_the_design_says(tmp_path):
    content = load_content(project(tmp_path, "csv", GOOD_CSV))
    big, small = dataset_rows(content, "rivers", "en")
    assert big["basin_name"] == "Northern basin" and small["basin_name"] == "Southern basin"
    assert small["flows_into_name"] == "Big river" and small["flows_into_length"] == 120.5
    assert big["flows_into_name"] is None, "a row without a reference has the columns, empty"
    assert list(big) == list(small), "every row has every column, in one order"
    assert "flows_into_id" not in big and "sources_name" not in big
    assert big["region_name"] == "Alpha" and big["region_kind"] == "city"
    assert (small["status"], small["status_name"], small["uncertain"]) == (
        "inferred",
        "inferred",
        "Read off a map",
    )
    assert dataset_rows(content, "rivers", "en") is dataset_rows(content, "rivers", "en")


def test_sort_orders_the_rows_and_a_references_columns_pick_what_rows_take(tmp_path):
    package = PACKAGE.replace("    sources: [src-a]\n", "    sources: [src-a]\n    sort: length\n")
    package = package.replace(
        "{fields: region, reference: {resource: regions, fields: id}}",
        "{fields: region, reference: {resource: regions, fields: id}, columns: [name]}",
    )
    content = load_content(project(tmp_path, "csv", GOOD_CSV, package=package))
    rows = dataset_rows(content, "rivers", "en")
    assert [r["id"] for r in rows] == ["small", "big"], "12 km before 120.5 km"
    assert rows[1]["region_name"] == "Alpha" and "region_kind" not in rows[1]
    assert "flows_into_length" in rows[0], "a reference without `columns` takes every column"
    descending = package.replace("sort: length", "sort: -length")
    content = load_content(project(tmp_path, "csv", GOOD_CSV, package=descending))
    assert [r["id"] for r in dataset_rows(content, "rivers", "en")] == ["big", "small"]


def test_a_sort_or_a_references_column_that_does_not_exist_is_located(tmp_path):
    sorting = PACKAGE.replace("    sources: [src-a]\n", "    sources: [src-a]\n    sort: lenght\n")
    joining = PACKAGE.replace(
        "{fields: region, reference: {resource: regions, fields: id}}",
        "{fields: region, reference: {resource: regions, fields: id}, columns: [nmae]}",
    )
    found = [
        *problems(project(tmp_path, "csv", GOOD_CSV, package=sorting)),
        *problems(project(tmp_path, "csv", GOOD_CSV, package=joining)),
    ]
    sort_line = next(n for n, t in enumerate(dedent(sorting).splitlines(), 1) if "lenght" in t)
    join_line = next(n for n, t in enumerate(dedent(joining).splitlines(), 1) if "nmae" in t)
    assert any(
        p.startswith(f"content/datapackage.yaml:{sort_line}:")
        and "sort names 'lenght', which is not a field (did you mean 'length'?)" in p
        for p in found
    ), found
    assert any(
        p.startswith(f"content/datapackage.yaml:{join_line}:")
        and "'nmae' is not a column of regions's rows (did you mean 'name'?)" in p
        for p in found
    ), found


CHART = """
- id: river-lengths
  kind: bar
  data: rivers
  x: name
  y: length
  title: "River lengths"
  sources: [src-a]
  alt: "Bar chart of the rivers' lengths."
"""


def test_a_chart_draws_a_declared_dataset_and_names_its_columns(tmp_path):
    charts = dedent(MINI["charts.yaml"]) + dedent(CHART)
    content = load_content(project(tmp_path, "csv", GOOD_CSV, more={"charts.yaml": charts}))
    assert check_charts(content) == []
    spec = next(c for c in content.datasets["charts"] if c.id == "river-lengths")
    chart = build_chart(content, spec)
    assert [(r["name"], r["length"]) for r in chart.rows] == [
        ("Big river", 120.5),
        ("Small river", 12.0),
    ]
    wrong = charts.replace("y: length", "y: lenght")
    broken = load_content(project(tmp_path, "csv", GOOD_CSV, more={"charts.yaml": wrong}))
    (problem,) = check_charts(broken)
    assert "column 'lenght' is not in the rivers data" in str(problem)
    assert "length" in problem.hint


def test_a_charts_table_lists_its_chosen_columns_less_those_no_row_fills(tmp_path):
    chart = dedent(CHART) + "  where: {basin: south}\n  table: [code, name, opened]\n"
    content = load_content(project(tmp_path, "csv", GOOD_CSV, more={"charts.yaml": chart}))
    assert check_charts(content) == []
    (spec,) = content.datasets["charts"]
    keys = [k for k, _ in build_chart(content, spec).columns]
    # the small river, the only southern one, has no opening date; its status is inferred
    assert keys == ["code", "name", "status_name", "uncertain"], keys
    wrong = chart.replace("table: [code, name,", "table: [code, nmae,")
    broken = load_content(project(tmp_path, "csv", GOOD_CSV, more={"charts.yaml": wrong}))
    (problem,) = check_charts(broken)
    assert "column 'nmae' is not in the rivers data" in str(problem)
    assert str(problem).startswith(f"content/charts.yaml:{len(wrong.splitlines())}:")


def test_a_chart_naming_no_dataset_lists_the_declared_ones(tmp_path):
    charts = dedent(CHART).replace("data: rivers", "data: rivres")
    found = problems(project(tmp_path, "csv", GOOD_CSV, more={"charts.yaml": charts}))
    assert any(
        "'data' is 'rivres', which is not allowed" in p and "'rivers'" in p for p in found
    ), found


def test_the_data_page_lists_and_offers_a_declared_dataset(tmp_path):
    content = load_content(project(tmp_path, "csv", GOOD_CSV))
    listing = _data_listing(content, Urls("/sub/"), "en")
    (rivers,) = [d for d in listing.datasets if d.name == "rivers"]
    assert rivers.title == "Rivers" and rivers.file == "content/data/rivers.csv"
    assert rivers.description == "Every river of the test province." and rivers.count == 2
    csv_text, json_text, count = _dataset_files(content, "rivers", "en")
    assert count == 2 and csv_text.splitlines()[0].lstrip("\ufeff").startswith("id,name,basin,")
    assert json.loads(json_text)[1]["flows_into_name"] == "Big river"


TITLED = (
    PACKAGE.replace(
        "{name: name, type: string, localised: true,",
        '{name: name, title: {en: River, zh: "河流"}, type: string, localised: true,',
    )
    .replace(
        "{name: length, type: number,",
        '{name: length, title: {en: Length, zh: "长度"}, type: number,',
    )
    .replace(
        "    sources: [src-a]\n",
        '    sources: [src-a]\n    headers: {basin_name: {en: Basin, zh: "流域"}}\n',
    )
)
BILINGUAL_CHART = """
- id: river-lengths
  kind: bar
  data: rivers
  x: name
  series: basin_name
  y: length
  title: {en: "River lengths", zh: "河流长度"}
  sources: [src-a]
  alt: {en: "Bar chart of the rivers' lengths.", zh: "条形图：河流长度。"}
"""


def test_headers_of_downloads_and_charts_come_from_the_declaration(tmp_path):
    root = bilingual(tmp_path, ZH_CSV)
    (root / "datapackage.yaml").write_text(
        dedent(TITLED).replace("FORMAT", "csv") + OTHERS, encoding="utf-8"
    )
    (root / "charts.yaml").write_text(dedent(BILINGUAL_CHART), encoding="utf-8")
    content = load_content(root)
    keys, words = (
        _dataset_files(content, "rivers", lang)[0].lstrip("\ufeff").splitlines()[0].split(",")
        for lang in ("en", "zh")
    )
    header = dict(zip(keys, words, strict=True))
    # a field's title, a derived column's `headers`, a joined column's: its field's title there
    assert [header[k] for k in ("name", "length", "basin_name", "flows_into_name")] == [
        "河流",
        "长度",
        "流域",
        "河流",
    ]
    (spec,) = content.datasets["charts"]
    for lang, words in (("en", ["River", "Basin", "Length"]), ("zh", ["河流", "流域", "长度"])):
        assert [h for _, h in build_chart(content, spec, lang).columns][:3] == words
    _, plain, _ = _dataset_files(load_content(bilingual(tmp_path / "b", ZH_CSV)), "rivers", "zh")
    assert "河流" not in plain.splitlines()[0], "without titles, the engine's words"


QUOTED = "quotes: {dataset: rivers, value: code, label: {river: name, basin: basin_name}}\n"


def test_quotes_show_the_declared_columns_of_the_declared_dataset(tmp_path):
    content = load_content(project(tmp_path, "csv", GOOD_CSV, dedent(QUOTED) + PACKAGE))
    view = figure_view(content.index("rivers")["big"], content, "en")
    assert (view.value, view["river"], view["basin"]) == ("BG", "Big river", "Northern basin")
    assert _figure_subject(view, content, "en") == "Big river, Northern basin"


def test_a_quoted_rank_reads_in_the_declared_words_else_as_the_ordinal_alone():
    content = load_content(REPO / "content")
    fig = content.index("figures")["sx-iva-growth-2022h1"]
    assert fig.rank == 2
    words = {lang: figure_view(fig, content, lang).rank_text for lang in ("en", "zh")}
    assert words == {"en": "2nd in the province", "zh": "居全省第2位"}
    content.package.quotes = content.package.quotes.model_copy(update={"rank": None})
    assert figure_view(fig, content, "en").rank_text == "2nd"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("dataset: rivers", "dataset: rivres", "quotes names 'rivres', not a dataset"),
        ("value: code", "value: cdoe", "'cdoe' is not a column of the rows of rivers"),
        ("basin: basin_name", "basin: basin_nmae", "'basin_nmae' is not a column of the rows"),
    ],
)
def test_quotes_naming_an_unknown_dataset_or_column_is_an_error_at_its_line(
    tmp_path, old, new, message
):
    package = dedent(QUOTED).replace(old, new) + PACKAGE
    found = problems(project(tmp_path, "csv", GOOD_CSV, package))
    column = package.index(new) + 1  # the key's
    assert found[0].startswith(f"content/datapackage.yaml:1:{column}: {message}"), found


# --- schemas ------------------------------------------------------------------------------------


def test_json_schemas_are_generated_from_the_declaration(tmp_path):
    content = load_content(project(tmp_path, "json", DATA["json"]))
    schemas = content_schemas(content)
    jsonschema.validate(GOOD_RECORDS, schemas["rivers"])
    for bad in (
        {"basin": "west"},
        {"navigable": "yes"},
        {"flows_into": "nowhere"},
        {"length": -1},
        {"colour": "blue"},
    ):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate([GOOD_RECORDS[0] | bad], schemas["rivers"])
    declaration = load_yaml_text(PACKAGE.replace("FORMAT", "json"), "datapackage.yaml").data
    jsonschema.validate(declaration, schemas["datapackage"])
    typo = PACKAGE.replace("constraints: {maximum", "contraints: {maximum")
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(load_yaml_text(typo, "x").data, schemas["datapackage"])
    assert "rivers" in schemas["charts"]["$defs"]["Chart"]["properties"]["data"]["enum"]


def test_the_schema_command_writes_a_declared_dataset_schema(tmp_path, run_cli):
    content = project(tmp_path, "csv", GOOD_CSV)
    for name in ("templates", "static", "locales"):
        (content.parent / name).mkdir()
    done = run_cli("schema", "--project", content.parent)
    assert done.code == 0, done.err
    written = json.loads((content.parent / "schemas" / "rivers.schema.json").read_text())
    assert written["title"] == "tiangong-site rivers"
    assert (content.parent / "schemas" / "datapackage.schema.json").is_file()


# --- bulk ---------------------------------------------------------------------------------------

PEERS = """
resources:
  - name: peers
    path: data/peers.json
    schema:
      primaryKey: id
      fields:
        - {name: id, type: string}
        - {name: name, type: string}
        - {name: tier, type: integer}
        - {name: population, type: integer}
        - name: rows
          type: array
          items:
            fields:
              - {name: year, type: year}
              - {name: value, type: number}
              - {name: rank, type: integer}
"""


@pytest.mark.slow
def test_ten_thousand_records_of_ten_rows_load_from_json(tmp_path):
    records = [
        {
            "id": f"p{i}",
            "name": f"Peer {i} & co",
            "tier": i % 3,
            "population": 1000 + i,
            "rows": [{"year": 2000 + y, "value": i * 0.5 + y, "rank": y + 1} for y in range(10)],
        }
        for i in range(10_000)
    ]
    content = project(
        tmp_path, "json", "", package=PEERS, more={"data/peers.json": json.dumps(records)}
    )
    (content / "data" / "rivers.json").unlink()
    started = time.monotonic()
    loaded = load_content(content)
    assert time.monotonic() - started < 60, "hang guard"
    assert len(loaded.datasets["peers"]) == 10_000
    assert loaded.datasets["peers"][9_999].rows[9]["rank"] == 10  # items: plain dicts
    assert dataset_rows(loaded, "peers", "en")[0]["rows"][0] == {
        "year": 2000,
        "value": 0.0,
        "rank": 1,
    }


def test_an_array_of_records_cannot_be_a_csv_column(tmp_path):
    package = PEERS.replace("peers.json", "peers.csv")
    content = project(tmp_path, "csv", "", package=package, more={"data/peers.csv": "id\n"})
    (content / "data" / "rivers.csv").unlink()
    (problem,) = problems(content)
    assert "a CSV cell cannot hold an array of records" in problem


# --- the guide's example ----------------------------------------------------------------------


def guide_files() -> dict[str, tuple[str, str]]:
    """The files the guide's "Declare a dataset" section writes: its ``` blocks with `file=`
    (a file shown whole) or `add-to=` (entries added to a list the file has: the text after
    its first line)."""
    guide = (REPO / "docs" / "editing.md").read_text(encoding="utf-8")
    section = guide.split("## Declare a dataset\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"^```\w+ (file|add-to)=(\S+)\n(.*?)^```$", section, re.M | re.S)
    return {path: (how, body) for how, path, body in blocks}


def test_the_guides_example_declares_a_dataset_that_builds_its_rows(tmp_path):
    files = guide_files()
    assert set(files) == {"content/datapackage.yaml", "content/data/rivers.csv"}
    root = copy_project(tmp_path / "project")
    for path, (how, body) in files.items():
        if how == "add-to":
            before = (root / path).read_text(encoding="utf-8")
            body = before.rstrip("\n") + "\n" + body.split("\n", 1)[1]
        (root / path).write_text(body, encoding="utf-8")
    content = load_content(root / "content")
    north, south = dataset_rows(content, "rivers", "zh")
    assert (south["name"], south["flows_into_name"], south["basin_name"]) == (
        "南溪",
        "北河",
        "Southern basin",
    )
    assert (south["status"], south["uncertain"], north["length"]) == ("inferred", "从地图读出", 120)
    listing = _data_listing(content, Urls("/"), "en")
    assert listing.datasets[-1].title == "Example: rivers"


# --- extensions: several statuses, rules, defaults, precision, headers --------------------------

EXTENDED = (
    PACKAGE.replace("{name: opened, type: date}", "{name: opened, type: date, precision: month}")
    .replace("{name: bridges, type: integer,", "{name: bridges, type: integer, default: 0,")
    .replace(
        "      uncertainty: true\n",
        "      uncertainty: {statuses: [status, length_status]}\n"
        "      rules:\n"
        "        - {field: opened, inYear: year, message: the year the river opened}\n"
        "        - {field: bridges, lessThan: length}\n",
    )
    .replace("    sources: [src-a]\n", "    sources: [src-a]\n    headers: {opened_name: Opened}\n")
)
EXTENDED_RECORDS = [
    GOOD_RECORDS[0],
    {k: v for k, v in GOOD_RECORDS[1].items() if k != "bridges"} | {"length_status": "derived"},
]


def test_several_statuses_defaults_and_a_dates_precision_give_their_columns(tmp_path):
    content = load_content(project(tmp_path, "yaml", as_yaml(EXTENDED_RECORDS), EXTENDED))
    big, small = dataset_rows(content, "rivers", "en")
    assert small["bridges"] == 0, "a record without a value has the declared default"
    assert (small["length_status"], small["length_status_name"]) == ("derived", "derived")
    assert (big["length_status"], big["status"]) == ("reported", "reported")
    assert big["opened_name"] == "January 2020" and small["opened_name"] is None
    assert dataset_rows(content, "rivers", "zh")[0]["opened_name"] == "2020年1月"
    assert weakest_status(small) == "inferred" and weakest_status(big) == "reported"
    assert weakest_status(big | {"length_status": "derived"}) == "derived"


def model_fields(model: type) -> tuple[tuple[str, ...], dict]:
    """A model's fields in order, and the default of each that has one."""
    infos = model.model_fields
    defaults = {
        name: info.get_default(call_default_factory=True)
        for name, info in infos.items()
        if not info.is_required()
    }
    return tuple(infos), defaults


@pytest.mark.parametrize("package", [PACKAGE, EXTENDED], ids=["one-status", "two-statuses"])
def test_a_records_fields_and_defaults_are_those_of_its_datasets_model(
    tmp_path, package, monkeypatch
):
    monkeypatch.setattr(declared, "_KEPT", None)  # read anew, as a build does (keep_reads)
    roots = [project(tmp_path, "yaml", as_yaml(GOOD_RECORDS), package), REPO / "content"]
    roots.append(REPO / "tests" / "projects" / "ferries" / "content")
    for root in roots:
        content = load_content(root)
        assert content.package is not None and content.package.resources
        for name, resource in content.package.resources.items():
            made = {"model", "record"} & set(vars(resource))
            assert not made, f"{name}: a load without mistakes made its {made}"
            assert record_fields(resource.spec) == model_fields(resource.model), name


EVERY_KIND = """
resources:
  - name: every-kind
    path: data/every-kind.json
    schema:
      primaryKey: id
      fields:
        - {name: id, constraints: {pattern: "^[a-z]+$", minLength: 2, maxLength: 9}}
        - {name: words, localised: true}
        - {name: link, format: uri, constraints: {required: true}}
        - {name: kind, constraints: {enum: [a, b]}}
        - {name: count, type: integer, constraints: {minimum: 0, maximum: 9, required: true}}
        - {name: share, type: number, constraints: {minimum: 0.5, maximum: 99.5}}
        - {name: year, type: year}
        - {name: flag, type: boolean, default: false}
        - {name: day, type: date}
        - {name: month, type: date, partial: true, constraints: {required: true}}
        - {name: span, type: period}
        - {name: tags, type: list, constraints: {pattern: "^[a-z]+$", minLength: 1}}
        - {name: years, type: list, itemType: year, constraints: {maximum: 2100}}
        - {name: codes, type: list, constraints: {enum: [x, y], required: true}}
        - name: rows
          type: array
          constraints: {maxLength: 3}
          items:
            fields:
              - {name: at, type: integer, constraints: {required: true}}
              - {name: note, localised: true}
      uncertainty: {statuses: [status, count_status]}
"""


def normalised(schema: object, models: set[str]) -> object:
    """A pydantic-core schema as it validates: a model's schema (or a reference to it) as its
    name, whether written in place or in the definitions; names, titles and classes left out."""
    if isinstance(schema, list):
        return [normalised(item, models) for item in schema]
    if not isinstance(schema, dict):
        return schema
    if schema.get("type") == "definitions":
        return normalised(schema["schema"], models)
    if schema.get("type") == "definition-ref" or schema.get("ref") in models:
        return ("model", schema.get("schema_ref", schema.get("ref")))
    dropped = {"ref", "metadata", "cls", "cls_name", "computed_fields"}
    return {k: normalised(v, models) for k, v in schema.items() if k not in dropped}


@pytest.mark.parametrize("package", [PACKAGE, EXTENDED, EVERY_KIND])
def test_records_are_validated_by_the_schema_pydantic_makes_of_their_typed_dict(tmp_path, package):
    root = project(tmp_path, "yaml", as_yaml(GOOD_RECORDS), package)
    roots = [root, REPO / "content", REPO / "tests" / "projects" / "ferries" / "content"]
    models = {Localised.__pydantic_core_schema__["ref"], Period.__pydantic_core_schema__["ref"]}
    for content_root in roots:
        package_read = load_package(content_root, ["en", "zh"], problems := [])
        assert package_read is not None and not problems, problems
        for name, resource in package_read.resources.items():
            ours = records_schema(resource.spec)
            theirs = TypeAdapter(list[resource.record]).core_schema
            assert normalised(ours, models) == normalised(theirs, models), name


def test_a_second_status_other_than_reported_needs_the_note(tmp_path):
    records = [GOOD_RECORDS[0] | {"length_status": "inferred"}, EXTENDED_RECORDS[1]]
    found = problems(project(tmp_path, "yaml", as_yaml(records), EXTENDED))
    assert any(
        p.startswith("content/data/rivers.yaml:1:") and "status 'inferred' needs `uncertain:`" in p
        for p in found
    ), found


def test_a_broken_rule_is_reported_at_its_records_line_with_its_message(tmp_path):
    records = [GOOD_RECORDS[0] | {"year": 2021}, EXTENDED_RECORDS[1] | {"bridges": 20}]
    found = problems(project(tmp_path, "yaml", as_yaml(records), EXTENDED))
    second = len(GOOD_RECORDS[0]) + 1  # the line of the second record's first key
    assert found == [
        "content/data/rivers.yaml:1:3: opened 2020-01-31 is not in year 2021 "
        "(the year the river opened) (correct the value)",
        f"content/data/rivers.yaml:{second}:3: bridges 20 must be less than length 12.0 "
        "(correct the value)",
    ]


EXTENSION_MISTAKES = [
    ("inYear: year", "inYear: yaer", "yaer", "rule names 'yaer', which is not a field"),
    ("inYear: year", "inYear: name", "inYear", "inYear compares a date with a year"),
    ("lessThan: length}", "lessThan: name}", "lessThan", "lessThan cannot compare"),
    ("length_status]", "length_basis]", "length_basis", "is not named like one"),
    ("default: 0,", "default: none,", "default", "default 'none' is not a integer"),
    ("{opened_name: Opened}", "{opened: Opened}", "opened:", "is not a column the rows"),
    (
        "{name: year, type: year}",
        "{name: year, type: year, precision: year}",
        "type: year, precision",
        "`precision` is for a field of type date, not year",
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "token", "message"),
    EXTENSION_MISTAKES,
    ids=[m[2] for m in EXTENSION_MISTAKES],
)
def test_an_extension_mistake_is_located_with_a_hint(tmp_path, old, new, token, message):
    assert EXTENDED.count(old) == 1
    package = EXTENDED.replace(old, new)
    found = problems(project(tmp_path, "yaml", as_yaml(EXTENDED_RECORDS), package=package))
    lines = dedent(package).splitlines()
    line = next(n for n, text in enumerate(lines, start=1) if token in text)
    assert any(
        re.match(rf"content/datapackage\.yaml:{line}:\d+: .*{re.escape(message)}", p) for p in found
    ), found
