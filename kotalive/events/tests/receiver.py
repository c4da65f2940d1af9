"""A real HTTP receiver for webhook tests: a threaded server on a loopback port whose behaviour a test switches
(answer 2xx, answer 500, hang past the timeout, or not listen at all), recording every request it answered."""

import contextlib
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    status: int


@dataclass
class Receiver:
    mode: str = "ok"  # ok | fail | hang
    hang_seconds: float = 3.0
    requests: list[Received] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None
    port: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    connections: set[socket.socket] = field(default_factory=set)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def start(self) -> "Receiver":
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as real receivers do

            def setup(self) -> None:
                super().setup()
                with receiver.lock:
                    receiver.connections.add(self.connection)

            def do_POST(self) -> None:  # noqa: N802 (the stdlib's name)
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                if receiver.mode == "hang":
                    time.sleep(receiver.hang_seconds)
                status = 500 if receiver.mode == "fail" else 204
                with receiver.lock:
                    receiver.requests.append(Received(dict(self.headers.items()), body, status))
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        """Stop listening and drop the kept-alive connections: connections are refused until start() again (on the
        same port), as when a receiver's process goes down."""
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None
        with self.lock:
            for connection in self.connections:
                with contextlib.suppress(OSError):  # already closed by its handler
                    connection.shutdown(socket.SHUT_RDWR)
            self.connections.clear()

    def accepted(self) -> list[Received]:
        with self.lock:
            return [r for r in self.requests if 200 <= r.status < 300]
