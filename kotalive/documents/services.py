"""Writes for output documents: issue (in the transaction that completes the subject), sign (the worker), revoke
(the issuing agency), and the anonymous verification counts.

Issuing only records what the document states and who holds it; the worker renders, seals and signs it moments
later (`documents_sign_due`), so a slow or unavailable signing service never holds an officer's approval, and a
worker that dies mid-way leaves the document pending for the next pass.
"""

import datetime as dt
import hashlib
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from kotalive.agencies.models import Agency
from kotalive.core.audit import audit_record
from kotalive.core.errors import ValidationFailed
from kotalive.core.masking import mask_name
from kotalive.documents.keys import private_key, seal_key
from kotalive.documents.models import Document, VerificationDay
from kotalive.documents.seal import seal
from kotalive.documents.selectors import pdf_check, status_of
from kotalive.events.audience import Audience
from kotalive.events.services import outbox_write
from kotalive.regions.models import Region

logger = logging.getLogger("kotalive.documents")
BATCH = 10  # documents one pass of the job signs
RETRY_BASE_SECONDS, RETRY_MAX_SECONDS = 10, 3600
# What the apps above want done when a document is signed or revoked (in that transaction): a case refreshes its
# stored applicant view. Filled from their AppConfig.ready(), called with the document.
DOCUMENT_CHANGED_HOOKS: list[Callable[[Document], None]] = []

MONTHS_ID = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)


def date_id(day: dt.date) -> str:
    """5 Desember 2026: dates as an Indonesian document writes them."""
    return f"{day.day} {MONTHS_ID[day.month - 1]} {day.year}"


def verify_url(document_id: Any) -> str:
    return f"{settings.KOTALIVE_PUBLIC_URL}/v/{document_id}"


def document_issue(
    *,
    kind: str,
    title: str,
    agency: Agency,
    holder: Any,
    subject_ref: str,
    subject_name: str,
    rows: list[tuple[str, str]],
    values: dict[str, str],
    number: str,
    is_test: bool = False,
) -> Document:
    """Record a document to be signed (inside the caller's transaction). `rows` are the labelled facts it prints,
    in Indonesian; `values` the same facts by field name, for the template's sentences."""
    today = timezone.localdate()
    region = Region.objects.filter(pk=agency.region_id).values_list("name", flat=True).first() or ""
    return Document.objects.create(
        kind=kind,
        template=kind,
        title=title,
        number=number,
        agency=agency,
        holder=holder,
        subject_ref=subject_ref,
        subject_masked=mask_name(subject_name.upper()),
        facts={"rows": [list(r) for r in rows], "values": values},
        issued_on=today,
        place=region.removeprefix("Kota ").removeprefix("Kabupaten ").title(),
        is_test=is_test,
    )


def document_facts_add(document: Document, rows: list[tuple[str, str]], values: dict[str, str]) -> None:
    """Add facts learnt later in the same transaction (the NIK the registry gave a newborn)."""
    if document.state != Document.PENDING:
        raise ValueError("a signed document never changes")
    document.facts = {
        "rows": document.facts["rows"] + [list(r) for r in rows],
        "values": {**document.facts["values"], **values},
    }
    document.save(update_fields=["facts"])


def claims(document: Document, content_sha256: bytes) -> dict[str, Any]:
    return {
        "id": str(document.pk),
        "n": document.number,
        "t": document.kind,
        "a": document.agency.code,
        "d": document.issued_on.isoformat(),
        "s": document.subject_masked,
        "h": content_sha256,
    }


def _context(document: Document, official_name: str, official_position: str) -> dict[str, Any]:
    region = Region.objects.filter(pk=document.agency.region_id).values_list("name", flat=True).first() or ""
    return {
        "document": document,
        "rows": document.facts.get("rows", []),
        "values": document.facts.get("values", {}),
        "region_name": region,
        "agency_name": document.agency.name,
        "platform": settings.KOTALIVE_PLATFORM_NAME,
        "public_url": settings.KOTALIVE_PUBLIC_URL,
        "issued_on": date_id(document.issued_on),
        "official_name": official_name,
        "official_position": official_position,
        "verify_url": verify_url(document.pk),
        "offline_url": f"{settings.KOTALIVE_PUBLIC_URL}/v/offline",
    }


def _template(document: Document) -> str:
    from django.template import TemplateDoesNotExist  # noqa: PLC0415
    from django.template.loader import get_template  # noqa: PLC0415

    try:
        get_template(f"documents/pdf/{document.template}.html")
    except TemplateDoesNotExist:
        return "generic"
    return document.template


def document_sign(document: Document) -> Document:
    """Render, seal and sign one pending document (the worker; no lock held while the signing service works)."""
    # WeasyPrint and pyHanko load here, in the worker: a web process never renders or signs, and importing them
    # costs about 1.5 s and 40 MB per process.
    from kotalive.documents.keys import pdf_key_for  # noqa: PLC0415
    from kotalive.documents.render import render_pdf, stamp_qr  # noqa: PLC0415
    from kotalive.documents.signing import signing_service  # noqa: PLC0415

    official = pdf_key_for(document.agency)
    content = render_pdf(_template(document), _context(document, official.official_name, official.official_position))
    content_hash = hashlib.sha256(content).digest()
    key = seal_key()
    text = seal(claims(document, content_hash), key=private_key(key), kid=key.kid)  # type: ignore[arg-type]
    qr_text = f"{verify_url(document.pk)}#{text.replace('%', '%25').replace(' ', '%20')}"
    stamped = stamp_qr(content, qr_text)
    signed = signing_service().sign(stamped, agency=document.agency, reason=f"{document.title} {document.number}")
    with transaction.atomic():
        current = Document.objects.select_for_update().get(pk=document.pk)
        if current.state != Document.PENDING:  # another worker finished it first: keep theirs
            return current
        current.file.save(f"{document.pk}.pdf", ContentFile(signed.pdf), save=False)
        current.content_sha256 = content_hash.hex()
        current.sha256 = hashlib.sha256(signed.pdf).hexdigest()
        current.seal = qr_text
        current.seal_key = key
        current.signed_by = signed.signer
        current.signed_at = timezone.now()
        current.state = Document.SIGNED
        current.last_error = ""
        current.save()
        _document_event(current, "signed", sha256=current.sha256)
        for hook in DOCUMENT_CHANGED_HOOKS:
            hook(current)
    return current


def _document_event(document: Document, what: str, **extra: Any) -> None:
    """The event `document.<what>` (the document row locked by the caller), for the agency and the holder."""
    outbox_write(
        event=f"document.{what}",
        subject=f"document:{document.pk}",
        agency=document.agency.code,
        test=document.is_test,
        data={
            "document_id": str(document.pk),
            "kind": document.kind,
            "number": document.number,
            "subject": document.subject_ref,
            **extra,
        },
        audience=Audience(people=frozenset({document.holder_id})),
    )


def documents_sign_due(limit: int = BATCH) -> int:
    """Sign the pending documents whose turn has come; a failure is retried later with a growing pause."""
    now = timezone.now()
    due = list(
        Document.objects.filter(state=Document.PENDING, next_attempt_at__lte=now)
        .select_related("agency")
        .order_by("next_attempt_at")[:limit]
    )
    done = 0
    for document in due:
        try:
            document_sign(document)
            done += 1
        except Exception as error:  # noqa: BLE001 (any failure: this document waits, the others go on)
            attempts = document.attempts + 1
            pause = min(RETRY_BASE_SECONDS * 2 ** (attempts - 1), RETRY_MAX_SECONDS)
            Document.objects.filter(pk=document.pk, state=Document.PENDING).update(
                attempts=attempts,
                next_attempt_at=timezone.now() + dt.timedelta(seconds=pause),
                last_error=str(error)[:300],
            )
            logger.warning("document %s not signed (attempt %d): %s", document.pk, attempts, error)
    return done


def document_revoke(*, actor: Any, document: Document, reason: str, note: str = "") -> Document:
    """Revoke a signed document for one of the known reasons (the caller checked the actor may)."""
    if reason not in Document.REVOCATION_REASONS:
        raise ValidationFailed({"reason": [_("Choose why the document is revoked.")]})
    if len(note) > 500:
        raise ValidationFailed({"note": [_("The note is longer than 500 characters.")]})
    with transaction.atomic():
        current = Document.objects.select_for_update().get(pk=document.pk)
        if current.revoked_at is not None:
            raise ValidationFailed({"document": [_("This document was revoked already.")]})
        current.revoked_at = timezone.now()
        current.revocation_reason = reason
        current.revocation_note = note.strip()
        current.save(update_fields=["revoked_at", "revocation_reason", "revocation_note"])
        _document_event(current, "revoked", reason=reason, revoked_at=current.revoked_at.isoformat())
        audit_record(
            actor=actor, action="document.revoked", obj=current, data={"number": current.number, "reason": reason}
        )
        for hook in DOCUMENT_CHANGED_HOOKS:  # the case's stored view says revoked, without a download
            hook(current)
    return current


def verification_count(*, kind: str, via: str, status: str) -> None:
    """One more verification of a document of `kind` (nothing about who asked is kept)."""
    day = timezone.localdate()
    updated = VerificationDay.objects.filter(day=day, kind=kind, via=via, status=status).update(count=F("count") + 1)
    if updated:
        return
    try:
        with transaction.atomic():
            VerificationDay.objects.create(day=day, kind=kind, via=via, status=status, count=1)
    except IntegrityError:  # created by a parallel request since: count on it
        VerificationDay.objects.filter(day=day, kind=kind, via=via, status=status).update(count=F("count") + 1)


def verify_upload(document: Document | None, data: bytes) -> dict[str, Any]:
    """Check an uploaded file against the issued document (the API and the page): refused unless it is a PDF within
    the size limit, naming the field; the check is counted, by its answer, without who asked."""
    limit = settings.KOTALIVE_VERIFY_UPLOAD_MAX_BYTES
    if not data:
        raise ValidationFailed({"file": [_("Choose the PDF file to check.")]})
    if len(data) > limit:
        raise ValidationFailed({"file": [_("The file is larger than %(mb)d MB.") % {"mb": limit // (1024 * 1024)}]})
    if not data.startswith(b"%PDF-"):
        raise ValidationFailed({"file": [_("The file is not a PDF document.")]})
    checked = pdf_check(document, data)
    status = status_of(document)
    counted = "mismatch" if status == "valid" and not checked["matches_issued"] else status
    verification_count(kind=document.kind if document else "", via="upload", status=counted)
    return checked
