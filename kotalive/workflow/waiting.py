"""A subject of any kind waits on another agency: while a blocking coordination request is open, its parent (an
application, a report) sits in the kernel's `awaiting_agency` state, and goes back to the state it was in when the
last blocking request closes. The definition needs no transition for it: every parsed definition has the state
(workflow.definitions.WAITING_STATE). The SLA clock keeps running: the citizen is not the one who is asked.

Both moves are timeline steps (the citizen sees that the case waits, not what was asked: details go in the
parent's internal notes) with the events `<kind>.awaiting_agency` and `<kind>.resumed`.
"""

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from kotalive.core.errors import DomainError
from kotalive.events.audience import Audience
from kotalive.workflow.definitions import AWAITING_AGENCY, AWAITING_CITIZEN, TERMINAL, WAITING_STATE
from kotalive.workflow.models import WorkflowStep, WorkflowSubject
from kotalive.workflow.services import workflow_record_step

_FIELDS = ["state", "state_category", "resume_state", "version"]


def subject_wait_for_agency(
    *, subject: WorkflowSubject, actor: Any, role: str, data: dict[str, Any], audience: Audience | None = None
) -> WorkflowStep | None:
    """Park `subject` (locked by the caller) in the waiting state; None when it already waits (a second blocking
    request). A finished subject cannot wait."""
    if subject.state_category in TERMINAL:
        raise DomainError(_("This is finished: nothing can wait on another agency any more."), code="finished")
    if subject.state == WAITING_STATE:
        return None
    if subject.state_category == AWAITING_CITIZEN:  # the citizen must act now: nothing may take that away
        raise DomainError(
            _("The citizen is asked to act on this now: ask another agency once it is back with you."),
            code="awaiting_citizen",
        )
    from_state = subject.state
    subject.resume_state = from_state
    subject.state, subject.state_category = WAITING_STATE, AWAITING_AGENCY
    subject.version += 1
    subject.save(update_fields=_FIELDS)
    return workflow_record_step(
        subject=subject, actor=actor, action="await_agency", from_state=from_state, role=role, data=data,
        event="awaiting_agency", audience=audience, at=timezone.now(),
    )  # fmt: skip


def subject_resume(
    *, subject: WorkflowSubject, actor: Any, role: str, data: dict[str, Any], audience: Audience | None = None
) -> WorkflowStep | None:
    """Take `subject` back to the state it waited in; None when it does not wait."""
    if subject.state != WAITING_STATE or not subject.resume_state:
        return None
    definition = subject.workflow.parsed
    subject.state = subject.resume_state
    subject.state_category = definition.category(subject.state)
    subject.resume_state = ""
    subject.version += 1
    subject.save(update_fields=_FIELDS)
    return workflow_record_step(
        subject=subject, actor=actor, action="resume", from_state=WAITING_STATE, role=role, data=data,
        event="resumed", audience=audience,
    )  # fmt: skip
