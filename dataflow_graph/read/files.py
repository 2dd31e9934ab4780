"""The bytes of each input, read once: files, folders, standard input, FIFOs and devices.

Every input is read exactly once, into memory, and everything after (the kind sniffed
from its first bytes, the decoding, the workbook checks) works on those bytes, so a
pipe loses nothing and a file cannot change between the check and the read.

- ``-`` is standard input; ``/dev/stdin``, ``/dev/fd/N`` and ``/proc/self/fd/N`` (process
  substitution) are read the same way: as a stream, waited for as long as the writer
  takes, up to :attr:`~.limits.Limits.stream_bytes`.
- A FIFO or a device named by another path is a stream too, but one that nobody may be
  writing to: if no byte arrives within :attr:`~.limits.Limits.stream_wait` seconds it is
  skipped (DFG113).  ``/dev/zero`` stops at the size limit (DFG113).
- A regular file over :attr:`~.limits.Limits.file_bytes` is skipped unread (DFG113).
- A folder stands for its pages and register files, hidden ones left out, in sorted
  order; a sub-folder that cannot be listed is reported (DFG114), and a folder with
  nothing to read too (DFG115).

Nothing here raises on a bad path: each problem is a diagnostic and the other inputs are
still read.
"""

from __future__ import annotations

import os
import select
import stat
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from ..errors import Diagnostics, Severity, Span
from .limits import DEFAULT_LIMITS, Limits

__all__ = [
    "PAGE_SUFFIXES",
    "STDIN",
    "STDIN_DISPLAY",
    "TABLE_SUFFIXES",
    "expand_paths",
    "folder_files",
    "read_path",
    "read_stdin",
]

#: Files a folder expands to (others are ignored).
PAGE_SUFFIXES = (".txt", ".html", ".htm", ".md")
TABLE_SUFFIXES = (".csv", ".xlsx", ".xlsm", ".ods", ".tsv")
#: The path that means standard input, and the name evidence from it carries.
STDIN = "-"
STDIN_DISPLAY = "<stdin>"
#: Paths that name a stream this process was given (stdin, process substitution): its
#: writer exists, so it is waited for without a time limit.
_INHERITED = ("/dev/stdin", "/dev/fd/", "/proc/self/fd/")
_CHUNK = 1 << 20


def _report(diagnostics: Diagnostics, display: str, code: str, message: str) -> None:
    diagnostics.report(Span(display, 1, 1), code, message, Severity.ERROR)


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def read_stdin(diagnostics: Diagnostics, limits: Limits = DEFAULT_LIMITS) -> bytes | None:
    """All of standard input, once; None with a diagnostic if it is closed or over the limit."""
    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:
        _report(diagnostics, STDIN_DISPLAY, "DFG110", "cannot read standard input: it is closed")
        return None
    try:
        data = _read_limited(stream.read, limits.stream_bytes)
    except (OSError, ValueError) as exc:  # ValueError: a closed or detached stream
        reason = _reason(exc) if isinstance(exc, OSError) else str(exc)
        _report(diagnostics, STDIN_DISPLAY, "DFG110", f"cannot read standard input: {reason}")
        return None
    if data is None:
        _over(diagnostics, STDIN_DISPLAY, "standard input", "stream_bytes", limits)
    return data


def read_path(path: Path, display: str, diagnostics: Diagnostics, limits: Limits = DEFAULT_LIMITS) -> bytes | None:
    """The bytes of one file, FIFO or device; None, with a diagnostic, if it cannot be read.

    Examples
    --------
    >>> d = Diagnostics()
    >>> read_path(Path("/no/such/file"), "file", d), [str(x) for x in d]
    (None, ['file:1:1: error[DFG110] no such file or folder'])
    """
    inherited = str(path).startswith(_INHERITED)
    flags = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | (0 if inherited else getattr(os, "O_NONBLOCK", 0))
    try:
        fd = os.open(path, flags)  # non-blocking: opening a FIFO nobody writes to returns at once
    except (FileNotFoundError, NotADirectoryError):
        _report(diagnostics, display, "DFG110", "no such file or folder")
        return None
    except OSError as exc:
        _report(diagnostics, display, "DFG110", f"cannot read: {_reason(exc)}")
        return None
    except ValueError:  # a NUL character in the path
        _report(diagnostics, display, "DFG110", "cannot read: the path holds a NUL character")
        return None
    try:
        return _read_fd(fd, inherited, display, diagnostics, limits)
    except OSError as exc:
        _report(diagnostics, display, "DFG110", f"cannot read: {_reason(exc)}")
        return None
    finally:
        os.close(fd)


def _read_fd(fd: int, inherited: bool, display: str, diagnostics: Diagnostics, limits: Limits) -> bytes | None:
    """A regular file in one read; any other file as a stream, waited for and bounded."""
    info = os.fstat(fd)
    if stat.S_ISDIR(info.st_mode):
        _report(diagnostics, display, "DFG110", "cannot read: it is a folder")
        return None
    if stat.S_ISREG(info.st_mode):
        if info.st_size > limits.file_bytes:
            _over(diagnostics, display, f"this file ({info.st_size:,} bytes)", "file_bytes", limits)
            return None
        _blocking(fd)
        data = _read_limited(lambda n: os.read(fd, n), limits.file_bytes, first=info.st_size + 1)
        if data is None:  # it grew while being read
            _over(diagnostics, display, "this file (growing while read)", "file_bytes", limits)
        return data
    if not inherited and not _readable_within(fd, limits.stream_wait):
        _report(
            diagnostics,
            display,
            "DFG113",
            f"nothing was written to this {_kind(info.st_mode)} within {limits.stream_wait:g} s "
            f"({limits.describe('stream_wait')}); skipped",
        )
        return None
    _blocking(fd)
    data = _read_limited(lambda n: os.read(fd, n), limits.stream_bytes)
    if data is None:
        _over(diagnostics, display, f"this {_kind(info.st_mode)}", "stream_bytes", limits)
    return data


def _blocking(fd: int) -> None:
    """Reads wait for data again (the file was opened non-blocking)."""
    if hasattr(os, "set_blocking"):  # not on every platform; there, nothing was opened non-blocking
        os.set_blocking(fd, True)


def _kind(mode: int) -> str:
    """What a file that is not a regular file is, in words."""
    if stat.S_ISFIFO(mode):
        return "FIFO or pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    if stat.S_ISSOCK(mode):
        return "socket"
    return "special file"


def _over(diagnostics: Diagnostics, display: str, what: str, limit: str, limits: Limits) -> None:
    _report(
        diagnostics,
        display,
        "DFG113",
        f"{what} holds more than {getattr(limits, limit):,} bytes ({limits.describe(limit)}); skipped",
    )


def _readable_within(fd: int, seconds: float) -> bool:
    """True once the stream has a byte (or its writer has gone) within ``seconds``."""
    if not hasattr(select, "poll"):  # pragma: no cover - Windows: no FIFOs to wait for
        return True
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLPRI)
    deadline = time.monotonic() + seconds
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        if poller.poll(max(1, int(left * 1000))):
            return True


def _read_limited(read: Callable[[int], bytes], limit: int, first: int = _CHUNK) -> bytes | None:
    """Everything ``read(n)`` gives until it gives nothing; None past ``limit`` bytes."""
    chunks: list[bytes] = []
    total = 0
    size = max(1, min(first, limit + 1))
    while chunk := read(size):
        total += len(chunk)
        if total > limit:
            return None
        chunks.append(chunk)
        size = _CHUNK
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def folder_files(folder: Path, display: str, diagnostics: Diagnostics) -> list[Path]:
    """The pages and register files under a folder, sorted; hidden files and folders left out.

    A sub-folder that cannot be listed is reported (DFG114); a folder with nothing to read
    (empty, or only other kinds of file) is reported (DFG115).

    Examples
    --------
    >>> import tempfile
    >>> d = Diagnostics()
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     _ = (Path(tmp) / "notes.pdf").write_bytes(b"%PDF")
    ...     folder_files(Path(tmp), "f", d)
    []
    >>> print(d.items[0].code, d.items[0].message[-34:])
    DFG115 m .ods .tsv); 1 other file ignored
    """
    found: list[Path] = []
    others = 0
    unlisted: list[OSError] = []
    for top, folders, names in os.walk(folder, onerror=unlisted.append):
        folders[:] = sorted(f for f in folders if not f.startswith("."))
        for name in names:
            path = Path(top, name)
            if name.startswith("."):
                continue
            if path.suffix.lower() in PAGE_SUFFIXES + TABLE_SUFFIXES and _is_file(path):
                found.append(path)
            else:
                others += 1
    for exc in unlisted:
        where = Path(exc.filename) if exc.filename else folder
        shown = str(Path(display) / where.relative_to(folder)) if where.is_relative_to(folder) else display
        diagnostics.report(
            Span(shown, 1, 1),
            "DFG114",
            f"folder cannot be listed: {_reason(exc)}; the files in it are not read",
            Severity.ERROR,
        )
    if not found and not unlisted:
        ignored = f"; {others} other file{'s' * (others != 1)} ignored" if others else " (it is empty)"
        diagnostics.report(
            Span(display, 1, 1),
            "DFG115",
            f"folder holds no page or register file ({' '.join(PAGE_SUFFIXES + TABLE_SUFFIXES)}){ignored}",
        )
    return sorted(found)


def _is_file(path: Path) -> bool:
    """A regular file (a FIFO or device in a folder is left out); one that cannot even be
    looked at is kept, so that reading it reports why."""
    try:
        return stat.S_ISREG(path.stat().st_mode)
    except (FileNotFoundError, NotADirectoryError):  # a dangling link
        return False
    except OSError:
        return True


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files named, with each folder replaced by its readable files in sorted order.

    The listing :func:`folder_files` gives, without its diagnostics (for fingerprints of
    an input, e.g. the ``--store`` cache).
    """
    out: list[Path] = []
    for p in map(Path, paths):
        out.extend(folder_files(p, str(p), Diagnostics()) if p.is_dir() else [p])
    return out
