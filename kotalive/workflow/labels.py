"""The words people read for the workflow kernel's codes: SLA statuses, state categories, the public status words,
and what became of an agency's stretch with a subject (a holder's outcome). Pages and notices show these labels,
never the stored codes (issue 14); the codes stay what the API, the dashboards and the event feed carry."""

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from kotalive.workflow.definitions import (
    AWAITING_AGENCY,
    AWAITING_CITIZEN,
    CANCELLED,
    COMPLETED,
    DRAFT,
    IN_PROGRESS,
    REJECTED,
    SUBMITTED,
)
from kotalive.workflow.models import WorkflowSubject

SLA_LABELS: dict[str, Promise] = {
    WorkflowSubject.ON_TRACK: _("On time"),
    WorkflowSubject.AT_RISK: _("At risk of being late"),
    WorkflowSubject.BREACHED: _("Late"),
    WorkflowSubject.PAUSED: _("Clock stopped while we wait for you"),
    WorkflowSubject.MET: _("Finished on time"),
    WorkflowSubject.MISSED: _("Finished late"),
}
# The same for staff, who know the clock stops while the citizen has the file.
STAFF_SLA_LABELS: dict[str, Promise] = {
    **SLA_LABELS,
    WorkflowSubject.PAUSED: _("Clock stopped (waiting for the citizen)"),
}

CATEGORY_LABELS: dict[str, Promise] = {
    DRAFT: _("Draft"),
    SUBMITTED: _("New, not yet picked up"),
    IN_PROGRESS: _("In progress"),
    AWAITING_CITIZEN: _("Waiting for the citizen"),
    AWAITING_AGENCY: _("Waiting for another agency"),
    COMPLETED: _("Completed"),
    REJECTED: _("Rejected"),
    CANCELLED: _("Cancelled"),
}

# The citizen's words for where a subject stands (workflow.definitions.PUBLIC_STATUS and the kinds' own).
PUBLIC_STATUS_LABELS: dict[str, Promise] = {
    "draf": _("Draft"),
    "menunggu": _("Waiting to be processed"),  # submitted, not yet taken up: not "waiting for you"
    "proses": _("In progress"),
    "selesai": _("Completed"),
    "ditolak": _("Rejected"),
    "dibatalkan": _("Cancelled"),
    "digabung": _("Merged into another report"),
}

OUTCOME_LABELS: dict[str, Promise] = {
    "handed_off": _("handed on to another agency"),
    "returned_to_operator": _("returned to the Live Room"),
    "resolved": _("resolved"),
    "closed": _("closed"),
    "reassigned": _("reassigned"),
}


def sla_label(status: str | None, *, staff: bool = False) -> str:
    """The SLA status `status` in the active language ("" for none)."""
    if not status:
        return ""
    return str((STAFF_SLA_LABELS if staff else SLA_LABELS).get(status, status))


def category_label(category: str) -> str:
    return str(CATEGORY_LABELS.get(category, category))


def public_status_label(word: str) -> str:
    return str(PUBLIC_STATUS_LABELS.get(word, word))


def outcome_label(outcome: str) -> str:
    return str(OUTCOME_LABELS.get(outcome, outcome))


def state_label(subject: Any) -> str:
    """The name of the state `subject` is in, from its workflow definition, in the active language."""
    state = subject.workflow.parsed.states.get(subject.state)
    label = state.label if state is not None else {}
    return str(label.get(get_language() or "id") or label.get("id") or category_label(subject.state_category))


# The platform's own workflow definitions (kotalive/workflow/data/), named in both languages; a region's own
# definition is named by the name it was saved with.
WORKFLOW_NAMES: dict[str, Promise] = {
    "standard-approval": _("Verification, processing and approval (standard)"),
    "bundle-standard": _("Life event (parts at several agencies)"),
    "complaint-standard": _("Complaint: triage, disposition, follow-up, confirmation"),
    "coordination-standard": _("Coordination between agencies: asked, worked on, answered"),
}


def workflow_name(code: str, saved_name: str = "") -> str:
    label = WORKFLOW_NAMES.get(code)
    return str(label) if label is not None else saved_name or code
