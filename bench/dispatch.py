"""Benchmark: webhook deliveries per second of one worker process, and commit-to-delivery lag at a steady rate.

Budgets (docs/performance.md): >= 1,000 deliveries/s per worker process to a local receiver; commit-to-delivery lag
p99 < 500 ms at 200 events/s sustained; nothing lost, nothing out of order for one case.

1. Throughput: N events (over N/10 cases) are written to the outbox first; one `kotalive worker` process then
   fans them out and delivers them to bench/receiver.py (asyncio, answers 204) through one subscription. Rate =
   N / (last arrival - worker start).
2. Lag: with the worker running, a producer writes R events/s for S seconds, each in its own transaction as the
   application does; the receiver measures arrival time minus the event's `time`.

    uv run python bench/dispatch.py [--events 20000] [--rate 200] [--seconds 30]
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import BENCH_AUDIT_KEY, ROOT, machine, percentiles, setup_django

URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kotalive_bench_dispatch")
PORT = int(os.environ.get("BENCH_RECEIVER_PORT", "18790"))
FIELD_KEY = "kotalive-bench-field-key"  # noqa: S105 (a throwaway benchmark database)
os.environ["KOTALIVE_FIELD_KEY"] = FIELD_KEY


def start_receiver(out: Path) -> subprocess.Popen[bytes]:
    receiver = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "receiver.py"), "--port", str(PORT), "--out", str(out)]
    )  # noqa: S603
    time.sleep(0.5)
    if receiver.poll() is not None:
        raise SystemExit(f"the receiver did not start (is port {PORT} taken? set BENCH_RECEIVER_PORT)")
    return receiver


def stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    process.wait(30)


def start_worker() -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": URL,
        "DEBUG": "0",  # as production: no query log
        "KOTALIVE_DEMO": "0",
        "SECRET_KEY": "kotalive-bench-secret-" + "x" * 40,
        "KOTALIVE_FIELD_KEY": FIELD_KEY,
        "KOTALIVE_AUDIT_SIGNING_KEY": BENCH_AUDIT_KEY,
        "KOTALIVE_WEBHOOK_ALLOWED_HOSTS": "127.0.0.0/8",
        "LOG_LEVEL": "WARNING",
    }
    return subprocess.Popen([sys.executable, "-m", "config.manage", "worker"], cwd=ROOT, env=env)  # noqa: S603


def subscribe() -> None:
    from django.test import override_settings

    from kotalive.accounts.models import User
    from kotalive.agencies.models import Agency
    from kotalive.events.services import subscription_create

    operator = User.objects.get(username="kominfo.operator")
    with override_settings(KOTALIVE_WEBHOOK_ALLOWED_HOSTS=["127.0.0.0/8"]):
        subscription_create(
            actor=operator,
            agency=Agency.objects.get(code="DISDUKCAPIL"),
            url=f"http://127.0.0.1:{PORT}/hook",
            event_types=[],
        )


def write_backlog(count: int) -> None:
    from django.utils import timezone

    from kotalive.events.models import OutboxEvent

    now = timezone.now()
    per_case = 10
    OutboxEvent.objects.bulk_create(
        [
            OutboxEvent(
                source="https://bench/cases",
                type="id.kotalive.case.message_posted",
                subject=f"DISDUKCAPIL-20261127-{i // per_case:06d}",
                sequence=i % per_case + 1,
                time=now,
                agency="DISDUKCAPIL",
                data={"n": i},
            )
            for i in range(count)
        ],
        batch_size=5000,
    )


def produce(rate: int, seconds: int) -> int:
    from django.db import transaction

    from kotalive.events.services import outbox_write

    written, started = 0, time.monotonic()
    while written < rate * seconds:
        due = min(int((time.monotonic() - started) * rate) + 1, rate * seconds)
        while written < due:
            with transaction.atomic():
                outbox_write(
                    event="case.message_posted",
                    subject=f"DISDUKCAPIL-20261128-{written % 500:06d}",
                    agency="DISDUKCAPIL",
                    data={"n": written},
                )
            written += 1
        time.sleep(0.002)
    return written


def bare_loop(events: int, workdir: Path) -> dict[str, float]:
    """The limit of this machine for what the worker does: the same signed CloudEvents requests, to the same
    receiver, over the same HTTP client and with the same number of concurrent senders, with no database at all."""
    import uuid
    from concurrent.futures import ThreadPoolExecutor

    from django.conf import settings
    from django.utils import timezone
    from kotalive.events.httpclient import Client

    from kotalive.events.models import cloudevent_attributes
    from kotalive.events.webhooks import secret_new, signature_headers

    secret, now, client = secret_new(), timezone.now(), Client()
    url = f"http://127.0.0.1:{PORT}/hook"

    def one(i: int) -> None:
        attributes = cloudevent_attributes(
            event_id=uuid.uuid4(),
            source="https://bench/cases",
            type="id.kotalive.case.message_posted",
            subject=f"BARE-{i // 10:06d}",
            time=now,
            data={"n": i},
            sequence=i % 10 + 1,
            agency="DISDUKCAPIL",
        )
        body = json.dumps(attributes)
        headers = signature_headers(secrets_=[secret], message_id=str(attributes["id"]), at=now, body=body)
        client.post(url, body.encode(), {"content-type": "application/json", **headers}, 10.0)

    out = workdir / "bare.json"
    receiver = start_receiver(out)
    started = time.monotonic()
    with ThreadPoolExecutor(settings.KOTALIVE_WEBHOOK_SENDERS) as senders:
        list(senders.map(one, range(events)))
    elapsed = time.monotonic() - started
    stop(receiver)
    return {"requests": events, "seconds": round(elapsed, 2), "requests_per_second": round(events / elapsed, 1)}


def read(out: Path) -> dict:
    return json.loads(out.read_text())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--rate", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=30)
    args = parser.parse_args()
    setup_django(URL, fresh=True)
    import io

    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("seed", demo=True, verbosity=0, stdout=io.StringIO())  # stdout is for the JSON
    subscribe()
    workdir = Path(os.environ.get("BENCH_WORKDIR") or tempfile.mkdtemp(prefix="kotalive-dispatch-"))

    # 1. throughput over a backlog
    write_backlog(args.events)
    out = workdir / "throughput.json"
    receiver = start_receiver(out)
    started = time.time()
    worker = start_worker()
    from kotalive.events.models import WebhookDelivery

    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        if WebhookDelivery.objects.filter(status="succeeded").count() >= args.events:
            break
        time.sleep(0.5)
    stop(worker)
    stop(receiver)
    backlog = read(out)
    elapsed = backlog["last_at"] - started
    limit = bare_loop(args.events, workdir)

    # 2. lag at a steady rate (the backlog is done; the worker runs again, idle)
    out = workdir / "lag.json"
    receiver = start_receiver(out)
    worker = start_worker()
    # Measure the steady state, not the worker's start-up: one event first, and wait until it has arrived.
    produce(1, 1)
    while WebhookDelivery.objects.filter(status="succeeded").count() < args.events + 1:
        time.sleep(0.1)
    produced = 1 + produce(args.rate, args.seconds)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if WebhookDelivery.objects.filter(status="succeeded").count() >= args.events + produced:
            break
        time.sleep(0.5)
    time.sleep(0.5)
    stop(worker)
    stop(receiver)
    lag = read(out)

    print(
        json.dumps(
            {
                "benchmark": "dispatch",
                "machine": machine(),
                "database": "postgresql",
                "throughput": {
                    "events": args.events,
                    "received_unique": backlog["unique"],
                    "duplicates": backlog["duplicates"],
                    "out_of_order": backlog["out_of_order"],
                    "seconds": round(elapsed, 2),
                    "deliveries_per_second": round(backlog["unique"] / elapsed, 1),
                    # The same requests sent by a bare loop with no database: this host's limit for the work.
                    "bare_loop": limit,
                    "ratio_to_bare_loop": round(backlog["unique"] / elapsed / limit["requests_per_second"], 3),
                },
                "lag": {
                    "rate_per_second": args.rate,
                    "seconds": args.seconds,
                    "produced": produced,
                    "received_unique": lag["unique"],
                    "duplicates": lag["duplicates"],
                    "out_of_order": lag["out_of_order"],
                    "commit_to_delivery_ms": percentiles(lag["lags_ms"]) if lag["lags_ms"] else None,
                },
                "budgets": {"deliveries_per_second": ">= 1000", "lag_p99_ms": "< 500", "lost": 0, "out_of_order": 0},
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
