"""The build: load -> validate -> model -> charts -> render -> write, into a temporary
folder that replaces the output folder only when everything succeeded.
"""

from __future__ import annotations

import gc
import importlib.util
import os
import shutil
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

import jinja2
from markupsafe import Markup

from . import __version__, i18n
from .charts import KINDS_BUNDLE, ChartOutput, build_charts, check_charts
from .content import Content, load_content
from .errors import ContentError, Problem, display_path
from .linkcheck import check_links
from .pages import Job, SitePlan, plan_site
from .render import Urls, copy_hashed, make_environment


@dataclass
class Project:
    """Where things are: the project folder and its content, templates and static folders."""

    root: Path
    content: Path
    templates: Path
    static: Path

    @property
    def cache(self) -> Path:
        """Where the build keeps what it can reuse: compiled templates, extracted messages.
        Everything in it is keyed by a digest of its inputs, so it is never stale."""
        return self.root / ".cache"

    @classmethod
    def at(cls, root: Path, content: Path | None = None) -> Project:
        root = root.resolve()
        return cls(root, (content or root / "content").resolve(), root / "templates", root / "static")


@dataclass
class BuildReport:
    pages: int
    charts: int
    files: int
    seconds: float
    output: Path
    warnings: list[Problem] = field(default_factory=list)
    assets: dict[str, str] = field(default_factory=dict)
    plotly_name: str = ""
    content: Content | None = field(default=None, repr=False)
    prepared: Prepared | None = field(default=None, repr=False)
    """What the build loaded and planned, for the preview to reuse rather than redo."""

    def summary(self) -> str:
        return f"Built {self.pages} pages, {self.charts} charts, {self.files} files in {self.seconds:.2f} s -> {self.output}"


Progress = Callable[[str], None]


class _Ticker:
    """Reports progress only once a build has taken longer than a second."""

    def __init__(self, report: Progress | None):
        self.report, self.start, self.last = report, time.perf_counter(), 0.0

    def __call__(self, message: str) -> None:
        now = time.perf_counter()
        if self.report and now - self.start > 1.0 and now - self.last > 0.5:
            self.last = now
            self.report(message)


def plotly_bundle(project: Project, kinds: set[str]) -> tuple[Path, str]:
    """The smallest installed plotly.js bundle that draws every chart kind used.

    plotly.js-basic (bar, scatter, pie; 0.39 MB gzipped) comes from npm (`npm ci`);
    the full bundle shipped inside the `plotly` Python package (1.47 MB gzipped) is
    the fallback when basic is not installed or a chart needs more.
    """
    basic = project.root / "node_modules" / "plotly.js-basic-dist-min" / "plotly-basic.min.js"
    if kinds <= KINDS_BUNDLE and basic.is_file():
        return basic, "plotly-basic.min.js"
    plotly = importlib.util.find_spec("plotly")  # where it is, without importing it (slow)
    assert plotly is not None and plotly.origin is not None, "plotly is a dependency"
    return Path(plotly.origin).parent / "package_data" / "plotly.min.js", "plotly.min.js"


def template_problem(exc: Exception, project: Project) -> Problem:
    """A located problem for a broken template (syntax error or an error while rendering)."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        path = display_path(Path(exc.filename), project.root) if exc.filename else f"templates/{exc.name}"
        return Problem(path, exc.lineno or 1, 1, f"template error: {exc.message}", "fix the Jinja syntax on this line")
    frame = exc.__traceback__
    location = ("templates", 1)
    while frame is not None:
        filename = frame.tb_frame.f_code.co_filename
        if filename.startswith(str(project.templates)):
            location = (display_path(Path(filename), project.root), frame.tb_lineno)
        frame = frame.tb_next
    return Problem(location[0], location[1], 1, f"template error: {exc}", "check the names this template uses")


def load_and_check(project: Project, write_cache: bool = True) -> Content:
    """Everything `check` does: load and validate content, then check the charts against the data."""
    content = load_content(project.content)
    problems = check_charts(content)
    # A build reads the extraction kept by earlier builds, and keeps its own only once it succeeded.
    problems += i18n.missing_translations(project.root, project.templates, content.site.languages, project.cache, write_cache)
    if problems:
        raise ContentError(problems)
    return content


def _refuse_unsafe_output(project: Project, output: Path) -> None:
    """The output folder is replaced whole: it must not hold, or be inside, the project's sources."""
    sources = [project.content, project.templates, project.static]
    if any(folder.is_relative_to(output) for folder in [project.root, *sources]) or any(output.is_relative_to(folder) for folder in sources):
        raise ContentError(
            [Problem(str(output), 1, 1, "refusing to build here: replacing this folder would delete or overwrite the project's own files", "choose a folder of its own, e.g. _site")]
        )


def _swap_in(tmp: Path, output: Path) -> None:
    """Replace output with tmp, so readers (and the preview) never see a half-written site."""
    old = None
    if output.exists():
        old = output.with_name(f".{output.name}.old-{os.getpid()}")
        output.rename(old)
    tmp.rename(output)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


@contextmanager
def _fewer_collections() -> Iterator[Callable[[], None]]:
    """Run a build with fewer passes of the cyclic garbage collector; yields `settle`, to
    call once the long-lived data (the content) is loaded.

    A build makes millions of objects that live until it ends. With the default thresholds
    the collector walked them again and again: 31 % of the wall time of a build of 10,000
    records. Loading makes records, not cyclic garbage, so the collector is off until
    `settle`, which freezes what exists (later full passes skip it) and turns the collector
    back on with young objects collected 100 times less often (mypy does the same). All is
    undone at the end, so a long-running preview collects as usual between builds."""
    threshold, enabled = gc.get_threshold(), gc.isenabled()
    gc.disable()

    def settle() -> None:
        gc.freeze()
        gc.set_threshold(70_000, 20, 20)
        if enabled:
            gc.enable()

    try:
        yield settle
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)
        if enabled:
            gc.enable()


def build(
    project: Project,
    output: Path | None = None,
    base_url: str | None = None,
    progress: Progress | None = None,
) -> BuildReport:
    """Build the whole site. Raises ContentError; the previous output is then untouched."""
    with _fewer_collections() as settle:
        return _build(project, output, base_url, progress, settle)


def _build(project: Project, output: Path | None, base_url: str | None, progress: Progress | None, settle: Callable[[], None]) -> BuildReport:
    started = time.perf_counter()
    tick = _Ticker(progress)
    content = load_and_check(project, write_cache=False)  # a refused or failed build leaves no trace
    settle()
    tick("content loaded")
    output = (output or project.root / content.site.output_dir).resolve()
    _refuse_unsafe_output(project, output)
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{output.name}.build-", dir=output.parent))
    try:
        count = write_site(project, content, tmp, base_url or content.site.base_url, tick)
        tmp.chmod(0o755)
        _swap_in(tmp, output)
        if len(content.site.languages) > 1:
            i18n.messages_in_code(project.templates, project.cache)  # keep the extraction for next time
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    seconds = time.perf_counter() - started
    return BuildReport(count["pages"], count["charts"], count["files"], seconds, output, content.warnings, count["assets"], count["plotly_name"], content, count["prepared"])


@dataclass
class Prepared:
    """Everything rendering needs, made once per build: URLs, one Jinja environment per
    language, each language's charts, and the plan of every page."""

    urls: Urls
    envs: dict[str, jinja2.Environment]
    charts: dict[str, dict[str, ChartOutput]]
    plan: SitePlan

    @property
    def env(self) -> jinja2.Environment:
        """Any language's environment: they share the template loader."""
        return next(iter(self.envs.values()))


INLINED = {"style.css"}
"""Static files whose text goes into every page instead of being linked."""


def copy_assets(project: Project, content: Content, out: Path, urls: Urls) -> str:
    """Copy static/ and the plotly.js bundle into out/assets/ under hashed names; returns the bundle's name."""
    kinds = {spec.kind for spec in content.datasets["charts"]}
    plotly_path, plotly_name = plotly_bundle(project, kinds)
    urls.assets[plotly_name] = copy_hashed(plotly_path, plotly_name, out)
    for path in sorted(project.static.rglob("*")):
        if path.is_file() and path.relative_to(project.static).as_posix() not in INLINED:
            name = path.relative_to(project.static).as_posix()
            urls.assets[name] = copy_hashed(path, name, out)
    return plotly_name


def prepare(
    project: Project,
    content: Content,
    urls: Urls,
    plotly_name: str,
    envs: dict[str, jinja2.Environment] | None = None,
    charts: dict[str, dict[str, ChartOutput]] | None = None,
) -> Prepared:
    """Charts and plan for `content`, in each of its languages. Pass the previous `envs` to
    reuse their compiled templates (Jinja recompiles only template files changed on disk)."""
    languages = content.site.languages
    i18n.activate(project.root, languages)
    # The stylesheet is inlined: with it, the HTML of the first screen is all a reader's
    # browser needs to draw it, in one round trip (about 2 KB compressed).
    inline_css = Markup((project.static / "style.css").read_text(encoding="utf-8").strip())
    new_envs: dict[str, jinja2.Environment] = {}
    editions = {}
    for lang in languages:
        lang_urls = urls.for_language(f"{lang}/" if len(languages) > 1 else "")
        env = (envs or {}).get(lang) or make_environment(project.templates, lang_urls, lang, i18n.translations(project.root, lang), project.cache / "jinja")
        env.globals.update(plotly_asset=plotly_name, site=content.site, generator=f"tiangong-site {__version__}", inline_css=inline_css)
        new_envs[lang] = env
        editions[lang] = ((charts or {}).get(lang) or build_charts(content, lang), lang_urls)
    plan = plan_site(content, editions, urls)
    return Prepared(urls, new_envs, {lang: charts for lang, (charts, _) in editions.items()}, plan)


def render_jobs(project: Project, prepared: Prepared, jobs: list[Job], tick: Progress | None = None) -> dict[str, str]:
    """Render pages to memory. Raises ContentError listing every page and template problem."""
    problems: list[Problem] = []
    rendered: dict[str, str] = {}
    for i, job in enumerate(jobs):
        try:
            html, page_problems = job.render(prepared.envs[job.lang], prepared.plan)
        except ContentError as exc:
            problems.extend(exc.problems)
            continue
        except jinja2.TemplateError as exc:
            problems.append(template_problem(exc, project))
            continue
        problems.extend(page_problems)
        rendered[job.path] = html
        if tick and i % 50 == 0:
            tick(f"rendered {i}/{len(jobs)} pages")
    if problems:
        raise ContentError(problems)
    return rendered


def write_site(project: Project, content: Content, out: Path, base_url: str, tick: Progress) -> dict[str, Any]:
    urls = Urls(base_url)
    plotly_name = copy_assets(project, content, out, urls)
    prepared = prepare(project, content, urls, plotly_name)
    tick("charts built")
    pages = render_jobs(project, prepared, prepared.plan.jobs, tick)
    folders: set[Path] = set()
    for path, data in [*pages.items(), *prepared.plan.files.items()]:
        _write(out / path, data, folders)
    problems = check_links(out, urls.base_path, pages)
    if problems:
        raise ContentError(problems)
    files = len(pages) + len(prepared.plan.files) + len(urls.assets)
    charts = len(content.datasets["charts"])  # each chart once, however many languages it is drawn in
    return {"pages": prepared.plan.page_count, "charts": charts, "files": files, "assets": dict(urls.assets), "plotly_name": plotly_name, "prepared": prepared}


def _write(path: Path, data: str | bytes, folders: set[Path] | None = None) -> None:
    if folders is None or path.parent not in folders:
        path.parent.mkdir(parents=True, exist_ok=True)
        if folders is not None:
            folders.add(path.parent)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
