"""Organisation arguments (any id, name or alias, any case) resolved against the graph.

A user types "thurrock ccg" or "NHS THURROCK CCG"; the graph knows ``org:nhs-thurrock-ccg``.
An unknown name raises :class:`~dataflow_graph.errors.UnknownOrganisationError` with the
closest names as suggestions.  Released files name their recipients as written, so they
are matched by comparison keys (:func:`~dataflow_graph.names.normalise`).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence

import networkx as nx

from ..errors import UnknownOrganisationError
from ..model import Organisation, Release
from ..names import Gazetteer, normalise

__all__ = ["name_keys", "of_recipient", "recipient_keys", "release_recipient", "resolve_organisation"]


def name_keys(org: Organisation) -> frozenset[str]:
    """Comparison keys of an organisation's name and aliases."""
    return frozenset({normalise(org.name), *(normalise(a) for a in org.aliases)})


def resolve_organisation(G: nx.MultiDiGraph, names: Gazetteer, name: str) -> str:
    """The graph node for any alias, id or name, case-insensitive.

    Raises
    ------
    UnknownOrganisationError
        With up to four suggestions: names containing the words, then close spellings.

    Examples
    --------
    >>> from dataflow_graph.examples import two_copies
    >>> from dataflow_graph.graph import build_graph
    >>> from dataflow_graph.names import gazetteer
    >>> resolve_organisation(build_graph(two_copies().flows), gazetteer(), "example ccg")
    'org:example-ccg'
    """
    if name in G:
        return name
    key = normalise(name)
    for node, data in G.nodes(data=True):
        org: Organisation = data["organisation"]
        if key in {normalise(org.name), normalise(org.id.removeprefix("org:")), *(normalise(a) for a in org.aliases)}:
            return str(node)
    found = names.lookup(name)
    if found is not None and found.id in G:
        return found.id
    known = sorted({d["name"] for _, d in G.nodes(data=True)})
    lowered = {n.lower(): n for n in known}
    close = difflib.get_close_matches(name.lower(), list(lowered), 3, 0.3)
    contains = [n for n in known if key and key in normalise(n)][:3]
    raise UnknownOrganisationError(name, list(dict.fromkeys([*contains, *(lowered[c] for c in close)]))[:4])


def recipient_keys(G: nx.MultiDiGraph, names: Gazetteer, name: str) -> frozenset[str]:
    """Every comparison key an organisation argument may stand for (for released files)."""
    try:
        org: Organisation = G.nodes[resolve_organisation(G, names, name)]["organisation"]
    except UnknownOrganisationError:
        return frozenset({normalise(name)})
    return frozenset({normalise(name)}) | name_keys(org)


def release_recipient(
    name: str, *, names: Gazetteer, releases: Sequence[Release], unknown: UnknownOrganisationError
) -> tuple[Organisation, frozenset[str], list[Release]]:
    """An organisation known only as the recipient of released files: record, keys, its files.

    Raises
    ------
    UnknownOrganisationError
        ``unknown`` (the graph's error) when no file names it, with close recipient
        spellings added to its suggestions.
    """
    org = names.lookup(name)
    keys = frozenset({normalise(name)}) | (name_keys(org) if org else frozenset())
    mine = [r for r in releases if normalise(r.recipient) in keys]
    if not mine:
        recipients = sorted({r.recipient.strip() for r in releases})
        close = difflib.get_close_matches(name.upper(), [r.upper() for r in recipients], 3, 0.5)
        if close:
            raise UnknownOrganisationError(name, [*unknown.suggestions, *close][:4]) from unknown
        raise unknown
    return org or names.resolve(mine[0].recipient), keys, mine


def of_recipient(releases: Iterable[Release], keys: frozenset[str]) -> list[Release]:
    """The released files whose recipient matches one of ``keys``."""
    return [r for r in releases if normalise(r.recipient) in keys]
