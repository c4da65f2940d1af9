"""Reads of output documents: the holder's own, and what anyone may learn by verifying one (minimal disclosure:
type, number, agency, date, masked name, and whether it stands)."""

import base64
import hashlib
import io
import json
import uuid
from typing import Any

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.db.models import QuerySet
from django.http import FileResponse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kotalive.core.errors import Conflict
from kotalive.documents.keys import private_key, public_x, seal_key
from kotalive.documents.models import Document, SigningKey

VALID, REVOKED, PENDING, UNKNOWN = "valid", "revoked", "pending", "unknown"


def document_get(document_id: str) -> Document | None:
    """The document with this public id, or None (also for a malformed id: it is simply unknown)."""
    try:
        key = uuid.UUID(str(document_id))
    except ValueError:
        return None
    return Document.objects.select_related("agency").filter(pk=key).first()


def documents_of(user: Any) -> QuerySet[Document]:
    """The documents issued to `user`, newest first."""
    return Document.objects.filter(holder=user).select_related("agency").order_by("-issued_at")


def document_of(user: Any, document_id: str) -> Document | None:
    document = document_get(document_id)
    return document if document is not None and document.holder_id == user.pk else None


def status_of(document: Document | None) -> str:
    if document is None:
        return UNKNOWN
    if document.revoked_at is not None:
        return REVOKED
    return VALID if document.state == Document.SIGNED else PENDING


def public_view(document: Document | None) -> dict[str, Any]:
    """What verification discloses: nothing about the holder but the masked name, no NIK, no address."""
    status = status_of(document)
    if document is None:
        return {"status": status, "document": None, "revoked_at": None, "revocation_reason": None}
    return {
        "status": status,
        "document": {
            "id": str(document.pk),
            "type": document.kind,
            "title": document.title,
            "number": document.number,
            "agency": document.agency.code,
            "agency_name": document.agency.name,
            "issued_on": document.issued_on,
            "subject": document.subject_masked,
            "signed_by": document.signed_by or None,
            "sha256": document.sha256 or None,
        },
        "revoked_at": document.revoked_at,
        "revocation_reason": document.revocation_reason or None,
    }


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def key_set() -> dict[str, Any]:
    """The seal keys as a JWK set, retired ones included until they expire, and the certificates of the issuing CA
    (`x5c`) that the PDF signatures chain to. Creates the first seal key when there is none."""
    seal_key()
    now = timezone.now()
    keys = []
    # Every seal key stays listed for good: a document keeps verifying long after its key stopped sealing.
    for row in SigningKey.objects.filter(purpose=SigningKey.SEAL).order_by("valid_from"):
        keys.append(
            {
                "kty": "OKP",
                "crv": "Ed25519",
                "x": public_x(row),
                "kid": row.kid,
                "alg": "EdDSA",
                "use": "sig",
                "nbf": int(row.valid_from.timestamp()),  # seals made from ...
                "exp": int(row.valid_until.timestamp()),  # ... until (documents sealed then verify for good)
                "retired": int(row.retired_at.timestamp()) if row.retired_at else None,
            }
        )
    for row in SigningKey.objects.filter(purpose=SigningKey.CA).order_by("valid_from"):
        certificate = x509.load_pem_x509_certificate(row.certificate.encode())
        public = certificate.public_key().public_numbers()  # type: ignore[union-attr]
        keys.append(
            {
                "kty": "EC",
                "crv": "P-256",
                "x": _b64url(public.x.to_bytes(32, "big")),  # type: ignore[union-attr]
                "y": _b64url(public.y.to_bytes(32, "big")),  # type: ignore[union-attr]
                "kid": row.kid,
                "use": "sig",
                "key_ops": ["verify"],
                "x5c": [base64.b64encode(certificate.public_bytes(serialization.Encoding.DER)).decode()],
                "nbf": int(row.valid_from.timestamp()),
                "exp": int(row.valid_until.timestamp()),
            }
        )
    return {"keys": keys, "issued_at": int(now.timestamp())}


def revocation_list() -> str:
    """Every revoked document as a JWS (compact serialisation, EdDSA) signed with the current seal key, timestamped
    (`iat`), so the offline verifier can trust it and tell how old it is."""
    key = seal_key()
    revoked = Document.objects.filter(revoked_at__isnull=False).order_by("revoked_at")
    payload = {
        "iat": int(timezone.now().timestamp()),
        "revoked": [
            {"id": str(pk), "at": int(at.timestamp()), "reason": reason}
            for pk, at, reason in revoked.values_list("pk", "revoked_at", "revocation_reason")
            if at is not None
        ],
    }
    header = {"alg": "EdDSA", "kid": key.kid, "typ": "kotalive-revocations+jwt"}
    signing_input = (
        f"{_b64url(json.dumps(header).encode())}.{_b64url(json.dumps(payload, separators=(',', ':')).encode())}"
    )
    signature = private_key(key).sign(signing_input.encode())  # type: ignore[call-arg]
    return f"{signing_input}.{_b64url(signature)}"


def pdf_check(document: Document | None, data: bytes) -> dict[str, Any]:
    """Is `data` the issued file, and does its PDF signature hold and chain to the platform's CA?"""
    # pyHanko loads on the first upload only: most web processes never need it.
    from pyhanko.pdf_utils.reader import PdfFileReader  # noqa: PLC0415
    from pyhanko.sign.validation import validate_pdf_signature  # noqa: PLC0415
    from pyhanko_certvalidator import ValidationContext  # noqa: PLC0415

    matches = document is not None and bool(document.sha256) and hashlib.sha256(data).hexdigest() == document.sha256
    roots = [
        asn1_x509.Certificate.load(
            x509.load_pem_x509_certificate(pem.encode()).public_bytes(serialization.Encoding.DER)
        )
        for pem in SigningKey.objects.filter(purpose=SigningKey.CA).values_list("certificate", flat=True)
    ]
    signature, signer = "absent", None
    try:
        signatures = PdfFileReader(io.BytesIO(data), strict=False).embedded_signatures
        if signatures:
            status = validate_pdf_signature(signatures[-1], ValidationContext(trust_roots=roots))
            signature = (
                "valid"
                if status.bottom_line and status.coverage is not None and status.coverage.name == "ENTIRE_FILE"
                else "invalid"
            )
            signer = status.signing_cert.subject.native.get("common_name") if status.signing_cert else None
    except Exception:  # a damaged or hostile file: whatever pyHanko raised, the signature does not hold
        signature = "invalid"
    return {"matches_issued": matches, "signature": signature, "signer": signer}


def document_file_response(document: Document, name: str) -> FileResponse:
    """The signed PDF as a download called `name`.pdf (the caller checked who asks)."""
    if document.revoked_at is not None:
        raise Conflict(
            _("This document was revoked on %(date)s and can no longer be downloaded.")
            % {"date": date_format(document.revoked_at, "DATE_FORMAT")},
            code="document_revoked",
        )
    if document.state != Document.SIGNED:
        raise Conflict(_("The document is being signed. Try again in a moment."), code="document_pending")
    response = FileResponse(document.file.open("rb"), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    return response
