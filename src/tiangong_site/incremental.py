"""Incremental rebuilds for the preview: re-render only what a change touches.

After a full build the builder remembers a hash of every input file and of every
output file. On the next update it finds which inputs changed, maps them to
dependency keys (a dataset name, a page's path, a template's name), re-renders the
jobs that depend on one of those keys, and writes only files whose bytes changed.
If the content or a template is broken, nothing is written and the last good site
stays served; the problems are returned for the error overlay.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import time
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
import jinja2.meta

from .charts import ChartOutput
from .content import Content
from .errors import ContentError, Problem, display_path
from .inside import shown
from .linkcheck import check_links
from .models import DATASETS
from .pages import Job
from .site import (
    BuildReport,
    Prepared,
    Project,
    build,
    load_and_check,
    prepare,
    template_problem,
    typography_problems,
)
from .tables import rows_read

DATASET_OF_FILE = {relpath: name for name, (relpath, _) in DATASETS.items()}


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
        self.nav: list = []
        self.last_problems: list[Problem] = []
        self.content: Content | None = None
        self._closures: dict[str, set[str]] = {}
        self._refs: dict[str, tuple[str, set[str]]] = {}  # template -> (source, references)
        self._scanned: dict[str, str] | None = None  # the sources as the last update saw them
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
            for path in folder.rglob("*"):
                if path.is_symlink():  # seen as a change, never read: the build refuses it
                    found[shown(path, self.project.root)] = f"link:{os.readlink(path)}"
                elif (
                    path.is_file()
                    and not path.name.startswith((".", "#"))
                    and not path.name.endswith("~")
                ):
                    found[display_path(path, self.project.root)] = _digest(path)
        return found

    def _keys(self, changed: set[str]) -> tuple[set[str], bool]:
        """Dependency keys for changed input files, and whether a full build is needed."""
        keys: set[str] = set()
        content_prefix = display_path(self.project.content, self.project.root) + "/"
        templates_prefix = display_path(self.project.templates, self.project.root) + "/"
        for path in changed:
            if path.startswith(content_prefix):
                rel = path[len(content_prefix) :]
                if rel in ("site.yaml", "datapackage.yaml"):
                    return keys, True
                keys.add(DATASET_OF_FILE.get(rel) or self._declared_dataset(rel) or path)
            elif path.startswith(templates_prefix):
                keys.add(path[len(templates_prefix) :])
            else:  # static/ (every page links hashed assets) or a catalogue of translations
                return keys, True
        return keys, False

    def _declared_dataset(self, rel: str) -> str | None:
        """The declared dataset whose data file is `rel` (under content/), if any."""
        package = self.content.package if self.content is not None else None
        resources = package.resources.values() if package is not None else ()
        return next((r.name for r in resources if r.path == rel), None)

    # -- templates ------------------------------------------------------------

    def _template_closure(self, env: jinja2.Environment, name: str) -> set[str]:
        """`name` and every template it extends or includes, transitively (cached per update)."""
        if name not in self._closures:
            found, todo = set(), [name]
            while todo:
                current = todo.pop()
                if current in found:
                    continue
                found.add(current)
                todo.extend(self._references(env, current))
            self._closures[name] = found
        return self._closures[name]

    def _references(self, env: jinja2.Environment, name: str) -> set[str]:
        """The templates `name` extends or includes. Kept with its source: after a template
        edit only that file is parsed again, not all of them (70 ms a template edit)."""
        source, filename, _ = env.loader.get_source(env, name)  # type: ignore[union-attr]
        kept = self._refs.get(name)
        if kept is None or kept[0] != source:
            parsed = env.parse(source, name, filename)
            kept = self._refs[name] = (
                source,
                {c for c in jinja2.meta.find_referenced_templates(parsed) if c},
            )
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
        keys, full = self._keys(changed)
        if any(
            p.startswith(display_path(self.project.templates, self.project.root)) for p in changed
        ):
            self._closures.clear()
        if any(p.startswith("locales/") for p in changed):
            full = True  # new translations: every page, with fresh environments
        try:
            if full or not self.outputs:
                self._full(update)
            else:
                self._partial(update, keys)
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
        assert self.prepared is not None
        update.rendered = [job.path for job in self.prepared.plan.jobs]

    def _partial(self, update: Update, keys: set[str]) -> None:
        """Re-render what `keys` touch, check it all in memory, and only then write it.

        The served folder is the last good build until every check has passed: a page
        with a broken link is never written, not even for a moment."""
        assert self.prepared is not None and self.output is not None
        content_changed = any(not key.endswith(".html") for key in keys)
        # Only templates changed: the content, and so the charts, are as they were.
        content = (
            load_and_check(self.project, write_cache=False)
            if content_changed or self.content is None
            else self.content
        )
        old_jobs = {job.path: job for job in self.prepared.plan.jobs}
        charts = self._unchanged_charts(keys)
        prepared = prepare(
            self.project, content, self.urls, self.plotly_name, self.prepared.envs, charts
        )
        affected = []
        for job in prepared.plan.jobs:
            old = old_jobs.get(job.path)
            if self._touched(job, old, keys, prepared):
                affected.append(job)
            elif old is not None:
                job.context_digest = old.context_digest  # made from what it was made from
        templates_changed = any(key.endswith(".html") for key in keys)
        rendered = self._render(prepared, affected, old_jobs, templates_changed)
        typography = typography_problems(self.project, prepared, rendered, prepared.plan.files)
        if typography:
            raise ContentError(typography)
        update.rendered = sorted(rendered)
        changes = self._changed_files({**rendered, **prepared.plan.files})
        gone = sorted(old_jobs.keys() - {job.path for job in prepared.plan.jobs})
        listing = _listing_after(self.outputs.keys() | changes.keys(), set(gone))
        # Pages left as they were are checked too: a link of theirs may point at a page now gone.
        checked = {job.path for job in affected}
        base = self.urls.base_path
        problems = check_links(self.output, base, rendered, only=checked, listing=listing)
        if any(p.severity == "error" for p in problems):
            raise ContentError(problems)
        self.prepared, self.content = prepared, content
        update.problems = problems
        self._write(update, changes, gone)

    def _unchanged_charts(self, keys: set[str]) -> dict[str, dict[str, ChartOutput]]:
        """The charts of the last build that `keys` leave as they were: all of them unless
        the chart specs changed, less those whose rows read a changed dataset."""
        assert self.prepared is not None and self.content is not None
        if "charts" in keys:
            return {}
        content = self.content  # the last build's: the charts drawn were made from it
        return {
            lang: {cid: c for cid, c in drawn.items() if not keys & rows_read(content, c.spec.data)}
            for lang, drawn in self.prepared.charts.items()
        }

    def _touched(self, job: Job, old: Job | None, keys: set[str], prepared: Prepared) -> bool:
        """Whether a change to `keys` may change this page: it is new, it is made from one
        of them, or what it is given besides its data (its menu, its other editions) differs."""
        if old is None or old.ambient() != job.ambient():
            return True
        return bool(keys & (job.depends | self._template_closure(prepared.env, job.template)))

    def _render(
        self, prepared: Prepared, jobs: list[Job], old_jobs: dict[str, Job], templates_changed: bool
    ) -> dict[str, str]:
        """Render `jobs` to memory, but only those whose context differs from the one their
        served page was rendered with (a number edit changes few of the pages that read the
        figures). After a template edit every one is rendered. Raises ContentError."""
        problems: list[Problem] = list(prepared.plan.problems)
        rendered: dict[str, str] = {}
        for job in jobs:
            env = prepared.envs[job.lang]
            try:
                context, found = job.full_context(env)
                old = old_jobs.get(job.path)
                digest = job.context_digest
                same = old is not None and digest != "" and old.context_digest == digest
                if same and not found and not templates_changed:
                    continue
                html, found = job.render_with(env, prepared.plan, context, found)
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
