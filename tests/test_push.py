"""Push to a real SPARQL 1.1 server (oxigraph serve on 127.0.0.1), query it, kill it mid-push."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from dataflow_graph.cli import cli
from dataflow_graph.examples import two_copies
from dataflow_graph.rdf.endpoint import run_endpoint
from dataflow_graph.rdf.push import PushError, graph_payloads, push, staging_graph
from dataflow_graph.rdf.sparql import ReadOnlyError, named_queries, run
from dataflow_graph.rdf.store import records_store

pytestmark = pytest.mark.server

BIG = "https://w3id.org/dataflow-graph/id/graph/NIC-99999-ZZZZZ"


def _oxigraph() -> str | None:
    here = Path(sys.executable).parent / "oxigraph"
    return str(here) if here.exists() else shutil.which("oxigraph")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One ``oxigraph serve`` process on 127.0.0.1 over a directory, restartable."""

    def __init__(self, location: Path) -> None:
        self.location, self.port = location, _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, wait: float = 15.0) -> None:
        exe = _oxigraph()
        assert exe is not None
        self.process = subprocess.Popen(
            [
                exe,
                "serve",
                "--location",
                str(self.location),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--union-default-graph",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/query?query=ASK%7B%7D", timeout=1):
                    return
            except OSError:
                if self.process.poll() is not None:
                    break
                time.sleep(0.05)
        self.kill()
        pytest.fail(f"oxigraph serve did not answer on {self.url} within {wait} s")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def graph(self, iri: str) -> set[bytes]:
        query = urllib.parse.urlencode({"graph": iri})
        request = urllib.request.Request(f"{self.url}/store?{query}", headers={"Accept": "application/n-triples"})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return set(response.read().splitlines()) - {b""}
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                return set()
            raise


@pytest.fixture
def server(tmp_path):
    if _oxigraph() is None:
        reason = "the oxigraph server binary is not installed (pip install oxigraph)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    s = Server(tmp_path / "store")
    s.start()
    yield s
    s.kill()


def _with_big_graph(store: ox.Store, version: str, n: int = 40_000) -> ox.Store:
    g = ox.NamedNode(BIG)
    p = ox.NamedNode("https://w3id.org/dataflow-graph/ns#purposeText")
    store.extend(ox.Quad(ox.NamedNode(f"{BIG}/flow/{i}"), p, ox.Literal(f"{version} {i}"), g) for i in range(n))
    return store


def _example(version: str, n: int = 40_000) -> ox.Store:
    ex = two_copies()
    entries = tuple(dataclasses.replace(e, purposes=f"{e.purposes} ({version})") for e in ex.entries)
    return _with_big_graph(records_store(entries, ex.flows, ex.organisations), version, n)


def test_push_query_and_kill_mid_push(server):
    old, new = _example("old"), _example("new")
    results = push(old, server.url)
    assert [r.status for r in results] == [204] * len(results)
    assert len(results) == 5  # two agreements, the big graph, concepts, reference

    local = records_store(*_records())
    query_url = f"{server.url}/query"
    for name, text in named_queries().items():
        remote = run_endpoint(query_url, text)
        assert remote == run(local, text), name
    assert [
        r["recipient"]
        for r in run_endpoint(query_url, named_queries()["convergence"], {"recipient": "org:example-ccg"})
    ] == ["org:example-ccg"]
    assert run_endpoint(query_url, named_queries()["convergence"], {"recipient": 'x" ) } DROP ALL ; #'}) == []
    with pytest.raises(ReadOnlyError):
        run_endpoint(query_url, "DROP ALL")

    started = threading.Event()
    errors: list[Exception] = []

    def pushing() -> None:
        try:
            push(new, server.url, timeout=20, on_graph=lambda iri: started.set() if iri == BIG else None)
        except PushError as exc:
            errors.append(exc)

    thread = threading.Thread(target=pushing)
    thread.start()
    assert started.wait(20)
    time.sleep(0.3)
    server.kill()
    thread.join(30)
    assert not thread.is_alive()
    server.start()

    before, after = dict(graph_payloads(old)), dict(graph_payloads(new))
    states = {}
    for iri in sorted(before):
        on_server = server.graph(iri)
        old_lines = set(before[iri].splitlines())
        new_lines = set(after[iri].splitlines())
        assert on_server in (old_lines, new_lines), f"{iri} is half written"
        states[iri] = "old" if on_server == old_lines else "new"
    assert len(states) == 5
    # graphs sorted before the big one were replaced before the kill; if the kill cut the push
    # off (the usual case: the big graph takes over a second), the ones after it are untouched
    assert [states[i] for i in sorted(states) if i < BIG] == ["new", "new"]
    if errors:
        assert [states[i] for i in sorted(states) if i > BIG] == ["old", "old"]


def _records():
    ex = two_copies()
    return ex.entries, ex.flows, ex.organisations


def test_push_gsp_put_replaces_graphs(server):
    push(_example("old"), server.url, method="gsp")
    results = push(_example("new"), server.url, method="gsp")
    assert all(r.status in (201, 204) for r in results)
    assert server.graph(BIG) == set(dict(graph_payloads(_example("new")))[BIG].splitlines())


def _named_graphs(server: Server) -> set[str]:
    rows = run_endpoint(f"{server.url}/query", "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    return {str(r["g"]) for r in rows}


def test_push_over_the_body_limit_is_staged_moved_and_confirmed(server):
    push(_example("old", 10_000), server.url)
    results = push(_example("new", 10_000), server.url, max_body=64 * 1024)
    big = next(r for r in results if r.graph == BIG)
    assert big.requests > 10  # slices, then one MOVE
    assert all(r.confirmed == r.triples for r in results)
    # every graph under the limit (the concept schemes are not: they are staged too) in one request
    assert all(r.requests == 1 for r in results if r.graph != BIG and r.bytes <= 64 * 1024)
    assert [r.graph for r in results if r.graph != BIG and r.requests > 1] in (
        [],
        [r.graph for r in results if r.graph.endswith("/graph/concepts")],
    )
    assert big.confirmed == big.triples == 10_000
    assert server.graph(BIG) == set(dict(graph_payloads(_example("new", 10_000)))[BIG].splitlines())
    assert staging_graph(BIG) not in _named_graphs(server)


def test_push_staged_and_killed_leaves_the_graph_old_or_new_and_the_next_push_cleans_up(server):
    old, new = _example("old"), _example("new")
    push(old, server.url)
    started = threading.Event()
    errors: list[Exception] = []

    def pushing() -> None:
        try:
            push(
                new, server.url, timeout=20, max_body=64 * 1024, on_graph=lambda g: started.set() if g == BIG else None
            )
        except PushError as exc:
            errors.append(exc)

    thread = threading.Thread(target=pushing)
    thread.start()
    assert started.wait(20)
    time.sleep(0.3)
    server.kill()
    thread.join(30)
    server.start()
    on_server = server.graph(BIG)
    assert on_server in (
        set(dict(graph_payloads(old))[BIG].splitlines()),
        set(dict(graph_payloads(new))[BIG].splitlines()),
    ), "the big graph is half written"
    if errors:
        assert f"push of <{BIG}> failed" in str(errors[0])
    push(new, server.url, max_body=32 * 1024)
    assert server.graph(BIG) == set(dict(graph_payloads(new))[BIG].splitlines())
    assert not {g for g in _named_graphs(server) if g.startswith("urn:dataflow-graph:push-staging:")}


def test_push_cli_names_each_graph_as_the_server_confirms_it(server):
    result = CliRunner().invoke(cli, ["push", "--endpoint", server.url])
    assert result.exit_code == 0, result.output
    graphs = [json.loads(line)["graph"] for line in result.stdout.splitlines()]
    assert [line for line in result.stderr.splitlines() if line.startswith("pushed <")] == [
        f"pushed <{g}> ({server_count(server, g)} triples confirmed)" for g in graphs
    ]
    assert result.stderr.splitlines()[-1] == f"{len(graphs)} graphs pushed and confirmed at {server.url}"


def server_count(server: Server, graph: str) -> int:
    return len(server.graph(graph))


def test_push_to_nowhere_fails_cleanly():
    port = _free_port()
    with pytest.raises(PushError):
        push(_example("old"), f"http://127.0.0.1:{port}", timeout=2)


if os.environ.get("DFG_SKIP_SERVER"):
    pytestmark = [pytest.mark.server, pytest.mark.skip(reason="DFG_SKIP_SERVER is set")]
