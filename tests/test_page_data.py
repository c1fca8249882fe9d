"""Templates get typed page data: each kind of view is a frozen dataclass, and each template
that shows one renders from it under StrictUndefined, so a field renamed on either side (in
the dataclass or in the template) fails here."""

from __future__ import annotations

import dataclasses
from typing import Any

import jinja2
import pytest

from conftest import REPO
from tiangong_site.charts import build_chart
from tiangong_site.content import Content, load_content
from tiangong_site.i18n import translations
from tiangong_site.pages.chart_pages import ChartView, chart_view
from tiangong_site.pages.listings import (
    ChartLink,
    DataListing,
    DatasetEntry,
    SourcesListing,
    _data_listing,
    _sources_listing,
)
from tiangong_site.pages.views import (
    Citations,
    FigureView,
    SourceView,
    StatusNotes,
    StatusView,
    _figure_subject,
    figure_view,
    status_view,
)
from tiangong_site.render import Urls, make_environment

URLS = Urls("https://example.org/feature/")
FIGURES = ("sx-iva-growth-2022h1", "fluorine-cluster-enterprises", "zj-iva-growth-2023h1")
"""A ranked figure, an undated one, one whose status needs a note."""


@pytest.fixture(scope="module")
def content() -> Content:
    return load_content(REPO / "content")


@pytest.fixture(scope="module", params=["en", "zh"])
def lang(request: pytest.FixtureRequest) -> str:
    return request.param


def _env(lang: str) -> jinja2.Environment:
    """The build's environment for the real project: its templates over the theme's."""
    return make_environment(REPO / "templates", URLS, lang, translations(REPO, lang))


def _block(env: jinja2.Environment, name: str, block: str, **context: Any) -> str:
    """One block of a page template, rendered alone (the page around it needs a whole site)."""
    template = env.get_template(name)
    return "".join(template.blocks[block](template.new_context(context)))


def _figures(content: Content, lang: str) -> list[FigureView]:
    """The figures as a page quotes them: cited, and marked when their status needs a note."""
    citations, notes = Citations(content, URLS, lang), StatusNotes()
    index, views = content.index("figures"), []
    for fid in FIGURES:
        view = figure_view(index[fid], content, lang)
        view = dataclasses.replace(view, cite=citations.cite(view.source))
        subject = _figure_subject(view, content, lang)
        note = notes.note(view.status, view.status_name, view.uncertain, subject)
        views.append(dataclasses.replace(view, status_note=note))
    return views


def test_each_view_is_a_frozen_dataclass_with_slots(content):
    fig = figure_view(content.index("figures")[FIGURES[0]], content, "en")
    views = [FigureView, SourceView, StatusView, ChartView, DataListing, SourcesListing]
    views += [DatasetEntry, ChartLink]
    for kind in views:
        assert dataclasses.is_dataclass(kind) and kind.__dataclass_params__.frozen, kind
        assert "__dict__" not in dir(kind) and kind.__slots__, kind
    assert isinstance(status_view(content.index("figures")[FIGURES[2]], "en"), StatusView)
    with pytest.raises(dataclasses.FrozenInstanceError):
        fig.value = "1"  # type: ignore[misc]


def test_callouts_and_quoted_figures_render_from_their_figure_views(content, lang):
    env = _env(lang)
    for view in _figures(content, lang):
        callout = env.get_template("partials/callout.html").render(fig=view)
        assert view.label_text in callout and view.value in callout
        inline = env.get_template("partials/fig.html").render(fig=view)
        assert f'<span class="fig">{view.value}</span>' in inline
        assert (view.status_note is None) == ("status-mark" not in inline)
    ranked, undated, _ = _figures(content, lang)
    assert ranked.rank_text and ranked.rank_text in env.get_template(
        "partials/callout.html"
    ).render(fig=ranked)
    assert undated.undated


def test_a_chart_renders_from_its_chart_view_in_a_page_on_its_own_and_embedded(content, lang):
    env = _env(lang)
    spec = content.datasets["charts"][0]
    view = chart_view(build_chart(content, spec, lang), content, URLS, lang, home="")
    citations = Citations(content, URLS, lang)
    placed = dataclasses.replace(view, cites=[citations.cite(s) for s in spec.sources])
    for shown in (view, placed, dataclasses.replace(view, embed=True)):
        html = env.get_template("partials/chart.html").render(chart=shown)
        assert view.csv_url in html and view.permalink in html and view.title in html
        assert all(s.print_url in html for s in view.sources)
        assert ('rel="noopener">' in html) == shown.embed
        assert ('class="cite"' in html) == (shown.cites is not None)


def test_the_citations_list_renders_from_source_views(content, lang):
    citations = Citations(content, URLS, lang)
    for view in _figures(content, lang):
        citations.cite(view.source)
    listed = citations.listing()
    assert [s.n for s in listed] == list(range(1, len(listed) + 1))
    html = _env(lang).get_template("partials/citations.html").render(citations=listed)
    assert all(f'href="{s.url}"' in html for s in listed)


def test_the_sources_and_data_pages_render_from_their_listings(content, lang):
    env = _env(lang)
    sources = _sources_listing(content, URLS, lang)
    html = _block(env, "sources.html", "listing", listing=sources)
    assert sum(s.records for s in sources.sources) > 0
    assert all(f'id="src-{s.id}"' in html for s in sources.sources)
    data = _data_listing(content, URLS, lang)
    for name in ("data.html", "theme/data.html"):  # the project's, and the theme's it overrides
        html = _block(env, name, "listing", listing=data)
        assert all(d.csv in html and d.json in html for d in data.datasets), name
        assert all(c.href in html for c in data.charts), name


def test_a_renamed_field_fails_the_template_that_reads_it(content):
    fig = _figures(content, "en")[0]
    renamed = dataclasses.make_dataclass(
        "Renamed",
        [
            ("label_words" if f.name == "label_text" else f.name, Any)
            for f in dataclasses.fields(fig)
        ],
        frozen=True,
        slots=True,
    )
    values = [getattr(fig, f.name) for f in dataclasses.fields(fig)]
    with pytest.raises(jinja2.UndefinedError, match="label_text"):
        _env("en").get_template("partials/callout.html").render(fig=renamed(*values))


def test_a_declared_column_of_a_view_reads_by_its_name(content):
    fig = figure_view(content.index("figures")[FIGURES[0]], content, "en")
    env = jinja2.Environment(undefined=jinja2.StrictUndefined)
    assert env.from_string("{{ fig.region }}").render(fig=fig) == fig.extra["region"] != ""
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{{ fig.regoin }}").render(fig=fig)
