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
from collections.abc import Hashable, Sequence
from typing import TypeVar

from ..errors import Diagnostics, Severity, Span
from ..model import Entry, Release

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
    return tuple(_content(getattr(entry, f.name)) for f in dataclasses.fields(entry) if f.name not in _WHERE)


def _content(value: object) -> Hashable:
    if isinstance(value, Span):
        return value.text
    if isinstance(value, (str, int, float, bool, enum.Enum)) or value is None:
        return value
    if isinstance(value, (tuple, list)):
        return tuple(_content(v) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return tuple(_content(getattr(value, f.name)) for f in dataclasses.fields(value))
    return repr(value)  # pragma: no cover - a field type added to the model later


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

    Inputs are given one at a time, in reading order.  The first input's keys are made
    only when a later input brings records of the same kind, so reading one file costs
    nothing.

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
        self._pending_entries: list[Entry] = []
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
        if not self._entry_sources and not self._pending_entries:
            self._pending_entries, new = list(rest), list(rest)
            copies: dict[tuple[str, str], list[Entry]] = defaultdict(list)
        else:
            if self._pending_entries:
                pending, self._pending_entries = self._pending_entries, []
                _keep(pending, [entry_key(e) for e in pending], self._entry_sources)
            new, copies = _keep(rest, [entry_key(e) for e in rest], self._entry_sources)
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
