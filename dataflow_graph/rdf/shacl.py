"""The ontology and its SHACL shapes; validation that points at the register entry at fault.

>>> from dataflow_graph.examples import two_copies
>>> from dataflow_graph.rdf.store import to_rdf
>>> ex = two_copies()
>>> validate(to_rdf(ex.entries, ex.flows, ex.organisations))
[]
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph
from rdflib.term import Node

from .._resources import embedded_path
from .serialise import union_graph
from .vocab import DCTERMS, DFG, PREFIXES, RDF

__all__ = ["Violation", "load_ontology", "validate"]


def load_ontology(*, shapes: bool = False) -> Graph:
    """The ontology (``ontology/dataflow.ttl``), and the SHACL shapes if ``shapes=True``."""
    folder = embedded_path("ontology")
    g = Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns, override=True, replace=True)
    g.parse(Path(folder, "dataflow.ttl"), format="turtle")
    if shapes:
        g.parse(Path(folder, "shapes.ttl"), format="turtle")
    return g


def _shapes() -> Graph:
    """The SHACL shapes alone (``ontology/shapes.ttl``)."""
    return Graph().parse(Path(embedded_path("ontology"), "shapes.ttl"), format="turtle")


@dataclass(frozen=True, slots=True)
class Violation:
    """One SHACL result, located at the register entry the offending node comes from."""

    severity: str
    message: str
    focus: str
    path: str | None
    entry: str | None
    reference: str | None
    source: str | None
    line: int | None

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}: " if self.source else ""
        ref = f" [entry {self.reference}]" if self.reference else ""
        path = f" ({self.path})" if self.path else ""
        return f"{where}{self.severity}[SHACL]{ref} {self.message}{path} at <{self.focus}>"

    def as_dict(self) -> dict[str, object]:
        """The violation as JSON-ready values."""
        return {
            "severity": self.severity,
            "message": self.message,
            "focus": self.focus,
            "path": self.path,
            "entry": self.entry,
            "reference": self.reference,
            "source": self.source,
            "line": self.line,
        }


def validate(ds: Graph | ox.Store, *, shapes: Graph | None = None) -> list[Violation]:
    """Check the graph against ``ontology/shapes.ttl``; one :class:`Violation` per result.

    Violations (``Violation``) and warnings (``Warning``, such as an entry without a period)
    are both returned, sorted by source, line and message.  ``ds`` is an rdflib graph or
    dataset, or a pyoxigraph store.
    """
    import pyshacl  # loaded here, not with the module: only ``dfg check`` needs it (~0.4 s)
    from pyshacl.consts import SH

    data = union_graph(ds)
    _conforms, report, _ = pyshacl.validate(
        data, shacl_graph=shapes or _shapes(), ont_graph=None, inference="none", advanced=False, allow_warnings=True
    )
    out = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(result, SH.focusNode)
        severity = str(report.value(result, SH.resultSeverity)).rsplit("#", 1)[-1]
        message = str(report.value(result, SH.resultMessage) or "")
        path = report.value(result, SH.resultPath)
        entry = _entry_of(data, focus)
        ref = src = line = None
        if entry is not None:
            ref = data.value(entry, DCTERMS.identifier)
            ev = data.value(entry, DFG.evidence)
            src = data.value(ev, DFG.sourcePath) if ev is not None else None
            line = data.value(ev, DFG.line) if ev is not None else None
        out.append(
            Violation(
                severity,
                message,
                str(focus),
                _short(path),
                _str(entry),
                _str(ref),
                _str(src),
                int(str(line)) if line is not None else None,
            )
        )
    return sorted(out, key=lambda v: (v.source or "", v.line or 0, v.focus, v.message))


def _str(node: Node | None) -> str | None:
    """A node's text, or None."""
    return None if node is None else str(node)


def _short(path: Node | None) -> str | None:
    """A result path as a prefixed name where a prefix fits."""
    if path is None:
        return None
    text = str(path)
    for prefix, ns in PREFIXES.items():
        if text.startswith(ns):
            return f"{prefix}:{text[len(ns) :]}"
    return text


def _entry_of(g: Graph, node: Node | None) -> Node | None:
    """The entry a node comes from: itself, its dfg:entry, or its flow's (for a hop)."""
    if node is None:
        return None
    if (node, RDF.type, DFG.Entry) in g:
        return node
    entry = g.value(node, DFG.entry)
    if entry is not None:
        return entry
    flow = g.value(None, DFG.hop, node)
    if flow is not None:
        return g.value(flow, DFG.entry)
    ev_owner = g.value(None, DFG.evidence, node)
    return _entry_of(g, ev_owner) if ev_owner is not None and ev_owner != node else None
