"""Dependencies recorded while a page is made, as Lektor's `record_dependency` does.

While a job's context is built and its template rendered, every read of something an
editor can change records a key in the job's recorder: a dataset or one of its records,
a page's front matter or body, the site settings, a template (each one the environment
hands out, through extends, include and import), a message catalogue, a static asset, a
chart. The preview then re-renders exactly the pages whose recorded keys changed.

The recorder lives in a context variable, so the code that reads needs no recorder passed
along, and reading outside a job records nothing. A recorder is plain data (a set of
strings): a page rendered in another process can send its keys back with its HTML.

Keys (the preview maps each changed file to the keys it changes, see incremental.py):
- `data:NAME` a whole dataset (its order, its membership, any record of it);
- `data:NAME#ID` one record, looked up by id;
- `meta:PATH` / `body:PATH` a page's front matter / its Markdown body;
- `pages` which pages exist;
- `site` the site settings;
- `template:NAME`, `messages:LANG:MSGID`, `asset:NAME`, `chart:LANG:ID`;
- `settled:NAME` a value made from many things of which a reader needs the value only
  (`Content.settled`): it changes only when the value does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

_current: ContextVar[set[str] | None] = ContextVar("tiangong_recorder", default=None)

SITE, PAGES = "site", "pages"


def record(key: str) -> None:
    """Note that the job being made read `key` (nothing happens outside a job)."""
    keys = _current.get()
    if keys is not None:
        keys.add(key)


def record_all(keys: Iterable[str]) -> None:
    current = _current.get()
    if current is not None:
        current.update(keys)


@contextmanager
def recording(passed_on: bool = True) -> Iterator[set[str]]:
    """Record the keys read inside the block into a fresh set, which is yielded. Recorders
    nest: what an inner block read, its outer block read too, unless not `passed_on`."""
    keys: set[str] = set()
    token = _current.set(keys)
    try:
        yield keys
    finally:
        _current.reset(token)
        if passed_on:
            record_all(keys)


def data_key(dataset: str, record_id: str | None = None) -> str:
    return f"data:{dataset}" if record_id is None else f"data:{dataset}#{record_id}"


def template_key(name: str) -> str:
    return f"template:{name}"


def messages_key(lang: str, message: str) -> str:
    """One message of the catalogue of `lang` (`context\x04message` for a message with a
    context, as gettext keys it)."""
    return f"messages:{lang}:{message}"


def asset_key(name: str) -> str:
    return f"asset:{name}"


def chart_key(lang: str, chart_id: str) -> str:
    return f"chart:{lang}:{chart_id}"


def settled_key(key: tuple[str, ...]) -> str:
    return "settled:" + ":".join(key)


def templates_in(keys: Iterable[str]) -> list[str]:
    """The template names among recorded keys."""
    return sorted(k.removeprefix("template:") for k in keys if k.startswith("template:"))


V = TypeVar("V")


class RecordedIndex(Mapping[str, V]):
    """Records of a dataset by id. A lookup (`[id]`, `get`, `in`) records that record only;
    anything that sees them all (iterating, `len`) records the whole dataset."""

    def __init__(self, dataset: str, by_id: dict[str, V]):
        self._dataset, self._by_id = dataset, by_id

    def __getitem__(self, key: str) -> V:
        record(data_key(self._dataset, key))
        return self._by_id[key]

    def __contains__(self, key: object) -> bool:
        record(data_key(self._dataset, str(key)))
        return key in self._by_id

    def __iter__(self) -> Iterator[str]:
        record(data_key(self._dataset))
        return iter(self._by_id)

    def __len__(self) -> int:
        record(data_key(self._dataset))
        return len(self._by_id)


def group_key(dataset: str, field_name: str, value: Any) -> str:
    return f"data:{dataset}.{field_name}={value}"


class RecordedGroups(Mapping[Any, V]):
    """Records of a dataset grouped by one field's value (players by team). Looking up one
    group records that group only; iterating records the whole dataset."""

    def __init__(self, dataset: str, field_name: str, groups: dict[Any, V]):
        self._dataset, self._field, self._groups = dataset, field_name, groups

    def __getitem__(self, value: Any) -> V:
        record(group_key(self._dataset, self._field, value))
        return self._groups[value]

    def __contains__(self, value: object) -> bool:
        record(group_key(self._dataset, self._field, value))
        return value in self._groups

    def __iter__(self) -> Iterator[Any]:
        record(data_key(self._dataset))
        return iter(self._groups)

    def __len__(self) -> int:
        record(data_key(self._dataset))
        return len(self._groups)


class RecordedField:
    """A dataclass field whose every read is recorded under `key(instance)`."""

    def __init__(self, key: Callable[[Any], str]):
        self._key = key

    def __set_name__(self, owner: type, name: str) -> None:
        self._slot = "_" + name

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:  # asked by @dataclass for a default: there is none
            raise AttributeError(self._slot)
        record(self._key(instance))
        return instance.__dict__[self._slot]

    def __set__(self, instance: Any, value: Any) -> None:
        instance.__dict__[self._slot] = value


class RecordedObject:
    """An object given to templates (the site settings) whose attribute reads record `key`."""

    def __init__(self, target: Any, key: str):
        self._target, self._key = target, key

    def __getattr__(self, name: str) -> Any:
        record(self._key)
        return getattr(self._target, name)


class RecordedValues(Mapping[str, V]):
    """Values made outside any job (a chart, its view), each with the keys read to make it:
    a job that reads one records those keys, and `key_of(name)`."""

    def __init__(self, values: dict[str, tuple[V, frozenset[str]]], key_of: Any):
        self._values, self.key_of = values, key_of

    def __getitem__(self, name: str) -> V:
        value, keys = self._values[name]
        record(self.key_of(name))
        record_all(keys)
        return value

    def __contains__(self, name: object) -> bool:
        record(self.key_of(name))
        return name in self._values

    def __iter__(self) -> Iterator[str]:
        for name in self._values:
            record(self.key_of(name))
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


class RecordedList(list):
    """A list made outside any job (a menu) that records the keys it was made from when a
    template looks at it."""

    def __init__(self, items: Iterable[Any], keys: Iterable[str]):
        super().__init__(items)
        self.keys = frozenset(keys)

    def __iter__(self) -> Iterator[Any]:
        record_all(self.keys)
        return super().__iter__()

    def __len__(self) -> int:
        record_all(self.keys)
        return super().__len__()

    def __getitem__(self, index: Any) -> Any:
        record_all(self.keys)
        return super().__getitem__(index)


class RecordedMarkup:
    """Markup a template prints (the inlined stylesheets) that records its keys when printed."""

    def __init__(self, markup: str, keys: Iterable[str]):
        self._markup, self._keys = markup, frozenset(keys)

    def __html__(self) -> str:
        record_all(self._keys)
        return self._markup

    def __str__(self) -> str:
        return self.__html__()
