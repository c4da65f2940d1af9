import datetime as dt
import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from kotalive.events.audience import Audience


class OutboxEvent(models.Model):
    """A domain event written in the same transaction as the change it describes (transactional outbox).

    Columns are the CloudEvents 1.0 attributes; `sequence` numbers the events of one subject (a case's tracking
    number) from 1 without gaps, so consumers can keep order per subject. The worker fans each row out to the
    webhook subscriptions and gives it a `position`: the order of the event feed and of the in-process consumers
    (kotalive/events/dispatch.py explains why the feed does not use `id`).
    """

    id = models.BigAutoField(primary_key=True)
    event_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)  # CloudEvents `id`
    source = models.CharField(max_length=200)
    type = models.CharField(max_length=120, db_index=True)
    subject = models.CharField(max_length=80)
    time = models.DateTimeField()
    sequence = models.PositiveIntegerField()
    agency = models.CharField(max_length=20, blank=True, db_index=True)  # owning agency code (extension)
    data = models.JSONField(default=dict)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    # Assigned at fan-out, one fan-out at a time, so positions become visible in increasing order: a feed reader
    # paging `position > cursor` never misses a row that commits late (ids are taken before commit, positions after).
    position = models.BigIntegerField(null=True, blank=True, unique=True)
    # About test data (a synthetic case worked with a test key): only test subscriptions and test keys get it.
    test = models.BooleanField(default=False)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["subject", "sequence"], name="outbox_subject_sequence_unique")]
        indexes = [
            models.Index(fields=["id"], condition=models.Q(dispatched_at__isnull=True), name="outbox_pending_idx"),
            models.Index(fields=["agency", "position"], name="outbox_agency_position_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.subject}#{self.sequence}"

    def as_cloudevent(self) -> dict[str, object]:
        """The CloudEvents 1.0 JSON form (structured mode), as webhooks and the event feed send it."""
        return cloudevent_attributes(
            event_id=self.event_id,
            source=self.source,
            type=self.type,
            subject=self.subject,
            time=self.time,
            data=self.data,
            sequence=self.sequence,
            agency=self.agency,
        )


class EventAudience(models.Model):
    """Who besides the owning agency (`OutboxEvent.agency`) an event concerns: helper agencies, the agency that
    handed a report on (for the hand-off event itself), later the agency that asked in a coordination request; and
    the people it is about (an applicant, a reporter; followers, who see only its public face). Webhooks, the event
    feed and the in-app notice consumers read these rows, written with the event by `outbox_write`."""

    event = models.ForeignKey(OutboxEvent, on_delete=models.CASCADE, related_name="audience")
    agency = models.CharField(max_length=20, blank=True)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # The person sees only the subject's public face (a report's follower): the feed gives them the kind's public
    # keys of the event's data, their notice no reason (Audience.public_people, kotalive/events/audience.py).
    public_only = models.BooleanField(default=False)

    class Meta:
        indexes = [
            models.Index(fields=["agency", "event"], condition=~models.Q(agency=""), name="audience_agency_idx"),
            models.Index(
                fields=["person", "event"], condition=models.Q(person__isnull=False), name="audience_person_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} -> {self.agency or self.person_id}"


def audience_people(events: list[OutboxEvent]) -> dict[int, Audience]:
    """For each event id, the people (user ids) its audience names (one query for a batch), those who see the whole
    subject apart from those who see only its public face: whom the in-app notice consumers tell, and how much."""
    whole: dict[int, set[int]] = {}
    public: dict[int, set[int]] = {}
    rows = EventAudience.objects.filter(event__in=[e.pk for e in events], person__isnull=False)
    for event_id, person_id, public_only in rows.values_list("event_id", "person_id", "public_only"):
        (public if public_only else whole).setdefault(event_id, set()).add(person_id)
    return {
        event_id: Audience(
            people=frozenset(whole.get(event_id, ())),
            public_people=frozenset(public.get(event_id, set()) - whole.get(event_id, set())),
        )
        for event_id in whole.keys() | public.keys()
    }


def audience_agencies(events: list[OutboxEvent]) -> dict[int, frozenset[str]]:
    """For each event id, the agencies its audience names besides the owner (one query for a batch)."""
    found: dict[int, set[str]] = {}
    rows = EventAudience.objects.filter(event__in=[e.pk for e in events]).exclude(agency="")
    for event_id, agency in rows.values_list("event_id", "agency"):
        found.setdefault(event_id, set()).add(agency)
    return {event_id: frozenset(codes) for event_id, codes in found.items()}


def cloudevent_attributes(
    *,
    event_id: uuid.UUID,
    source: str,
    type: str,  # noqa: A002 (the CloudEvents attribute's name)
    subject: str,
    time: dt.datetime,
    data: dict[str, Any],
    sequence: int,
    agency: str,
) -> dict[str, object]:
    """An outbox row's CloudEvent as a dict, from its columns (the worker reads columns, not model instances)."""
    return {
        "specversion": "1.0",
        "id": str(event_id),
        "source": source,
        "type": type,
        "subject": subject,
        "time": time.isoformat(),
        "datacontenttype": "application/json",
        "data": data,
        "sequence": sequence,
        "agency": agency,
    }


class WebhookSubscription(models.Model):
    """An HTTPS endpoint of an agency's system (or the operator's) that receives the events it may see.

    The secret signs each delivery (Standard Webhooks); it is kept encrypted (it must be read to sign). After a
    rotation the previous secret also signs until `previous_secret_until`, so receivers can switch without a gap.
    """

    ACTIVE, DISABLED = "active", "disabled"

    agency = models.ForeignKey(
        "agencies.Agency", null=True, blank=True, on_delete=models.CASCADE, related_name="webhook_subscriptions"
    )  # None: the platform operator's, sees every agency's events
    url = models.URLField(max_length=500)
    event_types = models.JSONField(default=list, blank=True)  # full type names; empty = every type it may see
    description = models.CharField(max_length=200, blank=True)
    secret_encrypted = models.TextField()
    previous_secret_encrypted = models.TextField(blank=True)
    previous_secret_until = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, default=ACTIVE)
    disabled_reason = models.CharField(max_length=200, blank=True)
    failing_since = models.DateTimeField(null=True, blank=True)  # first failure since the last success
    test = models.BooleanField(default=False)  # made with a test key: receives only test events
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.agency.code if self.agency else 'platform'} -> {self.url}"

    def wants(self, event: OutboxEvent, also: frozenset[str] = frozenset()) -> bool:
        """Whether this subscription receives `event`: test events only to test subscriptions (and the reverse),
        the events of its agency only (platform-wide: all): the owning agency's and those whose audience names it
        (`also`), of the chosen types."""
        if self.test != event.test:
            return False
        if self.agency is not None and self.agency.code != event.agency and self.agency.code not in also:
            return False
        return not self.event_types or event.type in self.event_types


class WebhookDelivery(models.Model):
    """One event owed to one subscription, from its first attempt to success or the dead letter.

    Per-subject order is kept by a queue per (subscription, subject): only its head is `pending` (may be sent);
    the deliveries behind it are `waiting` and the head's end (success or dead letter) promotes the next one. So
    the worker's claim is a plain index scan of due heads, whatever the backlog (kotalive/events/dispatch.py).
    """

    WAITING, PENDING, IN_FLIGHT, SUCCEEDED, DEAD = "waiting", "pending", "in_flight", "succeeded", "dead"
    UNFINISHED = (WAITING, PENDING, IN_FLIGHT)

    subscription = models.ForeignKey(WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(OutboxEvent, on_delete=models.CASCADE, related_name="deliveries")
    subject = models.CharField(max_length=80)
    sequence = models.PositiveIntegerField()
    status = models.CharField(max_length=10, default=WAITING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    lease_until = models.DateTimeField(null=True, blank=True)  # an in-flight attempt's deadline (worker crash)
    last_status = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)
    lag_ms = models.PositiveIntegerField(null=True, blank=True)  # event time to successful delivery

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at", "id"], condition=models.Q(status="pending"), name="delivery_due_idx"
            ),
            models.Index(fields=["lease_until"], condition=models.Q(status="in_flight"), name="delivery_lease_idx"),
            models.Index(
                fields=["subscription", "subject", "sequence"],
                condition=models.Q(status__in=["waiting", "pending", "in_flight"]),
                name="delivery_unfinished_idx",
            ),
            models.Index(fields=["subscription", "-id"], name="delivery_subscription_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event} -> {self.subscription_id} ({self.status})"


class DeliveryAttempt(models.Model):
    """One HTTP request of a delivery, as the agency administrator and the operator see it."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    at = models.DateTimeField(default=timezone.now)
    status_code = models.PositiveIntegerField(null=True, blank=True)
    latency_ms = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    response_excerpt = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.delivery_id} at {self.at:%Y-%m-%d %H:%M:%S}: {self.status_code or self.error}"


class ConsumerCursor(models.Model):
    """How far one in-process consumer (kotalive/events/consumers.py) has read the feed: every event up to
    `position` is done (consumed, or a dead letter of this consumer). `attempts`, `next_attempt_at` and
    `last_error` are about the event right after it while that event keeps failing."""

    name = models.CharField(max_length=100, primary_key=True)  # the name given to @consumer("...")
    position = models.BigIntegerField(default=0)  # an OutboxEvent.position
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)  # None: due now
    last_error = models.CharField(max_length=500, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} at {self.position}"


class ConsumerDeadLetter(models.Model):
    """An event one in-process consumer failed on at every attempt. The consumer went on past it; the operator
    replays it from the integration console once the cause is fixed."""

    consumer = models.CharField(max_length=100)
    event = models.ForeignKey(OutboxEvent, on_delete=models.CASCADE, related_name="consumer_dead_letters")
    error = models.CharField(max_length=500)
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    replayed_at = models.DateTimeField(null=True, blank=True)
    replayed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["consumer", "event"], name="consumer_dead_letter_unique"),
        ]
        indexes = [
            models.Index(fields=["-id"], condition=models.Q(replayed_at__isnull=True), name="consumer_dead_open_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.consumer}: {self.event}"
