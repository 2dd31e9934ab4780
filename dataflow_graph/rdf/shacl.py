"""The ontology, its SHACL shapes and the cross-node checks; validation that points at the
register entry at fault.

``dfg check`` runs two passes on one Oxigraph store: the core shapes of
``ontology/shapes.ttl`` (one shape per class, value lists as ``sh:in``) compiled to SPARQL
(:mod:`.shacl_sparql`; pySHACL with ``engine="pyshacl"``), then the SPARQL checks of
``ontology/checks/`` (hop continuity and numbering, derivations never raising identifiability, a
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

import os
import re
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from .._resources import embedded_path
from ..errors import UsageError
from .store import oxigraph_store
from .vocab import DCTERMS, DFG, PREFIXES, RDF

if TYPE_CHECKING:
    from .shacl_sparql import CompiledShape

__all__ = ["Violation", "checks", "load_ontology", "shapes_graph", "validate"]

_T = TypeVar("_T")
_R = TypeVar("_R")

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


def shapes_graph() -> Graph:
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
    """One SHACL result, located at the register entry the offending node comes from (a
    released file, which comes from no entry: at its row, with its agreement's reference)."""

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
        ref = f" [{'entry' if self.entry else 'agreement'} {self.reference}]" if self.reference else ""
        path = f" ({self.path})" if self.path else ""
        return f"{where}{self.severity}[{self.rule}]{ref} {self.message}{path} at <{self.focus}>"

    def order(self) -> tuple[str, int, str, str, str, str, str]:
        """The sort key of results: source, line, focus and message, then path, severity and
        rule, so that equal keys come in one order."""
        return (self.source or "", self.line or 0, self.focus, self.message, self.path or "", self.severity, self.rule)

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


#: validators of :func:`validate`: our SHACL Core subset compiled to SPARQL, or pySHACL.
ENGINES = ("sparql", "pyshacl")


def validate(
    ds: Graph | ox.Store,
    *,
    shapes: Graph | None = None,
    engine: str = "sparql",
    keep: Callable[[set[_Term]], set[_Term]] | None = None,
) -> list[Violation]:
    """Check the graph against ``ontology/shapes.ttl``; one :class:`Violation` per result.

    Violations (``Violation``) and warnings (``Warning``, such as an entry without a period)
    are both returned, sorted by source, line, focus and message (then path, severity and
    rule, so that equal keys come in one order).  ``ds`` is an rdflib graph or dataset, or a
    pyoxigraph store.  ``engine`` ``sparql`` (the default) runs the shapes as SPARQL on
    Oxigraph (:mod:`.shacl_sparql`: on the 2017 workbook a few seconds, where pySHACL and
    the rdflib copy of the graph it needs took over 30 s and 940 MB); ``pyshacl`` runs
    pySHACL, the W3C-tested library, to cross-check it: both give the same list.  An inverse
    result path reads ``^prov:wasGeneratedBy`` with either.  ``keep``, given the focus nodes
    of the results, says whose results to return (:mod:`.pieces`: those this store holds whole).
    """
    if engine not in ENGINES:
        raise UsageError(f"unknown SHACL engine {engine!r}: one of {', '.join(ENGINES)}")
    store = oxigraph_store(ds)
    found: list[tuple[str, str, _Term, str | None, str]] = []
    if engine == "sparql":
        from .shacl_sparql import compile_shapes, run_checks

        def shape_results(shape: CompiledShape) -> list[tuple[str, str, _Term, str | None, str]]:
            return [(*result, "SHACL") for result in run_checks(store, [shape])]

        for results in _on_every_core(shape_results, compile_shapes(shapes or shapes_graph(), store)):
            found.extend(results)
    else:
        found.extend(_pyshacl_results(ds, shapes or shapes_graph()))

    def check_results(named: tuple[str, tuple[str, str]]) -> list[tuple[str, str, _Term, str | None, str]]:
        name, (severity, text) = named
        rows = store.query(text, use_default_graph_as_union=True)
        assert isinstance(rows, ox.QuerySolutions)  # every check is a SELECT
        return [
            (severity, str(getattr(row["message"], "value", "")), row["focus"], None, f"check:{name}") for row in rows
        ]

    for results in _on_every_core(check_results, list(checks().items())):
        found.extend(results)
    if keep is not None:
        kept = keep({item[2] for item in found})
        found = [item for item in found if item[2] in kept]
    places = _Places(store).of({item[2] for item in found})
    out = [Violation(sev, msg, _text(focus), path, *places[focus], rule) for sev, msg, focus, path, rule in found]
    return sorted(out, key=Violation.order)


def _on_every_core(work: Callable[[_T], list[_R]], items: list[_T]) -> Iterator[list[_R]]:
    """``work`` on each item, in order, on one thread per core.

    pyoxigraph lets go of the GIL while it evaluates a query, so the shapes' queries run side
    by side: on two cores the shapes of synthetic 1k took 0.81-0.87 s against 1.55-1.58 s one
    after another (the same results).  The store is only read meanwhile.  An interrupt
    waits for the queries running, at most one per core, and starts no other.
    """
    workers = min(os.cpu_count() or 1, len(items))
    if workers < 2:
        yield from map(work, items)
        return
    pool = ThreadPoolExecutor(workers)
    try:
        yield from pool.map(work, items)
    finally:  # on an interrupt, no query starts after the ones running
        pool.shutdown(wait=True, cancel_futures=True)


def _pyshacl_results(ds: Graph | ox.Store, shapes: Graph) -> Iterator[tuple[str, str, _Term, str | None, str]]:
    """pySHACL's results over one rdflib graph of every named graph's triples."""
    import pyshacl  # loaded here, not with the module: only ``--engine pyshacl`` needs it (~0.4 s)
    from pyshacl.consts import SH

    from .serialise import union_graph

    _conforms, report, _ = pyshacl.validate(
        union_graph(ds), shacl_graph=shapes, ont_graph=None, inference="none", advanced=False, allow_warnings=True
    )
    for result in report.subjects(RDF.type, SH.ValidationResult):
        severity = str(report.value(result, SH.resultSeverity)).rsplit("#", 1)[-1]
        message = str(report.value(result, SH.resultMessage) or "")
        focus, path = report.value(result, SH.focusNode), report.value(result, SH.resultPath)
        inverse = report.value(path, SH.inversePath) if isinstance(path, BNode) else None
        shown = f"^{_short(inverse)}" if inverse is not None else _short(path)
        yield severity, message, _ox(focus), shown, "SHACL"


_Term = ox.NamedNode | ox.BlankNode | ox.Literal
_Place = tuple[str | None, str | None, str | None, int | None]


def _ox(node: Node | None) -> _Term:
    """The pyoxigraph term of an rdflib focus node."""
    if isinstance(node, Literal):
        if node.language:
            return ox.Literal(str(node), language=node.language)
        return ox.Literal(str(node), datatype=ox.NamedNode(str(node.datatype)) if node.datatype else None)
    if isinstance(node, BNode):
        return ox.BlankNode(str(node))
    return ox.NamedNode(str(node))


def _line(value: _Term) -> int | None:
    """A line number, or None when the value is no integer (an ill-typed dfg:line)."""
    try:
        return int(value.value)
    except ValueError:
        return None


def _text(node: _Term | None) -> str:
    """A term's text: an IRI, a literal's lexical form."""
    return "None" if node is None else node.value


#: The links from a node to what it is the evidence, window or DSA period of (its owner).
_OWNER_LINKS = (DFG.evidence, DFG.window, DFG.dsaPeriod)
#: What :class:`_Places` follows to place a result (:mod:`.pieces` carries these between
#: stores): backwards (from a node to its owner, from a hop to its flow), forwards (node to
#: node), and every predicate it reads.
PLACE_BACKWARD = (*_OWNER_LINKS, DFG.hop)
PLACE_FORWARD = (DFG.entry, DFG.evidence, DFG.agreement)
PLACE_READS = (*PLACE_BACKWARD, *PLACE_FORWARD, DFG.sourceFile, DFG.sheet, DFG.line, DCTERMS.identifier, DCTERMS.title)


class _Places:
    """Where results are: the entry each focus node comes from, its reference, file and line.

    Looked up with a few batched queries on the store; where rdflib's ``Graph.value`` would
    pick one of several values, the least (as text) is taken, so the answer is the same on
    every run.
    """

    def __init__(self, store: ox.Store) -> None:
        self.store = store

    def _values(
        self, nodes: set[_Term], predicate: URIRef, *, inverse: bool = False, other: bool = False
    ) -> dict[_Term, _Term]:
        """The least value (or subject, ``inverse``; one other than the node itself, ``other``)
        of the predicate for each node.

        The nodes are written into ``VALUES`` as Oxigraph writes them: they are terms read
        from this store, never text a user typed (that is bound, :mod:`.sparql`).
        """
        if not nodes:
            return {}
        listed = " ".join(str(n) for n in nodes if not isinstance(n, ox.BlankNode))
        pattern = f"?o <{predicate}> ?n" if inverse else f"?n <{predicate}> ?o"
        where = f"{pattern} FILTER(?o != ?n)" if other else pattern
        query = f"SELECT ?n ?o WHERE {{ VALUES ?n {{ {listed} }} {where} }}"
        out: dict[_Term, _Term] = {}
        for row in self.store.query(query, use_default_graph_as_union=True):  # type: ignore[union-attr]
            n, o = row["n"], row["o"]
            if n not in out or str(o) < str(out[n]):
                out[n] = o
        return out

    def _entries(self, nodes: set[_Term]) -> dict[_Term, tuple[_Term | None, _Term]]:
        """The entry each node comes from: itself if it is an entry, its ``dfg:entry``, its
        flow's (a hop), else that of the node it is the evidence, window or DSA period of;
        and that last owner (the node itself when it has none)."""
        resolved: dict[_Term, _Term | None] = {}
        #: node -> node whose entry it takes (an owner: the hop's flow, the evidence's holder...)
        follow: dict[_Term, _Term] = {}
        todo: set[_Term] = {n for n in nodes if isinstance(n, ox.NamedNode)}
        resolved.update({n: None for n in nodes if n not in todo})
        while todo:
            types = self._values_all(todo, RDF.type)
            entry = self._values(todo, DFG.entry)
            flows = self._values(todo, DFG.hop, inverse=True)
            flow_entry = self._values(set(flows.values()), DFG.entry)
            owners = {link: self._values(todo, link, inverse=True, other=True) for link in _OWNER_LINKS}
            new: set[_Term] = set()
            for n in todo:
                if ox.NamedNode(str(DFG.Entry)) in types.get(n, ()):
                    resolved[n] = n
                elif n in entry:
                    resolved[n] = entry[n]
                elif n in flows:
                    resolved[n] = flow_entry.get(flows[n])
                else:
                    owner = next((owners[link][n] for link in owners if n in owners[link]), None)
                    if owner is None:
                        resolved[n] = None
                    else:
                        follow[n] = owner
                        if owner not in resolved:
                            new.add(owner)
            todo = new - resolved.keys()

        def entry_of(n: _Term, seen: frozenset[_Term] = frozenset()) -> tuple[_Term | None, _Term]:
            if n in follow:
                return (None, n) if n in seen else entry_of(follow[n], seen | {n})
            return resolved.get(n), n

        return {n: entry_of(n) for n in nodes}

    def _values_all(self, nodes: set[_Term], predicate: URIRef) -> dict[_Term, set[_Term]]:
        """Every value of the predicate for each node."""
        listed = " ".join(str(n) for n in nodes)
        query = f"SELECT ?n ?o WHERE {{ VALUES ?n {{ {listed} }} ?n <{predicate}> ?o }}"
        out: dict[_Term, set[_Term]] = {}
        for row in self.store.query(query, use_default_graph_as_union=True):  # type: ignore[union-attr]
            out.setdefault(row["n"], set()).add(row["o"])
        return out

    def of(self, nodes: set[_Term]) -> dict[_Term, _Place]:
        """(entry, reference, source, line) of each focus node.

        A node that comes from no entry (a released file, its window) is placed by its own
        evidence, or its owner's (the row it was read from), with its agreement's reference.
        """
        entries = self._entries(nodes)
        known = {e for e, _ in entries.values() if e is not None}
        unowned: set[_Term] = {root for e, root in entries.values() if e is None}
        refs = self._values(known, DCTERMS.identifier)
        agreements = self._values(unowned, DFG.agreement)
        refs.update(self._values(set(agreements.values()), DCTERMS.identifier))
        evidence = self._values(known | unowned, DFG.evidence)
        evs = set(evidence.values())
        files, sheets, lines = (self._values(evs, p) for p in (DFG.sourceFile, DFG.sheet, DFG.line))
        titles = self._values(set(files.values()), DCTERMS.title)

        def where(node: _Term) -> tuple[str | None, int | None]:
            ev = evidence.get(node)
            src = line = None
            if ev is not None:
                name = titles.get(files[ev]) if ev in files else None
                if name is not None:
                    src = f"{name.value}#{sheets[ev].value}" if ev in sheets else name.value
                line = _line(lines[ev]) if ev in lines else None
            return src, line

        places: dict[_Term, _Place] = {}
        for e in known:
            ref = refs.get(e)
            places[e] = (e.value, None if ref is None else ref.value, *where(e))
        for root in unowned:
            ref = refs.get(agreements[root]) if root in agreements else None
            places[root] = (None, None if ref is None else ref.value, *where(root))
        blank = (None, None, None, None)
        return {n: places.get(root if e is None else e, blank) for n, (e, root) in entries.items()}


def _short(path: Node | None) -> str | None:
    """A result path as a prefixed name where a prefix fits."""
    if path is None:
        return None
    text = str(path)
    for prefix, ns in PREFIXES.items():
        if text.startswith(ns):
            return f"{prefix}:{text[len(ns) :]}"
    return text
