"""A pull request that changes only data must not be able to harm the build or the site.

- Nothing from outside the project: a symbolic link in content/, templates/, static/ or
  locales/ is refused, naming the link, and nothing is written.
- No code from data: a planted or foreign cache file is never loaded; a cache tracked by
  git is refused.
- Every output format escapes: URLs in the configuration are validated, the sitemap is real
  XML, and JSON (downloads, chart data, JSON-LD) cannot close the markup it lands in.
"""

from __future__ import annotations

import json
import pickle
import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import jinja2
import pytest

from conftest import (
    MINI,
    Run,
    dedent,
    leftovers,
    run_build_py,
    theme_override,
    tree_digest,
)
from tiangong_site import drawing, signed_cache
from tiangong_site.content import load_content
from tiangong_site.errors import ContentError
from tiangong_site.feeds import Entry, robots_txt, sitemap_xml
from tiangong_site.render import Urls, make_environment

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"


@pytest.fixture
def private_cache_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A signing key of the test's own, outside the user's home, and a chart-drawing cache
    to go with it (the session's drawings are signed with the session's key, and drawings
    signed with this one would make every later build redraw them). The planted entries of
    the other tests verify under no key, so they keep the session's key and its drawings."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv(drawing.CACHE_ENV, str(tmp_path / "charts"))
    return tmp_path / "xdg" / "tiangong-site" / "key"


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder beside the project, holding what a link would smuggle in."""
    folder = tmp_path / "outside"
    folder.mkdir()
    return folder


def assert_refused_link(run: Run, root: Path, link: str, before: dict[str, str]) -> None:
    """Exit 1, one located problem naming the link (not its target), nothing written."""
    assert run.code == 1, run.err
    problems = [p for p in run.problems() if p["path"] == link]
    assert problems, run.err
    assert (problems[0]["line"], problems[0]["col"]) == ("1", "1")
    assert "symbolic link" in problems[0]["message"]
    assert "Traceback" not in run.err
    assert tree_digest(root / "_site") == before
    assert leftovers(root) == []


# --- nothing from outside the project ----------------------------------------------------


def _link_static(root: Path, outside: Path) -> str:
    (outside / "secret.txt").write_text("root:x:0:0\n", encoding="utf-8")
    (root / "static" / "leak.txt").symlink_to(outside / "secret.txt")
    return "static/leak.txt"


def _link_static_folder(root: Path, outside: Path) -> str:
    (outside / "secret.txt").write_text("secret\n", encoding="utf-8")
    (root / "static" / "more").symlink_to(outside, target_is_directory=True)
    return "static/more"


def _link_page(root: Path, outside: Path) -> str:
    # A valid page, with its Chinese edition in place, so only the link is wrong.
    for name in ("leak.md", "leak.zh.md"):
        page = "---\ntitle: {en: Leak, zh: 泄露}\ndescription: {en: Leak, zh: 泄露}\n"
        page += "slug: leak\n---\nText.\n"
        (outside / name).write_text(page, encoding="utf-8")
    (root / "content" / "pages" / "leak.md").symlink_to(outside / "leak.md")
    (root / "content" / "pages" / "leak.zh.md").write_bytes((outside / "leak.zh.md").read_bytes())
    return "content/pages/leak.md"


def _link_data(root: Path, outside: Path) -> str:
    data = root / "content" / "data" / "events.yaml"
    (outside / "events.yaml").write_bytes(data.read_bytes())
    data.unlink()
    data.symlink_to(outside / "events.yaml")
    return "content/data/events.yaml"


def _link_template(root: Path, outside: Path) -> str:
    template = theme_override(root, "templates/partials/cite.html")
    (outside / "cite.html").write_bytes(template.read_bytes())
    template.unlink()
    template.symlink_to(outside / "cite.html")
    return "templates/partials/cite.html"


def _link_catalogue(root: Path, outside: Path) -> str:
    catalogue = root / "locales" / "zh" / "LC_MESSAGES" / "messages.po"
    (outside / "messages.po").write_bytes(catalogue.read_bytes())
    catalogue.unlink()
    catalogue.symlink_to(outside / "messages.po")
    return "locales/zh/LC_MESSAGES/messages.po"


def _link_templates_folder(root: Path, outside: Path) -> str:
    (root / "templates").rename(outside / "templates")
    (root / "templates").symlink_to(outside / "templates", target_is_directory=True)
    return "templates"


LINKS = {
    "static-file": _link_static,
    "static-folder": _link_static_folder,
    "page": _link_page,
    "data-file": _link_data,
    "template": _link_template,
    "locale-catalogue": _link_catalogue,
    "templates-folder": _link_templates_folder,
}


@pytest.mark.parametrize("make_link", LINKS.values(), ids=LINKS.keys())
def test_a_symbolic_link_is_refused_naming_it_and_nothing_is_written(
    make_link, built_project: Path, outside: Path, run_cli
):
    before = tree_digest(built_project / "_site")
    link = make_link(built_project, outside)
    run = run_cli("build", "--project", built_project)
    assert_refused_link(run, built_project, link, before)


def test_a_symbolic_link_makes_check_fail_too(built_project: Path, outside: Path, run_cli):
    link = _link_static(built_project, outside)
    run = run_cli("check", "--project", built_project)
    assert run.code == 1
    assert [p["path"] for p in run.problems()] == [link]
    assert "(to " + str(outside / "secret.txt") + ")" in run.err


@pytest.mark.slow
def test_a_content_folder_outside_the_project_is_allowed_but_not_links_inside_it(
    project: Path, mini, outside: Path, tmp_path: Path, run_cli
):
    content = mini()
    build = ("build", "--project", project, "--content", content, "--output")
    assert run_cli(*build, tmp_path / "a").code == 0
    (outside / "extra.yaml").write_text("[]\n", encoding="utf-8")
    (content / "data" / "companies.yaml").unlink()
    (content / "data" / "companies.yaml").symlink_to(outside / "extra.yaml")
    run = run_cli(*build, tmp_path / "b")
    assert run.code == 1
    assert [p["path"] for p in run.problems()] == [f"{content.name}/data/companies.yaml"]
    assert not (tmp_path / "b").exists()


def test_the_template_loader_refuses_a_link_the_build_did_not_look_for(
    tmp_path: Path, outside: Path
):
    templates = tmp_path / "templates"
    templates.mkdir()
    (outside / "evil.html").write_text("{{ 1 + 1 }}", encoding="utf-8")
    (templates / "page.html").symlink_to(outside / "evil.html")
    (templates / "fine.html").write_text("ok {{ 2 + 2 }}", encoding="utf-8")
    env = make_environment(templates, Urls("https://example.org/"))
    assert env.get_template("fine.html").render() == "ok 4"
    with pytest.raises(ContentError) as caught:
        env.get_template("page.html")
    assert [p.path for p in caught.value.problems] == ["templates/page.html"]
    with pytest.raises(jinja2.TemplateNotFound):
        env.get_template("../outside/evil.html")


# --- no code from data -------------------------------------------------------------------


class _Plant:
    """Unpickling this creates `marker`: proof that a cache file was loaded."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (open, (str(self.marker), "w"))


def _poisoned(marker: Path) -> bytes:
    """What Jinja's FileSystemBytecodeCache would unpickle: its header, then our pickle."""
    return jinja2.bccache.bc_magic + pickle.dumps(_Plant(marker), 2)


@pytest.mark.slow
def test_a_planted_template_cache_does_not_run(project: Path, tmp_path: Path, run_cli):
    assert run_cli("build", "--project", project, "--output", tmp_path / "first", "-q").code == 0
    cache = project / ".cache" / "jinja"
    keys = {p.name.split(".")[0] for p in cache.iterdir()}
    assert keys, "the build keeps compiled templates"
    marker = tmp_path / "planted-code-ran"
    for key in keys:  # every entry, in Jinja's own naming and in ours, signed with a wrong key
        (cache / f"__jinja2_{key}.cache").write_bytes(_poisoned(marker))
        (cache / f"{key}.signed").write_bytes(bytes(32) + _poisoned(marker))
    run = run_cli("build", "--project", project, "--output", tmp_path / "second", "-q")
    assert run.code == 0, run.err
    assert not marker.exists()
    assert tree_digest(tmp_path / "second") == tree_digest(tmp_path / "first")


def test_compiled_templates_signed_here_are_reused_and_a_changed_one_is_not(tmp_path: Path):
    templates, cache = tmp_path / "templates", tmp_path / "cache"
    templates.mkdir()
    (templates / "a.html").write_text("{{ 6 * 7 }}", encoding="utf-8")
    make_environment(templates, Urls("https://example.org/"), cache=cache).get_template("a.html")
    (entry,) = cache.iterdir()
    env = make_environment(templates, Urls("https://example.org/"), cache=cache)
    lookup = (env, "a.html", str(templates / "a.html"), "{{ 6 * 7 }}")
    assert env.bytecode_cache.get_bucket(*lookup).code is not None  # type: ignore[union-attr]
    blob = entry.read_bytes()
    entry.write_bytes(blob[:-1] + bytes([blob[-1] ^ 1]))  # one bit of the code changed
    assert env.bytecode_cache.get_bucket(*lookup).code is None  # type: ignore[union-attr]
    assert env.get_template("a.html").render() == "42"


def test_templates_compiled_by_another_jinja_version_are_compiled_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    templates, cache = tmp_path / "templates", tmp_path / "cache"
    templates.mkdir()
    (templates / "a.html").write_text("{{ 6 * 7 }}", encoding="utf-8")
    make_environment(templates, Urls("https://example.org/"), cache=cache).get_template("a.html")
    env = make_environment(templates, Urls("https://example.org/"), cache=cache)
    lookup = (env, "a.html", str(templates / "a.html"), "{{ 6 * 7 }}")
    assert env.bytecode_cache.get_bucket(*lookup).code is not None  # type: ignore[union-attr]
    monkeypatch.setattr(jinja2, "__version__", "99.0.0")
    assert env.bytecode_cache.get_bucket(*lookup).code is None  # type: ignore[union-attr]
    assert env.get_template("a.html").render() == "42"


def test_the_signing_key_is_private_to_the_user(private_cache_key: Path):
    signed_cache.machine_key()
    assert private_cache_key.stat().st_mode & 0o777 == 0o600
    assert len(private_cache_key.read_bytes()) == 32


def test_an_entry_is_signed_over_purpose_context_and_data_so_earlier_entries_verify(
    private_cache_key: Path, tmp_path: Path
):
    import hashlib
    import hmac

    entry, data = tmp_path / "entry.signed", b"<svg>" * 1000
    signed_cache.store(entry, "chart", "key-1", data)
    key = signed_cache.machine_key()
    message = b"chart\0key-1\0" + data  # as entries were signed before, in one message
    assert entry.read_bytes()[:32] == hmac.new(key, message, hashlib.sha256).digest()
    assert signed_cache.load(entry, "chart", "key-1") == data
    assert signed_cache.load(entry, "chart", "key-2") is None


def test_an_entry_larger_than_the_limit_is_not_read(
    private_cache_key: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(signed_cache, "MAX_ENTRY_BYTES", 100)
    small, large = tmp_path / "small.signed", tmp_path / "large.signed"
    signed_cache.store(small, "chart", "k", bytes(100 - 32))
    signed_cache.store(large, "chart", "k", bytes(100 - 31))
    assert signed_cache.load(small, "chart", "k") == bytes(100 - 32)
    assert signed_cache.load(large, "chart", "k") is None


@pytest.mark.slow
def test_a_planted_message_list_does_not_hide_a_missing_translation(
    project: Path, tmp_path: Path, run_cli
):
    assert run_cli("build", "--project", project, "--output", tmp_path / "first", "-q").code == 0
    stored = sorted((project / ".cache").glob("messages-*"))
    assert stored, "the build keeps the extracted messages"
    for path in stored:  # claim the code has no interface strings at all
        path.write_bytes(bytes(32) + b"[]")
        path.with_suffix(".json").write_text("[]", encoding="utf-8")
    catalogue = project / "locales" / "zh" / "LC_MESSAGES" / "messages.po"
    text = catalogue.read_text(encoding="utf-8")
    catalogue.write_text(text.replace('msgstr "跳到正文"', 'msgstr ""'), encoding="utf-8")
    assert "跳到正文" in text
    run = run_cli("build", "--project", project, "--output", tmp_path / "second")
    assert run.code == 1
    assert any("Skip to content" in p["message"] for p in run.problems()), run.err


@pytest.mark.slow
def test_a_tampered_or_planted_compiled_catalogue_is_not_read(
    project: Path, tmp_path: Path, run_cli
):
    from tiangong_site import i18n

    assert run_cli("build", "--project", project, "--output", tmp_path / "first", "-q").code == 0
    (stored,) = (project / ".cache").glob("catalogue-*.signed")
    signed = stored.read_bytes()
    assert "跳到正文".encode() in signed  # the compiled translations are in it
    forged = signed.replace("跳到正文".encode(), "伪造翻译".encode())
    for data in (forged, bytes(32) + forged[32:]):  # its tag kept, or a tag of zeros
        stored.write_bytes(data)
        i18n._compiled.cache_clear()  # as in a new process
        run = run_cli("build", "--project", project, "--output", tmp_path / "second", "-q")
        assert run.code == 0, run.err
        assert tree_digest(tmp_path / "second") == tree_digest(tmp_path / "first")
        assert stored.read_bytes() == signed  # and the build put back what it compiled


def _git(root: Path, *args: str) -> None:
    identity = ["-c", "user.name=Test", "-c", "user.email=test@example.org"]
    identity += ["-c", "commit.gpgsign=false"]
    subprocess.run(["git", "-C", str(root), *identity, *args], check=True, capture_output=True)


@pytest.mark.slow
def test_a_cache_tracked_by_git_is_refused(project: Path, tmp_path: Path, run_cli):
    _git(project, "init", "-q")
    _git(project, "add", "content", "templates", "static", "locales")
    _git(project, "commit", "-q", "-m", "project")
    untracked = run_cli("build", "--project", project, "--output", tmp_path / "first", "-q")
    assert untracked.code == 0  # a cache git does not track is fine
    planted = project / ".cache" / "jinja" / "__jinja2_0000.cache"
    planted.write_bytes(b"anything")
    _git(project, "add", "-f", ".cache/jinja/__jinja2_0000.cache")
    run = run_cli("build", "--project", project, "--output", tmp_path / "second")
    assert run.code == 1
    (problem,) = run.problems()
    assert problem["path"] == ".cache/jinja/__jinja2_0000.cache"
    assert "tracked by git" in problem["message"] and "git rm" in problem["hint"]
    assert not (tmp_path / "second").exists()


# --- URLs in the configuration -------------------------------------------------------------

HOSTILE_BASE_URLS = [
    "https://x.org/a<script>",
    "javascript:alert(1)",
    "https://x.org/a&b/",
    "https://x.org/a b/",
    'https://x.org/"/',
]


def _line_of(path: Path, needle: str) -> str:
    lines = path.read_text(encoding="utf-8").splitlines()
    return str(next(number for number, line in enumerate(lines, 1) if needle in line))


@pytest.mark.parametrize("base_url", HOSTILE_BASE_URLS)
def test_a_hostile_base_url_in_site_yaml_is_refused_where_it_is(
    base_url: str, built_project: Path, run_cli
):
    before = tree_digest(built_project / "_site")
    site = built_project / "content" / "site.yaml"
    text = site.read_text(encoding="utf-8")
    text = re.sub(r"^base_url: .*$", f"base_url: {json.dumps(base_url)}", text, flags=re.M)
    site.write_text(text, encoding="utf-8")
    run = run_cli("build", "--project", built_project)
    assert run.code == 1
    (problem,) = run.problems()
    assert (problem["path"], problem["line"]) == ("content/site.yaml", _line_of(site, "base_url:"))
    assert "base_url" in problem["message"] and "%26" in problem["hint"]
    assert tree_digest(built_project / "_site") == before


@pytest.mark.parametrize("base_url", HOSTILE_BASE_URLS)
def test_a_hostile_base_url_on_the_command_line_is_a_usage_error(
    base_url: str, project: Path, tmp_path: Path, run_cli
):
    run = run_cli(
        "build", "--project", project, "--output", tmp_path / "out", "--base-url", base_url
    )
    assert run.code == 2
    expected = f"tiangong-site build: --base-url {base_url!r} is not a usable base URL ("
    assert run.err.startswith(expected)
    assert len(run.err.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_a_hostile_base_url_in_the_environment_is_a_usage_error(project: Path, tmp_path: Path):
    env = {"TIANGONG_BASE_URL": "https://x.org/a<script>"}
    run = run_build_py("build", "--project", project, "--output", tmp_path / "out", env=env)
    assert run.code == 2
    assert "TIANGONG_BASE_URL 'https://x.org/a<script>' is not a usable base URL" in run.err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "value",
    [
        "javascript:alert(1)",
        'https://x.org/"onmouseover="alert(1)',
        "https://x.org/<b>",
        "https:///no-host",
    ],
)
def test_a_hostile_source_url_is_refused_where_it_is(value: str, mini):
    sources = MINI["data/sources.yaml"].replace(
        'url: "https://example.org/a"', f"url: {json.dumps(value)}"
    )
    with pytest.raises(ContentError) as caught:
        load_content(mini({"data/sources.yaml": sources}))
    (problem,) = caught.value.problems
    lines = dedent(sources).splitlines()
    expected_line = next(
        i for i, line in enumerate(lines, 1) if line.strip() == f"url: {json.dumps(value)}"
    )
    assert (problem.path, problem.line) == ("content/data/sources.yaml", expected_line)
    assert "'url'" in problem.message and "http" in problem.hint


def test_a_hostile_author_url_is_refused(mini):
    author = '- name: "Test desk"\n            url: "https://x.org/a\'><script>"'
    site = MINI["site.yaml"].replace('- name: "Test desk"', author)
    with pytest.raises(ContentError) as caught:
        load_content(mini({"site.yaml": site}))
    (problem,) = caught.value.problems
    assert problem.path == "content/site.yaml" and "'url'" in problem.message


# --- every output format escapes -----------------------------------------------------------


def test_a_percent_encoded_ampersand_in_the_base_url_gives_a_sitemap_that_parses(
    project: Path, tmp_path: Path, run_cli
):
    base = "https://x.org/a%26b/"
    run = run_cli(
        "build", "--project", project, "--output", tmp_path / "out", "--base-url", base, "-q"
    )
    assert run.code == 0, run.err
    root = ET.parse(tmp_path / "out" / "sitemap.xml").getroot()
    locs = [loc.text for loc in root.iter(f"{SITEMAP}loc")]
    assert base in locs and f"{base}en/" in locs and f"{base}zh/" in locs
    assert all(loc and loc.startswith(base) for loc in locs)
    alternates = [link.get("href") for link in root.iter(f"{XHTML}link")]
    assert alternates and all(href and href.startswith(base) for href in alternates)
    robots = (tmp_path / "out" / "robots.txt").read_text(encoding="utf-8")
    assert f"Sitemap: {base}sitemap.xml" in robots.splitlines()


def test_the_sitemap_escapes_every_url_it_lists():
    hostile = "https://x.org/a&b/<script>alert(1)</script>/"
    alternate = 'https://x.org/zh/?q="1"&r=2'
    text = sitemap_xml([Entry(hostile, "2024-05", [("zh-Hans", alternate)])])
    root = ET.fromstring(text.encode("utf-8"))
    assert root.tag == f"{SITEMAP}urlset"
    (url,) = list(root)
    assert url.find(f"{SITEMAP}loc").text == hostile  # type: ignore[union-attr]
    assert url.find(f"{SITEMAP}lastmod").text == "2024-05"  # type: ignore[union-attr]
    link = url.find(f"{XHTML}link")
    assert link is not None
    assert link.attrib == {"rel": "alternate", "hreflang": "zh-Hans", "href": alternate}
    assert "<script" not in text


def _element_tree_sitemap(entries: list[Entry]) -> str:
    """The sitemap as ElementTree writes it, which sitemap_xml is written to match."""
    ET.register_namespace("", SITEMAP[1:-1])
    ET.register_namespace("xhtml", XHTML[1:-1])
    root = ET.Element(f"{SITEMAP}urlset")
    for entry in entries:
        url = ET.SubElement(root, f"{SITEMAP}url")
        ET.SubElement(url, f"{SITEMAP}loc").text = entry.loc
        ET.SubElement(url, f"{SITEMAP}lastmod").text = entry.lastmod
        for hreflang, href in entry.alternates:
            attributes = {"rel": "alternate", "hreflang": hreflang, "href": href}
            ET.SubElement(url, f"{XHTML}link", attributes)
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


@pytest.mark.parametrize(
    "entries",
    [
        [],
        [Entry("https://x.org/a&b/<script>/", "2024-05")],
        [
            Entry("https://x.org/", "2024", [("zh-Hans", 'https://x.org/zh/?q="1"&r=2\t\n')]),
            Entry("https://x.org/b/", "2024-05-24", [("en", "https://x.org/b/")]),
            Entry("https://x.org/c/", "2024"),
        ],
    ],
)
def test_the_sitemap_is_the_text_an_xml_serializer_writes(entries: list[Entry]):
    assert sitemap_xml(entries) == _element_tree_sitemap(entries)


def test_robots_txt_takes_only_a_valid_url():
    url = "https://x.org/a%26b/sitemap.xml"
    assert robots_txt(url).splitlines()[-1] == f"Sitemap: {url}"
    for bad in ("https://x.org/\nDisallow: /", "https://x.org/ x", "javascript:alert(1)"):
        with pytest.raises(ValueError):
            robots_txt(bad)


HOSTILE_TEXT = "</script><script>alert(1)</script> & \u2028\u2029 <!--"


@pytest.fixture
def hostile_site(project: Path, mini, tmp_path: Path, run_cli) -> Path:
    """The made-up site with markup and line separators in a source, a region (a chart's
    category), a chart's title and the story's headline."""
    hostile = json.dumps(HOSTILE_TEXT)
    content = mini(
        {
            "data/sources.yaml": MINI["data/sources.yaml"].replace(
                'title: "Source A"', f"title: {hostile}"
            ),
            "charts.yaml": MINI["charts.yaml"].replace(
                'title: "Growth in 2023"', f"title: {hostile}"
            ),
            "pages/index.md": MINI["pages/index.md"].replace(
                'title: "Test story"', f"title: {hostile}"
            ),
            "data/regions.yaml": MINI["data/regions.yaml"].replace(
                "name: Beta", f"name: {hostile}"
            ),
        }
    )
    out = tmp_path / "out"
    run = run_cli("build", "--project", project, "--content", content, "--output", out, "-q")
    assert run.code == 0, run.err
    return out


def _assert_escaped(json_text: str) -> None:
    for raw in ("<", ">", "&", "\u2028", "\u2029"):
        assert raw not in json_text, f"{raw!r} is written raw"
    assert "\\u003c/script\\u003e" in json_text


DOWNLOADS = [
    "data/sources.json",
    "charts/growth-2023/growth-2023.json",
    "charts/growth-2023/figure.json",
]


@pytest.mark.parametrize("download", DOWNLOADS)
def test_json_downloads_escape_markup_and_line_separators(hostile_site: Path, download: str):
    text = (hostile_site / download).read_text(encoding="utf-8")
    _assert_escaped(text)
    assert HOSTILE_TEXT in json.dumps(
        json.loads(text), ensure_ascii=False
    )  # the same data, read back


def test_json_ld_in_a_page_escapes_markup(hostile_site: Path):
    html = (hostile_site / "index.html").read_text(encoding="utf-8")
    (block,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    _assert_escaped(block)
    assert json.loads(block)["headline"] == HOSTILE_TEXT
