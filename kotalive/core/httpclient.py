"""The one HTTP/1.1 client for requests the platform sends on someone's behalf (webhook deliveries, reconciliation):
POST over kept-alive connections, nothing else, and only to a destination that passed the SSRF guard.

- It connects to the addresses kotalive.core.ssrf.destination_vet checked, never resolving the name again (a name
  that answers a public address to the check and 127.0.0.1 to the connect, DNS rebinding, reaches nothing inside).
  The Host header, TLS SNI and the certificate check are for the URL's host name, as if it had been resolved here.
- One deadline per request: connecting, the TLS handshake, sending and every read share `timeout` seconds, so a
  receiver trickling a byte a second holds a sender thread no longer than one that does not answer at all.
- The answer's head is read up to MAX_HEAD bytes and its body up to READ_LIMIT (or the caller's larger max_body);
  a longer body is cut and its connection closed, not drained.

Why not http.client: per request it builds headers call by call and parses the answer with the e-mail parser,
which cost more than the rest of a delivery (docs/performance.md, dispatcher). This client writes the request in
one piece and reads the status line, the headers it needs, and a body sized by Content-Length or chunked coding.
"""

import functools
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from kotalive.core.ssrf import Destination

MAX_HEAD = 64 * 1024  # status line and headers together
READ_LIMIT = 64 * 1024  # body bytes read at most (unless max_body is larger): enough to keep a connection alive
EXCERPT = 2048
RECV = 16 * 1024
NO_BODY = (204, 304)


class HttpError(OSError):
    """The peer broke the protocol (a malformed or oversized answer)."""


@dataclass
class Answer:
    status: int
    body: bytes  # up to the caller's max_body

    @property
    def excerpt(self) -> str:
        return self.body[:EXCERPT].decode("utf-8", "replace")


class _Deadline:
    def __init__(self, seconds: float) -> None:
        self.at = time.monotonic() + seconds

    def left(self) -> float:
        left = self.at - time.monotonic()
        if left <= 0:
            raise TimeoutError("the request ran past its deadline")
        return left


@functools.cache
def _default_tls() -> ssl.SSLContext:
    return ssl.create_default_context()  # one per process: loading the CA store costs more than a handshake


class _Connection:
    def __init__(self, destination: Destination, deadline: _Deadline, tls: ssl.SSLContext | None) -> None:
        failure: OSError = OSError(f"{destination.host} has no address")
        sock: socket.socket | None = None
        for family, sockaddr in destination.addresses:  # each vetted address in turn, as create_connection would
            candidate = socket.socket(family, socket.SOCK_STREAM)
            try:
                candidate.settimeout(deadline.left())
                candidate.connect(sockaddr)
            except TimeoutError:
                candidate.close()
                raise
            except OSError as exc:  # refused or unreachable: the next address
                candidate.close()
                failure = exc
                continue
            sock, self.address = candidate, (family, sockaddr)
            break
        if sock is None:
            raise failure
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if destination.scheme == "https":
                sock.settimeout(deadline.left())  # the handshake as a whole (CPython gives it one deadline)
                # SNI and the certificate check are for the name, although the socket went to the vetted address.
                sock = (tls or _default_tls()).wrap_socket(sock, server_hostname=destination.host)
        except BaseException:
            sock.close()
            raise
        self.sock: socket.socket = sock
        self.buffer = bytearray()

    def close(self) -> None:
        self.sock.close()

    def _fill(self, deadline: _Deadline) -> bool:
        self.sock.settimeout(deadline.left())  # before every read: a trickle cannot stretch the deadline
        data = self.sock.recv(RECV)
        self.buffer += data
        return bool(data)

    def _line(self, deadline: _Deadline, limit: int) -> bytes:
        searched = 0
        while True:
            end = self.buffer.find(b"\n", searched)
            if end >= limit:
                raise HttpError("the answer's head is too long")
            if end >= 0:
                line = bytes(self.buffer[: end + 1])
                del self.buffer[: end + 1]
                return line
            searched = len(self.buffer)
            if searched >= limit:
                raise HttpError("the answer's head is too long")
            if not self._fill(deadline):
                raise ConnectionResetError("the receiver closed the connection")

    def _read(self, deadline: _Deadline, size: int) -> bytes:
        """`size` bytes, or fewer if the receiver closes the connection first."""
        while len(self.buffer) < size and self._fill(deadline):
            pass
        found = bytes(self.buffer[:size])
        del self.buffer[:size]
        return found

    def _send(self, deadline: _Deadline, request: bytes) -> None:
        view = memoryview(request)
        while view:
            self.sock.settimeout(deadline.left())
            view = view[self.sock.send(view) :]

    def exchange(self, request: bytes, max_body: int, deadline: _Deadline) -> tuple[Answer, bool]:
        """Send one request; return the answer and whether the connection may be used again."""
        self._send(deadline, request)
        head_left = MAX_HEAD
        while True:  # interim answers (100 Continue) come before the real one
            status, length, chunked, keep, head_left = self._head(deadline, head_left)
            if not 100 <= status < 200 or status == 101:
                break
        limit = max(max_body, READ_LIMIT)
        if status in NO_BODY or status == 101:
            body, keep = b"", keep and status != 101
        elif chunked:
            body, complete = self._chunks(deadline, limit)
            keep = keep and complete
        elif length is not None and length <= limit:
            body = self._read(deadline, length)
            keep = keep and len(body) == length
        elif length is not None:  # more than we read: take what is kept, and close rather than drain the rest
            body, keep = self._read(deadline, max_body), False
        else:  # no length: the body runs to the end of the connection, which we end at the limit
            body, keep = self._read(deadline, limit), False
        return Answer(status, body[:max_body]), keep

    def _head(self, deadline: _Deadline, head_left: int) -> tuple[int, int | None, bool, bool, int]:
        """The status line and the headers this client needs: status, content-length, chunked, keep-alive, and how
        much of the head's allowance is left."""
        status_line = self._line(deadline, head_left)
        head_left -= len(status_line)
        parts = status_line.split(None, 2)
        if len(parts) < 2 or not parts[0].startswith(b"HTTP/1.") or not parts[1].isdigit():
            raise HttpError("malformed status line")
        status = int(parts[1])
        length: int | None = None
        chunked, keep = False, parts[0] == b"HTTP/1.1"
        while True:
            line = self._line(deadline, head_left)
            head_left -= len(line)
            if line in (b"\r\n", b"\n"):
                return status, length, chunked, keep, head_left
            name, _, value = line.partition(b":")
            name, value = name.strip().lower(), value.strip().lower()
            if name == b"content-length":
                if not value.isdigit():
                    raise HttpError("malformed content-length")
                length = int(value)
            elif name == b"transfer-encoding":
                chunked = b"chunked" in value
            elif name == b"connection":
                keep = value == b"keep-alive" or (keep and value != b"close")

    def _chunks(self, deadline: _Deadline, limit: int) -> tuple[bytes, bool]:
        """The body, and whether it ended within `limit` bytes (its trailers read)."""
        body = bytearray()
        while True:
            size_field = self._line(deadline, MAX_HEAD).split(b";")[0].strip()
            if not size_field or size_field.strip(b"0123456789abcdefABCDEF"):
                raise HttpError("malformed chunk size")
            size = int(size_field, 16)
            if size == 0:
                trailers = MAX_HEAD
                while (line := self._line(deadline, trailers)) not in (b"\r\n", b"\n"):
                    trailers -= len(line)
                return bytes(body), True
            if len(body) + size > limit:
                body += self._read(deadline, limit - len(body))
                return bytes(body), False
            chunk = self._read(deadline, size + 2)
            if len(chunk) < size + 2:
                raise ConnectionResetError("the receiver closed the connection in a chunk")
            body += chunk[:size]


class Client:
    """Kept-alive connections per sending thread and destination. `tls` replaces the system's trust store (tests,
    or a deployment's own CA)."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self._local = threading.local()
        self._tls = tls

    def post(
        self, destination: Destination, body: bytes, headers: dict[str, str], timeout: float, max_body: int = EXCERPT
    ) -> Answer:
        """POST `body` to a vetted destination, connecting only to the addresses it was vetted with; everything
        (connect, TLS, send, the answer) within `timeout` seconds, else TimeoutError."""
        deadline = _Deadline(timeout)
        parts = urlsplit(destination.url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        request = (
            f"POST {target} HTTP/1.1\r\nhost: {parts.netloc.rpartition('@')[2]}\r\n{head}"
            f"content-length: {len(body)}\r\n\r\n"
        ).encode("latin-1") + body
        pool: dict[tuple[str, str, int], _Connection] = self._local.__dict__.setdefault("pool", {})
        key = (destination.scheme, destination.host, destination.port)
        for attempt in (1, 2):  # a kept-alive connection the receiver closed meanwhile gets one fresh retry
            connection = pool.pop(key, None)
            if connection is not None and connection.address not in destination.addresses:
                connection.close()  # the name was vetted to other addresses since: this one is no longer allowed
                connection = None
            reused = connection is not None
            if connection is None:
                connection = _Connection(destination, deadline, self._tls)
            try:
                answer, keep = connection.exchange(request, max_body, deadline)
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
