"""Work on many items in forked worker processes, when there is enough of it to pay.

A build renders every page from one plan; a page's rendering reads the plan and writes
nothing, so pages can be rendered side by side. Workers are forked (not spawned) once the
plan is made: each starts with the parent's memory, content and compiled templates, copied
only where written, and nothing but small task numbers goes to them. Each renders chunks
of the items, writes each page into the build's temporary folder as it renders it (as a
serial build does, so the output is the same bytes and the atomic publish, output.py, is
unchanged) and sends back what the parent still needs (a page's links and ids, what it
read); the parent keeps the results in the items' order.

Forking costs about 10 ms per worker and each result is pickled back, so small sites are
rendered in the parent (`MIN_ITEMS`). Without the fork start method (Windows), or with
`TIANGONG_WORKERS=1`, everything runs in the parent.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

WORKERS_ENV = "TIANGONG_WORKERS"
"""How many processes render: a number (1: all in the parent); by default, one per core."""
MIN_ITEMS = 2000
"""Fewer items than this are worked on in the parent. Measured on two shared cores (peers
workload, bench/README.md): at 1,000 pages two workers cost 0.06 s more processor time than
the second core saved; at 10,000 they took the wall time to 0.83 of one process's."""
CHUNK = 64
"""Items per task: small enough to share the work out evenly, large enough that each
result's trip back is one pickle, not 64."""

_TASK: list[tuple[Callable[[Any], Any], Sequence[Any]]] = []
"""The work of the pool in progress: set before the fork, so workers inherit it."""


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def planned(items: int) -> int:
    """How many processes to use for `items` items: TIANGONG_WORKERS, or one per core when
    there are at least MIN_ITEMS of them and this system can fork; else 1."""
    import multiprocessing

    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    given = os.environ.get(WORKERS_ENV, "").strip()
    if given.isdigit() and int(given) >= 1:
        return min(int(given), max(items, 1))
    return cores() if items >= MIN_ITEMS else 1


def mapped(
    work: Callable[[Item], Result],
    items: Sequence[Item],
    processes: int,
    done: Callable[[int], None] | None = None,
) -> Iterator[Result]:
    """work(item) for every item, in order, in `processes` processes (1: in this one).
    `work` may be any function, closures too: workers are forked with it. Its results must
    pickle. `done(n)` is told how many items are finished, as chunks come back.

    An exception in a worker is raised here, as a RuntimeError naming it."""
    if processes <= 1 or len(items) < 2:
        for i, item in enumerate(items):
            yield work(item)
            if done is not None:
                done(i + 1)
        return
    import multiprocessing

    chunks = [(start, min(start + CHUNK, len(items))) for start in range(0, len(items), CHUNK)]
    _TASK.append((work, items))
    _release_free_memory()
    try:
        context = multiprocessing.get_context("fork")
        with context.Pool(processes, initializer=_quiet_collector) as pool:
            finished = 0
            for results in pool.imap(_run_chunk, chunks):
                if isinstance(results, _Failed):
                    raise RuntimeError(f"a worker process failed: {results.message}")
                finished += len(results)
                if done is not None:
                    done(finished)
                yield from results
    finally:
        _TASK.clear()


def _release_free_memory() -> None:
    """Give the memory the C library keeps freed back to the system before forking: what
    planning made and dropped (download texts, the sitemap's tree) would otherwise stay
    mapped in every worker too, and count in each one's resident memory (glibc only)."""
    import ctypes

    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (AttributeError, OSError):  # another C library: nothing to give back this way
        pass


class _Failed:
    """What a worker sends back instead of results when `work` raised."""

    def __init__(self, message: str):
        self.message = message


def _quiet_collector() -> None:
    """A worker lives for one build: what it inherited is frozen, its own garbage is freed
    when it exits."""
    gc.freeze()
    gc.disable()


def _run_chunk(bounds: tuple[int, int]) -> list[Any] | _Failed:
    work, items = _TASK[-1]
    try:
        return [work(items[i]) for i in range(*bounds)]
    except Exception as exc:  # sent back whole would need the exception to pickle
        import traceback

        return _Failed(f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}")
