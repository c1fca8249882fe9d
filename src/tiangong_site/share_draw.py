"""The drawing of a share card (share_image.py): a module of its own, with nothing but the
standard library and Pillow, so that a build can run it as a script in a fresh process
(`python -P share_draw.py`, about 10 ms to start) beside the rendering. A forked copy of
the build drew with less processor time, but the build then took a copy-on-write fault on
each page of its memory it wrote (2,000 more faults on the peers workload).

As a script it reads a JSON list of cards on its standard input (`job`), and writes each
one's PNG to its standard output, its length first (8 bytes, little-endian); on a failure,
the card's language and the error on two lines of its standard error, and exit status 1.
"""

from __future__ import annotations

import io
import json
import sys
import unicodedata
from typing import Any

WIDTH, HEIGHT = 1200, 630
COLOURS = ("bg", "fg", "muted", "accent", "accent-bg")
"""The colours a card is drawn in, by their names in the brand (brand.py)."""


def _lines(text: str, font: Any, width: int, lang: str) -> list[str]:
    """Wrap to `width` pixels: between characters in Chinese, between words otherwise;
    Chinese closing punctuation never starts a line."""
    units = list(text) if lang == "zh" else text.split(" ")
    joiner = "" if lang == "zh" else " "
    lines: list[str] = []
    for unit in units:
        trial = (lines[-1] + joiner + unit) if lines else unit
        if lines and (
            font.getlength(trial) <= width or (lang == "zh" and unit in "，。：；、！？）》”")
        ):
            lines[-1] = trial
        else:
            lines.append(unit)
    return lines


def _printable(text: str) -> str:
    """Line and paragraph separators and control characters as spaces: a card has no breaks."""
    return "".join(
        " " if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") else ch for ch in text
    )


def draw(
    lang: str,
    text: tuple[str, str, str],
    colours: dict[str, str],
    faces: tuple[tuple[str, int], tuple[str, int]],
) -> bytes:
    """The card as PNG bytes: `text` is its kicker, headline and footer, `colours` has each
    of COLOURS, `faces` are the bold and the regular face (file, index)."""
    from PIL import Image, ImageDraw, ImageFont

    # Pillow's own layout, not libraqm: no shaping is needed for Chinese or Latin text, and
    # the bytes then do not depend on which libraqm the machine has.
    def font(face: tuple[str, int], size: int) -> ImageFont.FreeTypeFont:
        return ImageFont.truetype(
            face[0], size, index=face[1], layout_engine=ImageFont.Layout.BASIC
        )

    kicker_text, headline_text, footer_text = (_printable(part) for part in text)
    accent, accent_bg = colours["accent"], colours["accent-bg"]
    bold, regular = faces
    image = Image.new("RGB", (WIDTH, HEIGHT), colours["bg"])
    pen = ImageDraw.Draw(image)
    pen.rectangle((0, 0, WIDTH, 18), fill=accent)
    kicker = font(bold, 26)
    pen.text(
        (80, 70),
        kicker_text.upper() if lang != "zh" else kicker_text,
        font=kicker,
        fill=accent,
    )
    size = 64 if lang == "zh" else 60
    headline = font(bold, size)
    lines = _lines(headline_text, headline, 1040, lang)
    while len(lines) > 4 and size > 36:  # a long headline: smaller, never cut
        size -= 4
        headline = font(bold, size)
        lines = _lines(headline_text, headline, 1040, lang)
    y = 130
    for line in lines:
        pen.text((80, y), line, font=headline, fill=colours["fg"])
        y += int(size * 1.3)
    footer = font(regular, 26)
    pen.rounded_rectangle((80, 536, 124, 580), radius=9, fill=accent)
    pen.text((140, 544), footer_text, font=footer, fill=colours["muted"])
    for i in range(5):  # decoration, not data
        x = WIDTH - 80 - 30 - i * 44
        pen.ellipse((x - 5, 541, x + 35, 581), fill=accent_bg)
        pen.ellipse((x, 546, x + 30, 576), fill=accent)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=False)  # no time stamp: the same bytes each time
    return buffer.getvalue()


def job(
    lang: str,
    text: tuple[str, str, str],
    colours: dict[str, str],
    faces: tuple[tuple[str, int], tuple[str, int]],
) -> dict[str, Any]:
    """One card, as the script reads it (JSON): `draw`'s arguments by name."""
    return {"lang": lang, "text": list(text), "colours": colours, "faces": faces}


def main() -> int:
    """Draw each card read on standard input; see the module's description."""
    lang, drawn = "", []
    try:
        for card in json.load(sys.stdin):
            lang = card["lang"]
            faces = tuple((path, index) for path, index in card["faces"])
            data = draw(lang, tuple(card["text"]), card["colours"], faces)  # type: ignore[arg-type]
            drawn.append(len(data).to_bytes(8, "little") + data)
        # written once all are drawn: the build reads them only at the end, and a pipe
        # holds 64 KiB, so writing the first would wait for the build to draw the second
        sys.stdout.buffer.write(b"".join(drawn))
        sys.stdout.buffer.flush()
    except Exception as exc:
        sys.stderr.write(f"{lang}\n{type(exc).__name__}: {exc}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
