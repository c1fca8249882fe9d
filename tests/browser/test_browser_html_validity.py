"""The Nu HTML Checker (vnu.jar) over every HTML file of the build, in one run."""

from __future__ import annotations

import json
import subprocess

import pytest

from browser_support import VNU_JAR, require_java

pytestmark = pytest.mark.browser


def test_nu_html_checker_finds_no_errors(site):
    try:
        java = require_java()
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)
    files = sorted(site.dir.rglob("*.html"))
    assert files, "the build wrote no HTML"
    result = subprocess.run(
        [java, "-jar", str(VNU_JAR), "--errors-only", "--format", "json", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    raw = result.stderr.strip() or result.stdout.strip()
    try:
        messages = json.loads(raw).get("messages", []) if raw else []
    except json.JSONDecodeError:
        pytest.fail(
            f"vnu.jar did not print JSON (exit {result.returncode}):\n{raw[:2000]}", pytrace=False
        )
    errors = [
        m
        for m in messages
        if m.get("type") in ("error", "non-document-error") or m.get("subType") == "fatal"
    ]
    lines = []
    for m in errors:
        url = m.get("url", "")
        path = url.split(str(site.dir), 1)[-1].lstrip("/") if str(site.dir) in url else url
        extract = " ".join((m.get("extract") or "").split())
        lines.append(
            f"{path}:{m.get('lastLine', '?')}: {m.get('message')}"
            + (f"  [{extract[:120]}]" if extract else "")
        )
    assert not errors, f"the Nu HTML Checker found {len(errors)} error(s):\n  " + "\n  ".join(lines)
    assert result.returncode == 0, f"vnu.jar exited {result.returncode}:\n{raw[:2000]}"
