"""Hostile and mis-encoded input: every limit and every encoding problem is one located line.

Each end-to-end test breaks one file of a published copy of the project and checks what the
editor sees (exit 1, `path:line:col: message (hint)` at the line that is wrong, no traceback)
and what readers keep (the previous `_site/`, byte for byte). The inputs that used to take
minutes run in a separate process with a generous hang guard; their time budget is in
bench/hostile_bench.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import REPO, run_build_py, theme_override
from test_bad_input import Published
from tiangong_site import i18n, markdown
from tiangong_site.errors import ContentError
from tiangong_site.limits import (
    MAX_DEPTH,
    MAX_ITEMS,
    MAX_KEYS,
    MAX_PAGE_BYTES,
    MAX_PAGE_LINES,
    MAX_PROBLEMS_SHOWN,
    decode,
)
from tiangong_site.loader import load_yaml_text

REGION = "- id: test-hostile\n  name: Hostile\n  kind: city\n"


@pytest.fixture
def published(built_project: Path, run_cli) -> Published:
    return Published(built_project, run_cli)


def _append_raw(published: Published, rel: str, text: str) -> int:
    """Append `text` to content/REL; returns the line number its first line lands on."""
    path = published.root / "content" / rel
    before = path.read_text(encoding="utf-8").rstrip("\n") + "\n"
    path.write_text(before + text, encoding="utf-8")
    return before.count("\n") + 1


def _append_to_page(published: Published, text: str) -> int:
    """Append Markdown to the story page; returns the line its first line lands on."""
    return _append_raw(published, "pages/index.md", "\n" + text) + 1


# --- size, nesting and count limits ---------------------------------------------------------


def test_page_over_the_size_limit_is_refused_at_line_1(published: Published):
    page = published.root / "content" / "pages" / "index.md"
    page.write_bytes(page.read_bytes() + b"Padding prose.\n\n" * (MAX_PAGE_BYTES // 16 + 1))
    problem = published.assert_refused(published.build(), "content/pages/index.md", 1, "over the")
    assert f"{MAX_PAGE_BYTES:,}-byte limit" in problem["message"]


def test_page_over_the_line_limit_is_refused_at_the_first_line_past_it(published: Published):
    _append_to_page(published, "word\n" * MAX_PAGE_LINES)
    published.assert_refused(
        published.build(), "content/pages/index.md", MAX_PAGE_LINES + 1, "line limit"
    )


def test_front_matter_with_too_many_keys_is_refused_at_the_first_key_past_the_limit(
    published: Published,
):
    page = published.root / "content" / "pages" / "index.md"
    keys = [
        f"k{i}: 1" for i in range(MAX_KEYS + 5)
    ]  # on one line: the page's line limit is not hit
    page.write_text("---\n{" + ", ".join(keys) + "}\n---\nBody.\n", encoding="utf-8")
    problem = published.assert_refused(
        published.build(), "content/pages/index.md", 2, "keys in one mapping"
    )
    assert int(problem["col"]) == len("{" + ", ".join(keys[:MAX_KEYS]) + ", ") + 1


def test_yaml_nested_900_deep_is_refused_at_the_first_bracket_past_the_limit(published: Published):
    line = _append_raw(
        published, "data/regions.yaml", REGION + "  summary: " + "[" * 900 + "]" * 900 + "\n"
    )
    problem = published.assert_refused(
        published.build(), "content/data/regions.yaml", line + 3, "nested more than"
    )
    # the record (level 1) and its mapping (2) hold the brackets: the one opening level 33 is
    # refused
    assert int(problem["col"]) == len("  summary: ") + MAX_DEPTH - 2 + 1


def test_yaml_list_with_too_many_items_is_refused_at_the_first_item_past_the_limit(
    published: Published,
):
    line = _append_raw(
        published,
        "data/regions.yaml",
        REGION + "  sources: [" + ",".join("x" * (MAX_ITEMS + 1)) + "]\n",
    )
    problem = published.assert_refused(
        published.build(), "content/data/regions.yaml", line + 3, "items in one list"
    )
    assert int(problem["col"]) == len("  sources: [") + 2 * MAX_ITEMS + 1


def test_markdown_quotes_nested_900_deep_are_refused_at_their_line(published: Published):
    line = _append_to_page(published, "> " * 900 + "deep\n")
    published.assert_refused(
        published.build(), "content/pages/index.md", line, "nested 900 levels deep"
    )


def test_markdown_lists_nested_900_deep_are_refused_at_the_first_line_past_the_limit(
    published: Published,
):
    line = _append_to_page(published, "".join("\t" * i + "- item\n" for i in range(900)))
    published.assert_refused(
        published.build(), "content/pages/index.md", line + MAX_DEPTH, f"limit of {MAX_DEPTH}"
    )


def test_markdown_brackets_that_never_close_are_refused_at_the_first(published: Published):
    line = _append_to_page(
        published, "Fine [link](https://example.org/).\n\n" + "[" * 100_000 + "\n"
    )
    published.assert_refused(published.build(), "content/pages/index.md", line + 2, "`[` brackets")


def test_markdown_paragraph_dense_with_inline_markup_is_refused_at_its_first_line(
    published: Published,
):
    line = _append_to_page(published, "A normal paragraph.\n\n" + "*a* " * 20_000 + "\n")
    published.assert_refused(published.build(), "content/pages/index.md", line + 2, "inline markup")


def test_recursion_in_the_markdown_library_is_reported_at_the_page(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(markdown, "check_structure", lambda *args: [])  # as if a case slipped past
    rendered, problems = markdown.render_markdown(
        "*" * 10_000 + "x" + "*" * 10_000,
        path="content/pages/p.md",
        first_line=7,
        allow_html=False,
        place=lambda k, i: "",
    )
    assert [(p.path, p.line) for p in problems] == [("content/pages/p.md", 7)]
    assert "nested too deeply" in problems[0].message and rendered.html == ""


def test_markdown_under_the_limits_still_converts():
    body = (
        "".join("\t" * i + "- item\n" for i in range(MAX_DEPTH - 1))
        + "\n"
        + "> " * 20
        + "quote [a](b) *c*\n"
    )
    rendered, problems = markdown.render_markdown(
        body, path="p.md", first_line=1, allow_html=False, place=lambda k, i: ""
    )
    assert problems == []
    assert (
        rendered.html.count("<ul>") == MAX_DEPTH - 1 and rendered.html.count("<blockquote>") == 20
    )


# --- work grows with the input, and the list of problems is capped --------------------------


@pytest.mark.slow
def test_sixty_thousand_unknown_fields_are_reported_quickly_and_the_list_is_capped(
    published: Published,
):
    extra = "".join(f"  wrong{j}: 1\n" for j in range(10))
    first = _append_raw(
        published,
        "data/regions.yaml",
        "".join(f"- id: h{i}\n  name: H\n  kind: city\n{extra}" for i in range(6_000)),
    )
    run = run_build_py("build", "--project", published.root)  # hang guard: the helper's timeout
    assert run.code == 1 and "Traceback" not in run.err
    problems = run.problems()
    assert len(problems) == MAX_PROBLEMS_SHOWN
    assert (problems[0]["path"], int(problems[0]["line"])) == (
        "content/data/regions.yaml",
        first + 3,
    )
    assert f"... and {6_000 * 10 - MAX_PROBLEMS_SHOWN:,} more" in run.err


def test_ten_thousand_wrong_typed_ids_are_each_reported_at_their_column(published: Published):
    line = _append_raw(
        published, "data/regions.yaml", REGION + "  sources: [" + ",".join("1" * 10_000) + "]\n"
    )
    run = run_build_py("build", "--project", published.root)
    assert run.code == 1 and "Traceback" not in run.err
    columns = [int(p["col"]) for p in run.problems() if int(p["line"]) == line + 3]
    start = len("  sources: [") + 1
    assert columns == [start + 2 * i for i in range(MAX_PROBLEMS_SHOWN)]
    assert f"... and {10_000 - MAX_PROBLEMS_SHOWN:,} more" in run.err


# --- encodings ---------------------------------------------------------------------------


def test_utf16_page_is_refused_naming_the_encoding(published: Published):
    page = published.root / "content" / "pages" / "index.md"
    page.write_bytes(page.read_text(encoding="utf-8").encode("utf-16"))
    published.assert_refused(published.build(), "content/pages/index.md", 1, "UTF-16")


def test_utf16_data_file_without_a_byte_order_mark_is_refused_naming_the_encoding(
    published: Published,
):
    path = published.root / "content" / "data" / "regions.yaml"
    path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16-le"))
    published.assert_refused(published.build(), "content/data/regions.yaml", 1, "UTF-16")


def test_latin1_page_is_refused_at_the_line_and_column_of_the_bad_byte(published: Published):
    line = _append_to_page(published, "Plain line.\n")
    page = published.root / "content" / "pages" / "index.md"
    page.write_bytes(page.read_bytes() + "Trade café\n".encode("latin-1"))
    problem = published.assert_refused(
        published.build(), "content/pages/index.md", line + 1, "byte 0xe9 is not UTF-8"
    )
    assert int(problem["col"]) == len("Trade caf") + 1


def test_invalid_utf8_column_counts_characters_not_bytes():
    with pytest.raises(ContentError) as caught:
        decode("a: 绍兴\nb: 绍兴".encode() + b"\xff\n", "x.yaml")
    (problem,) = caught.value.problems
    assert (problem.line, problem.column) == (2, len("b: 绍兴") + 1)


def test_latin1_template_is_refused_at_its_line_and_column(published: Published):
    template = published.root / "templates" / "page.html"
    lines = template.read_bytes().split(b"\n")
    lines.insert(2, "{# café #}".encode("latin-1"))
    template.write_bytes(b"\n".join(lines))
    problem = published.assert_refused(published.build(), "templates/page.html", 3, "not UTF-8")
    assert int(problem["col"]) == len("{# caf") + 1


def test_template_with_a_nul_byte_is_refused_at_its_line(published: Published):
    template = theme_override(published.root, "templates/story.html")
    template.write_bytes(b"{# one #}\n{# t\x00wo #}\n" + template.read_bytes())
    problem = published.assert_refused(published.build(), "templates/story.html", 2, "NUL")
    assert int(problem["col"]) == len("{# t") + 1


def test_latin1_catalogue_is_refused_at_its_line(published: Published):
    catalogue = published.root / "locales" / "zh" / "LC_MESSAGES" / "messages.po"
    data = catalogue.read_bytes()
    catalogue.write_bytes(data + "\n# café\n".encode("latin-1"))
    published.assert_refused(
        published.build(), "locales/zh/LC_MESSAGES/messages.po", data.count(b"\n") + 2, "not UTF-8"
    )


def _catalogue_at(root: Path, data: bytes) -> None:
    path = root / "locales" / "zh" / "LC_MESSAGES" / "messages.po"
    path.parent.mkdir(parents=True)
    path.write_bytes(data)


def test_catalogue_with_a_byte_order_mark_keeps_its_header(tmp_path: Path, capsys):
    # Its header holds the plural rule; a byte-order mark glued to `msgid ""` hid it, and the
    # Chinese pages printed the English "Sources:" while Babel printed unlocated warnings.
    text = (REPO / "locales" / "zh" / "LC_MESSAGES" / "messages.po").read_text(encoding="utf-8")
    header_first = text[text.index('msgid ""') :].encode("utf-8")
    _catalogue_at(tmp_path / "plain", header_first)
    _catalogue_at(tmp_path / "bom", b"\xef\xbb\xbf" + header_first)
    english = ("Source: %(sources)s", "Sources: %(sources)s")
    expected = i18n.translations(tmp_path / "plain", "zh").ngettext(*english, 2)
    assert expected not in english
    assert i18n.translations(tmp_path / "bom", "zh").ngettext(*english, 2) == expected
    assert "WARNING" not in capsys.readouterr().out


def test_catalogue_line_gettext_cannot_read_is_refused_at_its_line(published: Published):
    catalogue = published.root / "locales" / "zh" / "LC_MESSAGES" / "messages.po"
    data = catalogue.read_bytes()
    catalogue.write_bytes(data + b'\nmsgid "Stray"\nmsgtxt "a misspelt keyword"\n')
    line = data.count(b"\n") + 3
    published.assert_refused(published.build(), "locales/zh/LC_MESSAGES/messages.po", line)


def test_catalogue_over_its_size_limit_is_refused(
    published: Published, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(i18n, "MAX_CATALOGUE_BYTES", 1000)
    i18n._catalogue.cache_clear()
    published.assert_refused(
        published.build(), "locales/zh/LC_MESSAGES/messages.po", 1, "1,000-byte limit"
    )


def test_nul_byte_in_yaml_is_refused_at_its_line_and_column(published: Published):
    line = _append_raw(
        published, "data/regions.yaml", "- id: test-nul\n  name: N\x00ul\n  kind: city\n"
    )
    problem = published.assert_refused(
        published.build(), "content/data/regions.yaml", line + 1, "NUL"
    )
    assert int(problem["col"]) == len("  name: N") + 1


def test_nul_byte_in_markdown_is_refused_at_its_line(published: Published):
    line = _append_to_page(published, "One line.\nAnother\x00 line.\n")
    published.assert_refused(published.build(), "content/pages/index.md", line + 1, "NUL")


def test_control_character_in_yaml_is_refused_at_its_line_and_column():
    with pytest.raises(ContentError) as caught:
        load_yaml_text("a: 1\nb: x\x07y\n", "x.yaml")
    (problem,) = caught.value.problems
    assert (problem.line, problem.column) == (2, 5) and "U+0007" in problem.message


def test_page_with_a_byte_order_mark_keeps_its_front_matter(project: Path, run_cli, tmp_path: Path):
    page = project / "content" / "pages" / "index.md"
    lines = page.read_text(encoding="utf-8").split("\n")
    assert lines[1].startswith("title:")
    title = "A title read after a byte-order mark"
    lines[1] = f'title: "{title}"'
    page.write_bytes(b"\xef\xbb\xbf" + "\n".join(lines).encode())
    out = tmp_path / "out"
    run = run_cli("build", "--project", project, "--output", out)
    assert run.code == 0, run.err
    assert f"<title>{title}" in (out / "en" / "index.html").read_text(encoding="utf-8")


def test_yaml_file_with_a_byte_order_mark_is_read():
    assert decode(b"\xef\xbb\xbfa: 1\n", "x.yaml") == "a: 1\n"
    assert load_yaml_text(decode(b"\xef\xbb\xbfa: 1\n", "x.yaml"), "x.yaml").data == {"a": 1}
