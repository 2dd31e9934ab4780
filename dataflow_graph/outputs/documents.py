"""The JSON contracts of every command, built from records (schema :data:`SCHEMA`).

A document is a plain dict of JSON values; :func:`dumps` writes it the one way every
command does (sorted keys, UTF-8 kept, one record per line, trailing newline), so the same
records give the same bytes.  Keys are added over time, never renamed or dropped.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Protocol

from ..errors import Diagnostics
from ..model import Entry, Flow, Organisation, Page, Release

if TYPE_CHECKING:  # the flow graph (and networkx) only where a document needs it: not for `dfg flows`
    from ..graph import (
        AgreementSummary,
        Convergence,
        Direction,
        Excluded,
        FileFinding,
        FlowPath,
        Neighbour,
        OrganisationSummary,
        RedFlagReport,
    )

__all__ = [
    "SCHEMA",
    "Document",
    "HasDict",
    "Records",
    "RegisterContents",
    "agreement_document",
    "check_document",
    "converge_document",
    "dumps",
    "eval_document",
    "expand",
    "flows_document",
    "neighbours_document",
    "organisation_document",
    "parse_document",
    "paths_document",
    "record_line",
    "redflags_document",
    "sparql_document",
]

#: Version of every JSON document the CLI writes.
SCHEMA = 4

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
    """Deterministic JSON, one record per line: sorted keys, UTF-8 kept, trailing newline.

    A document's keys each start a line, and each item of a list or table under them
    (an entry, a flow, a finding, a copy) is one line of its own: ``grep`` and ``diff``
    see records, ``jq`` and any JSON reader see the same values.  Each line is made by the
    C encoder, compact as ``jq -c`` writes it (an indented dump goes through Python's pure
    encoder: a quarter of a ``dfg flows`` run on 1,000 entries; and is a third larger).

    >>> print(dumps({"b": [1, {"y": 2, "x": "é"}], "a": {}}), end="")
    {
      "a": {},
      "b": [
        1,
        {"x":"é","y":2}
      ]
    }
    """
    return "".join(p if isinstance(p, str) else p.decode("utf-8") for p in _pieces(document))


def dumps_bytes(document: object) -> bytes:
    """``dumps(document)`` as UTF-8, each line encoded as it is made.

    What a command writes: encoding the whole text at once widens it first (a document
    holding one "’" is two bytes a character) and then copies it again; for the 87 MB of
    ``dfg flows`` on 10k entries, about 3 s against 0.2 s.

    >>> dumps_bytes({"a": ["é"]}) == dumps({"a": ["é"]}).encode("utf-8")
    True
    """
    return b"".join(p.encode("utf-8") if isinstance(p, str) else p for p in _pieces(document))


def record_line(record: HasDict) -> bytes:
    """A record's line in a document (:func:`dumps`), as UTF-8: made ahead of the document
    by :class:`Records`' ``lines`` (``dfg flows`` has the processes that extract the flows
    make their lines)."""
    return _line(record.as_dict()).encode("utf-8")


def _pieces(document: object) -> Iterator[str | bytes]:
    """The text of :func:`dumps`, a record's line (or less) at a time (a line made ahead,
    :func:`record_line`, as its bytes)."""
    if not isinstance(document, dict) or not document:
        yield _line(document) + "\n"
        return
    for n, key in enumerate(sorted(document)):
        value = document[key]
        yield f"{',' if n else '{'}\n  {_line(key)}: "
        if isinstance(value, Records):
            yield from _record_pieces(value)
            continue
        if isinstance(value, dict) and value:
            yield "{"
            for i, k in enumerate(sorted(value)):
                yield f"{',' if i else ''}\n    {_line(k)}: {_line(value[k])}"
            yield "\n  }"
            continue
        if not isinstance(value, list) or not value:
            yield _line(value)
            continue
        empty = True
        for item in value:
            yield f"{'[' if empty else ','}\n    {_line(item)}"
            empty = False
        yield "[]" if empty else "\n  ]"
    yield "\n}\n"


def _record_pieces(records: Records) -> Iterator[str | bytes]:
    """A :class:`Records` list, each record's line made as it is written or taken as made."""
    lines = records.lines or {}
    empty = True
    for record in records.items:
        made = lines.get(id(record))
        if made is None:
            yield f"{'[' if empty else ','}\n    {_line(record.as_dict())}"
        else:
            yield "[\n    " if empty else ",\n    "
            yield made
        empty = False
    yield "[]" if empty else "\n  ]"


class Records:
    """The records of a document's list, for :func:`dumps` alone: it writes each one's
    ``as_dict()`` as soon as it is made, never holding them all as dicts (for the 35k flows
    of 10k entries, 40% less CPU than building the list first, and far less memory).

    ``lines``: some records' lines made ahead (:func:`record_line`), by the ``id`` of the
    record (alive in ``items``), written as they are.
    """

    __slots__ = ("items", "lines")

    def __init__(self, items: Sequence[HasDict], lines: Mapping[int, bytes] | None = None) -> None:
        self.items = items
        self.lines = lines


_LINE = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _line(value: object) -> str:
    """One JSON value on one line (the C encoder)."""
    return _LINE.encode(value)


#: Fields of a copy that belong to its flow (the same for every copy the flow makes); in a
#: findings document they are listed once per flow, under ``flows``.
_FLOW_FIELDS = ("entry", "reference", "agreement", "purpose", "kind", "period", "opt_outs", "until")
#: The keys that make a dict a cited piece of evidence.
_CITED = ("source", "line", "col", "text")
#: Keys of a finding whose items are copies (the two sides).
_SIDES = ("identifiable", "pseudonymised")
#: Keys of a finding whose items are routes (linkage and re-identification).
_ROUTES = ("linkage", "reidentification")


def month_runs(months: Iterable[str]) -> list[dict[str, str]]:
    """Sorted ``YYYY-MM`` months as runs of consecutive months, each ``{"from", "to"}``.

    >>> month_runs(["2017-11", "2017-09", "2017-10", "2018-02"])
    [{'from': '2017-09', 'to': '2017-11'}, {'from': '2018-02', 'to': '2018-02'}]
    """
    runs: list[dict[str, str]] = []
    last = None
    for month in sorted(set(months)):
        year, _, mon = month.partition("-")
        index = int(year) * 12 + int(mon)
        if runs and last is not None and index == last + 1:
            runs[-1]["to"] = month
        else:
            runs.append({"from": month, "to": month})
        last = index
    return runs


class _Tables:
    """Document-level tables that findings refer into by id, each item listed once.

    A register-scale document repeats the same cited line, copy and route in many findings
    (a CSU's finding and each of its CCGs' share copies; ``both_copies`` cites every side's
    line); listing each once keeps ``dfg converge --format json`` proportional to what was
    found, not to findings × copies.  Ids are given in document order, so they are stable
    for the same input.
    """

    def __init__(self) -> None:
        self.evidence: dict[str, dict[str, object]] = {}
        self._evidence_ids: dict[tuple[object, ...], list[str]] = {}
        self.copies: dict[str, dict[str, object]] = {}
        self._copy_ids: dict[str, str] = {}
        self.flows: dict[str, dict[str, object]] = {}
        self.routes: dict[str, dict[str, object]] = {}
        self._route_ids: dict[str, str] = {}

    def cite(self, piece: Mapping[str, object]) -> str:
        """The id of a cited piece; a piece cited once with and once without its entry is one."""
        key = tuple(piece.get(k) for k in _CITED)
        for known in self._evidence_ids.get(key, ()):
            held = self.evidence[known]
            if all(v is None or held.get(k) in (None, v) for k, v in piece.items()):
                held.update({k: v for k, v in piece.items() if v is not None or k not in held})
                return known
        ident = f"e{len(self.evidence) + 1}"
        self.evidence[ident] = dict(piece)
        self._evidence_ids.setdefault(key, []).append(ident)
        return ident

    def refer(self, value: object) -> object:
        """``value`` with every cited piece inside it replaced by its id."""
        if isinstance(value, dict):
            if all(k in value for k in _CITED):
                return self.cite(value)
            return {k: self.refer(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.refer(v) for v in value]
        return value

    def copy(self, side: Mapping[str, object]) -> str:
        """The id of a copy; its flow's own fields go to ``flows`` once, its months as runs."""
        item = {k: self.refer(v) for k, v in side.items()}
        if isinstance(months := item.get("months"), list):
            item["months"] = month_runs(months)
        flow = item.get("flow")
        if isinstance(flow, str):
            self.flows.setdefault(flow, {k: item[k] for k in _FLOW_FIELDS if k in item})
            item = {k: v for k, v in item.items() if k not in _FLOW_FIELDS}
        key = json.dumps(item, sort_keys=True)
        if key not in self._copy_ids:
            self._copy_ids[key] = f"c{len(self.copies) + 1}"
            self.copies[self._copy_ids[key]] = item
        return self._copy_ids[key]

    def route(self, route: Mapping[str, object]) -> str:
        """The id of a linkage or re-identification route."""
        item = {k: self.refer(v) for k, v in route.items()}
        key = json.dumps(item, sort_keys=True)
        if key not in self._route_ids:
            self._route_ids[key] = f"r{len(self.routes) + 1}"
            self.routes[self._route_ids[key]] = item
        return self._route_ids[key]

    def finding(self, finding: Mapping[str, object]) -> dict[str, object]:
        """A finding whose copies, routes and cited pieces are ids into the tables."""
        out: dict[str, object] = {}
        for key, value in finding.items():
            if key in _SIDES and isinstance(value, list):
                out[key] = [self.copy(v) for v in value]
            elif key in _ROUTES and isinstance(value, list):
                out[key] = [self.route(v) for v in value]
            else:
                out[key] = self.refer(value)
        return out

    def into(self, doc: Document) -> Document:
        """Add the tables to ``doc``."""
        doc["evidence"], doc["copies"], doc["flows"], doc["routes"] = (
            self.evidence,
            self.copies,
            self.flows,
            self.routes,
        )
        return doc


def expand(document: Mapping[str, object], finding: Mapping[str, object]) -> dict[str, object]:
    """A finding of a findings document with its copies, routes and cited pieces written out
    in place (each copy with its flow's fields): what a reader of one finding wants whole.

    >>> doc = converge_document([], [])
    >>> expand(doc, {"identifiable": [], "qualifiers": []})
    {'identifiable': [], 'qualifiers': []}
    """
    tables: dict[str, dict[str, object]] = {}
    for name in ("evidence", "copies", "flows", "routes"):
        table = document.get(name)
        tables[name] = table if isinstance(table, dict) else {}

    def out(value: object, key: str = "") -> object:
        if key == "evidence" or key.endswith("_evidence"):
            if isinstance(value, str):
                return tables["evidence"][value]
            if isinstance(value, list):
                return [tables["evidence"][v] if isinstance(v, str) else out(v) for v in value]
        if isinstance(value, dict):
            return {k: out(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [out(v) for v in value]
        return value

    def copy(ident: object) -> object:
        item = tables["copies"].get(ident, ident) if isinstance(ident, str) else ident
        if isinstance(item, dict) and isinstance(flow := item.get("flow"), str):
            own = tables["flows"].get(flow)
            item = {**(own if isinstance(own, dict) else {}), **item}
        return out(item)

    def route(ident: object) -> object:
        return out(tables["routes"].get(ident, ident) if isinstance(ident, str) else ident)

    whole: dict[str, object] = {}
    for key, value in finding.items():
        if key in _SIDES and isinstance(value, list):
            whole[key] = [copy(v) for v in value]
        elif key in _ROUTES and isinstance(value, list):
            whole[key] = [route(v) for v in value]
        else:
            whole[key] = out(value, key)
    return whole


def parse_document(register: RegisterContents, *, for_dumps: bool = False) -> Document:
    """``dfg parse``: sources, pages, entries, agreements, released files, diagnostics, counts.

    With ``for_dumps`` the entries and released files are kept as :class:`Records` (the
    document is then only for :func:`dumps`, which writes the same bytes).
    """
    return {
        "schema": SCHEMA,
        "sources": list(register.sources),
        "pages": [p.as_dict() for p in register.pages],
        "entries": Records(register.entries) if for_dumps else [e.as_dict() for e in register.entries],
        "agreements": register.agreements,
        "releases": Records(register.releases) if for_dumps else [r.as_dict() for r in register.releases],
        "diagnostics": [d.as_dict() for d in register.diagnostics],
        "counts": register.diagnostics.counts(),
    }


def flows_document(
    selected: Iterable[Flow],
    *,
    organisations: Sequence[Organisation],
    diagnostics: Diagnostics,
    for_dumps: bool = False,
    lines: Mapping[int, bytes] | None = None,
) -> Document:
    """``dfg flows``: the flows, every organisation they name, diagnostics and counts.

    With ``for_dumps`` the flows are kept as :class:`Records`: the document is then only for
    :func:`dumps`, which writes the same bytes (``lines``: as :class:`Records`' own).
    """
    flows = list(selected)
    return {
        "schema": SCHEMA,
        "flows": Records(flows, lines) if for_dumps else [f.as_dict() for f in flows],
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
    from ..graph import SEVERITY, redflag_report

    keyed = [((-c.severity, c.recipient, c.family, "flows"), {"source": "flows", **c.as_dict()}) for c in found]
    keyed += [((-f.severity, f.recipient, str(f.family), "releases"), f.as_dict()) for f in files]
    tables = _Tables()
    doc: Document = {
        "schema": SCHEMA,
        "severity_weights": dict(SEVERITY),
        "findings": [tables.finding(finding) for _, finding in sorted(keyed, key=lambda pair: pair[0])],
        "excluded": [e.as_dict() for e in excluded],
    }
    if releases:
        red = redflags_document(redflag_report(releases))
        doc["redflags"], doc["not_applied"] = red["redflags"], red["not_applied"]
    return tables.into(doc)


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
    tables = _Tables()
    findings = [tables.finding(c.as_dict()) for c in summary.findings]
    file_findings = [tables.finding(f.as_dict()) for f in files.file_findings]
    doc: Document = {
        "schema": SCHEMA,
        "organisation": summary.organisation.as_dict(),
        "received": {fam: list(levels) for fam, levels in summary.received.items()},
        "from": [n.as_dict() for n in summary.upstream],
        "to": [n.as_dict() for n in summary.downstream],
        "entries": list(summary.entries),
        "agreements": list(summary.agreements),
        "findings": findings,
        "releases": files.releases,
        "redflags": [r.as_dict() for r in files.redflags],
        "not_applied": files.not_applied,
        "file_findings": file_findings,
        "stated": stated_by_pages(pages),
    }
    return tables.into(doc)


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
