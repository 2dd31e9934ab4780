"""The facade for the CLI and notebooks: load, flows, paths, convergences, export.

Everything a user can do from ``dfg`` is one function here; the CLI adds only I/O.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import networkx as nx

from ._resources import embedded_path
from .errors import Diagnostics, UnknownOrganisationError, UsageError
from .extract import Score, evaluate, load_gold
from .graph import (
    SEVERITY,
    Convergence,
    Excluded,
    FileConvergence,
    FlowPath,
    Neighbour,
    Side,
    build_graph,
    downstream,
    file_convergences,
    flow_paths,
    redflags_document,
    upstream,
)
from .graph import Evidence as FileEvidence
from .graph import convergences as find_convergences
from .model import Entry, Flow, FlowKind, Identifiability, Organisation, Page, Period, Release
from .names import Gazetteer, agreement_core, gazetteer, normalise
from .read import expand_paths, month, read_inputs

__all__ = [
    "DEFAULT_SOURCE",
    "SCHEMA",
    "Register",
    "convergences",
    "evaluate_gold",
    "flows",
    "graph",
    "load",
    "neighbours",
    "parse_document",
    "paths",
    "resolve_organisation",
]

#: Version of every JSON document the CLI writes.
SCHEMA = 1


@dataclass
class Register:
    """Everything read from some inputs: entries, released files, flows, diagnostics."""

    entries: list[Entry] = field(default_factory=list)
    pages: list[Page] = field(default_factory=list)
    releases: list[Release] = field(default_factory=list)
    diagnostics: Diagnostics = field(default_factory=Diagnostics)
    sources: list[str] = field(default_factory=list)
    names: Gazetteer | None = None
    _flows: list[Flow] | None = None
    _graph: nx.MultiDiGraph | None = None
    _organisations: list[Organisation] | None = None
    _convergences: tuple[list[Convergence], list[Excluded]] | None = None

    @property
    def agreements(self) -> dict[str, list[str]]:
        """Agreement core -> entry ids, in input order."""
        out: dict[str, list[str]] = defaultdict(list)
        for e in self.entries:
            out[e.agreement].append(e.id)
        return dict(out)

    @property
    def flows(self) -> list[Flow]:
        """Flows extracted from every entry (computed once)."""
        if self._flows is None:
            from .extract import extract_all

            self._flows = extract_all(self.entries, self.gazetteer, self.diagnostics)
        return self._flows

    @property
    def gazetteer(self) -> Gazetteer:
        if self.names is None:
            self.names = gazetteer().fork()
        return self.names

    def organisations(self) -> list[Organisation]:
        """Every organisation named by a flow, reviewed ones and the rest, sorted by id.

        An unreviewed organisation keeps every spelling it was met under (sorted), so the
        result does not depend on which text named it first (nor on how the work was split
        across processes).
        """
        if self._organisations is None:
            seen: dict[str, Organisation] = {}
            spellings: dict[str, set[str]] = defaultdict(set)
            for flow in self.flows:
                for org in (o for hop in flow.hops for o in (hop.source, hop.target)):
                    seen.setdefault(org.id, org)
                    if not org.reviewed:
                        spellings[org.id].update(org.aliases)
            self._organisations = [
                replace(seen[k], aliases=tuple(sorted(spellings[k]))) if k in spellings else seen[k]
                for k in sorted(seen)
            ]
        return self._organisations


def load(paths: Sequence[str | Path] = (), *, strict: bool = False) -> Register:
    """Read register pages and official register files; the embedded seed when none given.

    Bad data is reported in ``register.diagnostics`` and never raises; at the end
    ``read == parsed + rejected`` holds.

    Examples
    --------
    >>> r = load()
    >>> len(r.entries), r.diagnostics.balanced
    (7, True)
    """
    found = read_inputs(paths) if paths else read_inputs([embedded_path("seeds")], shown_as="seeds")
    return Register(
        entries=found.entries,
        pages=found.pages,
        releases=found.releases,
        diagnostics=found.diagnostics,
        sources=found.sources,
    )


def parse_document(register: Register) -> dict[str, object]:
    """The ``dfg parse`` JSON contract (schema 1)."""
    return {
        "schema": SCHEMA,
        "sources": list(register.sources),
        "pages": [p.as_dict() for p in register.pages],
        "entries": [e.as_dict() for e in register.entries],
        "agreements": register.agreements,
        "releases": [r.as_dict() for r in register.releases],
        "diagnostics": [d.as_dict() for d in register.diagnostics],
        "counts": register.diagnostics.counts(),
    }


def entries_rows(entries: Iterable[Entry]) -> list[dict[str, object]]:
    """One flat row per entry, for tables and CSV."""
    rows = []
    for e in entries:
        rows.append(
            {
                "id": e.id,
                "reference": e.reference,
                "agreement": e.agreement,
                "title": e.title,
                "opt_outs": e.opt_outs.honoured.value,
                "period": _period_text(e.period),
                "dsa": _period_text(e.dsa),
                "legal_basis": "; ".join(e.legal_basis),
                "access": "; ".join(e.access),
                "families": " ".join(e.families),
                "type_of_data": e.type_of_data or "",
                "line": e.line,
            }
        )
    return rows


def _period_text(p: object) -> str:
    if p is None:
        return ""
    return f"{p.start or '?'}..{p.end or '?'}"  # type: ignore[attr-defined]


# ---------------------------------------------------------------------------------------
# Flows, graph and queries

DEFAULT_SOURCE = "NHS Digital"
DEFAULT_DEPTH = 8


def flows(register: Register, *, family: str | None = None, identifiability: str | None = None) -> list[Flow]:
    """Extracted flows, optionally only those carrying a family or at an identifiability."""
    out = register.flows
    if family:
        out = [f for f in out if family.upper() in {x.upper() for x in f.families}]
    if identifiability:
        out = [f for f in out if f.identifiability.value == identifiability]
    return out


def graph(register: Register) -> nx.MultiDiGraph:
    """The flow graph of the register (built once), with successors as nodes."""
    if register._graph is None:
        orgs = register.organisations()
        extra = [
            register.gazetteer.by_id[o.successor]
            for o in orgs
            if o.successor and o.successor in register.gazetteer.by_id
        ]
        register._graph = build_graph(register.flows, [*orgs, *extra])
    return register._graph


def resolve_organisation(register: Register, name: str) -> str:
    """The graph node for any alias, id or name, case-insensitive; suggestions if unknown."""
    G = graph(register)
    if name in G:
        return name
    key = normalise(name)
    for node, data in G.nodes(data=True):
        org: Organisation = data["organisation"]
        if key in {normalise(org.name), normalise(org.id.removeprefix("org:")), *(normalise(a) for a in org.aliases)}:
            return node
    org = register.gazetteer.lookup(name)
    if org is not None and org.id in G:
        return org.id
    names = sorted({d["name"] for _, d in G.nodes(data=True)})
    lowered = {n.lower(): n for n in names}
    close = difflib.get_close_matches(name.lower(), list(lowered), 3, 0.3)
    contains = [n for n in names if key and key in normalise(n)][:3]
    raise UnknownOrganisationError(name, list(dict.fromkeys([*contains, *(lowered[c] for c in close)]))[:4])


def parse_during(text: str | None) -> Period | None:
    """``2018-06..2018-09`` (or one month) as a Period; UsageError if malformed."""
    if not text:
        return None
    parts = text.split("..")
    months = [month(p) for p in parts]
    if len(parts) > 2 or any(m is None for m in months):
        raise UsageError(f"--during {text!r}: expected YYYY-MM..YYYY-MM or YYYY-MM")
    return Period(months[0], months[-1], text)


def _identifiability(value: str | None) -> Identifiability | None:
    return Identifiability(value) if value else None


def paths(
    register: Register,
    target: str,
    *,
    source: str = DEFAULT_SOURCE,
    family: str | None = None,
    identifiability: str | None = None,
    purpose: str | None = None,
    kind: str | None = None,
    during: str | None = None,
    depth: int | None = DEFAULT_DEPTH,
) -> list[FlowPath]:
    """Routes from ``source`` (NHS Digital by default) to ``target``, hop by hop."""
    G = graph(register)
    return flow_paths(
        G,
        resolve_organisation(register, source),
        resolve_organisation(register, target),
        family=family.upper() if family else None,
        identifiability=_identifiability(identifiability),
        purpose=purpose,
        kind=FlowKind(kind) if kind else None,
        during=parse_during(during),
        depth=depth,
    )


def neighbours(register: Register, name: str, *, direction: str, depth: int | None = None) -> list[Neighbour]:
    """``upstream`` or ``downstream`` organisations of one organisation."""
    G = graph(register)
    node = resolve_organisation(register, name)
    return (upstream if direction == "up" else downstream)(G, node, depth=depth)


def convergences(
    register: Register,
    *,
    recipient: str | None = None,
    rollup: str = "unit",
    family: str | None = None,
    during: str | None = None,
) -> tuple[list[Convergence], list[Excluded]]:
    """Convergence findings (DESIGN.md, "Convergence, precisely") and pairs reported apart."""
    G = graph(register)
    whole = recipient is None and rollup == "unit" and family is None and during is None
    if whole and register._convergences is not None:  # the whole register: found once
        return list(register._convergences[0]), list(register._convergences[1])
    node = resolve_organisation(register, recipient) if recipient else None
    found, excluded = find_convergences(
        G,
        recipient=node,
        successor=rollup == "successor",
        family=family.upper() if family else None,
        during=parse_during(during),
    )
    if whole:
        register._convergences = (list(found), list(excluded))
    return found, excluded


def evaluate_gold(register: Register, gold_path: str | Path) -> Score:
    """Score the register's flows against a gold YAML file."""
    text = Path(gold_path).read_text(encoding="utf-8")
    return evaluate(register.flows, load_gold(text), register.gazetteer)


def flows_document(register: Register, selected: Iterable[Flow]) -> dict[str, object]:
    """The ``dfg flows`` JSON contract (schema 1)."""
    selected = list(selected)
    return {
        "schema": SCHEMA,
        "flows": [f.as_dict() for f in selected],
        "organisations": [o.as_dict() for o in register.organisations()],
        "diagnostics": [d.as_dict() for d in register.diagnostics],
        "counts": {
            **register.diagnostics.counts(),
            "flows": len(selected),
            "unreviewed": sum(not o.reviewed for o in register.organisations()),
        },
    }


def flows_rows(selected: Iterable[Flow]) -> list[dict[str, object]]:
    rows = []
    for f in selected:
        rows.append(
            {
                "entry": f.entry.rsplit("/", 1)[-1],
                "reference": f.reference,
                "purpose": f.purpose,
                "kind": f.kind.value,
                "identifiability": f.identifiability.value,
                "families": " ".join(f.families),
                "path": " → ".join(f.path),
                "lines": " ".join(str(h.evidence.line) for h in f.hops),
            }
        )
    return rows


def file_findings(
    register: Register, *, recipient: str | None = None, family: str | None = None
) -> list[dict[str, object]]:
    """Convergence from released files: one recipient, one family, identifiable and
    record-level de-identified files in one period, with the file rows as evidence."""
    out = []
    for fc in file_convergences(register.releases):
        if recipient and normalise(fc.recipient) not in _names_of(register, recipient):
            continue
        if family and (fc.family or "").upper() != family.upper():
            continue
        out.append(_file_finding(fc))
    return out


def _names_of(register: Register, name: str) -> set[str]:
    """Every comparison key an organisation argument may stand for."""
    keys = {normalise(name)}
    try:
        org = graph(register).nodes[resolve_organisation(register, name)]["organisation"]
        keys |= {normalise(org.name), *(normalise(a) for a in org.aliases)}
    except UnknownOrganisationError:
        pass
    return keys


def _file_finding(fc: FileConvergence) -> dict[str, object]:
    divergence = {"applied", "not applied"} <= {
        *fc.identifiable_opt_outs,
        *fc.deidentified_opt_outs,
    } and fc.opt_outs_differ
    severity = (
        SEVERITY["both_copies"]
        + SEVERITY["overlap"]
        + (SEVERITY["opt_out_divergence"] if divergence else 0)
        + (SEVERITY["same_agreement"] if fc.same_agreement else 0)
    )

    def sides(
        rows: tuple[FileEvidence, ...], agreements: tuple[str, ...], opt_outs: tuple[str, ...]
    ) -> list[dict[str, object]]:
        return [
            {
                "entry": None,
                "reference": None,
                "agreement": a,
                "purpose": None,
                "period": {"start": fc.period, "end": fc.period, "kind": fc.period_kind},
                "opt_outs": ", ".join(opt_outs),
                "path": [fc.recipient],
                "evidence": [r.as_dict() for r in rows],
            }
            for a in agreements
        ]

    return {
        "source": "releases",
        "recipient": fc.recipient,
        "recipient_id": None,
        "family": fc.family,
        "datasets": list(fc.datasets),
        "severity": severity,
        "severity_label": "high" if severity >= 8 else "medium" if severity >= 5 else "low",
        "identifiable": sides(fc.identifiable, fc.identifiable_agreements, fc.identifiable_opt_outs),
        "pseudonymised": sides(fc.deidentified, fc.deidentified_agreements, fc.deidentified_opt_outs),
        "overlap": {"from": fc.period, "to": fc.period, "months": [fc.period], "kind": fc.period_kind},
        "opt_out_divergence": divergence,
        "opt_outs": {"identifiable": list(fc.identifiable_opt_outs), "pseudonymised": list(fc.deidentified_opt_outs)},
        "same_agreement": sorted(set(fc.identifiable_agreements) & set(fc.deidentified_agreements)),
        "landing_only": False,
        "landing_only_sides": [],
        "segregation": [],
        "linkage": [],
        "reidentification": [],
        "rolled_up_from": [],
        "files": fc.as_dict(),
    }


def converge_document(
    found: list[Convergence],
    excluded: list[Excluded],
    register: Register | None = None,
    *,
    recipient: str | None = None,
    family: str | None = None,
) -> dict[str, object]:
    """The ``dfg converge`` JSON contract (schema 1): flow findings and file findings,
    sorted by severity, plus the red flags of the released files."""
    findings = [{"source": "flows", **c.as_dict()} for c in found]
    releases: list[Release] = register.releases if register is not None else []
    if register is not None and releases:
        findings += file_findings(register, recipient=recipient, family=family)
    findings.sort(
        key=lambda f: (
            -int(f["severity"]),
            str(f["recipient"]),
            str(f["family"]),  # type: ignore[call-overload]
            str(f["source"]),
        )
    )
    doc: dict[str, object] = {
        "schema": SCHEMA,
        "severity_weights": dict(SEVERITY),
        "findings": findings,
        "excluded": [e.as_dict() for e in excluded],
    }
    if releases:
        red = redflags_document(releases)
        doc["redflags"], doc["not_applied"] = red["redflags"], red["not_applied"]
    return doc


def converge_rows(found: list[Convergence]) -> list[dict[str, object]]:
    rows = []
    for c in found:
        d = c.as_dict()
        overlap = d["overlap"]
        rows.append(
            {
                "recipient": c.recipient,
                "family": c.family,
                "severity": f"{c.severity} ({c.severity_label})",
                "identifiable": _side_text(c.identifiable),
                "pseudonymised": _side_text(c.pseudonymised),
                "overlap": f"{overlap['from']}..{overlap['to']}" if overlap else "none",  # type: ignore[index]
                "opt-outs": "honoured on one copy, ignored on the other" if c.opt_out_divergence else "no divergence",
                "same agreement": " ".join(c.same_agreement) or "no",
                "landing only": " ".join(c.landing_only) or "no",
                "segregation": "; ".join(sorted({str(s.get("unit") or "stated") for s in c.segregation})) or "none",
            }
        )
    return rows


def _side_text(sides: Iterable[Side]) -> str:
    out = []
    for s in sides:
        f = s.flow
        period = f"{f.period.start}..{f.period.end}" if f.period else "?"
        out.append(
            f"{f.reference} ({f.entry.rsplit('#', 1)[-1]}) {period} "
            f"opt-outs {f.opt_outs.value} via {' → '.join(s.path[1:-1]) or 'direct'} "
            f"[line {s.hop.evidence.line}]"
        )
    return "\n".join(out)


def paths_document(found: list[FlowPath]) -> dict[str, object]:
    return {"schema": SCHEMA, "paths": [p.as_dict() for p in found]}


def paths_rows(found: list[FlowPath]) -> list[dict[str, object]]:
    rows = []
    for p in found:
        for i, h in enumerate(p.hops, 1):
            rows.append(
                {
                    "entry": p.entry.rsplit("#", 1)[-1],
                    "reference": p.reference,
                    "purpose": p.purpose,
                    "step": i,
                    "from": h.source.name,
                    "to": h.target.name,
                    "identifiability": h.identifiability.value,
                    "landing only": "yes" if h.landing_only else "",
                    "evidence": f"{h.evidence.path}:{h.evidence.line}: {h.evidence.text[:160]}",
                }
            )
    return rows


def neighbours_document(origin: str, direction: str, found: list[Neighbour]) -> dict[str, object]:
    return {
        "schema": SCHEMA,
        "organisation": origin,
        "direction": direction,
        "organisations": [n.as_dict() for n in found],
    }


def neighbours_rows(found: list[Neighbour]) -> list[dict[str, object]]:
    rows = []
    for n in found:
        for f, h in n.hops:
            rows.append(
                {
                    "distance": n.distance,
                    "organisation": n.name,
                    "role": n.role,
                    "from": h.source.name,
                    "to": h.target.name,
                    "reference": f.reference,
                    "purpose": f.purpose,
                    "identifiability": h.identifiability.value,
                    "families": " ".join(f.families),
                    "line": h.evidence.line,
                }
            )
    return rows


# ---------------------------------------------------------------------------------------
# Summaries


def organisation_summary(register: Register, name: str) -> dict[str, object]:
    """Everything known about one organisation across all entries."""
    G = graph(register)
    try:
        node = resolve_organisation(register, name)
    except UnknownOrganisationError as exc:
        return _release_only_summary(register, name, exc)
    org: Organisation = G.nodes[node]["organisation"]
    received: dict[str, set[str]] = defaultdict(set)
    for _, _, d in G.in_edges(node, data=True):
        for fam in d["flow"].families:
            received[fam].add(d["hop"].identifiability.value)
    found, _ = convergences(register, recipient=node)
    entries = sorted(
        {d["flow"].entry for _, _, d in G.in_edges(node, data=True)}
        | {d["flow"].entry for _, _, d in G.out_edges(node, data=True)}
    )
    return {
        "schema": SCHEMA,
        "organisation": org.as_dict(),
        "received": {fam: sorted(levels) for fam, levels in sorted(received.items())},
        "from": [n.as_dict() for n in upstream(G, node, depth=1)],
        "to": [n.as_dict() for n in downstream(G, node, depth=1)],
        "entries": entries,
        "agreements": sorted({e.agreement for e in register.entries if e.id in set(entries)}),
        "findings": [c.as_dict() for c in found],
        **_release_facts(register, {normalise(org.name), *(normalise(a) for a in org.aliases)}),
    }


def _release_only_summary(register: Register, name: str, exc: UnknownOrganisationError) -> dict[str, object]:
    """An organisation known only as the recipient of released files (no flow names it)."""
    org = register.gazetteer.lookup(name)
    keys = {normalise(name)} | ({normalise(org.name), *(normalise(a) for a in org.aliases)} if org else set())
    mine = [r for r in register.releases if normalise(r.recipient) in keys]
    if not mine:
        recipients = sorted({r.recipient.strip() for r in register.releases})
        close = difflib.get_close_matches(name.upper(), [r.upper() for r in recipients], 3, 0.5)
        if close:
            raise UnknownOrganisationError(name, [*exc.suggestions, *close][:4]) from exc
        raise exc
    org = org or register.gazetteer.resolve(mine[0].recipient)
    received: dict[str, set[str]] = defaultdict(set)
    for r in mine:
        if r.identifiability is not None:
            received[r.family or r.dataset.strip()].add(r.identifiability.value)
    return {
        "schema": SCHEMA,
        "organisation": org.as_dict(),
        "received": {fam: sorted(levels) for fam, levels in sorted(received.items())},
        "from": [],
        "to": [],
        "entries": [],
        "agreements": sorted({r.agreement for r in mine}),
        "findings": [],
        **_release_facts(register, keys),
    }


def _release_facts(register: Register, keys: set[str]) -> dict[str, object]:
    """Red flags, not-applied counts and file findings of one recipient's released files."""
    mine = [r for r in register.releases if normalise(r.recipient) in keys]
    if not mine:
        return {"releases": 0, "redflags": [], "not_applied": 0, "file_findings": []}
    red = redflags_document(mine)
    return {
        "releases": len(mine),
        "redflags": red["redflags"],
        "not_applied": sum(int(x["files"]) for x in red["not_applied"]),  # type: ignore[union-attr]
        "file_findings": [_file_finding(fc) for fc in file_convergences(mine)],
    }


def redflags(register: Register, *, recipient: str | None = None) -> dict[str, object]:
    """The ``dfg redflags`` JSON contract: same-period files with opt-outs applied and not."""
    releases = register.releases
    if recipient:
        keys = _names_of(register, recipient)
        releases = [r for r in releases if normalise(r.recipient) in keys]
    return redflags_document(releases)


def agreement_summary(register: Register, reference: str) -> dict[str, object]:
    """Everything known about one agreement: its entries, flows, recipients, releases."""
    core = agreement_core(reference)
    entries = [e for e in register.entries if e.agreement == core]
    if not entries and not any(r.agreement == core for r in register.releases):
        known = sorted(register.agreements)
        close = difflib.get_close_matches(core, known, 3, 0.5)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise UsageError(f"no agreement {reference!r} in the register{hint}")
    ids = {e.id for e in entries}
    selected = [f for f in register.flows if f.entry in ids]
    return {
        "schema": SCHEMA,
        "agreement": core,
        "entries": [e.as_dict() for e in entries],
        "flows": [f.as_dict() for f in selected],
        "recipients": sorted({h.target.name for f in selected for h in f.hops}),
        "releases": [r.as_dict() for r in register.releases if r.agreement == core],
    }


def redflag_rows(document: dict[str, object]) -> list[dict[str, object]]:
    """Red flags as flat rows; the not-applied counts follow as their own rows."""
    rows: list[dict[str, object]] = []
    for r in document["redflags"]:  # type: ignore[attr-defined]
        rows.append(
            {
                "recipient": r["recipient"],
                "dataset": r["dataset"],
                "period": r["period"],
                "files applied": r["files_applied"],
                "files not applied": r["files_not_applied"],
                "rows": " ".join(str(x["line"]) for x in r["rows"]),
            }
        )
    return rows


def file_rows(found: list[dict[str, object]]) -> list[dict[str, object]]:
    rows = []
    for f in found:
        files = f["files"]
        rows.append(
            {
                "recipient": f["recipient"],
                "family": f["family"],
                "severity": f["severity"],
                "period": files["period"],  # type: ignore[index]
                "identifiable files": len(files["identifiable"]["rows"]),  # type: ignore[index]
                "de-identified files": len(files["deidentified"]["rows"]),  # type: ignore[index]
                "opt-outs": "differ" if f["opt_out_divergence"] else "same",
                "same agreement": " ".join(f["same_agreement"]) or "no",
            }
        )  # type: ignore[arg-type]
    return rows


# ---------------------------------------------------------------------------------------
# RDF, SHACL, SPARQL, push: one call each into dataflow_graph.rdf.register, which loads
# rdflib and Oxigraph only when called (these imports may join the ones at the top).

from .rdf import DEFAULT_BASE  # noqa: E402
from .rdf import register as _rdf  # noqa: E402


def _rdf_records(register: Register) -> _rdf.Records:
    """What the register's RDF projects: entries, flows, organisations, released files, findings."""
    return _rdf.Records(
        register.entries, register.flows, register.organisations(), register.releases, convergences(register)[0]
    )


def rdf_text(register: Register, *, base: str = DEFAULT_BASE) -> _rdf.RdfText:
    """The register's triples as text (:class:`~dataflow_graph.rdf.turtle.RdfText`): entries,
    agreements, organisations, datasets, flows, hops, evidence, released files and
    convergence findings."""
    return _rdf.rdf_text(_rdf_records(register), base=base)


def rdf_store(register: Register, *, base: str = DEFAULT_BASE) -> _rdf.Store:
    """The register as RDF in a pyoxigraph store (see :func:`rdf_text`)."""
    return _rdf.rdf_store(_rdf_records(register), base=base)


def export_rdf(register: Register, fmt: str, *, base: str = DEFAULT_BASE) -> bytes:
    """Turtle, N-Triples, JSON-LD, TriG or N-Quads; the same bytes for the same input."""
    return _rdf.export_rdf(_rdf_records(register), fmt, base=base)


def check(register: Register, *, base: str = DEFAULT_BASE) -> list[_rdf.Violation]:
    """SHACL violations of the register's RDF (ontology/shapes.ttl), each with its entry."""
    return _rdf.check(_rdf_records(register), base=base)


def sparql(
    paths: Sequence[str | Path],
    query: str,
    bindings: dict[str, str] | None = None,
    *,
    allow_update: bool = False,
    endpoint: str | None = None,
    store: str | None = None,
    base: str = DEFAULT_BASE,
) -> list[dict[str, object]]:
    """Run a named query (``ontology/queries/NAME.rq``) or a query file, with bindings.

    Locally over the register read from ``paths``; with ``store`` an on-disk Oxigraph store
    under that folder is built once per input and reused; with ``endpoint`` the query runs on
    a SPARQL 1.1 server instead. Bindings are passed as bindings, never formatted in.
    """
    return _rdf.sparql(
        query,
        bindings,
        records=lambda: _rdf_records(load(paths)),
        files=lambda: expand_paths(paths or [embedded_path("seeds")]),
        allow_update=allow_update,
        endpoint=endpoint,
        store=store,
        base=base,
    )


def push(
    register: Register,
    endpoint: str,
    *,
    method: str = "update",
    base: str = DEFAULT_BASE,
    store_url: str | None = None,
    update_url: str | None = None,
) -> list[_rdf.PushResult]:
    """Load the register into a SPARQL 1.1 server, one named graph per agreement, each
    replaced whole in one request (a failed push leaves the previous graph, never half)."""
    return _rdf.push(
        _rdf_records(register), endpoint, method=method, base=base, store_url=store_url, update_url=update_url
    )
