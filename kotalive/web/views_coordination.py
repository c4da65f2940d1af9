"""Back-office pages for coordination between agencies: an agency's inbox (asked of it, asked by it), one request
with its actions, and asking another agency from a case's page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kotalive.accounts.models import User
from kotalive.agencies.labels import agency_name
from kotalive.agencies.models import Agency
from kotalive.agencies.selectors import agency_get, user_is_platform_operator
from kotalive.coordination import announcements, services
from kotalive.coordination.models import KINDS, CooperationAgreement, CoordinationRequest
from kotalive.coordination.presenters import coordination_detail, coordination_summary, kind_label
from kotalive.coordination.selectors import (
    INCOMING,
    OUTGOING,
    agency_ids_of,
    coordination_get_for_actor,
    coordination_inbox,
    request_roles,
)
from kotalive.core.errors import DomainError, NotFound, ValidationFailed
from kotalive.core.uploads import upload_create, upload_response
from kotalive.web.access import refuse, staff_user
from kotalive.web.confirm import destructive_last, transition_confirmation
from kotalive.web.feedback import flash_refusal
from kotalive.workflow.labels import state_label

ATTACHMENTS_AT_MOST = 5  # as the API takes (coordination.services, core.uploads.uploads_owned)


def _attachments(request: HttpRequest) -> list[str]:
    """The files of the form's `attachments` input, stored (checked by content) as the officer's uploads."""
    user = staff_user(request)
    files = request.FILES.getlist("attachments")
    if len(files) > ATTACHMENTS_AT_MOST:
        raise ValidationFailed({"attachments": [_("at most %(n)d files") % {"n": ATTACHMENTS_AT_MOST}]})
    stored = []
    for file in files:
        try:
            stored.append(
                str(upload_create(actor=user, stream=file.open("rb"), name=file.name or "", size=file.size or 0).pk)
            )
        except ValidationFailed as exc:  # the file's own reason, under the form's field
            raise ValidationFailed({"attachments": [r for reasons in exc.errors.values() for r in reasons]}) from None
    return stored


@login_required
def attachment(request: HttpRequest, code: str, tracking: str, upload_id: str) -> FileResponse:
    """A file sent with a request or its answer, for those who may see the request."""
    try:
        found = coordination_get_for_actor(user=staff_user(request), tracking=tracking)
    except NotFound:
        raise Http404 from None
    sent = next((a for a in found.attachments.select_related("upload") if str(a.upload_id) == upload_id), None)
    if sent is None:
        raise Http404
    return upload_response(sent.upload, f"{tracking}-{sent.stage}")


@login_required
def inbox(request: HttpRequest, code: str) -> HttpResponse:
    user = staff_user(request)
    agency = agency_get(code=code)
    if agency is None:
        raise Http404
    if agency.pk not in agency_ids_of(user):
        refuse(page=_("The coordination requests of %(agency)s") % {"agency": agency.code}, agency=agency)
    return render(
        request,
        "web/backoffice_coordination.html",
        {
            "agency": agency,
            "incoming": [coordination_summary(r) for r in coordination_inbox(agency=agency, direction=INCOMING)[:100]],
            "outgoing": [coordination_summary(r) for r in coordination_inbox(agency=agency, direction=OUTGOING)[:100]],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def request_page(request: HttpRequest, code: str, tracking: str) -> HttpResponse:
    user = staff_user(request)
    try:
        found = coordination_get_for_actor(user=user, tracking=tracking)
    except NotFound:
        raise Http404 from None
    status = 200
    if request.method == "POST":
        asked = _confirmation(request, user, found, code)
        if asked is not None:
            return asked
        try:
            version = int(request.POST.get("version", "0") or 0)
        except ValueError:
            version = 0  # answered as a stale version: reload and try again
        try:
            moved = services.coordination_transition(
                actor=user,
                tracking=tracking,
                action=request.POST.get("action", ""),
                version=version,
                reason=request.POST.get("reason", ""),
                attachments=_attachments(request),
            )
            messages.success(request, _("The request is now: %(state)s.") % {"state": state_label(moved)})
            return redirect(reverse("web:backoffice-coordination-request", args=[code, tracking]))
        except DomainError as exc:
            flash_refusal(request, exc)
            status = exc.status
            found = coordination_get_for_actor(user=user, tracking=tracking)
    detail = coordination_detail(found, user)
    detail["actions"] = destructive_last(detail["actions"], definition=found.workflow.parsed, state=found.state)
    return render(
        request,
        "web/backoffice_coordination_request.html",
        {"code": code, "request_": found, "detail": detail},
        status=status,
    )


def _confirmation(request: HttpRequest, user: User, found: CoordinationRequest, code: str) -> HttpResponse | None:
    """The "are you sure?" page before a move that ends the request against its purpose (decline, withdraw), for
    one this person may make now; None when the move may go ahead (the service's refusal says why it may not)."""
    definition = found.workflow.parsed
    transition = definition.find(action=request.POST.get("action", ""), state=found.state)
    if transition is None or not request_roles(user=user, request=found) & transition.roles:
        return None
    return transition_confirmation(
        request,
        definition=definition,
        state=found.state,
        what=_("Coordination request %(tracking)s") % {"tracking": found.tracking},
        back_url=reverse("web:backoffice-coordination-request", args=[code, found.tracking]),
    )


@login_required
@require_POST
def ask(request: HttpRequest, code: str, tracking: str) -> HttpResponse:
    """Ask another agency about case or report `tracking` (from its back-office page), then back to that page."""
    user = staff_user(request)
    back = request.POST.get("back", "")
    try:
        days = int(request.POST.get("due_working_days", "") or 0)
    except ValueError:
        days = 0
    try:
        made = services.coordination_request(
            actor=user,
            parent=tracking,
            to_agency=request.POST.get("to_agency", ""),
            kind=request.POST.get("kind", ""),
            message=request.POST.get("message", ""),
            due_working_days=days,
            blocking=request.POST.get("blocking") == "1",
            attachments=_attachments(request),
        )
        messages.success(
            request,
            _("Request %(tracking)s sent to %(agency)s.") % {"tracking": made.tracking, "agency": made.to_agency.name},
        )
    except DomainError as exc:
        flash_refusal(request, exc)
    if back.startswith("/") and not back.startswith("//"):
        return redirect(back)
    return redirect(reverse("web:backoffice-coordination", args=[code]))


def ask_form(agency_id: int) -> dict[str, object]:
    """What the "ask another agency" form offers: the agencies this one has agreements with, and the kinds."""
    agreements = CooperationAgreement.objects.filter(from_agency_id=agency_id, active=True).select_related("to_agency")
    return {
        "targets": [(a.to_agency.code, agency_name(a.to_agency)) for a in agreements],
        "kinds": [(k, kind_label(k)) for k in KINDS],
    }


@login_required
@require_http_methods(["GET", "POST"])
def announcements_page(request: HttpRequest) -> HttpResponse:
    """The operator writes to agencies and sees the read receipts; agency staff read and confirm."""
    user = staff_user(request)
    operator = user_is_platform_operator(user)
    status = 200
    if request.method == "POST":
        try:
            if request.POST.get("intent") == "send":
                announcements.announcement_send(
                    actor=user,
                    title=request.POST.get("title", ""),
                    body=request.POST.get("body", ""),
                    agencies=request.POST.getlist("agencies"),
                )
                messages.success(request, _("Announcement sent."))
            else:
                try:
                    announcement_id = int(request.POST.get("id", "0"))
                except ValueError:
                    announcement_id = 0
                announcements.announcement_read(actor=user, announcement_id=announcement_id)
                messages.success(request, _("Marked as read."))
            return redirect(reverse("web:announcements"))
        except DomainError as exc:
            flash_refusal(request, exc)
            status = exc.status
    return render(
        request,
        "web/announcements.html",
        {
            "operator": operator,
            "items": announcements.announcements_for(user),
            "agencies": Agency.objects.filter(active=True).order_by("code") if operator else [],
        },
        status=status,
    )
