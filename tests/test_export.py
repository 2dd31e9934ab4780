"""The export registry: GEXF and GraphML for Gephi and Cytoscape, HTML, and the RDF slots."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from dataclasses import replace

import networkx as nx
import pytest

from dataflow_graph import api
from dataflow_graph.errors import UsageError
from dataflow_graph.examples import two_copies
from dataflow_graph.graph import build_graph
from dataflow_graph.outputs.formats import WRITERS, Exportable, export, flat_graph

GRAPH_FORMATS = ("gexf", "graphml")
READERS = {"gexf": nx.read_gexf, "graphml": nx.read_graphml}


@pytest.fixture(scope="module")
def register():
    return api.load()


def test_export_registry_names_the_graph_and_html_formats():
    assert {"gexf", "graphml", "html"} <= set(WRITERS)


@pytest.mark.parametrize("fmt", GRAPH_FORMATS)
def test_export_graph_format_reads_back_with_every_hop(register, fmt, tmp_path):
    path = tmp_path / f"flows.{fmt}"
    data = api.export(register, fmt, path)
    assert path.read_bytes() == data
    back = READERS[fmt](path)
    G = api.graph(register)
    assert set(back.nodes) == set(G.nodes)
    assert back.number_of_edges() == G.number_of_edges()
    assert back.nodes["org:nhs-thurrock-ccg"]["role"] == "controller"
    edge = next(d for _, _, d in back.edges(data=True) if d["reference"] == "DARS-NIC-81831-Y2N8H")
    assert {
        "entry",
        "reference",
        "purpose",
        "kind",
        "identifiability",
        "families",
        "landing_only",
        "evidence_source",
        "evidence_line",
        "evidence_text",
    } <= set(edge)
    assert edge["evidence_source"].startswith("seeds/")


def test_export_flat_graph_has_only_scalar_attributes(register):
    F = flat_graph(api.graph(register))
    values = [v for _, d in F.nodes(data=True) for v in d.values()]
    values += [v for _, _, d in F.edges(data=True) for v in d.values()]
    assert values
    assert all(isinstance(v, (str, int, float, bool)) for v in values)


@pytest.mark.parametrize("fmt", GRAPH_FORMATS)
def test_export_hostile_text_stays_well_formed_xml(fmt, tmp_path):
    ex = two_copies()
    bad = replace(ex.organisations["org:example-ccg"], name='<img src=x> & "quotes" \x0b\x00')
    flows = [
        replace(
            f,
            hops=tuple(
                replace(h, target=bad, evidence=replace(h.evidence, text="</edge>\x1f")) if h.target.id == bad.id else h
                for h in f.hops
            ),
        )
        for f in ex.flows
    ]
    path = tmp_path / f"x.{fmt}"
    export(Exportable(build_graph(flows)), fmt, path)
    back = READERS[fmt](path)
    assert back.nodes["org:example-ccg"]["name"] == '<img src=x> & "quotes" \ufffd\ufffd'
    assert {d["evidence_text"] for _, v, d in back.edges(data=True) if v == bad.id} == {"</edge>\ufffd"}


@pytest.mark.parametrize("fmt", GRAPH_FORMATS)
def test_export_same_bytes_twice_and_no_date(register, fmt):
    data = api.export(register, fmt)
    assert data == api.export(api.load(), fmt)
    assert b"lastmodifieddate" not in data


_DIGEST = """
import hashlib
from dataflow_graph import api
r = api.load()
print(hashlib.sha256(api.export(r, "gexf") + api.export(r, "graphml") + api.export(r, "html")).hexdigest())
"""


def test_export_same_bytes_under_any_hash_seed():
    digests = {
        subprocess.run(
            [sys.executable, "-c", _DIGEST],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        ).stdout.strip()
        for seed in ("0", "777")
    }
    assert len(digests) == 1


def test_export_to_binary_file_object(register):
    buf = io.BytesIO()
    data = api.export(register, "html", buf, focus="NHS Thurrock CCG", depth=1)
    assert buf.getvalue() == data
    assert data.startswith(b"<!DOCTYPE html>")


def test_export_unknown_format_is_a_usage_error(register):
    with pytest.raises(UsageError, match="expected one of"):
        api.export(register, "dot")


@pytest.mark.parametrize("fmt", ["turtle", "nt", "jsonld"])
def test_export_rdf_slot_writes_deterministic_rdf(register, fmt):
    assert fmt in WRITERS
    data = api.export(register, fmt)
    assert data
    assert data == api.export(api.load(), fmt)
