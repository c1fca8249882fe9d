"""Chinese text in the built site, both ways.

- `mark_chinese_runs`: in a page that is not Chinese, every run of Chinese characters is
  wrapped in `<span lang="zh-Hans">`, so browsers, screen readers and the stylesheet's
  Chinese font stack know its language (editors never mark it by hand).
- `chinese_findings` and friends: the typography check of the Chinese edition. Every text a
  Chinese reader sees (page text, chart JSON, SVG text, downloads) is scanned for Latin-script
  words outside a small allowlist (locales/zh/allowed-latin.txt) and for half-width
  punctuation or stray spaces next to Chinese text; `typography_problems` turns each finding
  into a located problem naming the data file, catalogue entry or template that wrote it.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import html as html_module
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .languages import KNOWN
from .memo import Memo, digest, source_digest


class LazyPattern:
    """A regular expression compiled when first used. Python compiles a class of Han
    characters into a table of the whole Basic Multilingual Plane, 2 to 10 ms each: a build
    whose findings all come from the memo compiles none of the typography check's. The
    same goes for other patterns a build may not use (YAML's disallowed characters, read
    only in files not parsed before: 2 ms to compile)."""

    def __init__(self, pattern: str, flags: int = 0):
        self.pattern, self.flags = pattern, flags

    def __getattr__(self, name: str) -> Any:
        compiled = re.compile(self.pattern, self.flags)
        for method in ("search", "match", "finditer", "sub", "split", "fullmatch", "findall"):
            setattr(self, method, getattr(compiled, method))  # later calls skip __getattr__
        return getattr(compiled, name)


THEME_TEMPLATES = Path(__file__).parent / "theme" / "templates"
"""The default theme's templates, which a page uses where the project has none of its own."""

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
FULL_WIDTH = "，。：；（）“”‘’、！？《》【】［］〔〕…—｜"
CHINESE = f"[{HAN}{FULL_WIDTH}]"
ZH_HANS = "zh-Hans"

# --- marking Chinese runs in other languages' pages -------------------------------------


_TOKENS = LazyPattern(
    r"<!--.*?-->|<(script|style|textarea|title)\b[^>]*>.*?</\1\s*>|<[^>]*>|[^<]+", re.S | re.I
)
_TAG = LazyPattern(r"<\s*(/?)\s*([a-zA-Z][\w:-]*)([^>]*?)(/?)\s*>", re.S)
_LANG_ATTR = LazyPattern(r"""\blang\s*=""", re.I)
_ANY_HAN = LazyPattern(f"[{HAN}]")
VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}
_RUN = LazyPattern(
    rf"[{HAN}{FULL_WIDTH}0-9%]*[{HAN}](?:[{HAN}{FULL_WIDTH}0-9.%]*[{HAN}{FULL_WIDTH}0-9%])?"
)
"""A run of Chinese: at least one Han character, with the punctuation and digits around it
(quotation marks, dashes and ellipses alone are English typography too)."""
_SHARED = "—…‘’"
"""Marks English prose uses too: left outside the span at either end of a run."""


def _wrap(run: str, element: str) -> str:
    core = run.lstrip(_SHARED)
    lead = run[: len(run) - len(core)]
    trail = core[len(core.rstrip(_SHARED)) :]
    marked = core[: len(core) - len(trail)]
    return f'{lead}<{element} lang="{ZH_HANS}">{marked}</{element}>{trail}'


Run = tuple[int, int, bool]
"""Where a run of Chinese to mark starts and ends in a page, and whether it is inside an
inline SVG: there it becomes a <tspan>, since an HTML <span> would end the SVG (the HTML
parser leaves foreign content at it) and spill the rest of the drawing as text."""

_MEMO: list[Memo] = []
"""The memo of the build in progress (see `remembered`); none outside a build."""


@contextlib.contextmanager
def remembered(folder: Path | None) -> Iterator[Memo]:
    """The runs earlier builds found, kept in `folder` under a digest of the page: most
    pages of a build are the bytes they were last time. Call `save` on the memo it yields
    once the build succeeded."""
    memo = Memo(folder, "chinese-runs", digest(source_digest(__file__)))
    _MEMO.append(memo)
    try:
        yield memo
    finally:
        _MEMO.remove(memo)


def mark_chinese_runs(html: str) -> str:
    """Wrap each run of Chinese text in `<span lang="zh-Hans">` (`<tspan>` in an inline SVG),
    outside tags, attributes, scripts, styles, titles and text areas, and outside any element
    that states a language."""
    if html.isascii():  # no scan, char by char
        return html
    # The memo first: its entry says whether there is Chinese to mark (none: no runs). The
    # search for a first Chinese character passed over the head, inline styles included, of
    # every page of an English edition whose only Chinese is the language switch.
    memo = _MEMO[-1] if _MEMO else None
    key = digest(html) if memo is not None else ""
    runs = memo.get(key) if memo is not None else None
    if runs is None:
        runs = runs_to_mark(html) if _ANY_HAN.search(html) else []
        if memo is not None:
            memo.put(key, runs)
    if not runs:
        return html
    out, at = [], 0
    for start, end, in_svg in runs:
        out += [html[at:start], _wrap(html[start:end], "tspan" if in_svg else "span")]
        at = end
    out.append(html[at:])
    return "".join(out)


def runs_to_mark(html: str) -> list[Run]:
    """The runs of Chinese text `mark_chinese_runs` wraps, in page order."""
    runs: list[Run] = []
    stack: list[tuple[str, bool]] = []  # open elements: (name, states a language)
    in_body = False
    for match in _TOKENS.finditer(html):
        token = match.group(0)
        if token.startswith("<"):
            tag = _TAG.match(token)
            if tag and not token.startswith("<!"):
                closing, name = tag.group(1) == "/", tag.group(2).lower()
                in_body = in_body or name == "body"
                if closing:
                    while stack and stack.pop()[0] != name:
                        pass
                elif name not in VOID and not tag.group(4):  # <html lang> is the page's own
                    stack.append((name, name != "html" and bool(_LANG_ATTR.search(tag.group(3)))))
        elif in_body and _ANY_HAN.search(token) and not any(states for _, states in stack):
            in_svg = any(name == "svg" for name, _ in stack)
            at = match.start()
            runs += [(at + m.start(), at + m.end(), in_svg) for m in _RUN.finditer(token)]
    return runs


# --- reading what a Chinese reader sees ------------------------------------------------------

BLOCK = {
    "address",
    "article",
    "aside",
    "blockquote",
    "body",
    "br",
    "caption",
    "dd",
    "details",
    "div",
    "dl",
    "dt",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "head",
    "header",
    "hr",
    "html",
    "label",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "section",
    "summary",
    "table",
    "tbody",
    "td",
    "text",
    "tfoot",
    "th",
    "thead",
    "title",
    "tr",
    "ul",
    "tspan",
}
"""Elements whose text is read apart from what comes before and after (SVG text too)."""
SKIPPED = {"script", "style", "textarea", "code", "pre", "kbd", "samp"}
"""Code, and the embed box's HTML snippet: not prose."""


_ATTR_LANG = LazyPattern(r"""\blang\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)


def _is_chinese(lang: str | None) -> bool:
    return bool(lang) and lang.lower().startswith("zh")  # type: ignore[union-attr]


_ATTRIBUTE = LazyPattern(r"""([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
SHOWN_META = {
    "description",
    "og:title",
    "og:description",
    "og:image:alt",
    "twitter:title",
    "twitter:description",
    "twitter:image:alt",
}
"""Meta tags whose text a reader sees: in search results and link previews."""


def _shown_attributes(name: str, attributes: str) -> list[str]:
    """Text in attributes that readers meet: alt and aria-label, and link-preview metadata."""
    found = {
        m.group(1).lower(): m.group(2) if m.group(2) is not None else m.group(3)
        for m in _ATTRIBUTE.finditer(attributes)
    }
    shown = [found[key] for key in ("alt", "aria-label") if found.get(key)]
    if name == "meta" and (found.get("name") in SHOWN_META or found.get("property") in SHOWN_META):
        shown.append(found.get("content") or "")
    return [value for value in shown if value.strip()]


def chinese_runs(markup: str, lang: str) -> list[tuple[str, int]]:
    """(text, line) for each run of Chinese text in an HTML or SVG document whose own
    language is `lang`, as a reader meets it: block elements and a change of language end a
    run; code, scripts, styles and the embed box's snippet are left out, and so is indentation
    between elements (layout, not a space in the text)."""
    if not _is_chinese(lang) and 'lang="zh' not in markup:
        return []  # nothing in Chinese on this page
    runs: list[tuple[str, int]] = []
    parts: list[str] = []
    stack: list[tuple[str, bool]] = [
        ("", _is_chinese(lang))
    ]  # open elements: is their text Chinese
    start_line, line, last = 1, 1, 0

    def flush() -> None:
        text = "".join(parts)
        if text.strip():
            runs.append((text, start_line))
        parts.clear()

    for match in _TOKENS.finditer(markup):
        token = match.group(0)
        line += markup.count("\n", last, match.start())
        last = match.start()
        if not token.startswith("<"):
            if stack[-1][1]:
                if not token.strip() and "\n" in token:
                    flush()
                else:
                    start_line = start_line if parts else line
                    parts.append(html_module.unescape(token))
            continue
        tag = _TAG.match(token)
        if tag is None or token.startswith("<!"):
            continue
        name = tag.group(2).lower()
        if stack[-1][1] and not tag.group(1):
            runs += [
                (html_module.unescape(value), line)
                for value in _shown_attributes(name, tag.group(3))
            ]
        if name in BLOCK or name in SKIPPED or match.group(1):
            flush()  # a block, or a script, style, title or text area (taken whole)
        if match.group(1) and name == "title" and stack[-1][1]:
            runs.append((html_module.unescape(re.sub(r"<[^>]*>", "", token)), line))
            continue
        if tag.group(1):  # closing
            for i in range(len(stack) - 1, 0, -1):
                if stack[i][0] == name:
                    if stack[i][1] != stack[i - 1][1]:
                        flush()
                    del stack[i:]
                    break
        elif name not in VOID and not tag.group(4) and not match.group(1):
            found = _ATTR_LANG.search(tag.group(3))
            own = next((g for g in found.groups() if g is not None), None) if found else None
            chinese = _is_chinese(own) if own is not None else stack[-1][1] and name not in SKIPPED
            if chinese != stack[-1][1]:
                flush()
            stack.append((name, chinese))
    flush()
    return runs


# --- the rules ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """One thing in a Chinese text that breaks the house style."""

    kind: str
    """'latin', 'half-width', 'space' or 'bilingual'."""
    found: str
    """The offending characters."""
    context: str
    """The text around them, as a reader sees it."""
    line: int = 1

    def describe(self) -> str:
        what = {
            "latin": f"Latin-script word {self.found!r} in Chinese text",
            "half-width": f"half-width {self.found.strip()!r} next to Chinese text",
            "space": "a space next to Chinese punctuation or between Chinese and Latin text",
            "bilingual": 'a bilingual {"en": …, "zh": …} value in a Chinese download',
        }[self.kind]
        return f"{what}: …{self.context}…"


_CITATION = LazyPattern(r"\[\d+\]")
_FOREIGN_TITLE = LazyPattern(rf"《[^《》{HAN}]*》")
_WORD = LazyPattern(r"[A-Za-z0-9][A-Za-z0-9_.:/@%+#&=?~'’-]*")
_HALF = LazyPattern(
    rf"(?<={CHINESE}) *[()\[\]:;,!?\"]|[()\[\]:;,!?\"] *(?={CHINESE})|(?<=[{HAN}])\.(?!\d)"
)
_SPACE = LazyPattern(
    rf"(?<=[{FULL_WIDTH}]) +(?=\S)|(?<=\S) +(?=[{FULL_WIDTH}])"
    rf"|(?<=[{HAN}]) +(?=[{HAN}A-Za-z0-9\u2060])|(?<=[A-Za-z0-9%\u2060]) +(?=[{HAN}])"
)
"""Spaces beside full-width punctuation, and between Chinese and Latin text or digits (an
allowed name, blanked to U+2060, counts as Latin)."""
CONTEXT = 12


def _is_code_word(word: str) -> bool:
    """Numbers and codes (415X, 5G), addresses (sx.gov.cn, https://…): not words in a language."""
    word = word.rstrip(".:,;")
    return (
        any(ch.isdigit() for ch in word)
        or "://" in word
        or bool(re.search(r"[a-z]\.[a-z]{2,}", word, re.I))
    )


_FOUND: dict[tuple[str, str], list[tuple[str, str, str]]] = {}
"""findings_in's results by text and allowlist: the preview checks the pages an edit made
again, whose texts are nearly all the ones it checked before (a download of a dataset
changed by one number, the story changed by one sentence)."""
MAX_FOUND = 200_000


def findings_in(text: str, allowed: Allowlist, line: int = 1) -> list[Finding]:
    """Every breach of the house style in one run of Chinese text."""
    key = (text, allowed.key)
    kept = _FOUND.get(key)
    if kept is None:
        if len(_FOUND) >= MAX_FOUND:
            _FOUND.clear()
        kept = _FOUND[key] = [(f.kind, f.found, f.context) for f in _findings_in(text, allowed)]
    return [Finding(kind, found, context, line) for kind, found, context in kept]


def _findings_in(text: str, allowed: Allowlist, line: int = 1) -> list[Finding]:
    original = text
    # Blanked, keeping every position: citation marks [12] (markup, not punctuation) and a
    # work's own title in another language inside 《》 (U+200B, which no rule sees), and
    # allowed names (U+2060, which counts as Latin for the spacing rule).
    text = _CITATION.sub(lambda m: "\u200b" * len(m.group(0)), text)
    text = _FOREIGN_TITLE.sub(lambda m: "《" + "\u200b" * (len(m.group(0)) - 2) + "》", text)
    text = allowed.blank(text)
    found: list[Finding] = []

    def context(start: int, end: int) -> str:
        return re.sub(r"\s+", " ", original[max(0, start - CONTEXT) : end + CONTEXT]).strip()

    for match in _WORD.finditer(text):
        if re.search("[A-Za-z]", match.group(0)) and not _is_code_word(match.group(0)):
            found.append(
                Finding("latin", match.group(0), context(match.start(), match.end()), line)
            )
    for match in _HALF.finditer(text):
        found.append(
            Finding("half-width", match.group(0), context(match.start(), match.end()), line)
        )
    for match in _SPACE.finditer(text):
        found.append(Finding("space", match.group(0), context(match.start(), match.end()), line))
    return found


class Allowlist:
    """Latin-script names and terms a Chinese text may print: one per line in
    locales/zh/allowed-latin.txt ('#' starts a comment)."""

    def __init__(self, phrases: list[str]):
        self.phrases = sorted({p for p in phrases if p}, key=len, reverse=True)
        self.key = "\n".join(self.phrases)

    @functools.cached_property
    def _pattern(self) -> re.Pattern[str] | None:
        """Compiled when first needed: a build whose findings come from the memo needs none."""
        if not self.phrases:
            return None
        return re.compile(
            "|".join(
                rf"(?<![A-Za-z0-9_.]){re.escape(p)}(?![A-Za-z0-9_]|\.[A-Za-z])"
                for p in self.phrases
            )
        )

    @classmethod
    def read(cls, path: Path) -> Allowlist:
        if not path.is_file():
            return cls([])
        lines = (
            line.split("#", 1)[0].strip() for line in path.read_text(encoding="utf-8").splitlines()
        )
        return cls([line for line in lines if line])

    def blank(self, text: str) -> str:
        """The text with every allowed phrase replaced by a neutral placeholder of one letter
        that no rule flags (an allowed name still may not touch half-width punctuation)."""
        return (
            self._pattern.sub(lambda m: "\u2060" * len(m.group(0)), text) if self._pattern else text
        )


# --- downloads and chart files -------------------------------------------------------------

_CODE_VALUE = LazyPattern(
    r"^(?:[a-z0-9]+(?:[-_][a-z0-9]+)*|-?\d+(?:\.\d+)?|\d{4}(?:-\d{2}(?:-\d{2})?)?|true|false|True|False|"
    r"#[0-9a-fA-F]{3,8}|rgba?\([^)]*\)|https?://\S+|[\w.-]+\.[a-z]{2,}(?:/\S*)?|%[{}\w<>/]*)$"
)
"""Values that are codes for machines (ids, numbers, ISO dates, booleans, colours, URLs,
Plotly format strings): not text for a reader."""
STYLE_KEYS = {
    "family",
    "hovertemplate",
    "tickformat",
    "type",
    "mode",
    "orientation",
    "textposition",
    "xanchor",
    "yanchor",
    "barmode",
    "shape",
    "symbol",
    "dash",
    "hoverinfo",
    "color",
    "bgcolor",
    "linecolor",
    "gridcolor",
    "tickcolor",
    "paper_bgcolor",
    "plot_bgcolor",
    "colorway",
    "rangemode",
    "autorange",
    "ticks",
    "traceorder",
    "uniformtext",
    "template",
}
"""Plotly layout keys whose strings are settings, not text."""


def _text_values(value: Any, key: str = "") -> Iterator[tuple[str, str]]:
    """(key, string) for every string in a JSON value that a reader may see."""
    if isinstance(value, dict):
        if len(value) > 1 and set(value) <= KNOWN.keys():  # one text in several languages
            yield "bilingual", json.dumps(value, ensure_ascii=False)
            return
        for k, v in value.items():
            if k not in STYLE_KEYS and "color" not in k:
                yield from _text_values(v, k)
    elif isinstance(value, list):
        for item in value:
            yield from _text_values(item, key)
    elif isinstance(value, str) and value and not _CODE_VALUE.match(value):
        yield key, value


PLOTLY_MARKUP = LazyPattern(r"</?(?:b|i|br|em|sup|sub)\s*/?>", re.I)
"""The tags Plotly reads in chart text (line breaks, bold): markup, not words."""


def json_findings(data: str, allowed: Allowlist) -> list[Finding]:
    found: list[Finding] = []
    for key, value in _text_values(json.loads(data)):
        if key == "bilingual":
            found.append(Finding("bilingual", value, value[:40]))
        else:
            found += findings_in(PLOTLY_MARKUP.sub("", value), allowed)
    return found


def csv_findings(data: str, allowed: Allowlist) -> list[Finding]:
    """The header row must be Chinese; every cell that is text, not a code, is checked."""
    found: list[Finding] = []
    for number, row in enumerate(csv.reader(io.StringIO(data)), start=1):
        for cell in row:
            if cell.startswith("{") and '"en"' in cell and '"zh"' in cell:
                found.append(Finding("bilingual", cell, cell[:40], number))
            elif cell and (number == 1 or not _is_code_cell(cell)):
                found += findings_in(cell, allowed, number)
    return found


def _is_code_cell(cell: str) -> bool:
    """A code, or a list of codes as the downloads write one (["src-a", "src-b"])."""
    if _CODE_VALUE.match(cell):
        return True
    if cell.startswith("["):
        try:
            items = json.loads(cell)
        except ValueError:
            return False
        return isinstance(items, list) and all(
            isinstance(i, str) and _CODE_VALUE.match(i) for i in items
        )
    return False


def file_findings(path: str, data: str | bytes, allowed: Allowlist, lang: str) -> list[Finding]:
    """Findings in one output file of a Chinese edition (HTML, SVG, CSV or JSON)."""
    if isinstance(data, bytes):
        return []
    if path.endswith((".html", ".svg")):
        return [
            f for text, line in chinese_runs(data, lang) for f in findings_in(text, allowed, line)
        ]
    if path.endswith(".csv"):
        return csv_findings(data, allowed)
    if path.endswith(".json"):
        return json_findings(data, allowed)
    return []


# --- naming what wrote it ------------------------------------------------------------------

_PLACEHOLDER = LazyPattern(r"%\(\w+\)s|%s|<[^>]*>")


class Writers:
    """Finds the file that wrote a finding: a content file (its Chinese text), an entry of the
    Chinese catalogue, or, for punctuation templates glue around values, a template."""

    def __init__(self, root: Path, content: Path, templates: Path, env: Any):
        self.root, self.templates, self.env = root, templates, env
        self._content_folder = content
        self._lexed: dict[str, list[tuple[int, str]]] = {}

    # Read when a finding is first located, not before: a clean page (and the preview's
    # update of one) pays nothing for them.
    @functools.cached_property
    def content(self) -> list[tuple[str, str]]:
        folder = self._content_folder
        files = sorted(folder.rglob("*.yaml")) + sorted(folder.glob("pages/*.zh.md"))
        return [
            (self._shown(p), p.read_text(encoding="utf-8"))
            for p in files
            if p.name != "glossary.yaml"
        ]

    @functools.cached_property
    def catalogue(self) -> list[tuple[int, str, str]]:
        return self._catalogue(self.root / "locales" / "zh" / "LC_MESSAGES" / "messages.po")

    def _shown(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()

    def _catalogue(self, path: Path) -> list[tuple[int, str, str]]:
        """(line, msgid, literal piece) for every piece of text of every translation."""
        if not path.is_file():
            return []
        from babel.messages.pofile import read_po

        with open(path, "rb") as handle:
            catalogue = read_po(handle)
        pieces = []
        for message in catalogue:
            strings = (
                message.string if isinstance(message.string, (list, tuple)) else [message.string]
            )
            msgid = message.id[0] if isinstance(message.id, (list, tuple)) else message.id
            for string in strings:
                pieces += [
                    (message.lineno, msgid, piece)
                    for piece in _PLACEHOLDER.split(string or "")
                    if piece
                ]
        return pieces

    def windows(self, finding: Finding) -> list[str]:
        """Pieces of the context around the offence, the longest first."""
        at = finding.context.find(finding.found.strip() or finding.found)
        if at < 0:
            return [finding.context]
        end = at + len(finding.found.strip() or finding.found)
        return [finding.context[max(0, at - w) : end + w] for w in (6, 4, 2, 1)]

    def in_content(self, finding: Finding) -> tuple[str, int, int] | None:
        for window in self.windows(finding):
            for shown, text in self.content:
                at = text.find(window)
                if at >= 0 and re.search(CHINESE, window):  # Chinese text, not an English twin
                    line = text.count("\n", 0, at) + 1
                    return shown, line, at - (text.rfind("\n", 0, at) + 1) + 1
        return None

    def in_catalogue(self, finding: Finding) -> tuple[int, str] | None:
        offence = finding.found.strip() or " "
        best = None
        for line, msgid, piece in self.catalogue:
            if (
                offence in piece
                and piece in finding.context
                and (best is None or len(piece) > len(best[2]))
            ):
                best = (line, msgid, piece)
        return (best[0], best[1]) if best else None

    def in_templates(self, finding: Finding, names: list[str]) -> tuple[str, int] | None:
        """The first literal text of these templates (outside {{ }} and {% %}) that holds
        the offending character."""
        offence = finding.found.strip() or " "
        for name in names:
            for line, data in self._data_tokens(name):
                if (
                    offence in data
                    and data.strip()
                    and (offence != " " or data.strip() in finding.context)
                ):
                    return self._template(name)[0], line
        return None

    def _template(self, name: str) -> tuple[str, Path]:
        """How messages name template `name`, and its file: the project's, else the theme's."""
        own = self.templates / name
        if own.is_file() or not (THEME_TEMPLATES / name).is_file():
            return f"templates/{name}", own
        return f"src/tiangong_site/theme/templates/{name}", THEME_TEMPLATES / name

    def _data_tokens(self, name: str) -> list[tuple[int, str]]:
        if name not in self._lexed:
            try:
                source = self._template(name)[1].read_text(encoding="utf-8")
                self._lexed[name] = [
                    (line, value) for line, kind, value in self.env.lex(source) if kind == "data"
                ]
            except Exception:  # a template that does not lex is reported by the build itself
                self._lexed[name] = []
        return self._lexed[name]


HINTS = {
    "latin": "write it in Chinese; a proper name, unit or code that stays in Latin letters goes "
    "in locales/zh/allowed-latin.txt",
    "half-width": "Chinese text takes full-width （）：；，、“”！？",
    "space": "remove the space: Chinese sets none beside its punctuation or between Chinese and "
    "Latin text",
    "bilingual": "a Chinese download holds the Chinese text alone",
}
