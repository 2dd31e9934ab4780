"""Each released file and each entry counted once, however many inputs carry it.

A workbook and its CSV export, or a page saved twice, hold the same released files and
entries.  Read together they must give the counts of one of them alone, so a record that
an earlier input already gave is left out, with one note (DFG512) per pair of sources
naming both and the count.

- A released file is the same when its reference, file (row) id, dataset, category,
  opt-out flag, month and period are; a row without a file id must also agree on its
  recipient, family, legal basis, frequency, sensitivity and other columns.
- An entry is the same when everything it says is (its reference, title, fields,
  sections, datasets…), wherever it was read; an entry made from release rows (a
  release register that states a purpose) is also the same as an earlier entry of its
  reference when every release row it was made from was itself a copy.
- Within one input nothing is merged: two identical rows of one sheet are two rows.
  Across inputs, a record counts as many times as the input that holds it most often.

The first input read keeps its records (and its evidence); a folder is read in sorted
order, so ``register.xlsx`` comes before ``registerDataReleases.csv``.
"""

from __future__ import annotations

import dataclasses
import enum
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Sequence
from functools import partial
from operator import attrgetter
from typing import Any, TypeVar

from .._speed import line_texts
from ..errors import Diagnostics, Severity, Span
from ..model import Entry, Release, Section

__all__ = ["Once", "entry_key", "release_key"]

T = TypeVar("T", Entry, Release)


def release_key(release: Release) -> Hashable:
    """What makes two release rows the same released file."""
    period = release.period
    key = (
        release.reference,
        release.row_id,
        release.dataset,
        release.category,
        release.opt_outs_applied,
        release.month,
        period.start if period else None,
        period.end if period else None,
    )
    if release.row_id:
        return key
    return (
        *key,
        release.recipient,
        release.family,
        release.legal_basis,
        release.frequency,
        release.sensitive,
        release.extra,
    )


#: Entry fields that say where it was read, not what it says.
_WHERE = frozenset({"id", "source", "line", "position", "span"})


def entry_key(entry: Entry) -> Hashable:
    """Everything an entry says, without where it was read (spans reduced to their text)."""
    return tuple(map(_content, _ENTRY_CONTENT(entry)))


#: The fields of an entry :func:`entry_key` reads, in order, as one tuple.
_ENTRY_CONTENT = attrgetter(*(f.name for f in dataclasses.fields(Entry) if f.name not in _WHERE))
#: How each type of value is reduced (its content), found once per type (:func:`_reduction`).
_REDUCE: dict[type, Callable[[Any], Hashable]] = {}


def _content(value: object) -> Hashable:
    """A value's content: a span's text; a plain value itself; a tuple, list or record as
    the tuple of its items' or fields' contents (anything else as its ``repr``).

    Every entry of every input after the first is keyed, so the reduction of each type is
    worked out once (:func:`_reduction`) and a tuple of one type of value (a section's
    line spans, a list of names) is mapped in C.
    """
    reduce = _REDUCE.get(type(value))
    return (reduce or _reduction(type(value)))(value)


def _itself(value: Hashable) -> Hashable:
    return value


def _sequence(value: Sequence[Any]) -> tuple[Hashable, ...]:
    """The contents of a tuple's or list's items, as a tuple."""
    kinds = set(map(type, value))
    if len(kinds) == 1:
        reduce = _REDUCE.get(kind := kinds.pop()) or _reduction(kind)
        return tuple(value) if reduce is _itself else tuple(map(reduce, value))
    return tuple(map(_content, value))


def _reduction(kind: type) -> Callable[[Any], Hashable]:
    """How values of ``kind`` are reduced to their content (remembered in :data:`_REDUCE`)."""
    reduce: Callable[[Any], Hashable]
    if issubclass(kind, Span):
        reduce = attrgetter("text")
    elif issubclass(kind, (str, int, float, bool, enum.Enum, type(None))):
        reduce = _itself
    elif issubclass(kind, (tuple, list)):
        reduce = _sequence
    elif issubclass(kind, Section):  # its fields' contents, a page section's spans not made for them
        reduce = _section
    elif dataclasses.is_dataclass(kind):
        fields = [f.name for f in dataclasses.fields(kind)]
        if len(fields) == 1:
            (name,) = fields
            reduce = partial(_one_field, attrgetter(name))
        else:
            reduce = partial(_fields, attrgetter(*fields))
    else:  # pragma: no cover - a field type added to the model later
        reduce = repr
    _REDUCE[kind] = reduce
    return reduce


def _section(section: Section) -> tuple[Hashable, ...]:
    return (section.name, section.span.text, line_texts(section))


def _one_field(get: Callable[[Any], Any], value: object) -> tuple[Hashable, ...]:
    return (_content(get(value)),)


def _fields(get: Callable[[Any], tuple[Any, ...]], value: object) -> tuple[Hashable, ...]:
    return tuple(map(_content, get(value)))


def _keep(
    records: Sequence[T], keys: Sequence[Hashable], sources: dict[Hashable, list[str]]
) -> tuple[list[T], dict[tuple[str, str], list[T]]]:
    """The records of one input that are new, and the copies left out by (kept source, source).

    ``sources`` holds, per key, the source of each copy kept so far; it is updated so that a
    key counts as many times as the input holding it most often.
    """
    seen: Counter[Hashable] = Counter()
    new: list[T] = []
    copies: dict[tuple[str, str], list[T]] = defaultdict(list)
    for record, key in zip(records, keys, strict=True):
        earlier = sources.get(key, ())
        n = seen[key]
        seen[key] = n + 1
        if n < len(earlier):
            copies[(earlier[n], record.source)].append(record)
        else:
            new.append(record)
            sources.setdefault(key, []).append(record.source)
    return new, copies


class Once:
    """Leaves out the released files and entries an earlier input already gave.

    Inputs are given one at a time, in reading order.  The first input's release keys are
    made only when a later input brings released files, so reading one file costs nothing.
    An entry's whole key (:func:`entry_key`, which reads every line of its sections) is
    made only once another input brings an entry of the same reference and title (what
    any copy shares): the pages of many organisations hold few such pairs.

    Examples
    --------
    >>> d = Diagnostics()
    >>> once = Once()
    >>> a = Release("a.xlsx#R:2", "a.xlsx#R", 2, "NIC-1-AAAAA", "NIC-1-AAAAA", "X", "HES", "HES", "", None, row_id="F1")
    >>> b = dataclasses.replace(a, id="a.csv:3", source="a.csv", line=3)
    >>> [len(once.releases([r], d)[0]) for r in (a, b)]
    [1, 0]
    >>> print(d.items[0].span, d.items[0].code, d.items[0].message[:60])
    a.csv:3:1 DFG512 1 released file(s) read here were read already from a.xlsx#R
    """

    def __init__(self) -> None:
        self._release_sources: dict[Hashable, list[str]] = {}
        self._entry_sources: dict[Hashable, list[str]] = {}
        self._pending_releases: list[Release] = []
        #: (reference, title) -> the entries kept with it, in order, whose keys are not made yet
        self._unkeyed: dict[tuple[str, str], list[Entry]] = {}
        #: the (reference, title) pairs whose kept entries are all in ``_entry_sources``
        self._keyed: set[tuple[str, str]] = set()
        #: Reference -> source of the kept entry made from its release rows.
        self._derived: dict[str, str] = {}

    def releases(self, releases: Sequence[Release], diagnostics: Diagnostics) -> tuple[list[Release], frozenset[str]]:
        """The released files of one input that no earlier input gave, and the references
        whose every row in this input was such a copy."""
        if not releases:
            return [], frozenset()
        if not self._release_sources and not self._pending_releases:
            self._pending_releases = list(releases)
            return list(releases), frozenset()
        if self._pending_releases:
            pending, self._pending_releases = self._pending_releases, []
            _keep(pending, [release_key(r) for r in pending], self._release_sources)
        new, copies = _keep(releases, [release_key(r) for r in releases], self._release_sources)
        for (kept, source), left in sorted(copies.items()):
            diagnostics.report(
                Span(source, left[0].line, 1),
                "DFG512",
                f"{len(left):,} released file(s) read here were read already from {kept} (same reference, "
                f"file id, dataset, category, period and opt-outs); each counted once, from {kept}",
                Severity.NOTE,
            )
        return new, frozenset({r.reference for r in releases} - {r.reference for r in new})

    def entries(
        self, entries: Sequence[Entry], diagnostics: Diagnostics, *, copied: frozenset[str] = frozenset()
    ) -> list[Entry]:
        """The entries of one input that no earlier input gave.

        ``copied`` are the references whose every release row in this input was a copy
        (:meth:`releases`): an entry made from those rows repeats the earlier entry made
        from the same rows.
        """
        if not entries:
            return []
        derived = self._derived
        repeated = [
            e for e in entries if e.variant == "release-register" and e.reference in copied and e.reference in derived
        ]
        left_out = {id(e) for e in repeated}
        rest = [e for e in entries if id(e) not in left_out] if repeated else list(entries)
        new, copies = self._new_entries(rest)
        for e in repeated:
            copies[(derived[e.reference], e.source)].append(e)
        for e in new:
            if e.variant == "release-register":
                derived.setdefault(e.reference, e.source)
        for (kept, source), left in sorted(copies.items()):
            one = len(left) == 1
            diagnostics.report(
                Span(source, left[0].line, 1, left[0].reference),
                "DFG512",
                f"{len(left):,} entr{'y' if one else 'ies'} read here {'is' if one else 'are'} the same as "
                f"{'an entry' if one else 'entries'} of {kept} (same reference and content); "
                f"each counted once, from {kept}",
                Severity.NOTE,
            )
        return new

    def _new_entries(self, entries: list[Entry]) -> tuple[list[Entry], dict[tuple[str, str], list[Entry]]]:
        """:func:`_keep` for entries, with whole keys made only where a copy is possible.

        Two entries with the same key have the same reference and title; an entry whose
        pair no earlier input kept is new, and is kept unkeyed under its pair.  When a
        later input brings that pair, the entries kept under it are keyed first, in the
        order they were kept, so that each key's sources are in reading order as if every
        entry had been keyed when read.
        """
        pairs = [(e.reference, e.title) for e in entries]
        unkeyed, keyed, sources = self._unkeyed, self._keyed, self._entry_sources
        for pair in dict.fromkeys(pairs):
            if pair in unkeyed:
                for kept in unkeyed.pop(pair):
                    sources.setdefault(entry_key(kept), []).append(kept.source)
                keyed.add(pair)
        to_key = [e for e, pair in zip(entries, pairs, strict=True) if pair in keyed]
        kept_keyed, copies = _keep(to_key, [entry_key(e) for e in to_key], sources)
        kept_ids = {id(e) for e in kept_keyed}
        new: list[Entry] = []
        for e, pair in zip(entries, pairs, strict=True):
            if pair not in keyed:
                unkeyed.setdefault(pair, []).append(e)
                new.append(e)
            elif id(e) in kept_ids:
                new.append(e)
        return new, copies
