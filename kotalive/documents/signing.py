"""Who puts the PAdES signature on a document, behind one interface:

- `LocalSigner` (default): pyHanko with the official's key and certificate from the platform's issuing CA
  (kotalive.documents.keys);
- `RemoteSigner`: the certificate authority's signing service over HTTP (KOTALIVE_SIGNING_URL): the PDF goes out,
  the signed PDF comes back, and the official's key never leaves the authority. The contract is in
  docs/documents.md; a failure raises `SigningUnavailable` and the worker tries again later.
"""

import io
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Protocol

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

from kotalive.agencies.models import Agency
from kotalive.documents.keys import ca_key, pdf_key_for, private_key

MAX_SIGNED_BYTES = 20 * 1024 * 1024  # a signed document is a few hundred kB; refuse a runaway answer
FIELD = "TTE"  # the signature field's name (tanda tangan elektronik)


class SigningUnavailable(Exception):
    """The signature could not be made now (the service is down or refused); try again later."""


@dataclass(frozen=True)
class Signed:
    pdf: bytes
    signer: str  # the holder of the signing certificate, as the document names them


class PdfSigningService(Protocol):
    def sign(self, pdf: bytes, *, agency: Agency, reason: str) -> Signed: ...


def _der(pem: str) -> bytes:
    from cryptography import x509  # noqa: PLC0415 (only here)

    return x509.load_pem_x509_certificate(pem.encode()).public_bytes(serialization.Encoding.DER)


def pades_sign(pdf: bytes, *, certificate_pem: str, key_der: bytes, chain_pem: list[str], reason: str) -> bytes:
    """A PAdES baseline signature over the whole of `pdf`, as one more incremental revision."""
    signer = signers.SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(_der(certificate_pem)),
        signing_key=asn1_keys.PrivateKeyInfo.load(key_der),
        cert_registry=SimpleCertificateStore.from_certs([asn1_x509.Certificate.load(_der(p)) for p in chain_pem]),
    )
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD, subfilter=fields.SigSeedSubFilter.PADES, md_algorithm="sha256", reason=reason
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    return signers.PdfSigner(meta, signer).sign_pdf(writer).getvalue()


class LocalSigner:
    def sign(self, pdf: bytes, *, agency: Agency, reason: str) -> Signed:
        key = pdf_key_for(agency)
        der = private_key(key).private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        signed = pades_sign(
            pdf, certificate_pem=key.certificate, key_der=der, chain_pem=[ca_key().certificate], reason=reason
        )
        return Signed(signed, key.official_name)


class RemoteSigner:
    def sign(self, pdf: bytes, *, agency: Agency, reason: str) -> Signed:
        request = urllib.request.Request(  # noqa: S310 (the configured https URL of the authority)
            settings.KOTALIVE_SIGNING_URL,
            data=pdf,
            method="POST",
            headers={
                "Content-Type": "application/pdf",
                "Authorization": f"Bearer {settings.KOTALIVE_SIGNING_TOKEN}",
                "X-Signer": agency.code,
                "X-Reason": reason.encode("ascii", "replace").decode(),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=settings.KOTALIVE_SIGNING_TIMEOUT) as response:  # noqa: S310
                status, signer_name = response.status, response.headers.get("X-Signer-Name", "")
                signed = response.read(MAX_SIGNED_BYTES + 1)
        except urllib.error.HTTPError as error:
            raise SigningUnavailable(f"signing service answered {error.code}") from error
        except (OSError, ValueError) as error:
            raise SigningUnavailable(f"signing service unreachable: {type(error).__name__}") from error
        if status != 200 or not signed.startswith(b"%PDF") or len(signed) > MAX_SIGNED_BYTES:
            raise SigningUnavailable(f"signing service answered {status} without a signed PDF")
        try:
            signatures = PdfFileReader(io.BytesIO(signed)).embedded_signatures
        except Exception as error:  # pyHanko raises several kinds on a damaged file
            raise SigningUnavailable("signing service returned an unreadable PDF") from error
        if not signatures or not signed.startswith(pdf):
            raise SigningUnavailable("signing service returned a PDF that is not ours, signed")
        return Signed(signed, signer_name or agency.name)


def signing_service() -> PdfSigningService:
    return RemoteSigner() if settings.KOTALIVE_SIGNING_URL else LocalSigner()
