"""Each package imports only what its layer allows (STYLE.md §2.1; README "Layout").

Every import counts, at module level or inside a function: an import moved into a
function body to dodge this test is still seen.  A module or package that the table
does not name fails the test, so the table grows with the tree.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "dataflow_graph"

#: unit (a top-level module or a sub-package) -> package units and third-party libraries it may import.
ALLOWED: dict[str, set[str]] = {
    "errors": set(),
    "model": {"errors"},
    "_resources": set(),
    "_lifetime": set(),
    "_speed": {"errors", "model", "_lifetime"},
    "names": {"errors", "model", "_speed", "yaml"},
    "read": {"errors", "model", "names", "_speed", "python_calamine"},
    "extract": {"errors", "model", "names", "read", "_speed", "yaml"},
    "graph": {"errors", "model", "names", "_speed", "networkx"},
    "rdf": {"errors", "model", "names", "graph", "_speed", "_resources", "rdflib", "pyoxigraph", "oxrdflib", "pyshacl"},
    "outputs": {"errors", "model", "names", "graph", "rdf", "_resources", "networkx", "pyvis", "rich"},
    "cache": {"_speed"},
    "examples": {"errors", "model"},
    "synth": {"errors", "openpyxl"},
    "api": {
        "cache",
        "errors",
        "model",
        "_resources",
        "_speed",
        "names",
        "read",
        "extract",
        "graph",
        "rdf",
        "outputs",
        "networkx",
    },
    "cli": {"api", "outputs", "errors", "model", "synth", "click", "_lifetime"},
    "__init__": {"api", "model", "errors"},
    "__main__": {"cli"},
}
STDLIB = set(sys.stdlib_module_names) | {"__future__"}


def _unit(path: Path) -> str:
    rel = path.relative_to(PACKAGE)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def _imports(path: Path) -> set[str]:
    """Units of this package and top-level third-party packages that ``path`` imports, anywhere."""
    unit_parts = path.relative_to(PACKAGE).with_suffix("").parts
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                top = alias.name.split(".")
                found.add(top[1] if top[0] == "dataflow_graph" and len(top) > 1 else top[0])
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against this module's package
                base = list(unit_parts[:-1])[: len(unit_parts) - node.level]
                target = [*base, *(node.module.split(".") if node.module else [])]
                if target:
                    found.add(target[0])
                else:
                    found |= {alias.name for alias in node.names}
            elif node.module and node.module.split(".")[0] == "dataflow_graph":
                parts = node.module.split(".")
                found |= {parts[1]} if len(parts) > 1 else {alias.name for alias in node.names}
            elif node.module:
                found.add(node.module.split(".")[0])
    return found - STDLIB


FILES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_layering_module_imports_only_its_layer(path):
    unit = _unit(path)
    assert unit in ALLOWED, f"{unit} has no line in the layering table"
    used = _imports(path) - {unit}
    assert used <= ALLOWED[unit], f"{path.relative_to(PACKAGE)} imports {sorted(used - ALLOWED[unit])}"


def test_layering_table_names_only_units_that_exist():
    units = {_unit(p) for p in FILES}
    assert set(ALLOWED) == units


def test_layering_finds_an_import_inside_a_function(tmp_path):
    module = PACKAGE / "graph" / "__layering_probe__.py"
    try:
        module.write_text("def f():\n    from ..outputs import html\n    return html\n", encoding="utf-8")
        assert "outputs" in _imports(module)
    finally:
        module.unlink()
