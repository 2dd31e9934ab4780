"""The input loop: paths, folders and standard input to pages, entries and released files.

Each input is read once (:mod:`.files`); its kind comes from its content first, then its
suffix (:func:`.sources.sniff_kind`): workbooks and CSV files go to the register reader,
everything else to the page parser.  A path that does not exist or cannot be read is
reported (DFG110) and the others are still read; a readable file that holds no entry and
no released file is reported too (DFG111).  A released file or an entry that an earlier
input already gave is counted once (:mod:`.duplicates`, DFG512).
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .._speed import cyclic_gc_paused
from ..errors import Diagnostic, Diagnostics, Severity, Span
from ..model import Entry, Page, Release
from .duplicates import Once
from .files import STDIN, STDIN_DISPLAY, folder_files, read_path, read_stdin
from .limits import DEFAULT_LIMITS, Limits

__all__ = ["Inputs", "Piece", "gather_inputs", "parse_pieces", "read_inputs"]

#: Diagnostics that already say why a file gave nothing (it was skipped, empty or rejected).
_SAYS_WHY = frozenset({"DFG104", "DFG105", "DFG106", "DFG110", "DFG112", "DFG113", "DFG506", "DFG507"})
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(slots=True)
class Inputs:
    """What some inputs hold: pages, entries, released files, the files read, and the diagnostics."""

    pages: list[Page] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)
    releases: list[Release] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    #: the SHA-256 of each file's bytes by display name (what RDF names a file by, not its path)
    digests: dict[str, str] = field(default_factory=dict)
    diagnostics: Diagnostics = field(default_factory=Diagnostics)
    once: Once = field(default_factory=Once, repr=False)


def read_inputs(paths: Iterable[str | Path], *, shown_as: str | None = None, limits: Limits = DEFAULT_LIMITS) -> Inputs:
    """Read register pages and official register files; a folder stands for its readable files.

    Bad data never raises: each problem is in ``diagnostics`` with ``file:line``, and at
    the end ``read == parsed + rejected`` holds.

    Parameters
    ----------
    paths : iterable of str or Path
        Files and folders, read in this order (a folder's files in sorted order); ``-``
        is standard input.
    shown_as : str, optional
        A name evidence and diagnostics use for each path instead of the path itself:
        a folder's files are shown under it (``seeds/<file>`` for the embedded seed).
    limits : Limits, optional
        The read limits (:mod:`dataflow_graph.read.limits`).

    Returns
    -------
    Inputs
        Pages, entries and releases in input order (each released file and entry once),
        the display name of every file read, and the diagnostics.

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

    def take(path: Path, display: str, data: bytes | None) -> None:
        found.sources.append(display)
        if data is not None:
            _read_data(found, path, display, data, limits)

    with cyclic_gc_paused():  # acyclic records: no collector passes while reading
        for given in paths:
            _read_given(found.diagnostics, given, shown_as, limits, take)
    if not found.diagnostics.balanced:  # pragma: no cover - a bug, not bad data
        raise AssertionError(f"counts do not balance: {found.diagnostics.counts()}")
    return found


@dataclass(slots=True)
class Piece:
    """One file as read, not yet parsed: its bytes (None if it could not be read), or only notes.

    ``notes`` are the diagnostics reading reported before this file's bytes (a folder that
    cannot be listed, a file over a limit); a piece with no ``display`` carries only notes
    (a path that does not exist, a folder with nothing to read).
    """

    path: Path | None
    display: str | None
    data: bytes | None
    notes: list[Diagnostic]


def gather_inputs(
    paths: Iterable[str | Path], *, shown_as: str | None = None, limits: Limits = DEFAULT_LIMITS
) -> list[Piece]:
    """Read every input once, as bytes, and parse none of them (what the load cache keys on).

    ``parse_pieces(gather_inputs(paths))`` gives what ``read_inputs(paths)`` gives: the same
    records and the same diagnostics in the same order; but every input's bytes are held
    at once until they are parsed.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     _ = (Path(tmp) / "p.txt").write_text("X projects\\nT — NIC-1234-ABCDE\\nOpt outs honoured: N\\n")
    ...     pieces = gather_inputs([tmp, Path(tmp) / "missing.txt"], shown_as="pages")
    >>> [(p.display, len(p.data or b""), [d.code for d in p.notes]) for p in pieces]
    [('pages/p.txt', 53, []), (None, 0, ['DFG110'])]
    >>> found = parse_pieces(pieces)
    >>> [e.reference for e in found.entries], [d.code for d in found.diagnostics]
    (['NIC-1234-ABCDE'], ['DFG107', 'DFG110'])
    """
    pieces: list[Piece] = []
    said = Diagnostics()

    def take(path: Path, display: str, data: bytes | None) -> None:
        pieces.append(Piece(path, display, data, said.items[:]))
        said.items.clear()

    for given in paths:
        _read_given(said, given, shown_as, limits, take)
        if said.items:
            pieces.append(Piece(None, None, None, said.items[:]))
            said.items.clear()
    return pieces


def parse_pieces(pieces: list[Piece], *, limits: Limits = DEFAULT_LIMITS) -> Inputs:
    """Parse what :func:`gather_inputs` read, in order; each piece's bytes are let go once parsed."""
    found = Inputs()
    with cyclic_gc_paused():  # acyclic records: no collector passes while reading
        for piece in pieces:
            found.diagnostics.items.extend(piece.notes)
            if piece.display is None or piece.path is None:
                continue
            found.sources.append(piece.display)
            data, piece.data = piece.data, None
            if data is not None:
                _read_data(found, piece.path, piece.display, data, limits)
    if not found.diagnostics.balanced:  # pragma: no cover - a bug, not bad data
        raise AssertionError(f"counts do not balance: {found.diagnostics.counts()}")
    return found


#: What is done with each file once read: its path, display name and bytes (None: unreadable).
Take = Callable[[Path, str, "bytes | None"], None]


def _read_given(diagnostics: Diagnostics, given: str | Path, shown_as: str | None, limits: Limits, take: Take) -> None:
    """One path as given: standard input, a folder, or a file of any kind."""
    if str(given) == STDIN:
        take(Path(STDIN_DISPLAY), STDIN_DISPLAY, read_stdin(diagnostics, limits))
        return
    path = Path(given)
    display = shown_as if shown_as is not None else str(path)
    try:
        is_folder = stat.S_ISDIR(os.stat(path).st_mode)
    except (FileNotFoundError, NotADirectoryError):
        diagnostics.report(Span(display, 1, 1), "DFG110", "no such file or folder", Severity.ERROR)
        return
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        diagnostics.report(Span(display, 1, 1), "DFG110", f"cannot read: {reason}", Severity.ERROR)
        return
    if not is_folder:
        take(path, display, read_path(path, display, diagnostics, limits))
        return
    for file in folder_files(path, display, diagnostics):
        shown = str(Path(display) / file.relative_to(path))
        take(file, shown, read_path(file, shown, diagnostics, limits))


def _read_data(found: Inputs, path: Path, display: str, data: bytes, limits: Limits) -> None:
    """The content of one input, read as a register table or a register page."""
    from .register import read_register  # the parsers load with the first input parsed, not on a cache hit
    from .sources import sniff_kind, text_source

    diagnostics = found.diagnostics
    before = len(diagnostics.items)
    found.digests[display] = hashlib.sha256(data).hexdigest()
    page: Page | None = None
    entries: Sequence[Entry]
    releases: Sequence[Release]
    kind = "xlsx" if data.startswith(_OLE_MAGIC) else sniff_kind(path, data[:8192])
    if kind in ("xlsx", "csv"):
        tables = read_register(path, display, diagnostics, data=data, limits=limits)
        entries, releases = tables.entries, tables.releases
    else:
        from .page import parse_page  # with the first page: a workbook or CSV does not need it

        source = text_source(data, display, diagnostics)
        if source is None:
            return
        page, entries = parse_page(source, diagnostics)
        releases = ()
    if not entries and not releases:
        if not any(d.code in _SAYS_WHY for d in diagnostics.items[before:]):
            what = "register rows" if kind in ("xlsx", "csv") else "entry heading ('TITLE — REFERENCE')"
            diagnostics.report(Span(display, 1, 1), "DFG111", f"no register entries in this file (no {what} found)")
        if page is not None:
            found.pages.append(page)
        return
    kept_releases, copied = found.once.releases(releases, diagnostics)
    kept_entries = found.once.entries(entries, diagnostics, copied=copied)
    found.releases.extend(kept_releases)
    found.entries.extend(kept_entries)
    if page is not None and (kept_entries or not entries):
        found.pages.append(page)
