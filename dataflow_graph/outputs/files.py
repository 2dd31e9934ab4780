"""Writing what the commands produce: files replaced atomically, stdout written whole.

Every file the CLI writes (``-o``, ``--errors-csv``, ``dfg html``, ``dfg export``) goes
through :func:`write_file`: the bytes are written to a temporary file in the same folder
(``.<name>.<random>.tmp``), flushed to disk, and renamed over the target in one step
(:func:`os.replace`).  So a reader sees the old file or the new one, never a part; and when
the write fails (disk full, a file size limit, no permission) the old file is left as it
was, the temporary file is removed, and the caller gets one :class:`OutputError` line.

- A symbolic link is followed: the file it points to is replaced, the link stays.
- A file replaced keeps its permission bits; a new one gets the usual ``0o666`` less the
  umask.  A file without write permission is refused, as ``open`` would refuse it.
- A target that is not a regular file (``/dev/null``, ``/dev/full``, a named pipe) cannot
  be replaced: it is written in place, and a failure is still one line.
- ``-`` (or no path) means stdout, written by :func:`write_stdout`, which loops until every
  byte is out (an unbuffered stdout, ``PYTHONUNBUFFERED=1``, takes at most 2 GiB a write).

Only a process killed between the write and the rename leaves its temporary file behind.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
import sys
import time
from pathlib import Path
from typing import IO

from ..errors import DataflowGraphError

__all__ = ["OutputError", "write_file", "write_output", "write_stdout"]


class OutputError(DataflowGraphError):
    """An output that could not be written; the previous file, if any, is unchanged."""


def write_output(data: bytes | str, path: str | os.PathLike[str] | None) -> None:
    """Write ``data`` to ``path`` atomically, or to stdout when ``path`` is None or ``-``."""
    if path is None or os.fspath(path) == "-":
        write_stdout(data)
    else:
        write_file(path, data)


def write_file(path: str | os.PathLike[str], data: bytes | str) -> None:
    """Replace the file at ``path`` with ``data`` (text is written as UTF-8) in one step.

    Raises
    ------
    OutputError
        If it cannot be written; the file that was there is unchanged and no part is left.

    Examples
    --------
    >>> import tempfile
    >>> folder = tempfile.mkdtemp()
    >>> write_file(f"{folder}/out.txt", "new\\n")
    >>> open(f"{folder}/out.txt").read(), sorted(os.listdir(folder))
    ('new\\n', ['out.txt'])
    """
    blob = data.encode("utf-8") if isinstance(data, str) else data
    shown = os.fspath(path)
    target = Path(os.path.realpath(path))
    try:
        st = target.stat()
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise OutputError(f"cannot write {shown}: {_why(exc)}") from exc
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise OutputError(f"cannot write {shown}: it is a folder")
    if st is not None and not stat.S_ISREG(st.st_mode):
        _write_in_place(target, blob, shown)
        return
    if st is not None and not os.access(target, os.W_OK):
        raise OutputError(f"cannot write {shown}: permission denied (the file is read-only)")
    _replace(target, blob, shown, None if st is None else stat.S_IMODE(st.st_mode))


def _replace(target: Path, blob: bytes, shown: str, mode: int | None) -> None:
    """Write ``blob`` to a temporary file next to ``target``, then rename it over ``target``."""
    tmp: Path | None = None
    try:
        fd, tmp = _temporary(target)
        try:
            _write_all(fd, blob)
            if mode is not None:
                os.fchmod(fd, mode)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, target)
        tmp = None
        _sync_folder(target.parent)
    except OSError as exc:
        where = f" (in {target.parent})" if isinstance(exc, PermissionError) else ""
        raise OutputError(f"cannot write {shown}: {_why(exc)}{where}; nothing was changed") from exc
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                tmp.unlink()


def _temporary(target: Path) -> tuple[int, Path]:
    """A new temporary file in ``target``'s folder, opened for writing, and its path."""
    stem = target.name[:180]
    while True:
        tmp = target.with_name(f".{stem}.{secrets.token_hex(4)}.tmp")
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666), tmp
        except FileExistsError:
            continue


def _write_in_place(target: Path, blob: bytes, shown: str) -> None:
    """Write to a device or a pipe, which cannot be replaced."""
    try:
        fd = os.open(target, os.O_WRONLY | os.O_CLOEXEC)
        try:
            _write_all(fd, blob)
        finally:
            os.close(fd)
    except OSError as exc:
        raise OutputError(f"cannot write {shown}: {_why(exc)}") from exc


def _write_all(fd: int, blob: bytes) -> None:
    """Write every byte (one ``write`` may take fewer)."""
    view = memoryview(blob)
    while view:
        view = view[os.write(fd, view) :]


def _sync_folder(folder: Path) -> None:
    """Flush the rename to disk where the system allows it (best effort)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_stdout(data: bytes | str, stream: IO[str] | None = None) -> None:
    """Write ``data`` to stdout (text in stdout's encoding), every byte, then flush.

    Raises
    ------
    OutputError
        If stdout cannot take it (a full disk, a closed pipe).
    """
    out = stream if stream is not None else sys.stdout
    binary = getattr(out, "buffer", None)
    try:
        if binary is None:  # a text-only stream (a notebook, a test's StringIO)
            out.write(data if isinstance(data, str) else data.decode("utf-8", "replace"))
            out.flush()
            return
        out.flush()
        blob = data.encode(getattr(out, "encoding", None) or "utf-8", "replace") if isinstance(data, str) else data
        view = memoryview(blob)
        while view:
            n = binary.write(view)
            if n is None:  # a non-blocking stdout that is full: wait for room
                time.sleep(0.01)
                continue
            view = view[n:]
        binary.flush()
    except BrokenPipeError as exc:
        _silence_stdout()
        raise OutputError("cannot write to stdout: the reading end of the pipe was closed") from exc
    except OSError as exc:
        _silence_stdout()
        raise OutputError(f"cannot write to stdout: {_why(exc)}") from exc


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's last flush does not fail again."""
    with contextlib.suppress(OSError, AttributeError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def _why(exc: OSError) -> str:
    """The reason of an OS error in words ("No space left on device")."""
    return exc.strerror or str(exc)
