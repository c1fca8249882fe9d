#!/usr/bin/env python3
"""Bring the translation catalogues up to date with the interface strings in the code.

Extracts every `_("...")` of templates/ and every `_()`/`N_()` of src/tiangong_site/,
writes locales/messages.pot, and merges it into each locales/LANG/LC_MESSAGES/messages.po:
new strings arrive with an empty translation (the build then names each one until a
translator fills it in); strings no longer used are dropped; translations are kept.

Usage: python scripts/update_catalogues.py [LANG...]
  Updates the catalogue of each language that has one under locales/; each LANG named
  (e.g. `fr`) gets a new, empty catalogue first if it has none.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from babel.messages.catalog import Catalog  # noqa: E402
from babel.messages.pofile import read_po, write_po  # noqa: E402

from tiangong_site.i18n import LOCALES, SOURCE_LANGUAGE, messages_in_code  # noqa: E402

PLURAL_FORMS = {
    "Source: %(sources)s": "Sources: %(sources)s",
    "cited by %(num)s record": "cited by %(num)s records",
}
"""The English plural of each message used with ngettext."""


def template_catalogue() -> Catalog:
    catalogue = Catalog(project="tiangong-site", fuzzy=False)
    for message, where, line in messages_in_code(ROOT / "templates"):
        key = (message, PLURAL_FORMS[message]) if message in PLURAL_FORMS else message
        existing = catalogue.get(message)
        if existing is not None:
            existing.locations.append((where, line))
        else:
            catalogue.add(key, locations=[(where, line)])
    return catalogue


def main() -> None:
    template = template_catalogue()
    with open(ROOT / "locales" / "messages.pot", "wb") as handle:
        write_po(handle, template, omit_header=True, sort_output=True, width=100)
    named = sys.argv[1:]
    unknown = [lang for lang in named if lang not in LOCALES]
    if unknown:
        sys.exit(f"{unknown[0]}: not a language code the engine knows ({', '.join(LOCALES)})")
    for lang, locale in LOCALES.items():
        path = ROOT / "locales" / lang / "LC_MESSAGES" / "messages.po"
        if lang == SOURCE_LANGUAGE or not (path.exists() or lang in named):
            continue
        if path.exists():
            with open(path, "rb") as handle:
                catalogue = read_po(handle, locale=locale)
        else:
            catalogue = Catalog(locale=locale, project="tiangong-site")
        catalogue.update(template, no_fuzzy_matching=True)
        catalogue.obsolete.clear()
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as handle:
            write_po(
                handle,
                catalogue,
                omit_header=False,
                sort_output=True,
                width=100,
                ignore_obsolete=True,
            )
        missing = sum(1 for m in catalogue if m.id and not m.string)
        print(
            f"{path.relative_to(ROOT)}: {len(catalogue) - 1} strings, "
            f"{missing} without a translation"
        )


if __name__ == "__main__":
    main()
