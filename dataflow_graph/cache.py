"""The load cache: what reading and extracting gave, kept per input content on the user's disk.

``api.load(paths, cache=True)`` (and every ``dfg`` command unless ``--no-cache``) keeps
what it computed from the inputs in the cache folder, and the next load of the same
inputs reads it back instead of parsing and extracting again.

Where
    ``$DFG_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/dataflow-graph``, else
    ``~/.cache/dataflow-graph``.  Created with mode ``0o700``.

What
    One file per part of a load, ``<code>-<key>.<part>.pickle``: ``read`` (entries, pages,
    released files, diagnostics, sources, digests), ``flows`` (the flows, the gazetteer
    they were resolved with, the diagnostics after extraction), ``convergences`` (the
    whole register's findings) and ``recipients`` (the organisation id of each released-file
    recipient spelling).  Each part is written when first computed and read only
    when asked for.

The key
    The SHA-256 of: the package version, the bytes of every source and reviewed data file
    of the package (``*.py``, ``names/*.yaml``, ``extract/rules.yaml``; :func:`code_digest`),
    the versions of Python and of the libraries that read workbooks and find convergences
    (python-calamine, networkx; and pyoxigraph, for the stores of ``dfg sparql --store``;
    :func:`environment_digest`), the read limits, and for each input in order its path,
    display name, the SHA-256 of its bytes (as read, once) and what reading it reported.
    Any change to any of them is another key: a stale entry is never served.  Files of
    another code digest are removed when a new entry is written (those of other library
    versions are kept: the folder is shared by the user's virtual environments).

Guarantees
    A file is written to a temporary file in the folder and renamed over its place in one
    step: a reader sees a whole file or none, and of two processes writing the same entry
    one whole file is left.  Each file starts with a magic line and the SHA-256 of the rest,
    and holds its own key: a file that is cut short, damaged, of another format or another
    key is not used; it is reported in one note and rebuilt.

Trust
    A cache file is a pickle, which runs code when read: it is trusted as the user's own
    data, like any pickle the user wrote.  So the folder must be the user's own: a folder
    (or a file) owned by someone else, or writable by the group or others, is refused with
    a note and nothing is read from or written to it.  Cache files are never read from
    anywhere else.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import os
import pickle
import secrets
import stat
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from ._speed import cyclic_gc_paused, record_dumps

__all__ = [
    "CacheInfo",
    "LoadCache",
    "cache_folder",
    "clear",
    "code_digest",
    "environment_digest",
    "info",
    "input_key",
    "source_files",
]

#: The first bytes of every cache file; the number changes with the layout of what follows.
MAGIC = b"dataflow-graph cache 2\n"
SUFFIX = ".pickle"
PACKAGE = Path(__file__).resolve().parent

#: Who is told about a cache file that was not used, or a folder that is refused.
Note = Callable[[str], object]


def cache_folder(environ: dict[str, str] | os._Environ[str] | None = None) -> Path:
    """``$DFG_CACHE_DIR``, else ``$XDG_CACHE_HOME/dataflow-graph``, else ``~/.cache/dataflow-graph``.

    >>> cache_folder({"DFG_CACHE_DIR": "/tmp/c"}), cache_folder({"XDG_CACHE_HOME": "/x", "HOME": "/h"})
    (PosixPath('/tmp/c'), PosixPath('/x/dataflow-graph'))
    >>> cache_folder({"HOME": "/h"})
    PosixPath('/h/.cache/dataflow-graph')
    """
    env = os.environ if environ is None else environ
    if env.get("DFG_CACHE_DIR"):
        return Path(env["DFG_CACHE_DIR"])
    xdg = env.get("XDG_CACHE_HOME", "")
    if xdg and Path(xdg).is_absolute():  # the XDG rule: a relative value is ignored
        return Path(xdg) / "dataflow-graph"
    home = env.get("HOME") or str(Path.home())
    return Path(home) / ".cache" / "dataflow-graph"


def source_files() -> list[Path]:
    """Every file whose content the cached results depend on: the package's code and reviewed data.

    Listed with :func:`os.walk` (a third of the time of ``Path.rglob`` twice: every warm
    command lists them)."""
    return sorted(
        Path(folder, name) for folder, _, names in os.walk(PACKAGE) for name in names if name.endswith(_CODE_SUFFIXES)
    )


_CODE_SUFFIXES = (".py", ".yaml")


#: The installed distributions whose version can change what is kept: python-calamine reads
#: the workbooks, networkx finds the convergences, pyoxigraph writes ``dfg sparql --store``'s
#: stores (keyed on this digest too).  The default cache folder is shared by every virtual
#: environment of the user.
_DEPENDENCIES = ("networkx", "pyoxigraph", "python-calamine")


def _version(name: str = "dataflow-graph") -> str:
    """An installed distribution's version (this package's by default), from the ``Version``
    line of its metadata's header; "unknown" where it is not installed.

    Not ``importlib.metadata.version``: it parses the whole metadata (the README is in it)
    with :mod:`email`, three times the cost of this (about 3 ms of a warm command)."""
    try:
        from importlib.metadata import distribution

        text = distribution(name).read_text("METADATA") or ""
    except Exception:  # not installed: the source digest still names the code
        return "unknown"
    header = text.partition("\n\n")[0]
    for line in header.splitlines():
        name, colon, value = line.partition(":")
        if colon and name.strip().lower() == "version":
            return value.strip()
    return "unknown"


_CODE: dict[str, str] = {}


def code_digest() -> str:
    """The SHA-256 of the package version and of every file :func:`source_files` lists (once per process)."""
    if "digest" not in _CODE:
        _CODE["digest"] = _digest([_version(), *(part for p in source_files() for part in (p.name, p.read_bytes()))])
    return _CODE["digest"]


def environment_digest() -> str:
    """The SHA-256 of the versions of Python (its Unicode tables among them) and of
    :data:`_DEPENDENCIES` (once per process).

    Part of each load's key, not of the code digest that names the files to keep: two
    virtual environments of one user with other library versions keep apart entries in the
    shared folder, instead of removing each other's on every write."""
    if "environment" not in _CODE:
        import sys
        import unicodedata

        versions = [sys.version, unicodedata.unidata_version, *(f"{n}={_version(n)}" for n in _DEPENDENCIES)]
        _CODE["environment"] = _digest(versions)
    return _CODE["environment"]


def _digest(chunks: Iterable[bytes | str]) -> str:
    """The SHA-256 of ``chunks``, each preceded by its length (so no two lists give one stream)."""
    h = hashlib.sha256()
    for chunk in chunks:
        data = chunk.encode("utf-8", "surrogatepass") if isinstance(chunk, str) else chunk
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


def input_key(limits: object, pieces: Iterable[tuple[str, str, str, Iterable[str]]]) -> str:
    """The key of one load: the read limits and, per input, its path, display name, digest and notes.

    >>> a = input_key("limits", [("p.txt", "p.txt", "ab12", [])])
    >>> b = input_key("limits", [("p.txt", "p.txt", "ab13", [])])
    >>> a == input_key("limits", [("p.txt", "p.txt", "ab12", [])]), a == b
    (True, False)
    """
    chunks: list[str] = [repr(limits)]
    for path, display, digest, notes in pieces:
        chunks += [path, display, digest, *notes, "\x00"]
    return _digest(chunks)


# ---------------------------------------------------------------------------------------
# The folder


class _RefusedError(Exception):
    """The cache folder or a file in it is not the user's own."""


def _own(st: os.stat_result, what: str) -> None:
    """Refuse what is not the user's own, or what others may write."""
    if hasattr(os, "geteuid") and st.st_uid != os.geteuid():
        raise _RefusedError(f"{what} is owned by another user")
    if st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise _RefusedError(f"{what} is writable by others (mode {stat.S_IMODE(st.st_mode):o}); chmod go-w to use it")


@dataclasses.dataclass
class LoadCache:
    """The cache of one load: its folder, key and the parts already there."""

    folder: Path
    key: str
    note: Note | None = None
    usable: bool = True

    @classmethod
    def open(cls, folder: Path, key: str, note: Note | None = None) -> LoadCache:
        """The cache of ``key`` in ``folder`` (created if missing); unusable, with a note, if refused."""
        cache = cls(folder, f"{code_digest()[:16]}-{_digest([key, environment_digest()])}", note)
        try:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            _own(folder.stat(), f"the cache folder {folder}")
        except (OSError, _RefusedError) as exc:
            cache.usable = False
            cache._say(f"not using the cache: {_why(exc)}")
        return cache

    def path(self, part: str) -> Path:
        return self.folder / f"{self.key}.{part}{SUFFIX}"

    def get(self, part: str) -> Any | None:
        """What was kept for ``part`` of this load, or None (missing, or not usable: then said once)."""
        if not self.usable:
            return None
        path = self.path(part)
        try:
            with open(path, "rb") as f:
                _own(os.fstat(f.fileno()), f"cache file {path}")
                data = f.read()
        except FileNotFoundError:
            return None
        except (OSError, _RefusedError) as exc:
            self._say(f"cache file {path} not used ({_why(exc)}); rebuilding it")
            return None
        head = len(MAGIC) + 32
        body = memoryview(data)[head:]  # not a copy of megabytes
        if not data.startswith(MAGIC) or hashlib.sha256(body).digest() != data[len(MAGIC) : head]:
            self._say(f"cache file {path} is damaged or of another version; rebuilding it")
            return None
        try:
            with cyclic_gc_paused():
                key, kept_part, value = pickle.loads(body)  # the user's own file (see Trust)
        except Exception as exc:  # whatever a damaged pickle raises
            self._say(f"cache file {path} cannot be read ({type(exc).__name__}); rebuilding it")
            return None
        if (key, kept_part) != (self.key, part):
            self._say(f"cache file {path} holds another entry; rebuilding it")
            return None
        return value

    def put(self, part: str, value: object) -> None:
        """Keep ``value`` as ``part`` of this load (atomically); a failure is one note, never an error."""
        if not self.usable:
            return
        payload = record_dumps((self.key, part, value))  # records as their fields
        try:
            _write_atomic(self.path(part), MAGIC + hashlib.sha256(payload).digest() + payload)
            self._prune()
        except OSError as exc:
            self.usable = False
            self._say(f"cache not written in {self.folder}: {_why(exc)}")

    def _prune(self) -> None:
        """Remove the files of other code digests: no run of this code reads them."""
        mine = self.key.partition("-")[0]
        for path in _entries(self.folder):
            if path.name.endswith(SUFFIX) and not path.name.startswith(mine + "-"):
                with contextlib.suppress(OSError):
                    path.unlink()

    def _say(self, text: str) -> None:
        if self.note is not None:
            self.note(text)


def _write_atomic(path: Path, blob: bytes) -> None:
    """Write ``blob`` to a new temporary file next to ``path``, then rename it over ``path``.

    Not flushed to disk first: a file cut short by a crash fails its checksum and is rebuilt.
    """
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
    try:
        try:
            view = memoryview(blob)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def _entries(folder: Path) -> Iterator[Path]:
    """The cache files in ``folder`` and the temporary files of writes cut off."""
    try:
        names = sorted(os.listdir(folder))
    except FileNotFoundError:
        return
    for name in names:
        if name.endswith(SUFFIX) or (name.startswith(".") and name.endswith(".tmp") and SUFFIX in name):
            yield folder / name


@dataclasses.dataclass(frozen=True)
class CacheInfo:
    """What ``dfg cache info`` shows."""

    folder: Path
    entries: int
    files: int
    size: int
    refused: str | None = None


def info(folder: Path | None = None) -> CacheInfo:
    """The folder, the number of loads kept (each one to three files) and their total size in bytes."""
    folder = cache_folder() if folder is None else folder
    files = [p for p in _entries(folder) if p.name.endswith(SUFFIX)]
    refused = None
    with contextlib.suppress(FileNotFoundError):
        try:
            _own(folder.stat(), f"the cache folder {folder}")
        except _RefusedError as exc:
            refused = str(exc)
    size = 0
    for p in files:
        with contextlib.suppress(OSError):
            size += p.stat().st_size
    keys = {p.name.split(".")[0] for p in files}
    return CacheInfo(folder, len(keys), len(files), size, refused)


def clear(folder: Path | None = None) -> int:
    """Remove every cache file (and any temporary file left) from ``folder``; the number removed."""
    folder = cache_folder() if folder is None else folder
    removed = 0
    for path in _entries(folder):
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
            removed += 1
    return removed


def _why(exc: BaseException) -> str:
    if isinstance(exc, OSError):
        return f"{exc.strerror or exc}" + (f": {exc.filename}" if exc.filename else "")
    return str(exc)
