"""`new`: add a record or a page, with a comment on every field, valid as written.

A record is appended to its data file only if the whole content still validates
afterwards; otherwise the file is restored and the problems are printed. Nothing is
filled in by guesswork: every required fact comes from the command line.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args

import yaml
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from .declared.measures import Period
from .errors import ContentError, Problem, UsageError
from .i18n import LANGUAGE_ENGLISH
from .loader import load_yaml_text, split_front_matter
from .models import DATASETS, LANGUAGES, Localised, PageMeta

KINDS = {
    "chart": "charts",
}
"""Built-in record kinds `new` can add, and the dataset each goes into. Plus `page`, and
each dataset content/datapackage.yaml declares, by its name."""


@dataclass
class Created:
    path: Path
    text: str
    line: int


def _describe(info: FieldInfo, target: str | None = None) -> str:
    """A one-line comment for a field: its description and allowed values. `target`: the
    data file (under content/) whose ids the field names."""
    parts = []
    if target:
        parts.append(f"id of a record in content/{target}")
    elif info.description:
        parts.append(info.description.rstrip("."))
    annotation = info.annotation
    allowed = getattr(annotation, "__args__", ())
    literals = [a for a in allowed if isinstance(a, str)]
    if literals:
        parts.append("one of: " + ", ".join(literals))
    parts.append("required" if info.is_required() else "optional")
    return "; ".join(parts)


PERIOD_FORMS = (
    "the span the figure covers: 2025 (a year), 2025H1 (a half-year), 2025Q3 (a quarter) "
    "or 2025-01..11 (January to November)"
)
_PERIODS = [
    (re.compile(r"(\d{4})"), lambda y: {"kind": "year", "year": int(y)}),
    (
        re.compile(r"(\d{4})-?[Hh]([12])"),
        lambda y, p: {"kind": "half-year", "year": int(y), "part": int(p)},
    ),
    (
        re.compile(r"(\d{4})-?[Qq]([1-4])"),
        lambda y, p: {"kind": "quarter", "year": int(y), "part": int(p)},
    ),
    (
        re.compile(r"(\d{4})-0?1\.\.(\d{1,2})"),
        lambda y, m: {"kind": "year-to-date", "year": int(y), "through_month": int(m)},
    ),
]


def period_value(raw: str) -> Any:
    """`--period 2025`, `2025H1`, `2025Q3` or `2025-01..11` -> the period mapping figures hold
    (a mapping written out, `{kind: year, year: 2025}`, is kept as it is)."""
    text = raw.strip()
    if text.startswith("{"):
        return _parse_value(text)
    for pattern, make in _PERIODS:
        match = pattern.fullmatch(text)
        if match:
            return make(*match.groups())
    raise UsageError(f"--period '{raw}': write {PERIOD_FORMS.split(': ', 1)[1]}")


def _flag_help(info: FieldInfo, target: str | None) -> str:
    """What to give for a field on the command line."""
    return f"{PERIOD_FORMS}; required" if _is_period(info) else _describe(info, target)


def _is_period(info: FieldInfo) -> bool:
    """Whether a field holds a period (`type: period`), required or not."""
    return info.annotation is Period or Period in get_args(info.annotation)


def _optional_flags(
    model: type[BaseModel],
    given: dict[str, Any],
    languages: tuple[str, ...],
    files: dict[str, str] | None = None,
) -> str:
    """The optional fields not given yet, so an editor learns them before writing the record
    (a text's other languages as their own flags, as `_merge_languages` reads them)."""
    refs = _reference_files(model, files)
    lines = []
    for name, info in model.model_fields.items():
        if info.is_required() or name in given:
            continue
        flag = "--" + name.replace("_", "-")
        lines.append(f"  {flag:<20} {_flag_help(info, refs.get(name))}")
        if _is_text(info.annotation):
            words = name.replace("_", " ")
            lines += [
                f"  {flag + '-' + lang:<20} the {words} in {LANGUAGE_ENGLISH[lang]}"
                for lang in languages[1:]
            ]
    return "\nand these if you need them:\n" + "\n".join(lines) if lines else ""


def _is_text(annotation: Any) -> bool:
    """Whether a field holds text readers see (a Localised, maybe optional)."""
    return annotation is Localised or any(_is_text(arg) for arg in get_args(annotation))


def _missing_languages(
    fields: dict[str, FieldInfo], given: dict[str, Any], languages: tuple[str, ...]
) -> list[str]:
    """A line for each text readers see that lacks one of the site's languages: its flag and
    meaning."""
    lines = []
    for name, value in given.items():
        if name not in fields or not _is_text(fields[name].annotation):
            continue
        for lang in languages[1:]:  # the first, the default, is the plain flag's
            if isinstance(value, str) or not (value or {}).get(lang):
                flag = f"--{name.replace('_', '-')}-{lang}"
                meaning = f"the {name.replace('_', ' ')} in {LANGUAGE_ENGLISH[lang]}"
                lines.append(
                    f"  {flag:<20} {meaning}; the site is published in {', '.join(languages)}"
                )
    return lines


def _parse_value(raw: str) -> Any:
    """Command-line text -> a YAML value, so `--year 2025` is a number and `--sources [a, b]`
    a list."""
    value = load_yaml_text(raw, "<command line>").data
    return raw if value is None else value


def _field_values(
    model: type[BaseModel],
    given: dict[str, str],
    languages: tuple[str, ...] = ("en",),
    files: dict[str, str] | None = None,
) -> dict[str, Any]:
    fields = model.model_fields
    given = _merge_languages(fields, given, languages[0])
    unknown = [k for k in given if k not in fields]
    if unknown:
        raise UsageError(
            f"unknown field{'s' if len(unknown) > 1 else ''} "
            f"{', '.join('--' + k.replace('_', '-') for k in unknown)} "
            f"(fields: {', '.join('--' + f.replace('_', '-') for f in fields)})"
        )
    missing = [name for name, info in fields.items() if info.is_required() and name not in given]
    if missing:
        refs = _reference_files(model, files)
        lines = "\n".join(
            f"  --{name.replace('_', '-'):<18} {_flag_help(fields[name], refs.get(name))}"
            for name in missing
        )
        optional = _optional_flags(model, given, languages, files)
        raise UsageError(f"give these fields:\n{lines}{optional}")
    untranslated = _missing_languages(fields, given, languages)
    if untranslated:
        raise UsageError("give these fields:\n" + "\n".join(untranslated))
    periods = [name for name in given if name in fields and _is_period(fields[name])]
    given = {**given, **{name: period_value(given[name]) for name in periods}}
    return {
        name: given[name]
        if _takes_text(fields[name]) or isinstance(given[name], dict)
        else _parse_value(given[name])
        for name in fields
        if name in given
    }


def _merge_languages(
    fields: dict[str, FieldInfo], given: dict[str, Any], default: str = "en"
) -> dict[str, Any]:
    """`--title TEXT --title-zh 文字` -> title: {en: TEXT, zh: 文字} for a text readers see
    (the plain flag gives the text in the site's `default` language)."""
    merged = dict(given)
    for key in list(given):
        base, _, lang = key.rpartition("_")
        if base in fields and lang in LANGUAGES and lang != default:
            merged.pop(key)
            plain = merged.get(base)
            merged[base] = (
                {default: plain, lang: given[key]}
                if isinstance(plain, str)
                else {**(plain or {}), lang: given[key]}
            )
    return merged


def _takes_text(info: FieldInfo) -> bool:
    """Whether a field accepts plain text: then the command-line value is kept as typed,
    so a title such as "[Example]" is not read as a YAML list."""
    annotation = info.annotation
    options = getattr(annotation, "__args__", ()) or (annotation,)
    return str in options or annotation is str


def _yaml_scalar(value: Any) -> str:
    """One YAML value on one line (flow style), quoted where YAML would misread it."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return (
        yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10_000)
        .strip()
        .removesuffix("...")
        .strip()
    )


def record_yaml(
    model: type[BaseModel], values: dict[str, Any], files: dict[str, str] | None = None
) -> str:
    """A list item with the given fields, then every optional field commented out, each
    explained."""
    lines = []
    fields = model.model_fields
    refs = _reference_files(model, files)
    first = True
    for name, info in fields.items():
        prefix = "- " if first else "  "
        comment = _describe(info, refs.get(name))
        if name in values:
            lines.append(f"{prefix}{name}: {_yaml_scalar(values[name])}  # {comment}")
            first = False
    for name, info in fields.items():
        if name not in values:
            lines.append(f"  # {name}:  # {_describe(info, refs.get(name))}")
    return "\n".join(lines) + "\n"


def _already_valid(validate: Any) -> None:
    """Refuse to add to content that is already broken: the new record would be blamed."""
    try:
        validate()
    except ContentError as exc:
        raise ContentError(
            [
                *exc.problems,
                Problem(
                    "content",
                    1,
                    1,
                    "the content has problems already, so nothing was added",
                    "fix the problems above first (run `check`)",
                ),
            ]
        ) from None


def _reference_files(model: type[BaseModel], files: dict[str, str] | None) -> dict[str, str]:
    """Each field naming records of another dataset -> that dataset's data file."""
    where = BUILT_IN_FILES | (files or {})
    refs: dict[str, str] = getattr(model, "references", {})
    return {name: where.get(target, target) for name, target in refs.items()}


BUILT_IN_FILES = {name: relpath for name, (relpath, _) in DATASETS.items()}


def record_kind(content_dir: Path, kind: str, languages: tuple[str, ...]) -> Kind:
    """What `new KIND` adds to: a built-in record kind, or a dataset the project declares in
    content/datapackage.yaml (its records' fields, as declared)."""
    from .declared import chart_model, load_package

    problems: list[Problem] = []
    package = load_package(content_dir, list(languages), problems)
    declared = package.resources if package is not None else {}
    if kind in KINDS:
        relpath, model = DATASETS[KINDS[kind]]
        if KINDS[kind] == "charts":  # a chart may draw the declared datasets too
            model = chart_model(package)
        return Kind(relpath, model, {name: r.path for name, r in declared.items()})
    if kind not in declared and problems and package is not None and kind in package.names:
        raise ContentError(problems)  # its declaration has mistakes: say which
    if kind not in declared:
        choices = ", ".join(["page", *KINDS, *declared])
        raise UsageError(f"'{kind}' is not something `new` adds; choose one of: {choices}")
    resource = declared[kind]
    if resource.format != "yaml":
        raise UsageError(
            f"{kind}'s records are in content/{resource.path}: `new` writes YAML data files "
            "only, so add a row to that file in an editor or a spreadsheet"
        )
    files = {name: r.path for name, r in declared.items()}
    return Kind(resource.path, resource.model, files)


@dataclass
class Kind:
    """Where `new` writes a record, its model, and the data files of declared datasets."""

    relpath: str
    model: type[BaseModel]
    files: dict[str, str]


def new_record(
    content_dir: Path,
    kind: str,
    given: dict[str, str],
    validate: Any,
    languages: tuple[str, ...] = ("en",),
) -> Created:
    """Append a record to its data file; keep it only if the content still validates."""
    target = record_kind(content_dir, kind, languages)
    model, files = target.model, target.files
    path = content_dir / target.relpath
    values = _field_values(model, given, languages, files)
    model.model_validate(
        values
    )  # the record alone: wrong types fail here, before any file is touched
    _already_valid(validate)
    before = path.read_text(encoding="utf-8")
    body = before.replace("\n[]\n", "\n").rstrip("\n") + "\n" if before.strip() else ""
    if body.strip() == "[]":
        body = ""
    addition = ("\n" if body and not body.endswith("\n\n") else "") + record_yaml(
        model, values, files
    )
    line = (body + ("\n" if body and not body.endswith("\n\n") else "")).count("\n") + 1
    path.write_text(body + addition, encoding="utf-8")
    try:
        validate()
    except ContentError:
        path.write_text(before, encoding="utf-8")
        raise
    return Created(path, addition, line)


PAGE_TEMPLATE = """---
# Front matter: everything between the two --- lines. Each field is explained on its line.
title: {title}  # the headline; required
description: {description}  # one or two sentences for search engines and link previews; required
slug: {slug}  # the page's address: SITE/{slug}/ ; lower-case words joined by hyphens
layout: page  # page, story (the feature), sources or data
# kicker: ""  # a short label above the headline
# dek: ""  # the standfirst under the headline
# nav_title: ""  # set to list the page in the site's navigation
# nav_order: 10  # position in the navigation
# allow_html: false  # true keeps raw HTML in the text (sanitised); otherwise it is shown as text
{body}"""

PAGE_BODIES = {
    "en": """---
Write the page here in Markdown.

To place a chart on its own line:  ::: chart CHART-ID
To show a key figure large:        ::: callout FIGURE-ID
To quote a figure in a sentence:   {fig:FIGURE-ID}
""",
    # The Chinese edition's typography check fails on Latin words in its text: the how-to
    # lines stay in the front matter, as comments.
    "zh": """# Write the page in Markdown below the --- line.
# To place a chart on its own line:  ::: chart CHART-ID
# To show a key figure large:        ::: callout FIGURE-ID
# To quote a figure in a sentence:   {fig:FIGURE-ID}
---
在此撰写正文。
""",
}


def placeholder_lines(only: str | None = None) -> list[str]:
    """The lines of PAGE_TEMPLATE's body, as a new page holds them: text an editor must
    replace (`check` warns about any still in a page); `only` a language's."""
    lines: list[str] = []
    for lang, body in PAGE_BODIES.items():  # the text after the front matter's closing ---
        if only is not None and lang != only:
            continue
        lines += [line.strip() for line in body.split("---\n", 1)[1].splitlines() if line.strip()]
    return list(dict.fromkeys(lines))


def new_page(
    content_dir: Path,
    slug: str,
    titles: dict[str, str],
    descriptions: dict[str, str],
    languages: list[str],
    validate: Any,
) -> Created:
    """Create a page in each of the site's languages, the default first (NAME.md,
    NAME.zh.md, ...)."""
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug):
        raise UsageError(
            f"page slug '{slug}' must be lower-case words joined by hyphens, e.g. 'how-we-did-it'"
        )
    missing = [
        f"--title{'' if lang == languages[0] else '-' + lang} and "
        f"--description{'' if lang == languages[0] else '-' + lang}"
        for lang in languages
        if not (titles.get(lang) and descriptions.get(lang))
    ]
    if missing:
        raise UsageError(
            f"the site is published in {', '.join(languages)}: give {'; '.join(missing)}"
        )
    files = {}
    for lang in languages:
        name = f"{slug}.md" if lang == languages[0] else f"{slug}.{lang}.md"
        path = content_dir / "pages" / name
        if path.exists():
            raise UsageError(f"{path} already exists; edit it, or choose another slug")
        body = PAGE_BODIES.get(lang, PAGE_BODIES["en"])
        text = PAGE_TEMPLATE.format(
            title=json.dumps(titles[lang], ensure_ascii=False),
            description=json.dumps(descriptions[lang], ensure_ascii=False),
            slug=slug,
            body=body,
        )
        PageMeta.model_validate(split_front_matter(text, str(path))[0].data)
        files[path] = text
    _already_valid(validate)
    for path, text in files.items():
        path.write_text(text, encoding="utf-8")
    try:
        validate()
    except ContentError:
        for path in files:
            path.unlink()
        raise
    first = next(iter(files))
    return Created(
        first,
        "".join(files.values())
        if len(files) == 1
        else f"{files[first]}(and {', '.join(p.name for p in list(files)[1:])})\n",
        1,
    )
