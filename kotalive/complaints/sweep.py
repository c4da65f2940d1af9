"""The complaint sweep, run by the worker every minute beside the case SLA sweep.

1. Refreshes the SLA status of reports whose holder's clock is close to or past due (the Live Room's 3 working days
   to verify, an agency's 5 to follow up), and applies the category's escalation chain once per rule and holder:
   at risk -> the holder's liaison officer; breached -> the agency head; breached by N more working days ->
   leadership (as the category's data says). Each escalation is a row, a timeline step, an audit entry, a
   complaint.escalated event and an in-app notice to the person it names.
2. Closes reports whose reporter neither confirmed nor reopened within 10 days of the Live Room's verification.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from kotalive.accounts.models import User
from kotalive.agencies.models import Agency, StaffRole
from kotalive.complaints.models import Assignment, Complaint, Escalation
from kotalive.complaints.services import complaint_transition
from kotalive.core.calendar import add_working_days, end_of_office_day, local_date
from kotalive.core.errors import Conflict
from kotalive.workflow.models import WorkflowSubject
from kotalive.workflow.services import escalation_step_record
from kotalive.workflow.sla import (
    AT_RISK_WORKING_DAYS,
    escalation_due,
    escalation_notify,
    sla_status_now,
    working_days_overdue,
)

BATCH = 500
CLOCKED_STATES = ["triage", "disposed", "in_progress"]


@dataclass
class ComplaintSweepResult:
    checked: int = 0
    status_changed: int = 0
    escalations: int = 0
    closed: int = 0


def _first_holder(role: str, agency: Agency | None) -> User | None:
    grants = StaffRole.objects.filter(role=role)
    grants = grants.filter(agency=agency) if agency is not None else grants.filter(agency__isnull=True)
    grant = grants.select_related("user").order_by("id").first()
    return grant.user if grant else None


def _target_user(complaint: Complaint, target: str) -> User | None:
    """Who an escalation names. While the Live Room holds the report, its operators stand for the liaison and
    the operating agency's head for the head."""
    holder = complaint.agency or Agency.objects.filter(role=Agency.OPERATOR).order_by("id").first()
    if target == "liaison":
        if complaint.agency is None:
            return _first_holder(StaffRole.OPERATOR, None)
        return _first_holder(StaffRole.LIAISON, holder)
    if target == "head":
        return _first_holder(StaffRole.HEAD, holder)
    if target == "operator":
        return _first_holder(StaffRole.OPERATOR, None)
    return _first_holder(StaffRole.LEADERSHIP, None)


def _sweep_one(complaint: Complaint, now: dt.datetime, result: ComplaintSweepResult) -> None:
    status = sla_status_now(complaint, now=now)
    if status != complaint.sla_status:
        complaint.sla_status = status
        complaint.save(update_fields=["sla_status"])
        result.status_changed += 1
    overdue = working_days_overdue(complaint, now=now)
    current = (
        Assignment.objects.filter(complaint=complaint, role=Assignment.LEAD, left_at__isnull=True)
        .order_by("-received_at")
        .first()
        if complaint.agency_id
        else None
    )
    done = set(
        Escalation.objects.filter(complaint=complaint, clock_started_at=complaint.started_at).values_list(
            "rule", flat=True
        )
    )
    for index, rule in enumerate(complaint.category.escalation):
        if index in done or not escalation_due(rule, status=status, overdue_days=overdue):
            continue
        target = str(rule["target"])
        user = _target_user(complaint, target)
        Escalation.objects.create(
            complaint=complaint,
            clock_started_at=complaint.started_at,
            assignment=current,
            rule=index,
            when=str(rule["when"]),
            target=target,
            notified=user,
            at=now,
        )
        step = escalation_step_record(
            subject=complaint, rule_index=index, rule=rule, target=target, notified=user, overdue_days=overdue
        )
        escalation_notify(subject=complaint, step=step, rule=rule, target=target, notified=user, overdue_days=overdue)
        result.escalations += 1


def complaint_sweep(*, now: dt.datetime | None = None) -> ComplaintSweepResult:
    """One pass. Safe to run from several workers at once on PostgreSQL (rows are claimed with SKIP LOCKED)."""
    now = now or timezone.now()
    threshold = end_of_office_day(add_working_days(local_date(now), AT_RISK_WORKING_DAYS))
    result = ComplaintSweepResult()
    needs_look = Q(due_at__lte=threshold) | Q(sla_status__in=[WorkflowSubject.AT_RISK, WorkflowSubject.BREACHED])
    last_id = 0
    while True:
        with transaction.atomic():
            batch = Complaint.objects.filter(needs_look, state__in=CLOCKED_STATES, id__gt=last_id).order_by("id")
            if connection.vendor == "postgresql":
                batch = batch.select_for_update(skip_locked=True, of=("self",))
            complaints = list(batch.select_related("category", "agency", "workflow")[:BATCH])
            for complaint in complaints:
                result.checked += 1
                _sweep_one(complaint, now, result)
        if len(complaints) < BATCH:
            break
        last_id = complaints[-1].id
    unconfirmed = Complaint.objects.filter(state="awaiting_confirmation", confirm_by__lt=now).values_list(
        "tracking", "version"
    )
    for tracking, version in list(unconfirmed[:BATCH]):
        try:
            complaint_transition(actor=None, tracking=tracking, action="close_unconfirmed", version=version)
        except Conflict:
            continue  # the reporter answered in the meantime
        result.closed += 1
    return result
