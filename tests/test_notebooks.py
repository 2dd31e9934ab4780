"""The notebooks run top to bottom (nbclient), and are stored clean, so they cannot rot."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
NAMES = ["explore_thurrock.ipynb", "register_2017.ipynb"]

pytestmark = pytest.mark.notebook


@pytest.mark.parametrize("name", NAMES)
def test_notebook_is_stored_without_outputs(name):
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code
    assert all(c.outputs == [] and c.execution_count is None for c in code)
    assert all(c.get("id") for c in nb.cells)


@pytest.mark.parametrize("name", NAMES)
def test_notebook_runs_top_to_bottom_without_error(name):
    from nbclient import NotebookClient

    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    client = NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}})
    client.execute()  # raises CellExecutionError on the first failing cell
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert errors == []
    text = "".join(
        o.get("text", "") + o.get("data", {}).get("text/plain", "")
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.outputs
    )
    assert "Traceback" not in text
    if name == "explore_thurrock.ipynb":
        assert "NHS Thurrock CCG" in text
        assert "SPARQL layer not available" not in text
        images = [o for c in nb.cells for o in c.get("outputs", ()) if "image/png" in o.get("data", {})]
        assert len(images) == 1
        frames = [o for c in nb.cells for o in c.get("outputs", ()) if "text/html" in o.get("data", {})]
        assert any("<iframe srcdoc=" in o["data"]["text/html"] for o in frames)
    else:
        assert "Red flags" in text
        assert "Convergence at CCGs" in text
        assert "Top recipients by severity" in text
