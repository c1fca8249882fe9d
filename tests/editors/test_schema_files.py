"""Editors' YAML plugins see the same rules as the build: every data file names its JSON
Schema in a modeline, and validates against it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest

from conftest import REPO
from tiangong_site.loader import load_yaml_file, split_front_matter
from tiangong_site.models import DATASETS

MODELINE = re.compile(r"^# yaml-language-server: \$schema=(\S+)$")
FILES = [("site", "site.yaml")] + [(name, relpath) for name, (relpath, _) in DATASETS.items()]


@pytest.mark.parametrize(("schema_name", "relpath"), FILES, ids=[f for _, f in FILES])
def test_each_content_file_points_at_its_schema_and_validates(schema_name: str, relpath: str):
    path = REPO / "content" / relpath
    first = path.read_text(encoding="utf-8").splitlines()[0]
    match = MODELINE.match(first)
    assert match, f"{relpath} must start with a yaml-language-server modeline"
    schema_path = (path.parent / match.group(1)).resolve()
    assert schema_path == REPO / "schemas" / f"{schema_name}.schema.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    data = load_yaml_file(path, relpath).data
    jsonschema.validate(data if data is not None else [], schema)


def test_a_schema_rejects_what_the_build_rejects():
    schema = json.loads((REPO / "schemas" / "awards.schema.json").read_text(encoding="utf-8"))
    good = {"ceremony_year": 2024, "evaluation_year": 2023, "region": "zhuji", "tier": "county", "standing": "first-time", "source": "s"}
    jsonschema.validate([good], schema)
    for bad in ({**good, "standign": "first-time"}, {**good, "standing": "winner"}, {k: v for k, v in good.items() if k != "region"}, {**good, "ceremony_year": "2024"}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate([bad], schema)


def test_a_page_front_matter_validates_against_the_page_schema():
    schema = json.loads((REPO / "schemas" / "page.schema.json").read_text(encoding="utf-8"))
    for page in sorted((REPO / "content" / "pages").glob("*.md")):
        front, _, _ = split_front_matter(page.read_text(encoding="utf-8"), page.name)
        jsonschema.validate(front.data, schema)
