"""The JSON shapes of a case, shared by the API and the stored applicant snapshot (cases.snapshots)."""

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy

from kotalive.accounts.models import User
from kotalive.cases.models import Case, CaseDocument
from kotalive.cases.selectors import (
    TimelineEntry,
    case_actions,
    case_documents,
    case_is_rated,
    case_is_staff_view,
    case_output,
    case_timeline,
    public_status,
    sla_verdict,
)
from kotalive.catalogue.models import localised
from kotalive.core.calendar import local_date
from kotalive.documents.services import verify_url


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
        "sla_status": sla_verdict(case),
        "state_due_at": case.state_due_at,
        "version": case.version,
        "assignee": case.assignee.username if case.assignee else None,
    }


@dataclass(frozen=True)
class CaseParts:
    """What case_detail would read from the database, given by a caller that has it in hand: a submission builds
    the stored applicant view of the case it is about to insert (no output, no rating, one timeline step)."""

    documents: list[CaseDocument]
    timeline: list[TimelineEntry]
    staff_view: bool = False
    output: Any = None
    rated: bool = False


def case_detail(case: Case, user: User, parts: CaseParts | None = None) -> dict[str, Any]:
    staff_view = parts.staff_view if parts else case_is_staff_view(user=user, case=case)
    output = parts.output if parts else case_output(case)
    documents = parts.documents if parts else case_documents(case=case)
    timeline = parts.timeline if parts else case_timeline(case=case, staff_view=staff_view)
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
            for d in documents
        ],
        "timeline": [vars(entry) for entry in timeline],
        "output": output_view(case, output) if output else None,
        "rated": parts.rated if parts else case_is_rated(case),
        **case_labels(case, user),
    }


def output_view(case: Case, output: Any) -> dict[str, Any]:
    """A case's output: the signed document's id (what verification names) and its state, or the attached file."""
    document = output.signed_document
    state = None
    if document is not None:
        state = "revoked" if document.revoked_at else document.state
    downloadable = output.document_id or (document is not None and document.state == "signed")
    return {
        "number": output.number,
        "issued_on": output.issued_on,
        "issued_at": output.issued_at,
        "issued_by": output.issued_by.full_name,
        "document_id": str(document.pk) if document is not None else None,
        "document_state": state,
        "verification_url": verify_url(document.pk) if document is not None else None,
        "document": f"/api/v1/cases/{case.tracking}/output/document" if downloadable else None,
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


# The nine elements of the citizen satisfaction index (IKM, PermenPANRB 14/2017), U1-U9 in this order, as the
# survey asks them in each language (the stored scores are by position: cases.models.IKM_ELEMENTS).
IKM_QUESTIONS: tuple[dict[str, str], ...] = (
    {"id": "Persyaratan", "en": "Requirements"},
    {"id": "Sistem, mekanisme dan prosedur", "en": "Systems, mechanism and procedure"},
    {"id": "Waktu penyelesaian", "en": "Completion time"},
    {"id": "Biaya/tarif", "en": "Cost or fee"},
    {"id": "Produk layanan", "en": "Service product"},
    {"id": "Kompetensi petugas", "en": "Staff competence"},
    {"id": "Perilaku petugas", "en": "Staff behaviour"},
    {"id": "Penanganan pengaduan, saran dan masukan", "en": "Handling of complaints, suggestions and input"},
    {"id": "Sarana dan prasarana", "en": "Facilities"},
)


def ikm_questions() -> list[tuple[int, str]]:
    """The satisfaction survey's elements, numbered from 1, in the active language (the rating form)."""
    return [(number, localised(question)) for number, question in enumerate(IKM_QUESTIONS, start=1)]


AUDIT_LABELS = {
    "submitted": gettext_lazy("Application submitted"),
    "assigned": gettext_lazy("Assigned"),
    "document_added": gettext_lazy("Document added"),
    "escalated": gettext_lazy("Escalated"),
    "message_posted": gettext_lazy("Message to the citizen"),
    "note_added": gettext_lazy("Internal note"),
    "output_attached": gettext_lazy("Output attached"),
    "output_issued": gettext_lazy("Output issued"),
    "rated": gettext_lazy("Rated"),
    "bundle_offered": gettext_lazy("Rest of the life event offered"),
}


def audit_action_label(action: str, case: Case) -> str:
    """An audit entry's action on `case` in words: a workflow move by its transition's label, the case's other
    entries by name; "" for one this list does not know (the page then shows the code, marked as such)."""
    kind, _dot, name = action.partition(".")
    if kind != "case":
        return ""
    labels = {t.action: localised(t.label) for t in case.workflow.parsed.transitions}
    return labels.get(name) or str(AUDIT_LABELS.get(name, ""))
