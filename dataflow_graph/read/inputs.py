"""The input loop: paths and folders to pages, entries and released files, each file read by its kind.

A file's kind comes from its content first, then its suffix (:func:`.sources.sniff_kind`):
workbooks and CSV files go to the register reader, everything else to the page parser.
A path that does not exist, or a file that cannot be opened, is reported (DFG110) and
the others are still read.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .._speed import cyclic_gc_paused
from ..errors import Diagnostics, Severity, Span
from ..model import Entry, Page, Release
from .page import parse_page
from .register import read_register
from .sources import expand_paths, open_text, sniff_kind

__all__ = ["Inputs", "read_inputs"]


@dataclass(slots=True)
class Inputs:
    """What some inputs hold: pages, entries, released files, the files read, and the diagnostics."""

    pages: list[Page] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)
    releases: list[Release] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    diagnostics: Diagnostics = field(default_factory=Diagnostics)


def read_inputs(paths: Iterable[str | Path], *, shown_as: str | None = None) -> Inputs:
    """Read register pages and official register files; a folder stands for its readable files.

    Bad data never raises: each problem is in ``diagnostics`` with ``file:line``, and at
    the end ``read == parsed + rejected`` holds.

    Parameters
    ----------
    paths : iterable of str or Path
        Files and folders, read in this order (a folder's files in sorted order).
    shown_as : str, optional
        A name evidence and diagnostics use for each path instead of the path itself:
        a folder's files are shown under it (``seeds/<file>`` for the embedded seed).

    Returns
    -------
    Inputs
        Pages, entries and releases in input order, the display name of every file read,
        and the diagnostics.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     _ = (Path(tmp) / "p.txt").write_text("X projects\\nT — NIC-1234-ABCDE\\nOpt outs honoured: N\\n")
    ...     found = read_inputs([tmp, Path(tmp) / "missing.txt"], shown_as="pages")
    >>> found.sources, [e.reference for e in found.entries]
    (['pages/p.txt'], ['NIC-1234-ABCDE'])
    >>> [d.code for d in found.diagnostics], found.diagnostics.balanced
    (['DFG107', 'DFG110'], True)
    """
    found = Inputs()
    with cyclic_gc_paused():  # acyclic records: no collector passes while reading
        for given in map(Path, paths):
            if not given.exists():
                found.diagnostics.report(Span(str(given), 1, 1), "DFG110", "no such file or folder", Severity.ERROR)
                continue
            for path in expand_paths([given]):
                display = str(Path(shown_as) / path.relative_to(given)) if shown_as is not None else str(path)
                _read_file(found, path, display)
    if not found.diagnostics.balanced:  # pragma: no cover - a bug, not bad data
        raise AssertionError(f"counts do not balance: {found.diagnostics.counts()}")
    return found


def _read_file(found: Inputs, path: Path, display: str) -> None:
    """One file, read as a register table or a register page by its content."""
    found.sources.append(display)
    try:
        with path.open("rb") as fh:
            head = fh.read(8192)
    except OSError as exc:
        found.diagnostics.report(Span(display, 1, 1), "DFG110", f"cannot read: {exc}", Severity.ERROR)
        return
    kind = sniff_kind(path, head)
    if kind in ("xlsx", "csv"):
        tables = read_register(path, display, found.diagnostics)
        found.entries.extend(tables.entries)
        found.releases.extend(tables.releases)
        return
    source = open_text(path, display, found.diagnostics)
    if source is None:
        return
    page, entries = parse_page(source, found.diagnostics)
    found.pages.append(page)
    found.entries.extend(entries)
