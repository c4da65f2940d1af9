"""The SLA sweep, run by the worker every minute (`kotalive sla-sweep` runs it once).

It refreshes the SLA status of open cases that are close to or past their due time, and applies each service
version's escalation chain once per rule: at risk -> the assignee; breached -> the agency head; breached by N more
working days -> the operator (as the service's data says). Each escalation is recorded on the case (a row, a
timeline step, an audit entry and a case.escalated event) and notified in-app to the person the rule names
(workflow.sla.escalation_notify, as complaint escalations are).
"""

import datetime as dt
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from kotalive.accounts.models import User
from kotalive.agencies.models import StaffRole
from kotalive.cases.models import Case, Escalation
from kotalive.cases.selectors import OPEN_CATEGORIES
from kotalive.cases.snapshots import case_snapshot_refresh
from kotalive.core.calendar import add_working_days, end_of_office_day, local_date
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


@dataclass
class SweepResult:
    checked: int = 0
    status_changed: int = 0
    escalations: int = 0


def _target_user(case: Case, target: str) -> User | None:
    if target == "assignee":
        return case.assignee
    roles = {
        "head": (StaffRole.HEAD, case.agency_id),
        "operator": (StaffRole.OPERATOR, None),
        "leadership": (StaffRole.LEADERSHIP, None),
    }
    role, agency_id = roles[target]
    grants = StaffRole.objects.filter(role=role)
    grants = grants.filter(agency_id=agency_id) if agency_id is not None else grants.filter(agency__isnull=True)
    grant = grants.select_related("user").order_by("id").first()
    return grant.user if grant else None


def _sweep_case(case: Case, now: dt.datetime, result: SweepResult) -> None:
    status = sla_status_now(case, now=now)
    stale_view = status != case.sla_status  # the applicant's stored view shows the SLA status
    if stale_view:
        case.sla_status = status
        case.save(update_fields=["sla_status"])
        result.status_changed += 1
    overdue = working_days_overdue(case, now=now)
    done = set(Escalation.objects.filter(case=case).values_list("rule", flat=True))
    for index, rule in enumerate(case.service_version.escalation):
        if index in done or not escalation_due(rule, status=status, overdue_days=overdue):
            continue
        target = str(rule["notify"])
        user = _target_user(case, target)
        Escalation.objects.create(case=case, rule=index, when=str(rule["when"]), target=target, notified=user, at=now)
        step = escalation_step_record(
            subject=case, rule_index=index, rule=rule, target=target, notified=user, overdue_days=overdue
        )
        escalation_notify(subject=case, step=step, rule=rule, target=target, notified=user, overdue_days=overdue)
        result.escalations += 1
        stale_view = False  # each escalation step refreshed the stored view
    if stale_view:
        case_snapshot_refresh(case=case)


def sla_sweep(*, now: dt.datetime | None = None) -> SweepResult:
    """One pass over the open cases whose clock needs attention. Safe to run from several workers at once on
    PostgreSQL (rows are claimed with SKIP LOCKED)."""
    now = now or timezone.now()
    threshold = end_of_office_day(add_working_days(local_date(now), AT_RISK_WORKING_DAYS))
    result = SweepResult()
    needs_look = Q(due_at__lte=threshold) | Q(sla_status__in=[WorkflowSubject.AT_RISK, WorkflowSubject.BREACHED])
    last_id = 0
    while True:
        with transaction.atomic():
            batch = Case.objects.filter(
                needs_look, state_category__in=OPEN_CATEGORIES, paused_at__isnull=True, id__gt=last_id
            ).order_by("id")
            if connection.vendor == "postgresql":
                batch = batch.select_for_update(skip_locked=True, of=("self",))
            cases = list(batch.select_related("service_version", "agency", "assignee", "service")[:BATCH])
            for case in cases:
                result.checked += 1
                _sweep_case(case, now, result)
        if len(cases) < BATCH:
            return result
        last_id = cases[-1].id
