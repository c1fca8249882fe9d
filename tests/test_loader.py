"""The strict YAML loader: what it refuses, what it keeps as text, and where it says things are."""

from __future__ import annotations

import math
import time
from pathlib import Path

import pytest

from tiangong_site import loader, yamlparser
from tiangong_site.errors import ContentError, Problem
from tiangong_site.loader import load_yaml_file, load_yaml_text, split_front_matter


@pytest.fixture(autouse=True, params=["default", "pure-python"])
def parser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run every test with the parser in use (libyaml's, when PyYAML has it) and with the
    pure-Python fallback, so both refuse and locate the same things."""
    if request.param == "pure-python":
        monkeypatch.setattr(yamlparser, "_StrictLoader", yamlparser._PyStrictLoader)
    return request.param


def refused(text: str, path: str = "content/data/x.yaml") -> Problem:
    """The single problem the loader reports for `text`."""
    with pytest.raises(ContentError) as caught:
        load_yaml_text(text, path)
    assert len(caught.value.problems) == 1, caught.value.problems
    return caught.value.problems[0]


def line_number(text: str, needle: str) -> int:
    """1-based line of the first line of `text` containing `needle`."""
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


# --- duplicate keys ------------------------------------------------------------------------


def test_duplicate_key_is_refused_naming_both_lines():
    text = "- id: a\n  name: First\n  kind: city\n  name: Second\n"
    problem = refused(text)
    assert (problem.path, problem.line, problem.column) == ("content/data/x.yaml", 4, 3)
    assert "duplicate key 'name'" in problem.message
    assert "line 2" in problem.message
    assert problem.hint


def test_duplicate_key_in_a_nested_mapping_is_found():
    text = "period:\n  kind: year\n  year: 2023\n  kind: quarter\n"
    problem = refused(text)
    assert problem.line == 4
    assert "duplicate key 'kind'" in problem.message and "line 2" in problem.message


def test_same_key_in_two_records_is_not_a_duplicate():
    loaded = load_yaml_text("- id: a\n- id: b\n", "x.yaml")
    assert loaded.data == [{"id": "a"}, {"id": "b"}]


# --- aliases, merge keys and tags ----------------------------------------------------------


def test_alias_is_refused_at_the_anchor_or_the_alias():
    text = "a: 1\nb: &base [1, 2]\nc: 3\nd: 4\ne: *base\nf: 5\n"
    problem = refused(text)
    assert problem.line in (2, 5)
    assert "alias" in problem.message
    assert problem.hint


def test_billion_laughs_is_refused_quickly():
    levels = [
        "title: lol",
        'l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]',
    ]
    levels += [f"l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 9)}]" for n in range(1, 10)]
    started = time.perf_counter()
    problem = refused("\n".join(levels) + "\n")
    assert time.perf_counter() - started < 1.0
    assert problem.line in (2, 3)  # the first anchor, or the first alias of it
    assert "alias" in problem.message


def test_merge_key_is_refused():
    problem = refused("a: 1\n<<: {b: 2}\n")
    assert problem.line == 2
    assert "merge" in problem.message


@pytest.mark.parametrize(
    "tagged",
    [
        "!!python/object/apply:os.system ['touch {marker}']",
        "!!python/object/new:os.system ['touch {marker}']",
        "!!python/object:os.system {{}}",
        "!!python/name:os.system",
        "!!python/tuple [1, 2]",
        "!custom 1",
    ],
)
def test_tags_that_construct_objects_are_refused_and_never_run(tagged: str, tmp_path: Path):
    marker = tmp_path / "ran"
    text = "id: safe\nname: " + tagged.format(marker=marker) + "\n"
    problem = refused(text)
    assert (problem.line, problem.column) == (2, 7)
    assert "tag" in problem.message.lower()
    assert not marker.exists()


def test_tag_on_a_list_item_is_refused_at_the_item():
    problem = refused("- a\n- !!python/object/apply:os.getcwd []\n")
    assert (problem.line, problem.column) == (2, 3)


# --- scalars -------------------------------------------------------------------------------


def test_yaml_1_1_booleans_stay_text_and_only_true_false_are_booleans():
    loaded = load_yaml_text("a: no\nb: yes\nc: off\nd: on\ne: true\nf: False\ng: n\n", "x.yaml")
    assert loaded.data == {
        "a": "no",
        "b": "yes",
        "c": "off",
        "d": "on",
        "e": True,
        "f": False,
        "g": "n",
    }


def test_dates_stay_text():
    loaded = load_yaml_text(
        "date: 2024-05-24\nwhen: 2024-05-24 10:30:00\nmonth: 2024-05\n", "x.yaml"
    )
    assert loaded.data == {"date": "2024-05-24", "when": "2024-05-24 10:30:00", "month": "2024-05"}
    assert all(isinstance(v, str) for v in loaded.data.values())


def test_numbers_and_null_are_still_read():
    loaded = load_yaml_text("a: 10.8\nb: 6\nc: null\nd: ~\ne: '6'\n", "x.yaml")
    assert loaded.data == {"a": 10.8, "b": 6, "c": None, "d": None, "e": "6"}


def test_empty_file_is_none():
    assert load_yaml_text("# only a comment\n", "x.yaml").data is None


# --- positions -----------------------------------------------------------------------------


def test_positions_of_nested_keys_are_line_and_column_of_the_key():
    text = (
        "- id: first\n"  # 1
        "  period:\n"  # 2
        "    kind: year\n"  # 3
        "    year: 2023\n"  # 4
        "- id: second\n"  # 5
        "  sources:\n"  # 6
        "    - src-a\n"  # 7
        "    - src-b\n"  # 8
        "  name: {en: Two, zh: 二}\n"  # 9
    )
    loaded = load_yaml_text(text, "x.yaml")
    assert loaded.position((0,)) == (1, 3)
    assert loaded.position((0, "period")) == (2, 3)
    assert loaded.position((0, "period", "year")) == (4, 5)
    assert loaded.position((1, "id")) == (5, 3)
    assert loaded.position((1, "sources", 1)) == (8, 7)
    assert loaded.position((1, "name", "zh")) == (9, 19)


def test_position_of_an_absent_key_falls_back_to_its_nearest_ancestor():
    loaded = load_yaml_text("- id: a\n- id: b\n  period: {kind: year}\n", "x.yaml")
    assert loaded.position((1, "period", "year")) == loaded.position((1, "period")) == (3, 3)
    assert loaded.position((7, "id")) == (1, 1)


def test_problem_is_located_at_the_key():
    loaded = load_yaml_text("- id: a\n  kind: town\n", "content/data/regions.yaml")
    problem = loaded.problem((0, "kind"), "bad kind", "use city")
    assert str(problem) == "content/data/regions.yaml:2:3: bad kind (use city)"


# --- malformed YAML ------------------------------------------------------------------------


def test_malformed_yaml_is_located_at_the_offending_character():
    text = "- id: a\n  name: Broken: here\n  kind: city\n"
    problem = refused(text)
    assert problem.line == 2
    assert text.splitlines()[1][problem.column - 1] == ":"
    assert problem.message.startswith("malformed YAML")
    assert problem.hint


def test_tab_indentation_is_reported_on_its_line():
    problem = refused("a: 1\n\tb: 2\n")
    assert problem.line == 2
    assert "malformed YAML" in problem.message


def test_non_string_keys_are_refused():
    problem = refused("? [a, b]\n: 1\n")
    assert problem.line == 1
    assert "key" in problem.message


# --- files ---------------------------------------------------------------------------------


def test_file_over_the_size_limit_is_refused_without_reading_it(tmp_path: Path):
    path = tmp_path / "big.yaml"
    path.write_bytes(b"# " + b"x" * loader.MAX_FILE_BYTES + b"\n")
    with pytest.raises(ContentError) as caught:
        load_yaml_file(path, "content/data/big.yaml")
    (problem,) = caught.value.problems
    assert (problem.path, problem.line, problem.column) == ("content/data/big.yaml", 1, 1)
    assert "limit" in problem.message
    assert problem.hint


def test_size_limit_is_inclusive(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(loader, "MAX_FILE_BYTES", 64)
    path = tmp_path / "x.yaml"
    path.write_bytes(b"a: " + b"x" * 60 + b"\n")  # exactly 64 bytes
    assert load_yaml_file(path, "x.yaml").data == {"a": "x" * 60}
    path.write_bytes(b"a: " + b"x" * 61 + b"\n")  # 65 bytes
    with pytest.raises(ContentError, match="limit"):
        load_yaml_file(path, "x.yaml")


def test_non_utf8_file_is_refused_at_the_line_of_the_bad_byte(tmp_path: Path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("a: 1\nb: 2\nname: Caf\u00e9\n".encode("latin-1"))
    with pytest.raises(ContentError) as caught:
        load_yaml_file(path, "content/data/latin1.yaml")
    (problem,) = caught.value.problems
    assert (problem.path, problem.line) == ("content/data/latin1.yaml", 3)
    assert "UTF-8" in problem.message


def test_utf8_file_with_chinese_text_is_read(tmp_path: Path):
    path = tmp_path / "zh.yaml"
    path.write_text("name: {en: Shaoxing, zh: 绍兴市}\n", encoding="utf-8")
    assert load_yaml_file(path, "zh.yaml").data == {"name": {"en": "Shaoxing", "zh": "绍兴市"}}


# --- front matter --------------------------------------------------------------------------


def test_front_matter_positions_are_lines_of_the_markdown_file():
    text = "---\ntitle: T\ndescription: D\nslug: about\n---\nFirst line of the body.\n"
    front, body, body_line = split_front_matter(text, "content/pages/about.md")
    assert front.data == {"title": "T", "description": "D", "slug": "about"}
    assert front.position(("title",)) == (2, 1)
    assert front.position(("slug",)) == (4, 1)
    assert body == "First line of the body.\n"
    assert body_line == 6
    assert text.splitlines()[body_line - 1] == "First line of the body."


def test_front_matter_errors_are_reported_at_lines_of_the_markdown_file():
    text = "---\ntitle: T\ndescription: D\ntitle: Again\n---\nBody\n"
    with pytest.raises(ContentError) as caught:
        split_front_matter(text, "content/pages/p.md")
    (problem,) = caught.value.problems
    assert (problem.path, problem.line) == ("content/pages/p.md", 4)
    assert "line 2" in problem.message


def test_page_without_front_matter_is_refused():
    with pytest.raises(ContentError) as caught:
        split_front_matter("# Just a heading\n", "content/pages/p.md")
    (problem,) = caught.value.problems
    assert problem.line == 1
    assert "front matter" in problem.message


def test_a_file_kept_in_the_parse_memo_comes_back_the_same_and_a_copy_of_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    text = "- id: a\n  value: 7.0\n  rows: [{year: 2023, share: 12.50}]\n- id: b\n  value: 3\n"
    with loader.remembered(tmp_path) as memo:
        first = load_yaml_text(text, "content/data/x.yaml")
    memo.save()

    def again(*args, **kwargs):
        raise AssertionError("parsed again, though the memo has it")

    monkeypatch.setattr(loader, "_parsed", again)
    with loader.remembered(tmp_path):
        kept = load_yaml_text(text, "content/data/y.yaml")
        assert kept.path == "content/data/y.yaml"  # the file's own name, whatever the text
        assert (kept.data, kept.positions, kept.decimals) == (
            first.data,
            first.positions,
            first.decimals,
        )
        assert kept.decimals[(0, "value")] == 1  # 7.0: one place
        assert kept.position((1, "value")) == (5, 3)  # where `value` starts on line 5
        kept.data[0]["value"] = None  # the build changes what it loaded (validate frees it)
        assert load_yaml_text(text, "x").data[0]["value"] == 7.0


def test_a_file_json_cannot_give_back_is_parsed_each_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    text = "- id: a\n  value: .nan\n"  # not a number: never equal to itself, so never kept
    with loader.remembered(tmp_path) as memo:
        assert load_yaml_text(text, "x.yaml").data[0]["value"] != 0
    memo.save()
    calls: list[str] = []
    parsed = loader._parsed
    monkeypatch.setattr(loader, "_parsed", lambda t, p: calls.append(p) or parsed(t, p))
    with loader.remembered(tmp_path):
        assert math.isnan(load_yaml_text(text, "x.yaml").data[0]["value"])
    assert calls == ["x.yaml"]
