"""The speed machinery, in one place, so the layers above read as rules and records.

Nothing here changes a result: each tool trades memory or processes for time on
large registers, and the tests check that results are the same with and without it.

- :func:`cyclic_gc_paused`: the cycle collector off while acyclic records are built;
- :func:`memoised`: a bounded memo of a pure function of text (register text repeats);
- :class:`BoundedMemo`: a named memo dictionary that empties itself at a size limit;
- :func:`new_spans`: many :class:`~dataflow_graph.errors.Span` made without the frozen ``__init__``;
- :func:`positional`: a frozen record's constructor for positional calls, its field order checked once;
- :func:`slot_setters`: the raw slot setters that fill a frozen record made with ``__new__``;
- :func:`cell_section`: a :class:`~dataflow_graph.model.Section` of one cell whose line spans are made
  on first use.
"""

from __future__ import annotations

import dataclasses
import functools
import gc
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, ClassVar, Protocol, TypeVar, cast

from .errors import Span
from .model import Section

__all__ = [
    "BoundedMemo",
    "cell_section",
    "cyclic_gc_paused",
    "memoised",
    "new_spans",
    "positional",
    "slot_setters",
]

F = TypeVar("F", bound=Callable[..., object])


class _Dataclass(Protocol):
    """Any dataclass (what :func:`dataclasses.fields` takes)."""

    __dataclass_fields__: ClassVar[dict[str, dataclasses.Field[Any]]]


R = TypeVar("R", bound=_Dataclass)
#: A slot's raw ``__set__``: (record, value) -> None.
Setter = Callable[[object, object], None]


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


def positional(record: type[R], order: Sequence[str]) -> type[R]:
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


class _CellSection(Section):
    """A :class:`Section` of one cell whose line spans are made on first use.

    Reading a workbook does not need the spans of every line of every statement; the
    flows and the JSON do, and get exactly what ``Section(name, lines[0], lines)``
    would hold.  It compares, hashes, prints and pickles as that plain section.
    """

    __slots__ = ("_lines", "_text")
    _lines: tuple[Span, ...]
    _text: str

    def __init__(self, name: str, span: Span, lines: tuple[Span, ...] = ()) -> None:
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "span", span)
        object.__setattr__(self, "_text", "\n".join(s.text for s in lines))
        object.__setattr__(self, "_lines", tuple(lines))

    @property
    def lines(self) -> tuple[Span, ...]:
        try:
            return self._lines
        except AttributeError:
            lines = new_spans(self.span.path, self.span.line, self._text)
            object.__setattr__(self, "_lines", lines)
            return lines

    @property
    def text(self) -> str:
        return self._text

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
    _set_heading(section, new_spans(source, line, text if end < 0 else text[:end])[0])
    _set_cell_text(section, text)
    return section
