"""How nodes are named: every IRI is minted from content, under one base.

The same register gives the same IRIs whatever path, folder or order its files were given in
(no counters, no positions, no blank nodes, never the typed path), so two editions can be
diffed: ``<base>org/<slug>``, ``<base>graph/<agreement core>``, ``<base>agreement/<core>``,
``<base>entry/<reference>`` (``<reference>~<digest>`` where several entries share one),
``<base>flow/<entry key>/<n>/hop/<i>``, ``<base>copy/<core>/<family>/<level>``,
``<base>file/<SHA-256 of its bytes>``, ``<base>evidence/<digest of file, line and text>``,
``<base>release/<row id>`` (``<row id>~<digest>`` where released files that differ share
one), ``<base>finding/<recipient>/<family>``.  Each key is one path
segment, %-encoded where it is not unreserved.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import quote

from rdflib import URIRef

from .._speed import memoised
from ..errors import UsageError
from ..model import Entry, Identifiability, Release
from . import DEFAULT_BASE

__all__ = [
    "DEFAULT_BASE",
    "Located",
    "NodeIris",
    "SourceFiles",
    "base_name",
    "check_base",
    "digest",
    "entry_keys",
    "evidence_key",
    "flow_number",
    "graph_iri",
    "normalised",
    "org_iri",
    "release_keys",
    "segment",
    "slug",
    "sub",
]

_SLUG = re.compile(r"[^a-z0-9]+")
_SEGMENT_SAFE = "-._~:"
#: ``quote(…, safe=_SEGMENT_SAFE)`` for ASCII text, as one ``str.translate`` (ids carry file paths).
_ASCII_QUOTE = {c: f"%{c:02X}" for c in range(128) if not (chr(c).isalnum() or chr(c) in _SEGMENT_SAFE)}
_BASE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:[^\s<>\"{}|\\^`]*[/#]$")


@memoised(maxsize=1 << 16)
def segment(text: str) -> str:
    """One path segment of an IRI: unreserved characters kept, everything else %-encoded.

    >>> segment("a/b.txt#1 x") == quote("a/b.txt#1 x", safe=_SEGMENT_SAFE)
    True
    """
    text = text.strip()
    if text.isascii():
        return text.translate(_ASCII_QUOTE) or "_"
    return quote(text, safe=_SEGMENT_SAFE) or "_"


@memoised(maxsize=1 << 14)
def slug(text: str) -> str:
    """A name folded to lower-case words joined by ``-`` (units, datasets).

    >>> slug("Controlled Environment for Finance (CEfF)")
    'controlled-environment-for-finance-ceff'
    """
    return _SLUG.sub("-", text.casefold()).strip("-") or "unnamed"


def check_base(base: str) -> str:
    """``base`` itself, if it is an absolute IRI ending in ``/`` or ``#``.

    Raises
    ------
    UsageError
        Otherwise.
    """
    if not _BASE.match(base):
        raise UsageError(f"base IRI {base!r} must be an absolute IRI ending in '/' or '#'")
    return base


def org_iri(org_id: str, base: str = DEFAULT_BASE) -> URIRef:
    """The IRI of an organisation id: ``org:<slug>`` becomes ``<base>org/<slug>``.

    >>> str(org_iri("org:example-ccg"))
    'https://w3id.org/dataflow-graph/id/org/example-ccg'
    """
    return URIRef(f"{base}org/{segment(org_id.removeprefix('org:'))}")


def graph_iri(agreement: str, base: str = DEFAULT_BASE) -> URIRef:
    """The named graph of one agreement (its reference core).

    >>> str(graph_iri("NIC-00001-AAAAA"))
    'https://w3id.org/dataflow-graph/id/graph/NIC-00001-AAAAA'
    """
    return URIRef(f"{base}graph/{segment(agreement)}")


def sub(node: str, *parts: str) -> str:
    """A node under another, as terms: ``<…/flow/X>`` → ``<…/flow/X/hop/1>``."""
    return f"{node[:-1]}/{'/'.join(parts)}>"


class NodeIris:
    """The IRIs of a register's nodes under one base, as ``<IRI>`` terms, remembered.

    Every IRI comes from content: organisations from their ids, agreements from their
    reference core, entries from their reference (:func:`entry_keys`), flows from their entry
    and number, hops from their index, copies from agreement, family and identifiability,
    evidence from a digest of its file's bytes, line and text (:func:`evidence_key`), files
    from their bytes, released files from their row id (:func:`release_keys`).
    ``entry_keys``, ``release_keys`` and ``files`` are set once the records are known.
    """

    def __init__(
        self,
        base: str = DEFAULT_BASE,
        *,
        entry_keys: Mapping[str, str] | None = None,
        files: SourceFiles | None = None,
        release_keys: Mapping[str, str] | None = None,
    ) -> None:
        self.base = check_base(base)
        self.entry_keys: Mapping[str, str] = entry_keys or {}
        self.release_keys: Mapping[str, str] = release_keys or {}
        self.files = files or SourceFiles()
        self._orgs: dict[str, str] = {}
        self._iris: dict[tuple[str, ...], str] = {}
        self._evidence: dict[tuple[str, int, int, str], str] = {}
        # One memo per kind, keyed by the caller's own arguments: a hit is one lookup,
        # without building a key of the kind or working out an entry key first.
        self._entries: dict[tuple[str, str], str] = {}
        self._flows: dict[tuple[str, str, str], str] = {}
        self._copies: dict[tuple[str, str, Identifiability], str] = {}
        self._files: dict[str, str] = {}
        self._flow_keys: dict[tuple[str, str, str], str] = {}

    def forget(self) -> None:
        """Empty the remembered IRIs (refilled if more is written): room for what comes next."""
        memos = (self._orgs, self._iris, self._evidence, self._entries, self._flows, self._copies, self._files)
        for memo in (*memos, self._flow_keys):
            memo.clear()

    def iri(self, kind: str, *parts: str) -> str:
        """``<base><kind>/<part>/<part>…>``, each part one segment."""
        return f"<{self.base}{kind}/{'/'.join(map(segment, parts))}>"

    def _cached(self, kind: str, *parts: str) -> str:
        """:meth:`iri` remembered."""
        key = (kind, *parts)
        got = self._iris.get(key)
        if got is None:
            got = self._iris[key] = self.iri(kind, *parts)
        return got

    def graph(self, name: str) -> str:
        """The term of a named graph: an agreement core, ``reference``, ``concepts`` or ``findings``."""
        return f"<{graph_iri(name, self.base)}>"

    def org(self, org_id: str) -> str:
        """An organisation (see :func:`org_iri`)."""
        got = self._orgs.get(org_id)
        if got is None:
            got = self._orgs[org_id] = f"<{org_iri(org_id, self.base)}>"
        return got

    def unit(self, org_id: str, unit: str) -> str:
        """A unit of an organisation, under it."""
        return sub(self.org(org_id), "unit", slug(unit))

    def family(self, family: str) -> str:
        """A dataset family."""
        return self._cached("family", family)

    def dataset(self, name: str) -> str:
        """A dataset, by its name's slug."""
        return self._cached("dataset", slug(name))

    def copy(self, agreement: str, family: str, level: Identifiability) -> str:
        """The copy of one family at one identifiability under one agreement."""
        key = (agreement, family, level)
        got = self._copies.get(key)
        if got is None:
            got = self._copies[key] = self.iri("copy", agreement, family, level.value)
        return got

    def entry_key(self, entry_id: str, reference: str) -> str:
        """The key of an entry (its reference when the records do not say otherwise)."""
        return self.entry_keys.get(entry_id, reference)

    def entry(self, entry_id: str, reference: str) -> str:
        """A register entry."""
        key = (entry_id, reference)
        got = self._entries.get(key)
        if got is None:
            got = self._entries[key] = self.iri("entry", self.entry_key(entry_id, reference))
        return got

    def flow(self, flow_id: str, entry_id: str, reference: str) -> str:
        """A flow: its entry's key and its number there."""
        key = (flow_id, entry_id, reference)
        got = self._flows.get(key)
        if got is None:
            number = flow_number(flow_id, entry_id)
            got = self._flows[key] = self.iri("flow", self.entry_key(entry_id, reference), number)
        return got

    def flow_key(self, flow_id: str, entry_id: str, reference: str) -> str:
        """A flow's identifier: ``<entry key>/<number>`` (the same content gives the same key)."""
        key = (flow_id, entry_id, reference)
        got = self._flow_keys.get(key)
        if got is None:
            got = self._flow_keys[key] = f"{self.entry_key(entry_id, reference)}/{flow_number(flow_id, entry_id)}"
        return got

    def agreement(self, core: str) -> str:
        """An agreement, by its reference core."""
        return self._cached("agreement", core)

    def source_file(self, path: str) -> str:
        """The file a span's path names (by its bytes' digest, or its base name)."""
        got = self._files.get(path)
        if got is None:
            got = self._files[path] = self.iri("file", self.files.locate(path).key)
        return got

    def evidence(self, path: str, line: int, col: int, text: str) -> str:
        """A piece of evidence: a line (or sheet row) of a file, with its text (remembered:
        flows, their hops and the findings cite the same lines many times)."""
        key = (path, line, col, text)
        got = self._evidence.get(key)
        if got is None:
            name = evidence_key(self.files.locate(path), line, col, text)  # hex: its own segment
            got = self._evidence[key] = f"<{self.base}evidence/{name}>"
        return got

    def finding(self, recipient_id: str, family: str) -> str:
        """A convergence finding: its recipient and family."""
        return self.iri("finding", recipient_id.removeprefix("org:"), family)


# ---------------------------------------------------------------------------------------
# Content keys: what entries, flows, files and evidence are named by (never a typed path,
# never an input position)

#: Register files whose span paths carry a sheet after ``#`` (``register.xlsx#DataReleases``).
_TABLE_FILE = re.compile(r"\.(?:xlsx|xlsm|xls|csv|tsv)$", re.IGNORECASE)
_FLOW_NUMBER = re.compile(r"^(?:flow-)?([0-9]+)$")


@dataclass(frozen=True, slots=True)
class Located:
    """Where a span's path points: the file (by content hash where its bytes were read) and sheet."""

    #: The file's IRI segment: the SHA-256 of its bytes, or its base name when they are unknown.
    key: str
    #: The file's base name (never the folders it was given with).
    name: str
    sheet: str | None = None
    sha256: str | None = None


def base_name(path: str) -> str:
    """The last part of a path, whichever separator it uses.

    >>> base_name("/srv/register/seeds/page.txt"), base_name("C:\\\\data\\\\r.xlsx")
    ('page.txt', 'r.xlsx')
    """
    return path.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1] or path


class SourceFiles:
    """The files the records were read from, by the path their spans give (``display`` names).

    ``digests`` maps each file's display path to the SHA-256 of its bytes; a workbook's spans
    add ``#<sheet>`` to its path.  A path with no digest (records built by hand) is named by
    its base name alone.

    >>> files = SourceFiles({"/tmp/x/register.xlsx": "ab" * 32})
    >>> where = files.locate("/tmp/x/register.xlsx#DataReleases")
    >>> where.key == where.sha256 == "ab" * 32, where.name, where.sheet
    (True, 'register.xlsx', 'DataReleases')
    >>> files.locate("examples/two_copies.txt")
    Located(key='two_copies.txt', name='two_copies.txt', sheet=None, sha256=None)
    """

    def __init__(self, digests: Mapping[str, str] | None = None) -> None:
        self.digests = dict(digests or {})
        self._located: dict[str, Located] = {}

    def locate(self, path: str) -> Located:
        """The file (and sheet) a span's path names."""
        got = self._located.get(path)
        if got is None:
            got = self._located[path] = self._locate(path)
        return got

    def _locate(self, path: str) -> Located:
        digest = self.digests.get(path)
        if digest is not None:
            return Located(digest, base_name(path), None, digest)
        head, sep, sheet = path.rpartition("#")
        if sep and (head in self.digests or _TABLE_FILE.search(head)):
            digest = self.digests.get(head)
            return Located(digest or base_name(head), base_name(head), sheet or None, digest)
        return Located(base_name(path), base_name(path), None, None)


def normalised(text: str) -> str:
    """Text compared as content: NFC, whitespace runs made one space, ends stripped.

    >>> normalised("  Opt outs\\u00a0honoured:\\n N ")
    'Opt outs honoured: N'
    """
    if not text.isascii():  # ASCII text is its own NFC form
        text = unicodedata.normalize("NFC", text)
    return " ".join(text.split())


def digest(*parts: object) -> str:
    """A 20-hex-digit digest of some parts (joined by a separator no text holds): BLAKE2b of
    80 bits, so two different lines of a register do not share one in practice."""
    joined = "\x1f".join(map(str, parts))
    return hashlib.blake2b(joined.encode("utf-8", "surrogatepass"), digest_size=10).hexdigest()


def evidence_key(where: Located, line: int, col: int, text: str) -> str:
    """The segment of an evidence node: a digest of its file, sheet, line, column and text
    (:func:`digest` of them, its parts joined here in one go: one per line of evidence)."""
    joined = f"{where.key}\x1f{where.sheet or ''}\x1f{line}\x1f{col}\x1f{normalised(text)}"
    return hashlib.blake2b(joined.encode("utf-8", "surrogatepass"), digest_size=10).hexdigest()


def _entry_content(e: Entry) -> str:
    """What an entry says, without where it was read (the content its key hashes)."""
    period = (e.period.start, e.period.end, e.period.raw) if e.period else None
    dsa = (e.dsa.start, e.dsa.end, e.dsa.raw) if e.dsa else None
    return json.dumps(
        [
            e.reference,
            e.title,
            e.organisation,
            e.opt_outs.raw,
            e.legal_basis,
            e.purposes,
            period,
            dsa,
            e.controllers,
            [d.name for d in e.datasets],
            [(s.name, [x.text for x in s.lines]) for s in e.sections],
            [(h, v) for h, v, _ in e.fields],
            e.variant,
        ],
        ensure_ascii=False,
    )


def entry_keys(entries: Iterable[Entry]) -> dict[str, str]:
    """Each entry's key: its reference, or, where several entries share one, the reference
    and a digest of what the entry says (entries saying the same thing share a key).

    >>> from dataflow_graph.examples import two_copies
    >>> sorted(entry_keys(two_copies().entries).values())
    ['DARS-NIC-00001-AAAAA', 'DARS-NIC-00002-BBBBB']
    """
    by_reference: dict[str, list[Entry]] = {}
    for e in entries:
        by_reference.setdefault(e.reference, []).append(e)
    keys: dict[str, str] = {}
    for reference, group in by_reference.items():
        if len({e.id for e in group}) == 1:
            keys[group[0].id] = reference
            continue
        for e in group:
            keys[e.id] = f"{reference}~{digest(_entry_content(e))[:12]}"
    return keys


def release_keys(releases: Iterable[Release]) -> dict[str, str]:
    """The key of each released file whose row id is not its key alone: where released files
    that say different things share a row id (a register that reused one, or two registers
    numbering their rows alike), each is keyed by the row id and a digest of what it says,
    so two files are two nodes.  Files saying the same thing share a key; a row id that names
    one released file keys it alone (the usual case: not in the mapping, by id).

    >>> from dataflow_graph.model import Release
    >>> a = Release("a.csv:2", "a.csv", 2, "ODR-1", "ODR-1", "X", "HES", "HES", "", None, row_id="F1")
    >>> b = Release("a.csv:3", "a.csv", 3, "ODR-2", "ODR-2", "Y", "HES", "HES", "", None, row_id="F1")
    >>> release_keys([a]), sorted(release_keys([a, b]).values())
    ({}, ['F1~296468c0b234', 'F1~4c6ab0edbfd9'])
    """
    by_row: dict[str, list[Release]] = {}
    for r in releases:
        if r.row_id:
            by_row.setdefault(r.row_id, []).append(r)
    keys: dict[str, str] = {}
    for row_id, group in by_row.items():
        if len(group) == 1:
            continue
        contents = {r.id: _release_content(r) for r in group}
        if len(set(contents.values())) > 1:
            keys.update((i, f"{row_id}~{digest(content)[:12]}") for i, content in contents.items())
    return keys


def _release_content(r: Release) -> str:
    """What a released file says, without where it was read (the content its key hashes)."""
    period = (r.period.start, r.period.end, r.period.raw, r.period.qualifier) if r.period else None
    return json.dumps(
        [
            r.reference,
            r.agreement,
            r.recipient,
            r.dataset,
            r.family,
            r.category,
            r.identifiability,
            r.sensitive,
            r.legal_basis,
            r.frequency,
            r.opt_outs_applied,
            r.month,
            period,
            r.row_id,
            r.extra,
        ],
        ensure_ascii=False,
    )


def flow_number(flow_id: str, entry_id: str) -> str:
    """A flow's name within its entry: ``<entry id>/flow-3`` gives ``3``.

    >>> flow_number("seeds/p.txt#4/flow-2", "seeds/p.txt#4"), flow_number("NIC-00001-AAAAA/1", "x")
    ('2', '1')
    """
    local = flow_id[len(entry_id) + 1 :] if flow_id.startswith(f"{entry_id}/") else flow_id.rsplit("/", 1)[-1]
    match = _FLOW_NUMBER.match(local)
    return match.group(1) if match else digest(local)[:12]
