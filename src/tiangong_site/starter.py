"""`tiangong-site init DIR`: a new story that builds, previews and passes `check --strict`
as written, in one language, with one dataset, one collection, one chart and one page
placing it. Every file is the editor's to change; no Python is written."""

from __future__ import annotations

from pathlib import Path

from .errors import UsageError

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
  title: "Example source: replace it with the document your figures come from"
  publisher: "The publisher of the document"
  date: "2025-01-01"
  url: "https://example.org/report"
  kind: official
  language: en
""",
    "content/datapackage.yaml": """\
# The story's datasets (docs/editing.md, "Declare a dataset"): each names its data file and
# the type of each field, and the build checks every value against it. The figures in
# data/places.csv are EXAMPLE FIGURES about made-up places: replace them with yours.
resources:
  - name: sources  # the citation list: what `source` fields, charts and {src:ID} cite
    path: data/sources.yaml
    title: "Sources"
    schema:
      primaryKey: id
      fields:
        - {name: id, type: string, constraints: {required: true, pattern: "^[a-z0-9-]+$"}}
        - {name: title, type: string, constraints: {required: true}}
        - {name: publisher, type: string, constraints: {required: true}}
        - {name: date, type: date, partial: true}
        - {name: url, type: string, format: uri, constraints: {required: true}}
        - name: kind
          type: string
          constraints: {enum: [official, press, secondary]}
          labels: {official: "official", press: "press", secondary: "secondary source"}
        - {name: language, type: string}
  - name: places
    path: data/places.csv
    title: "Example places"
    description: "Made-up places with example figures: replace them with your data."
    sources: [example-source]
    schema:
      primaryKey: id
      fields:
        - name: id  # names the record, and its page: /places/ID/
          type: string
          constraints: {required: true, unique: true, pattern: "^[a-z0-9]+(-[a-z0-9]+)*$"}
        - {name: name, type: string, constraints: {required: true}}
        - name: kind
          type: string
          constraints: {required: true, enum: [town, village]}
          labels: {town: "Town", village: "Village"}  # what readers see for each value
        - {name: residents, type: integer, unit: people, constraints: {minimum: 0}}
        - {name: source, type: string, constraints: {required: true}}
      foreignKeys:  # each place's source is an id in data/sources.yaml
        - {fields: source, reference: {resource: sources, fields: id}}
""",
    "content/data/places.csv": """\
id,name,kind,residents,source
example-town-a,Example town A (made up),town,12000,example-source
example-town-b,Example town B (made up),town,8500,example-source
example-village-c,Example village C (made up),village,900,example-source
""",
    "content/collections.yaml": """\
# Pages from data (docs/pages-from-data.md): one page per place, and a list of them.
- name: places
  dataset: places
  url: "/places/{id}/"
  title: "{name}"
  sort: name
  index: {url: "/places/", title: "Every place"}
""",
    "content/charts.yaml": """\
# Charts: which rows, which columns, and the words around them. Place one in a page
# with `::: chart ID`.
- id: residents-by-place
  kind: bar
  data: places
  x: name
  y: residents
  sort: value
  title: "Residents of each place (example figures)"
  sources: [example-source]
  alt: "Bar chart of made-up example figures: town A 12,000, town B 8,500, village C 900."
""",
    "content/pages/index.md": """\
---
title: "A new story"
description: "A data story made with tiangong-site: replace this with one sentence about it."
nav_title: Story
nav_order: 1
---

**Example figures: replace them.** The places and numbers below are made up, to show how
a story is built; they say nothing about any real place.

Write the story here, in Markdown. The chart below is drawn from
`content/data/places.csv`, declared in `content/datapackage.yaml`; see
[every place](places/) for a page on each.

::: chart residents-by-place
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
