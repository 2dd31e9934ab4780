"""Validation of a large register in pieces, with the results of one whole-graph pass.

One Oxigraph store of a 10k-entry register holds 4.25M quads in about 1 GB.  Here the
agreement graphs are validated group by group, each group in a store of its own beside the
shared graphs (reference, concepts) and the few statements that cross graphs, then the
findings in a last store; each result is kept from the one store that holds everything it
depends on.  It is used when one pass would not fit in the memory available
(:func:`in_pieces`; ``$DFG_CHECK_PIECES`` says ``always`` or ``never``): on synthetic 10k
entries it gives the whole pass's 1,965 results at a peak of 1.86 GB against 2.2 GB, in
62 s against 31 s (see ``benchmarks/README.md``).  The layout (:mod:`.graphs`)
makes most nodes belong to one graph; what does not is found in the data, not assumed:

- *nodes described in the shared graphs* (organisations, which an agreement graph also
  describes by its ``dfg:sendsTo`` edges): their statements in every graph go into every
  store, and their results come from the findings' store;
- *nodes several agreement groups describe or name* (a released file two agreements would
  share): those groups are validated together, in one store;
- *nodes of an agreement that the findings describe too* (the evidence of a finding): the
  findings' statements about them, and the findings' links to them that a rule reads
  backwards (inverse paths, ``sh:targetObjectsOf``, the links that place a result), go into
  every store, with the types of whatever links them; what the findings say of them may name
  another group's node, and then those groups go together;
- *the findings' store* holds the shared and findings graphs and, of every agreement node
  the findings describe or name or that links to a findings' node, what a rule on the
  findings' own nodes can read of it (:func:`_read_by_rules`: its types, the predicates the
  checks' queries name, the links that place a result), with the types of its values, and
  the same of the nodes its place leads to (an entry's evidence, which gives the line).

A rule whose focus is a node of a group reads that node, its values and their types, and
what the rules read backwards (a shape's inverse path, a check's pattern from the focus
through its agreement or the shared graphs): all in the group's store.  A result on a node
described nowhere (a window with no triples) is taken from the first store that reports it:
its findings depend on nothing but the node, but its place is that of the least node
linking to it, so it can differ where two agreement graphs link to one such node (the
records' RDF never does: a window belongs to one node).  Text with statements in the
default graph or with blank nodes is validated whole.  The tests hold the pieces to the
whole pass on the seed, the 2017 workbook, released files that share a row id, graphs
broken for each rule and the holes a review found (results on the findings' nodes placed
two links into an agreement, findings joining two agreements).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import Graph, URIRef, Variable
from rdflib.namespace import SH
from rdflib.paths import Path

from ..errors import UsageError
from . import DEFAULT_BASE
from .shacl import PLACE_BACKWARD, PLACE_FORWARD, PLACE_READS, Violation, shapes_graph, validate
from .store import text_store
from .turtle import RdfText, graph_order, open_statements, prefix_lines
from .vocab import RDF, RDFS

__all__ = ["PIECES_ENV", "PIECES_FROM", "PIECE_BYTES", "check_text", "in_pieces"]

#: Below this much statement text (bytes) a register is always validated whole (the 2017
#: workbook is about 40 MB; 10k synthetic entries about 290 MB).
PIECES_FROM = 128 << 20
#: What one whole pass takes beyond the register, per byte of statement text (the store, the
#: text being handed to it, the queries: 1.51 GB for 287 MB at 10k synthetic entries, 5.3),
#: rounded up.
WHOLE_PER_BYTE = 6
#: ``auto`` (the default: in pieces when one pass would not fit in the memory available),
#: ``always`` or ``never``.
PIECES_ENV = "DFG_CHECK_PIECES"
#: About this much statement text per group of agreement graphs.
PIECE_BYTES = 32 << 20

_TYPE = ox.NamedNode(str(RDF.type))
_Term = ox.NamedNode | ox.BlankNode | ox.Literal
_SUBCLASS = ox.NamedNode(str(RDFS.subClassOf))
_PLACE_FORWARD = frozenset(ox.NamedNode(str(p)) for p in PLACE_FORWARD)


def check_text(
    text: RdfText,
    *,
    base: str = DEFAULT_BASE,
    pieces: bool | None = None,
    piece_bytes: int = PIECE_BYTES,
) -> list[Violation]:
    """The results of :func:`~dataflow_graph.rdf.shacl.validate` on the text's RDF (the text
    is spent: all of it in one pass, its agreement graphs in pieces).  ``pieces``: in pieces
    or whole; None: as :func:`in_pieces` decides."""
    text.seal()
    size = sum(len(c) for chunks in text.statements.values() for c in chunks)
    # Blank-node labels are scoped to the document Oxigraph parses: the pieces could split one
    # node in two.  A statement in the default graph belongs to no agreement.  The records'
    # RDF has neither; any other text is validated whole.
    if (
        not (in_pieces(size) if pieces is None else pieces)
        or text.statements.get(None)
        or text.open.get(None)
        or any(b"_:" in c for chunks in text.statements.values() for c in chunks)
    ):
        return validate(text_store(text, consume=True))
    return _Pieces(text, base, piece_bytes).validate()


def in_pieces(size: int, environ: Mapping[str, str] | None = None, available: int | None = None) -> bool:
    """Whether ``size`` bytes of statement text are validated in pieces: as ``$DFG_CHECK_PIECES``
    says (``always``, ``never``), else (``auto``) when one pass would take more than the
    memory available (``MemAvailable`` of ``/proc/meminfo``; where that cannot be read, whole).

    >>> in_pieces(380 << 20, {}, available=16 << 30), in_pieces(380 << 20, {}, available=1 << 30)
    (False, True)
    >>> in_pieces(40 << 20, {}, available=1 << 20), in_pieces(40 << 20, {"DFG_CHECK_PIECES": "always"})
    (False, True)

    Raises
    ------
    UsageError
        For any other value of ``$DFG_CHECK_PIECES``.
    """
    mode = (os.environ if environ is None else environ).get(PIECES_ENV, "auto").strip().lower() or "auto"
    if mode not in ("auto", "always", "never"):
        raise UsageError(f"{PIECES_ENV}={mode!r}: expected auto, always or never")
    if mode != "auto":
        return mode == "always"
    if size < PIECES_FROM:
        return False
    free = _memory_available() if available is None else available
    return free is not None and WHOLE_PER_BYTE * size > free


def _memory_available() -> int | None:
    """The memory the system can give without swapping (bytes), or None where unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


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
        reads = _read_by_rules()
        #: the findings' links a rule reads backwards, by the node linked, with the linker's types
        findings_back: dict[str, list[ox.Quad]] = {}
        for p in backward:
            for q in whole.quads_for_pattern(None, ox.NamedNode(p), None, findings_node):
                findings_back.setdefault(str(q.object), []).extend(
                    [q, *whole.quads_for_pattern(q.subject, _TYPE, None)]
                )
        #: statements that go into every store (see the module's docstring)
        carried: list[ox.Quad] = list(whole.quads_for_pattern(None, _SUBCLASS, None, findings_node))
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
                carried.extend(store.quads_for_pattern(_term(s), None, None))
            for s in here & described_findings:
                split_findings.add(s)
                told = list(whole.quads_for_pattern(_term(s), None, None, findings_node))
                carried.extend(told)
                # what the findings say of it may name another group's node: those groups go together
                named.extend(str(q.object) for q in told if not isinstance(q.object, ox.Literal))
            for s in here & findings_back.keys():
                carried.extend(findings_back[s])
            linking: set[str] = set()  # this group's nodes that link to a findings' node
            for o in set(named) & described_findings:
                carried.extend(whole.quads_for_pattern(_term(o), None, None, findings_node))
                for p in backward:
                    for q in store.quads_for_pattern(None, ox.NamedNode(p), _term(o)):
                        whole.add(q)  # a rule on the findings' node (its place) reads it backwards
                        linking.add(str(q.subject))
            carried.extend(store.quads_for_pattern(None, _SUBCLASS, None))  # the classes compiled
            for p in backward:  # the groups' backward links to the shared graphs' nodes
                for q in store.quads_for_pattern(None, ox.NamedNode(p), None):
                    if str(q.object) in described_shared:
                        carried.append(q)
                        carried.extend(store.quads_for_pattern(q.subject, _TYPE, None))
            # the findings' store: what the rules on its own nodes read of this group's nodes the
            # findings name, and of those their places lead to (an entry's evidence: its line)
            todo = sorted((here & of_findings) | linking)
            seen = set(todo)
            while todo:
                about = [
                    q
                    for q in store.quads_for_pattern(_term(todo.pop()), None, None)
                    if reads is None or q.predicate in reads
                ]
                whole.extend(about)
                for q in about:
                    if isinstance(q.object, ox.Literal):
                        continue
                    whole.extend(store.quads_for_pattern(q.object, _TYPE, None))
                    o = str(q.object)
                    if q.predicate in _PLACE_FORWARD and o in here and o not in seen:
                        seen.add(o)
                        todo.append(o)
            del store
        for k, named in named_elsewhere:
            for o in named:
                other = owner.get(o)
                if other is not None:
                    union.union(other, k)
        every = ox.serialize(carried, format=ox.RdfFormat.N_QUADS) or b""  # compact, loaded per store
        del carried
        out: list[Violation] = []
        reported: set[str] = set()  # nodes described nowhere, reported by an earlier store
        pieces: dict[int, list[str]] = {}
        for k, members in enumerate(groups):
            pieces.setdefault(union.find(k), []).extend(members)

        def owns(s: str, here: int | None) -> bool | None:
            """Whether this store gives the results on the node ``s`` (``here``: the piece's
            root, None for the findings' store); None for a node described nowhere."""
            if s in described_shared or (s in described_findings and s not in split_findings):
                return here is None
            if s in owner:
                return union.find(owner[s]) == here
            return None

        def kept(foci: set[_Term], here: int | None) -> set[_Term]:
            """The foci whose results this store gives (one described nowhere: the first
            store that reports it)."""
            out: set[_Term] = set()
            for f in foci:
                s = str(f)
                mine = owns(s, here)
                if mine is None:
                    mine = s not in reported
                    reported.add(s)
                if mine:
                    out.add(f)
            return out

        def shapes_for(store: ox.Store, here: int | None) -> Graph:
            """The shapes, less the class targets no node this store owns is an instance of:
            their results here would all be dropped (the findings' store holds the types of
            every flow, hop and copy the findings name)."""
            owned = {str(q.object) for q in store.quads_for_pattern(None, _TYPE, None) if owns(str(q.subject), here)}
            classes = _superclasses(store, owned)
            g = shapes_graph()  # parsed again: the messages list a shape's classes in the graph's order
            for shape, _, cls in list(g.triples((None, SH.targetClass, None))):
                if str(cls) not in classes:
                    g.remove((shape, SH.targetClass, cls))
            return g

        for root, members in pieces.items():
            store = ox.Store()
            store.load(shared, format=ox.RdfFormat.TRIG)
            store.load(every, format=ox.RdfFormat.N_QUADS)
            store.load(b"".join(self.chunk(g, spend=True) for g in members), format=ox.RdfFormat.TRIG)
            out.extend(validate(store, shapes=shapes_for(store, root), keep=functools.partial(kept, here=root)))
            del store
        whole.load(every, format=ox.RdfFormat.N_QUADS)
        out.extend(validate(whole, shapes=shapes_for(whole, None), keep=functools.partial(kept, here=None)))
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


def _superclasses(store: ox.Store, classes: set[str]) -> set[str]:
    """The classes and every class the store makes them subclasses of, as IRIs."""
    listed = " ".join(c for c in sorted(classes) if c.startswith("<"))
    if not listed:
        return set()
    query = f"SELECT DISTINCT ?t WHERE {{ VALUES ?c {{ {listed} }} ?c <{RDFS.subClassOf}>* ?t }}"
    rows = store.query(query, use_default_graph_as_union=True)
    return {row[0].value for row in rows if isinstance(row[0], ox.NamedNode)}  # type: ignore[union-attr]


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


def _read_by_rules() -> set[ox.NamedNode] | None:
    """The predicates a result on a node of the findings' store can rest on, of the agreement
    nodes the findings name (None: any, when a check's pattern has a variable predicate).

    The shapes read those nodes' types (``sh:class`` of a finding side's flow, hop, copy);
    the checks, the predicates their queries name (``finding_sides``: the delivering hop's
    ``prov:used`` and ``dfg:to``); placing a result, the links :class:`_Places` follows.  The
    rest of what the findings name (an entry's title, a flow's evidence) only serves results
    on the agreement nodes themselves, which their own groups give.
    """
    from rdflib.plugins.sparql import prepareQuery

    from .shacl import checks

    found: set[object] = {RDF.type, RDFS.subClassOf, *PLACE_READS}
    for _, text in checks().values():
        if not _iris(prepareQuery(text).algebra, found, set()):
            return None
    return {ox.NamedNode(str(p)) for p in found if isinstance(p, URIRef)}


def _iris(node: object, found: set[object], seen: set[int]) -> bool:
    """Add the IRIs of a query's algebra to ``found``; False if a triple pattern's predicate
    is a variable."""
    if id(node) in seen or (isinstance(node, (str, int, float)) and not isinstance(node, URIRef)):
        return True
    seen.add(id(node))
    if isinstance(node, URIRef):
        found.add(node)
        return True
    if isinstance(node, dict):
        patterns = node.get("triples") if getattr(node, "name", None) == "BGP" else None
        if any(isinstance(t[1], Variable) for t in patterns or ()):
            return False
        return all(_iris(v, found, seen) for v in node.values())
    if isinstance(node, (list, tuple, set)):
        return all(_iris(v, found, seen) for v in node)
    if isinstance(node, Path):
        return all(_iris(v, found, seen) for v in vars(node).values())
    return True


def _backward() -> list[str]:
    """The predicates a rule reads from object to subject: the shapes' inverse paths and
    ``sh:targetObjectsOf``, and the links that place a result."""
    g = shapes_graph()
    found = {str(o) for o in g.objects(None, SH.inversePath)} | {str(o) for o in g.objects(None, SH.targetObjectsOf)}
    return sorted(found | {str(p) for p in PLACE_BACKWARD})
