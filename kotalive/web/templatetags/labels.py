"""Template filters that show words, never stored codes (issue 14): each one calls its domain's labels module, so a
template never keeps its own mapping of codes to words."""

from typing import Any

from django import template

from kotalive.agencies.labels import agency_name as _agency_name
from kotalive.catalogue.labels import requirement_name
from kotalive.complaints import presenters as complaint_presenters
from kotalive.registry.labels import field_labels, relationship_label
from kotalive.web.labels import data_access_rows
from kotalive.workflow import labels as workflow_labels

register = template.Library()


@register.filter
def sla(status: str | None) -> str:
    """An SLA status as the citizen reads it."""
    return workflow_labels.sla_label(status)


@register.filter
def staff_sla(status: str | None) -> str:
    """An SLA status as staff read it."""
    return workflow_labels.sla_label(status, staff=True)


@register.filter
def state(subject: Any) -> str:
    """The name of the state a case, report or coordination request is in."""
    return workflow_labels.state_label(subject)


@register.filter
def category(code: str) -> str:
    """A workflow state category (the inbox's filter)."""
    return workflow_labels.category_label(code)


@register.filter
def public_status(word: str) -> str:
    """A public status word (menunggu, proses, selesai...) in the active language."""
    return workflow_labels.public_status_label(word)


@register.filter
def outcome(code: str) -> str:
    """What became of an agency's stretch with a subject."""
    return workflow_labels.outcome_label(code)


@register.filter
def report_status(complaint: Any) -> str:
    """A report's status as its reporter reads it (a rejected or merged report says so)."""
    return complaint_presenters.status_label(complaint)


@register.filter
def report_status_word(complaint: Any) -> str:
    """The word behind report_status, for the badge's style."""
    return complaint_presenters.status_word(complaint)


@register.filter
def category_name(category: Any) -> str:
    """A complaint category's name in the active language."""
    return complaint_presenters.category_name(category)


@register.filter
def agency_name(agency: Any) -> str:
    return _agency_name(agency)


@register.filter
def relationship(code: str) -> str:
    """A family relationship from the KK (KEPALA KELUARGA, ISTRI, ANAK...) in the active language."""
    return relationship_label(code)


@register.filter
def registry_fields(names: list[str]) -> str:
    return ", ".join(field_labels(list(names or [])))


@register.filter
def requirement_names(codes: list[str], version: Any) -> str:
    """Requirement codes of a service version as their names, comma-separated."""
    return ", ".join(requirement_name(version, code) for code in codes or [])


@register.filter
def access_rows(accesses: Any) -> list[Any]:
    """The "who used my data" rows with reasons, field names and legal bases in words (kotalive.web.labels)."""
    return data_access_rows(accesses)


@register.filter
def document_title(document: Any) -> str:
    """A signed document's kind in the active language: its service's name (the title printed on the document
    stays the official Indonesian one)."""
    from kotalive.web.labels import document_title as title

    return title(document)


@register.filter
def audit_action(action: str, case: Any) -> str:
    """An audit entry's action on a case in words ("" when unknown: the page shows the code as code)."""
    from kotalive.cases.presenters import audit_action_label

    return audit_action_label(action, case)


@register.filter
def case_sla(case: Any) -> str:
    """An application's clock as staff read it; nothing for one that ended rejected or cancelled (its clock stopped
    without a service delivered: "finished on time" would read as done)."""
    from kotalive.cases.selectors import sla_verdict

    return workflow_labels.sla_label(sla_verdict(case), staff=True)
