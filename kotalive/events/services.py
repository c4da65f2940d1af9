"""Domain events: writing them to the outbox inside the caller's transaction, webhook subscriptions and their
deliveries, and the event feed. Delivery itself is the worker's (kotalive/events/dispatch.py)."""

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kotalive.accounts.models import User
from kotalive.agencies.models import Agency, StaffRole
from kotalive.core import crypto
from kotalive.core.audit import audit_record
from kotalive.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from kotalive.core.ssrf import destination_check
from kotalive.events.audience import Audience, public_data
from kotalive.events.models import EventAudience, OutboxEvent, WebhookDelivery, WebhookSubscription
from kotalive.events.queues import deliveries_enqueue, queue_lock

logger = logging.getLogger("kotalive.events")

TYPE_PREFIX = "id.kotalive."


def outbox_write(
    *,
    event: str,
    subject: str,
    data: dict[str, Any],
    agency: str = "",
    test: bool = False,
    audience: Audience | None = None,
    first: bool = False,
) -> OutboxEvent:
    """Append event `event` (e.g. "case.submitted") about `subject` with the next per-subject sequence number, and
    its audience: every other agency and the people it concerns. `first`: the subject was created in this
    transaction and has no event yet (its sequence is 1, no need to read the last one).

    The caller must hold a lock on the subject (its row, selected for update) so two transactions never take the
    same sequence number; the unique constraint is the backstop.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("outbox_write must run inside the transaction of the change it describes")
    last = 0 if first else OutboxEvent.objects.filter(subject=subject).aggregate(last=Max("sequence"))["last"] or 0
    row = OutboxEvent.objects.create(
        source=f"{settings.KOTALIVE_EVENT_SOURCE}/{event.split('.')[0]}s",
        type=TYPE_PREFIX + event,
        subject=subject,
        time=timezone.now(),
        sequence=last + 1,
        agency=agency,
        data=data,
        test=test,
    )
    if audience is not None:
        EventAudience.objects.bulk_create(
            [EventAudience(event=row, agency=code) for code in sorted(audience.agencies - {agency, ""})]
            + [EventAudience(event=row, person_id=pk) for pk in sorted(audience.people)]
            + [
                EventAudience(event=row, person_id=pk, public_only=True)
                for pk in sorted(audience.public_people - audience.people)  # whoever sees it all is not public-only
            ]
        )
    return row


# --- webhook subscriptions ------------------------------------------------------------------------------------


def subscription_scope_check(*, actor: User, agency: Agency | None) -> None:
    """An agency's administrators manage its subscriptions; the operator and platform administrators manage the
    platform-wide ones (and may help any agency)."""
    client = getattr(actor, "machine_client", None)
    if client is not None:  # an agency system with the webhooks:manage scope manages its own agency's
        if agency is not None and agency.pk == client.agency_id:
            return
        raise PermissionDenied(_("An agency system manages only its own agency's webhooks."))
    platform = StaffRole.objects.filter(
        user=actor, agency__isnull=True, role__in=[StaffRole.OPERATOR, StaffRole.PLATFORM_ADMIN]
    ).exists()
    if platform:
        return
    if agency is not None and StaffRole.objects.filter(user=actor, agency=agency, role=StaffRole.AGENCY_ADMIN).exists():
        return
    raise PermissionDenied(_("Only the agency's administrators or the platform operator manage its webhooks."))


def subscription_create(
    *, actor: User, agency: Agency | None, url: str, event_types: list[str], description: str = ""
) -> tuple[WebhookSubscription, str]:
    """Subscribe `url` to `event_types` (empty: every type the agency may see). Returns the subscription and its
    secret, which is shown only now."""
    from kotalive.events.catalogue import event_types as known_types
    from kotalive.events.webhooks import secret_new

    subscription_scope_check(actor=actor, agency=agency)
    errors: dict[str, list[str]] = {}
    try:
        destination_check(url)
    except ValidationFailed as exc:
        errors.update(exc.errors)
    known = known_types()
    unknown = sorted(set(event_types) - set(known))
    if unknown:
        errors["event_types"] = [_("unknown event types: %(types)s") % {"types": ", ".join(unknown)}]
    if errors:
        raise ValidationFailed(errors)
    secret = secret_new()
    with transaction.atomic():
        client = getattr(actor, "machine_client", None)
        subscription = WebhookSubscription.objects.create(
            test=client is not None and client.environment == "test",
            agency=agency,
            url=url,
            event_types=sorted(set(event_types)),
            description=description[:200],
            secret_encrypted=crypto.encrypt(secret),
            created_by=actor,
        )
        audit_record(
            actor=actor,
            action="webhook.subscribed",
            obj=subscription,
            data={"url": url, "event_types": subscription.event_types, "agency": agency.code if agency else None},
        )
    return subscription, secret


def subscriptions_visible(*, actor: User) -> QuerySet[WebhookSubscription]:
    subscriptions = WebhookSubscription.objects.select_related("agency").order_by("id")
    client = getattr(actor, "machine_client", None)
    if client is not None:  # an agency system: its agency's, of its own environment
        return subscriptions.filter(agency_id=client.agency_id, test=client.environment == "test")
    if StaffRole.objects.filter(user=actor, agency__isnull=True).exists():
        return subscriptions  # the operator, platform administrators and auditors see them all
    admin_of = StaffRole.objects.filter(user=actor, role=StaffRole.AGENCY_ADMIN).values("agency_id")
    return subscriptions.filter(agency_id__in=admin_of)


def subscription_get(*, actor: User, subscription_id: int) -> WebhookSubscription:
    subscription = subscriptions_visible(actor=actor).filter(pk=subscription_id).first()
    if subscription is None:
        raise NotFound(_("No such webhook subscription."))
    return subscription


def subscription_rotate_secret(*, actor: User, subscription_id: int) -> str:
    """A new secret; the old one keeps signing beside it for KOTALIVE_WEBHOOK_SECRET_OVERLAP_HOURS."""
    from kotalive.events.webhooks import secret_new

    with transaction.atomic():
        subscription = subscription_get(actor=actor, subscription_id=subscription_id)
        subscription_scope_check(actor=actor, agency=subscription.agency)
        secret = secret_new()
        subscription.previous_secret_encrypted = subscription.secret_encrypted
        subscription.previous_secret_until = timezone.now() + dt.timedelta(
            hours=settings.KOTALIVE_WEBHOOK_SECRET_OVERLAP_HOURS
        )
        subscription.secret_encrypted = crypto.encrypt(secret)
        subscription.save(update_fields=["previous_secret_encrypted", "previous_secret_until", "secret_encrypted"])
        audit_record(actor=actor, action="webhook.secret_rotated", obj=subscription)
    return secret


def subscription_set_status(*, actor: User, subscription_id: int, active: bool) -> WebhookSubscription:
    with transaction.atomic():
        subscription = subscription_get(actor=actor, subscription_id=subscription_id)
        subscription_scope_check(actor=actor, agency=subscription.agency)
        subscription.status = WebhookSubscription.ACTIVE if active else WebhookSubscription.DISABLED
        subscription.disabled_reason = "" if active else _("disabled by %(user)s") % {"user": actor.username}
        subscription.failing_since = None
        subscription.save(update_fields=["status", "disabled_reason", "failing_since"])
        audit_record(actor=actor, action="webhook.enabled" if active else "webhook.disabled", obj=subscription)
    return subscription


def subscription_disable_for_failures(*, subscription: WebhookSubscription) -> None:
    """Called by the worker inside its transaction: the endpoint has failed without a success for too long."""
    from kotalive.notifications.channels import EMAIL, message_send

    subscription.status = WebhookSubscription.DISABLED
    subscription.disabled_reason = f"failing since {subscription.failing_since:%Y-%m-%d %H:%M} UTC"
    subscription.save(update_fields=["status", "disabled_reason"])
    audit_record(
        actor=None,
        actor_label="worker",
        action="webhook.disabled_for_failures",
        obj=subscription,
        data={"url": subscription.url, "failing_since": str(subscription.failing_since)},
    )
    operators = User.objects.filter(
        staff_roles__agency__isnull=True, staff_roles__role=StaffRole.OPERATOR, is_active=True
    ).exclude(email="")
    body = (
        f"The webhook subscription {subscription.pk} ({subscription}) has failed since "
        f"{subscription.failing_since:%Y-%m-%d %H:%M} UTC without a single success and was disabled. "
        "Its undelivered events wait; enable it again in the integration console once the endpoint works."
    )
    destinations = sorted({email for email in operators.values_list("email", flat=True) if email})

    def alert() -> None:
        for destination in destinations:
            message_send(medium=EMAIL, destination=destination, subject="KotaLIVE: webhook disabled", body=body)

    transaction.on_commit(alert)
    logger.warning(
        "webhook subscription %s disabled after failing since %s", subscription.pk, subscription.failing_since
    )


def delivery_redeliver(*, actor: User, delivery_id: int) -> WebhookDelivery:
    """Send one delivery again now (a dead letter, or a success the receiver lost)."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_related("subscription__agency", "event")
            .filter(pk=delivery_id, subscription__in=subscriptions_visible(actor=actor))
            .first()
        )
        if delivery is None:
            raise NotFound(_("No such delivery."))
        subscription_scope_check(actor=actor, agency=delivery.subscription.agency)
        if delivery.status in WebhookDelivery.UNFINISHED:
            raise Conflict(_("This delivery is still queued or being sent."), code="unfinished")
        queue_lock()
        busy = WebhookDelivery.objects.filter(
            subscription=delivery.subscription, subject=delivery.subject, status__in=WebhookDelivery.UNFINISHED
        ).exists()
        # Behind the subject's unfinished deliveries if there are any (it goes first among them: lower sequence).
        delivery.status = WebhookDelivery.WAITING if busy else WebhookDelivery.PENDING
        delivery.next_attempt_at = timezone.now()
        delivery.created_at = timezone.now()  # a fresh retry window
        delivery.delivered_at = None
        delivery.save(update_fields=["status", "next_attempt_at", "created_at", "delivered_at"])
        audit_record(
            actor=actor, action="webhook.redelivered", obj=delivery.subscription, data={"delivery": delivery.pk}
        )
    return delivery


def subscription_replay(
    *, actor: User, subscription_id: int, since: dt.datetime | None = None, after_position: int | None = None
) -> int:
    """Queue again every event the subscription wants from a time or after a feed position; returns how many."""
    if (since is None) == (after_position is None):
        raise ValidationFailed({"since": [_("give either a time ('since') or a feed position ('after_position')")]})
    with transaction.atomic():
        subscription = subscription_get(actor=actor, subscription_id=subscription_id)
        subscription_scope_check(actor=actor, agency=subscription.agency)
        events = OutboxEvent.objects.filter(position__isnull=False).order_by("position")
        events = events.filter(time__gte=since) if since is not None else events.filter(position__gt=after_position)
        if subscription.agency is not None:
            events = _for_agencies(events, [subscription.agency.code])
        if subscription.event_types:
            events = events.filter(type__in=subscription.event_types)
        now = timezone.now()
        created = [
            WebhookDelivery(subscription=subscription, event=e, subject=e.subject, sequence=e.sequence, created_at=now)
            for e in events.iterator(chunk_size=2000)
        ]
        queue_lock()
        deliveries_enqueue(created)
        audit_record(
            actor=actor,
            action="webhook.replayed",
            obj=subscription,
            data={
                "since": since.isoformat() if since else None,
                "after_position": after_position,
                "events": len(created),
            },
        )
    return len(created)


def deliveries_of(*, actor: User, subscription_id: int, status: str | None = None) -> QuerySet[WebhookDelivery]:
    subscription = subscription_get(actor=actor, subscription_id=subscription_id)
    deliveries = WebhookDelivery.objects.filter(subscription=subscription).select_related("event").order_by("-id")
    return deliveries.filter(status=status) if status else deliveries


# --- event feed -----------------------------------------------------------------------------------------------


def _for_agencies(events: QuerySet[OutboxEvent], codes: list[str]) -> QuerySet[OutboxEvent]:
    """The events an agency sees: those it owns and those whose audience names it (a helper, the agency a report
    was handed away from, ...)."""
    named = EventAudience.objects.filter(agency__in=codes).values("event_id")
    return events.filter(Q(agency__in=codes) | Q(pk__in=named))


def _feed_scope(*, actor: User) -> tuple[QuerySet[OutboxEvent], bool]:
    """The events `actor` may read, and whether they read them as a person the events' audience names (a citizen:
    some events may show them only their subject's public face) rather than as staff or an agency's system."""
    client = getattr(actor, "machine_client", None)
    if client is not None:  # an agency system: its agency's events, test or live as its key
        events = OutboxEvent.objects.filter(position__isnull=False, test=client.environment == "test")
        return _for_agencies(events, [client.agency.code]), False
    events = OutboxEvent.objects.filter(position__isnull=False, test=False)  # people follow live work
    if StaffRole.objects.filter(user=actor, agency__isnull=True).exists():
        return events, False
    agencies = list(StaffRole.objects.filter(user=actor, agency__isnull=False).values_list("agency__code", flat=True))
    if agencies:
        return _for_agencies(events, agencies), False
    return events.filter(pk__in=EventAudience.objects.filter(person=actor).values("event_id")), True


def events_visible(*, actor: User) -> QuerySet[OutboxEvent]:
    """The events `actor` may read: everything for platform staff, an agency's for its staff and systems, and the
    events that name a citizen in their audience (their applications and reports, the reports they follow). Only
    events already fanned out (with a feed position) are listed."""
    return _feed_scope(actor=actor)[0]


def _public_only(*, actor: User, events: list[OutboxEvent]) -> set[int]:
    """The ids of `events` whose audience names `actor` only among the people who see the public face (one query)."""
    rows = EventAudience.objects.filter(event__in=[e.pk for e in events], person=actor)
    public: set[int] = set()
    whole: set[int] = set()
    for event_id, public_only in rows.values_list("event_id", "public_only"):
        (public if public_only else whole).add(event_id)
    return public - whole


def event_feed(*, actor: User, after: str | None, types: list[str], limit: int) -> tuple[list[dict[str, object]], str]:
    """A page of events after the cursor, in feed order, as CloudEvents with their feed `position`, and the cursor
    to ask with next (the same cursor when nothing new has come: ask again later). An event whose audience names
    the reader only among those who see its subject's public face (a report's follower) comes with the public
    part of its data only (the keys its kind allows: kotalive/events/audience.py), never a reason or a message."""
    position = 0
    if after:
        try:
            position = int(after)
        except ValueError:
            raise ValidationFailed({"after": [_("is not a cursor this feed gave out")]}) from None
        if position < 0:
            raise ValidationFailed({"after": [_("is not a cursor this feed gave out")]})
    if not 1 <= limit <= 500:
        raise ValidationFailed({"limit": [_("must be between 1 and 500")]})
    visible, as_person = _feed_scope(actor=actor)
    events = visible.filter(position__gt=position)
    if types:
        events = events.filter(type__in=types)
    page = list(events.order_by("position")[:limit])
    public = _public_only(actor=actor, events=page) if as_person and page else set()
    items = []
    for e in page:
        item = e.as_cloudevent()
        if e.pk in public:
            item["data"] = public_data(e.type.removeprefix(TYPE_PREFIX), e.data)
        items.append(item | {"position": e.position})
    return items, str(page[-1].position if page else position)
