"""The JSON Schemas of coordination request events, registered in the event catalogue (docs/events.md)."""

from typing import Any

from kotalive.coordination.models import KINDS
from kotalive.events.catalogue import event_types_register
from kotalive.workflow.events import STEP_PROPERTIES, STEP_REQUIRED, step_schema_register

_REQUEST = {
    "tracking": {"type": "string", "pattern": "^KOORD-[0-9]{8}-[0-9]+$"},
    "kind": {"enum": list(KINDS)},
    "parent": {"type": "string"},  # the case's or report's tracking number, never its content
    "from_agency": {"type": "string"},
    "to_agency": {"type": "string"},
    "blocking": {"type": "boolean"},
}


def _schema(extra: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": {**_REQUEST, **STEP_PROPERTIES, **extra},
        "required": [*_REQUEST, *STEP_REQUIRED, *required],
    }


STEP_SCHEMA = _schema({"attachments": {"type": ["array", "integer"]}}, [])
TYPES: dict[str, dict[str, Any]] = {
    "coordination.requested": _schema(
        {"due_at": {"type": ["string", "null"]}, "attachments": {"type": "integer", "minimum": 0}}, ["due_at"]
    ),
    "coordination.escalated": _schema(
        {
            "rule": {"type": "integer", "minimum": 0},
            "when": {"type": "string"},
            "target": {"type": "string"},
            "notified": {"type": ["string", "null"]},
            "working_days_overdue": {"type": "integer"},
        },
        ["rule", "when", "target", "notified"],
    ),
}


def register() -> None:
    step_schema_register("coordination", STEP_SCHEMA)
    event_types_register(TYPES)
