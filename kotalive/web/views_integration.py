"""The integration console (webhooks, deliveries, dead letters, event consumers, API clients, charts),
DISDUKCAPIL's data-sharing agreements, and the resident's "who used my data" page. Every action goes through the
same services as the API."""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format, get_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kotalive.agencies.models import ApiClient, StaffRole
from kotalive.agencies.selectors import agency_get
from kotalive.core.errors import DomainError, ValidationFailed
from kotalive.events import services as event_services
from kotalive.events.console import (
    Hour,
    consumer_dead_letters_open,
    consumer_states,
    delivery_hours,
    subscription_deliveries,
)
from kotalive.events.consumers import CONSUMER_LABELS, consumer_dead_letter_replay, consumer_dead_letters_may_replay
from kotalive.events.models import WebhookDelivery
from kotalive.registry import mediation
from kotalive.registry.labels import field_labels
from kotalive.registry.models import LOOKUP_FIELDS, DataSharingAgreement
from kotalive.web.access import refuse, signed_in_user, staff_user
from kotalive.web.confirm import confirmation_page, confirmed
from kotalive.web.feedback import flash_refusal, posted_date, posted_int, refusal_sentences, summary_items


def _delivery_status(status: str) -> str:
    """A webhook delivery's status in words (pages never show the stored value)."""
    labels = {
        WebhookDelivery.WAITING: _("waiting for an earlier event"),
        WebhookDelivery.PENDING: _("to be sent"),
        WebhookDelivery.IN_FLIGHT: _("being sent"),
        WebhookDelivery.SUCCEEDED: _("delivered"),
        WebhookDelivery.DEAD: _("given up"),
    }
    return str(labels.get(status, _("unknown")))


CONSOLE_ROLES = (StaffRole.OPERATOR, StaffRole.PLATFORM_ADMIN, StaffRole.AGENCY_ADMIN, StaffRole.AUDITOR)


def _console_allowed(user: Any) -> bool:
    return StaffRole.objects.filter(user=user, role__in=CONSOLE_ROLES).exists()


def _bar(index: int, hour: Hour, worst: int) -> dict[str, Any]:
    """One hour's two bars in a 240 x 100 drawing: 10 units per hour, heights in percent of the tallest."""
    success = hour.success_percent or 0
    lag = round(100 * (hour.average_lag_ms or 0) / worst)
    return {
        "hour": hour,
        "x": index * 10,
        "success_height": success,
        "success_y": 100 - success,
        "lag_height": lag,
        "lag_y": 100 - lag,
    }


@login_required
def console(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    if not _console_allowed(user):
        refuse(page=_("The integration console"), roles=CONSOLE_ROLES)
    return _console_page(request, user)


def _console_page(
    request: HttpRequest, user: Any, status: int = 200, problems: list[dict[str, str]] | None = None
) -> HttpResponse:
    subscriptions = list(event_services.subscriptions_visible(actor=user))
    hours = delivery_hours(subscriptions=subscriptions)
    worst = max((h.average_lag_ms or 0 for h in hours), default=0) or 1
    deliveries = subscription_deliveries(subscriptions=subscriptions)
    rows = [
        {
            "subscription": s,
            "counts": [(_delivery_status(status), n) for status, n in deliveries[s.pk].counts.items()],
            "dead": deliveries[s.pk].dead,
            "recent": [(d, _delivery_status(d.status)) for d in deliveries[s.pk].recent],
        }
        for s in subscriptions
    ]
    platform = StaffRole.objects.filter(user=user, agency__isnull=True).exists()
    administered = StaffRole.objects.filter(user=user, role=StaffRole.AGENCY_ADMIN).values("agency_id")
    clients = ApiClient.objects.select_related("agency").prefetch_related("keys").order_by("agency__code", "name")
    return render(
        request,
        "web/backoffice_integration.html",
        {
            "rows": rows,
            "hours": [_bar(index, h, worst) for index, h in enumerate(hours)],
            "any_attempts": any(h.attempts for h in hours),
            "any_lag": any(h.average_lag_ms for h in hours),
            "clients": clients if platform else clients.filter(agency_id__in=administered),
            "consumers": consumer_states(actor=user),
            "consumer_dead": consumer_dead_letters_open(actor=user),
            "may_replay_consumers": consumer_dead_letters_may_replay(actor=user),
            "problems": problems or [],
        },
        status=status,
    )


@login_required
@require_POST
def console_action(request: HttpRequest) -> HttpResponse:
    """One button of the console: redeliver, replay, enable or disable (asking first), or replay a consumer's dead
    letter. A refusal (a tampered id, a time that is none) answers the console again with its sentence."""
    user = staff_user(request)
    intent = request.POST.get("intent", "")
    try:
        if intent == "redeliver":
            event_services.delivery_redeliver(actor=user, delivery_id=posted_int(request, "delivery"))
            messages.success(request, _("The delivery is queued again."))
        elif intent == "replay":
            queued = event_services.subscription_replay(
                actor=user, subscription_id=posted_int(request, "subscription"), since=_posted_since(request)
            )
            messages.success(request, _("%(count)s events are queued again.") % {"count": queued})
        elif intent in {"enable", "disable"}:
            subscription_id = posted_int(request, "subscription")
            if intent == "disable" and not confirmed(request):
                asked = _disable_confirmation(request, user, subscription_id)
                if asked is not None:
                    return asked
            event_services.subscription_set_status(
                actor=user, subscription_id=subscription_id, active=intent == "enable"
            )
            messages.success(request, _("The subscription is updated."))
        elif intent == "consumer_replay":
            letter = consumer_dead_letter_replay(actor=user, dead_letter_id=posted_int(request, "dead_letter"))
            messages.success(
                request,
                _("%(consumer)s handled the event again.")
                % {"consumer": CONSUMER_LABELS.get(letter.consumer, letter.consumer)},
            )
        else:
            raise Http404
    except DomainError as exc:
        if not _console_allowed(user):
            flash_refusal(request, exc)
            return redirect("web:backoffice-integration")  # the console itself says who may open it
        # The console again with the refusal at its top; a replay's time links to the field it was typed in.
        posted = request.POST.get("subscription", "")
        anchors = {"since": f"since-{posted}"} if posted.isdigit() else {}
        return _console_page(
            request, user, status=exc.status, problems=summary_items(refusal_sentences(exc), anchors, "main")
        )
    return redirect("web:backoffice-integration")


def _posted_since(request: HttpRequest) -> dt.datetime:
    """The time typed for a replay: a day as DD-MM-YYYY (from its start), or with a time (DD-MM-YYYY HH:MM)."""
    value = request.POST.get("since", "").strip()
    if not value:
        raise ValidationFailed({"since": [_("is required")]})
    for pattern in get_format("DATETIME_INPUT_FORMATS"):
        try:
            since = dt.datetime.strptime(value, pattern)  # noqa: DTZ007 (made aware below, in the city's zone)
        except ValueError:
            continue
        return timezone.make_aware(since)
    day = posted_date(request, "since")
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _disable_confirmation(request: HttpRequest, user: Any, subscription_id: int) -> HttpResponse | None:
    """The "are you sure?" page before a webhook subscription is disabled, naming its address; None when the
    subscription is not one this person sees (the service's refusal says so)."""
    subscription = event_services.subscriptions_visible(actor=user).filter(pk=subscription_id).first()
    if subscription is None:
        return None
    return confirmation_page(
        request,
        title=_("Disable the subscription: are you sure?"),
        consequence=_(
            "%(url)s will receive no more events until the subscription is enabled again. Events of the meantime "
            "are not sent on their own: replay them after enabling it."
        )
        % {"url": subscription.url},
        confirm_label=_("Yes: disable the subscription"),
        back_url=reverse("web:backoffice-integration"),
    )


AGREEMENT_FIELDS = {
    "consumer": "consumer",
    "purpose": "purpose",
    "purpose_name": "purpose_name",
    "fields": "fields",
    "legal_basis": "legal_basis",
    "valid_from": "valid_from",
    "valid_until": "valid_until",
}


@login_required
@require_http_methods(["GET", "POST"])
def agreements(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    if not mediation.may_manage_agreements(user):
        refuse(
            page=_("The page of data-sharing agreements"),
            roles=[StaffRole.AGENCY_ADMIN, StaffRole.PLATFORM_ADMIN],
            agency=agency_get(code=mediation.PROVIDER_CODE),
        )
    status = 200
    values: dict[str, Any] = {"valid_from": date_format(timezone.localdate(), "SHORT_DATE_FORMAT"), "fields": []}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            if request.POST.get("intent") == "revoke":
                asked = _revoke_confirmation(request)
                if asked is not None:
                    return asked
                mediation.agreement_revoke(actor=user, agreement_id=_agreement_id(request))
                messages.success(request, _("The agreement is revoked."))
                return redirect("web:backoffice-agreements")
            values = {name: request.POST.get(name, "") for name in AGREEMENT_FIELDS}
            values["fields"] = request.POST.getlist("fields")
            dates: dict[str, dt.date | None] = {}
            date_errors: dict[str, list[str]] = {}
            for name in ("valid_from", "valid_until"):
                try:
                    dates[name] = posted_date(request, name)
                except ValidationFailed as exc:
                    dates[name], date_errors[name] = None, exc.errors[name]
            try:
                mediation.agreement_save(
                    actor=user,
                    consumer_code=request.POST.get("consumer", ""),
                    purpose=request.POST.get("purpose", ""),
                    purpose_name=request.POST.get("purpose_name", ""),
                    fields=request.POST.getlist("fields"),
                    legal_basis=request.POST.get("legal_basis", ""),
                    valid_from=dates["valid_from"],
                    valid_until=dates["valid_until"],
                )
            except ValidationFailed as exc:
                # A date that could not be read says why, rather than the service's "is required".
                raise ValidationFailed({**exc.errors, **date_errors}) from None
            messages.success(request, _("The agreement is saved."))
            return redirect("web:backoffice-agreements")
        except DomainError as exc:
            status = exc.status
            if request.POST.get("intent") == "revoke":
                flash_refusal(request, exc)
            else:
                for key, sentence in refusal_sentences(exc):
                    errors.setdefault(key, []).append(sentence)
    return render(
        request,
        "web/backoffice_agreements.html",
        {
            "agreements": DataSharingAgreement.objects.select_related("consumer").order_by("consumer__code"),
            "fields": list(zip(LOOKUP_FIELDS, field_labels(list(LOOKUP_FIELDS)), strict=True)),
            "values": values,
            "errors": errors,
            "problems": summary_items(
                [(key, text) for key, texts in errors.items() for text in texts], AGREEMENT_FIELDS, "consumer"
            ),
        },
        status=status,
    )


def _agreement_id(request: HttpRequest) -> int:
    try:
        return int(request.POST.get("agreement", "0") or 0)
    except ValueError:
        return 0  # no such agreement: the service answers "not found"


def _revoke_confirmation(request: HttpRequest) -> HttpResponse | None:
    """The "are you sure?" page before an agreement is revoked (naming the agency and the purpose); None once
    confirmed, or when there is no such agreement (the service's refusal says so)."""
    if confirmed(request):
        return None
    agreement = DataSharingAgreement.objects.select_related("consumer").filter(pk=_agreement_id(request)).first()
    if agreement is None:
        return None
    return confirmation_page(
        request,
        title=_("Revoke the agreement: are you sure?"),
        consequence=_(
            "%(agency)s will no longer look residents up for “%(purpose)s”, from its next look-up. "
            "To allow it again, grant a new agreement."
        )
        % {"agency": agreement.consumer.code, "purpose": agreement.purpose_name or agreement.purpose},
        confirm_label=_("Yes: revoke the agreement"),
        back_url=reverse("web:backoffice-agreements"),
    )


@login_required
def data_access(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    return render(request, "web/data_access.html", {"accesses": mediation.data_access_of(user=user)[:200]})
