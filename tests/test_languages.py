"""Languages come from site.yaml (issue 10, section 4): a site in French only, a site in three
languages, each with its own `lang` attributes, addresses, alternates and messages; a text
or page missing a language is named where it is written; an unknown language is refused."""

from __future__ import annotations

import json
import re
import shutil
import textwrap
from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po

from conftest import PROBLEM_LINE, REPO
from tiangong_site import cli, i18n

WORDS = {
    "site": {"de": "Flüsse", "en": "Rivers", "fr": "Rivières"},
    "about": {"de": "Über Flüsse.", "en": "About rivers.", "fr": "À propos des rivières."},
    "desk": {"de": "Die Redaktion", "en": "The desk", "fr": "La rédaction"},
    "report": {"de": "Bericht", "en": "Report", "fr": "Rapport"},
    "basin": {"de": "Becken", "en": "Basin", "fr": "Bassin"},
    "flow": {"de": "Abfluss", "en": "Flow", "fr": "Débit"},
    "story": {"de": "Die Geschichte", "en": "The story", "fr": "Le récit"},
    "data": {"de": "Daten", "en": "Data", "fr": "Données"},
    "sources": {"de": "Quellen", "en": "Sources", "fr": "Sources"},
}


def say(word: str, languages: list[str]) -> str:
    """A text in YAML: a plain string on a site of one language, else `{LANG: text, ...}`."""
    if len(languages) == 1:
        return json.dumps(WORDS[word][languages[0]], ensure_ascii=False)
    return "{" + ", ".join(f"{lang}: {json.dumps(WORDS[word][lang])}" for lang in languages) + "}"


PACKAGE = (REPO / "content" / "datapackage.yaml").read_text(encoding="utf-8")
"""The story's declarations, which the river site's data follows."""


def content_files(languages: list[str], at_root: bool = False) -> dict[str, str]:
    """A small river site, every text in each of `languages` (the first is the default)."""

    def t(word: str) -> str:
        return say(word, languages)

    files = {
        "site.yaml": f"""
            title: {t("site")}
            description: {t("about")}
            base_url: "https://example.org/rivers/"
            languages: [{", ".join(languages)}]
            default_language_at_root: {"true" if at_root else "false"}
            authors:
              - name: {t("desk")}
            publisher: {t("desk")}
            published: "2024-05-18"
            """,
        "data/sources.yaml": f"""
            - id: survey
              title: {t("report")}
              publisher: {t("desk")}
              date: "2023-05-18"
              url: "https://example.org/survey"
              kind: official
              language: {languages[0]}
            """,
        "data/regions.yaml": f"""
            - id: basin
              name: {t("basin")}
              kind: province
            """,
        "data/metrics.yaml": f"""
            - id: flow
              name: {t("flow")}
              unit: count
            """,
        "data/figures.yaml": """
            - id: basin-flow
              metric: flow
              region: basin
              period: {kind: year, year: 2023}
              value: 1234567.5
              source: survey
            """,
        "charts.yaml": "[]\n",
        # The story's declarations (metrics, figures, sources …), its sources in any language.
        "datapackage.yaml": PACKAGE.replace(
            "enum: [en, zh]}", f"enum: [en, zh, {', '.join(languages)}]}}"
        ),
    }
    for path in re.findall(r"(?m)^    path: (\S+)$", PACKAGE):  # every dataset it declares
        files.setdefault(path, "[]\n")
    for i, lang in enumerate(languages):
        suffix = "" if i == 0 else f".{lang}"
        for slug, layout, word in (("", "story", "story"), ("data", "data", "data")) + (
            ("sources", "sources", "sources"),
        ):
            name = slug or "index"
            files[f"pages/{name}{suffix}.md"] = f"""
                ---
                title: "{WORDS[word][lang]}"
                description: "{WORDS[word][lang]}."
                slug: "{slug}"
                layout: {layout}
                nav_title: "{WORDS[word][lang]}"
                ---
                {WORDS["flow"][lang]}: {{fig:basin-flow}}.{{src:survey}}
                """
    return files


def catalogue(root: Path, lang: str) -> None:
    """locales/LANG/LC_MESSAGES/messages.po, each interface string marked with its language
    ("[fr] Skip to content"), so a page shows which catalogue its words came from."""
    with open(REPO / "locales" / "messages.pot", "rb") as handle:
        cat = read_po(handle, locale=i18n.LOCALES[lang])
    for message in cat:
        if message.id:
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            marked = tuple(f"[{lang}] {part}" for part in ids)
            message.string = marked if isinstance(message.id, tuple) else marked[0]
    path = root / "locales" / lang / "LC_MESSAGES" / "messages.po"
    path.parent.mkdir(parents=True)
    with open(path, "wb") as handle:
        write_po(handle, cat)


def make_project(root: Path, files: dict[str, str], languages: list[str]) -> Path:
    """A project of `files` on the real templates and static files, with a catalogue for each
    language but English (the templates' own)."""
    root.mkdir(parents=True)
    for name in ("templates", "static"):
        shutil.copytree(REPO / name, root / name)
    for name, body in files.items():
        path = root / "content" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(body).lstrip("\n"), encoding="utf-8")
    for lang in languages:
        if lang != "en":
            catalogue(root, lang)
    return root


def build(root: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    capsys.readouterr()
    code = cli.main(["build", "--project", str(root), "--quiet"])
    return code, capsys.readouterr().err


def html_lang(page: Path) -> str:
    match = re.search(r'<html lang="([^"]+)"', page.read_text(encoding="utf-8"))
    assert match, page
    return match.group(1)


def alternates(page: Path) -> dict[str, str]:
    """hreflang -> href of the page's <link rel="alternate">s."""
    found = re.findall(
        r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', page.read_text("utf-8")
    )
    return dict(found)


# --- one language ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def french(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_project(tmp_path_factory.mktemp("fr") / "p", content_files(["fr"]), ["fr"])
    code = cli.main(["build", "--project", str(root), "--quiet"])
    assert code == 0
    return root / "_site"


def test_a_french_only_site_is_at_the_root_in_french(french: Path):
    home = french / "index.html"
    assert html_lang(home) == "fr"
    assert not (french / "fr").exists()
    assert alternates(home) == {}  # no other edition to point to
    html = home.read_text("utf-8")
    assert '<meta property="og:locale" content="fr_FR">' in html
    assert "<title>Le récit" in html


def test_a_french_site_takes_its_words_from_the_french_catalogue(french: Path):
    html = (french / "index.html").read_text("utf-8")
    assert "[fr] Skip to content" in html
    assert ">Skip to content<" not in html


def test_a_french_site_writes_numbers_and_dates_the_french_way(french: Path):
    html = (french / "index.html").read_text("utf-8")
    assert "1\u202f234\u202f567,5" in html  # narrow no-break space, decimal comma
    sources = (french / "sources" / "index.html").read_text("utf-8")
    assert "18 mai 2023" in sources


# --- three languages ------------------------------------------------------------------------

THREE = ["de", "en", "fr"]


@pytest.fixture(scope="module")
def three(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_project(tmp_path_factory.mktemp("three") / "p", content_files(THREE), THREE)
    assert cli.main(["build", "--project", str(root), "--quiet"]) == 0
    return root / "_site"


def test_three_languages_each_have_their_folder_and_the_root_chooses(three: Path):
    for lang in THREE:
        assert html_lang(three / lang / "index.html") == lang
        assert html_lang(three / lang / "data" / "index.html") == lang
    root = (three / "index.html").read_text("utf-8")
    assert [m for m in re.findall(r'data-lang="(\w+)"', root)] == THREE
    assert "Flüsse" in root and "Rivières" in root and "Rivers" in root


def test_each_edition_points_to_all_three_with_hreflang(three: Path):
    expected = {lang: f"https://example.org/rivers/{lang}/data/" for lang in THREE}
    for lang in THREE:
        found = alternates(three / lang / "data" / "index.html")
        assert {k: v for k, v in found.items() if k != "x-default"} == expected


def test_each_edition_switches_to_the_other_two_in_their_own_names(three: Path):
    html = (three / "de" / "index.html").read_text("utf-8")
    switch = re.findall(
        r'<li class="switch"><a href="([^"]+)" hreflang="(\w+)"[^>]*>([^<]+)<', html
    )
    assert switch == [("/rivers/en/", "en", "English"), ("/rivers/fr/", "fr", "Français")]


def test_each_edition_takes_its_words_from_its_catalogue(three: Path):
    assert "[de] Skip to content" in (three / "de" / "index.html").read_text("utf-8")
    assert "[fr] Skip to content" in (three / "fr" / "index.html").read_text("utf-8")
    english = (three / "en" / "index.html").read_text("utf-8")
    assert "Skip to content" in english and "] Skip to content" not in english
    assert "1.234.567,5" in (three / "de" / "index.html").read_text("utf-8")
    assert "1,234,567.5" in english


def test_the_default_language_at_the_root_and_the_others_in_folders(tmp_path: Path):
    root = make_project(tmp_path / "p", content_files(THREE, at_root=True), THREE)
    assert cli.main(["build", "--project", str(root), "--quiet"]) == 0
    site = root / "_site"
    assert html_lang(site / "index.html") == "de"
    assert html_lang(site / "fr" / "data" / "index.html") == "fr"
    assert not (site / "de").exists()
    found = alternates(site / "fr" / "data" / "index.html")
    assert found["de"] == "https://example.org/rivers/data/"
    assert found["en"] == "https://example.org/rivers/en/data/"
    assert found["x-default"] == "https://example.org/rivers/"


# --- mistakes, located ----------------------------------------------------------------------


def problems_of(err: str) -> list[re.Match[str]]:
    return [m for m in map(PROBLEM_LINE.match, err.splitlines()) if m]


def test_a_text_missing_a_language_is_named_at_its_line(tmp_path: Path, capsys):
    files = content_files(THREE)
    files["data/regions.yaml"] = """
        - id: basin
          name: {de: "Becken", en: "Basin"}
          kind: province
        """
    root = make_project(tmp_path / "p", files, THREE)
    code, err = build(root, capsys)
    assert code == 1
    found = [(m["path"], m["line"], m["message"]) for m in problems_of(err)]
    assert found == [("content/data/regions.yaml", "2", "'name' has no French text")]
    assert not (root / "_site").exists()


def test_a_page_missing_a_language_is_named(tmp_path: Path, capsys):
    files = content_files(THREE)
    del files["pages/data.fr.md"]
    code, err = build(make_project(tmp_path / "p", files, THREE), capsys)
    assert code == 1
    found = [(m["path"], m["message"], m["hint"]) for m in problems_of(err)]
    assert found == [
        (
            "content/pages/data.md",
            "no French edition of this page",
            "create content/pages/data.fr.md",
        )
    ]


def test_a_plain_string_is_only_the_default_languages_text(tmp_path: Path, capsys):
    files = content_files(THREE)
    files["data/metrics.yaml"] = """
        - id: flow
          name: "Abfluss"
          unit: count
        """
    code, err = build(make_project(tmp_path / "p", files, THREE), capsys)
    assert code == 1
    found = sorted((m["line"], m["message"]) for m in problems_of(err))
    assert found == [("2", "'name' has no English text"), ("2", "'name' has no French text")]


def test_an_unknown_language_code_is_refused_at_its_line(tmp_path: Path, capsys):
    files = content_files(["fr"])
    listed = "languages:\n" + " " * 12 + "- fr\n" + " " * 12 + "- xx"
    files["site.yaml"] = files["site.yaml"].replace("languages: [fr]", listed)
    code, err = build(make_project(tmp_path / "p", files, ["fr"]), capsys)
    assert code == 1
    (problem,) = problems_of(err)
    assert (problem["path"], problem["line"]) == ("content/site.yaml", "6")
    assert "'xx' is not a language code the engine knows" in problem["message"]
    assert "known codes" in problem["hint"] and "fr" in problem["hint"]


def test_a_region_subtag_is_refused_with_the_primary_tag_to_write(tmp_path: Path, capsys):
    files = content_files(["fr"])
    files["data/metrics.yaml"] = """
        - id: flow
          name: {fr-CA: "Débit"}
          unit: count
        """
    code, err = build(make_project(tmp_path / "p", files, ["fr"]), capsys)
    assert code == 1
    (problem,) = problems_of(err)
    assert problem["path"] == "content/data/metrics.yaml" and problem["line"] == "2"
    assert problem["hint"] == "write the primary language subtag alone: 'fr'"


def test_a_site_without_the_default_language_among_its_languages_is_refused(tmp_path: Path, capsys):
    files = content_files(["fr"])
    files["site.yaml"] = files["site.yaml"].rstrip(" ") + " " * 12 + "default_language: de\n"
    code, err = build(make_project(tmp_path / "p", files, ["fr"]), capsys)
    assert code == 1
    assert "default_language 'de' is not one of languages" in err


def test_a_missing_catalogue_is_named_with_the_guide(tmp_path: Path, capsys):
    root = make_project(tmp_path / "p", content_files(["fr"]), [])
    code, err = build(root, capsys)
    assert code == 1
    (problem,) = problems_of(err)
    assert problem["path"] == "locales/fr/LC_MESSAGES/messages.po"
    assert "docs/languages.md" in problem["hint"]


def test_new_page_writes_each_language_the_default_as_name_md(tmp_path: Path, run_cli):
    root = make_project(tmp_path / "p", content_files(THREE), THREE)
    done = run_cli(
        "new", "page", "method", "--project", root,
        "--title", "Methode", "--description", "Wie.",
        "--title-en", "Method", "--description-en", "How.",
        "--title-fr", "Méthode", "--description-fr", "Comment.",
    )  # fmt: skip
    assert done.code == 0, done.err
    pages = root / "content" / "pages"
    assert 'title: "Methode"' in (pages / "method.md").read_text("utf-8")
    assert 'title: "Method"' in (pages / "method.en.md").read_text("utf-8")
    assert 'title: "Méthode"' in (pages / "method.fr.md").read_text("utf-8")


def test_new_page_names_the_flags_of_a_missing_language(tmp_path: Path, run_cli):
    root = make_project(tmp_path / "p", content_files(THREE), THREE)
    done = run_cli(
        "new", "page", "method", "--project", root, "--title", "Methode", "--description", "Wie."
    )
    assert done.code == 2
    assert "--title-en and --description-en" in done.err
    assert "--title-fr and --description-fr" in done.err
    assert not (root / "content" / "pages" / "method.md").exists()


# --- the guide ------------------------------------------------------------------------------

GUIDE = REPO / "docs" / "languages.md"


def guide_site_yaml() -> str:
    """The site.yaml example of docs/languages.md, as written there."""
    blocks = re.findall(r"```yaml\n(.*?)```", GUIDE.read_text("utf-8"), re.S)
    (block,) = [b for b in blocks if b.startswith("# content/site.yaml")]
    return block


def test_the_guides_example_site_builds_as_the_guide_says(tmp_path: Path):
    files = content_files(["de", "fr"]) | {"site.yaml": guide_site_yaml()}
    root = make_project(tmp_path / "p", files, ["de", "fr"])
    assert cli.main(["build", "--project", str(root), "--quiet"]) == 0
    site = root / "_site"
    assert html_lang(site / "index.html") == "de"  # the default language, at the root
    assert html_lang(site / "fr" / "data" / "index.html") == "fr"
    assert "[fr] Skip to content" in (site / "fr" / "index.html").read_text("utf-8")


def test_the_guide_lists_the_codes_the_engine_knows():
    from tiangong_site.languages import KNOWN

    listed = re.search(r"The engine knows these:\s+`([a-z ]+)`", GUIDE.read_text("utf-8"))
    assert listed and listed.group(1).split() == sorted(KNOWN)
