"""Webhook subscriptions and their deliveries, and the pull-based event feed."""

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from kotalive.agencies.auth import BearerToken, actor, staff_actor
from kotalive.agencies.models import Agency, StaffRole
from kotalive.core.api import AUTH_ERRORS, COMMON_ERRORS, ErrorOut
from kotalive.core.errors import ValidationFailed
from kotalive.events import services
from kotalive.events.catalogue import event_types
from kotalive.events.models import WebhookDelivery, WebhookSubscription

router = Router(tags=["events and webhooks"], auth=BearerToken())
WITH_404 = {404: ErrorOut, **AUTH_ERRORS, **COMMON_ERRORS}


class SubscriptionIn(Schema):
    url: str
    event_types: list[str] = []
    agency: str | None = None  # an agency code; default: the agency the caller administers (none: platform-wide)
    description: str = ""


class SubscriptionOut(Schema):
    id: int
    url: str
    event_types: list[str]
    agency: str | None
    status: str
    disabled_reason: str
    failing_since: datetime | None
    created_at: datetime


class SubscriptionCreatedOut(SubscriptionOut):
    secret: str  # shown only in this answer


class SecretOut(Schema):
    secret: str
    previous_valid_until: datetime | None


class AttemptOut(Schema):
    at: datetime
    status_code: int | None
    latency_ms: int
    error: str
    response_excerpt: str


class DeliveryOut(Schema):
    id: int
    event_id: str
    event_type: str
    subject: str
    sequence: int
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_status: int | None
    last_error: str
    delivered_at: datetime | None
    attempt_log: list[AttemptOut]


class ReplayIn(Schema):
    since: datetime | None = None
    after_position: int | None = None


class ReplayOut(Schema):
    queued: int


class FeedOut(Schema):
    items: list[dict[str, Any]]
    next_cursor: str


class EventTypeOut(Schema):
    type: str
    data_schema: dict[str, Any]


def _subscription_out(subscription: WebhookSubscription) -> dict[str, Any]:
    return {
        "id": subscription.pk,
        "url": subscription.url,
        "event_types": subscription.event_types,
        "agency": subscription.agency.code if subscription.agency else None,
        "status": subscription.status,
        "disabled_reason": subscription.disabled_reason,
        "failing_since": subscription.failing_since,
        "created_at": subscription.created_at,
    }


def _delivery_out(delivery: WebhookDelivery) -> dict[str, Any]:
    return {
        "id": delivery.pk,
        "event_id": str(delivery.event.event_id),
        "event_type": delivery.event.type,
        "subject": delivery.subject,
        "sequence": delivery.sequence,
        "status": delivery.status,
        "attempts": delivery.attempts,
        "next_attempt_at": delivery.next_attempt_at if delivery.status == WebhookDelivery.PENDING else None,
        "last_status": delivery.last_status,
        "last_error": delivery.last_error,
        "delivered_at": delivery.delivered_at,
        "attempt_log": [vars(a) for a in delivery.attempt_log.all()],
    }


def _target_agency(request: HttpRequest, code: str | None) -> Agency | None:
    user = actor(request)
    if code:
        agency = Agency.objects.filter(code=code).first()
        if agency is None:
            raise ValidationFailed({"agency": [_("no such agency")]})
        return agency
    client = getattr(user, "machine_client", None)
    if client is not None:  # an agency system subscribes for its own agency
        return client.agency  # type: ignore[no-any-return]
    administered = StaffRole.objects.filter(user=user, role=StaffRole.AGENCY_ADMIN).select_related("agency").first()
    return administered.agency if administered else None


@router.get("/events/types", response={200: list[EventTypeOut], **AUTH_ERRORS}, summary="The event catalogue")
def list_event_types(request: HttpRequest) -> list[dict[str, Any]]:
    return [{"type": name, "data_schema": schema} for name, schema in event_types().items()]


@router.get("/events", response={200: FeedOut, **AUTH_ERRORS, **COMMON_ERRORS}, summary="The event feed")
def feed(request: HttpRequest, after: str | None = None, types: str = "", limit: int = Query(100)) -> dict[str, Any]:
    """Events the caller may see, oldest first, as CloudEvents. Page with `after=<next_cursor>`: a reader that
    follows the cursors sees every event exactly once. `types` is a comma-separated list of full type names. A
    citizen who follows a report (their duplicate was merged into it) gets only the public part of its events' data."""
    chosen = [t.strip() for t in types.split(",") if t.strip()]
    items, cursor = services.event_feed(actor=actor(request), after=after, types=chosen, limit=limit)
    return {"items": items, "next_cursor": cursor}


@router.post(
    "/webhooks/subscriptions",
    response={201: SubscriptionCreatedOut, **AUTH_ERRORS, **COMMON_ERRORS},
    summary="Subscribe an endpoint",
)
def subscribe(request: HttpRequest, payload: SubscriptionIn) -> Status[dict[str, Any]]:
    """Deliveries are signed per Standard Webhooks with the `secret` of this answer (it is not shown again)."""
    subscription, secret = services.subscription_create(
        actor=actor(request),
        agency=_target_agency(request, payload.agency),
        url=payload.url,
        event_types=payload.event_types,
        description=payload.description,
    )
    return Status(201, {**_subscription_out(subscription), "secret": secret})


@router.get("/webhooks/subscriptions", response={200: list[SubscriptionOut], **AUTH_ERRORS}, summary="Subscriptions")
def subscriptions(request: HttpRequest) -> list[dict[str, Any]]:
    """The subscriptions the caller manages (an agency's administrators and systems, the platform's staff); a
    citizen is refused (403 `staff_only`)."""
    return [_subscription_out(s) for s in services.subscriptions_visible(actor=staff_actor(request))]


@router.post(
    "/webhooks/subscriptions/{subscription_id}/secret", response={200: SecretOut, **WITH_404}, summary="Rotate"
)
def rotate(request: HttpRequest, subscription_id: int) -> dict[str, Any]:
    """A new secret. The previous one keeps signing beside it (two signatures per delivery) for the overlap."""
    secret = services.subscription_rotate_secret(actor=actor(request), subscription_id=subscription_id)
    subscription = services.subscription_get(actor=actor(request), subscription_id=subscription_id)
    return {"secret": secret, "previous_valid_until": subscription.previous_secret_until}


@router.post(
    "/webhooks/subscriptions/{subscription_id}/enable", response={200: SubscriptionOut, **WITH_404}, summary="Enable"
)
def enable(request: HttpRequest, subscription_id: int) -> dict[str, Any]:
    return _subscription_out(
        services.subscription_set_status(actor=actor(request), subscription_id=subscription_id, active=True)
    )


@router.post(
    "/webhooks/subscriptions/{subscription_id}/disable",
    response={200: SubscriptionOut, **WITH_404},
    summary="Disable",
)
def disable(request: HttpRequest, subscription_id: int) -> dict[str, Any]:
    return _subscription_out(
        services.subscription_set_status(actor=actor(request), subscription_id=subscription_id, active=False)
    )


@router.get(
    "/webhooks/subscriptions/{subscription_id}/deliveries",
    response={200: list[DeliveryOut], **WITH_404},
    summary="Deliveries and their attempts",
)
def deliveries(request: HttpRequest, subscription_id: int, status: str | None = None) -> list[dict[str, Any]]:
    """Newest first (at most 200); `status` = pending | in_flight | succeeded | dead (dead letters). A citizen is
    refused (403 `staff_only`)."""
    found = services.deliveries_of(actor=staff_actor(request), subscription_id=subscription_id, status=status)
    return [_delivery_out(d) for d in found.prefetch_related("attempt_log")[:200]]


@router.post(
    "/webhooks/subscriptions/{subscription_id}/replay", response={200: ReplayOut, **WITH_404}, summary="Replay"
)
def replay(request: HttpRequest, subscription_id: int, payload: ReplayIn) -> dict[str, int]:
    """Queue again every event the subscription wants from a time (`since`) or after a feed position."""
    queued = services.subscription_replay(
        actor=actor(request),
        subscription_id=subscription_id,
        since=payload.since,
        after_position=payload.after_position,
    )
    return {"queued": queued}


@router.post(
    "/webhooks/deliveries/{delivery_id}/redeliver", response={200: DeliveryOut, **WITH_404}, summary="Redeliver"
)
def redeliver(request: HttpRequest, delivery_id: int) -> dict[str, Any]:
    return _delivery_out(services.delivery_redeliver(actor=actor(request), delivery_id=delivery_id))
