"""Typed records: the only things that cross a layer boundary.

Parsers produce :class:`Entry` and :class:`Release`; the extractor produces
:class:`Flow` and :class:`Hop`; the graph, RDF and HTML layers are projections of
these.  Every record keeps the :class:`~dataflow_graph.errors.Span` it came from.
Each record has ``as_dict()``, the JSON contract form (keys are added over time,
never renamed or dropped).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from .errors import Span

__all__ = [
    "Dataset",
    "Entry",
    "Family",
    "Flow",
    "FlowKind",
    "Hop",
    "Identifiability",
    "OptOut",
    "OptOuts",
    "Organisation",
    "Page",
    "Period",
    "Release",
    "Role",
    "Section",
    "is_subheading",
    "span_dict",
]


class Identifiability(str, enum.Enum):
    """How identifiable a copy of a dataset is, most identifiable first."""

    IDENTIFIABLE = "identifiable"
    PSEUDONYMISED = "pseudonymised"
    ANONYMISED = "anonymised"
    AGGREGATE = "aggregate"

    @property
    def rank(self) -> int:
        """3 for identifiable down to 0 for aggregate."""
        return {"identifiable": 3, "pseudonymised": 2, "anonymised": 1, "aggregate": 0}[self.value]

    @property
    def is_record_level_deidentified(self) -> bool:
        """Pseudonymised or record-level anonymised: the 'other side' of a convergence."""
        return self in (Identifiability.PSEUDONYMISED, Identifiability.ANONYMISED)


class Role(str, enum.Enum):
    """What an organisation does in the chain of a flow."""

    SOURCE = "source"
    DSCRO = "dscro"
    CSU = "csu"
    PROCESSOR = "processor"
    CONTROLLER = "controller"
    PROVIDER = "provider"
    DIRECT_CARE = "direct-care"
    KEY_HOLDER = "key-holder"
    OTHER = "other"


class OptOut(str, enum.Enum):
    """Whether patient opt-outs (type 2 objections) were honoured."""

    YES = "yes"
    NO = "no"
    MIXED = "mixed"
    UNKNOWN = "unknown"


class FlowKind(str, enum.Enum):
    """What a flow is: a transfer, or one of the special kinds of the register text."""

    TRANSFER = "transfer"
    ACCESS = "access"
    LINKAGE = "linkage"
    REIDENTIFICATION = "reidentification"
    PROVIDER_FEED = "provider-feed"


def span_dict(span: Span | None) -> dict[str, object] | None:
    """The evidence form of a span: source, line, col and text."""
    if span is None:
        return None
    return {"source": span.path, "line": span.line, "col": span.col, "text": span.text}


@dataclass(frozen=True, slots=True)
class Period:
    """A window of months, ``YYYY-MM``; either end may be open.

    A window whose end is before its start is kept as published (``reversed``).

    >>> p = Period("2018-06", "2018-09")
    >>> list(p.months())
    ['2018-06', '2018-07', '2018-08', '2018-09']
    >>> p.overlap(Period("2018-08", "2019-01"))
    Period(start='2018-08', end='2018-09', raw='', span=None, qualifier='')
    """

    start: str | None
    end: str | None
    raw: str = ""
    span: Span | None = None
    qualifier: str = ""

    @property
    def reversed(self) -> bool:
        return bool(self.start and self.end and self.end < self.start)

    def bounds(self) -> tuple[str, str] | None:
        """(first, last) month in order, or None when an end is open."""
        if not self.start or not self.end:
            return None
        return (self.end, self.start) if self.reversed else (self.start, self.end)

    def months(self) -> Iterator[str]:
        """Every month in the window (a reversed window is read in order); none when an end is
        open or is no written month (``2019-13``, ``abc``: the count would never end).

        >>> list(Period("2018-11", "2019-01").months()), list(Period("2019-13", "2020-01").months())
        (['2018-11', '2018-12', '2019-01'], [])
        """
        b = self.bounds()
        if b is None or not (_WRITTEN_MONTH.match(b[0]) and _WRITTEN_MONTH.match(b[1])):
            return
        y, m = int(b[0][:4]), int(b[0][5:7])
        while f"{y:04d}-{m:02d}" <= b[1]:
            yield f"{y:04d}-{m:02d}"
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)

    def overlap(self, other: Period) -> Period | None:
        """The months both windows share, or None."""
        a, b = self.bounds(), other.bounds()
        if a is None or b is None:
            return None
        lo, hi = max(a[0], b[0]), min(a[1], b[1])
        return Period(lo, hi) if lo <= hi else None

    def as_dict(self) -> dict[str, object]:
        return {
            "start": self.start,
            "end": self.end,
            "raw": self.raw,
            "reversed": self.reversed,
            "qualifier": self.qualifier,
            "line": self.span.line if self.span else None,
        }


@dataclass(frozen=True, slots=True)
class OptOuts:
    """The "Opt outs honoured" field: a verdict, the raw text and the stated excuses."""

    honoured: OptOut = OptOut.UNKNOWN
    raw: str = ""
    excuses: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, object]:
        return {"honoured": self.honoured.value, "raw": self.raw, "excuses": list(self.excuses)}


@dataclass(frozen=True, slots=True)
class Dataset:
    """A dataset as the register names it, with its canonical family (or None)."""

    name: str
    family: str | None
    span: Span | None = None
    #: the category its released files give it ("Identifiable", "Anonymised - ICO code
    #: compliant"), where an official register file says
    category: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "family": self.family,
            "line": self.span.line if self.span else None,
            "category": self.category,
        }


#: A month as the readers write it, ``YYYY-MM`` (what :meth:`Period.months` can count from).
_WRITTEN_MONTH = re.compile(r"[0-9]{4}-(?:0[1-9]|1[0-2])")
_ITEM = re.compile(r"^\s*(?:[-•o§*]\s|\(?[0-9]{1,2}[.)]\s|\(?[a-z]{1,4}[.)]\s)")


def is_subheading(text: str) -> bool:
    """True for a short title-case line inside a section ("Invoice Validation").

    >>> [is_subheading(t) for t in ("Invoice Validation", "Segregation",
    ...   "Data Processor 2 – Mid-Essex CCG", "All access to data is audited",
    ...   "1. SUS", "The CCG analyse the data.", "CCG Budget control")]
    [True, True, True, False, False, False, False]
    """
    t = text.strip()
    if t.endswith(":") and not t.endswith("::") and len(t) < 80:
        t = t[:-1].rstrip()
    if not t or len(t) > 100 or t[-1] in ".:;,?)" or t[0] in "([*" or _ITEM.match(t):
        return False
    words = [w for w in re.findall(r"[A-Za-z][\w'’-]*", t) if len(w) > 3]
    if not words:
        return bool(re.fullmatch(r"[A-Z][A-Za-z]+", t))
    return sum(w[0].isupper() for w in words) / len(words) >= 0.75


@dataclass(frozen=True, slots=True)
class Family:
    """A reviewed dataset family: its code (what ``--family`` takes) and its label."""

    code: str
    label: str

    def as_dict(self) -> dict[str, object]:
        return {"family": self.code, "label": self.label}


@dataclass(frozen=True, slots=True)
class Page:
    """The banner of a reformatted register page: whose page, and its red flag."""

    source: str
    organisation: str | None = None
    unsafe_files: int | None = None
    red_flag: str | None = None
    projects: tuple[str, ...] = ()
    banner: tuple[Span, ...] = ()

    def as_dict(self) -> dict[str, object]:
        return {
            "source": self.source,
            "organisation": self.organisation,
            "unsafe_files": self.unsafe_files,
            "red_flag": self.red_flag,
            "projects": list(self.projects),
            "banner": [{"line": s.line, "text": s.text} for s in self.banner],
        }


@dataclass(frozen=True, slots=True)
class Section:
    """A free-text section (Objectives, Processing...) with every physical line kept."""

    name: str
    span: Span
    lines: tuple[Span, ...] = ()

    @property
    def text(self) -> str:
        return "\n".join(s.text for s in self.lines)

    def subsections(self) -> list[tuple[str | None, tuple[Span, ...]]]:
        """The lines grouped under their sub-headings (None before the first one)."""
        groups: list[tuple[str | None, list[Span]]] = [(None, [])]
        for span in self.lines:
            if is_subheading(span.text):
                groups.append((span.text.strip(), [span]))
            else:
                groups[-1][1].append(span)
        return [(name, tuple(lines)) for name, lines in groups if lines]

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "line": self.span.line,
            "text": self.text,
            "lines": [[s.line, s.text] for s in self.lines],
        }


@dataclass(frozen=True, slots=True)
class Entry:
    """One register entry: a block of a page, or one agreement row of an official file."""

    id: str
    source: str
    line: int
    position: int
    reference: str
    agreement: str
    title: str
    organisation: str | None = None
    opt_outs: OptOuts = OptOuts()
    legal_basis: tuple[str, ...] = ()
    purposes: str | None = None
    commercial: bool | None = None
    organisation_type: str | None = None
    sensitive: bool | None = None
    sensitivity: str | None = None
    period: Period | None = None
    dsa: Period | None = None
    access: tuple[str, ...] = ()
    controllers: tuple[str, ...] = ()
    sublicensing: bool | None = None
    igard: tuple[str, ...] = ()
    datasets: tuple[Dataset, ...] = ()
    type_of_data: str | None = None
    sections: tuple[Section, ...] = ()
    fields: tuple[tuple[str, str, Span], ...] = ()
    unrecognised: tuple[Span, ...] = ()
    variant: str = "newer"
    span: Span | None = None

    @property
    def families(self) -> tuple[str, ...]:
        """The dataset families of the Datasets list, sorted, without repeats."""
        return tuple(sorted({d.family for d in self.datasets if d.family}))

    def section(self, name: str) -> Section | None:
        """The first section of that name (case-insensitive), or None."""
        for s in self.sections:
            if s.name.lower() == name.lower():
                return s
        return None

    def as_dict(self) -> dict[str, object]:
        sections: dict[str, str] = {}
        for s in self.sections:
            sections[s.name] = f"{sections[s.name]}\n{s.text}" if s.name in sections else s.text
        return {
            "id": self.id,
            "source": self.source,
            "line": self.line,
            "position": self.position,
            "reference": self.reference,
            "agreement": self.agreement,
            "title": self.title,
            "organisation": self.organisation,
            "variant": self.variant,
            "opt_outs": self.opt_outs.as_dict(),
            "legal_basis": list(self.legal_basis),
            "purposes": self.purposes,
            "commercial": self.commercial,
            "organisation_type": self.organisation_type,
            "sensitive": self.sensitive,
            "sensitivity": self.sensitivity,
            "period": self.period.as_dict() if self.period else None,
            "dsa": self.dsa.as_dict() if self.dsa else None,
            "access": list(self.access),
            "controllers": list(self.controllers),
            "sublicensing": self.sublicensing,
            "igard": list(self.igard),
            "datasets": [d.as_dict() for d in self.datasets],
            "families": list(self.families),
            "type_of_data": self.type_of_data,
            "sections": sections,
            "section_lines": [s.as_dict() for s in self.sections],
            "fields": [{"heading": h, "value": v, "line": s.line} for h, v, s in self.fields],
            "unrecognised": [{"line": s.line, "text": s.text} for s in self.unrecognised],
        }


@dataclass(frozen=True, slots=True)
class Organisation:
    """A canonical organisation of the gazetteer, or one resolved from its words."""

    id: str
    name: str
    role: Role
    reviewed: bool = True
    aliases: tuple[str, ...] = ()
    part_of: str | None = None
    ods: str | None = None
    successor: str | None = None
    units: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "name": self.name,
            "role": self.role.value,
            "reviewed": self.reviewed,
            "aliases": list(self.aliases),
            "part_of": self.part_of,
            "ods": self.ods,
            "successor": self.successor,
            "units": list(self.units),
        }


@dataclass(frozen=True, slots=True)
class Hop:
    """One step of a flow, from one organisation to the next, with its evidence."""

    source: Organisation
    target: Organisation
    identifiability: Identifiability
    evidence: Span
    families: tuple[str, ...] = ()
    landing_only: bool = False
    unit: str | None = None
    source_text: str = ""
    target_text: str = ""
    access: bool = False
    context: Span | None = None
    #: not stated by its evidence sentence but implied by the chain: the NHS Digital ->
    #: DSCRO hop put in front of a chain whose first sentence has the DSCRO act, the DSCRO
    #: -> CSU hop in front of a chain that starts at a CSU's transfer service
    inferred: bool = False
    #: with ``landing_only``, the sentence that says the target only lands the data: the
    #: hop's own, or a later one ("6. The CSU lands the data only.")
    landing_evidence: Span | None = None
    #: the list items that name what the hop carries, where its sentence is a list head
    #: ("5. The DSCRO then securely transfers the following to the CSU:" then "a. The SUS
    #: data Identifiable at the level of NHS number"); empty otherwise
    items: tuple[Span, ...] = ()

    def as_dict(self) -> dict[str, object]:
        return {
            "from": self.source.name,
            "from_id": self.source.id,
            "from_role": self.source.role.value,
            "to": self.target.name,
            "to_id": self.target.id,
            "to_role": self.target.role.value,
            "identifiability": self.identifiability.value,
            "families": list(self.families),
            "landing_only": self.landing_only,
            "unit": self.unit,
            "access": self.access,
            "from_text": self.source_text,
            "to_text": self.target_text,
            "evidence": span_dict(self.evidence),
            "context": span_dict(self.context),
            "inferred": self.inferred,
            "landing_evidence": span_dict(self.landing_evidence),
            "items": [span_dict(s) for s in self.items],
        }


@dataclass(frozen=True, slots=True)
class Flow:
    """One path of some dataset families at one identifiability under one entry and purpose."""

    id: str
    entry: str
    reference: str
    agreement: str
    purpose: str
    kind: FlowKind
    families: tuple[str, ...]
    identifiability: Identifiability
    hops: tuple[Hop, ...]
    period: Period | None = None
    opt_outs: OptOut = OptOut.UNKNOWN
    linked: tuple[str, ...] = ()
    until: str | None = None
    key_holder: str | None = None
    segregation: tuple[Span, ...] = ()
    linked_families: tuple[str, ...] = ()
    #: what the flow's own text says of opt-outs for this copy ("type 2 objections are
    #: removed", "records for all patients, including type 2 objectors"), and where
    opt_outs_stated: OptOut = OptOut.UNKNOWN
    opt_outs_evidence: Span | None = None
    #: where ``until`` was stated ("Permitted until 31st December 2016")
    until_evidence: Span | None = None
    #: the families ``opt_outs_stated`` is stated for (a statement may name only some of
    #: the flow's: "Prior to the release of SUS data ... Type 2 objections will be applied");
    #: empty when nothing is stated
    opt_outs_families: tuple[str, ...] = ()

    @property
    def recipients(self) -> tuple[Organisation, ...]:
        return tuple(h.target for h in self.hops)

    @property
    def path(self) -> tuple[str, ...]:
        """Organisation names from the first sender to the last recipient."""
        if not self.hops:
            return ()
        return (self.hops[0].source.name, *(h.target.name for h in self.hops))

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "entry": self.entry,
            "reference": self.reference,
            "agreement": self.agreement,
            "purpose": self.purpose,
            "kind": self.kind.value,
            "families": list(self.families),
            "identifiability": self.identifiability.value,
            "period": self.period.as_dict() if self.period else None,
            "opt_outs": self.opt_outs.value,
            "linked": list(self.linked),
            "linked_families": list(self.linked_families),
            "until": self.until,
            "until_evidence": span_dict(self.until_evidence),
            "opt_outs_stated": self.opt_outs_stated.value,
            "opt_outs_evidence": span_dict(self.opt_outs_evidence),
            "opt_outs_families": list(self.opt_outs_families),
            "key_holder": self.key_holder,
            "segregation": [span_dict(s) for s in self.segregation],
            "path": list(self.path),
            "hops": [h.as_dict() for h in self.hops],
        }


@dataclass(frozen=True, slots=True)
class Release:
    """One released file (a row of an official register's release sheet)."""

    id: str
    source: str
    line: int
    reference: str
    agreement: str
    recipient: str
    dataset: str
    family: str | None
    category: str
    identifiability: Identifiability | None
    sensitive: bool | None = None
    legal_basis: str = ""
    frequency: str = ""
    opt_outs_applied: bool | None = None
    month: str | None = None
    period: Period | None = None
    row_id: str = ""
    extra: tuple[tuple[str, str], ...] = field(default_factory=tuple)

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "source": self.source,
            "line": self.line,
            "row_id": self.row_id,
            "reference": self.reference,
            "agreement": self.agreement,
            "recipient": self.recipient,
            "dataset": self.dataset,
            "family": self.family,
            "category": self.category,
            "identifiability": self.identifiability.value if self.identifiability else None,
            "sensitive": self.sensitive,
            "legal_basis": self.legal_basis,
            "frequency": self.frequency,
            "opt_outs_applied": self.opt_outs_applied,
            "month": self.month,
            "period": self.period.as_dict() if self.period else None,
            "extra": dict(self.extra),
        }
