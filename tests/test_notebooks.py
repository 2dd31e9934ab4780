"""The notebooks run top to bottom (nbclient), are stored clean, name only files the
repository has, and find their data without a checkout's pyproject.toml."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
NAMES = ["explore_thurrock.ipynb", "register_2017.ipynb"]
#: a file name a reader could look for: a path with an extension the repository's files have
_FILE = re.compile(r"(?<![\w/.-])((?:[\w.-]+/)*[\w.-]+\.(?:md|txt|xlsx|csv|ttl|rq|yaml|py|ipynb))\b")

pytestmark = pytest.mark.notebook


def _source(name: str) -> str:
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    return "\n".join(c.source for c in nb.cells)


def _run(path: Path) -> nbformat.NotebookNode:
    """Execute a notebook in its own folder (as Jupyter does) and return it with its outputs."""
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}})
    client.execute()  # raises CellExecutionError on the first failing cell
    return nb


def _outputs(nb: nbformat.NotebookNode) -> list[dict]:
    return [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]


def _text(nb: nbformat.NotebookNode) -> str:
    return "".join(o.get("text", "") + o.get("data", {}).get("text/plain", "") for o in _outputs(nb))


@pytest.mark.parametrize("name", NAMES)
def test_notebook_is_stored_without_outputs(name):
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code
    assert all(c.outputs == [] and c.execution_count is None for c in code)
    assert all(c.get("id") for c in nb.cells)


@pytest.mark.parametrize("name", NAMES)
def test_notebook_names_only_files_the_repository_has(name):
    named = {m.group(1) for m in _FILE.finditer(_source(name))}
    assert named
    here = {
        p.name
        for folder in ("dataflow_graph", "notebooks", "ontology", "seeds", "tests")
        for p in (ROOT / folder).rglob("*")
    }

    def exists(f: str) -> bool:
        return (ROOT / f).exists() or (NOTEBOOKS / f).exists() or ("/" not in f and f in here)

    assert [f for f in sorted(named) if not exists(f)] == []


@pytest.mark.parametrize("name", NAMES)
def test_notebook_finds_its_data_without_pyproject(name):
    assert "pyproject" not in _source(name)


def test_notebook_explore_thurrock_runs_outside_the_checkout(tmp_path):
    copy = tmp_path / "explore_thurrock.ipynb"
    shutil.copy(NOTEBOOKS / "explore_thurrock.ipynb", copy)
    nb = _run(copy)  # in a folder with no repository around it: the seed comes from the package
    outputs = _outputs(nb)
    assert [o for o in outputs if o.output_type == "error"] == []
    text = _text(nb)
    assert "Traceback" not in text
    assert "NHS Thurrock CCG" in text
    frames = [o for o in outputs if 'class="dataframe' in o.get("data", {}).get("text/html", "")]
    assert len(frames) >= 4  # flows, findings, claims, routes, SPARQL rows
    timelines = [o for o in outputs if "image/svg+xml" in o.get("data", {})]
    assert len(timelines) == 1
    assert "overlap 2018-06 to 2018-09" in timelines[0]["data"]["image/svg+xml"]
    pages = [o["data"]["text/html"] for o in outputs if "<iframe srcdoc=" in o.get("data", {}).get("text/html", "")]
    assert len(pages) == 1
    assert str(tmp_path) not in pages[0]


def test_notebook_register_2017_runs_top_to_bottom():
    nb = _run(NOTEBOOKS / "register_2017.ipynb")
    outputs = _outputs(nb)
    assert [o for o in outputs if o.output_type == "error"] == []
    text = _text(nb)
    assert "Traceback" not in text
    for title in ("Red flags", "Convergence at CCGs", "Top recipients by severity"):
        assert title in text
    frames = [o for o in outputs if 'class="dataframe' in o.get("data", {}).get("text/html", "")]
    assert len(frames) >= 5
    charts = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(charts) == 1
