"""The columns of register files: their canonical names, how headers are recognised, sheet roles.

Headers are matched by their words, not their exact spelling, so a header with line
breaks or a note inside it, a renamed header, a shuffled column order and extra columns
are all read.  A sheet's role (agreements, datasets, releases, amendments, notes) comes
from its name, or else from the columns its header has.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass

from .values import cell_text

__all__ = [
    "COLUMNS",
    "LABELS",
    "SECTIONS",
    "USES",
    "Column",
    "Role",
    "canonical",
    "column_label",
    "normalise_header",
    "role_by_columns",
    "role_by_name",
]


@dataclass(frozen=True, slots=True)
class Column:
    """A canonical column: a pattern over the normalised header and its usual spellings."""

    name: str
    pattern: re.Pattern[str]
    known: frozenset[str]


def _column(name: str, pattern: str, *known: str) -> Column:
    return Column(name, re.compile(pattern), frozenset(known))


#: Canonical columns, most specific first (the first pattern that matches wins).
COLUMNS: tuple[Column, ...] = (
    _column(
        "opt_outs",
        r"opt[- ]?outs?\b",
        "patient opt-outs applied",
        "patient opt-outs applied (note: anonymised - ico code compliant data may show as "
        "'y' due to inclusion of 'date of death')",
    ),
    _column("row_id", r"^row ?id$", "rowid", "row id"),
    _column("controller_kind", r"sole.{0,4}joint|joint.{0,4}sole", "sole/joint data controller"),
    _column("controllers", r"data controller", "data controller(s)", "data controllers"),
    _column("organisation_type", r"organi[sz]ation type", "organisation type", "applicant organisation type"),
    _column("commercial", r"commercial", "for commercial purposes"),
    _column("sublicensing", r"sub-?licen[cs]", "does sublicensing apply"),
    _column("dsa_start", r"\bstart\b", "dsa start date"),
    _column("dsa_end", r"\bend date\b|\b(dsa|agreement) end\b|^end$", "dsa end date"),
    _column("mr_number", r"^mr (number|no)", "mr number (where relevant)"),
    _column("month", r"\bmonth\b|date of release|release date|date released", "month file released", "date of release"),
    _column(
        "reference",
        r"\breference\b|\bnic (number|no)\b|^ref\b|^dars\b",
        "reference number",
        "nic number",
        "odr reference",
    ),
    _column(
        "legal_basis",
        r"legal basis",
        "legal basis for provision of data",
        "legal basis for the release of personally identifiable data",
    ),
    _column(
        "category",
        r"^data provided to customer|data type|type of data|^identifiability",
        "data provided to customer: identifiable, anonymised - ico code compliant, aggregated -anonymised",
        "data type provided to applicant",
        "type of data",
    ),
    _column("confidentiality", r"common law|duty of confidentiality", "common law duty of confidentiality"),
    _column("sensitive", r"sensitiv", "sensitive or non-sensitive"),
    _column("frequency", r"frequency|one ?-?off|ongoing", "frequency", "one off release or ongoing releases"),
    _column("objectives", r"objective", "objective for processing"),
    _column("processing", r"processing activit|^processing$", "processing activities"),
    _column("outputs", r"\boutputs?\b", "expected output"),
    _column("yielded", r"yielded|achieved benefit", "yielded benefits"),
    _column("benefits", r"benefit", "expected measurable benefits"),
    _column("title", r"\btitle\b", "application title"),
    _column("dataset", r"^us$|^data ?sets?\b|^data source|^dataset", "us", "dataset", "data source"),
    _column(
        "organisation",
        r"organi[sz]ation|recipient|^applicant\b|^customer\b",
        "organisation name",
        "organisation",
        "data recipient",
        "applicant organisation",
    ),
    _column("purpose", r"purpose", "purpose"),
)


def normalise_header(header: object) -> str:
    """A header as a comparison key: white space collapsed, lower case.

    >>> normalise_header("Data provided to customer:\\nIdentifiable,  Anonymised ")
    'data provided to customer: identifiable, anonymised'
    """
    return " ".join(cell_text(header).split()).lower()


def canonical(header: str) -> Column | None:
    """The canonical column a header names, or None.

    >>> canonical("NIC Number").name, canonical("Month File\\nReleased").name, canonical("Notes")
    ('reference', 'month', None)
    """
    key = normalise_header(header)
    return next((c for c in COLUMNS if c.pattern.search(key)), None) if key else None


class Role(str, enum.Enum):
    """What the rows of one table are."""

    ENTRIES = "entries"
    DATASETS = "datasets"
    RELEASES = "releases"
    AMENDMENTS = "amendments"
    NOTES = "notes"


#: Canonical columns each role turns into record fields; any other column is kept raw.
USES: dict[Role, frozenset[str]] = {
    Role.ENTRIES: frozenset(
        {
            "reference",
            "organisation",
            "title",
            "organisation_type",
            "controllers",
            "dsa_start",
            "dsa_end",
            "sublicensing",
            "commercial",
            "objectives",
            "processing",
            "outputs",
            "benefits",
            "yielded",
        }
    ),
    Role.DATASETS: frozenset({"reference", "dataset", "category", "sensitive", "frequency", "legal_basis"}),
    Role.RELEASES: frozenset(
        {
            "row_id",
            "organisation",
            "dataset",
            "category",
            "sensitive",
            "legal_basis",
            "frequency",
            "reference",
            "opt_outs",
            "month",
            "purpose",
            "organisation_type",
        }
    ),
}
USES[Role.AMENDMENTS] = USES[Role.RELEASES]

#: Free-text columns of an entry -> the name of its section (as on a register page).
SECTIONS: tuple[tuple[str, str], ...] = (
    ("objectives", "Objectives"),
    ("processing", "Processing"),
    ("outputs", "Outputs"),
    ("benefits", "Expected Benefits"),
    ("yielded", "Yielded Benefits"),
)


def role_by_name(name: str) -> Role | None:
    """The role of a sheet from its name ("DataReleases", "PurposeStatements", "README"...).

    >>> role_by_name("AmendmentsToPreviousRegisters"), role_by_name("Data Releases"), role_by_name("Sheet1")
    (<Role.AMENDMENTS: 'amendments'>, <Role.RELEASES: 'releases'>, None)
    """
    key = re.sub(r"[^a-z]", "", name.lower())
    if "amend" in key:
        return Role.AMENDMENTS
    if "release" in key:
        return Role.RELEASES
    if "purpose" in key or "agreement" in key:
        return Role.ENTRIES
    if "dataset" in key:
        return Role.DATASETS
    if key.startswith(("readme", "title", "nbo", "contents", "notes", "cover")):
        return Role.NOTES
    return None


def role_by_columns(columns: Iterable[str]) -> Role | None:
    """The role of a table from the canonical columns its header has (needs a reference)."""
    cols = set(columns)
    if "reference" not in cols:
        return None
    if cols & {"objectives", "processing", "outputs", "title", "controllers", "dsa_start"}:
        return Role.ENTRIES
    if cols & {"month", "organisation", "opt_outs", "row_id"}:
        return Role.RELEASES
    if "dataset" in cols:
        return Role.DATASETS
    return None


#: Canonical column -> the usual header, named in diagnostics.
LABELS = {
    "opt_outs": "Patient Opt-Outs Applied",
    "row_id": "RowID",
    "controller_kind": "Sole/Joint Data Controller",
    "controllers": "Data Controller(s)",
    "organisation_type": "Applicant Organisation Type",
    "commercial": "For Commercial Purposes",
    "sublicensing": "Does Sublicensing Apply",
    "dsa_start": "DSA Start Date",
    "dsa_end": "DSA End Date",
    "mr_number": "MR Number",
    "month": "Month File Released",
    "reference": "Reference Number",
    "category": "Type of Data",
    "legal_basis": "Legal Basis for Provision of Data",
    "confidentiality": "Common Law Duty of Confidentiality",
    "sensitive": "Sensitive or Non-Sensitive",
    "frequency": "Frequency",
    "objectives": "Objective for Processing",
    "processing": "Processing Activities",
    "outputs": "Expected Output",
    "yielded": "Yielded Benefits",
    "benefits": "Expected Measurable Benefits",
    "title": "Application Title",
    "dataset": "Dataset",
    "organisation": "Organisation",
    "purpose": "Purpose",
}


def column_label(index: int, *, letters: bool) -> str:
    """The name of a column without a header: its spreadsheet letters, or its CSV number.

    >>> column_label(27, letters=True), column_label(27, letters=False)
    ('column AB', 'column 28')
    """
    if not letters:
        return f"column {index + 1}"
    name, n = "", index + 1
    while n:
        n, r = divmod(n - 1, 26)
        name = chr(65 + r) + name
    return f"column {name}"
