"""What `content/datapackage.yaml` may say: Frictionless Data Package and Table Schema names,
plus a few extensions (localised text, enum labels, units, partial dates, uncertainty, arrays
of records), each checked here with the line and column of the mistake.

The declaration is read in two steps: pydantic checks its shape (unknown keys with a
did-you-mean, wrong value types), then `resource_problems` checks what one key says about
another (a label for a value the enum lacks, a foreign key to a field that does not exist).
Its JSON Schema for editors is `PackageSpec`'s.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints, TypeAdapter

from ..models import Id, LocalText, Strict

TYPES = ("string", "integer", "number", "boolean", "date", "year", "list", "array")
"""Field types: Table Schema's, with `array` (ext) holding records of declared fields."""
ITEM_TYPES = ("string", "integer", "number", "boolean", "date", "year")
"""Types of a `list` field's items."""
FORMATS = {".yaml": "yaml", ".yml": "yaml", ".csv": "csv", ".json": "json"}
"""Data file formats, by the extension of `path`."""
UNCERTAINTY_FIELDS = ("status", "uncertain")
"""Fields `uncertainty: true` adds to each record; a declared field cannot take their names."""

FieldName = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", max_length=60),
    Field(description="Letters, digits and _, starting with a letter: a column of the rows."),
]
ResourceName = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=80),
    Field(description="The dataset's name: lower-case letters, digits and hyphens."),
]
Scalar = str | int | float


class Constraints(Strict):
    """Table Schema constraints. On a `list`, enum, pattern, minimum and maximum apply to each
    item and minLength/maxLength to the number of items."""

    required: bool = Field(default=False, description="Every record has a value.")
    unique: bool = Field(default=False, description="No two records have the same value.")
    enum: list[Scalar] | None = Field(default=None, description="The values allowed.")
    minimum: int | float | None = Field(default=None, description="The smallest number.")
    maximum: int | float | None = Field(default=None, description="The largest number.")
    pattern: str | None = Field(default=None, description="A regular expression text matches.")
    minLength: int | None = Field(default=None, ge=0, description="Fewest characters (items).")
    maxLength: int | None = Field(default=None, ge=0, description="Most characters (items).")


class FieldSpec(Strict):
    """One field of a record: a column of the data and of its rows."""

    name: FieldName
    type: str = Field(
        default="string",
        description="string, integer, number, boolean, date, year, list or array.",
        json_schema_extra={"enum": list(TYPES)},
    )
    title: LocalText | None = Field(default=None, description="The field's name for readers.")
    description: LocalText | None = Field(default=None, description="What the field holds.")
    format: Literal["default", "uri"] | None = Field(
        default=None, description="`uri` on a string: an http(s) address a reader may follow."
    )
    localised: bool = Field(
        default=False,
        description="(ext) Text in each of the site's languages: `{en: …, zh: …}`; in CSV one "
        "column per language, NAME.en and NAME.zh.",
    )
    partial: bool = Field(
        default=False, description="(ext) On a date: YYYY or YYYY-MM may stand for YYYY-MM-DD."
    )
    unit: str | None = Field(default=None, description="(ext) The unit of a number, e.g. km.")
    labels: dict[str, LocalText] | None = Field(
        default=None,
        description="(ext) Readers' words for each value of the enum; rows get NAME_label.",
    )
    itemType: str | None = Field(
        default=None,
        description="On a list: the type of its items (string by default). CSV cells separate "
        "items with `;`.",
        json_schema_extra={"enum": list(ITEM_TYPES)},
    )
    items: ItemsSpec | None = Field(
        default=None, description="(ext) On an array: the fields of each of its records."
    )
    constraints: Constraints = Field(
        default_factory=Constraints, description="What each value must be (Table Schema)."
    )


class ItemsSpec(Strict):
    fields: list[FieldSpec] = Field(min_length=1, description="The fields of each item.")


class Reference(Strict):
    resource: str = Field(description="The dataset the value names a record of.")
    fields: str | list[str] = Field(
        default="id", description="That dataset's key field (its primaryKey; `id` for sources)."
    )


class ForeignKey(Strict):
    fields: str | list[str] = Field(
        description="The field whose value (each item of a list) names a record of another dataset."
    )
    reference: Reference = Field(description="The dataset and field the value names.")


class TableSchema(Strict):
    fields: list[FieldSpec] = Field(min_length=1, description="The fields of each record.")
    primaryKey: str | list[str] | None = Field(
        default=None, description="The field that names each record (unique and required)."
    )
    foreignKeys: list[ForeignKey] = Field(
        default_factory=list, description="Fields whose values name records of other datasets."
    )
    uncertainty: bool = Field(
        default=False,
        description="(ext) Records may carry `status` (reported, derived, inferred, unknown, "
        "conflicting) and `uncertain`, a note required when the status is not reported.",
    )


class ResourceSpec(Strict):
    """One dataset: its data file and the schema of its records."""

    name: ResourceName
    path: str = Field(
        description="The data file, under content/: .yaml/.yml (a list of records), .csv "
        "(a header row) or .json (an array of objects)."
    )
    title: LocalText | None = Field(default=None, description="The dataset's name for readers.")
    description: LocalText | None = Field(default=None, description="What the dataset holds.")
    sources: list[Id] = Field(
        default_factory=list, description="(ext) Ids in content/data/sources.yaml."
    )
    table: TableSchema = Field(alias="schema", description="The fields of the records.")


class PackageSpec(Strict):
    """`content/datapackage.yaml`: the datasets a project declares (each resource is checked on
    its own, so one mistake does not hide the others)."""

    name: str | None = Field(default=None, description="The package's name (not used).")
    title: LocalText | None = Field(default=None, description="The package's title (not used).")
    description: LocalText | None = Field(default=None, description="What the package holds.")
    resources: list[Any] = Field(description="The datasets, each with `name`, `path`, `schema`.")


FieldSpec.model_rebuild()
ItemsSpec.model_rebuild()


EXAMPLES: dict[str, Any] = {
    "Localised.en": "Rivers",
    "Localised.zh": "河流",
    "Constraints.required": True,
    "Constraints.unique": True,
    "Constraints.enum": ["north", "south"],
    "Constraints.minimum": 0,
    "Constraints.maximum": 100,
    "Constraints.pattern": "^[a-z0-9-]+$",
    "Constraints.minLength": 1,
    "Constraints.maxLength": 80,
    "FieldSpec.name": "length",
    "FieldSpec.type": "number",
    "FieldSpec.title": {"en": "Length"},
    "FieldSpec.description": {"en": "The river's length from source to mouth."},
    "FieldSpec.format": "uri",
    "FieldSpec.localised": True,
    "FieldSpec.partial": True,
    "FieldSpec.unit": "km",
    "FieldSpec.labels": {"north": {"en": "Northern basin"}},
    "FieldSpec.itemType": "string",
    "FieldSpec.items": {"fields": [{"name": "year", "type": "year"}]},
    "FieldSpec.constraints": {"required": True, "minimum": 0},
    "ItemsSpec.fields": [{"name": "year", "type": "year"}, {"name": "value", "type": "number"}],
    "Reference.resource": "rivers",
    "Reference.fields": "id",
    "ForeignKey.fields": "flows_into",
    "ForeignKey.reference": {"resource": "rivers", "fields": "id"},
    "TableSchema.fields": [{"name": "id", "type": "string"}],
    "TableSchema.primaryKey": "id",
    "TableSchema.foreignKeys": [{"fields": "flows_into", "reference": {"resource": "rivers"}}],
    "TableSchema.uncertainty": True,
    "ResourceSpec.name": "rivers",
    "ResourceSpec.path": "data/rivers.csv",
    "ResourceSpec.title": {"en": "Rivers"},
    "ResourceSpec.description": {"en": "The province's main rivers."},
    "ResourceSpec.sources": ["zistic-2024"],
    "ResourceSpec.schema": {"primaryKey": "id", "fields": [{"name": "id", "type": "string"}]},
    "PackageSpec.name": "rivers-of-the-province",
    "PackageSpec.title": {"en": "Rivers of the province"},
    "PackageSpec.description": {"en": "The datasets of the story."},
    "PackageSpec.resources": [
        {"name": "rivers", "path": "data/rivers.csv", "schema": {"fields": [{"name": "id"}]}}
    ],
}
"""An example of each key of datapackage.yaml, shown by editors' plugins."""


def _exemplify(model: str, definition: dict[str, Any]) -> None:
    for field, prop in definition.get("properties", {}).items():
        prop.pop("title", None)
        prop["examples"] = [EXAMPLES[f"{model}.{field}"]]


def package_json_schema() -> dict[str, Any]:
    """The JSON Schema of datapackage.yaml, for editors' YAML plugins."""
    resource = TypeAdapter(ResourceSpec).json_schema(by_alias=True)
    package = PackageSpec.model_json_schema()
    package.setdefault("$defs", {}).update(resource.pop("$defs", {}))
    package["$defs"]["ResourceSpec"] = resource
    package["properties"]["resources"]["items"] = {"$ref": "#/$defs/ResourceSpec"}
    for model, definition in package["$defs"].items():
        _exemplify(model, definition)
    _exemplify("PackageSpec", package)
    package["title"] = "tiangong-site datapackage"
    package["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return package
