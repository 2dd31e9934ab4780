"""``dfg report``: a briefing people can publish, as one self-contained HTML file or Markdown.

What happened, to whose data, when, by which routes, on what evidence: a headline in plain
English per finding (saying no more than its qualifiers carry), the timeline of the copies
and their routes as inline SVG (:mod:`~dataflow_graph.outputs.svg`), every claim with the
sentences or file rows it rests on, quoted and cited (input base name, line or sheet row,
entry reference), the red flags the files show and those the pages state (kept apart), the
agreements involved, and what the words mean.  No script, no request: the page reads
offline and prints on A4.  All register text is escaped; the same input gives the same bytes.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from ..graph import Cited, Convergence, FileFinding, OrganisationSummary, RedFlag, Side
from ..model import Entry, OptOut, Organisation, Page
from .svg import Bar, Lane, Stop, routes, timeline

__all__ = ["Briefing", "Picture", "headline", "month_words", "render_html", "render_markdown"]

Finding = Convergence | FileFinding

_MONTHS = ("January February March April May June July August September October November December").split()

#: What the words mean, for every page (issue 16's list, in the register's own terms).
GLOSSARY: tuple[tuple[str, str], ...] = (
    (
        "DSCRO",
        "Data Services for Commissioners Regional Office: part of NHS Digital. It receives identifiable "
        "patient data and pseudonymises it before passing it on.",
    ),
    (
        "CSU",
        "Commissioning Support Unit: an NHS body that processes data for clinical commissioning groups "
        "(CCGs); sometimes only a landing point the data passes through.",
    ),
    ("identifiable", "data that identifies a patient (NHS number, date of birth, postcode…)."),
    (
        "pseudonymised",
        "record-level data with the identifiers replaced by a pseudonym; whoever holds the key, or other "
        "data about the same person, can re-identify it.",
    ),
    (
        "anonymised",
        "record-level data the register calls anonymised (\u201cAnonymised - ICO code compliant\u201d); "
        "still one record per patient, so counted here as a de-identified copy.",
    ),
    ("opt-out", "a patient's objection (a \u201ctype 2 objection\u201d) to their data leaving NHS Digital."),
    ("landing only", "an organisation the data passes through, stated to hold it only in transit."),
    ("segregation", "a stated separation of copies, such as a Controlled Environment for Finance (CEfF)."),
    (
        "re-identification route",
        "a stated way for pseudonymised data to be matched back to patients, for example GP practices "
        "reading a risk-stratification tool with keys held by a third party.",
    ),
)

NONE_FOUND = "No finding: no organisation read received one dataset both identifiable and de-identified."
METHOD = (
    "A finding is one organisation and one dataset family that reached it both as an identifiable copy and as a "
    "record-level de-identified copy. The tool reads the register's own text: the processing statements are cut "
    "into sentences, the organisations and the verbs that move data are found in them, and the hops are chained "
    "from NHS Digital onward; released-file rows are read from the official register files. Each sentence in this "
    "briefing rests on the lines it cites. Limits: the statements are free text and the extraction can miss or "
    "misread a hop; a claim about opt-outs is made only where each copy's status is stated by its own text, its "
    "entry's opt-out statement, or its released files; periods are the register's release windows, not the dates "
    "data actually moved."
)


def month_words(first: str, last: str) -> str:
    """``2018-06``..``2018-09`` in words: "June–September 2018" (or "June 2018–March 2019").

    >>> month_words("2018-06", "2018-09"), month_words("2018-06", "2019-03"), month_words("2018-06", "2018-06")
    ('June–September 2018', 'June 2018–March 2019', 'June 2018')
    """
    (y1, m1), (y2, m2) = (first[:4], int(first[5:7])), (last[:4], int(last[5:7]))
    if first == last:
        return f"{_MONTHS[m1 - 1]} {y1}"
    if y1 == y2:
        return f"{_MONTHS[m1 - 1]}–{_MONTHS[m2 - 1]} {y1}"
    return f"{_MONTHS[m1 - 1]} {y1}–{_MONTHS[m2 - 1]} {y2}"


def _purpose(text: str) -> str:
    """A purpose as words in a sentence: "Commissioning (Pseudonymised) – SUS" is "commissioning"."""
    head = re.split(r"\s*(?:\(|\s[–—-]\s|:)", text.strip(), maxsplit=1)[0]
    return head.lower() if head and head != "Unspecified" else ""


def _purposes(sides: Iterable[Side]) -> str:
    words = list(dict.fromkeys(p for p in (_purpose(s.flow.purpose) for s in sides) if p))
    return " and ".join([", ".join(words[:-1]), words[-1]] if len(words) > 1 else words)


def headline(f: Finding) -> str:
    """The finding in one plain sentence, saying no more than its qualifiers carry.

    It names the recipient, the family, each side's purposes, the overlapping months and,
    only when the evidence determines it, which copy had opt-outs honoured.
    """
    if isinstance(f, FileFinding):
        fc = f.files
        text = (
            f"{f.recipient} was sent {f.family or 'the same'} data files both identifiable "
            f"({len(fc.identifiable)}) and de-identified ({len(fc.deidentified)}) in the same period, {fc.period}"
        )
    else:
        kinds = sorted({s.label for s in f.pseudonymised})
        other = " or ".join(kinds)
        pi, pp = _purposes(f.identifiable), _purposes(f.pseudonymised)
        text = (
            f"{f.recipient} received {f.family} data both identifiable{', for ' + pi if pi else ''}, "
            f"and {other}{', for ' + pp if pp else ''}"
        )
        if f.overlap:
            text += f", in {month_words(f.overlap[0], f.overlap[-1])}"
        elif f.qualifier("same_register") is not None:
            text += ", both described in the same register period (when each was sent is not stated)"
        else:
            text += ", with no month in common known"
    names = {q.name for q in f.qualifiers}
    if "opt_out_divergence" in names:
        q = next(q for q in f.qualifiers if q.name == "opt_out_divergence")
        labels = {s.label for s in f.pseudonymised} if isinstance(f, Convergence) else set()
        other = labels.pop() if len(labels) == 1 else "de-identified"
        if isinstance(f, FileFinding):
            ident_first = "applied on every identifiable" in q.statement
        else:
            ident_first = q.statement.startswith("opt-outs honoured on the identifiable")
        first, second = ("identifiable", other) if ident_first else (other, "identifiable")
        text += f"; opt-outs were honoured on the {first} copy and not on the {second} one"
    elif "opt_outs_partly_known" in names:
        text += (
            "; opt-outs were applied to some of these files and not to others, and which copy is which is not stated"
        )
    return text + "."


# ---------------------------------------------------------------------------------------
# What a briefing holds


@dataclass(frozen=True, slots=True)
class Picture:
    """An SVG drawn for the briefing: its file name (Markdown) and its markup."""

    name: str
    svg: str


@dataclass(frozen=True)
class Briefing:
    """Everything a briefing shows, gathered by the api from the register."""

    title: str
    sources: tuple[str, ...]
    findings: tuple[Finding, ...]
    entries: tuple[Entry, ...] = ()
    organisation: OrganisationSummary | None = None
    pages: tuple[Page, ...] = ()
    redflags: tuple[RedFlag, ...] = ()
    counts: dict[str, int] = field(default_factory=dict)
    top: int = 10


def _base(path: str) -> str:
    file, sep, sheet = path.partition("#")
    return Path(file).name + sep + sheet


def _cite_words(c: Cited) -> str:
    where = f"{_base(c.source)}, {'row' if '#' in c.source else 'line'} {c.line}"
    extra = ", ".join(x for x in (c.reference, c.row_id) if x)
    return f"{where}" + (f", {extra}" if extra else "")


def _bars(f: Convergence) -> list[Bar]:
    out: dict[tuple[str, str, str, str], Bar] = {}
    for s in (*f.identifiable, *f.pseudonymised):
        p = s.flow.period
        b = p.bounds() if p is not None and (p.reversed or s.undated) else s.window
        if b is None:
            continue
        last = b[1]
        status = s.opt_outs_found.status if s.opt_outs_found else OptOut.UNKNOWN
        note = {OptOut.YES: "opt-outs honoured", OptOut.NO: "opt-outs not honoured", OptOut.MIXED: "opt-outs both ways"}
        words = note.get(status, "")
        if p is not None and p.reversed:
            words = "window published backwards" + (f"; {words}" if words else "")
        elif s.undated:
            words = "not dated: the register's period only" + (f"; {words}" if words else "")
        key = (s.flow.reference, s.flow.purpose, s.label, b[0])
        out.setdefault(
            key,
            Bar(
                f"{s.flow.reference} · {s.flow.purpose}",
                s.hop.identifiability,
                b[0],
                last,
                words,
                bool(p and p.reversed),
                s.undated,
            ),
        )
    return sorted(out.values(), key=lambda b: (-b.level.rank, b.first, b.label))


def _lanes(f: Convergence, most: int = 6) -> tuple[list[Lane], int]:
    lanes: dict[tuple[object, ...], Lane] = {}
    for s in (*f.identifiable, *f.pseudonymised):
        hops = s.flow.hops[: len(s.path) - 1]
        stops = [Stop(hops[0].source.name, hops[0].source.role)] if hops else []
        stops += [Stop(h.target.name, h.target.role, h.landing_only) for h in hops]
        key = (s.label, tuple((x.name, x.landing_only) for x in stops))
        lanes.setdefault(
            key, Lane(f"{s.label} · {s.flow.purpose} · {s.flow.reference}", s.hop.identifiability, tuple(stops))
        )
    ordered = sorted(lanes.values(), key=lambda lane: (-lane.level.rank, lane.label))
    return ordered[:most], max(0, len(ordered) - most)


# ---------------------------------------------------------------------------------------
# HTML


def _counted(n: int, what: str) -> str:
    """``"1 finding from flows"`` from ``(1, "finding from flows|findings from flows")``."""
    single, _, plural = what.partition("|")
    return f"{n} {single if n == 1 or not plural else plural}"


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _css() -> str:
    return (resources.files(__package__) / "assets" / "report.css").read_text(encoding="utf-8")


def _anchor(n: int) -> str:
    return f"finding-{n}"


def _finding_html(n: int, f: Finding, pictures: list[Picture]) -> str:
    parts = [
        f'<section class="finding" id="{_anchor(n)}"><h3>{n}. {_e(f.recipient)} — {_e(f.family or "datasets")} '
        f'<span class="severity">severity {f.severity} ({_e(f.severity_label)})</span></h3>',
        f'<p class="headline">{_e(headline(f))}</p>',
    ]
    if isinstance(f, Convergence):
        bars = _bars(f)
        if bars:
            svg = timeline(
                bars,
                overlap=(f.overlap[0], f.overlap[-1]) if f.overlap else None,
                ident=f"t{n}",
                title=f"When the copies of {f.family} reached {f.recipient}",
            )
            pictures.append(Picture(f"finding-{n}-timeline.svg", svg))
            parts.append(f'<figure class="picture">{svg}<figcaption>When each copy was released.</figcaption></figure>')
        lanes, more = _lanes(f)
        svg = routes(lanes, ident=f"r{n}", title=f"How the copies of {f.family} reached {f.recipient}")
        pictures.append(Picture(f"finding-{n}-routes.svg", svg))
        caption = "The routes of the copies." + (f" {more} more routes are in the evidence below." if more else "")
        parts.append(f'<figure class="picture">{svg}<figcaption>{_e(caption)}</figcaption></figure>')
    parts.append('<h4>What the evidence says</h4><ul class="claims">')
    for q in f.qualifiers:
        parts.append(f'<li><span class="weight">{q.weight:+d}</span> {_e(q.statement)}')
        if q.evidence:
            parts.append('<ul class="evidence">')
            for c in q.evidence[:12]:
                parts.append(f"<li><q>{_e(c.text)}</q> <cite>{_e(_cite_words(c))}</cite></li>")
            if len(q.evidence) > 12:
                parts.append(
                    f"<li>and {len(q.evidence) - 12} more citations (dfg converge --format json lists them)</li>"
                )
            parts.append("</ul>")
        if q.others:
            parts.append(
                f'<p class="note">{q.others} other routes near this organisation belong to other agreements '
                "or hops, and are not counted here.</p>"
            )
        parts.append("</li>")
    parts.append("</ul></section>")
    return "".join(parts)


def _page_says(p: Page) -> str:
    said = []
    if p.unsafe_files is not None:
        said.append(f"{p.unsafe_files} data files in total were disseminated unsafely")
    if p.red_flag:
        said.append(p.red_flag)
    return "; ".join(said)


def _redflags_html(briefing: Briefing) -> str:
    parts = ['<section class="redflags"><h2>Red flags</h2>']
    stated = [p for p in briefing.pages if p.unsafe_files is not None or p.red_flag]
    parts.append("<h3>Stated by the register pages</h3>")
    if stated:
        parts.append("<ul>")
        for p in stated:
            parts.append(f"<li><q>{_e(_page_says(p))}</q> <cite>{_e(_base(p.source))}</cite></li>")
        parts.append("</ul>")
    else:
        parts.append("<p>No page read states a red flag.</p>")
    parts.append("<h3>Computed from the released files</h3>")
    if briefing.redflags:
        parts.append(
            "<table><thead><tr><th>recipient</th><th>dataset</th><th>period</th><th>files with opt-outs applied</th>"
            "<th>not applied</th></tr></thead><tbody>"
        )
        for r in briefing.redflags:
            parts.append(
                f"<tr><td>{_e(r.recipient)}</td><td>{_e(r.dataset)}</td><td>{_e(r.period)} ({_e(r.period_kind)})</td>"
                f"<td>{r.files_applied}</td><td>{r.files_not_applied}</td></tr>"
            )
        parts.append("</tbody></table>")
    else:
        parts.append(
            "<p>No released files read show files of one dataset sent in one period with opt-outs both "
            "applied and not applied.</p>"
        )
    parts.append("</section>")
    return "".join(parts)


def _agreements_html(briefing: Briefing) -> str:
    cores = {
        s.flow.agreement
        for f in briefing.findings
        if isinstance(f, Convergence)
        for s in (*f.identifiable, *f.pseudonymised)
    }
    entries = [e for e in briefing.entries if e.agreement in cores]
    if not entries:
        return ""
    parts = [
        '<section class="agreements"><h2>The agreements involved</h2><table><thead><tr><th>reference</th>'
        "<th>title</th><th>period</th><th>legal basis</th><th>opt-outs honoured (as stated)</th></tr></thead><tbody>"
    ]
    for e in sorted(entries, key=lambda e: (e.agreement, e.reference, e.id)):
        period = f"{e.period.start or '?'} to {e.period.end or '?'}" if e.period else "not stated"
        if e.period is not None and e.period.reversed:
            period += " (published backwards)"
        optouts = e.opt_outs.raw or e.opt_outs.honoured.value
        parts.append(
            f"<tr><td>{_e(e.reference)}</td><td>{_e(e.title)}</td><td>{_e(period)}</td>"
            f"<td>{_e('; '.join(e.legal_basis) or 'not stated')}</td><td>{_e(optouts)}</td></tr>"
        )
    parts.append("</tbody></table></section>")
    return "".join(parts)


def _glossary_html() -> str:
    items = "".join(f"<dt>{_e(term)}</dt><dd>{_e(words)}</dd>" for term, words in GLOSSARY)
    return (
        f'<section class="glossary"><h2>What the words mean</h2><dl>{items}</dl>'
        f"<h2>How findings are found, and their limits</h2><p>{_e(METHOD)}</p></section>"
    )


def _summary_html(briefing: Briefing, shown: Sequence[Finding]) -> str:
    c = briefing.counts
    parts = [
        '<section class="summary"><h2>In numbers</h2><ul>',
        *(f"<li>{_e(_counted(n, what))}</li>" for what, n in c.items()),
        "</ul>",
    ]
    if shown:
        parts.append('<h2>The most severe findings</h2><ol class="ranked">')
        for n, f in enumerate(shown, 1):
            parts.append(
                f'<li><a href="#{_anchor(n)}">{_e(f.recipient)} — {_e(f.family or "datasets")}</a>, '
                f"severity {f.severity} ({_e(f.severity_label)}): {_e(headline(f))}</li>"
            )
        parts.append("</ol>")
    parts.append("</section>")
    return "".join(parts)


def _organisation_html(summary: OrganisationSummary) -> str:
    org: Organisation = summary.organisation
    facts = [
        ("role", org.role.value + ("" if org.reviewed else " (guessed from its name)")),
        ("ODS code", org.ods or ""),
        ("received", "; ".join(f"{fam}: {', '.join(levels)}" for fam, levels in summary.received.items())),
        ("fed by", ", ".join(n.name for n in summary.upstream)),
        ("sent data to", ", ".join(n.name for n in summary.downstream)),
        ("released files", f"{summary.files.releases} ({summary.files.not_applied} with opt-outs not applied)"),
    ]
    rows = "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in facts if v and not v.startswith("0 ("))
    return f'<section class="organisation"><h2>About {_e(org.name)}</h2><dl>{rows}</dl></section>'


#: The briefing loads nothing: no script, no request; styles and pictures are inline.
_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def render_html(briefing: Briefing) -> tuple[str, list[Picture]]:
    """The briefing as one HTML page (no script; inline SVG), and its pictures."""
    pictures: list[Picture] = []
    shown = list(briefing.findings[: briefing.top])
    lead = (
        "".join(f'<p class="lead">{_e(headline(f))}</p>' for f in shown[:3])
        if briefing.organisation is not None
        else ""
    )
    body = [
        f"<header><h1>{_e(briefing.title)}</h1>{lead}"
        f'<p class="sources">Read from {_e(", ".join(_base(s) for s in briefing.sources) or "no input")}.</p></header>',
        _organisation_html(briefing.organisation) if briefing.organisation is not None else "",
        _summary_html(briefing, shown),
        '<section class="findings"><h2>The findings, one by one</h2>',
        *(_finding_html(n, f, pictures) for n, f in enumerate(shown, 1)),
        ""
        if shown
        else "<p>No finding: no organisation read received one dataset both identifiable and de-identified.</p>",
        "</section>",
        _redflags_html(briefing),
        _agreements_html(briefing),
        _glossary_html(),
    ]
    page = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{_e(briefing.title)}</title>'
        f"<style>{_css()}</style></head><body>" + "".join(body) + "</body></html>\n"
    )
    return page, pictures


# ---------------------------------------------------------------------------------------
# Markdown


def _md(text: object) -> str:
    """Register text as Markdown text: markup characters escaped, so it stays text."""
    return re.sub(r"([\\`*_{}\[\]<>()#+!|])", r"\\\1", str(text))


def render_markdown(briefing: Briefing, picture_folder: str) -> tuple[str, list[Picture]]:
    """The briefing as Markdown with the same text; pictures as SVG files in ``picture_folder``."""
    _, pictures = render_html(briefing)  # the same pictures, drawn once
    by_name = {p.name for p in pictures}
    shown = list(briefing.findings[: briefing.top])
    out = [f"# {_md(briefing.title)}", ""]
    if briefing.organisation is not None:
        out += [_md(headline(f)) for f in shown[:3]] + [""]
    out += [f"Read from {_md(', '.join(_base(s) for s in briefing.sources))}.", "", "## In numbers", ""]
    out += [f"- {_md(_counted(n, what))}" for what, n in briefing.counts.items()]
    out += ["", "## The findings, one by one", ""]
    for n, f in enumerate(shown, 1):
        out += [
            f"### {n}. {_md(f.recipient)} — {_md(f.family or 'datasets')} (severity {f.severity}, {f.severity_label})",
            "",
        ]
        out += [_md(headline(f)), ""]
        for kind in ("timeline", "routes"):
            name = f"finding-{n}-{kind}.svg"
            if name in by_name:
                out += [f"![{kind} of finding {n}]({picture_folder}/{name})", ""]
        out += ["What the evidence says:", ""]
        for q in f.qualifiers:
            out.append(f"- {q.weight:+d} {_md(q.statement)}")
            out += [f"  - \u201c{_md(c.text)}\u201d ({_md(_cite_words(c))})" for c in q.evidence[:12]]
        out.append("")
    out += ["## Red flags", "", "Stated by the register pages:", ""]
    stated = [p for p in briefing.pages if p.unsafe_files is not None or p.red_flag]
    out += [f"- {_md(_page_says(p))} ({_md(_base(p.source))})" for p in stated] or ["- none"]
    out += ["", "Computed from the released files:", ""]
    out += [
        f"- {_md(r.recipient)}: {_md(r.dataset)}, {_md(r.period)} ({_md(r.period_kind)}): "
        f"{r.files_applied} files with opt-outs applied, {r.files_not_applied} without"
        for r in briefing.redflags
    ] or ["- none"]
    out += ["", "## What the words mean", ""]
    out += [f"- **{term}**: {_md(words)}" for term, words in GLOSSARY]
    out += ["", "## How findings are found, and their limits", "", _md(METHOD), ""]
    return "\n".join(out), pictures
