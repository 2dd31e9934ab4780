"""SHACL Core validation compiled to SPARQL and run on Oxigraph: the default engine of
``dfg check``.

pySHACL over the 2017 workbook's 470k triples takes about 22 s, plus 13 s and most of the
memory to copy them into the rdflib graph it reads (measured, benchmarks/README.md).  The
shapes of ``ontology/shapes.ttl`` use a small part of SHACL Core, so each of their
constraints becomes a ``SELECT`` over the union of the store's named graphs, with the
semantics of the SHACL specification as pySHACL implements them (a result per value node for
value constraints, per focus node for counts; ``sh:class`` and ``sh:targetClass`` follow
``rdf:type/rdfs:subClassOf*`` in the data).  A shape using anything else (another
constraint, target or path form) is refused when the shapes are compiled, never skipped.
pySHACL stays available (``dfg check --engine pyshacl``) to cross-check.

>>> from dataflow_graph.rdf.shacl import shapes_graph
>>> sum(len(shape.checks) for shape in compile_shapes(shapes_graph())) > 200
True
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH, XSD
from rdflib.term import BNode, Node, XSDToPython

from ..errors import DataflowGraphError

__all__ = ["CompiledCheck", "CompiledShape", "UnsupportedShapeError", "compile_shapes", "run_checks"]


class UnsupportedShapeError(DataflowGraphError):
    """A shape uses a SHACL feature the SPARQL engine does not compile (use pySHACL)."""


#: sh: predicates a shape may carry; any other sh: term on a shape is refused.
_SUPPORTED = frozenset(
    SH[name]
    for name in (
        "targetClass targetObjectsOf property path class datatype in nodeKind minInclusive pattern minCount "
        "maxCount qualifiedValueShape qualifiedMinCount qualifiedMaxCount or severity message name description "
        "order group"
    ).split()
)
_TARGETS = (SH.targetClass, SH.targetObjectsOf)
_NODE_KINDS = {
    SH.IRI: "isIRI(?v)",
    SH.BlankNode: "isBlank(?v)",
    SH.Literal: "isLiteral(?v)",
    SH.BlankNodeOrIRI: "!isLiteral(?v)",
    SH.BlankNodeOrLiteral: "!isIRI(?v)",
    SH.IRIOrLiteral: "!isBlank(?v)",
}
#: lexical forms that are surely well typed; other literals of the datatype are judged by rdflib.
_WELL_TYPED = {
    XSD.integer: "^-?(0|[1-9][0-9]*)$",
    XSD.boolean: "^(true|false)$",
}
_PYTHON_TYPES: dict[URIRef, type | tuple[type, ...]] = {
    XSD.string: (str, bytes),
    RDF.langString: (str, bytes),
    XSD.integer: int,
    XSD.float: float,
    XSD.decimal: Decimal,
    XSD.boolean: bool,
    XSD.date: date,
    XSD.time: time,
    XSD.dateTime: datetime,
}


@dataclass(frozen=True, slots=True)
class CompiledCheck:
    """One constraint of one shape as a ``SELECT ?focus`` (and ``?value`` for value constraints)."""

    severity: str
    message: str
    #: the result path as text (``dfg:from``, ``^prov:wasGeneratedBy``), None at node level.
    path: str | None
    query: str
    #: for sh:datatype: the datatype, whose literals the query cannot judge are checked in Python.
    datatype: str | None = None
    #: how its property shape's screening query flags it: ("min"|"max"|"qmin"|"qmax", bound) for
    #: a count (the result is then known), ("bad", i) when column ?c<i> counts breaking values
    #: (its query then runs on those focus nodes); None: its query runs on every focus node.
    screen: tuple[str, int] | None = None


@dataclass(frozen=True, slots=True)
class CompiledShape:
    """The checks of a property shape over one node shape's focus nodes (with its screening
    query), or a node shape's own checks (``screen`` None: each check's query runs)."""

    screen: str | None
    checks: tuple[CompiledCheck, ...]


def compile_shapes(shapes: Graph, store: ox.Store | None = None) -> list[CompiledShape]:
    """Every constraint of every shape with a target, as SPARQL; UnsupportedShapeError first.

    With the ``store`` the queries will run on, a value's ``sh:class`` test names the classes
    the store's data makes subclasses of it (:func:`_instance_test`); without one, the
    queries hold the property path and run on any store.
    """
    for shape in _all_shapes(shapes):
        _refuse_unsupported(shapes, shape)
    out: list[CompiledShape] = []
    isa = _instance_test(store)
    top = sorted({s for t in _TARGETS for s in shapes.subjects(t, None)}, key=str)
    for shape in top:
        out.extend(_compile(shapes, shape, _targets(shapes, shape), isa))
    return out


#: A pattern true when a variable's value is a SHACL instance of a class: ``isa("?v", C)``.
Isa = Callable[[str, Node], str]


def _instance_test(store: ox.Store | None) -> Isa:
    """How a value is tested for being a SHACL instance of a class (``rdf:type/rdfs:subClassOf*``
    in the data graph).

    Oxigraph evaluates the property path once per value: 0.5 ms at 10k synthetic entries
    (5M quads), 48 s for the senders of 66,552 hops, against 1.2 s for ``?v a C``.  So, with
    the store at hand, the path's classes are found once (``?t rdfs:subClassOf* C``: C and
    every subclass the data states) and the test names them; the same values pass.  A class
    with a blank-node subclass keeps the path.
    """
    path = f"a/<{RDFS.subClassOf}>*"
    if store is None:
        return lambda var, c: f"{var} {path} {_iri(c)}"
    found: dict[Node, list[str] | None] = {}

    def isa(var: str, c: Node) -> str:
        if c not in found:
            query = f"SELECT DISTINCT ?t WHERE {{ ?t <{RDFS.subClassOf}>* {_iri(c)} }}"
            terms = [row["t"] for row in store.query(query, use_default_graph_as_union=True)]  # type: ignore[union-attr]
            named = all(isinstance(t, ox.NamedNode) for t in terms)  # C itself too when the data lacks it
            found[c] = sorted({_iri(c), *map(str, terms)}) if named else None
        classes = found[c]
        if classes is None:
            return f"{var} {path} {_iri(c)}"
        if len(classes) == 1:
            return f"{var} a {classes[0]}"
        return "{ " + " UNION ".join(f"{{ {var} a {t} }}" for t in classes) + " }"

    return isa


def run_checks(
    store: ox.Store, compiled: list[CompiledShape]
) -> Iterator[tuple[str, str, ox.NamedNode | ox.Literal, str | None]]:
    """(severity, message, focus node, path) for each result, running the queries on the union
    of the store's named graphs."""
    for shape in compiled:
        if shape.screen is None:
            for check in shape.checks:
                yield from _results(store, check, check.query)
            continue
        rows = store.query(shape.screen, use_default_graph_as_union=True)
        assert isinstance(rows, ox.QuerySolutions)
        bad: dict[int, list[str]] = {}
        for row in rows:
            focus = row["focus"]
            for check in shape.checks:
                assert check.screen is not None
                kind, bound = check.screen
                if kind == "bad":
                    if int(row[f"c{bound}"].value):
                        bad.setdefault(bound, []).append(str(focus))
                    continue
                n = int(row["qn" if kind[0] == "q" else "n"].value)
                if (n < bound) if kind.endswith("min") else (n > bound):
                    yield check.severity, check.message, focus, check.path
        for check in shape.checks:
            assert check.screen is not None
            if check.screen[0] == "bad" and check.screen[1] in bad:
                listed = " ".join(bad[check.screen[1]])
                yield from _results(
                    store, check, check.query.replace(" WHERE { ", f" WHERE {{ VALUES ?focus {{ {listed} }} ", 1)
                )


def _results(
    store: ox.Store, check: CompiledCheck, query: str
) -> Iterator[tuple[str, str, ox.NamedNode | ox.Literal, str | None]]:
    """The results of one check's query (ill-typed literals judged here for sh:datatype)."""
    rows = store.query(query, use_default_graph_as_union=True)
    assert isinstance(rows, ox.QuerySolutions)
    for row in rows:
        if check.datatype is not None and _well_typed(row["value"], check.datatype):
            continue
        yield check.severity, check.message, row["focus"], check.path


class _Quiet(logging.Filter):
    """Drops rdflib's term records logged by a thread while it judges a literal.

    The queries run on several threads.  Setting the logger's level and putting it back, as
    before, let two threads interleave what they saved and restored, and a level set by
    assignment leaves the logger's cached answer stale: rdflib's traceback of an ill-typed
    literal reached the handlers (one kept it, and with it the query's solutions in its
    frames, past the thread's end), or the logger stayed silent.  A filter on a thread-local
    flag changes nothing shared.
    """

    here = threading.local()
    _installed = False

    def filter(self, record: logging.LogRecord) -> bool:
        return not getattr(self.here, "on", False)

    @classmethod
    def install(cls) -> None:
        """Put the filter on rdflib's term logger, once."""
        if not cls._installed:
            logging.getLogger("rdflib.term").addFilter(cls())
            cls._installed = True


def _well_typed(value: object, datatype: str) -> bool:
    """Whether a literal of the datatype is well typed, as rdflib reads it (as pySHACL does)."""
    if not isinstance(value, ox.Literal) or value.language or value.datatype.value != datatype:
        return False
    _Quiet.install()
    _Quiet.here.on = True  # rdflib logs a traceback for each ill-typed literal: not this thread's
    try:
        lit = Literal(value.value, datatype=None if datatype == str(XSD.string) else URIRef(datatype))
    finally:
        _Quiet.here.on = False
    if getattr(lit, "ill_typed", None) is True:
        return False
    wanted = _PYTHON_TYPES.get(URIRef(datatype))
    return wanted is None or isinstance(lit.value if datatype != str(XSD.string) else str(lit), wanted)


# ---------------------------------------------------------------------------------------------
# Reading the shapes


def _all_shapes(g: Graph) -> set[Node]:
    """Every node used as a shape: declared, targeted, or referenced by another shape."""
    found: set[Node] = set(g.subjects(RDF.type, SH.NodeShape)) | set(g.subjects(RDF.type, SH.PropertyShape))
    for t in _TARGETS:
        found.update(g.subjects(t, None))
    todo = list(found)
    while todo:
        shape = todo.pop()
        refs = list(g.objects(shape, SH.property)) + list(g.objects(shape, SH.qualifiedValueShape))
        for lst in g.objects(shape, SH["or"]):
            refs.extend(Collection(g, lst))
        for ref in refs:
            if ref not in found:
                found.add(ref)
                todo.append(ref)
    return found


def _refuse_unsupported(g: Graph, shape: Node) -> None:
    """Raise on any sh: term of the shape the compiler does not handle."""
    if any((shape, RDF.type, c) in g for c in (RDFS.Class, OWL.Class)):
        raise UnsupportedShapeError(f"{shape}: implicit class targets are not supported")
    for p in set(g.predicates(shape, None)):
        if str(p).startswith(str(SH)) and p not in _SUPPORTED:
            raise UnsupportedShapeError(f"{shape}: {p} is not supported by the SPARQL engine (use --engine pyshacl)")
    for p in (SH.datatype, SH.nodeKind, SH.pattern, SH.minCount, SH.maxCount, SH.qualifiedValueShape):
        if len(set(g.objects(shape, p))) > 1:
            raise UnsupportedShapeError(f"{shape}: more than one {p}")
    if len(set(g.objects(shape, SH.message))) > 1:
        raise UnsupportedShapeError(f"{shape}: more than one sh:message")
    for p in (SH.targetObjectsOf, SH.targetClass):
        for o in g.objects(shape, p):
            if not isinstance(o, URIRef):
                raise UnsupportedShapeError(f"{shape}: {p} {o} is not an IRI")
    path = g.value(shape, SH.path)
    if path is not None:
        _path(g, shape, path)
    has_q = g.value(shape, SH.qualifiedValueShape) is not None
    if has_q != (g.value(shape, SH.qualifiedMinCount) is not None or g.value(shape, SH.qualifiedMaxCount) is not None):
        raise UnsupportedShapeError(f"{shape}: sh:qualifiedValueShape needs sh:qualifiedMinCount or MaxCount")
    if has_q and path is None:
        raise UnsupportedShapeError(f"{shape}: sh:qualifiedValueShape on a node shape is not supported")


def _iri(node: Node) -> str:
    """A term in SPARQL syntax."""
    if isinstance(node, URIRef):
        return f"<{node}>"
    if isinstance(node, Literal):
        return node.n3()
    raise UnsupportedShapeError(f"{node!r}: blank nodes are not supported as values")


def _path(g: Graph, shape: Node, path: Node) -> tuple[str, str]:
    """(SPARQL property path, text reported as sh:resultPath) of an IRI or inverse path."""
    if isinstance(path, URIRef):
        return f"<{path}>", _short(g, path)
    inverse = g.value(path, SH.inversePath)
    if isinstance(path, BNode) and isinstance(inverse, URIRef) and len(set(g.predicate_objects(path))) == 1:
        return f"^<{inverse}>", f"^{_short(g, inverse)}"
    raise UnsupportedShapeError(f"{shape}: only IRI and sh:inversePath paths are supported")


def _short(g: Graph, iri: URIRef) -> str:
    """A prefixed name from the project's prefixes, as results show paths."""
    from .vocab import PREFIXES

    text = str(iri)
    for prefix, ns in PREFIXES.items():
        if text.startswith(ns):
            return f"{prefix}:{text[len(ns) :]}"
    return text


def _targets(g: Graph, shape: Node) -> str:
    """A group pattern binding the shape's focus nodes to ?focus (maybe more than once: the
    queries count and return distinct nodes; DISTINCT here costs more than it saves)."""
    parts = [f"{{ ?focus a/<{RDFS.subClassOf}>* <{c}> }}" for c in sorted(g.objects(shape, SH.targetClass), key=str)]
    parts += [f"{{ [] <{p}> ?focus }}" for p in sorted(g.objects(shape, SH.targetObjectsOf), key=str)]
    return f"{{ SELECT ?focus WHERE {{ {' UNION '.join(parts)} }} }}"


def _severity(g: Graph, shape: Node) -> str:
    """The shape's severity's local name (Violation by default)."""
    found = g.value(shape, SH.severity)
    return "Violation" if found is None else str(found).rsplit("#", 1)[-1]


# ---------------------------------------------------------------------------------------------
# Compiling


def _compile(g: Graph, shape: Node, targets: str, isa: Isa) -> Iterator[CompiledShape]:
    """The checks of one shape over the focus nodes ``targets`` binds, then of its property shapes."""
    severity, message = _severity(g, shape), g.value(shape, SH.message)
    path_node = g.value(shape, SH.path)
    if path_node is None:
        path, reported, values = None, None, ""
    else:
        path, reported = _path(g, shape, path_node)
        values = f"?focus {path} ?v ."

    def made(query: str, default: str, screen: tuple[str, int] | None, datatype: str | None = None) -> CompiledCheck:
        text = str(message) if message is not None else default
        return CompiledCheck(severity, text, reported, query, datatype, screen)

    def need_message(what: str) -> str:
        if message is None:
            raise UnsupportedShapeError(f"{shape}: {what} without sh:message is not supported")
        return ""

    if path is None and any(g.value(shape, p) is not None for p in (SH.minCount, SH.maxCount, SH.qualifiedValueShape)):
        raise UnsupportedShapeError(f"{shape}: counts on a node shape are not supported")
    value = "?focus" if path is None else "?v"
    select = "SELECT DISTINCT ?focus" if path is None else "SELECT DISTINCT ?focus ?v"
    body = f"{targets} {values}"
    checks: list[CompiledCheck] = []
    #: screen parts: patterns binding ?b<i> to the value nodes breaking value constraint i
    flagged: list[str] = []

    def value_check(query: str, default: str, screen_part: str, datatype: str | None = None) -> None:
        i = len(flagged)
        flagged.append(screen_part.replace("?b ", f"?b{i} ").replace("?ok", f"?ok{i}"))
        checks.append(made(query, default, ("bad", i) if path is not None else None, datatype))

    # value constraints: one result per value node
    classes = sorted(g.objects(shape, SH["class"]), key=str)
    if classes:
        names = [c.n3(g.namespace_manager) if isinstance(c, URIRef) else str(c) for c in _in_order(g, shape)]
        default = (
            f"Value does not have class {names[0]}"
            if len(names) < 2
            else f"Value class is not in classes ({', '.join(names)})"
        )
        for c in classes:
            instance = isa(value, c)
            value_check(
                f"{select} WHERE {{ {body} MINUS {{ {instance} }} }}",
                default,
                f"OPTIONAL {{ {instance} BIND(true AS ?ok) }} BIND(IF(BOUND(?ok), ?none, ?v) AS ?b )",
            )
    conditions: list[tuple[str, str, str | None]] = []  # (condition, default message, datatype)
    datatype = g.value(shape, SH.datatype)
    if datatype is not None:
        if not isinstance(datatype, URIRef):
            raise UnsupportedShapeError(f"{shape}: sh:datatype {datatype} is not an IRI")
        sure = f"isLiteral({value}) && datatype({value}) = <{datatype}>"
        if XSDToPython.get(datatype) is not None:  # rdflib reads the value: ill-typed ones fail
            lexical = _WELL_TYPED.get(datatype)
            sure += f' && regex(str({value}), "{lexical}")' if lexical else " && false"
        default = f"Value is not Literal with datatype {datatype.n3(g.namespace_manager)}"
        conditions.append((f"!COALESCE({sure}, false)", default, str(datatype)))
    for lst in sorted(g.objects(shape, SH["in"]), key=str):
        conditions.append((need_message("sh:in") or f"!({_in(g, lst, value)})", "", None))
    for kind in sorted(g.objects(shape, SH.nodeKind), key=str):
        default = f"Value is not of Node Kind {URIRef(str(kind)).n3(g.namespace_manager)}"
        conditions.append((f"!({_node_kind(shape, kind).replace('?v', value)})", default, None))
    for low in sorted(g.objects(shape, SH.minInclusive), key=str):
        conditions.append((need_message("sh:minInclusive") or f"!COALESCE({value} >= {_iri(low)}, false)", "", None))
    for pattern in sorted(g.objects(shape, SH.pattern), key=str):
        regex = f"regex(str({value}), {_iri(Literal(str(pattern)))})"
        conditions.append((need_message("sh:pattern") or f"!COALESCE(!isBlank({value}) && {regex}, false)", "", None))
    for condition, default, dt in conditions:
        if dt is not None:
            query = f"SELECT DISTINCT ?focus ({value} AS ?value) WHERE {{ {body} FILTER({condition}) }}"
        else:
            query = f"{select} WHERE {{ {body} FILTER({condition}) }}"
        value_check(query, default, f"BIND(IF({condition}, ?v, ?none) AS ?b )", dt)
    for lst in g.objects(shape, SH["or"]):
        need_message("sh:or")
        if path is not None:
            raise UnsupportedShapeError(f"{shape}: sh:or on a property shape is not supported")
        fails = " && ".join(f"({_fails(g, member, '?focus', isa)})" for member in Collection(g, lst))
        checks.append(made(f"SELECT DISTINCT ?focus WHERE {{ {targets} FILTER({fails}) }}", "", None))
    if path is None:
        yield CompiledShape(None, tuple(checks))
    else:
        yield _screened(g, shape, targets, values, flagged, checks, made, need_message, isa)
    for prop in sorted(g.objects(shape, SH.property), key=str):
        if path is not None:
            raise UnsupportedShapeError(f"{shape}: sh:property on a property shape is not supported")
        if g.value(prop, SH.path) is None:
            raise UnsupportedShapeError(f"{prop}: a property shape needs sh:path")
        yield from _compile(g, prop, targets, isa)


def _screened(
    g: Graph,
    shape: Node,
    targets: str,
    values: str,
    flagged: list[str],
    checks: list[CompiledCheck],
    made: Callable[..., CompiledCheck],
    need_message: Callable[[str], str],
    isa: Isa,
) -> CompiledShape:
    """A property shape as one query over its focus nodes: the number of values (sh:minCount,
    sh:maxCount), of values fitting the qualified shape, and of values breaking each value
    constraint; only focus nodes breaking one are returned.  About three times faster than a
    query per constraint; the value constraints' own queries then run on those nodes alone."""
    columns = ["(COUNT(DISTINCT ?v) AS ?n)"] + [f"(COUNT(DISTINCT ?b{i}) AS ?c{i})" for i in range(len(flagged))]
    having = [f"COUNT(DISTINCT ?b{i}) > 0" for i in range(len(flagged))]
    for p, kind, op in ((SH.minCount, "min", "<"), (SH.maxCount, "max", ">")):
        bound = _int(g, shape, p)
        if bound is not None:
            need_message(str(p))
            having.append(f"COUNT(DISTINCT ?v) {op} {bound}")
            checks.append(made("", "", (kind, bound)))
    inner = g.value(shape, SH.qualifiedValueShape)
    if inner is not None:
        need_message("sh:qualifiedValueShape")
        flagged.append(f"BIND(IF({_fails(g, inner, '?v', isa)}, ?none, ?v) AS ?q)")
        columns.append("(COUNT(DISTINCT ?q) AS ?qn)")
        for p, kind, op in ((SH.qualifiedMinCount, "qmin", "<"), (SH.qualifiedMaxCount, "qmax", ">")):
            bound = _int(g, shape, p)
            if bound is not None:
                having.append(f"COUNT(DISTINCT ?q) {op} {bound}")
                checks.append(made("", "", (kind, bound)))
    if not having:
        return CompiledShape(None, ())
    query = (
        f"SELECT ?focus {' '.join(columns)} WHERE {{ {targets} OPTIONAL {{ {values} {' '.join(flagged)} }} }} "
        f"GROUP BY ?focus HAVING ({' || '.join(having)})"
    )
    return CompiledShape(query, tuple(checks))


def _int(g: Graph, shape: Node, p: URIRef) -> int | None:
    """An integer parameter (sh:minCount...) of the shape, or None."""
    found = g.value(shape, p)
    if found is None:
        return None
    if not isinstance(found, Literal) or not isinstance(found.value, int):
        raise UnsupportedShapeError(f"{shape}: {p} {found} is not an integer")
    return found.value


def _in_order(g: Graph, shape: Node) -> list[Node]:
    """The sh:class values in the order rdflib gives them (pySHACL's default message lists them so)."""
    return list(g.objects(shape, SH["class"]))


def _in(g: Graph, lst: Node, var: str) -> str:
    """True when ``var`` is one of the list's terms (the same term, as pySHACL compares)."""
    items = list(Collection(g, lst))
    return " || ".join(f"sameTerm({var}, {_iri(i)})" for i in items) or "false"


def _node_kind(shape: Node, kind: Node) -> str:
    """True when ?v is of the node kind."""
    found = _NODE_KINDS.get(kind)  # type: ignore[call-overload]
    if found is None:
        raise UnsupportedShapeError(f"{shape}: sh:nodeKind {kind} is unknown")
    return found


def _fails(g: Graph, shape: Node, var: str, isa: Isa) -> str:
    """A SPARQL expression true when ``var`` does not conform to the shape (members of sh:or,
    sh:qualifiedValueShape): counts of 1 and value constraints other than sh:datatype."""
    parts = []
    path_node = g.value(shape, SH.path)
    for p in set(g.predicates(shape, None)):
        if p in (SH.datatype, SH.qualifiedValueShape, SH["or"], SH.property, SH.minInclusive, SH.pattern):
            raise UnsupportedShapeError(f"{shape}: {p} inside sh:or or sh:qualifiedValueShape is not supported")
    if path_node is not None:
        path, _ = _path(g, shape, path_node)
        low, high = _int(g, shape, SH.minCount), _int(g, shape, SH.maxCount)
        if (low is not None and low > 1) or (high is not None and high != 0):
            raise UnsupportedShapeError(f"{shape}: only sh:minCount 1 and sh:maxCount 0 inside sh:or")
        if low == 1:
            parts.append(f"NOT EXISTS {{ {var} {path} ?w }}")
        if high is not None:
            parts.append(f"EXISTS {{ {var} {path} ?w }}")
        values = [_value_fails(g, shape, "?w", isa)]
        parts += [f"EXISTS {{ {var} {path} ?w FILTER({v}) }}" for v in values if v != "false"]
    else:
        if g.value(shape, SH.minCount) is not None or g.value(shape, SH.maxCount) is not None:
            raise UnsupportedShapeError(f"{shape}: counts on a node shape")
        parts.append(_value_fails(g, shape, var, isa))
    return " || ".join(parts) or "false"


def _value_fails(g: Graph, shape: Node, var: str, isa: Isa) -> str:
    """True when ``var`` breaks one of the shape's sh:in, sh:class or sh:nodeKind."""
    parts = [f"!({_in(g, lst, var)})" for lst in g.objects(shape, SH["in"])]
    parts += [f"NOT EXISTS {{ {isa(var, c)} }}" for c in g.objects(shape, SH["class"])]
    parts += [f"!({_node_kind(shape, k).replace('?v', var)})" for k in g.objects(shape, SH.nodeKind)]
    return " || ".join(parts) or "false"
