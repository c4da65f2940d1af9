"""Coordination between agencies (issue 11): an officer of one agency asks another agency for an input on a case or a
report, within a cooperation agreement. A request is a subject kind on the kernel (kotalive/workflow): its own
tracking number, holder (the asked agency), clock, timeline, messages, events and sweep; the parent waits in the
kernel's `awaiting_agency` state while a blocking request is open (workflow.waiting)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from kotalive.events.audience import Audience
from kotalive.workflow.models import WorkflowSubject

VERIFY_DOCUMENT, PROVIDE_DATA, TAKE_ACTION, OPINION = "verify_document", "provide_data", "take_action", "opinion"
KINDS = (VERIFY_DOCUMENT, PROVIDE_DATA, TAKE_ACTION, OPINION)
OPEN_CATEGORY_LIST = ["submitted", "in_progress", "awaiting_citizen", "awaiting_agency"]
OPEN_REQUESTS = Q(state_category__in=OPEN_CATEGORY_LIST)


class CooperationAgreement(models.Model):
    """Which agency may ask which for what (data the platform operator manages): `kinds` lists the request kinds
    allowed from `from_agency` to `to_agency`; `due_working_days` is the longest due time a request may ask for."""

    from_agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    to_agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    kinds = models.JSONField(default=list)
    max_working_days = models.PositiveSmallIntegerField(default=10)
    active = models.BooleanField(default=True)
    basis = models.CharField(max_length=300, blank=True)  # the agreement or rule it rests on (PKS, Perwal)
    # The escalation chain of its requests (the sweep's rules: at risk -> the asked agency's liaison, ...).
    escalation = models.JSONField(default=list, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["from_agency__code", "to_agency__code"]
        constraints = [models.UniqueConstraint(fields=["from_agency", "to_agency"], name="agreement_pair_unique")]

    def __str__(self) -> str:
        return f"{self.from_agency_id} -> {self.to_agency_id}"


class CoordinationRequest(WorkflowSubject):
    """One agency's request to another, about a parent subject (a case or a report, by its kind and id)."""

    tracking = models.CharField(max_length=40, unique=True)
    kind = models.CharField(max_length=20)
    parent_kind = models.CharField(max_length=20)  # the parent's event_kind
    parent_id = models.BigIntegerField()
    parent_tracking = models.CharField(max_length=40)
    from_agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    to_agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    message = models.TextField()
    answer = models.TextField(blank=True)
    blocking = models.BooleanField(default=True)
    agreement = models.ForeignKey(CooperationAgreement, on_delete=models.PROTECT, related_name="requests")
    submitted_at = models.DateTimeField(default=timezone.now)

    event_kind = "coordination"
    holder_fields = ("to_agency",)

    class Meta:
        indexes = [
            models.Index(fields=["to_agency", "due_at"], condition=OPEN_REQUESTS, name="coord_incoming_open_idx"),
            models.Index(fields=["from_agency", "submitted_at"], name="coord_outgoing_idx"),
            models.Index(fields=["to_agency", "submitted_at"], name="coord_incoming_idx"),
            models.Index(fields=["parent_kind", "parent_id"], name="coord_parent_idx"),
            models.Index(fields=["due_at"], condition=OPEN_REQUESTS, name="coord_sweep_idx"),
            models.Index(fields=["timeout_at"], condition=Q(timeout_at__isnull=False), name="coord_timeout_idx"),
        ]

    def __str__(self) -> str:
        return self.tracking

    def holder_agency(self) -> object:
        return self.to_agency

    def event_subject(self) -> str:
        return self.tracking

    def event_agency(self) -> str:
        return self.to_agency.code

    def event_audience(self) -> Audience:
        """The asking agency hears of everything on its request, and the officer who asked."""
        return Audience(agencies=frozenset({self.from_agency.code}), people=frozenset({self.requested_by_id}))

    def event_data(self) -> dict[str, object]:
        # The parent's tracking number, never its content: the asked agency reads what the request says.
        return {
            "tracking": self.tracking,
            "kind": self.kind,
            "parent": self.parent_tracking,
            "from_agency": self.from_agency.code,
            "to_agency": self.to_agency.code,
            "blocking": self.blocking,
        }


class Attachment(models.Model):
    """A file given with a request or its answer (an upload of the officer who gave it)."""

    REQUEST, ANSWER = "request", "answer"
    request = models.ForeignKey(CoordinationRequest, on_delete=models.CASCADE, related_name="attachments")
    upload = models.ForeignKey("core.Upload", on_delete=models.PROTECT, related_name="+")
    stage = models.CharField(max_length=8, default=REQUEST)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["added_at", "id"]

    def __str__(self) -> str:
        return f"{self.request_id} {self.stage} {self.upload_id}"


class Announcement(models.Model):
    """A message from the platform operator to agencies (all or chosen), with a read receipt per agency."""

    title = models.CharField(max_length=150)
    body = models.TextField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class AnnouncementReceipt(models.Model):
    """One agency's copy of an announcement: read when a member of its staff opened it; reminded once when not."""

    announcement = models.ForeignKey(Announcement, on_delete=models.CASCADE, related_name="receipts")
    agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(null=True, blank=True)
    read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["announcement", "agency"], name="receipt_once_per_agency")]
        indexes = [models.Index(fields=["agency", "read_at"], name="receipt_agency_idx")]

    def __str__(self) -> str:
        return f"{self.announcement_id} -> {self.agency_id}"
