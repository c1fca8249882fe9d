"""Nothing heavy is imported before it is needed: a site without charts never loads plotly."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import REPO

BUILD_AND_LIST_MODULES = """
import sys
from pathlib import Path
from tiangong_site.site import Project, build
build(Project.at(Path(sys.argv[1])), Path(sys.argv[2]))
print(" ".join(sorted(sys.modules)))
"""


def test_a_site_without_charts_is_built_without_importing_plotly(tmp_path: Path):
    records = [
        {
            "id": "north-ashford-00000",
            "name": "North Ashford",
            "tier": "city",
            "population": 1000,
            "rows": [{"year": 2015, "value": 1.5, "rank": 1}],
        }
    ]
    (tmp_path / "regions.json").write_text(json.dumps(records), encoding="utf-8")
    adapter = [
        sys.executable,
        str(REPO / "bench" / "peers_project.py"),
        str(tmp_path / "regions.json"),
        str(tmp_path / "site"),
    ]
    subprocess.run(adapter, check=True, capture_output=True, timeout=60)
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            BUILD_AND_LIST_MODULES,
            str(tmp_path / "site"),
            str(tmp_path / "out"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    modules = set(done.stdout.split())
    assert "tiangong_site.charts" in modules and not {
        m for m in modules if m.split(".")[0] == "plotly"
    }
    # No chart, no plotly.js to ship: the build needs no node_modules either.
    assert not list((tmp_path / "out" / "assets").glob("plotly*.js"))
