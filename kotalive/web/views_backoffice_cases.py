"""Back-office pages for an agency's applications: the inbox, the case page, and the operator's calendar."""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kotalive.accounts.models import User
from kotalive.agencies.models import StaffRole
from kotalive.agencies.selectors import agency_get, user_has_platform_role, user_roles_in
from kotalive.cases import services as case_services
from kotalive.cases.models import Case
from kotalive.cases.selectors import (
    agency_inbox,
    case_actions,
    case_documents,
    case_get_for_actor,
    case_timeline,
    public_status,
    staff_roles_for,
)
from kotalive.catalogue.forms import form_fields
from kotalive.catalogue.labels import form_answer
from kotalive.catalogue.models import localised
from kotalive.catalogue.subjects import prefill_person
from kotalive.coordination.presenters import coordination_summary
from kotalive.coordination.selectors import coordination_of_parent
from kotalive.core.calendar_services import calendar_override_remove, calendar_override_set
from kotalive.core.errors import DomainError, NotFound, ValidationFailed
from kotalive.core.models import AuditEntry, CalendarOverride
from kotalive.documents.api import REVOKERS
from kotalive.registry.selectors import registry_values
from kotalive.web.access import refuse, staff_user
from kotalive.web.confirm import confirmation_page, confirmed, transition_confirmation
from kotalive.web.feedback import flash_refusal, posted_date, posted_int, refusal_sentences, summary_items
from kotalive.web.views_coordination import ask_form
from kotalive.web.views_documents import REASONS as REVOKE_REASONS
from kotalive.web.views_notifications import subject_notices
from kotalive.workflow.definitions import Transition
from kotalive.workflow.labels import state_label
from kotalive.workflow.sla import state_overdue

FILTER_STATES = ["submitted", "in_progress", "awaiting_citizen", "completed", "rejected", "cancelled"]
FILTER_SLA = ["on_track", "at_risk", "breached", "paused"]


@login_required
def inbox(request: HttpRequest, code: str) -> HttpResponse:
    user = staff_user(request)
    agency = agency_get(code=code)
    if agency is None:
        raise Http404
    if not staff_roles_for(user=user, agency=agency):
        refuse(page=_("The inbox of %(agency)s") % {"agency": agency.code}, agency=agency)
    filters = {name: request.GET.get(name) or None for name in ("service", "state", "sla", "assigned")}
    try:
        page_number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page_number = 1
    page = agency_inbox(
        user=user,
        agency=agency,
        page=page_number,
        service=filters["service"],
        state=filters["state"],
        sla=filters["sla"],
        assigned=filters["assigned"],
    )
    now = timezone.now()
    query = "&".join(f"{k}={v}" for k, v in filters.items() if v)
    return render(
        request,
        "web/backoffice_inbox.html",
        {
            "agency": agency,
            "page": page,
            "filters": filters,
            "query": query,
            "rows": [(c, public_status(c), state_overdue(c, now=now)) for c in page.cases],
            "states": FILTER_STATES,
            "slas": FILTER_SLA,
            "services": agency.services.filter(active=True).select_related("current"),
        },
    )


def _compare(case: object) -> list[dict[str, object]]:
    """Each form field beside what the registry says, differences flagged (for the verifier)."""
    version = case.service_version  # type: ignore[attr-defined]
    # Whose record filled the form: the subject's, the applicant's for a newborn (catalogue.subjects).
    person = prefill_person(user=case.applicant, version=version, person=case.subject_person)  # type: ignore[attr-defined]
    known = registry_values(person) if person else {}
    rows: list[dict[str, object]] = []
    for field in form_fields(version.form_schema, version.ui_hints):
        given = case.data.get(field.name, "")  # type: ignore[attr-defined]
        registry = known.get(field.prefill_key) if field.prefill_key else None
        rows.append(
            {
                "label": field.label,
                "given": form_answer(version.form_schema, field.name, given),  # an option's label, not its value
                "registry": form_answer(version.form_schema, field.name, registry) if registry is not None else None,
                "differs": registry is not None and str(registry).casefold() != str(given).casefold(),
            }
        )
    return rows


def _may_revoke(user: User, output: Any) -> bool:
    document = output.signed_document if output is not None else None
    return (
        document is not None
        and document.revoked_at is None
        and document.state == "signed"
        and bool(user_roles_in(user=user, agency=document.agency) & REVOKERS)
    )


def _ordered_actions(
    case: Case, labels: dict[str, str], available: list[Transition]
) -> list[tuple[Transition, str, bool]]:
    """The moves an officer may make, as (transition, label, destructive): the ones that go forward first, a
    rejection or a cancellation last (shown as the lesser button and confirmed before it acts)."""
    definition = case.workflow.parsed
    rows = [(t, labels.get(t.action) or t.action, definition.destructive(t)) for t in available]
    return sorted(rows, key=lambda row: row[2])


@login_required
@require_http_methods(["GET", "POST"])
def case_page(request: HttpRequest, code: str, tracking: str) -> HttpResponse:
    user = staff_user(request)
    try:
        case = case_get_for_actor(user=user, tracking=tracking)
    except NotFound:
        raise Http404 from None
    if case.agency.code != code:
        raise Http404
    status = 200
    if request.method == "POST":
        intent = request.POST.get("intent")
        said = _("Done.")
        try:
            if intent == "note":
                case_services.case_message_post(
                    actor=user, tracking=tracking, body=request.POST.get("body", ""), internal=True
                )
            elif intent == "message":
                case_services.case_message_post(actor=user, tracking=tracking, body=request.POST.get("body", ""))
            elif intent == "assign":
                case_services.case_assign(
                    actor=user, tracking=tracking, assignee_username=request.POST.get("assignee") or None
                )
            else:
                asked = transition_confirmation(
                    request,
                    definition=case.workflow.parsed,
                    state=case.state,
                    what=_("Application %(tracking)s") % {"tracking": tracking},
                    back_url=reverse("web:backoffice-case", args=[code, tracking]),
                )
                if asked is not None:
                    return asked
                moved = case_services.case_transition(
                    actor=user,
                    tracking=tracking,
                    action=request.POST.get("action", ""),
                    version=posted_int(request, "version"),
                    reason=request.POST.get("reason", ""),
                    requirements=request.POST.getlist("requirements"),
                )
                said = _("The application is now: %(state)s.") % {"state": state_label(moved)}
            messages.success(request, said)
            return redirect(reverse("web:backoffice-case", args=[code, tracking]))
        except DomainError as exc:
            flash_refusal(request, exc)  # each reason a sentence naming its field
            status = exc.status
            case = case_get_for_actor(user=user, tracking=tracking)
    version = case.service_version
    labels = {t["action"]: localised(t.get("label", {})) for t in case.workflow.document["transitions"]}
    # The parsed definition's states: with the kernel's own (waiting on another agency).
    state_labels = {code: localised(s.label) for code, s in case.workflow.parsed.states.items()}
    staff = User.objects.filter(staff_roles__agency=case.agency).distinct().order_by("username")
    return render(
        request,
        "web/backoffice_case.html",
        {
            "agency": case.agency,
            "case": case,
            "public_status": public_status(case),
            "state_label": state_labels.get(case.state, case.state),
            "state_labels": state_labels,
            "comparison": _compare(case),
            "documents": [
                (d, localised((version.requirement(d.requirement) or {}).get("name", d.requirement)))
                for d in case_documents(case=case)
            ],
            "reused": [
                (localised((version.requirement(code) or {}).get("name", code)), source)
                for code, source in sorted(case.documents_reused.items())
            ],
            "bundle": case.bundle.tracking if case.bundle is not None else None,
            "requirements": [(r["code"], localised(r["name"])) for r in version.requirements],
            "actions": _ordered_actions(case, labels, case_actions(user=user, case=case)),
            "timeline": case_timeline(case=case, staff_view=True),
            "audit": AuditEntry.objects.filter(object_type="cases.case", object_id=str(case.pk)).order_by("id"),
            "staff": staff,
            "output": getattr(case, "output", None),
            "can_revoke": _may_revoke(user, getattr(case, "output", None)),
            "notices": subject_notices(case.tracking, case.applicant_id),
            "revoke_reasons": REVOKE_REASONS,
            "code": code,
            "tracking": case.tracking,
            "coordination": [coordination_summary(r) for r in coordination_of_parent(kind="case", parent_id=case.pk)],
            "ask": ask_form(case.agency_id),
        },
        status=status,
    )


def _may_manage_calendar(user: User) -> bool:
    return user_has_platform_role(user=user, role=StaffRole.OPERATOR) or user_has_platform_role(
        user=user, role=StaffRole.PLATFORM_ADMIN
    )


CALENDAR_FIELDS = {"date": "date", "working": "working", "reason": "reason"}


@login_required
@require_http_methods(["GET", "POST"])
def calendar(request: HttpRequest) -> HttpResponse:
    """The operator's local closures and openings. A failed form stays on the page with its error summary; removing
    a day asks first."""
    user = staff_user(request)
    if not _may_manage_calendar(user):
        refuse(page=_("The working-day calendar"), roles=[StaffRole.OPERATOR, StaffRole.PLATFORM_ADMIN])
    status = 200
    values = {"date": "", "working": "0", "reason": ""}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        intent = request.POST.get("intent")
        try:
            if intent == "remove":
                day = posted_date(request, "date")
                if not confirmed(request):
                    return confirmation_page(
                        request,
                        title=_("Remove this change: are you sure?"),
                        consequence=_(
                            "%(date)s will be a working day or a holiday again as the official calendar says, for "
                            "every SLA clock from now on."
                        )
                        % {"date": date_format(day, "DATE_FORMAT")},
                        confirm_label=_("Yes: remove the change"),
                        back_url=reverse("web:backoffice-calendar"),
                    )
                calendar_override_remove(actor=user, may_manage=True, date=day)
            else:
                values = {name: request.POST.get(name, "") for name in CALENDAR_FIELDS}
                calendar_override_set(
                    actor=user,
                    may_manage=True,
                    date=_calendar_date(request),
                    working=request.POST.get("working") == "1",
                    reason=request.POST.get("reason", ""),
                )
            messages.success(request, _("The calendar is updated."))
            return redirect("web:backoffice-calendar")
        except DomainError as exc:
            status = exc.status
            if intent == "remove":
                flash_refusal(request, exc)
            else:
                for key, sentence in refusal_sentences(exc):
                    errors.setdefault(key, []).append(sentence)
    return render(
        request,
        "web/backoffice_calendar.html",
        {
            "overrides": CalendarOverride.objects.filter(date__gte=timezone.localdate() - dt.timedelta(days=30)),
            "values": values,
            "errors": errors,
            "problems": summary_items(
                [(key, text) for key, texts in errors.items() for text in texts], CALENDAR_FIELDS, "date"
            ),
        },
        status=status,
    )


def _calendar_date(request: HttpRequest) -> dt.date:
    """The day typed; when it is no date, its refusal together with the reason's (both at once)."""
    try:
        return posted_date(request, "date")
    except ValidationFailed as exc:
        if not request.POST.get("reason", "").strip():
            exc.errors["reason"] = [_("is required")]
        raise
