"""Where the data shipped with the package lives (seeds, ontology), installed or in a checkout."""

from __future__ import annotations

import importlib.resources
from pathlib import Path

__all__ = ["embedded_path"]


def embedded_path(name: str) -> Path:
    """The folder of embedded data (``seeds``, ``ontology``), installed or in a checkout."""
    packaged = importlib.resources.files("dataflow_graph") / "_embedded" / name
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parent.parent / name
