"""Every page of the build, in headless Chromium at 360x740: loads cleanly, fits the screen,
passes axe-core, has one h1, a language, a working skip link, a strict script CSP and
safe external links."""

from __future__ import annotations

import re
import urllib.error
import urllib.request

import pytest

pytestmark = pytest.mark.browser


def _lines(items: list[str]) -> str:
    return "\n  " + "\n  ".join(items)


def test_server_serves_the_build_only_under_the_prefix(site):
    with urllib.request.urlopen(site.base_url) as r:
        assert r.status == 200
    for path in ("/", "/index.html", "/sitemap.xml"):
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(f"http://127.0.0.1:{site.server.port}{path}")
        assert err.value.code == 404, path
    assert site.pages, "the build has no pages"


def test_page_loads_without_errors(visitor, page_info, scheme):
    """HTTP 200, no console errors (CSP violations show up as console errors), no uncaught
    exceptions, no failed requests, no 4xx/5xx responses, while every chart is drawn."""
    v = visitor.visit(page_info.path, scheme)
    assert v.status == 200, f"{v.url} answered HTTP {v.status}"
    problems = v.errors()
    if problems:
        pytest.fail(f"{v.url} ({scheme}):" + _lines(problems), pytrace=False)


def test_no_horizontal_scroll_at_360px(visitor, page_info, scheme):
    v = visitor.visit(page_info.path, scheme)
    for when, o in (("at load", v.overflow_at_load), ("after the charts were drawn", v.overflow)):
        assert o["scrollWidth"] <= o["clientWidth"], (
            f"{v.url} ({scheme}) scrolls sideways at 360 px {when}: "
            f"scrollWidth {o['scrollWidth']} > clientWidth {o['clientWidth']}. "
            "Elements sticking out:"
            + _lines(o["offenders"] or ["(none found outside scroll containers)"])
        )


def _axe_report(violations: list[dict]) -> str:
    out = []
    for x in violations:
        out.append(f"[{x['impact']}] {x['id']}: {x['help']} ({x['helpUrl']})")
        for n in x["nodes"][:10]:
            out.append(f"    {n['target']}  {n['html']}")
            summary = " ".join((n["summary"] or "").split())
            if summary:
                out.append(f"      {summary[:300]}")
        if len(x["nodes"]) > 10:
            out.append(f"    ... and {len(x['nodes']) - 10} more")
    return _lines(out)


def test_axe_finds_no_violations(visitor, page_info, scheme):
    """axe-core (wcag2a, wcag2aa, wcag21a, wcag21aa, best-practice) after every chart is drawn."""
    v = visitor.visit(page_info.path, scheme)
    assert v.axe_error is None, f"axe-core did not run on {v.url}: {v.axe_error}"
    if v.axe:
        pytest.fail(
            f"{v.url} ({scheme} mode) has {len(v.axe)} axe violation(s):" + _axe_report(v.axe),
            pytrace=False,
        )


def test_one_h1_and_a_language(visitor, page_info):
    facts = visitor.visit(page_info.path).facts
    assert len(facts["h1"]) == 1, (
        f"{page_info.test_id} has {len(facts['h1'])} h1 elements: {facts['h1']}"
    )
    lang = facts["lang"] or ""
    assert re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*", lang), (
        f"{page_info.test_id}: <html lang={lang!r}> is not a language tag"
    )


def test_skip_link_moves_focus_to_main(visitor, page_info):
    """The first Tab stop is either inside <main> (nothing to skip) or a visible link to
    <main>; activating it puts focus in <main>, or makes the next Tab land there (or after)."""
    v = visitor.visit(page_info.path)
    focus = v.focus
    first = focus["first"]
    assert not first.get("none"), f"{v.url}: pressing Tab focuses nothing"
    assert first.get("main_id") is not None, f"{v.url} has no <main>"
    if first["in_main"]:
        return  # nothing before main to skip
    main_id = first["main_id"]
    assert main_id, (
        f"{v.url}: <main> has no id, so no skip link can target it "
        f"(first Tab stop: {first['html']})"
    )
    assert first["tag"] == "a" and first["href"] == f"#{main_id}", (
        f"{v.url}: the first Tab stop is {first['html']}, not a skip link to #{main_id}"
    )
    assert first["visible"], f"{v.url}: the skip link {first['html']} is not visible when focused"
    after, nxt = focus["after_enter"], focus["next_tab"]
    assert focus["hash"] == f"#{main_id}", (
        f"{v.url}: activating the skip link did not go to #{main_id} (hash {focus['hash']!r})"
    )
    moved = (
        after.get("is_main")
        or after.get("in_main")
        or (not nxt.get("none") and nxt.get("at_or_after_main"))
    )
    assert moved, (
        f"{v.url}: after activating the skip link focus is on {after.get('html', 'nothing')}, "
        f"and the next Tab goes to {nxt.get('html', 'nothing')}, which is before <main>"
    )


def _directives(policy: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for part in policy.split(";"):
        tokens = part.split()
        if tokens:
            out.setdefault(tokens[0].lower(), [t.lower() for t in tokens[1:]])
    return out


def test_csp_allows_no_inline_or_eval_scripts(visitor, page_info):
    facts = visitor.visit(page_info.path).facts
    assert facts["csp"], f"{page_info.test_id} has no Content-Security-Policy meta element"
    for policy in facts["csp"]:
        d = _directives(policy)
        script_src = d.get("script-src", d.get("default-src"))
        assert script_src is not None, (
            f"{page_info.test_id}: the CSP restricts no scripts: {policy}"
        )
        bad = [
            t
            for t in script_src
            if t
            in (
                "'unsafe-inline'",
                "'unsafe-eval'",
                "'unsafe-hashes'",
                "*",
                "data:",
                "http:",
                "https:",
            )
        ]
        assert not bad, f"{page_info.test_id}: script-src allows {bad}: {policy}"
    assert facts["inline_scripts"] == 0, (
        f"{page_info.test_id} has {facts['inline_scripts']} inline executable <script> element(s), "
        "which its CSP blocks"
    )


def test_external_links_have_noopener(visitor, page_info):
    facts = visitor.visit(page_info.path).facts
    bad = [
        f"{a['href']} ({a['text']!r}) rel={' '.join(a['rel']) or '(none)'}"
        for a in facts["externals"]
        if "noopener" not in a["rel"]
    ]
    assert not bad, f"{page_info.test_id}: external links without rel=noopener:" + _lines(bad)
