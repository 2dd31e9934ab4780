"""The on-disk store of ``dfg sparql --store`` gives what a run without it gives.

Its key is the load cache's (the code and data files, the read limits, each input's bytes
as read once) with the base IRI: before, it was the version and each file's name and
bytes, read a second time, so limits and changed rules were ignored and standard input,
pipes and missing inputs failed.  And a register made from a loaded one with other entries
(``dataclasses.replace``) does not share its load cache.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dataflow_graph import api, cache

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_95fc53981bcca0e2.txt"
SMALL = ROOT / "tests" / "data" / "pages" / "older.txt"


def _rows(paths, store=None):
    return sorted(map(repr, api.sparql([str(p) for p in paths], "holders", store=store)))


def test_store_follows_the_read_limits(tmp_path, monkeypatch):
    """DFG_LIMIT_* change what is read: a store built under other limits is not served."""
    store = str(tmp_path / "store")
    monkeypatch.delenv("DFG_LIMIT_FILE_BYTES", raising=False)
    _rows([SEED, SMALL], store)  # fills the store with both files read
    monkeypatch.setenv("DFG_LIMIT_FILE_BYTES", "10000")  # the 94 KB seed page is now refused
    assert _rows([SEED, SMALL], store) == _rows([SEED, SMALL])


def test_store_follows_the_code_and_rules(tmp_path, monkeypatch):
    """A changed rules.yaml, gazetteer or module (the same version) does not reuse the store
    the old code built (the key holds :func:`dataflow_graph.cache.code_digest`)."""
    from dataflow_graph.rdf import register as rdf_register

    built = []
    real = rdf_register.rdf_store
    monkeypatch.setattr(rdf_register, "rdf_store", lambda *a, **k: built.append(1) or real(*a, **k))
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules: 1\n", encoding="utf-8")
    files = cache.source_files()
    monkeypatch.setattr(cache, "source_files", lambda: [*files, rules])
    monkeypatch.setattr(cache, "_CODE", {})
    store = str(tmp_path / "store")
    _rows([SMALL], store)
    rules.write_text("rules: 2\n", encoding="utf-8")  # the code changed, the version did not
    monkeypatch.setattr(cache, "_CODE", {})
    _rows([SMALL], store)
    assert len(built) == 2, "the store built by the previous code was served"


def test_store_follows_the_ontology(tmp_path, monkeypatch):
    """The concepts graph is made from ontology/dataflow.ttl (outside the package in a
    checkout): a store built from another ontology is not served."""
    from dataflow_graph import _resources
    from dataflow_graph.rdf import reference

    real = Path(_resources.embedded_path("ontology"), "dataflow.ttl").read_text(encoding="utf-8")
    assert '"anonymised"@en' in real
    ontology = tmp_path / "ontology"
    ontology.mkdir()
    (ontology / "dataflow.ttl").write_text(real, encoding="utf-8")
    embedded = _resources.embedded_path
    for module in (api, reference):
        monkeypatch.setattr(module, "embedded_path", lambda name: ontology if name == "ontology" else embedded(name))
    query = tmp_path / "labels.rq"
    query.write_text(
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\nSELECT ?label WHERE { ?c skos:prefLabel ?label }",
        encoding="utf-8",
    )
    store = str(tmp_path / "store")

    def labels(store=None):
        reference.concept_statements.cache_clear()
        return {str(row["label"]) for row in api.sparql([str(SMALL)], str(query), store=store)}

    assert "anonymised" in labels(store)
    (ontology / "dataflow.ttl").write_text(real.replace('"anonymised"@en', '"anonymised, edited"@en'), encoding="utf-8")
    assert "anonymised, edited" in labels() == labels(store)
    reference.concept_statements.cache_clear()


def _dfg(*args, stdin=b"", env_extra=None):
    env = {**os.environ, "PYTHONPATH": str(ROOT), **(env_extra or {})}
    return subprocess.run(
        [sys.executable, "-m", "dataflow_graph", *args], input=stdin, capture_output=True, env=env, cwd=ROOT
    )


def test_store_reads_standard_input_once(tmp_path):
    """``-`` reads standard input, with --store too (its key read a file named '-')."""
    data = SEED.read_bytes()
    plain = _dfg("sparql", "holders", "-", "--format", "csv", stdin=data)
    stored = _dfg("sparql", "holders", "-", "--format", "csv", "--store", str(tmp_path / "st"), stdin=data)
    assert plain.returncode == 0, plain.stderr
    assert (stored.returncode, stored.stdout) == (plain.returncode, plain.stdout), stored.stderr


def test_store_with_a_missing_input_reads_the_rest(tmp_path):
    """A missing path is one DFG110 diagnostic and the others are read, with --store too."""
    args = ("sparql", "holders", str(SEED), str(tmp_path / "nosuch.txt"), "--format", "csv")
    plain = _dfg(*args)
    stored = _dfg(*args, "--store", str(tmp_path / "st"))
    assert plain.returncode == 0, plain.stderr
    assert (stored.returncode, stored.stdout) == (plain.returncode, plain.stdout), stored.stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes on this system")
def test_store_reads_a_pipe_once(tmp_path):
    """A FIFO (``<(cat page)``) is read once, for both the store's key and its records."""
    import threading

    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    writer = threading.Thread(target=lambda: fifo.write_bytes(SEED.read_bytes()), daemon=True)
    writer.start()  # opening a FIFO to write waits for its reader: the command below
    stored = _dfg("sparql", "holders", str(fifo), "--format", "csv", "--store", str(tmp_path / "st"))
    writer.join(timeout=60)
    plain = _dfg("sparql", "holders", str(SEED), "--format", "csv")
    assert (stored.returncode, stored.stdout) == (plain.returncode, plain.stdout), stored.stderr[-400:]


def test_a_register_with_other_entries_has_its_own_flows(tmp_path):
    """``dataclasses.replace(register, entries=...)`` keeps the load cache of the whole input:
    its flows are then served (or kept) as those of every entry."""
    folder = tmp_path / "cache"
    whole = api.load([SEED], cache=folder)
    whole.flows  # noqa: B018 - the flows part is written for the whole input
    some = dataclasses.replace(whole, entries=whole.entries[:1], diagnostics=type(whole.diagnostics)())
    plain = api.load([SEED])
    expected = dataclasses.replace(plain, entries=plain.entries[:1], diagnostics=type(plain.diagnostics)()).flows
    assert some.flows == expected
