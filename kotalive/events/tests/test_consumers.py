"""In-process event consumers read the feed from their own cursors: one that raises is retried with backoff and
dead-lettered on its own, while webhooks and the other consumers go on; the operator replays its dead letters."""

import datetime as dt
import importlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.apps import apps
from django.db import transaction
from django.db.models import Max
from django.test import Client

from kotalive.accounts.models import User
from kotalive.agencies.models import StaffRole
from kotalive.conftest import bearer_client
from kotalive.core.errors import Conflict, PermissionDenied
from kotalive.core.models import AuditEntry
from kotalive.events.console import consumer_dead_letters_open
from kotalive.events.consumers import (
    CONSUMERS,
    consumer,
    consumer_dead_letter_replay,
    consumer_retry_delay,
    consumers_run,
)
from kotalive.events.dispatch import dispatch_once
from kotalive.events.models import ConsumerCursor, ConsumerDeadLetter, OutboxEvent, WebhookDelivery
from kotalive.events.services import outbox_write
from kotalive.events.tests.helpers import subscribe, three_steps
from kotalive.events.tests.receiver import Receiver
from kotalive.notifications.models import Notification

pytestmark = pytest.mark.django_db

NAME = "tests.broken"


@dataclass
class Broken:
    """A consumer registered for one test: it records what it was handed and raises on the events `fails` picks
    (every event while `fails` is None)."""

    handed: list[list[str]] = field(default_factory=list)
    fails: Callable[[OutboxEvent], bool] | None = None
    fixed: bool = False
    wrote: Callable[[OutboxEvent], None] | None = None

    def __call__(self, events: list[OutboxEvent]) -> None:
        self.handed.append([e.subject for e in events])
        for event in events:
            if self.wrote is not None:
                self.wrote(event)
            if not self.fixed and (self.fails is None or self.fails(event)):
                raise RuntimeError(f"cannot handle {event.subject}")


@pytest.fixture
def broken(settings: Any) -> Iterator[Broken]:
    settings.KOTALIVE_CONSUMER_RETRY_BASE_SECONDS = 0  # a failed event is due again at once
    settings.KOTALIVE_CONSUMER_MAX_ATTEMPTS = 3
    handler = Broken()
    consumer(NAME)(handler)
    try:
        yield handler
    finally:
        CONSUMERS.pop(NAME, None)  # the registry is process-wide: later tests must not meet this consumer


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver().start()
    yield running
    running.stop()


def _drain(passes: int = 100) -> int:
    """Worker passes until one finds nothing to do; returns how many passes had work."""
    for done in range(passes):
        result = dispatch_once()
        if not (result["fanned_out"] or result["attempted"] or result["consumed"]):
            return done
    raise AssertionError(f"the dispatcher still had work after {passes} passes")


def _write(subject: str) -> OutboxEvent:
    with transaction.atomic():
        return outbox_write(event="case.message_posted", subject=subject, agency="DISDUKCAPIL", data={})


def _cursor() -> ConsumerCursor:
    return ConsumerCursor.objects.get(name=NAME)


def test_a_consumer_that_always_raises_holds_up_neither_webhooks_nor_notices(
    warga1: User, verifier: User, dukcapil_admin: User, receiver: Receiver, broken: Broken
) -> None:
    subscribe(bearer_client(dukcapil_admin), receiver.url)
    tracking = three_steps(warga1, verifier)

    _drain()

    delivered = [json.loads(r.body) for r in receiver.accepted()]
    assert [(e["subject"], e["sequence"]) for e in delivered] == [(tracking, 1), (tracking, 2), (tracking, 3)]
    assert not WebhookDelivery.objects.exclude(status=WebhookDelivery.SUCCEEDED).exists()
    assert set(Notification.objects.filter(user=warga1).values_list("kind", flat=True)) == {
        "case.verified",
        "case.verification_started",
    }
    # Every event of the feed was tried three times by the broken consumer, then set aside for it alone.
    positioned = set(OutboxEvent.objects.filter(position__isnull=False).values_list("id", flat=True))
    letters = ConsumerDeadLetter.objects.filter(consumer=NAME)
    assert set(letters.values_list("event_id", flat=True)) == positioned
    assert {letter.attempts for letter in letters} == {3}
    assert all("RuntimeError: cannot handle" in letter.error for letter in letters)
    assert not ConsumerDeadLetter.objects.exclude(consumer=NAME).exists()
    last = OutboxEvent.objects.aggregate(last=Max("position"))["last"]
    assert last is not None
    assert _cursor().position == last
    assert ConsumerCursor.objects.get(name="workflow.subject-notices").position == last


def test_a_failing_event_is_retried_with_backoff_then_dead_lettered(broken: Broken, settings: Any) -> None:
    settings.KOTALIVE_CONSUMER_RETRY_BASE_SECONDS = 60
    event = _write("DISDUKCAPIL-20261127-00001")

    dispatch_once()
    cursor = _cursor()
    assert (cursor.attempts, cursor.position) == (1, 0)
    assert cursor.next_attempt_at == cursor.updated_at + dt.timedelta(seconds=60)
    assert cursor.last_error == "RuntimeError: cannot handle DISDUKCAPIL-20261127-00001"

    assert dispatch_once()["consumed"] == 0  # not due yet: the consumer is left alone
    assert len(broken.handed) == 1

    ConsumerCursor.objects.filter(name=NAME).update(next_attempt_at=cursor.updated_at)  # a minute later
    dispatch_once()
    cursor = _cursor()
    assert cursor.attempts == 2
    assert cursor.next_attempt_at == cursor.updated_at + dt.timedelta(seconds=120)  # doubled
    assert not ConsumerDeadLetter.objects.exists()

    ConsumerCursor.objects.filter(name=NAME).update(next_attempt_at=cursor.updated_at)
    dispatch_once()  # the third and last attempt
    cursor = _cursor()
    event.refresh_from_db()
    assert (cursor.attempts, cursor.next_attempt_at, cursor.position) == (0, None, event.position)
    letter = ConsumerDeadLetter.objects.get()
    assert (letter.consumer, letter.event_id, letter.attempts) == (NAME, event.pk, 3)
    assert len(broken.handed) == 3
    assert dispatch_once()["consumed"] == 0


def test_the_backoff_doubles_from_the_base() -> None:
    assert [consumer_retry_delay(n).total_seconds() for n in (1, 2, 3, 4)] == [5, 10, 20, 40]


def test_a_consumer_failing_on_one_event_of_a_batch_still_gets_the_others(broken: Broken, warga1: User) -> None:
    broken.fails = lambda event: event.subject.endswith("00003")

    def wrote(event: OutboxEvent) -> None:  # its own writes: kept with its cursor, rolled back with a failure
        Notification.objects.create(user=warga1, event_id=event.event_id, kind="test.consumed", subject=event.subject)

    broken.wrote = wrote
    subjects = [f"DISDUKCAPIL-20261127-{n:05d}" for n in range(1, 6)]
    for subject in subjects:
        _write(subject)

    _drain()

    # Written once each (a second write would break notification_event_unique), the failing event's never.
    consumed = Notification.objects.filter(kind="test.consumed").values_list("subject", flat=True)
    assert sorted(consumed) == [subjects[0], subjects[1], subjects[3], subjects[4]]
    assert list(ConsumerDeadLetter.objects.values_list("event__subject", flat=True)) == [subjects[2]]
    # The whole batch once, then one by one up to the failing event, its two retries alone, then the rest.
    assert broken.handed[:4] == [subjects, [subjects[0]], [subjects[1]], [subjects[2]]]
    assert broken.handed[4:] == [[subjects[2]], [subjects[2]], subjects[3:]]
    assert _cursor().position == OutboxEvent.objects.get(subject=subjects[4]).position


def test_a_consumer_met_for_the_first_time_starts_at_the_beginning(broken: Broken) -> None:
    broken.fixed = True
    first, second = _write("DISDUKCAPIL-20261127-00001"), _write("DISDUKCAPIL-20261127-00002")
    dispatch_once()
    assert broken.handed == [[first.subject, second.subject]]

    CONSUMERS.pop(NAME)
    ConsumerCursor.objects.filter(name=NAME).delete()
    late = Broken(fixed=True)
    consumer(NAME)(late)
    consumers_run()
    assert late.handed == [[first.subject, second.subject]]
    second.refresh_from_db()
    assert _cursor().position == second.position == 2


def test_the_migration_starts_the_existing_consumers_at_the_end_of_the_feed() -> None:
    _write("DISDUKCAPIL-20261127-00001")
    dispatch_once()
    last = _write("DISDUKCAPIL-20261127-00002")
    dispatch_once()
    ConsumerCursor.objects.all().delete()
    last.refresh_from_db()

    migration = importlib.import_module("kotalive.events.migrations.0005_consumer_cursors_start")
    migration.cursors_at_the_end(apps, None)

    cursors = dict(ConsumerCursor.objects.values_list("name", "position"))
    assert cursors == dict.fromkeys(migration.EXISTING_CONSUMERS, last.position)
    # The names the code registered then: the LAPOR outbox still is; the two notice consumers' cursors moved to the
    # kernel's one in workflow 0006 (kotalive/workflow/tests/test_notices.py).
    assert set(migration.EXISTING_CONSUMERS) & set(CONSUMERS) == {"complaints.lapor-outbox"}


def test_an_idle_pass_of_the_consumers_costs_two_queries(django_assert_num_queries: Any) -> None:
    _write("DISDUKCAPIL-20261127-00001")
    dispatch_once()
    with django_assert_num_queries(2):  # the cursors, the feed's last position
        assert consumers_run() == 0


def _dead_letter(broken: Broken) -> ConsumerDeadLetter:
    _write("DISDUKCAPIL-20261127-00001")
    _drain()
    return ConsumerDeadLetter.objects.get(consumer=NAME)


def test_the_operator_replays_a_dead_letter_once_the_consumer_works(broken: Broken, operator: User) -> None:
    letter = _dead_letter(broken)

    with pytest.raises(Conflict) as failed_again:
        consumer_dead_letter_replay(actor=operator, dead_letter_id=letter.pk)
    assert failed_again.value.code == "replay_failed"
    letter.refresh_from_db()
    assert (letter.replayed_at, letter.attempts) == (None, 4)
    assert AuditEntry.objects.filter(action="consumer.replay_failed", object_id=str(letter.pk)).exists()

    broken.fixed = True
    consumer_dead_letter_replay(actor=operator, dead_letter_id=letter.pk)
    letter.refresh_from_db()
    assert letter.replayed_at is not None
    assert letter.replayed_by == operator
    assert broken.handed[-1] == [letter.event.subject]
    entry = AuditEntry.objects.get(action="consumer.replayed")
    assert entry.data["consumer"] == NAME
    assert entry.data["event"] == str(letter.event.event_id)

    with pytest.raises(Conflict) as replayed_already:
        consumer_dead_letter_replay(actor=operator, dead_letter_id=letter.pk)
    assert replayed_already.value.code == "replayed"


def test_only_the_platform_operator_and_administrators_replay(
    broken: Broken, dukcapil_admin: User, verifier: User, platform_admin: User
) -> None:
    """An agency's administrator does not; a platform auditor sees the dead letters but does not replay either."""
    letter = _dead_letter(broken)
    broken.fixed = True
    StaffRole.objects.create(user=verifier, agency=None, role=StaffRole.AUDITOR)
    for actor in (dukcapil_admin, verifier):
        with pytest.raises(PermissionDenied):
            consumer_dead_letter_replay(actor=actor, dead_letter_id=letter.pk)
    letter.refresh_from_db()
    assert letter.replayed_at is None
    assert [letter.pk for letter in consumer_dead_letters_open(actor=verifier)] == [letter.pk]
    assert consumer_dead_letters_open(actor=dukcapil_admin) == []

    consumer_dead_letter_replay(actor=platform_admin, dead_letter_id=letter.pk)
    letter.refresh_from_db()
    assert letter.replayed_by == platform_admin


def test_the_console_shows_and_replays_consumer_dead_letters(
    broken: Broken, operator: User, dukcapil_admin: User
) -> None:
    letter = _dead_letter(broken)

    agency_admin = Client()
    agency_admin.force_login(dukcapil_admin)
    assert NAME not in agency_admin.get("/kantor/integrasi/").content.decode()  # consumers are the platform's
    refused = agency_admin.post(
        "/kantor/integrasi/aksi/", {"intent": "consumer_replay", "dead_letter": letter.pk}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert refused.status_code == 403  # the console again, saying why
    assert "Only the platform operator replays" in refused.content.decode()
    letter.refresh_from_db()
    assert letter.replayed_at is None

    client = Client()
    client.force_login(operator)
    page = client.get("/kantor/integrasi/").content.decode()
    assert NAME in page
    assert "cannot handle DISDUKCAPIL-20261127-00001" in page
    assert 'value="consumer_replay"' in page

    broken.fixed = True
    answer = client.post("/kantor/integrasi/aksi/", {"intent": "consumer_replay", "dead_letter": letter.pk})
    assert answer.status_code == 302
    letter.refresh_from_db()
    assert letter.replayed_at is not None
    assert 'value="consumer_replay"' not in client.get("/kantor/integrasi/").content.decode()
