"""The default theme in the package, and a project's templates overriding it by name."""

from __future__ import annotations

from pathlib import Path

from conftest import dedent, write_content
from tiangong_site.render import THEME_TEMPLATES

STORY_TEMPLATES = {
    "region.html": '{% extends "base.html" %}{% block main %}{{ page.record.name }}{% endblock %}',
    "cluster.html": '{% extends "base.html" %}{% block main %}{{ page.record.name }}{% endblock %}',
}
"""The made-up content has places: their pages are the story's own, so the project's."""


def _project(tmp_path: Path, templates: dict[str, str] | None = None) -> Path:
    """A made-up project with no static/ folder and only the given templates (and the
    story's own)."""
    root = tmp_path / "project"
    write_content(root)
    for name, body in (STORY_TEMPLATES | (templates or {})).items():
        path = root / "templates" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body, encoding="utf-8")
    return root


def _page(root: Path, path: str = "index.html") -> str:
    return (root / "_site" / path).read_text(encoding="utf-8")


def test_a_project_without_static_builds_with_the_theme(run_cli, tmp_path):
    root = _project(tmp_path)
    assert not (root / "static").exists()
    result = run_cli("build", "--project", root)
    assert result.code == 0, result.err
    home = _page(root)
    assert '<header class="masthead">' in home  # the theme's base.html
    assert "--accent: #1f5f99" in home  # the theme's stylesheet, inlined
    sources = _page(root, "sources/index.html")
    assert 'id="src-src-a"' in sources  # the theme's sources.html lists every source
    assert list((root / "_site" / "assets").glob("charts.*.js"))  # the theme's script


def test_a_project_template_replaces_the_theme_template_of_that_name(run_cli, tmp_path):
    page = '{% extends "base.html" %}{% block main %}<p>own page {{ page.title }}</p>{% endblock %}'
    root = _project(tmp_path, {"page.html": page})
    assert run_cli("build", "--project", root).code == 0
    data = _page(root, "data/index.html")  # data.html (theme) extends page.html (project)
    assert "<p>own page Data</p>" in data
    assert '<header class="masthead">' in data  # base.html is still the theme's


def test_theme_prefix_names_the_theme_copy_even_when_the_project_overrides_it(run_cli, tmp_path):
    base = (
        '{% extends "theme/base.html" %}'
        "{% block footer %}<p>Our own footer</p>{{ super() }}{% endblock %}"
    )
    root = _project(tmp_path, {"base.html": base})
    assert run_cli("build", "--project", root).code == 0
    home = _page(root)
    assert "<p>Our own footer</p><p>Test publisher</p>" in home
    assert '<header class="masthead">' in home


def test_theme_has_every_template_the_engine_renders():
    engine_renders = ["base.html", "page.html", "story.html", "data.html", "sources.html"]
    engine_renders += ["404.html", "chart.html", "chart-embed.html", "language-root.html"]
    engine_renders += ["partials/chart.html", "partials/cite.html", "partials/fig.html"]
    engine_renders += ["partials/callout.html", "partials/status-mark.html"]
    missing = [name for name in engine_renders if not (THEME_TEMPLATES / name).is_file()]
    assert missing == []


def test_theme_templates_name_no_story():
    words = ("shaoxing", "tiangong", "zhejiang", "region", "metric", "cluster", "award")
    for path in THEME_TEMPLATES.rglob("*.html"):
        # an ARIA landmark's role is HTML's word, not the story's
        body = path.read_text(encoding="utf-8").lower().replace('role="region"', "")
        assert not [w for w in words if w in body], path


BARE = {
    "site.yaml": """
        title: "Bare"
        description: "A project with a site file and one page."
        base_url: "https://example.org/"
        languages: [en]
        authors: [{name: "Desk"}]
        publisher: "Bare publisher"
        published: "2025-01-01"
        """,
    "pages/index.md": """
        ---
        title: "Home"
        description: "The only page."
        ---
        Nothing but words.
        """,
}


def test_a_project_with_no_story_data_templates_or_static_builds(run_cli, tmp_path):
    root = tmp_path / "bare"
    for rel, body in BARE.items():
        path = root / "content" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dedent(body), encoding="utf-8")
    result = run_cli("build", "--project", root)
    assert result.code == 0, result.err
    site = root / "_site"
    assert "Nothing but words." in (site / "index.html").read_text(encoding="utf-8")
    made = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
    assert made == ["404.html", "index.html"]  # no places, clusters or chart pages
    assert not (site / "data").exists()  # no downloads of datasets it does not have
