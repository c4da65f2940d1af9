"""Applications' adapter on the kernel's SLA sweep (kotalive/workflow/sweep.py), registered from CasesConfig.ready().

The sweep refreshes the SLA status of open cases close to or past their due time and applies the service version's
escalation chain once per rule: at risk -> the assignee; breached -> the agency head; breached by N more working
days -> the operator (as the service's data says, key "notify"). Each escalation is a `workflow.Escalation` row, a
timeline step, an audit entry, a case.escalated event and an in-app notice to the person the rule names; the
applicant's stored view is rebuilt after the change (the after-change hook, kotalive/cases/snapshots.py).
"""

from typing import Any

from django.db.models import QuerySet

from kotalive.agencies.models import StaffRole
from kotalive.cases.models import Case
from kotalive.cases.selectors import OPEN_CATEGORIES
from kotalive.workflow.sweep import StaffLookup, SweepKind, sweep_kind_register

# Who a rule's "notify" names besides the assignee: the case agency's head, or a platform-wide role.
_ROLES = {
    "head": lambda case: StaffLookup(StaffRole.HEAD, case.agency_id),
    "operator": lambda case: StaffLookup(StaffRole.OPERATOR),
    "leadership": lambda case: StaffLookup(StaffRole.LEADERSHIP),
}


class CaseSweep(SweepKind):
    kind = Case.event_kind
    target_key = "notify"
    recheck = ("assignee_id",)  # a rule for "assignee" names whoever holds the case when it escalates

    def candidates(self) -> "QuerySet[Case]":
        # state_category IN the open list: the partial index case_open_sweep_idx serves the due filter.
        return Case.objects.filter(state_category__in=OPEN_CATEGORIES).select_related(
            "service_version", "service", "agency", "assignee", "applicant"
        )

    def chain(self, subject: Case) -> list[dict[str, Any]]:
        return list(subject.service_version.escalation)

    def names(self, subject: Case, target: str) -> Any:
        if target == "assignee":
            return subject.assignee
        return _ROLES[target](subject)


sweep_kind_register(CaseSweep())
