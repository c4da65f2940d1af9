"""Complaints and aspirations (LAKSA): categories and routing rules (data), reports, their hand-offs between agencies,
photos, followers (merged duplicates) and the SP4N-LAPOR! bridge's outbox (holders' stretches, messages and escalations
are the kernel's workflow.Holding, workflow.Message and workflow.Escalation rows)."""

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from kotalive.events.audience import Audience
from kotalive.workflow.holders import helper_agencies
from kotalive.workflow.models import WorkflowSubject


class Category(models.Model):
    """A kind of problem a citizen reports (street lights, roads, ...), handled by default by one agency.

    Also an Open311 service: `code` is its service_code, `attributes` its service definition (GeoReport v2
    attribute objects), `group` and `keywords` its grouping. `escalation` is the chain the SLA sweep applies:
    [{"when": "at_risk"|"breached", "after_working_days": n, "target": "liaison"|"head"|"operator"|"leadership"}].
    """

    code = models.CharField(max_length=40, unique=True)
    name = models.CharField(max_length=120)
    name_en = models.CharField(max_length=120, blank=True)
    description = models.CharField(max_length=300, blank=True)
    group = models.CharField(max_length=60, blank=True)
    keywords = models.CharField(max_length=200, blank=True)
    default_agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    attributes = models.JSONField(default=list, blank=True)
    escalation = models.JSONField(default=list, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "code"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.code


class RoutingRule(models.Model):
    """Send reports of a category in one kecamatan or kelurahan to another agency than the category's default (the
    most specific region wins: kelurahan, then kecamatan, then the default)."""

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="rules")
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["category", "region"], name="routing_rule_unique")]

    def __str__(self) -> str:
        return f"{self.category_id}@{self.region_id} -> {self.agency_id}"


# Open: any state whose category is not terminal (the workflow definition names the states).
OPEN_CATEGORY_LIST = ["submitted", "in_progress", "awaiting_citizen", "awaiting_agency"]
OPEN_COMPLAINTS = Q(state_category__in=OPEN_CATEGORY_LIST)


class Complaint(WorkflowSubject):
    """A report by a citizen (or a partner system on a citizen's behalf) and its life in the Live Room and agencies.

    `agency` is the agency holding it now (the lead when several work on it); None while the Live Room holds it.
    """

    COMPLAINT, ASPIRATION, INFORMATION, APPRECIATION = "complaint", "aspiration", "information", "appreciation"
    KINDS = [COMPLAINT, ASPIRATION, INFORMATION, APPRECIATION]
    APP, OPEN311, LAPOR = "app", "open311", "lapor"

    tracking = models.CharField(max_length=40, unique=True)
    kind = models.CharField(max_length=12, default=COMPLAINT)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="complaints")
    title = models.CharField(max_length=150)
    description = models.TextField()
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    kelurahan = models.ForeignKey("regions.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    address = models.CharField(max_length=300, blank=True)
    attributes = models.JSONField(default=dict, blank=True)  # answers to the category's Open311 attributes
    anonymous = models.BooleanField(default=False)  # identity hidden from agencies
    confidential = models.BooleanField(default=False)  # hidden from the public
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="complaints")
    # A partner's report on behalf of someone without an account here: their contact, encrypted (core.crypto).
    contact_encrypted = models.TextField(blank=True)
    source = models.CharField(max_length=10, default=APP)
    agency = models.ForeignKey(
        "agencies.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="complaints"
    )
    agency_since = models.DateTimeField(null=True, blank=True)
    emergency = models.BooleanField(default=False)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged")
    submitted_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    open311_token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    lapor_id = models.CharField(max_length=60, blank=True)

    event_kind = "complaint"
    holder_fields = ("agency", "agency_since")

    class Meta:
        indexes = [
            # The Live Room's triage queue: reports waiting for verification, soonest due first.
            models.Index(fields=["due_at"], condition=Q(state="triage"), name="complaint_triage_idx"),
            # An agency's inbox: the reports it holds, soonest due first.
            models.Index(fields=["agency", "due_at"], condition=OPEN_COMPLAINTS, name="complaint_agency_open_idx"),
            # Duplicate suggestion: same category, recent, then a box around the pin.
            models.Index(fields=["category", "submitted_at"], name="complaint_category_time_idx"),
            # The public feed and Open311 requests: newest first, never the confidential ones.
            models.Index(fields=["submitted_at"], condition=Q(confidential=False), name="complaint_public_idx"),
            models.Index(fields=["reporter", "submitted_at"], name="complaint_reporter_idx"),
            # The dashboards' periods (kotalive/dashboard): what was submitted, and what closed, between two days.
            models.Index(fields=["submitted_at"], name="complaint_submitted_idx"),
            models.Index(fields=["closed_at"], condition=Q(closed_at__isnull=False), name="complaint_closed_idx"),
            models.Index(fields=["due_at"], condition=OPEN_COMPLAINTS, name="complaint_sweep_idx"),
            # The sweep's timeouts (the automatic close of an unconfirmed report): the few with one set.
            models.Index(fields=["timeout_at"], condition=Q(timeout_at__isnull=False), name="complaint_timeout_idx"),
        ]

    def __str__(self) -> str:
        return self.tracking

    @property
    def confirm_by(self) -> dt.datetime | None:
        """Until when the reporter confirms or reopens (the awaiting-confirmation state's timeout)."""
        return self.timeout_at

    def holder_agency(self) -> object:
        return self.agency

    def holder_agency_set(self, agency: object, *, now: dt.datetime) -> None:
        self.agency, self.agency_since = agency, now  # type: ignore[assignment]

    def event_subject(self) -> str:
        return self.tracking

    def event_agency(self) -> str:
        return self.agency.code if self.agency is not None else ""

    def event_audience(self) -> Audience:
        """The helper agencies working on the report besides its holder; its reporter, who sees it whole, and its
        followers (the reporters of duplicates merged into it), who see only its public face: their feed shows the
        public keys of its events (kotalive/complaints/events.py), their notices no reason (security issue 13)."""
        helpers = helper_agencies(self)
        followers = set(Follower.objects.filter(complaint=self).values_list("user_id", flat=True))
        reporter = {self.reporter_id} if self.reporter_id else set()
        return Audience(
            agencies=frozenset(helpers.values_list("agency__code", flat=True)),
            people=frozenset(reporter),
            public_people=frozenset(followers - reporter),
        )

    def event_data(self) -> dict[str, object]:
        # Never the reporter: events reach agencies, and an anonymous reporter must stay unknown to them.
        return {
            "tracking": self.tracking,
            "kind": self.kind,
            "category": self.category.code,
            "agency": self.agency.code if self.agency is not None else None,
            "kelurahan": self.kelurahan_id,
        }


class Photo(models.Model):
    """A photo of a report (by the reporter) or of the work (before/after, by the agency), metadata stripped."""

    REPORT, BEFORE, AFTER = "report", "before", "after"
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="photos")
    upload = models.ForeignKey("core.Upload", on_delete=models.PROTECT, related_name="+")
    stage = models.CharField(max_length=6, default=REPORT)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["added_at", "id"]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.stage}"


class Follower(models.Model):
    """A citizen who follows a report they did not file: the reporter of a duplicate merged into it."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="followers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    since = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["complaint", "user"], name="follower_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} follows {self.complaint_id}"


class LaporMessage(models.Model):
    """Something to tell SP4N-LAPOR! (a new report, a reply), sent by the worker until it is accepted."""

    FORWARD, REPLY = "forward", "reply"
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="lapor_messages")
    kind = models.CharField(max_length=8)
    event_id = models.CharField(max_length=64, unique=True)  # the outbox event it came from: written once
    payload = models.JSONField()
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["next_attempt_at"], condition=Q(sent_at__isnull=True), name="lapor_due_idx")]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.kind}"
