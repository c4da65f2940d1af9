"""The JSON shape of a coordination request (the API, the inbox)."""

from typing import Any

from django.utils.translation import gettext_lazy

from kotalive.accounts.models import User
from kotalive.catalogue.models import localised
from kotalive.coordination.models import CoordinationRequest
from kotalive.coordination.selectors import due_date, request_roles
from kotalive.workflow.models import WorkflowStep

KIND_LABELS = {
    "verify_document": gettext_lazy("Verify a document"),
    "provide_data": gettext_lazy("Provide data"),
    "take_action": gettext_lazy("Take an action"),
    "opinion": gettext_lazy("Give an opinion"),
}


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


def coordination_summary(request: CoordinationRequest) -> dict[str, Any]:
    state = request.workflow.parsed.states[request.state]
    return {
        "tracking": request.tracking,
        "kind": request.kind,
        "kind_label": kind_label(request.kind),
        "parent": request.parent_tracking,
        "parent_kind": request.parent_kind,
        "from_agency": request.from_agency.code,
        "to_agency": request.to_agency.code,
        "state": request.state,
        "state_label": localised(state.label) or request.state,
        "state_category": request.state_category,
        "blocking": request.blocking,
        "submitted_at": request.submitted_at,
        "due_at": request.due_at,
        "due_date": due_date(request),
        "sla_status": request.sla_status,
        "version": request.version,
    }


def coordination_detail(request: CoordinationRequest, user: User) -> dict[str, Any]:
    definition = request.workflow.parsed
    labels = {
        "submit": str(gettext_lazy("Request sent")),
        "escalate": str(gettext_lazy("Escalated")),
        **{t.action: localised(t.label) or t.action for t in definition.transitions},
    }
    steps = WorkflowStep.objects.filter(subject_type=request.event_kind, subject_id=request.pk).select_related("actor")
    roles = request_roles(user=user, request=request)
    return {
        **coordination_summary(request),
        "message": request.message,
        "answer": request.answer,
        "requested_by": request.requested_by.full_name,
        "attachments": [
            {"upload": str(a.upload_id), "stage": a.stage, "kind": a.upload.kind, "size": a.upload.size}
            for a in request.attachments.select_related("upload")
        ],
        "timeline": [
            {
                "at": s.at,
                "action": s.action,
                "label": labels.get(s.action, s.action),
                "from_state": s.from_state,
                "to_state": s.to_state,
                "actor": s.actor.full_name if s.actor else "",
                "actor_role": s.actor_role,
                "text": s.reason,
            }
            for s in steps
        ],
        "actions": [
            {"action": t.action, "label": labels[t.action], "reason_required": t.reason_required}
            for t in definition.available(state=request.state, roles=roles)
        ],
    }
