"""The JSON Schemas of application (case) and life-event bundle events, registered in the event catalogue
(docs/events.md)."""

from typing import Any

from kotalive.events.catalogue import event_types_register
from kotalive.workflow.events import STEP_PROPERTIES, STEP_REQUIRED, step_schema_register

_CASE = {
    "tracking": {"type": "string", "pattern": "^[A-Z0-9]+-[0-9]{8}-[0-9]+$"},
    "service": {"type": "string"},
    "service_version": {"type": "integer", "minimum": 1},
    "agency": {"type": "string"},
}
_CASE_REQUIRED = ["tracking", "service", "service_version", "agency"]


def _case_schema(extra: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": {**_CASE, **extra},
        "required": _CASE_REQUIRED + required,
    }


# A workflow step (any transition's event, plus submission and escalation which are steps too).
STEP_SCHEMA = _case_schema(STEP_PROPERTIES, STEP_REQUIRED)

CASE_TYPES: dict[str, dict[str, Any]] = {
    "case.submitted": _case_schema(
        {**STEP_PROPERTIES, "due_at": {"type": ["string", "null"]}}, [*STEP_REQUIRED, "due_at"]
    ),
    "case.escalated": _case_schema(
        {
            **STEP_PROPERTIES,
            "rule": {"type": "integer", "minimum": 0},
            "when": {"type": "string"},
            "target": {"type": "string"},
            "notified": {"type": ["string", "null"]},
            "working_days_overdue": {"type": "integer"},
        },
        [*STEP_REQUIRED, "rule", "when", "target", "notified"],
    ),
    "case.message_posted": _case_schema(
        {"message_id": {"type": "integer"}, "author_role": {"enum": ["staff", "citizen"]}},
        ["message_id", "author_role"],
    ),
    # A single application recorded a life event: the rest of its bundle is offered to the applicant.
    "case.bundle_offered": _case_schema({"bundle_kind": {"type": "string"}}, ["bundle_kind"]),
    "case.document_added": _case_schema({"requirement": {"type": "string"}}, ["requirement"]),
    # Completion issued the output (the effect output_issue): `document_id` names the document being signed, or
    # null when the service's output is not a document KotaLIVE signs (a card, a record).
    "case.output_issued": _case_schema(
        {"number": {"type": "string"}, "document_id": {"type": ["string", "null"], "format": "uuid"}},
        ["number", "document_id"],
    ),
    "case.output_attached": _case_schema(
        {"number": {"type": "string"}, "kind": {"enum": ["pdf", "jpeg", "png"]}}, ["number", "kind"]
    ),
    "case.assigned": _case_schema(
        {"assignee": {"type": ["string", "null"]}, "previous": {"type": ["string", "null"]}}, ["assignee", "previous"]
    ),
    "case.rated": _case_schema(
        {
            "scores": {  # the nine IKM elements U1..U9 in order, 1-4 each
                "type": "array",
                "items": {"type": "integer", "minimum": 1, "maximum": 4},
                "minItems": 9,
                "maxItems": 9,
            }
        },
        ["scores"],
    ),
}


_BUNDLE = {
    "tracking": {"type": "string", "pattern": "^PH-[0-9]{8}-[0-9]+$"},
    "kind": {"type": "string"},  # the life event: kelahiran, kematian
}
_PART = {
    "part": {"type": "string"},  # the part's service code
    "part_tracking": {"type": "string", "pattern": "^[A-Z0-9]+-[0-9]{8}-[0-9]+$"},  # the part's application
}


def _bundle_schema(extra: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": {**_BUNDLE, **extra},
        "required": ["tracking", "kind", *required],
    }


BUNDLE_STEP_SCHEMA = _bundle_schema(STEP_PROPERTIES, STEP_REQUIRED)
BUNDLE_TYPES: dict[str, dict[str, Any]] = {
    # A citizen filed the life event: its parts' services in order, and the offered application it came from.
    "bundle.submitted": _bundle_schema(
        {
            **STEP_PROPERTIES,
            "parts": {"type": "array", "items": {"type": "string"}},
            "from_case": {"type": ["string", "null"]},
        },
        [*STEP_REQUIRED, "parts", "from_case"],
    ),
    # A part was filed as an application at its agency (at once, or when the parts it waited for completed).
    "bundle.part_filed": _bundle_schema(
        {**STEP_PROPERTIES, **_PART, "agency": {"type": "string"}}, [*STEP_REQUIRED, "part", "part_tracking"]
    ),
    # A part's application ended (completed, rejected or cancelled).
    "bundle.part_ended": _bundle_schema(
        {**_PART, "part_state_category": {"type": "string"}}, ["part", "part_tracking", "part_state_category"]
    ),
    # A part could not be filed: the part it waited for ended without completing, or its data was refused.
    "bundle.part_failed": _bundle_schema({**_PART, "blocked_by": {"type": "string"}}, ["part", "part_tracking"]),
    # A part about the applicant waits for their other open application of the same service (`waits_for`, a twin's
    # family-card update) and is filed when that one ends.
    "bundle.part_waiting": _bundle_schema(
        {**_PART, "waits_for": {"type": "string"}}, ["part", "part_tracking", "waits_for"]
    ),
}


def register() -> None:
    step_schema_register("case", STEP_SCHEMA)
    event_types_register(CASE_TYPES)
    step_schema_register("bundle", BUNDLE_STEP_SCHEMA)
    event_types_register(BUNDLE_TYPES)
