"""A row's columns as a reader reads them on a collection's page: each under its declared
`title` (else a readable form of its name), with its unit, and its value written as the
page's language writes it (numbers with the language's marks, dates in words, yes and no).
An enum's label (`kind_name`) or a named record's name (`team_name`) is shown in the place
of the code it names (`kind`, `team`)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from . import i18n
from .content import Content
from .i18n import N_, gettext
from .models import text

ENGINE_TITLES = {
    "status": N_("Basis"),
    "uncertain": N_("Note on the basis"),
}
"""Titles of the columns the engine adds (uncertainty: true), as the chart tables name them."""


@dataclass(frozen=True)
class Heading:
    """How one column is shown."""

    title: str
    unit: str
    kind: str
    """The declared field's type ('' for a column no field declares, such as `team_name`)."""
    shown: bool
    """False for a code whose label or name the row also has (`kind` beside `kind_name`)."""


def headings(content: Content, dataset: str, lang: str, keys: list[str]) -> dict[str, Heading]:
    """Each column's heading, by column, for rows with these columns."""
    package = getattr(content, "package", None)
    resource = package.resources.get(dataset) if package is not None else None
    fields = {f.name: f for f in resource.fields} if resource is not None else {}
    present = set(keys)
    found = {}
    for key in keys:
        code = key.removesuffix("_name") if key.endswith("_name") else None
        named = code if code in present else key  # a label takes its code's title
        field = fields.get(named)
        if field is not None and field.title:
            title = text(field.title, lang)
        elif named in ENGINE_TITLES:
            title = gettext(lang, ENGINE_TITLES[named])
        else:
            title = named.replace("_", " ").capitalize()
        unit = text(field.unit, lang) if field is not None and field.unit else ""
        kind = fields[key].type if key in fields else ""
        found[key] = Heading(title, unit, kind, f"{key}_name" not in present)
    return found


def shown(value: Any, kind: str, lang: str) -> str:
    """A value as the page's language writes it; '' for none."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return gettext(lang, N_("yes") if value else N_("no"))
    if isinstance(value, list):
        return ", ".join(filter(None, (shown(item, kind, lang) for item in value)))
    if isinstance(value, dict):  # a record of an array field: its values in order
        return " · ".join(filter(None, (shown(v, "", lang) for v in value.values())))
    if kind == "date" and isinstance(value, str):
        return i18n.date(value, lang)
    if isinstance(value, float) or (kind == "integer" and isinstance(value, int)):
        return i18n.number(value, lang, decimals=6)  # as written: trailing zeros dropped
    if isinstance(value, (str, int)):
        return str(value)
    return json.dumps(value, ensure_ascii=False)
