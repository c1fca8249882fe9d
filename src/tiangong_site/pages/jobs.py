"""What the plan is made of: a Job per page to render, and the SitePlan that holds
them with the files to write."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Any

import jinja2

from ..cjk import mark_chinese_runs
from ..collisions import (
    Origin,
    element_id_problems,
)
from ..content import Content
from ..deps import recording
from ..errors import Problem
from ..languages import writes_han
from ..render import Urls

RenderResult = tuple[str, list[Problem], frozenset[str]]
"""A page's HTML, the problems found making it, and the keys of what it read (deps.py)."""


@dataclass
class Job:
    """One HTML page to write: its path in the output, and how to render it."""

    path: str
    template: str
    context: Callable[[jinja2.Environment], dict[str, Any]]
    depends: frozenset[str] | None = None
    """The keys of what the page read when it was last rendered (deps.py), or None before:
    recorded, never listed by hand, so the preview knows which pages an edit touches."""
    url_path: str = ""
    title: str = ""
    in_sitemap: bool = True
    og_type: str = "website"
    lang: str = "en"
    canonical: str = ""
    nav: list[dict[str, Any]] = field(default_factory=list)
    alternates: list[dict[str, Any]] = field(default_factory=list)
    """The same page in each language: {lang, hreflang, name, href, current}."""
    origin: Origin | None = None
    """What made the page, for messages about its address or its ids."""

    def full_context(self, env: jinja2.Environment) -> tuple[dict[str, Any], list[Problem]]:
        """Everything the template reads besides the environment's globals, and the problems
        found while gathering it."""
        context = self.context(env)
        problems: list[Problem] = list(context.pop("_problems", []))
        context.setdefault("canonical", self.canonical)
        context.setdefault("nav", self.nav)
        context.setdefault("alternates", self.alternates)
        context.setdefault("current", self.url_path)
        context.setdefault("share", {"title": self.title, "type": self.og_type})
        context.setdefault("json_ld", None)
        return context, problems

    def render(self, env: jinja2.Environment, plan: SitePlan) -> RenderResult:
        """The page's HTML and problems, and the keys of all it read meanwhile: recorded for
        any job, whatever made it, and returned with the page (not kept on the job), so a
        page rendered in another process brings them back with it."""
        with recording() as keys:
            template = self.template_of(env)  # looked up once a page (each lookup is recorded)
            context, problems = self.full_context(env)
            html, problems = self._render_with(template, env, plan, context, problems)
        return html, problems, frozenset(keys)

    def template_of(self, env: jinja2.Environment) -> jinja2.Template:
        """The page's template."""
        return env.get_template(self.template)

    def _render_with(
        self,
        template: jinja2.Template,
        env: jinja2.Environment,
        plan: SitePlan,
        context: dict[str, Any],
        found: list[Problem],
    ) -> tuple[str, list[Problem]]:
        html = template.render(**context)
        if not writes_han(self.lang):  # Chinese quoted in another language says so (zh-Hans)
            html = mark_chinese_runs(html)
        folders = getattr(env.loader, "searchpath", None)  # where the templates' own ids are read
        ids = element_id_problems(html, self, context, plan, folders[0] if folders else None)
        return html, found + ids

    def ambient(self) -> dict[str, Any]:
        """What the page is given besides its context function (nav, alternates, canonical…):
        every field but the ones that say how to make or find it. A change to any means the
        page must be rendered again, whatever its data."""
        skip = {"context", "depends", "origin", "nav"}  # the menu records what it is made of
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name not in skip}


@dataclass
class SitePlan:
    urls: Urls
    jobs: list[Job] = field(default_factory=list)
    files: dict[str, str | bytes] = field(default_factory=dict)
    nav: list[dict[str, Any]] = field(default_factory=list)
    navs: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    origins: dict[str, Origin] = field(default_factory=dict)
    """What made each of `files`."""
    problems: list[Problem] = field(default_factory=list)
    """Addresses two things claim: reported with the rendering's problems."""
    content: Content | None = None

    @property
    def page_count(self) -> int:
        return len(self.jobs)
