"""Shared fixtures: where the repository's inputs are. Keep this small and generic."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _load_cache_folder(tmp_path_factory, monkeypatch):
    """Every test's load cache in a fresh temporary folder, never the user's own (subprocesses too)."""
    monkeypatch.setenv("DFG_CACHE_DIR", str(tmp_path_factory.mktemp("dfg-cache")))


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The checkout's root (where ``seeds/`` and ``pyproject.toml`` live)."""
    return ROOT


@pytest.fixture(scope="session")
def seed_path() -> Path:
    """The real register page of the seed (NHS Thurrock CCG, 7 entries)."""
    return ROOT / "seeds" / "000_95fc53981bcca0e2.txt"


@pytest.fixture(scope="session")
def pages_dir() -> Path:
    """The bad-input corpus of register pages: one tiny file per defect."""
    return ROOT / "tests" / "data" / "pages"


@pytest.fixture(scope="session")
def gold_path() -> Path:
    """The hand-labelled truth for the seed page."""
    return ROOT / "tests" / "gold" / "thurrock.yaml"


@pytest.fixture(scope="module")
def example():
    """The smallest convergence, hand-built (dataflow_graph.examples.two_copies)."""
    from dataflow_graph.examples import two_copies

    return two_copies()


@pytest.fixture(scope="module")
def ds(example):
    """The example as an RDF dataset."""
    from dataflow_graph.rdf.store import to_rdf

    return to_rdf(example.entries, example.flows, example.organisations)
