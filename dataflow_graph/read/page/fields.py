"""The fields of a register page entry: one reader per field heading, and the entry they fill.

The three page variants seen in the wild (newer, older, earliest) name the same fields
differently ("Legal basis" and "Basis", "Datasets" and "Data"); one heading -> reader
table covers them all, and the headings only the older variants use tell the variant.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ..._speed import page_section
from ...errors import Diagnostics, Severity, Span
from ...model import Dataset, OptOuts, Period, Section
from ...names import dataset_family
from ..dates import parse_when
from .values import (
    access_items,
    controller_names,
    dedupe,
    igard_files,
    memoised_legal_bases,
    opt_outs_of,
    sensitive_of,
    type_of_data,
    yes_no,
)

__all__ = ["FIELD_READERS", "SECTION_HEADINGS", "VARIANT_OF", "Draft", "Reader", "add_dataset"]

#: Longer "dataset names" are prose run together, not names: no family lookup.
_NAME_MAX = 300

#: Free-text sections, as headed on the page -> the name used in ``Entry.sections``.
SECTION_HEADINGS: dict[str, str] = {
    "objectives": "Objectives",
    "objective": "Objectives",
    "yielded benefits": "Yielded Benefits",
    "expected benefits": "Expected Benefits",
    "outputs": "Outputs",
    "processing": "Processing",
}


#: The opt-outs of an entry without an "Opt outs honoured" field.
_UNSTATED = OptOuts()


@dataclass(slots=True)
class Draft:
    """An entry being read: fields so far, open section, kept lines."""

    heading: Span
    title: str
    reference: str
    position: int
    opt_outs: OptOuts = _UNSTATED
    legal_basis: tuple[str, ...] = ()
    purposes: str | None = None
    commercial: bool | None = None
    organisation_type: str | None = None
    sensitive: bool | None = None
    period: Period | None = None
    dsa: Period | None = None
    access: tuple[str, ...] = ()
    controllers: tuple[str, ...] = ()
    sublicensing: bool | None = None
    igard: tuple[str, ...] = ()
    type_of_data: str | None = None
    fields: list[tuple[str, str, Span]] = field(default_factory=list)
    datasets: list[Dataset] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    #: the open free-text section: its name, heading line, the text after the heading and
    #: the index in ``page`` of the line after the heading
    section: tuple[str, Span, Span | None, int] | None = None
    in_list: str | None = None
    implicit_list: bool = False
    unrecognised: list[Span] = field(default_factory=list)
    variant: str = "newer"
    last_field: str | None = None
    heads: set[str] = field(default_factory=set)  # lower-cased headings in ``fields``
    #: the page's lines and their line numbers, and the index of the line being read
    page: tuple[str, ...] = ()
    numbers: Sequence[int] = ()
    at: int = 0

    def keep_field(self, heading: str, value: str, span: Span) -> None:
        """Keep one (heading, value, line) in ``fields``; ``heads`` makes repeats cheap to see."""
        self.fields.append((heading, value, span))
        self.heads.add(heading.lower())

    def close_section(self, end: int) -> None:
        """Keep the open free-text section, if any: every line before ``end`` (an index in
        ``page``) since its heading is one of its lines (blank ones left out)."""
        if self.section is not None:
            name, span, first, start = self.section
            self.sections.append(page_section(name, span, first, self.page, self.numbers, start, end))
            self.section = None

    def open_section(self, name: str, span: Span, first: str = "") -> None:
        """Start a free-text section at ``span`` (the line being read), with the text after
        its heading as its first line."""
        self.close_section(self.at)
        self.in_list = None
        text = first.strip()
        col = len(span.text.rstrip()) - len(text) + 1  # where the inline text starts
        self.section = (name, span, Span(span.path, span.line, col, text) if text else None, self.at + 1)


#: Reads the value after one field heading into the draft.
Reader = Callable[[Draft, str, Span, Diagnostics], None]


def _opt_outs(d: Draft, value: str, span: Span, diagnostics: Diagnostics) -> None:
    d.opt_outs = opt_outs_of(value)


def _sensitive(d: Draft, value: str, span: Span, diagnostics: Diagnostics) -> None:
    d.sensitive = sensitive_of(value)


def _sublicensing(d: Draft, value: str, span: Span, diagnostics: Diagnostics) -> None:
    d.sublicensing = yes_no(value)


def _igard(d: Draft, value: str, span: Span, diagnostics: Diagnostics) -> None:
    d.igard = igard_files(value)


def _purposes(d: Draft, value: str, span: Span, diagnostics: Diagnostics) -> None:
    """ "Purposes": commercial or not, and the organisation type in brackets."""
    v = value.strip()
    d.purposes = v or None
    first = v.find("(")
    if first >= 0 and v.endswith(")"):
        flag, kind = v[:first], v[first + 1 : -1]  # "No (CCG, Sub ICB Location)"
    else:
        flag, kind = v, ""
    d.commercial = yes_no(flag) if flag.strip() else None
    d.organisation_type = kind.strip() or None


def _access(d: Draft, value: str, span: Span, diagnostics: Diagnostics) -> None:
    d.access = dedupe([*d.access, *access_items(value)])


def _when(d: Draft, value: str, span: Span, diagnostics: Diagnostics) -> None:
    """ "When": the release window and the DSA window."""
    col = span.text.find(":") + 2 if ":" in span.text else 1
    release, dsa = parse_when(value, Span(span.path, span.line, col, span.text), diagnostics)
    if release is not None:
        d.period = release
    if dsa is not None:
        d.dsa = dsa


def _legal(d: Draft, value: str, span: Span, diagnostics: Diagnostics) -> None:
    d.legal_basis = dedupe([*d.legal_basis, *memoised_legal_bases(value)])


def _controllers(d: Draft, value: str, span: Span, diagnostics: Diagnostics) -> None:
    d.controllers = controller_names(value)


def _datasets(d: Draft, value: str, span: Span, diagnostics: Diagnostics) -> None:
    """ "Datasets": names after the heading, and a list of them below it."""
    d.in_list = "datasets"
    d.implicit_list = False
    if value.strip():
        for name in [p for p in value.split(";") if p.strip()]:
            add_dataset(d, name, span, diagnostics)


def add_dataset(d: Draft, name: str, span: Span, diagnostics: Diagnostics) -> None:
    """Keep one dataset name with its reviewed family; DFG213 when it has none."""
    name = name.strip()
    family = dataset_family(name) if len(name) <= _NAME_MAX else None
    d.datasets.append(Dataset(name, family, span))
    if family is None:
        diagnostics.report(
            span,
            "DFG213",
            f"dataset {name[:80]!r} is in no reviewed family; kept with family null (add it to data/datasets.yaml)",
            Severity.NOTE,
        )


def _type(d: Draft, value: str, span: Span, diagnostics: Diagnostics) -> None:
    d.type_of_data = type_of_data(value) or d.type_of_data


def _keep(d: Draft, value: str, span: Span, diagnostics: Diagnostics) -> None:
    """Fields kept only in ``Entry.fields`` (e.g. HSCIC Id)."""


#: Field heading (lower case) -> reader; the three page variants share one table.
FIELD_READERS: dict[str, Reader] = {
    "opt outs honoured": _opt_outs,
    "opt-outs honoured": _opt_outs,
    "legal basis": _legal,
    "basis": _legal,
    "purposes": _purposes,
    "sensitive": _sensitive,
    "when": _when,
    "access method": _access,
    "repeats": _access,
    "how often": _access,
    "data-controller type": _controllers,
    "data controller type": _controllers,
    "data controllers": _controllers,
    "sublicensing allowed": _sublicensing,
    "agd/predecessor discussions": _igard,
    "igard minutes": _igard,
    "datasets": _datasets,
    "data": _datasets,
    "type of data": _type,
    "categories": _type,
    "format": _type,
    "hscic id": _keep,
}
#: Headings that only the older and earliest page variants use.
VARIANT_OF = {
    "repeats": "older",
    "categories": "older",
    "basis": "earliest",
    "format": "earliest",
    "how often": "earliest",
    "hscic id": "earliest",
    "data": "earliest",
}
