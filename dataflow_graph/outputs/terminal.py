"""Terminal text from rows: tables that fit the real width, cards below it, quiet diagnostics.

A table never makes a column narrower than its longest word and never breaks a word;
when the columns do not fit (or the terminal is narrower than :data:`CARDS_BELOW`), each
row becomes a card of ``label: value`` lines instead.  The width is the terminal's when
stdout is one, else ``COLUMNS``, else :data:`DEFAULT_WIDTH`.  Colour only on a terminal.
"""

from __future__ import annotations

import io
import os
import shutil
import sys
import textwrap
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Protocol

from ..errors import Diagnostics, Severity
from .documents import HasDict, dumps
from .rows import Row, eval_rows, rows_csv

if TYPE_CHECKING:  # rich where text is laid out or progress shown: `--format json` never is
    from rich.console import Console

__all__ = [
    "CARDS_BELOW",
    "DEFAULT_WIDTH",
    "FORMATS",
    "PER_CODE",
    "cards",
    "console_text",
    "diagnostics_text",
    "eval_text",
    "field_lines",
    "fitted",
    "progress",
    "render",
    "rows_table",
    "terminal_width",
    "wrapped",
]

#: What ``--format`` offers for query results.
FORMATS = ("table", "json", "csv")
#: With ``-v``, diagnostics of one code printed before the rest are only counted.
PER_CODE = 20
#: Below this many columns, records are shown as cards rather than wide tables.
CARDS_BELOW = 120
#: The width of output that goes to a file or a pipe when ``COLUMNS`` does not say.
DEFAULT_WIDTH = 100


def terminal_width() -> int:
    """The width to lay text out in: the terminal's, else ``$COLUMNS``, else 100."""
    if sys.stdout.isatty():
        return max(40, shutil.get_terminal_size((DEFAULT_WIDTH, 40)).columns)
    try:
        return max(40, int(os.environ.get("COLUMNS", "")))
    except ValueError:
        return DEFAULT_WIDTH


def _console(width: int) -> Console:
    from rich.console import Console

    return Console(
        file=io.StringIO(),
        width=width,
        force_terminal=sys.stdout.isatty(),
        force_jupyter=False,
        highlight=False,
        soft_wrap=False,
        emoji=False,
        markup=False,
    )


def console_text(*renderables: object, width: int | None = None) -> str:
    """Render rich objects (or plain strings) to text, ``width`` columns wide."""
    from rich.text import Text

    console = _console(width or terminal_width())
    for r in renderables:
        console.print(r if not isinstance(r, str) else Text(r))
    out = console.file
    assert isinstance(out, io.StringIO)
    return out.getvalue()


def _cell(v: object) -> str:
    if isinstance(v, (list, tuple)):
        return "; ".join(map(str, v))
    if isinstance(v, bool):
        return "yes" if v else "no"
    return "" if v is None else str(v)


def _label(key: str) -> str:
    return key.replace("_", " ")


def wrapped(text: str, width: int, indent: str = "", hanging: str | None = None) -> list[str]:
    """Lines of at most ``width`` characters, broken between words only (a word longer than
    a line stands alone on its line); ``hanging`` indents the lines after the first."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        lines += textwrap.wrap(
            paragraph,
            width=max(1, width),
            initial_indent=indent,
            subsequent_indent=indent if hanging is None else hanging,
            break_long_words=False,
            break_on_hyphens=False,
        ) or [indent.rstrip()]
    return lines


def _longest_word(values: Iterable[str]) -> int:
    return max((len(w) for v in values for w in v.split()), default=0)


_GAP = 2  # spaces between columns


def fitted(headers: Sequence[str], rows: Sequence[Sequence[str]], width: int) -> bool:
    """True when a table of these columns fits ``width`` with no column narrower than its longest word."""
    return sum(_widths(headers, rows)[0]) + _GAP * (len(headers) - 1) <= width


def _widths(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> tuple[list[int], list[int]]:
    """Each column's least width (its longest word) and its natural width (its longest cell)."""
    least = [max(_longest_word([h]), _longest_word(r[i] for r in rows), 1) for i, h in enumerate(headers)]
    natural = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    return least, natural


def _layout(least: list[int], natural: list[int], width: int) -> list[int]:
    """Column widths: every column its least width, the room left shared in proportion to what
    each still lacks of its natural width."""
    room = width - sum(least) - _GAP * (len(least) - 1)
    lack = [n - m for n, m in zip(natural, least, strict=True)]
    total = sum(lack)
    if total <= room:
        return natural
    widths = [m + (room * d) // total for m, d in zip(least, lack, strict=True)]
    spare = room - sum(w - m for w, m in zip(widths, least, strict=True))
    for i in sorted(range(len(widths)), key=lambda i: -lack[i])[:spare]:
        widths[i] += 1
    return widths


def _plain_table(title: str, headers: Sequence[str], rows: Sequence[Sequence[str]], width: int) -> str:
    """A table with a rule under its header; cells wrapped between words to their column."""
    widths = _layout(*_widths(headers, rows), width)
    pad = " " * _GAP

    def line(cells: Sequence[str]) -> list[str]:
        parts = [wrapped(c, w) if c else [""] for c, w in zip(cells, widths, strict=True)]
        depth = max(len(p) for p in parts)
        return [
            pad.join((parts[i][k] if k < len(parts[i]) else "").ljust(widths[i]) for i in range(len(widths))).rstrip()
            for k in range(depth)
        ]

    out = [*wrapped(title, width), *line(headers), pad.join("─" * w for w in widths)]
    for r in rows:
        out += line(r)
    return "\n".join(out) + "\n"


def rows_table(found: Sequence[Row], title: str, *, width: int | None = None, as_cards: bool | None = None) -> str:
    """Flat rows as a table that fits, or as cards (``as_cards`` forces one or the other);
    ``title: nothing found`` when there are none."""
    width = width or terminal_width()
    if not found:
        return f"{title}: nothing found\n"
    headers = [_label(h) for h in found[0]]
    cells = [[_cell(row.get(h)) for h in found[0]] for row in found]
    fits = width >= CARDS_BELOW and fitted(headers, cells, width)
    if fits if as_cards is None else not as_cards:
        return _plain_table(title, headers, cells, width)
    return cards(title, [list(zip(headers, r, strict=True)) for r in cells], width=width)


def field_lines(fields: Sequence[tuple[str, str]], width: int, indent: str = "   ") -> list[str]:
    """``label: value`` lines, labels aligned, values wrapped between words; empty values left out."""
    present = [(k, v) for k, v in fields if v not in ("", None)]
    pad = max((len(k) for k, _ in present), default=0)
    out: list[str] = []
    for key, value in present:
        first = f"{indent}{key + ':':<{pad + 1}} "
        lines = wrapped(value, width - len(first))
        out.append(first + lines[0].lstrip())
        out += [" " * len(first) + line for line in lines[1:]]
    return out


def cards(title: str, records: Sequence[Sequence[tuple[str, str]]], *, width: int | None = None) -> str:
    """Records as cards: the first field as the card's heading, then ``label: value`` lines."""
    width = width or terminal_width()
    out = [*wrapped(title, width), ""]
    for n, fields in enumerate(records, 1):
        present = [(k, v) for k, v in fields if v not in ("", None)]
        if not present:
            continue
        out += wrapped(f"{n}. {present[0][1]}" if len(records) > 1 else present[0][1], width)
        out += field_lines(present[1:], width)
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


@contextmanager
def progress(text: str, *, show: bool) -> Iterator[None]:
    """A transient progress bar on stderr for the step ``text``, shown only if it lasts over a second."""
    if not show:
        yield
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    bar = Progress(
        SpinnerColumn(),
        TextColumn(text),
        BarColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    bar.add_task(text, total=None)
    timer = threading.Timer(1.0, bar.start)
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
        bar.stop()


class Score(HasDict, Protocol):
    """A gold score (:class:`dataflow_graph.extract.Score`): precision and recall, core and extended."""

    @property
    def core_precision(self) -> float: ...
    @property
    def core_recall(self) -> float: ...
    @property
    def extended_precision(self) -> float: ...
    @property
    def extended_recall(self) -> float: ...
    @property
    def counts(self) -> dict[str, int]: ...


def eval_text(score: Score, fmt: str, *, width: int | None = None, csv_raw: bool = False) -> str:
    """``dfg eval``: JSON, or precision and recall lines then the misses and extras (table or CSV,
    formula starts neutralised unless ``csv_raw``: :func:`~dataflow_graph.outputs.rows.rows_csv`)."""
    if fmt == "json":
        return dumps(score.as_dict())
    lines = [
        f"core precision {score.core_precision:.3f}  recall {score.core_recall:.3f}",
        f"extended precision {score.extended_precision:.3f}  recall {score.extended_recall:.3f}",
        f"counts {score.counts}",
    ]
    rows = eval_rows(score)
    body = rows_csv(rows, raw=csv_raw) if fmt == "csv" else rows_table(rows, "Misses and extras", width=width)
    return "\n".join(lines) + "\n" + body


def render(
    document: object, rows: Sequence[Row], fmt: str, title: str, *, width: int | None = None, csv_raw: bool = False
) -> str:
    """A command's result as ``fmt``: the JSON document, or its rows as CSV (formula starts
    neutralised unless ``csv_raw``: :func:`~dataflow_graph.outputs.rows.rows_csv`) or a table."""
    if fmt == "json":
        return dumps(document)
    if fmt == "csv":
        return rows_csv(rows, raw=csv_raw)
    return rows_table(rows, title, width=width)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def diagnostics_text(diagnostics: Diagnostics, *, quiet: bool, verbose: bool) -> str:
    """Diagnostics for stderr.

    By default errors are printed (``path:line:col`` first) and everything else is one
    summary line ("19 notes, 1 warning: -v shows them"); ``verbose`` prints every
    diagnostic (at most :data:`PER_CODE` of one code, then a count: ``--errors-csv`` has
    them all); ``quiet`` prints errors only, without the summary.
    """
    lines = []
    shown: dict[str, int] = {}
    hidden = {Severity.WARNING: 0, Severity.NOTE: 0}
    for d in diagnostics:
        if d.severity is not Severity.ERROR and not verbose:
            hidden[d.severity] += 1
            continue
        shown[d.code] = shown.get(d.code, 0) + 1
        if shown[d.code] <= PER_CODE:
            lines.append(str(d))
    for code, n in sorted(shown.items()):
        if n > PER_CODE:
            lines.append(f"... and {n - PER_CODE} more {code} diagnostics (--errors-csv FILE lists them all)")
    if not quiet:
        c = diagnostics.counts()
        summary = f"{_plural(c['read'], 'entry')} read ({c['parsed']} parsed, {c['rejected']} rejected)"
        summary = summary.replace("entrys", "entries")
        tucked = [_plural(n, sev.value) for sev, n in hidden.items() if n]
        if tucked:
            summary += f"; {', '.join(tucked)}: -v shows them"
        lines.append(summary)
    return "".join(f"{line}\n" for line in lines)
