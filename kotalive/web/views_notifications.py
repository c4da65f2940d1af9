"""The bell's page (every notice with what became of each delivery attempt), the person's channel preferences, and
the operator's delivery view and message templates."""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kotalive.catalogue.models import localised
from kotalive.core.errors import ValidationFailed
from kotalive.dashboard.access import READERS, period_or_default, platform_reader
from kotalive.dashboard.deliveries import delivery_summary
from kotalive.notifications import gateways, wording
from kotalive.notifications.api import masked, preferences_save, preferences_view
from kotalive.notifications.models import Notification
from kotalive.web.access import refuse, signed_in_user, staff_user
from kotalive.web.charts import line_chart
from kotalive.workflow.delivery import path_for
from kotalive.workflow.labels import CATEGORY_LABELS, OUTCOME_LABELS
from kotalive.workflow.models import WorkflowDefinition

CHANNEL_LABELS = {"email": gettext_lazy("E-mail"), "sms": gettext_lazy("SMS"), "whatsapp": gettext_lazy("WhatsApp")}
STATE_LABELS = {
    "queued": gettext_lazy("waiting to be sent"),
    "sent": gettext_lazy("sent, waiting for the delivery receipt"),
    "delivered": gettext_lazy("delivered"),
    "failed": gettext_lazy("failed"),
    "undetermined": gettext_lazy("no delivery receipt came"),
}


def channel_label(channel: str) -> str:
    """A notice channel in words ("E-mail", "SMS", "WhatsApp"); one this list does not know, "In the app"."""
    return str(CHANNEL_LABELS.get(channel) or _("In the app"))


def attempts_view(notification: Notification) -> list[dict[str, Any]]:
    return [
        {
            "channel": channel_label(a.channel),
            "state": a.state,
            "state_label": STATE_LABELS.get(a.state, a.state),
            "destination": masked(a.channel, a.destination),
            "at": a.receipt_at or a.sent_at or a.created_at,
        }
        for a in notification.attempts.all()
    ]


def _what(notification: Notification) -> str:
    what = notification.data.get("what") or {}
    found = what.get(get_language() or "id") or what.get("id")
    # Notices written before they carried their words (2026-12-05) say only that something changed.
    return str(found or _("An update about %(subject)s") % {"subject": _shown_subject(notification)})


def _shown_subject(notification: Notification) -> str:
    return _("your document") if notification.subject.startswith("document:") else notification.subject


def subject_notices(tracking: str, citizen_id: int) -> list[dict[str, Any]]:
    """What the citizen was told about one subject and how each notice travelled (for the officer's page)."""
    rows = Notification.objects.filter(subject=tracking, user_id=citizen_id).prefetch_related("attempts")[:50]
    return [{"what": _what(n), "notification": n, "attempts": attempts_view(n)} for n in rows]


@login_required
@require_http_methods(["GET", "POST"])
def notifications_page(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if request.method == "POST":
        Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())
        messages.success(request, _("All notifications are marked as read."))
        return redirect("web:notifications")
    rows = Notification.objects.filter(user=user).prefetch_related("attempts")[:100]
    items = [
        {
            "what": _what(n),
            "notification": n,
            "attempts": attempts_view(n),
            "path": path_for(n),
            "subject": _shown_subject(n),
        }
        for n in rows
    ]
    return render(request, "web/notifications.html", {"items": items})


@login_required
@require_http_methods(["GET", "POST"])
def preferences_page(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    status = 200
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        ranking = [c for c in (request.POST.get(f"rank{i}", "") for i in (1, 2, 3)) if c]
        try:
            preferences_save(
                user,
                ranking=ranking,
                quiet_start=_time(request.POST.get("quiet_start", ""), "quiet_start"),
                quiet_end=_time(request.POST.get("quiet_end", ""), "quiet_end"),
                language=request.POST.get("language", "id"),
            )
            messages.success(request, _("Your notification settings are saved."))
            return redirect("web:notification-preferences")
        except ValidationFailed as exc:
            errors, status = exc.errors, 422
    current = preferences_view(user)
    ranks = current["ranking"] + [""] * (3 - len(current["ranking"]))
    return render(
        request,
        "web/notification_preferences.html",
        {
            "current": current,
            "ranks": [(i + 1, ranks[i]) for i in range(3)],
            "channels": [(c, CHANNEL_LABELS[c]) for c in current["available"]],
            "errors": errors,
        },
        status=status,
    )


def _time(value: str, field: str) -> dt.time | None:
    if not value.strip():
        return None
    try:
        return dt.time.fromisoformat(value.strip())
    except ValueError:
        raise ValidationFailed({field: [_("Give the time as hours and minutes, like 21:00.")]}) from None


def _operator(request: HttpRequest) -> Any:
    user = staff_user(request)
    if not platform_reader(user):
        refuse(page=_("The notices' delivery and wording pages"), roles=READERS)
    return user


@login_required
def deliveries_page(request: HttpRequest) -> HttpResponse:
    """The operator's view of the delivery contract: success per channel and gateway over time, failures,
    undetermined deliveries, unreachable citizens."""
    _operator(request)
    start, end = period_or_default(request.GET.get("from"), request.GET.get("to"))
    summary = delivery_summary(start=start, end=end)
    # Each row's channel in words (the summary keeps the stored codes, which the API returns).
    for key in ("channels", "failures", "undetermined"):
        summary[key] = [{**row, "channel_label": channel_label(row["channel"])} for row in summary[key]]
    series = [("delivered", _("delivered")), ("failed", _("failed")), ("undetermined", _("no delivery receipt came"))]
    return render(
        request,
        "web/backoffice_deliveries.html",
        {
            "start": start,
            "end": end,
            "summary": summary,
            "chart": line_chart(summary["days"], series, x_key="day"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def templates_page(request: HttpRequest) -> HttpResponse:
    """The operator edits the words of each notice per channel and language, with a preview and a test send."""
    user = _operator(request)
    source = request.POST if request.method == "POST" else request.GET
    kind = source.get("kind", wording.ANY_KIND) or wording.ANY_KIND
    channel = source.get("channel", "sms") if source.get("channel") in wording.CHANNELS else "sms"
    language = source.get("language", "id") if source.get("language") in wording.LANGUAGES else "id"
    subject, body = wording.wording(kind, channel, language)
    errors: dict[str, list[str]] = {}
    shown: tuple[str, str] | None = None
    status = 200
    if request.method == "POST":
        subject, body = request.POST.get("subject", ""), request.POST.get("body", "")
        intent = request.POST.get("intent", "preview")
        try:
            shown = wording.preview(subject, body, channel, language)
            if intent == "save":
                wording.template_save(
                    actor=user, kind=kind, channel=channel, language=language, subject=subject, body=body
                )
                messages.success(request, _("The wording is saved. New notices use it."))
            elif intent == "test":
                messages.success(request, test_send(user, channel, shown))
        except ValidationFailed as exc:
            errors, status, shown = exc.errors, 422, None
    kinds = sorted({wording.ANY_KIND, *COMMON_KINDS, *Notification.objects.values_list("kind", flat=True).distinct()})
    return render(
        request,
        "web/backoffice_templates.html",
        {
            "kind": kind,
            "channel": channel,
            "language": language,
            "subject": subject,
            "body": body,
            "kinds": [(k, notice_kind_label(k)) for k in kinds],
            "channels": [(c, channel_label(c)) for c in wording.CHANNELS],
            "errors": errors,
            "shown": shown,
            "placeholders": ", ".join("{" + p + "}" for p in wording.PLACEHOLDERS),
        },
        status=status,
    )


# What each kind of subject is called in the list of notices an operator words (the kind is `<subject>.<event>`).
NOTICE_NOUNS = {
    "case": gettext_lazy("Application"),
    "complaint": gettext_lazy("Report"),
    "document": gettext_lazy("Document"),
    "coordination": gettext_lazy("Coordination request"),
    "bundle": gettext_lazy("Life event"),
}
NOTICE_EVENTS = {
    "signed": gettext_lazy("signed and ready"),
    "escalated": gettext_lazy("escalated"),
    "verified": gettext_lazy("verified"),
    "duplicate_merged": gettext_lazy("another report merged into it"),
}


def notice_kind_label(kind: str) -> str:
    """A notice kind in words for the operator: "Application: Revision requested" for `case.revision_requested`
    (the kernel's categories and outcomes, then the workflows' own names of states, a move named by the state it
    leads to)."""
    if kind == wording.ANY_KIND:
        return str(_("every notice without its own wording"))
    noun, _dot, event = kind.partition(".")
    known = NOTICE_EVENTS.get(event) or CATEGORY_LABELS.get(event) or OUTCOME_LABELS.get(event)
    words = str(known) if known is not None else None
    if words is None:
        for definition in WorkflowDefinition.objects.all():
            parsed = definition.parsed
            state = parsed.states.get(event)
            # A move's event (`case.verification_started`) reads as the state it leads to.
            move = next(
                (t for t in parsed.transitions if event in (t.action, t.event, t.event.partition(".")[2])), None
            )
            target = parsed.states.get(move.target) if move else None
            words = localised(state.label) if state else (localised(target.label) if target else None)
            if words:
                break
    return f"{NOTICE_NOUNS.get(noun, noun)}: {words or event.replace('_', ' ')}"


COMMON_KINDS = ("case.verified", "case.revision_requested", "case.completed", "case.rejected", "document.signed")


def test_send(user: Any, channel: str, shown: tuple[str, str]) -> str:
    """Send the previewed text to the operator's own contact, now, and say what happened."""
    subject, body = shown
    destination = user.email if channel == "email" else user.phone
    if channel == "app" or not destination:
        return str(_("There is no contact of yours for this channel: nothing was sent."))
    try:
        if channel == "email":
            gateways.send_email(destination=destination, subject=subject or "KotaLIVE", body=body)
        else:
            gateways.send_text(channel=channel, destination=destination, body=body, reference="test")
    except (gateways.PermanentFailure, gateways.TemporaryFailure) as error:
        return str(_("The test message was not sent: %(error)s") % {"error": error})
    return str(_("A test message went to %(destination)s.") % {"destination": masked(channel, destination)})
