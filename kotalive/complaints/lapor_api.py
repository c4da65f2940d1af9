"""/api/v1/lapor/*: what SP4N-LAPOR! sends to the city: reports filed nationally for this city, and replies (the
national admin's notes, the reporter's follow-ups) on reports.

Only the LAPOR! client calls here: a `klk_` key with the `lapor` scope, of a client of the platform operator agency
(complaints.lapor.lapor_client_check). Anyone else is refused (403) before any LAPOR! id is looked at, with the same
answer whatever id they send."""

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from kotalive.agencies.auth import BearerToken, actor
from kotalive.complaints import services
from kotalive.complaints.lapor import lapor_client_check
from kotalive.complaints.models import Complaint
from kotalive.complaints.selectors import category_get, complaint_from_lapor
from kotalive.core.api import AUTH_ERRORS, COMMON_ERRORS, ErrorOut
from kotalive.core.errors import ValidationFailed

router = Router(tags=["SP4N-LAPOR! bridge"], auth=BearerToken())


class ReporterIn(Schema):
    name: str = ""
    email: str = ""
    phone: str = ""


class LaporReportIn(Schema):
    lapor_id: str
    kind: str = "complaint"
    category: str = "other"
    title: str
    content: str
    kelurahan: str = ""
    address: str = ""
    lat: float | None = None
    lon: float | None = None
    anonymous: bool = False
    confidential: bool = False
    reporter: ReporterIn = ReporterIn()


class LaporReplyIn(Schema):
    lapor_id: str
    body: str


class LaporReportOut(Schema):
    tracking: str
    created: bool


@router.post(
    "/lapor/reports",
    response={201: LaporReportOut, 200: LaporReportOut, **AUTH_ERRORS, **COMMON_ERRORS},
    summary="A report from SP4N-LAPOR!",
)
def lapor_report(request: HttpRequest, payload: LaporReportIn) -> Status[dict[str, Any]]:
    """Files the report in the Live Room's triage queue. Sending the same `lapor_id` again returns the first
    report (200) and changes nothing. Only the LAPOR! client (403 otherwise, whatever the id)."""
    user = actor(request)
    lapor_client_check(actor=user)
    if not payload.lapor_id.strip():
        raise ValidationFailed({"lapor_id": [_("is required")]})
    existing = complaint_from_lapor(lapor_id=payload.lapor_id, source=Complaint.LAPOR)
    if existing is not None:
        return Status(200, {"tracking": existing.tracking, "created": False})
    category = payload.category if category_get(code=payload.category) else "other"
    complaint = services.complaint_submit(
        actor=user,
        kind=payload.kind,
        category=category,
        title=payload.title,
        description=payload.content,
        lat=payload.lat,
        lon=payload.lon,
        kelurahan=payload.kelurahan,
        address=payload.address or ("-" if payload.lat is None and not payload.kelurahan else ""),
        anonymous=payload.anonymous,
        confidential=payload.confidential,
        source=Complaint.LAPOR,
        contact=payload.reporter.dict() if any(payload.reporter.dict().values()) else None,
        lapor_id=payload.lapor_id.strip(),
    )
    return Status(201, {"tracking": complaint.tracking, "created": True})


@router.post(
    "/lapor/replies",
    response={201: LaporReportOut, 404: ErrorOut, **AUTH_ERRORS, **COMMON_ERRORS},
    summary="A reply from SP4N-LAPOR!",
)
def lapor_reply(request: HttpRequest, payload: LaporReplyIn) -> Status[dict[str, Any]]:
    """A note from the national system on a report it knows (by its LAPOR! id): shown on the report's timeline. Only
    the LAPOR! client (403 otherwise, whatever the id); an id it does not know is 404."""
    complaint = services.complaint_lapor_reply(actor=actor(request), lapor_id=payload.lapor_id, body=payload.body)
    return Status(201, {"tracking": complaint.tracking, "created": False})
