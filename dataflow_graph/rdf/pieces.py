"""Validation of a large register in pieces, with the results of one whole-graph pass.

One Oxigraph store of a 10k-entry register holds 4.25M quads in about 1 GB.  Here the
agreement graphs are validated group by group, each group in a store of its own beside the
shared graphs (reference, concepts) and the few statements that cross graphs, then the
findings in a last store; each result is kept from the one store that holds everything it
depends on.  **Not used by default** (``pieces_from=None``): on synthetic 10k entries it
gives the whole pass's 1,965 results at a peak of 2.0 GB against 2.2 GB, but in 76 s against
40 s: it loads every agreement graph twice (the first pass finds what crosses
graphs), holds the text until the second, and validates a findings' store that holds the
statements of every node the findings name (see ``benchmarks/README.md``).  The layout (:mod:`.graphs`)
makes most nodes belong to one graph; what does not is found in the data, not assumed:

- *nodes described in the shared graphs* (organisations, which an agreement graph also
  describes by its ``dfg:sendsTo`` edges): their statements in every graph go into every
  store, and their results come from the findings' store;
- *nodes several agreement groups describe or name* (a released file two agreements would
  share): those groups are validated together, in one store;
- *nodes of an agreement that the findings describe too* (the evidence of a finding): the
  findings' statements about them, and the findings' links to them that a rule reads
  backwards (inverse paths, ``sh:targetObjectsOf``, the links that place a result), go into
  their group's store, with the types of whatever links them;
- *the findings' store* holds the shared and findings graphs and every statement about a
  node the findings describe or name, with the types of that node's values.

A rule whose focus is a node of a group reads that node, its values and their types, and
what the rules read backwards (a shape's inverse path, a check's pattern from the focus
through its agreement or the shared graphs): all in the group's store.  A result on a node
described nowhere (a window with no triples) is taken from the first store that reports it:
it depends on nothing but the node.  The tests hold the pieces to the whole pass on the
fixtures, the 2017 workbook, the released files that share a row id and a synthetic register.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib.namespace import SH

from . import DEFAULT_BASE
from .shacl import Violation, shapes_graph, validate
from .store import text_store
from .turtle import RdfText, graph_order, open_statements, prefix_lines
from .vocab import DFG, RDF, RDFS

__all__ = ["PIECES_FROM", "PIECE_BYTES", "check_text"]

#: From this much statement text (bytes) on, the register is validated in pieces (a 10k-entry
#: register is about 380 MB; the 2017 workbook 40 MB); None: never (see the module's docstring).
PIECES_FROM: int | None = None
#: About this much statement text per group of agreement graphs.
PIECE_BYTES = 32 << 20

_TYPE = ox.NamedNode(str(RDF.type))
_Term = ox.NamedNode | ox.BlankNode | ox.Literal
_SUBCLASS = ox.NamedNode(str(RDFS.subClassOf))
#: The links :class:`~dataflow_graph.rdf.shacl._Places` follows backwards to place a result.
_PLACE_LINKS = (DFG.evidence, DFG.window, DFG.dsaPeriod, DFG.hop)


def check_text(
    text: RdfText,
    *,
    base: str = DEFAULT_BASE,
    pieces_from: int | None = PIECES_FROM,
    piece_bytes: int = PIECE_BYTES,
) -> list[Violation]:
    """The results of :func:`~dataflow_graph.rdf.shacl.validate` on the text's RDF, in
    pieces when the text is ``pieces_from`` bytes or more (the text is spent either way)."""
    text.seal()
    size = sum(len(c) for chunks in text.statements.values() for c in chunks)
    # Blank-node labels are scoped to the document Oxigraph parses: the pieces could split one
    # node in two.  The records' RDF has none; any other text is validated whole.
    if (
        pieces_from is None
        or size < pieces_from
        or any(b"_:" in c for chunks in text.statements.values() for c in chunks)
    ):
        return validate(text_store(text, consume=True))
    return _Pieces(text, base, piece_bytes).validate()


class _Union:
    """Union-find over group numbers: groups that share a node are validated together."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, i: int, j: int) -> None:
        a, b = self.find(i), self.find(j)
        if a != b:
            self.parent[max(a, b)] = min(a, b)


@dataclass
class _Pieces:
    """One validation in pieces (see the module's docstring)."""

    text: RdfText
    base: str
    piece_bytes: int
    #: Statements that go into every store (see the module's docstring).
    carried: list[ox.Quad] = field(default_factory=list)

    def chunk(self, g: str | None, *, spend: bool = False) -> bytes:
        """One graph's statements as TriG; ``spend`` drops them from the text."""
        statements = self.text.statements.pop(g, []) if spend else self.text.statements.get(g, [])
        open_nodes = self.text.open.pop(g, {}) if spend else self.text.open.get(g, {})
        body = [*statements, *open_statements(open_nodes)]
        if g is None:
            return b"".join([prefix_lines().encode(), *body])
        return b"".join([prefix_lines().encode(), f"{g} {{\n".encode(), *body, b"}\n"])

    def validate(self) -> list[Violation]:
        graph = f"<{self.base}graph/"
        findings_g = f"{graph}findings>"
        shared_gs = {None, f"{graph}reference>", f"{graph}concepts>"}
        names = graph_order(self.text)
        agreements = [g for g in names if g is not None and g not in shared_gs and g != findings_g]
        groups = self._groups(agreements)
        shared = b"".join(self.chunk(g) for g in names if g in shared_gs)
        whole = ox.Store()  # the findings' store
        whole.load(shared, format=ox.RdfFormat.TRIG)
        whole.load(self.chunk(findings_g), format=ox.RdfFormat.TRIG)
        findings_node = ox.NamedNode(findings_g[1:-1])
        shared_nodes = {str(g[1:-1]) for g in shared_gs if g}
        described_shared = _subjects(whole, shared_nodes)
        described_findings = _subjects(whole, {findings_node.value})
        of_findings = _objects(whole, findings_node.value) | described_findings
        backward = _backward()
        #: the findings' links a rule reads backwards, by the node linked, with the linker's types
        findings_back: dict[str, list[ox.Quad]] = {}
        for p in backward:
            for q in whole.quads_for_pattern(None, ox.NamedNode(p), None, findings_node):
                findings_back.setdefault(str(q.object), []).extend(
                    [q, *whole.quads_for_pattern(q.subject, _TYPE, None)]
                )
        owner: dict[str, int] = {}  # node -> the group that describes it
        union = _Union(len(groups))
        named_elsewhere: list[tuple[int, list[str]]] = []
        split_findings: set[str] = set()
        for k, members in enumerate(groups):
            store = ox.Store()
            store.load(b"".join(self.chunk(g) for g in members), format=ox.RdfFormat.TRIG)
            here = {str(row[0]) for row in store.query("SELECT DISTINCT ?s WHERE { GRAPH ?g { ?s ?p ?o } }")}  # type: ignore[union-attr]
            for s in here - described_shared:  # the shared graphs' nodes are in every store
                j = owner.setdefault(s, k)
                if j != k:
                    union.union(j, k)
            named = [
                str(row[0])
                for row in store.query(  # type: ignore[union-attr]
                    "SELECT DISTINCT ?o WHERE { GRAPH ?g { ?s ?p ?o } FILTER(!isLiteral(?o))"
                    " FILTER NOT EXISTS { GRAPH ?h { ?o ?q ?r } } }"
                )
            ]
            named_elsewhere.append((k, named))
            for s in here & described_shared:
                self.carried.extend(store.quads_for_pattern(_term(s), None, None))
            for s in here & described_findings:
                split_findings.add(s)
                self.carried.extend(whole.quads_for_pattern(_term(s), None, None, findings_node))
            for s in here & findings_back.keys():
                self.carried.extend(findings_back[s])
            for o in set(named) & described_findings:
                self.carried.extend(whole.quads_for_pattern(_term(o), None, None, findings_node))
            self.carried.extend(store.quads_for_pattern(None, _SUBCLASS, None))  # the classes compiled
            for p in backward:  # the groups' backward links to the shared graphs' nodes
                for q in store.quads_for_pattern(None, ox.NamedNode(p), None):
                    if str(q.object) in described_shared:
                        self.carried.append(q)
                        self.carried.extend(store.quads_for_pattern(q.subject, _TYPE, None))
            for s in here & of_findings:
                about = list(store.quads_for_pattern(_term(s), None, None))
                whole.extend(about)  # the findings' store: the agreements' statements they name
                for q in about:
                    if not isinstance(q.object, ox.Literal):
                        whole.extend(store.quads_for_pattern(q.object, _TYPE, None))
            del store
        for k, named in named_elsewhere:
            for o in named:
                other = owner.get(o)
                if other is not None:
                    union.union(other, k)
        carried = ox.serialize(self.carried, format=ox.RdfFormat.N_QUADS) or b""  # compact, loaded per store
        self.carried.clear()
        out: list[Violation] = []
        reported: set[str] = set()  # nodes described nowhere, reported by an earlier store
        pieces: dict[int, list[str]] = {}
        for k, members in enumerate(groups):
            pieces.setdefault(union.find(k), []).extend(members)

        def kept(foci: set[_Term], here: int | None) -> set[_Term]:
            """The foci whose results this store gives: ``here`` is the piece's root, None
            for the findings' store."""
            out: set[_Term] = set()
            for f in foci:
                s = str(f)
                if s in described_shared or (s in described_findings and s not in split_findings):
                    found = here is None
                elif s in owner:
                    found = union.find(owner[s]) == here
                else:  # described nowhere: the first store that reports it
                    found = s not in reported
                    reported.add(s)
                if found:
                    out.add(f)
            return out

        for root, members in pieces.items():
            store = ox.Store()
            store.load(shared, format=ox.RdfFormat.TRIG)
            store.load(carried, format=ox.RdfFormat.N_QUADS)
            store.load(b"".join(self.chunk(g, spend=True) for g in members), format=ox.RdfFormat.TRIG)
            out.extend(validate(store, keep=functools.partial(kept, here=root)))
            del store
        whole.load(carried, format=ox.RdfFormat.N_QUADS)
        out.extend(validate(whole, keep=functools.partial(kept, here=None)))
        return sorted(out, key=Violation.order)

    def _groups(self, agreements: list[str]) -> list[list[str]]:
        """The agreement graphs in groups of about :attr:`piece_bytes` of text."""
        groups: list[list[str]] = [[]]
        size = 0
        for g in agreements:
            n = sum(len(c) for c in self.text.statements.get(g, ()))
            if groups[-1] and size + n > self.piece_bytes:
                groups.append([])
                size = 0
            groups[-1].append(g)
            size += n
        return groups


def _term(text: str) -> ox.NamedNode | ox.BlankNode:
    """The term written ``<iri>`` or ``_:id``."""
    return ox.NamedNode(text[1:-1]) if text.startswith("<") else ox.BlankNode(text[2:])


def _subjects(store: ox.Store, graphs: set[str]) -> set[str]:
    """The subjects of the store's statements in those graphs, as ``<iri>`` text."""
    listed = " ".join(f"<{g}>" for g in sorted(graphs))
    query = f"SELECT DISTINCT ?s WHERE {{ VALUES ?g {{ {listed} }} GRAPH ?g {{ ?s ?p ?o }} }}"
    return {str(row[0]) for row in store.query(query)}  # type: ignore[union-attr]


def _objects(store: ox.Store, graph: str) -> set[str]:
    """The nodes (not literals) the statements of one graph name, as text."""
    query = f"SELECT DISTINCT ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} FILTER(!isLiteral(?o)) }}"
    return {str(row[0]) for row in store.query(query)}  # type: ignore[union-attr]


def _backward() -> list[str]:
    """The predicates a rule reads from object to subject: the shapes' inverse paths and
    ``sh:targetObjectsOf``, and the links that place a result."""
    g = shapes_graph()
    found = {str(o) for o in g.objects(None, SH.inversePath)} | {str(o) for o in g.objects(None, SH.targetObjectsOf)}
    return sorted(found | {str(p) for p in _PLACE_LINKS})
