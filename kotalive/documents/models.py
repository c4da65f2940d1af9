import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class SigningKey(models.Model):
    """A key the platform signs with. Private keys are stored encrypted (kotalive.core.crypto: the key to read them
    is outside the database). A key signs while it is current; a retired key never signs again but stays in the
    published key list, so the documents it sealed keep verifying (rotation never breaks old documents)."""

    CA, PDF, SEAL = "ca", "pdf", "seal"
    PURPOSES = [(CA, "issuing CA"), (PDF, "PDF signature of an official"), (SEAL, "QR seal (Ed25519)")]

    kid = models.CharField(max_length=40, unique=True)  # the key's name in the key list and in each seal
    purpose = models.CharField(max_length=4, choices=PURPOSES)
    agency = models.ForeignKey("agencies.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    official_name = models.CharField(max_length=150, blank=True)  # PDF keys: the signing official and position
    official_position = models.CharField(max_length=200, blank=True)
    private_key = models.TextField()  # PEM (PKCS#8), encrypted
    certificate = models.TextField(blank=True)  # PEM: the CA's own, or the official's issued by the CA
    public_key = models.TextField()  # PEM (SubjectPublicKeyInfo)
    valid_from = models.DateTimeField(default=timezone.now)
    valid_until = models.DateTimeField()
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["purpose", "-valid_from"]

    def __str__(self) -> str:
        return f"{self.purpose} {self.kid}"


class Document(models.Model):
    """An output document: issued in the transaction that completed its subject (pending), then rendered,
    sealed and signed by the worker (signed). Its id is public: it is what the QR and the verification page name.
    """

    PENDING, SIGNED = "pending", "signed"
    STATES = [(PENDING, "pending"), (SIGNED, "signed")]
    REVOCATION_REASONS = ("error", "superseded", "court_order", "fraud")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=60)  # the document type: the service code (akta-kelahiran)
    template = models.CharField(max_length=60)  # the layout it is rendered with (templates/documents/pdf/)
    title = models.CharField(max_length=150)  # as printed (Indonesian, the official language of the document)
    number = models.CharField(max_length=60, unique=True)
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    holder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="documents")
    subject_ref = models.CharField(max_length=80)  # what it was issued for (a tracking number)
    subject_masked = models.CharField(max_length=150)  # the only personal data verification shows
    facts = models.JSONField(default=dict)  # what the document states, as printed: [[label, value], ...]
    issued_at = models.DateTimeField(default=timezone.now)
    issued_on = models.DateField()
    place = models.CharField(max_length=120)  # where it is issued (the region's name)
    is_test = models.BooleanField(default=False)
    state = models.CharField(max_length=8, choices=STATES, default=PENDING)
    # Filled when signed:
    file = models.FileField(upload_to="documents/%Y/%m/", blank=True)
    content_sha256 = models.CharField(max_length=64, blank=True)  # the rendered document, claimed by the seal
    sha256 = models.CharField(max_length=64, blank=True)  # the signed file as issued
    seal = models.TextField(blank=True)  # the QR's text (kotalive.documents.seal)
    seal_key = models.ForeignKey(SigningKey, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    signed_by = models.CharField(max_length=200, blank=True)  # the certificate's holder, as signed
    signed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.CharField(max_length=300, blank=True)
    # Revocation by the issuing agency:
    revoked_at = models.DateTimeField(null=True, blank=True)
    revocation_reason = models.CharField(max_length=20, blank=True)
    revocation_note = models.CharField(max_length=500, blank=True)  # internal, never shown publicly

    class Meta:
        ordering = ["-issued_at"]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="document_pending_idx"),
            models.Index(fields=["holder", "-issued_at"], name="document_holder_idx"),
            models.Index(fields=["revoked_at"], name="document_revoked_idx"),
        ]

    def __str__(self) -> str:
        return self.number


class VerificationDay(models.Model):
    """How often documents of one type were verified on one day, by which way and with what answer. Nothing
    about who verified is kept: no address, no account, no document id."""

    day = models.DateField()
    kind = models.CharField(max_length=60)  # the document type ("" when the document is unknown)
    via = models.CharField(max_length=10)  # page | api | upload
    status = models.CharField(max_length=10)  # valid | revoked | pending | unknown | mismatch
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "kind", "via", "status"], name="verification_day_unique")]

    def __str__(self) -> str:
        return f"{self.day} {self.kind} {self.via} {self.status}: {self.count}"
