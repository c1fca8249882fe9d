"""Front-end assets: the plotly.js basic bundle comes from `npm ci` or the build fails, saying
so; it is never silently replaced by the 4.8 MB full bundle."""

from __future__ import annotations

import typing
from pathlib import Path

from conftest import REPO, leftovers, run_build_py, tree_digest
from tiangong_site.charts import KINDS_BUNDLE
from tiangong_site.models import Chart
from tiangong_site.site import PLOTLY_BASIC


def test_every_chart_kind_is_drawn_by_the_basic_bundle() -> None:
    """A new kind needing another bundle must be decided on, not fall through to one."""
    kinds = set(typing.get_args(Chart.model_fields["kind"].annotation))
    assert kinds and kinds <= KINDS_BUNDLE


def test_build_without_the_basic_bundle_fails_and_keeps_the_last_site(built_project: Path) -> None:
    # node_modules here is the copy's own folder: every package but plotly.js-basic.
    link = built_project / "node_modules"
    assert link.is_symlink()
    link.unlink()  # the symlink only; the real node_modules is untouched
    link.mkdir()
    for package in (REPO / "node_modules").iterdir():
        if package.name != "plotly.js-basic-dist-min":
            (link / package.name).symlink_to(package, target_is_directory=package.is_dir())
    before = tree_digest(built_project / "_site")

    run = run_build_py("build", "--project", built_project, cwd=built_project)

    assert run.code == 1, run.out + run.err
    problems = run.problems()
    assert len(problems) == 1, run.err
    assert problems[0]["path"] == PLOTLY_BASIC and (problems[0]["line"], problems[0]["col"]) == (
        "1",
        "1",
    )
    assert (
        "basic bundle is not installed" in problems[0]["message"]
        and "npm ci" in problems[0]["hint"]
    )
    assert "Traceback" not in run.err
    assert tree_digest(built_project / "_site") == before and leftovers(built_project) == []
