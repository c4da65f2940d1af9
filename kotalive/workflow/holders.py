"""Who holds a subject and for how long, the same for every kind: one `Holding` row per holder's stretch (an agency
as lead or helper, a unit, a person), opened when it receives the subject and closed when it leaves.

The engine applies the holder effects a workflow definition declares (workflow.effects); services of a kind call
these directly only for what is not a transition (assigning an officer). Everything here runs inside the caller's
transaction, the subject row locked.
"""

import datetime as dt
from typing import Any

from django.db.models import DurationField, ExpressionWrapper, F, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from kotalive.workflow.models import Holding, WorkflowSubject


def holdings(subject: WorkflowSubject) -> "QuerySet[Holding]":
    return Holding.objects.filter(subject_type=subject.event_kind, subject_id=subject.pk)


def holding_open(
    subject: WorkflowSubject,
    *,
    agency_id: int,
    now: dt.datetime,
    role: str = Holding.LEAD,
    person: Any = None,
    accepted: bool = False,
) -> Holding:
    """Start a holder's stretch: the agency (as lead or helper), or one of its people when `person` is given
    (accepted at once when the same holder works on it again, or a person is assigned)."""
    return Holding.objects.create(
        subject_type=subject.event_kind,
        subject_id=subject.pk,
        holder=Holding.PERSON if person is not None else Holding.AGENCY,
        agency_id=agency_id,
        person=person,
        role=role,
        received_at=now,
        accepted_at=now if accepted or person is not None else None,
    )


def holding_close(
    subject: WorkflowSubject,
    *,
    now: dt.datetime,
    outcome: str,
    role: str = Holding.LEAD,
    holder: str = Holding.AGENCY,
    reason: str = "",
) -> tuple[int, set[str]]:
    """End the open stretches of `holder`s in `role`; returns the seconds the longest of them held the subject
    and the codes of their agencies."""
    current = list(holdings(subject).filter(role=role, holder=holder, left_at__isnull=True).select_related("agency"))
    if not current:
        return 0, set()
    holdings(subject).filter(pk__in=[h.pk for h in current]).update(left_at=now, outcome=outcome, reason=reason)
    seconds = max(int((now - h.received_at).total_seconds()) for h in current)
    return seconds, {h.agency.code for h in current}


def holding_accept(subject: WorkflowSubject, *, now: dt.datetime) -> None:
    """The lead agency acknowledges it has the subject (its time to accept ends)."""
    holdings(subject).filter(
        role=Holding.LEAD, holder=Holding.AGENCY, left_at__isnull=True, accepted_at__isnull=True
    ).update(accepted_at=now)


def holdings_close_all(subject: WorkflowSubject, *, now: dt.datetime, outcome: str = "closed") -> None:
    """The subject ended: every holder's open stretch ends with it."""
    holdings(subject).filter(left_at__isnull=True).update(left_at=now, outcome=outcome)


def helper_agencies(subject: WorkflowSubject) -> "QuerySet[Holding]":
    """The helper agencies working on the subject now."""
    return holdings(subject).filter(role=Holding.SUPPORT, holder=Holding.AGENCY, left_at__isnull=True)


def time_with_agencies(kind: str, *, now: dt.datetime, since: dt.datetime | None = None) -> dict[str, dt.timedelta]:
    """Each agency's total time with subjects of `kind` (as lead; open stretches count until `now`), keyed by the
    agency's code: one query, the same for every kind."""
    held = Holding.objects.filter(subject_type=kind, holder=Holding.AGENCY, role=Holding.LEAD)
    if since is not None:
        held = held.filter(received_at__gte=since)
    spent = ExpressionWrapper(Coalesce(F("left_at"), Value(now)) - F("received_at"), output_field=DurationField())
    rows = held.values("agency__code").annotate(total=Sum(spent)).order_by("agency__code")
    return {row["agency__code"]: row["total"] for row in rows}
