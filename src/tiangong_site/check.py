"""`check`: the build without writing. It runs the build's own pipeline (load, validate,
charts, plan, render every page to memory, check every link) and writes no file, not even
a cache; then it adds warnings for what a build accepts but readers should not meet."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .content import Content, key_field
from .errors import ContentError, Problem
from .linkcheck import check_links, linked_from, listing_of
from .markdown import BLOCK, INLINE
from .render import Urls
from .scaffold import placeholder_lines
from .site import Project, _output_of, load_and_check, name_assets, prepare, render_jobs
from .tables import dataset_rows


@dataclass
class Rendered:
    """A site rendered to memory: page path -> HTML, every file it would hold, its base path."""

    pages: dict[str, str]
    listing: tuple[set[str], set[str]]
    base_path: str


def render_in_memory(project: Project, content: Content) -> Rendered:
    """Everything `build` does after loading, except writing: raises the ContentError a
    build would (output_dir, templates, `{fig:}`/`{src:}`/`::: chart`/`::: callout`
    references, addresses claimed twice, broken links and anchors)."""
    _output_of(project, content, None)
    urls = Urls(content.site.base_url)
    plotly_name = name_assets(project, content, urls)
    prepared = prepare(project, content, urls, plotly_name, write_cache=False)
    pages = render_jobs(project, prepared, prepared.plan.jobs)
    listing = listing_of({*pages, *prepared.plan.files, *urls.assets.values()})
    problems = check_links(project.root, urls.base_path, pages, listing=listing)
    if problems:
        raise ContentError(problems)
    return Rendered(pages, listing, urls.base_path)


def unused_records(content: Content) -> list[Problem]:
    """Warnings for records nothing shows: a source nothing cites (no record, no `{src:}`
    in a page), a chart no page places."""
    problems = []
    cited, citations = set(), content.citations
    for records in content.datasets.values():
        for record in records:
            for fld, target in type(record).references.items():
                if target == citations:
                    value = getattr(record, fld)
                    cited.update(value if isinstance(value, list) else [value])
    for page in content.pages:
        cited.update(ident for kind, ident in INLINE.findall(page.body) if kind == "src")
    key = key_field(content.records(citations)) if citations in content.datasets else "id"
    for i, source in enumerate(content.datasets.get(citations, [])):
        sid = getattr(source, key, None) if source is not None else None
        if sid is not None and sid not in cited:
            message = f"source '{sid}' is not cited by any record or page"
            problems.append(
                content.problem_at(citations, i, (key,), message, "cite it or remove it", "warning")
            )
    placed = set()
    for page in content.pages:
        placed.update(
            ident for kind, ident in BLOCK.findall(page.body) if kind == "chart"
        )  # as the build places them
    for i, chart in enumerate(content.datasets["charts"]):
        if chart.id not in placed:
            hint = f"add `::: chart {chart.id}` to a page, or remove it"
            problems.append(
                content.problem_at(
                    "charts",
                    i,
                    ("id",),
                    f"chart '{chart.id}' is not placed on any page",
                    hint,
                    "warning",
                )
            )
    return problems


def id_columns(content: Content) -> list[Problem]:
    """Warnings for a chart that draws an id column (`kind`) where a column of readers' words
    exists (`kind_name`): the legend and table would show the raw ids in every edition."""
    problems = []
    for i, spec in enumerate(content.datasets["charts"]):
        rows = dataset_rows(content, spec.data) if spec is not None else []
        if not rows:
            continue
        for key in ("x", "y", "series"):
            column = getattr(spec, key)
            if column and f"{column}_name" in rows[0]:
                message = f"{key} '{column}' shows readers its raw ids ({_sample(rows, column)})"
                hint = f"write {key}: {column}_name, its names in each language"
                problems.append(content.problem_at("charts", i, (key,), message, hint, "warning"))
    return problems


def _sample(rows: list[dict], column: str) -> str:
    values = list(dict.fromkeys(str(row[column]) for row in rows if row.get(column) is not None))
    return ", ".join(f"'{v}'" for v in values[:3]) + (", ..." if len(values) > 3 else "")


def scaffold_text(content: Content) -> list[Problem]:
    """Warnings for lines `tiangong-site new page` wrote as placeholders, still in a page."""
    problems = []
    for page in content.pages:
        for placeholder in placeholder_lines():
            at = page.body.find(placeholder)
            if at >= 0:
                line = page.body_line + page.body.count("\n", 0, at)
                column = at - page.body.rfind("\n", 0, at)
                message = f"placeholder text from `tiangong-site new page`: '{placeholder}'"
                problems.append(
                    Problem(
                        page.path,
                        line,
                        column,
                        message,
                        "replace it with the page's own text",
                        "warning",
                    )
                )
    return problems


def orphan_pages(content: Content, rendered: Rendered) -> list[Problem]:
    """Warnings for pages no other page links to (links between a page's own language
    editions do not count): readers can reach them only by typing the address."""
    languages = content.site.languages
    prefixes = {lang: content.site.folder(lang) for lang in languages}
    links = linked_from(rendered.pages, rendered.base_path, rendered.listing[1])
    problems = []
    for page in content.pages:
        name = f"{page.meta.slug}/index.html" if page.meta.slug else "index.html"
        editions = {prefix + name for prefix in prefixes.values()}
        if not links.get(prefixes[page.lang] + name, set()) - editions:
            hint = "link to it from another page, or give it a `nav_title:` to list it in the menu"
            problems.append(
                Problem(page.path, 1, 1, "no other page links to this page", hint, "warning")
            )
    return problems


def check(
    project_dir: Path, content_dir: Path | None = None, strict: bool = False
) -> list[Problem]:
    """Validate as the build does; return warnings. Raises ContentError on errors (and on
    warnings when strict). Writes nothing."""
    project = Project.at(project_dir, content_dir)
    content = load_and_check(project, write_cache=False)
    rendered = render_in_memory(project, content)
    warnings = (
        content.warnings + unused_records(content) + id_columns(content) + scaffold_text(content)
    )
    warnings += orphan_pages(content, rendered)
    if strict and warnings:
        raise ContentError([Problem(w.path, w.line, w.column, w.message, w.hint) for w in warnings])
    return warnings
