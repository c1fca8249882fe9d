"""The build: load -> validate -> model -> charts -> render -> write, into a temporary
folder that replaces the output folder only when everything succeeded (see output.py).
"""

from __future__ import annotations

import gc
import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import jinja2
from markupsafe import Markup

from . import __version__, cjk, drawing, i18n, loader, markdown, share_image, workers
from . import memo as memo_of
from . import output as output_rules
from .brand import PLAIN, Brand, read_brand
from .charts import (
    KINDS_BUNDLE,
    ChartOutput,
    build_chart,
    check_charts,
    fill_placeholders,
    plotly_version,
)
from .collections import load_collections
from .content import Content, load_content, load_site
from .deps import SITE, RecordedMarkup, RecordedObject, asset_key, recording, templates_in
from .errors import ContentError, Problem, display_path
from .inside import files_under, inside, scan
from .languages import KNOWN
from .linkcheck import check_links, listing_of, page_links
from .pages import Job, SitePlan, plan_site
from .render import THEME, Urls, copy_hashed, hashed_name, make_environment
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
        return cls(
            root, (content or root / "content").resolve(), root / "templates", root / "static"
        )


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
    made_depends: frozenset[str] = frozenset()
    """The keys of what the assets the build makes (the share images) were made from: the
    preview builds the whole site again when one of them changes."""

    def summary(self) -> str:
        return (
            f"Built {self.pages} pages, {self.charts} charts, {self.files} files "
            f"in {self.seconds:.2f} s -> {self.output}"
        )


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


PLOTLY_LOCALES = {
    code: (f"node_modules/plotly.js-locales/{lang.plotly}.js", f"plotly-locale-{lang.plotly}.js")
    for code, lang in KNOWN.items()
    if lang.plotly
}
"""plotly.js's own translations (months, "double-click" tips), by site language (the locale
each language names in languages.KNOWN); from npm `plotly.js-locales`, which ships them as
CommonJS modules."""


ENGINE_CHECKOUT = Path(__file__).resolve().parents[2]
"""The engine's own checkout when it runs from one (an editable install): its node_modules
serve a project that has none of its own, such as one made by `tiangong-site init`."""


def installed(project: Project, relpath: str) -> Path:
    """An npm file from the project's node_modules; from the engine checkout's when the
    project has no node_modules at all (one that lacks the file is an install to repair)."""
    own = project.root / relpath
    if (project.root / "node_modules").exists() or not (ENGINE_CHECKOUT / relpath).is_file():
        return own
    return ENGINE_CHECKOUT / relpath


def plotly_locale(project: Project, lang: str) -> bytes:
    """The locale as a browser script that registers itself with plotly.js and makes itself
    every chart's locale (charts.js loads it after plotly.js, on the same request, and needs
    no language's name). Raises ContentError when it is not installed."""
    path = installed(project, PLOTLY_LOCALES[lang][0])
    if not path.is_file():
        hint = "run `npm ci` in the project folder, or `make site`"
        raise ContentError(
            [Problem(PLOTLY_LOCALES[lang][0], 1, 1, "plotly.js's locale is not installed", hint)]
        )
    return (
        b"(function(){var module={};\n"
        + path.read_bytes()
        + b"\nwindow.Plotly.register(module.exports);"
        + b"window.Plotly.setPlotConfig({locale:module.exports.name});})();\n"
    )


def plotly_bundle(project: Project, kinds: set[str]) -> tuple[Path, str]:
    """The plotly.js bundle to copy. Raises ContentError when it is not installed: a build
    that silently shipped a bigger substitute would pass every test and slow every reader."""
    assert kinds <= KINDS_BUNDLE, kinds  # the content model allows no other kind
    basic = installed(project, PLOTLY_BASIC)
    if not basic.is_file():
        hint = "run `npm ci` in the project folder, or `make site`"
        raise ContentError(
            [Problem(PLOTLY_BASIC, 1, 1, "the plotly.js basic bundle is not installed", hint)]
        )
    return basic, "plotly-basic.min.js"


def template_problem(exc: Exception, project: Project) -> Problem:
    """A located problem for a broken template (syntax error or an error while rendering)."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        path = (
            display_path(Path(exc.filename), project.root)
            if exc.filename
            else f"templates/{exc.name}"
        )
        return Problem(
            path,
            exc.lineno or 1,
            1,
            f"template error: {exc.message}",
            "fix the Jinja syntax on this line",
        )
    frame = exc.__traceback__
    location = ("templates", 1)
    while frame is not None:
        filename = frame.tb_frame.f_code.co_filename
        if filename.startswith((str(project.templates), str(THEME))):
            location = (display_path(Path(filename), project.root), frame.tb_lineno)
        frame = frame.tb_next
    return Problem(
        location[0], location[1], 1, f"template error: {exc}", "check the names this template uses"
    )


def load_and_check(
    project: Project, write_cache: bool = True, fonts_early: bool = False
) -> Content:
    """Everything `check` does: load and validate content, then check the charts against the
    data. `fonts_early`: look up the share images' fonts while the content loads."""
    links = link_problems(project)
    if links:
        raise ContentError(links)
    if fonts_early:
        site_file, _ = load_site(project.content, [])  # loaded again, checked, just below
        if site_file is not None:
            share_image.look_up_early(site_file.languages)
    content = load_content(project.content)
    problems = check_charts(content)
    content.collections, found = load_collections(content)
    problems += found
    # A build reads the extraction kept by earlier builds, and keeps its own only once it succeeded.
    problems += i18n.missing_translations(
        project.root, project.templates, content.site.languages, project.cache, write_cache
    )
    if problems:
        raise ContentError(problems)
    # Numbers in the charts' words, from the rows they plot: made in the readers' languages
    # (so the build reuses them), once every column they name is known to exist.
    i18n.activate(project.root, content.site.languages, project.cache)
    problems = fill_placeholders(content)
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


def _output_of(
    project: Project, content: Content, output: Path | None
) -> tuple[Path, output_rules.Where]:
    """The resolved output folder, and where a problem with it is reported: at `output_dir`
    in site.yaml when it comes from there (a data-only change can edit it), else the path."""
    if output is not None:
        output = output.resolve()
        shown = display_path(output, project.root)
        return output, lambda message, hint: Problem(shown, 1, 1, message, hint)
    site_file = content.files["site"]
    output = (project.root / content.site.output_dir).resolve()

    def where(message: str, hint: str) -> Problem:
        return site_file.problem(
            ("output_dir",), f"output_dir '{content.site.output_dir}': {message}", hint
        )

    if output == project.root or not output.is_relative_to(project.root):
        raise ContentError(
            [
                where(
                    "it is outside the project",
                    "name a folder inside the project, e.g. _site; "
                    "to build elsewhere, pass --output",
                )
            ]
        )
    return output, where


@contextmanager
def _fewer_collections(restore: bool = True) -> Iterator[Callable[[], None]]:
    """Run a build with fewer passes of the cyclic garbage collector; yields `settle`, to
    call once the long-lived data (the content) is loaded.

    A build makes millions of objects that live until it ends. With the default thresholds
    the collector walked them again and again: 31 % of the wall time of a build of 10,000
    records. Loading makes records, not cyclic garbage, so the collector is off until
    `settle`, which freezes what exists (later full passes skip it) and turns the collector
    back on with young objects collected 100 times less often (mypy does the same). All is
    undone at the end if `restore`, so a long-running preview collects as usual between
    builds; a process that exits next does not restore it: with the usual threshold back,
    its next allocation made a pass over every object the build left young (4 to 7 ms)."""
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
        if restore:
            gc.unfreeze()
            gc.set_threshold(*threshold)
            if enabled:
                gc.enable()


def build(
    project: Project,
    output: Path | None = None,
    base_url: str | None = None,
    progress: Progress | None = None,
    force: bool = False,
    detach_removal: bool = False,
) -> BuildReport:
    """Build the whole site. Raises ContentError; the previous output is then untouched.

    The output is replaced only if the build made it (or it is empty or absent, or `force`
    and it is not part of the project); see output.py for the rules and the atomic swap.
    `detach_removal`: for a process that exits next, as the command line does: the old site
    is removed by a child process that outlives this one, and the garbage collector is left
    as the build tuned it (`_fewer_collections`)."""
    try:
        with _fewer_collections(restore=not detach_removal) as settle:
            return _build(project, output, base_url, progress, settle, force, detach_removal)
    finally:
        share_image.forget_early()  # what a build that failed early did not take


def _build(
    project: Project,
    output: Path | None,
    base_url: str | None,
    progress: Progress | None,
    settle: Callable[[], None],
    force: bool,
    detach_removal: bool = False,
) -> BuildReport:
    started = time.perf_counter()
    tick = _Ticker(progress)
    # git answers while the content loads, which reads no cached file unchecked (all signed)
    tracked = in_background(tracked_cache, project.root)
    try:
        # a failed build leaves no trace; the fonts are found while the content loads
        with loader.remembered(project.cache) as parsed:
            content = load_and_check(project, write_cache=False, fonts_early=True)
    except ContentError:
        _refuse_tracked(tracked())  # the first thing to fix
        raise
    _refuse_tracked(tracked())
    settle()
    tick("content loaded")
    output, where = _output_of(project, content, output)
    sources = [project.content, project.templates, project.static]
    output_rules.check(project.root, sources, output, force, where)
    output_rules.make_parent(output, where)
    with output_rules.locked(output, where) as lock:
        output_rules.recover(output)
        output_rules.check(project.root, sources, output, force, where)  # as it is now, locked
        tmp = output_rules.fresh_folder(output)
        try:
            with share_image.Aside() as aside:  # waited for (or ended) before publishing
                url = base_url or content.site.base_url
                count = write_site(project, content, tmp, url, tick, aside)
            tmp.chmod(0o755)
            output_rules.swap_in(tmp, output, lock if detach_removal else None)
        except BaseException:
            if tmp.exists():
                output_rules.remove_ours(tmp)
            raise
    parsed.save()
    if len(content.site.languages) > 1:
        i18n.keep_messages(project.cache)  # the extraction, for next time
    i18n.keep_compiled(project.root, content.site.languages, project.cache)
    seconds = time.perf_counter() - started
    files = count["files"] + 1  # and the marker that lets the next build replace the folder
    return BuildReport(
        count["pages"],
        count["charts"],
        files,
        seconds,
        output,
        content.warnings,
        count["assets"],
        count["plotly_name"],
        content,
        count["prepared"],
        count["made_depends"],
    )


T = TypeVar("T")


def in_background(call: Callable[..., T], *args: Any) -> Callable[[], T]:
    """Start `call(*args)` on a thread (it waits for another process); returns a function
    that waits for its result, or raises what it raised."""
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append((True, call(*args)))
        except BaseException as exc:
            outcome.append((False, exc))

    thread = threading.Thread(target=run, daemon=True)
    thread.start()

    def result() -> T:
        thread.join()
        ok, value = outcome[0]
        if not ok:
            raise value
        return value

    return result


def _refuse_tracked(tracked: list[Problem]) -> None:
    if tracked:
        raise ContentError(tracked)


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


def asset_files(project: Project, content: Content) -> tuple[dict[str, Path], str]:
    """Each static file the site links (by name) and the plotly.js bundle; and the bundle's name."""
    kinds = {spec.kind for spec in content.datasets["charts"]}
    files: dict[str, Path] = {}
    plotly_name = ""
    if kinds:  # a site without charts ships no plotly.js, and needs none installed
        plotly_path, plotly_name = plotly_bundle(project, kinds)
        files[plotly_name] = plotly_path
    for folder in (THEME_STATIC, project.static):  # the project's file wins over the theme's
        for path in files_under(folder, project.root):
            if path.relative_to(folder).as_posix() not in INLINED:
                files[path.relative_to(folder).as_posix()] = path
    return files, plotly_name


THEME_STATIC = THEME / "static"


def static_file(project: Project, name: str) -> Path:
    """The project's static/NAME, or the theme's when the project has none."""
    own = inside(project.static / name, project.static, project.root)
    return own if own.exists() or not (THEME_STATIC / name).is_file() else THEME_STATIC / name


def copy_assets(
    project: Project,
    content: Content,
    out: Path,
    urls: Urls,
    aside: share_image.Aside | None = None,
) -> str:
    """Copy static/ and the plotly.js bundle into out/assets/ under hashed names, and write
    the assets the build makes; returns the bundle's name. Share images not in the cache are
    drawn by `aside` in another process when it can (the caller waits for it)."""
    files, plotly_name = asset_files(project, content)
    for name, path in files.items():
        urls.assets[name] = copy_hashed(path, name, out)
    shares = share_plans(project, content)
    for name, planned in shares.items():
        urls.assets[name] = planned.target
    share_image.write(list(shares.values()), out, project.cache / "share", aside)
    for name, data in plotly_locales(project, content).items():
        target = hashed_name(name, data)
        _write(os.path.join(out, target), data)
        urls.assets[name] = target
    return plotly_name


def name_assets(project: Project, content: Content, urls: Urls) -> str:
    """The hashed names copy_assets would give, without copying: for `check`."""
    files, plotly_name = asset_files(project, content)
    for name, path in files.items():
        urls.assets[name] = hashed_name(name, path.read_bytes())
    for name, planned in share_plans(project, content).items():
        urls.assets[name] = planned.target  # named by what it is drawn from: not drawn here
    for name, data in plotly_locales(project, content).items():
        urls.assets[name] = hashed_name(name, data)
    return plotly_name


def made_assets(
    project: Project, content: Content, cache: Path | None
) -> dict[str, tuple[str, bytes]]:
    """Assets the build makes rather than copies, by asset name, each with its file in the
    site and its bytes: each language's share image, and plotly.js's locale for languages
    it has one for (only where charts are drawn)."""
    made = {
        name: (planned.target, share_image.png_of(planned, cache))
        for name, planned in share_plans(project, content).items()
    }
    for name, data in plotly_locales(project, content).items():
        made[name] = (hashed_name(name, data), data)
    return made


def plotly_locales(project: Project, content: Content) -> dict[str, bytes]:
    """plotly.js's locale of each language it has one for, by asset name, where charts are
    drawn."""
    if not content.datasets["charts"]:
        return {}
    return {
        PLOTLY_LOCALES[lang][1]: plotly_locale(project, lang)
        for lang in content.site.languages
        if lang in PLOTLY_LOCALES
    }


def share_images(project: Project, content: Content, cache: Path | None) -> dict[str, bytes]:
    """Each language's share image, drawn from its headline in the brand's colours (or taken
    from `cache`), by asset name."""
    return {
        name: share_image.png_of(planned, cache)
        for name, planned in share_plans(project, content).items()
    }


def share_plans(project: Project, content: Content) -> dict[str, share_image.Planned]:
    """Each language's share image as it will be drawn (its card, in the brand's colours, its
    fonts and its key), by asset name."""
    # the card's footer is translated
    i18n.activate(project.root, content.site.languages, project.cache)
    # The card is drawn in the site's colours, as the charts are (greys for a site without charts,
    # whose stylesheet need not name them).
    style = static_file(project, "style.css")
    brand = (
        read_brand(style, display_path(style, project.root))
        if content.datasets["charts"]
        else PLAIN
    )
    faces = share_image.faces_for(content.site.languages)
    return {
        share_image.asset_name(lang): share_image.plan(
            share_image.card_for(content, lang, brand), faces[lang]
        )
        for lang in content.site.languages
    }


def _brand(project: Project, content: Content, style: Path) -> Brand:
    """The stylesheet's brand colours; greys for a site without charts whose stylesheet names
    none (only charts require them: a share card can be grey)."""
    try:
        return read_brand(style, display_path(style, project.root))
    except ContentError:
        if content.datasets["charts"]:
            raise
        return PLAIN


def prepare(
    project: Project,
    content: Content,
    urls: Urls,
    plotly_name: str,
    envs: dict[str, jinja2.Environment] | None = None,
    charts: dict[str, dict[str, ChartOutput]] | None = None,
    write_cache: bool = True,
) -> Prepared:
    """Charts and plan for `content`, in each of its languages. Pass the previous `envs` to
    reuse their compiled templates (Jinja recompiles only template files changed on disk),
    and in `charts` the charts whose data and spec are unchanged (the others are drawn).
    Without `write_cache`, templates are compiled in memory only (`check` writes nothing)."""
    languages = content.site.languages
    i18n.activate(project.root, languages, project.cache)
    # The stylesheet is inlined: with it, the HTML of the first screen is all a reader's
    # browser needs to draw it, in one round trip (about 2 KB compressed).
    style = static_file(project, "style.css")
    sheets = [style, static_file(project, "charts.css")]
    inline_css = RecordedMarkup(
        Markup(
            "\n".join(
                sheet.read_text(encoding="utf-8").strip() for sheet in sheets if sheet.is_file()
            )
        ),
        [asset_key(name) for name in sorted(INLINED)],
    )
    # Charts take their colours from the stylesheet; a site without charts needs none there.
    brand = _brand(project, content, style)
    new_envs: dict[str, jinja2.Environment] = {}
    held: dict[str, Any] = {}  # the languages' environments load each template once
    editions = {}
    figures = figure_memo(project, write_cache)
    for lang in languages:
        lang_urls = urls.for_language(content.site.folder(lang))
        env = (envs or {}).get(lang) or make_environment(
            project.templates,
            lang_urls,
            lang,
            i18n.translations(project.root, lang, project.cache),
            project.cache / "jinja" if write_cache else None,
            held,
        )
        env.globals.update(
            plotly_asset=plotly_name,
            site=RecordedObject(content.site, SITE),
            generator=f"tiangong-site {__version__}",
            inline_css=inline_css,
            share_image=share_image.asset_name(lang),
            plotly_locale_asset=PLOTLY_LOCALES.get(lang, ("", ""))[1],
        )
        new_envs[lang] = env
        kept = (charts or {}).get(lang) or {}
        drawn = {
            spec.id: kept.get(spec.id) or _chart(content, spec.id, lang, brand, figures)
            for spec in content.records("charts")
        }
        editions[lang] = (drawn, lang_urls)
    # Charts built just now (not reused from the previous preview update) need drawings.
    fresh = {
        lang: {
            cid: chart
            for cid, chart in built.items()
            if chart is not ((charts or {}).get(lang) or {}).get(cid)
        }
        for lang, (built, _) in editions.items()
    }
    draw_charts(project, content, fresh, brand)
    figures.save()
    plan = plan_site(content, editions, urls)
    return Prepared(urls, new_envs, {lang: charts for lang, (charts, _) in editions.items()}, plan)


def figure_memo(project: Project, write_cache: bool) -> memo_of.Memo:
    """Figures as plotly validated them in earlier builds (see charts.validated)."""
    folder = project.cache if write_cache else None
    return memo_of.Memo(folder, "figures", memo_of.digest(plotly_version()))


def _chart(
    content: Content, chart_id: str, lang: str, brand: Brand, memo: memo_of.Memo | None = None
) -> ChartOutput:
    """A chart, with the keys of what it was made from (its spec, its rows' data): the
    preview draws it again only when one of them changed."""
    with recording() as keys:
        chart = build_chart(content, content.index("charts")[chart_id], lang, brand, memo)
    chart.depends = frozenset(keys)
    return chart


def draw_charts(
    project: Project,
    content: Content,
    editions: dict[str, dict[str, ChartOutput]],
    brand: Brand = PLAIN,
) -> None:
    """Give every chart its SVG drawings and preview image (drawing.py). Raises ContentError,
    at the first chart not drawn, when drawings are missing and Chromium cannot make them."""
    try:
        drawing.attach(editions, drawing.cache_folder(project.cache), brand)
    except drawing.Unavailable as exc:
        chart_id = exc.missing[0].name.split("/")[0]
        ids = [spec.id for spec in content.datasets["charts"]]
        index = ids.index(chart_id) if chart_id in ids else 0
        raise ContentError(
            [content.problem_at("charts", index, ("id",), exc.message, exc.hint)]
        ) from None


def render_jobs(
    project: Project,
    prepared: Prepared,
    jobs: list[Job],
    tick: Progress | None = None,
    processes: int = 1,
    out: Path | None = None,
    keep: bool = True,
    memos: Sequence[memo_of.Memo] = (),
) -> dict[str, Any]:
    """Render pages to memory, in `processes` processes (workers.py), each job keeping the
    keys of what it read (`Job.depends`, sent back from the worker with the page). Raises
    ContentError listing every page and template problem, and every address the plan found
    claimed twice.

    With `out`, the process that renders a page also writes it there, at once (workers write
    side by side), and sends back its HTML only if `keep`, else its links and ids
    (linkcheck.PageLinks): 10,000 pages are not all held in memory, nor copied back from
    the workers. What the workers add to `memos` is added to them here too, so that it is
    saved."""
    problems: list[Problem] = list(prepared.plan.problems)
    rendered: dict[str, Any] = {}
    folders: set[str] = set()

    def one(job: Job) -> tuple[Any, list[Problem], frozenset[str]]:
        """The page's HTML or PageLinks (None if it failed), its problems and the keys of
        what it read."""
        try:
            html, page_problems, keys = job.render(prepared.envs[job.lang], prepared.plan)
        except ContentError as exc:
            return None, exc.problems, job.depends
        except jinja2.TemplateError as exc:
            return None, [template_problem(exc, project)], job.depends
        if out is not None:
            _write(os.path.join(out, job.path), html, folders)
            return (html if keep else page_links(html)), page_problems, keys
        return html, page_problems, keys

    def done(count: int) -> None:
        if tick:
            tick(f"rendered {count}/{len(jobs)} pages")

    weights = None
    if processes > 1:
        weights = [job.weight for job in jobs]
        _load_templates(prepared, jobs)
    kept = workers.Kept(lambda: [m.used for m in memos], lambda used: _merged(memos, used))
    results = workers.mapped(one, jobs, processes, done, weights, kept)
    for job, (html, page_problems, keys) in zip(jobs, results, strict=True):
        job.depends = keys  # recorded in the worker's copy of the job: the preview reads it
        problems.extend(page_problems)
        if html is not None:
            rendered[job.path] = html
    if problems:
        raise ContentError(problems)
    return rendered


def _load_templates(prepared: Prepared, jobs: list[Job]) -> None:
    """Load the pages' templates before the workers are forked, once, rather than in each
    process that renders a page of them (a template missing is reported by its pages)."""
    for lang, name in {(job.lang, job.template) for job in jobs}:
        try:
            prepared.envs[lang].get_template(name)
        except jinja2.TemplateError:
            pass


def _merged(memos: Sequence[memo_of.Memo], used: list[dict[str, Any]]) -> None:
    """Entries a worker used, marked used in the memos of this process (saved with them)."""
    for memo, entries in zip(memos, used, strict=True):
        memo.used.update(entries)


def write_site(
    project: Project,
    content: Content,
    out: Path,
    base_url: str,
    tick: Progress,
    aside: share_image.Aside | None = None,
) -> dict[str, Any]:
    """Write the site into `out`; `aside` draws the share images not in the cache beside the
    rendering (the caller waits for it before publishing `out`)."""
    urls = Urls(base_url)
    with recording(passed_on=False) as made_depends:
        plotly_name = copy_assets(project, content, out, urls, aside)
    prepared = prepare(project, content, urls, plotly_name)
    tick("charts built")
    jobs = prepared.plan.jobs
    # Pages are written as they are rendered; the typography check of a Chinese edition
    # reads them afterwards, so only then are they kept.
    keep = "zh" in content.site.languages
    with (
        markdown.remembered(project.cache) as prose,
        cjk.remembered(project.cache) as runs,
        _templates_as_loaded(prepared.envs),
    ):
        processes = workers.planned(len(jobs), sum(job.weight - 1 for job in jobs))
        pages = render_jobs(project, prepared, jobs, tick, processes, out, keep, (prose, runs))
    typography = typography_problems(project, prepared, pages, prepared.plan.files)
    if typography:
        raise ContentError(typography)
    folders: set[str] = set()
    for path, data in prepared.plan.files.items():
        _write(os.path.join(out, path), data, folders)
    # What was written, as `check` lists it: listing the folder again took 10,000 stat calls.
    listing = listing_of({*pages, *prepared.plan.files, *urls.assets.values()})
    problems = check_links(out, urls.base_path, pages, listing=listing)
    if problems:
        raise ContentError(problems)
    prose.save()
    runs.save()
    files = len(pages) + len(prepared.plan.files) + len(urls.assets)
    charts = len(
        content.datasets["charts"]
    )  # each chart once, however many languages it is drawn in
    return {
        "pages": prepared.plan.page_count,
        "charts": charts,
        "files": files,
        "assets": dict(urls.assets),
        "plotly_name": plotly_name,
        "prepared": prepared,
        "made_depends": frozenset(made_depends),
    }


@contextmanager
def _templates_as_loaded(envs: dict[str, jinja2.Environment]) -> Iterator[None]:
    """Render with the templates as first loaded: Jinja asks the disk whether a template
    changed each time a page asks for it (3 times a page here: 30,000 stat calls for 10,000
    pages), which a build, one snapshot of the project, need not. The preview, which keeps
    the environments, has them check again afterwards."""
    before = {lang: env.auto_reload for lang, env in envs.items()}
    for env in envs.values():
        env.auto_reload = False
    try:
        yield
    finally:
        for lang, env in envs.items():
            env.auto_reload = before[lang]


def _write(path: str, data: str | bytes, folders: set[str] | None = None) -> None:
    """Write a file of the output, making its folder unless `folders` (folders made so far)
    has it. Plain `os` calls: pathlib's were a third of the time of writing 10,000 pages."""
    folder = os.path.dirname(path)
    if folders is None or folder not in folders:
        _make_folder(folder)
        if folders is not None:
            folders.add(folder)
    # os.open, not open(): no buffered file object around each page's one write
    file = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | O_BINARY, 0o666)
    try:
        if isinstance(data, bytes):
            _write_all(file, data)
        for start in range(0, len(data) if isinstance(data, str) else 0, WRITTEN_AT_ONCE):
            # encoded a piece at a time: a download's text is not copied whole
            _write_all(file, data[start : start + WRITTEN_AT_ONCE].encode("utf-8"))
    finally:
        os.close(file)


O_BINARY = getattr(os, "O_BINARY", 0)
"""Windows' flag for bytes as they are; 0 elsewhere."""


def _write_all(file: int, data: bytes) -> None:
    """os.write until every byte is written (one call writes fewer when interrupted)."""
    view = memoryview(data)
    while view:
        view = view[os.write(file, view) :]


def _make_folder(folder: str) -> None:
    """os.makedirs(folder, exist_ok=True), in one call when its parent exists (a page's
    folder beside the others): makedirs asks the disk first whether the parent exists."""
    try:
        os.mkdir(folder)
    except FileExistsError:
        if not os.path.isdir(folder):
            raise
    except FileNotFoundError:
        os.makedirs(folder, exist_ok=True)


WRITTEN_AT_ONCE = 1 << 20
"""Characters of a text encoded at a time when written."""


ALLOWED_LATIN = Path("locales/zh/allowed-latin.txt")
"""The Latin-script names, units and codes the Chinese edition may print (see cjk.py)."""

Place = tuple[str, int, int, str, str]
"""Where a finding was written (path, line, column), its kind, and what it says."""


def typography_problems(
    project: Project,
    prepared: Prepared,
    pages: dict[str, str],
    files: dict[str, str | bytes],
    write_cache: bool = True,
    kept: dict[str, memo_of.Memo] | None = None,
) -> list[Problem]:
    """The Chinese edition's house style, checked on what the build wrote: each Latin word
    not allowed, each half-width mark or stray space beside Chinese text, each bilingual
    value in a Chinese download, located at the data file, catalogue entry or template
    that wrote it. A site without Chinese has nothing to check. The preview passes `kept`
    (by salt) to check page after page with one memo, read once and never saved: saved,
    it would hold only the few pages an update checked."""
    content = prepared.plan.content
    if content is None or "zh" not in content.site.languages:
        return []
    allowed = cjk.Allowlist.read(project.root / ALLOWED_LATIN)
    memo = typography_memo(project, allowed, write_cache)
    if kept is not None:
        memo = kept.setdefault(memo.salt, memo)
    made: list[cjk.Writers] = []

    def writers() -> cjk.Writers:
        """Made for the first finding: it reads every content file and the catalogue."""
        if not made:
            made.append(cjk.Writers(project.root, project.content, project.templates, prepared.env))
        return made[0]

    seen: dict[Place, list[str]] = {}
    jobs = {job.path: job for job in prepared.plan.jobs}

    def templates_of(job: Job) -> list[str]:
        """The page's template first, then every one it used (recorded as it rendered)."""
        used = templates_in(job.depends or ())
        return sorted(set(used) | {job.template}, key=lambda n: (n != job.template, n))

    for path, html in pages.items():
        job = jobs[path]
        for finding in _findings(memo, path, html, allowed, i18n.HTML_LANG[job.lang]):
            place = _locate(
                writers,
                finding,
                lambda job=job: templates_of(job),
                f"templates/{job.template}",
            )
            seen.setdefault(place, []).append(path)
    prefix = content.site.folder("zh")
    others = [content.site.folder(lang) for lang in content.site.languages if lang != "zh"]
    for path, data in files.items():
        if any(folder and path.startswith(folder) for folder in others):
            continue  # another edition's (the Chinese one may be at the root)
        if path.startswith(prefix) and path.endswith((".svg", ".csv", ".json")):
            origin = prepared.plan.origins.get(path)
            fallback = (
                origin.path if origin is not None and origin.path else "src/tiangong_site/tables.py"
            )
            for finding in _findings(memo, path, data, allowed, i18n.HTML_LANG["zh"]):
                seen.setdefault(_locate(writers, finding, list, fallback), []).append(path)
    if not seen and kept is None:
        memo.save()  # a clean edition's results only: a failed build leaves no trace
    problems = []
    for (where, line, column, kind, message), outputs in seen.items():
        more = f" and {len(set(outputs)) - 1} more" if len(set(outputs)) > 1 else ""
        problems.append(
            Problem(where, line, column, f"{message} (in {outputs[0]}{more})", cjk.HINTS[kind])
        )
    return problems


def typography_memo(project: Project, allowed: cjk.Allowlist, write_cache: bool) -> memo_of.Memo:
    """The typography check's findings of earlier builds, by a digest of the checked file: the
    check reads every text of the Chinese edition, and most of it has not changed since."""
    salt = memo_of.digest(memo_of.source_digest(cjk.__file__), "\n".join(allowed.phrases))
    folder = project.cache if write_cache else None
    return memo_of.Memo(folder, "typography", salt)


def _findings(
    memo: memo_of.Memo, path: str, data: str | bytes, allowed: cjk.Allowlist, lang: str
) -> list[cjk.Finding]:
    """cjk.file_findings, from the memo when this file was checked before."""
    if isinstance(data, bytes):
        return []
    key = memo_of.digest(lang, path.rpartition(".")[2], data)
    kept = memo.get(key)
    if kept is None:
        found = cjk.file_findings(path, data, allowed, lang)
        memo.put(key, [[f.kind, f.found, f.context, f.line] for f in found])
        return found
    return [cjk.Finding(kind, text, context, line) for kind, text, context, line in kept]


def _locate(
    made: Callable[[], cjk.Writers],
    finding: cjk.Finding,
    templates: Callable[[], list[str]],
    fallback: str,
) -> Place:
    """The content file, catalogue entry or template whose text holds the finding."""
    message = finding.describe()
    writers = made()
    in_content = writers.in_content(finding)
    if in_content:
        return (*in_content, finding.kind, message)
    in_catalogue = writers.in_catalogue(finding)
    if in_catalogue:
        line, msgid = in_catalogue
        return (
            "locales/zh/LC_MESSAGES/messages.po",
            line,
            1,
            finding.kind,
            f"{message}, in the translation of {msgid!r}",
        )
    in_template = writers.in_templates(finding, templates())
    if in_template:
        return (in_template[0], in_template[1], 1, finding.kind, message)
    return (fallback, 1, 1, finding.kind, message)
