"""The Chinese edition uses one set of terms: the glossary editors read, enforced on content/.

content/glossary.yaml lists, for each term, the form to use and the forms to avoid (see the
comment at its top). These tests read it and scan the Chinese text of content/ (pages/*.zh.md
and every `zh:` field of the YAML files) and the interface strings of the Chinese catalogue
(locales/zh/LC_MESSAGES/messages.po), so a rule added to the glossary is enforced at once.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import Any

import pytest
import yaml

from conftest import REPO

CONTENT = REPO / "content"
CATALOGUE = REPO / "locales" / "zh" / "LC_MESSAGES" / "messages.po"
GLOSSARY = CONTENT / "glossary.yaml"
FIELDS = {"term", "zh", "avoid", "allow", "short", "quoted_ok", "everywhere", "note"}
QUOTATION = re.compile(r"“[^“”]*”")
CONTEXT = 10  # characters shown either side of a hit


def _glossary() -> list[dict[str, Any]]:
    return yaml.safe_load(GLOSSARY.read_text(encoding="utf-8"))


ENTRIES = _glossary()


def _entry(term: str) -> dict[str, Any]:
    return next(entry for entry in ENTRIES if entry["term"] == term)


def violations(entry: dict[str, Any], text: str) -> list[str]:
    """Where `text` breaks the glossary entry: each hit with a little context around it."""
    scanned = QUOTATION.sub("", text) if entry.get("quoted_ok") else text
    for allowed in entry.get("allow", []):
        scanned = scanned.replace(allowed, "")
    hits = []
    for form in entry.get("avoid", []):
        for match in re.finditer(re.escape(form), scanned):
            hits.append(scanned[max(0, match.start() - CONTEXT) : match.end() + CONTEXT])
    short = entry.get("short")
    if short and short in scanned:
        first_short, first_full = scanned.find(short), scanned.find(entry["zh"])
        if first_full == -1 or first_short < first_full:
            at = first_short
            hits.append(
                f"{short} before {entry['zh']}: {scanned[max(0, at - CONTEXT) : at + CONTEXT]}"
            )
    return hits


def _strings(value: Any, lang: str) -> Iterator[str]:
    """Every reader-facing string of a parsed YAML value in `lang` (plain strings: any language)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict) and value and set(value) <= {"en", "zh"}:
        if isinstance(value.get(lang), str):
            yield value[lang]
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item, lang)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item, lang)


def catalogue_texts() -> Iterator[tuple[str, str]]:
    """(file:line, translation) for every interface string of the Chinese catalogue."""
    from babel.messages.pofile import read_po

    with open(CATALOGUE, "rb") as handle:
        catalogue = read_po(handle)
    for message in catalogue:
        strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
        for string in strings:
            if message.id and string:
                yield f"{CATALOGUE.relative_to(REPO).as_posix()}:{message.lineno}", string


@functools.cache
def texts(lang: str) -> tuple[tuple[str, str], ...]:
    """(file, text) for every page of `lang`, every `lang` string of the YAML in content/ and,
    for Chinese, every translation in the catalogue. Read once per run: every glossary entry
    scans the same texts, and parsing content/ again for each cost seconds."""
    return tuple(_read_texts(lang))


def _read_texts(lang: str) -> Iterator[tuple[str, str]]:
    if lang == "zh":
        yield from catalogue_texts()
    for path in sorted((CONTENT / "pages").glob("*.md")):
        if path.name.endswith(".zh.md") == (lang == "zh"):
            yield path.relative_to(REPO).as_posix(), path.read_text(encoding="utf-8")
    for path in sorted(CONTENT.rglob("*.yaml")):
        if path == GLOSSARY:
            continue
        for string in _strings(yaml.safe_load(path.read_text(encoding="utf-8")), lang):
            yield path.relative_to(REPO).as_posix(), string


def test_every_glossary_entry_names_a_form_says_why_and_has_a_rule():
    assert ENTRIES, "content/glossary.yaml has no entries"
    for entry in ENTRIES:
        assert set(entry) <= FIELDS, f"{entry.get('term')}: unknown fields {set(entry) - FIELDS}"
        assert entry.get("term") and entry.get("zh") and entry.get("note"), entry
        assert entry.get("avoid") or entry.get("short"), f"{entry['term']}: nothing to check"


def test_each_preferred_form_passes_its_own_rule():
    for entry in ENTRIES:
        assert not violations(entry, entry["zh"]), (
            f"{entry['term']}: {entry['zh']} is itself avoided"
        )


def test_the_check_flags_avoided_forms_and_honours_allow_quotations_and_first_mentions():
    award, binhai, miit = (
        _entry("winning a Tiangong award"),
        _entry("Shaoxing's Binhai New Area"),
        _entry("Ministry of Industry and Information Technology"),
    )
    assert violations(award, "诸暨市2024年5月首次获奖。")
    assert not violations(award, "诸暨市2024年5月首次获鼎。")
    assert not violations(award, "原文称“荣获一等奖”。"), "a quotation keeps the source's words"
    assert violations(binhai, "滨海新区未单列。")
    assert not violations(binhai, "绍兴滨海新区未单列。")
    assert violations(miit, "入选工信部名单。")
    assert violations(miit, "入选工信部名单，即工业和信息化部名单。")
    assert not violations(miit, "入选工业和信息化部（下称工信部）名单；工信部另称……")


@pytest.mark.parametrize("entry", ENTRIES, ids=[entry["term"] for entry in ENTRIES])
def test_no_text_in_content_uses_a_form_the_glossary_avoids(entry):
    langs = ("zh", "en") if entry.get("everywhere") else ("zh",)
    found = [
        f"{name}: …{hit}…"
        for lang in langs
        for name, text in texts(lang)
        for hit in violations(entry, text)
    ]
    assert not found, (
        f"write {entry['zh']} ({entry['note']}); see content/glossary.yaml:\n" + "\n".join(found)
    )


def test_the_catalogue_is_scanned_and_uses_the_glossary_terms():
    """The interface strings said 获奖, 颁奖 and 本站 (review 5.1, 5.7): they are checked too."""
    found = dict(catalogue_texts())
    assert any("获鼎" in t for t in found.values()) and any("颁鼎" in t for t in found.values())
    award = _entry("winning a Tiangong award")
    assert not [t for t in found.values() if violations(award, t)]
