"""Processing blocks: the structures of real processing statements, filled in."""

from __future__ import annotations

from dataclasses import dataclass

from .records import _steps, _Writer
from .vocabulary import _CONDITIONS, _HOSTS, _IV_CHECKS, _LINKED, _PROCESSORS, _RESEARCH_TEXT, _Region

# ---------------------------------------------------------------------------------------
# Processing blocks


@dataclass(slots=True)
class _Ctx:
    """Names one entry's statement refers to."""

    ccg: str
    region: _Region
    processor: str
    other_ccg: str

    def dscro(self, w: _Writer) -> str:
        return w.pick(self.region.dscro)

    def csu(self, w: _Writer) -> str:
        return w.pick(self.region.csu)


def _invoice_validation(w: _Writer, c: _Ctx, where: str) -> list[str]:
    d = c.dscro(w)
    first = w.pick(
        (
            f"Identifiable SUS+ Data is obtained from the SUS+ Repository to {d}.",
            f"SUS Data is sent from the SUS Repository to {d}.",
            f"{w.pick(c.region.dscro_long)} receives a flow of SUS identifiable data for the CCG from the "
            "SUS Repository.",
        )
    )
    if where == "ccg":
        push = (
            f"{d} pushes a one-way data flow of SUS+ data into the Controlled Environment for Finance (CEfF) "
            "located in the CCG."
        )
    elif where == "landing":
        csu = c.csu(w)
        push = (
            f"{d} pushes a one-way data flow of identifiable SUS data into the Controlled Environment for "
            f"Finance (CEfF) located in the CCG via {csu} as a landing point only due to {d} Regional "
            "Processing Centre restrictions."
        )
    else:
        push = (
            f"{d} pushes a one-way data flow of SUS data into the Controlled Environment for Finance (CEfF) "
            f"in the {c.csu(w)}."
        )
    who = "The CEfF conduct" if where != "csu" else "The CSU carry out"
    tail = (
        "The CCG are notified by the CEfF that the invoice has been validated and can be paid. Any "
        "discrepancies or non-validated invoices are investigated and resolved"
    )
    if where == "csu":
        tail += (
            " between the CSU CEfF team and the provider meaning that no identifiable data needs to be sent "
            "to the CCG. The CCG only receives notification to pay and management reporting detailing the "
            "total quantum of invoices received, pending, processed etc."
        )
    lines = [
        "Invoice Validation",
        *_steps(
            w,
            [
                first,
                push,
                f"{who} the following processing activities for invoice validation purposes:",
                *_IV_CHECKS,
                tail,
            ],
        ),
    ]
    if w.chance(0.3):
        lines.append(
            "Staff within the CEfF may refer to other resources and data in other computer systems (such "
            f"as the {w.pick(_PROCESSORS[:3])} service) while performing invoice validation, but no data "
            "flows between the systems, or outside the CEfF."
        )
    return lines


def _risk_stratification(w: _Writer, c: _Ctx) -> list[str]:
    d, p = c.dscro(w), c.processor
    steps = [
        f"SUS Data is sent from the SUS Repository to {d}.",
        "SUS data identifiable at the level of NHS number regarding hospital admissions, A&E attendances and "
        f"outpatient attendances is delivered securely from {d} to the data processor.",
        f"Data quality management and standardisation of data is completed by {d} and the data identifiable at "
        f"the level of NHS number is transferred securely to {p} who hold the SUS data within the secure Data "
        "Centre on N3.",
        f"Identifiable GP Data is securely sent from the GP system to {p}",
        "SUS data is linked to GP data in the risk stratification tool by the data processor.",
        "As part of the risk stratification processing activity, GPs have access to the risk stratification tool "
        "within the data processor, which highlights patients with whom the GP has a legitimate relationship and "
        "have been classed as at risk. The only identifier available to GPs is the NHS numbers of their own "
        "patients.",
        f"{p} who hosts the risk stratification system that holds SUS data is limited to those administrative "
        "staff with authorised user accounts used for identification and authentication.",
        f"Once {p} has completed the processing, the CCG can access the online system via a secure N3 connection "
        "to access the data pseudonymised at patient level and aggregated reports.",
    ]
    lines = ["Risk Stratification", *_steps(w, steps)]
    if w.chance(0.5):
        lines += [
            "GPs are able to re-identify information only for their own patients for the purpose of direct care.",
            "Re-identification (managed under RBAC) requires an additional step to access re-identification "
            "keys held by an independent third party key management service (operated by BMS) that has no "
            "access to the data.",
        ]
    if w.chance(0.3):
        lines.append("No risk stratification data will be shared with any other organisation.")
    return lines


def _commissioning(w: _Writer, c: _Ctx, dp: int | None) -> list[str]:
    d, csu = c.dscro(w), c.csu(w)
    # not "Commissioning – Pseudonymised – SUS": the page parser takes that line for an entry heading
    head = w.pick(
        (
            "Commissioning (Pseudonymised) \u2013 SUS and Local Flows",
            "Pseudonymised \u2013 SUS and Local Flows",
            "Commissioning \u2013 Pseudonymised \u2013 SUS and Local Flows",
        )
    )
    lines = [head]
    if dp is not None:
        lines.append(f"Data Processor {dp} \u2013 {csu}:")
    pass_on = w.pick(
        (
            f"Data quality management and pseudonymisation of data is completed by {d} and the pseudonymised data is "
            f"then passed securely to {csu} for the addition of derived fields, linkage of data sets and analysis.",
            f"The pseudonymised data is securely transferred from {d} to {csu} for the addition of derived fields, "
            "linkage of data sets and analysis.",
        )
    )
    steps = [
        f"{w.pick(c.region.dscro_long)} obtains a flow of SUS identifiable data for the CCG from the SUS "
        f"Repository. {d} also obtains identifiable local provider data for the CCG directly from Providers.",
        pass_on + " Allowed linkage is between SUS data sets and local flows.",
    ]
    if w.chance(0.35):
        steps.append(f"{csu} then passes the pseudonymised data securely to {c.processor}.")
        steps.append(
            f"{c.processor} then pass the processed, pseudonymised and linked data to the CCG who analyse "
            "the data to see patient journeys for pathways or service design, re-design and "
            "de-commissioning."
        )
    else:
        steps.append(
            f"{csu} then pass the processed, pseudonymised and linked data to the CCG who analyse the data "
            "to see patient journeys for pathways or service design, re-design and de-commissioning."
        )
    if w.chance(0.25):
        steps.append(
            f"The CCG then pass the processed, pseudonymised data to {c.other_ccg} for joint commissioning "
            "of shared services. Only Pseudonymised data will be shared between the CCGs."
        )
    steps.append(
        "Patient level data will not be shared outside of the CCG and will only be shared within the CCG "
        "on a need to know basis, as per the purposes stipulated within the Data Sharing Agreement. "
        "External aggregated reports only with small number suppression can be shared."
    )
    return lines + _steps(w, steps)


def _mental_health(w: _Writer, c: _Ctx) -> list[str]:
    d, csu = c.dscro(w), c.csu(w)
    steps = [
        f"{w.pick(c.region.dscro_long)} receives a flow of data identifiable at the level of NHS number for Mental "
        f"Health (MHSDS, MHMDS, MHLDDS) and Maternity (MSDS). {d} also receive a flow of pseudonymised patient level "
        "data for each CCG for Improving Access to Psychological Therapies (IAPT), Child and Young People\u2019s "
        "Health (CYPHS) and Diagnostic Imaging (DIDS) for commissioning purposes",
        f"Data quality management and pseudonymisation of data is completed by {d} and the pseudonymised data is "
        f"then passed securely to {csu} for the addition of derived fields, linkage of data sets and analysis.",
        f"{csu} then pass the processed, pseudonymised and linked data to the CCG who analyse the data to see "
        "patient journeys for pathways or service design, re-design and de-commissioning.",
        "The CCG completes aggregation of required data for CCG management use \u2013 disclosing any outputs at the "
        "appropriate level.",
        "Patient level data will not be shared outside of the CCG. External aggregated reports only.",
    ]
    return ["Pseudonymised \u2013 Mental Health, MSDS, IAPT, CYPHS and DIDS", *_steps(w, steps)]


def _mede_linkage(w: _Writer, c: _Ctx) -> list[str]:
    csu = c.csu(w)
    p = w.pick(("Medeanalytics International Limited", "MedeAnalytics International Limited"))
    steps = [
        "Pseudonymised SUS, Local Provider data, Mental Health data (MHSDS, MHMDS, MHLDDS) and Maternity data "
        f"(MSDS) only is securely transferred from the DSCRO to {csu} for landing only.",
        f"{csu} then pass the processed, Pseudonymised data provided under DSCRO contracts to the CCGs\u2019 data "
        f"processor, {p} where it is received, stored and processed",
        f"On arrival at {p}, one of the operational staff then transfers the data from the secure landing zone to "
        "the ETL process, where it is linked.",
        "Allowed linkage is between the data sets contained within point 1 and the following data that is "
        "pseudonymised at source using the Medeanalytics pseudonymisation tool:",
        *(f"o {x}" for x in _LINKED[: w.rng.randrange(3, len(_LINKED) + 1)]),
        f"CCG users use online features of the {p} system to produce reports, charts and dashboards to analyse "
        "the data for the purposes listed.",
    ]
    return [
        "Commissioning",
        *_steps(w, steps),
        "Re-identification (managed under RBAC) requires an additional step to access re-identification keys "
        "held by an independent third party key management service (operated by BMS) that has no access to the "
        "data.",
        "Only GP Practice users are able to re-identify patients and only when they have a legitimate reason "
        "and a legal right to re-identify.",
    ]


def _release_to(w: _Writer, org: str, kind: str) -> list[str]:
    """Processing of a non-DSCRO agreement: a one-hop release, hosting, negated onward flows."""
    name = org.title().replace("Nhs", "NHS").replace("Ltd", "Ltd").replace("(Ucl)", "(UCL)")
    lines = [
        f"NHS Digital will securely transfer the data to {name} using the Secure Electronic File Transfer "
        "(SEFT) service."
    ]
    if kind == "council":
        lines.append(
            "Data will not be transferred or otherwise made available to any third party, including "
            "Commissioning Support Units, Data Services for Commissioners Regional Offices, any organisation "
            "for the purposes of health research, or any Business Intelligence company."
        )
    elif kind == "company":
        host = w.pick(_HOSTS)
        lines.append(
            f"The data is then imported into the {name} SQL data warehouse that is hosted as discrete "
            f"physical servers by {host}."
        )
        lines.append(f"{host} has no access to the data and will not be shared the data.")
    elif kind == "university" and w.chance(0.5):
        lines.append(
            f"{name} will then securely transfer a study ID to SAIL, and SAIL will link these data to the "
            "HES extract from NHS Digital."
        )
    lines += w.rng.sample(_RESEARCH_TEXT, 4)
    return lines + list(_CONDITIONS[: w.rng.randrange(9, len(_CONDITIONS) + 1)])
