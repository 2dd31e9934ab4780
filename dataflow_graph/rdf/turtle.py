"""Turtle text: escaping, terms and literals, statements gathered by named graph, and written.

Building triples as text and letting Oxigraph parse them is many times faster than a Python
object per term, so the register's RDF is built as Turtle statements (:class:`RdfText`),
and Turtle and TriG documents are that text, joined in a fixed order (:func:`write`).

>>> ttl_iri("https://w3id.org/dataflow-graph/ns#Flow"), ttl_iri("https://example.org/a b")
('dfg:Flow', '<https://example.org/a b>')
>>> ttl_literal("a \\"quoted\\"\\nline"), ttl_literal("3", XSD_INTEGER)
('"a \\\\"quoted\\\\"\\\\nline"', '3')
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from rdflib.namespace import DefinedNamespace, Namespace

from .._speed import memoised
from . import DEFAULT_BASE
from .iris import NodeIris, SourceFiles
from .vocab import PREFIXES, RDF, XSD

__all__ = [
    "SEP",
    "XSD_STRING",
    "RdfText",
    "Terms",
    "graph_order",
    "open_statements",
    "prefix_lines",
    "quoted",
    "quoted_once",
    "template",
    "then",
    "ttl_bool",
    "ttl_iri",
    "ttl_literal",
    "ttl_predicate",
    "write",
]

#: Characters a quoted Turtle / N-Triples string must escape (STRING_LITERAL_QUOTE).
_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})
#: A prefixed name's local part written as is (anything else stays a full ``<IRI>``).
_PN_LOCAL = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]*")
_INTEGER = re.compile(r"[+-]?[0-9]+")
_PREFIXES_BY_LENGTH = sorted(PREFIXES.items(), key=lambda kv: (-len(kv[1]), kv[0]))
RDF_TYPE = str(RDF.type)
XSD_STRING = str(XSD.string)
XSD_INTEGER = str(XSD.integer)
_XSD_BOOLEAN = str(XSD.boolean)
#: Between the ``predicate object`` pairs of one statement.
SEP = " ;\n\t"


def quoted_once(text: str) -> str:
    """A string literal in Turtle (and N-Triples) syntax: ``"…"`` with the four escapes (for
    text seldom written twice, such as labels naming their node: :func:`quoted` remembers)."""
    if '"' in text or "\\" in text or "\n" in text or "\r" in text:  # four memchr: a regex is 10x slower on prose
        text = text.translate(_ESCAPES)
    return f'"{text}"'


#: :func:`quoted_once`, remembered: for text the register repeats (headings, names, bases).
quoted = memoised(maxsize=1 << 16)(quoted_once)


@memoised(maxsize=4096)
def ttl_iri(iri: str) -> str:
    """An IRI as written in Turtle: a prefixed name where one of :data:`PREFIXES` fits."""
    for prefix, ns in _PREFIXES_BY_LENGTH:
        if iri.startswith(ns) and _PN_LOCAL.fullmatch(iri, len(ns)):
            return f"{prefix}:{iri[len(ns) :]}"
    return f"<{iri}>"


def ttl_predicate(iri: str) -> str:
    """A predicate as written in Turtle: ``a`` for ``rdf:type``."""
    return "a" if iri == RDF_TYPE else ttl_iri(iri)


def ttl_literal(value: str, datatype: str = XSD_STRING, language: str | None = None) -> str:
    """A literal in the one Turtle form both build paths write (integers and booleans bare)."""
    if language:
        return f"{quoted(value)}@{language}"
    if datatype == XSD_STRING:
        return quoted(value)
    if datatype == XSD_INTEGER and _INTEGER.fullmatch(value):
        return value
    if datatype == _XSD_BOOLEAN and value in ("true", "false"):
        return value
    return f"{quoted(value)}^^{ttl_iri(datatype)}"


def ttl_bool(value: bool) -> str:
    """A boolean literal, bare."""
    return "true" if value else "false"


class Terms:
    """Turtle forms of one namespace's terms (``dfg:Flow``): computed once, then plain attributes."""

    def __init__(self, namespace: Namespace | type[DefinedNamespace]) -> None:
        self._namespace = namespace

    def __getattr__(self, name: str) -> str:
        value = ttl_iri(str(self._namespace[name]))
        setattr(self, name, value)
        return value


class RdfText(NodeIris):
    """The register's RDF as Turtle text, by named graph: Oxigraph parses it, Turtle and TriG are it.

    Most nodes (hops, evidence, flows, entries, copies…) are *closed*: one function knows all
    their triples and writes their whole statement (``"<s> a dfg:Hop ;\\n\\tdfg:hopIndex 1 …
    .\\n"``) into ``statements``.  Nodes that several records describe (organisations,
    datasets) are *open*: their ``"predicate object"`` fragments gather in ``open`` and are
    joined, without repeats, when written.  Graph keys are ``"<IRI>"`` terms, or None for the
    default graph.  Nodes are named by :class:`~dataflow_graph.rdf.iris.NodeIris` under ``base``.
    """

    def __init__(
        self,
        base: str = DEFAULT_BASE,
        *,
        entry_keys: Mapping[str, str] | None = None,
        files: SourceFiles | None = None,
        release_keys: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(base, entry_keys=entry_keys, files=files, release_keys=release_keys)
        self.statements: dict[str | None, list[bytes]] = {}
        self.open: dict[str | None, dict[str, list[str]]] = {}
        #: Units already closed (organisation id, unit slug): a unit is written once.
        self.seen_units: set[tuple[str, str]] = set()
        #: Shared nodes already closed (evidence): each is written once per builder.
        self.seen: set[str] = set()
        self._graph: str | None = None
        self._pending: list[bytes] = []
        self._open: dict[str, list[str]] = {}

    def use(self, graph: str | None) -> None:
        """Write what follows into ``graph`` (a ``"<IRI>"`` term, or None)."""
        self.seal()
        self._graph = graph
        self.statements.setdefault(graph, [])
        self._open = self.open.setdefault(graph, {})

    def seal(self) -> None:
        """Sort the current graph's new closed statements and keep them as one UTF-8 chunk.

        Statements begin with their subject, so the graph reads in subject order; encoding
        in the worker that built them leaves the writer only bytes to join.  Each statement
        is encoded as it is written: UTF-8 sorts as the text does, comparing bytes is
        faster, and one "→" in a label no longer widens the whole graph's text before it is
        encoded.
        """
        if self._pending:
            self._pending.sort()
            self.statements.setdefault(self._graph, []).append(b"".join(self._pending))
            self._pending = []

    def close(self, node: str, fragments: list[str]) -> None:
        """Write the statement of a closed node: ``fragments`` are all its ``"p o"`` pairs."""
        self._pending.append(f"{node} {SEP.join(fragments)} .\n".encode())

    def put(self, statement: str) -> None:
        """Write the whole statement of a closed node, ``"<s> p o ;\\n\\tp o .\\n"``, made
        in one go from a template (:func:`then`): what :meth:`close` writes, without a
        list and a join per node."""
        self._pending.append(statement.encode())

    def subject(self, node: str) -> list[str]:
        """The fragment list of an open node in the current graph, to append ``"p o"`` to."""
        got = self._open.get(node)
        if got is None:
            got = self._open[node] = []
        return got


def template(*fragments: str | None) -> str:
    """A ``%`` template of a closed node's statement, the subject first: ``fragments`` are its
    ``"p o"`` pairs in order, joined by :data:`SEP`, with ``%s`` where a value goes; None
    stands for a ``%s`` of pairs made by :func:`then` (each led by its own :data:`SEP`).

    >>> template("a dfg:Hop", "dfg:hopIndex %s", None) % ("<h>", 1, then(["dfg:to <o>"]))
    '<h> a dfg:Hop ;\\n\\tdfg:hopIndex 1 ;\\n\\tdfg:to <o> .\\n'
    """
    out, first = "%s ", True
    for f in fragments:
        if f is None:
            out += "%s"
        else:
            out += f if first else SEP + f
            first = False
    return out + " .\n"


def then(fragments: Iterable[str]) -> str:
    """``fragments`` each led by :data:`SEP`: the optional or repeated pairs of a statement
    template, empty when there are none."""
    return "".join([SEP + f for f in fragments])


def open_statements(open_nodes: Mapping[str, list[str]]) -> list[bytes]:
    """Statements of open nodes as one UTF-8 chunk (or none): each node's distinct ``p o``
    fragments sorted, nodes sorted."""
    if not open_nodes:
        return []
    return ["".join(sorted(f"{s} {SEP.join(sorted(set(frags)))} .\n" for s, frags in open_nodes.items())).encode()]


def prefix_lines() -> str:
    """The ``@prefix`` lines of :data:`PREFIXES`, sorted by prefix."""
    return "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in sorted(PREFIXES.items()))


def graph_order(text: RdfText) -> list[str | None]:
    """The default graph first, then named graphs by IRI."""
    return sorted(text.statements.keys() | text.open.keys(), key=lambda k: (k is not None, (k or "")[1:-1]))


def write(text: RdfText, *, trig: bool) -> bytes:
    """Turtle (the union of the graphs) or TriG (each graph in braces, default graph first).

    Graphs come in IRI order; within a graph, closed statements by subject, then open ones.
    In Turtle an open node described in several graphs is written once, in the first.
    """
    text.seal()
    prefixes = prefix_lines()
    graphs = graph_order(text)
    opens: Mapping[str | None, Mapping[str, list[str]]] = {g: text.open.get(g, {}) for g in graphs}
    if not trig:
        merged: dict[str, list[str]] = {}
        firsts: dict[str | None, dict[str, list[str]]] = {g: {} for g in graphs}
        for g in graphs:
            for s, frags in opens[g].items():
                got = merged.get(s)
                if got is None:
                    got = merged[s] = firsts[g][s] = []
                got.extend(frags)
        opens = firsts
    parts = [prefixes.encode()]
    for g in graphs:
        body = [*text.statements.get(g, ()), *open_statements(opens[g])]
        if not body:
            continue
        parts += body if g is None or not trig else [f"{g} {{\n".encode(), *body, b"}\n"]
    return b"".join(parts)
