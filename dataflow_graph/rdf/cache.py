"""The on-disk store of ``dfg sparql --store DIR``: built once per input, shared by processes.

What is under ``DIR``:

``DIR/<key>/``
    A complete pyoxigraph (RocksDB) store of one input; ``key`` is :func:`input_key` of the
    base IRI, ``ontology/dataflow.ttl`` (the concepts graph) and what the load cache keys a
    load on: this package's code and data files, the versions of Python and of the libraries
    that read and find, the read limits and each input's bytes as read once (standard
    input and pipes too).
``DIR/.lock``
    Held exclusively (``flock``) while a store is looked for, built, swapped in or removed.
``DIR/.<key>.lock``
    Held shared by every process that has ``<key>`` open, for as long as it runs.
``DIR/.<key>.<random>.tmp/``
    A build in progress, private to the process building it.

What that guarantees:

- A store is built in a private temporary folder next to its place, then renamed into place
  in one step, all under ``DIR/.lock``: nobody sees a half store, two processes never build
  into one folder, and of two runs started together on the same input, the second waits
  for the first and opens the store it built.
- Stores are opened read-only (any number of processes at once), and :func:`cached_store`
  gives nothing that can be updated (``--allow-update`` with ``--store`` is refused), so a
  store always holds what its input gives.
- The store of an older input is removed only when no process has it open; otherwise a
  later run removes it.
- A build cut off (the process killed) leaves its temporary folder, which the next build
  removes; a lock is released when its process ends, however it ends.

``flock`` locks work on local file systems; on NFS they may not, so do not share ``DIR``
across machines.

>>> input_key([b"page", "base=x"])[:12]
'a1bc2d758c1a'
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
import shutil
import stat
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from ..errors import DataflowGraphError, UsageError
from .store import inner_store

__all__ = ["Built", "StoreError", "cached_store", "input_key"]

#: What builds a cached store: a pyoxigraph store, an rdflib graph, or N-Quads.
Built = ox.Store | Graph | bytes

_KEY = re.compile(r"[0-9a-f]{16,128}")
_TEMPORARY = re.compile(r"\.[0-9a-f]{16,128}(\.[^/]*)?\.tmp")

#: Stores this process has open, by resolved path, and the descriptors of their shared locks.
_OPEN: dict[str, ox.Store] = {}
_HELD: dict[str, int] = {}
_THREADS = threading.Lock()


class StoreError(DataflowGraphError):
    """The store folder cannot be used: not writable, full, or holding a damaged store."""


def input_key(chunks: Iterable[bytes | str]) -> str:
    """A cache key: the SHA-256 of the inputs (file bytes, options), in the order given."""
    h = hashlib.sha256()
    for chunk in chunks:
        data = chunk.encode("utf-8") if isinstance(chunk, str) else chunk
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


def cached_store(directory: str | Path, key: str, build: Callable[[], Built]) -> ox.Store:
    """The read-only on-disk store for ``key`` under ``directory``, built once (``--store``).

    Parameters
    ----------
    directory
        The store folder (created if missing).
    key
        A hex digest naming the input (:func:`input_key`).
    build
        Returns a pyoxigraph store, an rdflib graph or N-Quads bytes; called only when no
        store of ``key`` is there yet, by one process at a time.

    Returns
    -------
    pyoxigraph.Store
        Opened read-only; an update on it fails.

    Raises
    ------
    UsageError
        If ``key`` is not a hex digest.
    StoreError
        If the folder cannot be created or written, the build fails for want of space, or
        the store there cannot be opened (then removing the folder rebuilds it).
    """
    if not _KEY.fullmatch(key):
        raise UsageError(f"store key {key!r} is not a hex digest")
    root = Path(directory)
    target = root / key
    with _THREADS:  # flock orders processes; this orders the threads of one
        try:
            root.mkdir(parents=True, exist_ok=True)
            place = str(target.resolve())
            if place in _OPEN:
                return _OPEN[place]
            with _locked(root / ".lock"):
                _hold(root, key, place)
                store = _open(target)
                if store is None:
                    _build(root, key, build)
                    store = _open(target)
                _remove_others(root, key)
        except OSError as exc:
            raise StoreError(f"cannot use the store folder {root}: {exc.strerror or exc}") from exc
        if store is None:
            raise StoreError(f"the store just built in {target} cannot be opened")
        _OPEN[place] = store
        return store


@contextlib.contextmanager
def _locked(path: Path, how: int = fcntl.LOCK_EX) -> Iterator[int]:
    """Hold an ``flock`` lock on ``path`` (created if missing) for the ``with`` block."""
    fd = _lock_file(path)
    try:
        fcntl.flock(fd, how)
        yield fd
    finally:
        os.close(fd)  # closing the last descriptor releases the lock


def _lock_file(path: Path) -> int:
    """A descriptor of the lock file ``path``, created if missing (read-only if that is all we may)."""
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    except PermissionError:
        return os.open(path, os.O_RDONLY)


def _hold(root: Path, key: str, place: str) -> None:
    """Take (and keep, while this process runs) the shared lock of ``key``'s store."""
    if place in _HELD:
        return
    fd = _lock_file(root / f".{key}.lock")
    fcntl.flock(fd, fcntl.LOCK_SH)  # only a remover holds it exclusively, and under .lock
    _HELD[place] = fd


def _release(place: str) -> None:
    """Forget this process's store at ``place`` and let go of its shared lock."""
    _OPEN.pop(place, None)
    fd = _HELD.pop(place, None)
    if fd is not None:
        os.close(fd)


def _open(target: Path) -> ox.Store | None:
    """The store at ``target`` opened read-only, or None if there is none."""
    if not target.is_dir():
        return None
    try:
        return ox.Store.read_only(str(target))
    except OSError as exc:
        raise StoreError(
            f"the cached store {target} cannot be opened ({exc}); remove that folder to rebuild it"
        ) from exc


def _build(root: Path, key: str, build: Callable[[], Built]) -> None:
    """Build ``key``'s store in a private temporary folder and rename it into place."""
    for old in root.iterdir():  # builds cut off; no one else is building (we hold .lock)
        if _TEMPORARY.fullmatch(old.name) and old.is_dir():
            shutil.rmtree(old, ignore_errors=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{key}.", suffix=".tmp", dir=root))
    try:
        store = ox.Store(str(tmp))
        _load_into(store, build())
        store.optimize()
        store.flush()
        del store  # closes RocksDB before the rename
        os.chmod(tmp, stat.S_IMODE(root.stat().st_mode))  # as its folder, not mkdtemp's 0o700
        os.rename(tmp, root / key)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _remove_others(root: Path, key: str) -> None:
    """Remove the stores of other keys that no process has open."""
    for old in sorted(root.iterdir()):
        if old.name == key or not _KEY.fullmatch(old.name) or not old.is_dir():
            continue
        _release(str(old.resolve()))
        lock = root / f".{old.name}.lock"
        fd = _lock_file(lock)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)  # in use by another process: a later run removes it
            continue
        shutil.rmtree(old, ignore_errors=True)
        lock.unlink(missing_ok=True)
        os.close(fd)


def _load_into(store: ox.Store, built: Built) -> None:
    """Bulk-load what ``build`` returned into ``store``."""
    if isinstance(built, bytes):
        data = built
    elif isinstance(built, ox.Store):
        data = built.dump(format=ox.RdfFormat.N_QUADS) or b""
    elif (inner := inner_store(built)) is not None:
        data = inner.dump(format=ox.RdfFormat.N_QUADS) or b""
    else:
        data = built.serialize(format="nquads", encoding="utf-8")
    store.bulk_load(data, format=ox.RdfFormat.N_QUADS)
