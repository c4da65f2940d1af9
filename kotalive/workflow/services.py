"""The workflow engine: take a transition on a subject, checking role, rules and the optimistic version."""

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kotalive.core.audit import audit_record
from kotalive.core.errors import Conflict, DomainError, PermissionDenied, ValidationFailed
from kotalive.events.audience import Audience
from kotalive.events.services import outbox_write
from kotalive.workflow.definitions import APPLICANT, TERMINAL, Transition, validate_definition
from kotalive.workflow.effects import clock_effects_apply, holder_effects_apply, kind_effects_apply
from kotalive.workflow.holders import holdings_close_all
from kotalive.workflow.hooks import after_change_run
from kotalive.workflow.models import Rating, WorkflowDefinition, WorkflowStep, WorkflowSubject
from kotalive.workflow.sla import sla_after_move, state_clock_start

# The roles of the asking side and of the system: their steps are no response to the subject (the citizen who
# applied or reported; the agency that asked for a coordination request).
NOT_A_RESPONSE = frozenset({APPLICANT, "reporter", "citizen", "requester", "system", ""})


def responds(*, role: str, action: str) -> bool:
    """Whether a step in `role` answers the subject (the first one sets its first_response_at)."""
    return role not in NOT_A_RESPONSE and action != "submit"


# What every move writes on the subject's row.
_MOVE_FIELDS = (
    "state_entered_at",
    "state_due_at",
    "state",
    "state_category",
    "version",
    "sla_working_days",
    "started_at",
    "due_at",
    "sla_status",
    "paused_at",
    "paused_working_days",
    "closed_at",
    "timeout_at",
)


class StaleVersion(Conflict):
    def __init__(self, current: int) -> None:
        super().__init__(
            _("This was changed in the meantime: the current version is %(version)d. Reload and try again.")
            % {"version": current},
            field="version",
            code="stale_version",
        )
        self.current = current


def workflow_definition_save(*, actor: Any, code: str, name: str, document: Any) -> WorkflowDefinition:
    """Validate and store a new version of workflow `code`."""
    errors = validate_definition(document)
    if errors:
        raise ValidationFailed({"document": errors})
    with transaction.atomic():
        last = WorkflowDefinition.objects.filter(code=code).order_by("-version").first()
        if last is not None and last.document == document and last.name == name:
            return last
        definition = WorkflowDefinition.objects.create(
            code=code, name=name, document=document, version=(last.version + 1) if last else 1
        )
        audit_record(
            actor=actor,
            action="workflow.definition_saved",
            obj=definition,
            data={"code": code, "version": definition.version},
        )
    return definition


def subject_event_write(
    *,
    subject: WorkflowSubject,
    event: str,
    data: dict[str, Any],
    audience: Audience | None = None,
    created: bool = False,
    public: bool = True,
) -> None:
    """The outbox event `<kind>.<event>` of a subject, with the subject's data, owner, test flag and audience, then
    the kind's after-change hooks: the one way every subject kind writes its events (inside the caller's
    transaction, the subject row locked).

    `created`: the subject was just inserted, with its derived views built from what the caller had in hand (a
    submission): its first event, and no hook needs to read it back. `public=False`: the event is no part of the
    subject's public face (a message, an escalation), so the people who see only that (its followers,
    `Audience.public_people`) are left out of its audience: neither their feed nor their notices show it."""
    whole = (subject.event_audience() | audience) if audience else subject.event_audience()
    outbox_write(
        first=created,
        event=f"{subject.event_kind}.{event}",
        subject=subject.event_subject(),
        agency=subject.event_agency(),
        test=bool(getattr(subject, "is_test", False)),
        data={**subject.event_data(), **data},
        audience=whole if public else whole.without_public(),
    )
    if not created:
        after_change_run(subject)  # the kind's derived views (workflow/hooks.py), before the caller's audit entry


def workflow_record_step(
    *,
    subject: WorkflowSubject,
    actor: Any,
    action: str,
    from_state: str,
    role: str = "",
    reason: str = "",
    data: dict[str, Any] | None = None,
    event: str | None = None,
    audience: Audience | None = None,
    at: dt.datetime | None = None,
    created: bool = False,
    public: bool = True,
) -> WorkflowStep:
    """Add a step to the subject's timeline with its outbox event, refreshed views and audit entry (inside the
    caller's transaction). `audience` adds to the subject's own (the agency a report was just handed away from);
    `at` is the step's time (now by default); `created` and `public` as for subject_event_write (the submission's
    step; a step no follower is told of)."""
    now = at or timezone.now()
    if subject.first_response_at is None and responds(role=role, action=action):  # a step taken outside transition()
        subject.first_response_at = now
        type(subject)._default_manager.filter(pk=subject.pk).update(first_response_at=now)
    step = WorkflowStep.objects.create(
        subject_type=subject.event_kind,
        subject_id=subject.pk,
        action=action,
        from_state=from_state,
        to_state=subject.state,
        actor=actor,
        actor_role=role,
        reason=reason,
        data=data or {},
        at=now,
    )
    subject_event_write(
        subject=subject,
        event=event or action,
        data={
            "action": action,
            "from_state": from_state,
            "to_state": subject.state,
            "state_category": subject.state_category,
            "reason": reason,
            "actor_role": role,
            "version": subject.version,
            **(data or {}),
        },
        audience=audience,
        created=created,
        public=public,
    )
    audit_record(
        actor=actor,
        action=f"{subject.event_kind}.{action}",
        obj=subject,
        data={"from": from_state, "to": subject.state, "role": role, **(data or {})},
    )
    return step


def transition(
    *,
    actor: Any,
    subject: WorkflowSubject,
    action: str,
    version: int,
    roles: set[str],
    reason: str = "",
    data: dict[str, Any] | None = None,
    guards: dict[str, bool] | None = None,
    audience: Audience | None = None,
    holder: Any = None,
    helpers: list[Any] | None = None,
) -> tuple[Transition, WorkflowStep]:
    """Move `subject` (locked by the caller with select_for_update) by `action`, applying the transition's
    declared effects (workflow.effects).

    `roles` are the roles the actor holds for this subject (agency roles, or "applicant"); `guards` the values of
    the named guards the definition may ask for; `holder` the agency a `holder_take` effect hands to and `helpers`
    those `helpers_add` adds. A stale `version` is a 409 naming the current one.
    """
    if subject.version != version:
        raise StaleVersion(subject.version)
    definition = subject.workflow.parsed
    chosen = definition.find(action=action, state=subject.state)
    if chosen is None:
        raise DomainError(
            _("Action %(action)s is not possible while the state is %(state)s.")
            % {"action": action, "state": subject.state},
            field="action",
            code="action_not_available",
        )
    held = roles & chosen.roles
    if not held:
        raise PermissionDenied(
            _("Your role may not take action %(action)s.") % {"action": action}, code="role_not_allowed"
        )
    reason = (reason or "").strip()
    if chosen.reason_required and not reason:
        raise ValidationFailed({"reason": [_("is required for this action")]})
    if chosen.guard and not (guards or {}).get(chosen.guard, False):
        raise DomainError(
            _("Action %(action)s needs %(guard)s first.") % {"action": action, "guard": chosen.guard},
            field="action",
            code="guard_failed",
        )
    now = timezone.now()
    # The declared effects (workflow.effects): holders first, so the step's event names the new holder; the
    # clock after the state moved, so a new holder's clock wins over the category's pause rule.
    outcome = holder_effects_apply(
        subject, list(chosen.effects), now=now, reason=reason, holder=holder, helpers=helpers or ()
    )
    old_state, old_category = subject.state, subject.state_category
    subject.state = chosen.target
    subject.state_category = definition.category(chosen.target)
    subject.version += 1
    sla_after_move(subject, old_category=old_category, now=now)
    state_clock_start(subject, now=now)
    clock_effects_apply(subject, list(chosen.effects), now=now)
    timeout = definition.states[chosen.target].timeout
    subject.timeout_at = now + dt.timedelta(days=int(timeout["days"])) if timeout else None
    if timeout and timeout.get("name"):
        outcome.data[str(timeout["name"])] = subject.timeout_at.isoformat() if subject.timeout_at else None
    if subject.state_category in TERMINAL:
        holdings_close_all(subject, now=now)
    role = sorted(held)[0]
    answered = subject.first_response_at is None and responds(role=role, action=action)
    if answered:
        subject.first_response_at = now
    subject.save(
        update_fields=[
            *_MOVE_FIELDS,
            *(subject.holder_fields if chosen.has_holder_effect() else ()),
            *(("first_response_at",) if answered else ()),
        ]
    )
    if outcome.also:
        audience = (audience or Audience()) | Audience(agencies=frozenset(outcome.also))
    data = {**outcome.data, **(data or {})}
    step = workflow_record_step(
        subject=subject,
        actor=actor,
        action=action,
        from_state=old_state,
        role=role,
        reason=reason,
        data=data,
        event=chosen.event,
        audience=audience,
        at=now,  # the step is the move: its time is the one the row's clocks (and first response) got
    )
    kind_effects_apply(subject, list(chosen.effects), actor=actor, step=step)
    return chosen, step


def escalation_step_record(
    *, subject: WorkflowSubject, rule_index: int, rule: dict[str, Any], target: str, notified: Any, overdue_days: int
) -> WorkflowStep:
    """The timeline step, event `<subject>.escalated` and audit entry of one escalation the SLA sweep raised."""
    return workflow_record_step(
        subject=subject,
        actor=None,
        action="escalate",
        from_state=subject.state,
        role="system",
        event="escalated",
        data={
            "rule": rule_index,
            "when": rule["when"],
            "target": target,
            "notified": notified.username if notified else None,
            "working_days_overdue": overdue_days,
        },
        public=False,  # between the holder, its officers and the Live Room: no follower hears of it
    )


# Each scale: how many scores, their range, the input field a refusal names and its reason (shown to the citizen).
_SCALES: dict[str, tuple[int, int, int, str]] = {
    Rating.IKM: (9, 1, 4, "scores"),
    Rating.STARS: (1, 1, 5, "score"),
}


def _scale_reason(scale: str) -> str:
    if scale == Rating.IKM:
        return _("must be nine whole numbers from 1 to 4 (U1-U9)")
    return _("must be 1 to 5")


class AlreadyRated(Conflict):
    def __init__(self) -> None:
        super().__init__(_("This has been rated already; a rating is given once."), code="already_rated")


def subject_rate(*, subject: WorkflowSubject, actor: Any, scale: str, scores: list[int], comment: str = "") -> Rating:
    """Record the one rating of `subject` by `actor` on `scale` ("ikm": nine scores 1-4; "stars": one score 1-5).

    The kind's service decides who may rate and when, and writes the event and audit entry; this checks the scores
    and refuses a second rating of the subject (409 `already_rated`, the same for every kind). The unique
    constraint decides, so two ratings sent at once cannot both land; call it inside the kind's transaction."""
    if scale not in _SCALES:
        raise ValueError(f"unknown rating scale {scale!r}")
    count, low, high, field = _SCALES[scale]
    if (
        not isinstance(scores, list)
        or len(scores) != count
        or not all(isinstance(s, int) and not isinstance(s, bool) and low <= s <= high for s in scores)
    ):
        raise ValidationFailed({field: [_scale_reason(scale)]})
    try:
        with transaction.atomic():  # a savepoint: the caller's transaction survives the refusal
            return Rating.objects.create(
                subject_type=subject.event_kind,
                subject_id=subject.pk,
                scale=scale,
                scores=scores,
                comment=(comment or "").strip()[:2000],
                by=actor,
            )
    except IntegrityError:
        if Rating.objects.filter(subject_type=subject.event_kind, subject_id=subject.pk).exists():
            raise AlreadyRated() from None
        raise
