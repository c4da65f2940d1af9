import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from kotalive.events.audience import Audience
from kotalive.workflow.definitions import Definition

_PARSED: dict[tuple[int, str, int], Definition] = {}


def _parsed(pk: int, code: str, version: int, document: dict[str, object]) -> Definition:
    key = (pk, code, version)
    found = _PARSED.get(key)
    # The content check guards against a reused primary key (a test database rolled back and refilled).
    if found is None or (found.document is not document and found.document != document):
        found = _PARSED[key] = Definition(document)
    return found


class WorkflowDefinition(models.Model):
    """A versioned workflow document (see definitions.py). A new version is a new row; running subjects keep
    the version they started with."""

    code = models.CharField(max_length=60)
    version = models.PositiveIntegerField()
    name = models.CharField(max_length=150)
    document = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code", "-version"]
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="workflow_code_version_unique")]

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"

    @property
    def parsed(self) -> Definition:
        # A stored version never changes (a change is a new row), so each process parses it once: list pages
        # show many subjects, each with its own copy of the definition row.
        return _parsed(self.pk, self.code, self.version, self.document)


class WorkflowSubject(models.Model):
    """What a workflow runs on (a case, later a complaint): its state, optimistic version and SLA clock.

    Kept on the subject's own row, not in a side table, so inboxes filter and sort on one indexed table.
    """

    ON_TRACK, AT_RISK, BREACHED, PAUSED, MET, MISSED = "on_track", "at_risk", "breached", "paused", "met", "missed"
    SLA_STATUSES = [(s, s) for s in (ON_TRACK, AT_RISK, BREACHED, PAUSED, MET, MISSED)]

    workflow = models.ForeignKey(WorkflowDefinition, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=40)
    state_category = models.CharField(max_length=20)
    version = models.PositiveIntegerField(default=1)
    sla_working_days = models.PositiveSmallIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    sla_status = models.CharField(max_length=10, choices=SLA_STATUSES, default=ON_TRACK)
    paused_at = models.DateTimeField(null=True, blank=True)
    paused_working_days = models.PositiveSmallIntegerField(default=0)
    closed_at = models.DateTimeField(null=True, blank=True)
    # The current state's own clock, when the definition gives the state sla_working_days (e.g. verification
    # within 1 working day); the whole-case clock above is what citizens see and what escalates.
    state_entered_at = models.DateTimeField(null=True, blank=True)
    state_due_at = models.DateTimeField(null=True, blank=True)
    # When the current state's timeout (definitions.State.timeout) has the system take its action; None otherwise.
    timeout_at = models.DateTimeField(null=True, blank=True)
    # While the subject waits on another agency (workflow.waiting): the state it goes back to.
    resume_state = models.CharField(max_length=40, blank=True)
    # When someone answering for the platform (staff, an agency system) first took a step on it: the start of
    # "time to first response" (workflow.services.responds), kept on the row so dashboards read no timeline.
    first_response_at = models.DateTimeField(null=True, blank=True)
    # Every channel failed to deliver the last notice to the citizen (workflow.delivery): officers see it until a
    # later notice gets through.
    citizen_unreachable_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    # The fields a holder change writes (workflow.effects): the kind's agency column and what goes with it.
    holder_fields: tuple[str, ...] = ()

    def holder_agency(self) -> Any:
        """The agency that holds the subject now (its lead), or None while the platform operator holds it."""
        return None

    def holder_agency_set(self, agency: Any, *, now: dt.datetime) -> None:
        raise NotImplementedError(f"{type(self).__name__} has no holder agency to change")

    # What the engine needs to know about the subject, for the timeline, audit and events.
    event_kind = "subject"

    def event_subject(self) -> str:
        return str(self.pk)

    def event_agency(self) -> str:
        return ""

    def event_data(self) -> dict[str, object]:
        return {}

    def event_audience(self) -> "Audience":
        """Every agency besides the holder (`event_agency`) and every person an event of this subject concerns."""
        return Audience()


class WorkflowStep(models.Model):
    """One transition taken: the backbone of a subject's timeline."""

    subject_type = models.CharField(max_length=20)
    subject_id = models.BigIntegerField()
    action = models.CharField(max_length=40)
    from_state = models.CharField(max_length=40, blank=True)
    to_state = models.CharField(max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_role = models.CharField(max_length=20, blank=True)
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["subject_type", "subject_id", "at"]),
            # The steps of one action of a kind (the dashboards' reopenings), without reading every timeline.
            models.Index(fields=["subject_type", "action"], name="step_kind_action_idx"),
            # A day's steps of a kind (the dashboards' day rollups), without reading every timeline.
            models.Index(fields=["subject_type", "at"], name="step_kind_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.subject_type}:{self.subject_id} {self.action}"


class Escalation(models.Model):
    """An escalation the SLA sweep raised on a subject of any kind: once per rule of the subject's chain and clock.

    Every new holder's clock (the Live Room again, another agency, the same agency after a reopen) starts a new
    chain, so the clock it was counted on is part of what makes it unique. `holder` is the agency code that held
    the subject when it escalated ("" while the platform operator's Live Room holds a report).
    """

    subject_type = models.CharField(max_length=20)  # the kind's event_kind: "case", "complaint"
    subject_id = models.BigIntegerField()
    clock_started_at = models.DateTimeField(null=True)  # the subject's started_at when the rule was counted
    rule = models.PositiveSmallIntegerField()  # index in the subject's escalation chain
    when = models.CharField(max_length=10)
    target = models.CharField(max_length=20)
    holder = models.CharField(max_length=20, blank=True)
    notified = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject_type", "subject_id", "clock_started_at", "rule"], name="escalation_once_per_clock"
            )
        ]
        indexes = [models.Index(fields=["subject_type", "at"], name="escalation_kind_at_idx")]  # a day's (rollups)

    def __str__(self) -> str:
        return f"{self.subject_type}:{self.subject_id} {self.when}->{self.target}"


class Rating(models.Model):
    """A subject's one rating by the person it served, on the scale its kind uses: "ikm", the nine elements U1-U9
    of the citizen satisfaction index (1-4 each, PermenPANRB 14/2017), for applications; "stars", one score 1-5,
    for complaints. The database keeps it to one per subject (workflow.services.subject_rate relies on that)."""

    IKM, STARS = "ikm", "stars"
    SCALES = [(IKM, "IKM U1-U9, 1-4 each"), (STARS, "1-5")]

    subject_type = models.CharField(max_length=20)  # the kind's event_kind: "case", "complaint"
    subject_id = models.BigIntegerField()
    scale = models.CharField(max_length=10, choices=SCALES)
    scores = models.JSONField()  # [u1, ..., u9] for ikm, [score] for stars
    comment = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        constraints = [models.UniqueConstraint(fields=["subject_type", "subject_id"], name="rating_once_per_subject")]
        indexes = [models.Index(fields=["subject_type", "at"], name="rating_kind_at_idx")]  # a day's answers (rollups)

    def __str__(self) -> str:
        return f"{self.subject_type}:{self.subject_id} {self.scale} {self.scores}"


class Holding(models.Model):
    """One holder's time with a subject of any kind: an agency (lead or helper), a unit or a person, from when it
    received the subject until it left (hand-off, resolution, the subject's end). Each row is that holder's clock,
    so "time with each agency" is one query over this table for every kind (workflow.holders)."""

    AGENCY, UNIT, PERSON = "agency", "unit", "person"
    HOLDERS = [(AGENCY, "agency"), (UNIT, "unit"), (PERSON, "person")]
    LEAD, SUPPORT = "lead", "support"
    ROLES = [(LEAD, "lead"), (SUPPORT, "support")]

    subject_type = models.CharField(max_length=20)  # the kind's event_kind: "case", "complaint"
    subject_id = models.BigIntegerField()
    holder = models.CharField(max_length=8, choices=HOLDERS, default=AGENCY)
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("agencies.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(max_length=8, choices=ROLES, default=LEAD)
    received_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    left_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=24, blank=True)  # handed_off, returned_to_operator, resolved, closed, ...
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["received_at", "id"]
        indexes = [
            models.Index(fields=["subject_type", "subject_id", "received_at"], name="holding_subject_idx"),
            # The hand-off ledger's subjects of a period: those whose lead stretches began in it.
            models.Index(
                fields=["subject_type", "received_at"],
                condition=models.Q(holder="agency", role="lead"),
                name="holding_received_idx",
            ),
            # An agency's current holdings (helpers' lists, who may act).
            models.Index(
                fields=["agency", "role", "subject_type"],
                condition=models.Q(left_at__isnull=True),
                name="holding_current_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject_type}:{self.subject_id} {self.holder} {self.agency_id} {self.role}"


class Message(models.Model):
    """A message on a subject of any kind: between the citizen and whoever handles it, between the agencies working
    on it, or an internal note (`internal`: agencies' staff only, never shown to the citizen, never an event)."""

    subject_type = models.CharField(max_length=20)  # the kind's event_kind: "case", "complaint"
    subject_id = models.BigIntegerField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Who wrote it, as the kind names its roles: citizen or staff (applications); reporter, operator, agency (reports).
    author_role = models.CharField(max_length=10)
    body = models.TextField()
    internal = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["subject_type", "subject_id", "created_at"], name="message_subject_idx")]

    def __str__(self) -> str:
        return f"{self.subject_type}:{self.subject_id} message {self.pk}"
