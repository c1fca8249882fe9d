"""Work on many items in forked worker processes, when there is enough of it to pay.

A build renders every page from one plan; a page's rendering reads the plan and writes
nothing, so pages can be rendered side by side. Workers are forked (not spawned) once the
plan is made: each starts with the parent's memory, content and compiled templates, copied
only where written, and nothing but a shared counter of chunks goes to them. The parent
and its workers each take the next chunk of items from the counter; each process writes
each page into the build's temporary folder as it renders it (as a serial build does, so
the output is the same bytes and the atomic publish, output.py, is unchanged); a worker
sends back what the parent still needs (a page's links and ids, what it
read) down a pipe; the parent keeps the results in the items' order.

Forking costs about 10 ms per worker and each result is pickled back, so small sites are
rendered in the parent (`MIN_ITEMS`). Without the fork start method (Windows), or with
`TIANGONG_WORKERS=1`, everything runs in the parent.
"""

from __future__ import annotations

import gc
import os
import pickle
import signal
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

WORKERS_ENV = "TIANGONG_WORKERS"
"""How many processes render: a number (1: all in the parent); by default, one per core."""
MIN_ITEMS = 2000
"""Fewer items than this are worked on in the parent alone. Measured on two shared cores
(peers workload, bench/README.md), the parent and one worker against the parent alone: at
1,000 pages the wall time fell to 0.83 at load 3, but rose to 1.11 at load 5 to 7, with
0.06 s more processor time; at 10,000 pages the worker pays at any load seen. Again once
a page cost a third as much (Debian's Python 3.11): at 1,000 pages 0.87 and 1.17 of the
wall time in two runs at load 7 to 16, at 2,000 pages 1.13 (processor time 1.07), at
10,000 pages 0.92 (processor time 1.16)."""
CHUNK = 64
"""Items per task: small enough to share the work out evenly, large enough that each
result's trip back is one pickle, not 64."""


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
    """work(item) for every item, in order, in `processes` processes (1: in this one): this
    one and processes - 1 forked workers, taking chunks of items from one shared counter.
    `work` may be any function, closures too: workers are forked with it. Its results must
    pickle. `done(n)` is told how many items are finished, as chunks finish.

    An exception in a worker is raised here, as a RuntimeError naming it."""
    if processes <= 1 or len(items) < 2:
        for i, item in enumerate(items):
            yield work(item)
            if done is not None:
                done(i + 1)
        return
    yield from _Shared(work, items, processes - 1, done).run()


class _Shared:
    """One run of `mapped` in this process and forked workers.

    This process renders too, rather than wait: a worker costs processor time for every
    page of the parent's memory it touches (copy on write: reference counts), so one worker
    beside the parent costs half of what two did, and the parent's cores are used either way.
    Chunks are handed out by a counter in shared memory, so a process slowed by the load of
    the machine takes fewer of them; workers send each chunk's results down a pipe, which
    this process empties between its own chunks."""

    def __init__(
        self,
        work: Callable[[Any], Any],
        items: Sequence[Any],
        forks: int,
        done: Callable[[int], None] | None,
    ):
        import multiprocessing

        context = multiprocessing.get_context("fork")
        self.work, self.items, self.forks, self.done = work, items, forks, done
        self.chunks = [(s, min(s + CHUNK, len(items))) for s in range(0, len(items), CHUNK)]
        self.counter = context.RawValue("i", 0)
        self.lock = context.Lock()
        self.results: dict[int, list[Any]] = {}
        self.finished = 0

    def run(self) -> Iterator[Any]:
        _release_free_memory()
        gc.freeze()  # what exists is shared: the parent's collections skip it from now on
        children: dict[int, tuple[int, bytearray]] = {}  # pipe -> (pid, bytes not yet read)
        try:
            for _ in range(self.forks):
                pipe, pid = self._fork()
                children[pipe] = (pid, bytearray())
            while (chunk := self._claim()) is not None:
                self._finish(chunk, self._own(chunk))
                self._receive(children, wait=False)
            while children:
                self._receive(children, wait=True)
        finally:
            _stop(children)
        for chunk in range(len(self.chunks)):
            yield from self.results.pop(chunk)

    def _claim(self) -> int | None:
        """The next chunk nobody took, or None."""
        with self.lock:
            chunk = self.counter.value
            self.counter.value = chunk + 1
        return chunk if chunk < len(self.chunks) else None

    def _own(self, chunk: int) -> list[Any]:
        """A chunk worked on here; an exception is raised as a worker's would be."""
        try:
            return self._chunk(chunk)
        except Exception as exc:
            raise RuntimeError(f"an item failed: {type(exc).__name__}: {exc}") from exc

    def _chunk(self, chunk: int) -> list[Any]:
        return [self.work(self.items[i]) for i in range(*self.chunks[chunk])]

    def _finish(self, chunk: int, results: list[Any]) -> None:
        self.results[chunk] = results
        self.finished += len(results)
        if self.done is not None:
            self.done(self.finished)

    def _fork(self) -> tuple[int, int]:
        """A worker that renders chunks until none is left; its pipe's end and process id."""
        read, write = os.pipe()
        pid = os.fork()
        if pid:
            os.close(write)
            return read, pid
        os.close(read)  # the worker: never returns to the caller's code
        code = 1
        try:
            gc.disable()  # it lives for one build; its garbage is freed when it exits
            with os.fdopen(write, "wb") as pipe:
                while (chunk := self._claim()) is not None:
                    try:
                        message: Any = (chunk, self._chunk(chunk))
                    except Exception as exc:  # sent whole, it would need to pickle
                        message = (chunk, _Failed(exc))
                    _send(pipe, message)
                    if isinstance(message[1], _Failed):
                        break
            code = 0
        finally:
            os._exit(code)

    def _receive(self, children: dict[int, tuple[int, bytearray]], wait: bool) -> None:
        """Read what the workers sent, waiting for some if `wait`; a worker that closed its
        pipe is reaped."""
        import select

        ready, _, _ = select.select(list(children), [], [], None if wait else 0)
        for pipe in ready:
            pid, pending = children[pipe]
            data = os.read(pipe, 1 << 20)
            pending += data
            for chunk, results in _messages(pending):
                if isinstance(results, _Failed):
                    raise RuntimeError(f"a worker process failed: {results.message}")
                self._finish(chunk, results)
            if not data:
                del children[pipe]
                os.close(pipe)
                if os.waitpid(pid, 0)[1] != 0 or pending:
                    raise RuntimeError("a worker process failed: it ended before its work")


def _send(pipe: Any, message: Any) -> None:
    data = pickle.dumps(message, pickle.HIGHEST_PROTOCOL)
    pipe.write(len(data).to_bytes(8, "little") + data)
    pipe.flush()


def _messages(pending: bytearray) -> Iterator[Any]:
    """The whole messages at the start of `pending`, removed from it."""
    while len(pending) >= 8:
        size = int.from_bytes(pending[:8], "little")
        if len(pending) < 8 + size:
            return
        message = pickle.loads(pending[8 : 8 + size])
        del pending[: 8 + size]
        yield message


def _stop(children: dict[int, tuple[int, bytearray]]) -> None:
    """End and reap the workers still running (after an error here or in one of them)."""
    for pipe, (pid, _) in children.items():
        os.close(pipe)
        try:
            os.kill(pid, signal.SIGTERM)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass


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
    """What a worker sends back instead of a chunk's results when `work` raised."""

    def __init__(self, exc: Exception):
        import traceback

        self.message = f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}"
