"""The share image of each language: the 1200x630 card link previews show (og:image,
twitter:image, the story's JSON-LD image), drawn by the build from the story's headline, so
it is never stale and the Chinese edition's card is in Chinese.

The colours are the brand's (the first `:root` rule of static/style.css, see brand.py). The
fonts are the machine's: fontconfig (`fc-match`) finds a bold and a regular face that
cover the language (for Chinese, e.g. Debian's fonts-noto-cjk); the project ships none. The
PNG bytes depend only on the text, the colours, the font files and the Pillow version, and
are kept in the build cache under a digest of those.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import subprocess
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import signed_cache
from .brand import PLAIN, Brand
from .errors import ContentError, Problem
from .memo import package_version

WIDTH, HEIGHT = 1200, 630
FONT_QUERIES = {"zh": "sans-serif:lang=zh-cn", "en": "sans-serif:lang=en"}
"""fontconfig patterns per language; the weight is added."""
INSTALL_HINT = {
    "zh": "install a font with Chinese characters, e.g. `apt-get install fonts-noto-cjk` "
    "(scripts/install-system-deps.sh does)",
    "en": "install a sans-serif font, e.g. `apt-get install fonts-dejavu-core`",
}


@dataclass(frozen=True)
class Colours:
    """The card's colours; greys unless taken from the brand (`of`)."""

    background: str = "#ffffff"
    ink: str = "#000000"
    muted: str = "#555555"
    accent: str = "#808080"
    accent_bg: str = "#eeeeee"

    @classmethod
    def of(cls, brand: Brand) -> Colours:
        return cls(brand["bg"], brand["fg"], brand["muted"], brand.accent, brand["accent-bg"])


@dataclass(frozen=True)
class Card:
    """What a share card says, and in which colours."""

    lang: str
    kicker: str
    headline: str
    footer: str
    brand: Brand = PLAIN
    """The colours, from static/style.css like the charts' (a build passes the stylesheet's)."""


@dataclass(frozen=True)
class Face:
    path: str
    index: int


def _match(pattern: str, lang: str) -> Face | None:
    """The face fontconfig picks for `pattern`, if it covers `lang`."""
    if shutil.which("fc-match") is None:
        return None
    result = subprocess.run(
        ["fc-match", "--format", "%{file}\n%{index}\n%{lang}", pattern],
        capture_output=True,
        text=True,
        timeout=20,
    )
    parts = result.stdout.split("\n")
    if result.returncode != 0 or len(parts) < 3 or not parts[0]:
        return None
    # fontconfig falls back to any face; keep it only if it covers the language.
    if ("zh-cn" if lang == "zh" else lang) not in parts[2].split("|"):
        return None
    return Face(parts[0], int(parts[1] or 0))


class _Lookup(threading.Thread):
    """One `_match`, on a thread of its own: fc-match is a process to start and wait for."""

    def __init__(self, pattern: str, lang: str):
        super().__init__(daemon=True)
        self.wanted, self.found, self.failed = (pattern, lang), None, None
        self.start()

    def run(self) -> None:
        try:
            self.found = _match(*self.wanted)
        except BaseException as exc:  # raised by `result`, in the caller's thread, as before
            self.failed = exc

    def result(self) -> Face | None:
        self.join()
        if self.failed is not None:
            raise self.failed
        return self.found


_EARLY: dict[tuple[str, str], _Lookup] = {}
"""Lookups started by `look_up_early`, each taken by the first `_matches` that wants it."""


def look_up_early(languages: list[str]) -> None:
    """Start the lookups `faces_for(languages)` will want: a build starts them before it loads
    its content, which they then wait beside (20 to 200 ms of waiting on a loaded machine)."""
    forget_early()
    for wanted in (_query(lang, w) for lang in languages for w in ("bold", "regular")):
        _EARLY[wanted] = _Lookup(*wanted)


def forget_early() -> None:
    """Drop lookups started early and not taken (a build that failed before its images)."""
    _EARLY.clear()


def _matches(wanted: list[tuple[str, str]]) -> list[Face | None]:
    """`_match` of each (pattern, language), all at once: each is a process to start and
    wait for (20 to 100 ms on a loaded machine), and a build asks four."""
    lookups = [_EARLY.pop(one, None) or _Lookup(*one) for one in wanted]
    return [lookup.result() for lookup in lookups]


def _query(lang: str, weight: str) -> tuple[str, str]:
    return f"{FONT_QUERIES.get(lang, f'sans-serif:lang={lang}')}:weight={weight}", lang


def find_faces(lang: str) -> tuple[Face, Face]:
    """(bold, regular) faces for `lang`; raises ContentError with an install hint if none."""
    return faces_for([lang])[lang]


def faces_for(languages: list[str]) -> dict[str, tuple[Face, Face]]:
    """find_faces of each language, looked up at once. Raises ContentError, as it does."""
    found = iter(_matches([_query(lang, w) for lang in languages for w in ("bold", "regular")]))
    faces = {lang: (next(found), next(found)) for lang in languages}
    for lang, (bold, regular) in faces.items():
        _require(lang, bold, regular)
    return faces  # type: ignore[return-value]  # _require raised for any None


def _require(lang: str, bold: Face | None, regular: Face | None) -> None:
    if bold is None or regular is None:
        hint = INSTALL_HINT.get(lang, INSTALL_HINT["en"])
        message = (
            f"no font for the {lang} share image: "
            f"fontconfig's fc-match finds none that covers '{lang}'"
        )
        raise ContentError([Problem("(fonts)", 1, 1, message, hint)])


def digest(card: Card, faces: tuple[Face, Face]) -> str:
    """What the PNG's bytes depend on: the text, the colours, each font file and the Pillow
    version."""
    pillow = package_version("pillow")  # Pillow itself is imported only to draw
    fonts = [
        (f.path, f.index, Path(f.path).stat().st_size, Path(f.path).stat().st_mtime_ns)
        for f in faces
    ]
    text = [card.lang, card.kicker, card.headline, card.footer, card.brand.colours]
    key = json.dumps([text, fonts, pillow, WIDTH, HEIGHT], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:24]


def share_png(
    card: Card, cache: Path | None = None, faces: tuple[Face, Face] | None = None
) -> bytes:
    """The card as PNG bytes, from the cache when this card was drawn before; in `faces`
    (by default, find_faces of its language)."""
    faces = faces or find_faces(card.lang)
    key = digest(card, faces)
    stored = cache / f"share-{key}.signed" if cache is not None else None
    data = signed_cache.load(stored, "share-image", key) if stored else None
    if data is None:
        data = draw(card, faces)
        if stored:
            signed_cache.store(stored, "share-image", key, data)
    return data


def _lines(text: str, font: object, width: int, lang: str) -> list[str]:
    """Wrap to `width` pixels: between characters in Chinese, between words otherwise;
    Chinese closing punctuation never starts a line."""
    units = list(text) if lang == "zh" else text.split(" ")
    joiner = "" if lang == "zh" else " "
    lines: list[str] = []
    for unit in units:
        trial = (lines[-1] + joiner + unit) if lines else unit
        if lines and (
            font.getlength(trial) <= width or (lang == "zh" and unit in "，。：；、！？）》”")
        ):  # type: ignore[attr-defined]
            lines[-1] = trial
        else:
            lines.append(unit)
    return lines


def _printable(text: str) -> str:
    """Line and paragraph separators and control characters as spaces: a card has no breaks."""
    return "".join(
        " " if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") else ch for ch in text
    )


def draw(card: Card, faces: tuple[Face, Face]) -> bytes:
    from PIL import Image, ImageDraw, ImageFont

    # Pillow's own layout, not libraqm: no shaping is needed for Chinese or Latin text, and
    # the bytes then do not depend on which libraqm the machine has.
    def font(face: Face, size: int) -> ImageFont.FreeTypeFont:
        return ImageFont.truetype(
            face.path, size, index=face.index, layout_engine=ImageFont.Layout.BASIC
        )

    card = Card(
        card.lang,
        _printable(card.kicker),
        _printable(card.headline),
        _printable(card.footer),
        card.brand,
    )
    accent, accent_bg = card.brand.accent, card.brand["accent-bg"]
    bold, regular = faces
    image = Image.new("RGB", (WIDTH, HEIGHT), card.brand["bg"])
    pen = ImageDraw.Draw(image)
    pen.rectangle((0, 0, WIDTH, 18), fill=accent)
    kicker = font(bold, 26)
    pen.text(
        (80, 70),
        card.kicker.upper() if card.lang != "zh" else card.kicker,
        font=kicker,
        fill=accent,
    )
    size = 64 if card.lang == "zh" else 60
    headline = font(bold, size)
    lines = _lines(card.headline, headline, 1040, card.lang)
    while len(lines) > 4 and size > 36:  # a long headline: smaller, never cut
        size -= 4
        headline = font(bold, size)
        lines = _lines(card.headline, headline, 1040, card.lang)
    y = 130
    for line in lines:
        pen.text((80, y), line, font=headline, fill=card.brand["fg"])
        y += int(size * 1.3)
    footer = font(regular, 26)
    pen.rounded_rectangle((80, 536, 124, 580), radius=9, fill=accent)
    pen.text((140, 544), card.footer, font=footer, fill=card.brand["muted"])
    for i in range(5):  # decoration, not data
        x = WIDTH - 80 - 30 - i * 44
        pen.ellipse((x - 5, 541, x + 35, 581), fill=accent_bg)
        pen.ellipse((x, 546, x + 30, 576), fill=accent)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=False)  # no time stamp: the same bytes each time
    return buffer.getvalue()


def card_for(content: Any, lang: str, brand: Brand = PLAIN) -> Card:
    """The card of one language: the story's kicker and headline, and the site's name."""
    from .i18n import gettext
    from .models import text

    site = content.site
    story = next((p for p in content.pages if p.lang == lang and p.meta.layout == "story"), None)
    headline = text(story.meta.title, lang) if story else text(site.title, lang)
    kicker = (text(story.meta.kicker, lang) if story else "") or text(site.title, lang)
    footer = gettext(lang, "%(page)s · %(site)s") % {
        "page": text(site.title, lang),
        "site": text(site.publisher, lang),
    }
    return Card(lang, kicker, headline, footer, brand)


def asset_name(lang: str) -> str:
    """The share image's name among the assets (hashed when written): share-zh.png."""
    return f"share-{lang}.png"
