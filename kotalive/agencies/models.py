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
