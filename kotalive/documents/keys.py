"""The platform's signing keys: an issuing CA, one PDF key with a certificate per signing official (the agency
head), and the Ed25519 key that seals the QR codes. Created when first needed (or by `kotalive documents-keys`),
rotated by that command; the public halves are published (kotalive.documents.selectors.key_set).

This is the local lane: in production the PDF signature can come from the national certificate authority's signing
service instead (kotalive.documents.signing), and this CA then only matters for demos and tests.
"""

import base64
import datetime as dt
import secrets

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from kotalive.agencies.models import Agency, StaffRole
from kotalive.core.audit import audit_record
from kotalive.core.crypto import decrypt, encrypt
from kotalive.documents.models import SigningKey

CA_YEARS, PDF_YEARS, SEAL_YEARS = 10, 2, 2


def _pem(key: ec.EllipticCurvePrivateKey | Ed25519PrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def _public_pem(key: ec.EllipticCurvePrivateKey | Ed25519PrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def private_key(row: SigningKey) -> ec.EllipticCurvePrivateKey | Ed25519PrivateKey:
    key = serialization.load_pem_private_key(decrypt(row.private_key).encode(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey | Ed25519PrivateKey):
        raise TypeError(f"signing key {row.kid} is neither EC nor Ed25519")
    return key


def seal_public_key(row: SigningKey) -> Ed25519PublicKey:
    key = serialization.load_pem_public_key(row.public_key.encode())
    if not isinstance(key, Ed25519PublicKey):
        raise TypeError(f"seal key {row.kid} is not Ed25519")
    return key


def public_x(row: SigningKey) -> str:
    """The seal key's raw public bytes in base64url, as a JWK's `x`."""
    raw = seal_public_key(row).public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _kid(prefix: str) -> str:
    return f"{prefix}-{timezone.now():%Y%m}-{secrets.token_hex(3)}"


def _current(purpose: str, agency: Agency | None = None) -> SigningKey | None:
    now = timezone.now()
    return (
        SigningKey.objects.filter(
            purpose=purpose, agency=agency, retired_at__isnull=True, valid_from__lte=now, valid_until__gt=now
        )
        .order_by("-valid_from")
        .first()
    )


def _ca() -> SigningKey:
    current = _current(SigningKey.CA)
    if current is not None:
        return current
    now = timezone.now()
    key = ec.generate_private_key(ec.SECP256R1())
    region = settings.KOTALIVE_REGION_CODE
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, f"KotaLIVE {region}"),
            x509.NameAttribute(NameOID.COMMON_NAME, f"KotaLIVE {region} issuing CA"),
        ]
    )
    until = now + dt.timedelta(days=365 * CA_YEARS)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(until)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return SigningKey.objects.create(
        kid=_kid("ca"),
        purpose=SigningKey.CA,
        private_key=encrypt(_pem(key)),
        certificate=certificate.public_bytes(serialization.Encoding.PEM).decode(),
        public_key=_public_pem(key),
        valid_from=now,
        valid_until=until,
    )


def _official(agency: Agency) -> tuple[str, str]:
    """The agency's signing official (its head) and their position as printed under the signature."""
    head = (
        StaffRole.objects.filter(agency=agency, role=StaffRole.HEAD, user__is_active=True)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    name = head.user.full_name if head is not None else f"Kepala {agency.name}"
    return name, f"Kepala {agency.name}"


def _pdf_key(agency: Agency) -> SigningKey:
    ca = _ca()
    now = timezone.now()
    key = ec.generate_private_key(ec.SECP256R1())
    name, position = _official(agency)
    ca_certificate = x509.load_pem_x509_certificate(ca.certificate.encode())
    until = min(now + dt.timedelta(days=365 * PDF_YEARS), ca.valid_until)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(
            x509.Name(
                [
                    x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"),
                    x509.NameAttribute(NameOID.ORGANIZATION_NAME, agency.name),
                    x509.NameAttribute(NameOID.TITLE, position),
                    x509.NameAttribute(NameOID.COMMON_NAME, name),
                ]
            )
        )
        .issuer_name(ca_certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(until)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_certificate.public_key()),  # type: ignore[arg-type]
            critical=False,
        )
        .sign(private_key(ca), hashes.SHA256())  # type: ignore[arg-type]
    )
    return SigningKey.objects.create(
        kid=_kid(f"pdf-{agency.code.lower()}"),
        purpose=SigningKey.PDF,
        agency=agency,
        official_name=name,
        official_position=position,
        private_key=encrypt(_pem(key)),
        certificate=certificate.public_bytes(serialization.Encoding.PEM).decode(),
        public_key=_public_pem(key),
        valid_from=now,
        valid_until=until,
    )


def _seal_key() -> SigningKey:
    now = timezone.now()
    key = Ed25519PrivateKey.generate()
    return SigningKey.objects.create(
        kid=_kid("seal"),
        purpose=SigningKey.SEAL,
        private_key=encrypt(_pem(key)),
        public_key=_public_pem(key),
        valid_from=now,
        valid_until=now + dt.timedelta(days=365 * SEAL_YEARS),
    )


def pdf_key_for(agency: Agency) -> SigningKey:
    """The current PDF key of the agency's signing official, created (with the CA) when there is none."""
    with transaction.atomic():
        Agency.objects.select_for_update().filter(pk=agency.pk).first()  # one creator per agency at a time
        return _current(SigningKey.PDF, agency) or _pdf_key(agency)


def seal_key() -> SigningKey:
    """The current seal key, created when there is none."""
    # Two workers creating one at the same moment make two current keys: both are published and both verify.
    return _current(SigningKey.SEAL) or _seal_key()


def ca_key() -> SigningKey:
    with transaction.atomic():
        return _ca()


def keys_rotate(*, actor: object, purpose: str, agency: Agency | None = None) -> SigningKey:
    """Retire the current key of `purpose` (and agency) and make a new one: documents signed so far keep verifying
    against the retired key, which stays in the published list until it expires."""
    with transaction.atomic():
        now = timezone.now()
        SigningKey.objects.filter(purpose=purpose, agency=agency, retired_at__isnull=True).update(retired_at=now)
        if purpose == SigningKey.SEAL:
            row = _seal_key()
        elif purpose == SigningKey.PDF and agency is not None:
            row = _pdf_key(agency)
        else:
            row = _ca()
        audit_record(actor=actor, action="documents.key_rotated", obj=row, data={"kid": row.kid, "purpose": purpose})
    return row
