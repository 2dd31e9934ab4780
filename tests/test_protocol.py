"""Talking to SPARQL servers that misbehave: fake servers on 127.0.0.1, started by the tests.

Each fake is a raw socket server in a thread that answers every connection with a scripted
behaviour: redirect, hang, dribble one byte at a time, HTTP 500 with hostile text, something
that is not HTTP, a push it pretends to store.  What must hold: a total deadline per request,
no body lost to a redirect, nothing reported pushed that the server does not confirm, and
one line a person can read, never a traceback.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from click.testing import CliRunner

from dataflow_graph import api
from dataflow_graph.cli import cli
from dataflow_graph.examples import two_copies
from dataflow_graph.rdf.endpoint import run_endpoint
from dataflow_graph.rdf.protocol import EndpointError, send
from dataflow_graph.rdf.push import PushError, graph_payloads, push
from dataflow_graph.rdf.sparql import QueryError
from dataflow_graph.rdf.store import records_store


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class FakeServer:
    """A scripted server: ``respond(conn, request, server)`` answers each connection."""

    respond: Callable[[socket.socket, Request, FakeServer], None]
    requests: list[Request] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.1)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        with conn:
            try:
                request = _read_request(conn)
                self.requests.append(request)
                self.respond(conn, request, self)
            except OSError:
                pass

    def close(self) -> None:
        self.stop.set()
        self.sock.close()


def _read_request(conn: socket.socket) -> Request:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    method, path, _ = [*lines[0].split(" "), "", "", ""][:3]
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    while len(body) < int(headers.get("content-length", 0)):
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    return Request(method, path, headers, body)


def _answer(conn: socket.socket, status: str, body: bytes = b"", kind: str = "text/plain", extra: str = "") -> None:
    conn.sendall(
        f"HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {len(body)}\r\n{extra}"
        "Connection: close\r\n\r\n".encode("latin-1")
        + body
    )


@pytest.fixture
def fake() -> Iterator[Callable[..., FakeServer]]:
    servers: list[FakeServer] = []

    def start(respond: Callable[[socket.socket, Request, FakeServer], None]) -> FakeServer:
        server = FakeServer(respond)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


def _hang(conn: socket.socket, request: Request, server: FakeServer) -> None:
    server.stop.wait(30)


def _dribble(conn: socket.socket, request: Request, server: FakeServer) -> None:
    for byte in b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\nX-Slow: " + b"a" * 1000:
        if server.stop.wait(0.2):
            return
        conn.sendall(bytes([byte]))


def _dribble_body(conn: socket.socket, request: Request, server: FakeServer) -> None:
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n\r\n")
    for byte in b'{"head": {"vars": ["x"]}, "results": {"bindings": []}}' * 100:
        if server.stop.wait(0.2):
            return
        conn.sendall(bytes([byte]))


def _error_500(conn: socket.socket, request: Request, server: FakeServer) -> None:
    _answer(conn, "500 Internal Server Error", b"<h1>Boom</h1>\x1b[31mred\x1b[0m\nstack: x", "text/html")


def _not_http(conn: socket.socket, request: Request, server: FakeServer) -> None:
    conn.sendall(b"SSH-2.0-OpenSSH_9.2p1\r\n")
    server.stop.wait(0.5)


def _close(conn: socket.socket, request: Request, server: FakeServer) -> None:
    conn.shutdown(socket.SHUT_RDWR)


def _results(rows: list[dict[str, object]], names: list[str]) -> bytes:
    bindings = [{k: {"type": "literal", "value": str(v)} for k, v in row.items()} for row in rows]
    return json.dumps({"head": {"vars": names}, "results": {"bindings": bindings}}).encode()


def _redirect(code: int) -> Callable[[socket.socket, Request, FakeServer], None]:
    """Redirect ``/query`` and ``/update`` to ``/real/...``, which answer as a server would."""

    def respond(conn: socket.socket, request: Request, server: FakeServer) -> None:
        if not request.path.startswith("/real/"):
            _answer(conn, f"{code} Moved", extra=f"Location: /real{request.path}\r\n")
        else:
            _store(conn, request, server)

    return respond


def _store(conn: socket.socket, request: Request, server: FakeServer) -> None:
    """A server that keeps each graph's last update and counts its triples on request."""
    graphs = server.__dict__.setdefault("graphs", {})
    if request.path.endswith("/update"):
        text = request.body.decode("utf-8")
        m = re.search(r"INSERT DATA \{ GRAPH <([^>]*)> \{\n(.*)\} \}", text, re.S)
        if m:
            graphs[m.group(1)] = m.group(2).count("\n")
        _answer(conn, "204 No Content")
    elif request.path.endswith("/query"):
        query = dict(p.split("=", 1) for p in request.body.decode().split("&"))["query"]
        graph = re.search(r"GRAPH%20%3C(.*?)%3E|GRAPH\+%3C(.*?)%3E", query)
        from urllib.parse import unquote

        iri = unquote((graph.group(1) or graph.group(2)) if graph else "")
        n = graphs.get(iri, 0) if not server.__dict__.get("forget") else 0
        body = json.dumps(
            {
                "head": {"vars": ["n"]},
                "results": {
                    "bindings": [
                        {
                            "n": {
                                "type": "literal",
                                "datatype": "http://www.w3.org/2001/XMLSchema#integer",
                                "value": str(n),
                            }
                        }
                    ]
                },
            }
        ).encode()
        _answer(conn, "200 OK", body, "application/sparql-results+json")
    else:
        _answer(conn, "404 Not Found")


def _store_ds():
    ex = two_copies()
    return records_store(ex.entries, ex.flows, ex.organisations)


# ---------------------------------------------------------------------------------------------
# one request


def test_send_dribbling_headers_stops_at_the_total_deadline(fake):
    server = fake(_dribble)
    start = time.monotonic()
    with pytest.raises(EndpointError, match=r"no complete answer from .* within 1 s \(--timeout"):
        send("POST", f"{server.url}/query", body=b"query=ASK%7B%7D", timeout=1.0)
    assert time.monotonic() - start < 4


def test_send_dribbling_body_stops_at_the_total_deadline(fake):
    server = fake(_dribble_body)
    start = time.monotonic()
    with pytest.raises(EndpointError, match="within 1 s"):
        send("GET", f"{server.url}/query", timeout=1.0)
    assert time.monotonic() - start < 4


def test_send_hanging_server_times_out(fake):
    server = fake(_hang)
    start = time.monotonic()
    with pytest.raises(EndpointError, match=r"within 0\.5 s"):
        send("GET", server.url, timeout=0.5)
    assert time.monotonic() - start < 3


@pytest.mark.parametrize("code", [301, 302, 303])
def test_send_redirect_that_drops_the_body_is_refused(fake, code):
    server = fake(_redirect(code))
    with pytest.raises(
        EndpointError, match=rf"redirects \({code}\) to .*/real/update; following it would turn the POST"
    ):
        send("POST", f"{server.url}/update", body=b"INSERT DATA {}", timeout=5)
    assert [r.path for r in server.requests] == ["/update"]  # no GET to the new place


@pytest.mark.parametrize("code", [307, 308])
def test_send_redirect_307_308_is_followed_with_method_and_body(fake, code):
    server = fake(_redirect(code))
    send("POST", f"{server.url}/update", body=b"INSERT DATA {}", timeout=5)
    assert [(r.method, r.path, r.body) for r in server.requests] == [
        ("POST", "/update", b"INSERT DATA {}"),
        ("POST", "/real/update", b"INSERT DATA {}"),
    ]


def test_send_get_follows_a_303(fake):
    server = fake(_redirect(303))
    assert send("GET", f"{server.url}/update", timeout=5).status == 204


def test_send_redirect_loop_stops(fake):
    server = fake(lambda conn, request, s: _answer(conn, "307 Again", extra="Location: /again\r\n"))
    with pytest.raises(EndpointError, match="more than 5 redirects"):
        send("POST", server.url, body=b"x", timeout=5)


def test_send_http_500_says_status_and_cleaned_text(fake):
    server = fake(_error_500)
    with pytest.raises(EndpointError) as info:
        send("POST", server.url, body=b"x", timeout=5)
    message = str(info.value)
    assert message == f"{server.url} answered HTTP 500 Internal Server Error: Boom red stack: x"
    assert info.value.status == 500
    assert "\x1b" not in message


@pytest.mark.parametrize(
    ("respond", "expected"),
    [
        (_not_http, "does not speak HTTP"),
        (_close, "closed the connection without an answer"),
    ],
)
def test_send_server_not_speaking_http_is_one_line(fake, respond, expected):
    server = fake(respond)
    with pytest.raises(EndpointError, match=expected) as info:
        send("GET", server.url, timeout=5)
    assert "\n" not in str(info.value)


def test_send_nothing_listening_is_refused():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(EndpointError, match="connection refused"):
        send("GET", f"http://127.0.0.1:{port}/", timeout=5)


def test_send_answer_over_the_limit_is_not_read(fake):
    server = fake(lambda conn, request, s: _answer(conn, "200 OK", b"x" * 5000))
    with pytest.raises(EndpointError, match="more than 1,000 bytes"):
        send("GET", server.url, timeout=5, max_response=1000)


# ---------------------------------------------------------------------------------------------
# queries at an endpoint


def test_run_endpoint_reads_json_results_and_sends_bound_values(fake):
    rows = [{"family": "SUS"}]
    server = fake(lambda conn, request, s: _answer(conn, "200 OK", _results(rows, ["family"]), "application/json"))
    hostile = 'SUS" } DROP ALL ; INSERT DATA { <a:b> <a:c> <a:d> } #'
    assert run_endpoint(f"{server.url}/query", "SELECT ?family WHERE { ?s ?p ?family }", {"family": hostile}) == rows
    from urllib.parse import parse_qs

    sent = parse_qs(server.requests[0].body.decode())["query"][0]
    assert sent.endswith('VALUES (?family) {\n  ("SUS\\" } DROP ALL ; INSERT DATA { <a:b> <a:c> <a:d> } #")\n}\n')


def test_run_endpoint_error_is_a_sentence_not_a_python_error(fake):
    server = fake(_error_500)
    with pytest.raises(QueryError) as info:
        run_endpoint(server.url, "SELECT * WHERE { ?s ?p ?o }")
    assert str(info.value).startswith(f"query failed: {server.url} answered HTTP 500")
    assert "object has no attribute" not in str(info.value)


def test_run_endpoint_answer_that_is_not_json_results(fake):
    server = fake(lambda conn, request, s: _answer(conn, "200 OK", b"<sparql/>", "application/sparql-results+xml"))
    with pytest.raises(
        QueryError, match=r"did not answer with SPARQL results JSON but application/sparql-results\+xml"
    ):
        run_endpoint(server.url, "SELECT * WHERE { ?s ?p ?o }")


@pytest.mark.parametrize("respond", [_dribble, _hang, _not_http, _error_500])
def test_cli_sparql_endpoint_fault_is_one_line_exit_1(fake, respond):
    server = fake(respond)
    start = time.monotonic()
    result = CliRunner().invoke(cli, ["sparql", "holders", "--endpoint", f"{server.url}/query", "--timeout", "1"])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.stderr.startswith("Error: query failed: ")
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr
    assert time.monotonic() - start < 6


# ---------------------------------------------------------------------------------------------
# pushes


@pytest.mark.parametrize("code", [301, 302, 303])
def test_push_through_a_body_dropping_redirect_reports_nothing_pushed(fake, code):
    server = fake(_redirect(code))
    result = CliRunner().invoke(cli, ["push", "--endpoint", server.url, "--timeout", "5"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert f"redirects ({code})" in result.stderr
    assert "; it was not delivered, so it is unchanged (0 graphs before it pushed and confirmed" in result.stderr
    assert "pushed <" not in result.stderr
    assert "Traceback" not in result.stderr


def test_push_through_307_lands_and_is_confirmed(fake):
    server = fake(_redirect(307))
    landed: list[str] = []
    results = push(_store_ds(), server.url, timeout=5, on_pushed=lambda r: landed.append(r.graph))
    assert landed == [r.graph for r in results] == [g for g, _ in graph_payloads(_store_ds())]
    assert all(r.confirmed == r.triples > 0 for r in results)
    posts = [r for r in server.requests if r.path == "/real/update"]
    assert [r.body.count(b"\n") - 3 for r in posts] == [r.triples for r in results]


def test_push_the_server_does_not_keep_is_not_reported(fake):
    server = fake(_store)
    server.__dict__["forget"] = True
    with pytest.raises(PushError, match=r"the server accepted it but holds 0 triples in it, not the \d+ sent") as info:
        push(_store_ds(), server.url, timeout=5)
    assert info.value.pushed == ()


def test_push_failure_names_the_graphs_that_went_through(fake):
    def respond(conn: socket.socket, request: Request, s: FakeServer) -> None:
        graphs = s.__dict__.setdefault("graphs", {})
        if request.path == "/update" and len(graphs) == 2 and b"INSERT" in request.body:
            _error_500(conn, request, s)
        else:
            _store(conn, request, s)

    server = fake(respond)
    payloads = graph_payloads(api.rdf_store(api.load()))  # the seed, as dfg push reads it
    result = CliRunner().invoke(cli, ["push", "--endpoint", server.url, "--timeout", "5"])
    assert result.exit_code == 1
    pushed_lines = [json.loads(line)["graph"] for line in result.stdout.splitlines()]
    assert pushed_lines == [g for g, _ in payloads[:2]]
    assert [line for line in result.stderr.splitlines() if line.startswith("pushed <")] == [
        f"pushed <{g}> ({len(body.splitlines())} triples confirmed)" for g, body in payloads[:2]
    ]
    last = result.stderr.splitlines()[-1]
    assert last.startswith(f"Error: push of <{payloads[2][0]}> failed: ")
    assert "HTTP 500" in last
    assert f"(2 graphs before it pushed and confirmed, {len(payloads) - 3} after it not sent)" in last


def test_push_dribbling_server_is_stopped_by_timeout(fake):
    server = fake(_dribble)
    start = time.monotonic()
    result = CliRunner().invoke(cli, ["push", "--endpoint", server.url, "--timeout", "1"])
    assert result.exit_code == 1
    assert "within 1 s" in result.stderr
    assert time.monotonic() - start < 5


def test_push_is_split_into_bodies_under_the_limit(fake):
    server = fake(_store)

    def respond(conn: socket.socket, request: Request, s: FakeServer) -> None:
        assert len(request.body) <= 2048
        if request.body.startswith(b"MOVE GRAPH"):
            staging, target = re.findall(rb"<([^>]*)>", request.body)
            graphs = s.__dict__["graphs"]
            graphs[target.decode()] = graphs.pop(staging.decode())
            _answer(conn, "204 No Content")
        elif m := re.search(rb"^INSERT DATA \{ GRAPH <([^>]*)> \{\n(.*)\} \}", request.body, re.S):
            graphs = s.__dict__.setdefault("graphs", {})
            graphs[m.group(1).decode()] = graphs.get(m.group(1).decode(), 0) + m.group(2).count(b"\n")
            _answer(conn, "204 No Content")
        else:
            _store(conn, request, s)

    server.respond = respond
    results = push(_store_ds(), server.url, timeout=5, max_body=2048)
    assert max(len(r.body) for r in server.requests) <= 2048
    assert any(r.requests > 2 for r in results)
    assert all(r.confirmed == r.triples for r in results)
    assert not [g for g in server.__dict__["graphs"] if g.startswith("urn:dataflow-graph:push-staging:")]


def test_send_goes_through_the_http_proxy_of_the_environment(fake, monkeypatch):
    proxy = fake(lambda conn, request, s: _answer(conn, "200 OK", b"via proxy"))
    monkeypatch.setenv("http_proxy", f"http://user:pw@{proxy.url.removeprefix('http://')}")
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.delenv("NO_PROXY", raising=False)
    assert send("POST", "http://sparql.invalid:7878/query?x=1", body=b"q", timeout=5).body == b"via proxy"
    (request,) = proxy.requests
    assert (request.method, request.path, request.body) == ("POST", "http://sparql.invalid:7878/query?x=1", b"q")
    assert request.headers["host"] == "sparql.invalid:7878"
    assert request.headers["proxy-authorization"] == "Basic dXNlcjpwdw=="
    direct = fake(lambda conn, request, s: _answer(conn, "200 OK", b"direct"))
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    assert send("GET", f"{direct.url}/query", timeout=5).body == b"direct"
    assert len(proxy.requests) == 1


def test_send_tls_handshake_that_never_ends_times_out(fake):
    server = fake(_hang)  # accepts, then never answers the TLS ClientHello
    start = time.monotonic()
    with pytest.raises(EndpointError, match=r"no complete answer from https://127\.0\.0\.1:\d+/ within 1 s"):
        send("GET", server.url.replace("http://", "https://") + "/", timeout=1.0)
    assert time.monotonic() - start < 4
