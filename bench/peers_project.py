#!/usr/bin/env python3
"""Write a tiangong-site project for the peers benchmark's records (../shared/bench/peers/).

usage: python bench/peers_project.py RECORDS_JSON SITE_DIR

The peers benchmark builds one page per record with every tool; this adapter maps its
records onto today's content model, writing only what a newsroom would write (data files,
a page, templates, a stylesheet), no Python:

- a record is a region (`tier` city or county is its kind; `mountain` is a county marked
  mountainous), its population a figure of the metric `population`, and each of its ten
  rows a figure of the metric `value` (year -> period, value, rank), all from one source;
- `templates/region.html` renders `/regions/<id>/` as the workload asks: `<h1>` name,
  tier and population, a table of the ten rows, and the rows as a JSON data block;
- `pages/index.md` (layout `data`) and `templates/data.html` list and link every record.

What differs from the peers' pages, because today's engine gives templates formatted
figures only: the population and the values are printed as the engine formats them
('1,234,567', '1,024.5', not '1234567', '1024.5'); the JSON block is written in the
template from those texts (the thousands separator removed), so it parses to the same
numbers; the index shows a mountain region's kind (county), not 'mountain'.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

SITE_YAML = """\
title: "Regions"
description: "Benchmark site, one page per record."
base_url: "https://example.org/"
authors: [{name: "Peers benchmark"}]
publisher: "Peers benchmark"
published: "2024-06-01"
"""

SOURCES_YAML = """\
- id: peers
  title: "Generated records of the peers benchmark"
  publisher: "Peers benchmark"
  url: "https://example.org/regions.json"
  kind: official
  language: en
"""

METRICS_YAML = """\
- id: population
  name: "Population"
  unit: count
- id: value
  name: "Value"
  unit: count
"""

INDEX_MD = """\
---
title: "All regions"
description: "Every region of the benchmark, linked."
layout: data
---
"""

BASE_HTML = """\
<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{% block title %}{% endblock %} | Regions</title></head>
<body>
<header><a href="{{ url() }}">Regions</a></header>
<main>
{% block main %}{% endblock %}
</main>
<footer>Benchmark site, one page per record.</footer>
</body>
</html>
"""

REGION_HTML = """\
{% extends "base.html" %}
{% block title %}{{ region.name }}{% endblock %}
{% block main %}
{% set population = figures | selectattr("metric", "equalto", "Population") | first %}
{% set rows = figures | selectattr("metric", "equalto", "Value") | list %}
<h1>{{ region.name }}</h1>
<p>Tier: {{ "mountain" if region.mountainous else region.kind | lower }} &middot; \
Population: {{ population.value }}</p>
<table>
<thead><tr><th>Year</th><th>Value</th><th>Rank</th></tr></thead>
<tbody>
{% for f in rows %}<tr><td>{{ f.period }}</td><td>{{ f.value }}</td><td>{{ f.rank }}</td></tr>
{% endfor %}</tbody>
</table>
<script type="application/json" id="chart-data">[{% for f in rows %}\
{"year":{{ f.period }},"value":{{ f.value | replace(",", "") }},"rank":{{ f.rank }}}\
{{ "," if not loop.last }}{% endfor %}]</script>
{% endblock %}
"""

DATA_HTML = """\
{% extends "base.html" %}
{% block title %}{{ page.title }}{% endblock %}
{% block main %}
<h1>{{ page.title }}</h1>
<ul>
{% for r in listing.regions %}<li><a href="{{ r.href }}">{{ r.name }}</a> \
({{ r.kind | lower }})</li>
{% endfor %}</ul>
{% endblock %}
"""

NOT_FOUND_HTML = """\
{% extends "base.html" %}
{% block title %}Not found{% endblock %}
{% block main %}
<h1>Not found</h1>
<p><a href="{{ url() }}">All regions</a></p>
{% endblock %}
"""

EMPTY = ("award-tiers", "awards", "clusters", "companies", "events")


def _quoted(value: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is valid YAML)."""
    return json.dumps(value, ensure_ascii=False)


def region_yaml(record: dict[str, Any]) -> str:
    kind = "city" if record["tier"] == "city" else "county"
    mountainous = "  mountainous: true\n" if record["tier"] == "mountain" else ""
    return f"- id: {record['id']}\n  name: {_quoted(record['name'])}\n  kind: {kind}\n{mountainous}"


def figure_yaml(region: str, metric: str, year: int, value: float, rank: int | None) -> str:
    rank_line = f"  rank: {rank}\n" if rank is not None else ""
    return (
        f"- metric: {metric}\n  region: {region}\n  period: {{kind: year, year: {year}}}\n"
        f"  value: {value}\n{rank_line}  source: peers\n"
    )


def figures_yaml(record: dict[str, Any]) -> str:
    rows = record["rows"]
    latest = max(row["year"] for row in rows)
    parts = [figure_yaml(record["id"], "population", latest, record["population"], None)]
    parts += [figure_yaml(record["id"], "value", r["year"], r["value"], r["rank"]) for r in rows]
    return "".join(parts)


def write_project(records: list[dict[str, Any]], site: Path) -> None:
    files = {
        "content/site.yaml": SITE_YAML,
        "content/data/sources.yaml": SOURCES_YAML,
        "content/data/metrics.yaml": METRICS_YAML,
        "content/data/regions.yaml": "".join(region_yaml(r) for r in records),
        "content/data/figures.yaml": "".join(figures_yaml(r) for r in records),
        "content/charts.yaml": "[]\n",
        "content/pages/index.md": INDEX_MD,
        "templates/base.html": BASE_HTML,
        "templates/region.html": REGION_HTML,
        "templates/data.html": DATA_HTML,
        "templates/404.html": NOT_FOUND_HTML,
        "static/style.css": "body { font-family: sans-serif; }\n",
    }
    files |= {f"content/data/{name}.yaml": "[]\n" for name in EMPTY}
    for relpath, text in files.items():
        path = site / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print("usage: peers_project.py RECORDS_JSON SITE_DIR", file=sys.stderr)
        return 2
    records = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    write_project(records, Path(argv[2]))
    print(f"wrote a project of {len(records)} regions to {argv[2]}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
