"""HTTP for a SPARQL 1.1 server: one request, a total deadline, redirects that keep the body.

``urllib`` cannot be trusted with a push or a query: its timeout applies to each socket
read, so a server that sends one byte every few seconds holds it for ever, and it follows a
301, 302 or 303 answer to a POST with a GET *without the body*, so an update that stored
nothing looks like a success.  :func:`send` speaks HTTP/1.1 through :mod:`http.client` with:

- **a total deadline** per request (``timeout`` seconds for connecting, sending and reading
  the whole answer): a watchdog thread shuts the socket down when it passes, whatever the
  server is doing (DNS resolution is the one step it cannot cut short);
- **redirects**: 307 and 308 are followed (at most :data:`MAX_REDIRECTS`, within the same
  deadline) with the same method and body, as those codes require; 301, 302 and 303 are
  followed only by GET, and refused for anything else, since following them would drop the
  body;
- **bounded answers**: at most ``max_response`` bytes (:data:`MAX_RESPONSE`) are read;
- **proxies** as ``urllib`` has them (``http_proxy``, ``https_proxy``, ``no_proxy``);
- **errors a person can read**: every failure is an :class:`EndpointError` of one line that
  says what happened (refused, timed out, not HTTP, HTTP 500 and what the server said), with
  the server's own text stripped of control characters (it is not trusted either).

>>> send("GET", "ftp://example.org/sparql")
Traceback (most recent call last):
...
dataflow_graph.rdf.protocol.EndpointError: ftp://example.org/sparql is not an http(s) URL
"""

from __future__ import annotations

import base64
import http.client
import re
import socket
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass

from ..errors import DataflowGraphError
from . import DEFAULT_MAX_BODY, DEFAULT_TIMEOUT

__all__ = [
    "DEFAULT_MAX_BODY",
    "DEFAULT_TIMEOUT",
    "MAX_REDIRECTS",
    "MAX_RESPONSE",
    "EndpointError",
    "Response",
    "check_url",
    "send",
]

#: Redirects (307/308, or any for a GET) followed for one request.
MAX_REDIRECTS = 5
#: Largest answer read from a server, in bytes.
MAX_RESPONSE = 1 << 30

_CHUNK = 1 << 20


class EndpointError(DataflowGraphError):
    """A server that cannot be reached, does not answer in time, does not speak HTTP, redirects
    where the body would be lost, or answers with an error status."""

    def __init__(self, message: str, *, url: str, status: int | None = None, sent: bool = False) -> None:
        self.url = url
        #: The HTTP status of an error answer, if there was one.
        self.status = status
        #: True when the request may have reached the server whole (it may have acted on it).
        self.sent = sent
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class Response:
    """A complete answer with a 2xx status."""

    url: str
    status: int
    headers: Mapping[str, str]
    body: bytes

    @property
    def content_type(self) -> str:
        """The media type, lower case, without parameters ("" when none was given)."""
        return self.headers.get("content-type", "").split(";")[0].strip().lower()


def check_url(url: str) -> str:
    """``url`` if it is an absolute http(s) URL with a host; :class:`EndpointError` if not.

    >>> check_url("http://127.0.0.1:7878/query")
    'http://127.0.0.1:7878/query'
    """
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or _CONTROL.search(url):
        raise EndpointError(f"{clean(url)} is not an http(s) URL", url=url)
    try:
        parts.port  # noqa: B018 - a malformed port raises here
    except ValueError as exc:
        raise EndpointError(f"{clean(url)} has a malformed port", url=url) from exc
    return url


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
#: Terminal escape sequences (CSI) and HTML tags, dropped from server text.
_MARKUP = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|<[^<>]{0,200}>")


def clean(text: str, limit: int = 300) -> str:
    """Server-given text for a one-line message: no control characters (terminal escapes), no
    markup, white space collapsed, at most ``limit`` characters.

    >>> clean("<h1>Bad\\x1b[31m request</h1>\\n  body")
    'Bad request body'
    """
    text = _MARKUP.sub(" ", text)
    text = " ".join(_CONTROL.sub(" ", text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def send(
    method: str,
    url: str,
    *,
    body: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    max_response: int = MAX_RESPONSE,
) -> Response:
    """Send one request and read the whole answer, all within ``timeout`` seconds.

    Parameters
    ----------
    method, url, body, headers
        The request; ``url`` must be http(s).
    timeout
        Seconds for the whole exchange, redirects included (connect, send, every byte of the
        answer).
    max_response
        Most bytes of answer read.

    Returns
    -------
    Response
        The final answer, with a 2xx status.

    Raises
    ------
    EndpointError
        For anything else: a bad URL, no connection, the deadline passed, an answer that is
        not HTTP or is too large, a redirect that would drop the body, a status of 300 or more.
    """
    deadline = time.monotonic() + timeout
    check_url(url)
    for _ in range(MAX_REDIRECTS + 1):
        status, reason, got, data = _exchange(method, url, body, headers or {}, deadline, timeout, max_response)
        if 200 <= status < 300:
            return Response(url, status, got, data)
        where = got.get("location", "")
        if status in (301, 302, 303, 307, 308) and where:
            target = urllib.parse.urljoin(url, where)
            if status in (301, 302, 303) and method not in ("GET", "HEAD"):
                raise EndpointError(
                    f"{clean(url)} redirects ({status}) to {clean(target)}; following it would turn the "
                    f"{method} into a GET without its body, so nothing would be sent: use that URL instead",
                    url=url,
                    status=status,
                )
            check_url(target)
            url = target
            continue
        detail = clean(data[:4000].decode("utf-8", "replace"))
        raise EndpointError(
            f"{clean(url)} answered HTTP {status} {clean(reason, 60)}" + (f": {detail}" if detail else ""),
            url=url,
            status=status,
            sent=True,
        )
    raise EndpointError(f"{clean(url)}: more than {MAX_REDIRECTS} redirects", url=url)


def _exchange(
    method: str,
    url: str,
    body: bytes | None,
    headers: Mapping[str, str],
    deadline: float,
    timeout: float,
    max_response: int,
) -> tuple[int, str, dict[str, str], bytes]:
    """One request and its whole answer before ``deadline``: status, reason, headers, body."""
    parts = urllib.parse.urlsplit(url)
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise _timed_out(url, timeout, sent=False)
    conn, path, extra = _connection(parts, remaining)
    done, fired = threading.Event(), threading.Event()
    watchdog = threading.Thread(target=_watch, args=(conn, remaining, done, fired), daemon=True)
    watchdog.start()
    sent = False
    response: http.client.HTTPResponse | None = None
    try:
        conn.putrequest(method, path, skip_accept_encoding=True)
        for name, value in {**headers, **extra}.items():
            conn.putheader(name, value)
        if body is not None:
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        sent = True
        response = conn.getresponse()
        data = _read(response, max_response, url)
        if fired.is_set():  # the watchdog's shutdown ends a body read "until close" early
            raise _timed_out(url, timeout, sent=sent)
        got = {k.lower(): v for k, v in response.getheaders()}
        return response.status, response.reason, got, data
    except (OSError, http.client.HTTPException) as exc:
        if fired.is_set() or isinstance(exc, TimeoutError):
            raise _timed_out(url, timeout, sent=sent) from None
        raise _failure(url, exc, sent=sent) from exc
    finally:
        done.set()
        if response is not None:
            response.close()
        conn.close()


def _connection(
    parts: urllib.parse.SplitResult, timeout: float
) -> tuple[_Connection | _TLSConnection, str, dict[str, str]]:
    """The connection for a URL, the request target and any header for a proxy.

    The ``http_proxy``/``https_proxy``/``no_proxy`` settings are honoured as ``urllib`` honours
    them: an http URL is asked of the proxy by its absolute form, an https one through a
    ``CONNECT`` tunnel.
    """
    path = urllib.parse.urlunsplit(("", "", parts.path or "/", parts.query, ""))
    host = parts.hostname or ""
    proxy = urllib.request.getproxies().get(parts.scheme)
    if not proxy or urllib.request.proxy_bypass(host):
        kind = _TLSConnection if parts.scheme == "https" else _Connection
        return kind(host, parts.port, timeout=timeout), path, {}
    via = urllib.parse.urlsplit(proxy if "://" in proxy else f"http://{proxy}")
    auth = {}
    if via.username is not None:
        token = f"{urllib.parse.unquote(via.username)}:{urllib.parse.unquote(via.password or '')}"
        auth = {"Proxy-Authorization": "Basic " + base64.b64encode(token.encode("utf-8")).decode("ascii")}
    if parts.scheme == "http":
        where = parts.netloc.rpartition("@")[2]  # no credentials in the request line
        absolute = urllib.parse.urlunsplit((parts.scheme, where, parts.path or "/", parts.query, ""))
        return _Connection(via.hostname or "", via.port, timeout=timeout), absolute, auth
    conn = _TLSConnection(via.hostname or "", via.port, timeout=timeout)
    conn.set_tunnel(host, parts.port, headers=auth)
    return conn, path, {}


class _Connection(http.client.HTTPConnection):
    """A connection that keeps its socket: ``getresponse`` hands it over to the response and
    forgets it when the answer is read until the server closes, but the watchdog needs it."""

    raw: socket.socket | None = None

    def connect(self) -> None:
        super().connect()
        self.raw = self.sock


class _TLSConnection(http.client.HTTPSConnection):
    """:class:`_Connection` over TLS."""

    raw: socket.socket | None = None

    def connect(self) -> None:
        super().connect()
        self.raw = self.sock


def _watch(conn: _Connection | _TLSConnection, seconds: float, done: threading.Event, fired: threading.Event) -> None:
    """After ``seconds``, unless ``done``: shut the connection's socket down, so that the
    request stops whatever it is waiting for."""
    if done.wait(seconds):
        return
    fired.set()
    while not done.is_set():
        sock = conn.raw or conn.sock  # conn.sock alone while connecting (TLS handshake)
        if sock is not None:
            try:
                # the plain socket's shutdown, also under TLS (SSLSocket.shutdown would
                # unwrap the TLS state under the feet of the reading thread)
                socket.socket.shutdown(sock, socket.SHUT_RDWR)
            except OSError:
                pass
            return
        done.wait(0.05)  # still connecting: the connect timeout ends it, or a socket appears


def _read(response: http.client.HTTPResponse, limit: int, url: str) -> bytes:
    """The whole body, at most ``limit`` bytes."""
    chunks, size = [], 0
    while chunk := response.read(_CHUNK):
        size += len(chunk)
        if size > limit:
            raise EndpointError(f"{clean(url)} sent more than {limit:,} bytes; answer not read", url=url, sent=True)
        chunks.append(chunk)
    return b"".join(chunks)


def _timed_out(url: str, timeout: float, *, sent: bool) -> EndpointError:
    return EndpointError(
        f"no complete answer from {clean(url)} within {timeout:g} s (--timeout SECONDS to wait longer)",
        url=url,
        sent=sent,
    )


def _failure(url: str, exc: BaseException, *, sent: bool) -> EndpointError:
    """A one-line message for a connection or protocol failure."""
    host = urllib.parse.urlsplit(url).netloc
    if isinstance(exc, socket.gaierror):
        why = f"cannot resolve the host name of {clean(host)}"
    elif isinstance(exc, ConnectionRefusedError):
        why = f"cannot connect to {clean(host)}: connection refused (is the server running?)"
    elif isinstance(exc, http.client.RemoteDisconnected):
        why = f"{clean(url)} closed the connection without an answer (it stopped, or does not speak HTTP)"
    elif isinstance(exc, (http.client.BadStatusLine, http.client.LineTooLong)):
        why = f"{clean(url)} does not speak HTTP (its answer began {clean(str(exc), 60)!r})"
    elif isinstance(exc, http.client.HTTPException):
        why = f"{clean(url)} sent a broken HTTP answer ({type(exc).__name__}: {clean(str(exc), 120)})"
    else:
        reason = getattr(exc, "strerror", None) or getattr(exc, "reason", None) or exc
        why = f"cannot talk to {clean(url)}: {clean(str(reason), 200)}"
    return EndpointError(why, url=url, sent=sent)
