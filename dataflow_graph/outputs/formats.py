"""The format registry: name -> writer of a loaded register as bytes (the rdflib ``plugin`` idea).

``dfg export --format NAME`` takes its choices from :data:`WRITERS`.  Every writer takes the
register and keyword options and returns the same bytes for the same input, whatever
``PYTHONHASHSEED``:

- ``gexf`` (Gephi) and ``graphml`` (Cytoscape, yEd): the flow graph flattened to string,
  number and boolean attributes (:func:`flat_graph`);
- ``html``: the interactive page of :mod:`dataflow_graph.html`;
- ``turtle``, ``nt``, ``jsonld``: :mod:`dataflow_graph.rdf`, registered only when that module
  is present (it is imported when a writer runs, not when this module is).

:mod:`dataflow_graph.api` is imported inside the writers that need it (resolving names,
convergences), so that ``api`` may in turn import this module.

>>> from dataflow_graph import api
>>> data = WRITERS["graphml"](api.load())
>>> data.startswith(b"<?xml") and data == WRITERS["graphml"](api.load())
True
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import networkx as nx
from networkx.readwrite.gexf import GEXFWriter

from ..errors import UsageError
from ..model import Flow, Hop, Organisation

if TYPE_CHECKING:
    from ..api import Register

__all__ = ["WRITERS", "export", "flat_graph", "write_gexf", "write_graphml", "write_html"]

Writer = Callable[..., bytes]

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


def _graph(register: Register) -> nx.MultiDiGraph:
    from .. import api  # inside: api may import this module

    return api.graph(register)


def write_gexf(register: Register, **_: Any) -> bytes:
    """GEXF 1.2 for Gephi (no modification date, so the bytes do not change from day to day)."""
    writer = GEXFWriter(encoding="utf-8", prettyprint=True, version="1.2draft")
    meta = writer.xml.find("meta")
    if meta is not None:
        meta.attrib.pop("lastmodifieddate", None)
    writer.add_graph(flat_graph(_graph(register)))
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def write_graphml(register: Register, **_: Any) -> bytes:
    """GraphML for Cytoscape and yEd; edge ids are the hop keys."""
    buf = io.BytesIO()
    nx.write_graphml(flat_graph(_graph(register)), buf, encoding="utf-8", prettyprint=True)
    return buf.getvalue()


def write_html(
    register: Register,
    *,
    focus: str | None = None,
    family: str | None = None,
    identifiability: str | None = None,
    during: str | None = None,
    depth: int | None = None,
    title: str | None = None,
    **_: Any,
) -> bytes:
    """The interactive page (:func:`dataflow_graph.html.render_html`) with the register's findings.

    ``focus`` is any alias of an organisation; ``during`` is ``YYYY-MM..YYYY-MM``.  The
    findings are those of :func:`dataflow_graph.api.convergences` for the same family and
    window, and those of the released files (:func:`dataflow_graph.api.file_findings`).

    Raises
    ------
    UnknownOrganisationError
        If ``focus`` names no organisation (with suggestions).
    UsageError
        If ``during`` is malformed.
    """
    from .. import api  # inside: api may import this module
    from .html import render_html

    G = api.graph(register)
    node = api.resolve_organisation(register, focus) if focus else None
    found, _ = api.convergences(register, family=family, during=during)
    files = api.file_findings(register, family=family) if register.releases else []
    if title is None:
        shown = ", ".join(register.sources[:3]) + (" …" if len(register.sources) > 3 else "")
        title = f"Data flows: {shown or 'no input'}" + (f", around {G.nodes[node]['name']}" if node else "")
    page = render_html(
        G,
        findings=[*found, *files],
        focus=node,
        family=family,
        identifiability=identifiability or None,
        during=api.parse_during(during),
        depth=depth,
        title=title,
    )
    return page.encode("utf-8")


#: Format name -> writer(register, **options) -> bytes.
WRITERS: dict[str, Writer] = {
    "gexf": write_gexf,
    "graphml": write_graphml,
    "html": write_html,
}


# --- RDF ------------------------------------------------------------------------------
# Through api.export_rdf (records + convergence findings, ``base``); nothing RDF is
# imported until one of these writers runs.


def _rdf_writer(fmt: str) -> Writer:
    def write(register: Register, *, base: str | None = None, **_: Any) -> bytes:
        from .. import api

        return api.export_rdf(register, fmt, **({"base": base} if base else {}))

    write.__name__ = write.__qualname__ = f"write_{fmt}"
    write.__doc__ = f"RDF as {fmt} (dataflow_graph.rdf): sorted, no blank nodes; ``base`` for minted IRIs."
    return write


WRITERS.update({fmt: _rdf_writer(fmt) for fmt in ("turtle", "nt", "jsonld", "trig", "nquads")})


def export(
    register: Register, fmt: str, out: str | os.PathLike[str] | IO[bytes] | None = None, **options: Any
) -> bytes:
    """Write the register in format ``fmt`` to ``out`` (a path or a binary file), and return the bytes.

    Parameters
    ----------
    register : Register
        From :func:`dataflow_graph.api.load`.
    fmt : str
        A key of :data:`WRITERS`.
    out : path, binary file or None
        Where to write; None only returns the bytes.
    **options
        Passed to the writer (``write_html`` takes ``focus``, ``family``,
        ``identifiability``, ``during``, ``depth``, ``title``).

    Raises
    ------
    UsageError
        For an unknown format.
    """
    writer = WRITERS.get(fmt)
    if writer is None:
        raise UsageError(f"unknown export format {fmt!r}; expected one of {', '.join(sorted(WRITERS))}")
    data = writer(register, **options)
    if out is None:
        return data
    if isinstance(out, (str, os.PathLike)):
        Path(out).write_bytes(data)
    else:
        out.write(data)
    return data
