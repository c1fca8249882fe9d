"""A small made-up site in English and Chinese, on the real templates, static files and
catalogues: the bilingual machinery tested apart from the feature's content."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

FILES = {
    "site.yaml": """
        title: {en: "Test site", zh: "测试网站"}
        description: {en: "A site made up for the tests.", zh: "为测试编写的网站。"}
        base_url: "https://example.org/sub/"
        languages: [en, zh]
        authors:
          - name: {en: "Test desk", zh: "测试组"}
        publisher: {en: "Test publisher", zh: "测试出版方"}
        published: "2024-05-24"
        """,
    "data/sources.yaml": """
        - id: src-a
          title: {en: "Report A", zh: "报告甲"}
          publisher: {en: "Bureau A", zh: "甲局"}
          date: "2024-05-01"
          url: "https://example.org/a"
          kind: official
          language: zh
        """,
    "data/regions.yaml": """
        - id: prov
          name: {en: Province, zh: 某省}
          kind: province
        - id: alpha
          name: {en: Alpha, zh: 甲市}
          kind: city
          parent: prov
          summary: {en: "A city.", zh: "一座城市。"}
          sources: [src-a]
        """,
    "data/metrics.yaml": """
        - id: gdp
          name: {en: "GDP", zh: "地区生产总值"}
          unit: 100m-yuan
        - id: growth
          name: {en: "Growth", zh: "增速"}
          unit: percent
        """,
    "data/figures.yaml": """
        - id: alpha-gdp
          metric: gdp
          region: alpha
          period: {kind: year, year: 2024}
          value: 2252.28
          source: src-a
        - id: alpha-growth
          metric: growth
          region: alpha
          period: {kind: half-year, year: 2023, part: 1}
          value: 9.7
          rank: 2
          source: src-a
        - metric: growth
          region: alpha
          period: {kind: year, year: 2022}
          value: 8.1
          source: src-a
        - metric: growth
          region: alpha
          period: {kind: year, year: 2023}
          value: 10.8
          source: src-a
        """,
    "data/award-tiers.yaml": """
        - id: city
          name: {en: "Cities", zh: "设区市"}
          winners: 6
          pool: {en: "prefecture-level cities", zh: "设区市"}
          source: src-a
        """,
    "data/awards.yaml": """
        - ceremony_year: 2024
          ceremony_date: "2024-05-24"
          evaluation_year: 2023
          region: alpha
          tier: city
          standing: first-time
          source: src-a
        """,
    "data/clusters.yaml": "[]\n",
    "data/companies.yaml": "[]\n",
    # The real project's declarations of award-tiers, clusters, companies and events.
    "datapackage.yaml": (REPO / "content" / "datapackage.yaml").read_text(encoding="utf-8"),
    "collections.yaml": (REPO / "content" / "collections.yaml").read_text(encoding="utf-8"),
    "data/events.yaml": """
        - id: ceremony-2024
          date: "2024-05-24"
          title: {en: "Second ceremony", zh: "第二届颁奖"}
          kind: ceremony
          source: src-a
        """,
    "charts.yaml": """
        - id: gdp
          kind: column
          data: figures
          where: {metric: gdp}
          x: region_name
          y: value
          title: {en: "Alpha's economy", zh: "甲市经济"}
          y_title: {en: "GDP, bn yuan", zh: "地区生产总值（亿元）"}
          sources: [src-a]
          alt: {en: "One column: Alpha, 225.2 bn yuan.", zh: "一根柱子：甲市，2252.28亿元。"}
        - id: growth
          kind: line
          data: figures
          where: {metric: growth}
          x: period
          y: value
          series: period_kind_name
          connect: ["Whole year"]
          title: {en: "Growth", zh: "增速"}
          sources: [src-a]
          alt:
            en: "Growth: 8.1% in 2022, 10.8% in 2023, 9.7% in H1 2023."
            zh: "增速：2022年8.1%，2023年10.8%，2023年上半年9.7%。"
        """,
    "pages/index.md": """
        ---
        title: "Alpha grows"
        description: "A story."
        layout: story
        nav_title: Story
        ---
        Alpha's GDP was {fig:alpha-gdp} and it grew {fig:alpha-growth}
        in the first half of 2023.{src:src-a}

        ::: chart gdp

        ::: chart growth

        See [Alpha](regions/alpha/).
        """,
    "pages/index.zh.md": """
        ---
        title: "甲市在增长"
        description: "一篇报道。"
        layout: story
        nav_title: 报道
        ---
        甲市地区生产总值为{fig:alpha-gdp}，上半年增长{fig:alpha-growth}。{src:src-a}

        ::: chart gdp

        ::: chart growth

        详见[甲市](regions/alpha/)。
        """,
    "pages/sources.md": """
        ---
        title: "Sources"
        description: "Sources."
        slug: sources
        layout: sources
        ---
        Sources.
        """,
    "pages/sources.zh.md": """
        ---
        title: "来源"
        description: "来源。"
        slug: sources
        layout: sources
        ---
        来源。
        """,
    "pages/data.md": """
        ---
        title: "Data"
        description: "Data."
        slug: data
        layout: data
        ---
        Data.
        """,
    "pages/data.zh.md": """
        ---
        title: "数据"
        description: "数据。"
        slug: data
        layout: data
        ---
        数据。
        """,
}


def make_bilingual_project(root: Path) -> Path:
    root.mkdir(parents=True)
    for name in ("templates", "static", "locales"):
        shutil.copytree(REPO / name, root / name)
    if (REPO / "node_modules").is_dir():
        (root / "node_modules").symlink_to(REPO / "node_modules", target_is_directory=True)
    for name, body in FILES.items():
        path = root / "content" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(body).lstrip("\n"), encoding="utf-8")
    return root
