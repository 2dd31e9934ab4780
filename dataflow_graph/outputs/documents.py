"""The JSON contracts of every command, built from records (schema :data:`SCHEMA`).

A document is a plain dict of JSON values; :func:`dumps` writes it the one way every
command does (sorted keys, UTF-8 kept, two-space indent, trailing newline), so the same
records give the same bytes.  Keys are added over time, never renamed or dropped.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Protocol

from ..errors import Diagnostics
from ..graph import (
    SEVERITY,
    AgreementSummary,
    Convergence,
    Direction,
    Excluded,
    FileFinding,
    FlowPath,
    Neighbour,
    OrganisationSummary,
    RedFlagReport,
    redflag_report,
)
from ..model import Entry, Flow, Organisation, Page, Release

__all__ = [
    "SCHEMA",
    "Document",
    "HasDict",
    "RegisterContents",
    "agreement_document",
    "check_document",
    "converge_document",
    "dumps",
    "eval_document",
    "flows_document",
    "neighbours_document",
    "organisation_document",
    "parse_document",
    "paths_document",
    "redflags_document",
    "sparql_document",
]

#: Version of every JSON document the CLI writes.
SCHEMA = 2

Document = dict[str, object]


class HasDict(Protocol):
    """A record of another layer with its own JSON form (a gold score, a SHACL violation)."""

    def as_dict(self) -> dict[str, object]: ...


class RegisterContents(Protocol):
    """What ``dfg parse`` writes of a loaded register (:class:`dataflow_graph.api.Register`)."""

    @property
    def sources(self) -> Sequence[str]: ...
    @property
    def pages(self) -> Sequence[Page]: ...
    @property
    def entries(self) -> Sequence[Entry]: ...
    @property
    def releases(self) -> Sequence[Release]: ...
    @property
    def diagnostics(self) -> Diagnostics: ...
    @property
    def agreements(self) -> Mapping[str, list[str]]: ...


def dumps(document: object) -> str:
    """Deterministic JSON: sorted keys, UTF-8 kept, trailing newline.

    >>> dumps({"b": 1, "a": "é"})
    '{\\n  "a": "é",\\n  "b": 1\\n}\\n'
    """
    return json.dumps(document, sort_keys=True, ensure_ascii=False, indent=2) + "\n"


def parse_document(register: RegisterContents) -> Document:
    """``dfg parse``: sources, pages, entries, agreements, released files, diagnostics, counts."""
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


def flows_document(
    selected: Iterable[Flow], *, organisations: Sequence[Organisation], diagnostics: Diagnostics
) -> Document:
    """``dfg flows``: the flows, every organisation they name, diagnostics and counts."""
    flows = list(selected)
    return {
        "schema": SCHEMA,
        "flows": [f.as_dict() for f in flows],
        "organisations": [o.as_dict() for o in organisations],
        "diagnostics": [d.as_dict() for d in diagnostics],
        "counts": {
            **diagnostics.counts(),
            "flows": len(flows),
            "unreviewed": sum(not o.reviewed for o in organisations),
        },
    }


def converge_document(
    found: Iterable[Convergence],
    excluded: Iterable[Excluded],
    files: Iterable[FileFinding] = (),
    releases: Sequence[Release] = (),
) -> Document:
    """``dfg converge``: flow and file findings by severity, the weights, pairs reported apart,
    and (with released files) their red flags."""
    keyed = [((-c.severity, c.recipient, c.family, "flows"), {"source": "flows", **c.as_dict()}) for c in found]
    keyed += [((-f.severity, f.recipient, str(f.family), "releases"), f.as_dict()) for f in files]
    doc: Document = {
        "schema": SCHEMA,
        "severity_weights": dict(SEVERITY),
        "findings": [finding for _, finding in sorted(keyed, key=lambda pair: pair[0])],
        "excluded": [e.as_dict() for e in excluded],
    }
    if releases:
        red = redflags_document(redflag_report(releases))
        doc["redflags"], doc["not_applied"] = red["redflags"], red["not_applied"]
    return doc


def stated_by_pages(pages: Iterable[Page]) -> list[dict[str, object]]:
    """What register pages themselves state (the banner's unsafe-files count and red flag), kept
    apart from what the tool computes; every item says so."""
    return [
        {
            "source": p.source,
            "organisation": p.organisation,
            "unsafe_files": p.unsafe_files,
            "red_flag": p.red_flag,
            "stated_by": "the page",
        }
        for p in pages
        if p.unsafe_files is not None or p.red_flag
    ]


def redflags_document(report: RedFlagReport, pages: Iterable[Page] = ()) -> Document:
    """``dfg redflags``: red flags computed from released files and, per recipient, the files
    sent with opt-outs not applied; ``stated``: what the pages themselves state.

    >>> from dataflow_graph.graph import redflag_report
    >>> sorted(redflags_document(redflag_report([])))
    ['not_applied', 'redflags', 'schema', 'stated']
    """
    return {
        "schema": SCHEMA,
        "redflags": [f.as_dict() for f in report.redflags],
        "not_applied": [{"recipient": r, "files": n} for r, n in report.not_applied],
        "stated": stated_by_pages(pages),
    }


def paths_document(found: Iterable[FlowPath]) -> Document:
    """``dfg paths``: every route, hop by hop."""
    return {"schema": SCHEMA, "paths": [p.as_dict() for p in found]}


def neighbours_document(origin: str, direction: Direction, found: Iterable[Neighbour]) -> Document:
    """``dfg upstream`` / ``dfg downstream``: the organisations reached from ``origin`` (a name)."""
    return {
        "schema": SCHEMA,
        "organisation": origin,
        "direction": direction.value,
        "organisations": [n.as_dict() for n in found],
    }


def organisation_document(summary: OrganisationSummary, pages: Iterable[Page] = ()) -> Document:
    """``dfg org``: identity, what it received, from and to whom, entries, findings, files."""
    files = summary.files
    return {
        "schema": SCHEMA,
        "organisation": summary.organisation.as_dict(),
        "received": {fam: list(levels) for fam, levels in summary.received.items()},
        "from": [n.as_dict() for n in summary.upstream],
        "to": [n.as_dict() for n in summary.downstream],
        "entries": list(summary.entries),
        "agreements": list(summary.agreements),
        "findings": [c.as_dict() for c in summary.findings],
        "releases": files.releases,
        "redflags": [r.as_dict() for r in files.redflags],
        "not_applied": files.not_applied,
        "file_findings": [f.as_dict() for f in files.file_findings],
        "stated": stated_by_pages(pages),
    }


def families_document(found: Iterable[HasDict]) -> Document:
    """``dfg families``: the reviewed dataset families."""
    return {"schema": SCHEMA, "families": [f.as_dict() for f in found]}


def organisations_document(found: Iterable[HasDict]) -> Document:
    """``dfg orgs``: the organisations one can ask about, with aliases, ODS codes and roles."""
    return {"schema": SCHEMA, "organisations": [o.as_dict() for o in found]}


def agreement_document(summary: AgreementSummary) -> Document:
    """``dfg agreement``: its entries, flows, recipients and released files."""
    return {
        "schema": SCHEMA,
        "agreement": summary.agreement,
        "entries": [e.as_dict() for e in summary.entries],
        "flows": [f.as_dict() for f in summary.flows],
        "recipients": list(summary.recipients),
        "releases": [r.as_dict() for r in summary.releases],
    }


def eval_document(score: HasDict) -> Document:
    """``dfg eval``: the score against the gold file, in its own JSON form."""
    return score.as_dict()


def check_document(violations: Sequence[HasDict]) -> Document:
    """``dfg check``: whether the RDF conforms to the shapes, and every violation."""
    return {"schema": SCHEMA, "conforms": not violations, "violations": [v.as_dict() for v in violations]}


def sparql_document(query: str, rows: Sequence[Mapping[str, object]]) -> Document:
    """``dfg sparql``: the query's name or file and its result rows."""
    return {"schema": SCHEMA, "query": query, "rows": list(rows)}
