"""The speed machinery, in one place, so the layers above read as rules and records.

Nothing here changes a result: each tool trades memory or processes for time on
large registers, and the tests check that results are the same with and without it.

- :func:`cyclic_gc_paused`: the cycle collector off while acyclic records are built;
- :func:`memoised`: a bounded memo of a pure function of text (register text repeats);
- :class:`BoundedMemo`: a named memo dictionary that empties itself at a size limit;
- :func:`new_spans`: many :class:`~dataflow_graph.errors.Span` made without the frozen ``__init__``;
- :func:`fork_pool_map`: many small chunks of one list over forked processes, this one included,
  taking the chunks no worker has started (work stealing): flow extraction, and
  the RDF build, whose groups of agreement graphs balance this process's own part (``first``);
- :class:`HandBack`: a worker's large bytes handed back through an unnamed file, not the pool's pipe;
- :func:`positional`: a frozen record's constructor for positional calls, its field order checked once;
- :func:`slot_setters`: the raw slot setters that fill a frozen record made with ``__new__``;
- :func:`field_setters`: the same for every field of a record, checked once;
- :func:`replacer`: ``dataclasses.replace`` of some fields of a frozen record, without its ``__init__``;
- :func:`cell_section`: a :class:`~dataflow_graph.model.Section` of one cell whose line spans are made
  on first use;
- :func:`page_section`: a section of a page, its line spans made on first use too;
- :func:`record_dumps`: a value pickled with its records as the tuples of their fields, each
  filled back by one generated function a class (:func:`filler`): the load cache's files, and
  the flows a fork pool's worker hands back.
"""

from __future__ import annotations

import copyreg
import dataclasses
import functools
import gc
import inspect
import io
import itertools
import operator
import pickle
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from operator import attrgetter
from types import FunctionType
from typing import Any, BinaryIO, ClassVar, Protocol, TypeVar, cast

from . import _lifetime
from .errors import Span
from .model import Section

__all__ = [
    "BoundedMemo",
    "HandBack",
    "cell_section",
    "cyclic_gc_paused",
    "field_setters",
    "filler",
    "fork_pool_map",
    "line_texts",
    "memoised",
    "memory_file",
    "new_spans",
    "page_section",
    "positional",
    "record_dumps",
    "replacer",
    "slot_setters",
    "unnamed_file",
]

F = TypeVar("F", bound=Callable[..., object])


class _Dataclass(Protocol):
    """Any dataclass (what :func:`dataclasses.fields` takes)."""

    __dataclass_fields__: ClassVar[dict[str, dataclasses.Field[Any]]]


Rec = TypeVar("Rec", bound=_Dataclass)
#: A slot's raw ``__set__``: (record, value) -> None.
Setter = Callable[[object, object], None]


def memoised(maxsize: int) -> Callable[[F], F]:
    """Remember up to ``maxsize`` results of a pure function (least recently used dropped)."""
    return cast("Callable[[F], F]", functools.lru_cache(maxsize=maxsize))


K = TypeVar("K")
V = TypeVar("V")


class BoundedMemo(dict[K, V]):
    """A memo dictionary emptied whole when it passes ``limit`` entries (cheaper than LRU)."""

    __slots__ = ("limit",)

    def __init__(self, limit: int = 200_000) -> None:
        super().__init__()
        self.limit = limit

    def remember(self, key: K, value: V) -> V:
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

    On the way out, the objects made are moved to the oldest generation without a scan
    (``gc.freeze()`` then ``gc.unfreeze()``, each a splice of lists), as the passes
    skipped would have moved them; otherwise the next young and middle collections would
    scan them all again, and so would every forked worker, copying their pages.
    Scanning them there (``gc.collect(1)``) found nothing to free but took about a tenth
    of a second per hundred thousand records (0.1 s of a 0.8 s convergence, 0.35 s of
    reading 10k pages).  The few cycles made meanwhile (worker pools' bookkeeping: a
    hundred objects) wait for the next full collection.  When something else has frozen
    objects (unfreezing would hand them back to the collector) the young generations are
    scanned as before, if a collection has come due.  In a ``dfg`` process the records
    are frozen out of every later scan instead, with no scan first
    (:mod:`dataflow_graph._lifetime`).
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        if _lifetime.records_live_to_exit:
            gc.freeze()  # see dataflow_graph._lifetime
        elif not gc.get_freeze_count():
            gc.freeze()
            gc.unfreeze()  # everything now in the oldest generation, unscanned
        elif gc.get_count()[0] > gc.get_threshold()[0]:
            gc.collect(1)


def positional(record: type[Rec], order: Sequence[str]) -> type[Rec]:
    """``record`` itself, for calls that pass every field by position, in ``order``.

    A dataclass ``__init__`` called by position skips matching keywords (a third faster
    for a :class:`~dataflow_graph.model.Release` of 18 fields, made once per released
    file), but a reordered field would then silently take another's value.  The order
    is checked here, once, when the caller's module is imported.

    >>> from dataflow_graph.errors import Span
    >>> positional(Span, ("path", "line", "col", "text"))("p.txt", 3, 1, "x")
    Span(path='p.txt', line=3, col=1, text='x')
    >>> positional(Span, ("line", "path", "col", "text"))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ImportError: Span fields are ('path', 'line', ...), not ('line', 'path', ...): update the positional calls
    """
    names = tuple(f.name for f in dataclasses.fields(record))
    if names != tuple(order):
        raise ImportError(f"{record.__name__} fields are {names}, not {tuple(order)}: update the positional calls")
    return record


def slot_setters(cls: type, *names: str) -> tuple[Setter, ...]:
    """The raw setters of the slots ``names`` of ``cls``, past a frozen record's ``__setattr__``.

    Only for a record made with ``cls.__new__`` and filled before anyone else sees it.
    """
    return tuple(cls.__dict__[name].__set__ for name in names)


def field_setters(record: type, order: Sequence[str]) -> tuple[Setter, ...]:
    """The raw setters of every field of a frozen record, in ``order``, for code that makes
    many records with ``record.__new__`` and fills each slot in one call per field.

    A frozen ``__init__`` sets each field through ``object.__setattr__``: three times the
    cost of the raw setters (1.7 against 0.5 us for a 7-field record), which counts where
    tens of thousands are made per query.  Checked here, once: ``order`` names every field,
    and the ``__init__`` does nothing but set them (no ``__post_init__``, no ``InitVar``).

    >>> from dataflow_graph.errors import Span
    >>> path, line, col, text = field_setters(Span, ("path", "line", "col", "text"))
    >>> span = Span.__new__(Span); path(span, "p.txt"); line(span, 3); col(span, 1); text(span, "x")
    >>> span == Span("p.txt", 3, 1, "x")
    True
    """
    fields = tuple(f.name for f in dataclasses.fields(record))
    params = tuple(inspect.signature(record).parameters)
    if sorted(order) != sorted(fields) or len(set(order)) != len(order):
        raise TypeError(f"{record.__name__}: {tuple(order)} are not its fields {fields}")
    if hasattr(record, "__post_init__") or params != fields:
        raise TypeError(f"{record.__name__}.__init__ does more than set its fields {fields}")
    return slot_setters(record, *order)


#: ``f(*args)``: ``operator.call`` (Python 3.11), a C function, else the same in Python
_call: Callable[..., object] = getattr(operator, "call", None) or (lambda f, *args: f(*args))


def replacer(record: type[Rec], *changed: str) -> Callable[..., Rec]:
    """``make(rec, *values)``: ``dataclasses.replace(rec, **dict(zip(changed, values)))`` for a
    frozen record with slots, filled through its slot setters instead of its ``__init__``.

    ``replace`` gathers every field by name and calls the frozen ``__init__`` with keywords,
    which sets each field through ``object.__setattr__``; where many copies are made (each
    flow numbered, each remembered hop given its sentence) that is several times the cost
    of copying the slots.  Only for records whose ``__init__`` does nothing but set fields
    (no ``__post_init__``, no ``InitVar``), checked here, once.

    >>> from dataflow_graph.errors import Span
    >>> replacer(Span, "col")(Span("p.txt", 3, 1, "x"), 5)
    Span(path='p.txt', line=3, col=5, text='x')
    """
    fields = tuple(f.name for f in dataclasses.fields(record))
    unknown = [name for name in changed if name not in fields]
    if unknown or len(set(changed)) != len(changed):
        raise TypeError(f"{record.__name__} has no fields {unknown} (or one is named twice)")
    params = tuple(inspect.signature(record).parameters)
    if hasattr(record, "__post_init__") or params != fields:
        raise TypeError(f"{record.__name__}.__init__ does more than set its fields {fields}")
    kept = tuple(name for name in fields if name not in changed)
    if len(kept) < 2:
        raise TypeError(f"{record.__name__}: a copy that keeps under two fields is better made by its constructor")
    setters = slot_setters(record, *kept, *changed)
    get = operator.attrgetter(*kept)  # of two names or more: a tuple, in one call
    new = record.__new__

    count = len(changed)

    def make(rec: Rec, *values: object) -> Rec:
        if len(values) != count:
            raise TypeError(f"{count} values expected for {changed}, not {len(values)}")
        out = new(record)
        for _ in map(_call, setters, itertools.repeat(out), (*get(rec), *values)):  # no frame per slot
            pass
        return out

    return make


_new_span = Span.__new__
_set_path, _set_line, _set_col, _set_text = slot_setters(Span, "path", "line", "col", "text")


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


T = TypeVar("T")
C = TypeVar("C")
R = TypeVar("R")

#: what a worker was handed: the work, its context, the whole list of items (where it forked)
#: and, where it forked, the chunks' index ranges and what the processes share (:class:`_Shared`)
_POOL_WORK: tuple[Callable[[Any, list[Any]], Any], Any, list[Any] | None, list[tuple[int, int]], Any] | None = None


def fork_pool_map(
    work: Callable[[C, list[T]], R],
    context: C,
    items: list[T],
    *,
    workers: int,
    chunks_per_worker: int = 8,
    first: Callable[[], object] | None = None,
    dumps: Callable[[object], bytes] | None = None,
) -> list[R]:
    """``work(context, chunk)`` for consecutive chunks of ``items``, in chunk order, over a
    pool of ``workers - 1`` processes and this one (a fork pool with work stealing).

    Where processes fork, a worker inherits ``context`` and ``items``: only index ranges
    travel to it, never the items (pickling them cost more than the work).  Every process,
    this one included, takes the next chunk no one has taken from a count they share, as
    soon as it is free, until none is left: nothing of this process's share is pickled,
    and all finish within a chunk of each other.  A worker writes each result, pickled,
    into one unnamed file the processes share, at a place it reserves, and this process
    reads them after each chunk of its own (:class:`_Shared`).  (Through the pool's pipe a
    worker waited after each chunk while this process's pool thread, which needs the
    interpreter this process is busy extracting with, read the result 64 kB at a time: 20
    ms a chunk for the flows of 1,000 entries, 60 ms with their lines of JSON, a tenth of
    the worker's time.)  A chunk that fails in any process, or a worker that dies, stops
    every process taking more.  The cycle collector stays off while the pool runs: a pass
    started on the pool's own thread could free objects that must be freed on this one,
    and forked workers copy fewer pages.  ``work`` must be a module-level function where
    processes spawn (it is pickled there; the chunks travel and this process takes those
    no worker has started).

    ``first``, if given, is other work this process does before it takes chunks, while the
    workers start on them: however long it takes, the chunks even the load out.

    ``dumps``, if given, pickles a worker's result into the shared file instead of
    :func:`pickle.dumps` (what :func:`pickle.loads` reads back: the load cache's pickler,
    :func:`record_dumps`, whose records load in half the time).
    """
    import concurrent.futures  # on first use: a command served from the cache forks no worker
    import multiprocessing

    size = -(-len(items) // (workers * chunks_per_worker))
    ranges = [(i, min(i + size, len(items))) for i in range(0, len(items), size)]
    forking = "fork" in multiprocessing.get_all_start_methods()
    mp_context = multiprocessing.get_context("fork" if forking else "spawn")
    shared = _Shared(mp_context, len(ranges), dumps) if forking else None
    results: list[R | None] = [None] * len(ranges)
    with (
        cyclic_gc_paused(),
        concurrent.futures.ProcessPoolExecutor(
            workers - 1,
            mp_context=mp_context,
            initializer=_init_pool_worker,
            initargs=(work, context, items, ranges, shared) if forking else (work, context, None, [], None),
        ) as pool,
    ):
        if shared is not None:
            try:
                jobs = [pool.submit(_pool_take_all) for _ in range(workers - 1)]
                for job in jobs:  # a worker that dies (killed, out of memory) raises nothing itself
                    job.add_done_callback(shared.halt_if_failed)
                if first is not None:
                    first()
                while (i := shared.take()) < len(ranges):
                    a, b = ranges[i]
                    results[i] = work(context, items[a:b])
                    shared.collect(results)
                for job in jobs:
                    for i, result in job.result():  # what the file could not take
                        results[i] = cast("R", result)
                shared.collect(results)
            finally:
                shared.stop()
            return cast("list[R]", results)
        done = [False] * len(ranges)
        chunks = [pool.submit(_pool_chunk, items[a:b]) for a, b in ranges]
        if first is not None:
            first()
        for i in range(len(chunks) - 1, -1, -1):
            if not chunks[i].cancel():
                break
            a, b = ranges[i]
            results[i], done[i] = work(context, items[a:b]), True
        for i, chunk in enumerate(chunks):
            if not done[i]:
                results[i] = cast("R", chunk.result())
    return cast("list[R]", results)


class _Shared:
    """What the processes of one :func:`fork_pool_map` share, made before the fork: the
    count of chunks taken, one unnamed file the workers write their results into, and
    where each chunk's result is in it.

    A worker reserves the place of each result in the file (the end of what is reserved,
    moved on under the counts' lock), writes it there, then says where (the chunk's slot),
    so any number of workers write one file without meeting.  This process reads the
    results written so far after each chunk of its own (:meth:`collect`), so most are read
    while the workers still work (unpickling the flows of 10,000 entries takes about half
    a second), and the rest once every worker is done.  The file holds every result until
    the pool ends (about 5 MB per 1,000 entries of flows and their lines of JSON; memory
    no process maps, so not in its resident size).  Where there is no file, or it cannot
    take a result (no memory or disk left), the worker keeps the result and sends it
    through the pool's pipe when it has no chunk left: slower, never lost.
    """

    def __init__(self, mp_context: Any, chunks: int, dumps: Callable[[object], bytes] | None = None) -> None:
        #: the next chunk to take, the end of the file's reserved bytes, then for each chunk
        #: where its result is in the file and its length (-1 until written)
        self.counts = mp_context.Array("q", [0, 0, *[0, -1] * chunks])
        self.chunks = chunks
        self.dumps = dumps or functools.partial(pickle.dumps, protocol=pickle.HIGHEST_PROTOCOL)
        self.collected = [False] * chunks
        self.file = unnamed_file("fork-pool-results")  # none: the results go through the pipe

    def take(self) -> int:
        """The index of the next chunk no process has taken (it may be past the last)."""
        with self.counts.get_lock():
            i: int = self.counts[0]
            self.counts[0] = i + 1
        return i

    def send(self, i: int, result: object) -> bool:
        """In a worker: the result of chunk ``i`` written into the file and its place said;
        False where the file cannot take it (it is then sent through the pipe)."""
        import os

        if self.file is None:
            return False
        data = self.dumps(result)
        with self.counts.get_lock():
            at: int = self.counts[1]
            self.counts[1] = at + len(data)
        try:
            if os.pwrite(self.file.fileno(), data, at) != len(data):
                return False
        except OSError:  # the file is full: its reserved bytes are read by nobody
            return False
        with self.counts.get_lock():
            self.counts[2 + 2 * i], self.counts[3 + 2 * i] = at, len(data)
        return True

    def collect(self, results: list[Any]) -> None:
        """Into ``results``, the workers' results written since the last call."""
        import os

        with self.counts.get_lock():
            slots = self.counts[2:]
        for i in range(self.chunks):
            if not self.collected[i] and slots[2 * i + 1] >= 0:
                assert self.file is not None
                results[i] = pickle.loads(os.pread(self.file.fileno(), slots[2 * i + 1], slots[2 * i]))
                self.collected[i] = True

    def halt(self) -> None:
        """No chunk is left to take: a process still working stops after its chunk."""
        with self.counts.get_lock():
            self.counts[0] = max(self.counts[0], self.chunks)

    def halt_if_failed(self, job: Any) -> None:
        """:meth:`halt` when a worker's job has failed (a done callback, on the pool's thread:
        where the worker died without raising, nothing else would tell this process)."""
        if not job.cancelled() and job.exception() is not None:
            self.halt()

    def stop(self) -> None:
        """:meth:`halt` (all are done, or one process has failed), and the file closed in the
        process that calls it."""
        self.halt()
        if self.file is not None:
            self.file.close()


def _init_pool_worker(
    work: Callable[[Any, list[Any]], Any],
    context: object,
    items: list[Any] | None,
    ranges: list[tuple[int, int]],
    shared: _Shared | None,
) -> None:
    global _POOL_WORK
    _POOL_WORK = (work, context, items, ranges, shared)


def _pool_take_all() -> list[tuple[int, object]]:
    """In a forked worker: the chunks no process has taken, one after another until none is
    left, each result written into the shared file; the results the file could not take,
    with their chunks' indexes.  A chunk that fails stops every process taking more (the
    error is then raised here, and this worker's job gives it to the calling process)."""
    assert _POOL_WORK is not None
    work, context, items, ranges, shared = _POOL_WORK
    assert items is not None
    assert shared is not None
    unsent = []
    try:
        while (i := shared.take()) < len(ranges):
            a, b = ranges[i]
            result = work(context, items[a:b])
            if not shared.send(i, result):
                unsent.append((i, result))
    except BaseException:
        shared.stop()
        raise
    return unsent


def _pool_chunk(chunk: list[Any]) -> Any:
    """In a spawned worker: one chunk, sent whole."""
    assert _POOL_WORK is not None
    return _POOL_WORK[0](_POOL_WORK[1], chunk)


def memory_file(name: str) -> BinaryIO | None:
    """An unnamed file in memory, open for reading and writing (Linux ``memfd``), or None where
    the system has none (not Linux) or none is left: the caller picks its own fallback."""
    import os

    try:
        return os.fdopen(os.memfd_create(name, getattr(os, "MFD_CLOEXEC", 0)), "w+b")
    except (AttributeError, OSError):
        return None


def unnamed_file(name: str) -> BinaryIO | None:
    """An unnamed file for bytes handed between processes forked after it is made: in memory
    (:func:`memory_file`), else a temporary file on disk, else None (neither can be had)."""
    import tempfile

    found = memory_file(name)
    if found is not None:
        return found
    try:
        return tempfile.TemporaryFile()
    except OSError:
        return None


class HandBack:
    """Bytes a forked worker of :func:`fork_pool_map` hands back through an unnamed file, not the pool's pipe.

    A result of many megabytes (the RDF text of thousands of agreements) costs, through the
    pipe, a pickle in the worker, the copies of the pipe and an unpickle here while this
    process waits: 1 s for 180 MB at 10k entries, 0.1 s for 18 MB at 1k.  Through a file
    made before the fork (a ``memfd`` on Linux, else a temporary file), the worker writes
    each chunk once and this process reads it once.  One writer per file: make one per piece
    of work a process writes whole (the RDF build makes one per group of agreements).
    Where the job runs in this process, :meth:`put` keeps the chunks as they are; where no
    file could be made or written (no memory or disk left for it), they go through the
    pipe as before: slower, never lost.
    """

    def __init__(self) -> None:
        import os

        self._here = os.getpid()
        self._kept: list[bytes] | None = None
        self._file = unnamed_file("handback")  # none: the chunks go through the pipe

    def put(self, chunks: Sequence[bytes]) -> list[int] | list[bytes]:
        """Hand ``chunks`` back; what to send to :meth:`take`: in a worker, their lengths (the
        bytes are in the file), or the chunks themselves where the file could not take them."""
        import os

        if os.getpid() == self._here:
            self._kept = list(chunks)
            return []
        if self._file is not None:
            try:
                for chunk in chunks:
                    self._file.write(chunk)
                self._file.flush()
                return [len(c) for c in chunks]
            except OSError:  # the file is full: what it took is read by nobody
                pass
        return list(chunks)

    def take(self, sent: Sequence[int] | Sequence[bytes]) -> list[bytes]:
        """The chunks :meth:`put` was given (``sent``: what it returned); the file is closed."""
        try:
            if self._kept is not None:
                return self._kept
            if not sent or isinstance(sent[0], bytes):  # the chunks themselves came through the pipe
                return list(cast("Sequence[bytes]", sent))
            assert self._file is not None
            self._file.seek(0)
            return [self._file.read(n) for n in cast("Sequence[int]", sent)]
        finally:
            self._kept = None
            if self._file is not None:
                self._file.close()


class _LazySection(Section):
    """A :class:`Section` whose line spans are made on first use (by ``lines`` in a subclass).

    It compares, hashes, prints and pickles as the plain section ``Section(name, span,
    lines)`` would: the laziness is never seen.
    """

    __slots__ = ("_lines",)
    _lines: tuple[Span, ...]

    def __init__(self, name: str, span: Span, lines: tuple[Span, ...] = ()) -> None:
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "span", span)
        object.__setattr__(self, "_lines", tuple(lines))

    @property
    def lines(self) -> tuple[Span, ...]:
        try:
            return self._lines
        except AttributeError:
            lines = self._made_lines()
            object.__setattr__(self, "_lines", lines)
            return lines

    def _made_lines(self) -> tuple[Span, ...]:
        """The line spans, made when ``lines`` is first read."""
        raise NotImplementedError

    def _plain(self) -> Section:
        return Section(self.name, self.span, self.lines)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Section):
            return (self.name, self.span, self.lines) == (other.name, other.span, other.lines)
        return NotImplemented

    __hash__ = Section.__hash__

    def __repr__(self) -> str:
        return repr(self._plain())

    def __reduce__(self) -> tuple[type[Section], tuple[str, Span, tuple[Span, ...]]]:
        return Section, (self.name, self.span, self.lines)


class _CellSection(_LazySection):
    """A :class:`Section` of one cell whose line spans are made on first use.

    Reading a workbook does not need the spans of every line of every statement; the
    flows and the JSON do, and get exactly what ``Section(name, lines[0], lines)``
    would hold.  It compares, hashes, prints and pickles as that plain section.
    """

    __slots__ = ("_text",)
    _text: str

    def __init__(self, name: str, span: Span, lines: tuple[Span, ...] = ()) -> None:
        super().__init__(name, span, lines)
        object.__setattr__(self, "_text", "\n".join(s.text for s in lines))

    def _made_lines(self) -> tuple[Span, ...]:
        return new_spans(self.span.path, self.span.line, self._text)

    def line_texts(self) -> tuple[str, ...]:
        """The text of each line, without making the spans (the texts :func:`new_spans` gives them)."""
        try:
            return tuple(map(_span_text, self._lines))
        except AttributeError:
            return tuple(self._text.split("\n"))

    @property
    def text(self) -> str:
        return self._text


_new_cell_section = _CellSection.__new__
_set_name, _set_heading = slot_setters(Section, "name", "span")
(_set_cell_text,) = slot_setters(_CellSection, "_text")


def cell_section(name: str, source: str, line: int, text: str) -> Section:
    """``Section(name, lines[0], lines)`` for a stripped, non-empty cell ``text`` on sheet row ``line``.

    Each line of the cell is a span on that row; the spans after the first are made
    only when ``lines`` is first read (a 2017 workbook has some 3,000 such cells).
    """
    section = _new_cell_section(_CellSection)
    _set_name(section, name)
    end = text.find("\n")  # not split/partition: they copy the rest of a long cell
    # the first line holds no line break: its span is made whole (splitting it again walks
    # it character by character, most of the cost of a long first line)
    heading = _new_span(Span)  # filled through its slots: half the cost of the frozen __init__
    _set_path(heading, source)
    _set_line(heading, line)
    _set_col(heading, 1)
    _set_text(heading, text if end < 0 else text[:end])
    _set_heading(section, heading)
    _set_cell_text(section, text)
    return section


class _PageSection(_LazySection):
    """A :class:`Section` of a page whose line spans are made on first use.

    A section's lines are the text after its heading (``first``) and the lines of the
    page from ``start`` to ``end`` that are not blank.  Parsing only notes where the
    section starts and ends; the spans (one per line, most of a page's objects) are made
    when ``lines`` is first read: by the extraction, in the process that extracts the
    entry.  It compares, hashes, prints and pickles as the plain section
    ``Section(name, span, lines)`` would.
    """

    __slots__ = ("_end", "_first", "_numbers", "_page", "_start")
    _first: Span | None
    _page: tuple[str, ...]
    _numbers: Sequence[int]
    _start: int
    _end: int

    def _made_lines(self) -> tuple[Span, ...]:
        path, page, numbers = self.span.path, self._page, self._numbers
        out = [] if self._first is None else [self._first]
        for i in range(self._start, self._end):
            text = page[i]
            if text and not text.isspace():  # blank lines are not kept
                span = _new_span(Span)
                _set_path(span, path)
                _set_line(span, numbers[i])
                _set_col(span, 1)
                _set_text(span, text)
                out.append(span)
        return tuple(out)

    def parts(self) -> tuple[str, Span, Span | None, tuple[str, ...], Sequence[int], int, int]:
        """The arguments of :func:`page_section` that make this section (what the load cache keeps:
        the page's lines are pickled once for all its sections, and no span of a line)."""
        return self.name, self.span, self._first, self._page, self._numbers, self._start, self._end

    def line_texts(self) -> tuple[str, ...]:
        """The text of each line, without making the spans (what an entry's key reads)."""
        try:
            return tuple(map(_span_text, self._lines))
        except AttributeError:
            # not blank, as in _made_lines: neither empty nor white space alone (two C filters)
            rest = tuple(itertools.filterfalse(str.isspace, filter(None, self._page[self._start : self._end])))
            return rest if self._first is None else (self._first.text, *rest)

    @property
    def text(self) -> str:
        return "\n".join(self.line_texts())


_span_text = attrgetter("text")
_new_page_section = _PageSection.__new__
_set_first, _set_page, _set_numbers, _set_start, _set_end = slot_setters(
    _PageSection, "_first", "_page", "_numbers", "_start", "_end"
)


def page_section(
    name: str, span: Span, first: Span | None, page: tuple[str, ...], numbers: Sequence[int], start: int, end: int
) -> Section:
    """``Section(name, span, lines)`` whose lines are ``first`` (the text after the heading, if
    any) and a span ``Span(span.path, numbers[i], 1, page[i])`` for each line ``i`` from
    ``start`` to ``end`` that is not blank, made on first use."""
    section = _new_page_section(_PageSection)
    _set_name(section, name)
    _set_heading(section, span)
    _set_first(section, first)
    _set_page(section, page)
    _set_numbers(section, numbers)
    _set_start(section, start)
    _set_end(section, end)
    return section


def line_texts(section: Section) -> tuple[str, ...]:
    """The text of each line of a section; a page or cell section's spans are not made for it
    (what reads only the words of a section: an entry's key, the extractor's whole-entry scans)."""
    if type(section) is _PageSection or type(section) is _CellSection:
        return section.line_texts()
    return tuple(map(_span_text, section.lines))


# ---------------------------------------------------------------------------------------
# Pickling records quickly (the load cache's files, a fork pool's results)


#: ``cls.__new__(cls)`` in one pickle opcode (NEWOBJ), then the class's filler sets the slots.
_NEWOBJ = copyreg.__newobj__  # type: ignore[attr-defined]
_FIELDS: dict[type, tuple[str, ...]] = {}
#: A record class's filler: ``fill(record, state)`` sets each slot from the tuple of field values.
Filler = Callable[[Any, tuple[Any, ...]], None]
_FILLERS: dict[type, Filler] = {}
_CLASS_OF_FILLER: dict[Filler, type] = {}


def _fields(cls: type) -> tuple[str, ...]:
    """The fields of a frozen, slotted dataclass that pickles the default way; () for any other class."""
    found = _FIELDS.get(cls)
    if found is None:
        plain = (
            "__dataclass_fields__" in cls.__dict__
            and "__slots__" in cls.__dict__
            and cls.__dataclass_params__.frozen  # type: ignore[attr-defined]
            and cls.__reduce__ is object.__reduce__
            and cls.__reduce_ex__ is object.__reduce_ex__
        )
        found = _FIELDS[cls] = tuple(f.name for f in dataclasses.fields(cls)) if plain else ()
    return found


def filler(cls: type) -> Filler:
    """``fill(record, state)``: set each slot of a ``cls`` made with ``__new__`` from ``state``,
    the tuple of its field values in field order (one per class and process).

    Made as one function whose body calls each slot's raw setter in turn: a record loaded
    from the cache then costs one Python call, not a loop over its fields (the 27k records
    of the 2017 workbook: about 13 against 28 ms).  The body names the setters by position
    only, never by field name.  A state of another length raises ``ValueError``.

    >>> from dataflow_graph.errors import Span
    >>> span = Span.__new__(Span); filler(Span)(span, ("p.txt", 3, 1, "x")); span
    Span(path='p.txt', line=3, col=1, text='x')
    """
    fill = _FILLERS.get(cls)
    if fill is None:
        names = _fields(cls)
        if not names:
            raise pickle.UnpicklingError(f"{cls.__qualname__} is not a frozen, slotted record")
        values = "".join(f"v{i}, " for i in range(len(names)))
        calls = "".join(f"    s{i}(record, v{i})\n" for i in range(len(names)))
        scope: dict[str, Any] = {f"s{i}": getattr(cls, name).__set__ for i, name in enumerate(names)}
        exec(compile(f"def fill(record, state):\n    {values}= state\n{calls}", "<record filler>", "exec"), scope)
        fill = _FILLERS[cls] = scope["fill"]
        _CLASS_OF_FILLER[fill] = cls
    return fill


class _RecordPickler(pickle.Pickler):
    """Records as a tuple of their fields, a workbook cell's section as its text and a page's
    section as where its lines are (lines made on use).

    The text of equal cells is written once: the 2017 workbook repeats the same statements
    under many entries (9.6 MB of cell text, 4.2 MB distinct), and the file, its checksum
    and the memory of a load are about half as large."""

    def __init__(self, file: io.BytesIO, protocol: int) -> None:
        super().__init__(file, protocol=protocol)
        self._texts: dict[str, str] = {}

    def reducer_override(self, obj: Any) -> Any:
        cls = type(obj)
        if cls is _CellSection:
            args = (obj.name, obj.span.path, obj.span.line, obj.text)
            try:
                lines = obj._lines  # made on first use: most are not yet
            except AttributeError:
                lines = None
            lazy = cell_section(*args)
            if lazy.span == obj.span and (lines is None or lines == lazy.lines):
                text = self._texts.setdefault(obj.text, obj.text)  # one object: pickled once
                return cell_section, (obj.name, obj.span.path, obj.span.line, text)
            return NotImplemented
        if cls is _PageSection:  # where its lines are in the page, their spans made on use
            try:
                return page_section, obj.parts()
            except AttributeError:  # made whole (dataclasses.replace): pickled as the plain section
                return NotImplemented
        if cls is FunctionType and obj in _CLASS_OF_FILLER:  # a record class's filler, by its class
            return filler, (_CLASS_OF_FILLER[obj],)
        names = _fields(cls)
        if not names:
            return NotImplemented
        state = tuple([getattr(obj, n) for n in names])
        return _NEWOBJ, (cls,), state, None, None, filler(cls)


def record_dumps(value: object) -> bytes:
    """``value`` pickled with its records as the tuples of their fields (what the load cache
    writes, and what a fork pool's worker hands back when asked): :func:`pickle.loads` reads
    it back, each record through its class's :func:`filler`, in about half the time."""
    out = io.BytesIO()
    _RecordPickler(out, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
    return out.getvalue()
