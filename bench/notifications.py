"""Benchmark: notice fan-out in one worker process. Events of one case's steps go through the notice consumer
(notices written, first delivery attempts planned), then the delivery job sends each on SMS to a local HTTP gateway
(a thread in this process answering 202, as a real gateway would) and settles the outcomes (an event each).

    uv run python bench/notifications.py [--events 2000] [--batch 100]

Prints one JSON object (docs/performance.md). PostgreSQL (BENCH_DATABASE_URL).
"""

import argparse
import io
import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

os.environ.setdefault("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kotalive_bench_notifications")

from common import machine, setup_django  # noqa: E402

URL = os.environ["BENCH_DATABASE_URL"]


class Gateway(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    count = 0

    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers["Content-Length"]))
        Gateway.count += 1
        body = json.dumps({"id": f"gw-{Gateway.count}"}).encode()
        self.send_response(202)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


def prepare(count: int) -> list[Any]:
    from django.core.management import call_command
    from django.db import transaction

    from kotalive.accounts.models import User
    from kotalive.events.audience import Audience
    from kotalive.events.services import outbox_write

    call_command("migrate", verbosity=0)
    call_command("seed", demo=True, verbosity=0, stdout=io.StringIO())  # stdout is for the JSON
    citizen = User.objects.get(username="warga3")
    events = []
    with transaction.atomic():
        for i in range(count):
            events.append(
                outbox_write(
                    event="case.verified",
                    subject=f"BENCH-{i:06d}",
                    agency="DISDUKCAPIL",
                    data={
                        "tracking": f"BENCH-{i:06d}",
                        "action": "verify",
                        "to_state": "processing",
                        "state_category": "in_progress",
                        "reason": "",
                        "actor_role": "verifier",
                    },
                    audience=Audience(people=frozenset({citizen.pk})),
                    first=True,
                )
            )
    return events


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=100)
    args = parser.parse_args()
    setup_django(URL, fresh=True)
    from django.conf import settings
    from django.db import transaction

    from kotalive.notifications.models import DeliveryAttempt, Notification
    from kotalive.workflow.delivery import deliveries_run
    from kotalive.workflow.notices import notify_people

    server = ThreadingHTTPServer(("127.0.0.1", 0), Gateway)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.KOTALIVE_SMS_GATEWAY_URL = f"http://127.0.0.1:{server.server_address[1]}/messages"
    settings.KOTALIVE_GATEWAY_SECRET = "bench-secret"  # noqa: S105
    settings.KOTALIVE_NOTIFY_DEFAULT_CHANNELS = ["sms"]
    settings.KOTALIVE_RECEIPT_TIMEOUT_SECONDS = 0  # every send ends undetermined at once: its outcome is settled too
    events = prepare(args.events)

    started = time.perf_counter()
    for i in range(0, len(events), args.batch):
        with transaction.atomic():
            notify_people(events[i : i + args.batch])
    noticed = time.perf_counter() - started
    notices = Notification.objects.count()

    started = time.perf_counter()
    while deliveries_run(limit=args.batch):
        pass
    delivered = time.perf_counter() - started
    server.shutdown()
    print(
        json.dumps(
            {
                "benchmark": "notifications",
                "machine": machine(),
                "database": "postgresql",
                "events": len(events),
                "notices": notices,
                "notices_per_second": round(notices / noticed, 1),
                "gateway_requests": Gateway.count,
                "attempts_settled": DeliveryAttempt.objects.filter(settled=True).count(),
                "sends_and_settlements_per_second": round(Gateway.count / delivered, 1),
                "end_to_end_per_second": round(notices / (noticed + delivered), 1),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
