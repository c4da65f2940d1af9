"""A real HTTP fake of SP4N-LAPOR!'s API, as the bridge talks to it (docs/how-to/lapor.md): it assigns ids to
forwarded reports, records replies, drops repeated Idempotency-Keys, and can be told to fail."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class FakeLapor:
    def __init__(self) -> None:
        self.reports: dict[str, dict[str, Any]] = {}
        self.responses: list[tuple[str, dict[str, Any]]] = []
        self.seen_keys: set[str] = set()
        self.failing = False
        self.token = "lapor-test-token"
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/api"

    def start(self) -> "FakeLapor":
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (the stdlib's name)
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                if fake.failing:
                    return self._answer(503, {"error": "maintenance"})
                if self.headers.get("Authorization") != f"Bearer {fake.token}":
                    return self._answer(401, {"error": "token"})
                key = self.headers.get("Idempotency-Key", "")
                repeat = key in fake.seen_keys
                fake.seen_keys.add(key)
                if self.path == "/api/complaints":
                    lapor_id = f"LAPOR-{len(fake.reports) + 1}"
                    if not repeat:
                        fake.reports[lapor_id] = body
                    return self._answer(201, {"id": lapor_id})
                if self.path.startswith("/api/complaints/") and self.path.endswith("/responses"):
                    if not repeat:
                        fake.responses.append((self.path.split("/")[3], body))
                    return self._answer(201, {})
                return self._answer(404, {"error": "path"})

            def _answer(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        return Handler
