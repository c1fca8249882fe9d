"""Records -> flat rows a reader can read: names resolved, periods labelled, units converted.

Charts, their HTML tables and their CSV/JSON downloads are all made from these
rows, so the three always show the same numbers.
"""

from __future__ import annotations

import calendar
from typing import Any

from .content import Content
from .models import Period, text

MONTHS_EN = [calendar.month_abbr[m] for m in range(13)]

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "year": "Whole year",
        "half-year": "Half-year",
        "quarter": "Quarter",
        "year-to-date": "Year to date",
        "first-time": "First-time winner",
        "returning": "Returning winner",
        "unknown": "Status not known",
        "national-advanced-manufacturing": "National advanced manufacturing cluster",
        "national-sme": "National SME characteristic cluster",
        "provincial-core": "Provincial cluster: core area",
        "provincial-collaborative": "Provincial cluster: collaborative area",
        "provincial-platform": "Provincial 'ten-thousand-mu, hundred-billion' platform",
        "percent": "%",
        "100m-yuan": "bn yuan",
        "count": "",
        "mu": "mu",
        "rank": "",
        "not-known": "not known",
        "uncertain-count": "uncertain: inferred or unconfirmed (see notes)",
        "hatched": "Hatched: uncertain (see notes)",
        "points": "points",
        "event-ceremony": "Award ceremony",
        "event-policy": "Policy",
        "event-launch": "Launch",
        "event-recognition": "Recognition",
        "event-relocation": "Relocation",
        "event-other": "Other",
    },
}


UNITS_AS_PRINTED = {"percent": "%", "points": "percentage points", "100m-yuan": "亿元", "count": "", "mu": "亩", "rank": ""}
"""Units as the (Chinese) sources print them, for the downloads."""


def label(key: str, lang: str = "en") -> str:
    return LABELS.get(lang, LABELS["en"]).get(key, LABELS["en"].get(key, key))


def period_label(period: Period, lang: str = "en") -> str:
    """'2023', 'H1 2023', 'Q1 2022', 'Q1–Q3 2022', 'Jan–Nov 2025'."""
    if period.kind == "year":
        return str(period.year)
    if period.kind == "half-year":
        return f"H{period.part} {period.year}"
    if period.kind == "quarter":
        return f"Q{period.part} {period.year}"
    month = period.through_month or 12
    if month % 3 == 0:
        return f"Q1–Q{month // 3} {period.year}"
    return f"Jan–{MONTHS_EN[month]} {period.year}"


def display_value(value: float | None, unit: str) -> float | None:
    """The value in the unit English readers are shown (亿元 -> bn yuan)."""
    if value is None:
        return None
    if unit == "100m-yuan":
        return round(value / 10, 4)
    return value


def format_value(value: float | None, unit: str, qualifier: str = "exact", lang: str = "en") -> str:
    """A figure as a reader sees it: '10.8%', '215.5 bn yuan', '10,202 mu', 'over 140 bn yuan'."""
    if value is None:
        return label("not-known", lang)
    shown = display_value(value, unit)
    assert shown is not None
    number = f"{shown:,.2f}".rstrip("0").rstrip(".") if shown != int(shown) else f"{int(shown):,}"
    if unit == "percent":
        body = f"{number}%"
    elif unit == "points":
        body = f"{number} percentage points"
    elif unit in ("100m-yuan", "mu"):
        body = f"{number} {label(unit, lang)}"
    else:
        body = number
    prefix = {"over": "over ", "about": "about "}.get(qualifier, "")
    return prefix + body


def _region_name(content: Content, region_id: str | None, lang: str) -> str:
    if region_id is None:
        return ""
    region = content.index("regions").get(region_id)
    return text(region.name, lang) if region else region_id


def _wins(content: Content) -> dict[str, set[int]]:
    wins: dict[str, set[int]] = {}
    for award in content.datasets["awards"]:
        wins.setdefault(award.region, set()).add(award.ceremony_year)
    return wins


def figure_rows(content: Content, lang: str = "en") -> list[dict[str, Any]]:
    metrics = content.index("metrics")
    wins = _wins(content)
    ceremonies = sorted({a.ceremony_year for a in content.datasets["awards"]})
    rows = []
    for fig in content.datasets["figures"]:
        metric = metrics[fig.metric]
        won = {f"won_{year}": year in wins.get(fig.region, ()) for year in ceremonies}
        rows.append(
            {
                **won,
                "id": fig.id or "",
                "metric": fig.metric,
                "metric_name": text(metric.name, lang),
                "region": fig.region,
                "region_name": _region_name(content, fig.region, lang),
                "cluster": fig.cluster or "",
                "period": period_label(fig.period, lang),
                "period_mid": fig.period.midpoint,
                "period_kind": fig.period.kind,
                "period_kind_name": label(fig.period.kind, lang),
                "year": fig.period.year,
                "value": display_value(fig.value, metric.unit),
                "unit": label(metric.unit, lang),
                "value_text": format_value(fig.value, metric.unit, fig.qualifier, lang),
                "value_as_printed": fig.value,
                "unit_as_printed": UNITS_AS_PRINTED[metric.unit],
                "qualifier": fig.qualifier,
                "rank": fig.rank if fig.rank is not None else "",
                "certain": fig.uncertain is None,
                "uncertain": text(fig.uncertain, lang),
                "source": fig.source,
                "_sort": fig.period.sort_key,
            }
        )
    return rows


def award_rows(content: Content, lang: str = "en") -> list[dict[str, Any]]:
    tiers = content.index("award-tiers")
    regions = content.index("regions")
    rows = []
    for award in content.datasets["awards"]:
        region = regions[award.region]
        rows.append(
            {
                "ceremony_year": award.ceremony_year,
                "ceremony": f"May {award.ceremony_year}" if award.ceremony_date else str(award.ceremony_year),
                "evaluation_year": award.evaluation_year,
                "region": award.region,
                "region_name": text(region.name, lang),
                "region_parent": region.parent or "",
                "tier": award.tier,
                "tier_name": text(tiers[award.tier].name, lang),
                "status": award.status,
                "status_name": label(award.status, lang),
                "golden": award.golden,
                "certain": award.uncertain is None,
                "uncertain": text(award.uncertain, lang),
                "source": award.source,
            }
        )
    return rows


def tier_rows(content: Content, lang: str = "en") -> list[dict[str, Any]]:
    return [
        {"id": t.id, "name": text(t.name, lang), "winners": t.winners, "pool": text(t.pool, lang), "source": t.source}
        for t in content.datasets["award-tiers"]
    ]


def cluster_rows(content: Content, lang: str = "en") -> list[dict[str, Any]]:
    return [
        {
            "id": c.id,
            "name": text(c.name, lang),
            "industry": text(c.industry, lang),
            "region": c.region,
            "region_name": _region_name(content, c.region, lang),
            "level": c.level,
            "level_name": label(c.level, lang),
            "year": c.year or "",
            "certain": c.uncertain is None,
            "uncertain": text(c.uncertain, lang),
            "source": c.source,
        }
        for c in content.datasets["clusters"]
    ]


def event_rows(content: Content, lang: str = "en") -> list[dict[str, Any]]:
    return [
        {
            "id": e.id,
            "date": e.date,
            "title": text(e.title, lang),
            "kind": e.kind,
            "kind_name": label(f"event-{e.kind}", lang),
            "region_name": _region_name(content, e.region, lang),
            "certain": e.uncertain is None,
            "uncertain": text(e.uncertain, lang),
            "source": e.source,
        }
        for e in sorted(content.datasets["events"], key=lambda e: e.date)
    ]


def company_rows(content: Content, lang: str = "en") -> list[dict[str, Any]]:
    return [
        {
            "id": c.id,
            "name": text(c.name, lang),
            "sector": text(c.sector, lang),
            "region_name": _region_name(content, c.region, lang),
            "certain": c.uncertain is None,
            "uncertain": text(c.uncertain, lang),
            "source": c.source,
        }
        for c in content.datasets["companies"]
    ]


ROWS_READ = {
    "figures": {"figures", "metrics", "regions", "awards"},
    "awards": {"awards", "award-tiers", "regions"},
    "award-tiers": {"award-tiers"},
    "clusters": {"clusters", "regions"},
    "events": {"events", "regions"},
    "companies": {"companies", "regions"},
}
"""Which datasets each dataset's rows are made from: what a chart of it depends on."""

ROW_BUILDERS = {
    "figures": figure_rows,
    "awards": award_rows,
    "award-tiers": tier_rows,
    "clusters": cluster_rows,
    "events": event_rows,
    "companies": company_rows,
}


def dataset_rows(content: Content, dataset: str, lang: str = "en") -> list[dict[str, Any]]:
    return ROW_BUILDERS[dataset](content, lang)


def matches(row: dict[str, Any], where: dict[str, Any]) -> bool:
    for column, wanted in where.items():
        allowed = wanted if isinstance(wanted, list) else [wanted]
        if row.get(column) not in allowed:
            return False
    return True
