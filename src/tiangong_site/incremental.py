"""Incremental rebuilds for the preview: re-render exactly the pages an edit touches.

Every page records what it read while it was made (deps.py): records, pages' front matter
and bodies, site settings, templates, catalogues, assets, charts. On an update the builder
finds which source files changed, turns them into the keys they change (comparing the old
content with the new, record by record and page by page), re-renders the pages whose
recorded keys changed, and writes only files whose bytes changed. What it cannot turn
into keys (a new stylesheet colour, a changed language list, a file it does not know)
rebuilds the whole site: never a stale page. If the content or a template is broken,
nothing is written and the last good site stays served; the problems are returned for
the error overlay.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from . import i18n, markdown
from .brand import read_brand
from .charts import ChartOutput
from .content import Content, key_field
from .declared import keep_reads
from .deps import (
    SITE,
    RecordedMarkup,
    asset_key,
    chart_key,
    messages_key,
    recording,
    template_key,
)
from .errors import ContentError, Problem, display_path
from .inside import shown
from .linkcheck import check_links
from .memo import Memo
from .pages import Job
from .render import install_translations
from .site import (
    INLINED,
    BuildReport,
    Prepared,
    Project,
    build,
    load_and_check,
    made_assets,
    prepare,
    static_file,
    template_problem,
    typography_problems,
)

RECENT_NS = 2_000_000_000
"""Files changed this recently are read again by every scan, whatever their times say."""

STRUCTURE = ("languages", "default_language", "base_url", "output_dir")
"""Site settings that shape the whole site (its folders, its addresses): a change to one
rebuilds everything. Any other setting is the key `site`, which pages record as read."""


@dataclass
class Update:
    """What one update did."""

    changed: list[str] = field(default_factory=list)
    rendered: list[str] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    full: bool = False
    problems: list[Problem] = field(default_factory=list)
    seconds: float = 0.0
    repeated: bool = False
    """No source changed since the last update: it did nothing, and reports that one's problems."""

    @property
    def ok(self) -> bool:
        return not any(p.severity == "error" for p in self.problems)


@dataclass
class Changes:
    """What an edit changed, as the keys pages record (deps.py)."""

    keys: set[str] = field(default_factory=set)
    prefixes: set[str] = field(default_factory=set)
    """Every key under these changed (a dataset's groups, when its records moved)."""
    full: bool = False
    """Something changed that no key stands for: build the whole site."""

    def touch(self, depends: frozenset[str] | None) -> bool:
        """Whether a page (or a chart) that read `depends` may have changed; an unknown
        reading (None: never made) is touched."""
        if depends is None:
            return True
        if self.keys & depends:
            return True
        return bool(self.prefixes) and any(k.startswith(tuple(self.prefixes)) for k in depends)

    def untouched(self, depends: frozenset[str]) -> bool:
        return not self.touch(depends)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class IncrementalBuilder:
    """Keeps a built site up to date with its sources, one change at a time."""

    def __init__(
        self,
        project: Project,
        output: Path | None = None,
        base_url: str | None = None,
        force: bool = False,
    ):
        self.project = project
        self.output = output
        self.base_url = base_url
        self.force = force  # replace an output folder no build made (`serve --force`)
        self.inputs: dict[str, str] = {}
        self.outputs: dict[str, str] = {}
        self.prepared: Prepared | None = None
        self.last_problems: list[Problem] = []
        self.content: Content | None = None
        self.made_depends: frozenset[str] = frozenset()
        self._stats: dict[Path, tuple[tuple[int, ...], str]] = {}
        self._scanned: dict[str, str] | None = None  # the sources as the last update saw them
        self._prose: Memo | None = None  # Markdown conversions (see _render)
        self._typography: dict[str, Memo] = {}  # findings by salt (see typography_problems)
        keep_reads()  # each update loads the content again: only saved files are read again
        self.generation = 0
        """Counts the builds written to the output: the preview stamps each page it serves with
        it, so a browser can tell that the page it shows is behind."""

    # -- inputs ---------------------------------------------------------------

    def _scan(self) -> dict[str, str]:
        found = {}
        for folder in (
            self.project.content,
            self.project.templates,
            self.project.static,
            self.project.root / "locales",
        ):
            # display_path of each file, resolved once per folder rather than per file (the
            # scan runs after every save); a linked file or folder inside is never followed.
            prefix = display_path(folder, self.project.root) + "/"
            for path in folder.rglob("*"):
                if path.is_symlink():  # seen as a change, never read: the build refuses it
                    found[shown(path, self.project.root)] = f"link:{os.readlink(path)}"
                elif (
                    path.is_file()
                    and not path.name.startswith((".", "#"))
                    and not path.name.endswith("~")
                ):
                    found[prefix + path.relative_to(folder).as_posix()] = self._digest(path)
        return found

    def _digest(self, path: Path) -> str:
        """The file's digest, read again only when its size or times changed, or it was
        changed lately (a second save within the file system's clock tick keeps its
        times): the scan after every save reads a few files, not all of them."""
        stat = path.stat()
        seen = (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)
        kept = self._stats.get(path)
        lately = time.time_ns() - max(stat.st_mtime_ns, stat.st_ctime_ns) < RECENT_NS
        if kept is None or kept[0] != seen or lately:
            kept = self._stats[path] = (seen, _digest(path))
        return kept[1]

    # -- builds ---------------------------------------------------------------

    def full_build(self) -> BuildReport:
        inputs = (
            self._scan()
        )  # before building: a file saved meanwhile is seen as changed next time
        report = build(self.project, self.output, self.base_url, force=self.force)
        self.output, self.inputs = report.output, inputs
        self.outputs = {
            p.relative_to(report.output).as_posix(): _digest(p)
            for p in report.output.rglob("*")
            if p.is_file()
        }
        assert report.prepared is not None
        self.content, self.prepared = (
            report.content,
            report.prepared,
        )  # fresh environments, from this build
        self.urls, self.plotly_name = report.prepared.urls, report.plotly_name
        self.made_depends = report.made_depends
        self.generation += 1
        return report

    def update(self) -> Update:
        """Bring the output up to date; never raises for content or template errors."""
        started = time.perf_counter()
        update = Update()
        current = self._scan()
        if current == self._scanned:  # nothing saved since the last update: same outcome
            return Update(problems=self.last_problems, repeated=True)
        self._scanned = current
        changed = {
            p for p in current.keys() | self.inputs.keys() if current.get(p) != self.inputs.get(p)
        }
        if not changed:  # the sources are back to the last good state: nothing to report
            self.last_problems = []
            return update
        update.changed = sorted(changed)
        try:
            if not self.outputs or self.prepared is None:
                self._full(update)
            else:
                self._partial(update, changed)
        except ContentError as exc:
            update.problems = exc.problems
        except jinja2.TemplateError as exc:
            update.problems = [template_problem(exc, self.project)]
        except Exception as exc:  # never let a surprise stop the preview; say what happened
            update.problems = [
                Problem(
                    "(build)",
                    1,
                    1,
                    f"unexpected error: {type(exc).__name__}: {exc}",
                    "run `tiangong-site build --debug` for the traceback",
                )
            ]
        if update.ok:
            self.inputs = current
        self.last_problems = update.problems
        update.seconds = time.perf_counter() - started
        return update

    def _full(self, update: Update) -> None:
        update.full = True
        before = dict(self.outputs)
        self.full_build()
        update.written = sorted(p for p, h in self.outputs.items() if before.get(p) != h)
        update.removed = sorted(before.keys() - self.outputs.keys())
        assert self.prepared is not None
        update.rendered = [job.path for job in self.prepared.plan.jobs]

    def _partial(self, update: Update, changed: set[str]) -> None:
        """Re-render the pages the changed files touch, check it all in memory, and only
        then write it. The served folder is the last good build until every check has
        passed: a page with a broken link is never written, not even for a moment."""
        assert self.prepared is not None and self.output is not None
        content, changes = self._changes(changed)
        if changes.full:
            self._full(update)
            return
        assets = dict(self.urls.assets)
        try:
            self._partial_of(update, content, changes)
        except BaseException:
            self.urls.assets.clear()  # the names of the assets served, not of those not written
            self.urls.assets.update(assets)
            raise

    def _partial_of(self, update: Update, content: Content, changes: Changes) -> None:
        assert self.prepared is not None and self.output is not None
        made, made_depends, stale = self._remade_assets(content, changes)
        old_jobs = {job.path: job for job in self.prepared.plan.jobs}
        charts = self._unchanged_charts(changes)
        prepared = prepare(
            self.project, content, self.urls, self.plotly_name, self.prepared.envs, charts
        )
        changes.keys |= self._redrawn(prepared.charts)
        affected = []
        for job in prepared.plan.jobs:
            old = old_jobs.get(job.path)
            if old is None or old.ambient() != job.ambient() or changes.touch(old.depends):
                affected.append(job)
            else:
                job.depends = old.depends  # made from what it was made from
        rendered = self._render(prepared, affected)
        changes_out = self._changed_files({**rendered, **prepared.plan.files, **made})
        new_files = {p: prepared.plan.files[p] for p in changes_out if p in prepared.plan.files}
        typography = typography_problems(
            self.project, prepared, rendered, new_files, kept=self._typography
        )
        if typography:
            raise ContentError(typography)
        update.rendered = sorted(rendered)
        gone = sorted(old_jobs.keys() - {job.path for job in prepared.plan.jobs}) + stale
        listing = _listing_after(self.outputs.keys() | changes_out.keys(), set(gone))
        # Pages left as they were are checked too: a link of theirs may point at a page now gone.
        checked = {job.path for job in affected}
        base = self.urls.base_path
        problems = check_links(self.output, base, rendered, only=checked, listing=listing)
        if any(p.severity == "error" for p in problems):
            raise ContentError(problems)
        self.prepared, self.content, self.made_depends = prepared, content, made_depends
        update.problems = problems
        self._write(update, changes_out, gone)

    # -- what changed ---------------------------------------------------------

    def _changes(self, changed: set[str]) -> tuple[Content, Changes]:
        """The content after the edit, and the keys the changed files change."""
        assert self.content is not None and self.prepared is not None
        changes = Changes()
        rel = {path: self._where(path) for path in changed}
        if any(where is None for where in rel.values()):
            changes.full = True
            return self.content, changes
        content = self.content
        if any(folder in ("content", "locales") for folder, _ in rel.values()):
            content = load_and_check(self.project, write_cache=False)
        for path, (folder, name) in sorted(rel.items()):
            if folder == "templates":
                changes.keys.add(template_key(name))
                if path not in self.inputs or not (self.project.templates / name).exists():
                    for env in self.prepared.envs.values():
                        env.cache.clear()  # it overrides the theme's, or no longer does
            elif folder == "locales":
                self._catalogue_changed(name, changes)
            elif folder == "static":
                self._stylesheet_changed(content, name, changes)
            else:
                _content_changed(self.content, content, path, changes)
        if content is not self.content and not changes.full:
            # The charts' words are filled from the rows they plot: an edit of any data
            # may change a chart's record though charts.yaml was not saved.
            _records_changed(self.content, content, "charts", changes)
            changes.keys |= content.keep_derived(self.content, changes.untouched)
        return content, changes

    def _remade_assets(
        self, content: Content, changes: Changes
    ) -> tuple[dict[str, bytes], frozenset[str], list[str]]:
        """The assets the build makes (share images), made again if the edit touched what
        they were made from: the files to write under their new hashed names, what they
        read, and the files they replace. Pages that link one whose name changed are
        touched (`asset:NAME`)."""
        if not changes.touch(self.made_depends):
            return {}, self.made_depends, []
        with recording(passed_on=False) as keys:
            made = made_assets(self.project, content, self.project.cache / "share")
        files, stale = {}, []
        for name, (target, data) in made.items():
            if self.urls.assets.get(name) != target:
                if name in self.urls.assets:
                    stale.append(self.urls.assets[name])
                files[target] = data
                self.urls.assets[name] = target
                changes.keys.add(asset_key(name))
        return files, frozenset(keys), stale

    def _where(self, path: str) -> tuple[str, str] | None:
        """(folder, name inside it) of a changed source, or None for one no key stands for."""
        root = self.project.root
        for folder, location in (
            ("content", self.project.content),
            ("templates", self.project.templates),
            ("static", self.project.static),
            ("locales", root / "locales"),
        ):
            prefix = display_path(location, root) + "/"
            if path.startswith(prefix):
                name = path[len(prefix) :]
                if folder == "locales" and not name.endswith("/LC_MESSAGES/messages.po"):
                    return None  # the Chinese allowlist: every page is checked against it
                if folder == "static" and name not in INLINED:
                    return None  # a hashed file: every link to it, the assets folder
                return folder, name
        return None

    def _catalogue_changed(self, name: str, changes: Changes) -> None:
        """A catalogue of translations: the pages that read it, with the new translations."""
        assert self.prepared is not None
        lang = name.split("/", 1)[0]
        if lang not in self.prepared.envs:
            changes.full = True
            return
        env = self.prepared.envs[lang]
        before = getattr(env.globals["_translations"].translations, "_catalog", None)
        i18n.activate(self.project.root, [lang])
        translations = i18n.translations(self.project.root, lang)
        install_translations(env, translations, lang)
        after = getattr(translations, "_catalog", None)
        if before is None or after is None or before.get("") != after.get(""):
            changes.full = True  # a catalogue made or removed, or its header (plural rules)
            return
        for msgid in before.keys() | after.keys():
            if before.get(msgid) != after.get(msgid):
                changes.keys.add(messages_key(lang, msgid if isinstance(msgid, str) else msgid[0]))

    def _stylesheet_changed(self, content: Content, name: str, changes: Changes) -> None:
        """An inlined stylesheet: the pages that print it, unless the brand's colours (which
        the charts and share images are drawn in) changed."""
        assert self.prepared is not None
        style = static_file(self.project, "style.css")
        charts = self.prepared.charts
        drawn = next((c for by_id in charts.values() for c in by_id.values()), None)
        shown = display_path(style, self.project.root)
        if drawn is None or read_brand(style, shown) != drawn.brand:
            changes.full = True
            return
        sheets = [static_file(self.project, sheet) for sheet in ("style.css", "charts.css")]
        css = "\n".join(s.read_text(encoding="utf-8").strip() for s in sheets if s.is_file())
        inline = RecordedMarkup(Markup(css), [asset_key(sheet) for sheet in sorted(INLINED)])
        for env in self.prepared.envs.values():
            env.globals["inline_css"] = inline
        changes.keys.add(asset_key(name))

    def _unchanged_charts(self, changes: Changes) -> dict[str, dict[str, ChartOutput]]:
        """The charts of the last build that read nothing the edit changed."""
        assert self.prepared is not None
        return {
            lang: {cid: c for cid, c in drawn.items() if changes.untouched(c.depends)}
            for lang, drawn in self.prepared.charts.items()
        }

    def _redrawn(self, charts: dict[str, dict[str, ChartOutput]]) -> set[str]:
        """The keys of the charts that look different now (a chart made again from its
        dataset's rows may show none of the records that changed)."""
        assert self.prepared is not None
        before = self.prepared.charts
        return {
            chart_key(lang, cid)
            for lang, drawn in charts.items()
            for cid, chart in drawn.items()
            if _shown(chart) != _shown(before.get(lang, {}).get(cid))
        }

    def _render(self, prepared: Prepared, jobs: list[Job]) -> dict[str, str]:
        """Render `jobs` to memory, each keeping what it read. Raises ContentError."""
        # Pages made again for a data edit convert the same Markdown: from the memo the last
        # full build saved, and what updates add to it (kept in memory, never saved).
        with markdown.remembered(self.project.cache, self._prose) as self._prose:
            return self._render_all(prepared, jobs)

    def _render_all(self, prepared: Prepared, jobs: list[Job]) -> dict[str, str]:
        problems: list[Problem] = list(prepared.plan.problems)
        rendered: dict[str, str] = {}
        for job in jobs:
            try:
                html, found, job.depends = job.render(prepared.envs[job.lang], prepared.plan)
            except ContentError as exc:
                problems.extend(exc.problems)
                continue
            except jinja2.TemplateError as exc:
                problems.append(template_problem(exc, self.project))
                continue
            problems.extend(found)
            rendered[job.path] = html
        if problems:
            raise ContentError(problems)
        return rendered

    def _changed_files(self, files: dict[str, str | bytes]) -> dict[str, tuple[bytes, str]]:
        """Site path -> (bytes, digest) of each file whose bytes differ from the served ones."""
        changes = {}
        for path, data in sorted(files.items()):
            raw = data.encode("utf-8") if isinstance(data, str) else data
            digest = hashlib.sha256(raw).hexdigest()
            if self.outputs.get(path) != digest:
                changes[path] = (raw, digest)
        return changes

    def _write(
        self, update: Update, changes: dict[str, tuple[bytes, str]], gone: list[str]
    ) -> None:
        assert self.output is not None
        for path, (raw, digest) in changes.items():
            target = self.output / path
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(f".{target.name}.tmp")
            tmp.write_bytes(raw)
            tmp.replace(target)  # readers never see a half-written page
            self.outputs[path] = digest
            update.written.append(path)
        for path in gone:
            (self.output / path).unlink(missing_ok=True)
            self.outputs.pop(path, None)
            update.removed.append(path)
        if changes or gone:
            self.generation += 1


def _shown(chart: ChartOutput | None) -> Any:
    """All of a chart that pages and downloads show."""
    if chart is None:
        return None
    return (chart.spec, chart.figure, chart.columns, chart.rows, chart.downloads, chart.drawings)


def _content_changed(old: Content, new: Content, path: str, changes: Changes) -> None:
    """The keys a changed file under content/ changes: the site settings, a page's front
    matter or body, a dataset's records and groups."""
    if old.files.get("site") is not None and path == old.files["site"].path:
        old_site, new_site = old.site, new.site
        if any(getattr(old_site, k) != getattr(new_site, k) for k in STRUCTURE):
            changes.full = True
        elif old_site != new_site:
            changes.keys.add(SITE)
        return
    datasets = {loaded.path: name for name, loaded in new.files.items() if name != "site"}
    if path in datasets:
        _records_changed(old, new, datasets[path], changes)
        return
    old_pages, new_pages = _pages_at(old, path), _pages_at(new, path)
    if old_pages is None and new_pages is None:
        changes.full = True  # no key stands for this file
        return
    if (old_pages is None) != (new_pages is None):
        changes.keys.add("pages")
    for part in ("meta", "body", "body_line"):
        if getattr(old_pages, part, None) != getattr(new_pages, part, None):
            changes.keys.add(f"{'body' if part == 'body_line' else part}:{path}")


def _pages_at(content: Content, path: str) -> Any:
    return next((page for page in content.pages if page.path == path), None)


def _records_changed(old: Content, new: Content, dataset: str, changes: Changes) -> None:
    """A dataset's changed records (`data:NAME#ID`), the groups they leave or join
    (`data:NAME.FIELD=VALUE`), and the whole dataset if anything changed."""
    before, after = old.records(dataset), new.records(dataset)
    if before == after:
        return
    changes.keys.add(f"data:{dataset}")
    ids_before = [getattr(r, key_field(before), None) for r in before]
    ids_after = [getattr(r, key_field(after), None) for r in after]
    if ids_before != ids_after or None in ids_after:  # moved, added, removed or unnamed
        changes.prefixes.add(f"data:{dataset}.")
    by_id_before = dict(zip(ids_before, before, strict=True))
    by_id_after = dict(zip(ids_after, after, strict=True))
    for rid in by_id_before.keys() | by_id_after.keys():
        was, now = by_id_before.get(rid), by_id_after.get(rid)
        if was != now:
            changes.keys.add(f"data:{dataset}#{rid}")
            for record in (was, now):
                changes.keys |= _group_keys(dataset, record)


def _group_keys(dataset: str, record: Any) -> set[str]:
    """The groups `record` is in, for every field it could be grouped by."""
    if record is None:
        return set()
    return {
        f"data:{dataset}.{name}={value}"
        for name, value in record
        if value is None or isinstance(value, (str, int, float, bool))
    }


def _listing_after(files: set[str], removed: set[str]) -> tuple[set[str], set[str]]:
    """The files and folders the output will hold once `files` are written and `removed` gone."""
    kept = files - removed
    dirs = set()
    for path in kept:
        parent = posixpath.dirname(path)
        while parent and parent not in dirs:
            dirs.add(parent)
            parent = posixpath.dirname(parent)
    return kept, dirs
