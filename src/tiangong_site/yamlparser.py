"""The strict YAML parser behind loader.py (see its docstring for why it is our own).

A module of its own so that PyYAML, which costs a build 10 ms to import, is imported only
when a file must be parsed: a build whose files are all in the memo of parsed files
(loader.remembered) never imports it.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
import yaml.cyaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from .cjk import LazyPattern
from .errors import ContentError, Problem
from .limits import MAX_DEPTH, MAX_ITEMS, MAX_KEYS
from .loader import LoadedFile, PathKey, Position


class _StrictResolver(yaml.resolver.Resolver):
    """YAML 1.1 resolver without timestamps and with only true/false booleans."""


_StrictResolver.yaml_implicit_resolvers = {
    first: [
        (tag, regexp)
        for tag, regexp in resolvers
        if tag not in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool")
    ]
    for first, resolvers in yaml.resolver.Resolver.yaml_implicit_resolvers.items()
}
_StrictResolver.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


class _MemoResolver(_StrictResolver):
    """Remembers how each plain scalar resolved: content repeats the same few values
    (ids, units, years) thousands of times, and resolving is a loop of regexes."""

    _memo: dict[tuple[str, bool], str] = {}

    def resolve(self, kind: type, value: Any, implicit: Any) -> str:  # type: ignore[override]
        if kind is ScalarNode and implicit[0] and len(value) < 64:
            key = (value, implicit[1])
            tag = self._memo.get(key)
            if tag is None:
                tag = super().resolve(kind, value, implicit)
                if len(self._memo) < 100_000:
                    self._memo[key] = tag
            return tag
        return super().resolve(kind, value, implicit)


class _PyStrictLoader(
    yaml.reader.Reader,
    yaml.scanner.Scanner,
    yaml.parser.Parser,
    yaml.composer.Composer,
    yaml.constructor.SafeConstructor,
    _MemoResolver,
):
    """Pure-Python fallback, used where PyYAML was built without libyaml."""

    def __init__(self, stream: str) -> None:
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        yaml.composer.Composer.__init__(self)
        yaml.constructor.SafeConstructor.__init__(self)
        _StrictResolver.__init__(self)


if getattr(yaml, "__with_libyaml__", False):

    class _CStrictLoader(yaml.cyaml.CParser, yaml.constructor.SafeConstructor, _MemoResolver):  # type: ignore[name-defined, misc]
        """libyaml's parser (about ten times faster), with our resolver and constructor."""

        def __init__(self, stream: str) -> None:
            yaml.cyaml.CParser.__init__(self, stream)  # type: ignore[attr-defined]
            yaml.constructor.SafeConstructor.__init__(self)
            _StrictResolver.__init__(self)

    _StrictLoader: type = _CStrictLoader
else:  # pragma: no cover
    _StrictLoader = _PyStrictLoader


class _Refused(Exception):
    def __init__(self, mark: yaml.Mark, message: str, hint: str):
        self.mark, self.message, self.hint = mark, message, hint


_PLAIN_TAGS = {f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null")}
_STR, _SEQ, _MAP = "tag:yaml.org,2002:str", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"
_DISALLOWED = LazyPattern(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)
"""Characters YAML does not allow in a file (control characters)."""


def _pos(mark: yaml.Mark) -> Position:
    return mark.line + 1, mark.column + 1


def _shown_tag(tag: str) -> str:
    return tag.replace("tag:yaml.org,2002:", "!!")


class _Frame:
    """A list or mapping being built, with its key path; for a mapping, the key awaiting a value."""

    __slots__ = ("value", "key", "name")

    def __init__(self, value: list[Any] | dict[str, Any], key: PathKey):
        self.value, self.key, self.name = value, key, None


def _scalar(loader: Any, event: yaml.ScalarEvent) -> Any:
    tag = event.tag
    if tag is None or tag == "!":
        tag = loader.resolve(ScalarNode, event.value, event.implicit)
    if tag == _STR:
        return event.value
    if tag not in _PLAIN_TAGS:
        raise _Refused(
            event.start_mark,
            f"YAML tags such as {_shown_tag(tag)} are not allowed",
            "remove the tag and write a plain value",
        )
    node = ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
    try:
        return loader.yaml_constructors[tag](loader, node)
    except yaml.constructor.ConstructorError as exc:
        raise _Refused(
            event.start_mark, f"cannot read value: {exc.problem}", "write a plain value"
        ) from exc


def _collection(loader: Any, event: yaml.NodeEvent, depth: int) -> list[Any] | dict[str, Any]:
    """A new, empty list or mapping for a start event, refused past the nesting limit."""
    is_seq = isinstance(event, yaml.SequenceStartEvent)
    tag = event.tag
    if tag is None or tag == "!":
        tag = loader.resolve(SequenceNode if is_seq else MappingNode, None, event.implicit)
    if tag != (_SEQ if is_seq else _MAP):
        raise _Refused(
            event.start_mark,
            f"YAML tags such as {_shown_tag(tag)} are not allowed",
            "remove the tag",
        )
    if depth >= MAX_DEPTH:
        raise _Refused(
            event.start_mark,
            f"lists and mappings are nested more than {MAX_DEPTH} levels deep",
            "content is never nested this deep: check the brackets and indentation",
        )
    return [] if is_seq else {}


def _set_key(frame: _Frame, event: yaml.Event, out: LoadedFile) -> None:
    """The scalar `event` is a key of the mapping `frame`: check it and await its value."""
    if not isinstance(event, yaml.ScalarEvent):
        raise _Refused(event.start_mark, "a key must be a plain word", "use `name: value`")
    if event.tag == "tag:yaml.org,2002:merge" or (event.value == "<<" and event.implicit[0]):
        raise _Refused(
            event.start_mark, "merge keys (<<) are not allowed", "write the fields out in full"
        )
    name, mapping = str(event.value), frame.value
    if name in mapping:
        first = out.positions[frame.key + (name,)]
        raise _Refused(
            event.start_mark,
            f"duplicate key '{name}' (first given on line {first[0]})",
            "keep one of the two and delete the other",
        )
    if len(mapping) >= MAX_KEYS:
        raise _Refused(
            event.start_mark,
            f"more than {MAX_KEYS:,} keys in one mapping",
            "a record has a few dozen fields at most: check the indentation",
        )
    out.positions[frame.key + (name,)] = _pos(event.start_mark)
    frame.name = name


def _build(loader: Any, out: LoadedFile) -> Any:
    """Plain data from the parser's events, without recursion. Limits are checked as each event
    arrives, so a file nested too deep or with too many keys is refused before it is built."""
    stack: list[_Frame] = []
    root: Any = None
    loader.get_event()  # stream start
    if isinstance(loader.get_event(), yaml.StreamEndEvent):
        return None
    while True:
        event = loader.get_event()
        if isinstance(event, yaml.DocumentEndEvent):
            break
        top = stack[-1] if stack else None
        if isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            value = stack.pop().value
            top = stack[-1] if stack else None
        else:
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise _Refused(
                    event.start_mark,
                    "anchors and aliases (&name, *name) are not allowed in content",
                    "write the value out in full",
                )
            if top is not None and isinstance(top.value, dict) and top.name is None:
                _set_key(top, event, out)
                continue
            if top is None:
                key: PathKey = ()
            elif isinstance(top.value, list):
                if len(top.value) >= MAX_ITEMS:
                    raise _Refused(
                        event.start_mark,
                        f"more than {MAX_ITEMS:,} items in one list",
                        "split the list",
                    )
                key = top.key + (len(top.value),)
            else:
                key = top.key + (top.name,)
            out.positions.setdefault(key, _pos(event.start_mark))
            if not isinstance(event, yaml.ScalarEvent):
                stack.append(_Frame(_collection(loader, event, len(stack)), key))
                continue
            value = _scalar(loader, event)
            if isinstance(value, float) and "." in event.value and "e" not in event.value.lower():
                out.decimals[key] = len(event.value.rsplit(".", 1)[1].strip())
        if top is None:
            root = value
        elif isinstance(top.value, list):
            top.value.append(value)
        else:
            top.value[top.name] = value
            top.name = None
    event = loader.get_event()
    if not isinstance(event, yaml.StreamEndEvent):
        raise _Refused(
            event.start_mark,
            "a second YAML document in the same file",
            "remove the second `---` and what follows, or merge it into the first",
        )
    return root


def _refuse_characters(text: str, path: str) -> None:
    bad = _DISALLOWED.search(text)
    if bad:
        start = text.rfind("\n", 0, bad.start()) + 1
        line, col = text.count("\n", 0, bad.start()) + 1, bad.start() - start + 1
        message = f"control character U+{ord(bad.group()):04X} is not allowed in YAML"
        raise ContentError(
            [
                Problem(
                    path, line, col, message, "delete it; it is often invisible, so retype the line"
                )
            ]
        )


def parse(text: str, path: str) -> LoadedFile:
    """Parse one YAML document strictly. Raises ContentError with a located problem."""
    _refuse_characters(text, path)
    out = LoadedFile(path=path, data=None)
    loader = _StrictLoader(text)
    try:
        out.data = _build(loader, out)
    except _Refused as exc:
        line, col = exc.mark.line + 1, exc.mark.column + 1
        raise ContentError([Problem(path, line, col, exc.message, exc.hint)]) from None
    except yaml.MarkedYAMLError as exc:
        raise ContentError([parser_problem(exc, text, path)]) from None
    except yaml.YAMLError as exc:
        raise ContentError(
            [Problem(path, 1, 1, f"malformed YAML: {exc}", "check the file's encoding and syntax")]
        ) from None
    finally:
        loader.dispose()
    return out


_PLAIN_WORDS: list[tuple[str, str, str]] = [
    # (what libyaml says, what it means, how to fix it)
    (
        "tab character",
        "a tab character: YAML indents with spaces only",
        "replace the tab with spaces",
    ),
    (
        "character '\\t'",
        "a tab character: YAML indents with spaces only",
        "replace the tab with spaces",
    ),
    (
        "mapping values are not allowed",
        "a `:` that YAML cannot read here: this line is indented more than the field above it, "
        "or its text holds `: ` and needs quotes",
        'indent the line like the field above it, or put the text in double quotes: "…"',
    ),
    (
        "flow mapping",
        "a `{…}` that is not closed where YAML expects: a `}` is missing, or a text inside "
        "holds `: `, `,` or `}` and needs quotes",
        'write it as {en: "…", zh: "…"}, each text in double quotes',
    ),
    (
        "flow sequence",
        "a `[…]` that is not closed where YAML expects: a `]` is missing, or an item holds "
        "`,` or `]` and needs quotes",
        'write it as [a, b], quoting any item with punctuation: ["…", "…"]',
    ),
    (
        "block collection",
        "a line that does not fit the list: each record starts with `- ` in the same column",
        "line up the `- ` of this record with the others, and its fields two spaces in",
    ),
    (
        "could not find expected ':'",
        "a line with no `name: value`",
        "add `: value`, or join it to the line above; a long text goes in double quotes",
    ),
    (
        "did not find expected key",
        "a line that does not fit the record above it",
        "check this line's indentation, and the quotes on the lines above",
    ),
]
_OPENING_QUOTE = LazyPattern(r"""^\s*(?:-\s+)?(?:[^\s:#"'][^:#]*:\s+)?(["'])""")


def _unclosed_quote(lines: list[str], last: int) -> tuple[int, int] | None:
    """(line, column) of the nearest value at or above line `last` (0-based) that opens a
    quote and does not close it on its line: where a quote YAML read too far began."""
    for number in range(last, max(-1, last - 50), -1):
        match = _OPENING_QUOTE.match(lines[number])
        if not match:
            continue
        quote, rest = match.group(1), lines[number][match.end() :]
        closed = re.search(r'(?<!\\)"' if quote == '"' else r"'(?!')", rest.replace("''", ""))
        if not closed:
            return number + 1, match.start(1) + 1
    return None


def parser_problem(exc: yaml.MarkedYAMLError, text: str, path: str) -> Problem:
    """libyaml's complaint in plain words, at the line to fix: where a runaway quote opened,
    not the line where YAML noticed."""
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    said = f"{exc.context}, {exc.problem}" if exc.context else (exc.problem or "")
    if exc.context == "while scanning a quoted scalar" and exc.context_mark:
        where = exc.context_mark
        return Problem(
            path,
            where.line + 1,
            where.column + 1,
            "malformed YAML: this quote is never closed",
            "close the text with the same quote it opens with",
        )
    if "expected" in said and mark is not None:
        opened = _unclosed_quote(text.splitlines(), mark.line)
        if opened:
            hint = (
                "close the text with the same quote on this line; "
                f"YAML read on to the next quote, at line {line}"
            )
            return Problem(
                path,
                opened[0],
                opened[1],
                "malformed YAML: a quote opened here is not closed",
                hint,
            )
    if exc.context == "while scanning a simple key" and exc.context_mark:
        line, col = exc.context_mark.line + 1, exc.context_mark.column + 1
    for raw, meaning, hint in _PLAIN_WORDS:
        if raw in said:
            return Problem(path, line, col, f"malformed YAML: {meaning}", hint)
    return Problem(
        path,
        line,
        col,
        f"malformed YAML: {said or 'unreadable'}",
        "check indentation, colons and quotes on this line and the one above",
    )
