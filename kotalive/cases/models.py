from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

from kotalive.events.audience import Audience
from kotalive.workflow.models import WorkflowSubject

# Must equal the inbox's filter (cases.selectors.OPEN_CATEGORIES) for the planner to use the partial indexes.
OPEN_CATEGORY_LIST = ["submitted", "in_progress", "awaiting_citizen", "awaiting_agency"]
OPEN_CASES = models.Q(state_category__in=OPEN_CATEGORY_LIST)


class Case(WorkflowSubject):
    """An application (permohonan) for one service, by a citizen, for themself or a family member."""

    tracking = models.CharField(max_length=40, unique=True)
    service = models.ForeignKey("catalogue.Service", on_delete=models.PROTECT, related_name="cases")
    service_version = models.ForeignKey("catalogue.ServiceVersion", on_delete=models.PROTECT, related_name="cases")
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="cases")
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="cases")
    subject_person = models.ForeignKey(
        "registry.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    subject_name = models.CharField(max_length=150)
    data = models.JSONField(default=dict)
    prefilled = models.JSONField(default=dict)  # {field: registry key} of what came from DISDUKCAPIL data
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="assigned_cases"
    )
    submitted_at = models.DateTimeField()
    is_test = models.BooleanField(default=False)  # synthetic cases (benchmarks, test API keys)
    # The applicant's view per language, rewritten with every change (cases.snapshots); answers the status read.
    snapshot = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)

    event_kind = "case"
    holder_fields = ("agency",)

    class Meta:
        # The inbox shows open cases soonest due first. Partial indexes hold only open cases, so a page is a short
        # walk in due order however many finished cases the agency has (docs/performance.md, inbox benchmark).
        indexes = [
            models.Index(fields=["agency", "due_at"], condition=OPEN_CASES, name="case_open_due_idx"),
            models.Index(fields=["agency", "assignee", "due_at"], condition=OPEN_CASES, name="case_open_assignee_idx"),
            # INCLUDE assignee: the inbox counts (all / mine / unassigned) come from the index alone.
            models.Index(
                fields=["agency", "sla_status", "due_at"],
                condition=OPEN_CASES,
                include=["assignee"],
                name="case_open_sla_idx",
            ),
            models.Index(
                fields=["agency", "service", "due_at"],
                condition=OPEN_CASES,
                include=["assignee"],
                name="case_open_service_idx",
            ),
            models.Index(fields=["due_at"], condition=OPEN_CASES, name="case_open_sweep_idx"),
            models.Index(fields=["timeout_at"], condition=models.Q(timeout_at__isnull=False), name="case_timeout_idx"),
            models.Index(fields=["agency", "state_category", "due_at"], name="case_inbox_state_idx"),
            models.Index(fields=["agency", "state", "due_at"], include=["assignee"], name="case_inbox_exact_state_idx"),
            models.Index(fields=["applicant", "submitted_at"], name="case_applicant_idx"),
            models.Index(fields=["service", "subject_person", "state_category"], name="case_open_duplicate_idx"),
        ]
        # At most one open live application per service and person, enforced by the database: a check before the
        # insert cannot see a row another transaction has not committed yet (cases.services.case_submit turns a
        # violation into the same 409 as its friendly check). Synthetic test cases never count.
        constraints = [
            models.UniqueConstraint(
                fields=["service", "subject_person"],
                condition=OPEN_CASES & models.Q(is_test=False, subject_person__isnull=False),
                name="case_one_open_per_person",
            ),
            # A citizen outside the registry applies only for themself: one open case per service and applicant.
            models.UniqueConstraint(
                fields=["service", "applicant"],
                condition=OPEN_CASES & models.Q(is_test=False, subject_person__isnull=True),
                name="case_one_open_per_unregistered_applicant",
            ),
        ]

    def __str__(self) -> str:
        return self.tracking

    def event_subject(self) -> str:
        return self.tracking

    def holder_agency(self) -> object:
        return self.agency

    def holder_agency_set(self, agency: object, *, now: object) -> None:
        self.agency = agency  # type: ignore[assignment]

    def event_agency(self) -> str:
        return self.agency.code

    def event_audience(self) -> Audience:
        return Audience(people=frozenset({self.applicant_id}))  # the applicant's feed and notices

    def event_data(self) -> dict[str, object]:
        return {
            "tracking": self.tracking,
            "service": self.service.code,
            "service_version": self.service_version.version,
            "agency": self.agency.code,
        }


class CaseDocument(models.Model):
    """A document given for one requirement; a later one for the same requirement replaces it."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="documents")
    requirement = models.CharField(max_length=60)
    upload = models.ForeignKey("core.Upload", on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)
    current = models.BooleanField(default=True)

    class Meta:
        ordering = ["requirement", "-added_at"]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.requirement}"


class CaseOutput(models.Model):
    """What completion produced: its number, date and issuing officer, and the document the agency attached (for
    example the certificate its own system produced; KotaLIVE's signed PDF comes later)."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="output")
    number = models.CharField(max_length=60, unique=True)
    issued_on = models.DateField()
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    document = models.ForeignKey("core.Upload", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return self.number


# The nine elements of the citizen satisfaction index (IKM, PermenPANRB 14/2017), U1-U9 in this order.
IKM_ELEMENTS = (
    "Persyaratan",
    "Sistem, mekanisme dan prosedur",
    "Waktu penyelesaian",
    "Biaya/tarif",
    "Produk layanan",
    "Kompetensi petugas",
    "Perilaku petugas",
    "Penanganan pengaduan, saran dan masukan",
    "Sarana dan prasarana",
)


class CaseDraft(models.Model):
    """A form a citizen saved without submitting."""

    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="case_drafts")
    service = models.ForeignKey("catalogue.Service", on_delete=models.CASCADE, related_name="+")
    subject = models.CharField(max_length=20, default="self")
    data = models.JSONField(default=dict)
    documents = models.JSONField(default=dict)  # {requirement code: upload id}
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["applicant", "service", "subject"], name="one_draft_per_form")]

    def __str__(self) -> str:
        return f"draft {self.service_id} by {self.applicant_id}"
