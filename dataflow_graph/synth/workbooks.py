"""The two workbook layouts: a 2017 quarterly register and a Data Uses Register."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from ..errors import UsageError
from .records import _Entry, _Writer
from .vocabulary import _CATEGORY, _HES


def require_openpyxl() -> None:
    """Fail early, with the fix, when the workbook writer's library is missing (a plain install)."""
    try:
        import openpyxl  # noqa: F401
    except ImportError as exc:
        raise UsageError(
            "writing the synthetic workbooks needs openpyxl: pip install 'dataflow-graph[synth]', "
            "or pass --no-workbook to write pages only"
        ) from exc


#: Fixed timestamp of every workbook (document properties and zip entries).
_EPOCH = (2018, 1, 15, 16, 41, 16)

# ---------------------------------------------------------------------------------------
# Workbooks


_2017_RELEASE_HEADERS = (
    "RowID",
    "Organisation Name",
    "us",
    "Data provided to customer:\nIdentifiable, Anonymised - ICO code compliant, Aggregated -anonymised ",
    "Sensitive or Non-Sensitive",
    "Legal Basis for Provision of Data",
    "Purpose",
    "One off release or Ongoing releases",
    "NIC Number",
    "MR Number (where relevant)",
    "Patient Opt-Outs applied (Note: Anonymised - ICO code compliant data may show as 'Y' due to inclusion of "
    "'Date of Death')",
)
_2017_PURPOSE_HEADERS = (
    "Reference Number",
    "Organisation",
    "Objective for Processing",
    "Processing Activities",
    "Expected Output",
    "Expected Measurable Benefits",
)
_DUR_AGREEMENT_HEADERS = (
    "Reference Number",
    "Application Title",
    "Applicant Organisation Name",
    "Applicant Organisation Type",
    "Data Controller(s)",
    "Sole/Joint Data Controller",
    "DSA Start Date",
    "DSA End Date",
    "Does Sublicensing Apply",
    "For Commercial Purposes",
    "Objective for Processing",
    "Processing Activities",
    "Expected Output",
    "Expected Measurable Benefits",
    "Yielded Benefits",
)
_DUR_DATASET_HEADERS = (
    "Reference Number",
    "Dataset",
    "Type of Data",
    "Sensitive or Non-Sensitive",
    "Frequency",
    "Legal Basis for Provision of Data",
    "Common Law Duty of Confidentiality",
)
_DUR_RELEASE_HEADERS = ("Dataset", "Reference Number", "Patient Opt-Outs Applied", "Month Released")
_README = (
    "Data Release Register - Data released from NHS Digital - September to November 2017\n\nNOTE: The "
    "purpose statement is split into 4 sections. Use the NIC Number variable to link the 2 tabs. The "
    "Register indicates whether patient opt-outs were applied to the dataset before release.\n"
    "Y = Patient Opt-Outs were applied before the data were disseminated.\nN = Patient Opt-Outs were not "
    "applied.\n\nThis file is synthetic: written by dataflow_graph.synth for benchmarks."
)


def _cell_text(lines: list[str]) -> str:
    return "\n".join(lines)


def _workbook_2017(w: _Writer, entries: list[_Entry], path: Path) -> int:
    """The 2017 quarterly layout: README, Title sheet, DataReleases, PurposeStatements, NBO, amendments."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    readme = book.create_sheet("README")
    readme.append([_README.split("\n", 1)[0]])
    readme.append([None])
    readme.append([_README])
    book.create_sheet("Title sheet").append([None, "Data Release Register"])
    releases = book.create_sheet("DataReleases")
    releases.append(list(_2017_RELEASE_HEADERS))
    rows = 0
    for e in entries:
        ref = e.reference if "-v" in e.reference else f"{e.reference}-v{w.rng.randrange(0, 4)}.{w.rng.randrange(1, 9)}"
        e.reference = ref
        for name in e.datasets:
            for opt in ("Y", "N") if w.chance(0.15) else (w.pick(("Y", "N")),):
                rows += 1
                releases.append(
                    [
                        f"FILE{w.rng.randrange(10000, 99999) * 10 + rows % 10:07d}",
                        e.organisation.upper(),
                        name,
                        _2017_category(w, e.category),
                        w.pick(("Sensitive", "Non Sensitive")),
                        e.legal_basis.split(",")[0],
                        None,
                        w.pick(("Ongoing", "One-Off")),
                        ref,
                        None,
                        opt,
                    ]
                )
    statements = book.create_sheet("PurposeStatements")
    statements.append(list(_2017_PURPOSE_HEADERS))
    for e in sorted(entries, key=lambda x: x.reference):
        statements.append(
            [
                e.reference,
                e.organisation.upper(),
                _cell_text(e.sections["Objectives"]),
                _cell_text(e.sections["Processing"]),
                _cell_text(e.sections["Outputs"]),
                _cell_text(e.sections["Expected Benefits"]),
            ]
        )
    nbo = book.create_sheet("NBO")
    nbo.append([None, "Police", "Home Office", "Court Order", "Total"])
    nbo.append(["Total Receipts Processed", 70, 1775, 71, 1916])
    amend = book.create_sheet("AmendmentsToPreviousRegisters")
    amend.append([*_2017_RELEASE_HEADERS[1:], None])
    amend.append(
        [
            "PUBLIC HEALTH ENGLAND (PHE)",
            _HES[2],
            "Identifiable",
            "Sensitive",
            "Section 251 approval is in place for the flow of identifiable data",
            None,
            "Ongoing",
            w.reference(version=True),
            None,
            "Y",
            "Omitted from previous registers",
        ]
    )
    _save(book, path)
    return rows


def _2017_category(w: _Writer, category: str) -> str:
    if category == "pseudonymised":
        return w.pick(("Anonymised - ICO Code Compliant", "Anonymised - ICO code compliant"))
    return "Aggregated-Small Numbers Suppressed" if category == "aggregate" else "Identifiable"


def _workbook_data_uses(w: _Writer, entries: list[_Entry], path: Path) -> int:
    """The newer three-sheet Data Uses Register: Agreements, Datasets, DataReleases."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    agreements = book.create_sheet("Agreements")
    agreements.append(list(_DUR_AGREEMENT_HEADERS))
    datasets = book.create_sheet("Datasets")
    datasets.append(list(_DUR_DATASET_HEADERS))
    releases = book.create_sheet("DataReleases")
    releases.append(list(_DUR_RELEASE_HEADERS))
    rows = 0
    for e in entries:
        start, end = e.dsa or e.window
        agreements.append(
            [
                e.reference,
                e.title or "Commissioning",
                e.organisation.upper(),
                "CCG" if "CCG" in e.organisation else "Other",
                e.controllers,
                "Joint",
                f"{start.replace('.', '-')}-01",
                f"{end.replace('.', '-')}-28",
                "No",
                "No",
                _cell_text(e.sections["Objectives"]),
                _cell_text(e.sections["Processing"]),
                _cell_text(e.sections["Outputs"]),
                _cell_text(e.sections["Expected Benefits"]),
                "",
            ]
        )
        for name in e.datasets:
            datasets.append(
                [
                    e.reference,
                    name,
                    _CATEGORY[e.category].replace(" - ICO code compliant", ""),
                    "Sensitive",
                    "Ongoing",
                    e.legal_basis,
                    "Section 251",
                ]
            )
            for _ in range(w.rng.randrange(1, 4)):
                rows += 1
                y, m = start.split(".")
                releases.append(
                    [
                        name,
                        e.reference,
                        w.pick(("Y", "N")),
                        f"{'JanFebMarAprMayJunJulAugSepOctNovDec'[(int(m) - 1) * 3 :][:3]}-{y[2:]}",
                    ]
                )
    _save(book, path)
    return rows


def _save(book: object, path: Path) -> None:
    """Save with fixed document dates and zip timestamps, so the same seed gives the same bytes."""
    buffer = io.BytesIO()
    book.save(buffer)  # type: ignore[attr-defined]
    y, mo, d, h, mi, sec = _EPOCH
    stamp = f"{y:04d}-{mo:02d}-{d:02d}T{h:02d}:{mi:02d}:{sec:02d}Z"
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>" + stamp.encode(), data)
            dst.writestr(zipfile.ZipInfo(info.filename, date_time=_EPOCH), data, zipfile.ZIP_DEFLATED)
