"""Each module imports only what its layer allows (STYLE.md §2.1)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "dataflow_graph"
THIRD_PARTY = {"networkx", "rdflib", "pyvis", "rich", "click", "yaml", "pyoxigraph",
               "pyshacl", "owlrl", "python_calamine", "oxrdflib", "openpyxl", "defusedxml"}

#: module -> what it may import (package modules and third-party libraries).
ALLOWED: dict[str, set[str]] = {
    "errors": set(),
    "model": {"errors"},
    "sources": {"errors"},
    "dates": {"errors", "model"},
    "names": {"errors", "model", "yaml"},
    "page": {"errors", "model", "sources", "dates", "names"},
    "register_csv": {"errors", "model", "sources", "dates", "names", "python_calamine",
                     "openpyxl", "defusedxml"},
    "redflags": {"errors", "model", "names", "dates"},
    "flows": {"errors", "model", "names", "dates"},
    "graph": {"networkx", "model"},
    "queries": {"networkx", "errors", "model", "graph"},
    "evaluation": {"errors", "model", "names", "yaml"},
    "vocab": {"rdflib"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                if node.module:
                    found.add(node.module.split(".")[0])
                else:
                    found |= {alias.name for alias in node.names}
            elif node.module:
                top = node.module.split(".")[0]
                found.add(node.module.split(".")[1] if top == "dataflow_graph" else top)
    return found


@pytest.mark.parametrize("module", sorted(ALLOWED))
def test_layering_module_imports_only_its_layer(module):
    path = PACKAGE / f"{module}.py"
    if not path.exists():
        pytest.skip(f"{module}.py not written yet")
    ours = {p.stem for p in PACKAGE.glob("*.py")}
    used = {m for m in _imports(path) if m in ours or m in THIRD_PARTY}
    assert used <= ALLOWED[module], f"{module} imports {sorted(used - ALLOWED[module])}"
