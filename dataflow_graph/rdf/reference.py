"""The register-wide nodes: organisations, units, dataset families, datasets and source files
(``<base>graph/reference``), and the concept schemes every export carries
(``<base>graph/concepts``).

Organisations keep what they are (:func:`~dataflow_graph.rdf.concepts.organisation_kind`,
typed with the DPV classes of that kind) apart from the roles they play: their usual role
in the chains is ``dfg:role``; their data-protection role in one agreement is on the
agreement and its processes.  Dataset families are nodes only when the reviewed list
(``dataflow_graph/names/datasets.yaml``) has them.  A source file is named by the SHA-256 of
its bytes and described by its base name, never by the path it was given by.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import pyoxigraph as ox

from .._resources import embedded_path
from .._speed import memoised
from ..model import Entry, Flow, Organisation, Release
from ..names import family_labels
from .concepts import ORGANISATION_CLASSES, ROLE, SCHEMES, organisation_kind
from .iris import slug
from .turtle import SEP, RdfText, Terms, quoted, ttl_bool, ttl_iri, ttl_literal, ttl_predicate
from .vocab import DCAT, DCTERMS, DFG, ORG, PROV, RDFS, SKOS

__all__ = ["concept_statements", "reference", "reviewed_families"]

_DFG, _DCT, _DCAT, _ORG = Terms(DFG), Terms(DCTERMS), Terms(DCAT), Terms(ORG)
_PROV, _RDFS, _SKOS = Terms(PROV), Terms(RDFS), Terms(SKOS)
_ROLE = {role: ttl_iri(str(iri)) for role, iri in ROLE.items()}


@memoised(1)
def reviewed_families() -> dict[str, str]:
    """Family code -> label, of the reviewed list only."""
    return family_labels()


def reference(
    b: RdfText,
    orgs: Mapping[str, Organisation],
    entries: Iterable[Entry],
    flows: Iterable[Flow],
    releases: Iterable[Release],
    paths: Iterable[str],
) -> None:
    """Organisations, units, families, datasets and the source files of ``paths``."""
    entries, flows, releases = list(entries), list(flows), list(releases)
    for org_id in sorted(orgs):
        _organisation(b, orgs[org_id])
    for f in flows:
        for h in f.hops:
            if h.unit:
                _unit(b, h.target.id, h.unit)
    known = reviewed_families()
    families = {fam for f in flows for fam in (*f.families, *f.linked_families)}
    families |= {fam for f in flows for h in f.hops for fam in h.families}
    families |= {fam for e in entries for fam in e.families}
    families |= {r.family for r in releases if r.family}
    for fam in sorted(families & known.keys()):
        label = quoted(known[fam])
        b.close(
            b.family(fam),
            [
                f"a {_DFG.DatasetFamily}",
                f"a {_DCAT.DatasetSeries}",
                f"{_DCT.identifier} {quoted(fam)}",
                f"{_SKOS.notation} {quoted(fam)}",
                f"{_RDFS.label} {label}",
                f"{_DCT.title} {label}",
            ],
        )
    for e in entries:
        for d in e.datasets:
            t = b.subject(b.dataset(d.name))
            t += (f"a {_DCAT.Dataset}", f"{_DCT.title} {quoted(d.name)}", f"{_RDFS.label} {quoted(d.name)}")
            if d.family in known:
                t.append(f"{_DCAT.inSeries} {b.family(d.family)}")
    files = {b.files.locate(p) for p in paths}
    for where in sorted(files, key=lambda w: w.key):
        t = [
            f"a {_DFG.SourceFile}",
            f"a {_PROV.Entity}",
            f"{_DCT.title} {quoted(where.name)}",
            f"{_RDFS.label} {quoted(where.name)}",
        ]
        if where.sha256:
            t.append(f"{_DFG.sha256} {quoted(where.sha256)}")
        b.close(b.iri("file", where.key), t)


def _organisation(b: RdfText, o: Organisation) -> None:
    """An organisation: names, aliases, kind, usual role, ODS code, parent, successor, units."""
    t = b.subject(b.org(o.id))
    name = quoted(o.name)
    kind = organisation_kind(o)
    t += (
        f"a {_ORG.Organization}",
        *(f"a {ttl_iri(str(c))}" for c in ORGANISATION_CLASSES[kind]),
        f"{_DCT.identifier} {quoted(o.id)}",
        f"{_SKOS.prefLabel} {name}",
        f"{_RDFS.label} {name}",
        f"{_DFG.organisationKind} {ttl_iri(str(kind))}",
    )
    t += [f"{_SKOS.altLabel} {quoted(alias)}" for alias in o.aliases if alias != o.name]
    t += (f"{_DFG.role} {_ROLE[o.role]}", f"{_DFG.reviewed} {ttl_bool(o.reviewed)}")
    if o.ods is not None:
        t.append(f"{_ORG.identifier} {quoted(o.ods)}")
    if o.part_of:
        t.append(f"{_ORG.subOrganizationOf} {b.org(o.part_of)}")
    if o.successor:
        t.append(f"{_DFG.successor} {b.org(o.successor)}")
    for unit in o.units:
        _unit(b, o.id, unit)


def _unit(b: RdfText, org_id: str, name: str) -> None:
    """A unit of an organisation, closed once, and the organisation's link to it."""
    key = (org_id, slug(name))
    if key in b.seen_units:
        return
    b.seen_units.add(key)
    node = b.unit(org_id, name)
    label = quoted(name)
    b.close(
        node,
        [
            f"a {_ORG.OrganizationalUnit}",
            f"{_SKOS.prefLabel} {label}",
            f"{_RDFS.label} {label}",
            f"{_ORG.unitOf} {b.org(org_id)}",
        ],
    )
    b.subject(b.org(org_id)).append(f"{_ORG.hasUnit} {node}")


@memoised(1)
def concept_statements() -> bytes:
    """The concept schemes of ``ontology/dataflow.ttl`` and their concepts, every triple of
    each, as Turtle statements sorted by subject (for ``<base>graph/concepts``)."""
    path = Path(embedded_path("ontology"), "dataflow.ttl")
    triples = list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
    in_scheme = ox.NamedNode(str(SKOS.inScheme))
    schemes = {ox.NamedNode(str(s)) for s in SCHEMES}
    subjects = schemes | {t.subject for t in triples if t.predicate == in_scheme and t.object in schemes}
    by_subject: dict[str, list[str]] = {}
    for t in triples:
        if t.subject in subjects and isinstance(t.subject, ox.NamedNode):
            o = t.object
            if isinstance(o, ox.NamedNode):
                value = ttl_iri(o.value)
            elif isinstance(o, ox.Literal):
                value = ttl_literal(o.value, o.datatype.value, o.language)
            else:  # pragma: no cover - the ontology has no blank nodes (a test holds it)
                continue
            by_subject.setdefault(ttl_iri(t.subject.value), []).append(f"{ttl_predicate(t.predicate.value)} {value}")
    return "".join(f"{s} {SEP.join(sorted(set(p)))} .\n" for s, p in sorted(by_subject.items())).encode()
