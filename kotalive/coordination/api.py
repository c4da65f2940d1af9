"""Coordination between agencies over the API: officers with a token and agency systems with their keys
(`coordination:read` / `coordination:write`) ask, answer and list (docs/api.md)."""

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from kotalive.agencies.auth import BearerToken, actor, staff_actor
from kotalive.coordination import announcements, services
from kotalive.coordination.models import CooperationAgreement
from kotalive.coordination.presenters import coordination_detail, coordination_summary
from kotalive.coordination.selectors import (
    INCOMING,
    OUTGOING,
    coordination_get_for_actor,
    coordination_inbox,
    staff_agency_for,
)
from kotalive.core.api import AUTH_ERRORS, COMMON_ERRORS, ErrorOut
from kotalive.core.errors import NotFound, ValidationFailed

router = Router(tags=["coordination"], auth=BearerToken())
WITH_404 = {404: ErrorOut, **AUTH_ERRORS, **COMMON_ERRORS}


class RequestIn(Schema):
    parent: str  # the tracking number of the case or report the request is about
    to_agency: str
    kind: str  # verify_document | provide_data | take_action | opinion
    message: str
    due_working_days: int
    blocking: bool = True  # the parent waits (awaiting_agency) until the answer
    attachments: list[str] = []


class TransitionIn(Schema):
    action: str  # accept | answer | ask_back | reply | decline | withdraw
    version: int
    reason: str = ""  # the answer, the question or the reason
    attachments: list[str] = []


class RequestSummaryOut(Schema):
    tracking: str
    kind: str
    parent: str
    parent_kind: str
    from_agency: str
    to_agency: str
    state: str
    state_label: str
    state_category: str
    blocking: bool
    submitted_at: datetime
    due_at: datetime | None
    due_date: date | None
    sla_status: str
    version: int


class RequestOut(RequestSummaryOut):
    message: str
    answer: str
    requested_by: str
    attachments: list[dict[str, Any]]
    timeline: list[dict[str, Any]]
    actions: list[dict[str, Any]]


class AgreementOut(Schema):
    from_agency: str
    to_agency: str
    kinds: list[str]
    max_working_days: int
    basis: str
    active: bool


class AgreementIn(Schema):
    from_agency: str
    to_agency: str
    kinds: list[str]
    max_working_days: int = 10
    basis: str = ""
    active: bool = True


@router.post(
    "/coordination/requests",
    response={201: RequestOut, **AUTH_ERRORS, **COMMON_ERRORS},
    summary="Ask another agency",
)
def create(request: HttpRequest, payload: RequestIn) -> Status[dict[str, Any]]:
    user = actor(request)
    made = services.coordination_request(
        actor=user,
        parent=payload.parent,
        to_agency=payload.to_agency,
        kind=payload.kind,
        message=payload.message,
        due_working_days=payload.due_working_days,
        blocking=payload.blocking,
        attachments=payload.attachments,
    )
    return Status(201, coordination_detail(made, user))


@router.get("/coordination/requests/{tracking}", response={200: RequestOut, **WITH_404}, summary="One request")
def get_request(request: HttpRequest, tracking: str) -> dict[str, Any]:
    user = actor(request)
    return coordination_detail(coordination_get_for_actor(user=user, tracking=tracking), user)


@router.post(
    "/coordination/requests/{tracking}/transitions",
    response={200: RequestOut, 409: ErrorOut, **WITH_404},
    summary="Accept, answer, ask back, reply, decline or withdraw",
)
def move(request: HttpRequest, tracking: str, payload: TransitionIn) -> dict[str, Any]:
    user = actor(request)
    moved = services.coordination_transition(
        actor=user,
        tracking=tracking,
        action=payload.action,
        version=payload.version,
        reason=payload.reason,
        attachments=payload.attachments,
    )
    return coordination_detail(moved, user)


@router.get(
    "/agency/coordination",
    response={200: list[RequestSummaryOut], **WITH_404},
    summary="An agency's coordination inbox",
)
def inbox(
    request: HttpRequest, direction: str = INCOMING, agency: str | None = None, open_only: bool = False
) -> list[dict[str, Any]]:
    """`direction=incoming` (asked of the agency, soonest due first) or `outgoing` (asked by it, newest first);
    `agency`: which of the caller's agencies (their first by default). Staff only: a citizen is refused (403
    `staff_only`)."""
    user = staff_actor(request)
    if direction not in (INCOMING, OUTGOING):
        raise ValidationFailed({"direction": [_("must be incoming or outgoing")]})
    chosen = staff_agency_for(user, agency)
    if chosen is None:
        raise NotFound("agency not found", code="not_found")
    rows = coordination_inbox(agency=chosen, direction=direction, open_only=open_only)[:200]
    return [coordination_summary(r) for r in rows]


@router.get("/coordination/agreements", response={200: list[AgreementOut], **AUTH_ERRORS}, summary="Agreements")
def agreements(request: HttpRequest) -> list[dict[str, Any]]:
    """Which agency may ask which for what (any member of staff may read them; a citizen is refused: 403
    `staff_only`)."""
    staff_actor(request)
    rows = CooperationAgreement.objects.select_related("from_agency", "to_agency")
    return [_agreement(a) for a in rows]


@router.put(
    "/coordination/agreements",
    response={200: AgreementOut, **AUTH_ERRORS, **COMMON_ERRORS},
    summary="Set an agreement (platform operator)",
)
def agreement_put(request: HttpRequest, payload: AgreementIn) -> dict[str, Any]:
    saved = services.agreement_save(actor=actor(request), **payload.dict())
    return _agreement(saved)


def _agreement(a: CooperationAgreement) -> dict[str, Any]:
    return {
        "from_agency": a.from_agency.code,
        "to_agency": a.to_agency.code,
        "kinds": a.kinds,
        "max_working_days": a.max_working_days,
        "basis": a.basis,
        "active": a.active,
    }


class AnnouncementIn(Schema):
    title: str
    body: str
    agencies: list[str] = []  # agency codes; empty: every agency


@router.post("/announcements", response={201: dict[str, Any], **AUTH_ERRORS, **COMMON_ERRORS}, summary="Announce")
def announce(request: HttpRequest, payload: AnnouncementIn) -> Status[dict[str, Any]]:
    """The platform operator writes to all agencies or chosen ones; each agency gets a read receipt."""
    user = actor(request)
    made = announcements.announcement_send(
        actor=user, title=payload.title, body=payload.body, agencies=payload.agencies
    )
    return Status(201, next(a for a in announcements.announcements_for(user) if a["id"] == made.pk))


@router.get("/announcements", response={200: list[dict[str, Any]], **AUTH_ERRORS}, summary="Announcements")
def announcement_list(request: HttpRequest) -> list[dict[str, Any]]:
    """Staff: those sent to their agencies, with their agencies' receipts; the operator: all, with every receipt. A
    citizen is refused (403 `staff_only`)."""
    return announcements.announcements_for(staff_actor(request))


@router.post("/announcements/{announcement_id}/read", response={200: dict[str, int], **WITH_404}, summary="Read")
def announcement_mark_read(request: HttpRequest, announcement_id: int) -> dict[str, int]:
    return {"marked": announcements.announcement_read(actor=actor(request), announcement_id=announcement_id)}
