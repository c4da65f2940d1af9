"""A small HTTP/1.1 client for webhook deliveries: POST over kept-alive connections, nothing else.

Why not http.client: per request it builds headers call by call and parses the answer with the e-mail parser,
which cost more than the rest of a delivery (docs/performance.md, dispatcher). This client writes the request in
one piece and reads the status line, the headers it needs, and a body sized by Content-Length or chunked coding.
"""

import socket
import ssl
import threading
from dataclasses import dataclass
from urllib.parse import urlsplit

MAX_HEAD = 64 * 1024
EXCERPT = 2048


class HttpError(OSError):
    """The peer broke the protocol (a malformed answer)."""


@dataclass
class Answer:
    status: int
    body: bytes  # up to the caller's max_body

    @property
    def excerpt(self) -> str:
        return self.body[:EXCERPT].decode("utf-8", "replace")


class _Connection:
    def __init__(self, scheme: str, host: str, port: int, timeout: float) -> None:
        sock = socket.create_connection((host, port), timeout=timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if scheme == "https":
            sock = ssl.create_default_context().wrap_socket(sock, server_hostname=host)
        self.sock = sock
        self.file = sock.makefile("rb")

    def close(self) -> None:
        self.file.close()
        self.sock.close()

    def _line(self) -> bytes:
        line = self.file.readline(MAX_HEAD)
        if not line:
            raise ConnectionResetError("the receiver closed the connection")
        return line

    def exchange(self, request: bytes, max_body: int) -> tuple[Answer, bool]:
        """Send one request; return the answer and whether the connection may be used again."""
        self.sock.sendall(request)
        status_line = self._line().split(None, 2)
        if len(status_line) < 2 or not status_line[0].startswith(b"HTTP/1."):
            raise HttpError("malformed status line")
        status = int(status_line[1])
        length: int | None = None
        chunked, keep = False, status_line[0] == b"HTTP/1.1"
        while True:
            line = self._line()
            if line in (b"\r\n", b"\n"):
                break
            name, _, value = line.partition(b":")
            name, value = name.strip().lower(), value.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding":
                chunked = b"chunked" in value
            elif name == b"connection":
                keep = value == b"keep-alive" or (keep and value != b"close")
        if chunked:
            body = self._chunks(max_body)
        elif length is not None:
            body = self.file.read(length)
        else:  # no length: the body runs to the end of the connection
            body, keep = self.file.read(), False
        return Answer(status, body[:max_body]), keep

    def _chunks(self, max_body: int) -> bytes:
        body = b""
        while True:
            size = int(self._line().split(b";")[0], 16)
            if size == 0:
                while self._line() not in (b"\r\n", b"\n"):  # trailers
                    pass
                return body
            chunk = self.file.read(size + 2)[:size]
            if len(body) < max_body:
                body += chunk


class Client:
    """Kept-alive connections per sending thread and destination."""

    def __init__(self) -> None:
        self._local = threading.local()

    def post(self, url: str, body: bytes, headers: dict[str, str], timeout: float, max_body: int = EXCERPT) -> Answer:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        host = parts.hostname or ""
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        request = (
            f"POST {target} HTTP/1.1\r\nhost: {parts.netloc.rpartition('@')[2]}\r\n{head}"
            f"content-length: {len(body)}\r\n\r\n"
        ).encode("latin-1") + body
        pool: dict[tuple[str, str, int], _Connection] = self._local.__dict__.setdefault("pool", {})
        key = (parts.scheme, host, port)
        for attempt in (1, 2):  # a kept-alive connection the receiver closed meanwhile gets one fresh retry
            connection = pool.pop(key, None)
            reused = connection is not None
            if connection is None:
                connection = _Connection(parts.scheme, host, port, timeout)
            try:
                connection.sock.settimeout(timeout)
                answer, keep = connection.exchange(request, max_body)
            except (ConnectionResetError, BrokenPipeError):
                connection.close()
                if reused and attempt == 1:
                    continue
                raise
            except BaseException:
                connection.close()
                raise
            if keep:
                pool[key] = connection
            else:
                connection.close()
            return answer
        raise AssertionError("unreachable")  # pragma: no cover
