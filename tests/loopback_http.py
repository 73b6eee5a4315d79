"""The HTTP side of the loopback Hub: requests in, answers out, and injected faults.

A stdlib ``ThreadingHTTPServer`` speaking HTTP/1.1 with keep-alive (the clients reuse their
connections), every answer with a ``Content-Length``, ``HEAD`` answered with headers only. The
routes themselves are :class:`loopback_hub.LoopbackHub`'s; this module knows none of the Hub.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol
from urllib.parse import parse_qs, unquote, urlsplit


class Answer(Exception):
    """Raised by a route to answer with an error status and the Hub's error headers.

    ``code`` goes into ``X-Error-Code``, from which huggingface_hub picks its exception class
    (``RepoNotFound``, ``RevisionNotFound``, ``EntryNotFound``).
    """

    def __init__(self, status: int, message: str, code: str | None = None, **headers: str) -> None:
        super().__init__(message)
        self.status, self.code, self.headers = status, code, headers


@dataclass
class Fault:
    """Matching requests (method, regex searched in the path) run ``before``, wait ``delay``
    seconds (past the client's timeout: a timeout), then answer ``status`` if one is given."""

    method: str
    pattern: str
    status: int | None = None
    delay: float = 0.0
    before: Callable[[], None] | None = None
    times: int = 1


@dataclass
class Blob:
    """A file's bytes, with the headers that describe them."""

    data: bytes
    headers: dict[str, str]


@dataclass
class Redirect:
    """A ``302`` to ``location``, with the headers the client reads off the redirect itself."""

    location: str
    headers: dict[str, str]


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: Any
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body or b"{}")

    def form(self) -> dict[str, list[str]]:
        return parse_qs(self.body.decode())


class Routes(Protocol):
    faults: list[Fault]
    requests: list[tuple[str, str, int, bool]]

    def route(self, request: Request) -> Any: ...


#: the X-Error-Code of an injected status (a 404 as the Hub says it of a repo)
_INJECTED_CODES = {404: "RepoNotFound"}


def serve(routes: Routes) -> tuple[ThreadingHTTPServer, int]:
    """Start answering ``routes`` on 127.0.0.1 at a free port, in a daemon thread."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(routes))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, server.server_address[1]


def _handler(routes: Routes) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            self._serve()

        do_HEAD = do_POST = do_PUT = do_GET

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _serve(self) -> None:
            url = urlsplit(self.path)
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            request = Request(
                self.command, unquote(url.path), parse_qs(url.query), self.headers, body
            )
            log = routes.requests  # a request that outlives a reset stays out of the next log
            status = self._answer(request)
            log.append((self.command, request.path, status, "Authorization" in self.headers))

        def _answer(self, request: Request) -> int:
            try:
                self._inject(request)
                return self._send(200, routes.route(request))
            except Answer as answer:
                code = {"X-Error-Code": answer.code} if answer.code else {}
                return self._send(answer.status, {"error": str(answer)}, {**answer.headers, **code})
            except (BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout)
                return 0

        def _inject(self, request: Request) -> None:
            for fault in list(routes.faults):
                if fault.method == request.method and re.search(fault.pattern, request.path):
                    fault.times -= 1
                    if fault.times <= 0:
                        routes.faults.remove(fault)
                    if fault.before:
                        fault.before()
                    time.sleep(fault.delay)
                    if fault.status:
                        code = _INJECTED_CODES.get(fault.status)
                        raise Answer(fault.status, f"injected {fault.status}", code)

        def _send(self, status: int, result: Any, headers: dict[str, str] | None = None) -> int:
            headers = dict(headers or {})
            if isinstance(result, Redirect):
                status, body = 302, b""
                headers.update(result.headers, Location=result.location)
            elif isinstance(result, Blob):
                body = result.data
                headers.update(result.headers)
            else:
                body = json.dumps(result).encode()
                headers["Content-Type"] = "application/json"
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
            return status

    return Handler
