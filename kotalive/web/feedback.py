"""Telling the person what a service refused: each reason a full sentence naming the field by its label (never the
field's key), as flash messages on the next page or as the lines of a form's error summary."""

import datetime as dt
from collections.abc import Iterable

from django.contrib import messages
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kotalive.catalogue.forms import date_typed
from kotalive.core.errors import DomainError, ValidationFailed

# The field keys the services name in their refusals, as the forms label them. A key not here is never shown: its
# reason stands alone as a sentence.
FIELD_LABELS = {
    "reason": gettext_lazy("Reason"),
    "body": gettext_lazy("Message"),
    "comment": gettext_lazy("Comment"),
    "file": gettext_lazy("File"),
    "photos": gettext_lazy("Photos"),
    "kind": gettext_lazy("Kind"),
    "category": gettext_lazy("Category"),
    "title": gettext_lazy("Title"),
    "description": gettext_lazy("Description"),
    "kelurahan": gettext_lazy("Kelurahan"),
    "address": gettext_lazy("Address or landmark"),
    "location": gettext_lazy("Place on the map"),
    "lat": gettext_lazy("Latitude"),
    "lon": gettext_lazy("Longitude"),
    "region": gettext_lazy("Kecamatan or kelurahan"),
    "agency": gettext_lazy("Agency"),
    "rule": gettext_lazy("Routing rule"),
    "score": gettext_lazy("Rating"),
    "scores": gettext_lazy("Rating"),
    "version": gettext_lazy("Version of the page"),
    "into": gettext_lazy("Report to keep"),
    "requirements": gettext_lazy("Requirements"),
    "assignee": gettext_lazy("Assignee"),
    "date": gettext_lazy("Date"),
    "working": gettext_lazy("The offices are"),
    "valid_from": gettext_lazy("Valid from"),
    "valid_until": gettext_lazy("Valid until"),
    "consumer": gettext_lazy("Agency (code)"),
    "purpose": gettext_lazy("Purpose code"),
    "purpose_name": gettext_lazy("Purpose, in words"),
    "fields": gettext_lazy("Fields the agency receives"),
    "legal_basis": gettext_lazy("Legal basis"),
    "agreement": gettext_lazy("Agreement"),
    "since": gettext_lazy("Replay events from"),
    "subscription": gettext_lazy("Subscription"),
    "delivery": gettext_lazy("Delivery"),
    "dead_letter": gettext_lazy("Dead letter"),
    "code": gettext_lazy("Code"),
    "name_id": gettext_lazy("Name (Indonesian)"),
    "name_en": gettext_lazy("Name (English)"),
    "description_id": gettext_lazy("Description (Indonesian)"),
    "description_en": gettext_lazy("Description (English)"),
    "output_kind": gettext_lazy("Output"),
    "workflow": gettext_lazy("Workflow"),
    "sla_working_days": gettext_lazy("SLA (working days)"),
    "fee": gettext_lazy("Fee (rupiah)"),
    "form_schema": gettext_lazy("Form"),
    "ui_hints": gettext_lazy("Form hints"),
    "eligibility": gettext_lazy("Eligibility"),
    "escalation": gettext_lazy("Escalation"),
    "standard": gettext_lazy("Service standard"),
    "registry_effect": gettext_lazy("Effect on the registry"),
    "to_agency": gettext_lazy("Agency asked"),
    "parent": gettext_lazy("Case or report"),
    "due_working_days": gettext_lazy("Working days to answer"),
}


def field_label(key: str) -> str:
    """The label of a field the services name by `key`; empty for a key no form shows."""
    label = FIELD_LABELS.get(key)
    return str(label) if label is not None else ""


def _as_sentence(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:] + ("" if text.endswith((".", "!", "?")) else ".")


def error_sentence(key: str, reason: str, label: str = "") -> str:
    """A reason a service gave for the field `key` ("is required for this action") as a full sentence that names
    the field by its label ("Reason is required for this action."), or by `label` where the form names it its own
    way; a reason that already is a sentence stays as it is, and a key no form shows is left out rather than shown
    raw."""
    reason = str(reason).strip()
    if reason[:1].isupper() and reason.endswith("."):
        return reason
    label = label or field_label(key)
    if not label:
        return _as_sentence(reason)
    if reason == _("is required"):
        return _("%(field)s is required.") % {"field": label}
    return _("%(field)s %(reason)s.") % {"field": label, "reason": reason}


def refusal_sentences(exc: DomainError, labels: dict[str, str] | None = None) -> list[tuple[str, str]]:
    """Every reason of a refusal as (field key, sentence); the key is empty when the refusal names no field.
    `labels` names fields the form labels its own way."""
    named = labels or {}
    if isinstance(exc, ValidationFailed):
        return [
            (key, error_sentence(key, reason, named.get(key, "")))
            for key, reasons in exc.errors.items()
            for reason in reasons
        ]
    field = exc.field or ""
    return [(field, error_sentence(field, str(exc.message), named.get(field, "")))]


def summary_items(sentences: Iterable[tuple[str, str]], anchors: dict[str, str], default: str) -> list[dict[str, str]]:
    """Lines for the error summary (web_forms.error_summary): each sentence linking to its field's element id as
    `anchors` maps the key, else to `default`."""
    return [{"href": f"#{anchors.get(key, default)}", "text": text} for key, text in sentences]


def posted_int(request: HttpRequest, name: str, default: int = 0) -> int:
    """A whole number a page posts in a hidden field (a version, a score, an id): a value that is none (a tampered
    form) is refused naming the field, as a 422, never a server error."""
    value = request.POST.get(name, "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ValidationFailed({name: [_("must be a whole number")]}) from None
    if not -(2**31) < number < 2**31:  # beyond any id, version or score: refused before it reaches the database
        raise ValidationFailed({name: [_("must be a whole number")]})
    return number


def posted_date(request: HttpRequest, name: str) -> dt.date:
    """A date typed in a back-office form as the active language writes it (DD-MM-YYYY, the formats'
    DATE_INPUT_FORMATS; ISO too); a refusal naming the field otherwise."""
    value = request.POST.get(name, "").strip()
    if not value:
        raise ValidationFailed({name: [_("is required")]})
    try:
        return dt.date.fromisoformat(date_typed(value))
    except ValueError:
        raise ValidationFailed({name: [date_reason()]}) from None


def date_reason() -> str:
    """Why a typed date was refused, in the reader's language."""
    return _("must be a real date written as day, month and year, for example 17-08-1990")


def flash_refusal(request: HttpRequest, exc: DomainError) -> None:
    """One message per reason, each a sentence naming its field."""
    for _key, sentence in refusal_sentences(exc):
        messages.error(request, sentence)
