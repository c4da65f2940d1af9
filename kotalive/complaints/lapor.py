"""The SP4N-LAPOR! bridge: reports filed here are forwarded to the national system, and what the agencies answer is
sent after them; reports and replies from LAPOR! come in through /api/v1/lapor/* (lapor_api.py).

Only LAPOR! itself calls in: the API client of the platform operator agency that holds the `lapor` scope
(lapor_client_check).

Off unless KOTALIVE_LAPOR_URL and KOTALIVE_LAPOR_TOKEN are set. Delivery is at least once and in order per report:
the fan-out's consumer writes one LaporMessage per event in the fan-out's transaction (nothing is lost if the worker
dies), and the worker sends them with the event id as `Idempotency-Key` (LAPOR! drops a repeat), oldest first, a
report's later message only after its earlier ones, retrying with backoff. The wire format is in
docs/how-to/lapor.md.
"""

import datetime as dt
import json
import logging
import urllib.error
import urllib.request
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kotalive.accounts.models import User
from kotalive.agencies.models import Agency, ApiClient
from kotalive.complaints.models import Complaint, LaporMessage
from kotalive.core.errors import PermissionDenied
from kotalive.events.models import OutboxEvent

logger = logging.getLogger("kotalive.lapor")
PREFIX = "id.kotalive.complaint."
# What the national system hears after the report itself: the agencies' answers and the report's end.
REPLY_EVENTS = {
    "disposed",
    "handed_off",
    "updated",
    "resolved",
    "completion_verified",
    "rejected",
    "returned_to_reporter",
    "confirmed",
    "closed_unconfirmed",
}
MAX_BACKOFF = dt.timedelta(hours=1)


def lapor_client_check(*, actor: User) -> ApiClient:
    """The SP4N-LAPOR! client behind a call in: a key with the `lapor` scope of a client of the platform operator
    agency. Anyone else (a person's token, another agency's key, a key without the scope) is refused alike, before
    any LAPOR! id is looked at, so the refusal says nothing about which ids exist. (A key without the scope is
    already refused by agencies.auth with 403 `scope`; this also covers people's tokens and a client of another
    agency holding the scope from before the rule.)"""
    client: ApiClient | None = getattr(actor, "machine_client", None)
    if client is None or ApiClient.LAPOR_SCOPE not in client.scopes or client.agency.role != Agency.OPERATOR:
        raise PermissionDenied(
            _("Only the SP4N-LAPOR! client of the platform operator sends reports and notes here."),
            code="lapor_only",
        )
    return client


def lapor_enabled() -> bool:
    return bool(settings.KOTALIVE_LAPOR_URL and settings.KOTALIVE_LAPOR_TOKEN)


def lapor_enqueue(events: list[OutboxEvent]) -> None:
    """Called by the `complaints.lapor-outbox` consumer (in its own transaction, from its cursor) with new events:
    what LAPOR! must hear, as rows."""
    if not lapor_enabled() or not events:
        return
    complaints = {
        c.tracking: c
        for c in Complaint.objects.select_related("category", "kelurahan", "agency").filter(
            tracking__in={e.subject for e in events}
        )
    }
    rows = []
    for event in events:
        complaint = complaints.get(event.subject)
        name = event.type.removeprefix(PREFIX)
        if complaint is None:
            continue
        if name == "submitted" and complaint.source != Complaint.LAPOR:
            rows.append(
                LaporMessage(
                    complaint=complaint,
                    kind=LaporMessage.FORWARD,
                    event_id=str(event.event_id),
                    payload=_report(complaint),
                )
            )
        elif name in REPLY_EVENTS:
            payload = {
                "reference": complaint.tracking,
                "status": name,
                "public_status": complaint.workflow.parsed.states[
                    event.data.get("to_state", complaint.state)
                ].public_status,
                "agency": event.data.get("agency"),
                "content": event.data.get("reason", ""),
                "at": event.time.isoformat(),
            }
            rows.append(
                LaporMessage(
                    complaint=complaint, kind=LaporMessage.REPLY, event_id=str(event.event_id), payload=payload
                )
            )
    LaporMessage.objects.bulk_create(rows, ignore_conflicts=True)  # a retried fan-out sees an event again


def _report(complaint: Complaint) -> dict[str, Any]:
    # The reporter's identity stays here: LAPOR! gets the report, and a reference to answer to.
    return {
        "reference": complaint.tracking,
        "kind": complaint.kind,
        "category": complaint.category.code,
        "title": complaint.title,
        "content": complaint.description,
        "kelurahan": complaint.kelurahan_id,
        "address": complaint.address,
        "location": {"lat": complaint.lat, "lon": complaint.lon} if complaint.lat is not None else None,
        "anonymous": complaint.anonymous,
        "confidential": complaint.confidential,
        "created_at": complaint.submitted_at.isoformat(),
    }


def _post(path: str, payload: dict[str, Any], idempotency_key: str) -> dict[str, Any]:
    request = urllib.request.Request(  # noqa: S310 (the URL is the operator's setting, http(s) only)
        settings.KOTALIVE_LAPOR_URL.rstrip("/") + path,
        data=json.dumps(payload).encode(),
        method="POST",
        headers={
            "Content-Type": "application/json",
            "Authorization": f"Bearer {settings.KOTALIVE_LAPOR_TOKEN}",
            "Idempotency-Key": idempotency_key,
        },
    )
    with urllib.request.urlopen(request, timeout=settings.KOTALIVE_LAPOR_TIMEOUT_SECONDS) as response:  # noqa: S310
        body = response.read()
    return dict(json.loads(body)) if body else {}


def _backoff(attempts: int) -> dt.timedelta:
    return min(dt.timedelta(seconds=5 * 2 ** min(attempts, 12)), MAX_BACKOFF)


def lapor_send_due(*, limit: int = 100) -> int:
    """Send the messages that are due, oldest first; a report's message waits for its earlier ones. Returns how
    many were accepted."""
    if not lapor_enabled():
        return 0
    now = timezone.now()
    sent = 0
    blocked: set[int] = set()
    pending = list(LaporMessage.objects.filter(sent_at__isnull=True).select_related("complaint").order_by("id")[:limit])
    for message in pending:
        if message.complaint_id in blocked:
            continue
        if message.next_attempt_at > now:
            blocked.add(message.complaint_id)  # keep the report's order: nothing after a message that waits
            continue
        complaint = message.complaint
        try:
            if message.kind == LaporMessage.FORWARD:
                answer = _post("/complaints", message.payload, message.event_id)
                lapor_id = str(answer.get("id") or "")
                if not lapor_id:
                    raise ValueError("LAPOR! answered without an id")
            else:
                if not complaint.lapor_id:
                    blocked.add(complaint.pk)  # the report itself has not reached LAPOR! yet
                    continue
                _post(f"/complaints/{complaint.lapor_id}/responses", message.payload, message.event_id)
                lapor_id = ""
        except (OSError, ValueError, urllib.error.URLError) as exc:
            with transaction.atomic():
                message.attempts += 1
                message.next_attempt_at = timezone.now() + _backoff(message.attempts)
                message.last_error = str(exc)[:300]
                message.save(update_fields=["attempts", "next_attempt_at", "last_error"])
            logger.warning("LAPOR! refused %s of %s: %s", message.kind, complaint.tracking, exc)
            blocked.add(complaint.pk)
            continue
        with transaction.atomic():
            message.attempts += 1
            message.sent_at = timezone.now()
            message.last_error = ""
            message.save(update_fields=["attempts", "sent_at", "last_error"])
            if lapor_id:
                Complaint.objects.filter(pk=complaint.pk).update(lapor_id=lapor_id)
                complaint.lapor_id = lapor_id
        sent += 1
    return sent
