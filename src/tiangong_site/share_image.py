"""The share image of each language: the 1200x630 card link previews show (og:image,
twitter:image, the story's JSON-LD image), drawn by the build from the story's headline, so
it is never stale and the Chinese edition's card is in Chinese.

The colours are the brand's (the first `:root` rule of static/style.css, see brand.py). The
fonts are the machine's: fontconfig (`fc-match`) finds a bold and a regular face that
cover the language (for Chinese, e.g. Debian's fonts-noto-cjk); the project ships none. The
PNG bytes depend only on the text, the colours, the font files, the Pillow version and this
module's code, and are kept in the build cache under a digest of those (`digest`).

The image's file name in the site carries that digest, not one of its bytes, so that a
build names it, and renders every page that links it, before it is drawn: a build draws it
in a forked process beside the rendering (`Aside`), and waits for it before publishing.
"""

from __future__ import annotations

import gc
import hashlib
import io
import json
import os
import shutil
import signal
import subprocess
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

from . import signed_cache, workers
from .brand import PLAIN, Brand
from .errors import ContentError, Problem

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
    described = _described(pattern)
    parts = described.split("\n") if described is not None else []
    if len(parts) < 3 or not parts[0]:
        return None
    # fontconfig falls back to any face; keep it only if it covers the language.
    if ("zh-cn" if lang == "zh" else lang) not in parts[2].split("|"):
        return None
    return Face(parts[0], int(parts[1] or 0))


DESCRIBED = "%{file}\n%{index}\n%{lang}"
"""What fontconfig says of the face it picks (FcPatternFormat): file, index, languages."""


def _described(pattern: str) -> str | None:
    """DESCRIBED of the face fontconfig picks for `pattern`: asked of libfontconfig in this
    process (7 ms of processor time for a build's four patterns), else of one `fc-match`
    process per pattern (30 ms for four), else None."""
    library = _fontconfig()
    if library is not None:
        return _described_here(library, pattern)
    if shutil.which("fc-match") is None:
        return None
    result = subprocess.run(
        ["fc-match", "--format", DESCRIBED, pattern], capture_output=True, text=True, timeout=20
    )
    return result.stdout if result.returncode == 0 else None


_LIBRARY: list[Any] = []
"""libfontconfig, loaded once (None when this system has none to load)."""
_IN_PROCESS = threading.Lock()
"""Held while this process asks libfontconfig: the lookups' threads take turns."""


def _fontconfig() -> Any:
    """libfontconfig through ctypes, its functions declared; None when it will not load."""
    with _IN_PROCESS:
        if not _LIBRARY:
            _LIBRARY.append(_load_fontconfig())
        return _LIBRARY[0]


def _load_fontconfig() -> Any:
    import ctypes

    for name in ("libfontconfig.so.1", "libfontconfig.1.dylib"):
        try:
            library = ctypes.CDLL(name)
        except OSError:
            continue
        pointer, text = ctypes.c_void_p, ctypes.c_char_p
        for function, result, arguments in (
            ("FcInitBringUptoDate", ctypes.c_int, []),
            ("FcNameParse", pointer, [text]),
            ("FcConfigSubstitute", ctypes.c_int, [pointer, pointer, ctypes.c_int]),
            ("FcDefaultSubstitute", None, [pointer]),
            ("FcFontMatch", pointer, [pointer, pointer, ctypes.POINTER(ctypes.c_int)]),
            ("FcPatternFormat", pointer, [pointer, text]),
            ("FcStrFree", None, [pointer]),
            ("FcPatternDestroy", None, [pointer]),
        ):
            getattr(library, function).restype = result
            getattr(library, function).argtypes = arguments
        return library
    return None


def _described_here(library: Any, pattern: str) -> str | None:
    """What `fc-match --format DESCRIBED pattern` prints, asked of libfontconfig here: the
    same calls on the same configuration (the current one, loaded again when its files or
    font folders changed, as fontconfig checks at most every 30 s)."""
    import ctypes

    with _IN_PROCESS:
        if not library.FcInitBringUptoDate():
            return None
        wanted = library.FcNameParse(pattern.encode("utf-8"))
        if not wanted:
            return None
        try:
            library.FcConfigSubstitute(None, wanted, 0)  # FcMatchPattern
            library.FcDefaultSubstitute(wanted)
            found = library.FcFontMatch(None, wanted, ctypes.byref(ctypes.c_int()))
        finally:
            library.FcPatternDestroy(wanted)
        if not found:
            return None
        try:
            described = library.FcPatternFormat(found, DESCRIBED.encode("ascii"))
        finally:
            library.FcPatternDestroy(found)
        if not described:
            return None
        try:
            return ctypes.string_at(described).decode("utf-8", "replace")
        finally:
            library.FcStrFree(described)


class _Lookup(threading.Thread):
    """One `_match`, on a thread of its own: fontconfig reads its configuration and caches
    first (5 ms), or fc-match is a process to start and wait for."""

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
    """`_match` of each (pattern, language), all at once: each may be a process to start and
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
    """What the PNG's bytes depend on: the text, the colours, each font file, the Pillow
    version and the code that draws (this module). The image's file name carries it, so it
    must change whenever the bytes can."""
    fonts = [
        (f.path, f.index, Path(f.path).stat().st_size, Path(f.path).stat().st_mtime_ns)
        for f in faces
    ]
    text = [card.lang, card.kicker, card.headline, card.footer, card.brand.colours]
    made_by = [_pillow_version(), _code_digest()]
    key = json.dumps([text, fonts, made_by, WIDTH, HEIGHT], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:24]


def _pillow_version() -> str:
    """The version of the Pillow that draws, from its own package (`PIL/_version.py`, 0.5 ms):
    not importlib.metadata's, which costs 15 to 40 ms to import where nothing else has."""
    import PIL  # the package alone: Image and the drawing code are imported only to draw

    return PIL.__version__


_CODE: list[str] = []


def _code_digest() -> str:
    """A digest of this module's source, read once: an edit of the drawing renames the image."""
    if not _CODE:
        _CODE.append(hashlib.sha256(Path(__file__).read_bytes()).hexdigest())
    return _CODE[0]


@dataclass(frozen=True)
class Planned:
    """A share image before it is drawn: its card, its faces and the digest of both."""

    card: Card
    faces: tuple[Face, Face]
    key: str

    @property
    def target(self) -> str:
        """Its file in the site, named by its key: assets/share-en.0123456789.png."""
        return f"assets/share-{self.card.lang}.{self.key[:10]}.png"


def plan(card: Card, faces: tuple[Face, Face] | None = None) -> Planned:
    """The card as it will be drawn, in `faces` (by default, find_faces of its language)."""
    faces = faces or find_faces(card.lang)
    return Planned(card, faces, digest(card, faces))


def share_png(
    card: Card, cache: Path | None = None, faces: tuple[Face, Face] | None = None
) -> bytes:
    """The card as PNG bytes, from the cache when this card was drawn before; in `faces`
    (by default, find_faces of its language)."""
    return png_of(plan(card, faces), cache)


def png_of(planned: Planned, cache: Path | None = None) -> bytes:
    """The planned card's PNG bytes, from the cache when it was drawn before (else drawn, and
    kept there)."""
    data = cached(planned, cache)
    if data is None:
        data = draw(planned.card, planned.faces)
        _keep(planned, cache, data)
    return data


def cached(planned: Planned, cache: Path | None) -> bytes | None:
    """The planned card's PNG bytes if the cache has them."""
    if cache is None:
        return None
    return signed_cache.load(_cache_file(planned, cache), "share-image", planned.key)


def _keep(planned: Planned, cache: Path | None, data: bytes) -> None:
    if cache is not None:
        signed_cache.store(_cache_file(planned, cache), "share-image", planned.key, data)


def _cache_file(planned: Planned, cache: Path) -> Path:
    return cache / f"share-{planned.key}.signed"


def write(images: list[Planned], out: Path, cache: Path | None, aside: Aside | None) -> None:
    """Write each image into the site folder `out`, at its target: those in the cache at
    once, the others drawn by `aside` in another process when it can, else here."""
    missing = []
    for planned in images:
        data = cached(planned, cache)
        if data is None:
            missing.append(planned)
        else:
            _write_file(out / planned.target, data)
    if missing and not (aside is not None and aside.draw(missing, out, cache)):
        for planned in missing:
            _write_file(out / planned.target, _drawn(planned, cache))


def _drawn(planned: Planned, cache: Path | None) -> bytes:
    """The card drawn (and kept in the cache); a failure is a ContentError that says so."""
    try:
        data = draw(planned.card, planned.faces)
    except Exception as exc:
        raise ContentError([_not_drawn(planned, f"{type(exc).__name__}: {exc}")]) from exc
    _keep(planned, cache, data)
    return data


def _not_drawn(planned: Planned, why: str) -> Problem:
    faces = " and ".join(dict.fromkeys(face.path for face in planned.faces))
    return Problem(
        "(fonts)",
        1,
        1,
        f"the {planned.card.lang} share image could not be drawn with {faces}: {why}",
        "check that the font files are readable and that Pillow is installed, e.g. `make deps`",
    )


def _write_file(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


class Aside:
    """Share images drawn by a forked process while this one renders the pages (importing
    Pillow and drawing a card take 40 ms of a cold build's one core). Its context waits
    for the drawing when it ends normally (raising ContentError if it failed), and ends
    the process when it ends with an exception: a build publishes nothing before the
    drawing is written and leaves no process behind."""

    def __init__(self) -> None:
        self.child: tuple[int, int, list[Planned]] | None = None
        """The drawing process: its id, the read end of its pipe, what it draws."""

    def __enter__(self) -> Aside:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if kind is None:
            self.wait()
        else:
            self.stop()

    def draw(self, images: list[Planned], out: Path, cache: Path | None) -> bool:
        """Start drawing `images` into `out` (and `cache`) in a forked process; False, and
        nothing started, when this process should draw them: without fork, with one core,
        when TIANGONG_WORKERS is 1, or with a drawing already under way."""
        if self.child is not None or not _may_fork():
            return False
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(read)
            _draw_in_child(images, out, cache, write)
        os.close(write)
        self.child = (pid, read, images)
        return True

    def wait(self) -> None:
        """Wait for the drawing; a ContentError if it failed."""
        if self.child is None:
            return
        pid, read, images = self.child
        self.child = None
        with os.fdopen(read, "rb") as pipe:
            said = pipe.read().decode("utf-8", "replace")
        status = os.waitpid(pid, 0)[1]
        if status != 0:
            lang, _, why = said.partition("\n")
            planned = next((p for p in images if p.card.lang == lang), images[0])
            why = why or f"its process ended with status {os.waitstatus_to_exitcode(status)}"
            raise ContentError([_not_drawn(planned, why)])

    def stop(self) -> None:
        """End the drawing process, if any, and reap it."""
        if self.child is None:
            return
        pid, read, _ = self.child
        self.child = None
        os.close(read)
        try:
            os.kill(pid, signal.SIGTERM)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass


def _may_fork() -> bool:
    """Whether a drawing process pays: it needs fork and a second core, and
    TIANGONG_WORKERS=1 asks for everything in one process."""
    if not hasattr(os, "fork") or os.environ.get(workers.WORKERS_ENV, "").strip() == "1":
        return False
    return workers.cores() > 1


def _draw_in_child(images: list[Planned], out: Path, cache: Path | None, pipe: int) -> NoReturn:
    """The drawing process: draws and writes each image, says which failed and why down
    `pipe`, and exits without returning to the caller's code."""
    code, lang = 1, ""
    try:
        gc.disable()  # it lives for one drawing: collecting would touch the parent's pages
        for planned in images:
            lang = planned.card.lang
            data = draw(planned.card, planned.faces)
            _write_file(out / planned.target, data)
            _keep(planned, cache, data)
        code = 0
    except BaseException as exc:
        os.write(pipe, f"{lang}\n{type(exc).__name__}: {exc}".encode())
    finally:
        os._exit(code)


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
