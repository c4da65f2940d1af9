from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Agency(models.Model):
    """A regional agency (OPD) of the city government, with its role on the platform."""

    OPERATOR, SERVICE_PROVIDER, COMPLAINT_HANDLER, KECAMATAN_OFFICE = (
        "operator",
        "service_provider",
        "complaint_handler",
        "kecamatan_office",
    )
    ROLES = [
        (OPERATOR, _("platform operator")),
        (SERVICE_PROVIDER, _("service provider")),
        (COMPLAINT_HANDLER, _("complaint handler")),
        (KECAMATAN_OFFICE, _("kecamatan office")),
    ]

    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=150)
    name_en = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=20, choices=ROLES)
    handles_complaints = models.BooleanField(default=False)
    summary = models.CharField(max_length=300, blank=True)
    summary_en = models.CharField(max_length=300, blank=True)
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="agencies")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.code


class Unit(models.Model):
    """A unit inside an agency (bidang, seksi, UPT)."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="units")
    code = models.CharField(max_length=30)
    name = models.CharField(max_length=150)

    class Meta:
        ordering = ["agency", "code"]
        constraints = [models.UniqueConstraint(fields=["agency", "code"], name="unit_code_unique_in_agency")]

    def __str__(self) -> str:
        return f"{self.agency.code}/{self.code}"


class StaffRole(models.Model):
    """A role held by a member of staff: inside one agency, or platform-wide (no agency)."""

    VERIFIER, PROCESSOR, APPROVER, HEAD, LIAISON, AGENCY_ADMIN = (
        "verifier",
        "processor",
        "approver",
        "head",
        "liaison",
        "agency_admin",
    )
    OPERATOR, PLATFORM_ADMIN, LEADERSHIP, AUDITOR = ("operator", "platform_admin", "leadership", "auditor")
    AGENCY_ROLES = [
        (VERIFIER, _("verifier")),
        (PROCESSOR, _("processor")),
        (APPROVER, _("approver")),
        (HEAD, _("agency head")),
        (LIAISON, _("liaison officer")),
        (AGENCY_ADMIN, _("agency administrator")),
    ]
    PLATFORM_ROLES = [
        (OPERATOR, _("operator (Live Room)")),
        (PLATFORM_ADMIN, _("platform administrator")),
        (LEADERSHIP, _("leadership")),
        (AUDITOR, _("auditor / data protection officer")),
    ]
    # Roles that must sign in with a second factor outside demo mode.
    TWO_FACTOR_ROLES = frozenset({OPERATOR, PLATFORM_ADMIN, AGENCY_ADMIN})

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_roles")
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.CASCADE, related_name="staff_roles")
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    role = models.CharField(max_length=20, choices=AGENCY_ROLES + PLATFORM_ROLES)
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "agency", "role"], name="staff_role_unique"),
            models.UniqueConstraint(
                fields=["user", "role"], condition=Q(agency__isnull=True), name="platform_role_unique"
            ),
            models.CheckConstraint(
                condition=(
                    Q(agency__isnull=True, role__in=["operator", "platform_admin", "leadership", "auditor"])
                    | Q(
                        agency__isnull=False,
                        role__in=["verifier", "processor", "approver", "head", "liaison", "agency_admin"],
                    )
                ),
                name="staff_role_matches_scope",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.role}@{self.agency.code if self.agency else 'platform'}"


class ApiClient(models.Model):
    """An agency's system that calls the API with its own keys. It acts through a service account holding the
    agency roles chosen for it (so the workflow's role checks apply as to a person), limited by its keys' scopes."""

    # SP4N-LAPOR!'s calls in (/api/v1/lapor/*): only a client of the platform operator agency may hold it
    # (machine.api_client_create refuses it to any other; complaints.lapor checks both again on every call).
    LAPOR_SCOPE = "lapor"
    SCOPES = [
        "cases:read",
        "cases:write",
        "complaints:read",
        "complaints:write",
        "events:read",
        "webhooks:manage",
        "registry:lookup",
        "coordination:read",
        "coordination:write",
        LAPOR_SCOPE,
    ]
    TEST, LIVE = "test", "live"

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="api_clients")
    name = models.CharField(max_length=100)
    account = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_client")
    scopes = models.JSONField(default=list)
    environment = models.CharField(max_length=4, default=LIVE)
    requests_per_minute = models.PositiveIntegerField(default=600)
    # Where `kotalive reconcile` asks this system for the states of the agency's open cases (docs/how-to).
    reconcile_url = models.URLField(max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "name"], name="api_client_name_unique")]

    def __str__(self) -> str:
        return f"{self.agency.code}/{self.name} ({self.environment})"


class ApiKey(models.Model):
    """A secret of an API client: shown once, kept as SHA-256, told apart by its visible prefix. Rotation adds a
    key; the old one works until it is revoked."""

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="keys")
    prefix = models.CharField(max_length=20, unique=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.prefix}…"


class IdempotentRequest(models.Model):
    """The first answer to a write sent with an `Idempotency-Key` header, returned again for a repeat."""

    principal = models.CharField(max_length=64)  # SHA-256 of the credential that sent it
    key = models.CharField(max_length=200)
    fingerprint = models.CharField(max_length=64)  # SHA-256 of method, path and body
    status = models.PositiveIntegerField(null=True, blank=True)  # None while the first request runs
    body = models.BinaryField(blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["principal", "key"], name="idempotency_key_unique")]

    def __str__(self) -> str:
        return self.key
