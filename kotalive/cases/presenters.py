"""The JSON shapes of a case, shared by the API and the stored applicant snapshot (cases.snapshots)."""

from typing import Any

from kotalive.accounts.models import User
from kotalive.cases.models import Case
from kotalive.cases.selectors import (
    case_actions,
    case_documents,
    case_is_rated,
    case_is_staff_view,
    case_output,
    case_timeline,
    public_status,
)
from kotalive.catalogue.models import localised
from kotalive.core.calendar import local_date


def case_summary(case: Case) -> dict[str, Any]:
    return {
        "tracking": case.tracking,
        "service": case.service.code,
        "service_name": case.service_version.name,
        "agency": case.agency.code,
        "subject_name": case.subject_name,
        "state": case.state,
        "state_category": case.state_category,
        "public_status": public_status(case),
        "submitted_at": case.submitted_at,
        "due_at": case.due_at,
        "due_date": local_date(case.due_at) if case.due_at else None,
        "sla_status": case.sla_status,
        "state_due_at": case.state_due_at,
        "version": case.version,
        "assignee": case.assignee.username if case.assignee else None,
    }


def case_detail(case: Case, user: User) -> dict[str, Any]:
    staff_view = case_is_staff_view(user=user, case=case)
    output = case_output(case)
    return {
        **case_summary(case),
        "service_version": case.service_version.version,
        "data": case.data,
        "prefilled": case.prefilled,
        "documents": [
            {
                "requirement": d.requirement,
                "upload": str(d.upload_id),
                "kind": d.upload.kind,
                "size": d.upload.size,
                "url": f"/api/v1/cases/{case.tracking}/documents/{d.upload_id}",
            }
            for d in case_documents(case=case)
        ],
        "timeline": [vars(entry) for entry in case_timeline(case=case, staff_view=staff_view)],
        "output": {
            "number": output.number,
            "issued_on": output.issued_on,
            "issued_by": output.issued_by.full_name,
            "document": f"/api/v1/cases/{case.tracking}/output/document" if output.document_id else None,
        }
        if output
        else None,
        "rated": case_is_rated(case),
        **case_labels(case, user),
    }


def case_labels(case: Case, user: User) -> dict[str, Any]:
    """The parts of case_detail that depend on the active language."""
    return {
        "service_name": case.service_version.name,
        "actions": [
            {"action": t.action, "label": localised(t.label) or t.action, "reason_required": t.reason_required}
            for t in case_actions(user=user, case=case)
        ],
    }
