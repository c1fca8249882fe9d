"""`check`: everything a build validates, without writing a file."""

from __future__ import annotations

from pathlib import Path

from .charts import build_charts
from .errors import ContentError, Problem
from .markdown import BLOCK
from .pages import plan_site
from .render import Urls
from .site import Project, load_and_check


def address_problems(content) -> list[Problem]:  # type: ignore[no-untyped-def]
    """Addresses the plan finds claimed twice (a slug on a generated page or folder), found
    without rendering: a plan costs a tenth of a second, writes nothing."""
    urls = Urls(content.site.base_url)
    languages = content.site.languages
    # The editions' folders as site.prepare makes them: 'en/', 'zh/', or none on one language.
    prefixes = {lang: f"{lang}/" if len(languages) > 1 else "" for lang in languages}
    editions = {lang: (build_charts(content, lang), urls.for_language(prefixes[lang])) for lang in languages}
    return plan_site(content, editions, urls).problems


def unused_records(content) -> list[Problem]:  # type: ignore[no-untyped-def]
    """Warnings for records nothing shows: a source no record cites, a chart no page places."""
    problems = []
    cited = set()
    for records in content.datasets.values():
        for record in records:
            for fld, target in type(record).references.items():
                if target == "sources":
                    value = getattr(record, fld)
                    cited.update(value if isinstance(value, list) else [value])
    for i, source in enumerate(content.datasets["sources"]):
        if source.id not in cited:
            problems.append(content.problem_at("sources", i, ("id",), f"source '{source.id}' is not cited by any record", "cite it or remove it", "warning"))
    placed = set()
    for page in content.pages:
        placed.update(ident for kind, ident in BLOCK.findall(page.body) if kind == "chart")  # as the build places them
    for i, chart in enumerate(content.datasets["charts"]):
        if chart.id not in placed:
            problems.append(content.problem_at("charts", i, ("id",), f"chart '{chart.id}' is not placed on any page", f"add `::: chart {chart.id}` to a page, or remove it", "warning"))
    return problems


def check(project_dir: Path, content_dir: Path | None = None, strict: bool = False) -> list[Problem]:
    """Validate; return warnings. Raises ContentError on errors (and on warnings when strict)."""
    content = load_and_check(Project.at(project_dir, content_dir), write_cache=False)  # check writes nothing
    problems = address_problems(content)
    if problems:
        raise ContentError(problems)
    warnings = content.warnings + unused_records(content)
    if strict and warnings:
        raise ContentError([Problem(w.path, w.line, w.column, w.message, w.hint) for w in warnings])
    return warnings
