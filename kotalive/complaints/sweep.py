"""Complaints' adapter on the kernel's SLA sweep (kotalive/workflow/sweep.py), and the automatic close.

1. The sweep (registered from ComplaintsConfig.ready()) refreshes the SLA status of reports whose holder's clock is
   close to or past due (the Live Room's 3 working days to verify, an agency's 5 to follow up), and applies the
   category's escalation chain once per rule and holder's clock (key "target"): at risk -> the holder's liaison
   officer; breached -> the agency head; breached by N more working days -> leadership. Each escalation is a
   `workflow.Escalation` row naming the holding agency, a timeline step, an audit entry, a complaint.escalated
   event and an in-app notice to the person it names.
2. The timeout of the awaiting-confirmation state (its workflow definition) closes reports whose reporter neither
   confirmed nor reopened within 10 days of the Live Room's verification (`act`, the system's transition).
"""

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from kotalive.agencies.models import StaffRole
from kotalive.complaints.models import OPEN_CATEGORY_LIST, Complaint
from kotalive.complaints.services import complaint_transition
from kotalive.workflow.sweep import StaffLookup, SweepKind, SweepResult, sla_sweep, sweep_kind_register


class ComplaintSweep(SweepKind):
    kind = Complaint.event_kind
    target_key = "target"
    recheck = ("agency_id",)  # the targets are the holding agency's staff

    def candidates(self) -> "QuerySet[Complaint]":
        # state_category IN the open list: the partial index complaint_sweep_idx serves the due filter.
        return Complaint.objects.filter(state_category__in=OPEN_CATEGORY_LIST).select_related(
            "category", "agency", "workflow"
        )

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

    def act(self, subject: Complaint, action: str) -> None:
        complaint_transition(actor=None, tracking=subject.tracking, action=action, version=subject.version)


sweep_kind_register(ComplaintSweep())


def complaint_sweep(*, now: dt.datetime | None = None) -> SweepResult:
    """The complaints' minute: the kernel's SLA sweep over reports, with their states' timeouts (the automatic close
    of a report whose reporter let the confirmation time pass)."""
    return sla_sweep(Complaint.event_kind, now=now or timezone.now())
