"""Convergence findings in RDF (``<base>graph/findings``): what :mod:`dataflow_graph.graph`
found, whole.

A finding (``dfg:Finding``) has a label, its recipient and family, its severity, the months
both sides cover (``dfg:overlap``), whether opt-outs diverge, one ``dfg:FindingSide`` per
copy that reaches the recipient (its flow, the hop that delivered it, the copy, and the
opt-out status found for that copy with its basis), and one ``dfg:Qualifier`` per claim
(its kind, sentence, weight and evidence).  Every side and qualifier, and the finding
itself, is ``prov:wasDerivedFrom`` the evidence it rests on: register lines and released-file
rows, which are the evidence nodes of the agreement graphs where those define them.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..graph import Cited, Convergence, Qualifier, Side
from ..model import Period
from .concepts import IDENTIFIABILITY, OPT_OUT
from .iris import sub
from .mapping import evidence, period
from .turtle import SEP, RdfText, Terms, quoted, quoted_once, template, then, ttl_bool, ttl_iri
from .vocab import DCTERMS, DFG, PROV, RDFS

__all__ = ["QUALIFIER_KINDS", "finding"]

_DFG, _DCT, _PROV, _RDFS = Terms(DFG), Terms(DCTERMS), Terms(PROV), Terms(RDFS)
#: Qualifier name (``graph.severity.SEVERITY``) -> its concept in dfg:QualifierKinds.
QUALIFIER_KINDS = {
    "both_copies": DFG.QualifierBothCopies,
    "overlap": DFG.QualifierOverlap,
    "same_register": DFG.QualifierSameRegister,
    "opt_out_divergence": DFG.QualifierOptOutDivergence,
    "opt_outs_partly_known": DFG.QualifierOptOutsPartlyKnown,
    "same_agreement": DFG.QualifierSameAgreement,
    "linkage": DFG.QualifierLinkage,
    "reidentification": DFG.QualifierReidentification,
    "landing_only": DFG.QualifierLandingOnly,
    "segregation": DFG.QualifierSegregation,
}
#: A line of a file as evidence: (path, line, column, text).
Place = tuple[str, int, int, str]
_IDENTIFIABILITY = {level: ttl_iri(str(iri)) for level, iri in IDENTIFIABILITY.items()}
_OPT_OUT = {status: ttl_iri(str(iri)) for status, iri in OPT_OUT.items()}
_QUALIFIER_KINDS = {name: f"{SEP}{_DFG.qualifierKind} {ttl_iri(str(kind))}" for name, kind in QUALIFIER_KINDS.items()}
#: Statement templates (see :func:`~.turtle.template`).
_SIDE = template(
    f"a {_DFG.FindingSide}",
    f"{_RDFS.label} %s",
    f"{_DFG.flow} %s",
    f"{_DFG.deliveredBy} %s",
    f"{_DFG.copy} %s",
    f"{_DFG.identifiability} %s",
    f"{_DFG.entry} %s",
    None,
)
_QUALIFIER = template(
    f"a {_DFG.Qualifier}",
    f"{_RDFS.label} %s",
    f"{_DFG.statement} %s",
    f"{_DFG.weight} %s",
    f"{_DFG.others} %s",
    None,
)


def finding(b: RdfText, c: Convergence, defined: set[Place]) -> None:
    """A convergence finding, its sides and qualifiers; evidence not in ``defined`` (the lines
    the agreement graphs already describe) is described here."""
    node = b.finding(c.recipient_id, c.family)
    sources: set[str] = set()
    t = [
        f"a {_DFG.Finding}",
        f"{_RDFS.label} {quoted(_label(c))}",
        f"{_DFG.recipient} {b.org(c.recipient_id)}",
        f"{_DFG.aboutFamily} {b.family(c.family)}",
        f"{_DFG.severity} {c.severity}",
        f"{_DFG.severityLabel} {quoted(c.severity_label)}",
        f"{_DFG.optOutDivergence} {ttl_bool(c.opt_out_divergence)}",
    ]
    if c.overlap:
        window = period(b, node, Period(c.overlap[0], c.overlap[-1]), "overlap")
        t.append(f"{_DFG.overlap} {window}")
    for word, sides, flow_link, side_link in (
        ("identifiable", c.identifiable, _DFG.identifiableFlow, _DFG.identifiableSide),
        ("deidentified", c.pseudonymised, _DFG.deidentifiedFlow, _DFG.deidentifiedSide),
    ):
        flows = sorted({b.flow(s.flow.id, s.flow.entry, s.flow.reference) for s in sides})
        t += [f"{flow_link} {f}" for f in flows]
        for s in sides:
            side, cited = _side(b, node, word, s, c.family, defined)
            t.append(f"{side_link} {side}")
            sources |= cited
    for q in c.qualifiers:
        qualifier, cited = _qualifier(b, node, q, defined)
        t.append(f"{_DFG.qualifier} {qualifier}")
        sources |= cited
    t += [f"{_PROV.wasDerivedFrom} {s}" for s in sorted(sources)]
    b.close(node, t)


def _label(c: Convergence) -> str:
    return (
        f"{c.recipient} received {c.family} both identifiable and de-identified "
        f"(severity {c.severity}, {c.severity_label})"
    )


def _side(b: RdfText, finding: str, word: str, s: Side, family: str, defined: set[Place]) -> tuple[str, set[str]]:
    """One copy's arrival: its flow, delivering hop, copy, opt-out status; and its evidence."""
    f, h = s.flow, s.hop
    flow = b.flow(f.id, f.entry, f.reference)
    index = next((i for i, x in enumerate(f.hops, 1) if x is h), 0) or f.hops.index(h) + 1
    node = sub(finding, word, b.flow_key(f.id, f.entry, f.reference), str(index))
    hop = sub(flow, "hop", str(index))
    level = h.identifiability
    entry = b.entry(f.entry, f.reference)
    ev = h.evidence
    cited = {_described(b, (ev.path, ev.line, ev.col, ev.text), entry, defined)}
    found = s.opt_outs_found
    tail = ""
    if found is not None:
        tail = f"{SEP}{_DFG.optOut} {_OPT_OUT[found.status]}{SEP}{_DFG.optOutBasis} {quoted(found.basis)}"
        cited |= _cited(b, found.evidence, defined)
    tail += then([f"{_PROV.wasDerivedFrom} {e}" for e in sorted(cited)])
    label = f"{level.value} copy of {family} under {f.reference}: {ev.text}"
    copy = b.copy(f.agreement, family, level)
    b.put(_SIDE % (node, quoted_once(label), flow, hop, copy, _IDENTIFIABILITY[level], entry, tail))
    return node, cited


def _qualifier(b: RdfText, finding: str, q: Qualifier, defined: set[Place]) -> tuple[str, set[str]]:
    """One claim of a finding, with its evidence."""
    node = sub(finding, "qualifier", q.name)
    cited = _cited(b, q.evidence, defined)
    tail = then([f"{_PROV.wasDerivedFrom} {e}" for e in sorted(cited)]) + _QUALIFIER_KINDS.get(q.name, "")
    label = quoted(q.name.replace("_", " "))
    b.put(_QUALIFIER % (node, label, quoted_once(q.statement), f"{q.weight}", f"{q.others}", tail))
    return node, cited


def _cited(b: RdfText, cites: Iterable[Cited], defined: set[Place]) -> set[str]:
    """The evidence nodes of some citations, described here unless an agreement graph does."""
    out = set()
    for c in cites:
        place = (c.source, c.line, c.col, c.text)
        if c.row_id is not None:  # a released-file row: its release describes it
            out.add(b.evidence(*place))
        else:
            out.add(_described(b, place, b.entry(c.entry, c.reference or "") if c.entry else None, defined))
    return out


def _described(b: RdfText, place: Place, entry: str | None, defined: set[Place]) -> str:
    """The evidence node of a line: described here unless an agreement graph describes it."""
    if place in defined:
        return b.evidence(*place)
    return evidence(b, *place, entry)
