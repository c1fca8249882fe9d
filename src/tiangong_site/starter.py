"""`tiangong-site init DIR`: a new story that builds, previews and passes `check --strict`
as written, in one language, with one dataset, one collection, one chart and one page
placing it. Every file is the editor's to change; no Python is written."""

from __future__ import annotations

from pathlib import Path

from .scaffold import UsageError

STARTER: dict[str, str] = {
    "content/site.yaml": """\
# The site: its title, address and language. See docs/editing.md.
title: "A new story"
description: "A data story made with tiangong-site: replace this with one sentence about it."
base_url: "https://example.org/"
languages: [en]
authors:
  - name: "The data desk"
publisher: "The data desk"
published: "2025-01-01"
timezone: UTC
output_dir: _site
""",
    "content/data/sources.yaml": """\
# Every document a number was read in. Cite them by id.
- id: example-source
  title: "Where the numbers come from"
  publisher: "The publisher of the document"
  date: "2025-01-01"
  url: "https://example.org/report"
  kind: official
  language: en
""",
    "content/data/award-tiers.yaml": """\
# The dataset: one record per category, with how many entries each has a year.
- id: large
  name: "Large entries"
  winners: 6
  pool: "entries of more than 100 people"
  source: example-source
- id: medium
  name: "Medium entries"
  winners: 10
  pool: "entries of 20 to 100 people"
  source: example-source
- id: small
  name: "Small entries"
  winners: 20
  pool: "entries of fewer than 20 people"
  source: example-source
""",
    "content/collections.yaml": """\
# Pages from data (docs/pages-from-data.md): one page per category, and a list of them.
- name: categories
  dataset: award-tiers
  url: "/categories/{id}/"
  title: "{name}"
  sort: name
  index: {url: "/categories/", title: "Every category"}
""",
    "content/charts.yaml": """\
# Charts: which rows, which columns, and the words around them. Place one in a page
# with `::: chart ID`.
- id: entries-by-category
  kind: bar
  data: award-tiers
  x: name
  y: winners
  sort: value
  title: "Entries a year, by category"
  sources: [example-source]
  alt: "Bar chart of the entries a year in each category: small 20, medium 10, large 6."
""",
    "content/pages/index.md": """\
---
title: "A new story"
description: "A data story made with tiangong-site: replace this with one sentence about it."
nav_title: Story
nav_order: 1
---

Write the story here, in Markdown. The chart below is drawn from
`content/data/award-tiers.yaml`; see [every category](categories/) for a page on each.

::: chart entries-by-category
""",
}
"""Path in the new project -> its text."""


def init_project(folder: Path) -> list[Path]:
    """Write the starter into `folder`, which must be absent or empty (else UsageError,
    touching nothing). Returns the files written."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        what = "is not a folder" if not folder.is_dir() else "is not empty"
        raise UsageError(f"{folder} {what}: give a new or empty folder")
    written = []
    for relpath, body in STARTER.items():
        path = folder / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body, encoding="utf-8")
        written.append(path)
    return written
