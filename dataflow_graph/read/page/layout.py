"""The layout of a register page, line by line: its banner, entry headings, fields and sections.

A page is a banner (whose page, how many files were "disseminated unsafely", the
red flag, sometimes a list of projects) then entries, each opened by a heading
``TITLE — REFERENCE``.  Within an entry, a line is a field (read through the heading ->
reader table of :mod:`.fields`), a line of the open free-text section, an item of a
dataset list, or else kept on the entry as unrecognised and reported.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..._speed import cyclic_gc_paused
from ...errors import Diagnostics, Severity, Span
from ...model import Entry, Page
from ...names import agreement_core, dataset_family, is_dars_reference
from ..sources import TextSource, physical_lines
from .fields import FIELD_READERS, SECTION_HEADINGS, VARIANT_OF, Draft, add_dataset

__all__ = ["parse_page", "parse_page_text"]

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


#: Every known field and section heading, lower-cased.  A field heading is the text before
#: a line's first colon (:data:`_FIELD` allows no colon in it), so a line whose text before
#: its first colon is none of these is no field, whatever :data:`_FIELD` says.
_HEADS = frozenset(FIELD_READERS) | frozenset(SECTION_HEADINGS)


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


def parse_page(source: TextSource, diagnostics: Diagnostics) -> tuple[Page, list[Entry]]:
    """The banner and every entry of one page; reports, never raises, on bad data."""
    with cyclic_gc_paused():
        return _parse_page(source, diagnostics)


def _parse_page(source: TextSource, diagnostics: Diagnostics) -> tuple[Page, list[Entry]]:
    """:func:`parse_page` itself.

    Most lines are free text inside a section.  A line inside an open section with neither
    a dash (no entry heading) nor a known heading before its first colon (no field heading)
    is passed over: the section keeps where it starts and ends, and makes its line spans
    when they are first read (:func:`~dataflow_graph._speed.page_section`).  Every other
    line goes through the full reading.
    """
    path = source.path
    banner: list[Span] = []
    entries: list[Entry] = []
    draft: Draft | None = None
    page: Page | None = None
    organisation: str | None = None
    position = 0
    in_section = False  # a free-text section is open
    lines = source.lines
    numbers = source.line_numbers or range(1, len(lines) + 1)
    for i, text in enumerate(lines):
        if ("—" in text or "–" in text) and (m := _heading(text)):  # the dashes of _DASHES
            if draft is not None:
                entries.extend(_finish(draft, i, diagnostics, source, organisation=organisation))
            elif page is None:
                page = _page(path, banner, diagnostics)  # banner notes come first
                organisation = page.organisation
            position += 1
            diagnostics.read += 1
            draft = _new_draft(m, Span(path, numbers[i], 1, text), position, diagnostics)
            draft.page, draft.numbers = lines, numbers
            in_section = False
        elif in_section and (":" not in text or text[: text.find(":")].strip().lower() not in _HEADS):
            continue  # free text, no field heading: a line of the open section (blank ones are left out)
        elif draft is None:
            banner.append(Span(path, numbers[i], 1, text))
        else:
            draft.at = i
            _read_line(draft, Span(path, numbers[i], 1, text), diagnostics)
            in_section = draft.section is not None
    if draft is not None:
        expected = (  # with two entries or more before it, what they all have
            frozenset.intersection(*(frozenset(s.name for s in e.sections) for e in entries)) & _CUT_BEFORE
            if len(entries) >= 2
            else None
        )
        entries.extend(
            _finish(draft, len(lines), diagnostics, source, last=True, organisation=organisation, expected=expected)
        )
    if page is None:
        page = _page(path, banner, diagnostics)
    if position == 0:
        _headings_not_read(source, diagnostics)
    return page, entries


#: A reference ending a line, after a title: an entry heading whose dash (or encoding) is
#: wrong.  Only looked for on a page where no heading was read.
_ENDS_IN_REFERENCE = re.compile(r"\s(?:DARS-)?NIC-?\d{3,7}-[A-Za-z0-9]{5}(?:-v\s*[\d.]+)?\s*$")


def _looks_like_heading(text: str) -> bool:
    """A short line that ends in a DARS/NIC reference after some title."""
    if len(text) >= 300 or "NIC" not in text:
        return False
    m = _ENDS_IN_REFERENCE.search(text)
    return m is not None and any(c.isalnum() for c in text[: m.start()])


def _headings_not_read(source: TextSource, diagnostics: Diagnostics) -> None:
    """A page whose lines look like entry headings but gave no entry: an error, not a quiet zero.

    Each such line is counted as an entry read and rejected, so that ``--strict`` fails.
    """
    numbers = source.line_numbers or range(1, len(source.lines) + 1)
    found = [(n, t) for n, t in zip(numbers, source.lines, strict=True) if _looks_like_heading(t)]
    if not found:
        return
    diagnostics.read += len(found)
    diagnostics.rejected += len(found)
    line, text = found[0]
    diagnostics.report(
        Span(source.path, line, 1, text),
        "DFG112",
        f"{len(found)} line(s) look like entry headings but no entry was read from this page "
        "(an entry heading is 'TITLE — REFERENCE', with an em or en dash: check the dashes "
        "and the file's encoding); each counted as rejected",
        Severity.ERROR,
    )


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


def _new_draft(m: re.Match[str], span: Span, position: int, diagnostics: Diagnostics) -> Draft:
    """The draft an entry heading opens; local labels and trailing white space are noted."""
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
    return Draft(span, m.group("title").strip(), reference, position)


def _read_line(d: Draft, span: Span, diagnostics: Diagnostics) -> None:
    """One line of an entry that may be a field: a field, a section line, a dataset, or kept as unrecognised."""
    text = span.text
    if not text or text.isspace():
        return
    fm = _FIELD.match(text) if ":" in text else None  # a field heading needs its colon
    raw_head = fm.group("head").strip() if fm else ""
    head = raw_head.lower() if fm else ""
    if fm is not None and (head in FIELD_READERS or head in SECTION_HEADINGS):
        _read_field(d, head, raw_head, fm.group("value"), span, diagnostics)
        return
    if d.section is not None:
        return  # a line of the open section (it keeps where it starts and ends)
    item = _item(text)
    if d.in_list == "datasets" and item:
        add_dataset(d, item, span, diagnostics)
    elif item and not d.datasets and d.in_list is None:
        d.in_list, d.implicit_list = "datasets", True  # a page without "Datasets:"
        add_dataset(d, item, span, diagnostics)
    elif d.in_list == "datasets" and not d.implicit_list and _looks_like_name(text):
        add_dataset(d, text, span, diagnostics)
    elif d.datasets or d.in_list:
        d.open_section("Objectives", span, text)  # a page without "Objectives:"
    elif fm is not None:
        d.unrecognised.append(span)
        d.keep_field(raw_head, fm.group("value").strip(), span)
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
    """A line under "Datasets:" that can be a dataset's name: short, not a sentence or a field."""
    t = text.strip()
    return len(t) < 120 and not t.endswith((".", ":")) and not _FIELD.match(t)


def _read_field(d: Draft, head: str, raw_head: str, value: str, span: Span, diagnostics: Diagnostics) -> None:
    """One known field line; ``head`` is ``raw_head`` (as written, stripped) lower-cased."""
    if head in SECTION_HEADINGS:
        d.open_section(SECTION_HEADINGS[head], span, value)
        return
    if d.section is not None:
        d.close_section(d.at)
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
    if head in VARIANT_OF and d.variant == "newer":
        d.variant = VARIANT_OF[head]
    FIELD_READERS[head](d, value, span, diagnostics)


def _finish(
    d: Draft,
    end: int,
    diagnostics: Diagnostics,
    source: TextSource,
    last: bool = False,
    organisation: str | None = None,
    expected: frozenset[str] | None = None,
) -> Iterator[Entry]:
    """The entry of a draft, counted as parsed; none, counted as rejected, when it has no body.

    ``end`` is the index of the page line after the entry.  ``expected`` are the sections
    (Objectives, Processing) every earlier entry of the page has, when there are two or
    more: the last entry lacking one of them was cut short.
    """
    open_section = d.section[0] if d.section is not None else None
    d.close_section(end)
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
    if last:
        _truncation(d, diagnostics, source, open_section, expected)
    if d.title.lower().startswith("project ") and d.variant == "newer" and d.period and "/" in (d.period.raw or ""):
        d.variant = "older"
    diagnostics.parsed += 1
    yield Entry(
        id=f"{source.path}#{d.position}",
        source=source.path,
        line=d.heading.line,
        position=d.position,
        reference=d.reference,
        agreement=agreement_core(d.reference),
        title=d.title,
        organisation=organisation,
        opt_outs=d.opt_outs,
        legal_basis=d.legal_basis,
        purposes=d.purposes,
        commercial=d.commercial,
        organisation_type=d.organisation_type,
        sensitive=d.sensitive,
        sensitivity=next((val for h, val, _ in d.fields if h.lower() == "sensitive"), None),
        period=d.period,
        dsa=d.dsa,
        access=d.access,
        controllers=d.controllers,
        sublicensing=d.sublicensing,
        igard=d.igard,
        datasets=tuple(d.datasets),
        type_of_data=d.type_of_data,
        sections=tuple(d.sections),
        fields=tuple(d.fields),
        unrecognised=tuple(d.unrecognised),
        variant=d.variant,
        span=d.heading,
    )


#: The sections a page cut short loses first (the first and the last free-text section).
_CUT_BEFORE = frozenset({"Objectives", "Processing"})
#: How a complete line of free text ends.
_SENTENCE_END = tuple(".!?:;)]\"'”’»")


def _truncation(
    d: Draft, diagnostics: Diagnostics, source: TextSource, open_section: str | None, expected: frozenset[str] | None
) -> None:
    """DFG107 when the page ends inside the last entry: before its sections, before a section
    every other entry has, or in the middle of a line of the section it ends in."""
    ref = d.reference
    if not d.sections:
        message = f"page ends inside entry {ref!r} before its free-text sections; the fields read so far are kept"
    elif missing := sorted((expected or frozenset()) - {s.name for s in d.sections}):
        names = ", ".join(repr(n) for n in missing)
        message = (
            f"page ends inside entry {ref!r} before its {names} section(s), which every other entry "
            "of this page has (page cut short?); the text read so far is kept"
        )
    elif (
        open_section is not None
        and not source.final_newline
        and source.lines
        and not source.lines[-1].rstrip().endswith(_SENTENCE_END)
    ):
        message = (
            f"page ends in the middle of a line of section {open_section!r} of entry {ref!r}, with no "
            "line break (page cut short?); the text read so far is kept"
        )
    else:
        return
    diagnostics.report(d.heading, "DFG107", message)


_UNSAFE = re.compile(r"^\s*(?P<n>[\d,]+)\s+data files? in total were disseminated unsafely", re.I)


def _page(path: str, banner: list[Span], diagnostics: Diagnostics) -> Page:
    """The page's banner: whose page, files disseminated unsafely, the red flag, projects."""
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
