"""The content model: the rules a record must follow, and the located message each broken rule
gives."""

from __future__ import annotations

import pytest
from pydantic import TypeAdapter, ValidationError

from conftest import REPO
from tiangong_site.content import _validate_list, load_site
from tiangong_site.declared import load_package
from tiangong_site.declared.measures import Period
from tiangong_site.errors import Problem
from tiangong_site.loader import load_yaml_text
from tiangong_site.models import (
    Localised,
    PartialDate,
    Site,
    text,
)

DATES = TypeAdapter(PartialDate)


def declared(name: str) -> type:
    """The model of a dataset the real project declares in content/datapackage.yaml."""
    package = load_package(REPO / "content", ["en"], [])
    assert package is not None
    return package.resources[name].model


Region = declared("regions")
Award = declared("awards")


def problems_for(model: type, yaml_text: str, path: str = "content/data/x.yaml") -> list[Problem]:
    """Validate a YAML list of records the way the build does; return the located problems."""
    problems: list[Problem] = []
    _validate_list(load_yaml_text(yaml_text, path), model, problems)
    return problems


def line_of(yaml_text: str, needle: str) -> int:
    return next(i for i, line in enumerate(yaml_text.splitlines(), 1) if needle in line)


# --- dates ---------------------------------------------------------------------------------


@pytest.mark.parametrize("date", ["2024-02-29", "2023-12-31", "2024-05", "2024", "2023-02-28"])
def test_real_dates_as_precise_as_the_source_are_accepted(date: str):
    assert DATES.validate_python(date) == date


@pytest.mark.parametrize(
    ("date", "why"),
    [
        ("2024-02-30", "February 2024 has 29 days"),
        ("2023-02-29", "February 2023 has 28 days"),
        ("2024-04-31", "April 2024 has 30 days"),
        ("2024-13", "no month 13"),
        ("2024-00-10", "no month 0"),
        ("2024-05-00", "May 2024 has 31 days"),
    ],
)
def test_impossible_dates_are_refused_saying_why(date: str, why: str):
    with pytest.raises(ValidationError) as caught:
        DATES.validate_python(date)
    assert why in str(caught.value)


@pytest.mark.parametrize("date", ["24-05-2024", "2024/05/24", "May 2024", "2024-5-24", ""])
def test_dates_in_another_form_are_refused(date: str):
    with pytest.raises(ValidationError, match="YYYY-MM-DD"):
        DATES.validate_python(date)


def test_impossible_date_is_located_at_its_line():
    records = (
        "- id: src\n"
        "  title: T\n"
        "  publisher: P\n"
        '  date: "2023-02-30"\n'
        "  url: https://example.org/\n"
        "  kind: press\n"
        "  language: en\n"
    )
    (problem,) = problems_for(declared("sources"), records)
    assert (problem.line, problem.column) == (4, 3)
    assert "impossible date 2023-02-30" in problem.message


# --- counts and numbers --------------------------------------------------------------------


def test_negative_count_is_refused_at_its_line_with_a_hint():
    """Award tiers are declared in content/datapackage.yaml: `minimum: 0` on `winners`."""
    package = load_package(REPO / "content", ["en"], [])
    assert package is not None
    tier = package.resources["award-tiers"].model
    records = "- id: city\n  name: Cities\n  winners: -1\n  pool: the cities\n  source: s\n"
    (problem,) = problems_for(tier, records)
    assert (problem.line, problem.column) == (3, 3)
    assert "'winners' is -1" in problem.message
    assert "negative" in problem.hint
    assert tier(id="city", name="Cities", winners=0, pool="p", source="s").winners == 0


def test_rank_below_one_is_refused():
    with pytest.raises(ValidationError, match="greater than or equal to 1"):
        declared("figures")(
            metric="m",
            region="r",
            period={"kind": "year", "year": 2023},
            value=1,
            rank=0,
            source="s",
        )


def test_wrong_type_is_named_with_the_value_given():
    records = "- id: a\n  name: A\n  kind: city\n  mountainous: maybe\n"
    (problem,) = problems_for(Region, records)
    assert problem.line == 4
    assert problem.message == "'mountainous' must be true or false, not 'maybe'"


def test_value_that_is_neither_text_nor_translations_is_reported_once():
    records = "- id: a\n  name: [1, 2]\n  kind: city\n"
    (problem,) = problems_for(Region, records)
    assert problem.line == 2
    assert "'name' must be text" in problem.message


# --- periods -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("period", "message"),
    [
        ({"kind": "half-year", "year": 2023}, "half-year needs `part: 1` or `part: 2`"),
        ({"kind": "half-year", "year": 2023, "part": 3}, "half-year needs `part: 1` or `part: 2`"),
        ({"kind": "quarter", "year": 2023}, "quarter needs `part: 1` to `part: 4`"),
        ({"kind": "year-to-date", "year": 2023}, "needs `through_month: 1` to `12`"),
        ({"kind": "year", "year": 2023, "part": 1}, "whole year takes neither"),
        ({"kind": "year", "year": 2023, "through_month": 6}, "whole year takes neither"),
    ],
)
def test_inconsistent_periods_are_refused(period: dict, message: str):
    with pytest.raises(ValidationError, match=message.replace("`", ".")):
        Period(**period)


@pytest.mark.parametrize(
    ("period", "end_month"),
    [
        ({"kind": "year", "year": 2023}, 12),
        ({"kind": "half-year", "year": 2023, "part": 1}, 6),
        ({"kind": "half-year", "year": 2023, "part": 2}, 12),
        ({"kind": "quarter", "year": 2023, "part": 3}, 9),
        ({"kind": "year-to-date", "year": 2025, "through_month": 11}, 11),
    ],
)
def test_consistent_periods_end_in_the_right_month(period: dict, end_month: int):
    assert Period(**period).end_month == end_month


def test_whole_year_sorts_after_its_parts():
    year = Period(kind="year", year=2023)
    first_half = Period(kind="half-year", year=2023, part=1)
    second_half = Period(kind="half-year", year=2023, part=2)
    next_q1 = Period(kind="quarter", year=2024, part=1)
    assert sorted([next_q1, year, second_half, first_half], key=lambda p: p.sort_key) == [
        first_half,
        second_half,
        year,
        next_q1,
    ]


def test_period_problem_is_located_at_the_period():
    records = (
        "- metric: m\n  region: r\n  period: {kind: half-year, year: 2023}\n"
        "  value: 1\n  source: s\n"
    )
    (problem,) = problems_for(declared("figures"), records)
    assert problem.line == 3
    assert "half-year" in problem.message


# --- awards --------------------------------------------------------------------------------


def award(**changes: object) -> dict:
    return {
        "ceremony_year": 2024,
        "evaluation_year": 2023,
        "region": "r",
        "tier": "t",
        "standing": "returning",
        "source": "s",
    } | changes


def test_evaluation_year_before_ceremony_year_is_accepted():
    assert Award(**award()).evaluation_year == 2023


@pytest.mark.parametrize("evaluation_year", [2024, 2025])
def test_evaluation_year_not_before_ceremony_year_is_refused(evaluation_year: int):
    with pytest.raises(
        ValidationError,
        match=f"evaluation_year {evaluation_year} must be before ceremony_year 2024 "
        r"\(the May 2024 ceremony",
    ):
        Award(**award(evaluation_year=evaluation_year))


def test_a_broken_rule_is_reported_at_the_records_line():
    records = (
        "- ceremony_year: 2024\n  evaluation_year: 2023\n  region: r\n  tier: t\n"
        "  standing: returning\n  source: s\n"
        "- ceremony_year: 2024\n  ceremony_date: '2023-05-24'\n  evaluation_year: 2023\n"
        "  region: r\n  tier: t\n  standing: returning\n  source: s\n"
    )
    (problem,) = problems_for(Award, records)
    assert (problem.line, problem.column) == (7, 3)
    assert problem.message == "ceremony_date 2023-05-24 is not in ceremony_year 2024"


def test_a_second_status_needs_the_note_as_the_first_does():
    with pytest.raises(ValidationError, match="status 'inferred' needs `uncertain:`"):
        Award(**award(standing_status="inferred"))
    noted = Award(**award(standing_status="inferred", uncertain="inferred from 'once again'"))
    assert (noted.status, noted.standing_status) == ("reported", "inferred")


def test_ceremony_date_outside_the_ceremony_year_is_refused():
    with pytest.raises(ValidationError, match="not in ceremony_year 2024"):
        Award(**award(ceremony_date="2023-05-24"))
    assert Award(**award(ceremony_date="2024-05-24")).ceremony_date == "2024-05-24"


# --- unknown and missing fields ------------------------------------------------------------


def test_unknown_field_gets_a_did_you_mean_hint_at_its_line():
    records = "- id: a\n  name: A\n  kind: city\n  parnet: b\n"
    (problem,) = problems_for(Region, records)
    assert (problem.line, problem.column) == (4, 3)
    assert problem.message == "unknown field 'parnet'"
    assert problem.hint == "did you mean 'parent'?"


def test_unknown_field_with_nothing_close_lists_the_allowed_fields():
    records = "- id: a\n  name: A\n  kind: city\n  zzzzzz: b\n"
    (problem,) = problems_for(Region, records)
    assert problem.hint.startswith("allowed fields:")
    assert "parent" in problem.hint and "mountainous" in problem.hint


def test_unknown_field_in_a_nested_mapping_is_matched_against_that_mappings_fields():
    records = (
        "- metric: m\n  region: r\n  period:\n    kind: year\n    year: 2023\n    prat: 1\n"
        "  value: 1\n  source: s\n"
    )
    (problem,) = problems_for(declared("figures"), records)
    assert (problem.line, problem.column) == (6, 5)
    assert problem.message == "unknown field 'prat'"
    assert problem.hint == "did you mean 'part'?"


def test_typo_in_a_translation_is_reported_as_the_typo_alone_with_the_translation_fields():
    records = "- id: a\n  name: {en: A, zn: 甲}\n  kind: city\n"
    (problem,) = problems_for(Region, records)
    assert problem.line == 2
    assert problem.message == "'zn' is not a language code the engine knows"
    assert problem.hint.startswith("did you mean 'en' or 'zh'? known codes: ")


def test_missing_field_is_reported_at_its_record():
    records = "- id: a\n  name: A\n  kind: city\n- id: b\n  name: B\n"
    (problem,) = problems_for(Region, records)
    assert (problem.line, problem.column) == (4, 3)
    assert problem.message == "missing field 'kind'"
    assert "kind:" in problem.hint


def test_every_bad_record_in_a_file_is_reported():
    records = (
        "- id: a\n  kind: city\n"
        "- id: B\n  name: B\n  kind: city\n"
        "- id: c\n  name: C\n  kind: town\n"
    )
    problems = problems_for(Region, records)
    assert [p.line for p in problems] == [1, 3, 8]


def test_unknown_field_in_site_settings_gets_a_hint(tmp_path):
    (tmp_path / "site.yaml").write_text(
        'title: T\ndescription: D\nbase_url: "https://example.org/"\nauthors: [{name: A}]\n'
        'publisher: P\npublished: "2024"\noutput_dri: out\n',
        encoding="utf-8",
    )
    problems: list[Problem] = []
    site, _ = load_site(tmp_path, problems)
    assert site is None
    (problem,) = problems
    assert problem.line == 7
    assert problem.hint == "did you mean 'output_dir'?"


# --- other rules ---------------------------------------------------------------------------


@pytest.mark.parametrize("bad_id", ["Shaoxing", "shao_xing", "-shaoxing", "shao xing", ""])
def test_ids_are_lower_case_words_joined_by_hyphens(bad_id: str):
    (problem,) = problems_for(Region, f"- id: '{bad_id}'\n  name: A\n  kind: city\n")
    assert "'id'" in problem.message
    assert "lower-case" in problem.hint


def test_default_language_must_be_published():
    with pytest.raises(ValidationError, match="default_language 'zh' is not one of"):
        Site(
            title="T",
            description="D",
            base_url="https://example.org/",
            authors=[{"name": "A"}],
            publisher="P",
            published="2024",
            default_language="zh",
        )


def test_localised_text_falls_back_to_english():
    both = Localised(en="Shaoxing", zh="绍兴")
    english_only = Localised(en="Shaoxing")
    assert text(both, "zh") == "绍兴"
    assert text(both, "en") == "Shaoxing"
    assert text(english_only, "zh") == "Shaoxing"
    assert text("plain", "zh") == "plain"
    assert text(None) == ""


def test_records_are_immutable():
    region = Region(id="a", name="A", kind="city")
    with pytest.raises(ValidationError):
        region.id = "b"  # type: ignore[misc]
