"""Markdown pages: where charts and figures are placed, what is reported, and what raw HTML
can do."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from tiangong_site.markdown import render_markdown

PATH = "content/pages/story.md"


def place(kind: str, ident: str) -> str | None:
    """Known ids start with 'known'; what is placed says what it stands for."""
    if not ident.startswith("known"):
        return None
    if kind == "fig":
        return f'<span class="placed-fig">{ident}</span>'
    return f'<figure class="placed-{kind}">{ident}</figure>'


FILES = {"fig": "content/data/figures.yaml", "src": "content/data/sources.yaml"}
"""Where the build says the quoted and cited records are (pages._markdown_files)."""


def render(body: str, *, first_line: int = 1, allow_html: bool = False):
    return render_markdown(
        body, path=PATH, first_line=first_line, allow_html=allow_html, place=place, files=FILES
    )


class Tags(HTMLParser):
    """Every start tag with its attributes, and whether open and close tags balance."""

    VOID = {"br", "hr", "img", "input", "meta", "link", "wbr", "source"}

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.starts: list[tuple[str, dict[str, str | None]]] = []
        self.stack: list[str] = []
        self.unbalanced: list[str] = []
        self.feed(html)
        self.close()
        self.unbalanced += [f"unclosed <{t}>" for t in self.stack]

    def handle_starttag(self, tag, attrs):
        self.starts.append((tag, dict(attrs)))
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if self.stack and self.stack[-1] == tag:
            self.stack.pop()
        else:
            self.unbalanced.append(f"</{tag}> without <{tag}>")

    def names(self) -> list[str]:
        return [tag for tag, _ in self.starts]

    def attributes(self) -> list[tuple[str, str, str | None]]:
        return [(tag, name, value) for tag, attrs in self.starts for name, value in attrs.items()]


# --- placing charts and figures --------------------------------------------------------------


def test_chart_block_is_placed_where_it_stands_between_paragraphs():
    rendered, problems = render("Before.\n\n::: chart known-tiers\n\nAfter.\n")
    assert problems == []
    html = rendered.html
    assert (
        html.index("Before.")
        < html.index('<figure class="placed-chart">known-tiers</figure>')
        < html.index("After.")
    )
    assert "<p><figure" not in html and "TGBLOCK" not in html
    assert rendered.charts == ["known-tiers"]


def test_callout_block_and_inline_figure_are_placed():
    rendered, problems = render(
        "Growth was {fig:known-growth} in 2023.\n\n::: callout known-growth\n"
    )
    assert problems == []
    assert (
        '<p>Growth was <span class="placed-fig">known-growth</span> in 2023.</p>' in rendered.html
    )
    assert '<figure class="placed-callout">known-growth</figure>' in rendered.html
    assert rendered.figures == ["known-growth", "known-growth"]


@pytest.mark.parametrize(
    "body",
    [
        "{fig:known-a} was the growth.\n",
        "The growth was {fig:known-a}\n",
        "{fig:known-a}\n",
        "First {fig:known-a} and second {fig:known-b}.\n\n"
        "::: chart known-c\n\n{fig:known-d} again.\n",
    ],
)
def test_placing_figures_keeps_paragraphs_well_formed(body: str):
    rendered, problems = render(body)
    assert problems == []
    assert Tags(rendered.html).unbalanced == []
    assert "TGBLOCK" not in rendered.html


def test_block_marker_inside_a_sentence_is_not_a_block():
    rendered, problems = render("See ::: chart known-x for more.\n")
    assert rendered.charts == []
    assert "placed-chart" not in rendered.html


def test_unknown_chart_is_reported_at_its_line_of_the_file():
    body = "Intro.\n\nMore.\n\n::: chart no-such-chart\n"
    rendered, problems = render(body, first_line=8)
    (problem,) = problems
    assert (problem.path, problem.line, problem.column) == (PATH, 8 + 4, 1)
    assert problem.message == "chart 'no-such-chart' is not defined"
    assert "charts.yaml" in problem.hint


def test_unknown_inline_figure_is_reported_at_its_line_with_the_figures_file_in_the_hint():
    body = "One.\n\nTwo {fig:no-such-figure} three.\n"
    _, problems = render(body, first_line=5)
    (problem,) = problems
    assert problem.line == 5 + 2
    assert problem.message == "figure 'no-such-figure' is not defined"
    assert "figures.yaml" in problem.hint


def test_each_use_of_an_unknown_id_is_reported_at_its_own_line():
    body = "::: chart missing\n\nText.\n\n::: chart missing\n\nAnd {fig:missing} here.\n"
    _, problems = render(body, first_line=1)
    assert sorted((p.line, p.message) for p in problems) == [
        (1, "chart 'missing' is not defined"),
        (5, "chart 'missing' is not defined"),
        (7, "figure 'missing' is not defined"),
    ]


def test_misspelt_block_is_reported_at_its_line():
    body = "Text.\n\n::: chrat known-x\n"
    _, problems = render(body, first_line=10)
    (problem,) = problems
    assert problem.line == 12
    assert "::: chrat known-x" in problem.message
    assert "::: chart CHART-ID" in problem.hint


def test_headings_are_collected_with_their_anchors():
    rendered, _ = render("## Why Shaoxing\n\nText.\n\n### The numbers\n")
    assert rendered.headings == [("why-shaoxing", "Why Shaoxing"), ("the-numbers", "The numbers")]
    assert '<h2 id="why-shaoxing">' in rendered.html


# --- raw HTML ------------------------------------------------------------------------------

HOSTILE = (
    "Hello.\n\n"
    "<script>alert(1)</script>\n\n"
    '<div onclick="steal()">Click</div>\n\n'
    '<a href="javascript:alert(2)">raw link</a>\n\n'
    '<img src="x.png" onerror="alert(3)" alt="x">\n\n'
    'Inline <b onmouseover="alert(4)">bold</b> text.\n'
)


def test_raw_html_is_shown_as_text_by_default():
    rendered, problems = render(HOSTILE)
    assert problems == []
    tags = Tags(rendered.html)
    assert set(tags.names()) <= {"p"}
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered.html
    assert "&lt;div onclick=" in rendered.html


def test_allowed_raw_html_is_kept_but_sanitised():
    rendered, _ = render(HOSTILE, allow_html=True)
    tags = Tags(rendered.html)
    assert "div" in tags.names() and "b" in tags.names() and "img" in tags.names()
    assert "script" not in tags.names()
    assert "alert(1)" not in rendered.html
    assert not [a for a in tags.attributes() if a[1].startswith("on")]
    assert not [
        a for a in tags.attributes() if (a[2] or "").strip().lower().startswith("javascript:")
    ]


@pytest.mark.parametrize("allow_html", [False, True])
@pytest.mark.parametrize(
    "link",
    [
        "[click](javascript:alert(1))",
        "[click](JavaScript:alert(1))",
        "<javascript:alert(1)>",
        "[click][ref]\n\n[ref]: javascript:alert(1)",
    ],
)
def test_markdown_links_cannot_carry_javascript(link: str, allow_html: bool):
    rendered, _ = render(f"Text {link} end.\n", allow_html=allow_html)
    hrefs = [
        value or ""
        for tag, name, value in Tags(rendered.html).attributes()
        if name in ("href", "src")
    ]
    assert not [h for h in hrefs if h.strip().lower().startswith("javascript:")]


@pytest.mark.parametrize("allow_html", [False, True])
def test_ordinary_markdown_survives_sanitising(allow_html: bool):
    body = (
        "Some *emphasis*, a [link](https://example.org/a) and a [local one](../data/).[^1]\n\n"
        "| City | Growth |\n|:-----|-------:|\n| Shaoxing | 10.8 |\n\n"
        "[^1]: A footnote.\n"
    )
    rendered, _ = render(body, allow_html=allow_html)
    tags = Tags(rendered.html)
    hrefs = [value for tag, name, value in tags.attributes() if tag == "a" and name == "href"]
    assert "https://example.org/a" in hrefs and "../data/" in hrefs
    assert any(h and h.startswith("#fn") for h in hrefs)
    assert {"em", "table", "th", "td"} <= set(tags.names())
    assert tags.unbalanced == []


@pytest.mark.parametrize("allow_html", [False, True])
def test_table_column_alignment_survives_sanitising(allow_html: bool):
    rendered, _ = render(
        "| City | Growth |\n|:-----|-------:|\n| Shaoxing | 10.8 |\n", allow_html=allow_html
    )
    cells = [
        (tag, attrs.get("style", ""))
        for tag, attrs in Tags(rendered.html).starts
        if tag in ("th", "td")
    ]
    assert [style.replace(" ", "").rstrip(";") for _, style in cells] == [
        "text-align:left",
        "text-align:right",
    ] * 2


def test_chart_html_placed_in_an_html_page_is_not_sanitised_away():
    rendered, _ = render("<div>Intro</div>\n\n::: chart known-c\n", allow_html=True)
    assert '<figure class="placed-chart">known-c</figure>' in rendered.html
