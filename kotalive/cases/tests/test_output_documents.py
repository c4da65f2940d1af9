"""A completed application's signed document, checked as an outsider would, with tools that are not this project's:
pyHanko for the PAdES signature, pdfium + zxing to read the QR off the rendered page, pycose for its seal, the
published key list for both."""

import base64
import hashlib
import io
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pypdfium2
import pytest
import zxingcpp
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pycose.keys import OKPKey
from pycose.messages import Sign1Message
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from kotalive.accounts.models import User
from kotalive.cases.models import CaseOutput
from kotalive.cases.tests.fixtures import submit_birth_certificate
from kotalive.conftest import bearer_client
from kotalive.core.models import AuditEntry
from kotalive.documents.models import Document, SigningKey, VerificationDay
from kotalive.documents.seal import cose_message
from kotalive.documents.services import documents_sign_due
from kotalive.events.models import OutboxEvent

pytestmark = pytest.mark.django_db


def _complete(citizen: User, officer: User, head: User) -> dict[str, Any]:
    _client, case = submit_birth_certificate(citizen)
    version = case["version"]
    for user, action in [
        (officer, "start_verification"),
        (officer, "verify"),
        (officer, "submit_for_approval"),
        (head, "approve"),
    ]:
        response = bearer_client(user).post(
            f"/api/v1/cases/{case['tracking']}/transitions",
            {"action": action, "version": version},
            content_type="application/json",
        )
        assert response.status_code == 200, response.content
        version = response.json()["version"]
    return dict(response.json())


@pytest.fixture
def completed(warga1: User, verifier: User, personas: dict[str, User]) -> dict[str, Any]:
    return _complete(warga1, verifier, personas["dukcapil.kadis"])


def _pdf(citizen: User, tracking: str) -> bytes:
    response = bearer_client(citizen).get(f"/api/v1/cases/{tracking}/output/document")
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/pdf"
    return b"".join(response.streaming_content)  # type: ignore[attr-defined]


def _roots(keys: dict[str, Any]) -> list[asn1_x509.Certificate]:
    return [asn1_x509.Certificate.load(base64.b64decode(k["x5c"][0])) for k in keys["keys"] if "x5c" in k]


def _qr_text(pdf: bytes) -> str:
    page = pypdfium2.PdfDocument(pdf)[0]
    image = page.render(scale=200 / 72).to_pil()  # no form rendering: the QR is page content
    found = [b for b in zxingcpp.read_barcodes(image) if b.format == zxingcpp.BarcodeFormat.QRCode]
    assert len(found) == 1
    corner = found[0].position.top_left
    assert corner.x < image.width / 3  # in the box the template leaves free: bottom left, clear of the text
    assert corner.y > image.height * 2 / 3
    return str(found[0].text)


def _seal_of(qr: str) -> str:
    return qr.split("#", 1)[1].replace("%20", " ").replace("%25", "%")


def test_a_completed_birth_certificate_is_signed_and_verifiable_by_outside_tools(
    completed: dict[str, Any], warga1: User, personas: dict[str, User]
) -> None:
    tracking = completed["tracking"]
    output = completed["output"]
    assert output["document_id"]
    assert output["number"].startswith("AKTA-KELAHIRAN/")
    assert output["issued_at"]
    assert output["document_state"] == "pending"
    pending = bearer_client(warga1).get(f"/api/v1/cases/{tracking}/output/document")
    assert pending.status_code == 409
    assert pending.json()["code"] == "document_pending"
    assert OutboxEvent.objects.filter(subject=tracking, type="id.kotalive.case.output_issued").exists()

    assert documents_sign_due() == 1
    pdf = _pdf(warga1, tracking)
    keys = Client().get("/.well-known/kotalive-keys.json").json()

    # The PAdES signature holds, covers the whole file and chains to the CA the key list publishes.
    signature = PdfFileReader(io.BytesIO(pdf)).embedded_signatures[0]
    status = validate_pdf_signature(signature, ValidationContext(trust_roots=_roots(keys)))
    assert status.bottom_line
    assert status.intact
    assert status.trusted
    assert status.coverage is not None
    assert status.coverage.name == "ENTIRE_FILE"
    assert status.signing_cert.subject.native["common_name"] == personas["dukcapil.kadis"].full_name  # the head

    # The QR, read off the rendered page, opens the verification page and carries a COSE_Sign1 that pycose verifies.
    qr = _qr_text(pdf)
    assert qr.startswith(f"http://127.0.0.1:8000/v/{output['document_id']}#KL1:")
    message = Sign1Message.decode(cose_message(_seal_of(qr)))
    kid = message.phdr[next(h for h in message.phdr if getattr(h, "identifier", None) == 4)].decode()
    jwk = next(k for k in keys["keys"] if k["kid"] == kid)
    message.key = OKPKey(crv="ED25519", x=base64.urlsafe_b64decode(jwk["x"] + "=="))
    assert message.verify_signature()

    # The claims: no more than the document's public face, and the hash of its first revision.
    import cbor2

    claims = cbor2.loads(message.payload or b"")
    assert set(claims) == {"id", "n", "t", "a", "d", "s", "h"}
    assert claims["id"] == output["document_id"]
    assert claims["n"] == output["number"]
    assert claims["s"] == "BA** SA*****"
    first_revision = pdf[: pdf.index(b"%%EOF") + len(b"%%EOF\n")]
    assert hashlib.sha256(first_revision).digest() == claims["h"]
    nik = Document.objects.get().facts["values"]["nik"]  # the newborn's new NIK is printed, never sealed
    assert nik not in cbor2.dumps(claims).decode("latin-1")
    assert nik not in qr

    answer = Client().get(f"/api/v1/documents/{output['document_id']}/verification").json()
    assert answer["status"] == "valid"
    assert answer["document"]["number"] == output["number"]
    assert answer["document"]["subject"] == "BA** SA*****"
    page = Client(headers={"Accept-Language": "id"}).get(f"/v/{output['document_id']}")
    assert page.status_code == 200
    assert "Sah" in page.content.decode()
    assert bearer_client(warga1).get(f"/api/v1/cases/{tracking}").json()["output"]["document_state"] == "signed"


def test_a_changed_byte_does_not_verify_and_the_issued_file_does(
    completed: dict[str, Any], warga1: User, personas: dict[str, User]
) -> None:
    documents_sign_due()
    pdf = _pdf(warga1, completed["tracking"])
    document_id = completed["output"]["document_id"]
    url = f"/api/v1/documents/{document_id}/verification"

    same = Client().post(url, {"file": SimpleUploadedFile("akta.pdf", pdf)}).json()
    head = personas["dukcapil.kadis"].full_name
    assert same["file"] == {"matches_issued": True, "signature": "valid", "signer": head}

    at = pdf.index(b"KUTIPAN") if b"KUTIPAN" in pdf else len(pdf) // 3
    changed = pdf[:at] + bytes([pdf[at] ^ 0x01]) + pdf[at + 1 :]
    checked = Client().post(url, {"file": SimpleUploadedFile("akta.pdf", changed)}).json()
    assert checked["file"]["matches_issued"] is False
    assert checked["file"]["signature"] == "invalid"

    not_pdf = Client(headers={"Accept-Language": "en"}).post(url, {"file": SimpleUploadedFile("a.pdf", b"GIF89a")})
    assert not_pdf.status_code == 422
    assert not_pdf.json()["errors"] == [{"field": "file", "message": "The file is not a PDF document."}]
    counts = dict(VerificationDay.objects.filter(via="upload").values_list("status", "count"))
    assert counts == {"valid": 1, "mismatch": 1}  # the refused upload counts nothing


def test_revocation_needs_a_reason_and_the_issuing_agency_then_verification_says_revoked(
    completed: dict[str, Any], warga1: User, personas: dict[str, User]
) -> None:
    documents_sign_due()
    document_id = completed["output"]["document_id"]
    url = f"/api/v1/documents/{document_id}/revocation"
    head = bearer_client(personas["dukcapil.kadis"])

    no_reason = head.post(url, {"reason": ""}, content_type="application/json", headers={"Accept-Language": "en"})
    assert no_reason.status_code == 422
    assert no_reason.json()["errors"][0]["field"] == "reason"
    by_citizen = bearer_client(warga1).post(url, {"reason": "error"}, content_type="application/json")
    assert by_citizen.status_code == 403
    assert Document.objects.get(pk=document_id).revoked_at is None

    revoked = head.post(url, {"reason": "error", "note": "typo in the name"}, content_type="application/json")
    assert revoked.status_code == 200, revoked.content
    answer = Client().get(f"/api/v1/documents/{document_id}/verification").json()
    assert answer["status"] == "revoked"
    assert answer["revocation_reason"] == "error"
    assert answer["revoked_at"]
    assert "typo" not in json.dumps(answer)  # the internal note stays inside
    assert AuditEntry.objects.filter(action="document.revoked").count() == 1
    download = bearer_client(warga1).get(f"/api/v1/cases/{completed['tracking']}/output/document")
    assert download.status_code == 409
    assert download.json()["code"] == "document_revoked"

    # The signed revocation list names it, and its signature holds with a published seal key.
    jws = Client().get("/.well-known/kotalive-revocations.jws").content.decode()
    header_b64, payload_b64, signature_b64 = jws.split(".")
    pad = lambda s: s + "=" * (-len(s) % 4)  # noqa: E731
    header = json.loads(base64.urlsafe_b64decode(pad(header_b64)))
    keys = Client().get("/.well-known/kotalive-keys.json").json()["keys"]
    jwk = next(k for k in keys if k["kid"] == header["kid"])
    public = Ed25519PublicKey.from_public_bytes(base64.urlsafe_b64decode(pad(jwk["x"])))
    public.verify(base64.urlsafe_b64decode(pad(signature_b64)), f"{header_b64}.{payload_b64}".encode())
    payload = json.loads(base64.urlsafe_b64decode(pad(payload_b64)))
    assert [r["id"] for r in payload["revoked"]] == [document_id]
    assert payload["iat"] > 0


def test_unknown_and_malformed_ids_are_unknown_and_counted_without_who_asked(reference: None) -> None:
    for document_id in ["5f0c2a4e-8a6b-4d2e-9f57-0d4c1b2a3e4f", "not-a-uuid", "%00"]:
        answer = Client().get(f"/api/v1/documents/{document_id}/verification")
        assert answer.status_code == 200
        assert answer.json()["status"] == "unknown"
    assert Client().get("/v/not-a-uuid").status_code == 200
    assert list(VerificationDay.objects.values_list("kind", "via", "status", "count").order_by("via")) == [
        ("", "api", "unknown", 3),
        ("", "page", "unknown", 1),
    ]


def test_rotating_the_seal_key_keeps_old_documents_verifying(
    warga1: User, warga2: User, verifier: User, personas: dict[str, User]
) -> None:
    from kotalive.documents.keys import keys_rotate

    first = _complete(warga1, verifier, personas["dukcapil.kadis"])
    documents_sign_due()
    old_kid = Document.objects.get(pk=first["output"]["document_id"]).seal_key.kid  # type: ignore[union-attr]
    keys_rotate(actor=None, purpose=SigningKey.SEAL)
    second = _complete(warga2, verifier, personas["dukcapil.kadis"])
    documents_sign_due()
    new_kid = Document.objects.get(pk=second["output"]["document_id"]).seal_key.kid  # type: ignore[union-attr]

    assert new_kid != old_kid
    listed = {k["kid"]: k for k in Client().get("/.well-known/kotalive-keys.json").json()["keys"]}
    assert {old_kid, new_kid} <= set(listed)
    assert listed[old_kid]["retired"]
    assert not listed[new_kid]["retired"]
    for case, citizen in [(first, warga1), (second, warga2)]:
        seal = _seal_of(_qr_text(_pdf(citizen, case["tracking"])))
        message = Sign1Message.decode(cose_message(seal))
        kid = message.phdr[next(h for h in message.phdr if getattr(h, "identifier", None) == 4)].decode()
        message.key = OKPKey(crv="ED25519", x=base64.urlsafe_b64decode(listed[kid]["x"] + "=="))
        assert message.verify_signature()


def test_a_card_service_issues_an_output_without_a_document(
    warga1: User, verifier: User, personas: dict[str, User]
) -> None:
    from kotalive.cases.tests.fixtures import upload

    client = bearer_client(warga1)
    person = warga1.citizen.person
    assert person is not None
    data = {"full_name": person.full_name, "nik": person.nik}
    response = client.post(
        "/api/v1/cases",
        {
            "service": "ktp-hilang",
            "data": data,
            "documents": {"laporan-kehilangan": upload(client), "kk": upload(client)},
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    case = response.json()
    version = case["version"]
    for user, action in [
        (verifier, "start_verification"),
        (verifier, "verify"),
        (verifier, "submit_for_approval"),
        (personas["dukcapil.kadis"], "approve"),
    ]:
        moved = bearer_client(user).post(
            f"/api/v1/cases/{case['tracking']}/transitions",
            {"action": action, "version": version},
            content_type="application/json",
        )
        assert moved.status_code == 200, moved.content
        version = moved.json()["version"]
    output = moved.json()["output"]
    assert output["number"].startswith("KTP-HILANG/")
    assert output["document_id"] is None
    assert CaseOutput.objects.get(case__tracking=case["tracking"]).signed_document is None
    assert not Document.objects.exists()


class _FakeAuthority(BaseHTTPRequestHandler):
    """The certificate authority's signing service: signs what it receives with its own CA, or fails on request."""

    fail = False

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        from cryptography.hazmat.primitives import serialization

        from kotalive.documents.keys import ca_key, pdf_key_for, private_key
        from kotalive.documents.signing import pades_sign

        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.fail or self.headers.get("Authorization") != "Bearer authority-token":
            self.send_response(503)
            self.end_headers()
            return
        from kotalive.agencies.models import Agency

        key = pdf_key_for(Agency.objects.get(code=self.headers["X-Signer"]))
        der = private_key(key).private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        signed = pades_sign(
            body, certificate_pem=key.certificate, key_der=der, chain_pem=[ca_key().certificate], reason="x"
        )
        self.send_response(200)
        self.send_header("Content-Type", "application/pdf")
        self.send_header("X-Signer-Name", "Authority-signed official")
        self.send_header("Content-Length", str(len(signed)))
        self.end_headers()
        self.wfile.write(signed)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def authority() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeAuthority)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/sign"
    server.shutdown()
    server.server_close()
    _FakeAuthority.fail = False


@pytest.mark.django_db(transaction=True)
def test_the_authority_s_signing_service_signs_and_an_outage_leaves_the_document_pending(
    completed: dict[str, Any], warga1: User, authority: str, settings: Any
) -> None:
    settings.KOTALIVE_SIGNING_URL = authority
    settings.KOTALIVE_SIGNING_TOKEN = "authority-token"
    document = Document.objects.get(pk=completed["output"]["document_id"])

    _FakeAuthority.fail = True
    assert documents_sign_due() == 0
    document.refresh_from_db()
    assert document.state == Document.PENDING
    assert document.attempts == 1
    assert "503" in document.last_error
    assert documents_sign_due() == 0  # not due again yet: it waits before the next attempt
    assert Document.objects.get(pk=document.pk).attempts == 1

    _FakeAuthority.fail = False
    Document.objects.filter(pk=document.pk).update(next_attempt_at=document.issued_at)
    assert documents_sign_due() == 1
    document.refresh_from_db()
    assert document.state == Document.SIGNED
    assert document.signed_by == "Authority-signed official"
    pdf = _pdf(warga1, completed["tracking"])
    assert len(PdfFileReader(io.BytesIO(pdf)).embedded_signatures) == 1


def test_the_live_room_counts_issued_documents_and_verifications_per_type(
    completed: dict[str, Any], personas: dict[str, User]
) -> None:
    from django.utils import timezone

    from kotalive.dashboard.documents import document_verifications

    document_id = completed["output"]["document_id"]
    Client().get(f"/v/{document_id}")  # pending: counted as such
    documents_sign_due()
    Client().get(f"/v/{document_id}")
    Client().get(f"/api/v1/documents/{document_id}/verification")
    Client().get("/api/v1/documents/00000000-0000-0000-0000-000000000000/verification")
    today = timezone.localdate()

    rows = {r["kind"]: r for r in document_verifications(start=today, end=today)}
    assert rows["akta-kelahiran"]["issued"] == 1
    assert (rows["akta-kelahiran"]["verified"], rows["akta-kelahiran"]["valid"], rows["akta-kelahiran"]["pending"]) == (
        3,
        2,
        1,
    )
    assert rows[""]["unknown"] == 1
    assert rows[""]["issued"] == 0
    operator = Client()
    operator.force_login(personas["kominfo.operator"])
    page = operator.get("/kantor/dasbor/", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert "Signed documents and their verification" in page.content.decode()


def test_the_verification_page_checks_an_uploaded_file_and_names_a_wrong_one(
    completed: dict[str, Any], warga1: User
) -> None:
    documents_sign_due()
    pdf = _pdf(warga1, completed["tracking"])
    page = Client(headers={"Accept-Language": "en"})
    url = f"/v/{completed['output']['document_id']}"

    wrong = page.post(url, {"file": SimpleUploadedFile("a.pdf", b"GIF89a")})
    assert wrong.status_code == 422
    assert "The file is not a PDF document." in wrong.content.decode()
    right = page.post(url, {"file": SimpleUploadedFile("akta.pdf", pdf)})
    assert right.status_code == 200
    assert "The file is the issued document" in right.content.decode()
    assert dict(VerificationDay.objects.filter(via="upload").values_list("status", "count")) == {"valid": 1}
