"""What completing an application produces: its output (number, date, issuing officer) and, for a service whose
output is a document, the document to be signed (kotalive.documents). Declared in the workflow definition as the
effect `output_issue` on the transition that completes (workflow/data/standard-approval.json), not decided here by
looking at the state.
"""

import datetime as dt
from typing import Any

from django.utils import timezone

from kotalive.cases.models import Case, CaseOutput
from kotalive.cases.snapshots import case_snapshot_refresh
from kotalive.core.audit import audit_record
from kotalive.documents.models import Document
from kotalive.documents.services import DOCUMENT_CHANGED_HOOKS, date_id, document_facts_add, document_issue
from kotalive.workflow.definitions import kind_effect
from kotalive.workflow.services import subject_event_write

DOCUMENT_OUTPUTS = frozenset({"signed_pdf"})  # the catalogue's output kinds that are documents KotaLIVE signs
# Which form field names the person a document is about, where that is not the applicant (the newborn, the dead).
SUBJECT_FIELDS = ("child_name", "deceased_name")


def _shown(value: Any, spec: dict[str, Any]) -> str:
    """A form value as the Indonesian document prints it (labels, not stored codes; dates in words)."""
    if isinstance(value, bool):
        return "Ya" if value else "Tidak"
    if isinstance(value, list):
        return ", ".join(_shown(v, spec.get("items", {})) for v in value)
    labels = spec.get("x-enum-labels") or {}
    if str(value) in labels:
        return str(labels[str(value)].get("id") or value)
    if spec.get("format") == "date":
        try:
            return date_id(dt.date.fromisoformat(str(value)))
        except ValueError:
            return str(value)
    return str(value)


def document_facts(case: Case) -> tuple[list[tuple[str, str]], dict[str, str]]:
    """The labelled facts of the case's form, in the form's order, and the same by field name."""
    properties: dict[str, Any] = (case.service_version.form_schema or {}).get("properties", {})
    rows, values = [], {}
    for name, spec in properties.items():
        value = case.data.get(name)
        if value in (None, "", []):
            continue
        shown = _shown(value, spec)
        label = (spec.get("x-label") or {}).get("id") or spec.get("title") or name
        rows.append((str(label), shown))
        values[name] = shown
    return rows, values


def output_number(case: Case, day: dt.date) -> str:
    return f"{case.service.code.upper()}/{day:%Y%m%d}/{case.tracking.rsplit('-', 1)[-1]}-{case.pk}"


@kind_effect("output_issue")
def output_issue(case: Case, effect: dict[str, Any], *, actor: Any, step: Any) -> CaseOutput:
    """Issue the case's output; a document service also gets its document, signed by the worker moments later."""
    today = timezone.localdate()
    number = output_number(case, today)
    document = None
    if case.service_version.output_kind in DOCUMENT_OUTPUTS:
        rows, values = document_facts(case)
        name = next((str(case.data[f]) for f in SUBJECT_FIELDS if case.data.get(f)), case.subject_name)
        document = document_issue(
            kind=case.service.code,
            title=case.service_version.name_id,
            agency=case.agency,
            holder=case.applicant,
            subject_ref=case.tracking,
            subject_name=name,
            rows=rows,
            values=values,
            number=number,
            is_test=case.is_test,
        )
    output = CaseOutput.objects.create(
        case=case, number=number, issued_on=today, issued_by=actor, signed_document=document
    )
    subject_event_write(
        subject=case,
        event="output_issued",
        data={"number": number, "document_id": str(document.pk) if document else None},
    )
    audit_record(actor=actor, action="case.output_issued", obj=case, data={"number": number})
    return output


def output_registry_facts(case: Case, nik: str) -> None:
    """The NIK the registry just gave the person a document is about (a newborn) goes onto the document."""
    output = CaseOutput.objects.filter(case=case).select_related("signed_document").first()
    document: Document | None = output.signed_document if output else None
    if document is not None and nik:
        document_facts_add(document, [("NIK", nik)], {"nik": nik})


def output_document_changed(document: Document) -> None:
    """A case's document was signed or revoked: its stored applicant view says so (the case row locked)."""
    case = Case.objects.select_for_update().filter(output__signed_document=document).first()
    if case is not None:
        case_snapshot_refresh(case=case)


DOCUMENT_CHANGED_HOOKS.append(output_document_changed)
