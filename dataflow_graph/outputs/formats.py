"""The format registry: name -> writer of the flow graph and its findings as bytes (the rdflib
``plugin`` idea).

``dfg export --format NAME`` takes its choices from :data:`WRITERS`.  Every writer takes an
:class:`Exportable` (what :func:`dataflow_graph.api.export` gathers from a register) and
returns the same bytes for the same input, whatever ``PYTHONHASHSEED``:

- ``gexf`` (Gephi) and ``graphml`` (Cytoscape, yEd): the flow graph flattened to string,
  number and boolean attributes (:func:`flat_graph`);
- ``html``: the interactive page of :mod:`dataflow_graph.outputs.html`;
- ``turtle``, ``nt``, ``jsonld``, ``trig``, ``nquads``: the register's RDF, written by the
  ``rdf`` callable of the :class:`Exportable`.

>>> from dataflow_graph.examples import two_copies
>>> from dataflow_graph.graph import build_graph
>>> data = WRITERS["graphml"](Exportable(build_graph(two_copies().flows)))
>>> data.startswith(b"<?xml") and data == WRITERS["graphml"](Exportable(build_graph(two_copies().flows)))
True
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import IO

import networkx as nx
from networkx.readwrite.gexf import GEXFWriter

from ..errors import UsageError
from ..graph import Convergence, FileFinding
from ..model import Flow, Hop, Identifiability, Organisation, Period
from .files import write_file
from .html import render_html
from .panel import source_name

__all__ = [
    "RDF_FORMATS",
    "WRITERS",
    "Exportable",
    "View",
    "export",
    "flat_graph",
    "write_gexf",
    "write_graphml",
    "write_html",
]

#: RDF syntaxes the registry offers.
RDF_FORMATS = ("turtle", "nt", "jsonld", "trig", "nquads")


@dataclass(frozen=True, slots=True)
class View:
    """What a page shows: a node to centre on, filters, and a title (None: from the sources)."""

    focus: str | None = None
    family: str | None = None
    identifiability: Identifiability | None = None
    during: Period | None = None
    depth: int | None = None
    title: str | None = None


def _no_findings() -> Sequence[Convergence | FileFinding]:
    return ()


@dataclass(frozen=True, slots=True)
class Exportable:
    """What the writers draw from: the flow graph, and the costlier parts only when one asks.

    ``findings`` gives the findings the page highlights (those of ``view``'s family and
    window); ``rdf`` writes the register's RDF in a syntax of :data:`RDF_FORMATS`.
    """

    graph: nx.MultiDiGraph
    sources: tuple[str, ...] = ()
    view: View = field(default_factory=View)
    #: what the inputs are called when they have a name of their own (the built-in seed)
    name: str | None = None
    findings: Callable[[], Sequence[Convergence | FileFinding]] = _no_findings
    rdf: Callable[[str], bytes] | None = None


Writer = Callable[[Exportable], bytes]

#: Characters XML 1.0 cannot hold (register text is untrusted and may carry them).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _xml_safe(value: object) -> object:
    """Strings with characters XML cannot hold replaced by U+FFFD; other values as they are."""
    return _NOT_XML.sub("\ufffd", value) if isinstance(value, str) else value


def flat_graph(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy of the flow graph with only string, number and boolean attributes.

    Nodes keep ``label`` and ``name``, ``role`` and ``reviewed``; each edge (one per hop, key
    ``<flow id>#<hop index>``) keeps its flow's id, entry, reference, agreement, purpose,
    kind, period and opt-outs, and the hop's identifiability, families (space-separated),
    landing-only flag, unit and evidence (source, line, text).  Characters that XML 1.0
    cannot hold become U+FFFD.

    >>> from dataflow_graph.examples import two_copies
    >>> from dataflow_graph.graph import build_graph
    >>> F = flat_graph(build_graph(two_copies().flows))
    >>> F.nodes["org:example-ccg"]
    {'label': 'Example CCG', 'name': 'Example CCG', 'role': 'controller', 'reviewed': True}
    >>> F.edges["org:example-csu", "org:example-ccg", "NIC-00001-AAAAA/1#2"]["unit"]
    'CEfF'
    """
    F = nx.MultiDiGraph()
    for n in sorted(G):
        org: Organisation | None = G.nodes[n].get("organisation")
        name = str(G.nodes[n].get("name", n))
        attrs = {
            "label": name,
            "name": name,
            "role": str(G.nodes[n].get("role", "other")),
            "reviewed": bool(org.reviewed) if org is not None else False,
        }
        F.add_node(n, **{k: _xml_safe(v) for k, v in attrs.items()})
    for u, v, key, d in sorted(G.edges(keys=True, data=True), key=lambda e: e[2]):
        attrs = _edge_attributes(d["flow"], d["hop"], d["index"])
        F.add_edge(u, v, key=key, id=key, **{k: _xml_safe(v) for k, v in attrs.items()})
    return F


def _edge_attributes(f: Flow, h: Hop, index: int) -> dict[str, object]:
    period = f.period
    return {
        "flow": f.id,
        "hop": index,
        "entry": f.entry,
        "reference": f.reference,
        "agreement": f.agreement,
        "purpose": f.purpose,
        "kind": f.kind.value,
        "identifiability": h.identifiability.value,
        "flow_identifiability": f.identifiability.value,
        "families": " ".join(h.families or f.families),
        "landing_only": h.landing_only,
        "access": h.access,
        "unit": h.unit or "",
        "period_start": (period.start or "") if period else "",
        "period_end": (period.end or "") if period else "",
        "opt_outs": f.opt_outs.value,
        "evidence_source": h.evidence.path,
        "evidence_line": h.evidence.line,
        "evidence_text": h.evidence.text,
    }


def write_gexf(source: Exportable) -> bytes:
    """GEXF 1.2 for Gephi (no modification date, so the bytes do not change from day to day)."""
    writer = GEXFWriter(encoding="utf-8", prettyprint=True, version="1.2draft")
    meta = writer.xml.find("meta")
    if meta is not None:
        meta.attrib.pop("lastmodifieddate", None)
    writer.add_graph(flat_graph(source.graph))
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def write_graphml(source: Exportable) -> bytes:
    """GraphML for Cytoscape and yEd; edge ids are the hop keys."""
    buf = io.BytesIO()
    nx.write_graphml(flat_graph(source.graph), buf, encoding="utf-8", prettyprint=True)
    return buf.getvalue()


def write_html(source: Exportable) -> bytes:
    """The interactive page (:func:`~dataflow_graph.outputs.html.render_html`) with the findings.

    Without a title the page is named after its inputs by base name (at most three; the
    built-in seed by its name) and the focus: never a folder of the machine it was made on.

    Raises
    ------
    UnknownOrganisationError
        If the view's focus is not a node of the graph.
    """
    G, view = source.graph, source.view
    title = view.title
    if title is None:
        names = [source_name(s) for s in source.sources[:3]]
        shown = source.name or ", ".join(names) + (" …" if len(source.sources) > 3 else "")
        focus = f" — around {G.nodes[view.focus]['name']}" if view.focus in G else ""
        title = (shown or "no input") + focus
    page = render_html(
        G,
        findings=source.findings(),
        focus=view.focus,
        family=view.family,
        identifiability=view.identifiability,
        during=view.during,
        depth=view.depth,
        title=title,
    )
    return page.encode("utf-8")


def _rdf_writer(fmt: str) -> Writer:
    def write(source: Exportable) -> bytes:
        if source.rdf is None:
            raise UsageError(f"no RDF writer given for {fmt!r}")
        return source.rdf(fmt)

    write.__name__ = write.__qualname__ = f"write_{fmt}"
    write.__doc__ = f"RDF as {fmt} (dataflow_graph.rdf): sorted, no blank nodes."
    return write


#: Format name -> writer(exportable) -> bytes.
WRITERS: dict[str, Writer] = {
    "gexf": write_gexf,
    "graphml": write_graphml,
    "html": write_html,
    **{fmt: _rdf_writer(fmt) for fmt in RDF_FORMATS},
}


def export(source: Exportable, fmt: str, out: str | os.PathLike[str] | IO[bytes] | None = None) -> bytes:
    """Write ``source`` in format ``fmt`` to ``out`` (a path or a binary file), and return the bytes.

    Parameters
    ----------
    source : Exportable
        The graph and what else the writers may need (:func:`dataflow_graph.api.export`
        gathers it from a register).
    fmt : str
        A key of :data:`WRITERS`.
    out : path, binary file or None
        Where to write (a path is replaced atomically: :func:`~.files.write_file`); None
        only returns the bytes.

    Raises
    ------
    UsageError
        For an unknown format.
    OutputError
        If the file cannot be written (the previous one is unchanged).
    """
    writer = WRITERS.get(fmt)
    if writer is None:
        raise UsageError(f"unknown export format {fmt!r}; expected one of {', '.join(sorted(WRITERS))}")
    data = writer(source)
    if out is None:
        return data
    if isinstance(out, (str, os.PathLike)):
        write_file(out, data)
    else:
        out.write(data)
    return data
