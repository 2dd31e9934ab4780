"""The networkx projection of the flows and the queries over it.

``build`` (the graph), ``paths`` (routes), ``reach`` (upstream / downstream),
``convergence`` (flow findings), ``releases`` and ``findings`` (red flags and findings
from released files), ``severity`` (the one scoring table), ``periods`` (months of a
window), ``lookup`` (organisation arguments) and ``summaries`` (one organisation, one
agreement).
"""

from .build import RollUp, build_graph, rolled_up
from .convergence import Convergence, Excluded, Linkage, Reidentification, Segregation, Side, convergences
from .findings import FileFinding, FileSide, file_finding, file_findings, ranked
from .lookup import name_keys, of_recipient, recipient_id, release_recipient, resolve_organisation
from .paths import FlowPath, flow_paths
from .periods import in_window, months_of
from .qualifiers import Cited, CopyOptOuts, Facts, Qualifier
from .reach import Direction, Neighbour, downstream, neighbours, upstream
from .releases import (
    Evidence,
    FileConvergence,
    RedFlag,
    RedFlagReport,
    file_convergences,
    known_recipients,
    not_applied,
    period_of,
    recipient_of,
    redflag_report,
    redflags,
)
from .severity import HIGH, MEDIUM, SEVERITY, label, score
from .summaries import (
    AgreementSummary,
    OrganisationSummary,
    ReleaseFacts,
    agreement_summary,
    organisation_summary,
    release_facts,
    release_only_summary,
)

__all__ = [
    "HIGH",
    "MEDIUM",
    "SEVERITY",
    "AgreementSummary",
    "Cited",
    "Convergence",
    "CopyOptOuts",
    "Direction",
    "Evidence",
    "Excluded",
    "Facts",
    "FileConvergence",
    "FileFinding",
    "FileSide",
    "FlowPath",
    "Linkage",
    "Neighbour",
    "OrganisationSummary",
    "Qualifier",
    "RedFlag",
    "RedFlagReport",
    "Reidentification",
    "ReleaseFacts",
    "RollUp",
    "Segregation",
    "Side",
    "agreement_summary",
    "build_graph",
    "convergences",
    "downstream",
    "file_convergences",
    "file_finding",
    "file_findings",
    "flow_paths",
    "in_window",
    "known_recipients",
    "label",
    "months_of",
    "name_keys",
    "neighbours",
    "not_applied",
    "of_recipient",
    "organisation_summary",
    "period_of",
    "ranked",
    "recipient_id",
    "recipient_of",
    "redflag_report",
    "redflags",
    "release_facts",
    "release_only_summary",
    "release_recipient",
    "resolve_organisation",
    "rolled_up",
    "score",
    "upstream",
]
