"""The languages a site may be published in, and what the engine knows about each.

`site.yaml` lists a site's languages as BCP 47 primary language subtags (`en`, `fr`, `zh`).
The engine labels and formats only the languages in `KNOWN`: a code outside it is refused
where it is written, so a typo (`languages: [fe]`) never builds a site with no name for its
language. Adding a language is one entry here (see docs/languages.md).

This module imports nothing heavy: the content model validates codes with it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Language:
    """What the engine needs to publish one language."""

    code: str
    """The BCP 47 primary subtag, as site.yaml, file names and URL folders write it."""
    english: str
    """The language named in English, for messages to editors."""
    native: str
    """The language in its own words, for the language switcher."""
    html: str = ""
    """The `lang`/`hreflang` attribute of its pages ('zh-Hans': Simplified script)."""
    og: str = ""
    """Open Graph's language_TERRITORY (og:locale)."""
    plotly: str = ""
    """plotly.js's locale module (node_modules/plotly.js-locales/NAME.js), '' for none."""
    group: str = ","
    """Thousands separator ('' for none: Chinese sources print 10202)."""
    decimal: str = "."
    """Decimal mark."""

    @property
    def html_lang(self) -> str:
        return self.html or self.code

    @property
    def plotly_separators(self) -> str:
        """plotly's layout.separators (decimal mark, then thousands separator) where they
        differ from plotly's own '.,'; '' where they do not."""
        marks = self.decimal + (self.group or ",")
        return "" if marks == ".," else marks


NBSP = "\u00a0"
NNBSP = "\u202f"

KNOWN: dict[str, Language] = {
    lang.code: lang
    for lang in (
        Language("en", "English", "English", og="en_GB"),
        Language("zh", "Chinese", "中文", "zh-Hans", "zh_CN", "zh-cn", group=""),
        Language("fr", "French", "Français", og="fr_FR", plotly="fr", group=NNBSP, decimal=","),
        Language("de", "German", "Deutsch", og="de_DE", plotly="de", group=".", decimal=","),
        Language("es", "Spanish", "Español", og="es_ES", plotly="es", group=".", decimal=","),
        Language("it", "Italian", "Italiano", og="it_IT", plotly="it", group=".", decimal=","),
        Language(
            "pt", "Portuguese", "Português", og="pt_PT", plotly="pt-pt", group=NBSP, decimal=","
        ),
        Language("nl", "Dutch", "Nederlands", og="nl_NL", plotly="nl", group=".", decimal=","),
        Language("da", "Danish", "Dansk", og="da_DK", plotly="da", group=".", decimal=","),
        Language("sv", "Swedish", "Svenska", og="sv_SE", plotly="sv", group=NBSP, decimal=","),
        Language("fi", "Finnish", "Suomi", og="fi_FI", plotly="fi", group=NBSP, decimal=","),
        Language("pl", "Polish", "Polski", og="pl_PL", plotly="pl", group=NBSP, decimal=","),
        Language("ru", "Russian", "Русский", og="ru_RU", plotly="ru", group=NBSP, decimal=","),
        Language("tr", "Turkish", "Türkçe", og="tr_TR", plotly="tr", group=".", decimal=","),
        Language("ja", "Japanese", "日本語", og="ja_JP", plotly="ja"),
        Language("ko", "Korean", "한국어", og="ko_KR", plotly="ko"),
        Language("vi", "Vietnamese", "Tiếng Việt", og="vi_VN", plotly="vi", group=".", decimal=","),
    )
}
"""Left-to-right languages only: a right-to-left one (Arabic, Hebrew) needs `dir` on its
pages and mirrored layouts, which the templates do not have yet."""


def language(code: str) -> Language:
    """The language `code` names; a code not in KNOWN (only reachable past validation, e.g.
    a catalogue folder) gets a plain entry named by its code rather than a KeyError."""
    return KNOWN.get(code) or Language(code, code, code)


def english_name(code: str) -> str:
    return language(code).english


def check_code(code: str) -> str:
    """`code` if the engine knows the language, else a ValueError saying what to write."""
    if code in KNOWN:
        return code
    lowered = code.strip().lower().replace("_", "-")
    primary = lowered.split("-", 1)[0]
    if primary in KNOWN:
        hint = f"write the primary language subtag alone: '{primary}'"
    else:
        import difflib  # only for a wrong code

        close = difflib.get_close_matches(lowered, list(KNOWN), n=1) or [
            known  # two letters, one of them mistyped: 'zn' for 'zh' (or 'en')
            for known in KNOWN
            if len(known) == len(lowered) and sum(map(str.__ne__, known, lowered)) == 1
        ]
        near = f"did you mean {' or '.join(repr(c) for c in close)}? " if close else ""
        hint = f"{near}known codes: {', '.join(sorted(KNOWN))}"
    raise ValueError(f"'{code}' is not a language code the engine knows ({hint})")


def writes_han(code: str) -> bool:
    """Whether the language's own text is written with Han characters (Chinese, Japanese):
    its pages' Han runs are its own, not Chinese quoted in another language to be marked
    lang="zh-Hans"."""
    return code in ("zh", "ja")
