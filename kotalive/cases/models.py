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
    """An application (permohonan) for one service, by a citizen, for themself, a family member, or a newborn not in
    the registry yet (catalogue.subjects)."""

    tracking = models.CharField(max_length=40, unique=True)
    service = models.ForeignKey("catalogue.Service", on_delete=models.PROTECT, related_name="cases")
    service_version = models.ForeignKey("catalogue.ServiceVersion", on_delete=models.PROTECT, related_name="cases")
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="cases")
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="cases")
    subject_person = models.ForeignKey(
        "registry.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    subject_name = models.CharField(max_length=150)
    # Who the subject is when the registry does not hold them (no subject_person): "" for the applicant themself, a
    # newborn's key (cases.filing.newborn_key: the child's name and date of birth) for a birth. Part of the
    # one-open-case rule below: two children of one parent are two applications, the same child twice is refused.
    subject_key = models.CharField(max_length=64, blank=True, default="")
    data = models.JSONField(default=dict)
    prefilled = models.JSONField(default=dict)  # {field: registry key} of what came from DISDUKCAPIL data
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="assigned_cases"
    )
    submitted_at = models.DateTimeField()
    is_test = models.BooleanField(default=False)  # synthetic cases (benchmarks, test API keys)
    # The applicant's view per language, rewritten with every change (cases.snapshots); answers the status read.
    snapshot = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    # The life-event bundle this application is a part of (cases.bundles), if any.
    bundle = models.ForeignKey("Bundle", null=True, blank=True, on_delete=models.PROTECT, related_name="cases")
    # Requirements the platform already holds, so the citizen was not asked for them again (once-only):
    # {requirement code: {"case": tracking, "number": output number}}, the output of an earlier part of a bundle.
    documents_reused = models.JSONField(default=dict, blank=True)

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
            # The dashboards' backlog (open now, per agency and service, live ones only): an index-only count.
            models.Index(fields=["agency", "service", "is_test"], condition=OPEN_CASES, name="case_open_backlog_idx"),
            models.Index(fields=["timeout_at"], condition=models.Q(timeout_at__isnull=False), name="case_timeout_idx"),
            models.Index(fields=["agency", "state_category", "due_at"], name="case_inbox_state_idx"),
            models.Index(fields=["agency", "state", "due_at"], include=["assignee"], name="case_inbox_exact_state_idx"),
            models.Index(fields=["applicant", "submitted_at"], name="case_applicant_idx"),
            # The dashboards' periods (kotalive/dashboard): what was submitted, and what closed, between two days.
            models.Index(fields=["submitted_at"], name="case_submitted_idx"),
            models.Index(fields=["closed_at"], condition=models.Q(closed_at__isnull=False), name="case_closed_idx"),
            models.Index(fields=["service", "subject_person", "state_category"], name="case_open_duplicate_idx"),
        ]
        # At most one open live application per service and subject, enforced by the database: a check before the
        # insert cannot see a row another transaction has not committed yet (cases.filing.case_file turns a
        # violation into the same 409 as its friendly check). Synthetic test cases never count.
        constraints = [
            models.UniqueConstraint(
                fields=["service", "subject_person"],
                condition=OPEN_CASES & models.Q(is_test=False, subject_person__isnull=False),
                name="case_one_open_per_person",
            ),
            # A subject outside the registry (a citizen outside it applying for themself, a newborn): one open case
            # per service, applicant and subject key.
            models.UniqueConstraint(
                fields=["service", "applicant", "subject_key"],
                condition=OPEN_CASES & models.Q(is_test=False, subject_person__isnull=True),
                name="case_one_open_per_unregistered_subject",
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
    """What completion produced (kotalive/cases/outputs.py): its number, date and issuing officer, the document
    KotaLIVE signs for a document service, and a file the agency may attach (a card's scan, its own system's
    certificate)."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="output")
    number = models.CharField(max_length=60, unique=True)
    issued_on = models.DateField()
    issued_at = models.DateTimeField(default=timezone.now)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    document = models.ForeignKey("core.Upload", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    signed_document = models.OneToOneField(
        "documents.Document", null=True, blank=True, on_delete=models.PROTECT, related_name="case_output"
    )

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


class BundleKind(models.Model):
    """A life event that one citizen form turns into applications at several agencies, as data
    (a region pack's bundles file, loaded by cases.bundles.bundle_kinds_load; format in
    docs/how-to/add-a-life-event-bundle.md)."""

    code = models.SlugField(max_length=40, unique=True)
    name_id = models.CharField(max_length=150)
    name_en = models.CharField(max_length=150)
    # {"description", "subject", "sla_working_days", "form_schema", "requirements", "parts"}
    document = models.JSONField()
    active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class Bundle(WorkflowSubject):
    """One life event filed by a citizen: its parts are applications at several agencies (cases whose `bundle` is
    this one), filed as soon as what they need (an earlier part's output) exists. Its own state says how the
    whole stands; the parts keep their own workflows and clocks."""

    tracking = models.CharField(max_length=40, unique=True)
    kind = models.ForeignKey(BundleKind, on_delete=models.PROTECT, related_name="bundles")
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bundles")
    # Whom the event is about: the deceased; the newborn once the birth certificate put them in the registry.
    subject_person = models.ForeignKey(
        "registry.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="bundles"
    )
    subject_name = models.CharField(max_length=150)
    data = models.JSONField(default=dict)
    documents = models.JSONField(default=dict)  # {bundle requirement code: upload id}, given once for every part
    submitted_at = models.DateTimeField()

    event_kind = "bundle"

    class Meta:
        indexes = [models.Index(fields=["applicant", "submitted_at"], name="bundle_applicant_idx")]

    def __str__(self) -> str:
        return self.tracking

    def event_subject(self) -> str:
        return self.tracking

    def event_agency(self) -> str:
        return ""  # no one agency holds a bundle: its parts' agencies are its audience

    def event_audience(self) -> Audience:
        """The agencies holding a filed part (not those whose part waits or was skipped), and the applicant."""
        filed = self.parts.filter(case__isnull=False).values_list("case__agency__code", flat=True)
        return Audience(agencies=frozenset(filed), people=frozenset({self.applicant_id}))

    def event_data(self) -> dict[str, object]:
        return {"tracking": self.tracking, "kind": self.kind.code}


class BundlePart(models.Model):
    """One application of a bundle. Its tracking number is taken when the bundle is filed, so the citizen sees every
    number at once; the case is filed when the parts it waits for are completed."""

    WAITING, FILED, FAILED, SKIPPED = "waiting", "filed", "failed", "skipped"
    STATES = [(WAITING, "waiting"), (FILED, "filed"), (FAILED, "failed"), (SKIPPED, "skipped")]

    bundle = models.ForeignKey(Bundle, on_delete=models.CASCADE, related_name="parts")
    position = models.PositiveSmallIntegerField()
    service = models.ForeignKey("catalogue.Service", on_delete=models.PROTECT, related_name="+")
    tracking = models.CharField(max_length=40, unique=True)
    case = models.OneToOneField(Case, null=True, blank=True, on_delete=models.PROTECT, related_name="bundle_part")
    state = models.CharField(max_length=8, choices=STATES, default=WAITING)
    reason = models.TextField(blank=True)  # why a part failed or was refused: shown to the citizen
    blocked_by = models.CharField(max_length=60, blank=True)  # the service of the ended part this one waited for
    # Another open application of the same service for the applicant (a twin's family-card update): one application
    # per person at a time, so this part is filed when that one ends (cases.bundles.bundle_parts_release).
    waits_for = models.ForeignKey(Case, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["bundle", "position"]
        constraints = [models.UniqueConstraint(fields=["bundle", "position"], name="bundle_part_position_unique")]

    def __str__(self) -> str:
        return self.tracking


class BundleOffer(models.Model):
    """The rest of a life event offered to a citizen whose single application recorded it (a birth certificate
    applied for on its own): shown on their home page until they take it or say no."""

    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bundle_offers")
    kind = models.ForeignKey(BundleKind, on_delete=models.CASCADE, related_name="+")
    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="bundle_offer")
    # Whom the event is about: the newborn the birth certificate recorded, the deceased.
    person = models.ForeignKey("registry.Person", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    taken = models.OneToOneField(Bundle, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    dismissed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind_id} offer for {self.case_id}"
