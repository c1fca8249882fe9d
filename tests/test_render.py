"""Rendering: every URL follows the base path, assets are named by their content, templates
escape."""

from __future__ import annotations

import hashlib
from pathlib import Path

import jinja2
import pytest

from tiangong_site.render import Urls, base_path_of, copy_hashed, hashed_name, make_environment


@pytest.mark.parametrize(
    ("base_url", "base_path"),
    [
        ("https://org.github.io/repo/", "/repo/"),
        ("https://org.github.io/repo", "/repo/"),
        ("https://org.github.io/a/b/", "/a/b/"),
        ("https://example.org/", "/"),
        ("https://example.org", "/"),
    ],
)
def test_base_path_is_the_path_of_the_base_url_with_one_slash_at_each_end(
    base_url: str, base_path: str
):
    assert base_path_of(base_url) == base_path


def test_url_puts_every_site_path_under_the_base_path():
    urls = Urls("https://org.github.io/repo/")
    assert urls.url() == "/repo/"
    assert urls.url("data/") == "/repo/data/"
    assert urls.url("/regions/zhuji/") == "/repo/regions/zhuji/"
    assert urls.url("charts/tiers/data.csv") == "/repo/charts/tiers/data.csv"


def test_url_at_the_root_of_a_domain():
    urls = Urls("https://example.org/")
    assert urls.url("data/") == "/data/"
    assert urls.absolute("data/") == "https://example.org/data/"


def test_absolute_url_keeps_origin_and_base_path():
    urls = Urls("https://org.github.io/repo/")
    assert urls.absolute("charts/tiers/") == "https://org.github.io/repo/charts/tiers/"
    assert urls.absolute() == "https://org.github.io/repo/"


def test_asset_url_is_the_hashed_file_under_the_base_path(tmp_path: Path):
    source = tmp_path / "style.css"
    source.write_bytes(b"body { color: black }\n")
    urls = Urls("https://org.github.io/repo/")
    urls.assets["style.css"] = copy_hashed(source, "style.css", tmp_path / "out")
    url = urls.asset("style.css")
    assert url.startswith("/repo/assets/style.") and url.endswith(".css")
    assert (tmp_path / "out" / url.removeprefix("/repo/")).read_bytes() == source.read_bytes()


def test_unknown_asset_is_a_template_error_naming_it():
    urls = Urls("https://example.org/", {"style.css": "assets/style.0123456789.css"})
    with pytest.raises(jinja2.TemplateRuntimeError, match="asset 'missing.js'.*style.css"):
        urls.asset("missing.js")


def test_hashed_name_depends_on_content_only():
    first = hashed_name("charts.js", b"console.log(1)")
    assert first == hashed_name("charts.js", b"console.log(1)")
    assert first != hashed_name("charts.js", b"console.log(2)")
    assert first == f"assets/charts.{hashlib.sha256(b'console.log(1)').hexdigest()[:10]}.js"


def test_hashed_name_keeps_folders_and_extension():
    assert hashed_name("fonts/serif.woff2", b"x").startswith("assets/fonts/serif.")
    assert hashed_name("fonts/serif.woff2", b"x").endswith(".woff2")
    assert hashed_name("LICENSE", b"x").startswith("assets/LICENSE.")


def test_templates_autoescape_and_refuse_undefined_names(tmp_path: Path):
    (tmp_path / "t.html").write_text(
        "<p>{{ value }}</p><a href=\"{{ url('data/') }}\">d</a>", encoding="utf-8"
    )
    (tmp_path / "broken.html").write_text("{{ no_such_name }}", encoding="utf-8")
    env = make_environment(tmp_path, Urls("https://org.github.io/repo/"))
    html = env.get_template("t.html").render(value="<script>x</script>")
    assert html == '<p>&lt;script&gt;x&lt;/script&gt;</p><a href="/repo/data/">d</a>'
    with pytest.raises(jinja2.UndefinedError):
        env.get_template("broken.html").render()


def test_a_dict_in_a_template_gives_its_methods_before_its_keys_as_jinja_does(tmp_path: Path):
    (tmp_path / "t.html").write_text(
        "{{ row.year }} {{ row.items is callable }} {{ row['items'] }} {{ obj.real }}",
        encoding="utf-8",
    )
    env = make_environment(tmp_path, Urls("https://example.org/"))
    row = {"year": 2024, "items": "three"}
    html = env.get_template("t.html").render(row=row, obj=5)
    assert html == "2024 True three 5"


def test_a_missing_key_of_a_dict_is_an_undefined_name_error(tmp_path: Path):
    (tmp_path / "t.html").write_text("{{ row.rank }}", encoding="utf-8")
    env = make_environment(tmp_path, Urls("https://example.org/"))
    with pytest.raises(jinja2.UndefinedError, match="rank"):
        env.get_template("t.html").render(row={"year": 2024})


def test_a_page_sees_its_own_values_over_the_template_globals_over_the_sites(tmp_path: Path):
    (tmp_path / "t.html").write_text("{{ lang }} {{ shade }} {{ size }}", encoding="utf-8")
    env = make_environment(tmp_path, Urls("https://example.org/"), lang="fr")
    env.globals.update(shade="site", size="site")
    template = env.get_template("t.html")
    template.globals["shade"] = "template"
    assert template.render() == "fr template site"
    assert template.render(size="page", lang="de") == "de template page"
    env.globals["size"] = "later"  # a global changed after loading is seen, as in Jinja
    assert template.render() == "fr template later"


def test_every_kind_of_value_is_written_and_escaped_as_plain_jinja_writes_it(tmp_path: Path):
    from markupsafe import Markup

    source = (
        "{{ 5 }} {{ -2.5 }} {{ big }} {{ ratio }} {{ true }} {{ '<a>' }} {{ safe }} {{ none }}"
        " {% set b %}{{ 7 }}<{{ '&' }}{% endset %}{{ b }} {{ b | e }}"
        " {% macro m(x) %}[{{ x }}]{% endmacro %}{{ m(3) }}{{ m('<') }} {{ 4 ~ '<' }}"
        " {% for n in [1, 2.0] %}{{ n }}&{% endfor %} {{ flag }}"
    )
    (tmp_path / "t.html").write_text(source, encoding="utf-8")
    ours = make_environment(tmp_path, Urls("https://example.org/"))
    plain = jinja2.Environment(
        loader=jinja2.FileSystemLoader(tmp_path), autoescape=True, trim_blocks=True
    )
    values = {
        "big": 10**20,
        "ratio": float("nan"),
        "safe": Markup("<b>"),
        "flag": False,
    }
    html = ours.get_template("t.html").render(**values)
    assert html == plain.get_template("t.html").render(**values)
    assert "&lt;a&gt; <b> None 7<&amp;" in html  # escaped where Jinja escapes


class _Catalogue:
    """Translations with markup and a literal percent sign, as a catalogue may hold."""

    def gettext(self, message: str) -> str:
        known = {"Hello %(name)s": "<b>Bonjour</b> %(name)s, 100%%", "Half": "<i>50%%</i>"}
        return known.get(message, message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return "%(num)s <i>pomme</i>" if n == 1 else "%(num)s <i>pommes</i>"

    def pgettext(self, context: str, message: str) -> str:
        return f"{context}:{message} %(context)s"

    def npgettext(self, context: str, singular: str, plural: str, n: int) -> str:
        return f"{context}:{n} %(num)s %(context)s"


def test_translations_are_formatted_and_escaped_as_jinjas_newstyle_gettext(tmp_path: Path):
    source = (
        "{% for name in names %}{{ _('Hello %(name)s', name=name) }}|{{ gettext('Hi') }}|"
        "{% trans n=loop.index %}{{ n }} apple{% pluralize %}{{ n }} apples{% endtrans %}|"
        "{{ pgettext('menu', 'Open') }}|{{ npgettext('box', 'a', 'b', 2) }}|"
        "{{ ngettext('%(num)s x', '%(num)s xs', 3, extra=name) }}|{{ _('Half') }}\n{% endfor %}"
        "{% block b %}{% for n in [1] %}{{ _('Hello %(name)s', name='<&>') }}{% endfor %}"
        "{% endblock %}"
    )
    (tmp_path / "t.html").write_text(source, encoding="utf-8")
    ours = make_environment(tmp_path, Urls("https://example.org/"), translations=_Catalogue())
    plain = jinja2.Environment(
        loader=jinja2.FileSystemLoader(tmp_path), autoescape=True, extensions=["jinja2.ext.i18n"]
    )
    plain.install_gettext_translations(_Catalogue(), newstyle=True)  # type: ignore[attr-defined]
    names = ["<script>", "Zoë"]
    html = ours.get_template("t.html").render(names=names)
    assert html == plain.get_template("t.html").render(names=names)
    assert "<b>Bonjour</b> &lt;script&gt;, 100%|" in html  # the catalogue's markup is kept
    assert "menu:Open menu|box:2 2 box|" in html
    assert "|<i>50%</i>\n" in html  # formatted even without variables


def test_each_message_a_page_translates_is_recorded_even_inside_a_loop(tmp_path: Path):
    from tiangong_site.deps import messages_key, recording

    (tmp_path / "t.html").write_text(
        "{% for n in [1, 2] %}{{ _('Hi') }}{% trans %}Bye{% endtrans %}"
        "{{ ngettext('one', 'many', n) }}{% endfor %}",
        encoding="utf-8",
    )
    env = make_environment(tmp_path, Urls("https://example.org/"), lang="fr")
    template = env.get_template("t.html")
    for _page in range(2):  # the second page shows translations kept from the first
        with recording() as keys:
            template.render()
        assert {messages_key("fr", m) for m in ("Hi", "Bye", "one")} <= keys


def test_an_included_template_sees_what_plain_jinja_shows_it(tmp_path: Path):
    (tmp_path / "part.html").write_text(
        "[{{ lang }} {{ shade }} {{ item }} {{ n }} {{ outer }}{% set outer = 'changed' %}]",
        encoding="utf-8",
    )
    (tmp_path / "t.html").write_text(
        "{% set outer = 'page' %}{% block b %}{% for item in items %}"
        "{% with n = loop.index %}{% include 'part.html' %}{% endwith %}{% endfor %}"
        "{% endblock %}{% include 'part.html' ignore missing %}{{ outer }}",
        encoding="utf-8",
    )
    ours = make_environment(tmp_path, Urls("https://example.org/"), lang="fr")
    plain = jinja2.Environment(loader=jinja2.FileSystemLoader(tmp_path), autoescape=True)
    for env in (ours, plain):
        env.globals.update(shade="<site>", lang="fr", n=0, item="none")
    values = {"items": ["a", "<b>"]}
    html = ours.get_template("t.html").render(**values)
    assert html == plain.get_template("t.html").render(**values)
    assert "[fr &lt;site&gt; &lt;b&gt; 2 page]" in html and html.endswith("page")


def test_environments_given_one_held_dict_read_each_compiled_template_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    from tiangong_site import signed_cache

    templates, cache = tmp_path / "templates", tmp_path / "cache"
    templates.mkdir()
    (templates / "a.html").write_text("{{ lang }}", encoding="utf-8")
    make_environment(templates, Urls("https://example.org/"), cache=cache).get_template("a.html")
    reads: list[Path] = []
    load = signed_cache.load
    monkeypatch.setattr(
        signed_cache, "load", lambda path, *args: reads.append(path) or load(path, *args)
    )
    held: dict = {}
    envs = [
        make_environment(templates, Urls("https://example.org/"), lang, cache=cache, held=held)
        for lang in ("en", "zh", "fr")
    ]
    assert [env.get_template("a.html").render() for env in envs] == ["en", "zh", "fr"]
    assert len(reads) == 1  # the first environment's read, verified; the others take its code
    (templates / "a.html").write_text("{{ lang }}!", encoding="utf-8")
    assert envs[0].get_template("a.html").render() == "en!"  # a changed template is its own


def test_html_objects_and_str_subclasses_are_written_as_plain_jinja_writes_them(tmp_path: Path):
    from markupsafe import Markup

    class Html:
        def __html__(self) -> str:
            return "<em>as HTML</em>"

        def __str__(self) -> str:
            return "<as text>"

    class Word(str):
        pass

    source = (
        "{{ html }} {{ word }} {{ drawing }} {% set b %}{{ html }}{{ word }}{% endset %}"
        "{{ b }} {{ b | length }} {% macro m() %}{{ drawing }}{{ word }}{% endmacro %}{{ m() }}"
        " {% filter upper %}{{ word }}{{ html }}{% endfilter %} {{ [word, html] | join(' ') }}"
    )
    (tmp_path / "t.html").write_text(source, encoding="utf-8")
    ours = make_environment(tmp_path, Urls("https://example.org/"))
    plain = jinja2.Environment(loader=jinja2.FileSystemLoader(tmp_path), autoescape=True)
    values = {"html": Html(), "word": Word("<w&>"), "drawing": Markup("<svg>&amp;</svg>")}
    html = ours.get_template("t.html").render(**values)
    assert html == plain.get_template("t.html").render(**values)
    assert html.startswith("<em>as HTML</em> &lt;w&amp;&gt; <svg>&amp;</svg> ")


def test_functions_a_template_calls_get_what_they_ask_for_as_in_plain_jinja(tmp_path: Path):
    @jinja2.pass_context
    def seen(context, name):  # sees what the loop set, as Jinja gives it
        return context.resolve(name)

    @jinja2.pass_eval_context
    def escaping(eval_ctx):
        return eval_ctx.autoescape

    @jinja2.pass_environment
    def strict(environment):
        return environment.undefined is jinja2.StrictUndefined

    class Counter:
        def __call__(self, n):
            return n + 1

    def stops():
        raise StopIteration

    source = (
        "{% for x in [1, 2] %}{% set y = x * 10 %}{{ seen('y') }},{{ escaping() }},"
        "{{ count(x) }},{{ plain('<') }},{{ stops() is undefined }};{% endfor %}{{ strict() }}"
    )
    (tmp_path / "t.html").write_text(source, encoding="utf-8")
    ours = make_environment(tmp_path, Urls("https://example.org/"))
    plain = jinja2.Environment(
        loader=jinja2.FileSystemLoader(tmp_path),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    values = {"seen": seen, "escaping": escaping, "count": Counter(), "stops": stops}
    values |= {"plain": str.upper, "strict": strict}
    html = ours.get_template("t.html").render(**values)
    assert html == plain.get_template("t.html").render(**values)
    assert html == "10,True,2,&lt;,True;20,True,3,&lt;,True;True"


def test_a_value_that_is_not_text_is_translated_and_written_as_plain_jinja_does(tmp_path: Path):
    class Html:
        def __html__(self) -> str:
            return "<em>as HTML</em>"

    (tmp_path / "t.html").write_text(
        "{% for v in values %}{{ _(v) }}|{{ gettext(v) }};{% endfor %}", encoding="utf-8"
    )
    ours = make_environment(tmp_path, Urls("https://example.org/"))
    plain = jinja2.Environment(
        loader=jinja2.FileSystemLoader(tmp_path),
        autoescape=jinja2.select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
    )
    plain.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
    values = {"values": [1, None, 2.5, Html(), "<b>"]}
    html = ours.get_template("t.html").render(**values)
    assert html == plain.get_template("t.html").render(**values)
    assert html == "1|1;None|None;2.5|2.5;<em>as HTML</em>|<em>as HTML</em>;<b>|<b>;"


def test_html_whose_html_is_not_text_is_escaped_as_plain_jinja_escapes_it(tmp_path: Path):
    class Inner:
        def __html__(self) -> str:
            return "&lt;safe&gt;"

        def __str__(self) -> str:
            return "<script>x</script>"

    class Outer:
        def __html__(self) -> Inner:
            return Inner()

    (tmp_path / "t.html").write_text("{{ v }}", encoding="utf-8")
    html = make_environment(tmp_path, Urls("https://example.org/")).get_template("t.html")
    assert html.render(v=Outer()) == "&lt;safe&gt;"


def test_a_filter_of_the_language_given_a_constant_writes_each_language_its_own(tmp_path: Path):
    """The languages share a template's compiled code (kept in the cache, held in memory): a
    filter worked out when the template was compiled would write the first language's."""

    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "a.html").write_text("{{ 2|ordinal }} {{ day|date }}", encoding="utf-8")
    held: dict = {}
    pages = [
        make_environment(
            templates, Urls("https://example.org/"), lang, cache=tmp_path / "c", held=held
        )
        .get_template("a.html")
        .render(day="2024-05-01")
        for lang in ("en", "zh")
    ]
    (templates / "a.html").write_text("{{ 2|ordinal }} {{ '2024-05-01'|date }}", encoding="utf-8")
    constant = [
        make_environment(
            templates, Urls("https://example.org/"), lang, cache=tmp_path / "c", held=held
        )
        .get_template("a.html")
        .render()
        for lang in ("en", "zh")
    ]
    assert pages[0] != pages[1]  # the two languages write the date and the ordinal differently
    assert constant == pages


def test_a_macro_module_imported_by_a_page_speaks_a_catalogue_edited_in_the_preview(
    tmp_path: Path,
):
    from tiangong_site.render import install_translations

    class Catalogue:
        def __init__(self, word: str):
            self.word = word

        def gettext(self, message: str) -> str:
            return self.word

        def ngettext(self, singular: str, plural: str, n: int) -> str:
            return self.word

    (tmp_path / "m.html").write_text("{% macro hi() %}{{ _('Hi') }}{% endmacro %}", "utf-8")
    (tmp_path / "t.html").write_text(
        "{% import 'm.html' as m %}{{ _('Hi') }}/{{ m.hi() }}", encoding="utf-8"
    )
    env = make_environment(tmp_path, Urls("https://example.org/"), "fr", Catalogue("Bonjour"))
    assert env.get_template("t.html").render() == "Bonjour/Bonjour"
    install_translations(env, Catalogue("Salut"), "fr")  # what the preview does on an edit
    assert env.get_template("t.html").render() == "Salut/Salut"


def test_code_compiled_for_other_environments_is_compiled_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    from tiangong_site import signed_cache

    templates, cache = tmp_path / "templates", tmp_path / "cache"
    templates.mkdir()
    (templates / "a.html").write_text("{{ lang }}", encoding="utf-8")
    found: list[bool] = []
    load = signed_cache.load

    def spy(path: Path, *args: str) -> bytes | None:
        data = load(path, *args)
        found.append(data is not None)
        return data

    monkeypatch.setattr(signed_cache, "load", spy)

    def compile_once() -> None:
        env = make_environment(templates, Urls("https://example.org/"), cache=cache)
        assert env.get_template("a.html").render() == "en"

    monkeypatch.setattr(signed_cache, "COMPILED_WITH", "an older compiler's")
    compile_once()
    compile_once()
    monkeypatch.undo()
    monkeypatch.setattr(signed_cache, "load", spy)
    compile_once()
    assert found == [False, True, False]  # kept, read back, then not trusted by other code
