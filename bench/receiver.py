"""A fast webhook receiver for bench/dispatch.py: asyncio, keep-alive, answers 204 at once.

It records, per request, the arrival time and the event's subject, sequence, time and webhook-id; on SIGTERM it
writes a summary (counts, duplicates, per-subject order violations, commit-to-arrival lags) as JSON to --out.

    python bench/receiver.py --port 18790 --out /tmp/receiver.json
"""

import argparse
import asyncio
import datetime as dt
import json
import signal
import time


class Stats:
    def __init__(self) -> None:
        self.requests = 0
        self.ids: set[str] = set()
        self.duplicates = 0
        self.last_sequence: dict[str, int] = {}
        self.out_of_order = 0
        self.lags_ms: list[float] = []
        self.first_at = 0.0
        self.last_at = 0.0

    def record(self, webhook_id: str, body: bytes) -> None:
        now = time.time()
        self.requests += 1
        self.first_at = self.first_at or now
        self.last_at = now
        if webhook_id in self.ids:
            self.duplicates += 1
            return
        self.ids.add(webhook_id)
        event = json.loads(body)
        subject, sequence = event["subject"], event["sequence"]
        if sequence < self.last_sequence.get(subject, 0):
            self.out_of_order += 1
        self.last_sequence[subject] = max(sequence, self.last_sequence.get(subject, 0))
        written = dt.datetime.fromisoformat(event["time"].replace("Z", "+00:00")).timestamp()
        self.lags_ms.append((now - written) * 1000)


class Receiver(asyncio.Protocol):
    def __init__(self, stats: Stats) -> None:
        self.stats = stats
        self.buffer = b""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self.buffer[:end].decode("latin-1").split("\r\n")
            headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in head[1:])}
            length = int(headers.get("content-length", "0"))
            total = end + 4 + length
            if len(self.buffer) < total:
                return
            body, self.buffer = self.buffer[end + 4 : total], self.buffer[total:]
            self.stats.record(headers.get("webhook-id", ""), body)
            self.transport.write(b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n")  # type: ignore[attr-defined]


async def serve(port: int, out: str) -> None:
    stats = Stats()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: Receiver(stats), "127.0.0.1", port)
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    server.close()
    with open(out, "w") as file:
        json.dump(
            {
                "requests": stats.requests,
                "unique": len(stats.ids),
                "duplicates": stats.duplicates,
                "out_of_order": stats.out_of_order,
                "first_at": stats.first_at,
                "last_at": stats.last_at,
                "lags_ms": stats.lags_ms,
            },
            file,
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    asyncio.run(serve(args.port, args.out))
