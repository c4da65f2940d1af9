"""Complaint pages (LAKSA): a citizen files and follows reports; the Live Room triages, disposes and verifies; agencies
work their inbox; anyone sees the public list and map. Thin: each view calls one service or selector."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kotalive.accounts.models import User
from kotalive.agencies.models import Agency, StaffRole
from kotalive.agencies.selectors import agency_get
from kotalive.complaints import services
from kotalive.complaints.mapview import city_map
from kotalive.complaints.models import Complaint, RoutingRule
from kotalive.complaints.presenters import category_name, complaint_detail, public_item, public_status
from kotalive.complaints.selectors import (
    agency_complaint_inbox,
    agency_supporting,
    categories_active,
    complaint_get_for_actor,
    complaint_handles,
    complaint_handling_finished,
    complaint_photo_get,
    complaint_rating,
    complaint_roles,
    complaints_of_citizen,
    is_live_room,
    public_complaints,
    triage_queue,
)
from kotalive.coordination.presenters import coordination_summary
from kotalive.coordination.selectors import agency_ids_of, coordination_of_parent
from kotalive.core.errors import DomainError, NotFound, ValidationFailed
from kotalive.core.uploads import upload_create, upload_response
from kotalive.regions import codes as region_codes
from kotalive.regions.models import Region
from kotalive.web.access import refuse, signed_in_user, staff_user
from kotalive.web.confirm import transition_confirmation
from kotalive.web.feedback import flash_refusal
from kotalive.web.views_coordination import ask_form
from kotalive.workflow.definitions import TERMINAL, Definition
from kotalive.workflow.labels import state_label


def _kinds() -> list[tuple[str, str]]:
    return [
        (Complaint.COMPLAINT, _("Complaint")),
        (Complaint.ASPIRATION, _("Aspiration")),
        (Complaint.INFORMATION, _("Information request")),
        (Complaint.APPRECIATION, _("Appreciation")),
    ]


def _kelurahan_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Kelurahan of the city grouped by kecamatan, for a <select> with <optgroup>s."""
    kecamatan = Region.objects.filter(parent_id=settings.KOTALIVE_REGION_CODE).order_by("name")
    villages = Region.objects.filter(
        parent__parent_id=settings.KOTALIVE_REGION_CODE, level__in=[region_codes.KELURAHAN, region_codes.DESA]
    ).order_by("name")
    grouped: dict[str, list[tuple[str, str]]] = {}
    for village in villages:
        grouped.setdefault(str(village.parent_id), []).append((village.code, village.name))
    return [(k.name, grouped.get(k.code, [])) for k in kecamatan]


def _complaint_agencies() -> list[Agency]:
    return list(Agency.objects.filter(handles_complaints=True, active=True).order_by("code"))


def _stored_photos(user: User, files: list[UploadedFile]) -> list[str]:
    if len(files) > services.MAX_PHOTOS:
        raise ValidationFailed({"photos": [_("at most %(n)d photos") % {"n": services.MAX_PHOTOS}]})
    return [str(upload_create(actor=user, stream=f.open("rb"), name=f.name or "", size=f.size or 0).pk) for f in files]


def _number(value: str, field: str) -> float | None:
    value = value.strip().replace(",", ".")
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        raise ValidationFailed({field: [_("must be a number")]}) from None


@login_required
def my_reports(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    # A followed report (the citizen's own was merged into it) is listed by its category, not its title (template).
    reports = [(c, public_status(c), c.reporter_id != user.pk) for c in complaints_of_citizen(user=user)[:200]]
    return render(request, "web/complaints.html", {"reports": reports})


@login_required
@require_http_methods(["GET", "POST"])
def report_new(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if user.kind != User.CITIZEN:
        raise Http404
    values: dict[str, Any] = {"kind": Complaint.COMPLAINT}
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        values = {
            k: request.POST.get(k, "")
            for k in ("kind", "category", "title", "description", "kelurahan", "address", "lat", "lon")
        }
        values["anonymous"] = bool(request.POST.get("anonymous"))
        values["confidential"] = bool(request.POST.get("confidential"))
        try:
            lat, lon = _number(values["lat"], "location"), _number(values["lon"], "location")
            photos = _stored_photos(user, request.FILES.getlist("photos"))
            complaint = services.complaint_submit(
                actor=user,
                kind=values["kind"],
                category=values["category"],
                title=values["title"],
                description=values["description"],
                lat=lat,
                lon=lon,
                kelurahan=values["kelurahan"],
                address=values["address"],
                anonymous=values["anonymous"],
                confidential=values["confidential"],
                photos=photos,
            )
            messages.success(request, _("Report sent. Its number is %(tracking)s.") % {"tracking": complaint.tracking})
            return redirect("web:report", tracking=complaint.tracking)
        except ValidationFailed as exc:
            errors, status = exc.errors, exc.status
        except DomainError as exc:
            errors, status = {"": [str(exc.message)]}, exc.status
    return render(
        request,
        "web/complaint_new.html",
        {
            "values": values,
            "errors": errors,
            "general_errors": errors.get("", []),
            "kinds": _kinds(),
            "categories": [(c.code, category_name(c)) for c in categories_active()],
            "kelurahan": _kelurahan_choices(),
            # A form sent back with an error shows its pin and its kelurahan again.
            "map": city_map([], pin=_typed_point(values), kelurahan=str(values.get("kelurahan", ""))),
        },
        status=status,
    )


def _typed_point(values: dict[str, Any]) -> tuple[float | None, float | None] | None:
    try:
        return _number(str(values.get("lat", "")), "lat"), _number(str(values.get("lon", "")), "lon")
    except ValidationFailed:
        return None


def _act(request: HttpRequest, user: User, tracking: str) -> None:
    intent = request.POST.get("intent", "")
    if intent == "message":
        internal = request.POST.get("internal") == "1"
        services.complaint_message_post(
            actor=user, tracking=tracking, body=request.POST.get("body", ""), internal=internal
        )
        messages.success(request, _("Internal note saved.") if internal else _("Message sent."))
    elif intent == "rating":
        score = int(request.POST.get("score", "0") or 0)
        services.complaint_rate(actor=user, tracking=tracking, score=score, comment=request.POST.get("comment", ""))
        messages.success(request, _("Thank you for rating the handling of your report."))
    elif intent == "emergency":
        services.complaint_flag_emergency(actor=user, tracking=tracking, note=request.POST.get("reason", ""))
        messages.success(request, _("Handover to 112 recorded."))
    else:
        photos = _stored_photos(user, request.FILES.getlist("photos"))
        moved = services.complaint_transition(
            actor=user,
            tracking=tracking,
            action=request.POST.get("action", ""),
            version=int(request.POST.get("version", "0") or 0),
            reason=request.POST.get("reason", ""),
            agency=request.POST.get("agency") or None,
            supports=request.POST.getlist("supports"),
            into=request.POST.get("into") or None,
            photos=photos,
            stage=request.POST.get("stage", "after"),
        )
        messages.success(request, _("The report is now: %(state)s.") % {"state": state_label(moved)})


@login_required
@require_http_methods(["GET", "POST"])
def report_page(request: HttpRequest, tracking: str) -> HttpResponse:
    user = signed_in_user(request)
    try:
        complaint = complaint_get_for_actor(user=user, tracking=tracking)
    except NotFound:
        raise Http404 from None
    status = 200
    if request.method == "POST":
        asked = _confirmation(request, user, complaint)
        if asked is not None:
            return asked
        try:
            _act(request, user, tracking)
            return redirect("web:report", tracking=tracking)
        except DomainError as exc:
            flash_refusal(request, exc)
            status = exc.status
        complaint = complaint_get_for_actor(user=user, tracking=tracking)
    detail = complaint_detail(complaint, user)
    handling = complaint_handles(complaint_roles(user=user, complaint=complaint))
    definition = complaint.workflow.parsed
    # The report's place as this reader may see it: a follower's detail holds only the point rounded to ~100 m.
    place = detail["location"] or {}
    place_map = (
        city_map([], pin=(place.get("lat"), place.get("lon")), kelurahan=detail["kelurahan"] or "")
        if place or detail["kelurahan"]
        else None
    )
    return render(
        request,
        "web/complaint.html",
        {
            "complaint": complaint,
            "detail": detail,
            "agencies": _complaint_agencies(),
            "actions": _ordered_actions(detail["actions"], definition, complaint.state),
            "live_room": user.kind == User.STAFF and is_live_room(user),
            "can_rate": complaint.reporter_id == user.pk
            and complaint_rating(complaint) is None
            and complaint_handling_finished(complaint),
            # A follower (theirs was merged into this report) reads its status; the conversation is the reporter's.
            "can_write": complaint.state_category not in TERMINAL and not detail["follower"],
            # Staff handling the report may keep internal notes (never shown to the reporter) and ask other agencies.
            "can_note": handling,
            "map": place_map,
            **_coordination(complaint, user, handling),
        },
        status=status,
    )


def _destructive(definition: Definition, action: str, state: str) -> bool:
    transition = definition.find(action=action, state=state)
    return transition is not None and definition.destructive(transition)


def _ordered_actions(actions: list[dict[str, Any]], definition: Definition, state: str) -> list[dict[str, Any]]:
    """The report's moves with `destructive` marked: the ones that take it forward first, those that end it against
    its purpose (reject, merge) last, shown as the lesser button and confirmed before they act."""
    marked = [{**a, "destructive": _destructive(definition, a["action"], state)} for a in actions]
    return sorted(marked, key=lambda a: a["destructive"])


def _confirmation(request: HttpRequest, user: User, complaint: Complaint) -> HttpResponse | None:
    """The "are you sure?" page before a move that ends the report (reject, merge), for one this person may make
    now and has filled in (a merge names the report to keep); None when the move may go ahead."""
    if request.POST.get("intent", "") in ("message", "rating", "emergency"):
        return None
    definition = complaint.workflow.parsed
    transition = definition.find(action=request.POST.get("action", ""), state=complaint.state)
    roles = complaint_roles(user=user, complaint=complaint)
    if transition is None or not roles & transition.roles:
        return None  # the service's refusal says why
    if transition.action == "merge" and not request.POST.get("into", "").strip():
        return None  # complaint_transition names the missing report to keep
    return transition_confirmation(
        request,
        definition=definition,
        state=complaint.state,
        what=_("Report %(tracking)s") % {"tracking": complaint.tracking},
        back_url=reverse("web:report", args=[complaint.tracking]),
    )


def _coordination(complaint: Complaint, user: User, handling: bool) -> dict[str, object]:
    """The report's coordination requests and the "ask another agency" form, for the agency holding it (the Live
    Room's operating agency while it holds the report)."""
    if not handling or user.kind != User.STAFF:
        return {}
    holder = complaint.agency or Agency.objects.filter(role=Agency.OPERATOR).order_by("id").first()
    if holder is None or holder.pk not in agency_ids_of(user):
        return {}
    return {
        "code": holder.code,
        "tracking": complaint.tracking,
        "coordination": [
            coordination_summary(r) for r in coordination_of_parent(kind="complaint", parent_id=complaint.pk)
        ],
        "ask": ask_form(holder.pk),
    }


@login_required
def report_photo(request: HttpRequest, tracking: str, upload_id: str) -> FileResponse:
    user = signed_in_user(request)
    try:
        complaint = complaint_get_for_actor(user=user, tracking=tracking)
        photo = complaint_photo_get(user=user, complaint=complaint, upload_id=upload_id)
    except NotFound:
        raise Http404 from None
    return upload_response(photo.upload, f"{complaint.tracking}-{photo.stage}")


def public_reports(request: HttpRequest) -> HttpResponse:
    try:
        page = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page = 1
    items, next_page = public_complaints(page=page, per_page=100)
    shown = [public_item(c) for c in items]
    return render(
        request,
        "web/complaints_public.html",
        {
            "items": shown,
            "page": page,
            "next_page": next_page,
            "map": city_map([(i["lat"], i["lon"], i["tracking"], i["public_status"]) for i in shown]),
        },
    )


@login_required
def live_room(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    if not is_live_room(user):
        refuse(page=_("The Live Room"), roles=[StaffRole.OPERATOR, StaffRole.PLATFORM_ADMIN])
    try:
        page = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page = 1
    queue = triage_queue(page=page)
    return render(request, "web/liveroom.html", {"queue": queue})


@login_required
@require_http_methods(["GET", "POST"])
def live_room_routing(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    if not is_live_room(user):
        refuse(page=_("The Live Room"), roles=[StaffRole.OPERATOR, StaffRole.PLATFORM_ADMIN])
    status = 200
    if request.method == "POST":
        try:
            intent = request.POST.get("intent")
            if intent == "default":
                services.category_set_default_agency(
                    actor=user, code=request.POST.get("category", ""), agency=request.POST.get("agency", "")
                )
            elif intent == "delete":
                services.routing_rule_delete(actor=user, rule_id=int(request.POST.get("rule", "0") or 0))
            else:
                services.routing_rule_save(
                    actor=user,
                    category=request.POST.get("category", ""),
                    region=request.POST.get("region", ""),
                    agency=request.POST.get("agency", ""),
                )
            messages.success(request, _("Saved."))
            return redirect("web:liveroom-routing")
        except DomainError as exc:
            flash_refusal(request, exc)
            status = exc.status
    return render(
        request,
        "web/liveroom_routing.html",
        {
            "categories": list(categories_active()),
            "rules": list(
                RoutingRule.objects.select_related("category", "region", "agency").order_by("category__position")
            ),
            "agencies": _complaint_agencies(),
            "kelurahan": _kelurahan_choices(),
            "kecamatan": list(
                Region.objects.filter(parent_id=settings.KOTALIVE_REGION_CODE, level=region_codes.KECAMATAN).order_by(
                    "name"
                )
            ),
        },
        status=status,
    )


@login_required
def agency_complaints(request: HttpRequest, code: str) -> HttpResponse:
    user = staff_user(request)
    agency = agency_get(code=code)
    if agency is None:
        raise Http404
    if not user.staff_roles.filter(agency=agency).exists():
        refuse(page=_("The reports of %(agency)s") % {"agency": agency.code}, agency=agency)
    try:
        page = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page = 1
    return render(
        request,
        "web/agency_complaints.html",
        {
            "agency": agency,
            "queue": agency_complaint_inbox(agency=agency, page=page),
            "supporting": agency_supporting(agency=agency),
        },
    )
