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
    "rdf": {"rdflib", "pyoxigraph", "oxrdflib", "pyshacl", "errors", "model", "vocab", "sources"},
    "sparql": {"rdflib", "pyoxigraph", "oxrdflib", "errors", "vocab", "sources"},
    "push": {"pyoxigraph", "rdflib", "errors", "rdf"},
    "render": {"rich", "queries", "model"},
    "examples": {"errors", "model", "graph"},
    "html": {"networkx", "pyvis", "errors", "model"},
    "export": {"networkx", "errors", "model", "api", "html", "rdf"},
}


def _imports(path: Path) -> tuple[set[str], set[str]]:
    """(package modules imported, third-party top-level packages imported)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    ours: set[str] = set()
    absolute: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            absolute |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                if node.module:
                    ours.add(node.module.split(".")[0])
                else:
                    ours |= {alias.name for alias in node.names}
            elif node.module and node.module.startswith("dataflow_graph."):
                ours.add(node.module.split(".")[1])
            elif node.module:
                absolute.add(node.module.split(".")[0])
    return ours, absolute


@pytest.mark.parametrize("module", sorted(ALLOWED))
def test_layering_module_imports_only_its_layer(module):
    path = PACKAGE / f"{module}.py"
    if not path.exists():
        pytest.skip(f"{module}.py not written yet")
    package, absolute = _imports(path)
    used = package | (absolute & THIRD_PARTY)
    assert used <= ALLOWED[module], f"{module} imports {sorted(used - ALLOWED[module])}"
