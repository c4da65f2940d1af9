"""A real HTTP receiver for webhook tests: a threaded server on a loopback port whose behaviour a test switches
(answer 2xx, answer 500, hang past the timeout, trickle its answer a byte at a time, stream a body without end, or
not listen at all), recording every request it answered."""

import contextlib
import socket
import ssl
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
    mode: str = "ok"  # ok | fail | hang | trickle | endless
    hang_seconds: float = 3.0
    trickle_seconds: float = 0.2  # trickle: one byte of a 2xx answer's body this often...
    trickle_bytes: int = 100  # ...of a body this long
    endless_framing: str = "chunked"  # endless: chunked | length (an enormous content-length) | close (no length)
    host: str = "127.0.0.1"
    tls: ssl.SSLContext | None = None  # a server context: the receiver speaks https
    streamed: int = 0  # body bytes written in the trickle and endless modes, until the client hung up
    hung_up: threading.Event = field(default_factory=threading.Event)  # set when a client closed a streamed answer
    requests: list[Received] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None
    port: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    connections: set[socket.socket] = field(default_factory=set)

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://{self.host}:{self.port}/hook"

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
                if receiver.mode in ("trickle", "endless"):
                    with receiver.lock:
                        receiver.requests.append(Received(dict(self.headers.items()), body, 200))
                    self.close_connection = True
                    try:
                        self._stream()
                    except OSError:  # the client hung up (reset, broken pipe)
                        receiver.hung_up.set()
                    return
                if receiver.mode == "hang":
                    time.sleep(receiver.hang_seconds)
                status = 500 if receiver.mode == "fail" else 204
                with receiver.lock:
                    receiver.requests.append(Received(dict(self.headers.items()), body, status))
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

            def _stream(self) -> None:
                """A 2xx answer that does not end in time: its body a byte at a time, or a body without end."""
                self.send_response(200)
                piece, count = b"x" * 0x4000, -1
                if receiver.mode == "trickle":
                    self.send_header("content-length", str(receiver.trickle_bytes))
                    piece, count = b"x", receiver.trickle_bytes
                elif receiver.endless_framing == "chunked":
                    self.send_header("transfer-encoding", "chunked")
                    piece = b"4000\r\n" + piece + b"\r\n"
                elif receiver.endless_framing == "length":
                    self.send_header("content-length", str(10**12))
                else:
                    self.send_header("connection", "close")
                self.end_headers()
                while count != 0 and receiver.server is not None:
                    self.wfile.write(piece)
                    self.wfile.flush()
                    count -= 1
                    with receiver.lock:
                        receiver.streamed += 1 if receiver.mode == "trickle" else 0x4000
                    if receiver.mode == "trickle":
                        time.sleep(receiver.trickle_seconds)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer((self.host, self.port), Handler)
        if self.tls is not None:  # a failed handshake is an OSError the server ignores
            self.server.socket = self.tls.wrap_socket(self.server.socket, server_side=True)
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
