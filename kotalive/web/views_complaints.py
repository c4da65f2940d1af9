"""Complaint pages (LAKSA): a citizen files and follows reports; the Live Room triages, disposes and verifies; agencies
work their inbox; anyone sees the public list and map. Thin: each view calls one service or selector."""

import functools
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
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
from kotalive.core.models import Upload
from kotalive.core.uploads import sniff_kind, upload_check, upload_create, upload_response
from kotalive.regions import codes as region_codes
from kotalive.regions.models import Region
from kotalive.web.access import refuse, signed_in_user, staff_user
from kotalive.web.confirm import confirmation_page, confirmed, destructive_last, transition_confirmation
from kotalive.web.feedback import error_sentence, posted_int, refusal_sentences, summary_items
from kotalive.web.views_coordination import ask_form
from kotalive.workflow.definitions import TERMINAL
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


def _photo_problems(files: list[UploadedFile]) -> list[str]:
    """Why the chosen photos cannot be taken, one sentence per photo, storing nothing (core.uploads.upload_check)."""
    if len(files) > services.MAX_PHOTOS:
        return [_("Choose at most %(n)d photos.") % {"n": services.MAX_PHOTOS}]
    found = []
    for f in files:
        stream = f.open("rb")
        kind = sniff_kind(stream.read(16))
        stream.seek(0)
        if kind not in (Upload.JPEG, Upload.PNG):  # a report's photo is a photo: a PDF is refused here too
            found.append(
                _("The photo %(name)s is not a JPEG or PNG photo (checked by its content).") % {"name": f.name}
            )
            continue
        try:
            upload_check(stream=stream, size=f.size or 0)
        except ValidationFailed as exc:
            found += [
                _("The photo %(name)s %(reason)s.") % {"name": f.name or "", "reason": reason}
                for reasons in exc.errors.values()
                for reason in reasons
            ]
    return found


def _stored_photos(user: User, files: list[UploadedFile]) -> list[str]:
    if len(files) > services.MAX_PHOTOS:
        raise ValidationFailed({"photos": [_("at most %(n)d photos") % {"n": services.MAX_PHOTOS}]})
    return [str(upload_create(actor=user, stream=f.open("rb"), name=f.name or "", size=f.size or 0).pk) for f in files]


def _number(value: str, field: str) -> float | None:
    value = value.strip().replace(",", ".")
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        raise ValidationFailed({field: [_("must be a number")]}) from None
    if number != number or number in (float("inf"), float("-inf")):  # NaN and infinities are no place
        raise ValidationFailed({field: [_("must be a number")]})
    return number


# Where each of the report form's fields is, for the error summary's links.
REPORT_ANCHORS = {
    "kind": "kind",
    "category": "category",
    "title": "title",
    "description": "description",
    "location": "lat",
    "lat": "lat",
    "lon": "lon",
    "kelurahan": "kelurahan",
    "address": "address",
    "photos": "photos",
}


def _form_position(key: str) -> int:
    order = list(REPORT_ANCHORS)
    return order.index(key) if key in order else -1  # a refusal of the whole report comes first


def _report_sentence(key: str, reason: str) -> str:
    """A refusal of the report form as a sentence that names the field as the form shows it."""
    reason = str(reason).strip()
    specific = {
        ("kind", None): _("Choose what kind of report this is."),
        ("category", None): _("Choose the category that fits the problem."),
        ("title", _("must be 5 to 150 characters")): _("Give the report a title of 5 to 150 characters."),
        ("description", _("must be 10 to 5000 characters")): _(
            "Describe what happened, and since when, in 10 to 5000 characters."
        ),
        ("address", _("must be at most 300 characters")): _("Keep the address or landmark to 300 characters."),
        ("location", _("needs both lat and lon")): _("Give both the latitude and the longitude, or neither."),
        ("location", _("is outside the city")): _(
            "The map pin is outside the city: move it into the city, or clear the latitude and longitude."
        ),
        ("location", _("give a map pin, a kelurahan or an address")): _(
            "Say where the problem is: place a pin on the map, choose a kelurahan or type an address."
        ),
        ("lat", _("must be a number")): _("Enter the latitude as a number, for example -6.178."),
        ("lon", _("must be a number")): _("Enter the longitude as a number, for example 106.632."),
    }
    sentence = specific.get((key, reason)) or specific.get((key, None))
    if sentence is not None:
        return str(sentence)
    if key == "description":
        return _("The description of what happened %(reason)s.") % {"reason": reason}
    return error_sentence(key, reason)


def _report_problems(
    values: dict[str, Any], files: list[UploadedFile]
) -> tuple[float | None, float | None, dict[str, list[str]]]:
    """Every problem of one submit of the report form at once, by field, each a sentence: the coordinates, the
    photos (checked, none stored) and the service's own checks."""
    errors: dict[str, list[str]] = {}
    point: dict[str, float | None] = {}
    for name in ("lat", "lon"):
        try:
            point[name] = _number(str(values[name]), name)
        except ValidationFailed as exc:
            point[name] = None
            errors[name] = [_report_sentence(name, r) for r in exc.errors[name]]
    photo_problems = _photo_problems(files)
    if photo_problems:
        errors["photos"] = photo_problems
    try:
        services.complaint_submission_check(
            kind=values["kind"],
            category=values["category"],
            title=values["title"],
            description=values["description"],
            lat=point["lat"],
            lon=point["lon"],
            kelurahan=values["kelurahan"],
            address=values["address"],
        )
    except ValidationFailed as exc:
        for key, reasons in exc.errors.items():
            if key == "location" and ("lat" in errors or "lon" in errors):
                continue  # the coordinate that is no number says it already
            errors.setdefault(key, []).extend(_report_sentence(key, r) for r in reasons)
    return point["lat"], point["lon"], errors


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
        files = request.FILES.getlist("photos")
        values["had_photos"] = bool(files)
        lat, lon, errors = _report_problems(values, files)
        # The photos are stored only once every answer is right and nothing else refuses the report (a double tap,
        # a rate limit): a refused submit leaves no file behind, so the citizen chooses them again.
        if not errors:
            try:
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
                    photo_files=[services.PhotoFile(f.open("rb"), f.name or "", f.size or 0) for f in files],
                )
                messages.success(
                    request, _("Report sent. Its number is %(tracking)s.") % {"tracking": complaint.tracking}
                )
                return redirect("web:report", tracking=complaint.tracking)
            except ValidationFailed as exc:
                errors = {}  # a photo refused on the way in (the check above saw it whole) is the photos field's
                for key, reasons in exc.errors.items():
                    field = "photos" if key == "file" else key
                    errors.setdefault(field, []).extend(_report_sentence(field, r) for r in reasons)
                status = exc.status
            except DomainError as exc:
                errors, status = {"": [error_sentence("", str(exc.message))]}, exc.status
        else:
            status = 422
    return render(
        request,
        "web/complaint_new.html",
        {
            "values": values,
            "errors": errors,
            # In the form's order, each line linking to its field.
            "problems": [
                {"href": f"#{REPORT_ANCHORS.get(key, 'kind')}", "text": text}
                for key, texts in sorted(errors.items(), key=lambda item: _form_position(item[0]))
                for text in texts
            ],
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
        score = posted_int(request, "score")
        services.complaint_rate(actor=user, tracking=tracking, score=score, comment=request.POST.get("comment", ""))
        messages.success(request, _("Thank you for rating the handling of your report."))
    elif intent == "emergency":
        services.complaint_flag_emergency(actor=user, tracking=tracking, note=request.POST.get("reason", ""))
        messages.success(request, _("Handover to 112 recorded."))
    else:
        move = functools.partial(
            services.complaint_transition,
            actor=user,
            tracking=tracking,
            action=request.POST.get("action", ""),
            version=posted_int(request, "version"),
            reason=request.POST.get("reason", ""),
            agency=request.POST.get("agency") or None,
            supports=request.POST.getlist("supports"),
            into=request.POST.get("into") or None,
            stage=request.POST.get("stage", "after"),
        )
        files = request.FILES.getlist("photos")
        refused = _photo_problems(files)
        if refused:
            # Every problem of the move at once: it is tried without the photos and undone, so the other fields'
            # refusals (a missing reason, say) join the photos'. Nothing is stored or moved.
            with transaction.atomic():
                try:
                    move(photos=None)
                except ValidationFailed as exc:
                    raise ValidationFailed({**exc.errors, "photos": refused}) from None
                transaction.set_rollback(True)
            raise ValidationFailed({"photos": refused})
        moved = move(photos=_stored_photos(user, files))
        messages.success(request, _("The report is now: %(state)s.") % {"state": state_label(moved)})


def _move_anchors(request: HttpRequest) -> dict[str, str]:
    """Where each field of the form just sent sits on the report page (the error summary links there)."""
    intent, action = request.POST.get("intent", ""), request.POST.get("action", "")
    if intent == "message":
        return {"body": "body"}
    if intent == "rating":
        return {"score": "rating-score", "comment": "comment"}
    if intent == "emergency":
        return {"reason": "emergency-note", "note": "emergency-note"}
    return {
        "reason": f"reason-{action}",
        "agency": f"agency-{action}",
        "photos": f"photos-{action}",
        "file": f"photos-{action}",
        "stage": f"stage-{action}",
        "supports": "supports",
        "into": "into",
    }


@login_required
@require_http_methods(["GET", "POST"])
def report_page(request: HttpRequest, tracking: str) -> HttpResponse:
    user = signed_in_user(request)
    try:
        complaint = complaint_get_for_actor(user=user, tracking=tracking)
    except NotFound:
        raise Http404 from None
    status = 200
    problems: list[dict[str, str]] = []
    move: dict[str, Any] = {}  # the move refused: its action, its fields' sentences, its typed text
    if request.method == "POST":
        asked = _confirmation(request, user, complaint)
        if asked is not None:
            return asked
        try:
            _act(request, user, tracking)
            return redirect("web:report", tracking=tracking)
        except DomainError as exc:
            action = request.POST.get("action", "")
            # The work done on the report is asked as "What was done" on its forms, not as a reason.
            labels = {"reason": str(_("What was done"))} if action in ("update", "resolve") else {}
            sentences = refusal_sentences(exc, labels)
            problems = summary_items(sentences, _move_anchors(request), "main")
            # Beside each field of the form that was sent, its sentences; and what was typed, kept.
            errors: dict[str, list[str]] = {}
            for key, text in sentences:
                errors.setdefault("photos" if key == "file" else key, []).append(text)
            move = {"action": action, "errors": errors, "reason": request.POST.get("reason", "")}
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
            "actions": destructive_last(detail["actions"], definition=definition, state=complaint.state),
            "live_room": user.kind == User.STAFF and is_live_room(user),
            "can_rate": complaint.reporter_id == user.pk
            and complaint_rating(complaint) is None
            and complaint_handling_finished(complaint),
            # A follower (theirs was merged into this report) reads its status; the conversation is the reporter's.
            "can_write": complaint.state_category not in TERMINAL and not detail["follower"],
            # Staff handling the report may keep internal notes (never shown to the reporter) and ask other agencies.
            "can_note": handling,
            "map": place_map,
            "problems": problems,
            "move": move,
            **_coordination(complaint, user, handling),
        },
        status=status,
    )


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
    problems: list[dict[str, str]] = []
    if request.method == "POST":
        try:
            intent = request.POST.get("intent")
            if intent == "default":
                services.category_set_default_agency(
                    actor=user, code=request.POST.get("category", ""), agency=request.POST.get("agency", "")
                )
            elif intent == "delete":
                rule_id = posted_int(request, "rule")
                asked = _rule_delete_confirmation(request, rule_id)
                if asked is not None:
                    return asked
                services.routing_rule_delete(actor=user, rule_id=rule_id)
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
            # The summary at the top names each problem; a new rule's fields link to their own select.
            anchors = {"category": "rule-category", "region": "rule-region", "agency": "rule-agency"}
            problems = summary_items(refusal_sentences(exc), anchors, "main")
            status = exc.status
    return render(
        request,
        "web/liveroom_routing.html",
        {
            "problems": problems,
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


def _rule_delete_confirmation(request: HttpRequest, rule_id: int) -> HttpResponse | None:
    """The "are you sure?" page before a routing rule is removed, naming the rule; None once confirmed, or when
    there is no such rule (the service's refusal says so)."""
    if confirmed(request):
        return None
    rule = RoutingRule.objects.select_related("category", "region", "agency").filter(pk=rule_id).first()
    if rule is None:
        return None
    return confirmation_page(
        request,
        title=_("Remove the routing rule: are you sure?"),
        consequence=_(
            "Reports of “%(category)s” in %(region)s will no longer go to %(agency)s but to the category's default "
            "agency, from the next report. To route them again, add the rule anew."
        )
        % {"category": category_name(rule.category), "region": rule.region.name, "agency": rule.agency.code},
        confirm_label=_("Yes: remove the rule"),
        back_url=reverse("web:liveroom-routing"),
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
