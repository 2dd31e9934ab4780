"""Entries: CCG commissioning entries and other applicants' entries."""

from __future__ import annotations

from .blocks import (
    _commissioning,
    _Ctx,
    _invoice_validation,
    _mede_linkage,
    _mental_health,
    _release_to,
    _risk_stratification,
)
from .records import _Entry, _Org, _Writer
from .vocabulary import (
    _BENEFIT_PARAGRAPHS,
    _BENEFITS,
    _BOILERPLATE,
    _COMM_OBJECTIVES,
    _HES,
    _LPF,
    _MH,
    _OBJECTIVES,
    _OUTPUTS,
    _PROCESSORS,
    _REGIONS,
    _RESEARCH,
    _SEGREGATION,
    _SEGREGATION_MORE,
    _SUS,
    _TITLES,
)

# ---------------------------------------------------------------------------------------
# Entries


def _sections(w: _Writer, purposes: list[str], lines: list[str], dscro: str = "") -> dict[str, list[str]]:
    """Objectives, Expected Benefits, Outputs and Processing of one entry."""
    objectives, benefits, outputs = [], [], []
    for p in purposes:
        objectives += list(_OBJECTIVES[p])
        if p == "comm":
            objectives += _COMM_OBJECTIVES[: w.rng.randrange(10, len(_COMM_OBJECTIVES) + 1)]
        head = "Public health analysis" if p == "research" else _OBJECTIVES[p][0]
        benefits.append(head)
        benefits += [f"{i}. {b}" for i, b in enumerate(w.rng.sample(_BENEFITS, w.rng.randrange(11, 18)), 1)]
        benefits += _BENEFIT_PARAGRAPHS[: w.rng.randrange(1, len(_BENEFIT_PARAGRAPHS) + 1)]
        outputs.append(head)
        outputs += [f"{i}. {o}" for i, o in enumerate(w.rng.sample(_OUTPUTS, w.rng.randrange(11, 18)), 1)]
    boiler = [
        b.format(dscro=dscro)
        for b in _BOILERPLATE[: w.rng.randrange(5, len(_BOILERPLATE) + 1)]
        if dscro or "{dscro}" not in b
    ]
    yielded = (
        ["N/A"]
        if w.chance(0.3)
        else [*w.rng.sample(_BENEFIT_PARAGRAPHS, 3), *w.rng.sample(_BENEFITS, 6), *w.rng.sample(_OUTPUTS, 6)]
    )
    return {
        "Objectives": objectives,
        "Yielded Benefits": yielded,
        "Expected Benefits": benefits,
        "Outputs": outputs,
        "Processing": boiler
        + (["Processing activities:", *boiler] if w.chance(0.5) else [])
        + list(_SEGREGATION)
        + lines
        + list(_SEGREGATION_MORE[: w.rng.randrange(2, len(_SEGREGATION_MORE) + 1)]),
    }


def _ccg_entry(w: _Writer, org: _Org, kind: str, window: tuple[str, str], other: str) -> _Entry:
    c = _Ctx(org.name, org.region or _REGIONS[0], w.pick(_PROCESSORS), other)
    if kind.startswith("iv"):
        lines, purposes = _invoice_validation(w, c, kind[3:]), ["iv"]
        datasets, category = [w.pick(_SUS[:2])], "identifiable"
        opt = "Yes - patient objections upheld (Excuses: Section 251, Section 251 NHS Act 2006)"
        basis = (
            "Section 251 approval is in place for the flow of identifiable data, National Health Service Act "
            "2006 - s251 - 'Control of patient information'."
        )
    else:
        lines, purposes = [], []
        if kind in ("rs", "all"):
            lines, purposes = _risk_stratification(w, c), ["rs"]
        if kind in ("comm", "all", "mede"):
            lines += _commissioning(w, c, 1 if w.chance(0.3) else None) if kind != "mede" else _mede_linkage(w, c)
            lines += _mental_health(w, c) if w.chance(0.85) else []
            purposes.append("comm")
        datasets = [w.pick(_SUS), *w.rng.sample(_LPF, w.rng.randrange(2, 8)), *w.rng.sample(_MH, w.rng.randrange(0, 6))]
        category = "pseudonymised"
        opt = w.pick(("N (Excuses: Section 251)", "N", "No - data flow is not identifiable"))
        basis = "Health and Social Care Act 2012 \u2013 s261(1) and s261(2)(b)(ii)"
    ods = f"{w.rng.randrange(1, 99):02d}{w.pick('ABCDEFGHJKLMNPQRSTVWXY')}"
    controllers = f"{org.name.upper()}, NHS {org.icb} ICB - {ods}"
    return _Entry(
        "",
        w.reference(),
        org.name,
        opt,
        basis,
        window,
        None,
        datasets,
        category,
        controllers,
        _sections(w, purposes, lines, c.dscro(w)),
    )


def _other_entry(w: _Writer, org: _Org) -> _Entry:
    pool = {"university": _HES + _RESEARCH, "council": _HES[:3], "company": _HES, "trust": _HES + _RESEARCH}
    names = pool.get(org.kind, _HES)
    datasets = w.rng.sample(names, w.rng.randrange(1, min(5, len(names) + 1)))
    category = w.pick(("pseudonymised", "pseudonymised", "identifiable", "aggregate"))
    lines = _release_to(w, org.name, org.kind)
    sections = _sections(w, ["research"], lines)
    basis = w.pick(
        (
            "Health and Social Care Act 2012",
            "Section 251 approval is in place for the flow of identifiable data",
            "Informed Patient consent to permit the receipt, processing and release of data by the HSCIC",
        )
    )
    return _Entry(
        w.pick(_TITLES),
        w.reference(),
        org.name,
        w.pick(("N", "Y", "N, Y", "No - not applicable for this dataset")),
        basis,
        w.window(),
        None,
        datasets,
        category,
        org.name,
        sections,
    )


def _page_entries(w: _Writer, org: _Org, count: int, others: list[str]) -> list[_Entry]:
    """A recipient's entries; a CCG gets identifiable and pseudonymised SUS in overlapping windows."""
    if org.kind != "ccg":
        entries = [_other_entry(w, org) for _ in range(count)]
        for i, e in enumerate(entries, 1):
            e.title = e.title if w.chance(0.5) else f"Project {i}"
        return entries
    base = w.window()
    kinds = [w.pick(("iv-ccg", "iv-landing", "iv-csu")), w.pick(("comm", "all", "mede"))]
    kinds += [w.pick(("iv-csu", "rs", "comm", "all", "all", "mede", "iv-ccg")) for _ in range(count - 2)]
    entries = []
    for i, kind in enumerate(kinds[:count]):
        window = base if i < 2 else w.window()
        entries.append(_ccg_entry(w, org, kind, window, w.pick(others)))
    if count >= 2 and kinds[0] in ("iv-ccg", "iv-landing"):
        w.planted.append((org.name, "SUS"))
    for i, e in enumerate(entries):
        e.title = f"DSfC - {org.name} - IV" if i == 0 and kinds[0].startswith("iv") else f"Project {i + 1}"
        if i == 0 and w.chance(0.5):
            e.dsa = w.window()
    return entries


# ---------------------------------------------------------------------------------------
