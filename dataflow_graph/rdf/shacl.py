"""The ontology, its SHACL shapes and the cross-node checks; validation that points at the
register entry at fault.

``dfg check`` runs two passes: pySHACL over the core shapes of ``ontology/shapes.ttl`` (one
shape per class, value lists as ``sh:in``), then the SPARQL checks of ``ontology/checks/``
on Oxigraph (hop continuity and numbering, derivations never raising identifiability, a
hop's copies at its identifiability, ``sendsTo`` edges, windows that end before they start,
controller and processor of one agreement, finding sides).  Each check is a ``SELECT ?focus
?message`` whose first comment line gives its severity (``# severity: Warning``).

>>> from dataflow_graph.examples import two_copies
>>> from dataflow_graph.rdf.store import to_rdf
>>> ex = two_copies()
>>> validate(to_rdf(ex.entries, ex.flows, ex.organisations))
[]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.term import Node

from .._resources import embedded_path
from .serialise import union_graph
from .store import oxigraph_store
from .vocab import DCTERMS, DFG, PREFIXES, RDF

__all__ = ["Violation", "checks", "load_ontology", "validate"]

_SEVERITY = re.compile(r"^#\s*severity:\s*(Violation|Warning|Info)\s*$", re.MULTILINE)


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


def checks() -> dict[str, tuple[str, str]]:
    """The cross-node checks of ``ontology/checks/*.rq``: name -> (severity, query text).

    >>> sorted(checks())[:3]
    ['derivations', 'finding_sides', 'hop_continuity']
    """
    folder = Path(embedded_path("ontology"), "checks")
    out = {}
    for path in sorted(folder.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        found = _SEVERITY.search(text)
        out[path.stem] = (found.group(1) if found else "Violation", text)
    return out


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
    #: ``SHACL`` for a shape's result, ``check:<name>`` for a cross-node check's.
    rule: str = "SHACL"

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}: " if self.source else ""
        ref = f" [entry {self.reference}]" if self.reference else ""
        path = f" ({self.path})" if self.path else ""
        return f"{where}{self.severity}[{self.rule}]{ref} {self.message}{path} at <{self.focus}>"

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
            "rule": self.rule,
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
    found: list[tuple[str, str, Node | None, Node | None, str]] = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        severity = str(report.value(result, SH.resultSeverity)).rsplit("#", 1)[-1]
        message = str(report.value(result, SH.resultMessage) or "")
        focus, path = report.value(result, SH.focusNode), report.value(result, SH.resultPath)
        found.append((severity, message, focus, path, "SHACL"))
    store = oxigraph_store(ds)
    for name, (severity, text) in checks().items():
        rows = store.query(text, use_default_graph_as_union=True)
        assert isinstance(rows, ox.QuerySolutions)  # every check is a SELECT
        for row in rows:
            message, focus = row["message"], row["focus"]
            found.append((severity, str(getattr(message, "value", "")), URIRef(focus.value), None, f"check:{name}"))
    out = [_located(data, *item) for item in found]
    return sorted(out, key=lambda v: (v.source or "", v.line or 0, v.focus, v.message))


def _located(data: Graph, severity: str, message: str, focus: Node | None, path: Node | None, rule: str) -> Violation:
    """A result, located at the entry (and its file and line) its focus node comes from."""
    entry = _entry_of(data, focus)
    ref = src = line = None
    if entry is not None:
        ref = data.value(entry, DCTERMS.identifier)
        ev = data.value(entry, DFG.evidence)
        if ev is not None:
            src, line = _place(data, ev), data.value(ev, DFG.line)
    return Violation(
        severity,
        message,
        str(focus),
        _short(path),
        _str(entry),
        _str(ref),
        src,
        int(str(line)) if line is not None else None,
        rule,
    )


def _place(data: Graph, evidence: Node) -> str | None:
    """The file of a piece of evidence: its base name, and ``#sheet`` on a workbook."""
    source = data.value(evidence, DFG.sourceFile)
    name = data.value(source, DCTERMS.title) if source is not None else None
    sheet = data.value(evidence, DFG.sheet)
    if name is None:
        return None
    return f"{name}#{sheet}" if sheet is not None else str(name)


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
    """The entry a node comes from: itself, its dfg:entry, its flow's (for a hop), or that of
    the node it is the window or evidence of."""
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
    for link in (DFG.evidence, DFG.window, DFG.dsaPeriod):
        owner = g.value(None, link, node)
        if owner is not None and owner != node:
            return _entry_of(g, owner)
    return None
