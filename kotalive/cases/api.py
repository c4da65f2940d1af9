from datetime import date, datetime
from typing import Any

from django.http import FileResponse, HttpRequest
from ninja import File, Router, Schema, Status, UploadedFile

from kotalive.accounts.models import User
from kotalive.agencies.selectors import agency_get, user_staff_roles
from kotalive.cases import services
from kotalive.cases.models import Case
from kotalive.cases.selectors import (
    agency_inbox,
    case_actions,
    case_documents,
    case_get_for_actor,
    case_is_rated,
    case_is_staff_view,
    case_output,
    case_timeline,
    cases_of_citizen,
    public_status,
)
from kotalive.cases.uploads import upload_create
from kotalive.catalogue.models import localised
from kotalive.core.api import AUTH_ERRORS, COMMON_ERRORS, BearerToken, ErrorOut, actor
from kotalive.core.calendar import local_date
from kotalive.core.errors import NotFound

router = Router(tags=["applications"], auth=BearerToken())
WITH_404 = {404: ErrorOut, **AUTH_ERRORS, **COMMON_ERRORS}


class UploadOut(Schema):
    id: str
    kind: str
    size: int


class CaseIn(Schema):
    service: str
    subject: str = "self"
    data: dict[str, Any]
    documents: dict[str, str] = {}


class TransitionIn(Schema):
    action: str
    version: int
    reason: str = ""
    requirements: list[str] = []  # with request_revision: which requirements are wrong


class MessageIn(Schema):
    body: str
    internal: bool = False


class DocumentIn(Schema):
    requirement: str
    upload: str


class AssignIn(Schema):
    assignee: str | None = None  # a username of the agency's staff; null unassigns


class RatingIn(Schema):
    scores: list[int]
    comment: str = ""


class ActionOut(Schema):
    action: str
    label: str
    reason_required: bool


class TimelineOut(Schema):
    at: datetime
    kind: str
    action: str
    from_state: str
    to_state: str
    actor: str
    actor_role: str
    text: str
    data: dict[str, Any]


class DocumentOut(Schema):
    requirement: str
    upload: str
    kind: str
    size: int
    url: str


class OutputOut(Schema):
    number: str
    issued_on: date
    issued_by: str


class CaseSummaryOut(Schema):
    tracking: str
    service: str
    service_name: str
    agency: str
    subject_name: str
    state: str
    state_category: str
    public_status: str
    submitted_at: datetime
    due_date: date | None
    due_at: datetime | None
    sla_status: str
    version: int
    assignee: str | None


class CaseOut(CaseSummaryOut):
    service_version: int
    data: dict[str, Any]
    prefilled: dict[str, Any]
    documents: list[DocumentOut]
    timeline: list[TimelineOut]
    actions: list[ActionOut]
    output: OutputOut | None
    rated: bool


class InboxOut(Schema):
    items: list[CaseSummaryOut]
    page: int
    pages: int
    total: int
    counts: dict[str, int]


def _summary(case: Case) -> dict[str, Any]:
    return {
        "tracking": case.tracking,
        "service": case.service.code,
        "service_name": case.service_version.name,
        "agency": case.agency.code,
        "subject_name": case.subject_name,
        "state": case.state,
        "state_category": case.state_category,
        "public_status": public_status(case),
        "submitted_at": case.submitted_at,
        "due_at": case.due_at,
        "due_date": local_date(case.due_at) if case.due_at else None,
        "sla_status": case.sla_status,
        "version": case.version,
        "assignee": case.assignee.username if case.assignee else None,
    }


def _detail(case: Case, user: User) -> dict[str, Any]:
    staff_view = case_is_staff_view(user=user, case=case)
    output = case_output(case)
    return {
        **_summary(case),
        "service_version": case.service_version.version,
        "data": case.data,
        "prefilled": case.prefilled,
        "documents": [
            {
                "requirement": d.requirement,
                "upload": str(d.upload_id),
                "kind": d.upload.kind,
                "size": d.upload.size,
                "url": f"/api/v1/cases/{case.tracking}/documents/{d.upload_id}",
            }
            for d in case_documents(case=case)
        ],
        "timeline": [vars(entry) for entry in case_timeline(case=case, staff_view=staff_view)],
        "actions": [
            {"action": t.action, "label": localised(t.label) or t.action, "reason_required": t.reason_required}
            for t in case_actions(user=user, case=case)
        ],
        "output": {"number": output.number, "issued_on": output.issued_on, "issued_by": output.issued_by.full_name}
        if output
        else None,
        "rated": case_is_rated(case),
    }


def _reload(user: User, tracking: str) -> dict[str, Any]:
    return _detail(case_get_for_actor(user=user, tracking=tracking), user)


@router.post("/uploads", response={201: UploadOut, **AUTH_ERRORS, **COMMON_ERRORS}, summary="Upload a document")
def upload(request: HttpRequest, file: File[UploadedFile]) -> Status[UploadOut]:
    """A PDF, JPEG or PNG (checked by content) to attach to an application by its `id`."""
    stored = upload_create(actor=actor(request), stream=file.open("rb"), name=file.name or "", size=file.size or 0)
    return Status(201, UploadOut(id=str(stored.pk), kind=stored.kind, size=stored.size))


@router.post(
    "/cases", response={201: CaseOut, 409: ErrorOut, **AUTH_ERRORS, **COMMON_ERRORS}, summary="Apply for a service"
)
def submit(request: HttpRequest, payload: CaseIn) -> Status[dict[str, Any]]:
    user = actor(request)
    case = services.case_submit(
        actor=user,
        service_code=payload.service,
        subject=payload.subject,
        data=payload.data,
        documents=payload.documents,
    )
    return Status(201, _reload(user, case.tracking))


@router.get("/cases", response={200: list[CaseSummaryOut], **AUTH_ERRORS}, summary="My applications")
def my_cases(request: HttpRequest) -> list[dict[str, Any]]:
    return [_summary(c) for c in cases_of_citizen(user=actor(request))[:200]]


@router.get("/cases/{tracking}", response={200: CaseOut, **WITH_404}, summary="One application")
def get_case(request: HttpRequest, tracking: str) -> dict[str, Any]:
    """State, public status (menunggu/proses/selesai), due date, SLA status, version, timeline, and the actions
    the caller may take now."""
    return _reload(actor(request), tracking)


@router.post(
    "/cases/{tracking}/transitions",
    response={200: CaseOut, 409: ErrorOut, **WITH_404},
    summary="Take a workflow action",
)
def take_action(request: HttpRequest, tracking: str, payload: TransitionIn) -> dict[str, Any]:
    """`version` must be the case's current version (409 otherwise, naming the current one)."""
    user = actor(request)
    services.case_transition(
        actor=user,
        tracking=tracking,
        action=payload.action,
        version=payload.version,
        reason=payload.reason,
        requirements=payload.requirements,
    )
    return _reload(user, tracking)


@router.post("/cases/{tracking}/messages", response={201: CaseOut, **WITH_404}, summary="Post a message")
def post_message(request: HttpRequest, tracking: str, payload: MessageIn) -> Status[dict[str, Any]]:
    user = actor(request)
    services.case_message_post(actor=user, tracking=tracking, body=payload.body, internal=payload.internal)
    return Status(201, _reload(user, tracking))


@router.post("/cases/{tracking}/documents", response={201: CaseOut, **WITH_404}, summary="Give a document")
def add_document(request: HttpRequest, tracking: str, payload: DocumentIn) -> Status[dict[str, Any]]:
    user = actor(request)
    services.case_document_replace(
        actor=user, tracking=tracking, requirement=payload.requirement, upload_id=payload.upload
    )
    return Status(201, _reload(user, tracking))


@router.get("/cases/{tracking}/documents/{upload_id}", response={200: None, **WITH_404}, summary="Download a document")
def download_document(request: HttpRequest, tracking: str, upload_id: str) -> FileResponse:
    """Served only to those who may see the case, never from a public URL."""
    case = case_get_for_actor(user=actor(request), tracking=tracking)
    document = next((d for d in case_documents(case=case) if str(d.upload_id) == upload_id), None)
    if document is None:
        raise NotFound("document not found", code="not_found")
    content_type = {"pdf": "application/pdf", "jpeg": "image/jpeg", "png": "image/png"}[document.upload.kind]
    response = FileResponse(document.upload.file.open("rb"), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{document.requirement}.{document.upload.kind}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@router.post("/cases/{tracking}/assign", response={200: CaseOut, **WITH_404}, summary="Claim or assign")
def assign(request: HttpRequest, tracking: str, payload: AssignIn) -> dict[str, Any]:
    user = actor(request)
    services.case_assign(actor=user, tracking=tracking, assignee_username=payload.assignee)
    return _reload(user, tracking)


@router.post(
    "/cases/{tracking}/rating",
    response={201: CaseOut, 409: ErrorOut, **WITH_404},
    summary="Rate a completed service (IKM U1-U9)",
)
def rate(request: HttpRequest, tracking: str, payload: RatingIn) -> Status[dict[str, Any]]:
    user = actor(request)
    services.case_rate(actor=user, tracking=tracking, scores=payload.scores, comment=payload.comment)
    return Status(201, _reload(user, tracking))


@router.get("/agency/cases", response={200: InboxOut, **WITH_404}, summary="The agency's inbox")
def inbox(
    request: HttpRequest,
    agency: str | None = None,
    state: str | None = None,
    sla: str | None = None,
    assigned: str | None = None,
    service: str | None = None,
    page: int = 1,
) -> dict[str, Any]:
    """Open cases of the caller's agency (or `agency` when they serve several), soonest due first, 25 a page.
    `assigned`: me, unassigned or all."""
    user = actor(request)
    codes = [r.agency.code for r in user_staff_roles(user=user) if r.agency is not None]
    chosen = agency_get(code=agency) if agency else (agency_get(code=codes[0]) if codes else None)
    if chosen is None:
        raise NotFound("agency not found", code="not_found")
    result = agency_inbox(user=user, agency=chosen, service=service, state=state, sla=sla, assigned=assigned, page=page)
    return {
        "items": [_summary(c) for c in result.cases],
        "page": result.page,
        "pages": result.pages,
        "total": result.total,
        "counts": result.counts,
    }
