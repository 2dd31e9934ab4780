"""JSON-LD with readable keys: a context of terms (``from``, ``to``, ``hop``, ``used``,
``hasPurpose``, ``label``...), IRIs relative to the base, values in their plain JSON form.

Every predicate of the export has a term, typed so values read as plain JSON: IRIs as
strings where the term is ``"@type": "@id"``, months as strings where it is
``xsd:gYearMonth``, integers and booleans as JSON numbers and booleans.  A value the term's
type does not fit is written as an explicit value object, so nothing is lost: the document
expands to exactly the triples (and named graphs) it was written from.

Two layouts: the named graphs (each agreement's graph, the reference, concepts and findings
graphs as ``{"@id": graph, "@graph": [...]}`` objects), or ``flat``: every triple in the
default graph, one node object per subject, for tools that read JSON-LD as one graph.

>>> context(DEFAULT_BASE)["@context"]["hop"]
{'@id': 'dfg:hop', '@type': '@id'}
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from pathlib import Path

import pyoxigraph as ox

from .._resources import embedded_path
from .._speed import memoised
from . import DEFAULT_BASE
from .vocab import DCAT, DCTERMS, DFG_NS, DPV, ORG, OWL, PREFIXES, PROV, RDF, RDFS, SKOS, XSD

__all__ = ["context", "jsonld"]

#: A JSON-LD value: a string, or an object of strings (``@id``; ``@value`` with ``@type`` or ``@language``).
Json = str | int | bool | dict[str, object]

_ID, _PLAIN, _MONTH = "@id", "", str(XSD.gYearMonth)
_RDF_TYPE = str(RDF.type)
_XSD_STRING, _XSD_INTEGER, _XSD_BOOLEAN = str(XSD.string), str(XSD.integer), str(XSD.boolean)
#: Integers JSON numbers carry exactly (JSON-LD reads a number of 21 digits or more as a double).
_CANONICAL_INTEGER = re.compile(r"-?(?:0|[1-9][0-9]{0,17})")

#: Terms of other vocabularies the export uses: term -> (IRI, value type).
_OTHER_TERMS: dict[str, tuple[str, str]] = {
    "label": (str(RDFS.label), _PLAIN),
    "comment": (str(RDFS.comment), _PLAIN),
    "identifier": (str(DCTERMS.identifier), _PLAIN),
    "title": (str(DCTERMS.title), _PLAIN),
    "source": (str(DCTERMS.source), _ID),
    "prefLabel": (str(SKOS.prefLabel), _PLAIN),
    "altLabel": (str(SKOS.altLabel), _PLAIN),
    "note": (str(SKOS.note), _PLAIN),
    "notation": (str(SKOS.notation), _PLAIN),
    "inScheme": (str(SKOS.inScheme), _ID),
    "topConceptOf": (str(SKOS.topConceptOf), _ID),
    "hasTopConcept": (str(SKOS.hasTopConcept), _ID),
    "broader": (str(SKOS.broader), _ID),
    "narrower": (str(SKOS.narrower), _ID),
    "exactMatch": (str(SKOS.exactMatch), _ID),
    "closeMatch": (str(SKOS.closeMatch), _ID),
    "broadMatch": (str(SKOS.broadMatch), _ID),
    "relatedMatch": (str(SKOS.relatedMatch), _ID),
    "startDate": (str(DCAT.startDate), _MONTH),
    "endDate": (str(DCAT.endDate), _MONTH),
    "inSeries": (str(DCAT.inSeries), _ID),
    "subOrganizationOf": (str(ORG.subOrganizationOf), _ID),
    "hasUnit": (str(ORG.hasUnit), _ID),
    "unitOf": (str(ORG.unitOf), _ID),
    "odsCode": (str(ORG.identifier), _PLAIN),
    "used": (str(PROV.used), _ID),
    "value": (str(PROV.value), _PLAIN),
    "wasDerivedFrom": (str(PROV.wasDerivedFrom), _ID),
    "wasGeneratedBy": (str(PROV.wasGeneratedBy), _ID),
    "wasAssociatedWith": (str(PROV.wasAssociatedWith), _ID),
    "hasPurpose": (str(DPV.hasPurpose), _ID),
    "hasPersonalData": (str(DPV.hasPersonalData), _ID),
    "hasData": (str(DPV.hasData), _ID),
    "hasLegalBasis": (str(DPV.hasLegalBasis), _ID),
    "hasDataController": (str(DPV.hasDataController), _ID),
    "hasDataProcessor": (str(DPV.hasDataProcessor), _ID),
    "hasRecipient": (str(DPV.hasRecipient), _ID),
    "hasProcessing": (str(DPV.hasProcessing), _ID),
    "hasJurisdiction": (str(DPV.hasJurisdiction), _ID),
}
#: Classes named by a term in ``@type`` values.
_CLASSES = (
    (DPV, ("Process", "Purpose", "LegalBasis", "Data", "IdentifyingPersonalData", "PseudonymisedData")),
    (DPV, ("ContextuallyAnonymisedData", "ForProfitOrganisation", "NonProfitOrganisation", "PublicSectorBody")),
    (DPV, ("PrivateSectorBody", "GovernmentalOrganisation", "HealthcareOrganisation", "CharityOrganisation")),
    (DPV, ("AcademicScientificOrganisation",)),
    (PROV, ("Activity", "Entity")),
    (ORG, ("Organization", "OrganizationalUnit")),
    (DCAT, ("Dataset", "DatasetSeries")),
    (DCTERMS, ("PeriodOfTime",)),
    (SKOS, ("Concept", "ConceptScheme")),
)


@memoised(1)
def _our_terms() -> dict[str, tuple[str, str]]:
    """Our classes and properties (from the ontology): term -> (IRI, value type)."""
    path = Path(embedded_path("ontology"), "dataflow.ttl")
    kinds: dict[str, str] = {}
    ranges: dict[str, str] = {}
    for t in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
        s, p, o = t.subject, t.predicate.value, t.object
        if not isinstance(s, ox.NamedNode) or not s.value.startswith(DFG_NS) or not isinstance(o, ox.NamedNode):
            continue
        if p == _RDF_TYPE and o.value in (str(OWL.Class), str(OWL.ObjectProperty), str(OWL.DatatypeProperty)):
            kinds[s.value] = o.value
        elif p == str(RDFS.range):
            ranges[s.value] = o.value
    out = {}
    for iri, kind in kinds.items():
        if kind == str(OWL.ObjectProperty):
            value = _ID
        elif kind == str(OWL.DatatypeProperty) and ranges.get(iri) == _MONTH:
            value = _MONTH
        else:
            value = _PLAIN
        out[iri.removeprefix(DFG_NS)] = (iri, value)
    return out


@memoised(1)
def _terms() -> tuple[dict[str, tuple[str, str]], dict[str, str]]:
    """Every term (term -> IRI and value type), and the term of each IRI."""
    terms = {**_our_terms(), **_OTHER_TERMS}
    for ns, names in _CLASSES:
        terms.update({name: (str(ns[name]), _PLAIN) for name in names})
    return terms, {iri: term for term, (iri, _) in terms.items()}


#: Prefixes, longest namespace first (so ``health:`` wins over a shorter one that fits).
_PREFIXES = sorted(PREFIXES.items(), key=lambda kv: -len(kv[1]))


def context(base: str = DEFAULT_BASE) -> dict[str, object]:
    """The ``@context`` object: ``@base`` (a base ending in ``/``), the prefixes, the terms."""
    terms, _ = _terms()
    ctx: dict[str, object] = {"@base": base} if base.endswith("/") else {}
    ctx.update(PREFIXES)
    for term in sorted(terms):
        iri, kind = terms[term]
        short = _compact(iri, _PREFIXES, None)
        if kind == _ID:
            ctx[term] = {"@id": short, "@type": "@id"}
        elif kind == _MONTH:
            ctx[term] = {"@id": short, "@type": "xsd:gYearMonth"}
        else:
            ctx[term] = short
    return {"@context": ctx}


def _compact(iri: str, prefixes: list[tuple[str, str]], base: str | None) -> str:
    """An IRI relative to ``base`` where safe, else a compact IRI where a prefix fits."""
    if base is not None and iri.startswith(base):
        rest = iri[len(base) :]
        first = rest.split("/", 1)[0]
        if rest and ":" not in first and not any(seg in (".", "..") for seg in rest.split("/")):
            return rest
    for prefix, ns in prefixes:
        if iri.startswith(ns) and not iri[len(ns) :].startswith("//"):
            return f"{prefix}:{iri[len(ns) :]}"
    return iri


def jsonld(graphs: Iterable[tuple[str | None, bytes]], *, base: str = DEFAULT_BASE) -> bytes:
    """JSON-LD 1.1 of some graphs' sorted N-Triples lines (None: the default graph).

    Written graph by graph (default graph first, then by IRI), one node object per line, keys
    and values sorted (a lone value without its array), so memory holds one graph at a time
    and the same triples give the same bytes.
    """
    terms, term_of = _terms()
    prefixes = _PREFIXES
    relative = base if base.endswith("/") else None
    cache: dict[str, str] = {}

    def c(iri: str) -> str:
        """``iri`` compacted, remembered."""
        got = cache.get(iri)
        if got is None:
            got = cache[iri] = _compact(iri, prefixes, relative)
        return got

    def vocab(iri: str) -> str:
        """A class or property: its term, else its compact IRI."""
        term = term_of.get(iri)
        return term if term is not None else _compact(iri, prefixes, None)

    items: list[bytes] = []
    for graph, lines in graphs:
        nodes: dict[str, dict[str, list[Json]]] = {}
        for t in ox.parse(lines, format=ox.RdfFormat.N_TRIPLES):
            node = nodes.setdefault(c(t.subject.value), {})
            o, p = t.object, t.predicate.value
            if p == _RDF_TYPE and isinstance(o, ox.NamedNode):
                node.setdefault("@type", []).append(vocab(o.value))
                continue
            term = term_of.get(p)
            kind = terms[term][1] if term is not None else None
            node.setdefault(term or vocab(p), []).append(_value(o, kind, c))
        written = _ITEMS.join(_json({"@id": s, **_single(props)}) for s, props in sorted(nodes.items()))
        if graph is not None:
            written = f'{{"@graph": [\n{written}\n], "@id": {_json(c(graph))}}}'
        items.append(written.encode())
    head = f'{{"@context": {_json(context(base)["@context"])}, "@graph": [\n'.encode()
    return head + _ITEMS.encode().join(items) + b"\n]}\n"


def _value(o: object, kind: str | None, compact: Callable[[str], str]) -> Json:
    """One object in the plain form its term's type allows, else an explicit object."""
    if isinstance(o, ox.NamedNode):
        return compact(o.value) if kind == _ID else {"@id": compact(o.value)}
    assert isinstance(o, ox.Literal)  # no blank nodes: the serialiser refuses them first
    datatype = o.datatype.value
    if o.language:
        return {"@value": o.value, "@language": o.language}
    if kind == _MONTH and datatype == _MONTH:
        return o.value
    if kind in (_PLAIN, None) and datatype == _XSD_STRING:
        return o.value
    if datatype == _XSD_INTEGER and _CANONICAL_INTEGER.fullmatch(o.value):
        return int(o.value)
    if datatype == _XSD_BOOLEAN and o.value in ("true", "false"):
        return o.value == "true"
    if datatype == _XSD_STRING:
        return {"@value": o.value}
    return {"@value": o.value, "@type": _compact(datatype, _PREFIXES, None)}


_ITEMS = ",\n"


def _single(props: dict[str, list[Json]]) -> dict[str, object]:
    """A node's values, each sorted, a lone value written without its array."""
    out: dict[str, object] = {}
    for key, values in props.items():
        ordered = sorted(values, key=_json) if len(values) > 1 else values
        out[key] = ordered[0] if len(ordered) == 1 else ordered
    return out


def _json(value: object) -> str:
    """Compact JSON with sorted keys."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False)
