"""Editors' YAML plugins see the same rules as the build: every data file names its JSON
Schema in a modeline and validates against it, and each broken file the build refuses the
schema refuses too, wherever JSON Schema can say it (validated with the `jsonschema`
package, as an external validator would)."""

from __future__ import annotations

import itertools
import json
import re
import shutil
from pathlib import Path

import jsonschema
import pytest

from conftest import REPO, copy_project
from tiangong_site.content import load_content
from tiangong_site.errors import ContentError
from tiangong_site.loader import load_yaml_file, load_yaml_text, split_front_matter
from tiangong_site.models import DATASETS, DATE_PATTERN, _check_date
from tiangong_site.site import Project, load_and_check

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
    good = {
        "ceremony_year": 2024,
        "evaluation_year": 2023,
        "region": "zhuji",
        "tier": "county",
        "standing": "first-time",
        "source": "zistic-2024",
    }
    jsonschema.validate([good], schema)
    for bad in (
        {**good, "standign": "first-time"},
        {**good, "standing": "winner"},
        {k: v for k, v in good.items() if k != "region"},
        {**good, "ceremony_year": "2024"},
    ):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate([bad], schema)


def test_a_page_front_matter_validates_against_the_page_schema():
    schema = json.loads((REPO / "schemas" / "page.schema.json").read_text(encoding="utf-8"))
    for page in sorted((REPO / "content" / "pages").glob("*.md")):
        front, _, _ = split_front_matter(page.read_text(encoding="utf-8"), page.name)
        jsonschema.validate(front.data, schema)


# --- the schemas say what the build says ------------------------------------------------------

AWARDS, FIGURES, SOURCES, CHARTS = (
    "data/awards.yaml",
    "data/figures.yaml",
    "data/sources.yaml",
    "charts.yaml",
)
LAST_AWARD = "  tier: city\n  standing: returning\n  golden: true\n  source: lvya-jiaxing\n"
FIRST_FIGURE = (
    "  metric: iva-growth\n  region: shaoxing\n  period: {kind: year, year: 2010}\n  value: 14.8\n"
)
PARK = (
    '{en: "[The cross-Strait (Shaoxing) digital industry park]", '
    "zh: ［海峡两岸（绍兴）数字产业园区］}"
)
GDP_2024 = "    metric: gdp\n    year: 2024\n"
VARIANTS = {
    # The review's twenty broken files (editors.md, section 4.1), then two more.
    "misspelled field": (
        AWARDS,
        "  evaluation_year: 2024\n  region: jiaxing",
        "  evalution_year: 2024\n  region: jiaxing",
    ),
    "four-space indent": (AWARDS, LAST_AWARD, LAST_AWARD.replace("  standing", "    standing")),
    "zh moved out of its text": (FIGURES, '\n    zh: "人民日报一篇', '\n  zh: "人民日报一篇'),
    "a tab": (AWARDS, LAST_AWARD, LAST_AWARD.replace("  standing", "\tstanding")),
    "missing zh in a mapping": (SOURCES, PARK, PARK.split(", zh:")[0] + "}"),
    "missing zh, a plain string": (
        SOURCES,
        PARK,
        '"[The cross-Strait (Shaoxing) digital industry park]"',
    ),
    "unknown source id": (AWARDS, LAST_AWARD, LAST_AWARD.replace("lvya-jiaxing", "lvya-jiaxnig")),
    "impossible date, quoted": (
        AWARDS,
        'ceremony_date: "2025-05-23"',
        'ceremony_date: "2025-02-30"',
    ),
    "impossible date, unquoted": (
        AWARDS,
        'ceremony_date: "2025-05-23"',
        "ceremony_date: 2025-02-30",
    ),
    "thousands separator": (FIGURES, FIRST_FIGURE, FIRST_FIGURE.replace("14.8", "8,368.6")),
    "percent sign": (FIGURES, FIRST_FIGURE, FIRST_FIGURE.replace("14.8", '"9.8%"')),
    "duplicated id": (SOURCES, "- id: zkxxing-cross-strait", "- id: zistic-2024"),
    "where: metric that does not exist": (CHARTS, GDP_2024, GDP_2024.replace("gdp", "gpd")),
    "unquoted text with a colon": (
        SOURCES,
        PARK,
        PARK.replace("［海峡两岸（绍兴）数字产业园区］", "海峡两岸: 绍兴"),
    ),
    "unclosed quote": (AWARDS, 'ceremony_date: "2025-05-23"', 'ceremony_date: "2025-05-23'),
    "the same key twice": (FIGURES, FIRST_FIGURE, FIRST_FIGURE + "  value: 14.9\n"),
    "chart y: values": (CHARTS, "  y: value\n", "  y: values\n"),
    "where: year 2042": (CHARTS, GDP_2024, GDP_2024.replace("2024", "2042")),
    "status: first time": (AWARDS, LAST_AWARD, LAST_AWARD.replace("returning", "first time")),
    "figure metric typo": (FIGURES, FIRST_FIGURE, FIRST_FIGURE.replace("iva-growth", "iva-grwoth")),
    "half-year without its part": (
        FIGURES,
        "{kind: half-year, year: 2015, part: 1}",
        "{kind: half-year, year: 2015}",
    ),
    "chart series not a column": (
        CHARTS,
        "  series: period_kind_name\n",
        "  series: regoin_name\n",
    ),
}
NOT_EXPRESSIBLE = {"duplicated id"}
"""Rules JSON Schema cannot state (uniqueness of a field across the items of a list)."""
YAML_ERRORS = {
    "four-space indent",
    "a tab",
    "unquoted text with a colon",
    "unclosed quote",
    "the same key twice",
}
"""Variants that are not valid YAML, refused before any schema; every other one must parse, so
that the schema is what refuses it (and not, say, a key the variant happened to give twice)."""


def schema_of(relpath: str) -> dict:
    name = "site" if relpath == "site.yaml" else Path(relpath).stem
    return json.loads((REPO / "schemas" / f"{name}.schema.json").read_text(encoding="utf-8"))


def schema_errors(relpath: str, text: str) -> list[str]:
    """What a plugin says: a file it cannot parse is refused whole; else the schema's errors."""
    try:
        data = load_yaml_text(text, relpath).data
    except ContentError as exc:
        return [str(p) for p in exc.problems]
    validator = jsonschema.Draft202012Validator(schema_of(relpath))
    return [error.message for error in validator.iter_errors(data)]


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_each_broken_file_the_build_rejects_the_schema_rejects_too(variant: str, tmp_path: Path):
    relpath, old, new = VARIANTS[variant]
    root = copy_project(tmp_path / "project")
    path = root / "content" / relpath
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{variant}: the content changed; update the variant"
    broken = text.replace(old, new, 1)
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(ContentError):
        load_and_check(Project.at(root), write_cache=False)
    if variant not in YAML_ERRORS:
        load_yaml_text(broken, relpath)
    if variant not in NOT_EXPRESSIBLE:
        assert schema_errors(relpath, broken), f"the schema accepts '{variant}'"
    assert schema_errors(relpath, text) == []


def test_the_date_pattern_accepts_exactly_the_dates_the_build_accepts():
    pattern = re.compile(DATE_PATTERN)
    years = [1900, 1996, 2000, 2023, 2024, 2025, 2026, 2100, 2400]
    for year, month in itertools.product(years, range(0, 14)):
        for value in [f"{year}-{month:02d}"] + [
            f"{year}-{month:02d}-{day:02d}" for day in range(0, 33)
        ]:
            try:
                accepted = _check_date(value) == value
            except ValueError:
                accepted = False
            assert bool(pattern.match(value)) == accepted, value


def properties(schema: dict):
    """(model, field, property schema) of every model the schema defines."""
    models = dict(schema.get("$defs", {}))
    if "properties" in schema:
        models[schema.get("title", "")] = schema
    for model, definition in models.items():
        for field, prop in definition.get("properties", {}).items():
            yield model, field, prop


SCHEMAS = sorted(p.name for p in (REPO / "schemas").glob("*.schema.json"))


@pytest.mark.parametrize("name", SCHEMAS)
def test_every_field_has_a_description_and_an_example_the_schema_accepts(name: str):
    schema = json.loads((REPO / "schemas" / name).read_text(encoding="utf-8"))
    # The whole schema is checked against the meta-schema once: each property's schema is a
    # part of it, and checking it again per example (as jsonschema.validate does) cost seconds.
    validator = jsonschema.validators.validator_for(schema)
    validator.check_schema(schema)
    for model, field, prop in properties(schema):
        assert len(prop.get("description", "")) > 10, f"{name}: {model}.{field} has no description"
        assert prop.get("examples"), f"{name}: {model}.{field} has no example"
        alone = validator({"$defs": schema.get("$defs", {}), **prop})
        for example in prop["examples"]:
            alone.validate(example)


def test_each_id_field_says_whose_id_it_is():
    descriptions: dict[str, set[str]] = {}
    for name in SCHEMAS:
        schema = json.loads((REPO / "schemas" / name).read_text(encoding="utf-8"))
        for model, field, prop in properties(schema):
            if (
                field == "id"
                or "an id in content/" in prop["description"]
                or "ids in content/" in prop["description"]
            ):
                descriptions.setdefault(prop["description"], set()).add(f"{model}.{field}")
    shared = {
        text: users
        for text, users in descriptions.items()
        if len({u.split(".")[0] for u in users}) > 1
    }
    assert shared == {}, shared
    assert sum(len(users) for users in descriptions.values()) >= 26


def test_references_and_chart_columns_complete_from_the_content():
    content = load_content(REPO / "content")
    award = schema_of(AWARDS)["$defs"]["Awards"]["properties"]  # declared: named after it
    assert award["region"]["enum"] == sorted(content.index("regions"))
    assert award["source"]["enum"] == sorted(content.index("sources"))
    branches = schema_of(CHARTS)["$defs"]["Chart"]["allOf"]
    awards = next(
        b["then"]["properties"]
        for b in branches
        if b["if"]["properties"]["data"]["const"] == "awards"
    )
    assert "tier_name" in awards["series"]["anyOf"][0]["enum"] and "count" in awards["y"]["enum"]


def test_text_readers_see_requires_each_language_of_the_site():
    content = load_content(REPO / "content")
    assert content.site.languages == ["en", "zh"]
    local = schema_of(SOURCES)["$defs"]["Localised"]
    assert local["required"] == ["en", "zh"]
    assert "optional" not in json.dumps(local) and "plain string (English)" not in json.dumps(
        schema_of(SOURCES)
    )


def test_snippets_insert_a_valid_record_without_placeholder_zeros():
    for relpath in (AWARDS, FIGURES, SOURCES, CHARTS):
        schema = schema_of(relpath)
        item = schema["items"]["$ref"].rsplit("/", 1)[-1]
        (snippet,) = schema["$defs"][item]["defaultSnippets"]
        jsonschema.validate([snippet["body"]], schema)
        assert 0 not in snippet["body"].values(), snippet


def test_a_declared_fields_title_and_description_stay_apart_in_its_schema(tmp_path: Path):
    from tiangong_site.schema import content_schemas

    folder = tmp_path / "content"
    shutil.copytree(REPO / "tests" / "projects" / "ferries" / "content", folder)
    package = folder / "datapackage.yaml"
    declared = package.read_text(encoding="utf-8")
    since = "- {name: since, type: year}"
    assert since in declared
    titled = '- {name: since, type: year, title: "Opened", description: "Year it first sailed."}'
    package.write_text(declared.replace(since, titled), encoding="utf-8")
    schema = content_schemas(load_content(folder))["routes"]
    fields = {field: prop for model, field, prop in properties(schema) if model == "Routes"}
    assert fields["since"]["title"] == "Opened"
    assert fields["since"]["description"] == "Year it first sailed."
    assert "title" not in fields["route"]  # no title declared: none made up from the name


# --- collections.yaml ---------------------------------------------------------------------------


def _collections_schema() -> dict:
    return json.loads((REPO / "schemas" / "collections.schema.json").read_text(encoding="utf-8"))


def test_collections_yaml_points_at_its_schema_and_validates():
    path = REPO / "content" / "collections.yaml"
    match = MODELINE.match(path.read_text(encoding="utf-8").splitlines()[0])
    assert match, "collections.yaml must start with a yaml-language-server modeline"
    assert (path.parent / match.group(1)).resolve() == REPO / "schemas" / "collections.schema.json"
    jsonschema.validate(load_yaml_file(path, "collections.yaml").data, _collections_schema())


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("dataset", "region"),  # no such dataset
        ("url", "regions/{id}"),  # no address pattern
        ("template", "region.htm"),
        ("where", {"kind": {"nto": "province"}}),  # `not` misspelt
        ("sort_by", "name"),  # no such key
    ],
)
def test_a_collection_the_build_rejects_the_collections_schema_rejects(
    key: str, value: object, run_cli, tmp_path: Path
):
    path = REPO / "content" / "collections.yaml"
    broken = load_yaml_file(path, "collections.yaml").data
    broken[0][key] = value
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, _collections_schema())
    project = copy_project(tmp_path / "project")
    (project / "content" / "collections.yaml").write_text(
        json.dumps(broken, ensure_ascii=False), encoding="utf-8"
    )
    assert run_cli("check", "--project", project).code == 1  # and the build refuses it too
