"""/api/v1/complaints: file and follow reports (citizens), triage and dispose (Live Room), handle (agencies and their
systems), the public feed and the categories."""

import json
from datetime import datetime
from typing import Any

from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.http import FileResponse, HttpRequest, HttpResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Schema, Status

from kotalive.accounts.models import User
from kotalive.agencies.auth import BearerToken, actor, staff_actor
from kotalive.agencies.selectors import agency_get, user_staff_roles
from kotalive.complaints import services
from kotalive.complaints.presenters import category_item, complaint_detail, complaint_summary, public_item
from kotalive.complaints.selectors import (
    agency_complaint_inbox,
    agency_supporting,
    categories_active,
    complaint_get_for_actor,
    complaint_photo_get,
    complaints_of_citizen,
    is_live_room,
    public_complaints,
    triage_queue,
)
from kotalive.core.api import AUTH_ERRORS, COMMON_ERRORS, MAX_PAGE, ErrorOut
from kotalive.core.errors import NotFound, PermissionDenied
from kotalive.core.uploads import upload_response

router = Router(tags=["complaints"], auth=BearerToken())
PUBLIC_FEED_SECONDS = 10  # how stale the public feed may be; it holds no personal data
public_router = Router(tags=["complaints"])
WITH_404 = {404: ErrorOut, **AUTH_ERRORS, **COMMON_ERRORS}


class LocationIn(Schema):
    lat: float
    lon: float


class ComplaintIn(Schema):
    kind: str = "complaint"
    category: str
    title: str
    description: str
    location: LocationIn | None = None
    kelurahan: str = ""
    address: str = ""
    anonymous: bool = False
    confidential: bool = False
    photos: list[str] = []  # upload ids from POST /api/v1/uploads (JPEG or PNG)


# The schemas' names are the OpenAPI document's component names, one namespace for the whole API: the cases API has a
# TransitionIn, RatingIn and ActionOut of its own, so these carry the Complaint prefix (otherwise one would stand for
# both in the document, and the document would lie about the other).
class ComplaintTransitionIn(Schema):
    action: str
    version: int
    reason: str = ""
    agency: str | None = None  # dispose: the agency; hand_off: the next agency (none: back to the Live Room)
    supports: list[str] = []  # dispose: agencies that help the lead
    into: str | None = None  # merge: the report that stays
    photos: list[str] = []  # update, resolve: before/after photos (upload ids)
    stage: str = "after"  # before | after


class MessageIn(Schema):
    body: str
    internal: bool = False  # an internal note: those handling the report only, never shown to the reporter


class ComplaintRatingIn(Schema):
    score: int
    comment: str = ""


class EmergencyIn(Schema):
    reason: str


class CategoryOut(Schema):
    code: str
    name: str
    group: str
    default_agency: str
    attributes: list[dict[str, Any]]


class LocationOut(Schema):
    lat: float
    lon: float


class PhotoOut(Schema):
    id: str
    stage: str
    kind: str
    url: str


class AgencyTimeOut(Schema):
    agency: str
    agency_name: str
    role: str
    received_at: datetime
    accepted_at: datetime | None
    left_at: datetime | None
    outcome: str
    reason: str
    seconds: int


class StepOut(Schema):
    at: datetime
    action: str
    label: str
    from_state: str
    to_state: str
    actor: str
    actor_role: str
    text: str
    data: dict[str, Any]


class ComplaintActionOut(Schema):
    action: str
    label: str
    reason_required: bool
    agency: str  # whether the action names an agency: required (dispose) | optional (hand_off) | no


class DuplicateOut(Schema):
    tracking: str
    title: str
    metres: int
    state: str


class ComplaintSummaryOut(Schema):
    tracking: str
    kind: str
    category: str
    category_name: str
    title: str | None  # null for a report the caller follows (theirs was merged into it)
    kelurahan_name: str | None
    state: str
    state_label: str
    public_status: str
    agency: str | None
    emergency: bool
    anonymous: bool
    submitted_at: datetime
    due_at: datetime | None
    sla_status: str
    version: int
    follower: bool  # the caller follows this report (theirs was merged into it) and sees only its public facts


class ComplaintOut(Schema):
    """A report as the caller may see it. A follower (`follower` true: a citizen whose own report was merged into this
    one) sees what the public sees plus the status and the steps by role: `title`, `description` and `address` are
    null, `location` is rounded to about 100 m, `photos`, `time_at_agencies` and `actions` are empty, and the
    timeline has no text, no message and no names."""

    tracking: str
    kind: str
    category: str
    category_name: str
    title: str | None  # null for a follower
    description: str | None  # null for a follower
    location: LocationOut | None
    kelurahan: str | None
    kelurahan_name: str | None
    address: str | None  # null for a follower
    anonymous: bool
    confidential: bool
    emergency: bool
    reporter: str | None  # null when the caller may not know who filed it
    source: str
    state: str
    state_label: str
    public_status: str
    agency: str | None
    agency_name: str | None
    version: int
    submitted_at: datetime
    updated_at: datetime
    due_at: datetime | None
    sla_status: str
    confirm_by: datetime | None
    merged_into: str | None
    rating: int | None
    photos: list[PhotoOut]
    time_at_agencies: list[AgencyTimeOut]
    timeline: list[StepOut]
    actions: list[ComplaintActionOut]
    routing_suggestion: str | None
    duplicates: list[DuplicateOut]
    follower: bool


class QueueOut(Schema):
    items: list[ComplaintSummaryOut]
    supporting: list[ComplaintSummaryOut]
    page: int
    pages: int
    total: int


class PublicItemOut(Schema):
    tracking: str
    kind: str
    category: str
    category_name: str
    kelurahan: str | None
    kelurahan_name: str | None
    public_status: str
    agency: str | None
    submitted_at: datetime
    updated_at: datetime
    closed_at: datetime | None
    lat: float | None
    lon: float | None


class PublicOut(Schema):
    items: list[PublicItemOut]
    next_page: int | None


def _detail(user: User, tracking: str) -> dict[str, Any]:
    return complaint_detail(complaint_get_for_actor(user=user, tracking=tracking), user)


@public_router.get("/complaints/categories", response={200: list[CategoryOut]}, summary="Complaint categories")
def categories(request: HttpRequest) -> list[dict[str, Any]]:
    return [category_item(c) for c in categories_active()]


@public_router.get("/complaints/public", response={200: PublicOut, **COMMON_ERRORS}, summary="Public feed of reports")
def public_feed(request: HttpRequest, page: int = Query(1, ge=1, le=MAX_PAGE)) -> HttpResponse:
    """Non-confidential reports, newest first, 50 a page: category, kelurahan, public status (menunggu / proses /
    selesai), dates and a location rounded to about 100 m. No title, text, address, photo or person. A page is the
    same for everyone, so each web process keeps it for PUBLIC_FEED_SECONDS."""
    key = f"complaints-public:{get_language()}:{page}"
    body = cache.get(key)
    if body is None:
        items, next_page = public_complaints(page=page)
        feed = {"items": [public_item(c) for c in items], "next_page": next_page or None}
        body = json.dumps(feed, cls=DjangoJSONEncoder)
        cache.set(key, body, PUBLIC_FEED_SECONDS)
    return HttpResponse(body, content_type="application/json")


@router.post(
    "/complaints",
    response={201: ComplaintOut, **AUTH_ERRORS, **COMMON_ERRORS},
    summary="File a complaint or aspiration",
)
def submit(request: HttpRequest, payload: ComplaintIn) -> Status[dict[str, Any]]:
    """Without a `kelurahan`, the report gets the kelurahan that holds its `location` (the routing rules by kelurahan
    and kecamatan then apply). A `kelurahan` more than 100 m from the `location` is refused (422, field
    `kelurahan`, naming the kelurahan the location is in)."""
    user = actor(request)
    complaint = services.complaint_submit(
        actor=user,
        kind=payload.kind,
        category=payload.category,
        title=payload.title,
        description=payload.description,
        lat=payload.location.lat if payload.location else None,
        lon=payload.location.lon if payload.location else None,
        kelurahan=payload.kelurahan,
        address=payload.address,
        anonymous=payload.anonymous,
        confidential=payload.confidential,
        photos=payload.photos,
    )
    return Status(201, complaint_detail(complaint, user))  # the report as the submission holds it: no reload


@router.get("/complaints", response={200: list[ComplaintSummaryOut], **AUTH_ERRORS}, summary="My reports")
def mine(request: HttpRequest) -> list[dict[str, Any]]:
    """Reports I filed, and those I follow because mine was merged into them (`follower` true, no `title`)."""
    user = actor(request)
    return [complaint_summary(c, user) for c in complaints_of_citizen(user=user)[:200]]


@router.get("/complaints/{tracking}", response={200: ComplaintOut, **WITH_404}, summary="One report")
def get_complaint(
    request: HttpRequest,
    # A tracking number's shape: the fixed paths beside it (/complaints/categories, /complaints/public) are no report.
    tracking: str = Path(..., pattern=r"^[A-Z0-9]+-[0-9]{8}-[0-9]+$"),
) -> dict[str, Any]:
    """State, public status, agency, version, timeline (with the time spent at each agency in `time_at_agencies`
    and in the hand-off steps' `seconds_at_agency`) and the actions the caller may take now. A follower (a citizen
    whose own report was merged into this one) gets only the public facts, the status and the steps by role
    (`follower` true; see ComplaintOut)."""
    return _detail(actor(request), tracking)


@router.post(
    "/complaints/{tracking}/transitions",
    response={200: ComplaintOut, 409: ErrorOut, **WITH_404},
    summary="Take an action on a report",
)
def take_action(request: HttpRequest, tracking: str, payload: ComplaintTransitionIn) -> dict[str, Any]:
    """Actions: dispose (Live Room, to `agency`, optional `supports`), return_to_reporter, reject, merge (`into`),
    accept (agency), hand_off (agency: to `agency`, or without one back to the Live Room), update, resolve,
    return_to_agency and verify_completion (Live Room), resubmit, confirm and reopen (reporter). `version` must be
    the report's current version (409 otherwise)."""
    user = actor(request)
    services.complaint_transition(
        actor=user,
        tracking=tracking,
        action=payload.action,
        version=payload.version,
        reason=payload.reason,
        agency=payload.agency,
        supports=payload.supports,
        into=payload.into,
        photos=payload.photos,
        stage=payload.stage,
    )
    return _detail(user, tracking)


@router.post("/complaints/{tracking}/messages", response={201: ComplaintOut, **WITH_404}, summary="Post a message")
def post_message(request: HttpRequest, tracking: str, payload: MessageIn) -> Status[dict[str, Any]]:
    user = actor(request)
    services.complaint_message_post(actor=user, tracking=tracking, body=payload.body, internal=payload.internal)
    return Status(201, _detail(user, tracking))


@router.post(
    "/complaints/{tracking}/rating",
    response={201: ComplaintOut, 409: ErrorOut, **WITH_404},
    summary="Rate the handling",
)
def rate(request: HttpRequest, tracking: str, payload: ComplaintRatingIn) -> Status[dict[str, Any]]:
    user = actor(request)
    services.complaint_rate(actor=user, tracking=tracking, score=payload.score, comment=payload.comment)
    return Status(201, _detail(user, tracking))


@router.post("/complaints/{tracking}/emergency", response={200: ComplaintOut, **WITH_404}, summary="Hand over to 112")
def emergency(request: HttpRequest, tracking: str, payload: EmergencyIn) -> dict[str, Any]:
    """The Live Room records that it handed the report over to the 112 emergency line."""
    user = actor(request)
    services.complaint_flag_emergency(actor=user, tracking=tracking, note=payload.reason)
    return _detail(user, tracking)


@router.get("/complaints/{tracking}/photos/{upload_id}", response={200: None, **WITH_404}, summary="Download a photo")
def photo(request: HttpRequest, tracking: str, upload_id: str) -> FileResponse:
    """Served only to those who may see the report and its photos (not to a follower: 404, as for no such photo)."""
    user = actor(request)
    complaint = complaint_get_for_actor(user=user, tracking=tracking)
    chosen = complaint_photo_get(user=user, complaint=complaint, upload_id=upload_id)
    return upload_response(chosen.upload, f"{complaint.tracking}-{chosen.stage}")


@router.get("/liveroom/triage", response={200: QueueOut, **AUTH_ERRORS, **COMMON_ERRORS}, summary="Triage queue")
def triage(request: HttpRequest, page: int = Query(1, ge=1, le=MAX_PAGE)) -> dict[str, Any]:
    """The Live Room's reports waiting for verification, soonest due first, 25 a page."""
    user = actor(request)
    if not is_live_room(user):
        raise PermissionDenied(_("Only the Live Room sees the triage queue."))
    result = triage_queue(page=page)
    return {
        "items": [complaint_summary(c, user) for c in result.items],
        "supporting": [],
        "page": result.page,
        "pages": result.pages,
        "total": result.total,
    }


@router.get("/agency/complaints", response={200: QueueOut, **WITH_404}, summary="The agency's complaint inbox")
def agency_inbox(
    request: HttpRequest, agency: str | None = None, page: int = Query(1, ge=1, le=MAX_PAGE)
) -> dict[str, Any]:
    """Reports the caller's agency holds (or `agency` when they serve several), soonest due first, 25 a page, and
    those it helps another agency with. Staff only: a citizen is refused (403 `staff_only`)."""
    user = staff_actor(request)
    codes = [r.agency.code for r in user_staff_roles(user=user) if r.agency is not None]
    if agency and agency not in codes:
        raise NotFound("agency not found", code="not_found")
    chosen = agency_get(code=agency or (codes[0] if codes else ""))
    if chosen is None:
        raise NotFound("agency not found", code="not_found")
    result = agency_complaint_inbox(agency=chosen, page=page)
    return {
        "items": [complaint_summary(c, user) for c in result.items],
        "supporting": [complaint_summary(c, user) for c in agency_supporting(agency=chosen)],
        "page": result.page,
        "pages": result.pages,
        "total": result.total,
    }
