"""Page layouts (newer, older, earliest) and the organisations that own pages."""

from __future__ import annotations

from .records import _Entry, _Org, _Writer
from .vocabulary import _CATEGORY, _COMPANIES, _COUNCILS, _ICBS, _PLACES, _REGIONS, _TRUSTS, _UNIVERSITIES

# Page layouts


def _newer(w: _Writer, e: _Entry, last: bool) -> list[str]:
    ref = e.reference + (" " if w.chance(0.02) and _count(w, "trailing_space_reference") else "")
    start, end = e.window
    if w.chance(0.02) and _count(w, "reversed_window"):
        start, end = end, start
    when = f"DSA runs {e.dsa[0].replace('.', '-')} \u2013 {e.dsa[1].replace('.', '-')} " if e.dsa else ""
    lines = [
        f"{e.title} \u2014 {ref}",
        f"Opt outs honoured: {e.opt_outs}",
        f"Legal basis: {e.legal_basis}",
        f"Purposes: {w.pick(('No (Clinical Commissioning Group (CCG), Sub ICB Location)', '()', 'No ()'))}",
        f"Sensitive: {w.pick(('Sensitive', 'Sensitive', 'Non Sensitive'))}",
        f"When:{when}{start} \u2014 {end}.",
        f"Access method: {w.pick(('Frequent adhoc flow', 'Frequent adhoc flow, One-Off', 'Ongoing'))}",
        f"Data-controller type: {e.controllers}",
        f"Sublicensing allowed: {w.pick(('No', ''))}",
        f"AGD/predecessor discussions: igard-minutes-{w.rng.randrange(1, 29)}-may-{start[:4]}.pdf",
    ]
    if last and w.chance(0.15) and _count(w, "truncated_entry"):
        return lines[: w.rng.randrange(3, 8)]
    no_datasets = w.chance(0.03) and _count(w, "missing_datasets_label")
    lines += [] if no_datasets else ["Datasets:"]
    lines += [f"  {i}. {d}" if no_datasets else f"- {d}" for i, d in enumerate(e.datasets, 1)]
    lines.append(f"Type of data: {_CATEGORY[e.category].split(' ')[0] if w.chance(0.5) else ''}".rstrip())
    for name, body in e.sections.items():
        if name == "Objectives" and (no_datasets or w.chance(0.02)) and _count(w, "missing_objectives_label"):
            lines += ["", *body]
            continue
        lines += [f"{name}:", *body]
    return lines


def _older(w: _Writer, e: _Entry, position: int) -> list[str]:
    start, end = e.window
    lines = [
        f"Project {position} \u2014 {e.reference}",
        f"Opt outs honoured: {e.opt_outs}",
        f"Sensitive: {w.pick(('Sensitive', 'Sensitive, and Non Sensitive'))}",
        f"When: {start.replace('.', '/')}{' (or before)' if w.chance(0.2) else ''} \u2014 {end.replace('.', '/')}.",
        f"Repeats: {w.pick(('Ongoing', 'One-Off'))}",
        f"Legal basis: {e.legal_basis}",
        f"Categories: {_CATEGORY[e.category]}",
        "Datasets:",
        "",
    ]
    lines += [f"  \u2022 {d}" for d in e.datasets]
    out = lines[:8]
    out = [x for line in out for x in (line, "")]  # the older pages put a blank line after each field
    out += [*lines[8:], ""]
    for name in ("Objectives", "Outputs", "Processing"):
        out += [f"{name}:", "", *e.sections[name], ""]
    return out


def _earliest(w: _Writer, e: _Entry) -> list[str]:
    title = e.organisation.title()
    lines = [f"{title} \u2014 {e.reference}"]
    if w.chance(0.7):
        lines.append(f"HSCIC Id: {e.reference.removeprefix('DARS-').rsplit('-', 1)[0]}")
    lines += [
        f"Basis: {e.legal_basis}",
        f"Format: {_CATEGORY[e.category]}",
        f"How often: {w.pick(('Monthly', 'One-off', 'Quarterly'))}",
    ]
    if w.chance(0.5):
        lines.append(f"Data: {'; '.join(e.datasets)}")
    else:
        lines += ["Data:", *(f"- {d}" for d in e.datasets)]
    objectives = e.sections["Objectives"]
    lines += [f"Objectives: {objectives[0]}", *objectives[1:], "Processing:", *e.sections["Processing"]]
    return lines


def _count(w: _Writer, defect: str) -> bool:
    w.defects[defect] += 1
    return True


def _page(w: _Writer, org: _Org, entries: list[_Entry], layout: str) -> str:
    lines = ["NHS Digital Data Release Register - reformatted", f"{org.name} projects"]
    if layout == "newer":
        lines.append(
            f"{w.rng.randrange(1, 900)} data files in total were disseminated unsafely (information about "
            'files used safely is missing for TRE/"system access" projects).'
        )
        if org.kind == "ccg" and w.chance(0.6):
            lines.append(
                f"\U0001f6a9 {org.name} was sent multiple files from the same dataset, in the same month, "
                "both with optouts respected and with optouts ignored."
            )
    for i, e in enumerate(entries, 1):
        if layout == "older":
            lines += _older(w, e, i)
        elif layout == "earliest":
            lines += _earliest(w, e)
        else:
            lines += _newer(w, e, last=i == len(entries))
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------
# Organisations and pages


def _organisations(w: _Writer, pages: int) -> list[_Org]:
    """Page recipients: mostly CCGs (every place once before any repeats), then the other kinds."""
    places = list(_PLACES)
    w.rng.shuffle(places)
    orgs: list[_Org] = []
    kinds = (("university", _UNIVERSITIES), ("council", _COUNCILS), ("company", _COMPANIES), ("trust", _TRUSTS))
    used: set[str] = set()
    for i in range(pages):
        if i % 5 != 4:
            place = places[len([o for o in orgs if o.kind == "ccg"]) % len(places)]
            suffix = "" if place not in used else f" {len([o for o in orgs if o.place == place]) + 1}"
            used.add(place)
            orgs.append(_Org(f"NHS {place}{suffix} CCG", "ccg", place, w.pick(_REGIONS), w.pick(_ICBS)))
        else:
            kind, pool = kinds[(i // 5) % len(kinds)]
            name = pool[(i // 20) % len(pool)]
            n = len([o for o in orgs if o.name.startswith(name)])
            orgs.append(_Org(name if not n else f"{name} ({n + 1})", kind))
    return orgs


def _entry_counts(w: _Writer, total: int) -> list[int]:
    """How many entries each page has (3 to 40, about 20 on average), summing to ``total``."""
    counts: list[int] = []
    left = total
    while left > 0:
        n = min(left, w.rng.randrange(3, 41))
        counts.append(n)
        left -= n
    return counts
