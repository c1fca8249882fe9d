"""JSON Schema files for editors' YAML plugins, generated from the content model and the
current content, so they say what the build says wherever JSON Schema can:

- every text readers see needs each language of site.yaml;
- dates follow the calendar (models.DATE_PATTERN), periods have the parts their kind needs;
- an id that names another record is one of that file's ids (an enum: plugins complete it),
  and a chart's columns and `where:` values are those of its `data` (completed too);
- every field has its own description and an example, and each record kind a snippet
  copied from a real record.

What JSON Schema cannot say is left to the build: an id used twice, a declared rule
between two fields of a record (`rules:`, such as a date outside a year), a `where:` whose
values each exist but match no row together. Regenerate with `tiangong-site schema` (`make
schemas`) after adding or renaming an id; a test fails while the committed files are stale.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, TypeAdapter
from pydantic_core import PydanticUndefined

from .content import Content
from .declared.measures import Period
from .languages import language
from .models import DATASETS, Author, Localised, PageMeta, Site, json_schemas
from .tables import dataset_rows

MAX_WHERE_VALUES = 60
"""Columns with more distinct values than this (free text) get no list of values."""

FALLBACK_EXAMPLES: dict[str, Any] = {
    "Site.updated": "2026-12-01",
    "PageMeta.kicker": {"en": "Method", "zh": "方法"},
    "PageMeta.nav_order": 10,
    "PageMeta.published": "2026-11-26",
    "PageMeta.updated": "2026-12-01",
    "PageMeta.allow_html": False,
    "PageMeta.dek": {"en": "How the figures were compiled.", "zh": "数据如何整理。"},
    "Author.url": "https://example.org/desk/",
    "Chart.highlight_label": {"en": "Capital", "zh": "首府"},
    "Period.part": 1,
    "Period.through_month": 11,
}
"""Examples of fields the content never sets (so none can be copied from it)."""


def _models() -> dict[str, type[BaseModel]]:
    """Each model a schema defines, by its name in the schema."""
    found: dict[str, type[BaseModel]] = {
        "Site": Site,
        "PageMeta": PageMeta,
        "Period": Period,
        "Localised": Localised,
        "Author": Author,
    }
    found.update({model.__name__: model for _, model in DATASETS.values()})
    return found


def _defs(schema: dict[str, Any], name: str) -> dict[str, Any] | None:
    """The definition of model `name` in a schema: under $defs, or the schema itself."""
    if schema.get("title") == name:
        return schema
    return schema.get("$defs", {}).get(name)


def _walk(node: Any, visit: Any) -> Any:
    """`visit` applied to every dict of a schema, innermost first."""
    if isinstance(node, dict):
        return visit({k: _walk(v, visit) for k, v in node.items()})
    if isinstance(node, list):
        return [_walk(v, visit) for v in node]
    return node


def _require_languages(schema: dict[str, Any], languages: list[str]) -> dict[str, Any]:
    """Localised text needs each site language; with several, a plain string is no text."""
    local = schema.get("$defs", {}).get("Localised")
    if local is None:
        return schema
    local["required"] = list(languages)
    local["properties"] = {lang: {"minLength": 1, "type": "string"} for lang in languages}
    local["additionalProperties"] = False  # a language the site is not published in
    local.pop("propertyNames", None)
    if len(languages) < 2:
        return schema
    plain, ref = {"type": "string"}, {"$ref": "#/$defs/Localised"}

    def visit(node: dict[str, Any]) -> dict[str, Any]:
        if node.get("anyOf") == [plain, ref]:
            return {k: v for k, v in node.items() if k != "anyOf"} | ref
        return node

    return _walk(schema, visit)


def _ids(content: Content) -> dict[str, list[str]]:
    return {name: sorted(content.index(name), key=str) for name in content.datasets}


def _id_enum(prop: dict[str, Any], ids: list[str]) -> dict[str, Any]:
    """The property's id strings (itself, its list's items, the non-null branch) as an enum."""

    def visit(node: dict[str, Any]) -> dict[str, Any]:
        if node.get("type") == "string" and "pattern" in node:
            return {k: v for k, v in node.items() if k not in ("pattern", "maxLength")} | {
                "enum": ids
            }
        return node

    return _walk(prop, visit)


def _references(schema: dict[str, Any], content: Content) -> None:
    ids = _ids(content)
    for name, model in _models().items():
        definition = _defs(schema, name)
        for field, target in getattr(model, "references", {}).items():
            if definition is not None and field in definition.get("properties", {}):
                definition["properties"][field] = _id_enum(
                    definition["properties"][field], ids.get(target, [])
                )


def _values(rows: list[dict[str, Any]], column: str) -> list[Any]:
    seen: list[Any] = []
    for row in rows:
        value = row.get(column)
        if not any(value == s and type(value) is type(s) for s in seen):
            seen.append(value)
    return seen


def _chart_columns(schema: dict[str, Any], content: Content) -> None:
    """For each `data`, the columns x, y, series, where and highlight may name, and the
    values a `where:` may ask for (if/then on `data`, so plugins complete them)."""
    chart = schema["$defs"]["Chart"]
    branches = []
    for data in chart["properties"]["data"]["enum"]:
        rows = dataset_rows(content, data)
        if not rows:
            continue  # no rows, no columns to offer: the build reports the chart
        columns = sorted(c for c in rows[0] if not c.startswith("_"))
        column = {"enum": columns}
        where: dict[str, Any] = {}
        for name in columns:
            values = _values(rows, name)
            if len(values) <= MAX_WHERE_VALUES:
                one = {"enum": values}
                # A single value must occur in a row, or nothing matches; of a list, one must.
                where[name] = {"anyOf": [one, {"type": "array", "contains": one}]}
        condition = {"properties": {"data": {"const": data}}, "required": ["data"]}
        then = {
            "properties": {
                "x": column,
                "y": {"enum": [*columns, "count"]},
                "series": {"anyOf": [column, {"type": "null"}]},
                "table": {"anyOf": [{"type": "array", "items": column}, {"type": "null"}]},
                "where": {"propertyNames": column, "properties": where},
                "highlight": {
                    "anyOf": [{"propertyNames": column, "properties": where}, {"type": "null"}]
                },
            }
        }
        branches.append({"if": condition, "then": then})
    chart["allOf"] = branches


def _periods(schema: dict[str, Any]) -> None:
    """What Period._consistent checks, as conditions on `kind`."""
    period = schema.get("$defs", {}).get("Period")
    if period is None:
        return

    def when(kind: str, then: dict[str, Any]) -> dict[str, Any]:
        return {"if": {"properties": {"kind": {"const": kind}}, "required": ["kind"]}, "then": then}

    null = {"type": "null"}
    period["allOf"] = [
        when("year", {"properties": {"part": null, "through_month": null}}),
        when("half-year", {"required": ["part"], "properties": {"part": {"enum": [1, 2]}}}),
        when("quarter", {"required": ["part"], "properties": {"part": {"type": "integer"}}}),
        when(
            "year-to-date",
            {"required": ["through_month"], "properties": {"through_month": {"type": "integer"}}},
        ),
    ]


def _records(content: Content) -> dict[str, list[dict[str, Any]]]:
    """The raw records of the content, by model name, as written in its files."""
    found: dict[str, list[dict[str, Any]]] = {}
    for name, (_, model) in DATASETS.items():
        loaded = content.files.get(name)
        found[model.__name__] = (
            [r for r in (loaded.data or []) if isinstance(r, dict)] if loaded else []
        )
    site = content.files["site"].data
    found["Site"] = [site]
    found["Author"] = list(site.get("authors", []))
    default = content.site.default_language
    found["PageMeta"] = [
        p.source.data for p in content.pages if p.lang == default and p.source.data
    ]
    found["Period"] = _periods_written(content)
    found["Localised"] = [site["title"]] if isinstance(site.get("title"), dict) else []
    return found


def _periods_written(content: Content) -> list[dict[str, Any]]:
    """Every period the declared datasets' records give, as written (for examples)."""
    package, found = content.package, []
    for name, resource in (package.resources if package is not None else {}).items():
        fields = [f.name for f in resource.fields if f.type == "period"]
        for record in content.datasets.get(name, []):
            periods = [getattr(record, f) for f in fields] if record is not None else []
            found += [p.model_dump(exclude_defaults=True) for p in periods if p is not None]
    return found


def _example(model: str, field: str, records: list[dict[str, Any]], default: Any) -> Any:
    """The field's value in the last record that has it (the newest, in most files); else
    the model's default, else a written example."""
    for record in reversed(records):
        if record.get(field) is not None:
            return record[field]
    if default not in (None, [], {}) and default is not PydanticUndefined:
        return default
    return FALLBACK_EXAMPLES.get(f"{model}.{field}")  # None: another project's content


def _describe_and_exemplify(schema: dict[str, Any], content: Content) -> None:
    records = _records(content)
    for name, model in _models().items():
        definition = _defs(schema, name)
        if definition is None:
            continue
        for field, prop in definition.get("properties", {}).items():
            if model is Localised:  # its fields are the site's languages
                _describe_language(prop, field, records[name])
                continue
            info = model.model_fields[field]
            prop["description"] = info.description or prop.get("description", "")
            prop.pop("title", None)
            default = info.get_default(call_default_factory=True)
            example = _example(name, field, records[name], default)
            if example is not None:
                prop["examples"] = [example]
        if name in {m.__name__ for _, m in DATASETS.values()} and records[name]:
            definition["defaultSnippets"] = [_snippet(name, model, records[name][-1])]


def _describe_language(prop: dict[str, Any], lang: str, records: list[dict[str, Any]]) -> None:
    """A language's text in a Localised value: its description, and an example if the
    content has one."""
    named = language(lang)
    native = f" ({named.native})" if named.native != named.english else ""
    prop["description"] = f"The text in {named.english}{native}."
    examples = [r[lang] for r in records if isinstance(r.get(lang), str)]
    if examples:
        prop["examples"] = [examples[-1]]


def _snippet(name: str, model: type[BaseModel], record: dict[str, Any]) -> dict[str, Any]:
    """A new record, copied from the file's last one (real, valid values, in the file's
    order), with a new id: editors change what differs."""
    body = {k: v for k, v in record.items() if model.model_fields[k].is_required() or k == "id"}
    if "id" in body:
        body["id"] = f"new-{name.lower()}"
    return {
        "label": f"new {name.lower()}",
        "description": f"a new record, copied from the last {name.lower()} in the file",
        "body": body,
    }


def content_schemas(content: Content) -> dict[str, dict[str, Any]]:
    """The schemas of every content file, for this content: the built-in ones, the
    declaration file's (datapackage) and each declared dataset's."""
    schemas = json_schemas()
    package = content.package
    data = schemas["charts"]["$defs"]["Chart"]["properties"]["data"]
    if "const" in data:  # one built-in dataset with rows: pydantic writes a const
        data["enum"] = [data.pop("const")]
    if package is not None and package.resources:
        data.setdefault("enum", [])
        data["enum"] += [name for name in package.resources if name not in data["enum"]]
    for name, schema in schemas.items():
        if name != "page":  # each edition of a page is a file in one language: plain text
            schema = _require_languages(schema, content.site.languages)
        _references(schema, content)
        _periods(schema)
        _describe_and_exemplify(schema, content)
        if name == "charts":
            _chart_columns(schema, content)
        schemas[name] = schema
    return schemas | _declared_schemas(content) | {"collections": _collections_schema(content)}


def _collections_schema(content: Content) -> dict[str, Any]:
    """collections.yaml's: a list of collections, each `dataset` one of the content's
    datasets with rows (any but charts). A title is a pattern, which a plain string or
    any of the site's languages may write (the others read the first)."""
    from .collections import INDEX_URL_PATTERN, URL_PATTERN, CollectionSpec  # `schema` only

    schema = TypeAdapter(list[CollectionSpec]).json_schema()
    schema["title"] = "tiangong-site collections"
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    _describe_and_exemplify(schema, content)  # the Localised definition
    datasets = sorted(name for name in content.datasets if name != "charts")
    defs = schema["$defs"]
    for model, definition in defs.items():
        for field, prop in definition.get("properties", {}).items():
            if f"{model}.{field}" in COLLECTION_EXAMPLES:
                prop.pop("title", None)
                prop["examples"] = [COLLECTION_EXAMPLES[f"{model}.{field}"]]
    for model in ("CollectionSpec", "RelatedSpec"):
        defs[model]["properties"]["dataset"] |= {"enum": datasets, "examples": datasets[-1:]}
    related = {"gauges": {"dataset": datasets[-1], "field": "river"}}  # one of the project's
    defs["CollectionSpec"]["properties"]["related"] |= {"examples": [related]}
    defs["CollectionSpec"]["properties"]["url"] |= {"pattern": URL_PATTERN}  # as validated
    defs["IndexSpec"]["properties"]["url"] |= {"pattern": INDEX_URL_PATTERN}
    return schema


COLLECTION_EXAMPLES: dict[str, Any] = {
    "CollectionSpec.name": "rivers",
    "CollectionSpec.url": "/rivers/{id}/",
    "CollectionSpec.template": "river.html",
    "CollectionSpec.title": "{name}",
    "CollectionSpec.where": {"kind": {"not": "canal"}},
    "CollectionSpec.sort": "-length",
    "CollectionSpec.group_by": "basin",
    "CollectionSpec.index": {"url": "/rivers/", "title": "Rivers"},
    "IndexSpec.url": "/rivers/",
    "IndexSpec.title": "Rivers",
    "IndexSpec.template": "records.html",
    "Not.not": ["canal", "ditch"],
    "RelatedSpec.field": "river",
    "RelatedSpec.sort": ["river", "-year"],
}
"""An example of each key of collections.yaml, shown by editors' plugins (the datasets
in the examples are the project's own)."""


def _declared_schemas(content: Content) -> dict[str, dict[str, Any]]:
    """datapackage.schema.json, and one schema per declared dataset: its records' model's,
    with each site language required and the ids a foreign key may name as an enum."""
    from .declared.spec import package_json_schema

    schemas = {"datapackage": package_json_schema()}
    package = content.package
    for name, resource in (package.resources if package is not None else {}).items():
        schema = TypeAdapter(list[resource.model]).json_schema()  # type: ignore[name-defined]
        schema["title"] = f"tiangong-site {name}"
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        schema = _require_languages(schema, content.site.languages)
        record = schema["$defs"][resource.model.__name__]
        for field, (target, _) in resource.foreign_keys.items():
            ids = sorted(content.index(target), key=str)
            record["properties"][field] = _walk(record["properties"][field], _enum_of(ids))
        _exemplify_declared(record, resource.model, content.datasets.get(name, []))
        _periods(schema)
        _describe_and_exemplify(schema, content)  # the definitions it shares (Localised)
        schemas[name] = schema
    return schemas


def _exemplify_declared(record: dict[str, Any], model: type[BaseModel], records: list[Any]) -> None:
    """Each field's value in the last record that has one (or its default), as the
    built-in datasets' schemas show, and a snippet copied from the last record."""
    written = [r.model_dump(mode="json", exclude_none=True) for r in records if r is not None]
    for field, prop in record.get("properties", {}).items():
        info = model.model_fields[field]
        if info.title is None:  # pydantic's title made of the name: the declared one only
            prop.pop("title", None)
        example = _example("", field, written, info.get_default(call_default_factory=True))
        if example is not None:
            prop["examples"] = [example]
    if written:
        record["defaultSnippets"] = [_snippet(model.__name__, model, written[-1])]


def _enum_of(ids: list[Any]) -> Any:
    """A visitor making each string or integer node of a property an enum of `ids`."""

    def visit(node: dict[str, Any]) -> dict[str, Any]:
        if node.get("type") in ("string", "integer"):
            return {k: v for k, v in node.items() if k not in ("pattern", "maxLength")} | {
                "enum": ids
            }
        return node

    return visit


def schema_texts(content: Content) -> dict[str, str]:
    return {
        f"{name}.schema.json": json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
        for name, schema in content_schemas(content).items()
    }


def write_schemas(folder: Path, content: Content) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, body in schema_texts(content).items():
        path = folder / name
        path.write_text(body, encoding="utf-8")
        written.append(path)
    return written
