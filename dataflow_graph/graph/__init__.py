"""The networkx projection of the flows: paths, reach, convergence, released-file findings."""

from .build import build_graph, rolled_up
from .queries import (
    SEVERITY,
    Convergence,
    Excluded,
    FlowPath,
    Neighbour,
    Side,
    convergences,
    downstream,
    flow_paths,
    upstream,
)
from .releases import Evidence, FileConvergence, RedFlag, file_convergences, not_applied, redflags, redflags_document

__all__ = [
    "SEVERITY",
    "Convergence",
    "Evidence",
    "Excluded",
    "FileConvergence",
    "FlowPath",
    "Neighbour",
    "RedFlag",
    "Side",
    "build_graph",
    "convergences",
    "downstream",
    "file_convergences",
    "flow_paths",
    "not_applied",
    "redflags",
    "redflags_document",
    "rolled_up",
    "upstream",
]
