"""Complaints' adapter on the kernel's SLA sweep (kotalive/workflow/sweep.py), and the automatic close.

1. The sweep (registered from ComplaintsConfig.ready()) refreshes the SLA status of reports whose holder's clock is
   close to or past due (the Live Room's 3 working days to verify, an agency's 5 to follow up), and applies the
   category's escalation chain once per rule and holder's clock (key "target"): at risk -> the holder's liaison
   officer; breached -> the agency head; breached by N more working days -> leadership. Each escalation is a
   `workflow.Escalation` row naming the holding agency, a timeline step, an audit entry, a complaint.escalated
   event and an in-app notice to the person it names.
2. `complaints_close_unconfirmed` closes reports whose reporter neither confirmed nor reopened within 10 days of the
   Live Room's verification; the complaints' worker job runs it after the sweep (`complaint_sweep`).
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from kotalive.agencies.models import StaffRole
from kotalive.complaints.models import Complaint
from kotalive.complaints.services import complaint_transition
from kotalive.core.errors import Conflict
from kotalive.workflow.sweep import StaffLookup, SweepKind, SweepResult, sla_sweep, sweep_kind_register

BATCH = 500
CLOCKED_STATES = ["triage", "disposed", "in_progress"]


@dataclass
class ComplaintSweepResult(SweepResult):
    closed: int = 0


class ComplaintSweep(SweepKind):
    kind = Complaint.event_kind
    target_key = "target"
    recheck = ("agency_id",)  # the targets are the holding agency's staff

    def candidates(self) -> "QuerySet[Complaint]":
        return Complaint.objects.filter(state__in=CLOCKED_STATES).select_related("category", "agency", "workflow")

    def chain(self, subject: Complaint) -> list[dict[str, Any]]:
        return list(subject.category.escalation)

    def names(self, subject: Complaint, target: str) -> Any:
        """While the Live Room holds the report, its operators stand for the liaison and the operating agency's
        head for the head."""
        live_room = subject.agency_id is None
        if target == "liaison":
            return StaffLookup(StaffRole.OPERATOR) if live_room else StaffLookup(StaffRole.LIAISON, subject.agency_id)
        if target == "head":
            return (
                StaffLookup(StaffRole.HEAD, operating_agency=True)
                if live_room
                else StaffLookup(StaffRole.HEAD, subject.agency_id)
            )
        if target == "operator":
            return StaffLookup(StaffRole.OPERATOR)
        return StaffLookup(StaffRole.LEADERSHIP)


sweep_kind_register(ComplaintSweep())


def complaints_close_unconfirmed(*, now: dt.datetime | None = None) -> int:
    """Close the reports whose reporter let the confirmation time pass (each in its own transition); returns how
    many closed."""
    now = now or timezone.now()
    unconfirmed = Complaint.objects.filter(state="awaiting_confirmation", confirm_by__lt=now).values_list(
        "tracking", "version"
    )
    closed = 0
    for tracking, version in list(unconfirmed[:BATCH]):
        try:
            complaint_transition(actor=None, tracking=tracking, action="close_unconfirmed", version=version)
        except Conflict:
            continue  # the reporter answered in the meantime
        closed += 1
    return closed


def complaint_sweep(*, now: dt.datetime | None = None) -> ComplaintSweepResult:
    """The complaints' minute: the kernel's SLA sweep over reports, then the automatic close."""
    now = now or timezone.now()
    swept = sla_sweep(Complaint.event_kind, now=now)
    return ComplaintSweepResult(**vars(swept), closed=complaints_close_unconfirmed(now=now))
