"""What templates show of records, sources and statuses, made once per page: citation
numbers, status notes, source and figure views, and the tidying of citation marks."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields, replace
from typing import Any
from urllib.parse import unquote, urlsplit

from ..cjk import LazyPattern
from ..content import Content
from ..declared import PLACE
from ..i18n import gettext
from ..models import text
from ..render import Urls
from ..tables import (
    label,
    ordinal,
)


class Citations:
    """Numbers the sources a page cites, in the order it first cites them."""

    def __init__(self, content: Content, urls: Urls, lang: str):
        cited = content.citations
        self.sources = content.index(cited) if cited in content.datasets else {}
        self.content, self.urls, self.lang = content, urls, lang
        self.order: list[str] = []

    def cite(self, source_id: str) -> dict[str, Any]:
        if source_id not in self.order:
            self.order.append(source_id)
        return {"n": self.order.index(source_id) + 1, "id": source_id, "href": f"#cite-{source_id}"}

    def listing(self) -> list[SourceView]:
        return [replace(self.view(sid), n=i + 1) for i, sid in enumerate(self.order)]

    def view(self, source_id: str) -> SourceView:
        """The source as every page lists it (`cited_view`)."""
        return cited_view(self.content, source_id, self.lang, self.sources)


class StatusNotes:
    """The notes a page's status markers link to, numbered in the order first marked.

    A value that is derived, inferred, unknown or conflicting gets one small marker after it
    (its accessible label says "inferred: see note"); the note itself is listed at the end of
    the page, never put in brackets inside the sentence."""

    def __init__(self) -> None:
        self.notes: list[dict[str, Any]] = []

    def mark(self, view: dict[str, Any], subject: str) -> dict[str, Any]:
        """`view` (a row with a status) with `status_note` {n, href} when it needs a marker."""
        status = view.get("status", "reported")
        note = self.note(status, view.get("status_name", ""), view.get("uncertain", ""), subject)
        return view | {"status_note": note}

    def note(self, status: str, status_name: str, uncertain: str, subject: str) -> Any:
        """The link {n, href} to the note on `subject`'s status, or None when reported."""
        if status == "reported":
            return None
        key = (subject, status, uncertain)
        found = next((n for n in self.notes if n["key"] == key), None)
        if found is None:
            n = len(self.notes) + 1
            found = {
                "key": key,
                "n": n,
                "id": f"status-note-{n}",
                "href": f"#status-note-{n}",
                "subject": subject,
                "status_name": status_name,
                "note": uncertain,
            }
            self.notes.append(found)
        return {"n": found["n"], "href": found["href"]}

    def listing(self) -> list[dict[str, Any]]:
        return [{k: v for k, v in note.items() if k != "key"} for note in self.notes]


def _mostly_chinese(value: str) -> bool:
    han = sum(1 for ch in value if "\u4e00" <= ch <= "\u9fff")
    return han * 2 > len(value.strip("[] "))


def _title_lang(title: str, lang: str) -> str:
    """The language of a source's title when it is not the page's: a Chinese title on an
    English page, an English one (a source printed in English) on a Chinese page."""
    if lang != "zh":
        return "zh-Hans" if _mostly_chinese(title) else ""
    return "en" if title and not any(_is_han(ch) for ch in title) else ""


def _is_han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


class Extra:
    """A view whose other declared columns a template reads by name too (`fig.metric`):
    Jinja looks an attribute up as an item when the view has no such field."""

    __slots__ = ()

    def __getitem__(self, name: str) -> Any:
        return self.extra[name]  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class SourceView(Extra):
    """A document of the citation list as pages show it (docs/editing.md, "Citations"): each
    field "" when the declaration has no such column; the others in `extra`."""

    id: str
    title: Any = ""
    publisher: Any = ""
    date: Any = ""
    url: Any = ""
    kind: Any = ""
    kind_name: Any = ""
    language: Any = ""
    language_name: Any = ""
    note: Any = ""
    title_lang: str = ""
    """The title's language when it is not the page's ("zh-Hans" on an English page)."""
    print_url: str = ""
    """The address as print shows it (short_url)."""
    n: int = 0
    """Its number in a page's list of citations."""
    records: int = 0
    """How many records cite it (the sources page)."""
    extra: dict[str, Any] = field(default_factory=dict)


SOURCE_VIEW = (
    *("id", "title", "publisher", "date", "url", "kind", "kind_name", "language"),
    *("language_name", "note"),
)
"""The fields of a SourceView its row gives; the others are made here."""
SOURCE_VIEW_FIELDS = {f.name for f in fields(SourceView)}


def cited_view(content: Content, source_id: str, lang: str, sources: Any = None) -> SourceView:
    """`source_view` of the document `source_id` (looked up in `sources`, by default the
    citation list's index), made once a language for the whole site: most pages, charts and
    the sources page show the same few. Each reader records what it read."""
    found = content.index(content.citations) if sources is None else sources
    # the record is looked up inside: its key is among those each reader records
    make = lambda: source_view(content, found[source_id], lang)  # noqa: E731
    return content.derived(("source-view", lang, source_id), make)


def source_view(content: Content, source: Any, lang: str, n: int = 0) -> SourceView:
    """A document of the citation list as pages show it: its row (text in `lang`, words
    for its codes), with its title's language and its address as print shows it."""
    from ..declared.rows import row_of

    row = row_of(content, content.citations, source, lang)
    shown = {k: "" if v is None else v for k, v in row.items() if k[:1] != "_"}
    key = content.package.resources[content.citations].primary_key
    named = {k: v for k, v in shown.items() if k in SOURCE_VIEW}
    return SourceView(
        **(named | {"id": row[key]}),
        title_lang=_title_lang(shown.get("title", ""), lang),
        print_url=short_url(shown.get("url", "")),
        n=n,
        extra={k: v for k, v in shown.items() if k not in SOURCE_VIEW_FIELDS},
    )


@dataclass(frozen=True, slots=True)
class StatusView:
    """How a record is known, as a template marks it (partials/status-mark.html)."""

    status: str
    status_name: str
    status_label: str
    """The marker's accessible label ("inferred: see note"); "" when reported."""
    uncertain: str


def status_view(record: Any, lang: str, statuses: tuple[str, ...] = ("status",)) -> StatusView:
    """What a template needs to mark a record that is not simply reported: the weakest of its
    statuses, the marker's accessible label ("inferred: see note") and the note. A record
    of a dataset declared without `uncertainty` is reported."""
    known = [getattr(record, k, "reported") for k in statuses]
    weakest = next((status for status in known if status != "reported"), "reported")
    name = label(f"status-{weakest}", lang)
    return StatusView(
        status=weakest,
        status_name=name,
        status_label=label("status-marker", lang) % name if weakest != "reported" else "",
        uncertain=text(getattr(record, "uncertain", None), lang),
    )


def short_url(url: str, limit: int = 40) -> str:
    """An address as print shows it: host and the start of the path, decoded, at most
    `limit` characters ('example.org/news/2024/05/a-long-…')."""
    parts = urlsplit(url)
    host = parts.netloc.removeprefix("www.")
    path = unquote(parts.path).rstrip("/")
    shown = host + path
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


@dataclass(frozen=True, slots=True)
class FigureView(Extra):
    """A quoted record as `{fig:ID}` and `::: callout ID` show it (partials/fig.html and
    partials/callout.html); the columns `quotes.label` names are read by their names."""

    id: str
    value: Any
    label_text: str
    """The callout's words (quotes.words, or the label's columns joined)."""
    period_kind: str | None
    undated: bool
    rank: int | None
    rank_text: str
    rank_ordinal: str
    note: str
    status: str
    status_name: str
    status_label: str
    uncertain: str
    source: str | None
    extra: dict[str, Any]
    """The columns `quotes.label` names, by their names there."""
    cite: Any = None
    """The citation mark of its source on this page ({n, id, href})."""
    status_note: Any = None
    """The link to its status note on this page, or None."""


def figure_view(fig: Any, content: Content, lang: str) -> FigureView:
    """A record as prose and callouts quote it (`quotes:` in datapackage.yaml): from its
    row, so it reads as the charts and downloads have it (its value in words, with unit and
    qualifier), the callout's words under the names `quotes.label` gives them."""
    from ..declared.rows import row_of

    quotes = content.quotes
    row = row_of(content, quotes.dataset, fig, lang)
    resource = content.package.resources[quotes.dataset]
    spans = [f.name for f in resource.fields if f.type == "period"]
    period = getattr(fig, spans[0]) if spans else None  # how a callout says "date not given"
    rank = getattr(fig, "rank", None)
    named = {name: row[column] for name, column in quotes.label.items()}
    undated = bool(period is not None and period.undated)
    status = status_view(fig, lang)
    return FigureView(
        id=fig.id,
        value=row[quotes.value],
        label_text=_callout_words(quotes, named, undated, lang),
        period_kind=period.kind if period is not None else None,
        undated=undated,
        rank=rank,
        rank_text=_ranked(quotes.rank, ordinal(rank, lang), lang) if rank else "",
        rank_ordinal=ordinal(rank, lang) if rank else "",
        note=text(getattr(fig, "note", None), lang),
        status=status.status,
        status_name=status.status_name,
        status_label=status.status_label,
        uncertain=status.uncertain,
        source=getattr(fig, "source", None),
        extra=named,
    )


def _callout_words(quotes: Any, named: dict[str, Any], undated: bool, lang: str) -> str:
    """A callout's words: the declared `quotes.words` (`quotes.undated_words` for a record
    whose source gives no date), `{NAME}` standing for a `label` name's column; else the
    words joined by commas (an undated period's own words say "date not given")."""
    pattern = (quotes.undated_words if undated else None) or quotes.words
    if pattern is None:
        return gettext(lang, ", ").join(str(v) for v in named.values() if v not in (None, ""))
    shown = {name: "" if v is None else str(v) for name, v in named.items()}
    return PLACE.sub(lambda m: shown[m.group(1)], text(pattern, lang))


def _ranked(words: Any, place: str, lang: str) -> str:
    """A rank in the declared words (`quotes.rank`, `{}` for the ordinal), or the ordinal."""
    return text(words, lang).replace("{}", place) if words else place


_MARKS = r'((?:<sup class="status-mark">.*?</sup>)?(?:<sup class="cite">.*?</sup>)?)'


_BEFORE_MEASURE = LazyPattern(r'(<span class="fig">[^<]*</span>)' + _MARKS + "([家个座项位名])")
"""A figure's marks, then the measure word the prose puts after it: 294[19]家."""


_CITE = LazyPattern(r'<sup class="cite"><a href="([^"]*)"[^>]*>[^<]*</a></sup>')


_PROSE = LazyPattern(r"<(p|li)>(.*?)</\1>", re.S)


def tidy_citations(html: str, lang: str) -> str:
    """Citation marks where a reader expects them (Chinese-edition review 3.11): after the
    measure word in Chinese (294家[19], not 294[19]家), and one mark per source in a sentence,
    the last, not one after every figure from the same document."""

    def paragraph(match: re.Match[str]) -> str:
        body = match.group(2)
        if lang == "zh":
            body = _BEFORE_MEASURE.sub(lambda m: m.group(1) + m.group(3) + m.group(2), body)
        stop = "。" if lang == "zh" else ". "
        sentences = [_one_cite_per_source(s) for s in body.split(stop)]
        return f"<{match.group(1)}>{stop.join(sentences)}</{match.group(1)}>"

    return _PROSE.sub(paragraph, html)


def _one_cite_per_source(sentence: str) -> str:
    marks = list(_CITE.finditer(sentence))
    last = {m.group(1): m.start() for m in marks}
    for m in reversed(marks):
        if last[m.group(1)] != m.start():
            sentence = sentence[: m.start()] + sentence[m.end() :]
    return sentence


def _figure_subject(view: FigureView, content: Content, lang: str) -> str:
    """What a status note is about, the callout's words in their declared order: 'Flow,
    River Lea, H1 2023'."""
    return gettext(lang, ", ").join(str(view[name]) for name in content.quotes.label)
