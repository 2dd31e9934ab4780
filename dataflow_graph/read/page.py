"""Reformatted register pages (text or HTML) to :class:`~dataflow_graph.model.Entry`.

A page is a banner (whose page, how many files were "disseminated unsafely", the
red flag, sometimes a list of projects) then entries, each opened by a heading
``TITLE — REFERENCE``.  Fields are read through a heading -> reader table that
covers the three page variants seen in the wild (newer, older, earliest).  Lines
that fit nowhere are kept on the entry and reported; the parser never raises on data.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from .._speed import cyclic_gc_paused
from ..errors import Diagnostics, Severity, Span
from ..model import Dataset, Entry, OptOut, OptOuts, Page, Section
from ..names import agreement_core, dataset_family, is_dars_reference, split_controllers, split_list
from .dates import parse_when
from .sources import TextSource, physical_lines

__all__ = ["SECTION_HEADINGS", "parse_page", "parse_page_text"]

_DASHES = "—–"
_HEADING = re.compile(
    rf"^\s*(?P<title>\S.*?)\s+[{_DASHES}]\s+(?P<ref>(?:DARS-)?NIC-?\d{{3,7}}-[A-Za-z0-9]{{5}}"
    rf"(?:-v\s*[\d.]+)?|[A-Z][A-Za-z0-9_]*_[A-Za-z0-9_]+|[A-Z]{{2,}}[A-Z0-9]*(?:_[A-Za-z0-9]+)*|"
    rf"ODR[\w\-]+)(?P<trail>\s*)$"
)
#: The older variant heads entries "Project N — LABEL", where LABEL may be any token
#: ("PHECancerReg"); other titles need a reference-shaped label.
_PROJECT_HEADING = re.compile(
    rf"^\s*(?P<title>Project\s+\d+)\s+[{_DASHES}]\s+(?P<ref>[A-Za-z0-9][\w.\-/]*)(?P<trail>\s*)$"
)
#: A heading is short; longer lines are never tried (keeps the lazy title linear).
_HEADING_MAX = 300
_BULLET = re.compile(r"\s*(?:[-•*o§]|\(?\d{1,3}[.)])\s+(?=\S)")
_FIELD = re.compile(r"^\s*(?P<head>[A-Za-z][A-Za-z \t/()\-]{1,40}?):(?P<value>.*)$")
#: Longer "dataset names" are prose run together, not names: no family lookup.
_NAME_MAX = 300


def _heading(text: str) -> re.Match[str] | None:
    """The title/reference match of an entry heading line, or None."""
    if len(text) > _HEADING_MAX or ("—" not in text and "–" not in text) or _item(text):
        return None
    m = _HEADING.match(text) or _PROJECT_HEADING.match(text)
    if m is not None and not is_dars_reference(m.group("ref")) and _is_subheading_not_entry(m):
        return None
    return m


def _is_subheading_not_entry(m: re.Match[str]) -> bool:
    """ "Commissioning – Pseudonymised – SUS" is a purpose sub-heading, not an entry.

    A local label that is a dataset family's name (SUS, HES, IAPT…) or that follows a
    further dash inside the title is a sub-heading of the free text.
    """
    ref, title = m.group("ref").strip(), m.group("title")
    return dataset_family(ref) is not None or any(c in title for c in _DASHES)


def _item(text: str) -> str | None:
    """The text of a bulleted or numbered item ("- X", "• X", "1. X"), or None.

    >>> [_item(t) for t in ("  1. SUS  ", "• MRIS - Cohort", "-x", "2018.06 — 2018.09")]
    ['SUS', 'MRIS - Cohort', None, None]
    """
    m = _BULLET.match(text)
    return text[m.end() :].rstrip() if m else None


#: Free-text sections, as headed on the page -> the name used in ``Entry.sections``.
SECTION_HEADINGS: dict[str, str] = {
    "objectives": "Objectives",
    "objective": "Objectives",
    "yielded benefits": "Yielded Benefits",
    "expected benefits": "Expected Benefits",
    "outputs": "Outputs",
    "processing": "Processing",
}


@dataclass
class _Draft:
    """An entry being read: fields so far, open section, kept lines."""

    heading: Span
    title: str
    reference: str
    position: int
    values: dict[str, object] = field(default_factory=dict)
    fields: list[tuple[str, str, Span]] = field(default_factory=list)
    datasets: list[Dataset] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    section: tuple[str, Span, list[Span]] | None = None
    in_list: str | None = None
    implicit_list: bool = False
    unrecognised: list[Span] = field(default_factory=list)
    variant: str = "newer"
    last_field: str | None = None
    heads: set[str] = field(default_factory=set)  # lower-cased headings in ``fields``

    def keep_field(self, heading: str, value: str, span: Span) -> None:
        """Keep one (heading, value, line) in ``fields``; ``heads`` makes repeats cheap to see."""
        self.fields.append((heading, value, span))
        self.heads.add(heading.lower())

    def close_section(self) -> None:
        if self.section is not None:
            name, span, lines = self.section
            self.sections.append(Section(name, span, tuple(lines)))
            self.section = None

    def open_section(self, name: str, span: Span, first: str = "") -> None:
        self.close_section()
        self.in_list = None
        text = first.strip()
        col = len(span.text.rstrip()) - len(text) + 1  # where the inline text starts
        lines = [Span(span.path, span.line, col, text)] if text else []
        self.section = (name, span, lines)


Reader = Callable[[_Draft, str, Span, Diagnostics], None]


def _set(key: str, parse: Callable[[str], object]) -> Reader:
    def reader(d: _Draft, value: str, span: Span, diagnostics: Diagnostics) -> None:
        d.values[key] = parse(value)

    return reader


_TRAILING_PARENS = re.compile(r"\((?P<inner>(?:[^()]|\([^()]*\))*)\)\s*$")
_EXCUSES_LABEL = re.compile(r"(?i)^\s*excuses\s*:\s*")
_YES = re.compile(r"^(y|yes)\b")
_NO = re.compile(r"^(n|no)\b")
_MIX = re.compile(r"(?i)\bmix")


#: Field parsers below are pure functions of the value and return immutable values;
#: register pages repeat the same wording entry after entry, so they are memoised.
_MEMO = 8192


@functools.lru_cache(maxsize=_MEMO)
def _opt_outs(value: str) -> OptOuts:
    """Verdict, raw text and excuses of "Opt outs honoured".

    >>> o = _opt_outs("Yes - patient objections upheld (Excuses: Section 251, Section 251 NHS Act 2006)")
    >>> o.honoured.value, o.excuses
    ('yes', ('Section 251', 'Section 251 NHS Act 2006'))
    >>> [_opt_outs(v).honoured.value for v in ("N (Excuses: Section 251)", "N, Y", "", "Identifiable (x)")]
    ['no', 'mixed', 'unknown', 'unknown']
    """
    raw = value.strip()
    excuses: tuple[str, ...] = ()
    head = raw
    if m := _TRAILING_PARENS.search(raw):
        inner = _EXCUSES_LABEL.sub("", m.group("inner"))
        excuses = tuple(p.strip() for p in split_list(inner) if p.strip())
        head = raw[: m.start()]
    verdicts = set()
    for token in split_list(head, ",;"):
        t = token.strip().lower()
        if _YES.match(t):
            verdicts.add(OptOut.YES)
        elif _NO.match(t):
            verdicts.add(OptOut.NO)
    if verdicts == {OptOut.YES, OptOut.NO}:
        honoured = OptOut.MIXED
    elif len(verdicts) == 1:
        honoured = verdicts.pop()
    elif _MIX.search(raw):
        honoured = OptOut.MIXED
    else:
        honoured = OptOut.UNKNOWN
    return OptOuts(honoured, raw, excuses)


_LEGAL = (
    (re.compile(r"(?i)statistics and registration service act"), "SRSA 2007 s42(4)"),
    (re.compile(r"(?i)health and social care act\s*\(?2012\)?|\bHSCA\b"), "HSCA 2012"),
    (
        re.compile(r"(?i)section\s*251|\bs\.?\s*251\b|national health service act 2006|NHS act 2006"),
        "NHS Act 2006 s251",
    ),
    (re.compile(r"(?i)control of patient information\)? regulations|regulation 3\b|COPI"), "COPI Regulations 2002"),
)
_LETTER = re.compile(r"[A-Za-z]")
_HSCA_SECTIONS = re.compile(r"s\s*261(?:\([^)\s]*\))*(?:\s+and\s+s\s*261(?:\([^)\s]*\))*)?")
_S_SPACE = re.compile(r"s\s+")
_SPACES = re.compile(r"\s+")


def legal_bases(value: str) -> tuple[str, ...]:
    """Canonical legal gateways named in a "Legal basis" field, first mention first.

    >>> legal_bases("Section 251 approval is in place for the flow of identifiable data, "
    ...   "National Health Service Act 2006 - s251 - 'Control of patient information'. , "
    ...   "Health and Social Care Act 2012  s261(7); National Health Service Act 2006 - s251")
    ('NHS Act 2006 s251', 'HSCA 2012 s261(7)')
    >>> legal_bases("Health and Social Care Act 2012 – s261(1) and s261(2)(b)(ii)")
    ('HSCA 2012 s261(1) and s261(2)(b)(ii)',)
    """
    out: list[str] = []
    for piece in split_list(value, ",;"):
        piece = piece.strip(" .'")
        if not _LETTER.search(piece):
            continue
        label = None
        for pattern, name in _LEGAL:
            if pattern.search(piece):
                label = name
                break
        if label == "HSCA 2012":
            sections = _HSCA_SECTIONS.findall(piece)
            if sections:
                label = "HSCA 2012 " + _S_SPACE.sub("s", sections[0])
        label = label or _SPACES.sub(" ", piece)
        if label not in out:
            out.append(label)
    return tuple(out)


_YES_TRUE = re.compile(r"^(y|yes|true)\b")
_NO_FALSE = re.compile(r"^(n|no|false)\b")


def _yes_no(value: str) -> bool | None:
    v = value.strip().lower()
    if _YES_TRUE.match(v):
        return True
    if _NO_FALSE.match(v):
        return False
    return None


def _purposes(d: _Draft, value: str, span: Span, diagnostics: Diagnostics) -> None:
    v = value.strip()
    d.values["purposes"] = v or None
    first = v.find("(")
    if first >= 0 and v.endswith(")"):
        flag, kind = v[:first], v[first + 1 : -1]  # "No (CCG, Sub ICB Location)"
    else:
        flag, kind = v, ""
    d.values["commercial"] = _yes_no(flag) if flag.strip() else None
    d.values["organisation_type"] = kind.strip() or None


_SENSITIVE = re.compile(r"(?<!non[- ])(?<!non)\bsensitive")


def _sensitive(value: str) -> bool | None:
    v = value.strip().lower()
    if not v:
        return None
    if _SENSITIVE.search(v):
        return True
    return False if "non" in v else None


def _dedupe(items: list[str]) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for item in items:
        key = " ".join(item.lower().split())
        if key and key not in seen:
            seen[key] = item.strip()
    return tuple(seen.values())


@functools.lru_cache(maxsize=_MEMO)
def _access_items(value: str) -> tuple[str, ...]:
    """The comma-separated items of an "Access method" (or "Repeats") value, stripped."""
    return tuple(p.strip() for p in split_list(value, ",") if p.strip())


def _access(d: _Draft, value: str, span: Span, diagnostics: Diagnostics) -> None:
    d.values["access"] = _dedupe([*d.values.get("access", ()), *_access_items(value)])  # type: ignore[misc]


_DOC_FILE = re.compile(r"(?i)\.(pdf|docx?)\b")
_AFTER_DOC_FILE = re.compile(r"(?i)(?<=\.pdf)\s*,\s*|(?<=\.docx)\s*,\s*|(?<=\.doc)\s*,\s*")


@functools.lru_cache(maxsize=_MEMO)
def _igard(value: str) -> tuple[str, ...]:
    """Minutes files; commas separate files (a comma inside a file name is kept)."""
    if _DOC_FILE.search(value):
        parts = _AFTER_DOC_FILE.split(value)
    else:
        parts = value.split(",")
    return tuple(p.strip() for p in parts if p.strip())


_TYPE_WORDS = ("identifiable", "pseudonymised", "anonymised", "aggregate")


def type_of_data(value: str) -> str | None:
    """``identifiable``, ``pseudonymised``, ``anonymised``, ``aggregate``, or the raw text.

    >>> [type_of_data(v) for v in ("Identifiable", "", "Aggregated - anonymised", "n/a x")]
    ['identifiable', None, 'aggregate', 'n/a x']
    """
    v = value.strip()
    if not v:
        return None
    low = v.lower()
    if low.startswith("aggregat"):
        return "aggregate"
    for word in _TYPE_WORDS:
        if low.startswith(word[:7]):
            return word
    return v


def _when(d: _Draft, value: str, span: Span, diagnostics: Diagnostics) -> None:
    col = span.text.find(":") + 2 if ":" in span.text else 1
    release, dsa = parse_when(value, Span(span.path, span.line, col, span.text), diagnostics)
    if release is not None:
        d.values["period"] = release
    if dsa is not None:
        d.values["dsa"] = dsa


@functools.lru_cache(maxsize=_MEMO)
def _legal_bases(value: str) -> tuple[str, ...]:
    """:func:`legal_bases`, memoised for the reader (the public function stays plain)."""
    return legal_bases(value)


def _legal(d: _Draft, value: str, span: Span, diagnostics: Diagnostics) -> None:
    d.values["legal_basis"] = _dedupe([*d.values.get("legal_basis", ()), *_legal_bases(value)])  # type: ignore[misc]


@functools.lru_cache(maxsize=_MEMO)
def _controller_names(value: str) -> tuple[str, ...]:
    """The organisations of a data-controller field (see :func:`split_controllers`)."""
    return tuple(split_controllers(value))


def _controllers(d: _Draft, value: str, span: Span, diagnostics: Diagnostics) -> None:
    d.values["controllers"] = _controller_names(value)


def _datasets(d: _Draft, value: str, span: Span, diagnostics: Diagnostics) -> None:
    d.in_list = "datasets"
    d.implicit_list = False
    if value.strip():
        for name in [p for p in value.split(";") if p.strip()]:
            _add_dataset(d, name, span, diagnostics)


def _add_dataset(d: _Draft, name: str, span: Span, diagnostics: Diagnostics) -> None:
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


def _type(d: _Draft, value: str, span: Span, diagnostics: Diagnostics) -> None:
    d.values["type_of_data"] = type_of_data(value) or d.values.get("type_of_data")


def _keep(d: _Draft, value: str, span: Span, diagnostics: Diagnostics) -> None:
    """Fields kept only in ``Entry.fields`` (e.g. HSCIC Id)."""


#: Field heading (lower case) -> reader; the three page variants share one table.
FIELD_READERS: dict[str, Reader] = {
    "opt outs honoured": _set("opt_outs", _opt_outs),
    "opt-outs honoured": _set("opt_outs", _opt_outs),
    "legal basis": _legal,
    "basis": _legal,
    "purposes": _purposes,
    "sensitive": _set("sensitive", _sensitive),
    "when": _when,
    "access method": _access,
    "repeats": _access,
    "how often": _access,
    "data-controller type": _controllers,
    "data controller type": _controllers,
    "data controllers": _controllers,
    "sublicensing allowed": _set("sublicensing", _yes_no),
    "agd/predecessor discussions": _set("igard", _igard),
    "igard minutes": _set("igard", _igard),
    "datasets": _datasets,
    "data": _datasets,
    "type of data": _type,
    "categories": _type,
    "format": _type,
    "hscic id": _keep,
}
_VARIANT_OF = {
    "repeats": "older",
    "categories": "older",
    "basis": "earliest",
    "format": "earliest",
    "how often": "earliest",
    "hscic id": "earliest",
    "data": "earliest",
}


def parse_page(source: TextSource, diagnostics: Diagnostics) -> tuple[Page, list[Entry]]:
    """The banner and every entry of one page; reports, never raises, on bad data."""
    with cyclic_gc_paused():
        return _parse_page(source, diagnostics)


def _parse_page(source: TextSource, diagnostics: Diagnostics) -> tuple[Page, list[Entry]]:
    """:func:`parse_page` itself.

    Most lines are free text inside a section.  A line with neither a dash (no entry
    heading) nor a colon (no field heading) is appended to the open section without
    trying any pattern; every other line goes through the full reading.
    """
    path = source.path
    banner: list[Span] = []
    entries: list[Entry] = []
    draft: _Draft | None = None
    page: Page | None = None
    organisation: str | None = None
    position = 0
    free: list[Span] | None = None  # lines of the open section, if any
    numbers = source.line_numbers or range(1, len(source.lines) + 1)
    for line, text in zip(numbers, source.lines, strict=True):
        if ("—" in text or "–" in text) and (m := _heading(text)):  # the dashes of _DASHES
            if draft is not None:
                entries.extend(_finish(draft, diagnostics, source, organisation=organisation))
            elif page is None:
                page = _page(path, banner, diagnostics)  # banner notes come first
                organisation = page.organisation
            position += 1
            diagnostics.read += 1
            draft = _new_draft(m, Span(path, line, 1, text), position, diagnostics)
            free = None
        elif free is not None and ":" not in text:  # free text: no field heading possible
            if text and not text.isspace():  # blank lines inside an entry are skipped
                free.append(Span(path, line, 1, text))
        elif draft is None:
            banner.append(Span(path, line, 1, text))
        else:
            _read_line(draft, Span(path, line, 1, text), diagnostics)
            free = draft.section[2] if draft.section is not None else None
    if draft is not None:
        entries.extend(_finish(draft, diagnostics, source, last=True, organisation=organisation))
    if page is None:
        page = _page(path, banner, diagnostics)
    return page, entries


def parse_page_text(
    text: str, path: str = "<text>", diagnostics: Diagnostics | None = None
) -> tuple[Page, list[Entry]]:
    """Parse a page given as a string (tests, notebooks).

    >>> page, entries = parse_page_text("X projects\\nT — NIC-1234-ABCDE\\nOpt outs honoured: N\\n")
    >>> entries[0].agreement, entries[0].opt_outs.honoured.value
    ('NIC-1234-ABCDE', 'no')
    """
    if diagnostics is None:  # an empty collector is falsy
        diagnostics = Diagnostics()
    return parse_page(TextSource(path, physical_lines(text)), diagnostics)


def _new_draft(m: re.Match[str], span: Span, position: int, diagnostics: Diagnostics) -> _Draft:
    reference = m.group("ref")
    if not is_dars_reference(reference):
        diagnostics.report(
            Span(span.path, span.line, m.start("ref") + 1, span.text),
            "DFG202",
            f"reference {reference!r} is not DARS-NIC/NIC; kept as a local label",
            Severity.NOTE,
        )
    if m.group("trail"):
        diagnostics.report(
            Span(span.path, span.line, m.start("trail") + 1, span.text),
            "DFG203",
            f"reference {reference!r} is followed by {len(m.group('trail'))} white-space character(s); trimmed",
            Severity.NOTE,
        )
    return _Draft(span, m.group("title").strip(), reference, position)


def _read_line(d: _Draft, span: Span, diagnostics: Diagnostics) -> None:
    text = span.text
    if not text or text.isspace():
        return
    fm = _FIELD.match(text) if ":" in text else None  # a field heading needs its colon
    raw_head = fm.group("head").strip() if fm else None
    head = raw_head.lower() if raw_head is not None else None
    if head is not None and (head in FIELD_READERS or head in SECTION_HEADINGS):
        _read_field(d, head, raw_head, fm.group("value"), span, diagnostics)  # type: ignore[union-attr, arg-type]
        return
    if d.section is not None:
        d.section[2].append(span)
        return
    item = _item(text)
    if d.in_list == "datasets" and item:
        _add_dataset(d, item, span, diagnostics)
    elif item and not d.datasets and d.in_list is None:
        d.in_list, d.implicit_list = "datasets", True  # a page without "Datasets:"
        _add_dataset(d, item, span, diagnostics)
    elif d.in_list == "datasets" and not d.implicit_list and _looks_like_name(text):
        _add_dataset(d, text, span, diagnostics)
    elif d.datasets or d.in_list:
        d.open_section("Objectives", span, text)  # a page without "Objectives:"
    elif raw_head is not None:
        d.unrecognised.append(span)
        d.keep_field(raw_head, fm.group("value").strip(), span)  # type: ignore[union-attr]
        diagnostics.report(
            Span(span.path, span.line, 1, text),
            "DFG102",
            f"unknown heading {raw_head!r}; line kept on the entry as unrecognised",
        )
    elif d.last_field is not None and text.lstrip().startswith("("):
        d.keep_field(d.last_field, text.strip(), span)  # a note under the field
    else:
        d.unrecognised.append(span)
        diagnostics.report(
            Span(span.path, span.line, 1, text),
            "DFG102",
            "line outside any field or section; kept on the entry as unrecognised",
        )


def _looks_like_name(text: str) -> bool:
    t = text.strip()
    return len(t) < 120 and not t.endswith((".", ":")) and not _FIELD.match(t)


def _read_field(d: _Draft, head: str, raw_head: str, value: str, span: Span, diagnostics: Diagnostics) -> None:
    """One known field line; ``head`` is ``raw_head`` (as written, stripped) lower-cased."""
    if head in SECTION_HEADINGS:
        d.open_section(SECTION_HEADINGS[head], span, value)
        return
    if d.section is not None:
        d.close_section()
    d.in_list = None
    if head in d.heads and head not in ("access method", "legal basis"):
        diagnostics.report(
            span,
            "DFG109",
            f"field {head!r} appears twice in one entry; the later value is used, both are kept",
            Severity.NOTE,
        )
    d.keep_field(raw_head, value.strip(), span)
    d.last_field = raw_head
    if head in _VARIANT_OF and d.variant == "newer":
        d.variant = _VARIANT_OF[head]
    FIELD_READERS[head](d, value, span, diagnostics)


def _finish(
    d: _Draft, diagnostics: Diagnostics, source: TextSource, last: bool = False, organisation: str | None = None
) -> Iterator[Entry]:
    d.close_section()
    has_body = bool(d.fields or d.sections or d.datasets or d.unrecognised)
    if not has_body:
        diagnostics.rejected += 1
        diagnostics.report(
            d.heading,
            "DFG106",
            f"entry {d.reference!r} has a heading but no fields (page cut short?); entry rejected",
            Severity.ERROR,
        )
        return
    if last and not d.sections:
        diagnostics.report(
            d.heading,
            "DFG107",
            f"page ends inside entry {d.reference!r} before its free-text sections; the fields read so far are kept",
        )
    if (
        d.title.lower().startswith("project ")
        and d.variant == "newer"
        and d.values.get("period")
        and "/" in (d.values["period"].raw or "")
    ):  # type: ignore[union-attr]
        d.variant = "older"
    diagnostics.parsed += 1
    v = d.values
    yield Entry(
        id=f"{source.path}#{d.position}",
        source=source.path,
        line=d.heading.line,
        position=d.position,
        reference=d.reference,
        agreement=agreement_core(d.reference),
        title=d.title,
        organisation=organisation,
        opt_outs=v.get("opt_outs", OptOuts()),  # type: ignore[arg-type]
        legal_basis=v.get("legal_basis", ()),  # type: ignore[arg-type]
        purposes=v.get("purposes"),  # type: ignore[arg-type]
        commercial=v.get("commercial"),  # type: ignore[arg-type]
        organisation_type=v.get("organisation_type"),  # type: ignore[arg-type]
        sensitive=v.get("sensitive"),  # type: ignore[arg-type]
        sensitivity=next((val for h, val, _ in d.fields if h.lower() == "sensitive"), None),
        period=v.get("period"),  # type: ignore[arg-type]
        dsa=v.get("dsa"),  # type: ignore[arg-type]
        access=v.get("access", ()),  # type: ignore[arg-type]
        controllers=v.get("controllers", ()),  # type: ignore[arg-type]
        sublicensing=v.get("sublicensing"),  # type: ignore[arg-type]
        igard=v.get("igard", ()),  # type: ignore[arg-type]
        datasets=tuple(d.datasets),
        type_of_data=v.get("type_of_data"),  # type: ignore[arg-type]
        sections=tuple(d.sections),
        fields=tuple(d.fields),
        unrecognised=tuple(d.unrecognised),
        variant=d.variant,
        span=d.heading,
    )


_UNSAFE = re.compile(r"^\s*(?P<n>[\d,]+)\s+data files? in total were disseminated unsafely", re.I)


def _page(path: str, banner: list[Span], diagnostics: Diagnostics) -> Page:
    organisation = red_flag = None
    unsafe = None
    projects: list[str] = []
    for span in banner:
        t = span.text.strip()
        if not t or re.match(r"(?i)^NHS Digital Data Release Register", t):
            continue
        if len(t) < 200 and (m := re.match(r"^(?P<org>.+?)\s+projects$", t)):
            organisation = m.group("org").strip()
        elif m := _UNSAFE.match(t):
            unsafe = int(m.group("n").replace(",", ""))
        elif t.startswith("🚩") or "was sent multiple files" in t:
            red_flag = t.lstrip("🚩 ").strip()
        elif item := _item(t):
            projects.append(item)
        elif organisation is None and unsafe is None and _is_name(t):
            organisation = t  # older pages: the name alone
        else:
            diagnostics.report(
                span,
                "DFG103",
                "line before the first entry is not part of a known page banner; kept in the page banner",
                Severity.NOTE,
            )
    return Page(path, organisation, unsafe, red_flag, tuple(projects), tuple(banner))


def _is_name(text: str) -> bool:
    """A line that can be an organisation's name: short, not a sentence or a field."""
    return len(text) <= 120 and not text.endswith((".", ":")) and ":" not in text
