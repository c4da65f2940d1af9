"""SLA clocks on working days: start, pause while the citizen is asked, resume, status; when an escalation rule
applies and the in-app notice to the person it names (used by the one SLA sweep, kotalive/workflow/sweep.py)."""

import datetime as dt
import uuid
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kotalive.core.calendar import (
    WorkingCalendar,
    add_working_days,
    calendar_from,
    end_of_office_day,
    local_date,
    working_days_between,
)
from kotalive.notifications.models import Notification
from kotalive.workflow.definitions import AWAITING_CITIZEN, TERMINAL
from kotalive.workflow.models import WorkflowStep, WorkflowSubject

AT_RISK_WORKING_DAYS = 1  # a clock with this many working days left (or fewer) is at risk


def sla_start(subject: WorkflowSubject, *, now: dt.datetime, working_days: int) -> None:
    calendar = calendar_from(local_date(now))  # one read of the overrides for both clocks
    subject.sla_working_days = working_days
    subject.started_at = now
    subject.due_at = end_of_office_day(add_working_days(local_date(now), working_days, calendar=calendar))
    subject.sla_status = WorkflowSubject.ON_TRACK
    state_clock_start(subject, now=now, calendar=calendar)


def sla_stop(subject: WorkflowSubject, *, now: dt.datetime) -> None:
    """The clock ends now, met or missed; the subject goes on without one (a report awaiting the Live Room's check)."""
    missed = subject.due_at is not None and now > subject.due_at
    subject.sla_status = WorkflowSubject.MISSED if missed else WorkflowSubject.MET


def state_clock_start(subject: WorkflowSubject, *, now: dt.datetime, calendar: WorkingCalendar | None = None) -> None:
    """Start the per-state clock of the state the subject just entered (none when the state has no SLA)."""
    days = subject.workflow.parsed.states[subject.state].sla_working_days
    subject.state_entered_at = now
    subject.state_due_at = (
        end_of_office_day(add_working_days(local_date(now), days, calendar=calendar)) if days is not None else None
    )


def state_overdue(subject: WorkflowSubject, *, now: dt.datetime) -> bool:
    """The current state has its own SLA and has outlived it (paused and finished subjects never are)."""
    return (
        subject.state_due_at is not None
        and subject.paused_at is None
        and subject.state_category not in TERMINAL
        and now > subject.state_due_at
    )


def sla_after_move(subject: WorkflowSubject, *, old_category: str, now: dt.datetime) -> None:
    """Pause when the subject starts waiting for the citizen, push the due date when it stops, stop at the end."""
    new_category = subject.state_category
    stopped = subject.sla_status in (WorkflowSubject.MET, WorkflowSubject.MISSED)  # clock_stop ended it before
    if stopped:
        if new_category in TERMINAL:
            subject.closed_at = now
        return  # met or missed stays as decided when the clock stopped (a report resolved in time)
    if new_category == AWAITING_CITIZEN and old_category != AWAITING_CITIZEN:
        sla_pause(subject, now=now)
    elif old_category == AWAITING_CITIZEN and new_category != AWAITING_CITIZEN and subject.paused_at:
        sla_resume(subject, now=now)
    if new_category in TERMINAL:
        subject.closed_at = now
        missed = subject.due_at is not None and now > subject.due_at
        subject.sla_status = WorkflowSubject.MISSED if missed else WorkflowSubject.MET


def sla_pause(subject: WorkflowSubject, *, now: dt.datetime) -> None:
    """The clock stops counting while someone outside the holder is asked (the citizen, the asking agency)."""
    if subject.paused_at is None:
        subject.paused_at = now
        subject.sla_status = WorkflowSubject.PAUSED


def sla_resume(subject: WorkflowSubject, *, now: dt.datetime) -> None:
    """The clock counts again; the due date moves by the working days it was paused."""
    if subject.paused_at is None:
        return
    paused_days = working_days_between(local_date(subject.paused_at), local_date(now))
    subject.paused_working_days += paused_days
    if subject.due_at is not None:
        subject.due_at = end_of_office_day(add_working_days(local_date(subject.due_at), paused_days))
    subject.paused_at = None
    subject.sla_status = sla_status_now(subject, now=now)


def sla_status_now(subject: WorkflowSubject, *, now: dt.datetime, calendar: WorkingCalendar | None = None) -> str:
    """On track, at risk (one working day or less left), breached; paused or finished clocks keep their status.
    `calendar`: the working days read once for many subjects (see core.calendar.working_days_between)."""
    if subject.state_category in TERMINAL or subject.paused_at is not None or subject.due_at is None:
        return subject.sla_status
    if now > subject.due_at:
        return WorkflowSubject.BREACHED
    if working_days_between(local_date(now), local_date(subject.due_at), calendar=calendar) <= AT_RISK_WORKING_DAYS:
        return WorkflowSubject.AT_RISK
    return WorkflowSubject.ON_TRACK


def working_days_overdue(subject: WorkflowSubject, *, now: dt.datetime, calendar: WorkingCalendar | None = None) -> int:
    if subject.due_at is None or now <= subject.due_at:
        return 0
    return working_days_between(local_date(subject.due_at), local_date(now), calendar=calendar)


def escalation_due(rule: dict[str, Any], *, status: str, overdue_days: int) -> bool:
    """Whether a rule of an escalation chain applies now: `at_risk` rules once the clock is at risk (or past it),
    `breached` rules once it is breached by at least the rule's `after_working_days`."""
    if rule["when"] == "at_risk":
        return status in {WorkflowSubject.AT_RISK, WorkflowSubject.BREACHED}
    return status == WorkflowSubject.BREACHED and overdue_days >= int(rule.get("after_working_days", 0) or 0)


def _escalation_message(*, tracking: str, when: str, overdue_days: int) -> str:
    if when == "at_risk":
        return _("%(tracking)s is close to its due date and has been escalated to you.") % {"tracking": tracking}
    if overdue_days <= 0:
        return _("%(tracking)s is past its due date and has been escalated to you.") % {"tracking": tracking}
    return ngettext(
        "%(tracking)s is %(days)d working day past its due date and has been escalated to you.",
        "%(tracking)s is %(days)d working days past its due date and has been escalated to you.",
        overdue_days,
    ) % {"tracking": tracking, "days": overdue_days}


def escalation_notify(
    *, subject: WorkflowSubject, step: WorkflowStep, rule: dict[str, Any], target: str, notified: Any, overdue_days: int
) -> Notification | None:
    """The in-app notice (kind `<subject kind>.escalated`) to the person an escalation rule names, written in the
    subject's sweep transaction beside the escalation's step. The sweep calls it for every kind, so the person
    named by a rule hears of it the same way for applications and complaints. None when the rule named nobody (no
    one holds the role)."""
    if notified is None:
        return None
    tracking = subject.event_subject()
    # Staff keep no language of their own: the notice is written in the platform's language (LANGUAGE_CODE), and
    # its words in both languages for the bell and the external channels.
    with translation.override(settings.LANGUAGE_CODE):
        message = _escalation_message(tracking=tracking, when=str(rule["when"]), overdue_days=overdue_days)
    what = {}
    for language in ("id", "en"):
        with translation.override(language):
            what[language] = _escalation_message(tracking=tracking, when=str(rule["when"]), overdue_days=overdue_days)
    notice = Notification.objects.create(
        user=notified,
        # One notice per escalation step, whoever runs the sweep (the step is unique; retries find the same id).
        event_id=uuid.uuid5(uuid.NAMESPACE_URL, f"{subject.event_kind}-escalation:{subject.pk}:{step.pk}"),
        kind=f"{subject.event_kind}.escalated",
        subject=tracking,
        data={
            "when": rule["when"],
            "target": target,
            "to_state": subject.state,
            "working_days_overdue": overdue_days,
            "message": message,
            "what": what,
        },
        agency=subject.event_agency(),
    )
    from kotalive.workflow.delivery import deliveries_plan  # noqa: PLC0415 (delivery reads subjects, which read this)

    deliveries_plan([notice])  # an officer is told the same way as a citizen
    return notice
