"""The speed machinery, in one place, so the layers above read as rules and records.

Nothing here changes a result: each tool trades memory or processes for time on
large registers, and the tests check that results are the same with and without it.

- :func:`cyclic_gc_paused`: the cycle collector off while acyclic records are built;
- :func:`memoised`: a bounded memo of a pure function of text (register text repeats);
- :class:`BoundedMemo`: a named memo dictionary that empties itself at a size limit;
- :func:`new_spans`: many :class:`~dataflow_graph.errors.Span` made without the frozen ``__init__``;
- :func:`fork_map`: independent jobs shared by this process and forked workers.
"""

from __future__ import annotations

import concurrent.futures
import functools
import gc
import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar, cast

from .errors import Span

__all__ = ["BoundedMemo", "cyclic_gc_paused", "fork_map", "memoised", "new_spans"]

F = TypeVar("F", bound=Callable[..., object])
Job = TypeVar("Job")
Result = TypeVar("Result")


def memoised(maxsize: int) -> Callable[[F], F]:
    """Remember up to ``maxsize`` results of a pure function (least recently used dropped)."""
    return cast("Callable[[F], F]", functools.lru_cache(maxsize=maxsize))


class BoundedMemo(dict[object, object]):
    """A memo dictionary emptied whole when it passes ``limit`` entries (cheaper than LRU)."""

    __slots__ = ("limit",)

    def __init__(self, limit: int = 200_000) -> None:
        super().__init__()
        self.limit = limit

    def remember(self, key: object, value: object) -> object:
        """Store and return ``value``, emptying the memo first when it is full."""
        if len(self) > self.limit:
            self.clear()
        self[key] = value
        return value


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Pause Python's cycle collector while records are built, then restore its state.

    Parsing makes one span per line and the records form no reference cycles, so the
    collector has nothing to free; left on, it rescans the whole growing heap of
    records already read (about a third of the parse time on a large register).

    On the way out, if a collection has come due, the objects made are scanned once
    and moved to the oldest generation (``gc.collect(1)``), as the passes skipped would
    have done; otherwise the next young and middle collections would scan them all
    again, and so would every forked worker, copying their pages.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        if gc.get_count()[0] > gc.get_threshold()[0]:
            gc.collect(1)


_new_span = Span.__new__
_set_path, _set_line, _set_col, _set_text = (Span.__dict__[f].__set__ for f in ("path", "line", "col", "text"))


def new_spans(source: str, line: int, text: str) -> tuple[Span, ...]:
    """``Span(source, line, 1, part)`` for each line of ``text``, without the frozen ``__init__``.

    A statement cell has dozens of lines and a workbook some 75,000; filling the slots
    directly makes the same (equal, frozen) spans in about half the time.
    """
    out = []
    for part in text.split("\n"):
        span = _new_span(Span)
        _set_path(span, source)
        _set_line(span, line)
        _set_col(span, 1)
        _set_text(span, part)
        out.append(span)
    return tuple(out)


def fork_map(work: Callable[[Job], Result], jobs: Sequence[Job]) -> list[Result]:
    """``[work(job) for job in jobs]``: the first job in this process, each other in a forked worker.

    The workers are forked, so ``work`` and all it reads (a closure over a whole register)
    reach them without being pickled; only the jobs and their results travel.  With one job,
    or where processes cannot be forked, every job runs here, in order.  The cycle collector
    stays off meanwhile (:func:`cyclic_gc_paused`): a pass started on the pool's own thread
    could free objects that must be freed on this one (Oxigraph's), and forked workers copy
    fewer pages.

    >>> fork_map(len, ["a", "bb", "ccc"])
    [1, 2, 3]
    """
    if len(jobs) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return [work(job) for job in jobs]
    context = multiprocessing.get_context("fork")
    with (
        cyclic_gc_paused(),
        concurrent.futures.ProcessPoolExecutor(
            len(jobs) - 1, mp_context=context, initializer=_receive_work, initargs=(work,)
        ) as pool,
    ):
        futures = [pool.submit(_forked_work, job) for job in jobs[1:]]
        here = work(jobs[0])
        return [here, *(future.result() for future in futures)]


#: In a worker of :func:`fork_map`: the function it applies (set by the pool's initializer).
_work: Callable[[Any], Any] | None = None


def _receive_work(work: Callable[[Any], Any]) -> None:
    """Keep the function this worker applies (the pool's initializer, run once per worker)."""
    global _work
    _work = work


def _forked_work(job: Any) -> Any:
    """One job, in a worker."""
    assert _work is not None
    return _work(job)
