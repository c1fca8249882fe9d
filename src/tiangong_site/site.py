"""The build: load -> validate -> model -> charts -> render -> write, into a temporary
folder that replaces the output folder only when everything succeeded (see output.py).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import jinja2
from markupsafe import Markup

from . import __version__, drawing, i18n
from . import output as output_rules
from .charts import KINDS_BUNDLE, ChartOutput, build_charts, check_charts
from .content import Content, load_content
from .errors import ContentError, Problem, display_path
from .inside import files_under, inside, scan
from .linkcheck import check_links
from .pages import Job, SitePlan, plan_site
from .render import Urls, copy_hashed, hashed_name, make_environment
from .signed_cache import tracked_cache


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
        Everything in it is keyed by a digest of its inputs, so it is never stale, and
        signed with this machine's key, so a file it did not write is ignored."""
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


PLOTLY_BASIC = "node_modules/plotly.js-basic-dist-min/plotly-basic.min.js"
"""plotly.js-basic (bar and scatter traces; 0.39 MB gzipped), installed by `npm ci` from
package-lock.json. It draws every chart kind there is (KINDS_BUNDLE), so the site never
ships the 4.8 MB full bundle."""


PLOTLY_LOCALES = {"zh": ("node_modules/plotly.js-locales/zh-cn.js", "plotly-locale-zh-cn.js")}
"""plotly.js's own translations (months, "double-click" tips), by site language; from npm
`plotly.js-locales`, which ships them as CommonJS modules."""


def plotly_locale(project: Project, lang: str) -> bytes:
    """The locale as a browser script that registers itself with plotly.js (charts.js loads
    it after plotly.js, on the same request). Raises ContentError when it is not installed."""
    path = project.root / PLOTLY_LOCALES[lang][0]
    if not path.is_file():
        hint = "run `npm ci` in the project folder, or `make site`"
        raise ContentError([Problem(PLOTLY_LOCALES[lang][0], 1, 1, "plotly.js's locale is not installed", hint)])
    return b"(function(){var module={};\n" + path.read_bytes() + b"\nwindow.Plotly.register(module.exports);})();\n"


def plotly_bundle(project: Project, kinds: set[str]) -> tuple[Path, str]:
    """The plotly.js bundle to copy. Raises ContentError when it is not installed: a build
    that silently shipped a bigger substitute would pass every test and slow every reader."""
    assert kinds <= KINDS_BUNDLE, kinds  # the content model allows no other kind
    basic = project.root / PLOTLY_BASIC
    if not basic.is_file():
        hint = "run `npm ci` in the project folder, or `make site`"
        raise ContentError([Problem(PLOTLY_BASIC, 1, 1, "the plotly.js basic bundle is not installed", hint)])
    return basic, "plotly-basic.min.js"


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
    links = link_problems(project)
    if links:
        raise ContentError(links)
    content = load_content(project.content)
    problems = check_charts(content)
    problems += i18n.missing_translations(project.root, project.templates, content.site.languages, project.cache if write_cache else None)
    if problems:
        raise ContentError(problems)
    return content


def link_problems(project: Project) -> list[Problem]:
    """A problem for each symbolic link at or in a folder the build reads. The content folder
    may itself be anywhere when given on the command line (the user's explicit choice)."""
    default = project.root / "content"
    problems: list[Problem] = []
    if default.is_symlink() and default.resolve() == project.content:
        problems += scan(default, project.root)[1]
    problems += scan(project.content, project.content.parent)[1]  # shown as content/...
    for folder in (project.templates, project.static, project.root / "locales"):
        problems += scan(folder, project.root)[1]
    return problems


def _output_of(project: Project, content: Content, output: Path | None) -> tuple[Path, output_rules.Where]:
    """The resolved output folder, and where a problem with it is reported: at `output_dir`
    in site.yaml when it comes from there (a data-only change can edit it), else the path."""
    if output is not None:
        output = output.resolve()
        shown = display_path(output, project.root)
        return output, lambda message, hint: Problem(shown, 1, 1, message, hint)
    site_file = content.files["site"]
    output = (project.root / content.site.output_dir).resolve()

    def where(message: str, hint: str) -> Problem:
        return site_file.problem(("output_dir",), f"output_dir '{content.site.output_dir}': {message}", hint)

    if output == project.root or not output.is_relative_to(project.root):
        raise ContentError([where("it is outside the project", "name a folder inside the project, e.g. _site; to build elsewhere, pass --output")])
    return output, where


def build(
    project: Project,
    output: Path | None = None,
    base_url: str | None = None,
    progress: Progress | None = None,
    force: bool = False,
) -> BuildReport:
    """Build the whole site. Raises ContentError; the previous output is then untouched.

    The output is replaced only if the build made it (or it is empty or absent, or `force`
    and it is not part of the project); see output.py for the rules and the atomic swap."""
    started = time.perf_counter()
    tick = _Ticker(progress)
    tracked = tracked_cache(project.root)
    if tracked:
        raise ContentError(tracked)
    content = load_and_check(project, write_cache=False)  # a refused or failed build leaves no trace
    tick("content loaded")
    output, where = _output_of(project, content, output)
    sources = [project.content, project.templates, project.static]
    output_rules.check(project.root, sources, output, force, where)
    output.parent.mkdir(parents=True, exist_ok=True)
    with output_rules.locked(output, where):
        output_rules.recover(output)
        output_rules.check(project.root, sources, output, force, where)  # as it is now, locked
        tmp = output_rules.fresh_folder(output)
        try:
            count = write_site(project, content, tmp, base_url or content.site.base_url, tick)
            tmp.chmod(0o755)
            output_rules.swap_in(tmp, output)
        except BaseException:
            if tmp.exists():
                output_rules.remove_ours(tmp)
            raise
    if len(content.site.languages) > 1:
        i18n.messages_in_code(project.templates, project.cache)  # keep the extraction for next time
    seconds = time.perf_counter() - started
    files = count["files"] + 1  # and the marker that lets the next build replace the folder
    return BuildReport(count["pages"], count["charts"], files, seconds, output, content.warnings, count["assets"], count["plotly_name"], content, count["prepared"])


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


INLINED = {"style.css", "charts.css"}
"""Static files whose text goes into every page instead of being linked."""


def copy_assets(project: Project, content: Content, out: Path, urls: Urls) -> str:
    """Copy static/ and the plotly.js bundle into out/assets/ under hashed names; returns the bundle's name."""
    kinds = {spec.kind for spec in content.datasets["charts"]}
    plotly_path, plotly_name = plotly_bundle(project, kinds)
    urls.assets[plotly_name] = copy_hashed(plotly_path, plotly_name, out)
    for lang in content.site.languages:
        if lang in PLOTLY_LOCALES:
            name, data = PLOTLY_LOCALES[lang][1], plotly_locale(project, lang)
            urls.assets[name] = hashed_name(name, data)
            _write(out / urls.assets[name], data)
    for path in files_under(project.static, project.root):
        if path.relative_to(project.static).as_posix() not in INLINED:
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
    sheets = [inside(project.static / name, project.static, project.root) for name in ("style.css", "charts.css")]
    inline_css = Markup("\n".join(sheet.read_text(encoding="utf-8").strip() for sheet in sheets if sheet.is_file()))
    new_envs: dict[str, jinja2.Environment] = {}
    editions = {}
    for lang in languages:
        lang_urls = urls.for_language(f"{lang}/" if len(languages) > 1 else "")
        env = (envs or {}).get(lang) or make_environment(project.templates, lang_urls, lang, i18n.translations(project.root, lang), project.cache / "jinja")
        env.globals.update(plotly_asset=plotly_name, plotly_locale_asset=PLOTLY_LOCALES.get(lang, ("", ""))[1], site=content.site, generator=f"tiangong-site {__version__}", inline_css=inline_css)
        new_envs[lang] = env
        editions[lang] = ((charts or {}).get(lang) or build_charts(content, lang), lang_urls)
    # Charts built just now (not reused from the previous preview update) need drawings.
    fresh = {lang: built for lang, (built, _) in editions.items() if built is not (charts or {}).get(lang)}
    draw_charts(project, content, fresh)
    plan = plan_site(content, editions, urls)
    return Prepared(urls, new_envs, {lang: charts for lang, (charts, _) in editions.items()}, plan)


def draw_charts(project: Project, content: Content, editions: dict[str, dict[str, ChartOutput]]) -> None:
    """Give every chart its SVG drawings and preview image (drawing.py). Raises ContentError,
    at the first chart not drawn, when drawings are missing and Chromium cannot make them."""
    try:
        drawing.attach(editions, drawing.cache_folder(project.cache))
    except drawing.Unavailable as exc:
        chart_id = exc.missing[0].name.split("/")[0]
        ids = [spec.id for spec in content.datasets["charts"]]
        index = ids.index(chart_id) if chart_id in ids else 0
        raise ContentError([content.problem_at("charts", index, ("id",), exc.message, exc.hint)]) from None


def render_jobs(project: Project, prepared: Prepared, jobs: list[Job], tick: Progress | None = None) -> dict[str, str]:
    """Render pages to memory. Raises ContentError listing every page and template problem,
    and every address the plan found claimed twice."""
    problems: list[Problem] = list(prepared.plan.problems)
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
