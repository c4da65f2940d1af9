"""The event catalogue: every event type the platform emits and the JSON Schema of its `data`.

docs/events.md documents the same types; a test checks that every outbox row a full case life writes validates
against its schema, and that every type here is documented. Workflow transitions emit events named by the
workflow definitions (data), so those types are collected from the definitions; they share one schema.
"""

import datetime as dt
from typing import Any

from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent

from kotalive.events.models import OutboxEvent
from kotalive.events.services import TYPE_PREFIX

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


_STEP = {
    "action": {"type": "string"},
    "from_state": {"type": "string"},
    "to_state": {"type": "string"},
    "state_category": {
        "enum": [
            "draft",
            "submitted",
            "in_progress",
            "awaiting_citizen",
            "awaiting_agency",
            "completed",
            "rejected",
            "cancelled",
        ]
    },
    "reason": {"type": "string"},
    "actor_role": {"type": "string"},
    "version": {"type": "integer", "minimum": 1},
    "requirements": {"type": "array", "items": {"type": "string"}},
}
_STEP_REQUIRED = ["action", "from_state", "to_state", "state_category", "reason", "actor_role", "version"]

# A workflow step (any transition's event, plus submission and escalation which are steps too).
STEP_SCHEMA = _case_schema(_STEP, _STEP_REQUIRED)

FIXED_TYPES: dict[str, dict[str, Any]] = {
    "case.submitted": _case_schema({**_STEP, "due_at": {"type": ["string", "null"]}}, [*_STEP_REQUIRED, "due_at"]),
    "case.escalated": _case_schema(
        {
            **_STEP,
            "rule": {"type": "integer", "minimum": 0},
            "when": {"type": "string"},
            "target": {"type": "string"},
            "notified": {"type": ["string", "null"]},
            "working_days_overdue": {"type": "integer"},
        },
        [*_STEP_REQUIRED, "rule", "when", "target", "notified"],
    ),
    "case.message_posted": _case_schema(
        {"message_id": {"type": "integer"}, "author_role": {"enum": ["staff", "citizen"]}},
        ["message_id", "author_role"],
    ),
    "case.document_added": _case_schema({"requirement": {"type": "string"}}, ["requirement"]),
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


_COMPLAINT = {
    "tracking": {"type": "string", "pattern": "^LAKSA-[0-9]{8}-[0-9]+$"},
    "kind": {"enum": ["complaint", "aspiration", "information", "appreciation"]},
    "category": {"type": "string"},
    "agency": {"type": ["string", "null"]},  # the agency holding the report; null while the Live Room holds it
    "kelurahan": {"type": ["string", "null"]},
}


def _complaint_schema(extra: dict[str, Any], required: list[str]) -> dict[str, Any]:
    # Never the reporter: complaint events reach agencies, and an anonymous reporter must stay unknown to them.
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": {**_COMPLAINT, **_STEP, **extra},
        "required": ["tracking", "kind", "category", "agency", "kelurahan", *_STEP_REQUIRED, *required],
        "not": {"anyOf": [{"required": ["reporter"]}, {"required": ["reporter_name"]}]},
    }


# A complaint's workflow step; hand-offs add from_agency, to_agency and seconds_at_agency.
COMPLAINT_STEP_SCHEMA = _complaint_schema(
    {
        "from_agency": {"type": ["string", "null"]},
        "to_agency": {"type": "string"},
        "seconds_at_agency": {"type": "integer", "minimum": 0},
        "supports": {"type": "array", "items": {"type": "string"}},
        "into": {"type": "string"},
        "confirm_by": {"type": "string"},
        "photos": {"type": "array", "items": {"type": "string"}},
        "stage": {"enum": ["before", "after"]},
    },
    [],
)

FIXED_TYPES.update(
    {
        "complaint.submitted": _complaint_schema(
            {
                "source": {"enum": ["app", "open311", "lapor"]},
                "photos": {"type": "integer", "minimum": 0},
                "due_at": {"type": ["string", "null"]},
            },
            ["source", "photos", "due_at"],
        ),
        "complaint.escalated": _complaint_schema(
            {
                "rule": {"type": "integer", "minimum": 0},
                "when": {"type": "string"},
                "target": {"enum": ["liaison", "head", "operator", "leadership"]},
                "notified": {"type": ["string", "null"]},
                "working_days_overdue": {"type": "integer"},
            },
            ["rule", "when", "target", "notified"],
        ),
        "complaint.message_posted": _complaint_schema(
            {"message_id": {"type": "integer"}, "author_role": {"enum": ["reporter", "operator", "agency"]}},
            ["message_id", "author_role"],
        ),
        "complaint.rated": _complaint_schema({"score": {"type": "integer", "minimum": 1, "maximum": 5}}, ["score"]),
        "complaint.emergency_handover": _complaint_schema({"to": {"const": "112"}}, ["to"]),
        "complaint.duplicate_merged": _complaint_schema(
            {"duplicate": {"type": "string"}, "followers_added": {"type": "integer", "minimum": 0}},
            ["duplicate", "followers_added"],
        ),
        "complaint.lapor_reply": _complaint_schema({"lapor_id": {"type": "string"}}, ["lapor_id"]),
    }
)


def workflow_event_types() -> set[str]:
    """`<subject>.<event>` for every transition event of every stored workflow definition (case or complaint)."""
    from kotalive.workflow.models import WorkflowDefinition

    names: set[str] = set()
    for definition in WorkflowDefinition.objects.all():
        parsed = definition.parsed
        names.update(f"{parsed.subject}.{t.event}" for t in parsed.transitions)
    return names


def event_types() -> dict[str, dict[str, Any]]:
    """Every event type (full name, e.g. id.kotalive.case.completed) -> the JSON Schema of its data."""
    found = {
        TYPE_PREFIX + name: (COMPLAINT_STEP_SCHEMA if name.startswith("complaint.") else STEP_SCHEMA)
        for name in workflow_event_types()
    }
    found.update({TYPE_PREFIX + name: schema for name, schema in FIXED_TYPES.items()})
    return dict(sorted(found.items()))


def cloudevent(event: OutboxEvent) -> CloudEvent:
    """The row as a validated CloudEvent of the SDK (extensions: `sequence`, `agency`)."""
    return cloudevent_of(event.as_cloudevent(), event.time)


def cloudevent_of(attributes: dict[str, Any], time: dt.datetime) -> CloudEvent:
    """A CloudEvent of the SDK from the JSON form's attributes (the SDK wants `time` as a datetime)."""
    fields = {**attributes, "time": time}
    data = fields.pop("data")
    return CloudEvent(fields, data)


def cloudevent_json(event: OutboxEvent) -> bytes:
    """Structured-mode JSON of the event, written by the CloudEvents SDK."""
    return JSONFormat().write(cloudevent(event))


def cloudevent_json_of(attributes: dict[str, Any], time: dt.datetime) -> bytes:
    return JSONFormat().write(cloudevent_of(attributes, time))
