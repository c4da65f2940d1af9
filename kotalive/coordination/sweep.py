"""Coordination requests on the kernel's SLA sweep (kotalive/workflow/sweep.py), registered from
CoordinationConfig.ready(): reminders and escalation follow the request's due date like any subject's, by the
chain of its cooperation agreement (at risk -> the asked agency's liaison; breached -> its head; later -> the
platform operator)."""

from typing import Any

from django.db.models import QuerySet

from kotalive.agencies.models import StaffRole
from kotalive.coordination.models import OPEN_CATEGORY_LIST, CoordinationRequest
from kotalive.coordination.services import DEFAULT_ESCALATION
from kotalive.workflow.sweep import StaffLookup, SweepKind, sweep_kind_register


class CoordinationSweep(SweepKind):
    kind = CoordinationRequest.event_kind
    target_key = "target"

    def candidates(self) -> "QuerySet[CoordinationRequest]":
        # state_category IN the open list: the partial index coord_sweep_idx serves the due filter.
        return CoordinationRequest.objects.filter(state_category__in=OPEN_CATEGORY_LIST).select_related(
            "workflow", "agreement", "from_agency", "to_agency"
        )

    def chain(self, subject: CoordinationRequest) -> list[dict[str, Any]]:
        return list(subject.agreement.escalation or DEFAULT_ESCALATION)

    def names(self, subject: CoordinationRequest, target: str) -> Any:
        if target == "liaison":
            return StaffLookup(StaffRole.LIAISON, subject.to_agency_id)
        if target == "head":
            return StaffLookup(StaffRole.HEAD, subject.to_agency_id)
        if target == "operator":
            return StaffLookup(StaffRole.OPERATOR)
        return StaffLookup(StaffRole.LEADERSHIP)


sweep_kind_register(CoordinationSweep())
