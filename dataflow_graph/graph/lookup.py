"""Organisation arguments (any id, name or alias, any case) resolved against the graph.

A user types "thurrock ccg" or "NHS THURROCK CCG"; the graph knows ``org:nhs-thurrock-ccg``.
An unknown name raises :class:`~dataflow_graph.errors.UnknownOrganisationError` with the
closest names as suggestions.  Released files name their recipients as written; they are
matched by organisation (:func:`~dataflow_graph.graph.releases.recipient_of`).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence

import networkx as nx

from ..errors import UnknownOrganisationError
from ..model import Organisation, Release
from ..names import Gazetteer, normalise, organisation_key
from .releases import recipient_of

__all__ = ["name_keys", "of_recipient", "recipient_id", "release_recipient", "resolve_organisation"]


def name_keys(org: Organisation) -> frozenset[str]:
    """Organisation keys (:func:`~dataflow_graph.names.organisation_key`) of a name and its aliases."""
    return frozenset({organisation_key(org.name), *(organisation_key(a) for a in org.aliases)})


def resolve_organisation(G: nx.MultiDiGraph, names: Gazetteer, name: str) -> str:
    """The graph node for any id, name, alias or ODS code, in any case or spelling.

    "Greenwich CCG", "NHS GREENWICH CCG" and "NHS Greenwich Clinical Commissioning Group"
    name one node; so does "07G" where the gazetteer knows that code.

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
    key, fold = normalise(name), organisation_key(name)
    for node, data in G.nodes(data=True):
        org: Organisation = data["organisation"]
        if key == normalise(org.id.removeprefix("org:")) or fold in name_keys(org):
            return str(node)
    found = names.lookup(name)
    if found is not None and found.id in G:
        return found.id
    known = sorted({d["name"] for _, d in G.nodes(data=True)})
    lowered = {n.lower(): n for n in known}
    close = difflib.get_close_matches(name.lower(), list(lowered), 3, 0.3)
    contains = [n for n in known if key and key in normalise(n)][:3]
    raise UnknownOrganisationError(name, list(dict.fromkeys([*contains, *(lowered[c] for c in close)]))[:4])


def recipient_id(G: nx.MultiDiGraph, names: Gazetteer, name: str) -> str:
    """The organisation id an argument stands for, among flows or released files."""
    try:
        return resolve_organisation(G, names, name)
    except UnknownOrganisationError:
        return recipient_of(name).id


def release_recipient(
    name: str, *, releases: Sequence[Release], unknown: UnknownOrganisationError
) -> tuple[Organisation, list[Release]]:
    """An organisation known only as the recipient of released files: its record and its files.

    Raises
    ------
    UnknownOrganisationError
        ``unknown`` (the graph's error) when no file names it, with close recipient
        spellings added to its suggestions.
    """
    org = recipient_of(name)
    mine = of_recipient(releases, org.id)
    if not mine:
        recipients = sorted({r.recipient.strip() for r in releases})
        close = difflib.get_close_matches(name.upper(), [r.upper() for r in recipients], 3, 0.5)
        if close:
            raise UnknownOrganisationError(name, [*unknown.suggestions, *close][:4]) from unknown
        raise unknown
    return org, mine


def of_recipient(releases: Iterable[Release], org_id: str) -> list[Release]:
    """The released files sent to the organisation ``org_id``, however the rows spell it."""
    return [r for r in releases if recipient_of(r.recipient).id == org_id]
