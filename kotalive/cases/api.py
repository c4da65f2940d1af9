import json
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.http import FileResponse, HttpRequest, HttpResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Schema, Status, UploadedFile

from kotalive.accounts.models import User
from kotalive.agencies.auth import BearerToken, actor, staff_actor
from kotalive.agencies.selectors import agency_get, user_staff_roles
from kotalive.cases import services
from kotalive.cases.documents import document_response
from kotalive.cases.presenters import case_detail, case_summary
from kotalive.cases.selectors import (
    agency_inbox,
    case_document_get,
    case_get_for_actor,
    case_output,
    cases_of_citizen,
)
from kotalive.cases.snapshots import case_snapshot_for_applicant
from kotalive.core.api import AUTH_ERRORS, COMMON_ERRORS, MAX_PAGE, ErrorOut
from kotalive.core.errors import NotFound
from kotalive.core.uploads import upload_create, upload_response
from kotalive.documents.selectors import document_file_response

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


class OutputIn(Schema):
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
    issued_at: datetime
    issued_by: str
    document_id: str | None = None  # the signed document's id: GET /documents/{id}/verification, /v/{id}
    document_state: str | None = None  # pending (being signed) | signed | revoked; None: no document KotaLIVE signs
    verification_url: str | None = None  # the public verification page the document's QR opens
    document: str | None = None  # download path of the output document (the signed PDF, or the agency's file)


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
    sla_status: str | None  # null for an application refused or withdrawn: no verdict on a service not delivered
    state_due_at: datetime | None  # the current state's own deadline, when its workflow gives one
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


def _reload(user: User, tracking: str) -> dict[str, Any]:
    return case_detail(case_get_for_actor(user=user, tracking=tracking), user)


@router.post("/uploads", response={201: UploadOut, **AUTH_ERRORS, **COMMON_ERRORS}, summary="Upload a document")
def upload(request: HttpRequest, file: File[UploadedFile]) -> Status[UploadOut]:
    """A PDF, JPEG or PNG (checked by content) to attach to an application by its `id`."""
    stored = upload_create(actor=actor(request), stream=file.open("rb"), name=file.name or "", size=file.size or 0)
    return Status(201, UploadOut(id=str(stored.pk), kind=stored.kind, size=stored.size))


@router.post(
    "/cases", response={201: CaseOut, 409: ErrorOut, **AUTH_ERRORS, **COMMON_ERRORS}, summary="Apply for a service"
)
def submit(request: HttpRequest, payload: CaseIn) -> Status[dict[str, Any]] | HttpResponse:
    user = actor(request)
    case = services.case_submit(
        actor=user,
        service_code=payload.service,
        subject=payload.subject,
        data=payload.data,
        documents=payload.documents,
    )
    # The view the transaction just stored, as it was stored (dates as the field's encoder writes them).
    stored = case.snapshot.get(get_language()) or case.snapshot.get(settings.LANGUAGE_CODE)
    return HttpResponse(json.dumps(stored, cls=DjangoJSONEncoder), status=201, content_type="application/json")


@router.get("/cases", response={200: list[CaseSummaryOut], **AUTH_ERRORS}, summary="My applications")
def my_cases(request: HttpRequest) -> list[dict[str, Any]]:
    return [case_summary(c) for c in cases_of_citizen(user=actor(request))[:200]]


@router.get("/cases/{tracking}", response={200: CaseOut, **WITH_404}, summary="One application")
def get_case(request: HttpRequest, tracking: str) -> dict[str, Any] | HttpResponse:
    """State, public status (menunggu/proses/selesai, or ditolak/dibatalkan for an application refused or
    withdrawn), due date, SLA status (null for those), version, timeline, and the actions the caller may take now."""
    user = actor(request)
    if user.kind == User.CITIZEN:
        stored = case_snapshot_for_applicant(user_id=user.pk, tracking=tracking, language=get_language())
        if stored is not None:  # the applicant's view, kept current by every change (docs/adr/0006)
            return HttpResponse(stored, content_type="application/json")
    return _reload(user, tracking)


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
    return document_response(case_document_get(case=case, upload_id=upload_id))


@router.post("/cases/{tracking}/output", response={200: CaseOut, **WITH_404}, summary="Attach the output document")
def attach_output(request: HttpRequest, tracking: str, payload: OutputIn) -> dict[str, Any]:
    """The agency (an officer or its system) attaches the document a completed case produced (an upload id from
    POST /uploads); the applicant downloads it from `output.document`."""
    user = actor(request)
    services.case_output_attach(actor=user, tracking=tracking, upload_id=payload.upload)
    return _reload(user, tracking)


@router.get(
    "/cases/{tracking}/output/document", response={200: None, 409: ErrorOut, **WITH_404}, summary="Download the output"
)
def download_output(request: HttpRequest, tracking: str) -> FileResponse:
    """The signed PDF (or the file the agency attached), served only to those who may see the case. While the
    document is being signed: 409 `document_pending`; once revoked by the agency: 409 `document_revoked`."""
    case = case_get_for_actor(user=actor(request), tracking=tracking)
    output = case_output(case)
    name = f"{case.service.code}-{output.number.replace('/', '-')}" if output else ""
    if output is not None and output.signed_document is not None:
        return document_file_response(output.signed_document, name)
    if output is None or output.document is None:
        raise NotFound(_("This application has no output document."), code="not_found")
    return upload_response(output.document, name)


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
    page: int = Query(1, ge=1, le=MAX_PAGE),
) -> dict[str, Any]:
    """Open cases of the caller's agency (or `agency` when they serve several), soonest due first, 25 a page.
    `assigned`: me, unassigned or all. Staff only: a citizen is refused (403 `staff_only`)."""
    user = staff_actor(request)
    codes = [r.agency.code for r in user_staff_roles(user=user) if r.agency is not None]
    chosen = agency_get(code=agency) if agency else (agency_get(code=codes[0]) if codes else None)
    if chosen is None:
        raise NotFound("agency not found", code="not_found")
    result = agency_inbox(user=user, agency=chosen, service=service, state=state, sla=sla, assigned=assigned, page=page)
    return {
        "items": [case_summary(c) for c in result.cases],
        "page": result.page,
        "pages": result.pages,
        "total": result.total,
        "counts": result.counts,
    }
