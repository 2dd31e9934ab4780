"""A synthetic Data Release Register at national scale, for benchmarks.

The real register is too small in any one file to say how the pipeline behaves on
many years at once, and too irregular to be replaced by lorem ipsum.  This module
writes register pages in the three page formats seen in the wild (mostly the newer
one) and workbooks in the real column layouts, built from the *structures* of real
processing statements: purpose sub-headings, numbered steps, ``Data Processor N –
Name`` headers, landing-only hops, CEfFs in a CCG or a CSU, linkage lists,
re-identification with keys held by a key-holder, onward flows to another CCG and
negated sentences.  It also plants the defects real pages have: reversed windows,
missing ``Datasets:``/``Objectives:`` labels, trailing white space after references
and a truncated last entry now and then.

Everything is drawn from one ``random.Random(seed)`` in a fixed order, so the same
seed gives the same bytes (workbooks included: their zip entries and document
properties carry fixed dates).  It is a benchmarking aid, not a data source.
"""

from __future__ import annotations

import re
from pathlib import Path

from .entries import _page_entries
from .pages import _entry_counts, _organisations, _page
from .records import SynthSummary, _Entry, _Writer
from .workbooks import _workbook_2017, _workbook_data_uses, require_openpyxl

__all__ = ["SynthSummary", "write_register"]

# ---------------------------------------------------------------------------------------
# The entry point


def write_register(
    directory: str | Path, *, entries: int, seed: int, pages_per_file: int = 50, workbook: bool = True
) -> SynthSummary:
    """Write a synthetic register of ``entries`` page entries (and workbooks) into ``directory``.

    The pages go to ``directory/pages/NNN/`` (``pages_per_file`` page files per
    folder; a page file holds one recipient's page, since the page format has one
    banner per file).  With ``workbook``, a 2017 quarterly workbook
    (``ReleaseRegister-synthetic.xlsx``, about one purpose statement per 12 entries,
    like the real 838) and a Data Uses Register workbook (``DataUsesRegister-
    synthetic.xlsx``) are written too.  About 13 kB per entry, like real entries:
    10 000 entries come to about 130 MB.

    Parameters
    ----------
    directory : str or Path
        Created if missing; existing files of the same names are overwritten.
    entries : int
        Number of page entries (at least 1).
    seed : int
        The same seed gives the same bytes.
    pages_per_file : int, default 50
        Page files per sub-folder of ``pages/``.
    workbook : bool, default True
        Also write the two workbooks.

    Returns
    -------
    SynthSummary
        Counts, bytes, planted defects and planted convergences.

    Raises
    ------
    ValueError
        If ``entries`` or ``pages_per_file`` is below 1.
    UsageError
        If ``workbook`` is asked for and openpyxl (the ``synth`` extra) is not installed.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     s = write_register(tmp, entries=12, seed=1, workbook=False)
    >>> s.entries, s.pages >= 1, s.bytes > 50_000
    (12, True, True)
    """
    if entries < 1 or pages_per_file < 1:
        raise ValueError("entries and pages_per_file must be at least 1")
    if workbook:
        require_openpyxl()
    root = Path(directory)
    w = _Writer(seed)
    counts = _entry_counts(w, entries)
    orgs = _organisations(w, len(counts))
    ccgs = [o.name for o in orgs if o.kind == "ccg"] or ["NHS Mid Essex CCG"]
    written: list[Path] = []
    page_bytes = 0
    drawn: list[_Entry] = []
    for i, (org, n) in enumerate(zip(orgs, counts, strict=True)):
        page_entries = _page_entries(w, org, n, [c for c in ccgs if c != org.name] or ccgs)
        drawn += page_entries
        layout = "newer" if org.kind == "ccg" or w.chance(0.4) else w.pick(("older", "earliest"))
        data = _page(w, org, page_entries, layout).encode("utf-8")
        path = root / "pages" / f"{i // pages_per_file:03d}" / f"{i:05d}_{_slug(org.name)}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written.append(path)
        page_bytes += len(data)
    statements = releases = 0
    if workbook:
        sample = drawn[::12][: max(1, entries // 12)]
        releases = _workbook_2017(w, sample, root / "ReleaseRegister-synthetic.xlsx")
        statements = len(sample)
        uses = drawn[5::25]
        if uses:
            releases += _workbook_data_uses(w, uses, root / "DataUsesRegister-synthetic.xlsx")
            statements += len(uses)
        written += [
            p for p in (root / "ReleaseRegister-synthetic.xlsx", root / "DataUsesRegister-synthetic.xlsx") if p.exists()
        ]
    total = sum(p.stat().st_size for p in written)
    return SynthSummary(
        entries,
        len(counts),
        len(written),
        page_bytes,
        total,
        statements,
        releases,
        dict(w.defects),
        tuple(w.planted),
        tuple(str(p) for p in written),
    )


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60]
