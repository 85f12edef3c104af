"""A fault-injecting HTTP proxy on 127.0.0.1, in front of the local AWS endpoint.

The deployer is pointed at the proxy (``AWS_ENDPOINT_URL``) and cannot tell
it from the endpoint, except for the faults a test asks for, per API action
(the ``Action`` field of a query-protocol request, e.g. ``DescribeStacks``):

- ``status``: answer ``status`` with ``body`` instead of forwarding (a
  load balancer's plain-text 503, an HTML error page, a throttling error);
- ``reset``: close the connection without an answer (TCP reset);
- ``delay``: wait ``seconds``, then forward.

Each fault applies to ``times`` matching requests after skipping ``after``
of them (and, with ``armed_by``, only after a request of that action went
by), then the action passes through again.  ``log`` lists every request
as ``(action, what happened)`` so a test can count retries.

Real sockets, a real HTTP server, real bytes: botocore parses what it gets
exactly as it would from a misbehaving proxy in front of AWS.
"""

from __future__ import annotations

import http.client
import socket
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

HOST = "127.0.0.1"

PLAIN_503 = b"Service Unavailable: back-end server is at capacity\n"
HTML_502 = b"<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>"
THROTTLING = (
    b'<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><Error><Type>Sender</Type>'
    b"<Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>proxy</RequestId></ErrorResponse>"
)


@dataclass
class Fault:
    action: str  # the API action it applies to, or "*" for every request
    kind: str  # status | reset | delay
    times: int = 1
    after: int = 0
    status: int = 503
    body: bytes = PLAIN_503
    content_type: str = "text/plain"
    seconds: float = 0.0
    armed_by: str | None = None  # active only once a request of this action has passed (e.g. ExecuteChangeSet)
    seen: int = 0  # matching requests so far
    used: int = 0  # faults injected so far
    armed: bool = False

    def take(self, action: str | None) -> bool:
        if self.action not in ("*", action) or (self.armed_by and not self.armed):
            return False
        self.seen += 1
        if self.seen <= self.after or self.used >= self.times:
            return False
        self.used += 1
        return True


class FaultProxy:
    def __init__(self, upstream: str) -> None:
        parts = urlsplit(upstream)
        self.upstream = (parts.hostname or HOST, parts.port or 80)
        self.faults: list[Fault] = []
        self.log: list[tuple[str | None, str]] = []
        self.lock = threading.Lock()
        self.url = ""

    def add(self, action: str, kind: str, **fields: object) -> Fault:
        fault = Fault(action, kind, **fields)  # type: ignore[arg-type]
        with self.lock:
            self.faults.append(fault)
        return fault

    def clear(self) -> None:
        with self.lock:
            self.faults.clear()
            self.log.clear()

    def count(self, action: str, what: str | None = None) -> int:
        with self.lock:
            return sum(1 for a, w in self.log if a == action and (what is None or w == what))

    def pick(self, action: str | None) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                fault.armed = fault.armed or action == fault.armed_by
            fault = next((f for f in self.faults if f.take(action)), None)
            self.log.append((action, fault.kind if fault else "forwarded"))
            return fault


def _action(body: bytes) -> str | None:
    try:
        values = parse_qs(body.decode(), keep_blank_values=True).get("Action")
    except UnicodeDecodeError:
        return None
    return values[0] if values else None


def _handler(proxy: FaultProxy) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            return

        def _any(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            fault = proxy.pick(_action(body))
            if fault and fault.kind == "reset":
                # SO_LINGER 0: close() sends RST, the client sees "connection reset by peer"
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.connection.close()
                self.close_connection = True
                return
            if fault and fault.kind == "status":
                self._answer(fault.status, fault.body, fault.content_type)
                return
            if fault and fault.kind == "delay":
                threading.Event().wait(fault.seconds)  # not time.sleep: tests may stub botocore's sleep
            self._forward(body)

        def _forward(self, body: bytes) -> None:
            upstream = http.client.HTTPConnection(*proxy.upstream, timeout=60)
            headers = {k: v for k, v in self.headers.items() if k.lower() not in ("connection", "keep-alive")}
            upstream.request(self.command, self.path, body=body or None, headers=headers)
            answer = upstream.getresponse()
            data = answer.read()
            content_type = answer.getheader("Content-Type") or "text/xml"
            upstream.close()
            self._answer(answer.status, data, content_type)

        def _answer(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _any

    return Handler


@contextmanager
def fault_proxy(upstream: str) -> Iterator[FaultProxy]:
    """A proxy to ``upstream`` on a free loopback port, served by a thread of this process."""
    proxy = FaultProxy(upstream)
    server = ThreadingHTTPServer((HOST, 0), _handler(proxy))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    proxy.url = f"http://{HOST}:{server.server_port}"
    try:
        yield proxy
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
