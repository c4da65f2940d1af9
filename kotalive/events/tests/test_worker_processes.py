"""Real `kotalive worker` processes against the test database and a real receiver: a worker killed with SIGKILL
in the middle of a batch loses nothing, two workers on PostgreSQL never send one delivery twice at once, and a
worker stops within 5 seconds of SIGTERM or SIGINT, leaving a delivery it could not finish to the next worker."""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pytest
from django.conf import settings
from django.db import connection, transaction

from kotalive.accounts.models import User
from kotalive.conftest import bearer_client
from kotalive.events.models import DeliveryAttempt, WebhookDelivery
from kotalive.events.services import outbox_write
from kotalive.events.tests.helpers import subscribe
from kotalive.events.tests.receiver import Receiver

pytestmark = pytest.mark.django_db(transaction=True)  # the workers are other processes: data must be committed


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _start_worker(*, stderr: IO[bytes] | None = None, **overrides: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "KOTALIVE_WEBHOOK_TIMEOUT_SECONDS": "1",  # a killed worker's leases end 6 s later
        "KOTALIVE_WEBHOOK_RETRY_BASE_SECONDS": "0",
        "KOTALIVE_WEBHOOK_SENDERS": "4",
        "LOG_LEVEL": "WARNING",
        **overrides,
    }
    return subprocess.Popen(
        [sys.executable, "-m", "config.manage", "worker"],
        cwd=settings.BASE_DIR,
        env=env,  # noqa: S603
        stderr=stderr,
    )


def _stop(worker: subprocess.Popen[bytes], signum: int = signal.SIGTERM, log: Path | None = None) -> float:
    """Send `signum` and wait at most 5 s for the worker to exit; returns how long it took."""
    sent = time.monotonic()
    worker.send_signal(signum)
    try:
        worker.wait(timeout=5)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()
        said = log.read_text() if log is not None else ""
        raise AssertionError(f"the worker was still running 5 s after signal {signum}: {said}") from None
    return time.monotonic() - sent


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver().start()
    yield running
    running.stop()


def _events(subjects: int, per_subject: int) -> None:
    for number in range(per_subject):
        for subject in range(subjects):
            with transaction.atomic():
                outbox_write(
                    event="case.message_posted",
                    subject=f"DISDUKCAPIL-20261127-{subject:05d}",
                    agency="DISDUKCAPIL",
                    data={"n": number},
                )


def _wait_for(condition: Any, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError("timed out waiting")


def _check_order(receiver: Receiver) -> dict[str, list[int]]:
    """First arrival of each webhook-id, per subject, must come in sequence order."""
    import json

    seen: set[str] = set()
    per_subject: dict[str, list[int]] = {}
    for request in receiver.accepted():
        if request.headers["webhook-id"] in seen:
            continue
        seen.add(request.headers["webhook-id"])
        event = json.loads(request.body)
        per_subject.setdefault(event["subject"], []).append(event["sequence"])
    for sequences in per_subject.values():
        assert sequences == sorted(sequences)
    return per_subject


def test_a_worker_killed_mid_batch_loses_nothing(dukcapil_admin: User, receiver: Receiver) -> None:
    subscribe(bearer_client(dukcapil_admin), receiver.url)
    _events(subjects=20, per_subject=3)
    receiver.mode, receiver.hang_seconds = "hang", 0.3  # slow answers: the kill lands inside a batch
    worker = _start_worker()
    try:
        _wait_for(lambda: len(receiver.requests) >= 3, 30)
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
        assert WebhookDelivery.objects.exclude(status=WebhookDelivery.SUCCEEDED).exists()
        receiver.mode = "ok"
        worker = _start_worker()
        _wait_for(lambda: not WebhookDelivery.objects.exclude(status=WebhookDelivery.SUCCEEDED).exists(), 60)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(10)
    per_subject = _check_order(receiver)
    assert len(per_subject) == 20
    assert all(sequences == [1, 2, 3] for sequences in per_subject.values())


def test_two_workers_share_the_work_without_sending_twice(dukcapil_admin: User, receiver: Receiver) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("several workers at once is a PostgreSQL deployment (SKIP LOCKED); SQLite has one writer")
    subscribe(bearer_client(dukcapil_admin), receiver.url)
    _events(subjects=30, per_subject=4)
    workers = [_start_worker(), _start_worker()]
    try:
        _wait_for(lambda: WebhookDelivery.objects.filter(status=WebhookDelivery.SUCCEEDED).count() == 120, 60)
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
            worker.wait(10)
    assert DeliveryAttempt.objects.count() == 120  # each delivery attempted once: never two workers at once
    assert len(receiver.accepted()) == 120
    per_subject = _check_order(receiver)
    assert all(sequences == [1, 2, 3, 4] for sequences in per_subject.values())


DEADLINE_LINE = "not stopped within the deadline"


def test_a_worker_stops_within_five_seconds_of_sigterm_or_sigint(
    dukcapil_admin: User, receiver: Receiver, tmp_path: Path
) -> None:
    """Started and stopped again and again, at different moments: idle, or with a pass full of work."""
    subscribe(bearer_client(dukcapil_admin), receiver.url)
    plans = [  # (signal, seconds after it delivered its first event, events written just before the signal)
        (signal.SIGTERM, 0.0, 0),
        (signal.SIGINT, 0.3, 20),
        (signal.SIGTERM, 0.05, 40),
        (signal.SIGINT, 1.2, 0),
        (signal.SIGTERM, 0.6, 20),
    ]
    for number, (signum, delay, busy) in enumerate(plans):
        log = tmp_path / f"worker-{number}.log"
        with log.open("wb") as stderr:
            worker = _start_worker(stderr=stderr)
            try:
                before = len(receiver.requests)
                _events(subjects=1, per_subject=1)
                try:  # it runs: it delivered an event
                    _wait_for(lambda before=before: len(receiver.requests) > before, 30)
                except AssertionError:
                    raise AssertionError(f"start {number} delivered nothing: {log.read_text()}") from None
                if busy:
                    _events(subjects=busy // 2, per_subject=2)
                time.sleep(delay)
                took = _stop(worker, signum, log)
            finally:
                if worker.poll() is None:
                    worker.kill()
                    worker.wait()
        said = log.read_text()
        assert took < 5, (number, said)
        assert worker.returncode == 0, (number, worker.returncode, said)
        # It finished its pass and stopped; the hard deadline was not needed.
        assert DEADLINE_LINE not in said, (number, said)


def test_a_delivery_in_flight_at_sigterm_is_left_to_the_next_worker(
    dukcapil_admin: User, receiver: Receiver, tmp_path: Path
) -> None:
    """The receiver hangs past the 4 s deadline: the worker exits within 5 s without finishing the request, and the
    delivery it leased is sent by another worker once the lease ends (timeout 6 s + 5 s)."""
    subscribe(bearer_client(dukcapil_admin), receiver.url)
    receiver.mode, receiver.hang_seconds = "hang", 20
    _events(subjects=1, per_subject=1)
    log = tmp_path / "worker.log"
    with log.open("wb") as stderr:
        worker = _start_worker(stderr=stderr, KOTALIVE_WEBHOOK_TIMEOUT_SECONDS="6")
        try:
            _wait_for(lambda: WebhookDelivery.objects.filter(status=WebhookDelivery.IN_FLIGHT).exists(), 30)
            time.sleep(0.3)  # the request is on its way: the receiver holds it
            took = _stop(worker, signal.SIGTERM, log)
        finally:
            if worker.poll() is None:
                worker.kill()
                worker.wait()
    assert took < 5
    assert DEADLINE_LINE in log.read_text()
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == (WebhookDelivery.IN_FLIGHT, 1)  # leased, nothing recorded

    receiver.mode = "ok"
    worker = _start_worker()
    try:
        _wait_for(lambda: WebhookDelivery.objects.filter(status=WebhookDelivery.SUCCEEDED).exists(), 30)
    finally:
        took = _stop(worker, signal.SIGTERM)
    assert took < 5
    delivery.refresh_from_db()
    assert delivery.attempts == 2
    assert list(DeliveryAttempt.objects.values_list("status_code", flat=True)) == [204]
