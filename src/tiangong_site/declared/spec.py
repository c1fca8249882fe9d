"""What `content/datapackage.yaml` may say: Frictionless Data Package and Table Schema names,
plus a few extensions (localised text, enum labels, units, partial dates, uncertainty, arrays
of records), each checked here with the line and column of the mistake.

The declaration is read in two steps: pydantic checks its shape (unknown keys with a
did-you-mean, wrong value types), then `resource_problems` checks what one key says about
another (a label for a value the enum lacks, a foreign key to a field that does not exist).
Its JSON Schema for editors is `PackageSpec`'s.
"""

# No `from __future__ import annotations`, as in models.py: pydantic would compile each
# field's annotation from its text.
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints, TypeAdapter

from ..models import Id, LocalText, Strict, empty_list
from .measures import UnitSpec

TYPES = ("string", "integer", "number", "boolean", "date", "year", "list", "array", "period")
"""Field types: Table Schema's, with `array` (ext) holding records of declared fields and
`period` (ext) the span a value covers (measures.Period)."""
ITEM_TYPES = ("string", "integer", "number", "boolean", "date", "year")
"""Types of a `list` field's items."""
FORMATS = {".yaml": "yaml", ".yml": "yaml", ".csv": "csv", ".json": "json"}
"""Data file formats, by the extension of `path`."""
PRECISIONS = ("year", "month", "day")
"""How precisely readers see a date (`precision`): 2024, May 2024, 24 May 2024."""

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


class MeasureSpec(Strict):
    """(ext) A measured value: a number printed in a unit, perhaps qualified ("over 140")."""

    unit: str = Field(
        description="A key of the package's `units`, or FIELD.COLUMN: the unit is the COLUMN "
        "of the record the foreign key FIELD names (`gauge.unit`)."
    )
    qualifier: FieldName | None = Field(
        default=None,
        description="The field whose value says how the number is printed (`over`, `about`): "
        "the package's `qualifiers` give each value's words.",
    )


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
    measure: MeasureSpec | None = Field(
        default=None,
        description="(ext) On a number: a value as sources print it, in one of the package's "
        "`units`, with the qualifier it is printed with and the decimals it is written with; "
        "rows get NAME_text, NAME_unit, NAME_as_printed and NAME_unit_as_printed.",
    )
    default: bool | Scalar | None = Field(
        default=None,
        description="(ext) The value of a record that gives none (`false` for a flag most "
        "records leave out).",
    )
    precision: Literal["year", "month", "day"] | None = Field(
        default=None,
        description="(ext) On a date: how precisely readers see it; rows get NAME_name, the "
        "date in words in the row's language ('May 2024' for month).",
    )
    labels: dict[str, LocalText] | None = Field(
        default=None,
        description="(ext) Readers' words for each value of the enum; rows get NAME_name.",
    )
    itemType: str | None = Field(
        default=None,
        description="On a list: the type of its items (string by default). CSV cells separate "
        "items with `;`.",
        json_schema_extra={"enum": list(ITEM_TYPES)},
    )
    items: "ItemsSpec | None" = Field(
        default=None, description="(ext) On an array: the fields of each of its records."
    )
    constraints: Constraints = Field(
        default_factory=Constraints, description="What each value must be (Table Schema)."
    )


class ItemsSpec(Strict):
    fields: list[FieldSpec] = Field(min_length=1, description="The fields of each item.")


# FieldSpec names ItemsSpec, defined after it: completed here, before the models holding
# fields are made, so they use its schema rather than each make it again (2.5 ms at import).
FieldSpec.model_rebuild()


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
    columns: list[FieldName] | None = Field(
        default=None,
        description="(ext) The columns of the named record's row that this dataset's rows "
        "take, each as FIELD_COLUMN (`[name]`: team -> team_name); all by default, `[]` "
        "for none.",
    )


class LookupSpec(Strict):
    """(ext) Columns a row takes from the rows of another dataset that match it: one column
    NAME_VALUE for each value of that dataset's column `by`."""

    name: FieldName = Field(description="The columns' first word: NAME_VALUE.")
    resource: str = Field(description="The dataset whose rows are looked up.")
    on: dict[FieldName, FieldName] = Field(
        min_length=1,
        description="Which rows match: this row's column -> that dataset's column.",
    )
    by: FieldName = Field(description="That dataset's column whose values name the columns.")
    value: FieldName = Field(description="That dataset's column each column holds.")
    missing: Scalar | None = Field(
        default=None, description="The value of a column no row matches (none by default)."
    )
    header: LocalText | None = Field(
        default=None,
        description="The columns' words for readers in downloads and chart tables, `{}` "
        "standing for the value that names each column (`Won in {}`).",
    )


class Uncertainty(Strict):
    """(ext) Several statuses on one record: each a field of its own, one note for all."""

    statuses: list[FieldName] = Field(
        min_length=1,
        description="The status fields: `status`, or names ending in `_status` (one for each "
        "value of the record whose basis may differ, e.g. [status, standing_status]).",
    )


class Rule(Strict):
    """(ext) What one field's value must be, compared with another field's of the same record
    (a closed set of comparisons: nothing is evaluated as code)."""

    field: FieldName = Field(description="The field the rule is about.")
    lessThan: FieldName | None = Field(
        default=None, description="The field whose value this one's must be below (before)."
    )
    inYear: FieldName | None = Field(
        default=None, description="On a date: the year field the date must fall in."
    )
    message: str | None = Field(
        default=None, description="Why, for the editor: added to the error in brackets."
    )


class TableSchema(Strict):
    fields: list[FieldSpec] = Field(min_length=1, description="The fields of each record.")
    primaryKey: str | list[str] | None = Field(
        default=None, description="The field that names each record (unique and required)."
    )
    foreignKeys: list[ForeignKey] = Field(
        default_factory=empty_list,
        description="Fields whose values name records of other datasets.",
    )
    uncertainty: bool | Uncertainty = Field(
        default=False,
        description="(ext) Records may carry `status` (reported, derived, inferred, unknown, "
        "conflicting) and `uncertain`, a note required when the status is not reported; "
        "`{statuses: [status, standing_status]}` for several statuses sharing that note.",
    )
    rules: list[Rule] = Field(
        default_factory=empty_list,
        description="(ext) Checks between two fields of a record, each reported at the "
        "record's line: `{field: a, lessThan: b}`, `{field: a_date, inYear: b_year}`.",
    )

    @property
    def statuses(self) -> tuple[str, ...]:
        """The status fields of each record: none without uncertainty."""
        if isinstance(self.uncertainty, Uncertainty):
            return tuple(self.uncertainty.statuses)
        return ("status",) if self.uncertainty else ()


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
        default_factory=empty_list, description="(ext) Ids in content/data/sources.yaml."
    )
    sort: str | None = Field(
        default=None,
        pattern=r"^-?[A-Za-z_][A-Za-z0-9_]*$",
        description="(ext) The order of the rows that charts, tables and downloads read: a "
        "field's name, `-name` for descending; records without a value come last. The data "
        "file's order by default.",
    )
    lookups: list[LookupSpec] = Field(
        default_factory=empty_list,
        description="(ext) Columns the rows take from matching rows of another dataset.",
    )
    rename: dict[FieldName, FieldName] = Field(
        default_factory=dict,
        description="(ext) Columns of the rows under another name: `{period_year: year}`.",
    )
    headers: dict[FieldName, LocalText] = Field(
        default_factory=dict,
        description="(ext) Headers of chart tables, and of downloads in other languages than "
        "English, for the columns the rows derive (NAME_name, F_COL): `{parent_name: {en: "
        "Parent, zh: 上级地区}}`. A field's own column takes its `title`; F_COL, without one "
        "here, the title of COL in the dataset F names.",
    )
    table: TableSchema = Field(alias="schema", description="The fields of the records.")


class QuotesSpec(Strict):
    """(ext) The dataset `{fig:ID}` and `::: callout ID` quote, and the columns a quote shows."""

    dataset: ResourceName = Field(description="The dataset quoted: its records' `id`s.")
    value: FieldName = Field(
        description="The column `{fig:ID}` prints and a callout shows large: `value_text`."
    )
    label: dict[str, FieldName] = Field(
        default_factory=dict,
        description="A callout's words, each a column of the rows, by the name `words` and "
        "templates give it: `{river: river_name, period: period}`; "
        "in this order they name what a status note is about.",
    )
    words: LocalText | None = Field(
        default=None,
        description="How a callout puts its words together, `{NAME}` standing for a name "
        '`label` gives: `{en: "{river}, {period}"}`; the words joined by commas when not given.',
    )
    undated_words: LocalText | None = Field(
        default=None,
        description="The same for a record whose `type: period` field's source gives no date "
        '(`{en: "{river}, date not given"}`); `words` when not given.',
    )
    rank: LocalText | None = Field(
        default=None,
        description="How a callout words a record's `rank`, `{}` standing for the ordinal "
        "(`{} in the league`); the ordinal alone when not given.",
    )


class PackageSpec(Strict):
    """`content/datapackage.yaml`: the datasets a project declares (each resource is checked on
    its own, so one mistake does not hide the others)."""

    name: str | None = Field(default=None, description="The package's name (not used).")
    title: LocalText | None = Field(default=None, description="The package's title (not used).")
    description: LocalText | None = Field(default=None, description="What the package holds.")
    resources: list[Any] = Field(description="The datasets, each with `name`, `path`, `schema`.")
    units: dict[str, UnitSpec] = Field(
        default_factory=dict,
        description="(ext) The units measured values are in, by the name data gives them.",
    )
    qualifiers: dict[str, LocalText] = Field(
        default_factory=dict,
        description="(ext) Words around a qualified number, `{}` standing for it: "
        '`over: {en: "over {}", zh: "超过{}"}`.',
    )
    citations: ResourceName | None = Field(
        default=None,
        description="(ext) The dataset of the documents pages and records cite: `{src:ID}` in "
        "a page, a record's foreign keys to it, a chart's `sources`, the sources page. It "
        "needs a primaryKey and the fields title and url.",
    )
    quotes: QuotesSpec | None = Field(
        default=None,
        description="(ext) The dataset `{fig:ID}` in a page and `::: callout ID` quote, and "
        "the columns they show; without it, a page quotes no figure.",
    )


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
    "FieldSpec.default": False,
    "FieldSpec.precision": "month",
    "FieldSpec.labels": {"north": {"en": "Northern basin"}},
    "FieldSpec.itemType": "string",
    "FieldSpec.items": {"fields": [{"name": "year", "type": "year"}]},
    "FieldSpec.constraints": {"required": True, "minimum": 0},
    "FieldSpec.measure": {"unit": "gauge.unit", "qualifier": "qualifier"},
    "MeasureSpec.unit": "m3-per-second",
    "MeasureSpec.qualifier": "qualifier",
    "LookupSpec.name": "flooded",
    "LookupSpec.resource": "floods",
    "LookupSpec.on": {"id": "river"},
    "LookupSpec.by": "year",
    "LookupSpec.value": "status",
    "LookupSpec.missing": "unknown",
    "LookupSpec.header": {"en": "Flooded in {}"},
    "UnitSpec.text": {"en": "{} m³/s"},
    "UnitSpec.label": {"en": "m³/s"},
    "UnitSpec.scale": {"en": 0.001},
    "UnitSpec.printed": "m³/s",
    "ItemsSpec.fields": [{"name": "year", "type": "year"}, {"name": "value", "type": "number"}],
    "Reference.resource": "rivers",
    "Reference.fields": "id",
    "ForeignKey.fields": "flows_into",
    "ForeignKey.reference": {"resource": "rivers", "fields": "id"},
    "ForeignKey.columns": ["name"],
    "TableSchema.fields": [{"name": "id", "type": "string"}],
    "TableSchema.primaryKey": "id",
    "TableSchema.foreignKeys": [{"fields": "flows_into", "reference": {"resource": "rivers"}}],
    "TableSchema.uncertainty": True,
    "TableSchema.rules": [{"field": "opened", "lessThan": "closed"}],
    "Uncertainty.statuses": ["status", "flow_status"],
    "Rule.field": "opened",
    "Rule.lessThan": "closed",
    "Rule.inYear": "year",
    "Rule.message": "a bridge opens before it closes",
    "ResourceSpec.name": "rivers",
    "ResourceSpec.path": "data/rivers.csv",
    "ResourceSpec.title": {"en": "Rivers"},
    "ResourceSpec.description": {"en": "The province's main rivers."},
    "ResourceSpec.sources": ["river-survey-2023"],
    "ResourceSpec.sort": "-length",
    "ResourceSpec.lookups": [
        {
            "name": "flooded",
            "resource": "floods",
            "on": {"id": "river"},
            "by": "year",
            "value": "status",
        }
    ],
    "ResourceSpec.rename": {"period_year": "year"},
    "ResourceSpec.headers": {"basin_name": {"en": "Basin", "zh": "流域"}},
    "ResourceSpec.schema": {"primaryKey": "id", "fields": [{"name": "id", "type": "string"}]},
    "PackageSpec.name": "rivers-of-the-province",
    "PackageSpec.title": {"en": "Rivers of the province"},
    "PackageSpec.description": {"en": "The datasets of the story."},
    "PackageSpec.units": {"m3-per-second": {"text": "{} m³/s", "label": "m³/s"}},
    "PackageSpec.qualifiers": {"over": {"en": "over {}"}, "about": {"en": "about {}"}},
    "PackageSpec.citations": "sources",
    "PackageSpec.quotes": {
        "dataset": "gauges",
        "value": "flow_text",
        "label": {"river": "river_name"},
    },
    "QuotesSpec.dataset": "gauges",
    "QuotesSpec.value": "flow_text",
    "QuotesSpec.label": {"river": "river_name", "period": "period"},
    "QuotesSpec.words": {"en": "{river}, {period}"},
    "QuotesSpec.undated_words": {"en": "{river}, date not given"},
    "QuotesSpec.rank": {"en": "{} in the league"},
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
