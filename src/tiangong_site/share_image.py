"""The share image of each language: the 1200x630 card link previews show (og:image,
twitter:image, the story's JSON-LD image), drawn by the build from the story's headline, so
it is never stale and the Chinese edition's card is in Chinese.

The colours are the brand's (the first `:root` rule of static/style.css, see brand.py). The
fonts are the machine's: fontconfig (libfontconfig in this process, else `fc-match`) finds
a bold and a regular face that cover the language (for Chinese, e.g. Debian's
fonts-noto-cjk); the project ships none. The PNG bytes depend only on the text, the colours,
the font files, the Pillow version and the drawing code (share_draw.py), and are kept in the
build cache under a digest of those (`digest`).

The image's file name in the site carries that digest, not one of its bytes, so that a
build names it, and renders every page that links it, before it is drawn: with a core to
spare, a build draws it in another process beside the rendering (`Aside`), and waits for it
before publishing.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import share_draw, signed_cache, workers
from .brand import PLAIN, Brand
from .errors import ContentError, Problem
from .share_draw import HEIGHT, WIDTH

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
    version and the code that draws (share_draw.py). The image's file name carries it, so it
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


@functools.cache
def _code_digest() -> str:
    """A digest of share_draw.py, read once: an edit of the drawing renames the image."""
    return hashlib.sha256(_drawing_code()).hexdigest()


@functools.cache
def _drawing_code() -> bytes:
    """share_draw.py as this process read it, once: what the images are named by, so what a
    drawing process runs (`Aside`), not the file as it is by then (edited under a preview)."""
    return Path(share_draw.__file__).read_bytes()


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
    """Share images drawn by another process while this one renders the pages (importing
    Pillow and drawing a card take 30 to 40 ms of a cold build's one core): share_draw.py
    as this process read it (`_drawing_code`), run as a script by this Python. Its context
    waits for the drawing when it ends normally (writing the images, and drawing here any
    it did not draw: a ContentError if that fails), and ends the process when it ends with
    an exception: a build publishes nothing before the images are written and leaves no
    process behind."""

    def __init__(self) -> None:
        self.child: subprocess.Popen[bytes] | None = None
        self.images: list[Planned] = []
        self.out, self.cache = Path(), None

    def __enter__(self) -> Aside:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if kind is None:
            self.wait()
        else:
            self.stop()

    def draw(self, images: list[Planned], out: Path, cache: Path | None) -> bool:
        """Start drawing `images` for `out` (and `cache`) in another process; False, and
        nothing started, when this process should draw them (`_may_spawn`, or no process
        could be started), or with a drawing under way."""
        if self.child is not None or not _may_spawn():
            return False
        jobs = [share_draw.job(*_drawing(p.card, p.faces)) for p in images]
        read, write = os.pipe()
        try:
            self.child = subprocess.Popen(
                # the code the images are named by; -P: the current folder not on its path
                [sys.executable, "-P", "-c", _drawing_code().decode("utf-8")],
                stdin=read,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
        except OSError:  # no Python at sys.executable, no process to spare: drawn here
            os.close(write)
            return False
        finally:
            os.close(read)
        self.images, self.out, self.cache = images, out, cache
        with open(write, "wb") as jobs_in:  # read whole by the child before it draws
            try:
                jobs_in.write(json.dumps(jobs, ensure_ascii=False).encode("utf-8"))
            except BrokenPipeError:
                pass  # it ended already: `wait` says why
        return True

    def wait(self) -> None:
        """Wait for the drawing and write the images. Those the process did not draw (its
        Python has not the build's Pillow, ...) are drawn here, as without it: a ContentError
        if that fails too."""
        if self.child is None:
            return
        child = self.child
        try:
            drawn, _ = child.communicate()  # its error, if any, is found again here
        except BaseException:  # interrupted (Ctrl+C): the process is ended, not left behind
            self.stop()
            raise
        self.child = None
        pngs = _pngs(drawn, len(self.images)) if child.returncode == 0 else None
        if pngs is None:
            for planned in self.images:
                _write_file(self.out / planned.target, _drawn(planned, self.cache))
            return
        for planned, data in zip(self.images, pngs, strict=True):
            _write_file(self.out / planned.target, data)
            _keep(planned, self.cache, data)

    def stop(self) -> None:
        """End the drawing process, if any, and reap it."""
        if self.child is None:
            return
        child, self.child = self.child, None
        child.kill()
        child.communicate()


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _pngs(data: bytes, count: int) -> list[bytes] | None:
    """The `count` PNGs share_draw.py wrote, each after its length; None if it wrote anything
    else (then nothing it wrote is published or kept in the cache)."""
    found, at = [], 0
    while at + 8 <= len(data):
        size = int.from_bytes(data[at : at + 8], "little")
        png = data[at + 8 : at + 8 + size]
        if len(png) != size or not png.startswith(PNG_SIGNATURE):
            return None
        found.append(png)
        at += 8 + size
    return found if at == len(data) and len(found) == count else None


def _may_spawn() -> bool:
    """Whether a drawing process pays: only with a core to spare (`workers.idle_core`). It
    costs about 50 ms more processor time than drawing here (a fresh Python, and the
    modules Pillow imports that this process has already), which a busy machine pays in
    wall time too (bench/README.md). Never with one core, without this Python's path, or
    when TIANGONG_WORKERS=1 asks for everything in one process."""
    if not sys.executable or os.environ.get(workers.WORKERS_ENV, "").strip() == "1":
        return False
    return workers.cores() > 1 and workers.idle_core()


def draw(card: Card, faces: tuple[Face, Face]) -> bytes:
    """The card as PNG bytes, drawn in this process."""
    return share_draw.draw(*_drawing(card, faces))


def _drawing(
    card: Card, faces: tuple[Face, Face]
) -> tuple[str, tuple[str, str, str], dict[str, str], tuple[tuple[str, int], tuple[str, int]]]:
    """share_draw.draw's arguments for the card."""
    colours = {name: card.brand[name] for name in share_draw.COLOURS}
    text = (card.kicker, card.headline, card.footer)
    bold, regular = ((face.path, face.index) for face in faces)
    return card.lang, text, colours, (bold, regular)


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
