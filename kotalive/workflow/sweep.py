"""The SLA sweep of every subject kind: refresh the SLA status of subjects whose clock is close to or past due and
apply their escalation chain once per rule and clock (at risk -> the assignee or liaison; breached -> the agency
head; breached by N more working days -> the operator or leadership, as the kind's data says).

Each kind registers a small adapter from its AppConfig.ready() (`sweep_kind_register`): its candidates, the chain
of a subject and who a rule's target names. The worker's jobs of each kind and `kotalive sla-sweep` call
`sla_sweep(kind)`. One pass, batch by batch, then the states' timeouts (`SweepKind.act`):

1. reads a batch of candidates without locks, then what deciding needs for the whole batch at once: the working
   calendar, the escalations already recorded, the staff the due rules name (a fixed number of queries per batch);
2. decides per subject whether anything changes (its SLA status, a rule that is due); a subject with nothing to do
   costs no further query;
3. gives each subject that changes its own short transaction: lock its row (skipping one another transaction holds),
   check that it has not moved since the read (its version, clock and what the targets depend on; if it has, it is
   skipped and the next pass sees it), then write its status, escalation rows, timeline steps with their events and
   audit entries (`workflow.services.escalation_step_record`) and the in-app notices
   (`workflow.sla.escalation_notify`).

No transaction spans two subjects, so a sweep over thousands of overdue subjects never holds a row another write
needs for longer than one subject's writes (docs/performance.md, the sweep benchmark).
"""

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from kotalive.agencies.models import Agency, StaffRole
from kotalive.core.calendar import WorkingCalendar, add_working_days, end_of_office_day, local_date
from kotalive.core.errors import Conflict
from kotalive.workflow.hooks import after_change_run, after_changes_once
from kotalive.workflow.models import Escalation, WorkflowSubject
from kotalive.workflow.services import escalation_step_record
from kotalive.workflow.sla import (
    AT_RISK_WORKING_DAYS,
    escalation_due,
    escalation_notify,
    sla_status_now,
    working_days_overdue,
)

logger = logging.getLogger("kotalive.worker")

BATCH = 500
# What a decision read from the subject: if any of it moved between the read and the lock, the subject is skipped.
RECHECKED = ("version", "state", "sla_status", "due_at", "started_at", "paused_at")
STOPPED = (WorkflowSubject.MET, WorkflowSubject.MISSED)


@dataclass(frozen=True)
class StaffLookup:
    """The first member of staff (by grant) holding `role` in agency `agency_id` (platform-wide when None); with
    `operating_agency`, in the platform operator's agency (the Live Room's). Resolved for a whole batch at once."""

    role: str
    agency_id: int | None = None
    operating_agency: bool = False


class SweepKind:
    """What a subject kind tells the sweep. A kind subclasses it and registers one instance from its
    AppConfig.ready() with `sweep_kind_register`."""

    kind: str = ""  # the subject model's event_kind
    target_key: str = "target"  # the key of a chain rule that names its target
    recheck: tuple[str, ...] = ()  # further fields (attnames) the rule targets depend on, e.g. "assignee_id"

    def candidates(self) -> "QuerySet[Any]":
        """The subjects whose clock runs (open, in a clocked state), with select_related for what the chain, the
        targets and the subject's events read. The sweep adds the due filter, "not paused" and the batching."""
        raise NotImplementedError

    def chain(self, subject: Any) -> list[dict[str, Any]]:
        """The escalation chain that applies to `subject` (data: the service version's, the category's)."""
        raise NotImplementedError

    def names(self, subject: Any, target: str) -> Any:
        """Who `target` names for `subject`: a user, None (nobody), or a StaffLookup resolved for the batch."""
        raise NotImplementedError

    def act(self, subject: Any, action: str) -> None:
        """Take `action` on `subject` for the system (a state's timeout): the kind's own use case, in its own
        transaction, raising Conflict when the subject moved meanwhile. Kinds without timeouts need not."""
        raise NotImplementedError


_KINDS: dict[str, SweepKind] = {}


def sweep_kind_register(adapter: SweepKind) -> SweepKind:
    """Make `adapter.kind` sweepable (called from the kind's AppConfig.ready(); registering again replaces)."""
    if not adapter.kind:
        raise ValueError("a sweep adapter names its kind (the subject's event_kind)")
    _KINDS[adapter.kind] = adapter
    return adapter


def sweep_kinds() -> list[str]:
    """The kinds that registered a sweep adapter, in registration order."""
    return list(_KINDS)


@dataclass
class SweepResult:
    checked: int = 0  # candidates read
    status_changed: int = 0
    escalations: int = 0
    skipped: int = 0  # changed or locked by someone else between the read and the lock: the next pass sees them
    timeouts: int = 0  # states' timeout actions taken (a report closed when its reporter let the time pass)


@dataclass
class _Plan:
    subject: Any
    status: str
    overdue_days: int
    due: list[tuple[int, dict[str, Any], str]] = field(default_factory=list)  # (rule index, rule, target)
    named: list[Any] = field(default_factory=list)  # who each due rule names, once resolved


def _calendar(subjects: list[Any], now: dt.datetime) -> WorkingCalendar:
    """One calendar over every date the batch's status and overdue counts look at."""
    days = [local_date(now)] + [local_date(s.due_at) for s in subjects if s.due_at is not None]
    return WorkingCalendar(min(days), max(days))


def _recorded(kind: str, subjects: Iterable[Any]) -> dict[tuple[int, dt.datetime | None], set[int]]:
    """The rules already escalated, per subject and clock (one query for the batch)."""
    done: dict[tuple[int, dt.datetime | None], set[int]] = {}
    rows = Escalation.objects.filter(subject_type=kind, subject_id__in=[s.pk for s in subjects])
    for subject_id, clock, rule in rows.values_list("subject_id", "clock_started_at", "rule"):
        done.setdefault((subject_id, clock), set()).add(rule)
    return done


def _directory(lookups: set[StaffLookup]) -> dict[StaffLookup, Any]:
    """The first grant holder for each lookup: the operator's agency (only when a lookup needs it) and the staff
    roles of the whole batch, one query each."""
    if not lookups:
        return {}
    operating: int | None = None
    if any(lookup.operating_agency for lookup in lookups):
        operating = Agency.objects.filter(role=Agency.OPERATOR).order_by("id").values_list("id", flat=True).first()
    where = {lookup: (lookup.role, operating if lookup.operating_agency else lookup.agency_id) for lookup in lookups}
    condition = Q()
    for role in sorted({role for role, _agency in where.values()}):
        agencies = {agency for r, agency in where.values() if r == role and agency is not None}
        part = Q(agency_id__in=sorted(agencies)) if agencies else Q()
        if any(r == role and agency is None for r, agency in where.values()):
            part = (part | Q(agency__isnull=True)) if agencies else Q(agency__isnull=True)
        condition |= Q(role=role) & part
    first: dict[tuple[str, int | None], Any] = {}
    for grant in StaffRole.objects.filter(condition).select_related("user").order_by("id"):
        first.setdefault((grant.role, grant.agency_id), grant.user)
    return {lookup: first.get(key) for lookup, key in where.items()}


def _plans(adapter: SweepKind, subjects: list[Any], now: dt.datetime) -> list[_Plan]:
    """What changes for each subject of the batch, decided from batched reads; subjects with nothing to do drop out."""
    calendar = _calendar(subjects, now)
    plans: list[_Plan] = []
    for subject in subjects:
        status = sla_status_now(subject, now=now, calendar=calendar)
        overdue = working_days_overdue(subject, now=now, calendar=calendar)
        due = [
            (index, rule, str(rule[adapter.target_key]))
            for index, rule in enumerate(adapter.chain(subject))
            if escalation_due(rule, status=status, overdue_days=overdue)
        ]
        if due or status != subject.sla_status:
            plans.append(_Plan(subject=subject, status=status, overdue_days=overdue, due=due))
    if any(plan.due for plan in plans):
        done = _recorded(adapter.kind, (plan.subject for plan in plans if plan.due))
        for plan in plans:
            escalated = done.get((plan.subject.pk, plan.subject.started_at), set())
            plan.due = [entry for entry in plan.due if entry[0] not in escalated]
        plans = [plan for plan in plans if plan.due or plan.status != plan.subject.sla_status]
    for plan in plans:
        plan.named = [adapter.names(plan.subject, target) for _index, _rule, target in plan.due]
    staff = _directory({named for plan in plans for named in plan.named if isinstance(named, StaffLookup)})
    for plan in plans:
        plan.named = [staff[named] if isinstance(named, StaffLookup) else named for named in plan.named]
    return plans


def _apply(adapter: SweepKind, plan: _Plan, now: dt.datetime, result: SweepResult) -> None:
    """Write one subject's changes in its own transaction, if it has not moved since it was read."""
    subject = plan.subject
    fields = RECHECKED + adapter.recheck
    try:
        with transaction.atomic(durable=True):
            locked = type(subject).objects.filter(pk=subject.pk)
            if connection.features.has_select_for_update_skip_locked:
                locked = locked.select_for_update(skip_locked=True, of=("self",))
            current = locked.values(*fields).first()
            if current is None or any(current[name] != getattr(subject, name) for name in fields):
                result.skipped += 1  # another transaction holds or moved it: the next pass sees it as it is then
                return
            changed = plan.status != subject.sla_status
            if changed:
                subject.sla_status = plan.status
                subject.save(update_fields=["sla_status"])
            holder = subject.event_agency()
            Escalation.objects.bulk_create(
                [
                    Escalation(
                        subject_type=adapter.kind,
                        subject_id=subject.pk,
                        clock_started_at=subject.started_at,
                        rule=index,
                        when=str(rule["when"]),
                        target=target,
                        holder=holder,
                        notified=user,
                        at=now,
                    )
                    for (index, rule, target), user in zip(plan.due, plan.named, strict=True)
                ]
            )
            with after_changes_once():  # the kind's stored views are rebuilt once, after the last step
                for (index, rule, target), user in zip(plan.due, plan.named, strict=True):
                    step = escalation_step_record(
                        subject=subject,
                        rule_index=index,
                        rule=rule,
                        target=target,
                        notified=user,
                        overdue_days=plan.overdue_days,
                    )
                    escalation_notify(
                        subject=subject,
                        step=step,
                        rule=rule,
                        target=target,
                        notified=user,
                        overdue_days=plan.overdue_days,
                    )
                if changed and not plan.due:
                    after_change_run(subject)  # the stored views show the SLA status
    except IntegrityError:
        # Another sweep recorded one of these escalations after this one read the batch (the unique constraint):
        # everything of this subject rolled back, and the next pass decides again.
        logger.info("sla sweep: %s %s escalated meanwhile, left for the next pass", adapter.kind, subject.pk)
        result.skipped += 1
        return
    result.status_changed += int(changed)
    result.escalations += len(plan.due)


def sla_sweep(kind: str, now: dt.datetime | None = None) -> SweepResult:
    """One pass over the subjects of `kind` (an event_kind with a registered adapter) whose clock needs attention.
    Safe to run from several workers at once: a subject another transaction holds is skipped (SKIP LOCKED on
    PostgreSQL) and the unique escalation per rule and clock is the backstop. Run it outside any transaction."""
    adapter = _KINDS[kind]
    now = now or timezone.now()
    threshold = end_of_office_day(add_working_days(local_date(now), AT_RISK_WORKING_DAYS))
    needs_look = Q(due_at__lte=threshold) | Q(sla_status__in=[WorkflowSubject.AT_RISK, WorkflowSubject.BREACHED])
    result = SweepResult()
    last_id = 0
    # A clock runs unless it is paused (the citizen is asked) or stopped (met or missed before the end).
    running = adapter.candidates().filter(needs_look, paused_at__isnull=True).exclude(sla_status__in=STOPPED)
    while True:
        batch = list(running.filter(id__gt=last_id).order_by("id")[:BATCH])
        result.checked += len(batch)
        if batch:
            for plan in _plans(adapter, batch, now):
                _apply(adapter, plan, now, result)
        if len(batch) < BATCH:
            break
        last_id = batch[-1].pk
    result.timeouts = _timeouts_take(adapter, now)
    return result


def _timeouts_take(adapter: SweepKind, now: dt.datetime) -> int:
    """Take the timeout action of every subject whose state's timeout passed (workflow.effects), one use case each;
    returns how many were taken (a subject that moved meanwhile is left as it is)."""
    if type(adapter).act is SweepKind.act:
        return 0  # the kind takes no action for the system (its definitions declare no timeout)
    taken = 0
    passed = adapter.candidates().filter(timeout_at__lt=now).select_related("workflow").order_by("timeout_at")
    for subject in list(passed[:BATCH]):
        timeout = subject.workflow.parsed.states[subject.state].timeout
        if not timeout:  # left from a state without one: clear it, so it never crowds out the real ones
            type(subject).objects.filter(pk=subject.pk, timeout_at=subject.timeout_at).update(timeout_at=None)
            continue
        try:
            adapter.act(subject, str(timeout["action"]))
        except Conflict:
            continue  # the citizen answered in the meantime
        taken += 1
    return taken
