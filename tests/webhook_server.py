"""A real receiving HTTP server for the upload tests: the organiser's endpoint on 127.0.0.1.

    with Webhook([503, 500, 200], hold={3}) as hook:  # answers in this order, then the last
        hook.url                             # http://127.0.0.1:PORT/hook
        hook.requests                        # what arrived: (path, headers, body)
        hook.gate.set()                      # the third request is answered now

Each answer is a status, or (status, body, headers). Requests whose number (1-based) is
in hold wait for the gate before they are answered, at most GATE_TIMEOUT seconds, so a
test that forgets to open it still ends. Runs http.server in a thread.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

HOST = "127.0.0.1"
GATE_TIMEOUT = 30.0

Answer = int | tuple[int, bytes, dict[str, str]]


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Webhook:
    answers: list[Answer]
    port: int = 0
    hold: set[int] = field(default_factory=set)
    requests: list[Received] = field(default_factory=list)
    gate: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                with hook._lock:
                    hook.requests.append(Received(self.path, dict(self.headers.items()), body))
                    number = len(hook.requests)
                answer = hook.answers[min(number, len(hook.answers)) - 1]
                if number in hook.hold:
                    hook.gate.wait(GATE_TIMEOUT)
                status, text, headers = (answer, b"", {}) if isinstance(answer, int) else answer
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(text)))
                self.end_headers()
                self.wfile.write(text)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # the test reads self.requests, not stderr

        self.server = ThreadingHTTPServer((HOST, self.port), Handler)
        self.server.daemon_threads = True
        self.port = int(self.server.server_address[1])
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/hook"

    def __enter__(self) -> Webhook:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.gate.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)
