"""How nodes are named: every IRI is minted from a record's own keys, under one base.

The same register gives the same IRIs (no counters, no blank nodes), so two editions can be
diffed: ``<base>org/<slug>``, ``<base>graph/<agreement core>``, ``<base>entry/<entry id>``,
``<base>flow/<flow id>/hop/<n>``, ``<base>copy/<core>/<family>/<level>``...  Each key is one
path segment, %-encoded where it is not unreserved (entry ids carry file paths).
"""

from __future__ import annotations

import re
from urllib.parse import quote

from rdflib import URIRef

from .._speed import memoised
from ..errors import UsageError
from ..model import Identifiability
from . import DEFAULT_BASE

__all__ = ["DEFAULT_BASE", "NodeIris", "check_base", "graph_iri", "org_iri", "segment", "slug", "sub"]

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

    Families, datasets, copies, entries and organisations recur on every hop, so each is
    minted once.
    """

    def __init__(self, base: str = DEFAULT_BASE) -> None:
        self.base = check_base(base)
        self._orgs: dict[str, str] = {}
        self._iris: dict[tuple[str, ...], str] = {}

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
        """The term of a named graph: an agreement core, ``reference`` or ``findings``."""
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
        return self._cached("copy", agreement, family, level.value)

    def entry(self, entry_id: str) -> str:
        """A register entry."""
        return self._cached("entry", entry_id)

    def flow(self, flow_id: str) -> str:
        """A flow (not remembered: each is minted once)."""
        return self.iri("flow", flow_id)

    def agreement(self, core: str) -> str:
        """An agreement, by its reference core."""
        return self._cached("agreement", core)
