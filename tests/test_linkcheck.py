"""The link check sees every URL a page loads: links, assets, chart data and the plotly bundle."""

from pathlib import Path

import pytest

from tiangong_site.linkcheck import check_links, listing_of, page_links


def site(tmp_path: Path, body: str) -> Path:
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "app.js").write_text("")
    (tmp_path / "charts" / "a").mkdir(parents=True)
    (tmp_path / "charts" / "a" / "figure.json").write_text("{}")
    (tmp_path / "index.html").write_text(f'<html><body id="top">\n{body}\n</body></html>')
    return tmp_path


@pytest.mark.parametrize(
    "attribute",
    [
        'href="/base/nope/"',
        'src="/base/assets/missing.js"',
        'data-figure="/base/charts/b/figure.json"',
        'data-plotly="/base/assets/plotly.js"',
    ],
)
def test_a_missing_target_in_any_loading_attribute_is_reported(tmp_path: Path, attribute: str):
    problems = check_links(site(tmp_path, f"<div {attribute}></div>"), "/base/")
    assert len(problems) == 1
    assert problems[0].path == "index.html" and problems[0].line == 2
    assert attribute.split('"')[1] in problems[0].message


def test_existing_targets_and_anchors_pass(tmp_path: Path):
    body = (
        '<a href="/base/#top">up</a>'
        '<script src="assets/app.js" data-plotly="/base/assets/app.js"></script>'
        '<div data-figure="charts/a/figure.json"></div>'
    )
    assert check_links(site(tmp_path, body), "/base/") == []


def test_a_missing_anchor_and_a_link_outside_the_base_path_are_reported(tmp_path: Path):
    problems = check_links(
        site(tmp_path, '<a href="#nowhere">x</a> <a href="/other/">y</a>'), "/base/"
    )
    assert [p.message.split(":")[0] for p in problems] == ["missing anchor", "broken link"]


def test_a_broken_link_on_a_long_page_is_located_by_line_and_column(tmp_path: Path):
    # 3,000 sound links, then the broken one: index.html's body starts on line 2.
    good = ['<li><a href="/base/#top">up</a></li>'] * 3000
    body = "\n".join([*good, '  <img alt="" src="/base/assets/nope.png">', *good])
    problems = check_links(site(tmp_path, body), "/base/")
    assert [(p.path, p.line, p.column) for p in problems] == [("index.html", 3002, 15)]
    assert "assets/nope.png" in problems[0].message


def test_each_missing_anchor_on_a_long_page_gets_its_own_line_and_column(tmp_path: Path):
    filler = ["<p>text</p>"] * 2000
    body = "\n".join(['<a href="#gone">a</a>', *filler, 'x <a href="#also-gone">b</a>', *filler])
    problems = check_links(site(tmp_path, body), "/base/")
    assert [(p.line, p.column) for p in problems] == [(2, 4), (2003, 6)]
    assert all(p.message.startswith("missing anchor") for p in problems)


def test_a_page_known_by_its_links_is_checked_and_located_as_its_text_is(tmp_path: Path):
    # A build's workers write each page and send back only its links and ids: the check
    # finds the same problems, at the same places, as from the page's text.
    good = ['<li><a href="/base/#top">up</a></li>'] * 50
    body = "\n".join([*good, '<a href="#gone">x</a> <img src="/base/nope.png">', *good])
    out = site(tmp_path, body)
    text = (out / "index.html").read_text()
    from_text = check_links(out, "/base/", {"index.html": text})
    from_links = check_links(out, "/base/", {"index.html": page_links(text)})
    assert [(p.line, p.column, p.message) for p in from_links] == [
        (52, 4, "missing anchor: #gone (no id 'gone' on that page)"),
        (52, 28, "broken link: /base/nope.png (no file at nope.png)"),
    ]
    assert from_links == from_text


def test_links_and_ids_are_the_attributes_after_whitespace_and_nothing_else():
    """What the check reads, as the plain patterns say it; the check's own are written to
    search faster, and must find the same values at the same places in any text."""
    import random
    import re

    from tiangong_site import linkcheck

    names = "href|src|data-figure|data-plotly|data-locale"
    plain_link = re.compile(rf'\s(?:{names})="([^"]*)"')
    plain_id = re.compile(r'\sid="([^"]*)"')
    pieces = ['="', '"', " ", "\n", "\t", "href", "src", "id", "data-locale", "x", "=", "-"]
    pieces += ["\u3000", "data-", "i", "d", "h"]
    generate = random.Random(10)
    texts = ['<a href="/a/" id="b"><img src="c.png"></a>', 'xhref="no" title="s href="yes"']
    texts += ["".join(generate.choices(pieces, k=generate.randint(0, 12))) for _ in range(20000)]
    for text in texts:
        assert linkcheck.LINK.findall(text) == plain_link.findall(text), text
        assert linkcheck.ID.findall(text) == plain_id.findall(text), text
        starts = [m.start() + 1 for m in plain_link.finditer(text)]
        assert linkcheck._offsets(text) == starts, text
        assert page_links(text).links == tuple(plain_link.findall(text))


def test_a_fragment_link_resolves_as_urlsplit_reads_it_on_every_page(tmp_path: Path):
    pages = {
        "index.html": '<a href="#a:b">x</a><a href="#a&amp;b">y</a><p id="a:b"></p>',
        "p/index.html": '<a href="#a&amp;b">y</a><a href="/b/#top">z</a><p id="a&amp;b"></p>',
    }
    problems = check_links(tmp_path, "/b/", pages, listing=listing_of(set(pages)))
    assert [(p.path, p.message) for p in problems] == [
        ("index.html", "missing anchor: #a&amp;b (no id 'a&b' on that page)"),
        ("p/index.html", "missing anchor: /b/#top (no id 'top' on that page)"),
    ]
