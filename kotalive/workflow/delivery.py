"""The delivery contract of every subject's notices (the kernel's; kotalive/workflow/notices.py writes the notices):

- every notice is in the app (the bell) at once;
- it also goes out on the person's first ranked external channel (ContactPreference; SMS then e-mail when they
  never chose), after their quiet hours;
- a channel that refuses for good (a permanent failure), fails every try (temporary failures are tried
  KOTALIVE_NOTIFY_TRIES times), or sends without a delivery receipt within KOTALIVE_RECEIPT_TIMEOUT_SECONDS
  ("undetermined": the gateway never said) hands the notice to the next channel;
- when every channel has been tried and none delivered, the notice is "unreachable" and so is the subject: officers
  see the flag in their inbox until a later notice gets through;
- every attempt and receipt is kept (DeliveryAttempt), and each outcome is an event on the feed
  (notification.delivered, .failed, .undetermined, .unreachable).

The worker runs `deliveries_run` every couple of seconds.
"""

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from kotalive.events.audience import Audience
from kotalive.events.services import outbox_write
from kotalive.notifications import gateways, wording
from kotalive.notifications.models import ContactPreference, DeliveryAttempt, Notification
from kotalive.workflow.subjects import subject_find, subject_kinds

logger = logging.getLogger("kotalive.notifications")
BATCH = 50
RETRY_SECONDS = (30, 120, 600)  # pauses before the second, third ... try after a temporary failure
LEASE_SECONDS = 120  # a worker that took an attempt to send owns it this long (another may take it after a crash)


def _preference(user: Any) -> ContactPreference:
    found = ContactPreference.objects.filter(user=user).first()
    return found or ContactPreference(user=user, ranking=list(settings.KOTALIVE_NOTIFY_DEFAULT_CHANNELS))


def _destination(user: Any, channel: str) -> str:
    if channel == ContactPreference.EMAIL:
        return str(user.email or "")
    return str(user.phone or "")


def channels_for(user: Any, preference: ContactPreference | None = None) -> list[tuple[str, str]]:
    """The (channel, destination) pairs to try in order: the ranking, less what the person has no contact for or
    this deployment cannot send on."""
    preference = preference or _preference(user)
    return [
        (channel, destination)
        for channel in preference.ranking
        if channel in ContactPreference.CHANNELS
        and (destination := _destination(user, channel))
        and gateways.channel_available(channel)
    ]


def _after_quiet_hours(preference: ContactPreference, now: dt.datetime) -> dt.datetime:
    start, end = preference.quiet_start, preference.quiet_end
    if start is None or end is None or start == end:
        return now
    local = timezone.localtime(now)
    t = local.time()
    quiet = start <= t < end if start < end else (t >= start or t < end)
    if not quiet:
        return now
    day = local.date() if t < end else local.date() + dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, end), timezone.get_current_timezone())


def deliveries_plan(notifications: list[Notification]) -> int:
    """The first external attempt of each new notice (in the transaction that wrote them)."""
    now = timezone.now()
    attempts = []
    for notification in notifications:
        preference = _preference(notification.user)
        ranked = channels_for(notification.user, preference)
        if not ranked:
            continue  # the app only: nothing owed outside it
        channel, destination = ranked[0]
        attempts.append(
            DeliveryAttempt(
                notification=notification,
                channel=channel,
                gateway="",
                destination=destination,
                not_before=_after_quiet_hours(preference, now),
            )
        )
    DeliveryAttempt.objects.bulk_create(attempts)
    return len(attempts)


def path_for(notification: Notification) -> str:
    """The page that shows what the notice is about (it needs sign-in): the back-office page for an officer."""
    kind = notification.kind.split(".", 1)[0]
    if kind == "document":
        return "/dokumen/"
    staff = getattr(notification.user, "kind", "") == "staff"
    if staff and kind in ("case", "coordination") and notification.agency:
        page = "kasus" if kind == "case" else "koordinasi"
        return f"/kantor/{notification.agency}/{page}/{notification.subject}/"
    path = {"case": "kasus", "complaint": "laporan", "bundle": "peristiwa"}.get(kind)
    return f"/{path}/{notification.subject}/" if path else "/notifikasi/"


def link_for(notification: Notification) -> str:
    return f"{settings.KOTALIVE_PUBLIC_URL}{path_for(notification)}"


def message_for(notification: Notification, channel: str, language: str) -> tuple[str, str]:
    """The subject and body of a notice on `channel`. A notice to someone who sees only the subject's public face
    (a follower: `public_only`) has no reason to give (kotalive/workflow/notices.py keeps none); an operator's
    template that asks for {reason} gets nothing for it either way."""
    what = notification.data.get("what") or {}
    public_only = bool(notification.data.get("public_only"))
    values = {
        "what": what.get(language) or what.get("id") or notification.kind,
        "tracking": notification.subject,
        "reason": "" if public_only else notification.data.get("reason") or "",
        "link": link_for(notification),
    }
    return wording.render(wording.wording(notification.kind, channel, language), values, channel)


def _send(attempt: DeliveryAttempt) -> None:
    notification = attempt.notification
    language = _preference(notification.user).language
    subject, body = message_for(notification, attempt.channel, language)
    now = timezone.now()
    # Named before it is tried, so that a failure counts against the gateway that failed (the operator's view).
    _update(attempt, gateway=gateways.gateway_name(attempt.channel))
    try:
        if attempt.channel == ContactPreference.EMAIL:
            sent = gateways.send_email(destination=attempt.destination, subject=subject, body=body)
        else:
            sent = gateways.send_text(
                channel=attempt.channel, destination=attempt.destination, body=body, reference=str(attempt.pk)
            )
    except gateways.PermanentFailure as error:
        _update(attempt, state=DeliveryAttempt.FAILED, error=str(error)[:300], sent_at=now)
        return
    except gateways.TemporaryFailure as error:
        if attempt.tries >= settings.KOTALIVE_NOTIFY_TRIES:
            _update(attempt, state=DeliveryAttempt.FAILED, error=f"{error} (after {attempt.tries} tries)"[:300])
        else:
            pause = RETRY_SECONDS[min(attempt.tries - 1, len(RETRY_SECONDS) - 1)]
            _update(attempt, error=str(error)[:300], not_before=now + dt.timedelta(seconds=pause))
        return
    if sent.state == "delivered":
        _update(attempt, state=DeliveryAttempt.DELIVERED, gateway=sent.gateway, sent_at=now, error="")
    else:
        due = now + dt.timedelta(seconds=settings.KOTALIVE_RECEIPT_TIMEOUT_SECONDS)
        _update(
            attempt,
            state=DeliveryAttempt.SENT,
            gateway=sent.gateway,
            provider_id=sent.provider_id,
            sent_at=now,
            receipt_due=due,
            error="",
        )


def _update(attempt: DeliveryAttempt, **fields: Any) -> None:
    for name, value in fields.items():
        setattr(attempt, name, value)
    DeliveryAttempt.objects.filter(pk=attempt.pk).update(**fields)


def _claim(attempt: DeliveryAttempt, now: dt.datetime) -> bool:
    """Take one queued attempt for this worker alone, for a lease long enough to send it (one UPDATE)."""
    lease = now + dt.timedelta(seconds=LEASE_SECONDS)
    taken = DeliveryAttempt.objects.filter(
        pk=attempt.pk, state=DeliveryAttempt.QUEUED, not_before=attempt.not_before
    ).update(not_before=lease, tries=attempt.tries + 1)
    if taken:
        attempt.tries += 1
        attempt.not_before = lease
    return bool(taken)


def deliveries_run(limit: int = BATCH) -> int:
    """One pass: send what is due, give up waiting for receipts that did not come, settle every outcome."""
    now = timezone.now()
    work = 0
    due = (
        DeliveryAttempt.objects.filter(state=DeliveryAttempt.QUEUED, not_before__lte=now)
        .select_related("notification__user")
        .order_by("not_before")[:limit]
    )
    for attempt in list(due):
        if _claim(attempt, timezone.now()):  # each claimed just before it is sent: no lease runs out in a batch
            _send(attempt)
            work += 1
    work += DeliveryAttempt.objects.filter(state=DeliveryAttempt.SENT, receipt_due__lte=now).update(
        state=DeliveryAttempt.UNDETERMINED, error="no delivery receipt in time"
    )
    unsettled = list(
        DeliveryAttempt.objects.filter(
            settled=False, state__in=[DeliveryAttempt.DELIVERED, DeliveryAttempt.FAILED, DeliveryAttempt.UNDETERMINED]
        )
        .select_related("notification__user")
        .order_by("id")[:limit]
    )
    for attempt in unsettled:
        _settle(attempt)
        work += 1
    return work


def _event(notification: Notification, what: str, data: dict[str, Any]) -> None:
    outbox_write(
        event=f"notification.{what}",
        subject=f"notification:{notification.pk}",
        agency=notification.agency,
        data={"notification_id": notification.pk, "kind": notification.kind, "subject": notification.subject, **data},
        audience=Audience(people=frozenset({notification.user_id})),
    )


def _settle(attempt: DeliveryAttempt) -> None:
    """Put the attempt's outcome on the feed; on failure plan the next channel, or mark the notice (and its subject)
    unreachable when none is left. One transaction, the notification row locked."""
    with transaction.atomic():
        notification = Notification.objects.select_for_update().select_related("user").get(pk=attempt.notification_id)
        if not DeliveryAttempt.objects.filter(pk=attempt.pk, settled=False).update(settled=True):
            return  # another worker settled it
        _event(
            notification,
            attempt.state,
            {"channel": attempt.channel, "gateway": attempt.gateway, "attempt": attempt.pk, "error": attempt.error},
        )
        if attempt.state == DeliveryAttempt.DELIVERED:
            if notification.delivered_at is None:
                notification.delivered_at = timezone.now()
                notification.unreachable_at = None
                notification.save(update_fields=["delivered_at", "unreachable_at"])
                _subject_reachable(notification, True)
            return
        if notification.delivered_at is not None:
            return  # a late failure of an earlier channel: the notice got through already
        tried = set(notification.attempts.values_list("channel", flat=True))
        preference = _preference(notification.user)
        remaining = [(c, d) for c, d in channels_for(notification.user, preference) if c not in tried]
        if remaining:
            channel, destination = remaining[0]
            DeliveryAttempt.objects.create(
                notification=notification,
                channel=channel,
                gateway="",
                destination=destination,
                not_before=_after_quiet_hours(preference, timezone.now()),  # a fallback keeps the quiet hours too
            )
            return
        if notification.unreachable_at is None:
            notification.unreachable_at = timezone.now()
            notification.save(update_fields=["unreachable_at"])
            _event(notification, "unreachable", {"channels": sorted(tried)})
            _subject_reachable(notification, False)


def _subject_reachable(notification: Notification, reachable: bool) -> None:
    """The subject's "citizen unreachable" flag, for the officers' inbox (only for what the citizen is told)."""
    if getattr(notification.user, "kind", "") == "staff":
        return
    subject = subject_find(notification.subject, kinds=subject_kinds(), for_update=True)
    if subject is None:
        return
    value = None if reachable else timezone.now()
    if (subject.citizen_unreachable_at is None) != (value is None):
        type(subject)._default_manager.filter(pk=subject.pk).update(citizen_unreachable_at=value)
