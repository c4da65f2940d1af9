"""The signed-in person's notifications (with every delivery attempt), their channel preferences, and the gateways'
signed delivery receipts."""

import json
from datetime import datetime, time
from typing import Annotated, Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Router, Schema
from pydantic import Field

from kotalive.agencies.auth import BearerToken, actor
from kotalive.core.api import AUTH_ERRORS, COMMON_ERRORS, ErrorOut
from kotalive.core.errors import NotFound, PermissionDenied, ValidationFailed
from kotalive.core.masking import mask_email, mask_phone
from kotalive.notifications import gateways
from kotalive.notifications.models import ContactPreference, Notification
from kotalive.notifications.receipts import receipt_record

router = Router(tags=["notifications"], auth=BearerToken())


class AttemptOut(Schema):
    channel: str  # email | sms | whatsapp
    gateway: str
    destination: str  # masked
    state: str  # queued | sent (awaiting its receipt) | delivered | failed | undetermined (no receipt in time)
    tries: int
    created_at: datetime
    sent_at: datetime | None
    receipt_at: datetime | None
    receipt_status: str
    error: str


class NotificationOut(Schema):
    id: int
    kind: str
    subject: str
    what: str  # what happened, in the language asked for
    data: dict[str, Any]
    created_at: datetime
    read_at: datetime | None
    delivered_at: datetime | None  # reached the person on an external channel
    unreachable_at: datetime | None  # every external channel tried, none delivered
    attempts: list[AttemptOut]


class ReadOut(Schema):
    marked: int


HH_MM = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"


class PreferencesIn(Schema):
    ranking: list[str]  # external channels in the order to try them: email, sms, whatsapp; [] for the app only
    # Quiet hours, the city's wall-clock time "HH:MM" (no offset): a message due then waits for their end.
    quiet_start: Annotated[str, Field(pattern=HH_MM)] | None = None
    quiet_end: Annotated[str, Field(pattern=HH_MM)] | None = None
    language: str = "id"


class PreferencesOut(PreferencesIn):
    available: list[str]  # the channels this person has a contact for and this deployment can send on


class ReceiptIn(Schema):
    reference: str = ""  # the attempt's reference KotaLIVE sent
    id: str = ""  # the gateway's own id of the message
    status: str  # delivered | read | failed | rejected | undeliverable | expired | anything else (recorded only)


def masked(channel: str, destination: str) -> str:
    return mask_email(destination) if channel == ContactPreference.EMAIL else mask_phone(destination)


def notification_view(n: Notification) -> dict[str, Any]:
    what = n.data.get("what") or {}
    return {
        "id": n.pk,
        "kind": n.kind,
        "subject": n.subject,
        "what": what.get(get_language() or "id") or what.get("id") or n.kind,
        "data": {k: v for k, v in n.data.items() if k != "what"},
        "created_at": n.created_at,
        "read_at": n.read_at,
        "delivered_at": n.delivered_at,
        "unreachable_at": n.unreachable_at,
        "attempts": [
            {
                "channel": a.channel,
                "gateway": a.gateway,
                "destination": masked(a.channel, a.destination),
                "state": a.state,
                "tries": a.tries,
                "created_at": a.created_at,
                "sent_at": a.sent_at,
                "receipt_at": a.receipt_at,
                "receipt_status": a.receipt_status,
                "error": a.error,
            }
            for a in n.attempts.all()
        ],
    }


def _mine(request: HttpRequest, unread: bool = False) -> list[dict[str, Any]]:
    rows = Notification.objects.filter(user=actor(request)).prefetch_related("attempts")
    if unread:
        rows = rows.filter(read_at__isnull=True)
    return [notification_view(n) for n in rows[:100]]


@router.get("/me/notifications", response={200: list[NotificationOut], **AUTH_ERRORS}, summary="My notifications")
def my_notifications(request: HttpRequest) -> list[dict[str, Any]]:
    """Newest first (at most 100): each notice with every attempt to deliver it outside the app, and its state."""
    return _mine(request)


@router.get(
    "/me/notifications/unread", response={200: list[NotificationOut], **AUTH_ERRORS}, summary="My unread notifications"
)
def my_unread_notifications(request: HttpRequest) -> list[dict[str, Any]]:
    return _mine(request, unread=True)


@router.post("/me/notifications/read", response={200: ReadOut, **AUTH_ERRORS}, summary="Mark all as read")
def mark_read(request: HttpRequest) -> dict[str, int]:
    marked = Notification.objects.filter(user=actor(request), read_at__isnull=True).update(read_at=timezone.now())
    return {"marked": marked}


@router.post(
    "/me/notifications/{notification_id}/read",
    response={200: ReadOut, 404: ErrorOut, **AUTH_ERRORS, **COMMON_ERRORS},
    summary="Mark one as read",
)
def mark_one_read(request: HttpRequest, notification_id: int) -> dict[str, int]:
    rows = Notification.objects.filter(user=actor(request), pk=notification_id)
    if not rows.exists():
        raise NotFound(_("You have no such notification."), code="not_found")
    return {"marked": rows.filter(read_at__isnull=True).update(read_at=timezone.now())}


def available_channels(user: Any) -> list[str]:
    return [
        c
        for c in ContactPreference.CHANNELS
        if (user.email if c == ContactPreference.EMAIL else user.phone) and gateways.channel_available(c)
    ]


def preferences_view(user: Any) -> dict[str, Any]:
    found = ContactPreference.objects.filter(user=user).first()
    return {
        "ranking": found.ranking if found else list(settings.KOTALIVE_NOTIFY_DEFAULT_CHANNELS),
        "quiet_start": found.quiet_start.strftime("%H:%M") if found and found.quiet_start else None,
        "quiet_end": found.quiet_end.strftime("%H:%M") if found and found.quiet_end else None,
        "language": found.language if found else "id",
        "available": available_channels(user),
    }


def preferences_save(user: Any, *, ranking: list[str], quiet_start: Any, quiet_end: Any, language: str) -> None:
    """Check and keep how a person wants to be told; nothing changes when anything is wrong."""
    errors: dict[str, list[str]] = {}
    unknown = [c for c in ranking if c not in ContactPreference.CHANNELS]
    if unknown or len(set(ranking)) != len(ranking):
        errors["ranking"] = [_("Choose each channel at most once, from: e-mail, SMS, WhatsApp.")]
    elif any(c not in available_channels(user) for c in ranking):
        errors["ranking"] = [_("A chosen channel has no contact in your profile: add the e-mail or phone first.")]
    if (quiet_start is None) != (quiet_end is None):
        errors["quiet_end"] = [_("Give both the start and the end of the quiet hours, or neither.")]
    if language not in ("id", "en"):
        errors["language"] = [_("Choose Indonesian or English.")]
    if errors:
        raise ValidationFailed(errors)
    quiet_start = time.fromisoformat(quiet_start) if isinstance(quiet_start, str) else quiet_start
    quiet_end = time.fromisoformat(quiet_end) if isinstance(quiet_end, str) else quiet_end
    ContactPreference.objects.update_or_create(
        user=user,
        defaults={"ranking": ranking, "quiet_start": quiet_start, "quiet_end": quiet_end, "language": language},
    )


@router.get(
    "/me/notification-preferences", response={200: PreferencesOut, **AUTH_ERRORS}, summary="My notification channels"
)
def my_preferences(request: HttpRequest) -> dict[str, Any]:
    return preferences_view(actor(request))


@router.put(
    "/me/notification-preferences",
    response={200: PreferencesOut, **AUTH_ERRORS, **COMMON_ERRORS},
    summary="Rank my notification channels",
)
def set_preferences(request: HttpRequest, payload: PreferencesIn) -> dict[str, Any]:
    """The external channels to try in order (the next is tried when one fails or never confirms), quiet hours
    (local time; a message due then waits for their end) and the language of the messages."""
    user = actor(request)
    preferences_save(
        user,
        ranking=payload.ranking,
        quiet_start=payload.quiet_start,
        quiet_end=payload.quiet_end,
        language=payload.language,
    )
    return preferences_view(user)


@router.post(
    "/notifications/receipts",
    response={200: ReadOut, 404: ErrorOut, **AUTH_ERRORS, **COMMON_ERRORS},
    auth=None,
    summary="A gateway's delivery receipt",
)
def receipt(request: HttpRequest) -> dict[str, int]:
    """For SMS and WhatsApp gateways: `{"reference", "id", "status"}`, signed with the shared secret in
    `X-KotaLIVE-Signature: sha256=<hex HMAC-SHA256 of the body>` (docs/how-to/notification-channels.md)."""
    body = request.body
    if not gateways.signature_valid(body, request.headers.get("X-KotaLIVE-Signature", "")):
        raise PermissionDenied(_("The receipt's signature does not match."), code="bad_signature")
    try:
        payload = ReceiptIn(**json.loads(body))
    except (ValueError, TypeError) as error:
        raise ValidationFailed({"status": [_("The receipt is not the JSON the contract describes.")]}) from error
    found = receipt_record(provider_id=payload.id, reference=payload.reference, status=payload.status.strip().lower())
    if found is None:
        raise NotFound(_("No message has this reference."), code="not_found")
    return {"marked": 1}
