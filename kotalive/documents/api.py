"""Output documents: public verification (no sign-in), the holder's list, revocation by the issuing agency."""

from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Router, Schema, UploadedFile

from kotalive.agencies.auth import BearerToken, actor
from kotalive.agencies.models import StaffRole
from kotalive.agencies.selectors import user_roles_in
from kotalive.core.api import AUTH_ERRORS, COMMON_ERRORS, ErrorOut
from kotalive.core.errors import NotFound, PermissionDenied
from kotalive.documents.selectors import document_get, documents_of, public_view, status_of
from kotalive.documents.services import document_revoke, verification_count, verify_upload, verify_url

router = Router(tags=["documents"])
REVOKERS = {StaffRole.HEAD, StaffRole.APPROVER, StaffRole.AGENCY_ADMIN}


class PublicDocumentOut(Schema):
    id: str
    type: str  # the document type (the service code)
    title: str
    number: str
    agency: str
    agency_name: str
    issued_on: date
    subject: str  # the holder's name, masked
    signed_by: str | None
    sha256: str | None  # of the signed file as issued


class VerificationOut(Schema):
    status: str  # valid | revoked | pending (issued, being signed) | unknown
    document: PublicDocumentOut | None
    revoked_at: datetime | None
    revocation_reason: str | None  # error | superseded | court_order | fraud


class FileCheckOut(Schema):
    matches_issued: bool  # the file is byte for byte the one issued
    signature: str  # valid (intact, covers the whole file, chains to the platform's CA) | invalid | absent
    signer: str | None


class UploadVerificationOut(VerificationOut):
    file: FileCheckOut


class RevocationIn(Schema):
    reason: str = ""  # error | superseded | court_order | fraud
    note: str = ""  # internal: never shown publicly


class MyDocumentOut(Schema):
    id: str
    type: str
    title: str
    number: str
    agency: str
    issued_on: date
    subject: str  # what it was issued for (a tracking number)
    state: str  # pending | signed | revoked
    verification_url: str
    download: str | None  # the PDF through its application, once signed


@router.get(
    "/documents/{document_id}/verification",
    response={200: VerificationOut, **COMMON_ERRORS},
    auth=None,
    summary="Verify a document",
)
def verification(request: HttpRequest, document_id: str) -> dict[str, Any]:
    """Anyone, no sign-in: is the document with this id valid, revoked, or unknown? Discloses its type, number,
    agency, date and the holder's masked name, nothing else."""
    document = document_get(document_id)
    verification_count(kind=document.kind if document else "", via="api", status=status_of(document))
    return public_view(document)


@router.post(
    "/documents/{document_id}/verification",
    response={200: UploadVerificationOut, **COMMON_ERRORS},
    auth=None,
    summary="Check a PDF against the issued document",
)
def verification_of_file(request: HttpRequest, document_id: str, file: File[UploadedFile]) -> dict[str, Any]:
    """Upload a PDF (multipart field `file`): is it the file issued under this id, and does its signature hold?"""
    limit = settings.KOTALIVE_VERIFY_UPLOAD_MAX_BYTES
    document = document_get(document_id)
    checked = verify_upload(document, file.read(limit + 1))
    return {**public_view(document), "file": checked}


@router.post(
    "/documents/{document_id}/revocation",
    response={200: VerificationOut, 404: ErrorOut, **AUTH_ERRORS, **COMMON_ERRORS},
    auth=BearerToken(),
    summary="Revoke a document",
)
def revoke(request: HttpRequest, document_id: str, payload: RevocationIn) -> dict[str, Any]:
    """The issuing agency's head, approver or administrator revokes a document, with a reason (audited). From then
    on verification answers `revoked`, with the date and the reason."""
    user = actor(request)
    document = document_get(document_id)
    if document is None:
        raise NotFound(_("No document has this id."), code="not_found")
    if not user_roles_in(user=user, agency=document.agency) & REVOKERS:
        raise PermissionDenied(_("Only the issuing agency's head, approver or administrator revokes its documents."))
    return public_view(document_revoke(actor=user, document=document, reason=payload.reason, note=payload.note))


@router.get(
    "/me/documents", response={200: list[MyDocumentOut], **AUTH_ERRORS}, auth=BearerToken(), summary="My documents"
)
def my_documents(request: HttpRequest) -> list[dict[str, Any]]:
    """The documents issued to me, newest first (at most 200)."""
    return [
        {
            "id": str(d.pk),
            "type": d.kind,
            "title": d.title,
            "number": d.number,
            "agency": d.agency.code,
            "issued_on": d.issued_on,
            "subject": d.subject_ref,
            "state": "revoked" if d.revoked_at else d.state,
            "verification_url": verify_url(d.pk),
            "download": f"/api/v1/cases/{d.subject_ref}/output/document"
            if d.state == "signed" and d.revoked_at is None
            else None,
        }
        for d in documents_of(actor(request))[:200]
    ]
