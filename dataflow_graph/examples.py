"""Tiny hand-built record sets for doctests, tests and notebooks (never real register names).

:func:`two_copies` is the smallest convergence: Example CCG receives SUS identifiable (for
invoice validation, in its CEfF) under one agreement and pseudonymised (for risk
stratification) under another, both through the Example DSCRO and Example CSU.
:func:`synthetic` builds larger, reproducible record sets shaped like the register.

>>> ex = two_copies()
>>> ex.flows[0].path
('NHS Digital', 'Example DSCRO', 'Example CSU', 'Example CCG')
>>> [f.identifiability.value for f in ex.flows]
['identifiable', 'pseudonymised']
>>> sorted(ex.organisations)[:2]
['org:example-analytics-ltd', 'org:example-ccg']
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from .errors import Span
from .model import (
    Dataset,
    Entry,
    Flow,
    FlowKind,
    Hop,
    Identifiability,
    OptOut,
    OptOuts,
    Organisation,
    Period,
    Role,
)

__all__ = ["Example", "example_organisations", "synthetic", "two_copies"]

SOURCE = "examples/two_copies.txt"


@dataclass(frozen=True, slots=True)
class Example:
    """Records for one example: entries, flows and organisations by id."""

    entries: tuple[Entry, ...]
    flows: tuple[Flow, ...]
    organisations: dict[str, Organisation]


def example_organisations() -> dict[str, Organisation]:
    """NHS Digital, its DSCRO, a CSU, a CCG with a CEfF unit, and a processor, by id."""
    orgs = [
        Organisation("org:nhs-digital", "NHS Digital", Role.SOURCE, aliases=("HSCIC",)),
        Organisation("org:example-dscro", "Example DSCRO", Role.DSCRO, part_of="org:nhs-digital"),
        Organisation("org:example-csu", "Example CSU", Role.CSU),
        Organisation(
            "org:example-ccg", "Example CCG", Role.CONTROLLER, ods="99X", successor="org:example-icb", units=("CEfF",)
        ),
        Organisation("org:example-icb", "Example ICB", Role.CONTROLLER),
        Organisation("org:example-analytics-ltd", "Example Analytics Ltd", Role.PROCESSOR, reviewed=False),
    ]
    return {o.id: o for o in orgs}


def _entry(n: int, agreement: str, purpose: str, optouts: OptOut, period: Period, line: int) -> Entry:
    return Entry(
        id=f"{SOURCE}:{line}",
        source=SOURCE,
        line=line,
        position=n,
        reference=f"DARS-{agreement}",
        agreement=agreement,
        title=f"DSfC - Example CCG - {purpose}",
        organisation="Example CCG",
        opt_outs=OptOuts(optouts, "No - data flow is not identifiable" if optouts is OptOut.NO else "Yes"),
        legal_basis=("Health and Social Care Act 2012 s261(7)", "NHS Act 2006 s251"),
        purposes=purpose,
        period=period,
        controllers=("Example CCG",),
        datasets=(Dataset("SUS for Commissioners", "SUS", Span(SOURCE, line + 4)),),
        span=Span(SOURCE, line, 1, f"DSfC - Example CCG — DARS-{agreement}"),
    )


def _hop(
    orgs: dict[str, Organisation],
    a: str,
    b: str,
    level: Identifiability,
    line: int,
    text: str,
    *,
    landing_only: bool = False,
    unit: str | None = None,
) -> Hop:
    span = Span(SOURCE, line, 1, text)
    # a landing point stated in the hop's own sentence ("… as a landing point only")
    return Hop(
        orgs[a],
        orgs[b],
        level,
        span,
        landing_only=landing_only,
        unit=unit,
        landing_evidence=span if landing_only else None,
    )


def two_copies() -> Example:
    """One CCG given SUS identifiable (invoice validation) and pseudonymised (risk stratification)."""
    orgs = example_organisations()
    iv_period, rs_period = (
        Period("2018-06", "2019-05", "2018.06 — 2019.05"),
        Period("2019-01", "2019-12", "2019.01 — 2019.12"),
    )
    iv = _entry(1, "NIC-00001-AAAAA", "Invoice validation", OptOut.NO, iv_period, 1)
    rs = _entry(2, "NIC-00002-BBBBB", "Risk stratification", OptOut.YES, rs_period, 20)
    ident, pseudo = Identifiability.IDENTIFIABLE, Identifiability.PSEUDONYMISED
    flows = (
        Flow(
            "NIC-00001-AAAAA/1",
            iv.id,
            iv.reference,
            iv.agreement,
            "Invoice validation",
            FlowKind.TRANSFER,
            ("SUS",),
            ident,
            (
                _hop(
                    orgs,
                    "org:nhs-digital",
                    "org:example-dscro",
                    ident,
                    10,
                    "Identifiable SUS data flows from NHS Digital to the DSCRO.",
                ),
                _hop(
                    orgs,
                    "org:example-dscro",
                    "org:example-csu",
                    ident,
                    11,
                    "The DSCRO passes identifiable data to Example CSU as a landing point only.",
                    landing_only=True,
                ),
                _hop(
                    orgs,
                    "org:example-csu",
                    "org:example-ccg",
                    ident,
                    12,
                    "Example CSU sends the data to the CEfF of Example CCG.",
                    unit="CEfF",
                ),
            ),
            period=iv_period,
            opt_outs=OptOut.NO,
        ),
        Flow(
            "NIC-00002-BBBBB/1",
            rs.id,
            rs.reference,
            rs.agreement,
            "Risk stratification",
            FlowKind.TRANSFER,
            ("SUS",),
            pseudo,
            (
                _hop(
                    orgs,
                    "org:nhs-digital",
                    "org:example-dscro",
                    ident,
                    30,
                    "Identifiable SUS data flows from NHS Digital to the DSCRO.",
                ),
                _hop(
                    orgs,
                    "org:example-dscro",
                    "org:example-csu",
                    pseudo,
                    31,
                    "The DSCRO pseudonymises the data and sends it to Example CSU.",
                ),
                _hop(
                    orgs,
                    "org:example-csu",
                    "org:example-ccg",
                    pseudo,
                    32,
                    "Example CSU passes pseudonymised data to Example CCG.",
                ),
            ),
            period=rs_period,
            opt_outs=OptOut.YES,
        ),
    )
    return Example((iv, rs), flows, orgs)


_FAMILIES = ("SUS", "HES", "LPF", "MHSDS", "IAPT", "CYPHS", "MSDS", "DIDS")
_PURPOSES = ("Invoice validation", "Risk stratification", "Commissioning", "Research")


def synthetic(agreements: int = 100, *, controllers: int = 20, seed: int = 0) -> Example:
    """A reproducible register-shaped record set: one entry and 1-3 flows per agreement.

    >>> ex = synthetic(10, seed=1)
    >>> len(ex.entries), len(ex.flows) >= 10
    (10, True)
    >>> synthetic(10, seed=1) == ex
    True
    """
    rnd = random.Random(seed)
    orgs = example_organisations()
    csus = [Organisation(f"org:example-csu-{i}", f"Example CSU {i}", Role.CSU) for i in range(3)]
    ccgs = [
        Organisation(f"org:example-ccg-{i}", f"Example CCG {i}", Role.CONTROLLER, units=("CEfF",) if i % 4 == 0 else ())
        for i in range(controllers)
    ]
    procs = [Organisation(f"org:example-processor-{i}", f"Example Processor {i}", Role.PROCESSOR) for i in range(4)]
    orgs.update({o.id: o for o in (*csus, *ccgs, *procs)})
    entries: list[Entry] = []
    flows: list[Flow] = []
    levels = (
        Identifiability.IDENTIFIABLE,
        Identifiability.PSEUDONYMISED,
        Identifiability.ANONYMISED,
        Identifiability.AGGREGATE,
    )
    for n in range(agreements):
        core = f"NIC-{10000 + n}-{''.join(rnd.choice('ABCDEFGHJK') for _ in range(5))}"
        start = f"{rnd.randint(2014, 2021)}-{rnd.randint(1, 12):02d}"
        end = f"{int(start[:4]) + rnd.randint(0, 3)}-{start[5:]}"
        purpose = rnd.choice(_PURPOSES)
        entry = _entry(n, core, purpose, rnd.choice(list(OptOut)), Period(start, end), 40 * n + 1)
        entries.append(entry)
        ccg, csu = rnd.choice(ccgs), rnd.choice(csus)
        for k in range(rnd.randint(1, 3)):
            level = rnd.choice(levels)
            fam = rnd.sample(_FAMILIES, rnd.randint(1, 2))
            base = 40 * n + 10 + 5 * k
            hops = [
                _hop(
                    orgs,
                    "org:nhs-digital",
                    "org:example-dscro",
                    Identifiability.IDENTIFIABLE,
                    base,
                    f"{'/'.join(fam)} to the DSCRO.",
                ),
                _hop(
                    orgs,
                    "org:example-dscro",
                    csu.id,
                    level,
                    base + 1,
                    f"The DSCRO sends {level.value} data to {csu.name}.",
                ),
            ]
            if rnd.random() < 0.3:
                proc = rnd.choice(procs)
                hops.append(
                    _hop(
                        orgs,
                        csu.id,
                        proc.id,
                        level,
                        base + 2,
                        f"{csu.name} uses {proc.name}, a landing point only.",
                        landing_only=True,
                    )
                )
            hops.append(
                _hop(
                    orgs,
                    hops[-1].target.id,
                    ccg.id,
                    level,
                    base + 3,
                    f"{level.value} data to {ccg.name}.",
                    unit="CEfF" if ccg.units and level is levels[0] else None,
                )
            )
            flows.append(
                Flow(
                    f"{core}/{k + 1}",
                    entry.id,
                    entry.reference,
                    core,
                    purpose,
                    FlowKind.TRANSFER,
                    tuple(sorted(fam)),
                    level,
                    tuple(hops),
                    period=entry.period,
                    opt_outs=entry.opt_outs.honoured,
                )
            )
    return Example(tuple(entries), tuple(flows), orgs)
