"""What an agreement says in RDF: the agreement and its roles, its entries, flows and hops as
DPV processes, the data copies they move, the de-identifications that make copies, periods,
evidence and released files, as Turtle statements of :class:`RdfText`.

PROV-O holds activities and entities apart (it declares them disjoint), and so does this
mapping: flows, hops and de-identifications are activities that ``prov:used`` the copies
(entities) they move; families and datasets are linked from copies and releases only; a
de-identified copy ``prov:wasGeneratedBy`` the de-identification that used the copy it
``prov:wasDerivedFrom``.

Each flow and hop is a ``dpv:Process`` with its purposes (``dpv:hasPurpose``), the copies it
moves (``dpv:hasPersonalData``, typed by identifiability), its legal bases
(``dpv:hasLegalBasis``), the agreement's controllers and the processors among its ends, and
its window (``dfg:window``, a reversed one flagged).

Terms come only from :mod:`.vocab`, written in their Turtle form once; nodes are named by
:class:`~dataflow_graph.rdf.iris.NodeIris`.  Which statements go into which named graph is
:mod:`.graphs`' business.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from .._speed import memoised
from ..graph import Convergence
from ..graph.qualifiers import release_cited
from ..model import Entry, Flow, Hop, Identifiability, OptOut, Organisation, Period, Release, Role
from .concepts import (
    DATA_CLASS,
    DEIDENTIFY,
    IDENTIFIABILITY,
    KIND,
    OPT_OUT,
    PROCESSING,
    legal_bases,
    purposes,
)
from .iris import sub
from .reference import reviewed_families
from .turtle import SEP, RdfText, Terms, quoted, quoted_once, template, then, ttl_bool, ttl_iri
from .vocab import DCAT, DCTERMS, DFG, DPV, FROM, PROV, RDFS, SKOS, XSD

__all__ = ["UNSTATED", "Finding", "Roles", "agreement", "agreement_roles", "evidence", "period"]

#: The family segment of a copy whose data the register ties to no reviewed family (local
#: data linked in, data re-identified downstream): such a copy has no ``dfg:ofFamily``.
UNSTATED = "unstated"

#: A convergence finding as the RDF records it (the graph layer's record, whole).
Finding = Convergence

_DFG, _DCT, _DCAT, _DPV = Terms(DFG), Terms(DCTERMS), Terms(DCAT), Terms(DPV)
_PROV, _RDFS, _SKOS = Terms(PROV), Terms(RDFS), Terms(SKOS)
_FROM = ttl_iri(str(FROM))
_GYEARMONTH = ttl_iri(str(XSD.gYearMonth))
_IDENTIFIABILITY = {level: ttl_iri(str(iri)) for level, iri in IDENTIFIABILITY.items()}
_OPT_OUT = {status: ttl_iri(str(iri)) for status, iri in OPT_OUT.items()}
_DATA_CLASS = {level: ttl_iri(str(iri)) for level, iri in DATA_CLASS.items()}
#: How a process links the copy it moves: personal data, or (aggregates) data.
_HAS_DATA = {
    level: _DPV.hasData if level is Identifiability.AGGREGATE else _DPV.hasPersonalData for level in DATA_CLASS
}
_KIND_LINES = {
    kind: f"{_DFG.kind} {ttl_iri(str(iri))}"
    + (f"{SEP}{_DPV.hasProcessing} {ttl_iri(str(PROCESSING[kind]))}" if kind in PROCESSING else "")
    for kind, iri in KIND.items()
}
_LANDING_LINES = {flag: f"{_DFG.landingOnly} {ttl_bool(flag)}" for flag in (False, True)}
_PROCESS_TYPES = (f"a {_DPV.Process}", f"a {_PROV.Activity}")
_PROCESSOR_ROLES = (Role.PROCESSOR, Role.CSU)
#: Identifiability ranks (the enum's property builds a table on every call).
_RANK = {level: level.rank for level in Identifiability}
_FAMILY_WORDS = {UNSTATED: "data of no reviewed family,"}
#: ``level.value`` without the enum's descriptor on every call.
_LEVEL = {level: level.value for level in Identifiability}

# Statement templates, one per kind of closed node (see :func:`~.turtle.template`): a node's
# statement is one ``%`` of its values, its repeated and optional pairs made by ``then``.
_EVIDENCE = template(
    f"a {_DFG.Evidence}",
    f"{_RDFS.label} %s",
    f"{_DFG.sourceFile} %s",
    f"{_DFG.line} %s",
    f"{_DFG.column} %s",
    f"{_PROV.value} %s",
    None,
)
_HOP = template(
    f"a {_DFG.Hop}",
    *_PROCESS_TYPES,
    f"{_RDFS.label} %s",
    f"{_DFG.hopIndex} %s",
    f"{_FROM} %s",
    f"{_DFG.to} %s",
    f"{_DPV.hasRecipient} %s",
    f"{_DFG.identifiability} %s",
    "%s",
    "%s",
    None,
    f"{_DFG.evidence} %s",
)
_FLOW = template(
    f"a {_DFG.Flow}",
    *_PROCESS_TYPES,
    f"{_DCT.identifier} %s",
    f"{_RDFS.label} %s",
    f"{_DFG.entry} %s",
    f"{_DFG.agreement} %s",
    "%s",
    f"{_DFG.purposeText} %s",
    f"{_DFG.identifiability} %s",
    f"{_DFG.optOut} %s",
    None,
)
_ENTRY = template(
    f"a {_DFG.Entry}",
    f"{_DCT.identifier} %s",
    f"{_DCT.title} %s",
    f"{_RDFS.label} %s",
    f"{_DFG.agreement} %s",
    f"{_DFG.optOut} %s",
    None,
    f"{_DFG.evidence} %s",
)
_COPY = template(
    f"a {_DFG.DataCopy}",
    "a %s",
    f"{_RDFS.label} %s",
    f"{_DFG.agreement} %s",
    f"{_DFG.identifiability} %s",
    None,
)


@dataclass(frozen=True, slots=True)
class Roles:
    """The data-protection roles of one agreement, from its own entries and flows (org ids)."""

    controllers: tuple[str, ...] = ()
    processors: tuple[str, ...] = ()


def agreement_roles(
    entries: Iterable[Entry],
    flows: Iterable[Flow],
    resolve: Callable[[str], Organisation],
    headed: Mapping[str, Sequence[str]],
) -> tuple[Roles, list[Organisation]]:
    """An agreement's controllers and processors, and the organisations they name.

    Controllers are the organisations its entries name as controllers, else the organisation
    each entry is about, else the controllers its flows end at.  Processors are the
    organisations its flows name in processor roles (processor, CSU) and those its "Data
    Processor N – X" headings name, less its controllers.  ``headed`` gives, by entry id,
    the names those headings give, read as the extractor reads them (the first organisation
    named in X: "Data Processor 5 – AQuA (via DP1)" names AQuA, not an organisation called
    "AQuA (via DP1)"; :func:`dataflow_graph.extract.heading_processors`); each is ``resolve``-d.
    """
    entries, flows = list(entries), list(flows)
    named: dict[str, Organisation] = {}
    controllers: set[str] = set()
    for e in entries:
        for name in e.controllers or ((e.organisation,) if e.organisation else ()):
            org = resolve(name)
            named.setdefault(org.id, org)
            controllers.add(org.id)
    if not controllers:
        controllers = {f.hops[-1].target.id for f in flows if f.hops and f.hops[-1].target.role is Role.CONTROLLER}
    processors = {o.id for f in flows for h in f.hops for o in (h.source, h.target) if o.role in _PROCESSOR_ROLES}
    for e in entries:
        for name in headed.get(e.id, ()):
            org = resolve(name)
            named.setdefault(org.id, org)
            processors.add(org.id)
    roles = Roles(tuple(sorted(controllers)), tuple(sorted(processors - controllers)))
    return roles, [named[k] for k in sorted(named)]


def agreement(
    b: RdfText, core: str, entries: list[Entry], flows: list[Flow], releases: list[Release], roles: Roles
) -> None:
    """An agreement and all it says: entries, flows, hops, copies, de-identifications,
    ``sendsTo`` edges and released files."""
    node = b.agreement(core)
    by_id = {e.id: e for e in entries}
    flow_purposes = {f.id: purposes(f.purpose, by_id.get(f.entry)) for f in flows}
    t = [
        f"a {_DFG.Agreement}",
        f"{_DCT.identifier} {quoted(core)}",
        f"{_RDFS.label} {quoted(f'Agreement {core}')}",
        *(f"{_DPV.hasDataController} {b.org(o)}" for o in roles.controllers),
        *(f"{_DPV.hasDataProcessor} {b.org(o)}" for o in roles.processors),
    ]
    if entries:
        t += [f"{_DPV.hasLegalBasis} {ttl_iri(str(c))}" for c in legal_bases(x for e in entries for x in e.legal_basis)]
    t += [f"{_DPV.hasPurpose} {ttl_iri(str(p))}" for p in sorted({p for ps in flow_purposes.values() for p in ps})]
    b.close(node, t)
    datasets: dict[str, set[str]] = {}
    for e in entries:
        _entry(b, e, node)
        for d in e.datasets:
            if d.family:
                datasets.setdefault(d.family, set()).add(d.name)
    copies: dict[tuple[str, Identifiability], _Copy] = {}
    controllers = then(f"{_DPV.hasDataController} {b.org(o)}" for o in roles.controllers)
    for f in flows:
        _flow(b, f, by_id.get(f.entry), flow_purposes[f.id], node, roles, controllers, copies)
    for (family, level), info in sorted(copies.items(), key=lambda kv: (kv[0][0], -_RANK[kv[0][1]])):
        _copy(b, core, family, level, info, datasets.get(family, set()))
    edges = sorted({(h.source.id, h.target.id) for f in flows for h in f.hops})
    for a, c in edges:
        b.subject(b.org(a)).append(f"{_DFG.sendsTo} {b.org(c)}")
    for r in releases:
        _release(b, r, node)


def evidence(
    b: RdfText, path: str, line: int, col: int, text: str, entry: str | None, row_id: str | None = None
) -> str:
    """The evidence node of a line (or sheet row) of a file, closed the first time; its IRI."""
    node = b.evidence(path, line, col, text)
    if node in b.seen:
        return node
    b.seen.add(node)
    where = b.files.locate(path)
    tail = ""
    if where.sheet:
        label = f"{where.name}#{where.sheet} line {line}"
        tail = f"{SEP}{_DFG.sheet} {quoted(where.sheet)}"
    else:
        label = f"{where.name} line {line}"
    if entry is not None:
        tail += f"{SEP}{_DFG.entry} {entry}"
    if row_id:
        tail += f"{SEP}{_DFG.rowId} {quoted(row_id)}"
    b.put(_EVIDENCE % (node, quoted_once(label), b.source_file(path), line, col, quoted_once(text), tail))
    return node


def period(b: RdfText, owner: str, window: Period | None, name: str = "window") -> str | None:
    """Close the period node of ``owner`` (None without a period); returns its IRI term."""
    if window is None:
        return None
    p = sub(owner, name)
    b.put(p + _period_pairs(window.start, window.end, window.raw, window.qualifier))
    return p


@memoised(4096)
def _period_pairs(start: str | None, end: str | None, raw: str, qualifier: str) -> str:
    """A period node's statement after its subject (the register repeats a few windows many times)."""
    t = [f"a {_DCT.PeriodOfTime}"]
    if start:
        t.append(f"{_DCAT.startDate} {quoted(start)}^^{_GYEARMONTH}")
    if end:
        t.append(f"{_DCAT.endDate} {quoted(end)}^^{_GYEARMONTH}")
    if raw:
        t.append(f"{_RDFS.label} {quoted(raw)}")
    elif start or end:
        t.append(f"{_RDFS.label} {quoted(' to '.join(m or '…' for m in (start, end)))}")
    if qualifier:
        t.append(f"{_SKOS.note} {quoted(qualifier)}")
    if start and end and end < start:
        t.append(f"{_DFG.reversed} true")
    return f" {SEP.join(t)} .\n"


def _entry(b: RdfText, e: Entry, agreement: str) -> None:
    """A register entry: reference, title, purposes, opt-outs, legal bases, periods, datasets, evidence."""
    node = b.entry(e.id, e.reference)
    t = [_bases(legal_bases(e.legal_basis))]
    if e.purposes is not None:
        t.append(f"{SEP}{_DFG.purposeText} {quoted_once(e.purposes)}")
    if e.opt_outs.raw:
        t.append(f"{SEP}{_DFG.optOutText} {quoted(e.opt_outs.raw)}")
    t += [f"{SEP}{_SKOS.note} {quoted(excuse)}" for excuse in e.opt_outs.excuses]
    t += [f"{SEP}{_DFG.legalBasisText} {quoted(text)}" for text in e.legal_basis]
    window = period(b, node, e.period)
    if window is not None:
        t.append(f"{SEP}{_DFG.window} {window}")
    dsa = period(b, node, e.dsa, "dsa")
    if dsa is not None:
        t.append(f"{SEP}{_DFG.dsaPeriod} {dsa}")
    t += [f"{SEP}{_DFG.dataset} {b.dataset(d.name)}" for d in e.datasets]
    span = e.span
    text = span.text if span and span.text else e.title
    cited = evidence(b, e.source, e.line, span.col if span else 1, text, node)
    reference, title = e.reference, e.title
    b.put(
        _ENTRY
        % (
            node,
            quoted_once(reference),
            quoted_once(title),
            quoted_once(f"{reference}: {title}"),
            agreement,
            _OPT_OUT[e.opt_outs.honoured],
            "".join(t),
            cited,
        )
    )


@memoised(1024)
def _purposes(concepts: tuple) -> str:
    """The ``dpv:hasPurpose`` pairs of some purpose concepts, each led by :data:`SEP`."""
    return then(f"{_DPV.hasPurpose} {ttl_iri(str(p))}" for p in concepts)


@memoised(1024)
def _bases(concepts: tuple) -> str:
    """The ``dpv:hasLegalBasis`` pairs of some legal-basis concepts, each led by :data:`SEP`."""
    return then(f"{_DPV.hasLegalBasis} {ttl_iri(str(c))}" for c in concepts)


@dataclass(slots=True)
class _Copy:
    """What the flows of an agreement say of one copy: the level it was made from, and where."""

    made_from: Identifiability | None = None
    at: set[str] = field(default_factory=set)


def _flow(
    b: RdfText,
    f: Flow,
    e: Entry | None,
    purposes_of: tuple,
    agreement: str,
    roles: Roles,
    controllers: str,
    copies: dict[tuple[str, Identifiability], _Copy],
) -> None:
    """A flow and its hops, as DPV processes; notes in ``copies`` each copy they move.

    ``controllers`` are the agreement's ``dpv:hasDataController`` pairs (see :func:`then`)."""
    node = b.flow(f.id, f.entry, f.reference)
    entry = b.entry(f.entry, f.reference)
    level = f.identifiability
    common = _purposes(purposes_of) + _bases(legal_bases(e.legal_basis if e is not None else ())) + controllers
    window = period(b, node, f.period)
    if window is not None:
        common += f"{SEP}{_DFG.window} {window}"
    hops = f.hops
    t = [common]
    if roles.processors:
        route = {o.id for h in hops for o in (h.source, h.target)}
        t += [f"{SEP}{_DPV.hasDataProcessor} {b.org(o)}" for o in roles.processors if o in route]
    if f.until is not None:
        t.append(f"{SEP}{_DFG.until} {quoted(f.until)}")
    for span in (f.opt_outs_evidence, f.until_evidence):
        if span is not None:
            t.append(f"{SEP}{_DFG.evidence} {evidence(b, span.path, span.line, span.col, span.text, entry)}")
    if f.linked_families or f.linked:
        known = reviewed_families()
        t += [f"{SEP}{_DFG.linkedWith} {b.family(fam)}" for fam in f.linked_families if fam in known]
        t += [f"{SEP}{_DFG.linkedText} {quoted(text)}" for text in f.linked if text not in known]
    has_data = _HAS_DATA[level]
    used = {f"{has_data} {b.copy(f.agreement, fam, level)}" for fam in f.families or (UNSTATED,)}
    for fam in f.families or (UNSTATED,):
        if (fam, level) not in copies:
            copies[fam, level] = _Copy()
    previous: Identifiability | None = None
    kind = _KIND_LINES[f.kind]
    stem = node[:-1]
    for i, h in enumerate(hops, 1):
        hop = f"{stem}/hop/{i}>"  # sub(node, "hop", str(i))
        used.update(_hop(b, f, h, i, hop, entry, kind, common, roles))
        t.append(f"{SEP}{_DFG.hop} {hop}")
        moved = h.identifiability
        for fam in h.families or f.families or (UNSTATED,):
            info = copies.get((fam, moved))
            if info is None:
                info = copies[fam, moved] = _Copy()
            if previous is not None and _RANK[previous] > _RANK[moved]:
                if info.made_from is None or _RANK[info.made_from] < _RANK[previous]:
                    info.made_from = previous
                info.at.add(h.source.id)
                if (fam, previous) not in copies:  # made from it, whichever hop moved it
                    copies[fam, previous] = _Copy()
        previous = moved
    lines = sorted(used)
    t.append(then(lines))
    t.append(then(sorted(f"{_PROV.used} {x.rsplit(' ', 1)[1]}" for x in lines)))
    name = _LEVEL[level]
    b.put(
        _FLOW
        % (
            node,
            quoted_once(b.flow_key(f.id, f.entry, f.reference)),
            quoted_once(f"{f.reference}: {' '.join(f.families)} {name}, {' → '.join(f.path)}"),
            entry,
            agreement,
            kind,
            quoted(f.purpose),
            _IDENTIFIABILITY[level],
            _OPT_OUT[f.opt_outs],
            "".join(t),
        )
    )


def _hop(
    b: RdfText, f: Flow, h: Hop, index: int, node: str, entry: str, kind: str, common: str, roles: Roles
) -> list[str]:
    """One hop of a flow, as a DPV process; returns the ``has(Personal)Data`` pairs of its copies.

    ``kind`` is the flow's kind pairs, ``common`` the pairs every process of the flow has."""
    level = h.identifiability
    has_data = _HAS_DATA[level]
    agreement = f.agreement
    copies = sorted({b.copy(agreement, fam, level) for fam in h.families or f.families or (UNSTATED,)})
    has = [f"{has_data} {c}" for c in copies]
    source, target = h.source, h.target
    t = [common]
    if roles.processors:
        ends = (source.id, target.id)
        t += [f"{SEP}{_DPV.hasDataProcessor} {b.org(o)}" for o in roles.processors if o in ends]
    t.append(then(has))
    t.append(then([f"{_PROV.used} {c}" for c in copies]))
    if h.unit:
        t.append(f"{SEP}{_DFG.unit} {b.unit(target.id, h.unit)}")
    # the list items that say what a list head's hop carries
    t += [f"{SEP}{_DFG.itemEvidence} {evidence(b, i.path, i.line, i.col, i.text, entry)}" for i in h.items]
    if (said := h.landing_evidence) is not None:
        t.append(f"{SEP}{_DFG.landingEvidence} {evidence(b, said.path, said.line, said.col, said.text, entry)}")
    ev = h.evidence
    cited = evidence(b, ev.path, ev.line, ev.col, ev.text, entry)
    to = b.org(target.id)
    b.put(
        _HOP
        % (
            node,
            quoted(f"hop {index}: {source.name} → {target.name}"),
            index,
            b.org(source.id),
            to,
            to,
            _IDENTIFIABILITY[level],
            _LANDING_LINES[h.landing_only],
            kind,
            "".join(t),
            cited,
        )
    )
    return has


def _copy(b: RdfText, core: str, family: str, level: Identifiability, info: _Copy, dataset_names: set[str]) -> None:
    """The copy of one family at one identifiability under an agreement, and the
    de-identification that made it from a more identifiable copy, if the flows show one."""
    node = b.copy(core, family, level)
    agreement = b.agreement(core)
    t = []
    if family in reviewed_families():
        t.append(f"{SEP}{_DFG.ofFamily} {b.family(family)}")
    if info.made_from is not None and level in DEIDENTIFY:
        source = b.copy(core, family, info.made_from)
        activity = sub(node, "deidentification")
        t += (f"{SEP}{_PROV.wasDerivedFrom} {source}", f"{SEP}{_PROV.wasGeneratedBy} {activity}")
        b.close(
            activity,
            [
                f"a {_DFG.Deidentification}",
                *_PROCESS_TYPES,
                f"{_RDFS.label} {quoted(f'{_LEVEL[level]} copy of {family} made under {core}')}",
                f"{_DFG.agreement} {agreement}",
                f"{_DPV.hasProcessing} {ttl_iri(str(DEIDENTIFY[level]))}",
                f"{_PROV.used} {source}",
                *(f"{_PROV.wasAssociatedWith} {b.org(o)}" for o in sorted(info.at)),
            ],
        )
    t += [f"{SEP}{_DFG.ofDataset} {b.dataset(name)}" for name in sorted(dataset_names)]
    label = f"{_FAMILY_WORDS.get(family, family)} {_LEVEL[level]} copy under {core}"
    b.put(_COPY % (node, _DATA_CLASS[level], quoted_once(label), agreement, _IDENTIFIABILITY[level], "".join(t)))


def _release(b: RdfText, r: Release, agreement: str) -> None:
    """A released file of the official register, with its window and the row it comes from."""
    where = b.files.locate(r.source)
    key = r.row_id or f"{where.sheet or 'row'}-{r.line}"
    if r.row_id:
        node = b.iri("release", b.release_keys.get(r.id, r.row_id))
    else:
        node = b.iri("release", where.key, where.sheet or "", str(r.line))
    t = [
        f"a {_DFG.Release}",
        f"{_DCT.identifier} {quoted(key)}",
        f"{_DCT.title} {quoted(r.dataset)}",
        f"{_RDFS.label} {quoted(f'{key}: {r.dataset.strip()} to {r.recipient.strip()}')}",
        f"{_DFG.agreement} {agreement}",
        f"{_DFG.recipientName} {quoted(r.recipient)}",
        f"{_DFG.category} {quoted(r.category)}",
    ]
    if r.row_id:
        t.append(f"{_DFG.rowId} {quoted(r.row_id)}")
    if r.family in reviewed_families():
        t.append(f"{_DFG.ofFamily} {b.family(r.family)}")
    if r.identifiability:
        t.append(f"{_DFG.identifiability} {_IDENTIFIABILITY[r.identifiability]}")
    if r.opt_outs_applied is not None:
        t.append(f"{_DFG.optOut} {_OPT_OUT[OptOut.YES if r.opt_outs_applied else OptOut.NO]}")
    if r.legal_basis:
        t.append(f"{_DFG.legalBasisText} {quoted(r.legal_basis)}")
    window = period(b, node, r.period or (Period(r.month, r.month) if r.month else None))
    if window is not None:
        t.append(f"{_DFG.window} {window}")
    cited = release_cited(r)
    t.append(f"{_DFG.evidence} {evidence(b, cited.source, cited.line, cited.col, cited.text, None, r.row_id)}")
    b.close(node, t)
