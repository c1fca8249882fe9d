"""Languages: the interface-string catalogues, and numbers, dates and periods per locale.

Interface strings (navigation, "Get the data", table headers, chart labels) are
written in English in the templates (`{{ _("...") }}`) and in Python (`N_("...")`),
and translated in one gettext catalogue per language, `locales/LANG/LC_MESSAGES/messages.po`,
read with Babel. The build extracts every string from the templates and the code and
fails, naming the string and where it is used, when a catalogue lacks a translation.
"""

from __future__ import annotations

import calendar
import functools
import gettext as gettext_module
import hashlib
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import memo, signed_cache
from .deps import messages_key, record
from .errors import ContentError, Problem, display_path
from .inside import inside
from .languages import KNOWN, english_name, language
from .limits import MAX_CATALOGUE_BYTES, MAX_TEMPLATE_BYTES, decode, read_limited, read_text

LOCALES = {code: lang.og or code for code, lang in KNOWN.items()} | {"zh": "zh_Hans_CN"}
"""Each language's Babel locale (its catalogue's plural rules): British English, Simplified
Chinese, ..."""
HTML_LANG = {code: lang.html_lang for code, lang in KNOWN.items()}
"""Each language's `lang` and `hreflang` attribute ('zh-Hans': Simplified Chinese)."""
OG_LOCALE = {code: lang.og or code for code, lang in KNOWN.items()}
"""Open Graph's language_TERRITORY: British English, Simplified Chinese, ..."""
LANGUAGE_NAMES = {code: lang.native for code, lang in KNOWN.items()}
"""Each language in its own words: the language switcher."""
LANGUAGE_ENGLISH = {code: lang.english for code, lang in KNOWN.items()}
"""Each language named in English: messages to editors."""
SOURCE_LANGUAGE = "en"
"""The language the templates' and the code's interface strings are written in: it needs no
catalogue; every other language of a site needs locales/LANG/LC_MESSAGES/messages.po."""
PACKAGE = Path(__file__).parent
THEME_TEMPLATES = PACKAGE / "theme" / "templates"
"""The default theme's templates (render.THEME_TEMPLATES, which imports jinja2)."""


def N_(message: str) -> str:
    """Marks a string for translation where it is defined; it is translated where it is shown."""
    return message


_ACTIVE: dict[str, gettext_module.NullTranslations] = {}
"""The translations the current build uses, by language (set by `activate`). Python code
translates through `gettext(lang, message)`, so labels need no translator passed along."""


def activate(root: Path, languages: list[str], cache: Path | None = None) -> None:
    for lang in languages:
        _ACTIVE[lang] = translations(root, lang, cache)


def gettext(lang: str, message: str) -> str:
    record(messages_key(lang, message))  # for the page being made (deps.py)
    active = _ACTIVE.get(lang)
    return active.gettext(message) if active is not None else message


@functools.cache
def _catalogue(path: str, mtime: float, shown: str) -> Any:
    from babel.messages.pofile import PoFileError, read_po

    # Decoded first: a located problem for an encoding Babel would fail on without naming the
    # file, and no byte-order mark, which glued to `msgid ""` hid the header (plural rule).
    text = decode(read_limited(Path(path), shown, MAX_CATALOGUE_BYTES), shown)
    try:
        # abort_invalid: a line Babel cannot read is an error here, not a skipped entry and
        # a warning on stdout that names no file.
        return read_po(io.StringIO(text), abort_invalid=True)
    except PoFileError as exc:
        message = f"gettext cannot read this line ({str(exc).rsplit(' on ', 1)[0]})"
        hint = 'write entries as msgid "..." then msgstr "..."'
        raise ContentError([Problem(shown, exc.lineno + 1, 1, message, hint)]) from None


def catalogue(root: Path, lang: str) -> Any | None:
    """The Babel catalogue of `lang` under `root/locales`, or None for the source language."""
    if lang == SOURCE_LANGUAGE:
        return None
    path = inside(root / "locales" / lang / "LC_MESSAGES" / "messages.po", root / "locales", root)
    if not path.is_file():
        return None
    return _catalogue(str(path), path.stat().st_mtime, display_path(path, root))


def translations(
    root: Path, lang: str, cache: Path | None = None
) -> gettext_module.NullTranslations:
    """gettext translations for Jinja and Python (NullTranslations for English), from the
    catalogue compiled (see `compiled`)."""
    made = compiled(root, lang, cache)
    if made is None:
        return gettext_module.NullTranslations()
    return gettext_module.GNUTranslations(io.BytesIO(made.mo))


@dataclass(frozen=True)
class Compiled:
    """A catalogue compiled: what a build needs of it, without Babel."""

    mo: bytes
    """The catalogue as gettext's .mo (fuzzy entries left out, as Babel writes it)."""
    translated: frozenset[str]
    """The messages it translates: an entry with a translation, not marked fuzzy."""
    key: str
    """A digest of the catalogue's bytes and of the Babel code that compiled it."""
    kept: bool = False
    """Read from the build cache (else compiled by this process)."""


CATALOGUE = "catalogue"
"""The purpose of a compiled catalogue kept in the build cache (signed_cache.py)."""


def compiled(root: Path, lang: str, cache: Path | None = None) -> Compiled | None:
    """The catalogue of `lang` compiled, or None for the source language or without one.
    Reading it with Babel (importing it, parsing) cost a cold build 10 to 20 ms: the result
    is kept in `cache` (a folder) by `keep_compiled`, signed, under a digest of the
    catalogue's bytes and of Babel's code, and read back from there by later builds."""
    if lang == SOURCE_LANGUAGE:
        return None
    path = inside(root / "locales" / lang / "LC_MESSAGES" / "messages.po", root / "locales", root)
    if not path.is_file():
        return None
    shown = display_path(path, root)
    return _compiled(str(path), path.stat().st_mtime, shown, str(cache) if cache else None)


@functools.cache
def _compiled(path: str, mtime: float, shown: str, cache: str | None) -> Compiled:
    key = memo.digest(read_limited(Path(path), shown, MAX_CATALOGUE_BYTES), _babel_code())
    if cache is not None:
        data = signed_cache.load(_compiled_path(Path(cache), key), CATALOGUE, key)
        if data is not None:
            return _unpack(data, key)
    from babel.messages.mofile import write_mo

    cat = _catalogue(path, mtime, shown)
    buffer = io.BytesIO()
    write_mo(buffer, cat)
    # As Catalog.get(msgid) finds them: by the singular, without a context.
    translated = frozenset(
        entry.id if isinstance(entry.id, str) else entry.id[0]
        for entry in cat
        if entry.id and entry.context is None and entry.string and not entry.fuzzy
    )
    return Compiled(buffer.getvalue(), translated, key)


def _compiled_path(cache: Path, key: str) -> Path:
    return cache / f"{CATALOGUE}-{key[:24]}.signed"


def _unpack(data: bytes, key: str) -> Compiled:
    size = int.from_bytes(data[:4], "little")
    translated = json.loads(data[4 : 4 + size])
    return Compiled(data[4 + size :], frozenset(translated), key, kept=True)


def keep_compiled(root: Path, languages: list[str], cache: Path) -> None:
    """Keep each language's compiled catalogue in `cache` for the next build (once a build
    has succeeded: a failed one leaves nothing behind)."""
    for lang in languages:
        made = compiled(root, lang, cache)
        if made is None or made.kept:
            continue  # (one that did not verify was compiled again, and replaces it here)
        listed = json.dumps(sorted(made.translated), ensure_ascii=False).encode("utf-8")
        data = len(listed).to_bytes(4, "little") + listed + made.mo
        try:
            signed_cache.store(_compiled_path(cache, made.key), CATALOGUE, made.key, data)
        except OSError:
            pass  # a read-only project still builds; it only reads the catalogue again


@functools.cache
def _babel_code() -> str:
    """A digest of this module and of the Babel code that reads and compiles a catalogue
    (found without importing Babel): another version starts a new cache entry."""
    import importlib.util

    spec = importlib.util.find_spec("babel")
    folder = Path(spec.origin if spec and spec.origin else __file__).parent
    names = ("catalog.py", "pofile.py", "mofile.py", "plurals.py")
    return memo.source_digest(
        __file__, folder / "__init__.py", *(folder / "messages" / n for n in names)
    )


@functools.cache
def _messages_in_code(templates: str, stamp: tuple) -> list[tuple[str, str, int]]:
    """Every translatable string in the templates and the package: (message, file, line).
    The project's templates, then the theme's (what the project does not override comes from
    there), then the code; each message is reported where it is first found."""
    found = []
    for folder, kind, prefix in (
        (Path(templates), "jinja2", f"{Path(templates).name}/"),
        (THEME_TEMPLATES, "jinja2", "src/tiangong_site/theme/templates/"),
        (PACKAGE, "python", "src/tiangong_site/"),
    ):
        inside = folder.as_posix() + "/"
        own = tuple(entry for entry in stamp if entry[0].startswith(inside))
        found += _messages_in_folder(str(folder), kind, prefix, own)
    return found


@functools.cache
def _messages_in_folder(
    folder: str, kind: str, prefix: str, stamp: tuple
) -> list[tuple[str, str, int]]:
    """One folder's strings, kept for the process: the theme's and the code's are the same
    for every project it builds (the tests build hundreds of copies)."""
    from babel.messages.extract import extract_from_dir

    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
    pattern = "**.html" if kind == "jinja2" else "**.py"
    jinja = {pattern: {"extensions": "jinja2.ext.i18n", "trimmed": "true"}}
    options = jinja if kind == "jinja2" else {}
    found = []
    for filename, lineno, message, _comments, _context in extract_from_dir(
        folder, [(pattern, kind)], options_map=options, keywords=keywords
    ):
        # ngettext gives (singular, plural); the catalogue keys both by the singular.
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            found.append((msgid, prefix + filename, lineno))
    return found


def messages_in_code(
    templates: Path, cache: Path | None = None, write: bool = True
) -> list[tuple[str, str, int]]:
    """The interface strings of the templates and the package. Extraction parses every file,
    so its result is kept in `cache` (a folder), under a digest of the files it read, signed:
    a stored list this machine did not write could hide a missing translation.
    `write=False` reads a kept result but keeps nothing new until `keep_messages`."""
    pages = sorted(templates.rglob("*.html"))
    files = pages + sorted(THEME_TEMPLATES.rglob("*.html")) + sorted(PACKAGE.rglob("*.py"))
    for page in pages:  # Babel would fail on a bad template without naming it
        read_text(page, display_path(page, templates.parent), MAX_TEMPLATE_BYTES)
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in files)).hexdigest()[:20]
    stored = cache / f"messages-{digest}.signed" if cache else None
    if cache:
        _UNKEPT.pop(cache, None)  # only this call's extraction is left to keep
    data = signed_cache.load(stored, "messages", digest) if stored else None
    if data is not None:
        return [tuple(item) for item in json.loads(data)]  # type: ignore[misc]
    stamp = tuple((p.as_posix(), p.stat().st_mtime) for p in files)
    found = _messages_in_code(str(templates), stamp)
    if stored and write:
        _store_messages(stored, digest, found)
    elif stored and cache:
        _UNKEPT[cache] = (stored, digest, found)
    return found


_UNKEPT: dict[Path, tuple[Path, str, list[tuple[str, str, int]]]] = {}
"""By cache folder, the last extraction `messages_in_code(write=False)` made and did not keep:
where it goes, the digest of the files it read, the messages. `keep_messages` stores it."""


def _store_messages(stored: Path, digest: str, found: list[tuple[str, str, int]]) -> None:
    text = json.dumps(found, ensure_ascii=False).encode("utf-8")
    signed_cache.store(stored, "messages", digest, text)


def keep_messages(cache: Path) -> None:
    """Keep in `cache` the extraction a build made without keeping it (once it succeeded).
    Filed under the digest of the files as they were read, it need not be made again: doing
    so read and hashed the templates and the package's code a second time each build."""
    unkept = _UNKEPT.pop(cache, None)
    if unkept is not None:
        _store_messages(*unkept)


def missing_translations(
    root: Path,
    templates: Path,
    languages: list[str],
    cache: Path | None = None,
    write_cache: bool = True,
) -> list[Problem]:
    """A problem for each interface string a language's catalogue does not translate."""
    problems: list[Problem] = []
    if all(lang == SOURCE_LANGUAGE for lang in languages):
        return problems
    messages = messages_in_code(templates, cache, write_cache)
    for lang in languages:
        if lang == SOURCE_LANGUAGE:
            continue
        path = root / "locales" / lang / "LC_MESSAGES" / "messages.po"
        shown = display_path(path, root)
        cat = compiled(root, lang, cache)
        if cat is None:
            problems.append(
                Problem(
                    shown,
                    1,
                    1,
                    f"no catalogue of interface strings for '{lang}'",
                    f"create {shown} (see docs/languages.md)",
                )
            )
            continue
        reported = set()
        for message, where, line in messages:
            if message not in cat.translated and message not in reported:
                reported.add(message)
                problems.append(
                    Problem(
                        shown,
                        1,
                        1,
                        f"no {english_name(lang)} translation of {message!r} "
                        f"(used at {where}:{line})",
                        f'add msgid "{message}" with its msgstr',
                    )
                )
    return problems


# --- numbers, dates, periods --------------------------------------------------------


def number(value: float, lang: str, decimals: int = 2) -> str:
    """'10,202' and '225.23' in English; '10202' and '2252.28' in Chinese (as the sources print
    them); other languages with their own marks (languages.KNOWN): '10 202,5' in French."""
    marks = language(lang)
    text = f"{value:,.{decimals}f}" if marks.group else f"{value:.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return local_marks(text, lang)


def local_marks(text: str, lang: str) -> str:
    """A number written with Python's ',' and '.' in `lang`'s thousands and decimal marks."""
    marks = language(lang)
    if (marks.group or ",", marks.decimal) == (",", "."):
        return text
    return text.translate({ord(","): marks.group, ord("."): marks.decimal})


def date(value: str, lang: str) -> str:
    """A partial ISO date as a reader writes it: '24 May 2024' / '2024年5月24日', 'May 2024',
    '2024'; in other languages as CLDR's long date (Babel): '24 mai 2024', 'mai 2024'."""
    if not value:
        return ""
    parts = [int(p) for p in value.split("-")]
    if lang == "zh":
        units = ["年", "月", "日"]
        return "".join(
            f"{p}{u}" for p, u in zip(parts, units, strict=False)
        )  # may stop at year or month
    if len(parts) == 1:
        return str(parts[0])
    if lang != "en":
        return _cldr_date(parts, lang)
    month = calendar.month_name[parts[1]]
    return f"{month} {parts[0]}" if len(parts) == 2 else f"{parts[2]} {month} {parts[0]}"


@functools.cache
def _cldr_date_of(parts: tuple[int, ...], lang: str) -> str:
    import datetime

    from babel.dates import format_date, format_skeleton

    day = datetime.date(parts[0], parts[1], parts[2] if len(parts) > 2 else 1)
    if len(parts) == 2:
        return format_skeleton("yMMMM", day, locale=lang)
    return format_date(day, format="long", locale=lang)


def _cldr_date(parts: list[int], lang: str) -> str:
    return _cldr_date_of(tuple(parts), lang)


def month_abbr(month: int, lang: str) -> str:
    """A month's short name: 'Nov' in English, CLDR's in other languages ('nov.')."""
    if lang in ("en", "zh"):
        return calendar.month_abbr[month]
    from babel.dates import get_month_names

    return str(get_month_names("abbreviated", locale=lang)[month])


ZH_QUARTERS = {1: "一", 2: "二", 3: "三", 4: "四"}


def period(kind: str, year: int, part: int | None, through_month: int | None, lang: str) -> str:
    """'2023', 'H1 2023', 'Q1 2022', 'Q1–Q3 2022', 'Jan–Nov 2025' / '2023年', '2023年上半年', …"""
    if lang == "zh":
        if kind == "year":
            return f"{year}年"
        if kind == "half-year":
            return f"{year}年{'上' if part == 1 else '下'}半年"
        if kind == "quarter":
            return f"{year}年{ZH_QUARTERS[part or 1]}季度"
        month = through_month or 12
        return (
            f"{year}年前{ZH_QUARTERS[month // 3]}季度" if month % 3 == 0 else f"{year}年1—{month}月"
        )
    if kind == "year":
        return str(year)
    if kind == "half-year":
        return f"H{part} {year}"
    if kind == "quarter":
        return f"Q{part} {year}"
    month = through_month or 12
    if month % 3 == 0:
        return f"Q1–Q{month // 3} {year}"
    return f"{month_abbr(1, lang)}–{month_abbr(month, lang)} {year}"
