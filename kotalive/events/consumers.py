"""In-process consumers of the event feed: the applicant's and reporter's in-app notices, the SP4N-LAPOR! outbox.

A consumer is a function of a list of events, registered under a stable name with `@consumer("app.what")` from
its app's `AppConfig.ready()` (events knows no subject kind; the subject apps plug in here). Each consumer reads
the feed on its own, from its own cursor (`ConsumerCursor.position`, over `OutboxEvent.position`, which fan-out
gives in commit order), so that one consumer's failure holds up neither the others nor the webhooks:

- `consumers_run`, called by the worker's pass after fan-out, gives each consumer the events after its cursor in
  batches, one transaction per consumer and batch; on success the cursor moves to the batch's last event.
- A batch that raises is run again one event at a time, each in its own transaction: the events before the
  failing one are done; the failing one is tried again after KOTALIVE_CONSUMER_RETRY_BASE_SECONDS, doubling, and
  after KOTALIVE_CONSUMER_MAX_ATTEMPTS attempts it becomes a `ConsumerDeadLetter` of that consumer alone and the
  cursor moves past it.
- The operator replays a dead letter from the integration console (`consumer_dead_letter_replay`).

Consumers must only write to the database (their writes commit with their cursor, so an event is consumed once
per success), and be idempotent: a replay, or a cursor reset, hands them an event again.
"""

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from kotalive.accounts.models import User
from kotalive.agencies.models import StaffRole
from kotalive.core.audit import audit_record
from kotalive.core.errors import Conflict, NotFound, PermissionDenied
from kotalive.core.masking import mask_sixteen_digit_runs
from kotalive.events.models import ConsumerCursor, ConsumerDeadLetter, OutboxEvent

logger = logging.getLogger("kotalive.events")

Consumer = Callable[[list[OutboxEvent]], None]
CONSUMERS: dict[str, Consumer] = {}  # name -> function, in registration order
CONSUMER_LABELS: dict[str, str] = {}  # name -> what people read in the console (a lazy translation)

# However many attempts are configured, a failing event waits at most this long between two of them.
RETRY_MAX_SECONDS = 60 * 60


def consumer(name: str, *, label: Any = None) -> Callable[[Consumer], Consumer]:
    """Register an in-process consumer of every event under `name` (its cursor's key: keep it once deployed; a
    new name starts from the first event of the feed); `label` is what the integration console shows (gettext_lazy)."""
    if not isinstance(name, str) or not name:
        raise TypeError('give the consumer a name: @consumer("app.what")')

    def register(function: Consumer) -> Consumer:
        if CONSUMERS.get(name, function) is not function:
            raise ValueError(f"two event consumers are named {name!r}")
        CONSUMERS[name] = function
        CONSUMER_LABELS[name] = label or name
        return function

    return register


def consumer_retry_delay(attempts: int) -> dt.timedelta:
    """The wait after the `attempts`-th failed attempt at one event: base * 2^(attempts-1) seconds, capped."""
    seconds = settings.KOTALIVE_CONSUMER_RETRY_BASE_SECONDS * 2 ** min(max(attempts - 1, 0), 30)
    return dt.timedelta(seconds=min(seconds, RETRY_MAX_SECONDS))


def consumers_run(*, batch: int = 500) -> int:
    """Give every registered consumer the events after its cursor (up to `batch` each); returns how many events
    were handed over (consumed, failed or dead-lettered), so the worker knows whether there was work.

    An idle pass costs two queries: the cursors, and the feed's last position."""
    if not CONSUMERS:
        return 0
    cursors = {c.name: c for c in ConsumerCursor.objects.filter(name__in=list(CONSUMERS))}
    missing = [name for name in CONSUMERS if name not in cursors]
    if missing:  # a consumer met for the first time reads from the start (ignore_conflicts: another worker's too)
        ConsumerCursor.objects.bulk_create([ConsumerCursor(name=name) for name in missing], ignore_conflicts=True)
        cursors.update({name: ConsumerCursor(name=name) for name in missing})
    last = OutboxEvent.objects.aggregate(last=Max("position"))["last"] or 0
    now = timezone.now()
    handed = 0
    for name, handle in list(CONSUMERS.items()):
        cursor = cursors[name]
        if cursor.position >= last or (cursor.next_attempt_at is not None and cursor.next_attempt_at > now):
            continue
        handed += _consumer_run(name, handle, batch)
    return handed


@dataclass
class _Step:
    handed: int  # events handed to the consumer whose outcome was recorded (done, retry planned, dead letter)
    failed: bool


def _consumer_run(name: str, handle: Consumer, batch: int) -> int:
    step = _consumer_step(name, handle, limit=batch)
    if not step.failed or step.handed:
        return step.handed
    # The batch raised and nothing of it was kept: run it one event at a time, each in its own transaction, so the
    # events before the failing one are done and only that one waits for its retry.
    handed = 0
    for _event in range(batch):
        step = _consumer_step(name, handle, limit=1)
        handed += step.handed
        if step.failed or not step.handed:
            break
    return handed


def _consumer_step(name: str, handle: Consumer, *, limit: int) -> _Step:
    """One transaction: lock the consumer's cursor, hand it up to `limit` events, record the outcome."""
    with transaction.atomic():
        cursors = ConsumerCursor.objects.filter(name=name)
        if connection.vendor == "postgresql":  # another worker running this consumer: leave it to that one
            cursors = cursors.select_for_update(skip_locked=True)
        cursor = cursors.first()
        now = timezone.now()
        if cursor is None or (cursor.next_attempt_at is not None and cursor.next_attempt_at > now):
            return _Step(0, failed=False)
        if cursor.attempts:
            limit = 1  # the next event failed before: try it alone
        events = list(OutboxEvent.objects.filter(position__gt=cursor.position).order_by("position")[:limit])
        if not events:
            return _Step(0, failed=False)
        error = _handed_over(name, handle, events)
        if error is None:
            _cursor_move(cursor, _position_of(events[-1]), now)
            return _Step(len(events), failed=False)
        if len(events) > 1:
            return _Step(0, failed=True)  # which event? the caller tries them one by one
        _failure_record(cursor, events[0], error, now)
        return _Step(1, failed=True)


def _handed_over(name: str, handle: Consumer, events: list[OutboxEvent]) -> str | None:
    """Run the consumer in a savepoint; None on success, else the error (its writes are rolled back)."""
    try:
        with transaction.atomic():
            handle(events)
    except Exception as exc:  # any failure is this consumer's alone: recorded, retried, never raised further
        logger.warning(
            "event consumer %s failed on %s event(s) from position %s",
            name,
            len(events),
            events[0].position,
            exc_info=True,
        )
        return mask_sixteen_digit_runs(f"{type(exc).__name__}: {exc}")[:500]
    return None


def _position_of(event: OutboxEvent) -> int:
    if event.position is None:  # consumers read events by position: never without one
        raise ValueError(f"{event} has no feed position")
    return event.position


def _cursor_move(cursor: ConsumerCursor, position: int, now: dt.datetime) -> None:
    cursor.position = position
    cursor.attempts = 0
    cursor.next_attempt_at = None
    cursor.last_error = ""
    cursor.updated_at = now
    cursor.save(update_fields=["position", "attempts", "next_attempt_at", "last_error", "updated_at"])


def _failure_record(cursor: ConsumerCursor, event: OutboxEvent, error: str, now: dt.datetime) -> None:
    """A failed attempt at the event after the cursor: plan the next one, or after the last, dead-letter the event
    for this consumer and go past it."""
    attempts = cursor.attempts + 1
    if attempts < max(1, settings.KOTALIVE_CONSUMER_MAX_ATTEMPTS):
        cursor.attempts = attempts
        cursor.next_attempt_at = now + consumer_retry_delay(attempts)
        cursor.last_error = error
        cursor.updated_at = now
        cursor.save(update_fields=["attempts", "next_attempt_at", "last_error", "updated_at"])
        return
    ConsumerDeadLetter.objects.update_or_create(
        consumer=cursor.name,
        event=event,
        defaults={"error": error, "attempts": attempts, "created_at": now, "replayed_at": None, "replayed_by": None},
    )
    logger.error("event consumer %s gave up on %s after %s attempts: %s", cursor.name, event, attempts, error)
    _cursor_move(cursor, _position_of(event), now)


# --- the operator's replay ------------------------------------------------------------------------------------


def consumer_dead_letters_may_replay(*, actor: User) -> bool:
    """The platform operator and platform administrators replay consumers' dead letters (consumers serve every
    agency and every resident); auditors only look."""
    return StaffRole.objects.filter(
        user=actor, agency__isnull=True, role__in=[StaffRole.OPERATOR, StaffRole.PLATFORM_ADMIN]
    ).exists()


def consumer_dead_letter_replay(*, actor: User, dead_letter_id: int) -> ConsumerDeadLetter:
    """Run the dead letter's consumer again on its one event, in one transaction with the audit entry, and mark it
    replayed. If the consumer fails again the letter stays open with the new error, and Conflict says so."""
    if not consumer_dead_letters_may_replay(actor=actor):
        raise PermissionDenied(_("Only the platform operator replays the dead letters of event consumers."))
    with transaction.atomic():
        letter = (
            ConsumerDeadLetter.objects.select_for_update(of=("self",))
            .select_related("event")
            .filter(pk=dead_letter_id)
            .first()
        )
        if letter is None:
            raise NotFound(_("No such dead letter."))
        if letter.replayed_at is not None:
            raise Conflict(_("This dead letter was replayed already."), code="replayed")
        handle = CONSUMERS.get(letter.consumer)
        if handle is None:
            raise Conflict(_("No event consumer of this name runs any more."), code="unknown_consumer")
        error = _handed_over(letter.consumer, handle, [letter.event])
        letter.attempts += 1
        if error is None:
            letter.replayed_at = timezone.now()
            letter.replayed_by = actor
        else:
            letter.error = error
        letter.save(update_fields=["attempts", "replayed_at", "replayed_by", "error"])
        audit_record(
            actor=actor,
            action="consumer.replayed" if error is None else "consumer.replay_failed",
            obj=letter,
            data={"consumer": letter.consumer, "event": str(letter.event.event_id), "error": error or ""},
        )
    if error is not None:
        raise Conflict(_("The consumer failed again: %(error)s") % {"error": error}, code="replay_failed")
    return letter
