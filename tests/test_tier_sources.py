"""Truth review 4.4: an award's tier is a claim too. Which tier a county-level winner
competes in depends on whether it is one of the 26 mountainous counties, so wherever an
award names a county tier it cites the source for that (award-tiers.yaml, membership_source)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import REPO
from tiangong_site.content import load_content

ITEM = re.compile(r"<li>(.*?)</li>", re.S)


def test_both_county_tiers_name_the_source_of_their_membership():
    content = load_content(REPO / "content")
    tiers = content.index("award-tiers")
    assert tiers["county"].membership_source == "ezhejiang-2025-05-30"
    assert tiers["mountainous"].membership_source == "ezhejiang-2025-05-30"
    assert tiers["city"].membership_source is None, "a prefecture-level city's tier is plain"


@pytest.mark.parametrize(("lang", "tier"), [("en", "not mountainous"), ("zh", "不含山区26县")])
def test_every_county_tier_award_line_cites_the_list_of_mountainous_counties(
    built_once: Path, lang: str, tier: str
):
    regions = built_once / "_site" / lang / "regions"
    lines = [
        item
        for page in sorted(regions.glob("*/index.html"))
        for item in ITEM.findall(page.read_text(encoding="utf-8"))
        if tier in item
    ]
    assert len(lines) >= 10, "Xinchang, Yuecheng, Shangyu, Zhuji, Haining, Beilun, Qiantang…"
    for line in lines:
        tier_at = line.index(tier)
        cite = line.find('href="#cite-ezhejiang-2025-05-30"', tier_at)
        assert cite != -1, f"the tier is not cited: {line[:160]}"
