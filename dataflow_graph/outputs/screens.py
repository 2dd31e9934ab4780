"""What ``dfg converge``, ``dfg org`` and ``dfg redflags`` show on screen: the answer first.

``dfg converge`` opens with one headline counting every finding, then a ranked list (one
entry per finding: rank, severity, recipient, dataset and a one-line reason in plain
words), then each finding's claims with the evidence they rest on, then its copies.
Citations name a file by its base name and line; the footnote says once where each file is,
relative to the working folder.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from ..graph import (
    AgreementSummary,
    Cited,
    Convergence,
    Excluded,
    FileFinding,
    OrganisationSummary,
    Qualifier,
    RedFlagReport,
    Side,
    ranked,
)
from ..model import OptOut, Page
from .terminal import CARDS_BELOW, cards, field_lines, rows_table, terminal_width, wrapped

__all__ = [
    "agreement_text",
    "converge_text",
    "organisation_report",
    "reason",
    "redflags_text",
    "shown_path",
    "stated_flags",
]

Finding = Convergence | FileFinding

#: the few words each qualifier adds to a finding's one-line reason
_SHORT = {
    "opt_out_divergence": "opt-outs honoured on one copy, not on the other",
    "opt_outs_partly_known": "opt-outs differ in part (which copy is not stated)",
    "same_agreement": "under one agreement",
    "landing_only": "a landing point only",
    "segregation": "identifiable copies held apart",
    "linkage": "other data linked",
    "reidentification": "a re-identification route",
}


def shown_path(path: str) -> str:
    """A source as a person should see it: relative to the working folder when it is under it."""
    file, sep, sheet = path.partition("#")
    p = Path(file)
    if p.is_absolute():
        try:
            file = os.path.relpath(p)
        except ValueError:  # another drive (Windows)
            return path
        if file.startswith(".."):
            file = str(p)
    return file + sep + sheet


def _base(path: str) -> str:
    file, sep, sheet = path.partition("#")
    return Path(file).name + sep + sheet


def cited_lines(cites: Iterable[Cited], most: int = 8) -> str:
    """Citations grouped by file: ``seed.txt lines 53, 109 and 4 more; register.xlsx#DataReleases row 12``."""
    by_file: dict[str, set[int]] = {}
    for c in cites:
        by_file.setdefault(_base(c.source), set()).add(c.line)
    parts = []
    for name in sorted(by_file):
        lines = sorted(by_file[name])
        word = "rows" if "#" in name else "lines"
        shown = ", ".join(map(str, lines[:most])) + (f" and {len(lines) - most} more" if len(lines) > most else "")
        parts.append(f"{name} {word[:-1] if len(lines) == 1 else word} {shown}")
    return "; ".join(parts)


def reason(f: Finding) -> str:
    """A finding in a few plain words: its copies, when they overlap, and what aggravates it."""
    kinds = sorted({s.label for s in f.pseudonymised}) if isinstance(f, Convergence) else ["de-identified"]
    words = [f"identifiable and {' and '.join(kinds)}"]
    if isinstance(f, FileFinding):
        words[0] += " files"
        words.append(f"both in {f.files.period} ({f.files.period_kind})")
    elif f.overlap:
        words.append(f"overlap {f.overlap[0]}..{f.overlap[-1]}" if len(f.overlap) > 1 else f"overlap {f.overlap[0]}")
    elif f.qualifier("same_register"):
        words.append("both in one register period, not dated")
    else:
        words.append("no overlapping months known")
    words += [_SHORT[q.name] for q in f.qualifiers if q.name in _SHORT]
    return "; ".join(words)


def _ranked(found: Sequence[Finding], width: int, wide: bool) -> list[str]:
    lines: list[str] = []
    rank_w = len(str(len(found))) + 1
    hang = " " * (rank_w + 11)
    for n, f in enumerate(found, 1):
        head = (
            f"{n}.".rjust(rank_w) + f" {f.severity:>2} {f.severity_label:<6} {f.recipient} — {f.family or 'datasets'}"
        )
        if wide:
            lines += wrapped(f"{head}: {reason(f)}", width, hanging=hang)
            continue
        lines += wrapped(head, width, hanging=hang)
        lines += wrapped(reason(f), width, hang)
    return lines


def _claims(qualifiers: Iterable[Qualifier], width: int) -> list[str]:
    lines = ["   what the evidence says:"]
    for q in qualifiers:
        lines += wrapped(f"{q.weight:+d}  {q.statement}", width, "     ", "         ")
        if q.evidence:
            lines += wrapped(f"[{cited_lines(q.evidence)}]", width, "         ", "          ")
        if q.others:
            lines += wrapped(
                f"({q.others} other routes near it belong to other agreements or hops: not counted)", width, "         "
            )
    return lines


def _opt_out_words(s: Side) -> str:
    found = s.opt_outs_found
    if found is None or found.status is OptOut.UNKNOWN:
        return "not stated"
    word = {OptOut.YES: "honoured", OptOut.NO: "not honoured", OptOut.MIXED: "both ways"}[found.status]
    return f"{word} ({found.basis})"


def _period(s: Side) -> str:
    p = s.flow.period
    if p is None:
        return "not stated"
    text = f"{p.start or '?'}..{p.end or '?'}" + (" (published backwards)" if p.reversed else "")
    return text + (f", until {s.flow.until}" if s.flow.until else "")


def _route(s: Side) -> str:
    middle = list(s.path[1:-1])
    route = " → ".join(middle) if middle else "direct"
    if s.hop.unit:
        route += f", into {s.hop.unit}"
    if s.hop.landing_only:
        route += " (landing only)"
    return route


def _copies(f: Convergence, width: int, wide: bool) -> str:
    records = [
        [
            ("copy", s.label),
            ("reference", s.flow.reference),
            ("purpose", s.flow.purpose),
            ("period", _period(s)),
            ("opt-outs", _opt_out_words(s)),
            ("route", _route(s)),
            ("evidence", f"{_base(s.hop.evidence.path)}:{s.hop.evidence.line}"),
        ]
        for s in (*f.identifiable, *f.pseudonymised)
    ]
    if wide:
        table: list[dict[str, object]] = [dict(r) for r in records]
        return rows_table(table, "   the copies", width=width)
    out = ["   the copies:"]
    for r in records:
        out += [f"   - {r[0][1]} copy, {r[1][1]}", *field_lines(r[2:], width, "       ")]
    return "\n".join(out) + "\n"


def _file_copies(f: FileFinding, width: int) -> str:
    records = [
        [
            ("copy", side),
            ("agreements", ", ".join(agreements)),
            ("datasets", ", ".join(datasets)),
            ("opt-outs", ", ".join(words)),
            ("rows", f"{len(rows)} file rows"),
        ]
        for side, agreements, datasets, words, rows in (
            (
                "identifiable files",
                f.files.identifiable_agreements,
                f.files.identifiable_datasets,
                f.files.identifiable_opt_outs,
                f.files.identifiable,
            ),
            (
                "de-identified files",
                f.files.deidentified_agreements,
                f.files.deidentified_datasets,
                f.files.deidentified_opt_outs,
                f.files.deidentified,
            ),
        )
    ]
    out = ["   the files:"]
    for r in records:
        out += [f"   - {r[0][1]}", *field_lines(r[1:], width, "       ")]
    return "\n".join(out) + "\n"


def _sources(found: Sequence[Finding]) -> list[str]:
    paths = set()
    for f in found:
        for q in f.qualifiers:
            paths |= {c.source.partition("#")[0] for c in q.evidence}
    return sorted(paths)


def converge_text(
    found: Sequence[Convergence],
    excluded: Sequence[Excluded],
    files: Sequence[FileFinding],
    *,
    entries: int,
    top: int | None = None,
    width: int | None = None,
    wide: bool | None = None,
) -> str:
    """``dfg converge``: the headline, the ranked findings, then each one's claims and copies.

    ``wide`` lays the findings out as tables (the default at :data:`CARDS_BELOW` columns and
    more) or as cards; text is wrapped between words to ``width``.
    """
    width = width or terminal_width()
    wide = width >= CARDS_BELOW if wide is None else wide
    every = ranked(found, files)
    head = (
        f"{len(every)} finding{'s' if len(every) != 1 else ''} in {entries} register entries "
        f"({len(found)} from flows, {len(files)} from released files): a recipient given one dataset both "
        "identifiable and de-identified"
    )
    lines = wrapped(head, width)
    if not every:
        return "\n".join(lines) + "\n"
    shown = every[:top] if top else every
    if top and top < len(every):
        lines += wrapped(f"The {top} most severe (--top); {len(every) - top} more with a larger --top.", width)
    lines += ["", *_ranked(shown, width, wide), ""]
    lines += wrapped(
        "Each finding below: what the evidence says, with its citations (file:line), then the copies. "
        "`dfg report --org NAME -o FILE` writes a briefing to publish.",
        width,
    )
    text = "\n".join(lines) + "\n"
    for n, f in enumerate(shown, 1):
        title = f"{n}. {f.recipient} — {f.family or 'datasets'} — severity {f.severity} ({f.severity_label})"
        block = ["", *wrapped(title, width), *_claims(f.qualifiers, width)]
        text += "\n".join(block) + "\n"
        text += _copies(f, width, wide) if isinstance(f, Convergence) else _file_copies(f, width)
    foot = ["", "Files cited: " + "; ".join(f"{_base(p)} is {shown_path(p)}" for p in _sources(shown))]
    if excluded:
        names = sorted({e.recipient for e in excluded})
        foot.append(
            "Reported apart (part of the source, NHS Digital, which holds identifiable data by design): "
            + ", ".join(names)
        )
    text += "\n".join(line for part in foot for line in wrapped(part, width)) + "\n"
    return text


def stated_flags(pages: Iterable[Page]) -> list[tuple[str, str]]:
    """What register pages themselves state: (where, words) for the unsafe-files count and red flag."""
    out = []
    for p in pages:
        where = _base(p.source)
        if p.unsafe_files is not None:
            out.append((where, f"{p.unsafe_files} data files in total were disseminated unsafely (stated by the page)"))
        if p.red_flag:
            out.append((where, f"{p.red_flag} (stated by the page)"))
    return out


def redflags_text(report: RedFlagReport, pages: Sequence[Page], *, width: int | None = None) -> str:
    """``dfg redflags``: what the pages state, then what the released files show, apart."""
    width = width or terminal_width()
    text = ""
    stated = stated_flags(pages)
    if stated:
        text += cards("Stated by the register pages", [[("page", w), ("says", s)] for w, s in stated], width=width)
        text += "\n"
    rows = [
        {
            "recipient": f.recipient,
            "dataset": f.dataset,
            "period": f.period,
            "period_kind": f.period_kind,
            "files_applied": f.files_applied,
            "files_not_applied": f.files_not_applied,
        }
        for f in report.redflags
    ]
    text += rows_table(
        rows, "Computed from released files: one dataset, one period, opt-outs applied and not", width=width
    )
    if report.not_applied:
        top = ", ".join(f"{name} {n}" for name, n in report.not_applied[:5])
        text += (
            "\n".join(wrapped(f"Files released with opt-outs not applied: {report.files_not_applied} ({top}…)", width))
            + "\n"
        )
    return text


def organisation_report(summary: OrganisationSummary, pages: Sequence[Page] = (), *, width: int | None = None) -> str:
    """``dfg org``: identity, what it received, from and to whom, findings, and its files."""
    width = width or terminal_width()
    org = summary.organisation
    fields: list[tuple[str, str]] = [
        ("id", org.id),
        ("role", org.role.value + ("" if org.reviewed else " (unreviewed: guessed from its words)")),
        ("ODS code", org.ods or ""),
        ("successor", org.successor or ""),
        ("units", ", ".join(org.units)),
        ("aliases", ", ".join(org.aliases)),
        ("received", "; ".join(f"{fam}: {', '.join(levels)}" for fam, levels in summary.received.items())),
        ("fed by", "; ".join(n.name for n in summary.upstream)),
        ("sent to", "; ".join(n.name for n in summary.downstream)),
        ("agreements", ", ".join(summary.agreements)),
        ("findings", "; ".join(f"{c.family}: {c.severity} {c.severity_label}: {reason(c)}" for c in summary.findings)),
    ]
    files = summary.files
    if files.releases:
        fields += [
            ("released files", str(files.releases)),
            ("opt-outs not applied", f"{files.not_applied} files"),
            (
                "red flags (computed)",
                "; ".join(
                    f"{r.dataset}, {r.period} ({r.period_kind}): {r.files_applied} applied, {r.files_not_applied} not"
                    for r in files.redflags
                ),
            ),
            (
                "findings in files",
                "; ".join(f"{f.family}: {f.severity} {f.severity_label}: {reason(f)}" for f in files.file_findings),
            ),
        ]
    for where, words in stated_flags(pages):
        fields.append(("stated by the page", f"{words} [{where}]"))
    lines = [*wrapped(org.name, width), *field_lines(fields, width)]
    if summary.findings:
        hint = (
            "`dfg converge --recipient NAME` shows each finding's evidence; "
            "`dfg report --org NAME -o FILE` writes a briefing."
        )
        lines += ["", *wrapped(hint, width)]
    return "\n".join(lines) + "\n"


def agreement_text(summary: AgreementSummary, *, width: int | None = None) -> str:
    """``dfg agreement``: its entries, the flows they state, the recipients, its released files."""
    width = width or terminal_width()
    out = wrapped(f"Agreement {summary.agreement}", width)
    for e in summary.entries:
        period = f"{e.period.start or '?'}..{e.period.end or '?'}" if e.period else "not stated"
        out += ["", *wrapped(f"entry {e.reference}: {e.title}", width)]
        out += field_lines(
            [
                ("read from", f"{_base(e.source)}:{e.line}"),
                ("organisation", e.organisation or ""),
                ("period", period),
                ("opt-outs honoured", f"{e.opt_outs.honoured.value} ({e.opt_outs.raw})" if e.opt_outs.raw else ""),
                ("legal basis", "; ".join(e.legal_basis)),
                ("datasets", ", ".join(e.families) or ", ".join(d.name for d in e.datasets)),
            ],
            width,
        )
    out += ["", *wrapped(f"{len(summary.flows)} flows", width)]
    for f in summary.flows:
        lines = f", lines {' '.join(str(h.evidence.line) for h in f.hops)}" if f.hops else ""
        out += wrapped(
            f"- {f.purpose} ({f.identifiability.value}; {', '.join(f.families)}): {' → '.join(f.path)}{lines}",
            width,
            "  ",
        )
    out += ["", *wrapped("Recipients: " + (", ".join(summary.recipients) or "none named"), width)]
    if summary.releases:
        applied = sum(1 for r in summary.releases if r.opt_outs_applied)
        not_applied = sum(1 for r in summary.releases if r.opt_outs_applied is False)
        datasets = sorted({r.dataset.strip() for r in summary.releases})
        out += [
            "",
            *wrapped(
                f"{len(summary.releases)} released files ({applied} with opt-outs applied, {not_applied} without): "
                + ", ".join(datasets),
                width,
            ),
        ]
    return "\n".join(out) + "\n"
