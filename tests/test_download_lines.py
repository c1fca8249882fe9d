"""A dataset download's JSON line and CSV cells are what the json module writes for the row
(listings.py encodes the row whole, and its lists and objects again for their cells)."""

from __future__ import annotations

import json

from tiangong_site.pages.listings import _json_line


def test_a_download_line_is_json_dumps_of_the_row_and_its_cells_of_its_lists_and_objects():
    row = {
        "id": "a-1",
        "name": 'Quote " and 绍兴 & <tag>',
        "population": 5000,
        "share": 0.25,
        "flag": True,
        "none": None,
        "rows": [{"year": 2015, "value": 1.5, "note": "第一"}],
        "meta": {"unit": "万元", "nested": [1, 2.0]},
    }
    line, nested = _json_line(row)
    assert line == json.dumps(row, ensure_ascii=False)
    assert json.loads(line) == row
    assert nested == {
        "rows": json.dumps(row["rows"], ensure_ascii=False),
        "meta": json.dumps(row["meta"], ensure_ascii=False),
    }
    assert _json_line({}) == ("{}", {})


def test_a_row_of_scalars_only_is_its_json_dumps_too():
    row = {"id": "b-2", "name": "绍兴 & <b>", "share": 0.5, "whole": 7, "flag": False, "no": None}
    assert _json_line(row) == (json.dumps(row, ensure_ascii=False), {})
