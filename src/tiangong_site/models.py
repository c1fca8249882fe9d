"""The content model: one pydantic class per record kind, the single source of truth.

Why pydantic: the same classes validate the YAML (with messages we can map to
file:line), type the rest of the build, and generate the JSON Schema that
editors' YAML plugins use. A hand-written JSON Schema would need a second,
drifting copy of the rules in Python.
"""

# No `from __future__ import annotations`: pydantic would then evaluate every field's
# annotation from its text, compiling each (with declared/spec.py's, 3 ms of a build).
import calendar
import re
import zoneinfo
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)
from pydantic_core import PydanticCustomError

from .languages import KNOWN, check_code


def _check_language(code: str) -> str:
    try:
        return check_code(code)
    except ValueError as exc:
        message, _, hint = str(exc).partition(" (")
        raise PydanticCustomError("language_code", message, {"hint": hint[:-1]}) from None


Lang = Annotated[
    str,
    AfterValidator(_check_language),
    Field(
        description="A language: its BCP 47 primary subtag (en, fr, zh...).",
        json_schema_extra={"enum": list(KNOWN)},
    ),
]
"""A language code the engine knows (languages.KNOWN); others are refused where written."""
LANGUAGES: tuple[str, ...] = tuple(KNOWN)

Id = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=80)]
"""An id: lower-case letters, digits and hyphens. Each field says whose id it is."""

_HOST = r"[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::[0-9]{1,5})?"
_UNSAFE = r"\s\x00-\x1f\x7f<>" + '"' + r"'`\\{}|^"  # no escaped quote: JSON Schema regexes
URL_PATTERN = rf"^https?://{_HOST}(?:[/?#][^{_UNSAFE}]*)?$"
"""An address a reader may follow: http(s), a host, then no space, control character,
quote or markup. Every URL in the content is checked against it (and robots.txt's)."""
BASE_URL_PATTERN = rf"^https?://{_HOST}(?:/(?:[A-Za-z0-9._~/-]|%[0-9A-Fa-f]{{2}})*)?$"
"""Where the site is published. Its path goes into every link, the sitemap and robots.txt,
so it may hold only letters, digits, `- . _ ~ /` and %XX escapes: no query, no fragment."""
URL_HINTS = {
    "url": "a URL is http:// or https://, a host name, then no spaces, quotes or < >",
    "base_url": "use https://HOST/PATH/ with only letters, digits, - . _ ~ / and %XX in the "
    "path (write & as %26)",
}

_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def _check_date(value: str) -> str:
    match = _DATE.match(value)
    if not match:
        raise ValueError("a date is written YYYY-MM-DD, YYYY-MM or YYYY")
    year, month, day = (int(g) if g else None for g in match.groups())
    if month is not None and not 1 <= month <= 12:
        raise ValueError(f"impossible date {value}: there is no month {month}")
    if day is not None:
        last = calendar.monthrange(year, month)[1]
        if not 1 <= day <= last:
            raise ValueError(
                f"impossible date {value}: {calendar.month_name[month]} {year} has {last} days"
            )
    return value


_YEAR, _LEAP = (
    r"[0-9]{4}",
    r"(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00)",
)
DATE_PATTERN = (
    rf"^(?:{_YEAR}(?:-(?:0[1-9]|1[0-2]))?"
    rf"|{_YEAR}-(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])"
    rf"|{_YEAR}-(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)"
    rf"|{_YEAR}-02-(?:0[1-9]|1[0-9]|2[0-8])"
    rf"|{_LEAP}-02-29)$"
)
"""The dates _check_date accepts, as a regular expression for the JSON Schema (so editors'
plugins refuse 2026-02-30 and 2025-02-29 too): the build keeps _check_date, whose message
says why a date is impossible."""

PartialDate = Annotated[
    str,
    AfterValidator(_check_date),
    Field(
        description="A date as precise as the source: YYYY-MM-DD, YYYY-MM or YYYY.",
        examples=["2024-05-24"],
        json_schema_extra={"pattern": DATE_PATTERN},
    ),
]


def _check_timezone(name: str) -> str:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"'{name}' is not a time zone name; use an IANA name such as Asia/Shanghai or UTC"
        ) from None
    return name


class Strict(BaseModel):
    """Base for every content record: unknown fields are typos, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # field name -> dataset its value (or each item of its list) must name an id in
    references: ClassVar[dict[str, str]] = {}


_KNOWN_ORDER = {code: i for i, code in enumerate(KNOWN)}
"""Each language's place in languages.KNOWN (made once: every text of the content is
sorted by it)."""


class Localised(Strict):
    """Text in each of the site's languages, `{en: "…", fr: "…"}`: every text readers see
    needs each language of site.yaml (checked with the site's languages, where the text is
    written). Keys are language codes; the texts are kept in the order of languages.KNOWN,
    so a download's bilingual value reads the same however the YAML orders it."""

    model_config = ConfigDict(
        extra="allow",
        frozen=True,
        json_schema_extra={"minProperties": 1, "propertyNames": {"enum": list(KNOWN)}},
    )
    __pydantic_extra__: dict[Lang, Annotated[str, Field(min_length=1)]] = Field(init=False)

    @model_validator(mode="before")
    @classmethod
    def _in_known_order(cls, data: Any) -> Any:
        if isinstance(data, dict):
            if not data:
                raise ValueError("this text is empty: write `{LANG: text}` for each language")
            last = len(_KNOWN_ORDER)
            return dict(sorted(data.items(), key=lambda kv: _KNOWN_ORDER.get(kv[0], last)))
        return data

    @property
    def texts(self) -> dict[str, str]:
        """The text in each language it is written in: {code: text}."""
        return self.__pydantic_extra__ or {}

    def get(self, lang: str) -> str | None:
        """The text in `lang`, or None."""
        return self.texts.get(lang)


LocalText = Annotated[
    str | Localised,
    Field(
        description=(
            "Text readers see, in each of the site's languages: `{en: …, zh: …}` "
            "(a site of one language may write a plain string)."
        )
    ),
]


def text(value: LocalText | None, lang: str = "en") -> str:
    """The reader-facing text of a localisable value in `lang` (else its first language's)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return value.get(lang) or next(iter(value.texts.values()), "")


# --- what a value rests on ------------------------------------------------------

Status = Literal["reported", "derived", "inferred", "unknown", "conflicting"]
"""How a record's value is known. It travels as it is to every table, chart and download:
an inferred win never becomes `true`, an unknown result never becomes `false`."""

STATUS_HELP = (
    "reported: a source prints it; derived: computed from reported values; inferred: reasoned "
    "from the sources, which do not print it; unknown: not found or not confirmed; "
    "conflicting: sources disagree. Anything but reported needs `uncertain:` saying why."
)


def empty_list() -> list[Any]:
    """An empty list, a field's `default_factory` in place of the built-in `list`: pydantic
    reads a factory's signature, and `list`'s is text to parse (with tokenize's patterns,
    compiled the first time: 1.5 ms of a build)."""
    return []


def status_field(what: str = "the record") -> Any:
    return Field(default="reported", description=f"How {what} is known. {STATUS_HELP}")


class Qualified(Strict):
    """A record whose status other than `reported` must be explained in `uncertain`."""

    def _status_values(self) -> list[str]:
        return [self.status]

    @model_validator(mode="after")
    def _status_has_its_note(self) -> Any:
        weaker = [s for s in self._status_values() if s != "reported"]
        note = getattr(self, "uncertain", None)
        if weaker and note is None:
            raise ValueError(f"status '{weaker[0]}' needs `uncertain:` saying why, in a sentence")
        if note is not None and not weaker:
            raise ValueError(
                "`uncertain:` is given but the status is 'reported': set `status:` to derived, "
                "inferred, unknown or conflicting, or remove the note"
            )
        return self


# --- site -------------------------------------------------------------------


class Author(Strict):
    name: LocalText = Field(description="The author's name, as the byline prints it.")
    url: str | None = Field(
        description=(
            "A page about the author (http:// or https://); without it the byline links to "
            "the sources page."
        ),
        default=None,
        pattern=URL_PATTERN,
    )


class Site(Strict):
    """`content/site.yaml`: settings for the whole site."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        json_schema_extra=lambda schema: schema["properties"]["default_language"].pop("default"),
    )

    title: LocalText = Field(description="The site's name, in the page titles and the header.")
    description: LocalText = Field(
        description="One or two sentences about the site, for search engines and link previews.",
    )
    base_url: str = Field(
        pattern=BASE_URL_PATTERN,
        description="Where the site is published, e.g. https://org.github.io/repo/ (its path is "
        "the base path of every URL).",
    )
    languages: list[Lang] = Field(
        description=(
            "The languages the site is published in (BCP 47 primary subtags: en, fr, zh...); "
            "with several, each in its own folder (en/, zh/). Every text readers see needs "
            "each one."
        ),
        default_factory=lambda: ["en"],
        min_length=1,
    )
    default_language: Lang = Field(
        default="",  # set by _default_is_first (the JSON Schema shows none)
        description=(
            "The language of NAME.md pages, the 404 page and the one the site's root "
            "suggests; the first of `languages` when not given."
        ),
    )
    default_language_at_root: bool = Field(
        default=False,
        description=(
            "With several languages: false puts each edition in its folder (en/, zh/) and a "
            "page choosing between them at the site's root; true puts the default language's "
            "edition at the root and each other one in its folder (/fr/)."
        ),
    )
    authors: list[Author] = Field(
        description="Who the byline names: one or more desks or people.",
        min_length=1,
    )
    publisher: LocalText = Field(
        description="The organisation that publishes the site (in JSON-LD and the footer).",
    )
    published: PartialDate = Field(
        description="When the story was first published: YYYY-MM-DD, YYYY-MM or YYYY.",
    )
    updated: PartialDate | None = Field(
        default=None,
        description="When the story was last corrected or updated, if it was.",
    )
    timezone: Annotated[str, AfterValidator(_check_timezone)] = Field(
        default="UTC",
        description=(
            "The newsroom's time zone (IANA name, e.g. Asia/Shanghai). Content gives dates, not "
            "times, so "
            "the story's JSON-LD dates are the start of the day there: 2026-11-26T00:00:00+08:00."
        ),
        examples=["Asia/Shanghai"],
    )
    output_dir: str = Field(
        description="Folder the build writes the site into, inside the project.",
        default="_site",
        pattern=r"^[^/].*$",
    )

    def folder(self, lang: str) -> str:
        """The folder of a language's edition in the site: 'zh/', or '' at the root (a site
        of one language; the default language with `default_language_at_root`)."""
        if len(self.languages) == 1 or (
            self.default_language_at_root and lang == self.default_language
        ):
            return ""
        return f"{lang}/"

    @property
    def language_root(self) -> bool:
        """Whether the site's root is a page choosing between the editions."""
        return len(self.languages) > 1 and not self.default_language_at_root

    @model_validator(mode="before")
    @classmethod
    def _default_is_first(cls, data: Any) -> Any:
        if isinstance(data, dict) and "default_language" not in data:
            languages = data.get("languages") or ["en"]
            if isinstance(languages, list) and isinstance(languages[0], str):
                return {**data, "default_language": languages[0]}
        return data

    @model_validator(mode="after")
    def _default_is_published(self) -> "Site":
        twice = sorted({lang for lang in self.languages if self.languages.count(lang) > 1})
        if twice:
            raise ValueError(f"languages lists '{twice[0]}' twice: list each language once")
        if self.default_language not in self.languages:
            raise ValueError(
                f"default_language '{self.default_language}' is not one of languages "
                f"{self.languages}"
            )
        return self


# --- datasets ---------------------------------------------------------------


# --- charts and pages --------------------------------------------------------

SLUG_PATTERN = r"^([a-z0-9]+(-[a-z0-9]+)*)?$"
"""One path segment: lower-case letters and digits, words joined by single hyphens."""

Scalar = str | int | float | bool


DEFAULT_CITATIONS = "sources"
"""The citation list's dataset (the documents pages, charts and records cite) when
content/datapackage.yaml's `citations:` names none."""


class Chart(Strict):
    """A chart is data: which rows, which fields, and the words around it."""

    # Its validator is made on first use: a project that declares datasets validates its
    # charts with a subclass (declared.chart_model), and this class's would be 6 ms for naught.
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)
    # declared.chart_model names the project's citation list
    references: ClassVar[dict[str, str]] = {"sources": DEFAULT_CITATIONS}

    id: Id = Field(
        description=(
            "This chart's id, unique in charts.yaml: place it in a page with `::: chart ID`."
        ),
    )
    kind: Literal[
        "bar", "column", "grouped-column", "stacked-column", "line", "timeline", "grid"
    ] = Field(
        description="bar: horizontal bars; column: vertical; grouped-/stacked-column: split by "
        "`series`; "
        "line: values over periods; timeline: dated events; grid: a mark for each row at "
        "(x, y), e.g. which teams (y) played in which season (x), named, not counted."
    )
    data: str = Field(
        min_length=1,
        description=(
            "The dataset whose rows the chart draws (one declared in "
            "content/datapackage.yaml); x, y, series and where name its columns."
        ),
    )
    where: dict[str, Scalar | list[Scalar]] = Field(
        default_factory=dict,
        description="Keep only rows whose column equals the value (or one of the list).",
    )
    x: str = Field(description="Column for the category or time axis.")
    y: str = Field(description="Column for the value axis, or `count` to count rows.")
    series: str | None = Field(
        default=None, description="Column that splits rows into coloured series."
    )
    year: str | None = Field(
        default=None,
        description="Column that gives a row's year (a year, a date, or words holding a year) "
        "for placeholders' `since|in|until YEAR`; by default the dataset's only year, date or "
        "period field, else x.",
    )
    highlight: dict[str, Scalar | list[Scalar]] | None = Field(
        default=None,
        description="Rows matching this are drawn in the accent colour, the rest in grey.",
    )
    highlight_label: LocalText | None = Field(
        default=None, description="Legend text for the highlighted rows."
    )
    connect: list[Scalar] = Field(
        default_factory=empty_list,
        description="line: series drawn as connected lines; other series are dots only.",
    )
    sort: Literal["data", "value", "x"] = Field(
        default="data",
        description="data: the data file's order; value: largest first; x: by the x column.",
    )
    x_title: LocalText | None = Field(
        default=None,
        description="Title of the category or time axis.",
    )
    y_title: LocalText | None = Field(
        default=None,
        description="Title of the value axis (and the value column's header).",
    )
    headers: dict[str, LocalText] = Field(
        default_factory=dict,
        description="Column headers of the chart's table and downloads, by column name, where "
        "the dataset's or the engine's word is not the right one (e.g. `name: {en: Tier, zh: "
        "组别}`).",
    )
    table: list[str] | None = Field(
        default=None,
        description="The columns of the chart's table and downloads, in order, in place of x, "
        "series and y (e.g. `[date, title, place_name]` for a timeline); a column no row "
        "fills is left out.",
    )
    title: LocalText = Field(description="The chart's headline.")
    subtitle: LocalText | None = Field(
        default=None,
        description="A line under the headline: what is measured, in which unit.",
    )
    notes: list[LocalText] = Field(
        description="Notes under the chart, one per item.",
        default_factory=empty_list,
    )
    sources: list[Id] = Field(
        description="The sources of the data drawn: ids in content/data/sources.yaml.",
        min_length=1,
    )
    alt: LocalText = Field(description="What the chart shows, in words, for screen readers.")
    height: int = Field(description="Height in pixels (200 to 900).", default=380, ge=200, le=900)


class PageMeta(Strict):
    """Front matter of a Markdown page."""

    title: LocalText = Field(description="The page's headline.")
    description: LocalText = Field(
        description="One or two sentences for search engines and link previews.",
    )
    slug: str = Field(
        default="",
        pattern=SLUG_PATTERN,
        description="The page's address: one folder name, lower-case words joined by hyphens "
        "(how-we-did-it); empty for the home page.",
    )
    kicker: LocalText | None = Field(default=None, description="A short label above the headline.")
    dek: LocalText | None = Field(default=None, description="The standfirst under the headline.")
    nav_title: LocalText | None = Field(
        default=None,
        description="Set to list the page in the site's menu, under this name.",
    )
    nav_order: int | None = Field(
        default=None,
        description="Position in the menu: lower numbers first.",
    )
    layout: Literal["story", "page", "sources", "data"] = Field(
        default="page",
        description="story: the feature; sources / data: the prose is followed by every source / "
        "every dataset.",
    )
    allow_html: bool = Field(
        default=False, description="Keep raw HTML (sanitised). Off: raw HTML is shown as text."
    )
    published: PartialDate | None = Field(
        default=None,
        description="When this page was first published, if not the site's date.",
    )
    updated: PartialDate | None = Field(
        default=None,
        description="When this page was last corrected or updated, if it was.",
    )


DATASETS: dict[str, tuple[str, type[Strict]]] = {
    "charts": ("charts.yaml", Chart),
}
"""Every data file: dataset name -> (path under content/, record class). Each holds a list."""


def json_schemas() -> dict[str, dict[str, Any]]:
    """JSON Schema for site.yaml, each data file and page front matter, for editors' YAML
    plugins."""
    from pydantic import TypeAdapter

    schemas: dict[str, dict[str, Any]] = {
        "site": Site.model_json_schema(),
        "page": PageMeta.model_json_schema(),
    }
    for name, (_, model) in DATASETS.items():
        schema = TypeAdapter(list[model]).json_schema()  # type: ignore[valid-type]
        schema["title"] = f"tiangong-site {name}"
        schemas[name] = schema
    for schema in schemas.values():
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schemas
